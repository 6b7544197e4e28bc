//! The staff map of devices: every located device as a point, shaped by
//! its state (reporting, silent, in maintenance, retired), over the
//! configured map tiles; the same devices are listed at /staff/sensors/devices.

use crate::Telemetry;
use crate::staff::TypeRow;
use crate::store::{self, DeviceFilter};
use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use kernel::layout::Page;
use kernel::web::{ApiQuery, render};
use kernel::{Actor, AppResult, Ctx, Permission};
use serde::Deserialize;
use serde_json::{Value, json};

/// A device that has not reported for this long counts as silent.
const SILENT_AFTER_MS: i64 = 2 * 3_600_000;

pub fn router() -> Router<Ctx> {
    Router::new().route("/staff/sensors/map", get(page)).route("/staff/sensors/map.geojson", get(geojson))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct MapQuery {
    #[serde(rename = "type")]
    device_type: Option<String>,
    status: Option<String>,
}

impl MapQuery {
    fn filter(&self) -> DeviceFilter {
        let blank = |s: &Option<String>| s.clone().filter(|x| !x.is_empty());
        DeviceFilter { device_type: blank(&self.device_type), status: blank(&self.status), limit: 100_000, ..Default::default() }
    }
    fn query_string(&self) -> String {
        format!(
            "?type={}&status={}",
            kernel::layout::urlencode(self.device_type.as_deref().unwrap_or("")),
            kernel::layout::urlencode(self.status.as_deref().unwrap_or(""))
        )
    }
}

#[derive(Template)]
#[template(path = "sensors_map.html")]
struct MapPage {
    p: Page,
    types: Vec<TypeRow>,
    selected_type: String,
    selected_status: String,
    data_url: String,
    list_url: String,
    tiles: String,
    attribution: String,
    max_zoom: u8,
    /// State names in the reader's language, for the popups.
    labels: String,
}

/// A device's state on the map.
fn state(d: &store::Device, now: i64) -> &'static str {
    match d.status.as_str() {
        "maintenance" => "maintenance",
        "retired" => "retired",
        _ => {
            let seen = d.last_seen.as_deref().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|t| t.timestamp_millis());
            if seen.is_some_and(|t| now - t < SILENT_AFTER_MS) { "reporting" } else { "silent" }
        }
    }
}

const STATES: [&str; 4] = ["reporting", "silent", "maintenance", "retired"];

async fn page(p: Page, Extension(t): Extension<Telemetry>, actor: Actor, ApiQuery(q): ApiQuery<MapQuery>) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let mut types: Vec<TypeRow> =
        t.registry.types().map(|d| TypeRow { id: d.id.clone(), label: d.label(p.lang.code()).to_string(), count: 0 }).collect();
    types.sort_by(|a, b| a.label.cmp(&b.label));
    let labels: serde_json::Map<String, Value> = STATES.iter().map(|s| (s.to_string(), json!(p.tk("map-state", s)))).collect();
    let map = p.ctx.config.map.clone();
    let origin = map.tile_origin();
    let qs = q.query_string();
    let mut resp = render(&MapPage {
        selected_type: q.device_type.clone().unwrap_or_default(),
        selected_status: q.status.clone().unwrap_or_default(),
        data_url: format!("/staff/sensors/map.geojson{qs}"),
        list_url: format!("/staff/sensors/devices{qs}"),
        tiles: map.tiles,
        attribution: map.attribution,
        max_zoom: map.max_zoom,
        labels: Value::Object(labels).to_string(),
        types,
        p,
    });
    // The tiles come from the tile server: allow its images, nothing else.
    let csp = format!(
        "default-src 'self'; img-src 'self' data: {}; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        origin.unwrap_or_default()
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert("content-security-policy", v);
    }
    Ok(resp)
}

async fn geojson(
    Extension(_t): Extension<Telemetry>,
    ctx: axum::extract::State<Ctx>,
    actor: Actor,
    ApiQuery(q): ApiQuery<MapQuery>,
) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let devices = store::list_devices(ctx.db.conn(), &q.filter()).await?;
    let now = ctx.now().0;
    let features: Vec<Value> = devices
        .iter()
        .filter_map(|d| {
            let (lon, lat) = (d.lon?, d.lat?);
            Some(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"key": d.key, "name": d.name, "type": d.device_type, "status": d.status, "state": state(d, now), "last_seen": d.last_seen},
            }))
        })
        .collect();
    let body = json!({"type": "FeatureCollection", "features": features}).to_string();
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(status: &str, last_seen: Option<&str>) -> store::Device {
        store::Device {
            id: 1,
            key: "k".into(),
            device_type: "Streetlight".into(),
            name: "n".into(),
            model: None,
            lon: None,
            lat: None,
            department: None,
            installed_on: None,
            status: status.into(),
            attrs: json!({}),
            last_seen: last_seen.map(String::from),
        }
    }

    #[test]
    fn states_on_the_map() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z").unwrap().timestamp_millis();
        assert_eq!(state(&device("active", Some("2026-12-01T11:30:00Z")), now), "reporting");
        assert_eq!(state(&device("active", Some("2026-12-01T09:00:00Z")), now), "silent");
        assert_eq!(state(&device("active", None), now), "silent");
        assert_eq!(state(&device("maintenance", Some("2026-12-01T11:59:00Z")), now), "maintenance");
        assert_eq!(state(&device("retired", None), now), "retired");
    }
}
