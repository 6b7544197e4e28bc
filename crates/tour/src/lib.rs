//! Walking routes for visitors. A visitor ticks the sights they want, says
//! when they start and by when they must be back; the route visits as many
//! of them as the time and the opening hours allow, in the order that brings
//! them back earliest. That is the orienteering problem with time windows:
//! [`exact`] solves it to optimality for up to [`exact::LIMIT`] sights (what
//! a visitor ticks), [`search`] by iterated local search beyond that.
//! [`walk`] turns places on the map into an instance and the answer into a
//! route with distances and times.

pub mod exact;
pub mod instance;
pub mod samples;
pub mod search;
pub mod walk;

pub use instance::{Instance, Schedule, Secs, Visit, Window};
pub use walk::{Pace, Point, Route, RouteStop, Skipped, Walk, Why, Wish, plan};

/// The best order for an instance: exact when it is small enough.
/// The flag says whether the answer is proven optimal.
pub fn solve(inst: &Instance) -> (Vec<usize>, bool) {
    if inst.visits.len() <= exact::LIMIT { (exact::solve(inst), true) } else { (search::solve(inst), false) }
}
