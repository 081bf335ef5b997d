//! The capture screen: header, agenda, guiding questions, entries, editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use crate::app::keymap::KEYMAP;
use crate::app::{App, Focus, SaveStatus};
use crate::model::display::sanitize_line;
use crate::ui::theme;
use crate::ui::widgets::{EntryList, clock, place_cursor, short_minutes};
use crate::ui::width::{truncate, width};

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < 2 || area.height < 2 {
        return;
    }
    let editor_height = editor_height(app, area.height);
    let banner_height = banner_height(app, area.width).min(area.height / 3);
    let [header, banner, body, editor, footer] = Layout::vertical([
        Constraint::Length(2.min(area.height)),
        Constraint::Length(banner_height),
        Constraint::Min(0),
        Constraint::Length(editor_height),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(app, frame, header);
    render_banner(app, frame, banner);
    let show_agenda = body.width >= 60 && body.height >= 3;
    let main = if show_agenda {
        let agenda_width = (body.width / 4).clamp(24, 36);
        let [agenda, main] =
            Layout::horizontal([Constraint::Length(agenda_width), Constraint::Min(0)]).areas(body);
        render_agenda(app, frame, agenda);
        main
    } else {
        body
    };
    render_main(app, frame, main);
    render_editor(app, frame, editor);
    render_footer(app, frame, footer);
}

fn editor_height(app: &App, total: u16) -> u16 {
    let lines = app.draft_line_count().min(usize::from(u16::MAX)) as u16;
    // Borders plus the text, between 3 and a third of the screen.
    lines
        .saturating_add(2)
        .clamp(3, (total / 3).max(3))
        .min(total.saturating_sub(3))
}

fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    frame.render_widget(Block::new().style(theme::header()), area);
    let s = &app.session;
    let w = area.width as usize;
    // Line 1: title, wall clock, save state.
    let (save_text, save_style) = save_indicator(app);
    let right = format!("{}  ", app.now.hms());
    let save_text = truncate(&save_text, w.saturating_sub(width(&right) + 12).max(8)).into_owned();
    let title_room = w.saturating_sub(width(&right) + width(&save_text) + 3);
    let title = truncate(s.title.shown(), title_room);
    let pad = w.saturating_sub(1 + width(&title) + width(&right) + width(&save_text) + 1);
    let line1 = Line::from(vec![
        Span::styled(format!(" {title}"), theme::header_bold()),
        Span::styled(" ".repeat(pad), theme::header()),
        Span::styled(right, theme::header()),
        Span::styled(save_text, save_style),
        Span::styled(" ", theme::header()),
    ]);
    // Line 2: block k of N, its title, its timer.
    let n = s.blocks.len();
    let k = app.current();
    let (block_title, spent, planned) = match s.blocks.get(k) {
        Some(b) => (
            b.title.shown().to_string(),
            b.spent_at(&app.now),
            b.planned_seconds(),
        ),
        None => ("no blocks".to_string(), 0, 0),
    };
    let (timer, timer_style) = if s.is_paused() {
        (
            format!(
                " PAUSED (Ctrl+T resumes) {} / {} ",
                clock(spent),
                clock(planned)
            ),
            theme::paused(),
        )
    } else {
        timer_text(spent, planned)
    };
    let left = format!(" Block {} of {n} · ", (k + 1).min(n.max(1)));
    let room = w.saturating_sub(width(&left) + width(&timer) + 2);
    let block_title = truncate(&block_title, room).into_owned();
    let pad = w.saturating_sub(width(&left) + width(&block_title) + width(&timer) + 1);
    let line2 = Line::from(vec![
        Span::styled(left, theme::header()),
        Span::styled(block_title, theme::header_bold()),
        Span::styled(" ".repeat(pad), theme::header()),
        Span::styled(timer, timer_style),
        Span::styled(" ", theme::header()),
    ]);
    frame.render_widget(Paragraph::new(vec![line1, line2]), area);
    if app.flash_until.is_some() {
        // The visible half of the overrun bell.
        frame.buffer_mut().set_style(area, theme::flash());
    }
}

/// The lines the outside-change banner takes at `width`: it must be
/// read whole (it names the file the app's version went to), so it wraps.
fn banner_height(app: &App, width: u16) -> u16 {
    let Some(o) = &app.outside else {
        return 0;
    };
    let room = usize::from(width.saturating_sub(2)).max(1);
    width_of_banner(&o.banner).div_ceil(room).clamp(1, 3) as u16
}

