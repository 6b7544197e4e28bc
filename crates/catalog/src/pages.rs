//! HTML pages: the open data portal (`/data`, `/data/{name}`) and the
//! staff catalogue (`/staff/catalog`: browse every dataset, edit, lineage).

use crate::Catalog;
use crate::ckan::{actions, records};
use crate::model::{self, Access, Format};
use crate::publish::Reader;
use crate::service::{self, Entry, Form, Lineage};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use kernel::csrf::CsrfForm;
use kernel::layout::{FormErrors, Page};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission};
use serde::Deserialize;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/data", get(portal))
        .route("/staff/catalog", get(staff_list))
        .route("/staff/catalog/new", get(staff_new).post(staff_create))
        .route("/staff/catalog/{name}", get(staff_edit).post(staff_save))
        .route("/staff/catalog/{name}/delete", post(staff_delete))
}

/// A facet value as a link that toggles it.
pub struct FacetItem {
    pub label: String,
    pub count: usize,
    pub href: String,
    pub selected: bool,
}

pub struct FacetBox {
    pub title: String,
    pub items: Vec<FacetItem>,
}

pub struct Row {
    pub name: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub formats: Vec<String>,
    pub theme: String,
    pub access: String,
    pub personal: bool,
    pub origin: String,
    pub modified: String,
}

fn row(p: &Page, e: &Entry) -> Row {
    let d = &e.dataset;
    Row {
        name: d.name.clone(),
        title: d.title.get(p.lang).to_string(),
        description: d.description.get(p.lang).chars().take(240).collect(),
        owner: d.owner.clone(),
        formats: records::formats(d).into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect(),
        theme: model::term(model::THEMES, d.theme).map(|t| t.label(p.lang).to_string()).unwrap_or_default(),
        access: p.tk("catalog-access", d.access.code()),
        personal: d.personal_data(),
        origin: match d.origin {
            model::Origin::Capability(c) => c.to_string(),
            model::Origin::Staff => p.t("catalog-origin-staff"),
        },
        modified: e.modified.display_local(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PortalQuery {
    q: String,
    theme: String,
    format: String,
    org: String,
    licence: String,
    /// 1-based; anything else is the first page.
    page: String,
}

/// Datasets on one page of the portal's results.
const PAGE_SIZE: usize = 50;

impl PortalQuery {
    /// The CKAN filter query the facets make.
    fn fq(&self) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace(['"', '\\'], ""));
        let mut parts = vec![];
        for (field, v) in [("groups", &self.theme), ("res_format", &self.format), ("organization", &self.org), ("license_id", &self.licence)] {
            if !v.is_empty() {
                parts.push(format!("{field}:{}", quote(v)));
            }
        }
        parts.join(" AND ")
    }
    /// Words of `q` as free text (quoted, so no query syntax reaches the parser).
    fn text(&self) -> String {
        self.q.split_whitespace().map(|w| format!("\"{}\"", w.replace(['"', '\\'], ""))).collect::<Vec<_>>().join(" ")
    }
    fn href(&self, key: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, String)> = vec![];
        for (k, v) in [("q", &self.q), ("theme", &self.theme), ("format", &self.format), ("org", &self.org), ("licence", &self.licence)] {
            let v = if k == key { if v == value { String::new() } else { value.to_string() } } else { v.clone() };
            if !v.is_empty() {
                pairs.push((k, v));
            }
        }
        format!("/data?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
    /// The page asked for, within 1..=pages.
    fn page(&self, pages: usize) -> usize {
        self.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages.max(1))
    }
    /// The same search on another page (a facet link starts again at the first).
    fn page_href(&self, page: usize) -> String {
        let base = self.href("", "");
        if page <= 1 { base } else { format!("{base}{}page={page}", if base.ends_with('?') { "" } else { "&" }) }
    }
}

/// Links to the neighbouring pages of results.
struct Pager {
    label: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "data_list.html")]
struct PortalPage {
    p: Page,
    q: String,
    rows: Vec<Row>,
    facets: Vec<FacetBox>,
    count: usize,
    error: bool,
    pager: Option<Pager>,
}

