//! The home screen's state and the review screen, through their update
//! functions.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::home::{self, Home, HomeAction, HomeEffect, HomeModal, OpenMode, Pane as HomePane};
use super::review::Pane;
use super::*;
use crate::export::{Anonymize, Format};
use crate::model::{Kind, RecStatus, Session, Stamp};
use crate::store::{self, Summary};

fn example() -> Session {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sessions/2011-05-19-expert-workshop-on-the-draft-migration-law.json"
    );
    store::load(std::path::Path::new(p)).unwrap().session
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn summary(id: &str, ended: bool, updated: &str) -> Summary {
    Summary {
        id: id.into(),
        path: PathBuf::from(format!("/s/{id}.json")),
        title: id.into(),
        date: None,
        location: Default::default(),
        entries: 0,
        recommendations: 0,
        updated: updated.parse().unwrap(),
        ended,
        read_only: false,
        same_id_as: Vec::new(),
    }
}

fn loaded_home() -> Home {
    let mut h = Home::new();
    assert_eq!(h.take_effects(), vec![HomeEffect::Load]);
    home::update(
        &mut h,
        HomeAction::Loaded {
            sessions: vec![
                summary("newest-ended", true, "2026-01-03T10:00:00+00:00"),
                summary("running", false, "2026-01-02T10:00:00+00:00"),
                summary("old-running", false, "2025-01-01T10:00:00+00:00"),
            ],
            bad: vec![],
            trash: vec![PathBuf::from("/s/trash/x.json")],
        },
    );
    h
}

#[test]
fn home_selects_the_most_recent_unfinished_and_opens_it() {
    let mut h = loaded_home();
    assert_eq!(h.selected_session().unwrap().id, "running");
    home::update(&mut h, HomeAction::Key(key(KeyCode::Enter)));
    assert_eq!(
        h.take_effects(),
        vec![HomeEffect::Open {
            path: PathBuf::from("/s/running.json"),
            mode: OpenMode::Capture
        }]
    );
    // An ended session opens in review.
    home::update(&mut h, HomeAction::Key(key(KeyCode::Up)));
    home::update(&mut h, HomeAction::Key(key(KeyCode::Enter)));
    assert_eq!(
        h.take_effects(),
        vec![HomeEffect::Open {
            path: PathBuf::from("/s/newest-ended.json"),
            mode: OpenMode::Review { entry: None }
        }]
    );
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('n'))));
    assert_eq!(h.take_effects(), vec![HomeEffect::New]);
    home::update(
        &mut h,
        HomeAction::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)),
    );
    assert!(h.quit);
}

#[test]
fn home_trash_asks_and_restores() {
    let mut h = loaded_home();
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('d'))));
    assert!(matches!(h.modal, Some(HomeModal::ConfirmTrash { .. })));
    home::update(&mut h, HomeAction::Key(key(KeyCode::Esc)));
    assert!(h.take_effects().is_empty());
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('d'))));
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('y'))));
    assert_eq!(
        h.take_effects(),
        vec![HomeEffect::Trash(PathBuf::from("/s/running.json"))]
    );
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('t'))));
    assert_eq!(h.pane, HomePane::Trash);
    home::update(&mut h, HomeAction::Key(key(KeyCode::Enter)));
    assert_eq!(
        h.take_effects(),
        vec![HomeEffect::Restore(PathBuf::from("/s/trash/x.json"))]
    );
    // Emptying takes an explicit y; Enter is not enough.
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('E'))));
    home::update(&mut h, HomeAction::Key(key(KeyCode::Enter)));
    assert!(h.take_effects().is_empty());
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('y'))));
    // Only what the trash showed is removed.
    assert_eq!(
        h.take_effects(),
        vec![HomeEffect::EmptyTrash(vec![PathBuf::from(
            "/s/trash/x.json"
        )])]
    );
}

#[test]
fn search_asks_as_you_type_and_ignores_stale_answers() {
    let mut h = loaded_home();
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('/'))));
    assert_eq!(h.pane, HomePane::Search);
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('Қ'))));
    home::update(&mut h, HomeAction::Key(key(KeyCode::Char('а'))));
    let asks = h.take_effects();
    assert_eq!(asks.len(), 2);
    assert_eq!(
        asks[1],
        HomeEffect::Search {
            generation: 2,
            query: "Қа".into()
        }
    );
    assert!(h.searching());
    // The answer to the newest query lands; the older one, arriving
    // late, is dropped.
    home::update(
        &mut h,
        HomeAction::Results {
            generation: 2,
            hits: vec![],
            total: 7,
        },
    );
    home::update(
        &mut h,
        HomeAction::Results {
            generation: 1,
            hits: vec![],
            total: 99,
        },
    );
    assert_eq!(h.total, 7);
    assert!(!h.searching());
    home::update(&mut h, HomeAction::Key(key(KeyCode::Esc)));
    assert_eq!(h.pane, HomePane::Sessions);
}

