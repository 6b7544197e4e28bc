//! What an indicator is: its definition (bundled, configurable) and a value
//! with where it came from.

use kernel::Lang;
use serde::{Deserialize, Serialize};

/// The fourteen areas of the strategy (§5), each in one of its five pillars.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = StrategyArea)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Economy,
    Agriculture,
    Energy,
    Environment,
    Mobility,
    Water,
    Culture,
    Tourism,
    Health,
    Sport,
    Safety,
    Administration,
    Rescue,
    Telecom,
}

impl Area {
    pub const ALL: [Area; 14] = [
        Area::Economy,
        Area::Agriculture,
        Area::Energy,
        Area::Environment,
        Area::Mobility,
        Area::Water,
        Area::Culture,
        Area::Tourism,
        Area::Health,
        Area::Sport,
        Area::Safety,
        Area::Administration,
        Area::Rescue,
        Area::Telecom,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Area::Economy => "economy",
            Area::Agriculture => "agriculture",
            Area::Energy => "energy",
            Area::Environment => "environment",
            Area::Mobility => "mobility",
            Area::Water => "water",
            Area::Culture => "culture",
            Area::Tourism => "tourism",
            Area::Health => "health",
            Area::Sport => "sport",
            Area::Safety => "safety",
            Area::Administration => "administration",
            Area::Rescue => "rescue",
            Area::Telecom => "telecom",
        }
    }

    pub fn parse(s: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.code() == s)
    }

    /// The pillar of §5 the area belongs to (5.1 … 5.5).
    pub fn pillar(self) -> u8 {
        match self {
            Area::Economy | Area::Agriculture => 1,
            Area::Energy | Area::Environment | Area::Mobility | Area::Water => 2,
            Area::Culture | Area::Tourism => 3,
            Area::Health | Area::Sport | Area::Safety => 4,
            Area::Administration | Area::Rescue | Area::Telecom => 5,
        }
    }
}

/// How a value reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = IndicatorUnit)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    Count,
    /// 1 when the thing exists, 0 when not.
    Flag,
    #[serde(rename = "kW")]
    Kw,
    KmPerYear,
    PerYear,
    PerEmployee,
    PerResidentYear,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Count => "count",
            Unit::Flag => "flag",
            Unit::Kw => "kW",
            Unit::KmPerYear => "km_per_year",
            Unit::PerYear => "per_year",
            Unit::PerEmployee => "per_employee",
            Unit::PerResidentYear => "per_resident_year",
        }
    }

    /// A value as pages show it: the decimal comma except in English, as many
    /// decimals as a small value needs, flags as yes/no in the page's language.
    pub fn show(self, v: f64, lang: Lang, yes: &str, no: &str) -> String {
        let decimals = if v.abs() >= 100.0 || v.fract() == 0.0 {
            0
        } else if v.abs() >= 1.0 {
            2
        } else {
            4
        };
        let mut n = format!("{v:.decimals$}");
        if n.contains('.') {
            n = n.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        if lang != Lang::En {
            n = n.replace('.', ",");
        }
        match self {
            Unit::Percent => format!("{n} %"),
            Unit::Flag => (if v >= 1.0 { yes } else { no }).to_string(),
            Unit::Kw => format!("{n} kW"),
            Unit::KmPerYear => format!("{n} km"),
            _ => n,
        }
    }
}

/// Which family an indicator belongs to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = IndicatorKind)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A KPI of a measure of the strategy (annex tables 7–20).
    Strategy,
    /// An ISO 37120 / 37122 / 37123 indicator the municipality selected.
    Iso,
}

/// Where a value came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = IndicatorProvenance)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// By the platform from its own data.
    Computed,
    /// From a CSV file a staff member uploaded.
    Imported,
    /// Typed in by a staff member.
    Entered,
}

impl Provenance {
    pub fn code(self) -> &'static str {
        match self {
            Provenance::Computed => "computed",
            Provenance::Imported => "imported",
            Provenance::Entered => "entered",
        }
    }

    pub fn parse(s: &str) -> Option<Provenance> {
        [Provenance::Computed, Provenance::Imported, Provenance::Entered].into_iter().find(|p| p.code() == s)
    }
}

