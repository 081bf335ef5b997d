//! The background writer. The UI hands it snapshots and goes on; it
//! writes them in order on its own thread and reports back, so typing
//! never waits for fsync.

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::guard::Outside;
use super::index::Keys;
use super::journal::{self, Op, Owner, Record};
use crate::model::{Draft, Session, Stamp, Template};

#[derive(Debug, Clone, PartialEq)]
pub enum DraftOp {
    Save(Draft),
    Clear,
}

/// A change to append to the journal: the state generation it brings
/// the file to, when, and what.
#[derive(Debug, Clone)]
pub struct Append {
    pub generation: u64,
    pub at: Stamp,
    pub op: Op,
}

/// One batch of writes: a snapshot of the session, then entries to
/// append to its journal, then the draft. The draft comes last so that a
/// committed entry is on disk before its draft disappears.
#[derive(Debug, Default)]
pub struct Job {
    pub session: Option<(u64, Box<Session>)>,
    /// Newer than `session`: appended after it is written.
    pub appends: Vec<Append>,
    pub draft: Option<DraftOp>,
    pub templates: Vec<(PathBuf, Template)>,
    /// Reports to write: path and bytes.
    pub exports: Vec<(PathBuf, Vec<u8>)>,
    /// The reload (`Outside::Reloaded`'s epoch) that `session` already
    /// holds: snapshots without it were made before the app took the
    /// reload and must not replace it.
    pub epoch: Option<u64>,
}

impl Job {
    pub fn is_empty(&self) -> bool {
        self.session.is_none()
            && self.appends.is_empty()
            && self.draft.is_none()
            && self.templates.is_empty()
            && self.exports.is_empty()
            && self.epoch.is_none()
    }

    /// Folds a later job into this one: only the newest snapshot of each
    /// file needs writing.
    fn merge(&mut self, later: Job) {
        if later.session.is_some() {
            // A newer snapshot holds every earlier append.
            self.session = later.session;
            self.appends.clear();
        }
        self.appends.extend(later.appends);
        if later.draft.is_some() {
            self.draft = later.draft;
        }
        self.templates.extend(later.templates);
        self.exports.extend(later.exports);
        self.epoch = self.epoch.max(later.epoch);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub session: Option<Result<u64, String>>,
    /// The generation the appends brought the file to, or the error.
    pub appended: Option<Result<u64, String>>,
    pub draft: Option<Result<(), String>>,
    /// Each template written, by path, or the error.
    pub templates: Vec<Result<PathBuf, String>>,
    pub exports: Vec<Result<PathBuf, String>>,
    /// Another program had changed the session file: what was done.
    pub outside: Option<Outside>,
}

/// What changed since the writer last read or wrote the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    None,
    /// Only the journal: it was removed, replaced or written to.
    Journal,
    /// The session file itself: another program's version.
    File,
}

/// Writes one session's files, keeping count of its journal.
pub struct Writer {
    pub(super) path: PathBuf,
    /// The last journal record on disk (or in the snapshot).
    pub(super) last_seq: u64,
    /// The `stat` keys of the file and its journal as this writer last
    /// read or wrote them: anything else is another program's change.
    pub(super) known: Option<Keys>,
    /// How many times the file was reloaded after an outside change.
    pub(super) epoch: u64,
    /// The session as last reloaded, until the app says it has it: a
    /// snapshot made before that gets its entries put into this one.
    pub(super) rebase: Option<Box<Session>>,
    /// Set when the file may no longer be written (a newer schema, not
    /// parseable): snapshots go to `mine`, beside it.
    pub(super) frozen: Option<super::guard::Frozen>,
    /// What `stat` gave right after our own write was not what we wrote
    /// (another program wrote in between): the next save reloads.
    pub(super) doubt: bool,
    /// Whether this writer keeps the session's first-screen record.
    pub(super) keeps_screen: bool,
    /// The session as the files now hold it, cut to what its first-screen
    /// record keeps (`store::screen`), when this writer knows it: not
    /// after a failed write, until the next snapshot.
    pub(super) screen: Option<Session>,
    /// `screen` changed and its record is not written yet.
    pub(super) screen_due: bool,
    /// Whose session the file holds: every journal line says so.
    pub(super) owner: Option<Owner>,
    /// The folder the file was in (`guard::folder_of`): the file gone
    /// with it is a failed save, not another program's removal.
    pub(super) folder: Option<(u64, u64)>,
}

