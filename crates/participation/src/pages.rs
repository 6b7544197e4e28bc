//! Pages of participation: proposals (list, form, page with answers), surveys
//! (answer form, results with charts and tables), questions (search first,
//! then ask), a person's own submissions, and the staff overview.

use crate::chart;
use crate::model::{
    AnswerInput, AnswerStatus, Area, Location, ProposalAnswerInput, ProposalInput, ProposalKind, ProposalStatus, QuestionAnswerInput, QuestionInput,
    QuestionKind, QuestionResult, SurveyDef, SurveyQuestion, SurveyState, Text,
};
use crate::service;
use crate::store::{self, Proposal, Question, QuestionStatus, Survey};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::csrf::CsrfForm;
use kernel::layout::Page;
use kernel::web::{render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission};
use notify::pages::Errors;
use std::collections::HashMap;

type Form = HashMap<String, String>;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/participation", get(hub))
        .route("/participation/proposals", get(proposals).post(submit_proposal))
        .route("/participation/proposals/new", get(new_proposal))
        .route("/participation/proposals/{id}", get(proposal))
        .route("/participation/proposals/{id}/answer", axum::routing::post(answer_proposal))
        .route("/participation/surveys", get(surveys))
        .route("/participation/surveys/{id}", get(survey).post(respond))
        .route("/participation/surveys/{id}/results", get(results))
        .route("/participation/surveys/{id}/results.csv", get(results_csv))
        .route("/participation/questions", get(questions).post(ask))
        .route("/participation/questions/new", get(new_question))
        .route("/participation/questions/{id}", get(question))
        .route("/participation/questions/{id}/answer", axum::routing::post(answer_question))
        .route("/account/participation", get(mine))
        .route("/staff/participation", get(staff))
        .route("/staff/participation/surveys/new", get(new_survey).post(publish_survey))
}

/// A form field, trimmed; empty is none.
fn field(f: &Form, k: &str) -> Option<String> {
    f.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn with_status(mut r: Response, e: &AppError) -> Response {
    *r.status_mut() = e.status;
    r
}

fn id_ok(id: &str) -> AppResult<()> {
    if id.len() > 64 { Err(AppError::not_found()) } else { Ok(()) }
}

/// (code, label) pairs of the areas, kinds and statuses, for selects.
fn areas(p: &Page) -> Vec<(&'static str, String)> {
    Area::ALL.into_iter().map(|a| (a.code(), p.tk("participation-area", a.code()))).collect()
}

fn statuses(p: &Page) -> Vec<(&'static str, String)> {
    ProposalStatus::ALL.into_iter().map(|s| (s.code(), p.tk("participation-status", s.code()))).collect()
}

// ---- the hub ----

#[derive(Template)]
#[template(path = "participation_hub.html")]
struct HubPage {
    p: Page,
    kpi: service::Kpi,
}

async fn hub(State(ctx): State<Ctx>, p: Page) -> AppResult<Response> {
    let kpi = service::kpi(&ctx).await?;
    Ok(render(&HubPage { p, kpi }))
}

// ---- proposals ----

pub struct ProposalRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub area: String,
    pub status: String,
    pub when: String,
}

fn row(p: &Page, x: &Proposal) -> ProposalRow {
    ProposalRow {
        id: x.id.clone(),
        title: x.title.clone(),
        kind: p.tk("participation-kind", x.kind.code()),
        area: p.tk("participation-area", x.area.code()),
        status: p.tk("participation-status", x.status.code()),
        when: x.created_at.display_local().chars().take(12).collect::<String>().trim().to_string(),
    }
}

#[derive(Template)]
#[template(path = "participation_proposals.html")]
struct ProposalsPage {
    p: Page,
    rows: Vec<ProposalRow>,
    areas: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    area: String,
    status: String,
    next: Option<String>,
}

