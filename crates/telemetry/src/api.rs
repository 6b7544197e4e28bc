//! JSON API of the sensor platform under /api/v1/telemetry.

use crate::Telemetry;
use crate::ingest::Report;
use crate::model::{self, BatchIn, Precision, Sender};
use crate::service::{self, DeviceInput, DevicePatch};
use crate::share::{Reader, ShareInput};
use crate::store::{self, Device, DeviceFilter, Latest, Point, RejectionCount};
use crate::types::DeviceType;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use kernel::error::Problem;
use kernel::web::{ApiJson, ApiQuery};
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(types, list_devices, create_device, get_device, patch_device, rotate_token, post_readings, latest, series, rejections, list_assets, create_asset, get_asset, link_device, unlink_device, list_rules, create_rule, delete_rule, list_alarms, acknowledge_alarm, command_device, list_commands, command_group, group_status, list_schedules, create_schedule, delete_schedule, water_sections, meters, buildings, bins, rivers, start_import, import_progress, list_shares, create_share, revoke_share),
    components(schemas(crate::share::Share, ShareInput, CreatedShare, crate::import::Progress, crate::analytics::SectionNightFlow, crate::analytics::MeterFinding, crate::analytics::BuildingHeat, crate::analytics::BinForecast, crate::analytics::RiverOutlook, crate::commands::Command, crate::commands::Selector, crate::commands::Schedule, service::CommandInput, service::GroupCommandInput, service::ScheduleInput, GroupStarted, GroupStatus, crate::alarms::Rule, crate::alarms::Alarm, crate::rules::Condition, service::RuleInput, store::Asset, service::AssetInput, AssetView, AssetPage, DevicePage, DeviceType, crate::types::Quantity, Device, DeviceInput, DevicePatch, CreatedDevice, NewToken, BatchIn, model::ReadingIn, Report, model::Rejection, model::Reason, Latest, Point, SeriesOut, RejectionCount, Precision)),
    tags((name = "telemetry", description = "Sensor platform: devices, readings, time series")),
    modifiers(&ClosedConditions)
)]
pub struct ApiDoc;

/// `Condition` refuses unknown fields (`deny_unknown_fields`), but utoipa
/// states `additionalProperties: false` only for structs, not for the
/// variants of a tagged enum; say it here so the schema matches the server.
struct ClosedConditions;

impl utoipa::Modify for ClosedConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AdditionalProperties, Schema};
        let Some(components) = doc.components.as_mut() else { return };
        if let Some(RefOr::T(Schema::OneOf(one_of))) = components.schemas.get_mut("Condition") {
            for item in &mut one_of.items {
                if let RefOr::T(Schema::Object(o)) = item {
                    o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
    }
}

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/telemetry/types", get(types))
        .route("/api/v1/telemetry/devices", get(list_devices).post(create_device))
        .route("/api/v1/telemetry/devices/{key}", get(get_device).patch(patch_device))
        .route("/api/v1/telemetry/devices/{key}/token", post(rotate_token))
        .route("/api/v1/telemetry/readings", post(post_readings))
        .route("/api/v1/telemetry/latest", get(latest))
        .route("/api/v1/telemetry/series", get(series))
        .route("/api/v1/telemetry/rejections", get(rejections))
        .route("/api/v1/telemetry/devices/{key}/commands", post(command_device))
        .route("/api/v1/telemetry/commands", get(list_commands))
        .route("/api/v1/telemetry/command-groups", post(command_group))
        .route("/api/v1/telemetry/command-groups/{id}", get(group_status))
        .route("/api/v1/telemetry/schedules", get(list_schedules).post(create_schedule))
        .route("/api/v1/telemetry/schedules/{id}", axum::routing::delete(delete_schedule))
        .route("/api/v1/telemetry/analytics/water-sections", get(water_sections))
        .route("/api/v1/telemetry/analytics/meters", get(meters))
        .route("/api/v1/telemetry/analytics/buildings", get(buildings))
        .route("/api/v1/telemetry/analytics/bins", get(bins))
        .route("/api/v1/telemetry/analytics/rivers", get(rivers))
        .route("/api/v1/telemetry/imports", post(start_import))
        .route("/api/v1/telemetry/imports/{id}", get(import_progress))
        .route("/api/v1/telemetry/shares", get(list_shares).post(create_share))
        .route("/api/v1/telemetry/shares/{id}", axum::routing::delete(revoke_share))
        .route("/api/v1/telemetry/rules", get(list_rules).post(create_rule))
        .route("/api/v1/telemetry/rules/{id}", axum::routing::delete(delete_rule))
        .route("/api/v1/telemetry/alarms", get(list_alarms))
        .route("/api/v1/telemetry/alarms/{id}/acknowledge", post(acknowledge_alarm))
        .route("/api/v1/telemetry/assets", get(list_assets).post(create_asset))
        .route("/api/v1/telemetry/assets/{key}", get(get_asset))
        .route("/api/v1/telemetry/assets/{key}/devices/{device}", axum::routing::put(link_device).delete(unlink_device))
}

