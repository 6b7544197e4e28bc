//! The rules of reports. Every function takes the `Actor` and checks the
//! named permission: anyone reports (visitors with an e-mail address);
//! staff read and work the reports their department owns (the DTO and the
//! administrator see every department; the DTO reads only); the reporter's
//! contact is personal data, read under `ReadPersonalData` and audited.

use crate::Reports;
use crate::config::Category;
use crate::events;
use crate::geo::Point;
use crate::model::{ANSWER_MAX, Draft, ReportInput, Status, plain_text};
use crate::places::{self, Found};
use crate::store::{self, Contact, Filter, Photo, Report, Update};
use kernel::access::UserActor;
use kernel::audit::AuditEntry;
use kernel::error::FieldError;
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Role};
use serde::Deserialize;

/// Visitors and API keys may send this many reports an hour.
const HOURLY_LIMIT: i64 = 20;

/// Where a report comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Web,
    Api,
    Open311,
}

impl Source {
    fn code(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::Api => "api",
            Source::Open311 => "open311",
        }
    }
}

pub struct Submission {
    pub input: ReportInput,
    /// Uploaded photo files, unchecked.
    pub photos: Vec<Vec<u8>>,
    pub keep_location: bool,
    pub source: Source,
    pub lang: Lang,
}

fn actor_ref(actor: &Actor) -> String {
    match actor {
        Actor::Anonymous => "anonymous".into(),
        Actor::User(u) => format!("account:{}", u.account_id),
        Actor::Machine { token_id, .. } => format!("token:{token_id}"),
    }
}

/// A report's place from what the reporter gave: the position, else the
/// gazetteer entry, else the typed address. Open311 clients may send an
/// address the gazetteer does not know; people are asked to correct it.
async fn locate(ctx: &Ctx, draft: &mut Draft, strict: bool) -> AppResult<()> {
    if draft.point.is_some() {
        return Ok(());
    }
    let c = ctx.db.conn();
    if let Some(id) = &draft.address_id {
        let Some(p) = store::place(c, id).await? else {
            return Err(AppError::field("address_id", "address_unknown"));
        };
        draft.point = Point::new(p.lon, p.lat);
        draft.address.get_or_insert(p.name);
        return Ok(());
    }
    let Some(typed) = draft.address.clone() else { return Ok(()) };
    let all = store::places(c).await?;
    match places::geocode(&all, &typed) {
        Found::One(p) => {
            draft.point = Point::new(p.lon, p.lat);
            draft.address_id = Some(p.id.clone());
        }
        Found::Several(candidates) if strict => {
            let names: Vec<String> = candidates.iter().map(|p| format!("{}={}", p.id, p.name)).collect();
            return Err(AppError::field("address", "address_ambiguous").with_detail(names.join("\n")));
        }
        Found::Several(candidates) => {
            draft.point = Point::new(candidates[0].lon, candidates[0].lat);
            draft.address_id = Some(candidates[0].id.clone());
        }
        Found::None if strict => return Err(AppError::field("address", "address_unknown")),
        Found::None => {}
    }
    Ok(())
}

fn reporter_index(ctx: &Ctx, actor: &Actor, email: Option<&str>) -> String {
    let key = match (actor, email) {
        (Actor::User(u), _) => format!("account:{}", u.account_id),
        (_, Some(e)) => format!("email:{}", e.to_lowercase()),
        (Actor::Machine { token_id, .. }, None) => format!("token:{token_id}"),
        (Actor::Anonymous, None) => "anonymous".into(),
    };
    ctx.keys.blind_index("reports.reporter", &key)
}

