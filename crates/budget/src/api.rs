//! JSON API of the participatory budget under /api/v1/budget, described with utoipa.

use crate::count::{AreaResult, Reason};
use crate::model::{BallotKind, BallotRules, Phase, Review, RuleName};
use crate::service::{self, AreaInput, BallotInput, CycleInput, OverrideInput, PaperInput, ProjectInput, ReviewInput};
use crate::store::{self, Area, Cycle, Dates, Override, Project};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use kernel::error::{FieldError, Problem};
use kernel::web::ApiJson;
use kernel::{Actor, AppError, AppResult, Ctx};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// How ties are broken, as the results state it.
pub const TIE_BREAKING: &str = "lower cost first, then more votes, then the lower project number";

#[derive(OpenApi)]
#[openapi(
    paths(cycles, create_cycle, cycle, update_cycle, advance, add_area, update_area, projects, submit, project, review, ballot_status, vote, paper, import, results, export, set_override, kpi),
    components(schemas(CycleView, CycleIn, Dates, BallotRules, BallotKind, RuleName, Phase, AreaView, AreaIn, ProjectView, ProjectIn, Review, ReviewIn, BallotStatus, BallotIn, PaperIn, Entered, ImportIn, ResultsView, AreaResultView, ProjectResultView, ReasonCode, OverrideView, OverrideIn, AdvanceIn, BudgetKpi, BudgetKpiCycle, Problem, FieldError)),
    tags((name = "budget", description = "Participatory budget: cycles, areas, project ideas, review, ballots, results, Pabulib export"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/budget/cycles", get(cycles).post(create_cycle))
        .route("/api/v1/budget/cycles/{id}", get(cycle).put(update_cycle))
        .route("/api/v1/budget/cycles/{id}/advance", post(advance))
        .route("/api/v1/budget/cycles/{id}/areas", post(add_area))
        .route("/api/v1/budget/areas/{id}", put(update_area))
        .route("/api/v1/budget/cycles/{id}/projects", get(projects).post(submit))
        .route("/api/v1/budget/projects/{id}", get(project))
        .route("/api/v1/budget/projects/{id}/review", post(review))
        .route("/api/v1/budget/projects/{id}/override", post(set_override))
        .route("/api/v1/budget/cycles/{id}/ballot", get(ballot_status).post(vote))
        .route("/api/v1/budget/cycles/{id}/paper", post(paper))
        .route("/api/v1/budget/cycles/{id}/import", post(import))
        .route("/api/v1/budget/cycles/{id}/results", get(results))
        .route("/api/v1/budget/cycles/{id}/areas/{area}/pabulib", get(export))
        .route("/api/v1/budget/kpi", get(kpi))
}

#[derive(Serialize, ToSchema)]
pub struct AreaView {
    pub id: String,
    pub name: String,
    /// The area's budget in cents (EUR).
    pub budget_cents: i64,
    /// Residents entitled to vote there, when known.
    pub eligible_voters: Option<i64>,
}

impl From<&Area> for AreaView {
    fn from(a: &Area) -> Self {
        AreaView { id: a.id.clone(), name: a.name.clone(), budget_cents: a.budget_cents, eligible_voters: a.eligible_voters }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CycleView {
    pub id: String,
    pub year: i64,
    pub title: String,
    pub description: String,
    pub phase: Phase,
    pub dates: Dates,
    pub ballot: BallotRules,
    pub rule: RuleName,
    pub threshold: Option<i64>,
    /// Voters must be at least this old on the day they vote (0: no limit).
    pub min_age: i64,
    /// Empty: no residence check; else the profile address must name one of these postcodes.
    pub resident_postcodes: Vec<String>,
    pub areas: Vec<AreaView>,
    /// Demo data, not a real cycle.
    pub demo: bool,
}

async fn cycle_view(ctx: &Ctx, c: Cycle) -> AppResult<CycleView> {
    let areas = store::areas(ctx.db.conn(), &c.id).await?.iter().map(AreaView::from).collect();
    Ok(CycleView {
        id: c.id,
        year: c.year,
        title: c.title,
        description: c.description,
        phase: c.phase,
        dates: c.dates,
        ballot: c.ballot,
        rule: c.rule,
        threshold: c.threshold,
        min_age: c.min_age,
        resident_postcodes: c.resident_postcodes,
        areas,
        demo: c.demo,
    })
}

/// A cycle's settings.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleIn {
    #[schema(minimum = 2000, maximum = 2100, example = 2027)]
    pub year: i64,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        example = "Participativni proračun 2027"
    )]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$")]
    pub description: String,
    #[serde(default)]
    pub dates: Dates,
    pub ballot: BallotRules,
    pub rule: RuleName,
    /// Required for `greedy-threshold`: the least score a project needs.
    #[schema(minimum = 0, maximum = 1000000000)]
    pub threshold: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 120, example = 15)]
    pub min_age: i64,
    /// Postcodes of the municipality, e.g. `2250`; empty: no residence check.
    #[serde(default)]
    #[schema(max_length = 200, pattern = "^[ ,;]*([0-9]{4}([ ,;]+[0-9]{4})*[ ,;]*)?$", example = "2250")]
    pub resident_postcodes: String,
}

