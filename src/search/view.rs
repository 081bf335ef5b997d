//! A borrowed, read-only view of a session file: what a search over a
//! folder reads instead of building every session in full.
//!
//! Strings are borrowed from the file's bytes (only those with escapes
//! are copied), fields a search does not use are skipped unparsed, and
//! timestamps are parsed only for the entries that match. That makes the
//! view lenient: it does not check the parts it skips. It is therefore used
//! only for files that the summary cache vouches for, that is, files that
//! loaded in full and have not changed since (`store::index`); any other
//! file takes the full loader, with its checks and its error messages.

use std::borrow::Cow;

use serde::Deserialize;

use crate::model::{Kind, Stamp};

#[derive(Deserialize)]
pub struct SessionView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow, default)]
    pub title: Cow<'a, str>,
    #[serde(borrow, default)]
    pub blocks: Vec<BlockView<'a>>,
}

#[derive(Deserialize)]
pub struct BlockView<'a> {
    #[serde(borrow, default)]
    pub title: Cow<'a, str>,
    #[serde(borrow, default)]
    pub entries: Vec<EntryView<'a>>,
}

#[derive(Deserialize)]
pub struct EntryView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    pub kind: Kind,
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    #[serde(borrow, default)]
    pub speaker: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub created: Cow<'a, str>,
}

impl EntryView<'_> {
    pub fn created(&self) -> Option<Stamp> {
        self.created.parse().ok()
    }
}

pub fn parse(bytes: &[u8]) -> Option<SessionView<'_>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // One pass over the whole file checks its UTF-8 faster than one per
    // string, which is what parsing from bytes does.
    serde_json::from_str(std::str::from_utf8(bytes).ok()?).ok()
}
