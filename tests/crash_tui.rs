//! Crash: the real app, typing in a pseudo-terminal, killed with SIGKILL
//! at random moments (while typing, around the draft's autosave, right
//! after Enter, right after a block change, while quitting), mixed with
//! `rapporteur note` killed mid-write. After every kill:
//!
//! - the session loads (`rapporteur::store::load`: the file and, in long
//!   sessions, its journal);
//! - every entry known committed (seen on disk) is there with its exact
//!   text, and no entry is there twice;
//! - at most one second of typing is lost: what was typed more than 1 s
//!   before the kill is committed or in the draft sidecar;
//! - the next start shows the draft in the editor.
//!
//! Two sessions take turns: a short one (every Enter rewrites the file)
//! and one of 1,000 entries (every Enter appends to the journal).
//!
//! `RAPPORTEUR_KILLS` sets the number of kills (default [`DEFAULT_KILLS`]),
//! `RAPPORTEUR_CRASH_SEED` the seed (printed at the start), and
//! `RAPPORTEUR_CRASH_REPORT` a file to write the summary into.

#[path = "support/pty.rs"]
mod pty;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pty::{Pty, Screen};
use serde_json::{Value, json};

/// Keeps the test near two minutes in a debug build on two cores.
const DEFAULT_KILLS: usize = 200;
/// The share of rounds that run `rapporteur note` (once or twice)
/// rather than the app, in percent: about 40% of the kills.
const NOTE_SHARE: u64 = 30;
/// The most typing a kill may lose.
const MAX_LOSS: Duration = Duration::from_secs(1);
/// Entries seeded into the long session: enough for the journal.
const LONG_SESSION_ENTRIES: usize = 1_000;
/// The editor holds at most this many characters, so it stays one line
/// on a 100-column screen.
const MAX_DRAFT_CHARS: usize = 60;

const CTRL_N: &str = "\x0e";
const CTRL_P: &str = "\x10";
const CTRL_Q: &str = "\x11";

const WORDS: &[&str] = &[
    // Latin
    "rights",
    "migrant",
    "permit",
    "labour",
    "court",
    "remedy",
    "status",
    "article",
    // Cyrillic
    "право",
    "мигрант",
    "закон",
    "суд",
    "статья",
    "работа",
    "семья",
    "конвенция",
    // Kazakh
    "құқық",
    "көші-қон",
    "заң",
    "еңбек",
    "өтініш",
    "үкімет",
    "ғылым",
    "қабылдау",
];

/// A tiny linear congruential generator: deterministic from its seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.below(WORDS.len() as u64) as usize]
    }

    fn millis(&mut self, from: u64, to: u64) -> Duration {
        Duration::from_millis(from + self.below(to - from + 1))
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|s| {
        s.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {s:?}"))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Phase {
    Typing,
    Autosave,
    Commit,
    Block,
    Quit,
    Note,
}

const PHASES: [Phase; 6] = [
    Phase::Typing,
    Phase::Autosave,
    Phase::Commit,
    Phase::Block,
    Phase::Quit,
    Phase::Note,
];

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Phase::Typing => "typing",
            Phase::Autosave => "draft autosave",
            Phase::Commit => "commit (Enter)",
            Phase::Block => "block change (Ctrl+N/P)",
            Phase::Quit => "quit (Ctrl+Q)",
            Phase::Note => "`rapporteur note`",
        }
    }
}

/// The text of one entry as it is typed: a unique token first, so that a
/// draft on disk names the entry it belongs to.
#[derive(Debug, Clone)]
struct Segment {
    token: String,
    text: String,
    /// When each piece was sent, and the text's length (bytes) after it.
    chunks: Vec<(Instant, usize)>,
    /// When Enter was sent for it.
    entered: Option<Instant>,
}

