//! Public pages of the map: the map with its layer switch (`/map`), the
//! same places as an accessible list sorted by distance (`/map/list`), the
//! nearest defibrillator (`/map/aed`), and one place (`/places/{id}`).
//! Each works without JavaScript; the script adds the map and the phone's
//! position.

use crate::geometry::Position;
use crate::model::Layer;
use crate::service::{self, Nearby};
use crate::store::Place;
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Datelike;
use kernel::i18n::fold;
use kernel::layout::{Page, urlencode};
use kernel::web::{render, with_map_csp};
use kernel::{AppError, AppResult, Lang};

pub fn router() -> Router<kernel::Ctx> {
    Router::new()
        .route("/map", get(map))
        .route("/map/list", get(list))
        .route("/map/aed", get(aed))
        .route("/places/photos/{file}", get(photo))
        .route("/places/{id}", get(detail))
}

/// An uploaded photo's JPEG (`{id}.jpg`), public like its place.
async fn photo(State(ctx): State<kernel::Ctx>, Path(file): Path<String>) -> AppResult<Response> {
    let id = file.strip_suffix(".jpg").ok_or_else(AppError::not_found)?;
    let bytes = service::photo_file(&ctx, id).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "public, max-age=86400")], bytes).into_response())
}

/// A photo as pages show it: its address and its alternative text, with the text's language.
pub struct Shown {
    pub url: String,
    pub alt: String,
    pub alt_lang: String,
}

/// Every photo of a place for a reader: uploaded ones with their own
/// alternative text (the reader's language, else Slovenian), then linked ones.
pub fn shown_photos(p: &Page, place: &Place) -> Vec<Shown> {
    let (name, name_lang) = place.names.pick(p.lang);
    let uploads = place.uploads.iter().map(|u| {
        let (alt, lang) = u.alt.pick(p.lang);
        Shown { url: u.url(), alt: alt.to_string(), alt_lang: lang.to_string() }
    });
    let linked = place.photos.iter().map(|url| Shown {
        url: url.clone(),
        alt: p.t1("places-photo-of", "name", name.to_string()),
        alt_lang: if name_lang == p.lang.code() { name_lang.to_string() } else { p.lang.code().to_string() },
    });
    uploads.chain(linked).collect()
}

/// The query of map pages: layers (repeatable), a position or a typed place.
#[derive(Default, Debug)]
pub struct MapQuery {
    pub layers: Vec<Layer>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub q: String,
}

impl MapQuery {
    /// Lenient on purpose: an unknown layer or a bad number is left out.
    pub fn parse(raw: Option<&str>) -> AppResult<MapQuery> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| AppError::bad_request("query_invalid"))?;
        let mut q = MapQuery::default();
        for (k, v) in pairs {
            match k.as_str() {
                "layer" => {
                    if let Some(l) = Layer::from_code(&v)
                        && !q.layers.contains(&l)
                    {
                        q.layers.push(l);
                    }
                }
                "lat" => q.lat = v.trim().replace(',', ".").parse().ok(),
                "lon" => q.lon = v.trim().replace(',', ".").parse().ok(),
                "q" => q.q = v.chars().take(200).collect::<String>().trim().to_string(),
                _ => {}
            }
        }
        Ok(q)
    }
    pub fn position(&self) -> Option<Position> {
        Position::new(self.lat?, self.lon?)
    }
    fn layer_params(&self) -> String {
        self.layers.iter().map(|l| format!("layer={}", l.code())).collect::<Vec<_>>().join("&")
    }
}

/// Layers shown when none is chosen: everything the map is for, not the tourist guide's own.
pub const DEFAULT_LAYERS: [Layer; 9] =
    [Layer::Aed, Layer::Wifi, Layer::Sports, Layer::Paths, Layer::Heritage, Layer::Sights, Layer::EvChargers, Layer::Bookable, Layer::Premises];

pub fn layer_label(p: &Page, l: Layer) -> String {
    p.t(&format!("places-layer-{}", l.code()))
}

