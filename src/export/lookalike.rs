//! Words that look like a person's name but belong to no one the session
//! knows, for the anonymized reports to warn about: the app can replace
//! only the names it was given, the rapporteur has to look at the rest.
//!
//! A name looks like two or more capitalized words in a row ("Jane Doe",
//! "Иван Петров"), in Latin or Cyrillic letters. The first word of a
//! sentence is capitalized anyway, so it does not count towards the two,
//! unless it is no word a sentence often starts with: "Nurlan Abenov
//! disagreed." is a name where "Then Jane" is one word of a name. Runs that
//! are part of an organization's name, or hold a word of an institution's
//! ("Convention", "Ministry"), are not warned about.

/// Every run of capitalized words in `s` that looks like a name, as
/// written, leaving out those that `known` (folded, as
/// [`crate::search::fold`]) is a part of.
pub(super) fn name_like(s: &str, known: &[String]) -> Vec<String> {
    let words = words(s);
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !capitalized(&s[words[i].0..words[i].1]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < words.len()
            && capitalized(&s[words[j].0..words[j].1])
            && adjacent(s, words[j - 1].1, words[j].0)
        {
            j += 1;
        }
        let opener = crate::search::fold(&s[words[i].0..words[i].1]);
        let first = if sentence_start(&s[..words[i].0]) && OPENERS.contains(&opener.as_str()) {
            i + 1
        } else {
            i
        };
        if j >= first + 2 {
            let run = &s[words[first].0..words[j - 1].1];
            let folded = crate::search::fold(run);
            let institutional = words[first..j]
                .iter()
                .any(|&(a, b)| institutional(&crate::search::fold(&s[a..b])));
            if !institutional
                && !known.iter().any(|k| k.contains(&folded))
                && !out.iter().any(|o| o == run)
            {
                out.push(run.to_string());
            }
        }
        i = j;
    }
    out
}

/// Beginnings of words (folded) that name documents, bodies and
/// subjects rather than people: "Migrant Workers Convention", "Ministry of
/// Labour", "Закон Республики". A run with one of them is not warned
/// about; those of four letters or more match any word they start.
const INSTITUTIONAL: &[&str] = &[
    "act",
    "law",
    "no",
    "art",
    "article",
    "code",
    "convention",
    "covenant",
    "charter",
    "treaty",
    "protocol",
    "declaration",
    "directive",
    "regulation",
    "resolution",
    "decree",
    "constitution",
    "provision",
    "supplementary",
    "amendment",
    "chapter",
    "section",
    "annex",
    "ministr",
    "committee",
    "council",
    "commission",
    "court",
    "office",
    "department",
    "agency",
    "bureau",
    "organi",
    "union",
    "nation",
    "republic",
    "state",
    "government",
    "parliament",
    "assembly",
    "police",
    "service",
    "programme",
    "program",
    "project",
    "fund",
    "bank",
    "university",
    "institut",
    "centre",
    "center",
    "association",
    "foundation",
    "network",
    "women",
    "human",
    "right",
    "international",
    "worker",
    "migra",
    "refugee",
    "labour",
    "labor",
    "social",
    "strategy",
    "plan",
    "report",
    "review",
    "session",
    "workshop",
    "group",
    "working",
    "general",
    "special",
    "high",
    "commissioner",
    "secretar",
    "president",
    "europe",
    "asia",
    "central",
    "global",
    "закон",
    "кодекс",
    "конвенц",
    "пакт",
    "протокол",
    "деклараци",
    "постановлени",
    "указ",
    "конституци",
    "стать",
    "глав",
    "министерств",
    "министр",
    "комитет",
    "совет",
    "комисси",
    "суд",
    "агентств",
    "бюро",
    "организаци",
    "объединен",
    "наци",
    "республик",
    "государств",
    "правительств",
    "парламент",
    "мажилис",
    "сенат",
    "полици",
    "служб",
    "программ",
    "проект",
    "фонд",
    "банк",
    "университет",
    "институт",
    "центр",
    "ассоциаци",
    "международн",
    "прав",
    "мигра",
    "беженц",
    "трудящ",
    "труд",
    "социальн",
    "стратеги",
    "план",
    "доклад",
    "отчет",
    "семинар",
    "групп",
    "казахстан",
    "кыргыз",
    "узбек",
    "росси",
    "европ",
    "ази",
];

fn institutional(folded_word: &str) -> bool {
    INSTITUTIONAL.iter().any(|stem| {
        if stem.chars().count() >= 4 {
            folded_word.starts_with(stem)
        } else {
            folded_word == *stem
        }
    })
}

