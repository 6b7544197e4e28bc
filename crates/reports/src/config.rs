//! The `[reports]` section: limits, duplicate proposals and the routing
//! catalogue (owners, categories with their Open311 attributes, areas).
//! Without owners and categories of its own a municipality gets the Ptuj
//! demo catalogue in `routing.toml`, marked as demo data.

use crate::geo::{Point, Polygon};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The Ptuj demo routing (departments of Mestna občina Ptuj and its public companies).
pub const DEMO_ROUTING: &str = include_str!("../routing.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportsConfig {
    /// Photos per report.
    pub max_photos: usize,
    /// Largest photo accepted, in bytes, before resizing.
    pub max_photo_bytes: usize,
    /// Longest side of a stored photo, in pixels.
    pub photo_max_side: u32,
    /// Likely duplicates: same category, within this distance…
    pub duplicate_radius_m: f64,
    /// …and reported within this many days.
    pub duplicate_days: u32,
    /// Open311 `jurisdiction_id` this endpoint answers for (others get 404).
    pub jurisdiction_id: String,
    /// Hours a visitor has to confirm a report from the e-mail.
    pub confirm_hours: u32,
    /// Where the public map starts, [lon, lat].
    pub map_center: [f64; 2],
    pub owners: Vec<Owner>,
    pub categories: Vec<Category>,
    pub areas: Vec<Area>,
    /// Set by the loader: whether the catalogue is the built-in demo one.
    #[serde(skip)]
    pub demo_routing: bool,
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            max_photos: 3,
            max_photo_bytes: 8 * 1024 * 1024,
            photo_max_side: 1600,
            duplicate_radius_m: 50.0,
            duplicate_days: 14,
            jurisdiction_id: "ptuj.si".into(),
            confirm_hours: 48,
            map_center: [15.8706, 46.4199],
            owners: vec![],
            categories: vec![],
            areas: vec![],
            demo_routing: false,
        }
    }
}

/// A department of the administration or a public company: staff whose
/// account department equals `id` work its reports.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    pub id: String,
    /// `department`, `public_company` or `public_institution`.
    pub kind: String,
}

/// Text in Slovenian and English (English falls back to Slovenian).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub sl: String,
    #[serde(default)]
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: kernel::Lang) -> &str {
        match lang {
            kernel::Lang::Sl => &self.sl,
            _ if !self.en.is_empty() => &self.en,
            _ => &self.sl,
        }
    }
}

/// A kind of fault (an Open311 service).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code, the Open311 `service_code`.
    pub code: String,
    pub name: Text,
    pub description: Text,
    /// Open311 `group`.
    pub group: Text,
    /// Open311 `keywords`, comma separated.
    #[serde(default)]
    pub keywords: String,
    /// The owner's id.
    pub owner: String,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

/// An extra question of a category (Open311 service definition attribute).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub code: String,
    /// string, number, datetime, text, singlevaluelist or multivaluelist.
    pub datatype: String,
    #[serde(default)]
    pub required: bool,
    /// The question shown to the reporter.
    pub description: Text,
    /// Help for the reporter (Open311 `datatype_description`).
    #[serde(default)]
    pub datatype_description: Option<Text>,
    pub order: u32,
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    pub key: String,
    pub name: Text,
}

/// An area where other owners take reports of some categories (a park run
/// by a public institution, a road run by the state).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub name: String,
    pub owner: String,
    /// Category codes; empty: every category.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Outer ring, [lon, lat] pairs.
    pub polygon: Vec<[f64; 2]>,
}

const DATATYPES: &[&str] = &["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"];

impl ReportsConfig {
    pub fn from_table(t: &toml::Table) -> Result<ReportsConfig, String> {
        let mut c: ReportsConfig = toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[reports]: {e}"))?;
        if c.owners.is_empty() && c.categories.is_empty() {
            let demo: ReportsConfig = toml::from_str(DEMO_ROUTING).map_err(|e| format!("built-in routing.toml: {e}"))?;
            c.owners = demo.owners;
            c.categories = demo.categories;
            if c.areas.is_empty() {
                c.areas = demo.areas;
            }
            c.demo_routing = true;
        }
        c.check()?;
        Ok(c)
    }

