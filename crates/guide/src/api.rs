//! `GET /api/v1/guide/route`: the walking route as JSON, with the same
//! parameters as the page; refusals are problem+json naming the field.

use crate::model::{RouteQuery, clock};
use crate::service::{self, Planned};
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::get;
use kernel::error::{FieldError, Problem};
use kernel::{AppResult, Ctx, Lang};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(route),
    components(schemas(RouteView, StopView, SkippedView, OriginView, Problem, FieldError)),
    tags((name = "guide", description = "The tourist guide: walking routes through the sights"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new().route("/api/v1/guide/route", get(route))
}

#[derive(Serialize, ToSchema)]
#[schema(as = GuideOrigin)]
pub struct OriginView {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

/// One stop, in the order walked.
#[derive(Serialize, ToSchema)]
#[schema(as = GuideStop)]
pub struct StopView {
    /// 1 for the first stop.
    pub order: usize,
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Street metres of the walk to it, from the previous stop (or the start).
    pub walk_m: u32,
    pub walk_min: u32,
    /// Initial compass bearing of that walk, degrees.
    pub bearing_deg: u32,
    /// Local times, `HH:MM`.
    pub arrive: String,
    /// When the visit begins: later than `arrive` when it opens later.
    pub start: String,
    pub wait_min: u32,
    pub leave: String,
    pub visit_min: u32,
}

/// A ticked sight the route leaves out.
#[derive(Serialize, ToSchema)]
#[schema(as = GuideSkipped)]
pub struct SkippedView {
    pub id: String,
    pub name: String,
    /// `closed`: not open long enough in the time given; `no_time`: the others take the time.
    pub why: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = GuideRoute)]
pub struct RouteView {
    pub date: String,
    pub start: String,
    pub back_by: String,
    /// `stroll` or `unhurried`.
    pub pace: String,
    pub origin: OriginView,
    pub stops: Vec<StopView>,
    pub last_walk_m: u32,
    pub last_walk_min: u32,
    /// Back at the start, `HH:MM`; null when even that does not fit.
    pub back: Option<String>,
    pub walk_m: u32,
    pub skipped: Vec<SkippedView>,
    /// Proven optimal by the exact solver.
    pub optimal: bool,
}

fn minutes(secs: u32) -> u32 {
    secs.div_ceil(60)
}

impl RouteView {
    /// The planned route for a reader of `lang`; `origin`: where it starts and ends.
    pub fn of(pl: &Planned, lang: Lang, origin: &kernel::config::WalkStart) -> RouteView {
        let name = |id: &str| pl.place(id).map(|p| p.names.get(lang).to_string()).unwrap_or_default();
        let r = &pl.route;
        RouteView {
            date: pl.query.date.to_string(),
            start: clock(pl.query.start),
            back_by: clock(pl.query.back_by()),
            pace: pl.query.pace.code().into(),
            origin: OriginView { name: origin.name.clone(), lat: origin.lat, lon: origin.lon },
            stops: r
                .stops
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let p = pl.place(&s.id);
                    StopView {
                        order: i + 1,
                        id: s.id.clone(),
                        name: name(&s.id),
                        lat: p.map(|p| p.geometry.lat).unwrap_or_default(),
                        lon: p.map(|p| p.geometry.lon).unwrap_or_default(),
                        walk_m: s.walk_m,
                        walk_min: minutes(s.walk_s),
                        bearing_deg: s.bearing_deg.round() as u32 % 360,
                        arrive: clock(s.arrive),
                        start: clock(s.start),
                        wait_min: (s.start - s.arrive) / 60,
                        leave: clock(s.leave),
                        visit_min: p.map(service::visit_min).unwrap_or_default(),
                    }
                })
                .collect(),
            last_walk_m: r.last_walk_m,
            last_walk_min: minutes(r.last_walk_s),
            back: r.back.map(clock),
            walk_m: r.walk_m,
            skipped: r
                .skipped
                .iter()
                .map(|s| SkippedView {
                    id: s.id.clone(),
                    name: name(&s.id),
                    why: match s.why {
                        tour::Why::Closed => "closed".into(),
                        tour::Why::NoTime => "no_time".into(),
                    },
                })
                .collect(),
            optimal: r.optimal,
        }
    }
}

/// Parse, validate and plan, for the page and the API.
pub async fn planned(ctx: &Ctx, raw: Option<&str>) -> AppResult<Planned> {
    let now = ctx.now().local();
    let q = RouteQuery::parse(raw, now.date(), chrono::Timelike::num_seconds_from_midnight(&now))?;
    service::plan(ctx, q).await
}

#[utoipa::path(operation_id = "guide_route", get, path = "/api/v1/guide/route", tag = "guide",
    params(
        ("sight" = Vec<String>, Query, description = "A sight's id (layers `sights`, `heritage`), repeated; 1 to 16"),
        ("start" = Option<String>, Query, description = "Start time `HH:MM`, local; default the next quarter hour"),
        ("hours" = Option<f64>, Query, description = "Hours available, 0.5 to 12; default 3"),
        ("date" = Option<String>, Query, description = "`YYYY-MM-DD`; default today"),
        ("pace" = Option<String>, Query, description = "`stroll` (4.3 km/h, default) or `unhurried` (3.2 km/h)"),
    ),
    responses(
        (status = 200, description = "The route from the start (`[map.walk_start]`, by default the tourist information centre) and back: stops in order, what was left out and why", body = RouteView),
        (status = 422, description = "A parameter is missing or invalid, or a sight is unknown; `errors` names the field", body = Problem, content_type = "application/problem+json"),
    ))]
async fn route(State(ctx): State<Ctx>, headers: HeaderMap, RawQuery(raw): RawQuery) -> AppResult<axum::Json<RouteView>> {
    let pl = planned(&ctx, raw.as_deref()).await?;
    Ok(axum::Json(RouteView::of(&pl, kernel::web::request_lang(&headers), service::origin(&ctx))))
}
