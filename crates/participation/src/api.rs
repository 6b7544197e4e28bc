//! JSON API of participation under /api/v1/participation, described with utoipa.

use crate::model::{
    AnswerInput, AnswerStatus, Area, Count, Location, ProposalAnswerInput, ProposalInput, ProposalKind, ProposalStatus, QuestionAnswerInput,
    QuestionInput, QuestionKind, QuestionResult, SurveyDef, SurveyQuestion, SurveyState, Text,
};
use crate::service::{self, Kpi, YearCount};
use crate::store::{self, Proposal, ProposalAnswer, Question, QuestionStatus, Survey};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::error::{FieldError, Problem};
use kernel::web::{ApiJson, ApiQuery};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list_proposals, submit_proposal, get_proposal, answer_proposal, list_surveys, publish_survey, get_survey, respond, survey_results, export_responses, search_questions, ask, get_question, answer_question, participation_kpi),
    components(schemas(
        ProposalInput, ProposalKind, Area, ProposalStatus, AnswerStatus, Location, ProposalSummary, ProposalView, ProposalPage, AnswerView, ProposalAnswerInput,
        SurveyIn, SurveyQuestion, QuestionKind, Text, SurveySummary, SurveyView, SurveyState, ResponseIn, AnswerInput, Created, ResultsView, QuestionResult, Count,
        QuestionInput, QuestionAnswerInput, QuestionView, QuestionStatus, Kpi, YearCount, Problem, FieldError
    )),
    tags((name = "participation", description = "Proposals and initiatives, surveys, and questions to the municipality"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/participation/proposals", get(list_proposals).post(submit_proposal))
        .route("/api/v1/participation/proposals/{id}", get(get_proposal))
        .route("/api/v1/participation/proposals/{id}/answers", post(answer_proposal))
        .route("/api/v1/participation/surveys", get(list_surveys).post(publish_survey))
        .route("/api/v1/participation/surveys/{id}", get(get_survey))
        .route("/api/v1/participation/surveys/{id}/responses", post(respond))
        .route("/api/v1/participation/surveys/{id}/results", get(survey_results))
        .route("/api/v1/participation/surveys/{id}/responses.csv", get(export_responses))
        .route("/api/v1/participation/questions", get(search_questions).post(ask))
        .route("/api/v1/participation/questions/{id}", get(get_question))
        .route("/api/v1/participation/questions/{id}/answer", post(answer_question))
        .route("/api/v1/participation/kpi", get(participation_kpi))
}

/// Ids in paths are at most this long (longer ones name nothing).
const MAX_ID: usize = 64;

fn check_id(id: &str) -> AppResult<()> {
    if id.len() > MAX_ID { Err(AppError::not_found()) } else { Ok(()) }
}

// ---- proposals ----

/// A proposal in a list: no name, no e-mail, nothing about its author.
#[derive(Serialize, ToSchema)]
pub struct ProposalSummary {
    pub id: String,
    pub kind: ProposalKind,
    pub area: Area,
    pub title: String,
    pub status: ProposalStatus,
    pub created_at: String,
    pub answered_at: Option<String>,
}

impl From<&Proposal> for ProposalSummary {
    fn from(p: &Proposal) -> Self {
        ProposalSummary {
            id: p.id.clone(),
            kind: p.kind,
            area: p.area,
            title: p.title.clone(),
            status: p.status,
            created_at: p.created_at.rfc3339(),
            answered_at: p.answered_at.map(Timestamp::rfc3339),
        }
    }
}

/// A public answer.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    /// 1 for the first answer, then 2, …
    pub n: i64,
    pub status: ProposalStatus,
    pub text: String,
    /// The department that answered.
    pub department: Option<String>,
    pub created_at: String,
}

impl From<ProposalAnswer> for AnswerView {
    fn from(a: ProposalAnswer) -> Self {
        AnswerView { n: a.n, status: a.status, text: a.body, department: a.department, created_at: a.created_at.rfc3339() }
    }
}

