//! /ngsi-ld/v1/entityOperations (clause 5.6.7–5.6.10, 5.6.20, 5.7.2): many
//! entities created, upserted, updated, merged or deleted in one request,
//! each succeeding or failing on its own, and the query in a body.

use crate::Broker;
use crate::error::{NgsiError, NgsiResult};
use crate::http::{Accept, Req, no_content, respond};
use crate::params::Params;
use crate::parse::{self, Nulls};
use crate::select::{self, Selection};
use crate::service;
use crate::{entities, query};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use kernel::Ctx;
use serde_json::{Value, json};

/// Entities one batch may hold.
const MAX_BATCH: usize = 1000;

pub fn router() -> Router<Ctx> {
    let r = Router::new();
    let r = entities::both(r, "/ngsi-ld/v1/entityOperations/create", post(create));
    let r = entities::both(r, "/ngsi-ld/v1/entityOperations/upsert", post(upsert));
    let r = entities::both(r, "/ngsi-ld/v1/entityOperations/update", post(update));
    let r = entities::both(r, "/ngsi-ld/v1/entityOperations/merge", post(merge));
    let r = entities::both(r, "/ngsi-ld/v1/entityOperations/delete", post(delete));
    entities::both(r, "/ngsi-ld/v1/entityOperations/query", post(query_post))
}

#[derive(Default)]
struct Results {
    success: Vec<String>,
    created: Vec<String>,
    errors: Vec<(String, NgsiError)>,
}

impl Results {
    fn fail(&mut self, id: impl Into<String>, e: NgsiError) {
        self.errors.push((id.into(), e));
    }

    /// 207 with both lists if anything failed; otherwise what `ok` builds.
    fn respond(self, ok: impl FnOnce(Vec<String>, Vec<String>) -> Response) -> Response {
        if self.errors.is_empty() {
            return ok(self.success, self.created);
        }
        let body = json!({
            "success": self.success,
            "errors": self.errors.iter().map(|(id, e)| json!({"entityId": id, "error": e.body()})).collect::<Vec<_>>(),
        });
        respond(StatusCode::MULTI_STATUS, Accept::Json, &crate::context::RequestContext::core(), body)
    }
}

fn ids_created(ids: Vec<String>) -> Response {
    respond(StatusCode::CREATED, Accept::Json, &crate::context::RequestContext::core(), json!(ids))
}

/// The batch's elements; an empty or oversized batch is refused as a whole.
async fn elements(b: &Broker, req: &Req) -> NgsiResult<(Vec<Value>, crate::context::RequestContext)> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(NgsiError::bad_data("a batch is a JSON array of entities"));
    }
    let (body, rctx) = req.json(b).await?;
    let items = match body {
        Value::Array(items) => items,
        _ => return Err(NgsiError::bad_data("a batch is a JSON array")),
    };
    if items.is_empty() {
        return Err(NgsiError::bad_data("a batch holds at least one element"));
    }
    if items.len() > MAX_BATCH {
        return Err(NgsiError::bad_data(format!("a batch holds at most {MAX_BATCH} elements")));
    }
    if items.iter().any(Value::is_null) {
        return Err(NgsiError::bad_data("a batch cannot hold null"));
    }
    Ok((items, rctx))
}

fn element_id(v: &Value) -> String {
    v.get("id").or_else(|| v.get("@id")).and_then(Value::as_str).unwrap_or("").to_string()
}

async fn create(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let (items, rctx) = elements(&b, &req).await?;
    let mut r = Results::default();
    for mut item in items {
        let id = element_id(&item);
        let outcome = async {
            let ectx = req.element_context(&b, &mut item, &rctx).await?;
            let e = parse::entity(&item, &ectx, b.now(&ctx))?;
            service::create(&ctx, &b, &req.tenant, e).await
        }
        .await;
        match outcome {
            Ok(()) => r.success.push(id),
            Err(e) => r.fail(id, e),
        }
    }
    Ok(r.respond(|ids, _| ids_created(ids)))
}

