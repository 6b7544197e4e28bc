//! The participatory budget's rules: who may do what in which phase, who may
//! vote, and the audit of every staff action. API and pages both call here.

use crate::count::{self, AreaResult};
use crate::model::{self, BallotError, BallotKind, BallotRules, Filled, Phase, Review, RuleName};
use crate::store::{self, Area, Ballot, Channel, Cycle, Dates, Override, Project};
use kernel::error::FieldError;
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use sea_orm::ConnectionTrait;

fn invalid(errors: Vec<(&str, &str)>) -> AppError {
    AppError::invalid(errors.into_iter().map(|(f, c)| FieldError { field: f.into(), code: c.into() }).collect())
}

async fn audit<C: ConnectionTrait>(c: &C, ctx: &Ctx, account: &str, action: &str, subject: &str, detail: serde_json::Value) -> AppResult<()> {
    ctx.audit(c, kernel::audit::AuditEntry { actor: &format!("account:{account}"), action, subject, outcome: "ok", detail }).await?;
    Ok(())
}

/// A cycle's settings as submitted.
#[derive(Clone, Debug)]
pub struct CycleInput {
    pub year: i64,
    pub title: String,
    pub description: String,
    pub dates: Dates,
    pub ballot: BallotRules,
    pub rule: RuleName,
    pub threshold: Option<i64>,
    pub min_age: i64,
    pub resident_postcodes: String,
}

impl CycleInput {
    fn check(&self) -> AppResult<(String, String, Vec<String>)> {
        let mut e = self.ballot.check();
        if !(2000..=2100).contains(&self.year) {
            e.push(("year", "out_of_range"));
        }
        let title = model::text(&self.title, 1, 200).map_err(|c| e.push(("title", c))).unwrap_or_default();
        let description = model::text(&self.description, 0, 5000).map_err(|c| e.push(("description", c))).unwrap_or_default();
        let d = &self.dates;
        for (field, v) in [
            ("submission_from", &d.submission_from),
            ("submission_to", &d.submission_to),
            ("review_to", &d.review_to),
            ("voting_from", &d.voting_from),
            ("voting_to", &d.voting_to),
            ("results_on", &d.results_on),
        ] {
            if v.as_deref().is_some_and(|v| model::date(v).is_none()) {
                e.push((field, "invalid_date"));
            }
        }
        if let (Some(a), Some(b)) = (d.voting_from.as_deref().and_then(model::date), d.voting_to.as_deref().and_then(model::date))
            && a > b
        {
            e.push(("voting_to", "before_start"));
        }
        match (self.rule, self.threshold) {
            (RuleName::GreedyThreshold, None) => e.push(("threshold", "required")),
            (_, Some(t)) if !(0..=1_000_000_000).contains(&t) => e.push(("threshold", "out_of_range")),
            _ => {}
        }
        if !(0..=120).contains(&self.min_age) {
            e.push(("min_age", "out_of_range"));
        }
        let postcodes = model::parse_postcodes(&self.resident_postcodes).unwrap_or_else(|| {
            e.push(("resident_postcodes", "invalid_postcodes"));
            vec![]
        });
        if e.is_empty() { Ok((title, description, postcodes)) } else { Err(invalid(e)) }
    }
}

fn normalize_dates(d: &Dates) -> Dates {
    let f = |v: &Option<String>| v.as_deref().and_then(model::date).map(|d| d.format("%Y-%m-%d").to_string());
    Dates {
        submission_from: f(&d.submission_from),
        submission_to: f(&d.submission_to),
        review_to: f(&d.review_to),
        voting_from: f(&d.voting_from),
        voting_to: f(&d.voting_to),
        results_on: f(&d.results_on),
    }
}

