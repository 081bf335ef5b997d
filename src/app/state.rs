use std::path::PathBuf;

use ratatui_textarea::TextArea;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use super::complete::Completion;
use super::review::Review;
use super::setup::Setup;
pub use super::window::Outside;
use crate::model::{
    Clock, Draft, Entry, Kind, Session, Stamp, SystemClock, Template, new_id, parse_draft,
};

/// Which screen of an open session is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Capture,
    Setup,
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Editor,
    Entries,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Help,
    ConfirmDelete {
        entry_id: String,
    },
    /// Choosing the block to move `entry_id` to; `target` is highlighted.
    MoveTo {
        entry_id: String,
        target: usize,
    },
    /// Quitting while the last save failed.
    ConfirmQuitUnsaved,
    /// Removing a block that has entries (they move to a neighbour).
    ConfirmRemoveBlock {
        index: usize,
    },
    /// Ending the session.
    ConfirmEnd,
    /// Reopening an ended session for capture.
    ConfirmReopen,
    /// Writing a template or a report over a file that is there.
    ConfirmReplace {
        path: PathBuf,
        what: super::replace::Replace,
    },
}

/// Where the save pipeline stands, for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveStatus {
    Saved,
    Saving,
    Failed(String),
    ReadOnly(String),
}

/// Work the event loop must do for the state: always writes, which must
/// not happen on the input path.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write the session; `generation` comes back in the outcome.
    SaveSession {
        session: Box<Session>,
        generation: u64,
    },
    /// Append a change (a committed entry, a block's clock) to the
    /// session's journal: a few milliseconds, where rewriting a long
    /// session takes tens.
    Append {
        op: Box<crate::store::journal::Op>,
        at: Stamp,
        generation: u64,
    },
    SaveDraft(Draft),
    ClearDraft,
    /// Write the agenda as a user template at `path`.
    SaveTemplate {
        path: PathBuf,
        template: Template,
    },
    /// Write a report.
    Export {
        path: PathBuf,
        bytes: Vec<u8>,
    },
    /// Ring the terminal bell.
    Bell,
    /// The session now holds the saver's reload number `epoch` (see
    /// `store::guard::Outside::Reloaded`); goes with the next snapshot.
    Reloaded {
        epoch: u64,
    },
}

/// Another program changed the session file: what the header says about
/// it, and whether the session went read-only because of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideNote {
    pub banner: String,
    /// The file may not be rewritten: snapshots go beside it, the draft
    /// to its sidecar, and nothing can be committed.
    pub frozen: bool,
}

#[derive(Debug, Clone)]
pub struct Deleted {
    pub block_id: String,
    pub index: usize,
    pub entry: Entry,
}

pub struct App {
    pub screen: Screen,
    pub setup: Setup,
    pub review: Review,
    /// Where reports from the review screen go.
    pub exports_dir: Option<PathBuf>,
    /// The templates the setup screen offers: the built-in agenda first,
    /// then the user's, read when the session was opened.
    pub templates: Vec<(String, Template)>,
    /// Where "Save as template" writes.
    pub templates_dir: Option<PathBuf>,
    /// The files in the templates and exports folders when the session
    /// opened, and those this app has written since: what "Save as
    /// template" and the export ask before replacing.
    pub existing: HashSet<PathBuf>,
    pub session: Session,
    pub path: PathBuf,
    /// Why the session may not be written, if it may not.
    pub read_only: Option<String>,
    /// The `stat` keys of the file and its journal when they were read,
    /// for the saver to tell another program's change from its own.
    pub disk_keys: Option<crate::store::index::Keys>,
    /// Set once the saver found the file changed by another program.
    pub outside: Option<OutsideNote>,
    pub editor: TextArea<'static>,
    /// The lines of a long entry that are not in `editor` (see `window`).
    pub editor_outside: Outside,
    /// The kind the draft gets when it carries no marker.
    pub draft_kind: Kind,
    /// The id the draft's entry will get, allocated up front so a draft
    /// restored after a crash can tell whether it was already committed.
    pub draft_entry_id: String,
    /// Set while the editor holds an existing entry.
    pub editing: Option<String>,
    pub focus: Focus,
    /// Index into the current block's entries, when the entries have focus.
    pub selected: Option<usize>,
    pub show_questions: bool,
    /// How far the help overlay is scrolled.
    pub help_scroll: u16,
    pub modal: Option<Modal>,
    pub undo: Vec<Deleted>,
    pub completion: Option<Completion>,
    /// Names offered after `@` and `#`, refreshed when entries change
    /// rather than on every draw.
    pub speakers: Vec<String>,
    pub tags: Vec<String>,
    pub now: Stamp,
    /// Where ticks read the monotonic time that block clocks are
    /// measured with (`model::clock`); a test puts a `ManualClock` here.
    pub clock: Arc<dyn Clock>,
    /// The monotonic reading taken with `now`.
    pub mono: Instant,
    /// Bumped by every change to the session; saves report the generation
    /// they wrote.
    pub generation: u64,
    pub saved_generation: u64,
    /// Entries appended to the journal since the last snapshot; past a
    /// limit the next change rewrites the session file instead.
    pub appends_since_snapshot: usize,
    pub save_error: Option<String>,
    pub draft_dirty: bool,
    /// The session changed in a way that can wait for the draft throttle
    /// (typing in a setup field).
    pub session_dirty: bool,
    /// Ring the bell when a block runs over.
    pub bell: bool,
    /// Blocks whose overrun has already been announced.
    pub alerted: HashSet<String>,
    /// The header flashes until then, for terminals without a bell.
    pub flash_until: Option<Stamp>,
    /// A one-line message for the footer.
    pub notice: Option<String>,
    /// Quit was asked for; waiting for the last saves to land.
    pub quitting: bool,
    /// The event loop leaves when this is set.
    pub quit: bool,
    pub effects: Vec<Effect>,
}

