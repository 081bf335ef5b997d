//! Reading a session for its first frame only.
//!
//! The capture screen shows the agenda, the clock, the current block's
//! newest entries and how many came before. Parsing the other entries
//! (nearly all of a 10,000-entry file) is what keeps the first frame
//! waiting, so the store can read a session "for a preview": each block's
//! `entries` array is cut into its raw elements (a scan that only finds
//! where each entry ends), the newest [`with_tail`]'s `tail` of them are
//! parsed, and the earlier ones are stood in for by empty placeholders,
//! which keep every count right and are never drawn. Such a session is
//! drawn once, while the full load runs beside it, and is then dropped: it
//! is never updated, never saved, and never seen by anything else.
//!
//! The flag is per thread and off by default; only serde_json's slice and
//! string readers can lend raw pieces of their input, and nothing else
//! should ever see a placeholder.

use std::cell::Cell;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::{Entry, Extra, Kind, Stamp, Text};

thread_local! {
    static TAIL: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Runs `parse` (a `serde_json::from_slice` of a session) so that each
/// block keeps only its newest `tail` entries parsed.
pub fn with_tail<R>(tail: usize, parse: impl FnOnce() -> R) -> R {
    struct Reset(Option<usize>);
    impl Drop for Reset {
        fn drop(&mut self) {
            TAIL.set(self.0);
        }
    }
    let _reset = Reset(TAIL.replace(Some(tail)));
    parse()
}

/// `deserialize_with` for `Block::entries`.
pub fn entries<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Entry>, D::Error> {
    let Some(tail) = TAIL.get() else {
        return Vec::<Entry>::deserialize(d);
    };
    let raws: Vec<&'de RawValue> = Vec::deserialize(d)?;
    let keep = raws.len().saturating_sub(tail);
    let mut out = Vec::with_capacity(raws.len());
    out.resize_with(keep, placeholder);
    for raw in &raws[keep..] {
        out.push(serde_json::from_str(raw.get()).map_err(D::Error::custom)?);
    }
    Ok(out)
}

/// An entry that stands in for one not parsed: no allocation, nothing to
/// draw.
fn placeholder() -> Entry {
    Entry {
        id: String::new(),
        kind: Kind::Note,
        text: Text::default(),
        speaker: None,
        tags: Vec::new(),
        created: Stamp::with_offset(jiff::Timestamp::UNIX_EPOCH, jiff::tz::Offset::UTC),
        edited: None,
        addressee: None,
        reference: None,
        status: None,
        extra: Extra::new(),
    }
}
