use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Failure;
use crate::app::home::OpenMode;
use crate::export::{self, Format};
use crate::model::display::sanitize_line;
use crate::model::{Entry, Kind, Session, Stamp, Template, parse_draft, template};
use crate::store::{self, Store};

/// `rapporteur` alone: the home screen.
pub fn home(store: &Store) -> Result<ExitCode, Failure> {
    need_terminal()?;
    crate::tui::run(store, crate::tui::Start::Home)?;
    Ok(ExitCode::SUCCESS)
}

pub fn open(store: &Store, spec: &str) -> Result<ExitCode, Failure> {
    let path = store.resolve(spec)?;
    open_path(store, path, OpenMode::Capture)
}

fn parse_kind(k: &str) -> Result<Kind, Failure> {
    Kind::parse(k).ok_or_else(|| {
        Failure::new(format!("unknown kind {:?}", sanitize_line(k)))
            .hint("use note, recommendation, question, decision or action")
    })
}

fn need_terminal() -> Result<(), Failure> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(Failure::new("cannot use this terminal: standard input and output must be a terminal")
            .hint("run rapporteur in an interactive terminal, or use `rapporteur new --no-open` and `rapporteur note` in scripts"))
    }
}

fn open_path(store: &Store, path: PathBuf, mode: OpenMode) -> Result<ExitCode, Failure> {
    need_terminal()?;
    crate::tui::run(store, crate::tui::Start::Session { path, mode })?;
    Ok(ExitCode::SUCCESS)
}

pub fn new(
    store: &Store,
    title: Option<&str>,
    template: Option<&str>,
    no_open: bool,
) -> Result<ExitCode, Failure> {
    if !no_open {
        // Before creating anything: a session nobody can see would pile
        // up with every retry of a script.
        need_terminal()?;
    }
    let template = find_template(store, template)?;
    let session = Session::from_template(&template, title, Stamp::now());
    let path = store.create(&session)?;
    if no_open {
        println!("{}\t{}", session.id, path.display());
        return Ok(ExitCode::SUCCESS);
    }
    open_path(store, path, OpenMode::Setup)
}

/// "default" (or nothing) is the built-in agenda; a NAME is looked up in
/// the templates folder; anything with a slash or ending in .json is a path.
pub fn find_template(store: &Store, spec: Option<&str>) -> Result<Template, Failure> {
    let spec = match spec {
        None => return Ok(Template::builtin()),
        Some(s) if s == template::BUILTIN_NAME => return Ok(Template::builtin()),
        Some(s) => s,
    };
    let path = if spec.contains('/') || spec.ends_with(".json") {
        PathBuf::from(spec)
    } else {
        store.templates_dir().join(format!("{spec}.json"))
    };
    let bytes = store::read_limited(&path).map_err(|e| {
        Failure::from(e).hint(format!(
            "templates are JSON files in {}; \"default\" is the built-in agenda",
            store.templates_dir().display()
        ))
    })?;
    serde_json::from_slice::<Template>(&bytes).map_err(|e| {
        Failure::new(format!(
            "{}: not a template at line {}, column {}: {}",
            path.display(),
            e.line(),
            e.column(),
            sanitize_line(&e.to_string())
        ))
        .hint("a template needs \"template_version\": 1 and a \"blocks\" list")
    })
}

