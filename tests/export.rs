//! The reports, checked by parsing them: CSV with a CSV reader, HTML with
//! an XML parser, Markdown by its structure, JSON with serde_json. And
//! anonymization: no format may leave a person's name behind.

use std::collections::HashSet;
use std::path::PathBuf;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use rapporteur::export::{self, Anonymize, Format, Options, Report};
use rapporteur::model::{Entry, Kind, Participant, RecStatus, Session, Stamp};
use serde_json::Value;

const ALL_FORMATS: [Format; 4] = [Format::Md, Format::Html, Format::Csv, Format::Json];
const MODES: [Anonymize; 2] = [Anonymize::Full, Anonymize::KeepOrganizations];

fn example_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sessions/2011-05-19-expert-workshop-on-the-draft-migration-law.json")
}

fn example() -> Session {
    rapporteur::store::load(&example_path())
        .expect("the example session loads")
        .session
}

fn render(s: &Session, format: Format, anonymize: Anonymize) -> Report {
    export::render(s, format, &Options { anonymize }).expect("renders")
}

fn text(s: &Session, format: Format, anonymize: Anonymize) -> String {
    let r = render(s, format, anonymize);
    String::from_utf8(r.bytes).expect("UTF-8")
}

fn stamp(s: &str) -> Stamp {
    s.parse().unwrap()
}

fn recommendations(s: &Session) -> Vec<(&str, &Entry)> {
    s.blocks
        .iter()
        .flat_map(|b| {
            b.entries
                .iter()
                .filter(|e| e.kind == Kind::Recommendation)
                .map(move |e| (b.title.raw(), e))
        })
        .collect()
}

