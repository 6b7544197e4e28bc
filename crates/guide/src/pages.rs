//! Public pages of the guide: the lists with filters and the sights to tick
//! (`/guide`), the walking route (`/guide/route`), and the same for a public
//! touch screen (`/guide/kiosk`: large targets, no sign-in, no outbound
//! links, back to the start after two idle minutes). Everything works
//! without JavaScript; the script draws the route on the map.

use crate::api::{RouteView, planned};
use crate::model::{AGES, BUDGETS, Filters, INTERESTS, RouteQuery, clock};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Timelike;
use kernel::AppResult;
use kernel::layout::{FormErrors, Page};
use kernel::web::{render, with_map_csp};
use places::pages::{distance_text, hours_text, price_text};
use places::store::Place;

pub fn router() -> Router<kernel::Ctx> {
    Router::new().route("/guide", get(index)).route("/guide/route", get(route)).route("/guide/kiosk", get(kiosk))
}

/// A place as the guide's cards show it.
pub struct Card {
    pub id: String,
    pub name: String,
    pub name_lang: String,
    pub description: String,
    pub description_lang: String,
    pub photo: Option<String>,
    pub price: String,
    pub audio_url: Option<String>,
    pub wheelchair: String,
    pub today: String,
    pub visit: String,
    pub checked: bool,
}

fn card(p: &Page, pl: &Place, date: chrono::NaiveDate, ticked: &[String]) -> Card {
    let (name, name_lang) = pl.names.pick(p.lang);
    let (description, description_lang) = pl.descriptions.pick(p.lang);
    let sight = service::SIGHT_LAYERS.contains(&pl.layer);
    let price = match pl.price_cents {
        Some(0) => p.t("guide-free"),
        Some(c) => price_text(p.lang, c),
        None if sight => p.t("guide-free"),
        None => String::new(),
    };
    Card {
        id: pl.id.clone(),
        name: name.into(),
        name_lang: name_lang.into(),
        description: description.into(),
        description_lang: description_lang.into(),
        photo: pl.uploads.first().map(|u| u.url()).or_else(|| pl.photos.first().cloned()),
        price,
        audio_url: pl.audio_url.clone(),
        wheelchair: pl.wheelchair.map(|w| p.tk("places-wheelchair", w.code())).unwrap_or_else(|| p.t("places-wheelchair-unknown")),
        today: pl.hours.as_ref().map(|h| hours_text(p, h.day(date))).unwrap_or_else(|| p.t("places-all-day")),
        visit: if sight { p.t1("guide-visit-min", "n", service::visit_min(pl)) } else { String::new() },
        checked: ticked.contains(&pl.id),
    }
}

/// One option of a filter's select.
pub struct Choice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

fn choices(p: &Page, prefix: &str, codes: &[&str], current: Option<&str>) -> Vec<Choice> {
    std::iter::once(Choice { code: String::new(), label: p.t(&format!("{prefix}-any")), selected: current.is_none() })
        .chain(codes.iter().map(|c| Choice { code: c.to_string(), label: p.tk(prefix, c), selected: current == Some(*c) }))
        .collect()
}

/// What the start page shows.
pub struct Index {
    pub interests: Vec<Choice>,
    pub ages: Vec<Choice>,
    pub budgets: Vec<Choice>,
    pub access: Vec<Choice>,
    pub hours_filter: String,
    pub sights: Vec<Card>,
    pub stays: Vec<Card>,
    pub food: Vec<Card>,
    pub date: String,
    pub start: String,
    pub hours: String,
    pub unhurried: bool,
    pub errors: FormErrors,
    pub kiosk: bool,
    pub max: usize,
}