/// A cycle visible to this actor: staff see drafts, everyone else not.
pub async fn visible_cycle(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<Cycle> {
    let c = store::cycle(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    if c.phase == Phase::Draft && !actor.allows(Permission::ManageBudget) {
        return Err(AppError::not_found());
    }
    Ok(c)
}

/// Cycles this actor may see, newest first.
pub async fn visible_cycles(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Cycle>> {
    let staff = actor.allows(Permission::ManageBudget);
    Ok(store::cycles(ctx.db.conn()).await?.into_iter().filter(|c| staff || c.phase != Phase::Draft).collect())
}

pub async fn create_cycle(ctx: &Ctx, actor: &Actor, input: CycleInput) -> AppResult<Cycle> {
    let user = actor.check(Permission::ManageBudget)?;
    let (title, description, resident_postcodes) = input.check()?;
    let cycle = Cycle {
        id: uuid::Uuid::now_v7().to_string(),
        year: input.year,
        title,
        description,
        phase: Phase::Draft,
        dates: normalize_dates(&input.dates),
        ballot: input.ballot,
        rule: input.rule,
        threshold: input.threshold,
        min_age: input.min_age,
        resident_postcodes,
        demo: false,
    };
    let txn = ctx.db.begin().await?;
    if !store::insert_cycle(&txn, &cycle, ctx.now()).await? {
        return Err(AppError::field("year", "year_taken"));
    }
    audit(&txn, ctx, &user.account_id, "budget.cycle.create", &format!("budget_cycle:{}", cycle.id), serde_json::json!({"year": cycle.year})).await?;
    txn.commit().await?;
    Ok(cycle)
}

/// Change a cycle's settings. The ballot is fixed once voting starts; the
/// counting rule until the results are published.
pub async fn update_cycle(ctx: &Ctx, actor: &Actor, id: &str, input: CycleInput) -> AppResult<Cycle> {
    let user = actor.check(Permission::ManageBudget)?;
    let (title, description, resident_postcodes) = input.check()?;
    let txn = ctx.db.begin().await?;
    let old = store::cycle(&txn, id).await?.ok_or_else(AppError::not_found)?;
    let voting_started = old.phase >= Phase::Voting;
    if voting_started && (old.ballot != input.ballot || old.min_age != input.min_age || old.resident_postcodes != resident_postcodes) {
        return Err(AppError::conflict("ballot_fixed"));
    }
    if old.phase == Phase::Results && (old.rule != input.rule || old.threshold != input.threshold) {
        return Err(AppError::conflict("results_published"));
    }
    let cycle = Cycle {
        year: input.year,
        title,
        description,
        dates: normalize_dates(&input.dates),
        ballot: input.ballot,
        rule: input.rule,
        threshold: input.threshold,
        min_age: input.min_age,
        resident_postcodes,
        ..old.clone()
    };
    if !store::update_cycle(&txn, &cycle, ctx.now()).await? {
        return Err(AppError::field("year", "year_taken"));
    }
    let detail = serde_json::json!({"rule": cycle.rule.code(), "threshold": cycle.threshold, "ballot": cycle.ballot.kind.code()});
    audit(&txn, ctx, &user.account_id, "budget.cycle.update", &format!("budget_cycle:{id}"), detail).await?;
    txn.commit().await?;
    Ok(cycle)
}

/// Move a cycle to its next phase.
pub async fn advance(ctx: &Ctx, actor: &Actor, id: &str, expected: Option<Phase>) -> AppResult<Cycle> {
    let user = actor.check(Permission::ManageBudget)?;
    let txn = ctx.db.begin().await?;
    let mut cycle = store::cycle(&txn, id).await?.ok_or_else(AppError::not_found)?;
    // A form sent twice must not skip a phase.
    if expected.is_some_and(|e| e != cycle.phase) {
        return Err(AppError::conflict("phase_changed"));
    }
    let next = cycle.phase.next().ok_or_else(|| AppError::conflict("last_phase"))?;
    if next == Phase::Voting && store::areas(&txn, id).await?.is_empty() {
        return Err(AppError::conflict("no_areas"));
    }
    let from = cycle.phase;
    cycle.phase = next;
    store::update_cycle(&txn, &cycle, ctx.now()).await?;
    let detail = serde_json::json!({"from": from.code(), "to": next.code()});
    audit(&txn, ctx, &user.account_id, "budget.cycle.phase", &format!("budget_cycle:{id}"), detail).await?;
    txn.commit().await?;
    Ok(cycle)
}

/// An area as submitted.
#[derive(Clone, Debug)]
pub struct AreaInput {
    pub name: String,
    pub budget_cents: i64,
    pub eligible_voters: Option<i64>,
}

impl AreaInput {
    fn check(&self) -> AppResult<String> {
        let mut e = vec![];
        let name = model::text(&self.name, 1, 120).map_err(|c| e.push(("name", c))).unwrap_or_default();
        if !(0..=100_000_000_000).contains(&self.budget_cents) {
            e.push(("budget_cents", "out_of_range"));
        }
        if self.eligible_voters.is_some_and(|n| !(0..=100_000_000).contains(&n)) {
            e.push(("eligible_voters", "out_of_range"));
        }
        if e.is_empty() { Ok(name) } else { Err(invalid(e)) }
    }
}

pub async fn add_area(ctx: &Ctx, actor: &Actor, cycle_id: &str, input: AreaInput) -> AppResult<Area> {
    let user = actor.check(Permission::ManageBudget)?;
    let name = input.check()?;
    let txn = ctx.db.begin().await?;
    let cycle = store::cycle(&txn, cycle_id).await?.ok_or_else(AppError::not_found)?;
    if cycle.phase >= Phase::Voting {
        return Err(AppError::conflict("wrong_phase"));
    }
    let area = Area {
        id: uuid::Uuid::now_v7().to_string(),
        cycle_id: cycle_id.into(),
        name,
        budget_cents: input.budget_cents,
        eligible_voters: input.eligible_voters,
        position: 0,
    };
    if !store::insert_area(&txn, &area).await? {
        return Err(AppError::field("name", "name_taken"));
    }
    let detail = serde_json::json!({"cycle": cycle_id, "budget_cents": area.budget_cents});
    audit(&txn, ctx, &user.account_id, "budget.area.create", &format!("budget_area:{}", area.id), detail).await?;
    txn.commit().await?;
    store::area(ctx.db.conn(), &area.id).await?.ok_or_else(AppError::not_found)
}

/// Change an area: its budget only until voting starts; the eligible voters any time.
pub async fn update_area(ctx: &Ctx, actor: &Actor, area_id: &str, input: AreaInput) -> AppResult<Area> {
    let user = actor.check(Permission::ManageBudget)?;
    let name = input.check()?;
    let txn = ctx.db.begin().await?;
    let old = store::area(&txn, area_id).await?.ok_or_else(AppError::not_found)?;
    let cycle = store::cycle(&txn, &old.cycle_id).await?.ok_or_else(AppError::not_found)?;
    if cycle.phase >= Phase::Voting && (old.budget_cents != input.budget_cents || old.name != name) {
        return Err(AppError::conflict("wrong_phase"));
    }
    let area = Area { name, budget_cents: input.budget_cents, eligible_voters: input.eligible_voters, ..old };
    if !store::update_area(&txn, &area).await? {
        return Err(AppError::field("name", "name_taken"));
    }
    let detail = serde_json::json!({"budget_cents": area.budget_cents, "eligible_voters": area.eligible_voters});
    audit(&txn, ctx, &user.account_id, "budget.area.update", &format!("budget_area:{area_id}"), detail).await?;
    txn.commit().await?;
    Ok(area)
}

/// A project idea as a citizen submits it.
#[derive(Clone, Debug)]
pub struct ProjectInput {
    pub area_id: String,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub estimated_cents: i64,
}

/// Insert with the next number, retrying when another process took it (PostgreSQL).
async fn insert_numbered(ctx: &Ctx, mut project: Project, account: &str, action: &str) -> AppResult<Project> {
    for _ in 0..5 {
        let txn = ctx.db.begin().await?;
        match store::insert_project(&txn, &project).await {
            Ok(number) => {
                project.number = number;
                let detail = serde_json::json!({"cycle": project.cycle_id, "number": number, "area": project.area_id});
                audit(&txn, ctx, account, action, &format!("budget_project:{}", project.id), detail).await?;
                txn.commit().await?;
                return Ok(project);
            }
            Err(e) if kernel::db::is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("busy"))
}

pub async fn submit(ctx: &Ctx, actor: &Actor, cycle_id: &str, input: ProjectInput) -> AppResult<Project> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let cycle = visible_cycle(ctx, actor, cycle_id).await?;
    let mut e = vec![];
    let title = model::text(&input.title, 3, 200).map_err(|c| e.push(("title", c))).unwrap_or_default();
    let description = model::text(&input.description, 10, 5000).map_err(|c| e.push(("description", c))).unwrap_or_default();
    let location = match input.location.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => model::text(l, 1, 300).map_err(|c| e.push(("location", c))).ok(),
    };
    if !(1..=100_000_000_000).contains(&input.estimated_cents) {
        e.push(("estimated_cents", "out_of_range"));
    }
    let area = store::area(ctx.db.conn(), &input.area_id).await?.filter(|a| a.cycle_id == cycle.id);
    if area.is_none() {
        e.push(("area_id", "unknown_area"));
    }
    if !e.is_empty() {
        return Err(invalid(e));
    }
    if cycle.phase != Phase::Submission {
        return Err(AppError::conflict("wrong_phase"));
    }
    let project = Project {
        id: uuid::Uuid::now_v7().to_string(),
        cycle_id: cycle.id.clone(),
        area_id: input.area_id,
        number: 0,
        title,
        description,
        location,
        estimated_cents: input.estimated_cents,
        cost_cents: None,
        review: Review::Pending,
        review_reason: None,
        reviewed_at: None,
        submitted_by: Some(user.account_id.clone()),
        submitted_at: ctx.now(),
    };
    insert_numbered(ctx, project, &user.account_id, "budget.project.submit").await
}

/// The staff's decision on a project idea.
#[derive(Clone, Debug)]
pub struct ReviewInput {
    pub feasible: bool,
    /// Shown publicly; required when not feasible or when the cost changes.
    pub reason: Option<String>,
    /// The corrected cost; none: the proposer's estimate stands.
    pub cost_cents: Option<i64>,
}

pub async fn review(ctx: &Ctx, actor: &Actor, project_id: &str, input: ReviewInput) -> AppResult<Project> {
    let user = actor.check(Permission::ManageBudget)?;
    let mut e = vec![];
    let reason = match input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => model::text(r, 1, 2000).map_err(|c| e.push(("reason", c))).ok(),
    };
    if input.cost_cents.is_some_and(|c| !(1..=100_000_000_000).contains(&c)) {
        e.push(("cost_cents", "out_of_range"));
    }
    if !e.is_empty() {
        return Err(invalid(e));
    }
    let txn = ctx.db.begin().await?;
    let p = store::project(&txn, project_id).await?.ok_or_else(AppError::not_found)?;
    let cycle = store::cycle(&txn, &p.cycle_id).await?.ok_or_else(AppError::not_found)?;
    if !matches!(cycle.phase, Phase::Submission | Phase::Review) {
        return Err(AppError::conflict("wrong_phase"));
    }
    let cost_changed = input.cost_cents.is_some_and(|c| c != p.estimated_cents);
    if reason.is_none() && (!input.feasible || cost_changed) {
        return Err(AppError::field("reason", "reason_required"));
    }
    let decision = if input.feasible { Review::Feasible } else { Review::NotFeasible };
    store::review_project(&txn, project_id, decision, reason.as_deref(), input.cost_cents, ctx.now()).await?;
    let detail = serde_json::json!({"review": decision.code(), "cost_cents": input.cost_cents, "estimated_cents": p.estimated_cents});
    audit(&txn, ctx, &user.account_id, "budget.project.review", &format!("budget_project:{project_id}"), detail).await?;
    txn.commit().await?;
    store::project(ctx.db.conn(), project_id).await?.ok_or_else(AppError::not_found)
}

/// Why someone may not vote (yet), as an error with a stable code.
pub async fn eligibility(ctx: &Ctx, actor: &Actor, cycle: &Cycle) -> AppResult<Vec<String>> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let account_marker = account_marker(ctx, &cycle.id, &user.account_id);
    if store::has_voted(ctx.db.conn(), &cycle.id, &account_marker).await? {
        return Err(AppError::conflict("already_voted"));
    }
    let profile = identity::store::profile(ctx.db.conn(), &ctx.keys, &user.account_id).await?;
    // Voters are verified residents: the EMŠO (checked when it was entered,
    // or brought by the national eID) is the identity that votes once.
    let emso = profile.emso.as_deref().and_then(|e| identity::model::Emso::parse(e).ok()).ok_or_else(|| AppError::forbidden("no_emso"))?;
    if cycle.min_age > 0 {
        let today = ctx.now().local().date();
        if model::age_on(emso.birth_date(), today) < cycle.min_age {
            return Err(AppError::forbidden("too_young").with_detail(format!("the age limit is {}", cycle.min_age)));
        }
    }
    if !cycle.resident_postcodes.is_empty() {
        let address = profile.address.as_deref().ok_or_else(|| AppError::forbidden("no_address"))?;
        if !model::address_in(address, &cycle.resident_postcodes) {
            return Err(AppError::forbidden("not_resident"));
        }
    }
    Ok(vec![account_marker, marker(ctx, &cycle.id, "emso", emso.as_str())])
}

