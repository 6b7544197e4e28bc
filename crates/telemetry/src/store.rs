//! The telemetry tables. Registry statements are portable; bulk registry
//! writes (demo, imports) hand a batch over as one JSON parameter and let
//! the database unpack it. The ingestion hot path binds values directly
//! (`bulk`).

use crate::model::Reason;
use crate::rollup::{self, Agg};
use kernel::db::{col, exec, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Value};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Device {
    #[serde(skip)]
    pub id: i64,
    /// Stable key, also the MQTT user name and the NGSI-LD id suffix.
    pub key: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub name: String,
    pub model: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub department: Option<String>,
    /// ISO date.
    pub installed_on: Option<String>,
    /// `active`, `maintenance` or `retired`.
    pub status: String,
    /// Type-specific attributes (e.g. `feeder` of a street light).
    #[schema(value_type = Object)]
    pub attrs: serde_json::Value,
    /// RFC 3339 time of the last reading received.
    pub last_seen: Option<String>,
}

const DEVICE_COLS: &str = "id, key, type, name, model, lon, lat, department, installed_on, status, attrs, last_seen";

fn device(r: &QueryResult) -> Result<Device, DbErr> {
    Ok(Device {
        id: col(r, "id")?,
        key: col(r, "key")?,
        device_type: col(r, "type")?,
        name: col(r, "name")?,
        model: col(r, "model")?,
        lon: col(r, "lon")?,
        lat: col(r, "lat")?,
        department: col(r, "department")?,
        installed_on: col(r, "installed_on")?,
        status: col(r, "status")?,
        attrs: serde_json::from_str(&col::<String>(r, "attrs")?).unwrap_or_default(),
        last_seen: col::<Option<i64>>(r, "last_seen")?.map(|t| kernel::Timestamp(t).rfc3339()),
    })
}

pub struct NewDevice<'a> {
    pub key: &'a str,
    pub device_type: &'a str,
    pub name: &'a str,
    pub model: Option<&'a str>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub department: Option<&'a str>,
    pub installed_on: Option<&'a str>,
    pub status: &'a str,
    pub attrs: &'a serde_json::Value,
    pub token_hash: &'a str,
}

fn opt_f64(v: Option<f64>) -> Value {
    Value::Double(v)
}

/// Insert a device and one series per quantity; returns the device id.
pub async fn insert_device<C: ConnectionTrait>(c: &C, d: &NewDevice<'_>, quantities: &[(&str, &str)], now: i64) -> Result<i64, DbErr> {
    let row = query_opt(
        c,
        "INSERT INTO telemetry_devices (key, type, name, model, lon, lat, department, installed_on, status, attrs, token_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        [
            d.key.into(),
            d.device_type.into(),
            d.name.into(),
            opt_str(d.model.map(str::to_string)),
            opt_f64(d.lon),
            opt_f64(d.lat),
            opt_str(d.department.map(str::to_string)),
            opt_str(d.installed_on.map(str::to_string)),
            d.status.into(),
            d.attrs.to_string().into(),
            d.token_hash.into(),
            now.into(),
        ],
    )
    .await?
    .ok_or_else(|| DbErr::Custom("no id returned".into()))?;
    let id: i64 = col(&row, "id")?;
    for (q, unit) in quantities {
        exec(c, "INSERT INTO telemetry_series (device_id, quantity, unit) VALUES ($1, $2, $3)", [id.into(), (*q).into(), (*unit).into()]).await?;
    }
    Ok(id)
}

pub async fn device_by_key<C: ConnectionTrait>(c: &C, key: &str) -> Result<Option<Device>, DbErr> {
    query_opt(c, &format!("SELECT {DEVICE_COLS} FROM telemetry_devices WHERE key = $1"), [key.into()]).await?.map(|r| device(&r)).transpose()
}

/// The device a token belongs to.
pub async fn device_key_by_token<C: ConnectionTrait>(c: &C, token_hash: &str) -> Result<Option<String>, DbErr> {
    query_opt(c, "SELECT key FROM telemetry_devices WHERE token_hash = $1", [token_hash.into()]).await?.map(|r| col(&r, "key")).transpose()
}

pub async fn set_token<C: ConnectionTrait>(c: &C, key: &str, token_hash: &str, now: i64) -> Result<u64, DbErr> {
    exec(c, "UPDATE telemetry_devices SET token_hash = $1, updated_at = $2 WHERE key = $3", [token_hash.into(), now.into(), key.into()]).await
}

