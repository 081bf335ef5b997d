//! The Markdown report parsed by a CommonMark parser (pulldown-cmark, with
//! the GitHub extensions a reader is likely to have on): whatever text a
//! session holds, the report's headings and blocks are the app's outline,
//! and each piece of user text comes back as the same text. The HTML
//! report, made from the same hostile sessions, must have the markup of
//! the same session with plain text in every field.

use proptest::prelude::*;
use pulldown_cmark::{Event, HeadingLevel, Options as CmOptions, Parser, Tag, TagEnd};
use rapporteur::export::{self, Anonymize, Format, Options};
use rapporteur::model::{Block, Entry, Kind, Label, Participant, RecStatus, Session, Template};

/// Pieces of hostile text: Markdown's metacharacters in the shapes that
/// make structure, white space of every kind, line breaks, Cyrillic.
const PIECES: &[&str] = &[
    "#",
    "##",
    "# ",
    "###### ",
    ">",
    "> ",
    "-",
    "- ",
    "---",
    "***",
    "___",
    "===",
    "+ ",
    "* ",
    "*",
    "_",
    "__",
    "`",
    "```",
    "~~~",
    "~",
    "|",
    " | ",
    "|---|",
    "<",
    "<div>",
    "<!--",
    "</p>",
    "&amp;",
    "&",
    "&#35;",
    "[",
    "]",
    "](x)",
    "![",
    "[x]: /u",
    "\\",
    "1. ",
    "2011) ",
    "12.",
    "1)",
    " ",
    "  ",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\n    ",
    "\n---\n",
    "\n===\n",
    "a",
    "Word",
    "Қазақ",
    "Айгерим",
    "ж",
    ":",
    ": ",
    "[^1]",
    "[ ] ",
    "$",
    "=",
    "http://x.y",
    "<http://x>",
    "\u{a0}",
    "\u{85}",
    "\u{2028}",
    "#tag",
    "Anna Berg",
    "\u{1b}[31m",
    "\u{0}",
    // Folding: a combining mark, letters whose lowercase is longer or
    // that fold to two, a title-case digraph, a joiner.
    "\u{301}",
    "İstanbul",
    "ß",
    "ﬁ",
    "ǅ",
    "Айгерим Сарсенова",
    "\u{200d}",
];

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..14).prop_map(|v| v.concat())
}

fn stamp() -> rapporteur::model::Stamp {
    "2011-05-19T10:00:00+06:00".parse().unwrap()
}

#[derive(Debug, Clone)]
struct EntrySpec {
    kind: Kind,
    text: String,
    speaker: Option<String>,
    addressee: Option<String>,
    reference: Option<String>,
    status: Option<RecStatus>,
}

fn entry_spec() -> impl Strategy<Value = EntrySpec> {
    (
        prop::sample::select(Kind::ALL.to_vec()),
        hostile(),
        prop::option::of(hostile()),
        prop::option::of(hostile()),
        prop::option::of(hostile()),
        prop::option::of(prop::sample::select(vec![
            RecStatus::Proposed,
            RecStatus::Supported,
            RecStatus::Contested,
        ])),
    )
        .prop_map(
            |(kind, text, speaker, addressee, reference, status)| EntrySpec {
                kind,
                text,
                speaker,
                addressee,
                reference,
                status,
            },
        )
}

#[derive(Debug, Clone)]
struct SessionSpec {
    title: String,
    place: String,
    people: [String; 2],
    organizers: Vec<String>,
    participants: Vec<(String, String)>,
    blocks: Vec<(String, Vec<EntrySpec>)>,
}

fn session_spec() -> impl Strategy<Value = SessionSpec> {
    (
        hostile(),
        hostile(),
        [hostile(), hostile()],
        prop::collection::vec(hostile(), 0..3),
        prop::collection::vec((hostile(), hostile()), 0..3),
        prop::collection::vec((hostile(), prop::collection::vec(entry_spec(), 0..5)), 0..4),
    )
        .prop_map(
            |(title, place, people, organizers, participants, blocks)| SessionSpec {
                title,
                place,
                people,
                organizers,
                participants,
                blocks,
            },
        )
}

