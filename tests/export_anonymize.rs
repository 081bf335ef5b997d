//! The Chatham House report names no one: a session that names its people
//! in every field it has, exported anonymized in all four formats, leaves
//! no name (whole, surname or given name, in any case) anywhere; the user
//! is told what was replaced and what to check; and the anonymized JSON is
//! a session of its own, not a second copy of the original.

use std::path::PathBuf;

use rapporteur::export::{self, Anonymize, Format, NEUTRAL, Options, Report};
use rapporteur::model::{Block, Entry, Kind, Label, Participant, Session, Stamp, Template};
use serde_json::Value;

const ALL_FORMATS: [Format; 4] = [Format::Md, Format::Html, Format::Csv, Format::Json];
const MODES: [Anonymize; 2] = [Anonymize::Full, Anonymize::KeepOrganizations];

/// Everyone the session names: participants, facilitator, rapporteur, and
/// a speaker who is on no list.
const PEOPLE: &[&str] = &[
    "Aigerim Sarsenova",
    "Ольга Ким",
    "Jean-Luc Moreau",
    "Li Wu",
    "Rustem Baimukhanov",
    "Claire Delorme",
    "Someone Unlisted",
];

fn stamp() -> Stamp {
    "2011-05-19T10:00:00+06:00".parse().unwrap()
}

fn rec(text: &str, speaker: &str, addressee: &str, reference: &str) -> Entry {
    let mut e = Entry::new(
        Kind::Recommendation,
        text,
        Some(Label::from(speaker)),
        stamp(),
    );
    e.addressee = Some(addressee.into());
    e.reference = Some(reference.into());
    e
}

/// A session whose every free-text field names one of [`PEOPLE`].
fn naming_session() -> Session {
    let t = Template {
        template_version: 1,
        name: "t".into(),
        session_title: "T".into(),
        themes: vec![],
        blocks: vec![],
        extra: Default::default(),
    };
    let mut s = Session::from_template(&t, None, stamp());
    s.title = "Workshop with Aigerim Sarsenova".into();
    s.location = "Office of CLAIRE DELORME, Astana".into();
    s.organizers = vec!["OSCE".into(), "Foundation of rustem baimukhanov".into()];
    s.facilitator = "Rustem Baimukhanov".into();
    s.rapporteur = "Claire Delorme".into();
    s.themes = vec!["sarsenova-proposals".into()];
    s.participants = vec![
        Participant::new("Aigerim Sarsenova", "Majilis"),
        Participant::new(
            "Ольга Ким",
            "Kazakhstan International Bureau for Human Rights",
        ),
        Participant::new("Jean-Luc Moreau", "OSCE"),
        Participant::new("Li Wu", "IOM"),
    ];
    let mut b1 = Block::new("one", "Ольга Ким's block", 30);
    b1.guiding_questions = vec!["What did SARSENOVA propose?".into(), "Ask Li Wu".into()];
    b1.entries.push(rec(
        "Ms Sarsenova and JEAN-LUC MOREAU agreed with ольга ким. #aigerim-sarsenova",
        "Aigerim Sarsenova",
        "Claire Delorme's office",
        "Letter from Baimukhanov",
    ));
    b1.entries.push(rec(
        "Moreau, Jean-Luc: see Wu Li and li wu.",
        "Jean-Luc Moreau",
        "Someone Unlisted",
        "Delorme, Claire",
    ));
    let mut b2 = Block::new("two", "Moreau on rights", 30);
    b2.guiding_questions = vec!["Is Delorme right?".into()];
    b2.entries.push(Entry::new(
        Kind::Note,
        "someone unlisted said: ask\nRustem Baimukhanov and Кима? No: Ким. Not the unlisted.",
        Some("Someone Unlisted".into()),
        stamp(),
    ));
    b2.entries.push(Entry::new(
        Kind::Question,
        "We also heard Nurlan Abenov, and the IOM agreed.",
        Some("Ольга Ким".into()),
        stamp(),
    ));
    s.blocks = vec![b1, b2];
    s
}

fn render(s: &Session, format: Format, mode: Anonymize) -> Report {
    export::render(s, format, &Options { anonymize: mode }).expect("renders")
}

/// The words of `s`, lowercased: runs of letters and digits.
fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn names_no_one(out: &str, what: &str) {
    let lower = out.to_lowercase();
    let flat = words(out).join(" ");
    for person in PEOPLE {
        // The whole name, in any case, however it is spaced or hyphenated.
        assert!(
            !lower.contains(&person.to_lowercase()),
            "{what} names {person}:\n{out}"
        );
        let whole = words(person).join(" ");
        assert!(
            !format!(" {flat} ").contains(&format!(" {whole} ")),
            "{what} names {person}:\n{out}"
        );
        // Each part of three letters or more (surname and given name) as a
        // word; the two-letter parts of "Li Wu" only together.
        for part in words(person).iter().filter(|p| p.chars().count() >= 3) {
            assert!(
                !words(out).contains(part),
                "{what} names {part} of {person}:\n{out}"
            );
        }
    }
}

