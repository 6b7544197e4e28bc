//! JSON and GeoJSON API of places under /api/v1/places, described with utoipa.
//! Every layer is a public GeoJSON FeatureCollection (RFC 7946, [lon, lat]).

use crate::cache::{self, LayerCache};
use crate::geometry::Position;
use crate::model::{Layer, PhotoRef, PlaceInput};
use crate::service::{self, Imported, Nearby};
use crate::{Dataset, datasets};
use axum::Router;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::error::{FieldError, Problem};
use kernel::web::{ApiJson, ApiQuery};
use kernel::{Actor, AppError, AppResult, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(layers, map_layers, layer_geojson, nearest, export, import, create, get_place, update, delete, add_photo, delete_photo),
    components(schemas(Dataset, Layer, PlaceInput, PhotoRef, PhotoUpload, PhotoView, NearbyView, Imported, Problem, FieldError)),
    tags((name = "places", description = "The map: places in layers as open GeoJSON, the nearest place, and staff editing"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/places/layers", get(layers))
        // The map's layers under the map's name too (each with its GeoJSON `url`).
        .route("/api/v1/map/layers", get(map_layers))
        .route("/api/v1/places/layers/{file}", get(layer_geojson))
        .route("/api/v1/places/nearest", get(nearest))
        .route("/api/v1/places/export.geojson", get(export))
        .route("/api/v1/places/import", post(import))
        .route("/api/v1/places", post(create))
        .route("/api/v1/places/{id}", get(get_place).put(update).delete(delete))
        .route("/api/v1/places/{id}/photos/{photo}", axum::routing::delete(delete_photo))
        .layer(axum::Extension(std::sync::Arc::new(LayerCache::default())))
}

/// Photo uploads: mounted by the binary under the larger body limit.
pub fn upload_router() -> Router<Ctx> {
    Router::new().route("/api/v1/places/{id}/photos", post(add_photo))
}

pub const GEOJSON: &str = "application/geo+json";

/// Open data: any site may read it.
pub fn geojson_response(v: &Value) -> Response {
    let mut r = ([(header::CONTENT_TYPE, GEOJSON)], v.to_string()).into_response();
    r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

#[utoipa::path(operation_id = "places_layers", get, path = "/api/v1/places/layers", tag = "places",
    responses((status = 200, description = "Every layer as a catalogued open dataset, with its GeoJSON address", body = [Dataset])))]
async fn layers(State(ctx): State<Ctx>) -> axum::Json<Vec<Dataset>> {
    axum::Json(datasets(&ctx))
}

#[utoipa::path(operation_id = "map_layers", get, path = "/api/v1/map/layers", tag = "places",
    responses((status = 200, description = "The map's layers (the same list as /api/v1/places/layers), each with the absolute `url` of its GeoJSON", body = [Dataset])))]
async fn map_layers(State(ctx): State<Ctx>) -> axum::Json<Vec<Dataset>> {
    axum::Json(datasets(&ctx))
}

#[utoipa::path(operation_id = "places_layer_geojson", get, path = "/api/v1/places/layers/{file}", tag = "places",
    params(("file" = String, Path, description = "`<layer>.geojson`, e.g. `aed.geojson`")),
    responses(
        (status = 200, description = "The layer's places as a GeoJSON FeatureCollection (gzip-compressed when the client accepts it)", body = Object, content_type = "application/geo+json"),
        (status = 304, description = "Unchanged since the `ETag` given in `If-None-Match`"),
        (status = 404, description = "No such layer", body = Problem, content_type = "application/problem+json"),
    ))]
async fn layer_geojson(
    State(ctx): State<Ctx>,
    Extension(layers): Extension<std::sync::Arc<LayerCache>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let layer = file.strip_suffix(".geojson").and_then(Layer::from_code).ok_or_else(AppError::not_found)?;
    let made = layers.get(&ctx, layer).await?;
    let etag = &made.etag;
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag.as_str() || t.trim() == "*"));
    let mut r = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else if cache::accepts_gzip(&headers) {
        ([(header::CONTENT_TYPE, GEOJSON), (header::CONTENT_ENCODING, "gzip")], made.gzip.clone()).into_response()
    } else {
        ([(header::CONTENT_TYPE, GEOJSON)], made.plain.clone()).into_response()
    };
    let h = r.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Browsers may keep it, but ask again each time (answered 304 while unchanged).
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    Ok(r)
}

