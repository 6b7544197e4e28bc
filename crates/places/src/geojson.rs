//! Places as GeoJSON (RFC 7946): features whose flat properties are the
//! same fields staff submit, so an export imports again unchanged; and the
//! reading of a FeatureCollection with an error per feature and field.

use crate::model::{PhotoRef, PlaceData, PlaceInput};
use crate::store::Place;
use kernel::error::FieldError;
use kernel::{Lang, Timestamp};
use serde_json::{Map, Value, json};

/// Properties a feature carries that are not input: ignored on import.
const READ_ONLY: [&str; 3] = ["url", "open_now", "updated_at"];

/// At most this many features in one import.
pub const MAX_FEATURES: usize = 5000;

/// A place as the input that would create it.
pub fn input_of(p: &Place) -> PlaceInput {
    let lang = |t: &crate::model::Text, l: Lang| t.0.get(l.code()).cloned();
    PlaceInput {
        id: Some(p.id.clone()),
        layer: Some(p.layer.code().into()),
        name_sl: lang(&p.names, Lang::Sl),
        name_en: lang(&p.names, Lang::En),
        name_de: lang(&p.names, Lang::De),
        name_it: lang(&p.names, Lang::It),
        description_sl: lang(&p.descriptions, Lang::Sl),
        description_en: lang(&p.descriptions, Lang::En),
        description_de: lang(&p.descriptions, Lang::De),
        description_it: lang(&p.descriptions, Lang::It),
        address: p.address.clone(),
        opening_hours: p.hours.as_ref().map(|h| h.to_text()),
        wheelchair: p.wheelchair.map(|w| w.code().into()),
        accessibility_sl: lang(&p.accessibility, Lang::Sl),
        accessibility_en: lang(&p.accessibility, Lang::En),
        accessibility_de: lang(&p.accessibility, Lang::De),
        accessibility_it: lang(&p.accessibility, Lang::It),
        photos: p.photos.iter().cloned().map(PhotoRef::Url).collect(),
        price_cents: p.price_cents,
        heritage_id: p.heritage_id.clone(),
        heritage_level: p.heritage_level.clone(),
        audio_url: p.audio_url.clone(),
        website: p.website.clone(),
        phone: p.phone.clone(),
        attributes: p.attributes.clone(),
        geometry: None,
    }
}

/// One place as a Feature; `now` (local time) adds whether it is open.
pub fn feature(p: &Place, now: Option<chrono::NaiveDateTime>) -> Value {
    let mut props = match serde_json::to_value(input_of(p)) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    props.retain(|_, v| !v.is_null());
    props.insert("photos".into(), json!(photos(p)));
    props.insert("url".into(), json!(format!("/places/{}", p.id)));
    props.insert("updated_at".into(), json!(p.updated_at.rfc3339()));
    if let (Some(h), Some(now)) = (&p.hours, now) {
        props.insert("open_now".into(), json!(h.is_open(now)));
    }
    json!({"type": "Feature", "id": p.id, "geometry": p.geometry.json, "properties": props})
}

/// Every photo of a place, uploaded ones first, each as `{url, alt}` (a
/// linked photo has no alternative text of its own).
pub fn photos(p: &Place) -> Vec<PhotoRef> {
    let uploads = p.uploads.iter().map(|u| PhotoRef::Described { url: u.url(), alt: u.alt.0.clone() });
    uploads.chain(p.photos.iter().map(|url| PhotoRef::Described { url: url.clone(), alt: Default::default() })).collect()
}

pub fn collection(places: &[Place], now: Timestamp) -> Value {
    let local = now.local();
    json!({"type": "FeatureCollection", "features": places.iter().map(|p| feature(p, Some(local))).collect::<Vec<_>>()})
}

fn err(field: impl Into<String>, code: &str) -> FieldError {
    FieldError { field: field.into(), code: code.into() }
}

