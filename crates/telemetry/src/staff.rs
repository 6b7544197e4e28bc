//! Staff pages of the sensor platform: the overview, devices with their
//! charts and commands, alarms, the public-lighting board and the water
//! network. Server-rendered; every chart has its data table.

use crate::Telemetry;
use crate::alarms::{self, AlarmFilter};
use crate::store::{self, DeviceFilter, Point};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use kernel::csrf::CsrfForm;
use kernel::layout::Page;
use kernel::web::{ApiQuery, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/staff/sensors", get(overview))
        .route("/staff/sensors/devices", get(devices))
        .route("/staff/sensors/devices/{key}", get(device))
        .route("/staff/sensors/devices/{key}/command", post(send_command))
        .route("/staff/sensors/alarms", get(alarms_page))
        .route("/staff/sensors/alarms/{id}/acknowledge", post(acknowledge))
        .route("/staff/sensors/lighting", get(lighting))
        .route("/staff/sensors/water", get(water))
        .route("/staff/sensors/assets/{key}", get(asset))
        .route("/staff/sensors/import", get(import_form).post(import_upload))
        .route("/staff/sensors/import/{id}", get(import_status))
}

const HOUR: i64 = 3_600_000;

pub struct TypeRow {
    pub id: String,
    pub label: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "sensors.html")]
struct Overview {
    p: Page,
    types: Vec<TypeRow>,
    open_alarms: usize,
    rejections: Vec<store::RejectionCount>,
}

async fn overview(p: Page, Extension(t): Extension<Telemetry>, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let c = p.ctx.db.conn();
    let mut types: Vec<TypeRow> = store::count_by_type(c)
        .await?
        .into_iter()
        .map(|(id, count)| TypeRow {
            label: t.registry.device_type(&id).map(|d| d.label(p.lang.code()).to_string()).unwrap_or_else(|| id.clone()),
            id,
            count,
        })
        .collect();
    types.sort_by(|a, b| a.label.cmp(&b.label));
    let open_alarms = alarms::alarms(c, &AlarmFilter { state: Some("open".into()), limit: 10_000, ..Default::default() }).await?.len();
    let mut rejections = store::rejection_counts(c, None).await?;
    rejections.truncate(10);
    Ok(render(&Overview { p, types, open_alarms, rejections }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DeviceQuery {
    #[serde(rename = "type")]
    device_type: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "sensors_devices.html")]
struct DevicesPage {
    p: Page,
    types: Vec<TypeRow>,
    selected_type: String,
    selected_status: String,
    devices: Vec<store::Device>,
    next: Option<String>,
}

async fn devices(p: Page, Extension(t): Extension<Telemetry>, actor: Actor, ApiQuery(q): ApiQuery<DeviceQuery>) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let blank = |s: Option<String>| s.filter(|x| !x.is_empty());
    let f = DeviceFilter {
        device_type: blank(q.device_type.clone()),
        status: blank(q.status.clone()),
        after: blank(q.cursor),
        limit: 100,
        ..Default::default()
    };
    let devices = store::list_devices(p.ctx.db.conn(), &f).await?;
    let next = (devices.len() == 100).then(|| {
        let last = devices.last().map(|d| d.key.clone()).unwrap_or_default();
        format!(
            "?type={}&status={}&cursor={}",
            kernel::layout::urlencode(f.device_type.as_deref().unwrap_or("")),
            kernel::layout::urlencode(f.status.as_deref().unwrap_or("")),
            kernel::layout::urlencode(&last)
        )
    });
    let mut types: Vec<TypeRow> =
        t.registry.types().map(|d| TypeRow { id: d.id.clone(), label: d.label(p.lang.code()).to_string(), count: 0 }).collect();
    types.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(render(&DevicesPage {
        p,
        types,
        selected_type: q.device_type.unwrap_or_default(),
        selected_status: q.status.unwrap_or_default(),
        devices,
        next,
    }))
}

pub struct QuantityView {
    pub name: String,
    pub unit: String,
    pub latest: String,
    pub time: String,
    pub chart: String,
    pub points: Vec<Point>,
}

#[derive(Template)]
#[template(path = "sensors_device.html")]
struct DevicePage {
    p: Page,
    d: store::Device,
    type_label: String,
    assets: Vec<String>,
    quantities: Vec<QuantityView>,
    alarms: Vec<alarms::Alarm>,
    commands: Vec<crate::commands::Command>,
    can_command: bool,
    takes: Vec<String>,
    rejections: Vec<store::RejectionCount>,
}

async fn device(p: Page, Extension(t): Extension<Telemetry>, actor: Actor, Path(key): Path<String>) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let c = p.ctx.db.conn();
    let d = store::device_by_key(c, &key).await?.ok_or_else(AppError::not_found)?;
    let ty = t.registry.device_type(&d.device_type).cloned();
    let quantities = quantity_views(&p.ctx, &key, 100, "chart").await?;
    let alarms = alarms::alarms(c, &AlarmFilter { device: Some(key.clone()), limit: 20, ..Default::default() }).await?;
    let commands = crate::commands::list(c, &crate::commands::CommandFilter { device: Some(key.clone()), limit: 10, ..Default::default() }).await?;
    let can_command = actor.allows(Permission::ManageDevices);
    let assets = store::device_asset_keys(c, d.id).await?;
    let rejections = store::rejection_counts(c, Some(&key)).await?;
    Ok(render(&DevicePage {
        type_label: ty.as_ref().map(|t| t.label(p.lang.code()).to_string()).unwrap_or_else(|| d.device_type.clone()),
        takes: ty.map(|t| t.commands.clone()).unwrap_or_default(),
        p,
        d,
        assets,
        quantities,
        alarms,
        commands,
        can_command,
        rejections,
    }))
}

