//! Opening a session for the screens: lock, read, load, set aside what is
//! not the session's, restore the draft, restart the block clock; and the
//! first frame drawn from a partial read while the full load runs.

use std::path::PathBuf;

use crate::app::home::OpenMode;
use crate::app::{App, Effect};
use crate::cli::Failure;
use crate::model::Stamp;
use crate::store::{self, SessionLock, StoreError};

/// An open session: its state and, unless read-only, its writer lock.
pub struct Opened {
    pub app: App,
    pub lock: Option<SessionLock>,
}

/// Loads the session at `path` for the capture screen: takes the lock (or
/// opens read-only, saying why), restores the draft, and closes block
/// clocks that a crashed run left open.
pub fn open_session(path: PathBuf, now: Stamp) -> Result<Opened, Failure> {
    open_session_in(path, now, &OpenMode::Capture)
}

/// Like [`open_session`], on the screen `mode` names. Only the capture
/// screen starts the block clock; setup and review leave it alone.
pub fn open_session_in(path: PathBuf, now: Stamp, mode: &OpenMode) -> Result<Opened, Failure> {
    open_session_sharing(path, now, mode, None)
}

/// [`open_session_in`], handing the file's bytes, once read under the lock,
/// to whoever draws a preview meanwhile: one read, one copy in memory.
pub(super) fn open_session_sharing(
    path: PathBuf,
    now: Stamp,
    mode: &OpenMode,
    share: Option<Share>,
) -> Result<Opened, Failure> {
    // Lock first, then read: a `note` saving between our read and our
    // lock would otherwise be overwritten by our first save.
    let mut read_only = None;
    let mut lock = match store::acquire(&path) {
        Ok(l) => Some(l),
        Err(StoreError::Locked { holder, .. }) => {
            read_only = Some(format!("open in another rapporteur: {holder}"));
            None
        }
        Err(e) => {
            // The reason first: the header cuts the end of a long path.
            read_only = Some(match &e {
                StoreError::Lock { path, source } => {
                    let why = match store::files::NotOurs::of(source) {
                        Some(n) => format!("{} stands at the lock's name", n.what),
                        None => source.to_string(),
                    };
                    format!("cannot lock ({why}): {}", path.display())
                }
                e => format!("cannot lock: {e}"),
            });
            None
        }
    };
    if let Some(share) = &share {
        let _ = share.tx.send(Shared::Locked(read_only.clone()));
        // Reading megabytes beside the first frame's own small read
        // slows both: wait until it is drawn or needs these bytes.
        let _ = share.go.recv();
    }
    // Before reading: a change by another program during the read is
    // then caught at the first save (`store::guard`).
    let mut disk_keys = store::guard::keys_of(&path);
    let bytes = std::sync::Arc::new(store::read_limited(&path)?);
    if let Some(share) = share {
        let _ = share.tx.send(Shared::Read(bytes.clone()));
        // Parsing them beside the first frame's partial parse slows both,
        // and the terminal that must show it: wait until it is drawn.
        let _ = share.go.recv();
    }
    let loaded = store::load_bytes(&path, &bytes)?;
    drop(bytes);
    if let Some(v) = loaded.newer_version {
        read_only = Some(format!("written by a newer rapporteur (schema {v})"));
        lock = None;
    }
    // Before anything is written: a journal or draft left beside this file
    // by another session is set aside, never applied or emptied.
    let claimed = if read_only.is_none() {
        store::claim_sidecars(&path, &loaded)?
    } else {
        Vec::new()
    };
    if !claimed.is_empty() {
        // Our own writes, under our lock: not another program's change.
        disk_keys = store::guard::keys_of(&path);
    }
    let draft = if read_only.is_none() {
        store::load_draft(&path)
    } else {
        None
    };
    let mut session = loaded.session;
    let runs_before: Vec<_> = session.blocks.iter().map(|b| b.runs.clone()).collect();
    let repaired = read_only.is_none() && restart_clock(&mut session, draft.as_ref(), now, mode);
    let mut app = App::new(session, path, read_only, draft, now);
    if !claimed.is_empty() {
        let claimed = crate::model::display::sanitize(&claimed.join(" ")).into_owned();
        app.notice = Some(match app.notice.take() {
            Some(n) => format!("{claimed} {n}"),
            None => claimed,
        });
    }
    app.disk_keys = disk_keys;
    match mode {
        OpenMode::Capture => {}
        OpenMode::Setup => {
            if app.read_only.is_none() {
                crate::app::setup::open(&mut app);
            }
        }
        OpenMode::Review { entry } => crate::app::review::open(&mut app, entry.as_deref()),
    }
    if repaired {
        // Record the clock start at once, so a crash right now still
        // knows when this block began. A long session gets a journal line
        // per block whose clock changed: copying, serializing and
        // rewriting megabytes would compete with the first frame.
        app.generation += 1;
        if app.session.entry_count() >= store::journal::USE_FROM_ENTRIES {
            for (b, before) in app.session.blocks.iter().zip(&runs_before) {
                if b.runs != *before {
                    app.appends_since_snapshot += 1;
                    app.effects.push(Effect::Append {
                        op: Box::new(store::journal::Op::Runs {
                            block: b.id.clone(),
                            runs: b.runs.clone(),
                            spent_seconds: b.spent_seconds,
                        }),
                        at: now,
                        generation: app.generation,
                    });
                }
            }
        } else {
            app.effects.push(Effect::SaveSession {
                session: Box::new(app.session.clone()),
                generation: app.generation,
            });
        }
    }
    Ok(Opened { app, lock })
}

