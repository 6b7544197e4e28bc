//! The notifications hub (admin.notify): every capability hands its messages
//! here; people choose topics, channels and quiet hours; a worker delivers
//! in-app, e-mail, SMS and web push with retries, from a table that survives
//! a restart mid-delivery.

pub mod api;
pub mod channels;
pub mod delivery;
pub mod events;
pub mod model;
pub mod pages;
pub mod personal;
pub mod push;
pub mod service;
pub mod store;

use kernel::Lang;
use kernel::db::Migration;
use serde::Deserialize;

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[Migration] = &[
    Migration { id: "notify-0001", sql: include_str!("../migrations/0001_notify.sql"), postgres: None },
    Migration {
        id: "notify-0002-bigint",
        sql: include_str!("../migrations/0002_bigint.sql"),
        postgres: Some(include_str!("../migrations/0002_bigint.pg.sql")),
    },
];

/// The `[notify]` section of the configuration.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// The SMS gateway: messages are POSTed there as JSON `{"to", "text", "from"}`; unset: no SMS channel.
    pub sms_gateway_url: Option<String>,
    /// Sent as `Authorization: Bearer …` to the gateway. A secret: never logged.
    pub sms_gateway_token: Option<String>,
    /// Sender name or number shown on the phone.
    pub sms_from: String,
    /// Messages handed to channels at the same time.
    pub concurrency: usize,
    /// Deliveries a worker claims at once.
    pub batch: i64,
    /// After this many failed attempts a delivery is given up.
    pub max_attempts: i64,
    /// Wait before the first retry; doubled each time up to `retry_max_seconds`.
    pub retry_base_seconds: u64,
    pub retry_max_seconds: u64,
    /// Contact the push services may use (RFC 8292 `sub`), e.g. `mailto:it@ptuj.si`.
    pub push_contact: String,
    /// How long a worker holds the deliveries it claimed; after a crash they
    /// are taken up again once this passes. Longer than a channel may take.
    pub claim_seconds: u64,
    /// Accept push endpoints over plain HTTP on 127.0.0.1 (tests only: real
    /// push services are HTTPS, and the server must not be made to post to
    /// its own machine).
    pub push_allow_loopback: bool,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            sms_gateway_url: None,
            sms_gateway_token: None,
            sms_from: "Obcina".into(),
            concurrency: 32,
            batch: 500,
            max_attempts: 8,
            retry_base_seconds: 30,
            retry_max_seconds: 6 * 3600,
            push_contact: "mailto:no-reply@example.org".into(),
            claim_seconds: 120,
            push_allow_loopback: false,
        }
    }
}

impl std::fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyConfig")
            .field("sms_gateway_url", &self.sms_gateway_url)
            .field("sms_gateway_token", &self.sms_gateway_token.as_ref().map(|_| "[redacted]"))
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl NotifyConfig {
    pub fn from_table(t: &toml::Table) -> Result<NotifyConfig, String> {
        let c: NotifyConfig = toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[notify]: {e}"))?;
        if c.concurrency == 0 || c.batch <= 0 || c.max_attempts <= 0 || c.claim_seconds < 2 {
            return Err("[notify]: concurrency, batch and max_attempts must be positive, claim_seconds at least 2".into());
        }
        if let Some(url) = &c.sms_gateway_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err("[notify]: sms_gateway_url must be an http(s) URL".into());
        }
        Ok(c)
    }

    /// A channel gets half the claim to answer, so a claim never runs out mid-send.
    pub fn channel_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs((self.claim_seconds / 2).clamp(1, 30))
    }

    /// How long to wait before attempt `attempts + 1`.
    pub fn retry_after(&self, attempts: i64) -> std::time::Duration {
        let exp = attempts.clamp(1, 30) as u32 - 1;
        let secs = self.retry_base_seconds.saturating_mul(1u64 << exp.min(20)).min(self.retry_max_seconds);
        std::time::Duration::from_secs(secs)
    }
}

/// Pages and API of the hub; its handlers share the process's `Hub`.
pub fn router(hub: delivery::Hub) -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router()).layer(axum::Extension(hub))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_the_cap() {
        let c = NotifyConfig::default();
        assert_eq!(c.retry_after(1).as_secs(), 30);
        assert_eq!(c.retry_after(2).as_secs(), 60);
        assert_eq!(c.retry_after(5).as_secs(), 480);
        assert_eq!(c.retry_after(20).as_secs(), 6 * 3600);
    }

    #[test]
    fn config_is_checked_and_the_token_not_shown() {
        let t: toml::Table = toml::from_str("sms_gateway_url = \"https://sms.example/send\"\nsms_gateway_token = \"s3cret\"").unwrap();
        let c = NotifyConfig::from_table(&t).unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
        let bad: toml::Table = toml::from_str("sms_gateway_url = \"ftp://x\"").unwrap();
        assert!(NotifyConfig::from_table(&bad).is_err());
        let typo: toml::Table = toml::from_str("sms_gatway_url = \"https://x\"").unwrap();
        assert!(NotifyConfig::from_table(&typo).is_err());
    }
}
