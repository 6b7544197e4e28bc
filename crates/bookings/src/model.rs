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

    #[test]
    fn api_times_are_rfc3339_whole_minutes() {
        assert_eq!(parse_time("2026-07-01T12:00:00+02:00"), Some(Timestamp(1_782_900_000_000)));
        assert_eq!(parse_time("2026-07-01T10:00:00Z"), Some(Timestamp(1_782_900_000_000)));
        assert_eq!(parse_time("2026-07-01T10:00:30Z"), None);
        assert_eq!(parse_time("2026-07-01 10:00"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
