//! Feeds arbitrary bytes to the session parser, as if they had been read
//! from a file in the sessions folder. Whatever loads must serialize, and
//! what that writes must load again to the same bytes: nothing a file can
//! hold may make rapporteur panic, lose what it read, or write something
//! it cannot read back.
//!
//! Run with `cargo +nightly fuzz run load` in this folder; seed the corpus
//! with `cp ../sessions/*.json corpus/load/`.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.json");
    let loaded = match rapporteur::store::parse(path, data) {
        Ok(loaded) => loaded,
        Err(e) => {
            // Every refusal names the file.
            assert_eq!(e.path(), path);
            assert!(e.to_string().contains("fuzz.json"), "{e}");
            return;
        }
    };
    let bytes = serde_json::to_vec_pretty(&loaded.session).expect("a loaded session serializes");
    let again = rapporteur::store::parse(path, &bytes)
        .unwrap_or_else(|e| panic!("what rapporteur writes it must read back: {e}"));
    assert_eq!(again.newer_version, loaded.newer_version);
    // The written form is a fixed point: writing what was read back gives
    // the same bytes. (Session equality is not asserted: a timestamp with
    // fractional seconds loads, but is written to the second.)
    let bytes_again =
        serde_json::to_vec_pretty(&again.session).expect("a reloaded session serializes");
    assert_eq!(bytes, bytes_again, "serialization is not stable");
    assert_eq!(
        rapporteur::store::parse(path, &bytes_again)
            .expect("stable bytes load")
            .session,
        again.session
    );
});
