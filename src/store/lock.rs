//! One writer per session.
//!
//! The lock is an flock on a sidecar file, not on the JSON: every save
//! renames a new inode over the JSON, which would silently drop a lock
//! held on the old one. The kernel releases the lock when the holder dies,
//! so a crash never leaves a stale lock behind; the file's text only says
//! who holds it.

use std::fs::{File, TryLockError};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::files::{self, Dir};
use crate::model::Stamp;

#[derive(Debug)]
pub struct SessionLock {
    // Held for its lock; closing the file releases it.
    _file: File,
    path: PathBuf,
}

impl SessionLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

pub fn lock_path(session_path: &Path) -> PathBuf {
    sidecar(session_path, "lock")
}

/// `.NAME.json.KIND` beside the session: hidden, so that listings and
/// version control see only the sessions.
pub fn sidecar(session_path: &Path, kind: &str) -> PathBuf {
    let name = session_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    session_path.with_file_name(format!(".{name}.{kind}"))
}

pub fn acquire(session_path: &Path) -> Result<SessionLock, StoreError> {
    let path = lock_path(session_path);
    let lock_err = |source| StoreError::Lock {
        path: path.clone(),
        source,
    };
    // Never through a link or onto a FIFO planted at the lock's name: that
    // would truncate or block on a file that is not ours.
    let mut file = Dir::of(&path)
        .and_then(|(dir, name)| dir.open_rw(name))
        .map_err(lock_err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(StoreError::Locked {
                path: session_path.to_path_buf(),
                holder: holder(&path),
            });
        }
        Err(TryLockError::Error(e)) => return Err(lock_err(e)),
    }
    let note = format!(
        "pid {} on {} since {}\n",
        std::process::id(),
        hostname(),
        Stamp::now()
    );
    // Only informative: a failure here must not cost the user the session.
    // Write first and cut after, so a reader never finds the file empty.
    let _ = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(note.as_bytes()))
        .and_then(|_| file.set_len(note.len() as u64));
    Ok(SessionLock { _file: file, path })
}

/// Whether another process holds the session's lock right now.
pub fn is_locked(session_path: &Path) -> Option<String> {
    let path = lock_path(session_path);
    let file: File = files::open_read(&path).ok()?;
    match file.try_lock_shared() {
        Err(TryLockError::WouldBlock) => Some(holder(&path)),
        _ => None,
    }
}

/// Who holds the lock, as the holder wrote it. A holder that has just
/// taken the lock may not have written yet, and the text may still name
/// an earlier holder that has died; both settle within milliseconds.
fn holder(path: &Path) -> String {
    let mut last = String::new();
    for _ in 0..20 {
        let bytes = files::read(path, 512).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).trim().to_string();
        if !text.is_empty() && holder_alive(&text) {
            return crate::model::display::sanitize(&text).into_owned();
        }
        if !text.is_empty() {
            last = text;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    if last.is_empty() {
        "holder unknown".to_string()
    } else {
        crate::model::display::sanitize(&last).into_owned()
    }
}

/// Whether the pid in "pid N on HOST since …" is alive (on this host).
fn holder_alive(text: &str) -> bool {
    let Some(pid) = text
        .strip_prefix("pid ")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse::<i32>().ok())
    else {
        return true;
    };
    let on_this_host = text.contains(&format!(" on {} ", hostname()));
    if !on_this_host || pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    let exists = rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    // A process that has exited but not been reaped still "exists"; it
    // holds no lock.
    exists && !zombie(pid)
}

fn zombie(pid: i32) -> bool {
    // /proc/PID/stat: "PID (comm) STATE …"; comm may hold spaces and
    // parentheses, so the state follows the last ')'.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rfind(')')
                .map(|i| s[i + 1..].trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at
    // most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown host".to_string();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}