impl From<CycleIn> for CycleInput {
    fn from(c: CycleIn) -> Self {
        CycleInput {
            year: c.year,
            title: c.title,
            description: c.description,
            dates: c.dates,
            ballot: c.ballot,
            rule: c.rule,
            threshold: c.threshold,
            min_age: c.min_age,
            resident_postcodes: c.resident_postcodes,
        }
    }
}

/// Published cycles, newest first (staff also see drafts).
#[utoipa::path(get, path = "/api/v1/budget/cycles", tag = "budget", operation_id = "budget_cycles", responses((status = 200, description = "Cycles", body = [CycleView])))]
async fn cycles(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<CycleView>>> {
    let mut out = vec![];
    for c in service::visible_cycles(&ctx, &actor).await? {
        out.push(cycle_view(&ctx, c).await?);
    }
    Ok(axum::Json(out))
}

/// Create a cycle (a draft until staff open submissions).
#[utoipa::path(post, path = "/api/v1/budget/cycles", tag = "budget", operation_id = "budget_create_cycle", request_body = CycleIn,
    responses(
        (status = 201, description = "Created", body = CycleView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings, or the year has a cycle (`year_taken`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_cycle(State(ctx): State<Ctx>, actor: Actor, ApiJson(c): ApiJson<CycleIn>) -> AppResult<(StatusCode, axum::Json<CycleView>)> {
    let cycle = service::create_cycle(&ctx, &actor, c.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(cycle_view(&ctx, cycle).await?)))
}

/// One cycle with its areas.
#[utoipa::path(get, path = "/api/v1/budget/cycles/{id}", tag = "budget", operation_id = "budget_cycle", params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 200, description = "Cycle", body = CycleView),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
    ))]
async fn cycle(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<CycleView>> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    Ok(axum::Json(cycle_view(&ctx, c).await?))
}

/// Change a cycle's settings (the ballot is fixed once voting starts, the rule once results are published).
#[utoipa::path(put, path = "/api/v1/budget/cycles/{id}", tag = "budget", operation_id = "budget_update_cycle", request_body = CycleIn, params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 200, description = "Saved", body = CycleView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too late for this change (`ballot_fixed`, `results_published`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings", body = Problem, content_type = "application/problem+json"),
    ))]
