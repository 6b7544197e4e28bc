//! Pages of the participatory budget: the public cycle, its projects, the
//! proposal form, the ballot and its confirmation, the results; and the staff
//! pages to run a cycle, review ideas, enter paper ballots, count and record
//! the council's decisions.

use crate::count::{AreaResult, Reason};
use crate::model::{BallotKind, BallotRules, Phase, Review, RuleName, euros};
use crate::service::{self, AreaInput, BallotInput, CycleInput, OverrideInput, PaperInput, ProjectInput, ReviewInput};
use crate::store::{self, Area, Cycle, Dates, Project};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kernel::csrf::CsrfForm;
use kernel::layout::Page;
use kernel::web::{render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission};
use std::collections::HashMap;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/budget", get(index))
        .route("/budget/{id}", get(cycle_page))
        .route("/budget/{id}/projects", get(project_list))
        .route("/budget/{id}/propose", get(propose_form).post(propose))
        .route("/budget/{id}/vote", get(ballot_page).post(cast))
        .route("/budget/{id}/voted", get(voted_page))
        .route("/budget/{id}/results", get(results_page))
        .route("/budget/projects/{id}", get(project_page))
        .route("/staff/budget", get(staff_index).post(staff_create))
        .route("/staff/budget/{id}", get(staff_cycle).post(staff_update))
        .route("/staff/budget/{id}/advance", post(staff_advance))
        .route("/staff/budget/{id}/areas", post(staff_add_area))
        .route("/staff/budget/{id}/import", post(staff_import))
        .route("/staff/budget/{id}/review", get(staff_review_page))
        .route("/staff/budget/projects/{id}/review", post(staff_review))
        .route("/staff/budget/{id}/paper", get(staff_paper_page).post(staff_paper))
        .route("/staff/budget/{id}/count", get(staff_count))
        .route("/staff/budget/projects/{id}/override", post(staff_override))
}

type Form = Vec<(String, String)>;

fn get1<'a>(f: &'a Form, k: &str) -> &'a str {
    f.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim()).unwrap_or("")
}

fn opt(f: &Form, k: &str) -> Option<String> {
    Some(get1(f, k).to_string()).filter(|s| !s.is_empty())
}

pub use kernel::layout::FormErrors as Errors;

fn fixable(e: &AppError) -> bool {
    matches!(e.status.as_u16(), 400 | 409 | 422)
}

fn with_status(mut r: Response, e: &AppError) -> Response {
    *r.status_mut() = e.status;
    r
}

/// Money in the page's language.
fn money(p: &Page, cents: i64) -> String {
    euros(cents, p.lang)
}

/// Amounts typed in a form: `12500`, `12.500,50` (sl) or `12,500.50` (en), in euros.
pub fn parse_euros(s: &str, lang: Lang) -> Option<i64> {
    let s: String = s.trim().trim_end_matches('€').trim_start_matches('€').trim().chars().filter(|c| !c.is_whitespace()).collect();
    let (group, dec) = if lang == Lang::En { (',', '.') } else { ('.', ',') };
    // A lone separator followed by exactly two digits is the decimal one.
    let normalized = match s.rfind([',', '.']) {
        Some(i) if s.len() - i - 1 == 2 => {
            let (whole, frac) = s.split_at(i);
            format!("{}.{}", whole.replace([group, dec], ""), &frac[1..])
        }
        _ => s.replace([group, dec], ""),
    };
    let (whole, frac) = normalized.split_once('.').unwrap_or((&normalized, "00"));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() != 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(frac.parse::<i64>().ok()?)
}

fn euros_input(cents: i64) -> String {
    if cents.rem_euclid(100) == 0 { (cents / 100).to_string() } else { format!("{}.{:02}", cents / 100, cents % 100) }
}

/// A cycle as the pages show it.
pub struct CycleRow {
    pub id: String,
    pub year: i64,
    pub title: String,
    pub description: String,
    pub phase: &'static str,
    pub phase_label: String,
    pub demo: bool,
    pub timeline: Vec<(String, String, bool)>,
    pub ballot: String,
    pub kind: &'static str,
    pub rule: String,
    pub eligibility: Vec<String>,
    pub total: String,
}

fn describe_ballot(p: &Page, b: &BallotRules) -> String {
    match b.kind {
        BallotKind::Approval => {
            p.ctx.i18n.t_args(p.lang, "budget-ballot-approval-rules", &[("min", b.min_projects.max(1).into()), ("max", b.max_projects.into())])
        }
        BallotKind::Cumulative => {
            p.ctx.i18n.t_args(p.lang, "budget-ballot-cumulative-rules", &[("total", b.total_points.into()), ("max", b.max_points_per_project.into())])
        }
        BallotKind::Ranked => p.tn("budget-ballot-ranked-rules", "k", b.max_projects),
    }
}

fn describe_rule(p: &Page, c: &Cycle) -> String {
    let base = p.tk("budget-rule", c.rule.code());
    match (c.rule, c.threshold) {
        (RuleName::GreedyThreshold, Some(t)) => format!("{base} {}", p.tn("budget-threshold-is", "n", t)),
        _ => base,
    }
}

