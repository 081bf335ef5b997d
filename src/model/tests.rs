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
    assert!(tags.contains(&"labour-market".to_string()));
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
