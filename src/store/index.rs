//! The summary cache: what `list`, the home screen's first paint and
//! finding a session by id read instead of parsing every session of the
//! folder again.
//!
//! It lives in the sessions folder as `.summaries` (hidden, 0600), one
//! record per session file: the file's device, inode, size, modification
//! and change times, the same for its journal, and the summary taken from
//! it. A record is used only when a fresh `stat` of the file and of its
//! journal gives exactly what was recorded; anything else (a save, an
//! edit by another tool, a rename over the file, a new journal line)
//! changes the change time or the inode, and the file is read again. The
//! cache is never written back into a session and can be deleted at any
//! time: it is rebuilt on the next `list`.
//!
//! One race remains with any stat-keyed cache: a file changed twice within
//! one tick of the file system's clock, to the same size, between our
//! `stat` and our read. As git does with "racily clean" index entries, a
//! record is kept only for a file whose change time is more than
//! [`SETTLED`] before the summary was taken; a file younger than that is
//! read every time until it settles.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Summary;
use crate::model::Stamp;

pub(super) const FILE_NAME: &str = ".summaries";
const VERSION: u32 = 1;

/// How long a file must have been left alone before its summary is kept.
pub const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

/// What `stat` says about a file, enough to tell that it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileKey {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl FileKey {
    fn of(meta: &std::fs::Metadata) -> FileKey {
        FileKey {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }

    fn settled(&self, now: std::time::SystemTime) -> bool {
        let Ok(now) = now.duration_since(std::time::UNIX_EPOCH) else {
            return false;
        };
        let limit = now.saturating_sub(SETTLED);
        let limit = (limit.as_secs() as i64, i64::from(limit.subsec_nanos()));
        self.ctime < limit && self.mtime < limit
    }
}

/// The state of a session file and of its journal, or `None` when the
/// file cannot be cached (a link, or not a regular file: those take the
/// full path every time, with its checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    file: FileKey,
    journal: Option<FileKey>,
}

impl Keys {
    pub fn of(path: &Path) -> Option<Keys> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.file_type().is_file() {
            return None;
        }
        let journal = match std::fs::symlink_metadata(super::journal::journal_path(path)) {
            Ok(m) if m.file_type().is_file() => Some(FileKey::of(&m)),
            Ok(_) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => return None,
        };
        Some(Keys {
            file: FileKey::of(&meta),
            journal,
        })
    }

    /// The keys of the session file alone, its journal left out: for
    /// telling a change to the file from one to the journal only.
    pub fn of_file(path: &Path) -> Option<Keys> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        meta.file_type().is_file().then(|| Keys {
            file: FileKey::of(&meta),
            journal: None,
        })
    }

    /// Whether the session file (not its journal) is the same in both.
    pub fn same_file(&self, other: &Keys) -> bool {
        self.file == other.file
    }

    pub fn has_journal(&self) -> bool {
        self.journal.is_some()
    }

    /// The session file's size.
    pub fn file_len(&self) -> u64 {
        self.file.len
    }

    fn settled(&self, now: std::time::SystemTime) -> bool {
        self.file.settled(now) && self.journal.is_none_or(|j| j.settled(now))
    }
}

/// A summary as the cache keeps it: without its path, which is where the
/// record is found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    keys: Keys,
    id: String,
    title: crate::model::display::Label,
    date: Option<jiff::civil::Date>,
    location: crate::model::display::Label,
    entries: usize,
    recommendations: usize,
    updated: Stamp,
    ended: bool,
    read_only: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    /// By file name.
    sessions: HashMap<String, Record>,
}

/// The cache as read at the start of a listing, and what the listing
/// found, to be written back if anything changed.
#[derive(Debug, Default)]
pub struct Cache {
    dir: PathBuf,
    old: HashMap<String, Record>,
    new: HashMap<String, Record>,
    changed: bool,
}

fn name_of(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

impl Cache {
    /// Reads the folder's cache. A missing, damaged, foreign or oversized
    /// cache is an empty one.
    pub fn open(dir: &Path) -> Cache {
        let path = dir.join(FILE_NAME);
        let old = super::read_limited(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<File>(&b).ok())
            .filter(|f| f.version == VERSION)
            .map(|f| f.sessions)
            .unwrap_or_default();
        Cache {
            dir: dir.to_path_buf(),
            old,
            new: HashMap::new(),
            changed: false,
        }
    }

    /// The cached summary of `path`, if the file and its journal are
    /// exactly as they were when it was taken.
    pub fn get(&self, path: &Path, keys: Option<Keys>) -> Option<Summary> {
        let r = self.record(path, keys)?;
        Some(Summary {
            id: r.id.clone(),
            path: path.to_path_buf(),
            title: r.title.clone(),
            date: r.date,
            location: r.location.clone(),
            entries: r.entries,
            recommendations: r.recommendations,
            updated: r.updated,
            ended: r.ended,
            read_only: r.read_only,
            // Which files share an id is a fact about the folder, not the
            // file: the listing works it out afresh every time.
            same_id_as: Vec::new(),
        })
    }

    /// The cached id of `path`, under the same condition as [`Cache::get`].
    pub fn id(&self, path: &Path, keys: Option<Keys>) -> Option<String> {
        self.record(path, keys).map(|r| r.id.clone())
    }

    fn record(&self, path: &Path, keys: Option<Keys>) -> Option<&Record> {
        let keys = keys?;
        self.old.get(name_of(path)?).filter(|r| r.keys == keys)
    }

    /// Records what the listing saw for `path`. `keys` must have been taken
    /// before the file was read: a change after the `stat` then shows as a
    /// mismatch next time, never as a stale summary.
    pub fn keep(&mut self, summary: &Summary, keys: Option<Keys>, now: std::time::SystemTime) {
        let (Some(keys), Some(name)) = (keys, name_of(&summary.path)) else {
            self.changed = true;
            return;
        };
        // A record that still matches was taken once the file had settled;
        // whoever lists now may be too close to a later change to say so.
        if let Some(old) = self.old.get(name).filter(|r| r.keys == keys) {
            self.new.insert(name.to_string(), old.clone());
            return;
        }
        if !keys.settled(now) {
            self.changed |= self.old.contains_key(name);
            return;
        }
        let record = Record {
            keys,
            id: summary.id.clone(),
            title: summary.title.clone(),
            date: summary.date,
            location: summary.location.clone(),
            entries: summary.entries,
            recommendations: summary.recommendations,
            updated: summary.updated,
            ended: summary.ended,
            read_only: summary.read_only,
        };
        if self.old.get(name) != Some(&record) {
            self.changed = true;
        }
        self.new.insert(name.to_string(), record);
    }

    /// Writes the cache back when it changed, including when files went
    /// away. Best effort: a read-only folder or a full disk only means the
    /// next listing reads the files again.
    pub fn finish(self) {
        let removed = self.old.keys().any(|k| !self.new.contains_key(k));
        if !self.changed && !removed {
            return;
        }
        let file = File {
            version: VERSION,
            sessions: self.new,
        };
        let Ok(bytes) = serde_json::to_vec(&file) else {
            return;
        };
        // No fsync: a cache lost to a power cut is rebuilt, and fsync would
        // cost more than the listing it speeds up.
        let _ = super::files::write_quick(&self.dir.join(FILE_NAME), &bytes);
    }
}

/// The cache file of a folder, for tests and `check`.
pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}