/// The people of the example session: every participant with a name, the
/// facilitator and the rapporteur.
fn people(s: &Session) -> Vec<String> {
    let mut out: Vec<String> = s
        .participants
        .iter()
        .map(|p| p.name.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    out.push(s.facilitator.raw().to_string());
    out.push(s.rapporteur.raw().to_string());
    out
}

// ------------------------------------------------------------------ CSV

/// Parses a CSV report: checks the BOM and the header, returns the rows.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "starts with a UTF-8 BOM"
    );
    let body = &bytes[3..];
    assert!(!body.starts_with(b"\xEF\xBB\xBF"), "only one BOM");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .expect("header row")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "number",
            "block",
            "text",
            "addressee",
            "reference",
            "status",
            "speaker",
            "time"
        ]
    );
    reader
        .records()
        .map(|r| {
            r.expect("valid CSV row")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn csv_has_a_bom_a_header_and_one_row_per_recommendation() {
    let s = example();
    let rows = csv_rows(&render(&s, Format::Csv, Anonymize::None).bytes);
    let recs = recommendations(&s);
    assert_eq!(recs.len(), 15);
    assert_eq!(rows.len(), 15);
    for (i, (row, (block, e))) in rows.iter().zip(&recs).enumerate() {
        assert_eq!(row.len(), 8);
        assert_eq!(row[0], (i + 1).to_string(), "numbered across the session");
        assert_eq!(row[1], *block);
        assert_eq!(row[2], e.text);
        assert_eq!(row[3], e.addressee.clone().unwrap_or_default());
        assert_eq!(row[4], e.reference.clone().unwrap_or_default());
        assert_eq!(row[5], e.status.map(RecStatus::as_str).unwrap_or(""));
        assert_eq!(row[6], e.speaker.clone().unwrap_or_default());
        assert_eq!(row[7], e.created.to_string());
        assert_eq!(stamp(&row[7]), e.created, "time is RFC 3339");
    }
    // Cyrillic survives as it is.
    assert!(rows[1][2].starts_with("Рекомендуется ратифицировать"));
    assert_eq!(rows[1][6], "Ольга Ким");
}

#[test]
fn csv_survives_commas_quotes_and_line_breaks() {
    let mut s = example();
    let tricky = "Say \"no\", then \"yes\",\nand on a second line: a, b; c\r\nthird \"\" line,";
    let mut e = Entry::new(
        Kind::Recommendation,
        tricky,
        Some("Helena Lindqvist".into()),
        stamp("2011-05-19T16:00:00+06:00"),
    );
    e.addressee = Some("Majilis, \"Committee\"".into());
    e.reference = Some("Art. 5,\n§ 2".into());
    e.status = Some(RecStatus::Proposed);
    // The first block, so it is recommendation 4 and the rest move down.
    s.blocks[0].entries.push(e);
    let bytes = render(&s, Format::Csv, Anonymize::None).bytes;
    let raw = String::from_utf8(bytes.clone()).unwrap();
    assert!(raw.contains("speaker,time\r\n"), "records end in CR LF");
    let rows = csv_rows(&bytes);
    assert_eq!(rows.len(), 16);
    let row = &rows[3];
    assert_eq!(row[0], "4");
    // CR LF is a control character besides the line break: it is shown,
    // not kept raw, like everywhere else in the reports.
    assert_eq!(row[2], tricky.replace('\r', "␍"));
    assert_eq!(row[3], "Majilis, \"Committee\"");
    assert_eq!(row[4], "Art. 5,⏎§ 2");
    assert_eq!(row[5], "proposed");
    assert_eq!(row[7], "2011-05-19T16:00:00+06:00");
    let numbers: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    let want: Vec<String> = (1..=16).map(|n| n.to_string()).collect();
    assert_eq!(numbers, want);
}

#[test]
fn csv_cells_are_never_formulas() {
    let mut s = example();
    let e = Entry::new(
        Kind::Recommendation,
        "=HYPERLINK(\"x\",\"click\")",
        Some("@evil".into()),
        stamp("2011-05-19T16:00:00+06:00"),
    );
    s.blocks[4].entries.push(e);
    let rows = csv_rows(&render(&s, Format::Csv, Anonymize::None).bytes);
    let last = rows.last().unwrap();
    assert_eq!(last[2], "'=HYPERLINK(\"x\",\"click\")");
    assert_eq!(last[6], "'@evil");
}

/// The numbers under each block heading in the Markdown summary.
fn markdown_numbers(md: &str) -> Vec<(String, usize)> {
    let (_, key) = md.split_once("\n## Key recommendations\n").unwrap();
    let (key, _) = key.split_once("\n## Discussion by block\n").unwrap();
    let mut block = String::new();
    let mut out = Vec::new();
    for line in key.lines() {
        if let Some(title) = line.strip_prefix("### ") {
            block = title.to_string();
        } else if let Some((n, _)) = line.split_once(". ")
            && let Ok(n) = n.parse::<usize>()
        {
            out.push((block.clone(), n));
        }
    }
    out
}

#[test]
fn csv_numbering_is_the_markdown_numbering() {
    let s = example();
    let md = text(&s, Format::Md, Anonymize::None);
    let rows = csv_rows(&render(&s, Format::Csv, Anonymize::None).bytes);
    let from_csv: Vec<(String, usize)> = rows
        .iter()
        .map(|r| (r[1].clone(), r[0].parse().unwrap()))
        .collect();
    assert_eq!(markdown_numbers(&md), from_csv);
}

// ----------------------------------------------------------------- HTML

/// Parses `html` as XML and fails the test unless it is well-formed: every
/// event up to Eof reads without error, every element is closed in order,
/// every attribute parses, only XML's own entities are used and every
/// character is legal XML 1.0. Returns the text content, entities resolved.
fn parse_xhtml(html: &str) -> String {
    let legal = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    if let Some(c) = html.chars().find(|c| !legal(*c)) {
        panic!("character {c:?} is not legal in XML 1.0");
    }
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    reader.config_mut().check_comments = true;
    let mut open: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut content = String::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position()));
        match event {
            Event::Start(e) => {
                if open.is_empty() {
                    roots += 1;
                }
                for a in e.attributes() {
                    let a = a.expect("attribute is well-formed");
                    a.normalized_value(XmlVersion::Implicit1_0)
                        .expect("attribute value unescapes");
                }
                open.push(e.name().as_ref().to_string());
            }
            Event::Empty(e) => {
                assert!(!open.is_empty(), "no element outside the root");
                for a in e.attributes() {
                    let a = a.expect("attribute is well-formed");
                    a.normalized_value(XmlVersion::Implicit1_0)
                        .expect("attribute value unescapes");
                }
            }
            Event::End(e) => {
                let name = open.pop().expect("an end tag closes an open element");
                assert_eq!(name, e.name().as_ref());
            }
            Event::Text(t) => {
                if open.is_empty() {
                    assert!(t.xml10_content().trim().is_empty(), "text outside the root");
                }
                content.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) => match r.resolve_char_ref().expect("character reference") {
                Some(c) => {
                    assert!(legal(c), "&#{}; is not legal XML", c as u32);
                    content.push(c);
                }
                None => {
                    let name = r.into_inner();
                    let c = match &*name {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("&{other}; is not an XML entity"),
                    };
                    content.push(c);
                }
            },
            Event::CData(_) => panic!("no CDATA expected"),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    assert!(open.is_empty(), "unclosed elements at the end: {open:?}");
    assert_eq!(roots, 1, "one root element");
    content
}

#[test]
fn html_is_well_formed_and_self_contained() {
    let s = example();
    let html = text(&s, Format::Html, Anonymize::None);
    let content = parse_xhtml(&html);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\" />"));
    for banned in [
        "http", "<script", "<link", "<img", "<iframe", "<object", "url(", "@import", "src=",
    ] {
        assert!(!html.to_lowercase().contains(banned), "{banned}");
    }
    assert!(html.contains("<style>") && html.contains("@media print"));
    assert!(content.contains(s.title.raw()));
    assert!(html.contains(&format!(
        "<title>{}</title>",
        s.title.replace('\'', "&#39;")
    )));
    assert!(content.contains("Key recommendations"));
    assert!(content.contains("Annex: participants"));
    assert!(content.contains("Айгерим Сарсенова"));
    assert!(content.contains("Рекомендуется ратифицировать"));
    // Fifteen recommendations, numbered 1 to 15 across the blocks.
    let ids: Vec<usize> = html
        .match_indices("<li id=\"r")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(ids, (1..=15).collect::<Vec<_>>());
    // The numbering shows in the lists themselves.
    let starts: Vec<&str> = html
        .match_indices("<ol class=\"recs\" start=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(starts.first(), Some(&"1"));
    // Tables for the agenda and the participants: a row per block and per
    // participant.
    assert_eq!(html.matches("<tr>").count(), 1 + 5 + 1 + 1 + 12);
}

