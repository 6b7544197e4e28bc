//! Subscriptions (clause 5.8): stored with names expanded, rendered with the
//! caller's @context, notified by `notify`.

use crate::Broker;
use crate::context::RequestContext;
use crate::error::{NgsiError, NgsiResult};
use crate::http::{Req, created, no_content, respond};
use crate::model::{format_time, is_uri, parse_time};
use crate::query::{self, TypeSelection};
use crate::store;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use kernel::Ctx;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// An entity selector of a subscription.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Selector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_pattern: Option<String>,
    /// The type selection as given (short names) and expanded.
    pub type_raw: String,
    pub types: Vec<Vec<String>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, Default)]
pub struct Endpoint {
    pub uri: String,
    pub accept: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_info: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifier_info: Option<Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize, Default)]
pub struct Stats {
    pub times_sent: i64,
    pub times_failed: i64,
    pub last_notification: Option<i64>,
    pub last_success: Option<i64>,
    pub last_failure: Option<i64>,
    /// `ok` or `failed`, once something was sent.
    pub status: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub entities: Vec<Selector>,
    pub watched: Vec<String>,
    pub triggers: Option<Vec<String>>,
    pub time_interval: Option<f64>,
    /// The query as given; parsed again with the subscription's context when used.
    pub q: Option<String>,
    pub geo_q: Option<Value>,
    pub scope_q: Option<String>,
    pub csf: Option<String>,
    pub active: bool,
    /// Whether the client set isActive (it is shown back only then).
    #[serde(default)]
    pub active_given: bool,
    pub expires_at: Option<String>,
    pub throttling: Option<f64>,
    pub lang: Option<String>,
    /// Attributes to send (expanded); empty for all.
    pub attributes: Vec<String>,
    /// Projections of the notified entities (clause 4.21), as given.
    #[serde(default)]
    pub pick: Option<String>,
    #[serde(default)]
    pub omit: Option<String>,
    /// The context named by `jsonldContext`, used for notifications.
    #[serde(default)]
    pub jsonld_context: Option<String>,
    pub format: String,
    pub sys_attrs: bool,
    pub show_changes: bool,
    pub endpoint: Endpoint,
    /// The @context given at creation: names in notifications are compacted with it.
    pub context: Value,
    pub created_at: i64,
    pub modified_at: i64,
    #[serde(default)]
    pub stats: Stats,
    /// Members we keep as given (e.g. temporalQ) but do not act on.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl Subscription {
    pub fn expired(&self, now_us: i64) -> bool {
        self.expires_at.as_deref().and_then(parse_time).is_some_and(|t| t <= now_us)
    }

    /// `active`, `paused` or `expired`.
    pub fn status(&self, now_us: i64) -> &'static str {
        if self.expired(now_us) {
            "expired"
        } else if self.active {
            "active"
        } else {
            "paused"
        }
    }

    pub fn triggers(&self) -> Vec<String> {
        // The default of clause 5.2.12.
        self.triggers.clone().unwrap_or_else(|| ["attributeCreated", "attributeUpdated"].map(String::from).to_vec())
    }
}

const TRIGGERS: &[&str] = &["entityCreated", "entityUpdated", "entityDeleted", "attributeCreated", "attributeUpdated", "attributeDeleted"];
const FORMATS: &[&str] = &["normalized", "keyValues", "concise", "simplified"];
const ACCEPTS: &[&str] = &["application/json", "application/ld+json", "application/geo+json"];

fn string(o: &Map<String, Value>, k: &str) -> NgsiResult<Option<String>> {
    match o.get(k) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(NgsiError::bad_data(format!("{k} is a string"))),
    }
}

