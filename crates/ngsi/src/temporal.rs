//! The temporal evolution of entities (clauses 5.6.11–5.6.16, 5.7.3, 5.7.4):
//! /ngsi-ld/v1/temporal/entities, with time filters, lastN, the simplified
//! `temporalValues` form and aggregations per period. The sensor
//! platform's series answer from their stored rollups where one fits.

use crate::Broker;
use crate::context::RequestContext;
use crate::error::{NgsiError, NgsiResult};
use crate::http::{Accept, Caller, Req, created, no_content, respond};
use crate::model::{Attr, Kind, format_time, is_uri, parse_time};
use crate::params::Params;
use crate::parse::{self, Nulls};
use crate::render::{self, View};
use crate::select::{self, Selection};
use crate::store::{self, Instance};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use kernel::Ctx;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn router() -> Router<Ctx> {
    let r = Router::new();
    let r = crate::entities::both(r, "/ngsi-ld/v1/temporal/entities", get(query).post(create));
    let r = crate::entities::both(r, "/ngsi-ld/v1/temporal/entities/{id}", get(retrieve).delete(delete));
    let r = crate::entities::both(r, "/ngsi-ld/v1/temporal/entities/{id}/attrs", post(append));
    let r = crate::entities::both(r, "/ngsi-ld/v1/temporal/entities/{id}/attrs/{attr}", axum::routing::delete(delete_attribute));
    let r = crate::entities::both(
        r,
        "/ngsi-ld/v1/temporal/entities/{id}/attrs/{attr}/{instance}",
        axum::routing::patch(modify_instance).delete(delete_instance),
    );
    crate::entities::both(r, "/ngsi-ld/v1/temporal/entityOperations/query", post(query_post))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeRel {
    Before,
    After,
    Between,
}

/// Which instances, by time: relation, bounds (microseconds) and the time property used.
#[derive(Clone, Debug)]
pub struct TimeFilter {
    pub rel: Option<TimeRel>,
    pub at: i64,
    pub end: i64,
    pub property: String,
    pub last_n: Option<usize>,
}

impl TimeFilter {
    pub fn parse(
        timerel: Option<&str>,
        time_at: Option<&str>,
        end: Option<&str>,
        property: Option<&str>,
        last_n: Option<&str>,
    ) -> NgsiResult<TimeFilter> {
        let time = |k: &str, v: Option<&str>| -> NgsiResult<i64> {
            let v = v.ok_or_else(|| NgsiError::bad_data(format!("{k} is needed with this timerel")))?;
            parse_time(v).ok_or_else(|| NgsiError::bad_data(format!("{k} is not a date-time")))
        };
        let rel = match timerel {
            None => {
                if time_at.is_some() {
                    return Err(NgsiError::bad_data("timeAt needs a timerel"));
                }
                None
            }
            Some("before") => Some(TimeRel::Before),
            Some("after") => Some(TimeRel::After),
            Some("between") => Some(TimeRel::Between),
            Some(other) => return Err(NgsiError::bad_data(format!("timerel {other:?} is not before, after or between"))),
        };
        let at = if rel.is_some() { time("timeAt", time_at)? } else { 0 };
        let end = if rel == Some(TimeRel::Between) { time("endTimeAt", end)? } else { 0 };
        if rel == Some(TimeRel::Between) && end < at {
            return Err(NgsiError::bad_data("endTimeAt is before timeAt"));
        }
        let property = property.unwrap_or("observedAt").to_string();
        if !["observedAt", "createdAt", "modifiedAt", "deletedAt"].contains(&property.as_str()) {
            return Err(NgsiError::bad_data(format!("timeproperty {property:?} is not observedAt, createdAt, modifiedAt or deletedAt")));
        }
        let last_n = match last_n {
            None => None,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err(NgsiError::bad_data("lastN is a whole number above 0")),
            },
        };
        Ok(TimeFilter { rel, at, end, property, last_n })
    }

    fn time_of(&self, i: &Instance) -> Option<i64> {
        match self.property.as_str() {
            "createdAt" => Some(i.attr_value.created_at),
            "modifiedAt" => Some(i.attr_value.modified_at),
            "deletedAt" => i.deleted_at,
            _ => i.attr_value.observed_micros(),
        }
    }

    pub fn contains(&self, t: i64) -> bool {
        match self.rel {
            None => true,
            Some(TimeRel::Before) => t < self.at,
            Some(TimeRel::After) => t >= self.at,
            Some(TimeRel::Between) => t >= self.at && t < self.end,
        }
    }

    /// The time range to ask a source for.
    fn bounds(&self) -> (i64, i64) {
        match self.rel {
            None => (0, i64::MAX),
            Some(TimeRel::Before) => (0, self.at),
            Some(TimeRel::After) => (self.at, i64::MAX),
            Some(TimeRel::Between) => (self.at, self.end),
        }
    }
}

