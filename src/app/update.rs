use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::complete::complete;
use super::keymap::{self, Command, Context};
use super::review;
use super::setup;
use super::state::{App, Deleted, Effect, Focus, Modal, Screen};
use crate::model::{Entry, Label, Stamp, new_id, parse_draft};

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Key(KeyEvent),
    /// A bracketed paste: goes into the editor as it is and never commits.
    Paste(String),
    /// Time passed: the wall clock's reading, recorded in stamps; block
    /// clocks read the app's monotonic clock at the same time.
    Tick(Stamp),
    /// Time to write the draft (the event loop's throttle fired).
    SaveDraftNow,
    Saved(SaveOutcome),
    /// The event loop's retry timer after a failed save.
    RetrySave,
    /// SIGTERM or SIGHUP: save what there is and leave.
    Terminate,
}

/// What the saver did with one batch of effects.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveOutcome {
    /// The session generation written, or the error.
    pub session: Option<Result<u64, String>>,
    /// The generation the journal appends reached, or the error.
    pub appended: Option<Result<u64, String>>,
    pub draft: Option<Result<(), String>>,
    pub templates: Vec<Result<std::path::PathBuf, String>>,
    pub exports: Vec<Result<std::path::PathBuf, String>>,
    /// Another program had changed the session file: what the saver did.
    pub outside: Option<crate::store::guard::Outside>,
}

pub fn update(app: &mut App, action: Action) {
    match action {
        Action::Key(key) => {
            // Release and repeat reports (kitty protocol, Windows) are not
            // keystrokes.
            if key.kind != KeyEventKind::Press {
                return;
            }
            on_key(app, key);
        }
        Action::Paste(text) => {
            if app.screen == Screen::Setup && app.modal.is_none() {
                setup::on_paste(app, &text);
            } else {
                on_paste(app, &text);
            }
        }
        Action::Tick(now) => on_tick(app, now),
        Action::SaveDraftNow => {
            if app.session_dirty {
                app.session_dirty = false;
                changed(app);
            }
            flush_draft(app);
        }
        Action::Saved(outcome) => on_saved(app, outcome),
        Action::RetrySave => {
            if app.save_error.is_some() {
                request_session_save(app);
                app.draft_dirty = true;
                flush_draft(app);
            }
        }
        Action::Terminate => {
            begin_quit(app);
            // Nobody is there to answer a question: leave once the saver
            // is done, whatever it says.
            app.quit = true;
        }
    }
    // A run any action started is measured from here (`model::clock`).
    app.session.observe_clock(app.mono, &app.now);
}

fn on_key(app: &mut App, key: KeyEvent) {
    if app.modal.is_some() {
        on_modal_key(app, key);
        return;
    }
    app.notice = None;
    if app.screen == Screen::Setup {
        setup::on_key(app, key);
        return;
    }
    if app.screen == Screen::Review && app.focus != Focus::Editor {
        review::on_key(app, key);
        return;
    }
    let context = match app.focus {
        Focus::Editor => Context::Editor,
        Focus::Entries => Context::Entries,
    };
    if let Some(cmd) = keymap::lookup(context, &key) {
        if cmd != Command::TabComplete {
            app.completion = None;
        }
        run(app, cmd);
        return;
    }
    app.completion = None;
    if app.focus == Focus::Editor {
        let typed = matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // Emacs-style shortcuts of the textarea stay available, except
        // those the app owns (they were looked up above).
        let changed = app.editor.input(key);
        // Moves shift a long entry's window as edits do.
        super::window::follow(&mut app.editor, &mut app.editor_outside);
        if changed || typed {
            app.draft_dirty = true;
        }
    }
}

/// The largest entry a paste may make, in bytes of text: far more than
/// anyone says in one go, small enough that editing stays quick.
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;

