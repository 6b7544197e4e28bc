//! The vocabulary of events and its validation, without I/O.

use kernel::Timestamp;
use kernel::error::FieldError;
use serde::{Deserialize, Serialize};

pub use notify::model::Text;

pub type Errors = Vec<FieldError>;

use kernel::error::field_error as err;

/// Declares a code enum: its variants, their codes, `ALL`, `code` and `parse`.
macro_rules! codes {
    ($(#[$m:meta])* $name:ident as $schema:ident { $($(#[$vm:meta])* $v:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(as = $schema)]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$v => $code),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|x| x.code() == s)
            }
        }
    };
}

codes! {
    /// What kind of event.
    Genre as EventGenre {
        Music = "music",
        Theatre = "theatre",
        Exhibition = "exhibition",
        Festival = "festival",
        Literature = "literature",
        Film = "film",
        Sport = "sport",
        Workshop = "workshop",
        Tradition = "tradition",
        Other = "other",
    }
}

codes! {
    /// Whom it is for.
    Audience as EventAudience {
        Children = "children",
        Youth = "youth",
        Adults = "adults",
        Seniors = "seniors",
        All = "all",
    }
}

codes! {
    /// What the venue and the event offer people with disabilities.
    Access as EventAccess {
        Wheelchair = "wheelchair",
        HearingLoop = "hearing_loop",
        SignLanguage = "sign_language",
        AudioDescription = "audio_description",
    }
}

codes! {
    /// Where an event stands in review.
    Status as EventStatus {
        /// Waiting for review.
        Submitted = "submitted",
        /// Public.
        Published = "published",
        /// Sent back to the organiser with a reason.
        Returned = "returned",
        /// Changed by the organiser after a return, waiting for review again.
        Resubmitted = "resubmitted",
    }
}

impl Status {
    pub fn in_review(self) -> bool {
        matches!(self, Status::Submitted | Status::Resubmitted)
    }
}

codes! {
    /// Who organises: the signed-in person, or the legal entity they represent.
    OrganiserKind as EventOrganiserKind {
        Person = "person",
        LegalEntity = "legal_entity",
    }
}

codes! {
    /// What a person can follow.
    FollowKind as EventFollowKind {
        Genre = "genre",
        Place = "place",
        Organiser = "organiser",
    }
}

/// Languages an event's texts may be in; Slovenian and English are required.
pub const LANGS: [&str; 4] = ["sl", "en", "de", "it"];
pub const MAX_TITLE: usize = 150;
pub const MAX_DESCRIPTION: usize = 5000;
pub const MAX_NAME: usize = 200;
pub const MAX_URL: usize = 500;
/// 10 000 € in cents.
pub const MAX_PRICE: i64 = 1_000_000;
/// The longest event (a festival or an exhibition): 120 days.
pub const MAX_DAYS: i64 = 120;

/// A place given by name and point, when it is not one of the known places.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventPlaceInput)]
pub struct PlaceInput {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
        example = "Minoritski samostan"
    )]
    pub name: String,
    #[schema(minimum = -90, maximum = 90, example = 46.4196)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180, example = 15.8735)]
    pub lon: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventOrganiserInput)]
pub struct OrganiserInput {
    pub kind: OrganiserKind,
    /// The public name, e.g. "Zavod za turizem Ptuj".
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    pub name: String,
}

/// The schema of a title: Slovenian and English, German and Italian where given.
#[derive(utoipa::ToSchema)]
#[schema(as = EventTitle)]
#[allow(dead_code)]
pub struct TitleSchema {
    #[schema(min_length = 1, max_length = 150, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$", example = "Kurentovanje")]
    sl: String,
    #[schema(
        min_length = 1,
        max_length = 150,
        pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
        example = "Kurentovanje carnival"
    )]
    en: String,
    #[schema(required = false, min_length = 1, max_length = 150, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    de: String,
    #[schema(required = false, min_length = 1, max_length = 150, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    it: String,
}

/// The schema of a description (several lines allowed).
#[derive(utoipa::ToSchema)]
#[schema(as = EventDescription)]
#[allow(dead_code)]
pub struct DescriptionSchema {
    #[schema(min_length = 1, max_length = 5000, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    sl: String,
    #[schema(min_length = 1, max_length = 5000, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    en: String,
    #[schema(
        required = false,
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"
    )]
    de: String,
    #[schema(
        required = false,
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"
    )]
    it: String,
}

