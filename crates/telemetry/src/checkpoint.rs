//! The checkpoint (SQLite): writes what the journal holds into the tables
//! and deletes the journal rows it covered. It runs in the background —
//! when ingestion pauses, at least every couple of seconds while it runs
//! (`checkpoint_idle_ms`, `checkpoint_every_ms`), and sooner
//! when much is buffered — and before any read of the tables (`settle`).
//!
//! Raw readings go first, sorted by series and time, in slices of their own
//! transactions so that journal appends (acknowledgements) wait at most one
//! slice; a reading already there is left alone, so a slice may be written
//! twice after a crash. Then one transaction merges the rollups, moves the
//! latest values, devices' last-seen times and the counts, and deletes the
//! journal rows: these are merged exactly once. At start, `replay` reads the
//! journal back and checkpoints it before the platform answers.

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
/// Readings per slice transaction.
const SLICE: usize = 10_000;

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
    /// Series (from the start of `sealed.readings`) already written.
    written: usize,
}

impl Checkpointer {
    pub fn new(live: Arc<Live>, (idle, every): (Duration, Duration)) -> Checkpointer {
        Checkpointer { live, idle, every, running: Default::default() }
    }

    /// Write everything applied before this call; returns the readings written.
    pub async fn checkpoint(&self, ctx: &Ctx) -> Result<usize, DbErr> {
        let mut running = self.running.lock().await;
        let mut n = 0;
        // First a checkpoint that failed earlier, then what came since.
        for take_new in [false, true] {
            if take_new {
                *running = self.live.seal().map(|sealed| Progress { sealed, written: 0 });
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
    pub async fn run(&self, ctx: Ctx) {
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
        let mut txn = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
        sq::insert_readings(&mut txn, &rows).await?;
        txn.commit().await.map_err(db_err)?;
        live.written(slice);
        p.written = end;
    }
    phase("readings", &mut clock);
    let s = &p.sealed;
    let mut aggs = Vec::with_capacity(s.readings.len() * 4);
    for (series, points) in &s.readings {
        rollup::fold_series(*series, points, &mut aggs);
    }
    let mut txn = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    sq::merge_rollups(&mut txn, &aggs).await?;
    phase("rollups", &mut clock);
    sq::update_latest(&mut txn, &s.latest).await?;
    phase("latest", &mut clock);
    sq::touch_devices(&mut txn, &s.devices).await?;
    sq::count_duplicates(&mut txn, &s.duplicates).await?;
    sq::count_refused(&mut txn, &s.refused).await?;
    sq::drop_journal(&mut txn, s.upto).await?;
    phase("devices", &mut clock);
    txn.commit().await.map_err(db_err)?;
    phase("commit", &mut clock);
    Ok(())
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
pub async fn replay(ctx: &Ctx, cp: &Checkpointer) -> Result<usize, DbErr> {
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
    for (seq, e) in &entries {
        cp.live.apply(e, *seq);
    }
    cp.checkpoint(ctx).await?;
    Ok(entries.len())
}
