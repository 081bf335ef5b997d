//! Signals outside the interactive screens (those are in `faults.rs`,
//! in a real terminal): a command whose standard output is a pipe that
//! nobody reads any more ends quietly, killed by SIGPIPE as other Unix
//! tools are, instead of panicking on EPIPE.

use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

/// A pipe whose reading end is already closed: every write to the other
/// end fails with EPIPE (and raises SIGPIPE).
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills the two descriptors, which we then own.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
    // SAFETY: both descriptors are ours and open.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

fn run_into_closed_pipe(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .args(args)
        .env("RAPPORTEUR_SESSIONS_DIR", dir)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .output()
        .expect("run rapporteur")
}

#[test]
fn commands_writing_to_a_closed_pipe_end_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sessions = dir.path().join("sessions");
    let out = Command::new(env!("CARGO_BIN_EXE_rapporteur"))
        .args(["new", "--no-open", "--title", "Piped"])
        .env("RAPPORTEUR_SESSIONS_DIR", &sessions)
        .output()
        .expect("run new");
    assert!(out.status.success(), "new: {out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let id = stdout.split('\t').next().unwrap_or_default().trim();
    for args in [
        &["new", "--no-open", "--title", "Into a closed pipe"][..],
        &["check"],
        &["list"],
        &["list", "--json"],
        &["search", "Piped"],
        &["show", id],
        &["export", id, "--format", "md"],
    ] {
        let out = run_into_closed_pipe(&sessions, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?} into a closed pipe: {stderr}"
        );
        assert!(
            out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
            "{args:?} into a closed pipe ended with {}: {stderr}",
            out.status
        );
    }
}