/// What an organiser submits (and resubmits after a return).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventInput)]
pub struct EventInput {
    /// Per language (`sl` and `en` required, `de` and `it` optional).
    #[schema(value_type = TitleSchema)]
    pub title: Text,
    #[schema(value_type = DescriptionSchema)]
    pub description: Text,
    pub genre: Genre,
    pub audience: Audience,
    /// One of the known places (`GET /api/v1/events/places`) …
    #[schema(min_length = 1, max_length = 64)]
    pub place_id: Option<String>,
    /// … or a new one.
    pub place: Option<PlaceInput>,
    pub organiser: OrganiserInput,
    /// Price of a ticket in euro cents; none or 0 is free.
    #[schema(minimum = 0, maximum = 1000000)]
    pub price_cents: Option<i64>,
    #[serde(default)]
    pub accessibility: Vec<Access>,
    /// RFC 3339.
    #[schema(example = "2026-02-14T15:00:00+01:00")]
    pub starts_at: String,
    #[schema(example = "2026-02-14T18:00:00+01:00")]
    pub ends_at: String,
    /// A live stream (https), shown while the event runs.
    #[schema(max_length = 500, example = "https://stream.example.si/kurentovanje")]
    pub stream_url: Option<String>,
}

/// An input that passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub title: Text,
    pub description: Text,
    pub genre: Genre,
    pub audience: Audience,
    pub place: PlaceChoice,
    pub organiser: OrganiserInput,
    pub price_cents: Option<i64>,
    pub accessibility: Vec<Access>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub stream_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlaceChoice {
    Known(String),
    New(PlaceInput),
}

/// A one-line text: no control characters, no space at either end.
pub fn line(errors: &mut Errors, field: &str, v: &str, max: usize) -> String {
    text(errors, field, v, max, false)
}

fn text(errors: &mut Errors, field: &str, v: &str, max: usize, multiline: bool) -> String {
    kernel::error::check_text(errors, field, v, 0, max, multiline)
}

fn texts(errors: &mut Errors, field: &str, t: &Text, max: usize, multiline: bool) {
    for l in ["sl", "en"] {
        if !t.0.contains_key(l) {
            err(errors, format!("{field}.{l}"), "required");
        }
    }
    for (l, v) in &t.0 {
        if !LANGS.contains(&l.as_str()) {
            err(errors, field, "unknown_language");
        } else {
            text(errors, &format!("{field}.{l}"), v, max, multiline);
        }
    }
}

fn in_range(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

/// An RFC 3339 time.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s.trim()).ok().map(|d| Timestamp(d.timestamp_millis()))
}

/// An absolute https address without spaces.
pub fn https_url(s: &str) -> bool {
    s.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
    })
}

impl EventInput {
    /// Checks every field; `now` bounds the end (an event that is already
    /// over is not submitted).
    pub fn validate(self, now: Timestamp) -> Result<Valid, Errors> {
        let mut e = vec![];
        texts(&mut e, "title", &self.title, MAX_TITLE, false);
        texts(&mut e, "description", &self.description, MAX_DESCRIPTION, true);
        let place = match (self.place_id, self.place) {
            (Some(id), None) if !id.is_empty() && id.len() <= 64 => Some(PlaceChoice::Known(id)),
            (None, Some(p)) => {
                let name = line(&mut e, "place.name", &p.name, MAX_NAME);
                if !in_range(p.lat, p.lon) {
                    err(&mut e, "place", "coordinate_range");
                }
                Some(PlaceChoice::New(PlaceInput { name, ..p }))
            }
            _ => {
                err(&mut e, "place", "required");
                None
            }
        };
        let organiser_name = line(&mut e, "organiser.name", &self.organiser.name, MAX_NAME);
        if self.price_cents.is_some_and(|p| !(0..=MAX_PRICE).contains(&p)) {
            err(&mut e, "price_cents", "out_of_range");
        }
        let mut accessibility = self.accessibility;
        accessibility.sort();
        accessibility.dedup();
        let starts = parse_time(&self.starts_at);
        let ends = parse_time(&self.ends_at);
        if starts.is_none() {
            err(&mut e, "starts_at", "invalid_time");
        }
        if ends.is_none() {
            err(&mut e, "ends_at", "invalid_time");
        }
        if let (Some(s), Some(en)) = (starts, ends) {
            if en <= s {
                err(&mut e, "ends_at", "before_start");
            } else if en.0 - s.0 > MAX_DAYS * 86_400_000 {
                err(&mut e, "ends_at", "too_long");
            } else if en <= now {
                err(&mut e, "ends_at", "in_the_past");
            }
        }
        let stream_url = self.stream_url.filter(|u| !u.trim().is_empty());
        if let Some(u) = &stream_url
            && (u.len() > MAX_URL || !https_url(u))
        {
            err(&mut e, "stream_url", "url_absolute");
        }
        match (e.is_empty(), place, starts, ends) {
            (true, Some(place), Some(starts_at), Some(ends_at)) => Ok(Valid {
                title: self.title,
                description: self.description,
                genre: self.genre,
                audience: self.audience,
                place,
                organiser: OrganiserInput { kind: self.organiser.kind, name: organiser_name },
                price_cents: self.price_cents.filter(|p| *p > 0),
                accessibility,
                starts_at,
                ends_at,
                stream_url,
            }),
            _ => Err(e),
        }
    }
}