/// The keyed "has voted" marker of an identity in a cycle: the same identity
/// always gives the same marker, but it cannot be turned back into one.
fn marker(ctx: &Ctx, cycle_id: &str, kind: &str, value: &str) -> String {
    ctx.keys.mac("budget-voter", &format!("{cycle_id}:{kind}:{value}"))
}

/// The marker of an account in a cycle.
pub fn account_marker(ctx: &Ctx, cycle_id: &str, account_id: &str) -> String {
    marker(ctx, cycle_id, "account", account_id)
}

pub async fn has_voted(ctx: &Ctx, actor: &Actor, cycle_id: &str) -> AppResult<bool> {
    let Some(account) = actor.account_id() else { return Ok(false) };
    Ok(store::has_voted(ctx.db.conn(), cycle_id, &account_marker(ctx, cycle_id, account)).await?)
}

/// A ballot as filled in.
#[derive(Clone, Debug)]
pub struct BallotInput {
    pub area_id: String,
    pub projects: Vec<i64>,
    pub points: Option<Vec<i64>>,
}

fn ballot_error(e: BallotError) -> AppError {
    let field = if matches!(e, BallotError::PointsNegative | BallotError::PointsPerProject | BallotError::PointsTotal | BallotError::NoPoints) {
        "points"
    } else {
        "projects"
    };
    AppError::field(field, e.code())
}

