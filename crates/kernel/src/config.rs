//! Configuration: every option is declared once here with its default.
//! The binary overlays a TOML file and `OBCINA_*` environment variables / flags.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Directory for the embedded SQLite database, keys and files.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite.
    pub database_url: Option<String>,
    /// Where the HTTP server listens.
    pub listen: SocketAddr,
    /// The address citizens use to reach the portal (links in e-mails).
    pub public_url: Option<String>,
    /// `smtp://user:pass@host:port` (STARTTLS optional) or `smtps://…`; unset: mail goes to the log.
    pub smtp_url: Option<String>,
    /// Sender of platform e-mail.
    pub mail_from: String,
    /// Load the Ptuj demo data into an empty database.
    pub demo: bool,
    /// Path of the key file (field encryption, blind index, audit MAC).
    pub keys_file: Option<PathBuf>,
    pub sessions: SessionPolicy,
    pub passwords: PasswordPolicy,
    pub municipality: Municipality,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            smtp_url: None,
            mail_from: "Mestna občina Ptuj <no-reply@ptuj.si>".into(),
            demo: true,
            keys_file: None,
            sessions: SessionPolicy::default(),
            passwords: PasswordPolicy::default(),
            municipality: Municipality::default(),
        }
    }
}

impl Config {
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }
    pub fn keys_file(&self) -> PathBuf {
        self.keys_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys.toml"))
    }
    /// Cookies carry `Secure` unless the portal is served over plain HTTP (local use).
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

/// Session lifetimes (ASVS V3.3): staff get idle and absolute limits.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionPolicy {
    pub citizen_idle_minutes: u64,
    pub citizen_absolute_hours: u64,
    pub staff_idle_minutes: u64,
    pub staff_absolute_hours: u64,
    /// How recently a password (or TOTP) must have been entered to change credentials.
    pub reauth_minutes: u64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            citizen_idle_minutes: 7 * 24 * 60,
            citizen_absolute_hours: 30 * 24,
            staff_idle_minutes: 30,
            staff_absolute_hours: 12,
            reauth_minutes: 10,
        }
    }
}

impl SessionPolicy {
    pub fn idle(&self, staff: bool) -> Duration {
        let m = if staff {
            self.staff_idle_minutes
        } else {
            self.citizen_idle_minutes
        };
        Duration::from_secs(m * 60)
    }
    pub fn absolute(&self, staff: bool) -> Duration {
        let h = if staff {
            self.staff_absolute_hours
        } else {
            self.citizen_absolute_hours
        };
        Duration::from_secs(h * 3600)
    }
    pub fn reauth(&self) -> Duration {
        Duration::from_secs(self.reauth_minutes * 60)
    }
}

/// The strategy asks for "regularly changed passwords" (§4.1); NIST SP 800-63B
/// advises against forced rotation because it leads to weaker, predictable
/// passwords. So rotation is a policy for staff accounts only, and citizens are
/// asked to change only on evidence of compromise.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// Maximum password age for staff and administrators, in days; 0 = no limit.
    pub staff_max_age_days: u64,
    /// Failed sign-ins before the account (or unknown address) is locked.
    pub lockout_after: u32,
    pub lockout_minutes: u64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 10,
            staff_max_age_days: 180,
            lockout_after: 10,
            lockout_minutes: 15,
        }
    }
}

/// Everything that makes the portal Ptuj's rather than another municipality's.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Municipality {
    pub name_sl: String,
    pub name_en: String,
    pub short_name: String,
    pub website: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// Controller of personal data named on the privacy and accessibility pages.
    pub dpo_email: String,
    pub accessibility_statement_date: String,
}

impl Default for Municipality {
    fn default() -> Self {
        Municipality {
            name_sl: "Mestna občina Ptuj".into(),
            name_en: "City Municipality of Ptuj".into(),
            short_name: "Ptuj".into(),
            website: "https://www.ptuj.si".into(),
            email: "mop@ptuj.si".into(),
            phone: "+386 2 748 29 00".into(),
            address: "Mestni trg 1, 2250 Ptuj".into(),
            dpo_email: "dpo@ptuj.si".into(),
            accessibility_statement_date: "2026-11-25".into(),
        }
    }
}

impl Municipality {
    pub fn name(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::Sl => &self.name_sl,
            _ => &self.name_en,
        }
    }
}
