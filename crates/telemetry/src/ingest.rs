//! The ingestion path shared by HTTP and MQTT: resolve devices through a
//! per-process cache, check every reading, and hand the good ones to a single
//! writer that commits many requests in one transaction (group commit). A
//! request is answered only after its transaction committed, so whatever was
//! acknowledged survives a crash.

use crate::model::{Candidate, DeviceEntry, Limits, Reading, Reason, Rejection, Sender, validate};
use crate::store;
use crate::types::DeviceType;
use kernel::Ctx;
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

/// Device entries by key.
pub struct Registry {
    types: HashMap<String, Arc<DeviceType>>,
    cache: RwLock<HashMap<String, (Arc<DeviceEntry>, Instant)>>,
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
    pub async fn resolve(&self, ctx: &Ctx, keys: &HashSet<&str>) -> Result<HashMap<String, Arc<DeviceEntry>>, DbErr> {
        let mut found = HashMap::with_capacity(keys.len());
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
                series: HashMap::new(),
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
    pub fn start(ctx: Ctx, committed: Committed, rollups: Arc<crate::rollup::Accumulator>) -> Writer {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(write_loop(ctx, rx, committed, rollups));
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

async fn write_loop(ctx: Ctx, mut rx: mpsc::Receiver<Job>, committed: Committed, rollups: Arc<crate::rollup::Accumulator>) {
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
        match commit_group(&ctx, &rollups, &jobs).await {
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

/// One transaction for a group of jobs. A reading repeated inside the group
/// counts as new once, for the first job that sent it.
async fn commit_group(ctx: &Ctx, rollups: &crate::rollup::Accumulator, jobs: &[Job]) -> Result<(Vec<Vec<bool>>, Vec<Reading>), DbErr> {
    let mut seen: HashSet<(i64, i64)> = HashSet::new();
    let mut unique = Vec::new();
    for j in jobs {
        for r in &j.readings {
            if seen.insert((r.series, r.ts)) {
                unique.push(*r);
            }
        }
    }
    let now = ctx.now().0;
    // Time per phase, so the ingestion benchmark can tell where it goes.
    let mut clock = Instant::now();
    let mut phase = |name: &'static str| {
        metrics::histogram!("telemetry_commit_phase_seconds", "phase" => name).record(clock.elapsed().as_secs_f64());
        clock = Instant::now();
    };
    let txn = ctx.db.begin().await?;
    let inserted: HashSet<(i64, i64)> = store::append(&txn, &unique).await?.into_iter().collect();
    phase("append");
    let new: Vec<Reading> = unique.into_iter().filter(|r| inserted.contains(&(r.series, r.ts))).collect();
    // Rollups are folded after the commit; this row covers them if the process dies first.
    let pending = crate::rollup::pending_row(&new);
    if let Some(row) = &pending {
        crate::rollup::insert_pending(&txn, row).await?;
    }
    phase("rollups");
    store::update_latest(&txn, &new).await?;
    phase("latest");
    let devices: Vec<i64> = new.iter().map(|r| r.device).collect::<HashSet<_>>().into_iter().collect();
    store::touch_devices(&txn, &devices, now).await?;
    phase("devices");
    let mut rejections: HashMap<(String, Reason), (i64, String)> = HashMap::new();
    for j in jobs {
        for (k, (n, d)) in &j.rejections {
            let e = rejections.entry(k.clone()).or_insert((0, String::new()));
            e.0 += n;
            e.1 = d.clone();
        }
    }
    store::count_rejections(&txn, &rejections, now).await?;
    // Credit each new reading to the first job that carried it; count the rest per device.
    let mut credited: HashSet<(i64, i64)> = HashSet::new();
    let mut duplicates: HashMap<i64, i64> = HashMap::new();
    let flags: Vec<Vec<bool>> = jobs
        .iter()
        .map(|j| {
            j.readings
                .iter()
                .map(|r| {
                    let new = inserted.contains(&(r.series, r.ts)) && credited.insert((r.series, r.ts));
                    if !new {
                        *duplicates.entry(r.device).or_default() += 1;
                    }
                    new
                })
                .collect()
        })
        .collect();
    store::count_duplicates(&txn, &duplicates, now).await?;
    txn.commit().await?;
    phase("commit");
    if let Some((id, ..)) = pending {
        rollups.add(&new, id);
    }
    Ok((flags, new))
}

/// Check a batch and store what passes.
pub async fn ingest(
    ctx: &Ctx,
    registry: &Registry,
    writer: &Writer,
    sender: &Sender,
    candidates: Vec<Result<Candidate, Rejection>>,
    max_future: Duration,
) -> Result<Report, kernel::AppError> {
    let keys: HashSet<&str> = candidates.iter().filter_map(|c| c.as_ref().ok()).map(|c| c.device.as_str()).collect();
    let entries = registry.resolve(ctx, &keys).await?;
    let limits = Limits { now: ctx.now().0, max_future_ms: max_future.as_millis() as i64 };
    let mut report = Report::default();
    let mut readings = Vec::with_capacity(candidates.len());
    for c in candidates {
        let c = match c {
            Ok(c) => c,
            Err(r) => {
                report.rejected.push(r);
                continue;
            }
        };
        match validate(&c, entries.get(&c.device).map(Arc::as_ref), sender, &limits) {
            Ok(r) => readings.push(r),
            Err((reason, detail)) => report.rejected.push(Rejection { index: c.index, device: c.device, quantity: c.quantity, reason, detail }),
        }
    }
    let mut counts: HashMap<(String, Reason), (i64, String)> = HashMap::new();
    for r in &report.rejected {
        // Keys of unknown devices are attacker-chosen: bounded in length.
        let key: String = r.device.chars().take(100).collect();
        let e = counts.entry((key, r.reason)).or_insert((0, String::new()));
        e.0 += 1;
        e.1 = r.detail.clone();
        metrics::counter!("telemetry_readings_rejected_total", "reason" => r.reason.code()).increment(1);
    }
    if readings.is_empty() && counts.is_empty() {
        return Ok(report);
    }
    let flags = writer.write(readings, counts).await.map_err(kernel::AppError::internal)?;
    report.accepted = flags.iter().filter(|f| **f).count();
    report.duplicates = flags.len() - report.accepted;
    Ok(report)
}
