//! The review screen: every entry of the session grouped by block, with
//! filters and counts, the same edits as the capture screen, the
//! recommendations with their addressee, reference and status, and the
//! reports.

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::keymap::{self, Command, Context};
use super::setup::one_line;
use super::state::{App, Focus, Modal, Screen};
use crate::export::{Anonymize, Format};
use crate::model::{EntryPos, Kind, Label, RecStatus, Session};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Entries,
    Recommendations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecField {
    Addressee,
    Reference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportChoice {
    pub format: Format,
    pub anonymize: Anonymize,
}

pub struct Review {
    pub pane: Pane,
    pub kind: Option<Kind>,
    pub speaker: Option<Label>,
    pub tag: Option<Label>,
    /// The selected entry, by id so that edits and moves keep it.
    pub selected: Option<String>,
    /// Where it was, for when it is gone (deleted).
    pub index_hint: usize,
    pub rec_selected: usize,
    pub input: Option<(RecField, TextArea<'static>)>,
    pub export: Option<ExportChoice>,
}

impl Default for Review {
    fn default() -> Self {
        Review {
            pane: Pane::Entries,
            kind: None,
            speaker: None,
            tag: None,
            selected: None,
            index_hint: 0,
            rec_selected: 0,
            input: None,
            export: None,
        }
    }
}

impl Review {
    pub fn matches(&self, e: &crate::model::Entry) -> bool {
        self.kind.is_none_or(|k| e.kind == k)
            && self
                .speaker
                .as_ref()
                .is_none_or(|s| e.speaker.as_ref() == Some(s))
            && self.tag.as_ref().is_none_or(|t| e.tags.contains(t))
    }

    /// The entries that pass the filters, in block order.
    pub fn rows(&self, s: &Session) -> Vec<EntryPos> {
        let mut out = Vec::new();
        for (b, block) in s.blocks.iter().enumerate() {
            for (e, entry) in block.entries.iter().enumerate() {
                if self.matches(entry) {
                    out.push(EntryPos { block: b, entry: e });
                }
            }
        }
        out
    }

    /// Every recommendation of the session, numbered across it.
    pub fn recommendations(s: &Session) -> Vec<EntryPos> {
        let mut out = Vec::new();
        for (b, block) in s.blocks.iter().enumerate() {
            for (e, entry) in block.entries.iter().enumerate() {
                if entry.kind == Kind::Recommendation {
                    out.push(EntryPos { block: b, entry: e });
                }
            }
        }
        out
    }

    pub fn selected_index(&self, s: &Session, rows: &[EntryPos]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        let by_id = self.selected.as_ref().and_then(|id| {
            rows.iter()
                .position(|p| s.entry(*p).is_some_and(|e| &e.id == id))
        });
        Some(by_id.unwrap_or(self.index_hint.min(rows.len() - 1)))
    }

    pub fn selected_pos(&self, s: &Session) -> Option<EntryPos> {
        match self.pane {
            Pane::Entries => {
                let rows = self.rows(s);
                self.selected_index(s, &rows).map(|i| rows[i])
            }
            Pane::Recommendations => Review::recommendations(s).get(self.rec_selected).copied(),
        }
    }

    pub fn context(&self) -> Context {
        match self.pane {
            Pane::Entries => Context::Review,
            Pane::Recommendations => Context::Recommendations,
        }
    }
}

/// Opens the review screen, at `entry` if given. The clock is not
/// touched: reviewing is not the workshop.
pub fn open(app: &mut App, entry: Option<&str>) {
    app.screen = Screen::Review;
    app.focus = Focus::Entries;
    app.review.pane = Pane::Entries;
    if let Some(id) = entry {
        app.review.kind = None;
        app.review.speaker = None;
        app.review.tag = None;
        app.review.selected = Some(id.to_string());
    }
}

pub fn on_key(app: &mut App, key: KeyEvent) {
    if app.review.input.is_some() {
        on_input_key(app, key);
        return;
    }
    if let Some(choice) = app.review.export {
        on_export_key(app, key, choice);
        return;
    }
    let Some(cmd) = keymap::lookup(app.review.context(), &key) else {
        return;
    };
    use Command::*;
    match cmd {
        SelectUp | Up => select_by(app, -1),
        SelectDown | Down => select_by(app, 1),
        PageUp => select_by(app, -10),
        PageDown => select_by(app, 10),
        SelectFirst => select_by(app, isize::MIN / 2),
        SelectLast => select_by(app, isize::MAX / 2),
        NextField | PrevField => {
            app.review.pane = match app.review.pane {
                Pane::Entries => Pane::Recommendations,
                Pane::Recommendations => Pane::Entries,
            }
        }
        FilterKind => {
            app.review.kind = match app.review.kind {
                None => Some(Kind::ALL[0]),
                Some(k) => Kind::ALL
                    .iter()
                    .position(|x| *x == k)
                    .and_then(|i| Kind::ALL.get(i + 1))
                    .copied(),
            };
            app.review.index_hint = 0;
        }
        FilterSpeaker => {
            let speakers = speakers(&app.session);
            app.review.speaker = cycle(&speakers, app.review.speaker.as_ref());
            app.review.index_hint = 0;
        }
        FilterTag => {
            let tags = app.session.tag_names();
            let used: Vec<Label> = tags
                .into_iter()
                .filter(|t| {
                    app.session
                        .blocks
                        .iter()
                        .any(|b| b.entries.iter().any(|e| e.tags.contains(t)))
                })
                .collect();
            app.review.tag = cycle(&used, app.review.tag.as_ref());
            app.review.index_hint = 0;
        }
        ClearFilters => {
            app.review.kind = None;
            app.review.speaker = None;
            app.review.tag = None;
        }
        Export => {
            app.review.export = Some(ExportChoice {
                format: Format::Md,
                anonymize: Anonymize::None,
            })
        }
        BackToCapture => {
            if app.session.ended.is_some() {
                app.modal = Some(Modal::ConfirmReopen);
            } else {
                to_capture(app);
            }
        }
        EditAddressee | EditReference => {
            let field = if cmd == EditAddressee {
                RecField::Addressee
            } else {
                RecField::Reference
            };
            if let Some(e) = app
                .review
                .selected_pos(&app.session)
                .and_then(|p| app.session.entry(p))
            {
                let v = match field {
                    RecField::Addressee => &e.addressee,
                    RecField::Reference => &e.reference,
                };
                // As shown: see `update::edit_selected`.
                let v = v.as_ref().map(|v| v.shown()).unwrap_or_default();
                app.review.input = Some((field, one_line(v)));
            }
        }
        CycleStatus => {
            if !super::update::writable(app) {
                return;
            }
            let now = app.now;
            if let Some(pos) = app.review.selected_pos(&app.session)
                && let Some(e) = app.session.entry_mut(pos)
            {
                e.status = match e.status {
                    None => Some(RecStatus::Proposed),
                    Some(RecStatus::Proposed) => Some(RecStatus::Supported),
                    Some(RecStatus::Supported) => Some(RecStatus::Contested),
                    Some(RecStatus::Contested) => None,
                };
                e.edited = Some(now);
                super::update::changed(app);
            }
        }
        // Edits shared with the capture screen.
        EditEntry | ChangeKind | MoveEntry | DeleteEntry | UndoDelete | Quit | SaveNow | Help => {
            super::update::run(app, cmd)
        }
        _ => {}
    }
}

pub fn to_capture(app: &mut App) {
    app.screen = Screen::Capture;
    app.focus = Focus::Editor;
    app.selected = None;
    let now = app.now;
    if app.read_only.is_none() {
        let was_running = app.session.blocks.iter().any(|b| b.is_running());
        app.session.start_clock(now);
        if !was_running && app.session.blocks.iter().any(|b| b.is_running()) {
            super::update::changed(app);
        }
    }
}

fn speakers(s: &Session) -> Vec<Label> {
    let mut out: Vec<Label> = Vec::new();
    for b in &s.blocks {
        for e in &b.entries {
            if let Some(sp) = &e.speaker
                && !out.contains(sp)
            {
                out.push(sp.clone());
            }
        }
    }
    out.sort();
    out
}

/// None → first → … → last → None.
fn cycle(options: &[Label], current: Option<&Label>) -> Option<Label> {
    match current {
        None => options.first().cloned(),
        Some(c) => options
            .iter()
            .position(|o| o == c)
            .and_then(|i| options.get(i + 1))
            .cloned(),
    }
}

fn select_by(app: &mut App, delta: isize) {
    let s = &app.session;
    match app.review.pane {
        Pane::Entries => {
            let rows = app.review.rows(s);
            if rows.is_empty() {
                app.review.selected = None;
                return;
            }
            let cur = app.review.selected_index(s, &rows).unwrap_or(0) as isize;
            let next = cur.saturating_add(delta).clamp(0, rows.len() as isize - 1) as usize;
            app.review.selected = s.entry(rows[next]).map(|e| e.id.clone());
            app.review.index_hint = next;
        }
        Pane::Recommendations => {
            let n = Review::recommendations(s).len();
            if n == 0 {
                return;
            }
            app.review.rec_selected = (app.review.rec_selected as isize)
                .saturating_add(delta)
                .clamp(0, n as isize - 1) as usize;
        }
    }
}

fn on_input_key(app: &mut App, key: KeyEvent) {
    use ratatui::crossterm::event::KeyCode;
    // Ctrl+Q, Ctrl+S and F1 work here too, as everywhere; the box closes
    // unsaved, as with Esc.
    if let Some(cmd) = keymap::lookup(Context::Global, &key) {
        app.review.input = None;
        super::update::run(app, cmd);
        return;
    }
    match key.code {
        KeyCode::Enter => {
            let Some((field, ta)) = app.review.input.take() else {
                return;
            };
            if !super::update::writable(app) {
                return;
            }
            let value = ta.lines().join(" ").trim().to_string();
            let now = app.now;
            if let Some(pos) = app.review.selected_pos(&app.session)
                && let Some(e) = app.session.entry_mut(pos)
            {
                let slot = match field {
                    RecField::Addressee => &mut e.addressee,
                    RecField::Reference => &mut e.reference,
                };
                *slot = (!value.is_empty()).then(|| Label::from_edit(&value, slot.as_slice()));
                e.edited = Some(now);
                super::update::changed(app);
            }
        }
        KeyCode::Esc => app.review.input = None,
        _ => {
            if let Some((_, ta)) = app.review.input.as_mut() {
                ta.input(key);
            }
        }
    }
}

pub const EXPORT_FORMATS: [Format; 4] = [Format::Md, Format::Html, Format::Csv, Format::Json];

fn on_export_key(app: &mut App, key: KeyEvent, mut choice: ExportChoice) {
    use ratatui::crossterm::event::KeyCode;
    let i = EXPORT_FORMATS
        .iter()
        .position(|f| *f == choice.format)
        .unwrap_or(0);
    match key.code {
        KeyCode::Left | KeyCode::Up => choice.format = EXPORT_FORMATS[(i + 3) % 4],
        KeyCode::Right | KeyCode::Down | KeyCode::Tab => {
            choice.format = EXPORT_FORMATS[(i + 1) % 4]
        }
        KeyCode::Char('a') => {
            choice.anonymize = match choice.anonymize {
                Anonymize::None => Anonymize::Full,
                Anonymize::Full => Anonymize::KeepOrganizations,
                Anonymize::KeepOrganizations => Anonymize::None,
            }
        }
        KeyCode::Esc => {
            app.review.export = None;
            return;
        }
        KeyCode::Enter => {
            app.review.export = None;
            export(app, choice);
            return;
        }
        _ => {}
    }
    app.review.export = Some(choice);
}

pub fn extension(f: Format) -> &'static str {
    match f {
        Format::Md => "md",
        Format::Html => "html",
        Format::Csv => "csv",
        Format::Json => "json",
    }
}

fn export(app: &mut App, choice: ExportChoice) {
    let Some(dir) = app.exports_dir.clone() else {
        app.notice = Some("No exports folder is known here.".into());
        return;
    };
    let Some(bytes) = render_export(app, choice) else {
        return;
    };
    let stem = app
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into());
    let suffix = match choice.anonymize {
        Anonymize::None => "",
        Anonymize::Full => "-anonymized",
        Anonymize::KeepOrganizations => "-organizations",
    };
    let path = dir.join(format!("{stem}{suffix}.{}", extension(choice.format)));
    super::replace::export(app, choice, path, bytes);
}

/// The report's bytes, or `None` with a notice saying why there are none.
/// Its first warning, if any, becomes the notice.
pub(super) fn render_export(app: &mut App, choice: ExportChoice) -> Option<Vec<u8>> {
    let report = match crate::export::render(
        &app.session,
        choice.format,
        &crate::export::Options {
            anonymize: choice.anonymize,
        },
    ) {
        Ok(r) => r,
        Err(e) => {
            app.notice = Some(format!("Cannot export: {e}"));
            return None;
        }
    };
    if !report.warnings.is_empty() {
        app.notice = Some(format!(
            "{} (and {} more warnings)",
            report.warnings[0],
            report.warnings.len() - 1
        ));
    }
    Some(report.bytes)
}
