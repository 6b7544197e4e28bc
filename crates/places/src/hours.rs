//! Opening hours: a weekly schedule plus dated exceptions, in the local time
//! of Slovenia (Europe/Ljubljana; `kernel::Timestamp::local` gives it). The
//! text form, used in forms and in GeoJSON, is a small subset of
//! OpenStreetMap's `opening_hours`: `Mo-Fr 08:00-16:00; Sa 09:00-12:00;
//! 2026-12-25 off`, `24/7`. A later rule replaces an earlier one for the days
//! it names; an interval may run past midnight (`Fr 20:00-02:00`).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Minutes after midnight: `from` in 0..1440, `to` after `from` and at most
/// 1440 more (past 1440 means the next day).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub from: u16,
    pub to: u16,
}

const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// The structured schedule (stored as JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    /// Monday first; an empty day is closed.
    pub weekly: [Vec<Interval>; 7],
    /// Days that differ from the week (holidays, events); empty: closed.
    #[serde(default)]
    pub exceptions: BTreeMap<NaiveDate, Vec<Interval>>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("opening hours: cannot read {0:?}")]
pub struct HoursError(pub String);

fn hhmm(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.len() != 5 || s.as_bytes()[2] != b':' {
        return None;
    }
    let (h, m): (u16, u16) = (s.get(..2)?.parse().ok()?, s.get(3..)?.parse().ok()?);
    (m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

fn fmt_min(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn parse_intervals(s: &str) -> Option<Vec<Interval>> {
    if s.trim() == "off" || s.trim() == "closed" {
        return Some(vec![]);
    }
    let mut out = vec![];
    for part in s.split(',') {
        let (a, b) = part.split_once('-')?;
        let (from, to) = (hhmm(a)?, hhmm(b)?);
        if from >= 1440 {
            return None;
        }
        // "20:00-02:00" runs into the next day.
        let to = if to <= from { to + 1440 } else { to };
        if to - from > 1440 {
            return None;
        }
        out.push(Interval { from, to });
    }
    out.sort_by_key(|i| i.from);
    // Overlapping intervals in one day are a typo.
    if out.windows(2).any(|w| w[1].from < w[0].to) {
        return None;
    }
    Some(out)
}

fn parse_days(s: &str) -> Option<Vec<usize>> {
    let idx = |d: &str| DAYS.iter().position(|x| *x == d.trim());
    let mut out = vec![];
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (idx(a)?, idx(b)?);
                // "Fr-Mo" wraps over the weekend.
                let mut d = a;
                loop {
                    out.push(d);
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => out.push(idx(part)?),
        }
    }
    Some(out)
}

impl OpeningHours {
    /// Parse the text form; empty text is no schedule at all (None).
    pub fn parse(text: &str) -> Result<Option<OpeningHours>, HoursError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let mut h = OpeningHours::default();
        for rule in text.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            let err = || HoursError(rule.to_string());
            if rule == "24/7" {
                h.weekly = std::array::from_fn(|_| vec![Interval { from: 0, to: 1440 }]);
                continue;
            }
            let (selector, times) = rule.split_once(' ').ok_or_else(err)?;
            let intervals = parse_intervals(times).ok_or_else(err)?;
            if let Ok(date) = NaiveDate::parse_from_str(selector.trim(), "%Y-%m-%d") {
                h.exceptions.insert(date, intervals);
            } else {
                for d in parse_days(selector).ok_or_else(err)? {
                    h.weekly[d] = intervals.clone();
                }
            }
        }
        Ok(Some(h))
    }

    /// The text form: consecutive days with the same hours are joined.
    pub fn to_text(&self) -> String {
        let all_day = [Interval { from: 0, to: 1440 }];
        if self.weekly.iter().all(|d| d[..] == all_day) && self.exceptions.is_empty() {
            return "24/7".into();
        }
        let mut rules = vec![];
        let mut d = 0;
        while d < 7 {
            let mut e = d;
            while e + 1 < 7 && self.weekly[e + 1] == self.weekly[d] {
                e += 1;
            }
            let days = if e == d { DAYS[d].to_string() } else { format!("{}-{}", DAYS[d], DAYS[e]) };
            if !self.weekly[d].is_empty() {
                rules.push(format!("{days} {}", intervals_text(&self.weekly[d])));
            }
            d = e + 1;
        }
        for (date, iv) in &self.exceptions {
            rules.push(format!("{} {}", date.format("%Y-%m-%d"), intervals_text(iv)));
        }
        if rules.is_empty() { "off".into() } else { rules.join("; ") }
    }

    /// The intervals of one weekday (0 = Monday), as text ("off" when closed).
    pub fn day_text(&self, weekday: usize) -> String {
        intervals_text(&self.weekly[weekday % 7])
    }

    /// The intervals of a date: its exception, else its weekday.
    pub fn day(&self, date: NaiveDate) -> &[Interval] {
        self.exceptions.get(&date).map(Vec::as_slice).unwrap_or(&self.weekly[date.weekday().num_days_from_monday() as usize])
    }

    /// The openings that start on `date`, as local start and end times
    /// (an end may fall on the next day).
    pub fn intervals_on(&self, date: NaiveDate) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let start = date.and_time(NaiveTime::MIN);
        self.day(date).iter().map(|i| (start + Duration::minutes(i.from.into()), start + Duration::minutes(i.to.into()))).collect()
    }

    /// Whether the place is open at this local time, counting an opening of
    /// the day before that runs past midnight.
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        let date = at.date();
        let yesterday = date.pred_opt().map(|d| self.intervals_on(d)).unwrap_or_default();
        self.intervals_on(date).into_iter().chain(yesterday).any(|(a, b)| a <= at && at < b)
    }
}

