//! Open311 GeoReport v2 at /open311/v2, in XML and JSON: discovery,
//! services and their definitions, requests (create with an API key, list
//! with filters and the 90-day window, one), tokens, and two extensions:
//! service request updates by date range (with the extended statuses, as
//! FixMyStreet reads them) and photo upload (multipart `media`). Errors are
//! the specification's error documents. See docs/open311.md.

use crate::Reports;
use crate::model::{ReportInput, Status};
use crate::service::{self, Source, Submission};
use crate::store::{self, Filter, Report};
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use kernel::{Actor, AppError, Ctx, Lang};
use std::collections::BTreeMap;

pub const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";
const CHANGESET: &str = "2026-12-01T00:00:00Z";
/// The default and largest span of a request list.
pub const WINDOW_DAYS: i64 = 90;
const MAX_RESULTS: i64 = 1000;
const DAY_MS: i64 = 86_400_000;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/open311/v2/{file}", get(top))
        .route("/open311/v2/services/{file}", get(definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

/// Creating requests takes photos: these routes get the larger body limit.
/// (Listing shares the path, so it lives here too.)
pub fn upload_router() -> Router<Ctx> {
    Router::new()
        .route("/open311/v2/requests.json", get(list_requests).post(create))
        .route("/open311/v2/requests.xml", get(list_requests).post(create))
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// `name.json` / `name.xml` → (name, format).
fn split(file: &str) -> Option<(&str, Format)> {
    if let Some(n) = file.strip_suffix(".json") {
        return Some((n, Format::Json));
    }
    file.strip_suffix(".xml").map(|n| (n, Format::Xml))
}

fn format_of(uri: &Uri) -> Format {
    if uri.path().ends_with(".xml") { Format::Xml } else { Format::Json }
}

/// A document in an order XML keeps; JSON is made from the same tree.
#[derive(Clone, Debug)]
pub enum X {
    Text(String),
    Num(f64),
    Int(i64),
    Bool(bool),
    Null,
    /// Repeated elements of one name (`<attributes><attribute>…`).
    List(&'static str, Vec<X>),
    Obj(Vec<(&'static str, X)>),
}

fn text(s: impl Into<String>) -> X {
    X::Text(s.into())
}

fn opt(s: Option<String>) -> X {
    s.map(X::Text).unwrap_or(X::Null)
}

impl X {
    pub fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            X::Text(s) => Value::String(s.clone()),
            X::Num(n) => serde_json::Number::from_f64(*n).map(Value::Number).unwrap_or(Value::Null),
            X::Int(n) => Value::from(*n),
            X::Bool(b) => Value::Bool(*b),
            X::Null => Value::Null,
            X::List(_, items) => Value::Array(items.iter().map(X::json).collect()),
            X::Obj(fields) => Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.json())).collect()),
        }
    }

    fn xml_into(&self, name: &str, out: &mut String) {
        match self {
            X::Null => {
                out.push('<');
                out.push_str(name);
                out.push_str("/>");
            }
            X::List(item, items) => {
                out.push_str(&format!("<{name}>"));
                for i in items {
                    i.xml_into(item, out);
                }
                out.push_str(&format!("</{name}>"));
            }
            X::Obj(fields) => {
                out.push_str(&format!("<{name}>"));
                for (k, v) in fields {
                    v.xml_into(k, out);
                }
                out.push_str(&format!("</{name}>"));
            }
            X::Text(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
            X::Num(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
            X::Int(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
            X::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        }
    }

    /// The XML document with this element (or list) at its root.
    pub fn xml(&self, root: &str) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        self.xml_into(root, &mut out);
        out
    }
}

/// Text for XML: markup escaped, characters XML 1.0 forbids dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn respond(fmt: Format, status: StatusCode, root: &str, doc: X) -> Response {
    match fmt {
        Format::Json => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], doc.json().to_string()).into_response(),
        Format::Xml => (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], doc.xml(root)).into_response(),
    }
}

/// An Open311 error: `[{"code":400,"description":"…"}]` or `<errors><error>…`.
pub struct Open311Error {
    pub fmt: Format,
    pub status: StatusCode,
    pub description: String,
}

