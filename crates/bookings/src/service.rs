//! The rules of bookings: who may book what and when, on whose behalf,
//! cancelling, the staff's decisions and blocks. Each change runs in one
//! transaction with its slots, its message to the booker through the
//! notifications hub and, for staff actions, its audit entry.

use crate::model::{self, Booker, Booking, Refusal, Resource, Status, field_errors};
use crate::store::{self, Block, Holder};
use chrono::NaiveDate;
use kernel::access::UserActor;
use kernel::audit::AuditEntry;
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Timestamp};
use notify::model::{NoticeInput, Text, Topic, Urgency};
use notify::service::{Audience, Outgoing};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::json;

/// What someone asks to book, parsed.
#[derive(Clone, Debug)]
pub struct Request {
    pub resource_id: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub on_behalf_of: Option<String>,
    pub note: Option<String>,
}

fn refused(r: Refusal) -> AppError {
    AppError::invalid(field_errors(&[r]))
}

fn slot_taken() -> AppError {
    AppError::conflict("booking_slot_taken").with_detail("another booking or a block holds one of these slots")
}

pub async fn resource(ctx: &Ctx, id: &str) -> AppResult<Resource> {
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    store::resource(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)
}

/// The legal persons this person may book for.
pub async fn represented(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<String>> {
    match actor.user() {
        Some(u) if actor.allows(Permission::ActForLegalEntity) => identity::service::represented_entities(ctx, ctx.db.conn(), &u.account_id).await,
        _ => Ok(vec![]),
    }
}

/// Book slots: for oneself, or for a legal person one represents. Confirmed
/// at once, or pending where the resource needs staff approval.
pub async fn book(ctx: &Ctx, actor: &Actor, req: Request) -> AppResult<Booking> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let r = resource(ctx, &req.resource_id)
        .await
        .map_err(|e| if e.status.as_u16() == 404 { AppError::field("resource_id", "resource_unknown") } else { e })?;
    let on_behalf_of = match req.on_behalf_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(t) => {
            let tax = identity::model::TaxNumber::parse(t).map_err(|c| AppError::field("on_behalf_of", c))?;
            if !represented(ctx, actor).await?.iter().any(|x| x == tax.as_str()) {
                return Err(AppError::forbidden("not_representative").with_detail("you do not represent this legal person"));
            }
            Some(tax.as_str().to_string())
        }
    };
    let booker = if on_behalf_of.is_some() { Booker::Legal } else { Booker::Natural };
    let slots = r.slots_between(req.start, req.end).map_err(refused)?;
    let now = ctx.now();
    r.check_rules(booker, req.start, slots.len() as i64, now).map_err(refused)?;
    let b = Booking {
        id: store::new_id(),
        resource_id: r.id.clone(),
        account_id: Some(user.account_id.clone()),
        on_behalf_of,
        start: req.start,
        end: req.end,
        slots: slots.len() as i64,
        price_cents: r.price(slots.len() as i64),
        status: if r.needs_approval { Status::Pending } else { Status::Confirmed },
        note: req.note,
        created_at: now,
        decided_at: None,
        cancelled_at: None,
    };
    let txn = ctx.db.begin().await?;
    store::insert_booking(&txn, &ctx.keys, &b).await?;
    if !store::take_slots(&txn, &r.id, &slots, &Holder::Booking(b.id.clone())).await? {
        return Err(slot_taken());
    }
    tell(ctx, &txn, &r, &b, if r.needs_approval { "pending" } else { "confirmed" }, None).await?;
    txn.commit().await.map_err(|e| if kernel::db::is_unique_violation(&e) { slot_taken() } else { e.into() })?;
    Ok(b)
}

/// A booking its booker or staff may see.
pub async fn booking_for(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<(Booking, Resource)> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    let b = store::booking(ctx.db.conn(), &ctx.keys, id).await?.ok_or_else(AppError::not_found)?;
    if b.account_id.as_deref() != Some(user.account_id.as_str()) && !actor.allows(Permission::ManageBookings) {
        return Err(AppError::not_found());
    }
    let r = resource(ctx, &b.resource_id).await?;
    Ok((b, r))
}

