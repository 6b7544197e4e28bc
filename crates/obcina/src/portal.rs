//! The portal shell: home page with the four user groups (seed §3 Table 4),
//! accessibility statement (ZDSMA), privacy notice, PWA manifest and service
//! worker, static assets and the API reference page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::layout::Page;
use kernel::web::render;
use kernel::{Ctx, Lang};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

#[derive(OpenApi)]
#[openapi(paths(municipality), components(schemas(MunicipalityInfo)), tags((name = "portal", description = "Public information")))]
pub struct PortalDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/", get(home))
        .route("/accessibility", get(accessibility))
        .route("/privacy", get(privacy))
        .route("/api/docs", get(api_docs))
        .route("/api/v1/municipality", get(municipality))
        .route("/manifest.webmanifest", get(manifest))
        .route("/sw.js", get(|| async { asset("application/javascript", include_str!("../static/sw.js"), "no-cache") }))
        .route("/static/{name}", get(static_asset))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    p: Page,
}

async fn home(p: Page) -> Response {
    render(&Home { p })
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct Accessibility {
    p: Page,
}

async fn accessibility(p: Page) -> Response {
    render(&Accessibility { p })
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct Privacy {
    p: Page,
}

async fn privacy(p: Page) -> Response {
    render(&Privacy { p })
}

/// One operation of the API, for the reference page.
pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocs {
    p: Page,
    operations: Vec<Operation>,
}

/// A browsable reference rendered on the server from the OpenAPI document.
async fn api_docs(p: Page) -> Response {
    let doc = crate::ops::openapi();
    let mut operations = vec![];
    if let Some(paths) = doc.get("paths").and_then(|v| v.as_object()) {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let summary = op.get("summary").or(op.get("description")).and_then(|s| s.as_str()).unwrap_or("").to_string();
                let responses = op
                    .get("responses")
                    .and_then(|r| r.as_object())
                    .map(|r| {
                        r.iter().map(|(code, v)| (code.clone(), v.get("description").and_then(|d| d.as_str()).unwrap_or("").to_string())).collect()
                    })
                    .unwrap_or_default();
                operations.push(Operation { method: method.to_uppercase(), path: path.clone(), summary, responses });
            }
        }
    }
    render(&ApiDocs { p, operations })
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityInfo {
    pub name: String,
    pub name_en: String,
    pub website: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// Languages the portal speaks; the first is the default.
    pub languages: Vec<Lang>,
}

/// Who runs this portal.
#[utoipa::path(get, path = "/api/v1/municipality", tag = "portal", responses((status = 200, description = "The municipality", body = MunicipalityInfo)))]
async fn municipality(State(ctx): State<Ctx>) -> axum::Json<MunicipalityInfo> {
    let m = &ctx.config.municipality;
    axum::Json(MunicipalityInfo {
        name: m.name_sl.clone(),
        name_en: m.name_en.clone(),
        website: m.website.clone(),
        email: m.email.clone(),
        phone: m.phone.clone(),
        address: m.address.clone(),
        languages: Lang::ALL.to_vec(),
    })
}

async fn manifest(State(ctx): State<Ctx>, lang: Lang) -> Response {
    let m = &ctx.config.municipality;
    let body = serde_json::json!({
        "name": m.name(lang),
        "short_name": m.short_name,
        "lang": lang.code(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": "/static/icon-maskable-192.png", "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
            {"src": "/static/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
            {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
        ]
    });
    ([(header::CONTENT_TYPE, "application/manifest+json")], body.to_string()).into_response()
}

fn asset(content_type: &'static str, body: impl IntoResponse, cache: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// Assets are compiled into the binary.
async fn static_asset(Path(name): Path<String>) -> Response {
    const CACHE: &str = "public, max-age=3600";
    match name.as_str() {
        "app.css" => asset("text/css", include_str!("../static/app.css"), CACHE),
        "app.js" => asset("application/javascript", include_str!("../static/app.js"), CACHE),
        "board.js" => asset("application/javascript", include_str!("../static/board.js"), CACHE),
        "notify.js" => asset("application/javascript", include_str!("../static/notify.js"), CACHE),
        "map.js" => asset("application/javascript", include_str!("../static/map.js"), CACHE),
        "guide.js" => asset("application/javascript", include_str!("../static/guide.js"), CACHE),
        // Leaflet, from npm (web/package.json), for the maps.
        "leaflet.js" => asset("application/javascript", include_str!("../../../web/node_modules/leaflet/dist/leaflet.js"), CACHE),
        "leaflet.css" => asset("text/css", include_str!("../../../web/node_modules/leaflet/dist/leaflet.css"), CACHE),
        "icon.svg" => asset("image/svg+xml", include_str!("../static/icon.svg"), CACHE),
        "icon-maskable.svg" => asset("image/svg+xml", include_str!("../static/icon-maskable.svg"), CACHE),
        // PNG renderings of the SVG icons, for installation on phones.
        "icon-192.png" => asset("image/png", include_bytes!("../static/icon-192.png").as_slice(), CACHE),
        "icon-512.png" => asset("image/png", include_bytes!("../static/icon-512.png").as_slice(), CACHE),
        "icon-maskable-192.png" => asset("image/png", include_bytes!("../static/icon-maskable-192.png").as_slice(), CACHE),
        "icon-maskable-512.png" => asset("image/png", include_bytes!("../static/icon-maskable-512.png").as_slice(), CACHE),
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
