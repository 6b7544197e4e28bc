//! Exact numbers. Costs, budgets and points are decimals in the files; MES
//! divides them further. Everything is a big rational so that no rounding
//! can change an outcome (pabutools uses gmpy2 fractions for the same reason).

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

pub type Num = num_rational::BigRational;

/// `123`, `-4`, `1656699.67`, or with a decimal comma `1656699,67` (Pabulib
/// tools accept both). No exponent, no thousands separator.
pub fn parse_decimal(text: &str) -> Option<Num> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = match digits.find(['.', ',']) {
        Some(i) => (&digits[..i], &digits[i + 1..]),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
        return None;
    }
    let numer: BigInt = format!("{whole}{frac}").parse().ok()?;
    let value = Num::new(numer, BigInt::from(10u32).pow(frac.len() as u32));
    Some(if negative { -value } else { value })
}

pub fn int(n: u64) -> Num {
    Num::from_integer(BigInt::from(n))
}

/// The exact decimal form, when there is one (denominator 2^a·5^b), without
/// trailing zeros: `12`, `0.5`, `1656699.67`. `None` for `1/3`.
pub fn exact_decimal(x: &Num) -> Option<String> {
    let mut denom = x.denom().clone();
    let mut places = 0usize;
    let (two, five) = (BigInt::from(2u32), BigInt::from(5u32));
    let mut scale = BigInt::one();
    // Multiply up to a power of ten; each factor 2 or 5 costs one place.
    while !denom.is_one() {
        if denom.is_even() {
            denom /= &two;
            scale *= &five;
        } else if (&denom % &five).is_zero() {
            denom /= &five;
            scale *= &two;
        } else {
            return None;
        }
        places += 1;
    }
    Some(render(&(x.numer() * scale), places))
}

/// Rounded to `places` decimals (half away from zero), for reading only.
pub fn fixed(x: &Num, places: usize) -> String {
    let scaled = x * Num::from_integer(BigInt::from(10u32).pow(places as u32));
    let half = Num::new(BigInt::one(), BigInt::from(2u32));
    let rounded = if scaled.is_negative() { (scaled - half).ceil() } else { (scaled + half).floor() };
    render_padded(&rounded.to_integer(), places)
}

/// Exact decimal if there is one, else rounded to `places`, marked with `≈`.
pub fn show(x: &Num, places: usize) -> String {
    exact_decimal(x).unwrap_or_else(|| format!("≈{}", fixed(x, places)))
}

fn render(scaled: &BigInt, places: usize) -> String {
    let s = render_padded(scaled, places);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

fn render_padded(scaled: &BigInt, places: usize) -> String {
    let sign = if scaled.sign() == Sign::Minus { "-" } else { "" };
    let digits = scaled.abs().to_string();
    if places == 0 {
        return format!("{sign}{digits}");
    }
    let digits = format!("{digits:0>width$}", width = places + 1);
    let (whole, frac) = digits.split_at(digits.len() - places);
    format!("{sign}{whole}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Num {
        Num::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn parses_integers_and_both_decimal_marks() {
        assert_eq!(parse_decimal("318776"), Some(q(318776, 1)));
        assert_eq!(parse_decimal("1656699.67"), Some(q(165669967, 100)));
        assert_eq!(parse_decimal("1656699,67"), Some(q(165669967, 100)));
        assert_eq!(parse_decimal("-2.5"), Some(q(-5, 2)));
        assert_eq!(parse_decimal(".5"), Some(q(1, 2)));
        assert_eq!(parse_decimal("007"), Some(q(7, 1)));
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for bad in ["", "-", ".", "1.2.3", "1e5", "12 000", "abc", "1,000.5", "+3", "0x10"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn renders_exact_decimals_and_rounds_the_rest() {
        assert_eq!(exact_decimal(&q(165669967, 100)).as_deref(), Some("1656699.67"));
        assert_eq!(exact_decimal(&q(1, 8)).as_deref(), Some("0.125"));
        assert_eq!(exact_decimal(&q(-3, 2)).as_deref(), Some("-1.5"));
        assert_eq!(exact_decimal(&q(120, 1)).as_deref(), Some("120"));
        assert_eq!(exact_decimal(&q(1, 3)), None);
        assert_eq!(fixed(&q(2, 3), 4), "0.6667");
        assert_eq!(fixed(&q(-2, 3), 2), "-0.67");
        assert_eq!(fixed(&q(1, 200), 2), "0.01");
        assert_eq!(show(&q(1, 3), 3), "≈0.333");
        assert_eq!(show(&q(5, 4), 3), "1.25");
    }
}