pub async fn mine(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<(Booking, Resource)>> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let resources = store::resources(ctx.db.conn()).await?;
    let list = store::bookings_of(ctx.db.conn(), &ctx.keys, &user.account_id).await?;
    Ok(list.into_iter().filter_map(|b| resources.iter().find(|r| r.id == b.resource_id).cloned().map(|r| (b, r))).collect())
}

/// Cancel: the booker until the resource's cancellation deadline, staff at any time.
pub async fn cancel(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<Booking> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let staff = actor.allows(Permission::ManageBookings);
    let txn = ctx.db.begin().await?;
    let mut b = store::booking_for_update(&txn, &ctx.keys, id).await?.ok_or_else(AppError::not_found)?;
    let own = b.account_id.as_deref() == Some(user.account_id.as_str());
    if !own && !staff {
        return Err(AppError::not_found());
    }
    if !b.status.is_live() {
        return Err(AppError::conflict("booking_not_active"));
    }
    // Inside the transaction: on SQLite it holds the one connection.
    let r = store::resource(&txn, &b.resource_id).await?.ok_or_else(AppError::not_found)?;
    let now = ctx.now();
    if !staff && now > r.cancel_deadline(b.start) {
        return Err(AppError::conflict("booking_cancel_too_late").with_detail(format!("cancel until {}", r.cancel_deadline(b.start).rfc3339())));
    }
    store::free_slots(&txn, &Holder::Booking(b.id.clone())).await?;
    store::set_status(&txn, &b.id, Status::Cancelled, Some(&user.account_id), now).await?;
    b.status = Status::Cancelled;
    b.cancelled_at = Some(now);
    if !own {
        tell(ctx, &txn, &r, &b, "cancelled", None).await?;
        audit(ctx, &txn, user, "bookings.cancel", &format!("booking:{}", b.id), json!({})).await?;
    }
    txn.commit().await?;
    Ok(b)
}

/// Staff confirm or reject a pending booking; a rejection frees its slots.
pub async fn decide(ctx: &Ctx, actor: &Actor, id: &str, confirm: bool, reason: Option<String>) -> AppResult<Booking> {
    let user = actor.check(Permission::ManageBookings)?;
    if reason.as_ref().is_some_and(|r| r.chars().count() > model::MAX_REASON) {
        return Err(AppError::field("reason", "too_long"));
    }
    let txn = ctx.db.begin().await?;
    let mut b = store::booking_for_update(&txn, &ctx.keys, id).await?.ok_or_else(AppError::not_found)?;
    if b.status != Status::Pending {
        return Err(AppError::conflict("booking_not_pending"));
    }
    let r = store::resource(&txn, &b.resource_id).await?.ok_or_else(AppError::not_found)?;
    let now = ctx.now();
    let status = if confirm { Status::Confirmed } else { Status::Rejected };
    if !confirm {
        store::free_slots(&txn, &Holder::Booking(b.id.clone())).await?;
    }
    store::set_status(&txn, &b.id, status, Some(&user.account_id), now).await?;
    b.status = status;
    b.decided_at = Some(now);
    tell(ctx, &txn, &r, &b, status.code(), reason.as_deref()).await?;
    audit(ctx, &txn, user, "bookings.decide", &format!("booking:{}", b.id), json!({"status": status.code()})).await?;
    txn.commit().await?;
    Ok(b)
}