/// One indicator's definition.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    /// `econ.premises.1` (strategy: measure and number) or `37122:7.9` (ISO: standard and clause).
    pub code: String,
    pub kind: Kind,
    pub name_sl: String,
    pub name_en: String,
    pub unit: Unit,
    pub area: Option<Area>,
    pub pillar: Option<u8>,
    /// The measure of MISSION.md (`econ.premises`) a strategy KPI belongs to.
    pub measure: Option<String>,
    pub measure_sl: Option<String>,
    pub measure_en: Option<String>,
    pub goal_sl: Option<String>,
    pub baseline: Option<f64>,
    pub baseline_year: Option<i32>,
    /// Why there is no baseline: `unknown` ("?" in the strategy), `not measured` ("-").
    pub baseline_note: Option<String>,
    pub target: Option<f64>,
    pub target_year: Option<i32>,
    pub target_note: Option<String>,
    /// ISO: the standard (`37120`, `37122`, `37123`), the clause and its theme (clause's first number).
    pub standard: Option<String>,
    pub clause: Option<String>,
    pub theme: Option<u8>,
    /// Codes of the indicators this one overlaps (ISO ↔ strategy), both ways.
    pub related: Vec<String>,
    /// The department that answers for it.
    pub owner: Option<String>,
    /// How often a new value is expected.
    pub frequency: String,
    /// How the platform computes it, when it does.
    pub formula: Option<String>,
}

impl Indicator {
    pub fn name(&self, lang: Lang) -> &str {
        if lang == Lang::Sl { &self.name_sl } else { &self.name_en }
    }

    pub fn measure_name(&self, lang: Lang) -> Option<&str> {
        if lang == Lang::Sl { self.measure_sl.as_deref() } else { self.measure_en.as_deref() }
    }

    /// How far the value has come from the baseline to the target, 0–1
    /// (clamped); `None` without both ends or when they are equal.
    pub fn progress(&self, value: f64) -> Option<f64> {
        let (from, to) = (self.baseline.unwrap_or(0.0), self.target?);
        if (to - from).abs() < f64::EPSILON {
            return None;
        }
        Some(((value - from) / (to - from)).clamp(0.0, 1.0))
    }
}

/// A value of an indicator for a period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = IndicatorValue)]
pub struct Value {
    pub code: String,
    pub period: String,
    pub value: f64,
    pub provenance: Provenance,
    pub recorded_by: String,
    pub note: Option<String>,
    /// Milliseconds since the epoch.
    pub recorded_at: i64,
}

/// A period is a year (`2026`) or a month of it (`2026-06`), 2000–2100.
pub fn valid_period(s: &str) -> bool {
    let (year, month) = match s.split_once('-') {
        Some((y, m)) => (y, Some(m)),
        None => (s, None),
    };
    let year_ok = year.len() == 4 && year.parse::<u32>().is_ok_and(|y| (2000..=2100).contains(&y));
    let month_ok = month.is_none_or(|m| m.len() == 2 && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)));
    year_ok && month_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_years_or_months() {
        for ok in ["2022", "2027", "2026-01", "2026-12"] {
            assert!(valid_period(ok), "{ok}");
        }
        for bad in ["", "22", "2026-13", "2026-1", "1999", "2026-06-01", "year", "2026-"] {
            assert!(!valid_period(bad), "{bad}");
        }
    }

    #[test]
    fn values_read_in_their_unit() {
        assert_eq!(Unit::Percent.show(42.0, Lang::Sl, "da", "ne"), "42 %");
        assert_eq!(Unit::PerResidentYear.show(0.3, Lang::Sl, "da", "ne"), "0,3");
        assert_eq!(Unit::PerResidentYear.show(0.3, Lang::En, "yes", "no"), "0.3");
        assert_eq!(Unit::PerResidentYear.show(0.000348, Lang::En, "", ""), "0.0003", "small values keep their figures");
        assert_eq!(Unit::Count.show(16.5, Lang::De, "", ""), "16,5");
        assert_eq!(Unit::Count.show(4200.0, Lang::Sl, "", ""), "4200");
        assert_eq!(Unit::Flag.show(1.0, Lang::Sl, "da", "ne"), "da");
        assert_eq!(Unit::Flag.show(0.0, Lang::Sl, "da", "ne"), "ne");
        assert_eq!(Unit::Kw.show(300.0, Lang::En, "", ""), "300 kW");
    }
}
