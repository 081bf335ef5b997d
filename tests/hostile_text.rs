//! Hostile text: a session whose every field, and whose file name, holds
//! terminal escape sequences (OSC title and clipboard writes, OSC 8
//! links, CSI clears and cursor moves, DCS), every C0 control, DEL, the
//! C1 controls as UTF-8, Trojan Source bidi overrides, zero-width
//! joiners, 10,000 combining marks on one letter and a 100,000-character
//! line. The real app shows it on every screen in a pseudo-terminal, and
//! every byte it writes is parsed as a terminal would: nothing from the
//! file may reach the terminal as a control, the rapporteur must still
//! see that something odd is there (␛, ⍰ and the other control
//! pictures), nothing may panic, and the columns must stay aligned.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/tmux.rs"]
mod tmux;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pty::{Pty, Screen, Vt};
use serde_json::{Value, json};

/// The hostile session's id: plain, so that commands can name it.
const ID: &str = "hostile001";
/// A word in every hostile field, for the search.
const WORD: &str = "zebraword";
/// The session's file name: an OSC title change, a CSI clear and a bidi
/// override inside it.
const SESSION_NAME: &str = "2024-05-01-evil\u{1b}]0;pwned\u{7}-\u{1b}[2J-\u{202e}nosj.json";
/// An unreadable file with an OSC, an ST and a bidi isolate in its name.
const BAD_NAME: &str = "2024-05-02-broken\u{1b}]2;pwned\u{1b}\\-\u{2066}x.json";

/// What a fixture holds besides the hostile session.
#[derive(Clone, Copy)]
struct Variant {
    /// An unsent hostile draft beside the session.
    draft: bool,
    /// U+200D outside an emoji sequence ("a\u{200d}b").
    lone_zwj: bool,
}

const FULL: Variant = Variant {
    draft: true,
    lone_zwj: true,
};

