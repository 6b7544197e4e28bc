//! Seeded instances whose best answer is known, shared by the tests and the
//! benchmark: random ones (solved exactly, or by trying every order), sights
//! round a circle, and far-apart clusters of sights. Deterministic, so a
//! failure or a figure can be replayed.

use crate::exact;
use crate::instance::{Instance, Schedule, Secs, Visit, Window, better};

/// A small deterministic generator.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, below: u32) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as u32
    }
}

/// Seconds between points, rounded up: rounding up keeps the triangle
/// inequality, which [`clusters`] relies on.
fn travel_up(pts: &[(f64, f64)]) -> Vec<Vec<Secs>> {
    pts.iter().map(|a| pts.iter().map(|b| ((a.0 - b.0).hypot(a.1 - b.1)).ceil() as Secs).collect()).collect()
}

/// One or two opening windows (or none: open all day) from `from` on.
fn windows(r: &mut Lcg, from: Secs) -> Vec<Window> {
    match r.next(4) {
        0 => vec![Window::ALL_DAY],
        1 => vec![Window { open: from + 3600 + r.next(3600), close: from + 3 * 3600 + r.next(7200) }],
        2 => vec![Window { open: from, close: from + 3600 + r.next(3600) }, Window { open: from + 3 * 3600, close: from + 6 * 3600 }],
        _ => vec![Window { open: from + r.next(7200), close: from + 5 * 3600 }],
    }
}

/// A visit of 5–30 minutes worth 1–3.
fn visit(r: &mut Lcg, from: Secs) -> Visit {
    let windows = windows(r, from);
    Visit { duration: 300 + r.next(1500), windows, score: 1 + r.next(3) }
}

/// Random points in a square kilometre walked at 1 m/s, with visits of
/// 5–30 minutes, some with one or two opening windows, and 3–6 hours.
pub fn random(seed: u64, n: usize) -> Instance {
    let mut r = Lcg(seed);
    let pts: Vec<(f64, f64)> = (0..n + 2).map(|_| (r.next(1000) as f64, r.next(1000) as f64)).collect();
    let depart = 9 * 3600;
    let visits = (0..n).map(|_| visit(&mut r, depart)).collect();
    Instance { travel: travel_up(&pts), visits, depart, deadline: depart + 3 * 3600 + r.next(3 * 3600) }
}

/// Every order of every subset, tried: the reference answer for a handful.
pub fn brute_force(inst: &Instance) -> Schedule {
    fn go(inst: &Instance, order: &mut Vec<usize>, used: &mut Vec<bool>, best: &mut Schedule) {
        let Some(s) = inst.schedule(order) else { return };
        if better(&s, best) {
            *best = s;
        }
        for v in 0..inst.visits.len() {
            if !used[v] {
                used[v] = true;
                order.push(v);
                go(inst, order, used, best);
                order.pop();
                used[v] = false;
            }
        }
    }
    let mut best = inst.schedule(&[]).expect("the empty walk fits");
    go(inst, &mut Vec::new(), &mut vec![false; inst.visits.len()], &mut best);
    best
}

/// `n` sights of two minutes, worth 1 each, evenly on a circle of 1 km
/// round the start (also the end), walked at 1 m/s, with time for exactly
/// `fit` of them. Any walk out, through k sights and back is at least
/// 2 × 1000 m plus k − 1 of the shortest chord, which only k neighbours on
/// the circle attain; so the optimum visits `fit` neighbours and is back
/// exactly at the deadline. Returns the instance and its optimum (worth, back).
pub fn circle(n: usize, fit: usize) -> (Instance, (u32, Secs)) {
    assert!((1..=n).contains(&fit) && n >= 3);
    let pts: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
        .chain((0..n).map(|k| {
            let a = (k as f64) * std::f64::consts::TAU / n as f64;
            (1000.0 * a.cos(), 1000.0 * a.sin())
        }))
        .chain(std::iter::once((0.0, 0.0)))
        .collect();
    // Rounded to the nearest second: the radius is 1000 s whatever the
    // floating-point noise, and a longer chord never rounds below a shorter one.
    let travel: Vec<Vec<Secs>> = pts.iter().map(|a| pts.iter().map(|b| (a.0 - b.0).hypot(a.1 - b.1).round() as Secs).collect()).collect();
    let chord = travel[1][2];
    // The argument needs every chord between neighbours equal after rounding,
    // and the radius exactly 1000 s.
    assert!((1..=n).all(|k| travel[k][k % n + 1] == chord && travel[0][k] == 1000 && travel[k][n + 1] == 1000));
    let visits = vec![Visit { duration: 120, windows: vec![Window::ALL_DAY], score: 1 }; n];
    let back = 2 * 1000 + (fit as Secs - 1) * chord + fit as Secs * 120;
    (Instance { travel, visits, depart: 0, deadline: back }, (fit as u32, back))
}