/// "140 m" or "1,2 km" in the reader's number style.
pub fn distance_text(lang: Lang, m: f64) -> String {
    if m < 1000.0 {
        return format!("{} m", (m / 10.0).round() as i64 * 10);
    }
    let km = format!("{:.1}", m / 1000.0);
    let km = if lang == Lang::En { km } else { km.replace('.', ",") };
    format!("{km} km")
}

/// "north-east (47°)".
pub fn direction_text(p: &Page, n: &Nearby) -> String {
    format!("{} ({}°)", p.tk("places-dir", n.direction), n.bearing_deg.round() as i64 % 360)
}

/// Opening hours of today, in words, and whether it is open now.
fn today(p: &Page, place: &Place) -> (String, Option<bool>) {
    let Some(h) = &place.hours else { return (String::new(), None) };
    let now = p.ctx.now().local();
    (hours_text(p, h.day(now.date())), Some(h.is_open(now)))
}

/// "08:00–12:00,13:00–16:00", "open all day" or "closed".
pub fn hours_text(p: &Page, iv: &[crate::hours::Interval]) -> String {
    match iv {
        [] => p.t("places-closed"),
        [one] if one.from == 0 && one.to == 1440 => p.t("places-all-day"),
        _ => crate::hours::intervals_text(iv).replace('-', "–").replace(',', ", "),
    }
}

/// A place as lists show it.
pub struct Row {
    pub id: String,
    pub name: String,
    /// The language the name is in (a fallback may differ from the page's).
    pub name_lang: String,
    pub layer: String,
    pub layer_code: &'static str,
    pub address: String,
    pub distance: String,
    pub direction: String,
    pub today: String,
    pub open_now: String,
    pub wheelchair: String,
    /// The first photo, if any.
    pub photo: Option<Shown>,
}

pub fn row(p: &Page, place: &Place, near: Option<&Nearby>) -> Row {
    let (today, open) = today(p, place);
    let (name, name_lang) = place.names.pick(p.lang);
    Row {
        id: place.id.clone(),
        name: name.to_string(),
        name_lang: name_lang.to_string(),
        layer: layer_label(p, place.layer),
        layer_code: place.layer.code(),
        address: place.address.clone().unwrap_or_default(),
        distance: near.map(|n| distance_text(p.lang, n.distance_m)).unwrap_or_default(),
        direction: near.map(|n| direction_text(p, n)).unwrap_or_default(),
        today,
        open_now: match open {
            Some(true) => p.t("places-open-now"),
            Some(false) => p.t("places-closed-now"),
            None => String::new(),
        },
        wheelchair: place.wheelchair.map(|w| p.tk("places-wheelchair", w.code())).unwrap_or_else(|| p.t("places-wheelchair-unknown")),
        // Lists allow images of this site only (their content security policy).
        photo: shown_photos(p, place).into_iter().find(|s| s.url.starts_with('/')),
    }
}

/// Without a position, a typed place name (any language, without accents)
/// or "lat, lon" finds one among the places.
pub fn locate(places: &[Place], typed: &str) -> Option<Position> {
    let typed = typed.trim();
    if let Some((a, b)) = typed.split_once(',').filter(|_| typed.chars().filter(|c| *c == ',').count() == 1)
        && let (Ok(lat), Ok(lon)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>())
    {
        return Position::new(lat, lon);
    }
    let want = fold(typed);
    if want.chars().count() < 3 {
        return None;
    }
    let names = |p: &Place| p.names.0.values().chain(p.address.iter()).map(|n| fold(n)).collect::<Vec<_>>();
    let score = |p: &Place| {
        let n = names(p);
        if n.contains(&want) {
            3
        } else if n.iter().any(|x| x.starts_with(&want) || x.split(' ').any(|w| w.starts_with(&want))) {
            2
        } else if n.iter().any(|x| x.contains(&want)) {
            1
        } else {
            0
        }
    };
    places
        .iter()
        .map(|p| (score(p), p))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s)
        .map(|(_, p)| Position { lat: p.geometry.lat, lon: p.geometry.lon })
}

