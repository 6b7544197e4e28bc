//! Pages and API of the digital-maturity questionnaire: the form (signed
//! in, for one's organisation), the results of a year with charts like the
//! seed's figures 1–3 and a table of every year to show progress.

use crate::maturity::{self, Category, MaturityInput, OrgKind, QUESTIONS, Scored, YearResults};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use kernel::chart::Bar;
use kernel::csrf::CsrfForm;
use kernel::layout::{FormErrors, Page};
use kernel::web::{ApiJson, ApiQuery, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx};
use std::collections::HashMap;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/maturity", get(form).post(submit))
        .route("/maturity/results", get(results_page))
        .route("/api/v1/maturity", axum::routing::post(api_answer))
        .route("/api/v1/maturity/results", get(api_results))
}

pub struct QuestionRow {
    pub key: &'static str,
    pub text: String,
    pub chosen: String,
}

#[derive(Template)]
#[template(path = "maturity_form.html")]
struct FormPage {
    p: Page,
    questions: Vec<QuestionRow>,
    errors: FormErrors,
    organisation: String,
    kind: String,
    done: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct Done {
    total: Option<u32>,
    again: Option<String>,
}

fn questions(p: &Page, f: &HashMap<String, String>) -> Vec<QuestionRow> {
    QUESTIONS
        .iter()
        .map(|q| QuestionRow { key: q, text: p.tk("maturity-q", q), chosen: f.get(&format!("q_{q}")).cloned().unwrap_or_default() })
        .collect()
}

fn form_view(p: Page, f: &HashMap<String, String>, errors: FormErrors, done: Option<String>) -> Response {
    render(&FormPage {
        questions: questions(&p, f),
        organisation: f.get("organisation").cloned().unwrap_or_default(),
        kind: f.get("kind").cloned().unwrap_or_else(|| "institution".into()),
        errors,
        done,
        p,
    })
}

async fn form(p: Page, Query(d): Query<Done>) -> Response {
    let done = match (d.total, d.again) {
        (Some(t), _) => Some(format!("{} {}.", p.tn("maturity-done", "total", i64::from(t)), p.tk("maturity-category", Category::of(t).code()))),
        (_, Some(_)) => Some(p.t("error-maturity-answered")),
        _ => None,
    };
    form_view(p, &HashMap::new(), FormErrors::default(), done)
}

async fn submit(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<HashMap<String, String>>) -> AppResult<Response> {
    let kind = f.get("kind").and_then(|k| OrgKind::parse(k));
    let answers: Vec<u8> = QUESTIONS.iter().map(|q| f.get(&format!("q_{q}")).and_then(|v| v.parse().ok()).unwrap_or(0)).collect();
    let result = match kind {
        None => Err(AppError::field("kind", "required")),
        Some(kind) => {
            maturity::answer(&ctx, &actor, MaturityInput { kind, organisation: f.get("organisation").cloned().unwrap_or_default(), answers }).await
        }
    };
    match result {
        Ok(s) => Ok(see_other(&format!("/maturity?total={}", s.total))),
        Err(e) if e.status.as_u16() == 409 => Ok(see_other("/maturity?again")),
        Err(e) if e.fixable() => {
            // An unanswered question reads as "choose a score", not as out of range.
            let e = AppError::invalid(
                e.fields
                    .iter()
                    .map(|x| kernel::error::FieldError {
                        field: x.field.clone(),
                        code: if x.field.starts_with("q_") { "required".into() } else { x.code.clone() },
                    })
                    .collect(),
            );
            let errors = FormErrors::from(&p, &e);
            let mut r = form_view(p, &f, errors, None);
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

pub struct YearRow {
    pub year: i32,
    pub answers: usize,
    pub mean: String,
}

#[derive(Template)]
#[template(path = "maturity_results.html")]
struct ResultsPage {
    p: Page,
    r: YearResults,
    years: Vec<YearRow>,
    fig1: String,
    fig2: String,
    fig3: String,
    categories: Vec<(String, usize)>,
    question_means: Vec<(String, String)>,
    min_published: usize,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

fn label(p: &Page, s: &Scored) -> String {
    format!("{} {}", p.tk("maturity-kind", s.kind.code()), s.number)
}

fn one_decimal(p: &Page, v: f64) -> String {
    let s = format!("{v:.1}");
    if p.lang == kernel::Lang::En { s } else { s.replace('.', ",") }
}

async fn results_page(State(ctx): State<Ctx>, p: Page, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let all = maturity::all(&ctx).await?;
    let mut years: Vec<i32> = all.iter().map(|s| s.year).collect();
    years.dedup();
    let year = q.year.or(years.last().copied()).unwrap_or_else(|| crate::service::this_year(ctx.now()));
    let r = maturity::results(&all, year);
    let fig1_items: Vec<Bar> = r
        .organisations
        .iter()
        .map(|s| Bar {
            label: label(&p, s),
            value: f64::from(s.total),
            text: format!("{} · {}", s.total, p.tk("maturity-category", s.category.code())),
        })
        .collect();
    let categories: Vec<(String, usize)> = r.per_category.iter().map(|(c, n)| (p.tk("maturity-category", c.code()), *n)).collect();
    let fig2_items: Vec<Bar> = categories.iter().map(|(l, n)| Bar { label: l.clone(), value: *n as f64, text: n.to_string() }).collect();
    let question_means: Vec<(String, String)> =
        QUESTIONS.iter().zip(&r.per_question).map(|(q, m)| (p.tk("maturity-short", q), one_decimal(&p, *m))).collect();
    let fig3_items: Vec<Bar> =
        QUESTIONS.iter().zip(&r.per_question).map(|(q, m)| Bar { label: p.tk("maturity-short", q), value: *m, text: one_decimal(&p, *m) }).collect();
    let page = ResultsPage {
        fig1: kernel::chart::bars(&fig1_items, Some(35.0), &p.t("maturity-fig1"), "fig1"),
        fig2: if r.answers > 0 { kernel::chart::bars(&fig2_items, None, &p.t("maturity-fig2"), "fig2") } else { String::new() },
        fig3: if r.answers > 0 { kernel::chart::bars(&fig3_items, Some(5.0), &p.t("maturity-fig3"), "fig3") } else { String::new() },
        years: years
            .iter()
            .map(|y| maturity::results(&all, *y))
            .map(|yr| YearRow { year: yr.year, answers: yr.answers, mean: yr.mean_total.map(|m| one_decimal(&p, m)).unwrap_or_default() })
            .collect(),
        categories,
        question_means,
        min_published: maturity::MIN_PUBLISHED,
        r,
        p,
    };
    Ok(render(&page))
}

/// Answer the questionnaire for one's organisation (409 when it answered this year).
#[utoipa::path(post, path = "/api/v1/maturity", operation_id = "maturity_answer", tag = "indicators", request_body = MaturityInput,
    responses(
        (status = 201, description = "Scored", body = Scored),
        (status = 400, description = "Not JSON", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as JSON", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The organisation answered this year", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid", body = kernel::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn api_answer(
    State(ctx): State<Ctx>,
    actor: Actor,
    ApiJson(input): ApiJson<MaturityInput>,
) -> AppResult<(axum::http::StatusCode, Json<Scored>)> {
    Ok((axum::http::StatusCode::CREATED, Json(maturity::answer(&ctx, &actor, input).await?)))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// The year; the latest with answers when left out.
    pub year: Option<i32>,
}

/// A year's anonymous results.
#[utoipa::path(get, path = "/api/v1/maturity/results", operation_id = "maturity_results", tag = "indicators", params(ResultsQuery),
    responses(
        (status = 200, description = "Results", body = YearResults),
        (status = 400, description = "A year that is not a number", body = kernel::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn api_results(State(ctx): State<Ctx>, ApiQuery(q): ApiQuery<ResultsQuery>) -> AppResult<Json<YearResults>> {
    let all = maturity::all(&ctx).await?;
    let year = q.year.or(all.last().map(|s| s.year)).unwrap_or_else(|| crate::service::this_year(ctx.now()));
    Ok(Json(maturity::results(&all, year)))
}
