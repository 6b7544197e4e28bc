//! Public pages: report a fault (with or without the map), the list and
//! the map of reports with their answers, one report, one's own reports.
//! No personal data appears on any of them.

use crate::Reports;
use crate::config::Category;
use crate::model::{ReportInput, Status};
use crate::service::{self, Source, Submission};
use crate::store::{self, Filter, Report};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use axum_extra::extract::cookie::CookieJar;
use kernel::layout::{Page, field_message};
use kernel::web::{ApiQuery, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/reports", get(list))
        .route("/reports/map.geojson", get(geojson))
        .route("/reports/mine", get(mine))
        .route("/reports/photos/{id}", get(photo))
        .route("/reports/{id}", get(detail))
}

/// The form posts photos: mounted under the larger body limit.
pub fn upload_router() -> Router<Ctx> {
    Router::new().route("/reports/new", get(new_form).post(new_submit))
}

/// Allow the tile server's images on pages with a map, nothing else.
pub fn with_map_csp(ctx: &Ctx, mut resp: Response) -> Response {
    let origin = ctx.config.map.tile_origin().unwrap_or_default();
    let csp = format!(
        "default-src 'self'; img-src 'self' data: {origin}; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert("content-security-policy", v);
    }
    resp
}

/// The map's settings, for templates.
pub struct MapView {
    pub tiles: String,
    pub attribution: String,
    pub max_zoom: u8,
    pub center_lat: f64,
    pub center_lon: f64,
}

impl MapView {
    pub fn new(ctx: &Ctx, r: &Reports) -> MapView {
        let m = &ctx.config.map;
        MapView {
            tiles: m.tiles.clone(),
            attribution: m.attribution.clone(),
            max_zoom: m.max_zoom,
            center_lon: r.config.map_center[0],
            center_lat: r.config.map_center[1],
        }
    }
}

/// A report as lists show it.
pub struct Row {
    pub id: i64,
    pub category: String,
    pub status: String,
    pub status_code: String,
    pub summary: String,
    pub place: String,
    pub created: String,
    pub owner: String,
    pub area: String,
    pub assigned: bool,
}

pub fn category_name(r: &Reports, code: &str, p: &Page) -> String {
    r.config.category(code).map(|c| c.name.get(p.lang).to_string()).unwrap_or_else(|| code.to_string())
}

pub fn status_label(p: &Page, s: Status) -> String {
    p.tk("report-status", s.code())
}

