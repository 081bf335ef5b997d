//! The setup screen and the clock, driven through `update`, with the
//! effects carried out against real files.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::setup::{Detail, Field};
use super::*;
use crate::model::{Entry, Kind, Session, Stamp, Template};
use crate::store::{self, Store};

struct H {
    app: App,
    clock: std::sync::Arc<crate::model::ManualClock>,
    dir: tempfile::TempDir,
}

fn t0() -> Stamp {
    "2011-05-19T10:00:00+06:00".parse().unwrap()
}

fn h() -> H {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("sessions"));
    let s = Session::from_template(&Template::builtin(), None, t0());
    let path = store.create(&s).unwrap();
    let mut opened = crate::tui::open_session(path, t0()).unwrap();
    std::mem::forget(opened.lock.take());
    opened.app.templates_dir = Some(store.templates_dir());
    let mut app = opened.app;
    let clock = super::test_support::manual_clock(&mut app, t0());
    let mut h = H { app, clock, dir };
    setup::open(&mut h.app);
    h.flush();
    h
}

impl H {
    fn act(&mut self, a: Action) {
        update(&mut self.app, a);
    }
    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.act(Action::Key(KeyEvent::new(code, mods)));
    }
    fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }
    fn typ(&mut self, s: &str) {
        for c in s.chars() {
            self.press(KeyCode::Char(c));
        }
    }
    /// `secs` after t0 on both clocks, as real time passing.
    fn at(&mut self, secs: i64) {
        super::test_support::tick_at(&mut self.app, &self.clock, t0(), secs);
    }
    fn flush(&mut self) {
        // The throttle would fire; then the saver runs.
        self.act(Action::SaveDraftNow);
        super::test_support::run_effects(&mut self.app);
    }
    fn disk(&self) -> Session {
        store::load(&self.app.path).unwrap().session
    }
    fn focus(&mut self, field: Field) {
        for _ in 0..20 {
            if self.app.setup.field == field {
                return;
            }
            self.press(KeyCode::Tab);
        }
        panic!("cannot reach {field:?}");
    }
}

#[test]
fn enter_on_start_starts_on_the_builtin_agenda() {
    let mut h = h();
    assert_eq!(h.app.screen, Screen::Setup);
    assert_eq!(h.app.setup.field, Field::Start);
    h.press(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Capture);
    h.typ("first words");
    h.press(KeyCode::Enter);
    h.flush();
    let d = h.disk();
    assert_eq!(d.blocks.len(), 5);
    assert_eq!(d.blocks[0].entries[0].text, "first words");
}

#[test]
fn details_are_typed_saved_and_validated() {
    let mut h = h();
    h.press(KeyCode::Tab);
    assert_eq!(h.app.setup.field, Field::Detail(Detail::Title));
    // Clear the default title, then type a Cyrillic one.
    for _ in 0..60 {
        h.press(KeyCode::Backspace);
    }
    h.typ("Семинар по закону о миграции");
    h.press(KeyCode::Tab);
    h.typ("2011-13-45");
    h.press(KeyCode::Tab);
    assert!(h.app.notice.as_deref().unwrap_or("").contains("not a date"));
    h.press(KeyCode::BackTab);
    for _ in 0..12 {
        h.press(KeyCode::Backspace);
    }
    h.typ("2011-05-19");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.setup.field, Field::Detail(Detail::Place));
    h.typ("Astana");
    h.press(KeyCode::Down);
    h.typ("OSCE; ODIHR ;  Majilis");
    h.press(KeyCode::Tab);
    h.typ("Facilitator Name");
    h.press(KeyCode::Tab);
    h.typ("Rapporteur Name");
    h.press(KeyCode::Tab);
    h.flush();
    let d = h.disk();
    assert_eq!(d.title, "Семинар по закону о миграции");
    assert_eq!(d.date, Some("2011-05-19".parse().unwrap()));
    assert_eq!(d.location, "Astana");
    assert_eq!(d.organizers, vec!["OSCE", "ODIHR", "Majilis"]);
    assert_eq!(d.facilitator, "Facilitator Name");
    assert_eq!(d.rapporteur, "Rapporteur Name");
    // Letters typed in a field are text, not list commands.
    assert!(h.app.session.participants.is_empty());
}

