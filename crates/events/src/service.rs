//! The rules of events: who submits, reviews and sees what; each change in
//! one transaction with its audit entry and, for a review, the message to
//! the organiser through the notifications hub.

use crate::model::{EventInput, FollowKind, Genre, OrganiserKind, PlaceChoice, ReturnInput, Status, Text, Valid};
use crate::store::{self, Event, Filter};
use kernel::access::UserActor;
use kernel::audit::AuditEntry;
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Timestamp};
use notify::model::{NoticeInput, Topic, Urgency};
use notify::service::{Audience as To, Outgoing};
use sea_orm::ConnectionTrait;
use serde_json::json;

async fn audit<C: ConnectionTrait>(ctx: &Ctx, c: &C, user: &UserActor, action: &str, id: &str, detail: serde_json::Value) -> AppResult<()> {
    ctx.audit(c, AuditEntry { actor: &format!("account:{}", user.account_id), action, subject: &format!("event:{id}"), outcome: "ok", detail })
        .await?;
    Ok(())
}

/// Only a representative organises as a legal entity.
fn check_organiser(actor: &Actor, v: &Valid) -> AppResult<()> {
    if v.organiser.kind == OrganiserKind::LegalEntity {
        actor.check(Permission::ActForLegalEntity).map_err(|_| AppError::forbidden("not_a_representative"))?;
    }
    Ok(())
}

/// The place and organiser rows a valid input names (made when new).
async fn resolve<C: ConnectionTrait>(c: &C, user: &UserActor, v: &Valid, now: Timestamp) -> AppResult<(store::Place, store::Organiser)> {
    let place = match &v.place {
        PlaceChoice::Known(id) => store::place(c, id).await?.ok_or_else(|| AppError::field("place_id", "invalid_choice"))?,
        PlaceChoice::New(p) => store::place_named(c, &p.name, p.lat, p.lon, now, false).await?,
    };
    let organiser = store::organiser_for(c, Some(&user.account_id), v.organiser.kind, &v.organiser.name, now, false).await?;
    Ok((place, organiser))
}

fn apply(e: &mut Event, v: Valid, place: store::Place, organiser: store::Organiser) {
    e.title = v.title;
    e.description = v.description;
    e.genre = v.genre;
    e.audience = v.audience;
    e.place = place;
    e.organiser = organiser;
    e.price_cents = v.price_cents;
    e.accessibility = v.accessibility;
    e.starts_at = v.starts_at;
    e.ends_at = v.ends_at;
    e.stream_url = v.stream_url;
}

/// An organiser (a signed-in person, or a representative for a legal entity) submits an event for review.
pub async fn submit(ctx: &Ctx, actor: &Actor, input: EventInput) -> AppResult<Event> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let now = ctx.now();
    let v = input.validate(now).map_err(AppError::invalid)?;
    check_organiser(actor, &v)?;
    let txn = ctx.db.begin().await?;
    let (place, organiser) = resolve(&txn, user, &v, now).await?;
    let mut e = Event {
        id: store::id_at(now),
        organiser: organiser.clone(),
        place: place.clone(),
        submitted_by: Some(user.account_id.clone()),
        genre: v.genre,
        audience: v.audience,
        title: Text::default(),
        description: Text::default(),
        price_cents: None,
        accessibility: vec![],
        starts_at: v.starts_at,
        ends_at: v.ends_at,
        stream_url: None,
        status: Status::Submitted,
        reason: None,
        sequence: 0,
        created_at: now,
        updated_at: now,
        published_at: None,
    };
    apply(&mut e, v, place, organiser);
    store::insert_event(&txn, &e, false).await?;
    audit(ctx, &txn, user, "events.submit", &e.id, json!({})).await?;
    txn.commit().await?;
    Ok(e)
}

fn is_submitter(actor: &Actor, e: &Event) -> bool {
    e.submitted_by.is_some() && actor.account_id() == e.submitted_by.as_deref()
}

