//! Atomic saves under real crashes: `rapporteur note` is killed with
//! SIGKILL at random moments, and two writers race on one session. The
//! session file must always parse, keep every note that was confirmed,
//! and never lose or duplicate one.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ASTANA_NAME: &str = "2011-05-19-expert-workshop-on-the-draft-migration-law.json";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rapporteur")
}

/// A fresh private sessions folder with a copy of the Astana workshop.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sessions");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let path = dir.join(ASTANA_NAME);
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sessions")
            .join(ASTANA_NAME),
        &path,
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    (tmp, dir, path)
}

fn note_cmd(tmp: &Path, dir: &Path, path: &Path, text: &str) -> Command {
    let mut c = Command::new(bin());
    c.arg("--sessions-dir")
        .arg(dir)
        .arg("note")
        .arg(path)
        .arg(text)
        .env("HOME", tmp)
        .env("XDG_DATA_HOME", tmp.join("xdg"))
        .env("RAPPORTEUR_SESSIONS_DIR", dir)
        .current_dir(tmp)
        .stdin(Stdio::null());
    c
}

/// The entry texts of the session, through the library's own loader. A
/// torn or half-written file fails here.
fn entry_texts(path: &Path, when: &str) -> Vec<String> {
    let loaded =
        rapporteur::store::load(path).unwrap_or_else(|e| panic!("session unreadable {when}: {e}"));
    loaded
        .session
        .blocks
        .iter()
        .flat_map(|b| b.entries.iter().map(|e| e.text.raw().to_string()))
        .collect()
}

/// Only the session itself may be visible in the folder; hidden files
/// must be its lock sidecar or a temporary file a killed writer left.
/// Returns the number of leftover temporary files.
fn check_folder(dir: &Path, session: &Path, when: &str) -> usize {
    let lock = format!(".{ASTANA_NAME}.lock");
    let mut temps = 0;
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if e.path() == session || name == lock {
            continue;
        }
        assert!(
            name.starts_with(".rapporteur-") && name.ends_with(".tmp"),
            "unexpected file {name:?} {when}"
        );
        assert!(
            e.file_type().unwrap().is_file(),
            "{name:?} is not a file {when}"
        );
        temps += 1;
    }
    temps
}

