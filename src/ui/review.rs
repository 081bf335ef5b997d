//! The review screen: entries grouped by block with filters and counts,
//! the recommendations pane, and the report dialog.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget};

use crate::app::review::{EXPORT_FORMATS, Pane, RecField, Review, extension};
use crate::app::{App, Focus};
use crate::export::Anonymize;
use crate::model::display::sanitize_line;
use crate::model::{EntryPos, Kind, Session};
use crate::ui::theme;
use crate::ui::widgets::{Popup, centered, key_hints, place_cursor, title_bar};
use crate::ui::width::truncate;
use crate::ui::wrap::wrap;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < 2 || area.height < 4 {
        return;
    }
    let editing = app.focus == Focus::Editor;
    let editor_h = if editing { 5.min(area.height / 3) } else { 0 };
    let [head, filters, body, editor, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(editor_h),
        Constraint::Length(1),
    ])
    .areas(area);
    header(app, frame, head);
    filter_lines(app, frame, filters);
    let review = &app.review;
    if body.width >= 100 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(body);
        entries(app, frame, left);
        recommendations(app, frame, right);
    } else if review.pane == Pane::Entries {
        entries(app, frame, body);
    } else {
        recommendations(app, frame, body);
    }
    if editing {
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme::focus_border())
            .title(" Editing · Enter saves · Alt+Enter new line · Esc cancels ");
        let inner = block.inner(editor);
        frame.render_widget(block, editor);
        frame.render_widget(&app.editor, inner);
        if app.modal.is_none() {
            place_cursor(frame, &app.editor, inner);
        }
    }
    let hint = match &app.notice {
        Some(n) => Line::styled(format!(" {}", sanitize_line(n)), theme::notice()),
        None => {
            let keys: &[(&str, &str)] = match review.pane {
                Pane::Entries => &[
                    ("↑↓", "select"),
                    ("e k m d u", "edit"),
                    ("f s #", "filter"),
                    ("Tab", "recommendations"),
                    ("x", "report"),
                    ("c", "capture"),
                    ("F1", "help"),
                ],
                Pane::Recommendations => &[
                    ("a", "addressee"),
                    ("r", "reference"),
                    ("s", "status"),
                    ("e", "text"),
                    ("Tab", "entries"),
                    ("x", "report"),
                    ("F1", "help"),
                ],
            };
            key_hints(keys)
        }
    };
    frame.render_widget(Paragraph::new(hint), footer);
    if let Some((field, input)) = &review.input {
        let title = match field {
            RecField::Addressee => " Who should act on it (addressee) ",
            RecField::Reference => " Reference (an article of the draft, say) ",
        };
        let r = centered(area, 70, 3);
        frame.render_widget(ratatui::widgets::Clear, r);
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme::focus_border())
            .title(Line::styled(title, theme::title()))
            .title_bottom(Line::styled(" Enter saves · Esc cancels ", theme::dim()));
        let inner = block.inner(r);
        frame.render_widget(block, r);
        frame.render_widget(input, inner);
        place_cursor(frame, input, inner);
    }
    if let Some(choice) = review.export {
        let mut spans = vec![Span::raw(" Format: ")];
        for f in EXPORT_FORMATS {
            let style = if f == choice.format {
                theme::selected()
            } else {
                theme::key()
            };
            spans.push(Span::styled(format!(" {} ", extension(f)), style));
            spans.push(Span::raw(" "));
        }
        let anon = match choice.anonymize {
            Anonymize::None => "no: names and organizations are kept",
            Anonymize::Full => "yes: Chatham House Rule, no names, no affiliations",
            Anonymize::KeepOrganizations => "organizations kept, people's names dropped",
        };
        let dir = app
            .exports_dir
            .as_ref()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let popup = Popup {
            title: Line::styled(" Write a report ", theme::title()),
            body: Text::from(vec![
                Line::from(spans),
                Line::raw(""),
                Line::from(vec![
                    Span::raw(" Anonymize ("),
                    Span::styled("a", theme::key()),
                    Span::raw(format!("): {anon}")),
                ]),
                Line::raw(""),
                Line::styled(format!(" Into {}", sanitize_line(&dir)), theme::dim()),
                Line::raw(""),
                Line::raw(" ←→ format · a anonymize · Enter writes · Esc cancels"),
            ]),
            footer: None,
        };
        frame.render_widget(popup, centered(area, 76, 9));
    }
}