fn width_of_banner(banner: &str) -> usize {
    width(&sanitize_line(banner))
}

/// Under the header while another program's change is in force: what
/// happened and where the app's own version went.
fn render_banner(app: &App, frame: &mut Frame, area: Rect) {
    let Some(o) = &app.outside else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let style = if o.frozen {
        theme::error()
    } else {
        theme::notice()
    };
    let text = sanitize_line(&o.banner).into_owned();
    frame.render_widget(Block::new().style(style), area);
    frame.render_widget(
        Paragraph::new(Line::styled(text, style))
            .wrap(Wrap { trim: true })
            .block(Block::new().padding(ratatui::widgets::Padding::horizontal(1))),
        area,
    );
}

/// The header's save state: saved, saving, or what went wrong.
pub fn save_indicator(app: &App) -> (String, Style) {
    match app.save_status() {
        SaveStatus::Saved => ("✓ saved".to_string(), theme::saved()),
        SaveStatus::Saving => ("… saving".to_string(), theme::saving()),
        SaveStatus::Failed(e) => (
            format!("✗ NOT SAVED: {} (retrying)", sanitize_line(&e)),
            theme::error(),
        ),
        SaveStatus::ReadOnly(why) => (
            format!("READ-ONLY: {}", sanitize_line(&why)),
            theme::error(),
        ),
    }
}

/// "12:30 / 30:00", warning in the last fifth, and plain about overruns.
pub fn timer_text(spent: i64, planned: i64) -> (String, Style) {
    if planned <= 0 {
        return (format!(" {} ", clock(spent)), theme::timer_ok());
    }
    if spent > planned {
        (
            format!(
                " {} / {}  OVER +{} ",
                clock(spent),
                clock(planned),
                clock(spent - planned)
            ),
            theme::timer_over(),
        )
    } else if i128::from(spent) * 5 >= i128::from(planned) * 4 {
        (
            format!(
                " {} / {}  {} left ",
                clock(spent),
                clock(planned),
                clock(planned - spent)
            ),
            theme::timer_low(),
        )
    } else {
        (
            format!(" {} / {} ", clock(spent), clock(planned)),
            theme::timer_ok(),
        )
    }
}

