//! The indicators a municipality follows: every KPI of the strategy (bundled
//! in data/strategy.toml, all of them, always), the ISO indicators it selects
//! (bundled in data/iso.toml or defined in its configuration), and the
//! owners it assigns. Built once at start; a typo in the configuration stops
//! the server there rather than at the first request.

use crate::model::{Area, Indicator, Kind, Unit};
use serde::Deserialize;
use std::collections::BTreeMap;

const STRATEGY: &str = include_str!("../data/strategy.toml");
const ISO: &str = include_str!("../data/iso.toml");

/// The year the strategy's targets are set for.
pub const TARGET_YEAR: i32 = 2027;

#[derive(Deserialize)]
struct StrategyFile {
    kpi: Vec<StrategyKpi>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrategyKpi {
    code: String,
    measure: String,
    area: Area,
    pillar: u8,
    goal_sl: String,
    measure_sl: String,
    measure_en: String,
    name_sl: String,
    name_en: String,
    unit: Unit,
    baseline_year: i32,
    baseline: Option<f64>,
    baseline_note: Option<String>,
    target: Option<f64>,
    target_note: Option<String>,
    #[allow(dead_code)]
    seed_line: u32,
}

#[derive(Deserialize)]
pub struct Theme {
    pub clause: u8,
    pub en: String,
    pub sl: String,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct IsoDef {
    code: String,
    name_en: String,
    name_sl: String,
    unit: Unit,
    #[serde(default)]
    maps_to: Vec<String>,
}

#[derive(Deserialize)]
struct IsoFile {
    themes: Vec<Theme>,
    indicator: Vec<IsoDef>,
}

/// The `[indicators]` section of the configuration.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct IndicatorsConfig {
    /// ISO indicators followed, by code (`37122:7.9`); none given: every bundled one.
    iso: Option<Vec<String>>,
    /// ISO indicators the bundle does not hold.
    iso_extra: Vec<IsoDef>,
    /// Department answering for an indicator, by code.
    owners: BTreeMap<String, String>,
}

/// Every indicator followed, in the strategy's order, then the ISO ones.
pub struct Registry {
    pub indicators: Vec<Indicator>,
    pub themes: Vec<Theme>,
    index: BTreeMap<String, usize>,
}

/// `37122:7.9` → ("37122", "7.9", theme 7).
fn iso_code(code: &str) -> Option<(String, String, u8)> {
    let (standard, clause) = code.split_once(':')?;
    if !["37120", "37122", "37123"].contains(&standard) {
        return None;
    }
    let theme: u8 = clause.split('.').next()?.parse().ok()?;
    let parts_ok = clause.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ((5..=23).contains(&theme) && parts_ok && clause.contains('.')).then(|| (standard.to_string(), clause.to_string(), theme))
}

impl Registry {
    pub fn from_table(t: &toml::Table) -> Result<Registry, String> {
        let config: IndicatorsConfig = toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[indicators]: {e}"))?;
        let strategy: StrategyFile = toml::from_str(STRATEGY).map_err(|e| format!("data/strategy.toml: {e}"))?;
        let iso: IsoFile = toml::from_str(ISO).map_err(|e| format!("data/iso.toml: {e}"))?;
        let mut indicators: Vec<Indicator> = strategy
            .kpi
            .into_iter()
            .map(|k| Indicator {
                code: k.code,
                kind: Kind::Strategy,
                name_sl: k.name_sl,
                name_en: k.name_en,
                unit: k.unit,
                area: Some(k.area),
                pillar: Some(k.pillar),
                measure: Some(k.measure),
                measure_sl: Some(k.measure_sl),
                measure_en: Some(k.measure_en),
                goal_sl: Some(k.goal_sl),
                baseline: k.baseline,
                baseline_year: Some(k.baseline_year),
                baseline_note: k.baseline_note,
                target: k.target,
                target_year: Some(TARGET_YEAR),
                target_note: k.target_note,
                standard: None,
                clause: None,
                theme: None,
                related: vec![],
                owner: None,
                frequency: "yearly".into(),
                formula: None,
            })
            .collect();
        let mut defs: Vec<IsoDef> = iso.indicator;
        defs.extend(config.iso_extra);
        let chosen: Vec<String> = config.iso.unwrap_or_else(|| defs.iter().map(|d| d.code.clone()).collect());
        for code in &chosen {
            let def = defs.iter().find(|d| &d.code == code).ok_or(format!("[indicators] iso: {code} is neither bundled nor in iso_extra"))?;
            let (standard, clause, theme) = iso_code(code).ok_or(format!("[indicators] iso: {code} is not 37120/37122/37123:<clause>"))?;
            indicators.push(Indicator {
                code: def.code.clone(),
                kind: Kind::Iso,
                name_sl: def.name_sl.clone(),
                name_en: def.name_en.clone(),
                unit: def.unit,
                area: None,
                pillar: None,
                measure: None,
                measure_sl: None,
                measure_en: None,
                goal_sl: None,
                baseline: None,
                baseline_year: None,
                baseline_note: None,
                target: None,
                target_year: None,
                target_note: None,
                standard: Some(standard),
                clause: Some(clause),
                theme: Some(theme),
                related: def.maps_to.clone(),
                owner: None,
                frequency: "yearly".into(),
                formula: None,
            });
        }
        let mut index = BTreeMap::new();
        for (i, ind) in indicators.iter().enumerate() {
            if index.insert(ind.code.clone(), i).is_some() {
                return Err(format!("indicator {} is defined twice", ind.code));
            }
        }
        // Overlaps are shown on both sides.
        let links: Vec<(usize, String)> = indicators
            .iter()
            .flat_map(|i| i.related.iter().map(move |r| (r, i.code.clone())))
            .map(|(r, c)| (index.get(r).copied(), c))
            .filter_map(|(i, c)| Some((i?, c)))
            .collect();
        for ind in &indicators {
            if let Some(bad) = ind.related.iter().find(|r| !index.contains_key(*r)) {
                return Err(format!("indicator {} maps to {bad}, which is not an indicator", ind.code));
            }
        }
        for (i, code) in links {
            if !indicators[i].related.contains(&code) {
                indicators[i].related.push(code);
            }
        }
        for (code, owner) in config.owners {
            let i = index.get(&code).ok_or(format!("[indicators] owners: no indicator {code}"))?;
            indicators[*i].owner = Some(owner);
        }
        Ok(Registry { indicators, themes: iso.themes, index })
    }

    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.index.get(code).map(|&i| &self.indicators[i])
    }