pub async fn update_device<C: ConnectionTrait>(c: &C, d: &Device, now: i64) -> Result<u64, DbErr> {
    exec(
        c,
        "UPDATE telemetry_devices SET name = $1, model = $2, lon = $3, lat = $4, department = $5, installed_on = $6, status = $7, attrs = $8, updated_at = $9 WHERE id = $10",
        [
            d.name.clone().into(),
            opt_str(d.model.clone()),
            opt_f64(d.lon),
            opt_f64(d.lat),
            opt_str(d.department.clone()),
            opt_str(d.installed_on.clone()),
            d.status.clone().into(),
            d.attrs.to_string().into(),
            now.into(),
            d.id.into(),
        ],
    )
    .await
}

#[derive(Default)]
pub struct DeviceFilter {
    pub device_type: Option<String>,
    /// Only these types (e.g. the public ones), when not empty.
    pub types_in: Vec<String>,
    /// Only these keys, when not empty.
    pub keys: Vec<String>,
    pub status: Option<String>,
    pub department: Option<String>,
    /// min lon, min lat, max lon, max lat.
    pub bbox: Option<[f64; 4]>,
    /// Keys after this one (cursor).
    pub after: Option<String>,
    pub limit: u64,
}

fn filter_sql(f: &DeviceFilter, alias: &str, values: &mut Vec<Value>) -> String {
    let mut w = vec!["1 = 1".to_string()];
    let mut bind = |v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    if let Some(t) = &f.device_type {
        w.push(format!("{alias}type = {}", bind(t.clone().into())));
    }
    if !f.types_in.is_empty() {
        let marks: Vec<String> = f.types_in.iter().map(|t| bind(t.clone().into())).collect();
        w.push(format!("{alias}type IN ({})", marks.join(", ")));
    }
    if !f.keys.is_empty() {
        let marks: Vec<String> = f.keys.iter().map(|k| bind(k.clone().into())).collect();
        w.push(format!("{alias}key IN ({})", marks.join(", ")));
    }
    if let Some(s) = &f.status {
        w.push(format!("{alias}status = {}", bind(s.clone().into())));
    }
    if let Some(d) = &f.department {
        w.push(format!("{alias}department = {}", bind(d.clone().into())));
    }
    if let Some([x0, y0, x1, y1]) = f.bbox {
        w.push(format!("{alias}lon >= {} AND {alias}lat >= {}", bind(x0.into()), bind(y0.into())));
        w.push(format!("{alias}lon <= {} AND {alias}lat <= {}", bind(x1.into()), bind(y1.into())));
    }
    if let Some(a) = &f.after {
        w.push(format!("{alias}key > {}", bind(a.clone().into())));
    }
    w.join(" AND ")
}

pub async fn list_devices<C: ConnectionTrait>(c: &C, f: &DeviceFilter) -> Result<Vec<Device>, DbErr> {
    let mut values = vec![];
    let w = filter_sql(f, "", &mut values);
    values.push((f.limit as i64).into());
    let sql = format!("SELECT {DEVICE_COLS} FROM telemetry_devices WHERE {w} ORDER BY key LIMIT ${}", values.len());
    query_all(c, &sql, values).await?.iter().map(device).collect()
}

pub async fn count_devices<C: ConnectionTrait>(c: &C) -> Result<i64, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n FROM telemetry_devices", []).await?;
    r.map(|r| col(&r, "n")).transpose().map(Option::unwrap_or_default)
}

/// One row per device, type, status and series, for the ingestion cache.
pub struct RegistryRow {
    pub id: i64,
    pub key: String,
    pub device_type: String,
    pub status: String,
    pub series_id: i64,
    pub quantity: String,
}

pub async fn registry_rows<C: ConnectionTrait>(c: &C, keys: &[&str]) -> Result<Vec<RegistryRow>, DbErr> {
    let mut out = vec![];
    for chunk in keys.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT d.id, d.key, d.type, d.status, s.id AS series_id, s.quantity FROM telemetry_devices d \
             JOIN telemetry_series s ON s.device_id = d.id WHERE d.key IN ({})",
            marks.join(", ")
        );
        for r in query_all(c, &sql, chunk.iter().map(|k| Value::from(*k))).await? {
            out.push(RegistryRow {
                id: col(&r, "id")?,
                key: col(&r, "key")?,
                device_type: col(&r, "type")?,
                status: col(&r, "status")?,
                series_id: col(&r, "series_id")?,
                quantity: col(&r, "quantity")?,
            });
        }
    }
    Ok(out)
}

