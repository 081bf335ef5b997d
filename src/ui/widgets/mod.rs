//! Widgets shared by the screens.

mod big;
mod entries;
mod popup;

pub use big::BigText;
pub use entries::EntryList;
pub use popup::{Popup, ScrollPopup, centered};

/// `mm:ss`, or `h:mm:ss` from an hour on.
pub fn clock(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Whole minutes, for tight places: "12m", "1h05".
pub fn short_minutes(seconds: i64) -> String {
    let m = seconds.max(0) / 60;
    if m >= 60 {
        format!("{}h{:02}", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}

/// A one-line title bar: the title on the left, the save state on the
/// right, in the header colours.
pub fn title_bar(
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    title: &str,
    save: (String, ratatui::style::Style),
) {
    use crate::ui::theme;
    use crate::ui::width::{truncate, width};
    use ratatui::text::{Line, Span};
    let w = area.width as usize;
    let (save, save_style) = save;
    let save = truncate(&save, (w / 2).max(8)).into_owned();
    let title = truncate(title, w.saturating_sub(width(&save) + 2)).into_owned();
    let pad = w.saturating_sub(width(&title) + width(&save) + 1);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(Line::from(vec![
            Span::styled(title, theme::header_bold()),
            Span::styled(" ".repeat(pad), theme::header()),
            Span::styled(save, save_style),
            Span::styled(" ", theme::header()),
        ]))
        .style(theme::header()),
        area,
    );
}

/// A footer of key hints: the key in the key colour, what it does dim.
pub fn key_hints(keys: &[(&str, &str)]) -> ratatui::text::Line<'static> {
    use crate::ui::theme;
    use ratatui::text::{Line, Span};
    let mut spans = vec![Span::raw(" ")];
    for (k, what) in keys {
        spans.push(Span::styled(k.to_string(), theme::key()));
        spans.push(Span::styled(format!(" {what}  "), theme::dim()));
    }
    Line::from(spans)
}

/// Puts the terminal cursor where a text box's cursor is, so that input
/// methods and screen readers follow it, and wide characters count right.
pub fn place_cursor(
    frame: &mut ratatui::Frame,
    input: &ratatui_textarea::TextArea<'_>,
    inner: ratatui::layout::Rect,
) {
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let (row, col) = if input.is_empty() {
        (0, 0)
    } else {
        let c = input.screen_cursor();
        let (top, left) = input.scroll_offset();
        (
            c.row.saturating_sub(top as usize),
            c.col.saturating_sub(left as usize),
        )
    };
    let x = inner.x + (col as u16).min(inner.width - 1);
    let y = inner.y + (row as u16).min(inner.height - 1);
    frame.set_cursor_position((x, y));
}
