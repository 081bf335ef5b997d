//! End-to-end tests of the `rapporteur` command line: every test runs the
//! real binary against a fresh temporary sessions folder, never the user's.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};
use tempfile::TempDir;

const ASTANA_NAME: &str = "2011-05-19-expert-workshop-on-the-draft-migration-law.json";
const ASTANA_TITLE: &str = "Expert workshop on the draft migration law";
const ID_ALPHABET: &str = "23456789abcdefghijkmnpqrstuvwxyz";
const TIMEOUT: Duration = Duration::from_secs(60);

fn astana_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sessions")
        .join(ASTANA_NAME)
}

fn astana_value() -> Value {
    serde_json::from_slice(&fs::read(astana_source()).unwrap()).unwrap()
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rapporteur")
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn set_mode(p: &Path, m: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
}

fn read_json(p: &Path) -> Value {
    let bytes = fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// Every entry of a session, with the index of its block.
fn entries(v: &Value) -> Vec<(usize, &Value)> {
    v["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .flat_map(|(i, b)| b["entries"].as_array().unwrap().iter().map(move |e| (i, e)))
        .collect()
}

/// (entries, recommendations) of a session.
fn counts(v: &Value) -> (usize, usize) {
    let all = entries(v);
    let recs = all
        .iter()
        .filter(|(_, e)| e["kind"] == "recommendation")
        .count();
    (all.len(), recs)
}

fn no_terminal_controls(what: &str, bytes: &[u8]) {
    assert!(
        !bytes.contains(&0x1b),
        "{what}: raw ESC in output: {:?}",
        String::from_utf8_lossy(bytes)
    );
    assert!(
        !bytes.contains(&0x07),
        "{what}: raw BEL in output: {:?}",
        String::from_utf8_lossy(bytes)
    );
    assert!(
        !bytes.windows(2).any(|w| w == [0xc2, 0x9b]),
        "{what}: raw U+009B (CSI) in output: {:?}",
        String::from_utf8_lossy(bytes)
    );
}

/// Every regular file (and link) below `root`, recursively.
fn files_below(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// A fresh temporary home with a sessions folder inside it.
struct Env {
    tmp: TempDir,
    dir: PathBuf,
}

impl Env {
    /// The sessions folder is not created yet.
    fn empty() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sessions");
        Env { tmp, dir }
    }

    /// A private sessions folder holding a copy of the Astana workshop.
    fn with_astana() -> Env {
        let env = Env::empty();
        fs::create_dir(&env.dir).unwrap();
        set_mode(&env.dir, 0o700);
        fs::copy(astana_source(), env.astana()).unwrap();
        set_mode(&env.astana(), 0o600);
        env
    }

    fn root(&self) -> &Path {
        self.tmp.path()
    }

    fn astana(&self) -> PathBuf {
        self.dir.join(ASTANA_NAME)
    }

    /// Writes `v` as a session file in the folder, 0600.
    fn write_session(&self, name: &str, v: &Value) -> PathBuf {
        let p = self.dir.join(name);
        fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
        set_mode(&p, 0o600);
        p
    }

    /// The binary with nothing but a safe environment: HOME and the data
    /// folders point into the temporary folder, so even a command that
    /// ignored `--sessions-dir` could not reach the user's data.
    fn bare_cmd(&self) -> Command {
        let mut c = Command::cargo_bin("rapporteur").unwrap();
        c.env("HOME", self.root())
            .env("XDG_DATA_HOME", self.root().join("xdg"))
            .env("RAPPORTEUR_SESSIONS_DIR", &self.dir)
            .current_dir(self.root())
            .timeout(TIMEOUT);
        c
    }

    fn cmd(&self) -> Command {
        let mut c = self.bare_cmd();
        c.arg("--sessions-dir").arg(&self.dir);
        c
    }

    fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "{args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs a command that must fail with a message on stderr and nothing
    /// on stdout; returns the stderr.
    fn fails<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.run(&args);
        assert!(
            !out.status.success(),
            "{args:?} should have failed:\nstdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            out.stdout.is_empty(),
            "{args:?}: errors belong on stderr, stdout had: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let err = text(&out.stderr);
        assert!(
            err.starts_with("rapporteur: ") || err.contains("Usage"),
            "{args:?}: stderr should explain: {err:?}"
        );
        err
    }

    /// `new --no-open`: returns (id, path) as printed.
    fn new_session(&self, extra: &[&str]) -> (String, PathBuf) {
        let mut args = vec!["new", "--no-open"];
        args.extend_from_slice(extra);
        let out = self.ok(&args);
        parse_new_output(&out)
    }

    /// Runs the binary without a terminal: stdin is /dev/null, and it runs
    /// in a new session so it has no controlling terminal either (otherwise
    /// the interactive commands would take over the terminal running the
    /// tests). Returns the exit code, stdout and stderr.
    fn detached(&self, args: &[&str]) -> (Option<i32>, Vec<u8>, Vec<u8>) {
        let out_path = self.root().join(".detached.out");
        let err_path = self.root().join(".detached.err");
        let mut cmd = std::process::Command::new(bin());
        cmd.arg("--sessions-dir")
            .arg(&self.dir)
            .args(args)
            .env("HOME", self.root())
            .env("XDG_DATA_HOME", self.root().join("xdg"))
            .env("RAPPORTEUR_SESSIONS_DIR", &self.dir)
            .current_dir(self.root())
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out_path).unwrap())
            .stderr(fs::File::create(&err_path).unwrap());
        // SAFETY: setsid is async-signal-safe and touches no memory.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let mut child = cmd.spawn().unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{args:?} hung without a terminal");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let out = fs::read(&out_path).unwrap();
        let err = fs::read(&err_path).unwrap();
        fs::remove_file(&out_path).unwrap();
        fs::remove_file(&err_path).unwrap();
        (status.code(), out, err)
    }
}

fn parse_new_output(out: &str) -> (String, PathBuf) {
    let line = out
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("no final newline: {out:?}"));
    assert!(!line.contains('\n'), "one line expected: {out:?}");
    let (id, path) = line
        .split_once('\t')
        .unwrap_or_else(|| panic!("expected <id>\\t<path>: {out:?}"));
    (id.to_string(), PathBuf::from(path))
}

fn assert_fresh_id(id: &str) {
    assert_eq!(id.chars().count(), 10, "{id:?}");
    assert!(id.chars().all(|c| ID_ALPHABET.contains(c)), "{id:?}");
}

// ---------------------------------------------------------------- new

#[test]
fn new_prints_id_and_path_of_a_private_file_named_by_date_and_title() {
    let env = Env::empty();
    let (id, path) = env.new_session(&["--title", "Regional Consultation: Labour Migration"]);
    assert_fresh_id(&id);
    assert_eq!(path.parent(), Some(env.dir.as_path()));
    assert!(path.is_file());
    let v = read_json(&path);
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["title"], "Regional Consultation: Labour Migration");
    let date = v["date"].as_str().unwrap();
    assert_eq!(date.len(), 10, "{date}");
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        format!("{date}-regional-consultation-labour-migration.json")
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&env.dir), 0o700);
    // The new session is the only file: no temp files left behind.
    assert_eq!(files_below(env.root()), vec![path]);
}

