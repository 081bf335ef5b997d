//! Block clocks through `update` with an injected clock whose wall time
//! jumps an hour back and an hour forward between ticks: the time spent
//! grows by what the monotonic clock measured, on the header and in the
//! room view too, and the runs written never end before they start.

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::room::{Room, RoomAction};
use super::*;
use crate::model::{Clock, ManualClock, Session, Stamp, Template};
use crate::store::{self, Store};

const HOUR: i64 = 3600;

fn t0() -> Stamp {
    "2011-05-19T10:00:00+06:00".parse().unwrap()
}

struct H {
    app: App,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

fn h() -> H {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let s = Session::from_template(&Template::builtin(), Some("Clock"), t0());
    let path = store.create(&s).unwrap();
    let mut opened = crate::tui::open_session(path, t0()).unwrap();
    std::mem::forget(opened.lock.take());
    let mut app = opened.app;
    let clock = super::test_support::manual_clock(&mut app, t0());
    super::test_support::run_effects(&mut app);
    H {
        app,
        clock,
        _dir: dir,
    }
}

impl H {
    /// `secs` pass, then the wall clock is set `jump` seconds forward
    /// (negative: back), then the event loop's tick comes.
    fn pass(&mut self, secs: u64, jump: i64) {
        self.clock.advance(secs);
        self.clock.jump_wall(jump);
        update(&mut self.app, Action::Tick(self.clock.wall()));
    }

    fn ctrl(&mut self, c: char) {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        update(&mut self.app, Action::Key(key));
    }

    fn spent(&self, block: usize) -> i64 {
        self.app.session.blocks[block].spent_at(&self.app.now)
    }

    fn header(&self) -> String {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 12)).unwrap();
        t.draw(|f| crate::ui::render(&self.app, f)).unwrap();
        let buf = t.backend().buffer();
        (0..3)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
            .collect::<Vec<String>>()
            .join("\n")
    }
}

#[test]
fn wall_clock_jumps_add_no_time_and_take_none_away() {
    let mut h = h();
    assert!(h.app.session.blocks[0].is_running());
    h.pass(60, -HOUR);
    assert_eq!(h.spent(0), 60, "a jump back takes no time away");
    h.pass(60, 2 * HOUR);
    assert_eq!(h.spent(0), 120, "a jump forward adds none");
    assert!(h.header().contains("02:00 / 45:00"), "{}", h.header());
    assert!(h.app.alerted.is_empty(), "an hour's jump is no overrun");

    // Ctrl+N closes the run at its start plus the measured time.
    h.ctrl('n');
    let b0 = &h.app.session.blocks[0];
    assert_eq!(b0.runs[0].end, Some(t0().plus_seconds(120)));
    assert_eq!(b0.spent_seconds, 120);
    h.pass(30, -2 * HOUR);
    assert_eq!(h.spent(1), 30);
    // Back to block 1 with the wall clock behind the run just closed:
    // the new run starts where that one ended.
    h.ctrl('p');
    let b1 = &h.app.session.blocks[1];
    let b1_end = b1.runs[0].end.unwrap();
    assert_eq!(b1.spent_seconds, 30);
    assert_eq!(b1_end, b1.runs[0].start.plus_seconds(30));
    assert_eq!(h.app.session.blocks[0].runs[1].start, b1_end);
    h.pass(45, HOUR);
    assert_eq!(h.spent(0), 165);
    // Pause (Ctrl+T), a jump back, resume, then quit (Ctrl+Q).
    h.ctrl('t');
    h.pass(600, -3 * HOUR);
    assert_eq!(h.spent(0), 165, "paused time is not counted");
    h.ctrl('t');
    h.pass(15, 0);
    assert_eq!(h.spent(0), 180);
    h.ctrl('q');
    super::test_support::run_effects(&mut h.app);
    assert!(h.app.quit);

    let disk = store::load(&h.app.path).unwrap().session;
    assert_eq!(disk.blocks[0].spent_seconds, 180);
    assert_eq!(disk.blocks[1].spent_seconds, 30);
    for (i, b) in disk.blocks.iter().enumerate() {
        for r in &b.runs {
            let end = r.end.expect("quit closes every run");
            assert!(end.instant >= r.start.instant, "block {i}: {r:?}");
        }
    }
    assert_eq!(disk.clock_problems(), vec![], "check finds nothing");
}

#[test]
fn a_run_from_the_file_is_measured_from_when_the_app_first_sees_it() {
    let mut h = h();
    // The run was started by an earlier process ten minutes ago: the
    // wall clock is all there is for those ten minutes.
    h.app.session.stop_clock(t0());
    h.app.session.blocks[0].runs.clear();
    h.app.session.blocks[0].spent_seconds = 0;
    h.app.session.start_clock(t0().plus_seconds(-600));
    h.app.set_clock(h.clock.clone());
    assert_eq!(h.spent(0), 600);
    h.pass(60, -HOUR);
    assert_eq!(h.spent(0), 660);
}

#[test]
fn the_room_view_timer_follows_the_monotonic_clock() {
    let clock = Arc::new(ManualClock::new(t0()));
    let mut room = Room::new("x".into(), t0());
    room.clock = clock.clone();
    room.mono = clock.mono();
    let mut s = Session::from_template(&Template::builtin(), None, t0());
    s.start_clock(t0());
    room::update(&mut room, RoomAction::Loaded(Box::new(Ok(s.clone()))));
    let tick = |room: &mut Room, secs: u64, jump: i64| {
        clock.advance(secs);
        clock.jump_wall(jump);
        room::update(room, RoomAction::Tick(clock.wall()));
    };
    let spent = |room: &Room| room.session.as_ref().unwrap().blocks[0].spent_at(&room.now);
    tick(&mut room, 60, -HOUR);
    assert_eq!(spent(&room), 60);
    // The file is read again (an entry was added): same run, same measure.
    room::update(&mut room, RoomAction::Loaded(Box::new(Ok(s.clone()))));
    assert_eq!(spent(&room), 60);
    tick(&mut room, 60, 2 * HOUR);
    assert_eq!(spent(&room), 120);
}

/// Stamps keep whole seconds: Ctrl+N and Ctrl+P within one second leave
/// the block passed through with a run that starts and ends in that
/// second, at the start of the next block's run. One run after another,
/// as the crash test's sessions are (`check` once called them overlaps).
#[test]
fn blocks_switched_within_a_second_are_no_overlap() {
    let mut h = h();
    h.ctrl('n');
    h.ctrl('p');
    h.pass(1, 0);
    h.ctrl('q');
    super::test_support::run_effects(&mut h.app);
    assert!(h.app.quit);
    let disk = store::load(&h.app.path).unwrap().session;
    let ends = |b: usize| {
        disk.blocks[b]
            .runs
            .iter()
            .map(|r| (r.start, r.end.unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ends(0), [(t0(), t0()), (t0(), t0().plus_seconds(1))]);
    assert_eq!(ends(1), [(t0(), t0())]);
    assert_eq!(disk.clock_problems(), vec![], "check finds nothing");
}
