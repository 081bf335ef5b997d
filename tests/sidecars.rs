//! A hostile neighbour plants a symlink, a dangling link or a FIFO at
//! every name the app keeps beside a session, and `note`, `export`,
//! `show` and `list` run on the real binary. Each must finish (no FIFO may
//! hang it), write nothing through the planted file, leave it as it was,
//! and either succeed or say which file was refused and what to do.

use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

const TIMEOUT: Duration = Duration::from_secs(30);

struct Env {
    _tmp: TempDir,
    root: PathBuf,
    dir: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = TempDir::new().expect("tmp");
        let root = tmp.path().to_path_buf();
        let dir = root.join("sessions");
        Env {
            _tmp: tmp,
            root,
            dir,
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("rapporteur"));
        c.env("RAPPORTEUR_SESSIONS_DIR", &self.dir)
            .env("HOME", &self.root)
            .env_remove("RAPPORTEUR_FAULTS")
            .timeout(TIMEOUT);
        c
    }

    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.code().is_some(),
            "{args:?} was killed (a hang?): {:?}",
            out.status
        );
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A new session; its id and path.
    fn new_session(&self, title: &str) -> (String, PathBuf) {
        let (ok, out, err) = self.run(&["new", "--no-open", "--title", title]);
        assert!(ok, "{err}");
        let mut it = out.split_whitespace();
        let id = it.next().expect("id").to_string();
        let path = PathBuf::from(it.next().expect("path"));
        (id, path)
    }

    /// A session long enough that `note` appends to its journal.
    fn long_session(&self, title: &str) -> (String, PathBuf) {
        let (id, path) = self.new_session(title);
        let mut v: Value = serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        let entries: Vec<Value> = (0..1000)
            .map(|i| {
                json!({"id": format!("e{i:05}"), "kind": "note", "text": format!("entry {i}"),
                    "speaker": null, "tags": [], "created": "2011-05-19T10:06:20+06:00", "edited": null})
            })
            .collect();
        v["blocks"][0]["entries"] = Value::Array(entries);
        fs::write(&path, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
        (id, path)
    }
}

fn sidecar(session: &Path, kind: &str) -> PathBuf {
    let name = session.file_name().expect("name").to_string_lossy();
    session.with_file_name(format!(".{name}.{kind}"))
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().expect("utf8")).expect("c");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[derive(Clone, Copy, Debug)]
enum Plant {
    Link,
    Dangling,
    Fifo,
}

const PLANTS: [Plant; 3] = [Plant::Link, Plant::Dangling, Plant::Fifo];

/// Plants `what` at `at`; the victim a link points to is `victim`.
fn plant(what: Plant, at: &Path, victim: &Path) {
    let _ = fs::remove_file(at);
    match what {
        Plant::Link => std::os::unix::fs::symlink(victim, at).expect("link"),
        Plant::Dangling => {
            std::os::unix::fs::symlink(victim.with_extension("nowhere"), at).expect("link")
        }
        Plant::Fifo => mkfifo(at),
    }
}

fn assert_untouched(what: Plant, at: &Path, victim: &Path) {
    let meta = fs::symlink_metadata(at).unwrap_or_else(|e| panic!("{what:?} at {at:?} gone: {e}"));
    match what {
        Plant::Link | Plant::Dangling => assert!(meta.file_type().is_symlink(), "{at:?}"),
        Plant::Fifo => assert!(meta.file_type().is_fifo(), "{at:?}"),
    }
    assert_eq!(fs::read(victim).expect("victim"), b"the user's own file\n");
    assert!(
        !victim.with_extension("nowhere").exists(),
        "a dangling link at {at:?} was followed and created its target"
    );
}