impl Writer {
    pub fn new(path: PathBuf, last_seq: u64, owner: Option<Owner>) -> Writer {
        Writer {
            known: super::guard::keys_of(&path),
            folder: super::guard::folder_of(&path),
            path,
            last_seq,
            epoch: 0,
            rebase: None,
            frozen: None,
            doubt: false,
            keeps_screen: false,
            screen: None,
            screen_due: false,
            owner,
        }
    }

    /// A writer that keeps the first-screen record of the session, given
    /// as [`super::screen::tail_of`] made it.
    pub fn with_screen(
        path: PathBuf,
        last_seq: u64,
        owner: Owner,
        screen: Option<Session>,
    ) -> Writer {
        Writer {
            keeps_screen: screen.is_some(),
            screen,
            ..Writer::new(path, last_seq, Some(owner))
        }
    }

    /// Writes the first-screen record if the last job changed what it
    /// shows. Apart from `execute`, so that the report is not kept waiting.
    pub fn write_screen(&mut self) {
        if std::mem::take(&mut self.screen_due)
            && let Some(tail) = &self.screen
        {
            super::screen::write(&self.path, tail);
        }
    }

    /// The writer for a session read when its files had `known` keys
    /// (taken before reading, so a change during the read is caught).
    pub fn knowing(mut self, known: Option<Keys>) -> Writer {
        self.known = known;
        self
    }

    /// Picks up where the files on disk stand.
    pub fn resume(path: &std::path::Path) -> Writer {
        let known = super::guard::keys_of(path);
        match super::load(path) {
            Ok(l) => Writer::new(
                path.to_path_buf(),
                l.session.journal_seq,
                Some(Owner::of(&l.session)),
            )
            .knowing(known),
            Err(_) => Writer::new(path.to_path_buf(), 0, None).knowing(known),
        }
    }

    /// Whether another program changed the file or its journal since this
    /// writer last read or wrote them.
    pub(super) fn changed_outside(&self) -> Change {
        let now = super::guard::keys_of(&self.path);
        if !self.doubt && now == self.known {
            return Change::None;
        }
        match (now, self.known) {
            (Some(a), Some(b)) if !self.doubt && a.same_file(&b) => Change::Journal,
            _ => Change::File,
        }
    }

    pub fn execute(&mut self, job: Job) -> Report {
        if job.epoch.is_some_and(|e| e >= self.epoch) {
            self.rebase = None;
        }
        if self.frozen.is_some() {
            return self.execute_frozen(job);
        }
        match self.changed_outside() {
            Change::None => self.execute_own(job),
            // Gone with its folder: no other program's doing.
            Change::File if self.folder_gone() => self.execute_gone(job),
            Change::File if job.session.is_some() => self.on_outside_change(job),
            Change::File if !job.appends.is_empty() => self.resend(job),
            Change::File => self.execute_own(job),
            // The journal is ours alone: nothing of another program's to
            // keep. A snapshot holds every record; appends go on, but
            // records someone removed are healed only by a snapshot.
            Change::Journal => {
                let appends = !job.appends.is_empty() && job.session.is_none();
                let mut r = self.execute_own(job);
                if appends {
                    r.outside = Some(Outside::Resend);
                }
                r
            }
        }
    }

