//! A long entry edited through a window: the text box holds only the
//! lines around the cursor, the rest wait above and below it here.
//!
//! Why: ratatui-textarea lays out (wraps and measures) all of its text
//! again after every edit, in `update`, not only when drawing: about
//! 60 ms a key for 1 MiB wrapped, 20 ms unwrapped. Holding at most a few
//! tens of KiB keeps each key's cost bounded whatever the entry's size.
//! Lines are moved whole, so Home/End, word moves, wrapping and completion
//! inside the box see real lines. A single line longer than the window
//! stays whole in the box (it costs what it cost before).

use ratatui_textarea::{CursorMove, TextArea};

/// The lines of the entry that are not in the text box.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outside {
    pub above: Vec<String>,
    pub below: Vec<String>,
    /// The box's lines above and below the cursor, and its bytes, when
    /// the window last moved: it moves again only once the cursor has
    /// gone half way to an edge, or the box has doubled, so that a line
    /// too long for the window does not make it move on every key.
    settled: (usize, usize, usize),
}

/// About how much text the box holds after the window moves.
const WINDOW_BYTES: usize = 32 * 1024;
/// Lines kept each side of the cursor at most, so that the box scrolls
/// as it does for a short entry near the cursor.
const SIDE_LINES: usize = 256;
/// The window moves when the cursor comes this close to its edge, well
/// more than the box's height, so the rows drawn are always inside it.
const MARGIN_LINES: usize = 64;

impl Outside {
    pub fn is_empty(&self) -> bool {
        self.above.is_empty() && self.below.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.above
            .iter()
            .chain(&self.below)
            .map(|l| l.len() + 1)
            .sum()
    }
}

/// Moves the window so the cursor is well inside it, when it is near an
/// edge with text beyond, or when the box holds too much. Cheap when
/// nothing is to be done (a look at the box's lines).
pub fn follow(editor: &mut TextArea<'static>, outside: &mut Outside) {
    let lines = editor.lines();
    let (row, col) = (editor.cursor().0, editor.cursor().1);
    let (up, down, bytes_then) = outside.settled;
    // Never 0: the cursor must not rest on the box's first (last) line
    // while there is text above (below) it, or joining lines would stop
    // at the box's edge.
    let near_top = !outside.above.is_empty() && row < (up / 2).clamp(1, MARGIN_LINES);
    let near_bottom =
        !outside.below.is_empty() && lines.len() - 1 - row < (down / 2).clamp(1, MARGIN_LINES);
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let too_big = lines.len() > 1 && bytes > (2 * WINDOW_BYTES).max(2 * bytes_then);
    // The box's cursor can only be placed by a u16 jump.
    let placeable = col <= usize::from(u16::MAX);
    if !(near_top || near_bottom || too_big) || !placeable {
        return;
    }
    let mut all = std::mem::take(&mut outside.above);
    let cursor = all.len() + row;
    all.extend(lines.iter().cloned());
    all.append(&mut outside.below);
    let (start, end) = window_around(&all, cursor);
    let below = all.split_off(end);
    let window = all.split_off(start);
    let settled = (
        cursor - start,
        end - cursor - 1,
        window.iter().map(|l| l.len() + 1).sum(),
    );
    *outside = Outside {
        above: all,
        below,
        settled,
    };
    *editor = super::state::editor_from_lines(window);
    editor.move_cursor(CursorMove::Jump((cursor - start) as u16, col as u16));
}

/// The lines `start..end` around `cursor`: up to `SIDE_LINES` each side,
/// and about `WINDOW_BYTES` in all.
fn window_around(all: &[String], cursor: usize) -> (usize, usize) {
    let half = WINDOW_BYTES / 2;
    let mut start = cursor;
    let mut bytes = 0;
    while start > 0 && cursor - start < SIDE_LINES && bytes < half {
        start -= 1;
        bytes += all[start].len() + 1;
    }
    let mut end = cursor + 1;
    bytes = 0;
    while end < all.len() && end - cursor <= SIDE_LINES && bytes < half {
        bytes += all[end].len() + 1;
        end += 1;
    }
    // Rows in the box must stay within a u16 jump.
    let end = end.min(start + usize::from(u16::MAX));
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(editor: &TextArea<'_>, outside: &Outside) -> String {
        outside
            .above
            .iter()
            .chain(editor.lines())
            .chain(&outside.below)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_window_follows_the_cursor_and_keeps_every_line() {
        let lines: Vec<String> = (0..20_000).map(|i| format!("строка {i} 日本 👩🏽‍⚖️")).collect();
        let mut editor = super::super::state::editor_from_lines(lines.clone());
        editor.move_cursor(CursorMove::Bottom);
        let mut outside = Outside::default();
        follow(&mut editor, &mut outside);
        assert!(editor.lines().len() <= 2 * SIDE_LINES + 1);
        assert_eq!(editor.cursor().0 + outside.above.len(), 19_999);
        assert_eq!(text(&editor, &outside), lines.join("\n"));
        // Walk to the top one line at a time: the cursor's line is always
        // the one it should be, and no line is lost on the way.
        for want in (0..19_999).rev() {
            editor.move_cursor(CursorMove::Up);
            follow(&mut editor, &mut outside);
            let row = editor.cursor().0;
            assert_eq!(editor.lines()[row], lines[want]);
            assert_eq!(outside.above.len() + row, want);
        }
        assert_eq!(text(&editor, &outside), lines.join("\n"));
    }

    #[test]
    fn a_short_entry_has_no_window() {
        let mut editor = super::super::state::editor_from_lines(vec!["a".into(); 100]);
        let mut outside = Outside::default();
        follow(&mut editor, &mut outside);
        assert!(outside.is_empty());
        assert_eq!(editor.lines().len(), 100);
    }

    #[test]
    fn one_line_longer_than_the_window_stays_whole() {
        let line = "слово ".repeat(40_000);
        let mut editor = super::super::state::editor_from_lines(vec![line.clone()]);
        let mut outside = Outside::default();
        follow(&mut editor, &mut outside);
        assert!(outside.is_empty());
        assert_eq!(editor.lines(), [line]);
    }

    #[test]
    fn long_lines_between_short_ones_are_reachable_and_do_not_make_it_move_every_key() {
        let long = "длинная строка ".repeat(1_500);
        let mut lines: Vec<String> = (0..800).map(|i| format!("line {i}")).collect();
        for i in [300, 301, 500, 799] {
            lines[i] = format!("{i} {long}");
        }
        let mut editor = super::super::state::editor_from_lines(lines.clone());
        editor.move_cursor(CursorMove::Bottom);
        let mut outside = Outside::default();
        follow(&mut editor, &mut outside);
        let mut moves = 0;
        for want in (0..799).rev() {
            editor.move_cursor(CursorMove::Up);
            let before = outside.settled;
            let above = outside.above.len();
            follow(&mut editor, &mut outside);
            if (outside.settled, outside.above.len()) != (before, above) {
                moves += 1;
            }
            let row = editor.cursor().0;
            assert_eq!(editor.lines()[row], lines[want]);
            // Typing on a long line does not move the window.
            editor.insert_char('x');
            let settled = outside.settled;
            follow(&mut editor, &mut outside);
            assert_eq!(outside.settled, settled);
            editor.delete_char();
        }
        assert!(moves < 100, "the window moved {moves} times");
        assert_eq!(text(&editor, &outside), lines.join("\n"));
    }
}