/// The SQL that unpacks a JSON array of objects into rows with these columns.
pub(crate) fn json_rows(backend: DbBackend, cols: &[(&str, &str)]) -> String {
    if backend == DbBackend::Postgres {
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let types: Vec<String> = cols.iter().map(|(n, t)| format!("{n} {t}")).collect();
        format!("SELECT {} FROM json_to_recordset($1::json) AS x({})", names.join(", "), types.join(", "))
    } else {
        let picks: Vec<String> = cols.iter().map(|(n, _)| format!("value->>'{n}' AS {n}")).collect();
        format!("SELECT {} FROM json_each($1)", picks.join(", "))
    }
}

/// `last_detail` of the `duplicate` count.
pub const DUPLICATE_DETAIL: &str = "the same time again; stored once";

/// Insert rollups into buckets known to be empty (recomputation).
pub async fn insert_rollups<C: ConnectionTrait>(c: &C, aggs: &[(crate::rollup::Key, crate::rollup::Agg)]) -> Result<(), DbErr> {
    for ((s, p, b), a) in aggs {
        exec(
            c,
            "INSERT INTO telemetry_rollups (series_id, period, bucket, n, vsum, vmin, vmax, vlast, last_ts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [(*s).into(), (*p as i32).into(), (*b).into(), a.n.into(), a.sum.into(), a.min.into(), a.max.into(), a.last.into(), a.last_ts.into()],
        )
        .await?;
    }
    Ok(())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RejectionCount {
    pub device: String,
    pub reason: Reason,
    pub count: i64,
    /// RFC 3339.
    pub last_at: String,
    pub last_detail: String,
}

pub async fn rejection_counts<C: ConnectionTrait>(c: &C, device: Option<&str>) -> Result<Vec<RejectionCount>, DbErr> {
    let rows = match device {
        Some(d) => query_all(c, "SELECT * FROM telemetry_rejections WHERE device_key = $1 ORDER BY last_at DESC", [d.into()]).await?,
        None => query_all(c, "SELECT * FROM telemetry_rejections ORDER BY last_at DESC LIMIT 1000", []).await?,
    };
    rows.iter()
        .map(|r| {
            Ok(RejectionCount {
                device: col(r, "device_key")?,
                reason: Reason::from_code(&col::<String>(r, "reason")?).unwrap_or(Reason::Malformed),
                count: col(r, "n")?,
                last_at: kernel::Timestamp(col(r, "last_at")?).rfc3339(),
                last_detail: col(r, "last_detail")?,
            })
        })
        .collect()
}

/// The series of one device and quantity.
pub async fn series_id<C: ConnectionTrait>(c: &C, device_key: &str, quantity: &str) -> Result<Option<(i64, String)>, DbErr> {
    let r = query_opt(
        c,
        "SELECT s.id, s.unit FROM telemetry_series s JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = $1 AND s.quantity = $2",
        [device_key.into(), quantity.into()],
    )
    .await?;
    r.map(|r| Ok((col(&r, "id")?, col(&r, "unit")?))).transpose()
}

/// A point of a series: a raw reading (min = max = mean = last, n = 1) or a rollup bucket.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Point {
    /// Milliseconds since the epoch (bucket start for rollups).
    #[serde(skip)]
    pub ts: i64,
    /// RFC 3339.
    pub time: String,
    pub count: i64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub sum: f64,
    pub last: f64,
}

/// Raw readings of a series in `[from, to)`, oldest first.
pub async fn raw_values<C: ConnectionTrait>(c: &C, series: i64, from: i64, to: i64, limit: u64) -> Result<Vec<(i64, f64)>, DbErr> {
    let rows = query_all(
        c,
        "SELECT ts, value FROM telemetry_readings WHERE series_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4",
        [series.into(), from.into(), to.into(), (limit.min(i64::MAX as u64) as i64).into()],
    )
    .await?;
    rows.iter().map(|r| Ok((col(r, "ts")?, col(r, "value")?))).collect()
}

/// Raw readings of these series from `since` on, as (series, ts, value).
pub async fn raw_since<C: ConnectionTrait>(c: &C, series: &[i64], since: i64) -> Result<Vec<(i64, i64, f64)>, DbErr> {
    let mut out = vec![];
    for chunk in series.chunks(500) {
        let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT series_id, ts, value FROM telemetry_readings WHERE ts >= $1 AND series_id IN ({}) ORDER BY series_id, ts",
            marks.join(", ")
        );
        let values = std::iter::once(Value::from(since)).chain(chunk.iter().map(|s| Value::from(*s)));
        for r in query_all(c, &sql, values).await? {
            out.push((col(&r, "series_id")?, col(&r, "ts")?, col(&r, "value")?));
        }
    }
    Ok(out)
}