fn names(o: &Map<String, Value>, k: &str, ctx: &RequestContext) -> NgsiResult<Option<Vec<String>>> {
    match o.get(k) {
        None => Ok(None),
        Some(Value::Array(items)) => {
            let mut out = vec![];
            for i in items {
                let n = i.as_str().ok_or_else(|| NgsiError::bad_data(format!("{k} lists names")))?;
                if !crate::model::is_valid_name(n) {
                    return Err(NgsiError::bad_data(format!("{n:?} in {k} is not a valid name")));
                }
                out.push(ctx.expand(n));
            }
            Ok(Some(out))
        }
        Some(_) => Err(NgsiError::bad_data(format!("{k} is an array of names"))),
    }
}

fn positive(o: &Map<String, Value>, k: &str) -> NgsiResult<Option<f64>> {
    match o.get(k) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n > 0.0 => Ok(Some(n)),
            _ => Err(NgsiError::bad_data(format!("{k} is a number greater than 0"))),
        },
    }
}

fn selectors(v: &Value, ctx: &RequestContext) -> NgsiResult<Vec<Selector>> {
    let items = v.as_array().filter(|a| !a.is_empty()).ok_or_else(|| NgsiError::bad_data("entities is a non-empty array"))?;
    let mut out = vec![];
    for i in items {
        let o = i.as_object().ok_or_else(|| NgsiError::bad_data("an entity selector is an object"))?;
        let type_raw = string(o, "type")?.ok_or_else(|| NgsiError::bad_data("an entity selector needs a type"))?;
        let sel = TypeSelection::parse(&type_raw, &|n| ctx.expand(n)).map_err(NgsiError::bad_data)?;
        let id = string(o, "id")?;
        if id.as_deref().is_some_and(|i| !is_uri(i)) {
            return Err(NgsiError::bad_data("an entity selector's id is a URI"));
        }
        let id_pattern = string(o, "idPattern")?;
        if let Some(p) = &id_pattern
            && regex_lite::Regex::new(p).is_err()
        {
            return Err(NgsiError::bad_data(format!("idPattern {p:?} is not a regular expression")));
        }
        out.push(Selector { id, id_pattern, type_raw, types: sel.0 });
    }
    Ok(out)
}

fn check_geo_q(v: &Value) -> NgsiResult<()> {
    let o = v.as_object().ok_or_else(|| NgsiError::bad_data("geoQ is an object"))?;
    let (Some(rel), Some(geom), Some(coords)) =
        (o.get("georel").and_then(Value::as_str), o.get("geometry").and_then(Value::as_str), o.get("coordinates"))
    else {
        return Err(NgsiError::bad_data("geoQ needs georel, geometry and coordinates"));
    };
    crate::geo::parse_query(rel, geom, coords).map(|_| ()).map_err(|e| NgsiError::bad_data(format!("geoQ: {e}")))
}

fn endpoint(v: &Value) -> NgsiResult<Endpoint> {
    let o = v.as_object().ok_or_else(|| NgsiError::bad_data("notification.endpoint is an object"))?;
    let uri = string(o, "uri")?.ok_or_else(|| NgsiError::bad_data("notification.endpoint needs a uri"))?;
    if !is_uri(&uri) {
        return Err(NgsiError::bad_data("notification.endpoint.uri is a URI"));
    }
    let accept = string(o, "accept")?.unwrap_or_else(|| "application/json".into());
    if !ACCEPTS.contains(&accept.as_str()) {
        return Err(NgsiError::bad_data(format!("notification.endpoint.accept {accept:?} is not supported")));
    }
    for k in ["receiverInfo", "notifierInfo"] {
        if let Some(list) = o.get(k) {
            let ok = list
                .as_array()
                .is_some_and(|a| a.iter().all(|kv| kv.get("key").is_some_and(Value::is_string) && kv.get("value").is_some_and(Value::is_string)));
            if !ok {
                return Err(NgsiError::bad_data(format!("{k} is a list of {{key, value}} strings")));
            }
        }
    }
    Ok(Endpoint { uri, accept, receiver_info: o.get("receiverInfo").cloned(), notifier_info: o.get("notifierInfo").cloned() })
}

