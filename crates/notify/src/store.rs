//! The hub's SQL, for both backends. The only place that touches its tables.

use crate::model::{Channel, Circle, DeliveryStatus, QuietHours, Settings, Text, Topic, Urgency};
use kernel::Timestamp;
use kernel::crypto::{EncryptedColumn, Keyring};
use kernel::db::{col, exec, opt_i64, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Sealed columns, for key rotation.
pub const ENCRYPTED_COLUMNS: &[EncryptedColumn] = &[
    EncryptedColumn { table: "notify_settings", key_sql: "account_id", column: "phone_enc", context_prefix: "notify_settings.phone_enc:" },
    EncryptedColumn { table: "notify_settings", key_sql: "account_id", column: "area_enc", context_prefix: "notify_settings.area_enc:" },
    EncryptedColumn { table: "notify_settings", key_sql: "account_id", column: "location_enc", context_prefix: "notify_settings.location_enc:" },
    EncryptedColumn { table: "notify_deliveries", key_sql: "id", column: "address_enc", context_prefix: "notify_deliveries.address_enc:" },
    EncryptedColumn {
        table: "notify_push_subscriptions",
        key_sql: "id",
        column: "subscription_enc",
        context_prefix: "notify_push_subscriptions.subscription_enc:",
    },
    EncryptedColumn { table: "notify_keys", key_sql: "id", column: "key_enc", context_prefix: "notify_keys.key_enc:" },
];

/// The VAPID key (PKCS#8): the stored one, or one made by `fresh` and stored
/// now. Two processes starting together agree, since only the first insert counts.
pub async fn vapid_key<C: ConnectionTrait>(c: &C, keys: &Keyring, fresh: impl FnOnce() -> Vec<u8>, now: Timestamp) -> Result<Vec<u8>, DbErr> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let select = "SELECT key_enc FROM notify_keys WHERE id = 'vapid'";
    let row = match query_opt(c, select, []).await? {
        Some(row) => row,
        None => {
            let sealed = keys.encrypt(&ctx_of("notify_keys", "key_enc", "vapid"), &b64.encode(fresh()));
            exec(
                c,
                "INSERT INTO notify_keys (id, key_enc, created_at) VALUES ('vapid', $1, $2) ON CONFLICT (id) DO NOTHING",
                [sealed.into(), now.0.into()],
            )
            .await?;
            query_opt(c, select, []).await?.ok_or(DbErr::RecordNotFound("vapid key".into()))?
        }
    };
    let plain = open(keys, "notify_keys", "key_enc", "vapid", col(&row, "key_enc")?).ok_or(DbErr::Custom("vapid key does not open".into()))?;
    b64.decode(plain).map_err(|e| DbErr::Custom(e.to_string()))
}

fn ctx_of(table: &str, column: &str, id: &str) -> String {
    format!("{table}.{column}:{id}")
}

fn seal(keys: &Keyring, table: &str, column: &str, id: &str, v: Option<&str>) -> Value {
    opt_str(v.map(|s| keys.encrypt(&ctx_of(table, column, id), s)))
}

fn open(keys: &Keyring, table: &str, column: &str, id: &str, v: Option<String>) -> Option<String> {
    v.and_then(|s| keys.decrypt(&ctx_of(table, column, id), &s).ok())
}

fn json_err(e: serde_json::Error) -> DbErr {
    DbErr::Custom(e.to_string())
}

/// The last location a person's app shared (with consent).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

/// A person's settings as stored, with what the hub needs to reach them.
#[derive(Clone, Debug)]
pub struct Stored {
    pub account_id: String,
    pub settings: Settings,
    pub location: Option<(Location, Timestamp)>,
}

