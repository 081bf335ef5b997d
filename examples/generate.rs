//! Generates realistic session files for benchmarks and load tests.
//!
//! cargo run --release --example generate -- DIR SESSIONS ENTRIES [OPTIONS]
//!
//! Writes SESSIONS files of ENTRIES entries each into DIR, with the
//! built-in agenda, several speakers, and text in English, Russian and
//! Kazakh. The same arguments always give the same files (a fixed seed),
//! so runs can be compared.
//!
//! Options, for comparing with other tools on the same data
//! (`benches/compare.sh`): the entries of the first session, each
//! "Speaker: text", in the formats of the peers:
//!
//!   --jrnl FILE      a jrnl journal (plain text, jrnl's default timeformat)
//!   --tjournal FILE  a tui-journal JSON back-end file
//!
//! A folder it writes also gets a hidden `.generator` file naming the
//! generator's version; `generate --stamp` prints the current one, so kept
//! data sets can be made again when the generator changes.
//!
//! The sessions themselves come from `benches/support/data.rs`, which the
//! criterion benches use too, so both measure the same data.

use std::path::PathBuf;
use std::process::exit;

#[path = "../benches/support/data.rs"]
mod data;

fn usage() -> ! {
    eprintln!("usage: generate DIR SESSIONS ENTRIES [--jrnl FILE] [--tjournal FILE]");
    exit(2);
}

fn main() {
    let mut positional = Vec::new();
    let mut jrnl: Option<PathBuf> = None;
    let mut tjournal: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jrnl" => jrnl = Some(args.next().unwrap_or_else(|| usage()).into()),
            "--tjournal" => tjournal = Some(args.next().unwrap_or_else(|| usage()).into()),
            // What a folder written now would carry in its `.generator`
            // file (benches/compare.sh compares them).
            "--stamp" => {
                println!("{}", data::stamp());
                return;
            }
            "-h" | "--help" => usage(),
            _ if a.starts_with("--") => usage(),
            _ => positional.push(a),
        }
    }
    if positional.len() != 3 {
        usage();
    }
    let dir = PathBuf::from(&positional[0]);
    let sessions: usize = positional[1].parse().unwrap_or_else(|_| usage());
    let entries: usize = positional[2].parse().unwrap_or_else(|_| usage());
    if let Err(e) = data::write_folder(&dir, sessions, entries) {
        eprintln!("generate: {e}");
        exit(1);
    }
    println!(
        "wrote {sessions} sessions of {entries} entries into {}",
        dir.display()
    );
    if jrnl.is_some() || tjournal.is_some() {
        // The first session again: same seed, same entries.
        let first = data::session(0, entries, &mut data::Lcg::new());
        let outputs = [
            (jrnl, data::jrnl_journal as fn(&_) -> String, "jrnl journal"),
            (tjournal, data::tjournal_json, "tui-journal JSON file"),
        ];
        for (path, render, what) in outputs {
            let Some(path) = path else { continue };
            if let Err(e) = std::fs::write(&path, render(&first)) {
                eprintln!("generate: {}: {e}", path.display());
                exit(1);
            }
            println!("wrote a {what} of {entries} entries: {}", path.display());
        }
    }
}