/// Read a FeatureCollection: every feature valid, or every problem of every
/// feature (field names `features[i].properties.<name>` and `features[i].geometry`).
pub fn parse_collection(v: &Value) -> Result<Vec<PlaceData>, Vec<FieldError>> {
    if v.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(vec![err("type", "place_not_feature_collection")]);
    }
    let Some(features) = v.get("features").and_then(Value::as_array) else {
        return Err(vec![err("features", "required")]);
    };
    if features.len() > MAX_FEATURES {
        return Err(vec![err("features", "too_many")]);
    }
    let mut out = vec![];
    let mut errors = vec![];
    let mut seen = std::collections::HashSet::new();
    for (i, f) in features.iter().enumerate() {
        let base = format!("features[{i}]");
        if f.get("type").and_then(Value::as_str) != Some("Feature") {
            errors.push(err(format!("{base}.type"), "place_not_feature"));
            continue;
        }
        let mut props = match f.get("properties") {
            Some(Value::Object(m)) => m.clone(),
            Some(Value::Null) | None => Map::new(),
            Some(_) => {
                errors.push(err(format!("{base}.properties"), "place_properties_invalid"));
                continue;
            }
        };
        for k in READ_ONLY {
            props.remove(k);
        }
        // The feature's own id counts when the properties have none.
        if !props.contains_key("id")
            && let Some(id) = f.get("id").and_then(|i| i.as_str().map(str::to_string).or_else(|| i.as_i64().map(|n| n.to_string())))
        {
            props.insert("id".into(), json!(id));
        }
        let input: PlaceInput = match serde_json::from_value(Value::Object(props)) {
            Ok(i) => i,
            Err(e) => {
                errors.push(FieldError { field: format!("{base}.properties"), code: property_error(&e.to_string()) });
                continue;
            }
        };
        let no_geometry = Value::Null;
        match input.validate(&format!("{base}.properties."), &format!("{base}.geometry"), Some(f.get("geometry").unwrap_or(&no_geometry))) {
            Ok(d) => {
                if let Some(id) = &d.id
                    && !seen.insert(id.clone())
                {
                    errors.push(err(format!("{base}.properties.id"), "duplicate"));
                }
                out.push(d)
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// A serde message about properties as a field code.
fn property_error(msg: &str) -> String {
    if msg.starts_with("unknown field") { "place_property_unknown".into() } else { "place_property_type".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fc(features: Value) -> Value {
        json!({"type": "FeatureCollection", "features": features})
    }

    #[test]
    fn valid_features_are_read() {
        let v = fc(json!([
            {"type": "Feature", "id": "aed-1", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "aed", "name_sl": "AED", "url": "/places/aed-1"}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[15.85, 46.41], [15.89, 46.415]]}, "properties": {"layer": "paths", "name_sl": "Ob Dravi", "name_en": "Along the Drava"}}
        ]));
        let d = parse_collection(&v).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].id.as_deref(), Some("aed-1"));
        assert_eq!(d[1].names.get(Lang::En), "Along the Drava");
    }

    #[test]
    fn every_bad_feature_is_reported() {
        let v = fc(json!([
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "aed", "name_sl": "V redu"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.87]}, "properties": {"layer": "aed", "name_sl": "Slaba geometrija"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "ufo", "name_sl": "Neznan sloj"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "wifi"}},
            {"type": "Feature", "geometry": null, "properties": {"layer": "wifi", "name_sl": "Brez geometrije", "colour": "red"}},
            {"type": "Point", "coordinates": [15.87, 46.42]}
        ]));
        let e: Vec<(String, String)> = parse_collection(&v).unwrap_err().into_iter().map(|f| (f.field, f.code)).collect();
        let want = [
            ("features[1].geometry", "place_geometry_invalid"),
            ("features[2].properties.layer", "place_layer_unknown"),
            ("features[3].properties.name_sl", "required"),
            ("features[4].properties", "place_property_unknown"),
            ("features[5].type", "place_not_feature"),
        ];
        assert_eq!(e, want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());
        assert_eq!(parse_collection(&json!({"type": "Feature"})).unwrap_err()[0].code, "place_not_feature_collection");
        let dup = fc(json!([
            {"type": "Feature", "id": "x", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "aed", "name_sl": "A"}},
            {"type": "Feature", "id": "x", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "aed", "name_sl": "B"}}
        ]));
        assert_eq!(parse_collection(&dup).unwrap_err()[0].field, "features[1].properties.id");
    }
}
