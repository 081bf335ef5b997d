//! The entries of one block, newest at the bottom, drawn around the
//! selected (or newest) entry. Only the entries that can be seen are
//! wrapped, so a block of 10,000 entries draws as fast as one of ten.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::model::Entry;
use crate::ui::theme;
use crate::ui::width::width;
use crate::ui::wrap::wrap;

pub struct EntryList<'a> {
    pub entries: &'a [Entry],
    /// Entries before `entries[0]` that are not in memory (a first-frame
    /// preview): counted above, never drawn.
    pub unloaded: usize,
    pub selected: Option<usize>,
    pub empty_hint: &'a str,
}

/// "10:05 REC  " and its width.
const PREFIX_WIDTH: usize = 11;

impl EntryList<'_> {
    fn lines_of(&self, i: usize, width: u16) -> Vec<Line<'static>> {
        let e = &self.entries[i];
        let selected = self.selected == Some(i);
        let base = if selected {
            theme::selected()
        } else {
            Style::new()
        };
        let text_width = (width as usize).saturating_sub(PREFIX_WIDTH).max(1);
        let mut body = String::new();
        let speaker = e.speaker.as_ref().map(|s| s.shown());
        if let Some(s) = speaker {
            body.push_str(s);
            body.push_str(": ");
        }
        body.push_str(e.text.shown());
        let wrapped = wrap(&body, text_width);
        let mut out = Vec::with_capacity(wrapped.len());
        for (n, chunk) in wrapped.into_iter().enumerate() {
            let mut spans: Vec<Span<'static>> = Vec::new();
            if n == 0 {
                spans.push(Span::styled(
                    format!("{} ", e.created.hm()),
                    theme::time().patch(base),
                ));
                let badge = format!("{:<4}", e.kind.badge());
                spans.push(Span::styled(badge, theme::kind(e.kind)));
                spans.push(Span::styled(" ", base));
                // The speaker's name is bold where the first line holds it.
                if let Some(s) = &speaker {
                    let label = format!("{s}:");
                    if let Some(rest) = chunk.strip_prefix(&label) {
                        spans.push(Span::styled(label, theme::speaker().patch(base)));
                        spans.push(Span::styled(rest.to_string(), base));
                    } else {
                        spans.push(Span::styled(chunk, base));
                    }
                } else {
                    spans.push(Span::styled(chunk, base));
                }
            } else {
                spans.push(Span::styled(" ".repeat(PREFIX_WIDTH), base));
                spans.push(Span::styled(chunk, base));
            }
            let used: usize = spans.iter().map(|s| width_of(s)).sum();
            if selected && used < width as usize {
                spans.push(Span::styled(" ".repeat(width as usize - used), base));
            }
            out.push(Line::from(spans));
        }
        out
    }
}

fn width_of(s: &Span) -> usize {
    width(&s.content)
}

impl Widget for EntryList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        if self.entries.is_empty() {
            Paragraph::new(Line::styled(self.empty_hint.to_string(), theme::dim()))
                .render(area, buf);
            return;
        }
        let height = area.height as usize;
        let anchor = self
            .selected
            .unwrap_or(self.entries.len() - 1)
            .min(self.entries.len() - 1);
        // Walk up from the anchor until the area is full, then fill any
        // room left below it.
        let anchor_lines = self.lines_of(anchor, area.width);
        let anchor_len = anchor_lines.len();
        let mut above: Vec<Vec<Line>> = Vec::new();
        let mut used = anchor_len;
        let mut i = anchor;
        while used < height && i > 0 {
            i -= 1;
            let l = self.lines_of(i, area.width);
            used += l.len();
            above.push(l);
        }
        let mut below: Vec<Vec<Line>> = Vec::new();
        let mut j = anchor + 1;
        while used < height && j < self.entries.len() {
            let l = self.lines_of(j, area.width);
            used += l.len();
            below.push(l);
            j += 1;
        }
        // Remember where each entry starts, to count those cut off above.
        let mut starts: Vec<usize> = Vec::new();
        let mut lines: Vec<Line> = Vec::new();
        for block in above.into_iter().rev() {
            starts.push(lines.len());
            lines.extend(block);
        }
        let anchor_start = lines.len();
        starts.push(anchor_start);
        lines.extend(anchor_lines);
        for block in below {
            starts.push(lines.len());
            lines.extend(block);
        }
        // Show the anchor whole if it fits, its top if it does not.
        let skip = if anchor_len >= height {
            anchor_start
        } else {
            let end = (anchor_start + anchor_len).max(lines.len().min(height));
            end.saturating_sub(height).min(anchor_start)
        };
        let more_above = skip > 0 || i > 0 || self.unloaded > 0;
        let visible: Vec<Line> = if more_above && height > 1 {
            // A fragment without its time and badge would puzzle; say
            // instead that there is more above. When the top line is the
            // first line of an anchor taller than the pane, the notice
            // takes a line of its own (from the anchor's end, which does
            // not fit anyway) rather than hiding that line.
            let own_line = skip == anchor_start && anchor_len >= height;
            let (from, hidden) = if own_line {
                (skip, i + starts.iter().filter(|&&st| st < skip).count())
            } else {
                (
                    skip + 1,
                    i + starts.iter().filter(|&&st| st <= skip).count(),
                )
            };
            let hidden = hidden + self.unloaded;
            let notice = Line::styled(format!("↑ {hidden} earlier entries"), theme::dim());
            std::iter::once(notice)
                .chain(lines.into_iter().skip(from).take(height - 1))
                .collect()
        } else {
            lines.into_iter().skip(skip).take(height).collect()
        };
        Paragraph::new(visible).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Stamp};

    fn draw(entries: &[Entry], h: u16) -> Vec<String> {
        let area = Rect::new(0, 0, 60, h);
        let mut buf = Buffer::empty(area);
        EntryList {
            entries,
            unloaded: 0,
            selected: None,
            empty_hint: "",
        }
        .render(area, &mut buf);
        (0..h)
            .map(|y| (0..60).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect()
    }

    #[test]
    fn the_newest_of_many_short_entries_is_on_the_last_row() {
        let now = Stamp::now();
        let entries: Vec<Entry> = (0..50)
            .map(|i| Entry::new(Kind::Note, format!("entry {i}"), None, now))
            .collect();
        let rows = draw(&entries, 10);
        assert!(rows[0].contains("↑ 41 earlier entries"), "{rows:#?}");
        assert!(rows[9].contains("entry 49"), "{rows:#?}");
        assert!(rows[1].contains("entry 41"), "{rows:#?}");
    }

    #[test]
    fn a_tall_newest_entry_keeps_its_first_line_under_the_notice() {
        let now = Stamp::now();
        let entries = vec![
            Entry::new(Kind::Note, "short", None, now),
            Entry::new(Kind::Note, "long ".repeat(400), Some("Speaker".into()), now),
        ];
        let rows = draw(&entries, 6);
        assert!(rows[0].contains("↑ 1 earlier entries"), "{rows:#?}");
        assert!(
            rows[1].contains("NOTE") && rows[1].contains("Speaker"),
            "{rows:#?}"
        );
    }
}
