//! A session is its id, and its file has a name every tool can handle:
//! two files with one id, names that are not UTF-8, and titles whose
//! slug would make a file name too long. Every test runs the real binary
//! against a fresh temporary sessions folder.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const TIMEOUT: Duration = Duration::from_secs(60);

struct Env {
    tmp: TempDir,
    dir: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sessions");
        Env { tmp, dir }
    }

    fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = Command::cargo_bin("rapporteur").unwrap();
        c.env("HOME", self.tmp.path())
            .env("XDG_DATA_HOME", self.tmp.path().join("xdg"))
            .env_remove("RAPPORTEUR_SESSIONS_DIR")
            .current_dir(self.tmp.path())
            .timeout(TIMEOUT)
            .arg("--sessions-dir")
            .arg(&self.dir)
            .args(args);
        c.output().unwrap()
    }

    fn ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "{args:?} failed:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A command that must fail; returns (stdout, stderr).
    fn fails<I, S>(&self, args: I) -> (String, String)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.run(&args);
        assert!(
            !out.status.success(),
            "{args:?} succeeded:\nstdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            !out.stderr.is_empty() || !out.stdout.is_empty(),
            "{args:?} failed silently"
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `new --no-open`: (id, path).
    fn new_session(&self, title: &str) -> (String, PathBuf) {
        let out = self.ok(["new", "--no-open", "--title", title]);
        let (id, path) = out.trim_end().split_once('\t').expect("id\tpath");
        (id.to_string(), PathBuf::from(path))
    }

    fn entry_count(&self, path: &Path) -> usize {
        let v: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["entries"].as_array().unwrap().len())
            .sum()
    }
}

/// Two files, one id: the original and a copy a file manager made.
fn two_files_one_id(env: &Env) -> (String, PathBuf, PathBuf) {
    let (id, original) = env.new_session("Budget hearing");
    let copy = env.dir.join("Budget hearing (copy).json");
    fs::copy(&original, &copy).unwrap();
    (id, original, copy)
}

#[test]
fn a_command_given_an_id_that_two_files_share_refuses_and_names_both() {
    let env = Env::new();
    let (id, original, copy) = two_files_one_id(&env);
    let before = (fs::read(&original).unwrap(), fs::read(&copy).unwrap());
    for spec in [id.as_str(), &id[..4]] {
        let (_, err) = env.fails(["note", spec, "Where does this go?"]);
        assert!(err.contains("2 files have the session id"), "{err}");
        assert!(err.contains("Budget hearing (copy).json"), "{err}");
        assert!(
            err.contains(&original.file_name().unwrap().to_string_lossy().into_owned()),
            "{err}"
        );
        assert!(err.contains("move one away"), "{err}");
        assert!(err.contains("give the file's path"), "{err}");
        for cmd in ["show", "open", "present"] {
            let (_, err) = env.fails([cmd, spec]);
            assert!(err.contains("2 files have the session id"), "{cmd}: {err}");
        }
        let (_, err) = env.fails(["export", spec, "--format", "md"]);
        assert!(err.contains("2 files have the session id"), "{err}");
    }
    // Nothing was written into either file.
    assert_eq!(fs::read(&original).unwrap(), before.0);
    assert_eq!(fs::read(&copy).unwrap(), before.1);
    // A path says which one.
    env.ok([
        OsStr::new("note"),
        copy.as_os_str(),
        OsStr::new("Into the copy"),
    ]);
    assert_eq!(env.entry_count(&copy), 1);
    assert_eq!(env.entry_count(&original), 0);
    // Once the copy is moved away, the id is enough again.
    fs::rename(&copy, env.tmp.path().join("moved.json")).unwrap();
    env.ok(["note", id.as_str(), "Into the original"]);
    assert_eq!(env.entry_count(&original), 1);
}

#[test]
fn check_reports_duplicate_ids_and_fails() {
    let env = Env::new();
    let (id, _, _) = two_files_one_id(&env);
    let (_, other) = env.new_session("Another one");
    let (out, err) = env.fails(["check"]);
    assert!(
        out.contains(&format!("2 files have the session id {id:?}")),
        "{out}"
    );
    assert!(out.contains("Budget hearing (copy).json"), "{out}");
    assert!(out.contains("move one away"), "{out}");
    assert!(err.contains("2 files share their session id"), "{err}");
    // Only the two with one id are bad.
    assert_eq!(out.matches("BAD").count(), 1, "{out}");
    env.ok([OsStr::new("check"), other.as_os_str()]);
}