#[utoipa::path(operation_id = "places_export", get, path = "/api/v1/places/export.geojson", tag = "places",
    responses((status = 200, description = "Every place of every layer; imports again unchanged", body = Object, content_type = "application/geo+json")))]
async fn export(State(ctx): State<Ctx>) -> AppResult<Response> {
    let places = service::list(&ctx, &[]).await?;
    let mut r = geojson_response(&crate::geojson::collection(&places, ctx.now()));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"places.geojson\""));
    Ok(r)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NearestQuery {
    /// Layer code, e.g. `aed`.
    #[param(value_type = Layer)]
    pub layer: String,
    /// WGS84 latitude of the position.
    #[param(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// WGS84 longitude of the position.
    #[param(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    /// How many places (1–20, default 1).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<i64>,
}

/// A place with the way to it from the asked position.
#[derive(Serialize, ToSchema)]
#[schema(as = PlaceNearby)]
pub struct NearbyView {
    /// The place as a GeoJSON Feature.
    #[schema(value_type = Object)]
    pub feature: Value,
    /// Great-circle distance in metres.
    pub distance_m: i64,
    /// Compass bearing towards the place, degrees clockwise from north.
    pub bearing_deg: i64,
    /// The compass point of eight: n, ne, e, se, s, sw, w, nw.
    pub direction: String,
}

pub fn nearby_view(n: &Nearby, ctx: &Ctx) -> NearbyView {
    NearbyView {
        feature: crate::geojson::feature(&n.place, Some(ctx.now().local())),
        distance_m: n.distance_m.round() as i64,
        bearing_deg: n.bearing_deg.round() as i64 % 360,
        direction: n.direction.to_string(),
    }
}

#[utoipa::path(operation_id = "places_nearest", get, path = "/api/v1/places/nearest", tag = "places", params(NearestQuery),
    responses(
        (status = 200, description = "The nearest places, nearest first", body = [NearbyView]),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown layer or position out of range", body = Problem, content_type = "application/problem+json"),
    ))]
async fn nearest(State(ctx): State<Ctx>, ApiQuery(q): ApiQuery<NearestQuery>) -> AppResult<axum::Json<Vec<NearbyView>>> {
    let mut errors = vec![];
    let layer = Layer::from_code(&q.layer);
    if layer.is_none() {
        errors.push(FieldError { field: "layer".into(), code: "place_layer_unknown".into() });
    }
    let from = Position::new(q.lat, q.lon);
    if from.is_none() {
        errors.push(FieldError { field: "lat".into(), code: "coordinates_invalid".into() });
    }
    let limit = q.limit.unwrap_or(1);
    if !(1..=20).contains(&limit) {
        errors.push(FieldError { field: "limit".into(), code: "out_of_range".into() });
    }
    let (Some(layer), Some(from), true) = (layer, from, errors.is_empty()) else { return Err(AppError::invalid(errors)) };
    let found = service::nearest(&ctx, layer, from, limit as usize).await?;
    Ok(axum::Json(found.iter().map(|n| nearby_view(n, &ctx)).collect()))
}

