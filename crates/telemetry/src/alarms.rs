//! Rules and alarms: storage, the engine that evaluates every committed
//! reading against the rules that apply to it, and the clock-driven check
//! for silent devices. Alarms go to the outbox as domain events
//! (`event.telemetry.alarm.raised` / `.cleared`) for notifications to deliver.

use crate::Telemetry;
use crate::ingest::CommittedBatch;
use crate::live::Live;
use crate::model::Reading;
use crate::rules::{Condition, Decision, Observation, decide};
use crate::window::Windows;
use kernel::Ctx;
use kernel::db::{col, exec, opt_str, query_all, query_opt};
use rustc_hash::FxHashMap;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rule {
    pub id: String,
    pub name: String,
    /// `type`, `device` or `asset`.
    pub scope_kind: String,
    /// The device type, device key or asset key the rule watches.
    pub scope: String,
    /// The quantity it looks at; none for `silent` (any reading counts).
    pub quantity: Option<String>,
    pub condition: Condition,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// Responsible department; the device's own when none.
    pub department: Option<String>,
    pub enabled: bool,
}

fn rule(r: &QueryResult) -> Result<Rule, DbErr> {
    let params: String = col(r, "params")?;
    Ok(Rule {
        id: col(r, "id")?,
        name: col(r, "name")?,
        scope_kind: col(r, "scope_kind")?,
        scope: col(r, "scope")?,
        quantity: col(r, "quantity")?,
        condition: serde_json::from_str(&params).map_err(|e| DbErr::Custom(format!("rule params: {e}")))?,
        severity: col(r, "severity")?,
        department: col(r, "department")?,
        enabled: col::<i64>(r, "enabled")? != 0,
    })
}

pub async fn insert_rule<C: ConnectionTrait>(c: &C, r: &Rule, created_by: &str, now: i64) -> Result<(), DbErr> {
    let params = serde_json::to_string(&r.condition).map_err(|e| DbErr::Custom(e.to_string()))?;
    exec(
        c,
        "INSERT INTO telemetry_rules (id, name, scope_kind, scope, quantity, kind, params, severity, department, enabled, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        [
            r.id.clone().into(),
            r.name.clone().into(),
            r.scope_kind.clone().into(),
            r.scope.clone().into(),
            opt_str(r.quantity.clone()),
            r.condition.code().into(),
            params.into(),
            r.severity.clone().into(),
            opt_str(r.department.clone()),
            i64::from(r.enabled).into(),
            created_by.into(),
            now.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn rules<C: ConnectionTrait>(c: &C) -> Result<Vec<Rule>, DbErr> {
    query_all(c, "SELECT * FROM telemetry_rules ORDER BY name, id", []).await?.iter().map(rule).collect()
}

pub async fn rule_by_id<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Rule>, DbErr> {
    query_opt(c, "SELECT * FROM telemetry_rules WHERE id = $1", [id.into()]).await?.map(|r| rule(&r)).transpose()
}

pub async fn delete_rule<C: ConnectionTrait>(c: &C, id: &str) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM telemetry_rules WHERE id = $1", [id.into()]).await? > 0)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Alarm {
    pub id: String,
    pub rule_id: String,
    pub device: String,
    pub quantity: Option<String>,
    pub severity: String,
    pub department: Option<String>,
    /// `raised`, `acknowledged` or `cleared`.
    pub state: String,
    pub message: String,
    pub value: Option<f64>,
    /// RFC 3339 time of the reading that raised it.
    pub reading_time: Option<String>,
    pub raised_at: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    pub cleared_at: Option<String>,
}

fn alarm(r: &QueryResult) -> Result<Alarm, DbErr> {
    let t = |name: &str| -> Result<Option<String>, DbErr> { Ok(col::<Option<i64>>(r, name)?.map(|v| kernel::Timestamp(v).rfc3339())) };
    Ok(Alarm {
        id: col(r, "id")?,
        rule_id: col(r, "rule_id")?,
        device: col(r, "device_key")?,
        quantity: col(r, "quantity")?,
        severity: col(r, "severity")?,
        department: col(r, "department")?,
        state: col(r, "state")?,
        message: col(r, "message")?,
        value: col(r, "value")?,
        reading_time: t("reading_ts")?,
        raised_at: kernel::Timestamp(col(r, "raised_at")?).rfc3339(),
        acknowledged_at: t("acknowledged_at")?,
        acknowledged_by: col(r, "acknowledged_by")?,
        cleared_at: t("cleared_at")?,
    })
}

#[derive(Default)]
pub struct AlarmFilter {
    /// `open` (raised or acknowledged), or one state.
    pub state: Option<String>,
    pub department: Option<String>,
    pub device: Option<String>,
    pub limit: u64,
}

pub async fn alarms<C: ConnectionTrait>(c: &C, f: &AlarmFilter) -> Result<Vec<Alarm>, DbErr> {
    let mut w = vec!["1 = 1".to_string()];
    let mut values: Vec<Value> = vec![];
    match f.state.as_deref() {
        Some("open") => w.push("state <> 'cleared'".into()),
        Some(s) => {
            values.push(s.into());
            w.push(format!("state = ${}", values.len()));
        }
        None => {}
    }
    if let Some(d) = &f.department {
        values.push(d.clone().into());
        w.push(format!("department = ${}", values.len()));
    }
    if let Some(d) = &f.device {
        values.push(d.clone().into());
        w.push(format!("device_key = ${}", values.len()));
    }
    values.push((f.limit as i64).into());
    let sql = format!("SELECT * FROM telemetry_alarms WHERE {} ORDER BY raised_at DESC, id LIMIT ${}", w.join(" AND "), values.len());
    query_all(c, &sql, values).await?.iter().map(alarm).collect()
}

pub async fn alarm_by_id<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Alarm>, DbErr> {
    query_opt(c, "SELECT * FROM telemetry_alarms WHERE id = $1", [id.into()]).await?.map(|r| alarm(&r)).transpose()
}

pub async fn acknowledge<C: ConnectionTrait>(c: &C, id: &str, by: &str, now: i64) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE telemetry_alarms SET state = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND state = 'raised'",
        [now.into(), by.into(), id.into()],
    )
    .await?;
    Ok(n > 0)
}