fn on_paste(app: &mut App, text: &str) {
    if app.modal.is_some() || app.focus != Focus::Editor {
        return;
    }
    // Line breaks of any platform become \n; other controls (an ESC in a
    // copied terminal line) would only be noise in the record.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let clean: String = text
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect();
    let clean = crate::model::display::for_edit_box(&clean);
    let have = app.draft_bytes();
    if have + clean.len() > MAX_ENTRY_BYTES {
        // Refused whole: half a paste would be a silently cut quote.
        app.notice = Some(format!(
            "Paste refused: {} KB would make the entry larger than {} KB. Nothing was changed; paste a shorter piece.",
            clean.len().div_ceil(1024),
            MAX_ENTRY_BYTES / 1024
        ));
        return;
    }
    if !clean.is_empty() {
        app.editor.insert_str(clean);
        super::window::follow(&mut app.editor, &mut app.editor_outside);
        app.completion = None;
        app.draft_dirty = true;
    }
}

/// The wall clock moved: keep `now`, and announce a block that has just
/// run over its planned time, once.
fn on_tick(app: &mut App, now: Stamp) {
    app.now = now;
    app.mono = app.clock.mono();
    app.session.observe_clock(app.mono, &app.now);
    if app.flash_until.is_some_and(|t| t.instant <= now.instant) {
        app.flash_until = None;
    }
    let Some(b) = app.session.blocks.get(app.current()) else {
        return;
    };
    let planned = b.planned_seconds();
    if planned > 0 && b.spent_at(&now) > planned && !app.alerted.contains(&b.id) {
        let id = b.id.clone();
        let title = b.title.shown().to_string();
        app.alerted.insert(id);
        app.notice = Some(format!(
            "Block {} ({title}) is over its planned time.",
            app.current() + 1,
        ));
        if app.bell {
            app.effects.push(Effect::Bell);
            app.flash_until = Some(now.plus_seconds(2));
        }
    }
}

/// Commands that mean the same on every screen of a session.
pub(super) fn run_global(app: &mut App, cmd: Command) {
    match cmd {
        Command::SaveNow | Command::Quit | Command::Help => run(app, cmd),
        _ => {}
    }
}

