//! From places on the map to a walking route and back: straight-line
//! distance stretched by a detour factor for the streets, at a walking pace,
//! gives the travel times; the solver's order becomes stops with distances,
//! arrival, waiting and leaving times, and the sights left out say why.

use crate::instance::{Instance, Secs, Visit, Window};

/// WGS84 degrees.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl Point {
    /// Great-circle metres (haversine; ample at town scale).
    pub fn distance_m(self, to: Point) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), to.lat.to_radians());
        let a = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((to.lon - self.lon).to_radians() / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }

    /// Initial compass bearing towards `to`, degrees clockwise from north.
    pub fn bearing_deg(self, to: Point) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), to.lat.to_radians());
        let dl = (to.lon - self.lon).to_radians();
        let y = dl.sin() * p2.cos();
        let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
        (y.atan2(x).to_degrees() + 360.0) % 360.0
    }
}

/// How fast and how directly a visitor walks.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Pace {
    pub metres_per_second: f64,
    /// Street distance per straight-line distance; about 1.3 in an old town.
    pub detour: f64,
}

impl Pace {
    /// A sightseeing stroll, 4.3 km/h.
    pub const STROLL: Pace = Pace { metres_per_second: 1.2, detour: 1.3 };
    /// With small children or a wheelchair, 3.2 km/h.
    pub const UNHURRIED: Pace = Pace { metres_per_second: 0.9, detour: 1.3 };

    fn walk(self, a: Point, b: Point) -> (u32, Secs) {
        let m = a.distance_m(b) * self.detour;
        (m.round() as u32, (m / self.metres_per_second).ceil() as Secs)
    }
}

/// A sight the visitor ticked.
#[derive(Clone, Debug)]
pub struct Wish {
    pub id: String,
    pub at: Point,
    /// How long they stay there.
    pub stay: Secs,
    /// When it is open that day, sorted; empty when closed all day.
    pub windows: Vec<Window>,
    /// 1 for a sight they want, more for a must-see.
    pub score: u32,
}

/// Where and when the walk starts and ends.
#[derive(Copy, Clone, Debug)]
pub struct Walk {
    pub start: Point,
    pub end: Point,
    pub depart: Secs,
    pub back_by: Secs,
    pub pace: Pace,
}

/// One stop of the route and the walk that leads to it.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteStop {
    pub id: String,
    pub walk_m: u32,
    pub walk_s: Secs,
    pub bearing_deg: f64,
    pub arrive: Secs,
    /// Later than `arrive` when the sight opens later.
    pub start: Secs,
    pub leave: Secs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// Not open long enough for the visit within the time the visitor has.
    Closed,
    /// Open, but the others (or the walk there) take the time.
    NoTime,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    pub id: String,
    pub why: Why,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub stops: Vec<RouteStop>,
    /// The walk from the last stop to the end.
    pub last_walk_m: u32,
    pub last_walk_s: Secs,
    /// When the visitor reaches the end; `None` when even walking straight
    /// from start to end does not fit in the time given.
    pub back: Option<Secs>,
    pub walk_m: u32,
    pub skipped: Vec<Skipped>,
    /// Proven optimal (exact solver) rather than the best found.
    pub optimal: bool,
}

