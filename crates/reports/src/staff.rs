//! The staff queue: filter, open a report, see likely duplicates, take it
//! over, change its status with a public answer, refer it to another
//! owner, merge it into another report, and (audited) read the reporter's
//! contact. Staff see their department's reports only.

use crate::Reports;
use crate::model::Status;
use crate::pages::{self, Choice, Detail, Errors, Row};
use crate::service::{self, StatusChange};
use crate::store::Filter;
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use kernel::csrf::CsrfForm;
use kernel::layout::Page;
use kernel::web::{ApiQuery, no_store, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use serde::Deserialize;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/staff/reports", get(queue))
        .route("/staff/reports/{id}", get(report))
        .route("/staff/reports/{id}/status", post(set_status))
        .route("/staff/reports/{id}/assign", post(assign))
        .route("/staff/reports/{id}/route", post(reroute))
        .route("/staff/reports/{id}/merge", post(merge))
        .route("/staff/reports/{id}/contact", get(contact))
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    status: Option<String>,
    category: Option<String>,
    owner: Option<String>,
    area: Option<String>,
    /// Dates, YYYY-MM-DD, inclusive.
    from: Option<String>,
    to: Option<String>,
    /// `me`: only reports assigned to me.
    assigned: Option<String>,
    before: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<String> {
    s.clone().filter(|x| !x.trim().is_empty())
}

/// Midnight UTC of a date, in ms.
fn day(s: &str) -> AppResult<i64> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad_request("query_invalid").with_detail("dates are YYYY-MM-DD"))?;
    Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis())
}

impl QueueQuery {
    fn filter(&self, me: &str) -> AppResult<Filter> {
        let statuses = match blank(&self.status).as_deref() {
            None => vec![],
            Some("open") => Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
            Some("closed") => Status::ALL.into_iter().filter(|s| !s.is_open()).collect(),
            Some(code) => vec![Status::from_code(code).ok_or_else(|| AppError::bad_request("query_invalid"))?],
        };
        Ok(Filter {
            statuses,
            categories: blank(&self.category).into_iter().collect(),
            owner: blank(&self.owner),
            area: blank(&self.area),
            created_from: blank(&self.from).map(|d| day(&d)).transpose()?,
            created_to: blank(&self.to).map(|d| day(&d).map(|t| t + 86_400_000)).transpose()?,
            assigned_to: (self.assigned.as_deref() == Some("me")).then(|| me.to_string()),
            before: self.before,
            limit: 100,
            ..Default::default()
        })
    }
    fn query_string(&self) -> String {
        let e = |s: &Option<String>| kernel::layout::urlencode(s.as_deref().unwrap_or(""));
        format!(
            "status={}&category={}&owner={}&area={}&from={}&to={}&assigned={}",
            e(&self.status),
            e(&self.category),
            e(&self.owner),
            e(&self.area),
            e(&self.from),
            e(&self.to),
            e(&self.assigned)
        )
    }
}

#[derive(Template)]
#[template(path = "staff_reports.html")]
struct QueuePage {
    p: Page,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    groups: Vec<(String, Vec<Choice>)>,
    owners: Vec<Choice>,
    areas: Vec<Choice>,
    all_departments: bool,
    department: String,
    from: String,
    to: String,
    mine: bool,
    next: Option<String>,
}

fn choices(items: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    items.into_iter().map(|(value, label)| Choice { selected: value == selected, value, label }).collect()
}

async fn queue(p: Page, Extension(r): Extension<Reports>, actor: Actor, ApiQuery(q): ApiQuery<QueueQuery>) -> AppResult<Response> {
    let (u, dept) = service::scope(&actor, Permission::ReadReports)?;
    let f = q.filter(&u.account_id)?;
    let department = dept.clone().unwrap_or_default();
    let reports = service::queue(&p.ctx, &actor, f).await?;
    let rows: Vec<Row> = reports.iter().map(|rep| pages::row(&r, &p, rep)).collect();
    let next = (reports.len() == 100).then(|| format!("?{}&before={}", q.query_string(), reports.last().map(|x| x.id).unwrap_or(0)));
    let selected_status = q.status.clone().unwrap_or_default();
    let mut statuses = vec![("open".to_string(), p.t("reports-filter-open")), ("closed".to_string(), p.t("reports-filter-closed"))];
    statuses.extend(Status::ALL.iter().map(|s| (s.code().to_string(), pages::status_label(&p, *s))));
    let page = QueuePage {
        statuses: choices(statuses, &selected_status),
        groups: pages::category_groups(&r, &p, q.category.as_deref().unwrap_or("")),
        owners: choices(r.config.owners.iter().map(|o| (o.id.clone(), o.id.clone())), q.owner.as_deref().unwrap_or("")),
        areas: choices(r.config.areas.iter().map(|a| (a.name.clone(), a.name.clone())), q.area.as_deref().unwrap_or("")),
        all_departments: dept.is_none(),
        department,
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        mine: q.assigned.as_deref() == Some("me"),
        next,
        rows,
        p,
    };
    Ok(no_store(render(&page)))
}