    /// Records that the platform computes an indicator, and how.
    pub fn set_formula(&mut self, code: &str, formula: &str) -> Result<(), String> {
        let i = *self.index.get(code).ok_or(format!("a computation for {code}, which is not an indicator"))?;
        self.indicators[i].formula = Some(formula.to_string());
        Ok(())
    }

    pub fn theme(&self, clause: u8) -> Option<&Theme> {
        self.themes.iter().find(|t| t.clause == clause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> Registry {
        Registry::from_table(&toml::Table::new()).unwrap()
    }

    /// The measures of ../shared/MISSION.md, in its order: each has its KPIs here.
    const MEASURES: &[&str] = &[
        "econ.premises",
        "econ.market",
        "econ.forum",
        "econ.workshops",
        "agri.platform",
        "agri.protect",
        "energy.heating",
        "energy.buildings",
        "energy.lighting",
        "energy.solar",
        "env.climate",
        "env.roads",
        "env.waste",
        "env.dumps",
        "env.fleet",
        "mob.ev",
        "mob.bollards",
        "mob.speed",
        "mob.ondemand",
        "mob.transit",
        "mob.signals",
        "mob.school",
        "water.meters",
        "water.hydrants",
        "water.manholes",
        "water.network",
        "cult.heritage",
        "cult.events",
        "cult.streams",
        "cult.written",
        "cult.library",
        "cult.reading",
        "tour.guide",
        "tour.media",
        "tour.loyalty",
        "health.monitor",
        "health.aed",
        "health.tips",
        "health.youth",
        "sport.map",
        "safe.cameras",
        "safe.vibration",
        "safe.monuments",
        "safe.cybertraining",
        "safe.server",
        "admin.dto",
        "admin.documents",
        "admin.assets",
        "admin.bookings",
        "admin.notify",
        "admin.internal",
        "admin.staffskills",
        "admin.pb",
        "admin.reports",
        "admin.video",
        "admin.proposals",
        "rescue.alerts",
        "rescue.fleet",
        "rescue.sensors",
        "tele.wifi",
    ];

    #[test]
    fn every_measure_of_the_strategy_has_its_kpis() {
        let r = default();
        let strategy: Vec<&Indicator> = r.indicators.iter().filter(|i| i.kind == Kind::Strategy).collect();
        let measures: Vec<&str> = strategy.iter().map(|i| i.measure.as_deref().unwrap()).fold(vec![], |mut v, m| {
            if v.last() != Some(&m) {
                v.push(m);
            }
            v
        });
        assert_eq!(measures, MEASURES, "60 measures, in the strategy's order");
        // The measures with two KPIs in the strategy (a "; " in its KAZALNIK line).
        let two: Vec<&str> = MEASURES.iter().copied().filter(|m| r.get(&format!("{m}.2")).is_some()).collect();
        assert_eq!(
            two,
            [
                "econ.premises",
                "econ.workshops",
                "agri.platform",
                "energy.solar",
                "mob.ev",
                "mob.bollards",
                "mob.ondemand",
                "cult.heritage",
                "health.youth",
                "safe.cameras",
                "admin.documents",
                "admin.pb",
                "tele.wifi"
            ]
        );
        assert_eq!(strategy.len(), 73);
        for i in &strategy {
            assert!(!i.name_sl.is_empty() && !i.name_en.is_empty(), "{}", i.code);
            assert!(i.target.is_some() || i.target_note.is_some(), "{}: a target or why there is none", i.code);
            assert!(i.baseline.is_some() || i.baseline_note.is_some(), "{}: a baseline or why there is none", i.code);
            assert_eq!(i.pillar, i.area.map(Area::pillar), "{}", i.code);
        }
    }

    #[test]
    fn baselines_and_targets_are_the_strategys() {
        let r = default();
        let v = |c: &str| {
            let i = r.get(c).unwrap();
            (i.baseline, i.target)
        };
        assert_eq!(v("energy.lighting.1"), (Some(0.0), Some(4200.0)));
        assert_eq!(v("tele.wifi.1"), (Some(13.0), Some(20.0)));
        assert_eq!(v("tele.wifi.2"), (Some(10.0), Some(15.0)));
        assert_eq!(v("mob.ev.2"), (Some(5.0), Some(80.0)));
        assert_eq!(v("admin.reports.1"), (None, Some(0.3)));
        assert_eq!(r.get("admin.reports.1").unwrap().baseline_note.as_deref(), Some("not measured"));
        assert_eq!(r.get("water.meters.1").unwrap().baseline_note.as_deref(), Some("unknown"));
        assert_eq!(r.get("econ.workshops.1").unwrap().baseline_year, Some(2020), "the strategy gives 2020 there");
        assert_eq!(r.get("env.climate.1").unwrap().target_note.as_deref(), Some("not set"), "the strategy leaves it blank");
    }

    #[test]
    fn iso_indicators_are_selected_by_clause_and_linked_both_ways() {
        let r = default();
        let i = r.get("37122:23.3").unwrap();
        assert_eq!((i.standard.as_deref(), i.clause.as_deref(), i.theme), (Some("37122"), Some("23.3"), Some(23)));
        assert_eq!(r.theme(23).unwrap().en, "Water");
        assert_eq!(r.themes.len(), 19);
        assert!(r.get("water.network.1").unwrap().related.contains(&"37122:23.3".to_string()));

        let t: toml::Table = toml::from_str(
            r#"iso = ["37122:19.5", "37120:5.1"]
owners = { "37122:19.5" = "Urad za promet" }
[[iso_extra]]
code = "37120:5.1"
name_en = "City's unemployment rate"
name_sl = "Stopnja brezposelnosti"
unit = "percent""#,
        )
        .unwrap();
        let r = Registry::from_table(&t).unwrap();
        let iso: Vec<&str> = r.indicators.iter().filter(|i| i.kind == Kind::Iso).map(|i| i.code.as_str()).collect();
        assert_eq!(iso, ["37122:19.5", "37120:5.1"]);
        assert_eq!(r.get("37122:19.5").unwrap().owner.as_deref(), Some("Urad za promet"));
        assert!(r.get("37122:23.3").is_none(), "not selected");

        for bad in [r#"iso = ["37122:99.1"]"#, r#"iso = ["37122:7.99"]"#, r#"owners = { "nope.1" = "X" }"#, "isos = []"] {
            assert!(Registry::from_table(&toml::from_str(bad).unwrap()).is_err(), "{bad}");
        }
        assert_eq!(iso_code("37123:15.2"), Some(("37123".into(), "15.2".into(), 15)));
        assert_eq!(iso_code("37122:4.1"), None, "themes start at clause 5");
        assert_eq!(iso_code("9001:5.1"), None);
    }
}
