//! `rapporteur check`: validates session files and says what to do about
//! each problem; exit 1 if any file is bad.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Failure;
use crate::model::Session;
use crate::model::display::sanitize_line;
use crate::store::{self, Store};

pub fn check(store: &Store, paths: &[PathBuf]) -> Result<ExitCode, Failure> {
    let folder = paths.is_empty();
    let paths = if folder {
        if !store.dir().exists() {
            println!("{}: no sessions folder yet", store.dir().display());
            return Ok(ExitCode::SUCCESS);
        }
        store.session_paths()?
    } else {
        paths.to_vec()
    };
    if let Some(fs) = store::network_fs(store.dir()) {
        println!(
            "warning: {} is on {fs}: locks may not stop a writer on another machine",
            sanitize_line(&store.dir().display().to_string())
        );
    }
    let mut bad = 0;
    // Which files of the folder carry which id: a session is its id, so
    // two files with one id are a problem of both, whatever each holds. A
    // copy elsewhere (a backup, the file as mailed) is no one's business.
    let mut ids: std::collections::BTreeMap<String, Vec<&Path>> = Default::default();
    for path in &paths {
        // In the folder, a name that is not UTF-8 is what `list` shows as
        // unreadable; a path given by hand is checked for what it holds.
        let loaded = if folder && !store::name_is_utf8(path) {
            Err(store::LoadError::BadName { path: path.clone() })
        } else {
            store::load(path)
        };
        match loaded {
            Ok(loaded) => {
                let s = &loaded.session;
                if folder || in_folder(store, path) {
                    ids.entry(s.id.clone()).or_default().push(path);
                }
                let mut notes = problems(s);
                let broken = clock_problems(s);
                bad += usize::from(!broken.is_empty());
                if let Some(v) = loaded.newer_version {
                    notes.push(format!(
                        "written by a newer rapporteur (schema {v}); read-only here"
                    ));
                }
                if let Ok(meta) = std::fs::metadata(path)
                    && meta.permissions().mode() & 0o077 != 0
                {
                    notes.push(format!(
                        "readable by others (mode {:o}); run chmod 600 on it",
                        meta.permissions().mode() & 0o777
                    ));
                }
                println!(
                    "{} {} ({} entries in {} blocks)",
                    if broken.is_empty() { "ok  " } else { "BAD " },
                    sanitize_line(&path.display().to_string()),
                    s.entry_count(),
                    s.blocks.len()
                );
                for n in broken {
                    println!("     error: {}", sanitize_line(&n));
                }
                for n in notes {
                    println!("     warning: {}", sanitize_line(&n));
                }
            }
            Err(e) => {
                bad += 1;
                println!("BAD  {}", sanitize_line(&e.to_string()));
                println!("     {}", e.hint());
            }
        }
    }
    let mut shared = 0;
    for (id, files) in ids.iter().filter(|(_, files)| files.len() > 1) {
        shared += files.len();
        let e = store::StoreError::SameId {
            id: id.clone(),
            paths: files.iter().map(|p| p.to_path_buf()).collect(),
        };
        println!("BAD  {}", sanitize_line(&e.to_string()));
        println!("     {}", e.hint());
    }
    if bad > 0 {
        eprintln!("rapporteur: {bad} of {} files are bad", paths.len());
    }
    if shared > 0 {
        eprintln!("rapporteur: {shared} files share their session id with another file");
    }
    if bad > 0 || shared > 0 {
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Whether `path` is a file at the top of the sessions folder.
fn in_folder(store: &Store, path: &Path) -> bool {
    let parent = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => return false,
    };
    match (parent.canonicalize(), store.dir().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Things that load but are not as rapporteur writes them.
fn problems(s: &Session) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for b in &s.blocks {
        if !ids.insert(&b.id) {
            out.push(format!("block id {:?} is used twice", b.id));
        }
    }
    let mut entry_ids = std::collections::HashSet::new();
    for b in &s.blocks {
        for e in &b.entries {
            if !entry_ids.insert(&e.id) {
                out.push(format!("entry id {:?} is used twice", e.id));
            }
        }
    }
    if let Some(c) = &s.current_block
        && s.block_index(c).is_none()
    {
        out.push(format!("current_block {c:?} names no block"));
    }
    out
}

/// Block clock records this program would not have written: each makes
/// the file bad, with what to do about it. A file with thousands of bad
/// runs gets a screenful, not thousands of lines.
fn clock_problems(s: &Session) -> Vec<String> {
    const SHOWN: usize = 10;
    let all = s.clock_problems();
    let mut out: Vec<String> = all
        .iter()
        .take(SHOWN)
        .map(|p| format!("{p}; {}", p.hint()))
        .collect();
    if all.len() > SHOWN {
        out.push(format!(
            "and {} more clock problems like these",
            all.len() - SHOWN
        ));
    }
    out
}