#[test]
fn new_is_private_even_under_umask_000() {
    let env = Env::empty();
    let dir = env.root().join("a/b/sessions");
    let run_under_umask_000 = |args: &[&str]| {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("umask 000; exec \"$@\"")
            .arg("sh")
            .arg(bin())
            .arg("--sessions-dir")
            .arg(&dir)
            .args(args)
            .env("HOME", env.root())
            .env("XDG_DATA_HOME", env.root().join("xdg"))
            .current_dir(env.root())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text(&out.stdout)
    };
    let (id, path) = parse_new_output(&run_under_umask_000(&[
        "new",
        "--title",
        "Umask",
        "--no-open",
    ]));
    assert_eq!(path.parent(), Some(dir.as_path()));
    assert_eq!(mode(&path), 0o600, "session file");
    assert_eq!(mode(&dir), 0o700, "sessions folder");
    for parent in [env.root().join("a"), env.root().join("a/b")] {
        assert_eq!(
            mode(&parent) & 0o022,
            0,
            "{} must not be writable by others",
            parent.display()
        );
    }
    // Saves, the lock file and exports stay private too.
    run_under_umask_000(&["note", &id, "written under umask 000"]);
    assert_eq!(mode(&path), 0o600, "saved session");
    let lock = rapporteur::store::sidecar(&path, "lock");
    assert_eq!(mode(&lock), 0o600, "lock sidecar");
    let report = env.root().join("report.md");
    run_under_umask_000(&[
        "export",
        &id,
        "--format",
        "md",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert_eq!(mode(&report), 0o600, "exported report");
}

#[test]
fn new_with_hostile_titles_stays_inside_the_folder() {
    let env = Env::empty();
    // A deeper folder, so that an escape would still land inside the
    // temporary folder where we can see it.
    let dir = env.root().join("x/y/sessions");
    let cases = [
        ("../../etc/x", "etc-x", "../../etc/x"),
        (
            "",
            "expert-workshop-on-the-draft-migration-law",
            ASTANA_TITLE,
        ),
        ("\u{1b}[2J", "2j", "\u{1b}[2J"),
        ("Семинар", "семинар", "Семинар"),
        ("/", "session", "/"),
        ("..", "session-2", ".."),
    ];
    let mut made = Vec::new();
    for (title, slug, stored) in cases {
        let out = env
            .bare_cmd()
            .arg("--sessions-dir")
            .arg(&dir)
            .args(["new", "--title", title, "--no-open"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{title:?}: {out:?}");
        no_terminal_controls(title, &out.stdout);
        let (_, path) = parse_new_output(&text(&out.stdout));
        assert_eq!(path.parent(), Some(dir.as_path()), "{title:?}");
        let canon = path.canonicalize().unwrap();
        assert_eq!(canon.parent(), Some(dir.canonicalize().unwrap().as_path()));
        let v = read_json(&path);
        assert_eq!(v["title"], stored, "{title:?}");
        let date = v["date"].as_str().unwrap();
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            format!("{date}-{slug}.json"),
            "{title:?}"
        );
        assert_eq!(mode(&path), 0o600);
        made.push(path);
    }
    made.sort();
    assert_eq!(
        files_below(env.root()),
        made,
        "every file must be a session directly in the folder"
    );
}

#[test]
fn new_with_the_same_title_twice_gets_two_files() {
    let env = Env::empty();
    let (id1, p1) = env.new_session(&["--title", "Twice"]);
    let (id2, p2) = env.new_session(&["--title", "Twice"]);
    assert_ne!(id1, id2);
    assert_ne!(p1, p2);
    let date = read_json(&p2)["date"].as_str().unwrap().to_string();
    assert_eq!(
        p2.file_name().unwrap().to_str().unwrap(),
        format!("{date}-twice-2.json")
    );
}

#[test]
fn new_with_the_builtin_default_template() {
    let env = Env::empty();
    let builtin: Value =
        read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/templates/default.json"));
    let (_, path) = env.new_session(&["--template", "default"]);
    let v = read_json(&path);
    let ids: Vec<&str> = v["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "rights",
            "integration",
            "social-protection",
            "residence",
            "deportation"
        ]
    );
    assert_eq!(v["title"], builtin["session_title"]);
    assert_eq!(v["themes"], builtin["themes"]);
    assert_eq!(v["current_block"], "rights");
    for (b, t) in v["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .zip(builtin["blocks"].as_array().unwrap())
    {
        assert_eq!(b["title"], t["title"]);
        assert_eq!(b["planned_minutes"], t["planned_minutes"]);
        assert_eq!(b["guiding_questions"], t["guiding_questions"]);
        assert_eq!(b["entries"], json!([]));
    }
    // No --template at all is the same agenda.
    let (_, plain) = env.new_session(&["--title", "plain"]);
    assert_eq!(read_json(&plain)["blocks"], v["blocks"]);
}

fn mini_template() -> Value {
    json!({
        "template_version": 1,
        "name": "mini",
        "session_title": "Mini consultation",
        "themes": ["youth"],
        "blocks": [
            {"id": "opening", "title": "Opening", "planned_minutes": 10,
             "guiding_questions": ["Why are we here?"]},
            {"id": "wrap-up", "title": "Wrap-up", "planned_minutes": 5}
        ]
    })
}

#[test]
fn new_with_a_template_file_path() {
    let env = Env::empty();
    let tpl = env.root().join("my template.json");
    fs::write(&tpl, serde_json::to_vec_pretty(&mini_template()).unwrap()).unwrap();
    let (_, path) = env.new_session(&["--template", tpl.to_str().unwrap()]);
    let v = read_json(&path);
    assert_eq!(v["title"], "Mini consultation");
    assert_eq!(v["themes"], json!(["youth"]));
    assert_eq!(v["blocks"].as_array().unwrap().len(), 2);
    assert_eq!(v["blocks"][0]["id"], "opening");
    assert_eq!(
        v["blocks"][0]["guiding_questions"],
        json!(["Why are we here?"])
    );
    assert_eq!(v["blocks"][1]["title"], "Wrap-up");
    assert_eq!(v["blocks"][1]["planned_minutes"], 5);
    assert_eq!(v["current_block"], "opening");
    // --title wins over the template's title.
    let (_, path) = env.new_session(&["--template", tpl.to_str().unwrap(), "--title", "Given"]);
    assert_eq!(read_json(&path)["title"], "Given");
}

#[test]
fn new_with_a_template_name_from_the_templates_folder() {
    let env = Env::empty();
    // Templates live beside the sessions folder.
    let templates = env.root().join("templates");
    fs::create_dir(&templates).unwrap();
    fs::write(
        templates.join("mini.json"),
        serde_json::to_vec(&mini_template()).unwrap(),
    )
    .unwrap();
    let (_, path) = env.new_session(&["--template", "mini"]);
    assert_eq!(read_json(&path)["blocks"][1]["id"], "wrap-up");
}

#[test]
fn new_with_an_unknown_or_broken_template_fails_and_creates_nothing() {
    let env = Env::empty();
    let err = env.fails(["new", "--template", "nosuch", "--no-open"]);
    assert!(err.contains("nosuch"), "{err}");
    assert!(err.contains("hint:"), "{err}");

    let broken = env.root().join("broken.json");
    fs::write(&broken, "{\"template_version\": 1,\n \"blocks\": [").unwrap();
    let err = env.fails(["new", "--template", broken.to_str().unwrap(), "--no-open"]);
    assert!(err.contains("not a template"), "{err}");
    assert!(err.contains("line 2"), "{err}");

    let no_blocks = env.root().join("noblocks.json");
    fs::write(&no_blocks, "{\"template_version\": 1}").unwrap();
    let err = env.fails([
        "new",
        "--template",
        no_blocks.to_str().unwrap(),
        "--no-open",
    ]);
    assert!(err.contains("blocks"), "{err}");

    let err = env.fails(["new", "--template", "/nonexistent/dir/t.json", "--no-open"]);
    assert!(err.contains("/nonexistent/dir/t.json"), "{err}");

    let sessions: Vec<_> = files_below(env.root())
        .into_iter()
        .filter(|p| p.starts_with(&env.dir))
        .collect();
    assert!(
        sessions.is_empty(),
        "no session for a failed new: {sessions:?}"
    );
}

// ---------------------------------------------------------------- list

#[test]
fn list_of_an_empty_or_missing_folder() {
    let env = Env::empty();
    let out = env.ok(["list"]);
    assert!(out.contains("No sessions"), "{out}");
    let v: Value = serde_json::from_str(&env.ok(["list", "--json"])).unwrap();
    assert_eq!(v, json!({"sessions": [], "unreadable": []}));
    assert!(!env.dir.exists(), "list must not create the folder");
}

/// The Astana workshop, two edited copies, a fresh session and a broken
/// file, for the list tests. Returns the ids newest first.
fn listing_fixture(env: &Env) -> Vec<String> {
    let mut later = astana_value();
    later["id"] = json!("y2012later");
    later["date"] = json!("2012-03-01");
    later["blocks"][4]["entries"] = json!([]);
    env.write_session("2012-03-01-later.json", &later);

    let mut early = astana_value();
    early["id"] = json!("early2011x");
    early["updated"] = json!("2011-05-19T12:00:00+06:00");
    early["blocks"][0]["entries"] = json!([]);
    early["blocks"][2]["entries"] = json!([]);
    env.write_session("2011-05-19-early.json", &early);

    // Files that are not sessions of the folder: hidden, or not .json.
    fs::write(env.dir.join(".hidden.json"), "{").unwrap();
    fs::write(env.dir.join("notes.txt"), "not a session").unwrap();

    let (fresh, _) = env.new_session(&["--title", "Fresh"]);
    vec![
        fresh,
        "y2012later".into(),
        "astana2011".into(),
        "early2011x".into(),
    ]
}

fn broken_astana(env: &Env) -> PathBuf {
    let bytes = fs::read(astana_source()).unwrap();
    let p = env.dir.join("broken.json");
    fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    p
}

#[test]
fn list_shows_counts_newest_first() {
    let env = Env::with_astana();
    let order = listing_fixture(&env);
    let out = env.ok(["list"]);
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    for col in ["ID", "DATE", "ENTRIES", "RECS", "TITLE"] {
        assert!(header.contains(col), "{header}");
    }
    let rows: Vec<Vec<&str>> = lines
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect())
        .collect();
    let ids: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(ids, order);
    let astana = &rows[2];
    assert_eq!(&astana[..4], ["astana2011", "2011-05-19", "33", "15"]);
    assert!(rows[2].join(" ").contains(ASTANA_TITLE));
    assert!(rows[2].join(" ").contains("[ended]"));
    let later = read_json(&env.dir.join("2012-03-01-later.json"));
    let (n, r) = counts(&later);
    assert_eq!(rows[1][2..4], [n.to_string(), r.to_string()]);
    let early = read_json(&env.dir.join("2011-05-19-early.json"));
    let (n, r) = counts(&early);
    assert_eq!(rows[3][2..4], [n.to_string(), r.to_string()]);
    assert_eq!(&rows[0][2..], ["0", "0", "Fresh"]);
    assert!(!out.contains("hidden"), "{out}");
    assert!(!out.contains("Unreadable"), "{out}");
}

#[test]
fn list_json_shows_counts_newest_first() {
    let env = Env::with_astana();
    let order = listing_fixture(&env);
    let v: Value = serde_json::from_str(&env.ok(["list", "--json"])).unwrap();
    let sessions = v["sessions"].as_array().unwrap();
    let ids: Vec<&str> = sessions.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, order);
    let astana = &sessions[2];
    assert_eq!(astana["entries"], 33);
    assert_eq!(astana["recommendations"], 15);
    assert_eq!(astana["title"], ASTANA_TITLE);
    assert_eq!(astana["date"], "2011-05-19");
    assert_eq!(astana["location"], "Astana");
    assert_eq!(astana["ended"], true);
    assert_eq!(astana["read_only"], false);
    assert_eq!(Path::new(astana["path"].as_str().unwrap()), env.astana());
    assert_eq!(sessions[0]["entries"], 0);
    assert_eq!(sessions[0]["ended"], false);
    assert_eq!(v["unreadable"], json!([]));
}

#[test]
fn list_reports_unreadable_files_apart_and_still_exits_zero() {
    let env = Env::with_astana();
    let broken = broken_astana(&env);
    fs::create_dir(env.dir.join("folder.json")).unwrap();

    let out = env.ok(["list"]);
    let (good, bad) = out
        .split_once("Unreadable files")
        .unwrap_or_else(|| panic!("no unreadable section: {out}"));
    assert!(good.contains("astana2011"));
    assert!(!good.contains("broken.json"));
    assert!(bad.contains(&format!("{}: not valid JSON at line", broken.display())));
    assert!(bad.contains("folder.json: is a folder"), "{bad}");

    let v: Value = serde_json::from_str(&env.ok(["list", "--json"])).unwrap();
    assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
    let unreadable = v["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 2);
    let broken_row = unreadable
        .iter()
        .find(|u| u["path"] == broken.to_str().unwrap())
        .unwrap();
    let error = broken_row["error"].as_str().unwrap();
    assert!(error.contains("line"), "{error}");
}

#[test]
fn list_sanitizes_hostile_file_names_and_titles() {
    let env = Env::with_astana();
    let mut v = astana_value();
    v["id"] = json!("evil\u{1b}[31m");
    v["title"] = json!("\u{1b}]0;pwned\u{7} \u{9b}2J");
    env.write_session("evil.json", &v);
    fs::write(env.dir.join("\u{1b}]0;pwned\u{7}.json"), "{").unwrap();
    let out = env.run(["list"]);
    assert!(out.status.success());
    no_terminal_controls("list", &out.stdout);
    let out = text(&out.stdout);
    assert!(out.contains("␛]0;pwned␇"), "{out}");
}

// ---------------------------------------------------------------- show

#[test]
fn show_by_id_prefix_path_and_file_name() {
    let env = Env::with_astana();
    let by_id = env.ok(["show", "astana2011"]);
    let mut lines = by_id.lines();
    assert_eq!(lines.next(), Some(ASTANA_TITLE));
    assert_eq!(lines.next(), Some("2011-05-19 · Astana · id astana2011"));
    for heading in [
        "== 1/5 Protection of migrants' rights",
        "== 2/5 Integration",
        "== 3/5 Social protection",
        "== 4/5 Residence status",
        "== 5/5 Arrest and deportation",
    ] {
        assert!(by_id.contains(heading), "{heading}");
    }
    assert!(by_id.contains("[recommendation] Thomas Brennan: Kazakhstan should ratify"));
    for spec in [
        "astana".to_string(),
        "a".to_string(),
        env.astana().to_str().unwrap().to_string(),
        ASTANA_NAME.to_string(),
        format!("sessions/{ASTANA_NAME}"),
    ] {
        assert_eq!(env.ok(["show", spec.as_str()]), by_id, "{spec}");
    }
}

#[test]
fn show_prints_cyrillic_and_kazakh_verbatim() {
    let env = Env::with_astana();
    let out = env.ok(["show", "astana2011"]);
    for want in [
        "Participants: Айгерим Сарсенова (Majilis), Marat Tokhtarov (Majilis)",
        "Ольга Ким (Kazakhstan International Bureau for Human Rights), UNHCR",
        "[recommendation] Ольга Ким: Рекомендуется ратифицировать Международную конвенцию ООН",
        "Көші-қон туралы заң жобасы мигранттардың балаларына",
        "Әр шаһардың әкімдігі",
        // Multi-line entries keep their lines, indented.
        "\n        1. Compulsory social insurance already covers foreign workers",
    ] {
        assert!(out.contains(want), "missing {want:?}");
    }
}

#[test]
fn show_ambiguous_prefix_and_unknown_id_fail() {
    let env = Env::with_astana();
    let mut v = astana_value();
    v["id"] = json!("dup2aaaaaa");
    env.write_session("one.json", &v);
    v["id"] = json!("dup2bbbbbb");
    env.write_session("two.json", &v);

    let err = env.fails(["show", "dup2"]);
    assert!(err.contains("more than one"), "{err}");
    assert!(
        err.contains("dup2aaaaaa") && err.contains("dup2bbbbbb"),
        "{err}"
    );

    env.ok(["show", "dup2a"]);

    let err = env.fails(["show", "nosuchid"]);
    assert!(err.contains("no session matches"), "{err}");
    assert!(err.contains("nosuchid"), "{err}");

    let err = env.fails(["show", "/nonexistent/session.json"]);
    assert!(err.contains("no session matches"), "{err}");

    let err = env.fails(["show", ""]);
    assert!(err.contains("no session matches"), "{err}");
}

const EVIL: &str = "\u{1b}]0;pwned\u{7} then \u{9b}2J";

/// A session whose every text field tries to drive the terminal. Written
/// with JSON escapes (`\u001b`, `\u0007`, `\u009b`).
fn hostile_session(env: &Env) -> PathBuf {
    let mut v = astana_value();
    v["id"] = json!(format!("evil{EVIL}"));
    v["title"] = json!(format!("Title {EVIL}"));
    v["location"] = json!(EVIL);
    v["facilitator"] = json!(EVIL);
    v["rapporteur"] = json!(EVIL);
    v["organizers"][0] = json!(EVIL);
    v["participants"][0]["name"] = json!(EVIL);
    v["participants"][1]["organization"] = json!(EVIL);
    v["blocks"][0]["title"] = json!(EVIL);
    v["blocks"][0]["entries"][0]["text"] = json!(format!("Entry {EVIL}\nsecond line {EVIL}"));
    v["blocks"][0]["entries"][0]["speaker"] = json!(EVIL);
    v["blocks"][0]["entries"][1]["addressee"] = json!(EVIL);
    v["blocks"][0]["entries"][1]["reference"] = json!(EVIL);
    v["blocks"][0]["entries"][1]["text"] = json!(format!("Rec {EVIL}"));
    let json = serde_json::to_string_pretty(&v)
        .unwrap()
        .replace('\u{9b}', "\\u009b");
    assert!(json.contains("\\u001b]0;pwned\\u0007") && json.contains("\\u009b2J"));
    let p = env.dir.join("evil.json");
    fs::write(&p, json).unwrap();
    set_mode(&p, 0o600);
    p
}

#[test]
fn show_never_prints_terminal_escapes_from_the_file() {
    let env = Env::with_astana();
    let evil = hostile_session(&env);
    let out = env.run(["show", evil.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    no_terminal_controls("show", &out.stdout);
    no_terminal_controls("show stderr", &out.stderr);
    let shown = text(&out.stdout);
    // The text is still there, with visible placeholders.
    assert!(shown.contains("Title ␛]0;pwned␇ then ⍰2J"), "{shown}");
    assert!(shown.contains("Entry ␛]0;pwned␇"), "{shown}");
    assert!(shown.contains("second line ␛]0;pwned␇"), "{shown}");

    // The same for the Markdown report, the listing and check.
    let out = env.run(["export", evil.to_str().unwrap(), "--format", "md"]);
    assert!(out.status.success());
    no_terminal_controls("export md", &out.stdout);
    // Markdown escapes the bracket.
    assert!(text(&out.stdout).contains("Rec ␛\\]0;pwned␇"));
    for args in [
        vec!["list"],
        vec!["check", evil.to_str().unwrap()],
        vec!["show", "evil"],
    ] {
        let out = env.run(&args);
        no_terminal_controls(&format!("{args:?} stdout"), &out.stdout);
        no_terminal_controls(&format!("{args:?} stderr"), &out.stderr);
    }
    // The JSON export escapes what JSON requires and stays valid.
    let out = env.ok(["export", evil.to_str().unwrap(), "--format", "json"]);
    assert!(!out.as_bytes().contains(&0x1b));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["title"], format!("Title {EVIL}"));
}

/// The JSON the commands print (`list --json`, `search --json`, `export
/// --format json`) decodes to the file's exact text, but no character a
/// terminal acts on is in it raw: C1 and bidi controls, the separators,
/// DEL and joiners come out as `\uXXXX`, as C0 controls always did.
#[test]
fn json_output_escapes_what_a_terminal_would_act_on() {
    let env = Env::with_astana();
    let evil =
        "\u{9b}2J \u{9d}0;x\u{7} \u{202e}rev\u{2066} \u{2028}\u{2029} \u{85} a\u{200d}b \u{7f}";
    let mut v = astana_value();
    v["id"] = json!("jsonevil01");
    v["title"] = json!(format!("Title {evil}"));
    v["blocks"][0]["title"] = json!(format!("Block {evil}"));
    v["blocks"][0]["entries"][0]["text"] = json!(format!("zebraword {evil}"));
    v["blocks"][0]["entries"][0]["speaker"] = json!(format!("Speaker {evil}"));
    env.write_session("jsonevil.json", &v);
    let raw = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200d}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    for args in [
        vec!["list", "--json"],
        vec!["search", "zebraword", "--json"],
        vec!["export", "jsonevil01", "--format", "json"],
    ] {
        let out = env.ok(&args);
        if let Some(c) = out.chars().find(|c| raw(*c)) {
            panic!("{args:?}: U+{:04X} raw in the JSON:\n{out}", c as u32);
        }
        let got: Value = serde_json::from_str(&out).unwrap();
        let (title, text) = match args[0] {
            "list" => {
                let s = got["sessions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["id"] == "jsonevil01")
                    .unwrap()
                    .clone();
                (s["title"].clone(), None)
            }
            "search" => (
                got[0]["session"]["title"].clone(),
                Some(got[0]["text"].clone()),
            ),
            _ => (
                got["title"].clone(),
                Some(got["blocks"][0]["entries"][0]["text"].clone()),
            ),
        };
        assert_eq!(title, json!(format!("Title {evil}")), "{args:?}");
        if let Some(text) = text {
            assert_eq!(text, json!(format!("zebraword {evil}")), "{args:?}");
        }
    }
}

#[test]
fn check_never_prints_terminal_escapes_from_file_names() {
    let env = Env::with_astana();
    let name = "\u{1b}]0;pwned\u{7}.json";
    fs::copy(astana_source(), env.dir.join(name)).unwrap();
    let out = env.run(["check"]);
    no_terminal_controls("check", &out.stdout);
    no_terminal_controls("check stderr", &out.stderr);
    let out = env.run(["check", env.dir.join(name).to_str().unwrap()]);
    no_terminal_controls("check PATH", &out.stdout);
}

// ---------------------------------------------------------------- note

/// The session with the entry `id` taken out again and `updated` reset:
/// what must equal the session before the note.
fn without_entry(after: &Value, id: &str, updated: &Value) -> Value {
    let mut v = after.clone();
    for b in v["blocks"].as_array_mut().unwrap() {
        b["entries"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["id"] != id);
    }
    v["updated"] = updated.clone();
    v
}

/// Runs `note` and returns the new entry's id and the block it reports.
fn note(env: &Env, args: &[&str]) -> (String, String) {
    let mut all = vec!["note"];
    all.extend_from_slice(args);
    let out = env.ok(&all);
    let line = out.strip_suffix('\n').unwrap();
    let mut parts = line.splitn(3, '\t');
    let id = parts.next().unwrap().to_string();
    let _kind = parts.next().unwrap();
    let block = parts.next().unwrap().to_string();
    assert_fresh_id(&id);
    (id, block)
}

fn find_entry<'a>(v: &'a Value, id: &str) -> (usize, &'a Value) {
    entries(v)
        .into_iter()
        .find(|(_, e)| e["id"] == id)
        .unwrap_or_else(|| panic!("entry {id} not in the session"))
}

#[test]
fn note_appends_to_the_current_block_and_changes_nothing_else() {
    let env = Env::with_astana();
    let before = read_json(&env.astana());
    let out = env.ok(["note", "astana2011", "Plain observation"]);
    let (id, rest) = out.trim_end().split_once('\t').unwrap();
    assert_eq!(rest, "note\tblock 5 Arrest and deportation");
    let after = read_json(&env.astana());
    assert_eq!(counts(&after).0, 34);
    let block = after["blocks"][4]["entries"].as_array().unwrap();
    let e = block.last().unwrap();
    assert_eq!(e["id"], id);
    assert_eq!(e["kind"], "note");
    assert_eq!(e["text"], "Plain observation");
    assert_eq!(e["speaker"], Value::Null);
    assert_ne!(after["updated"], before["updated"]);
    assert_eq!(e["created"], after["updated"]);
    assert_eq!(without_entry(&after, id, &before["updated"]), before);
    assert_eq!(mode(&env.astana()), 0o600);
}

#[test]
fn note_markers_set_kind_and_speaker() {
    let env = Env::with_astana();
    let (id, block) = note(&env, &["astana2011", "R: @ILO ratify Convention No. 143"]);
    assert_eq!(block, "block 5 Arrest and deportation");
    let v = read_json(&env.astana());
    let (_, e) = find_entry(&v, &id);
    assert_eq!(e["kind"], "recommendation");
    assert_eq!(e["speaker"], "ILO");
    assert_eq!(e["text"], "ratify Convention No. 143");
    assert_eq!(counts(&v), (34, 16));

    // A known name with spaces, after the kind marker.
    let (id, _) = note(&env, &["astana", "Q: @UN Women when will the decree come?"]);
    let v = read_json(&env.astana());
    let (_, e) = find_entry(&v, &id);
    assert_eq!(e["kind"], "question");
    assert_eq!(e["speaker"], "UN Women");
    assert_eq!(e["text"], "when will the decree come?");

    // Speaker first, then the kind; and #tags are collected.
    let (id, _) = note(
        &env,
        &["astana", "@IOM D: adopt the #labour-market chapter"],
    );
    let v = read_json(&env.astana());
    let (_, e) = find_entry(&v, &id);
    assert_eq!(e["kind"], "decision");
    assert_eq!(e["speaker"], "IOM");
    assert_eq!(e["tags"], json!(["labour-market"]));
}

#[test]
fn note_block_by_number_and_id_and_flags() {
    let env = Env::with_astana();
    let before = read_json(&env.astana());
    let (id, block) = note(&env, &["astana2011", "On integration", "--block", "2"]);
    assert_eq!(block, "block 2 Integration");
    let v = read_json(&env.astana());
    let (b, e) = find_entry(&v, &id);
    assert_eq!(b, 1);
    assert_eq!(
        v["blocks"][1]["entries"]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        e
    );

    let (id, block) = note(
        &env,
        &[
            "astana2011",
            "On residence",
            "--block",
            "residence",
            "--kind",
            "action",
            "--speaker",
            "  Ерлан Жумабеков  ",
        ],
    );
    assert_eq!(block, "block 4 Residence status");
    let v = read_json(&env.astana());
    let (b, e) = find_entry(&v, &id);
    assert_eq!(b, 3);
    assert_eq!(e["kind"], "action");
    assert_eq!(e["speaker"], "Ерлан Жумабеков");

    // --kind wins over a marker; --speaker wins over @Name.
    let (id, _) = note(
        &env,
        &[
            "astana2011",
            "Q: @IOM follow up",
            "--kind",
            "rec",
            "--speaker",
            "ILO",
        ],
    );
    let v = read_json(&env.astana());
    let (_, e) = find_entry(&v, &id);
    assert_eq!(e["kind"], "recommendation");
    assert_eq!(e["speaker"], "ILO");
    assert_eq!(e["text"], "follow up");

    // The current block did not move.
    assert_eq!(v["current_block"], before["current_block"]);
    assert_eq!(counts(&v).0, 36);
}

#[test]
fn note_rejects_bad_block_kind_and_empty_text_and_writes_nothing() {
    let env = Env::with_astana();
    let before = fs::read(env.astana()).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["astana2011", "x", "--block", "0"], "no block"),
        (&["astana2011", "x", "--block", "6"], "no block"),
        (&["astana2011", "x", "--block", "nosuch"], "no block"),
        (&["astana2011", "x", "--block", ""], "no block"),
        (&["astana2011", "x", "--kind", "bogus"], "unknown kind"),
        (&["astana2011", "x", "--kind", ""], "unknown kind"),
        (&["astana2011", ""], "empty"),
        (&["astana2011", "   \n\t "], "empty"),
        (&["astana2011", "R: "], "empty"),
        (&["astana2011", "R: @ILO"], "empty"),
        (&["nosuchsession", "x"], "no session matches"),
    ];
    for (args, want) in cases {
        let mut all = vec!["note"];
        all.extend_from_slice(args);
        let err = env.fails(&all);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{args:?}: {err}");
        assert_eq!(fs::read(env.astana()).unwrap(), before, "{args:?}");
    }
    let err = env.fails(["note", "astana2011", "x", "--block", "9"]);
    assert!(err.contains("1 to 5"), "{err}");
    assert!(err.contains("residence"), "{err}");
}

