//! Participants, and the operations the setup screen offers on them.
//! None of them does any UI work.

use serde::{Deserialize, Serialize};

use super::{Extra, Label, Session};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Participant {
    #[serde(default)]
    pub name: Label,
    #[serde(default)]
    pub organization: Label,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Participant {
    pub fn new(name: impl Into<Label>, organization: impl Into<Label>) -> Self {
        Self {
            name: name.into(),
            organization: organization.into(),
            extra: Extra::new(),
        }
    }

    /// "Name (Organization)", or whichever half is present, as shown.
    pub fn label(&self) -> String {
        match (self.name.shown().trim(), self.organization.shown().trim()) {
            ("", org) => org.to_string(),
            (name, "") => name.to_string(),
            (name, org) => format!("{name} ({org})"),
        }
    }
}

/// "Name, Organization", "Name`<TAB>`Organization", or just a name. A line
/// that is only an organization can be written ", UNHCR".
pub fn parse_participant(line: &str) -> Option<Participant> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (name, org) = match line.split_once('\t').or_else(|| line.split_once(',')) {
        Some((n, o)) => (n.trim(), o.trim()),
        None => (line, ""),
    };
    if name.is_empty() && org.is_empty() {
        return None;
    }
    Some(Participant::new(name, org))
}

impl Session {
    /// Every name worth offering after `@`: participants' names and
    /// organizations, then speakers already used, without duplicates.
    pub fn speaker_names(&self) -> Vec<Label> {
        let mut out: Vec<Label> = Vec::new();
        let mut push = |s: &Label| {
            let trimmed = s.trim();
            if !trimmed.is_empty() && !out.iter().any(|o| o == trimmed) {
                out.push(s.trimmed());
            }
        };
        for p in &self.participants {
            push(&p.name);
            push(&p.organization);
        }
        for b in &self.blocks {
            for e in &b.entries {
                if let Some(s) = &e.speaker {
                    push(s);
                }
            }
        }
        out
    }

    /// Participant `i` from its edit box. An emptied box removes the
    /// participant; a half left as its box showed it keeps its raw text
    /// (see [`Label::from_edit`]).
    pub fn edit_participant(&mut self, i: usize, text: &str) {
        match parse_participant(text) {
            Some(p) => {
                if let Some(slot) = self.participants.get_mut(i) {
                    slot.name = Label::from_edit(&p.name, std::slice::from_ref(&slot.name));
                    slot.organization =
                        Label::from_edit(&p.organization, std::slice::from_ref(&slot.organization));
                }
            }
            None => {
                self.remove_participant(i);
            }
        }
    }

    /// Adds the participant written in `text`; its index, or `None` when
    /// `text` names nobody.
    pub fn add_participant(&mut self, text: &str) -> Option<usize> {
        let p = parse_participant(text)?;
        self.participants.push(p);
        Some(self.participants.len() - 1)
    }

    /// Adds one participant for each line of `text` that names one (a
    /// pasted list); how many were added.
    pub fn add_participants(&mut self, text: &str) -> usize {
        let before = self.participants.len();
        self.participants
            .extend(text.lines().filter_map(parse_participant));
        self.participants.len() - before
    }

    /// False if there is no participant `i`.
    pub fn remove_participant(&mut self, i: usize) -> bool {
        if i >= self.participants.len() {
            return false;
        }
        self.participants.remove(i);
        true
    }
}

#[cfg(test)]
#[path = "participants_tests.rs"]
mod tests;
