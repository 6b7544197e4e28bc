//! /ngsi-ld/v1/entities: create, query, retrieve, replace, merge and delete
//! entities, and append, update, replace and delete their attributes
//! (clauses 5.6 and 5.7).

use crate::Broker;
use crate::context::RequestContext;
use crate::error::{NgsiError, NgsiResult};
use crate::http::{Accept, Req, created, no_content, respond};
use crate::model::{Entity, Kind, is_uri};
use crate::params::Params;
use crate::parse::{self, Nulls};
use crate::render::{self, View};
use crate::select::{self, Selection};
use crate::service::{self, Outcome};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, Router};
use kernel::Ctx;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A route with and without a trailing slash (clients write both).
pub fn both(r: Router<Ctx>, path: &str, m: MethodRouter<Ctx>) -> Router<Ctx> {
    r.route(path, m.clone()).route(&format!("{path}/"), m)
}

pub fn router() -> Router<Ctx> {
    let r = Router::new();
    let r = both(r, "/ngsi-ld/v1/entities", get(query).post(create).delete(purge).patch(no_id).put(no_id));
    let r = both(r, "/ngsi-ld/v1/entities/{id}", get(retrieve).delete(delete).put(replace).patch(merge));
    let r = both(r, "/ngsi-ld/v1/entities/{id}/attrs", post(append).patch(update));
    both(r, "/ngsi-ld/v1/entities/{id}/attrs/{attr}", axum::routing::patch(partial_update).put(replace_attribute).delete(delete_attribute))
}

pub(crate) fn check_id(id: &str) -> NgsiResult<()> {
    if is_uri(id) { Ok(()) } else { Err(NgsiError::bad_data(format!("{id} is not a URI"))) }
}

/// 204 when everything was done, else 207 with what was and what was not.
/// An UpdateResult is plain JSON: attribute names are given as their IRIs
/// (as the ETSI suite expects, 010_04).
pub fn outcome_response(o: Outcome, ctx: &RequestContext) -> Response {
    if o.complete() {
        return no_content();
    }
    let body = json!({
        "updated": o.updated,
        "notUpdated": o.not_updated.iter().map(|(n, r)| json!({"attributeName": n, "reason": r})).collect::<Vec<_>>(),
    });
    respond(StatusCode::MULTI_STATUS, Accept::Json, ctx, body)
}

