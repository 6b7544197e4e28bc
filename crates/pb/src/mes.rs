//! The Method of Equal Shares with cost utilities and no completion step,
//! computed as pabutools' `method_of_equal_shares(instance, profile,
//! sat_class=Cost_Sat, tie_breaking=min_cost_tie_breaking)` does.
//!
//! The budget is split equally among all ballots cast. A voter supports a
//! project listed on the ballot (points and ranks do not matter: utility is
//! the project's cost). In each round, for every project its supporters can
//! still pay for, find the smallest equal payment `α` such that supporters
//! pay `min(budget, α)` each and together cover the cost; fund the project
//! with the smallest `ρ = α / cost` (payment per unit of utility), ties as
//! in `Tally::tie_order`. Stop when no project is affordable.

use crate::election::Election;
use crate::number::{Num, int};
use crate::tally::Tally;
use num_traits::Zero;

/// Voters who supported the same funded projects paid the same and have
/// the same budget left, so they are counted together: one group at the
/// start, split when a project some of its members support is funded.
/// Each round then costs a pass over the groups, not over every voter.
struct Groups {
    /// What each member of a group has left.
    budget: Vec<Num>,
    voters: Vec<Vec<usize>>,
    /// `support[g][p]`: members of group `g` whose ballot lists project `p`.
    support: Vec<Vec<u64>>,
}

impl Groups {
    /// `(what each has, how many)` for the supporters of `p`, poorest first.
    fn supporters(&self, p: usize) -> Vec<(&Num, u64)> {
        let mut s: Vec<(&Num, u64)> =
            (0..self.budget.len()).filter(|&g| self.support[g][p] > 0).map(|g| (&self.budget[g], self.support[g][p])).collect();
        s.sort_by(|a, b| a.0.cmp(b.0));
        s
    }

    /// Supporters of `p` pay `min(budget, α)` each.
    fn pay(&mut self, e: &Election, p: usize, alpha: &Num) {
        for g in 0..self.budget.len() {
            let (count, members) = (self.support[g][p], self.voters[g].len() as u64);
            if count == 0 || self.budget[g].is_zero() {
                continue;
            }
            let left = if self.budget[g] < *alpha { int(0) } else { &self.budget[g] - alpha };
            if count == members {
                self.budget[g] = left;
                continue;
            }
            // Only some members support p: they move to a group of their own.
            let (payers, others): (Vec<usize>, Vec<usize>) = self.voters[g].iter().partition(|&&v| e.voters[v].ballot.projects.contains(&p));
            let mut support = vec![0; e.projects.len()];
            for &v in &payers {
                for &q in &e.voters[v].ballot.projects {
                    support[q] += 1;
                    self.support[g][q] -= 1;
                }
            }
            self.voters[g] = others;
            self.budget.push(left);
            self.voters.push(payers);
            self.support.push(support);
        }
    }
}

struct Candidate {
    project: usize,
    /// ρ from the last round it was computed; budgets only shrink, so it is
    /// a lower bound on the current one.
    rho: Num,
}

/// The funded projects, in the order they were funded.
pub fn equal_shares(e: &Election, tally: &Tally) -> Vec<usize> {
    equal_shares_rounds(e, tally).into_iter().map(|(p, _)| p).collect()
}

/// The funded projects in funding order, each with the `ρ` it was funded at
/// (what each supporter paid per unit of utility; 0 for free projects), so
/// that a results page can show why the order is what it is.
pub fn equal_shares_rounds(e: &Election, tally: &Tally) -> Vec<(usize, Num)> {
    if e.voters.is_empty() {
        return Vec::new();
    }
    let mut groups = Groups {
        budget: vec![&e.budget / int(e.voters.len() as u64)],
        voters: vec![(0..e.voters.len()).collect()],
        support: vec![tally.votes.clone()],
    };

    // Free projects with support are funded before anything else.
    let mut free: Vec<usize> = (0..e.projects.len()).filter(|&p| e.projects[p].cost.is_zero() && tally.votes[p] > 0).collect();
    free.sort_by(|&a, &b| tally.tie_order(e, a, b));
    let mut funded: Vec<(usize, Num)> = free.into_iter().map(|p| (p, int(0))).collect();
    let mut candidates: Vec<Candidate> = (0..e.projects.len())
        .filter(|&p| tally.votes[p] > 0 && !e.projects[p].cost.is_zero())
        .map(|project| Candidate { project, rho: Num::new(1.into(), tally.votes[project].into()) })
        .collect();

    loop {
        candidates.sort_by(|a, b| a.rho.cmp(&b.rho));
        let mut best: Option<(Num, Vec<usize>)> = None;
        let mut unaffordable = Vec::new();
        for (i, c) in candidates.iter_mut().enumerate() {
            if best.as_ref().is_some_and(|(rho, _)| c.rho > *rho) {
                break;
            }
            let cost = &e.projects[c.project].cost;
            let Some(alpha) = equal_payment(&groups.supporters(c.project), cost) else {
                unaffordable.push(i);
                continue;
            };
            c.rho = alpha / cost;
            match &mut best {
                Some((rho, tied)) if c.rho == *rho => tied.push(i),
                Some((rho, _)) if c.rho > *rho => {}
                _ => best = Some((c.rho.clone(), vec![i])),
            }
        }
        let Some((rho, tied)) = best else { break };
        let winner = tied.into_iter().min_by(|&a, &b| tally.tie_order(e, candidates[a].project, candidates[b].project)).unwrap_or_default();
        let project = candidates[winner].project;
        groups.pay(e, project, &(&rho * &e.projects[project].cost));
        funded.push((project, rho));
        unaffordable.push(winner);
        unaffordable.sort_unstable();
        for i in unaffordable.into_iter().rev() {
            candidates.swap_remove(i);
        }
    }
    funded
}