async fn upsert(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let p = Params::parse(&req)?;
    let update_only = p.has_option("update");
    let (items, rctx) = elements(&b, &req).await?;
    let mut r = Results::default();
    for mut item in items {
        let id = element_id(&item);
        let outcome = async {
            let ectx = req.element_context(&b, &mut item, &rctx).await?;
            let now = b.now(&ctx);
            let e = parse::entity(&item, &ectx, now)?;
            match service::create(&ctx, &b, &req.tenant, e.clone()).await {
                Ok(()) => Ok(true),
                Err(err) if err.kind == crate::error::ErrorKind::AlreadyExists => {
                    if update_only {
                        let f = parse::fragment(
                            item.as_object().ok_or_else(|| NgsiError::bad_data("an entity is a JSON object"))?,
                            &ectx,
                            now,
                            Nulls::Refuse,
                        )?;
                        service::append(&ctx, &b, &req.tenant, &e.id, f, service::AddMode::Append { no_overwrite: false }, now).await?;
                    } else {
                        service::replace(&ctx, &b, &req.tenant, e, now).await?;
                    }
                    Ok(false)
                }
                Err(err) => Err(err),
            }
        }
        .await;
        match outcome {
            Ok(true) => {
                r.created.push(id.clone());
                r.success.push(id);
            }
            Ok(false) => r.success.push(id),
            Err(e) => r.fail(id, e),
        }
    }
    Ok(r.respond(|_, created| if created.is_empty() { no_content() } else { ids_created(created) }))
}

/// Batch update and merge: every entity must exist.
async fn change_each(ctx: &Ctx, b: &Broker, req: &Req, merge: bool) -> NgsiResult<Response> {
    req.check_write(b)?;
    let p = Params::parse(req)?;
    let no_overwrite = p.has_option("noOverwrite");
    let (items, rctx) = elements(b, req).await?;
    let mut r = Results::default();
    for mut item in items {
        let id = element_id(&item);
        let outcome = async {
            let ectx = req.element_context(b, &mut item, &rctx).await?;
            parse::entity_id(item.get("id").or_else(|| item.get("@id")))?;
            let now = b.now(ctx);
            let o = item.as_object().ok_or_else(|| NgsiError::bad_data("an entity is a JSON object"))?;
            if merge {
                let f = parse::fragment(o, &ectx, now, Nulls::Delete)?;
                service::merge(ctx, b, &req.tenant, &id, f, now).await
            } else {
                let f = parse::fragment(o, &ectx, now, Nulls::Refuse)?;
                let out = service::append(ctx, b, &req.tenant, &id, f, service::AddMode::Append { no_overwrite }, now).await?;
                match out.not_updated.first() {
                    Some((name, reason)) => Err(NgsiError::bad_data(format!("{}: {reason}", ectx.compact(name)))),
                    None => Ok(()),
                }
            }
        }
        .await;
        match outcome {
            Ok(()) => r.success.push(id),
            Err(e) => r.fail(id, e),
        }
    }
    Ok(r.respond(|_, _| no_content()))
}

async fn update(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    change_each(&ctx, &b, &req, false).await
}

async fn merge(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    change_each(&ctx, &b, &req, true).await
}

async fn delete(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let (items, _) = elements(&b, &req).await?;
    let mut r = Results::default();
    for item in items {
        let id = item.as_str().unwrap_or("").to_string();
        let outcome = async {
            if !crate::model::is_uri(&id) {
                return Err(NgsiError::bad_data(format!("{item} is not an entity id")));
            }
            service::delete(&ctx, &b, &req.tenant, &id).await
        }
        .await;
        match outcome {
            Ok(()) => r.success.push(id),
            Err(e) => r.fail(id, e),
        }
    }
    Ok(r.respond(|_, _| no_content()))
}

