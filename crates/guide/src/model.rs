//! The guide's inputs and their validation (no I/O): the filters of the
//! lists and the parameters of a route, read from a query string in which
//! `sight` repeats.

use chrono::{NaiveDate, NaiveTime, Timelike};
use kernel::error::FieldError;
use kernel::{AppError, AppResult};

/// The exact solver's limit: more ticked sights than this are refused.
pub const MAX_SIGHTS: usize = tour::exact::LIMIT;

/// Interests a place may carry in `attributes.interests` (comma-separated).
pub const INTERESTS: [&str; 5] = ["history", "culture", "wine", "nature", "food"];
/// Age groups a place may carry in `attributes.ages` (comma-separated).
pub const AGES: [&str; 4] = ["children", "teens", "adults", "seniors"];
/// Budget choices in whole euros (the page offers these; any number is accepted).
pub const BUDGETS: [u32; 4] = [10, 20, 50, 100];

/// How the visitor walks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum PaceChoice {
    #[default]
    Stroll,
    Unhurried,
}

impl PaceChoice {
    pub fn code(self) -> &'static str {
        match self {
            PaceChoice::Stroll => "stroll",
            PaceChoice::Unhurried => "unhurried",
        }
    }
    pub fn pace(self) -> tour::Pace {
        match self {
            PaceChoice::Stroll => tour::Pace::STROLL,
            PaceChoice::Unhurried => tour::Pace::UNHURRIED,
        }
    }
}

/// The budget filter: free only, or up to a number of euros.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Budget {
    Free,
    UpTo(u32),
}

impl Budget {
    pub fn code(self) -> String {
        match self {
            Budget::Free => "free".into(),
            Budget::UpTo(n) => n.to_string(),
        }
    }
    pub fn allows(self, cents: i64) -> bool {
        match self {
            Budget::Free => cents == 0,
            Budget::UpTo(n) => cents <= i64::from(n) * 100,
        }
    }
}

/// Filters of the lists; lenient like the map's: an unknown value is no filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub interest: Option<&'static str>,
    pub age: Option<&'static str>,
    pub budget: Option<Budget>,
    /// Only places with wheelchair access (`yes`; `limited` also when asked).
    pub access: Option<&'static str>,
    /// Hours available: sights whose visit is longer are left out.
    pub hours: Option<f64>,
}

fn pairs(raw: Option<&str>) -> AppResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| AppError::bad_request("query_invalid"))
}

