//! What `check` says about a session's block clocks: runs that end before
//! they start, runs that overlap (a session runs one block at a time), and
//! a `spent_seconds` that is not the sum of its block's closed runs. This
//! program never writes any of these; a hand edit, another tool or an
//! older build can.

use std::fmt;

use crate::model::{Session, Stamp};

/// One run, named the way the user finds it in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    /// 1-based, as the app numbers blocks.
    pub block: usize,
    pub block_id: String,
    /// 1-based, in the block's `runs`.
    pub run: usize,
    pub start: Stamp,
    pub end: Option<Stamp>,
}

impl fmt::Display for RunRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "block {} ({:?}) run {} ({} to ",
            self.block, self.block_id, self.run, self.start
        )?;
        match &self.end {
            Some(e) => write!(f, "{e})"),
            None => f.write_str("still running)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockProblem {
    EndsBeforeStart(RunRef),
    /// `later` starts before `earlier` ends.
    Overlap {
        earlier: RunRef,
        later: RunRef,
    },
    SpentDisagrees {
        block: usize,
        block_id: String,
        recorded: i64,
        runs: i64,
    },
}

impl ClockProblem {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            ClockProblem::EndsBeforeStart(r) => format!(
                "set the run's \"end\" to {} or later (the wall clock was probably set back), \
                 then spent_seconds to the sum of the block's runs",
                r.start
            ),
            ClockProblem::Overlap { .. } => "one block's clock runs at a time: correct the \
                 \"start\" or \"end\" of one of the two runs, then the block's spent_seconds"
                .to_string(),
            ClockProblem::SpentDisagrees { runs, .. } => format!(
                "set spent_seconds to {runs} (the sum of the closed runs), or correct the runs"
            ),
        }
    }
}

impl fmt::Display for ClockProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClockProblem::EndsBeforeStart(r) => write!(f, "{r} ends before it starts"),
            ClockProblem::Overlap { earlier, later } => {
                write!(f, "{later} overlaps {earlier}")
            }
            ClockProblem::SpentDisagrees {
                block,
                block_id,
                recorded,
                runs,
            } => write!(
                f,
                "block {block} ({block_id:?}) has spent_seconds {recorded}, \
                 but its closed runs add up to {runs}"
            ),
        }
    }
}

impl Session {
    /// Every clock record that this program would not have written.
    pub fn clock_problems(&self) -> Vec<ClockProblem> {
        let mut out = Vec::new();
        let mut runs = Vec::new();
        for (bi, b) in self.blocks.iter().enumerate() {
            for (ri, r) in b.runs.iter().enumerate() {
                let run = RunRef {
                    block: bi + 1,
                    block_id: b.id.clone(),
                    run: ri + 1,
                    start: r.start,
                    end: r.end,
                };
                if r.end.is_some_and(|e| e.instant < r.start.instant) {
                    out.push(ClockProblem::EndsBeforeStart(run));
                } else {
                    runs.push(run);
                }
            }
            let sum = b.closed_seconds();
            if sum != b.spent_seconds {
                out.push(ClockProblem::SpentDisagrees {
                    block: bi + 1,
                    block_id: b.id.clone(),
                    recorded: b.spent_seconds,
                    runs: sum,
                });
            }
        }
        // In order of start, each run is compared with the one that reaches
        // furthest among those before it: touching (end == start) is fine.
        runs.sort_by_key(|r| r.start.instant);
        let mut reach: Option<&RunRef> = None;
        for r in &runs {
            if let Some(prev) = reach
                && prev.end.is_none_or(|e| r.start.instant < e.instant)
            {
                out.push(ClockProblem::Overlap {
                    earlier: prev.clone(),
                    later: r.clone(),
                });
            }
            let further = match (reach.map(|p| p.end), r.end) {
                (None, _) => true,
                (Some(None), _) => false,
                (Some(Some(_)), None) => true,
                (Some(Some(p)), Some(e)) => e.instant > p.instant,
            };
            if further {
                reach = Some(r);
            }
        }
        out
    }
}
