//! The room view's event loop: follows the session file with the notify
//! crate (falling back to polling), redraws, and never writes.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use notify::Watcher;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep_until};

use super::terminal::TerminalGuard;
use crate::app::room::{Room, RoomAction, update};
use crate::cli::Failure;
use crate::model::Stamp;
use crate::store;

/// How often the file is looked at when no watcher could be set up, and
/// as a safety net when one was: a stat is cheap.
const POLL: Duration = Duration::from_millis(200);

/// How long the watcher's events must pause before the file is read.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// What identifies one version of the file: an atomic save changes the
/// inode, an in-place write the size or time.
type Print = Option<(u64, u64, i64, i64)>;

fn print_of(path: &Path) -> Print {
    let m = std::fs::metadata(path).ok()?;
    Some((m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
}

/// The session file's and its journal's: an entry committed in capture
/// lands in the journal first.
fn fingerprint(path: &Path) -> (Print, Print) {
    (
        print_of(path),
        print_of(&store::journal::journal_path(path)),
    )
}

/// Whether a watcher event can mean new content. Opening and reading the
/// file (this view's own reads included) is no change: reacting to those
/// re-read the file for ever.
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The session, read again if its files changed since `seen`.
fn reload(path: &Path, seen: &mut (Print, Print)) -> Option<RoomAction> {
    let now = fingerprint(path);
    if now == *seen {
        return None;
    }
    *seen = now;
    Some(RoomAction::Loaded(Box::new(read(path))))
}

fn read(path: &Path) -> Result<crate::model::Session, String> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("the session file is gone".to_string());
        }
        _ => {}
    }
    store::load(path)
        .map(|l| l.session)
        .map_err(|e| e.to_string())
}

pub fn run(path: PathBuf) -> Result<(), Failure> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start: {e}")))?;
    let r = rt.block_on(event_loop(path));
    super::signals::exit_if_ended(r)
}

async fn event_loop(path: PathBuf) -> Result<(), Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut room = Room::new(name.clone(), Stamp::now());
    update(&mut room, RoomAction::Loaded(Box::new(read(&path))));
    let mut seen = fingerprint(&path);

    // Watch the folder, not the file: an atomic save replaces the file's
    // inode, and a watch on the old inode would go quiet.
    let (tx, mut changes) = mpsc::unbounded_channel::<()>();
    let targets = [
        name.clone(),
        store::journal::journal_path(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    ];
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && changes_content(&ev.kind)
            && ev.paths.iter().any(|p| {
                p.file_name()
                    .is_some_and(|n| targets.iter().any(|t| *t == n.to_string_lossy()))
            })
        {
            let _ = tx.send(());
        }
    })
    .and_then(|mut w| {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        w.watch(&dir, notify::RecursiveMode::NonRecursive)
            .map(|()| w)
    });
    let watching = watcher.is_ok();

    let mut guard = TerminalGuard::enter()
        .map_err(|e| Failure::new(format!("cannot use this terminal: {e}")))?;
    guard.enhance_keys();
    let mut events = EventStream::new();
    let mut tick = interval(Duration::from_secs(1));
    let mut poll = interval(if watching {
        Duration::from_secs(1)
    } else {
        POLL
    });
    // A save is a burst of events (temp file, rename, journal): the file
    // is read once the burst has been quiet for DEBOUNCE.
    let mut reload_at: Option<Instant> = None;
    let mut dirty = true;
    loop {
        if dirty {
            guard
                .terminal
                .draw(|f| crate::ui::room::render(&room, f))
                .map_err(|e| Failure::new(format!("cannot draw: {e}")))?;
            dirty = false;
        }
        if room.quit {
            break;
        }
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Some(RoomAction::Key(k)),
                Some(Ok(Event::Resize(..))) => Some(RoomAction::Tick(Stamp::now())),
                Some(Ok(_)) => None,
                // The terminal is gone: nobody is watching.
                Some(Err(_)) | None => break,
            },
            _ = guard.signals.recv() => break,
            _ = tick.tick() => Some(RoomAction::Tick(Stamp::now())),
            Some(()) = changes.recv() => {
                reload_at = Some(Instant::now() + DEBOUNCE);
                None
            }
            _ = sleep_until(reload_at.unwrap_or_else(Instant::now)), if reload_at.is_some() => {
                reload_at = None;
                while changes.try_recv().is_ok() {}
                reload(&path, &mut seen)
            }
            _ = poll.tick() => reload(&path, &mut seen),
        };
        if let Some(a) = action {
            update(&mut room, a);
            dirty = true;
        }
    }
    drop(watcher);
    Ok(())
}
