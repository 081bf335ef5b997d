use super::*;
use crate::model::Kind;

fn at(s: &str) -> Stamp {
    s.parse().expect("a stamp")
}

fn session() -> Session {
    Session::from_template(&Template::builtin(), None, at("2024-03-01T09:00:00+00:00"))
}

#[test]
fn a_new_block_goes_after_the_given_one_with_a_fresh_id() {
    let mut s = session();
    let n = s.blocks.len();
    let i = s.add_block(0);
    assert_eq!(i, 1);
    assert_eq!(s.blocks.len(), n + 1);
    assert_eq!(s.blocks[1].title, "New block");
    assert_eq!(s.blocks[1].planned_minutes, 30);
    let ids: std::collections::HashSet<_> = s.blocks.iter().map(|b| b.id.clone()).collect();
    assert_eq!(ids.len(), s.blocks.len());
    // Past the end: appended.
    assert_eq!(s.add_block(99), s.blocks.len() - 1);
}

#[test]
fn the_first_block_of_an_empty_agenda_becomes_current() {
    let mut s = session();
    s.blocks.clear();
    s.current_block = None;
    assert_eq!(s.add_block(5), 0);
    assert_eq!(s.current_block.as_deref(), Some(s.blocks[0].id.as_str()));
}

#[test]
fn removing_a_block_moves_its_entries_to_a_neighbour_in_time_order() {
    let mut s = session();
    let t0 = at("2024-03-01T09:00:00+00:00");
    s.blocks[0]
        .entries
        .push(Entry::new(Kind::Note, "late", None, t0.plus_seconds(60)));
    s.blocks[1]
        .entries
        .push(Entry::new(Kind::Note, "early", None, t0));
    let r = s.remove_block(1, t0.plus_seconds(120)).expect("removed");
    assert_eq!(r, BlockRemoved { heir: 0, moved: 1 });
    let texts: Vec<&str> = s.blocks[0].entries.iter().map(|e| &*e.text).collect();
    assert_eq!(texts, ["early", "late"]);
    // The first block hands its entries to the one after it.
    let r = s.remove_block(0, t0.plus_seconds(180)).expect("removed");
    assert_eq!(r, BlockRemoved { heir: 0, moved: 2 });
    assert_eq!(s.blocks[0].entries.len(), 2);
}

#[test]
fn the_current_block_removed_hands_the_clock_on() {
    let mut s = session();
    let t0 = at("2024-03-01T09:00:00+00:00");
    s.start_clock(t0);
    let second = s.blocks[1].id.clone();
    s.remove_block(0, t0.plus_seconds(60)).expect("removed");
    assert_eq!(s.current_block.as_deref(), Some(second.as_str()));
    assert_eq!(s.current_index(), 0);
}

#[test]
fn the_last_block_and_unknown_blocks_are_not_removed() {
    let mut s = session();
    let now = at("2024-03-01T09:00:00+00:00");
    assert_eq!(s.remove_block(99, now), None);
    s.blocks.truncate(1);
    assert_eq!(s.remove_block(0, now), None);
    assert_eq!(s.blocks.len(), 1);
}

#[test]
fn blocks_move_within_the_agenda_only() {
    let mut s = session();
    let first = s.blocks[0].id.clone();
    assert_eq!(s.move_block(0, false), None);
    assert_eq!(s.move_block(0, true), Some(1));
    assert_eq!(s.blocks[1].id, first);
    let last = s.blocks.len() - 1;
    assert_eq!(s.move_block(last, true), None);
    assert_eq!(s.move_block(99, false), None);
}

#[test]
fn minutes_step_by_five_between_none_and_a_day() {
    let mut s = session();
    s.blocks[0].planned_minutes = 3;
    assert!(s.step_minutes(0, false));
    assert_eq!(s.blocks[0].planned_minutes, 0);
    s.blocks[0].planned_minutes = 24 * 60 - 2;
    assert!(s.step_minutes(0, true));
    assert_eq!(s.blocks[0].planned_minutes, 24 * 60);
    assert!(!s.step_minutes(99, true));
}

#[test]
fn titles_and_questions_from_their_boxes() {
    let mut s = session();
    let old = s.blocks[0].title.clone();
    assert!(!s.set_block_title(0, "   "));
    assert_eq!(s.blocks[0].title, old);
    assert!(s.set_block_title(0, " Opening "));
    assert_eq!(s.blocks[0].title, "Opening");
    assert!(s.set_questions(0, "Why?\n\n  How?  \n"));
    assert_eq!(s.blocks[0].guiding_questions, ["Why?", "How?"]);
    assert!(!s.set_questions(99, "x"));
}

#[test]
fn a_template_replaces_an_agenda_without_entries_only() {
    let mut s = session();
    let now = at("2024-03-01T09:00:00+00:00");
    s.blocks.truncate(1);
    s.blocks[0].title = "Mine".into();
    s.apply_template(&Template::builtin(), now)
        .expect("applied");
    assert_eq!(s.blocks.len(), Template::builtin().blocks.len());
    assert_eq!(s.current_index(), 0);
    s.blocks[0]
        .entries
        .push(Entry::new(Kind::Note, "kept", None, now));
    let before = s.blocks.clone();
    assert_eq!(s.apply_template(&Template::builtin(), now), Err(HasEntries));
    assert_eq!(s.blocks, before);
}