async fn update_cycle(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<CycleIn>,
) -> AppResult<axum::Json<CycleView>> {
    let cycle = service::update_cycle(&ctx, &actor, &id, c.into()).await?;
    Ok(axum::Json(cycle_view(&ctx, cycle).await?))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct AdvanceIn {
    /// The phase the cycle is in now; refused if it moved meanwhile.
    pub from: Option<Phase>,
}

/// Move a cycle to its next phase (draft → submission → review → voting → counting → results).
#[utoipa::path(post, path = "/api/v1/budget/cycles/{id}/advance", tag = "budget", operation_id = "budget_advance", request_body = AdvanceIn, params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 200, description = "Moved", body = CycleView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already published, no areas, or the phase changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    ))]
async fn advance(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, ApiJson(a): ApiJson<AdvanceIn>) -> AppResult<axum::Json<CycleView>> {
    let cycle = service::advance(&ctx, &actor, &id, a.from).await?;
    Ok(axum::Json(cycle_view(&ctx, cycle).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaIn {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        example = "Četrtna skupnost Center"
    )]
    pub name: String,
    /// In cents (EUR).
    #[schema(minimum = 0, maximum = 100000000000_i64, example = 5000000)]
    pub budget_cents: i64,
    #[schema(minimum = 0, maximum = 100000000)]
    pub eligible_voters: Option<i64>,
}

impl From<AreaIn> for AreaInput {
    fn from(a: AreaIn) -> Self {
        AreaInput { name: a.name, budget_cents: a.budget_cents, eligible_voters: a.eligible_voters }
    }
}

/// Add an area with its budget (before voting starts).
#[utoipa::path(post, path = "/api/v1/budget/cycles/{id}/areas", tag = "budget", operation_id = "budget_add_area", request_body = AreaIn, params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 201, description = "Added", body = AreaView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Voting has started", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid area, or the name is taken", body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_area(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(a): ApiJson<AreaIn>,
) -> AppResult<(StatusCode, axum::Json<AreaView>)> {
    let area = service::add_area(&ctx, &actor, &id, a.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(AreaView::from(&area))))
}

/// Change an area (its name and budget only before voting starts).
#[utoipa::path(put, path = "/api/v1/budget/areas/{id}", tag = "budget", operation_id = "budget_update_area", request_body = AreaIn, params(("id" = String, Path, description = "Area")),
    responses(
        (status = 200, description = "Saved", body = AreaView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Voting has started", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid area, or the name is taken", body = Problem, content_type = "application/problem+json"),
    ))]
async fn update_area(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, ApiJson(a): ApiJson<AreaIn>) -> AppResult<axum::Json<AreaView>> {
    Ok(axum::Json(AreaView::from(&service::update_area(&ctx, &actor, &id, a.into()).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    pub id: String,
    /// Its number in the cycle (on the ballot and in the Pabulib export).
    pub number: i64,
    pub area_id: String,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    /// The proposer's estimate, in cents.
    pub estimated_cents: i64,
    /// The cost that counts (the staff's correction, else the estimate), in cents.
    pub cost_cents: i64,
    pub cost_corrected: bool,
    pub review: Review,
    /// The staff's public reason.
    pub review_reason: Option<String>,
}

impl From<&Project> for ProjectView {
    fn from(p: &Project) -> Self {
        ProjectView {
            id: p.id.clone(),
            number: p.number,
            area_id: p.area_id.clone(),
            title: p.title.clone(),
            description: p.description.clone(),
            location: p.location.clone(),
            estimated_cents: p.estimated_cents,
            cost_cents: p.cost(),
            cost_corrected: p.cost_cents.is_some_and(|c| c != p.estimated_cents),
            review: p.review,
            review_reason: p.review_reason.clone(),
        }
    }
}

/// Every project idea of a cycle with its review, by number.
#[utoipa::path(get, path = "/api/v1/budget/cycles/{id}/projects", tag = "budget", operation_id = "budget_projects", params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 200, description = "Projects", body = [ProjectView]),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
    ))]
async fn projects(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<Vec<ProjectView>>> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    Ok(axum::Json(store::projects(ctx.db.conn(), &c.id).await?.iter().map(ProjectView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    pub area_id: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        example = "Klopi ob Dravi"
    )]
    pub title: String,
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
    )]
    pub description: String,
    /// Where, in words (a street, a park).
    #[schema(max_length = 300, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub location: Option<String>,
    /// The proposer's estimate in cents (EUR).
    #[schema(minimum = 1, maximum = 100000000000_i64, example = 1200000)]
    pub estimated_cents: i64,
}

/// Submit a project idea (signed-in citizens, while submissions are open).
#[utoipa::path(post, path = "/api/v1/budget/cycles/{id}/projects", tag = "budget", operation_id = "budget_submit", request_body = ProjectIn, params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 201, description = "Submitted", body = ProjectView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Submissions are not open (`wrong_phase`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid idea or unknown area", body = Problem, content_type = "application/problem+json"),
    ))]