/// The device types this platform knows, with their quantities and units.
#[utoipa::path(get, path = "/api/v1/telemetry/types", tag = "telemetry", responses((status = 200, description = "Device types", body = [DeviceType])))]
async fn types(Extension(t): Extension<Telemetry>) -> axum::Json<Vec<DeviceType>> {
    let mut all: Vec<DeviceType> = t.registry.types().map(|t| (**t).clone()).collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    axum::Json(all)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DeviceQuery {
    /// Device type, e.g. `Streetlight`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    device_type: Option<String>,
    status: Option<String>,
    department: Option<String>,
    /// `minLon,minLat,maxLon,maxLat` (WGS84).
    #[param(
        example = "15.85,46.40,15.90,46.43",
        pattern = r"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?$"
    )]
    bbox: Option<String>,
    /// The last key of the previous page.
    cursor: Option<String>,
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u64>,
}

/// A box whose minimum is past its maximum holds no point: it matches nothing
/// rather than being an error (JSON Schema cannot state the order).
fn parse_bbox(s: Option<&str>) -> AppResult<Option<[f64; 4]>> {
    let Some(s) = s else { return Ok(None) };
    let v: Vec<f64> = s.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| AppError::bad_request("bbox_invalid"))?;
    match v.as_slice() {
        [x0, y0, x1, y1] if v.iter().all(|x| x.is_finite()) => Ok(Some([*x0, *y0, *x1, *y1])),
        _ => Err(AppError::bad_request("bbox_invalid").with_detail("minLon,minLat,maxLon,maxLat")),
    }
}

/// The schema states `minimum = 1, maximum = max`; outside that is a 400, not a silent clamp.
fn limit(l: Option<u64>, default: u64, max: u64) -> AppResult<u64> {
    match l.unwrap_or(default) {
        n if n == 0 || n > max => Err(AppError::bad_request("limit_invalid").with_detail(format!("1 to {max}"))),
        n => Ok(n),
    }
}

#[derive(Serialize, ToSchema)]
struct DevicePage {
    items: Vec<Device>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// Devices, by key, filtered (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/devices", tag = "telemetry", params(DeviceQuery),
    responses(
        (status = 200, description = "A page of devices", body = DevicePage),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_devices(State(ctx): State<Ctx>, actor: Actor, ApiQuery(q): ApiQuery<DeviceQuery>) -> AppResult<axum::Json<DevicePage>> {
    actor.check(Permission::ReadTelemetry)?;
    let limit = limit(q.limit, 500, 5000)?;
    let f = DeviceFilter {
        device_type: q.device_type,
        status: q.status,
        department: q.department,
        bbox: parse_bbox(q.bbox.as_deref())?,
        after: q.cursor,
        limit,
        ..Default::default()
    };
    let items = store::list_devices(ctx.db.conn(), &f).await?;
    let next_cursor = (items.len() as u64 == limit).then(|| items.last().map(|d| d.key.clone())).flatten();
    Ok(axum::Json(DevicePage { items, next_cursor }))
}

#[derive(Serialize, ToSchema)]
struct CreatedDevice {
    device: Device,
    /// The device's credential (HTTP bearer token and MQTT password). Shown only now.
    token: String,
}

/// Register a device (staff of the owning department, DTO, administrators).
#[utoipa::path(post, path = "/api/v1/telemetry/devices", tag = "telemetry", request_body = DeviceInput,
    responses(
        (status = 201, description = "Registered", body = CreatedDevice),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, another department, or no second factor", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid device (`errors` lists the fields)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_device(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    ApiJson(input): ApiJson<DeviceInput>,
) -> AppResult<Response> {
    let (device, token) = service::create_device(&ctx, &t, &actor, input).await?;
    Ok((StatusCode::CREATED, kernel::web::no_store(axum::Json(CreatedDevice { device, token }).into_response())).into_response())
}

/// One device (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/devices/{key}", tag = "telemetry", params(("key" = String, Path, description = "Device key")),
    responses(
        (status = 200, description = "The device", body = Device),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_device(State(ctx): State<Ctx>, actor: Actor, Path(key): Path<String>) -> AppResult<axum::Json<Device>> {
    Ok(axum::Json(service::device(&ctx, &actor, &key).await?))
}

/// Change a device; only the fields given change.
#[utoipa::path(patch, path = "/api/v1/telemetry/devices/{key}", tag = "telemetry", params(("key" = String, Path, description = "Device key")), request_body = DevicePatch,
    responses(
        (status = 200, description = "Changed", body = Device),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the owning department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid change", body = Problem, content_type = "application/problem+json"),
    ))]
async fn patch_device(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    Path(key): Path<String>,
    ApiJson(p): ApiJson<DevicePatch>,
) -> AppResult<axum::Json<Device>> {
    Ok(axum::Json(service::update_device(&ctx, &t, &actor, &key, p).await?))
}

#[derive(Serialize, ToSchema)]
struct NewToken {
    /// The new credential; the old one no longer works. Shown only now.
    token: String,
}

/// Issue a new credential for a device.
#[utoipa::path(post, path = "/api/v1/telemetry/devices/{key}/token", tag = "telemetry", params(("key" = String, Path, description = "Device key")),
    responses(
        (status = 201, description = "Issued", body = NewToken),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the owning department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device", body = Problem, content_type = "application/problem+json"),
    ))]