/// A layer as the switch and the map's script see it.
pub struct LayerChoice {
    pub code: &'static str,
    pub label: String,
    pub mark: &'static str,
    pub checked: bool,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "places_map.html")]
struct MapPage {
    p: Page,
    layers: Vec<LayerChoice>,
    list_url: String,
    config: String,
}

fn map_config(p: &Page) -> String {
    let m = &p.ctx.config.map;
    let labels: serde_json::Map<String, serde_json::Value> =
        ["open-now", "closed-now", "details", "wheelchair-yes", "wheelchair-limited", "wheelchair-no"]
            .iter()
            .map(|k| (k.to_string(), serde_json::json!(p.t(&format!("places-{k}")))))
            .collect();
    let marks: serde_json::Map<String, serde_json::Value> = Layer::ALL.iter().map(|l| (l.code().to_string(), serde_json::json!(l.mark()))).collect();
    let names: serde_json::Map<String, serde_json::Value> =
        Layer::ALL.iter().map(|l| (l.code().to_string(), serde_json::json!(layer_label(p, *l)))).collect();
    serde_json::json!({"tiles": m.tiles, "attribution": m.attribution, "maxZoom": m.max_zoom, "lang": p.lang.code(), "labels": labels, "marks": marks, "layers": names})
        .to_string()
}

async fn map(p: Page, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let q = MapQuery::parse(raw.as_deref())?;
    let chosen = if q.layers.is_empty() { DEFAULT_LAYERS.to_vec() } else { q.layers.clone() };
    let counts = crate::store::counts(p.ctx.db.conn()).await?;
    let layers = Layer::ALL
        .into_iter()
        .map(|l| LayerChoice {
            code: l.code(),
            label: layer_label(&p, l),
            mark: l.mark(),
            checked: chosen.contains(&l),
            count: counts.iter().find(|(x, _)| *x == l).map(|(_, n)| *n).unwrap_or(0),
        })
        .collect();
    let list_url = format!("/map/list?{}", MapQuery { layers: chosen, ..Default::default() }.layer_params());
    let config = map_config(&p);
    let ctx = p.ctx.clone();
    Ok(with_map_csp(&ctx.config.map, "", render(&MapPage { p, layers, list_url, config })))
}

#[derive(Template)]
#[template(path = "places_list.html")]
struct ListPage {
    p: Page,
    layers: Vec<LayerChoice>,
    rows: Vec<Row>,
    by_distance: bool,
    q: String,
    not_found: bool,
    map_url: String,
}

async fn list(p: Page, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let q = MapQuery::parse(raw.as_deref())?;
    let chosen = if q.layers.is_empty() { DEFAULT_LAYERS.to_vec() } else { q.layers.clone() };
    let places = service::list(&p.ctx, &chosen).await?;
    let from = match q.position() {
        Some(pos) => Some(pos),
        None if !q.q.is_empty() => locate(&service::list(&p.ctx, &[]).await?, &q.q),
        None => None,
    };
    let rows = match from {
        Some(pos) => service::by_distance(places, pos).iter().map(|n| row(&p, &n.place, Some(n))).collect(),
        None => {
            let mut rows: Vec<Row> = places.iter().map(|pl| row(&p, pl, None)).collect();
            rows.sort_by(|a, b| a.layer.cmp(&b.layer).then_with(|| fold(&a.name).cmp(&fold(&b.name))));
            rows
        }
    };
    let layers = Layer::ALL
        .into_iter()
        .map(|l| LayerChoice { code: l.code(), label: layer_label(&p, l), mark: l.mark(), checked: chosen.contains(&l), count: 0 })
        .collect();
    let map_url = format!("/map?{}", MapQuery { layers: chosen, ..Default::default() }.layer_params());
    Ok(render(&ListPage { layers, rows, by_distance: from.is_some(), not_found: from.is_none() && !q.q.is_empty(), q: q.q, map_url, p }))
}

