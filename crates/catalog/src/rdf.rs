//! DCAT-AP by address: `/catalog.ttl|.jsonld|.rdf` (paged with `page`, and
//! `modified_since` for incremental harvesting) and `/dataset/{name}.ttl|.jsonld|.rdf`.

use crate::dcat::{self, CatalogPage, Context, Paging};
use crate::publish::Reader;
use crate::{Catalog, service};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use kernel::{AppError, AppResult, Ctx, Lang};
use serde::Deserialize;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/catalog.ttl", get(|s, e, q| catalog(s, e, "ttl", q)))
        .route("/catalog.jsonld", get(|s, e, q| catalog(s, e, "jsonld", q)))
        .route("/catalog.rdf", get(|s, e, q| catalog(s, e, "rdf", q)))
        .route("/dataset/{file}", get(dataset))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CatalogQuery {
    page: Option<usize>,
    modified_since: Option<String>,
}

fn answer(bytes: Vec<u8>, content_type: &'static str) -> Response {
    let mut resp = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    resp.headers_mut().insert("access-control-allow-origin", axum::http::HeaderValue::from_static("*"));
    resp
}

fn context<'a>(ctx: &'a Ctx, cat: &'a Catalog, base: &'a str) -> Context<'a> {
    let m = &ctx.config.municipality;
    let contact = if cat.config.contact_email.is_empty() { m.email.as_str() } else { cat.config.contact_email.as_str() };
    Context { base, publisher_sl: m.name(Lang::Sl), publisher_en: m.name(Lang::En), contact_email: contact, config: &cat.config }
}

async fn catalog(
    State(ctx): State<Ctx>,
    Extension(cat): Extension<Catalog>,
    ext: &'static str,
    Query(q): Query<CatalogQuery>,
) -> AppResult<Response> {
    let (format, content_type) = dcat::format_of(ext).ok_or_else(AppError::not_found)?;
    let base = ctx.config.public_url();
    let all = service::visible(&ctx, &cat.sources, Reader::Public).await?;
    let modified = all.iter().map(|e| e.modified).max().unwrap_or_else(|| ctx.now());
    let issued = all.iter().map(|e| e.created).min().unwrap_or_else(|| ctx.now());
    let since = match q.modified_since.as_deref() {
        Some(s) => Some(
            crate::search::solr_date(s, ctx.now().0)
                .ok_or_else(|| AppError::bad_request("query_invalid").with_detail("modified_since: an RFC 3339 time or date"))?,
        ),
        None => None,
    };
    let mut chosen: Vec<service::Entry> = all.into_iter().filter(|e| since.is_none_or(|t| e.modified.0 >= t)).collect();
    chosen.sort_by(|a, b| a.dataset.name.cmp(&b.dataset.name));
    let size = cat.config.page_size;
    let pages = chosen.len().div_ceil(size).max(1);
    let page_no = q.page.unwrap_or(1);
    if page_no == 0 || page_no > pages {
        return Err(AppError::not_found());
    }
    let link = |n: usize| {
        let mut pairs = vec![("page", n.to_string())];
        if let Some(m) = &q.modified_since {
            pairs.push(("modified_since", m.clone()));
        }
        format!("{base}/catalog.{ext}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    let paging = Paging {
        this: link(page_no),
        first: link(1),
        last: link(pages),
        next: (page_no < pages).then(|| link(page_no + 1)),
        previous: (page_no > 1).then(|| link(page_no - 1)),
        total: chosen.len(),
    };
    let slice = &chosen[(page_no - 1) * size..(page_no * size).min(chosen.len())];
    let g = dcat::catalog(&context(&ctx, &cat, &base), &CatalogPage { entries: slice, page: Some(paging), modified, issued });
    Ok(answer(dcat::serialize(&g, format).map_err(AppError::internal)?, content_type))
}

async fn dataset(State(ctx): State<Ctx>, Extension(cat): Extension<Catalog>, Path(file): Path<String>) -> AppResult<Response> {
    let (name, ext) = file.rsplit_once('.').ok_or_else(AppError::not_found)?;
    let (format, content_type) = dcat::format_of(ext).ok_or_else(AppError::not_found)?;
    let base = ctx.config.public_url();
    let e = service::find(&ctx, &cat.sources, Reader::Public, name).await?.ok_or_else(AppError::not_found)?;
    let g = dcat::single(&context(&ctx, &cat, &base), &e);
    Ok(answer(dcat::serialize(&g, format).map_err(AppError::internal)?, content_type))
}
