//! The setup screen: the session's details, its participants and its
//! agenda. Every change goes straight into the session and is saved, so
//! a setup interrupted by a crash is not lost either.

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::keymap::{self, Command, Context};
use super::state::{App, Modal, Screen};
use crate::model::{Block, Label, Participant, Session};

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
    fn raw(self, s: &Session) -> Vec<Label> {
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
    fn set(self, s: &mut Session, value: &str, given: &[Label]) -> bool {
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

fn multi_line(text: &str) -> TextArea<'static> {
    let mut ta = TextArea::new(text.split('\n').map(str::to_string).collect());
    ta.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.move_cursor(ratatui_textarea::CursorMove::Bottom);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}

pub fn open(app: &mut App) {
    let mut setup = Setup::new();
    setup.block = app.current();
    app.setup = setup;
    app.screen = Screen::Setup;
}

pub fn on_key(app: &mut App, key: KeyEvent) {
    let ctx = app.setup.context();
    let cmd = keymap::lookup(ctx, &key);
    match cmd {
        Some(Command::Quit) | Some(Command::SaveNow) | Some(Command::Help) => {
            commit_detail(app);
            super::update::run_global(app, cmd.unwrap_or(Command::Help));
            return;
        }
        Some(c) if handles(app, c) => {
            run(app, c);
            return;
        }
        _ => {}
    }
    // Anything else is typing into the box that has the focus.
    let typing = app.setup.editing.is_some() || matches!(app.setup.field, Field::Detail(_));
    if typing && app.setup.input.input(key) {
        live_detail(app);
    }
}

/// Whether `cmd` means something where the focus is; otherwise the key is
/// typing (an `a` in the title is a letter, not "add").
fn handles(app: &App, cmd: Command) -> bool {
    use Command::*;
    if app.setup.editing.is_some() {
        // While editing, Up and Down move the cursor in a multi-line box.
        let multi = matches!(app.setup.editing, Some(Target::Questions(_)));
        return match cmd {
            Cancel | NextField | PrevField => true,
            Confirm | Up | Down => !multi,
            _ => false,
        };
    }
    match cmd {
        NextField | PrevField | Confirm | Cancel | Up | Down => true,
        Add | Remove => matches!(app.setup.field, Field::Participants | Field::Agenda),
        MoveUp | MoveDown | MinutesUp | MinutesDown | EditQuestions => {
            app.setup.field == Field::Agenda
        }
        ChoosePrev | ChooseNext => app.setup.field == Field::Template,
        _ => false,
    }
}

fn run(app: &mut App, cmd: Command) {
    use Command::*;
    if app.setup.editing.is_some() {
        match cmd {
            Confirm => finish_edit(app),
            Cancel => {
                app.setup.editing = None;
                app.setup.input = one_line("");
            }
            NextField | PrevField | Up | Down => {
                let questions = matches!(app.setup.editing, Some(Target::Questions(_)));
                finish_edit(app);
                if matches!(cmd, NextField | PrevField) && !questions {
                    step_field(app, cmd == NextField);
                }
            }
            _ => {}
        }
        return;
    }
    match cmd {
        NextField => step_field(app, true),
        PrevField => step_field(app, false),
        Up => match app.setup.field {
            Field::Participants => app.setup.participant = app.setup.participant.saturating_sub(1),
            Field::Agenda => app.setup.block = app.setup.block.saturating_sub(1),
            _ => step_field(app, false),
        },
        Down => match app.setup.field {
            Field::Participants => {
                let n = app.session.participants.len();
                app.setup.participant = (app.setup.participant + 1).min(n.saturating_sub(1));
            }
            Field::Agenda => {
                let n = app.session.blocks.len();
                app.setup.block = (app.setup.block + 1).min(n.saturating_sub(1));
            }
            _ => step_field(app, true),
        },
        Confirm => confirm(app),
        Cancel => {
            commit_detail(app);
            start(app);
        }
        Add => match app.setup.field {
            Field::Participants => begin_edit(app, Target::NewParticipant, ""),
            Field::Agenda => add_block(app),
            _ => {}
        },
        Remove => match app.setup.field {
            Field::Participants => remove_participant(app),
            Field::Agenda => ask_remove_block(app),
            _ => {}
        },
        MoveUp | MoveDown => move_block(app, cmd == MoveDown),
        ChoosePrev | ChooseNext => choose_template(app, cmd == ChooseNext),
        MinutesUp | MinutesDown => {
            if let Some(b) = app.session.blocks.get_mut(app.setup.block) {
                b.planned_minutes = if cmd == MinutesUp {
                    b.planned_minutes.saturating_add(5).min(24 * 60)
                } else {
                    b.planned_minutes.saturating_sub(5)
                };
                changed(app);
            }
        }
        EditQuestions => {
            let i = app.setup.block;
            if let Some(b) = app.session.blocks.get(i) {
                let text: Vec<&str> = b.guiding_questions.iter().map(|q| q.shown()).collect();
                app.setup.input = multi_line(&text.join("\n"));
                app.setup.editing = Some(Target::Questions(i));
            }
        }
        _ => {}
    }
}

fn step_field(app: &mut App, forward: bool) {
    commit_detail(app);
    let order = Field::order();
    let i = order
        .iter()
        .position(|f| *f == app.setup.field)
        .unwrap_or(0);
    let n = order.len();
    let next = if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    };
    focus(app, order[next]);
}

