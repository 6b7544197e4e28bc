//! Rules over readings and the decision to raise or clear an alarm. Pure:
//! the alarm engine feeds observations in and stores what comes out.
//!
//! Hysteresis: an alarm is raised past the limit and cleared only once the
//! value is back by the rule's margin, so a value that wobbles around the
//! limit raises one alarm, not one per reading.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The value is above `above` or below `below`.
    Threshold {
        above: Option<f64>,
        below: Option<f64>,
        /// How far back past the limit the value must come to clear.
        #[serde(default)]
        hysteresis: f64,
    },
    /// The value changes faster than `per_hour` (a rise, or a fall when negative)
    /// measured against the reading `window_minutes` earlier.
    Rate {
        per_hour: f64,
        #[schema(minimum = 1, maximum = 10080)]
        window_minutes: i64,
        #[serde(default)]
        hysteresis: f64,
    },
    /// No reading for `minutes`.
    Silent {
        #[schema(minimum = 1, maximum = 43200)]
        minutes: i64,
    },
    /// The same value for `minutes` (at least three readings): a stuck sensor.
    Frozen {
        #[schema(minimum = 1, maximum = 43200)]
        minutes: i64,
    },
}

impl Condition {
    pub fn code(&self) -> &'static str {
        match self {
            Condition::Threshold { .. } => "threshold",
            Condition::Rate { .. } => "rate",
            Condition::Silent { .. } => "silent",
            Condition::Frozen { .. } => "frozen",
        }
    }

    pub fn check(&self) -> Result<(), &'static str> {
        match self {
            Condition::Threshold { above, below, hysteresis } => {
                if above.is_none() && below.is_none() {
                    return Err("threshold_needs_a_limit");
                }
                if let (Some(a), Some(b)) = (above, below)
                    && b >= a
                {
                    return Err("below_must_be_under_above");
                }
                if !(*hysteresis >= 0.0 && hysteresis.is_finite()) {
                    return Err("hysteresis_invalid");
                }
            }
            Condition::Rate { per_hour, window_minutes, hysteresis } => {
                if *per_hour == 0.0 || !per_hour.is_finite() || !(1..=10_080).contains(window_minutes) || hysteresis.is_nan() || *hysteresis < 0.0 {
                    return Err("rate_invalid");
                }
            }
            Condition::Silent { minutes } | Condition::Frozen { minutes } => {
                if !(1..=43_200).contains(minutes) {
                    return Err("minutes_invalid");
                }
            }
        }
        Ok(())
    }
}

/// What the engine knows when a reading arrives.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Observation {
    pub value: f64,
    /// Change per hour against the reading a window earlier, if one exists.
    pub rate_per_hour: Option<f64>,
    /// The value has not changed over the frozen window (with enough readings).
    pub unchanged: Option<bool>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Raise,
    Clear,
    Keep,
}