#[test]
fn participants_add_edit_remove_and_paste() {
    let mut h = h();
    h.focus(Field::Participants);
    h.press(KeyCode::Char('a'));
    h.typ("Айгерим Сарсенова, Majilis");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('a'));
    h.typ("John Smith");
    h.press(KeyCode::Enter);
    h.flush();
    let d = h.disk();
    assert_eq!(d.participants.len(), 2);
    assert_eq!(d.participants[0].name, "Айгерим Сарсенова");
    assert_eq!(d.participants[0].organization, "Majilis");
    assert_eq!(d.participants[1].organization, "");
    // Edit the second: Enter opens it as "Name, Organization".
    h.press(KeyCode::Enter);
    h.typ(", ILO");
    h.press(KeyCode::Enter);
    h.flush();
    assert_eq!(h.disk().participants[1].organization, "ILO");
    // Paste several lines, with the line breaks terminals send.
    h.act(Action::Paste(
        "Ivan Petrov, Migration Police Committee\r\n, UNHCR\rMaria Garcia\tUN Women\n\n".into(),
    ));
    h.flush();
    let d = h.disk();
    assert_eq!(d.participants.len(), 5);
    assert_eq!(d.participants[3].organization, "UNHCR");
    assert_eq!(d.participants[3].name, "");
    assert_eq!(d.participants[4].organization, "UN Women");
    // Remove the selected (last) one.
    h.press(KeyCode::Char('d'));
    assert_eq!(h.app.setup.participant, 3);
    h.press(KeyCode::Up);
    h.press(KeyCode::Delete);
    h.flush();
    let names: Vec<String> = h.disk().participants.iter().map(|p| p.label()).collect();
    assert_eq!(
        names,
        ["Айгерим Сарсенова (Majilis)", "John Smith (ILO)", "UNHCR"]
    );
    // They feed @ completion.
    assert!(h.app.speakers.contains(&"UNHCR".to_string()));
    assert!(!h.app.speakers.contains(&"Ivan Petrov".to_string()));
}

#[test]
fn agenda_add_rename_minutes_reorder_questions() {
    let mut h = h();
    h.focus(Field::Agenda);
    assert_eq!(h.app.setup.block, 0);
    h.press(KeyCode::Char('a'));
    // A new block opens for renaming.
    for _ in 0..9 {
        h.press(KeyCode::Backspace);
    }
    h.typ("Access to the labour market");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('+'));
    h.press(KeyCode::Char('+'));
    h.press(KeyCode::Char('-'));
    h.key(KeyCode::Up, KeyModifiers::ALT);
    h.press(KeyCode::Char('q'));
    h.typ("Who may work?");
    h.press(KeyCode::Enter);
    h.typ("Is the permit tied to one employer?");
    h.press(KeyCode::Tab);
    h.flush();
    let d = h.disk();
    assert_eq!(d.blocks.len(), 6);
    assert_eq!(d.blocks[0].title, "Access to the labour market");
    assert_eq!(d.blocks[0].planned_minutes, 35);
    assert_eq!(
        d.blocks[0].guiding_questions,
        ["Who may work?", "Is the permit tied to one employer?"]
    );
    assert_eq!(d.blocks[1].id, "rights");
    // Rename an existing block with Enter; Esc cancels an edit.
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    h.typ(" (Art. 5-9)");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter);
    h.typ("zzz");
    h.press(KeyCode::Esc);
    h.flush();
    assert_eq!(
        h.disk().blocks[1].title,
        "Protection of migrants' rights (Art. 5-9)"
    );
    // Move it down again.
    h.key(KeyCode::Down, KeyModifiers::SHIFT);
    h.flush();
    assert_eq!(h.disk().blocks[2].id, "rights");
}

#[test]
fn removing_a_block_with_entries_asks_and_keeps_them() {
    let mut h = h();
    let now = h.app.now;
    h.app.session.blocks[1]
        .entries
        .push(Entry::new(Kind::Recommendation, "keep me", None, now));
    h.focus(Field::Agenda);
    // An empty block goes at once.
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.press(KeyCode::Char('d'));
    assert_eq!(h.app.session.blocks.len(), 4);
    assert!(h.app.modal.is_none());
    // A block with entries asks. The selection went to the block before
    // the one removed: "integration", which has the entry.
    assert_eq!(h.app.setup.block, 1);
    h.press(KeyCode::Char('d'));
    assert_eq!(h.app.modal, Some(Modal::ConfirmRemoveBlock { index: 1 }));
    h.press(KeyCode::Esc);
    assert_eq!(h.app.session.blocks.len(), 4);
    h.press(KeyCode::Char('d'));
    h.press(KeyCode::Char('y'));
    h.flush();
    let d = h.disk();
    assert_eq!(d.blocks.len(), 3);
    assert_eq!(d.blocks[0].entries[0].text, "keep me");
    // The last block cannot go, and the entry survives every removal.
    for _ in 0..5 {
        h.press(KeyCode::Char('d'));
        h.press(KeyCode::Char('y'));
    }
    assert_eq!(h.app.session.blocks.len(), 1);
    assert_eq!(h.app.session.entry_count(), 1);
}

