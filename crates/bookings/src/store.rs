//! The SQL of bookings, for both backends. The only place that touches its
//! tables; the legal person a booking is for is sealed here.

use crate::model::{Booking, Resource, ResourceKind, Rules, Status};
use kernel::Timestamp;
use kernel::crypto::{EncryptedColumn, Keyring};
use kernel::db::{col, exec, is_unique_violation, opt_i64, opt_str, query_all, query_opt};
use notify::model::Text;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

/// Sealed columns, for key rotation.
pub const ENCRYPTED_COLUMNS: &[EncryptedColumn] =
    &[EncryptedColumn { table: "bookings", key_sql: "id", column: "on_behalf_enc", context_prefix: "bookings.on_behalf_enc:" }];

fn context(id: &str) -> String {
    format!("bookings.on_behalf_enc:{id}")
}

fn json_err(e: serde_json::Error) -> DbErr {
    DbErr::Custom(e.to_string())
}

fn text(r: &QueryResult, name: &str) -> Result<Text, DbErr> {
    serde_json::from_str(&col::<String>(r, name)?).map_err(json_err)
}

/// An id that sorts by time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

// ---- resources ----

fn resource_from(r: &QueryResult) -> Result<Resource, DbErr> {
    let flag = |name: &str| -> Result<bool, DbErr> { Ok(col::<i64>(r, name)? != 0) };
    Ok(Resource {
        id: col(r, "id")?,
        kind: ResourceKind::parse(&col::<String>(r, "kind")?).unwrap_or(ResourceKind::MeetingRoom),
        name: text(r, "name")?,
        purpose: text(r, "purpose")?,
        location: col(r, "location")?,
        capacity: col(r, "capacity")?,
        slot_minutes: col(r, "slot_minutes")?,
        opens_minute: col(r, "opens_minute")?,
        closes_minute: col(r, "closes_minute")?,
        price_cents: col(r, "price_cents")?,
        needs_approval: flag("needs_approval")?,
        bookable: flag("bookable")?,
        rules: Rules {
            natural: flag("allow_natural")?,
            legal: flag("allow_legal")?,
            lead_minutes: col(r, "lead_minutes")?,
            max_slots: col(r, "max_slots")?,
            cancel_minutes: col(r, "cancel_minutes")?,
            horizon_days: col(r, "horizon_days")?,
        },
    })
}

pub async fn insert_resource<C: ConnectionTrait>(c: &C, x: &Resource, now: Timestamp, demo: bool) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO bookings_resources (id, kind, name, purpose, location, capacity, slot_minutes, opens_minute, closes_minute, price_cents, \
         needs_approval, bookable, allow_natural, allow_legal, lead_minutes, max_slots, cancel_minutes, horizon_days, created_at, demo) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        [
            x.id.clone().into(),
            x.kind.code().into(),
            serde_json::to_string(&x.name).map_err(json_err)?.into(),
            serde_json::to_string(&x.purpose).map_err(json_err)?.into(),
            x.location.clone().into(),
            x.capacity.into(),
            x.slot_minutes.into(),
            x.opens_minute.into(),
            x.closes_minute.into(),
            x.price_cents.into(),
            (x.needs_approval as i64).into(),
            (x.bookable as i64).into(),
            (x.rules.natural as i64).into(),
            (x.rules.legal as i64).into(),
            x.rules.lead_minutes.into(),
            x.rules.max_slots.into(),
            x.rules.cancel_minutes.into(),
            x.rules.horizon_days.into(),
            now.0.into(),
            (demo as i64).into(),
        ],
    )
    .await
    .map(|_| ())
}

/// Replace a resource's description and rules; false if there is none.
pub async fn update_resource<C: ConnectionTrait>(c: &C, x: &Resource) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE bookings_resources SET kind = $2, name = $3, purpose = $4, location = $5, capacity = $6, slot_minutes = $7, opens_minute = $8, \
         closes_minute = $9, price_cents = $10, needs_approval = $11, bookable = $12, allow_natural = $13, allow_legal = $14, lead_minutes = $15, \
         max_slots = $16, cancel_minutes = $17, horizon_days = $18, demo = 0 WHERE id = $1",
        [
            x.id.clone().into(),
            x.kind.code().into(),
            serde_json::to_string(&x.name).map_err(json_err)?.into(),
            serde_json::to_string(&x.purpose).map_err(json_err)?.into(),
            x.location.clone().into(),
            x.capacity.into(),
            x.slot_minutes.into(),
            x.opens_minute.into(),
            x.closes_minute.into(),
            x.price_cents.into(),
            (x.needs_approval as i64).into(),
            (x.bookable as i64).into(),
            (x.rules.natural as i64).into(),
            (x.rules.legal as i64).into(),
            x.rules.lead_minutes.into(),
            x.rules.max_slots.into(),
            x.rules.cancel_minutes.into(),
            x.rules.horizon_days.into(),
        ],
    )
    .await?;
    Ok(n > 0)
}

