//! Rollups off the hot path. The writer commits raw readings and leaves a
//! "pending" row naming the series and time range; the new readings are
//! folded into aggregates in memory and written in one transaction at most
//! every five seconds (or as soon as ingestion pauses), which also removes the
//! pending rows. Many readings of a series in the same hour or day become
//! one write. After a crash, `recover` recomputes the buckets the pending
//! rows name from the raw readings, so no acknowledged reading is missing
//! from its rollups.

use crate::model::Reading;
use crate::store::{self, Agg, PERIODS};
use kernel::Ctx;
use kernel::db::{col, exec, query_all};
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

type Key = (i64, i64, i64);

/// Rollups wait at most this long while ingestion goes on; the longer, the
/// more readings of a series share one write of its hourly and daily bucket.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Pending {
    aggs: HashMap<Key, Agg>,
    ids: Vec<String>,
    since: Option<Instant>,
}

#[derive(Default)]
pub struct Accumulator {
    pending: Mutex<Pending>,
    /// Serialises flushes: a read that asks for a flush waits for the one running.
    flushing: tokio::sync::Mutex<()>,
    wake: Notify,
}

/// The pending row for one commit: which series, which time range.
pub fn pending_row(readings: &[Reading]) -> Option<(String, String, i64, i64)> {
    let (min, max) = (readings.iter().map(|r| r.ts).min()?, readings.iter().map(|r| r.ts).max()?);
    let mut series: Vec<i64> = readings.iter().map(|r| r.series).collect();
    series.sort_unstable();
    series.dedup();
    Some((uuid::Uuid::now_v7().to_string(), serde_json::to_string(&series).unwrap_or_default(), min, max))
}

pub async fn insert_pending<C: ConnectionTrait>(c: &C, row: &(String, String, i64, i64)) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO telemetry_rollup_pending (id, series, min_ts, max_ts) VALUES ($1, $2, $3, $4)",
        [row.0.clone().into(), row.1.clone().into(), row.2.into(), row.3.into()],
    )
    .await
    .map(|_| ())
}

impl Accumulator {
    /// Fold committed readings in (after their commit).
    pub fn add(&self, readings: &[Reading], pending_id: String) {
        let aggs = store::aggregate(readings);
        let mut p = self.pending.lock().expect("rollup accumulator");
        for (k, a) in aggs {
            p.aggs.entry(k).and_modify(|x| x.merge(&a)).or_insert(a);
        }
        p.ids.push(pending_id);
        p.since.get_or_insert_with(Instant::now);
        drop(p);
        self.wake.notify_one();
    }

    /// Write everything folded so far.
    pub async fn flush(&self, ctx: &Ctx) -> Result<usize, DbErr> {
        let _one = self.flushing.lock().await;
        let taken = std::mem::take(&mut *self.pending.lock().expect("rollup accumulator"));
        if taken.ids.is_empty() {
            return Ok(0);
        }
        let started = Instant::now();
        let result = async {
            let txn = ctx.db.begin().await?;
            store::merge_rollups(&txn, &taken.aggs).await?;
            delete_pending(&txn, &taken.ids).await?;
            txn.commit().await
        }
        .await;
        match result {
            Ok(()) => {
                metrics::histogram!("telemetry_rollup_flush_seconds").record(started.elapsed().as_secs_f64());
                Ok(taken.aggs.len())
            }
            Err(e) => {
                // Put them back for the next attempt; the pending rows still stand.
                let mut p = self.pending.lock().expect("rollup accumulator");
                for (k, a) in taken.aggs {
                    p.aggs.entry(k).and_modify(|x| x.merge(&a)).or_insert(a);
                }
                p.ids.extend(taken.ids);
                p.since.get_or_insert_with(Instant::now);
                Err(e)
            }
        }
    }

    /// Flush when ingestion pauses for a moment, or `FLUSH_EVERY` after the oldest fold.
    pub async fn run(&self, ctx: Ctx) {
        loop {
            let woke = tokio::time::timeout(Duration::from_millis(50), self.wake.notified()).await.is_ok();
            let (waiting, due) = {
                let p = self.pending.lock().expect("rollup accumulator");
                (!p.ids.is_empty(), p.since.is_some_and(|s| s.elapsed() >= FLUSH_EVERY))
            };
            // Quiet for 50 ms (no new fold woke us), or the oldest fold is old enough: write.
            if waiting
                && (!woke || due)
                && let Err(e) = self.flush(&ctx).await
            {
                tracing::error!(error = %e, "writing rollups failed; will retry");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn delete_pending<C: ConnectionTrait>(c: &C, ids: &[String]) -> Result<(), DbErr> {
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        exec(c, &format!("DELETE FROM telemetry_rollup_pending WHERE id IN ({})", marks.join(", ")), chunk.iter().map(|i| Value::from(i.clone())))
            .await?;
    }
    Ok(())
}

/// After a crash: recompute, from the raw readings, every bucket a pending row names.
pub async fn recover(ctx: &Ctx) -> Result<usize, DbErr> {
    let c = ctx.db.conn();
    let rows = query_all(c, "SELECT id, series, min_ts, max_ts FROM telemetry_rollup_pending", []).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let day = PERIODS[PERIODS.len() - 1] * 1000;
    let mut ranges: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut ids = vec![];
    for r in &rows {
        ids.push(col::<String>(r, "id")?);
        let (min, max): (i64, i64) = (col(r, "min_ts")?, col(r, "max_ts")?);
        let series: Vec<i64> = serde_json::from_str(&col::<String>(r, "series")?).unwrap_or_default();
        for s in series {
            let e = ranges.entry(s).or_insert((min, max));
            e.0 = e.0.min(min);
            e.1 = e.1.max(max);
        }
    }
    let txn = ctx.db.begin().await?;
    for (series, (min, max)) in &ranges {
        // Whole days around the range: every bucket it touches, at every period.
        let (from, to) = (min - min.rem_euclid(day), max - max.rem_euclid(day) + day);
        let raw = store::raw_points(&txn, *series, from, to, u64::MAX >> 1).await?;
        let readings: Vec<Reading> = raw.iter().map(|p| Reading { series: *series, device: 0, ts: p.ts, value: p.last }).collect();
        exec(&txn, "DELETE FROM telemetry_rollups WHERE series_id = $1 AND bucket >= $2 AND bucket < $3", [(*series).into(), from.into(), to.into()])
            .await?;
        store::merge_rollups(&txn, &store::aggregate(&readings)).await?;
    }
    delete_pending(&txn, &ids).await?;
    txn.commit().await?;
    Ok(ranges.len())
}