impl Segment {
    /// The part of the text sent before `t`.
    fn typed_before(&self, t: Instant) -> &str {
        let len = self
            .chunks
            .iter()
            .filter(|(at, _)| *at < t)
            .map(|(_, len)| *len)
            .max()
            .unwrap_or(0);
        &self.text[..len]
    }

    /// How long before `kill` the first piece not in `kept` was sent.
    fn lost_for(&self, kept: usize, kill: Instant) -> Duration {
        self.chunks
            .iter()
            .find(|(_, len)| *len > kept)
            .map(|(at, _)| kill.saturating_duration_since(*at))
            .unwrap_or(Duration::ZERO)
    }
}

/// What the test knows about one session.
struct Target {
    name: &'static str,
    id: String,
    path: PathBuf,
    /// Texts seen on disk: they must stay, exactly, once each.
    confirmed: Vec<String>,
    confirmed_set: HashSet<String>,
    /// Entries typed in the app that are not known to be on disk; the
    /// last one without `entered` is what the editor holds.
    live: Vec<Segment>,
    /// What the next start must show in the editor.
    restored: Option<String>,
}

impl Target {
    fn confirm(&mut self, text: String) {
        if self.confirmed_set.insert(text.clone()) {
            self.confirmed.push(text);
        }
    }

    fn editor(&self) -> Option<&Segment> {
        self.live.last().filter(|s| s.entered.is_none())
    }

    fn draft_path(&self) -> PathBuf {
        sidecar(&self.path, "draft")
    }
}

fn sidecar(session: &Path, kind: &str) -> PathBuf {
    let name = session
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    session.with_file_name(format!(".{name}.{kind}"))
}

/// The session as every reader sees it.
struct OnDisk {
    texts: Vec<String>,
    ids: HashSet<String>,
}

fn on_disk(path: &Path) -> Result<OnDisk, String> {
    let loaded = rapporteur::store::load(path).map_err(|e| format!("does not load: {e}"))?;
    let mut texts = Vec::new();
    let mut ids = HashSet::new();
    for b in &loaded.session.blocks {
        for e in &b.entries {
            texts.push(e.text.raw().to_string());
            if !ids.insert(e.id.clone()) {
                return Err(format!("entry id {} is there twice", e.id));
            }
        }
    }
    Ok(OnDisk { texts, ids })
}

/// The draft sidecar: (text, entry id), if there is one.
fn read_draft(path: &Path) -> Result<Option<(String, String)>, String> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the draft: {e}")),
    };
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "the draft is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&bytes)
        )
    })?;
    let text = v["text"].as_str().ok_or("the draft has no text")?;
    let id = v["entry_id"].as_str().ok_or("the draft has no entry_id")?;
    Ok(Some((text.to_string(), id.to_string())))
}

#[derive(Default)]
struct Stats {
    kills: HashMap<Phase, usize>,
    /// Ctrl+Q finished before the kill came.
    quit_before_kill: usize,
    notes_finished: usize,
    typed_entries: usize,
    committed: usize,
    /// Entries whose Enter came shortly before the kill, found on disk.
    pending_found: usize,
    /// Entries whose Enter came shortly before the kill and that were
    /// lost (allowed: typed less than a second before it), by how long.
    pending_lost: usize,
    /// Drafts shown again in the editor on the next start.
    drafts_restored: usize,
    max_lost: Duration,
    max_lost_phase: Option<Phase>,
    /// Kills whose timed sleep overshot by more than 100 ms (a busy
    /// machine), and the most it overshot.
    stalls: usize,
    max_stall: Duration,
    /// How long a `note` that was let finish took, on average (ms).
    note_ms: f64,
    /// How long the app takes from Ctrl+Q to its exit, on average (ms).
    quit_ms: f64,
    failures: Vec<String>,
}

impl Stats {
    fn total_kills(&self) -> usize {
        self.kills.values().sum()
    }

    fn stall(&mut self, d: Duration) {
        if d > Duration::from_millis(100) {
            self.stalls += 1;
        }
        self.max_stall = self.max_stall.max(d);
    }

