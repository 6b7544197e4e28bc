//! Devices and assets as NGSI-LD entities (normalized form), named after
//! Smart Data Models: a device's type is its entity type, each quantity a
//! Property with `unitCode` and `observedAt`, the assets it watches
//! `controlledAsset` relationships.

use crate::store::{Asset, Device, Latest};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const URN: &str = "urn:ngsi-ld:";

/// NGSI-LD entity type of an asset kind (Smart Data Models names where one exists).
pub fn asset_type(kind: &str) -> String {
    match kind {
        "building" => "Building".into(),
        "road_section" => "RoadSegment".into(),
        "bridge" => "Bridge".into(),
        "water_section" => "WaterNetworkSection".into(),
        "bin" => "WasteContainerIsle".into(),
        "luminaire" => "Streetlight".into(),
        "charger" => "EVChargingStation".into(),
        "feeder" => "StreetlightControlCabinet".into(),
        "monument" => "Monument".into(),
        "river_section" => "RiverSection".into(),
        other => other.to_string(),
    }
}

pub fn entity_id(entity_type: &str, key: &str) -> String {
    format!("{URN}{entity_type}:{key}")
}

/// `urn:ngsi-ld:{Type}:{key}` → (type, key).
pub fn split_id(id: &str) -> Option<(&str, &str)> {
    id.strip_prefix(URN)?.split_once(':')
}

fn property(value: Value) -> Value {
    json!({"type": "Property", "value": value})
}

fn location(lon: Option<f64>, lat: Option<f64>) -> Option<Value> {
    Some(json!({"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon?, lat?]}}))
}

pub fn device_entity(d: &Device, latest: &[&Latest], assets: &[(String, String)]) -> Value {
    let mut e = Map::new();
    e.insert("id".into(), json!(entity_id(&d.device_type, &d.key)));
    e.insert("type".into(), json!(d.device_type));
    e.insert("name".into(), property(json!(d.name)));
    if let Some(l) = location(d.lon, d.lat) {
        e.insert("location".into(), l);
    }
    e.insert("deviceState".into(), property(json!(d.status)));
    if let Some(m) = &d.model {
        e.insert("refDeviceModel".into(), property(json!(m)));
    }
    if let Some(dep) = &d.department {
        e.insert("owner".into(), property(json!(dep)));
    }
    if let Some(seen) = &d.last_seen {
        e.insert("dateLastValueReported".into(), json!({"type": "Property", "value": {"@type": "DateTime", "@value": seen}}));
    }
    if let Some(attrs) = d.attrs.as_object() {
        for (k, v) in attrs {
            if k != "demo" && !e.contains_key(k) {
                e.insert(k.clone(), property(v.clone()));
            }
        }
    }
    for l in latest {
        if let (Some(v), Some(t)) = (l.value, &l.time) {
            e.insert(l.quantity.clone(), json!({"type": "Property", "value": v, "unitCode": l.unit, "observedAt": t}));
        }
    }
    match assets {
        [] => {}
        [(kind, key)] => {
            e.insert("controlledAsset".into(), json!({"type": "Relationship", "object": entity_id(&asset_type(kind), key)}));
        }
        many => {
            let rels: Vec<Value> = many
                .iter()
                .map(|(kind, key)| json!({"type": "Relationship", "object": entity_id(&asset_type(kind), key), "datasetId": format!("urn:ngsi-ld:Dataset:{key}")}))
                .collect();
            e.insert("controlledAsset".into(), Value::Array(rels));
        }
    }
    Value::Object(e)
}

pub fn asset_entity(a: &Asset) -> Value {
    let mut e = Map::new();
    e.insert("id".into(), json!(entity_id(&asset_type(&a.kind), &a.key)));
    e.insert("type".into(), json!(asset_type(&a.kind)));
    e.insert("name".into(), property(json!(a.name)));
    if let Some(l) = location(a.lon, a.lat) {
        e.insert("location".into(), l);
    }
    if let Some(dep) = &a.department {
        e.insert("owner".into(), property(json!(dep)));
    }
    if let Some(attrs) = a.attrs.as_object() {
        for (k, v) in attrs {
            if k != "demo" && !e.contains_key(k) {
                e.insert(k.clone(), property(v.clone()));
            }
        }
    }
    Value::Object(e)
}

/// Group rows by device key.
pub fn by_device(latest: &[Latest]) -> HashMap<&str, Vec<&Latest>> {
    let mut m: HashMap<&str, Vec<&Latest>> = HashMap::new();
    for l in latest {
        m.entry(l.device.as_str()).or_default().push(l);
    }
    m
}

/// Keep only the listed attributes (id and type always stay).
pub fn pick(entity: &mut Value, attrs: &[String]) {
    if let Some(o) = entity.as_object_mut() {
        o.retain(|k, _| k == "id" || k == "type" || attrs.iter().any(|a| a == k));
    }
}

/// The simplified (key-values) form.
pub fn key_values(entity: &Value) -> Value {
    let Some(o) = entity.as_object() else { return entity.clone() };
    let simplify = |v: &Value| -> Value {
        match v.get("type").and_then(Value::as_str) {
            Some("Relationship") => v.get("object").cloned().unwrap_or(Value::Null),
            Some(_) => v.get("value").cloned().unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    let mut out = Map::new();
    for (k, v) in o {
        let s = match (k.as_str(), v) {
            ("id" | "type" | "@context", _) => v.clone(),
            (_, Value::Array(items)) => Value::Array(items.iter().map(simplify).collect()),
            _ => simplify(v),
        };
        out.insert(k.clone(), s);
    }
    Value::Object(out)
}

/// The point an entity is located at.
pub fn point(entity: &Value) -> Option<(f64, f64)> {
    let c = entity.get("location")?.get("value")?.get("coordinates")?.as_array()?;
    Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?))
}
