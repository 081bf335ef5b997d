//! Every key path of the capture screen, driven through `update`, with the
//! effects carried out against real files so the saved JSON is checked too.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::{Kind, Participant, Session, Stamp, Template};
use crate::store::{self, Store};

struct Harness {
    app: App,
    clock: std::sync::Arc<crate::model::ManualClock>,
    _dir: tempfile::TempDir,
}

fn t0() -> Stamp {
    "2011-05-19T10:00:00+06:00".parse().unwrap()
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut s = Session::from_template(&Template::builtin(), Some("Test"), t0());
    s.participants = vec![
        Participant::new("Айгерим Сарсенова", "Majilis"),
        Participant::new("John Smith", "ILO"),
    ];
    let path = store.create(&s).unwrap();
    let opened = crate::tui::open_session(path, t0()).unwrap();
    std::mem::forget(opened.lock);
    let mut app = opened.app;
    let clock = super::test_support::manual_clock(&mut app, t0());
    let mut h = Harness {
        app,
        clock,
        _dir: dir,
    };
    h.flush();
    h
}

impl Harness {
    fn act(&mut self, a: Action) {
        update(&mut self.app, a);
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.act(Action::Key(KeyEvent::new(code, mods)));
    }

    fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    fn ctrl(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
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

    /// Carries out the queued writes now, as the saver thread would.
    fn flush(&mut self) {
        super::test_support::run_effects(&mut self.app);
    }

    fn disk(&self) -> Session {
        store::load(&self.app.path).unwrap().session
    }

    fn draft_on_disk(&self) -> Option<crate::model::Draft> {
        store::load_draft(&self.app.path)
    }
}

#[test]
fn typing_then_enter_commits_to_current_block_and_saves() {
    let mut h = harness();
    h.typ("Привет, қазақ 👋 日本");
    assert_eq!(h.app.draft_text(), "Привет, қазақ 👋 日本");
    assert!(h.app.draft_dirty);
    h.press(KeyCode::Enter);
    h.flush();
    assert!(h.app.draft_is_empty());
    let disk = h.disk();
    let e = &disk.blocks[0].entries[0];
    assert_eq!(e.text, "Привет, қазақ 👋 日本");
    assert_eq!(e.kind, Kind::Note);
    assert_eq!(h.app.save_status(), SaveStatus::Saved);
    assert!(h.draft_on_disk().is_none(), "draft cleared after commit");
}

#[test]
fn enter_on_empty_draft_does_nothing() {
    let mut h = harness();
    let gen_before = h.app.generation;
    h.press(KeyCode::Enter);
    h.typ("   ");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.generation, gen_before);
    assert_eq!(h.app.session.entry_count(), 0);
}

#[test]
fn markers_set_kind_and_speaker() {
    let mut h = harness();
    for (text, _) in [
        ("r: @ILO ratify C143", Kind::Recommendation),
        ("Q: when?", Kind::Question),
        ("D: adopted", Kind::Decision),
        ("a: circulate the draft", Kind::Action),
    ] {
        h.typ(text);
        h.press(KeyCode::Enter);
    }
    h.flush();
    let d = h.disk();
    let kinds: Vec<Kind> = d.blocks[0].entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::Recommendation,
            Kind::Question,
            Kind::Decision,
            Kind::Action
        ]
    );
    assert_eq!(d.blocks[0].entries[0].speaker.as_deref(), Some("ILO"));
    assert_eq!(d.blocks[0].entries[0].text, "ratify C143");
}

#[test]
fn alt_enter_breaks_lines_and_paste_never_commits() {
    let mut h = harness();
    h.typ("first");
    h.key(KeyCode::Enter, KeyModifiers::ALT);
    h.typ("second");
    h.act(Action::Paste("\r\nthird\rfourth\n\u{1b}[2J".into()));
    assert_eq!(h.app.session.entry_count(), 0);
    assert_eq!(h.app.draft_text(), "first\nsecond\nthird\nfourth\n[2J");
    h.press(KeyCode::Enter);
    h.flush();
    assert_eq!(
        h.disk().blocks[0].entries[0].text,
        "first\nsecond\nthird\nfourth\n[2J"
    );
}