/// A tiny linear congruential generator: enough randomness for delays.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn seed() -> u64 {
    match std::env::var("RAPPORTEUR_CRASH_SEED") {
        Ok(s) => s.parse().expect("RAPPORTEUR_CRASH_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

#[test]
fn killed_writers_never_tear_the_session_or_lose_confirmed_notes() {
    const ITERATIONS: usize = 200;
    // Keeps the test short on a slow machine; 200 iterations normally
    // take a few seconds.
    const BUDGET: Duration = Duration::from_secs(18);

    let (tmp, dir, path) = setup();
    let seed = seed();
    eprintln!("seed {seed} (set RAPPORTEUR_CRASH_SEED to repeat)");
    let mut rng = Lcg(seed);

    let initial = entry_texts(&path, "at the start");
    let initial_len = initial.len();
    let mut confirmed: Vec<String> = Vec::new();
    let mut last_len = initial_len;
    let (mut killed, mut finished, mut temps) = (0, 0, 0);
    let start = Instant::now();

    let mut done = 0;
    for i in 0..ITERATIONS {
        if start.elapsed() > BUDGET {
            break;
        }
        let text = format!("entry {i}");
        let mut child = note_cmd(tmp.path(), &dir, &path, &text)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Every tenth note runs to completion, so there are always
        // confirmed notes to look for.
        if i % 10 != 9 {
            std::thread::sleep(Duration::from_millis(rng.next() % 16));
            // SIGKILL; harmless if the process has already exited.
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        let when = format!("after iteration {i} ({status:?}, seed {seed})");
        match (status.code(), status.signal()) {
            (Some(0), _) => {
                confirmed.push(text.clone());
                finished += 1;
            }
            (None, Some(libc::SIGKILL)) => killed += 1,
            other => panic!("note ended with {other:?} {when}"),
        }

        let texts = entry_texts(&path, &when);
        assert!(texts.len() >= last_len, "entries went down {when}");
        last_len = texts.len();
        assert_eq!(
            &texts[..initial_len],
            &initial[..],
            "old entries changed {when}"
        );
        let added = &texts[initial_len..];
        let unique: HashSet<&String> = added.iter().collect();
        assert_eq!(unique.len(), added.len(), "a note was saved twice {when}");
        for c in &confirmed {
            assert!(added.contains(c), "confirmed {c:?} is missing {when}");
        }
        // Notes land in the order they were made, and only ours.
        let numbers: Vec<usize> = added
            .iter()
            .map(|t| {
                t.strip_prefix("entry ")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("stray entry {t:?} {when}"))
            })
            .collect();
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "out of order {when}"
        );
        assert!(added.contains(&text) || status.code().is_none());
        temps = check_folder(&dir, &path, &when);
        done += 1;
    }
    eprintln!(
        "{done} iterations in {:?}: {finished} finished, {killed} killed, {} notes kept, {temps} temp files left",
        start.elapsed(),
        last_len - initial_len
    );
    assert!(done >= 50, "only {done} iterations ran");
    assert!(
        finished >= done / 10,
        "the uninterrupted notes must succeed"
    );
    assert!(killed > 0, "no writer was ever killed");

    // After all that, the session is still good and still writable.
    let out = note_cmd(tmp.path(), &dir, &path, "entry 999999")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts = entry_texts(&path, "at the end");
    assert_eq!(texts.last().map(String::as_str), Some("entry 999999"));
    let out = Command::new(bin())
        .arg("--sessions-dir")
        .arg(&dir)
        .arg("check")
        .env("HOME", tmp.path())
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check after the crashes: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// What one writer got: the notes saved, and the notes refused with the
/// error each refusal printed.
type Outcome = (Vec<String>, Vec<(String, String)>);

/// Two writers, each running `per_writer` notes one after another on the
/// same session, in parallel.
fn race(tmp: &Path, dir: &Path, path: &Path, per_writer: usize) -> Vec<Outcome> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|w| {
                s.spawn(move || {
                    let (mut ok, mut refused) = (Vec::new(), Vec::new());
                    for i in 0..per_writer {
                        let text = format!("writer {w} note {i}");
                        let out = note_cmd(tmp, dir, path, &text).output().unwrap();
                        if out.status.success() {
                            ok.push(text);
                        } else {
                            let err = String::from_utf8_lossy(&out.stderr);
                            // The only acceptable failure is the lock.
                            assert!(
                                err.contains("open for writing in another rapporteur"),
                                "{text}: unexpected failure: {err}"
                            );
                            assert!(out.stdout.is_empty());
                            refused.push((text, err.into_owned()));
                        }
                    }
                    (ok, refused)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn concurrent_writers_keep_every_successful_note() {
    const PER_WRITER: usize = 40;
    let (tmp, dir, path) = setup();
    let initial = entry_texts(&path, "at the start");

    let results = race(tmp.path(), &dir, &path, PER_WRITER);

    let ok: Vec<&String> = results.iter().flat_map(|(ok, _)| ok).collect();
    let refused: Vec<&String> = results
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(t, _)| t))
        .collect();
    let unnamed = results
        .iter()
        .flat_map(|(_, r)| r)
        .filter(|(_, err)| !err.contains("pid"))
        .count();
    eprintln!(
        "{} notes saved, {} refused by the lock ({unnamed} without naming the holder)",
        ok.len(),
        refused.len()
    );
    assert!(!ok.is_empty());

    let texts = entry_texts(&path, "at the end");
    assert_eq!(&texts[..initial.len()], &initial[..]);
    let added = &texts[initial.len()..];
    assert_eq!(
        added.len(),
        ok.len(),
        "exactly the successful notes were added"
    );
    for t in &ok {
        assert!(added.contains(t), "{t:?} was confirmed but is missing");
    }
    for t in &refused {
        assert!(!added.contains(t), "{t:?} was refused but is there");
    }
    // Each writer's notes are in its own order.
    for (w, (saved, _)) in results.iter().enumerate() {
        let mine: Vec<&String> = added
            .iter()
            .filter(|t| t.starts_with(&format!("writer {w} ")))
            .collect();
        let expected: Vec<&String> = saved.iter().collect();
        assert_eq!(mine, expected);
    }
    assert_eq!(check_folder(&dir, &path, "after the race"), 0);
}

#[test]
fn lock_refusals_always_name_the_holder() {
    let (tmp, dir, path) = setup();
    let results = race(tmp.path(), &dir, &path, 80);
    let refusals: Vec<&(String, String)> = results.iter().flat_map(|(_, r)| r).collect();
    assert!(!refusals.is_empty(), "the writers never collided");
    let unnamed: Vec<&str> = refusals
        .iter()
        .filter(|(_, err)| !err.contains("pid"))
        .map(|(_, err)| err.as_str())
        .collect();
    assert!(
        unnamed.is_empty(),
        "{} of {} refusals did not name the holder, e.g. {:?}",
        unnamed.len(),
        refusals.len(),
        unnamed.first()
    );
}
