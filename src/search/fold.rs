use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Lowercase, decompose, and drop combining marks: "É" → "e",
/// "РАТИФИЦИРОВАТЬ" → "ратифицировать", "Қ" → "қ". Kazakh letters such as
/// ә ғ қ ң ө ұ ү һ і have no decomposition and stay themselves.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] into `out`, which is cleared first: a search reuses one buffer
/// for every entry it scans.
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        out.push_str(s);
        out.make_ascii_lowercase();
        return;
    }
    // Mixed text: runs of ASCII are copied and lowercased in one go,
    // everything else a character at a time.
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        if ascii > 0 {
            let start = out.len();
            out.push_str(&rest[..ascii]);
            out[start..].make_ascii_lowercase();
            rest = &rest[ascii..];
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            push_folded(c, out);
            rest = chars.as_str();
        }
    }
}

/// The Cyrillic block folded in advance, the way the general path folds
/// it, for the letters that fold to one character (all but a few; `\0`
/// sends the rest to the general path). Russian and Kazakh text is most of
/// what is searched here, and the general path looks up two Unicode
/// tables per character.
fn cyrillic(c: char) -> Option<char> {
    static TABLE: std::sync::OnceLock<[char; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = ['\0'; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let Some(c) = char::from_u32(0x400 + i as u32) else {
                continue;
            };
            let mut folded = String::new();
            push_general(c, &mut folded);
            let mut it = folded.chars();
            if let (Some(one), None) = (it.next(), it.next()) {
                *slot = one;
            }
        }
        t
    });
    let i = (c as u32).checked_sub(0x400)?;
    table.get(i as usize).copied().filter(|f| *f != '\0')
}

/// The fold as far as a query of ASCII words can tell, as bytes: what
/// [`fold`] gives, except that each Cyrillic letter becomes the byte 0xFF.
/// A Cyrillic letter folds to a Cyrillic letter, which can never be part
/// of an ASCII match, so the two agree on every ASCII word; this one skips
/// decoding, case mapping and re-encoding Russian and Kazakh text, most of
/// what is searched. (Cyrillic combining marks, U+0483–U+0489, fold to
/// nothing, as in [`fold`].)
pub fn fold_for_ascii_into(s: &str, out: &mut Vec<u8>) {
    out.clear();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x.is_ascii() {
            out.push(x.to_ascii_lowercase());
            i += 1;
        } else if (x == 0xD0 || x == 0xD1) && i + 1 < b.len() {
            // U+0400–U+047F: letters only.
            out.push(0xFF);
            i += 2;
        } else {
            let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
                break;
            };
            if cyrillic(c).is_some() {
                out.push(0xFF);
            } else {
                let mut tmp = String::new();
                push_general(c, &mut tmp);
                out.extend_from_slice(tmp.as_bytes());
            }
            i += c.len_utf8();
        }
    }
}

fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if let Some(f) = cyrillic(c) {
        out.push(f);
        return;
    }
    push_general(c, out);
}

fn push_general(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        // Decomposing char by char, straight into the output, avoids the
        // buffering of a normalizing iterator: this runs on every
        // character of every entry searched.
        decompose_canonical(l, |d| {
            if !is_combining_mark(d) {
                out.push(d);
            }
        });
    }
}

/// The same as [`fold`], through the general path only: what the fast
/// paths must agree with.
#[cfg(test)]
pub fn fold_general(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        for l in c.to_lowercase() {
            decompose_canonical(l, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            });
        }
    }
    out
}

/// The folded text and, for each byte of it, the byte of `s` it came
/// from, so that a match can be highlighted in the original.
pub fn fold_with_map(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        let before = out.len();
        push_folded(c, &mut out);
        map.extend(std::iter::repeat_n(i, out.len() - before));
    }
    (out, map)
}
