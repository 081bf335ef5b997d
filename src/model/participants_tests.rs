use super::*;
use crate::model::Template;

fn session() -> Session {
    let now = "2024-03-01T09:00:00+00:00".parse().expect("a stamp");
    Session::from_template(&Template::builtin(), None, now)
}

#[test]
fn a_line_names_a_participant_and_an_organization() {
    let p = parse_participant(" Айгерим , ILO ").expect("one");
    assert_eq!((p.name.raw(), p.organization.raw()), ("Айгерим", "ILO"));
    let p = parse_participant("Jane\tUN, Geneva").expect("one");
    assert_eq!((p.name.raw(), p.organization.raw()), ("Jane", "UN, Geneva"));
    let p = parse_participant(", UNHCR").expect("one");
    assert_eq!((p.name.raw(), p.organization.raw()), ("", "UNHCR"));
    assert_eq!(parse_participant("Solo").expect("one").organization, "");
    assert!(parse_participant("  ").is_none());
    assert!(parse_participant(" , ").is_none());
}

#[test]
fn pasted_lines_add_everyone_they_name() {
    let mut s = session();
    assert_eq!(s.add_participants("A, X\n\n , \nB\tY\nC"), 3);
    let names: Vec<&str> = s.participants.iter().map(|p| p.name.raw()).collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert_eq!(s.add_participant("D, Z"), Some(3));
    assert_eq!(s.add_participant(""), None);
}

#[test]
fn an_edit_keeps_raw_text_it_did_not_touch_and_an_empty_one_removes() {
    let mut s = session();
    s.participants.push(Participant::new("A\u{1b}b", "Org"));
    let shown = format!("{}, New org", s.participants[0].name.shown());
    s.edit_participant(0, &shown);
    assert_eq!(s.participants[0].name.raw(), "A\u{1b}b");
    assert_eq!(s.participants[0].organization, "New org");
    s.edit_participant(0, "   ");
    assert!(s.participants.is_empty());
    // Out of range: nothing happens.
    s.edit_participant(3, "X");
    assert!(!s.remove_participant(0));
}
