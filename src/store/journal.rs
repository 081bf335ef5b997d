//! The append-only journal beside a session: what makes Enter durable in
//! a few milliseconds however long the session is.
//!
//! Rewriting a 10,000-entry session (4 MB) and fsyncing it takes tens of
//! milliseconds; appending one line and fsyncing it takes a few. So a
//! committed entry is appended to `.NAME.json.journal` as one line:
//!
//! ```text
//! 1a2b3c4d {"seq":7,"at":"2011-05-19T10:05:00+06:00","op":"add","block":"rights","entry":{…}}
//! ```
//!
//! The first field is the CRC-32 of the JSON after the space. Every other
//! change rewrites the session file (the snapshot), which records in
//! `journal_seq` the last record it contains, and then empties the
//! journal. Reading a session is: parse the snapshot, then replay the
//! journal's records whose `seq` is greater than the snapshot's
//! `journal_seq`, stopping at the first line that is torn or fails its
//! checksum (a crash mid-append leaves at most that one line).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::Dir;
use crate::model::{Entry, Run, Session, Stamp};

/// Sessions with fewer entries are rewritten whole on every change: that
/// is fast for them, and it keeps their JSON file complete for other
/// tools. From this size on, committed entries go to the journal.
pub const USE_FROM_ENTRIES: usize = 1_000;

pub fn journal_path(session_path: &Path) -> PathBuf {
    super::sidecar(session_path, "journal")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    pub at: Stamp,
    /// The session the record was written for; `None` in journals written
    /// before records carried it. [`append`] always writes it.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(flatten)]
    pub op: Op,
}

/// Whose journal it is: the session's id and its file's creation stamp.
/// A journal left by a deleted session, or copied beside another one, is
/// never replayed onto a session it was not written for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    pub session: String,
    pub created: Stamp,
}

impl Owner {
    pub fn of(session: &Session) -> Owner {
        Owner {
            session: session.id.clone(),
            created: session.created,
        }
    }

    fn owns(&self, session: &Session) -> bool {
        self.session == session.id && self.created.instant == session.created.instant
    }
}

impl Record {
    /// Whether the record was written for `session`. A record from before
    /// records carried their owner is taken as the session's only if it is
    /// not older than the session itself.
    pub fn belongs_to(&self, session: &Session) -> bool {
        match &self.owner {
            Some(o) => o.owns(session),
            None => self.at.instant >= session.created.instant,
        }
    }
}

/// A record as [`append`] writes it: with its owner, without a copy.
#[derive(Serialize)]
struct Line<'a> {
    seq: u64,
    at: &'a Stamp,
    #[serde(flatten)]
    owner: &'a Owner,
    #[serde(flatten)]
    op: &'a Op,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
// Records live for one write or one replay; boxing the entry would only
// add an allocation per Enter.
#[allow(clippy::large_enum_variant)]
pub enum Op {
    /// An entry committed at the end of a block.
    Add { block: String, entry: Entry },
    /// A block's clock: its runs and the seconds of its closed runs, as
    /// they now stand. Opening a long session starts the block's clock;
    /// this records that in one line instead of rewriting the file.
    Runs {
        block: String,
        runs: Vec<Run>,
        spent_seconds: i64,
    },
}

fn line(owner: &Owner, record: &Record) -> io::Result<String> {
    let json = serde_json::to_string(&Line {
        seq: record.seq,
        at: &record.at,
        owner,
        op: &record.op,
    })
    .map_err(io::Error::other)?;
    Ok(format!("{:08x} {json}\n", crc32fast::hash(json.as_bytes())))
}

/// Appends records, each marked as `owner`'s, and fsyncs the journal.
pub fn append(session_path: &Path, owner: &Owner, records: &[Record]) -> io::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let path = journal_path(session_path);
    let (dir, name) = Dir::of(&path)?;
    let (mut f, created) = dir.open_append(name)?;
    let mut buf = String::new();
    for r in records {
        buf.push_str(&line(owner, r)?);
    }
    super::fault::check("write")?;
    f.write_all(buf.as_bytes())?;
    super::fault::check("fsync")?;
    f.sync_data()?;
    if created {
        // The journal's name must survive a power cut too.
        dir.sync()?;
    }
    Ok(())
}

/// Empties the journal once a snapshot holds everything in it.
pub fn truncate(session_path: &Path) -> io::Result<()> {
    let path = journal_path(session_path);
    let (dir, name) = Dir::of(&path)?;
    dir.truncate(name)
}

/// The valid records of a journal, in order, up to the first bad line.
pub fn parse_records(bytes: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    for raw in bytes.split(|b| *b == b'\n') {
        if raw.is_empty() {
            continue;
        }
        let Some(r) = parse_line(raw) else {
            break;
        };
        out.push(r);
    }
    out
}

fn parse_line(raw: &[u8]) -> Option<Record> {
    let (crc, json) = (raw.get(..8)?, raw.get(9..)?);
    if raw.get(8) != Some(&b' ') {
        return None;
    }
    let crc = u32::from_str_radix(std::str::from_utf8(crc).ok()?, 16).ok()?;
    if crc32fast::hash(json) != crc {
        return None;
    }
    serde_json::from_slice(json).ok()
}

