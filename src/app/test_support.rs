//! What the unit tests share: carrying out the state's effects at once,
//! against the real files, as the saver thread would.

use super::{Action, App, update};
use crate::store;

/// Writes what `app` has queued and feeds the outcome back to it.
pub fn run_effects(app: &mut App) {
    let (job, _) = crate::tui::job_from(app.take_effects());
    if job.is_empty() {
        return;
    }
    let report = store::saver::execute(&app.path, job);
    update(app, Action::Saved(crate::tui::outcome(report)));
}