/// Intervals as text, `08:00-12:00,13:00-16:00`, or `off`.
pub fn intervals_text(iv: &[Interval]) -> String {
    if iv.is_empty() {
        return "off".into();
    }
    iv.iter().map(|i| format!("{}-{}", fmt_min(i.from), fmt_min(if i.to > 1440 { i.to - 1440 } else { i.to }))).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn hours(s: &str) -> OpeningHours {
        OpeningHours::parse(s).unwrap().unwrap()
    }

    #[test]
    fn weekdays_lunch_break_and_closed_weekend() {
        // 2026-12-02 is a Wednesday.
        let h = hours("Mo-Fr 08:00-12:00,13:00-16:00");
        assert!(h.is_open(at("2026-12-02 08:00")));
        assert!(h.is_open(at("2026-12-02 11:59")));
        assert!(!h.is_open(at("2026-12-02 12:30")), "lunch break");
        assert!(!h.is_open(at("2026-12-02 16:00")), "the end is exclusive");
        assert!(!h.is_open(at("2026-12-02 07:59")));
        assert!(!h.is_open(at("2026-12-05 10:00")), "Saturday");
        assert!(!h.is_open(at("2026-12-06 10:00")), "Sunday");
        assert_eq!(h.to_text(), "Mo-Fr 08:00-12:00,13:00-16:00");
    }

    #[test]
    fn later_rules_replace_earlier_days_and_exceptions_win() {
        let h = hours("Mo-Su 09:00-18:00; Mo off; 2026-12-25 off; 2026-12-24 09:00-12:00");
        assert!(!h.is_open(at("2026-11-30 10:00")), "Monday closed");
        assert!(h.is_open(at("2026-12-01 10:00")));
        assert!(!h.is_open(at("2026-12-25 10:00")), "Christmas (a Friday)");
        assert!(h.is_open(at("2026-12-24 11:00")));
        assert!(!h.is_open(at("2026-12-24 13:00")), "short Christmas Eve");
        let on = h.intervals_on(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap());
        assert_eq!(on, vec![(at("2026-12-24 09:00"), at("2026-12-24 12:00"))]);
        assert!(h.intervals_on(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()).is_empty());
        assert_eq!(h.to_text(), "Tu-Su 09:00-18:00; 2026-12-24 09:00-12:00; 2026-12-25 off");
        assert_eq!(hours(&h.to_text()), h, "the text form reads back the same");
    }

    #[test]
    fn past_midnight_counts_on_the_next_morning() {
        let h = hours("Fr-Sa 20:00-02:00");
        assert!(h.is_open(at("2026-12-04 23:30")), "Friday night");
        assert!(h.is_open(at("2026-12-05 01:59")), "Saturday early morning, from Friday");
        assert!(!h.is_open(at("2026-12-05 02:00")));
        assert!(h.is_open(at("2026-12-06 01:00")), "Sunday early morning, from Saturday");
        assert!(!h.is_open(at("2026-12-07 01:00")), "Monday early morning: Sunday was closed");
        let fri = h.intervals_on(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        assert_eq!(fri, vec![(at("2026-12-04 20:00"), at("2026-12-05 02:00"))]);
        assert_eq!(h.to_text(), "Fr-Sa 20:00-02:00");
    }

    #[test]
    fn always_open_and_wrapping_day_ranges() {
        let h = hours("24/7");
        assert!(h.is_open(at("2026-12-06 03:00")));
        assert_eq!(h.to_text(), "24/7");
        let h = hours("Fr-Mo 10:00-14:00");
        assert!(h.is_open(at("2026-12-07 10:00")), "Monday");
        assert!(!h.is_open(at("2026-12-08 10:00")), "Tuesday");
        assert_eq!(h.day_text(1), "off");
        assert_eq!(h.day_text(0), "10:00-14:00");
    }

    #[test]
    fn nonsense_is_refused_and_empty_is_none() {
        assert_eq!(OpeningHours::parse("  ").unwrap(), None);
        for bad in ["Mo 8-16", "Xy 08:00-16:00", "Mo 08:00-25:00", "Mo 08:00-12:00,11:00-14:00", "Mo", "Mo 08:60-09:00", "2026-13-01 off"] {
            assert!(OpeningHours::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stored_as_json_and_back() {
        let h = hours("Mo-Fr 07:00-15:00; 2026-01-01 off");
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<OpeningHours>(&json).unwrap(), h);
    }
}