pub(super) fn run(app: &mut App, cmd: Command) {
    let now = app.now;
    match cmd {
        Command::OpenSetup => setup::open(app),
        Command::OpenReview => review::open(app, None),
        Command::EndSession if writable(app) => app.modal = Some(Modal::ConfirmEnd),
        Command::TogglePause => {
            if !writable(app) {
                return;
            }
            if app.session.is_paused() {
                app.session.resume(now);
                app.notice = Some("Clock running again.".into());
            } else {
                app.session.pause(now);
                app.notice =
                    Some("Clock paused: Ctrl+T resumes. Paused time is not counted.".into());
            }
            changed(app);
        }
        Command::ToggleBell => {
            app.bell = !app.bell;
            app.notice = Some(if app.bell {
                "Overrun bell on.".into()
            } else {
                "Overrun bell off.".into()
            });
        }
        Command::Commit => commit(app),
        Command::NewLine => {
            app.editor.insert_newline();
            super::window::follow(&mut app.editor, &mut app.editor_outside);
            app.draft_dirty = true;
        }
        Command::TabComplete => {
            if !complete(
                &mut app.editor,
                &mut app.completion,
                &app.speakers,
                &app.tags,
            ) {
                app.draft_kind = app.draft_kind.next();
                app.draft_dirty = true;
            } else {
                app.draft_dirty = true;
            }
        }
        Command::NextBlock | Command::PrevBlock => {
            let cur = app.current();
            let target = if cmd == Command::NextBlock {
                cur + 1
            } else {
                match cur.checked_sub(1) {
                    Some(t) => t,
                    None => return,
                }
            };
            if writable(app) && app.session.switch_block(target, now) {
                app.selected = None;
                if app.focus == Focus::Entries && !app.current_entries().is_empty() {
                    app.selected = Some(app.current_entries().len() - 1);
                }
                changed(app);
            }
        }
        // In review, Esc from the editor abandons the edit.
        Command::FocusEntries if app.screen == Screen::Review => {
            app.set_editor("");
            app.editing = None;
            app.focus = Focus::Entries;
            app.draft_dirty = true;
        }
        Command::FocusEntries => {
            app.focus = Focus::Entries;
            let n = app.current_entries().len();
            app.selected = n.checked_sub(1);
        }
        Command::FocusEditor => {
            app.focus = Focus::Editor;
            app.selected = None;
        }
        Command::SaveNow if writable(app) => {
            request_session_save(app);
            app.draft_dirty = true;
            flush_draft(app);
        }
        Command::SaveNow => {}
        Command::Quit => begin_quit(app),
        Command::Help => app.modal = Some(Modal::Help),
        Command::ToggleQuestions => app.show_questions = !app.show_questions,
        Command::SelectUp => select_by(app, -1),
        Command::SelectDown => select_by(app, 1),
        Command::PageUp => select_by(app, -10),
        Command::PageDown => select_by(app, 10),
        Command::SelectFirst => select_by(app, isize::MIN / 2),
        Command::SelectLast => select_by(app, isize::MAX / 2),
        Command::EditEntry => edit_selected(app),
        Command::ChangeKind => {
            if !writable(app) {
                return;
            }
            if let Some(pos) = app.selected_pos()
                && let Some(e) = app.session.entry_mut(pos)
            {
                e.kind = e.kind.next();
                e.edited = Some(now);
                changed(app);
            }
        }
        Command::MoveEntry => {
            if writable(app)
                && let Some(e) = app.selected_entry()
            {
                app.modal = Some(Modal::MoveTo {
                    entry_id: e.id.clone(),
                    target: app.current(),
                });
            }
        }
        Command::DeleteEntry => {
            if writable(app)
                && let Some(e) = app.selected_entry()
            {
                app.modal = Some(Modal::ConfirmDelete {
                    entry_id: e.id.clone(),
                });
            }
        }
        Command::UndoDelete => undo_delete(app),
        // Setup commands reach `setup::on_key`, never this function.
        _ => {}
    }
}

fn on_modal_key(app: &mut App, key: KeyEvent) {
    let Some(modal) = app.modal.clone() else {
        return;
    };
    let code = key.code;
    let yes = matches!(code, KeyCode::Char('y' | 'Y') | KeyCode::Enter);
    let no = matches!(code, KeyCode::Char('n' | 'N') | KeyCode::Esc);
    match modal {
        Modal::Help => match code {
            KeyCode::Esc | KeyCode::F(1) | KeyCode::Char('q') | KeyCode::Enter => {
                app.modal = None;
                app.help_scroll = 0;
            }
            KeyCode::Up => app.help_scroll = app.help_scroll.saturating_sub(1),
            KeyCode::Down => app.help_scroll = app.help_scroll.saturating_add(1).min(200),
            KeyCode::PageUp => app.help_scroll = app.help_scroll.saturating_sub(10),
            KeyCode::PageDown => app.help_scroll = app.help_scroll.saturating_add(10).min(200),
            _ => {}
        },
        Modal::ConfirmDelete { entry_id } => {
            if yes {
                app.modal = None;
                delete_entry(app, &entry_id);
            } else if no {
                app.modal = None;
            }
        }
        Modal::MoveTo { entry_id, target } => {
            let n = app.session.blocks.len();
            match code {
                KeyCode::Up => {
                    app.modal = Some(Modal::MoveTo {
                        entry_id,
                        target: target.saturating_sub(1),
                    })
                }
                KeyCode::Down => {
                    app.modal = Some(Modal::MoveTo {
                        entry_id,
                        target: (target + 1).min(n.saturating_sub(1)),
                    })
                }
                KeyCode::Char(c @ '1'..='9') => {
                    let t = c as usize - '1' as usize;
                    if t < n {
                        app.modal = None;
                        move_entry(app, &entry_id, t);
                    }
                }
                KeyCode::Enter => {
                    app.modal = None;
                    move_entry(app, &entry_id, target);
                }
                KeyCode::Esc => app.modal = None,
                _ => {}
            }
        }
        Modal::ConfirmEnd => {
            if yes {
                app.modal = None;
                let now = app.now;
                app.session.stop_clock(now);
                app.session.ended = Some(now);
                changed(app);
                review::open(app, None);
                app.notice = Some("Session ended. c reopens it for capture.".into());
            } else if no {
                app.modal = None;
            }
        }
        Modal::ConfirmReopen => {
            if yes {
                app.modal = None;
                app.session.ended = None;
                changed(app);
                review::to_capture(app);
            } else if no {
                app.modal = None;
            }
        }
        Modal::ConfirmRemoveBlock { index } => {
            if yes {
                app.modal = None;
                setup::remove_block(app, index);
            } else if no {
                app.modal = None;
            }
        }
        Modal::ConfirmReplace { path, what } => {
            if yes || no {
                super::replace::answer(app, yes, path, what);
            }
        }
        Modal::ConfirmQuitUnsaved => {
            if matches!(code, KeyCode::Char('y' | 'Y')) {
                app.modal = None;
                app.quit = true;
            } else if no {
                app.modal = None;
            }
        }
    }
}

