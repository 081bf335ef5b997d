//! The F1 overlay, drawn from the keymap table itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use crate::app::keymap::{Context, KEYMAP};
use crate::ui::theme;
use crate::ui::widgets::{Popup, centered};

pub fn render(frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = Vec::new();
    for ctx in [Context::Editor, Context::Entries, Context::Global] {
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
    let height = lines.len() as u16 + 2;
    let popup = Popup {
        title: Line::styled(" Keys ", theme::title()),
        body: Text::from(lines),
        footer: Some(Line::from(" Esc or F1 closes ")),
    };
    frame.render_widget(popup, centered(area, 78, height));
}

fn key_line<'a>(key: &'a str, help: &'a str) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {key:<12}"), theme::key()),
        Span::raw(help),
    ])
}
