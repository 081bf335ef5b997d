//! The saver and another program writing the same session.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::*;
use crate::model::{Entry, Kind, Template};
use crate::store::saver::{Append, DraftOp, Job, Writer};
use crate::store::{Store, journal, load};

fn entry(text: &str) -> Entry {
    Entry::new(Kind::Note, text, None, Stamp::now())
}

/// A session on disk with one entry, and a writer that read it.
fn open(dir: &Path) -> (PathBuf, Session, Writer) {
    let mut s = Session::from_template(&Template::builtin(), Some("Outside"), Stamp::now());
    s.blocks[0].entries.push(entry("ours before"));
    let path = Store::new(dir).create(&s).expect("create");
    let w = Writer::resume(&path);
    (path, s, w)
}

fn snapshot(generation: u64, s: &Session) -> Job {
    Job {
        session: Some((generation, Box::new(s.clone()))),
        ..Job::default()
    }
}

fn texts(s: &Session) -> Vec<String> {
    let mut t: Vec<String> = s
        .blocks
        .iter()
        .flat_map(|b| b.entries.iter().map(|e| e.text.raw().to_string()))
        .collect();
    t.sort();
    t
}

/// What an editor does: read the file, change it, write it back.
fn edit_outside(path: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
    change(&mut v);
    let bytes = serde_json::to_vec_pretty(&v).expect("json");
    std::fs::write(path, bytes).expect("write");
}

fn add_outside_entry(v: &mut serde_json::Value, text: &str) {
    let e = serde_json::to_value(entry(text)).expect("entry");
    v["blocks"][0]["entries"]
        .as_array_mut()
        .expect("entries")
        .push(e);
}

fn mine_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".json.mine-"))
        .collect();
    v.sort();
    v
}

#[test]
fn our_own_saves_are_not_taken_for_another_programs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut s, mut w) = open(dir.path());
    for i in 0..3 {
        s.blocks[0].entries.push(entry(&format!("n{i}")));
        let r = w.execute(snapshot(i + 1, &s));
        assert_eq!(r.outside, None);
        assert_eq!(r.session, Some(Ok(i + 1)));
        let r = w.execute(Job {
            appends: vec![Append {
                generation: i + 10,
                at: Stamp::now(),
                op: journal::Op::Add {
                    block: s.blocks[1].id.clone(),
                    entry: entry(&format!("j{i}")),
                },
            }],
            ..Job::default()
        });
        assert_eq!(r.outside, None);
        assert_eq!(r.appended, Some(Ok(i + 10)));
    }
    assert!(mine_files(dir.path()).is_empty());
    // Each snapshot replaced the journal before it (this test's snapshots
    // do not hold the appended entries, as the app's would): the three
    // snapshot entries, the first, and the last append.
    assert_eq!(load(&path).expect("load").session.entry_count(), 5);
}

#[test]
fn an_outside_rewrite_is_reloaded_and_our_entries_put_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut s, mut w) = open(dir.path());
    s.blocks[0].entries.push(entry("ours saved"));
    assert_eq!(w.execute(snapshot(1, &s)).outside, None);
    edit_outside(&path, |v| add_outside_entry(v, "theirs"));
    let outside_bytes = std::fs::read(&path).expect("read");

    s.blocks[0].entries.push(entry("ours after"));
    let r = w.execute(snapshot(2, &s));
    let Some(Outside::Reloaded {
        session,
        readded,
        mine,
        epoch,
    }) = r.outside
    else {
        panic!("not reloaded: {r:?}");
    };
    assert_eq!(r.session, Some(Ok(2)));
    assert_eq!(readded, 1);
    let all = ["ours after", "ours before", "ours saved", "theirs"];
    assert_eq!(texts(&session), all);
    let on_disk = load(&path).expect("load").session;
    assert_eq!(texts(&on_disk), all);
    // Ours, whole, beside the file: private, never a `.json` name.
    let mine = mine.expect("mine saved");
    assert_eq!(mine_files(dir.path()), vec![mine.clone()]);
    assert!(!mine.to_string_lossy().ends_with(".json"));
    let mode = std::fs::metadata(&mine).expect("mine").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let ours: Session = serde_json::from_slice(&std::fs::read(&mine).expect("read")).expect("json");
    assert_eq!(texts(&ours), ["ours after", "ours before", "ours saved"]);
    assert_ne!(std::fs::read(&path).expect("read"), outside_bytes);

    // A snapshot the app made before it took the reload does not write
    // over the other program's entry.
    s.blocks[0].entries.push(entry("typed meanwhile"));
    let r = w.execute(snapshot(3, &s));
    assert_eq!(r.outside, None);
    assert_eq!(r.session, Some(Ok(3)));
    let on_disk = load(&path).expect("load").session;
    assert!(texts(&on_disk).contains(&"theirs".to_string()));
    assert!(texts(&on_disk).contains(&"typed meanwhile".to_string()));
    // Once the app has it, the app's word is the file's again: here it
    // deleted the other program's entry.
    let mut taken = load(&path).expect("load").session;
    for b in &mut taken.blocks {
        b.entries.retain(|e| e.text.raw() != "theirs");
    }
    let r = w.execute(Job {
        epoch: Some(epoch),
        ..snapshot(4, &taken)
    });
    assert_eq!(r.outside, None);
    assert!(!texts(&load(&path).expect("load").session).contains(&"theirs".to_string()));
    assert_eq!(mine_files(dir.path()).len(), 1, "no second copy");
}