async fn portal(State(ctx): State<Ctx>, Extension(cat): Extension<Catalog>, p: Page, Query(q): Query<PortalQuery>) -> AppResult<Response> {
    let all = service::visible(&ctx, &cat.sources, Reader::Public).await?;
    let docs: Vec<_> = all.iter().map(|e| e.doc()).collect();
    let (found, error) = match actions::hits(&docs, &q.text(), &q.fq(), "title_string asc", ctx.now().0) {
        Ok(h) => (h, false),
        Err(_) => (vec![], true),
    };
    let selected = |key: &str| match key {
        "groups" => q.theme.clone(),
        "res_format" => q.format.clone(),
        "organization" => q.org.clone(),
        _ => q.licence.clone(),
    };
    let facets = [
        ("groups", "theme", "catalog-theme"),
        ("res_format", "format", "catalog-format"),
        ("organization", "org", "catalog-owner"),
        ("license_id", "licence", "catalog-licence"),
    ]
    .into_iter()
    .map(|(field, key, title)| {
        let mut names = std::collections::BTreeMap::new();
        let counts = crate::search::facet(&found, |i| {
            records::facet_values(&all[i], field, p.lang)
                .into_iter()
                .map(|(n, shown)| {
                    names.insert(n.clone(), shown);
                    n
                })
                .collect()
        });
        FacetBox {
            title: p.t(title),
            items: counts
                .into_iter()
                .map(|(n, count)| FacetItem {
                    label: names.get(&n).cloned().unwrap_or_else(|| n.clone()),
                    count,
                    href: q.href(key, &n),
                    selected: selected(field).eq_ignore_ascii_case(&n),
                })
                .collect(),
        }
    })
    .collect();
    // Only the page shown is rendered: 10,000 datasets are not one page.
    let pages = found.len().div_ceil(PAGE_SIZE);
    let page = q.page(pages);
    let rows = found.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).map(|&i| row(&p, &all[i])).collect();
    let pager = (pages > 1).then(|| Pager {
        label: ctx.i18n.t_args(p.lang, "catalog-page", &[("page", (page as i64).into()), ("pages", (pages as i64).into())]),
        prev: (page > 1).then(|| q.page_href(page - 1)),
        next: (page < pages).then(|| q.page_href(page + 1)),
    });
    Ok(kernel::web::render(&PortalPage { q: q.q.clone(), rows, facets, count: found.len(), error, pager, p }))
}

pub struct Dist {
    pub title: String,
    pub format: String,
    pub url: String,
}

pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "data_detail.html")]
struct DatasetPage {
    p: Page,
    title: String,
    description: String,
    facts: Vec<Fact>,
    dists: Vec<Dist>,
    apis: Vec<Dist>,
    columns: Vec<(String, String, String)>,
    lineage: Lineage,
}

fn period(p: &Page, x: &model::Period) -> String {
    match (&x.start, &x.end) {
        (None, None) => p.t("catalog-period-open"),
        (s, e) => format!("{} – {}", s.clone().unwrap_or_default(), e.clone().unwrap_or_else(|| p.t("catalog-period-ongoing"))),
    }
}

fn facts(p: &Page, e: &Entry, staff: bool) -> Vec<Fact> {
    let d = &e.dataset;
    let label =
        |list: &'static [model::Term], code: &str| model::term(list, code).map(|t| t.label(p.lang).to_string()).unwrap_or_else(|| code.to_string());
    let mut f = vec![
        Fact { label: p.t("catalog-owner"), value: d.owner.clone() },
        Fact { label: p.t("catalog-contact"), value: d.contact_email.clone() },
        Fact { label: p.t("catalog-theme"), value: label(model::THEMES, d.theme) },
        Fact { label: p.t("catalog-keywords"), value: d.keywords.join(", ") },
        Fact { label: p.t("catalog-frequency"), value: label(model::FREQUENCIES, d.frequency) },
        Fact { label: p.t("catalog-temporal"), value: period(p, &d.temporal) },
        Fact { label: p.t("catalog-usable"), value: period(p, &d.usable) },
        Fact { label: p.t("catalog-licence"), value: label(model::LICENCES, d.licence) },
        Fact { label: p.t("catalog-access"), value: p.tk("catalog-access", d.access.code()) },
        Fact { label: p.t("catalog-personal"), value: p.t(if d.personal_data() { "catalog-yes" } else { "catalog-no" }) },
        Fact { label: p.t("catalog-spatial"), value: if d.spatial.is_empty() { p.municipality().to_string() } else { d.spatial.clone() } },
        Fact { label: p.t("catalog-modified"), value: e.modified.display_local() },
    ];
    if let Some(h) = d.hvd {
        f.push(Fact { label: p.t("catalog-hvd"), value: label(model::HVD_CATEGORIES, h) });
    }
    if staff || !d.consumers.is_empty() {
        f.push(Fact { label: p.t("catalog-consumers"), value: d.consumers.join(", ") });
    }
    f
}