async fn proposals(State(ctx): State<Ctx>, p: Page, Query(q): Query<Form>) -> AppResult<Response> {
    let area = field(&q, "area").and_then(|a| Area::parse(&a));
    let status = field(&q, "status").and_then(|s| ProposalStatus::parse(&s));
    let cursor = field(&q, "cursor").filter(|c| c.len() <= 64);
    let mut list = store::proposals(ctx.db.conn(), area, status, cursor.as_deref(), 21).await?;
    let more = list.len() > 20;
    list.truncate(20);
    let next = more.then(|| {
        let mut qs = vec![];
        if let Some(a) = area {
            qs.push(format!("area={}", a.code()));
        }
        if let Some(s) = status {
            qs.push(format!("status={}", s.code()));
        }
        qs.push(format!("cursor={}", list.last().map(|x| x.id.clone()).unwrap_or_default()));
        format!("/participation/proposals?{}", qs.join("&amp;"))
    });
    let rows = list.iter().map(|x| row(&p, x)).collect();
    Ok(render(&ProposalsPage {
        rows,
        areas: areas(&p),
        statuses: statuses(&p),
        area: area.map(|a| a.code().to_string()).unwrap_or_default(),
        status: status.map(|s| s.code().to_string()).unwrap_or_default(),
        next,
        p,
    }))
}

#[derive(Template)]
#[template(path = "participation_proposal_new.html")]
struct NewProposalPage {
    p: Page,
    areas: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    form: Form,
    errors: Errors,
}

fn new_proposal_view(p: Page, form: Form, errors: Errors) -> Response {
    let kinds = ProposalKind::ALL.into_iter().map(|k| (k.code(), p.tk("participation-kind", k.code()))).collect();
    render(&NewProposalPage { areas: areas(&p), kinds, form, errors, p })
}

async fn new_proposal(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let form = Form::from([("kind".to_string(), "proposal".to_string())]);
    Ok(new_proposal_view(p, form, Errors::default()))
}

fn proposal_from_form(f: &Form) -> Result<ProposalInput, AppError> {
    let kind = field(f, "kind").and_then(|k| ProposalKind::parse(&k)).ok_or_else(|| AppError::field("kind", "required"))?;
    let area = field(f, "area").and_then(|a| Area::parse(&a)).ok_or_else(|| AppError::field("area", "required"))?;
    let num = |k: &str| field(f, k).map(|s| s.replace(',', ".").parse::<f64>());
    let location = match (num("lat"), num("lon")) {
        (None, None) => None,
        (Some(Ok(lat)), Some(Ok(lon))) => Some(Location { lat, lon }),
        _ => return Err(AppError::field("location", "out_of_range")),
    };
    Ok(ProposalInput {
        kind,
        area,
        title: field(f, "title").unwrap_or_default(),
        text: field(f, "text").unwrap_or_default(),
        place: field(f, "place"),
        location,
    })
}

async fn submit_proposal(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let result = match proposal_from_form(&f) {
        Ok(input) => service::submit_proposal(&ctx, &actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(x) => Ok(see_other(&format!("/participation/proposals/{}?submitted", x.id))),
        Err(e) if e.fixable() || e.status.as_u16() == 429 => {
            let errors = Errors::from(&p, &e);
            Ok(with_status(new_proposal_view(p, f, errors), &e))
        }
        Err(e) => Err(e),
    }
}

pub struct AnswerRow {
    pub status: String,
    pub text: String,
    pub department: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "participation_proposal.html")]