/// Apply the members of a creation or update payload onto a subscription.
fn apply(s: &mut Subscription, o: &Map<String, Value>, ctx: &RequestContext, now: i64, creating: bool) -> NgsiResult<()> {
    for (k, v) in o {
        match k.as_str() {
            "id" | "type" | "@context" | "status" | "createdAt" | "modifiedAt" | "timesSent" | "timesFailed" | "lastNotification" | "lastSuccess"
            | "lastFailure" => {
                if k == "type" && v.as_str() != Some("Subscription") {
                    return Err(NgsiError::bad_data("the type of a subscription is Subscription"));
                }
                if k == "id" && !creating {
                    return Err(NgsiError::bad_data("a subscription's id cannot change"));
                }
            }
            "subscriptionName" => s.name = string(o, k)?,
            "description" => s.description = string(o, k)?,
            "entities" => s.entities = selectors(v, ctx)?,
            "watchedAttributes" => {
                let w = names(o, k, ctx)?.unwrap_or_default();
                if w.is_empty() {
                    return Err(NgsiError::bad_data("watchedAttributes is a non-empty array"));
                }
                s.watched = w;
            }
            "notificationTrigger" => {
                let t: Vec<String> = v
                    .as_array()
                    .ok_or_else(|| NgsiError::bad_data("notificationTrigger is an array"))?
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .filter(|x| TRIGGERS.contains(x))
                            .map(String::from)
                            .ok_or_else(|| NgsiError::bad_data(format!("{x} is not a notification trigger")))
                    })
                    .collect::<Result<_, _>>()?;
                s.triggers = Some(t);
            }
            "timeInterval" => s.time_interval = positive(o, k)?,
            "throttling" => s.throttling = positive(o, k)?,
            "q" => {
                let q = string(o, k)?.ok_or_else(|| NgsiError::bad_data("q is a string"))?;
                query::parse(&query::percent_decode(&q), &|n| ctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("q: {e}")))?;
                s.q = Some(q);
            }
            "geoQ" => {
                check_geo_q(v)?;
                s.geo_q = Some(v.clone());
            }
            "scopeQ" => {
                let q = string(o, k)?.ok_or_else(|| NgsiError::bad_data("scopeQ is a string"))?;
                query::check_scope_query(&q).map_err(NgsiError::bad_data)?;
                s.scope_q = Some(q);
            }
            "csf" => {
                let csf = string(o, k)?.unwrap_or_default();
                query::parse(&csf, &|n| ctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("csf: {e}")))?;
                s.csf = Some(csf);
            }
            "jsonldContext" => {
                let url = string(o, k)?.unwrap_or_default();
                if !is_uri(&url) {
                    return Err(NgsiError::bad_data("jsonldContext is the URL of a context"));
                }
                s.jsonld_context = Some(url);
            }
            "lang" => s.lang = string(o, k)?,
            "isActive" => {
                s.active = v.as_bool().ok_or_else(|| NgsiError::bad_data("isActive is true or false"))?;
                s.active_given = true;
            }
            "expiresAt" => {
                let t = string(o, k)?.unwrap_or_default();
                match parse_time(&t) {
                    Some(at) if at > now => s.expires_at = Some(t),
                    Some(_) => return Err(NgsiError::bad_data("expiresAt is in the past")),
                    None => return Err(NgsiError::bad_data("expiresAt is a date-time")),
                }
            }
            "notification" => {
                let n = v.as_object().ok_or_else(|| NgsiError::bad_data("notification is an object"))?;
                for (nk, nv) in n {
                    match nk.as_str() {
                        "attributes" => {
                            s.attributes = names(n, nk, ctx)?.unwrap_or_default();
                            if s.attributes.is_empty() {
                                return Err(NgsiError::bad_data("notification.attributes cannot be empty"));
                            }
                        }
                        "pick" | "omit" => {
                            let list: Vec<String> = match nv {
                                Value::String(x) => vec![x.clone()],
                                Value::Array(items) => items
                                    .iter()
                                    .map(|i| {
                                        i.as_str().map(str::to_string).ok_or_else(|| NgsiError::bad_data(format!("notification.{nk} lists names")))
                                    })
                                    .collect::<NgsiResult<_>>()?,
                                _ => return Err(NgsiError::bad_data(format!("notification.{nk} is a list of names"))),
                            };
                            if list.is_empty() {
                                return Err(NgsiError::bad_data(format!("notification.{nk} cannot be empty")));
                            }
                            let joined = list.join(",");
                            crate::projection::Projection::parse(&joined).map_err(|e| NgsiError::bad_data(format!("notification.{nk}: {e}")))?;
                            if nk == "pick" { s.pick = Some(joined) } else { s.omit = Some(joined) }
                        }
                        "format" => {
                            let f = string(n, nk)?.unwrap_or_default();
                            if !FORMATS.contains(&f.as_str()) {
                                return Err(NgsiError::bad_data(format!("notification.format {f:?} is not supported")));
                            }
                            s.format = f;
                        }
                        "sysAttrs" => s.sys_attrs = nv.as_bool().ok_or_else(|| NgsiError::bad_data("sysAttrs is true or false"))?,
                        "showChanges" => s.show_changes = nv.as_bool().ok_or_else(|| NgsiError::bad_data("showChanges is true or false"))?,
                        "endpoint" => s.endpoint = endpoint(nv)?,
                        _ => {}
                    }
                }
                if creating && !n.contains_key("endpoint") {
                    return Err(NgsiError::bad_data("notification needs an endpoint"));
                }
            }
            // Members of clause 5.2.12 we keep but do not act on; anything else is not kept.
            "temporalQ" | "datasetId" | "jsonKeys" | "expandValues" => {
                s.extra.insert(k.clone(), v.clone());
            }
            _ => {}
        }
    }
    if creating && !o.contains_key("notification") {
        return Err(NgsiError::bad_data("a subscription needs notification parameters"));
    }
    if s.entities.is_empty() && s.watched.is_empty() {
        return Err(NgsiError::bad_data("a subscription needs entities or watchedAttributes"));
    }
    if !s.attributes.is_empty() && (s.pick.is_some() || s.omit.is_some()) {
        return Err(NgsiError::bad_data("notification.attributes cannot go with pick or omit"));
    }
    if let (Some(p), Some(om)) = (&s.pick, &s.omit) {
        let (p, om) = (crate::projection::Projection::parse(p).unwrap_or_default(), crate::projection::Projection::parse(om).unwrap_or_default());
        if p.0.iter().any(|m| om.has(&m.name)) {
            return Err(NgsiError::bad_data("a member cannot be both picked and omitted"));
        }
    }
    if s.show_changes && matches!(s.format.as_str(), "keyValues" | "simplified") {
        return Err(NgsiError::bad_data("showChanges needs the normalized or concise format"));
    }
    if s.time_interval.is_some() && (!s.watched.is_empty() || s.throttling.is_some()) {
        return Err(NgsiError::bad_data("timeInterval goes with neither watchedAttributes nor throttling"));
    }
    Ok(())
}