pub async fn resource<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Resource>, DbErr> {
    query_opt(c, "SELECT * FROM bookings_resources WHERE id = $1", [id.into()]).await?.map(|r| resource_from(&r)).transpose()
}

/// Every resource, by kind and then as created.
pub async fn resources<C: ConnectionTrait>(c: &C) -> Result<Vec<Resource>, DbErr> {
    query_all(c, "SELECT * FROM bookings_resources ORDER BY created_at, id", []).await?.iter().map(resource_from).collect()
}

// ---- bookings ----

fn booking_from(keys: &Keyring, r: &QueryResult) -> Result<Booking, DbErr> {
    let id: String = col(r, "id")?;
    let on_behalf_of =
        col::<Option<String>>(r, "on_behalf_enc")?.map(|s| keys.decrypt(&context(&id), &s).map_err(|e| DbErr::Custom(e.to_string()))).transpose()?;
    Ok(Booking {
        resource_id: col(r, "resource_id")?,
        account_id: col(r, "account_id")?,
        on_behalf_of,
        start: Timestamp(col(r, "start_at")?),
        end: Timestamp(col(r, "end_at")?),
        slots: col(r, "slots")?,
        price_cents: col(r, "price_cents")?,
        status: Status::parse(&col::<String>(r, "status")?).unwrap_or(Status::Cancelled),
        note: col(r, "note")?,
        created_at: Timestamp(col(r, "created_at")?),
        decided_at: col::<Option<i64>>(r, "decided_at")?.map(Timestamp),
        cancelled_at: col::<Option<i64>>(r, "cancelled_at")?.map(Timestamp),
        id,
    })
}

pub async fn insert_booking<C: ConnectionTrait>(c: &C, keys: &Keyring, b: &Booking) -> Result<(), DbErr> {
    let sealed = b.on_behalf_of.as_deref().map(|t| keys.encrypt(&context(&b.id), t));
    exec(
        c,
        "INSERT INTO bookings (id, resource_id, account_id, on_behalf_enc, start_at, end_at, slots, price_cents, status, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        [
            b.id.clone().into(),
            b.resource_id.clone().into(),
            opt_str(b.account_id.clone()),
            opt_str(sealed),
            b.start.0.into(),
            b.end.0.into(),
            b.slots.into(),
            b.price_cents.into(),
            b.status.code().into(),
            opt_str(b.note.clone()),
            b.created_at.0.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn booking<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str) -> Result<Option<Booking>, DbErr> {
    query_opt(c, "SELECT * FROM bookings WHERE id = $1", [id.into()]).await?.map(|r| booking_from(keys, &r)).transpose()
}

/// Locked for a change (PostgreSQL: a decision and a cancellation do not cross).
pub async fn booking_for_update<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str) -> Result<Option<Booking>, DbErr> {
    let sql = format!("SELECT * FROM bookings WHERE id = $1{}", kernel::db::for_update(c));
    query_opt(c, &sql, [id.into()]).await?.map(|r| booking_from(keys, &r)).transpose()
}

/// A person's bookings, the latest start first.
pub async fn bookings_of<C: ConnectionTrait>(c: &C, keys: &Keyring, account: &str) -> Result<Vec<Booking>, DbErr> {
    let rows = query_all(c, "SELECT * FROM bookings WHERE account_id = $1 ORDER BY start_at DESC, id LIMIT 200", [account.into()]).await?;
    rows.iter().map(|r| booking_from(keys, r)).collect()
}

/// Waiting for a decision, the earliest start first.
pub async fn pending<C: ConnectionTrait>(c: &C, keys: &Keyring) -> Result<Vec<Booking>, DbErr> {
    let rows = query_all(c, "SELECT * FROM bookings WHERE status = 'pending' ORDER BY start_at, id LIMIT 200", []).await?;
    rows.iter().map(|r| booking_from(keys, r)).collect()
}

/// Live bookings of a resource overlapping `[from, to)`.
pub async fn bookings_between<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    resource: &str,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Booking>, DbErr> {
    let rows = query_all(
        c,
        "SELECT * FROM bookings WHERE resource_id = $1 AND status IN ('pending', 'confirmed') AND start_at < $3 AND end_at > $2 ORDER BY start_at",
        [resource.into(), from.0.into(), to.0.into()],
    )
    .await?;
    rows.iter().map(|r| booking_from(keys, r)).collect()
}

