//! Where sessions live on disk: the folder, file names, atomic saves, the
//! writer lock, listing and finding sessions.

mod claim;
mod error;
pub mod fault;
pub mod files;
pub mod guard;
mod identity;
pub mod index;
pub mod journal;
mod load;
pub mod lock;
mod probe;
pub mod report;
pub mod saver;
pub mod screen;
pub mod trash;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use claim::claim_sidecars;
pub use error::{LoadError, StoreError};
pub use identity::{files_in, name_is_utf8};
use identity::{mark_same_ids, one_file};
pub use load::{Loaded, MAX_FILE_BYTES, load, load_bytes, load_preview, parse, read_limited};
pub use lock::{SessionLock, acquire, is_locked, sidecar};

use crate::model::{Draft, Kind, Session, Stamp};

pub const ENV_DIR: &str = "RAPPORTEUR_SESSIONS_DIR";

/// The sessions folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// One line of `list`: what the home screen and `list` show without
/// keeping whole sessions in memory.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: String,
    pub path: PathBuf,
    pub title: crate::model::Label,
    pub date: Option<jiff::civil::Date>,
    pub location: crate::model::Label,
    pub entries: usize,
    pub recommendations: usize,
    pub updated: Stamp,
    pub ended: bool,
    pub read_only: bool,
    /// The other files of the folder that carry the same session id.
    /// A session is its id: while this is not empty, neither file can be
    /// named by id.
    pub same_id_as: Vec<PathBuf>,
}