#[test]
fn list_marks_both_files_of_one_id() {
    let env = Env::new();
    let (id, original, copy) = two_files_one_id(&env);
    env.new_session("Not a copy");
    let out = env.ok(["list"]);
    let marked: Vec<&str> = out.lines().filter(|l| l.contains("DUPLICATE")).collect();
    assert_eq!(marked.len(), 2, "{out}");
    assert!(marked[0].contains("same id as"), "{out}");
    let v: Value = serde_json::from_str(&env.ok(["list", "--json"])).unwrap();
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    for s in sessions {
        let same = s["same_id_as"].as_array().expect("same_id_as is a list");
        if s["id"] == id.as_str() {
            let other = if s["path"] == original.to_str().unwrap() {
                &copy
            } else {
                &original
            };
            assert_eq!(same.len(), 1, "{s}");
            assert_eq!(same[0], other.to_str().unwrap());
        } else {
            assert!(same.is_empty(), "{s}");
        }
    }
    // The mark holds on the next listing too, which reads the cache.
    std::thread::sleep(Duration::from_millis(10));
    let v: Value = serde_json::from_str(&env.ok(["list", "--json"])).unwrap();
    let marked = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["same_id_as"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(marked, 2);
}

/// A valid session file under a name that is Latin-1, not UTF-8.
fn latin1_name(env: &Env) -> PathBuf {
    let (_, path) = env.new_session("Café");
    let bad = env.dir.join(OsStr::from_bytes(b"caf\xe9-session.json"));
    // Renamed, not copied: no second file with the same id.
    fs::rename(&path, &bad).unwrap();
    bad
}

#[test]
fn a_name_that_is_not_utf8_is_listed_as_unreadable_and_check_fails() {
    let env = Env::new();
    let bad = latin1_name(&env);
    let (_, good) = env.new_session("Fine name");
    let out = env.ok(["list"]);
    assert!(out.contains("Unreadable files"), "{out}");
    assert!(out.contains("caf\u{fffd}-session.json"), "{out}");
    assert!(out.contains("not valid UTF-8"), "{out}");
    let v: Value = serde_json::from_str(&env.ok(["list", "--json"])).unwrap();
    assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
    let unreadable = v["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1, "{v}");
    assert!(
        unreadable[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("caf\u{fffd}-session.json")
    );
    assert!(unreadable[0]["hint"].as_str().unwrap().contains("rename"));
    let (out, _) = env.fails(["check"]);
    assert!(
        out.contains("BAD") && out.contains("not valid UTF-8"),
        "{out}"
    );
    assert!(out.contains("rename it"), "{out}");
    assert!(out.contains(&format!("ok   {}", good.display())), "{out}");
    // Given by hand, its path is checked for what it holds.
    env.ok([OsStr::new("check"), bad.as_os_str()]);
}

#[test]
fn an_id_that_only_a_non_utf8_name_carries_is_refused_with_the_rename_hint() {
    let env = Env::new();
    let bad = latin1_name(&env);
    let v: Value = serde_json::from_slice(&fs::read(&bad).unwrap()).unwrap();
    let id = v["id"].as_str().unwrap();
    let (_, err) = env.fails(["note", id, "text"]);
    assert!(err.contains("not valid UTF-8"), "{err}");
    assert!(err.contains("rename it"), "{err}");
}

/// Every name in the folder, and every sidecar name a session's file name
/// leads to, fits in 255 bytes with room for a `.mine-TIMESTAMP` copy.
fn names_fit(dir: &Path) {
    for e in fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name();
        assert!(name.len() <= 255, "{name:?}");
        let name = name.to_string_lossy();
        if let Some(stem) = name.strip_suffix(".json")
            && !name.starts_with('.')
        {
            // The stem without the `-N` of a name already taken.
            let stem = match stem.rsplit_once('-') {
                Some((s, n)) if n.bytes().all(|b| b.is_ascii_digit()) => s,
                _ => stem,
            };
            let journal = format!(".{stem}-9999.json.journal");
            assert!(journal.len() + 40 <= 255, "{journal}");
        }
    }
}

#[test]
fn titles_of_four_byte_letters_make_names_that_fit() {
    let env = Env::new();
    for letter in ["𐌰", "😀", "𝒜"] {
        for n in [59, 60, 200] {
            let title = letter.repeat(n);
            for _ in 0..2 {
                // Twice: the second takes the `-2` name.
                let (id, path) = env.new_session(&title);
                assert!(path.exists(), "{letter} x {n}");
                env.ok(["note", id.as_str(), "it opens and takes notes"]);
                assert_eq!(env.entry_count(&path), 1);
                env.ok(["show", id.as_str()]);
            }
        }
    }
    names_fit(&env.dir);
    let gothic = fs::read_dir(&env.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.contains('𐌰') && !n.starts_with('.'))
        .unwrap();
    // Cut between letters, not inside one, and still a long slug.
    assert!(gothic.matches('𐌰').count() >= 40, "{gothic}");
}

#[test]
fn slugs_stay_under_the_byte_budget_and_cut_between_characters() {
    use rapporteur::store::{STEM_MAX, slug};
    for title in [
        "𐌰".repeat(200),
        "ж".repeat(200),
        "a".repeat(200),
        "𐌰 ".repeat(100),
        format!("a{}", "𐌰".repeat(100)),
    ] {
        let s = slug(&title);
        assert!(s.len() + "2026-01-01-".len() <= STEM_MAX, "{s}");
        assert!(s.chars().count() <= 60, "{s}");
        assert!(!s.ends_with('-') && !s.starts_with('-'), "{s}");
        assert!(title.replace(' ', "-").starts_with(&s), "{s}");
    }
    assert_eq!(slug(&"x".repeat(100)).len(), 60);
}

#[test]
fn check_of_a_copy_outside_the_folder_is_no_duplicate() {
    let env = Env::new();
    let (_, path) = env.new_session("Kept elsewhere too");
    let backup = env.tmp.path().join("backup.json");
    fs::copy(&path, &backup).unwrap();
    env.ok([OsStr::new("check"), path.as_os_str(), backup.as_os_str()]);
    env.ok(["check"]);
    // Both inside, given by hand: the same rule as for the whole folder.
    let copy = env.dir.join("copy.json");
    fs::copy(&path, &copy).unwrap();
    let (out, _) = env.fails([OsStr::new("check"), path.as_os_str(), copy.as_os_str()]);
    assert!(out.contains("2 files have the session id"), "{out}");
}
