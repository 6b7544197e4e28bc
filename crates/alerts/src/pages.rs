//! HTML pages: the public list of current and past alerts and each message
//! (in the visitor's language), and the staff pages to issue, update and
//! cancel. Forms work without JavaScript.

use crate::AlertsConfig;
use crate::cap::{self, Category, Certainty, ResponseType, Severity, Status, Urgency};
use crate::model::{AlertInput, AreaInput, Bilingual, CircleInput, ISSUABLE};
use crate::service::{self, CancelInput, State};
use crate::store::{self, Message};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use kernel::csrf::CsrfForm;
use kernel::layout::{Page, field_message};
use kernel::web::{no_store, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Timestamp};
use std::sync::Arc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/alerts", get(public_list))
        .route("/alerts/{identifier}", get(public_one))
        .route("/staff/alerts", get(staff_list))
        .route("/staff/alerts/new", get(new_form).post(new_submit))
        .route("/staff/alerts/{identifier}", get(staff_one))
        .route("/staff/alerts/{identifier}/update", get(update_form).post(update_submit))
        .route("/staff/alerts/{identifier}/cancel", post(cancel_submit))
}

type Cfg = Extension<Arc<AlertsConfig>>;

/// Pages with a map also load the tile server's images (and nothing else from it).
fn with_tiles(p: &Page, mut resp: Response) -> Response {
    let origin = p.ctx.config.map.tile_origin().unwrap_or_default();
    let csp = format!(
        "default-src 'self'; img-src 'self' data: {origin}; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&csp) {
        resp.headers_mut().insert("content-security-policy", v);
    }
    resp
}

/// A message as pages show it, in the reader's language.
pub struct Shown {
    pub identifier: String,
    pub status: Status,
    pub msg_type: cap::MsgType,
    pub state: State,
    pub event: String,
    pub headline: String,
    pub description: String,
    pub instruction: String,
    pub area: String,
    pub severity: Severity,
    pub urgency: Urgency,
    pub certainty: Certainty,
    pub category: Vec<Category>,
    pub response_type: Vec<ResponseType>,
    pub sent: String,
    pub sent_iso: String,
    pub onset: Option<String>,
    pub expires: String,
    pub web: Option<String>,
    pub note: Option<String>,
    pub references: Vec<String>,
    /// `lat, lon` points of the polygon, or the circle, for the text description.
    pub shape: Option<String>,
    pub demo: bool,
    /// For the `lang` attribute: the alert's own language shown.
    pub text_lang: &'static str,
    polygon: bool,
}

impl Shown {
    pub fn is_polygon(&self) -> bool {
        self.polygon
    }

    fn of(m: &Message, lang: Lang, now: Timestamp) -> Shown {
        let c = &m.content;
        let shape = c.shape.as_ref().map(|s| match s {
            crate::model::Shape::Polygon { ring } => cap::polygon_text(ring),
            crate::model::Shape::Circle { lat, lon, radius_km } => cap::circle_text((*lat, *lon), *radius_km),
        });
        Shown {
            identifier: m.identifier.clone(),
            status: m.status,
            msg_type: m.msg_type,
            state: State::of(m, now),
            event: c.event.get(lang).into(),
            headline: c.headline.get(lang).into(),
            description: c.description.get(lang).into(),
            instruction: c.instruction.get(lang).into(),
            area: c.area_desc.get(lang).into(),
            severity: c.severity,
            urgency: c.urgency,
            certainty: c.certainty,
            category: c.category.clone(),
            response_type: c.response_type.clone(),
            sent: m.sent_at.display_local(),
            sent_iso: m.sent_at.rfc3339(),
            onset: c.onset.map(Timestamp::display_local),
            expires: m.expires_at.display_local(),
            web: c.web.clone(),
            note: m.note.clone(),
            references: m
                .refs
                .as_deref()
                .map(|r| cap::parse_references(r).unwrap_or_default().into_iter().map(|r| r.identifier).collect())
                .unwrap_or_default(),
            shape,
            demo: m.demo,
            text_lang: if lang == Lang::Sl { "sl" } else { "en" },
            polygon: matches!(c.shape, Some(crate::model::Shape::Polygon { .. })),
        }
    }
}

// ---------------------------------------------------------------- public

