//! Entities as the broker holds them: names expanded to IRIs, every
//! attribute a list of instances (one per datasetId), system times in
//! microseconds. Parsing (`parse`) and rendering (`render`) convert between
//! this and what clients send and receive.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// NGSI-LD Null: deletes in merge and partial updates, marks deletions in temporal and notification data.
pub const NGSI_LD_NULL: &str = "urn:ngsi-ld:null";

/// The kinds of attribute, each with the member that carries its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Property,
    Relationship,
    GeoProperty,
    LanguageProperty,
    VocabProperty,
    JsonProperty,
    ListProperty,
    ListRelationship,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Property,
        Kind::Relationship,
        Kind::GeoProperty,
        Kind::LanguageProperty,
        Kind::VocabProperty,
        Kind::JsonProperty,
        Kind::ListProperty,
        Kind::ListRelationship,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Property => "Property",
            Kind::Relationship => "Relationship",
            Kind::GeoProperty => "GeoProperty",
            Kind::LanguageProperty => "LanguageProperty",
            Kind::VocabProperty => "VocabProperty",
            Kind::JsonProperty => "JsonProperty",
            Kind::ListProperty => "ListProperty",
            Kind::ListRelationship => "ListRelationship",
        }
    }

    pub fn from_name(s: &str) -> Option<Kind> {
        let s = s.strip_prefix("https://uri.etsi.org/ngsi-ld/").or_else(|| s.strip_prefix("ngsi-ld:")).unwrap_or(s);
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The member holding the value: `value`, `object`, `languageMap`, …
    pub fn value_key(self) -> &'static str {
        match self {
            Kind::Property | Kind::GeoProperty => "value",
            Kind::Relationship => "object",
            Kind::LanguageProperty => "languageMap",
            Kind::VocabProperty => "vocab",
            Kind::JsonProperty => "json",
            Kind::ListProperty => "valueList",
            Kind::ListRelationship => "objectList",
        }
    }

    /// The member holding the previous value in notifications with showChanges.
    pub fn previous_key(self) -> &'static str {
        match self {
            Kind::Property | Kind::GeoProperty => "previousValue",
            Kind::Relationship => "previousObject",
            Kind::LanguageProperty => "previousLanguageMap",
            Kind::VocabProperty => "previousVocab",
            Kind::JsonProperty => "previousJson",
            Kind::ListProperty => "previousValueList",
            Kind::ListRelationship => "previousObjectList",
        }
    }

    /// The member of the temporal "simplified" (temporalValues) form.
    pub fn values_key(self) -> &'static str {
        match self {
            Kind::Property | Kind::GeoProperty => "values",
            Kind::Relationship => "objects",
            Kind::LanguageProperty => "languageMaps",
            Kind::VocabProperty => "vocabs",
            Kind::JsonProperty => "jsons",
            Kind::ListProperty => "valueLists",
            Kind::ListRelationship => "objectLists",
        }
    }

    pub fn is_relationship(self) -> bool {
        matches!(self, Kind::Relationship | Kind::ListRelationship)
    }
}

/// One instance of an attribute (or a sub-attribute).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attr {
    #[serde(rename = "k")]
    pub kind: Kind,
    /// The value, object, languageMap, vocab (expanded), json, valueList or objectList.
    #[serde(rename = "v")]
    pub value: Value,
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub dataset_id: Option<String>,
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<String>,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    /// A Relationship's objectType (expanded).
    #[serde(rename = "ot", default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<Value>,
    #[serde(rename = "vt", default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(rename = "c")]
    pub created_at: i64,
    #[serde(rename = "m")]
    pub modified_at: i64,
    /// When this instance was deleted (temporal evolution and notifications only).
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// Sub-attributes by expanded name.
    #[serde(rename = "s", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sub: BTreeMap<String, Vec<Attr>>,
}

impl Attr {
    pub fn new(kind: Kind, value: Value, now: i64) -> Attr {
        Attr {
            kind,
            value,
            dataset_id: None,
            observed_at: None,
            unit_code: None,
            object_type: None,
            value_type: None,
            created_at: now,
            modified_at: now,
            deleted_at: None,
            sub: BTreeMap::new(),
        }
    }

