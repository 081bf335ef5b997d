//! Anonymized copies of a session, made before any report is rendered so
//! that every format leaves out the same names.
//!
//! What goes: every speaker who is (or may be) a person, the facilitator
//! and the rapporteur, the participants' names, and fields this version
//! does not know (they could hold anything, names included). Wherever else
//! one of those people is named (the title, the place, block titles,
//! guiding questions, tags, addressees, references, entry text), the name
//! is replaced by a neutral label: [`NEUTRAL`], or with organizations kept,
//! the person's organization in brackets, as their speaker field shows it.
//! What the app cannot know is a name, it warns about (see [`lookalike`]).
//!
//! [`lookalike`]: super::lookalike

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use super::Anonymize;
use super::fields::{self, Place};
use super::lookalike::name_like;
use super::names::Matcher;
use crate::model::{Extra, Label, Participant, Session};

/// What a person's name becomes in an anonymized report.
pub const NEUTRAL: &str = "[participant]";

/// A session ready to be rendered, what the user should check by hand
/// (`warnings`) and what was done (`notes`, the counts of what was
/// replaced).
#[derive(Debug, Clone)]
pub struct Anonymized<'a> {
    pub session: Cow<'a, Session>,
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

/// Returns the session as `mode` allows it to be shown. With
/// [`Anonymize::None`] it is the session itself, with no warnings.
pub fn anonymize(session: &Session, mode: Anonymize) -> Anonymized<'_> {
    if !mode.is_on() {
        return Anonymized {
            session: Cow::Borrowed(session),
            warnings: Vec::new(),
            notes: Vec::new(),
        };
    }
    let people = People::of(session);
    let mut out = session.clone();
    let mut dropped_speakers: Vec<Label> = Vec::new();
    let mut speakers = 0usize;

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
            if e.speaker.as_ref() != Some(&speaker) {
                speakers += 1;
            }
            if e.speaker.is_none()
                && !speaker.trim().is_empty()
                && !people.is_organization(&speaker)
                && !dropped_speakers.iter().any(|d| key(d) == key(&speaker))
            {
                dropped_speakers.push(speaker.trimmed());
            }
        }
    }

    let names = people.names(&dropped_speakers, mode);
    let mut matcher = Matcher::default();
    let mut warnings = Vec::new();
    for (i, person) in names.iter().enumerate() {
        matcher.add(&person.name, i);
    }
    for &i in matcher.too_short() {
        warnings.push(format!(
            "{} {}: a part of the name this short is replaced only as part of the whole name; check the text for it by hand",
            names[i].role,
            names[i].name.shown()
        ));
    }

    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    fields::visit(&mut out, |place, text| {
        let (new, hits) = matcher.replace(text, |p| names[p].label.clone());
        // Tags and themes are lowercase whatever they name.
        let lowercase_field = matches!(place, Place::Tag(..) | Place::Themes);
        for h in hits.iter().filter(|h| h.doubtful && !lowercase_field) {
            warnings.push(format!(
                "{place}: replaced \"{}\" as a name of {} {}, though it is written in lowercase; check that it is not an ordinary word there",
                crate::model::display::sanitize_line(&text[h.start..h.end]),
                names[h.person].role,
                names[h.person].name.shown()
            ));
        }
        if hits.is_empty() {
            return None;
        }
        match counts.iter_mut().find(|(f, _)| *f == place.field()) {
            Some((_, n)) => *n += hits.len(),
            None => counts.push((place.field(), hits.len())),
        }
        Some(new.into_owned())
    });
    warnings.extend(unknown_names(&mut out, &people, mode));

    // A copy must never pass for the session it was made from.
    let from = std::mem::replace(&mut out.id, crate::model::new_id());
    out.extra.insert(
        "derived_from".into(),
        serde_json::json!({
            "anonymized_from": from,
            "rule": match mode {
                Anonymize::KeepOrganizations => "keep-organizations",
                _ => "chatham-house",
            },
        }),
    );

    Anonymized {
        session: Cow::Owned(out),
        warnings,
        notes: notes(session, mode, speakers, &counts),
    }
}

