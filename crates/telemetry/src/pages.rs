//! Public pages: the air, the weather and the rivers near you, in your
//! language, and the same as a full-screen board for public displays.

use crate::Telemetry;
use crate::analytics::{self, RiverOutlook};
use crate::store::{self, DeviceFilter};
use askama::Template;
use axum::Extension;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use kernel::layout::Page;
use kernel::web::{ApiQuery, render};
use kernel::{AppResult, Ctx};
use serde::Deserialize;

pub fn router() -> Router<Ctx> {
    Router::new().route("/environment", get(environment)).route("/environment/board", get(board))
}

/// European Air Quality Index bands (EEA), from good (1) to extremely poor (6).
pub fn eaqi_band(pollutant: &str, value: f64) -> Option<u8> {
    let limits: [f64; 5] = match pollutant {
        "PM10" => [20.0, 40.0, 50.0, 100.0, 150.0],
        "PM2_5" => [10.0, 20.0, 25.0, 50.0, 75.0],
        "NO2" => [40.0, 90.0, 120.0, 230.0, 340.0],
        "O3" => [50.0, 100.0, 130.0, 240.0, 380.0],
        _ => return None,
    };
    Some(limits.iter().position(|l| value <= *l).map(|i| i as u8 + 1).unwrap_or(6))
}

/// WHO UV index categories, 1 (low) to 5 (extreme).
pub fn uv_category(uv: f64) -> u8 {
    match uv {
        u if u < 3.0 => 1,
        u if u < 6.0 => 2,
        u if u < 8.0 => 3,
        u if u < 11.0 => 4,
        _ => 5,
    }
}

pub struct Reading {
    pub label: String,
    pub value: String,
    /// A band's text (never colour alone), e.g. "good".
    pub band: Option<String>,
    pub band_class: String,
}

pub struct Station {
    pub name: String,
    pub distance_km: Option<String>,
    pub time: Option<String>,
    pub readings: Vec<Reading>,
    /// Air only: the worst band over all pollutants.
    pub overall: Option<String>,
    pub overall_class: String,
}

pub struct River {
    pub name: String,
    pub level: String,
    pub status: String,
    pub status_class: String,
    pub detail: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Near {
    lat: Option<f64>,
    lon: Option<f64>,
}

impl Near {
    fn point(&self) -> Option<(f64, f64)> {
        match (self.lon, self.lat) {
            (Some(x), Some(y)) if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) => Some((x, y)),
            _ => None,
        }
    }
    fn query(&self) -> String {
        self.point().map(|(x, y)| format!("?lat={y}&lon={x}")).unwrap_or_default()
    }
}

fn number(v: f64, decimals: usize, lang: kernel::Lang) -> String {
    let s = format!("{v:.decimals$}");
    // Slovenian, German and Italian write a decimal comma.
    if matches!(lang, kernel::Lang::En) { s } else { s.replace('.', ",") }
}

struct View {
    air: Vec<Station>,
    weather: Vec<Station>,
    rivers: Vec<River>,
    updated: String,
}

