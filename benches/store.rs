//! The store and the folder-wide commands, in process:
//!
//! - Enter → entry durable on disk: `update(Enter)` on an app opened from a
//!   copy of a 10,000-entry session, the job handed to the real saver
//!   thread, until it reports the write (and its fsync) done;
//! - `save` of the same session (pretty JSON, temporary file, fsync,
//!   rename, fsync of the folder), what every other change costs, and its
//!   phases (serialize, write+fsync, the clone `update` makes);
//! - load and parse of the same file against serde_json's floors, and the
//!   phases of `rapporteur note` before it writes (resolve by id, lock,
//!   load, speaker names);
//! - `Store::list` and `search::search_folder` over 1,000 sessions of 200
//!   entries (94 MB), against the serde_json floor: reading the same
//!   files and parsing them into `serde::de::IgnoredAny` and into
//!   `serde_json::Value`, on one thread;
//! - search and the Markdown report of the 10,000-entry session.
//!
//! The data is generated once into `target/bench-data` (or
//! `$RAPPORTEUR_BENCH_DATA`) with the generator's own code and reused.
//! `cargo bench --bench store` first prints plain Instant-timed
//! distributions (median, p99), then runs criterion;
//! `RAPPORTEUR_BENCH_TAILS_ONLY=1` skips criterion. Without `--bench`
//! (`cargo test --benches`) everything runs on a small folder, a few times.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::Criterion;
use rapporteur::app::{Action, App, update};
use rapporteur::model::Stamp;
use rapporteur::search::{Query, search_folder};
use rapporteur::store::saver::Saver;
use rapporteur::store::{self, Store};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "support/data.rs"]
mod data;

const ENTRIES: usize = 10_000;

/// The data sets, built once and reused.
struct Data {
    /// A folder holding the one 10,000-entry session.
    big_dir: PathBuf,
    big_file: PathBuf,
    /// A folder of `folder_sessions` sessions of `folder_entries` entries.
    folder: PathBuf,
    folder_sessions: usize,
    /// A scratch folder on the same file system, for saves.
    scratch: PathBuf,
}

fn data_root() -> PathBuf {
    std::env::var_os("RAPPORTEUR_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"))
}

/// `root/name` holding `sessions` generated sessions of `entries` entries;
/// generated (into a temporary folder, then renamed) when missing or
/// incomplete.
fn folder(root: &Path, sessions: usize, entries: usize) -> PathBuf {
    let dir = root.join(format!("sessions-{sessions}x{entries}"));
    if data::is_current(&dir, sessions) {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let tmp = root.join(format!(".tmp-sessions-{sessions}x{entries}"));
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!(
        "generating {sessions} sessions of {entries} entries into {}",
        dir.display()
    );
    data::write_folder(&tmp, sessions, entries).expect("generate the bench data");
    std::fs::rename(&tmp, &dir).expect("move the bench data in place");
    dir
}

fn prepare(full: bool) -> Data {
    let root = data_root();
    std::fs::create_dir_all(&root).expect("create the bench data folder");
    let big_dir = folder(&root, 1, ENTRIES);
    let big_file = Store::new(&big_dir).session_paths().expect("list")[0].clone();
    let (sessions, entries) = if full { (1_000, 200) } else { (20, 200) };
    let folder = folder(&root, sessions, entries);
    let scratch = root.join("scratch");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("create the scratch folder");
    Data {
        big_dir,
        big_file,
        folder,
        folder_sessions: sessions,
        scratch,
    }
}

fn folder_bytes(dir: &Path) -> Vec<Vec<u8>> {
    Store::new(dir)
        .session_paths()
        .expect("list the folder")
        .iter()
        .map(|p| std::fs::read(p).expect("read a session"))
        .collect()
}

/// The floor: read every file and parse it, on one thread.
fn read_and_parse<T: serde::de::DeserializeOwned>(dir: &Path) {
    for p in Store::new(dir).session_paths().expect("list the folder") {
        let bytes = std::fs::read(&p).expect("read a session");
        black_box(serde_json::from_slice::<T>(&bytes).expect("valid JSON"));
    }
}

fn query() -> Query {
    Query::parse(data::SEARCH_WORD, None, None)
}

fn time<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let t = Instant::now();
    let r = f();
    (t.elapsed(), r)
}

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<46} n={:<4} median {:>9.2?}  p99 {:>9.2?}  min {:>9.2?}  max {:>9.2?}",
        samples.len(),
        at(0.5),
        at(0.99),
        at(0.0),
        at(1.0),
    );
}

