//! Session text made safe to put into a CommonMark report: whatever a
//! participant said, it lands as text and never as structure (a heading,
//! a rule, a code block, a list, a quote, a table, raw HTML, a link or
//! emphasis), so that the report's outline is always the app's.
//!
//! Two kinds of escape are needed. Inline, every character that starts or
//! ends an inline construct is backslash-escaped wherever it is (CommonMark
//! lets any ASCII punctuation be escaped, and an escaped one is always a
//! literal). At the start of a line, what would open a block is escaped
//! too, and the line's leading white space goes: four spaces make a code
//! block, and fewer still shift a list item's content. Trailing white
//! space goes as well, as two spaces at the end of a line are a hard break.

/// Characters that open or close an inline construct (emphasis, code,
/// links, raw HTML, entities, strikethrough, table cells) or escape one.
const INLINE: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '&', '|', '~'];

/// One line of text, escaped to stand anywhere on a Markdown line: at its
/// start, in a heading, a list item or a table cell. `s` must not hold a
/// line break (a [`crate::model::Label`]'s shown form never does).
pub(super) fn line(s: &str) -> String {
    let s = s.trim();
    let mut out = String::with_capacity(s.len() + s.len() / 8 + 2);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    for (i, c) in s.char_indices() {
        let escape = INLINE.contains(&c)
            // Block starts: an ATX heading, a quote, a bullet, a setext
            // underline, a definition (an extension some readers have).
            || (i == 0 && matches!(c, '#' | '>' | '-' | '+' | '=' | ':'))
            // "1." and "2011)" start an ordered list.
            || (digits > 0 && i == digits && matches!(c, '.' | ')'));
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    // A heading's closing sequence: "# Issue #" is the heading "Issue".
    // Only a run after a space closes; one that starts the line was
    // escaped above.
    let start = out.trim_end_matches('#').len();
    if start < out.len() && out[..start].ends_with([' ', '\t']) {
        out.insert(start, '\\');
    }
    out
}

/// Text of several lines as the content of a list item whose content
/// starts `indent` columns in: each line escaped, the lines joined by hard
/// breaks and indented to stay in the item. Blank lines are left out, as
/// one would end the item's paragraph.
pub(super) fn lines(s: &str, indent: usize) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for l in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str("  \n");
            out.extend(std::iter::repeat_n(' ', indent));
        }
        out.push_str(&line(l));
    }
    out
}

/// A table cell: a line whose `|` cannot end the cell (escaped as inline
/// text already).
pub(super) fn cell(s: &str) -> String {
    line(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_starts_are_escaped() {
        assert_eq!(line("# x"), "\\# x");
        assert_eq!(line("    # text"), "\\# text");
        assert_eq!(line("> q"), "\\> q");
        assert_eq!(line("- a"), "\\- a");
        assert_eq!(line("+ a"), "\\+ a");
        assert_eq!(line("* a"), "\\* a");
        assert_eq!(line("---"), "\\---");
        assert_eq!(line("==="), "\\===");
        assert_eq!(line("~~~"), "\\~\\~\\~");
        assert_eq!(line("```rust"), "\\`\\`\\`rust");
        assert_eq!(line("1. one"), "1\\. one");
        assert_eq!(line("2011) year"), "2011\\) year");
        assert_eq!(line("<div>"), "\\<div\\>");
        assert_eq!(line("a | b"), "a \\| b");
        assert_eq!(line("trailing  "), "trailing");
        assert_eq!(line("Issue #"), "Issue \\#");
        assert_eq!(line("##"), "\\##");
    }

    #[test]
    fn inline_text_stays_text() {
        assert_eq!(line("a_b*c`d[e](f)"), "a\\_b\\*c\\`d\\[e\\](f)");
        assert_eq!(line("&amp; \\"), "\\&amp; \\\\");
        // What is not markup is left alone.
        assert_eq!(line("Art. 5, C# and 3.5 - ok"), "Art. 5, C# and 3.5 - ok");
        assert_eq!(line("Қазақ тілі"), "Қазақ тілі");
    }

    #[test]
    fn several_lines_stay_one_paragraph() {
        assert_eq!(lines("a\n\n    # b  \n---\n", 2), "a  \n  \\# b  \n  \\---");
        assert_eq!(lines("", 2), "");
    }
}