fn known(list: &[&'static str], v: &str) -> Option<&'static str> {
    list.iter().copied().find(|x| *x == v.trim())
}

/// "2", "2.5" or "2,5" hours, between half an hour and twelve.
pub fn parse_hours(v: &str) -> Option<f64> {
    let h: f64 = v.trim().replace(',', ".").parse().ok()?;
    (h.is_finite() && (0.5..=12.0).contains(&h)).then_some(h)
}

impl Filters {
    pub fn parse(raw: Option<&str>) -> AppResult<Filters> {
        let mut f = Filters::default();
        for (k, v) in pairs(raw)? {
            match k.as_str() {
                "interest" => f.interest = known(&INTERESTS, &v),
                "age" => f.age = known(&AGES, &v),
                "budget" => {
                    f.budget = match v.trim() {
                        "free" | "0" => Some(Budget::Free),
                        n => n.parse::<u32>().ok().filter(|n| *n <= 10_000).map(Budget::UpTo),
                    }
                }
                "access" => f.access = known(&["yes", "limited"], &v),
                "hours" => f.hours = parse_hours(&v),
                _ => {}
            }
        }
        Ok(f)
    }
}

/// A route asked for: validated, every problem named with its field.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteQuery {
    /// Ticked sights, in the order given, without repeats.
    pub sights: Vec<String>,
    pub date: NaiveDate,
    /// Seconds since local midnight.
    pub start: u32,
    pub hours: f64,
    pub pace: PaceChoice,
    /// Shown in kiosk mode (no outbound links).
    pub kiosk: bool,
}

/// "09:30" (or "9:30") to seconds since midnight.
pub fn parse_time(v: &str) -> Option<u32> {
    let t = NaiveTime::parse_from_str(v.trim(), "%H:%M").ok()?;
    Some(t.num_seconds_from_midnight())
}

/// Seconds since midnight as "09:30" (a time past midnight wraps).
pub fn clock(secs: u32) -> String {
    let m = secs.div_ceil(60);
    format!("{:02}:{:02}", (m / 60) % 24, m % 60)
}

impl RouteQuery {
    /// `today` and `now` (seconds since local midnight) are the defaults of
    /// a missing date and start.
    pub fn parse(raw: Option<&str>, today: NaiveDate, now: u32) -> AppResult<RouteQuery> {
        let mut errors: Vec<FieldError> = vec![];
        let mut bad = |field: &str, code: &str| errors.push(FieldError { field: field.into(), code: code.into() });
        let mut q = RouteQuery {
            sights: vec![],
            date: today,
            start: now.div_ceil(900) * 900 % 86_400,
            hours: 3.0,
            pace: PaceChoice::default(),
            kiosk: false,
        };
        for (k, v) in pairs(raw)? {
            match k.as_str() {
                "sight" => {
                    let id = v.trim().to_string();
                    if id.is_empty() || id.len() > 64 {
                        bad("sight", "guide_sight_unknown");
                    } else if !q.sights.contains(&id) {
                        q.sights.push(id);
                    }
                }
                "date" if !v.trim().is_empty() => match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
                    Ok(d) => q.date = d,
                    Err(_) => bad("date", "guide_date_invalid"),
                },
                "start" if !v.trim().is_empty() => match parse_time(&v) {
                    Some(s) => q.start = s,
                    None => bad("start", "guide_time_invalid"),
                },
                "hours" if !v.trim().is_empty() => match parse_hours(&v) {
                    Some(h) => q.hours = h,
                    None => bad("hours", "guide_hours_invalid"),
                },
                "pace" if !v.trim().is_empty() => match v.trim() {
                    "stroll" => q.pace = PaceChoice::Stroll,
                    "unhurried" => q.pace = PaceChoice::Unhurried,
                    _ => bad("pace", "guide_pace_invalid"),
                },
                "kiosk" => q.kiosk = v == "1",
                _ => {}
            }
        }
        let sight_error = errors.iter().any(|e| e.field == "sight");
        if q.sights.is_empty() && !sight_error {
            errors.push(FieldError { field: "sight".into(), code: "guide_sights_required".into() });
        }
        if q.sights.len() > MAX_SIGHTS {
            errors.push(FieldError { field: "sight".into(), code: "guide_too_many_sights".into() });
        }
        if errors.is_empty() { Ok(q) } else { Err(AppError::invalid(errors)) }
    }

    /// When the visitor must be back, seconds since the date's midnight.
    pub fn back_by(&self) -> u32 {
        self.start + (self.hours * 3600.0).round() as u32
    }

    /// The query string again (for links: the JSON, the list, kiosk).
    pub fn to_query(&self) -> String {
        let mut parts: Vec<(String, String)> = self.sights.iter().map(|s| ("sight".to_string(), s.clone())).collect();
        parts.push(("start".into(), clock(self.start)));
        parts.push(("hours".into(), self.hours.to_string()));
        parts.push(("date".into(), self.date.to_string()));
        parts.push(("pace".into(), self.pace.code().into()));
        serde_urlencoded::to_string(parts).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 6, 15).unwrap()
    }

    fn codes(e: AppError) -> Vec<(String, String)> {
        e.fields.into_iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn a_route_query_reads_every_parameter() {
        let q = RouteQuery::parse(Some("sight=a&sight=b&sight=a&start=9:30&hours=2,5&date=2027-06-14&pace=unhurried&kiosk=1"), day(), 0).unwrap();
        assert_eq!(q.sights, ["a", "b"]);
        assert_eq!(q.start, 9 * 3600 + 1800);
        assert_eq!(q.back_by(), 12 * 3600);
        assert_eq!(q.date, NaiveDate::from_ymd_opt(2027, 6, 14).unwrap());
        assert_eq!(q.pace, PaceChoice::Unhurried);
        assert!(q.kiosk);
        let again = RouteQuery::parse(Some(&q.to_query()), day(), 0).unwrap();
        assert_eq!(again.sights, q.sights);
        assert_eq!((again.start, again.hours, again.date), (q.start, q.hours, q.date));
    }

    #[test]
    fn defaults_are_today_and_the_next_quarter_hour() {
        let q = RouteQuery::parse(Some("sight=a"), day(), 9 * 3600 + 7 * 60).unwrap();
        assert_eq!((q.date, q.start, q.hours, q.pace), (day(), 9 * 3600 + 900, 3.0, PaceChoice::Stroll));
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let e = RouteQuery::parse(Some("start=25:00&hours=30&date=2027-02-30&pace=run"), day(), 0).unwrap_err();
        assert_eq!(e.status, 422);
        assert_eq!(
            codes(e),
            [
                ("start".to_string(), "guide_time_invalid".to_string()),
                ("hours".into(), "guide_hours_invalid".into()),
                ("date".into(), "guide_date_invalid".into()),
                ("pace".into(), "guide_pace_invalid".into()),
                ("sight".into(), "guide_sights_required".into()),
            ]
        );
        let many: String = (0..=MAX_SIGHTS).map(|i| format!("sight=s{i}&")).collect();
        assert_eq!(codes(RouteQuery::parse(Some(&many), day(), 0).unwrap_err()), [("sight".to_string(), "guide_too_many_sights".to_string())]);
    }

    #[test]
    fn filters_are_lenient() {
        let f = Filters::parse(Some("interest=history&age=ufo&budget=20&access=yes&hours=2")).unwrap();
        assert_eq!(f.interest, Some("history"));
        assert_eq!(f.age, None);
        assert_eq!(f.budget, Some(Budget::UpTo(20)));
        assert!(f.budget.unwrap().allows(2000) && !f.budget.unwrap().allows(2001));
        assert_eq!(Filters::parse(Some("budget=free")).unwrap().budget, Some(Budget::Free));
        assert_eq!(f.hours, Some(2.0));
        assert_eq!(clock(9 * 3600 + 59), "09:01");
    }
}
