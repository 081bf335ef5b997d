//! Timestamps as the file stores them: an instant plus the UTC offset the
//! rapporteur's machine had at that instant, written as RFC 3339.
//!
//! jiff's `Zoned` would add a `[time/zone]` suffix that is not RFC 3339, and
//! a bare `Timestamp` would lose the offset, which the report needs to show
//! local times as the room saw them.

use std::fmt;
use std::str::FromStr;

use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub instant: Timestamp,
    pub offset: Offset,
}

impl Stamp {
    pub fn now() -> Self {
        Self::from_instant(Timestamp::now())
    }

    /// Pins `instant` to the system's offset at that instant.
    pub fn from_instant(instant: Timestamp) -> Self {
        // The file keeps whole seconds; so does memory, so that a saved
        // and reloaded stamp compares equal.
        let instant = Timestamp::from_second(instant.as_second()).unwrap_or(instant);
        let offset = local_zone().to_offset(instant);
        Self { instant, offset }
    }

    pub fn with_offset(instant: Timestamp, offset: Offset) -> Self {
        Self { instant, offset }
    }

    /// Whole seconds from `self` to `later`, never negative: a clock that
    /// stepped backwards must not produce negative time spent.
    pub fn seconds_until(&self, later: &Stamp) -> i64 {
        later.instant.duration_since(self.instant).as_secs().max(0)
    }

    pub fn plus_seconds(&self, secs: i64) -> Stamp {
        let instant = self
            .instant
            .checked_add(SignedDuration::from_secs(secs))
            .unwrap_or(self.instant);
        Stamp {
            instant,
            offset: self.offset,
        }
    }

    pub fn local(&self) -> jiff::civil::DateTime {
        self.offset.to_datetime(self.instant)
    }

    /// `HH:MM` in the offset the stamp was taken in.
    pub fn hm(&self) -> String {
        let dt = self.local();
        format!("{:02}:{:02}", dt.hour(), dt.minute())
    }

    pub fn hms(&self) -> String {
        let dt = self.local();
        format!("{:02}:{:02}:{:02}", dt.hour(), dt.minute(), dt.second())
    }

    pub fn date(&self) -> jiff::civil::Date {
        self.local().date()
    }
}

/// The machine's time zone, read once. jiff's `TimeZone::system()` also
/// works out the zone's name, by listing the whole zoneinfo database: a
/// few milliseconds of directory reads at every start, on the way to the
/// first frame. A stamp needs only the offsets, and /etc/localtime has
/// them. With `TZ` set, jiff reads that as usual.
fn local_zone() -> &'static TimeZone {
    static ZONE: std::sync::OnceLock<TimeZone> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| {
        if std::env::var_os("TZ").is_none()
            && let Ok(bytes) = std::fs::read("/etc/localtime")
            && let Ok(zone) = TimeZone::tzif("Local", &bytes)
        {
            return zone;
        }
        TimeZone::system()
    })
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Stamps this program makes are whole seconds (see from_instant);
        // a stamp read with a fraction is written back with it.
        write!(f, "{}", self.instant.display_with_offset(self.offset))
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stamp({self})")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not an RFC 3339 timestamp with a UTC offset: {0:?}")]
pub struct StampError(String);

impl FromStr for Stamp {
    type Err = StampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(stamp) = parse_common(s) {
            return Ok(stamp);
        }
        let bad = || StampError(s.chars().take(60).collect());
        let pieces = Pieces::parse(s).map_err(|_| bad())?;
        let offset = pieces.offset().ok_or_else(bad)?.to_numeric_offset();
        let instant: Timestamp = s.parse().map_err(|_| bad())?;
        Ok(Stamp { instant, offset })
    }
}

