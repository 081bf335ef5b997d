//! The recommendations as CSV, one row each, for whoever follows them up
//! in a spreadsheet. UTF-8 with a byte-order mark, without which some
//! spreadsheets take the file for a legacy code page and garble Cyrillic.
//! Records end in CR LF (RFC 4180); fields are quoted when they hold a
//! comma, a quote or a line break.

use ::csv::{QuoteStyle, Terminator, WriterBuilder};

use crate::model::{Kind, Label, Session};

use super::recommendation_numbers;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

pub const HEADER: [&str; 8] = [
    "number",
    "block",
    "text",
    "addressee",
    "reference",
    "status",
    "speaker",
    "time",
];

/// The CSV for `s`, which the caller has already anonymized.
pub(super) fn render(s: &Session) -> Result<Vec<u8>, ::csv::Error> {
    let mut w = WriterBuilder::new()
        .quote_style(QuoteStyle::Necessary)
        // RFC 4180's record separator; line breaks inside a text stay `\n`.
        .terminator(Terminator::CRLF)
        .from_writer(BOM.to_vec());
    w.write_record(HEADER)?;
    let numbers = recommendation_numbers(s);
    for (b, nums) in s.blocks.iter().zip(&numbers) {
        let block = cell(b.title.shown());
        let recs = b.entries.iter().filter(|e| e.kind == Kind::Recommendation);
        for (e, number) in recs.zip(nums) {
            let opt = |v: &Option<Label>| v.as_ref().map(|v| cell(v.shown())).unwrap_or_default();
            w.write_record([
                number.to_string(),
                block.clone(),
                cell(e.text.shown()),
                opt(&e.addressee),
                opt(&e.reference),
                e.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
                opt(&e.speaker),
                e.created.to_string(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Keeps a cell from being taken for a formula: spreadsheets evaluate a
/// cell that starts with `=`, `+`, `-` or `@`, and a session file may come
/// from anyone. Such a cell gets a leading apostrophe, which spreadsheets
/// read as "this is text".
fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Article 5 = fine"), "Article 5 = fine");
        assert_eq!(cell(""), "");
    }
}