#[test]
fn html_of_hostile_text_is_still_only_text() {
    let mut s = example();
    let evil = "\u{1b}]0;pwned\u{7} <script>alert('x & \"y\"')</script> \u{1b}[2J\u{0}\u{b}\u{c}\u{fffe}\u{ffff}\u{9b}\u{202e}";
    s.title = format!("Title {evil}").into();
    s.location = evil.into();
    s.organizers.push(evil.into());
    s.participants.push(Participant::new(evil, evil));
    s.blocks[0].title = format!("Block {evil}").into();
    let mut e = Entry::new(
        Kind::Recommendation,
        format!("Rec {evil}\nsecond line {evil}"),
        Some(evil.into()),
        stamp("2011-05-19T16:00:00+06:00"),
    );
    e.addressee = Some(evil.into());
    e.reference = Some(evil.into());
    s.blocks[0].entries.push(e);
    s.blocks[1].entries.push(Entry::new(
        Kind::Note,
        evil,
        Some(evil.into()),
        stamp("2011-05-19T16:01:00+06:00"),
    ));
    for mode in [
        Anonymize::None,
        Anonymize::Full,
        Anonymize::KeepOrganizations,
    ] {
        let html = text(&s, Format::Html, mode);
        let content = parse_xhtml(&html);
        assert!(!html.as_bytes().contains(&0x1b), "no raw ESC");
        assert!(!html.contains("<script"), "no script element");
        assert!(!html.contains('\u{fffe}') && !html.contains('\u{ffff}'));
        // The hostile text is there, visibly, as text.
        assert!(content.contains("Title ␛]0;pwned␇ <script>alert('x & \"y\"')</script>"));
        assert!(content.contains("second line ␛]0;pwned␇"));
        for format in [Format::Md, Format::Csv] {
            let out = render(&s, format, mode);
            assert!(!out.bytes.contains(&0x1b), "{format:?}: no raw ESC");
            assert!(!out.bytes.contains(&0x07), "{format:?}: no raw BEL");
        }
        // The warnings go to a terminal: they must not carry escapes either.
        for w in render(&s, Format::Html, mode).warnings {
            assert!(!w.chars().any(|c| c.is_control()), "{w:?}");
        }
    }
}