fn settings_from(keys: &Keyring, r: &QueryResult) -> Result<Stored, DbErr> {
    let id: String = col(r, "account_id")?;
    let topics: BTreeMap<String, Vec<String>> = serde_json::from_str(&col::<String>(r, "topics")?).map_err(json_err)?;
    let topics =
        topics.into_iter().filter_map(|(t, cs)| Some((Topic::parse(&t)?, cs.iter().filter_map(|c| Channel::parse(c)).collect::<Vec<_>>()))).collect();
    let quiet = match (col::<Option<i64>>(r, "quiet_from")?, col::<Option<i64>>(r, "quiet_to")?) {
        (Some(f), Some(t)) => Some(QuietHours { from: f as u16, to: t as u16 }),
        _ => None,
    };
    let area = open(keys, "notify_settings", "area_enc", &id, col(r, "area_enc")?).and_then(|s| serde_json::from_str::<Circle>(&s).ok());
    let location = open(keys, "notify_settings", "location_enc", &id, col(r, "location_enc")?)
        .and_then(|s| serde_json::from_str::<Location>(&s).ok())
        .zip(col::<Option<i64>>(r, "location_at")?.map(Timestamp));
    let share_location = col::<i64>(r, "share_location")? != 0;
    Ok(Stored {
        settings: Settings { topics, quiet, phone: open(keys, "notify_settings", "phone_enc", &id, col(r, "phone_enc")?), area, share_location },
        location: if share_location { location } else { None },
        account_id: id,
    })
}

pub async fn settings<C: ConnectionTrait>(c: &C, keys: &Keyring, account_id: &str) -> Result<Option<Stored>, DbErr> {
    let row = query_opt(c, "SELECT * FROM notify_settings WHERE account_id = $1", [account_id.into()]).await?;
    row.map(|r| settings_from(keys, &r)).transpose()
}

/// Everyone who chose anything, for a broadcast.
pub async fn all_settings<C: ConnectionTrait>(c: &C, keys: &Keyring) -> Result<Vec<Stored>, DbErr> {
    let rows = query_all(c, "SELECT * FROM notify_settings", []).await?;
    rows.iter().map(|r| settings_from(keys, r)).collect()
}

pub async fn save_settings<C: ConnectionTrait>(c: &C, keys: &Keyring, account_id: &str, s: &Settings, now: Timestamp) -> Result<(), DbErr> {
    let topics: BTreeMap<&str, Vec<&str>> = s.topics.iter().map(|(t, cs)| (t.code(), cs.iter().map(|c| c.code()).collect())).collect();
    let topics = serde_json::to_string(&topics).map_err(json_err)?;
    let area = s.area.map(|a| serde_json::to_string(&a)).transpose().map_err(json_err)?;
    let values = [
        account_id.into(),
        topics.into(),
        opt_i64(s.quiet.map(|q| q.from as i64)),
        opt_i64(s.quiet.map(|q| q.to as i64)),
        seal(keys, "notify_settings", "phone_enc", account_id, s.phone.as_deref()),
        seal(keys, "notify_settings", "area_enc", account_id, area.as_deref()),
        (s.share_location as i64).into(),
        now.0.into(),
    ];
    // Withdrawing consent forgets the last location at once.
    exec(
        c,
        "INSERT INTO notify_settings (account_id, topics, quiet_from, quiet_to, phone_enc, area_enc, share_location, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (account_id) DO UPDATE SET topics = $2, quiet_from = $3, quiet_to = $4, phone_enc = $5, area_enc = $6, \
         share_location = $7, updated_at = $8, \
         location_enc = CASE WHEN $7 = 0 THEN NULL ELSE notify_settings.location_enc END, \
         location_at = CASE WHEN $7 = 0 THEN NULL ELSE notify_settings.location_at END",
        values,
    )
    .await
    .map(|_| ())
}

/// Keep the location the app shared; only with consent (returns false without).
pub async fn set_location<C: ConnectionTrait>(c: &C, keys: &Keyring, account_id: &str, at: Location, now: Timestamp) -> Result<bool, DbErr> {
    let sealed = keys.encrypt(&ctx_of("notify_settings", "location_enc", account_id), &serde_json::to_string(&at).map_err(json_err)?);
    let n = exec(
        c,
        "UPDATE notify_settings SET location_enc = $2, location_at = $3 WHERE account_id = $1 AND share_location = 1",
        [account_id.into(), sealed.into(), now.0.into()],
    )
    .await?;
    Ok(n > 0)
}

