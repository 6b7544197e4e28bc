//! The places' types and their validation (no I/O): layers, multilingual
//! texts, accessibility, and the input that forms, the API and GeoJSON
//! features share.

use crate::geometry::{Geometry, Shape};
use crate::hours::OpeningHours;
use kernel::Lang;
use kernel::error::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The map's layers (fixed codes).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PlaceLayer)]
pub enum Layer {
    Aed,
    Wifi,
    Sports,
    Paths,
    Heritage,
    Sights,
    EvChargers,
    Bookable,
    Premises,
    Accommodation,
    Food,
}

impl Layer {
    pub const ALL: [Layer; 11] = [
        Layer::Aed,
        Layer::Wifi,
        Layer::Sports,
        Layer::Paths,
        Layer::Heritage,
        Layer::Sights,
        Layer::EvChargers,
        Layer::Bookable,
        Layer::Premises,
        Layer::Accommodation,
        Layer::Food,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Layer::Aed => "aed",
            Layer::Wifi => "wifi",
            Layer::Sports => "sports",
            Layer::Paths => "paths",
            Layer::Heritage => "heritage",
            Layer::Sights => "sights",
            Layer::EvChargers => "ev_chargers",
            Layer::Bookable => "bookable",
            Layer::Premises => "premises",
            Layer::Accommodation => "accommodation",
            Layer::Food => "food",
        }
    }

    pub fn from_code(s: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.code() == s.trim())
    }

    /// Paths are lines; areas may be polygons; everything may be a point but paths.
    pub fn allows(self, shape: Shape) -> bool {
        match self {
            Layer::Paths => shape == Shape::LineString,
            _ => shape != Shape::LineString,
        }
    }

    /// A short mark shown in the marker beside its colour (colour alone is not enough).
    pub fn mark(self) -> &'static str {
        match self {
            Layer::Aed => "+",
            Layer::Wifi => "W",
            Layer::Sports => "S",
            Layer::Paths => "P",
            Layer::Heritage => "H",
            Layer::Sights => "★",
            Layer::EvChargers => "E",
            Layer::Bookable => "B",
            Layer::Premises => "R",
            Layer::Accommodation => "A",
            Layer::Food => "F",
        }
    }
}

/// A text per language code; Slovenian is required, the others fall back to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// In `lang`, else Slovenian, else English, else empty.
    pub fn get(&self, lang: Lang) -> &str {
        self.pick(lang).0
    }
    /// The text and the language it is in (for `lang` on a fallback).
    pub fn pick(&self, lang: Lang) -> (&str, &str) {
        [lang.code(), "sl", "en"]
            .into_iter()
            .find_map(|l| self.0.get(l).filter(|s| !s.is_empty()).map(|s| (s.as_str(), l)))
            .unwrap_or(("", lang.code()))
    }
    pub fn is_empty(&self) -> bool {
        self.0.values().all(|v| v.is_empty())
    }
}

/// Wheelchair access, as OpenStreetMap tags it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Wheelchair {
    Yes,
    Limited,
    No,
}

impl Wheelchair {
    pub const ALL: [Wheelchair; 3] = [Wheelchair::Yes, Wheelchair::Limited, Wheelchair::No];
    pub fn code(self) -> &'static str {
        match self {
            Wheelchair::Yes => "yes",
            Wheelchair::Limited => "limited",
            Wheelchair::No => "no",
        }
    }
    pub fn from_code(s: &str) -> Option<Wheelchair> {
        Wheelchair::ALL.into_iter().find(|w| w.code() == s.trim())
    }
}

/// Heritage protection level of a monument.
pub const HERITAGE_LEVELS: [&str; 2] = ["national", "local"];