fn render_agenda(app: &App, frame: &mut Frame, area: Rect) {
    let s = &app.session;
    let block = Block::new()
        .borders(Borders::RIGHT)
        .border_style(theme::border())
        .title(Line::styled(" Agenda", theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cur = app.current();
    let w = inner.width as usize;
    // Two lines a block (title, then time) when they fit: titles are long
    // and the agenda is narrow.
    let roomy = s.blocks.len() * 2 + 3 <= inner.height as usize;
    let mut lines = Vec::new();
    for (i, b) in s.blocks.iter().enumerate() {
        let spent = b.spent_at(&app.now);
        let (mark, style) = if i == cur {
            ("▶", theme::current_block())
        } else if i < cur || spent > 0 {
            ("✓", theme::done_block())
        } else {
            ("·", theme::upcoming_block())
        };
        let over = b.planned_seconds() > 0 && spent > b.planned_seconds();
        let time_style = if over {
            theme::timer_over()
        } else if i == cur {
            style
        } else {
            theme::dim()
        };
        let head = format!("{mark} {}. ", i + 1);
        let title = b.title.shown();
        if roomy {
            let title = truncate(title, w.saturating_sub(width(&head)));
            lines.push(Line::from(vec![
                Span::styled(head.clone(), style),
                Span::styled(title.into_owned(), style),
            ]));
            let time = format!(
                "{}{} of {}",
                " ".repeat(width(&head)),
                short_minutes(spent),
                short_minutes(b.planned_seconds())
            );
            lines.push(Line::styled(time, time_style));
        } else {
            let time = format!(
                " {}/{}",
                short_minutes(spent),
                short_minutes(b.planned_seconds())
            );
            let room = w.saturating_sub(width(&head) + width(&time));
            let title = truncate(title, room);
            let pad = w.saturating_sub(width(&head) + width(&title) + width(&time));
            lines.push(Line::from(vec![
                Span::styled(head, style),
                Span::styled(title.into_owned(), style),
                Span::raw(" ".repeat(pad)),
                Span::styled(time, time_style),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "Total {} of {}",
            short_minutes(s.spent_at(&app.now)),
            short_minutes(s.planned_seconds())
        ),
        theme::dim(),
    ));
    lines.push(Line::styled(
        format!("Ends ≈ {}", s.projected_end(&app.now).hm()),
        theme::dim(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_main(app: &App, frame: &mut Frame, area: Rect) {
    let questions = app
        .session
        .blocks
        .get(app.current())
        .map(|b| b.guiding_questions.as_slice())
        .unwrap_or(&[]);
    let entries_area = if app.show_questions && !questions.is_empty() && area.height >= 8 {
        let text: Vec<Line> = questions
            .iter()
            .map(|q| Line::from(format!("? {}", q.shown())))
            .collect();
        let max = (area.height / 3).max(3);
        let wanted = questions
            .iter()
            .map(|q| (width(q.shown()) as u16 + 2).div_ceil(area.width.saturating_sub(2).max(1)))
            .sum::<u16>()
            + 1;
        let [q, rest] =
            Layout::vertical([Constraint::Length(wanted.min(max)), Constraint::Min(0)]).areas(area);
        let block = Block::new()
            .borders(Borders::BOTTOM)
            .border_style(theme::border())
            .style(theme::dim());
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            q,
        );
        rest
    } else {
        area
    };
    let unloaded = app
        .session
        .blocks
        .get(app.current())
        .map_or(0, |b| b.unloaded);
    let count = app.current_entries().len() + unloaded;
    let title = format!(" Entries ({count}) ");
    let focused = app.focus == Focus::Entries;
    let block = Block::new().title(Line::styled(
        title,
        if focused {
            theme::focus_border()
        } else {
            theme::title()
        },
    ));
    let inner = block.inner(entries_area);
    frame.render_widget(block, entries_area);
    let inner = Rect {
        x: inner.x + 1.min(inner.width),
        width: inner.width.saturating_sub(1),
        ..inner
    };
    frame.render_widget(
        EntryList {
            entries: app.current_entries(),
            unloaded,
            selected: if focused { app.selected } else { None },
            empty_hint: "Nothing recorded in this block yet. Type below and press Enter.",
        },
        inner,
    );
}

fn render_editor(app: &App, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let (kind, speaker) = app.draft_preview();
    let focused = app.focus == Focus::Editor && app.modal.is_none();
    let mut title = vec![
        Span::raw(" "),
        Span::styled(
            format!(" {} ", kind.as_str().to_uppercase()),
            theme::kind(kind),
        ),
        Span::raw(" "),
    ];
    match speaker {
        Some(s) => title.push(Span::styled(
            format!("@{} ", sanitize_line(&s)),
            theme::speaker(),
        )),
        None => title.push(Span::styled("no speaker ", theme::dim())),
    }
    if app.editing.is_some() {
        title.push(Span::styled("· editing an entry ", theme::notice()));
    }
    let hint = if app.editing.is_some() {
        " Enter save change · Alt+Enter new line · Tab kind "
    } else {
        " Enter commit · Alt+Enter new line · Tab kind/complete "
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            theme::focus_border()
        } else {
            theme::border()
        })
        .title(Line::from(title))
        .title_bottom(Line::styled(hint, theme::dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(&app.editor, inner);
    if focused {
        place_cursor(frame, &app.editor, inner);
    }
}

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    if let Some(n) = &app.notice {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(" {}", sanitize_line(n)),
                theme::notice(),
            )),
            area,
        );
        return;
    }
    let keys: &[(&str, &str)] = match app.focus {
        Focus::Editor => &[
            ("Ctrl+N/P", "block"),
            ("Esc", "entries"),
            ("Ctrl+S", "save"),
            ("Ctrl+Q", "quit"),
            ("F1", "help"),
        ],
        Focus::Entries => &[
            ("↑↓", "select"),
            ("e", "edit"),
            ("k", "kind"),
            ("m", "move"),
            ("d", "delete"),
            ("u", "undo"),
            ("i", "editor"),
            ("F1", "help"),
        ],
    };
    debug_assert!(KEYMAP.iter().any(|b| b.label == "F1"));
    let mut spans = vec![Span::raw(" ")];
    for (k, what) in keys {
        spans.push(Span::styled(*k, theme::key()));
        spans.push(Span::styled(format!(" {what}  "), theme::dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