/// Take a report: check it, find its place, route it, store it with its
/// photos, and queue the acknowledgement — all or nothing.
pub async fn submit(ctx: &Ctx, r: &Reports, actor: &Actor, sub: Submission) -> AppResult<Report> {
    if let Actor::Machine { .. } = actor
        && !(actor.has_scope("open311:write") || actor.has_scope("reports:write"))
    {
        return Err(AppError::forbidden("missing_scope"));
    }
    if let Actor::User(u) = actor
        && u.must_change_password
    {
        return Err(AppError::forbidden("password_change_required"));
    }
    let signed_in = !matches!(actor, Actor::Anonymous);
    let mut draft = sub.input.check(&r.config, signed_in).map_err(AppError::invalid)?;
    if sub.photos.len() > r.config.max_photos {
        return Err(AppError::field("media", "too_many_photos"));
    }
    // Photos first, outside any transaction: decoding takes a while.
    let mut processed = vec![];
    for (i, bytes) in sub.photos.into_iter().enumerate() {
        let (max, side, keep) = (r.config.max_photo_bytes, r.config.photo_max_side, sub.keep_location);
        let p = tokio::task::spawn_blocking(move || kernel::photos::process(&bytes, max, side, keep)).await.map_err(AppError::internal)?;
        match p {
            Ok(p) => processed.push(p),
            Err(e) => {
                return Err(AppError::invalid(vec![FieldError {
                    field: if i == 0 { "media".into() } else { format!("media[{i}]") },
                    code: e.code().into(),
                }]));
            }
        }
    }
    locate(ctx, &mut draft, sub.source != Source::Open311).await?;
    if draft.point.is_none() && sub.keep_location {
        // The photo's own position, when the reporter lets us keep it.
        draft.point = processed.iter().find_map(|p| p.position).and_then(|(lon, lat)| Point::new(lon, lat));
    }
    let category = r.config.category(&draft.category).ok_or_else(|| AppError::field("category", "category_unknown"))?.clone();
    let index = reporter_index(ctx, actor, draft.email.as_deref());
    let now = ctx.now();
    if !matches!(actor, Actor::User(_)) {
        let recent = store::recent_by_reporter(ctx.db.conn(), &index, now.0 - 3_600_000).await?;
        if recent >= HOURLY_LIMIT {
            return Err(AppError::too_many(3600));
        }
    }
    let txn = ctx.db.begin().await?;
    let id = store::next_id(&txn).await?;
    let report = Report {
        id,
        category: category.code.clone(),
        owner: r.config.route(&category, draft.point),
        area: draft.point.and_then(|p| r.config.area_of(p)).map(str::to_string),
        status: Status::Received,
        reason: None,
        description: draft.description.clone(),
        lat: draft.point.map(|p| p.lat),
        lon: draft.point.map(|p| p.lon),
        address: draft.address.clone(),
        address_id: draft.address_id.clone(),
        attributes: draft.attributes.clone(),
        account_id: actor.user().map(|u| u.account_id.clone()),
        reporter_index: index,
        reporter_lang: sub.lang.code().to_string(),
        source: sub.source.code().to_string(),
        token: uuid::Uuid::new_v4().to_string(),
        assigned_to: None,
        duplicate_of: None,
        media_url: draft.media_url.clone(),
        seq: 1,
        created_at: now.0,
        updated_at: now.0,
        demo: false,
    };
    let contact = Contact { email: draft.email.clone(), name: draft.name.clone(), phone: draft.phone.clone() };
    store::insert(&txn, &ctx.keys, &store::NewReport { report: &report, contact: &contact }).await?;
    for (i, p) in processed.iter().enumerate() {
        let photo_id = uuid::Uuid::now_v7().simple().to_string();
        let key = format!("reports/{id}-{photo_id}.jpg");
        // Durable before the row that names it commits.
        r.files.put(&key, &p.jpeg).map_err(AppError::internal)?;
        let row = Photo {
            id: photo_id,
            report_id: id,
            position: i as i64,
            file_key: key,
            width: p.width.into(),
            height: p.height.into(),
            bytes: p.jpeg.len() as i64,
            located: p.located,
        };
        store::insert_photo(&txn, &row, now).await?;
    }
    let update = Update {
        id: uuid::Uuid::now_v7().to_string(),
        report_id: id,
        seq: 1,
        at: now.0,
        kind: "created".into(),
        status: Status::Received,
        text: None,
        public: true,
        actor: actor_ref(actor),
    };
    store::insert_update(&txn, &update).await?;
    events::status_changed(ctx, &txn, &report, category.name.get(sub.lang), draft.email.as_deref(), None).await?;
    txn.commit().await?;
    metrics::counter!("obcina_reports_submitted_total", "source" => sub.source.code()).increment(1);
    Ok(report)
}

