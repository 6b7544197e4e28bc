//! Fault reports (admin.reports): a citizen or a visitor reports a fault on
//! a road, light, building or land; it is routed at once to the department
//! or public company that owns the category (and area); staff work a queue;
//! everyone sees the reports and answers without personal data; Open311
//! GeoReport v2 for existing clients. See docs/reports.md.

pub mod api;
pub mod config;
pub mod demo;
pub mod events;
pub mod geo;
pub mod model;
pub mod open311;
pub mod pages;
pub mod personal;
pub mod places;
pub mod service;
pub mod staff;
pub mod store;

use kernel::{Ctx, Lang};

pub use config::ReportsConfig;

/// Slovenian first, English always; German and Italian for the pages visitors use.
pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[kernel::db::Migration] =
    &[kernel::db::Migration { id: "reports-0001-reports", sql: include_str!("../migrations/0001_reports.sql"), postgres: None }];

/// Sealed columns, for key rotation.
pub use store::ENCRYPTED_COLUMNS;

/// Routes that take uploads (photos), mounted by the binary under a larger body limit.
pub fn upload_router(r: Reports) -> axum::Router<Ctx> {
    let limit = r.upload_limit();
    pages::upload_router()
        .merge(open311::upload_router())
        .layer(axum::Extension(r))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limit))
}

/// Every other route of the capability.
pub fn router(r: Reports) -> axum::Router<Ctx> {
    pages::router().merge(staff::router()).merge(api::router()).merge(open311::router()).layer(axum::Extension(r))
}

/// The running capability: its configuration and file store, shared by handlers.
#[derive(Clone)]
pub struct Reports(pub std::sync::Arc<Inner>);

pub struct Inner {
    pub config: ReportsConfig,
    pub files: Box<dyn kernel::files::FileStore>,
}

impl std::ops::Deref for Reports {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Reports {
    pub fn start(ctx: &Ctx) -> Result<Reports, String> {
        let config = ReportsConfig::from_table(&ctx.config.reports)?;
        let files = Box::new(kernel::files::LocalFiles::under_data_dir(&ctx.config.data_dir));
        Ok(Reports(std::sync::Arc::new(Inner { config, files })))
    }

    /// Largest body an upload route accepts: every photo at its limit, plus the form.
    pub fn upload_limit(&self) -> usize {
        self.config.max_photos * self.config.max_photo_bytes + 256 * 1024
    }
}