/// An ISO 8601 duration in microseconds (years and months as 365 and 30 days).
pub fn parse_duration(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total = 0f64;
    let mut any = false;
    let mut read = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                num.push(if c == ',' { '.' } else { c });
                continue;
            }
            let (_, secs) = units.iter().find(|(u, _)| *u == c)?;
            total += num.parse::<f64>().ok()? * secs;
            num.clear();
            any = true;
        }
        num.is_empty().then_some(())
    };
    read(date, &[('Y', 365.0 * 86400.0), ('M', 30.0 * 86400.0), ('W', 7.0 * 86400.0), ('D', 86400.0)])?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        read(t, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    any.then_some((total * 1e6) as i64)
}

const AGGR_METHODS: &[&str] = &["totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq"];

/// How the evolution is shown.
#[derive(Clone, Debug)]
enum Shape {
    Normalized,
    Values,
    Aggregated { methods: Vec<String>, period: Option<i64> },
}

fn shape(p: &Params) -> NgsiResult<Shape> {
    let aggregated = p.format.as_deref() == Some("aggregatedValues") || p.has_option("aggregatedValues");
    if aggregated {
        let methods = p.aggr_methods.clone().ok_or_else(|| NgsiError::bad_data("aggregatedValues needs aggrMethods"))?;
        for m in &methods {
            if !AGGR_METHODS.contains(&m.as_str()) {
                return Err(NgsiError::bad_data(format!("unknown aggregation method {m:?}")));
            }
        }
        let period = match p.aggr_period.as_deref() {
            None => None,
            Some(d) => match parse_duration(d) {
                Some(0) => None,
                Some(us) => Some(us),
                None => return Err(NgsiError::bad_data(format!("aggrPeriodDuration {d:?} is not an ISO 8601 duration"))),
            },
        };
        return Ok(Shape::Aggregated { methods, period });
    }
    let values = p.format.as_deref() == Some("temporalValues") || p.has_option("temporalValues") || p.form() == crate::render::Form::Simplified;
    Ok(if values { Shape::Values } else { Shape::Normalized })
}

/// One attribute's evolution: its instances, oldest first, with their ids and times.
struct Evolution {
    kind: Kind,
    items: Vec<(Attr, String, Option<i64>)>,
}

/// The instances of an entity in the time filter, by attribute and datasetId.
fn evolutions(instances: Vec<Instance>, tf: &TimeFilter, view: &View) -> BTreeMap<String, BTreeMap<Option<String>, Evolution>> {
    let mut out: BTreeMap<String, BTreeMap<Option<String>, Evolution>> = BTreeMap::new();
    for i in instances {
        if !view.wants(&i.attr) || (i.deleted_at.is_some() && tf.property != "deletedAt") {
            continue;
        }
        let Some(t) = tf.time_of(&i) else { continue };
        if !tf.contains(t) {
            continue;
        }
        let e = out
            .entry(i.attr.clone())
            .or_default()
            .entry(i.attr_value.dataset_id.clone())
            .or_insert(Evolution { kind: i.attr_value.kind, items: vec![] });
        let mut a = i.attr_value;
        a.deleted_at = a.deleted_at.or(i.deleted_at);
        e.items.push((a, i.instance_id, Some(t)));
    }
    for by_ds in out.values_mut() {
        for ev in by_ds.values_mut() {
            ev.items.sort_by_key(|(_, _, t)| *t);
            if let Some(n) = tf.last_n
                && ev.items.len() > n
            {
                ev.items.drain(..ev.items.len() - n);
            }
        }
    }
    out
}