fn err(fmt: Format, status: u16, description: impl Into<String>) -> Open311Error {
    Open311Error { fmt, status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), description: description.into() }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let doc = X::List("error", vec![X::Obj(vec![("code", X::Int(self.status.as_u16().into())), ("description", text(self.description))])]);
        respond(self.fmt, self.status, "errors", doc)
    }
}

/// Our field names as Open311 calls them.
fn open311_field(f: &str) -> &str {
    match f {
        "category" => "service_code",
        "lon" => "long",
        "address" => "address_string",
        _ => f,
    }
}

/// An application error as an Open311 error document: invalid input is 400,
/// "who are you" and "not allowed" are 403.
fn from_app(fmt: Format, e: AppError) -> Open311Error {
    let status = match e.status.as_u16() {
        422 | 400 | 413 => 400,
        401 | 403 => 403,
        s => s,
    };
    let description = if e.fields.is_empty() {
        e.detail.clone().map(|d| format!("{}: {d}", e.code)).unwrap_or_else(|| e.code.to_string())
    } else {
        e.fields.iter().map(|f| format!("{}: {}", open311_field(&f.field), f.code)).collect::<Vec<_>>().join("; ")
    };
    err(fmt, status, description)
}

type Result311<T> = Result<T, Open311Error>;

fn params(uri: &Uri) -> Vec<(String, String)> {
    serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default()
}

fn param<'a>(ps: &'a [(String, String)], name: &str) -> Option<&'a str> {
    ps.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
}

fn check_jurisdiction(r: &Reports, fmt: Format, ps: &[(String, String)]) -> Result311<()> {
    match param(ps, "jurisdiction_id") {
        Some(j) if j != r.config.jurisdiction_id => {
            Err(err(fmt, 404, format!("jurisdiction_id {j} is not served here; use {}", r.config.jurisdiction_id)))
        }
        _ => Ok(()),
    }
}

fn lang_of(headers: &HeaderMap) -> Lang {
    kernel::web::request_lang(headers)
}

async fn top(State(ctx): State<Ctx>, Extension(r): Extension<Reports>, Path(file): Path<String>, uri: Uri, headers: HeaderMap) -> Response {
    let Some((name, fmt)) = split(&file) else {
        return err(Format::Json, 404, "unknown document; add .json or .xml").into_response();
    };
    let ps = params(&uri);
    if let Err(e) = check_jurisdiction(&r, fmt, &ps) {
        return e.into_response();
    }
    let lang = lang_of(&headers);
    match name {
        "discovery" => discovery(&ctx, fmt),
        "services" => services(&r, fmt, lang),
        "servicerequestupdates" => updates(&ctx, fmt, &ps).await.unwrap_or_else(IntoResponse::into_response),
        _ => err(fmt, 404, format!("no document {name}")).into_response(),
    }
}

fn base(ctx: &Ctx) -> String {
    ctx.config.public_url().trim_end_matches('/').to_string()
}

fn discovery(ctx: &Ctx, fmt: Format) -> Response {
    let m = &ctx.config.municipality;
    let endpoint = X::Obj(vec![
        ("specification", text(SPEC)),
        ("url", text(format!("{}/open311/v2", base(ctx)))),
        ("changeset", text(CHANGESET)),
        ("type", text("production")),
        ("formats", X::List("format", vec![text("text/xml"), text("application/json")])),
    ]);
    let doc = X::Obj(vec![
        ("changeset", text(CHANGESET)),
        ("contact", text(format!("{}, {}, {}", m.name_en, m.email, m.phone))),
        ("key_service", text(format!("API keys for creating requests are issued by the municipality: write to {}", m.email))),
        ("endpoints", X::List("endpoint", vec![endpoint])),
    ]);
    respond(fmt, StatusCode::OK, "discovery", doc)
}

