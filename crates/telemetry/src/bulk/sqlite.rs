//! SQLite: the journal, and the checkpoint's batch writes as multi-row
//! `VALUES` with `?` placeholders (at most 10,000 parameters a statement,
//! within SQLite's 32,766). Fewer, larger statements: each is a round trip
//! to sqlx's connection thread.

use super::{chunks, db_err};
use crate::live::RefusedCount;
use crate::rollup::{Agg, Key};
use sea_orm::DbErr;
use sqlx::sqlite::SqliteArguments;
use sqlx::{AssertSqlSafe, SqliteConnection};

const ROWS: usize = 512;
/// Rows per statement for the checkpoint's large batches (readings, rollups).
const MANY: usize = 2048;

type Query = sqlx::query::Query<'static, sqlx::Sqlite, SqliteArguments>;

/// `(?, ?, …), …`: `rows` tuples of `cols` placeholders.
fn marks(cols: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; cols].join(", "));
    vec![one; rows].join(", ")
}

/// Run one statement per chunk of `rows`, built by `sql` for the chunk size
/// and bound by `bind`. The next statement is bound while SQLite runs the
/// current one on its connection thread.
async fn each_chunk<T: Copy>(
    c: &mut SqliteConnection,
    rows: &[T],
    per_statement: usize,
    sql: impl Fn(usize) -> String,
    bind: impl Fn(Query, T) -> Query,
) -> Result<u64, DbErr> {
    let build = |chunk: &[T]| chunk.iter().fold(sqlx::query(AssertSqlSafe(sql(chunk.len()))), |q, row| bind(q, *row));
    let parts = chunks(rows, per_statement);
    let mut next = parts.first().map(|p| build(p));
    let mut n = 0;
    for i in 0..parts.len() {
        let Some(q) = next.take() else { break };
        let (done, built) = tokio::join!(q.execute(&mut *c), async { parts.get(i + 1).map(|p| build(p)) });
        n += done.map_err(db_err)?.rows_affected();
        next = built;
    }
    Ok(n)
}

/// A connection for the checkpoint's own transactions, with
/// `synchronous=NORMAL`: they need no fsync each, since what they write is
/// in the journal already and the next journal append (`FULL`) syncs the WAL
/// up to it (a power loss can only lose a suffix of the WAL, which the
/// checkpoint's bookkeeping allows for). `FULL` is set again by `done`; a
/// connection left `NORMAL` — by an error, a panic, a dropped future — is
/// closed rather than handed back to the writer.
pub struct Relaxed {
    conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    restored: bool,
}

impl Relaxed {
    pub async fn new(pool: &sqlx::SqlitePool) -> Result<Relaxed, DbErr> {
        let conn = pool.acquire().await.map_err(db_err)?;
        let mut r = Relaxed { conn, restored: false };
        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *r.conn).await.map_err(db_err)?;
        Ok(r)
    }

    pub async fn begin(&mut self) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>, DbErr> {
        use sqlx::Connection;
        self.conn.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)
    }

    pub async fn done(mut self) -> Result<(), DbErr> {
        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *self.conn).await.map_err(db_err)?;
        self.restored = true;
        Ok(())
    }
}

impl Drop for Relaxed {
    fn drop(&mut self) {
        if !self.restored {
            self.conn.close_on_drop();
        }
    }
}

/// One group commit's entry; durable when this returns (autocommit, `synchronous=FULL`).
pub async fn append_journal(c: &mut SqliteConnection, seq: i64, body: &[u8]) -> Result<(), DbErr> {
    sqlx::query("INSERT INTO telemetry_journal (seq, body) VALUES (?, ?)").bind(seq).bind(body).execute(c).await.map_err(db_err).map(|_| ())
}

/// Every entry not yet checkpointed, oldest first.
pub async fn journal(c: &mut SqliteConnection) -> Result<Vec<(i64, Vec<u8>)>, DbErr> {
    sqlx::query_as("SELECT seq, body FROM telemetry_journal ORDER BY seq").fetch_all(c).await.map_err(db_err)
}

