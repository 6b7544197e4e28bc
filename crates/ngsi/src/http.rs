//! Request and response plumbing shared by every NGSI-LD route: the tenant,
//! who is calling and whether they may write, content negotiation, the
//! request's @context (body or `Link` header) and the response's.

use crate::Broker;
use crate::context::{CORE_CONTEXT_URL, RequestContext};
use crate::error::{ErrorKind, NgsiError, NgsiResult};
use crate::store::DEFAULT_TENANT;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::{Actor, Ctx, Permission};
use serde_json::{Value, json};
use std::net::SocketAddr;

/// Every query parameter of the NGSI-LD API (clause 6.3); any other is an invalid request.
const KNOWN_PARAMS: &[&str] = &[
    "id",
    "type",
    "idPattern",
    "attrs",
    "pick",
    "omit",
    "q",
    "csf",
    "georel",
    "geometry",
    "coordinates",
    "geoproperty",
    "geometryProperty",
    "lang",
    "scopeQ",
    "options",
    "format",
    "limit",
    "offset",
    "count",
    "local",
    "datasetId",
    "deleteAll",
    "details",
    "timerel",
    "timeAt",
    "endTimeAt",
    "timeproperty",
    "lastN",
    "aggrMethods",
    "aggrPeriodDuration",
    "kind",
    "reload",
    "join",
    "joinLevel",
    "containedBy",
    "entityMap",
    "expandValues",
    "collapse",
    "orderBy",
    "orderFrom",
    "collation",
    "jsonKeys",
    "via",
    "keep",
    "drop",
];

/// The `Link` relation that names a JSON-LD context.
pub const CONTEXT_REL: &str = "http://www.w3.org/ns/json-ld#context";
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Who may change the broker's data without a token (configuration `[ngsi] write_access`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WriteAccess {
    /// Staff or a token with the `ngsi-ld:write` scope only.
    Token,
    /// Also anyone on this machine who is not behind a proxy.
    Loopback,
    /// Anyone (a broker behind its own access proxy).
    Open,
}

/// The caller, as data sources need to know it.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    pub headers: HeaderMap,
    pub peer: Option<SocketAddr>,
}

impl Caller {
    /// Whether the request came straight from this machine (no proxy in between).
    pub fn is_local(&self) -> bool {
        let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"].iter().any(|h| self.headers.contains_key(*h));
        !proxied && self.peer.is_some_and(|p| p.ip().is_loopback())
    }

    pub fn may_write(&self, policy: WriteAccess) -> bool {
        self.actor.allows(Permission::ManageData)
            || self.actor.has_scope("ngsi-ld:write")
            || policy == WriteAccess::Open
            || (policy == WriteAccess::Loopback && self.is_local())
    }
}

/// What a route needs of a request; the body is read for writes only.
pub struct Req {
    pub method: Method,
    pub tenant: String,
    pub query: String,
    pub body: Bytes,
    pub caller: Caller,
}

impl<S: Send + Sync> FromRequest<S> for Req {
    type Rejection = NgsiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, NgsiError> {
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let actor = req.extensions().get::<Actor>().cloned().unwrap_or_default();
        let method = req.method().clone();
        let query = req.uri().query().unwrap_or("").to_string();
        let headers = req.headers().clone();
        let tenant = match headers.get("NGSILD-Tenant").map(|v| v.to_str().map(str::trim)) {
            None => DEFAULT_TENANT.to_string(),
            Some(Ok("")) => DEFAULT_TENANT.to_string(),
            Some(Ok(t)) if t.len() <= 200 && t.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c)) => t.to_string(),
            _ => return Err(NgsiError::bad_data("NGSILD-Tenant is a name of letters, digits and - _ . : /")),
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query).map_err(|e| NgsiError::invalid(format!("query string: {e}")))?;
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !KNOWN_PARAMS.contains(&k.as_str())) {
            return Err(NgsiError::invalid(format!("unknown query parameter {k:?}")));
        }
        let has_body = matches!(method, Method::POST | Method::PATCH | Method::PUT);
        if has_body && !headers.contains_key(header::CONTENT_LENGTH) {
            return Err(NgsiError::new(ErrorKind::LengthRequired, "a request with a body needs Content-Length"));
        }
        let body = if has_body {
            Bytes::from_request(req, state).await.map_err(|e| NgsiError::invalid(format!("the body could not be read: {e}")))?
        } else {
            Bytes::new()
        };
        if body.len() > MAX_BODY {
            return Err(NgsiError::invalid("the body is too large"));
        }
        Ok(Req { method, tenant, query, body, caller: Caller { actor, headers, peer } })
    }
}