/// A proposal with its text and answers (no personal data of its author).
#[derive(Serialize, ToSchema)]
pub struct ProposalView {
    pub id: String,
    pub kind: ProposalKind,
    pub area: Area,
    pub title: String,
    pub text: String,
    pub place: Option<String>,
    pub location: Option<Location>,
    pub status: ProposalStatus,
    pub created_at: String,
    pub answered_at: Option<String>,
    pub answers: Vec<AnswerView>,
}

fn proposal_view(p: Proposal, answers: Vec<ProposalAnswer>) -> ProposalView {
    ProposalView {
        id: p.id,
        kind: p.kind,
        area: p.area,
        title: p.title,
        text: p.body,
        place: p.place,
        location: p.location,
        status: p.status,
        created_at: p.created_at.rfc3339(),
        answered_at: p.answered_at.map(Timestamp::rfc3339),
        answers: answers.into_iter().map(AnswerView::from).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProposalPage {
    pub items: Vec<ProposalSummary>,
    /// Pass as `cursor` for the next page; none on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ProposalQuery {
    area: Option<Area>,
    status: Option<ProposalStatus>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 64)]
    cursor: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

fn limit(l: Option<u64>, default: u64, max: u64) -> AppResult<i64> {
    match l.unwrap_or(default) {
        n if n == 0 || n > max => Err(AppError::bad_request("limit_invalid").with_detail(format!("1 to {max}"))),
        n => Ok(n as i64),
    }
}

/// Proposals and initiatives, newest first, by area and status. Public; no personal data.
#[utoipa::path(get, path = "/api/v1/participation/proposals", tag = "participation", params(ProposalQuery),
    responses(
        (status = 200, description = "A page of proposals", body = ProposalPage),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_proposals(State(ctx): State<Ctx>, ApiQuery(q): ApiQuery<ProposalQuery>) -> AppResult<axum::Json<ProposalPage>> {
    let n = limit(q.limit, 20, 100)?;
    if q.cursor.as_deref().is_some_and(|c| c.len() > 64) {
        return Err(AppError::bad_request("cursor_invalid"));
    }
    let mut rows = store::proposals(ctx.db.conn(), q.area, q.status, q.cursor.as_deref(), n + 1).await?;
    let more = rows.len() as i64 > n;
    rows.truncate(n as usize);
    let next_cursor = if more { rows.last().map(|p| p.id.clone()) } else { None };
    Ok(axum::Json(ProposalPage { items: rows.iter().map(ProposalSummary::from).collect(), next_cursor }))
}

/// Submit a proposal or initiative (signed-in people; at most `max_submissions_per_day` a day).
#[utoipa::path(post, path = "/api/v1/participation/proposals", tag = "participation", request_body = ProposalInput,
    responses(
        (status = 201, description = "Submitted", body = ProposalView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many today", body = Problem, content_type = "application/problem+json"),
    ))]
async fn submit_proposal(
    State(ctx): State<Ctx>,
    actor: Actor,
    ApiJson(p): ApiJson<ProposalInput>,
) -> AppResult<(StatusCode, axum::Json<ProposalView>)> {
    let p = service::submit_proposal(&ctx, &actor, p).await?;
    Ok((StatusCode::CREATED, axum::Json(proposal_view(p, vec![]))))
}

/// One proposal with its public answers.
#[utoipa::path(get, path = "/api/v1/participation/proposals/{id}", tag = "participation",
    params(("id" = String, Path, description = "Proposal")),
    responses(
        (status = 200, description = "The proposal", body = ProposalView),
        (status = 404, description = "No such proposal", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_proposal(State(ctx): State<Ctx>, Path(id): Path<String>) -> AppResult<axum::Json<ProposalView>> {
    check_id(&id)?;
    let p = store::proposal(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    let answers = store::proposal_answers(ctx.db.conn(), &id).await?;
    Ok(axum::Json(proposal_view(p, answers)))
}

/// Answer a proposal publicly and set its status; its author is told in the app and by e-mail.
/// Staff answer the areas of their department; DTO and administrators every area.
#[utoipa::path(post, path = "/api/v1/participation/proposals/{id}/answers", tag = "participation", request_body = ProposalAnswerInput,
    params(("id" = String, Path, description = "Proposal")),
    responses(
        (status = 201, description = "Answered", body = AnswerView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, not your area (`not_your_area`), or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid answer", body = Problem, content_type = "application/problem+json"),
    ))]
async fn answer_proposal(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(a): ApiJson<ProposalAnswerInput>,
) -> AppResult<(StatusCode, axum::Json<AnswerView>)> {
    actor.check(kernel::Permission::AnswerCitizens)?;
    check_id(&id)?;
    let answer = service::answer_proposal(&ctx, &actor, &id, a).await?;
    Ok((StatusCode::CREATED, axum::Json(answer.into())))
}

// ---- surveys ----

/// A survey in the list.
#[derive(Serialize, ToSchema)]
pub struct SurveySummary {
    pub id: String,
    pub title: Text,
    pub state: SurveyState,
    pub opens_at: String,
    pub closes_at: String,
    /// Results become public once it closes.
    pub public_results: bool,
    pub responses: i64,
}

fn summary(ctx: &Ctx, s: &Survey) -> SurveySummary {
    SurveySummary {
        id: s.id.clone(),
        title: s.def.title.clone(),
        state: s.def.state(ctx.now()),
        opens_at: s.def.opens_at.rfc3339(),
        closes_at: s.def.closes_at.rfc3339(),
        public_results: s.def.public_results,
        responses: s.responses,
    }
}

/// A survey with its questions.
#[derive(Serialize, ToSchema)]
pub struct SurveyView {
    pub id: String,
    pub title: Text,
    pub description: Text,
    pub state: SurveyState,
    pub opens_at: String,
    pub closes_at: String,
    pub public_results: bool,
    pub questions: Vec<SurveyQuestion>,
    /// You answered it already (false when not signed in).
    pub answered: bool,
    /// You may see its results now.
    pub results_available: bool,
}

/// Every survey, the latest closing first. Public.
#[utoipa::path(get, path = "/api/v1/participation/surveys", tag = "participation",
    responses((status = 200, description = "Surveys", body = [SurveySummary])))]
async fn list_surveys(State(ctx): State<Ctx>) -> AppResult<axum::Json<Vec<SurveySummary>>> {
    Ok(axum::Json(store::surveys(ctx.db.conn(), 200).await?.iter().map(|s| summary(&ctx, s)).collect()))
}

/// A survey to publish.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyIn {
    /// Per language code; `sl` is required, `en` recommended.
    pub title: Text,
    pub description: Option<Text>,
    /// RFC 3339; answers are taken from this moment…
    #[schema(format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub opens_at: String,
    /// …until this one (exclusive).
    #[schema(format = DateTime, example = "2027-01-15T00:00:00Z")]
    pub closes_at: String,
    /// Publish the results once the survey closes.
    #[serde(default)]
    pub public_results: bool,
    #[schema(min_items = 1, max_items = 30)]
    pub questions: Vec<SurveyQuestion>,
}