#[test]
fn tab_cycles_kind_and_completes_names_and_tags() {
    let mut h = harness();
    h.press(KeyCode::Tab);
    assert_eq!(h.app.draft_kind, Kind::Recommendation);
    h.press(KeyCode::Tab);
    assert_eq!(h.app.draft_kind, Kind::Question);
    h.typ("@айг");
    h.press(KeyCode::Tab);
    assert_eq!(h.app.draft_text(), "@Айгерим Сарсенова ");
    assert_eq!(
        h.app.draft_kind,
        Kind::Question,
        "completion does not cycle"
    );
    h.typ("on #lab");
    h.press(KeyCode::Tab);
    assert_eq!(h.app.draft_text(), "@Айгерим Сарсенова on #labour-market ");
    h.press(KeyCode::Enter);
    h.flush();
    let e = &h.disk().blocks[0].entries[0];
    assert_eq!(e.speaker.as_deref(), Some("Айгерим Сарсенова"));
    assert_eq!(e.kind, Kind::Question);
    assert_eq!(e.tags, vec!["labour-market"]);
    // A speaker used once is offered next time.
    h.typ("@Spe");
    h.press(KeyCode::Tab);
    assert_eq!(h.app.draft_text(), "@Spe", "no such speaker yet");
}

#[test]
fn block_steps_move_timers_and_save() {
    let mut h = harness();
    h.at(100);
    h.ctrl('n');
    h.flush();
    assert_eq!(h.app.current(), 1);
    assert_eq!(h.disk().current_block.as_deref(), Some("integration"));
    h.at(160);
    h.ctrl('p');
    h.at(200);
    h.ctrl('n');
    h.at(260);
    h.flush();
    let now = h.app.now;
    assert_eq!(h.app.session.blocks[0].spent_at(&now), 140);
    assert_eq!(h.app.session.blocks[1].spent_at(&now), 120);
    // Before the first block and after the last, nothing happens.
    h.ctrl('p');
    h.ctrl('p');
    assert_eq!(h.app.current(), 0);
    for _ in 0..10 {
        h.ctrl('n');
    }
    assert_eq!(h.app.current(), 4);
    // Entries land in the block that is running.
    h.typ("late");
    h.press(KeyCode::Enter);
    h.flush();
    assert_eq!(h.disk().blocks[4].entries[0].text, "late");
}

fn with_entries(h: &mut Harness, texts: &[&str]) {
    for t in texts {
        h.typ(t);
        h.press(KeyCode::Enter);
    }
    h.flush();
}

#[test]
fn esc_selects_and_edit_records_edited_time() {
    let mut h = harness();
    with_entries(&mut h, &["one", "two", "three"]);
    h.press(KeyCode::Esc);
    assert_eq!(h.app.focus, Focus::Entries);
    assert_eq!(h.app.selected, Some(2));
    h.press(KeyCode::Up);
    h.press(KeyCode::Up);
    h.press(KeyCode::Up);
    assert_eq!(h.app.selected, Some(0));
    h.press(KeyCode::Down);
    h.press(KeyCode::Char('e'));
    assert_eq!(h.app.focus, Focus::Editor);
    assert_eq!(h.app.draft_text(), "two");
    h.at(500);
    h.typ(" (corrected)");
    h.press(KeyCode::Enter);
    h.flush();
    let d = h.disk();
    assert_eq!(d.blocks[0].entries.len(), 3);
    assert_eq!(d.blocks[0].entries[1].text, "two (corrected)");
    assert_eq!(d.blocks[0].entries[1].edited, Some(t0().plus_seconds(500)));
}