/// A new subscription from a creation payload.
pub fn parse_new(v: &Value, ctx: &RequestContext, now: i64) -> NgsiResult<Subscription> {
    let o = v.as_object().ok_or_else(|| NgsiError::bad_data("a subscription is a JSON object"))?;
    let id = match o.get("id") {
        None => format!("urn:ngsi-ld:Subscription:{}", uuid::Uuid::now_v7()),
        Some(Value::String(i)) if is_uri(i) => i.clone(),
        Some(_) => return Err(NgsiError::bad_data("a subscription's id is a URI")),
    };
    if o.get("type").and_then(Value::as_str) != Some("Subscription") {
        return Err(NgsiError::bad_data("a subscription has the type Subscription"));
    }
    let mut s = Subscription {
        id,
        name: None,
        description: None,
        entities: vec![],
        watched: vec![],
        triggers: None,
        time_interval: None,
        q: None,
        geo_q: None,
        scope_q: None,
        csf: None,
        active: true,
        active_given: false,
        expires_at: None,
        throttling: None,
        lang: None,
        attributes: vec![],
        pick: None,
        omit: None,
        jsonld_context: None,
        format: "normalized".into(),
        sys_attrs: false,
        show_changes: false,
        endpoint: Endpoint::default(),
        context: ctx.raw.clone(),
        created_at: now,
        modified_at: now,
        stats: Stats::default(),
        extra: Map::new(),
    };
    apply(&mut s, o, ctx, now, true)?;
    Ok(s)
}

