//! The home screen: the sessions, newest first, search across all of
//! them, and the trash. Loading and searching happen on other threads;
//! this state only asks for them (effects) and shows what comes back.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use super::keymap::{self, Command, Context};
use crate::search::Hit;
use crate::store::Summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Sessions,
    Search,
    Trash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeModal {
    Help,
    ConfirmTrash {
        path: PathBuf,
        title: crate::model::Label,
    },
    ConfirmEmptyTrash,
}

/// How a session is to be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenMode {
    Capture,
    /// The setup screen first (a new session).
    Setup,
    /// The review screen, at an entry if one is given.
    Review {
        entry: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum HomeEffect {
    /// Read the folder again (sessions, bad files, trash, search index).
    Load,
    /// Run a search; the answer comes back with the same generation.
    Search {
        generation: u64,
        query: String,
    },
    Trash(PathBuf),
    Restore(PathBuf),
    /// Remove these trashed sessions (what the trash showed) for good.
    EmptyTrash(Vec<PathBuf>),
    Open {
        path: PathBuf,
        mode: OpenMode,
    },
    New,
}

#[derive(Debug, Clone)]
pub struct BadFile {
    pub path: PathBuf,
    pub error: String,
}

#[derive(Debug)]
pub enum HomeAction {
    Key(KeyEvent),
    Paste(String),
    Loaded {
        sessions: Vec<Summary>,
        bad: Vec<BadFile>,
        trash: Vec<PathBuf>,
    },
    Results {
        generation: u64,
        hits: Vec<Hit>,
        total: usize,
    },
    /// A trash, restore or empty finished: what to say about it.
    Done(Result<String, String>),
}

pub struct Home {
    pub pane: Pane,
    pub loading: bool,
    pub sessions: Vec<Summary>,
    pub bad: Vec<BadFile>,
    pub trash: Vec<PathBuf>,
    /// Index into `sessions`, then `bad` (shown after the sessions).
    pub selected: usize,
    pub trash_selected: usize,
    pub query: TextArea<'static>,
    pub generation: u64,
    pub answered: u64,
    pub hits: Vec<Hit>,
    pub total: usize,
    pub hit_selected: usize,
    pub modal: Option<HomeModal>,
    pub notice: Option<String>,
    pub quit: bool,
    pub effects: Vec<HomeEffect>,
}

impl Default for Home {
    fn default() -> Self {
        Home::new()
    }
}

impl Home {
    pub fn new() -> Home {
        let mut query = TextArea::default();
        query.set_cursor_line_style(ratatui::style::Style::default());
        query.set_placeholder_text("type to search every session");
        Home {
            pane: Pane::Sessions,
            loading: true,
            sessions: Vec::new(),
            bad: Vec::new(),
            trash: Vec::new(),
            selected: 0,
            trash_selected: 0,
            query,
            generation: 0,
            answered: 0,
            hits: Vec::new(),
            total: 0,
            hit_selected: 0,
            modal: None,
            notice: None,
            quit: false,
            effects: vec![HomeEffect::Load],
        }
    }

    pub fn take_effects(&mut self) -> Vec<HomeEffect> {
        std::mem::take(&mut self.effects)
    }

    pub fn query_text(&self) -> String {
        self.query.lines().join(" ")
    }

    pub fn searching(&self) -> bool {
        self.answered < self.generation
    }

    pub fn selected_session(&self) -> Option<&Summary> {
        self.sessions.get(self.selected)
    }

    pub fn context(&self) -> Context {
        match self.pane {
            Pane::Sessions => Context::Home,
            Pane::Search => Context::Search,
            Pane::Trash => Context::Trash,
        }
    }
}

/// What the home screen says of a session whose id another file of the
/// folder carries too: both rows get it, naming the other file.
pub fn same_id_note(s: &Summary) -> Option<String> {
    let name = |p: &std::path::Path| {
        p.file_name()
            .unwrap_or(p.as_os_str())
            .to_string_lossy()
            .into_owned()
    };
    match s.same_id_as.as_slice() {
        [] => None,
        [other] => Some(format!("⚠ DUPLICATE: same id as {}", name(other))),
        [other, rest @ ..] => Some(format!(
            "⚠ DUPLICATE: same id as {} and {} more",
            name(other),
            rest.len()
        )),
    }
}

pub fn update(home: &mut Home, action: HomeAction) {
    match action {
        HomeAction::Key(k) => {
            if k.kind == KeyEventKind::Press {
                on_key(home, k);
            }
        }
        HomeAction::Paste(text) => {
            if home.pane == Pane::Search && home.modal.is_none() {
                let line: String = text
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                home.query
                    .insert_str(crate::model::display::for_edit_box(&line));
                ask(home);
            }
        }
        HomeAction::Loaded {
            sessions,
            bad,
            trash,
        } => {
            home.loading = false;
            home.sessions = sessions;
            home.bad = bad;
            home.trash = trash;
            // The most recent unfinished session is what one resumes.
            home.selected = home
                .sessions
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.ended && !s.read_only)
                .max_by_key(|(_, s)| s.updated.instant)
                .map(|(i, _)| i)
                .unwrap_or(0);
            home.trash_selected = home.trash_selected.min(home.trash.len().saturating_sub(1));
            if !home.query_text().trim().is_empty() {
                ask(home);
            }
        }
        HomeAction::Results {
            generation,
            hits,
            total,
        } => {
            // An answer to an older query is stale: a newer one is coming.
            if generation >= home.answered && generation <= home.generation {
                home.answered = generation;
                home.hits = hits;
                home.total = total;
                home.hit_selected = home.hit_selected.min(home.hits.len().saturating_sub(1));
            }
        }
        HomeAction::Done(r) => {
            home.notice = Some(match r {
                Ok(m) => m,
                Err(e) => e,
            });
            home.effects.push(HomeEffect::Load);
        }
    }
}

