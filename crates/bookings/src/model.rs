//! The vocabulary of bookings and its rules, without I/O: resources, the
//! slot grid of a day in local time, who may book, lead time, length,
//! cancellation deadline, price.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use kernel::Timestamp;
use kernel::error::FieldError;
use notify::model::Text;
use serde::{Deserialize, Serialize};

pub const MINUTE: i64 = 60_000;

/// What kind of thing is booked.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Hall,
    MeetingRoom,
    SportsGround,
    YouthSpace,
    EvCharging,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 5] =
        [ResourceKind::Hall, ResourceKind::MeetingRoom, ResourceKind::SportsGround, ResourceKind::YouthSpace, ResourceKind::EvCharging];

    pub fn code(self) -> &'static str {
        match self {
            ResourceKind::Hall => "hall",
            ResourceKind::MeetingRoom => "meeting_room",
            ResourceKind::SportsGround => "sports_ground",
            ResourceKind::YouthSpace => "youth_space",
            ResourceKind::EvCharging => "ev_charging",
        }
    }
    pub fn parse(s: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|k| k.code() == s)
    }
    /// A municipal space (rooms, halls, grounds); a charging point is not.
    pub fn is_space(self) -> bool {
        self != ResourceKind::EvCharging
    }
}

/// Who books: a person for themselves, or a representative for a legal person.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Booker {
    Natural,
    Legal,
}

/// The rules of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = BookingRules)]
pub struct Rules {
    /// Natural persons may book.
    pub natural: bool,
    /// Legal persons (through a representative) may book.
    pub legal: bool,
    /// A booking starts at least this many minutes after it is made.
    pub lead_minutes: i64,
    /// At most this many slots in one booking.
    pub max_slots: i64,
    /// The booker may cancel until this many minutes before the start.
    pub cancel_minutes: i64,
    /// At most this many days ahead.
    pub horizon_days: i64,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub id: String,
    pub kind: ResourceKind,
    pub name: Text,
    pub purpose: Text,
    pub location: String,
    pub capacity: i64,
    pub slot_minutes: i64,
    /// Minute of the local day the first slot starts (0 = midnight).
    pub opens_minute: i64,
    /// Minute of the local day the last slot ends (1440 = midnight).
    pub closes_minute: i64,
    /// Price of one slot in euro cents (0 = free of charge).
    pub price_cents: i64,
    pub needs_approval: bool,
    pub bookable: bool,
    pub rules: Rules,
}

/// A booking's life: pending (waiting for staff) and confirmed hold their
/// slots; rejected and cancelled free them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BookingStatus)]
pub enum Status {
    Pending,
    Confirmed,
    Rejected,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Pending, Status::Confirmed, Status::Rejected, Status::Cancelled];
    pub fn code(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn is_live(self) -> bool {
        matches!(self, Status::Pending | Status::Confirmed)
    }
}

#[derive(Clone, Debug)]
pub struct Booking {
    pub id: String,
    pub resource_id: String,
    pub account_id: Option<String>,
    /// The tax number of the legal person booked for.
    pub on_behalf_of: Option<String>,
    pub start: Timestamp,
    pub end: Timestamp,
    pub slots: i64,
    pub price_cents: i64,
    pub status: Status,
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
}

impl Booking {
    pub fn booker(&self) -> Booker {
        if self.on_behalf_of.is_some() { Booker::Legal } else { Booker::Natural }
    }
}

/// A refusal by the rules: the problem code and, for the form, its field.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub field: &'static str,
}

const fn refusal(code: &'static str, field: &'static str) -> Refusal {
    Refusal { code, field }
}

pub fn field_errors(v: &[Refusal]) -> Vec<FieldError> {
    v.iter().map(|r| FieldError { field: r.field.into(), code: r.code.into() }).collect()
}

/// Midnight of a local date, and the local date of a moment.
pub fn local_date(t: Timestamp) -> NaiveDate {
    t.local().date()
}

