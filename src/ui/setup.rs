//! The setup screen: details, participants, agenda, template, Start.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::app::App;
use crate::app::setup::{Detail, Field, Target};
use crate::model::display::sanitize_line;
use crate::ui::theme;
use crate::ui::widgets::{centered, place_cursor, short_minutes, title_bar};
use crate::ui::width::{truncate, width};

const LABEL: u16 = 14;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < 2 || area.height < 2 {
        return;
    }
    let s = &app.session;
    let st = &app.setup;
    let n_blocks = s.blocks.len() as u16;
    let n_people = s.participants.len() as u16 + 2;
    let [head, details, participants, agenda, actions, _, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(Detail::ALL.len() as u16 + 1),
        Constraint::Min(n_people.clamp(2, 4)),
        Constraint::Length((n_blocks + 1).clamp(2, 12)),
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let participants = Rect {
        height: participants.height.min(n_people.max(2)),
        ..participants
    };

    let title = format!(" Session setup · {}", s.title.shown());
    title_bar(frame, head, &title, crate::ui::capture::save_indicator(app));

    // Details.
    let rows = Layout::vertical(
        std::iter::once(Constraint::Length(1))
            .chain(Detail::ALL.iter().map(|_| Constraint::Length(1))),
    )
    .split(details);
    frame.render_widget(section("Details", false), rows[0]);
    for (i, d) in Detail::ALL.into_iter().enumerate() {
        let row = rows[i + 1];
        let focused = st.field == Field::Detail(d);
        let [label, value] =
            Layout::horizontal([Constraint::Length(LABEL), Constraint::Min(0)]).areas(row);
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("  {}", d.label()),
                if focused {
                    theme::focus_border()
                } else {
                    theme::dim()
                },
            )),
            label,
        );
        if focused && st.editing.is_none() {
            draw_input(app, frame, value);
        } else {
            // `get` gives the field as shown.
            let v = d.get(s);
            let line = if v.is_empty() {
                Line::styled(d.hint().to_string(), theme::dim())
            } else {
                Line::raw(truncate(&v, value.width as usize).into_owned())
            };
            frame.render_widget(Paragraph::new(line), value);
        }
    }

    // Participants.
    let focused = st.field == Field::Participants;
    let [p_head, p_list] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(participants);
    frame.render_widget(
        section_with(
            &format!("Participants ({})", s.participants.len()),
            focused,
            if focused {
                "a add · Enter edit · d remove · paste \"Name, Organization\" lines"
            } else {
                ""
            },
        ),
        p_head,
    );
    let editing_row = match st.editing {
        Some(Target::Participant(i)) => Some(i),
        Some(Target::NewParticipant) => Some(s.participants.len()),
        _ => None,
    };
    let total_rows = s.participants.len() + usize::from(editing_row == Some(s.participants.len()));
    let visible = p_list.height as usize;
    let anchor = editing_row.unwrap_or(st.participant);
    let first = (anchor + 1).saturating_sub(visible);
    if total_rows == 0 && p_list.height > 0 {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "  None yet. Names here feed @ completion in the capture screen.",
                theme::dim(),
            )),
            p_list,
        );
    }
    for (row, i) in (first..total_rows).take(visible).enumerate() {
        let r = Rect {
            y: p_list.y + row as u16,
            height: 1,
            ..p_list
        };
        if editing_row == Some(i) {
            draw_row_input(app, frame, r);
            continue;
        }
        let Some(p) = s.participants.get(i) else {
            continue;
        };
        let selected = focused && i == st.participant;
        let text = match (p.name.shown().trim(), p.organization.shown().trim()) {
            (n, "") => n.to_string(),
            ("", o) => format!("— {o}"),
            (n, o) => format!("{n} — {o}"),
        };
        frame.render_widget(row_line(&text, selected, r.width), r);
    }

    // Agenda.
    let focused = st.field == Field::Agenda;
    let [a_head, a_list] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(agenda);
    let planned: i64 = s.planned_seconds();
    frame.render_widget(
        section_with(
            &format!(
                "Agenda ({} blocks, {} planned)",
                s.blocks.len(),
                short_minutes(planned)
            ),
            focused,
            if focused {
                "a add · Enter rename · +/- minutes · Alt+↑↓ move · q questions · d remove"
            } else {
                ""
            },
        ),
        a_head,
    );
    let visible = a_list.height as usize;
    let first = (st.block + 1).saturating_sub(visible);
    for (row, (i, b)) in s
        .blocks
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .enumerate()
    {
        let r = Rect {
            y: a_list.y + row as u16,
            height: 1,
            ..a_list
        };
        if st.editing == Some(Target::BlockTitle(i)) {
            draw_row_input(app, frame, r);
            continue;
        }
        let selected = focused && i == st.block;
        let right = format!(
            "{:>4} min · {} q · {} entries",
            b.planned_minutes,
            b.guiding_questions.len(),
            b.entries.len()
        );
        let left = format!("{}. {}", i + 1, b.title.shown());
        let room = (r.width as usize).saturating_sub(width(&right) + 6);
        let left = truncate(&left, room);
        let pad = (r.width as usize).saturating_sub(width(&left) + width(&right) + 4);
        let text = format!("{left}{}{right}", " ".repeat(pad));
        frame.render_widget(row_line(&text, selected, r.width), r);
    }

    // Template, save as template, bell, Start.
    let template = app
        .templates
        .get(st.template)
        .map(|(n, _)| n.as_str())
        .unwrap_or("default");
    let mut spans = vec![Span::raw("  Template ")];
    spans.push(button(
        &format!("◀ {} ▶", sanitize_line(template)),
        st.field == Field::Template,
    ));
    spans.push(Span::raw("  "));
    if st.editing == Some(Target::TemplateName) {
        spans.push(Span::styled("name: ", theme::key()));
    } else {
        spans.push(button("Save as template", st.field == Field::SaveTemplate));
    }
    spans.push(Span::raw("  "));
    spans.push(button(
        if app.bell { "Bell: on" } else { "Bell: off" },
        st.field == Field::Bell,
    ));
    spans.push(Span::raw("  "));
    let start_style = if st.field == Field::Start {
        theme::timer_over().bg(ratatui::style::Color::Green)
    } else {
        theme::title()
    };
    spans.push(Span::styled("[ Start ]", start_style));
    let [line1, line2] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(actions);
    frame.render_widget(Paragraph::new(Line::from(spans)), line1);
    if st.editing == Some(Target::TemplateName) {
        let r = Rect {
            x: line2.x + 2,
            width: line2.width.saturating_sub(2),
            ..line2
        };
        draw_input(app, frame, r);
    }

    // Footer: the notice, or what Enter does here.
    let hint = match (&app.notice, st.field) {
        (Some(n), _) => Line::styled(format!(" {}", sanitize_line(n)), theme::notice()),
        (None, Field::Start) => hint_line(
            "Enter",
            "starts the session · Tab goes to the fields · F1 help",
        ),
        (None, Field::Template) => hint_line(
            "←→",
            "choose · Enter replaces the agenda (only while it has no entries)",
        ),
        (None, Field::SaveTemplate) => {
            hint_line("Enter", "names the template and saves this agenda")
        }
        (None, _) => hint_line(
            "Tab",
            "next field · Shift+Tab previous · Esc capture screen · F1 help",
        ),
    };
    frame.render_widget(Paragraph::new(hint), footer);

    if let Some(Target::Questions(i)) = st.editing {
        render_questions(app, frame, area, i);
    }
}