#[derive(Template)]
#[template(path = "alerts.html")]
struct ListPage {
    p: Page,
    current: Vec<Shown>,
    past: Vec<Shown>,
}

async fn public_list(p: Page) -> AppResult<Response> {
    let now = p.ctx.now();
    let latest = store::latest(p.ctx.db.conn(), 100).await?;
    let (current, past): (Vec<Shown>, Vec<Shown>) = latest.iter().map(|m| Shown::of(m, p.lang, now)).partition(|s| s.state == State::Current);
    Ok(render(&ListPage { p, current, past }))
}

#[derive(Template)]
#[template(path = "alert.html")]
struct OnePage {
    p: Page,
    a: Shown,
    history: Vec<Shown>,
    staff_link: bool,
}

async fn public_one(p: Page, actor: Actor, Path(identifier): Path<String>) -> AppResult<Response> {
    let now = p.ctx.now();
    let c = p.ctx.db.conn();
    let m = store::get(c, &identifier).await?.ok_or_else(AppError::not_found)?;
    let history = store::thread(c, &m.thread).await?.iter().rev().map(|h| Shown::of(h, p.lang, now)).collect();
    let page = render(&OnePage { a: Shown::of(&m, p.lang, now), history, staff_link: actor.allows(Permission::IssueAlerts), p: p.clone() });
    Ok(with_tiles(&p, page))
}

// ---------------------------------------------------------------- staff

#[derive(Template)]
#[template(path = "staff_alerts.html")]
struct StaffListPage {
    p: Page,
    alerts: Vec<Shown>,
    coverage: crate::fanout::Coverage,
    coverage_text: String,
}

async fn staff_list(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::IssueAlerts)?;
    let now = p.ctx.now();
    let alerts = store::latest(p.ctx.db.conn(), 200).await?.iter().map(|m| Shown::of(m, p.lang, now)).collect();
    let coverage = crate::fanout::coverage(p.ctx.db.conn()).await?;
    let args = [("covered", coverage.covered.into()), ("incidents", coverage.incidents.into())];
    let coverage_text = p.ctx.i18n.t_args(p.lang, "alerts-coverage-text", &args);
    Ok(no_store(render(&StaffListPage { p, alerts, coverage, coverage_text })))
}

#[derive(Template)]
#[template(path = "staff_alert.html")]
struct StaffOnePage {
    p: Page,
    a: Shown,
    history: Vec<Shown>,
    open: bool,
    errors: Errors,
    note: String,
    figures: crate::fanout::Figures,
}

async fn staff_page(p: Page, identifier: &str, errors: Errors, note: String) -> AppResult<Response> {
    let now = p.ctx.now();
    let c = p.ctx.db.conn();
    let m = store::get(c, identifier).await?.ok_or_else(AppError::not_found)?;
    let history = store::thread(c, &m.thread).await?.iter().rev().map(|h| Shown::of(h, p.lang, now)).collect();
    let open = m.superseded_by.is_none() && m.msg_type != cap::MsgType::Cancel;
    let figures = crate::fanout::figures(c, &m).await?;
    let page = render(&StaffOnePage { a: Shown::of(&m, p.lang, now), history, open, errors, note, figures, p: p.clone() });
    Ok(with_tiles(&p, no_store(page)))
}

async fn staff_one(p: Page, actor: Actor, Path(identifier): Path<String>) -> AppResult<Response> {
    actor.check(Permission::IssueAlerts)?;
    staff_page(p, &identifier, Errors::default(), String::new()).await
}

