//! Text from files is shown as text. Control characters, escape sequences
//! and bidi overrides are replaced with visible placeholders, so nothing
//! from a session file can drive the terminal, and the rapporteur still
//! sees that something odd is there.
//!
//! Session text carries its shown form from the moment it is loaded (see
//! [`Shown`], [`Text`] and [`Label`]); [`sanitize`] and [`sanitize_line`]
//! make it, and serve text that is not the session's: file names, error
//! messages. `crate::export::json::json_pretty` writes JSON that is as
//! safe to print, and `crate::ui::width` measures and cuts shown text.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Placeholder for C1 controls and bidi formatting characters, which have
/// no control picture of their own.
pub const OTHER_CONTROL: char = '⍰';

fn placeholder(c: char) -> Option<char> {
    match c {
        '\n' => None,
        // C0 controls have control pictures at U+2400 + code.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('␡'),
        '\u{80}'..='\u{9f}' => Some(OTHER_CONTROL),
        // Bidi embeddings, overrides and isolates ("Trojan Source"), and
        // the line and paragraph separators that some terminals act on.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' => {
            Some(OTHER_CONTROL)
        }
        _ => None,
    }
}

const ZWJ: char = '\u{200d}';

/// Whether [`clean`] would change anything in `s` (with `line`, a line
/// break counts too); for a zero-width joiner, whether it may (it stays
/// between two pictographs).
///
/// Every session field passes through here on load, so it looks at bytes
/// rather than characters: everything it looks for is an ASCII control or
/// starts with the UTF-8 lead byte 0xC2 (C1 controls) or 0xE2 (the joiner,
/// the separators and the bidi controls), and a lead byte is never part of
/// another character. A first pass over blocks of 32 bytes, which compiles
/// to vector instructions, finds the blocks holding such a byte at all
/// (about six times faster on session text than the exact test alone);
/// only those get the exact test.
pub(crate) fn needs_work(s: &str, line: bool) -> bool {
    const BLOCK: usize = 32;
    let b = s.as_bytes();
    let mut at = 0;
    for block in b.chunks_exact(BLOCK) {
        let mut suspect = false;
        for &c in block {
            suspect |= (c < 0x20) | (c == 0x7f) | (c == 0xc2) | (c == 0xe2);
        }
        if suspect && needs_work_in(b, at..at + BLOCK, line) {
            return true;
        }
        at += BLOCK;
    }
    needs_work_in(b, at..b.len(), line)
}

/// The exact test for the characters starting in `range` of `b`.
fn needs_work_in(b: &[u8], range: std::ops::Range<usize>, line: bool) -> bool {
    range.into_iter().any(|i| match b[i] {
        b'\n' => line,
        0..=0x1f | 0x7f => true,
        // U+0080..U+009F.
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (b.get(i + 1), b.get(i + 2)),
            // U+200D, U+2028..U+202E.
            (Some(0x80), Some(0x8d | 0xa8..=0xae))
            // U+2066..U+2069.
            | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// Emoji and other pictographs: what a zero-width joiner may join.
fn pictograph(c: char) -> bool {
    (c as u32) >= 0x2000 && !c.is_alphanumeric() && !c.is_whitespace()
}

/// Replaces controls, and zero-width joiners that do not join two
/// pictographs (a stray joiner makes some terminals merge the next symbol
/// drawn anywhere into its cell, which shifts columns).
fn clean(s: &str, newline: Option<char>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            out.push(newline.unwrap_or('\n'));
        } else if c == ZWJ {
            let joins = i > 0
                && pictograph(chars[i - 1])
                && chars.get(i + 1).is_some_and(|n| pictograph(*n));
            out.push(if joins { ZWJ } else { OTHER_CONTROL });
        } else {
            out.push(placeholder(c).unwrap_or(c));
        }
    }
    out
}

/// Keeps line breaks; replaces every other control with a placeholder.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !needs_work(s, false) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(clean(s, None))
}

/// For one-line places (titles, speakers, list rows): line breaks become
/// `⏎` as well.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    if !needs_work(s, true) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(clean(s, Some('⏎')))
}

/// Text pasted into an edit box. A text box hides C0 and C1 controls and
/// the bidi controls, but draws the line and paragraph separators and a
/// joiner between letters, which reach the terminal; these become their
/// placeholders, as the bidi controls do. Tabs and line breaks are left
/// as they are, and other controls to the caller, which drops them.
pub fn for_edit_box(s: &str) -> Cow<'_, str> {
    if !needs_work(s, false) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\t').map(sanitize).collect::<Vec<_>>().join("\t"))
}

