//! Devices and assets as NGSI-LD entities, named after Smart Data Models: a
//! device's type is its entity type, each quantity a Property with
//! `unitCode` and `observedAt`, the assets it watches `controlledAsset`
//! Relationships. Built straight into the broker's model (names expanded with
//! the core context), without a JSON round trip.

use crate::store::{Asset, Device, Latest};
use ngsi::context::RequestContext;
use ngsi::model::{Attr, Entity, Kind};
use serde_json::{Value, json};
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

/// Time of a row (RFC 3339, as the store gives it) in microseconds.
fn micros(t: Option<&str>) -> i64 {
    t.and_then(ngsi::model::parse_time).unwrap_or(0)
}

/// An entity being built: names expanded with the core context.
struct Builder {
    ctx: RequestContext,
    e: Entity,
}

impl Builder {
    fn new(entity_type: &str, key: &str, at: i64) -> Builder {
        let ctx = RequestContext::core();
        let e = Entity::new(entity_id(entity_type, key), vec![ctx.expand(entity_type)], at);
        Builder { ctx, e }
    }
    fn put(&mut self, name: &str, a: Attr) {
        let iri = self.ctx.expand(name);
        self.e.upsert(&iri, a);
    }
    fn property(&mut self, name: &str, value: Value) {
        let at = self.e.created_at;
        self.put(name, Attr::new(Kind::Property, value, at));
    }
    fn location(&mut self, lon: Option<f64>, lat: Option<f64>) {
        if let (Some(lon), Some(lat)) = (lon, lat) {
            let at = self.e.created_at;
            self.put("location", Attr::new(Kind::GeoProperty, json!({"type": "Point", "coordinates": [lon, lat]}), at));
        }
    }
    /// Type-specific attributes (a street light's feeder), except the demo marker.
    fn extra(&mut self, attrs: &Value) {
        if let Some(attrs) = attrs.as_object() {
            for (k, v) in attrs {
                if k != "demo" && ngsi::model::is_valid_name(k) && !self.e.attrs.contains_key(&self.ctx.expand(k)) {
                    self.property(k, v.clone());
                }
            }
        }
    }
}

pub fn device_entity(d: &Device, latest: &[&Latest], assets: &[(String, String)]) -> Entity {
    let seen = micros(d.last_seen.as_deref());
    let mut b = Builder::new(&d.device_type, &d.key, seen);
    b.property("name", json!(d.name));
    b.location(d.lon, d.lat);
    b.property("deviceState", json!(d.status));
    if let Some(m) = &d.model {
        b.property("refDeviceModel", json!(m));
    }
    if let Some(dep) = &d.department {
        b.property("owner", json!(dep));
    }
    if let Some(s) = &d.last_seen {
        b.property("dateLastValueReported", json!({"@type": "DateTime", "@value": s}));
    }
    b.extra(&d.attrs);
    for l in latest {
        if let (Some(v), Some(t)) = (l.value, &l.time) {
            let mut a = Attr::new(Kind::Property, json!(v), micros(Some(t)));
            a.unit_code = Some(l.unit.clone());
            a.observed_at = Some(t.clone());
            b.put(&l.quantity, a);
        }
    }
    let many = assets.len() > 1;
    for (kind, key) in assets {
        let mut a = Attr::new(Kind::Relationship, json!(entity_id(&asset_type(kind), key)), seen);
        if many {
            a.dataset_id = Some(format!("urn:ngsi-ld:Dataset:{key}"));
        }
        b.put("controlledAsset", a);
    }
    b.e
}

pub fn asset_entity(a: &Asset) -> Entity {
    let mut b = Builder::new(&asset_type(&a.kind), &a.key, 0);
    b.property("name", json!(a.name));
    b.location(a.lon, a.lat);
    if let Some(dep) = &a.department {
        b.property("owner", json!(dep));
    }
    b.extra(&a.attrs);
    b.e
}

/// Group rows by device key.
pub fn by_device(latest: &[Latest]) -> HashMap<&str, Vec<&Latest>> {
    let mut m: HashMap<&str, Vec<&Latest>> = HashMap::new();
    for l in latest {
        m.entry(l.device.as_str()).or_default().push(l);
    }
    m
}