/// Applies the records newer than the snapshot. Replaying twice changes
/// nothing: an entry already present is not added again.
///
/// Records written for another session are skipped; the answer says
/// whether there were any, so that a writer can set the journal aside
/// (see [`set_aside`]) before it appends or empties it.
pub fn replay(session: &mut Session, records: &[Record]) -> bool {
    let mut foreign = false;
    for r in records {
        if !r.belongs_to(session) {
            foreign = true;
            continue;
        }
        if r.seq <= session.journal_seq {
            continue;
        }
        match &r.op {
            Op::Add { block, entry } => {
                if session.find_entry(&entry.id).is_none() {
                    // A block removed since cannot be: removing one writes
                    // a snapshot. Should it happen, keep the words anyway.
                    let i = session.block_index(block).unwrap_or(0);
                    if let Some(b) = session.blocks.get_mut(i) {
                        b.entries.push(entry.clone());
                    }
                }
                if r.at.instant > session.updated.instant {
                    session.updated = r.at;
                }
            }
            // A clock record is not an edit: `updated` stays, as it does
            // when the same change is written as a snapshot.
            Op::Runs {
                block,
                runs,
                spent_seconds,
            } => {
                if let Some(b) = session
                    .block_index(block)
                    .and_then(|i| session.blocks.get_mut(i))
                {
                    b.runs = runs.clone();
                    b.spent_seconds = *spent_seconds;
                }
            }
        }
        session.journal_seq = r.seq;
    }
    foreign
}

/// Renames the sidecar at `path` (a journal or a draft written for
/// another session) to `NAME.set-aside-STAMP`, beside it, so that its text
/// is kept but never applied; returns the new path. Only the holder of the
/// session's lock calls this.
pub fn set_aside(path: &Path) -> io::Result<PathBuf> {
    let (dir, name) = Dir::of(path)?;
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    for n in 1..100 {
        let mut to = name.to_os_string();
        to.push(if n == 1 {
            format!(".set-aside-{stamp}")
        } else {
            format!(".set-aside-{stamp}-{n}")
        });
        match dir.kind(&to)? {
            None => {
                dir.move_to(name, &dir, &to)?;
                dir.sync()?;
                return Ok(dir.join(&to));
            }
            Some(_) => continue,
        }
    }
    Err(io::Error::other("no free name to set the file aside"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Template};

    fn session() -> Session {
        Session::from_template(&Template::builtin(), Some("J"), Stamp::now())
    }

    fn add(seq: u64, text: &str) -> Record {
        Record {
            seq,
            at: Stamp::now(),
            owner: None,
            op: Op::Add {
                block: "integration".into(),
                entry: Entry::new(Kind::Note, text, None, Stamp::now()),
            },
        }
    }

    #[test]
    fn append_then_replay() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        let mut s = session();
        append(&p, &Owner::of(&s), &[add(1, "один"), add(2, "two")]).unwrap();
        let bytes = std::fs::read(journal_path(&p)).unwrap();
        let records = parse_records(&bytes);
        assert_eq!(records.len(), 2);
        assert!(!replay(&mut s, &records));
        assert_eq!(s.blocks[1].entries.len(), 2);
        assert_eq!(s.journal_seq, 2);
        // Idempotent.
        s.journal_seq = 0;
        replay(&mut s, &records);
        assert_eq!(s.blocks[1].entries.len(), 2);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(journal_path(&p))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn torn_or_corrupt_tail_stops_replay() {
        let owner = Owner::of(&session());
        let good = line(&owner, &add(1, "kept")).unwrap();
        let second = line(&owner, &add(2, "torn")).unwrap();
        for cut in 0..second.len() - 1 {
            let bytes = format!("{good}{}", &second[..cut]);
            let records = parse_records(bytes.as_bytes());
            assert_eq!(records.len(), 1, "cut at {cut}");
        }
        // A flipped byte fails the checksum.
        let mut bad = second.clone().into_bytes();
        let i = bad.len() / 2;
        bad[i] ^= 0x01;
        let mut bytes = good.into_bytes();
        bytes.extend(bad);
        assert_eq!(parse_records(&bytes).len(), 1);
    }

    #[test]
    fn clock_records_replace_the_blocks_runs() {
        let mut s = session();
        let updated = s.updated;
        let now = Stamp::now();
        let mut shown = s.clone();
        shown.start_clock(now);
        let b = &shown.blocks[0];
        let rec = Record {
            seq: 1,
            at: now.plus_seconds(5),
            owner: Some(Owner::of(&s)),
            op: Op::Runs {
                block: b.id.clone(),
                runs: b.runs.clone(),
                spent_seconds: b.spent_seconds,
            },
        };
        // Through a line, as it is read back.
        let bytes = line(&Owner::of(&s), &rec).unwrap();
        let records = parse_records(bytes.as_bytes());
        assert_eq!(records, vec![rec]);
        replay(&mut s, &records);
        assert!(s.blocks[0].is_running());
        assert_eq!(s.blocks[0].runs, shown.blocks[0].runs);
        assert_eq!(s.updated, updated, "a clock record is not an edit");
        // An unknown block changes nothing and does not stop the replay.
        let mut t = session();
        replay(
            &mut t,
            &[
                Record {
                    seq: 1,
                    at: now,
                    owner: None,
                    op: Op::Runs {
                        block: "gone".into(),
                        runs: vec![],
                        spent_seconds: 9,
                    },
                },
                add(2, "after"),
            ],
        );
        assert_eq!(t.entry_count(), 1);
        assert_eq!(t.journal_seq, 2);
    }

    #[test]
    fn snapshot_seq_skips_old_records() {
        let mut s = session();
        s.journal_seq = 5;
        replay(&mut s, &[add(4, "old"), add(6, "new")]);
        assert_eq!(s.entry_count(), 1);
        assert_eq!(s.journal_seq, 6);
    }
}