/// A public report: anyone may read it (it holds no personal data).
pub async fn get(ctx: &Ctx, id: i64) -> AppResult<Report> {
    store::get(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)
}

/// Which departments a staff actor sees: `None` for all (DTO, administrator).
pub fn scope(actor: &Actor, perm: Permission) -> AppResult<(&UserActor, Option<String>)> {
    let u = actor.check(perm)?;
    if u.roles.iter().any(|r| matches!(r, Role::Dto | Role::Admin)) {
        return Ok((u, None));
    }
    Ok((u, Some(u.department.clone().unwrap_or_default())))
}

fn in_scope(report: &Report, dept: &Option<String>) -> AppResult<()> {
    match dept {
        Some(d) if *d != report.owner => Err(AppError::forbidden("other_department")),
        _ => Ok(()),
    }
}

/// The staff view of one report (its department's staff, the DTO, the administrator).
pub async fn staff_get(ctx: &Ctx, actor: &Actor, id: i64) -> AppResult<Report> {
    let (_, dept) = scope(actor, Permission::ReadReports)?;
    let report = get(ctx, id).await?;
    in_scope(&report, &dept)?;
    Ok(report)
}

/// The staff queue, limited to the actor's department unless they see all.
pub async fn queue(ctx: &Ctx, actor: &Actor, mut f: Filter) -> AppResult<Vec<Report>> {
    let (_, dept) = scope(actor, Permission::ReadReports)?;
    if let Some(d) = dept {
        if f.owner.as_ref().is_some_and(|o| *o != d) {
            return Err(AppError::forbidden("other_department"));
        }
        f.owner = Some(d);
    }
    Ok(store::list(ctx.db.conn(), &f).await?)
}

/// A change of status with the public answer.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// A status code (`received`, `in_progress`, `fixed`, `rejected`, …); not `duplicate` (merge instead).
    pub status: String,
    /// The answer the reporter and the public read.
    pub answer: Option<String>,
    /// Why it was refused (required for `rejected` and `not_responsible`).
    pub reason: Option<String>,
}

fn check_text(field: &str, s: &Option<String>) -> Result<Option<String>, FieldError> {
    let t = s.as_deref().map(plain_text).filter(|t| !t.is_empty());
    if t.as_ref().is_some_and(|t| t.chars().count() > ANSWER_MAX) {
        return Err(FieldError { field: field.into(), code: "too_long".into() });
    }
    Ok(t)
}

fn category_of<'a>(r: &'a Reports, report: &Report) -> Option<&'a Category> {
    r.config.category(&report.category)
}

fn category_title(r: &Reports, report: &Report) -> String {
    let lang = Lang::from_code(&report.reporter_lang).unwrap_or(Lang::Sl);
    category_of(r, report).map(|c| c.name.get(lang).to_string()).unwrap_or_else(|| report.category.clone())
}