/// A device's quantities (or one of them) with the last two days as chart and table.
async fn quantity_views(ctx: &Ctx, key: &str, most: u64, id_prefix: &str) -> AppResult<Vec<QuantityView>> {
    let c = ctx.db.conn();
    let now = ctx.now().0;
    let latest = store::latest(c, &DeviceFilter { keys: vec![key.to_string()], limit: most, ..Default::default() }, None).await?;
    let mut out = vec![];
    for (i, l) in latest.iter().enumerate() {
        let Some((sid, unit)) = store::series_id(c, key, &l.quantity).await? else { continue };
        let points = store::rollup_points(c, sid, 3600, now - 48 * HOUR, now + HOUR, 100).await?;
        let symbol = crate::types::unit_symbol(&unit).to_string();
        let label = format!("{key}: {} ({symbol})", l.quantity);
        let time = l.time.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        out.push(QuantityView {
            chart: crate::chart::svg(&points, &label, &symbol, &format!("{id_prefix}-{i}")),
            latest: l.value.map(|v| format!("{v:.2} {symbol}")).unwrap_or_else(|| "–".into()),
            time: time.map(|t| kernel::Timestamp(t.timestamp_millis()).display_local()).unwrap_or_default(),
            name: l.quantity.clone(),
            unit: symbol,
            points,
        });
    }
    Ok(out)
}

pub struct WatchingDevice {
    pub key: String,
    pub name: String,
    pub status: String,
    pub charts: Vec<QuantityView>,
}

#[derive(Template)]
#[template(path = "sensors_asset.html")]
struct AssetPage {
    p: Page,
    a: store::Asset,
    devices: Vec<WatchingDevice>,
    more: usize,
}

