//! Crisis alerts (rescue.alerts) as CAP 1.2: staff issue, update and cancel
//! alerts; every message is a CAP document, published in an Atom feed and on
//! public pages, and fanned out to subscribers through the notifications hub.

pub mod api;
pub mod cap;
pub mod demo;
pub mod fanout;
pub mod feed;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

use kernel::{Ctx, Lang};
use serde::Deserialize;

/// The `[alerts]` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// CAP `sender` of every message: globally unique, e.g. based on the
    /// municipality's domain; no spaces, commas, `<` or `&`.
    pub sender: String,
    /// The first part of message identifiers (`ptuj-20261105-1a2b3c4d`).
    pub identifier_prefix: String,
    /// CAP `senderName` in Slovenian and English; the municipality's name by default.
    pub sender_name_sl: Option<String>,
    pub sender_name_en: Option<String>,
    /// CAP `contact`; the municipality's e-mail and phone by default.
    pub contact: Option<String>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig { sender: "obcina@ptuj.si".into(), identifier_prefix: "ptuj".into(), sender_name_sl: None, sender_name_en: None, contact: None }
    }
}

impl AlertsConfig {
    pub fn from_table(t: &toml::Table) -> Result<AlertsConfig, String> {
        let c: AlertsConfig = toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[alerts]: {e}"))?;
        let restricted = |s: &str| s.is_empty() || s.chars().any(|ch| ch.is_whitespace() || matches!(ch, ',' | '<' | '&'));
        if restricted(&c.sender) {
            return Err(format!("[alerts] sender {:?}: CAP forbids spaces, commas, < and & there", c.sender));
        }
        if restricted(&c.identifier_prefix) {
            return Err(format!("[alerts] identifier_prefix {:?}: CAP forbids spaces, commas, < and & in identifiers", c.identifier_prefix));
        }
        Ok(c)
    }

    /// The profile messages are built with.
    pub fn profile(&self, ctx: &Ctx) -> model::Profile {
        let m = &ctx.config.municipality;
        model::Profile {
            sender: self.sender.clone(),
            sender_name: model::Bilingual::new(
                self.sender_name_sl.as_deref().unwrap_or(&m.name_sl),
                self.sender_name_en.as_deref().unwrap_or(&m.name_en),
            ),
            contact: Some(self.contact.clone().unwrap_or_else(|| format!("{}, {}", m.email, m.phone))),
            public_url: ctx.config.public_url(),
        }
    }
}

/// Slovenian and English everywhere; German and Italian for the public pages.
pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[kernel::db::Migration] =
    &[kernel::db::Migration { id: "alerts-0001-messages", sql: include_str!("../migrations/0001_alerts.sql"), postgres: None }];

/// Public pages, the feed and CAP documents, staff pages and the API.
pub fn router(config: AlertsConfig) -> axum::Router<Ctx> {
    api::router().merge(feed::router()).merge(pages::router()).layer(axum::Extension(std::sync::Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_section_parses_and_typos_do_not() {
        let c = AlertsConfig::from_table(&toml::from_str("sender = \"alerts@ptuj.si\"\ncontact = \"112\"").unwrap()).unwrap();
        assert_eq!((c.sender.as_str(), c.identifier_prefix.as_str(), c.contact.as_deref()), ("alerts@ptuj.si", "ptuj", Some("112")));
        assert!(AlertsConfig::from_table(&toml::from_str("sendr = \"x\"").unwrap()).unwrap_err().contains("sendr"));
        assert!(AlertsConfig::from_table(&toml::from_str("sender = \"a b\"").unwrap()).is_err());
    }
}