fn section(title: &str, focused: bool) -> Paragraph<'static> {
    section_with(title, focused, "")
}

fn section_with(title: &str, focused: bool, hint: &str) -> Paragraph<'static> {
    let style = if focused {
        theme::focus_border().add_modifier(ratatui::style::Modifier::BOLD)
    } else {
        theme::title()
    };
    let mut spans = vec![Span::styled(format!(" {title}"), style)];
    if !hint.is_empty() {
        spans.push(Span::styled(format!("   {hint}"), theme::dim()));
    }
    Paragraph::new(Line::from(spans))
}

fn row_line(text: &str, selected: bool, w: u16) -> Paragraph<'static> {
    let text = truncate(text, (w as usize).saturating_sub(4));
    let marker = if selected { " ▶ " } else { "   " };
    let style = if selected {
        theme::selected()
    } else {
        Style::new()
    };
    Paragraph::new(Line::styled(format!("{marker}{text}"), style))
}

fn button(label: &str, focused: bool) -> Span<'static> {
    if focused {
        Span::styled(format!("[{label}]"), theme::selected())
    } else {
        Span::styled(format!("[{label}]"), theme::key())
    }
}

fn hint_line(key: &str, what: &str) -> Line<'static> {
    Line::from(vec![
        Span::raw(" "),
        Span::styled(key.to_string(), theme::key()),
        Span::styled(format!(" {what}"), theme::dim()),
    ])
}

fn draw_row_input(app: &App, frame: &mut Frame, r: Rect) {
    let inner = Rect {
        x: r.x + 3.min(r.width),
        width: r.width.saturating_sub(3),
        ..r
    };
    frame.render_widget(Paragraph::new(" ▶ ").style(theme::focus_border()), r);
    draw_input(app, frame, inner);
}

/// The active text box, with the terminal cursor placed in it.
fn draw_input(app: &App, frame: &mut Frame, r: Rect) {
    if r.width == 0 || r.height == 0 {
        return;
    }
    let input = &app.setup.input;
    frame.render_widget(input, r);
    if app.modal.is_none() {
        place_cursor(frame, input, r);
    }
}

fn render_questions(app: &App, frame: &mut Frame, area: Rect, i: usize) {
    let title = app
        .session
        .blocks
        .get(i)
        .map(|b| b.title.shown())
        .unwrap_or_default();
    let r = centered(area, 76, 12);
    frame.render_widget(ratatui::widgets::Clear, r);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::focus_border())
        .title(Line::styled(
            format!(" Guiding questions: {} ", truncate(title, 50)),
            theme::title(),
        ))
        .title_bottom(Line::styled(
            " one question a line · Enter new line · Tab saves · Esc cancels ",
            theme::dim(),
        ));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    draw_input(app, frame, inner);
}