fn repeat(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..n).map(|_| time(&mut f).0).collect()
}

/// Enter → durable, `n` times: opens a copy of the big session as the
/// app does (lock, clock), starts the saver thread, and for each entry
/// times `update(Enter)` until the saver reports the write done.
fn enter_to_durable(d: &Data, n: usize) -> Vec<Duration> {
    let dir = d.scratch.join("enter");
    std::fs::create_dir_all(&dir).expect("create");
    let path = dir.join(d.big_file.file_name().expect("a file name"));
    std::fs::copy(&d.big_file, &path).expect("copy the session");
    let opened = rapporteur::tui::open_session(path.clone(), Stamp::now()).expect("open");
    let mut app = opened.app;
    let (tx, rx) = std::sync::mpsc::channel();
    // As the app does: the saver keeps the first-screen record too, after
    // each report.
    let screen = Some(rapporteur::store::screen::tail_of(&mut app.session));
    let saver = Saver::spawn(
        path,
        rapporteur::store::journal::Owner::of(&app.session),
        app.session.journal_seq,
        screen,
        move |r| {
            let _ = tx.send(r);
        },
    );
    let handle = |app: &mut App| {
        let (job, _) = rapporteur::tui::job_from(app.take_effects());
        if job.is_empty() {
            return;
        }
        saver.send(job);
        let report = rx.recv().expect("the saver reports");
        let outcome = rapporteur::tui::outcome(report);
        let ok = |r: &Option<Result<u64, String>>| r.as_ref().is_none_or(Result::is_ok);
        assert!(
            ok(&outcome.session) && ok(&outcome.appended),
            "save failed: {outcome:?}"
        );
        update(app, Action::Saved(outcome));
    };
    // What opening queued (the clock start).
    handle(&mut app);
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        update(
            &mut app,
            Action::Paste(format!("@ILO Ratify the conventions, entry {i}")),
        );
        let t = Instant::now();
        update(
            &mut app,
            Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        handle(&mut app);
        samples.push(t.elapsed());
    }
    assert!(!app.has_unsaved(), "everything saved");
    drop(opened.lock);
    samples
}