fn services(r: &Reports, fmt: Format, lang: Lang) -> Response {
    let items = r
        .config
        .categories
        .iter()
        .map(|c| {
            X::Obj(vec![
                ("service_code", text(&c.code)),
                ("service_name", text(c.name.get(lang))),
                ("description", text(c.description.get(lang))),
                ("metadata", X::Bool(!c.attributes.is_empty())),
                ("type", text("realtime")),
                ("keywords", text(&c.keywords)),
                ("group", text(c.group.get(lang))),
            ])
        })
        .collect();
    respond(fmt, StatusCode::OK, "services", X::List("service", items))
}

async fn definition(Extension(r): Extension<Reports>, Path(file): Path<String>, uri: Uri, headers: HeaderMap) -> Result311<Response> {
    let (code, fmt) = split(&file).ok_or_else(|| err(Format::Json, 404, "add .json or .xml"))?;
    check_jurisdiction(&r, fmt, &params(&uri))?;
    let c = r.config.category(code).ok_or_else(|| err(fmt, 404, format!("service_code {code} not found")))?;
    let lang = lang_of(&headers);
    let mut attrs: Vec<_> = c.attributes.iter().collect();
    attrs.sort_by_key(|a| a.order);
    let attributes = attrs
        .into_iter()
        .map(|a| {
            X::Obj(vec![
                ("variable", X::Bool(true)),
                ("code", text(&a.code)),
                ("datatype", text(&a.datatype)),
                ("required", X::Bool(a.required)),
                ("datatype_description", a.datatype_description.as_ref().map(|d| text(d.get(lang))).unwrap_or(X::Null)),
                ("order", X::Int(a.order.into())),
                ("description", text(a.description.get(lang))),
                (
                    "values",
                    X::List("value", a.values.iter().map(|v| X::Obj(vec![("key", text(&v.key)), ("name", text(v.name.get(lang)))])).collect()),
                ),
            ])
        })
        .collect();
    let doc = X::Obj(vec![("service_code", text(&c.code)), ("attributes", X::List("attribute", attributes))]);
    Ok(respond(fmt, StatusCode::OK, "service_definition", doc))
}

/// A W3C / RFC 3339 date-time, or a plain date (midnight UTC), in ms.
fn parse_date(fmt: Format, name: &str, s: &str) -> Result311<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis());
    }
    Err(err(fmt, 400, format!("{name} must be a W3C date-time, e.g. 2026-12-01T00:00:00Z")))
}

/// The span a list covers: the last 90 days by default; at most 90 days.
pub fn window(fmt: Format, now: i64, ps: &[(String, String)]) -> Result311<(i64, i64)> {
    let start = param(ps, "start_date").map(|s| parse_date(fmt, "start_date", s)).transpose()?;
    let end = param(ps, "end_date").map(|s| parse_date(fmt, "end_date", s)).transpose()?;
    let (from, to) = match (start, end) {
        (None, None) => (now - WINDOW_DAYS * DAY_MS, now),
        (Some(s), None) => (s, s + WINDOW_DAYS * DAY_MS),
        (None, Some(e)) => (e - WINDOW_DAYS * DAY_MS, e),
        (Some(s), Some(e)) => (s, e),
    };
    if to < from {
        return Err(err(fmt, 400, "end_date is before start_date"));
    }
    if to - from > WINDOW_DAYS * DAY_MS {
        return Err(err(fmt, 400, format!("start_date to end_date may span at most {WINDOW_DAYS} days")));
    }
    Ok((from, to))
}

fn rfc3339(ms: i64) -> String {
    kernel::Timestamp(ms).rfc3339()
}