impl Req {
    pub fn headers(&self) -> &HeaderMap {
        &self.caller.headers
    }

    /// Refuse a change unless the caller may make it.
    pub fn check_write(&self, broker: &Broker) -> NgsiResult<()> {
        if self.caller.may_write(broker.config.write_access) {
            return Ok(());
        }
        Err(match self.caller.actor {
            Actor::Anonymous => NgsiError::new(ErrorKind::Unauthorized, "changes need a token with the ngsi-ld:write scope"),
            _ => NgsiError::new(ErrorKind::Forbidden, "changes need the ngsi-ld:write scope"),
        })
    }

    /// A read on another tenant than the default one: it must exist.
    pub async fn check_tenant(&self, ctx: &Ctx) -> NgsiResult<()> {
        if crate::store::tenant_exists(ctx.db.conn(), &self.tenant).await? {
            return Ok(());
        }
        Err(NgsiError::new(ErrorKind::NonexistentTenant, format!("no tenant {:?}", self.tenant)))
    }

    pub fn params(&self) -> NgsiResult<Vec<(String, String)>> {
        serde_urlencoded::from_str(&self.query).map_err(|e| NgsiError::bad_data(format!("query string: {e}")))
    }

    /// The context named by the `Link` header, or the core one.
    pub async fn link_context(&self, broker: &Broker) -> NgsiResult<RequestContext> {
        match link_url(self.headers())? {
            Some(url) => Ok(broker.contexts.resolve(&Value::String(url), self.caller.may_write(broker.config.write_access)).await?),
            None => Ok(RequestContext::core()),
        }
    }

    /// The JSON body and its context: `@context` in it for JSON-LD, the `Link` header for JSON.
    pub async fn json(&self, broker: &Broker) -> NgsiResult<(Value, RequestContext)> {
        let ctype = media_type(self.headers().get(header::CONTENT_TYPE));
        let ld = match ctype.as_str() {
            "application/ld+json" => true,
            "application/json" | "application/merge-patch+json" => false,
            "" => return Err(NgsiError::new(ErrorKind::UnsupportedMediaType, "Content-Type is missing")),
            other => {
                return Err(NgsiError::new(
                    ErrorKind::UnsupportedMediaType,
                    format!("{other} is not accepted: use application/json or application/ld+json"),
                ));
            }
        };
        if self.body.is_empty() {
            return Err(NgsiError::invalid("the body is empty"));
        }
        let mut body: Value = serde_json::from_slice(&self.body).map_err(|e| NgsiError::invalid(format!("the body is not JSON: {e}")))?;
        let may_fetch = self.caller.may_write(broker.config.write_access);
        if ld {
            if link_url(self.headers())?.is_some() {
                return Err(NgsiError::bad_data("with application/ld+json the @context goes in the body, not in a Link header"));
            }
            let ctx = match &mut body {
                Value::Object(o) => match o.remove("@context") {
                    Some(c) => broker.contexts.resolve(&c, may_fetch).await?,
                    None => return Err(NgsiError::bad_data("an application/ld+json body needs an @context")),
                },
                // Batches: every entity carries its own @context, resolved one by one (`element_context`).
                Value::Array(_) => RequestContext::core(),
                _ => return Err(NgsiError::bad_data("the body is a JSON object")),
            };
            return Ok((body, ctx));
        }
        // (Batches check each element, so that one bad entity fails alone.)
        let has_inline = matches!(&body, Value::Object(o) if o.contains_key("@context"));
        if has_inline {
            return Err(NgsiError::bad_data("with application/json the @context goes in a Link header, not in the body"));
        }
        let ctx = self.link_context(broker).await?;
        Ok((body, ctx))
    }

    /// The context of one element of a batch: its own `@context` (taken out) for
    /// JSON-LD, the request's for JSON.
    pub async fn element_context(&self, broker: &Broker, element: &mut Value, request: &RequestContext) -> NgsiResult<RequestContext> {
        if media_type(self.headers().get(header::CONTENT_TYPE)) != "application/ld+json" {
            if element.get("@context").is_some() {
                return Err(NgsiError::bad_data("with application/json the @context goes in a Link header, not in the body"));
            }
            return Ok(request.clone());
        }
        match element.as_object_mut().and_then(|o| o.remove("@context")) {
            Some(c) => Ok(broker.contexts.resolve(&c, self.caller.may_write(broker.config.write_access)).await?),
            None => Err(NgsiError::bad_data("every entity of an application/ld+json batch needs an @context")),
        }
    }

