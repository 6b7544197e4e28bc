//! Small elections written in code, for the unit tests.

use crate::election::{Ballot, Election, Limits, Project, VoteType, Voter};
use crate::number::int;

pub fn with_points(vote_type: VoteType, budget: u64, projects: &[(&str, u64)], ballots: &[(&[&str], &[u64])]) -> Election {
    let mut e = approval(budget, projects, &ballots.iter().map(|(ids, _)| *ids).collect::<Vec<_>>());
    e.vote_type = vote_type;
    e.vote_columns.push("points".into());
    for (voter, (_, points)) in e.voters.iter_mut().zip(ballots) {
        voter.ballot.points = Some(points.iter().map(|&p| int(p)).collect());
        voter.fields.push(String::new());
    }
    e
}

pub fn approval(budget: u64, projects: &[(&str, u64)], ballots: &[&[&str]]) -> Election {
    let projects: Vec<Project> =
        projects.iter().map(|(id, cost)| Project { id: id.to_string(), cost: int(*cost), fields: vec![id.to_string(), cost.to_string()] }).collect();
    let index = |id: &str| projects.iter().position(|p| p.id == id).expect("ballot names a listed project");
    let voters = ballots
        .iter()
        .enumerate()
        .map(|(i, ids)| Voter {
            id: (i + 1).to_string(),
            ballot: Ballot { projects: ids.iter().map(|id| index(id)).collect(), points: None },
            fields: vec![(i + 1).to_string(), String::new()],
        })
        .collect();
    Election {
        meta: vec![("budget".into(), budget.to_string()), ("vote_type".into(), "approval".into())],
        vote_type: VoteType::Approval,
        budget: int(budget),
        limits: Limits::default(),
        score_threshold: None,
        project_columns: vec!["project_id".into(), "cost".into()],
        projects,
        vote_columns: vec!["voter_id".into(), "vote".into()],
        voters,
    }
}

pub fn ids<'e>(e: &'e Election, funded: &[usize]) -> Vec<&'e str> {
    funded.iter().map(|&p| e.projects[p].id.as_str()).collect()
}
