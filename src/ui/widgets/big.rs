//! Big digits for the room view: a 3×5 font, scaled to fill the space.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

const GLYPHS: &[(char, [&str; 5])] = &[
    ('0', ["###", "# #", "# #", "# #", "###"]),
    ('1', [" # ", "## ", " # ", " # ", "###"]),
    ('2', ["###", "  #", "###", "#  ", "###"]),
    ('3', ["###", "  #", "###", "  #", "###"]),
    ('4', ["# #", "# #", "###", "  #", "  #"]),
    ('5', ["###", "#  ", "###", "  #", "###"]),
    ('6', ["###", "#  ", "###", "# #", "###"]),
    ('7', ["###", "  #", "  #", "  #", "  #"]),
    ('8', ["###", "# #", "###", "# #", "###"]),
    ('9', ["###", "# #", "###", "  #", "###"]),
    (':', ["   ", " # ", "   ", " # ", "   "]),
    ('+', ["   ", " # ", "###", " # ", "   "]),
    ('-', ["   ", "   ", "###", "   ", "   "]),
    (' ', ["   ", "   ", "   ", "   ", "   "]),
];

pub struct BigText<'a> {
    pub text: &'a str,
    pub style: Style,
}

impl BigText<'_> {
    fn glyph(c: char) -> Option<&'static [&'static str; 5]> {
        GLYPHS.iter().find(|(g, _)| *g == c).map(|(_, rows)| rows)
    }

    /// Columns and rows at scale 1 (a column of space between glyphs).
    pub fn size(text: &str) -> (u16, u16) {
        let n = text.chars().filter(|c| Self::glyph(*c).is_some()).count() as u16;
        (n * 4, 5)
    }
}

impl Widget for BigText<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (w, h) = Self::size(self.text);
        if w == 0 || area.width < w || area.height < h {
            // Too small for big digits: plain text still tells the time.
            let line = ratatui::text::Line::styled(self.text.to_string(), self.style);
            line.render(area, buf);
            return;
        }
        let sx = (area.width / w).clamp(1, 4);
        let sy = (area.height / h).clamp(1, 3);
        let x0 = area.x + (area.width - w * sx) / 2;
        let y0 = area.y + (area.height - h * sy) / 2;
        let mut gx = 0;
        for c in self.text.chars() {
            let Some(rows) = Self::glyph(c) else {
                continue;
            };
            for (ry, row) in rows.iter().enumerate() {
                for (rx, ch) in row.chars().enumerate() {
                    if ch != '#' {
                        continue;
                    }
                    for dy in 0..sy {
                        for dx in 0..sx {
                            let x = x0 + (gx + rx as u16) * sx + dx;
                            let y = y0 + ry as u16 * sy + dy;
                            if x < area.right() && y < area.bottom() {
                                buf[(x, y)].set_symbol("█").set_style(self.style);
                            }
                        }
                    }
                }
            }
            gx += 4;
        }
    }
}