/// Staff block slots (maintenance); refused where a booking or block holds one.
pub async fn block(ctx: &Ctx, actor: &Actor, resource_id: &str, start: Timestamp, end: Timestamp, reason: &str) -> AppResult<Block> {
    let user = actor.check(Permission::ManageBookings)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field("reason", "required"));
    }
    if reason.chars().count() > model::MAX_REASON {
        return Err(AppError::field("reason", "too_long"));
    }
    let r = resource(ctx, resource_id)
        .await
        .map_err(|e| if e.status.as_u16() == 404 { AppError::field("resource_id", "resource_unknown") } else { e })?;
    let slots = r.slots_between(start, end).map_err(refused)?;
    let b = Block { id: store::new_id(), resource_id: r.id.clone(), start, end, reason: reason.to_string() };
    let txn = ctx.db.begin().await?;
    store::insert_block(&txn, &b, Some(&user.account_id), ctx.now()).await?;
    if !store::take_slots(&txn, &r.id, &slots, &Holder::Block(b.id.clone())).await? {
        return Err(slot_taken());
    }
    audit(ctx, &txn, user, "bookings.block", &format!("resource:{}", r.id), json!({"block": b.id, "slots": slots.len()})).await?;
    txn.commit().await.map_err(|e| if kernel::db::is_unique_violation(&e) { slot_taken() } else { e.into() })?;
    Ok(b)
}

pub async fn unblock(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<()> {
    let user = actor.check(Permission::ManageBookings)?;
    let txn = ctx.db.begin().await?;
    let b = store::block(&txn, id).await?.ok_or_else(AppError::not_found)?;
    store::delete_block(&txn, id).await?;
    audit(ctx, &txn, user, "bookings.unblock", &format!("resource:{}", b.resource_id), json!({"block": id})).await?;
    txn.commit().await?;
    Ok(())
}

/// The fields of a resource that differ, for the audit entry (names only).
fn changed(a: &Resource, b: &Resource) -> Vec<&'static str> {
    let pairs = [
        ("kind", a.kind != b.kind),
        ("name", a.name != b.name),
        ("purpose", a.purpose != b.purpose),
        ("location", a.location != b.location),
        ("capacity", a.capacity != b.capacity),
        ("slots", (a.slot_minutes, a.opens_minute, a.closes_minute) != (b.slot_minutes, b.opens_minute, b.closes_minute)),
        ("price_cents", a.price_cents != b.price_cents),
        ("needs_approval", a.needs_approval != b.needs_approval),
        ("bookable", a.bookable != b.bookable),
        ("rules", a.rules != b.rules),
    ];
    pairs.into_iter().filter(|(_, d)| *d).map(|(n, _)| n).collect()
}

/// Staff create a resource from valid input.
pub async fn create_resource(ctx: &Ctx, actor: &Actor, input: &model::ResourceInput) -> AppResult<Resource> {
    let user = actor.check(Permission::ManageBookings)?;
    let mut r = input.validate().map_err(AppError::invalid)?;
    r.id = store::new_id();
    let txn = ctx.db.begin().await?;
    store::insert_resource(&txn, &r, ctx.now(), false).await?;
    audit(ctx, &txn, user, "bookings.resource_create", &format!("resource:{}", r.id), json!({"kind": r.kind.code(), "bookable": r.bookable})).await?;
    txn.commit().await?;
    Ok(r)
}

/// Staff change a resource. Bookings already made keep their times and
/// price; the new rules apply to bookings made from now on.
pub async fn update_resource(ctx: &Ctx, actor: &Actor, id: &str, input: &model::ResourceInput) -> AppResult<Resource> {
    let user = actor.check(Permission::ManageBookings)?;
    let before = resource(ctx, id).await?;
    let mut r = input.validate().map_err(AppError::invalid)?;
    r.id = before.id.clone();
    let txn = ctx.db.begin().await?;
    store::update_resource(&txn, &r).await?;
    audit(ctx, &txn, user, "bookings.resource_update", &format!("resource:{}", r.id), json!({"fields": changed(&before, &r)})).await?;
    txn.commit().await?;
    Ok(r)
}

