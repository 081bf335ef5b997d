//! A small harness that drives the real `rapporteur` binary inside tmux.
//!
//! Every [`Tmux`] owns a private tmux server (`tmux -L <unique socket>`
//! in a private `TMUX_TMPDIR`, no user configuration, `HOME` the test's
//! folder) and a private sessions folder, passed to the app as
//! `RAPPORTEUR_SESSIONS_DIR`; dropping it kills the server, also when the
//! test panics. A server start that fails for a reason outside the test is
//! retried, and the server is asked until it answers. Nothing waits a fixed time for state: every wait polls
//! the screen or a file every 20 ms up to a timeout and fails with what it
//! saw last.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How often waits look again.
pub const POLL: Duration = Duration::from_millis(20);
pub const COLS: u16 = 100;
pub const ROWS: u16 = 30;
/// On the capture screen's header once it is drawn.
pub const CAPTURE_READY: &str = "Block 1 of 5";
/// On the setup screen that `new` shows before the capture screen.
pub const SETUP_READY: &str = "Session setup";

/// The binary under test, built by Cargo for this test target.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_rapporteur")
}

/// Calls `probe` every [`POLL`] until it returns `Some`, or `timeout` has
/// passed (then `None`). `probe` runs at least once.
pub fn poll<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL);
    }
}

/// Polls `condition` until it holds or `timeout` passes; says which.
pub fn wait_for(mut condition: impl FnMut() -> bool, timeout: Duration) -> bool {
    poll(timeout, || condition().then_some(())).is_some()
}

/// Whether `tmux` can be run at all.
fn tmux_installed() -> bool {
    Command::new("tmux")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether a failed tmux command failed because the server was not there
/// (yet, or any more) rather than because of what it was asked.
fn transient(error: &str) -> bool {
    [
        "server exited unexpectedly",
        "no server running",
        "error connecting",
    ]
    .iter()
    .any(|m| error.contains(m))
}

/// Quotes `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Whether process `pid` still exists (a zombie counts until reaped).
pub fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// SIGKILLs `pid` and waits until it is gone.
pub fn kill9(pid: i32) {
    // SAFETY: plain kill(2) on a pid this test started.
    let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(
        rc,
        0,
        "kill -9 {pid} failed: {}",
        std::io::Error::last_os_error()
    );
    assert!(
        wait_for(|| !alive(pid), TIMEOUT),
        "process {pid} still exists {TIMEOUT:?} after SIGKILL"
    );
}

/// Parses a JSON file, failing the test with the path on any error.
pub fn read_json(path: &Path) -> serde_json::Value {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{} is not JSON: {e}\n{}",
            path.display(),
            String::from_utf8_lossy(&bytes)
        )
    })
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One private tmux server and one private sessions folder.
pub struct Tmux {
    socket: String,
    sessions_dir: PathBuf,
    /// TMUX_TMPDIR of this server, inside `root`.
    tmux_tmpdir: PathBuf,
    // Dropped after `Drop::drop` has killed the server.
    root: tempfile::TempDir,
}