pub fn row(r: &Reports, p: &Page, rep: &Report) -> Row {
    let first: String = rep.description.lines().next().unwrap_or("").chars().take(120).collect();
    Row {
        id: rep.id,
        category: category_name(r, &rep.category, p),
        status: status_label(p, rep.status),
        status_code: rep.status.code().to_string(),
        summary: first,
        place: rep.address.clone().unwrap_or_else(|| match (rep.lat, rep.lon) {
            (Some(lat), Some(lon)) => format!("{lat:.5}, {lon:.5}"),
            _ => "–".into(),
        }),
        created: kernel::Timestamp(rep.created_at).display_local(),
        owner: rep.owner.clone(),
        area: rep.area.clone().unwrap_or_default(),
        assigned: rep.assigned_to.is_some(),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// `open`, `closed` or empty for every report.
    state: Option<String>,
    category: Option<String>,
    before: Option<i64>,
}

impl ListQuery {
    fn filter(&self, limit: i64) -> AppResult<Filter> {
        let statuses = match self.state.as_deref().unwrap_or("") {
            "" => vec![],
            "open" => Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
            "closed" => Status::ALL.into_iter().filter(|s| !s.is_open()).collect(),
            _ => return Err(AppError::bad_request("query_invalid")),
        };
        let categories = self.category.clone().filter(|c| !c.is_empty()).into_iter().collect();
        Ok(Filter { statuses, categories, before: self.before, limit, ..Default::default() })
    }
    fn query_string(&self) -> String {
        format!(
            "state={}&category={}",
            kernel::layout::urlencode(self.state.as_deref().unwrap_or("")),
            kernel::layout::urlencode(self.category.as_deref().unwrap_or(""))
        )
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Categories grouped as Open311 groups them, for `<optgroup>`.
pub fn category_groups(r: &Reports, p: &Page, selected: &str) -> Vec<(String, Vec<Choice>)> {
    let mut groups: Vec<(String, Vec<Choice>)> = vec![];
    for c in &r.config.categories {
        let g = c.group.get(p.lang).to_string();
        let choice = Choice { value: c.code.clone(), label: c.name.get(p.lang).to_string(), selected: c.code == selected };
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(choice),
            None => groups.push((g, vec![choice])),
        }
    }
    groups
}

#[derive(Template)]
#[template(path = "reports_list.html")]
struct ListPage {
    p: Page,
    rows: Vec<Row>,
    groups: Vec<(String, Vec<Choice>)>,
    state: String,
    next: Option<String>,
    data_url: String,
    map: MapView,
    labels: String,
}

const PAGE: i64 = 50;

async fn list(p: Page, Extension(r): Extension<Reports>, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Response> {
    let reports = store::list(p.ctx.db.conn(), &q.filter(PAGE)?).await?;
    let rows: Vec<Row> = reports.iter().map(|rep| row(&r, &p, rep)).collect();
    let next = (reports.len() as i64 == PAGE).then(|| format!("?{}&before={}", q.query_string(), reports.last().map(|x| x.id).unwrap_or(0)));
    let labels: serde_json::Map<String, Value> = Status::ALL.iter().map(|s| (s.code().to_string(), json!(status_label(&p, *s)))).collect();
    let ctx = p.ctx.clone();
    let page = ListPage {
        groups: category_groups(&r, &p, q.category.as_deref().unwrap_or("")),
        state: q.state.clone().unwrap_or_default(),
        next,
        data_url: format!("/reports/map.geojson?{}", q.query_string()),
        map: MapView::new(&ctx, &r),
        labels: Value::Object(labels).to_string(),
        rows,
        p,
    };
    Ok(with_map_csp(&ctx, render(&page)))
}

/// Located reports as GeoJSON points, without personal data.
async fn geojson(
    State(ctx): State<Ctx>,
    lang: kernel::Lang,
    Extension(r): Extension<Reports>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Response> {
    let mut f = q.filter(5000)?;
    f.located = true;
    let reports = store::list(ctx.db.conn(), &f).await?;
    let features: Vec<Value> = reports
        .iter()
        .filter_map(|rep| {
            let (lon, lat) = (rep.lon?, rep.lat?);
            let category = r.config.category(&rep.category).map(|c| c.name.get(lang).to_string()).unwrap_or_default();
            Some(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"id": rep.id, "category": category, "status": rep.status.code(), "open": rep.status.is_open(),
                    "title": crate::events::title(&category, &rep.description), "url": format!("/reports/{}", rep.id)},
            }))
        })
        .collect();
    let body = json!({"type": "FeatureCollection", "features": features}).to_string();
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

pub struct History {
    pub at: String,
    pub status: String,
    pub kind: String,
    pub text: Option<String>,
    pub actor: String,
}

pub struct Detail {
    pub id: i64,
    pub category: String,
    pub status: String,
    pub status_code: String,
    pub reason: Option<String>,
    pub description: String,
    pub place: String,
    pub coords: String,
    pub created: String,
    pub updated: String,
    pub photos: Vec<String>,
    pub external_photo: Option<String>,
    pub history: Vec<History>,
    pub duplicate_of: Option<i64>,
    pub attributes: Vec<(String, String)>,
    pub open: bool,
}

/// Everything a report page shows; staff see internal history too.
pub async fn detail_view(ctx: &Ctx, r: &Reports, p: &Page, rep: &Report, staff: bool) -> AppResult<Detail> {
    let c = ctx.db.conn();
    let photos = store::photos_of(c, rep.id).await?.into_iter().map(|ph| ph.id).collect();
    let history = store::updates_of(c, rep.id, !staff)
        .await?
        .into_iter()
        .map(|u| History {
            at: kernel::Timestamp(u.at).display_local(),
            status: status_label(p, u.status),
            kind: p.tk("report-kind", &u.kind),
            text: u.text,
            actor: if u.actor.starts_with("account:") { p.t("report-actor-staff") } else { u.actor.clone() },
        })
        .collect();
    let category = r.config.category(&rep.category);
    Ok(Detail {
        id: rep.id,
        category: category_name(r, &rep.category, p),
        status: status_label(p, rep.status),
        status_code: rep.status.code().to_string(),
        reason: rep.reason.clone(),
        description: rep.description.clone(),
        place: rep.address.clone().unwrap_or_default(),
        coords: match (rep.lat, rep.lon) {
            (Some(lat), Some(lon)) => format!("{lat:.5}, {lon:.5}"),
            _ => String::new(),
        },
        created: kernel::Timestamp(rep.created_at).display_local(),
        updated: kernel::Timestamp(rep.updated_at).display_local(),
        photos,
        external_photo: rep.media_url.clone(),
        history,
        duplicate_of: rep.duplicate_of,
        attributes: category.map(|c| attribute_answers(c, &rep.attributes, p)).unwrap_or_default(),
        open: rep.status.is_open(),
    })
}

fn attribute_answers(c: &Category, given: &BTreeMap<String, String>, p: &Page) -> Vec<(String, String)> {
    let mut attrs: Vec<_> = c.attributes.iter().filter(|a| given.contains_key(&a.code)).collect();
    attrs.sort_by_key(|a| a.order);
    attrs
        .into_iter()
        .map(|a| {
            let v = &given[&a.code];
            let shown = if a.values.is_empty() {
                v.clone()
            } else {
                v.split(',')
                    .map(|k| a.values.iter().find(|x| x.key == k.trim()).map(|x| x.name.get(p.lang).to_string()).unwrap_or_else(|| k.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (a.description.get(p.lang).to_string(), shown)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "report_detail.html")]
struct DetailPage {
    p: Page,
    d: Detail,
    created: bool,
    own: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DetailQuery {
    created: Option<String>,
}

async fn detail(p: Page, Extension(r): Extension<Reports>, Path(id): Path<String>, ApiQuery(q): ApiQuery<DetailQuery>) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let rep = service::get(&p.ctx, id).await?;
    let d = detail_view(&p.ctx.clone(), &r, &p, &rep, false).await?;
    let own = rep.account_id.is_some() && rep.account_id.as_deref() == p.actor.account_id();
    Ok(render(&DetailPage { p, d, created: q.created.is_some(), own }))
}

#[derive(Template)]
#[template(path = "reports_mine.html")]
struct MinePage {
    p: Page,
    rows: Vec<Row>,
}

async fn mine(p: Page, Extension(r): Extension<Reports>, actor: Actor) -> AppResult<Response> {
    let u = actor.check(kernel::Permission::ManageOwnAccount)?;
    let f = Filter { account_id: Some(u.account_id.clone()), limit: 500, ..Default::default() };
    let reports = store::list(p.ctx.db.conn(), &f).await?;
    let rows = reports.iter().map(|rep| row(&r, &p, rep)).collect();
    Ok(kernel::web::no_store(render(&MinePage { p, rows })))
}

async fn photo(State(ctx): State<Ctx>, Extension(r): Extension<Reports>, Path(id): Path<String>) -> AppResult<Response> {
    let id = id.trim_end_matches(".jpg");
    let Some(ph) = store::photo(ctx.db.conn(), id).await? else {
        return Err(AppError::not_found());
    };
    let bytes = r.files.get(&ph.file_key).map_err(AppError::internal)?.ok_or_else(AppError::not_found)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "public, max-age=86400")], bytes).into_response())
}

// ---- the report form ----

pub struct AttrView {
    pub name: String,
    pub datatype: String,
    pub label: String,
    pub hint: String,
    pub required: bool,
    pub value: String,
    pub values: Vec<Choice>,
    pub error: Option<String>,
}

pub struct CategoryForm {
    pub code: String,
    pub name: String,
    pub description: String,
    pub attributes: Vec<AttrView>,
}

#[derive(Default)]
pub struct Values {
    pub category: String,
    pub description: String,
    pub address: String,
    pub lat: String,
    pub lon: String,
    pub email: String,
    pub name: String,
    pub phone: String,
    pub keep_location: bool,
    pub attrs: BTreeMap<String, String>,
}

#[derive(Default)]
pub struct Errors {
    pub general: Option<String>,
    pub fields: Vec<(String, String)>,
}

impl Errors {
    pub fn from(p: &Page, e: &AppError) -> Errors {
        let fields: Vec<(String, String)> = e.fields.iter().map(|f| (f.field.clone(), field_message(p, &f.code))).collect();
        let general = fields.is_empty().then(|| p.error_text(e.code));
        Errors { general, fields }
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
    pub fn any(&self) -> bool {
        self.general.is_some() || !self.fields.is_empty()
    }
}

#[derive(Template)]
#[template(path = "report_new.html")]
struct NewPage {
    p: Page,
    groups: Vec<(String, Vec<Choice>)>,
    categories: Vec<CategoryForm>,
    places: Vec<String>,
    candidates: Vec<(String, String)>,
    v: Values,
    errors: Errors,
    max_photos: usize,
    max_mb: usize,
    map: MapView,
}

async fn new_page(p: Page, r: &Reports, v: Values, errors: Errors, candidates: Vec<(String, String)>) -> AppResult<Response> {
    let ctx = p.ctx.clone();
    let places = store::places(ctx.db.conn()).await?.into_iter().map(|pl| pl.name).collect();
    let categories = r
        .config
        .categories
        .iter()
        .map(|c| {
            let mut attrs: Vec<_> = c.attributes.iter().collect();
            attrs.sort_by_key(|a| a.order);
            CategoryForm {
                code: c.code.clone(),
                name: c.name.get(p.lang).to_string(),
                description: c.description.get(p.lang).to_string(),
                attributes: attrs
                    .into_iter()
                    .map(|a| {
                        let name = format!("attr.{}.{}", c.code, a.code);
                        let value = if v.category == c.code { v.attrs.get(&a.code).cloned().unwrap_or_default() } else { String::new() };
                        let chosen: Vec<&str> = value.split(',').map(str::trim).collect();
                        AttrView {
                            datatype: a.datatype.clone(),
                            label: a.description.get(p.lang).to_string(),
                            hint: a.datatype_description.as_ref().map(|d| d.get(p.lang).to_string()).unwrap_or_default(),
                            required: a.required,
                            values: a
                                .values
                                .iter()
                                .map(|x| Choice {
                                    value: x.key.clone(),
                                    label: x.name.get(p.lang).to_string(),
                                    selected: chosen.contains(&x.key.as_str()),
                                })
                                .collect(),
                            error: if v.category == c.code { errors.get(&format!("attribute[{}]", a.code)).map(str::to_string) } else { None },
                            value,
                            name,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let page = NewPage {
        groups: category_groups(r, &p, &v.category),
        categories,
        places,
        candidates,
        max_photos: r.config.max_photos,
        max_mb: r.config.max_photo_bytes / (1024 * 1024),
        map: MapView::new(&ctx, r),
        v,
        errors,
        p,
    };
    Ok(with_map_csp(&ctx, render(&page)))
}

async fn new_form(p: Page, Extension(r): Extension<Reports>, ApiQuery(q): ApiQuery<BTreeMap<String, String>>) -> AppResult<Response> {
    let v = Values { category: q.get("category").cloned().unwrap_or_default(), ..Default::default() };
    new_page(p, &r, v, Errors::default(), vec![]).await
}

fn number(s: &str) -> Result<Option<f64>, ()> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>().map(Some).map_err(|_| ())
}

async fn new_submit(p: Page, Extension(r): Extension<Reports>, actor: Actor, jar: CookieJar, m: Multipart) -> AppResult<Response> {
    let (fields, files) = kernel::web::read_multipart(m, "photos").await?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if !kernel::csrf::token_matches(&p.ctx, &jar, Some(&get("_csrf"))) {
        return Err(AppError::forbidden("csrf_failed"));
    }
    let category = get("category");
    let prefix = format!("attr.{category}.");
    let mut attrs: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &fields {
        if let Some(code) = k.strip_prefix(&prefix) {
            attrs.entry(code.to_string()).and_modify(|e| *e = format!("{e},{v}")).or_insert_with(|| v.clone());
        }
    }
    let v = Values {
        category: category.clone(),
        description: get("description"),
        address: get("address"),
        lat: get("lat"),
        lon: get("lon"),
        email: get("email"),
        name: get("name"),
        phone: get("phone"),
        keep_location: !get("keep_location").is_empty(),
        attrs: attrs.clone(),
    };
    let (lat, lon) = match (number(&v.lat), number(&v.lon)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => {
            let e = AppError::field("lat", "coordinates_invalid");
            let errors = Errors::from(&p, &e);
            return Ok(with_status(new_page(p, &r, v, errors, vec![]).await?, e.status));
        }
    };
    let place_id = get("place_id");
    let input = ReportInput {
        category,
        description: v.description.clone(),
        lat,
        lon,
        address: Some(v.address.clone()),
        address_id: Some(place_id).filter(|s| !s.is_empty()),
        attributes: attrs,
        email: Some(v.email.clone()),
        name: Some(v.name.clone()),
        phone: Some(v.phone.clone()),
        media_url: None,
    };
    let sub = Submission { input, photos: files, keep_location: v.keep_location, source: Source::Web, lang: p.lang };
    match service::submit(&p.ctx.clone(), &r, &actor, sub).await {
        Ok(rep) => Ok(see_other(&format!("/reports/{}?created=1", rep.id))),
        Err(e) if matches!(e.status.as_u16(), 422 | 429) => {
            let candidates: Vec<(String, String)> = if e.fields.iter().any(|f| f.code == "address_ambiguous") {
                e.detail.as_deref().unwrap_or("").lines().filter_map(|l| l.split_once('=')).map(|(a, b)| (a.to_string(), b.to_string())).collect()
            } else {
                vec![]
            };
            let errors = Errors::from(&p, &e);
            Ok(with_status(new_page(p, &r, v, errors, candidates).await?, e.status))
        }
        Err(e) => Err(e),
    }
}

fn with_status(mut resp: Response, status: axum::http::StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}
