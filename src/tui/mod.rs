//! The interactive program: opens the session, runs the event loop, and
//! hands writes to the background saver.

mod home;
mod open;
mod paste;
mod quit;
pub mod room;
pub mod signals;
mod terminal;

use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep_until};

use crate::app::home::OpenMode;
use crate::app::{Action, App, Effect, SaveOutcome, update};
use crate::cli::Failure;
use crate::model::Stamp;
use crate::store::saver::{Append, DraftOp, Job, Report, Saver};
use crate::store::{self, Store};

pub use open::{Opened, open_session, open_session_in};
use open::{Preview, Share, first_screen, open_session_sharing};
pub use terminal::restore;

/// The draft as it stands, for the panic hook: a panic anywhere on the
/// main thread still leaves the rapporteur's last words on disk.
static LAST_DRAFT: std::sync::Mutex<Option<(PathBuf, crate::model::Draft)>> =
    std::sync::Mutex::new(None);

fn remember_draft(app: &App) {
    if app.read_only.is_some() {
        return;
    }
    if let Ok(mut slot) = LAST_DRAFT.lock() {
        *slot = (!app.draft_is_empty()).then(|| (app.path.clone(), app.draft()));
    }
}

fn forget_draft() {
    if let Ok(mut slot) = LAST_DRAFT.lock() {
        *slot = None;
    }
}

pub(crate) fn save_draft_on_panic() {
    // try_lock: a panic while the lock is held must not deadlock here.
    if let Ok(slot) = LAST_DRAFT.try_lock()
        && let Some((path, draft)) = slot.as_ref()
    {
        match store::save_draft(path, draft) {
            Ok(()) => eprintln!(
                "rapporteur: the draft was saved in {}",
                store::draft_path(path).display()
            ),
            Err(e) => eprintln!("rapporteur: the draft could not be saved: {e}"),
        }
    }
}

/// How long typing may go unsaved: the draft is written at most this long
/// after the first unsaved keystroke.
/// A quarter second leaves most of the one-second promise for a slow
/// disk: a kill loses at most this much typing plus the write itself.
pub const DRAFT_DELAY: Duration = Duration::from_millis(250);
/// How soon a failed save is tried again.
pub const RETRY_DELAY: Duration = Duration::from_secs(2);

/// Turns the state's queued effects into one saver job.
pub fn job_from(effects: Vec<Effect>) -> (Job, bool) {
    let mut job = Job::default();
    let mut bell = false;
    for e in effects {
        match e {
            Effect::SaveSession {
                session,
                generation,
            } => {
                job.session = Some((generation, session));
                job.appends.clear();
            }
            Effect::Append { op, at, generation } => job.appends.push(Append {
                generation,
                at,
                op: *op,
            }),
            Effect::SaveDraft(d) => job.draft = Some(DraftOp::Save(d)),
            Effect::ClearDraft => job.draft = Some(DraftOp::Clear),
            Effect::Bell => bell = true,
            Effect::SaveTemplate { path, template } => job.templates.push((path, template)),
            Effect::Export { path, bytes } => job.exports.push((path, bytes)),
            Effect::Reloaded { epoch } => job.epoch = Some(epoch),
        }
    }
    (job, bell)
}

pub fn outcome(r: Report) -> SaveOutcome {
    SaveOutcome {
        session: r.session,
        appended: r.appended,
        draft: r.draft,
        templates: r.templates,
        exports: r.exports,
        outside: r.outside,
    }
}

/// Where the interactive program starts.
pub enum Start {
    /// The home screen: sessions, search, trash.
    Home,
    /// One session; quitting it quits the program.
    Session { path: PathBuf, mode: OpenMode },
}

/// How a session's loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    Closed,
    /// SIGTERM, SIGHUP or the terminal went away: leave everything.
    Terminated,
}

