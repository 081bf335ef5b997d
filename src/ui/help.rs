//! The F1 overlay, drawn from the keymap table itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use crate::app::Screen;
use crate::app::keymap::{Context, KEYMAP};
use crate::ui::theme;
use crate::ui::widgets::{Popup, ScrollPopup, centered};

/// The keys of the screen that is showing, then those that work anywhere.
pub fn render(frame: &mut Frame, area: Rect, screen: Screen, scroll: u16) {
    let contexts: &[Context] = match screen {
        Screen::Capture => &[
            Context::Editor,
            Context::Entries,
            Context::Capture,
            Context::Global,
        ],
        Screen::Setup => &[
            Context::Setup,
            Context::SetupList,
            Context::Agenda,
            Context::Global,
        ],
        Screen::Review => &[Context::Review, Context::Recommendations, Context::Global],
    };
    let mut lines: Vec<Line> = Vec::new();
    for &ctx in contexts {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(ctx.title(), theme::title()));
        if ctx == Context::Editor {
            lines.push(key_line("typing", "goes into the entry"));
            lines.push(key_line(
                "paste",
                "goes in as it is; pasted line breaks never commit",
            ));
        }
        for b in KEYMAP.iter().filter(|b| b.context == ctx) {
            lines.push(key_line(b.label, b.help));
        }
    }
    if screen == Screen::Capture {
        markers(&mut lines);
    }
    let height = lines.len() as u16 + 2;
    let fits = height <= area.height;
    let max_scroll = height.saturating_sub(area.height);
    let popup = Popup {
        title: Line::styled(" Keys ", theme::title()),
        body: Text::from(lines),
        footer: Some(Line::from(if fits {
            " Esc or F1 closes "
        } else {
            " ↑↓ scroll · Esc or F1 closes "
        })),
    };
    frame.render_widget(
        ScrollPopup {
            popup,
            scroll: scroll.min(max_scroll),
        },
        centered(area, 84, height),
    );
}

fn markers(lines: &mut Vec<Line<'static>>) {
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Markers at the start of an entry",
        theme::title(),
    ));
    lines.push(key_line(
        "R: Q: D: A:",
        "recommendation, question, decision, action",
    ));
    lines.push(key_line("@Name", "the speaker (Tab completes)"));
    lines.push(key_line(
        "#tag",
        "a theme, anywhere in the text (Tab completes)",
    ));
}

fn key_line<'a>(key: &'a str, help: &'a str) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {key:<12}"), theme::key()),
        Span::raw(help),
    ])
}