/// Apply a state change in one transaction: the row, the history entry,
/// the event for the reporter (if the status changed) and the audit entry.
async fn record(
    ctx: &Ctx,
    r: &Reports,
    actor: &Actor,
    id: i64,
    dept: &Option<String>,
    (kind, text): (&str, Option<String>),
    change: impl FnOnce(&mut Report) -> AppResult<()>,
) -> AppResult<Report> {
    let txn = ctx.db.begin().await?;
    let mut report = store::get_for_update(&txn, id).await?.ok_or_else(AppError::not_found)?;
    in_scope(&report, dept)?;
    let before = report.status;
    let before_owner = report.owner.clone();
    change(&mut report)?;
    let now = ctx.now();
    report.seq += 1;
    report.updated_at = now.0;
    store::save_state(&txn, &report).await?;
    let public = matches!(kind, "status" | "merged");
    let update = Update {
        id: uuid::Uuid::now_v7().to_string(),
        report_id: id,
        seq: report.seq,
        at: now.0,
        kind: kind.into(),
        status: report.status,
        text,
        public,
        actor: actor_ref(actor),
    };
    store::insert_update(&txn, &update).await?;
    if public {
        let email = if report.account_id.is_none() { store::contact(&txn, &ctx.keys, id).await?.email } else { None };
        // The answer given with a change of status reaches the reporter with it (a merge's text is only the other number).
        let answer = if kind == "status" { update.text.as_deref() } else { None };
        events::status_changed(ctx, &txn, &report, &category_title(r, &report), email.as_deref(), answer).await?;
    }
    let detail = serde_json::json!({
        "from": before.code(), "to": report.status.code(), "seq": report.seq,
        "owner": report.owner, "previous_owner": before_owner, "duplicate_of": report.duplicate_of,
        "assigned_to": report.assigned_to,
    });
    let subject = format!("report:{id}");
    let who = actor_ref(actor);
    ctx.audit(&txn, AuditEntry { actor: &who, action: &format!("reports.{kind}"), subject: &subject, outcome: "ok", detail }).await?;
    txn.commit().await?;
    Ok(report)
}

