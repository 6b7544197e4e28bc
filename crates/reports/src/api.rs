//! JSON API of reports under /api/v1/reports: categories, the public list
//! and one report (no personal data), submission, the staff's changes of
//! status and merges, the gazetteer search and the KPI.

use crate::Reports;
use crate::model::{ReportInput, Status};
use crate::service::{self, Kpi, Source, StatusChange, Submission};
use crate::store::{self, Filter, Place, Report};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use kernel::error::Problem;
use kernel::web::{ApiJson, ApiQuery};
use kernel::{Actor, AppError, AppResult, Ctx, Lang};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(categories, list, create, get_one, change_status, merge, places, kpi),
    components(schemas(CategoryOut, AttributeOut, ValueOut, ReportOut, UpdateOut, ReportPage, ReportInput, StatusChange, MergeInput, Place, Kpi, Status)),
    tags((name = "reports", description = "Fault reports: submit, follow, answer"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/reports/categories", get(categories))
        .route("/api/v1/reports", get(list).post(create))
        .route("/api/v1/reports/kpi", get(kpi))
        .route("/api/v1/reports/places", get(places))
        .route("/api/v1/reports/{id}", get(get_one))
        .route("/api/v1/reports/{id}/status", post(change_status))
        .route("/api/v1/reports/{id}/merge", post(merge))
}

#[derive(Serialize, ToSchema)]
pub struct ValueOut {
    pub key: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttributeOut {
    pub code: String,
    pub datatype: String,
    pub required: bool,
    pub description: String,
    pub order: u32,
    pub values: Vec<ValueOut>,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryOut {
    pub code: String,
    pub name: String,
    pub description: String,
    pub group: String,
    /// The department or public company that takes these reports (areas may route elsewhere).
    pub owner: String,
    pub attributes: Vec<AttributeOut>,
}

/// The categories one can report, in the request's language.
#[utoipa::path(get, path = "/api/v1/reports/categories", operation_id = "report_categories", tag = "reports", responses((status = 200, description = "Categories", body = [CategoryOut])))]
async fn categories(Extension(r): Extension<Reports>, lang: Lang) -> Json<Vec<CategoryOut>> {
    Json(
        r.config
            .categories
            .iter()
            .map(|c| CategoryOut {
                code: c.code.clone(),
                name: c.name.get(lang).into(),
                description: c.description.get(lang).into(),
                group: c.group.get(lang).into(),
                owner: c.owner.clone(),
                attributes: c
                    .attributes
                    .iter()
                    .map(|a| AttributeOut {
                        code: a.code.clone(),
                        datatype: a.datatype.clone(),
                        required: a.required,
                        description: a.description.get(lang).into(),
                        order: a.order,
                        values: a.values.iter().map(|v| ValueOut { key: v.key.clone(), name: v.name.get(lang).into() }).collect(),
                    })
                    .collect(),
            })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct UpdateOut {
    pub at: String,
    pub status: Status,
    /// `created`, `status` or `merged`.
    pub kind: String,
    /// The public answer.
    pub answer: Option<String>,
}

/// A report as everyone may see it.
#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub id: i64,
    pub category: String,
    pub category_name: String,
    pub status: Status,
    pub open: bool,
    pub reason: Option<String>,
    pub description: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: Option<String>,
    pub owner: String,
    pub duplicate_of: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    /// Photo addresses on this server.
    pub photos: Vec<String>,
    /// The page of the report.
    pub url: String,
    /// Public history, oldest first (one report only; empty in lists).
    pub updates: Vec<UpdateOut>,
}

fn out(r: &Reports, rep: &Report, lang: Lang, photos: Vec<String>, updates: Vec<UpdateOut>) -> ReportOut {
    ReportOut {
        id: rep.id,
        category: rep.category.clone(),
        category_name: r.config.category(&rep.category).map(|c| c.name.get(lang).to_string()).unwrap_or_default(),
        status: rep.status,
        open: rep.status.is_open(),
        reason: rep.reason.clone(),
        description: rep.description.clone(),
        lat: rep.lat,
        lon: rep.lon,
        address: rep.address.clone(),
        owner: rep.owner.clone(),
        duplicate_of: rep.duplicate_of,
        created_at: kernel::Timestamp(rep.created_at).rfc3339(),
        updated_at: kernel::Timestamp(rep.updated_at).rfc3339(),
        photos,
        url: format!("/reports/{}", rep.id),
        updates,
    }
}

async fn full(ctx: &Ctx, r: &Reports, rep: &Report, lang: Lang) -> AppResult<ReportOut> {
    let c = ctx.db.conn();
    let photos = store::photos_of(c, rep.id).await?.into_iter().map(|p| format!("/reports/photos/{}.jpg", p.id)).collect();
    let updates = store::updates_of(c, rep.id, true)
        .await?
        .into_iter()
        .map(|u| UpdateOut { at: kernel::Timestamp(u.at).rfc3339(), status: u.status, kind: u.kind, answer: u.text.filter(|_| true) })
        .collect();
    Ok(out(r, rep, lang, photos, updates))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// A status code, or `open` / `closed`.
    #[param(
        pattern = "^(open|closed|received|investigating|in_progress|action_scheduled|internal_referral|fixed|rejected|not_responsible|duplicate)$"
    )]
    status: Option<String>,
    category: Option<String>,
    /// The cursor: reports with a smaller number (from `next`).
    cursor: Option<i64>,
    /// 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportPage {
    pub items: Vec<ReportOut>,
    /// The cursor of the next page, if there is one.
    pub next: Option<i64>,
}

/// Reports, newest first, without personal data.
#[utoipa::path(get, path = "/api/v1/reports", operation_id = "list_reports", tag = "reports", params(ListQuery),
    responses((status = 200, description = "A page of reports", body = ReportPage), (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json")))]
async fn list(State(ctx): State<Ctx>, Extension(r): Extension<Reports>, lang: Lang, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Json<ReportPage>> {
    let statuses = match q.status.as_deref() {
        None => vec![],
        Some("open") => Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
        Some("closed") => Status::ALL.into_iter().filter(|s| !s.is_open()).collect(),
        Some(code) => vec![Status::from_code(code).ok_or_else(|| AppError::bad_request("query_invalid").with_detail("unknown status"))?],
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::bad_request("query_invalid").with_detail("limit is 1 to 500"));
    }
    let f =
        Filter { statuses, categories: q.category.into_iter().filter(|c| !c.is_empty()).collect(), before: q.cursor, limit, ..Default::default() };
    let reports = store::list(ctx.db.conn(), &f).await?;
    let next = (reports.len() as i64 == limit).then(|| reports.last().map(|x| x.id)).flatten();
    Ok(Json(ReportPage { items: reports.iter().map(|rep| out(&r, rep, lang, vec![], vec![])).collect(), next }))
}

/// Report a fault. Signed-in citizens are told at their account; visitors
/// give an e-mail address. Photos go through the form or Open311.
#[utoipa::path(post, path = "/api/v1/reports", operation_id = "create_report", tag = "reports", request_body = ReportInput,
    responses((status = 201, description = "Received and routed", body = ReportOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A key without the scope, or a password to change first", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many reports", body = Problem, content_type = "application/problem+json")))]
async fn create(
    State(ctx): State<Ctx>,
    Extension(r): Extension<Reports>,
    actor: Actor,
    lang: Lang,
    ApiJson(input): ApiJson<ReportInput>,
) -> AppResult<Response> {
    let sub = Submission { input, photos: vec![], keep_location: false, source: Source::Api, lang };
    let rep = service::submit(&ctx, &r, &actor, sub).await?;
    let body = full(&ctx, &r, &rep, lang).await?;
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, format!("/api/v1/reports/{}", rep.id))], Json(body)).into_response())
}

