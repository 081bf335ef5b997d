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
