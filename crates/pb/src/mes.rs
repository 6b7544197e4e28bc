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
use std::collections::HashMap;

/// Voters with the same supported projects have the same budget throughout,
/// so they are counted once with their number.
struct Group {
    members: u64,
    /// What each member has left.
    budget: Num,
}

struct Candidate {
    project: usize,
    /// Indices into the groups.
    supporters: Vec<usize>,
    /// ρ from the last round it was computed; budgets only shrink, so it is
    /// a lower bound on the current one.
    rho: Num,
}

/// The funded projects, in the order they were funded.
pub fn equal_shares(e: &Election, tally: &Tally) -> Vec<usize> {
    if e.voters.is_empty() {
        return Vec::new();
    }
    let share = &e.budget / int(e.voters.len() as u64);
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut supporters: Vec<Vec<usize>> = vec![Vec::new(); e.projects.len()];
    for voter in &e.voters {
        let mut key = voter.ballot.projects.clone();
        key.sort_unstable();
        let g = *group_of.entry(key).or_insert_with_key(|key| {
            for &p in key {
                supporters[p].push(groups.len());
            }
            groups.push(Group { members: 0, budget: share.clone() });
            groups.len() - 1
        });
        groups[g].members += 1;
    }

    // Free projects with support are funded before anything else.
    let mut funded: Vec<usize> = (0..e.projects.len()).filter(|&p| e.projects[p].cost.is_zero() && tally.votes[p] > 0).collect();
    funded.sort_by(|&a, &b| tally.tie_order(e, a, b));
    let mut candidates: Vec<Candidate> = supporters
        .into_iter()
        .enumerate()
        .filter(|(p, s)| !s.is_empty() && !e.projects[*p].cost.is_zero())
        .map(|(project, supporters)| Candidate { project, supporters, rho: Num::new(1.into(), tally.votes[project].into()) })
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
            let Some(alpha) = equal_payment(&groups, &c.supporters, cost) else {
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
        let c = &candidates[winner];
        let alpha = rho * &e.projects[c.project].cost;
        for &g in &c.supporters {
            let pay = if groups[g].budget < alpha { groups[g].budget.clone() } else { alpha.clone() };
            groups[g].budget -= pay;
        }
        funded.push(c.project);
        unaffordable.push(winner);
        unaffordable.sort_unstable();
        for i in unaffordable.into_iter().rev() {
            candidates.swap_remove(i);
        }
    }
    funded
}

/// The smallest `α` with `Σ min(budget, α) = cost` over the supporters, or
/// `None` if all they have left does not cover the cost.
fn equal_payment(groups: &[Group], supporters: &[usize], cost: &Num) -> Option<Num> {
    let mut order: Vec<usize> = supporters.to_vec();
    order.sort_by(|&a, &b| groups[a].budget.cmp(&groups[b].budget));
    let mut paid = int(0);
    let mut payers: u64 = order.iter().map(|&g| groups[g].members).sum();
    for g in order {
        let alpha = (cost - &paid) / int(payers);
        if alpha <= groups[g].budget {
            return Some(alpha);
        }
        // Too poor to pay α: gives everything it has.
        paid += &groups[g].budget * int(groups[g].members);
        payers -= groups[g].members;
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
        let group = |members, budget| Group { members, budget: int(budget) };
        let groups = [group(1, 4), group(1, 12), group(3, 2), group(1, 10)];
        assert_eq!(equal_payment(&groups, &[0, 1], &int(14)), Some(int(10)));
        // Three members with 2 each pay 6; the last one pays the remaining 10.
        assert_eq!(equal_payment(&groups, &[2, 3], &int(16)), Some(int(10)));
        assert_eq!(equal_payment(&groups, &[2, 3], &int(17)), None);
        assert_eq!(equal_payment(&groups, &[1, 2], &int(8)), Some(int(2)));
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
