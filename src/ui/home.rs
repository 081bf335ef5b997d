//! The home screen: sessions newest first, search results, the trash.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::app::home::{Home, HomeModal, Pane, same_id_note};
use crate::app::keymap::{Context, KEYMAP};
use crate::model::display::sanitize_line;
use crate::ui::theme;
use crate::ui::widgets::{Popup, centered, key_hints, place_cursor};
use crate::ui::width::{truncate, width};

pub fn render(home: &Home, frame: &mut Frame) {
    let area = frame.area();
    if area.width < 2 || area.height < 3 {
        return;
    }
    let [head, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let title = match home.pane {
        Pane::Sessions => match home.sessions.len() {
            1 => " rapporteur · 1 session".to_string(),
            n => format!(" rapporteur · {n} sessions"),
        },
        Pane::Search => " rapporteur · search".to_string(),
        Pane::Trash => format!(" rapporteur · trash ({})", home.trash.len()),
    };
    frame.render_widget(
        Paragraph::new(Line::styled(title, theme::header_bold())).style(theme::header()),
        head,
    );
    match home.pane {
        Pane::Sessions => sessions(home, frame, body),
        Pane::Search => search(home, frame, body),
        Pane::Trash => trash(home, frame, body),
    }
    let hint = match (&home.notice, home.pane) {
        (Some(n), _) => Line::styled(format!(" {}", sanitize_line(n)), theme::notice()),
        (None, Pane::Sessions) => key_hints(&[
            ("Enter", "open"),
            ("n", "new"),
            ("/", "search"),
            ("d", "trash"),
            ("t", "show trash"),
            ("Ctrl+Q", "quit"),
            ("F1", "help"),
        ]),
        (None, Pane::Search) => key_hints(&[
            ("type", "search"),
            ("↑↓", "choose"),
            ("Enter", "open at the entry"),
            ("Esc", "back"),
        ]),
        (None, Pane::Trash) => key_hints(&[
            ("Enter", "restore"),
            ("E", "empty the trash"),
            ("Esc", "back"),
        ]),
    };
    frame.render_widget(Paragraph::new(hint), footer);
    match &home.modal {
        None => {}
        Some(HomeModal::Help) => help(frame, area),
        Some(HomeModal::ConfirmTrash { title, .. }) => confirm(
            frame,
            area,
            " Move to the trash? ",
            vec![
                Line::raw(title.shown().to_string()),
                Line::raw(""),
                Line::raw(
                    "It goes to the trash folder inside the sessions folder and can be restored.",
                ),
                Line::raw(""),
                yes_no("moves it"),
            ],
        ),
        Some(HomeModal::ConfirmEmptyTrash) => confirm(
            frame,
            area,
            " Empty the trash? ",
            vec![
                Line::styled(
                    format!(
                        "This deletes {} sessions for good. It cannot be undone.",
                        home.trash.len()
                    ),
                    theme::error(),
                ),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("y", theme::key()),
                    Span::raw(" deletes them · "),
                    Span::styled("n", theme::key()),
                    Span::raw(" or Esc keeps them"),
                ]),
            ],
        ),
    }
}

fn yes_no(what: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled("y", theme::key()),
        Span::raw(format!(" or Enter {what} · ")),
        Span::styled("n", theme::key()),
        Span::raw(" or Esc cancels"),
    ])
}

fn confirm(frame: &mut Frame, area: Rect, title: &'static str, lines: Vec<Line<'static>>) {
    let h = lines.len() as u16 + 2;
    frame.render_widget(
        Popup {
            title: Line::styled(title, theme::title()),
            body: Text::from(lines),
            footer: None,
        },
        centered(area, 70, h),
    );
}