fn focus(app: &mut App, field: Field) {
    app.setup.field = field;
    app.setup.input = match field {
        Field::Detail(d) => one_line(&d.get(&app.session)),
        _ => one_line(""),
    };
    app.setup.given = match field {
        Field::Detail(d) => d.raw(&app.session),
        _ => Vec::new(),
    };
    app.setup.shown = app.setup.input.lines().join(" ");
}

/// Typing in a detail field goes into the session at once (the save is
/// throttled like the draft), except a date, which must be whole first.
fn live_detail(app: &mut App) {
    if app.setup.editing.is_some() {
        return;
    }
    if let Field::Detail(d) = app.setup.field
        && d != Detail::Date
    {
        let value = app.setup.input.lines().join(" ");
        // Typed and then taken back: the field gets its own text back.
        if value == app.setup.shown && d.get(&app.session) == app.setup.shown {
            return;
        }
        if d.set(&mut app.session, &value, &app.setup.given) {
            app.session_dirty = true;
            app.session.updated = app.now;
        }
    }
}

/// Leaves a detail field: validates and stores its value.
fn commit_detail(app: &mut App) {
    if app.setup.editing.is_some() {
        return;
    }
    if let Field::Detail(d) = app.setup.field {
        let value = app.setup.input.lines().join(" ");
        if value == app.setup.shown || d.get(&app.session) == value.trim() {
            return;
        }
        if d.set(&mut app.session, &value, &app.setup.given) {
            changed(app);
        } else {
            app.notice = Some(format!(
                "{:?} is not a date (YYYY-MM-DD); the date is unchanged.",
                value.trim()
            ));
            app.setup.input = one_line(&d.get(&app.session));
        }
    }
}

fn confirm(app: &mut App) {
    match app.setup.field {
        Field::Detail(_) => step_field(app, true),
        Field::Participants => {
            let i = app.setup.participant;
            match app.session.participants.get(i) {
                Some(p) => {
                    let text = if p.organization.is_empty() {
                        p.name.shown().to_string()
                    } else {
                        format!("{}, {}", p.name.shown(), p.organization.shown())
                    };
                    begin_edit(app, Target::Participant(i), &text);
                }
                None => begin_edit(app, Target::NewParticipant, ""),
            }
        }
        Field::Agenda => {
            let i = app.setup.block;
            if let Some(b) = app.session.blocks.get(i) {
                let t = b.title.shown().to_string();
                begin_edit(app, Target::BlockTitle(i), &t);
            } else {
                add_block(app);
            }
        }
        Field::Template => apply_template(app),
        Field::SaveTemplate => {
            let name = crate::store::slug(app.session.title.raw());
            begin_edit(app, Target::TemplateName, &name);
        }
        Field::Bell => {
            app.bell = !app.bell;
            app.notice = Some(if app.bell {
                "The bell rings once when a block runs over.".into()
            } else {
                "The overrun bell is off.".into()
            });
        }
        Field::Start => start(app),
    }
}

