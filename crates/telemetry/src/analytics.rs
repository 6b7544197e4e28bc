//! The analyses the strategy's measures name, as pure functions over
//! rollups (tested on data with a known answer) and the queries that feed
//! them:
//! - water leaks from the minimum night flow of each network section (water.network);
//! - water meters that stopped or drift (water.meters);
//! - buildings heated at night, at weekends or above 24 °C (energy.buildings);
//! - bins to empty today from fill level and fill rate (env.waste);
//! - rivers rising towards their flood level (rescue.sensors).

use crate::store::{self, Bucket};
use chrono::{Datelike, Timelike};
use kernel::Ctx;
use sea_orm::DbErr;
use serde::Serialize;

const HOUR: i64 = 3_600_000;

fn local_hour(ts: i64) -> (u32, bool) {
    let l = kernel::Timestamp(ts).local();
    (l.hour(), l.weekday().num_days_from_monday() >= 5)
}

/// Least-squares slope (per hour) and the value the line gives at the last point.
pub fn trend(points: &[(i64, f64)]) -> Option<(f64, f64)> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let t0 = points[0].0;
    let xs: Vec<f64> = points.iter().map(|(t, _)| (t - t0) as f64 / HOUR as f64).collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = points.iter().map(|(_, v)| v).sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = xs.iter().zip(points).map(|(x, (_, y))| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    let at_last = my + slope * (xs[xs.len() - 1] - mx);
    Some((slope, at_last))
}

// ---------------------------------------------------------------- water leaks

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SectionNightFlow {
    pub section: String,
    /// Lowest 5-minute mean inflow between 02:00 and 04:00 local time, l/h.
    pub minimum_night_flow: Option<f64>,
    /// What the connected households legitimately use at night, l/h.
    pub expected: f64,
    /// Minimum night flow above the expected use, l/h.
    pub excess: Option<f64>,
    pub leak: bool,
}

/// The minimum night flow: the lowest bucket mean in the night window.
pub fn minimum_night_flow(buckets: &[Bucket]) -> Option<f64> {
    buckets.iter().filter(|b| (2..4).contains(&local_hour(b.ts).0)).map(|b| b.mean).min_by(f64::total_cmp)
}

/// A section leaks when its minimum night flow exceeds the households'
/// night use by more than a fifth and by more than 200 l/h.
pub fn night_flow_verdict(section: &str, mnf: Option<f64>, connections: f64, allowance_lph: f64) -> SectionNightFlow {
    let expected = connections * allowance_lph;
    let excess = mnf.map(|m| m - expected);
    let leak = excess.is_some_and(|e| e > 200.0 && e > expected * 0.2);
    SectionNightFlow { section: section.to_string(), minimum_night_flow: mnf, expected, excess, leak }
}

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct MeterFinding {
    pub meter: String,
    /// `stopped`, `drifting` or `night_flow` (flow all night: a leak behind the meter).
    pub finding: String,
    pub detail: String,
}

/// A household meter's health over a day of hourly rollups: flow (l/h) and index (m³).
pub fn meter_health(meter: &str, flow: &[Bucket], index: &[Bucket]) -> Option<MeterFinding> {
    let (first, last) = (index.first()?, index.last()?);
    if index.len() >= 12 && (last.last - first.last).abs() < 1e-9 && flow.iter().all(|b| b.max == 0.0) {
        return Some(MeterFinding {
            meter: meter.into(),
            finding: "stopped".into(),
            detail: format!("index {:.3} m³ unchanged for {} h", last.last, index.len()),
        });
    }
    // Flow integrated over the hours between the first and last index reading.
    let used: f64 = flow.iter().filter(|b| b.ts > first.ts && b.ts <= last.ts).map(|b| b.mean / 1000.0).sum();
    let counted = last.last - first.last;
    if used > 0.05 {
        let ratio = counted / used;
        if !(0.85..=1.15).contains(&ratio) {
            return Some(MeterFinding {
                meter: meter.into(),
                finding: "drifting".into(),
                detail: format!("index grew {counted:.3} m³ while flow gives {used:.3} m³ ({:.0} %)", ratio * 100.0),
            });
        }
    }
    let night: Vec<f64> = flow.iter().filter(|b| (1..5).contains(&local_hour(b.ts).0)).map(|b| b.min).collect();
    if night.len() >= 3 && night.iter().all(|m| *m >= 10.0) {
        let least = night.iter().copied().fold(f64::MAX, f64::min);
        return Some(MeterFinding { meter: meter.into(), finding: "night_flow".into(), detail: format!("at least {least:.0} l/h all night") });
    }
    None
}

