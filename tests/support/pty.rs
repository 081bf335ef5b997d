//! A small pseudo-terminal harness: runs the real `rapporteur` binary on a
//! pty of its own and records every byte it writes.
//!
//! [`Pty::spawn`] opens a pty (`openpty`), sets its size (`TIOCSWINSZ`),
//! and starts the app in a new session with the pty as its controlling
//! terminal and as stdin, stdout and stderr. A reader thread appends
//! everything the app writes to one shared buffer, and answers the
//! terminal queries crossterm makes at startup (primary device
//! attributes), so startup does not wait for a timeout.
//!
//! [`Vt`] is a tiny terminal: a VT parser (ground, escape, CSI, OSC, DCS
//! and string states) that keeps a grid of the visible text and lists
//! every byte or sequence a well-behaved full-screen app would never
//! send. Nothing waits a fixed time: every wait polls every 20 ms up to
//! a timeout and fails with what it saw last.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use unicode_width::UnicodeWidthChar;

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How often waits look again.
pub const POLL: Duration = Duration::from_millis(20);
pub const COLS: u16 = 100;
pub const ROWS: u16 = 30;

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

/// Waits until `condition` holds for a file (or anything else), failing
/// the test with `what` on timeout.
pub fn wait_file(what: &str, condition: impl FnMut() -> bool) {
    assert!(
        wait_for(condition, TIMEOUT),
        "timed out after {TIMEOUT:?} waiting for {what}"
    );
}

/// The primary device attributes query, and a VT220-ish answer to it.
const DA_QUERY: &[u8] = b"\x1b[c";
const DA_ANSWER: &[u8] = b"\x1b[?62;c";

/// Opens a pty of `cols` x `rows`: (master, slave).
///
/// Other tests spawn processes (tmux servers among them) in parallel:
/// they must not inherit either end, or the master would never see the
/// app's end close. `openpty` cannot say so, and a `FD_CLOEXEC` set after
/// it leaves a window in which another thread's fork takes both ends
/// along; so both are opened with `O_CLOEXEC`.
fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let err = || std::io::Error::last_os_error();
    // SAFETY: posix_openpt with constant flags.
    let master = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) };
    assert!(master >= 0, "posix_openpt: {}", err());
    // SAFETY: `master` was just opened and is owned here only.
    let master = unsafe { OwnedFd::from_raw_fd(master) };
    // SAFETY: grantpt and unlockpt on the master just opened.
    unsafe {
        assert_eq!(libc::grantpt(master.as_raw_fd()), 0, "grantpt: {}", err());
        assert_eq!(libc::unlockpt(master.as_raw_fd()), 0, "unlockpt: {}", err());
    }
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: the buffer and its length are valid.
    let rc = unsafe { libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()) };
    assert_eq!(
        rc,
        0,
        "ptsname_r: {}",
        std::io::Error::from_raw_os_error(rc)
    );
    // SAFETY: ptsname_r wrote a NUL-terminated path into `name`.
    let slave = unsafe {
        libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    };
    assert!(slave >= 0, "open the pty's slave: {}", err());
    // SAFETY: `slave` was just opened and is owned here only.
    let slave = unsafe { OwnedFd::from_raw_fd(slave) };
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ with a valid winsize.
    let rc = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
    assert_eq!(rc, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
    (master, slave)
}

/// The shared output buffer and whether the reader has seen the end.
#[derive(Default)]
struct Shared {
    bytes: Vec<u8>,
    closed: bool,
}

/// The app running on a pty of its own.
pub struct Pty {
    master: Arc<File>,
    child: Child,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    status: Option<ExitStatus>,
    vt: Mutex<(usize, Vt)>,
    pub cols: u16,
    pub rows: u16,
}

impl Pty {
    /// Starts the app with `args` on a [`COLS`] x [`ROWS`] pty.
    pub fn spawn<S: AsRef<OsStr>>(home: &Path, args: &[S]) -> Pty {
        Pty::spawn_sized(home, COLS, ROWS, args)
    }