#[test]
fn save_as_template_then_choose_it() {
    let mut h = h();
    h.focus(Field::Agenda);
    h.press(KeyCode::Char('+'));
    h.focus(Field::SaveTemplate);
    h.press(KeyCode::Enter);
    for _ in 0..60 {
        h.press(KeyCode::Backspace);
    }
    h.typ("Мой шаблон");
    h.press(KeyCode::Enter);
    h.flush();
    let path = h.dir.path().join("templates").join("мой-шаблон.json");
    let t: Template = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(t.blocks.len(), 5);
    assert_eq!(t.blocks[0].planned_minutes, 50);
    assert!(
        h.app
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("Template saved")
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // It is offered, and `new --template` finds it by name.
    assert!(h.app.templates.iter().any(|(n, _)| n == "мой-шаблон"));
    let store = Store::new(h.dir.path().join("sessions"));
    let found = crate::cli::find_template(&store, Some("мой-шаблон")).unwrap();
    assert_eq!(found.blocks[0].planned_minutes, 50);
    // Choosing the built-in agenda again resets the minutes.
    h.focus(Field::Template);
    h.press(KeyCode::Left);
    h.press(KeyCode::Left);
    assert_eq!(h.app.setup.template, 0);
    h.press(KeyCode::Enter);
    h.flush();
    assert_eq!(h.disk().blocks[0].planned_minutes, 45);
}

#[test]
fn template_cannot_replace_an_agenda_with_entries() {
    let mut h = h();
    let now = h.app.now;
    h.app.session.blocks[0]
        .entries
        .push(Entry::new(Kind::Note, "said", None, now));
    h.app.templates.push(("tiny".into(), {
        let mut t = Template::builtin();
        t.blocks.truncate(1);
        t
    }));
    h.focus(Field::Template);
    h.press(KeyCode::Right);
    h.press(KeyCode::Enter);
    assert_eq!(h.app.session.blocks.len(), 5);
    assert!(
        h.app
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("already has entries")
    );
}

#[test]
fn ctrl_e_reopens_setup_and_esc_returns() {
    let mut h = h();
    h.press(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::Capture);
    h.key(KeyCode::Char('e'), KeyModifiers::CONTROL);
    assert_eq!(h.app.screen, Screen::Setup);
    h.press(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::Capture);
}

#[test]
fn pause_and_resume_with_an_injected_clock() {
    let mut h = h();
    h.press(KeyCode::Enter); // Start
    h.at(600);
    h.key(KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert!(h.app.session.is_paused());
    h.at(1800); // a 20-minute coffee break
    assert_eq!(h.app.session.blocks[0].spent_at(&h.app.now), 600);
    h.key(KeyCode::Char('t'), KeyModifiers::CONTROL);
    h.at(1860);
    h.flush();
    assert_eq!(h.app.session.blocks[0].spent_at(&h.app.now), 660);
    let d = h.disk();
    assert!(d.paused_at.is_none());
    assert_eq!(d.blocks[0].runs.len(), 2);
    // The projected end moves with the break: 45 + 4×30 minutes planned,
    // 11 spent, so 154 minutes from now.
    assert_eq!(
        h.app.session.projected_end(&h.app.now),
        t0().plus_seconds(1860 + 154 * 60)
    );
}

#[test]
fn overrun_rings_once_and_can_be_silenced() {
    let mut h = h();
    h.press(KeyCode::Enter);
    h.at(45 * 60);
    assert!(h.app.take_effects().iter().all(|e| *e != Effect::Bell));
    h.at(45 * 60 + 1);
    assert!(h.app.take_effects().contains(&Effect::Bell));
    assert!(h.app.flash_until.is_some());
    h.at(45 * 60 + 2);
    assert!(!h.app.take_effects().contains(&Effect::Bell), "only once");
    h.at(45 * 60 + 10);
    assert!(h.app.flash_until.is_none());
    // Next block, with the bell switched off: a notice, no bell.
    h.key(KeyCode::Char('n'), KeyModifiers::CONTROL);
    h.key(KeyCode::Char('b'), KeyModifiers::CONTROL);
    assert!(!h.app.bell);
    h.at(45 * 60 + 31 * 60);
    assert!(!h.app.take_effects().contains(&Effect::Bell));
    assert!(
        h.app
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("over its planned time")
    );
}