async fn submit(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<ProjectIn>,
) -> AppResult<(StatusCode, axum::Json<ProjectView>)> {
    let input =
        ProjectInput { area_id: p.area_id, title: p.title, description: p.description, location: p.location, estimated_cents: p.estimated_cents };
    let project = service::submit(&ctx, &actor, &id, input).await?;
    Ok((StatusCode::CREATED, axum::Json(ProjectView::from(&project))))
}

async fn visible_project(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<Project> {
    let p = store::project(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    service::visible_cycle(ctx, actor, &p.cycle_id).await?;
    Ok(p)
}

/// One project idea.
#[utoipa::path(get, path = "/api/v1/budget/projects/{id}", tag = "budget", operation_id = "budget_project", params(("id" = String, Path, description = "Project")),
    responses(
        (status = 200, description = "Project", body = ProjectView),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
async fn project(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<ProjectView>> {
    Ok(axum::Json(ProjectView::from(&visible_project(&ctx, &actor, &id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    pub feasible: bool,
    /// Public; required when not feasible or when the cost is corrected.
    #[schema(max_length = 2000, pattern = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$")]
    pub reason: Option<String>,
    /// The corrected cost in cents; none: the estimate stands.
    #[schema(minimum = 1, maximum = 100000000000_i64)]
    pub cost_cents: Option<i64>,
}

/// Review a project idea: feasible or not, with a public reason and the corrected cost.
#[utoipa::path(post, path = "/api/v1/budget/projects/{id}/review", tag = "budget", operation_id = "budget_review", request_body = ReviewIn, params(("id" = String, Path, description = "Project")),
    responses(
        (status = 200, description = "Reviewed", body = ProjectView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in submission or review", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reason is needed, or the cost is out of range", body = Problem, content_type = "application/problem+json"),
    ))]
async fn review(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, ApiJson(r): ApiJson<ReviewIn>) -> AppResult<axum::Json<ProjectView>> {
    let p = service::review(&ctx, &actor, &id, ReviewInput { feasible: r.feasible, reason: r.reason, cost_cents: r.cost_cents }).await?;
    Ok(axum::Json(ProjectView::from(&p)))
}

#[derive(Serialize, ToSchema)]
pub struct BallotStatus {
    /// You have voted in this cycle.
    pub voted: bool,
    /// You may vote now.
    pub can_vote: bool,
    /// Why not: `voting_closed`, `not_signed_in`, `no_emso`, `too_young`, `no_address`, `not_resident`, `already_voted`.
    pub reason: Option<String>,
}

/// Whether you may vote in a cycle, and why not.
#[utoipa::path(get, path = "/api/v1/budget/cycles/{id}/ballot", tag = "budget", operation_id = "budget_ballot_status", params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 200, description = "Your status", body = BallotStatus),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
    ))]
async fn ballot_status(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<BallotStatus>> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    let voted = service::has_voted(&ctx, &actor, &c.id).await?;
    let reason = if c.phase != Phase::Voting {
        Some("voting_closed".to_string())
    } else {
        match service::eligibility(&ctx, &actor, &c).await {
            Ok(_) => None,
            Err(e) if e.status.is_client_error() => Some(e.code.to_string()),
            Err(e) => return Err(e),
        }
    };
    Ok(axum::Json(BallotStatus { voted, can_vote: reason.is_none(), reason }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BallotIn {
    /// The area whose projects you vote on.
    pub area_id: String,
    /// Project numbers; ranked ballots: most preferred first.
    #[schema(max_items = 100)]
    pub projects: Vec<i64>,
    /// Cumulative ballots: the points of each project, in the same order.
    #[schema(max_items = 100)]
    pub points: Option<Vec<i64>>,
}

impl From<BallotIn> for BallotInput {
    fn from(b: BallotIn) -> Self {
        BallotInput { area_id: b.area_id, projects: b.projects, points: b.points }
    }
}

/// Cast your ballot: once per identity and cycle, while voting is open.
#[utoipa::path(post, path = "/api/v1/budget/cycles/{id}/ballot", tag = "budget", operation_id = "budget_vote", request_body = BallotIn, params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 204, description = "Counted"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not eligible: `no_emso`, `too_young`, `no_address`, `not_resident`; or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already voted (`already_voted`) or voting closed (`voting_closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The ballot breaks the cycle's rules (`ballot_too_many`, `ballot_points_total`, …)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn vote(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, ApiJson(b): ApiJson<BallotIn>) -> AppResult<StatusCode> {
    service::vote(&ctx, &actor, &id, b.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperIn {
    pub ballot: BallotIn,
    /// Ballots marked this same way.
    #[schema(minimum = 1, maximum = 10000)]
    pub copies: i64,
    /// The voter's EMŠO (with one ballot): marks them as having voted.
    #[schema(pattern = "^[0-9]{13}$")]
    pub emso: Option<String>,
    /// Polling station.
    #[schema(max_length = 120, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub station: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Entered {
    pub ballots: usize,
}

/// Enter paper ballots from a polling station (staff; audited).
#[utoipa::path(post, path = "/api/v1/budget/cycles/{id}/paper", tag = "budget", operation_id = "budget_paper", request_body = PaperIn, params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 201, description = "Entered", body = Entered),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in voting or counting, or that EMŠO has voted", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The ballot breaks the cycle's rules", body = Problem, content_type = "application/problem+json"),
    ))]
async fn paper(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<PaperIn>,
) -> AppResult<(StatusCode, axum::Json<Entered>)> {
    let n =
        service::enter_paper(&ctx, &actor, &id, PaperInput { ballot: p.ballot.into(), copies: p.copies, emso: p.emso, station: p.station }).await?;
    Ok((StatusCode::CREATED, axum::Json(Entered { ballots: n })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    /// Name of the new area.
    #[schema(min_length = 1, max_length = 120, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub name: String,
    /// The Pabulib `.pb` file's text; its vote type must match the cycle's ballot.
    #[schema(max_length = 1500000)]
    pub pb: String,
}

/// Create an area with its projects and ballots from a Pabulib file (staff; audited).
#[utoipa::path(post, path = "/api/v1/budget/cycles/{id}/import", tag = "budget", operation_id = "budget_import", request_body = ImportIn, params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 201, description = "Imported", body = AreaView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Results are published", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a readable Pabulib file, or not of the cycle's vote type", body = Problem, content_type = "application/problem+json"),
    ))]
async fn import(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<ImportIn>,
) -> AppResult<(StatusCode, axum::Json<AreaView>)> {
    let area = service::import(&ctx, &actor, &id, &i.name, &i.pb).await?;
    Ok((StatusCode::CREATED, axum::Json(AreaView::from(&area))))
}

/// Why a project is funded or not.
#[derive(Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    Funded,
    /// Greedy: less than its cost was left at its turn (`left_cents`).
    DidNotFit,
    BelowThreshold,
    /// Greedy without skipping stopped at an earlier project that did not fit.
    Stopped,
    /// Equal shares: its supporters could no longer pay for it.
    Unaffordable,
}

#[derive(Serialize, ToSchema)]
pub struct OverrideView {
    pub funded: bool,
    pub reason: String,
    /// Who decided (e.g. the city council, session and resolution).
    pub decided_by: String,
    pub decided_at: String,
}

impl From<&Override> for OverrideView {
    fn from(o: &Override) -> Self {
        OverrideView { funded: o.funded, reason: o.reason.clone(), decided_by: o.decided_by.clone(), decided_at: o.decided_at.rfc3339() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProjectResultView {
    pub project_id: String,
    pub number: i64,
    pub title: String,
    pub cost_cents: i64,
    /// Ballots that list it.
    pub votes: u64,
    /// What greedy ranks by: votes (approval), points (cumulative), `k − position` summed (ranked).
    pub score: i64,
    /// Its place in the order of score and ties.
    pub rank: usize,
    /// Funded by the rule.
    pub computed_funded: bool,
    pub reason: ReasonCode,
    /// `did_not_fit`: what was left at its turn, in cents.
    pub left_cents: Option<i64>,
    /// Funded: in which round (funding order).
    pub round: Option<usize>,
    /// Equal shares: ρ, what each supporter paid per euro of the project, exact and rounded.
    pub rho: Option<String>,
    /// The council's decision, when it changed the outcome.
    #[serde(rename = "override")]
    pub overridden: Option<OverrideView>,
    /// The outcome after the council's decisions.
    pub funded: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AreaResultView {
    pub area_id: String,
    pub name: String,
    pub budget_cents: i64,
    /// Spent by the rule.
    pub computed_spent_cents: i64,
    /// Spent after overrides.
    pub spent_cents: i64,
    pub remaining_cents: i64,
    pub ballots: usize,
    pub online: usize,
    pub paper: usize,
    pub imported: usize,
    pub eligible_voters: Option<i64>,
    /// Ballots per eligible voter, when the population is known.
    pub turnout: Option<f64>,
    /// In the order of score and ties.
    pub projects: Vec<ProjectResultView>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsView {
    pub cycle_id: String,
    pub rule: RuleName,
    pub threshold: Option<i64>,
    pub tie_breaking: String,
    pub published: bool,
    pub areas: Vec<AreaResultView>,
}

pub fn area_result_view(r: &AreaResult) -> AreaResultView {
    let projects = r
        .projects
        .iter()
        .map(|p| {
            let (reason, left_cents, round, rho) = match &p.reason {
                Reason::Funded { round, rho } => (ReasonCode::Funded, None, Some(*round), rho.clone()),
                Reason::DidNotFit { left_cents } => (ReasonCode::DidNotFit, Some(*left_cents), None, None),
                Reason::BelowThreshold => (ReasonCode::BelowThreshold, None, None, None),
                Reason::Stopped => (ReasonCode::Stopped, None, None, None),
                Reason::Unaffordable => (ReasonCode::Unaffordable, None, None, None),
            };
            ProjectResultView {
                project_id: p.project.id.clone(),
                number: p.project.number,
                title: p.project.title.clone(),
                cost_cents: p.project.cost(),
                votes: p.votes,
                score: p.score,
                rank: p.rank,
                computed_funded: p.computed,
                reason,
                left_cents,
                round,
                rho,
                overridden: p.overridden.as_ref().map(OverrideView::from),
                funded: p.funded,
            }
        })
        .collect();
    let share = service::participation(std::slice::from_ref(r)).1.share();
    AreaResultView {
        area_id: r.area.id.clone(),
        name: r.area.name.clone(),
        budget_cents: r.area.budget_cents,
        computed_spent_cents: r.computed_spent_cents,
        spent_cents: r.spent_cents,
        remaining_cents: r.remaining_cents,
        ballots: r.ballots,
        online: r.online,
        paper: r.paper,
        imported: r.imported,
        eligible_voters: r.area.eligible_voters,
        turnout: share,
        projects,
    }
}

/// The results with every number needed to check them (public once published; staff see them from voting on).
#[utoipa::path(get, path = "/api/v1/budget/cycles/{id}/results", tag = "budget", operation_id = "budget_results", params(("id" = String, Path, description = "Cycle")),
    responses(
        (status = 200, description = "Results", body = ResultsView),
        (status = 404, description = "No such cycle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published yet", body = Problem, content_type = "application/problem+json"),
    ))]
async fn results(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<ResultsView>> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    let areas = service::results(&ctx, &actor, &c).await?.iter().map(area_result_view).collect();
    Ok(axum::Json(ResultsView {
        cycle_id: c.id,
        rule: c.rule,
        threshold: c.threshold,
        tie_breaking: TIE_BREAKING.into(),
        published: c.phase == Phase::Results,
        areas,
    }))
}

/// One area's election as a Pabulib `.pb` file (UTF-8 without byte-order mark), ballots in random order.
#[utoipa::path(get, path = "/api/v1/budget/cycles/{id}/areas/{area}/pabulib", tag = "budget", operation_id = "budget_export",
    params(("id" = String, Path, description = "Cycle"), ("area" = String, Path, description = "Area")),
    responses(
        (status = 200, description = "The election", body = String, content_type = "text/plain"),
        (status = 404, description = "No such cycle or area", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published yet", body = Problem, content_type = "application/problem+json"),
    ))]
async fn export(State(ctx): State<Ctx>, actor: Actor, Path((id, area)): Path<(String, String)>) -> AppResult<Response> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    let text = service::export(&ctx, &actor, &c, &area).await?;
    let file = format!(
        "attachment; filename=\"ptuj_{}_{}.pb\"",
        c.year,
        &area.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>()
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, file)], text).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideIn {
    pub funded: bool,
    #[schema(
        min_length = 5,
        max_length = 2000,
        pattern = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
    )]
    pub reason: String,
    #[schema(
        min_length = 3,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        example = "Mestni svet MO Ptuj, 12. redna seja"
    )]
    pub decided_by: String,
}

