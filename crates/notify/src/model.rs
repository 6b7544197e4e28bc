//! The hub's vocabulary and its validation, without I/O: topics, channels,
//! a person's settings, notices and the areas they are for.

use geo::{Contains, Coord, Distance, Haversine, Point, Polygon};
use kernel::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a message is about; people choose channels per topic.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    RoadWorks,
    Traffic,
    Utilities,
    Disasters,
    Events,
    MyReports,
    MyBookings,
    /// Answers to one's own proposals, initiatives and questions.
    MyProposals,
    /// Sensor alarms of the staff member's department.
    Alarms,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Topic::RoadWorks,
        Topic::Traffic,
        Topic::Utilities,
        Topic::Disasters,
        Topic::Events,
        Topic::MyReports,
        Topic::MyBookings,
        Topic::MyProposals,
        Topic::Alarms,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Topic::RoadWorks => "road_works",
            Topic::Traffic => "traffic",
            Topic::Utilities => "utilities",
            Topic::Disasters => "disasters",
            Topic::Events => "events",
            Topic::MyReports => "my_reports",
            Topic::MyBookings => "my_bookings",
            Topic::MyProposals => "my_proposals",
            Topic::Alarms => "alarms",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.code() == s)
    }

    /// Topics about one's own affairs: staff cannot broadcast to them.
    pub fn is_personal(self) -> bool {
        matches!(self, Topic::MyReports | Topic::MyBookings | Topic::MyProposals | Topic::Alarms)
    }

    /// What a new account gets until it chooses: its own affairs in the app
    /// and by e-mail, disasters in the app.
    pub fn default_channels(self) -> Vec<Channel> {
        match self {
            Topic::MyReports | Topic::MyBookings | Topic::MyProposals | Topic::Alarms => vec![Channel::App, Channel::Email],
            Topic::Disasters => vec![Channel::App],
            _ => vec![],
        }
    }
}

/// How a message reaches a person.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The inbox in the web and mobile application.
    App,
    Email,
    Sms,
    /// Web push to the browsers a person enabled.
    Push,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::App, Channel::Email, Channel::Sms, Channel::Push];

    pub fn code(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Push => "push",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// Urgent messages (crisis alerts) ignore quiet hours.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NoticeUrgency)]
pub enum Urgency {
    Normal,
    Urgent,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }
}

/// Hours in which nothing but urgent messages is sent, local time (minutes
/// after midnight; `from > to` spans midnight, e.g. 22:00–07:00).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuietHours {
    pub from: u16,
    pub to: u16,
}

impl QuietHours {
    pub fn parse(from: &str, to: &str) -> Option<QuietHours> {
        let minutes = |s: &str| -> Option<u16> {
            let (h, m) = s.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let q = QuietHours { from: minutes(from)?, to: minutes(to)? };
        (q.from != q.to).then_some(q)
    }

    pub fn format(m: u16) -> String {
        format!("{:02}:{:02}", m / 60, m % 60)
    }

    /// Minutes to wait from this local minute of the day until the quiet hours end (0 outside them).
    pub fn wait_from(&self, minute_of_day: u16) -> u16 {
        let inside = if self.from < self.to {
            minute_of_day >= self.from && minute_of_day < self.to
        } else {
            minute_of_day >= self.from || minute_of_day < self.to
        };
        if inside { (self.to + 1440 - minute_of_day) % 1440 } else { 0 }
    }
}

/// A circle a person cares about (home, work): notices for an area reach
/// those whose circle touches it; no circle means the whole municipality.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Circle {
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

impl Circle {
    pub fn new(lat: f64, lon: f64, radius_m: f64) -> Option<Circle> {
        let ok = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && radius_m > 0.0 && radius_m <= 100_000.0;
        ok.then_some(Circle { lat, lon, radius_m })
    }
    fn centre(&self) -> Point {
        Point::new(self.lon, self.lat)
    }
}

/// The area a notice is for: a circle or a polygon (GeoJSON order, lon/lat).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Area {
    Circle { lat: f64, lon: f64, radius_m: f64 },
    Polygon { coordinates: Vec<[f64; 2]> },
}