/// An asset with the devices that watch it; a chart for each of the first twelve.
async fn asset(p: Page, actor: Actor, Path(key): Path<String>) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let c = p.ctx.db.conn();
    let a = store::asset_by_key(c, &key).await?.ok_or_else(AppError::not_found)?;
    let keys = store::asset_device_keys(c, a.id, 10_000).await?;
    let first = DeviceFilter { keys: keys.iter().take(12).cloned().collect(), limit: 12, ..Default::default() };
    let mut devices = vec![];
    // An empty key list would mean every device.
    let watching = if keys.is_empty() { vec![] } else { store::list_devices(c, &first).await? };
    for (i, d) in watching.into_iter().enumerate() {
        // The first quantity of each, charted.
        let charts = quantity_views(&p.ctx, &d.key, 1, &format!("d{i}")).await?;
        devices.push(WatchingDevice { key: d.key, name: d.name, status: d.status, charts });
    }
    Ok(render(&AssetPage { more: keys.len().saturating_sub(devices.len()), p, a, devices }))
}

#[derive(Deserialize)]
struct CommandForm {
    command: String,
    level: Option<f64>,
    on: Option<String>,
    value: Option<f64>,
}

async fn send_command(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    Path(key): Path<String>,
    CsrfForm(f): CsrfForm<CommandForm>,
) -> AppResult<Response> {
    let params = match f.command.as_str() {
        "dim" => serde_json::json!({"level": f.level}),
        "switch" => serde_json::json!({"on": f.on.as_deref() == Some("on")}),
        "setpoint" => serde_json::json!({"value": f.value}),
        _ => serde_json::json!({}),
    };
    let input = crate::service::CommandInput { command: f.command, params, timeout_seconds: None };
    crate::service::command_device(&ctx, &t, &actor, &key, input).await?;
    Ok(see_other(&format!("/staff/sensors/devices/{}#commands", kernel::layout::urlencode(&key))))
}

#[derive(Template)]
#[template(path = "sensors_alarms.html")]
struct AlarmsPage {
    p: Page,
    alarms: Vec<alarms::Alarm>,
    can_acknowledge: bool,
}

async fn alarms_page(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let alarms = alarms::alarms(p.ctx.db.conn(), &AlarmFilter { state: Some("open".into()), limit: 500, ..Default::default() }).await?;
    Ok(render(&AlarmsPage { can_acknowledge: actor.allows(Permission::ManageDevices), p, alarms }))
}

#[derive(Deserialize)]
struct Empty {}

async fn acknowledge(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(_): CsrfForm<Empty>) -> AppResult<Response> {
    crate::service::acknowledge_alarm(&ctx, &actor, &id).await?;
    Ok(see_other("/staff/sensors/alarms"))
}

pub struct Feeder {
    pub name: String,
    pub lamps: usize,
    pub reporting: usize,
    pub lit: usize,
    pub power_kw: String,
    pub energy_today_kwh: String,
}

#[derive(Template)]
#[template(path = "sensors_lighting.html")]
struct LightingPage {
    p: Page,
    feeders: Vec<Feeder>,
    total_lamps: usize,
    total_energy: String,
}

