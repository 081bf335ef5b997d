//! `rapporteur check` on block clock records, on the real binary: a run
//! that ends before it starts, runs that overlap (in one block and across
//! blocks) and a `spent_seconds` that is not the sum of the runs make the
//! file bad, named with its path and what to do; the example is good.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

const ASTANA_NAME: &str = "2011-05-19-expert-workshop-on-the-draft-migration-law.json";

fn astana_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sessions")
        .join(ASTANA_NAME)
}

fn astana() -> Value {
    serde_json::from_slice(&fs::read(astana_source()).unwrap()).unwrap()
}

struct Env {
    tmp: TempDir,
    dir: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sessions");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        Env { tmp, dir }
    }

    fn write(&self, name: &str, v: &Value) -> PathBuf {
        let p = self.dir.join(name);
        fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        p
    }

    fn check(&self, path: &Path) -> Output {
        Command::cargo_bin("rapporteur")
            .unwrap()
            .env("HOME", self.tmp.path())
            .env("XDG_DATA_HOME", self.tmp.path().join("xdg"))
            .arg("--sessions-dir")
            .arg(&self.dir)
            .arg("check")
            .arg(path)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    }
}

/// `check` exits 1 on the file and says, on its line, each of `what`.
fn assert_bad(name: &str, v: &Value, what: &[&str]) {
    let env = Env::new();
    let p = env.write(name, v);
    let out = env.check(&p);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: {stdout}\n{stderr}");
    assert!(
        stdout.starts_with(&format!("BAD  {}", p.display())),
        "{name}: {stdout}"
    );
    for w in what {
        assert!(stdout.contains(w), "{name}: no {w:?} in\n{stdout}");
    }
    assert!(stderr.contains("1 of 1 files are bad"), "{name}: {stderr}");
}

#[test]
fn the_example_session_is_good() {
    let env = Env::new();
    let p = env.write(ASTANA_NAME, &astana());
    let out = env.check(&p);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with(&format!("ok   {}", p.display())),
        "{stdout}"
    );
    assert!(!stdout.contains("error"), "{stdout}");
}

#[test]
fn a_run_that_ends_before_it_starts_is_bad() {
    let mut v = astana();
    // 10:00 to 09:00: the wall clock was set back an hour while it ran.
    v["blocks"][0]["runs"][0]["end"] = json!("2011-05-19T09:00:00+06:00");
    // Its total as a wall clock gone back would count it: the other run.
    v["blocks"][0]["spent_seconds"] = json!(600);
    assert_bad(
        "back.json",
        &v,
        &[
            "error: block 1 (\"rights\") run 1 (2011-05-19T10:00:00+06:00 to \
             2011-05-19T09:00:00+06:00) ends before it starts",
            "set the run's \"end\" to 2011-05-19T10:00:00+06:00 or later",
        ],
    );
}

#[test]
fn overlapping_runs_in_one_block_are_bad() {
    let mut v = astana();
    // Block 1 ran 10:00-10:48; a second run in it at 10:20-10:30.
    let runs = v["blocks"][0]["runs"].as_array_mut().unwrap();
    runs.insert(
        1,
        json!({"start": "2011-05-19T10:20:00+06:00", "end": "2011-05-19T10:30:00+06:00"}),
    );
    v["blocks"][0]["spent_seconds"] = json!(3480 + 600);
    assert_bad(
        "overlap-in-block.json",
        &v,
        &[
            "error: block 1 (\"rights\") run 2 (2011-05-19T10:20:00+06:00 to \
             2011-05-19T10:30:00+06:00) overlaps block 1 (\"rights\") run 1",
            "one block's clock runs at a time",
        ],
    );
}

#[test]
fn overlapping_runs_across_blocks_are_bad() {
    let mut v = astana();
    // Block 2 starts at 10:30, while block 1 ran until 10:48.
    v["blocks"][1]["runs"][0]["start"] = json!("2011-05-19T10:30:00+06:00");
    v["blocks"][1]["spent_seconds"] = json!(3600);
    assert_bad(
        "overlap-across.json",
        &v,
        &[
            "error: block 2 (\"integration\") run 1 (2011-05-19T10:30:00+06:00 to \
           2011-05-19T11:30:00+06:00) overlaps block 1 (\"rights\") run 1 \
           (2011-05-19T10:00:00+06:00 to 2011-05-19T10:48:00+06:00)",
        ],
    );
}

#[test]
fn an_open_run_overlapping_a_later_one_is_bad() {
    let mut v = astana();
    // A run left open in block 1 while block 2 ran after it.
    v["blocks"][0]["runs"][1]["end"] = Value::Null;
    v["blocks"][0]["spent_seconds"] = json!(2880);
    v["blocks"][4]["runs"][0]["start"] = json!("2011-05-19T15:10:00+06:00");
    v["blocks"][4]["spent_seconds"] = json!(6900);
    assert_bad(
        "open.json",
        &v,
        &[
            "block 5 (\"deportation\") run 1 (2011-05-19T15:10:00+06:00 to \
           2011-05-19T17:05:00+06:00) overlaps block 1 (\"rights\") run 2 \
           (2011-05-19T15:02:00+06:00 to still running)",
        ],
    );
}

#[test]
fn spent_seconds_that_disagree_with_the_runs_are_bad() {
    let mut v = astana();
    v["blocks"][2]["spent_seconds"] = json!(1);
    assert_bad(
        "spent.json",
        &v,
        &[
            "error: block 3 (\"social-protection\") has spent_seconds 1, but its closed runs \
             add up to 3300",
            "set spent_seconds to 3300",
        ],
    );
}