#[utoipa::path(operation_id = "places_import", post, path = "/api/v1/places/import", tag = "places", request_body(content = Object, description = "A GeoJSON FeatureCollection whose properties are those of `PlaceInput`", content_type = "application/geo+json"),
    responses(
        (status = 200, description = "Imported: features with a known id updated that place, the others are new", body = Imported),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (staff with 2FA), or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing imported: every problem of every feature, as `features[i].properties.<field>` or `features[i].geometry`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn import(State(ctx): State<Ctx>, actor: Actor, ApiJson(body): ApiJson<Value>) -> AppResult<axum::Json<Imported>> {
    Ok(axum::Json(service::import(&ctx, &actor, &body).await?))
}

fn validate(input: &PlaceInput) -> AppResult<crate::model::PlaceData> {
    input.validate("", "geometry", None).map_err(AppError::invalid)
}

#[utoipa::path(operation_id = "places_create", post, path = "/api/v1/places", tag = "places", request_body = PlaceInput,
    responses(
        (status = 201, description = "Created; the place as a GeoJSON Feature", body = Object, content_type = "application/geo+json"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A place with this id exists", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create(State(ctx): State<Ctx>, actor: Actor, ApiJson(input): ApiJson<PlaceInput>) -> AppResult<Response> {
    actor.check(kernel::Permission::ManagePlaces)?;
    let place = service::create(&ctx, &actor, validate(&input)?).await?;
    let mut r = geojson_response(&crate::geojson::feature(&place, None));
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

#[utoipa::path(operation_id = "places_get", get, path = "/api/v1/places/{id}", tag = "places",
    params(("id" = String, Path, description = "Place")),
    responses(
        (status = 200, description = "The place as a GeoJSON Feature", body = Object, content_type = "application/geo+json"),
        (status = 404, description = "No such place", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_place(State(ctx): State<Ctx>, Path(id): Path<String>) -> AppResult<Response> {
    let place = service::get(&ctx, &id).await?;
    Ok(geojson_response(&crate::geojson::feature(&place, Some(ctx.now().local()))))
}

#[utoipa::path(operation_id = "places_update", put, path = "/api/v1/places/{id}", tag = "places", request_body = PlaceInput,
    params(("id" = String, Path, description = "Place")),
    responses(
        (status = 200, description = "Changed; the place as a GeoJSON Feature", body = Object, content_type = "application/geo+json"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such place", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn update(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, ApiJson(input): ApiJson<PlaceInput>) -> AppResult<Response> {
    actor.check(kernel::Permission::ManagePlaces)?;
    let place = service::update(&ctx, &actor, &id, validate(&input)?).await?;
    Ok(geojson_response(&crate::geojson::feature(&place, None)))
}

#[utoipa::path(operation_id = "places_delete", delete, path = "/api/v1/places/{id}", tag = "places",
    params(("id" = String, Path, description = "Place")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such place", body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<StatusCode> {
    service::delete(&ctx, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A photo upload (multipart/form-data).
#[derive(ToSchema)]
#[schema(as = PlacePhotoUpload)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// JPEG or PNG, at most 8 MiB; stored scaled down to 1600 px, without its metadata (EXIF, GPS).
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
    /// Alternative text in Slovenian (required), at most 300 characters.
    #[schema(max_length = 300)]
    alt_sl: String,
    /// Alternative text in English.
    #[schema(max_length = 300)]
    alt_en: Option<String>,
}

/// An uploaded photo of a place.
#[derive(Serialize, ToSchema)]
#[schema(as = PlacePhoto)]
pub struct PhotoView {
    pub id: String,
    /// Where the site serves the JPEG.
    pub url: String,
    /// Alternative text per language code.
    pub alt: std::collections::BTreeMap<String, String>,
    pub width: i64,
    pub height: i64,
}

#[utoipa::path(operation_id = "places_photo_add", post, path = "/api/v1/places/{id}/photos", tag = "places",
    params(("id" = String, Path, description = "Place")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored: scaled down, re-encoded as JPEG, every metadata block removed", body = PhotoView),
        (status = 400, description = "Malformed form", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such place", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing stored: `photo` missing, not JPEG or PNG, too large or unreadable; `alt_sl` missing; a text too long; too many photos", body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_photo(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    m: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<(StatusCode, axum::Json<PhotoView>)> {
    actor.check(kernel::Permission::ManagePlaces)?;
    let m = m.map_err(|_| AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "multipart_expected"))?;
    let (fields, mut files) = kernel::web::read_multipart(m, "photo").await?;
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let ph = service::add_photo(&ctx, &actor, &id, files.pop(), (field("alt_sl"), field("alt_en"))).await?;
    Ok((StatusCode::CREATED, axum::Json(photo_view(&ph))))
}

pub fn photo_view(ph: &crate::store::Photo) -> PhotoView {
    PhotoView { id: ph.id.clone(), url: ph.url(), alt: ph.alt.0.clone(), width: ph.width, height: ph.height }
}

#[utoipa::path(operation_id = "places_photo_delete", delete, path = "/api/v1/places/{id}/photos/{photo}", tag = "places",
    params(("id" = String, Path, description = "Place"), ("photo" = String, Path, description = "Photo")),
    responses(
        (status = 204, description = "Removed, with its file"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo of this place", body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_photo(State(ctx): State<Ctx>, actor: Actor, Path((id, photo)): Path<(String, String)>) -> AppResult<StatusCode> {
    service::delete_photo(&ctx, &actor, &id, &photo).await?;
    Ok(StatusCode::NO_CONTENT)
}