    /// Starts the app with `args`; `home` becomes its `HOME` (and XDG
    /// folders), so nothing of the user's is ever read or written.
    pub fn spawn_sized<S: AsRef<OsStr>>(home: &Path, cols: u16, rows: u16, args: &[S]) -> Pty {
        let (master, slave) = open_pty(cols, rows);
        let slave = File::from(slave);
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("xdg-data"))
            .env("XDG_CONFIG_HOME", home.join("xdg-config"))
            .env("TERM", "xterm-256color")
            .env_remove("RAPPORTEUR_SESSIONS_DIR")
            .env_remove("RAPPORTEUR_FAULTS")
            .env_remove("RUST_BACKTRACE")
            .current_dir(home)
            .stdin(Stdio::from(slave.try_clone().expect("dup the pty")))
            .stdout(Stdio::from(slave.try_clone().expect("dup the pty")))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start rapporteur on the pty");
        // Our copies of the slave go with the command.
        drop(cmd);

        let master = Arc::new(File::from(master));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let master = Arc::clone(&master);
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || read_loop(&master, &shared, &stop))
        };
        Pty {
            master,
            child,
            shared,
            stop,
            reader: Some(reader),
            status: None,
            vt: Mutex::new((0, Vt::new(cols, rows))),
            cols,
            rows,
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Types `bytes` as the keyboard would.
    pub fn send(&self, bytes: impl AsRef<[u8]>) {
        let mut m: &File = &self.master;
        m.write_all(bytes.as_ref()).expect("write to the pty");
        m.flush().expect("flush the pty");
    }

    /// Everything the app wrote so far.
    pub fn output(&self) -> Vec<u8> {
        self.shared.lock().unwrap().bytes.clone()
    }

    pub fn output_len(&self) -> usize {
        self.shared.lock().unwrap().bytes.len()
    }

    /// The output as (lossy) text, for messages.
    pub fn output_text(&self) -> String {
        String::from_utf8_lossy(&self.output()).into_owned()
    }

    /// The screen as the app has drawn it so far.
    pub fn screen(&self) -> Screen {
        let mut vt = self.vt.lock().unwrap();
        let shared = self.shared.lock().unwrap();
        let from = vt.0;
        vt.1.feed(&shared.bytes[from..]);
        vt.0 = shared.bytes.len();
        vt.1.screen.clone()
    }

    /// Waits until the screen satisfies `pred` and returns it; fails with
    /// `what` and the last screen on timeout.
    pub fn wait_screen(&self, what: &str, pred: impl Fn(&Screen) -> bool) -> Screen {
        self.wait_screen_for(what, TIMEOUT, pred)
    }

    pub fn wait_screen_for(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Screen) -> bool,
    ) -> Screen {
        let mut last = Screen::default();
        poll(timeout, || {
            last = self.screen();
            pred(&last).then(|| last.clone())
        })
        .unwrap_or_else(|| {
            panic!(
                "timed out after {timeout:?} waiting for {what}; last screen (pid {}):\n{}",
                self.pid(),
                last.shown()
            )
        })
    }

    /// Waits until the screen shows every one of `needles`.
    pub fn wait_text(&self, needles: &[&str]) -> Screen {
        self.wait_screen(&format!("{needles:?} on screen"), |s| {
            let t = s.text();
            needles.iter().all(|n| t.contains(n))
        })
    }

    /// Waits until the raw output contains `needle`.
    pub fn wait_output(&self, needle: &[u8]) {
        let ok = wait_for(
            || {
                let s = self.shared.lock().unwrap();
                s.bytes.windows(needle.len()).any(|w| w == needle)
            },
            TIMEOUT,
        );
        assert!(
            ok,
            "timed out waiting for {:?} in the output",
            String::from_utf8_lossy(needle)
        );
    }

    /// Waits until the screen has not changed for `quiet` (two looks in a
    /// row agree), after at least one look. For keys whose effect has no
    /// better sign.
    pub fn settle(&self, quiet: Duration) -> Screen {
        let mut last = self.screen();
        let mut since = Instant::now();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            std::thread::sleep(POLL);
            let now = self.screen();
            if now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() >= quiet {
                return last;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never settled:\n{}",
                last.shown()
            );
        }
    }

    /// The exit status, if the app has ended.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().expect("wait for the app");
        }
        self.status
    }

    /// Waits until the app exits (failing after `timeout`), then until
    /// the reader has taken everything it wrote.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let status = poll(timeout, || self.try_status()).unwrap_or_else(|| {
            panic!(
                "the app (pid {}) did not exit within {timeout:?}; screen:\n{}",
                self.pid(),
                self.screen().shown()
            )
        });
        self.drain();
        status
    }

    /// SIGKILLs the app and reaps it.
    pub fn kill9(&mut self) -> ExitStatus {
        if self.try_status().is_none() {
            // SAFETY: kill(2) on the child this harness started and has
            // not reaped yet, so the pid cannot have been reused.
            unsafe { libc::kill(self.pid(), libc::SIGKILL) };
        }
        let status = poll(TIMEOUT, || self.try_status())
            .unwrap_or_else(|| panic!("pid {} survived SIGKILL", self.pid()));
        self.drain();
        status
    }

    /// After the app has exited: lets the reader take what is left.
    fn drain(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.reader.take() {
            let _ = h.join();
        }
    }

    /// Whether the app died of a signal.
    pub fn signal(&mut self) -> Option<i32> {
        self.try_status().and_then(|s| s.signal())
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.try_status().is_none() {
            // SAFETY: as in kill9: our own unreaped child.
            unsafe { libc::kill(self.pid(), libc::SIGKILL) };
            let _ = self.child.wait();
        }
        self.drain();
    }
}