fn date_text(p: &Page, d: &Option<String>) -> Option<String> {
    let d = d.as_deref().and_then(crate::model::date)?;
    let format = match p.lang {
        Lang::En => "%-d %B %Y",
        Lang::It => "%-d/%-m/%Y",
        Lang::Sl | Lang::De => "%-d. %-m. %Y",
    };
    Some(d.format(format).to_string())
}

fn cycle_row(p: &Page, c: &Cycle, areas: &[Area]) -> CycleRow {
    let d = &c.dates;
    let span = |a: &Option<String>, b: &Option<String>| match (date_text(p, a), date_text(p, b)) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => "—".into(),
    };
    let timeline = vec![
        (p.tk("budget-phase", "submission"), span(&d.submission_from, &d.submission_to), c.phase == Phase::Submission),
        (p.tk("budget-phase", "review"), span(&None, &d.review_to), c.phase == Phase::Review),
        (p.tk("budget-phase", "voting"), span(&d.voting_from, &d.voting_to), c.phase == Phase::Voting || c.phase == Phase::Counting),
        (p.tk("budget-phase", "results"), span(&d.results_on, &None), c.phase == Phase::Results),
    ];
    let mut eligibility = vec![p.t("budget-eligible-emso")];
    if c.min_age > 0 {
        eligibility.push(p.tn("budget-eligible-age", "age", c.min_age));
    }
    if !c.resident_postcodes.is_empty() {
        eligibility.push(p.t1("budget-eligible-resident", "postcodes", c.resident_postcodes.join(", ")));
    }
    CycleRow {
        id: c.id.clone(),
        year: c.year,
        title: c.title.clone(),
        description: c.description.clone(),
        phase: c.phase.code(),
        phase_label: p.tk("budget-phase", c.phase.code()),
        demo: c.demo,
        timeline,
        ballot: describe_ballot(p, &c.ballot),
        kind: c.ballot.kind.code(),
        rule: describe_rule(p, c),
        eligibility,
        total: money(p, areas.iter().map(|a| a.budget_cents).sum()),
    }
}

pub struct AreaRow {
    pub id: String,
    pub name: String,
    pub budget: String,
    pub budget_input: String,
    pub eligible: String,
    pub projects: usize,
}

fn area_rows(p: &Page, areas: &[Area], projects: &[Project]) -> Vec<AreaRow> {
    areas
        .iter()
        .map(|a| AreaRow {
            id: a.id.clone(),
            name: a.name.clone(),
            budget: money(p, a.budget_cents),
            budget_input: euros_input(a.budget_cents),
            eligible: a.eligible_voters.map(|n| n.to_string()).unwrap_or_default(),
            projects: projects.iter().filter(|x| x.area_id == a.id && x.review == Review::Feasible).count(),
        })
        .collect()
}

// ---- public ----

#[derive(Template)]
#[template(path = "budget_index.html")]
struct IndexPage {
    p: Page,
    cycles: Vec<CycleRow>,
}

async fn index(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let mut cycles = vec![];
    for c in service::visible_cycles(&ctx, &actor).await? {
        let areas = store::areas(ctx.db.conn(), &c.id).await?;
        cycles.push(cycle_row(&p, &c, &areas));
    }
    Ok(render(&IndexPage { p, cycles }))
}

#[derive(Template)]
#[template(path = "budget_cycle.html")]
struct CyclePage {
    p: Page,
    c: CycleRow,
    areas: Vec<AreaRow>,
    ideas: usize,
    feasible: usize,
    voted: bool,
}

async fn cycle_page(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let projects = store::projects(ctx.db.conn(), &c.id).await?;
    let voted = service::has_voted(&ctx, &actor, &c.id).await?;
    Ok(render(&CyclePage {
        c: cycle_row(&p, &c, &areas),
        areas: area_rows(&p, &areas, &projects),
        ideas: projects.len(),
        feasible: projects.iter().filter(|x| x.review == Review::Feasible).count(),
        voted,
        p,
    }))
}

pub struct ProjectRow {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub area: String,
    pub description: String,
    pub location: String,
    pub estimate: String,
    pub cost: String,
    pub corrected: bool,
    pub review: &'static str,
    pub review_label: String,
    pub reason: String,
    pub cost_input: String,
}

fn project_row(p: &Page, x: &Project, areas: &[Area]) -> ProjectRow {
    ProjectRow {
        id: x.id.clone(),
        number: x.number,
        title: x.title.clone(),
        area: areas.iter().find(|a| a.id == x.area_id).map(|a| a.name.clone()).unwrap_or_default(),
        description: x.description.clone(),
        location: x.location.clone().unwrap_or_default(),
        estimate: money(p, x.estimated_cents),
        cost: money(p, x.cost()),
        corrected: x.cost_cents.is_some_and(|c| c != x.estimated_cents),
        review: x.review.code(),
        review_label: p.tk("budget-review", x.review.code()),
        reason: x.review_reason.clone().unwrap_or_default(),
        cost_input: euros_input(x.cost()),
    }
}