/// The best walking route through the wishes.
pub fn plan(walk: &Walk, wishes: &[Wish]) -> Route {
    let points: Vec<Point> = std::iter::once(walk.start).chain(wishes.iter().map(|w| w.at)).chain(std::iter::once(walk.end)).collect();
    let legs: Vec<Vec<(u32, Secs)>> = points.iter().map(|&a| points.iter().map(|&b| walk.pace.walk(a, b)).collect()).collect();
    let inst = Instance {
        travel: legs.iter().map(|row| row.iter().map(|l| l.1).collect()).collect(),
        visits: wishes.iter().map(|w| Visit { duration: w.stay, windows: w.windows.clone(), score: w.score }).collect(),
        depart: walk.depart,
        deadline: walk.back_by,
    };
    let (order, optimal) = crate::solve(&inst);
    let schedule = inst.schedule(&order);
    let mut stops = Vec::new();
    let mut at = 0;
    for stop in schedule.iter().flat_map(|s| &s.stops) {
        let node = stop.visit + 1;
        let (walk_m, walk_s) = legs[at][node];
        stops.push(RouteStop {
            id: wishes[stop.visit].id.clone(),
            walk_m,
            walk_s,
            bearing_deg: points[at].bearing_deg(points[node]),
            arrive: stop.arrive,
            start: stop.start,
            leave: stop.leave,
        });
        at = node;
    }
    let (last_walk_m, last_walk_s) = legs[at][inst.end()];
    let skipped = (0..wishes.len())
        .filter(|v| !order.contains(v))
        .map(|v| {
            // Closed: the visitor has time for the stay, but no opening
            // leaves room for it between departure and return.
            let stay = wishes[v].stay;
            let open =
                walk.depart + stay > walk.back_by || wishes[v].windows.iter().any(|w| w.open.max(walk.depart) + stay <= w.close.min(walk.back_by));
            Skipped { id: wishes[v].id.clone(), why: if open { Why::NoTime } else { Why::Closed } }
        })
        .collect();
    Route {
        walk_m: stops.iter().map(|s| s.walk_m).sum::<u32>() + last_walk_m,
        stops,
        last_walk_m,
        last_walk_s,
        back: schedule.map(|s| s.back),
        skipped,
        optimal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ptuj: the tourist information centre on Slovenski trg, the castle,
    // the Minorite monastery and the Orpheus monument.
    const TIC: Point = Point { lat: 46.4199, lon: 15.8700 };
    const CASTLE: Point = Point { lat: 46.4227, lon: 15.8694 };
    const MINORITES: Point = Point { lat: 46.4196, lon: 15.8731 };
    const ORPHEUS: Point = Point { lat: 46.4202, lon: 15.8715 };

    fn wish(id: &str, at: Point, windows: Vec<Window>) -> Wish {
        Wish { id: id.into(), at, stay: 45 * 60, windows, score: 1 }
    }

    fn h(hours: u32, minutes: u32) -> Secs {
        hours * 3600 + minutes * 60
    }

    #[test]
    fn distances_and_bearings_match_known_values() {
        // One degree of latitude is about 111.2 km; due north is 0°, east 90°.
        let a = Point { lat: 46.0, lon: 15.0 };
        assert!((a.distance_m(Point { lat: 47.0, lon: 15.0 }) - 111_195.0).abs() < 50.0);
        assert!(a.bearing_deg(Point { lat: 47.0, lon: 15.0 }) < 0.01);
        assert!((a.bearing_deg(Point { lat: 46.0, lon: 15.01 }) - 90.0).abs() < 0.01);
        assert!((TIC.distance_m(CASTLE) - 314.0).abs() < 10.0, "{}", TIC.distance_m(CASTLE));
    }

    #[test]
    fn a_morning_in_ptuj_waits_for_the_castle_and_leaves_out_what_is_closed() {
        let walk = Walk { start: TIC, end: TIC, depart: h(9, 0), back_by: h(12, 30), pace: Pace::STROLL };
        let wishes = vec![
            wish("castle", CASTLE, vec![Window { open: h(10, 0), close: h(18, 0) }]),
            wish("orpheus", ORPHEUS, vec![Window::ALL_DAY]),
            wish("minorites", MINORITES, vec![Window { open: h(14, 0), close: h(17, 0) }]),
        ];
        let route = plan(&walk, &wishes);
        let ids: Vec<&str> = route.stops.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["orpheus", "castle"], "Orpheus while the castle is still closed");
        assert_eq!(route.stops[1].start, h(10, 0), "the castle opens at ten");
        assert_eq!(route.skipped, vec![Skipped { id: "minorites".into(), why: Why::Closed }]);
        assert!(route.optimal);
        let back = route.back.unwrap();
        assert_eq!(back, route.stops[1].leave + route.last_walk_s);
        assert_eq!(route.walk_m, route.stops.iter().map(|s| s.walk_m).sum::<u32>() + route.last_walk_m);
        // Walking 1.2 m/s over the street distance.
        let first = &route.stops[0];
        assert_eq!(first.arrive, h(9, 0) + first.walk_s);
        assert!(first.walk_s.abs_diff((f64::from(first.walk_m) / 1.2).ceil() as Secs) <= 1, "{first:?}");
    }

    #[test]
    fn too_little_time_says_so() {
        let walk = Walk { start: TIC, end: TIC, depart: h(9, 0), back_by: h(9, 40), pace: Pace::STROLL };
        let route = plan(&walk, &[wish("castle", CASTLE, vec![Window::ALL_DAY])]);
        assert!(route.stops.is_empty());
        assert_eq!(route.skipped[0].why, Why::NoTime);
        assert_eq!(route.back, Some(h(9, 0)), "start and end are the same place");
    }
}
