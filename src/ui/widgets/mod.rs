//! Widgets shared by the screens.

mod big;
mod entries;
mod popup;

pub use big::BigText;
pub use entries::EntryList;
pub use popup::{Popup, ScrollPopup, centered};

/// `mm:ss`, or `h:mm:ss` from an hour on.
pub fn clock(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Whole minutes, for tight places: "12m", "1h05".
pub fn short_minutes(seconds: i64) -> String {
    let m = seconds.max(0) / 60;
    if m >= 60 {
        format!("{}h{:02}", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}
