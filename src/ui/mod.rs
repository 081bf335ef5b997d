//! Drawing. `render` is a pure function of the state: it reads the `App`
//! and writes cells, nothing else.

pub mod capture;
mod help;
pub mod home;
mod modals;
mod review;
pub mod room;
mod setup;
pub mod theme;
pub mod widgets;
pub mod width;
pub mod wrap;

use ratatui::Frame;

use crate::app::{App, Screen};

pub fn render(app: &App, frame: &mut Frame) {
    match app.screen {
        Screen::Capture => capture::render(app, frame),
        Screen::Setup => setup::render(app, frame),
        Screen::Review => review::render(app, frame),
    }
    modals::render(app, frame);
}
