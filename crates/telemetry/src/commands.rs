//! Remote control: commands to one device or a group (switch, dim, set a
//! setpoint), delivered over MQTT with per-device state
//! pending → sent → acknowledged → done / failed, or timed out; and daily
//! schedules ("dim feeder RP-07 to 40 % from 23:00 to 05:00").
//!
//! Topic scheme: the platform publishes `{"id", "command", "params"}` to
//! `obcina/devices/{key}/commands` (QoS 1, repeated until answered); the
//! device answers on `obcina/devices/{key}/commands/ack` with
//! `{"id", "status": "acknowledged" | "done" | "failed", "error"?}`.
//! A device must treat a repeated id as the same command.

use crate::store::{self, DeviceFilter};
use bytes::Bytes;
use kernel::Ctx;
use kernel::db::{col, exec, opt_i64, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Delivers a command to a device; true if it went out (a subscriber or a broker took it).
pub trait Delivery: Send + Sync {
    fn deliver(&self, device: &str, payload: Bytes) -> bool;
}

impl Delivery for crate::mqtt::broker::Broker {
    fn deliver(&self, device: &str, payload: Bytes) -> bool {
        self.publish(&format!("{}{device}/commands", crate::mqtt::PREFIX), payload, 1) > 0
    }
}

/// Redeliver a sent command that got no answer after this long.
const RESEND_AFTER_MS: i64 = 30_000;
/// Try an offline device again after this long.
const RETRY_OFFLINE_MS: i64 = 10_000;

/// Which devices a group command or schedule addresses.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    /// Devices of this type.
    #[serde(rename = "type")]
    pub device_type: Option<String>,
    /// Devices that watch this asset (e.g. a feeder cabinet).
    pub asset: Option<String>,
    /// Devices whose attribute has this value, e.g. {"feeder": "RP-07"}.
    #[schema(value_type = Option<Object>)]
    pub attrs: Option<serde_json::Map<String, serde_json::Value>>,
    /// These device keys.
    #[serde(default)]
    pub keys: Vec<String>,
}

impl Selector {
    pub fn is_empty(&self) -> bool {
        self.device_type.is_none() && self.asset.is_none() && self.attrs.is_none() && self.keys.is_empty()
    }
}

/// The devices a selector addresses: (key, type, department).
pub async fn resolve<C: ConnectionTrait>(c: &C, s: &Selector) -> Result<Vec<store::Device>, DbErr> {
    let f = DeviceFilter {
        device_type: s.device_type.clone(),
        keys: s.keys.clone(),
        status: Some("active".into()),
        limit: 100_000,
        ..Default::default()
    };
    let mut devices = store::list_devices(c, &f).await?;
    if let Some(asset) = &s.asset {
        let Some(a) = store::asset_by_key(c, asset).await? else { return Ok(vec![]) };
        let keys: std::collections::HashSet<String> = store::asset_device_keys(c, a.id, 100_000).await?.into_iter().collect();
        devices.retain(|d| keys.contains(&d.key));
    }
    if let Some(attrs) = &s.attrs {
        devices.retain(|d| attrs.iter().all(|(k, v)| d.attrs.get(k) == Some(v)));
    }
    Ok(devices)
}