fn texts(path: &Path) -> Vec<String> {
    let out = Command::new(assert_cmd::cargo::cargo_bin("rapporteur"))
        .args(["show", path.to_str().expect("utf8")])
        .timeout(TIMEOUT)
        .output()
        .expect("show");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn note_never_writes_through_or_hangs_on_anything_planted_at_a_sidecar() {
    for long in [false, true] {
        for kind in ["lock", "journal", "draft", "screen"] {
            for what in PLANTS {
                let env = Env::new();
                let victim = env.root.join("victim.txt");
                fs::write(&victim, b"the user's own file\n").expect("victim");
                let (id, path) = if long {
                    env.long_session("Long")
                } else {
                    env.new_session("Short")
                };
                let at = sidecar(&path, kind);
                plant(what, &at, &victim);
                let word = format!("planted-{kind}-{what:?}");
                let (ok, _, err) = env.run(&["note", &id, &word]);
                assert_untouched(what, &at, &victim);
                let case = format!("{kind} {what:?} long={long}");
                let recorded = texts(&path).iter().any(|l| l.contains(&word));
                if ok {
                    // Success means the entry is really in the session.
                    assert!(recorded, "{case}: reported as saved but not in the session");
                } else {
                    assert!(!recorded, "{case}: failed yet recorded");
                    let at_name = at.file_name().expect("name").to_string_lossy().into_owned();
                    assert!(
                        err.contains(&at_name),
                        "{case}: the error names the file: {err}"
                    );
                    assert!(
                        err.contains("nothing was written"),
                        "{case}: the error says what was not touched: {err}"
                    );
                }
                // The journal and the lock are where a note must write; a
                // link or FIFO there refuses the note.
                let must_refuse = kind == "lock" || (kind == "journal" && long);
                assert_eq!(!ok, must_refuse, "{case}: {err}");
            }
        }
    }
}

#[test]
fn the_folder_cache_planted_as_a_link_or_fifo_is_left_alone() {
    for what in PLANTS {
        let env = Env::new();
        let victim = env.root.join("victim.txt");
        fs::write(&victim, b"the user's own file\n").expect("victim");
        env.new_session("Cached");
        let at = env.dir.join(".summaries");
        plant(what, &at, &victim);
        let (ok, out, err) = env.run(&["list"]);
        assert!(ok, "{err}");
        assert!(out.contains("Cached"), "{out}");
        assert_untouched(what, &at, &victim);
    }
}

#[test]
fn a_symlinked_session_is_refused_for_every_operation() {
    let env = Env::new();
    let (id, path) = env.new_session("Real");
    let real = env.root.join("real.json");
    fs::rename(&path, &real).expect("move");
    std::os::unix::fs::symlink(&real, &path).expect("link");
    let before = fs::read(&real).expect("read");
    let (_, out, _) = env.run(&["list"]);
    assert!(out.contains("symbolic link"), "the listing says: {out}");
    for args in [
        vec!["note", path.to_str().expect("utf8"), "x"],
        vec!["show", path.to_str().expect("utf8")],
        vec!["export", path.to_str().expect("utf8"), "--format", "md"],
    ] {
        let (ok, _, err) = env.run(&args);
        assert!(!ok, "{args:?} followed the link");
        assert!(err.contains("link"), "{args:?}: {err}");
    }
    // By id, the link is no session at all.
    let (ok, _, _) = env.run(&["note", &id, "x"]);
    assert!(!ok, "note by id followed the link");
    assert!(
        fs::symlink_metadata(&path)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&real).expect("read"), before);
}

