//! Planning time for a visitor's route: 8, 12 and 16 ticked sights (the
//! exact solver) and 30 and 40 (the local search), on seeded random sights
//! round Ptuj's old town with opening hours. A plain timing loop like the
//! pb bench: median and fastest of as many runs as fit in about a second.
//!
//! Then the quality of the answers: instances of 5, 10, 20 and 40 sights
//! whose optimum is known (solved exactly and checked by trying every
//! order; solved exactly over all 2^20 subsets; or optimal by construction,
//! see `tour::samples`), or, for random instances of 40, the best worth a
//! search 33 times as patient, and one started from each sight, find. Gap = (optimum − found) / optimum
//! in worth.
//!
//! Run: cargo bench -p tour --bench plan

use std::hint::black_box;
use std::time::{Duration, Instant};
use tour::{Instance, Pace, Point, Secs, Walk, Window, Wish, exact, plan, samples, search};

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, usize) {
    time_for(Duration::from_secs(1), &mut f)
}

/// Median and fastest of at least five runs, more while `budget` lasts.
fn time_for<T>(budget: Duration, mut f: impl FnMut() -> T) -> (Duration, Duration, usize) {
    let mut runs = Vec::new();
    let start = Instant::now();
    while runs.len() < 5 || (start.elapsed() < budget && runs.len() < 10_000) {
        let t = Instant::now();
        black_box(f());
        runs.push(t.elapsed());
    }
    runs.sort();
    (runs[runs.len() / 2], runs[0], runs.len())
}

fn sights(n: usize) -> Vec<Wish> {
    let mut seed: u64 = 11;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let at = Point { lat: 46.415 + next() * 0.012, lon: 15.862 + next() * 0.018 };
            let open = (9.0 + next() * 3.0) as u32 * 3600;
            let windows = if next() < 0.3 { vec![Window::ALL_DAY] } else { vec![Window { open, close: open + (3.0 + next() * 5.0) as u32 * 3600 }] };
            Wish { id: format!("s{i}"), at, stay: (15.0 + next() * 45.0) as u32 * 60, windows, score: 1 + (next() * 2.0) as u32 }
        })
        .collect()
}

fn main() {
    ptuj();
    println!();
    known_answers();
}

fn ptuj() {
    let tic = Point { lat: 46.4199, lon: 15.8700 };
    let walk = Walk { start: tic, end: tic, depart: 9 * 3600, back_by: 17 * 3600, pace: Pace::STROLL };
    println!("| sights | solver | visited | median | fastest | runs |");
    println!("|---|---|---|---|---|---|");
    for n in [8, 12, 16, 30, 40] {
        let wishes = sights(n);
        let route = plan(&walk, &wishes);
        let (median, fastest, runs) = time(|| plan(&walk, &wishes));
        let solver = if route.optimal { "exact" } else { "search" };
        println!("| {n} | {solver} | {} | {median:.2?} | {fastest:.2?} | {runs} |", route.stops.len());
    }
}

type Solver = fn(&Instance) -> Vec<usize>;

/// A family of instances with the best worth and return time known for each.
struct Family {
    sights: usize,
    name: &'static str,
    reference: &'static str,
    cases: Vec<(Instance, (u32, Secs))>,
}

fn optimum_of(inst: &Instance, order: &[usize]) -> (u32, Secs) {
    let s = inst.schedule(order).expect("a solver's order is feasible");
    (s.score, s.back)
}

/// Exact, and checked against trying every order.
fn proven(seeds: std::ops::Range<u64>, n: usize) -> Vec<(Instance, (u32, Secs))> {
    seeds
        .map(|seed| {
            let inst = samples::random(seed, n);
            let best = optimum_of(&inst, &exact::solve(&inst));
            let brute = samples::brute_force(&inst);
            assert_eq!(best, (brute.score, brute.back), "seed {seed}: exact and brute force disagree");
            (inst, best)
        })
        .collect()
}

