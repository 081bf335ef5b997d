//! The agenda: blocks, and the operations the setup screen offers on
//! them. None of them does any UI work; they report what happened, and
//! the caller says it to the rapporteur.

use serde::{Deserialize, Serialize};

use super::{
    Entry, Extra, Kind, Label, Run, SCHEMA_VERSION, Session, Stamp, Template, new_id, preview,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub id: String,
    #[serde(default)]
    pub title: Label,
    #[serde(default)]
    pub planned_minutes: u32,
    #[serde(default)]
    pub guiding_questions: Vec<Label>,
    /// Each stretch of time the block was running. The last run has no
    /// `end` while the block is running.
    #[serde(default)]
    pub runs: Vec<Run>,
    /// Seconds spent in closed runs; kept in the file so that other tools
    /// need not add up the runs themselves.
    #[serde(default)]
    pub spent_seconds: i64,
    #[serde(default, deserialize_with = "preview::entries")]
    pub entries: Vec<Entry>,
    /// How many earlier entries come before `entries[0]` but were not
    /// read: always 0, except in a first-frame preview drawn from the
    /// first-screen record (`store::screen`), which is never kept.
    #[serde(skip)]
    pub unloaded: usize,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Block {
    pub fn new(id: impl Into<String>, title: impl Into<Label>, planned_minutes: u32) -> Self {
        Block {
            id: id.into(),
            title: title.into(),
            planned_minutes,
            guiding_questions: Vec::new(),
            runs: Vec::new(),
            spent_seconds: 0,
            entries: Vec::new(),
            unloaded: 0,
            extra: Extra::new(),
        }
    }

    pub fn planned_seconds(&self) -> i64 {
        i64::from(self.planned_minutes) * 60
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }
}

/// What [`Session::remove_block`] did with the removed block's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRemoved {
    /// The index, after the removal, of the block that took the entries.
    pub heir: usize,
    /// How many entries moved there.
    pub moved: usize,
}

/// An agenda that already holds entries is not replaced wholesale: the
/// record would lose the blocks its entries belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("This session already has entries: edit its agenda instead of replacing it.")]
pub struct HasEntries;

/// The most a block may be planned for: one day.
const MAX_MINUTES: u32 = 24 * 60;

impl Session {
    pub fn from_template(template: &Template, title: Option<&str>, now: Stamp) -> Session {
        let title = title
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(Label::from)
            .unwrap_or_else(|| template.session_title.clone());
        let blocks: Vec<Block> = template
            .blocks
            .iter()
            .map(|b| {
                let mut block = Block::new(b.id.clone(), b.title.clone(), b.planned_minutes);
                block.guiding_questions = b.guiding_questions.clone();
                block
            })
            .collect();
        Session {
            schema_version: SCHEMA_VERSION,
            id: new_id(),
            title,
            date: Some(now.date()),
            location: Label::default(),
            organizers: Vec::new(),
            facilitator: Label::default(),
            rapporteur: Label::default(),
            participants: Vec::new(),
            themes: template.themes.clone(),
            created: now,
            updated: now,
            current_block: blocks.first().map(|b| b.id.clone()),
            paused_at: None,
            ended: None,
            journal_seq: 0,
            blocks,
            extra: Extra::new(),
        }
    }

    /// Index of the running block. A missing or unknown id falls back to the
    /// first block, so a hand-edited file still opens.
    pub fn current_index(&self) -> usize {
        self.current_block
            .as_deref()
            .and_then(|id| self.block_index(id))
            .unwrap_or(0)
    }

    pub fn block_index(&self, id: &str) -> Option<usize> {
        self.blocks.iter().position(|b| b.id == id)
    }

    /// Resolves a block given as a 1-based number or an id.
    pub fn find_block(&self, spec: &str) -> Option<usize> {
        let spec = spec.trim();
        if let Ok(n) = spec.parse::<usize>() {
            return (1..=self.blocks.len()).contains(&n).then(|| n - 1);
        }
        self.block_index(spec)
    }

    pub fn planned_seconds(&self) -> i64 {
        self.blocks
            .iter()
            .map(Block::planned_seconds)
            .fold(0, i64::saturating_add)
    }

