//! The ingestion path shared by HTTP and MQTT: resolve devices through a
//! per-process cache, check every reading, and hand the good ones to a single
//! writer that commits many requests at once (group commit). A request is
//! answered only after its commit is durable, so whatever was acknowledged
//! survives a crash. On SQLite the commit is one journal row (see `live` and
//! `checkpoint`); on PostgreSQL it writes the tables (`commit_direct`).

use crate::bulk::{postgres as pg, sqlite as sq};
use crate::checkpoint::{self, Checkpointer};
use crate::journal::{Entry, Refused};
use crate::live::{self, Live};
use crate::model::{Candidate, DeviceEntry, Limits, Reading, Reason, Rejection, Sender, validate};
use crate::types::DeviceType;
use crate::{rollup, store};
use kernel::Ctx;
use rustc_hash::{FxHashMap, FxHashSet};
use sea_orm::DbErr;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Devices changed by another process are seen after at most this long.
const CACHE_TTL: Duration = Duration::from_secs(30);
/// Readings the writer takes into one transaction at most.
const MAX_GROUP: usize = 100_000;
/// SQLite: readings buffered (journaled, not yet checkpointed) beyond which
/// the writer waits for the checkpoint.
const MAX_BUFFERED: usize = 4_000_000;

/// Device entries by key.
pub struct Registry {
    types: HashMap<String, Arc<DeviceType>>,
    cache: RwLock<FxHashMap<String, (Arc<DeviceEntry>, Instant)>>,
}

impl Registry {
    pub fn new(types: &[DeviceType]) -> Registry {
        Registry { types: types.iter().map(|t| (t.id.clone(), Arc::new(t.clone()))).collect(), cache: RwLock::default() }
    }

    pub fn device_type(&self, id: &str) -> Option<&Arc<DeviceType>> {
        self.types.get(id)
    }

    pub fn types(&self) -> impl Iterator<Item = &Arc<DeviceType>> {
        self.types.values()
    }

    /// Forget a device after a change in this process.
    pub fn invalidate(&self, key: &str) {
        self.cache.write().expect("registry lock").remove(key);
    }

    /// Entries for these keys; unknown keys are absent.
    pub async fn resolve(&self, ctx: &Ctx, keys: &FxHashSet<&str>) -> Result<FxHashMap<String, Arc<DeviceEntry>>, DbErr> {
        let mut found = FxHashMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut missing = vec![];
        {
            let cache = self.cache.read().expect("registry lock");
            for k in keys {
                match cache.get(*k) {
                    Some((e, at)) if at.elapsed() < CACHE_TTL => {
                        found.insert(k.to_string(), e.clone());
                    }
                    _ => missing.push(*k),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let mut loaded: HashMap<String, DeviceEntry> = HashMap::new();
        for r in store::registry_rows(ctx.db.conn(), &missing).await? {
            let Some(t) = self.types.get(&r.device_type) else {
                tracing::warn!(device = %r.key, device_type = %r.device_type, "device of a type no longer configured");
                continue;
            };
            let e = loaded.entry(r.key.clone()).or_insert_with(|| DeviceEntry {
                id: r.id,
                key: r.key.clone(),
                active: r.status == "active",
                device_type: t.clone(),
                series: Default::default(),
            });
            e.series.insert(r.quantity, r.series_id);
        }
        let now = Instant::now();
        let mut cache = self.cache.write().expect("registry lock");
        for (k, e) in loaded {
            let e = Arc::new(e);
            cache.insert(k.clone(), (e.clone(), now));
            found.insert(k, e);
        }
        Ok(found)
    }
}

/// What happened to a batch.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// Readings stored now.
    pub accepted: usize,
    /// Readings already stored before (same device, quantity and time): kept once.
    pub duplicates: usize,
    /// Readings refused, each with its reason; counted per device for staff.
    pub rejected: Vec<Rejection>,
}

struct Job {
    received: Instant,
    readings: Vec<Reading>,
    rejections: HashMap<(String, Reason), (i64, String)>,
    reply: oneshot::Sender<Result<Vec<bool>, String>>,
}

/// Where the writer keeps what it commits.
#[derive(Clone)]
pub enum Store {
    /// SQLite: one journal row per commit; the checkpoint writes the tables.
    Journal(Arc<Checkpointer>),
    /// PostgreSQL: readings, latest values and counts in the commit; rollups
    /// through the journal, merged by any process.
    Direct(Arc<rollup::Flusher>),
}

/// Handle to the single writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

/// Readings just committed, for rules and subscriptions.
pub struct CommittedBatch {
    pub readings: Vec<Reading>,
    /// When the oldest request among them arrived (for reading-to-alarm latency).
    pub received: Instant,
}

pub type Committed = tokio::sync::broadcast::Sender<Arc<CommittedBatch>>;

impl Writer {
    pub fn start(ctx: Ctx, committed: Committed, store: Store) -> Writer {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(write_loop(ctx, rx, committed, store));
        Writer { tx }
    }

    /// Store readings and count rejections; answers once committed with,
    /// per reading, whether it was new.
    async fn write(&self, readings: Vec<Reading>, rejections: HashMap<(String, Reason), (i64, String)>) -> Result<Vec<bool>, String> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job { received: Instant::now(), readings, rejections, reply }).await.map_err(|_| "the writer stopped".to_string())?;
        rx.await.map_err(|_| "the writer stopped".to_string())?
    }
}

