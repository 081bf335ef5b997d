//! The rapporteur's report as one self-contained HTML page: inline style
//! only, no scripts, no images, no fonts or anything else fetched from
//! anywhere, so it opens the same offline, in a mail attachment or years
//! later. The markup is also well-formed XML (every element closed, every
//! attribute quoted, only XML's five entities), and the text in it is
//! legal XML 1.0, so XML tools can read it as well as browsers.

use std::fmt::Write;

use crate::model::display::OTHER_CONTROL;
use crate::model::{Entry, Kind, Label, Session, Text};

use super::markdown::anonymity_note;
use super::{Anonymize, minutes, recommendation_numbers};

/// Print-friendly, system fonts only.
const STYLE: &str = r#"
:root { color-scheme: light; }
body {
  margin: 0;
  background: #fff;
  color: #1a1a1a;
  font-family: "Charis SIL", "Noto Serif", "DejaVu Serif", "Liberation Serif", Georgia, Cambria, "Times New Roman", serif;
  font-size: 11.5pt;
  line-height: 1.45;
}
main { max-width: 48em; margin: 0 auto; padding: 2.5em 2em 4em; }
h1, h2, h3, h4, th, .facts dt, .meta, .agenda, .annex {
  font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", "Helvetica Neue", Arial, sans-serif;
}
h1 { font-size: 1.9em; line-height: 1.2; margin: 0 0 0.6em; }
h2 { font-size: 1.35em; margin: 2em 0 0.6em; padding-bottom: 0.2em; border-bottom: 2px solid #1a1a1a; }
h3 { font-size: 1.12em; margin: 1.5em 0 0.5em; }
h4 { font-size: 0.95em; margin: 1.1em 0 0.3em; text-transform: uppercase; letter-spacing: 0.04em; color: #444; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; margin: 0 0 1em; }
.facts dt { font-weight: bold; font-size: 0.9em; padding-top: 0.1em; }
.facts dd { margin: 0; }
.note { font-style: italic; border-left: 3px solid #888; padding-left: 0.8em; color: #333; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
thead th { background: #eee; }
td.num, th.num { text-align: right; white-space: nowrap; }
tfoot td { font-weight: bold; background: #f6f6f6; }
ol.recs { padding-left: 2.2em; }
ol.recs li { margin: 0 0 0.7em; }
.meta { font-size: 0.85em; color: #444; }
.status { font-weight: bold; text-transform: uppercase; font-size: 0.92em; letter-spacing: 0.03em; }
.status-supported { color: #1d6b2f; }
.status-contested { color: #a23b12; }
.status-proposed { color: #444; }
ul.entries { padding-left: 1.4em; }
ul.entries li { margin: 0 0 0.45em; }
.speaker { font-weight: bold; }
.empty { color: #666; font-style: italic; }
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h1, h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
  #discussion, #annex { page-break-before: always; break-before: page; }
  table, tr, li, .facts { page-break-inside: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  .status-supported, .status-contested { color: #000; }
}
"#;

/// The page for `s`, which the caller has already anonymized as `mode`
/// says; `mode` only changes the wording around the participants.
pub(super) fn render(s: &Session, mode: Anonymize) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let title = if s.title.trim().is_empty() {
        "Workshop report".to_string()
    } else {
        line(&s.title)
    };
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    out.push_str(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <meta name=\"generator\" content=\"rapporteur\" />\n",
    );
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");

    // Header.
    let _ = writeln!(out, "<header>\n<h1>{title}</h1>");
    let mut facts: Vec<(&str, String)> = Vec::new();
    if let Some(d) = s.date {
        facts.push(("Date", d.to_string()));
    }
    for (label, value) in [
        ("Place", &s.location),
        ("Facilitator", &s.facilitator),
        ("Rapporteur", &s.rapporteur),
    ] {
        if !value.trim().is_empty() {
            facts.push((label, line(value)));
        }
    }
    if !s.organizers.is_empty() {
        let orgs: Vec<String> = s.organizers.iter().map(line).collect();
        facts.push(("Organizers", orgs.join("; ")));
    }
    match mode {
        Anonymize::None if !s.participants.is_empty() => {
            facts.push(("Participants", s.participants.len().to_string()));
        }
        Anonymize::KeepOrganizations if !s.participants.is_empty() => {
            facts.push((
                "Organizations represented",
                s.participants.len().to_string(),
            ));
        }
        _ => {}
    }
    if !facts.is_empty() {
        out.push_str("<dl class=\"facts\">\n");
        for (label, value) in &facts {
            let _ = writeln!(out, "<dt>{label}</dt><dd>{value}</dd>");
        }
        out.push_str("</dl>\n");
    }
    if let Some(note) = anonymity_note(mode) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
    out.push_str("</header>\n");

    // Agenda.
    let now = s.updated;
    out.push_str(
        "<section id=\"agenda\">\n<h2>Agenda</h2>\n<table class=\"agenda\">\n<thead><tr>\
         <th class=\"num\">#</th><th>Block</th><th class=\"num\">Planned</th>\
         <th class=\"num\">Spent</th></tr></thead>\n<tbody>\n",
    );
    for (i, b) in s.blocks.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            i + 1,
            line(&b.title),
            minutes(b.planned_seconds()),
            minutes(b.spent_at(&now))
        );
    }
    out.push_str("</tbody>\n");
    if !s.blocks.is_empty() {
        let _ = writeln!(
            out,
            "<tfoot><tr><td></td><td>Total</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr></tfoot>",
            minutes(s.planned_seconds()),
            minutes(s.spent_at(&now))
        );
    }
    out.push_str("</table>\n</section>\n");

    // Key recommendations, numbered across the session.
    let numbers = recommendation_numbers(s);
    out.push_str("<section id=\"recommendations\">\n<h2>Key recommendations</h2>\n");
    if s.count(Kind::Recommendation) == 0 {
        out.push_str("<p class=\"empty\">No recommendations were recorded.</p>\n");
    }
    for (b, nums) in s.blocks.iter().zip(&numbers) {
        let recs: Vec<&Entry> = b
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Recommendation)
            .collect();
        let Some(first) = nums.first() else {
            continue;
        };
        let _ = writeln!(out, "<h3>{}</h3>", line(&b.title));
        let _ = writeln!(out, "<ol class=\"recs\" start=\"{first}\">");
        for (e, number) in recs.into_iter().zip(nums) {
            let _ = write!(
                out,
                "<li id=\"r{number}\"><div class=\"text\">{}</div>",
                lines(&e.text)
            );
            let mut meta = Vec::new();
            if let Some(a) = e.addressee.as_ref().filter(|a| !a.trim().is_empty()) {
                meta.push(format!("to: {}", line(a)));
            }
            if let Some(r) = e.reference.as_ref().filter(|r| !r.trim().is_empty()) {
                meta.push(format!("ref.: {}", line(r)));
            }
            if let Some(st) = e.status {
                let st = st.as_str();
                meta.push(format!("<span class=\"status status-{st}\">{st}</span>"));
            }
            let mut meta = meta.join("; ");
            if let Some(sp) = e.speaker.as_ref().filter(|sp| !sp.trim().is_empty()) {
                if !meta.is_empty() {
                    meta.push(' ');
                }
                let _ = write!(meta, "— <span class=\"speaker\">{}</span>", line(sp));
            }
            if !meta.is_empty() {
                let _ = write!(out, "<div class=\"meta\">{meta}</div>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    // Discussion, block by block.
    out.push_str("<section id=\"discussion\">\n<h2>Discussion by block</h2>\n");
    for (i, (b, nums)) in s.blocks.iter().zip(&numbers).enumerate() {
        let _ = writeln!(
            out,
            "<section class=\"block\" id=\"block-{}\">\n<h3>{}. {}</h3>",
            i + 1,
            i + 1,
            line(&b.title)
        );
        let _ = writeln!(
            out,
            "<p class=\"meta\">Planned {}, spent {}.</p>",
            minutes(b.planned_seconds()),
            minutes(b.spent_at(&now))
        );
        if b.entries.is_empty() {
            out.push_str("<p class=\"empty\">Nothing was recorded.</p>\n</section>\n");
            continue;
        }
        if !nums.is_empty() {
            let links: Vec<String> = nums
                .iter()
                .map(|n| format!("<a href=\"#r{n}\">{n}</a>"))
                .collect();
            let _ = writeln!(
                out,
                "<p>Recommendations: {} (see above).</p>",
                links.join(", ")
            );
        }
        for (kind, heading) in [
            (Kind::Decision, "Decisions"),
            (Kind::Action, "Actions"),
            (Kind::Question, "Questions"),
            (Kind::Note, "Notes"),
        ] {
            let items: Vec<&Entry> = b.entries.iter().filter(|e| e.kind == kind).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "<h4>{heading}</h4>\n<ul class=\"entries\">");
            for e in items {
                out.push_str("<li>");
                if let Some(sp) = e.speaker.as_ref().filter(|sp| !sp.trim().is_empty()) {
                    let _ = write!(out, "<span class=\"speaker\">{}:</span> ", line(sp));
                }
                let _ = writeln!(out, "{}</li>", lines(&e.text));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");

    // Annex.
    if !s.participants.is_empty() {
        if mode == Anonymize::KeepOrganizations {
            out.push_str(
                "<section id=\"annex\">\n<h2>Annex: organizations represented</h2>\n\
                 <table class=\"annex\">\n<thead><tr><th>Organization</th></tr></thead>\n<tbody>\n",
            );
            for p in &s.participants {
                let _ = writeln!(out, "<tr><td>{}</td></tr>", line(&p.organization));
            }
        } else {
            out.push_str(
                "<section id=\"annex\">\n<h2>Annex: participants</h2>\n<table class=\"annex\">\n\
                 <thead><tr><th>Name</th><th>Organization</th></tr></thead>\n<tbody>\n",
            );
            for p in &s.participants {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    line(&p.name),
                    line(&p.organization)
                );
            }
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// One line of session text, ready for the page: its shown form
/// (controls made visible, line breaks as `⏎`), markup escaped.
fn line(s: &Label) -> String {
    escape(s.shown())
}

/// Session text that may span lines: each line of its shown form
/// escaped, joined by `<br />`.
fn lines(s: &Text) -> String {
    let text = s.shown();
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n')
        .map(escape)
        .collect::<Vec<_>>()
        .join("<br />\n")
}

/// Escapes XML's five special characters and replaces every character
/// XML 1.0 does not allow (or discourages) with a visible placeholder.
/// Tabs and line breaks are left to the caller.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            // C0 controls; the shown form has them as pictures already,
            // this keeps `escape` safe on its own.
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or(OTHER_CONTROL))
            }
            '\u{7f}'..='\u{9f}' => out.push(OTHER_CONTROL),
            // Noncharacters: U+FDD0..U+FDEF and the last two code points of
            // every plane (U+FFFE and U+FFFF are illegal in XML 1.0).
            '\u{fdd0}'..='\u{fdef}' => out.push(OTHER_CONTROL),
            _ if (c as u32) & 0xfffe == 0xfffe => out.push(OTHER_CONTROL),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XML 1.0's Char production.
    fn xml_legal(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    }

    #[test]
    fn escape_leaves_only_legal_escaped_text() {
        let hostile = "a&b<c>d\"e'f\u{0}\u{1b}[2J\u{7}\u{b}\u{c}\u{1f}\u{7f}\u{85}\u{9b}\u{fffe}\u{ffff}\u{1fffe}\u{fdd0}ж😀";
        let out = escape(hostile);
        assert!(out.chars().all(xml_legal), "{out:?}");
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('"'));
        assert!(!out.contains('\''));
        assert!(out.starts_with("a&amp;b&lt;c&gt;d&quot;e&#39;f␀␛[2J␇"));
        assert!(out.ends_with("ж😀"));
    }

    #[test]
    fn multi_line_text_keeps_its_breaks() {
        assert_eq!(
            lines(&Text::from("one\ntwo <b>\n")),
            "one<br />\ntwo &lt;b&gt;"
        );
        assert_eq!(line(&Label::from("one\ntwo")), "one⏎two");
    }
}
