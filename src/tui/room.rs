//! The room view's event loop: follows the session file with the notify
//! crate (falling back to polling), redraws, and never writes.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use notify::Watcher;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;
use tokio::time::interval;

use super::terminal::TerminalGuard;
use crate::app::room::{Room, RoomAction, update};
use crate::cli::Failure;
use crate::model::Stamp;
use crate::store;

/// How often the file is looked at when no watcher could be set up, and
/// as a safety net when one was: a stat is cheap.
const POLL: Duration = Duration::from_millis(200);

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
    rt.block_on(event_loop(path))
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
    loop {
        guard
            .terminal
            .draw(|f| crate::ui::room::render(&room, f))
            .map_err(|e| Failure::new(format!("cannot draw: {e}")))?;
        if room.quit {
            break;
        }
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Some(RoomAction::Key(k)),
                Some(Ok(_)) => None,
                Some(Err(_)) | None => break,
            },
            _ = tick.tick() => Some(RoomAction::Tick(Stamp::now())),
            Some(()) = changes.recv() => {
                // A burst of events for one save: read once.
                while changes.try_recv().is_ok() {}
                seen = fingerprint(&path);
                Some(RoomAction::Loaded(Box::new(read(&path))))
            }
            _ = poll.tick() => {
                let now = fingerprint(&path);
                if now != seen {
                    seen = now;
                    Some(RoomAction::Loaded(Box::new(read(&path))))
                } else {
                    None
                }
            }
        };
        if let Some(a) = action {
            update(&mut room, a);
        }
    }
    drop(watcher);
    Ok(())
}
