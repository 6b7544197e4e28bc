//! The citizen digital identity (core.identity, arch.security): accounts,
//! sessions, TOTP 2FA, roles, API tokens, GDPR export and erasure, and the
//! pages and API for all of it.

pub mod api;
pub mod model;
pub mod pages;
pub mod password;
pub mod personal;
pub mod service;
pub mod session;
pub mod store;
pub mod totp;

use kernel::Lang;
use kernel::db::Migration;

pub const MESSAGES: &[(Lang, &str)] = &[(Lang::Sl, include_str!("../locales/sl.ftl")), (Lang::En, include_str!("../locales/en.ftl"))];

pub const MIGRATIONS: &[Migration] = &[
    Migration { id: "identity-0001-accounts", sql: include_str!("../migrations/0001_accounts.sql"), postgres: None },
    Migration { id: "identity-0002-organisations", sql: include_str!("../migrations/0002_organisations.sql"), postgres: None },
    Migration { id: "identity-0003-email-change", sql: include_str!("../migrations/0003_email_change.sql"), postgres: None },
];

/// Pages and API routes of the identity.
pub fn router() -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router())
}