/// Reads the master until the app's side is gone (EIO), or until `stop`
/// is set and nothing more comes for a little while.
fn read_loop(master: &File, shared: &Mutex<Shared>, stop: &AtomicBool) {
    let fd = master.as_raw_fd();
    let mut buf = vec![0u8; 65536];
    // The last bytes seen, so a query split over two reads is found.
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, 50) };
        if n == 0 {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            continue;
        }
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        let mut r: &File = master;
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                tail.extend_from_slice(chunk);
                let queries = tail
                    .windows(DA_QUERY.len())
                    .filter(|w| *w == DA_QUERY)
                    .count();
                if queries > 0 {
                    let mut w: &File = master;
                    for _ in 0..queries {
                        let _ = w.write_all(DA_ANSWER);
                    }
                }
                let keep = tail.len().min(DA_QUERY.len() - 1);
                // Keep only what could still start a query; one found is
                // not counted twice.
                tail = if queries > 0 {
                    Vec::new()
                } else {
                    tail[tail.len() - keep..].to_vec()
                };
                shared.lock().unwrap().bytes.extend_from_slice(chunk);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // EIO: every slave descriptor is closed, the app is gone.
            Err(_) => break,
        }
    }
    shared.lock().unwrap().closed = true;
}

/// The visible text of a terminal: one string per row, wide characters
/// once (their second column is an empty cell), combining marks with
/// their base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screen {
    pub cols: u16,
    pub rows: u16,
    cells: Vec<Vec<String>>,
    /// The style each cell was drawn in (a hash of the SGR sequences in
    /// force), so that a change of highlight alone changes the screen.
    styles: Vec<Vec<u64>>,
    /// The SGR sequences since the last reset.
    sgr: Vec<String>,
    pub cursor: (u16, u16),
    pub cursor_visible: bool,
}