/// The best of a search with 33 times the patience from the empty walk
/// and of one from every single sight, tried first: not proven.
fn best_known(inst: &Instance) -> (u32, Secs) {
    let mut best = optimum_of(inst, &search::improve(inst, Vec::new(), 5_000));
    for v in 0..inst.visits.len() {
        if inst.schedule(&[v]).is_some() {
            let found = optimum_of(inst, &search::improve(inst, vec![v], 500));
            if (found.0, std::cmp::Reverse(found.1)) > (best.0, std::cmp::Reverse(best.1)) {
                best = found;
            }
        }
    }
    best
}

fn families() -> Vec<Family> {
    let t = Instant::now();
    let dp20: Vec<(Instance, (u32, Secs))> = (0..6)
        .map(|seed| {
            let inst = samples::random(2000 + seed, 20);
            let best = optimum_of(&inst, &exact::solve(&inst));
            (inst, best)
        })
        .collect();
    let dp20_secs = t.elapsed().as_secs_f64() / dp20.len() as f64;
    eprintln!("exact solver on 20 sights: {dp20_secs:.2} s an instance");
    let clusters = |count, per, seeds: std::ops::Range<u64>| -> Vec<(Instance, (u32, Secs))> {
        seeds.map(|seed| samples::clusters(seed, count, per)).map(|(inst, s)| (inst, (s.score, s.back))).collect()
    };
    let circle = |n, fit| {
        let (inst, best) = samples::circle(n, fit);
        vec![(inst, best)]
    };
    vec![
        Family { sights: 5, name: "random", reference: "optimum (exact, = every order tried)", cases: proven(0..40, 5) },
        Family { sights: 10, name: "random", reference: "optimum (exact, = every order tried)", cases: proven(100..120, 10) },
        Family { sights: 20, name: "random", reference: "optimum (exact over 2^20 subsets)", cases: dp20 },
        Family { sights: 20, name: "2 far clusters of 10", reference: "optimum by construction", cases: clusters(2, 10, 300..310) },
        Family { sights: 20, name: "circle, time for 10", reference: "optimum by construction", cases: circle(20, 10) },
        Family { sights: 40, name: "circle, time for all", reference: "optimum by construction", cases: circle(40, 40) },
        Family { sights: 40, name: "circle, time for 20", reference: "optimum by construction", cases: circle(40, 20) },
        Family { sights: 40, name: "4 far clusters of 10", reference: "optimum by construction", cases: clusters(4, 10, 400..410) },
        Family {
            sights: 40,
            name: "random",
            reference: "best known (long search)",
            cases: (0..6)
                .map(|seed| {
                    let inst = samples::random(4000 + seed, 40);
                    let best = best_known(&inst);
                    (inst, best)
                })
                .collect(),
        },
    ]
}

fn known_answers() {
    println!("| sights | instances | reference | solver | reached | mean gap | worst gap | median time | slowest |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for f in families() {
        // What a visitor's request runs, and for few sights the search too.
        let planned: Solver = |i| tour::solve(i).0;
        let solvers: Vec<(&str, Solver)> =
            if f.sights <= exact::LIMIT { vec![("exact", planned), ("search alone", search::solve)] } else { vec![("search", planned)] };
        for (label, solver) in solvers {
            let (mut gaps, mut times, mut reached) = (Vec::new(), Vec::new(), 0);
            for (inst, best) in &f.cases {
                let found = optimum_of(inst, &solver(inst));
                assert!(found.0 <= best.0, "{} sights, {}: found {found:?}, better than the reference {best:?}", f.sights, f.name);
                reached += usize::from(found.0 == best.0);
                gaps.push(f64::from(best.0 - found.0) / f64::from(best.0.max(1)));
                times.push(time_for(Duration::from_millis(200), || solver(inst)).0);
            }
            times.sort();
            let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
            let worst = gaps.iter().cloned().fold(0.0, f64::max);
            println!(
                "| {} {} | {} | {} | {label} | {reached}/{} | {:.1} % | {:.1} % | {:.2?} | {:.2?} |",
                f.sights,
                f.name,
                f.cases.len(),
                f.reference,
                f.cases.len(),
                mean * 100.0,
                worst * 100.0,
                times[times.len() / 2],
                times[times.len() - 1]
            );
        }
    }
}
