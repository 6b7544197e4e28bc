//! /ngsi-ld/v1/jsonldContexts (clause 5.13): contexts the broker hosts for
//! its clients, and the remote ones it has fetched and cached.

use crate::Broker;
use crate::context::{core_document, is_core_url};
use crate::error::{NgsiError, NgsiResult};
use crate::http::{Accept, Req, respond};
use crate::params::Params;
use crate::store;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use kernel::Ctx;
use serde_json::{Value, json};

pub fn router() -> Router<Ctx> {
    let r = crate::entities::both(Router::new(), "/ngsi-ld/v1/jsonldContexts", get(list).post(create));
    crate::entities::both(r, "/ngsi-ld/v1/jsonldContexts/{id}", get(serve).delete(delete))
}

fn url_of(ctx: &Ctx, id: &str) -> String {
    format!("{}/ngsi-ld/v1/jsonldContexts/{id}", ctx.config.public_url().trim_end_matches('/'))
}

async fn create(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    let body: Value = serde_json::from_slice(&req.body).map_err(|e| NgsiError::invalid(format!("the body is not JSON: {e}")))?;
    let Some(inner) = body.get("@context") else {
        return Err(NgsiError::bad_data("a context document has an @context"));
    };
    if !(inner.is_object() || inner.is_array() || inner.is_string()) {
        return Err(NgsiError::bad_data("@context is an object, an array or a URL"));
    }
    // Only the shape is checked: the URLs a hosted context lists are fetched when it is used.
    if let Value::Object(o) = inner
        && o.values().any(|v| !(v.is_string() || v.is_object() || v.is_null() || v.is_boolean() || v.is_number()))
    {
        return Err(NgsiError::bad_data("a context maps terms to IRIs or definitions"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let url = url_of(&ctx, &id);
    store::insert_context(ctx.db.conn(), &id, &url, &body, ctx.now().0).await?;
    b.contexts.pin(&url, body);
    Ok(crate::http::created(&format!("/ngsi-ld/v1/jsonldContexts/{id}")))
}

async fn list(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let p = Params::parse(&req)?;
    let kind = req.params()?.into_iter().find(|(k, _)| k == "kind").map(|(_, v)| v.to_ascii_lowercase());
    if kind.as_deref().is_some_and(|k| !["hosted", "cached", "implicitlycreated"].contains(&k)) {
        return Err(NgsiError::bad_data("kind is Hosted, Cached or ImplicitlyCreated"));
    }
    let rows = entries(&ctx, &b).await?;
    let rows: Vec<&Value> =
        rows.iter().filter(|r| kind.as_deref().is_none_or(|k| r["kind"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(k)))).collect();
    let body =
        if p.details { Value::Array(rows.into_iter().cloned().collect()) } else { Value::Array(rows.iter().map(|r| r["URL"].clone()).collect()) };
    Ok(respond(StatusCode::OK, Accept::Json, &crate::context::RequestContext::core(), body))
}

/// Every context the broker holds, as the detailed listing shows it.
async fn entries(ctx: &Ctx, b: &Broker) -> NgsiResult<Vec<Value>> {
    let mut out: Vec<Value> = store::contexts(ctx.db.conn())
        .await?
        .iter()
        .map(|(id, url, _, at)| json!({"URL": url, "localId": id, "kind": "Hosted", "createdAt": crate::model::format_time(at * 1000)}))
        .collect();
    for (url, _, k) in b.contexts.cached() {
        if k == "cached" {
            out.push(json!({"URL": url, "localId": url, "kind": "Cached"}));
        }
    }
    Ok(out)
}

async fn serve(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    if Params::parse(&req)?.details {
        let all = entries(&ctx, &b).await?;
        let e = all
            .into_iter()
            .find(|e| e["localId"] == json!(id) || e["URL"] == json!(id))
            .ok_or_else(|| NgsiError::not_found(format!("no context {id}")))?;
        return Ok(respond(StatusCode::OK, Accept::Json, &crate::context::RequestContext::core(), e));
    }
    let doc = if is_core_url(&id) {
        Some(core_document())
    } else {
        match store::contexts(ctx.db.conn()).await?.into_iter().find(|(i, ..)| *i == id) {
            Some((_, _, body, _)) => Some(body),
            None => b.contexts.cached().into_iter().find(|(u, ..)| *u == id).map(|(_, d, _)| (*d).clone()),
        }
    };
    let doc = doc.ok_or_else(|| NgsiError::not_found(format!("no context {id}")))?;
    let mut r = axum::response::IntoResponse::into_response((StatusCode::OK, doc.to_string()));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(r)
}

async fn delete(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(id): Path<String>, req: Req) -> NgsiResult<Response> {
    req.check_write(&b)?;
    // Some clients cut the path out of the full URL and leave the server part: accept that too.
    let id = id.strip_prefix(ctx.config.public_url().trim_end_matches('/')).unwrap_or(&id).to_string();
    if store::delete_context(ctx.db.conn(), &id).await? {
        b.contexts.forget(&url_of(&ctx, &id));
        return Ok(crate::http::no_content());
    }
    if b.contexts.forget(&id) {
        return Ok(crate::http::no_content());
    }
    Err(NgsiError::not_found(format!("no context {id}")))
}
