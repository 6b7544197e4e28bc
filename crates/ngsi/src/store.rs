//! The broker's SQL (both backends): entities, their types, the temporal
//! evolution of attributes, subscriptions, tenants and hosted contexts.
//! The only place that touches the `ngsi_` tables.

use crate::model::{Attr, Entity};
use kernel::db::{col, exec, for_update, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, Value as Sql};
use serde_json::Value;

/// The tenant of requests without an `NGSILD-Tenant` header.
pub const DEFAULT_TENANT: &str = "";

fn json_err(e: serde_json::Error) -> DbErr {
    DbErr::Custom(format!("NGSI-LD body: {e}"))
}

fn decode(body: &str) -> Result<Entity, DbErr> {
    serde_json::from_str(body).map_err(json_err)
}

pub async fn tenant_exists<C: ConnectionTrait>(c: &C, tenant: &str) -> Result<bool, DbErr> {
    if tenant == DEFAULT_TENANT {
        return Ok(true);
    }
    Ok(query_opt(c, "SELECT name FROM ngsi_tenants WHERE name = $1", [tenant.into()]).await?.is_some())
}

pub async fn ensure_tenant<C: ConnectionTrait>(c: &C, tenant: &str, now: i64) -> Result<(), DbErr> {
    if tenant == DEFAULT_TENANT {
        return Ok(());
    }
    exec(c, "INSERT INTO ngsi_tenants (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [tenant.into(), now.into()]).await?;
    Ok(())
}

pub async fn tenants<C: ConnectionTrait>(c: &C) -> Result<Vec<String>, DbErr> {
    query_all(c, "SELECT name FROM ngsi_tenants ORDER BY name", []).await?.iter().map(|r| col(r, "name")).collect()
}

async fn write_types<C: ConnectionTrait>(c: &C, tenant: &str, e: &Entity) -> Result<(), DbErr> {
    exec(c, "DELETE FROM ngsi_entity_types WHERE tenant = $1 AND id = $2", [tenant.into(), e.id.clone().into()]).await?;
    for t in &e.types {
        exec(
            c,
            "INSERT INTO ngsi_entity_types (tenant, type, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [tenant.into(), t.clone().into(), e.id.clone().into()],
        )
        .await?;
    }
    Ok(())
}

/// Create; false if an entity with that id exists.
pub async fn insert_entity<C: ConnectionTrait>(c: &C, tenant: &str, e: &Entity) -> Result<bool, DbErr> {
    let body = serde_json::to_string(e).map_err(json_err)?;
    let n = exec(
        c,
        "INSERT INTO ngsi_entities (tenant, id, body, created_at, modified_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, id) DO NOTHING",
        [tenant.into(), e.id.clone().into(), body.into(), e.created_at.into(), e.modified_at.into()],
    )
    .await?;
    if n == 0 {
        return Ok(false);
    }
    write_types(c, tenant, e).await?;
    Ok(true)
}

/// Write an entity that exists (after a change read in the same transaction).
pub async fn update_entity<C: ConnectionTrait>(c: &C, tenant: &str, e: &Entity) -> Result<(), DbErr> {
    let body = serde_json::to_string(e).map_err(json_err)?;
    exec(
        c,
        "UPDATE ngsi_entities SET body = $3, modified_at = $4 WHERE tenant = $1 AND id = $2",
        [tenant.into(), e.id.clone().into(), body.into(), e.modified_at.into()],
    )
    .await?;
    write_types(c, tenant, e).await
}

pub async fn get_entity<C: ConnectionTrait>(c: &C, tenant: &str, id: &str) -> Result<Option<Entity>, DbErr> {
    let sql = format!("SELECT body FROM ngsi_entities WHERE tenant = $1 AND id = $2{}", for_update(c));
    match query_opt(c, &sql, [tenant.into(), id.into()]).await? {
        Some(r) => Ok(Some(decode(&col::<String>(&r, "body")?)?)),
        None => Ok(None),
    }
}

pub async fn delete_entity<C: ConnectionTrait>(c: &C, tenant: &str, id: &str) -> Result<bool, DbErr> {
    exec(c, "DELETE FROM ngsi_entity_types WHERE tenant = $1 AND id = $2", [tenant.into(), id.into()]).await?;
    Ok(exec(c, "DELETE FROM ngsi_entities WHERE tenant = $1 AND id = $2", [tenant.into(), id.into()]).await? > 0)
}

/// Delete every entity of a tenant matching nothing in particular: used by purge with filters applied in Rust.
pub async fn entities_by_ids<C: ConnectionTrait>(c: &C, tenant: &str, ids: &[String]) -> Result<Vec<Entity>, DbErr> {
    let mut out = vec![];
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!("SELECT body FROM ngsi_entities WHERE tenant = $1 AND id IN ({}) ORDER BY id", marks.join(", "));
        let mut params: Vec<Sql> = vec![tenant.into()];
        params.extend(chunk.iter().map(|i| Sql::from(i.clone())));
        for r in query_all(c, &sql, params).await? {
            out.push(decode(&col::<String>(&r, "body")?)?);
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Entities having any of these types (all entities when `types` is empty), by id.
pub async fn entities_by_types<C: ConnectionTrait>(c: &C, tenant: &str, types: &[String]) -> Result<Vec<Entity>, DbErr> {
    let rows = if types.is_empty() {
        query_all(c, "SELECT body FROM ngsi_entities WHERE tenant = $1 ORDER BY id", [tenant.into()]).await?
    } else {
        let marks: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT body FROM ngsi_entities WHERE tenant = $1 AND id IN (SELECT id FROM ngsi_entity_types WHERE tenant = $1 AND type IN ({})) ORDER BY id",
            marks.join(", ")
        );
        let mut params: Vec<Sql> = vec![tenant.into()];
        params.extend(types.iter().map(|t| Sql::from(t.clone())));
        query_all(c, &sql, params).await?
    };
    rows.iter().map(|r| decode(&col::<String>(r, "body")?)).collect()
}

pub async fn count_entities<C: ConnectionTrait>(c: &C, tenant: &str) -> Result<i64, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n FROM ngsi_entities WHERE tenant = $1", [tenant.into()]).await?;
    r.map(|r| col(&r, "n")).transpose().map(|n| n.unwrap_or(0))
}

// ---- temporal evolution ----

/// An attribute instance of the temporal evolution.
#[derive(Clone, Debug)]
pub struct Instance {
    pub entity_id: String,
    pub attr: String,
    pub instance_id: String,
    pub attr_value: Attr,
    pub deleted_at: Option<i64>,
}

pub async fn upsert_temporal_entity<C: ConnectionTrait>(
    c: &C,
    tenant: &str,
    id: &str,
    types: &[String],
    scopes: &[String],
    now: i64,
) -> Result<bool, DbErr> {
    let t = serde_json::to_string(types).map_err(json_err)?;
    let s = serde_json::to_string(scopes).map_err(json_err)?;
    let existing = query_opt(c, "SELECT id FROM ngsi_temporal_entities WHERE tenant = $1 AND id = $2", [tenant.into(), id.into()]).await?;
    if existing.is_some() {
        exec(
            c,
            "UPDATE ngsi_temporal_entities SET types = $3, scopes = $4, modified_at = $5 WHERE tenant = $1 AND id = $2",
            [tenant.into(), id.into(), t.into(), s.into(), now.into()],
        )
        .await?;
        return Ok(false);
    }
    exec(
        c,
        "INSERT INTO ngsi_temporal_entities (tenant, id, types, scopes, created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $5)",
        [tenant.into(), id.into(), t.into(), s.into(), now.into()],
    )
    .await?;
    Ok(true)
}

/// A temporal entity's id, types, scopes and times.
#[derive(Clone, Debug)]
pub struct TemporalEntity {
    pub id: String,
    pub types: Vec<String>,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub modified_at: i64,
}

fn temporal_row(r: &sea_orm::QueryResult) -> Result<TemporalEntity, DbErr> {
    Ok(TemporalEntity {
        id: col(r, "id")?,
        types: serde_json::from_str(&col::<String>(r, "types")?).map_err(json_err)?,
        scopes: serde_json::from_str(&col::<String>(r, "scopes")?).map_err(json_err)?,
        created_at: col(r, "created_at")?,
        modified_at: col(r, "modified_at")?,
    })
}

pub async fn temporal_entities<C: ConnectionTrait>(c: &C, tenant: &str) -> Result<Vec<TemporalEntity>, DbErr> {
    query_all(c, "SELECT * FROM ngsi_temporal_entities WHERE tenant = $1 ORDER BY id", [tenant.into()]).await?.iter().map(temporal_row).collect()
}

pub async fn temporal_entity<C: ConnectionTrait>(c: &C, tenant: &str, id: &str) -> Result<Option<TemporalEntity>, DbErr> {
    query_opt(c, "SELECT * FROM ngsi_temporal_entities WHERE tenant = $1 AND id = $2", [tenant.into(), id.into()])
        .await?
        .as_ref()
        .map(temporal_row)
        .transpose()
}

pub async fn delete_temporal_entity<C: ConnectionTrait>(c: &C, tenant: &str, id: &str) -> Result<bool, DbErr> {
    exec(c, "DELETE FROM ngsi_instances WHERE tenant = $1 AND entity_id = $2", [tenant.into(), id.into()]).await?;
    Ok(exec(c, "DELETE FROM ngsi_temporal_entities WHERE tenant = $1 AND id = $2", [tenant.into(), id.into()]).await? > 0)
}

pub async fn add_instance<C: ConnectionTrait>(
    c: &C,
    tenant: &str,
    entity_id: &str,
    attr: &str,
    a: &Attr,
    deleted_at: Option<i64>,
) -> Result<String, DbErr> {
    let id = format!("urn:ngsi-ld:Instance:{}", uuid::Uuid::now_v7());
    let body = serde_json::to_string(a).map_err(json_err)?;
    exec(
        c,
        "INSERT INTO ngsi_instances (tenant, instance_id, entity_id, attr, dataset_id, observed_at, created_at, modified_at, deleted_at, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            tenant.into(),
            id.clone().into(),
            entity_id.into(),
            attr.into(),
            a.dataset_id.clone().unwrap_or_default().into(),
            kernel::db::opt_i64(a.observed_micros()),
            a.created_at.into(),
            a.modified_at.into(),
            kernel::db::opt_i64(deleted_at),
            body.into(),
        ],
    )
    .await?;
    Ok(id)
}