fn render_evolution(ev: &Evolution, dataset: &Option<String>, shape: &Shape, tf: &TimeFilter, view: &View, ctx: &RequestContext) -> Value {
    match shape {
        Shape::Normalized => {
            let list: Vec<Value> = ev
                .items
                .iter()
                .map(|(a, id, _)| {
                    let mut v = render::instance(a, view, ctx);
                    if let Some(o) = v.as_object_mut() {
                        o.insert("instanceId".into(), json!(id));
                    }
                    v
                })
                .collect();
            // Always an array, even of one instance (the evolution is a list).
            Value::Array(list)
        }
        Shape::Values => {
            let pairs: Vec<Value> = ev
                .items
                .iter()
                .map(|(a, _, t)| json!([render::simple(a, view, ctx), t.map(format_time).or_else(|| a.observed_at.clone())]))
                .collect();
            let mut o = Map::new();
            o.insert("type".into(), json!(ev.kind.name()));
            o.insert(ev.kind.values_key().into(), Value::Array(pairs));
            if let Some(d) = dataset {
                o.insert("datasetId".into(), json!(d));
            }
            Value::Object(o)
        }
        Shape::Aggregated { methods, period } => {
            let points: Vec<(i64, Value)> = ev.items.iter().map(|(a, _, t)| (t.unwrap_or(0), a.value.clone())).collect();
            let mut o = Map::new();
            o.insert("type".into(), json!(ev.kind.name()));
            for (m, series) in aggregate(&points, methods, *period, tf) {
                o.insert(m, series);
            }
            if let Some(d) = dataset {
                o.insert("datasetId".into(), json!(d));
            }
            Value::Object(o)
        }
    }
}

/// The periods an aggregation covers: from the first value in steps of `period`.
fn periods(times: &[i64], period: Option<i64>, tf: &TimeFilter) -> Vec<(i64, i64)> {
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else { return vec![] };
    let start = *first;
    let end = match (tf.rel, period) {
        (Some(TimeRel::Between), None) => tf.end,
        (Some(TimeRel::Before), None) => tf.at,
        _ => last + 1,
    };
    match period {
        None => vec![(start, end.max(start + 1))],
        Some(p) => {
            // Whole periods from the first value (ETSI: start + period), to the last one.
            let mut out = vec![];
            let mut s = start;
            while s <= *last && out.len() < 100_000 {
                out.push((s, s + p));
                s += p;
            }
            out
        }
    }
}

pub fn aggregate(points: &[(i64, Value)], methods: &[String], period: Option<i64>, tf: &TimeFilter) -> Vec<(String, Value)> {
    let times: Vec<i64> = points.iter().map(|(t, _)| *t).collect();
    let buckets = periods(&times, period, tf);
    methods
        .iter()
        .map(|m| {
            let rows: Vec<Value> = buckets
                .iter()
                .filter_map(|(s, e)| {
                    let inside: Vec<&Value> = points.iter().filter(|(t, _)| t >= s && t < e).map(|(_, v)| v).collect();
                    let v = reduce(m, &inside)?;
                    Some(json!([v, format_time(*s), format_time(*e)]))
                })
                .collect();
            (m.clone(), Value::Array(rows))
        })
        .collect()
}

