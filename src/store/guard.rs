//! Changes another program makes to an open session: an editor, a newer
//! rapporteur writing schema 2, a `git pull` leaving conflict markers.
//!
//! The saver remembers the `stat` keys (`index::Keys`: device, inode,
//! size, modification and change times of the file and of its journal) of
//! what it last read or wrote. Before every write it looks again; keys
//! that differ mean someone else wrote the file, and the saver must not
//! write over it. What it does instead lives here: save its own version
//! beside the file as `NAME.json.mine-TIMESTAMP` (never a `.json` name, so
//! it is never listed as a second session), reload what is on disk, and
//! put back the entries of ours that the disk's version lacks.
//!
//! A session file that is gone together with its folder (the folder
//! deleted or renamed, a USB stick pulled, a mount gone) is no other
//! program's version: that is a failed save, shown and retried until the
//! folder is back, and nothing is written anywhere meanwhile.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::StoreError;
use super::index::Keys;
use super::saver::{DraftOp, Job, Report, describe, execute_rest};
use crate::model::{Session, Stamp};

/// The keys the saver compares: the file's and its journal's, or the
/// file's alone while the journal is not a regular file (a folder or a
/// link planted there gives `Keys::of` nothing).
pub fn keys_of(path: &Path) -> Option<Keys> {
    Keys::of(path).or_else(|| Keys::of_file(path))
}

/// The identity (device, inode) of the folder holding `path`, following
/// a link there as every open of the folder does.
pub fn folder_of(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(super::files::parent(path)).ok()?;
    meta.is_dir().then(|| (meta.dev(), meta.ino()))
}

/// What the saver found when another program had changed the session.
#[derive(Debug, Clone, PartialEq)]
pub enum Outside {
    /// The file was reloaded: `session` is what it now holds, with the
    /// `readded` entries of ours that it lacked. The app takes it as its
    /// session and acknowledges `epoch` with its next snapshot.
    Reloaded {
        session: Box<Session>,
        readded: usize,
        mine: Result<PathBuf, String>,
        epoch: u64,
    },
    /// The file cannot be rewritten (a newer schema, unparseable, gone,
    /// another session): the session goes read-only. `generation` is the
    /// state saved in `mine`; anything newer must be sent again.
    ReadOnly {
        why: String,
        mine: Result<PathBuf, String>,
        generation: u64,
    },
    /// The file changed under a job that only appended to the journal:
    /// the saver needs the whole session to keep it beside the file.
    Resend,
}

/// `NAME.json.mine-YYYYMMDD-HHMMSS` beside `session_path`.
pub fn mine_path(session_path: &Path, now: Stamp, n: u32) -> PathBuf {
    let name = session_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session.json".into());
    let ts = now.local().strftime("%Y%m%d-%H%M%S").to_string();
    let suffix = if n <= 1 {
        String::new()
    } else {
        format!("-{n}")
    };
    session_path.with_file_name(format!("{name}.mine-{ts}{suffix}"))
}

/// Saves `ours` beside the session as a new private file, never over
/// another: a second conflict within the same second gets `-2`, `-3`…
pub fn save_mine(session_path: &Path, ours: &Session) -> Result<PathBuf, StoreError> {
    let bytes = super::to_bytes(ours)?;
    let now = Stamp::now();
    for n in 1..100 {
        let path = mine_path(session_path, now, n);
        match super::files::write_new(&path, &bytes) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(StoreError::Save { path, source }),
        }
    }
    Err(StoreError::Save {
        path: mine_path(session_path, now, 1),
        source: std::io::Error::other("too many saved versions this second"),
    })
}

