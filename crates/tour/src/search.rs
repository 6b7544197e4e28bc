//! Iterated local search for more visits than the exact solver takes
//! (Vansteenwegen, Souffriau, Vanden Berghe, Van Oudheusden, "Iterated local
//! search for the team orienteering problem with time windows", Computers &
//! Operations Research 36 (2009)): insert the visit with the best worth per
//! added second until none fits, shorten the walk by reversing stretches and
//! exchange a visit for a better one (on walks near the best); then shake by removing a run of visits
//! (up to the whole walk) and insert others first; now and then start again
//! from a far sight, so a walk that went the wrong way is left. Keep the
//! best. Deterministic, so a route is reproducible.

use crate::instance::{Instance, Secs, better};

/// Shakes without an improvement before the search stops.
const PATIENCE: usize = 150;

/// How far below the best worth a shaken walk may be and still get the
/// exchanges of one visit for another.
const POLISH: u32 = 3;

/// Far sights the search starts again from when stuck.
const FAR_STARTS: usize = 4;

pub fn solve(inst: &Instance) -> Vec<usize> {
    improve(inst, Vec::new(), PATIENCE)
}

/// The search from a feasible order of visits, stopping after `patience`
/// shakes without an improvement (a longer search for a reference answer).
pub fn improve(inst: &Instance, mut order: Vec<usize>, patience: usize) -> Vec<usize> {
    let n = inst.visits.len();
    let Some(first) = inst.schedule(&order) else { return Vec::new() };
    local_search(inst, &mut order, first.back, &[], true);
    let mut best_order = order.clone();
    let mut best = inst.schedule(&order).expect("insertion keeps the order feasible");
    let far = spread(inst, FAR_STARTS);
    let (mut start, mut length, mut restarts) = (0usize, 1usize, 0usize);
    let mut since_better = 0;
    while since_better < patience && n > 0 {
        let removed: Vec<usize> = if order.is_empty() {
            Vec::new()
        } else {
            let from = start % order.len();
            let to = (from + length).min(order.len());
            order.drain(from..to).collect()
        };
        let back = inst.schedule(&order).expect("removing visits keeps the order feasible").back;
        local_search(inst, &mut order, back, &removed, false);
        let mut now = inst.schedule(&order).expect("insertion keeps the order feasible");
        if now.score + POLISH >= best.score {
            // Close to the best: worth the dearer exchanges.
            local_search(inst, &mut order, now.back, &[], true);
            now = inst.schedule(&order).expect("exchanges keep the order feasible");
        }
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
        // Up to the whole walk: a walk that went the wrong way may need
        // every visit out before the search tries another part of town.
        if length > order.len().max(1) {
            length = 1;
        }
        if since_better % 30 == 0 && since_better > 0 && !far.is_empty() {
            // Start again from a far sight, each in turn: a walk another way.
            order = vec![far[restarts % far.len()]];
            restarts += 1;
            let back = inst.schedule(&order).expect("a reachable sight").back;
            local_search(inst, &mut order, back, &[], false);
        } else if since_better % 20 == 0 && since_better > 0 {
            // Go on from the best found, not from a worse neighbourhood.
            order = best_order.clone();
        }
    }
    debug_assert_eq!(inst.schedule(&best_order), Some(best));
    best_order
}

/// Sights that can be visited alone, each as far as possible from the start
/// and the ones picked before (farthest-point order): starts for walks in
/// different directions.
fn spread(inst: &Instance, count: usize) -> Vec<usize> {
    let reachable: Vec<usize> = (0..inst.visits.len()).filter(|&v| inst.schedule(&[v]).is_some()).collect();
    let mut picked: Vec<usize> = Vec::new();
    let mut nearest: Vec<Secs> = reachable.iter().map(|&v| inst.to_visit(0, v)).collect();
    while picked.len() < count.min(reachable.len()) {
        let Some((i, _)) = nearest.iter().enumerate().filter(|(i, _)| !picked.contains(&reachable[*i])).max_by_key(|(_, d)| **d) else { break };
        let v = reachable[i];
        picked.push(v);
        for (k, &w) in reachable.iter().enumerate() {
            nearest[k] = nearest[k].min(inst.travel[v + 1][w + 1]);
        }
    }
    picked
}

/// Insertion, first of other visits than those just removed (so a shake
/// leads somewhere new), then shortening the walk by reversing stretches of
/// it, which may free time for more insertions.
fn local_search(inst: &Instance, order: &mut Vec<usize>, back: u32, removed: &[usize], swaps: bool) {
    insert_greedily(inst, order, back, removed);
    let mut back = inst.schedule(order).expect("insertion keeps the order feasible").back;
    insert_greedily(inst, order, back, &[]);
    while let Some(shorter) = reverse_a_stretch(inst, order).or_else(|| if swaps { swap_one(inst, order) } else { None }) {
        back = shorter;
        insert_greedily(inst, order, back, &[]);
    }
}

/// How a walk ranks: more worth, then back earlier.
type Rank = (u32, std::cmp::Reverse<Secs>);