pub async fn change_status(ctx: &Ctx, r: &Reports, actor: &Actor, id: i64, input: &StatusChange) -> AppResult<Report> {
    let (_, dept) = scope(actor, Permission::ManageReports)?;
    let mut errors = vec![];
    let status = Status::from_code(input.status.trim()).filter(|s| s.settable());
    if status.is_none() {
        errors.push(FieldError { field: "status".into(), code: if input.status.trim().is_empty() { "required" } else { "status_invalid" }.into() });
    }
    let answer = check_text("answer", &input.answer).map_err(|e| errors.push(e)).ok().flatten();
    let reason = check_text("reason", &input.reason).map_err(|e| errors.push(e)).ok().flatten();
    if status.is_some_and(Status::needs_reason) && reason.is_none() {
        errors.push(FieldError { field: "reason".into(), code: "required".into() });
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let status = status.unwrap_or(Status::Received);
    let reason = if status.needs_reason() { reason } else { None };
    record(ctx, r, actor, id, &dept, ("status", answer), |rep| {
        if rep.status == Status::Duplicate {
            return Err(AppError::conflict("report_merged"));
        }
        if rep.status == status && reason == rep.reason {
            return Err(AppError::field("status", "status_unchanged"));
        }
        rep.status = status;
        rep.reason = reason;
        Ok(())
    })
    .await
}

/// Take a report over (assign it to oneself), or give it back (`None`).
pub async fn assign(ctx: &Ctx, r: &Reports, actor: &Actor, id: i64, to_me: bool) -> AppResult<Report> {
    let (u, dept) = scope(actor, Permission::ManageReports)?;
    let me = u.account_id.clone();
    record(ctx, r, actor, id, &dept, ("assigned", None), |rep| {
        rep.assigned_to = to_me.then_some(me);
        Ok(())
    })
    .await
}

/// Send a report to another owner (department or public company), which
/// then sees it in its queue; the reporter is told it was referred.
pub async fn reroute(ctx: &Ctx, r: &Reports, actor: &Actor, id: i64, owner: &str) -> AppResult<Report> {
    let (_, dept) = scope(actor, Permission::ManageReports)?;
    if r.config.owner(owner).is_none() {
        return Err(AppError::field("owner", "owner_unknown"));
    }
    let owner = owner.to_string();
    record(ctx, r, actor, id, &dept, ("status", None), |rep| {
        if rep.owner == owner {
            return Err(AppError::field("owner", "owner_unchanged"));
        }
        if rep.status == Status::Duplicate {
            return Err(AppError::conflict("report_merged"));
        }
        rep.owner = owner;
        rep.status = Status::InternalReferral;
        rep.assigned_to = None;
        Ok(())
    })
    .await
}

/// Mark `id` as a duplicate of `into`; the duplicate's reporter is told.
pub async fn merge(ctx: &Ctx, r: &Reports, actor: &Actor, id: i64, into: i64) -> AppResult<Report> {
    let (_, dept) = scope(actor, Permission::ManageReports)?;
    if id == into {
        return Err(AppError::field("into", "merge_self"));
    }
    let target = store::get(ctx.db.conn(), into).await?.ok_or_else(|| AppError::field("into", "report_unknown"))?;
    if target.status == Status::Duplicate {
        return Err(AppError::field("into", "report_merged"));
    }
    in_scope(&target, &dept)?;
    let note = Some(format!("#{into}"));
    record(ctx, r, actor, id, &dept, ("merged", note), |rep| {
        if rep.status == Status::Duplicate {
            return Err(AppError::conflict("report_merged"));
        }
        rep.status = Status::Duplicate;
        rep.duplicate_of = Some(into);
        rep.reason = None;
        Ok(())
    })
    .await
}

/// Likely duplicates: same category, close by, recent, not merged.
pub async fn duplicates(ctx: &Ctx, r: &Reports, report: &Report) -> AppResult<Vec<Report>> {
    let Some(p) = report.point() else { return Ok(vec![]) };
    let since = report.created_at - i64::from(r.config.duplicate_days) * 86_400_000;
    Ok(store::near(ctx.db.conn(), &report.category, p, r.config.duplicate_radius_m, since, report.id).await?)
}

/// The reporter's contact: personal data, so the read is audited.
pub async fn contact(ctx: &Ctx, actor: &Actor, id: i64) -> AppResult<Contact> {
    let (_, dept) = scope(actor, Permission::ReadPersonalData)?;
    actor.check(Permission::ReadReports)?;
    let txn = ctx.db.begin().await?;
    let report = store::get(&txn, id).await?.ok_or_else(AppError::not_found)?;
    in_scope(&report, &dept)?;
    let contact = store::contact(&txn, &ctx.keys, id).await?;
    let who = actor_ref(actor);
    let subject = format!("report:{id}");
    let detail = serde_json::json!({"fields": ["email", "name", "phone"]});
    ctx.audit(&txn, AuditEntry { actor: &who, action: "reports.reporter.read", subject: &subject, outcome: "ok", detail }).await?;
    txn.commit().await?;
    Ok(contact)
}

/// Reports per inhabitant in a calendar year (UTC), and per reporter.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ReportKpi)]
pub struct Kpi {
    pub year: i32,
    /// Reports made in the year (merged duplicates not counted).
    pub reports: i64,
    /// Distinct reporters (accounts or e-mail addresses).
    pub reporters: i64,
    pub population: u32,
    /// Reports per inhabitant.
    pub reports_per_inhabitant: f64,
    /// Reports per 1,000 inhabitants.
    pub reports_per_1000_inhabitants: f64,
    /// Share of inhabitants who reported at least once.
    pub reporting_share: f64,
    /// Reports per distinct reporter.
    pub reports_per_reporter: f64,
}

pub async fn kpi(ctx: &Ctx, year: i32) -> AppResult<Kpi> {
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| AppError::bad_request("query_invalid"))?;
    let end = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or_else(|| AppError::bad_request("query_invalid"))?;
    let ms = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis();
    let (reports, reporters) = store::counts_between(ctx.db.conn(), ms(start), ms(end)).await?;
    let population = ctx.config.municipality.population.max(1);
    let per = reports as f64 / f64::from(population);
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    Ok(Kpi {
        year,
        reports,
        reporters,
        population,
        reports_per_inhabitant: round(per),
        reports_per_1000_inhabitants: round(per * 1000.0),
        reporting_share: round(reporters as f64 / f64::from(population)),
        reports_per_reporter: if reporters > 0 { round(reports as f64 / reporters as f64) } else { 0.0 },
    })
}