#[test]
fn no_one_is_named_in_any_field_of_any_format() {
    let s = naming_session();
    // Without anonymization, every one of them is in the Markdown report
    // and in the JSON.
    for format in [Format::Md, Format::Json] {
        let out = render(&s, format, Anonymize::None).text().into_owned();
        for person in PEOPLE {
            assert!(
                out.to_lowercase().contains(&person.to_lowercase()),
                "{format:?}: {person}"
            );
        }
    }
    for mode in MODES {
        for format in ALL_FORMATS {
            let out = render(&s, format, mode).text().into_owned();
            names_no_one(&out, &format!("{format:?} {mode:?}"));
        }
    }
    // What stands in their place.
    let md = render(&s, Format::Md, Anonymize::Full).text().into_owned();
    assert!(
        md.starts_with("# Workshop with \\[participant\\]\n"),
        "{md}"
    );
    let json: Value =
        serde_json::from_str(&render(&s, Format::Json, Anonymize::Full).text()).unwrap();
    assert_eq!(json["location"], format!("Office of {NEUTRAL}, Astana"));
    assert_eq!(json["blocks"][0]["title"], format!("{NEUTRAL}'s block"));
    assert_eq!(
        json["blocks"][0]["entries"][0]["text"],
        format!("Ms {NEUTRAL} and {NEUTRAL} agreed with {NEUTRAL}. #{NEUTRAL}")
    );
    assert_eq!(json["blocks"][0]["entries"][0]["tags"][0], NEUTRAL);
    assert_eq!(json["themes"][0], format!("{NEUTRAL}-proposals"));
    let orgs: Value =
        serde_json::from_str(&render(&s, Format::Json, Anonymize::KeepOrganizations).text())
            .unwrap();
    assert_eq!(
        orgs["blocks"][0]["entries"][1]["text"],
        "[OSCE]: see [IOM] and [IOM]."
    );
}