fn reduce(method: &str, values: &[&Value]) -> Option<Value> {
    let nums: Vec<f64> = values.iter().filter_map(|v| v.as_f64()).collect();
    let n = nums.len() as f64;
    match method {
        "totalCount" => Some(json!(values.len())),
        "distinctCount" => {
            let mut seen: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            seen.sort();
            seen.dedup();
            Some(json!(seen.len()))
        }
        _ if nums.is_empty() => None,
        "sum" => Some(json!(nums.iter().sum::<f64>())),
        "avg" => Some(json!(nums.iter().sum::<f64>() / n)),
        "min" => Some(json!(nums.iter().cloned().fold(f64::INFINITY, f64::min))),
        "max" => Some(json!(nums.iter().cloned().fold(f64::NEG_INFINITY, f64::max))),
        "sumsq" => Some(json!(nums.iter().map(|x| x * x).sum::<f64>())),
        "stddev" => {
            let mean = nums.iter().sum::<f64>() / n;
            Some(json!((nums.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()))
        }
        _ => None,
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 { json!(x as i64) } else { json!(x) }
}

/// A temporal entity ready to render: id, types and its evolutions.
struct Temporal {
    id: String,
    types: Vec<String>,
    scopes: Vec<String>,
    attrs: BTreeMap<String, Value>,
}

fn render_temporal(t: &Temporal, ctx: &RequestContext, view: &View) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(t.id));
    o.insert("type".into(), render::types_value(&t.types, ctx));
    if !t.scopes.is_empty() {
        o.insert("scope".into(), if t.scopes.len() == 1 { json!(t.scopes[0]) } else { json!(t.scopes) });
    }
    for (name, v) in &t.attrs {
        o.insert(ctx.compact(name), v.clone());
    }
    let _ = view;
    Value::Object(o)
}

async fn own_temporal(
    ctx: &Ctx,
    tenant: &str,
    te: &store::TemporalEntity,
    tf: &TimeFilter,
    shape: &Shape,
    view: &View,
    rctx: &RequestContext,
) -> NgsiResult<Temporal> {
    let instances = store::instances(ctx.db.conn(), tenant, &te.id, view.attrs.as_deref().unwrap_or(&[])).await?;
    let mut attrs = BTreeMap::new();
    for (name, by_ds) in evolutions(instances, tf, view) {
        let rendered: Vec<Value> = by_ds.iter().map(|(ds, ev)| render_evolution(ev, ds, shape, tf, view, rctx)).collect();
        let v = match (shape, rendered.len()) {
            (Shape::Normalized, _) => Value::Array(rendered.into_iter().flat_map(|v| if let Value::Array(a) = v { a } else { vec![v] }).collect()),
            (_, 1) => rendered.into_iter().next().unwrap_or(Value::Null),
            _ => Value::Array(rendered),
        };
        attrs.insert(name, v);
    }
    Ok(Temporal { id: te.id.clone(), types: te.types.clone(), scopes: te.scopes.clone(), attrs })
}

