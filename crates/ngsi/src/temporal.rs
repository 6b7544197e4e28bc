//! The temporal evolution of entities (clauses 5.6.11–5.6.16, 5.7.3, 5.7.4):
//! /ngsi-ld/v1/temporal/entities, with time filters, lastN, the simplified
//! `temporalValues` form and aggregations per period. The sensor
//! platform's series answer from their stored rollups where one fits.

use crate::Broker;
use crate::context::RequestContext;
use crate::entities::{check_id, path_attribute};
use crate::error::{ErrorKind, NgsiError, NgsiResult};
use crate::http::{Accept, Caller, Req, created, no_content, respond};
use crate::model::{Attr, Entity, Kind, format_time, parse_time};
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
use std::collections::{BTreeMap, BTreeSet};

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

/// The scope's evolution is kept as a temporal Property of this name (clause 4.5.6).
pub const SCOPE: &str = "https://uri.etsi.org/ngsi-ld/scope";

/// How the evolution is shown.
#[derive(Clone, Debug)]
enum Shape {
    Normalized,
    Values,
    Aggregated { methods: Vec<String>, period: Option<i64> },
}

/// The representation asked for: `format` wins over `options`; aggregation
/// methods and periods are checked whenever they are given.
fn shape(p: &Params) -> NgsiResult<Shape> {
    let methods = p.aggr_methods.clone().filter(|m| !m.is_empty());
    for m in methods.iter().flatten() {
        if !AGGR_METHODS.contains(&m.as_str()) {
            return Err(NgsiError::bad_data(format!("unknown aggregation method {m:?} in aggrMethods")));
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
    let aggregated = match p.format.as_deref() {
        Some(f) => f == "aggregatedValues",
        None => p.has_option("aggregatedValues") || (methods.is_some() && !p.has_option("temporalValues")),
    };
    if aggregated {
        let methods = methods.ok_or_else(|| NgsiError::bad_data("aggregatedValues needs aggrMethods"))?;
        return Ok(Shape::Aggregated { methods, period });
    }
    let values = match p.format.as_deref() {
        Some(f) => f == "temporalValues" || f == "simplified" || f == "keyValues",
        None => p.has_option("temporalValues") || p.form() == crate::render::Form::Simplified,
    };
    Ok(if values { Shape::Values } else { Shape::Normalized })
}

/// One attribute's evolution: its instances, oldest first, with their ids and times.
struct Evolution {
    kind: Kind,
    items: Vec<(Attr, String, i64)>,
}

type Evolutions = BTreeMap<String, BTreeMap<Option<String>, Evolution>>;

/// One entity's evolution, chosen but not yet paginated or rendered.
struct Temporal {
    id: String,
    types: Vec<String>,
    evolutions: Evolutions,
    /// Aggregations a source answered from its stored rollups, rendered.
    rolled_up: BTreeMap<String, Value>,
    /// Attributes with instances at any time, before the time filter.
    known: BTreeSet<String>,
    /// Whether any instance is in the time filter, before pick and omit.
    in_window: bool,
}

impl Temporal {
    fn is_empty(&self) -> bool {
        self.evolutions.is_empty() && self.rolled_up.is_empty()
    }

    /// Nothing of it survives pick or omit.
    fn nothing_left(&self, view: &View) -> bool {
        !view.keep_id && !view.keep_type && self.is_empty()
    }
}

/// The instances of an entity in the time filter, by attribute and datasetId,
/// and the names of all attributes it has instances of.
fn evolutions(instances: Vec<Instance>, tf: &TimeFilter, view: &View) -> (Evolutions, BTreeSet<String>, bool) {
    let mut out: Evolutions = BTreeMap::new();
    let mut known = BTreeSet::new();
    let mut in_window = false;
    // The scope valid when the window opens was set before it (annex C.5.16).
    let mut scope_before: Option<(Attr, String, i64)> = None;
    for i in instances {
        known.insert(i.attr.clone());
        if i.deleted_at.is_none() && i.attr != SCOPE && tf.time_of(&i).is_some_and(|t| tf.contains(t)) {
            in_window = true;
        }
        if !view.wants(&i.attr) || !view.wants_instance(&i.attr_value) || (i.deleted_at.is_some() && tf.property != "deletedAt") {
            continue;
        }
        let Some(t) = tf.time_of(&i) else { continue };
        let mut a = i.attr_value;
        a.deleted_at = a.deleted_at.or(i.deleted_at);
        if !tf.contains(t) {
            if i.attr == SCOPE
                && matches!(tf.rel, Some(TimeRel::After | TimeRel::Between))
                && t < tf.at
                && scope_before.as_ref().is_none_or(|s| s.2 < t)
            {
                scope_before = Some((a, i.instance_id, t));
            }
            continue;
        }
        out.entry(i.attr.clone()).or_default().entry(a.dataset_id.clone()).or_insert(Evolution { kind: a.kind, items: vec![] }).items.push((
            a,
            i.instance_id,
            t,
        ));
    }
    if let Some(s) = scope_before {
        out.entry(SCOPE.to_string()).or_default().entry(None).or_insert(Evolution { kind: Kind::Property, items: vec![] }).items.push(s);
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
    (out, known, in_window)
}

/// When the entity held a scope that `scopeQ` matches (clause 4.18): each scope
/// instance holds from its time until the next one.
fn scope_intervals(history: &[Instance], scope_q: &str) -> Vec<(i64, i64)> {
    let mut changes: Vec<(i64, Vec<String>)> = history
        .iter()
        .map(|i| {
            let at = i.deleted_at.or(i.attr_value.observed_micros()).unwrap_or(i.attr_value.created_at);
            let scopes = if i.deleted_at.is_some() { vec![] } else { parse::scopes(&i.attr_value.value).unwrap_or_default() };
            (at, scopes)
        })
        .collect();
    changes.sort_by_key(|(at, _)| *at);
    let mut out = vec![];
    for (n, (at, scopes)) in changes.iter().enumerate() {
        let until = changes.get(n + 1).map(|(t, _)| *t).unwrap_or(i64::MAX);
        if !scopes.is_empty() && crate::query::scope_matches(scope_q, scopes) {
            out.push((*at, until));
        }
    }
    out
}

/// Temporal pagination (clause 6.3.10): when more instances were chosen than one
/// response carries, keep those of one time range (for every attribute of every
/// entity alike) and say which range in `Content-Range`. Without lastN the range
/// starts at the oldest instance, with lastN at the newest and runs backwards.
fn paginate(list: &mut [Temporal], tf: &TimeFilter, limit: usize) -> Option<String> {
    let mut times: Vec<i64> =
        list.iter().flat_map(|t| t.evolutions.values().flat_map(|d| d.values()).flat_map(|e| e.items.iter().map(|i| i.2))).collect();
    if times.len() <= limit || limit == 0 {
        return None;
    }
    times.sort_unstable();
    let newest_first = tf.last_n.is_some();
    let cut = if newest_first { times[times.len() - limit] } else { times[limit - 1] };
    for t in list.iter_mut() {
        for ev in t.evolutions.values_mut().flat_map(|d| d.values_mut()) {
            ev.items.retain(|i| if newest_first { i.2 >= cut } else { i.2 <= cut });
        }
    }
    let (start, size) = if newest_first {
        let start = match tf.rel {
            Some(TimeRel::Before) => tf.at,
            Some(TimeRel::Between) => tf.end,
            _ => times[times.len() - 1],
        };
        (start, tf.last_n.map(|n| n.to_string()).unwrap_or_else(|| "*".into()))
    } else {
        let start = match tf.rel {
            Some(TimeRel::After | TimeRel::Between) => tf.at,
            _ => times[0],
        };
        (start, "*".to_string())
    };
    Some(format!("date-time {}-{}/{}", format_time(start), format_time(cut), size))
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
            let pairs: Vec<Value> = ev.items.iter().map(|(a, _, t)| json!([temporal_value(a, view, ctx), format_time(*t)])).collect();
            let mut o = Map::new();
            o.insert("type".into(), json!(ev.kind.name()));
            o.insert(ev.kind.values_key().into(), Value::Array(pairs));
            if let Some(d) = dataset {
                o.insert("datasetId".into(), json!(d));
            }
            Value::Object(o)
        }
        Shape::Aggregated { methods, period } => {
            let points: Vec<(i64, Value)> = ev.items.iter().map(|(a, _, t)| (*t, a.value.clone())).collect();
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

/// A value in the simplified temporal representation (clause 4.5.9): as in the
/// simplified entity, but a vocabulary term says it is one.
fn temporal_value(a: &Attr, view: &View, ctx: &RequestContext) -> Value {
    match a.kind {
        Kind::VocabProperty => json!({"vocab": render::simple(a, view, ctx)}),
        _ => render::simple(a, view, ctx),
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

fn render_temporal(t: &Temporal, q: &TemporalQuery, ctx: &RequestContext) -> Value {
    let mut o = Map::new();
    if q.view.keep_id {
        o.insert("id".into(), json!(t.id));
    }
    if q.view.keep_type {
        o.insert("type".into(), render::types_value(&t.types, ctx));
    }
    for (name, by_ds) in &t.evolutions {
        let rendered: Vec<Value> = by_ds.iter().map(|(ds, ev)| render_evolution(ev, ds, &q.shape, &q.tf, &q.view, ctx)).collect();
        let v = match (&q.shape, rendered.len()) {
            (Shape::Normalized, _) => Value::Array(rendered.into_iter().flat_map(|v| if let Value::Array(a) = v { a } else { vec![v] }).collect()),
            (_, 1) => rendered.into_iter().next().unwrap_or(Value::Null),
            _ => Value::Array(rendered),
        };
        o.insert(ctx.compact(name), v);
    }
    for (name, v) in &t.rolled_up {
        o.insert(ctx.compact(name), v.clone());
    }
    Value::Object(o)
}

async fn own_temporal(ctx: &Ctx, tenant: &str, te: &store::TemporalEntity, q: &TemporalQuery) -> NgsiResult<Temporal> {
    let instances = store::instances(ctx.db.conn(), tenant, &te.id, q.view.attrs.as_deref().unwrap_or(&[])).await?;
    let (evolutions, known, in_window) = evolutions(instances, &q.tf, &q.view);
    Ok(Temporal { id: te.id.clone(), types: te.types.clone(), evolutions, rolled_up: BTreeMap::new(), known, in_window })
}

/// A source entity's evolution from its time series (rollups for aggregations where a period fits).
async fn source_temporal(ctx: &Ctx, b: &Broker, caller: &Caller, e: &crate::model::Entity, q: &TemporalQuery) -> NgsiResult<Temporal> {
    let mut t = Temporal {
        id: e.id.clone(),
        types: e.types.clone(),
        evolutions: BTreeMap::new(),
        rolled_up: BTreeMap::new(),
        known: BTreeSet::new(),
        in_window: false,
    };
    let Some(src) = b.source_of(ctx, store::DEFAULT_TENANT, &e.id).await? else {
        return Ok(t);
    };
    let (tf, view) = (&q.tf, &q.view);
    let wanted: Vec<String> = e
        .attrs
        .iter()
        .filter(|(n, l)| view.wants(n) && l.iter().any(|a| a.kind == Kind::Property && a.value.is_number()))
        .map(|(n, _)| n.clone())
        .collect();
    let (from, to) = tf.bounds();
    if let Shape::Aggregated { methods, period: Some(p) } = &q.shape
        && src.rollup_periods().contains(&(p / 1_000_000))
        && methods.iter().all(|m| ["totalCount", "sum", "avg", "min", "max"].contains(&m.as_str()))
    {
        for a in &wanted {
            let Some(buckets) = src.rollups(ctx, caller, &e.id, a, crate::source::Window { period: p / 1_000_000, from, to }).await? else {
                continue;
            };
            t.known.insert(a.clone());
            t.in_window |= buckets.iter().any(|bk| bk.count > 0);
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
            t.rolled_up.insert(a.clone(), Value::Object(o));
        }
        return Ok(t);
    }
    for s in src.series(ctx, caller, &e.id, &wanted, from, to).await? {
        t.known.insert(s.attr.clone());
        let mut items: Vec<(Attr, String, i64)> = s
            .points
            .iter()
            .filter(|(at, _)| tf.contains(*at))
            .map(|(at, v)| {
                let mut a = Attr::new(Kind::Property, number(*v), *at);
                a.observed_at = Some(format_time(*at));
                a.unit_code = s.unit_code.clone();
                (a, format!("urn:ngsi-ld:Instance:{}:{at}", s.attr.len()), *at)
            })
            .collect();
        if let Some(n) = tf.last_n
            && items.len() > n
        {
            items.drain(..items.len() - n);
        }
        t.in_window |= !items.is_empty();
        if !items.is_empty() {
            t.evolutions.entry(s.attr.clone()).or_default().insert(None, Evolution { kind: Kind::Property, items });
        }
    }
    Ok(t)
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

/// The temporal entities a query chooses, each with the entity as it is now (for ordering).
async fn run(ctx: &Ctx, b: &Broker, req: &Req, q: &TemporalQuery, rctx: &RequestContext) -> NgsiResult<Vec<(Temporal, Option<Entity>)>> {
    let mut out = vec![];
    let only_identity =
        Selection { ids: q.sel.ids.clone(), id_pattern: q.sel.id_pattern.clone(), types: q.sel.types.clone(), ..Selection::default() };
    for te in store::temporal_entities(ctx.db.conn(), &req.tenant).await? {
        let probe = Entity {
            id: te.id.clone(),
            types: te.types.clone(),
            scopes: te.scopes.clone(),
            created_at: te.created_at,
            modified_at: te.modified_at,
            attrs: BTreeMap::new(),
        };
        if !only_identity.matches(&probe, rctx) {
            continue;
        }
        // scopeQ: the scopes the entity held in the time range, and only the instances of then.
        let held = match &q.sel.scope_q {
            None => None,
            Some(sq) => {
                let history = store::instances(ctx.db.conn(), &req.tenant, &te.id, &[SCOPE.to_string()]).await?;
                let held = if history.is_empty() { vec![(0, i64::MAX)] } else { scope_intervals(&history, sq) };
                let (from, to) = q.tf.bounds();
                let current_only = history.is_empty() && !crate::query::scope_matches(sq, &te.scopes);
                if current_only || !held.iter().any(|(s, e)| *s < to && *e > from) {
                    continue;
                }
                Some(held)
            }
        };
        let now = store::get_entity(ctx.db.conn(), &req.tenant, &te.id).await?;
        if q.sel.q.is_some() || q.sel.geo.is_some() || q.sel.attrs.is_some() {
            // Filters on values apply to the entity as it is now.
            match &now {
                Some(e) if q.sel.matches(e, rctx) => {}
                _ => continue,
            }
        }
        let mut t = own_temporal(ctx, &req.tenant, &te, q).await?;
        if let Some(held) = held {
            let mut left = false;
            for (name, ev) in t.evolutions.iter_mut().flat_map(|(n, d)| d.values_mut().map(move |e| (n, e))) {
                if name != SCOPE {
                    ev.items.retain(|i| held.iter().any(|(s, e)| i.2 >= *s && i.2 < *e));
                    left |= !ev.items.is_empty();
                }
            }
            // (A pick of id or type alone keeps no instances to tell by.)
            t.in_window &= left || q.view.attrs.as_ref().is_some_and(Vec::is_empty);
        }
        out.push((t, Some(now.unwrap_or(probe))));
    }
    if req.tenant == store::DEFAULT_TENANT && !b.sources.is_empty() && (q.sel.types.is_some() || !q.sel.ids.is_empty()) {
        let current = select::select(ctx, b, &req.caller, &req.tenant, &q.sel, rctx).await?;
        for e in current {
            if b.source_of(ctx, &req.tenant, &e.id).await?.is_some() {
                out.push((source_temporal(ctx, b, &req.caller, &e, q).await?, Some(e)));
            }
        }
    }
    // A time filter chooses entities by their instances in it; pick and omit by what is left.
    out.retain(|(t, _)| (q.tf.rel.is_none() || t.in_window) && !t.nothing_left(&q.view));
    Ok(out)
}

async fn query(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let sel = Selection::from_params(&p, &rctx)?;
    if !sel.narrows() && !p.local {
        return Err(NgsiError::bad_data("a temporal query needs at least one of type, attrs, q, a geo-query or scopeQ"));
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
    let ordering = p.ordering(rctx)?;
    let mut all = run(ctx, b, req, q, rctx).await?;
    match ordering {
        Some(order) => {
            let mut current: Vec<Entity> = all.iter().filter_map(|(_, e)| e.clone()).collect();
            crate::query::sort(&mut current, &order);
            let rank: BTreeMap<&str, usize> = current.iter().enumerate().map(|(i, e)| (e.id.as_str(), i)).collect();
            all.sort_by_key(|(t, _)| rank.get(t.id.as_str()).copied().unwrap_or(usize::MAX));
        }
        None => all.sort_by(|a, b| a.0.id.cmp(&b.0.id)),
    }
    let total = all.len();
    let mut page: Vec<Temporal> = all.into_iter().skip(offset).take(limit).map(|(t, _)| t).collect();
    let range = paged(&mut page, q, b);
    let body: Vec<Value> = page.iter().map(|t| render_temporal(t, q, rctx)).collect();
    let mut r = respond_paged(accept, rctx, Value::Array(body), range);
    if p.count {
        r.headers_mut().insert("NGSILD-Results-Count", total.into());
    }
    Ok(r)
}

/// Temporal pagination for instances (aggregations are not paginated).
fn paged(list: &mut [Temporal], q: &TemporalQuery, b: &Broker) -> Option<String> {
    match q.shape {
        Shape::Aggregated { .. } => None,
        _ => paginate(list, &q.tf, b.config.temporal_page_size),
    }
}

fn respond_paged(accept: Accept, rctx: &RequestContext, body: Value, range: Option<String>) -> Response {
    let status = if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
    let mut r = respond(status, accept, rctx, body);
    if let Some(v) = range.and_then(|v| axum::http::HeaderValue::from_str(&v).ok()) {
        r.headers_mut().insert(axum::http::header::CONTENT_RANGE, v);
    }
    r
}

async fn query_post(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    req.check_tenant(&ctx).await?;
    let (body, rctx) = req.json(&b).await?;
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("a query is a JSON object"))?;
    let mut p = Params::parse(&req)?;
    let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    let names = |v: &Value| match v {
        Value::Array(a) => a.iter().map(text).collect(),
        other => text(other).split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
    };
    // The temporal query and the aggregation (also as `aggrParams`) travel in the body.
    for part in [o.get("temporalQ"), o.get("aggrParams")].into_iter().flatten() {
        let s = |k: &str| part.get(k).map(text);
        for (k, slot) in [
            ("timerel", &mut p.timerel),
            ("timeAt", &mut p.time_at),
            ("endTimeAt", &mut p.end_time_at),
            ("timeproperty", &mut p.timeproperty),
            ("lastN", &mut p.last_n),
            ("aggrPeriodDuration", &mut p.aggr_period),
        ] {
            if let Some(v) = s(k) {
                *slot = Some(v);
            }
        }
        if let Some(m) = part.get("aggrMethods") {
            p.aggr_methods = Some(names(m));
        }
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
    check_id(&id)?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let q = temporal_query(&p, &rctx, Selection { ids: vec![id.clone()], ..Selection::default() })?;
    let t = match store::temporal_entity(ctx.db.conn(), &req.tenant, &id).await? {
        Some(te) => own_temporal(&ctx, &req.tenant, &te, &q).await?,
        None => match select::one(&ctx, &b, &req.caller, &req.tenant, &id).await? {
            Some(e) if b.source_of(&ctx, &req.tenant, &id).await?.is_some() => source_temporal(&ctx, &b, &req.caller, &e, &q).await?,
            _ => return Err(NgsiError::not_found(format!("no temporal evolution of {id}"))),
        },
    };
    if let Some(attrs) = &q.view.attrs
        && p.attrs.is_some()
        && !attrs.iter().any(|a| t.known.contains(a))
    {
        return Err(NgsiError::not_found(format!("{id} has no evolution of the attributes asked for")));
    }
    if t.nothing_left(&q.view) && (p.pick.is_some() || p.omit.is_some()) {
        return Err(NgsiError::not_found(format!("pick and omit leave nothing of {id}")));
    }
    let mut one = [t];
    let range = paged(&mut one, &q, &b);
    Ok(respond_paged(accept, &rctx, render_temporal(&one[0], &q, &rctx), range))
}

/// The scope of a temporal payload: plain scopes (valid from now), or its evolution
/// as Property instances (clause 4.5.6). Returns the scope valid last, and the instances.
fn scope_evolution(v: &Value, rctx: &RequestContext, now: i64) -> NgsiResult<(Vec<String>, Vec<Attr>)> {
    let as_instances = match v {
        Value::Object(_) => true,
        Value::Array(a) => a.iter().any(Value::is_object),
        _ => false,
    };
    if !as_instances {
        let scopes = parse::scopes(v)?;
        return Ok((scopes.clone(), vec![crate::service::scope_instance(&scopes, now)]));
    }
    let list: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out: Vec<(Vec<String>, Attr)> = vec![];
    for i in list {
        if !i.is_object() {
            return Err(NgsiError::bad_data("the scope's evolution is a list of Property instances"));
        }
        let a = parse::attribute("scope", i, rctx, now, Nulls::Refuse)?.pop().ok_or_else(|| NgsiError::bad_data("a scope instance has a value"))?;
        if a.kind != Kind::Property {
            return Err(NgsiError::bad_data("a scope instance is a Property"));
        }
        out.push((parse::scopes(&a.value)?, a));
    }
    out.sort_by_key(|(_, a)| a.observed_micros().unwrap_or(a.created_at));
    let last = out.last().map(|(s, _)| s.clone()).unwrap_or_default();
    Ok((last, out.into_iter().map(|(_, a)| a).collect()))
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
    let now = b.now(&ctx);
    let (scopes, scope_items) = match o.get("scope") {
        Some(s) => scope_evolution(s, &rctx, now)?,
        None => (vec![], vec![]),
    };
    let items = instances_of(o, &rctx, now)?;
    let txn = ctx.db.begin().await?;
    store::ensure_tenant(&txn, &req.tenant, ctx.now().0).await?;
    let fresh = store::upsert_temporal_entity(&txn, &req.tenant, &id, &types, &scopes, now).await?;
    for (name, a) in &items {
        store::put_observation(&txn, &req.tenant, &id, name, a).await?;
    }
    crate::service::fold_into_current(&txn, &req.tenant, &id, &types, &scopes, &items, now).await?;
    for a in &scope_items {
        store::add_instance(&txn, &req.tenant, &id, SCOPE, a, a.deleted_at).await?;
    }
    txn.commit().await?;
    Ok(if fresh { created(&format!("/ngsi-ld/v1/temporal/entities/{id}")) } else { no_content() })
}

async fn append(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    check_id(&id)?;
    let (body, rctx) = req.json(&b).await?;
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("a temporal fragment is a JSON object"))?;
    let now = b.now(&ctx);
    let items = instances_of(o, &rctx, now)?;
    let txn = ctx.db.begin().await?;
    let Some(te) = store::temporal_entity(&txn, &req.tenant, &id).await? else {
        return Err(NgsiError::not_found(format!("no temporal evolution of {id}")));
    };
    for (name, a) in &items {
        store::put_observation(&txn, &req.tenant, &id, name, a).await?;
    }
    store::upsert_temporal_entity(&txn, &req.tenant, &id, &te.types, &te.scopes, now).await?;
    crate::service::fold_into_current(&txn, &req.tenant, &id, &te.types, &te.scopes, &items, now).await?;
    txn.commit().await?;
    Ok(no_content())
}

async fn delete(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    check_id(&id)?;
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
    check_id(&id)?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let name = path_attribute(&attr, &rctx)?;
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
    if attr.is_empty() || instance.is_empty() {
        // The path then names no instance: nothing there takes a PATCH.
        return Err(NgsiError::new(ErrorKind::MethodNotAllowed, "name the attribute and the instance to modify"));
    }
    check_id(&id)?;
    check_id(&instance)?;
    let (body, rctx) = req.json(&b).await?;
    let name = path_attribute(&attr, &rctx)?;
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
    check_id(&id)?;
    check_id(&instance)?;
    let rctx = req.link_context(&b).await?;
    let name = path_attribute(&attr, &rctx)?;
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
