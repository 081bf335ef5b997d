//! Every open, write, rename and removal of a file in the app's folders
//! (sessions, their sidecars, templates, exports, the trash) goes through
//! here, so that one place keeps the rule: **write only files we own,
//! never through a link, and never wait forever on one.**
//!
//! - Each file is reached as a name inside an open folder (`openat` on the
//!   folder's descriptor), never as a path resolved again and again: a name
//!   is one component, so nothing can lead out of the folder.
//! - The last component is never followed (`O_NOFOLLOW`): a link planted
//!   at a sidecar's name is refused, not written through.
//! - Opens carry `O_NONBLOCK`, so a FIFO planted at a name cannot hang us,
//!   and `fstat` after the open refuses anything but a regular file.
//! - New files are created `O_CREAT|O_EXCL` and made 0600 whatever the
//!   umask; replacing a file is a rename of a new file over it, after
//!   checking that the old one is a regular file.
//!
//! rustix (already in the tree through tempfile) gives exactly these
//! system calls; cap-std would wrap the same calls in a capability layer
//! whose sandboxing of intermediate components we do not need, as every
//! name here is a single component.
//!
//! The folder itself is opened following links: the user chose it, and a
//! sessions folder linked into a synced folder is a fair setup. Folders
//! the app makes inside it (the trash) are never followed.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, RenameFlags, Stat};

pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

/// What stands at a name where the app wanted a regular file of its own.
/// Carried inside an `io::Error`, so every caller reports it as the
/// failed write or read it is, with the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} stands there, not a file rapporteur wrote; it was left untouched and nothing was written through it"
)]
pub struct NotOurs {
    pub what: &'static str,
}

impl NotOurs {
    /// The refusal inside `e`, if `e` is one.
    pub fn of(e: &io::Error) -> Option<NotOurs> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<NotOurs>())
            .copied()
    }
}

fn refuse(what: &'static str) -> io::Error {
    io::Error::other(NotOurs { what })
}

/// Names a file type as a user would.
pub fn describe(ft: FileType) -> &'static str {
    match ft {
        FileType::RegularFile => "a regular file",
        FileType::Directory => "a folder",
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a named pipe (FIFO)",
        FileType::Socket => "a socket",
        FileType::CharacterDevice | FileType::BlockDevice => "a device",
        FileType::Unknown => "something that is not a regular file",
    }
}

fn file_type(st: &Stat) -> FileType {
    FileType::from_raw_mode(st.st_mode)
}

/// Refuses names that are not one plain component: the folder's
/// descriptor must bound every name.
fn checked(name: &OsStr) -> io::Result<&OsStr> {
    let b = name.as_bytes();
    if b.is_empty() || b == b"." || b == b".." || b.contains(&b'/') || b.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a plain file name",
        ));
    }
    Ok(name)
}

/// ELOOP from `O_NOFOLLOW` means a link stood at the name.
fn open_err(e: rustix::io::Errno) -> io::Error {
    if e == rustix::io::Errno::LOOP {
        refuse("a symbolic link")
    } else {
        e.into()
    }
}

/// An open folder; files are reached by name inside it.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