fn instance_row(r: &sea_orm::QueryResult) -> Result<Instance, DbErr> {
    Ok(Instance {
        entity_id: col(r, "entity_id")?,
        attr: col(r, "attr")?,
        instance_id: col(r, "instance_id")?,
        attr_value: serde_json::from_str(&col::<String>(r, "body")?).map_err(json_err)?,
        deleted_at: col(r, "deleted_at")?,
    })
}

/// Every instance of an entity's attributes (all attributes when `attrs` is empty), oldest first.
pub async fn instances<C: ConnectionTrait>(c: &C, tenant: &str, entity_id: &str, attrs: &[String]) -> Result<Vec<Instance>, DbErr> {
    let rows = if attrs.is_empty() {
        query_all(
            c,
            "SELECT * FROM ngsi_instances WHERE tenant = $1 AND entity_id = $2 ORDER BY created_at, instance_id",
            [tenant.into(), entity_id.into()],
        )
        .await?
    } else {
        let marks: Vec<String> = (0..attrs.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT * FROM ngsi_instances WHERE tenant = $1 AND entity_id = $2 AND attr IN ({}) ORDER BY created_at, instance_id",
            marks.join(", ")
        );
        let mut params: Vec<Sql> = vec![tenant.into(), entity_id.into()];
        params.extend(attrs.iter().map(|a| Sql::from(a.clone())));
        query_all(c, &sql, params).await?
    };
    rows.iter().map(instance_row).collect()
}