fn sessions(home: &Home, frame: &mut Frame, area: Rect) {
    if home.loading {
        frame.render_widget(
            Paragraph::new(Line::styled(" Reading the sessions…", theme::dim())),
            area,
        );
        return;
    }
    if home.sessions.is_empty() && home.bad.is_empty() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(""),
                Line::raw(" No sessions yet."),
                Line::from(vec![
                    Span::raw(" Press "),
                    Span::styled("n", theme::key()),
                    Span::raw(" to start one on the built-in agenda."),
                ]),
            ]),
            area,
        );
        return;
    }
    let w = area.width as usize;
    let mut lines = vec![Line::styled(
        format!(
            " {:<10}  {:>7} {:>5}  TITLE · PLACE",
            "DATE", "ENTRIES", "RECS"
        ),
        theme::dim(),
    )];
    let visible = (area.height as usize).saturating_sub(
        1 + if home.bad.is_empty() {
            0
        } else {
            2 + home.bad.len().min(3)
        },
    );
    let first = (home.selected + 1).saturating_sub(visible.max(1));
    for (i, s) in home.sessions.iter().enumerate().skip(first).take(visible) {
        let mut title = s.title.shown().to_string();
        if !s.location.trim().is_empty() {
            title.push_str(" · ");
            title.push_str(s.location.shown());
        }
        let state = if s.read_only {
            " [newer version]"
        } else if s.ended {
            " [ended]"
        } else {
            " [running]"
        };
        let date = s.date.map(|d| d.to_string()).unwrap_or_default();
        let left = format!(" {date:<10}  {:>7} {:>5}  ", s.entries, s.recommendations);
        let free = w.saturating_sub(width(&left) + width(state));
        // Title and note share the room: the note is cut from its end, so
        // that "DUPLICATE" stays on a narrow terminal, and the title keeps
        // enough to say which session the row is.
        let same = same_id_note(s);
        let note = same
            .as_deref()
            .map(|n| {
                let n = format!(" {}", sanitize_line(n));
                let room = free.saturating_sub(width(&title).min(16));
                truncate(&n, room).into_owned()
            })
            .unwrap_or_default();
        let room = free.saturating_sub(width(&note));
        let line = format!("{left}{}{note}{state}", truncate(&title, room));
        let style = if i == home.selected {
            theme::selected()
        } else if same.is_some() {
            theme::notice()
        } else if s.ended {
            theme::dim()
        } else {
            Style::new()
        };
        let pad = w.saturating_sub(width(&line));
        lines.push(Line::styled(format!("{line}{}", " ".repeat(pad)), style));
    }
    if !home.bad.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(" Unreadable files ({}), left untouched:", home.bad.len()),
            theme::notice(),
        ));
        for b in home.bad.iter().take(3) {
            lines.push(Line::styled(
                format!(
                    "  ⚠ {}",
                    truncate(&sanitize_line(&b.error), w.saturating_sub(4))
                ),
                theme::notice(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn search(home: &Home, frame: &mut Frame, area: Rect) {
    let [input, status, results] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::focus_border())
        .title(Line::styled(" Search ", theme::title()));
    let inner = block.inner(input);
    frame.render_widget(block, input);
    frame.render_widget(&home.query, inner);
    if home.modal.is_none() {
        place_cursor(frame, &home.query, inner);
    }
    let state = if home.loading {
        " reading the sessions…".to_string()
    } else if home.searching() {
        " searching…".to_string()
    } else if home.query_text().trim().is_empty() {
        " case and accents do not matter; all words must occur".to_string()
    } else if home.total > home.hits.len() {
        format!(
            " {} matches, the first {} shown",
            home.total,
            home.hits.len()
        )
    } else {
        format!(" {} matches", home.total)
    };
    frame.render_widget(Paragraph::new(Line::styled(state, theme::dim())), status);
    let w = results.width as usize;
    let per = 2;
    let visible = (results.height as usize / per).max(1);
    let first = (home.hit_selected + 1).saturating_sub(visible);
    let mut lines = Vec::new();
    for (i, h) in home.hits.iter().enumerate().skip(first).take(visible) {
        let selected = i == home.hit_selected;
        let base = if selected {
            theme::selected()
        } else {
            Style::new()
        };
        let speaker = h
            .speaker
            .as_ref()
            .map(|s| format!(" · {}", s.shown()))
            .unwrap_or_default();
        let head = format!(
            " {} · {}. {} · {}{}",
            h.session.title.shown(),
            h.block,
            h.block_title.shown(),
            h.kind.as_str(),
            speaker
        );
        let head = truncate(&head, w).into_owned();
        let pad = w.saturating_sub(width(&head));
        lines.push(Line::styled(
            format!("{head}{}", " ".repeat(pad)),
            base.patch(theme::title()),
        ));
        let mut spans = vec![Span::styled("   ", base)];
        for (text, hit) in crate::search::snippet_pieces(&h.text, &h.ranges, w.saturating_sub(4)) {
            let style = if hit { theme::highlight() } else { base };
            spans.push(Span::styled(text, style));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), results);
}

fn trash(home: &Home, frame: &mut Frame, area: Rect) {
    if home.trash.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" The trash is empty.", theme::dim())),
            area,
        );
        return;
    }
    let lines: Vec<Line> = home
        .trash
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let style = if i == home.trash_selected {
                theme::selected()
            } else {
                Style::new()
            };
            Line::styled(format!(" {}", sanitize_line(&name)), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn help(frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = Vec::new();
    for ctx in [
        Context::Home,
        Context::Search,
        Context::Trash,
        Context::Global,
    ] {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(ctx.title(), theme::title()));
        for b in KEYMAP.iter().filter(|b| b.context == ctx) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<12}", b.label), theme::key()),
                Span::raw(b.help),
            ]));
        }
    }
    let h = lines.len() as u16 + 2;
    frame.render_widget(
        Popup {
            title: Line::styled(" Keys ", theme::title()),
            body: Text::from(lines),
            footer: Some(Line::from(" Esc or F1 closes ")),
        },
        centered(area, 80, h),
    );
}