#[test]
fn note_respects_the_writer_lock() {
    let env = Env::with_astana();
    let before = fs::read(env.astana()).unwrap();
    let lock = rapporteur::store::acquire(&env.astana()).unwrap();
    let err = env.fails(["note", "astana2011", "while locked"]);
    assert!(err.contains("open for writing"), "{err}");
    assert!(err.contains("pid"), "{err}");
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "the message should name the holder: {err}"
    );
    assert_eq!(fs::read(env.astana()).unwrap(), before);
    // By path too.
    env.fails(["note", env.astana().to_str().unwrap(), "while locked"]);
    assert_eq!(fs::read(env.astana()).unwrap(), before);
    drop(lock);
    let (id, _) = note(&env, &["astana2011", "after the lock"]);
    let v = read_json(&env.astana());
    assert_eq!(find_entry(&v, &id).1["text"], "after the lock");
}

#[test]
fn newer_schema_is_read_only() {
    let env = Env::with_astana();
    let mut v = astana_value();
    v["schema_version"] = json!(2);
    v["id"] = json!("future2030");
    v["future_field"] = json!({"kept": true});
    let path = env.write_session("future.json", &v);
    let before = fs::read(&path).unwrap();

    let err = env.fails(["note", "future2030", "must not be written"]);
    assert!(err.contains("read-only"), "{err}");
    let err = env.fails(["note", path.to_str().unwrap(), "must not be written"]);
    assert!(err.contains("newer"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);

    let shown = env.ok(["show", "future2030"]);
    assert!(shown.contains("schema 2: read-only here"), "{shown}");
    let listed = env.ok(["list"]);
    assert!(listed.contains("[newer version, read-only]"), "{listed}");
    let listed: Value = serde_json::from_str(&env.ok(["list", "--json"])).unwrap();
    let row = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "future2030")
        .unwrap();
    assert_eq!(row["read_only"], true);
    let checked = env.ok(["check", path.to_str().unwrap()]);
    assert!(checked.contains("newer rapporteur (schema 2)"), "{checked}");
    let exported: Value =
        serde_json::from_str(&env.ok(["export", "future2030", "--format", "json"])).unwrap();
    assert_eq!(exported, v, "unknown fields survive");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn note_round_trips_unicode_verbatim() {
    let env = Env::with_astana();
    let texts = [
        "Қазақ әріптері: ә ғ қ ң ө ұ ү һ і",
        "Судья 👩🏽‍⚖️ and 日本語のテキスト",
        "Multi-line entry:\nsecond line — ИКТ\n\n  indented after a blank line\nde\u{301}composed cafe\u{301} stays NFD",
        "Mixed RTL עברית and العربية, zero\u{200d}width joiner",
    ];
    for t in texts {
        let (id, _) = note(&env, &["astana2011", t, "--speaker", "Әлия Нұрланқызы"]);
        let v = read_json(&env.astana());
        let (_, e) = find_entry(&v, &id);
        assert_eq!(e["text"], t);
        assert_eq!(e["speaker"], "Әлия Нұрланқызы");
        // The file holds the text as plain UTF-8: only what JSON requires
        // (the line breaks) is escaped.
        let raw = fs::read_to_string(env.astana()).unwrap();
        assert!(raw.contains(&serde_json::to_string(t).unwrap()), "{t:?}");
        // And it comes back out through the JSON export.
        let exported: Value =
            serde_json::from_str(&env.ok(["export", "astana2011", "--format", "json"])).unwrap();
        assert_eq!(find_entry(&exported, &id).1["text"], t);
    }
    let shown = env.ok(["show", "astana2011"]);
    for want in [
        "Әлия Нұрланқызы: Қазақ әріптері: ә ғ қ ң ө ұ ү һ і",
        "Судья 👩🏽‍⚖️ and 日本語のテキスト",
        "Multi-line entry:",
        "        second line — ИКТ",
        "        de\u{301}composed cafe\u{301} stays NFD",
    ] {
        assert!(shown.contains(want), "show lost {want:?}");
    }
}

#[test]
fn note_stores_arbitrary_text_as_the_markers_parse_it() {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let env = Env::with_astana();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let chars = prop_oneof![
        any::<char>(),
        Just('R'),
        Just(':'),
        Just(' '),
        Just('@'),
        Just('\n'),
        Just('#'),
        Just('қ'),
    ]
    .prop_filter("argv cannot hold NUL", |c| *c != '\0');
    runner
        .run(&vec(chars, 0..30), |chars| {
            let input: String = chars.into_iter().collect();
            let path = env.astana();
            let known = rapporteur::store::load(&path)
                .unwrap()
                .session
                .speaker_names();
            let want = rapporteur::model::parse_draft(&input, &known);
            let before = read_json(&path);
            let out = env.run(["note", path.to_str().unwrap(), input.as_str()]);
            if want.text.trim().is_empty() {
                prop_assert!(!out.status.success(), "{input:?} should be refused");
                prop_assert_eq!(read_json(&path), before);
                return Ok(());
            }
            prop_assert!(
                out.status.success(),
                "{input:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let id = text(&out.stdout).split('\t').next().unwrap().to_string();
            let after = read_json(&path);
            let (_, e) = find_entry(&after, &id);
            prop_assert_eq!(e["text"].as_str().unwrap(), want.text.as_str());
            prop_assert_eq!(e["speaker"].as_str(), want.speaker.as_deref());
            let kind = want.kind.map(|k| k.as_str()).unwrap_or("note");
            prop_assert_eq!(e["kind"].as_str().unwrap(), kind);
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------- export

#[test]
fn export_markdown_is_a_report() {
    let env = Env::with_astana();
    let md = env.ok(["export", "astana2011", "--format", "md"]);
    assert!(md.starts_with(&format!("# {ASTANA_TITLE}\n")), "{md}");
    assert!(md.contains("- **Date:** 2011-05-19"));
    assert!(md.contains("- **Place:** Astana"));
    assert!(md.contains("- **Participants:** 12"));
    let (_, after_key) = md.split_once("\n## Key recommendations\n").unwrap();
    let (key, discussion) = after_key.split_once("\n## Discussion by block\n").unwrap();
    let numbers: Vec<usize> = key
        .lines()
        .filter_map(|l| l.split_once(". "))
        .filter_map(|(n, _)| n.parse().ok())
        .collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<_>>());
    assert!(key.contains("### Protection of migrants' rights"));
    assert!(key.contains("2. Рекомендуется ратифицировать Международную конвенцию ООН"));
    for (i, title) in [
        "Protection of migrants' rights",
        "Integration",
        "Social protection",
        "Residence status",
        "Arrest and deportation",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            discussion.contains(&format!("\n### {}. {title}\n", i + 1)),
            "block heading {title}"
        );
    }
    assert!(discussion.contains("Recommendations: 1, 2, 3 (see above)."));
    for section in ["#### Decisions", "#### Questions", "#### Notes"] {
        assert!(discussion.contains(section), "{section}");
    }
    let (_, annex) = md.split_once("\n## Annex: participants\n").unwrap();
    assert!(annex.contains("| Name | Organization |"));
    assert!(annex.contains("| Айгерим Сарсенова | Majilis |"));
    assert!(annex.contains("|  | UNHCR |"));
    let rows = annex.lines().filter(|l| l.starts_with("| ")).count();
    assert_eq!(rows, 1 + 12, "header and one row per participant");
}

#[test]
fn export_json_equals_the_session() {
    let env = Env::with_astana();
    let out = env.ok(["export", "astana2011", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, astana_value());
    // After a note, the export follows the file.
    note(&env, &["astana2011", "one more"]);
    let out = env.ok(["export", "astana", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, read_json(&env.astana()));
    assert_eq!(
        out.as_bytes(),
        fs::read(env.astana()).unwrap(),
        "same bytes as the file"
    );
}

#[test]
fn export_to_a_file_is_private() {
    let env = Env::with_astana();
    let report = env.root().join("report.md");
    fs::write(&report, "old report").unwrap();
    set_mode(&report, 0o644);
    let out = env.run([
        "export",
        "astana2011",
        "--format",
        "md",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "the report goes to the file only");
    assert!(text(&out.stderr).contains("wrote"));
    assert_eq!(mode(&report), 0o600);
    assert_eq!(
        fs::read_to_string(&report).unwrap(),
        env.ok(["export", "astana2011", "--format", "md"])
    );

    let json_out = env.root().join("new.json");
    env.ok([
        "export",
        "astana2011",
        "--format",
        "json",
        "--output",
        json_out.to_str().unwrap(),
    ]);
    assert_eq!(mode(&json_out), 0o600);
    assert_eq!(read_json(&json_out), astana_value());

    let err = env.fails([
        "export",
        "astana2011",
        "--format",
        "md",
        "-o",
        env.root().join("no/such/folder/r.md").to_str().unwrap(),
    ]);
    assert!(err.contains("r.md"), "{err}");
}

// ---------------------------------------------------------------- check

#[test]
fn check_good_files_exits_zero() {
    let env = Env::with_astana();
    env.new_session(&["--title", "Second"]);
    let out = env.ok(["check"]);
    assert!(
        out.contains(&format!(
            "ok   {} (33 entries in 5 blocks)",
            env.astana().display()
        )),
        "{out}"
    );
    assert_eq!(out.lines().filter(|l| l.starts_with("ok ")).count(), 2);
    assert!(!out.contains("warning"), "{out}");
    // Explicit paths, inside or outside the folder.
    let out = env.ok([
        "check",
        env.astana().to_str().unwrap(),
        astana_source().to_str().unwrap(),
    ]);
    assert_eq!(out.lines().filter(|l| l.starts_with("ok ")).count(), 2);
    // A readable-by-others file is fine but gets a warning.
    set_mode(&env.astana(), 0o644);
    let out = env.ok(["check", env.astana().to_str().unwrap()]);
    assert!(out.contains("readable by others"), "{out}");
}

#[test]
fn check_of_a_missing_folder_is_fine() {
    let env = Env::empty();
    let out = env.ok(["check"]);
    assert!(out.contains("no sessions folder yet"), "{out}");
}

/// Damaged files, by name. Each one is a file a user could really end up
/// with.
fn bad_files(env: &Env) -> Vec<PathBuf> {
    let good = fs::read(astana_source()).unwrap();
    let good_text = String::from_utf8(good.clone()).unwrap();
    let mut corrupt = good_text.replacen("\"kind\": \"note\",", "\"kind\": \"note\",,", 1);
    assert_ne!(corrupt, good_text);
    corrupt.push('\n');
    let mut non_utf8_inside = good.clone();
    let at = good_text.find("Astana\"").unwrap();
    non_utf8_inside[at] = 0xff;
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("corrupt.json", corrupt.into_bytes()),
        ("truncated.json", good[..good.len() / 2].to_vec()),
        ("empty.json", Vec::new()),
        ("non-utf8.json", b"\xff\xfe{\x00}".to_vec()),
        ("non-utf8-in-string.json", non_utf8_inside),
        ("array.json", b"[1, 2, 3]\n".to_vec()),
        (
            "wrong-type.json",
            b"{\n  \"schema_version\": 1,\n  \"id\": 5\n}\n".to_vec(),
        ),
        (
            "not-a-session.json",
            b"{\"name\": \"a template?\"}".to_vec(),
        ),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let p = env.dir.join(name);
            fs::write(&p, bytes).unwrap();
            set_mode(&p, 0o600);
            p
        })
        .collect()
}

#[test]
fn check_bad_files_fails_with_path_and_line() {
    let env = Env::with_astana();
    let bad = bad_files(&env);
    for p in &bad {
        let out = env.run(["check", p.to_str().unwrap()]);
        assert!(!out.status.success(), "{}", p.display());
        let stdout = text(&out.stdout);
        assert!(stdout.contains(p.to_str().unwrap()), "{stdout}");
        assert!(stdout.contains("line"), "{}: {stdout}", p.display());
        assert!(stdout.starts_with("BAD"), "{stdout}");
        assert!(
            text(&out.stderr).contains("1 of 1 files are bad"),
            "{out:?}"
        );
    }
    // The whole folder: the good one is ok, every bad one is named.
    let out = env.run(["check"]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("ok   {}", env.astana().display())));
    for p in &bad {
        assert!(
            stdout.contains(&format!("BAD  {}:", p.display())),
            "{}: {stdout}",
            p.display()
        );
    }
    assert!(
        text(&out.stderr).contains(&format!("{} of {} files are bad", bad.len(), bad.len() + 1)),
        "{}",
        text(&out.stderr)
    );
    // A path that does not exist is bad too.
    let out = env.run(["check", "/nonexistent/x.json"]);
    assert!(!out.status.success());
}

#[test]
fn bad_files_are_never_modified_by_any_command() {
    let env = Env::with_astana();
    let bad = bad_files(&env);
    let snapshot = |p: &Path| {
        (
            fs::read(p).unwrap(),
            mode(p),
            fs::metadata(p).unwrap().len(),
        )
    };
    let before: Vec<_> = bad.iter().map(|p| snapshot(p)).collect();
    let mut runs: Vec<Vec<String>> = vec![
        vec!["list".into()],
        vec!["list".into(), "--json".into()],
        vec!["check".into()],
    ];
    for p in &bad {
        let p = p.to_str().unwrap().to_string();
        let name = Path::new(&p)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        runs.push(vec!["show".into(), p.clone()]);
        runs.push(vec!["show".into(), name.clone()]);
        runs.push(vec![
            "export".into(),
            p.clone(),
            "--format".into(),
            "md".into(),
        ]);
        runs.push(vec![
            "export".into(),
            name,
            "--format".into(),
            "json".into(),
        ]);
        runs.push(vec!["check".into(), p.clone()]);
        runs.push(vec!["note".into(), p.clone(), "must not land".into()]);
    }
    for args in &runs {
        let out = env.run(args);
        // Only list succeeds over the damage; the others say why not.
        assert_eq!(out.status.success(), args[0] == "list", "{args:?}");
        if matches!(args[0].as_str(), "show" | "export" | "note") {
            assert!(out.stdout.is_empty(), "{args:?}");
            assert!(text(&out.stderr).contains("line"), "{args:?}: {out:?}");
        }
        for (p, b) in bad.iter().zip(&before) {
            assert_eq!(&snapshot(p), b, "{args:?} changed {}", p.display());
        }
    }
    // The good session was not touched either, and no stray files appeared.
    assert_eq!(
        fs::read(env.astana()).unwrap(),
        fs::read(astana_source()).unwrap()
    );
    let stray: Vec<_> = files_below(&env.dir)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            !bad.contains(p) && *p != env.astana() && !name.ends_with(".lock")
        })
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

// ---------------------------------------------------------------- no terminal

#[test]
fn every_subcommand_works_without_a_terminal() {
    let env = Env::with_astana();
    let astana = env.astana();
    let astana = astana.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["new", "--title", "Scripted", "--no-open"],
        vec!["list"],
        vec!["list", "--json"],
        vec!["show", "astana2011"],
        vec!["note", "astana2011", "from a script"],
        vec!["note", astana, "R: @ILO from a script", "--block", "1"],
        vec!["export", "astana2011", "--format", "md"],
        vec!["export", "astana2011", "--format", "json"],
        vec!["check"],
        vec!["check", astana],
    ];
    for args in runs {
        let (code, out, err) = env.detached(&args);
        assert_eq!(code, Some(0), "{args:?}: {}", String::from_utf8_lossy(&err));
        assert!(!out.is_empty(), "{args:?} printed nothing");
        assert!(
            err.is_empty(),
            "{args:?} wrote to stderr: {}",
            String::from_utf8_lossy(&err)
        );
    }
    let v = read_json(&env.astana());
    assert_eq!(counts(&v), (35, 16));

    let errors: Vec<Vec<&str>> = vec![
        vec!["show", "nosuchid"],
        vec!["note", "astana2011", "x", "--kind", "bogus"],
        vec!["export", "nosuchid", "--format", "md"],
        vec!["open", "nosuchid"],
        vec!["new", "--template", "nosuch", "--no-open"],
    ];
    for args in errors {
        let (code, out, err) = env.detached(&args);
        assert_eq!(code, Some(1), "{args:?}");
        assert!(
            out.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out)
        );
        let err = text(&err);
        assert!(err.starts_with("rapporteur: "), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{args:?}: {err}");
    }
}

#[test]
fn open_and_present_without_a_terminal_fail_cleanly_and_change_nothing() {
    let env = Env::with_astana();
    let mut v = astana_value();
    // A session still running, whose clock opening it would start.
    v["id"] = json!("running123");
    v.as_object_mut().unwrap().remove("ended");
    let running = env.write_session("running.json", &v);
    let before = fs::read(&running).unwrap();
    let astana_before = fs::read(env.astana()).unwrap();
    for command in ["open", "present"] {
        for spec in ["running123", "astana2011"] {
            let (code, out, err) = env.detached(&[command, spec]);
            assert_eq!(code, Some(1), "{command} {spec}");
            assert!(out.is_empty(), "{command} {spec}");
            let err = text(&err);
            assert!(err.contains("terminal"), "{command} {spec}: {err}");
            no_terminal_controls("stderr", err.as_bytes());
        }
        let (code, _, err) = env.detached(&[command, "nosuchid"]);
        assert_eq!(code, Some(1));
        assert!(text(&err).contains("no session matches"));
    }
    assert_eq!(fs::read(&running).unwrap(), before);
    assert_eq!(fs::read(env.astana()).unwrap(), astana_before);
    // The lock was released: a note goes through.
    note(&env, &["running123", "after open"]);
}

#[test]
fn bare_invocation_and_new_without_a_terminal_fail_cleanly() {
    let env = Env::with_astana();
    for args in [vec![], vec!["new", "--title", "Needs a terminal"]] {
        let (code, out, err) = env.detached(&args);
        assert_eq!(code, Some(1), "{args:?}");
        assert!(out.is_empty(), "{args:?}");
        let err = text(&err);
        assert!(err.contains("terminal"), "{args:?}: {err}");
    }
}

#[test]
fn failed_interactive_start_leaves_no_new_session() {
    let env = Env::with_astana();
    for args in [vec![], vec!["new", "--title", "Needs a terminal"]] {
        let (code, _, _) = env.detached(&args);
        assert_eq!(code, Some(1));
        let sessions: Vec<_> = files_below(&env.dir)
            .into_iter()
            .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
            .collect();
        assert_eq!(
            sessions,
            vec![env.astana()],
            "{args:?} left a session behind"
        );
    }
}

// ---------------------------------------------------------------- arguments

#[test]
fn usage_errors_go_to_stderr() {
    let env = Env::with_astana();
    for args in [
        vec!["note", "astana2011"],
        vec!["export", "astana2011"],
        vec!["export", "astana2011", "--format", "pdf"],
        vec!["show"],
        vec!["frobnicate"],
        vec!["list", "--yaml"],
    ] {
        env.cmd()
            .args(&args)
            .assert()
            .failure()
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains("Usage").or(predicate::str::contains("error")));
    }
    env.cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("note"));
    env.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("rapporteur "));
}

#[test]
fn the_folder_comes_from_the_flag_else_the_environment() {
    let env = Env::with_astana();
    // The environment alone.
    env.bare_cmd()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("astana2011"));
    // The flag wins over the environment.
    let other = env.root().join("other");
    env.bare_cmd()
        .env("RAPPORTEUR_SESSIONS_DIR", &other)
        .args(["--sessions-dir", env.dir.to_str().unwrap(), "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("astana2011"));
    env.bare_cmd()
        .env("RAPPORTEUR_SESSIONS_DIR", &other)
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("No sessions"));
    // The flag also works after the subcommand.
    env.bare_cmd()
        .env("RAPPORTEUR_SESSIONS_DIR", &other)
        .args(["list", "--sessions-dir", env.dir.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("astana2011"));
}
