//! Property tests of the session model's JSON form: any session, with any
//! Unicode text (controls, emoji, right-to-left, combining marks), any
//! participants, blocks, runs and entries, and fields this version does not
//! know at every level, is written and read back equal, and always written
//! to the same bytes.
//!
//! 256 cases by default; `PROPTEST_CASES` changes that.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::Timestamp;
use jiff::tz::Offset;
use proptest::prelude::*;
use rapporteur::model::{
    Block, Entry, Kind, Participant, RecStatus, Run, Session, Stamp, Template,
};
use rapporteur::store;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------
// Text

fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        3 => prop::char::range('a', 'z'),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::char::range('\u{7f}', '\u{9f}'),
        1 => prop::sample::select(vec![
            '"', '\\', '/', '\n', '\r', '\t', ' ', '#', '@', ':', '\u{0}',
        ]),
        // Bidi controls, separators, joiners, the byte-order mark.
        1 => prop::sample::select(vec![
            '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{2028}', '\u{2029}', '\u{200b}',
            '\u{200d}', '\u{feff}', '\u{fffd}', '\u{ffff}',
        ]),
        // Hebrew and Arabic.
        1 => prop::char::range('\u{0590}', '\u{06ff}'),
        // Combining marks.
        1 => prop::char::range('\u{0300}', '\u{036f}'),
        // Cyrillic, Kazakh letters included.
        1 => prop::char::range('\u{0400}', '\u{04ff}'),
        // Emoji and their modifiers.
        1 => prop::char::range('\u{1f300}', '\u{1faff}'),
        1 => prop::char::range('\u{1f3fb}', '\u{1f3ff}'),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..=max).prop_map(|v| v.into_iter().collect())
}

fn opt_text(max: usize) -> impl Strategy<Value = Option<String>> {
    prop::option::of(text(max))
}

// ---------------------------------------------------------------------------
// Time

/// Any whole second jiff can hold, with any whole-minute offset up to
/// ±25:59, half the time; a plausible meeting time the other half.
fn stamp() -> impl Strategy<Value = Stamp> {
    let min = Timestamp::MIN.as_second();
    let max = Timestamp::MAX.as_second();
    prop_oneof![
        (min..=max, -(25 * 60 + 59)..=(25 * 60 + 59)),
        (
            1_300_000_000i64..1_900_000_000,
            prop::sample::select(vec![0, 360, 330, -300, 345, 60, -600, 840])
        ),
    ]
    .prop_map(|(secs, minutes)| {
        Stamp::with_offset(
            Timestamp::from_second(secs).unwrap(),
            Offset::from_seconds(minutes * 60).unwrap(),
        )
    })
}

fn date() -> impl Strategy<Value = jiff::civil::Date> {
    (-9999i16..=9999, 1i8..=12, 1i8..=28)
        .prop_map(|(y, m, d)| jiff::civil::Date::new(y, m, d).unwrap())
}

// ---------------------------------------------------------------------------
// Fields this version does not know

/// The names a level's known fields are written under, found by writing a
/// value with every optional field set: an extra field by one of those
/// names would be read back as the known one.
fn known_keys(v: Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Floats that are exact in decimal: see the ignored property
        // below for arbitrary ones.
        (any::<i32>(), 0u32..8).prop_map(|(m, e)| json!(f64::from(m) / f64::from(1u32 << e))),
        text(8).prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(6), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn extra(known: BTreeSet<String>) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((text(8), json_value()), 0..3)
        .prop_map(move |kv| kv.into_iter().filter(|(k, _)| !known.contains(k)).collect())
}

// ---------------------------------------------------------------------------
// The model, built through its constructors so that fields added later
// keep their defaults

fn template_session() -> Session {
    Session::from_template(&Template::builtin(), None, Stamp::now())
}

fn full_stamp() -> Stamp {
    "2011-05-19T10:00:00+06:00".parse().unwrap()
}

fn run_from(start: Stamp, end: Option<Stamp>, extra: Map<String, Value>) -> Run {
    let mut r: Run = serde_json::from_value(json!({"start": full_stamp().to_string()})).unwrap();
    r.start = start;
    r.end = end;
    r.extra = extra;
    r
}

