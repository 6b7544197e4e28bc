//! Distributions by address: `/data/{name}.csv|.json|.geojson`, the Table
//! Schema `/data/{name}.schema.json` and `/data/{name}/datapackage.json`,
//! each generated from current data when asked for.

use crate::Catalog;
use crate::model::Format;
use crate::publish::Reader;
use crate::{formats, service};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use kernel::{Actor, AppError, AppResult, Ctx, Lang};

pub fn router() -> Router<Ctx> {
    Router::new().route("/data/{file}", get(file)).route("/data/{name}/datapackage.json", get(datapackage))
}

async fn published(ctx: &Ctx, cat: &Catalog, actor: &Actor, name: &str) -> AppResult<(service::Entry, crate::publish::Published)> {
    let reader = Reader::of(actor);
    let e = service::find(ctx, &cat.sources, reader, name).await?.filter(|e| e.dataset.name == name).ok_or_else(AppError::not_found)?;
    let p = service::published(ctx, &cat.sources, &e, reader).await?.ok_or_else(AppError::not_found)?;
    Ok((e, p))
}

fn answer(body: String, content_type: &'static str, filename: Option<String>) -> Response {
    let mut resp = ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response();
    let h = resp.headers_mut();
    h.insert("access-control-allow-origin", axum::http::HeaderValue::from_static("*"));
    if let Some(f) = filename.and_then(|f| format!("attachment; filename=\"{f}\"").parse().ok()) {
        h.insert(header::CONTENT_DISPOSITION, f);
    }
    resp
}

/// `name.csv`, `name.json`, `name.geojson` or `name.schema.json`; other names are the portal's pages.
async fn file(State(ctx): State<Ctx>, Extension(cat): Extension<Catalog>, actor: Actor, lang: Lang, Path(file): Path<String>) -> AppResult<Response> {
    if let Some(name) = file.strip_suffix(".schema.json") {
        let (_, p) = published(&ctx, &cat, &actor, name).await?;
        return Ok(answer(formats::table_schema(&p, lang).to_string(), "application/json", None));
    }
    let Some((name, ext)) = file.rsplit_once('.') else {
        return crate::pages::dataset(ctx, cat, actor, lang, file).await;
    };
    let format = Format::from_extension(ext).ok_or_else(AppError::not_found)?;
    let (e, p) = published(&ctx, &cat, &actor, name).await?;
    if !e.dataset.formats().contains(&format) {
        return Err(AppError::not_found());
    }
    let (body, content_type) = formats::render(format, &p).map_err(AppError::internal)?;
    Ok(answer(body, content_type, Some(format!("{name}.{ext}"))))
}

async fn datapackage(
    State(ctx): State<Ctx>,
    Extension(cat): Extension<Catalog>,
    actor: Actor,
    lang: Lang,
    Path(name): Path<String>,
) -> AppResult<Response> {
    let (e, p) = published(&ctx, &cat, &actor, &name).await?;
    Ok(answer(formats::datapackage(&e.dataset, &p, &ctx.config.public_url(), lang).to_string(), "application/json", None))
}