pub async fn raw_points<C: ConnectionTrait>(c: &C, series: i64, from: i64, to: i64, limit: u64) -> Result<Vec<Point>, DbErr> {
    Ok(raw_values(c, series, from, to, limit)
        .await?
        .into_iter()
        .map(|(ts, v)| Point::of(ts, &Agg { n: 1, sum: v, min: v, max: v, last: v, last_ts: ts }))
        .collect())
}

impl Point {
    fn of(ts: i64, a: &Agg) -> Point {
        Point {
            ts,
            time: kernel::Timestamp(ts).rfc3339(),
            count: a.n,
            min: a.min,
            max: a.max,
            mean: a.sum / a.n.max(1) as f64,
            sum: a.sum,
            last: a.last,
        }
    }
}

/// The first bucket start at or after `t`.
fn bucket_at_or_after(t: i64, period: i64) -> i64 {
    let b = rollup::bucket(t, period);
    if b == t { b } else { b + period * 1000 }
}

/// Buckets starting in `[from, to)`: stored rollups, or for `FINE` folded
/// from the raw readings.
pub async fn rollup_points<C: ConnectionTrait>(c: &C, series: i64, period: i64, from: i64, to: i64, limit: u64) -> Result<Vec<Point>, DbErr> {
    if period == rollup::FINE {
        let (lo, hi) = (bucket_at_or_after(from, period), bucket_at_or_after(to, period));
        let raw = raw_values(c, series, lo, hi, u64::MAX).await?;
        return Ok(rollup::fold(raw, period).iter().take(limit as usize).map(|(b, a)| Point::of(*b, a)).collect());
    }
    let rows = query_all(
        c,
        "SELECT bucket, n, vsum, vmin, vmax, vlast FROM telemetry_rollups WHERE series_id = $1 AND period = $2 AND bucket >= $3 AND bucket < $4 ORDER BY bucket LIMIT $5",
        [series.into(), period.into(), from.into(), to.into(), (limit as i64).into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let a = Agg { n: col(r, "n")?, sum: col(r, "vsum")?, min: col(r, "vmin")?, max: col(r, "vmax")?, last: col(r, "vlast")?, last_ts: 0 };
            Ok(Point::of(col(r, "bucket")?, &a))
        })
        .collect()
}

/// The latest value of one quantity of one device.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Latest {
    pub device: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub quantity: String,
    pub unit: String,
    pub value: Option<f64>,
    /// RFC 3339 time of the reading.
    pub time: Option<String>,
}

