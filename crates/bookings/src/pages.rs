//! Pages of bookings: the resources, a resource's day with its free slots
//! and the booking form, one's own bookings (confirmation, calendar file,
//! cancel), and the staff page (occupancy, approval, maintenance blocks);
//! the staff's resource pages are in `staff`.

use crate::api::parse_request;
use crate::model::{self, Booking, Resource, Status};
use crate::service::{self, SlotState};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::csrf::CsrfForm;
use kernel::layout::{FormErrors as Errors, Page, urlencode};
use kernel::web::{no_store, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Permission, Timestamp};
use std::collections::HashMap;

type Form = HashMap<String, String>;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/bookings", get(list))
        .route("/bookings/{id}", get(resource_page).post(book))
        .route("/account/bookings", get(mine))
        .route("/account/bookings/{id}", get(booking_page))
        .route("/account/bookings/{id}/cancel", post(cancel))
        .route("/account/bookings/{id}/booking.ics", get(calendar))
        .route("/staff/bookings", get(staff))
        .route("/staff/bookings/block", post(staff_block))
        .route("/staff/bookings/blocks/{id}/delete", post(staff_unblock))
        .route("/staff/bookings/{id}/decide", post(staff_decide))
        .route("/staff/bookings/resources", get(crate::staff::list))
        .route("/staff/bookings/resources/new", get(crate::staff::new_form).post(crate::staff::create))
        .route("/staff/bookings/resources/{id}", get(crate::staff::edit_form).post(crate::staff::update))
        .route("/staff/bookings/resources/{id}/deactivate", post(crate::staff::deactivate))
}

pub(crate) fn field(f: &Form, k: &str) -> Option<String> {
    f.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn with_status(mut r: Response, e: &AppError) -> Response {
    *r.status_mut() = e.status;
    r
}

/// Errors shown in the form rather than on an error page.
fn shown_in_form(e: &AppError) -> bool {
    matches!(e.status.as_u16(), 400 | 403 | 409 | 422) && e.code != "csrf_failed" && e.code != "missing_role"
}

pub struct ResourceRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub purpose: String,
    pub location: String,
    pub capacity: i64,
    pub price: String,
    pub hours: String,
    pub approval: bool,
    pub bookable: bool,
    pub who: String,
    pub rules: Vec<String>,
}

fn hhmm(m: i64) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn duration(p: &Page, minutes: i64) -> String {
    if minutes % 1440 == 0 && minutes > 0 {
        p.tn("bookings-days", "n", minutes / 1440)
    } else if minutes % 60 == 0 && minutes > 0 {
        p.tn("bookings-hours", "n", minutes / 60)
    } else {
        p.tn("bookings-minutes", "n", minutes)
    }
}

pub(crate) fn resource_row(p: &Page, r: &Resource) -> ResourceRow {
    let who = match (r.rules.natural, r.rules.legal) {
        (true, true) => "bookings-who-both",
        (true, false) => "bookings-who-natural",
        _ => "bookings-who-legal",
    };
    let rules = vec![
        p.t1("bookings-rule-lead", "time", duration(p, r.rules.lead_minutes)),
        p.t1("bookings-rule-max", "time", duration(p, r.rules.max_slots * r.slot_minutes)),
        if r.rules.cancel_minutes > 0 {
            p.t1("bookings-rule-cancel", "time", duration(p, r.rules.cancel_minutes))
        } else {
            p.t("bookings-rule-cancel-any")
        },
        p.tn("bookings-rule-horizon", "n", r.rules.horizon_days),
    ];
    ResourceRow {
        id: r.id.clone(),
        name: r.name.get(p.lang).to_string(),
        kind: p.tk("bookings-kind", r.kind.code()),
        purpose: r.purpose.get(p.lang).to_string(),
        location: r.location.clone(),
        capacity: r.capacity,
        price: if r.price_cents == 0 {
            p.t("bookings-free-of-charge")
        } else {
            p.t1("bookings-price-per-slot", "price", model::euros(r.price_cents)) + " / " + &duration(p, r.slot_minutes)
        },
        hours: format!("{}–{}", hhmm(r.opens_minute), hhmm(r.closes_minute)),
        approval: r.needs_approval,
        bookable: r.bookable,
        who: p.t(who),
        rules,
    }
}

// ---- the list ----