/// Staff deactivate a resource: still listed, no longer bookable.
pub async fn deactivate_resource(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<Resource> {
    actor.check(Permission::ManageBookings)?;
    let mut input = model::ResourceInput::of(&resource(ctx, id).await?);
    input.bookable = Some(false);
    update_resource(ctx, actor, id, &input).await
}

/// The state of a slot as everyone may see it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlotState {
    Free,
    Taken,
    Blocked,
    /// Free, but the rules do not let it be booked now (too soon, too far, past).
    Closed,
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
    pub state: SlotState,
    pub holder: Option<Holder>,
}

fn day_range(r: &Resource, date: NaiveDate) -> Option<(Timestamp, Timestamp)> {
    let slots = r.day_slots(date);
    Some((*slots.first()?, Timestamp(slots.last()?.0 + r.slot_ms())))
}

/// The slots of a resource on a local day and whether each is free.
pub async fn day(ctx: &Ctx, r: &Resource, date: NaiveDate) -> AppResult<Vec<Slot>> {
    let Some((from, to)) = day_range(r, date) else { return Ok(vec![]) };
    let held = store::held(ctx.db.conn(), &r.id, from, to).await?;
    let now = ctx.now();
    Ok(r.day_slots(date)
        .into_iter()
        .map(|start| {
            let holder = held.iter().find(|(s, _)| *s == start).map(|(_, h)| h.clone());
            let state = match &holder {
                Some(Holder::Booking(_)) => SlotState::Taken,
                Some(Holder::Block(_)) => SlotState::Blocked,
                None if r.check_rules(Booker::Natural, start, 1, now).is_err() && r.check_rules(Booker::Legal, start, 1, now).is_err() => {
                    SlotState::Closed
                }
                None => SlotState::Free,
            };
            Slot { start, end: Timestamp(start.0 + r.slot_ms()), state, holder }
        })
        .collect())
}

/// Occupancy of a resource on a day, for staff: the slots, and the bookings and blocks that hold them.
pub async fn occupancy(ctx: &Ctx, actor: &Actor, r: &Resource, date: NaiveDate) -> AppResult<(Vec<Slot>, Vec<Booking>, Vec<Block>)> {
    actor.check(Permission::ManageBookings)?;
    let slots = day(ctx, r, date).await?;
    let Some((from, to)) = day_range(r, date) else { return Ok((slots, vec![], vec![])) };
    let bookings = store::bookings_between(ctx.db.conn(), &ctx.keys, &r.id, from, to).await?;
    let blocks = store::blocks_between(ctx.db.conn(), &r.id, from, to).await?;
    Ok((slots, bookings, blocks))
}

pub async fn pending(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Booking>> {
    actor.check(Permission::ManageBookings)?;
    Ok(store::pending(ctx.db.conn(), &ctx.keys).await?)
}

/// The KPI "share of municipal spaces bookable".
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = BookingKpi)]
pub struct Kpi {
    /// Municipal spaces (rooms, halls, grounds; not charging points).
    pub municipal_spaces: i64,
    /// Of them, bookable on this platform.
    pub bookable_spaces: i64,
    /// bookable_spaces / municipal_spaces, 0 to 1 (0 with no spaces).
    pub share_bookable: f64,
    /// Live bookings (pending or confirmed).
    pub live_bookings: i64,
}

pub async fn kpi(ctx: &Ctx) -> AppResult<Kpi> {
    let (n, b) = store::space_counts(ctx.db.conn()).await?;
    let live = store::status_counts(ctx.db.conn()).await?.iter().filter(|(s, _)| s.is_live()).map(|(_, n)| n).sum();
    let share = if n == 0 { 0.0 } else { ((b as f64 / n as f64) * 1000.0).round() / 1000.0 };
    Ok(Kpi { municipal_spaces: n, bookable_spaces: b, share_bookable: share, live_bookings: live })
}