fn header(app: &App, frame: &mut Frame, area: Rect) {
    let state = if app.session.ended.is_some() {
        "ended"
    } else {
        "running"
    };
    let title = format!(" Review · {} [{state}]", app.session.title.shown());
    title_bar(frame, area, &title, crate::ui::capture::save_indicator(app));
}

fn filter_lines(app: &App, frame: &mut Frame, area: Rect) {
    let r = &app.review;
    let s = &app.session;
    let show = |v: Option<String>| v.unwrap_or_else(|| "all".into());
    let f = Line::from(vec![
        Span::styled(" Filter ", theme::dim()),
        Span::styled("f", theme::key()),
        Span::raw(format!(
            " kind: {}  ",
            show(r.kind.map(|k| k.as_str().to_string()))
        )),
        Span::styled("s", theme::key()),
        Span::raw(format!(
            " speaker: {}  ",
            show(r.speaker.as_ref().map(|x| x.shown().to_string()))
        )),
        Span::styled("#", theme::key()),
        Span::raw(format!(
            " tag: {}",
            show(r.tag.as_ref().map(|x| x.shown().to_string()))
        )),
    ]);
    let mut counts = vec![Span::styled(
        format!(" {} entries", s.entry_count()),
        theme::title(),
    )];
    for k in Kind::ALL {
        counts.push(Span::raw("  "));
        counts.push(Span::styled(
            format!("{:<4}", k.badge()).trim_end().to_string(),
            theme::kind(k),
        ));
        counts.push(Span::raw(format!(" {}", s.count(k))));
    }
    if r.kind.is_some() || r.speaker.is_some() || r.tag.is_some() {
        counts.push(Span::styled(
            format!("   shown: {}", r.rows(s).len()),
            theme::notice(),
        ));
    }
    frame.render_widget(Paragraph::new(vec![f, Line::from(counts)]), area);
}

enum Item {
    Header(usize),
    Entry(EntryPos),
}

fn items(review: &Review, s: &Session) -> Vec<Item> {
    let mut out = Vec::new();
    let mut last = None;
    for pos in review.rows(s) {
        if last != Some(pos.block) {
            out.push(Item::Header(pos.block));
            last = Some(pos.block);
        }
        out.push(Item::Entry(pos));
    }
    out
}

fn entries(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.review.pane == Pane::Entries && app.focus != Focus::Editor;
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(if focused {
            theme::focus_border()
        } else {
            theme::border()
        })
        .title(Line::styled(" Entries by block ", theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let s = &app.session;
    let items = items(&app.review, s);
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" No entries match.", theme::dim())),
            inner,
        );
        return;
    }
    let selected = app
        .review
        .selected_pos(s)
        .filter(|_| app.review.pane == Pane::Entries);
    let anchor = items
        .iter()
        .position(|it| matches!(it, Item::Entry(p) if Some(*p) == selected))
        .unwrap_or(0);
    let lines_of = |it: &Item| -> Vec<Line<'static>> {
        match it {
            Item::Header(b) => {
                let block = &s.blocks[*b];
                let mut counts: Vec<String> = Vec::new();
                for k in Kind::ALL {
                    let n = block.count(k);
                    if n > 0 {
                        counts.push(format!("{n} {}", k.badge()));
                    }
                }
                vec![Line::styled(
                    truncate(
                        &format!(
                            "■ {}. {} — {}",
                            b + 1,
                            block.title.shown(),
                            counts.join(" · ")
                        ),
                        inner.width as usize,
                    )
                    .into_owned(),
                    theme::current_block(),
                )]
            }
            Item::Entry(p) => {
                let Some(e) = s.entry(*p) else {
                    return Vec::new();
                };
                let is_sel = Some(*p) == selected;
                let base = if is_sel {
                    theme::selected()
                } else {
                    Style::new()
                };
                let mut body = String::new();
                if let Some(sp) = &e.speaker {
                    body.push_str(sp.shown());
                    body.push_str(": ");
                }
                body.push_str(e.text.shown());
                let w = (inner.width as usize).saturating_sub(12).max(1);
                wrap(&body, w)
                    .into_iter()
                    .enumerate()
                    .map(|(n, chunk)| {
                        if n == 0 {
                            Line::from(vec![
                                Span::styled(
                                    format!(" {} ", e.created.hm()),
                                    theme::time().patch(base),
                                ),
                                Span::styled(format!("{:<4}", e.kind.badge()), theme::kind(e.kind)),
                                Span::styled(format!(" {chunk}"), base),
                            ])
                        } else {
                            Line::styled(format!("{}{chunk}", " ".repeat(12)), base)
                        }
                    })
                    .collect()
            }
        }
    };
    ListAround {
        count: items.len(),
        anchor,
        lines_of: &|i| lines_of(&items[i]),
    }
    .render(inner, frame.buffer_mut());
}

