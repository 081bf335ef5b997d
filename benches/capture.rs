//! The capture screen on the input path, with a 10,000-entry session:
//! one keystroke through `update` and a full render of a 200×50
//! `TestBackend`, as the event loop does it; Enter (commit) on the update
//! side (the save itself runs on the saver thread); and opening the
//! session up to its first frame, by phase.
//!
//! `cargo bench --bench capture` first prints the distribution (median,
//! p90, p99, max) of a plain loop timed with `Instant` (criterion reports
//! means and medians, not tails), then runs the criterion benches.
//! `RAPPORTEUR_BENCH_TAILS_ONLY=1` skips criterion (benches/compare.sh
//! uses that). Run without `--bench` (`cargo test --benches`) every loop
//! runs a few times only, as a smoke test.
//!
//! Targets (docs/PERFORMANCE.md): keystroke → finished frame median
//! ≤ 1 ms, p99 ≤ 5 ms; with an entry of almost 1 MiB in the editor (the
//! largest a paste may make, `MAX_ENTRY_BYTES`), every keystroke under
//! 16 ms. `RAPPORTEUR_BENCH_LONG_PASTE_ONLY=1` runs only that part.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use rapporteur::app::{Action, App, MAX_ENTRY_BYTES, update};
use rapporteur::model::Session;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "support/data.rs"]
mod data;

const ENTRIES: usize = 10_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
/// What the keystroke benches type, then erase, over and over: a marker,
/// a known speaker and a tag, so the editor title's preview parses them.
const TYPED: &str = "R: @UN Women Introduce gender-sensitive rules for the #labour-market now";

/// Which session the bench opens.
#[derive(Clone, Copy)]
enum Layout {
    /// As `generate` writes it: 2,000 entries in each of the 5 blocks.
    Spread,
    /// All 10,000 in the current block: the worst case for the screen.
    OneBlock,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Spread => "spread_5x2000",
            Layout::OneBlock => "one_block_10000",
        }
    }

    fn session(self) -> Session {
        let mut rng = data::Lcg::new();
        match self {
            Layout::Spread => data::session(0, ENTRIES, &mut rng),
            Layout::OneBlock => data::session_one_block(0, ENTRIES, &mut rng),
        }
    }
}

/// The app as the event loop has it after opening: the clock of the first
/// block running, nothing typed yet.
fn open_app(layout: Layout) -> App {
    let mut session = layout.session();
    let now = session.updated.plus_seconds(60);
    session.start_clock(now);
    App::new(
        session,
        PathBuf::from("bench-session.json"),
        None,
        None,
        now,
    )
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal")
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The keystrokes the typing benches cycle through: `TYPED`, then as many
/// Backspaces, so the editor never grows beyond one phrase.
fn keystrokes() -> Vec<Action> {
    let mut keys: Vec<Action> = TYPED.chars().map(|c| key(KeyCode::Char(c))).collect();
    keys.extend(TYPED.chars().map(|_| key(KeyCode::Backspace)));
    keys
}

/// One keystroke as the event loop handles it: the clock tick it sends
/// before every key, the key, the effects handed to the saver, a frame.
fn keystroke_frame(app: &mut App, term: &mut Terminal<TestBackend>, action: &Action) {
    let now = app.now;
    update(app, Action::Tick(now));
    update(app, action.clone());
    drop(black_box(app.take_effects()));
    term.draw(|f| rapporteur::ui::render(app, f))
        .expect("draw to a test terminal");
}

/// Types `TYPED` into the editor without timing it.
fn type_entry(app: &mut App, n: usize) {
    update(app, Action::Paste(format!("{TYPED} {n}")));
    drop(app.take_effects());
}

struct Tails {
    samples: Vec<Duration>,
}

impl Tails {
    fn new(mut samples: Vec<Duration>) -> Tails {
        samples.sort_unstable();
        Tails { samples }
    }

    fn at(&self, q: f64) -> Duration {
        let i = ((self.samples.len() as f64 - 1.0) * q).round() as usize;
        self.samples[i]
    }

    fn print(&self, name: &str) {
        println!(
            "{name:<44} n={:<6} median {:>9.1?}  p90 {:>9.1?}  p99 {:>9.1?}  max {:>9.1?}",
            self.samples.len(),
            self.at(0.5),
            self.at(0.9),
            self.at(0.99),
            self.at(1.0),
        );
    }
}

/// The shapes of a long pasted entry.
#[derive(Clone, Copy)]
enum Paste {
    /// A transcript: lines of about 100 bytes.
    Lines,
    /// One paragraph without a line break (the worst case for wrapping).
    OneLine,
}

impl Paste {
    fn name(self) -> &'static str {
        match self {
            Paste::Lines => "lines_1mib",
            Paste::OneLine => "one_line_1mib",
        }
    }

    /// Text just under the limit, Cyrillic and Latin mixed.
    fn text(self) -> String {
        let unit = match self {
            Paste::Lines => "Участник сказал: the draft must guarantee a remedy, and quickly.\n",
            Paste::OneLine => "Участник сказал: the draft must guarantee a remedy, and quickly. ",
        };
        let room = MAX_ENTRY_BYTES - TYPED.len() * 2 - 64;
        unit.repeat(room / unit.len())
    }
}

