//! The trash: a folder inside the sessions folder. Deleting a session
//! moves it there with its sidecars; it can be restored, and only emptying
//! the trash, asked for explicitly, removes anything for good.
//!
//! Every step goes through [`super::files`]: the trash folder is never
//! reached through a link, nothing is moved onto an existing name, and
//! emptying removes only the sessions the user was shown (and their
//! sidecars), never whatever else someone put there.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::files::{self, Dir};
use super::{Store, StoreError, is_locked, is_session_name, sidecar};

/// The sidecars that hold a session's text and go wherever it goes.
pub const SIDECARS: [&str; 2] = ["draft", "journal"];

/// Sidecars dropped when their session moves: the lock is only a name,
/// and the first-screen record is a cache that a move makes stale (it
/// holds entry text, so it must not stay behind either).
const DROPPED: [&str; 2] = ["lock", "screen"];

const TRASH: &str = "trash";

/// What emptying the trash did.
#[derive(Debug, Default, PartialEq)]
pub struct Emptied {
    /// Sessions removed for good.
    pub sessions: usize,
    /// What else was in the trash, left alone.
    pub left: Vec<PathBuf>,
}

impl Store {
    pub fn trash_dir(&self) -> PathBuf {
        self.dir().join(TRASH)
    }

    /// The trash folder, if there is one; never through a link.
    fn trash_folder(&self, create: bool) -> Result<Option<Dir>, StoreError> {
        let folder_err = |source| StoreError::Folder {
            path: self.trash_dir(),
            source,
        };
        let top = match Dir::open(self.dir()) {
            Ok(d) => d,
            Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(folder_err(source)),
        };
        let r = if create {
            top.sub_create(OsStr::new(TRASH))
        } else {
            top.sub(OsStr::new(TRASH))
        };
        match r {
            Ok(d) => Ok(Some(d)),
            Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(folder_err(source)),
        }
    }

    /// The sessions in the trash, by name. A trash folder that is a link
    /// shows as empty: it is not ours.
    pub fn trash_list(&self) -> Vec<PathBuf> {
        let Ok(Some(dir)) = self.trash_folder(false) else {
            return Vec::new();
        };
        let mut v: Vec<PathBuf> = dir
            .names()
            .unwrap_or_default()
            .into_iter()
            .filter(|n| is_session_name(n))
            .filter(|n| matches!(dir.kind(n), Ok(Some(rustix::fs::FileType::RegularFile))))
            .map(|n| dir.join(&n))
            .collect();
        v.sort();
        v
    }