#[test]
fn edit_keeps_speaker_as_marker() {
    let mut h = harness();
    with_entries(&mut h, &["@ILO text"]);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('e'));
    assert_eq!(h.app.draft_text(), "@ILO text");
    h.press(KeyCode::Enter);
    h.flush();
    assert_eq!(
        h.disk().blocks[0].entries[0].speaker.as_deref(),
        Some("ILO")
    );
}

#[test]
fn k_changes_kind_m_moves_d_deletes_u_undoes() {
    let mut h = harness();
    with_entries(&mut h, &["alpha", "beta"]);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('k'));
    h.flush();
    assert_eq!(h.disk().blocks[0].entries[1].kind, Kind::Recommendation);

    h.press(KeyCode::Char('m'));
    assert!(matches!(h.app.modal, Some(Modal::MoveTo { .. })));
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    h.flush();
    let d = h.disk();
    assert_eq!(d.blocks[0].entries.len(), 1);
    assert_eq!(d.blocks[2].entries[0].text, "beta");

    h.press(KeyCode::Char('d'));
    assert!(matches!(h.app.modal, Some(Modal::ConfirmDelete { .. })));
    h.press(KeyCode::Char('n'));
    assert_eq!(h.app.session.entry_count(), 2);
    h.press(KeyCode::Char('d'));
    h.press(KeyCode::Char('y'));
    h.flush();
    assert_eq!(h.disk().blocks[0].entries.len(), 0);
    h.press(KeyCode::Char('u'));
    h.flush();
    assert_eq!(h.disk().blocks[0].entries[0].text, "alpha");
    h.press(KeyCode::Char('i'));
    assert_eq!(h.app.focus, Focus::Editor);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    assert_eq!(h.app.focus, Focus::Editor);
}

#[test]
fn ctrl_s_saves_and_ctrl_q_saves_then_quits() {
    let mut h = harness();
    h.typ("unsent draft");
    h.ctrl('s');
    h.flush();
    assert_eq!(h.draft_on_disk().unwrap().text, "unsent draft");
    h.at(90);
    h.ctrl('q');
    assert!(h.app.quitting);
    assert!(!h.app.quit, "waits for the save");
    h.flush();
    assert!(h.app.quit);
    let d = h.disk();
    assert!(!d.blocks[0].is_running(), "clock stopped on quit");
    assert_eq!(d.blocks[0].spent_seconds, 90);
    // The draft is kept for next time.
    assert_eq!(h.draft_on_disk().unwrap().text, "unsent draft");
}

#[test]
fn draft_is_written_when_the_throttle_fires_and_restored() {
    let mut h = harness();
    h.typ("half a sentence");
    h.act(Action::SaveDraftNow);
    h.flush();
    let draft = h.draft_on_disk().unwrap();
    assert_eq!(draft.text, "half a sentence");
    // A new run on the same file gets the draft back.
    let path = h.app.path.clone();
    let reopened = crate::tui::open_session(path.clone(), t0().plus_seconds(60));
    // Our harness still holds no lock (forgotten guard is still alive),
    // so the second open is read-only and does not restore the draft.
    let reopened = reopened.unwrap();
    assert!(reopened.app.read_only.is_some());
    let app = App::new(h.disk(), path, None, Some(draft), t0());
    assert_eq!(app.draft_text(), "half a sentence");
}

#[test]
fn committed_draft_is_not_restored_twice() {
    let mut h = harness();
    h.typ("said once");
    h.act(Action::SaveDraftNow);
    h.flush();
    let stale = h.draft_on_disk().unwrap();
    h.press(KeyCode::Enter);
    h.flush();
    // As if the process died after the session save but before the
    // draft file was removed:
    let app = App::new(h.disk(), h.app.path.clone(), None, Some(stale), t0());
    assert!(app.draft_is_empty());
}