/// Closes block clocks that a crashed run left open and, on the capture
/// screen, starts the current block's. True when the runs changed and
/// must be recorded.
pub(super) fn restart_clock(
    session: &mut crate::model::Session,
    draft: Option<&crate::model::Draft>,
    now: Stamp,
    mode: &OpenMode,
) -> bool {
    if session.ended.is_some() {
        return false;
    }
    let last_alive = draft
        .map(|d| d.saved)
        .filter(|d| d.instant > session.updated.instant)
        .unwrap_or(session.updated);
    let before = session.blocks.iter().map(|b| b.runs.len()).sum::<usize>();
    session.close_stale_runs(last_alive);
    if *mode == OpenMode::Capture {
        session.start_clock(now);
    }
    before != session.blocks.iter().map(|b| b.runs.len()).sum::<usize>()
        || session.blocks.iter().any(|b| b.is_running())
}

/// What the full load tells the preview, in this order: the lock's answer
/// (why the session is read-only, if it is), then the bytes it read under
/// the lock.
pub(super) enum Shared {
    Locked(Option<String>),
    Read(std::sync::Arc<Vec<u8>>),
}

/// Below this size (about 500 entries) a session loads in a millisecond or
/// two: its first frame waits for the full load instead of a preview.
const PREVIEW_FROM_BYTES: u64 = 256 * 1024;

/// The full load's side of the first frame: it tells the lock's answer and
/// the bytes on `tx`; it reads the file only once `go` says so, and parses
/// it only once `go` says so again (or is dropped: the frame is drawn).
pub(super) struct Share {
    pub(super) tx: std::sync::mpsc::Sender<Shared>,
    pub(super) go: std::sync::mpsc::Receiver<()>,
}

/// The first frame's side of the full load.
pub(super) struct Preview {
    pub(super) path: PathBuf,
    pub(super) shared: std::sync::mpsc::Receiver<Shared>,
    /// A message lets the full load read the file for the partial read;
    /// dropping it lets the full load go all the way.
    pub(super) go: Option<std::sync::mpsc::Sender<()>>,
}

/// The capture screen as the full load will show it, drawn once while the
/// full load runs, then dropped. It takes no lock and writes nothing. It
/// comes from the session's first-screen record when that is for exactly
/// the file there now (`store::screen`), else from the bytes the full load
/// read, parsing only each block's newest `rows` entries
/// (`model::preview`).
pub(super) fn first_screen(p: &mut Preview, rows: usize, now: Stamp) -> Option<App> {
    let path = p.path.as_path();
    let Ok(Shared::Locked(read_only)) = p.shared.recv() else {
        return None;
    };
    if std::fs::metadata(path).is_ok_and(|m| m.len() < PREVIEW_FROM_BYTES) {
        // The full load is as quick as any preview: let it go.
        p.go = None;
        return None;
    }
    if let Some(session) = store::screen::read(path, rows) {
        return Some(preview_app(path, session, read_only, now));
    }
    if let Some(go) = &p.go {
        let _ = go.send(());
    }
    match p.shared.recv() {
        Ok(Shared::Read(bytes)) => preview(path, &bytes, read_only, rows, now),
        _ => None,
    }
}

/// [`first_screen`] from the bytes the full load read.
pub(super) fn preview(
    path: &std::path::Path,
    bytes: &[u8],
    read_only: Option<String>,
    rows: usize,
    now: Stamp,
) -> Option<App> {
    let loaded = store::load_preview(path, bytes, rows).ok()?;
    let read_only = loaded
        .newer_version
        .map(|v| format!("written by a newer rapporteur (schema {v})"))
        .or(read_only);
    Some(preview_app(path, loaded.session, read_only, now))
}

/// The state the full load will reach, from a preview's session.
fn preview_app(
    path: &std::path::Path,
    mut session: crate::model::Session,
    read_only: Option<String>,
    now: Stamp,
) -> App {
    let draft = if read_only.is_none() {
        store::load_draft(path)
    } else {
        None
    };
    let repaired =
        read_only.is_none() && restart_clock(&mut session, draft.as_ref(), now, &OpenMode::Capture);
    let mut app = App::new(session, path.to_path_buf(), read_only, draft, now);
    if repaired {
        // The full load records the clock's start at once: its first
        // frame says "saving", and so does this one.
        app.generation += 1;
    }
    app
}