    /// Whether this carries NGSI-LD Null as its value (a deletion).
    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::String(s) => s == NGSI_LD_NULL,
            Value::Array(a) => a.len() == 1 && a[0].as_str() == Some(NGSI_LD_NULL),
            Value::Object(o) => o.get("@none").and_then(Value::as_str) == Some(NGSI_LD_NULL),
            _ => false,
        }
    }

    /// The time this instance was observed, in microseconds, if any.
    pub fn observed_micros(&self) -> Option<i64> {
        self.observed_at.as_deref().and_then(parse_time)
    }
}

/// An entity with every name expanded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    /// Entity types (expanded), in the order given.
    pub types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub modified_at: i64,
    pub attrs: BTreeMap<String, Vec<Attr>>,
}

impl Entity {
    pub fn new(id: String, types: Vec<String>, now: i64) -> Entity {
        Entity { id, types, scopes: vec![], created_at: now, modified_at: now, attrs: BTreeMap::new() }
    }

    /// The instance of an attribute with this datasetId (`None`: the default one).
    pub fn instance(&self, name: &str, dataset_id: Option<&str>) -> Option<&Attr> {
        self.attrs.get(name)?.iter().find(|a| a.dataset_id.as_deref() == dataset_id)
    }

    /// Put an instance in, replacing the one with the same datasetId. Returns the one replaced.
    pub fn upsert(&mut self, name: &str, attr: Attr) -> Option<Attr> {
        let list = self.attrs.entry(name.to_string()).or_default();
        match list.iter_mut().find(|a| a.dataset_id == attr.dataset_id) {
            Some(slot) => Some(std::mem::replace(slot, attr)),
            None => {
                list.push(attr);
                None
            }
        }
    }

    /// Remove the instance with this datasetId, or all of them; true if something went.
    pub fn remove(&mut self, name: &str, dataset_id: Option<&str>, all: bool) -> bool {
        let Some(list) = self.attrs.get_mut(name) else { return false };
        let before = list.len();
        if all {
            list.clear();
        } else {
            list.retain(|a| a.dataset_id.as_deref() != dataset_id);
        }
        let removed = list.len() != before;
        if list.is_empty() {
            self.attrs.remove(name);
        }
        removed
    }
}

/// Microseconds since the epoch → `2024-01-31T12:00:00Z`, with a fraction only when there is one.
pub fn format_time(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)).unwrap_or_default()
}

/// An ISO 8601 / RFC 3339 date-time → microseconds. A time without a zone is read as UTC.
pub fn parse_time(s: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    None
}

/// Whether a string is a URI (a scheme and something after it), as ids must be.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    !rest.is_empty()
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !s.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`'))
}

/// Characters NGSI-LD forbids in names (clause 4.6.2), besides those JSON-LD reserves.
/// A name (clause 4.6.2) begins with a letter, so no dot segment passes for one.
pub fn is_valid_name(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_alphabetic)
        && !s.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '=' | ';' | '(' | ')'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_and_uris_are_checked() {
        let t = parse_time("2024-03-01T10:00:00.5Z").unwrap();
        assert_eq!(format_time(t), "2024-03-01T10:00:00.500Z");
        assert_eq!(format_time(parse_time("2024-03-01T10:00:00Z").unwrap()), "2024-03-01T10:00:00Z");
        assert_eq!(parse_time("2024-03-01T10:00:00+01:00"), parse_time("2024-03-01T09:00:00Z"));
        assert!(parse_time("yesterday").is_none());
        assert!(is_uri("urn:ngsi-ld:Building:1") && is_uri("https://example.org/a"));
        assert!(!is_uri("Building1") && !is_uri("urn:") && !is_uri("urn:a b"));
        assert!(is_valid_name("airQualityLevel") && !is_valid_name("a=b") && !is_valid_name("a(b)"));
        assert!(!is_valid_name("..") && !is_valid_name("%2e") && !is_valid_name(""));
    }

    #[test]
    fn instances_are_kept_per_dataset() {
        let mut e = Entity::new("urn:a".into(), vec!["T".into()], 1);
        let mut a = Attr::new(Kind::Property, Value::from(1), 1);
        e.upsert("p", a.clone());
        a.dataset_id = Some("urn:d:1".into());
        e.upsert("p", a.clone());
        a.value = Value::from(2);
        assert!(e.upsert("p", a).is_some());
        assert_eq!(e.attrs["p"].len(), 2);
        assert_eq!(e.instance("p", Some("urn:d:1")).unwrap().value, Value::from(2));
        assert!(e.remove("p", None, false));
        assert!(e.remove("p", Some("urn:d:1"), false));
        assert!(!e.attrs.contains_key("p"));
    }
}
