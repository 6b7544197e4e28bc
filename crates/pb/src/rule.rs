//! The counting rules by name, and the one entry point that runs them.

use crate::election::Election;
use crate::greedy::{Greedy, Threshold, greedy};
use crate::mes::equal_shares;
use crate::number::{Num, int, parse_decimal};
use crate::tally::Tally;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Greedy(Greedy),
    /// Method of Equal Shares, cost utilities, no completion.
    EqualShares,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    #[error("unknown rule {0:?} (greedy, greedy-noskip, greedy-threshold, mes, file)")]
    Unknown(String),
    #[error("threshold {0:?} is neither a number nor a percentage such as 10%")]
    BadThreshold(String),
    #[error("greedy-threshold needs --threshold or min_project_score_threshold in META")]
    NoThreshold,
    #[error("a threshold only applies to the greedy rules")]
    ThresholdWithoutGreedy,
    #[error("the file's rule {0:?} is not one this counter implements")]
    FileRule(String),
}

impl Rule {
    /// A rule by its CLI name. `threshold` is a score (`50`) or a share of
    /// the ballots cast (`10%`); `greedy-threshold` falls back on META's
    /// `min_project_score_threshold`. `file` is the rule META names.
    pub fn named(name: &str, threshold: Option<&str>, e: &Election) -> Result<Rule, RuleError> {
        let threshold = threshold.map(parse_threshold).transpose()?;
        let meta_threshold = || e.score_threshold.clone().map(Threshold::Score);
        let rule = match name {
            "greedy" => Rule::Greedy(Greedy { skip: true, threshold }),
            "greedy-noskip" | "greedy-no-skip" => Rule::Greedy(Greedy { skip: false, threshold }),
            "greedy-threshold" => {
                Rule::Greedy(Greedy { skip: true, threshold: Some(threshold.or_else(meta_threshold).ok_or(RuleError::NoThreshold)?) })
            }
            "mes" | "equalshares" if threshold.is_some() => return Err(RuleError::ThresholdWithoutGreedy),
            "mes" | "equalshares" => Rule::EqualShares,
            "file" => return Rule::of_file(e),
            other => return Err(RuleError::Unknown(other.to_string())),
        };
        Ok(rule)
    }

    /// The rule the file says the city used (META `rule`), with its
    /// threshold: what its `selected` column should follow.
    pub fn of_file(e: &Election) -> Result<Rule, RuleError> {
        let name = e.meta("rule").unwrap_or("greedy");
        let threshold = e.score_threshold.clone().map(Threshold::Score);
        Ok(match name {
            "greedy" => Rule::Greedy(Greedy { skip: true, threshold: None }),
            "greedy-no-skip" => Rule::Greedy(Greedy { skip: false, threshold }),
            "greedy-threshold" => Rule::Greedy(Greedy { skip: true, threshold: Some(threshold.ok_or(RuleError::NoThreshold)?) }),
            other => return Err(RuleError::FileRule(other.to_string())),
        })
    }
}

fn parse_threshold(text: &str) -> Result<Threshold, RuleError> {
    let bad = || RuleError::BadThreshold(text.to_string());
    let value = |t: &str| parse_decimal(t.trim()).filter(|v| *v >= int(0)).ok_or_else(bad);
    match text.trim().strip_suffix('%') {
        Some(percent) => Ok(Threshold::Share(value(percent)? / int(100))),
        None => Ok(Threshold::Score(value(text)?)),
    }
}

/// What a count produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Funded projects (indices into `Election::projects`) in funding order.
    pub funded: Vec<usize>,
    pub spent: Num,
}

pub fn count(e: &Election, rule: &Rule) -> Outcome {
    let tally = Tally::of(e);
    let funded = match rule {
        Rule::Greedy(g) => greedy(e, &tally, g),
        Rule::EqualShares => equal_shares(e, &tally),
    };
    let spent = funded.iter().map(|&p| &e.projects[p].cost).fold(int(0), |sum, c| sum + c);
    Outcome { funded, spent }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::approval;

    #[test]
    fn rules_by_name() {
        let mut e = approval(10, &[("a", 1)], &[]);
        let greedy = |skip, threshold| Rule::Greedy(Greedy { skip, threshold });
        assert_eq!(Rule::named("greedy", None, &e), Ok(greedy(true, None)));
        assert_eq!(Rule::named("greedy-noskip", Some("12.5%"), &e), Ok(greedy(false, Some(Threshold::Share(Num::new(1.into(), 8.into()))))));
        assert_eq!(Rule::named("greedy-threshold", None, &e), Err(RuleError::NoThreshold));
        assert_eq!(Rule::named("greedy-threshold", Some("-1"), &e), Err(RuleError::BadThreshold("-1".into())));
        assert_eq!(Rule::named("mes", Some("3"), &e), Err(RuleError::ThresholdWithoutGreedy));
        assert_eq!(Rule::named("mes", None, &e), Ok(Rule::EqualShares));
        assert_eq!(Rule::named("borda", None, &e), Err(RuleError::Unknown("borda".into())));
        e.score_threshold = Some(int(50));
        assert_eq!(Rule::named("greedy-threshold", None, &e), Ok(greedy(true, Some(Threshold::Score(int(50))))));
        assert_eq!(Rule::named("greedy-threshold", Some("7"), &e), Ok(greedy(true, Some(Threshold::Score(int(7))))));
        e.meta.push(("rule".into(), "greedy-no-skip".into()));
        assert_eq!(Rule::named("file", None, &e), Ok(greedy(false, Some(Threshold::Score(int(50))))));
        e.meta.last_mut().unwrap().1 = "equalshares/add1".into();
        assert_eq!(Rule::of_file(&e), Err(RuleError::FileRule("equalshares/add1".into())));
    }
}
