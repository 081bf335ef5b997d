//! Screen snapshots on ratatui's TestBackend, at 80×24 and 200×50, with
//! Cyrillic, Kazakh and wide characters in the entries and the editor.

use std::path::PathBuf;

use rapporteur::app::{Action, App, update};
use rapporteur::model::{Entry, Kind, Session, Stamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn example() -> Session {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sessions/2011-05-19-expert-workshop-on-the-draft-migration-law.json"
    );
    rapporteur::store::load(std::path::Path::new(path))
        .unwrap()
        .session
}

/// The example session, live in its first block at 10:20 local time.
fn app() -> App {
    let mut s = example();
    s.ended = None;
    s.current_block = Some("rights".into());
    let now: Stamp = "2011-05-19T10:20:00+06:00".parse().unwrap();
    App::new(
        s,
        PathBuf::from("/nonexistent/example.json"),
        None,
        None,
        now,
    )
}

fn typ(app: &mut App, s: &str) {
    for c in s.chars() {
        update(
            app,
            Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| rapporteur::ui::render(app, f)).unwrap();
    t
}

#[test]
fn capture_80x24_with_cyrillic_draft() {
    let mut app = app();
    typ(&mut app, "R: @Айгерим Сарсенова ратифицировать 日本");
    let mut t = draw(&app, 80, 24);
    insta::assert_snapshot!(t.backend());
    // The cursor sits after the last wide character: the editor's inner
    // area starts at column 1, and the text is 44 columns wide.
    let text_width = unicode_width::UnicodeWidthStr::width(app.draft_text().as_str()) as u16;
    t.backend_mut()
        .assert_cursor_position((1 + text_width, 24 - 1 - 2));
}

#[test]
fn capture_200x50() {
    let mut app = app();
    typ(&mut app, "Қазақ тілі: ә ғ қ ң ө ұ ү һ і 👋");
    let mut t = draw(&app, 200, 50);
    insta::assert_snapshot!(t.backend());
    let text_width = unicode_width::UnicodeWidthStr::width(app.draft_text().as_str()) as u16;
    t.backend_mut()
        .assert_cursor_position((1 + text_width, 50 - 1 - 2));
}

#[test]
fn entries_focus_and_help_overlay() {
    let mut app = app();
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE)),
    );
    insta::assert_snapshot!("entries_selected_80x24", draw(&app, 80, 24).backend());
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)),
    );
    insta::assert_snapshot!("help_100x40", draw(&app, 100, 40).backend());
}

#[test]
fn overrun_is_plain_and_red() {
    let mut app = app();
    // 10:00 to 10:50 in a 45-minute block.
    app.now = "2011-05-19T10:50:00+06:00".parse().unwrap();
    app.session.blocks[0].runs.clear();
    app.session.blocks[0].spent_seconds = 0;
    app.session
        .start_clock("2011-05-19T10:00:00+06:00".parse().unwrap());
    let t = draw(&app, 80, 24);
    let row: String = (0..80)
        .map(|x| t.backend().buffer()[(x, 1)].symbol().to_string())
        .collect();
    assert!(row.contains("OVER +05:00"), "{row}");
    let x = row.find("OVER").unwrap() as u16;
    let cell = &t.backend().buffer()[(x, 1)];
    assert_eq!(cell.style().bg, Some(ratatui::style::Color::Red));
}

#[test]
fn control_bytes_never_reach_the_screen() {
    let mut app = app();
    let now = app.now;
    let nasty = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}31md\u{202e}e\u{0}f";
    app.session.blocks[0].entries.push(Entry::new(
        Kind::Note,
        nasty,
        Some("\u{1b}[31mEvil".into()),
        now,
    ));
    app.session.title = "Title\u{1b}]52;c;SGVsbG8=\u{7}".into();
    let t = draw(&app, 120, 30);
    let mut all = String::new();
    for cell in t.backend().buffer().content() {
        all.push_str(cell.symbol());
    }
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{0}'] {
        assert!(!all.contains(bad), "{bad:?} reached the screen");
    }
    // And they are shown, not silently dropped.
    assert!(all.contains('␛'));
    assert!(all.contains('⍰'));
}

#[test]
fn any_size_from_1x1_to_300x100_draws_without_panic() {
    let mut app = app();
    typ(&mut app, "Рекомендуется ратифицировать 日本語 👩🏽‍⚖️");
    for w in [1u16, 2, 3, 5, 10, 20, 40, 59, 60, 79, 80, 81, 120, 200, 300] {
        for h in [1u16, 2, 3, 4, 5, 8, 10, 24, 50, 100] {
            draw(&app, w, h);
        }
    }
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)),
    );
    for (w, h) in [(1, 1), (10, 5), (300, 100)] {
        draw(&app, w, h);
    }
}

#[test]
fn long_entries_and_many_of_them() {
    let mut app = app();
    let now = app.now;
    for i in 0..2_000 {
        app.session.blocks[0].entries.push(Entry::new(
            Kind::Note,
            format!("entry {i} {}", "слово ".repeat(i % 40)),
            None,
            now,
        ));
    }
    app.session.blocks[0]
        .entries
        .push(Entry::new(Kind::Note, "x".repeat(100_000), None, now));
    let t = draw(&app, 80, 24);
    let screen = format!("{}", t.backend());
    assert!(screen.contains("Entries (2008)"), "{screen}");
}

