//! The strategy's indicators (arch.kpi): every KPI of its measures with the
//! 2022 baseline and the 2027 target, the ISO 37120/37122/37123 indicators
//! the municipality selects by clause, values with their provenance
//! (computed from platform data, imported, entered), the public progress
//! board, the yearly evaluation report (HTML and PDF) and the CSV of every
//! value; and the digital-maturity questionnaire of §2.6.

pub mod api;
pub mod chart;
pub mod maturity;
pub mod maturity_pages;
pub mod model;
pub mod pages;
pub mod pdf;
pub mod registry;
pub mod service;
pub mod store;

use kernel::Lang;
use kernel::db::Migration;
pub use service::{Computation, Indicators};

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[Migration] = &[
    Migration { id: "indicators-0001", sql: include_str!("../migrations/0001_indicators.sql"), postgres: None },
    Migration { id: "indicators-0002", sql: include_str!("../migrations/0002_maturity.sql"), postgres: None },
];

/// Pages and API of indicators, with the registry they read.
pub fn router(ind: Indicators) -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router()).layer(axum::Extension(ind)).merge(maturity_pages::router())
}
