//! Reports made from a session: the rapporteur's report in Markdown or as
//! one self-contained HTML page, the recommendations as CSV, and the
//! session itself as JSON. Each can be anonymized (see [`Anonymize`]).

mod anonymize;
mod csv;
mod fields;
mod html;
pub mod json;
mod lookalike;
mod markdown;
mod md_escape;
mod names;

pub use anonymize::{Anonymized, NEUTRAL, anonymize};
pub use markdown::markdown;

use crate::model::{Kind, Session};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The rapporteur's report in Markdown.
    Md,
    /// The same report as one self-contained, printable HTML page.
    Html,
    /// The recommendations, one row each (UTF-8 with a byte-order mark).
    Csv,
    /// The session file's content.
    Json,
}

/// How much of who said what a report keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anonymize {
    /// Everything, names included.
    #[default]
    None,
    /// The Chatham House Rule: no speaker's identity or affiliation, no
    /// participants, no facilitator or rapporteur.
    Full,
    /// Organizations stay, people's names go: a participant speaking is
    /// shown as their organization, and the annex lists the organizations.
    KeepOrganizations,
}

impl Anonymize {
    pub fn is_on(self) -> bool {
        self != Anonymize::None
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub anonymize: Anonymize,
}

/// A rendered report and what the user should be told about it (the CLI
/// prints the warnings on standard error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The file's bytes: UTF-8 text, with a byte-order mark for CSV.
    pub bytes: Vec<u8>,
    pub warnings: Vec<String>,
    /// What was done that the user should know of, not a problem: for an
    /// anonymized report, what was left out and replaced, field by field.
    pub notes: Vec<String>,
}

impl Report {
    /// The report as text, without the CSV byte-order mark.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        String::from_utf8_lossy(bytes)
    }
}

pub fn render(
    session: &Session,
    format: Format,
    opts: &Options,
) -> Result<Report, serde_json::Error> {
    let Anonymized {
        session,
        warnings,
        notes,
    } = anonymize(session, opts.anonymize);
    let mode = opts.anonymize;
    let bytes = match format {
        Format::Md => markdown::render(&session, mode).into_bytes(),
        Format::Html => html::render(&session, mode).into_bytes(),
        Format::Csv => self::csv::render(&session)
            .map_err(|e| <serde_json::Error as serde::ser::Error>::custom(format!("CSV: {e}")))?,
        // The file's own layout; what a terminal would act on escaped, as
        // the report may well be printed to one.
        Format::Json => {
            let mut s = crate::export::json::json_pretty(&*session)?;
            s.push('\n');
            s.into_bytes()
        }
    };
    Ok(Report {
        bytes,
        warnings,
        notes,
    })
}

/// "1 h 05 min", "45 min", "0 min".
pub fn minutes(seconds: i64) -> String {
    let m = seconds.max(0) / 60;
    if m >= 60 {
        format!("{} h {:02} min", m / 60, m % 60)
    } else {
        format!("{m} min")
    }
}

/// The number of each recommendation, per block. Recommendations are
/// numbered once across the session in block order, so "7" means the same
/// recommendation in the summary, in a block's discussion and in the CSV.
pub(crate) fn recommendation_numbers(s: &Session) -> Vec<Vec<usize>> {
    let mut number = 0;
    s.blocks
        .iter()
        .map(|b| {
            b.entries
                .iter()
                .filter(|e| e.kind == Kind::Recommendation)
                .map(|_| {
                    number += 1;
                    number
                })
                .collect()
        })
        .collect()
}