/// Ways to walk there: the phone's map app (geo: URI), Apple Maps, OpenStreetMap.
pub struct Route {
    pub geo: String,
    pub apple: String,
    pub osm: String,
}

pub fn route(from: Option<Position>, to: &Place) -> Route {
    let (lat, lon) = (to.geometry.lat, to.geometry.lon);
    let name = urlencode(to.names.get(Lang::Sl)).replace('+', "%20");
    let osm = match from {
        Some(f) => {
            format!("https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot&route={:.6}%2C{:.6}%3B{lat:.6}%2C{lon:.6}", f.lat, f.lon)
        }
        None => format!("https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}"),
    };
    Route {
        geo: format!("geo:{lat:.6},{lon:.6}?q={lat:.6},{lon:.6}({name})"),
        apple: format!("https://maps.apple.com/?daddr={lat:.6},{lon:.6}&dirflg=w"),
        osm,
    }
}

pub struct Found {
    pub row: Row,
    pub route: Route,
    /// The text and its language.
    pub description: (String, String),
}

#[derive(Template)]
#[template(path = "places_aed.html")]
struct AedPage {
    p: Page,
    nearest: Option<Found>,
    others: Vec<Row>,
    q: String,
    not_found: bool,
    asked: bool,
}

async fn aed(p: Page, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let q = MapQuery::parse(raw.as_deref())?;
    let from = match q.position() {
        Some(pos) => Some(pos),
        None if !q.q.is_empty() => locate(&service::list(&p.ctx, &[]).await?, &q.q),
        None => None,
    };
    let (mut nearest, mut others) = (None, vec![]);
    if let Some(pos) = from {
        let found = service::nearest(&p.ctx, Layer::Aed, pos, 3).await?;
        if let Some((first, rest)) = found.split_first() {
            nearest = Some(Found {
                row: row(&p, &first.place, Some(first)),
                route: route(Some(pos), &first.place),
                description: owned(first.place.descriptions.pick(p.lang)),
            });
            others = rest.iter().map(|n| row(&p, &n.place, Some(n))).collect();
        }
    }
    let asked = q.position().is_some() || !q.q.is_empty() || raw.as_deref().is_some_and(|r| r.contains("lat="));
    Ok(render(&AedPage { nearest, others, not_found: from.is_none() && asked, asked, q: q.q, p }))
}

fn owned((text, lang): (&str, &str)) -> (String, String) {
    (text.to_string(), lang.to_string())
}

/// One weekday's hours in a table.
pub struct DayHours {
    pub day: String,
    pub hours: String,
    pub today: bool,
}

pub struct Detail {
    pub row: Row,
    /// Texts with their language.
    pub description: (String, String),
    pub accessibility: (String, String),
    pub week: Vec<DayHours>,
    pub exceptions: Vec<(String, String)>,
    pub price: String,
    pub heritage: String,
    pub facts: Vec<(String, String)>,
    pub photos: Vec<Shown>,
    pub audio_url: Option<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub coords: String,
    pub route: Route,
    pub geojson_url: String,
}

/// "8,00 €" (or "€8.00" in English).
pub fn price_text(lang: Lang, cents: i64) -> String {
    let (e, c) = (cents / 100, cents % 100);
    if lang == Lang::En { format!("€{e}.{c:02}") } else { format!("{e},{c:02} €") }
}

