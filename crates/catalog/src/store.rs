//! The catalogue's SQL (both backends): the only place that touches `catalog_datasets`.

use crate::model::{ExternalFile, Period};
use kernel::Timestamp;
use kernel::db::{col, exec, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use serde::{Deserialize, Serialize};

/// What staff write about a dataset. For an override only the fields staff
/// decide are used (see `service::apply_override`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Meta {
    pub title_sl: String,
    pub title_en: String,
    pub description_sl: String,
    pub description_en: String,
    pub theme: String,
    pub keywords: Vec<String>,
    pub owner: String,
    pub contact_email: String,
    pub frequency: String,
    pub temporal: Period,
    pub usable: Period,
    pub access: String,
    pub licence: String,
    pub spatial: String,
    pub related: Vec<String>,
    pub derived_from: Vec<String>,
    pub consumers: Vec<String>,
    pub hvd: String,
    pub personal_data: bool,
    pub files: Vec<ExternalFile>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Staff,
    Override,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Staff => "staff",
            Kind::Override => "override",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Record {
    pub name: String,
    pub kind: Kind,
    pub meta: Meta,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn from_row(r: &QueryResult) -> Result<Record, DbErr> {
    let meta: String = col(r, "meta")?;
    Ok(Record {
        name: col(r, "name")?,
        kind: if col::<String>(r, "kind")? == "override" { Kind::Override } else { Kind::Staff },
        meta: serde_json::from_str(&meta).map_err(|e| DbErr::Custom(format!("catalog_datasets.meta: {e}")))?,
        created_at: Timestamp(col(r, "created_at")?),
        updated_at: Timestamp(col(r, "updated_at")?),
    })
}

pub async fn all<C: ConnectionTrait>(c: &C) -> Result<Vec<Record>, DbErr> {
    query_all(c, "SELECT name, kind, meta, created_at, updated_at FROM catalog_datasets ORDER BY name", []).await?.iter().map(from_row).collect()
}

/// Changes whenever a record is saved or removed: the number of records and the last change.
pub type Fingerprint = (i64, i64);

pub async fn fingerprint<C: ConnectionTrait>(c: &C) -> Result<Fingerprint, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n, MAX(updated_at) AS t FROM catalog_datasets", []).await?;
    Ok(match r {
        Some(r) => (col(&r, "n")?, col::<Option<i64>>(&r, "t")?.unwrap_or_default()),
        None => (0, 0),
    })
}

pub async fn get<C: ConnectionTrait>(c: &C, name: &str) -> Result<Option<Record>, DbErr> {
    query_opt(c, "SELECT name, kind, meta, created_at, updated_at FROM catalog_datasets WHERE name = $1", [name.into()])
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// Insert or replace a record; `created_at` is kept on replace.
pub async fn save<C: ConnectionTrait>(c: &C, name: &str, kind: Kind, meta: &Meta, by: Option<&str>, now: Timestamp, demo: bool) -> Result<(), DbErr> {
    let json = serde_json::to_string(meta).map_err(|e| DbErr::Custom(e.to_string()))?;
    exec(
        c,
        "INSERT INTO catalog_datasets (name, kind, meta, created_at, updated_at, updated_by, demo) VALUES ($1, $2, $3, $4, $4, $5, $6) \
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, meta = excluded.meta, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [name.into(), kind.code().into(), json.into(), now.0.into(), opt_str(by.map(str::to_string)), (demo as i64).into()],
    )
    .await
    .map(|_| ())
}

pub async fn delete<C: ConnectionTrait>(c: &C, name: &str) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM catalog_datasets WHERE name = $1", [name.into()]).await? > 0)
}

pub async fn is_empty<C: ConnectionTrait>(c: &C) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT name FROM catalog_datasets LIMIT 1", []).await?.is_none())
}
