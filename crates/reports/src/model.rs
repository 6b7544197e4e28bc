//! Report types and their checks (no I/O): statuses and their Open311
//! names, a submitted report before and after validation.

use crate::config::{Category, ReportsConfig};
use crate::geo::Point;
use kernel::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a report is in its life. Open311 knows `open` and `closed`; the
/// extended statuses (GeoReport v2 extensions, as FixMyStreet uses them)
/// name each one.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ReportStatus)]
pub enum Status {
    Received,
    Investigating,
    InProgress,
    ActionScheduled,
    InternalReferral,
    Fixed,
    /// Refused, with a reason the reporter reads.
    Rejected,
    NotResponsible,
    Duplicate,
    Closed,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Received,
        Status::Investigating,
        Status::InProgress,
        Status::ActionScheduled,
        Status::InternalReferral,
        Status::Fixed,
        Status::Rejected,
        Status::NotResponsible,
        Status::Duplicate,
        Status::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Investigating => "investigating",
            Status::InProgress => "in_progress",
            Status::ActionScheduled => "action_scheduled",
            Status::InternalReferral => "internal_referral",
            Status::Fixed => "fixed",
            Status::Rejected => "rejected",
            Status::NotResponsible => "not_responsible",
            Status::Duplicate => "duplicate",
            Status::Closed => "closed",
        }
    }

    pub fn from_code(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn is_open(self) -> bool {
        matches!(self, Status::Received | Status::Investigating | Status::InProgress | Status::ActionScheduled | Status::InternalReferral)
    }

    /// The Open311 `status`.
    pub fn open311(self) -> &'static str {
        if self.is_open() { "open" } else { "closed" }
    }

    /// The extended status of the Open311 update extension.
    pub fn extended(self) -> &'static str {
        match self {
            Status::Received => "OPEN",
            Status::Investigating => "INVESTIGATING",
            Status::InProgress => "IN_PROGRESS",
            Status::ActionScheduled => "ACTION_SCHEDULED",
            Status::InternalReferral => "INTERNAL_REFERRAL",
            Status::Fixed => "FIXED",
            Status::Rejected => "NO_FURTHER_ACTION",
            Status::NotResponsible => "NOT_COUNCILS_RESPONSIBILITY",
            Status::Duplicate => "DUPLICATE",
            Status::Closed => "CLOSED",
        }
    }

    /// Open311 filter values: `open`, `closed` or an extended status; several comma-separated.
    pub fn matching_open311(filter: &str) -> Option<Vec<Status>> {
        let mut out = vec![];
        for part in filter.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let lower = part.to_ascii_lowercase();
            let matched: Vec<Status> =
                Status::ALL.into_iter().filter(|s| s.open311() == lower || s.extended().eq_ignore_ascii_case(part) || s.code() == lower).collect();
            if matched.is_empty() {
                return None;
            }
            out.extend(matched);
        }
        Some(out)
    }

    /// Statuses staff set by hand (a duplicate is made by merging).
    pub fn settable(self) -> bool {
        self != Status::Duplicate
    }

    /// A refusal needs its reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Status::Rejected | Status::NotResponsible)
    }
}

pub const DESCRIPTION_MAX: usize = 4000;
pub const ADDRESS_MAX: usize = 200;
pub const ANSWER_MAX: usize = 2000;
pub const NAME_MAX: usize = 120;

/// A report as it arrives, from a form, the JSON API or Open311.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// A category code (`GET /api/v1/reports/categories`).
    pub category: String,
    pub description: String,
    /// WGS84.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// A street, address or place name, found in the gazetteer when no position is given.
    pub address: Option<String>,
    /// A gazetteer entry's id, as an alternative to the address.
    pub address_id: Option<String>,
    /// Answers to the category's questions, by attribute code (lists: comma-separated keys).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Required from visitors; signed-in citizens are told at their account's address.
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// A photo elsewhere (Open311 `media_url`), http(s) only.
    pub media_url: Option<String>,
}

