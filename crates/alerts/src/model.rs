//! What staff write when they issue an alert, its checks, and how it becomes
//! a CAP document (our profile of CAP 1.2, see docs/alerts.md). No I/O.

use crate::cap::{self, Category, Certainty, LatLon, MsgType, Reference, ResponseType, Scope, Severity, Status, Urgency};
use kernel::error::FieldError;
use kernel::{Lang, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A text in Slovenian and English; both are required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub sl: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(sl: &str, en: &str) -> Bilingual {
        Bilingual { sl: sl.trim().to_string(), en: en.trim().to_string() }
    }
    /// For the reader: Slovenian in Slovenian, English otherwise (the alert
    /// is written in these two; German and Italian readers get English).
    pub fn get(&self, lang: Lang) -> &str {
        if lang == Lang::Sl { &self.sl } else { &self.en }
    }
    fn trimmed(&self) -> Bilingual {
        Bilingual::new(&self.sl, &self.en)
    }
}

/// The circle of an area: centre (WGS 84) and radius in kilometres.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleInput {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
}

/// Where the alert applies: a description and a polygon or a circle (or
/// neither: the whole municipality).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    /// `areaDesc`, e.g. "Ob Dravi: Budina, Breg, Ranca".
    pub desc: Bilingual,
    /// Ring of WGS 84 points in GeoJSON order, `[lon, lat]`; closed or not.
    #[serde(default)]
    pub polygon: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    pub circle: Option<CircleInput>,
}

/// An alert (or the new content of an update) as staff write it. Unknown
/// fields are not refused: the API's answers carry this content flattened
/// beside the message's own fields, and one schema serves both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AlertInput {
    /// `Actual`, `Exercise` or `Test`.
    pub status: Status,
    /// The kind of event, e.g. "Poplava" / "Flood".
    pub event: Bilingual,
    /// One or more CAP categories.
    pub category: Vec<Category>,
    /// What people should do (CAP responseType); may be empty.
    #[serde(default)]
    pub response_type: Vec<ResponseType>,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    /// At most 160 characters each.
    pub headline: Bilingual,
    pub description: Bilingual,
    pub instruction: Bilingual,
    /// A page with more information (absolute http or https URL); by default the alert's page.
    #[serde(default)]
    pub web: Option<String>,
    /// When the event is expected to begin (RFC 3339).
    #[serde(default)]
    pub onset: Option<String>,
    /// When the alert stops applying (RFC 3339), after the onset and in the future.
    pub expires: String,
    pub area: AreaInput,
}

/// The shape of an area, validated: a closed ring (lat, lon as CAP orders it) or a circle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Shape {
    Polygon { ring: Vec<LatLon> },
    Circle { lat: f64, lon: f64, radius_km: f64 },
}

/// An alert's content, checked: what is stored and what CAP documents are built from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Content {
    pub status: Status,
    pub event: Bilingual,
    pub category: Vec<Category>,
    pub response_type: Vec<ResponseType>,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub headline: Bilingual,
    pub description: Bilingual,
    pub instruction: Bilingual,
    pub web: Option<String>,
    pub onset: Option<Timestamp>,
    pub expires: Timestamp,
    pub area_desc: Bilingual,
    pub shape: Option<Shape>,
}

pub const EVENT_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 4000;
pub const INSTRUCTION_MAX: usize = 2000;
pub const AREA_DESC_MAX: usize = 200;
pub const RADIUS_MAX_KM: f64 = 100.0;
/// Statuses staff may issue (CAP's System and Draft are not for the public feed).
pub const ISSUABLE: [Status; 3] = [Status::Actual, Status::Exercise, Status::Test];

fn field(f: &str, code: &str) -> FieldError {
    FieldError { field: f.into(), code: code.into() }
}

/// An RFC 3339 time from the API, or a CAP dateTime.
pub fn parse_input_time(s: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| Timestamp(t.timestamp_millis() / 1000 * 1000)).or_else(|| cap::parse_time(s.trim()))
}