fn parse_time(s: &str, field: &str) -> AppResult<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s).map(|d| Timestamp(d.timestamp_millis())).map_err(|_| AppError::field(field, "invalid_time"))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Publish a survey (staff).
#[utoipa::path(post, path = "/api/v1/participation/surveys", tag = "participation", request_body = SurveyIn,
    responses(
        (status = 201, description = "Published", body = Created),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid survey", body = Problem, content_type = "application/problem+json"),
    ))]
async fn publish_survey(State(ctx): State<Ctx>, actor: Actor, ApiJson(s): ApiJson<SurveyIn>) -> AppResult<(StatusCode, axum::Json<Created>)> {
    actor.check(kernel::Permission::ManageSurveys)?;
    let def = SurveyDef {
        title: s.title,
        description: s.description.unwrap_or_default(),
        opens_at: parse_time(&s.opens_at, "opens_at")?,
        closes_at: parse_time(&s.closes_at, "closes_at")?,
        public_results: s.public_results,
        questions: s.questions,
    };
    let id = service::publish_survey(&ctx, &actor, def).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

/// One survey with its questions.
#[utoipa::path(get, path = "/api/v1/participation/surveys/{id}", tag = "participation",
    params(("id" = String, Path, description = "Survey")),
    responses(
        (status = 200, description = "The survey", body = SurveyView),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_survey(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<SurveyView>> {
    check_id(&id)?;
    let s = store::survey(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    let answered = service::has_responded(&ctx, &actor, &id).await?;
    Ok(axum::Json(SurveyView {
        results_available: service::may_see_results(&ctx, &actor, &s),
        state: s.def.state(ctx.now()),
        opens_at: s.def.opens_at.rfc3339(),
        closes_at: s.def.closes_at.rfc3339(),
        public_results: s.def.public_results,
        id: s.id,
        title: s.def.title,
        description: s.def.description,
        questions: s.def.questions,
        answered,
    }))
}

/// A response: at most one answer per question.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseIn {
    #[schema(max_items = 30)]
    pub answers: Vec<AnswerInput>,
}

/// Answer a survey: once per person, while it is open. Field errors name the question (`q0`, `q1`, …).
#[utoipa::path(post, path = "/api/v1/participation/surveys/{id}/responses", tag = "participation", request_body = ResponseIn,
    params(("id" = String, Path, description = "Survey")),
    responses(
        (status = 201, description = "Recorded; the id is random and not linked to you", body = Created),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Answered already (`already_answered`), not open yet (`survey_not_open`) or closed (`survey_closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Answers that do not fit the questions", body = Problem, content_type = "application/problem+json"),
    ))]
async fn respond(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<ResponseIn>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    actor.check(kernel::Permission::ManageOwnAccount)?;
    check_id(&id)?;
    if r.answers.len() > crate::model::MAX_QUESTIONS {
        return Err(AppError::field("answers", "too_many"));
    }
    let id = service::respond(&ctx, &actor, &id, &r.answers).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
#[schema(as = SurveyResults)]
pub struct ResultsView {
    pub id: String,
    pub title: String,
    pub state: SurveyState,
    pub responses: i64,
    pub questions: Vec<QuestionResult>,
}

/// Results: counts and shares per option, scale distribution and mean, free texts.
/// Staff always; everyone once the survey closed, if its results are public.
#[utoipa::path(get, path = "/api/v1/participation/surveys/{id}/results", tag = "participation",
    params(("id" = String, Path, description = "Survey")),
    responses(
        (status = 200, description = "Results in your language", body = ResultsView),
        (status = 401, description = "Not public yet; sign in as staff", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not public yet", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    ))]
async fn survey_results(State(ctx): State<Ctx>, actor: Actor, lang: Lang, Path(id): Path<String>) -> AppResult<axum::Json<ResultsView>> {
    check_id(&id)?;
    let (s, questions) = service::results(&ctx, &actor, &id, lang).await?;
    Ok(axum::Json(ResultsView {
        title: s.def.title.get(lang).to_string(),
        state: s.def.state(ctx.now()),
        responses: s.responses,
        id: s.id,
        questions,
    }))
}

/// Every response as CSV (UTF-8 with BOM): a random response id, the day, one column per question. No account ids. Staff.
#[utoipa::path(get, path = "/api/v1/participation/surveys/{id}/responses.csv", tag = "participation",
    params(("id" = String, Path, description = "Survey")),
    responses(
        (status = 200, description = "The responses", body = String, content_type = "text/csv"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff or 2FA missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    ))]
async fn export_responses(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    actor.check(kernel::Permission::ManageSurveys)?;
    check_id(&id)?;
    let (s, csv) = service::export_csv(&ctx, &actor, &id).await?;
    let name = format!("attachment; filename=\"survey-{}.csv\"", s.id);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], csv).into_response())
}

// ---- questions ----

/// A question; public once answered.
#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    pub id: String,
    pub title: String,
    pub text: String,
    pub status: QuestionStatus,
    pub answer: Option<String>,
    pub created_at: String,
    pub answered_at: Option<String>,
    /// How well it matched the search (title words count 3, others 1); none outside a search.
    pub score: Option<i64>,
}

fn question_view(q: Question, score: Option<i64>) -> QuestionView {
    QuestionView {
        id: q.id,
        title: q.title,
        text: q.body,
        status: q.status,
        answer: q.answer,
        created_at: q.created_at.rfc3339(),
        answered_at: q.answered_at.map(Timestamp::rfc3339),
        score,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct QuestionQuery {
    /// Words to look for, in any form (ceste, cesti, cesto…), with or without č/š/ž. Without: the latest answered.
    #[param(max_length = 200)]
    q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// Answered questions: found by the words of `q`, best first, or the latest.
#[utoipa::path(get, path = "/api/v1/participation/questions", tag = "participation", params(QuestionQuery),
    responses(
        (status = 200, description = "Answered questions", body = [QuestionView]),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    ))]
async fn search_questions(State(ctx): State<Ctx>, ApiQuery(q): ApiQuery<QuestionQuery>) -> AppResult<axum::Json<Vec<QuestionView>>> {
    let n = limit(q.limit, 20, 100)?;
    match q.q.as_deref() {
        Some(s) if s.chars().count() > 200 => Err(AppError::bad_request("query_too_long")),
        Some(s) if !s.trim().is_empty() => {
            Ok(axum::Json(store::search(ctx.db.conn(), s, n).await?.into_iter().map(|(q, score)| question_view(q, Some(score))).collect()))
        }
        _ => Ok(axum::Json(store::answered_questions(ctx.db.conn(), n).await?.into_iter().map(|q| question_view(q, None)).collect())),
    }
}

/// Ask the municipality (signed-in people). It becomes public with its answer.
#[utoipa::path(post, path = "/api/v1/participation/questions", tag = "participation", request_body = QuestionInput,
    responses(
        (status = 201, description = "Asked", body = QuestionView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many today", body = Problem, content_type = "application/problem+json"),
    ))]
async fn ask(State(ctx): State<Ctx>, actor: Actor, ApiJson(q): ApiJson<QuestionInput>) -> AppResult<(StatusCode, axum::Json<QuestionView>)> {
    let q = service::ask(&ctx, &actor, q).await?;
    Ok((StatusCode::CREATED, axum::Json(question_view(q, None))))
}

/// One question: everyone once answered; before that its author and staff.
#[utoipa::path(get, path = "/api/v1/participation/questions/{id}", tag = "participation",
    params(("id" = String, Path, description = "Question")),
    responses(
        (status = 200, description = "The question", body = QuestionView),
        (status = 404, description = "No such question (or not yours and not answered yet)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_question(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<QuestionView>> {
    check_id(&id)?;
    let q = store::question(ctx.db.conn(), &id).await?.filter(|q| service::may_read_question(&actor, q)).ok_or_else(AppError::not_found)?;
    Ok(axum::Json(question_view(q, None)))
}

/// Answer a question (staff): the question and answer become public and searchable; the author is told.
/// `title` and `text`, when given, replace the question's before it is published (to take out personal details).
#[utoipa::path(post, path = "/api/v1/participation/questions/{id}/answer", tag = "participation", request_body = QuestionAnswerInput,
    params(("id" = String, Path, description = "Question")),
    responses(
        (status = 200, description = "Answered", body = QuestionView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such question", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid answer", body = Problem, content_type = "application/problem+json"),
    ))]
async fn answer_question(
    State(ctx): State<Ctx>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(a): ApiJson<QuestionAnswerInput>,
) -> AppResult<axum::Json<QuestionView>> {
    actor.check(kernel::Permission::AnswerCitizens)?;
    check_id(&id)?;
    let q = service::answer_question(&ctx, &actor, &id, a).await?;
    Ok(axum::Json(question_view(q, None)))
}

/// Participation KPIs: proposals per year, the share of citizens who proposed this year, survey responses, questions and the median time to an answer.
#[utoipa::path(get, path = "/api/v1/participation/kpi", tag = "participation", responses((status = 200, description = "KPI", body = Kpi)))]
async fn participation_kpi(State(ctx): State<Ctx>) -> AppResult<axum::Json<Kpi>> {
    Ok(axum::Json(service::kpi(&ctx).await?))
}
