use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::open::{Shared, preview};
use super::*;
use crate::model::{Entry, Kind, Session, Template};

fn screen(app: &App, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| crate::ui::render(app, f)).expect("draw");
    t.backend().buffer().clone()
}

/// The preview's first frame is the full load's, cell for cell: the
/// placeholders are never drawn and every count is right.
#[test]
fn the_preview_draws_what_the_full_load_draws() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::new(dir.path());
    let t0: Stamp = "2011-05-19T10:00:00+06:00".parse().expect("stamp");
    let mut s = Session::from_template(&Template::builtin(), Some("Preview"), t0);
    for i in 0..3_000 {
        let kind = Kind::ALL[i % Kind::ALL.len()];
        let text = match i % 3 {
            0 => format!("Запись {i}: мигранттардың құқықтары #gender-equality"),
            1 => format!(
                "Entry {i}: a longer recommendation that wraps over more than one line of the entries pane on a narrow terminal, 日本語"
            ),
            _ => format!("Entry {i}"),
        };
        s.blocks[i % 3].entries.push(Entry::new(
            kind,
            text,
            Some("Айгерим Сарсенова".into()),
            t0.plus_seconds(i as i64),
        ));
    }
    // The third block was running when a process died.
    s.current_block = Some(s.blocks[2].id.clone());
    s.start_clock(t0);
    s.updated = t0.plus_seconds(3_000);
    let path = store.create(&s).expect("create");
    let draft = crate::model::Draft {
        session_id: s.id.clone(),
        entry_id: crate::model::new_id(),
        editing: false,
        kind: Kind::Recommendation,
        text: "R: a draft left by the killed process".into(),
        saved: t0.plus_seconds(3_100),
    };
    store::save_draft(&path, &draft).expect("draft");

    let now = t0.plus_seconds(4_000);
    for (w, h) in [(200u16, 50u16), (80, 24), (120, 40)] {
        let full = open_session(path.clone(), now).expect("open");
        let bytes = std::fs::read(&path).expect("read");
        let pre = preview(&path, &bytes, None, usize::from(h), now).expect("preview");
        assert_eq!(
            pre.session
                .blocks
                .iter()
                .map(|b| b.entries.len())
                .collect::<Vec<_>>(),
            full.app
                .session
                .blocks
                .iter()
                .map(|b| b.entries.len())
                .collect::<Vec<_>>()
        );
        assert_eq!(screen(&pre, w, h), screen(&full.app, w, h), "{w}×{h}");
        drop(full);
    }
    // Open in another rapporteur: the full load says read-only and
    // starts no clock; the preview hears the lock's answer and agrees.
    let other = store::acquire(&path).expect("lock");
    let full = open_session(path.clone(), now).expect("open");
    assert!(full.app.read_only.is_some());
    let bytes = std::fs::read(&path).expect("read");
    let pre = preview(&path, &bytes, full.app.read_only.clone(), 50, now).expect("preview");
    assert_eq!(
        screen(&pre, 200, 50),
        screen(&full.app, 200, 50),
        "read-only"
    );
    drop(other);

    // It parsed no more than it showed.
    let bytes = std::fs::read(&path).expect("read");
    let pre = preview(&path, &bytes, None, 10, now).expect("preview");
    let parsed = pre.session.blocks[2]
        .entries
        .iter()
        .filter(|e| !e.id.is_empty())
        .count();
    assert_eq!(parsed, 10);

    // The same from the first-screen record, through the hand-over
    // with the full load: with a record, the full load is held back
    // until the frame is drawn; without one, it reads at once and parses
    // once the frame is drawn.
    store::screen::write(
        &path,
        &store::screen::tail(store::load(&path).expect("load").session),
    );
    for (w, h) in [(200u16, 50u16), (80, 24), (120, 40)] {
        let full = open_session(path.clone(), now).expect("open");
        let (mut p, loader) = hand_over(&path, None);
        let pre = first_screen(&mut p, usize::from(h), now).expect("first screen");
        assert!(p.go.is_some(), "the full load waits for the frame");
        assert!(pre.session.blocks[2].unloaded > 0, "drawn from the record");
        assert_eq!(
            screen(&pre, w, h),
            screen(&full.app, w, h),
            "record {w}×{h}"
        );
        drop(p);
        assert!(loader.join().expect("loader"), "the full load went on");
    }
    let other = store::acquire(&path).expect("lock");
    let full = open_session(path.clone(), now).expect("open");
    let (mut p, loader) = hand_over(&path, full.app.read_only.clone());
    let pre = first_screen(&mut p, 50, now).expect("first screen");
    assert_eq!(
        screen(&pre, 200, 50),
        screen(&full.app, 200, 50),
        "record, read-only"
    );
    drop((p, other));
    assert!(loader.join().expect("loader"));
    // Without a usable record, the bytes: the full load is let go at
    // once, or this would wait forever.
    std::fs::write(store::screen::path_of(&path), b"{}").expect("spoil");
    let (mut p, loader) = hand_over(&path, None);
    let pre = first_screen(&mut p, 50, now).expect("first screen");
    assert_eq!(pre.session.blocks[2].unloaded, 0, "drawn from the file");
    drop(p);
    assert!(loader.join().expect("loader"));
}

/// A stand-in for the full load's side of the first frame: says the
/// lock's answer, waits for the go, sends the file, waits for the frame.
/// True when it got that far.
fn hand_over(
    path: &std::path::Path,
    read_only: Option<String>,
) -> (Preview, std::thread::JoinHandle<bool>) {
    let (tx, shared) = std::sync::mpsc::channel();
    let (go_tx, go) = std::sync::mpsc::channel::<()>();
    let file = path.to_path_buf();
    let loader = std::thread::spawn(move || {
        let share = Share { tx, go };
        let _ = share.tx.send(Shared::Locked(read_only));
        // A first frame that never lets it read fails the test here
        // (it gets no bytes) instead of hanging it.
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            share.go.recv_timeout(Duration::from_secs(10))
        {
            return false;
        }
        let bytes = std::sync::Arc::new(std::fs::read(&file).expect("read"));
        let _ = share.tx.send(Shared::Read(bytes));
        let _ = share.go.recv();
        true
    });
    let p = Preview {
        path: path.to_path_buf(),
        shared,
        go: Some(go_tx),
    };
    (p, loader)
}