    /// Moves a session and its sidecars into the trash. Refused while the
    /// session is open for writing somewhere.
    pub fn trash(&self, path: &Path) -> Result<PathBuf, StoreError> {
        if let Some(holder) = is_locked(path) {
            return Err(StoreError::Locked {
                path: path.to_path_buf(),
                holder,
            });
        }
        let trash = self.trash_folder(true)?.ok_or_else(|| StoreError::Folder {
            path: self.trash_dir(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        })?;
        let (from, name) = open_parent(path)?;
        move_session(&from, name, &trash)
    }

    /// Moves a session out of the trash, back into the sessions folder.
    pub fn restore(&self, trashed: &Path) -> Result<PathBuf, StoreError> {
        let Some(trash) = self.trash_folder(false)? else {
            return Err(StoreError::Save {
                path: trashed.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        };
        let name = trashed.file_name().ok_or_else(|| StoreError::Save {
            path: trashed.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::InvalidInput),
        })?;
        let top = Dir::open(self.dir()).map_err(|source| StoreError::Folder {
            path: self.dir().to_path_buf(),
            source,
        })?;
        move_session(&trash, name, &top)
    }

    /// Deletes, for good, the sessions in `listed` (what the trash showed)
    /// and their sidecars. Anything else in the trash is left and named.
    pub fn empty_trash(&self, listed: &[PathBuf]) -> Result<Emptied, StoreError> {
        let Some(dir) = self.trash_folder(false)? else {
            return Ok(Emptied::default());
        };
        let mut out = Emptied::default();
        for p in listed {
            let Some(name) = p.file_name() else { continue };
            // Only names inside this trash folder, as it was listed.
            if p.parent() != Some(dir.path()) || !is_session_name(name) {
                continue;
            }
            let gone = dir.remove(name).map_err(|source| StoreError::Save {
                path: p.clone(),
                source,
            })?;
            for kind in SIDECARS.iter().chain(&DROPPED) {
                let _ = dir.remove(&sidecar_name(name, kind));
            }
            for mine in versions_of(&dir, name) {
                let _ = dir.remove(&mine);
            }
            if gone {
                out.sessions += 1;
            }
        }
        out.left = dir
            .names()
            .unwrap_or_default()
            .into_iter()
            .map(|n| dir.join(&n))
            .collect();
        out.left.sort();
        let _ = dir.sync();
        Ok(out)
    }
}

/// What the home screen says once the trash is emptied.
pub fn emptied_notice(e: &Emptied) -> String {
    if e.left.is_empty() {
        return format!("The trash is empty ({} sessions deleted).", e.sessions);
    }
    let names: Vec<String> = e
        .left
        .iter()
        .take(3)
        .map(|p| {
            let n = p.file_name().unwrap_or_default().to_string_lossy();
            crate::model::display::sanitize(&n).into_owned()
        })
        .collect();
    let more = e.left.len().saturating_sub(names.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "{} sessions deleted; left alone in the trash, not rapporteur's: {}{more}.",
        e.sessions,
        names.join(", ")
    )
}

/// `NAME.mine-…` files beside the session `name` in `dir`.
fn versions_of(dir: &Dir, name: &OsStr) -> Vec<OsString> {
    let mut prefix = name.as_encoded_bytes().to_vec();
    prefix.extend_from_slice(b".mine-");
    dir.names()
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.as_encoded_bytes().starts_with(&prefix))
        .collect()
}

/// `.NAME.KIND`, as [`sidecar`] names it.
fn sidecar_name(name: &OsStr, kind: &str) -> OsString {
    sidecar(Path::new(name), kind)
        .file_name()
        .map(OsStr::to_os_string)
        .unwrap_or_default()
}

fn open_parent(path: &Path) -> Result<(Dir, &OsStr), StoreError> {
    Dir::of(path).map_err(|source| StoreError::Folder {
        path: files::parent(path).to_path_buf(),
        source,
    })
}

/// `NAME`, or `STEM-2.json`, … if that is taken in `dir`.
fn free_name(dir: &Dir, name: &OsStr) -> Result<OsString, StoreError> {
    let text = name.to_string_lossy();
    let stem = text.strip_suffix(".json").unwrap_or(&text).to_string();
    for n in 1..10_000 {
        let candidate = if n == 1 {
            name.to_os_string()
        } else {
            OsString::from(format!("{stem}-{n}.json"))
        };
        let taken = SIDECARS
            .iter()
            .map(|k| sidecar_name(&candidate, k))
            .chain([candidate.clone()])
            .any(|c| !matches!(dir.kind(&c), Ok(None)));
        if !taken {
            return Ok(candidate);
        }
    }
    Err(StoreError::Save {
        path: dir.join(name),
        source: std::io::Error::other("no free name"),
    })
}

/// Moves the session `name` and its sidecars from `from` to `to`. Every
/// sidecar must be a regular file or absent, checked before anything
/// moves; a failure part way moves back what had moved.
fn move_session(from: &Dir, name: &OsStr, to: &Dir) -> Result<PathBuf, StoreError> {
    let save_err = |path: PathBuf| move |source| StoreError::Save { path, source };
    for kind in SIDECARS {
        let side = sidecar_name(name, kind);
        match from.kind(&side) {
            Ok(None | Some(rustix::fs::FileType::RegularFile)) => {}
            Ok(Some(other)) => {
                return Err(StoreError::Save {
                    path: from.join(&side),
                    source: std::io::Error::other(files::NotOurs {
                        what: files::describe(other),
                    }),
                });
            }
            Err(e) => return Err(save_err(from.join(&side))(e)),
        }
    }
    let target = free_name(to, name)?;
    from.move_to(name, to, &target)
        .map_err(save_err(from.join(name)))
        .and_then(|moved| {
            if moved {
                Ok(())
            } else {
                Err(StoreError::Save {
                    path: from.join(name),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                })
            }
        })?;
    let mut moved: Vec<&str> = Vec::new();
    for kind in SIDECARS {
        let side = sidecar_name(name, kind);
        if let Err(source) = from.move_to(&side, to, &sidecar_name(&target, kind)) {
            // Put back what had moved: a session must not be split.
            for k in moved {
                let _ = to.move_to(&sidecar_name(&target, k), from, &sidecar_name(name, k));
            }
            let _ = to.move_to(&target, from, name);
            return Err(StoreError::Save {
                path: from.join(&side),
                source,
            });
        }
        moved.push(kind);
    }
    for kind in DROPPED {
        let _ = from.remove(&sidecar_name(name, kind));
    }
    // The app's own versions saved beside the file (`store::guard`) hold
    // its text too; one whose name is taken in `to` stays, and is named.
    for mine in versions_of(from, name) {
        use std::os::unix::ffi::OsStrExt;
        let mut to_name = target.clone();
        to_name.push(OsStr::from_bytes(&mine.as_bytes()[name.len()..]));
        let _ = from.move_to(&mine, to, &to_name);
    }
    let _ = to.sync();
    let _ = from.sync();
    Ok(to.join(&target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Session, Stamp, Template};

    #[test]
    fn trash_and_restore_keep_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let s = Session::from_template(&Template::builtin(), Some("Gone"), Stamp::now());
        let p = store.create(&s).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let t = store.trash(&p).unwrap();
        assert!(!p.exists());
        assert_eq!(store.trash_list(), vec![t.clone()]);
        assert_eq!(store.list().unwrap().sessions.len(), 0);
        // A new session takes the old name meanwhile; restoring does not
        // overwrite it.
        let p2 = store.create(&s).unwrap();
        assert_eq!(p2, p);
        let back = store.restore(&t).unwrap();
        assert_ne!(back, p);
        assert_eq!(std::fs::read(&back).unwrap(), bytes);
        assert_eq!(store.list().unwrap().sessions.len(), 2);
        assert!(store.trash_list().is_empty());
    }

    #[test]
    fn a_locked_session_is_not_trashed_and_empty_removes_for_good() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let s = Session::from_template(&Template::builtin(), Some("Held"), Stamp::now());
        let p = store.create(&s).unwrap();
        let lock = crate::store::acquire(&p).unwrap();
        assert!(matches!(store.trash(&p), Err(StoreError::Locked { .. })));
        drop(lock);
        store.trash(&p).unwrap();
        let listed = store.trash_list();
        assert_eq!(store.empty_trash(&listed).unwrap().sessions, 1);
        assert!(store.trash_list().is_empty());
    }