struct ProposalPage {
    p: Page,
    x: ProposalRow,
    text: String,
    place: Option<String>,
    location: Option<(String, String)>,
    answers: Vec<AnswerRow>,
    can_answer: bool,
    answer_statuses: Vec<(&'static str, String)>,
    submitted: bool,
    answered: bool,
    form: Form,
    errors: Errors,
}

async fn proposal_view(ctx: &Ctx, p: Page, id: &str, flags: (bool, bool), form: Form, errors: Errors) -> AppResult<Response> {
    id_ok(id)?;
    let x = store::proposal(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    let answers = store::proposal_answers(ctx.db.conn(), id)
        .await?
        .into_iter()
        .map(|a| AnswerRow {
            status: p.tk("participation-status", a.status.code()),
            text: a.body,
            department: a.department.unwrap_or_default(),
            when: a.created_at.display_local(),
        })
        .collect();
    let answer_statuses = [AnswerStatus::Answered, AnswerStatus::UnderConsideration, AnswerStatus::Rejected]
        .into_iter()
        .map(|s| {
            let code = crate::model::ProposalStatus::from(s).code();
            (code, p.tk("participation-status", code))
        })
        .collect();
    Ok(render(&ProposalPage {
        x: row(&p, &x),
        text: x.body.clone(),
        place: x.place.clone(),
        location: x.location.map(|l| (format!("{:.5}", l.lat), format!("{:.5}", l.lon))),
        answers,
        can_answer: service::may_answer(ctx, &p.actor, x.area),
        answer_statuses,
        submitted: flags.0,
        answered: flags.1,
        form,
        errors,
        p,
    }))
}

async fn proposal(State(ctx): State<Ctx>, p: Page, Path(id): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    let flags = (q.contains_key("submitted"), q.contains_key("answered"));
    proposal_view(&ctx, p, &id, flags, Form::new(), Errors::default()).await
}

async fn answer_proposal(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::AnswerCitizens)?;
    let status = match field(&f, "status").as_deref() {
        Some("answered") => Some(AnswerStatus::Answered),
        Some("under_consideration") => Some(AnswerStatus::UnderConsideration),
        Some("rejected") => Some(AnswerStatus::Rejected),
        _ => None,
    };
    let result = match status {
        Some(status) => {
            service::answer_proposal(&ctx, &actor, &id, ProposalAnswerInput { status, text: field(&f, "text").unwrap_or_default() }).await
        }
        None => Err(AppError::field("status", "required")),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/participation/proposals/{id}?answered"))),
        Err(e) if e.fixable() => {
            let errors = Errors::from(&p, &e);
            proposal_view(&ctx, p, &id, (false, false), f, errors).await.map(|r| with_status(r, &e))
        }
        Err(e) => Err(e),
    }
}

// ---- surveys ----

pub struct SurveyRow {
    pub id: String,
    pub title: String,
    pub state: String,
    pub period: String,
    pub results: bool,
}

fn period(s: &Survey) -> String {
    let day = |t: kernel::Timestamp| t.local().format("%d. %m. %Y").to_string();
    format!("{} – {}", day(s.def.opens_at), day(s.def.closes_at.minus(std::time::Duration::from_millis(1))))
}

fn survey_row(ctx: &Ctx, p: &Page, s: &Survey) -> SurveyRow {
    SurveyRow {
        id: s.id.clone(),
        title: s.def.title.get(p.lang).to_string(),
        state: p.tk("participation-survey", s.def.state(ctx.now()).code()),
        period: period(s),
        results: service::may_see_results(ctx, &p.actor, s),
    }
}

#[derive(Template)]
#[template(path = "participation_surveys.html")]
struct SurveysPage {
    p: Page,
    open: Vec<SurveyRow>,
    other: Vec<SurveyRow>,
}

async fn surveys(State(ctx): State<Ctx>, p: Page) -> AppResult<Response> {
    let all = store::surveys(ctx.db.conn(), 200).await?;
    let (open, other): (Vec<&Survey>, Vec<&Survey>) = all.iter().partition(|s| s.def.state(ctx.now()) == SurveyState::Open);
    let open = open.into_iter().map(|s| survey_row(&ctx, &p, s)).collect();
    let other = other.into_iter().map(|s| survey_row(&ctx, &p, s)).collect();
    Ok(render(&SurveysPage { p, open, other }))
}

/// One question of the answer form.
pub struct FormQuestion {
    pub name: String,
    pub prompt: String,
    pub required: bool,
    pub kind: &'static str,
    /// (input name, value, label, checked)
    pub choices: Vec<(String, String, String, bool)>,
    pub min_label: String,
    pub max_label: String,
    pub text: String,
}

fn form_questions(p: &Page, qs: &[SurveyQuestion], form: &Form) -> Vec<FormQuestion> {
    qs.iter()
        .enumerate()
        .map(|(i, q)| {
            let name = format!("q{i}");
            let given = form.get(&name).cloned().unwrap_or_default();
            let (choices, min_label, max_label) = match &q.kind {
                QuestionKind::Single { options } => (
                    options
                        .iter()
                        .enumerate()
                        .map(|(k, o)| (name.clone(), k.to_string(), o.get(p.lang).to_string(), given == k.to_string()))
                        .collect(),
                    String::new(),
                    String::new(),
                ),
                QuestionKind::Multiple { options } => (
                    options
                        .iter()
                        .enumerate()
                        .map(|(k, o)| {
                            let n = format!("{name}_{k}");
                            let on = form.contains_key(&n);
                            (n, "on".to_string(), o.get(p.lang).to_string(), on)
                        })
                        .collect(),
                    String::new(),
                    String::new(),
                ),
                QuestionKind::Scale { min, max, min_label, max_label } => (
                    (*min..=*max).map(|v| (name.clone(), v.to_string(), v.to_string(), given == v.to_string())).collect(),
                    min_label.get(p.lang).to_string(),
                    max_label.get(p.lang).to_string(),
                ),
                QuestionKind::Text => (vec![], String::new(), String::new()),
            };
            FormQuestion {
                prompt: q.prompt.get(p.lang).to_string(),
                required: q.required,
                kind: q.kind.code(),
                choices,
                min_label,
                max_label,
                text: given,
                name,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "participation_survey.html")]
struct SurveyPage {
    p: Page,
    id: String,
    title: String,
    description: String,
    state: String,
    open: bool,
    period: String,
    answered: bool,
    thanks: bool,
    results: bool,
    questions: Vec<FormQuestion>,
    errors: Errors,
}

async fn survey_view(ctx: &Ctx, p: Page, id: &str, thanks: bool, form: Form, errors: Errors) -> AppResult<Response> {
    id_ok(id)?;
    let s = store::survey(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    let answered = service::has_responded(ctx, &p.actor, id).await?;
    let state = s.def.state(ctx.now());
    Ok(render(&SurveyPage {
        id: s.id.clone(),
        title: s.def.title.get(p.lang).to_string(),
        description: s.def.description.get(p.lang).to_string(),
        state: p.tk("participation-survey", state.code()),
        open: state == SurveyState::Open,
        period: period(&s),
        answered,
        thanks,
        results: service::may_see_results(ctx, &p.actor, &s),
        questions: form_questions(&p, &s.def.questions, &form),
        errors,
        p,
    }))
}

async fn survey(State(ctx): State<Ctx>, p: Page, Path(id): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    survey_view(&ctx, p, &id, q.contains_key("thanks"), Form::new(), Errors::default()).await
}

/// The answer form as the API's answers.
fn answers_from_form(def: &SurveyDef, f: &Form) -> Vec<AnswerInput> {
    def.questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let name = format!("q{i}");
            let mut a = AnswerInput { question: i as u32, ..Default::default() };
            match &q.kind {
                QuestionKind::Single { .. } => a.choice = field(f, &name).and_then(|v| v.parse().ok()),
                QuestionKind::Multiple { options } => {
                    let cs: Vec<u32> = (0..options.len()).filter(|k| f.contains_key(&format!("{name}_{k}"))).map(|k| k as u32).collect();
                    a.choices = (!cs.is_empty()).then_some(cs);
                }
                QuestionKind::Scale { .. } => a.value = field(f, &name).and_then(|v| v.parse().ok()),
                QuestionKind::Text => a.text = field(f, &name),
            }
            a
        })
        .collect()
}

async fn respond(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    id_ok(&id)?;
    let s = store::survey(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    match service::respond(&ctx, &actor, &id, &answers_from_form(&s.def, &f)).await {
        Ok(_) => Ok(see_other(&format!("/participation/surveys/{id}?thanks"))),
        Err(e) if e.fixable() || e.status.as_u16() == 409 => {
            let errors = Errors::from(&p, &e);
            survey_view(&ctx, p, &id, false, f, errors).await.map(|r| with_status(r, &e))
        }
        Err(e) => Err(e),
    }
}

pub struct ResultBlock {
    pub r: QuestionResult,
    pub svg: String,
    /// (label, count, percent)
    pub rows: Vec<(String, i64, String)>,
    pub mean: Option<String>,
}

#[derive(Template)]
#[template(path = "participation_results.html")]
struct ResultsPage {
    p: Page,
    id: String,
    title: String,
    state: String,
    responses: i64,
    blocks: Vec<ResultBlock>,
    staff: bool,
}

async fn results(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    id_ok(&id)?;
    let (s, res) = service::results(&ctx, &actor, &id, p.lang).await?;
    let blocks = res
        .into_iter()
        .map(|r| ResultBlock {
            svg: chart::bars(&r.counts, &r.prompt, &format!("chart-{}", r.index)),
            rows: r.counts.iter().map(|c| (c.label.clone(), c.count, chart::percent(c.share))).collect(),
            mean: r.mean.map(|m| if p.lang == Lang::En { format!("{m:.2}") } else { format!("{m:.2}").replace('.', ",") }),
            r,
        })
        .collect();
    Ok(render(&ResultsPage {
        id: s.id.clone(),
        title: s.def.title.get(p.lang).to_string(),
        state: p.tk("participation-survey", s.def.state(ctx.now()).code()),
        responses: s.responses,
        blocks,
        staff: actor.allows(Permission::ManageSurveys),
        p,
    }))
}

async fn results_csv(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    id_ok(&id)?;
    let (s, csv) = service::export_csv(&ctx, &actor, &id).await?;
    let name = format!("attachment; filename=\"survey-{}.csv\"", s.id);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], csv).into_response())
}

