//! The first-screen cache: what the capture screen needs to draw its first
//! frame of a long session without reading the session.
//!
//! Reading and parsing a 10,000-entry file (4.5 MB) takes the first frame
//! 10–20 ms on a busy 2-core machine even when only the newest entries
//! are parsed (`model::preview`). So the saver thread, which holds the
//! session's writer lock, writes `.NAME.json.screen` beside it (hidden,
//! 0600) once its saves pause for `saver::SCREEN_DELAY`, and `note` does
//! the same: the session with only the current block's newest [`ROWS`]
//! entries, how many entries each block really has, and the `stat` keys of
//! the file and its journal just after the save (as in the summary cache,
//! `index`). The saver keeps that tail up to date by replaying each journal
//! line onto it, so the record is right after a crash too, unless the
//! crash came within that pause after a save.
//!
//! On the next open the record is used only when a fresh `stat` of the
//! file and its journal, taken under the writer lock, gives exactly those
//! keys; each block counts the entries it does not hold in
//! `Block::unloaded`, which the capture screen adds to its counts. Like the
//! partial read, the result is drawn once while the full load runs and
//! then dropped: it is never updated or saved, so the worst a stale record
//! could do (a file changed in place, to the same size, within one tick of
//! the file system's clock after our save) is show an old screen for the
//! few tens of milliseconds before the full load replaces it. Anything
//! else that changes the file (a save, a journal line, an edit by another
//! tool, a rename over it) changes its keys, and the first frame comes
//! from the file.
//!
//! The record holds entry text, so it is private like the session, goes
//! when the session goes to the trash, and can be deleted at any time.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::index::Keys;
use crate::model::Session;

const VERSION: u32 = 1;
/// How many of the current block's newest entries are kept: every entry
/// takes at least one row, and no terminal is this tall.
pub const ROWS: usize = 256;
/// Below this many entries the full load is about as quick as reading a
/// record, and a record would only be a second copy of the words.
pub const FROM_ENTRIES: usize = 1_000;
/// Far above any real record: 256 entries of a few kilobytes.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// `.NAME.json.screen` beside the session.
pub fn path_of(session_path: &Path) -> PathBuf {
    super::sidecar(session_path, "screen")
}

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    keys: Keys,
    counts: Vec<usize>,
    session: &'a Session,
}

#[derive(Deserialize)]
struct In {
    version: u32,
    keys: Keys,
    counts: Vec<usize>,
    session: Session,
}

/// What a record keeps of `session`: everything but the entries, and the
/// current block's newest [`ROWS`] entries; the others are counted in
/// `Block::unloaded`. Consumes it, so nothing large is copied.
pub fn tail(mut session: Session) -> Session {
    trim(&mut session);
    session
}

/// [`tail`] of a session still in use: only what is kept is copied.
pub fn tail_of(session: &mut Session) -> Session {
    let entries: Vec<Vec<crate::model::Entry>> = session
        .blocks
        .iter_mut()
        .map(|b| std::mem::take(&mut b.entries))
        .collect();
    let mut copy = session.clone();
    let current = session.current_index();
    for (i, ((b, c), e)) in session
        .blocks
        .iter_mut()
        .zip(&mut copy.blocks)
        .zip(entries)
        .enumerate()
    {
        let keep = if i == current { ROWS } else { 0 };
        let cut = e.len().saturating_sub(keep);
        c.entries = e[cut..].to_vec();
        c.unloaded = b.unloaded + cut;
        b.entries = e;
    }
    copy
}

/// Keeps a tail a tail after entries were added to it.
pub fn trim(session: &mut Session) {
    let current = session.current_index();
    for (i, b) in session.blocks.iter_mut().enumerate() {
        let keep = if i == current { ROWS } else { 0 };
        let cut = b.entries.len().saturating_sub(keep);
        b.entries.drain(..cut);
        b.unloaded += cut;
    }
}

/// Records `tail` (see [`tail`]) as the first screen of the session just
/// written at `path`, by the process that holds its writer lock. Best
/// effort: without a record the next first frame comes from the file.
pub fn write(path: &Path, tail: &Session) {
    let Some(keys) = Keys::of(path) else {
        remove(path);
        return;
    };
    let counts: Vec<usize> = tail
        .blocks
        .iter()
        .map(|b| b.entries.len() + b.unloaded)
        .collect();
    if counts.iter().sum::<usize>() < FROM_ENTRIES {
        remove(path);
        return;
    }
    let out = Out {
        version: VERSION,
        keys,
        counts,
        session: tail,
    };
    match serde_json::to_vec(&out) {
        // No fsync: a record lost to a power cut only means one first
        // frame from the file.
        Ok(bytes) if super::files::write_quick(&path_of(path), &bytes).is_ok() => {}
        _ => remove(path),
    }
}