async fn rotate_token(State(ctx): State<Ctx>, Extension(t): Extension<Telemetry>, actor: Actor, Path(key): Path<String>) -> AppResult<Response> {
    let token = service::rotate_token(&ctx, &t, &actor, &key).await?;
    Ok((StatusCode::CREATED, kernel::web::no_store(axum::Json(NewToken { token }).into_response())).into_response())
}

/// Who is sending readings: a device with its own token, or an integration
/// token with the `telemetry:write` scope.
async fn sender(ctx: &Ctx, t: &Telemetry, actor: &Actor, headers: &HeaderMap) -> AppResult<Sender> {
    match actor {
        a @ Actor::Machine { .. } if a.has_scope("telemetry:write") => Ok(Sender::Integration),
        Actor::Machine { .. } => Err(AppError::forbidden("missing_scope")),
        // A session is not a credential for this operation (it declares only
        // `bearer`): without one the answer is 401, as for anyone else.
        Actor::User(_) => Err(AppError::new(StatusCode::UNAUTHORIZED, "device_credential_required")),
        Actor::Anonymous => {
            let token = identity::session::bearer(headers).ok_or_else(AppError::unauthorized)?;
            match t.device_for_token(ctx, token).await? {
                Some(key) => Ok(Sender::Device(key)),
                None => Err(AppError::unauthorized()),
            }
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReadingsQuery {
    /// Timestamp unit of the line format (default `ns`, as InfluxDB).
    precision: Option<Precision>,
}

/// Send readings: a JSON batch, or lines of the compact line format
/// (InfluxDB line protocol: `<device> <quantity>=<value>[,…] [timestamp]`)
/// as `text/plain`. Each reading is checked against its device type; refused
/// readings come back with the reason and are counted for staff. A reading
/// sent twice is stored once. A 200 answer means every accepted reading is
/// durably stored.
#[utoipa::path(post, path = "/api/v1/telemetry/readings", tag = "telemetry", params(ReadingsQuery),
    request_body(content(
        (BatchIn = "application/json"),
        (String = "text/plain", example = "ptuj-lum-00001 illuminanceLevel=40,activePower=61 1764061200000000000"),
    )),
    responses(
        (status = 200, description = "Processed: counts and each refused reading", body = Report),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or unknown credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A credential without `telemetry:write`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor text", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a batch", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
async fn post_readings(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReadingsQuery>,
    body: Bytes,
) -> AppResult<axum::Json<Report>> {
    let sender = sender(&ctx, &t, &actor, &headers).await?;
    let default_device = match &sender {
        Sender::Device(k) => Some(k.as_str()),
        Sender::Integration => None,
    };
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let candidates = if ctype.starts_with("application/json") {
        let batch: BatchIn = parse_batch(&body)?;
        model::from_json(batch, default_device)
    } else if ctype.starts_with("text/plain") {
        let text = std::str::from_utf8(&body).map_err(|_| AppError::bad_request("not_utf8"))?;
        model::from_lines(text, q.precision.unwrap_or_default())
    } else {
        return Err(AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "json_or_text_expected"));
    };
    Ok(axum::Json(t.ingest(&ctx, &sender, candidates).await?))
}

fn parse_batch(body: &[u8]) -> AppResult<BatchIn> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| AppError::bad_request("json_malformed").with_detail(e.to_string()))?;
    kernel::web::json_object(value)
}

/// Types a reader may read: staff all, a partner its share, anyone the public ones.
fn readable_types(t: &Telemetry, reader: &Reader) -> Option<Vec<String>> {
    reader.types(|| t.registry.types().filter(|t| t.public).map(|t| t.id.clone()).collect())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct LatestQuery {
    #[serde(rename = "type")]
    #[param(rename = "type")]
    device_type: Option<String>,
    quantity: Option<String>,
    /// `minLon,minLat,maxLon,maxLat` (WGS84).
    #[param(
        example = "15.85,46.40,15.90,46.43",
        pattern = r"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?$"
    )]
    bbox: Option<String>,
    #[param(minimum = 1, maximum = 100000)]
    limit: Option<u64>,
}

