use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use crate::ui::theme;

/// A bordered box drawn over the screen, with a title and some lines.
pub struct Popup<'a> {
    pub title: Line<'a>,
    pub body: Text<'a>,
    pub footer: Option<Line<'a>>,
}

/// A popup whose body scrolls (the help overlay).
pub struct ScrollPopup<'a> {
    pub popup: Popup<'a>,
    pub scroll: u16,
}

impl Widget for ScrollPopup<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Clear.render(area, buf);
        let p = self.popup;
        let mut block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme::focus_border())
            .title(p.title);
        if let Some(f) = p.footer {
            block = block.title_bottom(f);
        }
        Paragraph::new(p.body)
            .block(block)
            .scroll((self.scroll, 0))
            .render(area, buf);
    }
}

impl Widget for Popup<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Clear.render(area, buf);
        let mut block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme::focus_border())
            .title(self.title);
        if let Some(f) = self.footer {
            block = block.title_bottom(f);
        }
        Paragraph::new(self.body)
            .wrap(Wrap { trim: false })
            .block(block)
            .render(area, buf);
    }
}

/// A rectangle of at most `width`×`height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
