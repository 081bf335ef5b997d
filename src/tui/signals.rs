//! The signals that would end the process by default and can be caught.
//! Each ends the interactive program the way Ctrl+Q does (save, restore
//! the terminal), and the process then exits with 128 + the signal's
//! number, as a shell expects of a process a signal ended.

use std::sync::atomic::{AtomicI32, Ordering};

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::cli::Failure;

/// Every catchable signal whose default action ends the process. SIGPIPE
/// is among them: Rust ignores it at start-up, so a write to a closed pipe
/// fails with EPIPE instead; once caught here it ends the program too.
const CAUGHT: [libc::c_int; 8] = [
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGPIPE,
];

/// The signal that ended the program, or 0.
static ENDED_BY: AtomicI32 = AtomicI32::new(0);

/// Listens for every signal in [`CAUGHT`].
pub struct Signals {
    streams: Vec<(libc::c_int, Signal)>,
}

impl Signals {
    /// A signal whose handler cannot be installed (none, on Linux) keeps
    /// its default action.
    pub fn listen() -> Signals {
        let streams = CAUGHT
            .iter()
            .filter_map(|&n| signal(SignalKind::from_raw(n)).ok().map(|s| (n, s)))
            .collect();
        Signals { streams }
    }

    /// Waits for the next signal and returns its number, which is also
    /// remembered for [`exit_status`].
    pub async fn recv(&mut self) -> libc::c_int {
        let n = std::future::poll_fn(|cx| {
            for (n, s) in &mut self.streams {
                if let std::task::Poll::Ready(Some(())) = s.poll_recv(cx) {
                    return std::task::Poll::Ready(*n);
                }
            }
            std::task::Poll::Pending
        })
        .await;
        ended_by(n);
        n
    }
}

/// Records that signal `n` ends the program (the first one counts).
pub fn ended_by(n: libc::c_int) {
    let _ = ENDED_BY.compare_exchange(0, n, Ordering::SeqCst, Ordering::SeqCst);
}

/// 128 + the number of the signal that ended the program, if one did.
pub fn exit_status() -> Option<i32> {
    match ENDED_BY.load(Ordering::SeqCst) {
        0 => None,
        n => Some(128 + n),
    }
}

/// Ends the process with 128 + n if signal n ended the program, once the
/// terminal is restored, after saying what `r` says went wrong; else
/// hands `r` back to the command line.
pub fn exit_if_ended(r: Result<(), Failure>) -> Result<(), Failure> {
    let Some(status) = exit_status() else {
        return r;
    };
    super::terminal::restore();
    if let Err(f) = r {
        eprintln!("rapporteur: {}", f.message);
        if let Some(h) = f.hint {
            eprintln!("  hint: {h}");
        }
    }
    std::process::exit(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_is_reported_with_its_number() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut signals = Signals::listen();
            assert_eq!(signals.streams.len(), CAUGHT.len());
            for n in CAUGHT {
                // SAFETY: raise(3) on this process, whose handler for `n`
                // is installed above.
                assert_eq!(unsafe { libc::raise(n) }, 0);
                assert_eq!(signals.recv().await, n);
            }
        });
        assert_eq!(exit_status(), Some(128 + CAUGHT[0]));
    }
}
