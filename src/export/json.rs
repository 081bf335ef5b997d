//! JSON for a terminal: the exact text, with every character a terminal
//! could act on written as an escape.

use crate::model::display::needs_work;

/// Pretty JSON (two spaces, as the session files) that is safe to print
/// to a terminal: every character [`sanitize`](crate::model::display::sanitize) would replace is written
/// as a `\uXXXX` escape, so a JSON reader still gets the exact text and a
/// terminal never sees the raw bytes. serde_json escapes C0 controls
/// already; this adds DEL, the C1 controls, the bidi controls, the line
/// and paragraph separators and every zero-width joiner (also those
/// inside emoji sequences, which `sanitize` keeps: deciding that takes
/// the neighbours, and an escaped joiner is still exact JSON).
pub fn json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(256);
    let fmt = TerminalSafe(serde_json::ser::PrettyFormatter::new());
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, fmt))?;
    // Only whole UTF-8 strings and ASCII escapes were written.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// A `serde_json` formatter that hands everything to `F` but writes the
/// characters [`json_pretty`] names as escapes.
struct TerminalSafe<F>(F);

fn json_escaped(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}' | '\u{200d}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
            self.0.$name(w $(, $arg)*)
        }
    )*};
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // serde_json hands over the text between the escapes it makes
        // itself, so no C0 control is in here and the scan is the usual one.
        if !needs_work(fragment, false) {
            return self.0.write_string_fragment(w, fragment);
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if json_escaped(c) {
                self.0.write_string_fragment(w, &fragment[start..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        self.0.write_string_fragment(w, &fragment[start..])
    }

    delegate! {
        write_null();
        write_bool(v: bool);
        write_i8(v: i8);
        write_i16(v: i16);
        write_i32(v: i32);
        write_i64(v: i64);
        write_i128(v: i128);
        write_u8(v: u8);
        write_u16(v: u16);
        write_u32(v: u32);
        write_u64(v: u64);
        write_u128(v: u128);
        write_f32(v: f32);
        write_f64(v: f64);
        write_number_str(v: &str);
        begin_string();
        end_string();
        write_char_escape(v: serde_json::ser::CharEscape);
        write_byte_array(v: &[u8]);
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
        write_raw_fragment(v: &str);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_a_terminal_escapes_what_sanitize_replaces_and_decodes_exactly() {
        let raw = "a\u{1b}]0;x\u{7}\u{7f}\u{85}\u{9b}2J\u{202e}\u{2066}\u{2028}\u{2029}b\u{200d}c 👩\u{200d}💻 ж\n";
        let v = serde_json::json!({ "text": raw, raw: [raw, 1, 2.5, null, true] });
        let out = json_pretty(&v).unwrap();
        // Not one character a terminal could act on, raw.
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out}");
        assert!(!out.chars().any(json_escaped), "{out}");
        assert!(out.contains(
            "\\u001b]0;x\\u0007\\u007f\\u0085\\u009b2J\\u202e\\u2066\\u2028\\u2029b\\u200dc"
        ));
        // The same value, and the same layout as serde_json's pretty form.
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), v);
        let plain = serde_json::to_string_pretty(&v).unwrap();
        assert_eq!(out.lines().count(), plain.lines().count());
        // Clean text is written as serde_json writes it.
        let clean = serde_json::json!({"a": ["Привет", 1, {"b": null}]});
        assert_eq!(
            json_pretty(&clean).unwrap(),
            serde_json::to_string_pretty(&clean).unwrap()
        );
    }
}
