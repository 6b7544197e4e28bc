//! `obcina route solve --file F.json`: a walking route through points with
//! worth, visit length and opening windows, by the tour crate's solver
//! (exact up to 16 points). The file format is in docs/guide.md.

use anyhow::Context;
use clap::Subcommand;
use serde::Deserialize;
use std::path::PathBuf;
use std::process::ExitCode;
use tour::{Pace, Point, Walk, Window, Wish};

#[derive(Subcommand)]
pub enum RouteCommand {
    /// Print the ids of the points to visit, in order, one per line (a
    /// summary with the score goes to standard error; --json prints it all).
    Solve {
        /// JSON file: start, end, depart, budget_minutes, points.
        #[arg(long)]
        file: PathBuf,
        /// Print the whole route as JSON instead.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spot {
    lat: f64,
    lon: f64,
}

/// A clock time "HH:MM", or minutes after departure.
#[derive(Deserialize)]
#[serde(untagged)]
enum When {
    Clock(String),
    After(f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Target {
    id: String,
    lat: f64,
    lon: f64,
    #[serde(default = "one")]
    score: u32,
    #[serde(default)]
    visit_minutes: f64,
    open: Option<When>,
    close: Option<When>,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Problem {
    start: Spot,
    end: Option<Spot>,
    /// "HH:MM"; 09:00 when absent.
    depart: Option<String>,
    budget_minutes: f64,
    /// Walking speed; 72 m/min (1.2 m/s) when absent.
    speed_m_per_min: Option<f64>,
    /// Street distance per straight-line distance; 1.3 when absent.
    detour: Option<f64>,
    points: Vec<Target>,
}

fn clock(s: &str) -> anyhow::Result<u32> {
    let (h, m) = s.split_once(':').with_context(|| format!("{s:?} is not HH:MM"))?;
    let (h, m): (u32, u32) = (h.parse()?, m.parse()?);
    anyhow::ensure!(h <= 47 && m < 60, "{s:?} is not HH:MM");
    Ok(h * 3600 + m * 60)
}

fn secs(minutes: f64, what: &str) -> anyhow::Result<u32> {
    anyhow::ensure!((0.0..48.0 * 60.0).contains(&minutes), "{what} must be 0–2880 minutes");
    Ok((minutes * 60.0).round() as u32)
}

fn at(w: &When, depart: u32, what: &str) -> anyhow::Result<u32> {
    match w {
        When::Clock(s) => clock(s),
        When::After(m) => Ok(depart + secs(*m, what)?),
    }
}

fn spot(s: &Spot, what: &str) -> anyhow::Result<Point> {
    anyhow::ensure!((-90.0..=90.0).contains(&s.lat) && (-180.0..=180.0).contains(&s.lon), "{what}: lat/lon out of range");
    Ok(Point { lat: s.lat, lon: s.lon })
}

fn hhmm(s: u32) -> String {
    format!("{:02}:{:02}", s / 3600, s % 3600 / 60)
}

pub fn run(command: RouteCommand) -> anyhow::Result<ExitCode> {
    let RouteCommand::Solve { file, json } = command;
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let p: Problem = serde_json::from_str(&text).with_context(|| format!("{} is not a route problem", file.display()))?;
    anyhow::ensure!(p.points.len() <= 60, "at most 60 points");
    let depart = clock(p.depart.as_deref().unwrap_or("09:00"))?;
    let start = spot(&p.start, "start")?;
    let end = p.end.as_ref().map(|e| spot(e, "end")).transpose()?.unwrap_or(start);
    let speed = p.speed_m_per_min.unwrap_or(72.0);
    let detour = p.detour.unwrap_or(1.3);
    anyhow::ensure!(speed > 0.0 && speed.is_finite() && detour >= 1.0 && detour.is_finite(), "speed must be positive and detour at least 1");
    let walk = Walk {
        start,
        end,
        depart,
        back_by: depart + secs(p.budget_minutes, "budget_minutes")?,
        pace: Pace { metres_per_second: speed / 60.0, detour },
    };
    let mut ids = std::collections::BTreeSet::new();
    let wishes = p
        .points
        .iter()
        .map(|t| {
            anyhow::ensure!(ids.insert(t.id.clone()), "point {} is given twice", t.id);
            let open = t.open.as_ref().map(|w| at(w, depart, "open")).transpose()?.unwrap_or(0);
            let close = t.close.as_ref().map(|w| at(w, depart, "close")).transpose()?.unwrap_or(Window::ALL_DAY.close);
            anyhow::ensure!(open <= close, "point {}: opens after it closes", t.id);
            Ok(Wish {
                id: t.id.clone(),
                at: spot(&Spot { lat: t.lat, lon: t.lon }, &t.id)?,
                stay: secs(t.visit_minutes, "visit_minutes")?,
                windows: vec![Window { open, close }],
                score: t.score,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let route = tour::plan(&walk, &wishes);
    let score: u32 = route.stops.iter().map(|s| wishes.iter().find(|w| w.id == s.id).map_or(0, |w| w.score)).sum();
    if json {
        let out = serde_json::json!({
            "score": score,
            "optimal": route.optimal,
            "back": route.back.map(hhmm),
            "walk_m": route.walk_m,
            "stops": route.stops.iter().map(|s| serde_json::json!({
                "id": s.id, "walk_m": s.walk_m, "walk_s": s.walk_s, "arrive": hhmm(s.arrive), "start": hhmm(s.start), "leave": hhmm(s.leave),
            })).collect::<Vec<_>>(),
            "skipped": route.skipped.iter().map(|s| serde_json::json!({"id": s.id, "why": match s.why { tour::Why::Closed => "closed", tour::Why::NoTime => "no_time" }})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for s in &route.stops {
            println!("{}", s.id);
        }
        eprintln!(
            "score {score}, {} stops, back {}, {} m walked ({})",
            route.stops.len(),
            route.back.map(hhmm).unwrap_or_else(|| "never: the time is too short".into()),
            route.walk_m,
            if route.optimal { "optimal" } else { "best found" }
        );
    }
    Ok(ExitCode::SUCCESS)
}