/// A place as submitted: the flat properties of a GeoJSON feature (and of
/// the API body), every field optional so that validation names each gap.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PlaceInput)]
pub struct PlaceInput {
    /// Keeps the place's id on import (an existing id updates that place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub layer: Option<String>,
    pub name_sl: Option<String>,
    pub name_en: Option<String>,
    pub name_de: Option<String>,
    pub name_it: Option<String>,
    pub description_sl: Option<String>,
    pub description_en: Option<String>,
    pub description_de: Option<String>,
    pub description_it: Option<String>,
    pub address: Option<String>,
    /// Weekly hours and exceptions, e.g. `Mo-Fr 08:00-16:00; 2026-12-25 off`.
    pub opening_hours: Option<String>,
    /// `yes`, `limited` or `no`.
    pub wheelchair: Option<String>,
    pub accessibility_sl: Option<String>,
    pub accessibility_en: Option<String>,
    pub accessibility_de: Option<String>,
    pub accessibility_it: Option<String>,
    /// Photo addresses (https or a path on this site), or `{url, alt}` as an
    /// export writes them; uploaded photos (`/places/photos/…`) stay with the
    /// place and are not read here.
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    /// Entrance fee in euro cents.
    pub price_cents: Option<i64>,
    /// Register number of cultural heritage (EŠD).
    pub heritage_id: Option<String>,
    /// `national` or `local`.
    pub heritage_level: Option<String>,
    pub audio_url: Option<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    /// Facts of the layer: Wi-Fi network, charger power, area in m², …
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// A GeoJSON geometry (the API body; a feature has its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<Value>,
}

/// A photo of a feature: an address, or an address with its alternative text.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = PlacePhotoRef)]
pub enum PhotoRef {
    Url(String),
    Described {
        url: String,
        /// Alternative text per language code.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        alt: BTreeMap<String, String>,
    },
}

impl PhotoRef {
    pub fn url(&self) -> &str {
        match self {
            PhotoRef::Url(u) | PhotoRef::Described { url: u, .. } => u,
        }
    }
}

/// Where uploaded photos are served; such addresses are not photo links.
pub const UPLOADED_PHOTO_PREFIX: &str = "/places/photos/";

/// A valid place, ready for the store.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceData {
    pub id: Option<String>,
    pub layer: Layer,
    pub names: Text,
    pub descriptions: Text,
    pub geometry: Geometry,
    pub address: Option<String>,
    pub hours: Option<OpeningHours>,
    pub wheelchair: Option<Wheelchair>,
    pub accessibility: Text,
    pub photos: Vec<String>,
    pub price_cents: Option<i64>,
    pub heritage_id: Option<String>,
    pub heritage_level: Option<String>,
    pub audio_url: Option<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 5000;
pub const MAX_PHOTOS: usize = 10;

struct Check {
    prefix: String,
    errors: Vec<FieldError>,
}

impl Check {
    fn add(&mut self, field: &str, code: &str) {
        self.errors.push(FieldError { field: format!("{}{field}", self.prefix), code: code.into() });
    }
    /// A trimmed optional text of at most `max` characters.
    fn text(&mut self, field: &str, v: &Option<String>, max: usize) -> Option<String> {
        let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        if v.chars().count() > max {
            self.add(field, "too_long");
        }
        Some(v.to_string())
    }
    fn url(&mut self, field: &str, v: &Option<String>) -> Option<String> {
        let v = self.text(field, v, 500)?;
        if !is_url(&v) {
            self.add(field, "url_invalid");
        }
        Some(v)
    }
    fn langs(&mut self, base: &str, values: [&Option<String>; 4], max: usize) -> Text {
        let mut t = BTreeMap::new();
        for (lang, v) in Lang::ALL.into_iter().zip(values) {
            if let Some(s) = self.text(&format!("{base}_{}", lang.code()), v, max) {
                t.insert(lang.code().to_string(), s);
            }
        }
        Text(t)
    }
}

/// https (or http) with a host, or a path on this site.
fn is_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    let ok_chars = !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    ok_chars
        && match rest {
            Some(r) => r.split('/').next().is_some_and(|h| !h.is_empty()),
            None => s.starts_with('/') && !s.starts_with("//"),
        }
}