// ---- questions ----

pub struct QuestionRow {
    pub id: String,
    pub title: String,
    pub answer: String,
    pub when: String,
    pub open: bool,
}

fn qrow(q: &Question) -> QuestionRow {
    QuestionRow {
        id: q.id.clone(),
        title: q.title.clone(),
        answer: q
            .answer
            .as_deref()
            .map(|a| if a.chars().count() > 200 { format!("{}…", a.chars().take(200).collect::<String>()) } else { a.to_string() })
            .unwrap_or_default(),
        when: q.answered_at.unwrap_or(q.created_at).display_local(),
        open: q.status == QuestionStatus::Open,
    }
}

#[derive(Template)]
#[template(path = "participation_questions.html")]
struct QuestionsPage {
    p: Page,
    q: String,
    searched: bool,
    rows: Vec<QuestionRow>,
    ask_link: String,
}

async fn questions(State(ctx): State<Ctx>, p: Page, Query(f): Query<Form>) -> AppResult<Response> {
    let q: String = field(&f, "q").unwrap_or_default().chars().take(200).collect();
    let rows = if q.is_empty() {
        store::answered_questions(ctx.db.conn(), 20).await?
    } else {
        store::search(ctx.db.conn(), &q, 20).await?.into_iter().map(|(q, _)| q).collect()
    };
    let ask_link = format!("/participation/questions/new?q={}", kernel::layout::urlencode(&q));
    Ok(render(&QuestionsPage { rows: rows.iter().map(qrow).collect(), searched: !q.is_empty(), q, ask_link, p }))
}