#[derive(Template)]
#[template(path = "budget_projects.html")]
struct ProjectsPage {
    p: Page,
    c: CycleRow,
    areas: Vec<AreaRow>,
    projects: Vec<ProjectRow>,
    area: String,
    review: String,
    q: String,
}

async fn project_list(
    State(ctx): State<Ctx>,
    p: Page,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let all = store::projects(ctx.db.conn(), &c.id).await?;
    let area = q.get("area").cloned().unwrap_or_default();
    let review = q.get("review").cloned().unwrap_or_default();
    let text = q.get("q").map(|s| s.trim().to_lowercase()).unwrap_or_default();
    let projects = all
        .iter()
        .filter(|x| area.is_empty() || x.area_id == area)
        .filter(|x| review.is_empty() || x.review.code() == review)
        .filter(|x| text.is_empty() || x.title.to_lowercase().contains(&text) || x.description.to_lowercase().contains(&text))
        .map(|x| project_row(&p, x, &areas))
        .collect();
    Ok(render(&ProjectsPage {
        c: cycle_row(&p, &c, &areas),
        areas: area_rows(&p, &areas, &all),
        projects,
        area,
        review,
        q: q.get("q").cloned().unwrap_or_default(),
        p,
    }))
}

#[derive(Template)]
#[template(path = "budget_project.html")]
struct ProjectPage {
    p: Page,
    c: CycleRow,
    x: ProjectRow,
    outcome: Option<String>,
}

async fn project_page(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    let x = store::project(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    let c = service::visible_cycle(&ctx, &actor, &x.cycle_id).await?;
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let outcome = if c.phase == Phase::Results {
        let results = service::compute(&ctx, &c).await?;
        results.iter().flat_map(|r| r.projects.iter()).find(|r| r.project.id == x.id).map(|r| {
            let votes = p.tn("budget-n-votes", "n", r.votes as i64);
            format!("{} ({votes})", if r.funded { p.t("budget-funded") } else { p.t("budget-not-funded") })
        })
    } else {
        None
    };
    Ok(render(&ProjectPage { c: cycle_row(&p, &c, &areas), x: project_row(&p, &x, &areas), outcome, p }))
}

#[derive(Template)]
#[template(path = "budget_propose.html")]
struct ProposePage {
    p: Page,
    c: CycleRow,
    areas: Vec<AreaRow>,
    open: bool,
    form: Form,
    errors: Errors,
}

impl ProposePage {
    fn v(&self, k: &str) -> String {
        get1(&self.form, k).to_string()
    }
}

async fn propose_view(ctx: &Ctx, p: Page, c: &Cycle, form: Form, errors: Errors) -> AppResult<Response> {
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let projects = store::projects(ctx.db.conn(), &c.id).await?;
    Ok(render(&ProposePage {
        c: cycle_row(&p, c, &areas),
        areas: area_rows(&p, &areas, &projects),
        open: c.phase == Phase::Submission,
        form,
        errors,
        p,
    }))
}

async fn propose_form(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    propose_view(&ctx, p, &c, vec![], Errors::default()).await
}

async fn propose(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    let estimate = parse_euros(get1(&f, "estimate"), p.lang);
    let result = match estimate {
        None => Err(AppError::field("estimate", "invalid_amount")),
        Some(cents) => {
            let input = ProjectInput {
                area_id: get1(&f, "area").into(),
                title: get1(&f, "title").into(),
                description: get1(&f, "description").into(),
                location: opt(&f, "location"),
                estimated_cents: cents,
            };
            service::submit(&ctx, &actor, &id, input).await.map_err(|mut e| {
                for fe in &mut e.fields {
                    fe.field = match fe.field.as_str() {
                        "area_id" => "area".into(),
                        "estimated_cents" => "estimate".into(),
                        other => other.into(),
                    };
                }
                e
            })
        }
    };
    match result {
        Ok(x) => Ok(see_other(&format!("/budget/projects/{}", x.id))),
        Err(e) if fixable(&e) => Ok(with_status(propose_view(&ctx, p.clone(), &c, f, Errors::from(&p, &e)).await?, &e)),
        Err(e) => Err(e),
    }
}

// ---- the ballot ----

pub struct Choice {
    pub number: i64,
    pub title: String,
    pub cost: String,
    pub id: String,
    pub checked: bool,
    pub points: String,
}

#[derive(Template)]
#[template(path = "budget_ballot.html")]
struct BallotPage {
    p: Page,
    c: CycleRow,
    kind: &'static str,
    rules: BallotRules,
    areas: Vec<AreaRow>,
    area: Option<AreaRow>,
    choices: Vec<Choice>,
    /// Ranked: the chosen number per place (0: none).
    ranks: Vec<i64>,
    blocked: Option<String>,
    errors: Errors,
    /// Staff entering paper ballots.
    paper: bool,
    form: Form,
    entered: Option<String>,
}

impl BallotPage {
    fn v(&self, k: &str) -> String {
        get1(&self.form, k).to_string()
    }
    fn action(&self) -> String {
        if self.paper { format!("/staff/budget/{}/paper", self.c.id) } else { format!("/budget/{}/vote", self.c.id) }
    }
}

struct BallotView<'a> {
    cycle: &'a Cycle,
    area: Option<&'a str>,
    form: Form,
    errors: Errors,
    paper: bool,
    blocked: Option<String>,
    entered: Option<String>,
}

