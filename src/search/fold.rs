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
    for c in s.chars() {
        push_folded(c, out);
    }
}

fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    // Basic Cyrillic, most of the text searched here, by arithmetic: the
    // general path below looks up two Unicode tables per character. Й and
    // й decompose (и + breve), so they take the general path.
    match c {
        'а'..='я' if c != 'й' => {
            out.push(c);
            return;
        }
        'А'..='Я' if c != 'Й' => {
            out.push(char::from_u32(c as u32 + 32).unwrap_or(c));
            return;
        }
        _ => {}
    }
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
