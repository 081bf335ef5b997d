//! The interactive program: opens the session, runs the event loop, and
//! hands writes to the background saver.

mod home;
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
use crate::store::{self, SessionLock, Store, StoreError};

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
fn open_session_sharing(
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
        let claimed = crate::text::sanitize(&claimed.join(" ")).into_owned();
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
fn restart_clock(
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
enum Shared {
    Locked(Option<String>),
    Read(std::sync::Arc<Vec<u8>>),
}

/// Below this size (about 500 entries) a session loads in a millisecond or
/// two: its first frame waits for the full load instead of a preview.
const PREVIEW_FROM_BYTES: u64 = 256 * 1024;

/// The full load's side of the first frame: it tells the lock's answer and
/// the bytes on `tx`; it reads the file only once `go` says so, and parses
/// it only once `go` says so again (or is dropped: the frame is drawn).
struct Share {
    tx: std::sync::mpsc::Sender<Shared>,
    go: std::sync::mpsc::Receiver<()>,
}

/// The first frame's side of the full load.
struct Preview {
    path: PathBuf,
    shared: std::sync::mpsc::Receiver<Shared>,
    /// A message lets the full load read the file for the partial read;
    /// dropping it lets the full load go all the way.
    go: Option<std::sync::mpsc::Sender<()>>,
}

/// The capture screen as the full load will show it, drawn once while the
/// full load runs, then dropped. It takes no lock and writes nothing. It
/// comes from the session's first-screen record when that is for exactly
/// the file there now (`store::screen`), else from the bytes the full load
/// read, parsing only each block's newest `rows` entries
/// (`model::preview`).
fn first_screen(p: &mut Preview, rows: usize, now: Stamp) -> Option<App> {
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
fn preview(
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
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::model::{Entry, Kind, Session, Template};

    fn screen(app: &App, w: u16, h: u16) -> ratatui::buffer::Buffer {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| crate::ui::render(app, f)).expect("draw");
        t.backend().buffer().clone()
    }

    /// The preview's first frame is the full load's, cell for cell: the
    /// placeholders are never drawn and every count is right.
    #[test]
    fn the_preview_draws_what_the_full_load_draws() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::new(dir.path());
        let t0: Stamp = "2011-05-19T10:00:00+06:00".parse().expect("stamp");
        let mut s = Session::from_template(&Template::builtin(), Some("Preview"), t0);
        for i in 0..3_000 {
            let kind = Kind::ALL[i % Kind::ALL.len()];
            let text = match i % 3 {
                0 => format!("Запись {i}: мигранттардың құқықтары #gender-equality"),
                1 => format!(
                    "Entry {i}: a longer recommendation that wraps over more than one line of the entries pane on a narrow terminal, 日本語"
                ),
                _ => format!("Entry {i}"),
            };
            s.blocks[i % 3].entries.push(Entry::new(
                kind,
                text,
                Some("Айгерим Сарсенова".into()),
                t0.plus_seconds(i as i64),
            ));
        }
        // The third block was running when a process died.
        s.current_block = Some(s.blocks[2].id.clone());
        s.start_clock(t0);
        s.updated = t0.plus_seconds(3_000);
        let path = store.create(&s).expect("create");
        let draft = crate::model::Draft {
            session_id: s.id.clone(),
            entry_id: crate::model::new_id(),
            editing: false,
            kind: Kind::Recommendation,
            text: "R: a draft left by the killed process".into(),
            saved: t0.plus_seconds(3_100),
        };
        store::save_draft(&path, &draft).expect("draft");

        let now = t0.plus_seconds(4_000);
        for (w, h) in [(200u16, 50u16), (80, 24), (120, 40)] {
            let full = open_session(path.clone(), now).expect("open");
            let bytes = std::fs::read(&path).expect("read");
            let pre = preview(&path, &bytes, None, usize::from(h), now).expect("preview");
            assert_eq!(
                pre.session
                    .blocks
                    .iter()
                    .map(|b| b.entries.len())
                    .collect::<Vec<_>>(),
                full.app
                    .session
                    .blocks
                    .iter()
                    .map(|b| b.entries.len())
                    .collect::<Vec<_>>()
            );
            assert_eq!(screen(&pre, w, h), screen(&full.app, w, h), "{w}×{h}");
            drop(full);
        }
        // Open in another rapporteur: the full load says read-only and
        // starts no clock; the preview hears the lock's answer and agrees.
        let other = store::acquire(&path).expect("lock");
        let full = open_session(path.clone(), now).expect("open");
        assert!(full.app.read_only.is_some());
        let bytes = std::fs::read(&path).expect("read");
        let pre = preview(&path, &bytes, full.app.read_only.clone(), 50, now).expect("preview");
        assert_eq!(
            screen(&pre, 200, 50),
            screen(&full.app, 200, 50),
            "read-only"
        );
        drop(other);

        // It parsed no more than it showed.
        let bytes = std::fs::read(&path).expect("read");
        let pre = preview(&path, &bytes, None, 10, now).expect("preview");
        let parsed = pre.session.blocks[2]
            .entries
            .iter()
            .filter(|e| !e.id.is_empty())
            .count();
        assert_eq!(parsed, 10);

        // The same from the first-screen record, through the hand-over
        // with the full load: with a record, the full load is held back
        // until the frame is drawn; without one, it reads at once and parses
        // once the frame is drawn.
        store::screen::write(
            &path,
            &store::screen::tail(store::load(&path).expect("load").session),
        );
        for (w, h) in [(200u16, 50u16), (80, 24), (120, 40)] {
            let full = open_session(path.clone(), now).expect("open");
            let (mut p, loader) = hand_over(&path, None);
            let pre = first_screen(&mut p, usize::from(h), now).expect("first screen");
            assert!(p.go.is_some(), "the full load waits for the frame");
            assert!(pre.session.blocks[2].unloaded > 0, "drawn from the record");
            assert_eq!(
                screen(&pre, w, h),
                screen(&full.app, w, h),
                "record {w}×{h}"
            );
            drop(p);
            assert!(loader.join().expect("loader"), "the full load went on");
        }
        let other = store::acquire(&path).expect("lock");
        let full = open_session(path.clone(), now).expect("open");
        let (mut p, loader) = hand_over(&path, full.app.read_only.clone());
        let pre = first_screen(&mut p, 50, now).expect("first screen");
        assert_eq!(
            screen(&pre, 200, 50),
            screen(&full.app, 200, 50),
            "record, read-only"
        );
        drop((p, other));
        assert!(loader.join().expect("loader"));
        // Without a usable record, the bytes: the full load is let go at
        // once, or this would wait forever.
        std::fs::write(store::screen::path_of(&path), b"{}").expect("spoil");
        let (mut p, loader) = hand_over(&path, None);
        let pre = first_screen(&mut p, 50, now).expect("first screen");
        assert_eq!(pre.session.blocks[2].unloaded, 0, "drawn from the file");
        drop(p);
        assert!(loader.join().expect("loader"));
    }

    /// A stand-in for the full load's side of the first frame: says the
    /// lock's answer, waits for the go, sends the file, waits for the frame.
    /// True when it got that far.
    fn hand_over(
        path: &std::path::Path,
        read_only: Option<String>,
    ) -> (Preview, std::thread::JoinHandle<bool>) {
        let (tx, shared) = std::sync::mpsc::channel();
        let (go_tx, go) = std::sync::mpsc::channel::<()>();
        let file = path.to_path_buf();
        let loader = std::thread::spawn(move || {
            let share = Share { tx, go };
            let _ = share.tx.send(Shared::Locked(read_only));
            // A first frame that never lets it read fails the test here
            // (it gets no bytes) instead of hanging it.
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                share.go.recv_timeout(Duration::from_secs(10))
            {
                return false;
            }
            let bytes = std::sync::Arc::new(std::fs::read(&file).expect("read"));
            let _ = share.tx.send(Shared::Read(bytes));
            let _ = share.go.recv();
            true
        });
        let p = Preview {
            path: path.to_path_buf(),
            shared,
            go: Some(go_tx),
        };
        (p, loader)
    }
}