/// The latest state of every series that matches, in one query.
pub async fn latest<C: ConnectionTrait>(c: &C, f: &DeviceFilter, quantity: Option<&str>) -> Result<Vec<Latest>, DbErr> {
    let mut values = vec![];
    let mut w = filter_sql(f, "d.", &mut values);
    if let Some(q) = quantity {
        values.push(q.into());
        w.push_str(&format!(" AND s.quantity = ${}", values.len()));
    }
    values.push((f.limit as i64).into());
    let sql = format!(
        "SELECT d.key, d.type, d.lon, d.lat, s.quantity, s.unit, s.last_ts, s.last_value FROM telemetry_series s \
         JOIN telemetry_devices d ON d.id = s.device_id WHERE {w} ORDER BY d.key, s.quantity LIMIT ${}",
        values.len()
    );
    query_all(c, &sql, values)
        .await?
        .iter()
        .map(|r| {
            Ok(Latest {
                device: col(r, "key")?,
                device_type: col(r, "type")?,
                lon: col(r, "lon")?,
                lat: col(r, "lat")?,
                quantity: col(r, "quantity")?,
                unit: col(r, "unit")?,
                value: col(r, "last_value")?,
                time: col::<Option<i64>>(r, "last_ts")?.map(|t| kernel::Timestamp(t).rfc3339()),
            })
        })
        .collect()
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Asset {
    #[serde(skip)]
    pub id: i64,
    pub key: String,
    /// `building`, `road_section`, `bridge`, `water_section`, `bin`, `luminaire`, `charger`, `feeder`, …
    pub kind: String,
    pub name: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub department: Option<String>,
    #[schema(value_type = Object)]
    pub attrs: serde_json::Value,
}

fn asset(r: &QueryResult) -> Result<Asset, DbErr> {
    Ok(Asset {
        id: col(r, "id")?,
        key: col(r, "key")?,
        kind: col(r, "kind")?,
        name: col(r, "name")?,
        lon: col(r, "lon")?,
        lat: col(r, "lat")?,
        department: col(r, "department")?,
        attrs: serde_json::from_str(&col::<String>(r, "attrs")?).unwrap_or_default(),
    })
}

pub async fn insert_asset<C: ConnectionTrait>(c: &C, a: &Asset, now: i64) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO telemetry_assets (key, kind, name, lon, lat, department, attrs, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        [
            a.key.clone().into(),
            a.kind.clone().into(),
            a.name.clone().into(),
            opt_f64(a.lon),
            opt_f64(a.lat),
            opt_str(a.department.clone()),
            a.attrs.to_string().into(),
            now.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn asset_by_key<C: ConnectionTrait>(c: &C, key: &str) -> Result<Option<Asset>, DbErr> {
    query_opt(c, "SELECT * FROM telemetry_assets WHERE key = $1", [key.into()]).await?.map(|r| asset(&r)).transpose()
}

pub async fn list_assets<C: ConnectionTrait>(c: &C, kind: Option<&str>, after: Option<&str>, limit: u64) -> Result<Vec<Asset>, DbErr> {
    let rows = query_all(
        c,
        "SELECT * FROM telemetry_assets WHERE ($1 IS NULL OR kind = $1) AND ($2 IS NULL OR key > $2) ORDER BY key LIMIT $3",
        [opt_str(kind.map(str::to_string)), opt_str(after.map(str::to_string)), (limit as i64).into()],
    )
    .await?;
    rows.iter().map(asset).collect()
}

/// Link a device to an asset it watches; true if the link is new.
pub async fn link<C: ConnectionTrait>(c: &C, device_id: i64, asset_id: i64) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "INSERT INTO telemetry_device_assets (device_id, asset_id) VALUES ($1, $2) ON CONFLICT (device_id, asset_id) DO NOTHING",
        [device_id.into(), asset_id.into()],
    )
    .await?;
    Ok(n > 0)
}

pub async fn unlink<C: ConnectionTrait>(c: &C, device_id: i64, asset_id: i64) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM telemetry_device_assets WHERE device_id = $1 AND asset_id = $2", [device_id.into(), asset_id.into()]).await? > 0)
}

/// Keys of the devices that watch an asset.
pub async fn asset_device_keys<C: ConnectionTrait>(c: &C, asset_id: i64, limit: u64) -> Result<Vec<String>, DbErr> {
    let rows = query_all(
        c,
        "SELECT d.key FROM telemetry_device_assets l JOIN telemetry_devices d ON d.id = l.device_id WHERE l.asset_id = $1 ORDER BY d.key LIMIT $2",
        [asset_id.into(), (limit as i64).into()],
    )
    .await?;
    rows.iter().map(|r| col(r, "key")).collect()
}

/// Keys of the assets a device watches.
pub async fn device_asset_keys<C: ConnectionTrait>(c: &C, device_id: i64) -> Result<Vec<String>, DbErr> {
    let rows = query_all(
        c,
        "SELECT a.key FROM telemetry_device_assets l JOIN telemetry_assets a ON a.id = l.asset_id WHERE l.device_id = $1 ORDER BY a.key",
        [device_id.into()],
    )
    .await?;
    rows.iter().map(|r| col(r, "key")).collect()
}