/// Leaves setup for the capture screen, whose block clock starts now.
fn start(app: &mut App) {
    app.setup.editing = None;
    app.refresh_names();
    if app.session_dirty {
        changed(app);
    }
    super::review::to_capture(app);
}

/// Back to the template's name box, holding `name`: after a no to
/// replacing the template of that name.
pub(super) fn edit_template_name(app: &mut App, name: &str) {
    app.screen = Screen::Setup;
    app.setup.field = Field::SaveTemplate;
    begin_edit(app, Target::TemplateName, name);
}

fn begin_edit(app: &mut App, target: Target, text: &str) {
    app.setup.input = one_line(text);
    app.setup.editing = Some(target);
}

fn finish_edit(app: &mut App) {
    let Some(target) = app.setup.editing.take() else {
        return;
    };
    let text = app.setup.input.lines().join("\n");
    app.setup.input = one_line("");
    match target {
        Target::Participant(i) => {
            let p = parse_participant(&text);
            match p {
                Some(p) => {
                    if let Some(slot) = app.session.participants.get_mut(i) {
                        slot.name = Label::from_edit(&p.name, std::slice::from_ref(&slot.name));
                        slot.organization = Label::from_edit(
                            &p.organization,
                            std::slice::from_ref(&slot.organization),
                        );
                    }
                }
                None => {
                    if i < app.session.participants.len() {
                        app.session.participants.remove(i);
                    }
                }
            }
            app.setup.participant = app
                .setup
                .participant
                .min(app.session.participants.len().saturating_sub(1));
            changed(app);
        }
        Target::NewParticipant => {
            if let Some(p) = parse_participant(&text) {
                app.session.participants.push(p);
                app.setup.participant = app.session.participants.len() - 1;
                changed(app);
            }
        }
        Target::BlockTitle(i) => {
            let t = text.trim();
            if let Some(b) = app.session.blocks.get_mut(i)
                && !t.is_empty()
            {
                b.title = Label::from_edit(t, std::slice::from_ref(&b.title));
                changed(app);
            }
        }
        Target::Questions(i) => {
            if let Some(b) = app.session.blocks.get_mut(i) {
                let given = std::mem::take(&mut b.guiding_questions);
                b.guiding_questions = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| Label::from_edit(l, &given))
                    .collect();
                changed(app);
            }
        }
        Target::TemplateName => {
            let name = crate::store::slug(text.trim());
            match app.templates_dir.clone() {
                Some(dir) => super::replace::save_template(app, &dir, name),
                None => app.notice = Some("No templates folder is known here.".into()),
            }
        }
    }
    app.refresh_names();
}

/// "Name, Organization", "Name<TAB>Organization", or just a name. A line
/// that is only an organization can be written ", UNHCR".
pub fn parse_participant(line: &str) -> Option<Participant> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (name, org) = match line.split_once('\t').or_else(|| line.split_once(',')) {
        Some((n, o)) => (n.trim(), o.trim()),
        None => (line, ""),
    };
    if name.is_empty() && org.is_empty() {
        return None;
    }
    Some(Participant::new(name, org))
}

/// Pasting into the setup screen: several "Name, Organization" lines on
/// the participants list add them all; elsewhere the text goes into the
/// focused box.
pub fn on_paste(app: &mut App, text: &str) {
    // Terminals and tmux send line breaks as \r.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if app.setup.editing.is_none() && app.setup.field == Field::Participants {
        let added: Vec<Participant> = text.lines().filter_map(parse_participant).collect();
        if !added.is_empty() {
            let n = added.len();
            app.session.participants.extend(added);
            app.setup.participant = app.session.participants.len() - 1;
            app.notice = Some(format!("{n} participants added."));
            changed(app);
            app.refresh_names();
        }
        return;
    }
    if app.setup.editing.is_some() || matches!(app.setup.field, Field::Detail(_)) {
        let multi = matches!(app.setup.editing, Some(Target::Questions(_)));
        let text = if multi { text } else { text.replace('\n', " ") };
        let clean: String = text
            .chars()
            .filter(|c| *c == '\n' || !c.is_control())
            .collect();
        app.setup
            .input
            .insert_str(crate::model::display::for_edit_box(&clean));
        live_detail(app);
    }
}

