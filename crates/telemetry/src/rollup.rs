//! Hourly and daily rollups (count, sum, min, max, last), folded from new
//! readings and merged into `telemetry_rollups` exactly once. The 5-minute
//! resolution is not stored: it is folded from the raw readings when read
//! (`fold`), since raw readings are kept at least 30 days.
//!
//! On SQLite the checkpoint merges them. On PostgreSQL each commit of
//! readings leaves its new readings in `telemetry_journal`; any process takes
//! such rows (`FOR UPDATE SKIP LOCKED`), merges their rollups and deletes
//! them in one transaction, so a process that dies leaves its work to the
//! others, and nothing is merged twice.

use crate::bulk::postgres as pg;
use crate::journal::Entry;
use crate::model::Reading;
use crate::store;
use kernel::Ctx;
use kernel::db::{col, exec, query_all};
use sea_orm::DbErr;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::Notify;

/// Stored rollup periods in seconds: an hour, a day.
pub const PERIODS: [i64; 2] = [3600, 86_400];
/// The finer resolution, folded from raw readings when read.
pub const FINE: i64 = 300;

/// (series, period, bucket start in ms).
pub type Key = (i64, i64, i64);

/// Aggregate of readings of one series in one bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Agg {
    pub n: i64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    pub last: f64,
    pub last_ts: i64,
}

impl Agg {
    fn of(ts: i64, v: f64) -> Agg {
        Agg { n: 1, sum: v, min: v, max: v, last: v, last_ts: ts }
    }
    fn add(&mut self, ts: i64, v: f64) {
        self.merge(&Agg::of(ts, v));
    }
    /// Fold another aggregate of the same bucket in.
    pub fn merge(&mut self, o: &Agg) {
        self.n += o.n;
        self.sum += o.sum;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        if o.last_ts >= self.last_ts {
            self.last = o.last;
            self.last_ts = o.last_ts;
        }
    }
}

pub fn bucket(ts: i64, period: i64) -> i64 {
    ts - ts.rem_euclid(period * 1000)
}

/// Buckets of `period` seconds over readings in time order, oldest first.
pub fn fold(points: impl IntoIterator<Item = (i64, f64)>, period: i64) -> Vec<(i64, Agg)> {
    let mut out: Vec<(i64, Agg)> = vec![];
    for (ts, v) in points {
        let b = bucket(ts, period);
        match out.last_mut() {
            Some((last, a)) if *last == b => a.add(ts, v),
            _ => out.push((b, Agg::of(ts, v))),
        }
    }
    out
}

/// Append the hourly and daily aggregates of one series' readings (in time
/// order, no time twice) to `out`, in key order: series taken in order give
/// a sorted list with each key once.
pub fn fold_series(series: i64, points: &[(i64, f64)], out: &mut Vec<(Key, Agg)>) {
    for p in PERIODS {
        out.extend(fold(points.iter().copied(), p).into_iter().map(|(b, a)| ((series, p, b), a)));
    }
}

/// Hourly and daily aggregates of readings in any order (no reading twice), in key order.
pub fn aggregate(readings: &mut [Reading]) -> Vec<(Key, Agg)> {
    readings.sort_unstable_by_key(|r| (r.series, r.ts));
    let mut out = vec![];
    for run in readings.chunk_by(|a, b| a.series == b.series) {
        let points: Vec<(i64, f64)> = run.iter().map(|r| (r.ts, r.value)).collect();
        fold_series(run[0].series, &points, &mut out);
    }
    out
}

/// Journal rows taken per transaction.
const CLAIM: i64 = 200;
/// How often a process looks for rollup work left by others.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// PostgreSQL's rollup work: the journal rows of every process.
pub struct Flusher {
    /// A commit left a journal row.
    pub wake: Notify,
    /// Commits that left one, so far (tells a pause from a burst).
    pub commits: std::sync::atomic::AtomicU64,
    /// Merge after `idle` without a commit, at least every `every` during a burst.
    idle: Duration,
    every: Duration,
}

impl Flusher {
    pub fn new((idle, every): (Duration, Duration)) -> Flusher {
        Flusher { wake: Notify::new(), commits: Default::default(), idle, every }
    }

    /// Merge the rollups of journal rows up to `upto` (all when `None`).
    /// `wait`: also those another process is merging right now (a read that
    /// must see every acknowledged reading waits for them).
    async fn merge(&self, ctx: &Ctx, upto: Option<i64>, wait: bool) -> Result<usize, DbErr> {
        let pool = ctx.db.postgres_pool().ok_or_else(|| DbErr::Custom("rollup journal needs PostgreSQL".into()))?;
        let mut merged = 0;
        loop {
            let started = std::time::Instant::now();
            let mut txn = pool.begin().await.map_err(crate::bulk::db_err)?;
            let rows = pg::claim_journal(&mut txn, upto, CLAIM, wait).await?;
            if rows.is_empty() {
                return Ok(merged);
            }
            let mut readings = vec![];
            for (seq, body) in &rows {
                let e = Entry::decode(body).map_err(|e| DbErr::Custom(format!("journal row {seq}: {e}")))?;
                readings.extend(e.readings);
            }
            pg::merge_rollups(&mut txn, &aggregate(&mut readings)).await?;
            let seqs: Vec<i64> = rows.iter().map(|(s, _)| *s).collect();
            pg::drop_journal(&mut txn, &seqs).await?;
            txn.commit().await.map_err(crate::bulk::db_err)?;
            metrics::histogram!("telemetry_rollup_flush_seconds").record(started.elapsed().as_secs_f64());
            merged += rows.len();
        }
    }