pub async fn drop_journal(c: &mut SqliteConnection, upto: i64) -> Result<(), DbErr> {
    sqlx::query("DELETE FROM telemetry_journal WHERE seq <= ?").bind(upto).execute(c).await.map_err(db_err).map(|_| ())
}

/// An unfinished checkpoint: the journal rows it covers, and the last series whose rollups it merged.
pub async fn progress(c: &mut SqliteConnection) -> Result<Option<(i64, i64)>, DbErr> {
    sqlx::query_as("SELECT upto, series FROM telemetry_checkpoint WHERE id = 1").fetch_optional(c).await.map_err(db_err)
}

pub async fn set_progress(c: &mut SqliteConnection, upto: i64, series: i64) -> Result<(), DbErr> {
    sqlx::query("INSERT INTO telemetry_checkpoint (id, upto, series) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET upto = excluded.upto, series = excluded.series")
        .bind(upto)
        .bind(series)
        .execute(c)
        .await
        .map_err(db_err)
        .map(|_| ())
}

pub async fn clear_progress(c: &mut SqliteConnection) -> Result<(), DbErr> {
    sqlx::query("DELETE FROM telemetry_checkpoint").execute(c).await.map_err(db_err).map(|_| ())
}

/// Raw readings (series, ts, value); a reading already there is left alone,
/// so a checkpoint interrupted after some slices can run again.
pub async fn insert_readings(c: &mut SqliteConnection, rows: &[(i64, i64, f64)]) -> Result<u64, DbErr> {
    each_chunk(
        c,
        rows,
        MANY,
        |n| format!("INSERT INTO telemetry_readings (series_id, ts, value) VALUES {} ON CONFLICT (series_id, ts) DO NOTHING", marks(3, n)),
        |q, (s, t, v)| q.bind(s).bind(t).bind(v),
    )
    .await
}

/// Fold aggregates into the stored rollups.
pub async fn merge_rollups(c: &mut SqliteConnection, aggs: &[(Key, Agg)]) -> Result<(), DbErr> {
    each_chunk(
        c,
        aggs,
        MANY / 2,
        |n| {
            format!(
                "INSERT INTO telemetry_rollups (series_id, period, bucket, n, vsum, vmin, vmax, vlast, last_ts) VALUES {} \
                 ON CONFLICT (series_id, period, bucket) DO UPDATE SET \
                 n = telemetry_rollups.n + excluded.n, vsum = telemetry_rollups.vsum + excluded.vsum, \
                 vmin = MIN(telemetry_rollups.vmin, excluded.vmin), vmax = MAX(telemetry_rollups.vmax, excluded.vmax), \
                 vlast = CASE WHEN excluded.last_ts >= telemetry_rollups.last_ts THEN excluded.vlast ELSE telemetry_rollups.vlast END, \
                 last_ts = MAX(telemetry_rollups.last_ts, excluded.last_ts)",
                marks(9, n)
            )
        },
        |q, ((s, p, b), a)| q.bind(s).bind(p).bind(b).bind(a.n).bind(a.sum).bind(a.min).bind(a.max).bind(a.last).bind(a.last_ts),
    )
    .await
    .map(|_| ())
}

/// Move latest values forward (series, ts, value); never back.
pub async fn update_latest(c: &mut SqliteConnection, rows: &[(i64, i64, f64)]) -> Result<(), DbErr> {
    each_chunk(
        c,
        rows,
        ROWS,
        |n| {
            format!(
                "WITH v(id, t, x) AS (VALUES {}) UPDATE telemetry_series SET last_ts = v.t, last_value = v.x FROM v \
                 WHERE telemetry_series.id = v.id AND (telemetry_series.last_ts IS NULL OR telemetry_series.last_ts < v.t)",
                marks(3, n)
            )
        },
        |q, (s, t, v)| q.bind(s).bind(t).bind(v),
    )
    .await
    .map(|_| ())
}

