//! rapporteur: take the record of a facilitated workshop in the terminal.
//!
//! The layers, from the bottom: `model` (the session and its JSON schema),
//! `store` (files, atomic saves, the lock), `app` (state, actions, keymap,
//! the update function), `ui` (pure rendering), `export` (reports), `tui`
//! (the terminal and the event loop) and `cli` (the command line).

pub mod app;
pub mod cli;
pub mod export;
pub mod model;
pub mod search;
pub mod store;
pub mod tui;
pub mod ui;