#[derive(Template)]
#[template(path = "participation_question_new.html")]
struct NewQuestionPage {
    p: Page,
    similar: Vec<QuestionRow>,
    form: Form,
    errors: Errors,
}

async fn new_question_view(ctx: &Ctx, p: Page, form: Form, errors: Errors) -> AppResult<Response> {
    let words = format!("{} {}", form.get("title").cloned().unwrap_or_default(), form.get("text").cloned().unwrap_or_default());
    let similar = store::search(ctx.db.conn(), &words.chars().take(400).collect::<String>(), 5).await?.iter().map(|(q, _)| qrow(q)).collect();
    Ok(render(&NewQuestionPage { p, similar, form, errors }))
}

async fn new_question(State(ctx): State<Ctx>, p: Page, actor: Actor, Query(f): Query<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let form = Form::from([("title".to_string(), field(&f, "q").unwrap_or_default().chars().take(150).collect())]);
    new_question_view(&ctx, p, form, Errors::default()).await
}

async fn ask(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let input = QuestionInput { title: field(&f, "title").unwrap_or_default(), text: field(&f, "text").unwrap_or_default() };
    match service::ask(&ctx, &actor, input).await {
        Ok(q) => Ok(see_other(&format!("/participation/questions/{}?asked", q.id))),
        Err(e) if e.fixable() || e.status.as_u16() == 429 => {
            let errors = Errors::from(&p, &e);
            new_question_view(&ctx, p, f, errors).await.map(|r| with_status(r, &e))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "participation_question.html")]
struct QuestionPage {
    p: Page,
    q: Question,
    asked: bool,
    answered_now: bool,
    can_answer: bool,
    when: String,
    answered_when: String,
    form: Form,
    errors: Errors,
}

async fn question_view(ctx: &Ctx, p: Page, id: &str, flags: (bool, bool), form: Form, errors: Errors) -> AppResult<Response> {
    id_ok(id)?;
    let q = store::question(ctx.db.conn(), id).await?.filter(|q| service::may_read_question(&p.actor, q)).ok_or_else(AppError::not_found)?;
    let mut form = form;
    form.entry("title".into()).or_insert_with(|| q.title.clone());
    form.entry("text".into()).or_insert_with(|| q.body.clone());
    form.entry("answer".into()).or_insert_with(|| q.answer.clone().unwrap_or_default());
    Ok(render(&QuestionPage {
        can_answer: p.actor.allows(Permission::AnswerCitizens),
        when: q.created_at.display_local(),
        answered_when: q.answered_at.map(|t| t.display_local()).unwrap_or_default(),
        asked: flags.0,
        answered_now: flags.1,
        q,
        form,
        errors,
        p,
    }))
}

async fn question(State(ctx): State<Ctx>, p: Page, Path(id): Path<String>, Query(f): Query<Form>) -> AppResult<Response> {
    question_view(&ctx, p, &id, (f.contains_key("asked"), f.contains_key("answered")), Form::new(), Errors::default()).await
}

async fn answer_question(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::AnswerCitizens)?;
    let input = QuestionAnswerInput { answer: field(&f, "answer").unwrap_or_default(), title: field(&f, "title"), text: field(&f, "text") };
    match service::answer_question(&ctx, &actor, &id, input).await {
        Ok(_) => Ok(see_other(&format!("/participation/questions/{id}?answered"))),
        Err(e) if e.fixable() => {
            let errors = Errors::from(&p, &e);
            question_view(&ctx, p, &id, (false, false), f, errors).await.map(|r| with_status(r, &e))
        }
        Err(e) => Err(e),
    }
}

