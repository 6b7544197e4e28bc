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
                        service::append(&ctx, &b, &req.tenant, &e.id, f, false, now).await?;
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
                let out = service::append(ctx, b, &req.tenant, &id, f, no_overwrite, now).await?;
                match out.not_updated.first() {
                    Some((_, reason)) if out.updated.is_empty() => Err(NgsiError::bad_data(reason.clone())),
                    _ => Ok(()),
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
    let (sel, alternatives) = selection_of(o, &rctx, &mut p)?;
    let (limit, offset) = p.page(b.config.max_limit)?;
    let mut found = vec![];
    for s in &alternatives {
        let mut one = sel.clone();
        one.ids = s.0.clone();
        one.id_pattern = s.1.clone();
        one.types = s.2.clone();
        found.extend(select::select(&ctx, &b, &req.caller, &req.tenant, &one, &rctx).await?);
    }
    if alternatives.is_empty() {
        found = select::select(&ctx, &b, &req.caller, &req.tenant, &sel, &rctx).await?;
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id);
    let total = found.len();
    let page: Vec<_> = found.into_iter().skip(offset).take(limit).collect();
    let mut view = p.view(&rctx)?;
    entities::prepare_join(&ctx, &b, &req, &mut view, &page).await?;
    let out = entities::render_list(&page, &view, &p, accept, &rctx, crate::http::prefers_plain_json(req.headers()))?;
    let mut r = respond(StatusCode::OK, accept, &rctx, out);
    if p.count {
        r.headers_mut().insert("NGSILD-Results-Count", total.into());
    }
    Ok(r)
}

type Alternative = (Vec<String>, Option<regex_lite::Regex>, Option<query::TypeSelection>);

/// The selection a Query object describes: shared filters, and one alternative per entity selector.
pub fn selection_of(
    o: &serde_json::Map<String, Value>,
    rctx: &crate::context::RequestContext,
    p: &mut Params,
) -> NgsiResult<(Selection, Vec<Alternative>)> {
    let mut sel = Selection::default();
    let mut alternatives = vec![];
    if let Some(es) = o.get("entities") {
        for e in es.as_array().ok_or_else(|| NgsiError::bad_data("entities is an array"))? {
            let ids = match e.get("id").and_then(Value::as_str) {
                Some(i) if crate::model::is_uri(i) => vec![i.to_string()],
                Some(i) => return Err(NgsiError::bad_data(format!("{i} is not a URI"))),
                None => vec![],
            };
            let pattern = e
                .get("idPattern")
                .and_then(Value::as_str)
                .map(regex_lite::Regex::new)
                .transpose()
                .map_err(|e| NgsiError::bad_data(format!("idPattern: {e}")))?;
            let types = match e.get("type").and_then(Value::as_str) {
                Some(t) => Some(query::TypeSelection::parse(t, &|n| rctx.expand(n)).map_err(NgsiError::bad_data)?),
                None => None,
            };
            alternatives.push((ids, pattern, types));
        }
    }
    if let Some(a) = o.get("attrs") {
        let names: Vec<String> =
            a.as_array().ok_or_else(|| NgsiError::bad_data("attrs is an array"))?.iter().filter_map(Value::as_str).map(str::to_string).collect();
        sel.attrs = Some(names.iter().map(|n| rctx.expand(n)).collect());
        p.attrs = Some(names);
    }
    if let Some(q) = o.get("q").and_then(Value::as_str) {
        sel.q = Some(query::parse(q, &|n| rctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("q: {e}")))?);
    }
    if let Some(g) = o.get("geoQ") {
        sel.geo = select::geo_from(
            g.get("georel").and_then(Value::as_str),
            g.get("geometry").and_then(Value::as_str),
            g.get("coordinates").cloned(),
            g.get("geoproperty").and_then(Value::as_str),
            rctx,
        )?;
    }
    if let Some(s) = o.get("scopeQ").and_then(Value::as_str) {
        query::check_scope_query(s).map_err(NgsiError::bad_data)?;
        sel.scope_q = Some(s.to_string());
    }
    if let Some(l) = o.get("lang").and_then(Value::as_str) {
        p.lang = Some(l.to_string());
    }
    if alternatives.is_empty() && sel.is_empty() {
        return Err(NgsiError::bad_data("a query needs entities, attrs, q, geoQ or scopeQ"));
    }
    Ok((sel, alternatives))
}