#[derive(Template)]
#[template(path = "bookings_list.html")]
struct ListPage {
    p: Page,
    rows: Vec<ResourceRow>,
    kpi: service::Kpi,
    share: String,
}

async fn list(State(ctx): State<Ctx>, p: Page) -> AppResult<Response> {
    let rows = crate::store::resources(ctx.db.conn()).await?.iter().map(|r| resource_row(&p, r)).collect();
    let kpi = service::kpi(&ctx).await?;
    let share = format!("{:.0} %", kpi.share_bookable * 100.0);
    Ok(render(&ListPage { p, rows, kpi, share }))
}

// ---- a resource's day and the booking form ----

pub struct SlotRow {
    pub value: String,
    pub time: String,
    pub state: String,
    pub free: bool,
}

#[derive(Template)]
#[template(path = "bookings_resource.html")]
struct ResourcePage {
    p: Page,
    r: ResourceRow,
    date: String,
    prev: String,
    next: String,
    slots: Vec<SlotRow>,
    any_free: bool,
    lengths: Vec<(i64, String)>,
    entities: Vec<String>,
    form: Form,
    errors: Errors,
}

fn slot_state(p: &Page, s: SlotState) -> String {
    p.tk(
        "bookings-slot",
        match s {
            SlotState::Free => "free",
            SlotState::Taken => "taken",
            SlotState::Blocked => "blocked",
            SlotState::Closed => "closed",
        },
    )
}

async fn resource_view(ctx: &Ctx, p: Page, id: &str, date: chrono::NaiveDate, form: Form, errors: Errors) -> AppResult<Response> {
    let r = service::resource(ctx, id).await?;
    let slots = service::day(ctx, &r, date)
        .await?
        .into_iter()
        .map(|s| SlotRow {
            value: s.start.rfc3339(),
            time: format!("{}–{}", s.start.local().format("%H:%M"), s.end.local().format("%H:%M")),
            state: slot_state(&p, s.state),
            free: s.state == SlotState::Free,
        })
        .collect::<Vec<SlotRow>>();
    let any_free = slots.iter().any(|s| s.free);
    let lengths = (1..=r.rules.max_slots).map(|n| (n, duration(&p, n * r.slot_minutes))).collect();
    let entities = service::represented(ctx, &p.actor).await?;
    let day = |d: i64| (date + chrono::Duration::days(d)).to_string();
    Ok(no_store(render(&ResourcePage {
        r: resource_row(&p, &r),
        date: date.to_string(),
        prev: day(-1),
        next: day(1),
        slots,
        any_free,
        lengths,
        entities,
        form,
        errors,
        p,
    })))
}

fn date_param(ctx: &Ctx, q: &Form) -> chrono::NaiveDate {
    field(q, "date").and_then(|d| model::parse_date(&d)).unwrap_or_else(|| model::local_date(ctx.now()))
}

async fn resource_page(State(ctx): State<Ctx>, p: Page, Path(id): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    let date = date_param(&ctx, &q);
    resource_view(&ctx, p, &id, date, Form::new(), Errors::default()).await
}

/// The form's start slot and length as a request.
fn request_from_form(r: &Resource, f: &Form) -> AppResult<service::Request> {
    let start = field(f, "start").ok_or_else(|| AppError::field("start", "required"))?;
    let n: i64 =
        field(f, "slots").and_then(|n| n.parse().ok()).filter(|n| *n >= 1 && *n <= 1000).ok_or_else(|| AppError::field("slots", "required"))?;
    let s = model::parse_time(&start).ok_or_else(|| AppError::field("start", "invalid_time"))?;
    let end = Timestamp(s.0 + n * r.slot_ms()).rfc3339();
    let req = parse_request(r.id.clone(), &start, &end, field(f, "on_behalf_of"), field(f, "note"))?;
    Ok(req)
}

