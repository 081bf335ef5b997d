//! The capture screen, in tmux, with a link, a dangling link or a FIFO
//! planted at the draft's and the journal's names while it runs, and at the
//! lock's name before it opens: typing, saving and quitting never write
//! through the planted file, never hang on it, and leave it as it was.
//! See `support/tmux.rs` (skips without tmux, fails on CI).

#[path = "support/tmux.rs"]
mod tmux;

use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use tmux::{Tmux, entry_texts, read_json, shell_quote, sidecar};

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().expect("utf8")).expect("c");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[test]
fn typing_and_quitting_never_write_through_or_wait_on_planted_sidecars() {
    for plant in ["link", "dangling", "fifo"] {
        let Some(t) = Tmux::start(&format!("side-{plant}")) else {
            return;
        };
        let script = format!(
            "{} new --title Planted; echo EXITED:$?; sleep 60",
            shell_quote(tmux::bin())
        );
        t.spawn_shell("main", &script);
        t.wait_ready("main");
        t.type_text("main", "first entry");
        t.keys("main", &["Enter"]);
        t.wait_text("main", &["Entries (1)"]);
        let file = t.session_file();
        let victim = t.sessions_dir().join("victim.txt");
        fs::write(&victim, b"the user's own file\n").expect("victim");
        let planted = [sidecar(&file, "draft"), sidecar(&file, "journal")];
        for p in &planted {
            let _ = fs::remove_file(p);
            match plant {
                "link" => std::os::unix::fs::symlink(&victim, p).expect("link"),
                "dangling" => {
                    std::os::unix::fs::symlink(victim.with_extension("gone"), p).expect("link")
                }
                _ => mkfifo(p),
            }
        }
        // A draft (saved to the planted draft name, which must fail), then
        // an entry (the session file is ours: it must land).
        t.type_text("main", "second entry");
        t.keys("main", &["Enter"]);
        t.wait_text("main", &["Entries (2)"]);
        t.type_text("main", "left in the editor");
        t.wait_text("main", &["left in the editor"]);
        t.keys("main", &["C-q"]);
        // A failed draft save asks before quitting; answer yes.
        let screen = t.wait_screen("main", "the app to quit or ask", |s| {
            s.contains("EXITED:") || s.contains("Unsaved changes")
        });
        if screen.contains("Unsaved changes") {
            t.keys("main", &["y"]);
            t.wait_text("main", &["EXITED:"]);
        }
        assert_eq!(t.display("main", "#{alternate_on}"), "0");
        let got = entry_texts(&read_json(&file));
        assert!(
            got.contains(&"second entry".to_string()),
            "{plant}: {got:?}"
        );
        for p in &planted {
            let meta = fs::symlink_metadata(p).expect("still there");
            match plant {
                "fifo" => assert!(meta.file_type().is_fifo(), "{plant}: {p:?}"),
                _ => assert!(meta.file_type().is_symlink(), "{plant}: {p:?}"),
            }
        }
        assert_eq!(fs::read(&victim).expect("victim"), b"the user's own file\n");
        assert!(
            !victim.with_extension("gone").exists(),
            "{plant}: a dangling link was followed"
        );
    }
}

#[test]
fn a_link_at_the_lock_opens_read_only_and_writes_nothing() {
    let Some(t) = Tmux::start("side-lock") else {
        return;
    };
    let out = std::process::Command::new(tmux::bin())
        .args(["new", "--no-open", "--title", "Locked out"])
        .env("RAPPORTEUR_SESSIONS_DIR", t.sessions_dir())
        .output()
        .expect("new");
    assert!(out.status.success());
    let file = t.session_file();
    let before = fs::read(&file).expect("read");
    let victim = t.sessions_dir().join("victim.txt");
    fs::write(&victim, b"the user's own file\n").expect("victim");
    let lock = sidecar(&file, "lock");
    std::os::unix::fs::symlink(&victim, &lock).expect("link");
    let script = format!(
        "{} open {}; echo EXITED:$?; sleep 60",
        shell_quote(tmux::bin()),
        shell_quote(file.to_str().expect("utf8"))
    );
    t.spawn_shell("main", &script);
    t.wait_text("main", &["READ-ONLY", "symbolic link"]);
    t.type_text("main", "not recorded");
    t.keys("main", &["Enter", "C-q"]);
    // Read-only: the typed text cannot be kept, and quitting says so.
    t.wait_text("main", &["Unsaved changes", "read-only"]);
    t.keys("main", &["y"]);
    t.wait_text("main", &["EXITED:"]);
    assert_eq!(fs::read(&file).expect("read"), before);
    assert_eq!(fs::read(&victim).expect("victim"), b"the user's own file\n");
    assert!(
        fs::symlink_metadata(&lock)
            .expect("lock")
            .file_type()
            .is_symlink()
    );
}
