//! Every free-text field of a session that a report may show, with a
//! name for it that the user can find it by.

use std::fmt;

use crate::model::display::{Shown, sanitize_line};
use crate::model::{Label, Session};

/// Where a piece of text is, for counts and warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    Title,
    Location,
    Organizers,
    Themes,
    BlockTitle(usize),
    Question(usize),
    /// Block number (from 1) and entry id.
    Text(usize, String),
    Tag(usize, String),
    Addressee(usize, String),
    Reference(usize, String),
}

impl Place {
    /// The field, for a count of what was replaced in it.
    pub fn field(&self) -> &'static str {
        match self {
            Place::Title => "the title",
            Place::Location => "the place",
            Place::Organizers => "organizers",
            Place::Themes => "themes",
            Place::BlockTitle(_) => "block titles",
            Place::Question(_) => "guiding questions",
            Place::Text(..) => "entry text",
            Place::Tag(..) => "tags",
            Place::Addressee(..) => "addressees",
            Place::Reference(..) => "references",
        }
    }

    /// Fields whose words are someone's free text, where a name the app
    /// does not know could hide (tags and themes are single words, and
    /// organizers are organizations by definition).
    pub fn is_prose(&self) -> bool {
        !matches!(self, Place::Organizers | Place::Themes | Place::Tag(..))
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = |id: &str| sanitize_line(id).into_owned();
        match self {
            Place::Title => write!(f, "the title"),
            Place::Location => write!(f, "the place"),
            Place::Organizers => write!(f, "the organizers"),
            Place::Themes => write!(f, "the themes"),
            Place::BlockTitle(b) => write!(f, "the title of block {b}"),
            Place::Question(b) => write!(f, "a guiding question of block {b}"),
            Place::Text(b, e) => write!(f, "entry {} in block {b}", id(e)),
            Place::Tag(b, e) => write!(f, "a tag of entry {} in block {b}", id(e)),
            Place::Addressee(b, e) => write!(f, "the addressee of entry {} in block {b}", id(e)),
            Place::Reference(b, e) => write!(f, "the reference of entry {} in block {b}", id(e)),
        }
    }
}

/// Calls `f` with every free-text field of `s` but the people's own
/// (facilitator, rapporteur, participants, speakers), which anonymizing
/// removes whole; a field becomes what `f` returns, when it returns text.
pub(super) fn visit(s: &mut Session, mut f: impl FnMut(&Place, &str) -> Option<String>) {
    fn one<const L: bool>(
        v: &mut Shown<L>,
        place: &Place,
        f: &mut impl FnMut(&Place, &str) -> Option<String>,
    ) {
        if let Some(new) = f(place, v.raw()) {
            v.set(new);
        }
    }
    fn list(v: &mut [Label], place: &Place, f: &mut impl FnMut(&Place, &str) -> Option<String>) {
        for l in v {
            one(l, place, f);
        }
    }
    one(&mut s.title, &Place::Title, &mut f);
    one(&mut s.location, &Place::Location, &mut f);
    list(&mut s.organizers, &Place::Organizers, &mut f);
    list(&mut s.themes, &Place::Themes, &mut f);
    for (i, b) in s.blocks.iter_mut().enumerate() {
        let n = i + 1;
        one(&mut b.title, &Place::BlockTitle(n), &mut f);
        list(&mut b.guiding_questions, &Place::Question(n), &mut f);
        for e in &mut b.entries {
            one(&mut e.text, &Place::Text(n, e.id.clone()), &mut f);
            list(&mut e.tags, &Place::Tag(n, e.id.clone()), &mut f);
            if let Some(a) = &mut e.addressee {
                one(a, &Place::Addressee(n, e.id.clone()), &mut f);
            }
            if let Some(r) = &mut e.reference {
                one(r, &Place::Reference(n, e.id.clone()), &mut f);
            }
        }
    }
}