#[test]
fn nothing_of_ours_missing_leaves_the_other_programs_file_as_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, s, mut w) = open(dir.path());
    edit_outside(&path, |v| add_outside_entry(v, "theirs"));
    let outside_bytes = std::fs::read(&path).expect("read");
    let r = w.execute(snapshot(1, &s));
    assert!(
        matches!(r.outside, Some(Outside::Reloaded { readded: 0, .. })),
        "{r:?}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), outside_bytes);
}

/// Shared by the schema-2 and the conflict cases: the file is never
/// written again, ours goes beside it, the draft is still saved.
fn never_rewritten(spoil: impl FnOnce(&Path)) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut s, mut w) = open(dir.path());
    spoil(&path);
    let outside_bytes = std::fs::read(&path).expect("read");
    s.blocks[0].entries.push(entry("ours after"));
    let mut job = snapshot(1, &s);
    job.appends.push(Append {
        generation: 2,
        at: Stamp::now(),
        op: journal::Op::Add {
            block: s.blocks[0].id.clone(),
            entry: entry("appended"),
        },
    });
    let r = w.execute(job);
    let Some(Outside::ReadOnly {
        mine, generation, ..
    }) = &r.outside
    else {
        panic!("not read-only: {r:?}");
    };
    assert_eq!(*generation, 1);
    assert_eq!(r.appended, None, "the app resends a snapshot instead");
    let mine = mine.clone().expect("mine");
    let ours: Session = serde_json::from_slice(&std::fs::read(&mine).expect("read")).expect("json");
    assert_eq!(texts(&ours), ["ours after", "ours before"]);
    // The app's next snapshot goes beside the file; the draft is saved.
    s.blocks[0].entries.push(entry("appended"));
    let draft = crate::model::Draft {
        session_id: s.id.clone(),
        entry_id: crate::model::new_id(),
        editing: false,
        kind: Kind::Note,
        text: "typed while read-only".into(),
        saved: Stamp::now(),
    };
    let r = w.execute(Job {
        draft: Some(DraftOp::Save(draft)),
        ..snapshot(2, &s)
    });
    assert_eq!(r.session, Some(Ok(2)));
    assert_eq!(r.draft, Some(Ok(())));
    let ours: Session = serde_json::from_slice(&std::fs::read(&mine).expect("read")).expect("json");
    assert_eq!(texts(&ours), ["appended", "ours after", "ours before"]);
    assert_eq!(mine_files(dir.path()), vec![mine]);
    assert_eq!(std::fs::read(&path).expect("read"), outside_bytes);
    assert!(!journal::journal_path(&path).exists(), "no journal written");
    assert_eq!(
        crate::store::load_draft(&path).expect("draft").text,
        "typed while read-only"
    );
}

#[test]
fn a_newer_schema_is_never_rewritten() {
    never_rewritten(|p| edit_outside(p, |v| v["schema_version"] = 2.into()));
}

#[test]
fn a_conflicted_file_is_never_rewritten() {
    never_rewritten(|p| {
        let text = std::fs::read_to_string(p).expect("read");
        let conflicted = text.replacen(
            "  \"title\"",
            "<<<<<<< HEAD\n  \"title\": \"Ours\",\n=======\n  \"title\": \"Theirs\",\n>>>>>>> origin/main\n  \"title\"",
            1,
        );
        assert_ne!(conflicted, text);
        std::fs::write(p, conflicted).expect("write");
    });
}

#[test]
fn appends_on_a_changed_file_ask_for_the_whole_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, s, mut w) = open(dir.path());
    edit_outside(&path, |v| {
        add_outside_entry(v, "theirs");
        // A newer writer counted its journal further than we did.
        v["journal_seq"] = 50.into();
    });
    let job = |g| Job {
        appends: vec![Append {
            generation: g,
            at: Stamp::now(),
            op: journal::Op::Add {
                block: s.blocks[0].id.clone(),
                entry: entry("appended"),
            },
        }],
        draft: Some(DraftOp::Clear),
        ..Job::default()
    };
    let r = w.execute(job(1));
    assert_eq!(r.outside, Some(Outside::Resend));
    assert_eq!((r.appended, r.draft), (None, None));
    assert!(!journal::journal_path(&path).exists());
    let mut ours = s.clone();
    ours.blocks[0].entries.push(entry("appended"));
    let r = w.execute(snapshot(2, &ours));
    let Some(Outside::Reloaded {
        readded: 1, epoch, ..
    }) = r.outside
    else {
        panic!("{r:?}");
    };
    // The journal goes on after the other writer's count: loading keeps it.
    let r = w.execute(Job {
        epoch: Some(epoch),
        ..job(3)
    });
    assert_eq!(r.appended, Some(Ok(3)));
    let loaded = load(&path).expect("load").session;
    assert_eq!(loaded.journal_seq, 51);
    assert_eq!(
        texts(&loaded),
        ["appended", "appended", "ours before", "theirs"]
    );
}

