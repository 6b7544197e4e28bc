//! The rules of participation: who may submit, answer, publish and read
//! what; each change in one transaction with its audit entry and, for an
//! answer, the message to its author through the notifications hub.

use crate::ParticipationConfig;
use crate::model::{
    Answer, AnswerInput, Area, Errors, ProposalAnswerInput, ProposalInput, ProposalStatus, QuestionAnswerInput, QuestionInput, SurveyDef,
    SurveyState, Text, median,
};
use crate::store::{self, Proposal, ProposalAnswer, Question, QuestionStatus, Survey};
use kernel::access::UserActor;
use kernel::audit::AuditEntry;
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Role, Timestamp};
use notify::model::{NoticeInput, Topic, Urgency};
use notify::service::{Audience, Outgoing};
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::time::Duration;

pub fn config(ctx: &Ctx) -> AppResult<ParticipationConfig> {
    ParticipationConfig::from_table(&ctx.config.participation).map_err(AppError::internal)
}

pub fn invalid(e: Errors) -> AppError {
    AppError::invalid(e)
}

async fn audit<C: ConnectionTrait>(ctx: &Ctx, c: &C, user: &UserActor, action: &str, subject: &str, detail: serde_json::Value) -> AppResult<()> {
    ctx.audit(c, AuditEntry { actor: &format!("account:{}", user.account_id), action, subject, outcome: "ok", detail }).await?;
    Ok(())
}

/// A person may submit only so many proposals and questions a day.
async fn check_daily_limit<C: ConnectionTrait>(ctx: &Ctx, c: &C, user: &UserActor) -> AppResult<()> {
    let limit = config(ctx)?.max_submissions_per_day;
    let since = ctx.now().minus(Duration::from_secs(86_400));
    if store::submitted_since(c, &user.account_id, since).await? >= limit {
        return Err(AppError::too_many(3600).with_detail(format!("at most {limit} proposals and questions in 24 hours")));
    }
    Ok(())
}

/// A text in every language, from a message of ours.
fn each_lang(f: impl Fn(Lang) -> String) -> Text {
    Text(Lang::ALL.into_iter().map(|l| (l.code().to_string(), f(l))).collect())
}

fn excerpt(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n).collect::<String>()) }
}

// ---- proposals ----

pub async fn submit_proposal(ctx: &Ctx, actor: &Actor, input: ProposalInput) -> AppResult<Proposal> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let p = input.validate().map_err(invalid)?;
    let txn = ctx.db.begin().await?;
    check_daily_limit(ctx, &txn, user).await?;
    let now = ctx.now();
    let proposal = Proposal {
        id: store::id_at(now),
        author_id: Some(user.account_id.clone()),
        kind: p.kind,
        area: p.area,
        title: p.title,
        body: p.text,
        place: p.place,
        location: p.location,
        status: ProposalStatus::Submitted,
        answers: 0,
        created_at: now,
        answered_at: None,
    };
    store::insert_proposal(&txn, &proposal, false).await?;
    txn.commit().await?;
    Ok(proposal)
}

/// Whether this person may answer proposals of the area: DTO and
/// administrators every area, staff those of their department.
pub fn may_answer(ctx: &Ctx, actor: &Actor, area: Area) -> bool {
    let Ok(user) = actor.check(Permission::AnswerCitizens) else { return false };
    if user.roles.iter().any(|r| matches!(r, Role::Dto | Role::Admin)) {
        return true;
    }
    let Ok(c) = config(ctx) else { return false };
    user.department.as_deref().is_some_and(|d| c.areas_of(d).contains(&area))
}

/// The areas whose proposals this person answers.
pub fn my_areas(ctx: &Ctx, actor: &Actor) -> Vec<Area> {
    Area::ALL.into_iter().filter(|a| may_answer(ctx, actor, *a)).collect()
}

