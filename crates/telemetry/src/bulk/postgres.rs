//! PostgreSQL: one statement per batch, columns bound as arrays and
//! unpacked with `unnest`. Callers pass rows in key order, so that two
//! processes writing the same rows lock them in the same order (no deadlock).

use super::db_err;
use crate::model::{Reading, Reason};
use crate::rollup::{Agg, Key};
use sea_orm::DbErr;
use sqlx::PgConnection;

fn done(_: sqlx::postgres::PgQueryResult) {}

/// Append readings; returns the (series, ts) that were new.
pub async fn append(c: &mut PgConnection, readings: &[Reading]) -> Result<Vec<(i64, i64)>, DbErr> {
    if readings.is_empty() {
        return Ok(vec![]);
    }
    let (s, t, v): (Vec<i64>, Vec<i64>, Vec<f64>) = readings.iter().map(|r| (r.series, r.ts, r.value)).collect();
    sqlx::query_as(
        "INSERT INTO telemetry_readings (series_id, ts, value) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) \
         ON CONFLICT (series_id, ts) DO NOTHING RETURNING series_id, ts",
    )
    .bind(s)
    .bind(t)
    .bind(v)
    .fetch_all(c)
    .await
    .map_err(db_err)
}

/// Move latest values forward (series, ts, value); never back.
pub async fn update_latest(c: &mut PgConnection, rows: &[(i64, i64, f64)]) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let (s, t, v): (Vec<i64>, Vec<i64>, Vec<f64>) = rows.iter().copied().collect();
    sqlx::query(
        "UPDATE telemetry_series s SET last_ts = v.t, last_value = v.x FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) AS v(id, t, x) \
         WHERE s.id = v.id AND (s.last_ts IS NULL OR s.last_ts < v.t)",
    )
    .bind(s)
    .bind(t)
    .bind(v)
    .execute(c)
    .await
    .map(done)
    .map_err(db_err)
}

/// Mark devices as heard from at `now` (at most every ten seconds per device).
pub async fn touch_devices(c: &mut PgConnection, ids: &[i64], now: i64) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE telemetry_devices SET last_seen = $2 WHERE id = ANY($1) AND (last_seen IS NULL OR last_seen < $3)")
        .bind(ids)
        .bind(now)
        .bind(now - 10_000)
        .execute(c)
        .await
        .map(done)
        .map_err(db_err)
}

/// Readings sent again (device, count), as reason `duplicate`.
pub async fn count_duplicates(c: &mut PgConnection, rows: &[(i64, i64)], now: i64) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let (d, n): (Vec<i64>, Vec<i64>) = rows.iter().copied().collect();
    sqlx::query(
        "INSERT INTO telemetry_rejections (device_key, reason, n, last_at, last_detail) \
         SELECT dv.key, 'duplicate', v.n, $3, $4 FROM unnest($1::bigint[], $2::bigint[]) AS v(id, n) JOIN telemetry_devices dv ON dv.id = v.id \
         ORDER BY dv.key ON CONFLICT (device_key, reason) DO UPDATE SET n = telemetry_rejections.n + excluded.n, last_at = excluded.last_at",
    )
    .bind(d)
    .bind(n)
    .bind(now)
    .bind(crate::store::DUPLICATE_DETAIL)
    .execute(c)
    .await
    .map(done)
    .map_err(db_err)
}

/// Refused readings per (key, reason): (count, detail).
pub async fn count_refused(c: &mut PgConnection, rows: &[(&str, Reason, i64, &str)], now: i64) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let reasons: Vec<&str> = rows.iter().map(|r| r.1.code()).collect();
    let counts: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let details: Vec<&str> = rows.iter().map(|r| r.3).collect();
    sqlx::query(
        "INSERT INTO telemetry_rejections (device_key, reason, n, last_at, last_detail) \
         SELECT k, r, n, $5, d FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS v(k, r, n, d) \
         ON CONFLICT (device_key, reason) DO UPDATE SET n = telemetry_rejections.n + excluded.n, last_at = excluded.last_at, last_detail = excluded.last_detail",
    )
    .bind(keys)
    .bind(reasons)
    .bind(counts)
    .bind(details)
    .bind(now)
    .execute(c)
    .await
    .map(done)
    .map_err(db_err)
}

