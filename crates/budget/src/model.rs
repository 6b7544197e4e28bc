//! The participatory budget's types and rules, without I/O: phases, ballot
//! kinds and their validation, counting rules, who may vote.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a cycle stands. Staff move it forward one phase at a time.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Being prepared; not public.
    Draft,
    /// Citizens submit project ideas.
    Submission,
    /// Staff review feasibility and cost.
    Review,
    /// Residents vote on the feasible projects.
    Voting,
    /// Voting closed; paper ballots are entered and the count prepared.
    Counting,
    /// Results published.
    Results,
}

impl Phase {
    pub const ALL: [Phase; 6] = [Phase::Draft, Phase::Submission, Phase::Review, Phase::Voting, Phase::Counting, Phase::Results];

    pub fn code(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Submission => "submission",
            Phase::Review => "review",
            Phase::Voting => "voting",
            Phase::Counting => "counting",
            Phase::Results => "results",
        }
    }
    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.code() == s)
    }
    pub fn next(self) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| *p > self)
    }
}

/// How a voter fills in the ballot.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BallotKind {
    /// Tick between `min_projects` and `max_projects` projects.
    Approval,
    /// Share `total_points` among projects, at most `max_points_per_project` each.
    Cumulative,
    /// Order up to `max_projects` projects, most preferred first.
    Ranked,
}

impl BallotKind {
    pub fn code(self) -> &'static str {
        match self {
            BallotKind::Approval => "approval",
            BallotKind::Cumulative => "cumulative",
            BallotKind::Ranked => "ranked",
        }
    }
    pub fn parse(s: &str) -> Option<BallotKind> {
        [BallotKind::Approval, BallotKind::Cumulative, BallotKind::Ranked].into_iter().find(|k| k.code() == s)
    }
    /// The Pabulib `vote_type`.
    pub fn vote_type(self) -> pb::VoteType {
        match self {
            BallotKind::Approval => pb::VoteType::Approval,
            BallotKind::Cumulative => pb::VoteType::Cumulative,
            BallotKind::Ranked => pb::VoteType::Ordinal,
        }
    }
    pub fn from_vote_type(v: pb::VoteType) -> Option<BallotKind> {
        match v {
            pb::VoteType::Approval | pb::VoteType::ChooseOne => Some(BallotKind::Approval),
            pb::VoteType::Cumulative => Some(BallotKind::Cumulative),
            pb::VoteType::Ordinal => Some(BallotKind::Ranked),
            pb::VoteType::Scoring => None,
        }
    }
}

/// The counting rule the city chose (the `pb` crate counts).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum RuleName {
    /// Highest score first; a project that does not fit is skipped.
    #[serde(rename = "greedy")]
    Greedy,
    /// Highest score first; counting stops at the first project that does not fit.
    #[serde(rename = "greedy-noskip")]
    GreedyNoSkip,
    /// Greedy among the projects reaching `threshold`.
    #[serde(rename = "greedy-threshold")]
    GreedyThreshold,
    /// The Method of Equal Shares (cost utilities, no completion).
    #[serde(rename = "mes")]
    Mes,
}

impl RuleName {
    pub const ALL: [RuleName; 4] = [RuleName::Greedy, RuleName::GreedyNoSkip, RuleName::GreedyThreshold, RuleName::Mes];
    pub fn code(self) -> &'static str {
        match self {
            RuleName::Greedy => "greedy",
            RuleName::GreedyNoSkip => "greedy-noskip",
            RuleName::GreedyThreshold => "greedy-threshold",
            RuleName::Mes => "mes",
        }
    }
    pub fn parse(s: &str) -> Option<RuleName> {
        RuleName::ALL.into_iter().find(|r| r.code() == s)
    }
    /// The name Pabulib's META `rule` uses.
    pub fn pabulib(self) -> &'static str {
        match self {
            RuleName::Greedy => "greedy",
            RuleName::GreedyNoSkip => "greedy-no-skip",
            RuleName::GreedyThreshold => "greedy-threshold",
            RuleName::Mes => "equalshares",
        }
    }
}

/// The staff's feasibility review of a project idea.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    Pending,
    Feasible,
    NotFeasible,
}

impl Review {
    pub fn code(self) -> &'static str {
        match self {
            Review::Pending => "pending",
            Review::Feasible => "feasible",
            Review::NotFeasible => "not_feasible",
        }
    }
    pub fn parse(s: &str) -> Option<Review> {
        [Review::Pending, Review::Feasible, Review::NotFeasible].into_iter().find(|r| r.code() == s)
    }
}

/// What a cycle's ballot allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BallotRules {
    pub kind: BallotKind,
    /// Approval: at least this many projects.
    #[schema(minimum = 0, maximum = 100)]
    pub min_projects: i64,
    /// Approval: at most; ranked: the number of places (k).
    #[schema(minimum = 1, maximum = 100)]
    pub max_projects: i64,
    /// Cumulative: points to share.
    #[schema(minimum = 1, maximum = 1000)]
    pub total_points: i64,
    /// Cumulative: at most this many on one project.
    #[schema(minimum = 1, maximum = 1000)]
    pub max_points_per_project: i64,
}

