//! The deterministic test data shared by the generator
//! (`examples/generate.rs`) and the benches: realistic sessions with the
//! built-in agenda, several speakers, and text in English, Russian and
//! Kazakh. The same arguments always give the same sessions (a fixed seed),
//! so runs can be compared. Only the entry ids and timestamps depend on the
//! session number; nothing depends on the clock or on randomness.
//!
//! It also writes the same entries in the formats of the peers that
//! `benches/compare.sh` measures: jrnl's plain-text journal and
//! tui-journal's JSON back end.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rapporteur::model::{Entry, Kind, Participant, Session, Stamp, Template};
use rapporteur::store::Store;

pub const PHRASES: &[&str] = &[
    "The draft should guarantee access to the courts for every migrant worker",
    "Рекомендуется ратифицировать Конвенцию МОТ № 143 и привести закон в соответствие",
    "Work permits should not tie a worker to a single employer",
    "Социальные взносы должны сохраняться при возвращении работника на родину",
    "Көші-қон заңы мигранттардың құқықтарын қорғауы тиіс",
    "Detention must be a last resort, with judicial review within 48 hours",
    "Women domestic workers need the same protection as other workers #gender-equality",
    "Нужно закрепить принцип невысылки в тексте закона",
    "Integration courses should be an offer, not a condition for renewal",
    "Access to the labour market after six months of legal stay #labour-market",
    "Дискриминация по признаку гражданства должна быть запрещена #non-discrimination",
    "Family reunification should follow three years of lawful residence",
];

pub const SPEAKERS: &[&str] = &[
    "ILO",
    "UN Women",
    "IOM",
    "UNHCR",
    "OSCE/ODIHR",
    "Majilis",
    "Ministry of Labour and Social Protection",
    "Айгерим Сарсенова",
    "Ерлан Жумабеков",
];

/// The seed every generated data set starts from.
pub const SEED: u64 = 0x5eed;

/// A word that occurs in about one entry in six (the "judicial review"
/// phrase): what the search benches look for.
pub const SEARCH_WORD: &str = "judicial";

pub struct Lcg(pub u64);

impl Lcg {
    pub fn new() -> Lcg {
        Lcg(SEED)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

/// A session of `entries` entries spread evenly over the agenda's blocks.
pub fn session(n: usize, entries: usize, rng: &mut Lcg) -> Session {
    let start: Stamp = "2011-05-19T09:00:00+06:00".parse().expect("valid stamp");
    let start = start.plus_seconds(n as i64 * 86_400);
    let title = format!("Workshop {n} on the draft migration law");
    let mut s = Session::from_template(&Template::builtin(), Some(&title), start);
    s.id = format!("gen{n:07}");
    s.location = "Astana".into();
    s.participants = SPEAKERS
        .iter()
        .map(|sp| Participant::new(*sp, ""))
        .collect();
    let blocks = s.blocks.len();
    for i in 0..entries {
        let kind = Kind::ALL[(rng.next() % 5) as usize];
        let text = format!("{} ({}). {}", rng.pick(PHRASES), i, rng.pick(PHRASES));
        let mut e = Entry::new(
            kind,
            text,
            Some(rng.pick(SPEAKERS).into()),
            start.plus_seconds(i as i64 * 20),
        );
        e.id = format!("e{n:05}x{i:06}");
        s.blocks[i * blocks / entries.max(1)].entries.push(e);
    }
    s.updated = start.plus_seconds(entries as i64 * 20);
    s
}

/// Like [`session`], with every entry in the current (first) block: the
/// worst case for the capture screen, which shows the current block.
pub fn session_one_block(n: usize, entries: usize, rng: &mut Lcg) -> Session {
    let mut s = session(n, entries, rng);
    let mut all = Vec::with_capacity(entries);
    for b in &mut s.blocks {
        all.append(&mut b.entries);
    }
    s.blocks[0].entries = all;
    s
}

/// The hidden file in a generated folder that says which generator wrote
/// it (`rapporteur` ignores hidden files).
pub const STAMP_FILE: &str = ".generator";

/// Names this generator: a hash of this file and the schema version, so
/// data sets kept between runs are made again when the generator changes.
pub fn stamp() -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in include_str!("data.rs").bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}-schema{}", rapporteur::model::SCHEMA_VERSION)
}

