//! Word wrapping by display width, so Cyrillic, CJK and emoji wrap at the
//! right column.

use unicode_width::UnicodeWidthChar;

/// Splits `text` into lines of at most `width` columns: at line breaks,
/// then between words, and inside a word only when it is wider than a line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0;
        for word in para.split(' ') {
            let word_w: usize = word.chars().map(char_width).sum();
            let sep = usize::from(!line.is_empty());
            if line_w + sep + word_w <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                line_w += sep + word_w;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line_w = 0;
            }
            if word_w <= width {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            for c in word.chars() {
                let cw = char_width(c);
                if line_w + cw > width && !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line_w = 0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        out.push(line);
    }
    out
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::width::width;

    #[test]
    fn wraps_by_columns() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("日本語日本語", 5), vec!["日本", "語日", "本語"]);
        assert_eq!(wrap("one\ntwo", 10), vec!["one", "two"]);
        assert_eq!(wrap("", 10), vec![""]);
        for l in wrap("Рекомендуется ратифицировать Конвенцию 👩🏽‍⚖️ қазақ тілі", 9)
        {
            assert!(width(&l) <= 9, "{l}");
        }
    }

    #[test]
    fn width_zero_does_not_hang() {
        assert!(!wrap("abc", 0).is_empty());
    }
}
