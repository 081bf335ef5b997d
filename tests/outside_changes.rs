//! Another program changes a session while the TUI has it open: an
//! editor's rewrite, a newer rapporteur's schema 2, a `git pull` leaving
//! conflict markers. Nothing typed is lost and nothing of theirs is
//! written over (`store::guard`). The real binary in tmux; see
//! `support/tmux.rs` (skips without tmux, fails on CI).

#[path = "support/tmux.rs"]
mod tmux;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tmux::{TIMEOUT, Tmux, entry_texts, poll, read_json, shell_quote, sidecar};

const PLACEHOLDER: &str = "Type what is said.";

/// Starts `new` in tmux and commits `typed`, one entry each, waiting until
/// the file holds them all. Returns the session file.
fn open_with_entries(t: &Tmux, typed: &[&str]) -> PathBuf {
    let script = format!(
        "{} new --title Outside; echo EXITED:$?; sleep 60",
        shell_quote(tmux::bin())
    );
    t.spawn_shell("main", &script);
    t.wait_ready("main");
    for (i, text) in typed.iter().enumerate() {
        commit(t, text, i + 1);
    }
    let file = t.session_file();
    wait_entries(&file, typed);
    file
}

fn commit(t: &Tmux, text: &str, count: usize) {
    t.type_text("main", text);
    t.keys("main", &["Enter"]);
    let title = format!("Entries ({count})");
    t.wait_text("main", &[&title, PLACEHOLDER]);
}

/// Waits until the file holds every one of `wanted` (in any block).
fn wait_entries(file: &Path, wanted: &[&str]) -> Value {
    let mut last = Value::Null;
    poll(TIMEOUT, || {
        last = std::fs::read(file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        let have = if last.is_null() {
            vec![]
        } else {
            entry_texts(&last)
        };
        wanted
            .iter()
            .all(|w| have.iter().any(|h| h == w))
            .then(|| last.clone())
    })
    .unwrap_or_else(|| panic!("{} never held {wanted:?}; last:\n{last:#}", file.display()))
}

/// The `NAME.json.mine-…` files beside `file`.
fn mine_files(file: &Path) -> Vec<PathBuf> {
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let prefix = format!("{name}.mine-");
    std::fs::read_dir(file.parent().expect("dir"))
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .collect()
}

/// The one saved version of ours beside `file`: private, and holding
/// `typed`.
fn check_mine(file: &Path, typed: &[&str]) {
    let mine = poll(TIMEOUT, || match mine_files(file).as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    })
    .unwrap_or_else(|| panic!("expected one .mine- file, found {:?}", mine_files(file)));
    assert!(!mine.to_string_lossy().ends_with(".json"), "{mine:?}");
    let mode = std::fs::metadata(&mine).expect("mine").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{} is not private", mine.display());
    let ours = entry_texts(&read_json(&mine));
    for t in typed {
        assert!(ours.iter().any(|o| o == t), "{t:?} not in {ours:?}");
    }
}

fn quit(t: &Tmux) {
    t.keys("main", &["C-q"]);
    let screen = t.wait_text("main", &["EXITED:"]);
    assert!(screen.contains("EXITED:0"), "exit status:\n{screen}");
}

#[test]
fn an_outside_rewrite_keeps_their_entry_and_every_typed_one() {
    let Some(t) = Tmux::start("outside-rewrite") else {
        return;
    };
    let file = open_with_entries(&t, &["First typed", "Second typed"]);
    // An editor adds an entry and writes the file in place.
    let mut v = read_json(&file);
    let current = v["current_block"]
        .as_str()
        .expect("current block")
        .to_string();
    let block = v["blocks"]
        .as_array_mut()
        .expect("blocks")
        .iter_mut()
        .find(|b| b["id"] == current.as_str())
        .expect("current block");
    let entries = block["entries"].as_array_mut().expect("entries");
    let mut theirs = entries[0].clone();
    theirs["id"] = "written-outside-1".into();
    theirs["text"] = "Written by an editor".into();
    entries.push(theirs);
    std::fs::write(&file, serde_json::to_vec_pretty(&v).expect("json")).expect("rewrite");

    t.type_text("main", "Third typed");
    t.keys("main", &["Enter"]);
    let screen = t.wait_text(
        "main",
        &[
            "Changed on disk by another program",
            "1 of your entries re-added",
            "your version saved as",
            "Entries (4)",
        ],
    );
    assert!(!screen.contains("READ-ONLY"), "{screen}");
    let all = [
        "First typed",
        "Second typed",
        "Third typed",
        "Written by an editor",
    ];
    wait_entries(&file, &all);
    check_mine(&file, &["First typed", "Second typed", "Third typed"]);

    // After the reload the session goes on as before.
    commit(&t, "Fourth typed", 5);
    quit(&t);
    let s = read_json(&file);
    let have = entry_texts(&s);
    for w in all.iter().chain(&["Fourth typed"]) {
        assert_eq!(
            have.iter().filter(|h| h == w).count(),
            1,
            "{w:?} in {have:?}"
        );
    }
}

/// A rewrite the app cannot write back: it turns read-only, never
/// rewrites the file, keeps its version beside it and the typed text in
/// the draft.
fn never_rewritten(name: &str, spoil: impl FnOnce(&Path), banner: &str) {
    let Some(t) = Tmux::start(name) else {
        return;
    };
    let file = open_with_entries(&t, &["First typed", "Second typed"]);
    spoil(&file);
    let outside_bytes = std::fs::read(&file).expect("read");

    t.type_text("main", "Third typed");
    t.keys("main", &["Enter"]);
    t.wait_text("main", &["READ-ONLY", "not rewritten", banner]);
    check_mine(&file, &["First typed", "Second typed", "Third typed"]);

    // Typing goes on into the draft; Enter commits nothing.
    t.type_text("main", "Typed while read-only");
    t.keys("main", &["Enter"]);
    t.wait_text("main", &["Read-only:"]);
    let draft = sidecar(&file, "draft");
    let typed = poll(TIMEOUT, || {
        let d = std::fs::read(&draft).ok()?;
        let v: Value = serde_json::from_slice(&d).ok()?;
        let text = v["text"].as_str()?.to_string();
        text.contains("Typed while read-only").then_some(text)
    });
    assert!(typed.is_some(), "the draft never held the typed text");
    quit(&t);
    assert_eq!(
        std::fs::read(&file).expect("read"),
        outside_bytes,
        "the file was rewritten"
    );
    let d = read_json(&draft);
    assert!(
        d["text"]
            .as_str()
            .is_some_and(|s| s.contains("Typed while read-only")),
        "{d:#}"
    );
}

#[test]
fn a_schema_2_rewrite_turns_the_session_read_only() {
    never_rewritten(
        "outside-schema2",
        |file| {
            let mut v = read_json(file);
            v["schema_version"] = 2.into();
            v["added_by_v2"] = "something new".into();
            std::fs::write(file, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
        },
        "schema 2",
    );
}

#[test]
fn a_conflicted_file_turns_the_session_read_only() {
    never_rewritten(
        "outside-conflict",
        |file| {
            let text = std::fs::read_to_string(file).expect("read");
            let conflicted = text.replacen(
                "  \"title\"",
                "<<<<<<< HEAD\n  \"title\": \"Ours\",\n=======\n  \"title\": \"Theirs\",\n>>>>>>> origin/main\n  \"title\"",
                1,
            );
            assert_ne!(conflicted, text);
            std::fs::write(file, conflicted).expect("write");
        },
        "(conflict",
    );
}