async fn checked_ballot<C: ConnectionTrait>(c: &C, cycle: &Cycle, input: &BallotInput, channel: Channel) -> AppResult<Ballot> {
    let area = store::area(c, &input.area_id).await?.filter(|a| a.cycle_id == cycle.id).ok_or_else(|| AppError::field("area_id", "unknown_area"))?;
    let projects = store::projects(c, &cycle.id).await?;
    let numbers: Vec<i64> = count::on_ballot(&projects, &area.id).iter().map(|p| p.number).collect();
    let filled = Filled { projects: input.projects.clone(), points: input.points.clone() }.validate(&cycle.ballot, &numbers).map_err(ballot_error)?;
    Ok(Ballot { id: uuid::Uuid::new_v4().to_string(), area_id: area.id, channel, vote: filled.projects, points: filled.points })
}

/// Cast the ballot of the signed-in resident. The markers and the ballot
/// commit together; a second ballot of the same identity fails on the
/// markers' primary key, whatever the timing.
pub async fn vote(ctx: &Ctx, actor: &Actor, cycle_id: &str, input: BallotInput) -> AppResult<()> {
    let cycle = visible_cycle(ctx, actor, cycle_id).await?;
    let markers = eligibility(ctx, actor, &cycle).await?;
    let txn = ctx.db.begin().await?;
    let ballot = checked_ballot(&txn, &cycle, &input, Channel::Online).await?;
    let phase = store::cycle(&txn, cycle_id).await?.map(|c| c.phase);
    if phase != Some(Phase::Voting) {
        return Err(AppError::conflict("voting_closed"));
    }
    let fresh = match store::mark_voted(&txn, cycle_id, &markers).await {
        Ok(f) => f,
        Err(e) if kernel::db::is_unique_violation(&e) => false,
        Err(e) => return Err(e.into()),
    };
    if !fresh {
        return Err(AppError::conflict("already_voted"));
    }
    store::insert_ballots(&txn, cycle_id, &[ballot]).await?;
    match txn.commit().await {
        Ok(()) => Ok(()),
        Err(e) if kernel::db::is_unique_violation(&e) => Err(AppError::conflict("already_voted")),
        Err(e) => Err(e.into()),
    }
}

