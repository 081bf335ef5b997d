//! The setup screen's keys and pastes. The agenda and participant
//! operations themselves are the session's (`model::agenda`,
//! `model::participants`); here they meet the focus and the notices.

use ratatui::crossterm::event::KeyEvent;

use super::{Detail, Field, Setup, Target, multi_line, one_line};
use crate::app::keymap::{self, Command};
use crate::app::state::{App, Modal, Screen};

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
            crate::app::update::run_global(app, cmd.unwrap_or(Command::Help));
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
            let stepped = app.session.step_minutes(app.setup.block, cmd == MinutesUp);
            if stepped {
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
    crate::app::review::to_capture(app);
}

/// Back to the template's name box, holding `name`: after a no to
/// replacing the template of that name.
pub(in crate::app) fn edit_template_name(app: &mut App, name: &str) {
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
            app.session.edit_participant(i, &text);
            app.setup.participant = app
                .setup
                .participant
                .min(app.session.participants.len().saturating_sub(1));
            changed(app);
        }
        Target::NewParticipant => {
            if let Some(i) = app.session.add_participant(&text) {
                app.setup.participant = i;
                changed(app);
            }
        }
        Target::BlockTitle(i) => {
            if app.session.set_block_title(i, &text) {
                changed(app);
            }
        }
        Target::Questions(i) => {
            if app.session.set_questions(i, &text) {
                changed(app);
            }
        }
        Target::TemplateName => {
            let name = crate::store::slug(text.trim());
            match app.templates_dir.clone() {
                Some(dir) => crate::app::replace::save_template(app, &dir, name),
                None => app.notice = Some("No templates folder is known here.".into()),
            }
        }
    }
    app.refresh_names();
}

/// Pasting into the setup screen: several "Name, Organization" lines on
/// the participants list add them all; elsewhere the text goes into the
/// focused box.
pub fn on_paste(app: &mut App, text: &str) {
    // Terminals and tmux send line breaks as \r.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if app.setup.editing.is_none() && app.setup.field == Field::Participants {
        let n = app.session.add_participants(&text);
        if n > 0 {
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
    if app.session.remove_participant(i) {
        app.setup.participant = i.min(app.session.participants.len().saturating_sub(1));
        app.refresh_names();
        changed(app);
    }
}

fn add_block(app: &mut App) {
    let at = app.session.add_block(app.setup.block);
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

/// Removes block `i` (see [`crate::model::Session::remove_block`]) and
/// says where its entries went.
pub fn remove_block(app: &mut App, i: usize) {
    let Some(r) = app.session.remove_block(i, app.now) else {
        return;
    };
    app.setup.block = r.heir.min(app.session.blocks.len() - 1);
    if r.moved > 0 {
        app.notice = Some(format!(
            "Block removed; its {} entries are now in block {}.",
            r.moved,
            r.heir + 1
        ));
    }
    changed(app);
}

fn move_block(app: &mut App, down: bool) {
    if let Some(j) = app.session.move_block(app.setup.block, down) {
        app.setup.block = j;
        changed(app);
    }
}

/// Replaces the agenda with the chosen template's, while no block has
/// entries; once something is recorded the agenda is edited by hand.
fn apply_template(app: &mut App) {
    let Some((name, t)) = app.templates.get(app.setup.template).cloned() else {
        return;
    };
    if let Err(e) = app.session.apply_template(&t, app.now) {
        app.notice = Some(e.to_string());
        return;
    }
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
    crate::app::update::changed(app);
}