fn open_key(rule: &str, device: &str) -> String {
    format!("{rule}|{device}")
}

async fn open_alarm_id<C: ConnectionTrait>(c: &C, rule: &str, device: &str) -> Result<Option<String>, DbErr> {
    query_opt(c, "SELECT id FROM telemetry_alarms WHERE open_key = $1", [open_key(rule, device).into()]).await?.map(|r| col(&r, "id")).transpose()
}

struct Raise<'a> {
    rule: &'a Rule,
    device: &'a str,
    quantity: Option<&'a str>,
    department: Option<&'a str>,
    message: String,
    value: Option<f64>,
    reading_ts: Option<i64>,
}

/// Raise an alarm and queue its event, in one transaction; false if one was already open.
async fn raise(ctx: &Ctx, a: Raise<'_>) -> Result<bool, DbErr> {
    let now = ctx.now().0;
    let id = uuid::Uuid::now_v7().to_string();
    let department = a.rule.department.as_deref().or(a.department);
    let txn = ctx.db.begin().await?;
    let n = exec(
        &txn,
        "INSERT INTO telemetry_alarms (id, rule_id, device_key, quantity, severity, department, state, message, value, reading_ts, raised_at, open_key) \
         VALUES ($1, $2, $3, $4, $5, $6, 'raised', $7, $8, $9, $10, $11) ON CONFLICT (open_key) DO NOTHING",
        [
            id.clone().into(),
            a.rule.id.clone().into(),
            a.device.into(),
            opt_str(a.quantity.map(str::to_string)),
            a.rule.severity.clone().into(),
            opt_str(department.map(str::to_string)),
            a.message.clone().into(),
            Value::Double(a.value),
            Value::BigInt(a.reading_ts),
            now.into(),
            open_key(&a.rule.id, a.device).into(),
        ],
    )
    .await?;
    if n == 0 {
        return Ok(false);
    }
    let event = serde_json::json!({
        "alarm": id, "rule": a.rule.id, "rule_name": a.rule.name, "device": a.device, "quantity": a.quantity,
        "severity": a.rule.severity, "department": department, "message": a.message, "value": a.value,
        "time": kernel::Timestamp(now).rfc3339(),
    });
    kernel::outbox::enqueue(&txn, &ctx.keys, ctx.now(), "event.telemetry.alarm.raised", &event).await?;
    txn.commit().await?;
    metrics::counter!("telemetry_alarms_raised_total", "severity" => a.rule.severity.clone()).increment(1);
    Ok(true)
}

