//! Text from files is shown as text. Control characters, escape sequences
//! and bidi overrides are replaced with visible placeholders, so nothing
//! from a session file can drive the terminal, and the rapporteur still
//! sees that something odd is there.

use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

/// Placeholder for C1 controls and bidi formatting characters, which have
/// no control picture of their own.
pub const OTHER_CONTROL: char = '⍰';

fn placeholder(c: char) -> Option<char> {
    match c {
        '\n' => None,
        // C0 controls have control pictures at U+2400 + code.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('␡'),
        '\u{80}'..='\u{9f}' => Some(OTHER_CONTROL),
        // Bidi embeddings, overrides and isolates ("Trojan Source"), and
        // the line and paragraph separators that some terminals act on.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' => {
            Some(OTHER_CONTROL)
        }
        _ => None,
    }
}

const ZWJ: char = '\u{200d}';

fn needs_work(s: &str) -> bool {
    s.chars().any(|c| c == ZWJ || placeholder(c).is_some())
}

/// Emoji and other pictographs: what a zero-width joiner may join.
fn pictograph(c: char) -> bool {
    (c as u32) >= 0x2000 && !c.is_alphanumeric() && !c.is_whitespace()
}

/// Replaces controls, and zero-width joiners that do not join two
/// pictographs (a stray joiner makes some terminals merge the next symbol
/// drawn anywhere into its cell, which shifts columns).
fn clean(s: &str, newline: Option<char>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            out.push(newline.unwrap_or('\n'));
        } else if c == ZWJ {
            let joins = i > 0
                && pictograph(chars[i - 1])
                && chars.get(i + 1).is_some_and(|n| pictograph(*n));
            out.push(if joins { ZWJ } else { OTHER_CONTROL });
        } else {
            out.push(placeholder(c).unwrap_or(c));
        }
    }
    out
}

/// Keeps line breaks; replaces every other control with a placeholder.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !needs_work(s) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(clean(s, None))
}

/// For one-line places (titles, speakers, list rows): line breaks become
/// `⏎` as well.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    if !needs_work(s) && !s.contains('\n') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(clean(s, Some('⏎')))
}

/// Display width in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending with `…` when cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible() {
        let s = "a\u{1b}]52;c;SGVsbG8=\u{7}b\u{9b}2Jc\u{202e}d\te\nf";
        let out = sanitize(s);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
        assert!(out.contains('␛'));
        assert!(out.contains('⍰'));
        assert!(out.contains('\n'));
        assert_eq!(sanitize_line("a\nb"), "a⏎b");
    }

    #[test]
    fn stray_joiners_show_emoji_joiners_stay() {
        assert_eq!(sanitize("a\u{200d}b"), "a⍰b");
        assert_eq!(sanitize("\u{200d}x"), "⍰x");
        let family = "👩\u{200d}👩\u{200d}👧";
        assert_eq!(sanitize(family), family);
        assert_eq!(sanitize("👩🏽\u{200d}⚖\u{fe0f}"), "👩🏽\u{200d}⚖\u{fe0f}");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("Привет, қазақ 👋"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncate_by_columns() {
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 0), "");
    }
}