fn at_minute(date: NaiveDate, minute: i64) -> Option<NaiveDateTime> {
    let day = date.and_time(NaiveTime::MIN);
    Some(day + chrono::Duration::minutes(minute))
}

impl Resource {
    pub fn slot_ms(&self) -> i64 {
        self.slot_minutes * MINUTE
    }

    /// The slots of a local day, in order (a time the clock skips is left out).
    pub fn day_slots(&self, date: NaiveDate) -> Vec<Timestamp> {
        let mut out = vec![];
        let mut m = self.opens_minute;
        while m + self.slot_minutes <= self.closes_minute {
            if let Some(t) = at_minute(date, m).and_then(Timestamp::from_local) {
                out.push(t);
            }
            m += self.slot_minutes;
        }
        out
    }

    /// The slots from `start` to `end`: both on the grid of one local day,
    /// within the opening hours.
    pub fn slots_between(&self, start: Timestamp, end: Timestamp) -> Result<Vec<Timestamp>, Refusal> {
        if end <= start {
            return Err(refusal("ends_before_start", "end"));
        }
        let day = self.day_slots(local_date(start));
        let first = day.iter().position(|s| *s == start).ok_or(refusal("not_a_slot", "start"))?;
        let n = (end.0 - start.0) / self.slot_ms();
        if (end.0 - start.0) % self.slot_ms() != 0 {
            return Err(refusal("not_a_slot", "end"));
        }
        let slots: Vec<Timestamp> = day.iter().skip(first).take(n as usize).copied().collect();
        let contiguous = slots.len() as i64 == n && slots.windows(2).all(|w| w[1].0 - w[0].0 == self.slot_ms());
        if !contiguous {
            return Err(refusal("after_closing", "end"));
        }
        Ok(slots)
    }

    /// Whether a booker of this kind may take these slots now.
    pub fn check_rules(&self, booker: Booker, start: Timestamp, slots: i64, now: Timestamp) -> Result<(), Refusal> {
        if !self.bookable {
            return Err(refusal("resource_not_bookable", "resource_id"));
        }
        match booker {
            Booker::Natural if !self.rules.natural => return Err(refusal("booking_legal_only", "on_behalf_of")),
            Booker::Legal if !self.rules.legal => return Err(refusal("booking_natural_only", "on_behalf_of")),
            _ => {}
        }
        if start.0 < now.0 + self.rules.lead_minutes * MINUTE {
            return Err(refusal("booking_lead_time", "start"));
        }
        if start.0 > now.0 + self.rules.horizon_days * 1440 * MINUTE {
            return Err(refusal("booking_too_far", "start"));
        }
        if slots > self.rules.max_slots {
            return Err(refusal("booking_too_long", "end"));
        }
        Ok(())
    }

    /// The last moment the booker may cancel a booking starting at `start`.
    pub fn cancel_deadline(&self, start: Timestamp) -> Timestamp {
        Timestamp(start.0 - self.rules.cancel_minutes * MINUTE)
    }

    pub fn price(&self, slots: i64) -> i64 {
        self.price_cents.saturating_mul(slots)
    }
}

/// A time of the API: RFC 3339 with an offset, whole minutes.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let t = chrono::DateTime::parse_from_rfc3339(s.trim()).ok()?;
    (t.second() == 0 && t.nanosecond() == 0).then(|| Timestamp(t.timestamp_millis()))
}

/// A local date `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

pub const MAX_NOTE: usize = 500;
pub const MAX_REASON: usize = 200;