#[test]
fn html_of_an_empty_session_is_well_formed() {
    let mut s = example();
    s.title = Default::default();
    s.blocks.clear();
    s.participants.clear();
    s.organizers.clear();
    s.date = None;
    for mode in [
        Anonymize::None,
        Anonymize::Full,
        Anonymize::KeepOrganizations,
    ] {
        let html = text(&s, Format::Html, mode);
        let content = parse_xhtml(&html);
        assert!(content.contains("Workshop report"));
        assert!(content.contains("No recommendations were recorded."));
        let rows = csv_rows(&render(&s, Format::Csv, mode).bytes);
        assert!(rows.is_empty());
    }
}

/// Run by scripts/html-screenshot.sh: writes the example's HTML report to
/// the file named by HTML_OUT.
#[test]
#[ignore = "writes a file for scripts/html-screenshot.sh"]
fn write_example_html() {
    let out = std::env::var_os("HTML_OUT").expect("HTML_OUT names the file to write");
    let html = render(&example(), Format::Html, Anonymize::None).bytes;
    std::fs::write(&out, html).unwrap();
    eprintln!("wrote {}", PathBuf::from(out).display());
}

// ------------------------------------------------------------- Markdown

#[test]
fn markdown_has_the_report_structure() {
    let s = example();
    let md = text(&s, Format::Md, Anonymize::None);
    assert!(md.starts_with(&format!("# {}\n", s.title.raw())));
    for heading in [
        "\n## Agenda\n",
        "\n## Key recommendations\n",
        "\n## Discussion by block\n",
        "\n## Annex: participants\n",
    ] {
        assert!(md.contains(heading), "{heading}");
    }
    assert!(md.contains("\n1. "), "numbered recommendations");
    let numbers: Vec<usize> = markdown_numbers(&md).into_iter().map(|(_, n)| n).collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<_>>());
    assert!(md.contains("- **Participants:** 12"));
    assert!(md.contains("- **Facilitator:** Rustem Baimukhanov"));
    assert!(md.contains("| Айгерим Сарсенова | Majilis |"));
    // The agenda has a row per block and the total.
    let (_, agenda) = md.split_once("\n## Agenda\n").unwrap();
    let (agenda, _) = agenda.split_once("\n## ").unwrap();
    assert_eq!(
        agenda.lines().filter(|l| l.starts_with("| ")).count(),
        1 + 5 + 1
    );
    assert!(agenda.contains("**Total**"));
    // Speakers are shown beside what they said.
    assert!(md.contains("**Helena Lindqvist:** ODIHR presented its written opinion."));
    assert!(md.contains("— Thomas Brennan"));
    assert!(render(&s, Format::Md, Anonymize::None).warnings.is_empty());
    // The old entry point is the same report.
    assert_eq!(export::markdown(&s), md);
}

// ----------------------------------------------------------------- JSON

