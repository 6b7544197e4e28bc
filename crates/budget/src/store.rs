//! The participatory budget's SQL, for both backends. The only place that
//! touches its tables.

use crate::model::{BallotKind, BallotRules, Phase, Review, RuleName};
use kernel::Timestamp;
use kernel::db::{col, exec, opt_i64, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

/// A cycle as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Cycle {
    pub id: String,
    pub year: i64,
    pub title: String,
    pub description: String,
    pub phase: Phase,
    pub dates: Dates,
    pub ballot: BallotRules,
    pub rule: RuleName,
    /// greedy-threshold: the least score (votes, or points) a project needs.
    pub threshold: Option<i64>,
    /// 0: no age limit.
    pub min_age: i64,
    /// Empty: anyone may vote; else the address must name one of these postcodes.
    pub resident_postcodes: Vec<String>,
    pub demo: bool,
}

/// The planned dates of the phases, `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Dates {
    #[schema(format = Date)]
    pub submission_from: Option<String>,
    #[schema(format = Date)]
    pub submission_to: Option<String>,
    #[schema(format = Date)]
    pub review_to: Option<String>,
    #[schema(format = Date)]
    pub voting_from: Option<String>,
    #[schema(format = Date)]
    pub voting_to: Option<String>,
    #[schema(format = Date)]
    pub results_on: Option<String>,
}

fn cycle_from(r: &QueryResult) -> Result<Cycle, DbErr> {
    let bad = |what: &str| DbErr::Custom(format!("budget_cycles: bad {what}"));
    Ok(Cycle {
        id: col(r, "id")?,
        year: col(r, "year")?,
        title: col(r, "title")?,
        description: col(r, "description")?,
        phase: Phase::parse(&col::<String>(r, "phase")?).ok_or_else(|| bad("phase"))?,
        dates: Dates {
            submission_from: col(r, "submission_from")?,
            submission_to: col(r, "submission_to")?,
            review_to: col(r, "review_to")?,
            voting_from: col(r, "voting_from")?,
            voting_to: col(r, "voting_to")?,
            results_on: col(r, "results_on")?,
        },
        ballot: BallotRules {
            kind: BallotKind::parse(&col::<String>(r, "ballot_kind")?).ok_or_else(|| bad("ballot_kind"))?,
            min_projects: col::<i64>(r, "min_projects")?,
            max_projects: col::<i64>(r, "max_projects")?,
            total_points: col::<i64>(r, "total_points")?,
            max_points_per_project: col::<i64>(r, "max_points_per_project")?,
        },
        rule: RuleName::parse(&col::<String>(r, "rule")?).ok_or_else(|| bad("rule"))?,
        threshold: col(r, "threshold")?,
        min_age: col::<i64>(r, "min_age")?,
        resident_postcodes: col::<String>(r, "resident_postcodes")?.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        demo: col::<i64>(r, "demo")? != 0,
    })
}

fn cycle_values(c: &Cycle) -> Vec<Value> {
    let d = &c.dates;
    vec![
        c.id.clone().into(),
        (c.year as i32).into(),
        c.title.clone().into(),
        c.description.clone().into(),
        c.phase.code().into(),
        opt_str(d.submission_from.clone()),
        opt_str(d.submission_to.clone()),
        opt_str(d.review_to.clone()),
        opt_str(d.voting_from.clone()),
        opt_str(d.voting_to.clone()),
        opt_str(d.results_on.clone()),
        c.ballot.kind.code().into(),
        (c.ballot.min_projects as i32).into(),
        (c.ballot.max_projects as i32).into(),
        (c.ballot.total_points as i32).into(),
        (c.ballot.max_points_per_project as i32).into(),
        c.rule.code().into(),
        opt_i64(c.threshold),
        (c.min_age as i32).into(),
        c.resident_postcodes.join(",").into(),
    ]
}

/// A new cycle; false when the year has one.
pub async fn insert_cycle<C: ConnectionTrait>(c: &C, cy: &Cycle, now: Timestamp) -> Result<bool, DbErr> {
    let mut values = cycle_values(cy);
    values.extend([(cy.demo as i32).into(), now.0.into()]);
    let n = exec(
        c,
        "INSERT INTO budget_cycles (id, year, title, description, phase, submission_from, submission_to, review_to, voting_from, voting_to, \
         results_on, ballot_kind, min_projects, max_projects, total_points, max_points_per_project, rule, threshold, min_age, resident_postcodes, \
         demo, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22) \
         ON CONFLICT (year) DO NOTHING",
        values,
    )
    .await?;
    Ok(n > 0)
}

