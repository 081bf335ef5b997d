//! What the holder of a session's lock does before its first write: make
//! sure every sidecar it will append to, empty or replace is the
//! session's own. A journal or draft written for another session (one
//! deleted by hand whose file name a new session took, or a copy) is set
//! aside with its text, never applied and never emptied.

use std::path::Path;

use super::journal::{self, journal_path};
use super::{Loaded, StoreError, draft_path, load_draft};

/// Sets aside the sidecars of `path` that are not `loaded`'s, and says
/// what it did, a sentence each, for the user. Call with the lock held and
/// only for a session this process may write.
pub fn claim_sidecars(path: &Path, loaded: &Loaded) -> Result<Vec<String>, StoreError> {
    let mut notes = Vec::new();
    let session = &loaded.session;
    if loaded.foreign_journal {
        // Records of this session's own may have been replayed from the
        // same journal: put them into the file before the journal goes.
        super::save(path, session)?;
        let from = journal_path(path);
        let to = journal::set_aside(&from).map_err(|source| StoreError::Save {
            path: from.clone(),
            source,
        })?;
        notes.push(format!(
            "A journal written for another session was beside this one; it was not applied, and is kept as {}.",
            to.display()
        ));
    }
    if let Some(d) = load_draft(path)
        && d.session_id != session.id
    {
        let from = draft_path(path);
        let to = journal::set_aside(&from).map_err(|source| StoreError::Save {
            path: from.clone(),
            source,
        })?;
        notes.push(format!(
            "A draft written for another session was beside this one; it was not applied, and is kept as {}.",
            to.display()
        ));
    }
    Ok(notes)
}