/// The capture screen with a long paste in the editor and the cursor at
/// its end, where typing goes on.
fn long_paste_app(paste: Paste) -> App {
    let mut app = open_app(Layout::Spread);
    update(&mut app, Action::Paste(paste.text()));
    assert!(app.notice.is_none(), "the bench paste was refused");
    drop(app.take_effects());
    app
}

/// Keystroke → frame with a long entry in the editor: every sample.
fn long_paste_tails(full: bool) {
    let n = if full { 300 } else { 5 };
    for paste in [Paste::Lines, Paste::OneLine] {
        let keys = keystrokes();
        let mut app = long_paste_app(paste);
        let mut term = terminal();
        keystroke_frame(&mut app, &mut term, &keys[0]);
        let mut samples = Vec::with_capacity(n);
        for a in keys.iter().cycle().skip(1).take(n) {
            let t = Instant::now();
            keystroke_frame(&mut app, &mut term, a);
            samples.push(t.elapsed());
        }
        Tails::new(samples).print(&format!("keystroke→frame/long_paste/{}", paste.name()));
    }
}

/// The tails criterion does not report: every sample of a plain loop.
fn tails(full: bool) {
    let (keystrokes_n, commits_n) = if full { (10_000, 1_000) } else { (20, 5) };
    println!("capture: {ENTRIES}-entry session, {WIDTH}x{HEIGHT} TestBackend, Instant-timed loop");
    for layout in [Layout::Spread, Layout::OneBlock] {
        let keys = keystrokes();
        let mut app = open_app(layout);
        let mut term = terminal();
        term.draw(|f| rapporteur::ui::render(&app, f))
            .expect("first frame");
        // Warm up the caches and the allocator.
        for a in keys.iter().cycle().take(keys.len() * 2) {
            keystroke_frame(&mut app, &mut term, a);
        }
        let mut samples = Vec::with_capacity(keystrokes_n);
        for a in keys.iter().cycle().take(keystrokes_n) {
            let t = Instant::now();
            keystroke_frame(&mut app, &mut term, a);
            samples.push(t.elapsed());
        }
        Tails::new(samples).print(&format!("keystroke→frame/{}", layout.name()));

        // Enter: the update only (the commit, the snapshot for the saver),
        // then the frame that shows the entry.
        let mut update_only = Vec::with_capacity(commits_n);
        let mut with_frame = Vec::with_capacity(commits_n);
        for n in 0..commits_n {
            type_entry(&mut app, n);
            let t = Instant::now();
            update(&mut app, key(KeyCode::Enter));
            let updated = t.elapsed();
            term.draw(|f| rapporteur::ui::render(&app, f))
                .expect("draw to a test terminal");
            let framed = t.elapsed();
            // The saver would drop the snapshot on its own thread.
            drop(black_box(app.take_effects()));
            update_only.push(updated);
            with_frame.push(framed);
        }
        Tails::new(update_only).print(&format!("enter(update)/{}", layout.name()));
        Tails::new(with_frame).print(&format!("enter(update+frame)/{}", layout.name()));
    }

    // Opening: parse the file's bytes, build the state, draw once.
    let bytes = rapporteur::store::to_bytes(&Layout::Spread.session()).expect("serialize");
    let path = std::path::Path::new("bench-session.json");
    let runs = if full { 30 } else { 2 };
    let (mut parse, mut state, mut frame) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let loaded = rapporteur::store::parse(path, &bytes).expect("parse");
        parse.push(t.elapsed());
        let t = Instant::now();
        let mut session = loaded.session;
        let now = session.updated.plus_seconds(60);
        session.start_clock(now);
        let app = App::new(session, path.to_path_buf(), None, None, now);
        state.push(t.elapsed());
        let t = Instant::now();
        let mut term = terminal();
        term.draw(|f| rapporteur::ui::render(&app, f))
            .expect("first frame");
        frame.push(t.elapsed());
    }
    println!("open ({} bytes):", bytes.len());
    Tails::new(parse).print("  open/parse (store::parse)");
    Tails::new(state).print("  open/App::new");
    Tails::new(frame).print("  open/first frame (render)");
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("capture");
    for layout in [Layout::Spread, Layout::OneBlock] {
        let keys = keystrokes();
        let mut app = open_app(layout);
        let mut term = terminal();
        let mut i = 0;
        g.bench_function(BenchmarkId::new("keystroke_frame", layout.name()), |b| {
            b.iter(|| {
                keystroke_frame(&mut app, &mut term, &keys[i % keys.len()]);
                i += 1;
            })
        });
        g.bench_function(BenchmarkId::new("keystroke_update", layout.name()), |b| {
            b.iter(|| {
                let now = app.now;
                update(&mut app, Action::Tick(now));
                update(&mut app, keys[i % keys.len()].clone());
                drop(app.take_effects());
                i += 1;
            })
        });
        g.bench_function(BenchmarkId::new("render", layout.name()), |b| {
            b.iter(|| {
                term.draw(|f| rapporteur::ui::render(&app, f))
                    .expect("draw to a test terminal");
            })
        });
        // Enter on the update side only: typing the entry, dropping the
        // effects the saver would get and removing the entry again are left
        // out of the time.
        let mut n = 0;
        g.bench_function(BenchmarkId::new("enter_update", layout.name()), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    type_entry(&mut app, n);
                    n += 1;
                    let t = Instant::now();
                    update(&mut app, key(KeyCode::Enter));
                    total += t.elapsed();
                    drop(black_box(app.take_effects()));
                    // Keep the session at 10,000 entries however many
                    // iterations criterion runs.
                    let cur = app.current();
                    app.session.blocks[cur].entries.pop();
                }
                total
            })
        });
    }
    for paste in [Paste::Lines, Paste::OneLine] {
        let keys = keystrokes();
        let mut app = long_paste_app(paste);
        let mut term = terminal();
        let mut i = 0;
        g.bench_function(
            BenchmarkId::new("keystroke_frame_long_paste", paste.name()),
            |b| {
                b.iter(|| {
                    keystroke_frame(&mut app, &mut term, &keys[i % keys.len()]);
                    i += 1;
                })
            },
        );
    }
    let bytes = rapporteur::store::to_bytes(&Layout::Spread.session()).expect("serialize");
    g.bench_function("open_parse_state_first_frame/spread_5x2000", |b| {
        let path = std::path::Path::new("bench-session.json");
        b.iter(|| {
            let mut session = rapporteur::store::parse(path, &bytes)
                .expect("parse")
                .session;
            let now = session.updated.plus_seconds(60);
            session.start_clock(now);
            let app = App::new(session, path.to_path_buf(), None, None, now);
            let mut term = terminal();
            term.draw(|f| rapporteur::ui::render(&app, f))
                .expect("first frame");
            black_box(term);
        })
    });
    g.finish();
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not.
    let full = std::env::args().any(|a| a == "--bench");
    long_paste_tails(full);
    if std::env::var_os("RAPPORTEUR_BENCH_LONG_PASTE_ONLY").is_some() {
        return;
    }
    tails(full);
    if std::env::var_os("RAPPORTEUR_BENCH_TAILS_ONLY").is_some() {
        return;
    }
    let mut c = Criterion::default()
        .sample_size(if full { 50 } else { 10 })
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
}