async fn write_loop(ctx: Ctx, mut rx: mpsc::Receiver<Job>, committed: Committed, store: Store) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut total = jobs[0].readings.len();
        while total < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => {
                    total += j.readings.len();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        let received = jobs.iter().map(|j| j.received).min().unwrap_or_else(Instant::now);
        let result = match &store {
            Store::Journal(cp) => commit_journal(&ctx, cp, &jobs).await,
            Store::Direct(flusher) => commit_direct(&ctx, flusher, &jobs).await,
        };
        match result {
            Ok((flags, new)) => {
                for (job, f) in jobs.into_iter().zip(flags) {
                    let _ = job.reply.send(Ok(f));
                }
                metrics::counter!("telemetry_readings_stored_total").increment(new.len() as u64);
                if !new.is_empty() {
                    let _ = committed.send(Arc::new(CommittedBatch { readings: new, received }));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "writing readings failed");
                for job in jobs {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// Time per phase of a commit, so the ingestion benchmark can tell where it goes.
struct Phases(Instant);

impl Phases {
    fn mark(&mut self, name: &'static str) {
        metrics::histogram!("telemetry_commit_phase_seconds", "phase" => name).record(self.0.elapsed().as_secs_f64());
        self.0 = Instant::now();
    }
}

/// SQLite: sort the readings in memory (asking the table only about late
/// ones), append one journal row, fold it into the live state.
async fn commit_journal(ctx: &Ctx, cp: &Checkpointer, jobs: &[Job]) -> Result<(Vec<Vec<bool>>, Vec<Reading>), DbErr> {
    let mut phases = Phases(Instant::now());
    let live = &cp.live;
    let all: Vec<&[Reading]> = jobs.iter().map(|j| j.readings.as_slice()).collect();
    let unknown = live.unknown(all.iter().flat_map(|r| r.iter().map(|x| x.series)));
    checkpoint::learn(ctx, live, unknown).await?;
    let sorting = live.sort(&all);
    phases.mark("sort");
    let mut stored = rustc_hash::FxHashSet::default();
    if !sorting.ask.is_empty() {
        let pool = ctx.db.sqlite_pool().ok_or_else(|| DbErr::Custom("the journal needs SQLite".into()))?;
        let mut c = pool.acquire().await.map_err(crate::bulk::db_err)?;
        let keys: Vec<(i64, i64)> = sorting.ask.iter().flat_map(|(s, times)| times.iter().map(|t| (*s, *t))).collect();
        stored.extend(sq::stored(&mut c, &keys).await?);
        phases.mark("lookup");
    }
    let flags = live::resolve(sorting, &stored, &all);
    let entry = entry_of(ctx.now().0, jobs, &flags);
    if !entry.is_empty() {
        room(live).await;
        let seq = live.next_seq();
        let body = entry.encode();
        let pool = ctx.db.sqlite_pool().ok_or_else(|| DbErr::Custom("the journal needs SQLite".into()))?;
        let mut c = pool.acquire().await.map_err(crate::bulk::db_err)?;
        sq::append_journal(&mut c, seq, &body).await?;
        phases.mark("journal");
        live.apply(&entry, seq);
        live.applied.notify_one();
        metrics::counter!("telemetry_journal_bytes_total").increment(body.len() as u64);
    }
    Ok((flags, entry.readings))
}

/// Wait while the live state holds more than `MAX_BUFFERED` readings (the checkpoint is behind).
async fn room(live: &Live) {
    loop {
        let drained = live.drained.notified();
        tokio::pin!(drained);
        drained.as_mut().enable();
        if live.buffered() <= MAX_BUFFERED {
            return;
        }
        live.applied.notify_one();
        drained.await;
    }
}

/// PostgreSQL: one transaction with the readings (the table sorts out what
/// is new, across processes), latest values, counts and a journal row for
/// the rollups.
async fn commit_direct(ctx: &Ctx, flusher: &rollup::Flusher, jobs: &[Job]) -> Result<(Vec<Vec<bool>>, Vec<Reading>), DbErr> {
    let mut phases = Phases(Instant::now());
    let mut seen: HashSet<(i64, i64)> = HashSet::new();
    let mut unique: Vec<Reading> = jobs.iter().flat_map(|j| j.readings.iter()).filter(|r| seen.insert((r.series, r.ts))).copied().collect();
    // Key order: concurrent writers lock rows in the same order.
    unique.sort_unstable_by_key(|r| (r.series, r.ts));
    let now = ctx.now().0;
    let pool = ctx.db.postgres_pool().ok_or_else(|| DbErr::Custom("direct writes need PostgreSQL".into()))?;
    let mut txn = pool.begin().await.map_err(crate::bulk::db_err)?;
    let inserted: HashSet<(i64, i64)> = pg::append(&mut txn, &unique).await?.into_iter().collect();
    phases.mark("append");
    // Credit each new reading to the first job that carried it.
    let mut credited: HashSet<(i64, i64)> = HashSet::new();
    let flags: Vec<Vec<bool>> =
        jobs.iter().map(|j| j.readings.iter().map(|r| inserted.contains(&(r.series, r.ts)) && credited.insert((r.series, r.ts))).collect()).collect();
    let entry = entry_of(now, jobs, &flags);
    let mut newest: HashMap<i64, (i64, f64)> = HashMap::new();
    for r in &entry.readings {
        let n = newest.entry(r.series).or_insert((r.ts, r.value));
        if r.ts > n.0 {
            *n = (r.ts, r.value);
        }
    }
    let mut latest: Vec<(i64, i64, f64)> = newest.into_iter().map(|(s, (t, v))| (s, t, v)).collect();
    latest.sort_unstable_by_key(|l| l.0);
    pg::update_latest(&mut txn, &latest).await?;
    phases.mark("latest");
    pg::touch_devices(&mut txn, &entry.devices, now).await?;
    let refused: Vec<(&str, Reason, i64, &str)> = entry.refused.iter().map(|r| (r.key.as_str(), r.reason, r.n, r.detail.as_str())).collect();
    pg::count_refused(&mut txn, &refused, now).await?;
    pg::count_duplicates(&mut txn, &entry.duplicates, now).await?;
    phases.mark("counts");
    if !entry.readings.is_empty() {
        let rollup_work = Entry { at: now, readings: entry.readings.clone(), ..Default::default() };
        pg::append_journal(&mut txn, &rollup_work.encode()).await?;
    }
    txn.commit().await.map_err(crate::bulk::db_err)?;
    phases.mark("commit");
    if !entry.readings.is_empty() {
        flusher.commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        flusher.wake.notify_one();
    }
    Ok((flags, entry.readings))
}

/// What a group commit changes: the new readings, the devices that sent
/// them, duplicates per device, refusals per key and reason (each list in
/// key order).
fn entry_of(now: i64, jobs: &[Job], flags: &[Vec<bool>]) -> Entry {
    let mut readings = vec![];
    let mut duplicates: HashMap<i64, i64> = HashMap::new();
    for (j, f) in jobs.iter().zip(flags) {
        for (r, new) in j.readings.iter().zip(f) {
            if *new {
                readings.push(*r);
            } else {
                *duplicates.entry(r.device).or_default() += 1;
            }
        }
    }
    let mut devices: Vec<i64> = readings.iter().map(|r| r.device).collect::<HashSet<_>>().into_iter().collect();
    devices.sort_unstable();
    let mut duplicates: Vec<(i64, i64)> = duplicates.into_iter().collect();
    duplicates.sort_unstable();
    let mut refused: HashMap<(String, Reason), (i64, String)> = HashMap::new();
    for j in jobs {
        for (k, (n, d)) in &j.rejections {
            let e = refused.entry(k.clone()).or_insert((0, String::new()));
            e.0 += n;
            e.1 = d.clone();
        }
    }
    let mut refused: Vec<Refused> = refused.into_iter().map(|((key, reason), (n, detail))| Refused { key, reason, n, detail }).collect();
    refused.sort_by(|a, b| (&a.key, a.reason.code()).cmp(&(&b.key, b.reason.code())));
    Entry { at: now, readings, devices, duplicates, refused }
}

/// Check batches (several MQTT messages, or one HTTP request) and store
/// what passes in one write; a report per batch.
pub async fn ingest(
    ctx: &Ctx,
    registry: &Registry,
    writer: &Writer,
    sender: &Sender,
    batches: Vec<Vec<Result<Candidate, Rejection>>>,
    max_future: Duration,
) -> Result<Vec<Report>, kernel::AppError> {
    let keys: FxHashSet<&str> = batches.iter().flatten().filter_map(|c| c.as_ref().ok()).map(|c| &*c.device).collect();
    let entries = registry.resolve(ctx, &keys).await?;
    let limits = Limits { now: ctx.now().0, max_future_ms: max_future.as_millis() as i64 };
    let mut reports: Vec<Report> = Vec::with_capacity(batches.len());
    // Readings that passed, and how many of them each batch has.
    let mut readings = Vec::with_capacity(batches.iter().map(Vec::len).sum());
    let mut passed = Vec::with_capacity(batches.len());
    let mut counts: HashMap<(String, Reason), (i64, String)> = HashMap::new();
    for batch in batches {
        let mut report = Report::default();
        let before = readings.len();
        // The readings of a line share their device: looked up once.
        let mut last: Option<(Arc<str>, Option<&DeviceEntry>)> = None;
        for c in batch {
            let c = match c {
                Ok(c) => c,
                Err(r) => {
                    report.rejected.push(r);
                    continue;
                }
            };
            let entry = match &last {
                Some((k, e)) if Arc::ptr_eq(k, &c.device) => *e,
                _ => {
                    let e = entries.get(&*c.device).map(Arc::as_ref);
                    last = Some((c.device.clone(), e));
                    e
                }
            };
            match validate(&c, entry, sender, &limits) {
                Ok(r) => readings.push(r),
                Err((reason, detail)) => {
                    report.rejected.push(Rejection { index: c.index, device: c.device.to_string(), quantity: c.quantity, reason, detail })
                }
            }
        }
        for r in &report.rejected {
            // Keys of unknown devices are attacker-chosen: bounded in length.
            let key: String = r.device.chars().take(100).collect();
            let e = counts.entry((key, r.reason)).or_insert((0, String::new()));
            e.0 += 1;
            e.1 = r.detail.clone();
            metrics::counter!("telemetry_readings_rejected_total", "reason" => r.reason.code()).increment(1);
        }
        passed.push(readings.len() - before);
        reports.push(report);
    }
    if readings.is_empty() && counts.is_empty() {
        return Ok(reports);
    }
    let flags = writer.write(readings, counts).await.map_err(kernel::AppError::internal)?;
    let mut flags = flags.as_slice();
    for (report, n) in reports.iter_mut().zip(passed) {
        let (mine, rest) = flags.split_at(n.min(flags.len()));
        report.accepted = mine.iter().filter(|f| **f).count();
        report.duplicates = mine.len() - report.accepted;
        flags = rest;
    }
    Ok(reports)
}
