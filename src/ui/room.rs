//! The room view: block title, time left in big digits, the guiding
//! questions, and the recommendations so far, without speakers.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::room::Room;
use crate::model::Kind;
use crate::model::display::sanitize_line;
use crate::ui::theme;
use crate::ui::widgets::{BigText, clock};

pub fn render(room: &Room, frame: &mut Frame) {
    let area = frame.area();
    if area.width < 2 || area.height < 2 {
        return;
    }
    let Some(s) = &room.session else {
        let msg = match &room.warning {
            Some(w) => format!("Waiting for {}: {}", room.name, w),
            None => format!("Opening {}…", room.name),
        };
        frame.render_widget(
            Paragraph::new(sanitize_line(&msg).into_owned())
                .wrap(Wrap { trim: true })
                .alignment(Alignment::Center),
            area,
        );
        return;
    };
    let i = s.current_index();
    let Some(b) = s.blocks.get(i) else {
        frame.render_widget(Paragraph::new("This session has no blocks."), area);
        return;
    };
    let big_h = if area.height >= 30 {
        15
    } else if area.height >= 16 {
        5
    } else {
        1
    };
    let [top, title, big, questions, recs, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(big_h),
        Constraint::Max(6),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);

    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                " {} · block {} of {}",
                s.title.shown(),
                i + 1,
                s.blocks.len()
            ),
            theme::dim(),
        )),
        top,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(b.title.shown().to_string(), theme::title()))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        title,
    );

    let spent = b.spent_at(&room.now);
    let planned = b.planned_seconds();
    let (digits, style) = if s.is_paused() {
        (clock((planned - spent).max(0)), theme::paused())
    } else if planned > 0 && spent > planned {
        (format!("+{}", clock(spent - planned)), theme::over_text())
    } else if planned > 0 && i128::from(spent) * 5 >= i128::from(planned) * 4 {
        (clock(planned - spent), theme::low_text())
    } else {
        (clock((planned - spent).max(0)), theme::ok_text())
    };
    frame.render_widget(
        BigText {
            text: &digits,
            style,
        },
        big,
    );

    let qs: Vec<Line> = b
        .guiding_questions
        .iter()
        .map(|q| Line::raw(format!("? {}", q.shown())))
        .collect();
    frame.render_widget(
        Paragraph::new(qs)
            .style(theme::dim())
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        questions,
    );

    let list: Vec<&str> = b
        .entries
        .iter()
        .filter(|e| e.kind == Kind::Recommendation)
        .map(|e| e.text.shown())
        .collect();
    let mut lines = vec![Line::styled(
        format!("Recommendations so far ({})", list.len()),
        theme::title(),
    )];
    // The newest are what the room is discussing: if they do not all fit,
    // the oldest give way.
    let items: Vec<String> = list
        .iter()
        .enumerate()
        .map(|(n, text)| format!("{}. {}", n + 1, text.replace('\n', " ")))
        .collect();
    let mut room_left = (recs.height as usize).saturating_sub(1);
    let mut first = items.len();
    while first > 0 {
        let h = crate::ui::wrap::wrap(&items[first - 1], recs.width as usize).len();
        if h > room_left {
            break;
        }
        room_left -= h;
        first -= 1;
    }
    if first == items.len() && !items.is_empty() {
        // Not even the newest fits whole: show its beginning.
        first = items.len() - 1;
    }
    lines.extend(items[first..].iter().map(|t| Line::raw(t.clone())));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), recs);

    let status = match (&room.warning, s.is_paused()) {
        (Some(w), _) => Line::styled(
            format!(" ⚠ {} (showing the last good state)", sanitize_line(w)),
            theme::notice(),
        ),
        (None, true) => Line::styled(" Paused", theme::dim()),
        (None, false) => Line::styled(format!(" {} · q quits", room.now.hm()), theme::dim()),
    };
    frame.render_widget(Paragraph::new(status), bottom);
}
