//! The tmux harness itself (tests/support/tmux.rs): many servers started
//! at once, from this binary and from others running beside it, all come
//! up on sockets of their own; and a missing tmux skips with a reason,
//! except under CI=true, where it fails.
//!
//! To see it hold under load, run this binary twice at once beside a busy
//! loop (see docs/RELIABILITY.md, "Block clocks and the tmux harness").

#[path = "support/tmux.rs"]
mod tmux;

use std::collections::HashSet;
use std::process::Command;

use tmux::Tmux;

/// Servers started at the same moment, each from its own thread.
const SERVERS: usize = 16;

#[test]
fn many_servers_at_once_each_on_its_own_socket() {
    let Some(probe) = Tmux::start("probe") else {
        return;
    };
    drop(probe);
    let barrier = std::sync::Barrier::new(SERVERS);
    let sockets: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..SERVERS)
            .map(|i| {
                let barrier = &barrier;
                s.spawn(move || {
                    let t = Tmux::start(&format!("many-{i}")).expect("tmux is there");
                    barrier.wait();
                    t.spawn_shell("sh", &format!("echo ready-{i}; sleep 30"));
                    t.wait_text("sh", &[&format!("ready-{i}")]);
                    t.type_text("sh", "typed");
                    t.wait_text("sh", &["typed"]);
                    let path = t.socket_path();
                    assert!(
                        path.starts_with(t.sessions_dir().parent().expect("root")),
                        "{} is not in the test's own folder",
                        path.display()
                    );
                    assert!(path.as_os_str().len() < 104, "{}", path.display());
                    path.display().to_string()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("server thread"))
            .collect()
    });
    let unique: HashSet<_> = sockets.iter().collect();
    assert_eq!(unique.len(), SERVERS, "{sockets:?}");
}

#[test]
fn the_server_gets_the_tests_home_and_its_own_socket() {
    let Some(t) = Tmux::start("env") else {
        return;
    };
    // Inside a pane TMUX names the pane's own server: this one's, never
    // the tmux the tests were started from.
    t.spawn_shell("sh", "echo \"H=$HOME T=$TMUX\"; sleep 30");
    let root = t
        .sessions_dir()
        .parent()
        .expect("root")
        .display()
        .to_string();
    let socket = t.socket_path().display().to_string();
    t.wait_text("sh", &[&format!("H={root} "), &format!("T={socket},")]);
}

/// Run in a child with no tmux on PATH: what `Tmux::start` does then.
#[test]
fn child_without_tmux() {
    if std::env::var_os("TMUX_HARNESS_CHILD").is_none() {
        return;
    }
    assert!(Tmux::start("missing").is_none());
}

fn run_child(ci: Option<&str>) -> std::process::Output {
    let mut c = Command::new(std::env::current_exe().expect("this test binary"));
    c.args([
        "--exact",
        "child_without_tmux",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("TMUX_HARNESS_CHILD", "1")
    .env("PATH", "/nonexistent");
    match ci {
        Some(v) => c.env("CI", v),
        None => c.env_remove("CI"),
    };
    c.output().expect("run this test binary again")
}

#[test]
fn missing_tmux_skips_with_a_reason_but_fails_under_ci() {
    let out = run_child(None);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(all.contains("skipping: tmux not installed"), "{all}");

    let out = run_child(Some("true"));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("tmux is not installed, but CI=true"), "{all}");
}