impl Tmux {
    /// A fresh server for the test `name`. `None` (after saying so) when
    /// tmux is missing and this is not CI; on CI a missing tmux fails.
    pub fn start(name: &str) -> Option<Tmux> {
        if !tmux_installed() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "tmux is not installed, but CI=true: the end-to-end tests must run in CI; \
                     install tmux (e.g. apt-get install tmux)"
                );
            }
            eprintln!("skipping: tmux not installed");
            return None;
        }
        let root = tempfile::Builder::new()
            .prefix("rapporteur-e2e-")
            .tempdir()
            .expect("create a temporary folder");
        // A folder inside the temporary one, so that the templates folder
        // the app derives from its parent is private too.
        let sessions_dir = root.path().join("sessions");
        std::fs::create_dir(&sessions_dir).expect("create the sessions folder");
        // The server's socket folder is private to this test (tmux puts
        // `tmux-UID/NAME` in TMUX_TMPDIR): nothing another test binary, a
        // developer's own tmux or a /tmp cleaner does to the shared
        // /tmp/tmux-UID can reach it. The socket name is unique across
        // binaries (pid) and within one (counter), and kept short: a
        // unix socket path has 108 bytes at most.
        let tmux_tmpdir = root.path().join("tmux");
        std::fs::create_dir(&tmux_tmpdir).expect("create the tmux socket folder");
        let short: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(24)
            .collect();
        let socket = format!(
            "r{}-{}-{short}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
        );
        Some(Tmux {
            socket,
            sessions_dir,
            tmux_tmpdir,
            root,
        })
    }

    /// Where tmux puts this server's socket.
    pub fn socket_path(&self) -> PathBuf {
        // SAFETY: getuid cannot fail.
        let uid = unsafe { libc::getuid() };
        self.tmux_tmpdir
            .join(format!("tmux-{uid}"))
            .join(&self.socket)
    }

    pub fn sessions_dir(&self) -> &Path {
        &self.sessions_dir
    }

    /// A tmux client of this server. The environment is the test's own:
    /// no TMUX (tests run inside a developer's tmux would otherwise talk
    /// to it), TMUX_TMPDIR private, HOME the test's folder (the server and
    /// every app it starts inherit it, so nothing reads the user's).
    fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"])
            .env_remove("TMUX")
            .env_remove("TMUX_PANE")
            .env("TMUX_TMPDIR", &self.tmux_tmpdir)
            .env("HOME", self.root.path())
            .stdin(Stdio::null());
        c
    }

    /// Runs a tmux command; its stdout, or the error text.
    pub fn try_run(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .command()
            .args(args)
            .output()
            .map_err(|e| format!("cannot run tmux: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "tmux {args:?} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    pub fn run(&self, args: &[&str]) -> String {
        self.try_run(args).unwrap_or_else(|e| panic!("{e}"))
    }

    fn new_session(&self, session: &str, cols: u16, rows: u16, command: &[&str]) {
        let env = format!("RAPPORTEUR_SESSIONS_DIR={}", self.sessions_dir.display());
        let (x, y) = (cols.to_string(), rows.to_string());
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            &x,
            "-y",
            &y,
            "-e",
            &env,
        ];
        args.extend_from_slice(command);
        self.start_session(session, &args);
    }

    /// Runs `new-session` until the server is up with the session, and
    /// waits until it answers. A start that failed for a reason outside
    /// the test (a server that died while starting under load, a socket
    /// not there yet) is retried on a clean socket; anything else fails.
    fn start_session(&self, session: &str, args: &[&str]) {
        const ATTEMPTS: usize = 5;
        let mut errors = Vec::new();
        for attempt in 1..=ATTEMPTS {
            match self.try_run(args) {
                Ok(_) => {
                    self.wait_answers(session);
                    return;
                }
                Err(e) if transient(&e) && attempt < ATTEMPTS => {
                    eprintln!("tmux start {attempt} of {ATTEMPTS} failed, retrying: {e}");
                    errors.push(e);
                    self.reset_server();
                }
                Err(e) => {
                    errors.push(e);
                    break;
                }
            }
        }
        panic!(
            "tmux would not start session {session} on socket {}:\n{}",
            self.socket_path().display(),
            errors.join("\n")
        );
    }

    /// Polls `has-session` until the server answers about `session`. An
    /// answer that the session is gone counts: its command may have ended.
    fn wait_answers(&self, session: &str) {
        let target = format!("={session}");
        let mut last = String::new();
        let answered = wait_for(
            || match self.try_run(&["has-session", "-t", &target]) {
                Ok(_) => true,
                // "no server running" after a start that succeeded: the
                // session's command ended, and the server with it.
                Err(e) => {
                    let up = !transient(&e) || e.contains("no server running");
                    last = e;
                    up
                }
            },
            TIMEOUT,
        );
        assert!(answered, "the tmux server never answered: {last}");
    }

    /// Kills what is left of a server that failed to start, and its socket.
    fn reset_server(&self) {
        let _ = self.try_run(&["kill-server"]);
        let _ = std::fs::remove_file(self.socket_path());
    }

    /// Starts the app with `args` in a new tmux session of the default
    /// size. The pane's process is the app itself (no shell in between).
    pub fn spawn(&self, session: &str, args: &[&str]) {
        self.spawn_sized(session, COLS, ROWS, args);
    }

    pub fn spawn_sized(&self, session: &str, cols: u16, rows: u16, args: &[&str]) {
        let mut command = vec![bin()];
        command.extend_from_slice(args);
        if command.len() == 1 {
            // A lone argument would be taken as a shell command.
            command.push("--sessions-dir");
            command.push(self.sessions_dir.to_str().expect("UTF-8 temp path"));
        }
        self.new_session(session, cols, rows, &command);
    }

    /// Runs `script` through the shell in a new tmux session.
    pub fn spawn_shell(&self, session: &str, script: &str) {
        self.new_session(session, COLS, ROWS, &[script]);
    }

    /// Kills the server now, as closing the terminal would: the apps in
    /// it lose their terminal and get SIGHUP.
    pub fn kill_server(&self) {
        self.run(&["kill-server"]);
    }

    /// The visible screen of `session`'s pane, or the reason it has none.
    pub fn screen(&self, session: &str) -> String {
        self.try_run(&["capture-pane", "-p", "-t", session])
            .unwrap_or_else(|e| format!("<no screen: {e}>"))
    }

    /// Waits until `session`'s screen satisfies `pred`, and returns that
    /// screen; fails with `what` and the last screen on timeout.
    pub fn wait_screen(&self, session: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        poll(TIMEOUT, || {
            last = self.screen(session);
            pred(&last).then(|| last.clone())
        })
        .unwrap_or_else(|| {
            panic!(
                "timed out after {TIMEOUT:?} waiting for {what}; last screen of {session}:\n{last}"
            )
        })
    }

    /// The screen once two captures in a row agree. The app writes a
    /// frame in pieces, and a capture can fall between them.
    pub fn stable_screen(&self, session: &str) -> String {
        let mut last = self.screen(session);
        poll(TIMEOUT, || {
            let now = self.screen(session);
            if now == last {
                Some(now)
            } else {
                last = now;
                None
            }
        })
        .unwrap_or_else(|| panic!("the screen of {session} never settled; last:\n{last}"))
    }

    /// Waits until the screen contains every one of `needles`.
    pub fn wait_text(&self, session: &str, needles: &[&str]) -> String {
        self.wait_screen(session, &format!("{needles:?} on screen"), |s| {
            needles.iter().all(|n| s.contains(n))
        })
    }

    /// Waits for the capture screen to be drawn. A new session opens on
    /// the setup screen first, whose focus starts on "Start": Enter there
    /// goes on to the capture screen.
    pub fn wait_ready(&self, session: &str) -> String {
        let screen = self.wait_screen(session, "the capture or the setup screen", |s| {
            s.contains(CAPTURE_READY) || s.contains(SETUP_READY)
        });
        if screen.contains(CAPTURE_READY) {
            return screen;
        }
        self.keys(session, &["Enter"]);
        self.wait_text(session, &[CAPTURE_READY])
    }

    /// Types `text` literally (any script).
    pub fn type_text(&self, session: &str, text: &str) {
        self.run(&["send-keys", "-t", session, "-l", text]);
    }

    /// Sends tmux key names: `Enter`, `C-n`, `M-Enter`, `Escape`, `F1`…
    pub fn keys(&self, session: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", session];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// A tmux format evaluated for `session`'s pane.
    pub fn display(&self, session: &str, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", session, format])
            .trim()
            .to_string()
    }

    pub fn pane_pid(&self, session: &str) -> i32 {
        let out = self.run(&["list-panes", "-t", session, "-F", "#{pane_pid}"]);
        out.trim()
            .parse()
            .unwrap_or_else(|e| panic!("pane pid {out:?}: {e}"))
    }

    /// The one visible `*.json` file in the sessions folder, once there is
    /// exactly one.
    pub fn session_file(&self) -> PathBuf {
        let list = || -> Vec<PathBuf> {
            std::fs::read_dir(&self.sessions_dir)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                            !name.starts_with('.') && name.ends_with(".json")
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        poll(TIMEOUT, || match list().as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
        .unwrap_or_else(|| {
            panic!(
                "expected exactly one session file in {}, found {:?}",
                self.sessions_dir.display(),
                list()
            )
        })
    }

    /// The session's id, read from its file.
    pub fn session_id(&self) -> String {
        let v = read_json(&self.session_file());
        v["id"].as_str().expect("session id").to_string()
    }
}

/// The text of every entry of a session, block after block.
pub fn entry_texts(session: &serde_json::Value) -> Vec<String> {
    session["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .flat_map(|b| b["entries"].as_array().expect("entries").iter())
        .map(|e| e["text"].as_str().expect("text").to_string())
        .collect()
}

/// `.NAME.json.KIND` beside the session file.
pub fn sidecar(session_file: &Path, kind: &str) -> PathBuf {
    let name = session_file
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    session_file.with_file_name(format!(".{name}.{kind}"))
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let pids: Vec<i32> = self
            .try_run(&["list-panes", "-a", "-F", "#{pane_pid}"])
            .map(|out| out.lines().filter_map(|l| l.trim().parse().ok()).collect())
            .unwrap_or_default();
        // Fails harmlessly when every session has ended already.
        let _ = self.try_run(&["kill-server"]);
        // A server that died abnormally leaves its socket file behind.
        let _ = std::fs::remove_file(self.socket_path());
        // The apps save on SIGHUP; let them finish before the folder goes.
        wait_for(|| pids.iter().all(|p| !alive(*p)), Duration::from_secs(3));
    }
}