impl Summary {
    pub fn of(path: &Path, loaded: &Loaded) -> Summary {
        let s = &loaded.session;
        Summary {
            id: s.id.clone(),
            path: path.to_path_buf(),
            title: s.title.clone(),
            date: s.date,
            location: s.location.clone(),
            entries: s.entry_count(),
            recommendations: s.count(Kind::Recommendation),
            updated: s.updated,
            ended: s.ended.is_some(),
            read_only: loaded.read_only(),
            same_id_as: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Listing {
    /// Newest first.
    pub sessions: Vec<Summary>,
    pub bad: Vec<LoadError>,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// `--sessions-dir`, else `$RAPPORTEUR_SESSIONS_DIR`, else the platform
    /// data folder (on Linux `~/.local/share/rapporteur/sessions`).
    pub fn locate(flag: Option<PathBuf>) -> Store {
        let dir = flag
            .or_else(|| {
                std::env::var_os(ENV_DIR)
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(default_dir);
        Store::new(dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// User templates live beside the sessions folder.
    pub fn templates_dir(&self) -> PathBuf {
        match self.dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.join("templates"),
            _ => self.dir.join("templates"),
        }
    }

    /// Reports written from the review screen go beside the sessions.
    pub fn exports_dir(&self) -> PathBuf {
        match self.dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.join("exports"),
            _ => self.dir.join("exports"),
        }
    }

    pub fn ensure(&self) -> Result<(), StoreError> {
        files::ensure_dir(&self.dir).map_err(|source| StoreError::Folder {
            path: self.dir.clone(),
            source,
        })
    }

    /// Writes a new session under a fresh file name made from its date and
    /// title, and returns the path.
    pub fn create(&self, session: &Session) -> Result<PathBuf, StoreError> {
        self.ensure()?;
        let bytes = to_bytes(session)?;
        let stem = file_stem(session);
        for n in 1..10_000 {
            let name = if n == 1 {
                format!("{stem}.json")
            } else {
                format!("{stem}-{n}.json")
            };
            let path = self.dir.join(name);
            match files::write_new(&path, &bytes) {
                Ok(()) => return Ok(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(StoreError::Save { path, source }),
            }
        }
        Err(StoreError::Save {
            path: self.dir.join(format!("{stem}.json")),
            source: std::io::Error::other("too many sessions with this date and title"),
        })
    }

    /// The session files in the folder: visible `*.json` files at its top,
    /// whatever bytes their names are made of (see [`name_is_utf8`]).
    pub fn session_paths(&self) -> Result<Vec<PathBuf>, StoreError> {
        let rd = std::fs::read_dir(&self.dir).map_err(|source| StoreError::ReadFolder {
            path: self.dir.clone(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .filter(|e| is_session_name(&e.file_name()))
            .map(|e| e.path())
            .collect();
        paths.sort();
        Ok(paths)
    }

    /// Loads every session, on all cores. Unreadable files are collected
    /// with their errors; they never stop the others.
    pub fn list(&self) -> Result<Listing, StoreError> {
        self.list_at(std::time::SystemTime::now())
    }

    /// [`Store::list`] as if it ran at `now`, which decides which files
    /// have settled enough for their summaries to be cached.
    pub(crate) fn list_at(&self, now: std::time::SystemTime) -> Result<Listing, StoreError> {
        if !self.dir.exists() {
            return Ok(Listing::default());
        }
        let paths = self.session_paths()?;
        let mut cache = index::Cache::open(&self.dir);
        let results = par_map(&paths, |p| {
            if !name_is_utf8(p) {
                return Err(LoadError::BadName { path: p.clone() });
            }
            // Stat before reading: see `index::Cache::keep`.
            let keys = index::Keys::of(p);
            match cache.get(p, keys) {
                Some(s) => Ok((s, keys)),
                None => self
                    .load_inside(p)
                    .map(|loaded| (Summary::of(p, &loaded), keys)),
            }
        });
        let mut listing = Listing::default();
        for r in results {
            match r {
                Ok((s, keys)) => {
                    cache.keep(&s, keys, now);
                    listing.sessions.push(s);
                }
                Err(e) => listing.bad.push(e),
            }
        }
        cache.finish();
        screen::prune(&self.dir, &paths);
        mark_same_ids(&mut listing.sessions);
        listing.sessions.sort_by(|a, b| {
            (b.date, b.updated.instant, &b.id, &b.path).cmp(&(
                a.date,
                a.updated.instant,
                &a.id,
                &a.path,
            ))
        });
        Ok(listing)
    }

    /// Refuses a link that leads out of the folder: listing a folder must
    /// not read files elsewhere.
    fn load_inside_check(&self, path: &Path) -> Result<(), LoadError> {
        if let Ok(meta) = std::fs::symlink_metadata(path)
            && meta.file_type().is_symlink()
        {
            let inside = match (path.canonicalize(), self.dir.canonicalize()) {
                (Ok(target), Ok(dir)) => target.starts_with(dir),
                _ => false,
            };
            if !inside {
                return Err(LoadError::NotAFile {
                    path: path.to_path_buf(),
                    what: "a symbolic link, which rapporteur does not follow",
                });
            }
        }
        Ok(())
    }

    /// Loads a file found in the folder. A link that leads out of the
    /// folder is refused: listing a folder must not read files elsewhere.
    pub fn load_inside(&self, path: &Path) -> Result<Loaded, LoadError> {
        self.load_inside_check(path)?;
        load(path)
    }

    /// Finds a session by path, id, or unique prefix of an id.
    pub fn resolve(&self, spec: &str) -> Result<PathBuf, StoreError> {
        let as_path = Path::new(spec);
        if (spec.contains('/') || spec.ends_with(".json")) && as_path.exists() {
            return Ok(as_path.to_path_buf());
        }
        let not_found = || StoreError::NotFound {
            spec: spec.to_string(),
            dir: self.dir.clone(),
        };
        if spec.is_empty() || !self.dir.exists() {
            return Err(not_found());
        }
        // Ids only: a full load of every session would cost far more.
        let paths = self.session_paths()?;
        let cache = index::Cache::open(&self.dir);
        let ids = par_map(&paths, |p| {
            if let Some(id) = cache.id(p, index::Keys::of(p)) {
                return Some(id);
            }
            let inside = self.load_inside_check(p).is_ok();
            inside.then(|| probe::id(p)).flatten()
        });
        let found: Vec<(&PathBuf, String)> = paths
            .iter()
            .zip(ids)
            .filter_map(|(p, id)| id.map(|id| (p, id)))
            .collect();
        let exact: Vec<&(&PathBuf, String)> = found.iter().filter(|(_, id)| id == spec).collect();
        if !exact.is_empty() {
            return one_file(spec, &exact);
        }
        let by_prefix: Vec<&(&PathBuf, String)> = found
            .iter()
            .filter(|(_, id)| id.starts_with(spec))
            .collect();
        let mut distinct: Vec<&str> = by_prefix.iter().map(|(_, id)| id.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        match distinct.as_slice() {
            [_] => one_file(spec, &by_prefix),
            [] => {
                // A file name without its folder is a fine way to say which.
                // So is its name without `.json`, as `ls` shows it.
                [self.dir.join(spec), self.dir.join(format!("{spec}.json"))]
                    .into_iter()
                    .find(|p| p.is_file() && !spec.contains('/'))
                    .ok_or_else(not_found)
            }
            many => Err(StoreError::Ambiguous {
                spec: spec.to_string(),
                matches: many.iter().map(|id| id.to_string()).collect(),
            }),
        }
    }

    /// The most recently updated session that has not ended.
    pub fn latest_open(&self) -> Result<Option<Summary>, StoreError> {
        let listing = self.list()?;
        Ok(listing
            .sessions
            .into_iter()
            .filter(|s| !s.ended && !s.read_only)
            .max_by_key(|s| s.updated.instant))
    }
}

/// Whether a file name is a session's: visible and ending in `.json`
/// (judged on its bytes, so a name that is not UTF-8 is still one).
pub(crate) fn is_session_name(name: &std::ffi::OsStr) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let b = name.as_bytes();
    !b.starts_with(b".") && b.ends_with(b".json")
}

/// The kind of network file system `dir` is on, if it is on one: locks
/// and fsync there do not promise what they do on a local disk.
pub fn network_fs(dir: &Path) -> Option<&'static str> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `st` a valid out-pointer.
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    network_fs_kind(st.f_type as i64)
}

/// Names the network file systems by their statfs magic number.
pub fn network_fs_kind(magic: i64) -> Option<&'static str> {
    match magic {
        0x6969 => Some("NFS"),
        0x517B => Some("SMB"),
        0xFF53_4D42 => Some("CIFS"),
        0xFE53_4D42 => Some("SMB2"),
        0x6573_5546 => Some("a FUSE file system (sshfs?)"),
        0x0102_1997 => Some("9P"),
        0x0BD0_0BD0 => Some("Lustre"),
        0x47504653 => Some("GPFS"),
        _ => None,
    }
}

pub fn default_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "rapporteur")
        .map(|d| d.data_dir().join("sessions"))
        .unwrap_or_else(|| PathBuf::from("rapporteur-sessions"))
}

/// Pretty JSON with a final newline, in the struct's field order, so that
/// a folder of sessions diffs well.
pub fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Saves a session over its file. Refuses a session that a newer version
/// wrote, whatever the caller thinks.
pub fn save(path: &Path, session: &Session) -> Result<(), StoreError> {
    if session.schema_version > crate::model::SCHEMA_VERSION {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    let bytes = to_bytes(session)?;
    write_bytes(path, &bytes)
}

pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    files::write_atomic(path, bytes).map_err(|source| StoreError::Save {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes a template, creating its folder 0700 if need be.
pub fn save_template(path: &Path, template: &crate::model::Template) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        files::ensure_dir(dir).map_err(|source| StoreError::Folder {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    write_bytes(path, &to_bytes(template)?)
}

/// The user's templates in `dir`, by file stem, skipping unreadable ones.
pub fn list_templates(dir: &Path) -> Vec<(String, crate::model::Template)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, crate::model::Template)> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            let bytes = read_limited(&p).ok()?;
            let t = serde_json::from_slice(&bytes).ok()?;
            Some((name, t))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

pub fn draft_path(session_path: &Path) -> PathBuf {
    sidecar(session_path, "draft")
}

/// The unsent draft, if one was saved and is readable. A damaged draft is
/// reported as absent: the session itself is what matters.
pub fn load_draft(session_path: &Path) -> Option<Draft> {
    let path = draft_path(session_path);
    let bytes = read_limited(&path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub fn save_draft(session_path: &Path, draft: &Draft) -> Result<(), StoreError> {
    let path = draft_path(session_path);
    write_bytes(&path, &to_bytes(draft)?)
}

pub fn clear_draft(session_path: &Path) -> Result<(), StoreError> {
    let path = draft_path(session_path);
    match files::remove(&path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Save { path, source }),
    }
}

/// The longest file name that Linux file systems (ext4, btrfs, XFS, tmpfs)
/// and macOS accept, in bytes.
pub const NAME_MAX: usize = 255;

/// The longest stem of a session file's name, in bytes, so that every name
/// built from it fits in [`NAME_MAX`]: the longest sidecar `.NAME.journal`
/// adds 1 + 8, a name already taken `-9999` (5), the extension `.json` (5),
/// and a copy kept beside the file, `NAME.mine-TIMESTAMP`, up to 40 more.
pub const STEM_MAX: usize = NAME_MAX - (1 + 8) - 5 - 5 - 40;

/// `YYYY-MM-DD-slug`: the date and a slug of the title, at most
/// [`STEM_MAX`] bytes.
pub fn file_stem(session: &Session) -> String {
    let date = session
        .date
        .map(|d| d.to_string())
        .unwrap_or_else(|| session.created.date().to_string());
    let stem = format!("{date}-{}", slug(&session.title));
    let mut end = stem.len().min(STEM_MAX);
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    stem[..end].trim_end_matches('-').to_string()
}

/// The longest slug: what is left of [`STEM_MAX`] after `YYYY-MM-DD-`.
const SLUG_MAX: usize = STEM_MAX - "YYYY-MM-DD-".len();

/// Lowercase letters and digits of any script, joined by single hyphens,
/// at most 60 characters (hyphens included) and [`SLUG_MAX`] bytes (60 letters of a 4-byte
/// script such as Gothic would be 240), cut between characters. Nothing
/// else survives: no dots, slashes, controls or invisible characters, so
/// no title can leave the folder, hide a file, or give it an odd name.
pub fn slug(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    let mut chars = 0;
    let mut dash = false;
    for c in title.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            let sep = dash && !out.is_empty();
            dash = false;
            let more = usize::from(sep) + 1;
            if chars + more > 60 || out.len() + usize::from(sep) + c.len_utf8() > SLUG_MAX {
                break;
            }
            if sep {
                out.push('-');
            }
            out.push(c);
            chars += more;
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        "session".to_string()
    } else {
        out
    }
}

/// Maps `f` over `items` on up to two threads; parsing is CPU-bound and
/// the machines this runs on have few cores.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if threads < 2 || items.len() < 8 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests;