    /// Refuse a catalogue that could not route every report.
    fn check(&self) -> Result<(), String> {
        let owner = |id: &str| self.owners.iter().any(|o| o.id == id);
        if self.categories.is_empty() {
            return Err("[reports]: at least one category is needed".into());
        }
        let mut seen = BTreeMap::new();
        for c in &self.categories {
            if c.code.is_empty() || !c.code.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-') {
                return Err(format!("[reports]: category code {:?} must be letters, digits, - or _", c.code));
            }
            if seen.insert(c.code.clone(), ()).is_some() {
                return Err(format!("[reports]: category {} is defined twice", c.code));
            }
            if !owner(&c.owner) {
                return Err(format!("[reports]: category {} names owner {:?}, which is not in owners", c.code, c.owner));
            }
            for a in &c.attributes {
                if !DATATYPES.contains(&a.datatype.as_str()) {
                    return Err(format!("[reports]: attribute {}.{} has datatype {:?}; use one of {DATATYPES:?}", c.code, a.code, a.datatype));
                }
                if a.datatype.ends_with("valuelist") && a.values.is_empty() {
                    return Err(format!("[reports]: attribute {}.{} is a list without values", c.code, a.code));
                }
            }
        }
        for o in &self.owners {
            if !matches!(o.kind.as_str(), "department" | "public_company" | "public_institution") {
                return Err(format!("[reports]: owner {:?} has kind {:?}; use department, public_company or public_institution", o.id, o.kind));
            }
        }
        for a in &self.areas {
            if !owner(&a.owner) {
                return Err(format!("[reports]: area {:?} names owner {:?}, which is not in owners", a.name, a.owner));
            }
            if a.polygon.len() < 3 {
                return Err(format!("[reports]: area {:?} needs a polygon of at least three points", a.name));
            }
            if let Some(code) = a.categories.iter().find(|code| self.category(code).is_none()) {
                return Err(format!("[reports]: area {:?} names category {code:?}, which is not defined", a.name));
            }
        }
        Ok(())
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.owners.iter().find(|o| o.id == id)
    }

    /// Who gets a report: the first area containing the point that takes
    /// this category, else the category's owner.
    pub fn route(&self, category: &Category, at: Option<Point>) -> String {
        if let Some(p) = at {
            for a in &self.areas {
                let takes = a.categories.is_empty() || a.categories.contains(&category.code);
                if takes && Polygon(&a.polygon).contains(p) {
                    return a.owner.clone();
                }
            }
        }
        category.owner.clone()
    }

    /// The named area a point lies in, for the staff filter.
    pub fn area_of(&self, p: Point) -> Option<&str> {
        self.areas.iter().find(|a| Polygon(&a.polygon).contains(p)).map(|a| a.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_catalogue_loads_and_routes_by_area() {
        let c = ReportsConfig::from_table(&toml::Table::new()).unwrap();
        assert!(c.demo_routing);
        let light = c.category("street_light").unwrap();
        assert_eq!(c.route(light, None), "Javne službe Ptuj d.o.o.");
        let green = c.category("green").unwrap();
        let area = &c.areas[0];
        let inside = Point { lon: (area.polygon[0][0] + area.polygon[2][0]) / 2.0, lat: (area.polygon[0][1] + area.polygon[2][1]) / 2.0 };
        assert_eq!(c.route(green, Some(inside)), area.owner);
        assert_eq!(c.route(green, Some(Point { lon: 15.0, lat: 46.0 })), green.owner);
    }

    #[test]
    fn a_catalogue_of_its_own_replaces_the_demo_and_is_checked() {
        let own = r#"
[[owners]]
id = "Roads"
kind = "department"
[[categories]]
code = "hole"
owner = "Roads"
name = { sl = "Luknja" }
description = { sl = "Luknja v cesti" }
group = { sl = "Ceste" }
"#;
        let c = ReportsConfig::from_table(&toml::from_str(own).unwrap()).unwrap();
        assert!(!c.demo_routing);
        assert_eq!(c.categories.len(), 1);
        let bad = own.replace("owner = \"Roads\"", "owner = \"Nobody\"");
        assert!(ReportsConfig::from_table(&toml::from_str(&bad).unwrap()).unwrap_err().contains("Nobody"));
        let typo = ReportsConfig::from_table(&toml::from_str("max_foto = 3").unwrap()).unwrap_err();
        assert!(typo.contains("max_foto"), "{typo}");
    }
}