/// Insert many devices at once (demo, imports), skipping keys that exist,
/// then give each new device one series per quantity of its type.
/// `rows`: objects with k (key), t (type), n (name), x, y, d (department), a (attrs as JSON text).
pub async fn bulk_insert_devices<C: ConnectionTrait>(
    c: &C,
    rows: &[serde_json::Value],
    quantities: &[(String, String, String)],
    now: i64,
) -> Result<u64, DbErr> {
    let b = c.get_database_backend();
    let src = json_rows(
        b,
        &[("k", "text"), ("t", "text"), ("n", "text"), ("x", "double precision"), ("y", "double precision"), ("d", "text"), ("a", "text")],
    );
    let mut inserted = 0;
    for chunk in rows.chunks(5000) {
        let json = serde_json::Value::Array(chunk.to_vec()).to_string();
        inserted += exec(
            c,
            &format!(
                "INSERT INTO telemetry_devices (key, type, name, lon, lat, department, status, attrs, created_at, updated_at) \
                 SELECT k, t, n, x, y, d, 'active', a, $2, $2 FROM ({src}) AS j WHERE true ON CONFLICT (key) DO NOTHING"
            ),
            [json.into(), now.into()],
        )
        .await?;
    }
    let qsrc = json_rows(b, &[("t", "text"), ("q", "text"), ("u", "text")]);
    let qjson = serde_json::to_string(&quantities.iter().map(|(t, q, u)| serde_json::json!({"t": t, "q": q, "u": u})).collect::<Vec<_>>())
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    exec(
        c,
        &format!(
            "INSERT INTO telemetry_series (device_id, quantity, unit) SELECT d.id, j.q, j.u FROM telemetry_devices d JOIN ({qsrc}) AS j ON j.t = d.type \
             WHERE NOT EXISTS (SELECT 1 FROM telemetry_series s WHERE s.device_id = d.id AND s.quantity = j.q)"
        ),
        [qjson.into()],
    )
    .await?;
    Ok(inserted)
}

/// Link many devices to assets by key: objects with d (device key) and a (asset key).
pub async fn bulk_link(c: &impl ConnectionTrait, pairs: &[(String, String)]) -> Result<u64, DbErr> {
    let src = json_rows(c.get_database_backend(), &[("d", "text"), ("a", "text")]);
    let mut n = 0;
    for chunk in pairs.chunks(5000) {
        let json = serde_json::to_string(&chunk.iter().map(|(d, a)| serde_json::json!({"d": d, "a": a})).collect::<Vec<_>>())
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        n += exec(
            c,
            &format!(
                "INSERT INTO telemetry_device_assets (device_id, asset_id) SELECT dv.id, a.id FROM ({src}) AS j \
                 JOIN telemetry_devices dv ON dv.key = j.d JOIN telemetry_assets a ON a.key = j.a WHERE true ON CONFLICT (device_id, asset_id) DO NOTHING"
            ),
            [json.into()],
        )
        .await?;
    }
    Ok(n)
}

/// Device–asset links of the devices that match: (device key, asset key, asset kind).
pub async fn links<C: ConnectionTrait>(c: &C, f: &DeviceFilter) -> Result<Vec<(String, String, String)>, DbErr> {
    let mut values = vec![];
    let w = filter_sql(f, "d.", &mut values);
    let sql = format!(
        "SELECT d.key AS dk, a.key AS ak, a.kind FROM telemetry_device_assets l JOIN telemetry_devices d ON d.id = l.device_id \
         JOIN telemetry_assets a ON a.id = l.asset_id WHERE {w} ORDER BY d.key, a.key"
    );
    query_all(c, &sql, values).await?.iter().map(|r| Ok((col(r, "dk")?, col(r, "ak")?, col(r, "kind")?))).collect()
}

/// Devices per type.
pub async fn count_by_type<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, i64)>, DbErr> {
    let rows = query_all(c, "SELECT type, COUNT(*) AS n FROM telemetry_devices GROUP BY type", []).await?;
    rows.iter().map(|r| Ok((col(r, "type")?, col(r, "n")?))).collect()
}

/// Assets per kind.
pub async fn count_assets_by_kind<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, i64)>, DbErr> {
    let rows = query_all(c, "SELECT kind, COUNT(*) AS n FROM telemetry_assets GROUP BY kind", []).await?;
    rows.iter().map(|r| Ok((col(r, "kind")?, col(r, "n")?))).collect()
}

/// A rollup bucket of one device, for analytics over many devices at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub ts: i64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    pub last: f64,
}