    pub(super) fn execute_own(&mut self, job: Job) -> Report {
        let path = self.path.clone();
        let mut snapshot_failed = false;
        let session = job.session.map(|(generation, s)| {
            // Made before the app took the last reload: put its entries
            // into the reloaded session instead of writing over it.
            let mut s = match &self.rebase {
                Some(base) => {
                    let mut merged = base.clone();
                    super::guard::readd_missing(&mut merged, &s);
                    self.rebase = Some(merged.clone());
                    merged
                }
                None => s,
            };
            // The snapshot holds every record written so far.
            s.journal_seq = self.last_seq;
            let r = super::guard::save_counted(&path, &s);
            match r.map(|len| (generation, len)) {
                Ok((g, len)) => {
                    self.owner = Some(Owner::of(&s));
                    // Only informative now: the snapshot's seq makes the
                    // old records inert; emptying the file saves space.
                    let _ = journal::truncate(&path);
                    self.adopt_written(len);
                    if self.keeps_screen {
                        self.screen = Some(super::screen::tail(*s));
                        self.screen_due = true;
                    }
                    Ok(g)
                }
                Err(e) => {
                    snapshot_failed = true;
                    // What the files hold is no longer known here.
                    self.screen = None;
                    Err(describe(&e))
                }
            }
        });
        let appended = (!job.appends.is_empty()).then(|| {
            let generation = job.appends.iter().map(|a| a.generation).max().unwrap_or(0);
            if self.last_seq > u64::MAX / 2 {
                // A hand-edited journal_seq near the end of the numbers:
                // write a snapshot instead of counting past it.
                return Err("the journal is full; saving the whole session".to_string());
            }
            if snapshot_failed {
                // Appending on top of a snapshot that did not land would
                // put entries after a state the file does not have; the
                // retry writes a snapshot holding them all.
                return Err("waiting for the session file to be saved".to_string());
            }
            let Some(owner) = &self.owner else {
                // Not known until a snapshot is written: the retry writes one.
                return Err("the session file could not be read; saving it whole".to_string());
            };
            let records: Vec<Record> = job
                .appends
                .into_iter()
                .enumerate()
                .map(|(i, a)| Record {
                    seq: self.last_seq + 1 + i as u64,
                    at: a.at,
                    owner: None,
                    op: a.op,
                })
                .collect();
            let n = records.len() as u64;
            let r = journal::append(&path, owner, &records);
            // Even a failed append may have changed the journal: ours.
            // The file itself must be as it was just before.
            let before = self.known;
            self.known = super::guard::keys_of(&path);
            self.doubt = !matches!((before, self.known), (Some(a), Some(b)) if a.same_file(&b));
            match r {
                Ok(()) => {
                    self.last_seq += n;
                    if let Some(tail) = &mut self.screen {
                        journal::replay(tail, &records);
                        super::screen::trim(tail);
                        self.screen_due = true;
                    }
                    Ok(generation)
                }
                Err(e) => {
                    self.screen = None;
                    Err(describe(&super::StoreError::Save {
                        path: journal::journal_path(&path),
                        source: e,
                    }))
                }
            }
        });
        let rest = execute_rest(&path, job.draft, job.templates, job.exports);
        Report {
            session,
            appended,
            ..rest
        }
    }
}

/// Carries out one job against the files of the session at `path`,
/// reading the journal's state from disk first (tests and one-off
/// writers; the saver thread keeps a [`Writer`]).
pub fn execute(path: &std::path::Path, job: Job) -> Report {
    Writer::resume(path).execute(job)
}

pub(super) fn execute_rest(
    path: &std::path::Path,
    draft: Option<DraftOp>,
    templates: Vec<(PathBuf, Template)>,
    exports: Vec<(PathBuf, Vec<u8>)>,
) -> Report {
    let job = Job {
        draft,
        templates,
        exports,
        ..Job::default()
    };
    let session = None;
    let draft = job.draft.map(|op| {
        match op {
            DraftOp::Save(d) => super::save_draft(path, &d),
            DraftOp::Clear => super::clear_draft(path),
        }
        .map_err(|e| describe(&e))
    });
    let templates = job
        .templates
        .into_iter()
        .map(|(p, t)| {
            super::save_template(&p, &t)
                .map(|()| p)
                .map_err(|e| describe(&e))
        })
        .collect();
    let exports = job
        .exports
        .into_iter()
        .map(|(p, bytes)| {
            super::report::write_export(super::files::parent(path), &p, &bytes)
                .map(|_| p)
                .map_err(|e| describe(&e))
        })
        .collect();
    Report {
        session,
        appended: None,
        draft,
        templates,
        exports,
        outside: None,
    }
}