impl Dir {
    /// The folder at `path`, which the user chose: links on the way to it
    /// are followed.
    pub fn open(path: &Path) -> io::Result<Dir> {
        let fd = rustix::fs::openat(
            rustix::fs::CWD,
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Dir {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The folder that holds `path`, and `path`'s name in it.
    pub fn of(path: &Path) -> io::Result<(Dir, &OsStr)> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        Ok((Dir::open(parent(path))?, name))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: &OsStr) -> PathBuf {
        self.path.join(name)
    }

    /// A folder inside this one, never reached through a link.
    pub fn sub(&self, name: &OsStr) -> io::Result<Dir> {
        let fd = rustix::fs::openat(
            &self.fd,
            checked(name)?,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| match e {
            // O_DIRECTORY|O_NOFOLLOW on a link fails with ENOTDIR.
            rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => match self.kind(name) {
                Ok(Some(ft)) => refuse(describe(ft)),
                _ => e.into(),
            },
            e => e.into(),
        })?;
        Ok(Dir {
            fd,
            path: self.path.join(name),
        })
    }

    /// [`Dir::sub`], made 0700 first if it is missing.
    pub fn sub_create(&self, name: &OsStr) -> io::Result<Dir> {
        match rustix::fs::mkdirat(&self.fd, checked(name)?, Mode::from_raw_mode(DIR_MODE)) {
            Ok(()) => {
                let d = self.sub(name)?;
                // mkdir applies the umask.
                rustix::fs::fchmod(&d.fd, Mode::from_raw_mode(DIR_MODE))?;
                self.sync()?;
                Ok(d)
            }
            Err(rustix::io::Errno::EXIST) => self.sub(name),
            Err(e) => Err(e.into()),
        }
    }

    /// What stands at `name`, without following a link; `None` if nothing.
    pub fn kind(&self, name: &OsStr) -> io::Result<Option<FileType>> {
        match rustix::fs::statat(&self.fd, checked(name)?, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(file_type(&st))),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The `stat` of `name`, without following a link.
    pub fn stat(&self, name: &OsStr) -> io::Result<Option<Stat>> {
        match rustix::fs::statat(&self.fd, checked(name)?, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(st)),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn open_regular(&self, name: &OsStr, flags: OFlags, mode: u32) -> io::Result<File> {
        // Look before opening: opening a device can act on it, and a FIFO
        // opened for writing without a reader fails with a puzzling ENXIO.
        // The fstat below closes the race with a swap after this look.
        match self.kind(name)? {
            None | Some(FileType::RegularFile) => {}
            Some(other) => return Err(refuse(describe(other))),
        }
        let fd = rustix::fs::openat(
            &self.fd,
            name,
            flags | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        )
        .map_err(open_err)?;
        let st = rustix::fs::fstat(&fd)?;
        match file_type(&st) {
            FileType::RegularFile => Ok(File::from(fd)),
            other => Err(refuse(describe(other))),
        }
    }

    /// Opens a regular file for reading.
    pub fn open_read(&self, name: &OsStr) -> io::Result<File> {
        self.open_regular(name, OFlags::RDONLY, 0)
    }

    /// Reads at most `limit + 1` bytes of a regular file (so a caller can
    /// tell "too large" from "exactly the limit").
    pub fn read(&self, name: &OsStr, limit: u64) -> io::Result<Vec<u8>> {
        let f = self.open_read(name)?;
        let len = f.metadata()?.len();
        // Never more than the file holds now: the limit is a bound, not a size.
        let mut bytes = Vec::with_capacity(len.min(limit.saturating_add(1)).min(1 << 20) as usize);
        f.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Opens `name` for appending, creating it 0600 if missing. Says
    /// whether it was created.
    pub fn open_append(&self, name: &OsStr) -> io::Result<(File, bool)> {
        match self.open_regular(
            name,
            OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | OFlags::EXCL,
            FILE_MODE,
        ) {
            Ok(f) => {
                private(&f)?;
                Ok((f, true))
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok((
                self.open_regular(name, OFlags::WRONLY | OFlags::APPEND, 0)?,
                false,
            )),
            Err(e) => Err(e),
        }
    }

    /// Opens `name` for reading and writing, creating it 0600 if missing
    /// (lock files).
    pub fn open_rw(&self, name: &OsStr) -> io::Result<File> {
        match self.open_regular(
            name,
            OFlags::RDWR | OFlags::CREATE | OFlags::EXCL,
            FILE_MODE,
        ) {
            Ok(f) => {
                private(&f)?;
                Ok(f)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                self.open_regular(name, OFlags::RDWR, 0)
            }
            Err(e) => Err(e),
        }
    }

    /// Empties a regular file, if there is one at `name`.
    pub fn truncate(&self, name: &OsStr) -> io::Result<()> {
        match self.open_regular(name, OFlags::WRONLY, 0) {
            Ok(f) => {
                f.set_len(0)?;
                f.sync_data()
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Replaces `name` with `bytes`, atomically and durably: a new 0600
    /// file in the folder, fsynced, renamed over the old one, then the
    /// folder fsynced. Whatever stands at `name` must be a regular file:
    /// a link, a FIFO or a folder there is refused and left as it is.
    pub fn write_atomic(&self, name: &OsStr, bytes: &[u8]) -> io::Result<()> {
        self.replaceable(name)?;
        let tmp = self.write_temp(bytes, true)?;
        let moved = super::fault::check("rename").and_then(|()| {
            rustix::fs::renameat(&self.fd, &tmp, &self.fd, name).map_err(io::Error::from)
        });
        self.finish_temp(&tmp, moved)
    }

    /// [`Dir::write_atomic`] of a file that must not exist yet: fails with
    /// `AlreadyExists` instead of replacing anything.
    pub fn write_new(&self, name: &OsStr, bytes: &[u8]) -> io::Result<()> {
        checked(name)?;
        let tmp = self.write_temp(bytes, true)?;
        let moved = super::fault::check("rename").and_then(|()| self.rename_noreplace(&tmp, name));
        self.finish_temp(&tmp, moved)
    }

    /// [`Dir::write_atomic`] without the fsyncs, for caches and records
    /// that are rebuilt when lost.
    pub fn write_quick(&self, name: &OsStr, bytes: &[u8]) -> io::Result<()> {
        self.replaceable(name)?;
        let tmp = self.write_temp(bytes, false)?;
        let moved = rustix::fs::renameat(&self.fd, &tmp, &self.fd, name).map_err(io::Error::from);
        match moved {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = rustix::fs::unlinkat(&self.fd, &tmp, AtFlags::empty());
                Err(e)
            }
        }
    }

    fn replaceable(&self, name: &OsStr) -> io::Result<()> {
        match self.kind(name)? {
            None | Some(FileType::RegularFile) => Ok(()),
            Some(other) => Err(refuse(describe(other))),
        }
    }

    /// Writes `bytes` to a fresh hidden file in the folder; its name.
    fn write_temp(&self, bytes: &[u8], durable: bool) -> io::Result<OsString> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut attempt = 0;
        let (tmp, file) = loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let tmp = OsString::from(format!(
                ".rapporteur-{}-{n}-{nanos:08x}.tmp",
                std::process::id()
            ));
            match self.open_regular(
                &tmp,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL,
                FILE_MODE,
            ) {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let written = (|| {
            private(&file)?;
            super::fault::check("write")?;
            (&file).write_all(bytes)?;
            if durable {
                super::fault::check("fsync")?;
                file.sync_all()?;
            }
            Ok(())
        })();
        match written {
            Ok(()) => Ok(tmp),
            Err(e) => {
                let _ = rustix::fs::unlinkat(&self.fd, &tmp, AtFlags::empty());
                Err(e)
            }
        }
    }

    fn finish_temp(&self, tmp: &OsStr, moved: io::Result<()>) -> io::Result<()> {
        match moved {
            Ok(()) => self.sync(),
            Err(e) => {
                let _ = rustix::fs::unlinkat(&self.fd, tmp, AtFlags::empty());
                Err(e)
            }
        }
    }

    fn rename_noreplace(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        match rustix::fs::renameat_with(&self.fd, from, &self.fd, to, RenameFlags::NOREPLACE) {
            Ok(()) => Ok(()),
            // File systems without RENAME_NOREPLACE: a hard link also fails
            // on an existing name, and never replaces it.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
                rustix::fs::linkat(&self.fd, from, &self.fd, to, AtFlags::empty())?;
                let _ = rustix::fs::unlinkat(&self.fd, from, AtFlags::empty());
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the regular file at `name`. Nothing there is fine; a link or
    /// anything else is refused and left. Says whether a file went.
    pub fn remove(&self, name: &OsStr) -> io::Result<bool> {
        match self.kind(name)? {
            None => Ok(false),
            Some(FileType::RegularFile) => {
                match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
                    Ok(()) => Ok(true),
                    Err(rustix::io::Errno::NOENT) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
            Some(other) => Err(refuse(describe(other))),
        }
    }

    /// Moves the regular file `name` to `to_name` in `to` (the same file
    /// system), refusing to replace anything there. Nothing at `name` is
    /// `Ok(false)`.
    pub fn move_to(&self, name: &OsStr, to: &Dir, to_name: &OsStr) -> io::Result<bool> {
        checked(to_name)?;
        match self.kind(name)? {
            None => return Ok(false),
            Some(FileType::RegularFile) => {}
            Some(other) => return Err(refuse(describe(other))),
        }
        match rustix::fs::renameat_with(&self.fd, name, &to.fd, to_name, RenameFlags::NOREPLACE) {
            Ok(()) => Ok(true),
            Err(rustix::io::Errno::NOENT) => Ok(false),
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
                rustix::fs::linkat(&self.fd, name, &to.fd, to_name, AtFlags::empty())?;
                rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())?;
                Ok(true)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The names in the folder.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        // A fresh open, not a dup: a dup shares the read offset, and a
        // second listing would start where the first one ended.
        let fresh = rustix::fs::openat(
            &self.fd,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let mut out = Vec::new();
        for e in rustix::fs::Dir::new(fresh)? {
            let e = e?;
            let n = e.file_name().to_bytes();
            if n != b"." && n != b".." {
                out.push(OsStr::from_bytes(n).to_os_string());
            }
        }
        Ok(out)
    }

    /// Makes the folder's entries durable (after a rename or a create).
    pub fn sync(&self) -> io::Result<()> {
        rustix::fs::fsync(&self.fd).map_err(io::Error::from)
    }
}

impl AsFd for Dir {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// 0600 whatever the umask.
fn private(f: &File) -> io::Result<()> {
    rustix::fs::fchmod(f, Mode::from_raw_mode(FILE_MODE)).map_err(io::Error::from)
}

pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Creates `dir` and its missing parents 0700. An existing folder keeps
/// its mode: it may be shared on purpose, and `check` reports it.
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    // mkdir applies the umask; set the mode explicitly so umask 000 cannot
    // widen it (and 077 cannot make it unusable).
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
}

/// [`Dir::write_atomic`] of the file at `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, name) = Dir::of(path)?;
    dir.write_atomic(name, bytes)
}

/// [`Dir::write_new`] of the file at `path`.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, name) = Dir::of(path)?;
    dir.write_new(name, bytes)
}

/// [`Dir::write_quick`] of the file at `path`.
pub fn write_quick(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, name) = Dir::of(path)?;
    dir.write_quick(name, bytes)
}

/// [`Dir::read`] of the file at `path`.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (dir, name) = Dir::of(path)?;
    dir.read(name, limit)
}

/// [`Dir::open_read`] of the file at `path`.
pub fn open_read(path: &Path) -> io::Result<File> {
    let (dir, name) = Dir::of(path)?;
    dir.open_read(name)
}

/// [`Dir::remove`] of the file at `path`.
pub fn remove(path: &Path) -> io::Result<bool> {
    let (dir, name) = Dir::of(path)?;
    dir.remove(name)
}

/// [`Dir::kind`] of the file at `path`.
pub fn kind(path: &Path) -> io::Result<Option<FileType>> {
    let (dir, name) = Dir::of(path)?;
    dir.kind(name)
}

#[cfg(test)]
mod tests;