async fn clear(ctx: &Ctx, rule: &Rule, device: &str) -> Result<bool, DbErr> {
    let now = ctx.now().0;
    let txn = ctx.db.begin().await?;
    let Some(id) = open_alarm_id(&txn, &rule.id, device).await? else {
        return Ok(false);
    };
    exec(&txn, "UPDATE telemetry_alarms SET state = 'cleared', cleared_at = $1, open_key = NULL WHERE id = $2", [now.into(), id.clone().into()])
        .await?;
    let event = serde_json::json!({"alarm": id, "rule": rule.id, "device": device, "time": kernel::Timestamp(now).rfc3339()});
    kernel::outbox::enqueue(&txn, &ctx.keys, ctx.now(), "event.telemetry.alarm.cleared", &event).await?;
    txn.commit().await?;
    Ok(true)
}

/// What the engine needs to know about a series.
struct SeriesInfo {
    device: String,
    device_type: String,
    department: Option<String>,
    quantity: String,
    unit: String,
    assets: Vec<String>,
}

/// What the engine needs to know about these series, or about every series
/// when `ids` is `None` (at start: one query rather than one per 500).
async fn series_info<C: ConnectionTrait>(c: &C, ids: Option<&[i64]>) -> Result<HashMap<i64, SeriesInfo>, DbErr> {
    let marks = |n: usize| (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let chunks: Vec<Option<&[i64]>> = match ids {
        None => vec![None],
        Some(ids) => ids.chunks(500).map(Some).collect(),
    };
    let mut out = HashMap::new();
    for chunk in chunks {
        let (filter, values) = match chunk {
            None => (String::new(), vec![]),
            Some(c) => (format!(" WHERE s.id IN ({})", marks(c.len())), c.iter().map(|i| Value::from(*i)).collect()),
        };
        let sql = format!(
            "SELECT s.id, s.quantity, s.unit, d.id AS device_id, d.key, d.type, d.department FROM telemetry_series s \
             JOIN telemetry_devices d ON d.id = s.device_id{filter}"
        );
        let rows = query_all(c, &sql, values).await?;
        let mut device_ids = vec![];
        for r in &rows {
            device_ids.push(col::<i64>(r, "device_id")?);
            out.insert(
                col::<i64>(r, "id")?,
                SeriesInfo {
                    device: col(r, "key")?,
                    device_type: col(r, "type")?,
                    department: col(r, "department")?,
                    quantity: col(r, "quantity")?,
                    unit: col(r, "unit")?,
                    assets: vec![],
                },
            );
        }
        device_ids.sort_unstable();
        device_ids.dedup();
        if device_ids.is_empty() {
            continue;
        }
        let (filter, values) = match chunk {
            None => (String::new(), vec![]),
            Some(_) => (format!(" WHERE l.device_id IN ({})", marks(device_ids.len())), device_ids.iter().map(|i| Value::from(*i)).collect()),
        };
        let sql = format!(
            "SELECT d.key AS dk, a.key AS ak FROM telemetry_device_assets l JOIN telemetry_devices d ON d.id = l.device_id \
             JOIN telemetry_assets a ON a.id = l.asset_id{filter}"
        );
        let mut by_device: HashMap<String, Vec<String>> = HashMap::new();
        for r in query_all(c, &sql, values).await? {
            by_device.entry(col(&r, "dk")?).or_default().push(col(&r, "ak")?);
        }
        for info in out.values_mut() {
            if let Some(a) = by_device.get(&info.device) {
                info.assets = a.clone();
            }
        }
    }
    Ok(out)
}

fn applies(rule: &Rule, s: &SeriesInfo) -> bool {
    rule.enabled
        && rule.quantity.as_ref().is_none_or(|q| *q == s.quantity)
        && match rule.scope_kind.as_str() {
            "type" => rule.scope == s.device_type,
            "device" => rule.scope == s.device,
            "asset" => s.assets.contains(&rule.scope),
            _ => false,
        }
}

/// How far back from a reading a rule looks (ms), if it needs earlier readings.
fn lookback(c: &Condition) -> Option<i64> {
    match c {
        Condition::Rate { window_minutes, .. } => Some(2 * window_minutes * 60_000),
        Condition::Frozen { minutes } => Some(minutes * 60_000),
        _ => None,
    }
}

/// What a rule needs to know about a reading: for rates the reading a
/// window earlier, for frozen values the spread over the window (from the
/// engine's windows, `cover`ed first).
fn observe(windows: &Windows, rule: &Rule, series: i64, r: &Reading) -> Observation {
    let mut o = Observation { value: r.value, ..Default::default() };
    match &rule.condition {
        Condition::Rate { window_minutes, .. } => {
            let hi = r.ts - window_minutes * 60_000;
            if let Some((pt, pv)) = windows.between(series, hi - window_minutes * 60_000, hi).last()
                && r.ts > *pt
            {
                o.rate_per_hour = Some((r.value - pv) / ((r.ts - pt) as f64 / 3_600_000.0));
            }
        }
        Condition::Frozen { minutes } => {
            let points = windows.between(series, r.ts - minutes * 60_000, r.ts);
            let (lo, hi) = points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
            // Enough readings spread over most of the window to call it frozen.
            let spans = points.first().is_some_and(|(f, _)| r.ts - f >= minutes * 60_000 * 3 / 4);
            o.unchanged = match points.len() {
                0 => None,
                _ if lo != hi => Some(false),
                n if n >= 3 && spans => Some(true),
                _ => None,
            };
        }
        _ => {}
    }
    o
}

fn message(rule: &Rule, s: &SeriesInfo, o: &Observation) -> String {
    let unit = crate::types::unit_symbol(&s.unit);
    match &rule.condition {
        Condition::Threshold { above: Some(a), .. } if o.value > *a => format!("{} {} = {:.1} {unit} > {a} {unit}", s.device, s.quantity, o.value),
        Condition::Threshold { below: Some(b), .. } => format!("{} {} = {:.1} {unit} < {b} {unit}", s.device, s.quantity, o.value),
        Condition::Rate { per_hour, .. } => {
            format!("{} {} changes {:.1} {unit}/h (limit {per_hour} {unit}/h)", s.device, s.quantity, o.rate_per_hour.unwrap_or_default())
        }
        Condition::Frozen { minutes } => format!("{} {} stuck at {:.2} {unit} for {minutes} min", s.device, s.quantity, o.value),
        _ => format!("{}: {}", s.device, rule.name),
    }
}

/// Open alarms are looked up at most this often (others may raise or clear
/// them: another process, or staff; raising twice is refused by the table).
const OPEN_TTL: Duration = Duration::from_secs(1);

/// The engine's state between batches.
struct Engine {
    rules: Vec<Rule>,
    loaded: Instant,
    version: u64,
    info: FxHashMap<i64, Arc<SeriesInfo>>,
    /// Per series, the rules (indices into `rules`) that apply to it; reset with the rules.
    watched: FxHashMap<i64, Arc<[usize]>>,
    windows: Windows,
    open: OpenAlarms,
}

impl Engine {
    /// Load the rules again when this process changed them, or every five seconds (other processes').
    async fn refresh(&mut self, ctx: &Ctx, t: &Telemetry) {
        let version = t.rules_version.load(std::sync::atomic::Ordering::Acquire);
        if self.loaded.elapsed() <= Duration::from_secs(5) && version == self.version {
            return;
        }
        self.version = version;
        match rules(ctx.db.conn()).await {
            Ok(r) => (self.rules, self.loaded, self.watched) = (r, Instant::now(), FxHashMap::default()),
            Err(err) => tracing::error!(error = %err, "loading rules failed"),
        }
        if self.info.len() > 200_000 {
            self.info.clear();
        }
    }
}

/// The engine: rules over committed readings, and the silence check.
pub async fn run(ctx: Ctx, t: Telemetry) {
    let mut rx = t.committed.subscribe();
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    let long_ago = Instant::now() - Duration::from_secs(3600);
    // Every series known at start, in one query; later ones as they come.
    let info = match series_info(ctx.db.conn(), None).await {
        Ok(all) => all.into_iter().map(|(id, i)| (id, Arc::new(i))).collect(),
        Err(err) => {
            tracing::error!(error = %err, "loading series for the rules failed");
            FxHashMap::default()
        }
    };
    let mut e = Engine {
        rules: vec![],
        loaded: long_ago,
        version: u64::MAX,
        info,
        watched: FxHashMap::default(),
        windows: Windows::default(),
        open: OpenAlarms::default(),
    };
    loop {
        tokio::select! {
            batch = rx.recv() => match batch {
                Ok(b) => {
                    e.refresh(&ctx, &t).await;
                    if let Err(err) = evaluate(&ctx, t.live(), &mut e, &b).await {
                        tracing::error!(error = %err, "evaluating rules failed");
                        e.windows.clear();
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(batches = n, "the rule engine fell behind; some readings were not evaluated");
                    metrics::counter!("telemetry_rule_batches_skipped_total").increment(n);
                    // The windows missed readings: load them again when needed.
                    e.windows.clear();
                }
                Err(_) => return,
            },
            _ = tick.tick() => {
                // Also when no reading came since the start.
                e.refresh(&ctx, &t).await;
                if let Err(err) = check_silence(&ctx, &t, &e.rules).await {
                    tracing::error!(error = %err, "silence check failed");
                }
            }
        }
    }
}

async fn evaluate(ctx: &Ctx, live: Option<&Live>, e: &mut Engine, batch: &CommittedBatch) -> Result<(), DbErr> {
    e.windows.add(&batch.readings);
    if e.rules.iter().all(|r| !r.enabled) {
        return Ok(());
    }
    let missing: Vec<i64> = {
        let mut m: Vec<i64> = batch.readings.iter().map(|r| r.series).filter(|s| !e.info.contains_key(s)).collect();
        m.sort_unstable();
        m.dedup();
        m
    };
    if !missing.is_empty() {
        for (id, i) in series_info(ctx.db.conn(), Some(&missing)).await? {
            e.info.insert(id, Arc::new(i));
        }
    }
    if e.open.stale() {
        e.open = OpenAlarms::load(ctx).await?;
    }
    // The readings some rule must look at (a silent rule only while its alarm is open), by series and time.
    let mut kept: Vec<&Reading> = vec![];
    for r in &batch.readings {
        let Some(s) = e.info.get(&r.series) else { continue };
        let rules = &e.rules;
        let watched = e.watched.entry(r.series).or_insert_with(|| rules.iter().enumerate().filter(|(_, x)| applies(x, s)).map(|(i, _)| i).collect());
        let needed = |i: &usize| rules.get(*i).is_some_and(|x| !matches!(x.condition, Condition::Silent { .. }) || e.open.contains(&x.id, &s.device));
        if watched.iter().any(needed) {
            kept.push(r);
        }
    }
    kept.sort_unstable_by_key(|r| (r.series, r.ts));
    let runs: Vec<&[&Reading]> = kept.chunk_by(|a, b| a.series == b.series).collect();
    // Earlier readings that rate and frozen rules compare with, read at once for all series.
    let needs: Vec<(i64, i64, i64)> = runs
        .iter()
        .filter_map(|run| {
            let watched = e.watched.get(&run[0].series)?;
            let back = watched.iter().filter_map(|i| e.rules.get(*i).and_then(|r| lookback(&r.condition))).max()?;
            Some((run[0].series, run[0].ts - back, back))
        })
        .collect();
    e.windows.cover(ctx, live, &needs).await?;
    for run in runs {
        let series = run[0].series;
        let (Some(s), Some(watched)) = (e.info.get(&series).cloned(), e.watched.get(&series).cloned()) else { continue };
        for rule in watched.iter().filter_map(|i| e.rules.get(*i)) {
            let mut open = e.open.contains(&rule.id, &s.device);
            // A reading only ends silence: nothing to do unless an alarm is open.
            if !open && matches!(rule.condition, Condition::Silent { .. }) {
                continue;
            }
            for r in run {
                let o = observe(&e.windows, rule, series, r);
                match decide(&rule.condition, open, &o) {
                    Decision::Raise => {
                        let raise_args = Raise {
                            rule,
                            device: &s.device,
                            quantity: Some(&s.quantity),
                            department: s.department.as_deref(),
                            message: message(rule, &s, &o),
                            value: Some(r.value),
                            reading_ts: Some(r.ts),
                        };
                        raise(ctx, raise_args).await?;
                        metrics::histogram!("telemetry_reading_to_alarm_seconds").record(batch.received.elapsed().as_secs_f64());
                        open = true;
                    }
                    Decision::Clear => {
                        clear(ctx, rule, &s.device).await?;
                        open = false;
                    }
                    Decision::Keep => continue,
                }
                e.open.set(&rule.id, &s.device, open);
            }
        }
    }
    if live.is_some() {
        e.windows.prune();
    } else {
        // PostgreSQL: other processes store readings of the same series, and
        // this engine sees only its own process's batches. Kept windows would
        // miss theirs (a value that moved there looks frozen here), so each
        // batch reads its windows from the table afresh.
        e.windows.clear();
    }
    Ok(())
}

/// Open alarms by rule and device (few), looked up without building a key.
#[derive(Default)]
struct OpenAlarms {
    by_rule: FxHashMap<String, HashSet<String>>,
    loaded: Option<Instant>,
}

impl OpenAlarms {
    async fn load(ctx: &Ctx) -> Result<OpenAlarms, DbErr> {
        let rows = query_all(ctx.db.conn(), "SELECT open_key FROM telemetry_alarms WHERE open_key IS NOT NULL", []).await?;
        let mut open = OpenAlarms { loaded: Some(Instant::now()), ..Default::default() };
        for key in rows.iter().filter_map(|r| col::<String>(r, "open_key").ok()) {
            if let Some((rule, device)) = key.split_once('|') {
                open.set(rule, device, true);
            }
        }
        Ok(open)
    }

    fn stale(&self) -> bool {
        self.loaded.is_none_or(|at| at.elapsed() > OPEN_TTL)
    }

    fn contains(&self, rule: &str, device: &str) -> bool {
        self.by_rule.get(rule).is_some_and(|d| d.contains(device))
    }

    fn set(&mut self, rule: &str, device: &str, open: bool) {
        if open {
            self.by_rule.entry(rule.to_string()).or_default().insert(device.to_string());
        } else if let Some(d) = self.by_rule.get_mut(rule) {
            d.remove(device);
        }
    }
}

/// Raise `silent` alarms for devices heard from before but not for the rule's minutes.
async fn check_silence(ctx: &Ctx, t: &Telemetry, rules: &[Rule]) -> Result<(), DbErr> {
    if !rules.iter().any(|r| r.enabled && matches!(r.condition, Condition::Silent { .. })) {
        return Ok(());
    }
    // Last-seen times of readings still in the journal count too.
    t.settle(ctx).await?;
    let now = ctx.now().0;
    // Devices already alarmed are skipped without a write transaction each.
    let open = OpenAlarms::load(ctx).await?;
    for rule in rules.iter().filter(|r| r.enabled) {
        let Condition::Silent { minutes } = rule.condition else { continue };
        let column = match rule.scope_kind.as_str() {
            "type" => "d.type",
            "device" => "d.key",
            _ => "a.key",
        };
        let join = if rule.scope_kind == "asset" {
            " JOIN telemetry_device_assets l ON l.device_id = d.id JOIN telemetry_assets a ON a.id = l.asset_id"
        } else {
            ""
        };
        let sql = format!(
            "SELECT d.key, d.department, d.last_seen FROM telemetry_devices d{join} WHERE {column} = $1 AND d.status = 'active' \
             AND d.last_seen IS NOT NULL AND d.last_seen < $2 LIMIT 10000"
        );
        for r in query_all(ctx.db.conn(), &sql, [rule.scope.clone().into(), (now - minutes * 60_000).into()]).await? {
            let key: String = col(&r, "key")?;
            if open.contains(&rule.id, &key) {
                continue;
            }
            let department: Option<String> = col(&r, "department")?;
            let last: i64 = col(&r, "last_seen")?;
            let message = format!("{key}: no reading for {} min (limit {minutes} min)", (now - last) / 60_000);
            let a = Raise { rule, device: &key, quantity: None, department: department.as_deref(), message, value: None, reading_ts: Some(last) };
            raise(ctx, a).await?;
        }
    }
    Ok(())
}