// ---- mine and staff ----

#[derive(Template)]
#[template(path = "participation_mine.html")]
struct MinePage {
    p: Page,
    proposals: Vec<ProposalRow>,
    questions: Vec<QuestionRow>,
}

async fn mine(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let proposals = store::proposals_of(ctx.db.conn(), &user.account_id).await?.iter().map(|x| row(&p, x)).collect();
    let questions = store::questions_of(ctx.db.conn(), &user.account_id).await?.iter().map(qrow).collect();
    Ok(kernel::web::no_store(render(&MinePage { p, proposals, questions })))
}

#[derive(Template)]
#[template(path = "participation_staff.html")]
struct StaffPage {
    p: Page,
    my_areas: Vec<String>,
    proposals: Vec<ProposalRow>,
    questions: Vec<QuestionRow>,
    surveys: Vec<SurveyRow>,
    can_surveys: bool,
}

async fn staff(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::AnswerCitizens)?;
    let mine = service::my_areas(&ctx, &actor);
    let proposals = store::waiting_proposals(ctx.db.conn(), &mine).await?.iter().map(|x| row(&p, x)).collect();
    let questions = store::open_questions(ctx.db.conn(), 200).await?.iter().map(qrow).collect();
    let surveys = store::surveys(ctx.db.conn(), 200).await?.iter().map(|s| survey_row(&ctx, &p, s)).collect();
    Ok(render(&StaffPage {
        my_areas: mine.iter().map(|a| p.tk("participation-area", a.code())).collect(),
        proposals,
        questions,
        surveys,
        can_surveys: actor.allows(Permission::ManageSurveys),
        p,
    }))
}

