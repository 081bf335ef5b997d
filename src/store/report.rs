//! Where a report may be written. The user names the path, so an existing
//! report there is replaced (atomically: the old one or the new one, never
//! half of each); but a report never lands on a session, a sidecar, a
//! folder, a FIFO or a device, and never through a link.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::StoreError;
use super::files::{self, NotOurs};

/// What a written report replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The size of the file it replaced, if there was one.
    pub replaced: Option<u64>,
}

/// The session a report is made from, as `export -o` knows it.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a Path,
    pub id: &'a str,
}

/// Why `out` is no place for a report, if it is not. With a `source`, a
/// session file there is refused unless it is one of that session's own
/// exports (its id, or an anonymized copy made from it): replacing an
/// earlier `--format json` report is what the user asked for, replacing
/// another session is not.
pub fn refusal(sessions_dir: &Path, source: Option<Source>, out: &Path) -> Option<&'static str> {
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(_) => return Some("a path that cannot be examined"),
    };
    if let Some(m) = &meta {
        let ft = m.file_type();
        if ft.is_symlink() {
            return Some("a symbolic link (rapporteur does not write through links)");
        }
        if ft.is_dir() {
            return Some("a folder");
        }
        if !ft.is_file() {
            return Some("not a regular file (a FIFO, socket or device)");
        }
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if is_sidecar_name(&name) {
        return Some("a file that rapporteur keeps beside a session");
    }
    let in_sessions = match (
        files::parent(out).canonicalize(),
        sessions_dir.canonicalize(),
    ) {
        (Ok(a), Ok(b)) => a == b || a == b.join("trash"),
        _ => false,
    };
    if in_sessions && name.ends_with(".json") {
        return Some("a session's name in the sessions folder");
    }
    if let (Some(m), Some(src)) = (&meta, source) {
        use std::os::unix::fs::MetadataExt;
        let same =
            std::fs::metadata(src.path).is_ok_and(|s| s.dev() == m.dev() && s.ino() == m.ino());
        if same {
            return Some("the session being exported");
        }
        if super::probe::id(out).is_some_and(|id| id != src.id && !made_from(out, src.id)) {
            return Some("another rapporteur session");
        }
    }
    None
}

/// Whether the session file at `path` is an anonymized copy of `id`.
fn made_from(path: &Path, id: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct View {
        derived_from: Option<Derived>,
    }
    #[derive(serde::Deserialize)]
    struct Derived {
        anonymized_from: Option<String>,
    }
    super::read_limited(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<View>(&b).ok())
        .and_then(|v| v.derived_from?.anonymized_from)
        .is_some_and(|from| from == id)
}

/// `.NAME.json.KIND` and the folder's own caches.
fn is_sidecar_name(name: &str) -> bool {
    name == super::index::FILE_NAME
        || (name.starts_with('.')
            && [".lock", ".draft", ".journal", ".screen"]
                .iter()
                .any(|k| name.ends_with(k) && name.contains(".json.")))
}

/// Writes a report to `out`, replacing a report already there. The
/// folder must exist: a path the user typed wrong is not made.
pub fn write(
    sessions_dir: &Path,
    source: Option<Source>,
    out: &Path,
    bytes: &[u8],
) -> Result<Written, StoreError> {
    if let Some(what) = refusal(sessions_dir, source, out) {
        return Err(StoreError::ReportTarget {
            path: out.to_path_buf(),
            what,
        });
    }
    let replaced = std::fs::symlink_metadata(out).ok().map(|m| m.size());
    files::write_atomic(out, bytes).map_err(|source| match NotOurs::of(&source) {
        // Something was swapped in after the look above.
        Some(n) => StoreError::ReportTarget {
            path: out.to_path_buf(),
            what: n.what,
        },
        None => StoreError::Save {
            path: out.to_path_buf(),
            source,
        },
    })?;
    Ok(Written { replaced })
}

/// [`write`] into the app's own exports folder, made 0700 if missing: the
/// names there are the app's, and the user was asked before one is
/// replaced, an earlier JSON report included.
pub fn write_export(sessions_dir: &Path, out: &Path, bytes: &[u8]) -> Result<Written, StoreError> {
    let dir = files::parent(out).to_path_buf();
    files::ensure_dir(&dir).map_err(|source| StoreError::Folder { path: dir, source })?;
    write(sessions_dir, None, out, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Session, Stamp, Template};
    use crate::store::Store;

    #[test]
    fn a_report_never_lands_on_a_session_a_sidecar_or_a_special_file() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Store::new(tmp.path().join("sessions"));
        let s = Session::from_template(&Template::builtin(), Some("Kept"), Stamp::now());
        let session = store.create(&s).expect("create");
        let before = std::fs::read(&session).expect("read");
        let elsewhere = tmp.path().join("copy.json");
        std::fs::copy(&session, &elsewhere).expect("copy");
        let other = tmp.path().join("other.json");
        let o = Session::from_template(&Template::builtin(), Some("Other"), Stamp::now());
        std::fs::write(&other, crate::store::to_bytes(&o).expect("json")).expect("other");
        let other_before = std::fs::read(&other).expect("read");
        let src = Source {
            path: &session,
            id: &s.id,
        };
        let lock = crate::store::lock::lock_path(&session);
        std::fs::write(&lock, b"").expect("lock");
        let link = tmp.path().join("link.md");
        std::os::unix::fs::symlink(&session, &link).expect("link");
        let fifo = tmp.path().join("fifo.md");
        let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("c");
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        for bad in [
            session.clone(),
            other.clone(),
            lock.clone(),
            link.clone(),
            fifo.clone(),
            tmp.path().to_path_buf(),
            store.dir().join("new.json"),
        ] {
            let e = write(store.dir(), Some(src), &bad, b"# report")
                .expect_err(&bad.display().to_string());
            assert!(
                matches!(e, StoreError::ReportTarget { .. }),
                "{}: {e}",
                bad.display()
            );
        }
        assert_eq!(std::fs::read(&session).expect("read"), before);
        assert_eq!(std::fs::read(&other).expect("read"), other_before);
        // An earlier JSON export of this very session is replaced, as asked.
        assert!(write(store.dir(), Some(src), &elsewhere, b"{}").is_ok());
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        // A report is replaced, and says what it replaced.
        let report = tmp.path().join("report.md");
        assert_eq!(
            write(store.dir(), Some(src), &report, b"one")
                .expect("write")
                .replaced,
            None
        );
        assert_eq!(
            write(store.dir(), Some(src), &report, b"two!")
                .expect("write")
                .replaced,
            Some(3)
        );
        assert_eq!(std::fs::read(&report).expect("read"), b"two!");
    }
}
