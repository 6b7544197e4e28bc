//! JSON API of bookings under /api/v1/bookings, described with utoipa.

use crate::model::{self, Booker, Booking, Resource, ResourceInput, ResourceKind, Rules, Status};
use crate::service::{self, Kpi, Request, SlotState};
use crate::store::Block;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use kernel::error::{FieldError, Problem};
use kernel::web::{ApiJson, ApiQuery};
use kernel::{Actor, AppError, AppResult, Ctx, Lang};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list_resources, get_resource, create_resource, update_resource, deactivate_resource, resource_slots, create_booking, my_bookings, pending_bookings, bookings_kpi, get_booking, cancel_booking, decide_booking, booking_calendar, occupancy, create_block, delete_block),
    components(schemas(
        ResourceView, ResourceInput, ResourceKind, Rules, DayView, SlotView, SlotState, BookingInput, BookingView, Status, Booker, DecisionInput, Decision,
        OccupancyView, BlockInput, BlockView, Kpi, Problem, FieldError
    )),
    tags((name = "bookings", description = "Reservations of municipal rooms, halls, sports grounds, youth spaces and EV charging points"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/bookings", post(create_booking))
        .route("/api/v1/bookings/resources", get(list_resources).post(create_resource))
        .route("/api/v1/bookings/resources/{id}", get(get_resource).put(update_resource))
        .route("/api/v1/bookings/resources/{id}/deactivate", post(deactivate_resource))
        .route("/api/v1/bookings/resources/{id}/slots", get(resource_slots))
        .route("/api/v1/bookings/mine", get(my_bookings))
        .route("/api/v1/bookings/pending", get(pending_bookings))
        .route("/api/v1/bookings/kpi", get(bookings_kpi))
        .route("/api/v1/bookings/occupancy", get(occupancy))
        .route("/api/v1/bookings/blocks", post(create_block))
        .route("/api/v1/bookings/blocks/{id}", delete(delete_block))
        .route("/api/v1/bookings/{id}", get(get_booking))
        .route("/api/v1/bookings/{id}/cancel", post(cancel_booking))
        .route("/api/v1/bookings/{id}/decision", post(decide_booking))
        .route("/api/v1/bookings/{id}/calendar.ics", get(booking_calendar))
}

fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A bookable resource.
#[derive(Serialize, ToSchema)]
#[schema(as = BookingResource)]
pub struct ResourceView {
    pub id: String,
    pub kind: ResourceKind,
    /// In the request's language.
    pub name: String,
    pub purpose: String,
    pub location: String,
    /// People (for a charging point: vehicles).
    pub capacity: i64,
    pub slot_minutes: i64,
    /// Local time (Europe/Ljubljana) the first slot starts, HH:MM.
    pub opens: String,
    /// Local time the last slot ends, HH:MM (24:00 = midnight).
    pub closes: String,
    /// Price of one slot in euro cents.
    pub price_cents: i64,
    pub currency: String,
    pub needs_approval: bool,
    /// False: a municipal space listed here that cannot be booked online yet.
    pub bookable: bool,
    pub rules: Rules,
}

pub fn resource_view(r: &Resource, lang: Lang) -> ResourceView {
    ResourceView {
        id: r.id.clone(),
        kind: r.kind,
        name: r.name.get(lang).to_string(),
        purpose: r.purpose.get(lang).to_string(),
        location: r.location.clone(),
        capacity: r.capacity,
        slot_minutes: r.slot_minutes,
        opens: hhmm(r.opens_minute),
        closes: hhmm(r.closes_minute),
        price_cents: r.price_cents,
        currency: "EUR".into(),
        needs_approval: r.needs_approval,
        bookable: r.bookable,
        rules: r.rules.clone(),
    }
}

fn check_id(id: &str) -> AppResult<()> {
    if id.len() > 64 || id.is_empty() { Err(AppError::not_found()) } else { Ok(()) }
}

/// Every resource, bookable or not.
#[utoipa::path(get, path = "/api/v1/bookings/resources", tag = "bookings",
    responses((status = 200, description = "The resources", body = [ResourceView])))]
async fn list_resources(State(ctx): State<Ctx>, lang: Lang) -> AppResult<axum::Json<Vec<ResourceView>>> {
    let list = crate::store::resources(ctx.db.conn()).await?;
    Ok(axum::Json(list.iter().map(|r| resource_view(r, lang)).collect()))
}