/// `count` clusters of `per` random sights (a disc of 400 m), 10 km from the
/// start in evenly spread directions, with 2.5–3.5 hours beyond the walk
/// out and back: time for one cluster, never two (checked pair by pair with
/// the triangle inequality). The optimum is then the best of the clusters'
/// exact optima, each small enough for [`exact::solve`]. Returns the
/// instance and its optimum.
pub fn clusters(seed: u64, count: usize, per: usize) -> (Instance, Schedule) {
    const FAR: f64 = 10_000.0;
    let mut r = Lcg(seed);
    let depart = 9 * 3600;
    let mut pts = vec![(0.0, 0.0)];
    let mut visits = Vec::new();
    for c in 0..count {
        let a = c as f64 * std::f64::consts::TAU / count as f64;
        let centre = (FAR * a.cos(), FAR * a.sin());
        for _ in 0..per {
            let (ang, rad) = (f64::from(r.next(3600)) / 3600.0 * std::f64::consts::TAU, 400.0 * (f64::from(r.next(1000)) / 1000.0).sqrt());
            pts.push((centre.0 + rad * ang.cos(), centre.1 + rad * ang.sin()));
            // Opening hours from the arrival in the cluster on.
            visits.push(visit(&mut r, depart + FAR as Secs));
        }
    }
    pts.push((0.0, 0.0));
    let inst = Instance { travel: travel_up(&pts), visits, depart, deadline: depart + 2 * FAR as Secs + 9000 + r.next(3600) };
    let cluster_of = |v: usize| v / per;
    let n = inst.visits.len();
    for a in 0..n {
        for b in (0..n).filter(|&b| cluster_of(b) != cluster_of(a)) {
            let least = inst.depart
                + inst.to_visit(0, a)
                + inst.visits[a].duration
                + inst.to_visit(a + 1, b)
                + inst.visits[b].duration
                + inst.travel[b + 1][inst.end()];
            assert!(least > inst.deadline, "seed {seed}: sights {a} and {b} of two clusters fit in one walk");
        }
    }
    let mut best = inst.schedule(&[]).expect("the walk out and back is not needed, start and end are one place");
    for c in 0..count {
        let members: Vec<usize> = (c * per..(c + 1) * per).collect();
        let nodes: Vec<usize> = std::iter::once(0).chain(members.iter().map(|v| v + 1)).chain(std::iter::once(inst.end())).collect();
        let sub = Instance {
            travel: nodes.iter().map(|&i| nodes.iter().map(|&j| inst.travel[i][j]).collect()).collect(),
            visits: members.iter().map(|&v| inst.visits[v].clone()).collect(),
            depart: inst.depart,
            deadline: inst.deadline,
        };
        let order: Vec<usize> = exact::solve(&sub).into_iter().map(|i| members[i]).collect();
        let s = inst.schedule(&order).expect("a cluster's optimum is feasible in the whole");
        if better(&s, &best) {
            best = s;
        }
    }
    (inst, best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_with_time_for_all_is_walked_round() {
        let (inst, (score, back)) = circle(12, 12);
        let s = inst.schedule(&exact::solve(&inst)).unwrap();
        assert_eq!((s.score, s.back), (score, back));
    }

    #[test]
    fn two_clusters_have_the_optimum_of_the_better_one() {
        // Small enough to solve whole: the construction's answer is the optimum.
        for seed in 0..4 {
            let (inst, optimum) = clusters(seed, 2, 7);
            let whole = inst.schedule(&exact::solve(&inst)).unwrap();
            assert_eq!((whole.score, whole.back), (optimum.score, optimum.back), "seed {seed}");
            assert!(optimum.score > 0, "seed {seed}: some sight fits");
        }
    }
}