/// A source entity's evolution from its time series (rollups for aggregations where a period fits).
async fn source_temporal(
    ctx: &Ctx,
    b: &Broker,
    caller: &Caller,
    e: &crate::model::Entity,
    tf: &TimeFilter,
    shape: &Shape,
    view: &View,
) -> NgsiResult<Temporal> {
    let Some(src) = b.source_of(ctx, store::DEFAULT_TENANT, &e.id).await? else {
        return Ok(Temporal { id: e.id.clone(), types: e.types.clone(), scopes: vec![], attrs: BTreeMap::new() });
    };
    let wanted: Vec<String> = e
        .attrs
        .iter()
        .filter(|(n, l)| view.wants(n) && l.iter().any(|a| a.kind == Kind::Property && a.value.is_number()))
        .map(|(n, _)| n.clone())
        .collect();
    let (from, to) = tf.bounds();
    let mut attrs = BTreeMap::new();
    if let Shape::Aggregated { methods, period: Some(p) } = shape
        && src.rollup_periods().contains(&(p / 1_000_000))
        && methods.iter().all(|m| ["totalCount", "sum", "avg", "min", "max"].contains(&m.as_str()))
    {
        for a in &wanted {
            if let Some(buckets) = src.rollups(ctx, caller, &e.id, a, crate::source::Window { period: p / 1_000_000, from, to }).await? {
                let mut o = Map::new();
                o.insert("type".into(), json!("Property"));
                for m in methods {
                    let rows: Vec<Value> = buckets
                        .iter()
                        .filter(|bk| bk.count > 0)
                        .map(|bk| {
                            let v = match m.as_str() {
                                "totalCount" => json!(bk.count),
                                "sum" => json!(bk.sum),
                                "avg" => json!(bk.sum / bk.count as f64),
                                "min" => json!(bk.min),
                                _ => json!(bk.max),
                            };
                            json!([v, format_time(bk.start), format_time(bk.end)])
                        })
                        .collect();
                    o.insert(m.clone(), Value::Array(rows));
                }
                attrs.insert(a.clone(), Value::Object(o));
            }
        }
        return Ok(Temporal { id: e.id.clone(), types: e.types.clone(), scopes: vec![], attrs });
    }
    for s in src.series(ctx, caller, &e.id, &wanted, from, to).await? {
        let mut items: Vec<(Attr, String, Option<i64>)> = s
            .points
            .iter()
            .filter(|(t, _)| tf.contains(*t))
            .map(|(t, v)| {
                let mut a = Attr::new(Kind::Property, number(*v), *t);
                a.observed_at = Some(format_time(*t));
                a.unit_code = s.unit_code.clone();
                (a, format!("urn:ngsi-ld:Instance:{}:{t}", s.attr.len()), Some(*t))
            })
            .collect();
        if let Some(n) = tf.last_n
            && items.len() > n
        {
            items.drain(..items.len() - n);
        }
        if items.is_empty() {
            continue;
        }
        let ev = Evolution { kind: Kind::Property, items };
        let rctx = RequestContext::core();
        attrs.insert(s.attr.clone(), render_evolution(&ev, &None, shape, tf, view, &rctx));
    }
    Ok(Temporal { id: e.id.clone(), types: e.types.clone(), scopes: vec![], attrs })
}

struct TemporalQuery {
    sel: Selection,
    tf: TimeFilter,
    shape: Shape,
    view: View,
}

fn temporal_query(p: &Params, rctx: &RequestContext, sel: Selection) -> NgsiResult<TemporalQuery> {
    let tf = TimeFilter::parse(p.timerel.as_deref(), p.time_at.as_deref(), p.end_time_at.as_deref(), p.timeproperty.as_deref(), p.last_n.as_deref())?;
    Ok(TemporalQuery { sel, tf, shape: shape(p)?, view: p.view(rctx)? })
}