/// Staff returning an event: the reason is shown to the organiser.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventReturnInput)]
pub struct ReturnInput {
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
        example = "Dodajte, prosim, angleški opis."
    )]
    pub reason: String,
}

impl ReturnInput {
    pub fn validate(self) -> Result<String, Errors> {
        let mut e = vec![];
        let r = text(&mut e, "reason", &self.reason, 2000, true);
        if e.is_empty() { Ok(r) } else { Err(e) }
    }
}

/// Whether the live stream shows now: only while the event runs.
pub fn is_live(starts_at: Timestamp, ends_at: Timestamp, now: Timestamp) -> bool {
    starts_at <= now && now < ends_at
}

/// "12,50 €" in Slovenian style.
pub fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(1_782_900_000_000); // 2026-07-01 10:00 UTC

    fn input() -> EventInput {
        EventInput {
            title: Text::new(&[(kernel::Lang::Sl, "Koncert"), (kernel::Lang::En, "Concert")]),
            description: Text::new(&[(kernel::Lang::Sl, "Godalni kvartet."), (kernel::Lang::En, "A string quartet.")]),
            genre: Genre::Music,
            audience: Audience::All,
            place_id: Some("p1".into()),
            place: None,
            organiser: OrganiserInput { kind: OrganiserKind::Person, name: "Ana".into() },
            price_cents: Some(0),
            accessibility: vec![Access::Wheelchair, Access::Wheelchair],
            starts_at: "2026-07-02T20:00:00+02:00".into(),
            ends_at: "2026-07-02T22:00:00+02:00".into(),
            stream_url: Some(" ".into()),
        }
    }

    fn fields(e: Errors) -> Vec<String> {
        e.into_iter().map(|f| format!("{}:{}", f.field, f.code)).collect()
    }

    #[test]
    fn a_good_input_is_normalised() {
        let v = input().validate(NOW).unwrap();
        assert_eq!(v.price_cents, None, "0 is free");
        assert_eq!(v.accessibility, vec![Access::Wheelchair]);
        assert_eq!(v.stream_url, None);
        assert_eq!(v.starts_at.rfc3339(), "2026-07-02T18:00:00Z");
        assert_eq!(v.place, PlaceChoice::Known("p1".into()));
    }

    #[test]
    fn every_field_is_checked() {
        let mut i = input();
        i.title = Text::new(&[(kernel::Lang::Sl, "Koncert")]);
        i.title.0.insert("fr".into(), "Concert".into());
        i.description.0.insert("de".into(), " Streichquartett".into());
        i.place_id = None;
        i.place = Some(PlaceInput { name: "Grad".into(), lat: 95.0, lon: 15.0 });
        i.organiser.name = "".into();
        i.price_cents = Some(-1);
        i.ends_at = "2026-07-02T19:00:00+02:00".into();
        i.stream_url = Some("http://example.si/x".into());
        assert_eq!(
            fields(i.validate(NOW).unwrap_err()),
            vec![
                "title.en:required",
                "title:unknown_language",
                "description.de:surrounding_space",
                "place:coordinate_range",
                "organiser.name:required",
                "price_cents:out_of_range",
                "ends_at:before_start",
                "stream_url:url_absolute"
            ]
        );
    }

    #[test]
    fn times_must_parse_and_the_event_must_not_be_over() {
        let mut i = input();
        i.starts_at = "2026-07-02 20:00".into();
        assert_eq!(fields(i.validate(NOW).unwrap_err()), vec!["starts_at:invalid_time"]);
        let mut i = input();
        i.starts_at = "2026-06-01T20:00:00+02:00".into();
        i.ends_at = "2026-06-01T22:00:00+02:00".into();
        assert_eq!(fields(i.validate(NOW).unwrap_err()), vec!["ends_at:in_the_past"]);
        let mut i = input();
        i.place_id = Some("p".into());
        i.place = Some(PlaceInput { name: "x".into(), lat: 0.0, lon: 0.0 });
        assert_eq!(fields(i.validate(NOW).unwrap_err()), vec!["place:required"], "one or the other");
    }

    #[test]
    fn the_stream_is_live_only_while_the_event_runs() {
        let (s, e) = (Timestamp(100), Timestamp(200));
        assert!(!is_live(s, e, Timestamp(99)));
        assert!(is_live(s, e, Timestamp(100)));
        assert!(is_live(s, e, Timestamp(199)));
        assert!(!is_live(s, e, Timestamp(200)));
    }

    #[test]
    fn urls_and_money() {
        assert!(https_url("https://stream.example.si/live?x=1"));
        assert!(!https_url("https:///nohost"));
        assert!(!https_url("javascript:alert(1)"));
        assert!(!https_url("https://a.si/x y"));
        assert_eq!(euros(1250), "12,50 €");
        assert_eq!(euros(5), "0,05 €");
    }
}
