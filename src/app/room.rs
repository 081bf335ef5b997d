//! The room view (`rapporteur present`): a read-only mirror of a session
//! for a projector. It never writes and never takes the lock; it shows the
//! last good state of the file, with a warning when the file cannot be
//! read right now.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use std::sync::Arc;
use std::time::Instant;

use crate::model::{Clock, Session, Stamp, SystemClock};

pub struct Room {
    pub name: String,
    pub session: Option<Session>,
    pub warning: Option<String>,
    pub now: Stamp,
    /// The block timer is measured on this clock from the moment the
    /// room first sees a run (`model::clock`): a wall-clock jump on the
    /// projector's machine does not move it.
    pub clock: Arc<dyn Clock>,
    /// The monotonic reading taken with `now`.
    pub mono: Instant,
    pub quit: bool,
}

#[derive(Debug)]
pub enum RoomAction {
    Key(KeyEvent),
    Tick(Stamp),
    /// The file was read again: the session, or why it could not be.
    Loaded(Box<Result<Session, String>>),
}

impl Room {
    pub fn new(name: String, now: Stamp) -> Room {
        Room {
            name,
            session: None,
            warning: None,
            now,
            clock: Arc::new(SystemClock),
            mono: Instant::now(),
            quit: false,
        }
    }
}

pub fn update(room: &mut Room, action: RoomAction) {
    match action {
        RoomAction::Key(k) => {
            if k.kind != KeyEventKind::Press {
                return;
            }
            let ctrl_c =
                k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
            if matches!(
                k.code,
                KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc
            ) || ctrl_c
            {
                room.quit = true;
            }
        }
        RoomAction::Tick(now) => {
            room.now = now;
            room.mono = room.clock.mono();
            if let Some(s) = &mut room.session {
                s.observe_clock(room.mono, &room.now);
            }
        }
        RoomAction::Loaded(r) => match *r {
            Ok(mut s) => {
                // The file is read again at every change: the same open
                // run keeps the measure it had.
                if let Some(old) = &room.session {
                    s.keep_measures_of(old);
                }
                s.observe_clock(room.mono, &room.now);
                room.session = Some(s);
                room.warning = None;
            }
            // Keep showing the last good view: a projector should not go
            // blank because a file is being replaced.
            Err(e) => room.warning = Some(e),
        },
    }
}