async fn lighting(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let c = p.ctx.db.conn();
    let now = p.ctx.now().0;
    let f = DeviceFilter { device_type: Some("Streetlight".into()), limit: 100_000, ..Default::default() };
    let lamps = store::list_devices(c, &f).await?;
    let latest = store::latest(c, &f, None).await?;
    // Energy today: per lamp, the growth of its counter in today's (UTC) daily bucket.
    let day = now - now.rem_euclid(24 * HOUR);
    let energy = store::rollups_by_type(c, "Streetlight", "energyConsumed", 86_400, day, day + 24 * HOUR).await?;
    let mut feeders: BTreeMap<String, (usize, usize, usize, f64, f64)> = BTreeMap::new();
    let mut power: std::collections::HashMap<&str, (Option<f64>, Option<f64>, bool)> = std::collections::HashMap::new();
    for l in &latest {
        let e = power.entry(l.device.as_str()).or_default();
        let fresh = l.time.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).is_some_and(|t| now - t.timestamp_millis() < HOUR);
        e.2 |= fresh;
        match l.quantity.as_str() {
            "activePower" if fresh => e.0 = l.value,
            "illuminanceLevel" if fresh => e.1 = l.value,
            _ => {}
        }
    }
    for lamp in &lamps {
        let name = lamp.attrs["feeder"].as_str().unwrap_or("–").to_string();
        let e = feeders.entry(name).or_default();
        e.0 += 1;
        if let Some((w, level, fresh)) = power.get(lamp.key.as_str()) {
            e.1 += usize::from(*fresh);
            e.2 += usize::from(level.is_some_and(|l| l > 0.0));
            e.3 += w.unwrap_or(0.0) / 1000.0;
        }
        if let Some(b) = energy.get(&lamp.key).and_then(|b| b.first()) {
            e.4 += b.max - b.min;
        }
    }
    let total_energy: f64 = feeders.values().map(|f| f.4).sum();
    let feeders: Vec<Feeder> = feeders
        .into_iter()
        .map(|(name, (lamps, reporting, lit, kw, kwh))| Feeder {
            name,
            lamps,
            reporting,
            lit,
            power_kw: format!("{kw:.1}"),
            energy_today_kwh: format!("{kwh:.1}"),
        })
        .collect();
    Ok(render(&LightingPage { p, total_lamps: lamps.len(), total_energy: format!("{total_energy:.1}"), feeders }))
}

#[derive(Template)]
#[template(path = "sensors_water.html")]
struct WaterPage {
    p: Page,
    sections: Vec<crate::analytics::SectionNightFlow>,
    meters: Vec<crate::analytics::MeterFinding>,
}

async fn water(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let now = p.ctx.now().0;
    let sections = crate::analytics::water_sections(&p.ctx, now).await?;
    let meters = crate::analytics::meters(&p.ctx, now).await?;
    Ok(render(&WaterPage { p, sections, meters }))
}

/// Format an optional number for a table cell.
pub fn opt1(v: &Option<f64>) -> String {
    v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "–".into())
}

#[derive(Template)]
#[template(path = "sensors_import.html")]
struct ImportPage {
    p: Page,
    progress: Option<crate::import::Progress>,
    error: Option<String>,
}

async fn import_form(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ManageDevices)?;
    Ok(render(&ImportPage { p, progress: None, error: None }))
}

/// The form without JavaScript: a multipart upload, then the progress page.
async fn import_upload(p: Page, Extension(t): Extension<Telemetry>, actor: Actor, mut form: axum::extract::Multipart) -> AppResult<Response> {
    actor.check(Permission::ManageDevices)?;
    let (mut csrf, mut text) = (None, None);
    while let Some(field) = form.next_field().await.map_err(|_| AppError::bad_request("form_malformed"))? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("file") => text = Some(field.text().await.map_err(|_| AppError::field("file", "not_utf8"))?),
            _ => {}
        }
    }
    if csrf.as_deref().is_none_or(|c| !kernel::crypto::ct_eq(c, &p.csrf)) {
        return Err(AppError::forbidden("csrf_failed"));
    }
    let text = text.unwrap_or_default();
    match crate::import::start(&p.ctx.clone(), &t, &actor, text.trim_start_matches('\u{feff}')).await {
        Ok(progress) => Ok(see_other(&format!("/staff/sensors/import/{}", progress.id))),
        Err(e) if e.status.as_u16() == 422 => {
            let error = Some(e.detail.clone().unwrap_or_else(|| p.error_text(e.code)));
            Ok(render(&ImportPage { p, progress: None, error }))
        }
        Err(e) => Err(e),
    }
}

async fn import_status(p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    actor.check(Permission::ReadTelemetry)?;
    let progress = crate::import::progress(&p.ctx, &id).await?.ok_or_else(AppError::not_found)?;
    Ok(render(&ImportPage { p, progress: Some(progress), error: None }))
}
