//! Asking before a template or a report is replaced, and the home screen's
//! mark on two files with one session id, through `update` and the
//! renderer.

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::home::{self, Home, HomeAction};
use super::setup::{Field, Target};
use super::*;
use crate::model::{Session, Stamp, Template};
use crate::store::{self, Store, Summary};

fn press(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typ(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn flush(app: &mut App) {
    update(app, Action::SaveDraftNow);
    super::test_support::run_effects(app);
}

/// A session opened as the TUI opens it: the folders known, and what is
/// in them read once, up front.
fn opened(dir: &Path, session: Session, mode: &home::OpenMode) -> App {
    let store = Store::new(dir.join("sessions"));
    let path = store.create(&session).unwrap();
    let mut opened = crate::tui::open_session_in(path, Stamp::now(), mode).unwrap();
    std::mem::forget(opened.lock.take());
    let mut app = opened.app;
    app.templates_dir = Some(store.templates_dir());
    app.exports_dir = Some(store.exports_dir());
    app.existing = store::files_in(&[&store.templates_dir(), &store.exports_dir()]);
    app
}

const OLD: &[u8] = b"{\"template_version\": 1, \"blocks\": []}\n";

/// A setup screen with a template "mine" already in the templates folder.
fn setup_with_a_template() -> (App, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let old = templates.join("mine.json");
    std::fs::write(&old, OLD).unwrap();
    let s = Session::from_template(&Template::builtin(), None, Stamp::now());
    let mut app = opened(dir.path(), s, &home::OpenMode::Setup);
    setup::open(&mut app);
    (app, dir, old)
}

fn save_as_template(app: &mut App, name: &str) {
    for _ in 0..20 {
        if app.setup.field == Field::SaveTemplate {
            break;
        }
        press(app, KeyCode::Tab);
    }
    assert_eq!(app.setup.field, Field::SaveTemplate);
    press(app, KeyCode::Enter);
    for _ in 0..80 {
        press(app, KeyCode::Backspace);
    }
    typ(app, name);
    press(app, KeyCode::Enter);
}

#[test]
fn save_as_template_over_an_existing_one_asks_and_no_goes_back_to_the_name() {
    let (mut app, _dir, old) = setup_with_a_template();
    save_as_template(&mut app, "Mine");
    assert_eq!(
        app.modal,
        Some(Modal::ConfirmReplace {
            path: old.clone(),
            what: Replace::Template {
                name: "mine".into()
            },
        })
    );
    flush(&mut app);
    assert_eq!(std::fs::read(&old).unwrap(), OLD, "written before a yes");
    for no in [KeyCode::Char('n'), KeyCode::Esc] {
        press(&mut app, no);
        assert_eq!(app.modal, None);
        assert_eq!(app.setup.editing, Some(Target::TemplateName));
        assert_eq!(app.setup.input.lines().join(""), "mine");
        flush(&mut app);
        assert_eq!(std::fs::read(&old).unwrap(), OLD);
        // Enter on the same name asks again.
        press(&mut app, KeyCode::Enter);
        assert!(matches!(app.modal, Some(Modal::ConfirmReplace { .. })));
    }
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.modal, None);
    flush(&mut app);
    let t: Template = serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    assert_eq!(t.blocks.len(), Template::builtin().blocks.len());
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("Template saved")
    );
}

#[test]
fn a_new_template_name_does_not_ask_but_the_second_save_of_it_does() {
    let (mut app, dir, _) = setup_with_a_template();
    save_as_template(&mut app, "Other");
    assert_eq!(app.modal, None);
    flush(&mut app);
    let new = dir.path().join("templates").join("other.json");
    assert!(new.is_file());
    save_as_template(&mut app, "Other");
    assert!(matches!(
        app.modal,
        Some(Modal::ConfirmReplace { ref path, .. }) if *path == new
    ));
}

fn example() -> Session {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sessions/2011-05-19-expert-workshop-on-the-draft-migration-law.json"
    );
    store::load(Path::new(p)).unwrap().session
}

const REPORT: &str = "2011-05-19-expert-workshop-on-the-draft-migration-law.md";

#[test]
fn export_over_an_existing_report_asks_and_no_goes_back_to_the_formats() {
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let old = exports.join(REPORT);
    std::fs::write(&old, "my edited report\n").unwrap();
    let mut app = opened(
        dir.path(),
        example(),
        &home::OpenMode::Review { entry: None },
    );
    assert_eq!(app.screen, Screen::Review);
    press(&mut app, KeyCode::Char('x'));
    let choice = app.review.export.expect("the export chooser");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.modal,
        Some(Modal::ConfirmReplace {
            path: old.clone(),
            what: Replace::Export(choice),
        })
    );
    assert!(
        app.take_effects()
            .iter()
            .all(|e| !matches!(e, Effect::Export { .. }))
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.modal, None);
    assert_eq!(app.review.export, Some(choice), "back to the formats");
    flush(&mut app);
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "my edited report\n");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.modal, None);
    flush(&mut app);
    let md = std::fs::read_to_string(&old).unwrap();
    assert!(md.starts_with("# "), "{md}");
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("Report written")
    );
    // Another format is another file: no question.
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.modal, None);
    flush(&mut app);
    assert!(exports.join(REPORT.replace(".md", ".html")).is_file());
    // And the same one again asks, though it was this app that wrote it.
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.modal, Some(Modal::ConfirmReplace { .. })));
}

fn summary(id: &str, name: &str, same: &[&str]) -> Summary {
    Summary {
        id: id.into(),
        path: PathBuf::from(format!("/s/{name}")),
        title: format!("Title of {name}").as_str().into(),
        date: None,
        location: Default::default(),
        entries: 0,
        recommendations: 0,
        updated: "2026-01-02T10:00:00+00:00".parse().unwrap(),
        ended: false,
        read_only: false,
        same_id_as: same
            .iter()
            .map(|n| PathBuf::from(format!("/s/{n}")))
            .collect(),
    }
}

fn screen_text(home: &Home, w: u16) -> String {
    use ratatui::{Terminal, backend::TestBackend};
    let mut t = Terminal::new(TestBackend::new(w, 12)).unwrap();
    t.draw(|f| crate::ui::home::render(home, f)).unwrap();
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_home_screen_marks_both_files_of_one_id() {
    let mut h = Home::new();
    h.take_effects();
    home::update(
        &mut h,
        HomeAction::Loaded {
            sessions: vec![
                summary("abc", "a.json", &["a (copy).json"]),
                summary("abc", "a (copy).json", &["a.json"]),
                summary("def", "b.json", &[]),
            ],
            bad: vec![home::BadFile {
                path: PathBuf::from("/s/caf\u{fffd}.json"),
                error: "/s/caf\u{fffd}.json: the file name is not valid UTF-8; it was not read"
                    .into(),
            }],
            trash: vec![],
        },
    );
    for w in [120, 80] {
        let text = screen_text(&h, w);
        let rows: Vec<&str> = text.lines().filter(|l| l.contains("Title of")).collect();
        assert_eq!(rows.len(), 3, "{text}");
        assert_eq!(
            rows.iter().filter(|r| r.contains("⚠ DUPLICATE")).count(),
            2,
            "{text}"
        );
        assert!(!rows[2].contains("DUPLICATE"), "{text}");
        assert!(text.contains("caf\u{fffd}.json"), "{text}");
        if w == 120 {
            assert!(rows[0].contains("same id as a (copy).json"), "{text}");
            assert!(rows[1].contains("same id as a.json"), "{text}");
        }
    }
}