impl App {
    /// The state for an open session. `draft` is what the last run left
    /// in the editor; it is restored unless it was already committed.
    pub fn new(
        session: Session,
        path: PathBuf,
        read_only: Option<String>,
        draft: Option<Draft>,
        now: Stamp,
    ) -> App {
        // Blocks already over their time were announced by an earlier run.
        let alerted = session
            .blocks
            .iter()
            .filter(|b| b.planned_seconds() > 0 && b.spent_at(&now) > b.planned_seconds())
            .map(|b| b.id.clone())
            .collect();
        let mut app = App {
            screen: Screen::Capture,
            setup: Setup::new(),
            review: Review::default(),
            exports_dir: None,
            templates: vec![(
                crate::model::template::BUILTIN_NAME.to_string(),
                Template::builtin(),
            )],
            templates_dir: None,
            existing: HashSet::new(),
            session,
            path,
            read_only,
            disk_keys: None,
            outside: None,
            editor: new_editor(),
            editor_outside: Outside::default(),
            draft_kind: Kind::Note,
            draft_entry_id: new_id(),
            editing: None,
            focus: Focus::Editor,
            selected: None,
            show_questions: true,
            help_scroll: 0,
            modal: None,
            undo: Vec::new(),
            completion: None,
            speakers: Vec::new(),
            tags: Vec::new(),
            now,
            clock: Arc::new(SystemClock),
            mono: Instant::now(),
            generation: 0,
            saved_generation: 0,
            appends_since_snapshot: 0,
            save_error: None,
            draft_dirty: false,
            session_dirty: false,
            bell: true,
            alerted,
            flash_until: None,
            notice: None,
            quitting: false,
            quit: false,
            effects: Vec::new(),
        };
        app.refresh_names();
        app.session.observe_clock(app.mono, &app.now);
        if let Some(d) = draft.filter(|d| app.draft_applies(d)) {
            // The draft file is a file like the session: the editor gets
            // it as shown (see `update::edit_selected`).
            let text = crate::model::display::sanitize(&d.text);
            app.notice = Some(if text == d.text {
                "Your unsent draft is back in the editor.".into()
            } else {
                "Your unsent draft is back in the editor. Its controls show as ␛, ⍰….".into()
            });
            app.set_editor(&text);
            app.draft_kind = d.kind;
            app.draft_entry_id = d.entry_id.clone();
            app.editing = d.editing.then(|| d.entry_id.clone());
        }
        app
    }

    fn draft_applies(&self, d: &Draft) -> bool {
        if d.session_id != self.session.id || d.text.trim().is_empty() {
            return false;
        }
        match self.session.find_entry(&d.entry_id) {
            // Committed already: the draft file outlived the commit.
            Some(_) if !d.editing => false,
            // An edit not changed yet: the editor holds the entry as it is
            // shown (see `update::edit_selected`).
            Some(pos) => self.session.entry(pos).is_some_and(|e| {
                let text = parse_draft(&d.text, &self.speakers).text;
                e.text != text && e.text.shown().trim() != text
            }),
            None => !d.editing,
        }
    }

    /// The names are offered in the editor, which is given only shown
    /// text (see `update::edit_selected`), so they are kept as shown.
    pub fn refresh_names(&mut self) {
        let shown =
            |names: Vec<crate::model::Label>| names.into_iter().map(|n| n.into_shown()).collect();
        self.speakers = shown(self.session.speaker_names());
        self.tags = shown(self.session.tag_names());
    }

    /// After a new entry: the completion lists change only if it brings a
    /// speaker or a tag not seen before, and only then are all entries
    /// walked again (10,000 of them cost a millisecond on every Enter).
    pub fn note_names_of(&mut self, e: &crate::model::Entry) {
        let known_speaker = e.speaker.as_ref().is_none_or(|s| {
            let t = s.trim();
            t.is_empty() || (s.is_clean() && self.speakers.iter().any(|k| k == t))
        });
        let known_tags = e
            .tags
            .iter()
            .all(|t| t.is_clean() && self.tags.iter().any(|k| k == t.raw()));
        if !(known_speaker && known_tags) {
            self.refresh_names();
        }
    }