// ---------------------------------------------------------------- buildings

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct BuildingHeat {
    pub building: String,
    /// Hours between 22:00 and 05:00 on working days with more than 19 °C inside.
    pub heated_night_hours: u32,
    /// Weekend hours with more than 19 °C inside.
    pub heated_weekend_hours: u32,
    /// Hours above 24 °C.
    pub hours_above_24: u32,
    pub findings: Vec<String>,
}

/// Classify hourly indoor temperatures (energy.buildings): heating at night,
/// at weekends, or rooms above 24 °C.
pub fn building_heat(building: &str, hourly: &[Bucket]) -> BuildingHeat {
    let (mut night, mut weekend, mut hot) = (0, 0, 0);
    for b in hourly {
        let (h, is_weekend) = local_hour(b.ts);
        if b.mean > 19.0 && is_weekend {
            weekend += 1;
        } else if b.mean > 19.0 && !(5..22).contains(&h) {
            night += 1;
        }
        if b.mean > 24.0 {
            hot += 1;
        }
    }
    let mut findings = vec![];
    // More than two hours: a late meeting is not a finding.
    if night > 2 {
        findings.push("heated_at_night".into());
    }
    if weekend > 2 {
        findings.push("heated_at_weekend".into());
    }
    if hot > 2 {
        findings.push("above_24".into());
    }
    BuildingHeat { building: building.into(), heated_night_hours: night, heated_weekend_hours: weekend, hours_above_24: hot, findings }
}

// ---------------------------------------------------------------- bins

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct BinForecast {
    pub bin: String,
    /// Latest fill level, %.
    pub level: f64,
    /// Points per hour since the last emptying.
    pub fill_rate_per_hour: Option<f64>,
    /// Expected level at midnight (local), %.
    pub level_at_midnight: f64,
    pub empty_today: bool,
}

/// Whether a bin must be emptied today: full now (≥ 80 %) or expected past
/// 90 % by midnight at its fill rate since it was last emptied.
pub fn bin_forecast(bin: &str, hourly: &[Bucket], now: i64) -> Option<BinForecast> {
    let last = hourly.last()?;
    // Since the last emptying (a drop of more than 30 points).
    let start = hourly.windows(2).rposition(|w| w[1].last < w[0].last - 30.0).map(|i| i + 1).unwrap_or(0);
    let points: Vec<(i64, f64)> = hourly[start..].iter().map(|b| (b.ts, b.last)).collect();
    let rate = trend(&points).map(|(s, _)| s.max(0.0));
    let l = kernel::Timestamp(now).local();
    let hours_left = 24.0 - (l.hour() as f64 + l.minute() as f64 / 60.0);
    let at_midnight = (last.last + rate.unwrap_or(0.0) * hours_left).min(100.0);
    Some(BinForecast {
        bin: bin.into(),
        level: last.last,
        fill_rate_per_hour: rate,
        level_at_midnight: at_midnight,
        empty_today: last.last >= 80.0 || at_midnight >= 90.0,
    })
}

// ---------------------------------------------------------------- rivers

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RiverOutlook {
    pub gauge: String,
    pub river: Option<String>,
    /// Latest level, cm.
    pub level: f64,
    /// cm per hour over the last three hours.
    pub rise_per_hour: Option<f64>,
    pub flood_level: Option<f64>,
    /// Hours until the flood level at the present rise.
    pub hours_to_flood: Option<f64>,
    /// `normal`, `rising` (flood within 12 h or above the alert level) or `flood`.
    pub status: String,
}

