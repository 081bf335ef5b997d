//! The rapporteur's report in Markdown.

use std::fmt::Write;

use crate::model::{Entry, Kind, Session};

use super::{Anonymize, md_escape, minutes, recommendation_numbers};

/// The full report, names included. See [`super::render`] for anonymized
/// reports.
pub fn markdown(s: &Session) -> String {
    render(s, Anonymize::None)
}

/// The report of `s`, which the caller has already anonymized as `mode`
/// says; `mode` only changes the wording around the participants.
pub(super) fn render(s: &Session, mode: Anonymize) -> String {
    let mut out = String::new();
    let title = if s.title.trim().is_empty() {
        "Workshop report".to_string()
    } else {
        s.title.shown().to_string()
    };
    let _ = writeln!(out, "# {}\n", escape_line(&title));
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
            facts.push((label, value.shown().to_string()));
        }
    }
    if !s.organizers.is_empty() {
        facts.push((
            "Organizers",
            s.organizers
                .iter()
                .map(|o| o.shown())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    for (label, value) in &facts {
        let _ = writeln!(out, "- **{label}:** {}", escape_line(value));
    }
    match mode {
        Anonymize::None if !s.participants.is_empty() => {
            let _ = writeln!(out, "- **Participants:** {}", s.participants.len());
        }
        Anonymize::KeepOrganizations if !s.participants.is_empty() => {
            let _ = writeln!(
                out,
                "- **Organizations represented:** {}",
                s.participants.len()
            );
        }
        _ => {}
    }
    out.push('\n');
    if let Some(note) = anonymity_note(mode) {
        let _ = writeln!(out, "_{}_\n", escape_line(note));
    }

    let now = s.updated;
    out.push_str("## Agenda\n\n| # | Block | Planned | Spent |\n|---|---|---|---|\n");
    for (i, b) in s.blocks.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            i + 1,
            escape_cell(b.title.shown()),
            minutes(b.planned_seconds()),
            minutes(b.spent_at(&now))
        );
    }
    if !s.blocks.is_empty() {
        let _ = writeln!(
            out,
            "|  | **Total** | {} | {} |",
            minutes(s.planned_seconds()),
            minutes(s.spent_at(&now))
        );
    }
    out.push('\n');

    // Recommendations are numbered once across the session, so "R7" means
    // the same thing in the summary and in the block's discussion.
    let numbers = recommendation_numbers(s);
    out.push_str("## Key recommendations\n\n");
    let total = s.count(Kind::Recommendation);
    if total == 0 {
        out.push_str("No recommendations were recorded.\n\n");
    }
    for (b, nums) in s.blocks.iter().zip(&numbers) {
        let recs: Vec<&Entry> = b
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Recommendation)
            .collect();
        if !recs.is_empty() {
            let _ = writeln!(out, "### {}\n", escape_line(b.title.shown()));
        }
        for (e, number) in recs.into_iter().zip(nums) {
            let marker = format!("{number}. ");
            let _ = write!(out, "{marker}{}", item_text(e, marker.len()));
            let mut meta = Vec::new();
            if let Some(a) = e.addressee.as_ref().filter(|a| !a.trim().is_empty()) {
                meta.push(format!("to: {}", a.shown()));
            }
            if let Some(r) = e.reference.as_ref().filter(|r| !r.trim().is_empty()) {
                meta.push(format!("ref.: {}", r.shown()));
            }
            if let Some(st) = e.status {
                meta.push(st.as_str().to_string());
            }
            if let Some(sp) = &e.speaker {
                meta.push(format!("— {}", sp.shown()));
            }
            if !meta.is_empty() {
                let _ = write!(out, " _({})_", escape_line(&meta.join("; ")));
            }
            out.push('\n');
        }
        if !nums.is_empty() {
            out.push('\n');
        }
    }

    out.push_str("## Discussion by block\n\n");
    for (i, b) in s.blocks.iter().enumerate() {
        let _ = writeln!(out, "### {}. {}\n", i + 1, escape_line(b.title.shown()));
        let _ = writeln!(
            out,
            "_Planned {}, spent {}._\n",
            minutes(b.planned_seconds()),
            minutes(b.spent_at(&now))
        );
        if b.entries.is_empty() {
            out.push_str("Nothing was recorded.\n\n");
            continue;
        }
        let recs = &numbers[i];
        if !recs.is_empty() {
            let list: Vec<String> = recs.iter().map(|n| n.to_string()).collect();
            let _ = writeln!(out, "Recommendations: {} (see above).\n", list.join(", "));
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
            let _ = writeln!(out, "#### {heading}\n");
            for e in items {
                let _ = write!(out, "- ");
                if let Some(sp) = &e.speaker {
                    let _ = write!(out, "**{}:** ", escape_line(sp.shown()));
                }
                let _ = writeln!(out, "{}", item_text(e, 2));
            }
            out.push('\n');
        }
    }

    if mode == Anonymize::KeepOrganizations && !s.participants.is_empty() {
        out.push_str("## Annex: organizations represented\n\n| Organization |\n|---|\n");
        for p in &s.participants {
            let _ = writeln!(out, "| {} |", escape_cell(p.organization.shown()));
        }
        out.push('\n');
    } else if !s.participants.is_empty() {
        out.push_str("## Annex: participants\n\n| Name | Organization |\n|---|---|\n");
        for p in &s.participants {
            let _ = writeln!(
                out,
                "| {} | {} |",
                escape_cell(p.name.shown()),
                escape_cell(p.organization.shown())
            );
        }
        out.push('\n');
    }
    out
}

/// The line that tells the reader who is left out of an anonymized report.
pub(super) fn anonymity_note(mode: Anonymize) -> Option<&'static str> {
    match mode {
        Anonymize::None => None,
        Anonymize::Full => Some(
            "Held under the Chatham House Rule: speakers, their affiliations and the participants are not named; a name in the text is shown as [participant].",
        ),
        Anonymize::KeepOrganizations => Some(
            "Speakers are named by their organization only; the names of participants are left out, and a name in the text is shown as the person's organization in brackets, or as [participant].",
        ),
    }
}

/// Entry text as the content of a list item starting `indent` columns
/// in: continuation lines indented so that a multi-line entry stays one
/// item, every line escaped.
fn item_text(e: &Entry, indent: usize) -> String {
    md_escape::lines(e.text.shown(), indent)
}

fn escape_line(s: &str) -> String {
    md_escape::line(s)
}

fn escape_cell(s: &str) -> String {
    md_escape::cell(s)
}