async fn run(ctx: &Ctx, b: &Broker, req: &Req, q: &TemporalQuery, rctx: &RequestContext) -> NgsiResult<Vec<Temporal>> {
    let mut out = vec![];
    for te in store::temporal_entities(ctx.db.conn(), &req.tenant).await? {
        let probe = crate::model::Entity {
            id: te.id.clone(),
            types: te.types.clone(),
            scopes: te.scopes.clone(),
            created_at: te.created_at,
            modified_at: te.modified_at,
            attrs: BTreeMap::new(),
        };
        let only_identity = Selection {
            ids: q.sel.ids.clone(),
            id_pattern: q.sel.id_pattern.clone(),
            types: q.sel.types.clone(),
            scope_q: q.sel.scope_q.clone(),
            ..Selection::default()
        };
        if !only_identity.matches(&probe, rctx) {
            continue;
        }
        if q.sel.q.is_some() || q.sel.geo.is_some() || q.sel.attrs.is_some() {
            // Filters on values apply to the entity as it is now.
            match store::get_entity(ctx.db.conn(), &req.tenant, &te.id).await? {
                Some(now) if q.sel.matches(&now, rctx) => {}
                _ => continue,
            }
        }
        out.push(own_temporal(ctx, &req.tenant, &te, &q.tf, &q.shape, &q.view, rctx).await?);
    }
    if req.tenant == store::DEFAULT_TENANT && !b.sources.is_empty() && (q.sel.types.is_some() || !q.sel.ids.is_empty()) {
        let current = select::select(ctx, b, &req.caller, &req.tenant, &q.sel, rctx).await?;
        for e in &current {
            if b.source_of(ctx, &req.tenant, &e.id).await?.is_some() {
                out.push(source_temporal(ctx, b, &req.caller, e, &q.tf, &q.shape, &q.view).await?);
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

async fn query(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let sel = Selection::from_params(&p, &rctx)?;
    if sel.is_empty() && !p.local {
        return Err(NgsiError::bad_data("a temporal query needs at least one of id, idPattern, type, attrs, q, a geo-query or scopeQ"));
    }
    let q = temporal_query(&p, &rctx, sel)?;
    respond_list(&ctx, &b, &req, &p, &q, accept, &rctx).await
}

async fn respond_list(
    ctx: &Ctx,
    b: &Broker,
    req: &Req,
    p: &Params,
    q: &TemporalQuery,
    accept: Accept,
    rctx: &RequestContext,
) -> NgsiResult<Response> {
    let (limit, offset) = p.page(b.config.max_limit)?;
    let all = run(ctx, b, req, q, rctx).await?;
    let total = all.len();
    let body: Vec<Value> = all.iter().skip(offset).take(limit).map(|t| render_temporal(t, rctx, &q.view)).collect();
    let mut r = respond(StatusCode::OK, accept, rctx, Value::Array(body));
    if p.count {
        r.headers_mut().insert("NGSILD-Results-Count", total.into());
    }
    Ok(r)
}

async fn query_post(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    req.check_tenant(&ctx).await?;
    let (body, rctx) = req.json(&b).await?;
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("a query is a JSON object"))?;
    let mut p = Params::parse(&req)?;
    if let Some(t) = o.get("temporalQ") {
        let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
        p.timerel = s("timerel");
        p.time_at = s("timeAt");
        p.end_time_at = s("endTimeAt");
        p.timeproperty = s("timeproperty");
        p.last_n = t.get("lastN").map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
    }
    let (mut sel, alternatives) = crate::batch::selection_of(o, &rctx, &mut p, true)?;
    if let Some((ids, pattern, types)) = alternatives.into_iter().next() {
        sel.ids = ids;
        sel.id_pattern = pattern;
        sel.types = types;
    }
    let q = temporal_query(&p, &rctx, sel)?;
    respond_list(&ctx, &b, &req, &p, &q, accept, &rctx).await
}

async fn retrieve(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    if !is_uri(&id) {
        return Err(NgsiError::bad_data(format!("{id} is not a URI")));
    }
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let q = temporal_query(&p, &rctx, Selection { ids: vec![id.clone()], ..Selection::default() })?;
    let t = match store::temporal_entity(ctx.db.conn(), &req.tenant, &id).await? {
        Some(te) => own_temporal(&ctx, &req.tenant, &te, &q.tf, &q.shape, &q.view, &rctx).await?,
        None => match select::one(&ctx, &b, &req.caller, &req.tenant, &id).await? {
            Some(e) if b.source_of(&ctx, &req.tenant, &id).await?.is_some() => {
                source_temporal(&ctx, &b, &req.caller, &e, &q.tf, &q.shape, &q.view).await?
            }
            _ => return Err(NgsiError::not_found(format!("no temporal evolution of {id}"))),
        },
    };
    Ok(respond(StatusCode::OK, accept, &rctx, render_temporal(&t, &rctx, &q.view)))
}

/// The instances a temporal payload holds, by attribute (every element of an array is an instance).
fn instances_of(o: &Map<String, Value>, rctx: &RequestContext, now: i64) -> NgsiResult<Vec<(String, Attr)>> {
    let mut out = vec![];
    for (name, v) in o {
        if matches!(name.as_str(), "id" | "type" | "@context" | "scope" | "createdAt" | "modifiedAt") {
            continue;
        }
        let iri = parse::attribute_name(name, rctx)?;
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for i in items {
            for a in parse::attribute(name, i, rctx, now, Nulls::Refuse)? {
                out.push((iri.clone(), a));
            }
        }
    }
    Ok(out)
}

async fn create(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let (body, rctx) = req.json(&b).await?;
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("a temporal entity is a JSON object"))?;
    let id = parse::entity_id(o.get("id"))?;
    let types = parse::entity_types(o.get("type"), &rctx)?;
    let scopes = match o.get("scope") {
        Some(s) => parse::scopes(s)?,
        None => vec![],
    };
    let now = b.now(&ctx);
    let items = instances_of(o, &rctx, now)?;
    let txn = ctx.db.begin().await?;
    store::ensure_tenant(&txn, &req.tenant, ctx.now().0).await?;
    let fresh = store::upsert_temporal_entity(&txn, &req.tenant, &id, &types, &scopes, now).await?;
    for (name, a) in &items {
        store::add_instance(&txn, &req.tenant, &id, name, a, None).await?;
    }
    crate::service::fold_into_current(&txn, &req.tenant, &id, &types, &scopes, &items, now).await?;
    txn.commit().await?;
    Ok(if fresh { created(&format!("/ngsi-ld/v1/temporal/entities/{id}")) } else { no_content() })
}

async fn append(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    if !is_uri(&id) {
        return Err(NgsiError::bad_data(format!("{id} is not a URI")));
    }
    let (body, rctx) = req.json(&b).await?;
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("a temporal fragment is a JSON object"))?;
    let now = b.now(&ctx);
    let items = instances_of(o, &rctx, now)?;
    let txn = ctx.db.begin().await?;
    let Some(te) = store::temporal_entity(&txn, &req.tenant, &id).await? else {
        return Err(NgsiError::not_found(format!("no temporal evolution of {id}")));
    };
    for (name, a) in &items {
        store::add_instance(&txn, &req.tenant, &id, name, a, None).await?;
    }
    store::upsert_temporal_entity(&txn, &req.tenant, &id, &te.types, &te.scopes, now).await?;
    crate::service::fold_into_current(&txn, &req.tenant, &id, &te.types, &te.scopes, &items, now).await?;
    txn.commit().await?;
    Ok(no_content())
}

async fn delete(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    if !is_uri(&id) {
        return Err(NgsiError::bad_data(format!("{id} is not a URI")));
    }
    // The entity goes with its history (it came from it, or its history came from it).
    let txn = ctx.db.begin().await?;
    if !store::delete_temporal_entity(&txn, &req.tenant, &id).await? {
        return Err(NgsiError::not_found(format!("no temporal evolution of {id}")));
    }
    store::delete_entity(&txn, &req.tenant, &id).await?;
    txn.commit().await?;
    Ok(no_content())
}

async fn delete_attribute(
    State(ctx): State<Ctx>,
    Extension(b): Extension<Broker>,
    Path((id, attr)): Path<(String, String)>,
    req: Req,
) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let name = rctx.expand(&attr);
    let dataset = p.dataset_id.as_ref().and_then(|d| d.first().cloned());
    let scope = if p.delete_all { None } else { Some(dataset.unwrap_or_default()) };
    let n = store::delete_attr_history(ctx.db.conn(), &req.tenant, &id, &name, scope.as_deref()).await?;
    if n == 0 {
        return Err(NgsiError::not_found(format!("{id} has no evolution of {attr}")));
    }
    Ok(no_content())
}

