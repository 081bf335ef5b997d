//! End-to-end flows of the facilitator's side and of review, in tmux:
//! setup with participants then @ completion; the room view following
//! another process; home → search → open the hit.

#[path = "support/tmux.rs"]
mod tmux;

use std::process::Command;
use std::time::{Duration, Instant};

use tmux::{Tmux, read_json, shell_quote};

fn rapporteur(t: &Tmux, args: &[&str]) -> std::process::Output {
    Command::new(tmux::bin())
        .arg("--sessions-dir")
        .arg(t.sessions_dir())
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run rapporteur")
}

#[test]
fn setup_with_two_participants_then_at_completion() {
    let Some(t) = Tmux::start("setup") else {
        return;
    };
    let script = format!("{} new; echo EXITED:$?; sleep 60", shell_quote(tmux::bin()));
    t.spawn_shell("main", &script);
    t.wait_text("main", &["Session setup", "[ Start ]"]);
    // Tab from Start wraps to the title: give it one.
    t.keys("main", &["Tab"]);
    for _ in 0..60 {
        t.keys("main", &["BSpace"]);
    }
    t.type_text("main", "Семинар по проекту закона");
    // Six more Tabs reach the participants list.
    for _ in 0..6 {
        t.keys("main", &["Tab"]);
    }
    t.wait_text("main", &["Participants (0)", "a add"]);
    t.keys("main", &["a"]);
    t.type_text("main", "Айгерим Сарсенова, Majilis");
    t.keys("main", &["Enter"]);
    t.wait_text("main", &["Participants (1)"]);
    t.keys("main", &["a"]);
    t.type_text("main", "John Smith, ILO");
    t.keys("main", &["Enter"]);
    t.wait_text("main", &["Participants (2)", "John Smith — ILO"]);
    // On to Start: agenda, template, save as template, bell, Start.
    for _ in 0..5 {
        t.keys("main", &["Tab"]);
    }
    t.keys("main", &["Enter"]);
    t.wait_text("main", &["Block 1 of 5"]);

    t.type_text("main", "R: @айг");
    t.keys("main", &["Tab"]);
    t.wait_text("main", &["@Айгерим Сарсенова"]);
    t.type_text("main", "ратифицировать конвенцию");
    t.keys("main", &["Enter"]);
    t.wait_text(
        "main",
        &["Entries (1)", "Айгерим Сарсенова: ратифицировать"],
    );
    t.type_text("main", "@Joh");
    t.keys("main", &["Tab"]);
    t.type_text("main", "agrees");
    t.keys("main", &["Enter"]);
    t.wait_text("main", &["Entries (2)", "John Smith: agrees"]);
    t.keys("main", &["C-q"]);
    t.wait_text("main", &["EXITED:0"]);

    let v = read_json(&t.session_file());
    assert_eq!(v["title"], "Семинар по проекту закона");
    assert_eq!(v["participants"].as_array().unwrap().len(), 2);
    let e = &v["blocks"][0]["entries"];
    assert_eq!(e[0]["speaker"], "Айгерим Сарсенова");
    assert_eq!(e[0]["kind"], "recommendation");
    assert_eq!(e[0]["text"], "ратифицировать конвенцию");
    assert_eq!(e[1]["speaker"], "John Smith");
    assert_eq!(e[1]["text"], "agrees");
    // Block 1's clock ran while the entries were typed.
    assert!(!v["blocks"][0]["runs"].as_array().unwrap().is_empty());
}

#[test]
fn room_view_follows_another_process_and_survives_bad_states() {
    let Some(t) = Tmux::start("room") else {
        return;
    };
    let out = rapporteur(&t, &["new", "--title", "Room", "--no-open"]);
    assert!(out.status.success());
    let id = String::from_utf8_lossy(&out.stdout)
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let path = t.session_file();
    t.spawn_sized(
        "room",
        100,
        30,
        &[
            "--sessions-dir",
            t.sessions_dir().to_str().unwrap(),
            "present",
            &id,
        ],
    );
    t.wait_text(
        "room",
        &[
            "Protection of migrants' rights",
            "Recommendations so far (0)",
        ],
    );

    // Another process appends a recommendation: an atomic rename.
    let started = Instant::now();
    let out = rapporteur(&t, &["note", &id, "R: Ратифицировать конвенцию 1990 года"]);
    assert!(out.status.success(), "{out:?}");
    t.wait_text(
        "room",
        &["Recommendations so far (1)", "1. Ратифицировать конвенцию"],
    );
    let seen = started.elapsed();
    assert!(seen < Duration::from_secs(5), "picked up after {seen:?}");
    // Speakers never reach the room.
    let out = rapporteur(
        &t,
        &["note", &id, "R: @Secret Speaker hold a second reading"],
    );
    assert!(out.status.success());
    let screen = t.wait_text(
        "room",
        &["Recommendations so far (2)", "hold a second reading"],
    );
    assert!(!screen.contains("Secret Speaker"), "{screen}");

    // A half-written file: the last good view stays, with a warning.
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    t.wait_text("room", &["⚠", "Recommendations so far (2)"]);
    // Repaired.
    std::fs::write(&path, &good).unwrap();
    t.wait_screen("room", "the warning to go", |s| {
        !s.contains('⚠') && s.contains("Recommendations so far (2)")
    });
    // Deleted: the view stays, and says so.
    std::fs::rename(&path, path.with_extension("away")).unwrap();
    t.wait_text("room", &["gone", "Recommendations so far (2)"]);
    std::fs::rename(path.with_extension("away"), &path).unwrap();
    t.wait_screen("room", "the file to be back", |s| !s.contains("gone"));
    // It never wrote: the bytes are those we put back.
    assert_eq!(std::fs::read(&path).unwrap(), good);
    t.keys("room", &["q"]);
    tmux::poll(Duration::from_secs(10), || {
        t.try_run(&["has-session", "-t", "room"])
            .is_err()
            .then_some(())
    })
    .expect("q quits the room view");
}