pub async fn set_status<C: ConnectionTrait>(c: &C, id: &str, status: Status, by: Option<&str>, now: Timestamp) -> Result<(), DbErr> {
    let (decided, cancelled) = match status {
        Status::Cancelled => (None, Some(now.0)),
        _ => (Some(now.0), None),
    };
    exec(
        c,
        "UPDATE bookings SET status = $2, decided_at = COALESCE($3, decided_at), decided_by = COALESCE($4, decided_by), cancelled_at = $5 WHERE id = $1",
        [id.into(), status.code().into(), opt_i64(decided), opt_str(by.filter(|_| decided.is_some()).map(str::to_string)), opt_i64(cancelled)],
    )
    .await
    .map(|_| ())
}

/// Erasure of a person: live bookings still to come are cancelled and their
/// slots freed; every booking keeps its times and price (occupancy
/// figures) but loses its note, its legal person and its link to the account.
pub async fn erase_account<C: ConnectionTrait>(c: &C, account: &str, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM bookings_slots WHERE booking_id IN (SELECT id FROM bookings WHERE account_id = $1 AND status IN ('pending', 'confirmed') AND end_at > $2)",
        [account.into(), now.0.into()],
    )
    .await?;
    exec(
        c,
        "UPDATE bookings SET status = 'cancelled', cancelled_at = $2 WHERE account_id = $1 AND status IN ('pending', 'confirmed') AND end_at > $2",
        [account.into(), now.0.into()],
    )
    .await?;
    exec(c, "UPDATE bookings SET note = NULL, on_behalf_enc = NULL, account_id = NULL WHERE account_id = $1", [account.into()]).await.map(|_| ())
}

// ---- slots ----

/// Who holds a slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    Booking(String),
    Block(String),
}

