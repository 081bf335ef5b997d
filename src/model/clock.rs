//! Block clocks. The time a block has run is measured on a monotonic
//! clock (`Instant`), which no NTP step, suspend-time fix or hand-set
//! system clock moves; wall-clock stamps are only recorded, as the times
//! the room saw. A run this process closes ends at its start plus what the
//! monotonic clock measured, so a jump back cannot end it before it
//! starts, and a jump forward adds no time.
//!
//! A run read from a file has no `Instant` (the process that started it
//! is gone, or is another program): it is measured on the wall clock up
//! to the first time this process looks at it, and monotonically from
//! then on. Closed runs keep their recorded seconds.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Block, Extra, Run, Session, Stamp};

/// Where the program reads the time: the system's clocks, or in tests a
/// [`ManualClock`] whose wall time can jump.
pub trait Clock: Send + Sync {
    /// The wall clock, for stamps that are recorded and shown.
    fn wall(&self) -> Stamp;
    /// The monotonic clock, for durations.
    fn mono(&self) -> Instant;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn wall(&self) -> Stamp {
        Stamp::now()
    }

    fn mono(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to: `advance` moves both clocks,
/// `jump_wall` only the wall clock, as an NTP step or a user would.
pub struct ManualClock {
    origin: Instant,
    now: Mutex<(Stamp, Instant)>,
}

impl ManualClock {
    pub fn new(wall: Stamp) -> ManualClock {
        let origin = Instant::now();
        ManualClock {
            origin,
            now: Mutex::new((wall, origin)),
        }
    }

    /// The wall clock reads `wall`, the monotonic clock `secs` past its
    /// reading at `new`.
    pub fn set(&self, wall: Stamp, secs: u64) {
        let mono = self.origin + Duration::from_secs(secs);
        self.with(|now| *now = (wall, mono));
    }

    fn with<T>(&self, f: impl FnOnce(&mut (Stamp, Instant)) -> T) -> T {
        // A test that panicked while holding the lock has failed already.
        let mut g = self.now.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut g)
    }

    /// Real time passes: both clocks move by `secs`.
    pub fn advance(&self, secs: u64) {
        self.with(|(wall, mono)| {
            *wall = wall.plus_seconds(i64::try_from(secs).unwrap_or(i64::MAX));
            *mono += Duration::from_secs(secs);
        });
    }

    /// The wall clock is set `secs` forward (negative: back); no time passes.
    pub fn jump_wall(&self, secs: i64) {
        self.with(|(wall, _)| *wall = wall.plus_seconds(secs));
    }
}

impl Clock for ManualClock {
    fn wall(&self) -> Stamp {
        self.with(|(wall, _)| *wall)
    }