fn review_app() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::new(dir.path().join("sessions"));
    let path = store.create(&example()).unwrap();
    let mut opened =
        crate::tui::open_session_in(path, Stamp::now(), &OpenMode::Review { entry: None }).unwrap();
    std::mem::forget(opened.lock.take());
    opened.app.exports_dir = Some(store.exports_dir());
    (opened.app, dir)
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Action::Key(key(code)));
}

fn flush(app: &mut App) {
    super::test_support::run_effects(app);
}

#[test]
fn review_does_not_start_the_clock_and_filters() {
    let (mut app, _d) = review_app();
    assert_eq!(app.screen, Screen::Review);
    assert!(app.session.blocks.iter().all(|b| !b.is_running()));
    assert_eq!(app.review.rows(&app.session).len(), 33);
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(app.review.kind, Some(Kind::Note));
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(app.review.kind, Some(Kind::Recommendation));
    assert_eq!(app.review.rows(&app.session).len(), 15);
    press(&mut app, KeyCode::Char('s'));
    let speaker = app.review.speaker.clone().unwrap();
    assert!(
        app.review.rows(&app.session).iter().all(|p| app
            .session
            .entry(*p)
            .unwrap()
            .speaker
            .as_ref()
            == Some(&speaker))
    );
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Char('#'));
    let tag = app.review.tag.clone().unwrap();
    let rows = app.review.rows(&app.session);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|p| app.session.entry(*p).unwrap().tags.contains(&tag))
    );
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.review.rows(&app.session).len(), 33);
}

#[test]
fn review_edits_like_capture_and_keeps_the_selection() {
    let (mut app, _d) = review_app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let id = app.selected_entry().unwrap().id.clone();
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.focus, Focus::Editor);
    for c in " [checked]".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    flush(&mut app);
    assert_eq!(app.focus, Focus::Entries);
    let disk = store::load(&app.path).unwrap().session;
    let e = disk.entry(disk.find_entry(&id).unwrap()).unwrap();
    assert!(e.text.ends_with("[checked]"));
    assert!(e.edited.is_some());
    assert_eq!(app.selected_entry().unwrap().id, id);
    // Delete and undo, from review.
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Char('y'));
    flush(&mut app);
    assert!(
        store::load(&app.path)
            .unwrap()
            .session
            .find_entry(&id)
            .is_none()
    );
    press(&mut app, KeyCode::Char('u'));
    flush(&mut app);
    assert!(
        store::load(&app.path)
            .unwrap()
            .session
            .find_entry(&id)
            .is_some()
    );
}

#[test]
fn recommendations_pane_edits_addressee_reference_status() {
    let (mut app, _d) = review_app();
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.review.pane, Pane::Recommendations);
    press(&mut app, KeyCode::Down);
    let id = app.selected_entry().unwrap().id.clone();
    press(&mut app, KeyCode::Char('a'));
    // Clear the old addressee, type a new one.
    for _ in 0..80 {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "Мажилис".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('r'));
    for _ in 0..80 {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "Art. 12".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let before = app.selected_entry().unwrap().status;
    press(&mut app, KeyCode::Char('s'));
    flush(&mut app);
    let disk = store::load(&app.path).unwrap().session;
    let e = disk.entry(disk.find_entry(&id).unwrap()).unwrap();
    assert_eq!(e.addressee.as_deref(), Some("Мажилис"));
    assert_eq!(e.reference.as_deref(), Some("Art. 12"));
    let expected = match before {
        None => Some(RecStatus::Proposed),
        Some(RecStatus::Proposed) => Some(RecStatus::Supported),
        Some(RecStatus::Supported) => Some(RecStatus::Contested),
        Some(RecStatus::Contested) => None,
    };
    assert_eq!(e.status, expected);
}

#[test]
fn end_reopen_and_export_from_review() {
    let (mut app, dir) = review_app();
    // The example has ended: c asks to reopen.
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.modal, Some(Modal::ConfirmReopen));
    press(&mut app, KeyCode::Char('y'));
    flush(&mut app);
    assert_eq!(app.screen, Screen::Capture);
    assert!(app.session.ended.is_none());
    assert!(app.session.blocks.iter().any(|b| b.is_running()));
    // F10 ends it again, after a confirmation.
    press(&mut app, KeyCode::F(10));
    assert_eq!(app.modal, Some(Modal::ConfirmEnd));
    press(&mut app, KeyCode::Char('y'));
    flush(&mut app);
    assert_eq!(app.screen, Screen::Review);
    let disk = store::load(&app.path).unwrap().session;
    assert!(disk.ended.is_some());
    assert!(disk.blocks.iter().all(|b| !b.is_running()));
    // A report, anonymized.
    press(&mut app, KeyCode::Char('x'));
    assert!(app.review.export.is_some());
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(
        app.review.export.map(|c| (c.format, c.anonymize)),
        Some((Format::Html, Anonymize::Full))
    );
    press(&mut app, KeyCode::Enter);
    flush(&mut app);
    let out = dir
        .path()
        .join("exports")
        .join("2011-05-19-expert-workshop-on-the-draft-migration-law-anonymized.html");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<html"));
    assert!(!html.contains("Айгерим Сарсенова"));
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("Report written")
    );
}
