//! Events as iCalendar (RFC 5545) feeds that calendar apps subscribe to.

use crate::store::Event;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kernel::ical::{self, Calendar, Status};
use kernel::{Ctx, Lang};

/// One event as a `VEVENT`: stable UID, a URL back to its page.
pub fn vevent(ctx: &Ctx, lang: Lang, e: &Event) -> ical::Event {
    let base = ctx.config.public_url();
    let host = base.split("://").nth(1).unwrap_or("obcina").split(['/', ':']).next().unwrap_or("obcina").to_string();
    // No stream link here: it shows on the event's page only while the event runs.
    let description = e.description.get(lang).to_string();
    let mut v = ical::Event::new(format!("event-{}@{host}", e.id), e.updated_at, e.starts_at, e.title.get(lang))
        .end(e.ends_at)
        .description(description)
        .location(e.place.name.clone())
        .geo(e.place.lat, e.place.lon)
        .url(format!("{base}/events/{}", e.id))
        .category(ctx.i18n.t(lang, &format!("events-genre-{}", e.genre.code())))
        .status(Status::Confirmed)
        .last_modified(e.updated_at)
        .sequence(e.sequence.clamp(0, u32::MAX as i64) as u32);
    if e.published_at.is_none() {
        v = v.status(Status::Tentative);
    }
    v
}

/// The calendar of these events, named for the reader.
pub fn calendar(ctx: &Ctx, lang: Lang, name: &str, events: &[Event]) -> String {
    let mut cal = Calendar::new(format!("-//obcina//events//{}", lang.code().to_uppercase())).name(name);
    for e in events {
        cal = cal.event(vevent(ctx, lang, e));
    }
    cal.render()
}

/// The response: text/calendar, revalidated by clients every hour.
pub fn response(body: String) -> Response {
    ([(header::CONTENT_TYPE, ical::CONTENT_TYPE), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// A personal feed is private: not stored by shared caches.
pub fn private_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, ical::CONTENT_TYPE), (header::CACHE_CONTROL, "private, max-age=900")], body).into_response()
}
