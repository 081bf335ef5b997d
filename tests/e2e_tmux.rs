//! End-to-end tests: the real binary in a real terminal (tmux), driven by
//! keystrokes, checked on the screen and in the files it writes.
//!
//! Each test has its own tmux server and sessions folder; see
//! `support/tmux.rs`. Without tmux the tests skip, except on CI
//! (`CI=true`), where they fail.

#[path = "support/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use serde_json::Value;
use tmux::{Tmux, kill9, poll, read_json, shell_quote, sidecar};

/// The editor's placeholder: on screen only while the editor is empty.
const PLACEHOLDER: &str = "Type what is said.";

fn entries(block: &Value) -> &Vec<Value> {
    block["entries"].as_array().expect("entries array")
}

fn block<'a>(session: &'a Value, id: &str) -> &'a Value {
    session["blocks"]
        .as_array()
        .expect("blocks array")
        .iter()
        .find(|b| b["id"] == id)
        .unwrap_or_else(|| panic!("no block {id:?} in {session:#}"))
}

/// Commits what is in the editor and waits until the entries list of the
/// current block holds `count` entries and shows `shown`.
fn commit(t: &Tmux, session: &str, count: usize, shown: &str) {
    t.keys(session, &["Enter"]);
    let title = format!("Entries ({count})");
    t.wait_text(session, &[&title, shown, PLACEHOLDER]);
}