    fn mono(&self) -> Instant {
        self.with(|(_, mono)| *mono)
    }
}

/// What the monotonic clock says about one run. In memory only, and left
/// out of comparisons: two runs are equal when their records are.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Measure(Option<Anchor>);

#[derive(Debug, Clone, Copy)]
struct Anchor {
    /// The monotonic reading the measure counts from.
    at: Instant,
    /// Seconds the run had lasted at `at`.
    before: i64,
    /// Seconds the run had lasted at the last reading.
    secs: i64,
}

impl PartialEq for Measure {
    fn eq(&self, _: &Measure) -> bool {
        true
    }
}

fn secs_between(from: Instant, to: Instant) -> i64 {
    to.checked_duration_since(from)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Run {
    /// Seconds from start to end as recorded, never negative.
    pub fn recorded_seconds(&self) -> Option<i64> {
        self.end.map(|end| self.start.seconds_until(&end))
    }

    /// Seconds the open run has lasted: measured, when this process has
    /// measured it, else on the wall clock up to `now`.
    fn open_seconds(&self, now: &Stamp) -> i64 {
        match self.measure.0 {
            Some(a) => a.secs,
            None => self.start.seconds_until(now),
        }
    }
}

impl Block {
    pub fn is_running(&self) -> bool {
        self.runs.last().is_some_and(|r| r.end.is_none())
    }

    /// Seconds spent, counting the open run: as far as this process has
    /// measured it (see [`Session::observe_clock`]), or up to `now` on the
    /// wall clock for a run it has not measured.
    pub fn spent_at(&self, now: &Stamp) -> i64 {
        let open = self
            .runs
            .last()
            .filter(|r| r.end.is_none())
            .map(|r| r.open_seconds(now))
            .unwrap_or(0);
        // Saturating: a hand-edited total must not overflow.
        self.spent_seconds.saturating_add(open)
    }

    fn start_run(&mut self, start: Stamp) {
        if !self.is_running() {
            self.runs.push(Run {
                start,
                end: None,
                extra: Extra::new(),
                measure: Measure::default(),
            });
        }
    }

    fn stop_run(&mut self, now: Stamp) {
        if let Some(run) = self.runs.last_mut().filter(|r| r.end.is_none()) {
            let secs = run.open_seconds(&now);
            self.spent_seconds = self.spent_seconds.saturating_add(secs);
            // From the start, not `now`: the wall clock may have jumped.
            run.end = Some(run.start.plus_seconds(secs));
        }
    }

    /// The end of this block's last run, if this process measured it: a
    /// run started after it must not start before it.
    fn measured_end(&self) -> Option<Stamp> {
        let last = self.runs.last()?;
        last.measure.0.and(last.end)
    }

    /// Recomputes `spent_seconds` from the closed runs, so a hand-edited or
    /// damaged total cannot drift from the runs it summarises.
    pub fn recount(&mut self) {
        self.spent_seconds = self.closed_seconds();
    }

    /// The sum of the closed runs, as `spent_seconds` should be.
    pub fn closed_seconds(&self) -> i64 {
        self.runs
            .iter()
            .filter_map(Run::recorded_seconds)
            .fold(0i64, i64::saturating_add)
    }
}

impl Session {
    /// Brings the measure of every open run up to the monotonic reading
    /// `mono`, taken at wall time `wall`. A run not measured yet starts
    /// its measure here, from what the wall clock says it has lasted.
    pub fn observe_clock(&mut self, mono: Instant, wall: &Stamp) {
        for b in &mut self.blocks {
            let Some(run) = b.runs.last_mut().filter(|r| r.end.is_none()) else {
                continue;
            };
            match &mut run.measure.0 {
                Some(a) => a.secs = a.before.saturating_add(secs_between(a.at, mono)),
                None => {
                    let before = run.start.seconds_until(wall);
                    run.measure.0 = Some(Anchor {
                        at: mono,
                        before,
                        secs: before,
                    });
                }
            }
        }
    }

    /// Forgets every measure: the next [`observe_clock`] starts again
    /// from the wall clock (for a change of clock).
    ///
    /// [`observe_clock`]: Session::observe_clock
    pub fn forget_measures(&mut self) {
        for r in self.blocks.iter_mut().flat_map(|b| b.runs.iter_mut()) {
            r.measure = Measure::default();
        }
    }

    /// Keeps the measures of `old`'s open runs that are still open here,
    /// the same run (block and start) reread from the file.
    pub fn keep_measures_of(&mut self, old: &Session) {
        for b in &mut self.blocks {
            let Some(run) = b.runs.last_mut().filter(|r| r.end.is_none()) else {
                continue;
            };
            let same = old
                .blocks
                .iter()
                .filter(|o| o.id == b.id)
                .filter_map(|o| o.runs.last())
                .find(|o| o.end.is_none() && o.start == run.start);
            if let Some(o) = same {
                run.measure = o.measure;
            }
        }
    }

    /// Starts the clock of the current block, unless the session is paused
    /// or ended. The run starts at `now`, or where the last run this
    /// process measured ended if the wall clock is behind that: runs do
    /// not overlap.
    pub fn start_clock(&mut self, now: Stamp) {
        if self.paused_at.is_some() || self.ended.is_some() {
            return;
        }
        let start = self
            .blocks
            .iter()
            .filter_map(Block::measured_end)
            .fold(now, |a, e| if e.instant > a.instant { e } else { a });
        let i = self.current_index();
        if let Some(b) = self.blocks.get_mut(i) {
            b.start_run(start);
        }
    }

    /// Stops every open run. Only the current block should have one, but a
    /// hand-edited file may hold more.
    pub fn stop_clock(&mut self, now: Stamp) {
        for b in &mut self.blocks {
            b.stop_run(now);
        }
    }

    /// Makes block `index` the running one: the block left stops its clock,
    /// the block entered starts its own.
    pub fn switch_block(&mut self, index: usize, now: Stamp) -> bool {
        if index >= self.blocks.len() || index == self.current_index() {
            return false;
        }
        self.stop_clock(now);
        self.current_block = Some(self.blocks[index].id.clone());
        self.start_clock(now);
        true
    }

    pub fn pause(&mut self, now: Stamp) {
        if self.paused_at.is_none() {
            self.stop_clock(now);
            self.paused_at = Some(now);
        }
    }

    pub fn resume(&mut self, now: Stamp) {
        if self.paused_at.take().is_some() {
            self.start_clock(now);
        }
    }

    /// Closes runs left open by a process that died. The best estimate of
    /// when it stopped is the last time it wrote anything.
    pub fn close_stale_runs(&mut self, last_alive: Stamp) {
        for b in &mut self.blocks {
            if let Some(run) = b.runs.last_mut().filter(|r| r.end.is_none()) {
                let end = if last_alive.instant < run.start.instant {
                    run.start
                } else {
                    last_alive
                };
                b.spent_seconds = b
                    .spent_seconds
                    .saturating_add(run.start.seconds_until(&end));
                run.end = Some(end);
            }
        }
    }

    pub fn spent_at(&self, now: &Stamp) -> i64 {
        self.blocks
            .iter()
            .map(|b| b.spent_at(now))
            .fold(0, i64::saturating_add)
    }

    /// Planned time still ahead: what is left of the current block and of
    /// every block after it. Blocks before it are taken as done.
    pub fn remaining_planned(&self, now: &Stamp) -> i64 {
        let cur = self.current_index();
        self.blocks
            .iter()
            .skip(cur)
            .map(|b| b.planned_seconds().saturating_sub(b.spent_at(now)).max(0))
            .fold(0, i64::saturating_add)
    }

    /// When the session will end if every block from here on takes its
    /// planned time.
    pub fn projected_end(&self, now: &Stamp) -> Stamp {
        now.plus_seconds(self.remaining_planned(now))
    }
}

mod check;
pub use check::ClockProblem;
