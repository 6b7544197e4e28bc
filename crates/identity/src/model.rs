//! Identity's types. Parse, don't validate: an `Emso`, `TaxNumber` or `Email`
//! can only hold a valid value. No I/O here.

use kernel::error::FieldError;
use serde::{Deserialize, Serialize};

/// An e-mail address, trimmed; the lookup key is its lower-case form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            return Err("required");
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("email_invalid");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err("email_invalid");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.split('.').all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok || s.contains(['<', '>', '"', ',', ';']) {
            return Err("email_invalid");
        }
        Ok(Email(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The form used for the blind index: addresses differing only in case are one account.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Slovenian unique master citizen number (EMŠO): DDMMYYYRRBBBK.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emso(String);

impl Emso {
    pub fn parse(s: &str) -> Result<Emso, &'static str> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if s.len() != 13 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err("emso_format");
        }
        let d: Vec<u32> = s.chars().map(|c| c.to_digit(10).unwrap_or(0)).collect();
        let day = d[0] * 10 + d[1];
        let month = d[2] * 10 + d[3];
        let yyy = d[4] * 100 + d[5] * 10 + d[6];
        // 9xx is 19xx; 0xx is 20xx (800 and above for 18xx is historical).
        let year = if yyy >= 800 { 1000 + yyy } else { 2000 + yyy };
        if chrono::NaiveDate::from_ymd_opt(year as i32, month, day).is_none() {
            return Err("emso_date");
        }
        const W: [u32; 12] = [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
        let total: u32 = d.iter().zip(W).map(|(a, w)| a * w).sum();
        // K = 11 - (total mod 11); 10 and 11 give 0 (as python-stdnum and the registry).
        let check = (11 - total % 11) % 11 % 10;
        if check != d[12] {
            return Err("emso_checksum");
        }
        Ok(Emso(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The date of birth the number encodes (DDMMYYY…).
    pub fn birth_date(&self) -> chrono::NaiveDate {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().unwrap_or(0);
        let yyy = n(4..7);
        let year = if yyy >= 800 { 1000 + yyy } else { 2000 + yyy };
        chrono::NaiveDate::from_ymd_opt(year as i32, n(2..4), n(0..2)).unwrap_or_default()
    }
}

/// Slovenian tax number (davčna številka): 8 digits, mod-11 check digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxNumber(String);

impl TaxNumber {
    pub fn parse(s: &str) -> Result<TaxNumber, &'static str> {
        let mut s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if s.len() == 10 && s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("SI")) {
            s = s[2..].to_string();
        }
        if s.len() != 8 || !s.chars().all(|c| c.is_ascii_digit()) || s.starts_with('0') {
            return Err("tax_format");
        }
        let d: Vec<u32> = s.chars().map(|c| c.to_digit(10).unwrap_or(0)).collect();
        let total: u32 = d[..7].iter().enumerate().map(|(i, v)| (8 - i as u32) * v).sum();
        let check = 11 - total % 11;
        let check = if check == 10 { 0 } else { check };
        // A remainder of 0 would need check digit 11: such numbers are not issued.
        if check != d[7] {
            return Err("tax_checksum");
        }
        Ok(TaxNumber(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: digits with an optional leading +, spaces allowed.
pub fn parse_phone(s: &str) -> Result<String, &'static str> {
    let s = s.trim();
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = s.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '/' || c == '-' || (c == '+' && i == 0));
    if !allowed || !(6..=15).contains(&digits) {
        return Err("phone_format");
    }
    Ok(s.to_string())
}

/// The profile as the citizen submits it; every field optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProfileInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub tax_number: String,
    #[serde(default)]
    pub emso: String,
}

/// A checked profile: `None` means the field is left empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub tax_number: Option<String>,
    pub emso: Option<String>,
}

fn text(field: &str, v: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max || v.chars().any(|c| c.is_control()) {
        errors.push(FieldError { field: field.into(), code: "too_long".into() });
        return None;
    }
    Some(v.to_string())
}

impl ProfileInput {
    /// Check every field; all errors at once so the form shows them together.
    pub fn validate(&self) -> Result<Profile, Vec<FieldError>> {
        let mut errors = vec![];
        let mut check = |field: &str, v: &str, f: fn(&str) -> Result<String, &'static str>| -> Option<String> {
            if v.trim().is_empty() {
                return None;
            }
            match f(v) {
                Ok(ok) => Some(ok),
                Err(code) => {
                    errors.push(FieldError { field: field.into(), code: code.into() });
                    None
                }
            }
        };
        let phone = check("phone", &self.phone, parse_phone);
        let tax_number = check("tax_number", &self.tax_number, |s| TaxNumber::parse(s).map(|t| t.0));
        let emso = check("emso", &self.emso, |s| Emso::parse(s).map(|e| e.0));
        let name = text("name", &self.name, 100, &mut errors);
        let address = text("address", &self.address, 200, &mut errors);
        if errors.is_empty() { Ok(Profile { name, address, phone, tax_number, emso }) } else { Err(errors) }
    }
}

/// Password policy (ASVS V2.1, NIST 800-63B): length and a strength estimate
/// that includes a bundled list of common and breached passwords; no
/// composition rules.
pub fn check_password(password: &str, min_length: usize, user_inputs: &[&str]) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < min_length {
        return Err("password_too_short");
    }
    if len > 128 {
        return Err("password_too_long");
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 3 {
        return Err("password_weak");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emso_check_digit_and_date() {
        // Vectors cross-checked with python-stdnum (stdnum.si.emso).
        assert!(Emso::parse("0101006500006").is_ok());
        assert!(Emso::parse("0101990500003").is_ok());
        assert!(Emso::parse("1502985505127").is_ok());
        assert!(Emso::parse("2902000505006").is_ok());
        assert_eq!(Emso::parse("0101006500007"), Err("emso_checksum"));
        assert_eq!(Emso::parse("3102990500003"), Err("emso_date"));
        assert_eq!(Emso::parse("2902001505006"), Err("emso_date"), "2001 is not a leap year");
        assert_eq!(Emso::parse("01010065000"), Err("emso_format"));
        assert_eq!(Emso::parse("010100650000a"), Err("emso_format"));
    }

    #[test]
    fn tax_number_check_digit() {
        assert_eq!(TaxNumber::parse("SI 5022 3054").unwrap().as_str(), "50223054");
        assert!(TaxNumber::parse("15012557").is_ok());
        assert_eq!(TaxNumber::parse("50223055"), Err("tax_checksum"));
        assert_eq!(TaxNumber::parse("05022305"), Err("tax_format"));
        assert_eq!(TaxNumber::parse("1234"), Err("tax_format"));
        assert_eq!(TaxNumber::parse("€1234567"), Err("tax_format"), "multi-byte input does not panic");
    }

    #[test]
    fn email_shapes() {
        assert!(Email::parse(" Ana.Novak@Example.si ").is_ok());
        assert_eq!(Email::parse("Ana@Example.SI").unwrap().normalized(), "ana@example.si");
        for bad in ["", "ana", "ana@", "@x.si", "ana@x", "a b@x.si", "ana@-x.si", "ana@x..si", "<a@x.si>"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn profile_collects_all_field_errors() {
        let input = ProfileInput { phone: "abc".into(), tax_number: "12345678".into(), emso: "0101006500007".into(), ..Default::default() };
        let errs = input.validate().unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(codes, vec![("phone", "phone_format"), ("tax_number", "tax_checksum"), ("emso", "emso_checksum")]);
    }

    #[test]
    fn password_policy_rejects_common_and_short() {
        assert_eq!(check_password("short", 10, &[]), Err("password_too_short"));
        assert_eq!(check_password("password123", 10, &[]), Err("password_weak"));
        assert_eq!(check_password("qwertyuiop", 10, &[]), Err("password_weak"));
        assert_eq!(check_password("ana.novak@x.si1", 10, &["ana.novak@x.si"]), Err("password_weak"));
        assert!(check_password("vinska klet ob dravi 1908", 10, &[]).is_ok());
        assert!(check_password("no composition rules at all", 10, &[]).is_ok());
    }
}