/// Text from a session file together with the form it is shown in,
/// made once when the value is made (loaded, typed or set) rather than at
/// every draw. `LINE` says where it is shown: on one line (`⏎` for line
/// breaks, see [`Label`]) or over several (see [`Text`]).
///
/// The raw text is what is saved, searched, edited and exported verbatim;
/// [`Shown::shown`] is what goes to a terminal or a report. There is no
/// `DerefMut`: the only way to change the text is [`Shown::set`], which
/// makes the shown form again, so the two cannot drift apart.
///
/// In memory it takes no more than the `String` it replaces: the raw text
/// is a `Box<str>` (its capacity is not needed, the text only ever changes
/// whole), and the shown form a thin pointer that stays `None`, with no
/// allocation, for clean text, which nearly all text is.
///
/// It reads and writes as a plain JSON string, so files stay byte for
/// byte the same. Equality, ordering and hashing are those of the raw text.
#[derive(Clone, Default)]
pub struct Shown<const LINE: bool> {
    raw: Box<str>,
    /// `None` when the raw text can be shown as it is. Boxed twice so
    /// that the field is one pointer wide.
    safe: Option<Box<Box<str>>>,
}

/// Text shown over several lines: an entry's text.
pub type Text = Shown<false>;

/// Text shown on one line: titles, names, organizations, speakers, tags,
/// themes, places, addressees, references, and guiding questions (shown
/// and edited one a line).
pub type Label = Shown<true>;

impl<const LINE: bool> Shown<LINE> {
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into().into_boxed_str();
        let safe = Self::make_safe(&raw);
        Shown { raw, safe }
    }

    fn make_safe(raw: &str) -> Option<Box<Box<str>>> {
        let shown = if LINE {
            sanitize_line(raw)
        } else {
            sanitize(raw)
        };
        match shown {
            // Joiners inside emoji sequences make `sanitize` look, and
            // keep them: an equal copy would only cost memory.
            Cow::Owned(s) if *s != *raw => Some(Box::new(s.into_boxed_str())),
            _ => None,
        }
    }

    /// The text as it is in the file: for saving, editing, searching and
    /// exports that must be verbatim. Never for a terminal.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The text as it may be shown: controls as visible placeholders
    /// (and, for a [`Label`], line breaks as `⏎`).
    pub fn shown(&self) -> &str {
        match &self.safe {
            Some(s) => s,
            None => &self.raw,
        }
    }

    /// Whether the shown form is the raw text itself, i.e. nothing had to
    /// be replaced.
    pub fn is_clean(&self) -> bool {
        self.safe.is_none()
    }

    /// Replaces the text, and with it the shown form.
    pub fn set(&mut self, raw: impl Into<String>) {
        *self = Shown::new(raw);
    }

    pub fn into_raw(self) -> String {
        self.raw.into_string()
    }

    pub fn into_shown(self) -> String {
        match self.safe {
            Some(s) => s.into_string(),
            None => self.raw.into_string(),
        }
    }

    /// The value an edit box now holding `edited` stands for. Edit boxes
    /// are given shown forms, so that no control reaches the terminal
    /// through them; when `edited` is still what the box showed for one of
    /// the values in `given`, that value comes back, raw text and controls
    /// and all, rather than their placeholders. Otherwise `edited` is new
    /// text.
    pub fn from_edit(edited: &str, given: &[Shown<LINE>]) -> Shown<LINE> {
        let edited_trimmed = edited.trim();
        given
            .iter()
            .find(|g| !g.is_clean() && g.shown().trim() == edited_trimmed)
            .cloned()
            .unwrap_or_else(|| Shown::new(edited))
    }

    /// Byte ranges of the raw text (sorted, as search matches are) moved
    /// onto the shown form. Every replaced character has one placeholder,
    /// so the n-th character of one is the n-th of the other.
    pub fn shown_ranges(&self, raw: &[(usize, usize)]) -> Vec<(usize, usize)> {
        if self.safe.is_none() {
            return raw.to_vec();
        }
        let shown = self.shown();
        // Shown offsets of every raw character boundary, and of the end.
        let mut at: Vec<(usize, usize)> = self
            .raw
            .char_indices()
            .map(|(i, _)| i)
            .zip(shown.char_indices().map(|(j, _)| j))
            .collect();
        at.push((self.raw.len(), shown.len()));
        let to_shown = |r: usize| match at.binary_search_by_key(&r, |&(i, _)| i) {
            Ok(k) => at[k].1,
            // Not a boundary: the start of the character it falls in.
            Err(k) => at[k.saturating_sub(1)].1,
        };
        raw.iter()
            .map(|&(s, e)| (to_shown(s), to_shown(e)))
            .collect()
    }

    /// Without white space at either end. Most text has none, and is
    /// then cloned with its shown form rather than made again.
    pub fn trimmed(&self) -> Shown<LINE> {
        let t = self.raw.trim();
        if t.len() == self.raw.len() {
            self.clone()
        } else {
            Shown::new(t)
        }
    }

    /// The same raw text, shown the other way (one line or several).
    pub fn recast<const OTHER: bool>(&self) -> Shown<OTHER> {
        Shown::new(&*self.raw)
    }
}