/// `/data/{name}` (reached through the downloads route, which owns `/data/{file}`).
pub async fn dataset(ctx: Ctx, cat: Catalog, actor: Actor, lang: Lang, name: String) -> AppResult<Response> {
    let p = Page { ctx: ctx.clone(), lang, csrf: String::new(), path: format!("/data/{name}"), actor: actor.clone() };
    let all = service::visible(&ctx, &cat.sources, Reader::of(&actor)).await?;
    let e = all.iter().find(|e| e.dataset.name == name).cloned().ok_or_else(AppError::not_found)?;
    let d = &e.dataset;
    let mut dists: Vec<Dist> = d
        .formats()
        .into_iter()
        .map(|f| Dist {
            title: p.t(&format!("catalog-dist-{}", f.extension())),
            format: f.name().into(),
            url: format!("/data/{}.{}", d.name, f.extension()),
        })
        .collect();
    if d.formats().contains(&Format::Csv) {
        dists.push(Dist { title: p.t("catalog-dist-schema"), format: "JSON".into(), url: format!("/data/{}.schema.json", d.name) });
        dists.push(Dist { title: p.t("catalog-dist-datapackage"), format: "JSON".into(), url: format!("/data/{}/datapackage.json", d.name) });
    }
    dists.extend(d.external.iter().map(|f| Dist { title: f.title.clone(), format: f.format.clone(), url: f.url.clone() }));
    let mut apis: Vec<Dist> =
        d.apis.iter().map(|a| Dist { title: a.title.get(lang).to_string(), format: "API".into(), url: a.url.clone() }).collect();
    apis.push(Dist { title: "DCAT-AP (Turtle)".into(), format: "RDF".into(), url: format!("/dataset/{}.ttl", d.name) });
    apis.push(Dist { title: "DCAT-AP (JSON-LD)".into(), format: "RDF".into(), url: format!("/dataset/{}.jsonld", d.name) });
    apis.push(Dist { title: "CKAN package_show".into(), format: "JSON".into(), url: format!("/api/3/action/package_show?id={}", d.name) });
    let columns =
        crate::publish::public_columns(d).into_iter().map(|c| (c.name, c.kind.table_schema().to_string(), c.title.get(lang).to_string())).collect();
    let lineage = service::lineage(&all, &name);
    let page = DatasetPage {
        title: d.title.get(lang).to_string(),
        description: d.description.get(lang).to_string(),
        facts: facts(&p, &e, false),
        dists,
        apis,
        columns,
        lineage,
        p,
    };
    Ok(kernel::web::render(&page))
}

