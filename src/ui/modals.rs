//! Dialogs drawn over any screen of a session.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};

use crate::app::{App, Modal};
use crate::model::display::sanitize_line;
use crate::ui::widgets::{Popup, centered};
use crate::ui::width::truncate;
use crate::ui::{help, theme};

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    match &app.modal {
        None => {}
        Some(Modal::Help) => help::render(frame, area, app.screen, app.help_scroll),
        Some(Modal::ConfirmDelete { entry_id }) => {
            render_confirm_delete(app, frame, area, entry_id)
        }
        Some(Modal::MoveTo { target, .. }) => render_move(app, frame, area, *target),
        Some(Modal::ConfirmQuitUnsaved) => render_confirm_quit(app, frame, area),
        Some(Modal::ConfirmEnd) => yes_no(
            frame,
            area,
            " End this session? ",
            "Its clock stops and it opens in review. It can be reopened for capture later (c in review).",
        ),
        Some(Modal::ConfirmReopen) => yes_no(
            frame,
            area,
            " Reopen for capture? ",
            "This session has ended. Reopening it starts the clock of its current block again.",
        ),
        Some(Modal::ConfirmRemoveBlock { index }) => {
            render_confirm_remove_block(app, frame, area, *index)
        }
        Some(Modal::ConfirmReplace { path, what }) => {
            render_confirm_replace(frame, area, path, what)
        }
    }
}

fn render_confirm_replace(
    frame: &mut Frame,
    area: Rect,
    path: &std::path::Path,
    what: &crate::app::Replace,
) {
    let (title, back) = match what {
        crate::app::Replace::Template { .. } => (" Replace the template? ", "another name"),
        crate::app::Replace::Export(_) => (" Replace the report? ", "back to the formats"),
    };
    let shown = sanitize_line(&path.display().to_string()).into_owned();
    let popup = Popup {
        title: Line::styled(title, theme::title()),
        body: Text::from(vec![
            Line::raw(truncate(&shown, 200).into_owned()),
            Line::raw("is there already. Replacing it loses what it holds."),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", theme::key()),
                Span::raw(" or Enter replaces it · "),
                Span::styled("n", theme::key()),
                Span::raw(format!(" or Esc: {back}")),
            ]),
        ]),
        footer: None,
    };
    frame.render_widget(popup, centered(area, 70, 8));
}

fn yes_no(frame: &mut Frame, area: Rect, title: &'static str, text: &'static str) {
    let popup = Popup {
        title: Line::styled(title, theme::title()),
        body: Text::from(vec![
            Line::raw(text),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", theme::key()),
                Span::raw(" or Enter: yes · "),
                Span::styled("n", theme::key()),
                Span::raw(" or Esc: no"),
            ]),
        ]),
        footer: None,
    };
    frame.render_widget(popup, centered(area, 64, 7));
}

fn render_confirm_remove_block(app: &App, frame: &mut Frame, area: Rect, index: usize) {
    let Some(b) = app.session.blocks.get(index) else {
        return;
    };
    let heir = if index == 0 { 2 } else { index };
    let popup = Popup {
        title: Line::styled(" Remove this block? ", theme::title()),
        body: Text::from(vec![
            Line::raw(format!("{}. {}", index + 1, b.title.shown())),
            Line::raw(format!(
                "It has {} entries. They are not deleted: they move to block {heir}.",
                b.entries.len()
            )),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", theme::key()),
                Span::raw(" or Enter removes it · "),
                Span::styled("n", theme::key()),
                Span::raw(" or Esc keeps it"),
            ]),
        ]),
        footer: None,
    };
    frame.render_widget(popup, centered(area, 64, 8));
}

fn render_confirm_delete(app: &App, frame: &mut Frame, area: Rect, entry_id: &str) {
    let text = app
        .session
        .find_entry(entry_id)
        .and_then(|p| app.session.entry(p))
        .map(|e| e.text.shown())
        .unwrap_or_default();
    let popup = Popup {
        title: Line::styled(" Delete this entry? ", theme::title()),
        body: Text::from(vec![
            Line::raw(truncate(text, 200).into_owned()),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", theme::key()),
                Span::raw(" or Enter deletes (u undoes it) · "),
                Span::styled("n", theme::key()),
                Span::raw(" or Esc keeps it"),
            ]),
        ]),
        footer: None,
    };
    frame.render_widget(popup, centered(area, 60, 8));
}

fn render_move(app: &App, frame: &mut Frame, area: Rect, target: usize) {
    let mut lines: Vec<Line> = app
        .session
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let style = if i == target {
                theme::selected()
            } else {
                Style::new()
            };
            Line::styled(format!(" {}. {} ", i + 1, b.title.shown()), style)
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "↑↓ choose · Enter moves · Esc cancels",
        theme::dim(),
    ));
    let h = lines.len() as u16 + 2;
    let popup = Popup {
        title: Line::styled(" Move the entry to block ", theme::title()),
        body: Text::from(lines),
        footer: None,
    };
    frame.render_widget(popup, centered(area, 60, h));
}

fn render_confirm_quit(app: &App, frame: &mut Frame, area: Rect) {
    let why = match (&app.save_error, &app.read_only) {
        (Some(e), _) => format!("The last save failed: {}", sanitize_line(e)),
        (None, Some(r)) => format!(
            "This session is read-only ({}); the draft cannot be saved.",
            sanitize_line(r)
        ),
        _ => "Some changes are not saved yet.".to_string(),
    };
    let popup = Popup {
        title: Line::styled(" Unsaved changes ", theme::error()),
        body: Text::from(vec![
            Line::raw(why),
            Line::raw(""),
            Line::raw(
                "Quitting now loses what is not saved. The app keeps retrying while it runs.",
            ),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", theme::key()),
                Span::raw(" quit anyway · "),
                Span::styled("n", theme::key()),
                Span::raw(" or Esc stay"),
            ]),
        ]),
        footer: None,
    };
    frame.render_widget(popup, centered(area, 64, 10));
}