/// Paper ballots from a polling station, entered by staff: `copies` ballots
/// marked the same way. With the voter's EMŠO (one ballot), the voter is
/// marked as having voted, so they cannot vote online as well.
#[derive(Clone, Debug)]
pub struct PaperInput {
    pub ballot: BallotInput,
    pub copies: i64,
    pub emso: Option<String>,
    /// Polling station, for the audit log.
    pub station: Option<String>,
}

pub async fn enter_paper(ctx: &Ctx, actor: &Actor, cycle_id: &str, input: PaperInput) -> AppResult<usize> {
    let user = actor.check(Permission::ManageBudget)?;
    let mut e = vec![];
    if !(1..=10_000).contains(&input.copies) {
        e.push(("copies", "out_of_range"));
    }
    let emso = match input.emso.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => identity::model::Emso::parse(s).map_err(|c| e.push(("emso", c))).ok(),
    };
    if emso.is_some() && input.copies != 1 {
        e.push(("copies", "one_with_emso"));
    }
    let station = match input.station.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => model::text(s, 1, 120).map_err(|c| e.push(("station", c))).ok(),
    };
    if !e.is_empty() {
        return Err(invalid(e));
    }
    let txn = ctx.db.begin().await?;
    let cycle = store::cycle(&txn, cycle_id).await?.ok_or_else(AppError::not_found)?;
    if !matches!(cycle.phase, Phase::Voting | Phase::Counting) {
        return Err(AppError::conflict("wrong_phase"));
    }
    let one = checked_ballot(&txn, &cycle, &input.ballot, Channel::Paper).await?;
    if let Some(emso) = &emso
        && !store::mark_voted(&txn, cycle_id, &[marker(ctx, cycle_id, "emso", emso.as_str())]).await?
    {
        return Err(AppError::conflict("already_voted"));
    }
    let ballots: Vec<Ballot> = (0..input.copies).map(|_| Ballot { id: uuid::Uuid::new_v4().to_string(), ..one.clone() }).collect();
    store::insert_ballots(&txn, cycle_id, &ballots).await?;
    let detail = serde_json::json!({"area": one.area_id, "copies": input.copies, "station": station, "vote": one.vote, "points": one.points, "voter_marked": emso.is_some()});
    audit(&txn, ctx, &user.account_id, "budget.paper.enter", &format!("budget_cycle:{cycle_id}"), detail).await?;
    txn.commit().await?;
    Ok(ballots.len())
}