impl Area {
    /// A valid area: a circle of sensible size, or a closed ring of at least three points.
    pub fn validate(self) -> Result<Area, &'static str> {
        match &self {
            Area::Circle { lat, lon, radius_m } => Circle::new(*lat, *lon, *radius_m).map(|_| self).ok_or("area_circle"),
            Area::Polygon { coordinates } => {
                let in_range = coordinates.iter().all(|[x, y]| (-180.0..=180.0).contains(x) && (-90.0..=90.0).contains(y));
                let mut ring = coordinates.clone();
                if ring.first() != ring.last() {
                    ring.extend(ring.first().copied());
                }
                if !in_range || ring.len() < 4 {
                    return Err("area_polygon");
                }
                Ok(Area::Polygon { coordinates: ring })
            }
        }
    }

    fn polygon(coordinates: &[[f64; 2]]) -> Polygon {
        Polygon::new(coordinates.iter().map(|[x, y]| Coord { x: *x, y: *y }).collect(), vec![])
    }

    /// Whether a point is in the area.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        let p = Point::new(lon, lat);
        match self {
            Area::Circle { lat: clat, lon: clon, radius_m } => Haversine.distance(Point::new(*clon, *clat), p) <= *radius_m,
            Area::Polygon { coordinates } => Area::polygon(coordinates).contains(&p),
        }
    }

    /// Whether a person's circle touches the area (for a polygon: its centre
    /// inside, or a vertex of the polygon within the radius — close enough for
    /// circles of a few kilometres).
    pub fn touches(&self, c: &Circle) -> bool {
        match self {
            Area::Circle { lat, lon, radius_m } => Haversine.distance(Point::new(*lon, *lat), c.centre()) <= radius_m + c.radius_m,
            Area::Polygon { coordinates } => {
                self.contains(c.lat, c.lon) || coordinates.iter().any(|[x, y]| Haversine.distance(Point::new(*x, *y), c.centre()) <= c.radius_m)
            }
        }
    }
}

/// A text in the languages it was written in; Slovenian is required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    pub fn new(pairs: &[(Lang, &str)]) -> Text {
        Text(pairs.iter().filter(|(_, s)| !s.trim().is_empty()).map(|(l, s)| (l.code().to_string(), s.trim().to_string())).collect())
    }

    /// In the reader's language, else English, else Slovenian.
    pub fn get(&self, lang: Lang) -> &str {
        [lang.code(), "en", "sl"]
            .iter()
            .find_map(|l| self.0.get(*l))
            .map(String::as_str)
            .or_else(|| self.0.values().next().map(String::as_str))
            .unwrap_or("")
    }
}

/// A person's choices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Settings {
    /// Channels per topic; a topic missing has no channel.
    pub topics: BTreeMap<Topic, Vec<Channel>>,
    pub quiet: Option<QuietHours>,
    /// For SMS, in international form (+386…).
    pub phone: Option<String>,
    pub area: Option<Circle>,
    /// Consent to keep the last location the app shares, for crisis warnings there.
    pub share_location: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            topics: Topic::ALL.into_iter().map(|t| (t, t.default_channels())).filter(|(_, c)| !c.is_empty()).collect(),
            quiet: None,
            phone: None,
            area: None,
            share_location: false,
        }
    }
}

impl Settings {
    pub fn channels(&self, topic: Topic) -> &[Channel] {
        self.topics.get(&topic).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Phone numbers as SMS gateways take them: `+` and 8 to 15 digits; a
/// Slovenian number written nationally (`041 123 456`) gets +386.
pub fn sms_number(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')' | '.')).collect();
    let normalized = if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("+386{rest}")
    } else {
        digits
    };
    let n = normalized.strip_prefix('+')?;
    (n.len() >= 8 && n.len() <= 15 && n.chars().all(|c| c.is_ascii_digit())).then_some(normalized)
}

/// A notice staff compose, or another capability sends.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoticeInput {
    pub topic: Topic,
    pub urgency: Urgency,
    pub title: Text,
    pub body: Text,
    /// Where to read more (a page of the platform).
    pub url: Option<String>,
    pub area: Option<Area>,
}

pub const MAX_TITLE: usize = 120;
pub const MAX_BODY: usize = 2000;

