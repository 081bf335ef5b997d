use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;

use super::*;

fn fifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("path");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// Every kind of thing a hostile neighbour can plant at a name: a link
/// to a file of the user's, a dangling link, a FIFO with no writer and no
/// reader, a folder.
fn hostile(dir: &Path, name: &str) -> Vec<(&'static str, PathBuf)> {
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, b"precious").expect("victim");
    let mut out = Vec::new();
    for (what, sub) in [
        ("link", "l"),
        ("dangling link", "d"),
        ("fifo", "f"),
        ("folder", "s"),
    ] {
        let sub = dir.join(sub);
        std::fs::create_dir(&sub).expect("sub");
        let p = sub.join(name);
        match what {
            "link" => std::os::unix::fs::symlink(&victim, &p).expect("link"),
            "dangling link" => std::os::unix::fs::symlink(dir.join("nowhere"), &p).expect("link"),
            "fifo" => fifo(&p),
            _ => std::fs::create_dir(&p).expect("dir"),
        }
        out.push((what, p));
    }
    out
}

fn victim_intact(dir: &Path) {
    assert_eq!(
        std::fs::read(dir.join("victim.txt")).expect("victim"),
        b"precious"
    );
    assert!(
        !dir.join("nowhere").exists(),
        "a dangling link was followed"
    );
}

#[test]
fn every_write_refuses_what_is_not_a_regular_file_and_leaves_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (what, p) in hostile(tmp.path(), ".s.json.journal") {
        let (dir, name) = Dir::of(&p).expect("dir");
        let ops: [(&str, io::Result<()>); 7] = [
            ("write_atomic", dir.write_atomic(name, b"x")),
            ("write_quick", dir.write_quick(name, b"x")),
            ("append", dir.open_append(name).map(|_| ())),
            ("rw", dir.open_rw(name).map(|_| ())),
            ("truncate", dir.truncate(name)),
            ("read", dir.read(name, 10).map(|_| ())),
            ("remove", dir.remove(name).map(|_| ())),
        ];
        for (op, r) in ops {
            let e = r.expect_err(&format!("{op} through a {what}"));
            let refused = NotOurs::of(&e).unwrap_or_else(|| panic!("{op} on a {what}: {e}"));
            assert!(!refused.what.is_empty());
        }
        let meta = std::fs::symlink_metadata(&p).expect("still there");
        match what {
            "link" | "dangling link" => assert!(meta.file_type().is_symlink()),
            "fifo" => assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type())),
            _ => assert!(meta.is_dir()),
        }
        // No temporary file is left behind by a refused write.
        let left: Vec<_> = std::fs::read_dir(p.parent().expect("parent"))
            .expect("ls")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
    victim_intact(tmp.path());
}

#[test]
fn writes_are_private_whatever_the_umask_and_replace_only_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = tmp.path().join("a.json");
    // SAFETY: umask only changes this process's creation mask.
    let old = unsafe { libc::umask(0) };
    write_atomic(&p, b"one").expect("write");
    let (dir, name) = Dir::of(&p).expect("dir");
    let (_, created) = dir
        .open_append(OsStr::new(".a.json.journal"))
        .expect("append");
    unsafe { libc::umask(old) };
    assert!(created);
    for f in [p.clone(), tmp.path().join(".a.json.journal")] {
        let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
    write_atomic(&p, b"two").expect("replace");
    assert_eq!(std::fs::read(&p).expect("read"), b"two");
    let e = write_new(&p, b"three").expect_err("exists");
    assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read(&p).expect("read"), b"two");
    assert!(name == "a.json");
}

#[test]
fn names_never_leave_the_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = Dir::open(tmp.path()).expect("dir");
    for bad in ["..", ".", "a/b", "", "../x"] {
        assert!(dir.write_atomic(OsStr::new(bad), b"x").is_err(), "{bad:?}");
        assert!(dir.sub(OsStr::new(bad)).is_err(), "{bad:?}");
    }
}

#[test]
fn a_sub_folder_is_never_reached_through_a_link() {
    let tmp = tempfile::tempdir().expect("tmp");
    let outside = tempfile::tempdir().expect("outside");
    std::os::unix::fs::symlink(outside.path(), tmp.path().join("trash")).expect("link");
    let dir = Dir::open(tmp.path()).expect("dir");
    let e = dir.sub_create(OsStr::new("trash")).expect_err("link");
    assert_eq!(NotOurs::of(&e).map(|n| n.what), Some("a symbolic link"));
    let made = dir.sub_create(OsStr::new("exports")).expect("made");
    let mode = std::fs::metadata(made.path())
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn a_folder_lists_the_same_names_every_time() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("a"), b"a").expect("a");
    let dir = Dir::open(tmp.path()).expect("dir");
    assert_eq!(dir.names().expect("names"), vec![OsString::from("a")]);
    assert_eq!(dir.names().expect("names"), vec![OsString::from("a")]);
}

#[test]
fn move_to_never_replaces() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = Dir::open(tmp.path()).expect("dir");
    std::fs::write(tmp.path().join("a"), b"a").expect("a");
    std::fs::write(tmp.path().join("b"), b"b").expect("b");
    assert!(dir.move_to(OsStr::new("a"), &dir, OsStr::new("b")).is_err());
    assert_eq!(std::fs::read(tmp.path().join("b")).expect("b"), b"b");
    assert!(
        dir.move_to(OsStr::new("a"), &dir, OsStr::new("c"))
            .expect("moved")
    );
    assert!(
        !dir.move_to(OsStr::new("a"), &dir, OsStr::new("d"))
            .expect("gone")
    );
}

#[test]
fn the_summary_cache_is_never_written_through_a_planted_link_or_fifo() {
    use crate::model::{Session, Stamp, Template};
    let later = || std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    // Without a plant, this listing writes the cache: the cases below do
    // reach the write.
    let tmp = tempfile::tempdir().expect("tmp");
    let store = crate::store::Store::new(tmp.path().join("s"));
    let s = Session::from_template(&Template::builtin(), Some("Cached"), Stamp::now());
    store.create(&s).expect("create");
    store.list_at(later()).expect("list");
    assert!(crate::store::index::path_in(store.dir()).is_file());
    for plant in ["link", "dangling", "fifo"] {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = crate::store::Store::new(tmp.path().join("s"));
        let s = Session::from_template(&Template::builtin(), Some("Cached"), Stamp::now());
        store.create(&s).expect("create");
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, b"precious").expect("victim");
        let at = crate::store::index::path_in(store.dir());
        match plant {
            "link" => std::os::unix::fs::symlink(&victim, &at).expect("link"),
            "dangling" => {
                std::os::unix::fs::symlink(tmp.path().join("nowhere"), &at).expect("link")
            }
            _ => fifo(&at),
        }
        // Late enough that the file has settled: the cache is written.
        let listing = store.list_at(later()).expect("list");
        assert_eq!(listing.sessions.len(), 1, "{plant}");
        let meta = std::fs::symlink_metadata(&at).expect("still there");
        assert!(!meta.is_file(), "{plant}: replaced by a regular file");
        victim_intact(tmp.path());
    }
}
