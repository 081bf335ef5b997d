//! A session is its id, and its file has a name every tool can handle:
//! which files share an id, which names are not UTF-8, and the files a
//! dialog would replace.

use std::path::{Path, PathBuf};

use super::{LoadError, StoreError, Summary};

/// The one file that carries the id `spec` stands for. Two files with one
/// id are refused: a command given the id cannot know which one is meant,
/// and writing into the first one found may be writing into a stale copy.
pub(super) fn one_file(spec: &str, matches: &[&(&PathBuf, String)]) -> Result<PathBuf, StoreError> {
    match matches {
        [(path, _)] if name_is_utf8(path) => Ok((*path).clone()),
        // Listed as unreadable: naming it by id must not reach it either.
        [(path, _)] => Err(LoadError::BadName {
            path: (*path).clone(),
        }
        .into()),
        many => Err(StoreError::SameId {
            id: many
                .first()
                .map(|(_, id)| id.clone())
                .unwrap_or_else(|| spec.to_string()),
            paths: many.iter().map(|(p, _)| (*p).clone()).collect(),
        }),
    }
}

/// Fills in [`Summary::same_id_as`]: every file of a shared id names the
/// others.
pub(super) fn mark_same_ids(sessions: &mut [Summary]) {
    let mut by_id: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, s) in sessions.iter().enumerate() {
        by_id.entry(s.id.as_str()).or_default().push(i);
    }
    let shared: Vec<(usize, Vec<PathBuf>)> = by_id
        .values()
        .filter(|group| group.len() > 1)
        .flat_map(|group| {
            group.iter().map(|&i| {
                let others = group
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| sessions[j].path.clone())
                    .collect();
                (i, others)
            })
        })
        .collect();
    for (i, others) in shared {
        sessions[i].same_id_as = others;
    }
}

/// The entries of the folders `dirs`, of whatever type: what a dialog that
/// writes there asks before replacing. A missing folder has none.
pub fn files_in(dirs: &[&Path]) -> std::collections::HashSet<PathBuf> {
    dirs.iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flat_map(|rd| rd.filter_map(Result::ok).map(|e| e.path()))
        .collect()
}

/// Whether a file's name is valid UTF-8. Other names are listed as
/// unreadable: they cannot be shown, typed or written into JSON as they
/// are, and two of them may look the same once made readable.
pub fn name_is_utf8(path: &Path) -> bool {
    path.file_name().is_none_or(|n| n.to_str().is_some())
}
