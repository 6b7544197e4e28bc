//! Shared plumbing of obcina. No business rules live here: capabilities build
//! on these pieces and the binary wires them together.

pub mod access;
pub mod audit;
pub mod chart;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod csrf;
pub mod csv;
pub mod ctx;
pub mod db;
pub mod error;
pub mod files;
pub mod i18n;
pub mod ical;
pub mod layout;
pub mod mail;
pub mod outbox;
pub mod photos;
pub mod web;

pub use access::{Actor, Permission, Role};
pub use clock::Timestamp;
pub use ctx::Ctx;
pub use error::{AppError, AppResult};
pub use i18n::Lang;

/// The kernel's own messages (layout, errors), for the i18n registry.
pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

/// The kernel's own tables: audit log and outbox.
pub const MIGRATIONS: &[db::Migration] = &[
    db::Migration { id: "kernel-0001-audit-outbox", sql: include_str!("../migrations/0001_audit_outbox.sql"), postgres: None },
    // Triggers are the one part the dialects write differently.
    db::Migration {
        id: "kernel-0002-audit-append-only",
        sql: include_str!("../migrations/0002_audit_append_only.sql"),
        postgres: Some(include_str!("../migrations/0002_audit_append_only.pg.sql")),
    },
];