/// Distributions and phases that criterion does not show.
fn tails(d: &Data, full: bool) {
    let n = if full { 50 } else { 2 };
    let bytes = std::fs::read(&d.big_file).expect("read the big session");
    let session = store::parse(&d.big_file, &bytes).expect("parse").session;
    println!(
        "store: {ENTRIES}-entry session, {} bytes ({})",
        bytes.len(),
        d.big_file.display()
    );
    let target = d.scratch.join("save.json");
    summary(
        "save (serialize+write+fsync+rename+fsync dir)",
        repeat(n, || store::save(&target, &session).expect("save")),
    );
    summary(
        "  save/serialize (store::to_bytes)",
        repeat(n, || {
            drop(black_box(store::to_bytes(&session).expect("serialize")))
        }),
    );
    summary(
        "  save/write_atomic (write+fsync+rename+fsync)",
        repeat(n, || {
            store::files::write_atomic(&target, &bytes).expect("write")
        }),
    );
    summary(
        "  save/clone (the snapshot update() makes)",
        repeat(n, || drop(black_box(session.clone()))),
    );
    summary(
        "load (read+parse)",
        repeat(n, || {
            drop(black_box(store::load(&d.big_file).expect("load")))
        }),
    );
    summary(
        "  load/parse (store::parse)",
        repeat(n, || {
            drop(black_box(store::parse(&d.big_file, &bytes).expect("parse")))
        }),
    );
    summary(
        "  floor: serde_json → Value",
        repeat(n, || {
            drop(black_box(
                serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON"),
            ))
        }),
    );
    summary(
        "  floor: serde_json → IgnoredAny",
        repeat(n, || {
            black_box(serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).expect("JSON"));
        }),
    );

    // Enter in the capture screen → the entry durable on disk: the
    // update, the job handed to the saver thread, its write and fsync,
    // until the saver reports back; as the event loop does it.
    summary(
        "enter→durable (update+saver thread+fsync)",
        enter_to_durable(d, if full { 200 } else { 3 }),
    );

    // `rapporteur note ID TEXT` before it writes, phase by phase, on a
    // copy of the folder (the write is `save` above, or a journal append
    // in long sessions).
    let note_dir = d.scratch.join("note");
    std::fs::create_dir_all(&note_dir).expect("create");
    let note_file = note_dir.join(d.big_file.file_name().expect("a file name"));
    std::fs::copy(&d.big_file, &note_file).expect("copy the session");
    let store_ = Store::new(&note_dir);
    let id = session.id.clone();
    let (mut resolve, mut lock, mut load, mut names) = (vec![], vec![], vec![], vec![]);
    for i in 0..n.min(20) {
        let (dt, path) = time(|| store_.resolve(&id).expect("resolve"));
        resolve.push(dt);
        let (dt, guard) = time(|| store::acquire(&path).expect("lock"));
        lock.push(dt);
        let (dt, loaded) = time(|| store::load(&path).expect("load"));
        load.push(dt);
        let s = loaded.session;
        let (dt, parsed) =
            time(|| rapporteur::model::parse_draft(&format!("@ILO note {i}"), &s.speaker_names()));
        black_box(parsed);
        names.push(dt);
        drop(guard);
    }
    println!("note, in process, before its write:");
    summary("  note/resolve (Store::resolve by id)", resolve);
    summary("  note/lock", lock);
    summary("  note/load (read+parse+journal)", load);
    summary("  note/speaker names + parse_draft", names);

    let q = query();
    summary(
        "search 10,000 (search_folder)",
        repeat(n, || {
            drop(black_box(
                search_folder(&Store::new(&d.big_dir), &q).expect("search"),
            ))
        }),
    );
    summary(
        "export md 10,000 (load+render)",
        repeat(n, || {
            let s = store::load(&d.big_file).expect("load").session;
            let r = rapporteur::export::render(
                &s,
                rapporteur::export::Format::Md,
                &rapporteur::export::Options::default(),
            )
            .expect("render");
            drop(black_box(r));
        }),
    );

    let files = folder_bytes(&d.folder);
    let total_bytes: usize = files.iter().map(Vec::len).sum();
    println!(
        "folder: {} sessions, {total_bytes} bytes ({})",
        d.folder_sessions,
        d.folder.display()
    );
    let m = if full { 10 } else { 2 };
    let store_ = Store::new(&d.folder);
    let cache = rapporteur::store::index::path_in(&d.folder);
    let no_cache = || {
        let _ = std::fs::remove_file(&cache);
    };
    summary(
        "list (Store::list), no summary cache",
        repeat(m, || {
            no_cache();
            drop(black_box(store_.list().expect("list")))
        }),
    );
    summary(
        "search (search_folder), no summary cache",
        repeat(m, || {
            no_cache();
            drop(black_box(search_folder(&store_, &q).expect("search")))
        }),
    );
    // The data set is older than the cache's settling time: one listing
    // caches every file.
    drop(store_.list().expect("list"));
    summary(
        "list (Store::list), summary cache",
        repeat(m, || drop(black_box(store_.list().expect("list")))),
    );
    summary(
        "search (search_folder), summary cache",
        repeat(m, || {
            drop(black_box(search_folder(&store_, &q).expect("search")))
        }),
    );
    summary(
        "  floor: read all files",
        repeat(m, || drop(black_box(folder_bytes(&d.folder)))),
    );
    summary(
        "  floor: read + serde_json → IgnoredAny, 1 thread",
        repeat(m, || read_and_parse::<serde::de::IgnoredAny>(&d.folder)),
    );
    summary(
        "  floor: read + serde_json → Value, 1 thread",
        repeat(m, || read_and_parse::<serde_json::Value>(&d.folder)),
    );
    summary(
        "  parse all (store::parse, typed), 1 thread",
        repeat(m, || {
            for (i, b) in files.iter().enumerate() {
                let p = PathBuf::from(format!("{i}.json"));
                drop(black_box(store::parse(&p, b).expect("parse")));
            }
        }),
    );
}

