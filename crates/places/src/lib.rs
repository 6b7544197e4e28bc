//! The map (issue 5, item 1): places in layers anyone can switch
//! (defibrillators, Wi-Fi and Eduroam, sports, paths, heritage, sights, EV
//! chargers, bookable spaces, premises for rent, accommodation, food), with
//! multilingual names and descriptions, opening hours, accessibility and
//! photos; every layer a public GeoJSON dataset; the nearest defibrillator
//! with distance and walking direction; staff editing and GeoJSON
//! import/export. See docs/places.md.

pub mod api;
pub mod cache;
pub mod demo;
pub mod geojson;
pub mod geometry;
pub mod hours;
pub mod model;
pub mod pages;
pub mod service;
pub mod staff;
pub mod store;

use kernel::Lang;
use kernel::db::Migration;
pub use model::Layer;
use std::collections::BTreeMap;

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[Migration] = &[
    Migration { id: "places-0001", sql: include_str!("../migrations/0001_places.sql"), postgres: None },
    Migration { id: "places-0002-photos", sql: include_str!("../migrations/0002_place_photos.sql"), postgres: None },
    Migration { id: "places-0003-version", sql: include_str!("../migrations/0003_places_version.sql"), postgres: None },
];

/// Pages, staff pages and API of the map.
pub fn router() -> axum::Router<kernel::Ctx> {
    pages::router().merge(staff::router()).merge(api::router())
}

/// Routes that take photo uploads, mounted by the binary under a larger body limit.
pub fn upload_router() -> axum::Router<kernel::Ctx> {
    let limit = service::UPLOAD_LIMIT;
    staff::upload_router()
        .merge(api::upload_router())
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limit))
}

/// One layer as an open dataset, for the data catalogue to register.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = PlacesDataset)]
pub struct Dataset {
    /// Stable id, `places-<layer>`.
    pub id: String,
    pub layer: Layer,
    /// Title per language code.
    pub title: BTreeMap<String, String>,
    /// Description per language code.
    pub description: BTreeMap<String, String>,
    /// Address of the GeoJSON distribution, relative to the portal.
    pub geojson_url: String,
    /// The same, absolute (the portal's public address before it).
    pub url: String,
    pub media_type: String,
    /// SPDX licence id.
    pub licence: String,
    pub licence_url: String,
    pub publisher: String,
}

/// Every layer as a dataset (CC BY 4.0, GeoJSON), in every language.
pub fn datasets(ctx: &kernel::Ctx) -> Vec<Dataset> {
    let i18n = &ctx.i18n;
    Layer::ALL
        .into_iter()
        .map(|l| {
            let each = |key: &str| Lang::ALL.into_iter().map(|lang| (lang.code().to_string(), i18n.t(lang, key))).collect();
            Dataset {
                id: format!("places-{}", l.code()),
                layer: l,
                title: each(&format!("places-layer-{}", l.code())),
                description: each(&format!("places-dataset-{}", l.code())),
                geojson_url: format!("/api/v1/places/layers/{}.geojson", l.code()),
                url: format!("{}/api/v1/places/layers/{}.geojson", ctx.config.public_url().trim_end_matches('/'), l.code()),
                media_type: api::GEOJSON.into(),
                licence: "CC-BY-4.0".into(),
                licence_url: "https://creativecommons.org/licenses/by/4.0/".into(),
                publisher: ctx.config.municipality.name(Lang::Sl).to_string(),
            }
        })
        .collect()
}