fn request_doc(ctx: &Ctx, r: &Reports, rep: &Report, photo: Option<&String>, lang: Lang, extensions: bool, notes: Option<String>) -> X {
    let category = r.config.category(&rep.category);
    let media = photo.map(|id| format!("{}/reports/photos/{id}.jpg", base(ctx))).or_else(|| rep.media_url.clone());
    let mut fields = vec![
        ("service_request_id", text(rep.id.to_string())),
        ("status", text(rep.status.open311())),
        ("status_notes", opt(rep.reason.clone().or(notes))),
        ("service_name", text(category.map(|c| c.name.get(lang).to_string()).unwrap_or_default())),
        ("service_code", text(&rep.category)),
        ("description", text(&rep.description)),
        ("agency_responsible", text(&rep.owner)),
        ("service_notice", X::Null),
        ("requested_datetime", text(rfc3339(rep.created_at))),
        ("updated_datetime", text(rfc3339(rep.updated_at))),
        ("expected_datetime", X::Null),
        ("address", opt(rep.address.clone())),
        ("address_id", opt(rep.address_id.clone())),
        ("zipcode", X::Null),
        ("lat", rep.lat.map(X::Num).unwrap_or(X::Null)),
        ("long", rep.lon.map(X::Num).unwrap_or(X::Null)),
        ("media_url", opt(media)),
    ];
    if extensions {
        let attrs = rep.attributes.iter().map(|(k, v)| X::Obj(vec![("code", text(k)), ("value", text(v))])).collect();
        fields.push((
            "extended_attributes",
            X::Obj(vec![
                ("detailed_status", text(rep.status.extended())),
                ("duplicate_of", rep.duplicate_of.map(|d| text(d.to_string())).unwrap_or(X::Null)),
                ("attributes", X::List("attribute", attrs)),
            ]),
        ));
    }
    X::Obj(fields)
}

/// Status notes: the reason, else the latest public answer.
async fn latest_answers(ctx: &Ctx, ids: &[i64]) -> Result<BTreeMap<i64, String>, sea_orm::DbErr> {
    let mut out = BTreeMap::new();
    for id in ids {
        if let Some(t) = store::updates_of(ctx.db.conn(), *id, true).await?.into_iter().rev().find_map(|u| u.text) {
            out.insert(*id, t);
        }
    }
    Ok(out)
}

async fn requests_doc(ctx: &Ctx, r: &Reports, reports: &[Report], lang: Lang, extensions: bool) -> Result<X, AppError> {
    let ids: Vec<i64> = reports.iter().map(|x| x.id).collect();
    let photos = store::first_photos(ctx.db.conn(), &ids).await?;
    let notes = if reports.len() <= 100 { latest_answers(ctx, &ids).await? } else { BTreeMap::new() };
    Ok(X::List(
        "request",
        reports.iter().map(|rep| request_doc(ctx, r, rep, photos.get(&rep.id), lang, extensions, notes.get(&rep.id).cloned())).collect(),
    ))
}

async fn list_requests(State(ctx): State<Ctx>, Extension(r): Extension<Reports>, uri: Uri, headers: HeaderMap) -> Result311<Response> {
    let fmt = format_of(&uri);
    let ps = params(&uri);
    check_jurisdiction(&r, fmt, &ps)?;
    let lang = lang_of(&headers);
    let extensions = param(&ps, "extensions") == Some("true");
    let f = if let Some(ids) = param(&ps, "service_request_id") {
        // A list of ids overrides every other filter.
        let ids: Vec<i64> = ids.split(',').filter_map(|s| s.trim().parse().ok()).take(MAX_RESULTS as usize).collect();
        if ids.is_empty() {
            return Ok(respond(fmt, StatusCode::OK, "service_requests", X::List("request", vec![])));
        }
        Filter { ids, limit: MAX_RESULTS, ..Default::default() }
    } else {
        let (from, to) = window(fmt, ctx.now().0, &ps)?;
        let statuses = match param(&ps, "status") {
            Some(s) => Status::matching_open311(s).ok_or_else(|| err(fmt, 400, "status must be open or closed (or an extended status)"))?,
            None => vec![],
        };
        let categories =
            param(&ps, "service_code").map(|s| s.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()).unwrap_or_default();
        let page_size = param(&ps, "page_size")
            .map(|s| s.parse::<i64>().map_err(|_| err(fmt, 400, "page_size must be a number")))
            .transpose()?
            .unwrap_or(MAX_RESULTS);
        let page = param(&ps, "page").map(|s| s.parse::<i64>().map_err(|_| err(fmt, 400, "page must be a number"))).transpose()?.unwrap_or(1);
        let limit = page_size.clamp(1, MAX_RESULTS);
        Filter {
            statuses,
            categories,
            created_from: Some(from),
            created_to: Some(to + 1),
            offset: (page.max(1) - 1) * limit,
            limit,
            ..Default::default()
        }
    };
    let reports = store::list(ctx.db.conn(), &f).await.map_err(|e| from_app(fmt, e.into()))?;
    let doc = requests_doc(&ctx, &r, &reports, lang, extensions).await.map_err(|e| from_app(fmt, e))?;
    Ok(respond(fmt, StatusCode::OK, "service_requests", doc))
}

