//! Planning time for a visitor's route: 8, 12 and 16 ticked sights (the
//! exact solver) and 30 and 40 (the local search), on seeded random sights
//! round Ptuj's old town with opening hours. A plain timing loop like the
//! pb bench: median and fastest of as many runs as fit in about a second.
//!
//! Run: cargo bench -p tour --bench plan

use std::hint::black_box;
use std::time::{Duration, Instant};
use tour::{Pace, Point, Walk, Window, Wish, plan};

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, usize) {
    let mut runs = Vec::new();
    let start = Instant::now();
    while runs.len() < 5 || (start.elapsed() < Duration::from_secs(1) && runs.len() < 10_000) {
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