impl NoticeInput {
    /// Field codes of what is wrong, for the form and the API.
    pub fn validate(mut self) -> Result<NoticeInput, Vec<(&'static str, &'static str)>> {
        let mut errors = vec![];
        if self.title.0.get("sl").is_none_or(|s| s.is_empty()) {
            errors.push(("title_sl", "required"));
        }
        if self.body.0.get("sl").is_none_or(|s| s.is_empty()) {
            errors.push(("body_sl", "required"));
        }
        if self.title.0.values().any(|s| s.chars().count() > MAX_TITLE) {
            errors.push(("title_sl", "too_long"));
        }
        if self.body.0.values().any(|s| s.chars().count() > MAX_BODY) {
            errors.push(("body_sl", "too_long"));
        }
        if self.url.as_deref().is_some_and(|u| !u.starts_with('/') || u.starts_with("//")) {
            errors.push(("url", "local_path"));
        }
        if let Some(a) = self.area.take() {
            match a.validate() {
                Ok(a) => self.area = Some(a),
                Err(code) => errors.push(("area", code)),
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

/// How a delivery stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its time (quiet hours, back-off) or a worker.
    Pending,
    /// Handed to its channel (SMTP accepted it, the gateway or push service answered 2xx, in the inbox).
    Sent,
    /// Given up after the last attempt, or refused for good.
    Failed,
}

impl DeliveryStatus {
    pub fn code(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_span_midnight() {
        let q = QuietHours::parse("22:00", "07:00").unwrap();
        assert_eq!(q.wait_from(23 * 60), 8 * 60);
        assert_eq!(q.wait_from(6 * 60 + 30), 30);
        assert_eq!(q.wait_from(12 * 60), 0);
        assert_eq!(q.wait_from(7 * 60), 0, "the end is outside");
        let day = QuietHours::parse("13:00", "14:30").unwrap();
        assert_eq!(day.wait_from(13 * 60 + 10), 80);
        assert!(QuietHours::parse("25:00", "07:00").is_none() && QuietHours::parse("07:00", "07:00").is_none());
    }

    #[test]
    fn areas_contain_and_touch() {
        // Ptuj's old town and a point 3 km east of it.
        let town = Area::Circle { lat: 46.4199, lon: 15.8700, radius_m: 1000.0 }.validate().unwrap();
        assert!(town.contains(46.4210, 15.8720));
        assert!(!town.contains(46.4199, 15.9091));
        let far = Circle::new(46.4199, 15.9091, 1500.0).unwrap();
        let near = Circle::new(46.4199, 15.9091, 2500.0).unwrap();
        assert!(!town.touches(&far) && town.touches(&near));
        let square = Area::Polygon { coordinates: vec![[15.86, 46.41], [15.88, 46.41], [15.88, 46.43], [15.86, 46.43]] }.validate().unwrap();
        assert!(square.contains(46.42, 15.87) && !square.contains(46.44, 15.87));
        assert!(square.touches(&Circle::new(46.42, 15.87, 10.0).unwrap()), "centre inside");
        assert!(Area::Polygon { coordinates: vec![[15.86, 46.41], [15.88, 46.41]] }.validate().is_err());
        assert!(Area::Circle { lat: 95.0, lon: 15.0, radius_m: 10.0 }.validate().is_err());
    }

    #[test]
    fn phones_and_texts() {
        assert_eq!(sms_number("041 123 456").as_deref(), Some("+38641123456"));
        assert_eq!(sms_number("+386 41 123-456").as_deref(), Some("+38641123456"));
        assert_eq!(sms_number("0049 30 1234567").as_deref(), Some("+49301234567"));
        assert!(sms_number("12").is_none() && sms_number("+386 41 abc").is_none());
        let t = Text::new(&[(Lang::Sl, "Zapora ceste"), (Lang::En, "Road closed"), (Lang::De, " ")]);
        assert_eq!(t.get(Lang::En), "Road closed");
        assert_eq!(t.get(Lang::De), "Road closed", "falls back to English");
        assert_eq!(t.get(Lang::Sl), "Zapora ceste");
    }

    #[test]
    fn notices_are_checked() {
        let ok = NoticeInput {
            topic: Topic::RoadWorks,
            urgency: Urgency::Normal,
            title: Text::new(&[(Lang::Sl, "Zapora")]),
            body: Text::new(&[(Lang::Sl, "Ulica je zaprta.")]),
            url: Some("/notices/1".into()),
            area: None,
        };
        assert!(ok.clone().validate().is_ok());
        let bad = NoticeInput { title: Text::default(), url: Some("https://evil.example/".into()), ..ok };
        let errors = bad.validate().unwrap_err();
        assert!(errors.contains(&("title_sl", "required")) && errors.contains(&("url", "local_path")));
    }
}