fn benches(c: &mut Criterion, d: &Data, full: bool) {
    let bytes = std::fs::read(&d.big_file).expect("read the big session");
    let session = store::parse(&d.big_file, &bytes).expect("parse").session;
    let target = d.scratch.join("criterion-save.json");
    let mut g = c.benchmark_group("store_10000");
    g.bench_function("save", |b| {
        b.iter(|| store::save(&target, &session).expect("save"))
    });
    g.bench_function("serialize", |b| {
        b.iter(|| black_box(store::to_bytes(&session).expect("serialize")))
    });
    g.bench_function("write_atomic", |b| {
        b.iter(|| store::files::write_atomic(&target, &bytes).expect("write"))
    });
    g.bench_function("load", |b| {
        b.iter(|| black_box(store::load(&d.big_file).expect("load")))
    });
    g.bench_function("parse", |b| {
        b.iter(|| black_box(store::parse(&d.big_file, &bytes).expect("parse")))
    });
    g.bench_function("floor_serde_value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON")))
    });
    g.bench_function("floor_serde_ignored", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).expect("JSON")))
    });
    let q = query();
    g.bench_function("search", |b| {
        b.iter(|| black_box(search_folder(&Store::new(&d.big_dir), &q).expect("search")))
    });
    g.bench_function("export_md", |b| {
        b.iter(|| {
            black_box(
                rapporteur::export::render(
                    &session,
                    rapporteur::export::Format::Md,
                    &rapporteur::export::Options::default(),
                )
                .expect("render"),
            )
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("folder_{}x200", d.folder_sessions));
    g.sample_size(10);
    if full {
        g.measurement_time(Duration::from_secs(10));
    }
    let store_ = Store::new(&d.folder);
    let cache = rapporteur::store::index::path_in(&d.folder);
    g.bench_function("list_no_cache", |b| {
        b.iter(|| {
            let _ = std::fs::remove_file(&cache);
            black_box(store_.list().expect("list"))
        })
    });
    g.bench_function("search_no_cache", |b| {
        b.iter(|| {
            let _ = std::fs::remove_file(&cache);
            black_box(search_folder(&store_, &q).expect("search"))
        })
    });
    drop(store_.list().expect("list"));
    g.bench_function("list", |b| {
        b.iter(|| black_box(store_.list().expect("list")))
    });
    g.bench_function("search", |b| {
        b.iter(|| black_box(search_folder(&store_, &q).expect("search")))
    });
    g.bench_function("floor_read", |b| {
        b.iter(|| black_box(folder_bytes(&d.folder)))
    });
    g.bench_function("floor_serde_ignored", |b| {
        b.iter(|| read_and_parse::<serde::de::IgnoredAny>(&d.folder))
    });
    g.bench_function("floor_serde_value", |b| {
        b.iter(|| read_and_parse::<serde_json::Value>(&d.folder))
    });
    g.finish();
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let d = prepare(full);
    tails(&d, full);
    if std::env::var_os("RAPPORTEUR_BENCH_TAILS_ONLY").is_none() {
        let mut c = Criterion::default()
            .sample_size(if full { 30 } else { 10 })
            .configure_from_args();
        benches(&mut c, &d, full);
        c.final_summary();
    }
    let _ = std::fs::remove_dir_all(&d.scratch);
}
