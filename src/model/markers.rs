//! The markers a rapporteur types at the start of an entry: `R:`, `Q:`,
//! `D:`, `A:` for the kind, `@Name` for the speaker, and `#tags` anywhere.

use super::{Kind, Label};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDraft {
    pub kind: Option<Kind>,
    pub speaker: Option<String>,
    pub text: String,
}

/// Splits the markers off `raw`. `known` lists the speaker names the session
/// knows, so that `@Ministry of Labour we support…` can take a name with
/// spaces; an unknown name ends at a colon on the first line, or at the
/// first space.
pub fn parse_draft<S: AsRef<str>>(raw: &str, known: &[S]) -> ParsedDraft {
    let mut rest = raw.trim_start();
    let mut kind = None;
    let mut speaker = None;
    // Both orders are natural ("R: @ILO …" and "@ILO R: …"), so try twice.
    for _ in 0..2 {
        if kind.is_none()
            && let Some((k, after)) = kind_marker(rest)
        {
            kind = Some(k);
            rest = after.trim_start();
        }
        if speaker.is_none()
            && let Some((name, after)) = speaker_marker(rest, known)
        {
            speaker = Some(name);
            rest = after;
        }
    }
    ParsedDraft {
        kind,
        speaker,
        text: rest.trim_end().to_string(),
    }
}

fn kind_marker(s: &str) -> Option<(Kind, &str)> {
    let mut chars = s.chars();
    let k = match chars.next()?.to_ascii_uppercase() {
        'R' => Kind::Recommendation,
        'Q' => Kind::Question,
        'D' => Kind::Decision,
        'A' => Kind::Action,
        _ => return None,
    };
    if chars.next()? != ':' {
        return None;
    }
    let after = chars.as_str();
    after.starts_with([' ', '\t', '\n']).then_some((k, after))
}

fn speaker_marker<'a, S: AsRef<str>>(s: &'a str, known: &[S]) -> Option<(String, &'a str)> {
    let body = s.strip_prefix('@')?;
    let boundary = |rest: &str| rest.is_empty() || rest.starts_with(|c: char| !c.is_alphanumeric());
    // The longest known name wins, so "UN Women" beats "UN".
    let mut best: Option<(&str, usize)> = None;
    for name in known {
        let name = name.as_ref();
        let n = name.len();
        if n > 0
            && body.len() >= n
            && body.is_char_boundary(n)
            && body[..n].to_lowercase() == name.to_lowercase()
            && boundary(&body[n..])
            && best.is_none_or(|(_, l)| n > l)
        {
            best = Some((name, n));
        }
    }
    let (name, consumed) = match best {
        Some((name, n)) => (name.to_string(), n),
        None => {
            let first_line = body.split('\n').next().unwrap_or("");
            let end = match first_line.find(':') {
                Some(colon)
                    if colon > 0
                        && first_line[..colon].chars().count() <= 60
                        && !ends_with_kind_marker(&first_line[..colon]) =>
                {
                    colon
                }
                _ => body.find(char::is_whitespace).unwrap_or(body.len()),
            };
            (body[..end].to_string(), end)
        }
    };
    let name = name.trim().trim_end_matches([',', ':']).trim().to_string();
    if name.is_empty() {
        return None;
    }
    let after = body[consumed..].trim_start_matches([':', ',', ' ', '\t', '—', '-']);
    let after = after.trim_start();
    Some((name, after))
}

/// "@IOM R: text": the colon belongs to the kind marker, not the name.
fn ends_with_kind_marker(before_colon: &str) -> bool {
    match before_colon.rsplit_once(' ') {
        Some((_, last)) => matches!(last, "R" | "r" | "Q" | "q" | "D" | "d" | "A" | "a"),
        None => false,
    }
}

/// `#tags` in `text`, lowercased, in order of first use.
pub fn extract_tags(text: &str) -> Vec<Label> {
    let mut tags: Vec<Label> = Vec::new();
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let at_word_start = prev.is_none_or(|p| !p.is_alphanumeric() && p != '#' && p != '&');
        prev = Some(c);
        if c != '#' || !at_word_start {
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while let Some(&(j, d)) = iter.peek() {
            if d.is_alphanumeric() || d == '-' || d == '_' {
                end = j + d.len_utf8();
                prev = Some(d);
                iter.next();
            } else {
                break;
            }
        }
        let tag = text[start..end].trim_end_matches(['-', '_']).to_lowercase();
        if !tag.is_empty() && !tags.iter().any(|t| *t == tag) {
            tags.push(tag.into());
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: &[&str] = &[];

    fn known() -> Vec<String> {
        vec!["UN Women".into(), "UN".into(), "Ministry of Labour".into()]
    }

    #[test]
    fn kind_markers_any_case() {
        for (m, k) in [
            ("R: x", Kind::Recommendation),
            ("r: x", Kind::Recommendation),
            ("Q: x", Kind::Question),
            ("d: x", Kind::Decision),
            ("A: x", Kind::Action),
        ] {
            let p = parse_draft(m, NONE);
            assert_eq!(p.kind, Some(k), "{m}");
            assert_eq!(p.text, "x");
        }
        // No space after the colon: not a marker.
        assert_eq!(parse_draft("R:x", NONE).kind, None);
        assert_eq!(parse_draft("Rights: x", NONE).kind, None);
    }

    #[test]
    fn speaker_known_with_spaces_and_unknown() {
        let p = parse_draft("@UN Women calls for gender analysis", &known());
        assert_eq!(p.speaker.as_deref(), Some("UN Women"));
        assert_eq!(p.text, "calls for gender analysis");
        let p = parse_draft("R: @ministry of labour: agrees", &known());
        assert_eq!(p.kind, Some(Kind::Recommendation));
        assert_eq!(p.speaker.as_deref(), Some("Ministry of Labour"));
        assert_eq!(p.text, "agrees");
        let p = parse_draft("@IOM R: ratify the convention", &known());
        assert_eq!(p.speaker.as_deref(), Some("IOM"));
        assert_eq!(p.kind, Some(Kind::Recommendation));
        assert_eq!(p.text, "ratify the convention");
        let p = parse_draft("@Депутат Мажилиса: предлагает ратифицировать", NONE);
        assert_eq!(p.speaker.as_deref(), Some("Депутат Мажилиса"));
        assert_eq!(p.text, "предлагает ратифицировать");
        assert_eq!(parse_draft("@ alone", NONE).speaker, None);
    }

    #[test]
    fn multi_line_text_kept() {
        let p = parse_draft("Q: first\nsecond line\n", NONE);
        assert_eq!(p.text, "first\nsecond line");
    }

    #[test]
    fn tags() {
        assert_eq!(
            extract_tags("on #labour-market and #Gender-Equality, not a#b, #қазақ #labour-market"),
            vec!["labour-market", "gender-equality", "қазақ"]
        );
        assert!(extract_tags("# heading and ## and C#").is_empty());
    }
}
