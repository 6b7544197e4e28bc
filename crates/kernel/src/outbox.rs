//! The outbox: work that must happen after a commit (send an e-mail, deliver
//! an event) is written in the same transaction as the change, then claimed
//! by any process's worker. Nothing is lost if a process dies mid-delivery;
//! payloads are encrypted because they may hold personal data.

use crate::Timestamp;
use crate::crypto::Keyring;
use crate::db::{col, exec, query_opt};
use sea_orm::{ConnectionTrait, DbErr};
use std::time::Duration;

pub const MAX_ATTEMPTS: i64 = 10;

fn payload_context(id: &str) -> String {
    format!("outbox:{id}")
}

/// The outbox's sealed columns, for key rotation.
pub const ENCRYPTED_COLUMNS: &[crate::crypto::EncryptedColumn] = &[
    crate::crypto::EncryptedColumn { table: "outbox", key_sql: "id", column: "payload", context_prefix: "outbox:" },
    crate::crypto::EncryptedColumn { table: "outbox", key_sql: "id", column: "last_error", context_prefix: "outbox.last_error:" },
];
const CLAIM_FOR: Duration = Duration::from_secs(120);

pub async fn enqueue<C: ConnectionTrait>(c: &C, keys: &Keyring, now: Timestamp, kind: &str, payload: &serde_json::Value) -> Result<String, DbErr> {
    let id = uuid::Uuid::now_v7().to_string();
    let sealed = keys.encrypt(&payload_context(&id), &payload.to_string());
    exec(
        c,
        "INSERT INTO outbox (id, kind, payload, created_at, run_after, attempts) VALUES ($1, $2, $3, $4, $4, 0)",
        [id.clone().into(), kind.into(), sealed.into(), now.0.into()],
    )
    .await?;
    Ok(id)
}

pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

/// Claim the oldest due job, if any. Safe with many workers: the UPDATE
/// re-checks the claim, so only one of them gets it.
pub async fn claim<C: ConnectionTrait>(c: &C, keys: &Keyring, now: Timestamp) -> Result<Option<Job>, DbErr> {
    let Some(row) = query_opt(
        c,
        "SELECT id FROM outbox WHERE done_at IS NULL AND run_after <= $1 AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY run_after LIMIT 1",
        [now.0.into()],
    )
    .await?
    else {
        return Ok(None);
    };
    let id: String = col(&row, "id")?;
    let n = exec(
        c,
        "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id = $2 AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until < $3)",
        [now.plus(CLAIM_FOR).0.into(), id.clone().into(), now.0.into()],
    )
    .await?;
    if n == 0 {
        return Ok(None);
    }
    let row = query_opt(c, "SELECT kind, payload, attempts FROM outbox WHERE id = $1", [id.clone().into()])
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(id.clone()))?;
    let sealed: String = col(&row, "payload")?;
    let payload = keys.decrypt(&payload_context(&id), &sealed).ok().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(serde_json::Value::Null);
    Ok(Some(Job { id, kind: col(&row, "kind")?, payload, attempts: col(&row, "attempts")? }))
}

/// Delivered: the row (and its personal payload) goes.
pub async fn complete<C: ConnectionTrait>(c: &C, id: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM outbox WHERE id = $1", [id.into()]).await.map(|_| ())
}

/// Failed: retry with exponential back-off, give up after MAX_ATTEMPTS.
pub async fn fail<C: ConnectionTrait>(c: &C, keys: &Keyring, job: &Job, now: Timestamp, error: &str) -> Result<(), DbErr> {
    let backoff = Duration::from_secs(5u64.saturating_mul(1 << job.attempts.clamp(0, 12)));
    let done = if job.attempts >= MAX_ATTEMPTS { Some(now.0) } else { None };
    exec(
        c,
        "UPDATE outbox SET claimed_until = NULL, run_after = $1, last_error = $2, done_at = $3 WHERE id = $4",
        [
            now.plus(backoff).0.into(),
            keys.encrypt(&format!("outbox.last_error:{}", job.id), &error.chars().take(500).collect::<String>()).into(),
            crate::db::opt_i64(done),
            job.id.clone().into(),
        ],
    )
    .await
    .map(|_| ())
}

/// Jobs waiting or given up, for /metrics and the operator.
pub async fn counts<C: ConnectionTrait>(c: &C) -> Result<(i64, i64), DbErr> {
    let r = query_opt(
        c,
        "SELECT COALESCE(SUM(CASE WHEN done_at IS NULL THEN 1 ELSE 0 END), 0) AS pending, COALESCE(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS dead FROM outbox",
        [],
    )
    .await?;
    match r {
        Some(r) => Ok((col(&r, "pending")?, col(&r, "dead")?)),
        None => Ok((0, 0)),
    }
}