impl BallotRules {
    /// The limits themselves, field by field.
    pub fn check(&self) -> Vec<(&'static str, &'static str)> {
        let mut e = vec![];
        if !(0..=100).contains(&self.min_projects) {
            e.push(("min_projects", "out_of_range"));
        }
        if !(1..=100).contains(&self.max_projects) {
            e.push(("max_projects", "out_of_range"));
        } else if self.min_projects > self.max_projects {
            e.push(("min_projects", "min_above_max"));
        }
        if !(1..=1000).contains(&self.total_points) {
            e.push(("total_points", "out_of_range"));
        }
        if !(1..=1000).contains(&self.max_points_per_project) {
            e.push(("max_points_per_project", "out_of_range"));
        }
        e
    }
}

/// A filled-in ballot: project numbers (most preferred first when ranked)
/// and, for cumulative ballots, the points of each.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Filled {
    pub projects: Vec<i64>,
    pub points: Option<Vec<i64>>,
}

/// Why a ballot is refused (translated as `budget-ballot-<code>`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BallotError {
    Empty,
    TooFew,
    TooMany,
    NotOnBallot,
    Repeated,
    PointsNegative,
    PointsPerProject,
    PointsTotal,
    NoPoints,
}

impl BallotError {
    pub fn code(self) -> &'static str {
        match self {
            BallotError::Empty => "ballot_empty",
            BallotError::TooFew => "ballot_too_few",
            BallotError::TooMany => "ballot_too_many",
            BallotError::NotOnBallot => "ballot_unknown_project",
            BallotError::Repeated => "ballot_repeated_project",
            BallotError::PointsNegative => "ballot_points_negative",
            BallotError::PointsPerProject => "ballot_points_per_project",
            BallotError::PointsTotal => "ballot_points_total",
            BallotError::NoPoints => "ballot_no_points",
        }
    }
}

impl Filled {
    /// Check against the rules and the area's projects; projects with zero
    /// points are dropped from a cumulative ballot.
    pub fn validate(mut self, rules: &BallotRules, on_ballot: &[i64]) -> Result<Filled, BallotError> {
        if rules.kind == BallotKind::Cumulative {
            let points = self.points.take().unwrap_or_default();
            if points.len() != self.projects.len() {
                return Err(BallotError::NoPoints);
            }
            if points.iter().any(|p| *p < 0) {
                return Err(BallotError::PointsNegative);
            }
            let kept: Vec<(i64, i64)> = self.projects.iter().copied().zip(points).filter(|(_, p)| *p > 0).collect();
            self.projects = kept.iter().map(|k| k.0).collect();
            self.points = Some(kept.iter().map(|k| k.1).collect());
        } else {
            self.points = None;
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.projects {
            if !on_ballot.contains(p) {
                return Err(BallotError::NotOnBallot);
            }
            if !seen.insert(*p) {
                return Err(BallotError::Repeated);
            }
        }
        let n = self.projects.len() as i64;
        match rules.kind {
            BallotKind::Approval => {
                if n == 0 {
                    return Err(BallotError::Empty);
                }
                if n < rules.min_projects {
                    return Err(BallotError::TooFew);
                }
                if n > rules.max_projects {
                    return Err(BallotError::TooMany);
                }
            }
            BallotKind::Ranked => {
                if n == 0 {
                    return Err(BallotError::Empty);
                }
                if n > rules.max_projects {
                    return Err(BallotError::TooMany);
                }
            }
            BallotKind::Cumulative => {
                let points = self.points.as_deref().unwrap_or_default();
                if points.is_empty() {
                    return Err(BallotError::Empty);
                }
                if points.iter().any(|p| *p > rules.max_points_per_project) {
                    return Err(BallotError::PointsPerProject);
                }
                if points.iter().sum::<i64>() > rules.total_points {
                    return Err(BallotError::PointsTotal);
                }
            }
        }
        Ok(self)
    }
}

/// Age in whole years on `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i64 {
    let mut age = (today.year() - birth.year()) as i64;
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Whether an address lies in the municipality: it names one of its postcodes
/// as a word of its own (`Ulica 1, 2250 Ptuj`).
pub fn address_in(address: &str, postcodes: &[String]) -> bool {
    address.split(|c: char| !c.is_ascii_digit()).any(|word| postcodes.iter().any(|p| p == word))
}

/// Postcodes as configured: four-digit Slovenian postcodes, separated by commas or spaces.
pub fn parse_postcodes(s: &str) -> Option<Vec<String>> {
    let codes: Vec<String> = s.split([',', ' ', ';']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect();
    codes.iter().all(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit())).then_some(codes)
}

/// Money for people: `12.500,00 €` (sl) or `€12,500.00` (others).
pub fn euros(cents: i64, lang: kernel::Lang) -> String {
    let neg = cents < 0;
    let c = cents.unsigned_abs();
    let whole = (c / 100).to_string();
    let (group, dec) = if lang == kernel::Lang::En { (',', '.') } else { ('.', ',') };
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(ch);
    }
    let sign = if neg { "−" } else { "" };
    if lang == kernel::Lang::En { format!("{sign}€{grouped}{dec}{:02}", c % 100) } else { format!("{sign}{grouped}{dec}{:02} €", c % 100) }
}