#[test]
fn failed_save_is_shown_kept_and_retried() {
    let mut h = harness();
    let before = std::fs::read(&h.app.path).unwrap();
    let dir = h.app.path.parent().unwrap().to_path_buf();
    use std::os::unix::fs::PermissionsExt;
    // Root ignores permissions; a missing folder fails for everyone.
    let moved = dir.with_extension("away");
    std::fs::rename(&dir, &moved).unwrap();
    h.typ("precious words");
    h.press(KeyCode::Enter);
    h.flush();
    assert!(
        matches!(h.app.save_status(), SaveStatus::Failed(_)),
        "{:?}",
        h.app.save_status()
    );
    assert!(h.app.has_unsaved());
    assert_eq!(h.app.session.blocks[0].entries[0].text, "precious words");
    // Quitting now asks first.
    h.ctrl('q');
    h.flush();
    assert_eq!(h.app.modal, Some(Modal::ConfirmQuitUnsaved));
    h.press(KeyCode::Esc);
    assert!(!h.app.quit);
    // The folder comes back; the retry timer fires.
    std::fs::rename(&moved, &dir).unwrap();
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    h.act(Action::RetrySave);
    h.flush();
    assert_eq!(h.app.save_status(), SaveStatus::Saved);
    assert_ne!(std::fs::read(&h.app.path).unwrap(), before);
    assert_eq!(h.disk().blocks[0].entries[0].text, "precious words");
}

#[test]
fn read_only_session_refuses_changes() {
    let mut h = harness();
    h.app.read_only = Some("open in another rapporteur".into());
    h.typ("x");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.session.entry_count(), 0);
    assert!(h.app.notice.as_deref().unwrap_or("").contains("Read-only"));
    assert!(h.app.take_effects().is_empty());
}

#[test]
fn f1_opens_and_esc_closes_help() {
    let mut h = harness();
    h.press(KeyCode::F(1));
    assert_eq!(h.app.modal, Some(Modal::Help));
    h.typ("abc");
    assert!(
        h.app.draft_is_empty(),
        "keys do not leak through the overlay"
    );
    h.press(KeyCode::Esc);
    assert_eq!(h.app.modal, None);
}

#[test]
fn terminate_saves_draft_and_quits() {
    let mut h = harness();
    h.typ("mid-sentence when the terminal closed");
    h.act(Action::Terminate);
    assert!(h.app.quit);
    h.flush();
    assert_eq!(
        h.draft_on_disk().unwrap().text,
        "mid-sentence when the terminal closed"
    );
}

#[test]
fn key_releases_are_ignored() {
    let mut h = harness();
    let mut ev = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    ev.kind = ratatui::crossterm::event::KeyEventKind::Release;
    h.act(Action::Key(ev));
    assert!(h.app.draft_is_empty());
}

#[test]
fn long_sessions_append_to_the_journal_and_compact_on_quit() {
    let mut h = harness();
    let now = h.app.now;
    for i in 0..crate::store::journal::USE_FROM_ENTRIES {
        h.app.session.blocks[1]
            .entries
            .push(crate::model::Entry::new(
                Kind::Note,
                format!("old {i}"),
                None,
                now,
            ));
    }
    h.ctrl('s');
    h.flush();
    let snapshot = std::fs::read(&h.app.path).unwrap();
    h.typ("Новая запись в журнал");
    h.press(KeyCode::Enter);
    let effects = h.app.take_effects();
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Append { .. })),
        "{effects:?}"
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SaveSession { .. }))
    );
    let (job, _) = crate::tui::job_from(effects);
    let report = store::saver::execute(&h.app.path, job);
    h.act(Action::Saved(crate::tui::outcome(report)));
    assert_eq!(h.app.save_status(), SaveStatus::Saved);
    // The session file was not rewritten; the journal has the entry, and
    // every reader sees it.
    assert_eq!(std::fs::read(&h.app.path).unwrap(), snapshot);
    let journal = crate::store::journal::journal_path(&h.app.path);
    assert!(std::fs::metadata(&journal).unwrap().len() > 0);
    let disk = h.disk();
    assert_eq!(
        disk.blocks[0].entries.last().unwrap().text,
        "Новая запись в журнал"
    );
    assert_eq!(disk.journal_seq, 1);
    // Quitting writes a snapshot holding it and empties the journal.
    h.ctrl('q');
    h.flush();
    assert!(h.app.quit);
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0);
    let raw: crate::model::Session =
        serde_json::from_slice(&std::fs::read(&h.app.path).unwrap()).unwrap();
    assert_eq!(
        raw.blocks[0].entries.last().unwrap().text,
        "Новая запись в журнал"
    );
    assert_eq!(raw.journal_seq, 1);
}

