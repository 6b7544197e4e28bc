//! From stored ballots to a Pabulib election per area, counted by the `pb`
//! crate, with the reasons a results page shows; and back from a `.pb` file.

use crate::model::{BallotKind, Review, RuleName};
use crate::store::{Area, Ballot, Channel, Cycle, Override, Project};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use pb::greedy::{Greedy, Threshold};
use pb::number::{Num, int};
use pb::tally::Tally;

/// Money as Pabulib writes it: euros, exactly.
fn euros(cents: i64) -> Num {
    Num::new(BigInt::from(cents), BigInt::from(100))
}

/// Euros back to cents, when exact and in range.
pub fn cents(x: &Num) -> Option<i64> {
    let c = x * int(100);
    if !c.is_integer() || c < int(0) {
        return None;
    }
    c.to_integer().to_i64()
}

/// A project's id in the Pabulib file: its number, zero-padded so that
/// Pabulib's tie-break by id (compared as text) follows the numbers.
pub fn pabulib_id(number: i64) -> String {
    format!("{number:03}")
}

/// What goes on an area's ballot: the feasible projects, by number.
pub fn on_ballot<'a>(projects: &'a [Project], area_id: &str) -> Vec<&'a Project> {
    projects.iter().filter(|p| p.area_id == area_id && p.review == Review::Feasible).collect()
}

/// The rule as the `pb` crate takes it.
pub fn rule(cycle: &Cycle) -> pb::Rule {
    match cycle.rule {
        RuleName::Greedy => pb::Rule::Greedy(Greedy { skip: true, threshold: None }),
        RuleName::GreedyNoSkip => pb::Rule::Greedy(Greedy { skip: false, threshold: None }),
        RuleName::GreedyThreshold => {
            pb::Rule::Greedy(Greedy { skip: true, threshold: Some(Threshold::Score(int(cycle.threshold.unwrap_or(0).max(0) as u64))) })
        }
        RuleName::Mes => pb::Rule::EqualShares,
    }
}