/// A subscription as clients see it, names compacted with `ctx`.
pub fn render(s: &Subscription, ctx: &RequestContext, now: i64, sys_attrs: bool) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(s.id));
    o.insert("type".into(), json!("Subscription"));
    if let Some(n) = &s.name {
        o.insert("subscriptionName".into(), json!(n));
    }
    if let Some(d) = &s.description {
        o.insert("description".into(), json!(d));
    }
    if !s.entities.is_empty() {
        let es: Vec<Value> = s
            .entities
            .iter()
            .map(|e| {
                let mut m = Map::new();
                if let Some(i) = &e.id {
                    m.insert("id".into(), json!(i));
                }
                if let Some(p) = &e.id_pattern {
                    m.insert("idPattern".into(), json!(p));
                }
                let ty = match e.types.as_slice() {
                    [one] if one.len() == 1 => ctx.compact(&one[0]),
                    _ => e.type_raw.clone(),
                };
                m.insert("type".into(), json!(ty));
                Value::Object(m)
            })
            .collect();
        o.insert("entities".into(), Value::Array(es));
    }
    if !s.watched.is_empty() {
        o.insert("watchedAttributes".into(), json!(s.watched.iter().map(|w| ctx.compact(w)).collect::<Vec<_>>()));
    }
    o.insert("notificationTrigger".into(), json!(s.triggers()));
    if let Some(t) = s.time_interval {
        o.insert("timeInterval".into(), number(t));
    }
    if let Some(q) = &s.q {
        o.insert("q".into(), json!(q));
    }
    if let Some(g) = &s.geo_q {
        o.insert("geoQ".into(), g.clone());
    }
    if let Some(q) = &s.scope_q {
        o.insert("scopeQ".into(), json!(q));
    }
    if let Some(c) = &s.csf {
        o.insert("csf".into(), json!(c));
    }
    if let Some(l) = &s.lang {
        o.insert("lang".into(), json!(l));
    }
    if let Some(u) = &s.jsonld_context {
        o.insert("jsonldContext".into(), json!(u));
    }
    if s.active_given {
        o.insert("isActive".into(), json!(s.active));
    }
    if let Some(e) = &s.expires_at {
        o.insert("expiresAt".into(), json!(e));
    }
    if let Some(t) = s.throttling {
        o.insert("throttling".into(), number(t));
    }
    let mut endpoint = Map::new();
    endpoint.insert("uri".into(), json!(s.endpoint.uri));
    endpoint.insert("accept".into(), json!(s.endpoint.accept));
    if let Some(r) = &s.endpoint.receiver_info {
        endpoint.insert("receiverInfo".into(), r.clone());
    }
    if let Some(n) = &s.endpoint.notifier_info {
        endpoint.insert("notifierInfo".into(), n.clone());
    }
    let mut n = Map::new();
    if !s.attributes.is_empty() {
        n.insert("attributes".into(), json!(s.attributes.iter().map(|a| ctx.compact(a)).collect::<Vec<_>>()));
    }
    for (k, v) in [("pick", &s.pick), ("omit", &s.omit)] {
        if let Some(v) = v {
            n.insert(k.into(), json!(v.split(',').collect::<Vec<_>>()));
        }
    }
    n.insert("format".into(), json!(s.format));
    n.insert("endpoint".into(), Value::Object(endpoint));
    if s.sys_attrs {
        n.insert("sysAttrs".into(), json!(true));
    }
    if s.show_changes {
        n.insert("showChanges".into(), json!(true));
    }
    if let Some(st) = &s.stats.status {
        n.insert("status".into(), json!(st));
    }
    if s.stats.times_sent > 0 {
        n.insert("timesSent".into(), json!(s.stats.times_sent));
    }
    if s.stats.times_failed > 0 {
        n.insert("timesFailed".into(), json!(s.stats.times_failed));
    }
    for (k, t) in [("lastNotification", s.stats.last_notification), ("lastSuccess", s.stats.last_success), ("lastFailure", s.stats.last_failure)] {
        if let Some(t) = t {
            n.insert(k.into(), json!(format_time(t)));
        }
    }
    o.insert("notification".into(), Value::Object(n));
    o.insert("status".into(), json!(s.status(now)));
    for (k, v) in &s.extra {
        o.insert(k.clone(), v.clone());
    }
    if sys_attrs {
        o.insert("createdAt".into(), json!(format_time(s.created_at)));
        o.insert("modifiedAt".into(), json!(format_time(s.modified_at)));
    }
    Value::Object(o)
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 { json!(n as i64) } else { json!(n) }
}

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/ngsi-ld/v1/subscriptions", get(list).post(create))
        .route("/ngsi-ld/v1/subscriptions/", get(list).post(create))
        .route("/ngsi-ld/v1/subscriptions/{id}", get(retrieve).patch(update).delete(delete))
}