impl Screen {
    fn new(cols: u16, rows: u16) -> Screen {
        Screen {
            cols,
            rows,
            cells: vec![vec![" ".to_string(); cols as usize]; rows as usize],
            styles: vec![vec![0; cols as usize]; rows as usize],
            sgr: Vec::new(),
            cursor: (0, 0),
            cursor_visible: true,
        }
    }

    fn clear(&mut self) {
        for y in 0..self.cells.len() {
            self.clear_line_from(y, 0);
        }
    }

    fn clear_line_from(&mut self, row: usize, col: usize) {
        let style = self.style();
        if let Some(r) = self.cells.get_mut(row) {
            for c in r.iter_mut().skip(col) {
                *c = " ".to_string();
            }
        }
        if let Some(r) = self.styles.get_mut(row) {
            for c in r.iter_mut().skip(col) {
                *c = style;
            }
        }
    }

    fn style(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.sgr.hash(&mut h);
        h.finish()
    }

    fn sgr(&mut self, params: &str) {
        if params.is_empty() || params == "0" {
            self.sgr.clear();
        } else {
            self.sgr.push(params.to_string());
            if self.sgr.len() > 16 {
                self.sgr.remove(0);
            }
        }
    }

    fn print(&mut self, ch: char) {
        let (col, row) = (self.cursor.0 as usize, self.cursor.1 as usize);
        let w = ch.width().unwrap_or(0);
        if w == 0 {
            // Combining: joins the cell before the cursor.
            if let Some(r) = self.cells.get_mut(row) {
                let mut c = col.min(r.len());
                while c > 0 {
                    c -= 1;
                    if !r[c].is_empty() {
                        r[c].push(ch);
                        break;
                    }
                }
            }
            return;
        }
        let style = self.style();
        if let Some(r) = self.cells.get_mut(row)
            && col < r.len()
        {
            r[col] = ch.to_string();
            if w == 2 && col + 1 < r.len() {
                r[col + 1] = String::new();
            }
            self.styles[row][col] = style;
        }
        self.cursor.0 = (col + w).min(self.cols as usize) as u16;
    }

    /// Row `y` as text, trailing spaces kept.
    pub fn row(&self, y: usize) -> String {
        self.cells.get(y).map(|r| r.concat()).unwrap_or_default()
    }

    pub fn lines(&self) -> Vec<String> {
        (0..self.cells.len()).map(|y| self.row(y)).collect()
    }