    /// What the client accepts: JSON, JSON-LD or GeoJSON.
    pub fn accept(&self) -> NgsiResult<Accept> {
        accept(self.headers())
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Accept {
    Json,
    JsonLd,
    GeoJson,
}

/// Content negotiation (clause 6.3.4): each type we serve gets the weight of
/// the most specific Accept entry that matches it (`q=0` excludes it); the
/// highest weight wins, ties go to JSON, then JSON-LD, then GeoJSON.
pub fn accept(h: &HeaderMap) -> NgsiResult<Accept> {
    negotiate(h, &[Accept::Json, Accept::JsonLd, Accept::GeoJson])
}

/// Content negotiation among the representations an endpoint offers.
pub fn negotiate(h: &HeaderMap, offered: &[Accept]) -> NgsiResult<Accept> {
    let raw = h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").trim();
    if raw.is_empty() {
        return Ok(Accept::Json);
    }
    let entries: Vec<(String, f32)> = raw
        .split(',')
        .map(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .and_then(|q| q.trim().parse::<f32>().ok())
                .filter(|q| (0.0..=1.0).contains(q))
                .unwrap_or(1.0);
            (media, q)
        })
        .collect();
    let weight = |media: &str| -> f32 {
        let (ty, _) = media.split_once('/').unwrap_or((media, ""));
        let exact = entries.iter().find(|(m, _)| m == media).map(|(_, q)| *q);
        let family = entries.iter().find(|(m, _)| *m == format!("{ty}/*")).map(|(_, q)| *q);
        let any = entries.iter().find(|(m, _)| m == "*/*").map(|(_, q)| *q);
        exact.or(family).or(any).unwrap_or(0.0)
    };
    let mut best: Option<(f32, Accept)> = None;
    for (media, kind) in [("application/json", Accept::Json), ("application/ld+json", Accept::JsonLd), ("application/geo+json", Accept::GeoJson)] {
        if !offered.contains(&kind) {
            continue;
        }
        let w = weight(media);
        if w > 0.0 && best.is_none_or(|(b, _)| w > b) {
            best = Some((w, kind));
        }
    }
    best.map(|b| b.1)
        .ok_or_else(|| NgsiError::new(ErrorKind::NotAcceptable, "acceptable are application/json, application/ld+json and application/geo+json"))
}

/// `Prefer: body=json`: GeoJSON without `@context` in the body (the `Link` header names it).
pub fn prefers_plain_json(h: &HeaderMap) -> bool {
    h.get_all("prefer").iter().filter_map(|v| v.to_str().ok()).any(|v| v.split([',', ';']).any(|p| p.trim() == "body=json"))
}

fn media_type(v: Option<&HeaderValue>) -> String {
    v.and_then(|v| v.to_str().ok()).and_then(|s| s.split(';').next()).map(|s| s.trim().to_ascii_lowercase()).unwrap_or_default()
}

/// The URL of the context `Link` header, if any (more than one is an error).
pub fn link_url(h: &HeaderMap) -> NgsiResult<Option<String>> {
    let mut found = None;
    for v in h.get_all(header::LINK) {
        let s = v.to_str().map_err(|_| NgsiError::bad_data("the Link header is not text"))?;
        for link in split_links(s) {
            let Some((target, params)) = link.trim().split_once('>') else { continue };
            let url = target.trim().trim_start_matches('<').trim();
            let rel = params.split(';').filter_map(|p| p.trim().strip_prefix("rel=")).next().map(|r| r.trim_matches('"'));
            if rel == Some(CONTEXT_REL) {
                if found.is_some() {
                    return Err(NgsiError::bad_data("only one JSON-LD context Link header is allowed"));
                }
                found = Some(url.to_string());
            }
        }
    }
    Ok(found)
}

fn split_links(s: &str) -> Vec<&str> {
    let (mut out, mut start, mut in_angle) = (vec![], 0, false);
    for (i, c) in s.char_indices() {
        match c {
            '<' => in_angle = true,
            '>' => in_angle = false,
            ',' if !in_angle => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

pub fn link_header(url: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("<{url}>; rel=\"{CONTEXT_REL}\"; type=\"application/ld+json\"")).ok()
}

/// A JSON body as the client accepts it: JSON-LD with the context inside, JSON with a `Link`.
pub fn respond(status: StatusCode, accept: Accept, ctx: &RequestContext, body: Value) -> Response {
    let (ctype, body) = match accept {
        Accept::JsonLd => ("application/ld+json", with_context(body, &ctx.raw)),
        Accept::GeoJson => ("application/geo+json", body),
        Accept::Json => ("application/json", body),
    };
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if accept != Accept::JsonLd
        && let Some(v) = link_header(&ctx.link_url())
    {
        r.headers_mut().insert(header::LINK, v);
    }
    r
}

/// Put `@context` into an object or into each object of an array.
pub fn with_context(body: Value, raw: &Value) -> Value {
    let raw = if raw.is_null() { json!(CORE_CONTEXT_URL) } else { raw.clone() };
    match body {
        Value::Object(mut o) => {
            o.insert("@context".into(), raw);
            Value::Object(o)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|i| with_context(i, &raw)).collect()),
        other => other,
    }
}

/// Responses name the tenant they answer for (errors included) and, when a
/// client prefers an API version (`Prefer: ngsi-ld=1.0`), that it was heard.
pub async fn echo_tenant(req: Request, next: axum::middleware::Next) -> Response {
    let tenant = req.headers().get("NGSILD-Tenant").cloned();
    let version = preferred_version(req.headers());
    let mut r = next.run(req).await;
    if let Some(t) = tenant {
        r.headers_mut().insert("NGSILD-Tenant", t);
    }
    if let Some(v) = version.and_then(|v| HeaderValue::from_str(&format!("ngsi-ld={v}")).ok()) {
        r.headers_mut().insert("Preference-Applied", v);
    }
    r
}

/// The `ngsi-ld` preference of a `Prefer` header (RFC 7240: names are case-insensitive, values may be quoted).
fn preferred_version(h: &HeaderMap) -> Option<String> {
    for v in h.get_all("prefer").iter().filter_map(|v| v.to_str().ok()) {
        for pref in v.split(',') {
            let first = pref.split(';').next().unwrap_or("").trim();
            if let Some((name, value)) = first.split_once('=')
                && name.trim().eq_ignore_ascii_case("ngsi-ld")
            {
                let value = value.trim().trim_matches('"');
                if !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                    return Some(value.to_string());
                }
            }
        }
    }
    None
}

/// JSON or JSON-LD only (subscriptions and temporal data have no GeoJSON form).
pub fn accept_no_geo(h: &HeaderMap) -> NgsiResult<Accept> {
    negotiate(h, &[Accept::Json, Accept::JsonLd])
}

/// `Link` headers to the previous and next pages of a listing.
pub fn page_links(path: &str, limit: usize, offset: usize, total: usize) -> Option<HeaderValue> {
    let mut links = vec![];
    if offset > 0 {
        links.push(format!("<{path}?limit={limit}&offset={}>;rel=\"prev\";type=\"application/ld+json\"", offset.saturating_sub(limit)));
    }
    if offset + limit < total {
        links.push(format!("<{path}?limit={limit}&offset={}>;rel=\"next\";type=\"application/ld+json\"", offset + limit));
    }
    (!links.is_empty()).then(|| HeaderValue::from_str(&links.join(",")).ok()).flatten()
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn created(location: &str) -> Response {
    let mut r = StatusCode::CREATED.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn negotiation() {
        assert_eq!(accept(&headers(&[])).unwrap(), Accept::Json);
        assert_eq!(accept(&headers(&[("accept", "application/ld+json")])).unwrap(), Accept::JsonLd);
        assert_eq!(accept(&headers(&[("accept", "application/json;q=0.5, application/ld+json")])).unwrap(), Accept::JsonLd);
        assert_eq!(accept(&headers(&[("accept", "application/geo+json, application/json")])).unwrap(), Accept::Json, "ties go to JSON");
        assert_eq!(accept(&headers(&[("accept", "*/*;q=0.5, application/geo+json")])).unwrap(), Accept::GeoJson);
        assert_eq!(accept(&headers(&[("accept", "*/*, application/json;q=0")])).unwrap(), Accept::JsonLd, "q=0 excludes");
        assert_eq!(accept(&headers(&[("accept", "text/html")])).unwrap_err().kind, ErrorKind::NotAcceptable);
    }

    #[test]
    fn context_links() {
        let h = headers(&[("link", "<https://example.org/ctx.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"")]);
        assert_eq!(link_url(&h).unwrap().as_deref(), Some("https://example.org/ctx.jsonld"));
        let two = headers(&[(
            "link",
            "<https://a/1>; rel=\"http://www.w3.org/ns/json-ld#context\", <https://a/2>; rel=\"http://www.w3.org/ns/json-ld#context\"",
        )]);
        assert!(link_url(&two).is_err());
        let other = headers(&[("link", "<https://a/1>; rel=\"next\"")]);
        assert_eq!(link_url(&other).unwrap(), None);
    }
}