pub async fn load(ctx: &Ctx, tenant: &str, id: &str) -> NgsiResult<Option<Subscription>> {
    match store::subscription(ctx.db.conn(), tenant, id).await? {
        Some(v) => Ok(Some(serde_json::from_value(v).map_err(|e| {
            tracing::error!(error = %e, "a stored subscription could not be read");
            NgsiError::internal()
        })?)),
        None => Ok(None),
    }
}

fn to_json(s: &Subscription) -> NgsiResult<Value> {
    serde_json::to_value(s).map_err(|_| NgsiError::internal())
}

async fn create(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(NgsiError::bad_data("a subscription is needed in the body"));
    }
    let (body, rctx) = req.json(&b).await?;
    let now = b.now(&ctx);
    let mut s = parse_new(&body, &rctx, now)?;
    if let Some(url) = &s.jsonld_context {
        // It must be usable now: notifications are compacted with it.
        b.contexts.resolve(&Value::String(url.clone()), true).await?;
        s.context = Value::String(url.clone());
    }
    let txn = ctx.db.begin().await?;
    store::ensure_tenant(&txn, &req.tenant, ctx.now().0).await?;
    if !store::insert_subscription(&txn, &req.tenant, &s.id, &to_json(&s)?, now).await? {
        return Err(NgsiError::exists(format!("{} exists already", s.id)));
    }
    txn.commit().await?;
    b.notifier.subscribed(&req.tenant, s.clone());
    Ok(created(&format!("/ngsi-ld/v1/subscriptions/{}", s.id)))
}

async fn list(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = crate::params::Params::parse(&req)?;
    let now = b.now(&ctx);
    let all: Vec<Subscription> = store::all_subscriptions(ctx.db.conn())
        .await?
        .into_iter()
        .filter(|(t, _)| *t == req.tenant)
        .filter_map(|(_, v)| serde_json::from_value(v).ok())
        .collect();
    let total = all.len();
    let (limit, offset) = p.page(b.config.max_limit)?;
    let page: Vec<Value> = all.iter().skip(offset).take(limit).map(|s| render(s, &rctx, now, p.sys_attrs())).collect();
    let mut r = respond(StatusCode::OK, accept, &rctx, Value::Array(page));
    if p.count {
        r.headers_mut().insert("NGSILD-Results-Count", total.into());
    }
    // Paging links replace the context link (the body's names are core terms).
    if let Some(links) = crate::http::page_links("/ngsi-ld/v1/subscriptions", limit, offset, total) {
        r.headers_mut().insert(axum::http::header::LINK, links);
    }
    Ok(r)
}

