//! Entering and leaving the terminal's interactive mode. Everything turned
//! on here is turned off in `restore`, which runs on every exit path:
//! normal return, error, panic and signal.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, KeyboardEnhancementFlags,
    PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
    supports_keyboard_enhancement,
};
use ratatui::crossterm::{cursor, execute};

use super::signals::Signals;

/// Buffered: a frame goes out in a few writes instead of one per cell
/// run; ratatui flushes after every draw.
pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static KEYBOARD_FLAGS: AtomicBool = AtomicBool::new(false);

/// Owns the interactive terminal; dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Term,
    /// The signals that end the program. Listened to from before raw mode
    /// is on until the program ends: one that comes between two screens
    /// (while a session loads) waits here for the next loop.
    pub signals: Signals,
}

impl TerminalGuard {
    /// Must be called inside the tokio runtime (for the signals).
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        let signals = Signals::listen();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
        let terminal = Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
            64 * 1024,
            io::stdout(),
        )))?;
        Ok(TerminalGuard { terminal, signals })
    }

    /// Asks the terminal for unambiguous key codes, where it says it
    /// understands them: leftover flags have broken users' shells in other
    /// programs. The question waits for the terminal's answer, so it is
    /// asked after the first frame; keys typed meanwhile are kept.
    pub fn enhance_keys(&mut self) {
        if KEYBOARD_FLAGS.load(Ordering::SeqCst) || !ACTIVE.load(Ordering::SeqCst) {
            return;
        }
        if matches!(supports_keyboard_enhancement(), Ok(true))
            && execute!(
                io::stdout(),
                PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
            )
            .is_ok()
        {
            KEYBOARD_FLAGS.store(true, Ordering::SeqCst);
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as we found it. Safe to call twice.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if KEYBOARD_FLAGS.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The saver thread catches its own panics and reports them as a
        // failed save in the header; printing over the screen would only
        // garble it.
        if std::thread::current().name() == Some(crate::store::saver::THREAD) {
            return;
        }
        restore();
        super::save_draft_on_panic();
        previous(info);
    }));
}

pub fn bell() {
    let mut out = io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}
