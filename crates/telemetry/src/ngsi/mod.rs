//! NGSI-LD (ETSI GS CIM 009), the context API FIWARE brokers speak, over the
//! device registry: devices and assets are entities, their latest readings
//! the properties. Served under /ngsi-ld/v1.

pub mod entity;
pub mod query;

use crate::Telemetry;
use crate::share::Reader;
use crate::store::{self, DeviceFilter};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use kernel::Ctx;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The core context, always in force; never fetched.
pub const CORE_CONTEXT: &str = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 20;

/// An NGSI-LD error: a problem details document with an NGSI-LD error type.
#[derive(Debug)]
pub struct NgsiError {
    status: StatusCode,
    kind: &'static str,
    detail: String,
}

impl NgsiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        NgsiError { status: StatusCode::BAD_REQUEST, kind: "BadRequestData", detail: detail.into() }
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        NgsiError { status: StatusCode::NOT_FOUND, kind: "ResourceNotFound", detail: detail.into() }
    }
    pub fn not_acceptable() -> Self {
        NgsiError {
            status: StatusCode::NOT_ACCEPTABLE,
            kind: "NotAcceptable",
            detail: "application/json, application/ld+json or application/geo+json".into(),
        }
    }
}

impl IntoResponse for NgsiError {
    fn into_response(self) -> Response {
        let body = json!({
            "type": format!("https://uri.etsi.org/ngsi-ld/errors/{}", self.kind),
            "title": self.kind,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

impl From<sea_orm::DbErr> for NgsiError {
    fn from(e: sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "NGSI-LD query failed");
        NgsiError { status: StatusCode::INTERNAL_SERVER_ERROR, kind: "InternalError", detail: "internal error".into() }
    }
}

type NgsiResult<T> = Result<T, NgsiError>;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/ngsi-ld/v1/entities", get(query_entities))
        .route("/ngsi-ld/v1/entities/{id}", get(retrieve_entity))
        .route("/ngsi-ld/v1/types", get(types))
        .route("/ngsi-ld/v1/types/{type}", get(type_info))
        .route("/ngsi-ld/v1/attributes", get(attributes))
        .route("/ngsi-ld/v1/attributes/{attr}", get(attribute_info))
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Format {
    Json,
    JsonLd,
    GeoJson,
}

/// Only the default tenant exists: the platform's own devices and assets.
fn tenant(h: &HeaderMap) -> NgsiResult<()> {
    match h.get("NGSILD-Tenant").and_then(|v| v.to_str().ok()).map(str::trim) {
        None | Some("") => Ok(()),
        Some(t) => Err(NgsiError { status: StatusCode::NOT_FOUND, kind: "NonexistentTenant", detail: format!("no tenant {t:?}") }),
    }
}

fn negotiate(h: &HeaderMap) -> NgsiResult<Format> {
    tenant(h)?;
    let accept = h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("*/*");
    for part in accept.split(',') {
        let media = part.split(';').next().unwrap_or("").trim();
        match media {
            "application/ld+json" => return Ok(Format::JsonLd),
            "application/geo+json" => return Ok(Format::GeoJson),
            "application/json" | "application/*" | "*/*" | "" => return Ok(Format::Json),
            _ => {}
        }
    }
    Err(NgsiError::not_acceptable())
}

fn respond(format: Format, body: Value, count: Option<usize>) -> Response {
    let mut resp = match format {
        Format::JsonLd => {
            let with_context = |mut v: Value| {
                if let Some(o) = v.as_object_mut() {
                    o.insert("@context".into(), json!(CORE_CONTEXT));
                }
                v
            };
            let body = match body {
                Value::Array(items) => Value::Array(items.into_iter().map(with_context).collect()),
                other => with_context(other),
            };
            ([(header::CONTENT_TYPE, "application/ld+json")], body.to_string()).into_response()
        }
        Format::Json | Format::GeoJson => {
            let ctype = if format == Format::GeoJson { "application/geo+json" } else { "application/json" };
            let mut r = ([(header::CONTENT_TYPE, ctype)], body.to_string()).into_response();
            let link = format!("<{CORE_CONTEXT}>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"");
            if let Ok(v) = HeaderValue::from_str(&link) {
                r.headers_mut().insert(header::LINK, v);
            }
            r
        }
    };
    if let Some(n) = count {
        resp.headers_mut().insert("NGSILD-Results-Count", HeaderValue::from(n));
    }
    resp
}

fn geojson(entities: Vec<Value>) -> Value {
    let features: Vec<Value> = entities
        .into_iter()
        .map(|e| {
            let geometry = e.get("location").and_then(|l| l.get("value")).cloned().unwrap_or(Value::Null);
            json!({"id": e["id"], "type": "Feature", "geometry": geometry, "properties": e})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EntityQuery {
    id: Option<String>,
    #[serde(rename = "type")]
    entity_type: Option<String>,
    id_pattern: Option<String>,
    attrs: Option<String>,
    pick: Option<String>,
    q: Option<String>,
    georel: Option<String>,
    geometry: Option<String>,
    coordinates: Option<String>,
    geoproperty: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    count: Option<bool>,
    options: Option<String>,
    format: Option<String>,
    #[serde(rename = "local")]
    _local: Option<bool>,
}

fn list(s: &Option<String>) -> Vec<String> {
    s.as_deref().map(|s| s.split([',', '|']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()).unwrap_or_default()
}

/// Types a reader sees: staff all, a partner its share, anyone else all
/// but those whose readings are personal data.
fn visible_types(t: &Telemetry, reader: &Reader) -> Option<Vec<String>> {
    reader.types(|| t.registry.types().filter(|t| !t.personal).map(|t| t.id.clone()).collect())
}

/// Every entity the query can match, built from the registry and latest values.
async fn load_entities(
    ctx: &Ctx,
    t: &Telemetry,
    reader: &Reader,
    types: &[String],
    ids: &[String],
    bbox: Option<[f64; 4]>,
) -> NgsiResult<Vec<Value>> {
    let c = ctx.db.conn();
    let mut device_types: Vec<String> = t.registry.types().map(|t| t.id.clone()).collect();
    if let Some(visible) = visible_types(t, reader) {
        device_types.retain(|d| visible.contains(d));
    }
    if !types.is_empty() {
        device_types.retain(|d| types.contains(d));
    }
    let mut keys = vec![];
    for id in ids {
        if let Some((_, key)) = entity::split_id(id) {
            keys.push(key.to_string());
        }
    }
    if !ids.is_empty() && keys.is_empty() {
        return Ok(vec![]);
    }
    let mut out = vec![];
    if !device_types.is_empty() {
        let f = DeviceFilter { types_in: device_types, keys: keys.clone(), bbox, limit: 1_000_000, ..Default::default() };
        let devices = store::list_devices(c, &f).await?;
        let latest = store::latest(c, &f, None).await?;
        let latest = entity::by_device(&latest);
        let links = store::links(c, &f).await?;
        let mut by_dev: std::collections::HashMap<&str, Vec<(String, String)>> = std::collections::HashMap::new();
        for (d, a, kind) in &links {
            by_dev.entry(d.as_str()).or_default().push((kind.clone(), a.clone()));
        }
        for d in &devices {
            let l = latest.get(d.key.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let a = by_dev.get(d.key.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            out.push(entity::device_entity(d, l, a));
        }
    }
    // Assets: only kinds whose entity type was asked for (or all).
    // Asked for by id: only those assets; otherwise all of them (few next to devices).
    let assets = if keys.is_empty() {
        store::list_assets(c, None, None, 1_000_000).await?
    } else {
        let mut found = vec![];
        for k in &keys {
            found.extend(store::asset_by_key(c, k).await?);
        }
        found
    };
    for a in assets {
        let ty = entity::asset_type(&a.kind);
        if (!types.is_empty() && !types.contains(&ty)) || (!keys.is_empty() && !keys.contains(&a.key)) {
            continue;
        }
        if let (Some([x0, y0, x1, y1]), Some(x), Some(y)) = (bbox, a.lon, a.lat)
            && !(x0 <= x && x <= x1 && y0 <= y && y <= y1)
        {
            continue;
        }
        out.push(entity::asset_entity(&a));
    }
    if !ids.is_empty() {
        out.retain(|e| ids.iter().any(|i| e["id"].as_str() == Some(i)));
    }
    Ok(out)
}

async fn query_entities(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> NgsiResult<Response> {
    let format = negotiate(&headers)?;
    let q: EntityQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|e| NgsiError::bad_request(e.to_string()))?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(NgsiError::bad_request(format!("limit is at most {MAX_LIMIT}")));
    }
    let options: Vec<String> = list(&q.options);
    let key_values =
        options.iter().any(|o| o == "keyValues" || o == "simplified") || q.format.as_deref().is_some_and(|f| f == "keyValues" || f == "simplified");
    let types = list(&q.entity_type);
    let ids = list(&q.id);
    let filter = q.q.as_deref().map(query::parse).transpose().map_err(|e| NgsiError::bad_request(format!("q: {e}")))?;
    let geo = match (&q.georel, &q.geometry, &q.coordinates) {
        (None, None, None) => None,
        (Some(r), Some(g), Some(c)) => Some(query::parse_geo(r, g, c).map_err(|e| NgsiError::bad_request(format!("geo-query: {e}")))?),
        _ => return Err(NgsiError::bad_request("a geo-query needs georel, geometry and coordinates")),
    };
    if q.geoproperty.as_deref().is_some_and(|p| p != "location") {
        return Ok(respond(format, json!([]), q.count.unwrap_or(false).then_some(0)));
    }
    let pattern = match &q.id_pattern {
        Some(p) => Some(regex_lite::Regex::new(p).map_err(|e| NgsiError::bad_request(format!("idPattern: {e}")))?),
        None => None,
    };
    let mut entities = load_entities(&ctx, &t, &reader, &types, &ids, geo.as_ref().and_then(query::bbox)).await?;
    entities.retain(|e| {
        pattern.as_ref().is_none_or(|p| e["id"].as_str().is_some_and(|id| p.is_match(id)))
            && filter.as_ref().is_none_or(|f| query::eval(f, e))
            && geo.as_ref().is_none_or(|g| entity::point(e).is_some_and(|p| query::geo_matches(g, p)))
    });
    entities.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let total = entities.len();
    let attrs: Vec<String> = list(&q.attrs).into_iter().chain(list(&q.pick)).collect();
    let page: Vec<Value> = entities
        .into_iter()
        .skip(q.offset.unwrap_or(0))
        .take(limit)
        .map(|mut e| {
            if !attrs.is_empty() {
                entity::pick(&mut e, &attrs);
            }
            if key_values { entity::key_values(&e) } else { e }
        })
        .collect();
    let body = if format == Format::GeoJson { geojson(page) } else { Value::Array(page) };
    Ok(respond(format, body, q.count.unwrap_or(false).then_some(total)))
}

async fn retrieve_entity(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> NgsiResult<Response> {
    let format = negotiate(&headers)?;
    let q: EntityQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|e| NgsiError::bad_request(e.to_string()))?;
    if !id.contains(':') {
        return Err(NgsiError::bad_request("the entity id must be a URI"));
    }
    let found = load_entities(&ctx, &t, &reader, &[], std::slice::from_ref(&id), None).await?;
    let mut e = found.into_iter().next().ok_or_else(|| NgsiError::not_found(format!("no entity {id}")))?;
    let attrs: Vec<String> = list(&q.attrs).into_iter().chain(list(&q.pick)).collect();
    if !attrs.is_empty() {
        entity::pick(&mut e, &attrs);
    }
    let options = list(&q.options);
    if options.iter().any(|o| o == "keyValues" || o == "simplified") {
        e = entity::key_values(&e);
    }
    let body = if format == Format::GeoJson {
        let geometry = e.get("location").and_then(|l| l.get("value")).cloned().unwrap_or(Value::Null);
        json!({"id": e["id"], "type": "Feature", "geometry": geometry, "properties": e})
    } else {
        e
    };
    Ok(respond(format, body, None))
}

/// Entity types and their attributes, from the catalogue and the assets present.
async fn catalogue(ctx: &Ctx, t: &Telemetry, reader: &Reader) -> NgsiResult<BTreeMap<String, (BTreeSet<String>, usize)>> {
    let mut out: BTreeMap<String, (BTreeSet<String>, usize)> = BTreeMap::new();
    let visible = visible_types(t, reader);
    let counts = store::count_by_type(ctx.db.conn()).await?;
    for ty in t.registry.types() {
        if visible.as_ref().is_some_and(|v| !v.contains(&ty.id)) {
            continue;
        }
        let n = counts.iter().find(|(k, _)| k == &ty.id).map(|(_, n)| *n as usize).unwrap_or(0);
        if n == 0 {
            continue;
        }
        let mut attrs: BTreeSet<String> = ty.quantities.iter().map(|q| q.name.clone()).collect();
        attrs.extend(["name", "location", "deviceState", "owner"].map(String::from));
        out.insert(ty.id.clone(), (attrs, n));
    }
    for (kind, n) in store::count_assets_by_kind(ctx.db.conn()).await? {
        let e = out.entry(entity::asset_type(&kind)).or_default();
        e.0.extend(["name", "location", "owner"].map(String::from));
        e.1 += n as usize;
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
struct DetailsQuery {
    details: Option<bool>,
}

async fn types(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<DetailsQuery>,
) -> NgsiResult<Response> {
    let format = negotiate(&headers)?;
    let cat = catalogue(&ctx, &t, &reader).await?;
    let body = if q.details.unwrap_or(false) {
        Value::Array(
            cat.iter()
                .map(|(ty, (attrs, _))| json!({"id": format!("https://uri.etsi.org/ngsi-ld/default-context/{ty}"), "type": "EntityType", "typeName": ty, "attributeNames": attrs}))
                .collect(),
        )
    } else {
        json!({"id": "urn:ngsi-ld:EntityTypeList:obcina", "type": "EntityTypeList", "typeList": cat.keys().collect::<Vec<_>>()})
    };
    Ok(respond(format, body, None))
}

async fn type_info(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    headers: HeaderMap,
    Path(ty): Path<String>,
) -> NgsiResult<Response> {
    let format = negotiate(&headers)?;
    let cat = catalogue(&ctx, &t, &reader).await?;
    let (attrs, n) = cat.get(&ty).ok_or_else(|| NgsiError::not_found(format!("no entities of type {ty}")))?;
    let details: Vec<Value> = attrs
        .iter()
        .map(|a| {
            let kind = if a == "location" { "GeoProperty" } else { "Property" };
            json!({"id": format!("https://uri.etsi.org/ngsi-ld/default-context/{a}"), "type": "Attribute", "attributeName": a, "attributeTypes": [kind]})
        })
        .collect();
    let body = json!({"id": format!("https://uri.etsi.org/ngsi-ld/default-context/{ty}"), "type": "EntityTypeInfo", "typeName": ty, "entityCount": n, "attributeDetails": details});
    Ok(respond(format, body, None))
}

async fn attributes(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<DetailsQuery>,
) -> NgsiResult<Response> {
    let format = negotiate(&headers)?;
    let cat = catalogue(&ctx, &t, &reader).await?;
    let mut by_attr: BTreeMap<&str, (usize, Vec<&str>)> = BTreeMap::new();
    for (ty, (attrs, n)) in &cat {
        for a in attrs {
            let e = by_attr.entry(a.as_str()).or_default();
            e.0 += n;
            e.1.push(ty.as_str());
        }
    }
    let body = if q.details.unwrap_or(false) {
        Value::Array(
            by_attr
                .iter()
                .map(|(a, (_, tys))| json!({"id": format!("https://uri.etsi.org/ngsi-ld/default-context/{a}"), "type": "Attribute", "attributeName": a, "typeNames": tys}))
                .collect(),
        )
    } else {
        json!({"id": "urn:ngsi-ld:AttributeList:obcina", "type": "AttributeList", "attributeList": by_attr.keys().collect::<Vec<_>>()})
    };
    Ok(respond(format, body, None))
}

async fn attribute_info(
    State(ctx): State<Ctx>,
    Extension(t): Extension<Telemetry>,
    reader: Reader,
    headers: HeaderMap,
    Path(attr): Path<String>,
) -> NgsiResult<Response> {
    let format = negotiate(&headers)?;
    let cat = catalogue(&ctx, &t, &reader).await?;
    let tys: Vec<&String> = cat.iter().filter(|(_, (a, _))| a.contains(&attr)).map(|(t, _)| t).collect();
    if tys.is_empty() {
        return Err(NgsiError::not_found(format!("no attribute {attr}")));
    }
    let count: usize = cat.iter().filter(|(_, (a, _))| a.contains(&attr)).map(|(_, (_, n))| n).sum();
    let kind = if attr == "location" { "GeoProperty" } else { "Property" };
    let body = json!({"id": format!("https://uri.etsi.org/ngsi-ld/default-context/{attr}"), "type": "Attribute", "attributeName": attr, "attributeCount": count, "attributeTypes": [kind], "typeNames": tys});
    Ok(respond(format, body, None))
}
