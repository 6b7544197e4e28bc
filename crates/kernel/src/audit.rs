//! Append-only, hash-chained audit log. Each entry carries an HMAC over its
//! content and the previous entry's MAC, keyed with the audit key (not in the
//! database), so a database-only attacker can neither change nor remove an
//! entry without `obcina audit verify` noticing. Entries name accounts by id,
//! never by e-mail or other personal data.

use crate::Timestamp;
use crate::crypto::Keyring;
use crate::db::{col, exec, for_update, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

/// What happened, for the auditor.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEntry<'a> {
    /// `account:<id>`, `token:<id>`, `cli`, or `anonymous`.
    pub actor: &'a str,
    /// Dotted action name, e.g. `identity.sign_in`, `identity.profile.read`.
    pub action: &'a str,
    /// What it was done to, e.g. `account:<id>`.
    pub subject: &'a str,
    /// `ok`, `denied` or `failed`.
    pub outcome: &'a str,
    /// Extra facts without personal data (e.g. names of changed fields).
    pub detail: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StoredEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub outcome: String,
    pub detail: String,
    pub mac: String,
}

fn canonical(seq: i64, at: i64, actor: &str, action: &str, subject: &str, outcome: &str, detail: &str) -> String {
    serde_json::json!([seq, at, actor, action, subject, outcome, detail]).to_string()
}

/// Append one entry inside the caller's transaction, so it commits or rolls
/// back with the change it records.
pub async fn append<C: ConnectionTrait>(c: &C, keys: &Keyring, now: Timestamp, e: &AuditEntry<'_>) -> Result<i64, DbErr> {
    let head_sql = format!("SELECT seq, mac FROM audit_head WHERE id = 1{}", for_update(c));
    let head = query_opt(c, &head_sql, []).await?;
    let (prev_seq, prev_mac): (i64, String) = match head {
        Some(r) => (col(&r, "seq")?, col(&r, "mac")?),
        None => {
            exec(c, "INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, '')", []).await?;
            (0, String::new())
        }
    };
    let seq = prev_seq + 1;
    let detail = e.detail.to_string();
    let mac = keys.audit_mac(&prev_mac, &canonical(seq, now.0, e.actor, e.action, e.subject, e.outcome, &detail));
    exec(
        c,
        "INSERT INTO audit_log (seq, at, actor, action, subject, outcome, detail, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [seq.into(), now.0.into(), e.actor.into(), e.action.into(), e.subject.into(), e.outcome.into(), detail.into(), mac.clone().into()],
    )
    .await?;
    exec(c, "UPDATE audit_head SET seq = $1, mac = $2 WHERE id = 1", [seq.into(), mac.into()]).await?;
    Ok(seq)
}

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// Every entry checks out; the number of entries.
    Intact(i64),
    /// The first entry that does not, and why.
    Broken { seq: i64, reason: String },
}

/// A copy of the chain's head kept outside the database (a file the server
/// refreshes), so that cutting entries off the end and resetting the head in
/// the database is noticed too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Anchor {
    pub seq: i64,
    pub mac: String,
}

pub async fn head<C: ConnectionTrait>(c: &C) -> Result<Option<Anchor>, DbErr> {
    let r = query_opt(c, "SELECT seq, mac FROM audit_head WHERE id = 1", []).await?;
    r.map(|r| Ok(Anchor { seq: col(&r, "seq")?, mac: col(&r, "mac")? })).transpose()
}

pub fn read_anchor(path: &std::path::Path) -> Option<Anchor> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Write the anchor atomically.
pub fn write_anchor(path: &std::path::Path, anchor: &Anchor) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec(anchor).unwrap_or_default())?;
    std::fs::rename(tmp, path)
}

/// Re-compute the chain from the first entry and compare with the head, and
/// with the anchor kept outside the database when there is one.
pub async fn verify<C: ConnectionTrait>(c: &C, keys: &Keyring, anchor: Option<&Anchor>) -> Result<VerifyOutcome, DbErr> {
    let outcome = verify_chain(c, keys).await?;
    if let (VerifyOutcome::Intact(n), Some(a)) = (&outcome, anchor) {
        let at_anchor = query_opt(c, "SELECT mac FROM audit_log WHERE seq = $1", [a.seq.into()]).await?;
        let matches = at_anchor.map(|r| col::<String>(&r, "mac")).transpose()?.is_some_and(|m| crate::crypto::ct_eq(&m, &a.mac));
        if a.seq > 0 && !matches {
            return Ok(VerifyOutcome::Broken {
                seq: a.seq,
                reason: format!("entries up to {} were recorded outside the database, but the log now ends at {n}", a.seq),
            });
        }
    }
    Ok(outcome)
}

async fn verify_chain<C: ConnectionTrait>(c: &C, keys: &Keyring) -> Result<VerifyOutcome, DbErr> {
    let rows = query_all(c, "SELECT seq, at, actor, action, subject, outcome, detail, mac FROM audit_log ORDER BY seq", []).await?;
    let mut prev_mac = String::new();
    let mut expected_seq = 1;
    for r in &rows {
        let seq: i64 = col(r, "seq")?;
        if seq != expected_seq {
            return Ok(VerifyOutcome::Broken { seq: expected_seq, reason: format!("entry {expected_seq} is missing") });
        }
        let mac: String = col(r, "mac")?;
        let want = keys.audit_mac(
            &prev_mac,
            &canonical(
                seq,
                col(r, "at")?,
                &col::<String>(r, "actor")?,
                &col::<String>(r, "action")?,
                &col::<String>(r, "subject")?,
                &col::<String>(r, "outcome")?,
                &col::<String>(r, "detail")?,
            ),
        );
        if !crate::crypto::ct_eq(&mac, &want) {
            return Ok(VerifyOutcome::Broken { seq, reason: format!("entry {seq} was changed") });
        }
        prev_mac = mac;
        expected_seq += 1;
    }
    let head = query_opt(c, "SELECT seq, mac FROM audit_head WHERE id = 1", []).await?;
    let (head_seq, head_mac) = match head {
        Some(r) => (col::<i64>(&r, "seq")?, col::<String>(&r, "mac")?),
        None => (0, String::new()),
    };
    if head_seq != expected_seq - 1 || head_mac != prev_mac {
        return Ok(VerifyOutcome::Broken {
            seq: expected_seq,
            reason: format!("the log ends at entry {} but {} were written", expected_seq - 1, head_seq),
        });
    }
    Ok(VerifyOutcome::Intact(expected_seq - 1))
}

/// Recent entries, newest first, for the auditor's page.
pub async fn recent<C: ConnectionTrait>(c: &C, limit: i64, subject: Option<&str>) -> Result<Vec<StoredEntry>, DbErr> {
    let rows = match subject {
        Some(s) => {
            query_all(c, "SELECT * FROM audit_log WHERE subject = $1 OR actor = $1 ORDER BY seq DESC LIMIT $2", [s.into(), limit.into()]).await?
        }
        None => query_all(c, "SELECT * FROM audit_log ORDER BY seq DESC LIMIT $1", [limit.into()]).await?,
    };
    rows.iter()
        .map(|r| {
            Ok(StoredEntry {
                seq: col(r, "seq")?,
                at: col(r, "at")?,
                actor: col(r, "actor")?,
                action: col(r, "action")?,
                subject: col(r, "subject")?,
                outcome: col(r, "outcome")?,
                detail: col(r, "detail")?,
                mac: col(r, "mac")?,
            })
        })
        .collect()
}