/// Record the council's decision that changes a project's outcome (staff; audited; shown publicly).
#[utoipa::path(post, path = "/api/v1/budget/projects/{id}/override", tag = "budget", operation_id = "budget_set_override", request_body = OverrideIn, params(("id" = String, Path, description = "Project")),
    responses(
        (status = 200, description = "Recorded", body = OverrideView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project on a ballot", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in counting or results", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason or decision-maker missing", body = Problem, content_type = "application/problem+json"),
    ))]
async fn set_override(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(o): ApiJson<OverrideIn>,
) -> AppResult<axum::Json<OverrideView>> {
    let o = service::set_override(&ctx, &actor, &id, OverrideInput { funded: o.funded, reason: o.reason, decided_by: o.decided_by }).await?;
    Ok(axum::Json(OverrideView::from(&o)))
}

#[derive(Serialize, ToSchema)]
pub struct BudgetKpiCycle {
    pub cycle_id: String,
    pub year: i64,
    pub phase: Phase,
    /// Citizens with a confirmed account.
    pub accounts: i64,
    /// Of them, who proposed at least one project.
    pub proposers: i64,
    /// `proposers / accounts` (0 without accounts).
    pub share_proposed: f64,
    /// Ballots cast: online, on paper, imported.
    pub ballots: usize,
    pub online: usize,
    pub paper: usize,
    /// Eligible voters of all areas, when every area has the figure.
    pub eligible_voters: Option<i64>,
    /// `ballots / eligible_voters` when known, else `online / accounts` (0 without either).
    pub share_voted: f64,
}

