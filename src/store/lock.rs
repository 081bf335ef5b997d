//! One writer per session.
//!
//! The lock is an flock on a sidecar file, not on the JSON: every save
//! renames a new inode over the JSON, which would silently drop a lock
//! held on the old one. The kernel releases the lock when the holder dies,
//! so a crash never leaves a stale lock behind; the file's text only says
//! who holds it.

use std::fs::{self, File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::atomic::open_private;
use super::error::StoreError;
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
    let mut file = open_private(&path).map_err(lock_err)?;
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
    let _ = file
        .set_len(0)
        .and_then(|_| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(note.as_bytes()));
    Ok(SessionLock { _file: file, path })
}

/// Whether another process holds the session's lock right now.
pub fn is_locked(session_path: &Path) -> Option<String> {
    let path = lock_path(session_path);
    let file = File::open(&path).ok()?;
    match file.try_lock_shared() {
        Err(TryLockError::WouldBlock) => Some(holder(&path)),
        _ => None,
    }
}

fn holder(path: &Path) -> String {
    let mut text = String::new();
    let _ = fs::File::open(path).and_then(|f| f.take(512).read_to_string(&mut text));
    let text = crate::text::sanitize(text.trim());
    if text.is_empty() {
        "holder unknown".to_string()
    } else {
        text.into_owned()
    }
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