#[test]
fn the_user_is_told_what_was_replaced_and_what_to_check() {
    let s = naming_session();
    let id = |b: usize, e: usize| s.blocks[b].entries[e].id.clone();
    let report = render(&s, Format::Md, Anonymize::Full);
    assert_eq!(
        report.notes,
        [
            "anonymized: left out 4 speaker fields, the names of 4 participants, the facilitator, \
             the rapporteur; 25 names replaced by [participant]: 1 in the title, 1 in the place, \
             1 in organizers, 1 in themes, 2 in block titles, 3 in guiding questions, \
             11 in entry text, 1 in tags, 2 in addressees, 2 in references"
        ]
    );
    assert_eq!(
        report.warnings,
        [
            "participant Li Wu: a part of the name this short is replaced only as part of the \
             whole name; check the text for it by hand"
                .to_string(),
            format!(
                "entry {} in block 2: replaced \"unlisted\" as a name of speaker Someone \
                 Unlisted, though it is written in lowercase; check that it is not an ordinary \
                 word there",
                id(1, 0)
            ),
            format!(
                "entry {} in block 2: \"Nurlan Abenov\" looks like a name but is no \
                 participant's; check it",
                id(1, 1)
            ),
            format!(
                "entry {} in block 2 names the organization IOM; under the Chatham House Rule \
                 no affiliation is named, check it",
                id(1, 1)
            ),
        ]
    );
    // With organizations kept, naming one is no problem.
    let report = render(&s, Format::Md, Anonymize::KeepOrganizations);
    assert!(
        !report.warnings.iter().any(|w| w.contains("organization")),
        "{:?}",
        report.warnings
    );
    assert!(
        report.notes[0].contains("replaced by [participant] or [their organization]"),
        "{:?}",
        report.notes
    );
    // Nothing anonymized, nothing to tell.
    let report = render(&s, Format::Md, Anonymize::None);
    assert!(report.notes.is_empty() && report.warnings.is_empty());
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_anonymized_json_is_a_session_of_its_own() {
    use std::os::unix::fs::PermissionsExt;

    let s = naming_session();
    let dir = scratch("anonymized-json-beside-the-original");
    let original = dir.join("2011-05-19-workshop.json");
    let copy = dir.join("2011-05-19-workshop-anonymized.json");
    for (path, mode) in [(&original, Anonymize::None), (&copy, Anonymize::Full)] {
        std::fs::write(path, render(&s, Format::Json, mode).bytes).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let json: Value = serde_json::from_slice(&std::fs::read(&copy).unwrap()).unwrap();
    assert_ne!(json["id"], s.id.as_str(), "a new id");
    assert_eq!(
        json["derived_from"],
        serde_json::json!({"anonymized_from": s.id, "rule": "chatham-house"})
    );
    // Two exports are two sessions too.
    let again: Value =
        serde_json::from_str(&render(&s, Format::Json, Anonymize::Full).text()).unwrap();
    assert_ne!(again["id"], json["id"]);

    // The app reads it, keeps the field, and `check` passes on the folder
    // with both files in it.
    let loaded = rapporteur::store::load(&copy).expect("loads").session;
    assert_eq!(
        loaded.extra["derived_from"]["anonymized_from"],
        s.id.as_str()
    );
    assert_eq!(loaded.entry_count(), s.entry_count());
    let out = assert_cmd::Command::cargo_bin("rapporteur")
        .unwrap()
        .arg("--sessions-dir")
        .arg(&dir)
        .arg("check")
        .env_remove("RAPPORTEUR_SESSIONS_DIR")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        2,
        "{stdout}"
    );
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    const GIVEN: &[&str] = &["Aigerim", "Ольга", "Jean", "Ерлан", "José", "Thomas"];
    const FAMILY: &[&str] = &[
        "Sarsenova",
        "Ким",
        "Moreau",
        "Жумабеков",
        "Núñez",
        "Brennan",
    ];
    const GLUE: &[&str] = &[
        " ", ", ", "-", ". ", "\n", "#", "(", ")", "'s ", " and ", ": ", "  ", "_", "\"",
    ];

    /// A name written some way: as given, in capitals or in lowercase.
    fn written(name: &str, how: u8) -> String {
        match how % 3 {
            0 => name.to_string(),
            1 => name.to_uppercase(),
            _ => name.to_lowercase(),
        }
    }

    /// Text made of the people's names (whole, reversed, parts) in any
    /// case, glued by punctuation.
    fn text(people: Vec<(usize, usize)>) -> impl Strategy<Value = String> {
        prop::collection::vec((0..people.len(), 0u8..4, any::<u8>(), 0..GLUE.len()), 0..8).prop_map(
            move |parts| {
                let mut out = String::new();
                for (p, form, how, glue) in parts {
                    let (g, f) = (GIVEN[people[p].0], FAMILY[people[p].1]);
                    let name = match form {
                        0 => format!("{g} {f}"),
                        1 => format!("{f} {g}"),
                        2 => f.to_string(),
                        _ => g.to_string(),
                    };
                    out.push_str(&written(&name, how));
                    out.push_str(GLUE[glue]);
                }
                out
            },
        )
    }

    fn case() -> impl Strategy<Value = (Vec<(usize, usize)>, Vec<String>)> {
        prop::collection::vec((0..GIVEN.len(), 0..FAMILY.len()), 1..4).prop_flat_map(|people| {
            let texts = prop::collection::vec(text(people.clone()), 6);
            (Just(people), texts)
        })
    }

    /// Lowercase, accents dropped: how the check compares words.
    fn plain(s: &str) -> String {
        s.to_lowercase()
            .replace(['é', 'É'], "e")
            .replace(['ú', 'Ú'], "u")
            .replace(['ñ', 'Ñ'], "n")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

        #[test]
        fn no_generated_name_survives((people, texts) in case(), keep in any::<bool>()) {
            let mut s = naming_session();
            s.participants = people
                .iter()
                .map(|&(g, f)| Participant::new(format!("{} {}", GIVEN[g], FAMILY[f]), "IOM"))
                .collect();
            s.facilitator = Label::default();
            s.rapporteur = Label::default();
            s.title = texts[0].as_str().into();
            s.location = texts[1].as_str().into();
            s.blocks[0].title = texts[2].as_str().into();
            s.blocks[0].guiding_questions = vec![texts[3].as_str().into()];
            let e = &mut s.blocks[0].entries[0];
            e.set_text(texts[4].clone());
            e.addressee = Some(texts[5].as_str().into());
            e.speaker = None;
            for b in &mut s.blocks {
                for e in &mut b.entries {
                    e.speaker = None;
                }
            }
            s.blocks[1].entries.clear();
            s.blocks[0].entries.truncate(1);
            let mode = if keep { Anonymize::KeepOrganizations } else { Anonymize::Full };
            let parts: Vec<String> = people
                .iter()
                .flat_map(|&(g, f)| [plain(GIVEN[g]), plain(FAMILY[f])])
                .collect();
            for format in ALL_FORMATS {
                let out = render(&s, format, mode).text().into_owned();
                let found = words(&plain(&out));
                for p in &parts {
                    prop_assert!(!found.contains(p), "{:?} {:?} names {}:\n{}", format, mode, p, out);
                }
            }
        }
    }
}