/// Puts into `disk` every entry of `ours` whose id it lacks, in the block
/// of the same id (a block it lacks is added, so no words are lost).
/// Returns how many were put back.
pub fn readd_missing(disk: &mut Session, ours: &Session) -> usize {
    let known: HashSet<&str> = disk
        .blocks
        .iter()
        .flat_map(|b| b.entries.iter().map(|e| e.id.as_str()))
        .collect();
    let missing: Vec<(usize, crate::model::Entry)> = ours
        .blocks
        .iter()
        .enumerate()
        .flat_map(|(i, b)| b.entries.iter().map(move |e| (i, e)))
        .filter(|(_, e)| !known.contains(e.id.as_str()))
        .map(|(i, e)| (i, e.clone()))
        .collect();
    let n = missing.len();
    for (i, entry) in missing {
        let our_block = &ours.blocks[i];
        let at = match disk.block_index(&our_block.id) {
            Some(at) => at,
            None => {
                let mut b = our_block.clone();
                b.entries.clear();
                disk.blocks.push(b);
                disk.blocks.len() - 1
            }
        };
        disk.blocks[at].entries.push(entry);
    }
    n
}

/// Why a file another program wrote cannot be written by this build, if
/// it cannot: read-only from then on.
pub fn unwritable(
    loaded: &Result<super::Loaded, super::LoadError>,
    ours: &Session,
) -> Option<String> {
    match loaded {
        Err(super::LoadError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Some("the session file was removed or moved away".into())
        }
        Err(e @ (super::LoadError::Syntax { .. } | super::LoadError::Shape { .. })) => {
            Some(format!(
                "it no longer reads as a session (conflict markers?): {}",
                strip_path(e)
            ))
        }
        Err(e) => Some(strip_path(e)),
        Ok(l) => match l.newer_version {
            Some(v) => Some(format!("a newer rapporteur rewrote it (schema {v})")),
            None if l.session.id != ours.id => Some(format!(
                "it now holds another session (id {})",
                crate::model::display::sanitize_line(&l.session.id)
            )),
            None => None,
        },
    }
}

/// The error without its leading path: the header names the session.
fn strip_path(e: &super::LoadError) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", e.path().display());
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}

/// The file name alone, for the header.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A session this writer may no longer write: why, and where its own
/// version went instead.
#[derive(Debug, Clone)]
pub struct Frozen {
    pub why: String,
    pub mine: Option<PathBuf>,
}