fn keys() -> [BTreeSet<String>; 5] {
    let now = full_stamp();
    let mut s = template_session();
    s.paused_at = Some(now);
    s.ended = Some(now);
    let mut e = Entry::new(Kind::Recommendation, "x", Some("y".into()), now);
    e.edited = Some(now);
    e.addressee = Some("a".into());
    e.reference = Some("r".into());
    e.status = Some(RecStatus::Proposed);
    let b = Block::new("b", "t", 1);
    [
        known_keys(serde_json::to_value(&s).unwrap()),
        known_keys(serde_json::to_value(Participant::new("n", "o")).unwrap()),
        known_keys(serde_json::to_value(&b).unwrap()),
        known_keys(serde_json::to_value(run_from(now, Some(now), Map::new())).unwrap()),
        known_keys(serde_json::to_value(&e).unwrap()),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(Kind::ALL.to_vec())
}

fn status() -> impl Strategy<Value = Option<RecStatus>> {
    prop::option::of(prop::sample::select(vec![
        RecStatus::Proposed,
        RecStatus::Supported,
        RecStatus::Contested,
    ]))
}

fn participant(known: BTreeSet<String>) -> impl Strategy<Value = Participant> {
    (text(12), text(12), extra(known)).prop_map(|(n, o, x)| {
        let mut p = Participant::new(n, o);
        p.extra = x;
        p
    })
}

fn run(known: BTreeSet<String>) -> impl Strategy<Value = Run> {
    (stamp(), prop::option::of(stamp()), extra(known)).prop_map(|(s, e, x)| run_from(s, e, x))
}

fn labels(v: Vec<String>) -> Vec<rapporteur::model::Label> {
    v.into_iter().map(Into::into).collect()
}

fn entry(known: BTreeSet<String>) -> impl Strategy<Value = Entry> {
    (
        (text(10), kind(), text(40), opt_text(12)),
        prop::collection::vec(text(8), 0..3),
        (stamp(), prop::option::of(stamp())),
        (opt_text(12), opt_text(12), status()),
        extra(known),
    )
        .prop_map(
            |((id, kind, body, speaker), tags, (created, edited), (to, re, st), x)| {
                let mut e = Entry::new(kind, body, speaker.map(Into::into), created);
                e.id = id;
                e.tags = labels(tags);
                e.edited = edited;
                e.addressee = to.map(Into::into);
                e.reference = re.map(Into::into);
                e.status = st;
                e.extra = x;
                e
            },
        )
}

fn block(
    known: BTreeSet<String>,
    run_keys: BTreeSet<String>,
    entry_keys: BTreeSet<String>,
) -> impl Strategy<Value = Block> {
    (
        (text(10), text(20), any::<u32>()),
        prop::collection::vec(text(20), 0..3),
        prop::collection::vec(run(run_keys), 0..3),
        any::<i64>(),
        prop::collection::vec(entry(entry_keys), 0..4),
        extra(known),
    )
        .prop_map(
            |((id, title, planned), questions, runs, spent, entries, x)| {
                let mut b = Block::new(id, title, planned);
                b.guiding_questions = labels(questions);
                b.runs = runs;
                b.spent_seconds = spent;
                b.entries = entries;
                b.extra = x;
                b
            },
        )
}

fn session() -> impl Strategy<Value = Session> {
    let [s_keys, p_keys, b_keys, r_keys, e_keys] = keys();
    (
        (text(10), text(30), prop::option::of(date()), text(20)),
        (
            prop::collection::vec(text(16), 0..3),
            text(16),
            text(16),
            prop::collection::vec(participant(p_keys), 0..4),
            prop::collection::vec(text(12), 0..4),
        ),
        (
            stamp(),
            stamp(),
            opt_text(10),
            prop::option::of(stamp()),
            prop::option::of(stamp()),
        ),
        prop::collection::vec(block(b_keys, r_keys, e_keys), 0..4),
        extra(s_keys),
    )
        .prop_map(
            |(
                (id, title, date, location),
                (organizers, facilitator, rapporteur, participants, themes),
                (created, updated, current, paused, ended),
                blocks,
                x,
            )| {
                let mut s = template_session();
                s.id = id;
                s.title = title.into();
                s.date = date;
                s.location = location.into();
                s.organizers = labels(organizers);
                s.facilitator = facilitator.into();
                s.rapporteur = rapporteur.into();
                s.participants = participants;
                s.themes = labels(themes);
                s.created = created;
                s.updated = updated;
                // Often the id of one of the blocks, as in real files.
                s.current_block = current.map(|c| {
                    blocks
                        .get(c.chars().count() % (blocks.len() + 1))
                        .map_or(c, |b| b.id.clone())
                });
                s.paused_at = paused;
                s.ended = ended;
                s.blocks = blocks;
                s.extra = x;
                s
            },
        )
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        // No regression files in the repository; a failure prints its
        // minimal case.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const PATH: &str = "proptest.json";

proptest! {
    #![proptest_config(config())]

    /// Written pretty (as rapporteur writes) or compact (as another tool
    /// might), a session reads back equal.
    #[test]
    fn session_round_trips(s in session()) {
        let pretty = serde_json::to_vec_pretty(&s).unwrap();
        let loaded = store::parse(Path::new(PATH), &pretty)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&pretty))))?;
        prop_assert_eq!(loaded.newer_version, None);
        prop_assert_eq!(&loaded.session, &s);

        let compact = serde_json::to_vec(&s).unwrap();
        let loaded = store::parse(Path::new(PATH), &compact)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&loaded.session, &s);

        // With a byte-order mark, as some editors save it.
        let bom = [&b"\xef\xbb\xbf"[..], &pretty].concat();
        let loaded = store::parse(Path::new(PATH), &bom)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&loaded.session, &s);
    }

    /// The same session always gives the same bytes, also after a round
    /// trip through the file: a folder of sessions diffs well.
    #[test]
    fn output_is_stable(s in session()) {
        let a = store::to_bytes(&s).unwrap();
        let b = store::to_bytes(&s.clone()).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert!(a.ends_with(b"\n"));
        prop_assert!(!a.ends_with(b"\n\n"));
        let again = store::parse(Path::new(PATH), &a)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&store::to_bytes(&again.session).unwrap(), &a);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..config() })]

    /// An unknown field holding any finite float comes back as it was.
    #[test]
    #[ignore = "bug: without serde_json's float_roundtrip feature, some floats in unknown fields read back one ulp off"]
    fn unknown_floats_round_trip(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let mut s = template_session();
        s.extra.insert("float".into(), json!(f));
        let bytes = store::to_bytes(&s).unwrap();
        let loaded = store::parse(Path::new(PATH), &bytes)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(loaded.session.extra["float"].as_f64(), Some(f));
    }
}