/// A notice as stored.
#[derive(Clone, Debug)]
pub struct Notice {
    pub id: String,
    pub topic: Topic,
    pub urgency: Urgency,
    pub title: Text,
    pub body: Text,
    pub url: Option<String>,
    pub area: Option<crate::model::Area>,
    pub source: String,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub recipients: i64,
}

fn notice_from(r: &QueryResult) -> Result<Notice, DbErr> {
    let text = |name: &str| -> Result<Text, DbErr> { serde_json::from_str(&col::<String>(r, name)?).map_err(json_err) };
    Ok(Notice {
        id: col(r, "id")?,
        topic: Topic::parse(&col::<String>(r, "topic")?).unwrap_or(Topic::Events),
        urgency: if col::<String>(r, "urgency")? == "urgent" { Urgency::Urgent } else { Urgency::Normal },
        title: text("title")?,
        body: text("body")?,
        url: col(r, "url")?,
        area: col::<Option<String>>(r, "area")?.and_then(|a| serde_json::from_str(&a).ok()),
        source: col(r, "source")?,
        created_by: col(r, "created_by")?,
        created_at: Timestamp(col(r, "created_at")?),
        recipients: col(r, "recipients")?,
    })
}

/// Store a notice; false when one with this id exists (an event handled twice).
pub async fn insert_notice<C: ConnectionTrait>(c: &C, n: &Notice) -> Result<bool, DbErr> {
    let area = n.area.as_ref().map(serde_json::to_string).transpose().map_err(json_err)?;
    let inserted = exec(
        c,
        "INSERT INTO notify_notices (id, topic, urgency, title, body, url, area, source, created_by, created_at, recipients) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
        [
            n.id.clone().into(),
            n.topic.code().into(),
            n.urgency.code().into(),
            serde_json::to_string(&n.title).map_err(json_err)?.into(),
            serde_json::to_string(&n.body).map_err(json_err)?.into(),
            opt_str(n.url.clone()),
            opt_str(area),
            n.source.clone().into(),
            opt_str(n.created_by.clone()),
            n.created_at.0.into(),
            n.recipients.into(),
        ],
    )
    .await?;
    Ok(inserted > 0)
}

pub async fn notice<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Notice>, DbErr> {
    query_opt(c, "SELECT * FROM notify_notices WHERE id = $1", [id.into()]).await?.map(|r| notice_from(&r)).transpose()
}

/// Broadcast notices, newest first (messages to one person are not listed).
pub async fn notices<C: ConnectionTrait>(c: &C, limit: i64) -> Result<Vec<Notice>, DbErr> {
    let rows = query_all(
        c,
        "SELECT * FROM notify_notices WHERE source LIKE 'staff:%' OR source LIKE 'alert:%' ORDER BY created_at DESC LIMIT $1",
        [limit.into()],
    )
    .await?;
    rows.iter().map(notice_from).collect()
}

/// One message to queue.
#[derive(Clone, Debug)]
pub struct NewDelivery {
    pub account_id: String,
    pub channel: Channel,
    /// Only for someone without an account (a visitor's e-mail address).
    pub address: Option<String>,
    pub lang: String,
    /// A crisis warning for where the person was last seen.
    pub warning: bool,
    pub run_after: Timestamp,
}

/// Rows per INSERT: well below SQLite's limit of bound parameters.
const CHUNK: usize = 500;

