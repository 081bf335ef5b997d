//! The home screen's event loop. Reading the folder and searching run on
//! blocking threads; the screen only hears back through a channel, so
//! typing a query never waits for the disk or the scan.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;

use super::terminal::TerminalGuard;
use super::{SessionEnd, prepare, session_loop};
use crate::app::home::{BadFile, Home, HomeAction, HomeEffect, OpenMode, update};
use crate::cli::Failure;
use crate::model::{Session, Stamp, Template};
use crate::search::{Index, Query};
use crate::store::Store;

/// Results shown at most; the count says how many there were.
const SHOWN: usize = 500;

enum Msg {
    Indexed(Arc<Index>),
    Action(HomeAction),
}

pub async fn home_loop(store: &Store, guard: &mut TerminalGuard) -> Result<(), Failure> {
    let mut home = Home::new();
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut index: Option<Arc<Index>> = None;
    // One search at a time; a newer query waits here and replaces older
    // waiting ones.
    let mut waiting: Option<(u64, String)> = None;
    let mut in_flight = false;
    let mut events = EventStream::new();
    let mut notice_timer = tokio::time::interval(Duration::from_secs(1));

    loop {
        for effect in home.take_effects() {
            match effect {
                HomeEffect::Load => {
                    let tx = tx.clone();
                    let store = store.clone();
                    tokio::task::spawn_blocking(move || {
                        // The list first, from the summary cache where it
                        // can; the search index, which reads every entry,
                        // after.
                        let _ = tx.send(Msg::Action(list(&store)));
                        let _ = tx.send(Msg::Indexed(Arc::new(build_index(&store))));
                    });
                }
                HomeEffect::Search { generation, query } => {
                    waiting = Some((generation, query));
                }
                HomeEffect::Trash(path) => {
                    let r = store
                        .trash(&path)
                        .map(|_| {
                            "Moved to the trash (t shows it, Enter there restores).".to_string()
                        })
                        .map_err(|e| format!("Not moved: {e}"));
                    update(&mut home, HomeAction::Done(r));
                }
                HomeEffect::Restore(path) => {
                    let r = store
                        .restore(&path)
                        .map(|p| format!("Restored as {}", p.display()))
                        .map_err(|e| format!("Not restored: {e}"));
                    update(&mut home, HomeAction::Done(r));
                }
                HomeEffect::EmptyTrash(listed) => {
                    let r = store
                        .empty_trash(&listed)
                        .map(|e| crate::store::trash::emptied_notice(&e))
                        .map_err(|e| format!("The trash was not emptied: {e}"));
                    update(&mut home, HomeAction::Done(r));
                }
                HomeEffect::Open { path, mode } => {
                    if open(store, guard, path, mode, &mut home).await? == SessionEnd::Terminated {
                        return Ok(());
                    }
                    events = EventStream::new();
                }
                HomeEffect::New => {
                    let s = Session::from_template(&Template::builtin(), None, Stamp::now());
                    match store.create(&s) {
                        Ok(path) => {
                            if open(store, guard, path, OpenMode::Setup, &mut home).await?
                                == SessionEnd::Terminated
                            {
                                return Ok(());
                            }
                            events = EventStream::new();
                        }
                        Err(e) => home.notice = Some(format!("No new session: {e}")),
                    }
                }
            }
        }
        // Start the waiting search if none is running and we can.
        // A query typed before the index is ready keeps waiting for it.
        if !in_flight
            && let Some(ix) = index.clone()
            && let Some((generation, query)) = waiting.take()
        {
            in_flight = true;
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let q = Query::parse(&query, None, None);
                let (hits, total) = ix.search(&q, SHOWN);
                let _ = tx.send(Msg::Action(HomeAction::Results {
                    generation,
                    hits,
                    total,
                }));
            });
        }
        if home.quit {
            return Ok(());
        }
        guard
            .terminal
            .draw(|f| crate::ui::home::render(&home, f))
            .map_err(|e| Failure::new(format!("cannot draw: {e}")))?;
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => update(&mut home, HomeAction::Key(k)),
                Some(Ok(Event::Paste(p))) => {
                    // Keys right behind a paste are its text (Enter
                    // would open a session).
                    let (p, gone) = super::paste::with_tail(&mut events, p).await;
                    update(&mut home, HomeAction::Paste(p));
                    if gone {
                        return Ok(());
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Ok(()),
            },
            Some(msg) = rx.recv() => match msg {
                Msg::Indexed(ix) => index = Some(ix),
                Msg::Action(a) => {
                    if matches!(a, HomeAction::Results { .. }) {
                        in_flight = false;
                    }
                    update(&mut home, a);
                }
            },
            _ = notice_timer.tick() => {}
            _ = guard.signals.recv() => return Ok(()),
        }
    }
}

async fn open(
    store: &Store,
    guard: &mut TerminalGuard,
    path: std::path::PathBuf,
    mode: OpenMode,
    home: &mut Home,
) -> Result<SessionEnd, Failure> {
    match prepare(store, path, &mode) {
        Ok(opened) => {
            let end = session_loop(guard, opened).await?;
            home.effects.push(HomeEffect::Load);
            Ok(end)
        }
        Err(f) => {
            home.notice = Some(f.message);
            Ok(SessionEnd::Closed)
        }
    }
}

/// The sessions for the screen, and the files that could not be read.
fn list(store: &Store) -> HomeAction {
    let listing = store.list().unwrap_or_default();
    let bad = listing
        .bad
        .into_iter()
        .map(|e| BadFile {
            path: e.path().to_path_buf(),
            error: e.to_string(),
        })
        .collect();
    HomeAction::Loaded {
        sessions: listing.sessions,
        bad,
        trash: store.trash_list(),
    }
}

/// Every entry of every readable session, folded for search.
fn build_index(store: &Store) -> Index {
    let mut index = Index::new();
    let paths = if store.dir().exists() {
        store.session_paths().unwrap_or_default()
    } else {
        Vec::new()
    };
    let loaded = crate::store::par_map(&paths, |p| store.load_inside(p));
    for (p, r) in paths.into_iter().zip(loaded) {
        if let Ok(l) = r {
            index.add(p, l.session);
        }
    }
    index
}