/// Create an area with its projects and ballots from a Pabulib file (historic
/// data, tests). The projects are feasible at the file's costs.
pub async fn import(ctx: &Ctx, actor: &Actor, cycle_id: &str, name: &str, text: &str) -> AppResult<Area> {
    let user = actor.check(Permission::ManageBudget)?;
    let name = model::text(name, 1, 120).map_err(|c| AppError::field("name", c))?;
    let election = pb::parse(text).map_err(|e| AppError::field("pb", "pb_unreadable").with_detail(e.to_string()))?;
    let cycle = store::cycle(ctx.db.conn(), cycle_id).await?.ok_or_else(AppError::not_found)?;
    let imported = count::import(&election, cycle.ballot.kind).map_err(|c| AppError::field("pb", c))?;
    if cycle.phase == Phase::Results {
        return Err(AppError::conflict("wrong_phase"));
    }
    if imported.projects.len() > 2000 || imported.ballots.len() > 500_000 {
        return Err(AppError::field("pb", "too_large"));
    }
    let txn = ctx.db.begin().await?;
    let area = Area {
        id: uuid::Uuid::now_v7().to_string(),
        cycle_id: cycle_id.into(),
        name,
        budget_cents: imported.budget_cents,
        eligible_voters: None,
        position: 0,
    };
    if !store::insert_area(&txn, &area).await? {
        return Err(AppError::field("name", "name_taken"));
    }
    let now = ctx.now();
    let mut numbers = vec![];
    for (title, cost) in &imported.projects {
        let p = Project {
            id: uuid::Uuid::now_v7().to_string(),
            cycle_id: cycle_id.into(),
            area_id: area.id.clone(),
            number: 0,
            title: title.clone(),
            description: String::new(),
            location: None,
            estimated_cents: *cost,
            cost_cents: None,
            review: Review::Feasible,
            review_reason: None,
            reviewed_at: Some(now),
            submitted_by: None,
            submitted_at: now,
        };
        numbers.push(store::insert_project(&txn, &p).await?);
    }
    let ballots: Vec<Ballot> = imported
        .ballots
        .iter()
        .map(|(projects, points)| Ballot {
            id: uuid::Uuid::new_v4().to_string(),
            area_id: area.id.clone(),
            channel: Channel::Import,
            vote: projects.iter().map(|&i| numbers[i]).collect(),
            points: points.clone(),
        })
        .collect();
    store::insert_ballots(&txn, cycle_id, &ballots).await?;
    let detail = serde_json::json!({"cycle": cycle_id, "projects": numbers.len(), "ballots": ballots.len()});
    audit(&txn, ctx, &user.account_id, "budget.import", &format!("budget_area:{}", area.id), detail).await?;
    txn.commit().await?;
    Ok(area)
}

/// A council decision as entered.
#[derive(Clone, Debug)]
pub struct OverrideInput {
    pub funded: bool,
    pub reason: String,
    pub decided_by: String,
}