/// The latest value of every sensor that matches, in one call. Without
/// staff rights, only public types (air, weather, rivers).
#[utoipa::path(get, path = "/api/v1/telemetry/latest", tag = "telemetry", params(LatestQuery),
    responses(
        (status = 200, description = "Latest values", body = [Latest]),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    ))]
async fn latest(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    ApiQuery(q): ApiQuery<LatestQuery>,
) -> AppResult<Response> {
    let mut f = DeviceFilter {
        device_type: q.device_type,
        bbox: parse_bbox(q.bbox.as_deref())?,
        limit: limit(q.limit, 100_000, 100_000)?,
        ..Default::default()
    };
    if let Some(public) = readable_types(&t, &reader) {
        if f.device_type.as_ref().is_some_and(|d| !public.contains(d)) {
            return Ok(axum::Json(Vec::<Latest>::new()).into_response());
        }
        f.types_in = public;
    }
    Ok(axum::Json(store::latest(ctx.db.conn(), &f, q.quantity.as_deref()).await?).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SeriesQuery {
    device: String,
    quantity: String,
    /// RFC 3339; default 24 hours before `to`.
    #[param(format = DateTime)]
    from: Option<String>,
    /// RFC 3339, exclusive; default now.
    #[param(format = DateTime)]
    to: Option<String>,
    /// Default `raw`.
    #[param(inline)]
    resolution: Option<Resolution>,
    /// Default `json`.
    #[param(inline)]
    format: Option<SeriesFormat>,
    #[param(minimum = 1, maximum = 100000)]
    limit: Option<u64>,
}

#[derive(Clone, Copy, Default, Deserialize, ToSchema)]
enum Resolution {
    #[default]
    #[serde(rename = "raw")]
    Raw,
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "1d")]
    Day,
}

impl Resolution {
    fn as_str(self) -> &'static str {
        match self {
            Resolution::Raw => "raw",
            Resolution::FiveMinutes => "5m",
            Resolution::Hour => "1h",
            Resolution::Day => "1d",
        }
    }
    /// Rollup period in seconds; `None` for raw readings.
    fn period(self) -> Option<i64> {
        match self {
            Resolution::Raw => None,
            Resolution::FiveMinutes => Some(300),
            Resolution::Hour => Some(3600),
            Resolution::Day => Some(86_400),
        }
    }
}

#[derive(Clone, Copy, Default, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum SeriesFormat {
    #[default]
    Json,
    Csv,
}

#[derive(Serialize, ToSchema)]
struct SeriesOut {
    device: String,
    quantity: String,
    /// UN/CEFACT code.
    unit: String,
    resolution: String,
    points: Vec<Point>,
}

fn parse_time(s: Option<&str>, field: &'static str) -> AppResult<Option<i64>> {
    s.map(|s| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.timestamp_millis())
            .map_err(|_| AppError::bad_request(field).with_detail("RFC 3339 expected"))
    })
    .transpose()
}