fn remove_participant(app: &mut App) {
    let i = app.setup.participant;
    if i < app.session.participants.len() {
        app.session.participants.remove(i);
        app.setup.participant = i.min(app.session.participants.len().saturating_sub(1));
        app.refresh_names();
        changed(app);
    }
}

fn add_block(app: &mut App) {
    let at = if app.session.blocks.is_empty() {
        0
    } else {
        app.setup.block + 1
    };
    let mut n = app.session.blocks.len() + 1;
    let id = loop {
        let id = format!("block-{n}");
        if app.session.block_index(&id).is_none() {
            break id;
        }
        n += 1;
    };
    app.session
        .blocks
        .insert(at, Block::new(id, "New block", 30));
    if app.session.current_block.is_none() {
        app.session.current_block = Some(app.session.blocks[0].id.clone());
    }
    app.setup.block = at;
    changed(app);
    begin_edit(app, Target::BlockTitle(at), "New block");
}

fn ask_remove_block(app: &mut App) {
    let i = app.setup.block;
    let Some(b) = app.session.blocks.get(i) else {
        return;
    };
    if app.session.blocks.len() == 1 {
        app.notice = Some("A session needs at least one block.".into());
        return;
    }
    if b.entries.is_empty() {
        remove_block(app, i);
    } else {
        app.modal = Some(Modal::ConfirmRemoveBlock { index: i });
    }
}

/// Removes block `i`. Its entries are never dropped: they move to the
/// block before it (the one after, for the first block), in time order.
pub fn remove_block(app: &mut App, i: usize) {
    if i >= app.session.blocks.len() || app.session.blocks.len() < 2 {
        return;
    }
    let was_current = app.current() == i;
    let now = app.now;
    if was_current {
        app.session.stop_clock(now);
    }
    let removed = app.session.blocks.remove(i);
    let heir = i.saturating_sub(1).min(app.session.blocks.len() - 1);
    let moved = removed.entries.len();
    let dest = &mut app.session.blocks[heir].entries;
    dest.extend(removed.entries);
    dest.sort_by_key(|e| e.created.instant);
    if was_current {
        app.session.current_block = Some(app.session.blocks[heir].id.clone());
        app.session.start_clock(now);
    }
    app.setup.block = heir.min(app.session.blocks.len() - 1);
    if moved > 0 {
        app.notice = Some(format!(
            "Block removed; its {moved} entries are now in block {}.",
            heir + 1
        ));
    }
    changed(app);
}

fn move_block(app: &mut App, down: bool) {
    let i = app.setup.block;
    let n = app.session.blocks.len();
    let j = if down {
        if i + 1 >= n {
            return;
        }
        i + 1
    } else {
        match i.checked_sub(1) {
            Some(j) => j,
            None => return,
        }
    };
    app.session.blocks.swap(i, j);
    app.setup.block = j;
    changed(app);
}

/// Replaces the agenda with the chosen template's, while no block has
/// entries; once something is recorded the agenda is edited by hand.
fn apply_template(app: &mut App) {
    let Some((name, t)) = app.templates.get(app.setup.template).cloned() else {
        return;
    };
    if app.session.entry_count() > 0 {
        app.notice = Some(
            "This session already has entries: edit its agenda instead of replacing it.".into(),
        );
        return;
    }
    let now = app.now;
    app.session.stop_clock(now);
    let fresh = Session::from_template(&t, None, now);
    app.session.blocks = fresh.blocks;
    app.session.themes = fresh.themes;
    app.session.current_block = app.session.blocks.first().map(|b| b.id.clone());
    app.session.start_clock(now);
    app.setup.block = 0;
    app.notice = Some(format!("Agenda replaced by the template {name:?}."));
    app.refresh_names();
    changed(app);
}

/// Left/Right on the template chooser.
pub fn choose_template(app: &mut App, forward: bool) {
    let n = app.templates.len();
    if n == 0 {
        return;
    }
    app.setup.template = if forward {
        (app.setup.template + 1) % n
    } else {
        (app.setup.template + n - 1) % n
    };
}

fn changed(app: &mut App) {
    app.session_dirty = false;
    super::update::changed(app);
}
