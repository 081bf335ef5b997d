use std::io;
use std::path::{Path, PathBuf};

/// Why a session file could not be read. Every variant says which file,
/// what went wrong and, in `hint`, what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: is {what}, not a session file", path.display())]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("{}: {size} bytes is larger than the {limit}-byte limit for a session file; it was not read", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{}: not valid JSON at line {line}, column {column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: not a rapporteur session at line {line}, column {column}: {message}", path.display())]
    Shape {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: schema_version {version} is not one this build can read (it reads {})", path.display(), crate::model::SCHEMA_VERSION)]
    Version { path: PathBuf, version: String },
    /// Shown with its name made readable (invalid bytes as U+FFFD): such a
    /// name cannot be typed, printed in JSON or told apart from another.
    #[error("{}: the file name is not valid UTF-8; it was not read", path.display())]
    BadName { path: PathBuf },
}

impl LoadError {
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. }
            | LoadError::NotAFile { path, .. }
            | LoadError::TooLarge { path, .. }
            | LoadError::Syntax { path, .. }
            | LoadError::Shape { path, .. }
            | LoadError::Version { path, .. }
            | LoadError::BadName { path } => path,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            LoadError::Io { .. } => "check that the file exists and that you may read it",
            LoadError::NotAFile { what, .. } if what.starts_with("a symbolic link") => {
                "rapporteur never reads or writes through a link: move the real file into the sessions folder in place of the link"
            }
            LoadError::NotAFile { .. } => {
                "remove it from the sessions folder or point at a regular file"
            }
            LoadError::TooLarge { .. } => {
                "this is not a file rapporteur wrote; move it out of the sessions folder"
            }
            LoadError::Syntax { .. } | LoadError::Shape { .. } => {
                "the file was left untouched; fix it in a text editor at that line, or restore it from a backup"
            }
            LoadError::Version { .. } => {
                "a newer rapporteur wrote it; open it with that version (this one will not change it)"
            }
            LoadError::BadName { .. } => {
                "rename it to a name in UTF-8 (e.g. with `mv` and tab completion), ending in .json"
            }
        }
    }
}

/// What to do when a link, FIFO, folder or device stands where the app
/// keeps one of its own files.
pub const NOT_OURS_HINT: &str = "nothing was written there: if you did not put it there, remove it (it is not a file rapporteur made) and try again";

/// Failures of the store: saving, locking, finding sessions.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot save {}: {source}", path.display())]
    Save { path: PathBuf, source: io::Error },
    #[error("cannot create the folder {}: {source}", path.display())]
    Folder { path: PathBuf, source: io::Error },
    #[error("cannot read the folder {}: {source}", path.display())]
    ReadFolder { path: PathBuf, source: io::Error },
    #[error("{} is open for writing in another rapporteur ({holder})", path.display())]
    Locked { path: PathBuf, holder: String },
    #[error("cannot lock {}: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error("{} was written by a newer rapporteur and is read-only here", path.display())]
    ReadOnly { path: PathBuf },
    #[error("no session matches {spec:?} in {}", dir.display())]
    NotFound { spec: String, dir: PathBuf },
    #[error("{spec:?} matches more than one session: {}", matches.join(", "))]
    Ambiguous { spec: String, matches: Vec<String> },
    #[error("will not write a report onto {}: it is {what}; nothing was written", path.display())]
    ReportTarget { path: PathBuf, what: &'static str },
    /// Two files claim one session (a copy, a restored backup): writing
    /// into either could be writing into the wrong one.
    #[error("{} files have the session id {id:?}: {}", paths.len(), paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    SameId { id: String, paths: Vec<PathBuf> },
    #[error("cannot serialize the session: {0}")]
    Serialize(#[from] serde_json::Error),
}

impl StoreError {
    pub fn hint(&self) -> &'static str {
        if let StoreError::Save { source, .. }
        | StoreError::Lock { source, .. }
        | StoreError::Folder { source, .. } = self
            && super::files::NotOurs::of(source).is_some()
        {
            return NOT_OURS_HINT;
        }
        match self {
            StoreError::Load(e) => e.hint(),
            StoreError::Save { .. } => {
                "nothing was lost: the previous file is unchanged; free some disk space or fix the folder's permissions"
            }
            StoreError::Folder { .. } | StoreError::ReadFolder { .. } => {
                "check the path, or choose another folder with --sessions-dir"
            }
            StoreError::Locked { .. } => "close the session in the other window first",
            StoreError::Lock { .. } => "check that you may write to the sessions folder",
            StoreError::ReadOnly { .. } => "open it with the newer version of rapporteur",
            StoreError::NotFound { .. } => {
                "run `rapporteur list` to see the sessions and their ids"
            }
            StoreError::Ambiguous { .. } => "type more of the id",
            StoreError::ReportTarget { .. } => {
                "give -o a new file name or an earlier report's, outside the sessions folder (-o - writes to standard output)"
            }
            StoreError::SameId { .. } => {
                "move one away (out of the sessions folder), or give the file's path"
            }
            StoreError::Serialize(_) => "this is a bug; please report it",
        }
    }
}
