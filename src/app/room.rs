//! The room view (`rapporteur present`): a read-only mirror of a session
//! for a projector. It never writes and never takes the lock; it shows the
//! last good state of the file, with a warning when the file cannot be
//! read right now.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::model::{Session, Stamp};

pub struct Room {
    pub name: String,
    pub session: Option<Session>,
    pub warning: Option<String>,
    pub now: Stamp,
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
        RoomAction::Tick(now) => room.now = now,
        RoomAction::Loaded(r) => match *r {
            Ok(s) => {
                room.session = Some(s);
                room.warning = None;
            }
            // Keep showing the last good view: a projector should not go
            // blank because a file is being replaced.
            Err(e) => room.warning = Some(e),
        },
    }
}
