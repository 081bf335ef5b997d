//! Every colour and style the screens use, in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::model::Kind;

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn header() -> Style {
    Style::new().bg(Color::Blue).fg(Color::White)
}

pub fn header_bold() -> Style {
    header().add_modifier(Modifier::BOLD)
}

pub fn timer_ok() -> Style {
    header().fg(Color::White)
}

/// The planned time is nearly used up.
pub fn timer_low() -> Style {
    Style::new()
        .bg(Color::Yellow)
        .fg(Color::Black)
        .add_modifier(Modifier::BOLD)
}

/// The block has run over its planned time.
pub fn timer_over() -> Style {
    Style::new()
        .bg(Color::Red)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

pub fn saved() -> Style {
    header().fg(Color::LightGreen)
}

pub fn saving() -> Style {
    header().fg(Color::LightYellow)
}

pub fn error() -> Style {
    Style::new()
        .bg(Color::Red)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

pub fn current_block() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn done_block() -> Style {
    Style::new().fg(Color::Green)
}

pub fn upcoming_block() -> Style {
    Style::new()
}

pub fn selected() -> Style {
    Style::new().bg(Color::DarkGray).fg(Color::White)
}

pub fn speaker() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn time() -> Style {
    dim()
}

pub fn focus_border() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn notice() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn kind(kind: Kind) -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD);
    match kind {
        Kind::Note => s.fg(Color::Gray),
        Kind::Recommendation => s.fg(Color::Black).bg(Color::LightGreen),
        Kind::Question => s.fg(Color::LightMagenta),
        Kind::Decision => s.fg(Color::LightBlue),
        Kind::Action => s.fg(Color::LightYellow),
    }
}

pub fn paused() -> Style {
    Style::new()
        .bg(Color::Magenta)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

/// The header while the overrun alert flashes.
pub fn flash() -> Style {
    Style::new()
        .bg(Color::Red)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD | Modifier::REVERSED)
}

/// Big digits in the room view: plenty of time, little, none.
pub fn ok_text() -> Style {
    Style::new().fg(Color::Green)
}

pub fn low_text() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn over_text() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// A search match inside a snippet.
pub fn highlight() -> Style {
    Style::new()
        .bg(Color::Yellow)
        .fg(Color::Black)
        .add_modifier(Modifier::BOLD)
}
