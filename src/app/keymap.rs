//! Every key the app binds, in one table. The update function looks keys
//! up here and the help overlay (F1) lists this same table, so the two
//! cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the focus is; the same key means different things in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Every screen of an open session.
    Global,
    /// The capture screen, whichever pane has the focus.
    Capture,
    Editor,
    Entries,
    /// The setup screen, whichever field has the focus.
    Setup,
    /// The participants list and the agenda list of the setup screen.
    SetupList,
    /// The agenda list only.
    Agenda,
    /// The home screen's list of sessions.
    Home,
    /// The home screen while searching.
    Search,
    /// The home screen's trash.
    Trash,
    /// The review screen's entries.
    Review,
    /// The review screen's recommendations pane.
    Recommendations,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Anywhere",
            Context::Capture => "Capture screen",
            Context::Editor => "Entry editor",
            Context::Entries => "Entries (after Esc)",
            Context::Setup => "Setup screen (Ctrl+E)",
            Context::SetupList => "Participants and agenda lists",
            Context::Agenda => "Agenda list",
            Context::Home => "Home screen",
            Context::Search => "Search (/ on the home screen)",
            Context::Trash => "Trash (t on the home screen)",
            Context::Review => "Review screen (F2)",
            Context::Recommendations => "Review: recommendations pane (Tab)",
        }
    }

    /// The contexts searched after this one, most specific first.
    fn chain(self) -> &'static [Context] {
        use Context::*;
        match self {
            Global => &[Global],
            Capture => &[Capture, Global],
            Editor => &[Editor, Capture, Global],
            Entries => &[Entries, Capture, Global],
            Setup => &[Setup, Global],
            SetupList => &[SetupList, Setup, Global],
            Agenda => &[Agenda, SetupList, Setup, Global],
            Home => &[Home, Global],
            Search => &[Search, Global],
            Trash => &[Trash, Global],
            Review => &[Review, Global],
            Recommendations => &[Recommendations, Global],
        }
    }

    /// The order the help overlay lists them in.
    pub const HELP_ORDER: [Context; 9] = [
        Context::Editor,
        Context::Entries,
        Context::Capture,
        Context::Review,
        Context::Recommendations,
        Context::Setup,
        Context::SetupList,
        Context::Agenda,
        Context::Global,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Commit,
    NewLine,
    TabComplete,
    NextBlock,
    PrevBlock,
    FocusEntries,
    FocusEditor,
    SaveNow,
    Quit,
    Help,
    ToggleQuestions,
    SelectUp,
    SelectDown,
    SelectFirst,
    SelectLast,
    PageUp,
    PageDown,
    EditEntry,
    ChangeKind,
    MoveEntry,
    DeleteEntry,
    UndoDelete,
    OpenSetup,
    TogglePause,
    ToggleBell,
    // Setup screen.
    NextField,
    PrevField,
    Confirm,
    Cancel,
    Up,
    Down,
    Add,
    Remove,
    MoveUp,
    MoveDown,
    MinutesUp,
    MinutesDown,
    EditQuestions,
    ChoosePrev,
    ChooseNext,
    // Home screen.
    NewSession,
    StartSearch,
    TrashSession,
    ShowTrash,
    EmptyTrash,
    // Review screen.
    OpenReview,
    EndSession,
    FilterKind,
    FilterSpeaker,
    FilterTag,
    ClearFilters,
    Export,
    BackToCapture,
    EditAddressee,
    EditReference,
    CycleStatus,
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::ALT,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    /// How the help overlay names the keys.
    pub label: &'static str,
    pub command: Command,
    pub help: &'static str,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    label: &'static str,
    command: Command,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        label,
        command,
        help,
    }
}

const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::SHIFT,
    }
}

use Command as C;
use Context::{
    Agenda, Capture, Editor, Entries, Global, Home, Recommendations, Review, Search, Setup,
    SetupList, Trash,
};

