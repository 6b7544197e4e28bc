//! Pages of the hub: a person's notification settings and inbox, a public
//! page per broadcast notice, and the staff pages to compose notices and
//! follow their delivery.

use crate::api::SettingsView;
use crate::model::{Area, Channel, DeliveryStatus, NoticeInput, Text, Topic, Urgency};
use crate::service;
use crate::store::{self, InboxItem, Notice};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use kernel::csrf::CsrfForm;
use kernel::layout::Page;
use kernel::web::{render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission};
use std::collections::HashMap;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/account/notifications", get(settings_page).post(save_settings))
        .route("/account/inbox", get(inbox_page))
        .route("/account/inbox/{id}/read", post(mark_read))
        .route("/notices/{id}", get(public_notice))
        .route("/staff/notices", get(staff_list).post(staff_publish))
        .route("/staff/notices/{id}", get(staff_notice))
}

pub use kernel::layout::FormErrors as Errors;

// ---- settings ----

pub struct TopicRow {
    pub code: &'static str,
    pub label: String,
    pub channels: Vec<(&'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "notify_settings.html")]
struct SettingsPage {
    p: Page,
    topics: Vec<TopicRow>,
    quiet_from: String,
    quiet_to: String,
    phone: String,
    area_lat: String,
    area_lon: String,
    area_km: String,
    share_location: bool,
    saved: bool,
    errors: Errors,
}

fn settings_view(p: Page, s: &crate::model::Settings, form: Option<&HashMap<String, String>>, saved: bool, errors: Errors) -> Response {
    let staff = p.actor.allows(Permission::ReadTelemetry);
    let topics = Topic::ALL
        .into_iter()
        .filter(|t| *t != Topic::Alarms || staff)
        .map(|t| TopicRow {
            code: t.code(),
            label: p.tk("notify-topic", t.code()),
            channels: Channel::ALL
                .into_iter()
                .map(|c| {
                    let on = match form {
                        Some(f) => f.contains_key(&format!("t.{}.{}", t.code(), c.code())),
                        None => s.channels(t).contains(&c),
                    };
                    (c.code(), p.tk("notify-channel", c.code()), on)
                })
                .collect(),
        })
        .collect();
    let v = SettingsView::from(s);
    let get = |k: &str, d: String| form.map(|f| f.get(k).cloned().unwrap_or_default()).unwrap_or(d);
    let area = s.area;
    render(&SettingsPage {
        topics,
        quiet_from: get("quiet_from", v.quiet.as_ref().map(|q| q.from.clone()).unwrap_or_default()),
        quiet_to: get("quiet_to", v.quiet.as_ref().map(|q| q.to.clone()).unwrap_or_default()),
        phone: get("phone", v.phone.unwrap_or_default()),
        area_lat: get("area_lat", area.map(|a| format!("{:.5}", a.lat)).unwrap_or_default()),
        area_lon: get("area_lon", area.map(|a| format!("{:.5}", a.lon)).unwrap_or_default()),
        area_km: get("area_km", area.map(|a| format!("{}", a.radius_m / 1000.0)).unwrap_or_default()),
        share_location: form.map(|f| f.contains_key("share_location")).unwrap_or(s.share_location),
        saved,
        errors,
        p,
    })
}

async fn settings_page(State(ctx): State<Ctx>, p: Page, actor: Actor, q: axum::extract::Query<HashMap<String, String>>) -> AppResult<Response> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let stored = service::settings_of(&ctx, &user.account_id).await?;
    Ok(settings_view(p, &stored.settings, None, q.contains_key("saved"), Errors::default()))
}

/// The circle of the fields `area_lat`, `area_lon`, `area_km` (a decimal
/// comma allowed): none when all three are empty; radius in metres.
fn circle_from_form(f: &HashMap<String, String>) -> Result<Option<(f64, f64, f64)>, AppError> {
    let num = |k: &str| f.get(k).map(|s| s.trim().replace(',', ".")).filter(|s| !s.is_empty());
    match (num("area_lat"), num("area_lon"), num("area_km")) {
        (None, None, None) => Ok(None),
        (Some(lat), Some(lon), Some(km)) => match (lat.parse::<f64>(), lon.parse::<f64>(), km.parse::<f64>()) {
            (Ok(lat), Ok(lon), Ok(km)) => Ok(Some((lat, lon, km * 1000.0))),
            _ => Err(AppError::field("area", "invalid_area")),
        },
        _ => Err(AppError::field("area", "invalid_area")),
    }
}

/// The form's fields as the API's settings. The form also says what the
/// API lets pass: half of the quiet hours, or SMS without a phone.
fn from_form(f: &HashMap<String, String>) -> Result<SettingsView, AppError> {
    let topics = Topic::ALL
        .into_iter()
        .map(|t| crate::api::TopicChoice {
            topic: t,
            channels: Channel::ALL.into_iter().filter(|c| f.contains_key(&format!("t.{}.{}", t.code(), c.code()))).collect(),
        })
        .collect();
    let text = |k: &str| f.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let area = circle_from_form(f)?.map(|(lat, lon, radius_m)| crate::api::CircleView { lat, lon, radius_m });
    let quiet = match (text("quiet_from"), text("quiet_to")) {
        (None, None) => None,
        (Some(from), Some(to)) if from == to => return Err(AppError::field("quiet_from", "invalid_time")),
        (Some(from), Some(to)) => Some(crate::api::QuietView { from, to }),
        _ => return Err(AppError::field("quiet_to", "both_or_neither")),
    };
    let wants_sms = f.keys().any(|k| k.ends_with(".sms"));
    if wants_sms && text("phone").is_none() {
        return Err(AppError::field("phone", "phone_needed_for_sms"));
    }
    Ok(SettingsView {
        topics,
        quiet, // People write numbers with spaces and dashes; the API takes digits.
        phone: text("phone").map(|p| p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()),
        area,
        share_location: f.contains_key("share_location"),
    })
}

async fn save_settings(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<HashMap<String, String>>) -> AppResult<Response> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let stored = service::settings_of(&ctx, &user.account_id).await?;
    // Staff-only topics the form did not show are kept as they were.
    let keep_alarms = !actor.allows(Permission::ReadTelemetry);
    let result = from_form(&f).and_then(SettingsView::into_settings);
    match result {
        Ok(mut s) => {
            if keep_alarms {
                s.topics.remove(&Topic::Alarms);
                if let Some(c) = stored.settings.topics.get(&Topic::Alarms) {
                    s.topics.insert(Topic::Alarms, c.clone());
                }
            }
            service::save_settings(&ctx, &actor, &s).await?;
            Ok(see_other("/account/notifications?saved"))
        }
        Err(e) if e.fixable() => {
            let errors = Errors::from(&p, &e);
            let mut resp = settings_view(p, &stored.settings, Some(&f), false, errors);
            *resp.status_mut() = e.status;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

// ---- inbox ----

pub struct Message {
    pub id: String,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub topic: String,
    pub warning: bool,
    pub urgent: bool,
    pub read: bool,
    pub when: String,
}

fn message(p: &Page, i: InboxItem) -> Message {
    Message {
        title: i.notice.title.get(p.lang).to_string(),
        body: i.notice.body.get(p.lang).to_string(),
        url: i.notice.url,
        topic: p.tk("notify-topic", i.notice.topic.code()),
        warning: i.warning,
        urgent: i.notice.urgency == Urgency::Urgent,
        read: i.read,
        when: i.created_at.display_local(),
        id: i.id,
    }
}

#[derive(Template)]
#[template(path = "notify_inbox.html")]
struct InboxPage {
    p: Page,
    messages: Vec<Message>,
    unread: i64,
}

async fn inbox_page(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let items = store::inbox(ctx.db.conn(), &user.account_id, 200).await?;
    let unread = items.iter().filter(|i| !i.read).count() as i64;
    let messages = items.into_iter().map(|i| message(&p, i)).collect();
    Ok(render(&InboxPage { p, messages, unread }))
}

#[derive(serde::Deserialize)]
struct Empty {}

async fn mark_read(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(_): CsrfForm<Empty>) -> AppResult<Response> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    if !store::mark_read(ctx.db.conn(), &user.account_id, &id, ctx.now()).await? {
        return Err(AppError::not_found());
    }
    Ok(see_other("/account/inbox"))
}

// ---- a broadcast notice, public ----

#[derive(Template)]
#[template(path = "notify_notice.html")]
struct NoticePage {
    p: Page,
    title: String,
    body: String,
    topic: String,
    when: String,
    url: Option<String>,
}

async fn public_notice(State(ctx): State<Ctx>, p: Page, Path(id): Path<String>) -> AppResult<Response> {
    // Messages to one person are theirs only; broadcasts are public.
    let n = store::notice(ctx.db.conn(), &id)
        .await?
        .filter(|n| !n.topic.is_personal() && n.source.starts_with("staff:"))
        .ok_or_else(AppError::not_found)?;
    Ok(render(&NoticePage {
        title: n.title.get(p.lang).to_string(),
        body: n.body.get(p.lang).to_string(),
        topic: p.tk("notify-topic", n.topic.code()),
        when: n.created_at.display_local(),
        url: n.url.filter(|u| u != &format!("/notices/{id}")),
        p,
    }))
}

// ---- staff ----

pub struct NoticeRow {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub when: String,
    pub recipients: i64,
    pub sent: i64,
    pub pending: i64,
    pub failed: i64,
}

#[derive(Template)]
#[template(path = "notify_staff.html")]
struct StaffPage {
    p: Page,
    notices: Vec<NoticeRow>,
    topics: Vec<(&'static str, String)>,
    form: HashMap<String, String>,
    errors: Errors,
}

async fn totals(ctx: &Ctx, id: &str) -> AppResult<(i64, i64, i64)> {
    let mut t = (0, 0, 0);
    for (_, status, n) in store::figures(ctx.db.conn(), id).await? {
        match status {
            DeliveryStatus::Sent => t.0 += n,
            DeliveryStatus::Pending => t.1 += n,
            DeliveryStatus::Failed => t.2 += n,
        }
    }
    Ok(t)
}

async fn staff_view(ctx: &Ctx, p: Page, form: HashMap<String, String>, errors: Errors) -> AppResult<Response> {
    let mut notices = vec![];
    for n in store::notices(ctx.db.conn(), 50).await? {
        let (sent, pending, failed) = totals(ctx, &n.id).await?;
        notices.push(NoticeRow {
            title: n.title.get(p.lang).to_string(),
            topic: p.tk("notify-topic", n.topic.code()),
            when: n.created_at.display_local(),
            recipients: n.recipients,
            id: n.id,
            sent,
            pending,
            failed,
        });
    }
    let topics = Topic::ALL.into_iter().filter(|t| !t.is_personal()).map(|t| (t.code(), p.tk("notify-topic", t.code()))).collect();
    Ok(render(&StaffPage { p, notices, topics, form, errors }))
}

async fn staff_list(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::SendNotices)?;
    staff_view(&ctx, p, HashMap::new(), Errors::default()).await
}

/// The compose form as a notice.
fn notice_from_form(f: &HashMap<String, String>) -> Result<NoticeInput, AppError> {
    let text = |k: &str| f.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let topic = text("topic").and_then(|t| Topic::parse(&t)).ok_or_else(|| AppError::field("topic", "required"))?;
    let texts =
        |prefix: &str| Text(Lang::ALL.into_iter().filter_map(|l| Some((l.code().to_string(), text(&format!("{prefix}_{}", l.code()))?))).collect());
    let area = circle_from_form(f)?.map(|(lat, lon, radius_m)| Area::Circle { lat, lon, radius_m });
    Ok(NoticeInput {
        topic,
        urgency: if f.contains_key("urgent") { Urgency::Urgent } else { Urgency::Normal },
        title: texts("title"),
        body: texts("body"),
        url: text("url"),
        area,
    })
}

async fn staff_publish(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<HashMap<String, String>>) -> AppResult<Response> {
    actor.check(Permission::SendNotices)?;
    match notice_from_form(&f) {
        Ok(n) => match service::publish(&ctx, &actor, n).await {
            Ok(sent) => Ok(see_other(&format!("/staff/notices/{}", sent.notice_id))),
            Err(e) if e.fixable() => staff_view(&ctx, p.clone(), f, Errors::from(&p, &e)).await.map(|mut r| {
                *r.status_mut() = e.status;
                r
            }),
            Err(e) => Err(e),
        },
        Err(e) => staff_view(&ctx, p.clone(), f, Errors::from(&p, &e)).await.map(|mut r| {
            *r.status_mut() = e.status;
            r
        }),
    }
}

pub struct ChannelFigures {
    pub channel: String,
    pub sent: i64,
    pub pending: i64,
    pub failed: i64,
}

#[derive(Template)]
#[template(path = "notify_staff_notice.html")]
struct StaffNoticePage {
    p: Page,
    n: Notice,
    title: String,
    body: String,
    figures: Vec<ChannelFigures>,
    errors: Vec<(String, String, i64)>,
}

async fn staff_notice(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>) -> AppResult<Response> {
    actor.check(Permission::SendNotices)?;
    let n = store::notice(ctx.db.conn(), &id).await?.filter(|n| !n.topic.is_personal()).ok_or_else(AppError::not_found)?;
    let mut figures: Vec<ChannelFigures> = vec![];
    for (channel, status, count) in store::figures(ctx.db.conn(), &id).await? {
        let label = p.tk("notify-channel", channel.code());
        let row = match figures.iter_mut().find(|f| f.channel == label) {
            Some(r) => r,
            None => {
                figures.push(ChannelFigures { channel: label, sent: 0, pending: 0, failed: 0 });
                figures.last_mut().expect("just pushed")
            }
        };
        match status {
            DeliveryStatus::Sent => row.sent += count,
            DeliveryStatus::Pending => row.pending += count,
            DeliveryStatus::Failed => row.failed += count,
        }
    }
    let errors = store::recent_errors(ctx.db.conn(), &id, 20).await?.into_iter().map(|(c, e, a)| (p.tk("notify-channel", c.code()), e, a)).collect();
    Ok(render(&StaffNoticePage { title: n.title.get(p.lang).to_string(), body: n.body.get(p.lang).to_string(), n, figures, errors, p }))
}
