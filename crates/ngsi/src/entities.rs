//! /ngsi-ld/v1/entities: create, query, retrieve, replace, merge and delete
//! entities, and append, update, replace and delete their attributes
//! (clauses 5.6 and 5.7).

use crate::Broker;
use crate::context::RequestContext;
use crate::error::{NgsiError, NgsiResult};
use crate::http::{Accept, Req, created, no_content, respond};
use crate::model::{Entity, is_uri};
use crate::params::Params;
use crate::parse::{self, Nulls};
use crate::render;
use crate::select::{self, Selection};
use crate::service::{self, Outcome};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, Router};
use kernel::Ctx;
use serde_json::{Value, json};

/// A route with and without a trailing slash (clients write both).
pub fn both(r: Router<Ctx>, path: &str, m: MethodRouter<Ctx>) -> Router<Ctx> {
    r.route(path, m.clone()).route(&format!("{path}/"), m)
}

pub fn router() -> Router<Ctx> {
    let r = Router::new();
    let r = both(r, "/ngsi-ld/v1/entities", get(query).post(create));
    let r = both(r, "/ngsi-ld/v1/entities/{id}", get(retrieve).delete(delete).put(replace).patch(merge));
    let r = both(r, "/ngsi-ld/v1/entities/{id}/attrs", post(append).patch(update));
    both(r, "/ngsi-ld/v1/entities/{id}/attrs/{attr}", axum::routing::patch(partial_update).put(replace_attribute).delete(delete_attribute))
}

fn check_id(id: &str) -> NgsiResult<()> {
    if is_uri(id) { Ok(()) } else { Err(NgsiError::bad_data(format!("{id} is not a URI"))) }
}

/// 204 when everything was done, else 207 with what was and what was not.
pub fn outcome_response(o: Outcome, ctx: &RequestContext) -> Response {
    if o.complete() {
        return no_content();
    }
    let body = json!({
        "updated": o.updated.iter().map(|n| ctx.compact(n)).collect::<Vec<_>>(),
        "notUpdated": o.not_updated.iter().map(|(n, r)| json!({"attributeName": ctx.compact(n), "reason": r})).collect::<Vec<_>>(),
    });
    respond(StatusCode::MULTI_STATUS, Accept::Json, ctx, body)
}

/// Render entities for a query response: list, or GeoJSON FeatureCollection.
pub fn render_list(entities: &[Entity], p: &Params, accept: Accept, rctx: &RequestContext) -> NgsiResult<Value> {
    let view = p.view(rctx)?;
    if accept == Accept::GeoJson {
        let geo = rctx.expand(p.geometry_property.as_deref().unwrap_or("location"));
        let features: Vec<Value> = entities.iter().map(|e| render::feature(e, &view, rctx, &geo)).collect();
        return Ok(json!({"type": "FeatureCollection", "features": features, "@context": rctx.raw}));
    }
    Ok(Value::Array(entities.iter().map(|e| render::entity(e, &view, rctx)).collect()))
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
    if sel.is_empty() && !p.local {
        return Err(NgsiError::bad_data("a query needs at least one of id, idPattern, type, attrs, q, a geo-query or scopeQ"));
    }
    let (limit, offset) = p.page(b.config.max_limit)?;
    let found = select::select(&ctx, &b, &req.caller, &req.tenant, &sel, &rctx).await?;
    let total = found.len();
    let page: Vec<Entity> = found.into_iter().skip(offset).take(limit).collect();
    let body = render_list(&page, &p, accept, &rctx)?;
    let mut r = respond(StatusCode::OK, accept, &rctx, body);
    if p.count {
        r.headers_mut().insert("NGSILD-Results-Count", total.into());
    }
    Ok(r)
}

async fn retrieve(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    check_id(&id)?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let view = p.view(&rctx)?;
    let e = select::one(&ctx, &b, &req.caller, &req.tenant, &id).await?.ok_or_else(|| NgsiError::not_found(format!("no entity {id}")))?;
    if let Some(attrs) = &view.attrs
        && p.attrs.is_some()
        && !attrs.iter().any(|a| e.attrs.contains_key(a))
    {
        return Err(NgsiError::not_found(format!("{id} has none of the attributes asked for")));
    }
    let body = if accept == Accept::GeoJson {
        let geo = rctx.expand(p.geometry_property.as_deref().unwrap_or("location"));
        let mut f = render::feature(&e, &view, &rctx, &geo);
        f["@context"] = rctx.raw.clone();
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
    let o = service::append(&ctx, &b, &req.tenant, &id, f, p.has_option("noOverwrite"), now).await?;
    Ok(outcome_response(o, &rctx))
}

async fn update(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    check_id(&id)?;
    req.check_write(&b)?;
    let (body, rctx) = req.json(&b).await?;
    let now = b.now(&ctx);
    let f = fragment_of(&body, &id, &rctx, now, Nulls::Refuse)?;
    if f.attrs.is_empty() {
        return Err(NgsiError::bad_data("nothing to update"));
    }
    let o = service::update(&ctx, &b, &req.tenant, &id, f, now).await?;
    Ok(outcome_response(o, &rctx))
}

/// The attribute named in the path, expanded, and the body as one instance of it.
async fn attribute_body(b: &Broker, req: &Req, attr: &str, now: i64, nulls: Nulls) -> NgsiResult<(String, Vec<crate::model::Attr>)> {
    let (body, rctx) = req.json(b).await?;
    if !body.is_object() {
        return Err(NgsiError::bad_data("an attribute is a JSON object"));
    }
    let name = rctx.expand(attr);
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
    let (name, list) = attribute_body(&b, &req, &attr, now, Nulls::Delete).await?;
    for a in list {
        service::partial_update(&ctx, &b, &req.tenant, &id, &name, a, now).await?;
    }
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
    let name = rctx.expand(&attr);
    let which = if p.delete_all { service::Which::All } else { service::Which::Dataset(dataset.as_deref()) };
    service::delete_attribute(&ctx, &b, &req.tenant, &id, &name, which, b.now(&ctx)).await?;
    Ok(no_content())
}
