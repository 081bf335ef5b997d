use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::model::{Entry, Template};

fn session(title: &str) -> Session {
    Session::from_template(&Template::builtin(), Some(title), Stamp::now())
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn slugs_are_safe() {
    for (title, want) in [
        ("Expert workshop: draft law", "expert-workshop-draft-law"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "session"),
        ("", "session"),
        ("   ", "session"),
        ("/", "session"),
        (".hidden", "hidden"),
        ("a\u{0}b\u{1b}[2Jc", "a-b-2jc"),
        ("Семинар по Закону", "семинар-по-закону"),
        ("Қазақстан ӘҒ", "қазақстан-әғ"),
        ("right\u{202e}gpj.exe", "right-gpj-exe"),
        ("emoji 🎉 party", "emoji-party"),
        ("NUL\\CON|<>", "nul-con"),
    ] {
        assert_eq!(slug(title), want, "{title:?}");
    }
    let long = "x".repeat(10_000);
    assert_eq!(slug(&long).chars().count(), 60);
    // Combining marks alone cannot make a name.
    assert_eq!(slug(&"\u{301}".repeat(10_000)), "session");
}

#[test]
fn create_names_from_date_and_title_and_never_collides() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("s"));
    let mut a = session("Workshop");
    a.date = Some("2011-05-19".parse().unwrap());
    let p1 = store.create(&a).unwrap();
    let p2 = store.create(&a).unwrap();
    assert_eq!(p1.file_name().unwrap(), "2011-05-19-workshop.json");
    assert_eq!(p2.file_name().unwrap(), "2011-05-19-workshop-2.json");
    let hostile = session("../../../../tmp/evil");
    let p3 = store.create(&hostile).unwrap();
    assert_eq!(p3.parent().unwrap(), store.dir());
}

#[test]
fn private_permissions_under_umask_000() {
    // umask is process-wide; this test only creates, and asserts modes
    // that hold under any umask.
    let old = unsafe { libc::umask(0) };
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("a/b/sessions"));
    let path = store.create(&session("x")).unwrap();
    save(&path, &session("x")).unwrap();
    let lock = acquire(&path).unwrap();
    let draft = crate::model::Draft {
        session_id: "x".into(),
        entry_id: "y".into(),
        editing: false,
        kind: Kind::Note,
        text: "t".into(),
        saved: Stamp::now(),
    };
    save_draft(&path, &draft).unwrap();
    unsafe { libc::umask(old) };
    assert_eq!(mode(store.dir()), 0o700);
    assert_eq!(mode(&dir.path().join("a")), 0o700);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(lock.path()), 0o600);
    assert_eq!(mode(&draft_path(&path)), 0o600);
}

#[test]
fn save_then_load_and_no_temp_files_left() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut s = session("Round trip");
    let path = store.create(&s).unwrap();
    s.blocks[0].entries.push(Entry::new(
        Kind::Note,
        "Привет 👋 әғқңөұүһі 日本",
        None,
        Stamp::now(),
    ));
    save(&path, &s).unwrap();
    let loaded = load(&path).unwrap();
    assert_eq!(loaded.session, s);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn lock_contention_names_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let path = store.create(&session("locked")).unwrap();
    let first = acquire(&path).unwrap();
    let err = acquire(&path).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Locked { .. }), "{msg}");
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    assert!(is_locked(&path).is_some());
    drop(first);
    assert!(is_locked(&path).is_none());
    acquire(&path).unwrap();
}

#[test]
fn newer_versions_are_read_only_and_never_saved() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("new.json");
    let mut v = serde_json::to_value(session("n")).unwrap();
    v["schema_version"] = 2.into();
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    let loaded = load(&p).unwrap();
    assert_eq!(loaded.newer_version, Some(2));
    let before = std::fs::read(&p).unwrap();
    assert!(matches!(
        save(&p, &loaded.session),
        Err(StoreError::ReadOnly { .. })
    ));
    assert_eq!(std::fs::read(&p).unwrap(), before);
    // A newer file of another shape is a version error, not a shape error.
    std::fs::write(&p, br#"{"schema_version": 7, "id": 5}"#).unwrap();
    assert!(matches!(load(&p), Err(LoadError::Version { .. })));
    std::fs::write(&p, br#"{"schema_version": -1, "id": "x"}"#).unwrap();
    assert!(matches!(load(&p), Err(LoadError::Version { .. })));
}

#[test]
fn bad_files_are_reported_with_position_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    store.create(&session("good")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.json", vec![]),
        (
            "trunc.json",
            b"{\"schema_version\": 1, \"id\": \"ab".to_vec(),
        ),
        (
            "utf8.json",
            b"{\"schema_version\": 1, \"id\": \"\xff\xfe\"}".to_vec(),
        ),
        ("shape.json", b"[1, 2, 3]".to_vec()),
        ("types.json", br#"{"schema_version": 1, "id": 7}"#.to_vec()),
        (
            "surrogate.json",
            br#"{"schema_version": 1, "id": "\ud800"}"#.to_vec(),
        ),
    ];
    for (name, bytes) in &cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let listing = store.list().unwrap();
    assert_eq!(listing.sessions.len(), 1);
    assert_eq!(listing.bad.len(), cases.len());
    for e in &listing.bad {
        let msg = e.to_string();
        assert!(msg.contains(".json"), "{msg}");
        if matches!(e, LoadError::Syntax { .. } | LoadError::Shape { .. }) {
            assert!(msg.contains("line "), "{msg}");
        }
    }
    for (name, bytes) in &cases {
        assert_eq!(&std::fs::read(dir.path().join(name)).unwrap(), bytes);
    }
}

#[test]
fn bom_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bom.json");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(serde_json::to_vec(&session("bom")).unwrap());
    std::fs::write(&p, bytes).unwrap();
    assert!(load(&p).is_ok());
}

