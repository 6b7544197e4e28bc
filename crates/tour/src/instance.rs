//! The problem in numbers: travel times between nodes, each visit's length,
//! opening windows and worth, the time of departure and the deadline.

/// Seconds since local midnight of the day of the walk.
pub type Secs = u32;

/// An interval when a visit may take place: it starts at `open` or later and
/// ends by `close`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub open: Secs,
    pub close: Secs,
}

impl Window {
    /// Open round the clock (a square, a monument seen from outside).
    pub const ALL_DAY: Window = Window { open: 0, close: 48 * 3600 };
}

/// One sight to visit.
#[derive(Clone, Debug)]
pub struct Visit {
    /// How long the visit takes.
    pub duration: Secs,
    /// When it may take place, sorted by `open`; empty means closed.
    pub windows: Vec<Window>,
    /// What visiting it is worth (1 for each ticked sight, more for a must-see).
    pub score: u32,
}

/// Node 0 is the start, nodes 1..=n the visits in order, node n + 1 the end.
#[derive(Clone, Debug)]
pub struct Instance {
    /// `travel[i][j]`: seconds from node i to node j.
    pub travel: Vec<Vec<Secs>>,
    pub visits: Vec<Visit>,
    pub depart: Secs,
    pub deadline: Secs,
}

/// One visit in a schedule.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    pub visit: usize,
    pub arrive: Secs,
    pub start: Secs,
    pub leave: Secs,
}

/// An order of visits with its times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub stops: Vec<Stop>,
    /// When the walker reaches the end.
    pub back: Secs,
    pub score: u32,
}

impl Instance {
    pub fn end(&self) -> usize {
        self.visits.len() + 1
    }

    /// Seconds from node `from` to visit `v`.
    pub fn to_visit(&self, from: usize, v: usize) -> Secs {
        self.travel[from][v + 1]
    }

    /// When visit `v` begins for someone who arrives at `arrive`: the
    /// earliest moment in one of its windows that leaves room for the whole
    /// visit. Never earlier for a later arrival, which is what lets the exact
    /// solver keep only the earliest finish of each state.
    pub fn start_at(&self, v: usize, arrive: Secs) -> Option<Secs> {
        let visit = &self.visits[v];
        visit.windows.iter().find_map(|w| {
            let start = arrive.max(w.open);
            (start.checked_add(visit.duration)? <= w.close).then_some(start)
        })
    }

    /// When the walker is back after an order of visits, if it is feasible:
    /// [`Instance::schedule`] without the stops, for searches that try many.
    pub fn back(&self, order: &[usize]) -> Option<Secs> {
        let (mut at, mut now) = (0, self.depart);
        for &v in order {
            now = self.start_at(v, now + self.to_visit(at, v))? + self.visits[v].duration;
            at = v + 1;
        }
        let back = now + self.travel[at][self.end()];
        (back <= self.deadline).then_some(back)
    }

    /// The times of an order of visits; `None` when a visit cannot take place
    /// or the walker is not back by the deadline.
    pub fn schedule(&self, order: &[usize]) -> Option<Schedule> {
        let mut at = 0;
        let mut now = self.depart;
        let mut stops = Vec::with_capacity(order.len());
        for &v in order {
            let arrive = now + self.to_visit(at, v);
            let start = self.start_at(v, arrive)?;
            now = start + self.visits[v].duration;
            stops.push(Stop { visit: v, arrive, start, leave: now });
            at = v + 1;
        }
        let back = now + self.travel[at][self.end()];
        (back <= self.deadline).then(|| Schedule { stops, back, score: order.iter().map(|&v| self.visits[v].score).sum() })
    }
}

/// Whether a schedule is better than another: more worth, then back earlier.
pub fn better(a: &Schedule, b: &Schedule) -> bool {
    (a.score, std::cmp::Reverse(a.back)) > (b.score, std::cmp::Reverse(b.back))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> Instance {
        // start — 100 s — A — 100 s — B — 100 s — end, distances additive.
        let pos = [0u32, 100, 200, 300];
        let travel = pos.iter().map(|a| pos.iter().map(|b| a.abs_diff(*b)).collect()).collect();
        let v = |windows| Visit { duration: 50, windows, score: 1 };
        Instance { travel, visits: vec![v(vec![Window::ALL_DAY]), v(vec![Window { open: 400, close: 1000 }])], depart: 0, deadline: 2000 }
    }

    #[test]
    fn a_visit_waits_for_its_window_and_must_fit_in_it() {
        let inst = line();
        assert_eq!(inst.start_at(1, 250), Some(400));
        assert_eq!(inst.start_at(1, 950), Some(950));
        assert_eq!(inst.start_at(1, 951), None, "50 s do not fit before 1000");
        let two = Instance {
            visits: vec![
                inst.visits[0].clone(),
                Visit { duration: 50, windows: vec![Window { open: 0, close: 100 }, Window { open: 500, close: 600 }], score: 1 },
            ],
            ..inst
        };
        assert_eq!(two.start_at(1, 80), Some(500), "too late for the first window, the second one");
    }

    #[test]
    fn a_schedule_adds_travel_waiting_and_visits() {
        let inst = line();
        let s = inst.schedule(&[0, 1]).unwrap();
        assert_eq!(s.stops[0], Stop { visit: 0, arrive: 100, start: 100, leave: 150 });
        assert_eq!(s.stops[1], Stop { visit: 1, arrive: 250, start: 400, leave: 450 });
        assert_eq!((s.back, s.score), (550, 2));
        assert!(Instance { deadline: 549, ..line() }.schedule(&[0, 1]).is_none(), "not back in time");
    }
}