/// Byte ranges of the words of `s`: letters, with an apostrophe or a
/// hyphen inside ("O'Brien", "Berg-Olsen").
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let inner = matches!(c, '\'' | '’' | '-')
            && start.is_some()
            && chars.peek().is_some_and(|(_, n)| n.is_alphabetic());
        match (c.is_alphabetic() || inner, start) {
            (true, None) => start = Some(i),
            (false, Some(a)) => {
                out.push((a, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(a) = start {
        out.push((a, s.len()));
    }
    out
}

/// Latin or Cyrillic, the scripts whose capitals this can tell.
fn latin_or_cyrillic(c: char) -> bool {
    c.is_alphabetic() && (c < '\u{250}' || ('\u{400}'..='\u{52f}').contains(&c))
}

/// "Jane", "Петров", "O'Brien": a capital, then at least one lowercase
/// letter (an acronym such as "UN" or "ILO" is an organization, not a
/// person).
fn capitalized(w: &str) -> bool {
    let mut chars = w.chars();
    chars
        .next()
        .is_some_and(|c| c.is_uppercase() && latin_or_cyrillic(c))
        && w.chars().any(char::is_lowercase)
        && w.chars()
            .all(|c| latin_or_cyrillic(c) || matches!(c, '\'' | '’' | '-'))
}

/// Two words with only a space or two between them, on one line.
fn adjacent(s: &str, end: usize, start: usize) -> bool {
    let gap = &s[end..start];
    !gap.is_empty() && gap.len() <= 2 && gap.chars().all(|c| c == ' ' || c == '\u{a0}')
}

/// Words (folded) that start sentences, capitalized there for that alone.
const OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "in",
    "on",
    "at",
    "for",
    "with",
    "as",
    "if",
    "when",
    "we",
    "they",
    "he",
    "she",
    "it",
    "our",
    "their",
    "his",
    "her",
    "all",
    "some",
    "many",
    "most",
    "and",
    "but",
    "or",
    "so",
    "also",
    "then",
    "there",
    "here",
    "what",
    "which",
    "who",
    "how",
    "why",
    "where",
    "to",
    "from",
    "by",
    "after",
    "before",
    "every",
    "each",
    "no",
    "not",
    "yes",
    "thanks",
    "dear",
    "please",
    "according",
    "both",
    "one",
    "two",
    "only",
    "now",
    "в",
    "на",
    "по",
    "для",
    "это",
    "мы",
    "они",
    "как",
    "что",
    "также",
    "при",
    "из",
    "с",
    "к",
    "о",
    "и",
    "но",
    "а",
    "все",
    "его",
    "ее",
    "их",
    "наш",
    "если",
    "когда",
    "где",
    "кто",
    "по",
    "да",
    "нет",
    "спасибо",
    "согласно",
    "после",
    "до",
    "от",
    "у",
    "за",
];

/// Whether a word after `before` starts a sentence (or a line, or the
/// text), where any word is capitalized.
fn sentence_start(before: &str) -> bool {
    let before = before.trim_end_matches([' ', '\t', '\u{a0}', '"', '«', '“', '„', '(', '\'']);
    match before.chars().next_back() {
        None => true,
        Some(c) => matches!(
            c,
            '.' | '!' | '?' | '…' | ':' | '\n' | '-' | '—' | '–' | '•' | '*'
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalized_pairs_not_at_a_sentence_start() {
        assert_eq!(name_like("We heard Jane Doe on this.", &[]), ["Jane Doe"]);
        assert_eq!(
            name_like("Согласно Ивану Петрову, да.", &[]),
            ["Ивану Петрову"]
        );
        // The first word of a sentence does not count when sentences
        // often start with it.
        assert!(name_like("Jane agreed. The Ministry said no.", &[]).is_empty());
        assert!(name_like("Then Jane agreed.", &[]).is_empty());
        assert_eq!(name_like("Then Jane Doe spoke.", &[]), ["Jane Doe"]);
        assert_eq!(
            name_like("Yes; Nurlan Abenov disagreed.", &[]),
            ["Nurlan Abenov"]
        );
        assert_eq!(
            name_like("Agreed. Nurlan Abenov did not.", &[]),
            ["Nurlan Abenov"]
        );
        assert!(name_like("Согласно Ивану, да.", &[]).is_empty());
        assert!(name_like("asked UN Women and ILO", &[]).is_empty());
        assert!(name_like("one Jane\nDoe", &[]).is_empty());
        assert_eq!(
            name_like("met Sean O'Brien-Smith", &[]),
            ["Sean O'Brien-Smith"]
        );
    }

    #[test]
    fn organizations_are_not_names() {
        let known = [crate::search::fold(
            "Kazakhstan International Bureau for Human Rights",
        )];
        assert!(name_like("as the Human Rights bureau said", &known).is_empty());
        assert!(name_like("as the Human Rights Watch said", &known).is_empty());
        assert!(
            name_like(
                "of the Migrant Workers Convention and ILO Convention No",
                &[]
            )
            .is_empty()
        );
        assert!(name_like("в соответствии с Законом Республики Казахстан", &[]).is_empty());
        assert!(name_like("as the Lindqvist Group said", &known).is_empty());
        assert_eq!(
            name_like("as Mr Helena Lindqvist said", &known),
            ["Mr Helena Lindqvist"]
        );
    }
}
