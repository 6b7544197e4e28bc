//! Consistency of a parsed file with itself: the counts META and PROJECTS
//! state against what the ballots say, ballots against META's limits, and
//! the `selected` column against the rule META names. Problems here do not
//! stop a count; they are reported.

use crate::election::Election;
use crate::number::{Num, int, parse_decimal, show};
use crate::rule::{Rule, count};
use crate::tally::Tally;

pub fn check(e: &Election) -> Vec<String> {
    let mut problems = Vec::new();
    let tally = Tally::of(e);
    for (key, actual) in [("num_projects", e.projects.len()), ("num_votes", e.voters.len())] {
        if let Some(stated) = e.meta(key).filter(|v| v.parse() != Ok(actual)) {
            problems.push(format!("META {key} is {stated} but the file has {actual}"));
        }
    }
    for (column, counted) in [("votes", tally.votes.iter().map(|&v| int(v)).collect::<Vec<_>>()), ("score", tally.score.clone())] {
        for (p, counted) in counted.iter().enumerate() {
            let stated = e.project_field(p, column).filter(|v| !v.is_empty());
            if let Some(stated) = stated.filter(|v| parse_decimal(v).as_ref() != Some(counted)) {
                problems.push(format!("project {}: {column} column says {stated}, the ballots give {}", e.projects[p].id, show(counted, 2)));
            }
        }
    }
    let limits = &e.limits;
    for voter in &e.voters {
        let ballot = &voter.ballot;
        let len = ballot.projects.len() as u64;
        let mut say = |what: String| problems.push(format!("voter {}: {what}", voter.id));
        if limits.min_length.is_some_and(|min| len < min) || limits.max_length.is_some_and(|max| len > max) {
            say(format!("{len} projects, outside min_length/max_length"));
        }
        let cost: Num = ballot.projects.iter().map(|&p| &e.projects[p].cost).sum();
        if limits.max_sum_cost.as_ref().is_some_and(|max| cost > *max) {
            say(format!("projects costing {} exceed max_sum_cost", show(&cost, 2)));
        }
        if let Some(points) = &ballot.points {
            let sum: Num = points.iter().sum();
            if limits.max_sum_points.as_ref().is_some_and(|max| sum > *max) || limits.min_sum_points.as_ref().is_some_and(|min| sum < *min && len > 0)
            {
                say(format!("{} points in all, outside min_sum_points/max_sum_points", show(&sum, 2)));
            }
            if points.iter().any(|p| limits.max_points.as_ref().is_some_and(|max| p > max) || limits.min_points.as_ref().is_some_and(|min| p < min)) {
                say("points outside min_points/max_points".into());
            }
        }
    }
    if let (Some(selected), Ok(rule)) = (e.selected(), Rule::of_file(e)) {
        let mut funded = count(e, &rule).funded;
        funded.sort_unstable();
        if funded != selected {
            let ids = |ps: &[usize]| ps.iter().map(|&p| e.projects[p].id.as_str()).collect::<Vec<_>>().join(",");
            problems.push(format!("selected column ({}) differs from the file's rule ({})", ids(&selected), ids(&funded)));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    #[test]
    fn reports_what_does_not_add_up() {
        let text = "META\nkey;value\nnum_projects;2\nnum_votes;5\nbudget;10\nvote_type;approval\nmax_length;1\nrule;greedy\n\
            PROJECTS\nproject_id;cost;votes;selected\na;6;2;1\nb;4;1;0\nVOTES\nvoter_id;vote\n1;a,b\n2;a\n";
        let e = parse(text).unwrap();
        assert_eq!(
            check(&e),
            [
                "META num_votes is 5 but the file has 2",
                "voter 1: 2 projects, outside min_length/max_length",
                "selected column (a) differs from the file's rule (a,b)",
            ]
        );
        let fixed = text.replace("num_votes;5", "num_votes;2").replace("b;4;1;0", "b;4;1;1").replace("max_length;1", "max_length;2");
        assert_eq!(check(&parse(&fixed).unwrap()), Vec::<String>::new());
    }
}
