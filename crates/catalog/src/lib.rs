//! The data catalogue and metadata catalogue (arch.catalog), the open data
//! portal (arch.opendata), and the interfaces harvesters read: the CKAN
//! Action API and DCAT-AP 3.0. Datasets come from `source::Source`s that
//! capabilities provide, and from staff for data kept elsewhere; what leaves
//! the platform is decided in `publish` alone. See docs/catalog.md.

pub mod ckan;
pub mod config;
pub mod dcat;
pub mod downloads;
pub mod formats;
pub mod model;
pub mod pages;
pub mod publish;
pub mod rdf;
pub mod search;
pub mod service;
pub mod source;
pub mod store;

use kernel::{Ctx, Lang};
use std::sync::Arc;

pub use config::CatalogConfig;
pub use source::{Page, Row, Source, Sources, Span};

/// Slovenian and English everywhere; German and Italian for the portal pages visitors read.
pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[kernel::db::Migration] =
    &[kernel::db::Migration { id: "catalog-0001-datasets", sql: include_str!("../migrations/0001_catalog.sql"), postgres: None }];

/// The running catalogue: its configuration and every dataset source.
#[derive(Clone)]
pub struct Catalog(pub Arc<Inner>);

pub struct Inner {
    pub config: CatalogConfig,
    pub sources: Sources,
}

impl std::ops::Deref for Catalog {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Catalog {
    pub fn new(ctx: &Ctx, sources: Sources) -> Result<Catalog, String> {
        let config = CatalogConfig::from_table(&ctx.config.catalog)?;
        Ok(Catalog(Arc::new(Inner { config, sources })))
    }
}

pub fn router(c: Catalog) -> axum::Router<Ctx> {
    ckan::router().merge(downloads::router()).merge(pages::router()).merge(rdf::router()).layer(axum::Extension(c))
}
