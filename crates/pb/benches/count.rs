//! Counting time per rule on the largest Pabulib file of the shared data
//! set (read from ../shared/data/pabulib, outside the repository; set
//! PB_BENCH_FILE for another file, or PB_BENCH_SYNTHETIC=50000 for a
//! seeded random approval election of that many ballots and 60 projects). A plain timing loop rather than
//! criterion: one dependency less to build on a 2-core machine, and the
//! figures are medians over enough runs to be steady.
//!
//! Run: cargo bench -p pb --bench count

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn largest_file() -> Option<PathBuf> {
    if let Ok(file) = std::env::var("PB_BENCH_FILE") {
        return Some(file.into());
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pabulib");
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "pb"))
        .max_by_key(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .map(|e| e.path())
}

/// Median and fastest of as many runs as fit in about a second (at least 5).
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

/// A seeded random approval election as `.pb` text: 60 projects of
/// uneven popularity, a budget of a quarter of their cost.
fn synthetic(ballots: usize) -> String {
    let mut seed: u64 = 7;
    let mut next = move || {
        // xorshift64: reproducible without a dependency.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let costs: Vec<u64> = (0..60).map(|_| (10.0 + next() * 390.0) as u64 * 1000).collect();
    let popularity: Vec<f64> = (0..60).map(|_| next().powi(2) * 0.5).collect();
    let mut text = format!(
        "META\nkey;value\nnum_projects;60\nnum_votes;{ballots}\nbudget;{}\nvote_type;approval\nPROJECTS\nproject_id;cost\n",
        costs.iter().sum::<u64>() / 4
    );
    for (i, cost) in costs.iter().enumerate() {
        text += &format!("P{};{cost}\n", i + 1);
    }
    text += "VOTES\nvoter_id;vote\n";
    for v in 0..ballots {
        let chosen: Vec<String> = (0..60).filter(|&i| next() < popularity[i]).map(|i| format!("P{}", i + 1)).collect();
        text += &format!("{};{}\n", v + 1, chosen.join(","));
    }
    text
}

fn main() {
    let (name, text) = match std::env::var("PB_BENCH_SYNTHETIC").ok().and_then(|n| n.parse().ok()) {
        Some(ballots) => (format!("synthetic, {ballots} ballots"), synthetic(ballots)),
        None => {
            let Some(path) = largest_file() else {
                eprintln!("SKIPPED: no Pabulib data (../shared/data/pabulib) and no PB_BENCH_FILE");
                return;
            };
            (path.file_name().unwrap_or_default().to_string_lossy().into_owned(), std::fs::read_to_string(&path).expect("readable file"))
        }
    };
    let e = pb::parse(&text).expect("valid file");
    println!("{}: {} bytes, {} projects, {} ballots ({})\n", name, text.len(), e.projects.len(), e.voters.len(), e.vote_type.as_str());
    println!("| step | median | fastest | runs |\n|---|---|---|---|");
    let row = |name: &str, (median, fastest, runs): (Duration, Duration, usize)| println!("| {name} | {median:.2?} | {fastest:.2?} | {runs} |");
    row("parse", time(|| pb::parse(&text)));
    for (name, threshold) in [("greedy", None), ("greedy-noskip", None), ("greedy-threshold", Some("10%")), ("mes", None)] {
        let rule = pb::Rule::named(name, threshold, &e).expect("known rule");
        row(name, time(|| pb::count(&e, &rule)));
    }
    row("write", time(|| pb::write(&e)));
}