/// One area's election in Pabulib form. `selected` is filled by `export`.
pub fn election(cycle: &Cycle, area: &Area, projects: &[Project], ballots: &[Ballot], municipality: &str) -> pb::Election {
    let listed = on_ballot(projects, &area.id);
    let kind = cycle.ballot.kind;
    let vote_type = kind.vote_type();
    let mut meta: Vec<(String, String)> = vec![
        ("description".into(), format!("{} – {}", cycle.title, area.name)),
        ("country".into(), "Slovenia".into()),
        ("unit".into(), municipality.into()),
        ("subunit".into(), area.name.clone()),
        ("instance".into(), cycle.year.to_string()),
        ("num_projects".into(), String::new()),
        ("num_votes".into(), String::new()),
        ("budget".into(), String::new()),
        ("vote_type".into(), vote_type.as_str().into()),
        ("rule".into(), cycle.rule.pabulib().into()),
    ];
    let pabulib_date = |d: &Option<String>| d.as_deref().and_then(crate::model::date).map(|d| d.format("%d.%m.%Y").to_string());
    if let Some(d) = pabulib_date(&cycle.dates.voting_from) {
        meta.push(("date_begin".into(), d));
    }
    if let Some(d) = pabulib_date(&cycle.dates.voting_to) {
        meta.push(("date_end".into(), d));
    }
    let b = &cycle.ballot;
    match kind {
        BallotKind::Approval => {
            if b.min_projects > 0 {
                meta.push(("min_length".into(), b.min_projects.to_string()));
            }
            meta.push(("max_length".into(), b.max_projects.to_string()));
        }
        BallotKind::Ranked => meta.push(("max_length".into(), b.max_projects.to_string())),
        BallotKind::Cumulative => {
            meta.push(("max_points".into(), b.max_points_per_project.to_string()));
            meta.push(("max_sum_points".into(), b.total_points.to_string()));
        }
    }
    let threshold = (cycle.rule == RuleName::GreedyThreshold).then(|| cycle.threshold.unwrap_or(0));
    if let Some(t) = threshold {
        meta.push(("min_project_score_threshold".into(), t.to_string()));
    }
    meta.push(("language".into(), "sl".into()));
    meta.push(("currency".into(), "EUR".into()));
    // Pabulib's column order: project_id, cost, votes, score, name, selected.
    let mut project_columns: Vec<String> = vec!["project_id".into(), "cost".into(), "votes".into()];
    if kind != BallotKind::Approval {
        project_columns.push("score".into());
    }
    project_columns.extend(["name".to_string(), "selected".to_string()]);
    let name_col = project_columns.len() - 2;
    let pb_projects: Vec<pb::Project> = listed
        .iter()
        .map(|p| {
            let mut fields = vec![String::new(); project_columns.len()];
            fields[0] = pabulib_id(p.number);
            fields[name_col] = p.title.clone();
            pb::Project { id: pabulib_id(p.number), cost: euros(p.cost()), fields }
        })
        .collect();
    let index = |number: i64| listed.iter().position(|p| p.number == number);
    let mine: Vec<&Ballot> = ballots.iter().filter(|b| b.area_id == area.id).collect();
    let mut vote_columns: Vec<String> = vec!["voter_id".into(), "vote".into()];
    if kind == BallotKind::Cumulative {
        vote_columns.push("points".into());
    }
    // How each ballot came in, where all did through this platform.
    let methods = mine.iter().all(|b| b.channel != Channel::Import);
    if methods {
        vote_columns.push("voting_method".into());
    }
    let mut voters = vec![];
    for ballot in mine {
        let mut projects = vec![];
        let mut points = vec![];
        for (i, n) in ballot.vote.iter().enumerate() {
            if let Some(p) = index(*n) {
                projects.push(p);
                points.push(ballot.points.as_ref().and_then(|pts| pts.get(i)).copied().unwrap_or(1));
            }
        }
        let id = (voters.len() + 1).to_string();
        let mut fields = vec![id.clone(), String::new()];
        if kind == BallotKind::Cumulative {
            fields.push(String::new());
        }
        if methods {
            fields.push(if ballot.channel == Channel::Paper { "paper" } else { "internet" }.into());
        }
        let points = vote_type.has_points().then(|| points.into_iter().map(|p| int(p.max(0) as u64)).collect());
        voters.push(pb::Voter { id, ballot: pb::Ballot { projects, points }, fields });
    }
    let mut e = pb::Election {
        meta,
        vote_type,
        budget: euros(area.budget_cents),
        limits: Default::default(),
        score_threshold: threshold.map(|t| int(t.max(0) as u64)),
        project_columns,
        projects: pb_projects,
        vote_columns,
        voters,
    };
    // The counts of the votes and score columns, as pabulib-checker checks them.
    let tally = Tally::of(&e);
    let votes_col = e.project_columns.iter().position(|c| c == "votes");
    let score_col = e.project_columns.iter().position(|c| c == "score");
    for (i, p) in e.projects.iter_mut().enumerate() {
        if let Some(c) = votes_col {
            p.fields[c] = tally.votes[i].to_string();
        }
        if let Some(c) = score_col {
            p.fields[c] = pb::number::exact_decimal(&tally.score[i]).unwrap_or_default();
        }
    }
    e
}

/// Why a project was funded or not, by the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Funded; with MES, in this round at this ρ.
    Funded { round: usize, rho: Option<String> },
    /// Greedy: its turn came when less than its cost was left.
    DidNotFit { left_cents: i64 },
    /// Below the threshold of greedy-threshold.
    BelowThreshold,
    /// Greedy without skipping stopped before its turn.
    Stopped,
    /// MES: its supporters' shares could no longer pay for it.
    Unaffordable,
}

/// One project of an area's results.
#[derive(Clone, Debug)]
pub struct ProjectResult {
    pub project: Project,
    pub votes: u64,
    /// Points on cumulative ballots, `k − position` summed on ranked ones, votes on approval ones.
    pub score: i64,
    /// Position in the order greedy goes through (score, then the ties).
    pub rank: usize,
    pub computed: bool,
    pub reason: Reason,
    pub overridden: Option<Override>,
    /// The outcome after the council's decisions.
    pub funded: bool,
}