/// Whether `dir` holds `sessions` session files written by this generator.
pub fn is_current(dir: &Path, sessions: usize) -> bool {
    let stamped = std::fs::read_to_string(dir.join(STAMP_FILE)).is_ok_and(|s| s.trim() == stamp());
    stamped
        && Store::new(dir)
            .session_paths()
            .is_ok_and(|p| p.len() == sessions)
}

/// Writes `sessions` sessions of `entries` entries each into `dir`, as
/// `generate DIR SESSIONS ENTRIES` does, and the stamp; returns their paths.
pub fn write_folder(
    dir: &Path,
    sessions: usize,
    entries: usize,
) -> Result<Vec<PathBuf>, rapporteur::store::StoreError> {
    let store = Store::new(dir);
    let mut rng = Lcg::new();
    let paths = (0..sessions)
        .map(|n| store.create(&session(n, entries, &mut rng)))
        .collect::<Result<Vec<_>, _>>()?;
    if sessions > 0 {
        std::fs::write(dir.join(STAMP_FILE), stamp() + "\n").map_err(|source| {
            rapporteur::store::StoreError::Save {
                path: dir.join(STAMP_FILE),
                source,
            }
        })?;
    }
    Ok(paths)
}

/// Every entry of `s` in the order it was said, with its speaker's name in
/// front of the text (as the capture screen shows it).
fn said(s: &Session) -> Vec<(&Entry, String)> {
    let mut out: Vec<(&Entry, String)> = s
        .blocks
        .iter()
        .flat_map(|b| &b.entries)
        .map(|e| {
            let text = match &e.speaker {
                Some(sp) => format!("{}: {}", sp.raw(), e.text.raw()),
                None => e.text.raw().to_string(),
            };
            (e, text)
        })
        .collect();
    out.sort_by_key(|(e, _)| e.created.instant);
    out
}

/// The session's entries as a jrnl journal with jrnl's default
/// `timeformat` ("%F %r": `2011-05-19 09:00:00 AM`): one entry is
/// `[DATE] title` and, after a line break, its body; entries are separated
/// by a blank line, as jrnl itself writes them. The title is the entry's
/// first sentence (what jrnl would make of it), the body the rest.
pub fn jrnl_journal(s: &Session) -> String {
    let mut out = String::new();
    for (e, text) in said(s) {
        let local = e.created.local();
        let (h, ampm) = match local.hour() {
            0 => (12, "AM"),
            h @ 1..=11 => (h, "AM"),
            12 => (12, "PM"),
            h => (h - 12, "PM"),
        };
        let (title, body) = match text.find(". ") {
            Some(i) => (&text[..=i], text[i + 2..].trim()),
            None => (text.as_str(), ""),
        };
        let _ = write!(
            out,
            "[{} {h:02}:{:02}:{:02} {ampm}] {title}",
            local.date(),
            local.minute(),
            local.second()
        );
        if !body.is_empty() {
            let _ = write!(out, "\n{body}");
        }
        out.push_str("\n\n");
    }
    out
}

/// The session's entries as tui-journal's JSON back end stores them: one
/// array of `{id, date, title, content, tags, priority}`, dates in UTC.
pub fn tjournal_json(s: &Session) -> String {
    let entries: Vec<serde_json::Value> = said(s)
        .into_iter()
        .enumerate()
        .map(|(i, (e, text))| {
            let (title, content) = match text.find(". ") {
                Some(i) => (text[..=i].to_string(), text[i + 2..].trim().to_string()),
                None => (text.clone(), String::new()),
            };
            let date = e.created.instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            serde_json::json!({
                "id": i,
                "date": date,
                "title": title,
                "content": content,
                "tags": e.tags,
                "priority": null,
            })
        })
        .collect();
    serde_json::to_string(&entries).expect("JSON of plain values")
}
