//! Anonymized copies of a session, made before any report is rendered so
//! that every format leaves out the same names.
//!
//! What goes: every speaker who is (or may be) a person, the facilitator
//! and the rapporteur, the participants' names, and fields this version
//! does not know (they could hold anything, names included). What stays:
//! the text of entries, exactly as recorded. A name inside the text is not
//! touched, since only the rapporteur can tell how to rephrase it; each
//! such mention becomes a warning instead.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use super::Anonymize;
use crate::model::{Extra, Label, Participant, Session};
use crate::text::sanitize_line;

/// A session ready to be rendered, and what the user should check by hand.
#[derive(Debug, Clone)]
pub struct Anonymized<'a> {
    pub session: Cow<'a, Session>,
    pub warnings: Vec<String>,
}

/// Returns the session as `mode` allows it to be shown. With
/// [`Anonymize::None`] it is the session itself, with no warnings.
pub fn anonymize(session: &Session, mode: Anonymize) -> Anonymized<'_> {
    if !mode.is_on() {
        return Anonymized {
            session: Cow::Borrowed(session),
            warnings: Vec::new(),
        };
    }
    let people = People::of(session);
    let mut out = session.clone();
    let mut dropped_speakers: Vec<Label> = Vec::new();

    out.facilitator = Label::default();
    out.rapporteur = Label::default();
    out.extra = Extra::new();
    out.participants = match mode {
        Anonymize::KeepOrganizations => {
            let mut orgs: Vec<Label> = Vec::new();
            for p in &session.participants {
                let org = p.organization.trimmed();
                if !org.is_empty() && !orgs.iter().any(|o| key(o) == key(&org)) {
                    orgs.push(org);
                }
            }
            orgs.into_iter()
                .map(|org| Participant::new(Label::default(), org))
                .collect()
        }
        _ => Vec::new(),
    };
    for b in &mut out.blocks {
        b.extra = Extra::new();
        for r in &mut b.runs {
            r.extra = Extra::new();
        }
        for e in &mut b.entries {
            e.extra = Extra::new();
            let Some(speaker) = e.speaker.take() else {
                continue;
            };
            e.speaker = match mode {
                Anonymize::KeepOrganizations => people.organization_for(&speaker),
                _ => None,
            };
            if e.speaker.is_none()
                && !speaker.trim().is_empty()
                && !people.is_organization(&speaker)
                && !dropped_speakers.iter().any(|d| key(d) == key(&speaker))
            {
                dropped_speakers.push(speaker.trimmed());
            }
        }
    }

    let warnings = mentions(session, &people, &dropped_speakers);
    Anonymized {
        session: Cow::Owned(out),
        warnings,
    }
}

/// The names a session registers, in the form they are compared in.
struct People<'a> {
    session: &'a Session,
}

impl<'a> People<'a> {
    fn of(session: &'a Session) -> Self {
        People { session }
    }

    /// With organizations kept: the organization a speaker stands for, if
    /// any. A participant's name becomes their organization; an
    /// organization stays as it is; anyone else is dropped.
    fn organization_for(&self, speaker: &Label) -> Option<Label> {
        let k = key(speaker);
        if k.is_empty() {
            return None;
        }
        if let Some(p) = self.session.participants.iter().find(|p| key(&p.name) == k) {
            let org = p.organization.trimmed();
            return (!org.is_empty()).then_some(org);
        }
        self.is_organization(speaker).then(|| speaker.trimmed())
    }

    /// True for a participant's organization or an organizer, compared
    /// without regard to case.
    fn is_organization(&self, name: &str) -> bool {
        let k = key(name);
        let s = self.session;
        !k.is_empty()
            && (s.participants.iter().any(|p| key(&p.organization) == k)
                || s.organizers.iter().any(|o| key(o) == k))
    }

    /// Every person's name to look for in the text, with what they are.
    fn names(&self, dropped_speakers: &[Label]) -> Vec<(Label, &'static str)> {
        let s = self.session;
        let mut out: Vec<(Label, &'static str)> = Vec::new();
        let mut push = |name: &Label, role: &'static str| {
            if !name.trim().is_empty() && !out.iter().any(|(n, _)| key(n) == key(name)) {
                out.push((name.trimmed(), role));
            }
        };
        for p in &s.participants {
            push(&p.name, "participant");
        }
        push(&s.facilitator, "the facilitator");
        push(&s.rapporteur, "the rapporteur");
        for d in dropped_speakers {
            push(d, "speaker");
        }
        out
    }
}