/// Queue deliveries in a few multi-row INSERTs; the in-app ones go to the inbox at once.
pub async fn insert_deliveries<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    notice_id: &str,
    list: &[NewDelivery],
    now: Timestamp,
) -> Result<(), DbErr> {
    for chunk in list.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO notify_deliveries (id, notice_id, account_id, channel, address_enc, lang, warning, status, run_after, sent_at, created_at) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 11);
        for (i, d) in chunk.iter().enumerate() {
            let id = uuid::Uuid::now_v7().to_string();
            let in_app = d.channel == Channel::App;
            let base = i * 11;
            sql.push_str(if i == 0 { "(" } else { ", (" });
            sql.push_str(&(1..=11).map(|k| format!("${}", base + k)).collect::<Vec<_>>().join(", "));
            sql.push(')');
            values.extend([
                id.clone().into(),
                notice_id.into(),
                d.account_id.clone().into(),
                d.channel.code().into(),
                seal(keys, "notify_deliveries", "address_enc", &id, d.address.as_deref()),
                d.lang.clone().into(),
                (d.warning as i64).into(),
                if in_app { DeliveryStatus::Sent.code() } else { DeliveryStatus::Pending.code() }.into(),
                d.run_after.0.into(),
                opt_i64(in_app.then_some(now.0)),
                now.0.into(),
            ]);
        }
        exec(c, &sql, values).await?;
        let inbox: Vec<&NewDelivery> = chunk.iter().filter(|d| d.channel == Channel::App).collect();
        if !inbox.is_empty() {
            let mut sql = String::from("INSERT INTO notify_inbox (id, account_id, notice_id, warning, created_at) VALUES ");
            let mut values: Vec<Value> = Vec::with_capacity(inbox.len() * 5);
            for (i, d) in inbox.iter().enumerate() {
                let base = i * 5;
                sql.push_str(if i == 0 { "(" } else { ", (" });
                sql.push_str(&(1..=5).map(|k| format!("${}", base + k)).collect::<Vec<_>>().join(", "));
                sql.push(')');
                values.extend([
                    uuid::Uuid::now_v7().to_string().into(),
                    d.account_id.clone().into(),
                    notice_id.into(),
                    (d.warning as i64).into(),
                    now.0.into(),
                ]);
            }
            sql.push_str(" ON CONFLICT (account_id, notice_id) DO NOTHING");
            exec(c, &sql, values).await?;
        }
    }
    Ok(())
}

pub async fn set_recipients<C: ConnectionTrait>(c: &C, notice_id: &str, n: i64) -> Result<(), DbErr> {
    exec(c, "UPDATE notify_notices SET recipients = $2 WHERE id = $1", [notice_id.into(), n.into()]).await.map(|_| ())
}

/// A delivery claimed for sending.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: String,
    pub notice_id: String,
    pub account_id: String,
    pub channel: Channel,
    pub address: Option<String>,
    pub lang: String,
    pub warning: bool,
    pub attempts: i64,
}

/// Claim due deliveries for a while. Safe with many processes: PostgreSQL
/// skips rows another worker locked; SQLite has one writer.
pub async fn claim_due<C: ConnectionTrait>(c: &C, keys: &Keyring, now: Timestamp, hold_ms: i64, limit: i64) -> Result<Vec<Claimed>, DbErr> {
    let lock = if c.get_database_backend() == DbBackend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE notify_deliveries SET claimed_until = $1, attempts = attempts + 1 WHERE id IN (\
           SELECT id FROM notify_deliveries WHERE status = 'pending' AND run_after <= $2 AND (claimed_until IS NULL OR claimed_until < $2) \
           ORDER BY run_after LIMIT $3{lock}) \
         RETURNING id, notice_id, account_id, channel, address_enc, lang, warning, attempts"
    );
    let rows = query_all(c, &sql, [(now.0 + hold_ms).into(), now.0.into(), limit.into()]).await?;
    rows.iter()
        .map(|r| {
            let id: String = col(r, "id")?;
            Ok(Claimed {
                notice_id: col(r, "notice_id")?,
                account_id: col(r, "account_id")?,
                channel: Channel::parse(&col::<String>(r, "channel")?).unwrap_or(Channel::Email),
                address: open(keys, "notify_deliveries", "address_enc", &id, col(r, "address_enc")?),
                lang: col(r, "lang")?,
                warning: col::<i64>(r, "warning")? != 0,
                attempts: col(r, "attempts")?,
                id,
            })
        })
        .collect()
}

/// Handed to the channel.
pub async fn mark_sent<C: ConnectionTrait>(c: &C, ids: &[String], now: Timestamp) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!("UPDATE notify_deliveries SET status = 'sent', sent_at = $1, claimed_until = NULL WHERE id IN ({})", marks.join(", "));
        let values: Vec<Value> = std::iter::once(now.0.into()).chain(chunk.iter().map(|id| id.clone().into())).collect();
        exec(c, &sql, values).await?;
    }
    Ok(())
}