/// The instant a wall-clock time in Slovenia stands for (CET or CEST; the
/// hour skipped in spring has none).
pub fn from_local(naive: chrono::NaiveDateTime) -> Option<Timestamp> {
    [1, 2].into_iter().map(|h| Timestamp((naive - chrono::Duration::hours(h)).and_utc().timestamp_millis())).find(|t| t.local() == naive)
}

impl AlertInput {
    /// The content, or every field that is wrong (`headline.en`, `area.polygon`, …).
    pub fn validate(&self, now: Timestamp) -> Result<Content, Vec<FieldError>> {
        let mut errors = vec![];
        if !ISSUABLE.contains(&self.status) {
            errors.push(field("status", "status_not_issuable"));
        }
        let texts = [
            ("event", &self.event, EVENT_MAX),
            ("headline", &self.headline, cap::HEADLINE_MAX),
            ("description", &self.description, DESCRIPTION_MAX),
            ("instruction", &self.instruction, INSTRUCTION_MAX),
            ("area.desc", &self.area.desc, AREA_DESC_MAX),
        ];
        for (name, text, max) in texts {
            for (lang, s) in [("sl", &text.sl), ("en", &text.en)] {
                let s = s.trim();
                if s.is_empty() {
                    errors.push(field(&format!("{name}.{lang}"), "required"));
                } else if s.chars().count() > max {
                    errors.push(field(&format!("{name}.{lang}"), "too_long"));
                }
            }
        }
        let mut category = self.category.clone();
        category.dedup();
        if category.is_empty() {
            errors.push(field("category", "required"));
        }
        let mut response_type = self.response_type.clone();
        response_type.dedup();
        let web = self.web.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(str::to_string);
        if web.as_deref().is_some_and(|w| !(w.starts_with("https://") || w.starts_with("http://")) || !cap::is_absolute_uri(w)) {
            errors.push(field("web", "url_absolute"));
        }
        let onset = match self.onset.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match parse_input_time(s) {
                Some(t) => Some(t),
                None => {
                    errors.push(field("onset", "time_format"));
                    None
                }
            },
        };
        let expires = match parse_input_time(&self.expires) {
            Some(t) if t <= now => {
                errors.push(field("expires", "expires_past"));
                None
            }
            Some(t) if onset.is_some_and(|o| t <= o) => {
                errors.push(field("expires", "expires_before_onset"));
                None
            }
            Some(t) => Some(t),
            None => {
                errors.push(field("expires", "time_format"));
                None
            }
        };
        let shape = match (&self.area.polygon, &self.area.circle) {
            (Some(_), Some(_)) => {
                errors.push(field("area", "area_one_shape"));
                None
            }
            (Some(points), None) => match ring(points) {
                Ok(ring) => Some(Shape::Polygon { ring }),
                Err(code) => {
                    errors.push(field("area.polygon", code));
                    None
                }
            },
            (None, Some(c)) => {
                let ok_centre = (-90.0..=90.0).contains(&c.lat) && (-180.0..=180.0).contains(&c.lon);
                if !ok_centre {
                    errors.push(field("area.circle", "coordinate_range"));
                } else if !(c.radius_km > 0.0 && c.radius_km <= RADIUS_MAX_KM) {
                    errors.push(field("area.circle", "radius_range"));
                }
                Some(Shape::Circle { lat: c.lat, lon: c.lon, radius_km: c.radius_km })
            }
            (None, None) => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Content {
            status: self.status,
            event: self.event.trimmed(),
            category,
            response_type,
            urgency: self.urgency,
            severity: self.severity,
            certainty: self.certainty,
            headline: self.headline.trimmed(),
            description: self.description.trimmed(),
            instruction: self.instruction.trimmed(),
            web,
            onset,
            expires: expires.unwrap_or_default(),
            area_desc: self.area.desc.trimmed(),
            shape,
        })
    }
}