/// Given whether an alarm is open, what to do with this observation.
pub fn decide(c: &Condition, open: bool, o: &Observation) -> Decision {
    let (bad, good) = match c {
        Condition::Threshold { above, below, hysteresis } => {
            let bad = above.is_some_and(|a| o.value > a) || below.is_some_and(|b| o.value < b);
            let good = above.is_none_or(|a| o.value <= a - hysteresis) && below.is_none_or(|b| o.value >= b + hysteresis);
            (bad, good)
        }
        Condition::Rate { per_hour, hysteresis, .. } => match o.rate_per_hour {
            None => (false, false),
            Some(r) if *per_hour > 0.0 => (r > *per_hour, r <= per_hour - hysteresis),
            Some(r) => (r < *per_hour, r >= per_hour + hysteresis),
        },
        // A reading arrived: a silent device speaks again.
        Condition::Silent { .. } => (false, true),
        Condition::Frozen { .. } => match o.unchanged {
            Some(true) => (true, false),
            Some(false) => (false, true),
            None => (false, false),
        },
    };
    match (open, bad, good) {
        (false, true, _) => Decision::Raise,
        (true, _, true) => Decision::Clear,
        _ => Decision::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(v: f64) -> Observation {
        Observation { value: v, ..Default::default() }
    }

    /// Feed a series; count the alarms raised and cleared.
    fn run(c: &Condition, values: &[f64]) -> (usize, usize) {
        let (mut open, mut raised, mut cleared) = (false, 0, 0);
        for v in values {
            match decide(c, open, &obs(*v)) {
                Decision::Raise => {
                    open = true;
                    raised += 1;
                }
                Decision::Clear => {
                    open = false;
                    cleared += 1;
                }
                Decision::Keep => {}
            }
        }
        (raised, cleared)
    }

    #[test]
    fn a_noisy_value_around_the_limit_does_not_flap() {
        let over_24 = Condition::Threshold { above: Some(24.0), below: None, hysteresis: 0.5 };
        // 23.9, 24.1, 23.95, 24.2, … wobbling around the limit, then back to 22.
        let wobble = [23.0, 23.9, 24.1, 23.95, 24.2, 23.8, 24.05, 23.7, 23.6, 22.0];
        assert_eq!(run(&over_24, &wobble), (1, 1), "one alarm, cleared once the value is 0.5 below");
        let no_margin = Condition::Threshold { above: Some(24.0), below: None, hysteresis: 0.0 };
        assert_eq!(run(&no_margin, &wobble), (3, 3), "without hysteresis the same data flaps");
    }

    #[test]
    fn below_limits_and_rates() {
        let low = Condition::Threshold { above: None, below: Some(5.0), hysteresis: 1.0 };
        assert_eq!(run(&low, &[7.0, 4.0, 5.5, 6.5]), (1, 1));
        let rising = Condition::Rate { per_hour: 5.0, window_minutes: 180, hysteresis: 1.0 };
        let o = |r: f64| Observation { value: 0.0, rate_per_hour: Some(r), unchanged: None };
        assert_eq!(decide(&rising, false, &o(8.0)), Decision::Raise);
        assert_eq!(decide(&rising, true, &o(4.5)), Decision::Keep, "within the margin");
        assert_eq!(decide(&rising, true, &o(3.9)), Decision::Clear);
        assert_eq!(decide(&rising, false, &Observation::default()), Decision::Keep, "no earlier reading, no rate");
        let falling = Condition::Rate { per_hour: -5.0, window_minutes: 60, hysteresis: 0.0 };
        assert_eq!(decide(&falling, false, &o(-6.0)), Decision::Raise);
    }

    #[test]
    fn silent_and_frozen() {
        let silent = Condition::Silent { minutes: 30 };
        assert_eq!(decide(&silent, true, &obs(1.0)), Decision::Clear, "a reading ends silence");
        assert_eq!(decide(&silent, false, &obs(1.0)), Decision::Keep, "silence is raised by the clock, not by readings");
        let frozen = Condition::Frozen { minutes: 60 };
        let o = |u: bool| Observation { value: 1.0, rate_per_hour: None, unchanged: Some(u) };
        assert_eq!(decide(&frozen, false, &o(true)), Decision::Raise);
        assert_eq!(decide(&frozen, true, &o(false)), Decision::Clear);
    }

    #[test]
    fn conditions_are_checked() {
        assert!(Condition::Threshold { above: None, below: None, hysteresis: 0.0 }.check().is_err());
        assert!(Condition::Threshold { above: Some(1.0), below: Some(2.0), hysteresis: 0.0 }.check().is_err());
        assert!(Condition::Rate { per_hour: 0.0, window_minutes: 60, hysteresis: 0.0 }.check().is_err());
        assert!(Condition::Silent { minutes: 0 }.check().is_err());
        let c: Condition = serde_json::from_str(r#"{"kind":"threshold","above":24,"hysteresis":0.5}"#).unwrap();
        assert!(c.check().is_ok());
    }
}