async fn index_of(p: &Page, raw: Option<&str>, kiosk: bool, errors: FormErrors) -> AppResult<Index> {
    let f = Filters::parse(raw)?;
    let now = p.ctx.now().local();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let value = |k: &str| pairs.iter().rev().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    let ticked: Vec<String> = pairs.iter().filter(|(k, _)| k == "sight").map(|(_, v)| v.clone()).collect();
    let date = value("date").and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).unwrap_or(now.date());
    let [sights, stays, food] = service::lists(&p.ctx, &f, p.lang).await?;
    let budgets: Vec<String> = std::iter::once("free".to_string()).chain(BUDGETS.iter().map(|b| b.to_string())).collect();
    let budget = f.budget.map(|b| b.code());
    let budget_choices = std::iter::once(Choice { code: String::new(), label: p.t("guide-budget-any"), selected: budget.is_none() })
        .chain(budgets.iter().map(|b| Choice {
            code: b.clone(),
            label: if b == "free" { p.t("guide-free") } else { p.t1("guide-budget-up-to", "n", b) },
            selected: budget.as_deref() == Some(b),
        }))
        .collect();
    let hours = f.hours.map(|h| h.to_string()).or_else(|| value("hours")).unwrap_or_else(|| "3".into());
    Ok(Index {
        interests: choices(p, "guide-interest", &INTERESTS, f.interest),
        ages: choices(p, "guide-age", &AGES, f.age),
        budgets: budget_choices,
        access: choices(p, "guide-access", &["yes", "limited"], f.access),
        hours_filter: f.hours.map(|h| h.to_string()).unwrap_or_default(),
        sights: sights.iter().map(|s| card(p, s, date, &ticked)).collect(),
        stays: stays.iter().map(|s| card(p, s, date, &ticked)).collect(),
        food: food.iter().map(|s| card(p, s, date, &ticked)).collect(),
        date: date.to_string(),
        start: value("start").unwrap_or_else(|| clock((now.num_seconds_from_midnight()).div_ceil(900) * 900 % 86_400)),
        hours,
        unhurried: value("pace").as_deref() == Some("unhurried"),
        errors,
        kiosk,
        max: crate::model::MAX_SIGHTS,
    })
}

#[derive(Template)]
#[template(path = "guide_index.html")]
struct IndexPage {
    p: Page,
    d: Index,
}

#[derive(Template)]
#[template(path = "guide_kiosk.html")]
struct KioskPage {
    p: Page,
    d: Index,
}

async fn index(p: Page, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let d = index_of(&p, raw.as_deref(), false, FormErrors::default()).await?;
    Ok(render(&IndexPage { p, d }))
}

async fn kiosk(p: Page, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let d = index_of(&p, raw.as_deref(), true, FormErrors::default()).await?;
    Ok(kiosk_headers(render(&KioskPage { p, d })))
}

/// A public screen keeps nothing of the previous visitor.
fn kiosk_headers(r: Response) -> Response {
    kernel::web::no_store(r)
}

/// A stop as the route page shows it.
pub struct StopRow {
    pub order: usize,
    pub name: String,
    pub walk: String,
    pub direction: String,
    pub arrive: String,
    pub wait: String,
    pub start: String,
    pub leave: String,
}

pub struct RouteData {
    pub stops: Vec<StopRow>,
    pub skipped: Vec<(String, String)>,
    pub summary: String,
    pub last_walk: String,
    pub back: String,
    pub total_walk: String,
    pub origin: String,
    pub config: String,
    pub json_url: String,
    pub change_url: String,
    pub kiosk: bool,
    pub optimal: bool,
}

fn compass(deg: u32) -> &'static str {
    ["n", "ne", "e", "se", "s", "sw", "w", "nw"][(((deg as f64 + 22.5) / 45.0) as usize) % 8]
}

