use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// Lowercase letters and digits without the look-alikes 0/o and 1/l, so an
/// id read aloud or typed from a printout is unambiguous.
const ALPHABET: &[u8; 32] = b"23456789abcdefghijkmnpqrstuvwxyz";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new random id of ten characters (50 bits).
///
/// std's `RandomState` is seeded from the OS once per process; mixing in a
/// counter, the time and the pid makes ids from one process distinct and
/// ids from two processes unlikely to meet, without another dependency.
pub fn new_id() -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.write_i128(jiff::Timestamp::now().as_nanosecond());
    let mut v = h.finish();
    (0..10)
        .map(|_| {
            let c = ALPHABET[(v & 31) as usize] as char;
            v >>= 5;
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_plain() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(
            ids.iter()
                .all(|i| i.len() == 10 && i.bytes().all(|b| ALPHABET.contains(&b)))
        );
    }
}
