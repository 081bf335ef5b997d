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
fn a_long_paste_is_shown_unwrapped_until_it_is_committed() {
    let (mut app, _dir) = app();
    assert_eq!(
        app.editor.wrap_mode(),
        ratatui_textarea::WrapMode::WordOrGlyph
    );
    // One long line wraps whatever its length: cut off, it would hide text.
    let line = "a".repeat(super::state::WRAP_UP_TO_BYTES + 1);
    update(&mut app, Action::Paste(line));
    assert_eq!(
        app.editor.wrap_mode(),
        ratatui_textarea::WrapMode::WordOrGlyph
    );
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    // Many short lines do not.
    let long = "a short line of a transcript\n".repeat(3_000);
    update(&mut app, Action::Paste(long));
    assert_eq!(app.editor.wrap_mode(), ratatui_textarea::WrapMode::None);
    // Committed: the next entry starts in a wrapping editor.
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(app.draft_is_empty());
    assert_eq!(
        app.editor.wrap_mode(),
        ratatui_textarea::WrapMode::WordOrGlyph
    );
}
