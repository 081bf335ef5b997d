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
        // Stamps keep whole seconds, so blocks switched within one second
        // leave runs that start and end in it, followed by one starting
        // there: on a tie of starts the shorter run came first, and an
        // open run last.
        runs.sort_by_key(|r| (r.start.instant, r.end.is_none(), r.end.map(|e| e.instant)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Session, Template};

    fn at(secs: i64) -> Stamp {
        let t0: Stamp = "2011-05-19T10:00:00+06:00".parse().unwrap();
        t0.plus_seconds(secs)
    }

    /// Block `b` gets the closed run `from..to` (seconds after 10:00).
    fn run(s: &mut Session, b: usize, from: i64, to: Option<i64>) {
        s.current_block = Some(s.blocks[b].id.clone());
        s.start_clock(at(from));
        if let Some(to) = to {
            s.stop_clock(at(to));
        }
    }

    fn overlaps(s: &Session) -> Vec<(usize, usize)> {
        s.clock_problems()
            .iter()
            .filter_map(|p| match p {
                ClockProblem::Overlap { earlier, later } => Some((earlier.block, later.block)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn runs_within_one_second_before_a_run_from_it_do_not_overlap() {
        let mut s = Session::from_template(&Template::builtin(), None, at(0));
        // Ctrl+N, Ctrl+N, Ctrl+P, Ctrl+P within second 12, in a later
        // block first: whatever the order of blocks, one after another.
        run(&mut s, 2, 12, Some(12));
        run(&mut s, 1, 12, Some(12));
        run(&mut s, 0, 12, Some(13));
        run(&mut s, 2, 13, None);
        assert_eq!(s.clock_problems(), vec![]);
    }

    #[test]
    fn runs_from_one_second_that_both_last_do_overlap() {
        let mut s = Session::from_template(&Template::builtin(), None, at(0));
        run(&mut s, 1, 12, Some(14));
        run(&mut s, 0, 12, Some(13));
        assert_eq!(overlaps(&s), [(1, 2)]);
        // Nor may an open run start in a second another run lasts past.
        let mut s = Session::from_template(&Template::builtin(), None, at(0));
        run(&mut s, 0, 12, Some(13));
        run(&mut s, 1, 12, None);
        assert!(s.blocks[1].is_running());
        assert_eq!(overlaps(&s), [(1, 2)]);
    }
}
