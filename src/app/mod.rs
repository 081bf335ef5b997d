//! The capture screen's state and the one function that changes it.
//!
//! `update(&mut App, Action)` is the only way the state changes. It does
//! no I/O: what must be written is queued as [`Effect`]s, which the event
//! loop hands to the background saver, and which tests can carry out
//! synchronously to check the files.

mod complete;
pub mod home;
pub mod keymap;
mod outside;
mod replace;
pub mod review;
pub mod room;
pub mod setup;
mod state;
mod update;
mod window;

pub use complete::Completion;
pub use replace::Replace;
pub use state::{App, Deleted, Effect, Focus, Modal, OutsideNote, SaveStatus, Screen};
pub use update::{Action, MAX_ENTRY_BYTES, SaveOutcome, update};

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_clock;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_identity;
#[cfg(test)]
mod tests_paste;
#[cfg(test)]
mod tests_review;
#[cfg(test)]
mod tests_setup;
