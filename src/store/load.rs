//! Reading session files without trusting them: refuse what is not a
//! regular file, refuse what is too large before reading it, and turn
//! every parser complaint into an error that names the file, the line and
//! the column.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::error::LoadError;
use super::files::{self, NotOurs};
use crate::model::{SCHEMA_VERSION, Session};

/// Far above any real session (10,000 entries are about 4 MiB) and far
/// below what would hurt the machine.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Loaded {
    pub session: Session,
    /// Set when a newer rapporteur wrote the file: show it, never write it.
    pub newer_version: Option<i64>,
    /// The journal beside the file holds records written for another
    /// session (one deleted by hand, or a copy); they were not applied. The
    /// next writer sets the journal aside before it writes: see
    /// [`super::claim_sidecars`].
    pub foreign_journal: bool,
}

impl Loaded {
    pub fn read_only(&self) -> bool {
        self.newer_version.is_some()
    }
}

/// Reads a session: its snapshot, then whatever its journal adds.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let bytes = read_limited(path)?;
    load_bytes(path, &bytes)
}

/// [`load`] of bytes already read from `path`.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Loaded, LoadError> {
    let mut loaded = parse(path, bytes)?;
    let journal = super::journal::journal_path(path);
    // A journal that cannot be read adds nothing; the snapshot stands.
    if let Ok(meta) = std::fs::symlink_metadata(&journal)
        && meta.is_file()
        && meta.len() > 0
        && let Ok(jbytes) = read_limited(&journal)
    {
        let records = super::journal::parse_records(&jbytes);
        loaded.foreign_journal = super::journal::replay(&mut loaded.session, &records);
    }
    Ok(loaded)
}

/// Reads a session from bytes already read from `path`, for its first
/// frame only: see `model::preview`. The
/// result has placeholders for all but each block's newest `tail` entries
/// and must only be drawn, never kept or saved.
pub fn load_preview(path: &Path, bytes: &[u8], tail: usize) -> Result<Loaded, LoadError> {
    crate::model::preview::with_tail(tail, || load_bytes(path, bytes))
}

/// Reads at most [`MAX_FILE_BYTES`] from a regular file. A link at the
/// file's own name is refused like a FIFO or a folder: a session is the
/// file in the folder, and rapporteur never reads or writes through a link
/// (it could not write back to one without replacing it).
pub fn read_limited(path: &Path) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = files::open_read(path).map_err(|source| match NotOurs::of(&source) {
        Some(n) => LoadError::NotAFile {
            path: path.to_path_buf(),
            what: n.what,
        },
        None => io(source),
    })?;
    let too_large = |size| LoadError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: MAX_FILE_BYTES,
    };
    // Before reading a byte: a 10 GB file must cost nothing.
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // `take` bounds memory even if the file grows while we read it.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[derive(Deserialize)]
struct VersionProbe {
    schema_version: Option<serde_json::Value>,
}

/// Parses bytes already read from `path`.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded, LoadError> {
    // Editors on some systems add a byte-order mark; it is not an error.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // One pass over the whole file checks its UTF-8 faster than one per
    // string, which is what parsing from bytes does; bytes that are not
    // UTF-8 take the byte parser, for its error and position.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str::<Session>(text),
        Err(_) => serde_json::from_slice::<Session>(bytes),
    };
    match parsed {
        Ok(session) => {
            let v = session.schema_version;
            if v == SCHEMA_VERSION {
                Ok(Loaded {
                    session,
                    newer_version: None,
                    foreign_journal: false,
                })
            } else if v > SCHEMA_VERSION {
                Ok(Loaded {
                    session,
                    newer_version: Some(v),
                    foreign_journal: false,
                })
            } else {
                Err(LoadError::Version {
                    path: path.to_path_buf(),
                    version: v.to_string(),
                })
            }
        }
        Err(e) => Err(explain(path, bytes, e)),
    }
}

/// Turns a serde error into the most useful report: a syntax error as it
/// is; a shape error in a file of another schema version as a version
/// error, since that is what the user needs to know.
fn explain(path: &Path, bytes: &[u8], e: serde_json::Error) -> LoadError {
    use serde_json::error::Category;
    let (line, column) = (e.line(), e.column());
    let message =
        crate::model::display::sanitize_line(&strip_position(&e.to_string())).into_owned();
    // serde_json calls a number where an enum's name should be "expected
    // value", a syntax error; if the bytes are valid JSON, it is the shape.
    let category = match e.classify() {
        Category::Syntax
            if message.starts_with("expected value")
                && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() =>
        {
            Category::Data
        }
        c => c,
    };
    match category {
        Category::Syntax | Category::Eof | Category::Io => LoadError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message,
        },
        Category::Data => {
            if let Ok(VersionProbe {
                schema_version: Some(v),
            }) = serde_json::from_slice::<VersionProbe>(bytes)
                && v.as_i64() != Some(SCHEMA_VERSION)
            {
                let version = crate::model::display::sanitize_line(&v.to_string())
                    .chars()
                    .take(40)
                    .collect();
                return LoadError::Version {
                    path: path.to_path_buf(),
                    version,
                };
            }
            LoadError::Shape {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        }
    }
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