pub fn river_outlook(gauge: &str, river: Option<String>, points: &[Bucket], flood: Option<f64>, alert: Option<f64>) -> Option<RiverOutlook> {
    let last = points.last()?;
    let series: Vec<(i64, f64)> = points.iter().map(|b| (b.ts, b.mean)).collect();
    let rise = trend(&series).map(|(s, _)| s);
    let hours = match (flood, rise) {
        (Some(f), Some(r)) if r > 0.1 && last.last < f => Some((f - last.last) / r),
        _ => None,
    };
    let status = if flood.is_some_and(|f| last.last >= f) {
        "flood"
    } else if hours.is_some_and(|h| h <= 12.0) || alert.is_some_and(|a| last.last >= a) {
        "rising"
    } else {
        "normal"
    };
    Some(RiverOutlook {
        gauge: gauge.into(),
        river,
        level: last.last,
        rise_per_hour: rise,
        flood_level: flood,
        hours_to_flood: hours,
        status: status.into(),
    })
}

// ---------------------------------------------------------------- queries

/// Night flow of every water-network section, for the night before `now`.
pub async fn water_sections(ctx: &Ctx, now: i64) -> Result<Vec<SectionNightFlow>, DbErr> {
    let c = ctx.db.conn();
    let flows = store::rollups_by_type(c, "WaterConsumptionObserved", "flow", 300, now - 24 * HOUR, now).await?;
    let inflows =
        store::list_devices(c, &store::DeviceFilter { device_type: Some("WaterConsumptionObserved".into()), limit: 1_000_000, ..Default::default() })
            .await?;
    let mut out = vec![];
    for d in inflows.iter().filter(|d| d.attrs["role"] == "inflow") {
        let section = d.attrs["section"].as_str().unwrap_or(&d.key).to_string();
        let connections = d.attrs["meters"].as_f64().unwrap_or(0.0);
        let mnf = flows.get(&d.key).and_then(|b| minimum_night_flow(b));
        out.push(night_flow_verdict(&section, mnf, connections, 2.0));
    }
    out.sort_by(|a, b| a.section.cmp(&b.section));
    Ok(out)
}

/// Household meters that stopped, drift or run all night, over the last day.
pub async fn meters(ctx: &Ctx, now: i64) -> Result<Vec<MeterFinding>, DbErr> {
    let c = ctx.db.conn();
    let from = now - 24 * HOUR;
    let flow = store::rollups_by_type(c, "WaterConsumptionObserved", "flow", 3600, from, now).await?;
    let index = store::rollups_by_type(c, "WaterConsumptionObserved", "consumption", 3600, from, now).await?;
    let mut out: Vec<MeterFinding> = index
        .iter()
        .filter(|(k, _)| !k.contains("inflow"))
        .filter_map(|(k, idx)| meter_health(k, flow.get(k).map(Vec::as_slice).unwrap_or(&[]), idx))
        .collect();
    out.sort_by(|a, b| a.meter.cmp(&b.meter));
    Ok(out)
}

/// Buildings over the last seven days, from their indoor sensors.
pub async fn buildings(ctx: &Ctx, now: i64) -> Result<Vec<BuildingHeat>, DbErr> {
    let c = ctx.db.conn();
    let temps = store::rollups_by_type(c, "IndoorEnvironmentObserved", "temperature", 3600, now - 7 * 24 * HOUR, now).await?;
    let links =
        store::links(c, &store::DeviceFilter { device_type: Some("IndoorEnvironmentObserved".into()), limit: 1_000_000, ..Default::default() })
            .await?;
    let mut out = vec![];
    for (device, hourly) in &temps {
        let building = links.iter().find(|(d, _, _)| d == device).map(|(_, a, _)| a.clone()).unwrap_or_else(|| device.clone());
        out.push(building_heat(&building, hourly));
    }
    out.sort_by(|a, b| a.building.cmp(&b.building));
    Ok(out)
}

/// Every bin with its forecast; those to empty today first.
pub async fn bins(ctx: &Ctx, now: i64) -> Result<Vec<BinForecast>, DbErr> {
    let levels = store::rollups_by_type(ctx.db.conn(), "WasteContainer", "fillingLevel", 3600, now - 48 * HOUR, now + HOUR).await?;
    let mut out: Vec<BinForecast> = levels.iter().filter_map(|(k, h)| bin_forecast(k, h, now)).collect();
    out.sort_by(|a, b| b.empty_today.cmp(&a.empty_today).then(b.level_at_midnight.total_cmp(&a.level_at_midnight)));
    Ok(out)
}