async fn retrieve(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    req.check_tenant(&ctx).await?;
    if !is_uri(&id) {
        return Err(NgsiError::bad_data(format!("{id} is not a URI")));
    }
    let rctx = req.link_context(&b).await?;
    let p = crate::params::Params::parse(&req)?;
    let s = load(&ctx, &req.tenant, &id).await?.ok_or_else(|| NgsiError::not_found(format!("no subscription {id}")))?;
    Ok(respond(StatusCode::OK, accept, &rctx, render(&s, &rctx, b.now(&ctx), p.sys_attrs())))
}

async fn update(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    if !is_uri(&id) {
        return Err(NgsiError::bad_data(format!("{id} is not a URI")));
    }
    let (body, rctx) = req.json(&b).await?;
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("a subscription fragment is a JSON object"))?;
    if o.get("id").and_then(Value::as_str).is_some_and(|i| i != id) {
        return Err(NgsiError::bad_data("the id in the body differs from the one in the path"));
    }
    let now = b.now(&ctx);
    let txn = ctx.db.begin().await?;
    let mut s = match store::subscription(&txn, &req.tenant, &id).await? {
        Some(v) => serde_json::from_value::<Subscription>(v).map_err(|_| NgsiError::internal())?,
        None => return Err(NgsiError::not_found(format!("no subscription {id}"))),
    };
    let mut o = o.clone();
    o.remove("id");
    apply(&mut s, &o, &rctx, now, false)?;
    if o.contains_key("@context") || !rctx.is_core() {
        s.context = rctx.raw.clone();
    }
    s.modified_at = now;
    store::update_subscription(&txn, &req.tenant, &id, &to_json(&s)?, now).await?;
    txn.commit().await?;
    b.notifier.subscribed(&req.tenant, s);
    Ok(no_content())
}

async fn delete(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    if !is_uri(&id) {
        return Err(NgsiError::bad_data(format!("{id} is not a URI")));
    }
    if !store::delete_subscription(ctx.db.conn(), &req.tenant, &id).await? {
        return Err(NgsiError::not_found(format!("no subscription {id}")));
    }
    b.notifier.unsubscribed(&req.tenant, &id);
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_are_checked_and_render_back() {
        let c = RequestContext::core();
        let v = json!({
            "id": "urn:ngsi-ld:Subscription:1", "type": "Subscription",
            "entities": [{"type": "Building"}], "watchedAttributes": ["name"],
            "q": "name==\"Hall\"",
            "notification": {"attributes": ["name"], "format": "keyValues", "endpoint": {"uri": "http://127.0.0.1:8085/notify", "accept": "application/json"}}
        });
        let now = parse_time("2026-01-01T00:00:00Z").unwrap();
        let s = parse_new(&v, &c, now).unwrap();
        assert_eq!(s.watched, vec![c.expand("name")]);
        let r = render(&s, &c, now, false);
        assert_eq!(r["entities"], json!([{"type": "Building"}]));
        assert_eq!(r["notification"]["attributes"], json!(["name"]));
        assert_eq!(r["status"], json!("active"));
        let bad = |mut v: Value, k: &str, x: Value| {
            v[k] = x;
            parse_new(&v, &c, now).is_err()
        };
        assert!(bad(v.clone(), "type", json!("Nope")));
        assert!(bad(v.clone(), "entities", json!([])));
        assert!(bad(v.clone(), "q", json!("name==")));
        assert!(bad(v.clone(), "timeInterval", json!(10)), "timeInterval with watchedAttributes");
        assert!(bad(v.clone(), "expiresAt", json!("2000-01-01T00:00:00Z")));
        assert!(bad(v, "notification", json!({"endpoint": {"uri": "not a uri"}})));
    }
}