/// An area's results with every number needed to check them.
#[derive(Clone, Debug)]
pub struct AreaResult {
    pub area: Area,
    pub projects: Vec<ProjectResult>,
    pub ballots: usize,
    pub online: usize,
    pub paper: usize,
    pub imported: usize,
    /// Spent by the rule.
    pub computed_spent_cents: i64,
    /// Spent after overrides, and what is left.
    pub spent_cents: i64,
    pub remaining_cents: i64,
    /// The election as counted, for the export.
    pub election: pb::Election,
}

fn rho_text(rho: &Num) -> String {
    let exact = if rho.is_integer() { rho.numer().to_string() } else { format!("{}/{}", rho.numer(), rho.denom()) };
    format!("{exact} ≈ {}", pb::number::fixed(rho, 6))
}

/// Count one area by the cycle's rule.
pub fn count_area(cycle: &Cycle, area: &Area, projects: &[Project], ballots: &[Ballot], overrides: &[Override], municipality: &str) -> AreaResult {
    let mut e = election(cycle, area, projects, ballots, municipality);
    let listed: Vec<Project> = on_ballot(projects, &area.id).into_iter().cloned().collect();
    let tally = Tally::of(&e);
    let rule = rule(cycle);
    let funded_order: Vec<(usize, Option<Num>)> = match &rule {
        pb::Rule::EqualShares => pb::equal_shares_rounds(&e, &tally).into_iter().map(|(p, r)| (p, Some(r))).collect(),
        greedy => pb::count(&e, greedy).funded.into_iter().map(|p| (p, None)).collect(),
    };
    // The order greedy goes through, for ranks and "what was left at its turn".
    let mut order: Vec<usize> = (0..e.projects.len()).collect();
    order.sort_by(|&a, &b| tally.score[b].cmp(&tally.score[a]).then(tally.tie_order(&e, a, b)));
    let threshold = match &rule {
        pb::Rule::Greedy(Greedy { threshold: Some(Threshold::Score(t)), .. }) => Some(t.clone()),
        _ => None,
    };
    let funded_set: Vec<usize> = funded_order.iter().map(|f| f.0).collect();
    let mut left = area.budget_cents;
    let mut stopped = false;
    let mut reasons: Vec<Option<Reason>> = vec![None; e.projects.len()];
    for &p in &order {
        let cost = listed[p].cost();
        if let Some(round) = funded_order.iter().position(|f| f.0 == p) {
            left -= cost;
            reasons[p] = Some(Reason::Funded { round: round + 1, rho: funded_order[round].1.as_ref().map(rho_text) });
            continue;
        }
        reasons[p] = Some(match &rule {
            pb::Rule::EqualShares => Reason::Unaffordable,
            _ if threshold.as_ref().is_some_and(|t| tally.score[p] < *t) => Reason::BelowThreshold,
            _ if stopped => Reason::Stopped,
            pb::Rule::Greedy(g) => {
                if !g.skip {
                    stopped = true;
                }
                Reason::DidNotFit { left_cents: left }
            }
        });
    }
    let computed_spent_cents: i64 = funded_set.iter().map(|&p| listed[p].cost()).sum();
    let selected_col = e.project_columns.iter().position(|c| c == "selected");
    let mut results = vec![];
    for (rank, &p) in order.iter().enumerate() {
        let project = listed[p].clone();
        let computed = funded_set.contains(&p);
        if let Some(c) = selected_col {
            e.projects[p].fields[c] = if computed { "1" } else { "0" }.into();
        }
        let overridden = overrides.iter().find(|o| o.project_id == project.id).cloned();
        let funded = overridden.as_ref().map(|o| o.funded).unwrap_or(computed);
        results.push(ProjectResult {
            votes: tally.votes[p],
            score: tally.score[p].to_integer().to_i64().unwrap_or_default(),
            rank: rank + 1,
            computed,
            reason: reasons[p].clone().unwrap_or(Reason::Unaffordable),
            overridden,
            funded,
            project,
        });
    }
    let spent_cents = results.iter().filter(|r| r.funded).map(|r| r.project.cost()).sum();
    let of = |c: Channel| ballots.iter().filter(|b| b.area_id == area.id && b.channel == c).count();
    AreaResult {
        area: area.clone(),
        ballots: e.voters.len(),
        online: of(Channel::Online),
        paper: of(Channel::Paper),
        imported: of(Channel::Import),
        computed_spent_cents,
        spent_cents,
        remaining_cents: area.budget_cents - spent_cents,
        projects: results,
        election: e,
    }
}