#[derive(Template)]
#[template(path = "staff_catalog.html")]
struct StaffList {
    p: Page,
    q: String,
    rows: Vec<Row>,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StaffQuery {
    q: String,
}

async fn staff_list(State(ctx): State<Ctx>, Extension(cat): Extension<Catalog>, p: Page, Query(q): Query<StaffQuery>) -> AppResult<Response> {
    p.actor.check(Permission::StaffArea)?;
    let all = service::entries(&ctx, &cat.sources).await?;
    let words: Vec<String> = q.q.split_whitespace().map(str::to_lowercase).collect();
    let rows = all
        .iter()
        .filter(|e| {
            let doc = e.doc();
            words.iter().all(|w| doc.text.contains(w))
        })
        .map(|e| row(&p, e))
        .collect();
    let can_edit = p.actor.allows(Permission::ManageCatalog);
    Ok(kernel::web::no_store(kernel::web::render(&StaffList { q: q.q, rows, can_edit, p })))
}

#[derive(Template)]
#[template(path = "staff_catalog_edit.html")]
struct StaffEdit {
    p: Page,
    form: Form,
    /// A capability's dataset: only staff's decisions are editable.
    capability: bool,
    new: bool,
    errors: FormErrors,
    facts: Vec<Fact>,
    columns: Vec<(String, String, bool)>,
    lineage: Lineage,
    themes: Vec<(String, String)>,
    frequencies: Vec<(String, String)>,
    licences: Vec<(String, String)>,
    hvds: Vec<(String, String)>,
    accesses: Vec<(String, String)>,
    saved: bool,
}

fn options(p: &Page, list: &'static [model::Term]) -> Vec<(String, String)> {
    list.iter().map(|t| (t.code.to_string(), t.label(p.lang).to_string())).collect()
}

fn edit_page(p: Page, all: &[Entry], form: Form, capability: bool, new: bool, errors: FormErrors, saved: bool) -> StaffEdit {
    let entry = all.iter().find(|e| e.dataset.name == form.name);
    let facts = entry.map(|e| facts(&p, e, true)).unwrap_or_default();
    let columns =
        entry.map(|e| e.dataset.columns.iter().map(|c| (c.name.clone(), c.title.get(p.lang).to_string(), c.personal)).collect()).unwrap_or_default();
    let lineage = service::lineage(all, &form.name);
    StaffEdit {
        themes: options(&p, model::THEMES),
        frequencies: options(&p, model::FREQUENCIES),
        licences: options(&p, model::LICENCES),
        hvds: options(&p, model::HVD_CATEGORIES),
        accesses: Access::ALL.iter().map(|a| (a.code().to_string(), p.tk("catalog-access", a.code()))).collect(),
        form,
        capability,
        new,
        errors,
        facts,
        columns,
        lineage,
        saved,
        p,
    }
}

async fn staff_new(State(ctx): State<Ctx>, Extension(cat): Extension<Catalog>, p: Page) -> AppResult<Response> {
    p.actor.check(Permission::ManageCatalog)?;
    let all = service::entries(&ctx, &cat.sources).await?;
    let form = Form {
        access: "internal".into(),
        licence: model::DEFAULT_LICENCE.into(),
        theme: "GOVE".into(),
        frequency: "ANNUAL".into(),
        ..Default::default()
    };
    Ok(kernel::web::no_store(kernel::web::render(&edit_page(p, &all, form, false, true, FormErrors::default(), false))))
}

async fn staff_create(State(ctx): State<Ctx>, Extension(cat): Extension<Catalog>, p: Page, CsrfForm(form): CsrfForm<Form>) -> AppResult<Response> {
    p.actor.check(Permission::ManageCatalog)?;
    let all = service::entries(&ctx, &cat.sources).await?;
    if all.iter().any(|e| e.dataset.name == form.name) {
        let e = AppError::field("name", "dataset_name_taken");
        return Ok(kernel::web::render(&edit_page(p.clone(), &all, form, false, true, FormErrors::from(&p, &e), false)));
    }
    match service::save(&ctx, &cat.sources, &p.actor, &form.name.clone(), &form).await {
        Ok(()) => Ok(kernel::web::see_other(&format!("/staff/catalog/{}?saved=1", form.name))),
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            Ok(kernel::web::render(&edit_page(p.clone(), &all, form, false, true, FormErrors::from(&p, &e), false)))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Saved {
    saved: Option<String>,
}

async fn staff_edit(
    State(ctx): State<Ctx>,
    Extension(cat): Extension<Catalog>,
    p: Page,
    Path(name): Path<String>,
    Query(s): Query<Saved>,
) -> AppResult<Response> {
    p.actor.check(Permission::StaffArea)?;
    let all = service::entries(&ctx, &cat.sources).await?;
    let e = all.iter().find(|e| e.dataset.name == name).ok_or_else(AppError::not_found)?;
    let capability = e.source.is_some();
    let form = service::form_of(&e.dataset);
    Ok(kernel::web::no_store(kernel::web::render(&edit_page(p, &all, form, capability, false, FormErrors::default(), s.saved.is_some()))))
}

async fn staff_save(
    State(ctx): State<Ctx>,
    Extension(cat): Extension<Catalog>,
    p: Page,
    Path(name): Path<String>,
    CsrfForm(mut form): CsrfForm<Form>,
) -> AppResult<Response> {
    p.actor.check(Permission::ManageCatalog)?;
    let all = service::entries(&ctx, &cat.sources).await?;
    let e = all.iter().find(|e| e.dataset.name == name).ok_or_else(AppError::not_found)?;
    let capability = e.source.is_some();
    form.name = name.clone();
    match service::save(&ctx, &cat.sources, &p.actor, &name, &form).await {
        Ok(()) => Ok(kernel::web::see_other(&format!("/staff/catalog/{name}?saved=1"))),
        Err(err) if err.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            Ok(kernel::web::render(&edit_page(p.clone(), &all, form, capability, false, FormErrors::from(&p, &err), false)))
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn staff_delete(State(ctx): State<Ctx>, p: Page, Path(name): Path<String>, CsrfForm(_): CsrfForm<Empty>) -> AppResult<Response> {
    service::remove(&ctx, &p.actor, &name).await?;
    Ok(kernel::web::see_other("/staff/catalog"))
}