#[test]
fn resolve_by_id_prefix_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut a = session("a");
    a.id = "abc123".into();
    let mut b = session("b");
    b.id = "abd456".into();
    let pa = store.create(&a).unwrap();
    store.create(&b).unwrap();
    assert_eq!(store.resolve("abc123").unwrap(), pa);
    assert_eq!(store.resolve("abc").unwrap(), pa);
    assert!(matches!(
        store.resolve("ab"),
        Err(StoreError::Ambiguous { .. })
    ));
    assert!(matches!(
        store.resolve("zzz"),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.resolve(pa.to_str().unwrap()).unwrap(), pa);
}

#[test]
fn refuses_folders_fifos_and_links_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("s"));
    store.ensure().unwrap();
    std::fs::create_dir(store.dir().join("dir.json")).unwrap();
    let fifo = store.dir().join("fifo.json");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let outside = dir.path().join("outside.json");
    std::fs::write(&outside, serde_json::to_vec(&session("o")).unwrap()).unwrap();
    std::os::unix::fs::symlink(&outside, store.dir().join("link.json")).unwrap();
    let listing = store.list().unwrap();
    assert_eq!(listing.sessions.len(), 0);
    assert_eq!(listing.bad.len(), 3, "{:?}", listing.bad);
}

/// As if the listing ran an hour from now, when every file has settled.
fn later() -> std::time::SystemTime {
    std::time::SystemTime::now() + std::time::Duration::from_secs(3600)
}

#[test]
fn summary_cache_is_used_only_while_the_file_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let p = store.create(&session("Original")).unwrap();
    let first = store.list_at(later()).unwrap();
    assert_eq!(first.sessions[0].title, "Original");
    let cache = index::path_in(dir.path());
    assert_eq!(mode(&cache), 0o600);

    // The cache is what answers while the file is untouched: a title
    // planted in it shows. (Nobody does this; it proves the hit.)
    let planted = std::fs::read_to_string(&cache)
        .unwrap()
        .replace("\"Original\"", "\"From the cache\"");
    std::fs::write(&cache, planted).unwrap();
    assert_eq!(
        store.list_at(later()).unwrap().sessions[0].title,
        "From the cache"
    );
    assert_eq!(
        store.resolve(&first.sessions[0].id).unwrap(),
        p,
        "ids come from the cache too"
    );

    // Any save changes the file's change time: the file is read again.
    let mut s = load(&p).unwrap().session;
    s.title = "Saved since".into();
    save(&p, &s).unwrap();
    assert_eq!(
        store.list_at(later()).unwrap().sessions[0].title,
        "Saved since"
    );

    // So does a journal line: the count follows.
    let before = store.list_at(later()).unwrap().sessions[0].entries;
    journal::append(
        &p,
        &journal::Owner::of(&s),
        &[journal::Record {
            seq: 1,
            at: Stamp::now(),
            owner: None,
            op: journal::Op::Add {
                block: s.blocks[0].id.clone(),
                entry: Entry::new(crate::model::Kind::Note, "via journal", None, Stamp::now()),
            },
        }],
    )
    .unwrap();
    assert_eq!(
        store.list_at(later()).unwrap().sessions[0].entries,
        before + 1
    );
}

#[test]
fn summary_cache_skips_unsettled_files_and_survives_damage() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let p = store.create(&session("Fresh")).unwrap();
    // Listed right after it was written: too young to be cached.
    store.list().unwrap();
    let cache = index::path_in(dir.path());
    let text = std::fs::read_to_string(&cache).unwrap_or_default();
    assert!(!text.contains("Fresh"), "{text}");

    for junk in [
        &b"{not json"[..],
        b"",
        b"[1,2]",
        b"\xff\xfe",
        br#"{"version":99,"sessions":{}}"#,
    ] {
        std::fs::write(&cache, junk).unwrap();
        let l = store.list_at(later()).unwrap();
        assert_eq!(l.sessions.len(), 1);
        assert_eq!(l.sessions[0].title, "Fresh");
        assert!(l.bad.is_empty());
    }

    // A session gone is gone from the listing and from the cache.
    std::fs::remove_file(&p).unwrap();
    assert!(store.list_at(later()).unwrap().sessions.is_empty());
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(!text.contains("Fresh"), "{text}");
}

#[test]
fn summary_cache_never_hides_a_file_replaced_under_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let p = store.create(&session("First")).unwrap();
    store.list_at(later()).unwrap();
    // Another tool writes a different session under the same name.
    let mut other = session("Second");
    other.id = "other-id".into();
    let bytes = to_bytes(&other).unwrap();
    std::fs::write(&p, bytes).unwrap();
    let l = store.list_at(later()).unwrap();
    assert_eq!(l.sessions[0].title, "Second");
    assert_eq!(l.sessions[0].id, "other-id");
    // And a file that turns bad is reported, not served from the cache.
    std::fs::write(&p, b"{\"schema_version\": 1, \"id\": ").unwrap();
    let l = store.list_at(later()).unwrap();
    assert!(l.sessions.is_empty());
    assert_eq!(l.bad.len(), 1);
}