impl PlaceInput {
    /// Validate; field names carry `prefix` (e.g. `features[3].properties.`).
    /// A geometry given apart from the input (a feature's) wins over `self.geometry`.
    pub fn validate(&self, prefix: &str, geometry_field: &str, geometry: Option<&Value>) -> Result<PlaceData, Vec<FieldError>> {
        let mut c = Check { prefix: prefix.to_string(), errors: vec![] };
        let id = self.id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if id.as_deref().is_some_and(|i| i.len() > 64 || !i.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')) {
            c.add("id", "invalid_key");
        }
        let layer = match self.layer.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                c.add("layer", "required");
                None
            }
            Some(code) => {
                let l = Layer::from_code(code);
                if l.is_none() {
                    c.add("layer", "place_layer_unknown");
                }
                l
            }
        };
        let names = c.langs("name", [&self.name_sl, &self.name_en, &self.name_de, &self.name_it], MAX_NAME);
        if !names.0.contains_key("sl") {
            c.add("name_sl", "required");
        }
        let descriptions = c.langs("description", [&self.description_sl, &self.description_en, &self.description_de, &self.description_it], MAX_TEXT);
        let accessibility =
            c.langs("accessibility", [&self.accessibility_sl, &self.accessibility_en, &self.accessibility_de, &self.accessibility_it], MAX_TEXT);
        let geometry = match geometry.or(self.geometry.as_ref()).filter(|g| !g.is_null()) {
            None => {
                c.errors.push(FieldError { field: geometry_field.into(), code: "required".into() });
                None
            }
            Some(g) => match Geometry::parse(g) {
                Ok(g) => {
                    if layer.is_some_and(|l| !l.allows(g.shape)) {
                        c.errors.push(FieldError { field: geometry_field.into(), code: "place_geometry_type".into() });
                    }
                    Some(g)
                }
                Err(code) => {
                    c.errors.push(FieldError { field: geometry_field.into(), code: code.into() });
                    None
                }
            },
        };
        let address = c.text("address", &self.address, MAX_NAME);
        let hours = match c.text("opening_hours", &self.opening_hours, 1000).map(|t| OpeningHours::parse(&t)) {
            Some(Ok(h)) => h,
            Some(Err(_)) => {
                c.add("opening_hours", "place_hours_invalid");
                None
            }
            None => None,
        };
        let wheelchair = match c.text("wheelchair", &self.wheelchair, 20) {
            Some(w) => {
                let v = Wheelchair::from_code(&w);
                if v.is_none() {
                    c.add("wheelchair", "invalid_choice");
                }
                v
            }
            None => None,
        };
        let photos: Vec<String> =
            self.photos.iter().map(|p| p.url().trim().to_string()).filter(|p| !p.is_empty() && !p.starts_with(UPLOADED_PHOTO_PREFIX)).collect();
        if photos.len() > MAX_PHOTOS {
            c.add("photos", "too_many_photos");
        }
        if photos.iter().any(|p| !is_url(p) || p.len() > 500) {
            c.add("photos", "url_invalid");
        }
        if self.price_cents.is_some_and(|p| !(0..=100_000_000).contains(&p)) {
            c.add("price_cents", "out_of_range");
        }
        let heritage_id = c.text("heritage_id", &self.heritage_id, 12);
        if heritage_id.as_deref().is_some_and(|h| !h.chars().all(|ch| ch.is_ascii_digit())) {
            c.add("heritage_id", "place_heritage_id");
        }
        let heritage_level = c.text("heritage_level", &self.heritage_level, 20);
        if heritage_level.as_deref().is_some_and(|h| !HERITAGE_LEVELS.contains(&h)) {
            c.add("heritage_level", "invalid_choice");
        }
        let audio_url = c.url("audio_url", &self.audio_url);
        let website = c.url("website", &self.website);
        let phone = c.text("phone", &self.phone, 40);
        if phone.as_deref().is_some_and(|p| !p.chars().all(|ch| ch.is_ascii_digit() || " +-/()".contains(ch))) {
            c.add("phone", "phone_invalid");
        }
        let mut attributes = BTreeMap::new();
        for (k, v) in &self.attributes {
            let key_ok = !k.is_empty() && k.len() <= 32 && k.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            if !key_ok || v.chars().count() > MAX_NAME {
                c.add("attributes", "attribute_invalid");
            } else if !v.trim().is_empty() {
                attributes.insert(k.clone(), v.trim().to_string());
            }
        }
        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        let (Some(layer), Some(geometry)) = (layer, geometry) else { return Err(c.errors) };
        Ok(PlaceData {
            id,
            layer,
            names,
            descriptions,
            geometry,
            address,
            hours,
            wheelchair,
            accessibility,
            photos,
            price_cents: self.price_cents,
            heritage_id,
            heritage_level,
            audio_url,
            website,
            phone,
            attributes,
        })
    }
}

/// Longest alternative text of a photo.
pub const MAX_ALT: usize = 300;