#[test]
fn home_search_open_the_hit() {
    let Some(t) = Tmux::start("home") else {
        return;
    };
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sessions/2011-05-19-expert-workshop-on-the-draft-migration-law.json"
    );
    std::fs::copy(example, t.sessions_dir().join("example.json")).unwrap();
    let out = rapporteur(&t, &["new", "--title", "Another workshop", "--no-open"]);
    assert!(out.status.success());
    let script = format!(
        "{} --sessions-dir {}; echo EXITED:$?; sleep 60",
        shell_quote(tmux::bin()),
        shell_quote(t.sessions_dir().to_str().unwrap())
    );
    t.spawn_shell("main", &script);
    t.wait_text("main", &["2 sessions", "Another workshop", "[ended]"]);
    t.keys("main", &["/"]);
    t.type_text("main", "РАТИФИЦИРОВАТЬ");
    t.wait_text("main", &["1 matches", "Рекомендуется ратифицировать"]);
    t.keys("main", &["Enter"]);
    let screen = t.wait_text("main", &["Review · Expert workshop", "Ольга Ким"]);
    assert!(screen.contains("Рекомендуется ратифицировать"), "{screen}");
    // Back home, and out.
    t.keys("main", &["C-q"]);
    t.wait_text("main", &["rapporteur · search"]);
    t.keys("main", &["C-q"]);
    t.wait_text("main", &["EXITED:0"]);
}

/// A long session closed and opened again: the saver keeps the
/// first-screen record up to date while the session is open (private,
/// with the real counts), the next open shows the same screen and goes on
/// from it, and the record never stands in for the file.
#[test]
fn a_long_session_reopens_from_its_first_screen_record() {
    use std::os::unix::fs::PermissionsExt;

    use rapporteur::model::{Entry, Kind, Session, Stamp, Template};

    let Some(t) = Tmux::start("record") else {
        return;
    };
    let t0: Stamp = "2011-05-19T10:00:00+06:00".parse().unwrap();
    let mut s = Session::from_template(&Template::builtin(), Some("Долгая сессия"), t0);
    for i in 0..1_200 {
        s.blocks[0].entries.push(Entry::new(
            Kind::ALL[i % Kind::ALL.len()],
            format!("Запись {i}: мигранттардың құқықтары"),
            Some("Айгерим Сарсенова".into()),
            t0.plus_seconds(i as i64),
        ));
    }
    let file = rapporteur::store::Store::new(t.sessions_dir())
        .create(&s)
        .unwrap();
    let record = tmux::sidecar(&file, "screen");
    let open = format!(
        "{} --sessions-dir {} open {}; echo EXITED:$?; sleep 60",
        shell_quote(tmux::bin()),
        shell_quote(t.sessions_dir().to_str().unwrap()),
        s.id
    );
    let counts = |record: &std::path::Path| -> Vec<u64> {
        read_json(record)["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect()
    };

    t.spawn_shell("one", &open);
    t.wait_text("one", &["Entries (1200)", "earlier entries", "Запись 1199"]);
    t.type_text("one", "N: первое после открытия");
    t.keys("one", &["Enter"]);
    t.wait_text("one", &["Entries (1201)", "первое после открытия"]);
    t.keys("one", &["C-q"]);
    t.wait_text("one", &["EXITED:0"]);
    let mode = std::fs::metadata(&record).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(counts(&record), vec![1201, 0, 0, 0, 0]);

    t.spawn_shell("two", &open);
    t.wait_text(
        "two",
        &["Entries (1201)", "earlier entries", "первое после открытия"],
    );
    t.type_text("two", "N: второе");
    t.keys("two", &["Enter"]);
    t.wait_text("two", &["Entries (1202)", "второе"]);
    // Kept by the saver as it goes, not only on the way out.
    assert!(
        tmux::wait_for(
            || record.exists() && counts(&record) == vec![1202, 0, 0, 0, 0],
            Duration::from_secs(10)
        ),
        "the record follows the journal"
    );
    t.keys("two", &["C-q"]);
    t.wait_text("two", &["EXITED:0"]);
    assert_eq!(counts(&record), vec![1202, 0, 0, 0, 0]);
    // Everything is in the session itself.
    let shown = rapporteur(&t, &["show", &s.id]);
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("первое после открытия"), "{shown}");
    assert!(shown.contains("второе"), "{shown}");
    assert!(shown.contains("Запись 0:"), "{shown}");

    // A note from the command line changes the file, and records it.
    let out = rapporteur(&t, &["note", &s.id, "с командной строки"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(counts(&record), vec![1203, 0, 0, 0, 0]);
    // Another tool's change: the record no longer matches, and the next
    // screen has the change all the same.
    let mut v = read_json(&file);
    v["title"] = "Переименовано".into();
    std::fs::write(&file, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    t.spawn_shell("three", &open);
    t.wait_text(
        "three",
        &["Переименовано", "Entries (1203)", "с командной строки"],
    );
    t.keys("three", &["C-q"]);
    t.wait_text("three", &["EXITED:0"]);
    assert_eq!(counts(&record), vec![1203, 0, 0, 0, 0]);
}
