//! The session model and its JSON schema (version 1). docs/FORMAT.md
//! describes every field; keep the two in step.

mod agenda;
mod clock;
pub mod display;
mod ids;
mod markers;
mod participants;
pub mod preview;
mod stamp;
pub mod template;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use agenda::{Block, BlockRemoved, HasEntries};
pub use clock::{Clock, ClockProblem, ManualClock, SystemClock};
pub use ids::new_id;
pub use markers::{ParsedDraft, extract_tags, parse_draft};
pub use participants::{Participant, parse_participant};
pub use stamp::{Stamp, StampError};
pub use template::Template;

pub use display::{Label, Text};

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: i64 = 1;

/// Fields this build does not know. serde's `flatten` collects them on load
/// and writes them back on save, so a file touched by a newer tool keeps
/// what that tool wrote.
pub type Extra = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub schema_version: i64,
    pub id: String,
    #[serde(default)]
    pub title: Label,
    /// The day of the workshop, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<jiff::civil::Date>,
    #[serde(default)]
    pub location: Label,
    #[serde(default)]
    pub organizers: Vec<Label>,
    #[serde(default)]
    pub facilitator: Label,
    #[serde(default)]
    pub rapporteur: Label,
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// Cross-cutting themes, offered as `#tag` completions.
    #[serde(default)]
    pub themes: Vec<Label>,
    pub created: Stamp,
    pub updated: Stamp,
    /// Id of the block that is running; the first block when absent.
    #[serde(default)]
    pub current_block: Option<String>,
    /// Set while the facilitator has paused the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<Stamp>,
    /// Set when the rapporteur has ended the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Stamp>,
    /// The last journal record this snapshot already contains (see
    /// docs/FORMAT.md, "Journal"); absent while there has been none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub journal_seq: u64,
    #[serde(default)]
    pub blocks: Vec<Block>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub start: Stamp,
    #[serde(default)]
    pub end: Option<Stamp>,
    #[serde(flatten)]
    pub extra: Extra,
    /// How long the run has lasted on this process's monotonic clock;
    /// never in the file (see `clock`).
    #[serde(skip)]
    measure: clock::Measure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Note,
    Recommendation,
    Question,
    Decision,
    Action,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Note,
        Kind::Recommendation,
        Kind::Question,
        Kind::Decision,
        Kind::Action,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Recommendation => "recommendation",
            Kind::Question => "question",
            Kind::Decision => "decision",
            Kind::Action => "action",
        }
    }

    /// The short badge shown beside each entry.
    pub fn badge(self) -> &'static str {
        match self {
            Kind::Note => "NOTE",
            Kind::Recommendation => "REC",
            Kind::Question => "Q",
            Kind::Decision => "DEC",
            Kind::Action => "ACT",
        }
    }

    pub fn next(self) -> Kind {
        let i = Kind::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Kind::ALL[(i + 1) % Kind::ALL.len()]
    }

    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_lowercase();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.as_str().starts_with(&s) && s.len() >= 3)
            .or(match s.as_str() {
                "r" | "rec" => Some(Kind::Recommendation),
                "q" => Some(Kind::Question),
                "d" | "dec" => Some(Kind::Decision),
                "a" | "act" => Some(Kind::Action),
                "n" => Some(Kind::Note),
                _ => None,
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecStatus {
    Proposed,
    Supported,
    Contested,
}

impl RecStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecStatus::Proposed => "proposed",
            RecStatus::Supported => "supported",
            RecStatus::Contested => "contested",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    pub text: Text,
    #[serde(default)]
    pub speaker: Option<Label>,
    #[serde(default)]
    pub tags: Vec<Label>,
    pub created: Stamp,
    #[serde(default)]
    pub edited: Option<Stamp>,
    /// Recommendations only: who should act on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressee: Option<Label>,
    /// Recommendations only: what it refers to, an article of the draft law say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RecStatus>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Written by hand because entries are the bulk of a file: serde's
/// `flatten` (for the unknown fields) buffers every field of every entry
/// first, which made loading a long session several times slower. This
/// reads each field once, keeps the unknown ones, and refuses what the
/// derived code would refuse (missing or duplicate fields, wrong types).
impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> serde::de::Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an entry object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
        use serde::de::Error;
        let mut id = None;
        let mut kind = None;
        let mut text = None;
        let mut speaker = None;
        let mut tags = None;
        let mut created = None;
        let mut edited = None;
        let mut addressee = None;
        let mut reference = None;
        let mut status = None;
        let mut extra = Extra::new();
        fn set<T, E: Error>(slot: &mut Option<T>, v: T, name: &'static str) -> Result<(), E> {
            if slot.is_some() {
                return Err(E::duplicate_field(name));
            }
            *slot = Some(v);
            Ok(())
        }
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "id" => set(&mut id, map.next_value::<String>()?, "id")?,
                "kind" => set(&mut kind, map.next_value::<Kind>()?, "kind")?,
                "text" => set(&mut text, map.next_value::<Text>()?, "text")?,
                "speaker" => set(&mut speaker, map.next_value::<Option<Label>>()?, "speaker")?,
                "tags" => set(&mut tags, map.next_value::<Vec<Label>>()?, "tags")?,
                "created" => set(&mut created, map.next_value::<Stamp>()?, "created")?,
                "edited" => set(&mut edited, map.next_value::<Option<Stamp>>()?, "edited")?,
                "addressee" => set(
                    &mut addressee,
                    map.next_value::<Option<Label>>()?,
                    "addressee",
                )?,
                "reference" => set(
                    &mut reference,
                    map.next_value::<Option<Label>>()?,
                    "reference",
                )?,
                "status" => set(
                    &mut status,
                    map.next_value::<Option<RecStatus>>()?,
                    "status",
                )?,
                other => {
                    let v: Value = map.next_value()?;
                    extra.insert(other.to_string(), v);
                }
            }
        }
        Ok(Entry {
            id: id.ok_or_else(|| A::Error::missing_field("id"))?,
            kind: kind.ok_or_else(|| A::Error::missing_field("kind"))?,
            text: text.ok_or_else(|| A::Error::missing_field("text"))?,
            speaker: speaker.flatten(),
            tags: tags.unwrap_or_default(),
            created: created.ok_or_else(|| A::Error::missing_field("created"))?,
            edited: edited.flatten(),
            addressee: addressee.flatten(),
            reference: reference.flatten(),
            status: status.flatten(),
            extra,
        })
    }
}