pub async fn instance<C: ConnectionTrait>(c: &C, tenant: &str, instance_id: &str) -> Result<Option<Instance>, DbErr> {
    query_opt(c, "SELECT * FROM ngsi_instances WHERE tenant = $1 AND instance_id = $2", [tenant.into(), instance_id.into()])
        .await?
        .as_ref()
        .map(instance_row)
        .transpose()
}

pub async fn replace_instance<C: ConnectionTrait>(c: &C, tenant: &str, instance_id: &str, a: &Attr) -> Result<bool, DbErr> {
    let body = serde_json::to_string(a).map_err(json_err)?;
    Ok(exec(
        c,
        "UPDATE ngsi_instances SET body = $3, observed_at = $4, modified_at = $5, dataset_id = $6 WHERE tenant = $1 AND instance_id = $2",
        [
            tenant.into(),
            instance_id.into(),
            body.into(),
            kernel::db::opt_i64(a.observed_micros()),
            a.modified_at.into(),
            a.dataset_id.clone().unwrap_or_default().into(),
        ],
    )
    .await?
        > 0)
}

pub async fn delete_instance<C: ConnectionTrait>(c: &C, tenant: &str, entity_id: &str, attr: &str, instance_id: &str) -> Result<bool, DbErr> {
    Ok(exec(
        c,
        "DELETE FROM ngsi_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4",
        [tenant.into(), entity_id.into(), attr.into(), instance_id.into()],
    )
    .await?
        > 0)
}

