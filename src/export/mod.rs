//! Reports made from a session.

mod markdown;

pub use markdown::markdown;

use crate::model::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Json,
}

pub fn render(session: &Session, format: Format) -> Result<String, serde_json::Error> {
    match format {
        Format::Md => Ok(markdown(session)),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(session)?;
            s.push('\n');
            Ok(s)
        }
    }
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