/// The same session with every character of its text but white space
/// (and so line breaks) made an `x`: what the app shows of a field may
/// depend on whether it is blank and on its lines, nothing else.
fn plain(spec: &SessionSpec) -> SessionSpec {
    let p = |s: &String| -> String {
        s.chars()
            .map(|c| if c.is_whitespace() { c } else { 'x' })
            .collect()
    };
    let o = |s: &Option<String>| s.as_ref().map(p);
    SessionSpec {
        title: p(&spec.title),
        place: p(&spec.place),
        people: [p(&spec.people[0]), p(&spec.people[1])],
        organizers: spec.organizers.iter().map(p).collect(),
        participants: spec
            .participants
            .iter()
            .map(|(n, o)| (p(n), p(o)))
            .collect(),
        blocks: spec
            .blocks
            .iter()
            .map(|(t, es)| {
                let es = es
                    .iter()
                    .map(|e| EntrySpec {
                        kind: e.kind,
                        text: p(&e.text),
                        speaker: o(&e.speaker),
                        addressee: o(&e.addressee),
                        reference: o(&e.reference),
                        status: e.status,
                    })
                    .collect();
                (p(t), es)
            })
            .collect(),
    }
}

/// The markup of an HTML report: every tag with its attributes, in order.
fn markup(html: &str) -> Vec<String> {
    use quick_xml::events::Event as X;
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed") {
            X::Start(e) | X::Empty(e) => {
                let mut tag = e.name().as_ref().to_string();
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    tag.push_str(&format!(" {}={:?}", a.key.as_ref(), a.value));
                }
                out.push(tag);
            }
            X::End(e) => out.push(format!("/{}", e.name().as_ref())),
            X::CData(_) | X::PI(_) => panic!("no CDATA or processing instruction expected"),
            X::Eof => break,
            _ => {}
        }
    }
    out
}

fn build(spec: &SessionSpec) -> Session {
    let t = Template {
        template_version: 1,
        name: "t".into(),
        session_title: "T".into(),
        themes: vec![],
        blocks: vec![],
        extra: Default::default(),
    };
    let mut s = Session::from_template(&t, None, stamp());
    s.title = spec.title.as_str().into();
    s.location = spec.place.as_str().into();
    s.facilitator = spec.people[0].as_str().into();
    s.rapporteur = spec.people[1].as_str().into();
    s.organizers = spec.organizers.iter().map(|o| o.as_str().into()).collect();
    s.participants = spec
        .participants
        .iter()
        .map(|(n, o)| Participant::new(n.as_str(), o.as_str()))
        .collect();
    for (i, (title, entries)) in spec.blocks.iter().enumerate() {
        let mut b = Block::new(format!("b{i}"), title.as_str(), 10);
        for e in entries {
            let mut entry = Entry::new(
                e.kind,
                e.text.as_str(),
                e.speaker.as_deref().map(Label::from),
                stamp(),
            );
            if e.kind == Kind::Recommendation {
                entry.addressee = e.addressee.as_deref().map(Label::from);
                entry.reference = e.reference.as_deref().map(Label::from);
                entry.status = e.status;
            }
            b.entries.push(entry);
        }
        s.blocks.push(b);
    }
    s
}

/// What a top-level block of the report is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outline {
    Heading(u8, String),
    List { ordered: bool, items: usize },
    Paragraph,
    Table { rows: usize },
}

fn level(l: HeadingLevel) -> u8 {
    l as u8
}

/// Which block tags may appear inside a top-level one: lists hold items,
/// tables their rows and cells, and nothing else holds blocks.
fn nested_ok(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Item
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Paragraph
    )
}

/// The parsed report: its top-level outline, the plain text of each list
/// item, and the number of strong and emphasized spans.
struct Parsed {
    outline: Vec<Outline>,
    items: Vec<String>,
    strong: usize,
    emphasis: usize,
}