#[utoipa::path(get, path = "/api/v1/bookings/resources/{id}", tag = "bookings",
    params(("id" = String, Path, description = "Resource", max_length = 64)),
    responses(
        (status = 200, description = "The resource", body = ResourceView),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_resource(State(ctx): State<Ctx>, lang: Lang, Path(id): Path<String>) -> AppResult<axum::Json<ResourceView>> {
    check_id(&id)?;
    Ok(axum::Json(resource_view(&service::resource(&ctx, &id).await?, lang)))
}

/// Create a resource with its rules (staff).
#[utoipa::path(post, path = "/api/v1/bookings/resources", tag = "bookings", request_body = ResourceInput,
    responses(
        (status = 201, description = "Created", body = ResourceView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff running bookings, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_resource(
    State(ctx): State<Ctx>,
    actor: Actor,
    lang: Lang,
    ApiJson(i): ApiJson<ResourceInput>,
) -> AppResult<(StatusCode, axum::Json<ResourceView>)> {
    actor.check(kernel::Permission::ManageBookings)?;
    let r = service::create_resource(&ctx, &actor, &i).await?;
    Ok((StatusCode::CREATED, axum::Json(resource_view(&r, lang))))
}

/// Change a resource: its description, slots, price, approval and rules (staff).
/// Bookings already made keep their times and price.
#[utoipa::path(put, path = "/api/v1/bookings/resources/{id}", tag = "bookings", request_body = ResourceInput,
    params(("id" = String, Path, description = "Resource", max_length = 64)),
    responses(
        (status = 200, description = "Changed", body = ResourceView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff running bookings, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
async fn update_resource(
    State(ctx): State<Ctx>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<ResourceInput>,
) -> AppResult<axum::Json<ResourceView>> {
    actor.check(kernel::Permission::ManageBookings)?;
    check_id(&id)?;
    Ok(axum::Json(resource_view(&service::update_resource(&ctx, &actor, &id, &i).await?, lang)))
}

/// Deactivate a resource: still listed, no longer bookable; bookings made stay (staff).
#[utoipa::path(post, path = "/api/v1/bookings/resources/{id}/deactivate", tag = "bookings",
    params(("id" = String, Path, description = "Resource", max_length = 64)),
    responses(
        (status = 200, description = "Deactivated", body = ResourceView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff running bookings, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    ))]
async fn deactivate_resource(State(ctx): State<Ctx>, actor: Actor, lang: Lang, Path(id): Path<String>) -> AppResult<axum::Json<ResourceView>> {
    actor.check(kernel::Permission::ManageBookings)?;
    check_id(&id)?;
    Ok(axum::Json(resource_view(&service::deactivate_resource(&ctx, &actor, &id).await?, lang)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DayQuery {
    /// Local date YYYY-MM-DD (Europe/Ljubljana); today if left out.
    #[param(value_type = Option<String>, format = Date, max_length = 10, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    date: Option<String>,
}

fn date_or_today(ctx: &Ctx, d: Option<&str>) -> AppResult<chrono::NaiveDate> {
    match d {
        None => Ok(model::local_date(ctx.now())),
        Some(s) => model::parse_date(s).ok_or_else(|| AppError::bad_request("query_invalid").with_detail("date: YYYY-MM-DD")),
    }
}

/// A slot of a day; who holds a taken one is not shown.
#[derive(Serialize, ToSchema)]
#[schema(as = BookingSlot)]
pub struct SlotView {
    pub start: String,
    pub end: String,
    pub state: SlotState,
}

#[derive(Serialize, ToSchema)]
#[schema(as = BookingDay)]
pub struct DayView {
    pub resource_id: String,
    pub date: String,
    pub slots: Vec<SlotView>,
}

/// The slots of a local day and whether each is free. Public.
#[utoipa::path(get, path = "/api/v1/bookings/resources/{id}/slots", tag = "bookings",
    params(("id" = String, Path, description = "Resource", max_length = 64), DayQuery),
    responses(
        (status = 200, description = "The day", body = DayView),
        (status = 400, description = "Bad date", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    ))]
async fn resource_slots(State(ctx): State<Ctx>, Path(id): Path<String>, ApiQuery(q): ApiQuery<DayQuery>) -> AppResult<axum::Json<DayView>> {
    check_id(&id)?;
    let r = service::resource(&ctx, &id).await?;
    let date = date_or_today(&ctx, q.date.as_deref())?;
    let slots = service::day(&ctx, &r, date).await?;
    Ok(axum::Json(DayView {
        resource_id: r.id,
        date: date.to_string(),
        slots: slots.into_iter().map(|s| SlotView { start: s.start.rfc3339(), end: s.end.rfc3339(), state: s.state }).collect(),
    }))
}

/// A booking request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    #[schema(max_length = 64)]
    pub resource_id: String,
    /// RFC 3339, on the resource's slot grid.
    #[schema(example = "2026-07-01T10:00:00+02:00", max_length = 40)]
    pub start: String,
    #[schema(example = "2026-07-01T12:00:00+02:00", max_length = 40)]
    pub end: String,
    /// Tax number of a legal person the booker represents.
    #[schema(max_length = 12)]
    pub on_behalf_of: Option<String>,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Parse the times and the note of a request, every bad field at once.
pub fn parse_request(resource_id: String, start: &str, end: &str, on_behalf_of: Option<String>, note: Option<String>) -> AppResult<Request> {
    let mut errors = vec![];
    let s = model::parse_time(start);
    let e = model::parse_time(end);
    if s.is_none() {
        errors.push(FieldError { field: "start".into(), code: "invalid_time".into() });
    }
    if e.is_none() {
        errors.push(FieldError { field: "end".into(), code: "invalid_time".into() });
    }
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > model::MAX_NOTE) {
        errors.push(FieldError { field: "note".into(), code: "too_long".into() });
    }
    if resource_id.len() > 64 || resource_id.trim().is_empty() {
        errors.push(FieldError { field: "resource_id".into(), code: "resource_unknown".into() });
    }
    match (s, e) {
        (Some(start), Some(end)) if errors.is_empty() => Ok(Request { resource_id, start, end, on_behalf_of, note }),
        _ => Err(AppError::invalid(errors)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingView {
    pub id: String,
    pub resource_id: String,
    pub resource_name: String,
    pub location: String,
    pub start: String,
    pub end: String,
    pub slots: i64,
    /// Total in euro cents.
    pub price_cents: i64,
    pub status: Status,
    pub booker: Booker,
    /// Tax number of the legal person booked for.
    pub on_behalf_of: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    /// The booker may cancel until then.
    pub cancel_until: String,
    /// The booking as an iCalendar file.
    pub calendar_url: String,
}

pub fn booking_view(b: &Booking, r: &Resource, lang: Lang) -> BookingView {
    BookingView {
        id: b.id.clone(),
        resource_id: r.id.clone(),
        resource_name: r.name.get(lang).to_string(),
        location: r.location.clone(),
        start: b.start.rfc3339(),
        end: b.end.rfc3339(),
        slots: b.slots,
        price_cents: b.price_cents,
        status: b.status,
        booker: b.booker(),
        on_behalf_of: b.on_behalf_of.clone(),
        note: b.note.clone(),
        created_at: b.created_at.rfc3339(),
        cancel_until: r.cancel_deadline(b.start).rfc3339(),
        calendar_url: format!("/api/v1/bookings/{}/calendar.ics", b.id),
    }
}

/// Book slots for oneself or, as its representative, for a legal person.
/// Confirmed at once, or pending where staff approve. A slot someone else
/// holds answers 409 `booking_slot_taken`; a rule refuses with 422 and the field.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "bookings", request_body = BookingInput,
    responses(
        (status = 201, description = "Booked", body = BookingView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, not a representative of that legal person, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A slot is taken (booking_slot_taken)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or refused by the rules", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_booking(
    State(ctx): State<Ctx>,
    actor: Actor,
    lang: Lang,
    ApiJson(i): ApiJson<BookingInput>,
) -> AppResult<(StatusCode, axum::Json<BookingView>)> {
    actor.check(kernel::Permission::ManageOwnAccount)?;
    let req = parse_request(i.resource_id, &i.start, &i.end, i.on_behalf_of, i.note)?;
    let b = service::book(&ctx, &actor, req).await?;
    let r = service::resource(&ctx, &b.resource_id).await?;
    Ok((StatusCode::CREATED, axum::Json(booking_view(&b, &r, lang))))
}

/// One's own bookings, the latest first.
#[utoipa::path(get, path = "/api/v1/bookings/mine", tag = "bookings",
    responses(
        (status = 200, description = "The bookings", body = [BookingView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_bookings(State(ctx): State<Ctx>, actor: Actor, lang: Lang) -> AppResult<Response> {
    let list = service::mine(&ctx, &actor).await?;
    let views: Vec<BookingView> = list.iter().map(|(b, r)| booking_view(b, r, lang)).collect();
    Ok(kernel::web::no_store(axum::Json(views).into_response()))
}

/// Bookings waiting for staff approval (staff).
#[utoipa::path(get, path = "/api/v1/bookings/pending", tag = "bookings",
    responses(
        (status = 200, description = "Pending bookings", body = [BookingView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn pending_bookings(State(ctx): State<Ctx>, actor: Actor, lang: Lang) -> AppResult<Response> {
    let list = service::pending(&ctx, &actor).await?;
    let resources = crate::store::resources(ctx.db.conn()).await?;
    let views: Vec<BookingView> =
        list.iter().filter_map(|b| resources.iter().find(|r| r.id == b.resource_id).map(|r| booking_view(b, r, lang))).collect();
    Ok(kernel::web::no_store(axum::Json(views).into_response()))
}

/// The KPI "share of municipal spaces bookable". Public.
#[utoipa::path(get, path = "/api/v1/bookings/kpi", tag = "bookings", responses((status = 200, description = "The figures", body = Kpi)))]
async fn bookings_kpi(State(ctx): State<Ctx>) -> AppResult<axum::Json<Kpi>> {
    Ok(axum::Json(service::kpi(&ctx).await?))
}

/// One booking (its booker, or staff).
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings",
    params(("id" = String, Path, description = "Booking", max_length = 64)),
    responses(
        (status = 200, description = "The booking", body = BookingView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking of yours", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_booking(State(ctx): State<Ctx>, actor: Actor, lang: Lang, Path(id): Path<String>) -> AppResult<Response> {
    check_id(&id)?;
    let (b, r) = service::booking_for(&ctx, &actor, &id).await?;
    Ok(kernel::web::no_store(axum::Json(booking_view(&b, &r, lang)).into_response()))
}

/// Cancel: the booker until `cancel_until`, staff at any time.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "bookings",
    params(("id" = String, Path, description = "Booking", max_length = 64)),
    responses(
        (status = 200, description = "Cancelled", body = BookingView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too late to cancel, or not active", body = Problem, content_type = "application/problem+json"),
    ))]
async fn cancel_booking(State(ctx): State<Ctx>, actor: Actor, lang: Lang, Path(id): Path<String>) -> AppResult<axum::Json<BookingView>> {
    check_id(&id)?;
    let b = service::cancel(&ctx, &actor, &id).await?;
    let r = service::resource(&ctx, &b.resource_id).await?;
    Ok(axum::Json(booking_view(&b, &r, lang)))
}

#[derive(Copy, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BookingDecision)]
pub enum Decision {
    Confirm,
    Reject,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BookingDecisionInput)]
pub struct DecisionInput {
    pub decision: Decision,
    /// Told to the booker.
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

/// Staff confirm or reject a pending booking; the booker is told.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/decision", tag = "bookings", request_body = DecisionInput,
    params(("id" = String, Path, description = "Booking", max_length = 64)),
    responses(
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "Decided", body = BookingView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn decide_booking(
    State(ctx): State<Ctx>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<DecisionInput>,
) -> AppResult<axum::Json<BookingView>> {
    check_id(&id)?;
    let b = service::decide(&ctx, &actor, &id, matches!(d.decision, Decision::Confirm), d.reason).await?;
    let r = service::resource(&ctx, &b.resource_id).await?;
    Ok(axum::Json(booking_view(&b, &r, lang)))
}

/// The booking as an iCalendar (RFC 5545) file.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/calendar.ics", tag = "bookings",
    params(("id" = String, Path, description = "Booking", max_length = 64)),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking of yours", body = Problem, content_type = "application/problem+json"),
    ))]
async fn booking_calendar(State(ctx): State<Ctx>, actor: Actor, lang: Lang, Path(id): Path<String>) -> AppResult<Response> {
    check_id(&id)?;
    let (b, r) = service::booking_for(&ctx, &actor, &id).await?;
    Ok(calendar_response(&ctx, &b, &r, lang))
}

pub fn calendar_response(ctx: &Ctx, b: &Booking, r: &Resource, lang: Lang) -> Response {
    let body = service::calendar(ctx, b, r, lang);
    let resp = (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"booking-{}.ics\"", b.id)),
        ],
        body,
    )
        .into_response();
    kernel::web::no_store(resp)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct OccupancyQuery {
    #[param(max_length = 64)]
    resource: String,
    /// Local date YYYY-MM-DD; today if left out.
    #[param(value_type = Option<String>, format = Date, max_length = 10, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    date: Option<String>,
}

/// A slot with who holds it, for staff.
#[derive(Serialize, ToSchema)]
#[schema(as = BookingOccupancy)]
pub struct OccupancyView {
    pub resource_id: String,
    pub date: String,
    pub slots: Vec<SlotView>,
    /// Share of the day's slots held, 0 to 1.
    pub occupied_share: f64,
    pub bookings: Vec<BookingView>,
    pub blocks: Vec<BlockView>,
}

/// Occupancy of a resource on a day (staff).
#[utoipa::path(get, path = "/api/v1/bookings/occupancy", tag = "bookings", params(OccupancyQuery),
    responses(
        (status = 200, description = "The day", body = OccupancyView),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    ))]
async fn occupancy(State(ctx): State<Ctx>, actor: Actor, lang: Lang, ApiQuery(q): ApiQuery<OccupancyQuery>) -> AppResult<Response> {
    actor.check(kernel::Permission::ManageBookings)?;
    check_id(&q.resource)?;
    let r = service::resource(&ctx, &q.resource).await?;
    let date = date_or_today(&ctx, q.date.as_deref())?;
    let (slots, bookings, blocks) = service::occupancy(&ctx, &actor, &r, date).await?;
    let held = slots.iter().filter(|s| matches!(s.state, SlotState::Taken | SlotState::Blocked)).count();
    let share = if slots.is_empty() { 0.0 } else { ((held as f64 / slots.len() as f64) * 1000.0).round() / 1000.0 };
    let view = OccupancyView {
        resource_id: r.id.clone(),
        date: date.to_string(),
        slots: slots.into_iter().map(|s| SlotView { start: s.start.rfc3339(), end: s.end.rfc3339(), state: s.state }).collect(),
        occupied_share: share,
        bookings: bookings.iter().map(|b| booking_view(b, &r, lang)).collect(),
        blocks: blocks.iter().map(block_view).collect(),
    };
    Ok(kernel::web::no_store(axum::Json(view).into_response()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BookingBlockInput)]
pub struct BlockInput {
    #[schema(max_length = 64)]
    pub resource_id: String,
    #[schema(example = "2026-07-01T08:00:00+02:00", max_length = 40)]
    pub start: String,
    #[schema(example = "2026-07-01T12:00:00+02:00", max_length = 40)]
    pub end: String,
    /// Why (maintenance, an event of the municipality).
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = BookingBlock)]
pub struct BlockView {
    pub id: String,
    pub resource_id: String,
    pub start: String,
    pub end: String,
    pub reason: String,
}

fn block_view(b: &Block) -> BlockView {
    BlockView { id: b.id.clone(), resource_id: b.resource_id.clone(), start: b.start.rfc3339(), end: b.end.rfc3339(), reason: b.reason.clone() }
}

/// Block slots, e.g. for maintenance (staff). Refused with 409 where a booking or block holds one.
#[utoipa::path(post, path = "/api/v1/bookings/blocks", tag = "bookings", request_body = BlockInput,
    responses(
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 201, description = "Blocked", body = BlockView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A slot is taken", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_block(State(ctx): State<Ctx>, actor: Actor, ApiJson(i): ApiJson<BlockInput>) -> AppResult<(StatusCode, axum::Json<BlockView>)> {
    actor.check(kernel::Permission::ManageBookings)?;
    let req = parse_request(i.resource_id, &i.start, &i.end, None, None)?;
    let b = service::block(&ctx, &actor, &req.resource_id, req.start, req.end, &i.reason).await?;
    Ok((StatusCode::CREATED, axum::Json(block_view(&b))))
}

/// Lift a block (staff).
#[utoipa::path(delete, path = "/api/v1/bookings/blocks/{id}", tag = "bookings",
    params(("id" = String, Path, description = "Block", max_length = 64)),
    responses(
        (status = 204, description = "Lifted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such block", body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_block(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<StatusCode> {
    check_id(&id)?;
    service::unblock(&ctx, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
