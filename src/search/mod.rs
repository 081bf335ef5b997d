//! Full-text search across sessions: case- and accent-insensitive, with
//! Cyrillic and Kazakh letters folded by Unicode's own case mapping
//! ("РАТИФИЦИРОВАТЬ" finds "ратифицировать", "Қ" finds "қ").

pub(crate) mod fold;
mod view;

use std::path::PathBuf;

use serde::Serialize;

pub use fold::{fold, fold_for_ascii_into, fold_into, fold_with_map};

use crate::model::{Kind, Label, Session, Stamp, Text};

/// One searchable entry.
struct Doc {
    session: u32,
    block: u32,
    entry: u32,
    folded: Box<str>,
    speaker_folded: Box<str>,
}

#[derive(Debug, Clone)]
pub struct SessionRef {
    pub id: String,
    pub title: Label,
    pub path: PathBuf,
}

/// Every entry of a set of sessions, folded once so that each query is a
/// scan of prepared text.
#[derive(Default)]
pub struct Index {
    sessions: Vec<SessionRef>,
    blocks: Vec<Vec<Label>>,
    entries: Vec<Vec<Vec<crate::model::Entry>>>,
    docs: Vec<Doc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HitSession {
    pub id: String,
    pub title: Label,
}

/// A match, as `search --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Shared by the hits of one session: a search can find tens of
    /// thousands.
    pub session: std::sync::Arc<HitSession>,
    #[serde(skip)]
    pub path: std::sync::Arc<std::path::Path>,
    /// 1-based block number.
    pub block: usize,
    pub block_title: Label,
    pub entry_id: String,
    pub kind: Kind,
    pub speaker: Option<Label>,
    pub text: Text,
    pub created: Stamp,
    /// Byte ranges of the matches in `text.shown()`, for highlighting.
    #[serde(skip)]
    pub ranges: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Every word must occur (folded substring).
    pub words: Vec<String>,
    pub kind: Option<Kind>,
    /// Folded substring of the speaker.
    pub speaker: Option<String>,
}