#[test]
fn a_write_between_our_rename_and_our_stat_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, s, mut w) = open(dir.path());
    edit_outside(&path, |v| add_outside_entry(v, "theirs"));
    // As if the editor's write had landed just after our rename of a
    // 1-byte file: the `stat` that follows sees theirs.
    w.adopt_written(1);
    let r = w.execute(snapshot(1, &s));
    assert!(matches!(r.outside, Some(Outside::Reloaded { .. })), "{r:?}");
    assert!(texts(&load(&path).expect("load").session).contains(&"theirs".to_string()));
}

/// Every file in `dir`, by name.
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_session_gone_with_its_folder_fails_to_save_until_the_folder_is_back() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("sessions");
    let (path, mut s, mut w) = open(&dir);
    s.blocks[0].entries.push(entry("saved before"));
    assert_eq!(w.execute(snapshot(1, &s)).session, Some(Ok(1)));
    let away = tmp.path().join("sessions.away");
    std::fs::rename(&dir, &away).expect("rename the folder away");
    let away_file = away.join(path.file_name().expect("name"));
    let before = std::fs::read(&away_file).expect("read");
    let files_before = names_in(&away);

    let gone = Err("the sessions folder is gone".to_string());
    s.blocks[0].entries.push(entry("typed while gone"));
    let r = w.execute(Job {
        draft: Some(DraftOp::Clear),
        ..snapshot(2, &s)
    });
    assert_eq!(r.outside, None, "not another program's change: {r:?}");
    assert_eq!(r.session, Some(gone.clone()));
    assert_eq!(
        r.draft,
        Some(Err("the sessions folder is gone".to_string()))
    );
    // Appends alone (a long session) fail the same way.
    let r = w.execute(Job {
        appends: vec![Append {
            generation: 3,
            at: Stamp::now(),
            op: journal::Op::Add {
                block: s.blocks[0].id.clone(),
                entry: entry("appended while gone"),
            },
        }],
        ..Job::default()
    });
    assert_eq!((r.outside, r.appended), (None, Some(gone.clone())));
    // An empty folder at its place (the mount point of an unmounted
    // stick) is not the folder: nothing goes into it.
    std::fs::create_dir(&dir).expect("mount point");
    let r = w.execute(snapshot(3, &s));
    assert_eq!((r.outside, r.session), (None, Some(gone)));
    assert!(names_in(&dir).is_empty(), "{:?}", names_in(&dir));
    std::fs::remove_dir(&dir).expect("unmount");
    assert_eq!(std::fs::read(&away_file).expect("read"), before);
    assert_eq!(names_in(&away), files_before, "nothing written meanwhile");

    // Back: the retry saves everything, and no copy is set aside.
    std::fs::rename(&away, &dir).expect("rename the folder back");
    let r = w.execute(snapshot(4, &s));
    assert_eq!((r.outside, r.session), (None, Some(Ok(4))));
    assert_eq!(
        texts(&load(&path).expect("load").session),
        ["ours before", "saved before", "typed while gone"]
    );
    assert!(mine_files(&dir).is_empty());
}

#[test]
fn a_file_removed_from_its_folder_is_not_recreated_and_ours_goes_beside_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut s, mut w) = open(dir.path());
    std::fs::remove_file(&path).expect("remove");
    s.blocks[0].entries.push(entry("typed after"));
    let r = w.execute(snapshot(1, &s));
    let Some(Outside::ReadOnly { why, mine, .. }) = &r.outside else {
        panic!("not read-only: {r:?}");
    };
    assert!(why.contains("removed"), "{why}");
    assert_eq!(r.session, Some(Ok(1)));
    let mine = mine.clone().expect("mine");
    s.blocks[0].entries.push(entry("typed later"));
    assert_eq!(w.execute(snapshot(2, &s)).session, Some(Ok(2)));
    let ours: Session = serde_json::from_slice(&std::fs::read(&mine).expect("read")).expect("json");
    assert_eq!(texts(&ours), ["ours before", "typed after", "typed later"]);
    assert!(!path.exists(), "recreated");
    assert_eq!(mine_files(dir.path()), vec![mine]);
}