fn parse(md: &str) -> Parsed {
    let mut opts = CmOptions::empty();
    opts.insert(CmOptions::ENABLE_TABLES);
    opts.insert(CmOptions::ENABLE_STRIKETHROUGH);
    opts.insert(CmOptions::ENABLE_TASKLISTS);
    opts.insert(CmOptions::ENABLE_FOOTNOTES);
    opts.insert(CmOptions::ENABLE_DEFINITION_LIST);
    let mut p = Parsed {
        outline: Vec::new(),
        items: Vec::new(),
        strong: 0,
        emphasis: 0,
    };
    let mut depth = 0usize;
    let mut text = String::new();
    for ev in Parser::new_ext(md, opts) {
        match ev {
            Event::Start(tag) => {
                if depth == 0 {
                    text.clear();
                    p.outline.push(match &tag {
                        Tag::Heading { level: l, .. } => Outline::Heading(level(*l), String::new()),
                        Tag::List(start) => Outline::List {
                            ordered: start.is_some(),
                            items: 0,
                        },
                        Tag::Paragraph => Outline::Paragraph,
                        Tag::Table(_) => Outline::Table { rows: 0 },
                        other => panic!("unexpected block {other:?} in\n{md}"),
                    });
                } else {
                    assert!(
                        nested_ok(&tag),
                        "unexpected {tag:?} inside a block in\n{md}"
                    );
                }
                match tag {
                    Tag::Item => {
                        text.clear();
                        if let Some(Outline::List { items, .. }) = p.outline.last_mut() {
                            *items += 1;
                        }
                    }
                    Tag::TableRow | Tag::TableHead => {
                        if let Some(Outline::Table { rows }) = p.outline.last_mut() {
                            *rows += 1;
                        }
                    }
                    Tag::Strong => p.strong += 1,
                    Tag::Emphasis => p.emphasis += 1,
                    _ => {}
                }
                depth += 1;
            }
            Event::End(end) => {
                depth -= 1;
                match end {
                    TagEnd::Item => p.items.push(std::mem::take(&mut text)),
                    TagEnd::Heading(_) if depth == 0 => {
                        if let Some(Outline::Heading(_, t)) = p.outline.last_mut() {
                            *t = std::mem::take(&mut text);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            other => panic!("unexpected {other:?} in\n{md}"),
        }
    }
    p
}

/// Text as the report shows it: its shown form, each line trimmed, blank
/// lines left out.
fn shown_lines(t: &str) -> String {
    t.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown(l: &Label) -> String {
    l.shown().trim().to_string()
}

/// The report's outline as the app means it, made from the session by
/// the structure the user's guide describes, not by the renderer.
fn expected(s: &Session, mode: Anonymize) -> (Vec<Outline>, Vec<String>, usize, usize) {
    use Outline::*;
    let mut out = Vec::new();
    let mut items = Vec::new();
    let (mut strong, mut emphasis) = (0, 0);
    let title = if s.title.trim().is_empty() {
        "Workshop report".to_string()
    } else {
        shown(&s.title)
    };
    out.push(Heading(1, title));
    let mut facts = 1; // the date
    for v in [&s.location, &s.facilitator, &s.rapporteur] {
        facts += usize::from(!v.trim().is_empty());
    }
    facts += usize::from(!s.organizers.is_empty());
    facts += usize::from(mode != Anonymize::Full && !s.participants.is_empty());
    out.push(List {
        ordered: false,
        items: facts,
    });
    strong += facts;
    items.extend(std::iter::repeat_n(String::new(), facts));
    if mode.is_on() {
        out.push(Paragraph);
        emphasis += 1;
    }
    out.push(Heading(2, "Agenda".into()));
    out.push(Table {
        rows: 1 + s.blocks.len() + usize::from(!s.blocks.is_empty()),
    });
    strong += usize::from(!s.blocks.is_empty());
    out.push(Heading(2, "Key recommendations".into()));
    if s.count(Kind::Recommendation) == 0 {
        out.push(Paragraph);
    }
    for b in &s.blocks {
        let recs: Vec<&Entry> = b
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Recommendation)
            .collect();
        if recs.is_empty() {
            continue;
        }
        out.push(Heading(3, shown(&b.title)));
        out.push(List {
            ordered: true,
            items: recs.len(),
        });
        for e in recs {
            let text = shown_lines(e.text.shown());
            let meta = e.addressee.as_ref().is_some_and(|a| !a.trim().is_empty())
                || e.reference.as_ref().is_some_and(|a| !a.trim().is_empty())
                || e.status.is_some()
                || e.speaker.is_some();
            emphasis += usize::from(meta);
            // Only the text is compared; the meta follows it.
            items.push(text);
        }
    }
    out.push(Heading(2, "Discussion by block".into()));
    for (i, b) in s.blocks.iter().enumerate() {
        out.push(Heading(
            3,
            format!("{}. {}", i + 1, shown(&b.title)).trim().to_string(),
        ));
        out.push(Paragraph);
        emphasis += 1;
        if b.entries.is_empty() {
            out.push(Paragraph);
            continue;
        }
        if b.entries.iter().any(|e| e.kind == Kind::Recommendation) {
            out.push(Paragraph);
        }
        for (kind, heading) in [
            (Kind::Decision, "Decisions"),
            (Kind::Action, "Actions"),
            (Kind::Question, "Questions"),
            (Kind::Note, "Notes"),
        ] {
            let of_kind: Vec<&Entry> = b.entries.iter().filter(|e| e.kind == kind).collect();
            if of_kind.is_empty() {
                continue;
            }
            out.push(Heading(4, heading.into()));
            out.push(List {
                ordered: false,
                items: of_kind.len(),
            });
            for e in of_kind {
                let text = shown_lines(e.text.shown());
                items.push(match &e.speaker {
                    Some(sp) => {
                        strong += 1;
                        format!("{}: {text}", shown(sp)).trim_end().to_string()
                    }
                    None => text,
                });
            }
        }
    }
    if !s.participants.is_empty() && mode != Anonymize::Full {
        let title = match mode {
            Anonymize::KeepOrganizations => "Annex: organizations represented",
            _ => "Annex: participants",
        };
        out.push(Heading(2, title.into()));
        out.push(Table {
            rows: 1 + s.participants.len(),
        });
    }
    (out, items, strong, emphasis)
}

fn check(s: &Session, mode: Anonymize) -> Result<(), TestCaseError> {
    let report = export::render(s, Format::Md, &Options { anonymize: mode }).expect("renders");
    let md = String::from_utf8(report.bytes).expect("UTF-8");
    // The outline is that of the session the report was made from, which
    // for an anonymized report is the anonymized session.
    let anon = export::anonymize(s, mode).session.into_owned();
    let (outline, items, strong, emphasis) = expected(&anon, mode);
    let parsed = parse(&md);
    prop_assert_eq!(&parsed.outline, &outline, "outline of\n{}", md);
    prop_assert_eq!(parsed.strong, strong, "strong spans in\n{}", md);
    prop_assert_eq!(parsed.emphasis, emphasis, "emphasis in\n{}", md);
    // Every entry's text comes back as itself (the facts are app text).
    prop_assert_eq!(parsed.items.len(), items.len());
    for (got, want) in parsed.items.iter().zip(&items) {
        if !want.is_empty() {
            prop_assert!(
                got.starts_with(want.as_str()),
                "item {:?} is not {:?} in\n{}",
                got,
                want,
                md
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_outline_is_the_apps_whatever_the_text(spec in session_spec()) {
        let s = build(&spec);
        check(&s, Anonymize::None)?;
    }

    #[test]
    fn anonymized_reports_keep_the_outline_too(spec in session_spec(), keep in any::<bool>()) {
        let s = build(&spec);
        let mode = if keep { Anonymize::KeepOrganizations } else { Anonymize::Full };
        check(&s, mode)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    #[test]
    fn the_html_markup_is_the_apps_whatever_the_text(spec in session_spec()) {
        let hostile = build(&spec);
        let twin = build(&plain(&spec));
        let html = |s: &Session| {
            let r = export::render(s, Format::Html, &Options::default()).expect("renders");
            String::from_utf8(r.bytes).expect("UTF-8")
        };
        let (a, b) = (html(&hostile), html(&twin));
        prop_assert_eq!(markup(&a), markup(&b), "markup of\n{}", a);
    }
}

/// The three shapes the issue names, each in a field of its own.
#[test]
fn the_issues_examples_stay_text() {
    let spec = SessionSpec {
        title: "Issue #".into(),
        place: "~~~".into(),
        people: ["    # text".into(), "---".into()],
        organizers: vec!["1. first".into()],
        participants: vec![("2011) x".into(), "> q".into())],
        blocks: vec![(
            "<b>bold</b>".into(),
            vec![EntrySpec {
                kind: Kind::Note,
                text: "line\n---\n\n    # text\n~~~\nend  ".into(),
                speaker: Some("*A*".into()),
                addressee: None,
                reference: None,
                status: None,
            }],
        )],
    };
    let s = build(&spec);
    check(&s, Anonymize::None).unwrap();
    let md = export::markdown(&s);
    assert!(
        md.contains("- **\\*A\\*:** line  \n  \\---  \n  \\# text  \n  \\~\\~\\~  \n  end\n"),
        "{md}"
    );
}
