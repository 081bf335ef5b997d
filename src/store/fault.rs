//! Fault injection for the reliability suite, compiled into debug builds
//! only. A test points `RAPPORTEUR_FAULTS` at a file and writes into it the
//! faults to inject, one a line; the file is read again before every
//! write, so a test can make the disk "full" and then free it.
//!
//! | line | effect |
//! | --- | --- |
//! | `write` | writing a file fails with ENOSPC (a full disk) |
//! | `fsync` | fsync fails with EIO |
//! | `rename` | the rename over the session fails with EIO |
//! | `panic-update` | the next key handled panics |
//! | `panic-render` | the next frame drawn panics |
//! | `panic-save` | the saver thread panics on its next job |
//! | `hang-write` | writing a file blocks (a hung disk, a FIFO) until the line goes |
//!
//! Release builds ignore the variable.

use std::io;

pub const ENV: &str = "RAPPORTEUR_FAULTS";

#[cfg(debug_assertions)]
pub fn active(name: &str) -> bool {
    let Some(path) = std::env::var_os(ENV) else {
        return false;
    };
    std::fs::read_to_string(path)
        .map(|s| s.lines().any(|l| l.trim() == name))
        .unwrap_or(false)
}

#[cfg(not(debug_assertions))]
pub fn active(_name: &str) -> bool {
    false
}

/// An injected I/O error, if `name` is active. Blocks first while
/// `hang-NAME` is active.
pub fn check(name: &str) -> io::Result<()> {
    while active(&format!("hang-{name}")) {
        // Asleep, as a thread blocked in the kernel would be.
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    if !active(name) {
        return Ok(());
    }
    let errno = match name {
        "write" => libc::ENOSPC,
        _ => libc::EIO,
    };
    Err(io::Error::from_raw_os_error(errno))
}

/// Panics, if `panic-SITE` is active: proves the terminal comes back and
/// the draft is kept whatever part of the program fails.
pub fn panic_at(site: &str) {
    if active(&format!("panic-{site}")) {
        panic!("injected panic at {site}");
    }
}
