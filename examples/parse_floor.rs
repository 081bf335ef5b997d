//! The serde_json floor for `benches/compare.sh`: reads the given files
//! (or every `*.json` file at the top of the given folders) and parses
//! each one, on one thread, printing nothing.
//!
//! cargo run --release --example parse_floor -- MODE PATH...
//!
//! MODE is `ignored` (parse into `serde::de::IgnoredAny`: the JSON is
//! checked and thrown away, the least any reader can do) or `value` (parse
//! into `serde_json::Value`, serde_json's own document type, with this
//! crate's features: `preserve_order`). Exits 1 if a file does not parse.

use std::path::{Path, PathBuf};
use std::process::exit;

fn files(args: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if p.is_dir() {
            let mut here: Vec<PathBuf> = std::fs::read_dir(p)
                .unwrap_or_else(|e| fail(p, &e))
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    !name.starts_with('.') && name.ends_with(".json")
                })
                .collect();
            here.sort();
            out.extend(here);
        } else {
            out.push(p.to_path_buf());
        }
    }
    out
}

fn fail(p: &Path, e: &dyn std::fmt::Display) -> ! {
    eprintln!("parse_floor: {}: {e}", p.display());
    exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, paths)) = args.split_first() else {
        eprintln!("usage: parse_floor ignored|value PATH...");
        exit(2);
    };
    let value = match mode.as_str() {
        "ignored" => false,
        "value" => true,
        _ => {
            eprintln!("usage: parse_floor ignored|value PATH...");
            exit(2);
        }
    };
    for p in files(paths) {
        let bytes = std::fs::read(&p).unwrap_or_else(|e| fail(&p, &e));
        let parsed = if value {
            serde_json::from_slice::<serde_json::Value>(&bytes).map(drop)
        } else {
            serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map(drop)
        };
        if let Err(e) = parsed {
            fail(&p, &e);
        }
    }
}