/// POST /entityOperations/query: the query as a JSON object (clause 5.2.23).
async fn query_post(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    req.check_tenant(&ctx).await?;
    let (body, rctx) = req.json(&b).await?;
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("a query is a JSON object"))?;
    if o.get("type").and_then(Value::as_str) != Some("Query") {
        return Err(NgsiError::bad_data("a query has the type Query"));
    }
    let mut p = Params::parse(&req)?;
    let (sel, alternatives) = selection_of(o, &rctx, &mut p, false)?;
    let (limit, offset) = p.page(b.config.max_limit)?;
    let mut found = vec![];
    let all_types = alternatives.iter().any(|a| a.2.is_none() && a.0.is_empty() && a.1.is_none());
    for s in &alternatives {
        let mut one = sel.clone();
        one.ids = s.0.clone();
        one.id_pattern = s.1.clone();
        one.types = s.2.clone();
        one.all_types = all_types;
        found.extend(select::select(&ctx, &b, &req.caller, &req.tenant, &one, &rctx).await?);
    }
    if alternatives.is_empty() {
        found = select::select(&ctx, &b, &req.caller, &req.tenant, &sel, &rctx).await?;
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id);
    let mut view = p.view(&rctx)?;
    entities::finish_selection(&mut found, &p, &view, &rctx)?;
    let total = found.len();
    let page: Vec<_> = found.into_iter().skip(offset).take(limit).collect();
    entities::prepare_join(&ctx, &b, &req, &mut view, &page).await?;
    let out = entities::render_list(&page, &view, &p, accept, &rctx, crate::http::prefers_plain_json(req.headers()))?;
    let mut r = respond(StatusCode::OK, accept, &rctx, out);
    if p.count {
        r.headers_mut().insert("NGSILD-Results-Count", total.into());
    }
    Ok(r)
}

type Alternative = (Vec<String>, Option<regex_lite::Regex>, Option<query::TypeSelection>);

/// OrderingParameters (clause 5.2.43) of a Query: orderBy, the reference of
/// distance ordering (coordinates, geometry) and the collation.
fn ordering_of(v: &Value, p: &mut Params) -> NgsiResult<()> {
    let o = v.as_object().ok_or_else(|| NgsiError::bad_data("ordering is an object"))?;
    match o.get("orderBy") {
        None => {}
        Some(Value::String(s)) => p.order_by = Some(s.clone()),
        Some(list) => p.order_by = Some(names_of(list, "orderBy")?.join(",")),
    }
    if let Some(c) = o.get("coordinates") {
        if !c.is_array() {
            return Err(NgsiError::bad_data("ordering.coordinates is an array"));
        }
        p.order_from = Some(c.clone());
    }
    match o.get("geometry") {
        None => {}
        Some(Value::String(g)) => p.order_geometry = Some(g.clone()),
        Some(_) => return Err(NgsiError::bad_data("ordering.geometry is the name of a geometry type")),
    }
    match o.get("collation") {
        None => {}
        // Only code point order is offered here (4.23.1): a named collation is refused, not ignored.
        Some(_) => return Err(NgsiError::bad_data("ordering.collation: only code point order is offered")),
    }
    Ok(())
}

fn names_of(v: &Value, k: &str) -> NgsiResult<Vec<String>> {
    let items = v.as_array().ok_or_else(|| NgsiError::bad_data(format!("{k} is an array of names")))?;
    if items.is_empty() {
        return Err(NgsiError::bad_data(format!("{k} cannot be empty")));
    }
    items.iter().map(|i| i.as_str().map(str::to_string).ok_or_else(|| NgsiError::bad_data(format!("{k} lists names")))).collect()
}