/// Question slots on the staff form (empty ones are left out).
pub const SLOTS: usize = 5;

#[derive(Template)]
#[template(path = "participation_survey_new.html")]
struct NewSurveyPage {
    p: Page,
    slots: Vec<usize>,
    kinds: Vec<(&'static str, String)>,
    form: Form,
    errors: Errors,
}

fn new_survey_view(p: Page, form: Form, errors: Errors) -> Response {
    let kinds = ["single", "multiple", "scale", "text"].into_iter().map(|k| (k, p.tk("participation-qkind", k))).collect();
    render(&NewSurveyPage { slots: (0..SLOTS).collect(), kinds, form, errors, p })
}

async fn new_survey(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ManageSurveys)?;
    Ok(new_survey_view(p, Form::new(), Errors::default()))
}

fn texts(f: &Form, prefix: &str) -> Text {
    Text(Lang::ALL.into_iter().filter_map(|l| Some((l.code().to_string(), field(f, &format!("{prefix}_{}", l.code()))?))).collect())
}

/// The staff form as a survey definition.
fn survey_from_form(f: &Form) -> Result<SurveyDef, AppError> {
    let opens_at = field(f, "opens").and_then(|d| service::local_day(&d, false)).ok_or_else(|| AppError::field("opens", "invalid_date"))?;
    let closes_at = field(f, "closes").and_then(|d| service::local_day(&d, true)).ok_or_else(|| AppError::field("closes", "invalid_date"))?;
    let mut questions = vec![];
    for i in 0..SLOTS {
        let q = format!("q{i}");
        let prompt = texts(f, &format!("{q}_prompt"));
        if prompt.0.is_empty() {
            continue;
        }
        let lines = |k: &str| {
            f.get(k).map(|s| s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect::<Vec<_>>()).unwrap_or_default()
        };
        let sl = lines(&format!("{q}_options_sl"));
        let en = lines(&format!("{q}_options_en"));
        let options: Vec<Text> = sl
            .iter()
            .enumerate()
            .map(|(k, s)| Text::new(&[(Lang::Sl, s.as_str()), (Lang::En, en.get(k).map(String::as_str).unwrap_or(""))]))
            .collect();
        let num = |k: &str, d: i64| field(f, &format!("{q}_{k}")).map(|v| v.parse::<i64>().unwrap_or(i64::MIN)).unwrap_or(d);
        let kind = match field(f, &format!("{q}_kind")).as_deref() {
            Some("multiple") => QuestionKind::Multiple { options },
            Some("scale") => QuestionKind::Scale {
                min: num("min", 1),
                max: num("max", 5),
                min_label: texts(f, &format!("{q}_min_label")),
                max_label: texts(f, &format!("{q}_max_label")),
            },
            Some("text") => QuestionKind::Text,
            _ => QuestionKind::Single { options },
        };
        questions.push(SurveyQuestion { prompt, required: f.contains_key(&format!("{q}_required")), kind });
    }
    Ok(SurveyDef {
        title: texts(f, "title"),
        description: texts(f, "description"),
        opens_at,
        closes_at,
        public_results: f.contains_key("public_results"),
        questions,
    })
}

async fn publish_survey(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageSurveys)?;
    let result = match survey_from_form(&f) {
        Ok(def) => service::publish_survey(&ctx, &actor, def).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(see_other(&format!("/participation/surveys/{id}"))),
        Err(mut e) if e.fixable() => {
            // The survey's field names as the form calls them.
            for x in &mut e.fields {
                match x.field.as_str() {
                    "closes_at" => x.field = "closes".into(),
                    "questions" => x.field = "q0_prompt_sl".into(),
                    _ => {}
                }
            }
            let errors = Errors::from(&p, &e);
            Ok(with_status(new_survey_view(p, f, errors), &e))
        }
        Err(e) => Err(e),
    }
}
