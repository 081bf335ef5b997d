//! The command line: argument parsing and the non-interactive commands.
//! Every command but the interactive ones works without a terminal;
//! errors go to stderr with a hint and a non-zero exit status.

mod check;
mod commands;

pub use commands::find_template;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::export::Format;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "rapporteur",
    version,
    about = "Take the record of a facilitated workshop: notes, questions, decisions, actions and recommendations, block by block."
)]
pub struct Cli {
    /// The sessions folder (default: $RAPPORTEUR_SESSIONS_DIR, else the
    /// platform data folder, ~/.local/share/rapporteur/sessions on Linux).
    #[arg(long, global = true, value_name = "DIR")]
    pub sessions_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a session from a template and open it.
    New {
        #[arg(long)]
        title: Option<String>,
        /// A template name from the templates folder, "default", or a path.
        #[arg(long, value_name = "NAME|PATH")]
        template: Option<String>,
        /// Print the new session's id and path instead of opening it.
        #[arg(long)]
        no_open: bool,
    },
    /// Open a session in the capture screen.
    Open { session: String },
    /// List sessions, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print a session as readable text, block by block.
    Show { session: String },
    /// Append one entry to a session.
    Note {
        session: String,
        text: String,
        /// Block number (from 1) or id; default: the current block.
        #[arg(long, value_name = "N|ID")]
        block: Option<String>,
        /// note, recommendation, question, decision or action.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        speaker: Option<String>,
    },
    /// Write a report.
    Export {
        session: String,
        #[arg(long, value_enum)]
        format: Format,
        /// Write to FILE (private, 0600) instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Chatham House Rule: no speaker's name or affiliation, no
        /// participants list.
        #[arg(long)]
        anonymize: bool,
        /// With --anonymize: keep organizations, drop people's names.
        #[arg(long, requires = "anonymize")]
        keep_organizations: bool,
    },
    /// Search every session: case- and accent-insensitive.
    Search {
        query: String,
        /// Only entries of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only entries whose speaker contains this.
        #[arg(long)]
        speaker: Option<String>,
        /// Print the hits as a JSON list.
        #[arg(long)]
        json: bool,
    },
    /// A read-only, large-type view of a session for a projector or a
    /// second terminal. It follows the file live; q quits.
    Present { session: String },
    /// Validate session files (default: every session in the folder).
    Check { paths: Vec<PathBuf> },
}

/// A failure to report: the message, and what the user can do.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        Failure::new(crate::model::display::sanitize_line(&e.to_string())).hint(e.hint())
    }
}

impl From<crate::store::LoadError> for Failure {
    fn from(e: crate::store::LoadError) -> Self {
        Failure::new(crate::model::display::sanitize_line(&e.to_string())).hint(e.hint())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let store = Store::locate(cli.sessions_dir.clone());
    match run(cli.command, &store) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("rapporteur: {}", f.message);
            if let Some(h) = f.hint {
                eprintln!("  hint: {h}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(command: Option<Command>, store: &Store) -> Result<ExitCode, Failure> {
    match command {
        None => commands::home(store),
        Some(Command::New {
            title,
            template,
            no_open,
        }) => commands::new(store, title.as_deref(), template.as_deref(), no_open),
        Some(Command::Open { session }) => commands::open(store, &session),
        Some(Command::List { json }) => commands::list(store, json),
        Some(Command::Show { session }) => commands::show(store, &session),
        Some(Command::Note {
            session,
            text,
            block,
            kind,
            speaker,
        }) => commands::note(
            store,
            &session,
            &text,
            block.as_deref(),
            kind.as_deref(),
            speaker.as_deref(),
        ),
        Some(Command::Export {
            session,
            format,
            output,
            anonymize,
            keep_organizations,
        }) => {
            let mode = match (anonymize, keep_organizations) {
                (false, _) => crate::export::Anonymize::None,
                (true, false) => crate::export::Anonymize::Full,
                (true, true) => crate::export::Anonymize::KeepOrganizations,
            };
            commands::export(store, &session, format, output.as_deref(), mode)
        }
        Some(Command::Search {
            query,
            kind,
            speaker,
            json,
        }) => commands::search(store, &query, kind.as_deref(), speaker.as_deref(), json),
        Some(Command::Check { paths }) => check::check(store, &paths),
        Some(Command::Present { session }) => {
            let path = store.resolve(&session)?;
            crate::tui::room::run(path)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