pub fn run(store: &Store, start: Start) -> Result<(), Failure> {
    // Reading the session and setting up the terminal (which waits for the
    // terminal to answer a query) overlap: both stand before the first
    // frame.
    let opening = match start {
        Start::Session { path, mode } => {
            let store = store.clone();
            let (tx, shared) = std::sync::mpsc::channel();
            let (go_tx, go) = std::sync::mpsc::channel();
            let capture = (mode == OpenMode::Capture).then(|| Preview {
                path: path.clone(),
                shared,
                go: Some(go_tx),
            });
            let share = capture.is_some().then_some(Share { tx, go });
            Some((
                std::thread::spawn(move || {
                    if share.is_some() {
                        // Behind the first frame and the terminal that
                        // shows it; on Linux this sets this thread only.
                        // SAFETY: setpriority has no memory effects.
                        unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
                    }
                    prepare_sharing(&store, path, &mode, share)
                }),
                capture,
            ))
        }
        Start::Home => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start: {e}")))?;
    let r = rt.block_on(async {
        let mut guard = terminal::TerminalGuard::enter().map_err(|e| {
            Failure::new(format!("cannot use this terminal: {e}"))
                .hint("run rapporteur in an interactive terminal")
        })?;
        match opening {
            Some((opening, capture)) => {
                // A long session takes a while to parse: draw its first
                // frame from its first-screen record or a partial read
                // meanwhile. Keys typed wait in the terminal for the full
                // state.
                if let Some(mut capture) = capture {
                    let rows = guard.terminal.size().map_or(50, |s| usize::from(s.height));
                    if let Some(app) = first_screen(&mut capture, rows, Stamp::now())
                        && !opening.is_finished()
                    {
                        let _ = guard.terminal.draw(|f| crate::ui::render(&app, f));
                    }
                    capture.go = None;
                }
                guard.enhance_keys();
                let opened = opening.join().unwrap_or_else(|panic| {
                    // The hook has restored the terminal and said why.
                    std::panic::resume_unwind(panic)
                })?;
                session_loop(&mut guard, opened).await.map(|_| ())
            }
            None => {
                guard.enhance_keys();
                home::home_loop(store, &mut guard).await
            }
        }
    });
    // A search or a listing still reading a stuck disk must not keep the
    // process alive: everything worth keeping was saved or reported.
    rt.shutdown_background();
    signals::exit_if_ended(r)
}

/// Opens a session and gives it what the store knows: the templates and
/// the folders for templates and reports.
pub fn prepare(store: &Store, path: PathBuf, mode: &OpenMode) -> Result<Opened, Failure> {
    prepare_sharing(store, path, mode, None)
}

fn prepare_sharing(
    store: &Store,
    path: PathBuf,
    mode: &OpenMode,
    share: Option<Share>,
) -> Result<Opened, Failure> {
    let mut opened = open_session_sharing(path, Stamp::now(), mode, share)?;
    let templates_dir = store.templates_dir();
    opened
        .app
        .templates
        .extend(store::list_templates(&templates_dir));
    opened.app.existing = store::files_in(&[&templates_dir, &store.exports_dir()]);
    opened.app.templates_dir = Some(templates_dir);
    opened.app.exports_dir = Some(store.exports_dir());
    if let Some(fs) = store::network_fs(store.dir()) {
        opened.app.notice = Some(format!(
            "Warning: the sessions folder is on {fs}. Locks may not stop a writer on another machine, and saves can be lost if the server goes away; prefer a local folder."
        ));
    }
    Ok(opened)
}

/// Runs one open session until it is closed.
pub async fn session_loop(
    guard: &mut terminal::TerminalGuard,
    opened: Opened,
) -> Result<SessionEnd, Failure> {
    let Opened { app, lock } = opened;
    let r = event_loop(app, guard).await;
    drop(lock);
    r
}

async fn event_loop(
    mut app: App,
    guard: &mut terminal::TerminalGuard,
) -> Result<SessionEnd, Failure> {
    let (tx, mut saved_rx) = mpsc::unbounded_channel::<Report>();
    // What the saver keeps of the session for the first-screen record.
    let screen = app
        .read_only
        .is_none()
        .then(|| store::screen::tail_of(&mut app.session));
    let saver = Saver::spawn_knowing(
        app.path.clone(),
        store::journal::Owner::of(&app.session),
        app.session.journal_seq,
        screen,
        app.disk_keys,
        move |r| {
            let _ = tx.send(r);
        },
    );
    let mut events = EventStream::new();
    let mut tick = interval(Duration::from_secs(1));
    let mut draft_at: Option<Instant> = None;
    let mut retry_at: Option<Instant> = None;
    // Once quitting began: when the saver must have finished.
    let mut quit_by: Option<Instant> = None;
    let mut stuck = false;
    let mut dirty = true;
    let mut result = Ok(());
    let mut terminated = false;

    loop {
        // Effects first: writes go out before the frame is drawn.
        let (job, bell) = job_from(app.take_effects());
        saver.send(job);
        if bell {
            terminal::bell();
        }
        // While saves fail, the retry timer carries the draft too, instead
        // of hammering a broken disk four times a second.
        if app.save_error.is_some() {
            draft_at = None;
        } else if (app.draft_dirty || app.session_dirty) && draft_at.is_none() {
            draft_at = Some(Instant::now() + DRAFT_DELAY);
        }
        if app.save_error.is_some() && retry_at.is_none() {
            retry_at = Some(Instant::now() + RETRY_DELAY);
        }
        if !(app.quitting || app.quit) {
            // A failed save asked whether to quit anyway: a new wait.
            quit_by = None;
        } else if quit_by.is_none() {
            quit_by = Some(Instant::now() + quit::QUIT_WAIT);
        }
        if app.quit {
            break;
        }
        if dirty {
            if let Err(e) = guard.terminal.draw(|f| {
                crate::store::fault::panic_at("render");
                crate::ui::render(&app, f)
            }) {
                result = Err(Failure::new(format!("cannot draw: {e}")));
                update(&mut app, Action::Terminate);
                continue;
            }
            dirty = false;
        }
        let mut action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => to_action(ev),
                // The terminal is gone: behave as on SIGHUP.
                Some(Err(_)) | None => Some(Action::Terminate),
            },
            _ = tick.tick() => Some(Action::Tick(Stamp::now())),
            _ = sleep_until(draft_at.unwrap_or_else(Instant::now)), if draft_at.is_some() => {
                draft_at = None;
                Some(Action::SaveDraftNow)
            }
            _ = sleep_until(retry_at.unwrap_or_else(Instant::now)), if retry_at.is_some() => {
                retry_at = None;
                Some(Action::RetrySave)
            }
            Some(r) = saved_rx.recv() => Some(Action::Saved(outcome(r))),
            _ = guard.signals.recv() => Some(Action::Terminate),
            _ = sleep_until(quit_by.unwrap_or_else(Instant::now) - quit::FINISH_FLOOR),
                if quit_by.is_some() => {
                // The saver is stuck: quitting does not wait for it.
                stuck = true;
                break;
            }
        };
        let mut gone = false;
        if let Some(Action::Paste(text)) = action {
            let (text, g) = paste::with_tail(&mut events, text).await;
            (action, gone) = (Some(Action::Paste(text)), g);
        }
        if let Some(a) = action {
            terminated |= a == Action::Terminate;
            if matches!(a, Action::Key(_) | Action::Paste(_)) {
                // Keep the clock honest for timestamps without a timer
                // wait: reading it costs nanoseconds.
                update(&mut app, Action::Tick(Stamp::now()));
            }
            if matches!(a, Action::Key(_)) {
                crate::store::fault::panic_at("update");
            }
            update(&mut app, a);
            remember_draft(&app);
            dirty = true;
        }
        if gone {
            terminated = true;
            update(&mut app, Action::Terminate);
            continue;
        }
        // Drain whatever else is already waiting (a paste burst, key
        // repeat) before drawing once. A zero timeout polls the stream
        // with this task's waker, so a key that is not there yet still
        // wakes us when it comes (`now_or_never` would lose that wake-up).
        for _ in 0..64 {
            match tokio::time::timeout(Duration::ZERO, events.next()).await {
                Ok(Some(Ok(ev))) => {
                    let mut a = to_action(ev);
                    if let Some(Action::Paste(text)) = a {
                        let (text, g) = paste::with_tail(&mut events, text).await;
                        (a, gone) = (Some(Action::Paste(text)), g);
                    }
                    if let Some(a) = a {
                        terminated |= a == Action::Terminate;
                        if matches!(a, Action::Key(_)) {
                            crate::store::fault::panic_at("update");
                        }
                        update(&mut app, a);
                        remember_draft(&app);
                    }
                    dirty = true;
                    if gone {
                        terminated = true;
                        update(&mut app, Action::Terminate);
                        break;
                    }
                }
                Ok(Some(Err(_)) | None) => {
                    terminated = true;
                    update(&mut app, Action::Terminate);
                    break;
                }
                Err(_) => break,
            }
        }
    }
    let (job, _) = job_from(app.take_effects());
    saver.send(job);
    forget_draft();
    let left = quit_by
        .map_or(quit::QUIT_WAIT, |by| {
            by.saturating_duration_since(Instant::now())
        })
        .max(quit::FINISH_FLOOR);
    let finished = !stuck && tokio::task::block_in_place(|| saver.finish(left));
    while let Ok(r) = saved_rx.try_recv() {
        update(&mut app, Action::Saved(outcome(r)));
    }
    if !finished {
        return Err(tokio::task::block_in_place(|| quit::stuck(&app)));
    }
    if app.save_error.is_some() {
        let why = app.save_error.clone().unwrap_or_default();
        return Err(Failure::new(format!(
            "{}: NOT everything was saved ({why})",
            app.path.display()
        ))
        .hint("the previous file is intact; free disk space or fix the folder, then reopen the session"));
    }
    result.map(|()| {
        if terminated {
            SessionEnd::Terminated
        } else {
            SessionEnd::Closed
        }
    })
}

fn to_action(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) => Some(Action::Key(k)),
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Resize(..) => Some(Action::Tick(Stamp::now())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