#[rustfmt::skip]
pub const KEYMAP: &[Binding] = &[
    bind(Global, &[ctrl('s')], "Ctrl+S", C::SaveNow, "save now (the app also saves by itself)"),
    bind(Global, &[ctrl('q')], "Ctrl+Q", C::Quit, "save and quit"),
    bind(Global, &[key(KeyCode::F(1))], "F1", C::Help, "this help"),
    bind(Capture, &[ctrl('n')], "Ctrl+N", C::NextBlock, "next block (stops this block's clock, starts the next)"),
    bind(Capture, &[ctrl('p')], "Ctrl+P", C::PrevBlock, "previous block"),
    bind(Capture, &[ctrl('t')], "Ctrl+T", C::TogglePause, "pause or resume the clock (breaks are not counted)"),
    bind(Capture, &[ctrl('g')], "Ctrl+G", C::ToggleQuestions, "show or hide the guiding questions"),
    bind(Capture, &[ctrl('e')], "Ctrl+E", C::OpenSetup, "session setup: details, participants, agenda"),
    bind(Capture, &[ctrl('b')], "Ctrl+B", C::ToggleBell, "switch the overrun bell off or on"),
    bind(Capture, &[key(KeyCode::F(2))], "F2", C::OpenReview, "review: every entry, filters, recommendations, reports"),
    bind(Capture, &[key(KeyCode::F(10))], "F10", C::EndSession, "end the session (asks first; it can be reopened)"),
    bind(Editor, &[key(KeyCode::Enter)], "Enter", C::Commit, "commit the entry to the current block"),
    bind(Editor, &[alt(KeyCode::Enter), shift(KeyCode::Enter)], "Alt+Enter", C::NewLine, "line break inside the entry"),
    bind(Editor, &[key(KeyCode::Tab)], "Tab", C::TabComplete, "cycle the kind; after @ complete a speaker, after # a tag"),
    bind(Editor, &[key(KeyCode::Esc)], "Esc", C::FocusEntries, "move the focus to the entries"),
    bind(Entries, &[key(KeyCode::Up)], "↑", C::SelectUp, "select the entry above"),
    bind(Entries, &[key(KeyCode::Down)], "↓", C::SelectDown, "select the entry below"),
    bind(Entries, &[key(KeyCode::PageUp)], "PgUp", C::PageUp, "ten entries up"),
    bind(Entries, &[key(KeyCode::PageDown)], "PgDn", C::PageDown, "ten entries down"),
    bind(Entries, &[key(KeyCode::Home)], "Home", C::SelectFirst, "first entry"),
    bind(Entries, &[key(KeyCode::End)], "End", C::SelectLast, "last entry"),
    bind(Entries, &[key(KeyCode::Char('e'))], "e", C::EditEntry, "edit the entry in the editor (Enter saves the change)"),
    bind(Entries, &[key(KeyCode::Char('k'))], "k", C::ChangeKind, "change the entry's kind"),
    bind(Entries, &[key(KeyCode::Char('m'))], "m", C::MoveEntry, "move the entry to another block"),
    bind(Entries, &[key(KeyCode::Char('d')), key(KeyCode::Delete)], "d", C::DeleteEntry, "delete the entry (asks first)"),
    bind(Entries, &[key(KeyCode::Char('u'))], "u", C::UndoDelete, "undo the last delete"),
    bind(Entries, &[key(KeyCode::Enter), key(KeyCode::Char('i')), key(KeyCode::Esc)], "Enter, i", C::FocusEditor, "back to the editor"),
    bind(Setup, &[key(KeyCode::Tab)], "Tab", C::NextField, "next field"),
    bind(Setup, &[key(KeyCode::BackTab), shift(KeyCode::BackTab), shift(KeyCode::Tab)], "Shift+Tab", C::PrevField, "previous field"),
    bind(Setup, &[key(KeyCode::Enter)], "Enter", C::Confirm, "confirm; on Start, start the session"),
    bind(Setup, &[key(KeyCode::Esc)], "Esc", C::Cancel, "cancel an edit; otherwise go to the capture screen"),
    bind(Setup, &[key(KeyCode::Up)], "↑", C::Up, "previous row or field"),
    bind(Setup, &[key(KeyCode::Down)], "↓", C::Down, "next row or field"),
    bind(Setup, &[key(KeyCode::Left)], "←", C::ChoosePrev, "on Template: the previous template"),
    bind(Setup, &[key(KeyCode::Right)], "→", C::ChooseNext, "on Template: the next template"),
    bind(SetupList, &[key(KeyCode::Char('a')), key(KeyCode::Insert)], "a", C::Add, "add a row (paste \"Name, Organization\" lines to add many)"),
    bind(SetupList, &[key(KeyCode::Char('d')), key(KeyCode::Delete)], "d, Del", C::Remove, "remove the row (a block with entries asks first)"),
    bind(Agenda, &[alt(KeyCode::Up), shift(KeyCode::Up)], "Alt+↑", C::MoveUp, "move the block up"),
    bind(Agenda, &[alt(KeyCode::Down), shift(KeyCode::Down)], "Alt+↓", C::MoveDown, "move the block down"),
    bind(Agenda, &[key(KeyCode::Char('+'))], "+", C::MinutesUp, "five more planned minutes"),
    bind(Agenda, &[key(KeyCode::Char('-'))], "-", C::MinutesDown, "five fewer planned minutes"),
    bind(Agenda, &[key(KeyCode::Char('q'))], "q", C::EditQuestions, "edit the guiding questions, one a line"),
    bind(Home, &[key(KeyCode::Up)], "↑", C::Up, "previous session"),
    bind(Home, &[key(KeyCode::Down)], "↓", C::Down, "next session"),
    bind(Home, &[key(KeyCode::PageUp)], "PgUp", C::PageUp, "ten up"),
    bind(Home, &[key(KeyCode::PageDown)], "PgDn", C::PageDown, "ten down"),
    bind(Home, &[key(KeyCode::Home)], "Home", C::SelectFirst, "newest"),
    bind(Home, &[key(KeyCode::End)], "End", C::SelectLast, "oldest"),
    bind(Home, &[key(KeyCode::Enter)], "Enter", C::Confirm, "open: capture if the session is running, review if it has ended"),
    bind(Home, &[key(KeyCode::Char('n'))], "n", C::NewSession, "new session"),
    bind(Home, &[key(KeyCode::Char('/'))], "/", C::StartSearch, "search every session"),
    bind(Home, &[key(KeyCode::Char('d')), key(KeyCode::Delete)], "d", C::TrashSession, "move the session to the trash (asks first)"),
    bind(Home, &[key(KeyCode::Char('t'))], "t", C::ShowTrash, "show the trash"),
    bind(Search, &[key(KeyCode::Up)], "↑", C::Up, "previous result"),
    bind(Search, &[key(KeyCode::Down)], "↓", C::Down, "next result"),
    bind(Search, &[key(KeyCode::PageUp)], "PgUp", C::PageUp, "ten up"),
    bind(Search, &[key(KeyCode::PageDown)], "PgDn", C::PageDown, "ten down"),
    bind(Search, &[key(KeyCode::Enter)], "Enter", C::Confirm, "open the session at that entry"),
    bind(Search, &[key(KeyCode::Esc)], "Esc", C::Cancel, "back to the sessions"),
    bind(Trash, &[key(KeyCode::Up)], "↑", C::Up, "previous"),
    bind(Trash, &[key(KeyCode::Down)], "↓", C::Down, "next"),
    bind(Trash, &[key(KeyCode::Enter), key(KeyCode::Char('r'))], "Enter, r", C::Confirm, "restore the session"),
    bind(Trash, &[key(KeyCode::Char('E'))], "E", C::EmptyTrash, "empty the trash for good (asks first)"),
    bind(Trash, &[key(KeyCode::Esc), key(KeyCode::Char('t'))], "Esc, t", C::Cancel, "back to the sessions"),
    bind(Review, &[key(KeyCode::Up)], "↑", C::SelectUp, "previous entry"),
    bind(Review, &[key(KeyCode::Down)], "↓", C::SelectDown, "next entry"),
    bind(Review, &[key(KeyCode::PageUp)], "PgUp", C::PageUp, "ten up"),
    bind(Review, &[key(KeyCode::PageDown)], "PgDn", C::PageDown, "ten down"),
    bind(Review, &[key(KeyCode::Home)], "Home", C::SelectFirst, "first entry"),
    bind(Review, &[key(KeyCode::End)], "End", C::SelectLast, "last entry"),
    bind(Review, &[key(KeyCode::Tab), key(KeyCode::BackTab), shift(KeyCode::BackTab)], "Tab", C::NextField, "the recommendations pane"),
    bind(Review, &[key(KeyCode::Char('e'))], "e", C::EditEntry, "edit the entry (Enter saves the change)"),
    bind(Review, &[key(KeyCode::Char('k'))], "k", C::ChangeKind, "change its kind"),
    bind(Review, &[key(KeyCode::Char('m'))], "m", C::MoveEntry, "move it to another block"),
    bind(Review, &[key(KeyCode::Char('d')), key(KeyCode::Delete)], "d", C::DeleteEntry, "delete it (asks first)"),
    bind(Review, &[key(KeyCode::Char('u'))], "u", C::UndoDelete, "undo the last delete"),
    bind(Review, &[key(KeyCode::Char('f'))], "f", C::FilterKind, "filter by kind (again for the next, then all)"),
    bind(Review, &[key(KeyCode::Char('s'))], "s", C::FilterSpeaker, "filter by speaker"),
    bind(Review, &[key(KeyCode::Char('#'))], "#", C::FilterTag, "filter by tag"),
    bind(Review, &[key(KeyCode::Backspace)], "Backspace", C::ClearFilters, "clear the filters"),
    bind(Review, &[key(KeyCode::Char('x'))], "x", C::Export, "write a report: md, html, csv or json, anonymized or not"),
    bind(Review, &[key(KeyCode::Char('c')), key(KeyCode::F(2))], "c, F2", C::BackToCapture, "the capture screen (an ended session asks to reopen)"),
    bind(Recommendations, &[key(KeyCode::Up)], "↑", C::SelectUp, "previous recommendation"),
    bind(Recommendations, &[key(KeyCode::Down)], "↓", C::SelectDown, "next recommendation"),
    bind(Recommendations, &[key(KeyCode::Tab), key(KeyCode::BackTab), shift(KeyCode::BackTab)], "Tab", C::NextField, "back to the entries"),
    bind(Recommendations, &[key(KeyCode::Char('a')), key(KeyCode::Enter)], "a, Enter", C::EditAddressee, "edit who should act on it"),
    bind(Recommendations, &[key(KeyCode::Char('r'))], "r", C::EditReference, "edit its reference (an article of the draft)"),
    bind(Recommendations, &[key(KeyCode::Char('s'))], "s", C::CycleStatus, "status: proposed, supported, contested, none"),
    bind(Recommendations, &[key(KeyCode::Char('e'))], "e", C::EditEntry, "edit its text"),
    bind(Recommendations, &[key(KeyCode::Char('x'))], "x", C::Export, "write a report"),
    bind(Recommendations, &[key(KeyCode::Char('c')), key(KeyCode::F(2))], "c, F2", C::BackToCapture, "the capture screen"),
];