/// Answer a proposal publicly, set its status, and tell its author in the same transaction.
pub async fn answer_proposal(ctx: &Ctx, actor: &Actor, id: &str, input: ProposalAnswerInput) -> AppResult<ProposalAnswer> {
    let user = actor.check(Permission::AnswerCitizens)?;
    let input = input.validate().map_err(invalid)?;
    let txn = ctx.db.begin().await?;
    let p = store::proposal_for_update(&txn, id).await?.ok_or_else(AppError::not_found)?;
    if !may_answer(ctx, actor, p.area) {
        return Err(AppError::forbidden("not_your_area"));
    }
    let now = ctx.now();
    let department = user.department.clone().or_else(|| config(ctx).ok().and_then(|c| c.department_of(p.area).map(str::to_string)));
    let answer = ProposalAnswer { n: p.answers + 1, status: input.status.into(), body: input.text, department, created_at: now };
    store::add_proposal_answer(&txn, &p.id, &answer, Some(&user.account_id)).await?;
    if let Some(author) = &p.author_id {
        let status = |l: Lang| ctx.i18n.t(l, &format!("participation-status-{}", answer.status.code()));
        let notice = NoticeInput {
            topic: Topic::MyProposals,
            urgency: Urgency::Normal,
            title: each_lang(|l| ctx.i18n.t_args(l, "participation-notice-proposal-title", &[("title", excerpt(&p.title, 80).into())])),
            body: each_lang(|l| {
                ctx.i18n.t_args(
                    l,
                    "participation-notice-proposal-body",
                    &[("status", status(l).into()), ("answer", excerpt(&answer.body, 400).into())],
                )
            }),
            url: Some(format!("/participation/proposals/{}", p.id)),
            area: None,
        };
        let out = Outgoing {
            id: Some(format!("proposal:{}:{}", p.id, answer.n)),
            notice,
            audience: Audience::Account(author.clone()),
            source: "participation".into(),
            created_by: Some(user.account_id.clone()),
            warn_located: false,
        };
        notify::service::send(&txn, ctx, out).await?;
    }
    audit(ctx, &txn, user, "participation.proposal.answer", &format!("proposal:{}", p.id), json!({"n": answer.n, "status": answer.status.code()}))
        .await?;
    txn.commit().await?;
    Ok(answer)
}

// ---- surveys ----

pub async fn publish_survey(ctx: &Ctx, actor: &Actor, def: SurveyDef) -> AppResult<String> {
    let user = actor.check(Permission::ManageSurveys)?;
    let def = def.validate().map_err(invalid)?;
    let now = ctx.now();
    let id = store::id_at(now);
    let txn = ctx.db.begin().await?;
    store::insert_survey(&txn, &id, &def, Some(&user.account_id), now, false).await?;
    audit(ctx, &txn, user, "participation.survey.publish", &format!("survey:{id}"), json!({"questions": def.questions.len()})).await?;
    txn.commit().await?;
    Ok(id)
}

/// The keyed hash that stands for a person in a survey's responses.
pub fn respondent(ctx: &Ctx, survey_id: &str, account_id: &str) -> String {
    ctx.keys.blind_index("participation-respondent", &format!("{survey_id}:{account_id}"))
}

pub async fn has_responded(ctx: &Ctx, actor: &Actor, survey_id: &str) -> AppResult<bool> {
    match actor.account_id() {
        Some(a) => Ok(store::has_responded(ctx.db.conn(), survey_id, &respondent(ctx, survey_id, a)).await?),
        None => Ok(false),
    }
}

/// Answer a survey: once per person, only while it is open.
pub async fn respond(ctx: &Ctx, actor: &Actor, survey_id: &str, answers: &[AnswerInput]) -> AppResult<String> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let s = store::survey(ctx.db.conn(), survey_id).await?.ok_or_else(AppError::not_found)?;
    match s.def.state(ctx.now()) {
        SurveyState::Upcoming => return Err(AppError::conflict("survey_not_open")),
        SurveyState::Closed => return Err(AppError::conflict("survey_closed")),
        SurveyState::Open => {}
    }
    let checked: Vec<Option<Answer>> = s.def.check_response(answers).map_err(invalid)?;
    let who = respondent(ctx, survey_id, &user.account_id);
    // The UNIQUE (survey, respondent) constraint decides between two concurrent submissions.
    let id = store::insert_response(ctx.db.conn(), survey_id, &who, &checked, ctx.now()).await?.ok_or(AppError::conflict("already_answered"))?;
    Ok(id)
}