impl<const LINE: bool> Deref for Shown<LINE> {
    type Target = str;

    /// The raw text, as for [`Shown::raw`].
    fn deref(&self) -> &str {
        &self.raw
    }
}

impl<const LINE: bool> AsRef<str> for Shown<LINE> {
    fn as_ref(&self) -> &str {
        &self.raw
    }
}

/// Consistent with `Eq` and `Hash`, which are the raw text's: a set of
/// labels can be searched with a `&str`.
impl<const LINE: bool> Borrow<str> for Shown<LINE> {
    fn borrow(&self) -> &str {
        &self.raw
    }
}

/// Prints the shown form: `Display` is for people, and so for terminals
/// and reports; a `format!` or `to_string` can then never carry a control
/// from a file to the screen. Code that needs the verbatim text (to save
/// or edit it) asks for [`Shown::raw`] by name.
impl<const LINE: bool> fmt::Display for Shown<LINE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.shown())
    }
}

/// The raw text, quoted and escaped as `str`'s `Debug` does.
impl<const LINE: bool> fmt::Debug for Shown<LINE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.raw, f)
    }
}

impl<const A: bool, const B: bool> PartialEq<Shown<B>> for Shown<A> {
    fn eq(&self, other: &Shown<B>) -> bool {
        self.raw == other.raw
    }
}

impl<const LINE: bool> Eq for Shown<LINE> {}

impl<const LINE: bool> PartialOrd for Shown<LINE> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<const LINE: bool> Ord for Shown<LINE> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.raw.cmp(&other.raw)
    }
}

impl<const LINE: bool> Hash for Shown<LINE> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.raw.hash(state)
    }
}

macro_rules! eq_with {
    ($($t:ty),*) => {$(
        impl<const LINE: bool> PartialEq<$t> for Shown<LINE> {
            fn eq(&self, other: &$t) -> bool {
                *self.raw == *AsRef::<str>::as_ref(other)
            }
        }
        impl<const LINE: bool> PartialEq<Shown<LINE>> for $t {
            fn eq(&self, other: &Shown<LINE>) -> bool {
                *AsRef::<str>::as_ref(self) == *other.raw
            }
        }
    )*};
}
eq_with!(str, &str, String);

impl<const LINE: bool> From<String> for Shown<LINE> {
    fn from(s: String) -> Self {
        Shown::new(s)
    }
}

impl<const LINE: bool> From<&str> for Shown<LINE> {
    fn from(s: &str) -> Self {
        Shown::new(s)
    }
}

impl<const LINE: bool> From<&String> for Shown<LINE> {
    fn from(s: &String) -> Self {
        Shown::new(s.as_str())
    }
}

impl<const LINE: bool> From<Cow<'_, str>> for Shown<LINE> {
    fn from(s: Cow<'_, str>) -> Self {
        Shown::new(s)
    }
}

impl<const LINE: bool> From<Shown<LINE>> for String {
    fn from(s: Shown<LINE>) -> String {
        s.into_raw()
    }
}

impl<const LINE: bool> serde::Serialize for Shown<LINE> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de, const LINE: bool> serde::Deserialize<'de> for Shown<LINE> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(Shown::new)
    }
}

#[cfg(test)]
#[path = "display_tests.rs"]
mod tests;