/// Not handed over: try again at `retry_at`, or give up (`None`). The error
/// is a short description without the address.
pub async fn mark_failed<C: ConnectionTrait>(c: &C, id: &str, error: &str, retry_at: Option<Timestamp>) -> Result<(), DbErr> {
    let error: String = error.chars().take(300).collect();
    match retry_at {
        Some(t) => {
            exec(
                c,
                "UPDATE notify_deliveries SET run_after = $2, last_error = $3, claimed_until = NULL WHERE id = $1",
                [id.into(), t.0.into(), error.into()],
            )
            .await?
        }
        None => {
            exec(c, "UPDATE notify_deliveries SET status = 'failed', last_error = $2, claimed_until = NULL WHERE id = $1", [id.into(), error.into()])
                .await?
        }
    };
    Ok(())
}

/// Delivery figures of a notice: count per channel and status.
pub async fn figures<C: ConnectionTrait>(c: &C, notice_id: &str) -> Result<Vec<(Channel, DeliveryStatus, i64)>, DbErr> {
    let rows = query_all(
        c,
        "SELECT channel, status, COUNT(*) AS n FROM notify_deliveries WHERE notice_id = $1 GROUP BY channel, status ORDER BY channel, status",
        [notice_id.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let channel = Channel::parse(&col::<String>(r, "channel")?).unwrap_or(Channel::Email);
            let status = match col::<String>(r, "status")?.as_str() {
                "sent" => DeliveryStatus::Sent,
                "failed" => DeliveryStatus::Failed,
                _ => DeliveryStatus::Pending,
            };
            Ok((channel, status, col(r, "n")?))
        })
        .collect()
}

/// The last errors of a notice's deliveries, for staff (no addresses in them).
pub async fn recent_errors<C: ConnectionTrait>(c: &C, notice_id: &str, limit: i64) -> Result<Vec<(Channel, String, i64)>, DbErr> {
    let rows = query_all(
        c,
        "SELECT channel, last_error, attempts FROM notify_deliveries WHERE notice_id = $1 AND last_error IS NOT NULL ORDER BY created_at DESC LIMIT $2",
        [notice_id.into(), limit.into()],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((Channel::parse(&col::<String>(r, "channel")?).unwrap_or(Channel::Email), col(r, "last_error")?, col(r, "attempts")?)))
        .collect()
}

/// One message of the inbox.
#[derive(Clone, Debug)]
pub struct InboxItem {
    pub id: String,
    pub notice: Notice,
    pub warning: bool,
    pub created_at: Timestamp,
    pub read: bool,
}

pub async fn inbox<C: ConnectionTrait>(c: &C, account_id: &str, limit: i64) -> Result<Vec<InboxItem>, DbErr> {
    let rows = query_all(
        c,
        "SELECT i.id AS inbox_id, i.warning AS inbox_warning, i.created_at AS inbox_at, i.read_at, n.* FROM notify_inbox i \
         JOIN notify_notices n ON n.id = i.notice_id WHERE i.account_id = $1 ORDER BY i.created_at DESC LIMIT $2",
        [account_id.into(), limit.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(InboxItem {
                id: col(r, "inbox_id")?,
                notice: notice_from(r)?,
                warning: col::<i64>(r, "inbox_warning")? != 0,
                created_at: Timestamp(col(r, "inbox_at")?),
                read: col::<Option<i64>>(r, "read_at")?.is_some(),
            })
        })
        .collect()
}

pub async fn unread<C: ConnectionTrait>(c: &C, account_id: &str) -> Result<i64, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n FROM notify_inbox WHERE account_id = $1 AND read_at IS NULL", [account_id.into()]).await?;
    r.map(|r| col(&r, "n")).transpose().map(Option::unwrap_or_default)
}

/// Mark read; only one's own (false otherwise).
pub async fn mark_read<C: ConnectionTrait>(c: &C, account_id: &str, inbox_id: &str, now: Timestamp) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE notify_inbox SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND account_id = $2",
        [inbox_id.into(), account_id.into(), now.0.into()],
    )
    .await?;
    Ok(n > 0)
}