async fn modify_instance(
    State(ctx): State<Ctx>,
    Extension(b): Extension<Broker>,
    Path((id, attr, instance)): Path<(String, String, String)>,
    req: Req,
) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let (body, rctx) = req.json(&b).await?;
    let name = rctx.expand(&attr);
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("an instance fragment is a JSON object"))?;
    let v = o.get(&attr).cloned().unwrap_or_else(|| body.clone());
    let v = match v {
        Value::Array(mut a) if a.len() == 1 => a.remove(0),
        other => other,
    };
    let now = b.now(&ctx);
    let mut list = parse::attribute(&attr, &v, &rctx, now, Nulls::Refuse)?;
    let new = list.pop().ok_or_else(|| NgsiError::bad_data("no instance given"))?;
    let txn = ctx.db.begin().await?;
    let Some(old) = store::instance(&txn, &req.tenant, &instance).await?.filter(|i| i.entity_id == id && i.attr == name) else {
        return Err(NgsiError::not_found(format!("no instance {instance} of {attr} of {id}")));
    };
    let mut merged = crate::service::merge_instance(&old.attr_value, &new, now);
    merged.created_at = old.attr_value.created_at;
    store::replace_instance(&txn, &req.tenant, &instance, &merged).await?;
    txn.commit().await?;
    Ok(no_content())
}