fn setup_app() -> App {
    let mut app = app();
    app.session.participants.truncate(4);
    rapporteur::app::setup::open(&mut app);
    // Tab to the participants list.
    for _ in 0..7 {
        update(
            &mut app,
            Action::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
        );
    }
    app
}

#[test]
fn setup_80x24_and_160x45() {
    let app = setup_app();
    insta::assert_snapshot!("setup_80x24", draw(&app, 80, 24).backend());
    insta::assert_snapshot!("setup_160x45", draw(&app, 160, 45).backend());
}

#[test]
fn setup_editing_a_title_puts_the_cursor_in_the_field() {
    let mut app = app();
    rapporteur::app::setup::open(&mut app);
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
    );
    typ(&mut app, " — Астана 日本");
    let mut t = draw(&app, 100, 30);
    let title = &app.session.title;
    let w = unicode_width::UnicodeWidthStr::width(title.raw()) as u16;
    // Label column is 14 wide; the title row is the third.
    t.backend_mut().assert_cursor_position((14 + w, 2));
}

fn room() -> rapporteur::app::room::Room {
    let mut s = example();
    s.ended = None;
    s.current_block = Some("residence".into());
    // Block 4 started at 14:00 and is running.
    let b = &mut s.blocks[3];
    b.runs.truncate(0);
    b.spent_seconds = 0;
    s.start_clock("2011-05-19T14:00:00+06:00".parse().unwrap());
    let mut r = rapporteur::app::room::Room::new(
        "example.json".into(),
        "2011-05-19T14:12:34+06:00".parse().unwrap(),
    );
    rapporteur::app::room::update(
        &mut r,
        rapporteur::app::room::RoomAction::Loaded(Box::new(Ok(s))),
    );
    r
}

fn draw_room(r: &rapporteur::app::room::Room, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| rapporteur::ui::room::render(r, f)).unwrap();
    t
}

#[test]
fn room_80x24_and_160x45() {
    let r = room();
    insta::assert_snapshot!("room_80x24", draw_room(&r, 80, 24).backend());
    insta::assert_snapshot!("room_160x45", draw_room(&r, 160, 45).backend());
}

#[test]
fn room_keeps_last_good_view_with_a_warning_and_survives_any_size() {
    let mut r = room();
    rapporteur::app::room::update(
        &mut r,
        rapporteur::app::room::RoomAction::Loaded(Box::new(Err("not valid JSON at line 3".into()))),
    );
    let screen = format!("{}", draw_room(&r, 100, 30).backend());
    assert!(screen.contains("Residence status"), "{screen}");
    assert!(screen.contains("not valid JSON"), "{screen}");
    for w in [1u16, 2, 7, 20, 80, 300] {
        for h in [1u16, 2, 5, 15, 24, 100] {
            draw_room(&r, w, h);
        }
    }
}

#[test]
fn review_80x24_and_160x45() {
    let mut app = app();
    rapporteur::app::review::open(&mut app, None);
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
    );
    insta::assert_snapshot!("review_80x24", draw(&app, 80, 24).backend());
    insta::assert_snapshot!("review_160x45", draw(&app, 160, 45).backend());
}

#[test]
fn home_80x24_with_search_results() {
    use rapporteur::app::home::{Home, HomeAction, update as home_update};
    let mut h = Home::new();
    let s = example();
    let path = PathBuf::from("example.json");
    let loaded = rapporteur::store::Loaded {
        session: s.clone(),
        newer_version: None,
        foreign_journal: false,
    };
    home_update(
        &mut h,
        HomeAction::Loaded {
            sessions: vec![rapporteur::store::Summary::of(&path, &loaded)],
            bad: vec![rapporteur::app::home::BadFile {
                path: PathBuf::from("broken.json"),
                error: "broken.json: not valid JSON at line 3, column 7: EOF".into(),
            }],
            trash: vec![],
        },
    );
    let draw_home = |h: &Home, w: u16, ht: u16| {
        let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
        t.draw(|f| rapporteur::ui::home::render(h, f)).unwrap();
        t
    };
    insta::assert_snapshot!("home_80x24", draw_home(&h, 80, 24).backend());
    home_update(
        &mut h,
        HomeAction::Key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)),
    );
    for c in "РАТИФИЦИРОВАТЬ".chars() {
        home_update(
            &mut h,
            HomeAction::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    let mut ix = rapporteur::search::Index::new();
    ix.add(path, s);
    let (hits, total) = ix.search(
        &rapporteur::search::Query::parse(&h.query_text(), None, None),
        100,
    );
    let generation = h.generation;
    home_update(
        &mut h,
        HomeAction::Results {
            generation,
            hits,
            total,
        },
    );
    let t = draw_home(&h, 80, 24);
    insta::assert_snapshot!("home_search_80x24", t.backend());
    // The match is highlighted.
    let buf = t.backend().buffer();
    let highlighted = (0..80)
        .flat_map(|x| (0..24).map(move |y| (x, y)))
        .filter(|&(x, y)| buf[(x, y)].style().bg == Some(ratatui::style::Color::Yellow))
        .count();
    assert!(highlighted >= "ратифицировать".chars().count());
}
