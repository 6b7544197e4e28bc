//! The exact solver: dynamic programming over subsets. A state is the set of
//! visits made and the last one; it keeps only the earliest moment the
//! walker can leave that last visit, because waiting is allowed and a visit
//! never starts earlier for a later arrival (see [`Instance::start_at`]), so
//! whatever can follow a later finish can follow the earliest one too. The
//! best state that still gets back by the deadline is optimal.

use crate::instance::{Instance, Secs, better};

/// Most visits solved exactly for a visitor: 2^16 × 16 states, about a
/// million, solved in milliseconds and a few megabytes.
pub const LIMIT: usize = 16;

/// Most visits [`solve`] takes at all: memory grows as 2^n × n × 5 bytes
/// (20 visits: 100 MB and seconds), for checks and benchmarks, not requests.
pub const MAX: usize = 22;

const NONE: u8 = u8::MAX;

/// The optimal order of visits (most worth, then back earliest).
pub fn solve(inst: &Instance) -> Vec<usize> {
    let n = inst.visits.len();
    assert!(n <= MAX, "{n} visits are more than the exact solver takes");
    if n == 0 {
        return Vec::new();
    }
    let full = 1usize << n;
    let mut leave = vec![Secs::MAX; full * n];
    let mut parent = vec![NONE; full * n];
    let leave_after = |from_node: usize, now: Secs, v: usize| -> Option<Secs> {
        let start = inst.start_at(v, now + inst.to_visit(from_node, v))?;
        let done = start + inst.visits[v].duration;
        (done <= inst.deadline).then_some(done)
    };
    for v in 0..n {
        if let Some(t) = leave_after(0, inst.depart, v) {
            leave[(1 << v) * n + v] = t;
        }
    }
    // Not even the walk from start to end fits: nothing does.
    let Some(mut best) = inst.schedule(&[]) else { return Vec::new() };
    let mut best_state = None;
    for mask in 1..full {
        for last in 0..n {
            let now = leave[mask * n + last];
            if now == Secs::MAX {
                continue;
            }
            let back = now + inst.travel[last + 1][inst.end()];
            if back <= inst.deadline {
                let score = (0..n).filter(|v| mask & (1 << v) != 0).map(|v| inst.visits[v].score).sum();
                let candidate = crate::Schedule { stops: Vec::new(), back, score };
                if better(&candidate, &best) {
                    best = candidate;
                    best_state = Some((mask, last));
                }
            }
            for next in 0..n {
                if mask & (1 << next) != 0 {
                    continue;
                }
                if let Some(t) = leave_after(last + 1, now, next) {
                    let i = (mask | 1 << next) * n + next;
                    if t < leave[i] {
                        leave[i] = t;
                        parent[i] = last as u8;
                    }
                }
            }
        }
    }
    let mut order = Vec::new();
    let mut state = best_state;
    while let Some((mask, last)) = state {
        order.push(last);
        let p = parent[mask * n + last];
        state = (p != NONE).then(|| (mask & !(1 << last), p as usize));
    }
    order.reverse();
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Visit, Window};
    use crate::samples::{brute_force, random};

    #[test]
    fn agrees_with_trying_every_order_on_random_instances() {
        for seed in 0..120 {
            let inst = random(seed, 1 + (seed % 7) as usize);
            let reference = brute_force(&inst);
            let order = solve(&inst);
            let got = inst.schedule(&order).expect("the solver's order is feasible");
            assert_eq!((got.score, got.back), (reference.score, reference.back), "seed {seed}: {order:?} vs {:?}", reference.stops);
        }
    }

    #[test]
    fn points_on_a_circle_are_visited_round_it() {
        // Twelve sights on a circle round the start with time for all: out to
        // one, round the circle, back.
        let n = 12;
        let (inst, optimum) = crate::samples::circle(n, n);
        let order = solve(&inst);
        let s = inst.schedule(&order).unwrap();
        assert_eq!((s.score, s.back), optimum);
        let steps: Vec<usize> = order.windows(2).map(|w| (w[1] + n - w[0]) % n).collect();
        assert!(steps.iter().all(|&d| d == 1) || steps.iter().all(|&d| d == n - 1), "round the circle: {order:?}");

        // With time for only five of them, five neighbours on the circle.
        let (five, optimum) = crate::samples::circle(n, 5);
        let s = five.schedule(&solve(&five)).unwrap();
        assert_eq!((s.score, s.back), optimum);
    }

    #[test]
    fn opening_hours_can_force_the_long_way_round() {
        // A is near, B is far; B closes early, so B must come first.
        let travel = vec![vec![0, 100, 1000, 0], vec![100, 0, 900, 100], vec![1000, 900, 0, 1000], vec![0, 100, 1000, 0]];
        let visits = vec![
            Visit { duration: 60, windows: vec![Window::ALL_DAY], score: 1 },
            Visit { duration: 60, windows: vec![Window { open: 0, close: 1100 }], score: 1 },
        ];
        let inst = Instance { travel, visits, depart: 0, deadline: 10_000 };
        assert_eq!(solve(&inst), vec![1, 0]);
        // A closed sight is left out, and the rest still planned.
        let mut closed = inst.clone();
        closed.visits[1].windows.clear();
        assert_eq!(solve(&closed), vec![0]);
    }

    #[test]
    fn a_must_see_outweighs_two_small_sights() {
        // Time for one long trip or two short ones: the must-see (worth 3) wins.
        let travel = vec![
            vec![0, 100, 100, 1000, 0],
            vec![100, 0, 10, 1000, 100],
            vec![100, 10, 0, 1000, 100],
            vec![1000, 1000, 1000, 0, 1000],
            vec![0, 100, 100, 1000, 0],
        ];
        let v = |score| Visit { duration: 60, windows: vec![Window::ALL_DAY], score };
        let inst = Instance { travel, visits: vec![v(1), v(1), v(3)], depart: 0, deadline: 2100 };
        assert_eq!(solve(&inst), vec![2]);
    }
}
