//! The trash: a folder inside the sessions folder. Deleting a session
//! moves it there (with its draft); it can be restored, and only emptying
//! the trash, asked for explicitly, removes anything for good.

use std::path::{Path, PathBuf};

use super::{Store, StoreError, atomic, draft_path, is_locked};

impl Store {
    pub fn trash_dir(&self) -> PathBuf {
        self.dir().join("trash")
    }

    /// The sessions in the trash, by name.
    pub fn trash_list(&self) -> Vec<PathBuf> {
        let Ok(rd) = std::fs::read_dir(self.trash_dir()) else {
            return Vec::new();
        };
        let mut v: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                !n.starts_with('.') && n.ends_with(".json")
            })
            .collect();
        v.sort();
        v
    }

    /// Moves a session (and its draft) into the trash. Refused while the
    /// session is open for writing somewhere.
    pub fn trash(&self, path: &Path) -> Result<PathBuf, StoreError> {
        if let Some(holder) = is_locked(path) {
            return Err(StoreError::Locked {
                path: path.to_path_buf(),
                holder,
            });
        }
        let dir = self.trash_dir();
        atomic::ensure_dir(&dir).map_err(|source| StoreError::Folder {
            path: dir.clone(),
            source,
        })?;
        let target = free_name(&dir, path)?;
        move_with_draft(path, &target)?;
        Ok(target)
    }

    /// Moves a session out of the trash, back into the sessions folder.
    pub fn restore(&self, trashed: &Path) -> Result<PathBuf, StoreError> {
        let target = free_name(self.dir(), trashed)?;
        move_with_draft(trashed, &target)?;
        Ok(target)
    }

    /// Deletes everything in the trash, for good. Returns how many
    /// sessions went.
    pub fn empty_trash(&self) -> Result<usize, StoreError> {
        let dir = self.trash_dir();
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return Ok(0);
        };
        let mut n = 0;
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_file() {
                if p.extension().is_some_and(|x| x == "json") {
                    n += 1;
                }
                std::fs::remove_file(&p).map_err(|source| StoreError::Save {
                    path: p.clone(),
                    source,
                })?;
            }
        }
        Ok(n)
    }
}

/// `dir/NAME`, or `dir/STEM-2.json`, … if that is taken.
fn free_name(dir: &Path, path: &Path) -> Result<PathBuf, StoreError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session.json".into());
    let stem = name.strip_suffix(".json").unwrap_or(&name).to_string();
    for n in 1..10_000 {
        let candidate = if n == 1 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem}-{n}.json"))
        };
        if !candidate.exists() {
            return Ok(candidate);
        }
    }
    Err(StoreError::Save {
        path: dir.join(name),
        source: std::io::Error::other("no free name"),
    })
}

fn move_with_draft(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to).map_err(|source| StoreError::Save {
        path: to.to_path_buf(),
        source,
    })?;
    let draft = draft_path(from);
    if draft.exists() {
        let _ = std::fs::rename(&draft, draft_path(to));
    }
    // The journal is part of the session: it goes too, or the move fails
    // back to where it was.
    let journal = super::journal::journal_path(from);
    if journal.exists()
        && let Err(source) = std::fs::rename(&journal, super::journal::journal_path(to))
    {
        let _ = std::fs::rename(to, from);
        return Err(StoreError::Save {
            path: journal,
            source,
        });
    }
    // The lock file of a session nobody holds is only a name; drop it so
    // it does not outlive its session.
    let _ = std::fs::remove_file(super::lock::lock_path(from));
    // The first-screen record holds entry text: it must not stay behind.
    super::screen::remove(from);
    if let Some(d) = to.parent() {
        let _ = atomic::sync_dir(d);
    }
    if let Some(d) = from.parent() {
        let _ = atomic::sync_dir(d);
    }
    Ok(())
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
        assert_eq!(store.empty_trash().unwrap(), 1);
        assert!(store.trash_list().is_empty());
    }
}
