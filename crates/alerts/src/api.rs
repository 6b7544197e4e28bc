//! JSON API of crisis alerts under /api/v1/alerts. Reading is public (the
//! alerts are public messages); issuing, updating and cancelling need
//! `IssueAlerts` (staff and administrators, with 2FA).

use crate::AlertsConfig;
use crate::model::AlertInput;
use crate::service::{self, AlertView, CancelInput};
use crate::store;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use kernel::error::Problem;
use kernel::web::ApiJson;
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use serde::Serialize;
use std::sync::Arc;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list, issue, get_one, update, cancel, figures, coverage),
    components(schemas(AlertView, service::State, AlertInput, crate::model::AreaInput, crate::model::CircleInput, crate::model::Bilingual, CancelInput, AlertList, crate::fanout::Figures, crate::fanout::ChannelFigures, crate::fanout::Coverage,
        crate::cap::Status, crate::cap::MsgType, crate::cap::Category, crate::cap::ResponseType, crate::cap::Urgency, crate::cap::Severity, crate::cap::Certainty)),
    tags((name = "alerts", description = "Crisis alerts (CAP 1.2); the CAP documents and their Atom feed are at /alerts/cap"))
)]
pub struct ApiDoc;

type Cfg = Extension<Arc<AlertsConfig>>;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/alerts", get(list).post(issue))
        .route("/api/v1/alerts/coverage", get(coverage))
        .route("/api/v1/alerts/{identifier}", get(get_one))
        .route("/api/v1/alerts/{identifier}/figures", get(figures))
        .route("/api/v1/alerts/{identifier}/update", post(update))
        .route("/api/v1/alerts/{identifier}/cancel", post(cancel))
}

#[derive(Serialize, ToSchema)]
struct AlertList {
    /// The latest message of each alert, newest first.
    items: Vec<AlertView>,
}

/// Alerts: the latest message of each, newest first (public).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", responses((status = 200, description = "Alerts", body = AlertList)))]
async fn list(State(ctx): State<Ctx>) -> AppResult<axum::Json<AlertList>> {
    let now = ctx.now();
    let items = store::latest(ctx.db.conn(), 200).await?.iter().map(|m| AlertView::of(m, now)).collect();
    Ok(axum::Json(AlertList { items }))
}

fn created(m: &store::Message, now: kernel::Timestamp) -> Response {
    let view = AlertView::of(m, now);
    let location = format!("/api/v1/alerts/{}", view.identifier);
    (StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(view)).into_response()
}

/// Issue an alert (staff with `IssueAlerts`). The message is checked against
/// CAP 1.2; every broken rule is named in `errors`.
#[utoipa::path(post, path = "/api/v1/alerts", tag = "alerts", request_body = AlertInput,
    responses(
        (status = 201, description = "Issued", body = AlertView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to issue alerts, or no second factor", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid alert (`errors` lists the fields and CAP rules)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn issue(State(ctx): State<Ctx>, Extension(cfg): Cfg, actor: Actor, ApiJson(input): ApiJson<AlertInput>) -> AppResult<Response> {
    let m = service::issue(&ctx, &cfg, &actor, &input).await?;
    Ok(created(&m, ctx.now()))
}

/// One message (public).
#[utoipa::path(get, path = "/api/v1/alerts/{identifier}", tag = "alerts", params(("identifier" = String, Path, description = "CAP identifier")),
    responses(
        (status = 200, description = "The message", body = AlertView),
        (status = 404, description = "No such message", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_one(State(ctx): State<Ctx>, Path(identifier): Path<String>) -> AppResult<axum::Json<AlertView>> {
    let m = store::get(ctx.db.conn(), &identifier).await?.ok_or_else(AppError::not_found)?;
    Ok(axum::Json(AlertView::of(&m, ctx.now())))
}

/// Update an alert: a new message (msgType Update) whose `references` name
/// every earlier message of the alert. Only the latest message can be updated.
#[utoipa::path(post, path = "/api/v1/alerts/{identifier}/update", tag = "alerts", request_body = AlertInput,
    params(("identifier" = String, Path, description = "CAP identifier of the alert's latest message")),
    responses(
        (status = 201, description = "The update", body = AlertView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to issue alerts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Superseded or cancelled already", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid alert", body = Problem, content_type = "application/problem+json"),
    ))]
async fn update(
    State(ctx): State<Ctx>,
    Extension(cfg): Cfg,
    actor: Actor,
    Path(identifier): Path<String>,
    ApiJson(input): ApiJson<AlertInput>,
) -> AppResult<Response> {
    let m = service::update(&ctx, &cfg, &actor, &identifier, &input).await?;
    Ok(created(&m, ctx.now()))
}

/// Cancel an alert: a new message (msgType Cancel, responseType AllClear)
/// referencing every earlier message of the alert.
#[utoipa::path(post, path = "/api/v1/alerts/{identifier}/cancel", tag = "alerts", request_body = CancelInput,
    params(("identifier" = String, Path, description = "CAP identifier of the alert's latest message")),
    responses(
        (status = 201, description = "The cancellation", body = AlertView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to issue alerts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Superseded or cancelled already", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json"),
    ))]
async fn cancel(
    State(ctx): State<Ctx>,
    Extension(cfg): Cfg,
    actor: Actor,
    Path(identifier): Path<String>,
    ApiJson(input): ApiJson<CancelInput>,
) -> AppResult<Response> {
    let m = service::cancel(&ctx, &cfg, &actor, &identifier, &input).await?;
    Ok(created(&m, ctx.now()))
}

/// Delivery of one message to subscribers, per channel (`IssueAlerts`).
#[utoipa::path(get, path = "/api/v1/alerts/{identifier}/figures", tag = "alerts", params(("identifier" = String, Path, description = "CAP identifier")),
    responses(
        (status = 200, description = "Figures", body = crate::fanout::Figures),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to issue alerts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message", body = Problem, content_type = "application/problem+json"),
    ))]
async fn figures(State(ctx): State<Ctx>, actor: Actor, Path(identifier): Path<String>) -> AppResult<axum::Json<crate::fanout::Figures>> {
    actor.check(Permission::IssueAlerts)?;
    let c = ctx.db.conn();
    let m = store::get(c, &identifier).await?.ok_or_else(AppError::not_found)?;
    Ok(axum::Json(crate::fanout::figures(c, &m).await?))
}

/// The KPI "share of incidents covered": actual alerts that reached people,
/// and their deliveries per channel (`IssueAlerts`).
#[utoipa::path(get, path = "/api/v1/alerts/coverage", tag = "alerts",
    responses(
        (status = 200, description = "Coverage", body = crate::fanout::Coverage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to issue alerts", body = Problem, content_type = "application/problem+json"),
    ))]
async fn coverage(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<crate::fanout::Coverage>> {
    actor.check(Permission::IssueAlerts)?;
    Ok(axum::Json(crate::fanout::coverage(ctx.db.conn()).await?))
}