    fn session_in(store: &Store, title: &str) -> PathBuf {
        let s = Session::from_template(&Template::builtin(), Some(title), Stamp::now());
        store.create(&s).unwrap()
    }

    #[test]
    fn a_trash_folder_that_is_a_link_is_never_entered() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep.json"), b"theirs").unwrap();
        let store = Store::new(dir.path());
        let p = session_in(&store, "Linked trash");
        std::os::unix::fs::symlink(outside.path(), store.trash_dir()).unwrap();
        assert!(store.trash_list().is_empty(), "listed through the link");
        let e = store.trash(&p).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(p.exists(), "the session stays where it was");
        let e = store
            .empty_trash(&[store.trash_dir().join("keep.json")])
            .unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(
            std::fs::read(outside.path().join("keep.json")).unwrap(),
            b"theirs"
        );
    }

    #[test]
    fn emptying_removes_only_what_was_listed_and_names_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let a = session_in(&store, "Listed");
        crate::store::journal::append(
            &a,
            &crate::store::journal::Owner::of(&crate::store::load(&a).unwrap().session),
            &[],
        )
        .unwrap();
        std::fs::write(crate::store::draft_path(&a), b"{}").unwrap();
        let mine = a.with_file_name(format!(
            "{}.mine-20261202-101010",
            a.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&mine, b"our version").unwrap();
        let t = store.trash(&a).unwrap();
        let mine_in_trash = t.with_file_name(format!(
            "{}.mine-20261202-101010",
            t.file_name().unwrap().to_string_lossy()
        ));
        assert!(
            !mine.exists() && mine_in_trash.exists(),
            "our version went along"
        );
        assert!(
            crate::store::draft_path(&t).exists(),
            "the draft went along"
        );
        let listed = store.trash_list();
        // Put there after the trash was shown, or by someone else.
        let late = session_in(&store, "Late");
        let late = store.trash(&late).unwrap();
        let foreign = store.trash_dir().join("notes.txt");
        std::fs::write(&foreign, b"not ours").unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, store.trash_dir().join("link.json")).unwrap();
        let e = store.empty_trash(&listed).unwrap();
        assert_eq!(e.sessions, 1);
        assert!(!t.exists() && !crate::store::draft_path(&t).exists());
        assert!(!mine_in_trash.exists(), "our version went with it");
        assert!(late.exists(), "not listed, so not removed");
        assert_eq!(std::fs::read(&foreign).unwrap(), b"not ours");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        let left: Vec<String> = e
            .left
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(left.contains(&"notes.txt".to_string()), "{left:?}");
        assert!(left.contains(&"link.json".to_string()), "{left:?}");
        assert!(emptied_notice(&e).contains("notes.txt"));
    }

    #[test]
    fn a_planted_sidecar_stops_the_move_and_nothing_moves() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let p = session_in(&store, "Planted");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let journal = crate::store::journal::journal_path(&p);
        std::os::unix::fs::symlink(&victim, &journal).unwrap();
        let e = store.trash(&p).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(p.exists());
        assert!(
            std::fs::symlink_metadata(&journal)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }
}
