//! The tourist guide (issue 5, item 4): for visitors without an account, in
//! Slovenian, English, German and Italian, the sights, accommodation and
//! food of the map with descriptions, photos, audio, prices, filtered by
//! interest, age group, budget, accessibility and time available; a walking
//! route through the ticked sights from the tourist information centre,
//! planned by the `tour` solver (exact, with opening hours as time windows)
//! and drawn on the map; a kiosk mode for a public touch screen. The places
//! are the `places` crate's; the guide keeps no tables. See docs/guide.md.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;

use kernel::Lang;

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

/// Pages and API of the guide.
pub fn router() -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router())
}