/// What a Pabulib file gives for a new area: projects (title, cost) and ballots (by index).
#[derive(Debug)]
pub struct Imported {
    pub budget_cents: i64,
    pub projects: Vec<(String, i64)>,
    pub ballots: Vec<(Vec<usize>, Option<Vec<i64>>)>,
}

/// Read an election for a cycle whose ballots are of `kind`. Errors are codes.
pub fn import(e: &pb::Election, kind: BallotKind) -> Result<Imported, &'static str> {
    if BallotKind::from_vote_type(e.vote_type) != Some(kind) {
        return Err("vote_type_mismatch");
    }
    let budget_cents = cents(&e.budget).ok_or("budget_not_cents")?;
    let mut projects = vec![];
    for (i, p) in e.projects.iter().enumerate() {
        let name = e.project_field(i, "name").filter(|n| !n.trim().is_empty()).unwrap_or(&p.id);
        let title: String = name.trim().chars().filter(|c| !c.is_control()).take(200).collect();
        projects.push((title, cents(&p.cost).ok_or("cost_not_cents")?));
    }
    let mut ballots = vec![];
    for v in &e.voters {
        let points = match &v.ballot.points {
            Some(pts) if kind == BallotKind::Cumulative => {
                let whole: Option<Vec<i64>> = pts.iter().map(|x| if x.is_integer() { x.to_integer().to_i64() } else { None }).collect();
                Some(whole.filter(|w| w.iter().all(|x| *x >= 0)).ok_or("points_not_whole")?)
            }
            _ => None,
        };
        ballots.push((v.ballot.projects.clone(), points));
    }
    if projects.is_empty() {
        return Err("no_projects");
    }
    Ok(Imported { budget_cents, projects, ballots })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BallotRules, Phase};
    use crate::store::Dates;
    use kernel::Timestamp;

    fn cycle(kind: BallotKind, rule: RuleName, threshold: Option<i64>) -> Cycle {
        Cycle {
            id: "c".into(),
            year: 2026,
            title: "PP 2026".into(),
            description: String::new(),
            phase: Phase::Results,
            dates: Dates::default(),
            ballot: BallotRules { kind, min_projects: 1, max_projects: 3, total_points: 10, max_points_per_project: 10 },
            rule,
            threshold,
            min_age: 0,
            resident_postcodes: vec![],
            demo: false,
        }
    }

    fn area(budget: i64) -> Area {
        Area { id: "a".into(), cycle_id: "c".into(), name: "Center".into(), budget_cents: budget, eligible_voters: None, position: 1 }
    }

    fn project(number: i64, cost: i64) -> Project {
        Project {
            id: format!("p{number}"),
            cycle_id: "c".into(),
            area_id: "a".into(),
            number,
            title: format!("Projekt {number}"),
            description: String::new(),
            location: None,
            estimated_cents: cost,
            cost_cents: None,
            review: Review::Feasible,
            review_reason: None,
            reviewed_at: None,
            submitted_by: None,
            submitted_at: Timestamp(0),
        }
    }

    fn ballot(vote: &[i64], points: Option<&[i64]>) -> Ballot {
        Ballot {
            id: uuid::Uuid::new_v4().to_string(),
            area_id: "a".into(),
            channel: Channel::Online,
            vote: vote.to_vec(),
            points: points.map(|p| p.to_vec()),
        }
    }

    #[test]
    fn greedy_explains_what_did_not_fit() {
        let projects = [project(1, 600), project(2, 500), project(3, 300)];
        let ballots = [ballot(&[1, 2, 3], None), ballot(&[1, 2], None), ballot(&[1], None)];
        let r = count_area(&cycle(BallotKind::Approval, RuleName::Greedy, None), &area(1000), &projects, &ballots, &[], "Ptuj");
        let by = |n: i64| r.projects.iter().find(|p| p.project.number == n).unwrap();
        assert!(by(1).funded && by(3).funded && !by(2).funded);
        assert_eq!(by(2).reason, Reason::DidNotFit { left_cents: 400 });
        assert_eq!((r.spent_cents, r.remaining_cents), (900, 100));
        assert_eq!(by(1).votes, 3);
        let text = pb::write(&r.election);
        assert!(text.contains("\n001;6;3;Projekt 1;1\n"), "{text}");
        assert!(text.contains("\nbudget;10\n"), "{text}");
    }

    #[test]
    fn no_skip_stops_and_threshold_leaves_out() {
        let projects = [project(1, 600), project(2, 500), project(3, 300)];
        let ballots = [ballot(&[1, 2, 3], None), ballot(&[1, 2], None), ballot(&[1], None)];
        let r = count_area(&cycle(BallotKind::Approval, RuleName::GreedyNoSkip, None), &area(1000), &projects, &ballots, &[], "Ptuj");
        assert_eq!(r.projects.iter().map(|p| p.reason.clone()).collect::<Vec<_>>()[2], Reason::Stopped);
        let r = count_area(&cycle(BallotKind::Approval, RuleName::GreedyThreshold, Some(2)), &area(2000), &projects, &ballots, &[], "Ptuj");
        let third = r.projects.iter().find(|p| p.project.number == 3).unwrap();
        assert_eq!(third.reason, Reason::BelowThreshold);
    }

    #[test]
    fn mes_shows_rho_and_overrides_change_the_outcome() {
        let projects = [project(1, 50), project(2, 50), project(3, 25)];
        let ballots = [ballot(&[1, 2], None), ballot(&[1, 2], None), ballot(&[1, 2], None), ballot(&[3], None)];
        let o = Override {
            project_id: "p2".into(),
            funded: true,
            reason: "Sklep sveta".into(),
            decided_by: "Mestni svet".into(),
            decided_at: Timestamp(0),
            entered_by: "x".into(),
        };
        let r = count_area(&cycle(BallotKind::Approval, RuleName::Mes, None), &area(100), &projects, &ballots, &[o], "Ptuj");
        let by = |n: i64| r.projects.iter().find(|p| p.project.number == n).unwrap();
        assert!(matches!(&by(1).reason, Reason::Funded { round: 1, rho: Some(rho) } if rho.starts_with("1/3 ")), "{:?}", by(1).reason);
        assert_eq!(by(2).reason, Reason::Unaffordable);
        assert!(!by(2).computed && by(2).funded);
        assert_eq!(r.computed_spent_cents, 75);
        assert_eq!(r.spent_cents, 125);
    }

    #[test]
    fn cumulative_exports_points_and_reads_back() {
        let projects = [project(1, 1000), project(2, 1050)];
        let ballots = [ballot(&[1, 2], Some(&[3, 7])), ballot(&[1], Some(&[10]))];
        let c = cycle(BallotKind::Cumulative, RuleName::Greedy, None);
        let r = count_area(&c, &area(2000), &projects, &ballots, &[], "Ptuj");
        let text = pb::write(&r.election);
        assert!(text.contains("\nvoter_id;vote;points;voting_method\n"), "{text}");
        assert!(text.contains("\n002;10.5;1;7;Projekt 2;0\n"), "{text}");
        let back = import(&pb::parse(&text).unwrap(), BallotKind::Cumulative).unwrap();
        assert_eq!(back.budget_cents, 2000);
        assert_eq!(back.projects, vec![("Projekt 1".to_string(), 1000), ("Projekt 2".to_string(), 1050)]);
        assert_eq!(back.ballots.len(), 2);
        assert_eq!(import(&pb::parse(&text).unwrap(), BallotKind::Approval).unwrap_err(), "vote_type_mismatch");
    }
}