async fn book(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let r = service::resource(&ctx, &id).await?;
    let result = match request_from_form(&r, &f) {
        Ok(req) => service::book(&ctx, &actor, req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(b) => Ok(see_other(&format!("/account/bookings/{}?booked", b.id))),
        Err(e) if shown_in_form(&e) => {
            let date = field(&f, "start").and_then(|s| model::parse_time(&s)).map(model::local_date).unwrap_or_else(|| date_param(&ctx, &f));
            let errors = Errors::from(&p, &e);
            Ok(with_status(resource_view(&ctx, p, &id, date, f, errors).await?, &e))
        }
        Err(e) => Err(e),
    }
}

// ---- one's own bookings ----

pub struct BookingRow {
    pub id: String,
    pub resource: String,
    pub resource_id: String,
    pub location: String,
    pub when: String,
    pub status: String,
    pub live: bool,
    pub price: String,
    pub on_behalf_of: Option<String>,
    pub note: Option<String>,
    pub cancel_until: String,
    pub may_cancel: bool,
}

fn booking_row(ctx: &Ctx, p: &Page, b: &Booking, r: &Resource) -> BookingRow {
    BookingRow {
        id: b.id.clone(),
        resource: r.name.get(p.lang).to_string(),
        resource_id: r.id.clone(),
        location: r.location.clone(),
        when: service::when(b.start, b.end),
        status: p.tk("bookings-status", b.status.code()),
        live: b.status.is_live(),
        price: if b.price_cents == 0 { p.t("bookings-free-of-charge") } else { model::euros(b.price_cents) },
        on_behalf_of: b.on_behalf_of.clone(),
        note: b.note.clone(),
        cancel_until: r.cancel_deadline(b.start).display_local(),
        may_cancel: b.status.is_live() && ctx.now() <= r.cancel_deadline(b.start),
    }
}

#[derive(Template)]
#[template(path = "bookings_mine.html")]
struct MinePage {
    p: Page,
    rows: Vec<BookingRow>,
}

async fn mine(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let list = service::mine(&ctx, &actor).await?;
    let rows = list.iter().map(|(b, r)| booking_row(&ctx, &p, b, r)).collect();
    Ok(no_store(render(&MinePage { p, rows })))
}

#[derive(Template)]
#[template(path = "bookings_booking.html")]
struct BookingPage {
    p: Page,
    b: BookingRow,
    booked: bool,
    cancelled: bool,
    pending: bool,
}

async fn booking_page(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    let (b, r) = service::booking_for(&ctx, &actor, &id).await?;
    let row = booking_row(&ctx, &p, &b, &r);
    Ok(no_store(render(&BookingPage {
        b: row,
        booked: q.contains_key("booked"),
        cancelled: q.contains_key("cancelled"),
        pending: b.status == Status::Pending,
        p,
    })))
}

async fn cancel(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(_f): CsrfForm<Form>) -> AppResult<Response> {
    let b = service::cancel(&ctx, &actor, &id).await?;
    Ok(see_other(&format!("/account/bookings/{}?cancelled", b.id)))
}

async fn calendar(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    let (b, r) = service::booking_for(&ctx, &actor, &id).await?;
    Ok(crate::api::calendar_response(&ctx, &b, &r, p.lang))
}

// ---- staff ----

pub struct StaffBookingRow {
    pub row: BookingRow,
    pub booker: String,
}

pub struct BlockRow {
    pub id: String,
    pub when: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "bookings_staff.html")]
struct StaffPage {
    p: Page,
    resources: Vec<(String, String)>,
    resource: String,
    date: String,
    slots: Vec<SlotRow>,
    occupied: String,
    bookings: Vec<StaffBookingRow>,
    blocks: Vec<BlockRow>,
    pending: Vec<StaffBookingRow>,
    lengths: Vec<(i64, String)>,
    done: Option<String>,
    form: Form,
    errors: Errors,
}

fn staff_row(ctx: &Ctx, p: &Page, b: &Booking, r: &Resource) -> StaffBookingRow {
    let booker = match &b.on_behalf_of {
        Some(t) => p.t1("bookings-booker-legal", "tax", t),
        None => p.t("bookings-booker-natural"),
    };
    StaffBookingRow { row: booking_row(ctx, p, b, r), booker }
}