/// Take the slots for a booking or a block, all or none: `Ok(false)` when
/// one of them is held already (the UNIQUE constraint decides). On
/// PostgreSQL the caller's transaction is unusable after `false`; drop it.
pub async fn take_slots<C: ConnectionTrait>(c: &C, resource: &str, starts: &[Timestamp], holder: &Holder) -> Result<bool, DbErr> {
    let (booking, block) = match holder {
        Holder::Booking(id) => (Some(id.clone()), None),
        Holder::Block(id) => (None, Some(id.clone())),
    };
    for chunk in starts.chunks(100) {
        let mut sql = String::from("INSERT INTO bookings_slots (resource_id, slot_start, booking_id, block_id) VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (i, s) in chunk.iter().enumerate() {
            let b = i * 4;
            sql.push_str(&format!("{}(${}, ${}, ${}, ${})", if i == 0 { "" } else { ", " }, b + 1, b + 2, b + 3, b + 4));
            values.extend([resource.into(), s.0.into(), opt_str(booking.clone()), opt_str(block.clone())]);
        }
        match exec(c, &sql, values).await {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

pub async fn free_slots<C: ConnectionTrait>(c: &C, holder: &Holder) -> Result<u64, DbErr> {
    match holder {
        Holder::Booking(id) => exec(c, "DELETE FROM bookings_slots WHERE booking_id = $1", [id.clone().into()]).await,
        Holder::Block(id) => exec(c, "DELETE FROM bookings_slots WHERE block_id = $1", [id.clone().into()]).await,
    }
}

/// The held slots of a resource in `[from, to)` and who holds them.
pub async fn held<C: ConnectionTrait>(c: &C, resource: &str, from: Timestamp, to: Timestamp) -> Result<Vec<(Timestamp, Holder)>, DbErr> {
    let rows = query_all(
        c,
        "SELECT slot_start, booking_id, block_id FROM bookings_slots WHERE resource_id = $1 AND slot_start >= $2 AND slot_start < $3 ORDER BY slot_start",
        [resource.into(), from.0.into(), to.0.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let holder = match (col::<Option<String>>(r, "booking_id")?, col::<Option<String>>(r, "block_id")?) {
                (Some(b), _) => Holder::Booking(b),
                (None, Some(b)) => Holder::Block(b),
                (None, None) => Holder::Block(String::new()),
            };
            Ok((Timestamp(col(r, "slot_start")?), holder))
        })
        .collect()
}

// ---- blocks ----

#[derive(Clone, Debug)]
pub struct Block {
    pub id: String,
    pub resource_id: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub reason: String,
}

fn block_from(r: &QueryResult) -> Result<Block, DbErr> {
    Ok(Block {
        id: col(r, "id")?,
        resource_id: col(r, "resource_id")?,
        start: Timestamp(col(r, "start_at")?),
        end: Timestamp(col(r, "end_at")?),
        reason: col(r, "reason")?,
    })
}

pub async fn insert_block<C: ConnectionTrait>(c: &C, b: &Block, by: Option<&str>, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO bookings_blocks (id, resource_id, start_at, end_at, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            b.id.clone().into(),
            b.resource_id.clone().into(),
            b.start.0.into(),
            b.end.0.into(),
            b.reason.clone().into(),
            opt_str(by.map(str::to_string)),
            now.0.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn block<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Block>, DbErr> {
    query_opt(c, "SELECT * FROM bookings_blocks WHERE id = $1", [id.into()]).await?.map(|r| block_from(&r)).transpose()
}

pub async fn blocks_between<C: ConnectionTrait>(c: &C, resource: &str, from: Timestamp, to: Timestamp) -> Result<Vec<Block>, DbErr> {
    query_all(
        c,
        "SELECT * FROM bookings_blocks WHERE resource_id = $1 AND start_at < $3 AND end_at > $2 ORDER BY start_at",
        [resource.into(), from.0.into(), to.0.into()],
    )
    .await?
    .iter()
    .map(block_from)
    .collect()
}

pub async fn delete_block<C: ConnectionTrait>(c: &C, id: &str) -> Result<u64, DbErr> {
    free_slots(c, &Holder::Block(id.to_string())).await?;
    exec(c, "DELETE FROM bookings_blocks WHERE id = $1", [id.into()]).await
}

// ---- figures ----

/// (municipal spaces, of them bookable here).
pub async fn space_counts<C: ConnectionTrait>(c: &C) -> Result<(i64, i64), DbErr> {
    let r = query_opt(
        c,
        "SELECT (SELECT COUNT(*) FROM bookings_resources WHERE kind <> $1) AS n, \
         (SELECT COUNT(*) FROM bookings_resources WHERE kind <> $1 AND bookable = 1) AS b",
        [ResourceKind::EvCharging.code().into()],
    )
    .await?;
    match r {
        Some(r) => Ok((col(&r, "n")?, col(&r, "b")?)),
        None => Ok((0, 0)),
    }
}

/// Bookings by status, for the figures.
pub async fn status_counts<C: ConnectionTrait>(c: &C) -> Result<Vec<(Status, i64)>, DbErr> {
    let rows = query_all(c, "SELECT status, COUNT(*) AS n FROM bookings GROUP BY status ORDER BY status", []).await?;
    let mut out = vec![];
    for r in &rows {
        if let Some(s) = Status::parse(&col::<String>(r, "status")?) {
            out.push((s, col(r, "n")?));
        }
    }
    Ok(out)
}

pub async fn has_resources<C: ConnectionTrait>(c: &C) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT id FROM bookings_resources LIMIT 1", []).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_held_slot_cannot_be_taken_again_and_is_free_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let db = kernel::db::Db::open_sqlite(dir.path()).await.unwrap();
        db.conn().execute_unprepared("CREATE TABLE accounts (id TEXT PRIMARY KEY)").await.unwrap();
        db.migrate(&crate::MIGRATIONS.iter().collect::<Vec<_>>(), Timestamp(0)).await.unwrap();
        let c = db.conn();
        let r = &crate::demo::resources()[1];
        insert_resource(c, r, Timestamp(0), false).await.unwrap();
        let block = |id: &str| Block { id: id.into(), resource_id: r.id.clone(), start: Timestamp(0), end: Timestamp(7_200_000), reason: "x".into() };
        insert_block(c, &block("a"), None, Timestamp(0)).await.unwrap();
        insert_block(c, &block("b"), None, Timestamp(0)).await.unwrap();
        let two = [Timestamp(0), Timestamp(3_600_000)];
        assert!(take_slots(c, &r.id, &two, &Holder::Block("a".into())).await.unwrap());
        // One of the two overlaps: none is taken.
        assert!(!take_slots(c, &r.id, &[Timestamp(3_600_000), Timestamp(7_200_000)], &Holder::Block("b".into())).await.unwrap());
        let held_now = held(c, &r.id, Timestamp(0), Timestamp(10_800_000)).await.unwrap();
        assert_eq!(held_now, vec![(Timestamp(0), Holder::Block("a".into())), (Timestamp(3_600_000), Holder::Block("a".into()))]);
        delete_block(c, "a").await.unwrap();
        assert!(take_slots(c, &r.id, &two, &Holder::Block("b".into())).await.unwrap());
        assert_eq!(space_counts(c).await.unwrap(), (1, 1));
    }
}
