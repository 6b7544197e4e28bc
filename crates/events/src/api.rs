//! JSON API of events under /api/v1/events, described with utoipa.

use crate::model::{Access, Audience, EventInput, FollowKind, Genre, OrganiserInput, OrganiserKind, PlaceInput, ReturnInput, Status, is_live};
use crate::query::ListQuery;
use crate::service;
use crate::store::{self, Event};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use kernel::error::{FieldError, Problem};
use kernel::web::{ApiJson, ApiQuery};
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list_events, submit_event, get_event, resubmit_event, publish_event, return_event, review_queue, my_events, event_places, list_follows, follow_target, unfollow_target, personal_calendar),
    components(schemas(
        EventView, EventPlace, EventOrganiser, EventList, EventInput, PlaceInput, OrganiserInput, ReturnInput, Genre, Audience, Access, Status,
        OrganiserKind, FollowKind, FollowView, PersonalView, crate::model::TitleSchema, crate::model::DescriptionSchema, Problem, FieldError
    )),
    tags((name = "events", description = "The events calendar: submission, review, public lists, following; iCalendar feeds at /events.ics"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/events", get(list_events).post(submit_event))
        .route("/api/v1/events/review", get(review_queue))
        .route("/api/v1/events/mine", get(my_events))
        .route("/api/v1/events/places", get(event_places))
        .route("/api/v1/events/follows", get(list_follows))
        .route("/api/v1/events/follows/{kind}/{target}", put(follow_target).delete(unfollow_target))
        .route("/api/v1/events/personal", get(personal_calendar))
        .route("/api/v1/events/{id}", get(get_event).put(resubmit_event))
        .route("/api/v1/events/{id}/publish", post(publish_event))
        .route("/api/v1/events/{id}/return", post(return_event))
}

#[derive(Serialize, ToSchema)]
pub struct EventPlace {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

impl From<&store::Place> for EventPlace {
    fn from(p: &store::Place) -> Self {
        EventPlace { id: p.id.clone(), name: p.name.clone(), lat: p.lat, lon: p.lon }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventOrganiser {
    pub id: String,
    pub kind: OrganiserKind,
    pub name: String,
}

/// An event. No personal data of whoever submitted it.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    #[schema(value_type = Object)]
    pub title: crate::model::Text,
    #[schema(value_type = Object)]
    pub description: crate::model::Text,
    pub genre: Genre,
    pub audience: Audience,
    pub place: EventPlace,
    pub organiser: EventOrganiser,
    /// None: free.
    pub price_cents: Option<i64>,
    pub free: bool,
    pub accessibility: Vec<Access>,
    pub starts_at: String,
    pub ends_at: String,
    /// The event runs now.
    pub live: bool,
    /// The live stream, only while the event runs.
    pub stream_url: Option<String>,
    pub status: Status,
    /// Why it was returned (to its organiser and staff only).
    pub reason: Option<String>,
    pub sequence: i64,
    /// Its page.
    pub url: String,
}

pub fn view(ctx: &Ctx, actor: &Actor, e: &Event) -> EventView {
    let now = ctx.now();
    let live = e.status == Status::Published && is_live(e.starts_at, e.ends_at, now);
    let private = e.submitted_by.is_some() && actor.account_id() == e.submitted_by.as_deref() || actor.allows(Permission::ManageEvents);
    EventView {
        id: e.id.clone(),
        title: e.title.clone(),
        description: e.description.clone(),
        genre: e.genre,
        audience: e.audience,
        place: (&e.place).into(),
        organiser: EventOrganiser { id: e.organiser.id.clone(), kind: e.organiser.kind, name: e.organiser.name.clone() },
        price_cents: e.price_cents,
        free: e.price_cents.is_none(),
        accessibility: e.accessibility.clone(),
        starts_at: e.starts_at.rfc3339(),
        ends_at: e.ends_at.rfc3339(),
        live,
        stream_url: if live { e.stream_url.clone() } else { None },
        status: e.status,
        reason: if private { e.reason.clone() } else { None },
        sequence: e.sequence,
        url: format!("{}/events/{}", ctx.config.public_url(), e.id),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
}

fn views(ctx: &Ctx, actor: &Actor, list: &[Event]) -> axum::Json<EventList> {
    axum::Json(EventList { items: list.iter().map(|e| view(ctx, actor, e)).collect() })
}

/// Published events that have not ended, by start time, with filters. Public.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(ListQuery),
    responses(
        (status = 200, description = "Events", body = EventList),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_events(State(ctx): State<Ctx>, actor: Actor, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<axum::Json<EventList>> {
    let limit = match q.limit.unwrap_or(100) {
        n @ 1..=500 => n as i64,
        _ => return Err(AppError::bad_request("limit_invalid").with_detail("1 to 500")),
    };
    let f = q.filter(ctx.now())?;
    Ok(views(&ctx, &actor, &store::published(ctx.db.conn(), &f, limit).await?))
}

/// Submit an event for review (signed-in people; as a legal entity, its representatives).
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = EventInput,
    responses(
        (status = 201, description = "Submitted", body = EventView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a representative (`not_a_representative`), or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn submit_event(State(ctx): State<Ctx>, actor: Actor, ApiJson(input): ApiJson<EventInput>) -> AppResult<(StatusCode, axum::Json<EventView>)> {
    let e = service::submit(&ctx, &actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(view(&ctx, &actor, &e))))
}

/// One event: published ones for everyone, the others for their organiser and staff.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = String, Path, max_length = 64)),
    responses(
        (status = 200, description = "The event", body = EventView),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_event(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<EventView>> {
    let e = service::visible(&ctx, &actor, &id).await?;
    Ok(axum::Json(view(&ctx, &actor, &e)))
}

/// The organiser changes an event in review or returned (it goes back for review).
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events", request_body = EventInput, params(("id" = String, Path, max_length = 64)),
    responses(
        (status = 200, description = "Changed", body = EventView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not its organiser, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Published already (`event_published`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn resubmit_event(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EventInput>,
) -> AppResult<axum::Json<EventView>> {
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    let e = service::resubmit(&ctx, &actor, &id, input).await?;
    Ok(axum::Json(view(&ctx, &actor, &e)))
}

/// Publish an event in review (staff with `ManageEvents`).
#[utoipa::path(post, path = "/api/v1/events/{id}/publish", tag = "events", params(("id" = String, Path, max_length = 64)),
    responses(
        (status = 200, description = "Published", body = EventView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in review (`event_not_in_review`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn publish_event(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<EventView>> {
    actor.check(Permission::ManageEvents)?;
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    let e = service::publish(&ctx, &actor, &id).await?;
    Ok(axum::Json(view(&ctx, &actor, &e)))
}

/// Return an event to its organiser with a reason (staff with `ManageEvents`); a published one is taken down.
#[utoipa::path(post, path = "/api/v1/events/{id}/return", tag = "events", request_body = ReturnInput, params(("id" = String, Path, max_length = 64)),
    responses(
        (status = 200, description = "Returned", body = EventView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Returned already (`event_not_in_review`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ))]
async fn return_event(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReturnInput>,
) -> AppResult<axum::Json<EventView>> {
    actor.check(Permission::ManageEvents)?;
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    let e = service::return_event(&ctx, &actor, &id, input).await?;
    Ok(axum::Json(view(&ctx, &actor, &e)))
}

/// Events waiting for review, oldest first (staff).
#[utoipa::path(get, path = "/api/v1/events/review", tag = "events",
    responses(
        (status = 200, description = "In review", body = EventList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff or 2FA missing", body = Problem, content_type = "application/problem+json"),
    ))]
async fn review_queue(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<EventList>> {
    let list = service::review_queue(&ctx, &actor).await?;
    Ok(views(&ctx, &actor, &list))
}

/// The events one submitted, with their status and any reason for a return.
#[utoipa::path(get, path = "/api/v1/events/mine", tag = "events",
    responses(
        (status = 200, description = "Mine", body = EventList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_events(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<EventList>> {
    let list = service::mine(&ctx, &actor).await?;
    Ok(views(&ctx, &actor, &list))
}

/// The known places. Public.
#[utoipa::path(get, path = "/api/v1/events/places", tag = "events", responses((status = 200, description = "Places", body = [EventPlace])))]
async fn event_places(State(ctx): State<Ctx>) -> AppResult<axum::Json<Vec<EventPlace>>> {
    Ok(axum::Json(store::places(ctx.db.conn()).await?.iter().map(EventPlace::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct FollowView {
    pub kind: FollowKind,
    /// A genre code, a place id or an organiser id.
    pub target: String,
}

/// What one follows.
#[utoipa::path(get, path = "/api/v1/events/follows", tag = "events",
    responses(
        (status = 200, description = "Follows", body = [FollowView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_follows(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<FollowView>>> {
    let list = service::follows(&ctx, &actor).await?;
    Ok(axum::Json(list.into_iter().map(|(kind, target)| FollowView { kind, target }).collect()))
}

/// The kind and target of a follow path; nothing longer than an id names anything.
fn follow_path(kind: &str, target: &str) -> AppResult<FollowKind> {
    if target.len() > 64 {
        return Err(AppError::not_found());
    }
    FollowKind::parse(kind).ok_or_else(AppError::not_found)
}

/// Follow a genre, place or organiser: its events join one's personal calendar.
#[utoipa::path(put, path = "/api/v1/events/follows/{kind}/{target}", tag = "events",
    params(("kind" = FollowKind, Path), ("target" = String, Path, max_length = 64)),
    responses(
        (status = 204, description = "Followed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing of that id", body = Problem, content_type = "application/problem+json"),
    ))]
async fn follow_target(State(ctx): State<Ctx>, actor: Actor, Path((kind, target)): Path<(String, String)>) -> AppResult<StatusCode> {
    service::follow(&ctx, &actor, follow_path(&kind, &target)?, &target, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop following.
#[utoipa::path(delete, path = "/api/v1/events/follows/{kind}/{target}", tag = "events",
    params(("kind" = FollowKind, Path), ("target" = String, Path, max_length = 64)),
    responses(
        (status = 204, description = "Not followed any more"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unfollow_target(State(ctx): State<Ctx>, actor: Actor, Path((kind, target)): Path<(String, String)>) -> AppResult<StatusCode> {
    service::follow(&ctx, &actor, follow_path(&kind, &target)?, &target, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct PersonalView {
    pub items: Vec<EventView>,
    /// The personal iCalendar feed: a secret address for calendar apps.
    pub feed_url: String,
}

/// One's personal calendar: upcoming events of what one follows, and its feed address.
#[utoipa::path(get, path = "/api/v1/events/personal", tag = "events",
    responses(
        (status = 200, description = "Personal calendar", body = PersonalView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
async fn personal_calendar(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<PersonalView>> {
    let token = service::personal_feed_token(&ctx, &actor, false).await?;
    let account = actor.account_id().unwrap_or_default().to_string();
    let list = service::personal(&ctx, &account, ctx.now()).await?;
    Ok(axum::Json(PersonalView {
        items: list.iter().map(|e| view(&ctx, &actor, e)).collect(),
        feed_url: format!("{}/events/feed/{token}.ics", ctx.config.public_url()),
    }))
}
