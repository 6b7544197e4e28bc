//! The checkpoint (SQLite): writes what the journal holds into the tables
//! and deletes the journal rows it covered. It runs in the background —
//! when ingestion pauses, at least every couple of seconds while it runs
//! (`checkpoint_idle_ms`, `checkpoint_every_ms`), and sooner
//! when much is buffered — and before any read of the tables (`settle`).
//!
//! Everything goes in slices of their own transactions, so that journal
//! appends (acknowledgements) wait at most one slice. Raw readings first,
//! sorted by series and time (a reading already there is left alone), then
//! latest values and last-seen times (they only move forward): written twice
//! after a crash, they change nothing. Rollups are added to, so each rollup
//! slice records how far it got (`telemetry_checkpoint`) in its own
//! transaction; the counts go with the deletion of the journal rows, at
//! once. At start, `replay` reads the journal back (skipping rollups an
//! interrupted checkpoint had merged) and checkpoints it before the
//! platform answers.

use crate::bulk::{db_err, sqlite as sq};
use crate::journal::Entry;
use crate::live::{Live, Sealed};
use crate::rollup;
use kernel::Ctx;
use sea_orm::DbErr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Checkpoint early once this many readings are buffered.
const SOON: usize = 1_000_000;
/// Readings per slice transaction (rollup slices: half as many rows). Each
/// commit rewrites the B-tree pages above what it touched, so smaller slices
/// cost more in all; larger ones keep acknowledgements waiting longer
/// (about 15 ms here).
const SLICE: usize = 20_000;

pub struct Checkpointer {
    pub live: Arc<Live>,
    /// Ingestion counts as paused after `idle` without a commit; a
    /// checkpoint at least every `every` while it runs.
    idle: Duration,
    every: Duration,
    /// One checkpoint at a time; one that failed is finished by the next.
    running: tokio::sync::Mutex<Option<Progress>>,
}

struct Progress {
    sealed: Sealed,
    /// Series (from the start of `sealed.readings`) whose raw readings are written.
    written: usize,
    /// Whether latest values and last-seen times are written.
    moved: bool,
    /// Rollups are merged for series up to this one.
    rollups_done: Option<i64>,
}

impl Progress {
    fn new(sealed: Sealed, rollups_done: Option<i64>) -> Progress {
        Progress { sealed, written: 0, moved: false, rollups_done }
    }
}

impl Checkpointer {
    pub fn new(live: Arc<Live>, (idle, every): (Duration, Duration)) -> Checkpointer {
        Checkpointer { live, idle, every, running: Default::default() }
    }

    /// Write everything applied before this call; returns the readings written.
    ///
    /// It runs on a task of its own, so that a caller that stops waiting (a
    /// read whose client went away) cannot cut it off between a slice's
    /// commit and the note in memory that the slice is done: the next
    /// checkpoint would merge that slice's rollups again.
    pub async fn checkpoint(self: &Arc<Self>, ctx: &Ctx) -> Result<usize, DbErr> {
        let (cp, ctx) = (self.clone(), ctx.clone());
        tokio::spawn(async move { cp.checkpoint_from(&ctx, None).await }).await.map_err(|e| DbErr::Custom(format!("checkpoint: {e}")))?
    }

    /// The same, for a checkpoint that a crash interrupted after it had
    /// merged the rollups of series up to `rollups_done`.
    async fn checkpoint_from(&self, ctx: &Ctx, rollups_done: Option<i64>) -> Result<usize, DbErr> {
        let mut running = self.running.lock().await;
        let mut n = 0;
        // First a checkpoint that failed earlier, then what came since.
        for take_new in [false, true] {
            if take_new {
                *running = self.live.seal().map(|sealed| Progress::new(sealed, rollups_done));
            }
            let Some(p) = running.as_mut() else { continue };
            let started = Instant::now();
            write(ctx, &self.live, p).await?;
            n += p.sealed.reading_count();
            metrics::histogram!("telemetry_checkpoint_seconds").record(started.elapsed().as_secs_f64());
            *running = None;
        }
        self.live.finished();
        Ok(n)
    }