/// One series over a time range: raw readings or rollups (count, min, max,
/// mean, sum, last per bucket), as JSON or CSV. Public types for everyone;
/// the rest for staff.
#[utoipa::path(get, path = "/api/v1/telemetry/series", tag = "telemetry", params(SeriesQuery),
    responses(
        (status = 200, description = "The points", body = SeriesOut, content(("application/json"), ("text/csv"))),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device or quantity (or not public)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn series(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> AppResult<Response> {
    let period = q.resolution.unwrap_or_default().period();
    let csv = q.format.unwrap_or_default() == SeriesFormat::Csv;
    let to = parse_time(q.to.as_deref(), "to_invalid")?.unwrap_or_else(|| ctx.now().0);
    let from = parse_time(q.from.as_deref(), "from_invalid")?.unwrap_or(to - 86_400_000);
    let limit = limit(q.limit, 10_000, 100_000)?;
    let c = ctx.db.conn();
    let device = store::device_by_key(c, &q.device).await?.ok_or_else(AppError::not_found)?;
    if let Some(public) = readable_types(&t, &reader)
        && !public.contains(&device.device_type)
    {
        return Err(AppError::not_found());
    }
    let (sid, unit) = store::series_id(c, &q.device, &q.quantity).await?.ok_or_else(AppError::not_found)?;
    let points = match period {
        None => store::raw_points(c, sid, from, to, limit).await?,
        Some(p) => store::rollup_points(c, sid, p, from, to, limit).await?,
    };
    let resolution = q.resolution.unwrap_or_default().as_str().to_string();
    if csv {
        let mut out = String::from("time,device,quantity,unit,count,min,max,mean,sum,last\r\n");
        for p in &points {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\r\n",
                p.time, q.device, q.quantity, unit, p.count, p.min, p.max, p.mean, p.sum, p.last
            ));
        }
        let name = format!("attachment; filename=\"{}-{}-{}.csv\"", q.device, q.quantity, resolution);
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], out).into_response());
    }
    Ok(axum::Json(SeriesOut { device: q.device, quantity: q.quantity, unit, resolution, points }).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct RejectionsQuery {
    /// Only this device key.
    device: Option<String>,
}

/// Refused readings, counted per device and reason, with the last detail (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/rejections", tag = "telemetry", params(RejectionsQuery),
    responses(
        (status = 200, description = "Counts", body = [RejectionCount]),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn rejections(State(ctx): State<Ctx>, actor: Actor, ApiQuery(q): ApiQuery<RejectionsQuery>) -> AppResult<axum::Json<Vec<RejectionCount>>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(store::rejection_counts(ctx.db.conn(), q.device.as_deref()).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AssetQuery {
    /// Only this kind, e.g. `building`.
    kind: Option<String>,
    /// The last key of the previous page.
    cursor: Option<String>,
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
struct AssetPage {
    items: Vec<store::Asset>,
    next_cursor: Option<String>,
}

/// Assets the devices watch (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/assets", tag = "telemetry", params(AssetQuery),
    responses(
        (status = 200, description = "A page of assets", body = AssetPage),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_assets(State(ctx): State<Ctx>, actor: Actor, ApiQuery(q): ApiQuery<AssetQuery>) -> AppResult<axum::Json<AssetPage>> {
    actor.check(Permission::ReadTelemetry)?;
    let limit = limit(q.limit, 500, 5000)?;
    let items = store::list_assets(ctx.db.conn(), q.kind.as_deref(), q.cursor.as_deref(), limit).await?;
    let next_cursor = (items.len() as u64 == limit).then(|| items.last().map(|a| a.key.clone())).flatten();
    Ok(axum::Json(AssetPage { items, next_cursor }))
}

/// Register an asset (staff of the owning department, DTO, administrators).
#[utoipa::path(post, path = "/api/v1/telemetry/assets", tag = "telemetry", request_body = service::AssetInput,
    responses(
        (status = 201, description = "Registered", body = store::Asset),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of that department", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid asset", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_asset(State(ctx): State<Ctx>, actor: Actor, ApiJson(input): ApiJson<service::AssetInput>) -> AppResult<Response> {
    let asset = service::create_asset(&ctx, &actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(asset)).into_response())
}

#[derive(Serialize, ToSchema)]
struct AssetView {
    #[serde(flatten)]
    asset: store::Asset,
    /// Keys of the devices that watch it (at most 10,000).
    devices: Vec<String>,
}

/// One asset with the devices that watch it (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/assets/{key}", tag = "telemetry", params(("key" = String, Path, description = "Asset key")),
    responses(
        (status = 200, description = "The asset", body = AssetView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_asset(State(ctx): State<Ctx>, actor: Actor, Path(key): Path<String>) -> AppResult<axum::Json<AssetView>> {
    actor.check(Permission::ReadTelemetry)?;
    let c = ctx.db.conn();
    let asset = store::asset_by_key(c, &key).await?.ok_or_else(AppError::not_found)?;
    let devices = store::asset_device_keys(c, asset.id, 10_000).await?;
    Ok(axum::Json(AssetView { asset, devices }))
}

/// Record that a device watches an asset.
#[utoipa::path(put, path = "/api/v1/telemetry/assets/{key}/devices/{device}", tag = "telemetry",
    params(("key" = String, Path, description = "Asset key"), ("device" = String, Path, description = "Device key")),
    responses(
        (status = 204, description = "Linked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the device's department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such device", body = Problem, content_type = "application/problem+json"),
    ))]
async fn link_device(State(ctx): State<Ctx>, actor: Actor, Path((key, device)): Path<(String, String)>) -> AppResult<StatusCode> {
    service::set_link(&ctx, &actor, &key, &device, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove the link between a device and an asset.
#[utoipa::path(delete, path = "/api/v1/telemetry/assets/{key}/devices/{device}", tag = "telemetry",
    params(("key" = String, Path, description = "Asset key"), ("device" = String, Path, description = "Device key")),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the device's department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such device", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unlink_device(State(ctx): State<Ctx>, actor: Actor, Path((key, device)): Path<(String, String)>) -> AppResult<StatusCode> {
    service::set_link(&ctx, &actor, &key, &device, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rules that raise alarms (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/rules", tag = "telemetry",
    responses(
        (status = 200, description = "Rules", body = [crate::alarms::Rule]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_rules(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<crate::alarms::Rule>>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(crate::alarms::rules(ctx.db.conn()).await?))
}

/// Add a rule: a threshold (with hysteresis), a rate of change, silence or a frozen value,
/// for a device type, a device or an asset.
#[utoipa::path(post, path = "/api/v1/telemetry/rules", tag = "telemetry", request_body = service::RuleInput,
    responses(
        (status = 201, description = "Added", body = crate::alarms::Rule),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of that department", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rule", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_rule(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    ApiJson(input): ApiJson<service::RuleInput>,
) -> AppResult<Response> {
    let rule = service::create_rule(&ctx, &t, &actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(rule)).into_response())
}

/// Remove a rule and its alarms.
#[utoipa::path(delete, path = "/api/v1/telemetry/rules/{id}", tag = "telemetry", params(("id" = String, Path, description = "Rule id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the rule's department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_rule(State(ctx): State<Ctx>, Extension(t): Extension<Telemetry>, actor: Actor, Path(id): Path<String>) -> AppResult<StatusCode> {
    service::delete_rule(&ctx, &t, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AlarmQuery {
    /// `open` (raised or acknowledged), `raised`, `acknowledged` or `cleared`.
    state: Option<String>,
    department: Option<String>,
    device: Option<String>,
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u64>,
}

/// Alarms, newest first (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/alarms", tag = "telemetry", params(AlarmQuery),
    responses(
        (status = 200, description = "Alarms", body = [crate::alarms::Alarm]),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_alarms(State(ctx): State<Ctx>, actor: Actor, ApiQuery(q): ApiQuery<AlarmQuery>) -> AppResult<axum::Json<Vec<crate::alarms::Alarm>>> {
    actor.check(Permission::ReadTelemetry)?;
    if q.state.as_deref().is_some_and(|s| !["open", "raised", "acknowledged", "cleared"].contains(&s)) {
        return Err(AppError::bad_request("state_invalid"));
    }
    let f = crate::alarms::AlarmFilter { state: q.state, department: q.department, device: q.device, limit: limit(q.limit, 500, 5000)? };
    Ok(axum::Json(crate::alarms::alarms(ctx.db.conn(), &f).await?))
}

/// Take an alarm on (staff of the responsible department).
#[utoipa::path(post, path = "/api/v1/telemetry/alarms/{id}/acknowledge", tag = "telemetry", params(("id" = String, Path, description = "Alarm id")),
    responses(
        (status = 200, description = "Acknowledged", body = crate::alarms::Alarm),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the responsible department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such alarm", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already acknowledged or cleared", body = Problem, content_type = "application/problem+json"),
    ))]
async fn acknowledge_alarm(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<crate::alarms::Alarm>> {
    Ok(axum::Json(service::acknowledge_alarm(&ctx, &actor, &id).await?))
}

/// Send a command to one device over MQTT; follow its state in /api/v1/telemetry/commands.
#[utoipa::path(post, path = "/api/v1/telemetry/devices/{key}/commands", tag = "telemetry", params(("key" = String, Path, description = "Device key")),
    request_body = service::CommandInput,
    responses(
        (status = 202, description = "Queued", body = crate::commands::Command),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the device's department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown command, bad parameters, or not one the device takes", body = Problem, content_type = "application/problem+json"),
    ))]
async fn command_device(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<service::CommandInput>,
) -> AppResult<Response> {
    let cmd = service::command_device(&ctx, &t, &actor, &key, input).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(cmd)).into_response())
}

#[derive(Serialize, ToSchema)]
struct GroupStarted {
    id: String,
    /// Devices addressed (one command each).
    devices: usize,
}

/// Send a command to a group of devices (by type, asset or attribute, e.g. a feeder).
#[utoipa::path(post, path = "/api/v1/telemetry/command-groups", tag = "telemetry", request_body = service::GroupCommandInput,
    responses(
        (status = 202, description = "Queued", body = GroupStarted),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Some devices belong to another department", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No devices, unknown command or bad parameters", body = Problem, content_type = "application/problem+json"),
    ))]
async fn command_group(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    ApiJson(input): ApiJson<service::GroupCommandInput>,
) -> AppResult<Response> {
    let (id, devices) = service::command_group(&ctx, &t, &actor, input).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(GroupStarted { id, devices })).into_response())
}

#[derive(Serialize, ToSchema)]
struct GroupStatus {
    id: String,
    /// Commands per state (pending, sent, acknowledged, done, failed, timed_out).
    states: std::collections::BTreeMap<String, i64>,
}

/// How far a group command got, device by device.
#[utoipa::path(get, path = "/api/v1/telemetry/command-groups/{id}", tag = "telemetry", params(("id" = String, Path, description = "Group id")),
    responses(
        (status = 200, description = "Counts per state", body = GroupStatus),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ))]