/// The alternative text of an uploaded photo: Slovenian required, English optional.
pub fn photo_alt(sl: Option<&str>, en: Option<&str>) -> Result<Text, Vec<FieldError>> {
    let mut c = Check { prefix: String::new(), errors: vec![] };
    let mut t = BTreeMap::new();
    for (lang, v) in [("sl", sl), ("en", en)] {
        if let Some(v) = c.text(&format!("alt_{lang}"), &v.map(str::to_string), MAX_ALT) {
            t.insert(lang.to_string(), v);
        }
    }
    if !t.contains_key("sl") {
        c.add("alt_sl", "required");
    }
    if c.errors.is_empty() { Ok(Text(t)) } else { Err(c.errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn photos_are_addresses_or_described_and_uploads_are_not_links() {
        let mut i = aed();
        i.photos = serde_json::from_value(json!([
            "https://www.ptuj.si/a.jpg",
            {"url": "/static/b.jpg", "alt": {"sl": "Vhod"}},
            {"url": "/places/photos/0192.jpg", "alt": {"sl": "Naložena"}}
        ]))
        .unwrap();
        assert_eq!(i.validate("", "geometry", None).unwrap().photos, vec!["https://www.ptuj.si/a.jpg", "/static/b.jpg"]);
    }

    #[test]
    fn alt_text_needs_slovenian() {
        assert_eq!(photo_alt(Some(" Vhod "), None).unwrap().get(Lang::En), "Vhod", "falls back to Slovenian");
        let e = codes(photo_alt(Some(" "), Some("Entrance")).unwrap_err());
        assert_eq!(e, vec![("alt_sl".to_string(), "required".to_string())]);
        let long = "x".repeat(MAX_ALT + 1);
        assert_eq!(codes(photo_alt(Some("a"), Some(&long)).unwrap_err()), vec![("alt_en".to_string(), "too_long".to_string())]);
    }

    fn aed() -> PlaceInput {
        PlaceInput {
            layer: Some("aed".into()),
            name_sl: Some("AED Mestna hiša".into()),
            geometry: Some(json!({"type": "Point", "coordinates": [15.87, 46.4198]})),
            ..Default::default()
        }
    }

    fn codes(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn a_minimal_place_is_valid() {
        let d = aed().validate("", "geometry", None).unwrap();
        assert_eq!(d.layer, Layer::Aed);
        assert_eq!(d.names.get(Lang::De), "AED Mestna hiša", "falls back to Slovenian");
        assert_eq!(d.geometry.lat, 46.4198);
    }

    #[test]
    fn every_gap_is_named_with_the_prefix() {
        let mut i =
            PlaceInput { layer: Some("volcanoes".into()), geometry: Some(json!({"type": "Point", "coordinates": [15.87]})), ..Default::default() };
        i.wheelchair = Some("sometimes".into());
        i.opening_hours = Some("always".into());
        i.website = Some("javascript:alert(1)".into());
        i.heritage_id = Some("EŠD-1".into());
        let e = codes(i.validate("features[2].properties.", "features[2].geometry", None).unwrap_err());
        let want = [
            ("features[2].properties.layer", "place_layer_unknown"),
            ("features[2].properties.name_sl", "required"),
            ("features[2].geometry", "place_geometry_invalid"),
            ("features[2].properties.opening_hours", "place_hours_invalid"),
            ("features[2].properties.wheelchair", "invalid_choice"),
            ("features[2].properties.heritage_id", "place_heritage_id"),
            ("features[2].properties.website", "url_invalid"),
        ];
        assert_eq!(e, want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());
    }

    #[test]
    fn paths_are_lines_and_points_are_not_paths() {
        let mut i = aed();
        i.layer = Some("paths".into());
        assert_eq!(codes(i.validate("", "geometry", None).unwrap_err()), vec![("geometry".to_string(), "place_geometry_type".to_string())]);
        let line = json!({"type": "LineString", "coordinates": [[15.85, 46.41], [15.89, 46.415]]});
        assert!(i.validate("", "geometry", Some(&line)).is_ok());
        let mut a = aed();
        a.geometry = Some(line);
        assert!(a.validate("", "geometry", None).is_err());
    }

    #[test]
    fn urls_are_absolute_or_local() {
        assert!(is_url("https://www.ptuj.si/a.jpg"));
        assert!(is_url("/static/icon.svg"));
        assert!(!is_url("//evil.example/x"));
        assert!(!is_url("https://"));
        assert!(!is_url("data:image/png;base64,xx"));
        assert!(!is_url("https://a.si/\"onerror=x"));
    }
}
