//! What the ballots say about each project, and the tie-breaking order
//! every rule shares.

use crate::election::{Election, VoteType};
use crate::number::{Num, int};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// Per project: how many ballots list it (Pabulib's `votes` column).
    pub votes: Vec<u64>,
    /// Per project: what greedy ranks by (Pabulib's `score` column where the
    /// ballots carry more than a yes): approvals for approval ballots, the
    /// sum of points for cumulative and scoring ballots, and for ordinal
    /// ballots `length − position` per ballot (3, 2, 1 on a ballot of three),
    /// which is how pabulib-checker counts ordinal scores.
    pub score: Vec<Num>,
}

impl Tally {
    pub fn of(e: &Election) -> Tally {
        let mut votes = vec![0u64; e.projects.len()];
        // Whole-number scores are summed as integers: much faster than
        // rationals on large files.
        let mut whole = vec![0u64; e.projects.len()];
        let mut points = vec![int(0); e.projects.len()];
        for voter in &e.voters {
            let ballot = &voter.ballot;
            let len = ballot.projects.len() as u64;
            for (pos, &p) in ballot.projects.iter().enumerate() {
                votes[p] += 1;
                match (&ballot.points, e.vote_type) {
                    (Some(given), _) => points[p] += &given[pos],
                    (None, VoteType::Ordinal) => whole[p] += len - pos as u64,
                    (None, _) => whole[p] += 1,
                }
            }
        }
        let score = points.into_iter().zip(whole).map(|(points, whole)| points + int(whole)).collect();
        Tally { votes, score }
    }

    /// Ties: lower cost first, then more votes, then project id (byte order,
    /// which is also Python's string order).
    pub fn tie_order(&self, e: &Election, a: usize, b: usize) -> Ordering {
        let (pa, pb) = (&e.projects[a], &e.projects[b]);
        pa.cost.cmp(&pb.cost).then(self.votes[b].cmp(&self.votes[a])).then(pa.id.cmp(&pb.id))
    }
}