/// The best exchange of one visit for one not made that is worth more, or
/// as much and back earlier; the new return time. The dearest move, so the
/// search makes it only on walks close to the best.
fn swap_one(inst: &Instance, order: &mut Vec<usize>) -> Option<Secs> {
    let now = inst.schedule(order)?;
    let mut used = vec![false; inst.visits.len()];
    for &v in order.iter() {
        used[v] = true;
    }
    let mut times = Times::default();
    // (worth, back earlier), the visit out, the visit in, where.
    let mut pick: Option<(Rank, usize, usize, usize)> = None;
    for out in 0..order.len() {
        let u = order.remove(out);
        times.of(inst, order);
        let rest = now.score - inst.visits[u].score;
        for v in (0..inst.visits.len()).filter(|&v| !used[v] && inst.visits[v].score >= inst.visits[u].score) {
            for pos in 0..=order.len() {
                if let Some(b) = times.back_inserting(inst, order, pos, v) {
                    let key = (rest + inst.visits[v].score, std::cmp::Reverse(b));
                    if key > (now.score, std::cmp::Reverse(now.back)) && pick.is_none_or(|p| key > p.0) {
                        pick = Some((key, out, v, pos));
                    }
                }
            }
        }
        order.insert(out, u);
    }
    let ((_, std::cmp::Reverse(back)), out, v, pos) = pick?;
    order.remove(out);
    order.insert(pos, v);
    Some(back)
}

/// 2-opt over the order: the first reversal of `order[i..=j]` that keeps it
/// feasible and brings the walker back earlier; the new return time.
fn reverse_a_stretch(inst: &Instance, order: &mut [usize]) -> Option<u32> {
    let back = inst.back(order)?;
    for i in 0..order.len() {
        for j in i + 1..order.len() {
            order[i..=j].reverse();
            match inst.back(order) {
                Some(b) if b < back => return Some(b),
                _ => order[i..=j].reverse(),
            }
        }
    }
    None
}

/// Adds the visit with the highest worth² per added second, where it costs
/// least, until no more fit.
fn insert_greedily(inst: &Instance, order: &mut Vec<usize>, mut back: u32, not: &[usize]) {
    let mut used = vec![false; inst.visits.len()];
    for &v in order.iter().chain(not) {
        used[v] = true;
    }
    let mut times = Times::default();
    loop {
        times.of(inst, order);
        let mut pick: Option<(f64, usize, usize, Secs)> = None;
        for v in (0..inst.visits.len()).filter(|&v| !used[v]) {
            let worth = f64::from(inst.visits[v].score);
            for pos in 0..=order.len() {
                if let Some(b) = times.back_inserting(inst, order, pos, v) {
                    let ratio = worth * worth / (f64::from(b.saturating_sub(back)) + 1.0);
                    if pick.is_none_or(|p| ratio > p.0) {
                        pick = Some((ratio, v, pos, b));
                    }
                }
            }
        }
        let Some((_, v, pos, b)) = pick else { return };
        order.insert(pos, v);
        used[v] = true;
        back = b;
    }
}

/// When each visit of an order starts and ends, to try an insertion
/// without walking the whole order again.
#[derive(Default)]
struct Times {
    start: Vec<Secs>,
    leave: Vec<Secs>,
    back: Secs,
}

impl Times {
    fn of(&mut self, inst: &Instance, order: &[usize]) {
        self.start.clear();
        self.leave.clear();
        let (mut at, mut now) = (0, inst.depart);
        for &v in order {
            let start = inst.start_at(v, now + inst.to_visit(at, v)).expect("the order is feasible");
            now = start + inst.visits[v].duration;
            self.start.push(start);
            self.leave.push(now);
            at = v + 1;
        }
        self.back = now + inst.travel[at][inst.end()];
    }

    /// The return time with `v` inserted before `order[pos]`, if feasible.
    /// Once a later visit starts when it did before, the rest is unchanged.
    fn back_inserting(&self, inst: &Instance, order: &[usize], pos: usize, v: usize) -> Option<Secs> {
        let (mut at, now) = if pos == 0 { (0, inst.depart) } else { (order[pos - 1] + 1, self.leave[pos - 1]) };
        let mut now = inst.start_at(v, now + inst.to_visit(at, v))? + inst.visits[v].duration;
        at = v + 1;
        for (k, &w) in order.iter().enumerate().skip(pos) {
            let start = inst.start_at(w, now + inst.to_visit(at, w))?;
            if start == self.start[k] {
                return Some(self.back);
            }
            now = start + inst.visits[w].duration;
            at = w + 1;
        }
        let back = now + inst.travel[at][inst.end()];
        (back <= inst.deadline).then_some(back)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact;

    #[test]
    fn finds_the_optimum_the_exact_solver_proves() {
        for seed in 0..40 {
            let inst = crate::samples::random(1000 + seed, 10 + (seed % 7) as usize);
            let optimum = inst.schedule(&exact::solve(&inst)).unwrap();
            let found = inst.schedule(&solve(&inst)).expect("the search's order is feasible");
            assert!(!better(&found, &optimum), "seed {seed}: the search beat the proven optimum, so one of them is wrong");
            assert_eq!(found.score, optimum.score, "seed {seed}");
        }
    }

    #[test]
    fn leaves_a_cluster_of_sights_for_a_better_one_far_away() {
        // Time for one of four far-apart clusters: the first walk the
        // insertion builds often goes to the wrong one.
        for seed in 0..12 {
            let (inst, optimum) = crate::samples::clusters(seed, 4, 10);
            let found = inst.schedule(&solve(&inst)).expect("feasible");
            assert_eq!(found.score, optimum.score, "seed {seed}");
        }
    }

    #[test]
    fn goes_round_a_circle_of_forty_sights() {
        // Known optimum: with time for all, round the circle; with time for
        // half, twenty neighbours.
        for fit in [40, 20] {
            let (inst, optimum) = crate::samples::circle(40, fit);
            let s = inst.schedule(&solve(&inst)).expect("feasible");
            assert_eq!((s.score, s.back), optimum, "time for {fit}");
        }
    }
}
