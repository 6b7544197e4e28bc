//! Pages of events: what's on now and next (with filters), the month
//! calendar, a genre, an event, the submission form, one's own events and
//! personal calendar, the staff review queue; and the iCalendar feeds.

use crate::feed;
use crate::model::{
    Access, Audience, EventInput, FollowKind, Genre, OrganiserInput, OrganiserKind, PlaceInput, ReturnInput, Status, Text, euros, is_live,
};
use crate::query::{ListQuery, today};
use crate::service;
use crate::store::{self, Event, Filter};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use kernel::csrf::CsrfForm;
use kernel::layout::{FormErrors as Errors, Page};
use kernel::web::{no_store, render, safe_next, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Timestamp};
use std::collections::HashMap;

type Form = HashMap<String, String>;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/events", get(list).post(submit))
        .route("/events.ics", get(all_feed))
        .route("/events/new", get(new_event))
        .route("/events/calendar", get(calendar))
        .route("/events/genre/{genre}", get(genre))
        .route("/events/feed/{token}", get(personal_feed))
        .route("/events/follow", post(follow))
        .route("/events/{id}", get(detail))
        .route("/events/{id}/edit", get(edit).post(resubmit))
        .route("/events/{id}/publish", post(publish))
        .route("/events/{id}/return", post(return_event))
        .route("/account/events", get(mine))
        .route("/account/events/feed", post(reset_feed))
        .route("/staff/events", get(staff))
}

/// Form values for templates: a field's value, and whether it holds a code.
pub struct Values(Form);