/// The entities that Relationships lead to, up to `level` steps away (linked entity retrieval).
pub async fn linked_entities(ctx: &Ctx, b: &Broker, req: &Req, roots: &[Entity], level: u32) -> NgsiResult<HashMap<String, Entity>> {
    let mut found: HashMap<String, Entity> = HashMap::new();
    let mut frontier: Vec<Entity> = roots.to_vec();
    for _ in 0..level {
        let mut next = vec![];
        for e in &frontier {
            for a in e.attrs.values().flatten() {
                let targets: Vec<&str> = match (a.kind, &a.value) {
                    (Kind::Relationship | Kind::ListRelationship, Value::String(s)) => vec![s.as_str()],
                    (Kind::Relationship | Kind::ListRelationship, Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                for t in targets {
                    if found.contains_key(t) || roots.iter().any(|r| r.id == t) {
                        continue;
                    }
                    if let Some(linked) = select::one(ctx, b, &req.caller, &req.tenant, t).await? {
                        found.insert(t.to_string(), linked.clone());
                        next.push(linked);
                    }
                }
            }
        }
        frontier = next;
    }
    Ok(found)
}

/// Fill in the entities a join needs.
pub async fn prepare_join(ctx: &Ctx, b: &Broker, req: &Req, view: &mut View, roots: &[Entity]) -> NgsiResult<()> {
    if let Some(j) = &mut view.join {
        j.linked = Arc::new(linked_entities(ctx, b, req, roots, j.level).await?);
    }
    Ok(())
}

/// An entity and, for a flat join, the entities it links to after it.
fn render_joined(e: &Entity, view: &View, rctx: &RequestContext, out: &mut Vec<Value>, seen: &mut HashSet<String>) {
    let flat = view.join.as_ref().is_some_and(|j| j.flat);
    if !seen.insert(e.id.clone()) {
        return;
    }
    out.push(render::entity(e, view, rctx));
    let Some(j) = view.join.as_ref().filter(|j| flat && j.level > 0) else { return };
    for (name, list) in e.attrs.iter().filter(|(n, _)| view.wants(n)) {
        for a in list.iter().filter(|a| a.kind == Kind::Relationship) {
            if let Some(target) = a.value.as_str().and_then(|t| j.linked.get(t)) {
                render_joined(target, &view.linked(name), rctx, out, seen);
            }
        }
    }
}

/// What a query does after choosing: drop entities pick/omit leave empty, then order.
pub fn finish_selection(found: &mut Vec<Entity>, p: &Params, view: &View, rctx: &RequestContext) -> NgsiResult<()> {
    if p.pick.is_some() || p.omit.is_some() {
        found.retain(|e| !nothing_left(e, view));
    }
    if let Some(order) = p.ordering(rctx)? {
        crate::query::sort(found, &order);
    }
    Ok(())
}

/// Nothing of the entity survives pick or omit.
fn nothing_left(e: &Entity, view: &View) -> bool {
    !view.keep_id && !view.keep_type && !e.attrs.keys().any(|n| view.wants(n))
}

/// Render entities for a query response: list, or GeoJSON FeatureCollection.
pub fn render_list(entities: &[Entity], view: &View, p: &Params, accept: Accept, rctx: &RequestContext, plain: bool) -> NgsiResult<Value> {
    let view = view.clone();
    if accept == Accept::GeoJson {
        let geo = rctx.expand(p.geometry_property.as_deref().unwrap_or("location"));
        let features: Vec<Value> = entities.iter().map(|e| render::feature(e, &view, rctx, &geo)).collect();
        let mut fc = json!({"type": "FeatureCollection", "features": features});
        if !plain {
            fc["@context"] = rctx.raw.clone();
        }
        return Ok(fc);
    }
    let mut out = vec![];
    let mut seen = HashSet::new();
    for e in entities {
        render_joined(e, &view, rctx, &mut out, &mut seen);
    }
    Ok(Value::Array(out))
}

async fn create(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let (body, rctx) = req.json(&b).await?;
    let e = parse::entity(&body, &rctx, b.now(&ctx))?;
    let location = format!("/ngsi-ld/v1/entities/{}", e.id);
    service::create(&ctx, &b, &req.tenant, e).await?;
    Ok(created(&location))
}

async fn query(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let sel = Selection::from_params(&p, &rctx)?;
    if !sel.narrows() && !p.local {
        return Err(NgsiError::bad_data("a query needs at least one of type, attrs, q, a geo-query or scopeQ"));
    }
    let (limit, offset) = p.page(b.config.max_limit)?;
    let mut view = p.view(&rctx)?;
    let mut found = select::select(&ctx, &b, &req.caller, &req.tenant, &sel, &rctx).await?;
    finish_selection(&mut found, &p, &view, &rctx)?;
    let total = found.len();
    let page: Vec<Entity> = found.into_iter().skip(offset).take(limit).collect();
    prepare_join(&ctx, &b, &req, &mut view, &page).await?;
    let body = render_list(&page, &view, &p, accept, &rctx, crate::http::prefers_plain_json(req.headers()))?;
    let mut r = respond(StatusCode::OK, accept, &rctx, body);
    if p.count {
        r.headers_mut().insert("NGSILD-Results-Count", total.into());
    }
    Ok(r)
}

/// PATCH or PUT on the collection: the entity's id belongs in the path.
async fn no_id() -> NgsiError {
    NgsiError::bad_data("the entity id is missing from the path")
}

/// DELETE /entities (clause 5.6.21): every entity of the broker's own that the filters choose.
async fn purge(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let sel = Selection::from_params(&p, &rctx)?;
    if sel.is_empty() {
        return Err(NgsiError::bad_data("purging needs at least one of id, idPattern, type, q or scopeQ"));
    }
    let c = ctx.db.conn();
    let candidates = if sel.ids.is_empty() {
        crate::store::entities_by_types(c, &req.tenant, &sel.types.as_ref().map(crate::query::TypeSelection::names).unwrap_or_default()).await?
    } else {
        crate::store::entities_by_ids(c, &req.tenant, &sel.ids).await?
    };
    for e in candidates.iter().filter(|e| sel.matches(e, &rctx)) {
        service::delete(&ctx, &b, &req.tenant, &e.id).await?;
    }
    Ok(no_content())
}

async fn retrieve(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    check_id(&id)?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let mut view = p.view(&rctx)?;
    let e = select::one(&ctx, &b, &req.caller, &req.tenant, &id).await?.ok_or_else(|| NgsiError::not_found(format!("no entity {id}")))?;
    if let Some(attrs) = &view.attrs
        && p.attrs.is_some()
        && !attrs.iter().any(|a| e.attrs.contains_key(a))
    {
        return Err(NgsiError::not_found(format!("{id} has none of the attributes asked for")));
    }
    if (p.pick.is_some() || p.omit.is_some()) && nothing_left(&e, &view) {
        return Err(NgsiError::not_found(format!("nothing of {id} is left after pick and omit")));
    }
    prepare_join(&ctx, &b, &req, &mut view, std::slice::from_ref(&e)).await?;
    if view.join.as_ref().is_some_and(|j| j.flat) && accept != Accept::GeoJson {
        let mut out = vec![];
        render_joined(&e, &view, &rctx, &mut out, &mut HashSet::new());
        // Nothing linked: the entity alone, as without a join.
        let body = if out.len() == 1 { out.remove(0) } else { Value::Array(out) };
        return Ok(respond(StatusCode::OK, accept, &rctx, body));
    }
    let body = if accept == Accept::GeoJson {
        let geo = rctx.expand(p.geometry_property.as_deref().unwrap_or("location"));
        let mut f = render::feature(&e, &view, &rctx, &geo);
        if !crate::http::prefers_plain_json(req.headers()) {
            f["@context"] = rctx.raw.clone();
        }
        f
    } else {
        render::entity(&e, &view, &rctx)
    };
    Ok(respond(StatusCode::OK, accept, &rctx, body))
}

async fn delete(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    service::delete(&ctx, &b, &req.tenant, &id).await?;
    Ok(no_content())
}

async fn replace(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let (mut body, rctx) = req.json(&b).await?;
    let o = body.as_object_mut().ok_or_else(|| NgsiError::bad_data("an entity is a JSON object"))?;
    match o.get("id") {
        Some(v) if v.as_str() != Some(id.as_str()) => return Err(NgsiError::bad_data("the id in the body differs from the one in the path")),
        None => {
            o.insert("id".into(), json!(id));
        }
        _ => {}
    }
    let now = b.now(&ctx);
    let e = parse::entity(&body, &rctx, now)?;
    service::replace(&ctx, &b, &req.tenant, e, now).await?;
    Ok(no_content())
}

fn fragment_of(body: &Value, id: &str, rctx: &RequestContext, now: i64, nulls: Nulls) -> NgsiResult<parse::Fragment> {
    let o = body.as_object().ok_or_else(|| NgsiError::bad_data("an entity fragment is a JSON object"))?;
    if o.get("id").is_some_and(|v| v.as_str() != Some(id)) {
        return Err(NgsiError::bad_data("the id in the body differs from the one in the path"));
    }
    parse::fragment(o, rctx, now, nulls)
}

async fn merge(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let (body, rctx) = req.json(&b).await?;
    let now = b.now(&ctx);
    let f = fragment_of(&body, &id, &rctx, now, Nulls::Delete)?;
    service::merge(&ctx, &b, &req.tenant, &id, f, now).await?;
    Ok(no_content())
}

async fn append(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let (body, rctx) = req.json(&b).await?;
    let p = Params::parse(&req)?;
    let now = b.now(&ctx);
    let f = fragment_of(&body, &id, &rctx, now, Nulls::Refuse)?;
    gate(&ctx, &b, &req, &id, &rctx).await?;
    let o = service::append(&ctx, &b, &req.tenant, &id, f, service::AddMode::Append { no_overwrite: p.has_option("noOverwrite") }, now).await?;
    Ok(outcome_response(o, &rctx))
}

async fn update(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let (body, rctx) = req.json(&b).await?;
    let now = b.now(&ctx);
    let f = fragment_of(&body, &id, &rctx, now, Nulls::Delete)?;
    if f.attrs.is_empty() && f.types.is_none() && f.scopes.is_none() {
        return Err(NgsiError::bad_data("nothing to update"));
    }
    gate(&ctx, &b, &req, &id, &rctx).await?;
    let o = service::append(&ctx, &b, &req.tenant, &id, f, service::AddMode::Update, now).await?;
    Ok(outcome_response(o, &rctx))
}

/// A `type` selection in an attribute operation's query gates it: an entity
/// of another type is as good as absent (404).
async fn gate(ctx: &Ctx, b: &Broker, req: &Req, id: &str, rctx: &RequestContext) -> NgsiResult<()> {
    let Some(t) = Params::parse(req)?.types else { return Ok(()) };
    let sel = crate::query::TypeSelection::parse(&t, &|n| rctx.expand(n)).map_err(NgsiError::bad_data)?;
    match select::one(ctx, b, &req.caller, &req.tenant, id).await? {
        Some(e) if sel.matches(&e.types) => Ok(()),
        _ => Err(NgsiError::not_found(format!("no entity {id} of that type"))),
    }
}

/// The attribute named in a path: a valid name, and not `scope` (which is no attribute).
pub(crate) fn path_attribute(attr: &str, rctx: &RequestContext) -> NgsiResult<String> {
    if attr == "scope" {
        return Err(NgsiError::bad_data("scope is not an attribute: change it on the entity"));
    }
    parse::attribute_name(attr, rctx)
}

/// The attribute named in the path, expanded, and the body as one instance of it.
async fn attribute_body(b: &Broker, req: &Req, attr: &str, now: i64, nulls: Nulls) -> NgsiResult<(String, Vec<crate::model::Attr>)> {
    let (body, rctx) = req.json(b).await?;
    if !body.is_object() {
        return Err(NgsiError::bad_data("an attribute is a JSON object"));
    }
    let name = path_attribute(attr, &rctx)?;
    let list = parse::attribute(attr, &body, &rctx, now, nulls)?;
    Ok((name, list))
}

async fn partial_update(
    State(ctx): State<Ctx>,
    Extension(b): Extension<Broker>,
    Path((id, attr)): Path<(String, String)>,
    req: Req,
) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let now = b.now(&ctx);
    let (body, rctx) = req.json(&b).await?;
    if !body.is_object() {
        return Err(NgsiError::bad_data("an attribute fragment is a JSON object"));
    }
    let name = path_attribute(&attr, &rctx)?;
    let (a, has_value) = parse::attribute_fragment(&attr, &body, &rctx, now)?;
    gate(&ctx, &b, &req, &id, &rctx).await?;
    service::partial_update(&ctx, &b, &req.tenant, &id, &name, a, has_value, now).await?;
    Ok(no_content())
}

async fn replace_attribute(
    State(ctx): State<Ctx>,
    Extension(b): Extension<Broker>,
    Path((id, attr)): Path<(String, String)>,
    req: Req,
) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let now = b.now(&ctx);
    let (name, list) = attribute_body(&b, &req, &attr, now, Nulls::Refuse).await?;
    gate(&ctx, &b, &req, &id, &req.link_context(&b).await?).await?;
    service::replace_attribute(&ctx, &b, &req.tenant, &id, &name, list, now).await?;
    Ok(no_content())
}

async fn delete_attribute(
    State(ctx): State<Ctx>,
    Extension(b): Extension<Broker>,
    Path((id, attr)): Path<(String, String)>,
    req: Req,
) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let dataset = p.dataset_id.as_ref().and_then(|d| d.first().cloned());
    let name = if attr == "scope" { attr.clone() } else { parse::attribute_name(&attr, &rctx)? };
    gate(&ctx, &b, &req, &id, &rctx).await?;
    let which = if p.delete_all { service::Which::All } else { service::Which::Dataset(dataset.as_deref()) };
    service::delete_attribute(&ctx, &b, &req.tenant, &id, &name, which, b.now(&ctx)).await?;
    Ok(no_content())
}