impl Entry {
    pub fn new(kind: Kind, text: impl Into<String>, speaker: Option<Label>, now: Stamp) -> Self {
        let text: String = text.into();
        Entry {
            id: new_id(),
            kind,
            tags: extract_tags(&text),
            text: text.into(),
            speaker,
            created: now,
            edited: None,
            addressee: None,
            reference: None,
            status: None,
            extra: Extra::new(),
        }
    }

    /// Replaces the text and keeps the tags in step with it.
    pub fn set_text(&mut self, text: String) {
        self.tags = extract_tags(&text);
        self.text.set(text);
    }
}

/// Where an entry lives: block index and entry index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryPos {
    pub block: usize,
    pub entry: usize,
}

impl Session {
    pub fn entry_count(&self) -> usize {
        self.blocks.iter().map(|b| b.entries.len()).sum()
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.blocks.iter().map(|b| b.count(kind)).sum()
    }

    pub fn find_entry(&self, id: &str) -> Option<EntryPos> {
        self.blocks.iter().enumerate().find_map(|(b, block)| {
            block
                .entries
                .iter()
                .position(|e| e.id == id)
                .map(|e| EntryPos { block: b, entry: e })
        })
    }

    pub fn entry(&self, pos: EntryPos) -> Option<&Entry> {
        self.blocks.get(pos.block)?.entries.get(pos.entry)
    }

    pub fn entry_mut(&mut self, pos: EntryPos) -> Option<&mut Entry> {
        self.blocks.get_mut(pos.block)?.entries.get_mut(pos.entry)
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// Themes, then tags already used.
    pub fn tag_names(&self) -> Vec<Label> {
        let mut out: Vec<Label> = self.themes.clone();
        for b in &self.blocks {
            for e in &b.entries {
                for t in &e.tags {
                    if !out.iter().any(|o| o == t) {
                        out.push(t.clone());
                    }
                }
            }
        }
        out
    }
}

/// The text in the editor that has not been committed yet, saved beside
/// the session (`.NAME.json.draft`) at most a quarter second after a
/// keystroke, so a kill or power cut loses less than a second of typing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub session_id: String,
    /// The id the entry will have once committed. A draft whose id is
    /// already in the session was committed before the draft file could
    /// be cleared, and is dropped instead of restored twice.
    pub entry_id: String,
    /// True when the draft is an edit of the existing entry `entry_id`.
    #[serde(default)]
    pub editing: bool,
    pub kind: Kind,
    pub text: String,
    pub saved: Stamp,
}

#[cfg(test)]
mod tests;