/// Every river gauge: level, rise over three hours, time to flood.
pub async fn rivers(ctx: &Ctx, now: i64) -> Result<Vec<RiverOutlook>, DbErr> {
    let c = ctx.db.conn();
    let levels = store::rollups_by_type(c, "FloodMonitoring", "currentLevel", 300, now - 3 * HOUR, now + HOUR).await?;
    let gauges =
        store::list_devices(c, &store::DeviceFilter { device_type: Some("FloodMonitoring".into()), limit: 10_000, ..Default::default() }).await?;
    let mut out: Vec<RiverOutlook> = gauges
        .iter()
        .filter_map(|g| {
            river_outlook(
                &g.key,
                g.attrs["river"].as_str().map(str::to_string),
                levels.get(&g.key)?,
                g.attrs["floodLevel"].as_f64(),
                g.attrs["alertLevel"].as_f64(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.hours_to_flood.unwrap_or(f64::MAX).total_cmp(&b.hours_to_flood.unwrap_or(f64::MAX)).then(a.gauge.cmp(&b.gauge)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 00:00 local (23:00 UTC the day before), a Monday.
    const MONDAY: i64 = 1_795_388_400_000;

    fn hourly(values: &[f64]) -> Vec<Bucket> {
        values.iter().enumerate().map(|(i, v)| Bucket { ts: MONDAY + i as i64 * HOUR, mean: *v, min: *v, max: *v, last: *v }).collect()
    }

    #[test]
    fn a_straight_line_has_its_slope() {
        let pts: Vec<(i64, f64)> = (0..10).map(|i| (i * HOUR / 2, 100.0 + 4.0 * i as f64)).collect();
        let (slope, at_last) = trend(&pts).unwrap();
        assert!((slope - 8.0).abs() < 1e-9, "{slope}");
        assert!((at_last - 136.0).abs() < 1e-9);
        assert_eq!(trend(&pts[..2]), None);
    }

    #[test]
    fn the_leaking_section_is_found_by_its_night_flow() {
        // 5-minute inflow for a day: 666 connections use 2 l/h each at night; the leak adds 1,500 l/h.
        let day = |leak: f64| -> Vec<Bucket> {
            (0..288)
                .map(|i| {
                    let ts = MONDAY + i * 300_000;
                    let h = local_hour(ts).0;
                    let v = if (2..4).contains(&h) { 1332.0 + leak } else { 9000.0 + leak };
                    Bucket { ts, mean: v, min: v, max: v, last: v }
                })
                .collect()
        };
        let leaking = night_flow_verdict("07", minimum_night_flow(&day(1500.0)), 666.0, 2.0);
        assert_eq!((leaking.minimum_night_flow, leaking.expected, leaking.excess, leaking.leak), (Some(2832.0), 1332.0, Some(1500.0), true));
        let sound = night_flow_verdict("01", minimum_night_flow(&day(0.0)), 666.0, 2.0);
        assert!(!sound.leak);
        assert!(!night_flow_verdict("x", None, 10.0, 2.0).leak, "no data, no verdict");
    }

    #[test]
    fn stopped_drifting_and_night_running_meters() {
        let zero = hourly(&[0.0; 24]);
        let flat = hourly(&[512.0; 24]);
        assert_eq!(meter_health("a", &zero, &flat).unwrap().finding, "stopped");
        // 10 l/h for 23 hours = 0.23 m³, but the index grew 0.30 m³: 130 %.
        let flow = hourly(&[10.0; 24]);
        let index = hourly(&(0..24).map(|i| 100.0 + 0.3 * i as f64 / 23.0).collect::<Vec<_>>());
        let f = meter_health("b", &flow, &index).unwrap();
        assert_eq!(f.finding, "drifting");
        assert!(f.detail.contains("130 %"), "{}", f.detail);
        let honest = hourly(&(0..24).map(|i| 100.0 + 0.23 * i as f64 / 23.0).collect::<Vec<_>>());
        assert_eq!(meter_health("c", &flow, &honest).map(|f| f.finding), Some("night_flow".to_string()), "10 l/h all night");
        let daytime: Vec<f64> = (0..24).map(|h| if (1..5).contains(&h) { 0.0 } else { 20.0 }).collect();
        let used: f64 = daytime[1..].iter().sum::<f64>() / 1000.0;
        let idx = hourly(&(0..24).map(|i| 50.0 + used * i as f64 / 23.0).collect::<Vec<_>>());
        assert_eq!(meter_health("d", &hourly(&daytime), &idx), None, "a normal meter");
    }

    #[test]
    fn buildings_heated_at_night_at_weekends_or_too_warm() {
        // A week from Monday 00:00: 21 °C 06–18 on working days, 17 °C otherwise.
        let normal: Vec<f64> = (0..168).map(|h| if h / 24 < 5 && (6..18).contains(&(h % 24)) { 21.0 } else { 17.0 }).collect();
        assert_eq!(building_heat("ok", &hourly(&normal)).findings, Vec::<String>::new());
        let always = vec![22.0; 168];
        let b = building_heat("3", &hourly(&always));
        assert_eq!((b.heated_night_hours, b.heated_weekend_hours), (35, 48), "7 night hours × 5 days; 48 weekend hours");
        assert_eq!(b.findings, vec!["heated_at_night", "heated_at_weekend"]);
        let hot: Vec<f64> = normal.iter().map(|t| if *t > 20.0 { 25.5 } else { *t }).collect();
        assert_eq!(building_heat("5", &hourly(&hot)).findings, vec!["above_24"]);
    }

    #[test]
    fn bins_to_empty_today() {
        // Emptied at hour 5, then +2 points an hour; "now" is 12:00 local with 40 %.
        let levels: Vec<f64> = (0..13).map(|h| if h < 5 { 70.0 + h as f64 } else { 26.0 + 2.0 * (h - 5) as f64 }).collect();
        let noon = MONDAY + 12 * HOUR;
        let f = bin_forecast("bin", &hourly(&levels), noon).unwrap();
        assert!((f.fill_rate_per_hour.unwrap() - 2.0).abs() < 1e-9, "the rate since emptying, not across it");
        assert!((f.level_at_midnight - 64.0).abs() < 1e-9, "40 % + 12 h × 2");
        assert!(!f.empty_today);
        let fast: Vec<f64> = (0..13).map(|h| 20.0 + 5.0 * h as f64).collect();
        assert!(bin_forecast("fast", &hourly(&fast), noon).unwrap().empty_today, "80 % now");
        let slow_but_due: Vec<f64> = (0..13).map(|h| 40.0 + 2.5 * h as f64).collect();
        let f = bin_forecast("due", &hourly(&slow_but_due), noon).unwrap();
        assert!(f.level < 80.0 && f.empty_today, "70 % at noon, 100 % by midnight");
    }

    #[test]
    fn a_river_rising_towards_its_flood_level() {
        // Every 5 minutes for 3 hours, +8 cm/h from 300 cm; flood at 450 cm.
        let pts: Vec<Bucket> = (0..36)
            .map(|i| {
                let v = 300.0 + 8.0 * i as f64 / 12.0;
                Bucket { ts: MONDAY + i * 300_000, mean: v, min: v, max: v, last: v }
            })
            .collect();
        let o = river_outlook("g", None, &pts, Some(450.0), Some(360.0)).unwrap();
        assert!((o.rise_per_hour.unwrap() - 8.0).abs() < 1e-9);
        let last = 300.0 + 8.0 * 35.0 / 12.0;
        assert!((o.hours_to_flood.unwrap() - (450.0 - last) / 8.0).abs() < 1e-9);
        assert_eq!(o.status, "normal", "{:.1} h to flood", o.hours_to_flood.unwrap());
        let near = river_outlook("g", None, &pts, Some(400.0), None).unwrap();
        assert_eq!(near.status, "rising");
        let steady: Vec<Bucket> = pts.iter().map(|b| Bucket { mean: 180.0, last: 180.0, ..*b }).collect();
        let o = river_outlook("g", None, &steady, Some(450.0), Some(360.0)).unwrap();
        assert_eq!((o.status.as_str(), o.hours_to_flood), ("normal", None));
    }
}
