//! The events calendar: organisers (people, or representatives of legal
//! entities) submit events; staff publish them or return them with a
//! reason; the public sees them by date, as a month calendar and by genre,
//! with filters; signed-in people follow genres, places and organisers; and
//! iCalendar feeds (all, per genre, personal) serve calendar apps.

pub mod api;
pub mod demo;
pub mod feed;
pub mod model;
pub mod pages;
pub mod query;
pub mod service;
pub mod store;

use kernel::Lang;
use kernel::db::Migration;

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[Migration] = &[Migration { id: "events-0001", sql: include_str!("../migrations/0001_events.sql"), postgres: None }];

/// Pages, feeds and API of events.
pub fn router() -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router())
}