/// Save every setting of a cycle (its phase too); false when another cycle has the year.
pub async fn update_cycle<C: ConnectionTrait>(c: &C, cy: &Cycle, now: Timestamp) -> Result<bool, DbErr> {
    let taken = query_opt(c, "SELECT id FROM budget_cycles WHERE year = $1 AND id <> $2", [(cy.year as i32).into(), cy.id.clone().into()]).await?;
    if taken.is_some() {
        return Ok(false);
    }
    let mut values = cycle_values(cy);
    values.push(now.0.into());
    exec(
        c,
        "UPDATE budget_cycles SET year = $2, title = $3, description = $4, phase = $5, submission_from = $6, submission_to = $7, review_to = $8, \
         voting_from = $9, voting_to = $10, results_on = $11, ballot_kind = $12, min_projects = $13, max_projects = $14, total_points = $15, \
         max_points_per_project = $16, rule = $17, threshold = $18, min_age = $19, resident_postcodes = $20, updated_at = $21 WHERE id = $1",
        values,
    )
    .await?;
    Ok(true)
}

pub async fn cycle<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Cycle>, DbErr> {
    query_opt(c, "SELECT * FROM budget_cycles WHERE id = $1", [id.into()]).await?.map(|r| cycle_from(&r)).transpose()
}

/// Every cycle, newest year first.
pub async fn cycles<C: ConnectionTrait>(c: &C) -> Result<Vec<Cycle>, DbErr> {
    query_all(c, "SELECT * FROM budget_cycles ORDER BY year DESC", []).await?.iter().map(cycle_from).collect()
}

pub async fn any_cycle<C: ConnectionTrait>(c: &C) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT id FROM budget_cycles LIMIT 1", []).await?.is_some())
}

/// An area (district or local community) of a cycle, with its budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area {
    pub id: String,
    pub cycle_id: String,
    pub name: String,
    pub budget_cents: i64,
    /// Residents entitled to vote there, when the city knows it.
    pub eligible_voters: Option<i64>,
    pub position: i64,
}

fn area_from(r: &QueryResult) -> Result<Area, DbErr> {
    Ok(Area {
        id: col(r, "id")?,
        cycle_id: col(r, "cycle_id")?,
        name: col(r, "name")?,
        budget_cents: col(r, "budget_cents")?,
        eligible_voters: col(r, "eligible_voters")?,
        position: col::<i64>(r, "position")?,
    })
}

/// A new area at the end; false when the cycle has one of that name.
pub async fn insert_area<C: ConnectionTrait>(c: &C, a: &Area) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "INSERT INTO budget_areas (id, cycle_id, name, budget_cents, eligible_voters, position) \
         SELECT $1, $2, $3, $4, $5, COALESCE(MAX(position), 0) + 1 FROM budget_areas WHERE cycle_id = $2 \
         ON CONFLICT (cycle_id, name) DO NOTHING",
        [a.id.clone().into(), a.cycle_id.clone().into(), a.name.clone().into(), a.budget_cents.into(), opt_i64(a.eligible_voters)],
    )
    .await?;
    Ok(n > 0)
}

/// Change name, budget and eligible voters; false when the name is taken.
pub async fn update_area<C: ConnectionTrait>(c: &C, a: &Area) -> Result<bool, DbErr> {
    let taken = query_opt(
        c,
        "SELECT id FROM budget_areas WHERE cycle_id = $1 AND name = $2 AND id <> $3",
        [a.cycle_id.clone().into(), a.name.clone().into(), a.id.clone().into()],
    )
    .await?;
    if taken.is_some() {
        return Ok(false);
    }
    exec(
        c,
        "UPDATE budget_areas SET name = $2, budget_cents = $3, eligible_voters = $4 WHERE id = $1",
        [a.id.clone().into(), a.name.clone().into(), a.budget_cents.into(), opt_i64(a.eligible_voters)],
    )
    .await?;
    Ok(true)
}

pub async fn areas<C: ConnectionTrait>(c: &C, cycle_id: &str) -> Result<Vec<Area>, DbErr> {
    query_all(c, "SELECT * FROM budget_areas WHERE cycle_id = $1 ORDER BY position, name", [cycle_id.into()]).await?.iter().map(area_from).collect()
}

pub async fn area<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Area>, DbErr> {
    query_opt(c, "SELECT * FROM budget_areas WHERE id = $1", [id.into()]).await?.map(|r| area_from(&r)).transpose()
}

