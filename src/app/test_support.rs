//! What the unit tests share: carrying out the state's effects at once,
//! against the real files, as the saver thread would.

use super::{Action, App, update};
use std::sync::Arc;

use crate::model::{Clock, ManualClock, Stamp};
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

/// Puts a `ManualClock` at `t0` in the app, for `tick_at`.
pub fn manual_clock(app: &mut App, t0: Stamp) -> Arc<ManualClock> {
    let clock = Arc::new(ManualClock::new(t0));
    app.set_clock(clock.clone());
    clock
}

/// Real time passing: both of `clock`'s clocks read `secs` past their
/// start (the wall clock past `t0`), and the app ticks.
pub fn tick_at(app: &mut App, clock: &ManualClock, t0: Stamp, secs: i64) {
    clock.set(t0.plus_seconds(secs), u64::try_from(secs).unwrap_or(0));
    update(app, Action::Tick(clock.wall()));
}