async fn one_request(
    State(ctx): State<Ctx>,
    Extension(r): Extension<Reports>,
    Path(file): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result311<Response> {
    let (id, fmt) = split(&file).ok_or_else(|| err(Format::Json, 404, "add .json or .xml"))?;
    let ps = params(&uri);
    check_jurisdiction(&r, fmt, &ps)?;
    let not_found = || err(fmt, 404, format!("service_request_id {id} not found"));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let rep = store::get(ctx.db.conn(), id).await.map_err(|e| from_app(fmt, e.into()))?.ok_or_else(not_found)?;
    let doc = requests_doc(&ctx, &r, &[rep], lang_of(&headers), param(&ps, "extensions") == Some("true")).await.map_err(|e| from_app(fmt, e))?;
    Ok(respond(fmt, StatusCode::OK, "service_requests", doc))
}

async fn token(State(ctx): State<Ctx>, Extension(r): Extension<Reports>, Path(file): Path<String>, uri: Uri) -> Result311<Response> {
    let (tok, fmt) = split(&file).ok_or_else(|| err(Format::Json, 404, "add .json or .xml"))?;
    check_jurisdiction(&r, fmt, &params(&uri))?;
    let rep = store::by_token(ctx.db.conn(), tok).await.map_err(|e| from_app(fmt, e.into()))?.ok_or_else(|| err(fmt, 404, "token not found"))?;
    let doc = X::List("request", vec![X::Obj(vec![("service_request_id", text(rep.id.to_string())), ("token", text(rep.token))])]);
    Ok(respond(fmt, StatusCode::OK, "service_requests", doc))
}

/// GeoReport v2 extension: changes of status in a date range.
async fn updates(ctx: &Ctx, fmt: Format, ps: &[(String, String)]) -> Result311<Response> {
    let (from, to) = window(fmt, ctx.now().0, ps)?;
    let list = store::updates_between(ctx.db.conn(), from, to, MAX_RESULTS).await.map_err(|e| from_app(fmt, e.into()))?;
    let items = list
        .into_iter()
        .map(|u| {
            X::Obj(vec![
                ("update_id", text(&u.id)),
                ("service_request_id", text(u.report_id.to_string())),
                ("status", text(u.status.extended())),
                ("updated_datetime", text(rfc3339(u.at))),
                ("description", text(u.text.unwrap_or_default())),
                ("media_url", X::Null),
            ])
        })
        .collect();
    Ok(respond(fmt, StatusCode::OK, "service_requests_updates", X::List("request_update", items)))
}

/// POST requests: form-encoded, or multipart with `media` photos.
async fn create(State(ctx): State<Ctx>, Extension(r): Extension<Reports>, actor: Actor, req: Request) -> Result311<Response> {
    let fmt = format_of(req.uri());
    let headers = req.headers().clone();
    let multipart = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
    let (fields, photos) = if multipart {
        let m = axum::extract::Multipart::from_request(req, &ctx).await.map_err(|_| err(fmt, 400, "the multipart body cannot be read"))?;
        kernel::web::read_multipart(m, "media").await.map_err(|e| from_app(fmt, e))?
    } else {
        let bytes = Bytes::from_request(req, &ctx).await.map_err(|_| err(fmt, 400, "the body cannot be read"))?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| err(fmt, 400, "the body must be application/x-www-form-urlencoded"))?;
        (fields, vec![])
    };
    check_jurisdiction(&r, fmt, &fields)?;
    // The API key: the form field, or a bearer token the identity resolved.
    let actor = match param(&fields, "api_key") {
        Some(key) => identity::session::machine(&ctx, key).await.map_err(|e| from_app(fmt, e.into()))?.unwrap_or_default(),
        None => actor,
    };
    if !actor.has_scope("open311:write") {
        return Err(err(fmt, 403, "api_key is missing, not valid, or not allowed to create requests"));
    }
    let Some(code) = param(&fields, "service_code") else {
        return Err(err(fmt, 400, "service_code: required"));
    };
    if r.config.category(code).is_none() {
        return Err(err(fmt, 404, format!("service_code {code} not found")));
    }
    let number = |name: &str| -> Result311<Option<f64>> {
        param(&fields, name).map(|v| v.trim().parse::<f64>().map_err(|_| err(fmt, 400, format!("{name}: not a number")))).transpose()
    };
    let (lat, lon) = (number("lat")?, number("long")?);
    let mut attributes: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &fields {
        if let Some(rest) = k.strip_prefix("attribute[") {
            let code = rest.trim_end_matches("[]").trim_end_matches(']').to_string();
            attributes.entry(code).and_modify(|e| *e = format!("{e},{v}")).or_insert_with(|| v.clone());
        }
    }
    let name = [param(&fields, "first_name"), param(&fields, "last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let input = ReportInput {
        category: code.to_string(),
        description: param(&fields, "description").unwrap_or("").to_string(),
        lat,
        lon,
        address: param(&fields, "address_string").map(str::to_string),
        address_id: param(&fields, "address_id").map(str::to_string),
        attributes,
        email: param(&fields, "email").map(str::to_string),
        name: Some(name).filter(|n| !n.is_empty()),
        phone: param(&fields, "phone").map(str::to_string),
        media_url: param(&fields, "media_url").map(str::to_string),
    };
    let lang = lang_of(&headers);
    let sub = Submission { input, photos, keep_location: false, source: Source::Open311, lang };
    let rep = service::submit(&ctx, &r, &actor, sub).await.map_err(|e| from_app(fmt, e))?;
    let doc = X::List(
        "request",
        vec![X::Obj(vec![
            ("service_request_id", text(rep.id.to_string())),
            ("token", text(&rep.token)),
            ("service_notice", text(format!("Received; sent to {}", rep.owner))),
            ("account_id", X::Null),
        ])],
    );
    Ok(respond(fmt, StatusCode::CREATED, "service_requests", doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_json_from_one_tree() {
        let doc = X::List("error", vec![X::Obj(vec![("code", X::Int(400)), ("description", text("a < b & \"c\""))])]);
        assert_eq!(doc.json().to_string(), r#"[{"code":400,"description":"a < b & \"c\""}]"#);
        assert_eq!(
            doc.xml("errors"),
            r#"<?xml version="1.0" encoding="utf-8"?><errors><error><code>400</code><description>a &lt; b &amp; &quot;c&quot;</description></error></errors>"#
        );
        assert_eq!(X::Obj(vec![("x", X::Null)]).xml("r"), r#"<?xml version="1.0" encoding="utf-8"?><r><x/></r>"#);
        assert_eq!(escape("a\u{1}b"), "ab");
    }

    #[test]
    fn the_window_defaults_to_and_is_limited_to_ninety_days() {
        let now = 1_800_000_000_000;
        let p = |a: &[(&str, &str)]| a.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        assert_eq!(window(Format::Json, now, &[]).ok().unwrap(), (now - 90 * DAY_MS, now));
        let (from, to) = window(Format::Json, now, &p(&[("start_date", "2026-01-01T00:00:00Z")])).ok().unwrap();
        assert_eq!(to - from, 90 * DAY_MS);
        assert!(window(Format::Json, now, &p(&[("start_date", "2026-01-01T00:00:00Z"), ("end_date", "2026-06-01T00:00:00Z")])).is_err());
        assert!(window(Format::Json, now, &p(&[("start_date", "yesterday")])).is_err());
        assert!(window(Format::Json, now, &p(&[("start_date", "2026-03-01"), ("end_date", "2026-02-01")])).is_err());
        assert!(window(Format::Json, now, &p(&[("start_date", "2026-01-01T00:00:00+01:00"), ("end_date", "2026-02-01T00:00:00+01:00")])).is_ok());
    }
}