/// A project idea and its review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub cycle_id: String,
    pub area_id: String,
    /// Its number within the cycle, as on the ballot and in the Pabulib export.
    pub number: i64,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    /// What the proposer estimated.
    pub estimated_cents: i64,
    /// What staff found it will cost, when they corrected it.
    pub cost_cents: Option<i64>,
    pub review: Review,
    /// Public reason of the review.
    pub review_reason: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub submitted_by: Option<String>,
    pub submitted_at: Timestamp,
}

impl Project {
    /// The cost that counts: the staff's, else the estimate.
    pub fn cost(&self) -> i64 {
        self.cost_cents.unwrap_or(self.estimated_cents)
    }
}

fn project_from(r: &QueryResult) -> Result<Project, DbErr> {
    Ok(Project {
        id: col(r, "id")?,
        cycle_id: col(r, "cycle_id")?,
        area_id: col(r, "area_id")?,
        number: col::<i64>(r, "number")?,
        title: col(r, "title")?,
        description: col(r, "description")?,
        location: col(r, "location")?,
        estimated_cents: col(r, "estimated_cents")?,
        cost_cents: col(r, "cost_cents")?,
        review: Review::parse(&col::<String>(r, "review")?).unwrap_or(Review::Pending),
        review_reason: col(r, "review_reason")?,
        reviewed_at: col::<Option<i64>>(r, "reviewed_at")?.map(Timestamp),
        submitted_by: col(r, "submitted_by")?,
        submitted_at: Timestamp(col(r, "submitted_at")?),
    })
}

/// Store a project with the next free number of its cycle (in the caller's
/// transaction, which on SQLite holds the write lock; on PostgreSQL a
/// concurrent insert of the same number fails on the unique key and is retried by the caller).
pub async fn insert_project<C: ConnectionTrait>(c: &C, p: &Project) -> Result<i64, DbErr> {
    let row = query_opt(c, "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM budget_projects WHERE cycle_id = $1", [p.cycle_id.clone().into()]).await?;
    let number: i64 = row.map(|r| col::<i64>(&r, "n")).transpose()?.unwrap_or(1);
    exec(
        c,
        "INSERT INTO budget_projects (id, cycle_id, area_id, number, title, description, location, estimated_cents, cost_cents, review, \
         review_reason, reviewed_at, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [
            p.id.clone().into(),
            p.cycle_id.clone().into(),
            p.area_id.clone().into(),
            (number as i32).into(),
            p.title.clone().into(),
            p.description.clone().into(),
            opt_str(p.location.clone()),
            p.estimated_cents.into(),
            opt_i64(p.cost_cents),
            p.review.code().into(),
            opt_str(p.review_reason.clone()),
            opt_i64(p.reviewed_at.map(|t| t.0)),
            opt_str(p.submitted_by.clone()),
            p.submitted_at.0.into(),
        ],
    )
    .await?;
    Ok(number)
}

pub async fn project<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Project>, DbErr> {
    query_opt(c, "SELECT * FROM budget_projects WHERE id = $1", [id.into()]).await?.map(|r| project_from(&r)).transpose()
}

/// Every project of a cycle, by number.
pub async fn projects<C: ConnectionTrait>(c: &C, cycle_id: &str) -> Result<Vec<Project>, DbErr> {
    query_all(c, "SELECT * FROM budget_projects WHERE cycle_id = $1 ORDER BY number", [cycle_id.into()]).await?.iter().map(project_from).collect()
}

pub async fn review_project<C: ConnectionTrait>(
    c: &C,
    id: &str,
    review: Review,
    reason: Option<&str>,
    cost_cents: Option<i64>,
    now: Timestamp,
) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE budget_projects SET review = $2, review_reason = $3, cost_cents = $4, reviewed_at = $5 WHERE id = $1",
        [id.into(), review.code().into(), opt_str(reason.map(str::to_string)), opt_i64(cost_cents), now.0.into()],
    )
    .await
    .map(|_| ())
}