pub(super) fn writable(app: &mut App) -> bool {
    match &app.read_only {
        Some(why) => {
            app.notice = Some(format!("Read-only: {why}"));
            false
        }
        None => true,
    }
}

/// Marks the session changed and queues its save.
pub(super) fn changed(app: &mut App) {
    app.session.updated = app.now;
    request_session_save(app);
}

/// Entries appended to the journal before the session file is rewritten
/// whole; keeps the journal, and the replay at load, short.
pub const JOURNAL_LIMIT: usize = 500;

pub(super) fn request_session_save(app: &mut App) {
    if !app.saves_flow() {
        return;
    }
    app.appends_since_snapshot = 0;
    app.generation += 1;
    app.effects.push(Effect::SaveSession {
        session: Box::new(app.session.clone()),
        generation: app.generation,
    });
}

fn flush_draft(app: &mut App) {
    if !app.draft_dirty || !app.saves_flow() {
        return;
    }
    app.draft_dirty = false;
    if app.draft_is_empty() {
        app.effects.push(Effect::ClearDraft);
    } else {
        app.effects.push(Effect::SaveDraft(app.draft()));
    }
}

fn commit(app: &mut App) {
    if app.draft_is_empty() || !writable(app) {
        return;
    }
    let now = app.now;
    let parsed = parse_draft(&app.draft_text(), &app.speakers);
    if parsed.text.trim().is_empty() {
        app.notice = Some("Nothing to commit: the entry has markers but no text.".into());
        return;
    }
    let kind = parsed.kind.unwrap_or(app.draft_kind);
    let edit_pos = app
        .editing
        .take()
        .and_then(|id| app.session.find_entry(&id));
    let mut appended = None;
    match edit_pos.and_then(|pos| app.session.entry_mut(pos)) {
        Some(e) => {
            e.kind = kind;
            // The editor was given the entry as shown: what is still as
            // it was shown keeps its raw text (see `edit_selected`).
            e.speaker = parsed
                .speaker
                .map(|s| Label::from_edit(&s, e.speaker.as_slice()));
            let untouched = !e.text.is_clean() && parsed.text == e.text.shown().trim();
            if !untouched {
                e.set_text(parsed.text);
            }
            e.edited = Some(now);
            app.notice = Some("Entry updated.".into());
        }
        None => {
            let mut entry = Entry::new(kind, parsed.text, parsed.speaker.map(Label::from), now);
            entry.id = std::mem::replace(&mut app.draft_entry_id, new_id());
            let i = app.current();
            if let Some(b) = app.session.blocks.get_mut(i) {
                appended = Some((b.id.clone(), entry.clone()));
                b.entries.push(entry);
            }
        }
    }
    app.set_editor("");
    app.draft_kind = crate::model::Kind::Note;
    app.completion = None;
    app.draft_dirty = false;
    match &appended {
        Some((_, entry)) => app.note_names_of(entry),
        // An edit can take a name away: walk everything.
        None => app.refresh_names(),
    }
    if app.screen == Screen::Review {
        app.focus = Focus::Entries;
    }
    match appended {
        // Enter on a new entry in a long session: one line in the journal
        // instead of rewriting megabytes. Shorter sessions are rewritten
        // whole, which is fast for them and keeps the JSON complete.
        Some((block, entry))
            if app.session.entry_count() >= crate::store::journal::USE_FROM_ENTRIES
                && app.appends_since_snapshot < JOURNAL_LIMIT =>
        {
            app.session.updated = now;
            app.generation += 1;
            app.appends_since_snapshot += 1;
            app.effects.push(Effect::Append {
                op: Box::new(crate::store::journal::Op::Add { block, entry }),
                at: now,
                generation: app.generation,
            });
        }
        _ => changed(app),
    }
    // After the entry, so a crash in between leaves a draft whose id is
    // in the session, which the next start recognises and drops.
    app.effects.push(Effect::ClearDraft);
}