/// A checked report, ready to store: every field known good.
#[derive(Clone, Debug)]
pub struct Draft {
    pub category: String,
    pub description: String,
    pub point: Option<Point>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub media_url: Option<String>,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The text without control characters (line breaks kept) and surrounding space.
pub fn plain_text(s: &str) -> String {
    s.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().replace("\r", "")
}

impl ReportInput {
    /// Check everything and name every bad field. `signed_in`: an account
    /// reports, so no e-mail is needed. A position or an address (or an
    /// address id) is needed; resolving the address is the service's job.
    pub fn check(&self, config: &ReportsConfig, signed_in: bool) -> Result<Draft, Vec<FieldError>> {
        let mut errors = vec![];
        let mut bad = |field: &str, code: &str| errors.push(FieldError { field: field.into(), code: code.into() });
        let category = config.category(self.category.trim());
        if category.is_none() {
            bad("category", if self.category.trim().is_empty() { "required" } else { "category_unknown" });
        }
        let description = plain_text(&self.description);
        if description.chars().count() < 5 {
            bad("description", if description.is_empty() { "required" } else { "too_short" });
        } else if description.chars().count() > DESCRIPTION_MAX {
            bad("description", "too_long");
        }
        let point = match (self.lat, self.lon) {
            (None, None) => None,
            (Some(lat), Some(lon)) => match Point::new(lon, lat) {
                Some(p) => Some(p),
                None => {
                    bad("lat", "coordinates_invalid");
                    None
                }
            },
            (None, Some(_)) => {
                bad("lat", "required");
                None
            }
            (Some(_), None) => {
                bad("lon", "required");
                None
            }
        };
        let address = clean(&self.address).map(|a| plain_text(&a));
        if address.as_ref().is_some_and(|a| a.chars().count() > ADDRESS_MAX) {
            bad("address", "too_long");
        }
        let address_id = clean(&self.address_id);
        if point.is_none() && address.is_none() && address_id.is_none() && self.lat.is_none() && self.lon.is_none() {
            bad("address", "location_required");
        }
        let email = match clean(&self.email) {
            Some(e) => match identity::model::Email::parse(&e) {
                Ok(e) => Some(e.as_str().to_string()),
                Err(code) => {
                    bad("email", code);
                    None
                }
            },
            None if !signed_in => {
                bad("email", "required");
                None
            }
            None => None,
        };
        let name = clean(&self.name).map(|n| plain_text(&n));
        if name.as_ref().is_some_and(|n| n.chars().count() > NAME_MAX) {
            bad("name", "too_long");
        }
        let phone = clean(&self.phone);
        if phone.as_ref().is_some_and(|p| p.len() > 30 || !p.chars().all(|c| c.is_ascii_digit() || " +-/()".contains(c))) {
            bad("phone", "phone_invalid");
        }
        let media_url = clean(&self.media_url);
        if media_url
            .as_ref()
            .is_some_and(|u| u.len() > 500 || !(u.starts_with("https://") || u.starts_with("http://")) || u.contains(char::is_whitespace))
        {
            bad("media_url", "url_invalid");
        }
        let attributes = match category {
            Some(c) => check_attributes(c, &self.attributes, &mut bad),
            None => BTreeMap::new(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Draft { category: self.category.trim().to_string(), description, point, address, address_id, attributes, email, name, phone, media_url })
    }
}

/// Answers checked against the category's questions: known codes only,
/// required ones present, list answers among the listed keys.
fn check_attributes(c: &Category, given: &BTreeMap<String, String>, bad: &mut impl FnMut(&str, &str)) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (code, value) in given {
        let value = value.trim();
        let Some(a) = c.attributes.iter().find(|a| a.code == *code) else {
            bad(&format!("attribute[{code}]"), "attribute_unknown");
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let ok = match a.datatype.as_str() {
            "singlevaluelist" => a.values.iter().any(|v| v.key == value),
            "multivaluelist" => value.split(',').map(str::trim).all(|k| a.values.iter().any(|v| v.key == k)),
            "number" => value.parse::<f64>().is_ok_and(f64::is_finite),
            "datetime" => chrono::DateTime::parse_from_rfc3339(value).is_ok(),
            _ => value.chars().count() <= 500,
        };
        if ok {
            out.insert(code.clone(), plain_text(value));
        } else {
            bad(&format!("attribute[{code}]"), "attribute_invalid");
        }
    }
    for a in c.attributes.iter().filter(|a| a.required) {
        if !out.contains_key(&a.code) && given.get(&a.code).is_none_or(|v| v.trim().is_empty()) {
            bad(&format!("attribute[{}]", a.code), "required");
        }
    }
    out
}

/// Lower case, no diacritics, punctuation as spaces, single spaces: how
/// typed place names are compared with the gazetteer.
pub fn normalize_place(s: &str) -> String {
    kernel::i18n::fold(s)
}

/// A typed address without its house number and post code, for the street lookup:
/// "Prešernova ulica 12a, 2250 Ptuj" → "presernova ulica".
pub fn street_part(s: &str) -> String {
    let n = normalize_place(s);
    let mut words: Vec<&str> = n.split(' ').filter(|w| !w.is_empty()).collect();
    // Drop "2250 ptuj" (post code and town) and trailing house numbers.
    if let Some(pos) = words.iter().position(|w| *w == "2250") {
        words.truncate(pos);
    }
    while words.len() > 1 && words.last().is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit())) {
        words.pop();
    }
    if words.len() > 1 && words.last() == Some(&"ptuj") {
        words.pop();
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ReportsConfig {
        ReportsConfig::from_table(&toml::Table::new()).unwrap()
    }

    fn input() -> ReportInput {
        ReportInput {
            category: "pothole".into(),
            description: "Globoka luknja sredi ceste".into(),
            lat: Some(46.42),
            lon: Some(15.87),
            email: Some("ana@example.si".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_report_passes_and_a_bad_one_names_every_field() {
        let c = config();
        let d = input().check(&c, false).unwrap();
        assert_eq!(d.point, Point::new(15.87, 46.42));
        let bad = ReportInput {
            category: "toaster".into(),
            description: "x".into(),
            lat: Some(99.0),
            lon: Some(15.0),
            email: Some("not-mail".into()),
            media_url: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        let fields: Vec<String> = bad.check(&c, false).unwrap_err().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["category", "description", "lat", "email", "media_url"]);
    }

    #[test]
    fn visitors_need_an_email_and_everyone_a_location() {
        let c = config();
        let mut i = input();
        i.email = None;
        assert_eq!(i.check(&c, false).unwrap_err()[0].code, "required");
        assert!(i.check(&c, true).is_ok());
        i.lat = None;
        i.lon = None;
        assert_eq!(i.check(&c, true).unwrap_err()[0].code, "location_required");
        i.address = Some("Mestni trg".into());
        assert!(i.check(&c, true).is_ok());
    }

    #[test]
    fn attributes_follow_the_category() {
        let c = config();
        let mut i = input();
        i.category = "street_light".into();
        let e = i.check(&c, false).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("attribute[state]", "required"));
        i.attributes.insert("state".into(), "blinking".into());
        assert_eq!(i.check(&c, false).unwrap_err()[0].code, "attribute_invalid");
        i.attributes.insert("state".into(), "off".into());
        i.attributes.insert("colour".into(), "x".into());
        assert_eq!(i.check(&c, false).unwrap_err()[0].code, "attribute_unknown");
        i.attributes.remove("colour");
        assert_eq!(i.check(&c, false).unwrap().attributes["state"], "off");
    }

    #[test]
    fn statuses_map_to_open311() {
        assert_eq!(Status::InProgress.open311(), "open");
        assert_eq!(Status::Rejected.open311(), "closed");
        assert_eq!(Status::matching_open311("open").unwrap().len(), 5);
        assert_eq!(Status::matching_open311("FIXED,DUPLICATE").unwrap(), vec![Status::Fixed, Status::Duplicate]);
        assert!(Status::matching_open311("sideways").is_none());
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn typed_addresses_lose_numbers_and_town() {
        assert_eq!(street_part("Prešernova ulica 12a, 2250 Ptuj"), "presernova ulica");
        assert_eq!(street_part("  MESTNI TRG 1 "), "mestni trg");
        assert_eq!(street_part("Ulica 5. prekomorske"), "ulica 5 prekomorske");
        assert_eq!(normalize_place("Šolska ulica"), "solska ulica");
    }
}
