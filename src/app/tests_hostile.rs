//! Text from the file in the edit boxes: a box is given the text as shown
//! (placeholders for controls), never the raw text, and what the
//! rapporteur leaves as it was keeps its raw text when the box is closed.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::setup::{Detail, Field};
use super::*;
use crate::model::{Entry, Kind, Label, Participant, Session, Stamp, Template};
use crate::store::{self, Store};

/// What a text box would hand to the terminal, or hide, were it given
/// the raw text: controls, bidi controls, the separators and a joiner
/// between letters.
const EVIL: &str = "x\u{1b}]0;pwned\u{7} \u{2028}\u{2029} \u{9b}2J \u{202e}a\u{200d}b";

fn t0() -> Stamp {
    "2011-05-19T10:00:00+06:00".parse().unwrap()
}

struct H {
    app: App,
    _dir: tempfile::TempDir,
}

fn h() -> H {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("sessions"));
    let mut s = Session::from_template(&Template::builtin(), Some(&format!("T {EVIL}")), t0());
    s.organizers = vec![format!("O {EVIL}").into(), "Plain".into()];
    s.participants = vec![Participant::new(format!("N {EVIL}"), format!("Org {EVIL}"))];
    s.blocks[0].title = format!("B {EVIL}").into();
    s.blocks[0].guiding_questions = vec![format!("Q {EVIL}").into(), "Plain?".into()];
    let mut e = Entry::new(
        Kind::Recommendation,
        format!("E {EVIL}\nline two"),
        Some(format!("S {EVIL}").into()),
        t0(),
    );
    e.addressee = Some(format!("A {EVIL}").into());
    s.blocks[0].entries.push(e);
    let path = store.create(&s).unwrap();
    let mut opened = crate::tui::open_session(path, t0()).unwrap();
    std::mem::forget(opened.lock.take());
    let mut h = H {
        app: opened.app,
        _dir: dir,
    };
    h.flush();
    h
}

impl H {
    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        update(&mut self.app, Action::Key(KeyEvent::new(code, mods)));
    }
    fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }
    fn typ(&mut self, s: &str) {
        for c in s.chars() {
            self.press(KeyCode::Char(c));
        }
    }
    fn flush(&mut self) {
        update(&mut self.app, Action::SaveDraftNow);
        super::test_support::run_effects(&mut self.app);
    }
    fn disk(&self) -> Session {
        store::load(&self.app.path).unwrap().session
    }
    fn entry(&self) -> Entry {
        self.disk().blocks[0].entries[0].clone()
    }
}

/// No character a terminal could act on, or that would shift columns.
fn box_safe(lines: &[String]) -> bool {
    lines.iter().all(|l| {
        l.chars().all(|c| {
            !c.is_control()
                && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{200d}')
        })
    })
}

#[test]
fn an_entry_opened_for_editing_shows_placeholders_and_keeps_what_is_untouched() {
    let mut h = h();
    let before = h.entry();
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('e'));
    assert!(h.app.editing.is_some());
    let lines = h.app.editor.lines().to_vec();
    assert!(box_safe(&lines), "{lines:?}");
    assert!(
        lines[0].starts_with("@S x␛]0;pwned␇ ⍰⍰ ⍰2J ⍰a⍰b E x␛"),
        "{lines:?}"
    );
    assert!(h.app.notice.as_deref().unwrap_or("").contains("controls"));
    // Enter without a change: the entry keeps its raw text and speaker.
    h.press(KeyCode::Enter);
    h.flush();
    let after = h.entry();
    assert_eq!(after.text.raw(), before.text.raw());
    assert_eq!(after.speaker, before.speaker);

    // A changed text is stored as typed, placeholders included; the
    // untouched speaker still keeps its raw text.
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('e'));
    h.typ(" more");
    h.press(KeyCode::Enter);
    h.flush();
    let after = h.entry();
    assert_eq!(after.text.raw(), "E x␛]0;pwned␇ ⍰⍰ ⍰2J ⍰a⍰b\nline two more");
    assert_eq!(after.speaker, before.speaker);
}

