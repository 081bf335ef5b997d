//! Finding people's names in free text, for the anonymized reports.
//!
//! Text and names are compared folded (lowercase, accents dropped, the
//! same fold as search) and word by word, so "SARSENOVA" and "Sarsenova,"
//! match "Айгерим Сарсенова"'s surname but "Alice" does not match "Ali".
//! A name is looked for whole, surname first as well, and by each of its
//! parts; a part of one or two letters is too likely to be an ordinary
//! word ("Li", "Wu", an initial) and is only ever matched inside the whole
//! name.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::search::fold_with_map;

/// The shortest name part (in letters) that is looked for on its own.
const SHORTEST_ALONE: usize = 3;

/// What to look for: the folded words of a name, in order.
#[derive(Debug, Clone)]
struct Needle {
    words: Vec<String>,
    /// Index of the person (in the order they were added).
    person: usize,
}

/// One place in a text where a person's name was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hit {
    /// Byte range in the text searched.
    pub start: usize,
    pub end: usize,
    pub person: usize,
    /// One word only, written all in lowercase: maybe an ordinary word
    /// ("law" for a Ms Law) rather than the name.
    pub doubtful: bool,
}

/// Every person's names, ready to be searched for.
#[derive(Debug, Default)]
pub(super) struct Matcher {
    /// Longest first, so that the whole name wins over its parts.
    needles: Vec<Needle>,
    /// Needles by their first word.
    by_first: HashMap<String, Vec<usize>>,
    /// People with a name part too short to be looked for alone.
    short: Vec<usize>,
}

impl Matcher {
    /// Adds a person's name: whole, surname first, and each part.
    pub fn add(&mut self, name: &str, person: usize) {
        let parts: Vec<&str> = name.split_whitespace().collect();
        self.insert(words_of(name), person);
        if parts.len() > 1 {
            // Surname first, as lists and many documents write names.
            let mut reversed = words_of(parts[parts.len() - 1]);
            reversed.extend(parts[..parts.len() - 1].iter().flat_map(|p| words_of(p)));
            self.insert(reversed, person);
            for part in &parts {
                // A particle written in lowercase ("van", "de", "ibn") is
                // not a name on its own.
                if !part.chars().next().is_some_and(char::is_lowercase) {
                    self.insert(words_of(part), person);
                }
            }
        }
        self.reindex();
    }

    /// Adds a name that is looked for whole only (an organization's).
    pub fn add_whole(&mut self, name: &str, who: usize) {
        self.insert(words_of(name), who);
        self.reindex();
    }

    fn insert(&mut self, words: Vec<String>, person: usize) {
        let Some(first) = words.first() else {
            return;
        };
        if words.len() == 1 && first.chars().count() < SHORTEST_ALONE {
            if !self.short.contains(&person) {
                self.short.push(person);
            }
            return;
        }
        if !self.needles.iter().any(|n| n.words == words) {
            self.needles.push(Needle { words, person });
        }
    }

    fn reindex(&mut self) {
        self.needles
            .sort_by_key(|n| std::cmp::Reverse((n.words.len(), n.words.concat().len())));
        self.by_first.clear();
        for (i, n) in self.needles.iter().enumerate() {
            self.by_first.entry(n.words[0].clone()).or_default().push(i);
        }
    }

    /// People (by index) one of whose name parts is too short to be
    /// looked for on its own.
    pub fn too_short(&self) -> &[usize] {
        &self.short
    }

    /// Every name in `s`, in order, none overlapping.
    pub fn find(&self, s: &str) -> Vec<Hit> {
        if self.needles.is_empty() || s.is_empty() {
            return Vec::new();
        }
        let (folded, map) = fold_with_map(s);
        let toks = tokens(&folded);
        let orig = |folded_at: usize| map.get(folded_at).copied().unwrap_or(s.len());
        let mut hits = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let found = self
                .by_first
                .get(&folded[toks[i].0..toks[i].1])
                .into_iter()
                .flatten()
                .map(|&n| &self.needles[n])
                .find(|n| matches_at(&folded, &toks, i, &n.words));
            match found {
                Some(n) => {
                    let last = toks[i + n.words.len() - 1];
                    let (start, end) = (orig(toks[i].0), orig(last.1));
                    let doubtful =
                        n.words.len() == 1 && !s[start..end].chars().any(char::is_uppercase);
                    hits.push(Hit {
                        start,
                        end,
                        person: n.person,
                        doubtful,
                    });
                    i += n.words.len();
                }
                None => i += 1,
            }
        }
        hits
    }

    /// `s` with every name found replaced by `label(person)`, and the hits.
    pub fn replace<'s>(
        &self,
        s: &'s str,
        label: impl Fn(usize) -> String,
    ) -> (Cow<'s, str>, Vec<Hit>) {
        let hits = self.find(s);
        if hits.is_empty() {
            return (Cow::Borrowed(s), hits);
        }
        let mut out = String::with_capacity(s.len());
        let mut at = 0;
        for h in &hits {
            out.push_str(&s[at..h.start]);
            out.push_str(&label(h.person));
            at = h.end;
        }
        out.push_str(&s[at..]);
        (Cow::Owned(out), hits)
    }
}