    /// The entry's lines: those above the text box's window, the box's,
    /// and those below it.
    pub fn draft_lines(&self) -> impl Iterator<Item = &String> {
        self.editor_outside
            .above
            .iter()
            .chain(self.editor.lines())
            .chain(&self.editor_outside.below)
    }

    pub fn draft_text(&self) -> String {
        let mut out = String::with_capacity(self.draft_bytes());
        for (i, l) in self.draft_lines().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(l);
        }
        out
    }

    /// The entry's size in bytes, a line break counted after every line.
    pub fn draft_bytes(&self) -> usize {
        self.editor_outside.bytes()
            + self
                .editor
                .lines()
                .iter()
                .map(|l| l.len() + 1)
                .sum::<usize>()
    }

    pub fn draft_line_count(&self) -> usize {
        self.editor_outside.above.len()
            + self.editor.lines().len()
            + self.editor_outside.below.len()
    }

    pub fn draft_is_empty(&self) -> bool {
        self.draft_lines().all(|l| l.trim().is_empty())
    }

    /// Puts `text` in the editor, cursor at its end.
    pub fn set_editor(&mut self, text: &str) {
        (self.editor, self.editor_outside) = editor_with(text);
    }

    pub fn draft(&self) -> Draft {
        Draft {
            session_id: self.session.id.clone(),
            entry_id: self
                .editing
                .clone()
                .unwrap_or_else(|| self.draft_entry_id.clone()),
            editing: self.editing.is_some(),
            kind: self.draft_kind,
            text: self.draft_text(),
            saved: self.now,
        }
    }

    /// The kind and speaker the draft would be committed with.
    pub fn draft_preview(&self) -> (Kind, Option<String>) {
        let first = self.draft_lines().next().map(String::as_str).unwrap_or("");
        let p = parse_draft(first, &self.speakers);
        (p.kind.unwrap_or(self.draft_kind), p.speaker)
    }

    pub fn current(&self) -> usize {
        self.session.current_index()
    }

    pub fn current_entries(&self) -> &[Entry] {
        self.session
            .blocks
            .get(self.current())
            .map(|b| b.entries.as_slice())
            .unwrap_or(&[])
    }

    /// The entry the entry commands act on: the review screen's
    /// selection there, the current block's elsewhere.
    pub fn selected_pos(&self) -> Option<crate::model::EntryPos> {
        if self.screen == Screen::Review {
            return self.review.selected_pos(&self.session);
        }
        let entry = self.selected?;
        (entry < self.current_entries().len()).then(|| crate::model::EntryPos {
            block: self.current(),
            entry,
        })
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.selected_pos().and_then(|p| self.session.entry(p))
    }

    pub fn save_status(&self) -> SaveStatus {
        if let Some(r) = &self.read_only {
            SaveStatus::ReadOnly(r.clone())
        } else if let Some(e) = &self.save_error {
            SaveStatus::Failed(e.clone())
        } else if self.saved_generation < self.generation {
            SaveStatus::Saving
        } else {
            SaveStatus::Saved
        }
    }

    pub fn has_unsaved(&self) -> bool {
        self.saves_flow() && (self.saved_generation < self.generation || self.save_error.is_some())
    }

    /// Whether saves go to the saver: always unless read-only, and still
    /// when read-only because another program changed the file (the
    /// saver then keeps them beside it, and the draft in its sidecar).
    pub fn saves_flow(&self) -> bool {
        self.read_only.is_none() || self.outside.as_ref().is_some_and(|o| o.frozen)
    }

    /// Measures block clocks with `clock` from now on. Open runs are
    /// measured again from what the wall clock says they have lasted.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.mono = clock.mono();
        self.clock = clock;
        self.session.forget_measures();
        self.session.observe_clock(self.mono, &self.now);
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }
}

pub fn new_editor() -> TextArea<'static> {
    editor_with("").0
}

/// A text box holding `text`, cursor at its end. A long text is windowed:
/// the lines the box does not hold go to the returned [`Outside`].
pub fn editor_with(text: &str) -> (TextArea<'static>, Outside) {
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut ta = editor_from_lines(lines);
    ta.move_cursor(ratatui_textarea::CursorMove::Bottom);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    let mut outside = Outside::default();
    super::window::follow(&mut ta, &mut outside);
    (ta, outside)
}

/// A text box with the editor's settings, cursor at the start.
pub fn editor_from_lines(lines: Vec<String>) -> TextArea<'static> {
    let mut ta = TextArea::new(lines);
    ta.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    ta.set_placeholder_text(
        "Type what is said. R: Q: D: A: set the kind, @Name the speaker, #tag a theme.",
    );
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta
}
