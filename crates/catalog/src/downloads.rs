//! Distributions by address: `/data/{name}.csv|.json|.geojson`, the Table
//! Schema `/data/{name}.schema.json` and `/data/{name}/datapackage.json`,
//! each generated from current data when asked for. Rows are read from the
//! source a page at a time and written to the body as they come, so a
//! download of a million rows takes the memory of one page.

use crate::Catalog;
use crate::formats::{self, Writer};
use crate::model::Format;
use crate::publish::{Publisher, Reader};
use crate::service;
use crate::source::Sources;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use kernel::{Actor, AppError, AppResult, Ctx, Lang};

/// Rows read from a source at once for a streamed download.
pub const PAGE_ROWS: usize = 5_000;

pub fn router() -> Router<Ctx> {
    Router::new().route("/data/{file}", get(file)).route("/data/{name}/datapackage.json", get(datapackage))
}

/// The dataset, its source and who may have which columns; not found when the reader may not have its data.
async fn published(ctx: &Ctx, cat: &Catalog, actor: &Actor, name: &str) -> AppResult<(service::Entry, usize, Publisher)> {
    let reader = Reader::of(actor);
    let e = service::find(ctx, &cat.sources, reader, name).await?.filter(|e| e.dataset.name == name).ok_or_else(AppError::not_found)?;
    let source = e.source.filter(|&i| cat.sources.get(i).is_some()).ok_or_else(AppError::not_found)?;
    let p = Publisher::of(&e.dataset, reader).ok_or_else(AppError::not_found)?;
    Ok((e, source, p))
}

fn answer(body: impl Into<Body>, content_type: &'static str, filename: Option<String>) -> Response {
    let mut resp = ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body.into()).into_response();
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
        let (_, _, p) = published(&ctx, &cat, &actor, name).await?;
        return Ok(answer(formats::table_schema(&p.columns, lang).to_string(), "application/json", None));
    }
    let Some((name, ext)) = file.rsplit_once('.') else {
        return crate::pages::dataset(ctx, cat, actor, lang, file).await;
    };
    let format = Format::from_extension(ext).ok_or_else(AppError::not_found)?;
    let (e, source, p) = published(&ctx, &cat, &actor, name).await?;
    if !e.dataset.formats().contains(&format) {
        return Err(AppError::not_found());
    }
    let feed = Feed {
        ctx,
        sources: cat.sources.clone(),
        source,
        name: e.dataset.name.clone(),
        writer: Writer::new(format, p.columns.clone()),
        publisher: p,
        step: Step::Head,
    };
    let content_type = feed.writer.content_type();
    Ok(answer(Body::from_stream(stream(feed)), content_type, Some(format!("{name}.{ext}"))))
}

/// Where a streamed download is.
enum Step {
    Head,
    /// The next page starts after this cursor (`None`: the first page).
    Rows(Option<String>),
    Tail,
    Done,
}

/// What a streamed download needs between pages (owned: the body outlives the handler).
struct Feed {
    ctx: Ctx,
    sources: Sources,
    source: usize,
    name: String,
    publisher: Publisher,
    writer: Writer,
    step: Step,
}

/// The body: the head, each page of published rows as the source gives it, the tail.
/// A failure mid-way ends the body with an error, so the client sees a cut download, not a short one.
fn stream(feed: Feed) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::unfold(feed, |mut f| async move {
        let chunk = match std::mem::replace(&mut f.step, Step::Done) {
            Step::Done => return None,
            Step::Head => {
                f.step = Step::Rows(None);
                f.writer.head()
            }
            Step::Tail => Ok(f.writer.tail()),
            Step::Rows(after) => match f.sources.get(f.source) {
                None => Err("the source is gone".to_string()),
                Some(s) => match s.page(&f.ctx, &f.name, after, PAGE_ROWS).await {
                    Ok(page) => {
                        f.step = if page.next.is_some() { Step::Rows(page.next) } else { Step::Tail };
                        let rows: Vec<_> = page.rows.into_iter().map(|r| f.publisher.row(r)).collect();
                        f.writer.rows(&rows)
                    }
                    Err(e) => Err(e.to_string()),
                },
            },
        };
        let chunk = chunk.map(Bytes::from).map_err(|e| {
            tracing::error!(dataset = %f.name, error = %e, "streamed download failed");
            std::io::Error::other(e)
        });
        Some((chunk, f))
    })
}

async fn datapackage(
    State(ctx): State<Ctx>,
    Extension(cat): Extension<Catalog>,
    actor: Actor,
    lang: Lang,
    Path(name): Path<String>,
) -> AppResult<Response> {
    let (e, _, p) = published(&ctx, &cat, &actor, &name).await?;
    Ok(answer(formats::datapackage(&e.dataset, &p.columns, &ctx.config.public_url(), lang).to_string(), "application/json", None))
}
