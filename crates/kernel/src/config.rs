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
    pub eid: EidConfig,
    /// The sensor platform's section (`[telemetry]`); the telemetry crate
    /// reads it strictly, so a typo still fails at start.
    pub telemetry: toml::Table,
    /// The NGSI-LD broker's section (`[ngsi]`), read strictly by the ngsi crate.
    pub ngsi: toml::Table,
    /// The notifications hub's section (`[notify]`), read strictly by the notify crate.
    pub notify: toml::Table,
    /// Crisis alerts (`[alerts]`), read strictly by the alerts crate.
    pub alerts: toml::Table,
    /// Proposals, surveys and questions (`[participation]`), read strictly by the participation crate.
    pub participation: toml::Table,
    /// Fault reports (`[reports]`): routing, limits, duplicates; read strictly by the reports crate.
    pub reports: toml::Table,
    /// Indicators (`[indicators]`): ISO selection, owners; read strictly by the indicators crate.
    pub indicators: toml::Table,
    /// The data catalogue (`[catalog]`): extent, contact, paging; read strictly by the catalog crate.
    pub catalog: toml::Table,
    pub map: MapConfig,
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
            eid: EidConfig::default(),
            telemetry: toml::Table::new(),
            ngsi: toml::Table::new(),
            notify: toml::Table::new(),
            alerts: toml::Table::new(),
            participation: toml::Table::new(),
            indicators: toml::Table::new(),
            reports: toml::Table::new(),
            catalog: toml::Table::new(),
            map: MapConfig::default(),
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
        self.keys_file.clone().unwrap_or_else(|| self.data_dir.join("keys.toml"))
    }
    /// Where the server keeps the audit chain's head outside the database.
    pub fn audit_anchor_file(&self) -> PathBuf {
        self.data_dir.join("audit-anchor.json")
    }
    /// Cookies carry `Secure` unless the portal is served over plain HTTP (local use).
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

/// Where map tiles come from (OpenStreetMap by default, within its tile usage
/// policy: attribution shown, the page's origin sent as Referer).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapConfig {
    /// Tile URL template with `{z}`, `{x}` and `{y}`.
    pub tiles: String,
    /// Attribution shown on every map (HTML allowed: links to the licence).
    pub attribution: String,
    pub max_zoom: u8,
    /// Where visitors' walking routes start and end.
    pub walk_start: WalkStart,
}

/// The start and end of the tourist guide's walks: Ptuj's tourist
/// information centre by default.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WalkStart {
    /// Shown as the start of every route (an address or a place's name).
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

impl Default for WalkStart {
    fn default() -> Self {
        WalkStart { name: "TIC Ptuj, Slovenski trg 3".into(), lat: 46.4199, lon: 15.8700 }
    }
}

impl Default for MapConfig {
    fn default() -> Self {
        MapConfig {
            tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a>".into(),
            max_zoom: 19,
            walk_start: WalkStart::default(),
        }
    }
}

impl MapConfig {
    /// `scheme://host[:port]` of the tile server, for the Content-Security-Policy.
    pub fn tile_origin(&self) -> Option<String> {
        let (scheme, rest) = self.tiles.split_once("://")?;
        let host = rest.split('/').next()?;
        Some(format!("{scheme}://{host}"))
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
        let m = if staff { self.staff_idle_minutes } else { self.citizen_idle_minutes };
        Duration::from_secs(m * 60)
    }
    pub fn absolute(&self, staff: bool) -> Duration {
        let h = if staff { self.staff_absolute_hours } else { self.citizen_absolute_hours };
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
        PasswordPolicy { min_length: 10, staff_max_age_days: 180, lockout_after: 10, lockout_minutes: 15 }
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
    /// Inhabitants, for per-inhabitant KPIs (Ptuj: about 23,000).
    pub population: u32,
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
            population: 23_000,
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

/// National eID sign-in (SI-PASS) through SAML 2.0. Off until configured.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EidConfig {
    pub enabled: bool,
    /// The IdP's entity id (Issuer of its responses).
    pub idp_entity_id: String,
    /// Where AuthnRequests go (HTTP-Redirect binding).
    pub idp_sso_url: String,
    /// PEM file with the IdP's signing certificate (or public key).
    pub idp_cert_file: Option<PathBuf>,
    /// Our entity id; default PUBLIC_URL/saml/metadata.
    pub sp_entity_id: Option<String>,
    /// PKCS#8 PEM private key for signing AuthnRequests; default DATA_DIR/saml-sp-key.pem, made on first use.
    pub sp_key_file: Option<PathBuf>,
    /// PEM certificate for that key, published in our metadata when given.
    pub sp_cert_file: Option<PathBuf>,
    pub attributes: EidAttributes,
}

/// SAML attribute names the IdP uses for each field. Names, surname and
/// e-mail default to their X.500/COSINE OIDs. The OIDs SI-PASS uses for EMŠO
/// and tax number are defined in its integration guide, which is not public:
/// the defaults below are placeholders that must be set when the municipality
/// registers with SI-PASS.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EidAttributes {
    pub emso: String,
    pub tax_number: String,
    pub given_name: String,
    pub surname: String,
    pub email: String,
}

impl Default for EidAttributes {
    fn default() -> Self {
        EidAttributes {
            emso: "si-pass:emso".into(),
            tax_number: "si-pass:tax_number".into(),
            given_name: "urn:oid:2.5.4.42".into(),
            surname: "urn:oid:2.5.4.4".into(),
            email: "urn:oid:0.9.2342.19200300.100.1.3".into(),
        }
    }
}