/// One warning for every entry whose text, addressee or reference names a
/// person the anonymized report no longer names.
fn mentions(s: &Session, people: &People, dropped_speakers: &[Label]) -> Vec<String> {
    let names: Vec<(String, Label, &'static str)> = people
        .names(dropped_speakers)
        .into_iter()
        .map(|(n, role)| (key(&n), n, role))
        .collect();
    let mut out = Vec::new();
    for (i, b) in s.blocks.iter().enumerate() {
        for e in &b.entries {
            let fields = [
                ("", Some(e.text.raw())),
                (" in its addressee", e.addressee.as_deref()),
                (" in its reference", e.reference.as_deref()),
            ];
            for (where_, value) in fields {
                let Some(value) = value else { continue };
                let hay = key(value);
                for (needle, name, role) in &names {
                    if contains_whole(&hay, needle) {
                        let role = if role.starts_with("the ") {
                            format!("{role}, ")
                        } else {
                            format!("{role} ")
                        };
                        out.push(format!(
                            "entry {} in block {} mentions {role}{}{where_}; the text was kept as it is",
                            sanitize_line(&e.id),
                            i + 1,
                            name.shown(),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// The form names are compared in: trimmed, NFC, lowercase, inner runs of
/// white space made one space.
fn key(s: &str) -> String {
    let nfc: String = s.trim().nfc().collect();
    nfc.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `needle` occurs in `hay` as a whole name: not inside a longer
/// word on either side.
fn contains_whole(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        if !word(hay[..start].chars().next_back()) && !word(hay[end..].chars().next()) {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, Entry, Kind, Stamp};

    fn session() -> Session {
        let now: Stamp = "2011-05-19T10:00:00+06:00".parse().unwrap();
        let t = crate::model::Template {
            template_version: 1,
            name: "t".into(),
            session_title: "T".into(),
            themes: vec![],
            blocks: vec![],
            extra: Extra::new(),
        };
        let mut s = Session::from_template(&t, Some("Workshop"), now);
        s.facilitator = "Fiona Facil".into();
        s.rapporteur = "Rita Rapp".into();
        s.organizers = vec!["UN Women".into()];
        s.participants = vec![
            Participant::new("Anna Berg", "IOM"),
            Participant::new("Ольга Ким", "KIBHR"),
            Participant::new("Nobody Org", ""),
            Participant::new("", "UNHCR"),
            Participant::new("Ben Cole", "iom"),
        ];
        let mut b = Block::new("b", "Block", 10);
        for (speaker, text) in [
            (Some("Anna Berg"), "As ANNA  berg said, fine."),
            (Some("ольга ким"), "Ольга Кимова is someone else."),
            (Some("Nobody Org"), "x"),
            (Some("UNHCR"), "y"),
            (Some("UN Women"), "Thanks to Rita Rapp."),
            (Some("Stranger"), "The Stranger spoke."),
            (None, "Annabel Bergman is not Anna Berg-like? yes she is"),
        ] {
            b.entries
                .push(Entry::new(Kind::Note, text, speaker.map(Label::from), now));
        }
        s.blocks.push(b);
        s
    }

    fn speakers(s: &Session) -> Vec<Option<String>> {
        s.blocks[0]
            .entries
            .iter()
            .map(|e| e.speaker.as_ref().map(|s| s.raw().to_string()))
            .collect()
    }

    #[test]
    fn none_borrows_the_session() {
        let s = session();
        let a = anonymize(&s, Anonymize::None);
        assert!(matches!(a.session, Cow::Borrowed(_)));
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn full_drops_every_speaker_and_participant() {
        let s = session();
        let a = anonymize(&s, Anonymize::Full);
        assert!(speakers(&a.session).iter().all(Option::is_none));
        assert!(a.session.participants.is_empty());
        assert!(a.session.facilitator.is_empty() && a.session.rapporteur.is_empty());
        assert_eq!(a.session.organizers, s.organizers);
        // Text is never altered.
        assert_eq!(
            a.session.blocks[0].entries[0].text,
            s.blocks[0].entries[0].text
        );
    }

    #[test]
    fn keep_organizations_maps_people_to_their_organization() {
        let s = session();
        let a = anonymize(&s, Anonymize::KeepOrganizations);
        let org = |s: &str| Some(s.to_string());
        assert_eq!(
            speakers(&a.session),
            vec![
                org("IOM"),
                org("KIBHR"),
                None,
                org("UNHCR"),
                org("UN Women"),
                None,
                None
            ]
        );
        let orgs: Vec<&str> = a
            .session
            .participants
            .iter()
            .map(|p| p.organization.raw())
            .collect();
        assert_eq!(orgs, ["IOM", "KIBHR", "UNHCR"]);
        assert!(a.session.participants.iter().all(|p| p.name.is_empty()));
    }

    #[test]
    fn warnings_name_whole_mentions_only() {
        let s = session();
        let a = anonymize(&s, Anonymize::KeepOrganizations);
        let w = a.warnings.join("\n");
        let id = |i: usize| s.blocks[0].entries[i].id.clone();
        assert!(w.contains(&format!(
            "entry {} in block 1 mentions participant Anna Berg; the text was kept as it is",
            id(0)
        )));
        assert!(w.contains(&format!(
            "entry {} in block 1 mentions the rapporteur, Rita Rapp",
            id(4)
        )));
        assert!(w.contains(&format!(
            "entry {} in block 1 mentions speaker Stranger",
            id(5)
        )));
        // "Anna Berg-like" is a whole-name mention; "Annabel Bergman" and
        // "Ольга Кимова" are not.
        assert!(w.contains(&format!(
            "entry {} in block 1 mentions participant Anna Berg",
            id(6)
        )));
        assert!(!w.contains(&format!("entry {} ", id(1))), "{w}");
        assert_eq!(a.warnings.len(), 4, "{w}");
    }

    #[test]
    fn whole_name_matching() {
        assert!(contains_whole("hello anna berg.", "anna berg"));
        assert!(contains_whole("anna berg", "anna berg"));
        assert!(!contains_whole("joanna berg", "anna berg"));
        assert!(!contains_whole("anna bergström", "anna berg"));
        assert!(contains_whole("joanna berg, anna berg", "anna berg"));
        assert!(contains_whole("(ольга ким)", "ольга ким"));
        assert!(!contains_whole("x", ""));
    }
}