async fn ballot_view(ctx: &Ctx, p: Page, v: BallotView<'_>) -> AppResult<Response> {
    let c = v.cycle;
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let projects = store::projects(ctx.db.conn(), &c.id).await?;
    let area = v.area.and_then(|a| areas.iter().find(|x| x.id == a));
    let numbers = |k: &str| v.form.iter().filter(|(n, _)| n == k).filter_map(|(_, x)| x.parse::<i64>().ok()).collect::<Vec<_>>();
    let ticked = numbers("project");
    let choices = area
        .map(|a| {
            crate::count::on_ballot(&projects, &a.id)
                .into_iter()
                .map(|x| Choice {
                    number: x.number,
                    title: x.title.clone(),
                    cost: money(&p, x.cost()),
                    id: x.id.clone(),
                    checked: ticked.contains(&x.number),
                    points: get1(&v.form, &format!("points.{}", x.number)).to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let ranks = (1..=c.ballot.max_projects).map(|i| get1(&v.form, &format!("rank.{i}")).parse().unwrap_or(0)).collect();
    let rows = area_rows(&p, &areas, &projects);
    Ok(render(&BallotPage {
        c: cycle_row(&p, c, &areas),
        kind: c.ballot.kind.code(),
        rules: c.ballot.clone(),
        area: area.and_then(|a| rows.iter().position(|r| r.id == a.id)).map(|i| {
            let r = &rows[i];
            AreaRow {
                id: r.id.clone(),
                name: r.name.clone(),
                budget: r.budget.clone(),
                budget_input: String::new(),
                eligible: String::new(),
                projects: r.projects,
            }
        }),
        areas: rows,
        choices,
        ranks,
        blocked: v.blocked,
        errors: v.errors,
        paper: v.paper,
        form: v.form,
        entered: v.entered,
        p,
    }))
}

/// Why this person cannot vote now, in words; none if they can.
async fn blocked(ctx: &Ctx, p: &Page, actor: &Actor, c: &Cycle) -> AppResult<Option<String>> {
    if c.phase != Phase::Voting {
        return Ok(Some(p.error_text("voting_closed")));
    }
    match service::eligibility(ctx, actor, c).await {
        Ok(_) => Ok(None),
        Err(e) if e.status.as_u16() == 401 => Err(e),
        Err(e) if e.status.is_client_error() => Ok(Some(p.error_text(e.code))),
        Err(e) => Err(e),
    }
}

async fn ballot_page(
    State(ctx): State<Ctx>,
    p: Page,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    if service::has_voted(&ctx, &actor, &c.id).await? {
        return Ok(see_other(&format!("/budget/{}/voted?again", c.id)));
    }
    let blocked = blocked(&ctx, &p, &actor, &c).await?;
    let view = BallotView {
        cycle: &c,
        area: q.get("area").map(String::as_str),
        form: vec![],
        errors: Errors::default(),
        paper: false,
        blocked,
        entered: None,
    };
    ballot_view(&ctx, p, view).await
}

/// The ballot form's fields as a ballot.
fn ballot_from_form(c: &Cycle, f: &Form) -> Result<BallotInput, AppError> {
    let area_id = get1(f, "area").to_string();
    let mut projects = vec![];
    let mut points = None;
    match c.ballot.kind {
        BallotKind::Approval => {
            projects = f.iter().filter(|(k, _)| k == "project").filter_map(|(_, v)| v.parse().ok()).collect();
        }
        BallotKind::Cumulative => {
            let mut pts = vec![];
            for (k, v) in f {
                if let Some(n) = k.strip_prefix("points.").and_then(|n| n.parse::<i64>().ok()) {
                    let v = v.trim();
                    if v.is_empty() {
                        continue;
                    }
                    let x: i64 = v.parse().map_err(|_| AppError::field("points", "ballot_points_not_number"))?;
                    projects.push(n);
                    pts.push(x);
                }
            }
            points = Some(pts);
        }
        BallotKind::Ranked => {
            for i in 1..=c.ballot.max_projects {
                let v = get1(f, &format!("rank.{i}"));
                if let Ok(n) = v.parse::<i64>()
                    && n > 0
                {
                    projects.push(n);
                }
            }
        }
    }
    Ok(BallotInput { area_id, projects, points })
}

/// The form's errors, with the number chosen and the limit when there were too many or too few projects.
fn ballot_errors(p: &Page, c: &Cycle, chosen: usize, e: &AppError) -> Errors {
    let mut errors = Errors::from(p, e);
    let n = chosen as i64;
    let (min, max) = (c.ballot.min_projects.max(1), c.ballot.max_projects);
    for fe in e.fields.iter().filter(|fe| fe.field == "projects") {
        let text = match fe.code.as_str() {
            "ballot_too_many" => p.ctx.i18n.t_args(p.lang, "budget-ballot-too-many", &[("n", n.into()), ("max", max.into())]),
            "ballot_too_few" => p.ctx.i18n.t_args(p.lang, "budget-ballot-too-few", &[("n", n.into()), ("min", min.into())]),
            _ => continue,
        };
        errors.explain("projects", text);
    }
    errors
}

async fn cast(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    let (chosen, result) = match ballot_from_form(&c, &f) {
        Ok(b) => (b.projects.len(), service::vote(&ctx, &actor, &id, b).await),
        Err(e) => (0, Err(e)),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/budget/{}/voted", c.id))),
        // A second ballot of the same identity: the page that says so.
        Err(e) if e.code == "already_voted" => Ok(see_other(&format!("/budget/{}/voted?again", c.id))),
        Err(e) if fixable(&e) || e.status.as_u16() == 403 && e.code != "csrf_failed" => {
            let area = get1(&f, "area").to_string();
            // Not allowed to vote (no EMŠO, not resident, voting closed): said as on the ballot page, not as a form error.
            let (errors, blocked) = if e.status.as_u16() == 403 || e.code == "voting_closed" {
                (Errors::default(), Some(p.error_text(e.code)))
            } else {
                (ballot_errors(&p, &c, chosen, &e), None)
            };
            let view = BallotView { cycle: &c, area: Some(&area), errors, form: f, paper: false, blocked, entered: None };
            Ok(with_status(ballot_view(&ctx, p, view).await?, &e))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "budget_voted.html")]
struct VotedPage {
    p: Page,
    c: CycleRow,
    /// Came here by trying to vote a second time.
    again: bool,
}

async fn voted_page(
    State(ctx): State<Ctx>,
    p: Page,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    if !service::has_voted(&ctx, &actor, &c.id).await? {
        return Ok(see_other(&format!("/budget/{}/vote", c.id)));
    }
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    Ok(render(&VotedPage { c: cycle_row(&p, &c, &areas), again: q.contains_key("again"), p }))
}

// ---- results ----

pub struct ResultRow {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub cost: String,
    pub votes: u64,
    pub score: i64,
    pub rank: usize,
    pub computed: bool,
    pub funded: bool,
    pub why: String,
    pub overridden: Option<String>,
}

pub struct AreaResultRow {
    pub id: String,
    pub name: String,
    pub budget: String,
    pub spent: String,
    pub computed_spent: String,
    pub remaining: String,
    pub ballots: usize,
    pub online: usize,
    pub paper: usize,
    pub imported: usize,
    pub eligible: String,
    pub turnout: String,
    pub rows: Vec<ResultRow>,
    pub changed: bool,
}

fn percent(p: &Page, share: Option<f64>) -> String {
    share
        .map(|s| if p.lang == Lang::En { format!("{:.1} %", s * 100.0) } else { format!("{:.1} %", s * 100.0).replace('.', ",") })
        .unwrap_or_else(|| "—".into())
}

fn result_rows(p: &Page, c: &Cycle, results: &[AreaResult]) -> Vec<AreaResultRow> {
    results
        .iter()
        .map(|r| {
            let share = service::participation(std::slice::from_ref(r)).1.share();
            let rows: Vec<ResultRow> = r
                .projects
                .iter()
                .map(|x| {
                    let why = match &x.reason {
                        Reason::Funded { round, rho: Some(rho) } => {
                            p.ctx.i18n.t_args(p.lang, "budget-why-mes-funded", &[("round", (*round as i64).into()), ("rho", rho.clone().into())])
                        }
                        Reason::Funded { round, rho: None } => p.tn("budget-why-funded", "round", *round as i64),
                        Reason::DidNotFit { left_cents } => p.t1("budget-why-did-not-fit", "left", money(p, *left_cents)),
                        Reason::BelowThreshold => p.tn("budget-why-below-threshold", "n", c.threshold.unwrap_or(0)),
                        Reason::Stopped => p.t("budget-why-stopped"),
                        Reason::Unaffordable => p.t("budget-why-unaffordable"),
                    };
                    let overridden = x.overridden.as_ref().map(|o| {
                        p.ctx.i18n.t_args(
                            p.lang,
                            if o.funded { "budget-override-funded" } else { "budget-override-not-funded" },
                            &[("who", o.decided_by.clone().into()), ("when", o.decided_at.display_local().into()), ("why", o.reason.clone().into())],
                        )
                    });
                    ResultRow {
                        id: x.project.id.clone(),
                        number: x.project.number,
                        title: x.project.title.clone(),
                        cost: money(p, x.project.cost()),
                        votes: x.votes,
                        score: x.score,
                        rank: x.rank,
                        computed: x.computed,
                        funded: x.funded,
                        why,
                        overridden,
                    }
                })
                .collect();
            AreaResultRow {
                id: r.area.id.clone(),
                name: r.area.name.clone(),
                budget: money(p, r.area.budget_cents),
                spent: money(p, r.spent_cents),
                computed_spent: money(p, r.computed_spent_cents),
                remaining: money(p, r.remaining_cents),
                ballots: r.ballots,
                online: r.online,
                paper: r.paper,
                imported: r.imported,
                eligible: r.area.eligible_voters.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                turnout: percent(p, share),
                changed: rows.iter().any(|x| x.overridden.is_some()),
                rows,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "budget_results.html")]
struct ResultsPage {
    p: Page,
    c: CycleRow,
    areas: Vec<AreaResultRow>,
    score_label: String,
    ties: String,
    staff: bool,
    published: bool,
    participation: String,
}

async fn results_view(ctx: &Ctx, p: Page, actor: &Actor, c: &Cycle, staff: bool) -> AppResult<Response> {
    let results = service::results(ctx, actor, c).await?;
    let (_, total) = service::participation(&results);
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let score_label = p.tk("budget-score", c.ballot.kind.code());
    let mut participation = p.ctx.i18n.t_args(
        p.lang,
        "budget-participation-total",
        &[("ballots", (total.ballots() as i64).into()), ("online", (total.online as i64).into()), ("paper", (total.paper as i64).into())],
    );
    if total.imported > 0 {
        participation = format!("{participation} {}", p.tn("budget-imported", "n", total.imported as i64));
    }
    participation = format!("{participation} {}", p.t1("budget-turnout-total", "share", percent(&p, total.share())));
    Ok(render(&ResultsPage {
        c: cycle_row(&p, c, &areas),
        areas: result_rows(&p, c, &results),
        score_label,
        ties: p.t("budget-ties"),
        staff,
        published: c.phase == Phase::Results,
        participation,
        p,
    }))
}

async fn results_page(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    let c = service::visible_cycle(&ctx, &actor, &id).await?;
    if c.phase != Phase::Results {
        return Err(AppError::conflict("results_not_published"));
    }
    results_view(&ctx, p, &Actor::Anonymous, &c, false).await
}

// ---- staff ----

#[derive(Template)]
#[template(path = "budget_staff.html")]
struct StaffIndex {
    p: Page,
    cycles: Vec<CycleRow>,
    form: Form,
    errors: Errors,
    rules: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
}

impl StaffIndex {
    fn v(&self, k: &str) -> String {
        get1(&self.form, k).to_string()
    }
}

fn rule_options(p: &Page) -> Vec<(&'static str, String)> {
    RuleName::ALL.into_iter().map(|r| (r.code(), p.tk("budget-rule", r.code()))).collect()
}

fn kind_options(p: &Page) -> Vec<(&'static str, String)> {
    [BallotKind::Approval, BallotKind::Cumulative, BallotKind::Ranked].into_iter().map(|k| (k.code(), p.tk("budget-kind", k.code()))).collect()
}

async fn staff_index_view(ctx: &Ctx, p: Page, actor: &Actor, form: Form, errors: Errors) -> AppResult<Response> {
    let mut cycles = vec![];
    for c in service::visible_cycles(ctx, actor).await? {
        let areas = store::areas(ctx.db.conn(), &c.id).await?;
        cycles.push(cycle_row(&p, &c, &areas));
    }
    Ok(render(&StaffIndex { rules: rule_options(&p), kinds: kind_options(&p), cycles, form, errors, p }))
}

async fn staff_index(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let defaults: Form = [
        ("year", "2027"),
        ("kind", "approval"),
        ("min_projects", "1"),
        ("max_projects", "3"),
        ("total_points", "10"),
        ("max_points", "5"),
        ("rule", "greedy"),
        ("min_age", "15"),
        ("postcodes", "2250"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    staff_index_view(&ctx, p, &actor, defaults, Errors::default()).await
}

fn num(f: &Form, k: &str) -> Result<i64, AppError> {
    let v = get1(f, k);
    if v.is_empty() {
        return Ok(0);
    }
    v.parse().map_err(|_| AppError::field(if k == "max_points" { "max_points_per_project" } else { k }, "not_a_number"))
}

fn cycle_from_form(f: &Form) -> Result<CycleInput, AppError> {
    let kind = BallotKind::parse(get1(f, "kind")).ok_or_else(|| AppError::field("kind", "required"))?;
    let rule = RuleName::parse(get1(f, "rule")).ok_or_else(|| AppError::field("rule", "required"))?;
    let threshold = match get1(f, "threshold") {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| AppError::field("threshold", "not_a_number"))?),
    };
    Ok(CycleInput {
        year: num(f, "year")?,
        title: get1(f, "title").into(),
        description: get1(f, "description").into(),
        dates: Dates {
            submission_from: opt(f, "submission_from"),
            submission_to: opt(f, "submission_to"),
            review_to: opt(f, "review_to"),
            voting_from: opt(f, "voting_from"),
            voting_to: opt(f, "voting_to"),
            results_on: opt(f, "results_on"),
        },
        ballot: BallotRules {
            kind,
            min_projects: num(f, "min_projects")?,
            max_projects: num(f, "max_projects")?,
            total_points: num(f, "total_points")?,
            max_points_per_project: num(f, "max_points")?,
        },
        rule,
        threshold,
        min_age: num(f, "min_age")?,
        resident_postcodes: get1(f, "postcodes").into(),
    })
}

async fn staff_create(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let result = match cycle_from_form(&f) {
        Ok(input) => service::create_cycle(&ctx, &actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/staff/budget/{}", c.id))),
        Err(e) if fixable(&e) => Ok(with_status(staff_index_view(&ctx, p.clone(), &actor, f, Errors::from(&p, &e)).await?, &e)),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "budget_staff_cycle.html")]
struct StaffCycle {
    p: Page,
    c: CycleRow,
    areas: Vec<AreaRow>,
    next: Option<(&'static str, String)>,
    form: Form,
    errors: Errors,
    rules: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    pending: usize,
}

impl StaffCycle {
    fn v(&self, k: &str) -> String {
        get1(&self.form, k).to_string()
    }
}

fn cycle_form(c: &Cycle) -> Form {
    let d = &c.dates;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        ("year", c.year.to_string()),
        ("title", c.title.clone()),
        ("description", c.description.clone()),
        ("submission_from", s(&d.submission_from)),
        ("submission_to", s(&d.submission_to)),
        ("review_to", s(&d.review_to)),
        ("voting_from", s(&d.voting_from)),
        ("voting_to", s(&d.voting_to)),
        ("results_on", s(&d.results_on)),
        ("kind", c.ballot.kind.code().into()),
        ("min_projects", c.ballot.min_projects.to_string()),
        ("max_projects", c.ballot.max_projects.to_string()),
        ("total_points", c.ballot.total_points.to_string()),
        ("max_points", c.ballot.max_points_per_project.to_string()),
        ("rule", c.rule.code().into()),
        ("threshold", c.threshold.map(|t| t.to_string()).unwrap_or_default()),
        ("min_age", c.min_age.to_string()),
        ("postcodes", c.resident_postcodes.join(", ")),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b))
    .collect()
}

async fn staff_cycle_view(ctx: &Ctx, p: Page, c: &Cycle, form: Option<Form>, errors: Errors) -> AppResult<Response> {
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let projects = store::projects(ctx.db.conn(), &c.id).await?;
    Ok(render(&StaffCycle {
        c: cycle_row(&p, c, &areas),
        areas: area_rows(&p, &areas, &projects),
        next: c.phase.next().map(|n| (c.phase.code(), p.tk("budget-advance-to", n.code()))),
        form: form.unwrap_or_else(|| cycle_form(c)),
        errors,
        rules: rule_options(&p),
        kinds: kind_options(&p),
        pending: projects.iter().filter(|x| x.review == Review::Pending).count(),
        p,
    }))
}

async fn staff_cycle(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    staff_cycle_view(&ctx, p, &c, None, Errors::default()).await
}

async fn staff_update(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    let result = match cycle_from_form(&f) {
        Ok(input) => service::update_cycle(&ctx, &actor, &id, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/staff/budget/{}", c.id))),
        Err(e) if fixable(&e) => Ok(with_status(staff_cycle_view(&ctx, p.clone(), &c, Some(f), Errors::from(&p, &e)).await?, &e)),
        Err(e) => Err(e),
    }
}

async fn staff_advance(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    match service::advance(&ctx, &actor, &id, Phase::parse(get1(&f, "from"))).await {
        Ok(c) => Ok(see_other(&format!("/staff/budget/{}", c.id))),
        Err(e) if fixable(&e) => {
            let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
            Ok(with_status(staff_cycle_view(&ctx, p.clone(), &c, None, Errors::from(&p, &e)).await?, &e))
        }
        Err(e) => Err(e),
    }
}

async fn staff_add_area(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    let eligible = match get1(&f, "eligible") {
        "" => Ok(None),
        v => v.parse::<i64>().map(Some).map_err(|_| AppError::field("eligible_voters", "not_a_number")),
    };
    let result = match (parse_euros(get1(&f, "budget"), p.lang), eligible) {
        (None, _) => Err(AppError::field("budget_cents", "invalid_amount")),
        (_, Err(e)) => Err(e),
        (Some(cents), Ok(eligible)) => {
            let input = AreaInput { name: get1(&f, "name").into(), budget_cents: cents, eligible_voters: eligible };
            match opt(&f, "area") {
                Some(area) => service::update_area(&ctx, &actor, &area, input).await,
                None => service::add_area(&ctx, &actor, &id, input).await,
            }
        }
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/staff/budget/{id}"))),
        Err(e) if fixable(&e) => Ok(with_status(staff_cycle_view(&ctx, p.clone(), &c, None, Errors::from(&p, &e)).await?, &e)),
        Err(e) => Err(e),
    }
}

async fn staff_import(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    match service::import(&ctx, &actor, &id, get1(&f, "import_name"), get1(&f, "pb")).await {
        Ok(_) => Ok(see_other(&format!("/staff/budget/{id}"))),
        Err(e) if fixable(&e) => Ok(with_status(staff_cycle_view(&ctx, p.clone(), &c, None, Errors::from(&p, &e)).await?, &e)),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "budget_staff_review.html")]
struct StaffReview {
    p: Page,
    c: CycleRow,
    projects: Vec<ProjectRow>,
    open: bool,
    errors: Errors,
    failed: String,
}

async fn staff_review_view(ctx: &Ctx, p: Page, c: &Cycle, errors: Errors, failed: String) -> AppResult<Response> {
    let areas = store::areas(ctx.db.conn(), &c.id).await?;
    let projects = store::projects(ctx.db.conn(), &c.id).await?.iter().map(|x| project_row(&p, x, &areas)).collect();
    Ok(render(&StaffReview { c: cycle_row(&p, c, &areas), projects, open: matches!(c.phase, Phase::Submission | Phase::Review), errors, failed, p }))
}

async fn staff_review_page(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    staff_review_view(&ctx, p, &c, Errors::default(), String::new()).await
}

async fn staff_review(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(pid): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let x = store::project(ctx.db.conn(), &pid).await?.ok_or_else(AppError::not_found)?;
    let c = store::cycle(ctx.db.conn(), &x.cycle_id).await?.ok_or_else(AppError::not_found)?;
    let cost = match get1(&f, "cost") {
        "" => Ok(None),
        v => parse_euros(v, p.lang).map(Some).ok_or_else(|| AppError::field("cost_cents", "invalid_amount")),
    };
    let result = match cost {
        Ok(cost) => {
            let cost = cost.filter(|c| *c != x.estimated_cents);
            service::review(
                &ctx,
                &actor,
                &pid,
                ReviewInput { feasible: get1(&f, "decision") == "feasible", reason: opt(&f, "reason"), cost_cents: cost },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/staff/budget/{}/review#p{}", c.id, x.number))),
        Err(e) if fixable(&e) => Ok(with_status(staff_review_view(&ctx, p.clone(), &c, Errors::from(&p, &e), x.id.clone()).await?, &e)),
        Err(e) => Err(e),
    }
}

async fn staff_paper_page(
    State(ctx): State<Ctx>,
    p: Page,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    let blocked = (!matches!(c.phase, Phase::Voting | Phase::Counting)).then(|| p.error_text("wrong_phase"));
    let entered = q.get("entered").map(|n| p.tn("budget-paper-entered", "n", n.parse::<i64>().unwrap_or(0)));
    let form = vec![("copies".to_string(), "1".to_string())];
    let view = BallotView { cycle: &c, area: q.get("area").map(String::as_str), form, errors: Errors::default(), paper: true, blocked, entered };
    ballot_view(&ctx, p, view).await
}

async fn staff_paper(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    let result = match (ballot_from_form(&c, &f), get1(&f, "copies").parse::<i64>()) {
        (Ok(b), Ok(copies)) => {
            service::enter_paper(&ctx, &actor, &id, PaperInput { ballot: b, copies, emso: opt(&f, "emso"), station: opt(&f, "station") }).await
        }
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(AppError::field("copies", "not_a_number")),
    };
    let area = get1(&f, "area").to_string();
    match result {
        Ok(n) => Ok(see_other(&format!("/staff/budget/{id}/paper?area={}&entered={n}", kernel::layout::urlencode(&area)))),
        Err(e) if fixable(&e) => {
            let view = BallotView { cycle: &c, area: Some(&area), errors: Errors::from(&p, &e), form: f, paper: true, blocked: None, entered: None };
            Ok(with_status(ballot_view(&ctx, p, view).await?, &e))
        }
        Err(e) => Err(e),
    }
}

async fn staff_count(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let c = store::cycle(ctx.db.conn(), &id).await?.ok_or_else(AppError::not_found)?;
    results_view(&ctx, p, &actor, &c, true).await
}

async fn staff_override(State(ctx): State<Ctx>, actor: Actor, Path(pid): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBudget)?;
    let x = store::project(ctx.db.conn(), &pid).await?.ok_or_else(AppError::not_found)?;
    let input = OverrideInput { funded: get1(&f, "funded") == "1", reason: get1(&f, "reason").into(), decided_by: get1(&f, "decided_by").into() };
    service::set_override(&ctx, &actor, &pid, input).await?;
    Ok(see_other(&format!("/staff/budget/{}/count#r{}", x.cycle_id, x.number)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_both_conventions() {
        assert_eq!(parse_euros("12.500,50", Lang::Sl), Some(1_250_050));
        assert_eq!(parse_euros("12500", Lang::Sl), Some(1_250_000));
        assert_eq!(parse_euros("12,500.50", Lang::En), Some(1_250_050));
        assert_eq!(parse_euros("12 500 €", Lang::Sl), Some(1_250_000));
        assert_eq!(parse_euros("1.500", Lang::Sl), Some(150_000));
        assert_eq!(parse_euros("abc", Lang::Sl), None);
        assert_eq!(parse_euros("-5", Lang::Sl), None);
    }
}