/// What was left out and what was replaced, for standard error.
fn notes(
    s: &Session,
    mode: Anonymize,
    speakers: usize,
    counts: &[(&'static str, usize)],
) -> Vec<String> {
    let named = s
        .participants
        .iter()
        .filter(|p| !p.name.trim().is_empty())
        .count();
    let mut gone = vec![format!("{speakers} speaker fields")];
    if named > 0 {
        gone.push(format!("the names of {named} participants"));
    }
    if !s.facilitator.trim().is_empty() {
        gone.push("the facilitator".into());
    }
    if !s.rapporteur.trim().is_empty() {
        gone.push("the rapporteur".into());
    }
    let label = match mode {
        Anonymize::KeepOrganizations => format!("{NEUTRAL} or [their organization]"),
        _ => NEUTRAL.to_string(),
    };
    let replaced = if counts.is_empty() {
        "no name was found elsewhere".to_string()
    } else {
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        let per: Vec<String> = counts.iter().map(|(f, n)| format!("{n} in {f}")).collect();
        format!("{total} names replaced by {label}: {}", per.join(", "))
    };
    vec![format!(
        "anonymized: left out {}; {replaced}",
        gone.join(", ")
    )]
}

/// Warnings about what may still name someone: capitalized words that
/// look like a name, and (when organizations go) organizations named in
/// the text.
fn unknown_names(out: &mut Session, people: &People, mode: Anonymize) -> Vec<String> {
    let orgs = people.organizations();
    let known: Vec<String> = orgs.iter().map(|o| crate::search::fold(o)).collect();
    let mut org_matcher = Matcher::default();
    if mode == Anonymize::Full {
        for (i, o) in orgs.iter().enumerate() {
            if !people.is_organizer(o) {
                org_matcher.add_whole(o, i);
            }
        }
    }
    let mut warnings = Vec::new();
    fields::visit(out, |place, text| {
        if !place.is_prose() {
            return None;
        }
        for run in name_like(text, &known) {
            warnings.push(format!(
                "{place}: \"{}\" looks like a name but is no participant's; check it",
                crate::model::display::sanitize_line(&run)
            ));
        }
        if !matches!(place, Place::Addressee(..)) {
            let mut seen: Vec<usize> = Vec::new();
            for h in org_matcher.find(text) {
                if !seen.contains(&h.person) {
                    seen.push(h.person);
                    warnings.push(format!(
                        "{place} names the organization {}; under the Chatham House Rule no affiliation is named, check it",
                        orgs[h.person].shown()
                    ));
                }
            }
        }
        None
    });
    warnings
}

/// Someone whose name the anonymized report must not show.
struct Person {
    name: Label,
    role: &'static str,
    /// What the name becomes.
    label: String,
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

    fn is_organizer(&self, name: &str) -> bool {
        let k = key(name);
        self.session.organizers.iter().any(|o| key(o) == k)
    }

    /// Every organization the session knows, once each.
    fn organizations(&self) -> Vec<Label> {
        let s = self.session;
        let mut out: Vec<Label> = Vec::new();
        for o in s
            .participants
            .iter()
            .map(|p| &p.organization)
            .chain(&s.organizers)
        {
            if !o.trim().is_empty() && !out.iter().any(|k| key(k) == key(o)) {
                out.push(o.trimmed());
            }
        }
        out
    }

    /// Every person's name to look for in the text, with what they are
    /// and what their name becomes.
    fn names(&self, dropped_speakers: &[Label], mode: Anonymize) -> Vec<Person> {
        let s = self.session;
        let mut out: Vec<Person> = Vec::new();
        let mut push = |name: &Label, role: &'static str, org: Option<&Label>| {
            if name.trim().is_empty() || out.iter().any(|p| key(&p.name) == key(name)) {
                return;
            }
            let label = match org.map(|o| o.trim()).filter(|o| !o.is_empty()) {
                Some(org) if mode == Anonymize::KeepOrganizations => format!("[{org}]"),
                _ => NEUTRAL.to_string(),
            };
            out.push(Person {
                name: name.trimmed(),
                role,
                label,
            });
        };
        for p in &s.participants {
            push(&p.name, "participant", Some(&p.organization));
        }
        push(&s.facilitator, "the facilitator", None);
        push(&s.rapporteur, "the rapporteur", None);
        for d in dropped_speakers {
            push(d, "speaker", None);
        }
        out
    }
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

    fn texts(s: &Session) -> Vec<&str> {
        s.blocks[0].entries.iter().map(|e| e.text.raw()).collect()
    }

    #[test]
    fn full_drops_every_speaker_and_participant() {
        let s = session();
        let a = anonymize(&s, Anonymize::Full);
        assert!(speakers(&a.session).iter().all(Option::is_none));
        assert!(a.session.participants.is_empty());
        assert!(a.session.facilitator.is_empty() && a.session.rapporteur.is_empty());
        assert_eq!(a.session.organizers, s.organizers);
        assert_ne!(a.session.id, s.id, "a new id");
        assert_eq!(
            a.session.extra["derived_from"],
            serde_json::json!({"anonymized_from": s.id, "rule": "chatham-house"})
        );
    }

    #[test]
    fn names_in_the_text_become_the_neutral_label() {
        let s = session();
        let a = anonymize(&s, Anonymize::Full);
        assert_eq!(
            texts(&a.session),
            [
                "As [participant] said, fine.",
                // A given name alone names someone too.
                "[participant] Кимова is someone else.",
                "x",
                "y",
                "Thanks to [participant].",
                "The [participant] spoke.",
                "Annabel Bergman is not [participant]-like? yes she is",
            ]
        );
        assert_eq!(
            a.notes,
            [
                "anonymized: left out 6 speaker fields, the names of 4 participants, the facilitator, \
              the rapporteur; 5 names replaced by [participant]: 5 in entry text"
            ]
        );
    }

    #[test]
    fn with_organizations_kept_a_name_becomes_the_organization() {
        let s = session();
        let a = anonymize(&s, Anonymize::KeepOrganizations);
        let t = texts(&a.session);
        assert_eq!(t[0], "As [IOM] said, fine.");
        assert_eq!(t[4], "Thanks to [participant].");
        assert_eq!(
            a.session.extra["derived_from"]["rule"],
            "keep-organizations"
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
}