fn route_data(p: &Page, q: &RouteQuery, v: &RouteView) -> RouteData {
    let m = &p.ctx.config.map;
    let stops_js: Vec<serde_json::Value> =
        v.stops.iter().map(|s| serde_json::json!({"n": s.order, "name": s.name, "lat": s.lat, "lon": s.lon})).collect();
    let config = serde_json::json!({
        "tiles": m.tiles, "attribution": m.attribution, "maxZoom": m.max_zoom,
        "origin": {"lat": v.origin.lat, "lon": v.origin.lon, "name": v.origin.name},
        "stops": stops_js,
    })
    .to_string();
    let walk = |m: u32, min: u32| {
        p.ctx.i18n.t_args(p.lang, "guide-walk", &[("dist", distance_text(p.lang, f64::from(m)).into()), ("min", i64::from(min).into())])
    };
    let pace = p.t(&format!("guide-pace-{}", v.pace));
    let summary = [
        p.t1("guide-summary-date", "date", &v.date),
        p.t1("guide-summary-start", "time", &v.start),
        p.t1("guide-summary-back-by", "time", &v.back_by),
        pace,
    ]
    .join(" · ");
    let change = format!("{}?{}", if q.kiosk { "/guide/kiosk" } else { "/guide" }, q.to_query());
    RouteData {
        stops: v
            .stops
            .iter()
            .map(|s| StopRow {
                order: s.order,
                name: s.name.clone(),
                walk: walk(s.walk_m, s.walk_min),
                direction: format!("{} ({}°)", p.tk("places-dir", compass(s.bearing_deg)), s.bearing_deg),
                arrive: s.arrive.clone(),
                wait: if s.wait_min > 0 { p.t1("guide-wait", "n", s.wait_min) } else { String::new() },
                start: s.start.clone(),
                leave: s.leave.clone(),
            })
            .collect(),
        skipped: v.skipped.iter().map(|s| (s.name.clone(), p.tk("guide-why", &s.why.replace('_', "-")))).collect(),
        summary,
        last_walk: walk(v.last_walk_m, v.last_walk_min),
        back: v.back.clone().unwrap_or_else(|| p.t("guide-back-none")),
        total_walk: distance_text(p.lang, f64::from(v.walk_m)),
        origin: v.origin.name.clone(),
        config,
        json_url: format!("/api/v1/guide/route?{}", q.to_query()),
        change_url: change,
        kiosk: q.kiosk,
        optimal: v.optimal,
    }
}

#[derive(Template)]
#[template(path = "guide_route.html")]
struct RoutePage {
    p: Page,
    r: RouteData,
}

#[derive(Template)]
#[template(path = "guide_kiosk_route.html")]
struct KioskRoutePage {
    p: Page,
    r: RouteData,
}

async fn route(p: Page, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let kiosk = raw.as_deref().is_some_and(|r| r.split('&').any(|kv| kv == "kiosk=1"));
    match planned(&p.ctx, raw.as_deref()).await {
        Ok(pl) => {
            let v = RouteView::of(&pl, p.lang, service::origin(&p.ctx));
            let r = route_data(&p, &pl.query, &v);
            let ctx = p.ctx.clone();
            let page = if kiosk { kiosk_headers(render(&KioskRoutePage { p, r })) } else { render(&RoutePage { p, r }) };
            Ok(with_map_csp(&ctx.config.map, "", page))
        }
        // A refused choice: the start page again, the problems named at the top.
        Err(e) if !e.fields.is_empty() => {
            let mut errors = FormErrors::from(&p, &e);
            errors.explain("sight", sight_message(&p, &e));
            let d = index_of(&p, raw.as_deref(), kiosk, errors).await?;
            let page = if kiosk { kiosk_headers(render(&KioskPage { p, d })) } else { render(&IndexPage { p, d }) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

fn sight_message(p: &Page, e: &kernel::AppError) -> String {
    match e.fields.iter().find(|f| f.field == "sight").map(|f| f.code.as_str()) {
        Some("guide_too_many_sights") => p.t1("field-guide-too-many-sights", "n", crate::model::MAX_SIGHTS as i64),
        Some(code) => kernel::layout::field_message(p, code),
        None => String::new(),
    }
}