/// A browser's push subscription (RFC 8030 endpoint, RFC 8291 keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushSubscription {
    /// The push service's URL: HTTPS, on the internet.
    #[schema(
        max_length = 1000,
        pattern = "^https://[a-z0-9-]{1,30}(\\.[a-z0-9-]{1,30}){0,3}\\.[a-z]{2,6}/[A-Za-z0-9/_-]{0,200}$",
        example = "https://fcm.googleapis.com/fcm/send/abc"
    )]
    pub endpoint: String,
    /// The browser's P-256 public key (65 bytes), base64url.
    #[schema(pattern = "^[A-Za-z0-9_-]{87}$")]
    pub p256dh: String,
    /// The shared authentication secret (16 bytes), base64url.
    #[schema(pattern = "^[A-Za-z0-9_-]{22}$")]
    pub auth: String,
}

pub async fn add_push<C: ConnectionTrait>(c: &C, keys: &Keyring, account_id: &str, s: &PushSubscription, now: Timestamp) -> Result<(), DbErr> {
    let id = uuid::Uuid::now_v7().to_string();
    let index = keys.blind_index("push-endpoint", &s.endpoint);
    let sealed = keys.encrypt(&ctx_of("notify_push_subscriptions", "subscription_enc", &id), &serde_json::to_string(s).map_err(json_err)?);
    // The same browser subscribing again replaces its subscription (and owner).
    exec(c, "DELETE FROM notify_push_subscriptions WHERE endpoint_index = $1", [index.clone().into()]).await?;
    exec(
        c,
        "INSERT INTO notify_push_subscriptions (id, account_id, endpoint_index, subscription_enc, created_at) VALUES ($1, $2, $3, $4, $5)",
        [id.into(), account_id.into(), index.into(), sealed.into(), now.0.into()],
    )
    .await
    .map(|_| ())
}

pub async fn push_subscriptions<C: ConnectionTrait>(c: &C, keys: &Keyring, account_id: &str) -> Result<Vec<(String, PushSubscription)>, DbErr> {
    let rows = query_all(c, "SELECT id, subscription_enc FROM notify_push_subscriptions WHERE account_id = $1", [account_id.into()]).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let id: String = col(r, "id").ok()?;
            let s = open(keys, "notify_push_subscriptions", "subscription_enc", &id, col(r, "subscription_enc").ok()?)?;
            Some((id, serde_json::from_str(&s).ok()?))
        })
        .collect())
}

/// Accounts with at least one browser subscribed to push.
pub async fn push_accounts<C: ConnectionTrait>(c: &C) -> Result<std::collections::BTreeSet<String>, DbErr> {
    let rows = query_all(c, "SELECT DISTINCT account_id FROM notify_push_subscriptions", []).await?;
    rows.iter().map(|r| col(r, "account_id")).collect()
}

/// Whether one account has a browser subscribed to push.
pub async fn has_push<C: ConnectionTrait>(c: &C, account_id: &str) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT 1 AS one FROM notify_push_subscriptions WHERE account_id = $1 LIMIT 1", [account_id.into()]).await?.is_some())
}

/// A push service said the subscription is gone (404/410).
pub async fn remove_push<C: ConnectionTrait>(c: &C, id: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM notify_push_subscriptions WHERE id = $1", [id.into()]).await.map(|_| ())
}

pub async fn remove_push_of<C: ConnectionTrait>(c: &C, keys: &Keyring, account_id: &str, endpoint: &str) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "DELETE FROM notify_push_subscriptions WHERE endpoint_index = $1 AND account_id = $2",
        [keys.blind_index("push-endpoint", endpoint).into(), account_id.into()],
    )
    .await?;
    Ok(n > 0)
}

/// How many accounts chose at least one broadcast topic on some channel (KPI).
pub async fn subscriber_count<C: ConnectionTrait>(c: &C, keys: &Keyring) -> Result<i64, DbErr> {
    let all = all_settings(c, keys).await?;
    Ok(all.iter().filter(|s| s.settings.topics.iter().any(|(t, cs)| !t.is_personal() && !cs.is_empty())).count() as i64)
}