    /// Every row acknowledged before this call, whoever wrote it.
    pub async fn flush(&self, ctx: &Ctx) -> Result<usize, DbErr> {
        let pool = ctx.db.postgres_pool().ok_or_else(|| DbErr::Custom("rollup journal needs PostgreSQL".into()))?;
        let mut c = pool.acquire().await.map_err(crate::bulk::db_err)?;
        let Some(upto) = pg::last_journal_seq(&mut c).await? else { return Ok(0) };
        drop(c);
        self.merge(ctx, Some(upto), true).await
    }

    /// Merge when ingestion pauses (or `every` into a burst), and every
    /// few seconds what other processes left (one that died, or a busy one).
    pub async fn run(&self, ctx: Ctx) {
        loop {
            if tokio::time::timeout(SWEEP_EVERY, self.wake.notified()).await.is_ok() {
                let until = tokio::time::Instant::now() + self.every;
                loop {
                    let before = self.commits.load(Ordering::Relaxed);
                    tokio::time::sleep(self.idle).await;
                    if self.commits.load(Ordering::Relaxed) == before || tokio::time::Instant::now() >= until {
                        break;
                    }
                }
            }
            if let Err(e) = self.merge(&ctx, None, false).await {
                tracing::error!(error = %e, "writing rollups failed; will retry");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Databases written by earlier versions may hold `telemetry_rollup_pending`
/// rows (a crash before rollups were written): recompute, from the raw
/// readings, every bucket they name. Runs at start.
pub async fn recover_legacy(ctx: &Ctx) -> Result<usize, DbErr> {
    let c = ctx.db.conn();
    let rows = query_all(c, "SELECT id, series, min_ts, max_ts FROM telemetry_rollup_pending", []).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let day = PERIODS[PERIODS.len() - 1] * 1000;
    let mut ranges: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in &rows {
        let (min, max): (i64, i64) = (col(r, "min_ts")?, col(r, "max_ts")?);
        let series: Vec<i64> = serde_json::from_str(&col::<String>(r, "series")?).unwrap_or_default();
        for s in series {
            let e = ranges.entry(s).or_insert((min, max));
            e.0 = e.0.min(min);
            e.1 = e.1.max(max);
        }
    }
    let txn = ctx.db.begin().await?;
    let mut aggs = vec![];
    for (series, (min, max)) in &ranges {
        // Whole days around the range: every bucket it touches, at every period.
        let (from, to) = (min - min.rem_euclid(day), max - max.rem_euclid(day) + day);
        let raw = store::raw_points(&txn, *series, from, to, u64::MAX >> 1).await?;
        let points: Vec<(i64, f64)> = raw.iter().map(|p| (p.ts, p.last)).collect();
        exec(&txn, "DELETE FROM telemetry_rollups WHERE series_id = $1 AND bucket >= $2 AND bucket < $3", [(*series).into(), from.into(), to.into()])
            .await?;
        fold_series(*series, &points, &mut aggs);
    }
    store::insert_rollups(&txn, &aggs).await?;
    exec(&txn, "DELETE FROM telemetry_rollup_pending", []).await?;
    txn.commit().await?;
    Ok(ranges.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_fold_into_hours_and_days() {
        let h = 3_600_000;
        let mut readings = vec![
            Reading { series: 1, device: 1, ts: 10 * h + 5, value: 4.0 },
            Reading { series: 1, device: 1, ts: 10 * h + 1, value: 2.0 },
            Reading { series: 1, device: 1, ts: 11 * h, value: 9.0 },
            Reading { series: 2, device: 1, ts: -1, value: 1.0 },
        ];
        let sorted = aggregate(&mut readings);
        assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0), "in key order, each key once");
        let aggs: HashMap<Key, Agg> = sorted.into_iter().collect();
        assert_eq!(aggs[&(1, 3600, 10 * h)], Agg { n: 2, sum: 6.0, min: 2.0, max: 4.0, last: 4.0, last_ts: 10 * h + 5 });
        assert_eq!(aggs[&(1, 3600, 11 * h)].n, 1);
        assert_eq!(aggs[&(1, 86_400, 0)], Agg { n: 3, sum: 15.0, min: 2.0, max: 9.0, last: 9.0, last_ts: 11 * h });
        assert_eq!(aggs[&(2, 3600, -h)].n, 1, "before 1970 the bucket starts an hour earlier, not at 0");
        assert_eq!(aggs.len(), 5);
    }

    #[test]
    fn five_minute_buckets_fold_from_raw_readings() {
        let m = 60_000;
        let got = fold([(0, 1.0), (4 * m, 3.0), (5 * m, 10.0), (16 * m, 7.0)], 300);
        let summary: Vec<(i64, i64, f64, f64)> = got.iter().map(|(b, a)| (*b, a.n, a.sum, a.last)).collect();
        assert_eq!(summary, vec![(0, 2, 4.0, 3.0), (5 * m, 1, 10.0, 10.0), (15 * m, 1, 7.0, 7.0)]);
    }
}
