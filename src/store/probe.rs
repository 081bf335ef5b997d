//! A fast partial read: the session id of a file, for finding a session by
//! id without building every session of the folder.
//!
//! rapporteur writes `id` second, so the id is in the first few hundred
//! bytes of every file it wrote: the probe reads the file's head and stops
//! parsing at the top-level `id`. A file whose id is not in its head (hand
//! edited, fields reordered) is read whole, with serde skipping the rest
//! without allocating.

use std::cell::RefCell;
use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde::de::{Error, IgnoredAny, MapAccess, Visitor};

use super::read_limited;

/// How much of a file's head to look at before reading it whole.
const HEAD_BYTES: u64 = 16 * 1024;

#[derive(Deserialize)]
struct IdView {
    id: String,
}

/// The session id in a file, or `None` when it is not readable as one;
/// the full load then says why, if the file is asked for.
pub fn id(path: &Path) -> Option<String> {
    if let Some(id) = id_in_head(path) {
        return Some(id);
    }
    let bytes = read_limited(path).ok()?;
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    serde_json::from_slice::<IdView>(body).ok().map(|v| v.id)
}

/// Stops at the top-level `id` by failing on purpose once it is found;
/// the id itself comes out through `found`.
struct StopAtId<'a> {
    found: &'a RefCell<Option<String>>,
}

impl<'de> Visitor<'de> for StopAtId<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a session object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "id" {
                let id: String = map.next_value()?;
                *self.found.borrow_mut() = Some(id);
                return Err(A::Error::custom("found"));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

fn id_in_head(path: &Path) -> Option<String> {
    // Only regular files, never through a link, opened without blocking:
    // the same rule as the full read.
    let file = super::files::open_read(path).ok()?;
    let mut head = Vec::with_capacity(HEAD_BYTES as usize);
    file.take(HEAD_BYTES).read_to_end(&mut head).ok()?;
    let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = serde::Deserializer::deserialize_map(&mut de, StopAtId { found: &found });
    found.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_top_level_id_in_the_head_or_in_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let cases: &[(&str, String, Option<&str>)] = &[
            (
                "plain",
                r#"{"schema_version":1,"id":"abc","x":1}"#.into(),
                Some("abc"),
            ),
            ("bom", "\u{feff}{\"id\":\"bom\"}".into(), Some("bom")),
            // A nested id is not the session's.
            (
                "nested",
                r#"{"blocks":[{"id":"block"}],"id":"top"}"#.into(),
                Some("top"),
            ),
            // Beyond the head: found by the whole read.
            (
                "late",
                format!(
                    r#"{{"pad":"{}","id":"late"}}"#,
                    "x".repeat(HEAD_BYTES as usize * 2)
                ),
                Some("late"),
            ),
            ("none", r#"{"title":"no id"}"#.into(), None),
            ("array", r#"[{"id":"no"}]"#.into(), None),
            ("number", r#"{"id":7}"#.into(), None),
            ("garbage", "\u{0}\u{1b}[2J".into(), None),
        ];
        for (name, text, want) in cases {
            let p = dir.path().join(format!("{name}.json"));
            std::fs::write(&p, text).unwrap();
            assert_eq!(id(&p).as_deref(), *want, "{name}");
        }
        let fifo = dir.path().join("fifo.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(id(&fifo), None);
    }
}