/// A closed ring (lat, lon) from GeoJSON-ordered points: at least three
/// distinct points, all in range.
fn ring(points: &[[f64; 2]]) -> Result<Vec<LatLon>, &'static str> {
    if !points.iter().all(|[lon, lat]| lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(lon) && (-90.0..=90.0).contains(lat)) {
        return Err("coordinate_range");
    }
    let mut ring: Vec<LatLon> = points.iter().map(|[lon, lat]| (*lat, *lon)).collect();
    if ring.first() != ring.last() {
        ring.extend(ring.first().copied());
    }
    let mut distinct = ring.clone();
    distinct.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    distinct.dedup();
    if distinct.len() < 3 {
        return Err("polygon_points");
    }
    Ok(ring)
}

/// Points pasted in CAP form (`lat,lon lat,lon …`, also one pair a line),
/// as GeoJSON-ordered pairs for `AreaInput`.
pub fn parse_pasted_polygon(s: &str) -> Option<Vec<[f64; 2]>> {
    let points = cap::parse_polygon(&s.replace(';', " ")).ok()?;
    Some(points.into_iter().map(|(lat, lon)| [lon, lat]).collect())
}

/// What the platform adds to every message: who sends it and how to reach them.
#[derive(Clone, Debug)]
pub struct Profile {
    /// `sender` of every message, e.g. `obcina@ptuj.si`.
    pub sender: String,
    pub sender_name: Bilingual,
    pub contact: Option<String>,
    /// The public address of the portal, for `web`.
    pub public_url: String,
}

/// The envelope of one message.
#[derive(Clone, Debug)]
pub struct Envelope {
    pub identifier: String,
    pub sent: Timestamp,
    pub msg_type: MsgType,
    /// The earlier messages of the same alert, oldest first.
    pub references: Vec<Reference>,
    pub note: Option<String>,
}

/// The two languages, as CAP language tags (RFC 3066).
pub const LANGUAGES: [(Lang, &str); 2] = [(Lang::Sl, "sl-SI"), (Lang::En, "en-US")];

/// The CAP document for one message: one `info` per language.
pub fn build(c: &Content, e: &Envelope, p: &Profile) -> cap::Alert {
    let cancel = e.msg_type == MsgType::Cancel;
    let web = c.web.clone().unwrap_or_else(|| format!("{}/alerts/{}", p.public_url, e.identifier));
    let area = |lang: Lang| cap::Area {
        area_desc: c.area_desc.get(lang).to_string(),
        polygon: match &c.shape {
            Some(Shape::Polygon { ring }) => vec![cap::polygon_text(ring)],
            _ => vec![],
        },
        circle: match &c.shape {
            Some(Shape::Circle { lat, lon, radius_km }) => vec![cap::circle_text((*lat, *lon), *radius_km)],
            _ => vec![],
        },
        ..Default::default()
    };
    let info = LANGUAGES
        .iter()
        .map(|(lang, tag)| cap::Info {
            language: tag.to_string(),
            category: c.category.clone(),
            event: c.event.get(*lang).to_string(),
            // A cancellation: the threat is over.
            response_type: if cancel { vec![ResponseType::AllClear] } else { c.response_type.clone() },
            urgency: if cancel { Urgency::Past } else { c.urgency },
            severity: c.severity,
            certainty: c.certainty,
            audience: None,
            event_code: vec![],
            effective: None,
            onset: c.onset.map(cap::format_time),
            expires: Some(cap::format_time(c.expires)),
            sender_name: Some(p.sender_name.get(*lang).to_string()),
            headline: Some(c.headline.get(*lang).to_string()),
            description: Some(c.description.get(*lang).to_string()),
            instruction: Some(c.instruction.get(*lang).to_string()),
            web: Some(web.clone()),
            contact: p.contact.clone(),
            parameter: vec![],
            area: vec![area(*lang)],
        })
        .collect();
    cap::Alert {
        identifier: e.identifier.clone(),
        sender: p.sender.clone(),
        sent: cap::format_time(e.sent),
        status: c.status,
        msg_type: e.msg_type,
        source: None,
        scope: Scope::Public,
        restriction: None,
        addresses: None,
        code: vec![],
        note: e.note.clone(),
        references: cap::references_text(&e.references),
        incidents: None,
        info,
    }
}