pub fn list(store: &Store, json: bool) -> Result<ExitCode, Failure> {
    let listing = store.list()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let bad: Vec<serde_json::Value> = listing
            .bad
            .iter()
            // Lossy: a name that is not UTF-8 cannot be a JSON string.
            .map(|e| {
                serde_json::json!({
                    "path": e.path().to_string_lossy(),
                    "error": e.to_string(),
                    "hint": e.hint(),
                })
            })
            .collect();
        let v = serde_json::json!({"sessions": listing.sessions, "unreadable": bad});
        let _ = writeln!(
            out,
            "{}",
            crate::export::json::json_pretty(&v).unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if listing.sessions.is_empty() && listing.bad.is_empty() {
        let _ = writeln!(
            out,
            "No sessions in {}. Start one with `rapporteur new`.",
            store.dir().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let _ = writeln!(
        out,
        "{:<12} {:<10} {:>7} {:>5}  TITLE",
        "ID", "DATE", "ENTRIES", "RECS"
    );
    for s in &listing.sessions {
        let date = s.date.map(|d| d.to_string()).unwrap_or_default();
        let mut title = s.title.shown().to_string();
        if s.ended {
            title.push_str("  [ended]");
        }
        if s.read_only {
            title.push_str("  [newer version, read-only]");
        }
        match s.same_id_as.as_slice() {
            [] => {}
            [other] => title.push_str(&format!("  [DUPLICATE: same id as {}]", file_name(other))),
            [other, rest @ ..] => title.push_str(&format!(
                "  [DUPLICATE: same id as {} and {} more]",
                file_name(other),
                rest.len()
            )),
        }
        let _ = writeln!(
            out,
            "{:<12} {:<10} {:>7} {:>5}  {}",
            sanitize_line(&s.id),
            date,
            s.entries,
            s.recommendations,
            title
        );
    }
    if !listing.bad.is_empty() {
        let _ = writeln!(out, "\nUnreadable files (left untouched):");
        for e in &listing.bad {
            let _ = writeln!(out, "  {}", sanitize_line(&e.to_string()));
        }
    }
    // On stderr, so that the table stays a table for scripts.
    if listing.sessions.iter().any(|s| !s.same_id_as.is_empty()) {
        eprintln!(
            "note: files marked DUPLICATE share a session id and cannot be named by it; move one away, or give the file's path"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A file's name as `list` shows it: the folder is the sessions folder.
fn file_name(path: &Path) -> String {
    let name = path.file_name().unwrap_or(path.as_os_str());
    sanitize_line(&name.to_string_lossy()).into_owned()
}

pub fn show(store: &Store, spec: &str) -> Result<ExitCode, Failure> {
    let path = store.resolve(spec)?;
    let loaded = store::load(&path)?;
    let s = &loaded.session;
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(out, "{}", s.title.shown());
    let mut line = Vec::new();
    if let Some(d) = s.date {
        line.push(d.to_string());
    }
    if !s.location.is_empty() {
        line.push(s.location.shown().to_string());
    }
    line.push(format!("id {}", sanitize_line(&s.id)));
    let _ = writeln!(out, "{}", line.join(" · "));
    if let Some(v) = loaded.newer_version {
        let _ = writeln!(
            out,
            "(written by a newer rapporteur, schema {v}: read-only here)"
        );
    }
    if !s.participants.is_empty() {
        let names: Vec<String> = s.participants.iter().map(|p| p.label()).collect();
        let _ = writeln!(out, "Participants: {}", names.join(", "));
    }
    let now = s.updated;
    for (i, b) in s.blocks.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n== {}/{} {} ({} of {} planned) ==",
            i + 1,
            s.blocks.len(),
            b.title.shown(),
            export::minutes(b.spent_at(&now)),
            export::minutes(b.planned_seconds())
        );
        if b.entries.is_empty() {
            let _ = writeln!(out, "  (no entries)");
        }
        for e in &b.entries {
            let who = e
                .speaker
                .as_ref()
                .map(|s| format!(" {}:", s.shown()))
                .unwrap_or_default();
            let mut lines = e.text.shown().lines();
            let _ = writeln!(
                out,
                "  {} [{}]{} {}",
                e.created.hm(),
                e.kind.as_str(),
                who,
                lines.next().unwrap_or("")
            );
            for l in lines {
                let _ = writeln!(out, "        {l}");
            }
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

pub fn note(
    store: &Store,
    spec: &str,
    text: &str,
    block: Option<&str>,
    kind: Option<&str>,
    speaker: Option<&str>,
) -> Result<ExitCode, Failure> {
    let kind = kind.map(parse_kind).transpose()?;
    let path = store.resolve(spec)?;
    // Lock before reading, so no writer can slip in between our read and
    // our write.
    let _lock = store::acquire(&path)?;
    let loaded = store::load(&path)?;
    if loaded.read_only() {
        return Err(store::StoreError::ReadOnly { path }.into());
    }
    for n in store::claim_sidecars(&path, &loaded)? {
        eprintln!("warning: {}", sanitize_line(&n));
    }
    let mut session = loaded.session;
    let index = match block {
        Some(b) => session.find_block(b).ok_or_else(|| {
            Failure::new(format!("no block {:?} in this session", sanitize_line(b))).hint(format!(
                "give a number from 1 to {} or one of the ids: {}",
                session.blocks.len(),
                session
                    .blocks
                    .iter()
                    .map(|b| sanitize_line(&b.id).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
        None => session.current_index(),
    };
    if session.blocks.is_empty() {
        return Err(Failure::new("this session has no blocks").hint("add one in the setup screen"));
    }
    let parsed = parse_draft(text, &session.speaker_names());
    if parsed.text.trim().is_empty() {
        return Err(Failure::new("the entry is empty").hint("give the text to record"));
    }
    let speaker = speaker
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or(parsed.speaker);
    let now = Stamp::now();
    let entry = Entry::new(
        kind.or(parsed.kind).unwrap_or(Kind::Note),
        parsed.text,
        speaker.map(Into::into),
        now,
    );
    let id = entry.id.clone();
    let kind = entry.kind;
    // In a long session, one line in the journal, unless the journal has
    // grown long: then, as for short sessions, the session file is
    // rewritten whole and the journal emptied.
    let journal_len = std::fs::metadata(store::journal::journal_path(&path))
        .map(|m| m.len())
        .unwrap_or(0);
    let block_id = session.blocks[index].id.clone();
    if session.entry_count() >= store::journal::USE_FROM_ENTRIES
        && journal_len < 1024 * 1024
        && session.journal_seq < u64::MAX / 2
    {
        let record = store::journal::Record {
            seq: session.journal_seq + 1,
            at: now,
            owner: None,
            op: store::journal::Op::Add {
                block: block_id,
                entry: entry.clone(),
            },
        };
        store::journal::append(&path, &store::journal::Owner::of(&session), &[record]).map_err(
            |source| store::StoreError::Save {
                path: store::journal::journal_path(&path),
                source,
            },
        )?;
        session.blocks[index].entries.push(entry);
        session.journal_seq += 1;
    } else {
        session.blocks[index].entries.push(entry);
        session.updated = now;
        store::save(&path, &session)?;
        let _ = store::journal::truncate(&path);
    }
    println!(
        "{id}\t{}\tblock {} {}",
        kind.as_str(),
        index + 1,
        session.blocks[index].title.shown()
    );
    // Still under the lock: the next capture screen can start from this.
    store::screen::write(&path, &store::screen::tail(session));
    Ok(ExitCode::SUCCESS)
}

pub fn export(
    store: &Store,
    spec: &str,
    format: Format,
    output: Option<&Path>,
    anonymize: export::Anonymize,
) -> Result<ExitCode, Failure> {
    let path = store.resolve(spec)?;
    let loaded = store::load(&path)?;
    let report = export::render(&loaded.session, format, &export::Options { anonymize })
        .map_err(|e| Failure::new(format!("cannot export: {e}")))?;
    for w in &report.warnings {
        eprintln!("warning: {}", sanitize_line(w));
    }
    for n in &report.notes {
        eprintln!("{}", sanitize_line(n));
    }
    match output {
        None => {
            let _ = std::io::stdout().lock().write_all(&report.bytes);
        }
        Some(out) if out.as_os_str() == "-" => {
            let _ = std::io::stdout().lock().write_all(&report.bytes);
        }
        Some(out) => {
            let source = store::report::Source {
                path: &path,
                id: &loaded.session.id,
            };
            let written = store::report::write(store.dir(), Some(source), out, &report.bytes)?;
            let shown = out.display().to_string();
            let shown = sanitize_line(&shown);
            match written.replaced {
                Some(size) => eprintln!("wrote {shown} (replaced the {size}-byte file there)"),
                None => eprintln!("wrote {shown}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Full-text search over every session in the folder.
pub fn search(
    store: &Store,
    query: &str,
    kind: Option<&str>,
    speaker: Option<&str>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let kind = kind.map(parse_kind).transpose()?;
    let q = crate::search::Query::parse(query, kind, speaker);
    if q.is_empty() {
        return Err(Failure::new("nothing to search for").hint("give a word, --kind or --speaker"));
    }
    let (hits, bad) = crate::search::search_folder(store, &q)?;
    for e in &bad {
        eprintln!("warning: skipped {}", sanitize_line(&e.to_string()));
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let _ = writeln!(
            out,
            "{}",
            crate::export::json::json_pretty(&hits).unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    // Formatting tens of thousands of snippets is work worth sharing out;
    // the order stays the hits' order.
    let chunks: Vec<&[crate::search::Hit]> = hits.chunks(256).collect();
    let texts = crate::store::par_map(&chunks, |chunk| {
        use std::fmt::Write as _;
        let mut text = String::new();
        for h in *chunk {
            let speaker = h
                .speaker
                .as_ref()
                .map(|s| format!(" · {}", s.shown()))
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "{} · {} · {}. {} · {}{}",
                sanitize_line(&h.session.id),
                h.session.title.shown(),
                h.block,
                h.block_title.shown(),
                h.kind.as_str(),
                speaker
            );
            let _ = writeln!(
                text,
                "    {}",
                crate::search::snippet(&h.text, &h.ranges, 100, "[", "]")
            );
        }
        text
    });
    for t in texts {
        let _ = out.write_all(t.as_bytes());
    }
    let _ = writeln!(out, "{} matches", hits.len());
    Ok(ExitCode::SUCCESS)
}
