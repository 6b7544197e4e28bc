//! Iterated local search for more visits than the exact solver takes
//! (Vansteenwegen, Souffriau, Vanden Berghe, Van Oudheusden, "Iterated local
//! search for the team orienteering problem with time windows", Computers &
//! Operations Research 36 (2009)): insert the visit with the best worth per
//! added second until none fits, then shake by removing a run of visits and
//! insert again; keep the best. Deterministic, so a route is reproducible.

use crate::instance::{Instance, Schedule, better};

/// Shakes without an improvement before the search stops.
const PATIENCE: usize = 150;

pub fn solve(inst: &Instance) -> Vec<usize> {
    let n = inst.visits.len();
    let Some(empty) = inst.schedule(&[]) else { return Vec::new() };
    let mut order = Vec::new();
    local_search(inst, &mut order, empty.back);
    let mut best_order = order.clone();
    let mut best = inst.schedule(&order).expect("insertion keeps the order feasible");
    let (mut start, mut length) = (0usize, 1usize);
    let mut since_better = 0;
    while since_better < PATIENCE && n > 0 {
        if !order.is_empty() {
            let from = start % order.len();
            let to = (from + length).min(order.len());
            order.drain(from..to);
        }
        let back = inst.schedule(&order).expect("removing visits keeps the order feasible").back;
        local_search(inst, &mut order, back);
        let now = inst.schedule(&order).expect("insertion keeps the order feasible");
        if better(&now, &best) {
            best = now;
            best_order = order.clone();
            since_better = 0;
            length = 1;
        } else {
            since_better += 1;
        }
        start += length;
        length += 1;
        if length > (n / 3).max(1) {
            length = 1;
        }
        if since_better % 20 == 0 && since_better > 0 {
            // Go on from the best found, not from a worse neighbourhood.
            order = best_order.clone();
        }
    }
    debug_assert_eq!(inst.schedule(&best_order), Some(best));
    best_order
}

/// Insertion, then shortening the walk by reversing stretches of it, which
/// may free time for more insertions.
fn local_search(inst: &Instance, order: &mut Vec<usize>, back: u32) {
    insert_greedily(inst, order, back);
    while let Some(shorter) = reverse_a_stretch(inst, order) {
        insert_greedily(inst, order, shorter);
    }
}

/// 2-opt over the order: the first reversal of `order[i..=j]` that keeps it
/// feasible and brings the walker back earlier; the new return time.
fn reverse_a_stretch(inst: &Instance, order: &mut [usize]) -> Option<u32> {
    let back = inst.schedule(order)?.back;
    for i in 0..order.len() {
        for j in i + 1..order.len() {
            order[i..=j].reverse();
            match inst.schedule(order) {
                Some(s) if s.back < back => return Some(s.back),
                _ => order[i..=j].reverse(),
            }
        }
    }
    None
}

/// Adds the visit with the highest worth² per added second, where it costs
/// least, until no more fit.
fn insert_greedily(inst: &Instance, order: &mut Vec<usize>, mut back: u32) {
    let mut used = vec![false; inst.visits.len()];
    for &v in order.iter() {
        used[v] = true;
    }
    loop {
        let mut pick: Option<(f64, usize, usize, Schedule)> = None;
        for v in (0..inst.visits.len()).filter(|&v| !used[v]) {
            for pos in 0..=order.len() {
                order.insert(pos, v);
                if let Some(s) = inst.schedule(order) {
                    let added = f64::from(s.back.saturating_sub(back)) + 1.0;
                    let worth = f64::from(inst.visits[v].score);
                    let ratio = worth * worth / added;
                    if pick.as_ref().is_none_or(|p| ratio > p.0) {
                        pick = Some((ratio, v, pos, s));
                    }
                }
                order.remove(pos);
            }
        }
        let Some((_, v, pos, s)) = pick else { return };
        order.insert(pos, v);
        used[v] = true;
        back = s.back;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact;
    use crate::instance::{Secs, Visit, Window};

    #[test]
    fn finds_the_optimum_of_most_instances_the_exact_solver_proves() {
        let mut reached = 0;
        let runs = 40;
        for seed in 0..runs {
            let inst = exact::tests::random(1000 + seed, 10 + (seed % 5) as usize);
            let optimum = inst.schedule(&exact::solve(&inst)).unwrap();
            let found = inst.schedule(&solve(&inst)).expect("the search's order is feasible");
            assert!(!better(&found, &optimum), "seed {seed}: the search beat the proven optimum, so one of them is wrong");
            assert!(found.score * 10 >= optimum.score * 8, "seed {seed}: {} of {}", found.score, optimum.score);
            reached += usize::from(found.score == optimum.score);
        }
        assert!(reached * 10 >= runs as usize * 8, "optimal worth in only {reached} of {runs}");
    }

    #[test]
    fn goes_round_a_circle_of_forty_sights() {
        // Known optimum: with time for all, round the circle.
        let n = 40;
        let pts: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain((0..n).map(|k| {
                let a = (k as f64) * std::f64::consts::TAU / n as f64;
                (1000.0 * a.cos(), 1000.0 * a.sin())
            }))
            .chain(std::iter::once((0.0, 0.0)))
            .collect();
        let travel: Vec<Vec<Secs>> = pts.iter().map(|a| pts.iter().map(|b| (a.0 - b.0).hypot(a.1 - b.1).round() as Secs).collect()).collect();
        let chord = travel[1][2];
        let visits = vec![Visit { duration: 120, windows: vec![Window::ALL_DAY], score: 1 }; n];
        let optimum = 2 * 1000 + (n as Secs - 1) * chord + n as Secs * 120;
        let inst = Instance { travel, visits, depart: 0, deadline: optimum };
        let s = inst.schedule(&solve(&inst)).expect("feasible");
        assert_eq!((s.score, s.back), (n as u32, optimum));
    }
}