/// The hostile pieces in one string, with `field` (which says where it
/// is) and [`WORD`] inside. A C1 CSI, a right-to-left override, an emoji
/// joined with a ZWJ and a letter under 10,000 combining marks come
/// first, so that views cut to a few columns (the agenda) show them too.
fn hostile_as(field: &str, v: Variant) -> String {
    let mut s = String::from("\u{9b}\u{202e}👩\u{200d}💻e");
    s.push_str(&"\u{301}".repeat(10_000));
    s.push_str(" \x1b]0;pwned\x07 \u{2028}\u{2029} ");
    s.push_str(&format!("{field} {WORD} "));
    s.push_str("\u{9b}2J\u{9d}0;c1\u{7} \u{202e}evil\u{2066}\u{2067}\u{2068}\u{2069} ");
    if v.lone_zwj {
        s.push_str("a\u{200d}b ");
    }
    s.push_str("\x1b]0;pwned\x07\x1b]2;pwned\x1b\\\x1b]52;c;cHduZWQ=\x07");
    s.push_str("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\");
    s.push_str("\x1b[2J\x1b[H\x1b[10;10H\x1bP1$qm\x1b\\");
    for b in 0u32..0x20 {
        s.push(char::from_u32(b).expect("C0"));
    }
    s.push('\x7f');
    for c in 0x80u32..=0x9f {
        s.push(char::from_u32(c).expect("C1"));
    }
    s.push_str(" end-of-controls ");
    // One line of 100,000 characters.
    s.push_str(&"long-line-".repeat(10_000));
    s
}

fn entry(h: &dyn Fn(&str) -> String, id: &str, kind: &str, tag: &str, rec: bool) -> Value {
    let mut e = json!({
        "id": id,
        "kind": kind,
        "text": h(&format!("{tag}-text")),
        "speaker": h(&format!("{tag}-speaker")),
        "tags": [h(&format!("{tag}-tag"))],
        "created": "2024-05-01T09:10:00+00:00",
        "edited": null,
    });
    if rec {
        e["addressee"] = json!(h(&format!("{tag}-addressee")));
        e["reference"] = json!(h(&format!("{tag}-reference")));
        e["status"] = json!("supported");
    }
    e
}

/// A running session, hostile everywhere. The blocks are planned long
/// (ten hours) and have not run, so no overrun bell rings: any BEL in the
/// output came from the file.
fn hostile_session(v: Variant) -> Value {
    let h = |field: &str| hostile_as(field, v);
    json!({
        "schema_version": 1,
        "id": ID,
        "title": h("title"),
        "date": "2024-05-01",
        "location": h("location"),
        "organizers": [h("organizer-1"), h("organizer-2")],
        "facilitator": h("facilitator"),
        "rapporteur": h("rapporteur"),
        "participants": [
            {"name": h("participant-name"), "organization": h("participant-org")},
            {"name": "", "organization": h("org-alone")},
        ],
        "themes": [h("theme")],
        "created": "2024-05-01T09:00:00+00:00",
        "updated": "2024-05-01T09:30:00+00:00",
        "current_block": "b1",
        "blocks": [
            {
                "id": "b1",
                "title": h("block-1-title"),
                "planned_minutes": 600,
                "guiding_questions": [h("question-1"), h("question-2")],
                "runs": [],
                "spent_seconds": 0,
                "entries": [
                    entry(&h, "e1rec", "recommendation", "rec", true),
                    entry(&h, "e2note", "note", "note", false),
                ],
            },
            {
                "id": "b2",
                "title": h("block-2-title"),
                "planned_minutes": 600,
                "guiding_questions": [h("question-3")],
                "runs": [],
                "spent_seconds": 0,
                "entries": [entry(&h, "e3q", "question", "question", false)],
            },
        ],
    })
}

/// A private home and sessions folder with the hostile session (under
/// its hostile name) and an unreadable file with a hostile name.
struct Fixture {
    _tmp: Option<tempfile::TempDir>,
    home: PathBuf,
    dir: PathBuf,
    session: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::variant(FULL)
    }

    fn variant(v: Variant) -> Fixture {
        let tmp = tempfile::Builder::new()
            .prefix("rapporteur-hostile-")
            .tempdir()
            .expect("temporary folder");
        let home = tmp.path().to_path_buf();
        let dir = home.join("sessions");
        fs::create_dir(&dir).expect("sessions folder");
        let mut f = Fixture::fill(home, dir, v);
        f._tmp = Some(tmp);
        f
    }

    /// Writes the files into `dir` (which exists).
    fn fill(home: PathBuf, dir: PathBuf, v: Variant) -> Fixture {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
        let session = dir.join(SESSION_NAME);
        let mut bytes = serde_json::to_vec_pretty(&hostile_session(v)).expect("JSON");
        bytes.push(b'\n');
        fs::write(&session, &bytes).expect("write the hostile session");
        fs::set_permissions(&session, fs::Permissions::from_mode(0o600)).expect("chmod");
        // An unsent draft: the editor shows it, with its speaker in the
        // editor's title.
        let draft = json!({
            "session_id": ID,
            "entry_id": "draft00001",
            "editing": false,
            "kind": "recommendation",
            "text": format!("@{}", hostile_as("draft", v)),
            "saved": "2024-05-01T09:30:00+00:00",
        });
        if v.draft {
            let draft_path = dir.join(format!(".{SESSION_NAME}.draft"));
            fs::write(&draft_path, serde_json::to_vec(&draft).expect("JSON"))
                .expect("write the draft");
            fs::set_permissions(&draft_path, fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        let bad = dir.join(BAD_NAME);
        // Raw controls inside a JSON string: not JSON.
        let mut broken =
            b"{\n  \"schema_version\": 1,\n  \"id\": \"bad\x1b]0;pwned\x07\x1b[2J".to_vec();
        broken.extend_from_slice("\u{202e}\u{9b}\"\n}\n".as_bytes());
        fs::write(&bad, broken).expect("write the broken file");
        fs::set_permissions(&bad, fs::Permissions::from_mode(0o600)).expect("chmod");
        Fixture {
            _tmp: None,
            home,
            dir,
            session,
        }
    }

    fn args<'a>(&'a self, rest: &[&'a str]) -> Vec<&'a str> {
        let mut v = vec![
            "--sessions-dir",
            self.dir.to_str().expect("UTF-8 temp path"),
        ];
        v.extend_from_slice(rest);
        v
    }

    fn spawn(&self, rest: &[&str]) -> Pty {
        Pty::spawn(&self.home, &self.args(rest))
    }
}

/// The hostile byte sequences themselves: none may be in the output, in
/// 7-bit (ESC) or in 8-bit (C1 as UTF-8) form.
const FORBIDDEN: &[&[u8]] = &[
    b"\x1b]0;pwned",
    b"\x1b]2;pwned",
    b"\x1b]52;",
    b"\x1b]8;;",
    b"\x1bP1$q",
    b"\xc2\x9d0;",
    b"\xc2\x9b2J",
    b"\xc2\x9b",
    b"\xc2\x9d",
    b"\x07",
    // U+2028, U+2029, U+202E and U+2066..U+2069.
    b"\xe2\x80\xa8",
    b"\xe2\x80\xa9",
    b"\xe2\x80\xae",
    b"\xe2\x81\xa6",
    b"\xe2\x81\xa7",
    b"\xe2\x81\xa8",
    b"\xe2\x81\xa9",
];

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parses everything an interactive run wrote and fails on anything a
/// terminal would act on that the app itself does not send.
fn assert_terminal_safe(what: &str, bytes: &[u8]) -> Vt {
    let vt = Vt::parse_all(bytes, pty::COLS, pty::ROWS);
    assert!(
        vt.violation_count == 0,
        "{what}: the output drives the terminal: {}",
        pty::describe(&vt, bytes)
    );
    for f in FORBIDDEN {
        if let Some(at) = find(bytes, f) {
            let from = at.saturating_sub(40);
            let to = (at + 40).min(bytes.len());
            panic!(
                "{what}: the output holds {:?} at byte {at}: {:?}",
                String::from_utf8_lossy(f),
                String::from_utf8_lossy(&bytes[from..to])
            );
        }
    }
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !text.contains("panicked"),
        "{what}: the app panicked:\n{}",
        tail(&text)
    );
    vt
}

/// Plain output of a command (a pipe, not a terminal): no escape
/// sequence at all, no control but line feed and tab.
fn assert_plain_safe(what: &str, bytes: &[u8]) {
    let vt = Vt::parse_all(bytes, 200, 50);
    let mut problems: Vec<String> = vt
        .violations
        .iter()
        .filter(|v| v.what != "C0 control 0x09")
        .map(|v| format!("{} at {}", v.what, v.at))
        .collect();
    if !vt.sequences.is_empty() {
        problems.push(format!("escape sequences: {:?}", vt.sequences));
    }
    for f in FORBIDDEN {
        if let Some(at) = find(bytes, f) {
            problems.push(format!("{:?} at {at}", String::from_utf8_lossy(f)));
        }
    }
    if let Some(at) = bytes.iter().position(|&b| b == b'\r') {
        problems.push(format!("carriage return at {at}"));
    }
    assert!(
        problems.is_empty(),
        "{what}: {problems:#?}\noutput starts: {:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(600)])
    );
}

fn tail(s: &str) -> &str {
    let mut start = s.len().saturating_sub(3000);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// The rapporteur must see that something odd is there: waits (the
/// frame may still be on its way) until the screen shows every needle.
fn assert_placeholders(what: &str, p: &Pty, needles: &[&str]) {
    let mut last = Screen::default();
    let found = pty::poll(KEY_TIMEOUT, || {
        last = p.screen();
        let text = last.text();
        needles.iter().all(|n| text.contains(n)).then_some(())
    });
    if found.is_none() {
        let text = last.text();
        let missing: Vec<&&str> = needles.iter().filter(|n| !text.contains(**n)).collect();
        panic!("{what}: {missing:?} not on screen:\n{}", last.shown());
    }
}

/// How long one key's effect may take to show: a frame full of hostile
/// text is slow to draw in a debug build on a busy machine.
const KEY_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends a key once the screen is quiet, and waits until the app has
/// drawn its effect: anything on the screen (text, style or cursor)
/// changes. The app draws once per burst of keys, so without this wait
/// a screen could be skipped. Not for screens with a running clock, nor
/// for Esc (which must be seen alone, or it becomes Alt+ the next key):
/// use [`key_until`] there.
fn key(p: &Pty, bytes: &str) -> Screen {
    let before = p.settle(Duration::from_millis(80));
    p.send(bytes);
    p.wait_screen_for(&format!("the effect of {bytes:?}"), KEY_TIMEOUT, |s| {
        *s != before
    })
}

/// Sends a key and waits until the screen satisfies `pred`.
fn key_until(p: &Pty, bytes: &str, what: &str, pred: impl Fn(&Screen) -> bool) -> Screen {
    p.send(bytes);
    p.wait_screen_for(what, KEY_TIMEOUT, pred)
}

/// Whether the screen shows `needle`.
fn shows(needle: &'static str) -> impl Fn(&Screen) -> bool {
    move |s| s.contains(needle)
}

/// Whether the screen no longer shows `needle`.
fn hides(needle: &'static str) -> impl Fn(&Screen) -> bool {
    move |s| !s.contains(needle)
}

/// Ctrl+Q (or `q`) and a clean exit.
fn quit(p: &mut Pty, keys: &str, what: &str) {
    p.send(keys);
    let status = p.wait_exit(Duration::from_secs(20));
    assert!(
        status.success(),
        "{what}: the app exited with {status:?}:\n{}",
        tail(&p.output_text())
    );
}

const F1: &str = "\x1bOP";
const F2: &str = "\x1bOQ";
const TAB: &str = "\t";
const ESC: &str = "\x1b";
const CTRL_E: &str = "\x05";
const CTRL_Q: &str = "\x11";
const HOME: &str = "\x1b[H";
/// Ctrl+Alt+↑: the first line of a text box.
const TOP: &str = "\x1b[1;7A";

/// The capture screen is up, with the hostile draft back in the editor.
const CAPTURE_READY: [&str; 3] = [
    "Block 1 of 2",
    "Entries (2)",
    "Your unsent draft is back in the editor.",
];

/// The capture screen (header, agenda, guiding questions, entries and
/// the restored hostile draft in the editor), the entries, review with
/// the recommendations pane and its edit boxes, setup with every field
/// and edit box, and help.
#[test]
fn capture_review_setup_and_help_show_hostile_text_as_text() {
    let f = Fixture::new();
    let mut p = f.spawn(&["open", ID]);
    let start = Instant::now();
    p.wait_text(&CAPTURE_READY);
    eprintln!("capture screen drawn after {:?}", start.elapsed());
    // The file's escape sequences are there as text: ␛ then the rest.
    assert_placeholders(
        "capture",
        &p,
        &[
            "␛]0;pwned␇",
            "⍰⍰👩",
            "title",
            "block-1-title",
            "question-1",
            "␀␁␂",
            "@⍰⍰👩",
        ],
    );

    // Esc: the entries have the focus.
    p.send(ESC);
    p.wait_text(&["↑↓ select", "e edit"]);
    assert_placeholders("entries", &p, &["␛", "⍰"]);
    // ↑: the recommendation; i: back to the editor.
    key_until(&p, "\x1b[A", "the recommendation selected", shows("REC"));
    key_until(&p, "i", "the editor focused", shows("Esc entries"));

    // F2: review, with the recommendations pane beside the entries.
    p.send(F2);
    p.wait_text(&["Review", "Tab recommendations"]);
    assert_placeholders("review", &p, &["⍰", "␛", "rec-speaker"]);
    p.send(TAB);
    p.wait_text(&["a addressee"]);
    assert_placeholders("recommendations pane", &p, &["⍰"]);
    p.send("a");
    p.wait_text(&["(addressee)", "Enter saves · Esc cancels"]);
    key_until(&p, ESC, "the addressee box closed", hides("(addressee)"));
    p.send("r");
    p.wait_text(&["Reference (", "Enter saves · Esc cancels"]);
    key_until(&p, ESC, "the reference box closed", hides("Reference ("));
    p.send(TAB);
    p.wait_text(&["Tab recommendations"]);
    // e would bring the entry into the editor, which holds the draft.
    p.send("e");
    p.wait_text(&["Commit or clear the draft"]);
    // Back to capture.
    p.send("c");
    p.wait_text(&["Block 1 of 2", "Ctrl+N/P block"]);

    // Ctrl+E: setup. It opens on Start; Tab goes round every field.
    p.send(CTRL_E);
    p.wait_text(&["Session setup", "Participants (2)"]);
    assert_placeholders("setup", &p, &["⍰", "location", "participant-name"]);
    for n in 1..=12 {
        key(&p, TAB);
        match n {
            // Participants: Enter edits the selected row; Esc cancels.
            7 => {
                let editing = "the participant row open for editing";
                key_until(&p, "\r", editing, hides("participant-name"));
                let closed = "the participant row closed";
                key_until(&p, ESC, closed, shows("participant-name"));
            }
            // Agenda: q edits the block's guiding questions.
            8 => {
                let open = "the guiding questions box";
                key_until(&p, "q", open, shows("Guiding questions"));
                let closed = "the guiding questions box closed";
                key_until(&p, ESC, closed, hides("Guiding questions"));
            }
            _ => {}
        }
    }
    // Esc on Start: back to the capture screen; F1: help.
    p.send(ESC);
    p.wait_text(&["Block 1 of 2", "Ctrl+N/P block"]);
    p.send(F1);
    p.wait_text(&[" Keys "]);
    key_until(&p, ESC, "help closed", hides(" Keys "));
    quit(&mut p, CTRL_Q, "open");

    let out = p.output();
    eprintln!("{} bytes of output in {:?}", out.len(), start.elapsed());
    let vt = assert_terminal_safe("open: capture, entries, review, setup, help", &out);
    eprintln!("sequences used: {:?}", vt.sequences);
}

/// Each edit box that starts with the file's text (setup's detail
/// fields, a participant row, the guiding questions, review's addressee,
/// reference and entry edit, the capture editor), one at a time, with
/// the cursor moved to the start of the text, so a failure names the box.
#[test]
fn edit_boxes_show_hostile_text_as_text() {
    // No draft: an entry can only be edited with an empty editor.
    let f = Fixture::variant(Variant {
        draft: false,
        lone_zwj: true,
    });
    let mut failures = Vec::new();
    // (what, keys to reach it from the capture screen, text that shows it)
    let setup_to = |n: usize| -> Vec<&str> {
        let mut v = vec![CTRL_E];
        v.extend(std::iter::repeat_n(TAB, n));
        v
    };
    let with = |mut v: Vec<&'static str>, k: &'static str| {
        v.push(k);
        v
    };
    let boxes: Vec<(&str, Vec<&str>, &str)> = vec![
        ("setup: Title field", setup_to(1), "Session setup"),
        ("setup: Place field", setup_to(3), "Session setup"),
        ("setup: Organizers field", setup_to(4), "Session setup"),
        (
            "setup: participant row",
            with(setup_to(7), "\r"),
            "Session setup",
        ),
        (
            "setup: guiding questions",
            with(setup_to(8), "q"),
            "Guiding questions",
        ),
        ("review: addressee", vec![F2, TAB, "a"], "(addressee)"),
        ("review: reference", vec![F2, TAB, "r"], "Reference ("),
        ("review: entry edit", vec![F2, "\x1b[B", "e"], "Editing"),
        // Last: quitting keeps this edit as a draft.
        (
            "capture: entry edit",
            vec![ESC, "e"],
            "Editing: Enter saves",
        ),
    ];
    let entries_focused = |s: &Screen| s.contains("e edit");
    for (what, keys, shows) in &boxes {
        let mut p = f.spawn(&["open", ID]);
        p.wait_text(&["Block 1 of 2", "Entries (2)", "Type what is said."]);
        let before = p.output_len();
        for k in keys {
            if *k == ESC {
                // On the capture screen: the clock ticks, and Esc must
                // be seen alone.
                key_until(&p, k, "the entries focused", entries_focused);
            } else {
                key(&p, k);
            }
        }
        p.wait_text(&[shows]);
        // The box opens at the end of the text; its start is where the
        // controls are: Ctrl+Alt+↑ (first line) and Home (its start).
        // The app draws once per burst of keys, so wait for the frame
        // with the cursor on the first character (⍰ where the app shows
        // a placeholder, the emoji where a control was dropped, or the
        // @ of a speaker marker).
        p.send(TOP);
        p.send(HOME);
        p.wait_screen(
            &format!("{what}: the cursor at the start of the text"),
            |s| {
                let (x, y) = s.cursor;
                let cell = s
                    .cells(y as usize)
                    .get(x as usize)
                    .cloned()
                    .unwrap_or_default();
                cell == "⍰" || cell == "@" || cell.contains('👩')
            },
        );
        // Ctrl+Q quits from anywhere; but review's addressee and
        // reference boxes take it as typing (see the test below), so
        // those are closed first.
        if what.starts_with("review: a") || what.starts_with("review: r") {
            key_until(&p, ESC, "the box closed", hides(shows));
        }
        p.send(CTRL_Q);
        let status = p.wait_exit(Duration::from_secs(20));
        let out = p.output();
        let vt = Vt::parse_all(&out, pty::COLS, pty::ROWS);
        let mut problems: Vec<String> = vt
            .violations
            .iter()
            .filter(|v| v.at >= before)
            .map(|v| v.what.clone())
            .collect();
        problems.dedup();
        if !status.success() {
            problems.push(format!("exit {status:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{what}: {problems:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "edit boxes send the file's controls to the terminal:\n{}",
        failures.join("\n")
    );
}

/// Ctrl+Q saves and quits "anywhere" (the help's Global keys), also
/// while review's addressee or reference box is open.
#[test]
fn ctrl_q_quits_from_the_addressee_box() {
    let f = Fixture::variant(Variant {
        draft: false,
        lone_zwj: true,
    });
    let mut p = f.spawn(&["open", ID]);
    p.wait_text(&["Block 1 of 2", "Entries (2)", "Type what is said."]);
    key(&p, F2);
    key(&p, TAB);
    key_until(&p, "a", "the addressee box", shows("(addressee)"));
    p.send(CTRL_Q);
    let exited = pty::poll(Duration::from_secs(5), || p.try_status()).is_some();
    assert!(
        exited,
        "Ctrl+Q in the addressee box did not quit; screen:\n{}",
        p.screen().shown()
    );
}

/// An entry taller than the entries pane (here the newest, with a
/// 100,000-character line): its first line, with time, kind and
/// speaker, is shown at the top, under the one-line notice of the
/// earlier entry, which counts only that one.
#[test]
fn a_tall_newest_entry_still_shows_its_time_kind_and_speaker() {
    let f = Fixture::new();
    let mut p = f.spawn(&["open", ID]);
    let s = p.wait_text(&CAPTURE_READY);
    let rows = s.lines();
    let top = rows
        .iter()
        .position(|l| l.contains("Entries (2)"))
        .expect("the entries title");
    let notice = &rows[top + 1];
    let first = &rows[top + 2];
    quit(&mut p, CTRL_Q, "open");
    assert!(
        notice.contains("↑ 1 earlier entries"),
        "the row above the newest entry is {:?}, not the notice of the one earlier entry; \
         screen:\n{}",
        notice.trim_end(),
        s.shown()
    );
    assert!(
        first.contains("NOTE") && first.contains("note-speaker"),
        "the first row of the entries pane is {:?}, not the newest entry's first line \
         (time, NOTE, speaker); screen:\n{}",
        first.trim_end(),
        s.shown()
    );
}

/// Home: the sessions list with the unreadable file, search results,
/// the trash confirmation and the trash itself (the hostile file name).
#[test]
fn home_search_and_trash_show_hostile_text_as_text() {
    let f = Fixture::new();
    let mut p = f.spawn(&[]);
    p.wait_text(&["rapporteur · 1 session", "Unreadable files (1)"]);
    assert_placeholders("home", &p, &["⍰", "title"]);

    p.send("/");
    p.wait_text(&["rapporteur · search"]);
    p.send(WORD);
    p.wait_screen("search results", |s| {
        let t = s.text();
        t.contains("matches") && t.contains("-text") && !t.contains("searching…")
    });
    assert_placeholders("search results", &p, &["⍰", WORD]);
    key(&p, "\x1b[B");
    p.send(ESC);
    p.wait_text(&["rapporteur · 1 session"]);

    p.send("d");
    p.wait_text(&["Move to the trash?"]);
    assert_placeholders("trash confirmation", &p, &["⍰", "title"]);
    p.send("y");
    p.wait_text(&["rapporteur · 0 sessions"]);
    p.send("t");
    p.wait_text(&["rapporteur · trash (1)"]);
    // The file name: ESC and BEL as pictures, the override as ⍰.
    assert_placeholders("trash", &p, &["evil␛]0;pwned␇-␛[2J-⍰nosj.json"]);
    key_until(
        &p,
        ESC,
        "back to the sessions",
        shows("rapporteur · 0 sessions"),
    );
    quit(&mut p, CTRL_Q, "home");
    assert_terminal_safe("home, search, trash", &p.output());
}

/// The room view: the block's title and questions and the
/// recommendations, in large type.
#[test]
fn room_view_shows_hostile_text_as_text() {
    let f = Fixture::new();
    let mut p = f.spawn(&["present", ID]);
    p.wait_screen("the room view with the block and its recommendation", |s| {
        let t = s.text();
        t.contains("block-1-title") && t.contains("rec-text")
    });
    assert_placeholders("room view", &p, &["⍰", "␛"]);
    quit(&mut p, "q", "present");
    assert_terminal_safe("present", &p.output());
}

fn run(f: &Fixture, args: &[&str]) -> std::process::Output {
    Command::new(pty::bin())
        .args(f.args(args))
        .env("HOME", &f.home)
        .env("XDG_DATA_HOME", f.home.join("xdg-data"))
        .env_remove("RAPPORTEUR_SESSIONS_DIR")
        .current_dir(&f.home)
        .stdin(Stdio::null())
        .output()
        .expect("run rapporteur")
}

/// The commands that print: their stdout and stderr go to a terminal as
/// often as to a file.
#[test]
fn commands_print_hostile_text_as_text() {
    let f = Fixture::new();
    for (args, ok) in [
        (&["list"][..], true),
        (&["show", ID][..], true),
        (&["check"][..], false),
        (&["search", WORD][..], true),
        (&["export", ID, "--format", "md"][..], true),
    ] {
        let out = run(&f, args);
        let what = format!("rapporteur {}", args.join(" "));
        assert_eq!(
            out.status.success(),
            ok,
            "{what}: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{what} printed nothing");
        assert_plain_safe(&format!("{what} (stdout)"), &out.stdout);
        assert_plain_safe(&format!("{what} (stderr)"), &out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let visible = ["list", "show", "search", "check"].contains(&args[0]);
        if visible {
            assert!(
                stdout.contains('⍰') || stdout.contains('␛') || stdout.contains("\\u001b"),
                "{what}: no placeholder in\n{}",
                &stdout[..stdout.len().min(2000)]
            );
        }
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

/// Display columns of `s` up to (not including) the char at byte `i`,
/// counted as tmux does: one codepoint at a time, except that a
/// pictograph right after U+200D joins the cell before it (so 👩‍💻 takes
/// two columns, as tmux draws it).
fn column_of(s: &str, i: usize) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut col = 0;
    let mut after_zwj = false;
    for c in s[..i].chars() {
        let pictograph = matches!(c as u32, 0x2190..=0x2BFF | 0x1F000..=0x1FAFF);
        if !(after_zwj && pictograph) {
            col += c.width().unwrap_or(0);
        }
        after_zwj = c == '\u{200d}';
    }
    col
}

/// In tmux, a real terminal: the agenda's separator stays in its column
/// on every row, and the editor box (holding the hostile draft, with a
/// hostile speaker in its title) keeps its right border in the last
/// column, whatever the text. U+200D appears here only inside an emoji
/// sequence (👩‍💻); see the next test for a lone one.
#[test]
fn capture_columns_stay_aligned_in_tmux() {
    check_alignment(
        "aligned",
        Variant {
            draft: true,
            lone_zwj: false,
        },
    );
}

/// The same with a lone U+200D ("a\u{200d}b") in every field.
#[test]
fn a_lone_zero_width_joiner_does_not_shift_columns_in_tmux() {
    check_alignment("lonezwj", FULL);
}

fn check_alignment(name: &str, v: Variant) {
    let Some(t) = tmux::Tmux::start(name) else {
        return;
    };
    let f = Fixture::fill(
        t.sessions_dir().parent().expect("root").to_path_buf(),
        t.sessions_dir().to_path_buf(),
        v,
    );
    let dir = f.dir.to_str().expect("UTF-8").to_string();
    t.spawn("main", &["--sessions-dir", &dir, "open", ID]);
    t.wait_text("main", &CAPTURE_READY);
    let last = tmux::COLS as usize - 1;
    for (label, keys) in [("capture", None), ("entries", Some("Escape"))] {
        if let Some(k) = keys {
            t.keys("main", &[k]);
            t.wait_text("main", &["e edit"]);
        }
        let screen = t.stable_screen("main");
        let lines: Vec<&str> = screen.lines().collect();
        let mut bad = Vec::new();
        let agenda_top = lines
            .iter()
            .position(|l| l.starts_with(" Agenda"))
            .unwrap_or_else(|| panic!("no agenda on the {label} screen:\n{screen}"));
        let editor_top = lines
            .iter()
            .position(|l| l.starts_with('╭'))
            .unwrap_or_else(|| panic!("no editor box on the {label} screen:\n{screen}"));
        // The header's right ends: the save state is followed by one
        // space, the timer by two.
        for (y, want) in [(0, last), (1, last - 1)] {
            let right = lines[y].trim_end();
            let end = column_of(right, right.len());
            if end != want {
                bad.push(format!(
                    "header row {y} ends at column {end}, want {want}: {right:?}"
                ));
            }
        }
        // The agenda's separator: the first │ of the agenda's title row.
        let sep_col = column_of(lines[agenda_top], lines[agenda_top].find('│').expect("│"));
        for (y, l) in lines.iter().enumerate().take(editor_top).skip(agenda_top) {
            match l.find('│') {
                Some(i) if column_of(l, i) == sep_col => {}
                other => bad.push(format!(
                    "row {y}: separator at {:?}, want {sep_col}: {l:?}",
                    other.map(|i| column_of(l, i))
                )),
            }
        }
        // The editor box: ╭…╮, │…│, ╰…╯, right border in the last column.
        for (y, l) in lines.iter().enumerate().skip(editor_top) {
            let right = l.trim_end();
            let Some(end) = right.chars().last() else {
                break;
            };
            let col = column_of(right, right.len() - end.len_utf8());
            if !matches!(end, '╮' | '│' | '╯') || col != last {
                bad.push(format!(
                    "row {y}: editor's right border {end:?} at column {col}, want {last}: {right:?}"
                ));
            }
            if end == '╯' || l.starts_with('╰') {
                break;
            }
        }
        assert!(
            bad.is_empty(),
            "{label}: columns out of line:\n{}\n{screen}",
            bad.join("\n")
        );
    }
    t.keys("main", &["C-q"]);
}

/// Only looking (open, review, setup with every field, help, quit)
/// changes no text of the session.
#[test]
fn looking_at_hostile_text_does_not_change_it() {
    let f = Fixture::new();
    let before = serde_json::from_slice::<Value>(&fs::read(&f.session).unwrap()).unwrap();
    let mut p = f.spawn(&["open", ID]);
    p.wait_text(&CAPTURE_READY);
    p.send(F2);
    p.wait_text(&["Review", "Tab recommendations"]);
    p.send("c");
    p.wait_text(&["Ctrl+N/P block"]);
    p.send(CTRL_E);
    p.wait_text(&["Session setup"]);
    for _ in 0..12 {
        key(&p, TAB);
    }
    p.send(ESC);
    p.wait_text(&["Ctrl+N/P block"]);
    quit(&mut p, CTRL_Q, "open");
    let after = serde_json::from_slice::<Value>(&fs::read(&f.session).unwrap()).unwrap();
    let mut diffs = Vec::new();
    diff("", &before, &after, &mut diffs);
    assert!(
        diffs.is_empty(),
        "looking changed the session: {}",
        diffs.join("\n")
    );
}

/// The text fields that differ between `a` and `b`; clock fields (runs,
/// spent time, updated, current block) are allowed to change.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    const CLOCK: &[&str] = &["runs", "spent_seconds", "updated", "current_block"];
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                if CLOCK.contains(&k.as_str()) {
                    continue;
                }
                match y.get(k) {
                    Some(w) => diff(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: gone")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), v, w, out);
            }
        }
        (Value::String(x), Value::String(y)) if x != y => {
            let at = x
                .chars()
                .zip(y.chars())
                .position(|(c, d)| c != d)
                .unwrap_or(x.chars().count().min(y.chars().count()));
            let show = |s: &str| {
                s.chars()
                    .skip(at.saturating_sub(5))
                    .take(20)
                    .collect::<String>()
            };
            out.push(format!(
                "{path}: differs at char {at}: {:?} became {:?} ({} → {} chars)",
                show(x),
                show(y),
                x.chars().count(),
                y.chars().count()
            ));
        }
        _ if a != b => {
            let cut = |v: &Value| v.to_string().chars().take(300).collect::<String>();
            out.push(format!("{path}: {}… became {}…", cut(a), cut(b)));
        }
        _ => {}
    }
}

/// The checker itself: it flags every kind of hostile output, and passes
/// what the app sends.
#[test]
fn the_terminal_checker_flags_what_a_terminal_would_act_on() {
    let app = "\x1b[?1049h\x1b[?2004h\x1b[?u\x1b[c\x1b[1;1H\x1b[1m\x1b[38;5;15;48;5;4m ␛]0;pwned␇ ⍰ 👩\u{200d}💻\
               \x1b[22m\x1b[2;5Hx\x1b[?25l\x1b[?25h\r\n\x08\x1b[?2004l\x1b[?1049l";
    let vt = Vt::parse_all(app.as_bytes(), 100, 30);
    assert_eq!(
        vt.violation_count,
        0,
        "{}",
        pty::describe(&vt, app.as_bytes())
    );
    assert!(vt.screen.row(0).starts_with(" ␛]0;pwned␇ ⍰"));
    for (what, bytes) in [
        ("OSC 0 with BEL", &b"a\x1b]0;pwned\x07b"[..]),
        ("OSC 2 with ST", b"\x1b]2;pwned\x1b\\"),
        ("OSC 52", b"\x1b]52;c;cHduZWQ=\x07"),
        (
            "OSC 8",
            b"\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
        ),
        ("DCS", b"\x1bP1$qm\x1b\\"),
        ("BEL", b"\x07"),
        ("NUL", b"\x00"),
        ("TAB", b"\t"),
        ("DEL", b"\x7f"),
        ("C1 CSI as UTF-8", "\u{9b}2J".as_bytes()),
        ("C1 OSC as UTF-8", "\u{9d}0;x\u{7}".as_bytes()),
        ("8-bit C1", b"\x9b2J"),
        ("RLO", "\u{202e}".as_bytes()),
        ("line separator", "\u{2028}".as_bytes()),
        ("paragraph separator", "\u{2029}".as_bytes()),
        ("a joiner between letters", "a\u{200d}b".as_bytes()),
        ("a joiner after a sequence", b"\x1b[1;1H\xe2\x80\x8d"),
        ("isolate", "\u{2066}".as_bytes()),
        ("a CSI the app never sends", b"\x1b[6n"),
        ("a mode the app never sets", b"\x1b[?1000h"),
        ("ESC c (reset)", b"\x1bc"),
        ("cut short", b"\x1b["),
    ] {
        let vt = Vt::parse_all(bytes, 100, 30);
        assert!(vt.violation_count > 0, "{what}: not flagged");
    }
}