/// Check a command's parameters.
pub fn check_params(command: &str, params: &serde_json::Value) -> Result<(), &'static str> {
    let number = |k: &str| params.get(k).and_then(serde_json::Value::as_f64);
    match command {
        "switch" if params.get("on").is_some_and(serde_json::Value::is_boolean) => Ok(()),
        "switch" => Err("switch_needs_on"),
        "dim" if number("level").is_some_and(|l| (0.0..=100.0).contains(&l)) => Ok(()),
        "dim" => Err("dim_needs_level_0_100"),
        "setpoint" if number("value").is_some_and(|v| (5.0..=30.0).contains(&v)) => Ok(()),
        "setpoint" => Err("setpoint_needs_value_5_30"),
        _ => Err("unknown_command"),
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Command {
    pub id: String,
    pub device: String,
    pub command: String,
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    pub group: Option<String>,
    /// pending, sent, acknowledged, done, failed or timed_out.
    pub state: String,
    pub error: Option<String>,
    pub attempts: i64,
    pub created_at: String,
    pub deadline: String,
    pub sent_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub finished_at: Option<String>,
}

fn command(r: &QueryResult) -> Result<Command, DbErr> {
    let t = |n: &str| -> Result<Option<String>, DbErr> { Ok(col::<Option<i64>>(r, n)?.map(|v| kernel::Timestamp(v).rfc3339())) };
    Ok(Command {
        id: col(r, "id")?,
        device: col(r, "device_key")?,
        command: col(r, "command")?,
        params: serde_json::from_str(&col::<String>(r, "params")?).unwrap_or_default(),
        group: col(r, "group_id")?,
        state: col(r, "state")?,
        error: col(r, "error")?,
        attempts: col(r, "attempts")?,
        created_at: kernel::Timestamp(col(r, "created_at")?).rfc3339(),
        deadline: kernel::Timestamp(col(r, "deadline")?).rfc3339(),
        sent_at: t("sent_at")?,
        acknowledged_at: t("acknowledged_at")?,
        finished_at: t("finished_at")?,
    })
}

/// What to tell devices, on whose behalf, and how long to wait for answers.
pub struct Order<'a> {
    pub name: &'a str,
    pub command: &'a str,
    pub params: &'a serde_json::Value,
    /// `account:…` or `schedule:…`.
    pub actor: &'a str,
    pub timeout: Duration,
}

/// Queue one command per device in the caller's transaction; returns their ids.
pub async fn enqueue<C: ConnectionTrait>(c: &C, devices: &[String], o: &Order<'_>, group: Option<&str>, now: i64) -> Result<Vec<String>, DbErr> {
    let deadline = now + o.timeout.as_millis() as i64;
    let ids: Vec<String> = devices.iter().map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let rows: Vec<serde_json::Value> = ids.iter().zip(devices).map(|(id, d)| json!({"i": id, "d": d})).collect();
    let src = store::json_rows(c.get_database_backend(), &[("i", "text"), ("d", "text")]);
    for chunk in rows.chunks(5000) {
        exec(
            c,
            &format!(
                "INSERT INTO telemetry_commands (id, device_key, command, params, group_id, state, attempts, created_by, created_at, next_attempt_at, deadline) \
                 SELECT i, d, $2, $3, $4, 'pending', 0, $5, $6, $6, $7 FROM ({src}) AS j"
            ),
            [
                serde_json::Value::Array(chunk.to_vec()).to_string().into(),
                o.command.into(),
                o.params.to_string().into(),
                opt_str(group.map(str::to_string)),
                o.actor.into(),
                now.into(),
                deadline.into(),
            ],
        )
        .await?;
    }
    Ok(ids)
}

pub async fn insert_group<C: ConnectionTrait>(
    c: &C,
    id: &str,
    o: &Order<'_>,
    selector: &Selector,
    devices: usize,
    schedule: Option<&str>,
    now: i64,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO telemetry_command_groups (id, name, command, params, selector, devices, schedule_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            id.into(),
            o.name.into(),
            o.command.into(),
            o.params.to_string().into(),
            serde_json::to_string(selector).unwrap_or_default().into(),
            (devices as i64).into(),
            opt_str(schedule.map(str::to_string)),
            o.actor.into(),
            now.into(),
        ],
    )
    .await
    .map(|_| ())
}

#[derive(Default)]
pub struct CommandFilter {
    pub device: Option<String>,
    pub group: Option<String>,
    pub state: Option<String>,
    pub limit: u64,
}

pub async fn list<C: ConnectionTrait>(c: &C, f: &CommandFilter) -> Result<Vec<Command>, DbErr> {
    let mut w = vec!["1 = 1".to_string()];
    let mut values: Vec<Value> = vec![];
    for (col_name, v) in [("device_key", &f.device), ("group_id", &f.group), ("state", &f.state)] {
        if let Some(v) = v {
            values.push(v.clone().into());
            w.push(format!("{col_name} = ${}", values.len()));
        }
    }
    values.push((f.limit as i64).into());
    let sql = format!("SELECT * FROM telemetry_commands WHERE {} ORDER BY created_at DESC, id LIMIT ${}", w.join(" AND "), values.len());
    query_all(c, &sql, values).await?.iter().map(command).collect()
}

