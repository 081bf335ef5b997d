//! Pastes through `update`: one over the entry's size limit is refused
//! whole, with a notice, and what was typed before stays as it was.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::{Session, Stamp, Template};
use crate::store::Store;

fn app() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let t0: Stamp = "2011-05-19T10:00:00+06:00".parse().expect("stamp");
    let s = Session::from_template(&Template::builtin(), Some("Paste"), t0);
    let path = Store::new(dir.path()).create(&s).expect("create");
    let opened = crate::tui::open_session(path, t0).expect("open");
    std::mem::forget(opened.lock);
    (opened.app, dir)
}

fn typ(app: &mut App, s: &str) {
    for c in s.chars() {
        update(
            app,
            Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

#[test]
fn a_paste_over_the_limit_is_refused_and_the_typing_kept() {
    let (mut app, _dir) = app();
    typ(&mut app, "typed first: ");
    let line = "Текст, который кто-то вставил. ".repeat(64);
    let big = format!("{line}\n").repeat(MAX_ENTRY_BYTES / line.len() + 1);
    assert!(big.len() > MAX_ENTRY_BYTES);
    update(&mut app, Action::Paste(big));
    assert_eq!(app.draft_text(), "typed first: ");
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("Paste refused") && notice.contains("1024 KB"),
        "{notice:?}"
    );
}

#[test]
fn a_paste_up_to_the_limit_goes_in_whole() {
    let (mut app, _dir) = app();
    typ(&mut app, "x");
    let line = "a".repeat(1023);
    let fits = format!("{line}\n").repeat(MAX_ENTRY_BYTES / 1024 - 1);
    update(&mut app, Action::Paste(fits.clone()));
    assert_eq!(app.draft_text(), format!("x{fits}"));
    assert!(app.notice.is_none(), "{:?}", app.notice);
    // One more paste that tips it over is refused; the entry stays.
    update(&mut app, Action::Paste("b".repeat(2048)));
    assert_eq!(app.draft_text(), format!("x{fits}"));
    assert!(app.notice.is_some());
}

#[test]
fn a_long_transcript_is_edited_through_a_window_and_nothing_is_lost() {
    let (mut app, _dir) = app();
    typ(&mut app, "before ");
    let lines: Vec<String> = (0..12_000)
        .map(|i| format!("Участник {i}: the draft must guarantee a remedy 日本"))
        .collect();
    let paste = lines.join("\n");
    update(&mut app, Action::Paste(paste.clone()));
    // The text box holds a window; the entry is all there, still wrapped.
    assert!(
        app.editor.lines().len() < 1_000,
        "{}",
        app.editor.lines().len()
    );
    assert_eq!(app.draft_text(), format!("before {paste}"));
    assert_eq!(
        app.editor.wrap_mode(),
        ratatui_textarea::WrapMode::WordOrGlyph
    );
    // Up 5,000 lines, type there, and back down to the end.
    let key = |code| Action::Key(KeyEvent::new(code, KeyModifiers::NONE));
    for _ in 0..5_000 {
        update(&mut app, key(KeyCode::Up));
    }
    update(&mut app, key(KeyCode::Home));
    typ(&mut app, "X");
    for _ in 0..5_000 {
        update(&mut app, key(KeyCode::Down));
    }
    update(&mut app, key(KeyCode::End));
    typ(&mut app, " end");
    let mut want = lines.clone();
    want[0] = format!("before {}", want[0]);
    want[11_999 - 5_000] = format!("X{}", want[11_999 - 5_000]);
    want[11_999].push_str(" end");
    assert_eq!(app.draft_text(), want.join("\n"));
    assert_eq!(app.draft_line_count(), 12_000);
    // Committed whole, and the next entry starts empty.
    update(&mut app, key(KeyCode::Enter));
    assert!(app.draft_is_empty());
    assert!(app.editor_outside.is_empty());
    let last = app.current_entries().last().expect("committed");
    assert!(last.text.shown().ends_with(" end"), "committed whole");
    assert!(last.text.shown().contains(&format!("X{}", lines[6_999])));
}
