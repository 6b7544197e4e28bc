//! Reservations (admin.bookings): municipal rooms and halls, sports grounds,
//! youth spaces and EV charging points, each with its purpose, capacity,
//! rules (who may book, lead time, maximum length, cancellation deadline),
//! price and optional staff approval. One row per occupied slot under a
//! UNIQUE constraint: the database itself refuses a double booking.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod personal;
pub mod service;
pub mod staff;
pub mod store;

use kernel::Lang;
use kernel::db::Migration;

pub use store::ENCRYPTED_COLUMNS;

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[Migration] = &[Migration { id: "bookings-0001", sql: include_str!("../migrations/0001_bookings.sql"), postgres: None }];

/// Pages and API of bookings.
pub fn router() -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router())
}