/// Removes the record of `path`, if there is one.
pub fn remove(path: &Path) {
    let _ = super::files::remove(&path_of(path));
}

/// The session at `path` for its first frame, from its record, when the
/// record is for exactly the file and journal there now and holds enough
/// of the current block's entries to fill `rows` rows. Each block counts
/// the entries not kept in `unloaded`: draw the result on the capture
/// screen, never keep or save it.
pub fn read(path: &Path, rows: usize) -> Option<Session> {
    if rows > ROWS {
        return None;
    }
    // Before the record is read: a change after this stat shows as a
    // mismatch, never as a record taken for the old file.
    let keys = Keys::of(path)?;
    let record = path_of(path);
    let meta = std::fs::symlink_metadata(&record).ok()?;
    if !meta.file_type().is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    let bytes = super::read_limited(&record).ok()?;
    let In {
        version,
        keys: recorded,
        counts,
        mut session,
    } = serde_json::from_slice(&bytes).ok()?;
    if version != VERSION
        || recorded != keys
        || counts.len() != session.blocks.len()
        || session.schema_version != crate::model::SCHEMA_VERSION
    {
        return None;
    }
    // Every entry takes more than two bytes of the file: a record that
    // says otherwise is not ours, and must not make us allocate.
    let total = counts.iter().try_fold(0usize, |a, &c| a.checked_add(c))?;
    if total as u64 > keys.file_len() / 2 {
        return None;
    }
    let current = session.current_index();
    for (i, (b, &count)) in session.blocks.iter_mut().zip(&counts).enumerate() {
        let kept = b.entries.len();
        if count < kept || (i == current && kept < count.min(ROWS)) {
            return None;
        }
        // A count, not placeholders: 10,000 of those cost the first frame
        // 2 ms of fresh memory.
        b.unloaded = count - kept;
    }
    Some(session)
}