/// The command bound to `ev` in `context`, falling back to the global
/// bindings.
pub fn lookup(context: Context, ev: &KeyEvent) -> Option<Command> {
    let matches = |k: &Key| match (k.code, ev.code) {
        // Terminals report Ctrl+N as 'n' or 'N' depending on Shift, so
        // Shift only counts through the letter itself.
        (KeyCode::Char(a), KeyCode::Char(b)) => {
            a.eq_ignore_ascii_case(&b)
                && (ev.modifiers - KeyModifiers::SHIFT) == (k.mods - KeyModifiers::SHIFT)
        }
        (a, b) => a == b && ev.modifiers == k.mods,
    };
    context.chain().iter().find_map(|&ctx| {
        KEYMAP
            .iter()
            .filter(|b| b.context == ctx)
            .find(|b| b.keys.iter().any(matches))
            .map(|b| b.command)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_resolve_by_context() {
        assert_eq!(
            lookup(Editor, &ev(KeyCode::Enter, KeyModifiers::NONE)),
            Some(C::Commit)
        );
        assert_eq!(
            lookup(Editor, &ev(KeyCode::Enter, KeyModifiers::ALT)),
            Some(C::NewLine)
        );
        assert_eq!(
            lookup(Entries, &ev(KeyCode::Enter, KeyModifiers::NONE)),
            Some(C::FocusEditor)
        );
        assert_eq!(
            lookup(Entries, &ev(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            Some(C::NextBlock)
        );
        assert_eq!(
            lookup(
                Editor,
                &ev(
                    KeyCode::Char('N'),
                    KeyModifiers::CONTROL | KeyModifiers::SHIFT
                )
            ),
            Some(C::NextBlock)
        );
        // Plain letters in the editor are typing, not commands.
        assert_eq!(
            lookup(Editor, &ev(KeyCode::Char('e'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            lookup(Entries, &ev(KeyCode::Char('e'), KeyModifiers::NONE)),
            Some(C::EditEntry)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for a in KEYMAP {
            for b in KEYMAP {
                let related = a.context.chain().contains(&b.context)
                    || b.context.chain().contains(&a.context);
                if std::ptr::eq(a, b) || !related {
                    continue;
                }
                for ka in a.keys {
                    for kb in b.keys {
                        assert!(
                            !(ka.code == kb.code && ka.mods == kb.mods),
                            "{} and {} share a key",
                            a.label,
                            b.label
                        );
                    }
                }
            }
        }
    }
}