/// A resource as staff submit it (form or API): every field optional, so
/// that validation names each gap.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BookingResourceInput)]
pub struct ResourceInput {
    /// `hall`, `meeting_room`, `sports_ground`, `youth_space` or `ev_charging`.
    #[schema(max_length = 40)]
    pub kind: Option<String>,
    /// Name in Slovenian (required); the other languages fall back to it.
    #[schema(max_length = 200)]
    pub name_sl: Option<String>,
    #[schema(max_length = 200)]
    pub name_en: Option<String>,
    #[schema(max_length = 200)]
    pub name_de: Option<String>,
    #[schema(max_length = 200)]
    pub name_it: Option<String>,
    /// What it is for, per language.
    #[schema(max_length = 2000)]
    pub purpose_sl: Option<String>,
    #[schema(max_length = 2000)]
    pub purpose_en: Option<String>,
    #[schema(max_length = 2000)]
    pub purpose_de: Option<String>,
    #[schema(max_length = 2000)]
    pub purpose_it: Option<String>,
    #[schema(max_length = 200)]
    pub location: Option<String>,
    /// People (for a charging point: vehicles), 1 to 100000.
    pub capacity: Option<i64>,
    /// Length of one slot in minutes, 5 to 1440.
    pub slot_minutes: Option<i64>,
    /// Local time the first slot starts, HH:MM.
    #[schema(example = "08:00", max_length = 5)]
    pub opens: Option<String>,
    /// Local time the last slot ends, HH:MM (24:00 = midnight); whole slots from `opens`.
    #[schema(example = "22:00", max_length = 5)]
    pub closes: Option<String>,
    /// Price of one slot in euro cents (0 = free of charge, at most 1000000).
    pub price_cents: Option<i64>,
    /// Bookings wait for staff approval.
    pub needs_approval: Option<bool>,
    /// False deactivates the resource: listed, not bookable (bookings made stay).
    pub bookable: Option<bool>,
    /// Natural persons may book.
    pub natural: Option<bool>,
    /// Legal persons (through a representative) may book.
    pub legal: Option<bool>,
    /// A booking starts at least this many minutes after it is made (0 to 525600).
    pub lead_minutes: Option<i64>,
    /// At most this many slots in one booking (1 to the slots of a day).
    pub max_slots: Option<i64>,
    /// The booker may cancel until this many minutes before the start (0 to 525600; default 0).
    pub cancel_minutes: Option<i64>,
    /// At most this many days ahead (1 to 730; default 90).
    pub horizon_days: Option<i64>,
}

pub const MAX_NAME: usize = 200;
pub const MAX_PURPOSE: usize = 2000;
/// A year in minutes: the longest lead time and cancellation deadline.
const MAX_MINUTES: i64 = 365 * 1440;

/// `HH:MM` as the minute of the day; `24:00` only where `end` is true.
pub fn parse_hhmm(s: &str, end: bool) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h * 60 + m;
    let ok = (0..60).contains(&m) && (minute < 1440 || (end && minute == 1440));
    ok.then_some(minute)
}