/// Removes the records of sessions that are no longer in `dir` (deleted or
/// renamed by hand): they hold entry text. `sessions` are the session
/// files there now.
pub fn prune(dir: &Path, sessions: &[PathBuf]) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let names: std::collections::HashSet<&std::ffi::OsStr> =
        sessions.iter().filter_map(|p| p.file_name()).collect();
    for e in rd.filter_map(Result::ok) {
        let name = e.file_name();
        let Some(owner) = name
            .to_str()
            .and_then(|n| n.strip_prefix('.'))
            .and_then(|n| n.strip_suffix(".screen"))
        else {
            continue;
        };
        if owner.ends_with(".json") && !names.contains(std::ffi::OsStr::new(owner)) {
            let _ = super::files::remove(&e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::model::{Entry, Kind, Stamp, Template};
    use crate::store::{Store, journal, load};

    fn long_session(dir: &Path) -> PathBuf {
        let t0: Stamp = "2011-05-19T10:00:00+06:00".parse().expect("stamp");
        let mut s = Session::from_template(&Template::builtin(), Some("Record"), t0);
        for i in 0..1_000 {
            s.blocks[i % 3].entries.push(Entry::new(
                Kind::ALL[i % Kind::ALL.len()],
                format!("Запись {i}: құқықтары 日本 #labour-market"),
                Some("Айгерим".into()),
                t0.plus_seconds(i as i64),
            ));
        }
        s.current_block = Some(s.blocks[1].id.clone());
        Store::new(dir).create(&s).expect("create")
    }

    fn counts(s: &Session) -> Vec<usize> {
        s.blocks
            .iter()
            .map(|b| b.entries.len() + b.unloaded)
            .collect()
    }

    #[test]
    fn a_record_gives_the_counts_and_the_newest_entries_of_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = long_session(dir.path());
        let full = load(&path).expect("load").session;
        write(&path, &tail(full.clone()));
        let rec = path_of(&path);
        assert_eq!(
            std::fs::metadata(&rec)
                .expect("record")
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        // Small: only the current block's newest entries.
        assert!(std::fs::metadata(&rec).expect("record").len() < 200_000);

        let got = read(&path, 50).expect("record used");
        assert_eq!(counts(&got), counts(&full));
        let cur = full.current_index();
        let kept = &got.blocks[cur].entries;
        assert_eq!(kept.len(), ROWS.min(full.blocks[cur].entries.len()));
        let newest = &full.blocks[cur].entries[full.blocks[cur].entries.len() - kept.len()..];
        assert_eq!(kept.as_slice(), newest);
        assert_eq!(got.title, full.title);
        assert_eq!(got.blocks[cur].runs, full.blocks[cur].runs);
        // Taller than the record can fill: the file, not the record.
        assert!(read(&path, ROWS + 1).is_none());
    }

    #[test]
    fn a_record_is_never_used_once_the_file_or_its_journal_changed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = long_session(dir.path());
        let s = load(&path).expect("load").session;

        // A journal line (what `note` and the capture screen append).
        write(&path, &tail(s.clone()));
        assert!(read(&path, 50).is_some());
        let rec = journal::Record {
            seq: s.journal_seq + 1,
            at: Stamp::now(),
            owner: None,
            op: journal::Op::Runs {
                block: s.blocks[0].id.clone(),
                runs: Vec::new(),
                spent_seconds: 0,
            },
        };
        journal::append(&path, &journal::Owner::of(&s), &[rec]).expect("append");
        assert!(read(&path, 50).is_none(), "journal line");

        // A save of the same session (a new file renamed over the old).
        write(&path, &tail(s.clone()));
        assert!(read(&path, 50).is_some());
        crate::store::save(&path, &s).expect("save");
        assert!(read(&path, 50).is_none(), "save");

        // An edit in place by another tool, to the same size.
        write(&path, &tail(load(&path).expect("load").session));
        assert!(read(&path, 50).is_some());
        let mut bytes = std::fs::read(&path).expect("read");
        let at = bytes
            .windows(6)
            .position(|w| w == b"Record")
            .expect("title");
        bytes[at] = b'X';
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, &bytes).expect("write in place");
        assert!(read(&path, 50).is_none(), "edited in place");

        // The file gone: no first frame from a record of it.
        write(&path, &tail(load(&path).expect("load").session));
        std::fs::remove_file(&path).expect("rm");
        assert!(read(&path, 50).is_none(), "removed");
    }

    #[test]
    fn a_damaged_or_forged_record_is_ignored_without_harm() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = long_session(dir.path());
        write(&path, &tail(load(&path).expect("load").session));
        let good = std::fs::read(path_of(&path)).expect("record");
        let value: serde_json::Value = serde_json::from_slice(&good).expect("json");
        let forged = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = value.clone();
            f(&mut v);
            serde_json::to_vec(&v).expect("bytes")
        };
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("cut short", good[..good.len() / 2].to_vec()),
            ("not json", b"\x1b[2J\x00\xff".to_vec()),
            ("deep", "[".repeat(100_000).into_bytes()),
            ("other version", forged(&|v| v["version"] = 99.into())),
            (
                "huge count",
                forged(&|v| v["counts"][0] = serde_json::json!(u64::MAX)),
            ),
            (
                "counts overflow",
                forged(&|v| v["counts"] = serde_json::json!([usize::MAX, usize::MAX, 1, 1, 1])),
            ),
            (
                "more counts than blocks",
                forged(&|v| v["counts"].as_array_mut().expect("counts").push(1.into())),
            ),
            (
                "fewer entries counted than kept",
                forged(&|v| v["counts"][1] = 0.into()),
            ),
            (
                "another file's keys",
                forged(&|v| v["keys"]["file"]["ino"] = 1.into()),
            ),
            ("negative count", forged(&|v| v["counts"][0] = (-1).into())),
        ];
        for (what, bytes) in cases {
            std::fs::write(path_of(&path), &bytes).expect("write");
            assert!(read(&path, 50).is_none(), "{what}");
        }
        // A record that is a folder or a link is not read.
        std::fs::remove_file(path_of(&path)).expect("rm");
        std::fs::create_dir(path_of(&path)).expect("dir");
        assert!(read(&path, 50).is_none(), "folder");
        std::fs::remove_dir(path_of(&path)).expect("rmdir");
        std::os::unix::fs::symlink("/dev/zero", path_of(&path)).expect("link");
        assert!(read(&path, 50).is_none(), "link");
        // And the good one still works.
        std::fs::remove_file(path_of(&path)).expect("rm");
        std::fs::write(path_of(&path), &good).expect("write");
        assert!(read(&path, 50).is_some());
    }

    /// A job that appends `ops` to the journal.
    fn appends(generation: u64, ops: Vec<journal::Op>) -> crate::store::saver::Job {
        crate::store::saver::Job {
            appends: ops
                .into_iter()
                .map(|op| crate::store::saver::Append {
                    generation,
                    at: Stamp::now(),
                    op,
                })
                .collect(),
            ..Default::default()
        }
    }

    /// What the capture screen's saver does: a record after every save,
    /// kept right by replaying each journal line onto the tail.
    #[test]
    fn the_saver_keeps_the_record_right_after_every_save() {
        use crate::store::saver::{Job, Writer};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = long_session(dir.path());
        let mut s = load(&path).expect("load").session;
        let mut w = Writer::with_screen(
            path.clone(),
            s.journal_seq,
            journal::Owner::of(&s),
            Some(tail_of(&mut s)),
        );
        let cur = s.current_index();
        let block = s.blocks[cur].id.clone();
        for round in 0..3 {
            let ops = (0..4)
                .map(|i| {
                    let e = Entry::new(
                        Kind::Recommendation,
                        format!("Новая {round}.{i}"),
                        None,
                        Stamp::now(),
                    );
                    s.blocks[cur].entries.push(e.clone());
                    journal::Op::Add {
                        block: block.clone(),
                        entry: e,
                    }
                })
                .collect();
            let r = w.execute(appends(round, ops));
            assert!(matches!(r.appended, Some(Ok(_))), "{r:?}");
            // Not written before it is asked for: the report goes first.
            w.write_screen();
            let got = read(&path, 50).expect("a record for the file as it is");
            let full = load(&path).expect("load").session;
            assert_eq!(counts(&got), counts(&full));
            assert_eq!(
                got.blocks[cur].entries.last(),
                full.blocks[cur].entries.last()
            );
            assert_eq!(got.blocks[cur].entries.len(), ROWS);
        }
        // A snapshot replaces the tail.
        s.title = "Другое название".into();
        let r = w.execute(Job {
            session: Some((9, Box::new(s.clone()))),
            ..Job::default()
        });
        assert!(matches!(r.session, Some(Ok(9))), "{r:?}");
        w.write_screen();
        let got = read(&path, 50).expect("record");
        assert_eq!(got.title.raw(), "Другое название");
        assert_eq!(counts(&got), counts(&s));
        // A failed write: the saver no longer knows what the files hold,
        // until the next snapshot, after which it keeps the record again.
        let jp = journal::journal_path(&path);
        let _ = std::fs::remove_file(&jp);
        std::fs::create_dir(&jp).expect("a folder where the journal goes");
        let e = Entry::new(Kind::Note, "не записано", None, Stamp::now());
        let r = w.execute(appends(
            10,
            vec![journal::Op::Add {
                block: block.clone(),
                entry: e,
            }],
        ));
        assert!(matches!(r.appended, Some(Err(_))), "{r:?}");
        std::fs::remove_dir(&jp).expect("rmdir");
        s.title = "После сбоя".into();
        let r = w.execute(Job {
            session: Some((11, Box::new(s.clone()))),
            ..Job::default()
        });
        assert!(matches!(r.session, Some(Ok(11))), "{r:?}");
        w.write_screen();
        let got = read(&path, 50).expect("a record again");
        assert_eq!(got.title.raw(), "После сбоя");
        assert_eq!(counts(&got), counts(&s));
        // A writer that does not know the session (the `note` command)
        // writes no record, and the one there no longer matches.
        crate::store::saver::execute(
            &path,
            appends(
                12,
                vec![journal::Op::Runs {
                    block: block.clone(),
                    runs: Vec::new(),
                    spent_seconds: 0,
                }],
            ),
        );
        assert!(read(&path, 50).is_none());
    }

    #[test]
    fn small_sessions_have_no_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = long_session(dir.path());
        let mut s = load(&path).expect("load").session;
        write(&path, &tail(s.clone()));
        assert!(path_of(&path).exists());
        for b in &mut s.blocks {
            b.entries.truncate(FROM_ENTRIES / 10);
        }
        write(&path, &tail(s));
        assert!(!path_of(&path).exists(), "a small session's record goes");
    }

    #[test]
    fn records_go_with_their_sessions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::new(dir.path());
        let path = long_session(dir.path());
        write(&path, &tail(load(&path).expect("load").session));
        // Into the trash: the record does not stay behind.
        let trashed = store.trash(&path).expect("trash");
        assert!(!path_of(&path).exists());
        assert!(!path_of(&trashed).exists());
        // Deleted by hand: the next listing removes the record.
        let restored = store.restore(&trashed).expect("restore");
        write(&restored, &tail(load(&restored).expect("load").session));
        let other = long_session(dir.path());
        write(&other, &tail(load(&other).expect("load").session));
        std::fs::remove_file(&restored).expect("rm");
        store.list().expect("list");
        assert!(!path_of(&restored).exists());
        assert!(path_of(&other).exists(), "a live session keeps its record");
    }
}