/// The folded words of `s`.
fn words_of(s: &str) -> Vec<String> {
    let folded = crate::search::fold(s);
    tokens(&folded)
        .into_iter()
        .map(|(a, b)| folded[a..b].to_string())
        .collect()
}

/// Byte ranges of the words (runs of letters and digits) of `s`.
fn tokens(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_alphanumeric(), start) {
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

/// Whether the words from token `i` on are `words`, each joined to the
/// next the way a name's parts are: by a space, a hyphen, an apostrophe,
/// a dot, a comma ("Moreau, Jean-Luc") or an underscore (as in a tag), at
/// most three of them.
fn matches_at(s: &str, toks: &[(usize, usize)], i: usize, words: &[String]) -> bool {
    if i + words.len() > toks.len() {
        return false;
    }
    words.iter().enumerate().all(|(k, w)| {
        let (a, b) = toks[i + k];
        let joined = k == 0 || {
            let gap = &s[toks[i + k - 1].1..a];
            gap.chars().count() <= 3
                && gap
                    .chars()
                    .all(|c| c.is_whitespace() || matches!(c, '-' | '_' | '.' | ',' | '\'' | '’'))
        };
        joined && &s[a..b] == w
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(names: &[&str]) -> Matcher {
        let mut m = Matcher::default();
        for (i, n) in names.iter().enumerate() {
            m.add(n, i);
        }
        m
    }

    fn replaced(m: &Matcher, s: &str) -> String {
        m.replace(s, |p| format!("<{p}>")).0.into_owned()
    }

    #[test]
    fn whole_names_surnames_and_parts() {
        let m = matcher(&["Aigerim Sarsenova", "Ali Khan", "Айгерим Сарсенова"]);
        assert_eq!(replaced(&m, "Sarsenova said"), "<0> said");
        assert_eq!(
            replaced(&m, "AIGERIM  sarsenova, and Alice"),
            "<0>, and Alice"
        );
        assert_eq!(replaced(&m, "Sarsenova Aigerim agreed"), "<0> agreed");
        assert_eq!(replaced(&m, "Sarsenova, Aigerim: yes"), "<0>: yes");
        assert_eq!(replaced(&m, "Ali and Alibek"), "<1> and Alibek");
        assert_eq!(replaced(&m, "САРСЕНОВА и Сарсеновой"), "<2> и Сарсеновой");
        assert_eq!(replaced(&m, "#aigerim-sarsenova"), "#<0>");
    }

    #[test]
    fn short_parts_only_inside_the_whole_name() {
        let m = matcher(&["Li Wu", "Al"]);
        assert_eq!(replaced(&m, "Li Wu, li and wu, al"), "<0>, li and wu, al");
        assert_eq!(m.too_short(), [0, 1]);
    }

    #[test]
    fn particles_and_doubtful_matches() {
        let m = matcher(&["Ludwig van Beethoven", "Rose Law"]);
        assert_eq!(replaced(&m, "a van"), "a van");
        let hits = m.find("the law, Law and LAW");
        assert_eq!(
            hits.iter().map(|h| h.doubtful).collect::<Vec<_>>(),
            [true, false, false]
        );
    }

    #[test]
    fn accents_and_marks_fold() {
        let m = matcher(&["José Núñez"]);
        assert_eq!(replaced(&m, "Jose\u{301} NUNEZ!"), "<0>!");
        assert_eq!(replaced(&m, "núñez"), "<0>");
    }
}