/// Start and end in local time, for pages and messages: `1. 7. 2026 10:00–12:00`.
pub fn when(start: Timestamp, end: Timestamp) -> String {
    let (s, e) = (start.local(), end.local());
    if s.date() == e.date() || e.format("%H:%M").to_string() == "00:00" {
        format!("{}–{}", start.display_local(), e.format("%H:%M"))
    } else {
        format!("{} – {}", start.display_local(), end.display_local())
    }
}

fn each_lang(f: impl Fn(Lang) -> String) -> Text {
    Text(Lang::ALL.into_iter().map(|l| (l.code().to_string(), f(l))).collect())
}

/// Tell the booker what became of a booking (`what`: pending, confirmed, rejected, cancelled).
async fn tell<C: ConnectionTrait>(ctx: &Ctx, c: &C, r: &Resource, b: &Booking, what: &str, reason: Option<&str>) -> AppResult<()> {
    let Some(account) = &b.account_id else { return Ok(()) };
    let time = when(b.start, b.end);
    let notice = NoticeInput {
        topic: Topic::MyBookings,
        urgency: Urgency::Normal,
        title: each_lang(|l| ctx.i18n.t_args(l, &format!("bookings-notice-{what}-title"), &[("resource", r.name.get(l).to_string().into())])),
        body: each_lang(|l| {
            let mut body = ctx.i18n.t_args(
                l,
                &format!("bookings-notice-{what}-body"),
                &[("resource", r.name.get(l).to_string().into()), ("when", time.clone().into()), ("location", r.location.clone().into())],
            );
            if let Some(reason) = reason.filter(|s| !s.trim().is_empty()) {
                body.push_str("\n\n");
                body.push_str(reason.trim());
            }
            body
        }),
        url: Some(format!("/account/bookings/{}", b.id)),
        area: None,
    };
    let out = Outgoing {
        id: Some(format!("booking:{}:{what}", b.id)),
        notice,
        audience: Audience::Account(account.clone()),
        source: "bookings".into(),
        created_by: None,
        warn_located: false,
    };
    notify::service::send(c, ctx, out).await?;
    Ok(())
}

async fn audit<C: ConnectionTrait>(ctx: &Ctx, c: &C, user: &UserActor, action: &str, subject: &str, detail: serde_json::Value) -> AppResult<()> {
    ctx.audit(c, AuditEntry { actor: &format!("account:{}", user.account_id), action, subject, outcome: "ok", detail }).await?;
    Ok(())
}

/// The booking as an iCalendar file, in the booker's language.
pub fn calendar(ctx: &Ctx, b: &Booking, r: &Resource, lang: Lang) -> String {
    let host =
        ctx.config.public_url.as_deref().and_then(|u| u.split("://").nth(1)).map(|h| h.split(['/', ':']).next().unwrap_or(h)).unwrap_or("obcina");
    let uid = format!("booking-{}@{host}", b.id);
    let summary = ctx.i18n.t_args(lang, "bookings-ics-summary", &[("resource", r.name.get(lang).to_string().into())]);
    let description = ctx.i18n.t_args(
        lang,
        "bookings-ics-description",
        &[("status", ctx.i18n.t(lang, &format!("bookings-status-{}", b.status.code())).into()), ("price", model::euros(b.price_cents).into())],
    );
    use kernel::ical::{Calendar, Event, Status as IcalStatus, TimeForm};
    let status = match b.status {
        Status::Confirmed => IcalStatus::Confirmed,
        Status::Pending => IcalStatus::Tentative,
        Status::Rejected | Status::Cancelled => IcalStatus::Cancelled,
    };
    let stamp = b.cancelled_at.or(b.decided_at).unwrap_or(b.created_at);
    let mut event = Event::new(uid, stamp, b.start, summary)
        .end(b.end)
        .times(TimeForm::Utc)
        .description(description)
        .location(r.location.clone())
        .status(status)
        .url(format!("{}/account/bookings/{}", ctx.config.public_url().trim_end_matches('/'), b.id));
    event.last_modified = Some(stamp);
    Calendar::new("-//obcina//bookings//SL").event(event).render()
}