#[test]
fn types_entries_steps_blocks_and_quits() {
    let Some(t) = Tmux::start("types") else {
        return;
    };
    let script = format!(
        "{} new --title E2E; echo EXITED:$?; sleep 60",
        shell_quote(tmux::bin())
    );
    t.spawn_shell("main", &script);
    t.wait_ready("main");

    // Block 1: a note and a recommendation with a speaker.
    t.type_text("main", "Opening remarks by the chair");
    commit(&t, "main", 1, "Opening remarks by the chair");
    t.type_text("main", "R: @МВД Предлагаем ратифицировать конвенцию");
    commit(&t, "main", 2, "МВД: Предлагаем ратифицировать конвенцию");

    // Block 2: a Kazakh question and a two-line note.
    t.keys("main", &["C-n"]);
    t.wait_text("main", &["Block 2 of 5", "Integration", "Entries (0)"]);
    t.type_text("main", "Q: Көші-қон заңы қашан қабылданады?");
    commit(&t, "main", 1, "Көші-қон заңы қашан қабылданады?");
    t.type_text("main", "First line of two");
    t.keys("main", &["M-Enter"]);
    t.type_text("main", "second line of two");
    // Both lines in the editor, nothing committed: Alt+Enter is a newline.
    t.wait_screen("main", "a two-line draft in the editor", |s| {
        s.contains("Entries (1)")
            && s.lines().any(|l| l.starts_with("│First line of two"))
            && s.lines().any(|l| l.starts_with("│second line of two"))
    });
    commit(&t, "main", 2, "second line of two");

    // Back to block 1, then quit.
    t.keys("main", &["C-p"]);
    t.wait_text("main", &["Block 1 of 5", "Entries (2)"]);
    t.keys("main", &["C-q"]);
    let screen = t.wait_text("main", &["EXITED:"]);
    assert!(
        screen.contains("EXITED:0"),
        "the app did not exit with 0:\n{screen}"
    );

    let file = t.session_file();
    let s = read_json(&file);
    assert_eq!(s["title"], "E2E");
    assert_eq!(s["current_block"], "rights", "current block after Ctrl+P");

    let rights = entries(block(&s, "rights"));
    assert_eq!(rights.len(), 2, "{rights:#?}");
    assert_eq!(rights[0]["kind"], "note");
    assert_eq!(rights[0]["text"], "Opening remarks by the chair");
    assert_eq!(rights[0]["speaker"], Value::Null);
    assert_eq!(rights[1]["kind"], "recommendation");
    assert_eq!(rights[1]["speaker"], "МВД");
    assert_eq!(rights[1]["text"], "Предлагаем ратифицировать конвенцию");

    let integration = entries(block(&s, "integration"));
    assert_eq!(integration.len(), 2, "{integration:#?}");
    assert_eq!(integration[0]["kind"], "question");
    assert_eq!(integration[0]["text"], "Көші-қон заңы қашан қабылданады?");
    assert_eq!(integration[1]["kind"], "note");
    assert_eq!(
        integration[1]["text"],
        "First line of two\nsecond line of two"
    );

    // Every block visited has runs, and quitting closed them all; the
    // blocks never visited have none.
    for (id, visited) in [
        ("rights", true),
        ("integration", true),
        ("social-protection", false),
        ("residence", false),
        ("deportation", false),
    ] {
        let b = block(&s, id);
        let runs = b["runs"].as_array().expect("runs array");
        assert_eq!(!runs.is_empty(), visited, "runs of {id}: {runs:#?}");
        for r in runs {
            assert!(r["start"].is_string(), "run of {id} without start: {r}");
            assert!(r["end"].is_string(), "run of {id} left open: {r}");
        }
        assert!(
            b["spent_seconds"].as_i64().is_some_and(|n| n >= 0),
            "{id}: {b:#}"
        );
    }
    assert_eq!(
        block(&s, "integration")["runs"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(
        !sidecar(&file, "draft").exists(),
        "a draft file outlived a clean quit with an empty editor"
    );
}

#[test]
fn kill_after_enter_keeps_the_entry() {
    let Some(t) = Tmux::start("kill") else { return };
    t.spawn("main", &["new", "--title", "Kill"]);
    t.wait_ready("main");
    let pid = t.pane_pid("main");
    let text = "Survives the kill: пункт 7";
    t.type_text("main", text);
    t.keys("main", &["Enter"]);
    t.wait_screen("main", "the entry listed and saved", |s| {
        s.contains("Entries (1)")
            && s.contains(text)
            && s.contains(PLACEHOLDER)
            && s.contains("✓ saved")
    });
    kill9(pid);

    let s = read_json(&t.session_file());
    let rights = entries(block(&s, "rights"));
    assert_eq!(rights.len(), 1, "{rights:#?}");
    assert_eq!(rights[0]["text"], text);
    assert_eq!(rights[0]["kind"], "note");
}

/// Once the capture screen shows, the first block's clock runs: its open
/// run is on disk (saved at once, so a crash still knows when it began).
#[test]
fn capture_starts_the_first_blocks_clock() {
    let Some(t) = Tmux::start("clock") else {
        return;
    };
    t.spawn("main", &["new", "--title", "Clock"]);
    t.wait_ready("main");
    let file = t.session_file();
    let mut last = Value::Null;
    let running = poll(Duration::from_secs(5), || {
        last = read_json(&file);
        let runs = block(&last, "rights")["runs"].as_array()?.clone();
        (runs.len() == 1 && runs[0]["end"].is_null()).then_some(())
    });
    assert!(
        running.is_some(),
        "block 1 has no open run 5 s after the capture screen showed: {:#}\n{}",
        block(&last, "rights")["runs"],
        t.screen("main")
    );
    // And the header's timer moves.
    t.wait_text("main", &["00:01 / 45:00"]);
}

#[test]
fn draft_survives_kill() {
    let Some(t) = Tmux::start("draft") else {
        return;
    };
    t.spawn("main", &["new", "--title", "Draft"]);
    t.wait_ready("main");
    let pid = t.pane_pid("main");
    let file = t.session_file();
    let id = t.session_id();
    let draft_file = sidecar(&file, "draft");

    let text = "Черновик без Enter, draft 3";
    t.type_text("main", text);
    let saved = poll(Duration::from_secs(5), || {
        let bytes = std::fs::read(&draft_file).ok()?;
        let v: Value = serde_json::from_slice(&bytes).ok()?;
        (v["text"] == text).then_some(v)
    })
    .unwrap_or_else(|| {
        panic!(
            "the draft file {} never held {text:?}; it holds {:?}; screen:\n{}",
            draft_file.display(),
            std::fs::read_to_string(&draft_file),
            t.screen("main")
        )
    });
    assert_eq!(saved["session_id"], id.as_str());
    kill9(pid);

    t.spawn("again", &["open", &id]);
    // The footer's notice is drawn last: once it is there, so is the rest.
    let screen = t.wait_text(
        "again",
        &[
            "Block 1 of 5",
            text,
            "Your unsent draft is back in the editor.",
        ],
    );
    let editor_line = screen
        .lines()
        .find(|l| l.contains(text))
        .expect("the draft line");
    assert!(
        editor_line.starts_with('│') && editor_line.trim_end().ends_with('│'),
        "the draft is not in the editor: {editor_line:?}\n{screen}"
    );
    assert!(
        screen.contains("Entries (0)"),
        "the draft was committed:\n{screen}"
    );
}

/// Closing the terminal (here: killing the tmux server) right after some
/// typing makes the app save what it has, release the lock and exit.
#[test]
fn closing_the_terminal_after_typing_exits_and_releases_the_lock() {
    let Some(t) = Tmux::start("hangup") else {
        return;
    };
    t.spawn("main", &["new", "--title", "Hangup"]);
    t.wait_ready("main");
    let pid = t.pane_pid("main");
    let id = t.session_id();
    t.type_text("main", "typed just before the terminal closed");
    t.kill_server();
    if !tmux::wait_for(|| !tmux::alive(pid), Duration::from_secs(5)) {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or("?")
            .to_string();
        kill9(pid);
        panic!(
            "the app (pid {pid}) was still running 5 s after its terminal closed \
             (process state {state}; R = spinning)"
        );
    }
    // Its lock is gone: a new instance may write.
    t.spawn("again", &["open", &id]);
    t.wait_text("again", &["Block 1 of 5", "✓ saved"]);
    let screen = t.stable_screen("again");
    assert!(!screen.contains("READ-ONLY"), "{screen}");
}

#[test]
fn second_instance_opens_read_only() {
    let Some(t) = Tmux::start("readonly") else {
        return;
    };
    t.spawn("main", &["new", "--title", "Shared"]);
    t.wait_ready("main");
    let holder = t.pane_pid("main");
    let id = t.session_id();

    t.spawn("second", &["open", &id]);
    let pid_text = format!("pid {holder}");
    let screen = t.wait_text("second", &["Block 1 of 5", "READ-ONLY", &pid_text]);
    assert!(
        screen.contains("open in another rapporteur"),
        "the read-only reason is missing:\n{screen}"
    );
    // The holder itself stays writable.
    let first = t.screen("main");
    assert!(
        !first.contains("READ-ONLY"),
        "the first instance turned read-only:\n{first}"
    );

    // Committing from the read-only instance is refused and says why.
    t.type_text("second", "not allowed here");
    t.keys("second", &["Enter"]);
    t.wait_text("second", &["Read-only:", "Entries (0)"]);
    let s = read_json(&t.session_file());
    assert!(entries(block(&s, "rights")).is_empty(), "{s:#}");
}

/// F1 on the capture screen: the overlay names Ctrl+N and Alt+Enter with
/// what they do; Escape closes it.
#[test]
fn help_overlay_lists_keys() {
    let Some(t) = Tmux::start("help") else { return };
    t.spawn("main", &["new", "--title", "Help"]);
    t.wait_ready("main");
    t.keys("main", &["F1"]);
    // "Ctrl+N" alone is also in the footer; its help text is only in the
    // overlay, as is Alt+Enter's.
    t.wait_screen("main", "the help overlay with Ctrl+N and Alt+Enter", |s| {
        s.contains(" Keys ")
            && s.lines()
                .any(|l| l.contains("Ctrl+N") && l.contains("next block"))
            && s.lines()
                .any(|l| l.contains("Alt+Enter") && l.contains("line break inside the entry"))
    });
    t.keys("main", &["Escape"]);
    t.wait_screen("main", "the overlay to close", |s| {
        !s.contains("line break inside the entry")
            && !s.contains("Esc or F1 closes")
            && s.contains("Block 1 of 5")
            && s.contains(PLACEHOLDER)
    });
}

#[test]
fn cursor_in_right_column_with_wide_text() {
    let Some(t) = Tmux::start("cursor") else {
        return;
    };
    t.spawn("main", &["new", "--title", "Cursor"]);
    t.wait_ready("main");
    let text = "日本語 қазақ";
    t.type_text("main", text);
    let screen = t.wait_text("main", &[&format!("│{text}")]);
    // Display width: 3 wide characters (6) + space (1) + 5 narrow = 12,
    // after the editor's left border in column 0.
    let want = (13.to_string(), (tmux::ROWS - 3).to_string());
    let mut last = (String::new(), String::new());
    let ok = tmux::wait_for(
        || {
            last = (
                t.display("main", "#{cursor_x}"),
                t.display("main", "#{cursor_y}"),
            );
            last == want
        },
        Duration::from_secs(3),
    );
    assert!(
        ok,
        "cursor (x, y) is {last:?}, want {want:?} (right after {text:?}); screen:\n{screen}"
    );
}

#[test]
fn keystrokes_show_without_waiting_for_a_timer() {
    let Some(t) = Tmux::start("latency") else {
        return;
    };
    t.spawn("main", &["new", "--title", "Latency"]);
    t.wait_ready("main");
    let mut slowest = Duration::ZERO;
    for i in 0..6 {
        let marker = format!("k{i}x");
        let start = Instant::now();
        t.type_text("main", &marker);
        t.wait_text("main", &[&marker]);
        slowest = slowest.max(start.elapsed());
    }
    assert!(
        slowest < Duration::from_millis(250),
        "a keystroke took {slowest:?} to reach the screen (limit 250 ms)"
    );
}

/// On a classic 80x24 terminal every key in the overlay can be seen,
/// scrolling (when the overlay offers it) as far as needed.
#[test]
fn help_overlay_reaches_every_key_on_80x24() {
    let Some(t) = Tmux::start("help80") else {
        return;
    };
    t.spawn_sized("main", 80, 24, &["new", "--title", "Help"]);
    t.wait_ready("main");
    t.keys("main", &["F1"]);
    let wanted = [
        "Ctrl+N",
        "Ctrl+Q",
        "save and quit",
        "this help",
        "Markers at the start of an entry",
        "#tag",
    ];
    t.wait_text("main", &[" Keys ", "closes"]);
    let mut screen = t.stable_screen("main");
    let mut seen = screen.clone();
    for _ in 0..20 {
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|w| !seen.contains(w))
            .collect();
        if missing.is_empty() {
            return;
        }
        assert!(
            screen.contains("scroll"),
            "{missing:?} not in the help overlay, which offers no scrolling:\n{screen}"
        );
        let before = screen.clone();
        t.keys("main", &["PageDown"]);
        t.wait_screen(
            "main",
            &format!("the overlay to scroll on to {missing:?}"),
            |s| s != before,
        );
        screen = t.stable_screen("main");
        seen.push_str(&screen);
    }
    panic!("the overlay scrolled 20 pages without showing every key:\n{seen}");
}

/// User plus system CPU time of `pid` so far, from `/proc/PID/stat`.
fn cpu_time(pid: i32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/stat: {e}"));
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    // After the name: state is field 3, utime and stime fields 14 and 15.
    let field = |n: usize| -> u64 {
        rest.split_whitespace()
            .nth(n - 3)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no field {n} in {stat:?}"))
    };
    // SAFETY: sysconf has no memory effects.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis((field(14) + field(15)) * 1000 / ticks)
}

/// The room view after the session file changed once: it shows the change
/// and then sits idle (it used to re-read the file on the watcher's own
/// open/close events, for ever, at more than a core).
#[test]
fn present_is_idle_after_the_file_changed() {
    let Some(t) = Tmux::start("present") else {
        return;
    };
    let out = std::process::Command::new(tmux::bin())
        .args(["new", "--no-open", "--title", "Room"])
        .env("RAPPORTEUR_SESSIONS_DIR", t.sessions_dir())
        .output()
        .expect("run new");
    assert!(out.status.success(), "new: {out:?}");
    let id = t.session_id();
    t.spawn("room", &["present", &id]);
    t.wait_text("room", &["Room"]);
    let pid = t.pane_pid("room");
    let out = std::process::Command::new(tmux::bin())
        .args([
            "note",
            &id,
            "a change the room view must show",
            "--kind",
            "recommendation",
        ])
        .env("RAPPORTEUR_SESSIONS_DIR", t.sessions_dir())
        .output()
        .expect("run note");
    assert!(out.status.success(), "note: {out:?}");
    t.wait_text("room", &["a change the room view must show"]);
    // A resource measurement, not a wait for a state: the window is the
    // point, so it is slept through.
    let window = Duration::from_secs(2);
    let (before, started) = (cpu_time(pid), Instant::now());
    std::thread::sleep(window);
    let used = cpu_time(pid) - before;
    let share = used.as_secs_f64() / started.elapsed().as_secs_f64();
    eprintln!("present used {used:?} of CPU in {:?}", started.elapsed());
    assert!(
        share < 0.10,
        "present used {:.0} % of a core for {window:?} after one change",
        share * 100.0
    );
}

/// A paste whose text holds the paste's end marker: what follows the
/// marker arrives as keys, and it is still text (Enter a line break),
/// never commands: nothing is committed.
#[test]
fn a_paste_holding_the_end_marker_commits_nothing() {
    let Some(t) = Tmux::start("pastemarker") else {
        return;
    };
    t.spawn("main", &["new", "--title", "Paste"]);
    t.wait_ready("main");
    t.run(&[
        "set-buffer",
        "-b",
        "hostile",
        "pasted first\x1b[201~then text\rmore after Enter",
    ]);
    t.run(&["paste-buffer", "-p", "-d", "-b", "hostile", "-t", "main"]);
    let screen = t.wait_text("main", &["more after Enter"]);
    assert!(
        screen.contains("Entries (0)")
            && screen
                .lines()
                .any(|l| l.starts_with("│pasted firstthen text"))
            && screen.lines().any(|l| l.starts_with("│more after Enter")),
        "the paste committed an entry or lost text:\n{screen}"
    );
    // Still nothing committed once the app has saved.
    let s = t.stable_screen("main");
    assert!(s.contains("Entries (0)"), "{s}");
    let v = read_json(&t.session_file());
    let committed: usize = v["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| entries(b).len())
        .sum();
    assert_eq!(committed, 0, "{v:#}");
}

/// The same on the home screen: an Enter behind a paste's end marker is
/// part of the paste, and does not open the selected session.
#[test]
fn a_paste_holding_the_end_marker_opens_nothing_on_the_home_screen() {
    let Some(t) = Tmux::start("pastehome") else {
        return;
    };
    let out = std::process::Command::new(tmux::bin())
        .args(["new", "--no-open", "--title", "Home paste"])
        .env("RAPPORTEUR_SESSIONS_DIR", t.sessions_dir())
        .output()
        .expect("run new");
    assert!(out.status.success(), "new: {out:?}");
    t.spawn("main", &[]);
    t.wait_text("main", &["Home paste"]);
    t.run(&["set-buffer", "-b", "hostile", "words\x1b[201~\r"]);
    t.run(&["paste-buffer", "-p", "-d", "-b", "hostile", "-t", "main"]);
    // F1 after the paste: its overlay shows once the paste was handled.
    // An F1 that comes within the paste's 10 ms tail is part of it (and
    // dropped, as a key that is not text): press again after a while.
    let mut screen = String::new();
    let shown = (0..5).any(|_| {
        t.keys("main", &["F1"]);
        tmux::wait_for(
            || {
                screen = t.screen("main");
                screen.contains(" Keys ") || screen.contains(tmux::CAPTURE_READY)
            },
            Duration::from_millis(500),
        )
    });
    assert!(shown, "no help overlay after the paste:\n{screen}");
    assert!(
        !screen.contains(tmux::CAPTURE_READY),
        "the paste opened the session:\n{screen}"
    );
}