fn parse_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

/// One report with its public history.
#[utoipa::path(get, path = "/api/v1/reports/{id}", operation_id = "get_report", tag = "reports", params(("id" = i64, Path, description = "Report number")),
    responses((status = 200, description = "The report", body = ReportOut), (status = 404, description = "No such report", body = Problem, content_type = "application/problem+json")))]
async fn get_one(State(ctx): State<Ctx>, Extension(r): Extension<Reports>, lang: Lang, Path(id): Path<String>) -> AppResult<Json<ReportOut>> {
    let rep = service::get(&ctx, parse_id(&id)?).await?;
    Ok(Json(full(&ctx, &r, &rep, lang).await?))
}

/// Change the status with a public answer (staff of the owning department).
#[utoipa::path(post, path = "/api/v1/reports/{id}/status", operation_id = "change_report_status", tag = "reports", params(("id" = i64, Path, description = "Report number")), request_body = StatusChange,
    security(("session" = [])),
    responses((status = 200, description = "Changed; the reporter is told", body = ReportOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the owning department", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Merged into another report", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")))]
async fn change_status(
    State(ctx): State<Ctx>,
    Extension(r): Extension<Reports>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatusChange>,
) -> AppResult<Json<ReportOut>> {
    let rep = service::change_status(&ctx, &r, &actor, parse_id(&id)?, &input).await?;
    Ok(Json(full(&ctx, &r, &rep, lang).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The report this one duplicates.
    pub into: i64,
}

/// Merge a duplicate into another report (staff of the owning department).
#[utoipa::path(post, path = "/api/v1/reports/{id}/merge", operation_id = "merge_report", tag = "reports", params(("id" = i64, Path, description = "Report number")), request_body = MergeInput,
    security(("session" = [])),
    responses((status = 200, description = "Merged", body = ReportOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the owning department", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already merged", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid target", body = Problem, content_type = "application/problem+json")))]
async fn merge(
    State(ctx): State<Ctx>,
    Extension(r): Extension<Reports>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MergeInput>,
) -> AppResult<Json<ReportOut>> {
    let rep = service::merge(&ctx, &r, &actor, parse_id(&id)?, input.into).await?;
    Ok(Json(full(&ctx, &r, &rep, lang).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PlaceQuery {
    /// A street, address or place name.
    q: String,
}

/// Find a street or place in the local gazetteer (no outside geocoder).
#[utoipa::path(get, path = "/api/v1/reports/places", operation_id = "report_places", tag = "reports", params(PlaceQuery), responses((status = 200, description = "Matches, best first", body = [Place]), (status = 400, description = "No query", body = Problem, content_type = "application/problem+json")))]
async fn places(State(ctx): State<Ctx>, ApiQuery(q): ApiQuery<PlaceQuery>) -> AppResult<Json<Vec<Place>>> {
    let all = store::places(ctx.db.conn()).await?;
    let found = match crate::places::geocode(&all, &q.q) {
        crate::places::Found::One(p) => vec![p.clone()],
        crate::places::Found::Several(ps) => ps.into_iter().cloned().collect(),
        crate::places::Found::None => vec![],
    };
    Ok(Json(found))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct KpiQuery {
    /// Calendar year (default: this year).
    #[param(minimum = 2000, maximum = 2100)]
    year: Option<i32>,
}

/// Reports per inhabitant (and per reporter) in a year.
#[utoipa::path(get, path = "/api/v1/reports/kpi", operation_id = "report_kpi", tag = "reports", params(KpiQuery),
    responses((status = 200, description = "The KPI", body = Kpi), (status = 400, description = "Bad year", body = Problem, content_type = "application/problem+json")))]
async fn kpi(State(ctx): State<Ctx>, ApiQuery(q): ApiQuery<KpiQuery>) -> AppResult<Json<Kpi>> {
    use chrono::Datelike;
    let year = q.year.unwrap_or_else(|| ctx.now().to_datetime().year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_request("query_invalid").with_detail("year is 2000 to 2100"));
    }
    Ok(Json(service::kpi(&ctx, year).await?))
}
