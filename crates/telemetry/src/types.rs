//! The catalogue of device types: what each kind of device measures, in which
//! unit, within which range, and what it can be told to do. Built in from
//! `types.toml`; a municipality adds its own through configuration.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// Attribute name, as in the Smart Data Model (e.g. `temperature`).
    pub name: String,
    /// UN/CEFACT common code of the unit (e.g. `CEL`), as NGSI-LD `unitCode`.
    pub unit: String,
    /// Lowest plausible value; below it a reading is refused.
    pub min: f64,
    /// Highest plausible value.
    pub max: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceType {
    /// Smart Data Models entity type, e.g. `Streetlight`.
    pub id: String,
    /// The measure of the strategy this type serves, e.g. `energy.lighting`.
    pub measure: String,
    /// Names by language code.
    pub label: BTreeMap<String, String>,
    pub quantities: Vec<Quantity>,
    /// Commands devices of this type accept: `switch`, `dim`, `setpoint`.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Latest values may be shown to the public (air, weather, rivers).
    #[serde(default)]
    pub public: bool,
    /// Readings tell about a household (water meters): never served to
    /// anonymous or open interfaces.
    #[serde(default)]
    pub personal: bool,
    /// Days raw readings are kept; rollups outlive them.
    #[serde(default = "default_raw_retention")]
    pub raw_retention_days: u32,
}

fn default_raw_retention() -> u32 {
    30
}

impl DeviceType {
    pub fn quantity(&self, name: &str) -> Option<&Quantity> {
        self.quantities.iter().find(|q| q.name == name)
    }
    pub fn label(&self, lang: &str) -> &str {
        self.label.get(lang).or_else(|| self.label.get("en")).map(String::as_str).unwrap_or(&self.id)
    }
}

#[derive(Deserialize)]
struct TypesFile {
    types: Vec<DeviceType>,
}

/// The built-in catalogue.
pub fn builtin() -> Vec<DeviceType> {
    let file: TypesFile = toml::from_str(include_str!("../types.toml")).expect("built-in types.toml is valid");
    file.types
}

/// Built-in types plus the municipality's own; an own type with a built-in
/// name replaces it.
pub fn catalogue(extra: &[DeviceType]) -> Result<Vec<DeviceType>, String> {
    let mut all = builtin();
    for t in extra {
        all.retain(|b| b.id != t.id);
        all.push(t.clone());
    }
    for t in &all {
        if t.quantities.is_empty() {
            return Err(format!("device type {} declares no quantity", t.id));
        }
        for q in &t.quantities {
            if !(q.min.is_finite() && q.max.is_finite() && q.min < q.max) {
                return Err(format!("device type {}: quantity {} needs min < max", t.id, q.name));
            }
        }
        if let Some(c) = t.commands.iter().find(|c| !COMMANDS.contains(&c.as_str())) {
            return Err(format!("device type {}: unknown command {c}", t.id));
        }
    }
    Ok(all)
}

/// Commands the platform can deliver.
pub const COMMANDS: &[&str] = &["switch", "dim", "setpoint"];

/// Symbols people and devices write for the UN/CEFACT codes we use.
const UNIT_SYMBOLS: &[(&str, &[&str])] = &[
    ("P1", &["%", "percent"]),
    ("WTT", &["W"]),
    ("KWT", &["kW"]),
    ("KWH", &["kWh"]),
    ("GQ", &["µg/m3", "µg/m³", "ug/m3"]),
    ("C62", &["1", "-"]),
    ("CEL", &["°C", "C", "degC"]),
    ("A97", &["hPa"]),
    ("MTS", &["m/s"]),
    ("MMT", &["mm"]),
    ("D10", &["S/m"]),
    ("E32", &["l/h", "L/h"]),
    ("MTQ", &["m3", "m³"]),
    ("KMH", &["km/h"]),
    ("CMT", &["cm"]),
    ("MQS", &["m3/s", "m³/s"]),
    ("59", &["ppm"]),
    ("C16", &["mm/s"]),
    ("HTZ", &["Hz"]),
];

/// Whether a unit as sent names the declared UN/CEFACT code.
pub fn unit_matches(declared: &str, sent: &str) -> bool {
    declared == sent || UNIT_SYMBOLS.iter().any(|(code, symbols)| *code == declared && symbols.contains(&sent))
}

/// A readable symbol for a code, for pages and CSV headers.
pub fn unit_symbol(code: &str) -> &str {
    UNIT_SYMBOLS.iter().find(|(c, _)| *c == code).and_then(|(_, s)| s.first().copied()).unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_is_consistent() {
        let all = catalogue(&[]).unwrap();
        assert!(all.iter().any(|t| t.id == "Streetlight" && t.commands.contains(&"dim".to_string())));
        for t in &all {
            assert!(t.label.contains_key("sl") && t.label.contains_key("en"), "{} is named in sl and en", t.id);
            for q in &t.quantities {
                assert!(UNIT_SYMBOLS.iter().any(|(c, _)| *c == q.unit), "{}.{} has a known unit {}", t.id, q.name, q.unit);
            }
        }
    }

    #[test]
    fn units_match_by_code_or_symbol() {
        assert!(unit_matches("CEL", "CEL"));
        assert!(unit_matches("CEL", "°C"));
        assert!(!unit_matches("CEL", "FAH"));
        assert!(!unit_matches("KWT", "W"), "kilowatt is not watt");
    }

    #[test]
    fn own_types_replace_builtin_and_are_checked() {
        let own = DeviceType {
            id: "Streetlight".into(),
            measure: "energy.lighting".into(),
            label: BTreeMap::from([("en".into(), "Lamp".into())]),
            quantities: vec![Quantity { name: "x".into(), unit: "C62".into(), min: 1.0, max: 0.0 }],
            commands: vec![],
            public: false,
            personal: false,
            raw_retention_days: 30,
        };
        assert!(catalogue(std::slice::from_ref(&own)).unwrap_err().contains("min < max"));
        let mut fixed = own;
        fixed.quantities[0].max = 2.0;
        let all = catalogue(&[fixed]).unwrap();
        assert_eq!(all.iter().filter(|t| t.id == "Streetlight").count(), 1);
        assert_eq!(all.iter().find(|t| t.id == "Streetlight").unwrap().label("sl"), "Lamp");
    }
}
