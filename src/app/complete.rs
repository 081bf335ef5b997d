//! Tab completion after `@` (speakers) and `#` (tags). Pressing Tab again
//! replaces the completion with the next candidate.

use ratatui_textarea::TextArea;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<String>,
    pub index: usize,
    /// Characters the last completion inserted, to take back on the next Tab.
    pub inserted: usize,
}

/// Tries to complete at the cursor. Returns false when the cursor is not
/// after a sigil with matching candidates, so Tab can do its other job.
pub fn complete(
    editor: &mut TextArea<'static>,
    state: &mut Option<Completion>,
    speakers: &[String],
    tags: &[String],
) -> bool {
    if let Some(c) = state.as_mut() {
        if c.candidates.len() < 2 {
            return true;
        }
        for _ in 0..c.inserted {
            editor.delete_char();
        }
        c.index = (c.index + 1) % c.candidates.len();
        let text = format!("{} ", c.candidates[c.index]);
        c.inserted = text.chars().count();
        editor.insert_str(&text);
        return true;
    }
    let (row, col) = (editor.cursor().0, editor.cursor().1);
    let Some(line) = editor.lines().get(row) else {
        return false;
    };
    let before: Vec<char> = line.chars().take(col).collect();
    let Some((sigil, prefix)) = find_sigil(&before) else {
        return false;
    };
    let pool = if sigil == '@' { speakers } else { tags };
    let lower = prefix.to_lowercase();
    let candidates: Vec<String> = pool
        .iter()
        .filter(|c| c.to_lowercase().starts_with(&lower))
        .cloned()
        .collect();
    if candidates.is_empty() {
        return false;
    }
    for _ in 0..prefix.chars().count() {
        editor.delete_char();
    }
    let text = format!("{} ", candidates[0]);
    let inserted = text.chars().count();
    editor.insert_str(&text);
    *state = Some(Completion {
        candidates,
        index: 0,
        inserted,
    });
    true
}

/// The sigil nearest before the cursor and the text typed after it. A tag
/// ends at whitespace; a speaker name may hold spaces ("@UN Wo").
fn find_sigil(before: &[char]) -> Option<(char, String)> {
    for i in (0..before.len()).rev() {
        let c = before[i];
        let starts_word = i == 0 || !before[i - 1].is_alphanumeric();
        if (c == '#' || c == '@') && starts_word {
            let prefix: String = before[i + 1..].iter().collect();
            if c == '#' && prefix.chars().any(char::is_whitespace) {
                return None;
            }
            if prefix.chars().count() > 60 {
                return None;
            }
            return Some((c, prefix));
        }
        if c == '#' && !starts_word {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec![
            "UN Women".into(),
            "UNHCR".into(),
            "Айгерим Сарсенова".into(),
        ]
    }

    #[test]
    fn sigils() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(find_sigil(&chars("@UN W")), Some(('@', "UN W".into())));
        assert_eq!(find_sigil(&chars("text #lab")), Some(('#', "lab".into())));
        assert_eq!(find_sigil(&chars("text #lab more")), None);
        assert_eq!(find_sigil(&chars("mail a@b")), None);
        assert_eq!(find_sigil(&chars("plain")), None);
    }

    #[test]
    fn completes_and_cycles() {
        let mut ta = TextArea::default();
        ta.insert_str("@un");
        let mut st = None;
        assert!(complete(&mut ta, &mut st, &names(), &[]));
        assert_eq!(ta.lines()[0], "@UN Women ");
        assert!(complete(&mut ta, &mut st, &names(), &[]));
        assert_eq!(ta.lines()[0], "@UNHCR ");
        assert!(complete(&mut ta, &mut st, &names(), &[]));
        assert_eq!(ta.lines()[0], "@UN Women ");
    }

    #[test]
    fn cyrillic_prefix_case_insensitive() {
        let mut ta = TextArea::default();
        ta.insert_str("R: @айг");
        let mut st = None;
        assert!(complete(&mut ta, &mut st, &names(), &[]));
        assert_eq!(ta.lines()[0], "R: @Айгерим Сарсенова ");
    }

    #[test]
    fn no_match_leaves_text() {
        let mut ta = TextArea::default();
        ta.insert_str("#zzz");
        let mut st = None;
        assert!(!complete(&mut ta, &mut st, &[], &["labour-market".into()]));
        assert_eq!(ta.lines()[0], "#zzz");
    }
}
