//! Citizens and the municipality talk: proposals and initiatives that the
//! responsible department answers publicly, surveys with one answer per
//! person and their results, and questions ("Vprašaj občino") that become
//! public and searchable once answered.

pub mod api;
pub mod chart;
pub mod demo;
pub mod model;
pub mod pages;
pub mod personal;
pub mod service;
pub mod stem;
pub mod store;

use kernel::Lang;
use kernel::db::Migration;
use model::Area;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[Migration] =
    &[Migration { id: "participation-0001", sql: include_str!("../migrations/0001_participation.sql"), postgres: None }];

/// The `[participation]` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParticipationConfig {
    /// Which departments answer the proposals of each area (staff with
    /// another department see them but cannot answer; DTO and administrators
    /// answer every area). An area left out keeps its default.
    pub departments: BTreeMap<Area, Vec<String>>,
    /// Proposals and questions one person may submit in 24 hours.
    pub max_submissions_per_day: i64,
}

/// Ptuj's offices (demo defaults): the mayor's office may answer every area.
fn default_departments() -> BTreeMap<Area, Vec<String>> {
    let office = |s: &str| vec![s.to_string(), "Urad župana".to_string()];
    BTreeMap::from([
        (Area::Environment, office("Urad za okolje in prostor")),
        (Area::Economy, office("Urad za gospodarstvo in turizem")),
        (Area::Mobility, office("Urad za promet in gospodarske javne službe")),
        (Area::Health, office("Urad za družbene dejavnosti")),
        (Area::Administration, office("Urad za splošne zadeve")),
    ])
}

impl Default for ParticipationConfig {
    fn default() -> Self {
        ParticipationConfig { departments: default_departments(), max_submissions_per_day: 10 }
    }
}

impl ParticipationConfig {
    pub fn from_table(t: &toml::Table) -> Result<ParticipationConfig, String> {
        let mut c: ParticipationConfig = toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[participation]: {e}"))?;
        for (area, deps) in default_departments() {
            c.departments.entry(area).or_insert(deps);
        }
        if c.max_submissions_per_day <= 0 {
            return Err("[participation]: max_submissions_per_day must be positive".into());
        }
        if c.departments.values().any(|d| d.iter().any(|s| s.trim().is_empty())) {
            return Err("[participation]: department names must not be empty".into());
        }
        Ok(c)
    }

    /// The areas a department answers.
    pub fn areas_of(&self, department: &str) -> Vec<Area> {
        let d = department.trim().to_lowercase();
        Area::ALL.into_iter().filter(|a| self.departments.get(a).is_some_and(|ds| ds.iter().any(|x| x.trim().to_lowercase() == d))).collect()
    }

    /// The department named first for an area (shown with its answers).
    pub fn department_of(&self, area: Area) -> Option<&str> {
        self.departments.get(&area).and_then(|d| d.first()).map(String::as_str)
    }
}

/// Pages and API of participation.
pub fn router() -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departments_are_configurable_with_defaults() {
        let c = ParticipationConfig::default();
        assert_eq!(c.areas_of("Urad za okolje in prostor"), vec![Area::Environment]);
        assert_eq!(c.areas_of(" urad župana "), Area::ALL.to_vec());
        assert!(c.areas_of("Kabinet").is_empty());
        let t: toml::Table = toml::from_str("[departments]\nhealth = [\"Oddelek za zdravje\"]").unwrap();
        let c = ParticipationConfig::from_table(&t).unwrap();
        assert_eq!(c.areas_of("Oddelek za zdravje"), vec![Area::Health]);
        assert_eq!(c.areas_of("Urad za okolje in prostor"), vec![Area::Environment], "the other areas keep their defaults");
        let bad: toml::Table = toml::from_str("[departments]\nsport = [\"X\"]").unwrap();
        assert!(ParticipationConfig::from_table(&bad).is_err());
        let typo: toml::Table = toml::from_str("max_submisions_per_day = 3").unwrap();
        assert!(ParticipationConfig::from_table(&typo).is_err());
    }
}