/// The one shape this program writes, `2011-05-19T10:05:00+06:00` (or
/// with `Z`), read without jiff's general parser, which parses twice and
/// was 7% of listing a folder. Anything else, including whatever this
/// cannot vouch for (a leap second, an odd offset), returns `None` and
/// takes the general path, which has the last word.
fn parse_common(s: &str) -> Option<Stamp> {
    let b = s.as_bytes();
    if b.len() != 25 && b.len() != 20 {
        return None;
    }
    let digit = |i: usize| -> Option<i32> {
        let c = *b.get(i)?;
        c.is_ascii_digit().then(|| i32::from(c - b'0'))
    };
    let two = |i: usize| -> Option<i32> { Some(digit(i)? * 10 + digit(i + 1)?) };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = two(0)? * 100 + two(2)?;
    let (month, day) = (two(5)?, two(8)?);
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    if second > 59 {
        return None;
    }
    let offset = if b.len() == 20 {
        if b[19] != b'Z' {
            return None;
        }
        0
    } else {
        let sign = match b[19] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        if b[22] != b':' {
            return None;
        }
        let (h, m) = (two(20)?, two(23)?);
        if m > 59 {
            return None;
        }
        sign * (h * 3600 + m * 60)
    };
    let dt = jiff::civil::DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()?;
    let offset = Offset::from_seconds(offset).ok()?;
    let instant = offset.to_timestamp(dt).ok()?;
    Some(Stamp { instant, offset })
}

/// The general path alone, for tests that hold the fast one to it.
#[cfg(test)]
pub(crate) fn parse_general(s: &str) -> Result<Stamp, StampError> {
    let bad = || StampError(s.chars().take(60).collect());
    let pieces = Pieces::parse(s).map_err(|_| bad())?;
    let offset = pieces.offset().ok_or_else(bad)?.to_numeric_offset();
    let instant: Timestamp = s.parse().map_err(|_| bad())?;
    Ok(Stamp { instant, offset })
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// The fast path agrees with jiff's parser on every stamp it takes,
        /// and `from_str` agrees with it on everything, valid or not.
        #[test]
        fn fast_path_agrees_with_the_general_parser(
            y in 0i32..=9999, mo in 0i32..=13, d in 0i32..=32,
            h in 0i32..=25, mi in 0i32..=60, sec in 0i32..=61,
            zulu in proptest::bool::ANY, neg in proptest::bool::ANY,
            oh in 0i32..=30, om in 0i32..=61,
        ) {
            let tail = if zulu {
                "Z".to_string()
            } else {
                format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' })
            };
            let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{tail}");
            let general = parse_general(&s);
            if let Some(fast) = parse_common(&s) {
                proptest::prop_assert_eq!(Some(fast), general.as_ref().ok().copied(), "{}", s);
            }
            let full: Result<Stamp, _> = s.parse();
            proptest::prop_assert_eq!(full.ok(), general.ok(), "{}", s);
        }
    }

    #[test]
    fn fast_path_takes_what_we_write() {
        for s in [
            "2011-05-19T10:05:00+06:00",
            "2026-11-28T22:09:58-03:30",
            "1999-12-31T23:59:59Z",
        ] {
            let fast = parse_common(s).expect(s);
            assert_eq!(Ok(fast), parse_general(s).map_err(|e| e.to_string()));
            assert_eq!(fast.to_string().replace("+00:00", "Z"), s);
        }
        let s = "2011-05-19T10:05:00-00:00";
        assert_eq!(
            parse_common(s).map(|t| t.to_string()),
            parse_general(s).ok().map(|t| t.to_string())
        );
        for s in [
            "2011-05-19T10:05:00.5+06:00",
            "2011-05-19t10:05:00+06:00",
            "2016-12-31T23:59:60Z",
            "2011-05-19 10:05:00+06:00",
        ] {
            assert!(parse_common(s).is_none(), "{s}");
        }
    }

    #[test]
    fn keeps_offset_through_text() {
        let s: Stamp = "2011-05-19T10:05:00+06:00".parse().unwrap();
        assert_eq!(s.to_string(), "2011-05-19T10:05:00+06:00");
        assert_eq!(s.hm(), "10:05");
        let z: Stamp = "2011-05-19T04:05:00Z".parse().unwrap();
        assert_eq!(z.instant, s.instant);
        assert_eq!(z.to_string(), "2011-05-19T04:05:00+00:00");
    }

    #[test]
    fn rejects_missing_offset_and_garbage() {
        assert!("2011-05-19T10:05:00".parse::<Stamp>().is_err());
        assert!("yesterday".parse::<Stamp>().is_err());
        assert!("".parse::<Stamp>().is_err());
    }

    #[test]
    fn seconds_never_negative() {
        let a: Stamp = "2011-05-19T10:05:00+06:00".parse().unwrap();
        let b = a.plus_seconds(90);
        assert_eq!(a.seconds_until(&b), 90);
        assert_eq!(b.seconds_until(&a), 0);
    }
}