#[derive(Template)]
#[template(path = "staff_report.html")]
struct ReportPage {
    p: Page,
    d: Detail,
    owner: String,
    area: String,
    source: String,
    assigned_to_me: bool,
    assigned_to_other: bool,
    can_manage: bool,
    can_contact: bool,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    duplicates: Vec<Row>,
    merged: bool,
    /// The status form as sent, when it was refused.
    answer: String,
    reason: String,
    errors: Errors,
}

async fn report(p: Page, Extension(r): Extension<Reports>, actor: Actor, Path(id): Path<i64>) -> AppResult<Response> {
    report_view(p, &r, &actor, id, None, Errors::default()).await
}

/// The staff page of a report; with a refused status change, its form as
/// sent and the errors beside their fields.
async fn report_view(p: Page, r: &Reports, actor: &Actor, id: i64, sent: Option<StatusForm>, errors: Errors) -> AppResult<Response> {
    let rep = service::staff_get(&p.ctx, actor, id).await?;
    let me = actor.account_id().unwrap_or("").to_string();
    let ctx = p.ctx.clone();
    let d = pages::detail_view(&ctx, r, &p, &rep, true).await?;
    let duplicates = service::duplicates(&ctx, r, &rep).await?.iter().map(|x| pages::row(r, &p, x)).collect();
    let selected = sent.as_ref().map(|f| f.status.clone()).unwrap_or_else(|| rep.status.code().to_string());
    let statuses = choices(Status::ALL.into_iter().filter(|s| s.settable()).map(|s| (s.code().to_string(), pages::status_label(&p, s))), &selected);
    let owners = choices(r.config.owners.iter().map(|o| (o.id.clone(), o.id.clone())), &rep.owner);
    let (answer, reason) = sent.map(|f| (f.answer.unwrap_or_default(), f.reason.unwrap_or_default())).unwrap_or_default();
    let page = ReportPage {
        owner: rep.owner.clone(),
        area: rep.area.clone().unwrap_or_default(),
        source: rep.source.clone(),
        assigned_to_me: rep.assigned_to.as_deref() == Some(me.as_str()),
        assigned_to_other: rep.assigned_to.as_ref().is_some_and(|a| *a != me),
        can_manage: actor.allows(Permission::ManageReports),
        can_contact: actor.allows(Permission::ReadPersonalData),
        merged: rep.status == Status::Duplicate,
        statuses,
        owners,
        duplicates,
        answer,
        reason,
        errors,
        d,
        p,
    };
    Ok(no_store(render(&page)))
}

async fn set_status(
    Extension(r): Extension<Reports>,
    p: Page,
    actor: Actor,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    let change = StatusChange { status: f.status.clone(), answer: f.answer.clone(), reason: f.reason.clone() };
    match service::change_status(&p.ctx, &r, &actor, id, &change).await {
        Ok(_) => Ok(see_other(&format!("/staff/reports/{id}"))),
        // A missing reason, an unchanged status: the form again, as sent, with the errors beside their fields.
        Err(e) if e.status.as_u16() == 422 => {
            let errors = Errors::from(&p, &e);
            let mut resp = report_view(p, &r, &actor, id, Some(f), errors).await?;
            *resp.status_mut() = e.status;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(rename = "_csrf")]
    _csrf: String,
    status: String,
    answer: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(rename = "_csrf")]
    _csrf: String,
    /// `me` or `none`.
    to: String,
}

async fn assign(
    Extension(r): Extension<Reports>,
    p: Page,
    actor: Actor,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<AssignForm>,
) -> AppResult<Response> {
    service::assign(&p.ctx, &r, &actor, id, f.to == "me").await?;
    Ok(see_other(&format!("/staff/reports/{id}")))
}

#[derive(Deserialize)]
struct RouteForm {
    #[serde(rename = "_csrf")]
    _csrf: String,
    owner: String,
}

async fn reroute(
    Extension(r): Extension<Reports>,
    p: Page,
    actor: Actor,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RouteForm>,
) -> AppResult<Response> {
    service::reroute(&p.ctx, &r, &actor, id, &f.owner).await?;
    // The report may now be out of this department's sight.
    let back = if service::staff_get(&p.ctx, &actor, id).await.is_ok() { format!("/staff/reports/{id}") } else { "/staff/reports".to_string() };
    Ok(see_other(&back))
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(rename = "_csrf")]
    _csrf: String,
    into: String,
}

async fn merge(
    Extension(r): Extension<Reports>,
    p: Page,
    actor: Actor,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MergeForm>,
) -> AppResult<Response> {
    let into: i64 = f.into.trim().trim_start_matches('#').parse().map_err(|_| AppError::field("into", "report_unknown"))?;
    service::merge(&p.ctx, &r, &actor, id, into).await?;
    Ok(see_other(&format!("/staff/reports/{id}")))
}

#[derive(Template)]
#[template(path = "staff_report_contact.html")]
struct ContactPage {
    p: Page,
    id: i64,
    email: String,
    name: String,
    phone: String,
    account: Option<String>,
}

async fn contact(p: Page, actor: Actor, Path(id): Path<i64>) -> AppResult<Response> {
    let c = service::contact(&p.ctx, &actor, id).await?;
    let rep = service::get(&p.ctx, id).await?;
    Ok(no_store(render(&ContactPage {
        id,
        email: c.email.unwrap_or_default(),
        name: c.name.unwrap_or_default(),
        phone: c.phone.unwrap_or_default(),
        account: rep.account_id,
        p,
    })))
}