/// Where a CAP rule broken by a built document came from, as an input field:
/// `info[1].headline` → `headline.en`.
pub fn input_field(path: &str) -> String {
    let Some(rest) = path.strip_prefix("info[") else { return path.to_string() };
    let (index, rest) = rest.split_once("].").unwrap_or(("0", rest));
    let lang = if index == "0" { "sl" } else { "en" };
    let name = rest.split(['[', '.']).next().unwrap_or(rest);
    match name {
        "event" | "headline" | "description" | "instruction" => format!("{name}.{lang}"),
        "area" if rest.contains("areaDesc") => format!("area.desc.{lang}"),
        "area" if rest.contains("polygon") => "area.polygon".into(),
        "area" if rest.contains("circle") => "area.circle".into(),
        "area" => "area".into(),
        "onset" | "expires" | "web" | "category" => name.into(),
        "senderName" | "contact" => "sender_name".into(),
        other => other.to_string(),
    }
}

/// The rules a built document breaks, as input fields.
pub fn check_document(doc: &cap::Alert, now: Timestamp) -> Result<(), Vec<FieldError>> {
    let mut out: Vec<FieldError> = vec![];
    for v in cap::check(doc, now) {
        let f = field(&input_field(&v.path), v.code);
        if !out.contains(&f) {
            out.push(f);
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// A new identifier: the platform's prefix, the day, and a random part
/// (no spaces, commas or restricted characters, as CAP requires).
pub fn new_identifier(prefix: &str, now: Timestamp) -> String {
    let day = now.local().format("%Y%m%d");
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{day}-{}", &random[..8])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cap::tests::NOV5;

    pub fn input() -> AlertInput {
        AlertInput {
            status: Status::Exercise,
            event: Bilingual::new("Poplava", "Flood"),
            category: vec![Category::Met, Category::Safety],
            response_type: vec![ResponseType::Prepare, ResponseType::Monitor],
            urgency: Urgency::Expected,
            severity: Severity::Severe,
            certainty: Certainty::Likely,
            headline: Bilingual::new("Drava narašča", "The Drava is rising"),
            description: Bilingual::new("Vodostaj Drave pri Ptuju narašča.", "The Drava at Ptuj is rising."),
            instruction: Bilingual::new("Umaknite vozila z nabrežja.", "Move vehicles away from the embankment."),
            web: None,
            onset: Some("2026-11-05T10:00:00Z".into()),
            expires: "2026-11-06T08:00:00Z".into(),
            area: AreaInput {
                desc: Bilingual::new("Nabrežje Drave v Ptuju", "The Drava embankment in Ptuj"),
                polygon: Some(vec![[15.86, 46.41], [15.88, 46.41], [15.88, 46.43], [15.86, 46.43]]),
                circle: None,
            },
        }
    }

    pub fn profile() -> Profile {
        Profile {
            sender: "obcina@ptuj.si".into(),
            sender_name: Bilingual::new("Mestna občina Ptuj", "City Municipality of Ptuj"),
            contact: Some("mop@ptuj.si, +386 2 748 29 00".into()),
            public_url: "https://portal.ptuj.si".into(),
        }
    }

    #[test]
    fn input_is_checked_field_by_field() {
        assert!(input().validate(NOV5).is_ok());
        let mut bad = input();
        bad.status = Status::Draft;
        bad.headline.en = " ".into();
        bad.description.sl = "x".repeat(DESCRIPTION_MAX + 1);
        bad.category.clear();
        bad.web = Some("www.ptuj.si".into());
        bad.expires = "2026-11-05T09:00:00Z".into();
        bad.area.polygon = Some(vec![[15.86, 46.41], [15.88, 46.41], [15.86, 46.41]]);
        let errors: Vec<(String, String)> = bad.validate(NOV5).unwrap_err().into_iter().map(|e| (e.field, e.code)).collect();
        let expected = [
            ("status", "status_not_issuable"),
            ("headline.en", "required"),
            ("description.sl", "too_long"),
            ("category", "required"),
            ("web", "url_absolute"),
            ("expires", "expires_before_onset"),
            ("area.polygon", "polygon_points"),
        ];
        assert_eq!(errors, expected.map(|(f, c)| (f.to_string(), c.to_string())).to_vec());
        let mut past = input();
        past.onset = None;
        past.expires = "2026-11-05T07:00:00Z".into();
        past.area.circle = Some(CircleInput { lat: 46.42, lon: 15.87, radius_km: 2.0 });
        let errors: Vec<String> = past.validate(NOV5).unwrap_err().into_iter().map(|e| format!("{}:{}", e.field, e.code)).collect();
        assert_eq!(errors, ["expires:expires_past", "area:area_one_shape"]);
    }

    #[test]
    fn a_built_document_has_an_info_per_language_and_passes_the_rules() {
        let content = input().validate(NOV5).unwrap();
        let env = Envelope { identifier: "ptuj-20261105-abcd".into(), sent: NOV5, msg_type: MsgType::Alert, references: vec![], note: None };
        let doc = build(&content, &env, &profile());
        assert_eq!(check_document(&doc, NOV5), Ok(()));
        assert_eq!(doc.info.iter().map(|i| i.language.as_str()).collect::<Vec<_>>(), ["sl-SI", "en-US"]);
        assert_eq!(doc.info[1].headline.as_deref(), Some("The Drava is rising"));
        assert_eq!(doc.info[0].onset.as_deref(), Some("2026-11-05T11:00:00+01:00"));
        assert_eq!(doc.info[0].area[0].polygon[0], "46.41,15.86 46.41,15.88 46.43,15.88 46.43,15.86 46.41,15.86");
        assert_eq!(doc.info[0].web.as_deref(), Some("https://portal.ptuj.si/alerts/ptuj-20261105-abcd"));
        assert_eq!(doc.scope, Scope::Public);
        assert!(doc.restriction.is_none() && doc.addresses.is_none());
        if let Some(schema) = crate::cap::tests::xmllint(&doc.to_xml()) {
            schema.unwrap();
        }
    }

    #[test]
    fn a_cancellation_references_every_earlier_message_and_clears() {
        let content = input().validate(NOV5).unwrap();
        let refs = vec![
            Reference { sender: "obcina@ptuj.si".into(), identifier: "ptuj-1".into(), sent: "2026-11-05T09:00:00+01:00".into() },
            Reference { sender: "obcina@ptuj.si".into(), identifier: "ptuj-2".into(), sent: "2026-11-05T09:30:00+01:00".into() },
        ];
        let env =
            Envelope { identifier: "ptuj-3".into(), sent: NOV5, msg_type: MsgType::Cancel, references: refs, note: Some("Vaja je končana.".into()) };
        let doc = build(&content, &env, &profile());
        assert_eq!(
            doc.references.as_deref(),
            Some("obcina@ptuj.si,ptuj-1,2026-11-05T09:00:00+01:00 obcina@ptuj.si,ptuj-2,2026-11-05T09:30:00+01:00")
        );
        assert_eq!(doc.info[0].response_type, [ResponseType::AllClear]);
        assert_eq!(doc.info[0].urgency, Urgency::Past);
        assert_eq!(check_document(&doc, NOV5), Ok(()));
        if let Some(schema) = crate::cap::tests::xmllint(&doc.to_xml()) {
            schema.unwrap();
        }
    }

    #[test]
    fn rule_paths_become_input_fields() {
        assert_eq!(input_field("info[1].headline"), "headline.en");
        assert_eq!(input_field("info[0].area[0].polygon[0]"), "area.polygon");
        assert_eq!(input_field("info[0].area[0].areaDesc"), "area.desc.sl");
        assert_eq!(input_field("sent"), "sent");
        assert_eq!(parse_pasted_polygon("46.41,15.86 46.41,15.88\n46.43,15.88"), Some(vec![[15.86, 46.41], [15.88, 46.41], [15.88, 46.43]]));
        assert_eq!(parse_pasted_polygon("46.41;15.86"), None);
        let id = new_identifier("ptuj", NOV5);
        assert!(id.starts_with("ptuj-20261105-") && id.len() == 22, "{id}");
    }
}
