use super::*;

fn at(s: &str) -> Stamp {
    s.parse().unwrap()
}

fn sample() -> Session {
    let now = at("2011-05-19T10:00:00+06:00");
    let mut s = Session::from_template(&Template::builtin(), Some("Семинар 🌍 қазақ"), now);
    s.location = "Астана".into();
    s.organizers = vec!["OSCE".into(), "Мажилис".into()];
    s.facilitator = "Ә. Ғалымжан".into();
    s.rapporteur = "Jane 李".into();
    s.participants = vec![
        Participant::new("Айгерим", "ILO"),
        Participant::new("", "UNHCR"),
    ];
    let mut e = Entry::new(
        Kind::Recommendation,
        "Ратифицировать конвенцию\nвторая строка #labour-market 👩🏽‍⚖️ ңөұүһі",
        Some("ILO".into()),
        now,
    );
    e.addressee = Some("Majilis".into());
    e.reference = Some("Art. 12".into());
    e.status = Some(RecStatus::Supported);
    e.edited = Some(now.plus_seconds(30));
    s.blocks[0].entries.push(e);
    s.start_clock(now);
    s.switch_block(1, now.plus_seconds(600));
    s.paused_at = Some(now.plus_seconds(700));
    s.ended = Some(now.plus_seconds(800));
    s
}

#[test]
fn every_field_survives_a_round_trip() {
    let s = sample();
    let json = serde_json::to_string_pretty(&s).unwrap();
    let back: Session = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert!(json.contains("\"schema_version\": 1"));
    assert!(json.contains("Ратифицировать конвенцию\\nвторая строка"));
    assert!(json.contains("\"kind\": \"recommendation\""));
    assert!(json.contains("\"status\": \"supported\""));
    assert!(json.contains("+06:00"));
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let s = sample();
    let mut v = serde_json::to_value(&s).unwrap();
    v["future_session_field"] = serde_json::json!({"a": [1, 2]});
    v["blocks"][0]["future_block_field"] = serde_json::json!("x");
    v["blocks"][0]["entries"][0]["future_entry_field"] = serde_json::json!(42);
    v["participants"][0]["pronouns"] = serde_json::json!("she");
    v["blocks"][1]["runs"][0]["where"] = serde_json::json!("room B");
    let loaded: Session = serde_json::from_value(v.clone()).unwrap();
    let again = serde_json::to_value(&loaded).unwrap();
    assert_eq!(again, v);
}

#[test]
fn field_order_is_stable() {
    let json = serde_json::to_string_pretty(&sample()).unwrap();
    let pos = |k: &str| json.find(&format!("\"{k}\"")).unwrap();
    assert!(pos("schema_version") < pos("id"));
    assert!(pos("id") < pos("title"));
    assert!(pos("updated") < pos("current_block"));
    assert!(pos("current_block") < pos("blocks"));
}

#[test]
fn block_timers_add_up_across_switches() {
    let t0 = at("2011-05-19T10:00:00+06:00");
    let mut s = Session::from_template(&Template::builtin(), None, t0);
    s.start_clock(t0);
    s.switch_block(1, t0.plus_seconds(100));
    s.switch_block(0, t0.plus_seconds(160));
    s.switch_block(1, t0.plus_seconds(200));
    assert_eq!(s.blocks[0].spent_at(&t0.plus_seconds(300)), 140);
    assert_eq!(s.blocks[1].spent_at(&t0.plus_seconds(300)), 60 + 100);
    assert_eq!(s.current_index(), 1);
    // Switching to the block already running changes nothing.
    assert!(!s.switch_block(1, t0.plus_seconds(250)));
    assert_eq!(s.blocks[1].runs.len(), 2);
}

#[test]
fn pause_is_not_counted() {
    let t0 = at("2011-05-19T10:00:00+06:00");
    let mut s = Session::from_template(&Template::builtin(), None, t0);
    s.start_clock(t0);
    s.pause(t0.plus_seconds(60));
    assert_eq!(s.blocks[0].spent_at(&t0.plus_seconds(1000)), 60);
    // A block switch during a pause starts no clock.
    s.switch_block(1, t0.plus_seconds(1100));
    assert!(!s.blocks[1].is_running());
    s.resume(t0.plus_seconds(1200));
    assert_eq!(s.blocks[1].spent_at(&t0.plus_seconds(1260)), 60);
    assert_eq!(s.blocks[0].spent_at(&t0.plus_seconds(1260)), 60);
}

#[test]
fn stale_runs_close_at_last_sign_of_life() {
    let t0 = at("2011-05-19T10:00:00+06:00");
    let mut s = Session::from_template(&Template::builtin(), None, t0);
    s.start_clock(t0);
    s.close_stale_runs(t0.plus_seconds(42));
    assert!(!s.blocks[0].is_running());
    assert_eq!(s.blocks[0].spent_seconds, 42);
}

#[test]
fn find_block_by_number_or_id() {
    let s = Session::from_template(&Template::builtin(), None, Stamp::now());
    assert_eq!(s.find_block("1"), Some(0));
    assert_eq!(s.find_block("5"), Some(4));
    assert_eq!(s.find_block("0"), None);
    assert_eq!(s.find_block("6"), None);
    assert_eq!(s.find_block("residence"), Some(3));
    assert_eq!(s.find_block("nope"), None);
}