fn detail_of(p: &Page, place: &Place) -> Detail {
    let today_idx = p.ctx.now().local().weekday().num_days_from_monday() as usize;
    let week = place
        .hours
        .as_ref()
        .map(|h| {
            (0..7).map(|d| DayHours { day: p.tk("places-day", &d.to_string()), hours: hours_text(p, &h.weekly[d]), today: d == today_idx }).collect()
        })
        .unwrap_or_default();
    let exceptions = place
        .hours
        .as_ref()
        .map(|h| h.exceptions.iter().map(|(d, iv)| (d.format("%d. %m. %Y").to_string(), hours_text(p, iv))).collect())
        .unwrap_or_default();
    let heritage = match (&place.heritage_id, &place.heritage_level) {
        (Some(id), Some(level)) => format!("{} · {}", p.t1("places-esd", "id", id), p.tk("places-heritage", level)),
        (Some(id), None) => p.t1("places-esd", "id", id),
        (None, Some(level)) => p.tk("places-heritage", level),
        (None, None) => String::new(),
    };
    let facts = place
        .attributes
        .iter()
        .map(|(k, v)| {
            let key = format!("places-attr-{}", k.replace('_', "-"));
            let label = if p.ctx.i18n.has(p.lang, &key) || p.ctx.i18n.has(Lang::En, &key) { p.t(&key) } else { k.clone() };
            (label, v.clone())
        })
        .collect();
    Detail {
        row: row(p, place, None),
        description: owned(place.descriptions.pick(p.lang)),
        accessibility: owned(place.accessibility.pick(p.lang)),
        week,
        exceptions,
        price: place.price_cents.map(|c| if c == 0 { p.t("places-free") } else { price_text(p.lang, c) }).unwrap_or_default(),
        heritage,
        facts,
        photos: shown_photos(p, place),
        audio_url: place.audio_url.clone(),
        website: place.website.clone(),
        phone: place.phone.clone(),
        coords: format!("{:.5}, {:.5}", place.geometry.lat, place.geometry.lon),
        route: route(None, place),
        geojson_url: format!("/api/v1/places/{}", place.id),
    }
}

#[derive(Template)]
#[template(path = "places_detail.html")]
struct DetailPage {
    p: Page,
    d: Detail,
    config: String,
}

async fn detail(p: Page, Path(id): Path<String>) -> AppResult<Response> {
    let place = service::get(&p.ctx, &id).await?;
    let d = detail_of(&p, &place);
    let config = map_config(&p);
    let ctx = p.ctx.clone();
    Ok(with_map_csp(&ctx.config.map, "https:", render(&DetailPage { d, config, p })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_prices_read_naturally() {
        assert_eq!(distance_text(Lang::Sl, 143.0), "140 m");
        assert_eq!(distance_text(Lang::Sl, 1234.0), "1,2 km");
        assert_eq!(distance_text(Lang::En, 1234.0), "1.2 km");
        assert_eq!(price_text(Lang::Sl, 800), "8,00 €");
        assert_eq!(price_text(Lang::En, 1250), "€12.50");
    }

    #[test]
    fn typed_places_are_found_without_accents() {
        let places: Vec<Place> = crate::demo::places()
            .iter()
            .map(|i| {
                let d = i.validate("", "geometry", None).unwrap();
                Place {
                    id: d.id.clone().unwrap(),
                    data: d,
                    created_at: kernel::Timestamp(0),
                    updated_at: kernel::Timestamp(0),
                    demo: true,
                    uploads: vec![],
                }
            })
            .collect();
        let castle = locate(&places, "ptujski grad").unwrap();
        assert!((castle.lat - 46.4217).abs() < 0.001, "{castle:?}");
        assert!(locate(&places, "Presernova").is_some());
        assert!(locate(&places, "Slovenski trg").is_some());
        assert_eq!(locate(&places, "46.42, 15.87"), Position::new(46.42, 15.87));
        assert_eq!(locate(&places, "Champs-Élysées"), None);
        assert_eq!(locate(&places, "ab"), None);
        assert_eq!(fold("Žnidaričevo  nabrežje!"), "znidaricevo nabrezje");
    }

    #[test]
    fn repeated_layers_and_lenient_numbers() {
        let q = MapQuery::parse(Some("layer=aed&layer=wifi&layer=ufo&layer=aed&lat=46,42&lon=15.87")).unwrap();
        assert_eq!(q.layers, vec![Layer::Aed, Layer::Wifi]);
        assert_eq!(q.position(), Position::new(46.42, 15.87));
        assert_eq!(MapQuery::parse(Some("lat=x")).unwrap().position(), None);
    }
}