#[derive(Serialize, ToSchema)]
pub struct BudgetKpi {
    /// Per published cycle, newest first.
    pub cycles: Vec<BudgetKpiCycle>,
}

/// The share of citizens who proposed and who voted, per cycle.
#[utoipa::path(get, path = "/api/v1/budget/kpi", tag = "budget", operation_id = "budget_kpi", responses((status = 200, description = "KPI", body = BudgetKpi)))]
async fn kpi(State(ctx): State<Ctx>) -> AppResult<axum::Json<BudgetKpi>> {
    let accounts = identity::store::account_langs(ctx.db.conn()).await?.len() as i64;
    let mut out = vec![];
    for c in store::cycles(ctx.db.conn()).await?.into_iter().filter(|c| c.phase != Phase::Draft) {
        let proposers = store::proposers(ctx.db.conn(), &c.id).await?;
        let (_, total) = service::participation(&service::compute(&ctx, &c).await?);
        let share = |n: f64, d: f64| if d > 0.0 { n / d } else { 0.0 };
        let share_voted = match total.share() {
            Some(s) => s,
            None => share(total.online as f64, accounts as f64),
        };
        out.push(BudgetKpiCycle {
            cycle_id: c.id,
            year: c.year,
            phase: c.phase,
            accounts,
            proposers,
            share_proposed: share(proposers as f64, accounts as f64),
            ballots: total.ballots(),
            online: total.online,
            paper: total.paper,
            eligible_voters: total.eligible,
            share_voted,
        });
    }
    Ok(axum::Json(BudgetKpi { cycles: out }))
}