    fn lost(&mut self, d: Duration, phase: Phase) {
        if d > self.max_lost {
            self.max_lost = d;
            self.max_lost_phase = Some(phase);
        }
    }

    fn summary(&self, seed: u64, kills: usize, elapsed: Duration, build: &str) -> String {
        let mut s = String::new();
        s.push_str("# Crash test: SIGKILL at random moments\n\n");
        s.push_str(&format!(
            "seed {seed} (RAPPORTEUR_CRASH_SEED), {kills} kills asked (RAPPORTEUR_KILLS), \
             {build} build, {:.1} s\n\n",
            elapsed.as_secs_f64()
        ));
        s.push_str("| phase | kills |\n| --- | --- |\n");
        for p in PHASES {
            s.push_str(&format!(
                "| {} | {} |\n",
                p.label(),
                self.kills.get(&p).copied().unwrap_or(0)
            ));
        }
        s.push_str(&format!("| **total** | **{}** |\n\n", self.total_kills()));
        s.push_str(&format!(
            "- Ctrl+Q finished before its kill came: {}\n\
             - `note` runs that finished (not killed): {}\n\
             - entries typed in the app: {}\n\
             - entries committed (seen on disk, app and note): {}\n\
             - entries whose Enter came just before the kill, found on disk after it: {}\n\
             - entries whose Enter came just before the kill, lost (typed < 1 s before it): {}\n\
             - drafts restored into the editor on the next start: {}\n\
             - most typing lost to a kill: {} ms{}\n\
             - kills delayed > 100 ms by a busy machine: {} (at most {} ms late; added to \
             the 1 s allowed)\n\
             - a `note` that runs to the end takes about {:.1} ms, Ctrl+Q to exit about \
             {:.1} ms; those kills come within 1.2 times that\n\
             - failures: {}\n",
            self.quit_before_kill,
            self.notes_finished,
            self.typed_entries,
            self.committed,
            self.pending_found,
            self.pending_lost,
            self.drafts_restored,
            self.max_lost.as_millis(),
            self.max_lost_phase
                .map(|p| format!(" (kill during {})", p.label()))
                .unwrap_or_default(),
            self.stalls,
            self.max_stall.as_millis(),
            self.note_ms,
            self.quit_ms,
            if self.failures.is_empty() {
                "none".to_string()
            } else {
                self.failures.len().to_string()
            }
        ));
        for f in &self.failures {
            s.push_str(&format!("  - {f}\n"));
        }
        s
    }
}

/// The whole run: the sessions folder, the two sessions, the counters.
struct Run {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    dir: PathBuf,
    rng: Lcg,
    seed: u64,
    next_token: usize,
    stats: Stats,
}