/// Devices heard from (device, time).
pub async fn touch_devices(c: &mut SqliteConnection, rows: &[(i64, i64)]) -> Result<(), DbErr> {
    each_chunk(
        c,
        rows,
        ROWS,
        |n| {
            format!(
                "WITH v(id, t) AS (VALUES {}) UPDATE telemetry_devices SET last_seen = v.t FROM v \
                 WHERE telemetry_devices.id = v.id AND (telemetry_devices.last_seen IS NULL OR telemetry_devices.last_seen < v.t)",
                marks(2, n)
            )
        },
        |q, (d, t)| q.bind(d).bind(t),
    )
    .await
    .map(|_| ())
}

/// Readings sent again (device, count, last time), as reason `duplicate`.
pub async fn count_duplicates(c: &mut SqliteConnection, rows: &[(i64, i64, i64)]) -> Result<(), DbErr> {
    each_chunk(
        c,
        rows,
        ROWS,
        |n| {
            format!(
                "WITH v(id, n, at) AS (VALUES {}) INSERT INTO telemetry_rejections (device_key, reason, n, last_at, last_detail) \
                 SELECT d.key, 'duplicate', v.n, v.at, '{}' FROM v JOIN telemetry_devices d ON d.id = v.id WHERE true \
                 ON CONFLICT (device_key, reason) DO UPDATE SET n = telemetry_rejections.n + excluded.n, \
                 last_at = MAX(telemetry_rejections.last_at, excluded.last_at)",
                marks(3, n),
                crate::store::DUPLICATE_DETAIL
            )
        },
        |q, (d, n, at)| q.bind(d).bind(n).bind(at),
    )
    .await
    .map(|_| ())
}

/// Refused readings ((key, reason), (count, last time, last detail)).
pub async fn count_refused(c: &mut SqliteConnection, rows: &[RefusedCount]) -> Result<(), DbErr> {
    let rows: Vec<(&str, &str, i64, i64, &str)> = rows.iter().map(|((k, r), (n, at, d))| (k.as_str(), r.code(), *n, *at, d.as_str())).collect();
    each_chunk(
        c,
        &rows,
        ROWS,
        |n| {
            format!(
                "INSERT INTO telemetry_rejections (device_key, reason, n, last_at, last_detail) VALUES {} \
                 ON CONFLICT (device_key, reason) DO UPDATE SET n = telemetry_rejections.n + excluded.n, \
                 last_at = excluded.last_at, last_detail = excluded.last_detail",
                marks(5, n)
            )
        },
        |q, (key, reason, n, at, detail)| q.bind(key).bind(reason).bind(n).bind(at).bind(detail),
    )
    .await
    .map(|_| ())
}

/// The stored latest reading of each of these series.
pub async fn latest_of(c: &mut SqliteConnection, ids: &[i64]) -> Result<Vec<(i64, Option<(i64, f64)>)>, DbErr> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in chunks(ids, ROWS) {
        let sql = format!("SELECT id, last_ts, last_value FROM telemetry_series WHERE id IN ({})", vec!["?"; chunk.len()].join(", "));
        let mut q = sqlx::query_as::<_, (i64, Option<i64>, Option<f64>)>(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for (id, t, v) in q.fetch_all(&mut *c).await.map_err(db_err)? {
            out.push((id, t.map(|t| (t, v.unwrap_or_default()))));
        }
    }
    // Series without a row (removed devices) have nothing stored either.
    let found: std::collections::HashSet<i64> = out.iter().map(|(id, _)| *id).collect();
    out.extend(ids.iter().filter(|id| !found.contains(id)).map(|id| (*id, None)));
    Ok(out)
}

/// Which of these (series, ts) are stored.
pub async fn stored(c: &mut SqliteConnection, keys: &[(i64, i64)]) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut out = vec![];
    for chunk in chunks(keys, ROWS) {
        let sql = format!("SELECT series_id, ts FROM telemetry_readings WHERE (series_id, ts) IN (VALUES {})", marks(2, chunk.len()));
        let mut q = sqlx::query_as::<_, (i64, i64)>(AssertSqlSafe(sql));
        for (s, t) in chunk {
            q = q.bind(*s).bind(*t);
        }
        out.extend(q.fetch_all(&mut *c).await.map_err(db_err)?);
    }
    Ok(out)
}