    /// Checkpoint when ingestion pauses, every `every` while it runs, or when much is buffered.
    pub async fn run(self: Arc<Self>, ctx: Ctx) {
        loop {
            let Some(since) = self.live.waiting_since() else {
                self.live.applied.notified().await;
                continue;
            };
            // Look again after `idle` (not at every commit: a burst has thousands).
            let before = self.live.applied_count();
            tokio::time::sleep(self.idle).await;
            let quiet = self.live.applied_count() == before;
            if !(quiet || since.elapsed() >= self.every || self.live.buffered() >= SOON) {
                continue;
            }
            match self.checkpoint(&ctx).await {
                Ok(n) => metrics::counter!("telemetry_checkpointed_readings_total").increment(n as u64),
                Err(e) => {
                    tracing::error!(error = %e, "checkpoint failed; the journal keeps the readings, will retry");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// Time per checkpoint phase, for the ingestion benchmark.
fn phase(name: &'static str, since: &mut Instant) {
    metrics::histogram!("telemetry_checkpoint_phase_seconds", "phase" => name).record(since.elapsed().as_secs_f64());
    *since = Instant::now();
}

async fn write(ctx: &Ctx, live: &Live, p: &mut Progress) -> Result<(), DbErr> {
    let pool = ctx.db.sqlite_pool().ok_or_else(|| DbErr::Custom("the journal needs SQLite".into()))?;
    let mut clock = Instant::now();
    // Raw readings: a slice written twice (after a crash) changes nothing.
    while p.written < p.sealed.readings.len() {
        let mut end = p.written;
        let mut rows: Vec<(i64, i64, f64)> = Vec::with_capacity(SLICE);
        while end < p.sealed.readings.len() && rows.len() < SLICE {
            let (series, points) = &p.sealed.readings[end];
            rows.extend(points.iter().map(|(t, v)| (*series, *t, *v)));
            end += 1;
        }
        let slice = &p.sealed.readings[p.written..end];
        // Readers that combine memory and table wait while a slice moves.
        let _gate = live.gate.write().await;
        step(pool, Step::Readings(&rows)).await?;
        live.written(slice);
        p.written = end;
    }
    phase("readings", &mut clock);
    // Latest values and last-seen times only move forward: also safe twice.
    let s = &p.sealed;
    if !p.moved {
        for latest in s.latest.chunks(SLICE) {
            step(pool, Step::Latest(latest)).await?;
        }
        for devices in s.devices.chunks(SLICE) {
            step(pool, Step::Devices(devices)).await?;
        }
        p.moved = true;
    }
    phase("latest", &mut clock);
    // Rollups are added to: each slice records, in its own transaction, the
    // last series it covered, so that after a crash no slice is added twice.
    let mut aggs = Vec::with_capacity(s.readings.len() * 4);
    for (series, points) in s.readings.iter().filter(|(id, _)| p.rollups_done.is_none_or(|d| *id > d)) {
        rollup::fold_series(*series, points, &mut aggs);
    }
    for slice in by_series(&aggs, SLICE / 2) {
        let last = slice.last().map_or(i64::MIN, |(k, _)| k.0);
        step(pool, Step::Rollups { aggs: slice, upto: s.upto, last }).await?;
        p.rollups_done = Some(last);
    }
    phase("rollups", &mut clock);
    // Counts are added to as well: with the journal rows, at once.
    step(pool, Step::Finish(s)).await?;
    phase("commit", &mut clock);
    Ok(())
}

/// One transaction of a checkpoint.
enum Step<'a> {
    Readings(&'a [(i64, i64, f64)]),
    Latest(&'a [(i64, i64, f64)]),
    Devices(&'a [(i64, i64)]),
    /// Rollups of series up to `last`, and that they are merged.
    Rollups {
        aggs: &'a [(rollup::Key, rollup::Agg)],
        upto: i64,
        last: i64,
    },
    /// Counts, and the journal rows and progress row gone.
    Finish(&'a Sealed),
}

async fn step(pool: &sqlx::SqlitePool, step: Step<'_>) -> Result<(), DbErr> {
    let mut r = sq::Relaxed::new(pool).await?;
    let mut txn = r.begin().await?;
    match step {
        Step::Readings(rows) => sq::insert_readings(&mut txn, rows).await.map(|_| ())?,
        Step::Latest(rows) => sq::update_latest(&mut txn, rows).await?,
        Step::Devices(rows) => sq::touch_devices(&mut txn, rows).await?,
        Step::Rollups { aggs, upto, last } => {
            sq::merge_rollups(&mut txn, aggs).await?;
            sq::set_progress(&mut txn, upto, last).await?;
        }
        Step::Finish(s) => {
            sq::count_duplicates(&mut txn, &s.duplicates).await?;
            sq::count_refused(&mut txn, &s.refused).await?;
            sq::drop_journal(&mut txn, s.upto).await?;
            sq::clear_progress(&mut txn).await?;
        }
    }
    txn.commit().await.map_err(db_err)?;
    // Committed: the step is done. Should `FULL` fail to be set again, the
    // connection is closed rather than reused, so that is no reason to run
    // the step (and add its rollups) a second time.
    if let Err(e) = r.done().await {
        tracing::warn!(error = %e, "restoring synchronous=FULL failed; the connection is closed");
    }
    Ok(())
}

/// Consecutive runs of at least `size` rollups (the last may be shorter), cut between series.
fn by_series(aggs: &[(rollup::Key, rollup::Agg)], size: usize) -> Vec<&[(rollup::Key, rollup::Agg)]> {
    let mut out = vec![];
    let mut start = 0;
    for i in 1..=aggs.len() {
        let boundary = i == aggs.len() || aggs[i].0.0 != aggs[i - 1].0.0;
        if boundary && (i - start >= size || i == aggs.len()) {
            out.push(&aggs[start..i]);
            start = i;
        }
    }
    out
}

/// Load from the table the latest readings of series the live state does not know (`Live::unknown`).
pub async fn learn(ctx: &Ctx, live: &Live, unknown: Vec<i64>) -> Result<(), DbErr> {
    if unknown.is_empty() {
        return Ok(());
    }
    let pool = ctx.db.sqlite_pool().ok_or_else(|| DbErr::Custom("the journal needs SQLite".into()))?;
    let mut c = pool.acquire().await.map_err(db_err)?;
    live.learn(sq::latest_of(&mut c, &unknown).await?);
    Ok(())
}

/// At start: read the journal back into the live state and checkpoint it,
/// so the tables hold every acknowledged reading. Returns the entries replayed.
pub async fn replay(ctx: &Ctx, cp: &Arc<Checkpointer>) -> Result<usize, DbErr> {
    let pool = ctx.db.sqlite_pool().ok_or_else(|| DbErr::Custom("the journal needs SQLite".into()))?;
    let rows = {
        let mut c = pool.acquire().await.map_err(db_err)?;
        sq::journal(&mut c).await?
    };
    let mut entries = Vec::with_capacity(rows.len());
    for (seq, body) in &rows {
        // A damaged entry stops the start: acknowledged readings are not dropped silently.
        let e = Entry::decode(body).map_err(|e| DbErr::Custom(format!("telemetry journal row {seq} cannot be read: {e}")))?;
        entries.push((*seq, e));
    }
    let unknown = cp.live.unknown(entries.iter().flat_map(|(_, e)| e.readings.iter().map(|r| r.series)));
    learn(ctx, &cp.live, unknown).await?;
    // A checkpoint that stopped between its rollup slices covered the entries
    // up to `upto`: finish it first, without the rollups it had merged.
    let progress = {
        let mut c = pool.acquire().await.map_err(db_err)?;
        sq::progress(&mut c).await?
    };
    let mut rest = entries.as_slice();
    if let Some((upto, series)) = progress {
        let split = entries.partition_point(|(seq, _)| *seq <= upto);
        for (seq, e) in &entries[..split] {
            cp.live.apply(e, *seq);
        }
        cp.checkpoint_from(ctx, Some(series)).await?;
        rest = &entries[split..];
    }
    for (seq, e) in rest {
        cp.live.apply(e, *seq);
    }
    cp.checkpoint(ctx).await?;
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollup_slices_end_between_series() {
        let agg = rollup::Agg { n: 1, sum: 0.0, min: 0.0, max: 0.0, last: 0.0, last_ts: 0 };
        let aggs: Vec<_> = [1, 1, 1, 2, 3, 3, 4].iter().enumerate().map(|(i, s)| ((*s, 3600, i as i64), agg)).collect();
        let sizes: Vec<Vec<i64>> = by_series(&aggs, 2).iter().map(|s| s.iter().map(|(k, _)| k.0).collect()).collect();
        assert_eq!(sizes, vec![vec![1, 1, 1], vec![2, 3, 3], vec![4]]);
        assert!(by_series(&[], 2).is_empty());
    }

    use crate::testing::sqlite_ctx;

    async fn hourly_count(ctx: &Ctx) -> i64 {
        let pool = ctx.db.sqlite_pool().unwrap();
        sqlx::query_scalar("SELECT COALESCE(SUM(n), 0) FROM telemetry_rollups WHERE period = 3600").fetch_one(pool).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_checkpoint_its_caller_gives_up_on_merges_no_rollup_twice() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = sqlite_ctx(dir.path()).await;
        let cp = Arc::new(Checkpointer::new(Arc::default(), (Duration::from_secs(600), Duration::from_secs(600))));
        // One reading for each of many series: several rollup slices per checkpoint.
        let n = 30_000i64;
        let entry = |round: i64| Entry {
            at: 1,
            readings: (0..n).map(|i| crate::model::Reading { series: round * n + i + 1, device: 1, ts: 1_795_550_400_000, value: 1.0 }).collect(),
            ..Default::default()
        };
        cp.live.apply(&entry(0), 1);
        let started = Instant::now();
        cp.checkpoint(&ctx).await.unwrap();
        let full = started.elapsed();
        assert_eq!(hourly_count(&ctx).await, n);
        // A caller (a read whose client went away) stops waiting at points all
        // through the checkpoint; what it started is finished once, whatever the point.
        let rounds = 24;
        for round in 1..=rounds {
            cp.live.apply(&entry(round), round + 1);
            let cut = full.mul_f64(0.2 + 0.8 * round as f64 / rounds as f64);
            let _ = tokio::time::timeout(cut, cp.checkpoint(&ctx)).await;
            cp.checkpoint(&ctx).await.unwrap();
            assert_eq!(hourly_count(&ctx).await, n * (round + 1), "cut off after {cut:?} of {full:?}");
        }
    }
}