pub async fn by_id<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Command>, DbErr> {
    query_opt(c, "SELECT * FROM telemetry_commands WHERE id = $1", [id.into()]).await?.map(|r| command(&r)).transpose()
}

/// Commands of a group counted by state (per-device acknowledgement at a glance).
pub async fn group_counts<C: ConnectionTrait>(c: &C, group: &str) -> Result<Vec<(String, i64)>, DbErr> {
    let rows =
        query_all(c, "SELECT state, COUNT(*) AS n FROM telemetry_commands WHERE group_id = $1 GROUP BY state ORDER BY state", [group.into()]).await?;
    rows.iter().map(|r| Ok((col(r, "state")?, col(r, "n")?))).collect()
}

/// An answer from a device.
#[derive(Debug, Deserialize)]
pub struct Ack {
    pub id: String,
    pub status: String,
    pub error: Option<String>,
}

/// Apply device answers, many at once; answers to finished commands or
/// from another device are ignored.
pub async fn apply_acks(ctx: &Ctx, acks: &[(String, Ack)]) -> Result<(), DbErr> {
    let now = ctx.now().0;
    let txn = ctx.db.begin().await?;
    for (device, a) in acks {
        let (sql, values): (&str, Vec<Value>) = match a.status.as_str() {
            "acknowledged" => (
                "UPDATE telemetry_commands SET state = 'acknowledged', acknowledged_at = $1 WHERE id = $2 AND device_key = $3 AND state IN ('pending', 'sent')",
                vec![now.into(), a.id.clone().into(), device.clone().into()],
            ),
            "done" | "failed" => (
                "UPDATE telemetry_commands SET state = $4, error = $5, finished_at = $1, acknowledged_at = COALESCE(acknowledged_at, $1) \
                 WHERE id = $2 AND device_key = $3 AND state IN ('pending', 'sent', 'acknowledged')",
                vec![
                    now.into(),
                    a.id.clone().into(),
                    device.clone().into(),
                    a.status.clone().into(),
                    opt_str(a.error.as_ref().map(|e| e.chars().take(500).collect())),
                ],
            ),
            _ => continue,
        };
        exec(&txn, sql, values).await?;
    }
    txn.commit().await
}

/// Send what is due, and give up on what passed its deadline.
pub async fn dispatch(ctx: &Ctx, bus: &[Arc<dyn Delivery>]) -> Result<usize, DbErr> {
    let now = ctx.now().0;
    let c = ctx.db.conn();
    // Idle most of the time: look before writing, so an idle platform does not write twice a second.
    let open = query_opt(c, "SELECT id FROM telemetry_commands WHERE state IN ('pending', 'sent', 'acknowledged') LIMIT 1", []).await?;
    if open.is_none() {
        return Ok(0);
    }
    exec(
        c,
        "UPDATE telemetry_commands SET state = 'timed_out', finished_at = $1, error = 'no answer before the deadline' \
         WHERE state IN ('pending', 'sent', 'acknowledged') AND deadline <= $1",
        [now.into()],
    )
    .await?;
    // Claim by moving the next attempt forward; another process skips what it no longer sees as due.
    let due = query_all(
        c,
        "UPDATE telemetry_commands SET next_attempt_at = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM telemetry_commands WHERE state IN ('pending', 'sent') AND next_attempt_at <= $1 AND deadline > $1 ORDER BY next_attempt_at LIMIT 5000) \
         RETURNING id, device_key, command, params, state",
        [now.into(), (now + RETRY_OFFLINE_MS).into()],
    )
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let mut sent = vec![];
    for r in &due {
        let (id, device, cmd, params): (String, String, String, String) =
            (col(r, "id")?, col(r, "device_key")?, col(r, "command")?, col(r, "params")?);
        let payload = json!({"id": id, "command": cmd, "params": serde_json::from_str::<serde_json::Value>(&params).unwrap_or_default()});
        let bytes = Bytes::from(payload.to_string());
        if bus.iter().any(|b| b.deliver(&device, bytes.clone())) {
            sent.push(json!({"i": id}));
        }
    }
    if !sent.is_empty() {
        let src = store::json_rows(c.get_database_backend(), &[("i", "text")]);
        exec(
            c,
            &format!(
                "UPDATE telemetry_commands SET state = CASE WHEN state = 'pending' THEN 'sent' ELSE state END, sent_at = COALESCE(sent_at, $2), next_attempt_at = $3 \
                 WHERE id IN (SELECT i FROM ({src}) AS j)"
            ),
            [serde_json::Value::Array(sent.clone()).to_string().into(), now.into(), (now + RESEND_AFTER_MS).into()],
        )
        .await?;
    }
    metrics::counter!("telemetry_commands_sent_total").increment(sent.len() as u64);
    Ok(sent.len())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Schedule {
    pub id: String,
    pub name: String,
    pub command: String,
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// Sent at the end time to undo the start (e.g. full light again).
    #[schema(value_type = Option<Object>)]
    pub end_params: Option<serde_json::Value>,
    pub selector: Selector,
    /// Local time HH:MM (Europe/Ljubljana).
    pub start: String,
    pub end: Option<String>,
    pub department: Option<String>,
    pub enabled: bool,
}

pub fn parse_hhmm(s: &str) -> Option<i64> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m) && s.len() == 5).then_some(h * 60 + m)
}