/// The selection a Query object describes (clause 5.2.23): shared filters, and
/// one alternative per entity selector; representation members go into `p`.
pub fn selection_of(
    o: &serde_json::Map<String, Value>,
    rctx: &crate::context::RequestContext,
    p: &mut Params,
    temporal: bool,
) -> NgsiResult<(Selection, Vec<Alternative>)> {
    let mut sel = Selection::default();
    let mut alternatives = vec![];
    if let Some(es) = o.get("entities") {
        let es = es.as_array().filter(|a| !a.is_empty()).ok_or_else(|| NgsiError::bad_data("entities is a non-empty array"))?;
        for e in es {
            let ids = match e.get("id") {
                None => vec![],
                Some(Value::String(i)) => vec![i.clone()],
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string).ok_or_else(|| NgsiError::bad_data("id lists URIs")))
                    .collect::<NgsiResult<_>>()?,
                Some(_) => return Err(NgsiError::bad_data("id is a URI or a list of URIs")),
            };
            if let Some(bad) = ids.iter().find(|i| !crate::model::is_uri(i)) {
                return Err(NgsiError::bad_data(format!("{bad} is not a URI")));
            }
            // "id takes precedence over idPattern" (clause 5.2.33).
            let pattern = match (ids.is_empty(), e.get("idPattern").and_then(Value::as_str)) {
                (true, Some(p)) => Some(select::id_pattern(p)?),
                _ => None,
            };
            let t = e.get("type").and_then(Value::as_str).ok_or_else(|| NgsiError::bad_data("an entity selector needs a type"))?;
            let types = if t == "*" { None } else { Some(query::TypeSelection::parse(t, &|n| rctx.expand(n)).map_err(NgsiError::bad_data)?) };
            alternatives.push((ids, pattern, types));
        }
    }
    if let Some(a) = o.get("attrs") {
        let names = names_of(a, "attrs")?;
        sel.attrs = Some(names.iter().map(|n| crate::parse::attribute_name(n, rctx)).collect::<NgsiResult<_>>()?);
        p.attrs = Some(names);
    }
    if let Some(q) = o.get("q") {
        let q = q.as_str().ok_or_else(|| NgsiError::bad_data("q is a string"))?;
        sel.q = Some(query::parse(q, &|n| rctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("q: {e}")))?);
    }
    if let Some(g) = o.get("geoQ") {
        if !g.get("geometry").is_none_or(Value::is_string) || !g.get("coordinates").is_none_or(|c| c.is_array() || c.is_string()) {
            return Err(NgsiError::bad_data("geoQ: geometry is a name and coordinates an array"));
        }
        sel.geo = select::geo_from(
            g.get("georel").and_then(Value::as_str),
            g.get("geometry").and_then(Value::as_str),
            g.get("coordinates").cloned(),
            g.get("geoproperty").and_then(Value::as_str),
            rctx,
        )?;
    }
    if let Some(s) = o.get("scopeQ") {
        let s = s.as_str().ok_or_else(|| NgsiError::bad_data("scopeQ is a string"))?;
        query::check_scope_query(s).map_err(NgsiError::bad_data)?;
        sel.scope_q = Some(s.to_string());
    }
    if o.contains_key("temporalQ") && !temporal {
        return Err(NgsiError::bad_data("temporalQ belongs to temporal queries only"));
    }
    let text = |k: &str| -> NgsiResult<Option<String>> {
        match o.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Array(_)) if k == "pick" || k == "omit" || k == "orderBy" => Ok(Some(names_of(&o[k], k)?.join(","))),
            Some(Value::Number(n)) if k == "joinLevel" => Ok(Some(n.to_string())),
            Some(_) => Err(NgsiError::bad_data(format!("{k} has the wrong type"))),
        }
    };
    for (k, slot) in [
        ("lang", &mut p.lang),
        ("join", &mut p.join),
        ("joinLevel", &mut p.join_level),
        ("pick", &mut p.pick),
        ("omit", &mut p.omit),
        ("geometryProperty", &mut p.geometry_property),
    ] {
        if let Some(v) = text(k)? {
            *slot = Some(v);
        }
    }
    if let Some(ord) = o.get("ordering") {
        ordering_of(ord, p)?;
    }
    if alternatives.is_empty() && !sel.narrows() {
        return Err(NgsiError::bad_data("a query needs entities, attrs, q, geoQ or scopeQ"));
    }
    Ok((sel, alternatives))
}