async fn cancel_submit(
    p: Page,
    Extension(cfg): Cfg,
    actor: Actor,
    Path(identifier): Path<String>,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let note = value(&f, "note");
    match service::cancel(&p.ctx, &cfg, &actor, &identifier, &CancelInput { note: note.clone() }).await {
        Ok(m) => Ok(see_other(&format!("/staff/alerts/{}", m.identifier))),
        Err(e) if e.status.as_u16() == 422 => {
            let errors = Errors::from(&p, &e);
            let mut r = staff_page(p, &identifier, errors, note).await?;
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- the form

/// Field errors translated for the form (API paths `headline.sl` become form names `headline_sl`).
#[derive(Default)]
pub struct Errors {
    pub general: Option<String>,
    pub fields: Vec<(String, String)>,
}

impl Errors {
    fn from(p: &Page, e: &AppError) -> Errors {
        let mut fields: Vec<(String, String)> = vec![];
        for f in &e.fields {
            let name = f.field.replace('.', "_");
            let message = field_message(p, &f.code);
            match fields.iter_mut().find(|(n, _)| *n == name) {
                Some((_, m)) => {
                    m.push(' ');
                    m.push_str(&message);
                }
                None => fields.push((name, message)),
            }
        }
        let general = Some(if fields.is_empty() { p.error_text(e.code) } else { p.t("alerts-form-has-errors") });
        Errors { general, fields }
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// What the form shows: every field as text.
#[derive(Default, Clone)]
pub struct FormValues {
    pub status: String,
    pub category: Vec<String>,
    pub response_type: Vec<String>,
    pub urgency: String,
    pub severity: String,
    pub certainty: String,
    pub event_sl: String,
    pub event_en: String,
    pub headline_sl: String,
    pub headline_en: String,
    pub description_sl: String,
    pub description_en: String,
    pub instruction_sl: String,
    pub instruction_en: String,
    pub web: String,
    pub onset: String,
    pub expires: String,
    pub area_desc_sl: String,
    pub area_desc_en: String,
    /// `none`, `polygon` or `circle`.
    pub shape: String,
    pub area_polygon: String,
    pub area_circle_lat: String,
    pub area_circle_lon: String,
    pub area_circle_radius_km: String,
}

fn value(f: &[(String, String)], name: &str) -> String {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
}

fn values(f: &[(String, String)], name: &str) -> Vec<String> {
    f.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// `datetime-local` value (wall-clock time in Slovenia) for a time.
fn local_input(t: Timestamp) -> String {
    t.local().format("%Y-%m-%dT%H:%M").to_string()
}

/// The instant a wall-clock time in Slovenia stands for (CET or CEST).
fn from_local_input(s: &str) -> Option<Timestamp> {
    let naive = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    crate::model::from_local(naive)
}

impl FormValues {
    fn from_form(f: &[(String, String)]) -> FormValues {
        FormValues {
            status: value(f, "status"),
            category: values(f, "category"),
            response_type: values(f, "response_type"),
            urgency: value(f, "urgency"),
            severity: value(f, "severity"),
            certainty: value(f, "certainty"),
            event_sl: value(f, "event_sl"),
            event_en: value(f, "event_en"),
            headline_sl: value(f, "headline_sl"),
            headline_en: value(f, "headline_en"),
            description_sl: value(f, "description_sl"),
            description_en: value(f, "description_en"),
            instruction_sl: value(f, "instruction_sl"),
            instruction_en: value(f, "instruction_en"),
            web: value(f, "web"),
            onset: value(f, "onset"),
            expires: value(f, "expires"),
            area_desc_sl: value(f, "area_desc_sl"),
            area_desc_en: value(f, "area_desc_en"),
            shape: value(f, "shape"),
            area_polygon: value(f, "area_polygon"),
            area_circle_lat: value(f, "area_circle_lat"),
            area_circle_lon: value(f, "area_circle_lon"),
            area_circle_radius_km: value(f, "area_circle_radius_km"),
        }
    }

    fn of_input(i: &AlertInput) -> FormValues {
        let time = |s: &str| crate::model::parse_input_time(s).map(local_input).unwrap_or_default();
        let (shape, polygon, circle) = match (&i.area.polygon, &i.area.circle) {
            (Some(p), _) => ("polygon", cap::polygon_text(&p.iter().map(|[lon, lat]| (*lat, *lon)).collect::<Vec<_>>()), None),
            (None, Some(c)) => ("circle", String::new(), Some(c.clone())),
            _ => ("none", String::new(), None),
        };
        FormValues {
            status: i.status.as_str().into(),
            category: i.category.iter().map(|c| c.as_str().to_string()).collect(),
            response_type: i.response_type.iter().map(|c| c.as_str().to_string()).collect(),
            urgency: i.urgency.as_str().into(),
            severity: i.severity.as_str().into(),
            certainty: i.certainty.as_str().into(),
            event_sl: i.event.sl.clone(),
            event_en: i.event.en.clone(),
            headline_sl: i.headline.sl.clone(),
            headline_en: i.headline.en.clone(),
            description_sl: i.description.sl.clone(),
            description_en: i.description.en.clone(),
            instruction_sl: i.instruction.sl.clone(),
            instruction_en: i.instruction.en.clone(),
            web: i.web.clone().unwrap_or_default(),
            onset: i.onset.as_deref().map(time).unwrap_or_default(),
            expires: time(&i.expires),
            area_desc_sl: i.area.desc.sl.clone(),
            area_desc_en: i.area.desc.en.clone(),
            shape: shape.into(),
            area_polygon: polygon,
            area_circle_lat: circle.as_ref().map(|c| cap::coord(c.lat)).unwrap_or_default(),
            area_circle_lon: circle.as_ref().map(|c| cap::coord(c.lon)).unwrap_or_default(),
            area_circle_radius_km: circle.as_ref().map(|c| cap::coord(c.radius_km)).unwrap_or_default(),
        }
    }

    /// A fresh form: an exercise, expiring in six hours.
    fn blank(now: Timestamp) -> FormValues {
        FormValues {
            status: "Actual".into(),
            urgency: "Immediate".into(),
            severity: "Severe".into(),
            certainty: "Likely".into(),
            expires: local_input(now.plus(std::time::Duration::from_secs(6 * 3600))),
            shape: "none".into(),
            ..Default::default()
        }
    }

    /// The input for the service, or the fields the form itself cannot read.
    fn input(&self) -> Result<AlertInput, Vec<kernel::error::FieldError>> {
        let mut errors = vec![];
        let mut err = |f: &str, c: &str| errors.push(kernel::error::FieldError { field: f.into(), code: c.into() });
        let pick = |s: &str| s.to_string();
        let status = Status::parse(&self.status);
        let urgency = Urgency::parse(&self.urgency);
        let severity = Severity::parse(&self.severity);
        let certainty = Certainty::parse(&self.certainty);
        for (name, ok) in
            [("status", status.is_some()), ("urgency", urgency.is_some()), ("severity", severity.is_some()), ("certainty", certainty.is_some())]
        {
            if !ok {
                err(name, "required");
            }
        }
        let category: Vec<Category> = self.category.iter().filter_map(|c| Category::parse(c)).collect();
        let response_type: Vec<ResponseType> = self.response_type.iter().filter_map(|c| ResponseType::parse(c)).collect();
        let time = |s: &str| from_local_input(s).map(Timestamp::rfc3339);
        let onset = if self.onset.is_empty() { None } else { time(&self.onset).or(Some(pick("invalid"))) };
        let expires = if self.expires.is_empty() { String::new() } else { time(&self.expires).unwrap_or_else(|| pick("invalid")) };
        if self.expires.is_empty() {
            err("expires", "required");
        }
        let num = |s: &str| s.replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite());
        let (polygon, circle) = match self.shape.as_str() {
            "polygon" => match crate::model::parse_pasted_polygon(&self.area_polygon) {
                Some(points) if !points.is_empty() => (Some(points), None),
                _ => {
                    err("area.polygon", "polygon_pasted");
                    (None, None)
                }
            },
            "circle" => match (num(&self.area_circle_lat), num(&self.area_circle_lon), num(&self.area_circle_radius_km)) {
                (Some(lat), Some(lon), Some(radius_km)) => (None, Some(CircleInput { lat, lon, radius_km })),
                _ => {
                    err("area.circle", "circle_numbers");
                    (None, None)
                }
            },
            _ => (None, None),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AlertInput {
            status: status.unwrap_or(Status::Actual),
            event: Bilingual::new(&self.event_sl, &self.event_en),
            category,
            response_type,
            urgency: urgency.unwrap_or(Urgency::Unknown),
            severity: severity.unwrap_or(Severity::Unknown),
            certainty: certainty.unwrap_or(Certainty::Unknown),
            headline: Bilingual::new(&self.headline_sl, &self.headline_en),
            description: Bilingual::new(&self.description_sl, &self.description_en),
            instruction: Bilingual::new(&self.instruction_sl, &self.instruction_en),
            web: Some(self.web.clone()).filter(|w| !w.is_empty()),
            onset,
            expires,
            area: AreaInput { desc: Bilingual::new(&self.area_desc_sl, &self.area_desc_en), polygon, circle },
        })
    }

    pub fn has_category(&self, c: &Category) -> bool {
        self.category.iter().any(|x| x == c.as_str())
    }
    pub fn shape_is(&self, s: &str) -> bool {
        self.shape == s
    }
    pub fn has_response(&self, r: &ResponseType) -> bool {
        self.response_type.iter().any(|x| x == r.as_str())
    }
}

#[derive(Template)]
#[template(path = "staff_alert_form.html")]
struct FormPage {
    p: Page,
    /// The message an update replaces.
    updating: Option<String>,
    v: FormValues,
    errors: Errors,
    statuses: &'static [Status],
    categories: &'static [Category],
    responses: &'static [ResponseType],
    urgencies: &'static [Urgency],
    severities: &'static [Severity],
    certainties: &'static [Certainty],
}

fn form_page(p: Page, updating: Option<String>, v: FormValues, errors: Errors) -> Response {
    let csp = p.clone();
    let page = no_store(render(&FormPage {
        p,
        updating,
        v,
        errors,
        statuses: &ISSUABLE,
        categories: Category::ALL,
        responses: ResponseType::ALL,
        urgencies: Urgency::ALL,
        severities: Severity::ALL,
        certainties: Certainty::ALL,
    }));
    with_tiles(&csp, page)
}

async fn new_form(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::IssueAlerts)?;
    let v = FormValues::blank(p.ctx.now());
    Ok(form_page(p, None, v, Errors::default()))
}

async fn update_form(p: Page, actor: Actor, Path(identifier): Path<String>) -> AppResult<Response> {
    actor.check(Permission::IssueAlerts)?;
    let m = store::get(p.ctx.db.conn(), &identifier).await?.ok_or_else(AppError::not_found)?;
    let v = FormValues::of_input(&service::input_of(&m.content));
    Ok(form_page(p, Some(identifier), v, Errors::default()))
}

async fn new_submit(p: Page, Extension(cfg): Cfg, actor: Actor, CsrfForm(f): CsrfForm<Vec<(String, String)>>) -> AppResult<Response> {
    submit(p, &cfg, &actor, None, f).await
}

async fn update_submit(
    p: Page,
    Extension(cfg): Cfg,
    actor: Actor,
    Path(identifier): Path<String>,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    submit(p, &cfg, &actor, Some(identifier), f).await
}

async fn submit(p: Page, cfg: &AlertsConfig, actor: &Actor, updating: Option<String>, f: Vec<(String, String)>) -> AppResult<Response> {
    actor.check(Permission::IssueAlerts)?;
    let v = FormValues::from_form(&f);
    let result = match v.input() {
        Err(fields) => Err(AppError::invalid(fields)),
        Ok(input) => match &updating {
            None => service::issue(&p.ctx, cfg, actor, &input).await,
            Some(id) => service::update(&p.ctx, cfg, actor, id, &input).await,
        },
    };
    match result {
        Ok(m) => Ok(see_other(&format!("/staff/alerts/{}", m.identifier))),
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let errors = Errors::from(&p, &e);
            let mut r = form_page(p, updating, v, errors);
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_form_times_follow_slovenian_time() {
        // 09:00 in Ptuj on 5 November is 08:00 UTC; on 1 July 12:00 is 10:00 UTC.
        assert_eq!(from_local_input("2026-11-05T09:00").map(Timestamp::rfc3339).as_deref(), Some("2026-11-05T08:00:00Z"));
        assert_eq!(from_local_input("2026-07-01T12:00").map(Timestamp::rfc3339).as_deref(), Some("2026-07-01T10:00:00Z"));
        assert_eq!(local_input(Timestamp(1_793_865_600_000)), "2026-11-05T09:00");
        assert!(from_local_input("5. 11. 2026").is_none());
    }

    #[test]
    fn the_form_reads_back_what_it_shows() {
        let input = crate::model::tests::input();
        let v = FormValues::of_input(&input);
        assert_eq!(v.shape, "polygon");
        let back = v.input().unwrap();
        assert_eq!(back.area.polygon.as_ref().map(|p| p.len()), Some(5), "closed ring");
        assert_eq!((back.headline, back.category, back.expires), (input.headline, input.category, input.expires));
        let bad = FormValues { shape: "circle".into(), area_circle_lat: "x".into(), expires: String::new(), ..v };
        let errors: Vec<String> = bad.input().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(errors, ["expires", "area.circle"]);
    }
}
