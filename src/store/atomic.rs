//! Atomic, durable, private writes.
//!
//! The order matters: write a temporary file in the same folder, fsync it,
//! rename it over the target, then fsync the folder so the rename itself
//! survives a power cut. A kill at any point leaves the whole old file or
//! the whole new one. `tempfile::persist` only renames, so the fsyncs are
//! ours.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents 0700. An existing folder keeps
/// its mode: it may be shared on purpose, and `check` reports it.
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    // mkdir applies the umask; set the mode explicitly so umask 000 cannot
    // widen it (and 077 cannot make it unusable).
    fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE))
}

/// Writes `bytes` to `path` atomically and durably, as a 0600 file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".rapporteur-")
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)?;
    // tempfile's mode goes through the umask too.
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    super::fault::check("write")?;
    tmp.write_all(bytes)?;
    super::fault::check("fsync")?;
    tmp.as_file().sync_all()?;
    super::fault::check("rename")?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Like [`write_atomic`], but fails with `AlreadyExists` instead of
/// replacing a file, so two sessions can never claim one name.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".rapporteur-")
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Creates or truncates a small private file in place (lock files).
pub fn open_private(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(path)?;
    f.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    Ok(f)
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