/// Staff always; everyone once the survey closed, if its results are public.
pub fn may_see_results(ctx: &Ctx, actor: &Actor, s: &Survey) -> bool {
    actor.allows(Permission::ManageSurveys) || (s.def.public_results && s.def.state(ctx.now()) == SurveyState::Closed)
}

pub async fn results(ctx: &Ctx, actor: &Actor, id: &str, lang: Lang) -> AppResult<(Survey, Vec<crate::model::QuestionResult>)> {
    let s = store::survey(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    if !may_see_results(ctx, actor, &s) {
        actor.check(Permission::ManageSurveys)?;
    }
    let responses: Vec<Vec<Option<Answer>>> = store::responses(ctx.db.conn(), id).await?.into_iter().map(|(_, _, a)| a).collect();
    let r = crate::model::results(&s.def, &responses, lang);
    Ok((s, r))
}

/// Every response as CSV, for staff (audited).
pub async fn export_csv(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<(Survey, String)> {
    let user = actor.check(Permission::ManageSurveys)?;
    let s = store::survey(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    let rows = store::responses(ctx.db.conn(), id).await?;
    let txn = ctx.db.begin().await?;
    audit(ctx, &txn, user, "participation.survey.export", &format!("survey:{id}"), json!({"responses": rows.len()})).await?;
    txn.commit().await?;
    let csv = crate::model::csv(&s.def, &rows);
    Ok((s, csv))
}

// ---- questions ----

pub async fn ask(ctx: &Ctx, actor: &Actor, input: QuestionInput) -> AppResult<Question> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let q = input.validate().map_err(invalid)?;
    let txn = ctx.db.begin().await?;
    check_daily_limit(ctx, &txn, user).await?;
    let now = ctx.now();
    let question = Question {
        id: store::id_at(now),
        author_id: Some(user.account_id.clone()),
        title: q.title,
        body: q.text,
        status: QuestionStatus::Open,
        answer: None,
        created_at: now,
        answered_at: None,
    };
    store::insert_question(&txn, &question, false).await?;
    txn.commit().await?;
    Ok(question)
}

/// Who may read a question: everyone once answered; before, its author and staff.
pub fn may_read_question(actor: &Actor, q: &Question) -> bool {
    q.status == QuestionStatus::Answered
        || actor.allows(Permission::AnswerCitizens)
        || (q.author_id.is_some() && actor.account_id() == q.author_id.as_deref())
}

/// Answer (or correct the answer of) a question: it becomes public and searchable; the author is told the first time.
pub async fn answer_question(ctx: &Ctx, actor: &Actor, id: &str, input: QuestionAnswerInput) -> AppResult<Question> {
    let user = actor.check(Permission::AnswerCitizens)?;
    let input = input.validate().map_err(invalid)?;
    let txn = ctx.db.begin().await?;
    let mut q = store::question_for_update(&txn, id).await?.ok_or_else(AppError::not_found)?;
    let first = q.status == QuestionStatus::Open;
    let edited = input.title.is_some() || input.text.is_some();
    if let Some(t) = input.title {
        q.title = t;
    }
    if let Some(t) = input.text {
        q.body = t;
    }
    let now = ctx.now();
    store::answer_question(&txn, &q, &input.answer, Some(&user.account_id), now).await?;
    if first && let Some(author) = &q.author_id {
        let notice = NoticeInput {
            topic: Topic::MyProposals,
            urgency: Urgency::Normal,
            title: each_lang(|l| ctx.i18n.t_args(l, "participation-notice-question-title", &[("title", excerpt(&q.title, 80).into())])),
            body: each_lang(|_| excerpt(&input.answer, 400)),
            url: Some(format!("/participation/questions/{}", q.id)),
            area: None,
        };
        let out = Outgoing {
            id: Some(format!("question:{}", q.id)),
            notice,
            audience: Audience::Account(author.clone()),
            source: "participation".into(),
            created_by: Some(user.account_id.clone()),
            warn_located: false,
        };
        notify::service::send(&txn, ctx, out).await?;
    }
    audit(ctx, &txn, user, "participation.question.answer", &format!("question:{}", q.id), json!({"first": first, "edited": edited})).await?;
    txn.commit().await?;
    q.status = QuestionStatus::Answered;
    q.answer = Some(input.answer);
    q.answered_at = q.answered_at.or(Some(now));
    Ok(q)
}

// ---- KPIs ----

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct YearCount {
    pub year: i32,
    pub count: i64,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ParticipationKpi)]
pub struct Kpi {
    /// Proposals and initiatives per year (local time), oldest first.
    pub proposals_per_year: Vec<YearCount>,
    /// Confirmed accounts.
    pub accounts: i64,
    /// Of them, those who submitted a proposal or initiative this year.
    pub proposers_this_year: i64,
    /// `proposers_this_year / accounts` (0 without accounts).
    pub share_proposing: f64,
    pub surveys: i64,
    /// Survey responses, in all and this year.
    pub survey_responses: i64,
    pub survey_responses_this_year: i64,
    pub questions_asked: i64,
    pub questions_answered: i64,
    /// Median time from question to answer, in hours (none before the first answer).
    pub median_answer_hours: Option<f64>,
}

pub async fn kpi(ctx: &Ctx) -> AppResult<Kpi> {
    use chrono::Datelike;
    let c = ctx.db.conn();
    let year = ctx.now().local().year();
    let proposals = store::proposal_dates(c).await?;
    let mut per_year: std::collections::BTreeMap<i32, i64> = Default::default();
    let mut proposers = std::collections::BTreeSet::new();
    for (at, author) in &proposals {
        let y = at.local().year();
        *per_year.entry(y).or_default() += 1;
        if y == year
            && let Some(a) = author
        {
            proposers.insert(a.clone());
        }
    }
    let confirmed: std::collections::BTreeSet<String> = identity::store::account_langs(c).await?.into_iter().map(|(id, _)| id).collect();
    let proposers_this_year = proposers.iter().filter(|a| confirmed.contains(*a)).count() as i64;
    let accounts = confirmed.len() as i64;
    let responses = store::response_dates(c).await?;
    let questions = store::question_times(c).await?;
    let waits: Vec<i64> = questions.iter().filter_map(|(asked, answered)| answered.map(|a| a.0 - asked.0)).collect();
    Ok(Kpi {
        proposals_per_year: per_year.into_iter().map(|(year, count)| YearCount { year, count }).collect(),
        accounts,
        proposers_this_year,
        share_proposing: if accounts > 0 { proposers_this_year as f64 / accounts as f64 } else { 0.0 },
        surveys: store::surveys(c, 100_000).await?.len() as i64,
        survey_responses: responses.len() as i64,
        survey_responses_this_year: responses.iter().filter(|t| t.local().year() == year).count() as i64,
        questions_asked: questions.len() as i64,
        questions_answered: waits.len() as i64,
        median_answer_hours: median(waits).map(|ms| (ms as f64 / 3_600_000.0 * 10.0).round() / 10.0),
    })
}

/// Local midnight of a day (`YYYY-MM-DD`) in Slovenia, or the end of it.
pub fn local_day(s: &str, end: bool) -> Option<Timestamp> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    let naive = if end { d.succ_opt()?.and_hms_opt(0, 0, 0)? } else { d.and_hms_opt(0, 0, 0)? };
    // Try winter time, then summer time: the one whose local reading is this moment.
    [1, 2].into_iter().map(|h| Timestamp((naive - chrono::Duration::hours(h)).and_utc().timestamp_millis())).find(|t| t.local() == naive)
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_days_follow_summer_time() {
        let winter = super::local_day("2026-01-15", false).unwrap();
        assert_eq!(winter.rfc3339(), "2026-01-14T23:00:00Z");
        let summer_end = super::local_day("2026-07-01", true).unwrap();
        assert_eq!(summer_end.rfc3339(), "2026-07-01T22:00:00Z");
        assert!(super::local_day("2026-02-30", false).is_none());
    }
}