fn begin_quit(app: &mut App) {
    if app.outside.as_ref().is_some_and(|o| o.frozen) {
        // Read-only since another program changed the file: the session
        // is not written, but the draft is, and quitting waits for it.
        app.draft_dirty = true;
        flush_draft(app);
        app.quitting = true;
        return;
    }
    if app.read_only.is_some() {
        if app.draft_is_empty() {
            app.quit = true;
        } else {
            app.modal = Some(Modal::ConfirmQuitUnsaved);
        }
        return;
    }
    app.session.stop_clock(app.now);
    app.session_dirty = false;
    changed(app);
    app.draft_dirty = true;
    flush_draft(app);
    app.quitting = true;
}

fn on_saved(app: &mut App, outcome: SaveOutcome) {
    for t in &outcome.exports {
        app.notice = Some(match t {
            Ok(p) => format!("Report written: {}", p.display()),
            Err(e) => format!("Report NOT written: {e}"),
        });
    }
    for t in &outcome.templates {
        app.notice = Some(match t {
            Ok(p) => format!("Template saved: {}", p.display()),
            Err(e) => format!("Template NOT saved: {e}"),
        });
    }
    let mut error = None;
    let wrote_session = outcome.session.is_some();
    match outcome.session {
        Some(Ok(generation)) => app.saved_generation = app.saved_generation.max(generation),
        Some(Err(e)) => error = Some(e),
        None => {}
    }
    match outcome.appended {
        // Appends count as saved only on top of a file without a pending
        // failure: the retry's snapshot is what heals that.
        Some(Ok(generation)) if app.save_error.is_none() || wrote_session => {
            app.saved_generation = app.saved_generation.max(generation)
        }
        Some(Ok(_)) | None => {}
        Some(Err(e)) => {
            error.get_or_insert(e);
        }
    }
    if let Some(o) = outcome.outside {
        super::outside::apply(app, o);
    }
    if let Some(Err(e)) = outcome.draft {
        error.get_or_insert(e);
        app.draft_dirty = true;
    }
    match error {
        Some(e) => {
            app.save_error = Some(e);
            if app.quitting && !app.quit {
                app.quitting = false;
                app.modal = Some(Modal::ConfirmQuitUnsaved);
            }
        }
        None => {
            if wrote_session || app.saved_generation >= app.generation {
                app.save_error = None;
            }
            if app.quitting && !app.has_unsaved() {
                app.quit = true;
            }
        }
    }
}

