//! What types and attributes exist (clause 5.7.5–5.7.10): /types and
//! /attributes, from the broker's entities and the sources'.

use crate::Broker;
use crate::error::{NgsiError, NgsiResult};
use crate::http::{Req, respond};
use crate::model::Entity;
use crate::params::Params;
use crate::select::{self, Selection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use kernel::Ctx;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

pub fn router() -> Router<Ctx> {
    let r = Router::new();
    let r = crate::entities::both(r, "/ngsi-ld/v1/types", get(types));
    let r = crate::entities::both(r, "/ngsi-ld/v1/types/{type}", get(type_info));
    let r = crate::entities::both(r, "/ngsi-ld/v1/attributes", get(attributes));
    let r = crate::entities::both(r, "/ngsi-ld/v1/attributes/{attr}", get(attribute_info));
    crate::entities::both(r, "/ngsi-ld/v1/info/sourceIdentity", get(source_identity))
}

/// Who this context source is (clause 5.15.1): a stable id, an alias per tenant, uptime and clock.
async fn source_identity(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = crate::http::accept_no_geo(req.headers())?;
    let base = kernel::crypto::sha256_hex(&ctx.config.public_url());
    let alias = if req.tenant.is_empty() {
        format!("urn:ngsi-ld:ContextSource:{}", &base[..16])
    } else {
        format!("urn:ngsi-ld:ContextSource:{}:{}", &base[..16], req.tenant)
    };
    let body = json!({
        "id": format!("urn:ngsi-ld:ContextSourceIdentity:{}", &base[..16]),
        "type": "ContextSourceIdentity",
        "contextSourceAlias": alias,
        "contextSourceUptime": format!("PT{}S", b.started.elapsed().as_secs()),
        "contextSourceTimeAt": crate::model::format_time(ctx.now().0 * 1000),
    });
    Ok(respond(StatusCode::OK, accept, &crate::context::RequestContext::core(), body))
}

#[derive(Default)]
struct TypeFacts {
    count: usize,
    attrs: BTreeMap<String, BTreeSet<&'static str>>,
}

async fn everything(ctx: &Ctx, b: &Broker, req: &Req) -> NgsiResult<Vec<Entity>> {
    let rctx = crate::context::RequestContext::core();
    select::select(ctx, b, &req.caller, &req.tenant, &Selection::default(), &rctx).await
}

fn by_type(entities: &[Entity]) -> BTreeMap<String, TypeFacts> {
    let mut out: BTreeMap<String, TypeFacts> = BTreeMap::new();
    for e in entities {
        for t in &e.types {
            let f = out.entry(t.clone()).or_default();
            f.count += 1;
            for (name, list) in &e.attrs {
                let kinds = f.attrs.entry(name.clone()).or_default();
                for a in list {
                    kinds.insert(a.kind.name());
                }
            }
        }
    }
    out
}

async fn types(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let facts = by_type(&everything(&ctx, &b, &req).await?);
    let body = if p.details {
        Value::Array(
            facts
                .iter()
                .map(|(t, f)| {
                    json!({"id": t, "type": "EntityType", "typeName": rctx.compact(t), "attributeNames": f.attrs.keys().map(|a| rctx.compact(a)).collect::<Vec<_>>()})
                })
                .collect(),
        )
    } else {
        json!({"id": format!("urn:ngsi-ld:EntityTypeList:{}", uuid::Uuid::now_v7()), "type": "EntityTypeList", "typeList": facts.keys().map(|t| rctx.compact(t)).collect::<Vec<_>>()})
    };
    Ok(respond(StatusCode::OK, accept, &rctx, body))
}

async fn type_info(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(ty): Path<String>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let iri = rctx.expand(&ty);
    let facts = by_type(&everything(&ctx, &b, &req).await?);
    let f = facts.get(&iri).ok_or_else(|| NgsiError::not_found(format!("no entities of type {ty}")))?;
    let details: Vec<Value> = f
        .attrs
        .iter()
        .map(|(a, kinds)| json!({"id": a, "type": "Attribute", "attributeName": rctx.compact(a), "attributeTypes": kinds.iter().collect::<Vec<_>>()}))
        .collect();
    let body = json!({"id": iri, "type": "EntityTypeInfo", "typeName": rctx.compact(&iri), "entityCount": f.count, "attributeDetails": details});
    Ok(respond(StatusCode::OK, accept, &rctx, body))
}

#[derive(Default)]
struct AttrFacts {
    count: usize,
    kinds: BTreeSet<&'static str>,
    types: BTreeSet<String>,
}

fn by_attribute(entities: &[Entity]) -> BTreeMap<String, AttrFacts> {
    let mut out: BTreeMap<String, AttrFacts> = BTreeMap::new();
    for e in entities {
        for (name, list) in &e.attrs {
            let f = out.entry(name.clone()).or_default();
            f.count += list.len();
            f.kinds.extend(list.iter().map(|a: &crate::model::Attr| a.kind.name()));
            f.types.extend(e.types.iter().cloned());
        }
    }
    out
}

async fn attributes(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let p = Params::parse(&req)?;
    let facts = by_attribute(&everything(&ctx, &b, &req).await?);
    let body = if p.details {
        Value::Array(
            facts
                .iter()
                .map(|(a, f)| json!({"id": a, "type": "Attribute", "attributeName": rctx.compact(a), "typeNames": f.types.iter().map(|t| rctx.compact(t)).collect::<Vec<_>>()}))
                .collect(),
        )
    } else {
        json!({"id": format!("urn:ngsi-ld:AttributeList:{}", uuid::Uuid::now_v7()), "type": "AttributeList", "attributeList": facts.keys().map(|a| rctx.compact(a)).collect::<Vec<_>>()})
    };
    Ok(respond(StatusCode::OK, accept, &rctx, body))
}

async fn attribute_info(State(ctx): State<Ctx>, Extension(b): Extension<Broker>, Path(attr): Path<String>, req: Req) -> NgsiResult<Response> {
    let accept = req.accept()?;
    req.check_tenant(&ctx).await?;
    let rctx = req.link_context(&b).await?;
    let iri = rctx.expand(&attr);
    let facts = by_attribute(&everything(&ctx, &b, &req).await?);
    let f = facts.get(&iri).ok_or_else(|| NgsiError::not_found(format!("no attribute {attr}")))?;
    let body = json!({
        "id": iri,
        "type": "Attribute",
        "attributeName": rctx.compact(&iri),
        "attributeCount": f.count,
        "attributeTypes": f.kinds.iter().collect::<Vec<_>>(),
        "typeNames": f.types.iter().map(|t| rctx.compact(t)).collect::<Vec<_>>(),
    });
    Ok(respond(StatusCode::OK, accept, &rctx, body))
}