impl Run {
    fn command(&self) -> Command {
        let mut c = Command::new(pty::bin());
        c.arg("--sessions-dir")
            .arg(&self.dir)
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join("xdg-data"))
            .env_remove("RAPPORTEUR_SESSIONS_DIR")
            .env_remove("RAPPORTEUR_FAULTS")
            .current_dir(&self.home)
            .stdin(Stdio::null());
        c
    }

    /// `rapporteur new --no-open`: the id and the path.
    fn new_session(&self, title: &str) -> (String, PathBuf) {
        let out = self
            .command()
            .args(["new", "--no-open", "--title", title])
            .output()
            .expect("run rapporteur new");
        assert!(
            out.status.success(),
            "new --no-open: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).expect("UTF-8");
        let (id, path) = line
            .trim_end()
            .split_once('\t')
            .unwrap_or_else(|| panic!("new --no-open printed {line:?}"));
        (id.to_string(), PathBuf::from(path))
    }

    fn target(&self, name: &'static str, id: String, path: PathBuf) -> Target {
        let disk = on_disk(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut t = Target {
            name,
            id,
            path,
            confirmed: Vec::new(),
            confirmed_set: HashSet::new(),
            live: Vec::new(),
            restored: None,
        };
        for text in disk.texts {
            t.confirm(text);
        }
        t
    }

    fn token(&mut self, prefix: &str) -> String {
        self.next_token += 1;
        format!("{prefix}{}", self.next_token)
    }

    fn fail(&mut self, target: &Target, what: String) {
        let msg = format!("[{}] {what} (seed {})", target.name, self.seed);
        eprintln!("FAILURE: {msg}");
        self.stats.failures.push(msg);
    }

    /// One run of the app on `t`, ended by SIGKILL during `phase`.
    fn app_round(&mut self, t: &mut Target, phase: Phase) {
        let args = [
            "--sessions-dir",
            self.dir.to_str().expect("UTF-8 temp path"),
            "open",
            &t.id,
        ];
        let mut p = Pty::spawn(&self.home, &args);
        // Ready: the capture screen, with the draft back if there was one.
        let restored = t.restored.clone();
        let ready = pty::poll(Duration::from_secs(20), || {
            let s = p.screen();
            let text = s.text();
            if !text.contains(" Entries (") || !text.contains(" of 5 · ") {
                return None;
            }
            let shown = match &restored {
                Some(d) => editor_line(&s).is_some_and(|l| {
                    l.strip_prefix('│')
                        .and_then(|r| r.strip_suffix('│'))
                        .map(str::trim_end)
                        == Some(d.as_str())
                }),
                None => text.contains("Type what is said."),
            };
            shown.then_some(s)
        });
        let Some(screen) = ready else {
            let what = match &restored {
                Some(d) => format!("the restored draft {d:?} in the editor"),
                None => "an empty editor".to_string(),
            };
            let shown = p.screen().shown();
            p.kill9();
            self.fail(t, format!("the app never showed {what}; screen:\n{shown}"));
            // Start over from what is on disk.
            self.resync(t);
            return;
        };
        if screen.contains("READ-ONLY") {
            let shown = screen.shown();
            p.kill9();
            self.fail(t, format!("opened read-only after a kill:\n{shown}"));
            return;
        }
        if restored.is_some() {
            self.stats.drafts_restored += 1;
        }

        // A short random script.
        for _ in 0..self.rng.below(5) {
            match self.rng.below(100) {
                0..=49 => self.type_chunk(&p, t),
                50..=69 => {
                    let wait = self.rng.chance(50);
                    self.enter(&p, t, wait);
                }
                70..=84 => {
                    p.send(if self.rng.chance(70) { CTRL_N } else { CTRL_P });
                }
                _ => self.wait_draft(&p, t),
            }
            std::thread::sleep(self.rng.millis(20, 150));
        }

        // The last action, then the kill.
        let delay = match phase {
            Phase::Typing => {
                self.type_chunk(&p, t);
                self.rng.millis(0, 300)
            }
            Phase::Autosave => {
                // Nothing unsaved, then one piece: its draft is written
                // DRAFT_DELAY later; kill around that moment.
                self.wait_draft(&p, t);
                self.type_chunk(&p, t);
                let at = rapporteur::tui::DRAFT_DELAY.as_millis() as u64;
                self.rng.millis(at.saturating_sub(150), at + 150)
            }
            Phase::Commit => {
                if t.editor().is_none() {
                    self.type_chunk(&p, t);
                }
                self.enter(&p, t, false);
                self.rng.millis(0, 300)
            }
            Phase::Block => {
                p.send(if self.rng.chance(70) { CTRL_N } else { CTRL_P });
                self.rng.millis(0, 300)
            }
            Phase::Quit => {
                // Quitting takes a few milliseconds. One quit in six runs
                // to the end and measures how long; the others are
                // killed somewhere in that time.
                let measure = self.rng.chance(16);
                let sent = Instant::now();
                p.send(CTRL_Q);
                if measure {
                    // Looked at every millisecond: the usual 20 ms steps
                    // would blur a quit of a few milliseconds.
                    while p.try_status().is_none() && sent.elapsed() < pty::TIMEOUT {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    if p.try_status().is_some() {
                        let ms = sent.elapsed().as_secs_f64() * 1000.0;
                        self.stats.quit_ms = 0.7 * self.stats.quit_ms + 0.3 * ms;
                    }
                    Duration::ZERO
                } else {
                    let window = (self.stats.quit_ms * 1200.0).max(2000.0) as u64;
                    Duration::from_micros(self.rng.below(window + 1))
                }
            }
            Phase::Note => unreachable!(),
        };
        let slept_from = Instant::now();
        std::thread::sleep(delay);
        let kill_at = Instant::now();
        // On a busy machine this thread wakes late, and the app is as
        // starved as it is: its timers count from the same clock. What
        // the sleep overshot is added to the allowed loss, and reported.
        let stall = (kill_at - slept_from).saturating_sub(delay);
        self.stats.stall(stall);
        let alive = p.try_status().is_none();
        let status = p.kill9();
        let clean_quit = !alive && status.success();
        if alive {
            *self.stats.kills.entry(phase).or_default() += 1;
        } else if phase == Phase::Quit && clean_quit {
            self.stats.quit_before_kill += 1;
        } else {
            self.fail(
                t,
                format!("the app ended by itself with {status:?} during {phase:?}"),
            );
        }
        let out = p.output_text();
        if out.contains("panicked") {
            let at = out.find("panicked").unwrap_or(0);
            self.fail(
                t,
                format!("the app panicked: {}", &out[at..(at + 400).min(out.len())]),
            );
        }
        self.check_after_kill(t, kill_at, phase, clean_quit, stall);
    }

    /// Types one piece: a new entry's token, or one more word.
    fn type_chunk(&mut self, p: &Pty, t: &mut Target) {
        if t.editor()
            .is_some_and(|s| s.text.chars().count() > MAX_DRAFT_CHARS - 20)
        {
            // Keep the draft on one line: commit it first.
            self.enter(p, t, false);
        }
        let chunk = match t.editor() {
            Some(_) => {
                let n = 1 + self.rng.below(2);
                let words: Vec<&str> = (0..n).map(|_| self.rng.word()).collect();
                format!(" {}", words.join(" "))
            }
            None => {
                let token = self.token("e");
                t.live.push(Segment {
                    token: token.clone(),
                    text: String::new(),
                    chunks: Vec::new(),
                    entered: None,
                });
                self.stats.typed_entries += 1;
                format!("{token} {}", self.rng.word())
            }
        };
        let seg = t.live.last_mut().expect("a segment");
        seg.text.push_str(&chunk);
        p.send(&chunk);
        seg.chunks.push((Instant::now(), seg.text.len()));
    }

    /// Enter, if the editor holds something; with `wait`, until the
    /// entry is on disk.
    fn enter(&mut self, p: &Pty, t: &mut Target, wait: bool) {
        let Some(seg) = t.live.last_mut().filter(|s| s.entered.is_none()) else {
            return;
        };
        p.send("\r");
        seg.entered = Some(Instant::now());
        let text = seg.text.clone();
        if !wait {
            return;
        }
        let seen = pty::poll(pty::TIMEOUT, || {
            on_disk(&t.path)
                .ok()
                .filter(|d| d.texts.contains(&text))
                .map(|_| ())
        });
        if seen.is_some() {
            t.live.retain(|s| s.text != text);
            t.confirm(text);
            self.stats.committed += 1;
        } else {
            self.fail(
                t,
                format!("{text:?} not on disk {:?} after Enter", pty::TIMEOUT),
            );
        }
    }

    /// Waits until the draft on disk holds all of the editor's text.
    fn wait_draft(&mut self, p: &Pty, t: &mut Target) {
        let Some(want) = t.editor().map(|s| s.text.clone()) else {
            return;
        };
        let path = t.draft_path();
        let seen = pty::poll(pty::TIMEOUT, || {
            read_draft(&path)
                .ok()
                .flatten()
                .filter(|(text, _)| *text == want)
        });
        if seen.is_none() {
            let screen = p.screen().shown();
            self.fail(
                t,
                format!(
                    "the draft never held {want:?} (it holds {:?}); screen:\n{screen}",
                    read_draft(&path)
                ),
            );
        }
    }

    /// After a kill: the session loads, nothing confirmed is missing or
    /// doubled, and at most a second of typing is lost. Sets up what the
    /// next start must show.
    fn check_after_kill(
        &mut self,
        t: &mut Target,
        kill: Instant,
        phase: Phase,
        clean_quit: bool,
        stall: Duration,
    ) {
        let disk = match on_disk(&t.path) {
            Ok(d) => d,
            Err(e) => {
                self.fail(t, format!("after a kill during {phase:?}: the session {e}"));
                return;
            }
        };
        self.check_entries(t, &disk, &format!("after a kill during {phase:?}"));
        let present: HashSet<&String> = disk.texts.iter().collect();
        let draft = match read_draft(&t.draft_path()) {
            Ok(d) => d,
            Err(e) => {
                self.fail(t, format!("after a kill during {phase:?}: {e}"));
                None
            }
        };
        // A draft whose entry is in the session was committed before the
        // draft could be removed; the app does not restore it.
        let draft = draft.filter(|(_, id)| !disk.ids.contains(id));

        let mut next_live = Vec::new();
        let mut restored = None;
        let live = std::mem::take(&mut t.live);
        for seg in live {
            if seg.entered.is_some() && present.contains(&seg.text) {
                self.stats.pending_found += 1;
                self.stats.committed += 1;
                t.confirm(seg.text.clone());
                continue;
            }
            let old = seg.typed_before(kill - MAX_LOSS - stall).to_string();
            let in_draft = draft
                .as_ref()
                .filter(|(d, _)| d.split(' ').next() == Some(seg.token.as_str()));
            let kept = match in_draft {
                Some((d, _)) => {
                    if !seg.text.starts_with(d.as_str()) {
                        self.fail(
                            t,
                            format!(
                                "the draft {d:?} is not what was typed ({:?}), kill during {phase:?}",
                                seg.text
                            ),
                        );
                    }
                    d.len()
                }
                None => 0,
            };
            let lost = seg.lost_for(kept, kill);
            self.stats.lost(lost, phase);
            if kept < old.len() {
                let draft_text = draft.as_ref().map(|(d, _)| d);
                self.fail(
                    t,
                    format!(
                        "typing older than {MAX_LOSS:?} (+ {} ms the machine stalled) lost \
                         in a kill during {phase:?}: typed {old:?} by then, Enter {}, draft \
                         {draft_text:?}; the oldest lost piece was sent {} ms before the kill",
                        stall.as_millis(),
                        if seg.entered.is_some() {
                            "sent, entry not on disk"
                        } else {
                            "not sent"
                        },
                        lost.as_millis()
                    ),
                );
            }
            if clean_quit && kept < seg.text.len() {
                self.fail(
                    t,
                    format!(
                        "Ctrl+Q finished but {:?} is neither committed nor in the draft ({:?})",
                        seg.text,
                        draft.as_ref().map(|(d, _)| d)
                    ),
                );
            }
            if kept == 0 {
                if seg.entered.is_some() {
                    self.stats.pending_lost += 1;
                }
                continue;
            }
            // It lives on as the draft: the next start shows it, and it
            // counts as typed long ago (it is on disk).
            let text = seg.text[..kept].to_string();
            restored = Some(text.clone());
            next_live.push(Segment {
                token: seg.token,
                chunks: vec![(kill - Duration::from_secs(10), text.len())],
                text,
                entered: None,
            });
        }
        if let Some((d, _)) = &draft
            && restored.as_deref() != Some(d.as_str())
        {
            self.fail(
                t,
                format!("the draft {d:?} belongs to no entry typed, kill during {phase:?}"),
            );
        }
        t.live = next_live;
        t.restored = restored;
    }

    /// Every confirmed text is there exactly once.
    fn check_entries(&mut self, t: &mut Target, disk: &OnDisk, when: &str) {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for text in &disk.texts {
            *count.entry(text.as_str()).or_default() += 1;
        }
        let twice: Vec<&&str> = count
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(text, _)| text)
            .collect();
        if !twice.is_empty() {
            let msg = format!("{when}: entries there twice: {twice:?}");
            self.fail(t, msg);
        }
        let missing: Vec<String> = t
            .confirmed
            .iter()
            .filter(|c| !count.contains_key(c.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let msg = format!("{when}: committed entries missing: {missing:?}");
            self.fail(t, msg);
            // Go on with what is there.
            t.confirmed.retain(|c| !missing.contains(c));
            for m in &missing {
                t.confirmed_set.remove(m);
            }
        }
    }

    /// After a failure that leaves the model unsure: take the disk's word.
    fn resync(&mut self, t: &mut Target) {
        t.live.clear();
        t.restored = None;
        if let Ok(d) = on_disk(&t.path) {
            for text in d.texts {
                t.confirm(text);
            }
        }
        if let Ok(Some((text, id))) = read_draft(&t.draft_path())
            && on_disk(&t.path).is_ok_and(|d| !d.ids.contains(&id))
        {
            t.restored = Some(text.clone());
            let token = text.split(' ').next().unwrap_or_default().to_string();
            t.live.push(Segment {
                token,
                chunks: vec![(Instant::now() - Duration::from_secs(10), text.len())],
                text,
                entered: None,
            });
        }
    }

    /// `rapporteur note`, killed after a random moment (or let finish).
    fn note_round(&mut self, t: &mut Target) {
        let token = self.token("n");
        let text = format!("{token} {} {}", self.rng.word(), self.rng.word());
        let started = Instant::now();
        let mut child = self
            .command()
            .args(["note", &t.id, &text])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run rapporteur note");
        // One in ten runs to the end, which also measures how long a
        // note takes; the others are killed somewhere in that time.
        let finish = self.rng.chance(10);
        if !finish {
            let window = (self.stats.note_ms * 1200.0).max(2000.0) as u64;
            std::thread::sleep(Duration::from_micros(self.rng.below(window + 1)));
            // SIGKILL; harmless if it has exited already.
            let _ = child.kill();
        }
        let out = child.wait_with_output().expect("wait for note");
        if finish && out.status.success() {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            self.stats.note_ms = 0.7 * self.stats.note_ms + 0.3 * ms;
        }
        let status = out.status;
        match (status.code(), status.signal()) {
            (Some(0), _) => {
                self.stats.notes_finished += 1;
                self.stats.committed += 1;
                t.confirm(text.clone());
            }
            (None, Some(libc::SIGKILL)) => *self.stats.kills.entry(Phase::Note).or_default() += 1,
            other => {
                let err = String::from_utf8_lossy(&out.stderr).into_owned();
                self.fail(t, format!("note ended with {other:?}: {err}"));
            }
        }
        let disk = match on_disk(&t.path) {
            Ok(d) => d,
            Err(e) => {
                self.fail(t, format!("after a killed note: the session {e}"));
                return;
            }
        };
        self.check_entries(t, &disk, "after a killed note");
        if disk.texts.contains(&text) && !t.confirmed_set.contains(&text) {
            self.stats.committed += 1;
            self.stats.pending_found += 1;
            t.confirm(text);
        }
    }
}

/// The editor's first text row: the one after its top border.
fn editor_line(s: &Screen) -> Option<String> {
    let lines = s.lines();
    let top = lines.iter().rposition(|l| l.starts_with('╭'))?;
    lines.get(top + 1).map(|l| l.trim_end().to_string())
}

/// Adds `n` entries to the session file directly, so that it is long
/// enough for the journal.
fn seed_entries(path: &Path, n: usize) {
    let mut v: Value = serde_json::from_slice(&fs::read(path).expect("read")).expect("JSON");
    let entries = v["blocks"][0]["entries"].as_array_mut().expect("entries");
    for i in 0..n {
        entries.push(json!({
            "id": format!("seed{i:06}"),
            "kind": "note",
            "text": format!("seeded {i} құқық право rights"),
            "speaker": null,
            "tags": [],
            "created": "2024-05-01T09:00:00+00:00",
            "edited": null,
        }));
    }
    let mut bytes = serde_json::to_vec_pretty(&v).expect("JSON");
    bytes.push(b'\n');
    fs::write(path, bytes).expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("chmod");
}

#[test]
fn killed_at_random_moments_the_app_keeps_every_commit_and_its_draft() {
    let kills = env_number("RAPPORTEUR_KILLS").map_or(DEFAULT_KILLS, |n| n as usize);
    let seed = env_number("RAPPORTEUR_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos() as u64
    });
    eprintln!(
        "seed {seed} (set RAPPORTEUR_CRASH_SEED to repeat), {kills} kills (RAPPORTEUR_KILLS)"
    );

    let tmp = tempfile::Builder::new()
        .prefix("rapporteur-crash-")
        .tempdir()
        .expect("temporary folder");
    let home = tmp.path().to_path_buf();
    let dir = home.join("sessions");
    fs::create_dir(&dir).expect("sessions folder");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
    let mut run = Run {
        _tmp: tmp,
        home,
        dir,
        rng: Lcg(seed),
        seed,
        next_token: 0,
        stats: Stats {
            note_ms: 20.0,
            quit_ms: 40.0,
            ..Stats::default()
        },
    };
    let (id, path) = run.new_session("Crash short");
    let mut short = run.target("short session", id, path);
    let (id, path) = run.new_session("Crash long");
    seed_entries(&path, LONG_SESSION_ENTRIES);
    let mut long = run.target("long session (journal)", id, path);

    let start = Instant::now();
    let mut round = 0;
    while run.stats.total_kills() < kills {
        round += 1;
        let t = if run.rng.chance(50) {
            &mut short
        } else {
            &mut long
        };
        if run.rng.chance(NOTE_SHARE) {
            // A few notes in a row, while the app is not running.
            for _ in 0..1 + run.rng.below(2) {
                run.note_round(t);
            }
        } else {
            let phase = match run.rng.below(100) {
                0..=24 => Phase::Typing,
                25..=44 => Phase::Autosave,
                45..=69 => Phase::Commit,
                70..=84 => Phase::Block,
                _ => Phase::Quit,
            };
            run.app_round(t, phase);
        }
        if run.stats.failures.len() >= 20 {
            eprintln!("stopping after 20 failures");
            break;
        }
        if round % 50 == 0 {
            eprintln!(
                "round {round}: {} kills, {:.0} s",
                run.stats.total_kills(),
                start.elapsed().as_secs_f64()
            );
        }
    }

    // Both sessions still pass `check`.
    let out = run
        .command()
        .arg("check")
        .output()
        .expect("run rapporteur check");
    if !out.status.success() {
        let msg = format!(
            "check after the kills: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        run.stats.failures.push(msg);
    }

    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let summary = run.stats.summary(seed, kills, start.elapsed(), build);
    eprintln!("\n{summary}");
    if let Ok(report) = std::env::var("RAPPORTEUR_CRASH_REPORT") {
        fs::write(&report, &summary).unwrap_or_else(|e| panic!("write {report}: {e}"));
    }
    assert!(
        run.stats.failures.is_empty(),
        "{} failures (seed {seed}):\n{}",
        run.stats.failures.len(),
        run.stats.failures.join("\n")
    );
}