#[test]
fn speaker_and_tag_names() {
    let s = sample();
    let names = s.speaker_names();
    assert_eq!(names, vec!["Айгерим", "ILO", "UNHCR"]);
    let tags = s.tag_names();
    assert!(tags.contains(&Label::from("labour-market")));
    assert_eq!(tags.iter().filter(|t| *t == "labour-market").count(), 1);
}

#[test]
fn kind_parse_and_cycle() {
    assert_eq!(Kind::parse("rec"), Some(Kind::Recommendation));
    assert_eq!(Kind::parse("Recommendation"), Some(Kind::Recommendation));
    assert_eq!(Kind::parse("q"), Some(Kind::Question));
    assert_eq!(Kind::parse("bogus"), None);
    let mut k = Kind::Note;
    for _ in 0..5 {
        k = k.next();
    }
    assert_eq!(k, Kind::Note);
}

/// Controls, escapes, C1, bidi, separators and a stray joiner, with a
/// line break among them.
const EVIL: &str = "a\u{1b}]0;pwned\u{7}\u{1b}[2J\u{0}\t\u{7f}\u{85}\u{9b}2J\u{202e}\u{2066}x\u{200d}y\u{2028}\u{2029}\nz";

/// Every text field of a loaded session holds [`EVIL`]: each is shown
/// with placeholders, one-line fields on one line, and the session is
/// written back byte for byte as it was read.
#[test]
fn hostile_text_in_every_field_is_shown_safe_and_saved_verbatim() {
    let t = |field: &str| format!("{field} {EVIL}");
    let entry = |id: &str| {
        serde_json::json!({
            "id": id, "kind": "recommendation", "text": t("text"), "speaker": t("speaker"),
            "tags": [t("tag")], "created": "2011-05-19T10:00:00+06:00", "edited": null,
            "addressee": t("addressee"), "reference": t("reference"), "status": "proposed",
        })
    };
    let v = serde_json::json!({
        "schema_version": 1, "id": "evil", "title": t("title"), "date": "2011-05-19",
        "location": t("location"), "organizers": [t("organizer")],
        "facilitator": t("facilitator"), "rapporteur": t("rapporteur"),
        "participants": [{"name": t("name"), "organization": t("organization")}],
        "themes": [t("theme")],
        "created": "2011-05-19T10:00:00+06:00", "updated": "2011-05-19T10:00:00+06:00",
        "current_block": "b1",
        "blocks": [{
            "id": "b1", "title": t("block"), "planned_minutes": 30,
            "guiding_questions": [t("question")], "runs": [], "spent_seconds": 0,
            "entries": [entry("e1"), entry("e2")],
        }],
    });
    let bytes = crate::store::to_bytes(&v).unwrap();
    let s: Session = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(crate::store::to_bytes(&s).unwrap(), bytes);

    let mut labels: Vec<&Label> = vec![&s.title, &s.location, &s.facilitator, &s.rapporteur];
    labels.extend(&s.organizers);
    labels.extend(&s.themes);
    for p in &s.participants {
        labels.extend([&p.name, &p.organization]);
    }
    let mut texts: Vec<&Text> = Vec::new();
    for b in &s.blocks {
        labels.push(&b.title);
        labels.extend(&b.guiding_questions);
        for e in &b.entries {
            texts.push(&e.text);
            labels.extend(e.speaker.iter().chain(&e.addressee).chain(&e.reference));
            labels.extend(&e.tags);
        }
    }
    assert_eq!(labels.len(), 10 + 2 * 4);
    let safe = |shown: &str, line: bool| {
        shown.chars().all(|c| {
            !(c.is_control() && (c != '\n' || line))
                && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{200d}')
        })
    };
    for l in labels {
        assert!(l.raw().contains(EVIL), "{l:?}");
        assert!(safe(l.shown(), true), "{:?}", l.shown());
        assert!(
            l.shown().contains("␛]0;pwned␇␛[2J␀␉␡⍰⍰2J⍰⍰x⍰y⍰⍰⏎z"),
            "{:?}",
            l.shown()
        );
    }
    for t in texts {
        assert!(safe(t.shown(), false), "{:?}", t.shown());
        assert!(t.shown().contains("⍰⍰x⍰y⍰⍰\nz"), "{:?}", t.shown());
    }
    // Nothing was to be replaced in an id: ids are not shown text.
    assert_eq!(s.id, "evil");
}

/// The display type costs an entry nothing: it is as big as the `String`
/// it replaced, and an absent one as big as a `None` string. Peak memory
/// with a long session open depends on it (docs/PERFORMANCE.md).
#[test]
fn entries_are_no_bigger_than_with_plain_strings() {
    use std::mem::size_of;
    #[allow(dead_code)]
    struct PlainEntry {
        id: String,
        kind: Kind,
        text: String,
        speaker: Option<String>,
        tags: Vec<String>,
        created: Stamp,
        edited: Option<Stamp>,
        addressee: Option<String>,
        reference: Option<String>,
        status: Option<RecStatus>,
        extra: Extra,
    }
    assert_eq!(size_of::<Entry>(), size_of::<PlainEntry>());
    assert_eq!(size_of::<Label>(), size_of::<String>());
    assert_eq!(size_of::<Option<Label>>(), size_of::<Option<String>>());
}