impl ResourceInput {
    /// A valid resource (its id left empty for the caller), or every problem by field.
    pub fn validate(&self) -> Result<Resource, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = vec![];
        let mut bad = |field: &str, code: &str| errors.push(FieldError { field: field.into(), code: code.into() });
        let trimmed = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let kind = match trimmed(&self.kind) {
            None => {
                bad("kind", "required");
                None
            }
            Some(k) => ResourceKind::parse(&k).or_else(|| {
                bad("kind", "invalid_choice");
                None
            }),
        };
        let mut texts = |base: &str, values: [&Option<String>; 4], max: usize| {
            let mut pairs = vec![];
            for (lang, v) in kernel::Lang::ALL.into_iter().zip(values) {
                if let Some(t) = trimmed(v) {
                    if t.chars().count() > max {
                        bad(&format!("{base}_{}", lang.code()), "too_long");
                    }
                    pairs.push((lang.code().to_string(), t));
                }
            }
            Text(pairs.into_iter().collect())
        };
        let name = texts("name", [&self.name_sl, &self.name_en, &self.name_de, &self.name_it], MAX_NAME);
        let purpose = texts("purpose", [&self.purpose_sl, &self.purpose_en, &self.purpose_de, &self.purpose_it], MAX_PURPOSE);
        if !name.0.contains_key("sl") {
            bad("name_sl", "required");
        }
        let location = trimmed(&self.location).unwrap_or_default();
        if location.is_empty() {
            bad("location", "required");
        } else if location.chars().count() > MAX_NAME {
            bad("location", "too_long");
        }
        // A number: missing is `required` where there is no default, out of range its own code.
        let mut number = |field: &str, v: Option<i64>, default: Option<i64>, range: std::ops::RangeInclusive<i64>, code: &str| match v.or(default) {
            None => {
                bad(field, "required");
                None
            }
            Some(n) if !range.contains(&n) => {
                bad(field, code);
                None
            }
            Some(n) => Some(n),
        };
        let capacity = number("capacity", self.capacity, None, 1..=100_000, "resource_capacity");
        let slot_minutes = number("slot_minutes", self.slot_minutes, None, 5..=1440, "resource_slot_minutes");
        let price_cents = number("price_cents", self.price_cents, Some(0), 0..=1_000_000, "resource_price");
        let lead_minutes = number("lead_minutes", self.lead_minutes, None, 0..=MAX_MINUTES, "resource_minutes");
        let cancel_minutes = number("cancel_minutes", self.cancel_minutes, Some(0), 0..=MAX_MINUTES, "resource_minutes");
        let horizon_days = number("horizon_days", self.horizon_days, Some(90), 1..=730, "resource_horizon");
        let max_slots = number("max_slots", self.max_slots, None, 1..=1440, "resource_max_slots");
        let mut clock = |field: &str, v: &Option<String>, end: bool| match trimmed(v) {
            None => {
                bad(field, "required");
                None
            }
            Some(t) => parse_hhmm(&t, end).or_else(|| {
                bad(field, "invalid_time");
                None
            }),
        };
        let opens = clock("opens", &self.opens, false);
        let closes = clock("closes", &self.closes, true);
        if let (Some(o), Some(c)) = (opens, closes) {
            if c <= o {
                bad("closes", "resource_hours_order");
            } else if let Some(slot) = slot_minutes {
                if (c - o) % slot != 0 {
                    bad("closes", "resource_hours_grid");
                } else if max_slots.is_some_and(|m| m > (c - o) / slot) {
                    bad("max_slots", "resource_max_slots");
                }
            }
        }
        let (natural, legal) = (self.natural.unwrap_or(false), self.legal.unwrap_or(false));
        if !natural && !legal {
            bad("natural", "resource_no_booker");
        }
        let (
            Some(kind),
            Some(capacity),
            Some(slot_minutes),
            Some(price_cents),
            Some(lead_minutes),
            Some(cancel_minutes),
            Some(horizon_days),
            Some(max_slots),
            Some(opens),
            Some(closes),
            true,
        ) = (kind, capacity, slot_minutes, price_cents, lead_minutes, cancel_minutes, horizon_days, max_slots, opens, closes, errors.is_empty())
        else {
            return Err(errors);
        };
        Ok(Resource {
            id: String::new(),
            kind,
            name,
            purpose,
            location,
            capacity,
            slot_minutes,
            opens_minute: opens,
            closes_minute: closes,
            price_cents,
            needs_approval: self.needs_approval.unwrap_or(false),
            bookable: self.bookable.unwrap_or(true),
            rules: Rules { natural, legal, lead_minutes, max_slots, cancel_minutes, horizon_days },
        })
    }

    /// A stored resource as the input that would make it.
    pub fn of(r: &Resource) -> ResourceInput {
        let text = |t: &Text, l: &str| t.0.get(l).cloned();
        ResourceInput {
            kind: Some(r.kind.code().into()),
            name_sl: text(&r.name, "sl"),
            name_en: text(&r.name, "en"),
            name_de: text(&r.name, "de"),
            name_it: text(&r.name, "it"),
            purpose_sl: text(&r.purpose, "sl"),
            purpose_en: text(&r.purpose, "en"),
            purpose_de: text(&r.purpose, "de"),
            purpose_it: text(&r.purpose, "it"),
            location: Some(r.location.clone()),
            capacity: Some(r.capacity),
            slot_minutes: Some(r.slot_minutes),
            opens: Some(format!("{:02}:{:02}", r.opens_minute / 60, r.opens_minute % 60)),
            closes: Some(format!("{:02}:{:02}", r.closes_minute / 60, r.closes_minute % 60)),
            price_cents: Some(r.price_cents),
            needs_approval: Some(r.needs_approval),
            bookable: Some(r.bookable),
            natural: Some(r.rules.natural),
            legal: Some(r.rules.legal),
            lead_minutes: Some(r.rules.lead_minutes),
            max_slots: Some(r.rules.max_slots),
            cancel_minutes: Some(r.rules.cancel_minutes),
            horizon_days: Some(r.rules.horizon_days),
        }
    }
}