    /// The whole screen, one line a row, trailing spaces cut.
    pub fn text(&self) -> String {
        self.lines()
            .iter()
            .map(|l| l.trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Like [`Screen::text`], for messages: a cell with a long run of
    /// combining marks is cut to its first few characters.
    pub fn shown(&self) -> String {
        self.cells
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| {
                        if c.chars().count() > 4 {
                            let head: String = c.chars().take(2).collect();
                            format!("{head}⟨+{}⟩", c.chars().count() - 2)
                        } else {
                            c.clone()
                        }
                    })
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.text().contains(needle)
    }

    /// The cells of row `y`, one string each (empty for the right half
    /// of a wide character).
    pub fn cells(&self, y: usize) -> &[String] {
        self.cells.get(y).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ground,
    Esc,
    /// After ESC and an intermediate byte (0x20..0x2f).
    EscInter,
    Csi,
    /// OSC, DCS, SOS, PM and APC: a string until ST or BEL.
    Str(StrKind),
    /// ESC inside a string: ST if `\` follows.
    StrEsc(StrKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    Osc,
    Dcs,
    Sos,
    Pm,
    Apc,
}

/// One thing in the output that a well-behaved app never sends.
#[derive(Debug, Clone)]
pub struct Violation {
    /// Byte offset in the output.
    pub at: usize,
    pub what: String,
}

/// A VT parser with a screen: feed it the app's output and read the
/// screen, the control sequences it used, and anything suspicious.
pub struct Vt {
    state: State,
    seq: Vec<u8>,
    seq_start: usize,
    utf8: Vec<u8>,
    utf8_need: usize,
    /// The character printed just before, while no sequence or line
    /// break came in between: what a zero-width joiner would join to.
    prev: Option<char>,
    offset: usize,
    pub screen: Screen,
    pub violations: Vec<Violation>,
    pub violation_count: usize,
    /// Every CSI, ESC and string sequence seen, with counts, e.g.
    /// `CSI ?1049 h`, `CSI . H`, `CSI . m`.
    pub sequences: std::collections::BTreeMap<String, usize>,
}

/// Whether a CSI sequence is one that a ratatui/crossterm app sends:
/// cursor position, SGR, erase, the modes it sets and resets, and the
/// keyboard and device queries crossterm makes.
pub fn csi_allowed(params: &str, inter: &str, fin: char) -> bool {
    let numeric =
        |s: &str, seps: &[char]| s.chars().all(|c| c.is_ascii_digit() || seps.contains(&c));
    match (fin, inter) {
        ('H', "") => numeric(params, &[';']) && params.split(';').count() <= 2,
        ('m', "") => numeric(params, &[';', ':']),
        ('J' | 'K', "") => matches!(params, "" | "0" | "1" | "2" | "3"),
        ('h' | 'l', "") => matches!(params, "?1049" | "?2004" | "?25" | "?12"),
        ('u', "") => matches!(params, "?" | "<1" | "<" | ">1"),
        ('c', "") => params.is_empty(),
        ('q', " ") => numeric(params, &[]),
        _ => false,
    }
}

impl Vt {
    pub fn new(cols: u16, rows: u16) -> Vt {
        Vt {
            state: State::Ground,
            seq: Vec::new(),
            seq_start: 0,
            utf8: Vec::new(),
            utf8_need: 0,
            prev: None,
            offset: 0,
            screen: Screen::new(cols, rows),
            violations: Vec::new(),
            violation_count: 0,
            sequences: Default::default(),
        }
    }

    /// Parses `bytes` as a terminal would, from where it stopped.
    pub fn parse_all(bytes: &[u8], cols: u16, rows: u16) -> Vt {
        let mut vt = Vt::new(cols, rows);
        vt.feed(bytes);
        vt.finish();
        vt
    }

    fn violation(&mut self, at: usize, what: String) {
        self.violation_count += 1;
        if self.violations.len() < 40 {
            self.violations.push(Violation { at, what });
        }
    }

    fn count(&mut self, name: String) {
        *self.sequences.entry(name).or_default() += 1;
    }

    /// At the end of the output: an unfinished sequence is suspicious.
    pub fn finish(&mut self) {
        if self.state != State::Ground || self.utf8_need > 0 {
            let at = self.seq_start;
            self.violation(at, format!("output ends inside {:?}", self.state));
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
            self.offset += 1;
        }
    }

    fn byte(&mut self, b: u8) {
        let at = self.offset;
        match self.state {
            State::Ground => self.ground(b, at),
            State::Esc => {
                self.seq.push(b);
                match b {
                    b'[' => {
                        self.seq.clear();
                        self.state = State::Csi;
                    }
                    b']' => self.start_str(StrKind::Osc),
                    b'P' => self.start_str(StrKind::Dcs),
                    b'X' => self.start_str(StrKind::Sos),
                    b'^' => self.start_str(StrKind::Pm),
                    b'_' => self.start_str(StrKind::Apc),
                    0x20..=0x2f => self.state = State::EscInter,
                    0x30..=0x7e => {
                        let name = format!("ESC {}", b as char);
                        self.count(name.clone());
                        self.violation(self.seq_start, format!("escape sequence {name}"));
                        self.state = State::Ground;
                    }
                    _ => {
                        self.violation(at, format!("byte 0x{b:02x} after ESC"));
                        self.state = State::Ground;
                    }
                }
            }
            State::EscInter => {
                self.seq.push(b);
                if (0x30..=0x7e).contains(&b) {
                    let name = format!("ESC {}", String::from_utf8_lossy(&self.seq));
                    self.count(name.clone());
                    self.violation(self.seq_start, format!("escape sequence {name}"));
                    self.state = State::Ground;
                } else if !(0x20..=0x2f).contains(&b) {
                    self.violation(at, format!("byte 0x{b:02x} inside an escape sequence"));
                    self.state = State::Ground;
                }
            }
            State::Csi => match b {
                0x20..=0x3f => self.seq.push(b),
                0x40..=0x7e => {
                    self.state = State::Ground;
                    self.csi(b as char);
                }
                0x1b => {
                    self.violation(at, "ESC inside a CSI sequence".into());
                    self.seq_start = at;
                    self.seq.clear();
                    self.state = State::Esc;
                }
                _ => {
                    self.violation(at, format!("byte 0x{b:02x} inside a CSI sequence"));
                    self.state = State::Ground;
                }
            },
            State::Str(kind) => match b {
                0x07 => self.end_str(kind),
                0x1b => self.state = State::StrEsc(kind),
                _ => self.seq.push(b),
            },
            State::StrEsc(kind) => {
                if b == b'\\' {
                    self.end_str(kind);
                } else {
                    // ESC then something else ends the string and starts
                    // a new sequence.
                    self.end_str(kind);
                    self.seq_start = at - 1;
                    self.seq.clear();
                    self.state = State::Esc;
                    self.byte(b);
                }
            }
        }
    }

    fn start_str(&mut self, kind: StrKind) {
        self.seq.clear();
        self.state = State::Str(kind);
    }

    fn end_str(&mut self, kind: StrKind) {
        let data = String::from_utf8_lossy(&self.seq).into_owned();
        self.count(format!("{kind:?}"));
        let mut shown: String = data.chars().take(60).collect();
        if shown.len() < data.len() {
            shown.push('…');
        }
        self.violation(self.seq_start, format!("{kind:?} string {shown:?}"));
        self.state = State::Ground;
    }

    fn csi(&mut self, fin: char) {
        let raw = String::from_utf8_lossy(&self.seq).into_owned();
        let split = raw
            .find(|c: char| (' '..='/').contains(&c))
            .unwrap_or(raw.len());
        let (params, inter) = raw.split_at(split);
        // Counted by shape: numbers become `.`, modes are kept.
        let shape = if params.starts_with(['?', '<', '>', '=']) {
            params.to_string()
        } else if params.is_empty() {
            String::new()
        } else {
            ".".to_string()
        };
        self.count(format!("CSI {shape}{inter}{fin}"));
        if !csi_allowed(params, inter, fin) {
            self.violation(
                self.seq_start,
                format!("unexpected CSI {params:?} {inter:?} {fin:?}"),
            );
            return;
        }
        let nums: Vec<usize> = params
            .split(';')
            .map(|p| p.parse::<usize>().unwrap_or(0))
            .collect();
        let (cols, rows) = (self.screen.cols as usize, self.screen.rows as usize);
        match fin {
            'H' => {
                let row = nums.first().copied().unwrap_or(1).max(1) - 1;
                let col = nums.get(1).copied().unwrap_or(1).max(1) - 1;
                self.screen.cursor = (
                    col.min(cols.saturating_sub(1)) as u16,
                    row.min(rows.saturating_sub(1)) as u16,
                );
            }
            'J' if params == "2" || params == "3" => self.screen.clear(),
            'J' => {
                let (x, y) = self.screen.cursor;
                self.screen.clear_line_from(y as usize, x as usize);
                for r in y as usize + 1..rows {
                    self.screen.clear_line_from(r, 0);
                }
            }
            'K' => {
                let (x, y) = self.screen.cursor;
                self.screen.clear_line_from(y as usize, x as usize);
            }
            'h' if params == "?1049" => self.screen.clear(),
            'm' => self.screen.sgr(params),
            'h' if params == "?25" => self.screen.cursor_visible = true,
            'l' if params == "?25" => self.screen.cursor_visible = false,
            _ => {}
        }
    }

    fn ground(&mut self, b: u8, at: usize) {
        if self.utf8_need > 0 {
            if (0x80..=0xbf).contains(&b) {
                self.utf8.push(b);
                self.utf8_need -= 1;
                if self.utf8_need == 0 {
                    let bytes = std::mem::take(&mut self.utf8);
                    match std::str::from_utf8(&bytes) {
                        Ok(s) => {
                            let c = s.chars().next().expect("one char");
                            self.char(c, at + 1 - bytes.len());
                        }
                        Err(_) => self.violation(at, format!("invalid UTF-8 {bytes:02x?}")),
                    }
                }
                return;
            }
            let bytes = std::mem::take(&mut self.utf8);
            self.utf8_need = 0;
            self.violation(at, format!("truncated UTF-8 {bytes:02x?}"));
        }
        if !(0x20..=0x7e).contains(&b) && b < 0x80 {
            self.prev = None;
        }
        match b {
            0x1b => {
                self.seq_start = at;
                self.seq.clear();
                self.state = State::Esc;
            }
            b'\r' => self.screen.cursor.0 = 0,
            b'\n' => {
                self.screen.cursor.1 = (self.screen.cursor.1 + 1).min(self.screen.rows - 1);
            }
            0x08 => self.screen.cursor.0 = self.screen.cursor.0.saturating_sub(1),
            0x00..=0x1f => self.violation(at, format!("C0 control 0x{b:02x}")),
            0x7f => self.violation(at, "DEL 0x7f".into()),
            0x20..=0x7e => self.char(b as char, at),
            0xc2..=0xdf => self.start_utf8(b, 1),
            0xe0..=0xef => self.start_utf8(b, 2),
            0xf0..=0xf4 => self.start_utf8(b, 3),
            _ => self.violation(at, format!("byte 0x{b:02x} that is not UTF-8 (8-bit C1?)")),
        }
    }

    fn start_utf8(&mut self, b: u8, need: usize) {
        self.utf8.clear();
        self.utf8.push(b);
        self.utf8_need = need;
    }

    fn char(&mut self, c: char, at: usize) {
        // What a zero-width joiner may join (as the app's text module
        // has it): emoji and other pictographs. After anything else, tmux
        // and others merge the next symbol into the cell, which shifts
        // the columns.
        let pictograph =
            |c: char| (c as u32) >= 0x2000 && !c.is_alphanumeric() && !c.is_whitespace();
        let prev = self.prev.replace(c);
        match c {
            '\u{80}'..='\u{9f}' => {
                self.violation(at, format!("C1 control U+{:04X}", c as u32));
            }
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                self.violation(at, format!("bidi control U+{:04X}", c as u32));
            }
            '\u{2028}' | '\u{2029}' => {
                self.violation(
                    at,
                    format!("line or paragraph separator U+{:04X}", c as u32),
                );
            }
            '\u{200d}' if !prev.is_some_and(pictograph) => {
                self.violation(at, format!("zero-width joiner after {prev:?}"));
            }
            _ => self.screen.print(c),
        }
    }
}

/// Describes the violations of a parsed output, with the bytes around
/// each, for a failure message.
pub fn describe(vt: &Vt, bytes: &[u8]) -> String {
    let mut out = format!(
        "{} suspicious things in {} bytes of output:\n",
        vt.violation_count,
        bytes.len()
    );
    for v in &vt.violations {
        let from = v.at.saturating_sub(24);
        let to = (v.at + 40).min(bytes.len());
        out.push_str(&format!(
            "  at {}: {} — around: {:?}\n",
            v.at,
            v.what,
            String::from_utf8_lossy(&bytes[from..to])
        ));
    }
    out.push_str(&format!("sequences used: {:?}\n", vt.sequences));
    out
}