/// A commit's new readings, as rollup work any process may take.
pub async fn append_journal(c: &mut PgConnection, body: &[u8]) -> Result<(), DbErr> {
    sqlx::query("INSERT INTO telemetry_journal (body) VALUES ($1)").bind(body).execute(c).await.map(done).map_err(db_err)
}

/// Take journal rows up to `upto` (all when `None`), oldest first. `wait`:
/// wait for rows another process is taking (and find them gone once it
/// commits) instead of skipping them.
pub async fn claim_journal(c: &mut PgConnection, upto: Option<i64>, limit: i64, wait: bool) -> Result<Vec<(i64, Vec<u8>)>, DbErr> {
    let lock = if wait { "FOR UPDATE" } else { "FOR UPDATE SKIP LOCKED" };
    let sql = format!("SELECT seq, body FROM telemetry_journal WHERE seq <= $1 ORDER BY seq LIMIT $2 {lock}");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(upto.unwrap_or(i64::MAX)).bind(limit).fetch_all(c).await.map_err(db_err)
}

pub async fn last_journal_seq(c: &mut PgConnection) -> Result<Option<i64>, DbErr> {
    sqlx::query_scalar("SELECT MAX(seq) FROM telemetry_journal").fetch_one(c).await.map_err(db_err)
}

pub async fn drop_journal(c: &mut PgConnection, seqs: &[i64]) -> Result<(), DbErr> {
    sqlx::query("DELETE FROM telemetry_journal WHERE seq = ANY($1)").bind(seqs).execute(c).await.map(done).map_err(db_err)
}

/// Fold aggregates into the stored rollups.
pub async fn merge_rollups(c: &mut PgConnection, aggs: &[(Key, Agg)]) -> Result<(), DbErr> {
    if aggs.is_empty() {
        return Ok(());
    }
    let col = |f: fn(&(Key, Agg)) -> i64| aggs.iter().map(f).collect::<Vec<i64>>();
    let fcol = |f: fn(&(Key, Agg)) -> f64| aggs.iter().map(f).collect::<Vec<f64>>();
    let periods: Vec<i32> = aggs.iter().map(|((_, p, _), _)| *p as i32).collect();
    sqlx::query(
        "INSERT INTO telemetry_rollups (series_id, period, bucket, n, vsum, vmin, vmax, vlast, last_ts) \
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::bigint[]) \
         ON CONFLICT (series_id, period, bucket) DO UPDATE SET \
         n = telemetry_rollups.n + excluded.n, vsum = telemetry_rollups.vsum + excluded.vsum, \
         vmin = LEAST(telemetry_rollups.vmin, excluded.vmin), vmax = GREATEST(telemetry_rollups.vmax, excluded.vmax), \
         vlast = CASE WHEN excluded.last_ts >= telemetry_rollups.last_ts THEN excluded.vlast ELSE telemetry_rollups.vlast END, \
         last_ts = GREATEST(telemetry_rollups.last_ts, excluded.last_ts)",
    )
    .bind(col(|((s, _, _), _)| *s))
    .bind(periods)
    .bind(col(|((_, _, b), _)| *b))
    .bind(col(|(_, a)| a.n))
    .bind(fcol(|(_, a)| a.sum))
    .bind(fcol(|(_, a)| a.min))
    .bind(fcol(|(_, a)| a.max))
    .bind(fcol(|(_, a)| a.last))
    .bind(col(|(_, a)| a.last_ts))
    .execute(c)
    .await
    .map(done)
    .map_err(db_err)
}