#[test]
fn setup_boxes_show_placeholders_and_keep_what_is_untouched() {
    let mut h = h();
    let before = h.disk();
    setup::open(&mut h.app);
    // Each detail field, tabbed through without typing.
    for d in [Detail::Title, Detail::Organizers] {
        while h.app.setup.field != Field::Detail(d) {
            h.press(KeyCode::Tab);
        }
        assert!(box_safe(h.app.setup.input.lines()), "{d:?}");
    }
    // The participant row and the block title, opened and confirmed.
    while h.app.setup.field != Field::Participants {
        h.press(KeyCode::Tab);
    }
    h.press(KeyCode::Enter);
    assert!(box_safe(h.app.setup.input.lines()));
    h.press(KeyCode::Enter);
    h.press(KeyCode::Tab);
    assert_eq!(h.app.setup.field, Field::Agenda);
    h.press(KeyCode::Enter);
    assert!(box_safe(h.app.setup.input.lines()));
    h.press(KeyCode::Enter);
    // The guiding questions, opened and saved with Tab.
    h.press(KeyCode::Char('q'));
    assert!(box_safe(h.app.setup.input.lines()));
    h.press(KeyCode::Tab);
    h.flush();
    let after = h.disk();
    assert_eq!(after.title, before.title);
    assert_eq!(after.organizers, before.organizers);
    assert_eq!(after.participants, before.participants);
    assert_eq!(after.blocks[0].title, before.blocks[0].title);
    assert_eq!(
        after.blocks[0].guiding_questions,
        before.blocks[0].guiding_questions
    );
}

#[test]
fn a_detail_typed_and_taken_back_is_as_it_was() {
    let mut h = h();
    let before = h.disk().title;
    setup::open(&mut h.app);
    while h.app.setup.field != Field::Detail(Detail::Title) {
        h.press(KeyCode::Tab);
    }
    h.typ("!");
    assert_eq!(
        h.app.session.title.raw(),
        format!("T {}!", Label::from(EVIL).shown())
    );
    h.press(KeyCode::Backspace);
    assert_eq!(h.app.session.title, before);
    h.press(KeyCode::Tab);
    h.flush();
    assert_eq!(h.disk().title, before);
}

#[test]
fn review_addressee_box_shows_placeholders_and_keeps_what_is_untouched() {
    let mut h = h();
    let before = h.entry().addressee;
    h.press(KeyCode::F(2));
    h.press(KeyCode::Tab);
    h.press(KeyCode::Char('a'));
    let (_, input) = h.app.review.input.as_ref().unwrap();
    assert!(box_safe(input.lines()));
    h.press(KeyCode::Enter);
    h.flush();
    assert_eq!(h.entry().addressee, before);
}

#[test]
fn completion_offers_names_as_shown() {
    let h = h();
    assert!(h.app.speakers.iter().any(|s| s.starts_with("N x␛")));
    assert!(box_safe(&h.app.speakers));
    assert!(box_safe(&h.app.tags));
}

#[test]
fn pasted_text_reaches_the_boxes_without_what_they_would_pass_on() {
    let mut h = h();
    let pasted = "a\u{2028}b\u{202e}c\td\u{200d}e \u{1b}]0;x\u{7} 👩\u{200d}💻\r\nnext";
    update(&mut h.app, Action::Paste(pasted.into()));
    let lines = h.app.editor.lines().to_vec();
    assert_eq!(lines, ["a⍰b⍰c\td⍰e ]0;x 👩\u{200d}💻", "next"]);
    setup::open(&mut h.app);
    h.press(KeyCode::Tab);
    update(&mut h.app, Action::Paste(pasted.into()));
    // One line; the tab dropped, as setup always did; the joiner of the
    // emoji kept.
    let lines = h.app.setup.input.lines();
    assert!(
        lines[0].ends_with("⍰a⍰ba⍰b⍰cd⍰e ]0;x 👩\u{200d}💻 next"),
        "{lines:?}"
    );
}