/// [`super::save`], returning how many bytes the file got.
pub(super) fn save_counted(path: &Path, session: &Session) -> Result<u64, StoreError> {
    if session.schema_version > crate::model::SCHEMA_VERSION {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    let bytes = super::to_bytes(session)?;
    super::write_bytes(path, &bytes)?;
    Ok(bytes.len() as u64)
}

impl super::saver::Writer {
    /// Takes the file's keys after our own write of `len` bytes. A size
    /// that differs means another program wrote between our rename and
    /// this `stat`: what is there is not ours, and the next save reloads.
    pub(super) fn adopt_written(&mut self, len: u64) {
        self.known = keys_of(&self.path);
        self.doubt = self.known.is_none_or(|k| k.file_len() != len);
        self.folder = folder_of(&self.path).or(self.folder);
    }

    /// Whether the session file is missing because its folder is: no
    /// folder at that path, or another one than the file was in (an
    /// unmounted stick leaves its empty mount point; what is written there
    /// would be hidden when it comes back).
    pub(super) fn folder_gone(&self) -> bool {
        match std::fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {}
            _ => return false,
        }
        let now = folder_of(&self.path);
        now.is_none() || (self.folder.is_some() && now != self.folder)
    }

    /// The folder is gone: every write of the session's files fails, to be
    /// retried, and none is tried (the folder coming back halfway through
    /// must not meet a write that skipped the check). What the files held
    /// stays what `known` says, so their return is no outside change.
    pub(super) fn execute_gone(&mut self, job: Job) -> Report {
        let why = describe(&StoreError::Folder {
            path: super::files::parent(&self.path).to_path_buf(),
            source: std::io::ErrorKind::NotFound.into(),
        });
        let rest = execute_rest(&self.path, None, job.templates, job.exports);
        Report {
            session: job.session.map(|_| Err(why.clone())),
            appended: (!job.appends.is_empty()).then(|| Err(why.clone())),
            draft: job.draft.map(|_| Err(why)),
            ..rest
        }
    }

    /// A snapshot found the file changed by another program: keep ours
    /// beside it, reload, put our missing entries back (or go read-only).
    pub(super) fn on_outside_change(&mut self, mut job: Job) -> Report {
        let Some((generation, mut ours)) = job.session.take() else {
            return self.resend(job);
        };
        let path = self.path.clone();
        ours.journal_seq = self.last_seq;
        let mine = save_mine(&path, &ours).map_err(|e| describe(&e));
        // Stat before reading, as at open: a change during the read is
        // caught at the next save.
        let keys = keys_of(&path);
        let loaded = super::load(&path);
        self.screen = None;
        if let Some(why) = unwritable(&loaded, &ours) {
            self.frozen = Some(Frozen {
                why: why.clone(),
                mine: mine.as_ref().ok().cloned(),
            });
            // The appends are newer than `ours`: the app sends its whole
            // session again, which goes beside the file too.
            let rest = execute_rest(&path, job.draft, job.templates, job.exports);
            return Report {
                session: Some(mine.as_ref().map(|_| generation).map_err(Clone::clone)),
                appended: None,
                outside: Some(Outside::ReadOnly {
                    why,
                    mine,
                    generation,
                }),
                ..rest
            };
        }
        let Ok(loaded) = loaded else {
            // `unwritable` answers for every error.
            return self.resend(job);
        };
        let mut disk = loaded.session;
        let readded = readd_missing(&mut disk, &ours);
        // A newer writer may have counted further: our next records must
        // come after its snapshot's, or loading would skip them.
        self.last_seq = self.last_seq.max(disk.journal_seq);
        self.known = keys;
        self.doubt = false;
        self.folder = folder_of(&path).or(self.folder);
        self.owner = Some(super::journal::Owner::of(&disk));
        let session = if readded > 0 {
            disk.journal_seq = self.last_seq;
            let r = save_counted(&path, &disk);
            if let Ok(len) = r {
                let _ = super::journal::truncate(&path);
                self.adopt_written(len);
            }
            r.map(|_| generation).map_err(|e| describe(&e))
        } else {
            // Nothing of ours is missing: the other program's file stays
            // exactly as it wrote it.
            Ok(generation)
        };
        if self.keeps_screen {
            self.screen = Some(super::screen::tail(disk.clone()));
            self.screen_due = true;
        }
        self.epoch += 1;
        self.rebase = Some(Box::new(disk.clone()));
        // Appends in this job are newer than `ours`: they go on top.
        let mut report = self.execute_own(job);
        report.session = Some(session);
        report.outside = Some(Outside::Reloaded {
            session: Box::new(disk),
            readded,
            mine,
            epoch: self.epoch,
        });
        report
    }

    /// Journal appends found the file changed: append nothing (the file's
    /// relation to the journal is unknown) and ask for the whole session.
    pub(super) fn resend(&mut self, job: Job) -> Report {
        // The entry a cleared draft held is not on disk yet.
        let draft = job.draft.filter(|d| *d != DraftOp::Clear);
        let rest = execute_rest(&self.path, draft, job.templates, job.exports);
        Report {
            outside: Some(Outside::Resend),
            ..rest
        }
    }

    /// The file may not be written: snapshots go to our version beside
    /// it, the draft to its sidecar as ever; appends are left to the
    /// snapshot the app sends after the read-only report.
    pub(super) fn execute_frozen(&mut self, job: Job) -> Report {
        let path = self.path.clone();
        let session = job.session.map(|(generation, mut s)| {
            s.journal_seq = self.last_seq;
            let frozen = self.frozen.get_or_insert_with(|| Frozen {
                why: String::new(),
                mine: None,
            });
            let r = match &frozen.mine {
                // Ours since the conflict: replaced as a whole.
                Some(mine) => super::to_bytes(&s).and_then(|b| super::write_bytes(mine, &b)),
                None => save_mine(&path, &s).map(|p| {
                    frozen.mine = Some(p);
                }),
            };
            r.map(|()| generation).map_err(|e| describe(&e))
        });
        let rest = execute_rest(&path, job.draft, job.templates, job.exports);
        Report { session, ..rest }
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