async fn group_status(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<GroupStatus>> {
    actor.check(Permission::ReadTelemetry)?;
    let counts = crate::commands::group_counts(ctx.db.conn(), &id).await?;
    if counts.is_empty() {
        return Err(AppError::not_found());
    }
    Ok(axum::Json(GroupStatus { id, states: counts.into_iter().collect() }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct CommandQuery {
    device: Option<String>,
    group: Option<String>,
    state: Option<String>,
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u64>,
}

/// Commands, newest first, with their state (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/commands", tag = "telemetry", params(CommandQuery),
    responses(
        (status = 200, description = "Commands", body = [crate::commands::Command]),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_commands(
    State(ctx): State<Ctx>,
    actor: Actor,
    ApiQuery(q): ApiQuery<CommandQuery>,
) -> AppResult<axum::Json<Vec<crate::commands::Command>>> {
    actor.check(Permission::ReadTelemetry)?;
    let f = crate::commands::CommandFilter { device: q.device, group: q.group, state: q.state, limit: limit(q.limit, 500, 5000)? };
    Ok(axum::Json(crate::commands::list(ctx.db.conn(), &f).await?))
}

/// Daily schedules (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/schedules", tag = "telemetry",
    responses(
        (status = 200, description = "Schedules", body = [crate::commands::Schedule]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_schedules(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<crate::commands::Schedule>>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(crate::commands::schedules(ctx.db.conn()).await?))
}

/// A command every day at a local time, undone at another (e.g. dim to 40 % from 23:00 to 05:00).
#[utoipa::path(post, path = "/api/v1/telemetry/schedules", tag = "telemetry", request_body = service::ScheduleInput,
    responses(
        (status = 201, description = "Scheduled", body = crate::commands::Schedule),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Some devices belong to another department", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid schedule", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_schedule(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    ApiJson(input): ApiJson<service::ScheduleInput>,
) -> AppResult<Response> {
    let s = service::create_schedule(&ctx, &t, &actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(s)).into_response())
}

/// Stop a schedule.
#[utoipa::path(delete, path = "/api/v1/telemetry/schedules/{id}", tag = "telemetry", params(("id" = String, Path, description = "Schedule id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the schedule's department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such schedule", body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_schedule(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<StatusCode> {
    service::delete_schedule(&ctx, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Water leaks: each network section's minimum night flow (02:00–04:00) against its households' night use (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/analytics/water-sections", tag = "telemetry",
    responses(
        (status = 200, description = "Sections", body = [crate::analytics::SectionNightFlow]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn water_sections(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<crate::analytics::SectionNightFlow>>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(crate::analytics::water_sections(&ctx, ctx.now().0).await?))
}

/// Water meters that stopped, drift, or run all night (a leak behind the meter), over the last day (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/analytics/meters", tag = "telemetry",
    responses(
        (status = 200, description = "Findings", body = [crate::analytics::MeterFinding]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn meters(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<crate::analytics::MeterFinding>>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(crate::analytics::meters(&ctx, ctx.now().0).await?))
}

/// Public buildings heated at night, at weekends or above 24 °C over the last week (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/analytics/buildings", tag = "telemetry",
    responses(
        (status = 200, description = "Buildings", body = [crate::analytics::BuildingHeat]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn buildings(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<crate::analytics::BuildingHeat>>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(crate::analytics::buildings(&ctx, ctx.now().0).await?))
}

/// Bins with their fill rate and expected level at midnight; those to empty today first (staff).
#[utoipa::path(get, path = "/api/v1/telemetry/analytics/bins", tag = "telemetry",
    responses(
        (status = 200, description = "Bins", body = [crate::analytics::BinForecast]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn bins(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<crate::analytics::BinForecast>>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(crate::analytics::bins(&ctx, ctx.now().0).await?))
}

/// River gauges: level, rise over three hours and hours to the flood level, soonest first (public).
#[utoipa::path(get, path = "/api/v1/telemetry/analytics/rivers", tag = "telemetry",
    responses((status = 200, description = "Gauges", body = [crate::analytics::RiverOutlook])))]
async fn rivers(State(ctx): State<Ctx>) -> AppResult<axum::Json<Vec<crate::analytics::RiverOutlook>>> {
    Ok(axum::Json(crate::analytics::rivers(&ctx, ctx.now().0).await?))
}

/// Import devices from CSV (`key,type,name,lon,lat,department,model,installed_on,status`,
/// other columns become attributes); rows are processed in the background.
#[utoipa::path(post, path = "/api/v1/telemetry/imports", tag = "telemetry",
    request_body(content(
        (String = "text/csv", example = "key,type,name,lon,lat,feeder\nptuj-lum-09001,Streetlight,Svetilka,15.87,46.42,RP-01"),
    )),
    responses(
        (status = 202, description = "Started; follow it at /api/v1/telemetry/imports/{id}", body = crate::import::Progress),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not CSV", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a CSV file with key, type and name columns", body = Problem, content_type = "application/problem+json"),
    ))]
async fn start_import(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    actor.check(Permission::ManageDevices)?;
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if !ctype.starts_with("text/csv") && !ctype.starts_with("text/plain") {
        return Err(AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "csv_expected"));
    }
    let text = std::str::from_utf8(&body).map_err(|_| AppError::field("file", "not_utf8"))?;
    let p = crate::import::start(&ctx, &t, &actor, text.trim_start_matches('\u{feff}')).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(p)).into_response())
}

/// How far an import got, with the refused rows.
#[utoipa::path(get, path = "/api/v1/telemetry/imports/{id}", tag = "telemetry", params(("id" = String, Path, description = "Import id")),
    responses(
        (status = 200, description = "Progress", body = crate::import::Progress),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
    ))]
async fn import_progress(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<crate::import::Progress>> {
    actor.check(Permission::ReadTelemetry)?;
    Ok(axum::Json(crate::import::progress(&ctx, &id).await?.ok_or_else(AppError::not_found)?))
}

#[derive(Serialize, ToSchema)]
struct CreatedShare {
    share: crate::share::Share,
    /// The partner's read-only bearer token. Shown only now.
    token: String,
}

/// Read-only shares of chosen device types with partners (DTO, administrators).
#[utoipa::path(get, path = "/api/v1/telemetry/shares", tag = "telemetry",
    responses(
        (status = 200, description = "Shares", body = [crate::share::Share]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the DTO or an administrator", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_shares(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<crate::share::Share>>> {
    Ok(axum::Json(crate::share::list(&ctx, &actor).await?))
}

/// Share chosen device types read-only with a partner, e.g. a neighbouring municipality.
/// The token reads /api/v1/telemetry/latest, /series and /ngsi-ld/v1 for those types only.
#[utoipa::path(post, path = "/api/v1/telemetry/shares", tag = "telemetry", request_body = ShareInput,
    responses(
        (status = 201, description = "Shared", body = CreatedShare),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the DTO or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown or personal types", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_share(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    actor: Actor,
    ApiJson(input): ApiJson<ShareInput>,
) -> AppResult<Response> {
    let (share, token) = crate::share::create(&ctx, &t, &actor, input).await?;
    Ok((StatusCode::CREATED, kernel::web::no_store(axum::Json(CreatedShare { share, token }).into_response())).into_response())
}

/// End a share; its token stops working at once.
#[utoipa::path(delete, path = "/api/v1/telemetry/shares/{id}", tag = "telemetry", params(("id" = String, Path, description = "Share id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the DTO or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such share (or already revoked)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn revoke_share(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<StatusCode> {
    crate::share::revoke(&ctx, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