/// Opening a long session records the block clock's start as journal
/// lines, not by rewriting the file; a reload (as after a kill) sees the
/// block running since the open, and a stale run closed.
#[test]
fn opening_a_long_session_records_the_clock_in_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut s = Session::from_template(&Template::builtin(), Some("Long"), t0());
    for i in 0..crate::store::journal::USE_FROM_ENTRIES {
        s.blocks[i % 5].entries.push(crate::model::Entry::new(
            Kind::Note,
            format!("entry {i}"),
            None,
            t0(),
        ));
    }
    // A run left open by a process that died, in block 3.
    s.current_block = Some(s.blocks[2].id.clone());
    s.start_clock(t0());
    s.updated = t0().plus_seconds(600);
    let path = store.create(&s).unwrap();
    let before = std::fs::read(&path).unwrap();

    let open_at = t0().plus_seconds(3600);
    let mut opened = crate::tui::open_session(path.clone(), open_at).unwrap();
    let effects = opened.app.take_effects();
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SaveSession { .. })),
        "{effects:?}"
    );
    let runs: Vec<_> = effects
        .iter()
        .filter(|e| {
            matches!(e, Effect::Append { op, .. }
                if matches!(**op, crate::store::journal::Op::Runs { .. }))
        })
        .collect();
    assert_eq!(runs.len(), 1, "one block's clock changed: {effects:?}");
    let (job, _) = crate::tui::job_from(effects);
    let report = store::saver::execute(&path, job);
    assert!(matches!(report.appended, Some(Ok(_))), "{report:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "file not rewritten");
    drop(opened.lock);

    let reloaded = store::load(&path).unwrap().session;
    assert_eq!(reloaded.blocks, opened.app.session.blocks);
    let b = &reloaded.blocks[2];
    assert!(b.is_running());
    assert_eq!(b.runs.len(), 2);
    assert_eq!(b.runs[0].end, Some(t0().plus_seconds(600)));
    assert_eq!(b.runs[1].start, open_at);
    assert_eq!(b.spent_seconds, 600);
    assert_eq!(reloaded.updated, s.updated, "opening is not an edit");
}

/// Enter adds to the completion lists without walking every entry when
/// nothing new came in; the lists are always what a full rebuild gives.
#[test]
fn completion_lists_after_enter_match_a_full_rebuild() {
    let mut h = harness();
    for text in [
        "@Айгерим said it first #gender-equality",
        "A second note by nobody",
        "@Айгерим again #gender-equality",
        "@ILO new speaker #new-tag",
        "R: @Majilis a recommendation #labour-market #another",
        "@\u{202e}odd speaker #\u{1b}tag",
    ] {
        h.typ(text);
        h.press(KeyCode::Enter);
        h.flush();
        let (speakers, tags) = (h.app.speakers.clone(), h.app.tags.clone());
        h.app.refresh_names();
        assert_eq!(h.app.speakers, speakers, "after {text:?}");
        assert_eq!(h.app.tags, tags, "after {text:?}");
    }
    assert!(h.app.tags.iter().any(|t| t == "new-tag"));
    assert!(h.app.speakers.iter().any(|s| s == "ILO"));
}