impl Query {
    pub fn parse(text: &str, kind: Option<Kind>, speaker: Option<&str>) -> Query {
        Query {
            words: fold(text).split_whitespace().map(str::to_string).collect(),
            kind,
            speaker: speaker.map(fold).filter(|s| !s.trim().is_empty()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.kind.is_none() && self.speaker.is_none()
    }
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn add(&mut self, path: PathBuf, session: Session) {
        let s = self.sessions.len() as u32;
        self.sessions.push(SessionRef {
            id: session.id.clone(),
            title: session.title.clone(),
            path,
        });
        let mut titles = Vec::with_capacity(session.blocks.len());
        let mut entries = Vec::with_capacity(session.blocks.len());
        for (b, block) in session.blocks.into_iter().enumerate() {
            titles.push(block.title);
            for (e, entry) in block.entries.iter().enumerate() {
                self.docs.push(Doc {
                    session: s,
                    block: b as u32,
                    entry: e as u32,
                    folded: fold(&entry.text).into_boxed_str(),
                    speaker_folded: entry
                        .speaker
                        .as_deref()
                        .map(fold)
                        .unwrap_or_default()
                        .into_boxed_str(),
                });
            }
            entries.push(block.entries);
        }
        self.blocks.push(titles);
        self.entries.push(entries);
    }

    /// The matches of `q`, in session order, at most `limit` of them, and
    /// how many there were in all.
    pub fn search(&self, q: &Query, limit: usize) -> (Vec<Hit>, usize) {
        let mut hits = Vec::new();
        let mut total = 0;
        if q.is_empty() {
            return (hits, 0);
        }
        for d in &self.docs {
            if !q.words.iter().all(|w| d.folded.contains(w.as_str())) {
                continue;
            }
            if let Some(sp) = &q.speaker
                && !d.speaker_folded.contains(sp.as_str())
            {
                continue;
            }
            let entry = &self.entries[d.session as usize][d.block as usize][d.entry as usize];
            if q.kind.is_some_and(|k| k != entry.kind) {
                continue;
            }
            total += 1;
            if hits.len() < limit {
                hits.push(self.hit(d, q));
            }
        }
        (hits, total)
    }

    fn hit(&self, d: &Doc, q: &Query) -> Hit {
        let s = &self.sessions[d.session as usize];
        let entry = &self.entries[d.session as usize][d.block as usize][d.entry as usize];
        Hit {
            session: std::sync::Arc::new(HitSession {
                id: s.id.clone(),
                title: s.title.clone(),
            }),
            path: std::sync::Arc::from(s.path.as_path()),
            block: d.block as usize + 1,
            block_title: self.blocks[d.session as usize][d.block as usize].clone(),
            entry_id: entry.id.clone(),
            kind: entry.kind,
            speaker: entry.speaker.clone(),
            text: entry.text.clone(),
            created: entry.created,
            ranges: entry
                .text
                .shown_ranges(&match_ranges(&entry.text, &q.words)),
        }
    }
}

/// Tests entries against a query, folding into buffers it keeps, so that
/// scanning 200,000 entries allocates nothing for those that do not match.
struct Matcher<'q> {
    q: &'q Query,
    text: String,
    speaker: String,
    /// When every word is ASCII: the words' finders and a byte buffer for
    /// [`fold_for_ascii_into`].
    ascii: Option<(Vec<memchr::memmem::Finder<'q>>, Vec<u8>)>,
}

impl<'q> Matcher<'q> {
    fn new(q: &'q Query) -> Self {
        let ascii = q.words.iter().all(|w| w.is_ascii()).then(|| {
            let finders = q
                .words
                .iter()
                .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
                .collect();
            (finders, Vec::new())
        });
        Matcher {
            q,
            text: String::new(),
            speaker: String::new(),
            ascii,
        }
    }

    /// The same test as [`Index::search`] makes on its prepared text.
    fn matches(&mut self, kind: Kind, text: &str, speaker: Option<&str>) -> bool {
        if self.q.kind.is_some_and(|k| k != kind) {
            return false;
        }
        if let Some(sp) = &self.q.speaker {
            fold_into(speaker.unwrap_or(""), &mut self.speaker);
            if !self.speaker.contains(sp.as_str()) {
                return false;
            }
        }
        if self.q.words.is_empty() {
            return true;
        }
        if let Some((finders, buf)) = &mut self.ascii {
            fold_for_ascii_into(text, buf);
            return finders.iter().all(|f| f.find(buf).is_some());
        }
        fold_into(text, &mut self.text);
        self.q.words.iter().all(|w| self.text.contains(w.as_str()))
    }
}

/// Searches every session of the folder, reading them on all cores.
/// Unreadable files are returned apart, as `list` does.
///
/// Files the summary cache vouches for (loaded in full before and not
/// changed since) are read through a borrowed view that skips what a search
/// does not use; every other file takes the full loader, and its summary
/// goes into the cache for next time.
pub fn search_folder(
    store: &crate::store::Store,
    q: &Query,
) -> Result<(Vec<Hit>, Vec<crate::store::LoadError>), crate::store::StoreError> {
    use crate::store::index;
    if !store.dir().exists() {
        return Ok((Vec::new(), Vec::new()));
    }
    let paths = store.session_paths()?;
    let mut cache = index::Cache::open(store.dir());
    let now = std::time::SystemTime::now();
    let results = crate::store::par_map(&paths, |p| search_file(store, &cache, p, q));
    let mut hits = Vec::new();
    let mut bad = Vec::new();
    for r in results {
        match r {
            Ok((h, summary, keys)) => {
                hits.extend(h);
                cache.keep(&summary, keys, now);
            }
            Err(e) => bad.push(e),
        }
    }
    cache.finish();
    Ok((hits, bad))
}

type FileResult = (
    Vec<Hit>,
    crate::store::Summary,
    Option<crate::store::index::Keys>,
);

fn search_file(
    store: &crate::store::Store,
    cache: &crate::store::index::Cache,
    path: &std::path::Path,
    q: &Query,
) -> Result<FileResult, crate::store::LoadError> {
    use crate::store::index::Keys;
    let keys = Keys::of(path);
    // A journal means a replay, which only the full loader does.
    if let Some(summary) = cache.get(path, keys).filter(|_| keys.is_some_and(|k| !k.has_journal()))
        && let Ok(bytes) = crate::store::read_limited(path)
        // Read what was vouched for: a change since the stat shows here.
        && Keys::of(path) == keys
        && let Some(v) = view::parse(&bytes)
    {
        #[cfg(test)]
        tests::VIEW_READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Ok((hits_in_view(path, &v, q), summary, keys));
    }
    let loaded = store.load_inside(path)?;
    let summary = crate::store::Summary::of(path, &loaded);
    Ok((hits_in_session(path, &loaded.session, q), summary, keys))
}

/// What every hit of one file shares, made once.
fn shared_by_hits(
    path: &std::path::Path,
    session: impl FnOnce() -> HitSession,
) -> (std::sync::Arc<HitSession>, std::sync::Arc<std::path::Path>) {
    (std::sync::Arc::new(session()), std::sync::Arc::from(path))
}

fn hits_in_view(path: &std::path::Path, v: &view::SessionView, q: &Query) -> Vec<Hit> {
    let mut m = Matcher::new(q);
    let mut hits = Vec::new();
    let shared = shared_by_hits(path, || HitSession {
        id: v.id.to_string(),
        title: Label::from(&*v.title),
    });
    for (b, block) in v.blocks.iter().enumerate() {
        for e in &block.entries {
            if !m.matches(e.kind, &e.text, e.speaker.as_deref()) {
                continue;
            }
            // The cache vouched for the file, so the stamp parses; should
            // it not, the entry is still found, stamped with the epoch.
            let created = e
                .created()
                .unwrap_or_else(|| Stamp::from_instant(jiff::Timestamp::UNIX_EPOCH));
            let text = Text::from(&*e.text);
            hits.push(Hit {
                session: shared.0.clone(),
                path: shared.1.clone(),
                block: b + 1,
                block_title: Label::from(&*block.title),
                entry_id: e.id.to_string(),
                kind: e.kind,
                speaker: e.speaker.as_deref().map(Label::from),
                ranges: text.shown_ranges(&match_ranges(&text, &q.words)),
                text,
                created,
            });
        }
    }
    hits
}

fn hits_in_session(path: &std::path::Path, s: &Session, q: &Query) -> Vec<Hit> {
    let mut m = Matcher::new(q);
    let mut hits = Vec::new();
    let shared = shared_by_hits(path, || HitSession {
        id: s.id.clone(),
        title: s.title.clone(),
    });
    for (b, block) in s.blocks.iter().enumerate() {
        for e in &block.entries {
            if !m.matches(e.kind, &e.text, e.speaker.as_deref()) {
                continue;
            }
            hits.push(Hit {
                session: shared.0.clone(),
                path: shared.1.clone(),
                block: b + 1,
                block_title: block.title.clone(),
                entry_id: e.id.clone(),
                kind: e.kind,
                speaker: e.speaker.clone(),
                text: e.text.clone(),
                created: e.created,
                ranges: e.text.shown_ranges(&match_ranges(&e.text, &q.words)),
            });
        }
    }
    hits
}

/// The text around the first match, on one line, at most `width`
/// characters, with the matches between `open` and `close`.
pub fn snippet(
    text: &Text,
    ranges: &[(usize, usize)],
    width: usize,
    open: &str,
    close: &str,
) -> String {
    let pieces = snippet_pieces(text, ranges, width);
    let mut out = String::new();
    for (t, hit) in pieces {
        if hit {
            out.push_str(open);
            out.push_str(&t);
            out.push_str(close);
        } else {
            out.push_str(&t);
        }
    }
    out
}

/// The snippet as (text, is_match) pieces, cut from the text's shown
/// form (its controls were replaced once, when it was loaded), with line
/// breaks as `⏎`. `ranges` are in the shown form, as in [`Hit`].
pub fn snippet_pieces(text: &Text, ranges: &[(usize, usize)], width: usize) -> Vec<(String, bool)> {
    let text = text.shown();
    let first = ranges.first().map(|r| r.0).unwrap_or(0);
    // Start a little before the first match, on a character boundary.
    let lead = text[..first].chars().rev().take(width / 4).count();
    let mut start = first;
    for (n, (i, _)) in text[..first].char_indices().rev().enumerate() {
        if n >= lead {
            break;
        }
        start = i;
    }
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut used = 0;
    if start > 0 {
        pieces.push(("…".into(), false));
        used += 1;
    }
    let mut pos = start;
    let push = |s: &str, hit: bool, used: &mut usize, pieces: &mut Vec<(String, bool)>| -> bool {
        let mut taken = String::new();
        for c in s.chars() {
            if *used >= width {
                pieces.push((taken, hit));
                pieces.push(("…".into(), false));
                return false;
            }
            taken.push(if c == '\n' { '⏎' } else { c });
            *used += 1;
        }
        pieces.push((taken, hit));
        true
    };
    for &(s, e) in ranges.iter().filter(|r| r.1 > start) {
        let s = s.max(start);
        if s > pos && !push(&text[pos..s], false, &mut used, &mut pieces) {
            return pieces;
        }
        if !push(&text[s..e], true, &mut used, &mut pieces) {
            return pieces;
        }
        pos = e;
    }
    push(&text[pos..], false, &mut used, &mut pieces);
    pieces
}

/// Byte ranges in `text` (the original) where the folded `words` occur.
pub fn match_ranges(text: &str, words: &[String]) -> Vec<(usize, usize)> {
    let (folded, map) = fold_with_map(text);
    let mut out = Vec::new();
    for w in words.iter().filter(|w| !w.is_empty()) {
        let mut from = 0;
        while let Some(i) = folded[from..].find(w.as_str()) {
            let start = from + i;
            let end = start + w.len();
            let o_start = map[start];
            let o_end = if end < map.len() {
                map[end]
            } else {
                text.len()
            };
            out.push((o_start, o_end.max(o_start)));
            from = end;
        }
    }
    out.sort_unstable();
    // Merge overlaps so that highlighting never splits a character twice.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in out {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests;