fn select_by(app: &mut App, delta: isize) {
    let n = app.current_entries().len();
    if n == 0 {
        app.selected = None;
        return;
    }
    let cur = app.selected.unwrap_or(n - 1) as isize;
    let next = cur.saturating_add(delta).clamp(0, n as isize - 1);
    app.selected = Some(next as usize);
}

fn edit_selected(app: &mut App) {
    if !writable(app) {
        return;
    }
    let Some(e) = app.selected_entry().cloned() else {
        return;
    };
    if !app.draft_is_empty() {
        app.notice = Some("Commit or clear the draft in the editor first.".into());
        return;
    }
    // The speaker goes back in as a marker, so it can be corrected too.
    // The editor gets the entry as shown, placeholders and all: a text box
    // would pass some controls to the terminal (U+2028, a joiner between
    // letters) and hide the others, so the rapporteur would change text
    // that is not all there. What is left as it was keeps its raw text
    // (see `commit`).
    let text = match &e.speaker {
        Some(s) => format!("@{} {}", s.shown(), e.text.shown()),
        None => e.text.shown().to_string(),
    };
    let clean = e.text.is_clean() && e.speaker.as_ref().is_none_or(|s| s.is_clean());
    app.set_editor(&text);
    app.draft_kind = e.kind;
    app.editing = Some(e.id);
    app.focus = Focus::Editor;
    app.selected = None;
    app.draft_dirty = true;
    app.notice = Some(if clean {
        "Editing: Enter saves the change.".into()
    } else {
        "Editing: Enter saves the change; controls (␛, ⍰…) left as they are stay.".into()
    });
}

fn delete_entry(app: &mut App, entry_id: &str) {
    let Some(pos) = app.session.find_entry(entry_id) else {
        return;
    };
    let block = &mut app.session.blocks[pos.block];
    let entry = block.entries.remove(pos.entry);
    app.undo.push(Deleted {
        block_id: block.id.clone(),
        index: pos.entry,
        entry,
    });
    let n = app.current_entries().len();
    app.selected = app
        .selected
        .map(|s| s.min(n.saturating_sub(1)))
        .filter(|_| n > 0);
    app.notice = Some("Entry deleted. Press u to undo.".into());
    changed(app);
}

fn undo_delete(app: &mut App) {
    if !writable(app) {
        return;
    }
    let Some(d) = app.undo.pop() else {
        app.notice = Some("Nothing to undo.".into());
        return;
    };
    // The block may have been removed meanwhile; the entry then lands in
    // the current block rather than being lost.
    let b = app
        .session
        .block_index(&d.block_id)
        .unwrap_or_else(|| app.current());
    let Some(block) = app.session.blocks.get_mut(b) else {
        app.undo.push(d);
        return;
    };
    let index = d.index.min(block.entries.len());
    block.entries.insert(index, d.entry);
    if b == app.current() {
        app.selected = Some(index);
    }
    app.notice = Some("Delete undone.".into());
    changed(app);
}

fn move_entry(app: &mut App, entry_id: &str, target: usize) {
    let Some(pos) = app.session.find_entry(entry_id) else {
        return;
    };
    if target == pos.block || target >= app.session.blocks.len() {
        return;
    }
    let entry = app.session.blocks[pos.block].entries.remove(pos.entry);
    // Keep the target block in the order things were said.
    let dest = &mut app.session.blocks[target].entries;
    let at = dest
        .iter()
        .position(|e| e.created.instant > entry.created.instant)
        .unwrap_or(dest.len());
    dest.insert(at, entry);
    let n = app.current_entries().len();
    app.selected = app
        .selected
        .map(|s| s.min(n.saturating_sub(1)))
        .filter(|_| n > 0);
    app.notice = Some(format!("Entry moved to block {}.", target + 1));
    changed(app);
}