/// Rollups of one quantity for every device of a type, by device key,
/// oldest first; for `FINE` folded from the raw readings.
pub async fn rollups_by_type<C: ConnectionTrait>(
    c: &C,
    device_type: &str,
    quantity: &str,
    period: i64,
    from: i64,
    to: i64,
) -> Result<HashMap<String, Vec<Bucket>>, DbErr> {
    let bucket = |ts: i64, a: &Agg| Bucket { ts, mean: a.sum / a.n.max(1) as f64, min: a.min, max: a.max, last: a.last };
    let mut out: HashMap<String, Vec<Bucket>> = HashMap::new();
    if period == rollup::FINE {
        let rows = query_all(
            c,
            "SELECT d.key, r.ts, r.value FROM telemetry_readings r JOIN telemetry_series s ON s.id = r.series_id \
             JOIN telemetry_devices d ON d.id = s.device_id WHERE d.type = $1 AND s.quantity = $2 AND r.ts >= $3 AND r.ts < $4 ORDER BY d.key, r.ts",
            [device_type.into(), quantity.into(), bucket_at_or_after(from, period).into(), bucket_at_or_after(to, period).into()],
        )
        .await?;
        let mut raw: HashMap<String, Vec<(i64, f64)>> = HashMap::new();
        for r in rows {
            raw.entry(col(&r, "key")?).or_default().push((col(&r, "ts")?, col(&r, "value")?));
        }
        for (key, points) in raw {
            out.insert(key, rollup::fold(points, period).iter().map(|(b, a)| bucket(*b, a)).collect());
        }
        return Ok(out);
    }
    let rows = query_all(
        c,
        "SELECT d.key, r.bucket, r.n, r.vsum, r.vmin, r.vmax, r.vlast FROM telemetry_rollups r JOIN telemetry_series s ON s.id = r.series_id \
         JOIN telemetry_devices d ON d.id = s.device_id WHERE d.type = $1 AND s.quantity = $2 AND r.period = $3 AND r.bucket >= $4 AND r.bucket < $5 \
         ORDER BY d.key, r.bucket",
        [device_type.into(), quantity.into(), period.into(), from.into(), to.into()],
    )
    .await?;
    for r in rows {
        let a = Agg { n: col(&r, "n")?, sum: col(&r, "vsum")?, min: col(&r, "vmin")?, max: col(&r, "vmax")?, last: col(&r, "vlast")?, last_ts: 0 };
        out.entry(col(&r, "key")?).or_default().push(bucket(col(&r, "bucket")?, &a));
    }
    Ok(out)
}

/// One rollup bucket of a series with its device, for the history dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryRow {
    pub series: i64,
    pub device: String,
    pub device_type: String,
    pub quantity: String,
    pub unit: String,
    /// Bucket start, ms.
    pub bucket: i64,
    pub count: i64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
}

/// The first rollup bucket of `period` (ms) and the last reading (ms) of
/// the series of devices of these types: one index seek per series.
pub async fn history_span<C: ConnectionTrait>(c: &C, types: &[String], period: i64) -> Result<(Option<i64>, Option<i64>), DbErr> {
    if types.is_empty() {
        return Ok((None, None));
    }
    let mut values = vec![period.into()];
    let w = filter_sql(&DeviceFilter { types_in: types.to_vec(), ..Default::default() }, "d.", &mut values);
    let sql = format!(
        "SELECT MIN(x.b) AS t0, MAX(x.t) AS t FROM (SELECT (SELECT MIN(r.bucket) FROM telemetry_rollups r WHERE r.series_id = s.id AND r.period = $1) AS b, \
         s.last_ts AS t FROM telemetry_series s JOIN telemetry_devices d ON d.id = s.device_id WHERE {w}) x"
    );
    let r = query_opt(c, &sql, values).await?;
    let at = |name: &str| r.as_ref().and_then(|r| col::<Option<i64>>(r, name).ok().flatten());
    Ok((at("t0"), at("t")))
}