/// The smallest `α` with `Σ min(budget, α) = cost` over the supporters
/// (`(budget, how many)`, poorest first), or `None` if all they have left
/// does not cover the cost.
fn equal_payment(supporters: &[(&Num, u64)], cost: &Num) -> Option<Num> {
    let mut paid = int(0);
    let mut payers: u64 = supporters.iter().map(|s| s.1).sum();
    for &(budget, count) in supporters {
        let alpha = (cost - &paid) / int(payers);
        if alpha <= *budget {
            return Some(alpha);
        }
        // Too poor to pay α: gives everything it has.
        paid += budget * int(count);
        payers -= count;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{approval, ids};

    fn run(e: &Election) -> Vec<&str> {
        ids(e, &equal_shares(e, &Tally::of(e)))
    }

    #[test]
    fn majority_cannot_take_everything() {
        // Budget 100, 4 voters with 25 each. Three want a, b (50 each), one wants c (25).
        // a: ρ = 1/3 (each of three pays 50/3); b: same, but after a its
        // supporters have 25 − 50/3 = 25/3 each, 25 in all < 50. c: its one
        // supporter pays 25 = the whole cost, ρ = 1.
        let e = approval(100, &[("a", 50), ("b", 50), ("c", 25)], &[&["a", "b"], &["a", "b"], &["a", "b"], &["c"]]);
        assert_eq!(run(&e), ["a", "c"]);
    }

    #[test]
    fn rounds_pick_the_smallest_payment_per_unit_of_utility() {
        // 6 voters, 10 each. x (cost 30) by all six: α = 5, ρ = 1/6.
        // y (cost 20) by voters 1–2: α = 10, ρ = 1/2. z (cost 12) by 3–6: α = 3, ρ = 1/4.
        // Round 1 x (everyone left with 5). Round 2: z needs α = 3 ≤ 5, ρ = 1/4;
        // y needs 20 from two voters with 5 each: unaffordable.
        let e = approval(60, &[("x", 30), ("y", 20), ("z", 12)], &[&["x", "y"], &["x", "y"], &["x", "z"], &["x", "z"], &["x", "z"], &["x", "z"]]);
        assert_eq!(run(&e), ["x", "z"]);
    }

    #[test]
    fn poorer_supporters_pay_what_they_have() {
        // 3 voters, 12 each. p (cost 18) by voters 1, 2: α = 9, ρ = 1/2; q
        // (cost 30) by all: α = 10, ρ = 1/3 → q first, all left with 2.
        // Then p: 4 left < 18. r (cost 4) by voter 3 and 1: α = 2, ρ = 1/2.
        let e = approval(36, &[("p", 18), ("q", 30), ("r", 4)], &[&["p", "q", "r"], &["p", "q"], &["q", "r"]]);
        assert_eq!(run(&e), ["q", "r"]);
        // After t (ρ = 1/3, 8 each from voters 1–3), voter 3 has 4 and voter 4
        // has 12. s (cost 14): α = 7 is more than voter 3 has, so voter 3 pays
        // 4 and voter 4 pays 10: α = 10, ρ = 5/7.
        let e = approval(48, &[("s", 14), ("t", 24)], &[&["t"], &["t"], &["s", "t"], &["s"]]);
        assert_eq!(run(&e), ["t", "s"]);
    }

    #[test]
    fn equal_payment_caps_at_what_each_has() {
        let (two, four, ten, twelve) = (int(2), int(4), int(10), int(12));
        assert_eq!(equal_payment(&[(&four, 1), (&twelve, 1)], &int(14)), Some(int(10)));
        // Three supporters with 2 each pay 6; the last one pays the remaining 10.
        assert_eq!(equal_payment(&[(&two, 3), (&ten, 1)], &int(16)), Some(int(10)));
        assert_eq!(equal_payment(&[(&two, 3), (&ten, 1)], &int(17)), None);
        assert_eq!(equal_payment(&[(&two, 3), (&twelve, 1)], &int(8)), Some(int(2)));
    }

    #[test]
    fn ties_go_to_lower_cost_then_more_votes_then_id() {
        // Each voter alone funds a project whose cost is its whole share: ρ = 1 for all.
        let e = approval(30, &[("b", 10), ("a", 10), ("c", 9)], &[&["a"], &["b"], &["c"]]);
        assert_eq!(run(&e), ["c", "a", "b"]);
        // Round 1 z (ρ = 1/4) empties voter 1. Then b (voters 1–3) and a
        // (voters 4–5), both cost 20: b's two voters with money pay 10 each,
        // as do a's: ρ = 1/2 for both. b has more votes, so it goes first.
        let e = approval(80, &[("z", 40), ("b", 20), ("a", 20)], &[&["z", "b"], &["b"], &["b"], &["a"], &["a"], &["z"], &["z"], &["z"]]);
        assert_eq!(run(&e), ["z", "b", "a"]);
    }

    #[test]
    fn free_projects_with_support_come_first_and_empty_ballots_hold_budget() {
        // Two of four ballots are empty; their share (50) is never spent.
        let e = approval(100, &[("free", 0), ("a", 60), ("b", 50)], &[&["a", "free"], &["b"], &[], &[]]);
        assert_eq!(run(&e), ["free"]);
        assert!(run(&approval(10, &[("a", 1)], &[])).is_empty());
    }
}