/// Euro cents as `12,50 €`.
pub fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, (cents % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hall() -> Resource {
        Resource {
            id: "r".into(),
            kind: ResourceKind::Hall,
            name: Text::new(&[(kernel::Lang::Sl, "Dvorana")]),
            purpose: Text::default(),
            location: "Ptuj".into(),
            capacity: 100,
            slot_minutes: 60,
            opens_minute: 8 * 60,
            closes_minute: 22 * 60,
            price_cents: 2500,
            needs_approval: false,
            bookable: true,
            rules: Rules { natural: true, legal: false, lead_minutes: 24 * 60, max_slots: 4, cancel_minutes: 48 * 60, horizon_days: 90 },
        }
    }

    fn local(s: &str) -> Timestamp {
        Timestamp::from_local(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()).unwrap()
    }

    #[test]
    fn a_day_has_its_slots_in_local_time() {
        let h = hall();
        let slots = h.day_slots(parse_date("2026-07-01").unwrap());
        assert_eq!(slots.len(), 14);
        assert_eq!(slots[0].rfc3339(), "2026-07-01T06:00:00Z", "08:00 in summer is 06:00 UTC");
        assert_eq!(h.day_slots(parse_date("2026-01-15").unwrap())[0].rfc3339(), "2026-01-15T07:00:00Z");
        let mut ev = hall();
        (ev.opens_minute, ev.closes_minute) = (0, 1440);
        assert_eq!(ev.day_slots(parse_date("2026-03-29").unwrap()).len(), 23, "the spring change skips an hour");
    }

    #[test]
    fn slots_between_must_lie_on_the_grid_within_opening_hours() {
        let h = hall();
        let s = local("2026-07-01 10:00");
        assert_eq!(h.slots_between(s, local("2026-07-01 12:00")).unwrap(), vec![s, local("2026-07-01 11:00")]);
        assert_eq!(h.slots_between(local("2026-07-01 10:30"), local("2026-07-01 12:00")).unwrap_err().code, "not_a_slot");
        assert_eq!(h.slots_between(s, local("2026-07-01 11:30")).unwrap_err(), refusal("not_a_slot", "end"));
        assert_eq!(h.slots_between(local("2026-07-01 07:00"), s).unwrap_err().code, "not_a_slot", "before opening");
        assert_eq!(h.slots_between(local("2026-07-01 21:00"), local("2026-07-01 23:00")).unwrap_err().code, "after_closing");
        assert_eq!(h.slots_between(s, s).unwrap_err().code, "ends_before_start");
    }

    #[test]
    fn rules_decide_who_when_and_how_long() {
        let h = hall();
        let now = local("2026-07-01 09:00");
        let ok = local("2026-07-03 10:00");
        assert_eq!(h.check_rules(Booker::Natural, ok, 2, now), Ok(()));
        assert_eq!(h.check_rules(Booker::Legal, ok, 2, now).unwrap_err().code, "booking_natural_only");
        assert_eq!(h.check_rules(Booker::Natural, local("2026-07-02 08:00"), 1, now).unwrap_err().code, "booking_lead_time");
        assert_eq!(h.check_rules(Booker::Natural, local("2026-07-02 09:00"), 1, now), Ok(()), "exactly the lead time");
        assert_eq!(h.check_rules(Booker::Natural, ok, 5, now).unwrap_err().code, "booking_too_long");
        assert_eq!(h.check_rules(Booker::Natural, local("2026-10-01 10:00"), 1, now).unwrap_err().code, "booking_too_far");
        let mut legal = hall();
        legal.rules.natural = false;
        legal.rules.legal = true;
        assert_eq!(legal.check_rules(Booker::Natural, ok, 1, now).unwrap_err().code, "booking_legal_only");
        assert_eq!(legal.check_rules(Booker::Legal, ok, 1, now), Ok(()));
        legal.bookable = false;
        assert_eq!(legal.check_rules(Booker::Legal, ok, 1, now).unwrap_err().code, "resource_not_bookable");
    }

    #[test]
    fn price_and_deadline() {
        let h = hall();
        assert_eq!(h.price(3), 7500);
        assert_eq!(euros(7550), "75,50 €");
        assert_eq!(h.cancel_deadline(local("2026-07-03 10:00")), local("2026-07-01 10:00"));
    }

    fn input() -> ResourceInput {
        ResourceInput {
            kind: Some("meeting_room".into()),
            name_sl: Some("Soba".into()),
            location: Some("Ptuj".into()),
            capacity: Some(12),
            slot_minutes: Some(30),
            opens: Some("08:00".into()),
            closes: Some("12:00".into()),
            natural: Some(true),
            lead_minutes: Some(120),
            max_slots: Some(4),
            ..Default::default()
        }
    }

    fn codes(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn a_resource_input_becomes_a_resource_and_back() {
        let r = input().validate().unwrap();
        assert_eq!((r.opens_minute, r.closes_minute, r.day_slots(parse_date("2026-07-01").unwrap()).len()), (480, 720, 8));
        assert_eq!((r.price_cents, r.rules.horizon_days, r.rules.cancel_minutes, r.bookable, r.rules.legal), (0, 90, 0, true, false));
        let again = ResourceInput::of(&r).validate().unwrap();
        assert_eq!((again.rules, again.closes_minute, again.name.get(kernel::Lang::Sl)), (r.rules.clone(), 720, "Soba"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let i = ResourceInput {
            kind: Some("castle".into()),
            capacity: Some(0),
            slot_minutes: Some(45),
            opens: Some("8:00".into()),
            closes: Some("24:00".into()),
            price_cents: Some(-1),
            lead_minutes: None,
            max_slots: Some(0),
            horizon_days: Some(1000),
            ..Default::default()
        };
        let want = [
            ("kind", "invalid_choice"),
            ("name_sl", "required"),
            ("location", "required"),
            ("capacity", "resource_capacity"),
            ("price_cents", "resource_price"),
            ("lead_minutes", "required"),
            ("horizon_days", "resource_horizon"),
            ("max_slots", "resource_max_slots"),
            ("opens", "invalid_time"),
            ("natural", "resource_no_booker"),
        ];
        assert_eq!(codes(i.validate().unwrap_err()), want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());
        let mut grid = input();
        grid.closes = Some("11:45".into());
        assert_eq!(codes(grid.validate().unwrap_err()), vec![("closes".to_string(), "resource_hours_grid".to_string())]);
        let mut order = input();
        order.closes = Some("08:00".into());
        assert_eq!(codes(order.validate().unwrap_err()), vec![("closes".to_string(), "resource_hours_order".to_string())]);
        let mut long = input();
        long.max_slots = Some(9);
        assert_eq!(codes(long.validate().unwrap_err()), vec![("max_slots".to_string(), "resource_max_slots".to_string())]);
        assert_eq!((parse_hhmm("24:00", true), parse_hhmm("24:00", false), parse_hhmm("07:60", false)), (Some(1440), None, None));
    }

    #[test]
    fn api_times_are_rfc3339_whole_minutes() {
        assert_eq!(parse_time("2026-07-01T12:00:00+02:00"), Some(Timestamp(1_782_900_000_000)));
        assert_eq!(parse_time("2026-07-01T10:00:00Z"), Some(Timestamp(1_782_900_000_000)));
        assert_eq!(parse_time("2026-07-01T10:00:30Z"), None);
        assert_eq!(parse_time("2026-07-01 10:00"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