async fn delete_instance(
    State(ctx): State<Ctx>,
    Extension(b): Extension<Broker>,
    Path((id, attr, instance)): Path<(String, String, String)>,
    req: Req,
) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let rctx = req.link_context(&b).await?;
    let name = rctx.expand(&attr);
    if !store::delete_instance(ctx.db.conn(), &req.tenant, &id, &name, &instance).await? {
        return Err(NgsiError::not_found(format!("no instance {instance} of {attr} of {id}")));
    }
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H"), Some(3_600_000_000));
        assert_eq!(parse_duration("P1D"), Some(86_400_000_000));
        assert_eq!(parse_duration("P1DT12H30M"), Some((86400 + 12 * 3600 + 30 * 60) * 1_000_000));
        assert_eq!(parse_duration("PT0.5S"), Some(500_000));
        assert_eq!(parse_duration("P0D"), Some(0));
        assert!(parse_duration("1H").is_none() && parse_duration("PT").is_none() && parse_duration("P1X").is_none());
    }

    #[test]
    fn aggregation_with_a_known_answer() {
        let h = 3_600_000_000i64;
        let points: Vec<(i64, Value)> = [(0, 1.0), (h / 2, 3.0), (h, 10.0), (h + 1, 20.0)].iter().map(|(t, v)| (*t, json!(v))).collect();
        let tf = TimeFilter::parse(Some("between"), Some("1970-01-01T00:00:00Z"), Some("1970-01-01T02:00:00Z"), None, None).unwrap();
        let m: Vec<String> = ["avg", "max", "totalCount", "sum", "stddev"].map(String::from).to_vec();
        let out: BTreeMap<String, Value> = aggregate(&points, &m, Some(h), &tf).into_iter().collect();
        assert_eq!(
            out["avg"],
            json!([[2.0, "1970-01-01T00:00:00Z", "1970-01-01T01:00:00Z"], [15.0, "1970-01-01T01:00:00Z", "1970-01-01T02:00:00Z"]])
        );
        assert_eq!(out["max"][1][0], json!(20.0));
        assert_eq!(out["totalCount"][0][0], json!(2));
        assert_eq!(out["sum"][1][0], json!(30.0));
        assert_eq!(out["stddev"][0][0], json!(1.0));
        let whole: BTreeMap<String, Value> = aggregate(&points, &["min".to_string()], None, &tf).into_iter().collect();
        assert_eq!(whole["min"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn time_filters() {
        let tf = TimeFilter::parse(Some("before"), Some("2024-01-01T00:00:00Z"), None, None, None).unwrap();
        assert!(tf.contains(parse_time("2023-12-31T23:59:59Z").unwrap()) && !tf.contains(parse_time("2024-01-01T00:00:00Z").unwrap()));
        assert!(TimeFilter::parse(Some("between"), Some("2024-01-01T00:00:00Z"), None, None, None).is_err());
        assert!(TimeFilter::parse(Some("during"), Some("2024-01-01T00:00:00Z"), None, None, None).is_err());
        assert!(TimeFilter::parse(None, None, None, Some("nonsense"), None).is_err());
        assert!(TimeFilter::parse(None, None, None, None, Some("0")).is_err());
    }
}
