//! What the app does when the saver reports that another program changed
//! the session file (`store::guard`): take the reloaded session, or go
//! read-only, and say so in the header.

use super::state::{App, Effect, OutsideNote, Screen};
use crate::store::guard::{self, Outside};

pub(super) fn apply(app: &mut App, outside: Outside) {
    match outside {
        Outside::Reloaded {
            session,
            readded,
            mine,
            epoch,
        } => {
            let mut session = *session;
            // Entries committed after the job the saver reloaded in.
            let since = guard::readd_missing(&mut session, &app.session);
            replace_session(app, session);
            app.outside = Some(OutsideNote {
                banner: format!(
                    "Changed on disk by another program: reloaded, {} of your entries re-added; {}",
                    readded + since,
                    saved_as(&mine)
                ),
                frozen: false,
            });
            // Acknowledge the reload with a snapshot of what we now hold,
            // whose journal_seq the saver sets right.
            app.effects.push(Effect::Reloaded { epoch });
            super::update::request_session_save(app);
        }
        Outside::ReadOnly {
            why,
            mine,
            generation,
        } => {
            app.read_only = Some(format!("changed on disk by another program: {why}"));
            app.outside = Some(OutsideNote {
                banner: format!(
                    "Changed on disk by another program and not rewritten: {why}. {}; what you type is kept in the draft.",
                    capitalized(&saved_as(&mine))
                ),
                frozen: true,
            });
            if app.generation > generation {
                // Changes the saver's copy beside the file does not hold.
                super::update::request_session_save(app);
            }
        }
        Outside::Resend => super::update::request_session_save(app),
    }
}

fn saved_as(mine: &Result<std::path::PathBuf, String>) -> String {
    match mine {
        Ok(p) => format!("your version saved as {}", guard::file_name(p)),
        Err(e) => format!("your version could NOT be saved beside it ({e})"),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Takes `session` as the app's, keeping what the screens point at valid.
fn replace_session(app: &mut App, mut session: crate::model::Session) {
    // Stay in the block the rapporteur is in, if the file still has it.
    if let Some(cb) = &app.session.current_block
        && session.block_index(cb).is_some()
    {
        session.current_block = Some(cb.clone());
    }
    app.session = session;
    let n = app.current_entries().len();
    app.selected = app.selected.filter(|_| n > 0).map(|i| i.min(n - 1));
    if app.screen == Screen::Setup {
        app.setup.block = app
            .setup
            .block
            .min(app.session.blocks.len().saturating_sub(1));
    }
    // Undoing a deletion must not bring back an entry twice.
    let s = &app.session;
    app.undo.retain(|d| s.find_entry(&d.entry.id).is_none());
    app.appends_since_snapshot = 0;
    app.refresh_names();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Action, Effect, SaveOutcome, update};
    use crate::model::{Entry, Kind, Session, Stamp, Template};

    fn app() -> App {
        let now = Stamp::now();
        let mut s = Session::from_template(&Template::builtin(), Some("T"), now);
        s.blocks[0]
            .entries
            .push(Entry::new(Kind::Note, "ours", None, now));
        App::new(s, "/nowhere/t.json".into(), None, None, now)
    }

    fn report(outside: Outside) -> Action {
        Action::Saved(SaveOutcome {
            session: Some(Ok(1)),
            appended: None,
            draft: None,
            templates: vec![],
            exports: vec![],
            outside: Some(outside),
        })
    }

    fn type_text(app: &mut App, text: &str) {
        update(app, Action::Paste(text.into()));
    }

    #[test]
    fn a_reload_keeps_what_was_typed_since_and_is_acknowledged() {
        let mut app = app();
        let mut disk = app.session.clone();
        disk.blocks[0]
            .entries
            .push(Entry::new(Kind::Note, "theirs", None, Stamp::now()));
        // Committed after the job the saver reloaded in.
        app.session.blocks[0]
            .entries
            .push(Entry::new(Kind::Note, "since", None, Stamp::now()));
        app.generation = 2;
        update(
            &mut app,
            report(Outside::Reloaded {
                session: Box::new(disk),
                readded: 1,
                mine: Ok("/nowhere/t.json.mine-20110519-100000".into()),
                epoch: 3,
            }),
        );
        let texts: Vec<&str> = app.session.blocks[0]
            .entries
            .iter()
            .map(|e| e.text.raw())
            .collect();
        assert_eq!(texts, ["ours", "theirs", "since"]);
        let banner = &app.outside.as_ref().expect("banner").banner;
        assert!(banner.contains("2 of your entries re-added"), "{banner}");
        assert!(banner.contains("t.json.mine-20110519-100000"), "{banner}");
        let effects = app.take_effects();
        assert_eq!(effects[0], Effect::Reloaded { epoch: 3 });
        assert!(matches!(
            effects[1],
            Effect::SaveSession { generation: 3, .. }
        ));
        assert!(app.read_only.is_none());
    }

    #[test]
    fn read_only_after_an_outside_change_keeps_the_draft_and_quits_cleanly() {
        let mut app = app();
        app.generation = 2;
        update(
            &mut app,
            report(Outside::ReadOnly {
                why: "a newer rapporteur rewrote it (schema 2)".into(),
                mine: Ok("/nowhere/t.json.mine-x".into()),
                generation: 1,
            }),
        );
        assert!(app.read_only.is_some());
        // Generation 2 is newer than what went beside the file: resent.
        assert!(
            app.take_effects()
                .iter()
                .any(|e| matches!(e, Effect::SaveSession { .. }))
        );
        type_text(&mut app, "typed while read-only");
        update(&mut app, Action::SaveDraftNow);
        assert!(
            app.take_effects()
                .iter()
                .any(|e| matches!(e, Effect::SaveDraft(d) if d.text == "typed while read-only"))
        );
        // Enter commits nothing and keeps the text.
        update(
            &mut app,
            Action::Key(ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Enter,
            )),
        );
        assert_eq!(app.draft_text(), "typed while read-only");
        assert_eq!(app.session.entry_count(), 1);
        // Quitting saves the draft and leaves once it is saved, no question.
        update(
            &mut app,
            Action::Key(ratatui::crossterm::event::KeyEvent::new(
                ratatui::crossterm::event::KeyCode::Char('q'),
                ratatui::crossterm::event::KeyModifiers::CONTROL,
            )),
        );
        assert_eq!(app.modal, None);
        assert!(
            app.take_effects()
                .iter()
                .any(|e| matches!(e, Effect::SaveDraft(_)))
        );
        update(
            &mut app,
            Action::Saved(SaveOutcome {
                session: Some(Ok(3)),
                appended: None,
                draft: Some(Ok(())),
                templates: vec![],
                exports: vec![],
                outside: None,
            }),
        );
        assert!(app.quit);
    }
}