fn hhmm(m: i64) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn schedule(r: &QueryResult) -> Result<Schedule, DbErr> {
    Ok(Schedule {
        id: col(r, "id")?,
        name: col(r, "name")?,
        command: col(r, "command")?,
        params: serde_json::from_str(&col::<String>(r, "params")?).unwrap_or_default(),
        end_params: col::<Option<String>>(r, "end_params")?.and_then(|p| serde_json::from_str(&p).ok()),
        selector: serde_json::from_str(&col::<String>(r, "selector")?).unwrap_or_default(),
        start: hhmm(col(r, "start_minute")?),
        end: col::<Option<i64>>(r, "end_minute")?.map(hhmm),
        department: col(r, "department")?,
        enabled: col::<i64>(r, "enabled")? != 0,
    })
}

pub async fn insert_schedule<C: ConnectionTrait>(c: &C, s: &Schedule, created_by: &str, now: i64) -> Result<(), DbErr> {
    let local = kernel::Timestamp(now).local();
    let today = local.format("%Y-%m-%d").to_string();
    let minute = chrono::Timelike::hour(&local) as i64 * 60 + chrono::Timelike::minute(&local) as i64;
    let start = parse_hhmm(&s.start).unwrap_or(0);
    let end = s.end.as_deref().and_then(parse_hhmm);
    // Boundaries already past today start tomorrow.
    let passed = |m: i64| (minute >= m).then(|| today.clone());
    exec(
        c,
        "INSERT INTO telemetry_schedules (id, name, command, params, end_params, selector, start_minute, end_minute, department, enabled, last_start, last_end, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, $13)",
        [
            s.id.clone().into(),
            s.name.clone().into(),
            s.command.clone().into(),
            s.params.to_string().into(),
            opt_str(s.end_params.as_ref().map(|p| p.to_string())),
            serde_json::to_string(&s.selector).unwrap_or_default().into(),
            start.into(),
            opt_i64(end),
            opt_str(s.department.clone()),
            opt_str(passed(start)),
            opt_str(end.and_then(passed)),
            created_by.into(),
            now.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn schedules<C: ConnectionTrait>(c: &C) -> Result<Vec<Schedule>, DbErr> {
    query_all(c, "SELECT * FROM telemetry_schedules ORDER BY name, id", []).await?.iter().map(schedule).collect()
}

pub async fn schedule_by_id<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Schedule>, DbErr> {
    query_opt(c, "SELECT * FROM telemetry_schedules WHERE id = $1", [id.into()]).await?.map(|r| schedule(&r)).transpose()
}

pub async fn delete_schedule<C: ConnectionTrait>(c: &C, id: &str) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM telemetry_schedules WHERE id = $1", [id.into()]).await? > 0)
}

/// Start a group command now: one command per addressed device, audited once.
pub async fn start_group(ctx: &Ctx, o: &Order<'_>, selector: &Selector, schedule: Option<&str>) -> Result<(String, usize), DbErr> {
    let now = ctx.now().0;
    let txn = ctx.db.begin().await?;
    let devices: Vec<String> = resolve(&txn, selector).await?.into_iter().map(|d| d.key).collect();
    let id = uuid::Uuid::now_v7().to_string();
    insert_group(&txn, &id, o, selector, devices.len(), schedule, now).await?;
    enqueue(&txn, &devices, o, Some(&id), now).await?;
    let subject = format!("command-group:{id}");
    ctx.audit(
        &txn,
        kernel::audit::AuditEntry {
            actor: o.actor,
            action: "telemetry.command.group",
            subject: &subject,
            outcome: "ok",
            detail: json!({"command": o.command, "params": o.params, "selector": selector, "devices": devices.len(), "schedule": schedule}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((id, devices.len()))
}

/// Run the schedules whose start or end time has come today.
pub async fn run_schedules(ctx: &Ctx) -> Result<usize, DbErr> {
    let now = ctx.now().0;
    let local = kernel::Timestamp(now).local();
    let today = local.format("%Y-%m-%d").to_string();
    let minute = chrono::Timelike::hour(&local) as i64 * 60 + chrono::Timelike::minute(&local) as i64;
    let mut ran = 0;
    for s in schedules(ctx.db.conn()).await?.into_iter().filter(|s| s.enabled) {
        let boundaries =
            [("last_start", parse_hhmm(&s.start), Some(s.params.clone())), ("last_end", s.end.as_deref().and_then(parse_hhmm), s.end_params.clone())];
        for (column, at, params) in boundaries {
            let (Some(at), Some(params)) = (at, params) else { continue };
            if minute < at {
                continue;
            }
            // Claim today's run; a second process (or a restart) finds it taken.
            let claimed = exec(
                ctx.db.conn(),
                &format!("UPDATE telemetry_schedules SET {column} = $1 WHERE id = $2 AND ({column} IS NULL OR {column} <> $1)"),
                [today.clone().into(), s.id.clone().into()],
            )
            .await?;
            if claimed == 0 {
                continue;
            }
            let actor = format!("schedule:{}", s.id);
            let order = Order { name: &s.name, command: &s.command, params: &params, actor: &actor, timeout: Duration::from_secs(1800) };
            start_group(ctx, &order, &s.selector, Some(&s.id)).await?;
            ran += 1;
        }
    }
    Ok(ran)
}

/// The dispatcher and scheduler loop.
pub async fn run(ctx: Ctx, t: crate::Telemetry) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut n = 0u64;
    loop {
        tick.tick().await;
        n += 1;
        let bus = t.bus();
        if let Err(e) = dispatch(&ctx, &bus).await {
            tracing::error!(error = %e, "dispatching commands failed");
        }
        if n.is_multiple_of(20)
            && let Err(e) = run_schedules(&ctx).await
        {
            tracing::error!(error = %e, "running schedules failed");
        }
    }
}

/// An answer waiting to be stored, and who waits for it.
pub type AckJob = ((String, Ack), tokio::sync::oneshot::Sender<bool>);

/// Store device answers in batches; each sender hears once its answer is committed.
pub async fn ack_writer(ctx: Ctx, mut rx: tokio::sync::mpsc::Receiver<AckJob>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < 5000 {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let acks: Vec<(String, Ack)> =
            jobs.iter().map(|(a, _)| (a.0.clone(), Ack { id: a.1.id.clone(), status: a.1.status.clone(), error: a.1.error.clone() })).collect();
        let ok = match apply_acks(&ctx, &acks).await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "storing command answers failed");
                false
            }
        };
        for (_, reply) in jobs {
            let _ = reply.send(ok);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked_per_command() {
        assert!(check_params("switch", &json!({"on": true})).is_ok());
        assert!(check_params("switch", &json!({"on": "yes"})).is_err());
        assert!(check_params("dim", &json!({"level": 40})).is_ok());
        assert!(check_params("dim", &json!({"level": 140})).is_err());
        assert!(check_params("setpoint", &json!({"value": 21.5})).is_ok());
        assert!(check_params("setpoint", &json!({"value": 45})).is_err());
        assert_eq!(check_params("explode", &json!({})), Err("unknown_command"));
    }

    #[test]
    fn times_of_day() {
        assert_eq!(parse_hhmm("23:00"), Some(1380));
        assert_eq!(parse_hhmm("05:00"), Some(300));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("5:00"), None);
        assert_eq!(hhmm(1380), "23:00");
    }
}
