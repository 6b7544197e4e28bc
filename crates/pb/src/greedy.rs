//! Greedy by votes, the rule most cities use: projects in descending order
//! of their score (`Tally::score`), each funded if it fits what is left.

use crate::election::Election;
use crate::number::{Num, int};
use crate::tally::Tally;

/// Which projects may be funded at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Threshold {
    /// At least this score (votes, or points where ballots carry points), as
    /// Pabulib's `min_project_score_threshold`.
    Score(Num),
    /// Listed on at least this share (0..=1) of the ballots cast.
    Share(Num),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Greedy {
    /// `false`: stop at the first project that does not fit (`greedy-no-skip`).
    pub skip: bool,
    pub threshold: Option<Threshold>,
}

/// Pabulib marks withdrawn projects with this cost; `greedy-no-skip` passes
/// over them instead of stopping (as pabulib-checker does).
const WITHDRAWN_COST: u64 = 999_999_999;

/// The funded projects, in the order they were funded.
pub fn greedy(e: &Election, tally: &Tally, rule: &Greedy) -> Vec<usize> {
    let mut order: Vec<usize> = (0..e.projects.len()).collect();
    order.sort_by(|&a, &b| tally.score[b].cmp(&tally.score[a]).then(tally.tie_order(e, a, b)));
    let ballots = int(e.voters.len() as u64);
    let eligible = |p: usize| match &rule.threshold {
        None => true,
        Some(Threshold::Score(min)) => tally.score[p] >= *min,
        Some(Threshold::Share(share)) => int(tally.votes[p]) >= share * &ballots,
    };
    let withdrawn = int(WITHDRAWN_COST);
    let mut left = e.budget.clone();
    let mut funded = Vec::new();
    for p in order.into_iter().filter(|&p| eligible(p)) {
        let cost = &e.projects[p].cost;
        if *cost <= left {
            left -= cost;
            funded.push(p);
        } else if !rule.skip && *cost != withdrawn {
            break;
        }
    }
    funded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::election::VoteType;
    use crate::testing::{approval, ids, with_points};

    fn run(e: &Election, rule: Greedy) -> Vec<&str> {
        ids(e, &greedy(e, &Tally::of(e), &rule))
    }

    const SKIP: Greedy = Greedy { skip: true, threshold: None };
    const NO_SKIP: Greedy = Greedy { skip: false, threshold: None };

    #[test]
    fn funds_by_votes_and_skips_what_does_not_fit() {
        // Votes: a 4, b 3, c 2, d 1. b does not fit after a; c and d do.
        let e = approval(10, &[("a", 6), ("b", 5), ("c", 3), ("d", 1)], &[&["a", "b", "c"], &["a", "b", "c"], &["a", "b"], &["a", "d"]]);
        assert_eq!(run(&e, SKIP), ["a", "c", "d"]);
        // No skip: b is the first that does not fit, so counting stops there.
        assert_eq!(run(&e, NO_SKIP), ["a"]);
    }

    #[test]
    fn ties_go_to_lower_cost_then_id() {
        // All tie on votes; c is cheapest, x and y tie on cost too: id order.
        let e = approval(9, &[("y", 5), ("c", 4), ("x", 5)], &[&["c", "x", "y"]]);
        assert_eq!(run(&e, SKIP), ["c", "x"]);
        // Ids compare as strings, as the file spells them: "10" < "9".
        let e = approval(5, &[("9", 5), ("10", 5)], &[&["9", "10"]]);
        assert_eq!(run(&e, SKIP), ["10"]);
    }

    #[test]
    fn equal_points_and_cost_go_to_more_votes() {
        // Both have 6 points and cost 5; b from two voters, a from one.
        let e = with_points(VoteType::Cumulative, 5, &[("a", 5), ("b", 5)], &[(&["a"], &[6]), (&["b"], &[3]), (&["b"], &[3])]);
        assert_eq!(run(&e, SKIP), ["b"]);
    }

    #[test]
    fn cumulative_ballots_rank_by_points_not_voters() {
        // a: 2 voters with 1 point each; b: 1 voter with 5 points.
        let e = with_points(VoteType::Cumulative, 5, &[("a", 5), ("b", 5)], &[(&["a"], &[1]), (&["a", "b"], &[1, 5])]);
        assert_eq!(run(&e, SKIP), ["b"]);
    }

    #[test]
    fn thresholds_leave_out_weak_projects_without_stopping() {
        let e = approval(20, &[("a", 5), ("b", 5), ("c", 5)], &[&["a", "b", "c"], &["a", "b"], &["a"], &[]]);
        let by_score = Greedy { skip: true, threshold: Some(Threshold::Score(int(2))) };
        assert_eq!(run(&e, by_score), ["a", "b"]);
        // Half of the four ballots: a (3) and b (2) qualify, c (1) does not.
        let by_share = Greedy { skip: false, threshold: Some(Threshold::Share(Num::new(1.into(), 2.into()))) };
        assert_eq!(run(&e, by_share), ["a", "b"]);
    }

    #[test]
    fn no_skip_passes_over_withdrawn_projects() {
        let e = approval(10, &[("gone", 999_999_999), ("a", 4)], &[&["gone", "a"], &["gone"]]);
        assert_eq!(run(&e, NO_SKIP), ["a"]);
    }

    #[test]
    fn ordinal_ballots_score_by_position() {
        // On a ballot of three: 3, 2, 1 points. a 3+1, b 2+3, c 1+2.
        let e = approval(5, &[("a", 5), ("b", 5), ("c", 5)], &[&["a", "b", "c"], &["b", "c", "a"]]);
        let e = Election { vote_type: VoteType::Ordinal, ..e };
        assert_eq!(Tally::of(&e).score, vec![int(4), int(5), int(3)]);
        assert_eq!(run(&e, SKIP), ["b"]);
    }
}
