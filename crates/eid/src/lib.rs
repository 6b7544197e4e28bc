//! National eID sign-in (SI-PASS, seed §3 A) as a SAML 2.0 service provider:
//! a signed AuthnRequest by HTTP-Redirect, a signed Response by HTTP-POST,
//! linked to the same citizen profile by EMŠO.

pub mod dsig;
pub mod keys;
pub mod pages;
pub mod saml;
pub mod service;
pub mod xml;

use kernel::Lang;
use kernel::db::Migration;

pub const MESSAGES: &[(Lang, &str)] = &[(Lang::Sl, include_str!("../locales/sl.ftl")), (Lang::En, include_str!("../locales/en.ftl"))];

pub const MIGRATIONS: &[Migration] = &[
    Migration { id: "eid-0001-saml", sql: include_str!("../migrations/0001_saml.sql"), postgres: None },
    Migration { id: "eid-0002-browser-binding", sql: include_str!("../migrations/0002_browser_binding.sql"), postgres: None },
];

/// The routes, when eID sign-in is configured; an empty router otherwise.
pub fn router(config: &kernel::config::Config) -> Result<axum::Router<kernel::Ctx>, String> {
    Ok(match keys::load(config)? {
        Some((sp, idp)) => pages::router(std::sync::Arc::new(service::EidState { sp, idp })),
        None => axum::Router::new(),
    })
}