/// The organiser changes an event that waits for review or was returned; a
/// returned one goes back for review as resubmitted.
pub async fn resubmit(ctx: &Ctx, actor: &Actor, id: &str, input: EventInput) -> AppResult<Event> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let now = ctx.now();
    let v = input.validate(now).map_err(AppError::invalid)?;
    check_organiser(actor, &v)?;
    let txn = ctx.db.begin().await?;
    let mut e = store::event_for_update(&txn, id).await?.ok_or_else(AppError::not_found)?;
    if !is_submitter(actor, &e) {
        return Err(if may_see(actor, &e) { AppError::forbidden("not_the_organiser") } else { AppError::not_found() });
    }
    e.status = match e.status {
        Status::Submitted => Status::Submitted,
        Status::Returned | Status::Resubmitted => Status::Resubmitted,
        Status::Published => return Err(AppError::conflict("event_published")),
    };
    let (place, organiser) = resolve(&txn, user, &v, now).await?;
    apply(&mut e, v, place, organiser);
    e.sequence += 1;
    e.updated_at = now;
    store::update_event(&txn, &e).await?;
    audit(ctx, &txn, user, "events.resubmit", &e.id, json!({"sequence": e.sequence})).await?;
    txn.commit().await?;
    Ok(e)
}

/// Staff publish an event in review.
pub async fn publish(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<Event> {
    let user = actor.check(Permission::ManageEvents)?;
    let txn = ctx.db.begin().await?;
    let mut e = store::event_for_update(&txn, id).await?.ok_or_else(AppError::not_found)?;
    if !e.status.in_review() {
        return Err(AppError::conflict("event_not_in_review"));
    }
    let now = ctx.now();
    e.status = Status::Published;
    e.reason = None;
    e.sequence += 1;
    e.updated_at = now;
    e.published_at = Some(now);
    store::update_event(&txn, &e).await?;
    tell_organiser(ctx, &txn, user, &e, "events-notice-published", None).await?;
    audit(ctx, &txn, user, "events.publish", &e.id, json!({})).await?;
    txn.commit().await?;
    Ok(e)
}

/// Staff return an event in review (or take a published one down) with a reason for the organiser.
pub async fn return_event(ctx: &Ctx, actor: &Actor, id: &str, input: ReturnInput) -> AppResult<Event> {
    let user = actor.check(Permission::ManageEvents)?;
    let reason = input.validate().map_err(AppError::invalid)?;
    let txn = ctx.db.begin().await?;
    let mut e = store::event_for_update(&txn, id).await?.ok_or_else(AppError::not_found)?;
    if e.status == Status::Returned {
        return Err(AppError::conflict("event_not_in_review"));
    }
    e.status = Status::Returned;
    e.reason = Some(reason.clone());
    e.sequence += 1;
    e.updated_at = ctx.now();
    store::update_event(&txn, &e).await?;
    tell_organiser(ctx, &txn, user, &e, "events-notice-returned", Some(&reason)).await?;
    audit(ctx, &txn, user, "events.return", &e.id, json!({})).await?;
    txn.commit().await?;
    Ok(e)
}

fn each_lang(f: impl Fn(Lang) -> String) -> Text {
    Text(Lang::ALL.into_iter().map(|l| (l.code().to_string(), f(l))).collect())
}

/// A message to whoever submitted the event, in the review's transaction.
async fn tell_organiser<C: ConnectionTrait>(ctx: &Ctx, c: &C, user: &UserActor, e: &Event, key: &str, reason: Option<&str>) -> AppResult<()> {
    let Some(account) = &e.submitted_by else { return Ok(()) };
    let notice = NoticeInput {
        topic: Topic::MyProposals,
        urgency: Urgency::Normal,
        title: each_lang(|l| ctx.i18n.t_args(l, &format!("{key}-title"), &[("title", e.title.get(l).to_string().into())])),
        body: each_lang(|l| ctx.i18n.t_args(l, &format!("{key}-body"), &[("reason", reason.unwrap_or("").to_string().into())])),
        url: Some(format!("/events/{}", e.id)),
        area: None,
    };
    let out = Outgoing {
        id: Some(format!("event:{}:{}", e.id, e.sequence)),
        notice,
        audience: To::Account(account.clone()),
        source: "events".into(),
        created_by: Some(user.account_id.clone()),
        warn_located: false,
    };
    notify::service::send(c, ctx, out).await?;
    Ok(())
}

/// Published events are public; the others only to their organiser and staff.
pub fn may_see(actor: &Actor, e: &Event) -> bool {
    e.status == Status::Published || is_submitter(actor, e) || actor.allows(Permission::ManageEvents)
}

/// One event as this actor may see it (404 otherwise: unpublished events are not revealed).
pub async fn visible(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<Event> {
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    let e = store::event(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    if may_see(actor, &e) { Ok(e) } else { Err(AppError::not_found()) }
}

pub async fn review_queue(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Event>> {
    actor.check(Permission::ManageEvents)?;
    Ok(store::in_review(ctx.db.conn()).await?)
}

pub async fn mine(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Event>> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    Ok(store::submitted_by(ctx.db.conn(), &user.account_id).await?)
}

// ---- following and the personal calendar ----

/// Checks that what is followed exists.
async fn check_target(ctx: &Ctx, kind: FollowKind, target: &str) -> AppResult<()> {
    let c = ctx.db.conn();
    let ok = target.len() <= 64
        && match kind {
            FollowKind::Genre => Genre::parse(target).is_some(),
            FollowKind::Place => store::place(c, target).await?.is_some(),
            FollowKind::Organiser => store::organiser(c, target).await?.is_some(),
        };
    if ok { Ok(()) } else { Err(AppError::field("target", "invalid_choice")) }
}

pub async fn follow(ctx: &Ctx, actor: &Actor, kind: FollowKind, target: &str, on: bool) -> AppResult<()> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let c = ctx.db.conn();
    if on {
        check_target(ctx, kind, target).await?;
        store::follow(c, &user.account_id, kind, target, ctx.now()).await?;
    } else {
        store::unfollow(c, &user.account_id, kind, target).await?;
    }
    Ok(())
}

pub async fn follows(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<(FollowKind, String)>> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    Ok(store::follows(ctx.db.conn(), &user.account_id).await?)
}

/// Published events from `from` on that match anything the account follows.
pub async fn personal(ctx: &Ctx, account: &str, from: Timestamp) -> AppResult<Vec<Event>> {
    let c = ctx.db.conn();
    let follows = store::follows(c, account).await?;
    if follows.is_empty() {
        return Ok(vec![]);
    }
    let all = store::published(c, &Filter { from, ..Filter::default() }, 2000).await?;
    let matches = |e: &Event| {
        follows.iter().any(|(k, t)| match k {
            FollowKind::Genre => e.genre.code() == t,
            FollowKind::Place => &e.place.id == t,
            FollowKind::Organiser => &e.organiser.id == t,
        })
    };
    Ok(all.into_iter().filter(matches).collect())
}

fn feed_token(ctx: &Ctx, account: &str, generation: i64) -> String {
    ctx.keys.mac("events-feed", &format!("{account}:{generation}"))
}

fn token_index(ctx: &Ctx, token: &str) -> String {
    ctx.keys.blind_index("events-feed-token", token)
}

/// The secret of the personal feed (calendar apps cannot sign in); a new one
/// when `reset`, which stops the old address.
pub async fn personal_feed_token(ctx: &Ctx, actor: &Actor, reset: bool) -> AppResult<String> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let txn = ctx.db.begin().await?;
    let current = store::feed_generation(&txn, &user.account_id).await?;
    let generation = match (current, reset) {
        (Some(g), false) => {
            txn.commit().await?;
            return Ok(feed_token(ctx, &user.account_id, g));
        }
        (Some(g), true) => g + 1,
        (None, _) => 1,
    };
    let token = feed_token(ctx, &user.account_id, generation);
    store::set_feed(&txn, &user.account_id, generation, &token_index(ctx, &token), ctx.now()).await?;
    txn.commit().await?;
    Ok(token)
}

/// The account a feed token belongs to (404 for an unknown or old one).
pub async fn feed_owner(ctx: &Ctx, token: &str) -> AppResult<String> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found());
    }
    store::feed_account(ctx.db.conn(), &token_index(ctx, token)).await?.ok_or_else(AppError::not_found)
}