/// Add an instance given through the temporal API: one observed at the same
/// time for the same attribute and datasetId is the same observation, replaced.
pub async fn put_observation<C: ConnectionTrait>(c: &C, tenant: &str, entity_id: &str, attr: &str, a: &Attr) -> Result<String, DbErr> {
    if let Some(t) = a.observed_micros() {
        exec(
            c,
            "DELETE FROM ngsi_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND dataset_id = $4 AND observed_at = $5 AND deleted_at IS NULL",
            [tenant.into(), entity_id.into(), attr.into(), a.dataset_id.clone().unwrap_or_default().into(), t.into()],
        )
        .await?;
    }
    add_instance(c, tenant, entity_id, attr, a, None).await
}

/// Remove an attribute's evolution (one dataset, or all of them).
pub async fn delete_attr_history<C: ConnectionTrait>(
    c: &C,
    tenant: &str,
    entity_id: &str,
    attr: &str,
    dataset_id: Option<&str>,
) -> Result<u64, DbErr> {
    match dataset_id {
        Some(d) => {
            exec(
                c,
                "DELETE FROM ngsi_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND dataset_id = $4",
                [tenant.into(), entity_id.into(), attr.into(), d.into()],
            )
            .await
        }
        None => {
            exec(c, "DELETE FROM ngsi_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3", [tenant.into(), entity_id.into(), attr.into()])
                .await
        }
    }
}

// ---- subscriptions ----

pub async fn insert_subscription<C: ConnectionTrait>(c: &C, tenant: &str, id: &str, body: &Value, now: i64) -> Result<bool, DbErr> {
    Ok(exec(
        c,
        "INSERT INTO ngsi_subscriptions (tenant, id, body, created_at, modified_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (tenant, id) DO NOTHING",
        [tenant.into(), id.into(), body.to_string().into(), now.into()],
    )
    .await?
        > 0)
}

pub async fn update_subscription<C: ConnectionTrait>(c: &C, tenant: &str, id: &str, body: &Value, now: i64) -> Result<bool, DbErr> {
    Ok(exec(
        c,
        "UPDATE ngsi_subscriptions SET body = $3, modified_at = $4 WHERE tenant = $1 AND id = $2",
        [tenant.into(), id.into(), body.to_string().into(), now.into()],
    )
    .await?
        > 0)
}

/// A subscription's stored body (locked for the transaction on PostgreSQL: delivery counts are read-modify-write).
pub async fn subscription<C: ConnectionTrait>(c: &C, tenant: &str, id: &str) -> Result<Option<Value>, DbErr> {
    let sql = format!("SELECT body FROM ngsi_subscriptions WHERE tenant = $1 AND id = $2{}", for_update(c));
    match query_opt(c, &sql, [tenant.into(), id.into()]).await? {
        Some(r) => Ok(Some(serde_json::from_str(&col::<String>(&r, "body")?).map_err(json_err)?)),
        None => Ok(None),
    }
}

/// Every subscription, with its tenant, oldest first.
pub async fn all_subscriptions<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, Value)>, DbErr> {
    let rows = query_all(c, "SELECT tenant, body FROM ngsi_subscriptions ORDER BY created_at, id", []).await?;
    rows.iter().map(|r| Ok((col(r, "tenant")?, serde_json::from_str(&col::<String>(r, "body")?).map_err(json_err)?))).collect()
}

pub async fn delete_subscription<C: ConnectionTrait>(c: &C, tenant: &str, id: &str) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM ngsi_subscriptions WHERE tenant = $1 AND id = $2", [tenant.into(), id.into()]).await? > 0)
}

// ---- hosted contexts ----

pub async fn insert_context<C: ConnectionTrait>(c: &C, id: &str, url: &str, body: &Value, now: i64) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO ngsi_contexts (id, url, body, created_at) VALUES ($1, $2, $3, $4)",
        [id.into(), url.into(), body.to_string().into(), now.into()],
    )
    .await
    .map(|_| ())
}

pub async fn contexts<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, String, Value, i64)>, DbErr> {
    let rows = query_all(c, "SELECT id, url, body, created_at FROM ngsi_contexts ORDER BY created_at", []).await?;
    rows.iter()
        .map(|r| Ok((col(r, "id")?, col(r, "url")?, serde_json::from_str(&col::<String>(r, "body")?).map_err(json_err)?, col(r, "created_at")?)))
        .collect()
}

pub async fn delete_context<C: ConnectionTrait>(c: &C, id: &str) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM ngsi_contexts WHERE id = $1", [id.into()]).await? > 0)
}