impl Values {
    pub fn v(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
    pub fn is(&self, k: &str, code: &str) -> bool {
        self.v(k) == code
    }
    /// An accessibility checkbox (`access_<code>`) is ticked.
    pub fn has_access(&self, code: &str) -> bool {
        self.0.get(&format!("access_{code}")).is_some_and(|v| !v.is_empty())
    }
}

fn field(f: &Form, k: &str) -> Option<String> {
    f.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn with_status(mut r: Response, e: &AppError) -> Response {
    *r.status_mut() = e.status;
    r
}

/// A text in the page's language where it has one, else English, else Slovenian;
/// with the language it is in, for a `lang` attribute when that differs.
fn text_in(t: &Text, lang: Lang) -> (&str, Option<&'static str>) {
    for code in [lang.code(), "en", "sl"] {
        if let Some(s) = t.0.get(code) {
            let l = Lang::from_code(code).map(|l| l.code()).filter(|c| *c != lang.code());
            return (s, l);
        }
    }
    (t.get(lang), None)
}

// ---- an event as the pages show it ----

pub struct Card {
    pub id: String,
    pub title: String,
    pub title_lang: Option<&'static str>,
    pub when: String,
    pub datetime: String,
    pub place: String,
    pub place_id: String,
    pub genre: &'static str,
    pub genre_label: String,
    pub audience: String,
    pub price: String,
    pub access: Vec<String>,
    pub live: bool,
    pub stream_url: Option<String>,
    pub status: &'static str,
    pub status_label: String,
    pub organiser: String,
    pub organiser_id: String,
    pub reason: Option<String>,
}

fn when(e: &Event) -> String {
    let (s, en) = (e.starts_at.local(), e.ends_at.local());
    if s.date() == en.date() {
        format!("{} {}–{}", s.format("%d. %m. %Y"), s.format("%H:%M"), en.format("%H:%M"))
    } else {
        format!("{} – {}", s.format("%d. %m. %Y %H:%M"), en.format("%d. %m. %Y %H:%M"))
    }
}

fn card(p: &Page, e: &Event) -> Card {
    let live = e.status == Status::Published && is_live(e.starts_at, e.ends_at, p.ctx.now());
    let (title, title_lang) = text_in(&e.title, p.lang);
    Card {
        id: e.id.clone(),
        title: title.to_string(),
        title_lang,
        when: when(e),
        datetime: e.starts_at.rfc3339(),
        place: e.place.name.clone(),
        place_id: e.place.id.clone(),
        genre: e.genre.code(),
        genre_label: p.tk("events-genre", e.genre.code()),
        audience: p.tk("events-audience", e.audience.code()),
        price: e.price_cents.map(euros).unwrap_or_else(|| p.t("events-free")),
        access: e.accessibility.iter().map(|a| p.tk("events-access", a.code())).collect(),
        live,
        stream_url: if live { e.stream_url.clone() } else { None },
        status: e.status.code(),
        status_label: p.tk("events-status", e.status.code()),
        organiser: e.organiser.name.clone(),
        organiser_id: e.organiser.id.clone(),
        reason: e.reason.clone(),
    }
}

/// (code, label) pairs for selects and checkboxes.
fn options<T: Copy>(p: &Page, all: &[T], prefix: &str, code: fn(T) -> &'static str) -> Vec<(&'static str, String)> {
    all.iter().map(|x| (code(*x), p.tk(prefix, code(*x)))).collect()
}

pub struct Choices {
    pub genres: Vec<(&'static str, String)>,
    pub audiences: Vec<(&'static str, String)>,
    pub access: Vec<(&'static str, String)>,
    pub places: Vec<(String, String)>,
}

async fn choices(p: &Page) -> AppResult<Choices> {
    Ok(Choices {
        genres: options(p, Genre::ALL, "events-genre", Genre::code),
        audiences: options(p, Audience::ALL, "events-audience", Audience::code),
        access: options(p, Access::ALL, "events-access", Access::code),
        places: store::places(p.ctx.db.conn()).await?.into_iter().map(|x| (x.id, x.name)).collect(),
    })
}

// ---- now and next, a genre ----

pub struct Day {
    pub label: String,
    pub date: String,
    pub events: Vec<Card>,
}

#[derive(Template)]
#[template(path = "events_list.html")]
struct ListPage {
    p: Page,
    heading: String,
    genre: Option<&'static str>,
    now: Vec<Card>,
    days: Vec<Day>,
    choices: Choices,
    q: Values,
    filtered: bool,
}

/// Events that run now, then the next ones by the day they start.
fn by_day(p: &Page, events: &[Event]) -> (Vec<Card>, Vec<Day>) {
    let now = p.ctx.now();
    let mut running = vec![];
    let mut days: Vec<Day> = vec![];
    for e in events {
        if e.starts_at <= now {
            running.push(card(p, e));
            continue;
        }
        let date = e.starts_at.local().date();
        let key = date.format("%Y-%m-%d").to_string();
        match days.last_mut() {
            Some(d) if d.date == key => d.events.push(card(p, e)),
            _ => days.push(Day { label: day_label(p, date), date: key, events: vec![card(p, e)] }),
        }
    }
    (running, days)
}

fn day_label(p: &Page, d: NaiveDate) -> String {
    format!("{} {}", p.tk("events-weekday", &d.weekday().number_from_monday().to_string()), d.format("%d. %m. %Y"))
}

async fn list_view(p: Page, q: Form, genre: Option<Genre>) -> AppResult<Response> {
    let mut query = ListQuery::from_pairs(&q)?;
    if genre.is_some() {
        query.genre = genre;
    }
    let filter = query.filter(p.ctx.now())?;
    let events = store::published(p.ctx.db.conn(), &filter, 300).await?;
    let (now, days) = by_day(&p, &events);
    let heading = match genre {
        Some(g) => p.tk("events-genre", g.code()),
        None => p.t("events-title"),
    };
    let filtered =
        filter != Filter { from: filter.from, genre: filter.genre.filter(|_| genre.is_none()), ..Filter::default() } || query.from.is_some();
    let choices = choices(&p).await?;
    Ok(render(&ListPage { heading, genre: genre.map(Genre::code), now, days, choices, q: Values(q), filtered, p }))
}

async fn list(p: Page, Query(q): Query<Form>) -> AppResult<Response> {
    list_view(p, q, None).await
}

/// `/events/genre/music` is the page, `/events/genre/music.ics` its feed.
async fn genre(State(ctx): State<Ctx>, p: Page, Path(g): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    if let Some(code) = g.strip_suffix(".ics") {
        let genre = Genre::parse(code).ok_or_else(AppError::not_found)?;
        let lang = feed_lang(&q, p.lang);
        let f = Filter { from: ctx.now().minus(std::time::Duration::from_secs(30 * 86_400)), genre: Some(genre), ..Filter::default() };
        let events = store::published(ctx.db.conn(), &f, 2000).await?;
        let name = format!("{} – {}", ctx.i18n.t(lang, "events-title"), ctx.i18n.t(lang, &format!("events-genre-{code}")));
        return Ok(feed::response(feed::calendar(&ctx, lang, &name, &events)));
    }
    let genre = Genre::parse(&g).ok_or_else(AppError::not_found)?;
    list_view(p, q, Some(genre)).await
}

/// Calendar apps send no language: `?lang=` chooses it, else the request's.
fn feed_lang(q: &Form, lang: Lang) -> Lang {
    q.get("lang").and_then(|l| Lang::from_code(l)).unwrap_or(lang)
}

async fn all_feed(State(ctx): State<Ctx>, p: Page, Query(q): Query<Form>) -> AppResult<Response> {
    let lang = feed_lang(&q, p.lang);
    let f = Filter { from: ctx.now().minus(std::time::Duration::from_secs(30 * 86_400)), ..Filter::default() };
    let events = store::published(ctx.db.conn(), &f, 2000).await?;
    let name = format!("{} – {}", ctx.i18n.t(lang, "events-title"), ctx.config.municipality.name(lang));
    Ok(feed::response(feed::calendar(&ctx, lang, &name, &events)))
}

async fn personal_feed(State(ctx): State<Ctx>, p: Page, Path(token): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    let token = token.strip_suffix(".ics").ok_or_else(AppError::not_found)?;
    let account = service::feed_owner(&ctx, token).await?;
    let lang = feed_lang(&q, p.lang);
    let events = service::personal(&ctx, &account, ctx.now().minus(std::time::Duration::from_secs(30 * 86_400))).await?;
    Ok(feed::private_response(feed::calendar(&ctx, lang, &ctx.i18n.t(lang, "events-personal"), &events)))
}

// ---- the month calendar ----

pub struct Cell {
    pub day: u32,
    pub date: String,
    pub today: bool,
    pub events: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "events_calendar.html")]
struct CalendarPage {
    p: Page,
    month: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<Option<Cell>>>,
    prev: String,
    next: String,
}

async fn calendar(State(ctx): State<Ctx>, p: Page, Query(q): Query<Form>) -> AppResult<Response> {
    let today_local = ctx.now().local().date();
    let first = match field(&q, "month") {
        Some(m) => {
            NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").map_err(|_| AppError::bad_request("query_invalid").with_detail("month"))?
        }
        None => today_local.with_day(1).unwrap_or(today_local),
    };
    let next_first = first.checked_add_months(chrono::Months::new(1)).ok_or_else(|| AppError::bad_request("query_invalid"))?;
    let prev_first = first.checked_sub_months(chrono::Months::new(1)).ok_or_else(|| AppError::bad_request("query_invalid"))?;
    let start = Timestamp::from_local(first.and_hms_opt(0, 0, 0).unwrap_or_default()).unwrap_or_default();
    let end = Timestamp::from_local(next_first.and_hms_opt(0, 0, 0).unwrap_or_default()).unwrap_or_default();
    let events = store::published(ctx.db.conn(), &Filter { from: start, to: Some(end), ..Filter::default() }, 1000).await?;
    let mut weeks = vec![];
    let mut week: Vec<Option<Cell>> = (1..first.weekday().number_from_monday()).map(|_| None).collect();
    let mut d = first;
    while d < next_first {
        let day_start = Timestamp::from_local(d.and_hms_opt(0, 0, 0).unwrap_or_default()).unwrap_or_default();
        let day_end = d.succ_opt().and_then(|n| Timestamp::from_local(n.and_hms_opt(0, 0, 0).unwrap_or_default())).unwrap_or(day_start);
        let on: Vec<(String, String)> = events
            .iter()
            .filter(|e| e.starts_at < day_end && e.ends_at > day_start)
            .map(|e| (e.id.clone(), e.title.get(p.lang).to_string()))
            .collect();
        week.push(Some(Cell { day: d.day(), date: d.format("%Y-%m-%d").to_string(), today: d == today_local, events: on }));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        d = d.succ_opt().unwrap_or(next_first);
    }
    if !week.is_empty() {
        week.resize_with(7, || None);
        weeks.push(week);
    }
    Ok(render(&CalendarPage {
        month: format!("{} {}", p.tk("events-month", &first.month().to_string()), first.year()),
        weekdays: (1..=7).map(|i| p.tk("events-weekday", &i.to_string())).collect(),
        weeks,
        prev: prev_first.format("%Y-%m").to_string(),
        next: next_first.format("%Y-%m").to_string(),
        p,
    }))
}

// ---- one event ----

#[derive(Template)]
#[template(path = "events_detail.html")]
struct DetailPage {
    p: Page,
    e: Card,
    description: String,
    description_lang: Option<&'static str>,
    lat: String,
    lon: String,
    organiser_kind: String,
    can_review: bool,
    can_edit: bool,
    /// (kind, target, label, followed)
    follows: Vec<(&'static str, String, String, bool)>,
    flash: Option<String>,
    errors: Errors,
    form: Values,
}

async fn detail_view(ctx: &Ctx, p: Page, id: &str, flash: Option<String>, form: Form, errors: Errors) -> AppResult<Response> {
    let e = service::visible(ctx, &p.actor, id).await?;
    let followed = if p.signed_in() { service::follows(ctx, &p.actor).await? } else { vec![] };
    let is = |k: FollowKind, t: &str| followed.iter().any(|(fk, ft)| *fk == k && ft == t);
    let follows = if p.signed_in() && e.status == Status::Published {
        vec![
            ("genre", e.genre.code().to_string(), p.tk("events-genre", e.genre.code()), is(FollowKind::Genre, e.genre.code())),
            ("place", e.place.id.clone(), e.place.name.clone(), is(FollowKind::Place, &e.place.id)),
            ("organiser", e.organiser.id.clone(), e.organiser.name.clone(), is(FollowKind::Organiser, &e.organiser.id)),
        ]
    } else {
        vec![]
    };
    let (description, description_lang) = text_in(&e.description, p.lang);
    let can_review = p.actor.allows(Permission::ManageEvents) && e.status != Status::Returned;
    let can_edit = e.submitted_by.is_some() && p.actor.account_id() == e.submitted_by.as_deref() && e.status != Status::Published;
    Ok(no_store(render(&DetailPage {
        description: description.to_string(),
        description_lang,
        lat: format!("{:.5}", e.place.lat),
        lon: format!("{:.5}", e.place.lon),
        organiser_kind: p.tk("events-organiser", e.organiser.kind.code()),
        can_review,
        can_edit,
        follows,
        e: card(&p, &e),
        flash,
        errors,
        form: Values(form),
        p,
    })))
}

async fn detail(State(ctx): State<Ctx>, p: Page, Path(id): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    let flash =
        ["submitted", "resubmitted", "published", "returned", "followed"].into_iter().find(|k| q.contains_key(*k)).map(|k| p.tk("events-flash", k));
    detail_view(&ctx, p, &id, flash, Form::new(), Errors::default()).await
}

async fn publish(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(_f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageEvents)?;
    service::publish(&ctx, &actor, &id).await?;
    Ok(see_other(&format!("/events/{id}?published")))
}

async fn return_event(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageEvents)?;
    match service::return_event(&ctx, &actor, &id, ReturnInput { reason: field(&f, "reason").unwrap_or_default() }).await {
        Ok(_) => Ok(see_other(&format!("/events/{id}?returned"))),
        Err(e) if e.fixable() => {
            let errors = Errors::from(&p, &e);
            detail_view(&ctx, p, &id, None, f, errors).await.map(|r| with_status(r, &e))
        }
        Err(e) => Err(e),
    }
}

async fn follow(State(ctx): State<Ctx>, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    let kind = field(&f, "kind").and_then(|k| FollowKind::parse(&k)).ok_or_else(|| AppError::field("kind", "required"))?;
    let target = field(&f, "target").ok_or_else(|| AppError::field("target", "required"))?;
    service::follow(&ctx, &actor, kind, &target, f.get("on").is_some_and(|v| v == "1")).await?;
    Ok(see_other(&safe_next(f.get("next").map(String::as_str))))
}

// ---- submission ----

/// The title and description inputs of one language.
pub struct LangFields {
    pub lang: &'static str,
    pub label: String,
    pub required: bool,
    pub title: String,
    pub title_error: Option<String>,
    pub description: String,
    pub description_error: Option<String>,
}

fn lang_fields(f: &Form, errors: &Errors) -> Vec<LangFields> {
    crate::model::LANGS
        .into_iter()
        .map(|l| {
            let (t, d) = (format!("title.{l}"), format!("description.{l}"));
            LangFields {
                lang: l,
                label: Lang::from_code(l).map(|x| x.native_name().to_string()).unwrap_or_default(),
                required: l == "sl" || l == "en",
                title: f.get(&t).cloned().unwrap_or_default(),
                title_error: errors.get(&t).map(str::to_string),
                description: f.get(&d).cloned().unwrap_or_default(),
                description_error: errors.get(&d).map(str::to_string),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "events_form.html")]
struct FormPage {
    p: Page,
    action: String,
    heading: String,
    langs: Vec<LangFields>,
    choices: Choices,
    form: Values,
    errors: Errors,
    representative: bool,
    reason: Option<String>,
}

async fn form_view(p: Page, action: String, form: Form, errors: Errors, reason: Option<String>) -> AppResult<Response> {
    let heading = if action == "/events" { p.t("events-new") } else { p.t("events-edit") };
    let choices = choices(&p).await?;
    let representative = p.actor.allows(Permission::ActForLegalEntity);
    let langs = lang_fields(&form, &errors);
    Ok(no_store(render(&FormPage { action, heading, langs, choices, form: Values(form), errors, representative, reason, p })))
}

async fn new_event(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let form = Form::from([("organiser_kind".to_string(), "person".to_string()), ("audience".into(), "all".into())]);
    form_view(p, "/events".into(), form, Errors::default(), None).await
}

/// `2026-02-14T15:00` (a datetime-local input) in Ljubljana as RFC 3339.
fn local_input(v: Option<String>) -> String {
    v.and_then(|s| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M").ok())
        .and_then(Timestamp::from_local)
        .map(Timestamp::rfc3339)
        .unwrap_or_default()
}

/// "12,50" or "12.50" euros as cents.
fn cents(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', ".");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 7
    {
        return None;
    }
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(whole.parse::<i64>().ok()? * 100 + frac)
}

fn input_from_form(f: &Form) -> Result<EventInput, AppError> {
    let texts =
        |prefix: &str| Text(["sl", "en", "de", "it"].iter().filter_map(|l| field(f, &format!("{prefix}.{l}")).map(|v| (l.to_string(), v))).collect());
    let genre = field(f, "genre").and_then(|g| Genre::parse(&g)).ok_or_else(|| AppError::field("genre", "required"))?;
    let audience = field(f, "audience").and_then(|a| Audience::parse(&a)).ok_or_else(|| AppError::field("audience", "required"))?;
    let kind = field(f, "organiser_kind").and_then(|k| OrganiserKind::parse(&k)).unwrap_or(OrganiserKind::Person);
    let price_cents = match field(f, "price") {
        None => None,
        Some(s) => Some(cents(&s).ok_or_else(|| AppError::field("price_cents", "invalid_amount"))?),
    };
    let (place_id, place) = match field(f, "place_id") {
        Some(id) => (Some(id), None),
        None => {
            let num = |k: &str| field(f, k).and_then(|s| s.replace(',', ".").parse::<f64>().ok()).unwrap_or(f64::NAN);
            match field(f, "place.name") {
                Some(name) => (None, Some(PlaceInput { name, lat: num("place.lat"), lon: num("place.lon") })),
                None => (None, None),
            }
        }
    };
    Ok(EventInput {
        title: texts("title"),
        description: texts("description"),
        genre,
        audience,
        place_id,
        place,
        organiser: OrganiserInput { kind, name: field(f, "organiser.name").unwrap_or_default() },
        price_cents,
        accessibility: Access::ALL.iter().copied().filter(|a| f.contains_key(&format!("access_{}", a.code()))).collect(),
        starts_at: local_input(field(f, "starts_at")),
        ends_at: local_input(field(f, "ends_at")),
        stream_url: field(f, "stream_url"),
    })
}

async fn submit(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let result = match input_from_form(&f) {
        Ok(input) => service::submit(&ctx, &actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => Ok(see_other(&format!("/events/{}?submitted", e.id))),
        Err(e) if e.fixable() || e.code == "not_a_representative" => {
            let errors = Errors::from(&p, &e);
            form_view(p, "/events".into(), f, errors, None).await.map(|r| with_status(r, &e))
        }
        Err(e) => Err(e),
    }
}

/// The form filled with an event, to change it.
fn form_of(e: &Event) -> Form {
    let mut f = Form::new();
    for (l, v) in &e.title.0 {
        f.insert(format!("title.{l}"), v.clone());
    }
    for (l, v) in &e.description.0 {
        f.insert(format!("description.{l}"), v.clone());
    }
    f.insert("genre".into(), e.genre.code().into());
    f.insert("audience".into(), e.audience.code().into());
    f.insert("place_id".into(), e.place.id.clone());
    f.insert("organiser_kind".into(), e.organiser.kind.code().into());
    f.insert("organiser.name".into(), e.organiser.name.clone());
    if let Some(c) = e.price_cents {
        f.insert("price".into(), format!("{},{:02}", c / 100, c % 100));
    }
    for a in &e.accessibility {
        f.insert(format!("access_{}", a.code()), "on".into());
    }
    f.insert("starts_at".into(), e.starts_at.local().format("%Y-%m-%dT%H:%M").to_string());
    f.insert("ends_at".into(), e.ends_at.local().format("%Y-%m-%dT%H:%M").to_string());
    if let Some(u) = &e.stream_url {
        f.insert("stream_url".into(), u.clone());
    }
    f
}

async fn own_event(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<Event> {
    actor.check(Permission::ManageOwnAccount)?;
    let e = service::visible(ctx, actor, id).await?;
    if e.submitted_by.is_none() || actor.account_id() != e.submitted_by.as_deref() {
        return Err(AppError::forbidden("not_the_organiser"));
    }
    Ok(e)
}

async fn edit(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    let e = own_event(&ctx, &actor, &id).await?;
    if e.status == Status::Published {
        return Err(AppError::conflict("event_published"));
    }
    form_view(p, format!("/events/{id}/edit"), form_of(&e), Errors::default(), e.reason.clone()).await
}

async fn resubmit(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    let e = own_event(&ctx, &actor, &id).await?;
    let result = match input_from_form(&f) {
        Ok(input) => service::resubmit(&ctx, &actor, &id, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/events/{id}?resubmitted"))),
        Err(err) if err.fixable() || err.code == "not_a_representative" => {
            let errors = Errors::from(&p, &err);
            form_view(p, format!("/events/{id}/edit"), f, errors, e.reason.clone()).await.map(|r| with_status(r, &err))
        }
        Err(err) => Err(err),
    }
}

// ---- one's own events and personal calendar ----

#[derive(Template)]
#[template(path = "events_mine.html")]
struct MinePage {
    p: Page,
    submitted: Vec<Card>,
    personal: Vec<Card>,
    /// (kind, target, label)
    follows: Vec<(&'static str, String, String)>,
    feed_url: String,
    reset: bool,
}

async fn mine_view(ctx: &Ctx, p: Page, reset: bool) -> AppResult<Response> {
    let actor = p.actor.clone();
    let submitted = service::mine(ctx, &actor).await?.iter().map(|e| card(&p, e)).collect();
    let account = actor.account_id().unwrap_or_default().to_string();
    let personal = service::personal(ctx, &account, today(ctx.now())).await?.iter().map(|e| card(&p, e)).collect();
    let mut follows = vec![];
    for (k, t) in service::follows(ctx, &actor).await? {
        let label = match k {
            FollowKind::Genre => p.tk("events-genre", &t),
            FollowKind::Place => store::place(ctx.db.conn(), &t).await?.map(|x| x.name).unwrap_or_else(|| t.clone()),
            FollowKind::Organiser => store::organiser(ctx.db.conn(), &t).await?.map(|x| x.name).unwrap_or_else(|| t.clone()),
        };
        follows.push((k.code(), t, format!("{}: {label}", p.tk("events-follow-kind", k.code()))));
    }
    let token = service::personal_feed_token(ctx, &actor, false).await?;
    let feed_url = format!("{}/events/feed/{token}.ics", ctx.config.public_url());
    Ok(no_store(render(&MinePage { submitted, personal, follows, feed_url, reset, p })))
}

async fn mine(State(ctx): State<Ctx>, p: Page, actor: Actor, Query(q): Query<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    mine_view(&ctx, p, q.contains_key("reset")).await
}

async fn reset_feed(State(ctx): State<Ctx>, actor: Actor, CsrfForm(_f): CsrfForm<Form>) -> AppResult<Response> {
    service::personal_feed_token(&ctx, &actor, true).await?;
    Ok(see_other("/account/events?reset"))
}

// ---- staff ----

#[derive(Template)]
#[template(path = "events_staff.html")]
struct StaffPage {
    p: Page,
    queue: Vec<Card>,
}

async fn staff(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let queue = service::review_queue(&ctx, &actor).await?.iter().map(|e| card(&p, e)).collect();
    Ok(no_store(render(&StaffPage { queue, p })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_from_forms() {
        assert_eq!(cents("12,50"), Some(1250));
        assert_eq!(cents("12.5"), Some(1250));
        assert_eq!(cents("7"), Some(700));
        assert_eq!(cents("0,05"), Some(5));
        assert_eq!(cents("1,234"), None);
        assert_eq!(cents("-3"), None);
        assert_eq!(cents("abc"), None);
        assert_eq!(cents(",5"), None);
    }

    #[test]
    fn local_form_times_become_rfc3339() {
        assert_eq!(local_input(Some("2026-07-02T20:00".into())), "2026-07-02T18:00:00Z");
        assert_eq!(local_input(Some("2026-01-02T20:00".into())), "2026-01-02T19:00:00Z");
        assert_eq!(local_input(Some("tomorrow".into())), "");
    }
}