pub async fn set_override(ctx: &Ctx, actor: &Actor, project_id: &str, input: OverrideInput) -> AppResult<Override> {
    let user = actor.check(Permission::ManageBudget)?;
    let mut e = vec![];
    let reason = model::text(&input.reason, 5, 2000).map_err(|c| e.push(("reason", c))).unwrap_or_default();
    let decided_by = model::text(&input.decided_by, 3, 200).map_err(|c| e.push(("decided_by", c))).unwrap_or_default();
    if !e.is_empty() {
        return Err(invalid(e));
    }
    let txn = ctx.db.begin().await?;
    let p = store::project(&txn, project_id).await?.filter(|p| p.review == Review::Feasible).ok_or_else(AppError::not_found)?;
    let cycle = store::cycle(&txn, &p.cycle_id).await?.ok_or_else(AppError::not_found)?;
    if !matches!(cycle.phase, Phase::Counting | Phase::Results) {
        return Err(AppError::conflict("wrong_phase"));
    }
    let o = Override {
        project_id: project_id.into(),
        funded: input.funded,
        reason,
        decided_by,
        decided_at: ctx.now(),
        entered_by: user.account_id.clone(),
    };
    store::set_override(&txn, &o).await?;
    let detail = serde_json::json!({"funded": o.funded, "decided_by": o.decided_by, "reason": o.reason});
    audit(&txn, ctx, &user.account_id, "budget.override", &format!("budget_project:{project_id}"), detail).await?;
    txn.commit().await?;
    Ok(o)
}

/// Results are public once published; staff see them while counting.
pub async fn results(ctx: &Ctx, actor: &Actor, cycle: &Cycle) -> AppResult<Vec<AreaResult>> {
    let staff = actor.allows(Permission::ManageBudget);
    if !(cycle.phase == Phase::Results || (staff && cycle.phase >= Phase::Voting)) {
        return Err(AppError::conflict("results_not_published"));
    }
    compute(ctx, cycle).await
}

pub async fn compute(ctx: &Ctx, cycle: &Cycle) -> AppResult<Vec<AreaResult>> {
    let c = ctx.db.conn();
    let (areas, projects, ballots, overrides) = (
        store::areas(c, &cycle.id).await?,
        store::projects(c, &cycle.id).await?,
        store::ballots(c, &cycle.id).await?,
        store::overrides(c, &cycle.id).await?,
    );
    let municipality = ctx.config.municipality.name(kernel::Lang::Sl).to_string();
    Ok(areas.iter().map(|a| count::count_area(cycle, a, &projects, &ballots, &overrides, &municipality)).collect())
}

/// One area's election as a Pabulib file (UTF-8, no byte-order mark).
pub async fn export(ctx: &Ctx, actor: &Actor, cycle: &Cycle, area_id: &str) -> AppResult<String> {
    let results = results(ctx, actor, cycle).await?;
    let r = results.into_iter().find(|r| r.area.id == area_id).ok_or_else(AppError::not_found)?;
    Ok(pb::write(&r.election))
}

/// Participation figures of a cycle, per area and in all.
#[derive(Clone, Debug, Default)]
pub struct Participation {
    pub online: usize,
    pub paper: usize,
    pub imported: usize,
    pub eligible: Option<i64>,
}

impl Participation {
    pub fn ballots(&self) -> usize {
        self.online + self.paper + self.imported
    }
    /// Ballots per eligible voter, when the population is configured.
    pub fn share(&self) -> Option<f64> {
        self.eligible.filter(|e| *e > 0).map(|e| self.ballots() as f64 / e as f64)
    }
}

pub fn participation(results: &[AreaResult]) -> (Vec<Participation>, Participation) {
    let per: Vec<Participation> =
        results.iter().map(|r| Participation { online: r.online, paper: r.paper, imported: r.imported, eligible: r.area.eligible_voters }).collect();
    let all_known = per.iter().all(|p| p.eligible.is_some());
    let total = Participation {
        online: per.iter().map(|p| p.online).sum(),
        paper: per.iter().map(|p| p.paper).sum(),
        imported: per.iter().map(|p| p.imported).sum(),
        eligible: (all_known && !per.is_empty()).then(|| per.iter().filter_map(|p| p.eligible).sum()),
    };
    (per, total)
}

/// Is this kind of ballot one with points?
pub fn has_points(kind: BallotKind) -> bool {
    kind == BallotKind::Cumulative
}
