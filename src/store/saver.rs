//! The background writer. The UI hands it snapshots and goes on; it
//! writes them in order on its own thread and reports back, so typing
//! never waits for fsync.

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::model::{Draft, Session, Template};

#[derive(Debug, Clone, PartialEq)]
pub enum DraftOp {
    Save(Draft),
    Clear,
}

/// One batch of writes. The session is always written before the draft,
/// so a committed entry is on disk before its draft disappears.
#[derive(Debug, Default)]
pub struct Job {
    pub session: Option<(u64, Box<Session>)>,
    pub draft: Option<DraftOp>,
    pub templates: Vec<(PathBuf, Template)>,
    /// Reports to write: path and bytes.
    pub exports: Vec<(PathBuf, Vec<u8>)>,
}

impl Job {
    pub fn is_empty(&self) -> bool {
        self.session.is_none()
            && self.draft.is_none()
            && self.templates.is_empty()
            && self.exports.is_empty()
    }

    /// Folds a later job into this one: only the newest snapshot of each
    /// file needs writing.
    fn merge(&mut self, later: Job) {
        if later.session.is_some() {
            self.session = later.session;
        }
        if later.draft.is_some() {
            self.draft = later.draft;
        }
        self.templates.extend(later.templates);
        self.exports.extend(later.exports);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub session: Option<Result<u64, String>>,
    pub draft: Option<Result<(), String>>,
    /// Each template written, by path, or the error.
    pub templates: Vec<Result<PathBuf, String>>,
    pub exports: Vec<Result<PathBuf, String>>,
}

/// Carries out one job against the files of the session at `path`.
pub fn execute(path: &std::path::Path, job: Job) -> Report {
    let session = job.session.map(|(generation, s)| {
        super::save(path, &s)
            .map(|()| generation)
            .map_err(|e| describe(&e))
    });
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
            let dir = p
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            super::atomic::ensure_dir(&dir)
                .map_err(|source| super::StoreError::Folder { path: dir, source })
                .and_then(|()| super::write_bytes(&p, &bytes))
                .map(|()| p)
                .map_err(|e| describe(&e))
        })
        .collect();
    Report {
        session,
        draft,
        templates,
        exports,
    }
}

/// The reason in a few words, for the header.
fn describe(e: &super::StoreError) -> String {
    match e {
        super::StoreError::Save { source, .. } => match source.raw_os_error() {
            Some(libc::ENOSPC) => "disk full".to_string(),
            Some(libc::EROFS) => "file system is read-only".to_string(),
            Some(libc::EACCES) | Some(libc::EPERM) => "permission denied".to_string(),
            Some(libc::ENOENT) => "the sessions folder is gone".to_string(),
            Some(libc::EIO) => "input/output error".to_string(),
            _ => source.to_string(),
        },
        other => other.to_string(),
    }
}

/// The writer thread's name.
pub const THREAD: &str = "rapporteur-saver";

pub struct Saver {
    tx: Option<mpsc::Sender<Job>>,
    done: mpsc::Receiver<()>,
}

impl Saver {
    /// Starts the writer thread for the session at `path`. `report` is
    /// called on that thread after every batch.
    pub fn spawn(path: PathBuf, report: impl Fn(Report) + Send + 'static) -> Saver {
        let (tx, rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel();
        thread::Builder::new()
            .name(THREAD.into())
            .spawn(move || {
                while let Ok(mut job) = rx.recv() {
                    while let Ok(more) = rx.try_recv() {
                        job.merge(more);
                    }
                    let wanted = (job.session.as_ref().map(|(g, _)| *g), job.draft.is_some());
                    // A bug here must not silently stop all saving: it
                    // becomes a failed save, shown and retried.
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        super::fault::panic_at("save");
                        execute(&path, job)
                    }));
                    report(r.unwrap_or_else(|_| {
                        let e = "internal error while saving (retrying)".to_string();
                        Report {
                            session: wanted.0.map(|_| Err(e.clone())),
                            draft: wanted.1.then(|| Err(e.clone())),
                            templates: Vec::new(),
                            exports: Vec::new(),
                        }
                    }));
                }
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