/// A text field: trimmed, within a length, no control characters but line breaks.
pub fn text(v: &str, min: usize, max: usize) -> Result<String, &'static str> {
    let v = v.trim();
    let n = v.chars().count();
    if n < min {
        return Err("required");
    }
    if n > max {
        return Err("too_long");
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err("invalid_characters");
    }
    Ok(v.to_string())
}

/// An ISO date `YYYY-MM-DD`.
pub fn date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(kind: BallotKind) -> BallotRules {
        BallotRules { kind, min_projects: 1, max_projects: 3, total_points: 10, max_points_per_project: 5 }
    }

    fn filled(p: &[i64], pts: Option<&[i64]>) -> Filled {
        Filled { projects: p.to_vec(), points: pts.map(|x| x.to_vec()) }
    }

    #[test]
    fn approval_ballots_between_min_and_max() {
        let r = BallotRules { min_projects: 2, ..rules(BallotKind::Approval) };
        let on = [1, 2, 3, 4];
        assert_eq!(filled(&[1, 2], None).validate(&r, &on).unwrap().projects, [1, 2]);
        assert_eq!(filled(&[1], None).validate(&r, &on), Err(BallotError::TooFew));
        assert_eq!(filled(&[1, 2, 3, 4], None).validate(&r, &on), Err(BallotError::TooMany));
        assert_eq!(filled(&[], None).validate(&r, &on), Err(BallotError::Empty));
        assert_eq!(filled(&[1, 9], None).validate(&r, &on), Err(BallotError::NotOnBallot));
        assert_eq!(filled(&[1, 1], None).validate(&r, &on), Err(BallotError::Repeated));
    }

    #[test]
    fn cumulative_ballots_share_points() {
        let r = rules(BallotKind::Cumulative);
        let on = [1, 2, 3];
        let ok = filled(&[1, 2, 3], Some(&[5, 0, 4])).validate(&r, &on).unwrap();
        assert_eq!((ok.projects, ok.points), (vec![1, 3], Some(vec![5, 4])));
        assert_eq!(filled(&[1, 2, 3], Some(&[5, 5, 1])).validate(&r, &on), Err(BallotError::PointsTotal));
        assert_eq!(filled(&[1], Some(&[6])).validate(&r, &on), Err(BallotError::PointsPerProject));
        assert_eq!(filled(&[1], Some(&[-1])).validate(&r, &on), Err(BallotError::PointsNegative));
        assert_eq!(filled(&[1, 2], Some(&[0, 0])).validate(&r, &on), Err(BallotError::Empty));
        assert_eq!(filled(&[1, 2], Some(&[1])).validate(&r, &on), Err(BallotError::NoPoints));
    }

    #[test]
    fn ranked_ballots_up_to_k() {
        let r = rules(BallotKind::Ranked);
        let on = [1, 2, 3, 4];
        assert_eq!(filled(&[3, 1], None).validate(&r, &on).unwrap().projects, [3, 1]);
        assert_eq!(filled(&[3, 1, 2, 4], None).validate(&r, &on), Err(BallotError::TooMany));
        assert_eq!(filled(&[3, 3], None).validate(&r, &on), Err(BallotError::Repeated));
    }

    #[test]
    fn age_counts_whole_years() {
        let b = NaiveDate::from_ymd_opt(2010, 6, 15).unwrap();
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 6, 14).unwrap()), 15);
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()), 16);
    }

    #[test]
    fn residence_by_postcode() {
        let codes = parse_postcodes("2250, 2252").unwrap();
        assert!(address_in("Slovenski trg 1, 2250 Ptuj", &codes));
        assert!(!address_in("Glavni trg 1, 2000 Maribor", &codes));
        assert!(!address_in("Ulica 22501", &codes));
        assert!(parse_postcodes("22500").is_none());
    }

    #[test]
    fn money_in_both_languages() {
        assert_eq!(euros(125_000_050, kernel::Lang::Sl), "1.250.000,50 €");
        assert_eq!(euros(5, kernel::Lang::En), "€0.05");
    }

    #[test]
    fn phases_go_forward() {
        assert_eq!(Phase::Draft.next(), Some(Phase::Submission));
        assert_eq!(Phase::Results.next(), None);
    }
}