fn recommendations(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.review.pane == Pane::Recommendations && app.focus != Focus::Editor;
    let s = &app.session;
    let recs = Review::recommendations(s);
    let block = Block::new()
        .borders(Borders::TOP | Borders::LEFT)
        .border_style(if focused {
            theme::focus_border()
        } else {
            theme::border()
        })
        .title(Line::styled(
            format!(" Recommendations ({}) ", recs.len()),
            theme::title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if recs.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" None recorded yet.", theme::dim())),
            inner,
        );
        return;
    }
    // Items: a header before the first recommendation of each block.
    let mut list: Vec<(Option<usize>, usize)> = Vec::new();
    let mut last = None;
    for (n, p) in recs.iter().enumerate() {
        if last != Some(p.block) {
            list.push((None, p.block));
            last = Some(p.block);
        }
        list.push((Some(n), p.block));
    }
    let sel = app.review.rec_selected.min(recs.len() - 1);
    let anchor = list.iter().position(|(n, _)| *n == Some(sel)).unwrap_or(0);
    let w = inner.width as usize;
    let lines_of = |i: usize| -> Vec<Line<'static>> {
        let (n, b) = list[i];
        match n {
            None => vec![Line::styled(
                truncate(&format!("■ {}. {}", b + 1, s.blocks[b].title.shown()), w).into_owned(),
                theme::current_block(),
            )],
            Some(n) => {
                let Some(e) = s.entry(recs[n]) else {
                    return Vec::new();
                };
                let base = if focused && n == sel {
                    theme::selected()
                } else {
                    Style::new()
                };
                let text = e.text.shown().replace('\n', " ");
                let mut out: Vec<Line> =
                    wrap(&format!("{}. {text}", n + 1), w.saturating_sub(1).max(1))
                        .into_iter()
                        .take(3)
                        .map(|l| Line::styled(format!(" {l}"), base))
                        .collect();
                let mut meta = Vec::new();
                meta.push(format!(
                    "→ {}",
                    e.addressee
                        .as_ref()
                        .map(|a| a.shown().to_string())
                        .unwrap_or_else(|| "(no addressee)".into())
                ));
                if let Some(r) = &e.reference {
                    meta.push(format!("ref. {}", r.shown()));
                }
                meta.push(
                    e.status
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_else(|| "(no status)".into()),
                );
                if let Some(sp) = &e.speaker {
                    meta.push(sp.shown().to_string());
                }
                out.push(Line::styled(
                    truncate(&format!("   {}", meta.join(" · ")), w).into_owned(),
                    theme::dim().patch(base),
                ));
                out
            }
        }
    };
    ListAround {
        count: list.len(),
        anchor,
        lines_of: &lines_of,
    }
    .render(inner, frame.buffer_mut());
}

/// Draws items around `anchor`, asking only the visible ones for their
/// lines, so a session of 10,000 entries draws as fast as a short one.
struct ListAround<'a> {
    count: usize,
    anchor: usize,
    lines_of: &'a dyn Fn(usize) -> Vec<Line<'static>>,
}

impl Widget for ListAround<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || self.count == 0 {
            return;
        }
        let h = area.height as usize;
        let anchor_lines = (self.lines_of)(self.anchor);
        let mut used = anchor_lines.len();
        let mut above: Vec<Vec<Line>> = Vec::new();
        let mut i = self.anchor;
        // Keep some context above the selection, the rest below it.
        while used < h / 2 && i > 0 {
            i -= 1;
            let l = (self.lines_of)(i);
            used += l.len();
            above.push(l);
        }
        let mut lines: Vec<Line> = above.into_iter().rev().flatten().collect();
        let skip = used
            .saturating_sub(h.max(anchor_lines.len()))
            .min(lines.len());
        lines.drain(..skip);
        lines.extend(anchor_lines);
        let mut j = self.anchor + 1;
        while lines.len() < h && j < self.count {
            lines.extend((self.lines_of)(j));
            j += 1;
        }
        lines.truncate(h);
        Paragraph::new(lines).render(area, buf);
    }
}
