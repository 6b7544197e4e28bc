//! JSON API of indicators under /api/v1/indicators, described with utoipa.

use crate::model::{Area, Indicator, Kind, Provenance, Unit, Value, Value as IndicatorValue};
use crate::service::{self, Indicators, ValueInput};
use crate::store;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kernel::error::FieldError;
use kernel::error::Problem;
use kernel::web::ApiJson;
use kernel::{Actor, AppError, AppResult, Ctx};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list, one, record, import, recompute, crate::maturity_pages::api_answer, crate::maturity_pages::api_results),
    components(schemas(Indicator, Kind, Unit, Area, IndicatorValue, Provenance, ValueInput, IndicatorView, Listed, Imported, Problem, FieldError, crate::maturity::MaturityInput, crate::maturity::Scored, crate::maturity::YearResults, crate::maturity::OrgKind, crate::maturity::Category)),
    tags((name = "indicators", description = "The strategy's KPIs and the ISO 37120/37122/37123 indicators with their values"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/indicators", get(list))
        .route("/api/v1/indicators/import", post(import))
        .route("/api/v1/indicators/recompute", post(recompute))
        .route("/api/v1/indicators/{code}", get(one))
        .route("/api/v1/indicators/{code}/values", put(record))
}

/// An indicator with its latest value and progress towards the target.
#[derive(Serialize, ToSchema)]
pub struct Listed {
    #[serde(flatten)]
    pub indicator: Indicator,
    pub latest: Option<Value>,
    /// 0–1 of the way from the baseline to the 2027 target.
    pub progress: Option<f64>,
    pub computed: bool,
}

/// Values as published: who recorded them is kept for staff, not shown.
fn public(v: &Value) -> Value {
    Value { recorded_by: String::new(), ..v.clone() }
}

/// Every indicator followed, with its latest value.
#[utoipa::path(get, path = "/api/v1/indicators", operation_id = "indicators_list", tag = "indicators", responses((status = 200, description = "The indicators", body = [Listed])))]
async fn list(State(ctx): State<Ctx>, Extension(ind): Extension<Indicators>) -> AppResult<Json<Vec<Listed>>> {
    let values = store::all(ctx.db.conn()).await?;
    let out = service::lines(&ind, &values)
        .into_iter()
        .map(|l| Listed {
            indicator: l.indicator.clone(),
            latest: l.latest.map(public),
            progress: l.progress,
            computed: ind.computed(&l.indicator.code),
        })
        .collect();
    Ok(Json(out))
}

/// One indicator with its history.
#[derive(Serialize, ToSchema)]
pub struct IndicatorView {
    #[serde(flatten)]
    pub indicator: Indicator,
    /// Period by period, the value that counts (entered over imported over computed).
    pub history: Vec<Value>,
    /// Every value recorded, with its provenance.
    pub values: Vec<Value>,
}

#[utoipa::path(get, path = "/api/v1/indicators/{code}", operation_id = "indicators_one", tag = "indicators", params(("code" = String, Path, description = "e.g. admin.reports.1 or 37122:23.3")),
    responses(
        (status = 200, description = "The indicator", body = IndicatorView),
        (status = 404, description = "No such indicator", body = Problem, content_type = "application/problem+json"),
    ))]
async fn one(State(ctx): State<Ctx>, Extension(ind): Extension<Indicators>, Path(code): Path<String>) -> AppResult<Json<IndicatorView>> {
    let i = ind.registry.get(&code).ok_or_else(AppError::not_found)?;
    let values = store::of(ctx.db.conn(), &code).await?;
    let history = service::effective(&values).into_iter().map(public).collect();
    Ok(Json(IndicatorView { indicator: i.clone(), history, values: values.iter().map(public).collect() }))
}

/// Record a value (staff with data management); replaces an earlier entered value of the period.
#[utoipa::path(put, path = "/api/v1/indicators/{code}/values", operation_id = "indicators_record", tag = "indicators", params(("code" = String, Path, description = "Indicator code")),
    request_body = ValueInput,
    responses(
        (status = 200, description = "Recorded", body = Value),
        (status = 400, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such indicator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json"),
    ))]
async fn record(
    State(ctx): State<Ctx>,
    Extension(ind): Extension<Indicators>,
    actor: Actor,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ValueInput>,
) -> AppResult<Json<Value>> {
    if ind.registry.get(&code).is_none() {
        actor.check(kernel::Permission::ManageData)?;
        return Err(AppError::not_found());
    }
    Ok(Json(public(&service::record(&ctx, &actor, &ind, &code, input).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub values: usize,
}

/// Import values from CSV (`code,period,value[,note]`): all of the file or none of it.
#[utoipa::path(post, path = "/api/v1/indicators/import", operation_id = "indicators_import", tag = "indicators",
    request_body(content(
        (String = "text/csv", example = "code,period,value,note\nadmin.video.1,2026,38,from the meeting calendar"),
    )),
    responses(
        (status = 200, description = "Imported", body = Imported),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not CSV", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong lines, each named", body = Problem, content_type = "application/problem+json"),
    ))]
async fn import(State(ctx): State<Ctx>, Extension(ind): Extension<Indicators>, actor: Actor, headers: HeaderMap, body: Bytes) -> AppResult<Response> {
    actor.check(kernel::Permission::ManageData)?;
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if !ctype.starts_with("text/csv") && !ctype.starts_with("text/plain") {
        return Err(AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "csv_expected"));
    }
    let text = std::str::from_utf8(&body).map_err(|_| AppError::field("file", "not_utf8"))?;
    let n = service::import(&ctx, &actor, &ind, text).await?;
    Ok(Json(Imported { values: n }).into_response())
}

/// Compute the indicators the platform's data tell, for the current year, now.
#[utoipa::path(post, path = "/api/v1/indicators/recompute", operation_id = "indicators_recompute", tag = "indicators",
    responses(
        (status = 200, description = "Values computed", body = Imported),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    ))]
async fn recompute(State(ctx): State<Ctx>, Extension(ind): Extension<Indicators>, actor: Actor) -> AppResult<Json<Imported>> {
    Ok(Json(Imported { values: service::recompute(&ctx, &actor, &ind).await? }))
}
