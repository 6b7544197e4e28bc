//! Time as the platform sees it: a millisecond timestamp and an injectable clock.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Milliseconds since the Unix epoch, UTC. Stored as BIGINT in both backends.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d.as_millis() as i64))
    }
    pub fn minus(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_sub(d.as_millis() as i64))
    }
    /// Time elapsed from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis((self.0 - earlier.0).max(0) as u64)
    }
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0).unwrap_or_default()
    }
    /// RFC 3339 in UTC, as the API promises.
    pub fn rfc3339(self) -> String {
        self.to_datetime().to_rfc3339_opts(SecondsFormat::Secs, true)
    }
    /// The wall-clock time in Slovenia: UTC+1 in winter and UTC+2 in summer
    /// (EU rule: last Sunday of March/October, 01:00 UTC).
    pub fn local(self) -> chrono::NaiveDateTime {
        let dt = self.to_datetime();
        let offset = if is_eu_summer_time(dt) { 2 } else { 1 };
        (dt + chrono::Duration::hours(offset)).naive_utc()
    }
    /// The moment a wall-clock time in Slovenia stands for (in the hour the
    /// clocks go back, the earlier one; none for the hour skipped in spring).
    pub fn from_local(local: chrono::NaiveDateTime) -> Option<Timestamp> {
        [2, 1].into_iter().map(|h| Timestamp((local - chrono::Duration::hours(h)).and_utc().timestamp_millis())).find(|t| t.local() == local)
    }
    /// A short human form for pages, in Central European time.
    pub fn display_local(self) -> String {
        self.local().format("%d. %m. %Y %H:%M").to_string()
    }
}

fn is_eu_summer_time(dt: DateTime<Utc>) -> bool {
    use chrono::{Datelike, NaiveDate, Weekday};
    let year = dt.year();
    let last_sunday = |month: u32| {
        let mut d = NaiveDate::from_ymd_opt(year, month, 31).unwrap_or_default();
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap_or(d);
        }
        d.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc()
    };
    dt >= last_sunday(3) && dt < last_sunday(10)
}

/// Source of the current time, injected so that one clock serves every handler.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(Utc::now().timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_utc_with_z() {
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn from_local_inverts_local_across_the_changes() {
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        for s in ["2026-07-01 12:00", "2026-01-15 11:00", "2026-03-29 03:00", "2026-10-25 04:00"] {
            assert_eq!(Timestamp::from_local(at(s)).unwrap().local(), at(s), "{s}");
        }
        assert_eq!(Timestamp::from_local(at("2026-07-01 12:00")), Some(Timestamp(1_782_900_000_000)));
        assert_eq!(Timestamp::from_local(at("2026-03-29 02:30")), None, "the spring gap");
        // 02:30 on 25 October 2026 happens twice: summer time first (00:30 UTC).
        assert_eq!(Timestamp::from_local(at("2026-10-25 02:30")).unwrap().rfc3339(), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn local_display_follows_eu_summer_time() {
        // 2026-07-01 10:00 UTC is 12:00 in Ljubljana; 2026-01-15 10:00 UTC is 11:00.
        let summer = Timestamp(1_782_900_000_000);
        assert!(summer.display_local().ends_with("12:00"), "{}", summer.display_local());
        let winter = Timestamp(1_768_471_200_000);
        assert!(winter.display_local().ends_with("11:00"), "{}", winter.display_local());
    }
}