/// Up to `limit` stored rollups of `period` of the series of devices of
/// these types, in (series, bucket) order, after the (series, bucket)
/// cursor. Keyset paging, one primary-key range per series: a page costs
/// the same however deep into the history it is, on both backends.
pub async fn history_page<C: ConnectionTrait>(
    c: &C,
    types: &[String],
    period: i64,
    after: Option<(i64, i64)>,
    limit: u64,
) -> Result<Vec<HistoryRow>, DbErr> {
    let mut out = vec![];
    if types.is_empty() || limit == 0 {
        return Ok(out);
    }
    let (mut from_series, resume_bucket) = after.unwrap_or((i64::MIN, i64::MIN));
    let first_series = from_series;
    loop {
        // The next series of these types, a chunk at a time.
        let mut values = vec![];
        let w = filter_sql(&DeviceFilter { types_in: types.to_vec(), ..Default::default() }, "d.", &mut values);
        values.push(from_series.into());
        let sql = format!(
            "SELECT s.id, d.key, d.type, s.quantity, s.unit FROM telemetry_series s JOIN telemetry_devices d ON d.id = s.device_id \
             WHERE {w} AND s.id >= ${} ORDER BY s.id LIMIT 200",
            values.len()
        );
        let series = query_all(c, &sql, values).await?;
        let Some(last) = series.last() else { return Ok(out) };
        from_series = col::<i64>(last, "id")? + 1;
        for s in &series {
            let id: i64 = col(s, "id")?;
            let after_bucket = if id == first_series { resume_bucket } else { i64::MIN };
            let want = limit - out.len() as u64;
            let rows = query_all(
                c,
                "SELECT bucket, n, vsum, vmin, vmax FROM telemetry_rollups WHERE series_id = $1 AND period = $2 AND bucket > $3 ORDER BY bucket LIMIT $4",
                [id.into(), period.into(), after_bucket.into(), (want as i64).into()],
            )
            .await?;
            let (device, device_type, quantity, unit): (String, String, String, String) =
                (col(s, "key")?, col(s, "type")?, col(s, "quantity")?, col(s, "unit")?);
            for r in rows {
                let (count, sum): (i64, f64) = (col(&r, "n")?, col(&r, "vsum")?);
                out.push(HistoryRow {
                    series: id,
                    device: device.clone(),
                    device_type: device_type.clone(),
                    quantity: quantity.clone(),
                    unit: unit.clone(),
                    bucket: col(&r, "bucket")?,
                    count,
                    min: col(&r, "vmin")?,
                    max: col(&r, "vmax")?,
                    mean: sum / count.max(1) as f64,
                });
            }
            if out.len() as u64 >= limit {
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn history_pages_walk_every_rollup_of_the_types_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = crate::testing::sqlite_ctx(dir.path()).await;
        let c = ctx.db.conn();
        let attrs = serde_json::json!({});
        let device = |key: &'static str, device_type: &'static str| NewDevice {
            key,
            device_type,
            name: key,
            model: None,
            lon: None,
            lat: None,
            department: None,
            installed_on: None,
            status: "active",
            attrs: &attrs,
            token_hash: key,
        };
        // Two open stations with two quantities, a hidden bin between them.
        insert_device(c, &device("aq-1", "AirQualityObserved"), &[("NO2", "GQ"), ("PM10", "GQ")], 0).await.unwrap();
        insert_device(c, &device("bin-1", "WasteContainer"), &[("fillingLevel", "P1")], 0).await.unwrap();
        insert_device(c, &device("aq-2", "AirQualityObserved"), &[("NO2", "GQ")], 0).await.unwrap();
        let series: Vec<i64> =
            query_all(c, "SELECT id FROM telemetry_series ORDER BY id", []).await.unwrap().iter().map(|r| col(r, "id").unwrap()).collect();
        let agg = |v: f64| Agg { n: 2, sum: 2.0 * v, min: v - 1.0, max: v + 1.0, last: v, last_ts: 0 };
        let mut aggs = vec![];
        for (i, s) in series.iter().enumerate() {
            // Series 2 (PM10) has no rollups: a page goes past it.
            let hours = if i == 1 { 0 } else { 3 + i as i64 };
            for h in 0..hours {
                aggs.push(((*s, 3600, h * 3_600_000), agg(h as f64)));
            }
            aggs.push(((*s, 86_400, 0), agg(9.0)));
        }
        insert_rollups(c, &aggs).await.unwrap();

        let types = vec!["AirQualityObserved".to_string()];
        let (mut walked, mut after) = (vec![], None);
        loop {
            let page = history_page(c, &types, 3600, after, 2).await.unwrap();
            assert!(page.len() <= 2);
            let Some(last) = page.last() else { break };
            after = Some((last.series, last.bucket));
            walked.extend(page);
        }
        let want: Vec<(String, String, i64)> = aggs
            .iter()
            .filter(|((s, p, _), _)| *p == 3600 && *s != series[2])
            .map(|((s, _, b), _)| {
                (if *s == series[3] { "aq-2" } else { "aq-1" }.to_string(), if *s == series[1] { "PM10" } else { "NO2" }.to_string(), *b)
            })
            .collect();
        let got: Vec<(String, String, i64)> = walked.iter().map(|h| (h.device.clone(), h.quantity.clone(), h.bucket)).collect();
        assert_eq!(got, want);
        assert_eq!((walked[1].min, walked[1].max, walked[1].mean, walked[1].count), (0.0, 2.0, 1.0, 2));
        assert!(walked.iter().all(|h| h.device_type == "AirQualityObserved" && h.unit == "GQ"));
        assert!(history_page(c, &[], 3600, None, 10).await.unwrap().is_empty(), "no types, no rows");
        assert_eq!(history_span(c, &types, 3600).await.unwrap(), (Some(0), None), "the first hour; no reading yet");
    }
}
