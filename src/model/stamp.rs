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
        let offset = TimeZone::system().to_offset(instant);
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
        let bad = || StampError(s.chars().take(60).collect());
        let pieces = Pieces::parse(s).map_err(|_| bad())?;
        let offset = pieces.offset().ok_or_else(bad)?.to_numeric_offset();
        let instant: Timestamp = s.parse().map_err(|_| bad())?;
        Ok(Stamp { instant, offset })
    }
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
