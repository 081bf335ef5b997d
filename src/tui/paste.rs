//! A paste is text, never commands. A paste whose text holds the end
//! marker (`ESC[201~`) ends early in the terminal's parser, and the rest
//! of it arrives as keys, Enter included: the keys that come right behind
//! a paste, without a pause, are taken as more of its text.

use std::time::Duration;

use futures_util::StreamExt;
use ratatui::crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};

/// A pause longer than this after a paste's end means the keys after it
/// are typed. The rest of a paste comes in the same read as its end, or
/// microseconds later if the terminal split its write; nobody types a key
/// within 10 ms of their own paste.
pub const TAIL: Duration = Duration::from_millis(10);

/// The most text taken into one paste (a bound on a flood of keys).
const MOST: usize = 2 * crate::app::MAX_ENTRY_BYTES;

/// The text a key stands for inside a paste: printable characters, line
/// breaks and tabs. Any other key (Ctrl+Q, arrows) is not text, and is
/// dropped rather than obeyed.
fn text_of(key: &KeyEvent) -> Option<char> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        KeyCode::Enter => Some('\n'),
        KeyCode::Tab => Some('\t'),
        _ => None,
    }
}

/// `text` and everything that follows it without a pause. The second
/// value is true when the terminal went away meanwhile.
pub async fn with_tail(events: &mut EventStream, mut text: String) -> (String, bool) {
    while text.len() <= MOST {
        match tokio::time::timeout(TAIL, events.next()).await {
            Ok(Some(Ok(Event::Key(k)))) => text.extend(text_of(&k)),
            Ok(Some(Ok(Event::Paste(more)))) => text.push_str(&more),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return (text, true),
            Err(_) => break,
        }
    }
    (text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_a_paste_are_text_and_never_commands() {
        let key = |code, modifiers| KeyEvent::new(code, modifiers);
        assert_eq!(
            text_of(&key(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some('x')
        );
        assert_eq!(
            text_of(&key(KeyCode::Char('Ж'), KeyModifiers::SHIFT)),
            Some('Ж')
        );
        assert_eq!(
            text_of(&key(KeyCode::Enter, KeyModifiers::NONE)),
            Some('\n')
        );
        assert_eq!(text_of(&key(KeyCode::Tab, KeyModifiers::NONE)), Some('\t'));
        assert_eq!(
            text_of(&key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            None
        );
        assert_eq!(text_of(&key(KeyCode::Enter, KeyModifiers::ALT)), Some('\n'));
        assert_eq!(text_of(&key(KeyCode::Esc, KeyModifiers::NONE)), None);
        assert_eq!(text_of(&key(KeyCode::F(1), KeyModifiers::NONE)), None);
    }
}