/// Record that an identity voted: every marker, or none if any is there
/// already (then false, and the caller rolls back).
pub async fn mark_voted<C: ConnectionTrait>(c: &C, cycle_id: &str, markers: &[String]) -> Result<bool, DbErr> {
    for m in markers {
        let n = exec(
            c,
            "INSERT INTO budget_voters (cycle_id, marker) VALUES ($1, $2) ON CONFLICT (cycle_id, marker) DO NOTHING",
            [cycle_id.into(), m.clone().into()],
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

pub async fn has_voted<C: ConnectionTrait>(c: &C, cycle_id: &str, marker: &str) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT marker FROM budget_voters WHERE cycle_id = $1 AND marker = $2", [cycle_id.into(), marker.into()]).await?.is_some())
}

/// How a ballot came in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    Paper,
    /// Read from a Pabulib file.
    Import,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Paper => "paper",
            Channel::Import => "import",
        }
    }
}

/// A ballot's contents: project numbers and, on cumulative ballots, points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    pub id: String,
    pub area_id: String,
    pub channel: Channel,
    pub vote: Vec<i64>,
    pub points: Option<Vec<i64>>,
}

fn join(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn split(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

/// Store ballots in multi-row INSERTs. Ids are random (v4): they say nothing
/// about when a ballot came in.
pub async fn insert_ballots<C: ConnectionTrait>(c: &C, cycle_id: &str, ballots: &[Ballot]) -> Result<(), DbErr> {
    for chunk in ballots.chunks(400) {
        let mut sql = String::from("INSERT INTO budget_ballots (id, cycle_id, area_id, channel, vote, points) VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
        for (i, b) in chunk.iter().enumerate() {
            let k = i * 6;
            sql.push_str(&format!("{}(${}, ${}, ${}, ${}, ${}, ${})", if i == 0 { "" } else { ", " }, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6));
            values.extend([
                b.id.clone().into(),
                cycle_id.into(),
                b.area_id.clone().into(),
                b.channel.code().into(),
                join(&b.vote).into(),
                opt_str(b.points.as_deref().map(join)),
            ]);
        }
        exec(c, &sql, values).await?;
    }
    Ok(())
}

/// Every ballot of a cycle, in the order of their random ids.
pub async fn ballots<C: ConnectionTrait>(c: &C, cycle_id: &str) -> Result<Vec<Ballot>, DbErr> {
    let rows = query_all(c, "SELECT * FROM budget_ballots WHERE cycle_id = $1 ORDER BY id", [cycle_id.into()]).await?;
    rows.iter()
        .map(|r| {
            let channel = match col::<String>(r, "channel")?.as_str() {
                "paper" => Channel::Paper,
                "import" => Channel::Import,
                _ => Channel::Online,
            };
            Ok(Ballot {
                id: col(r, "id")?,
                area_id: col(r, "area_id")?,
                channel,
                vote: split(&col::<String>(r, "vote")?),
                points: col::<Option<String>>(r, "points")?.map(|p| split(&p)),
            })
        })
        .collect()
}

/// A council decision that changes a computed outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    pub project_id: String,
    pub funded: bool,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: Timestamp,
    pub entered_by: String,
}

pub async fn set_override<C: ConnectionTrait>(c: &C, o: &Override) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO budget_overrides (project_id, funded, reason, decided_by, decided_at, entered_by) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (project_id) DO UPDATE SET funded = $2, reason = $3, decided_by = $4, decided_at = $5, entered_by = $6",
        [
            o.project_id.clone().into(),
            (o.funded as i32).into(),
            o.reason.clone().into(),
            o.decided_by.clone().into(),
            o.decided_at.0.into(),
            o.entered_by.clone().into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn overrides<C: ConnectionTrait>(c: &C, cycle_id: &str) -> Result<Vec<Override>, DbErr> {
    let rows = query_all(
        c,
        "SELECT o.* FROM budget_overrides o JOIN budget_projects p ON p.id = o.project_id WHERE p.cycle_id = $1 ORDER BY p.number",
        [cycle_id.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Override {
                project_id: col(r, "project_id")?,
                funded: col::<i64>(r, "funded")? != 0,
                reason: col(r, "reason")?,
                decided_by: col(r, "decided_by")?,
                decided_at: Timestamp(col(r, "decided_at")?),
                entered_by: col(r, "entered_by")?,
            })
        })
        .collect()
}

/// Accounts that proposed at least one project in a cycle (KPI).
pub async fn proposers<C: ConnectionTrait>(c: &C, cycle_id: &str) -> Result<i64, DbErr> {
    let r = query_opt(
        c,
        "SELECT COUNT(DISTINCT submitted_by) AS n FROM budget_projects WHERE cycle_id = $1 AND submitted_by IS NOT NULL",
        [cycle_id.into()],
    )
    .await?;
    r.map(|r| col::<i64>(&r, "n")).transpose().map(Option::unwrap_or_default)
}