async fn view(ctx: &Ctx, t: &Telemetry, p: &Page, near: &Near) -> AppResult<View> {
    let c = ctx.db.conn();
    let public: Vec<String> = ["AirQualityObserved", "WeatherObserved"]
        .iter()
        .filter(|ty| t.registry.device_type(ty).is_some_and(|d| d.public))
        .map(|s| s.to_string())
        .collect();
    let f = DeviceFilter { types_in: public, limit: 10_000, ..Default::default() };
    let devices = store::list_devices(c, &f).await?;
    let latest = store::latest(c, &f, None).await?;
    let by_device = crate::ngsi::entity::by_device(&latest);
    let distance = |lon: Option<f64>, lat: Option<f64>| -> Option<f64> {
        let here = near.point()?;
        Some(ngsi::geo::haversine_m(here, (lon?, lat?)) / 1000.0)
    };
    let band_text = |b: u8| p.t(&format!("eaqi-{b}"));
    let mut air = vec![];
    let mut weather = vec![];
    for d in &devices {
        let values = by_device.get(d.key.as_str()).cloned().unwrap_or_default();
        let time = values.iter().filter_map(|l| l.time.clone()).max();
        let Some(time) = time else { continue };
        let mut readings = vec![];
        let mut worst = 0u8;
        for l in &values {
            let Some(v) = l.value else { continue };
            let (label, shown, band) = match (d.device_type.as_str(), l.quantity.as_str()) {
                ("AirQualityObserved", q @ ("PM10" | "PM2_5" | "NO2" | "O3")) => {
                    let b = eaqi_band(q, v);
                    worst = worst.max(b.unwrap_or(0));
                    (q.replace("_", "."), format!("{} µg/m³", number(v, 0, p.lang)), b.map(|b| (band_text(b), format!("band band-{b}"))))
                }
                ("WeatherObserved", "temperature") => (p.t("env-temperature"), format!("{} °C", number(v, 1, p.lang)), None),
                ("WeatherObserved", "relativeHumidity") => (p.t("env-humidity"), format!("{} %", number(v, 0, p.lang)), None),
                ("WeatherObserved", "windSpeed") => (p.t("env-wind"), format!("{} m/s", number(v, 1, p.lang)), None),
                ("WeatherObserved", "uVIndexMax") => {
                    let cat = uv_category(v);
                    (p.t("env-uv"), number(v, 1, p.lang), Some((p.t(&format!("uv-{cat}")), format!("band uv-{cat}"))))
                }
                _ => continue,
            };
            let (band, band_class) = band.map(|(t, c)| (Some(t), c)).unwrap_or((None, String::new()));
            readings.push(Reading { label, value: shown, band, band_class });
        }
        let km = distance(d.lon, d.lat);
        let station = Station {
            name: d.name.clone(),
            distance_km: km.map(|k| number(k, 1, p.lang)),
            time: Some(
                kernel::Timestamp(chrono::DateTime::parse_from_rfc3339(&time).map(|t| t.timestamp_millis()).unwrap_or_default()).display_local(),
            ),
            readings,
            overall: (worst > 0).then(|| band_text(worst)),
            overall_class: format!("band band-{worst}"),
        };
        let sort_key = km.unwrap_or(0.0);
        if d.device_type == "AirQualityObserved" { air.push((sort_key, station)) } else { weather.push((sort_key, station)) }
    }
    air.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.name.cmp(&b.1.name)));
    weather.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.name.cmp(&b.1.name)));
    let gauges = store::list_devices(c, &DeviceFilter { device_type: Some("FloodMonitoring".into()), limit: 10_000, ..Default::default() }).await?;
    let outlooks: Vec<RiverOutlook> = analytics::rivers(ctx, ctx.now().0).await?;
    let mut rivers: Vec<(f64, River)> = outlooks
        .iter()
        .filter_map(|o| {
            let g = gauges.iter().find(|g| g.key == o.gauge)?;
            let detail = o.hours_to_flood.map(|h| p.t1("env-hours-to-flood", "hours", number(h, 0, p.lang)));
            let river = River {
                name: g.name.clone(),
                level: format!("{} cm", number(o.level, 0, p.lang)),
                status: p.t(&format!("river-{}", o.status)),
                status_class: format!("band river-{}", o.status),
                detail,
            };
            Some((distance(g.lon, g.lat).unwrap_or(0.0), river))
        })
        .collect();
    rivers.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.name.cmp(&b.1.name)));
    Ok(View {
        air: air.into_iter().map(|(_, s)| s).collect(),
        weather: weather.into_iter().map(|(_, s)| s).collect(),
        rivers: rivers.into_iter().map(|(_, r)| r).collect(),
        updated: ctx.now().display_local(),
    })
}

#[derive(Template)]
#[template(path = "environment.html")]
struct EnvironmentPage {
    p: Page,
    v: View,
    near: bool,
    board_href: String,
}

async fn environment(p: Page, Extension(t): Extension<Telemetry>, ApiQuery(near): ApiQuery<Near>) -> AppResult<Response> {
    let v = view(&p.ctx.clone(), &t, &p, &near).await?;
    Ok(render(&EnvironmentPage { board_href: format!("/environment/board{}", near.query()), near: near.point().is_some(), p, v }))
}

#[derive(Template)]
#[template(path = "environment_board.html")]
struct BoardPage {
    p: Page,
    v: View,
    refresh_seconds: u64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    lat: Option<f64>,
    lon: Option<f64>,
    /// How often the display refreshes its figures (10 s to an hour; default a minute).
    refresh: Option<u64>,
}

async fn board(p: Page, Extension(t): Extension<Telemetry>, ApiQuery(q): ApiQuery<BoardQuery>) -> AppResult<Response> {
    let near = Near { lat: q.lat, lon: q.lon };
    let v = view(&p.ctx.clone(), &t, &p, &near).await?;
    Ok(render(&BoardPage { p, v, refresh_seconds: q.refresh.unwrap_or(60).clamp(10, 3600) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn air_quality_bands_follow_the_eea_index() {
        assert_eq!(eaqi_band("PM10", 18.0), Some(1));
        assert_eq!(eaqi_band("PM10", 20.0), Some(1), "limits are inclusive");
        assert_eq!(eaqi_band("PM10", 45.0), Some(3));
        assert_eq!(eaqi_band("PM2_5", 80.0), Some(6));
        assert_eq!(eaqi_band("NO2", 100.0), Some(3));
        assert_eq!(eaqi_band("O3", 200.0), Some(4));
        assert_eq!(eaqi_band("CO", 1.0), None);
    }

    #[test]
    fn uv_categories_follow_the_who() {
        assert_eq!([0.0, 2.9, 3.0, 6.5, 9.0, 11.0].map(uv_category), [1, 1, 2, 3, 4, 5]);
    }
}