#[test]
fn json_is_the_session_unless_anonymized() {
    let s = example();
    let out = text(&s, Format::Json, Anonymize::None);
    assert_eq!(
        out.as_bytes(),
        std::fs::read(example_path()).unwrap(),
        "same bytes as the file"
    );

    let full: Value = serde_json::from_str(&text(&s, Format::Json, Anonymize::Full)).unwrap();
    assert_eq!(full["participants"], Value::Array(vec![]));
    assert_eq!(full["facilitator"], "");
    assert_eq!(full["rapporteur"], "");
    let entries = || {
        full["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["entries"].as_array().unwrap().iter())
    };
    assert!(entries().all(|e| e["speaker"].is_null()));
    assert_eq!(entries().count(), s.entry_count(), "no entry is lost");
    // It is still a session file that loads.
    let back: Session = serde_json::from_value(full.clone()).unwrap();
    assert_eq!(back.count(Kind::Recommendation), 15);

    let orgs: Value =
        serde_json::from_str(&text(&s, Format::Json, Anonymize::KeepOrganizations)).unwrap();
    let participants = orgs["participants"].as_array().unwrap();
    assert!(participants.iter().all(|p| p["name"] == ""));
    let names: Vec<&str> = participants
        .iter()
        .map(|p| p["organization"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Majilis",
            "Ministry of Labour and Social Protection",
            "Migration Police Committee",
            "OSCE/ODIHR",
            "ILO",
            "UN Women",
            "IOM",
            "Kazakhstan International Bureau for Human Rights",
            "UNHCR"
        ]
    );
}

#[test]
fn anonymized_json_drops_unknown_fields() {
    let mut s = example();
    s.extra
        .insert("co_facilitator".into(), "Jane Hidden".into());
    s.participants[0]
        .extra
        .insert("phone".into(), "+7 700 000 00 00".into());
    s.blocks[0].entries[0]
        .extra
        .insert("said_by".into(), "Jane Hidden".into());
    assert!(text(&s, Format::Json, Anonymize::None).contains("Jane Hidden"));
    for mode in MODES {
        let out = text(&s, Format::Json, mode);
        assert!(
            !out.contains("Jane Hidden") && !out.contains("+7 700"),
            "{mode:?}"
        );
    }
}

// -------------------------------------------------------- Anonymization

#[test]
fn anonymized_reports_name_no_person_in_any_format() {
    let s = example();
    let people = people(&s);
    assert_eq!(people.len(), 11 + 2);
    // Every speaker of the example who is a person is a participant; the
    // others are organizations.
    let speakers: HashSet<&str> = s
        .blocks
        .iter()
        .flat_map(|b| &b.entries)
        .filter_map(|e| e.speaker.as_deref())
        .collect();
    let orgs: HashSet<&str> = s
        .participants
        .iter()
        .map(|p| p.organization.raw())
        .chain(s.organizers.iter().map(|o| o.raw()))
        .collect();
    for sp in &speakers {
        assert!(people.iter().any(|p| p == sp) || orgs.contains(sp), "{sp}");
    }
    for mode in MODES {
        for format in ALL_FORMATS {
            let out = text(&s, format, mode);
            let lower = out.to_lowercase();
            for name in &people {
                assert!(
                    !out.contains(name.as_str()),
                    "{format:?} {mode:?} names {name}"
                );
                assert!(
                    !lower.contains(&name.to_lowercase()),
                    "{format:?} {mode:?} names {name}"
                );
                // Nor the family name alone.
                let family = name.split_whitespace().last().unwrap();
                assert!(!out.contains(family), "{format:?} {mode:?} names {family}");
            }
            // The example names no one in its text. Under the Chatham House
            // Rule it is told about the organizations the text names.
            let report = render(&s, format, mode);
            match mode {
                Anonymize::KeepOrganizations => {
                    assert!(report.warnings.is_empty(), "{:?}", report.warnings)
                }
                _ => assert!(
                    report
                        .warnings
                        .iter()
                        .all(|w| w.contains("names the organization")),
                    "{:?}",
                    report.warnings
                ),
            }
        }
    }
    // Without anonymization the names are there.
    for format in ALL_FORMATS {
        let out = text(&s, format, Anonymize::None);
        assert!(out.contains("Helena Lindqvist"), "{format:?}");
    }
}

#[test]
fn full_anonymization_drops_speakers_and_the_annex() {
    let s = example();
    let md = text(&s, Format::Md, Anonymize::Full);
    assert!(!md.contains("## Annex"));
    assert!(!md.contains("Participants:"));
    assert!(!md.contains("Facilitator") && !md.contains("Rapporteur"));
    assert!(md.contains("Chatham House Rule"));
    // Organization speakers go too: their affiliation is what the rule hides.
    assert!(!md.contains("**UNHCR:**") && !md.contains("— UNHCR"));
    assert!(!md.contains(" — "), "no speaker after a recommendation");
    // The rest of the report is all there.
    assert_eq!(markdown_numbers(&md).len(), 15);
    assert!(md.contains("ODIHR presented its written opinion."));

    let html = text(&s, Format::Html, Anonymize::Full);
    let content = parse_xhtml(&html);
    assert!(!content.contains("Annex"));
    assert!(!html.contains("class=\"speaker\""));
    assert!(content.contains("Key recommendations"));

    let rows = csv_rows(&render(&s, Format::Csv, Anonymize::Full).bytes);
    assert_eq!(rows.len(), 15);
    assert!(
        rows.iter().all(|r| r[6].is_empty()),
        "no speaker column value"
    );
}

#[test]
fn keeping_organizations_shows_them_instead_of_people() {
    let s = example();
    let md = text(&s, Format::Md, Anonymize::KeepOrganizations);
    let (_, annex) = md
        .split_once("\n## Annex: organizations represented\n")
        .expect("organizations annex");
    let rows: Vec<&str> = annex.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 1 + 9, "header and each organization once");
    assert!(rows.contains(&"| ILO |"));
    assert!(!md.contains("## Annex: participants"));
    assert!(md.contains("- **Organizations represented:** 9"));
    // Thomas Brennan (ILO) proposed recommendation 1; Helena Lindqvist
    // (OSCE/ODIHR) spoke first; UNHCR spoke as an organization.
    assert!(md.contains("— ILO"));
    assert!(md.contains("**OSCE/ODIHR:** ODIHR presented its written opinion."));
    assert!(md.contains("**UNHCR:**"));

    let html = text(&s, Format::Html, Anonymize::KeepOrganizations);
    let content = parse_xhtml(&html);
    assert!(content.contains("Annex: organizations represented"));
    assert!(content.contains("Kazakhstan International Bureau for Human Rights"));
    assert!(content.contains("OSCE/ODIHR:"));

    let csv = csv_rows(&render(&s, Format::Csv, Anonymize::KeepOrganizations).bytes);
    let by_person = recommendations(&s)
        .iter()
        .zip(&csv)
        .map(|((_, e), row)| (e.speaker.clone(), row[6].clone()))
        .collect::<Vec<_>>();
    for (speaker, shown) in by_person {
        let want = speaker
            .and_then(|sp| {
                s.participants
                    .iter()
                    .find(|p| p.name == sp)
                    .map(|p| p.organization.clone())
                    .or(Some(sp))
            })
            .unwrap_or_default();
        assert_eq!(shown, want);
    }
}

