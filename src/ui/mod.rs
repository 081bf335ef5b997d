//! Drawing. `render` is a pure function of the state: it reads the `App`
//! and writes cells, nothing else.

mod capture;
mod help;
pub mod theme;
pub mod widgets;
pub mod wrap;

use ratatui::Frame;

use crate::app::App;

pub fn render(app: &App, frame: &mut Frame) {
    capture::render(app, frame);
}