/// The reason in a few words, for the header.
pub(super) fn describe(e: &super::StoreError) -> String {
    use std::io::ErrorKind;
    match e {
        super::StoreError::Save { source, .. } | super::StoreError::Folder { source, .. } => {
            match (source.raw_os_error(), source.kind()) {
                (Some(libc::ENOSPC), _) | (_, ErrorKind::StorageFull) => "disk full".to_string(),
                (Some(libc::EDQUOT), _) | (_, ErrorKind::QuotaExceeded) => {
                    "disk quota exceeded".to_string()
                }
                (Some(libc::EROFS), _) | (_, ErrorKind::ReadOnlyFilesystem) => {
                    "file system is read-only".to_string()
                }
                (Some(libc::EACCES | libc::EPERM), _) | (_, ErrorKind::PermissionDenied) => {
                    "permission denied".to_string()
                }
                (Some(libc::ENOENT), _) | (_, ErrorKind::NotFound) => {
                    "the sessions folder is gone".to_string()
                }
                (Some(libc::EIO), _) => "input/output error".to_string(),
                _ => source.to_string(),
            }
        }
        other => other.to_string(),
    }
}

/// The writer thread's name.
pub const THREAD: &str = "rapporteur-saver";

/// How long the writes must pause before the first-screen record is
/// written: longer than the gap between the saves of a burst (a paste, key
/// repeat), far shorter than a person's pause.
pub const SCREEN_DELAY: Duration = Duration::from_millis(150);

/// [`Writer::write_screen`], where a bug costs only the record.
fn write_screen(writer: &mut Writer) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| writer.write_screen()));
}

pub struct Saver {
    tx: Option<mpsc::Sender<Job>>,
    done: mpsc::Receiver<()>,
}

impl Saver {
    /// Starts the writer thread for the session at `path`. `report` is
    /// called on that thread after every batch.
    /// `screen`, if given, is the session cut as [`super::screen::tail_of`]
    /// cuts it: the saver then keeps the session's first-screen record.
    pub fn spawn(
        path: PathBuf,
        owner: Owner,
        last_seq: u64,
        screen: Option<Session>,
        report: impl Fn(Report) + Send + 'static,
    ) -> Saver {
        let known = super::guard::keys_of(&path);
        Saver::spawn_knowing(path, owner, last_seq, screen, known, report)
    }

    /// [`Saver::spawn`] for a session read when its files had the `known`
    /// keys: a change by another program since then is caught at the
    /// first save.
    pub fn spawn_knowing(
        path: PathBuf,
        owner: Owner,
        last_seq: u64,
        screen: Option<Session>,
        known: Option<Keys>,
        report: impl Fn(Report) + Send + 'static,
    ) -> Saver {
        let (tx, rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel();
        thread::Builder::new()
            .name(THREAD.into())
            .spawn(move || {
                let mut writer = Writer::with_screen(path, last_seq, owner, screen).knowing(known);
                loop {
                    // The first-screen record waits until the writes
                    // pause, so a burst of saves never queues behind it.
                    let next = if writer.screen_due {
                        rx.recv_timeout(SCREEN_DELAY)
                    } else {
                        rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
                    };
                    let mut job = match next {
                        Ok(job) => job,
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            write_screen(&mut writer);
                            continue;
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    };
                    while let Ok(more) = rx.try_recv() {
                        job.merge(more);
                    }
                    let wanted = (
                        job.session.as_ref().map(|(g, _)| *g),
                        !job.appends.is_empty(),
                        job.draft.is_some(),
                    );
                    // A bug here must not silently stop all saving: it
                    // becomes a failed save, shown and retried.
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        super::fault::panic_at("save");
                        writer.execute(job)
                    }));
                    let panicked = r.is_err();
                    report(r.unwrap_or_else(|_| {
                        let e = "internal error while saving".to_string();
                        Report {
                            session: wanted.0.map(|_| Err(e.clone())),
                            appended: wanted.1.then(|| Err(e.clone())),
                            draft: wanted.2.then(|| Err(e.clone())),
                            templates: Vec::new(),
                            exports: Vec::new(),
                            outside: None,
                        }
                    }));
                    if panicked {
                        // Half a job: what the files hold is not known.
                        writer.screen = None;
                    }
                }
                write_screen(&mut writer);
                let _ = done_tx.send(());
            })
            .map(|_| ())
            .unwrap_or_else(|_| ());
        Saver { tx: Some(tx), done }
    }

    pub fn send(&self, job: Job) {
        if job.is_empty() {
            return;
        }
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }

    /// Waits, at most `limit`, for every queued write to finish. Returns
    /// false if the writer is still busy (a hung disk, say).
    pub fn finish(mut self, limit: Duration) -> bool {
        self.tx = None;
        self.done.recv_timeout(limit).is_ok()
    }
}
