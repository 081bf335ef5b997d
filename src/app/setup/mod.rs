//! The setup screen: the session's details, its participants and its
//! agenda. Every change goes straight into the session and is saved, so
//! a setup interrupted by a crash is not lost either.
//!
//! This module holds the screen's state and nothing from `app::state` or
//! `app::update`, so that `App` can hold a [`Setup`] without a cycle; the
//! key handler, which works on the whole `App`, is in `keys`.

mod keys;

use ratatui_textarea::TextArea;

use super::keymap::Context;
use crate::model::{Label, Session};

pub(in crate::app) use keys::edit_template_name;
pub use keys::{choose_template, on_key, on_paste, open, remove_block};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Title,
    Date,
    Place,
    Organizers,
    Facilitator,
    Rapporteur,
}

impl Detail {
    pub const ALL: [Detail; 6] = [
        Detail::Title,
        Detail::Date,
        Detail::Place,
        Detail::Organizers,
        Detail::Facilitator,
        Detail::Rapporteur,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Detail::Title => "Title",
            Detail::Date => "Date",
            Detail::Place => "Place",
            Detail::Organizers => "Organizers",
            Detail::Facilitator => "Facilitator",
            Detail::Rapporteur => "Rapporteur",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Detail::Date => "YYYY-MM-DD",
            Detail::Organizers => "separate them with ;",
            _ => "",
        }
    }

    /// The field as shown, on the screen and in its edit box: controls
    /// as placeholders.
    pub fn get(self, s: &Session) -> String {
        match self {
            Detail::Title => s.title.shown().to_string(),
            Detail::Date => s.date.map(|d| d.to_string()).unwrap_or_default(),
            Detail::Place => s.location.shown().to_string(),
            Detail::Organizers => s
                .organizers
                .iter()
                .map(|o| o.shown())
                .collect::<Vec<_>>()
                .join("; "),
            Detail::Facilitator => s.facilitator.shown().to_string(),
            Detail::Rapporteur => s.rapporteur.shown().to_string(),
        }
    }

    /// The field's values as they are in the file.
    pub(super) fn raw(self, s: &Session) -> Vec<Label> {
        match self {
            Detail::Title => vec![s.title.clone()],
            Detail::Date => Vec::new(),
            Detail::Place => vec![s.location.clone()],
            Detail::Organizers => s.organizers.clone(),
            Detail::Facilitator => vec![s.facilitator.clone()],
            Detail::Rapporteur => vec![s.rapporteur.clone()],
        }
    }

    /// Writes `value` into the session; false if it is not valid (a date
    /// that is not a date), in which case nothing changes. `given` are the
    /// field's values when its box was filled (see [`Label::from_edit`]).
    pub(super) fn set(self, s: &mut Session, value: &str, given: &[Label]) -> bool {
        let v = value.trim().to_string();
        let edit = |v: &str| Label::from_edit(v, given);
        match self {
            Detail::Title => s.title = edit(&v),
            Detail::Date => {
                if v.is_empty() {
                    s.date = None;
                } else {
                    match v.parse::<jiff::civil::Date>() {
                        Ok(d) => s.date = Some(d),
                        Err(_) => return false,
                    }
                }
            }
            Detail::Place => s.location = edit(&v),
            Detail::Organizers => {
                s.organizers = v
                    .split(';')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(edit)
                    .collect()
            }
            Detail::Facilitator => s.facilitator = edit(&v),
            Detail::Rapporteur => s.rapporteur = edit(&v),
        }
        true
    }
}

/// What has the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Detail(Detail),
    Participants,
    Agenda,
    Template,
    SaveTemplate,
    Bell,
    Start,
}

impl Field {
    pub fn order() -> Vec<Field> {
        let mut v: Vec<Field> = Detail::ALL.into_iter().map(Field::Detail).collect();
        v.extend([
            Field::Participants,
            Field::Agenda,
            Field::Template,
            Field::SaveTemplate,
            Field::Bell,
            Field::Start,
        ]);
        v
    }
}

/// An edit in progress in a one-line (or, for questions, multi-line) box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Participant(usize),
    /// A participant row that does not exist yet.
    NewParticipant,
    BlockTitle(usize),
    Questions(usize),
    TemplateName,
}

pub struct Setup {
    pub field: Field,
    /// The text box of the focused detail field, or of the edit in
    /// progress.
    pub input: TextArea<'static>,
    /// What the box showed when it was filled: leaving it unchanged must
    /// not rewrite the field (a line break in a title shows as ⏎, a
    /// control as its placeholder).
    pub shown: String,
    /// The focused detail field's values when its box was filled, which
    /// an untouched or restored box stands for.
    pub given: Vec<Label>,
    pub editing: Option<Target>,
    pub participant: usize,
    pub block: usize,
    /// Index into `App::templates`.
    pub template: usize,
}

impl Setup {
    /// Opens on Start, so that Enter alone starts a session on the
    /// built-in agenda; Tab goes to the first field.
    pub fn new() -> Setup {
        Setup {
            field: Field::Start,
            input: one_line(""),
            shown: String::new(),
            given: Vec::new(),
            editing: None,
            participant: 0,
            block: 0,
            template: 0,
        }
    }

    pub fn context(&self) -> Context {
        if self.editing.is_some() {
            return Context::Setup;
        }
        match self.field {
            Field::Participants => Context::SetupList,
            Field::Agenda => Context::Agenda,
            _ => Context::Setup,
        }
    }
}

impl Default for Setup {
    fn default() -> Self {
        Setup::new()
    }
}

pub fn one_line(text: &str) -> TextArea<'static> {
    let mut ta = TextArea::new(vec![text.replace('\n', " ")]);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}

pub(super) fn multi_line(text: &str) -> TextArea<'static> {
    let mut ta = TextArea::new(text.split('\n').map(str::to_string).collect());
    ta.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.move_cursor(ratatui_textarea::CursorMove::Bottom);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}
