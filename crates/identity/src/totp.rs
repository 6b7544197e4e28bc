//! TOTP (RFC 6238) second factor and recovery codes.

use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECS: u64 = 30;

pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_b32: &str, account_label: &str, issuer: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, bytes, Some(issuer.to_string()), account_label.to_string()).ok()
}

/// The `otpauth://` URL authenticator apps scan.
pub fn provisioning_url(secret_b32: &str, account_label: &str, issuer: &str) -> String {
    totp(secret_b32, account_label, issuer).map(|t| t.get_url()).unwrap_or_default()
}

/// The URL as an inline SVG QR code.
pub fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
        Err(_) => String::new(),
    }
}

/// Check a code at `unix_secs`, allowing one step of clock skew, and return
/// the time step it matched so the caller can refuse a replay of it.
pub fn verify(secret_b32: &str, code: &str, unix_secs: u64, last_used_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32, "x", "x")?;
    let now_step = (unix_secs / STEP_SECS) as i64;
    for step in [now_step - 1, now_step, now_step + 1] {
        if step < 0 || last_used_step.is_some_and(|last| step <= last) {
            continue;
        }
        let expected = t.generate(step as u64 * STEP_SECS);
        if kernel::crypto::ct_eq(&expected, &code) {
            return Some(step);
        }
    }
    None
}

/// Ten recovery codes like `k7q2-m9xd-4tpa`, shown once.
pub fn recovery_codes() -> Vec<String> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..10)
        .map(|_| (0..3).map(|_| (0..4).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>()).collect::<Vec<_>>().join("-"))
        .collect()
}

pub fn normalize_recovery_code(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '-'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_verifies_once_per_step() {
        let secret = new_secret();
        let t = totp(&secret, "a", "b").unwrap();
        let now = 1_800_000_000u64;
        let code = t.generate(now);
        let step = verify(&secret, &code, now, None).expect("valid now");
        assert_eq!(step, (now / 30) as i64);
        assert_eq!(verify(&secret, &code, now, Some(step)), None, "replay refused");
        assert!(verify(&secret, &code, now + 30, None).is_some(), "one step of skew");
        assert_eq!(verify(&secret, &code, now + 120, None), None, "too old");
        assert_eq!(verify(&secret, "12345", now, None), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalize() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        assert_eq!(normalize_recovery_code(" AB12-cd34 "), "ab12cd34");
    }

    #[test]
    fn provisioning_url_names_issuer() {
        let url = provisioning_url(&new_secret(), "ana@example.si", "Ptuj");
        assert!(url.starts_with("otpauth://totp/Ptuj:ana%40example.si?"), "{url}");
    }
}