async fn staff_view(ctx: &Ctx, p: Page, actor: &Actor, q: &Form, done: Option<String>, errors: Errors) -> AppResult<Response> {
    actor.check(Permission::ManageBookings)?;
    let all = crate::store::resources(ctx.db.conn()).await?;
    let resource = field(q, "resource").filter(|id| all.iter().any(|r| &r.id == id)).or_else(|| all.first().map(|r| r.id.clone()));
    let date = date_param(ctx, q);
    let (mut slots, mut bookings, mut blocks, mut lengths, mut occupied) = (vec![], vec![], vec![], vec![], String::new());
    if let Some(r) = resource.as_deref().and_then(|id| all.iter().find(|r| r.id == id)) {
        let (s, b, bl) = service::occupancy(ctx, actor, r, date).await?;
        let held = s.iter().filter(|x| matches!(x.state, SlotState::Taken | SlotState::Blocked)).count();
        occupied = p.t1("bookings-occupied", "share", format!("{held} / {}", s.len()));
        slots = s
            .into_iter()
            .map(|x| SlotRow {
                value: x.start.rfc3339(),
                time: format!("{}–{}", x.start.local().format("%H:%M"), x.end.local().format("%H:%M")),
                state: slot_state(&p, x.state),
                free: x.state != SlotState::Taken && x.state != SlotState::Blocked,
            })
            .collect();
        bookings = b.iter().map(|b| staff_row(ctx, &p, b, r)).collect();
        blocks = bl.iter().map(|b| BlockRow { id: b.id.clone(), when: service::when(b.start, b.end), reason: b.reason.clone() }).collect();
        lengths = (1..=((r.closes_minute - r.opens_minute) / r.slot_minutes)).map(|n| (n, duration(&p, n * r.slot_minutes))).collect();
    }
    let pending = service::pending(ctx, actor)
        .await?
        .iter()
        .filter_map(|b| all.iter().find(|r| r.id == b.resource_id).map(|r| staff_row(ctx, &p, b, r)))
        .collect();
    let resources = all.iter().map(|r| (r.id.clone(), r.name.get(p.lang).to_string())).collect();
    let form = q.clone();
    Ok(no_store(render(&StaffPage {
        resources,
        resource: resource.unwrap_or_default(),
        date: date.to_string(),
        slots,
        occupied,
        bookings,
        blocks,
        pending,
        lengths,
        done,
        form,
        errors,
        p,
    })))
}

async fn staff(State(ctx): State<Ctx>, p: Page, actor: Actor, Query(q): Query<Form>) -> AppResult<Response> {
    let done = field(&q, "done").filter(|d| ["blocked", "unblocked", "confirmed", "rejected", "cancelled"].contains(&d.as_str()));
    let done = done.map(|d| p.tk("bookings-done", &d));
    staff_view(&ctx, p, &actor, &q, done, Errors::default()).await
}

fn back(resource: &str, date: &str, done: &str) -> Response {
    see_other(&format!("/staff/bookings?resource={}&date={}&done={done}", urlencode(resource), urlencode(date)))
}

async fn staff_block(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBookings)?;
    let id = field(&f, "resource").unwrap_or_default();
    let r = service::resource(&ctx, &id).await?;
    let result = match request_from_form(&r, &f) {
        Ok(req) => service::block(&ctx, &actor, &r.id, req.start, req.end, &field(&f, "reason").unwrap_or_default()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(b) => Ok(back(&r.id, &model::local_date(b.start).to_string(), "blocked")),
        Err(e) if shown_in_form(&e) => {
            let errors = Errors::from(&p, &e);
            let mut q = f.clone();
            if let Some(d) = field(&f, "start").and_then(|s| model::parse_time(&s)) {
                q.insert("date".into(), model::local_date(d).to_string());
            }
            Ok(with_status(staff_view(&ctx, p, &actor, &q, None, errors).await?, &e))
        }
        Err(e) => Err(e),
    }
}

async fn staff_unblock(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    service::unblock(&ctx, &actor, &id).await?;
    Ok(back(&field(&f, "resource").unwrap_or_default(), &field(&f, "date").unwrap_or_default(), "unblocked"))
}

async fn staff_decide(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    let b = match field(&f, "decision").as_deref() {
        Some("confirm") => service::decide(&ctx, &actor, &id, true, field(&f, "reason")).await?,
        Some("reject") => service::decide(&ctx, &actor, &id, false, field(&f, "reason")).await?,
        Some("cancel") => {
            actor.check(Permission::ManageBookings)?;
            service::cancel(&ctx, &actor, &id).await?
        }
        _ => return Err(AppError::field("decision", "required")),
    };
    let done = b.status.code();
    Ok(back(&b.resource_id, &model::local_date(b.start).to_string(), done).into_response())
}