#[test]
fn keeping_organizations_drops_speakers_who_are_not_known_organizations() {
    let mut s = example();
    let now = stamp("2011-05-19T16:00:00+06:00");
    for speaker in [
        "Rustem Baimukhanov",
        "Someone Unlisted",
        "ilo",
        "osce/odihr",
    ] {
        s.blocks[2].entries.push(Entry::new(
            Kind::Recommendation,
            "A point.",
            Some(speaker.into()),
            now,
        ));
    }
    let rows = csv_rows(&render(&s, Format::Csv, Anonymize::KeepOrganizations).bytes);
    let added: Vec<&str> = rows
        .iter()
        .filter(|r| r[2] == "A point.")
        .map(|r| r[6].as_str())
        .collect();
    // The facilitator and an unknown name go; organizations (of a
    // participant or among the organizers) stay, whatever their case.
    assert_eq!(added, ["", "", "ilo", "osce/odihr"]);
    for format in ALL_FORMATS {
        let out = text(&s, format, Anonymize::KeepOrganizations);
        assert!(!out.contains("Someone Unlisted"), "{format:?}");
        assert!(!out.contains("Rustem"), "{format:?}");
    }
}

#[test]
fn names_in_entry_text_are_replaced_in_every_format() {
    let mut s = example();
    let now = stamp("2011-05-19T16:00:00+06:00");
    let text_with_name = "As HELENA LINDQVIST said, and Ольга Ким agreed: fine.";
    s.blocks[1]
        .entries
        .push(Entry::new(Kind::Note, text_with_name, None, now));
    // A longer word that merely contains a name is no mention.
    let other = "Jonasson Webers' report.";
    s.blocks[1]
        .entries
        .push(Entry::new(Kind::Note, other, None, now));

    assert!(render(&s, Format::Md, Anonymize::None).warnings.is_empty());
    let want = [
        (
            Anonymize::Full,
            "As [participant] said, and [participant] agreed: fine.",
        ),
        (
            Anonymize::KeepOrganizations,
            "As [OSCE/ODIHR] said, and [Kazakhstan International Bureau for Human Rights] agreed: fine.",
        ),
    ];
    for (mode, replaced) in want {
        let json: Value = serde_json::from_str(&text(&s, Format::Json, mode)).unwrap();
        assert_eq!(json["blocks"][1]["entries"][6]["text"], replaced);
        assert_eq!(json["blocks"][1]["entries"][7]["text"], other);
        for format in ALL_FORMATS {
            let report = render(&s, format, mode);
            let out = report.text();
            assert!(
                !out.contains("HELENA") && !out.contains("Ольга"),
                "{format:?}"
            );
            // (The CSV holds only the recommendations.)
            if format != Format::Csv {
                assert!(out.contains("Jonasson Webers"), "{format:?}");
            }
            assert_eq!(
                report
                    .notes
                    .last()
                    .map(|n| n.ends_with(": 2 in entry text")),
                Some(true),
                "{:?}",
                report.notes
            );
        }
    }
}