    /// Inserts a 30-minute "New block" after block `after` (first, in an
    /// empty agenda) with an id no other block has, and returns its index.
    pub fn add_block(&mut self, after: usize) -> usize {
        let at = if self.blocks.is_empty() {
            0
        } else {
            (after + 1).min(self.blocks.len())
        };
        let mut n = self.blocks.len() + 1;
        let id = loop {
            let id = format!("block-{n}");
            if self.block_index(&id).is_none() {
                break id;
            }
            n += 1;
        };
        self.blocks.insert(at, Block::new(id, "New block", 30));
        if self.current_block.is_none() {
            self.current_block = Some(self.blocks[0].id.clone());
        }
        at
    }

    /// Removes block `i`. Its entries are never dropped: they move to the
    /// block before it (the one after, for the first block), in time
    /// order. The last block is never removed, a session needs one; then,
    /// and for an index out of range, nothing changes and `None` comes back.
    pub fn remove_block(&mut self, i: usize, now: Stamp) -> Option<BlockRemoved> {
        if i >= self.blocks.len() || self.blocks.len() < 2 {
            return None;
        }
        let was_current = self.current_index() == i;
        if was_current {
            self.stop_clock(now);
        }
        let removed = self.blocks.remove(i);
        let heir = i.saturating_sub(1).min(self.blocks.len() - 1);
        let moved = removed.entries.len();
        let dest = &mut self.blocks[heir].entries;
        dest.extend(removed.entries);
        dest.sort_by_key(|e| e.created.instant);
        if was_current {
            self.current_block = Some(self.blocks[heir].id.clone());
            self.start_clock(now);
        }
        Some(BlockRemoved { heir, moved })
    }

    /// Swaps block `i` with its neighbour below (or above); the block's
    /// new index, or `None` at the end of the agenda.
    pub fn move_block(&mut self, i: usize, down: bool) -> Option<usize> {
        let j = if down {
            i.checked_add(1)?
        } else {
            i.checked_sub(1)?
        };
        if i >= self.blocks.len() || j >= self.blocks.len() {
            return None;
        }
        self.blocks.swap(i, j);
        Some(j)
    }

    /// Five minutes more or less for block `i`, between none and a day;
    /// false if there is no such block.
    pub fn step_minutes(&mut self, i: usize, up: bool) -> bool {
        let Some(b) = self.blocks.get_mut(i) else {
            return false;
        };
        b.planned_minutes = if up {
            b.planned_minutes.saturating_add(5).min(MAX_MINUTES)
        } else {
            b.planned_minutes.saturating_sub(5)
        };
        true
    }

    /// Block `i`'s title from its edit box (see [`Label::from_edit`]); an
    /// empty title keeps the old one. False when nothing changed.
    pub fn set_block_title(&mut self, i: usize, text: &str) -> bool {
        let t = text.trim();
        match self.blocks.get_mut(i) {
            Some(b) if !t.is_empty() => {
                b.title = Label::from_edit(t, std::slice::from_ref(&b.title));
                true
            }
            _ => false,
        }
    }

    /// Block `i`'s guiding questions from their edit box, one a line,
    /// blank lines dropped. False if there is no such block.
    pub fn set_questions(&mut self, i: usize, text: &str) -> bool {
        let Some(b) = self.blocks.get_mut(i) else {
            return false;
        };
        let given = std::mem::take(&mut b.guiding_questions);
        b.guiding_questions = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| Label::from_edit(l, &given))
            .collect();
        true
    }

    /// Replaces the agenda and themes with `template`'s, while no block
    /// has entries; the clock restarts on the first block.
    pub fn apply_template(&mut self, template: &Template, now: Stamp) -> Result<(), HasEntries> {
        if self.entry_count() > 0 {
            return Err(HasEntries);
        }
        self.stop_clock(now);
        let fresh = Session::from_template(template, None, now);
        self.blocks = fresh.blocks;
        self.themes = fresh.themes;
        self.current_block = self.blocks.first().map(|b| b.id.clone());
        self.start_clock(now);
        Ok(())
    }
}

#[cfg(test)]
#[path = "agenda_tests.rs"]
mod tests;