#[test]
fn export_never_lands_on_a_session_a_sidecar_or_a_special_file() {
    let env = Env::new();
    let (id, path) = env.new_session("Exported");
    let before = fs::read(&path).expect("read");
    let lock = sidecar(&path, "lock");
    fs::write(&lock, b"").expect("lock");
    let fifo = env.root.join("fifo.md");
    mkfifo(&fifo);
    let link = env.root.join("link.md");
    std::os::unix::fs::symlink(&path, &link).expect("link");
    // Another session's file outside the folder.
    let (_, other_path) = env.new_session("Other");
    let copy = env.root.join("other.json");
    fs::rename(&other_path, &copy).expect("move");
    let other_before = fs::read(&copy).expect("read");
    let s = |p: &Path| p.to_str().expect("utf8").to_string();
    for target in [
        s(&path),
        s(&lock),
        s(&fifo),
        s(&link),
        s(&copy),
        s(&env.root),
    ] {
        let (ok, _, err) = env.run(&["export", &id, "--format", "md", "-o", &target]);
        assert!(!ok, "export onto {target} was allowed");
        assert!(err.contains("nothing was written"), "{target}: {err}");
    }
    assert_eq!(fs::read(&path).expect("read"), before);
    assert_eq!(fs::read(&copy).expect("read"), other_before);
    assert!(
        fs::symlink_metadata(&fifo)
            .expect("fifo")
            .file_type()
            .is_fifo()
    );
    assert!(
        fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    // A report is replaced, and the replacement is said.
    let report = env.root.join("report.md");
    let (ok, _, err) = env.run(&["export", &id, "--format", "md", "-o", &s(&report)]);
    assert!(ok && !err.contains("replaced"), "{err}");
    let (ok, _, err) = env.run(&["export", &id, "--format", "md", "-o", &s(&report)]);
    assert!(ok && err.contains("replaced"), "{err}");
    // An earlier JSON report of this session, plain or anonymized, is
    // replaced as asked.
    let json = env.root.join("report.json");
    for args in [&[][..], &["--anonymize"][..]] {
        for _ in 0..2 {
            let mut a = vec![
                "export",
                &id,
                "--format",
                "json",
                "-o",
                json.to_str().expect("utf8"),
            ];
            a.extend_from_slice(args);
            let (ok, _, err) = env.run(&a);
            assert!(ok, "{a:?}: {err}");
        }
    }
    // `-o -` is standard output.
    let (ok, out, _) = env.run(&["export", &id, "--format", "md", "-o", "-"]);
    assert!(ok && out.contains("Exported"), "{out}");
    assert!(!Path::new("-").exists());
}

/// A journal line as the app writes it, for a session `owner` (or none,
/// as journals were written before records carried their owner).
fn journal_line(
    seq: u64,
    at: &str,
    owner: Option<(&str, &str)>,
    block: &str,
    text: &str,
) -> String {
    let mut rec = json!({"seq": seq, "at": at, "op": "add", "block": block,
        "entry": {"id": format!("old{seq}"), "kind": "note", "text": text, "speaker": null,
                  "tags": [], "created": at, "edited": null}});
    if let Some((id, created)) = owner {
        rec["session"] = json!(id);
        rec["created"] = json!(created);
    }
    let body = serde_json::to_string(&rec).expect("json");
    format!("{:08x} {body}\n", crc32fast::hash(body.as_bytes()))
}

#[test]
fn a_leftover_journal_is_never_replayed_into_a_new_session_of_the_same_name() {
    for legacy in [false, true] {
        let env = Env::new();
        let (old_id, path) = env.new_session("Same title");
        let old: Value = serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        let block = old["blocks"][0]["id"].as_str().expect("block").to_string();
        let created = old["created"].as_str().expect("created").to_string();
        let owner = (!legacy).then_some((old_id.as_str(), created.as_str()));
        let line = journal_line(
            1,
            "2011-05-19T10:00:00+06:00",
            owner,
            &block,
            "words of the old session",
        );
        fs::write(sidecar(&path, "journal"), line).expect("journal");
        // Deleted by hand, journal left behind; a new session takes the name.
        fs::remove_file(&path).expect("rm");
        let (new_id, new_path) = env.new_session("Same title");
        assert_eq!(new_path, path, "the new session takes the old name");
        assert!(
            !texts(&path).iter().any(|l| l.contains("old session")),
            "legacy={legacy}: replayed into the new session"
        );
        let (ok, _, err) = env.run(&["note", &new_id, "new words"]);
        assert!(ok, "{err}");
        assert!(
            err.contains("set aside") || err.contains("kept as"),
            "reported: {err}"
        );
        let shown = texts(&path);
        assert!(shown.iter().any(|l| l.contains("new words")));
        assert!(!shown.iter().any(|l| l.contains("old session")));
        // The old words are kept, beside the session.
        let kept: Vec<PathBuf> = fs::read_dir(&env.dir)
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains(".journal.set-aside-"))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        let kept_text = fs::read_to_string(&kept[0]).expect("kept");
        assert!(kept_text.contains("words of the old session"));
    }
}