fn ask(home: &mut Home) {
    home.generation += 1;
    home.hit_selected = 0;
    home.effects.push(HomeEffect::Search {
        generation: home.generation,
        query: home.query_text(),
    });
}

fn on_key(home: &mut Home, k: KeyEvent) {
    if let Some(m) = home.modal.clone() {
        let yes = matches!(k.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter);
        let no = matches!(k.code, KeyCode::Char('n' | 'N') | KeyCode::Esc);
        match m {
            HomeModal::Help => {
                if matches!(
                    k.code,
                    KeyCode::Esc | KeyCode::F(1) | KeyCode::Char('q') | KeyCode::Enter
                ) {
                    home.modal = None;
                }
            }
            HomeModal::ConfirmTrash { path, .. } => {
                if yes {
                    home.effects.push(HomeEffect::Trash(path));
                    home.modal = None;
                } else if no {
                    home.modal = None;
                }
            }
            HomeModal::ConfirmEmptyTrash => {
                // Emptying the trash is the one irreversible act: only an
                // explicit y will do.
                if matches!(k.code, KeyCode::Char('y' | 'Y')) {
                    home.effects
                        .push(HomeEffect::EmptyTrash(home.trash.clone()));
                    home.modal = None;
                } else if no {
                    home.modal = None;
                }
            }
        }
        return;
    }
    home.notice = None;
    let Some(cmd) = keymap::lookup(home.context(), &k) else {
        if home.pane == Pane::Search {
            let is_text = !k
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                || matches!(k.code, KeyCode::Backspace | KeyCode::Delete);
            if is_text && home.query.input(k) {
                ask(home);
            }
        }
        return;
    };
    use Command::*;
    match cmd {
        Quit => home.quit = true,
        Help => home.modal = Some(HomeModal::Help),
        Up | SelectUp => move_selection(home, -1),
        Down | SelectDown => move_selection(home, 1),
        PageUp => move_selection(home, -10),
        PageDown => move_selection(home, 10),
        SelectFirst => move_selection(home, isize::MIN / 2),
        SelectLast => move_selection(home, isize::MAX / 2),
        Confirm => match home.pane {
            Pane::Sessions => {
                if let Some(s) = home.selected_session() {
                    let mode = if s.ended {
                        OpenMode::Review { entry: None }
                    } else {
                        OpenMode::Capture
                    };
                    home.effects.push(HomeEffect::Open {
                        path: s.path.clone(),
                        mode,
                    });
                }
            }
            Pane::Search => {
                if let Some(h) = home.hits.get(home.hit_selected) {
                    home.effects.push(HomeEffect::Open {
                        path: h.path.to_path_buf(),
                        mode: OpenMode::Review {
                            entry: Some(h.entry_id.clone()),
                        },
                    });
                }
            }
            Pane::Trash => {
                if let Some(p) = home.trash.get(home.trash_selected) {
                    home.effects.push(HomeEffect::Restore(p.clone()));
                }
            }
        },
        NewSession => home.effects.push(HomeEffect::New),
        StartSearch => {
            home.pane = Pane::Search;
            if !home.query_text().trim().is_empty() {
                ask(home);
            }
        }
        TrashSession => {
            if let Some(s) = home.selected_session() {
                home.modal = Some(HomeModal::ConfirmTrash {
                    path: s.path.clone(),
                    title: s.title.clone(),
                });
            }
        }
        ShowTrash => {
            home.pane = if home.pane == Pane::Trash {
                Pane::Sessions
            } else {
                Pane::Trash
            };
        }
        EmptyTrash if !home.trash.is_empty() => {
            home.modal = Some(HomeModal::ConfirmEmptyTrash);
        }
        Cancel => home.pane = Pane::Sessions,
        _ => {}
    }
}

fn move_selection(home: &mut Home, delta: isize) {
    let (sel, n) = match home.pane {
        Pane::Sessions => (&mut home.selected, home.sessions.len()),
        Pane::Search => (&mut home.hit_selected, home.hits.len()),
        Pane::Trash => (&mut home.trash_selected, home.trash.len()),
    };
    if n == 0 {
        *sel = 0;
        return;
    }
    *sel = (*sel as isize)
        .saturating_add(delta)
        .clamp(0, n as isize - 1) as usize;
}
