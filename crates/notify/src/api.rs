//! JSON API of the hub under /api/v1/notify, described with utoipa.

use crate::delivery::Hub;
use crate::model::{Area, Channel, Circle, DeliveryStatus, NoticeInput, QuietHours, Settings, Text, Topic, Urgency, sms_number};
use crate::service;
use crate::store::{self, PushSubscription};
use axum::Router;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use kernel::Lang;
use kernel::error::{FieldError, Problem};
use kernel::web::ApiJson;
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(get_settings, put_settings, share_location, inbox, mark_read, push_key, add_push, remove_push, publish, notices, notice, kpi),
    components(schemas(SettingsView, QuietView, CircleView, TopicChoice, Topic, Channel, Location, BroadcastTopic, LonLat, AreaIn, InboxEntry, PushKey, PushSubscription, Unsubscribe, NoticeIn, Urgency, Area, Text, NoticeView, Figure, DeliveryStatus, Published, Kpi, Problem, FieldError)),
    tags((name = "notify", description = "Notifications: topics, channels, inbox, staff notices"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/notify/settings", get(get_settings).put(put_settings))
        .route("/api/v1/notify/location", post(share_location))
        .route("/api/v1/notify/inbox", get(inbox))
        .route("/api/v1/notify/inbox/{id}/read", post(mark_read))
        .route("/api/v1/notify/push/key", get(push_key))
        .route("/api/v1/notify/push/subscriptions", post(add_push).delete(remove_push))
        .route("/api/v1/notify/notices", get(notices).post(publish))
        .route("/api/v1/notify/notices/{id}", get(notice))
        .route("/api/v1/notify/kpi", get(kpi))
}

/// The channels chosen for one topic.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct TopicChoice {
    pub topic: Topic,
    pub channels: Vec<Channel>,
}

/// Quiet hours, local time; `from` later than `to` spans midnight. Equal times: none.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct QuietView {
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "22:00")]
    pub from: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    pub to: String,
}

/// A circle around a place, for `area`.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CircleView {
    #[schema(minimum = -90, maximum = 90, example = 46.42)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180, example = 15.87)]
    pub lon: f64,
    /// Metres.
    #[schema(exclusive_minimum = 0, maximum = 100000, example = 2000)]
    pub radius_m: f64,
}

/// A person's notification settings.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SettingsView {
    /// Topics not listed get no message.
    pub topics: Vec<TopicChoice>,
    /// Urgent messages ignore quiet hours.
    pub quiet: Option<QuietView>,
    /// For SMS (without one, SMS chosen for a topic is not sent): international,
    /// or Slovenian written nationally, digits only; empty for none.
    #[schema(pattern = "^(\\+[0-9]{8,15}|0[1-9][0-9]{4,11})?$", example = "+38641123456")]
    pub phone: Option<String>,
    /// Only notices for places touching this circle (none: the whole municipality).
    pub area: Option<CircleView>,
    /// Consent to keep the last location the app shares, for crisis warnings there.
    pub share_location: bool,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> Self {
        SettingsView {
            topics: s.topics.iter().map(|(t, c)| TopicChoice { topic: *t, channels: c.clone() }).collect(),
            quiet: s.quiet.map(|q| QuietView { from: QuietHours::format(q.from), to: QuietHours::format(q.to) }),
            phone: s.phone.clone(),
            area: s.area.map(|c| CircleView { lat: c.lat, lon: c.lon, radius_m: c.radius_m }),
            share_location: s.share_location,
        }
    }
}

impl SettingsView {
    /// The settings, or the fields that are wrong.
    pub fn into_settings(self) -> AppResult<Settings> {
        let mut errors = vec![];
        let quiet = match &self.quiet {
            None => None,
            Some(q) if q.from.trim() == q.to.trim() => None,
            Some(q) => QuietHours::parse(&q.from, &q.to).or_else(|| {
                errors.push(FieldError { field: "quiet_from".into(), code: "invalid_time".into() });
                None
            }),
        };
        let phone = match self.phone.as_deref().filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => sms_number(p).filter(|_| is_compact_phone(p)).or_else(|| {
                errors.push(FieldError { field: "phone".into(), code: "invalid_phone".into() });
                None
            }),
        };
        let area = match self.area {
            None => None,
            Some(c) => Circle::new(c.lat, c.lon, c.radius_m).or_else(|| {
                errors.push(FieldError { field: "area".into(), code: "invalid_area".into() });
                None
            }),
        };
        let mut topics = std::collections::BTreeMap::new();
        for choice in self.topics {
            let mut channels = choice.channels;
            channels.sort();
            channels.dedup();
            topics.insert(choice.topic, channels);
        }
        if !errors.is_empty() {
            errors.dedup_by(|a, b| a.field == b.field && a.code == b.code);
            return Err(AppError::invalid(errors));
        }
        Ok(Settings { topics, quiet, phone, area, share_location: self.share_location })
    }
}

/// A phone as the schema says: `+` and 8–15 digits, or 0 and 5–12 more (no separators).
fn is_compact_phone(p: &str) -> bool {
    let digits = |s: &str, min: usize, max: usize| (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    match (p.strip_prefix('+'), p.strip_prefix('0')) {
        (Some(rest), _) => digits(rest, 8, 15),
        (_, Some(rest)) => !rest.starts_with('0') && digits(rest, 5, 12),
        _ => false,
    }
}

/// Your notification settings (the defaults until you save them).
#[utoipa::path(get, path = "/api/v1/notify/settings", tag = "notify",
    responses(
        (status = 200, description = "Settings", body = SettingsView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_settings(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<SettingsView>> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    Ok(axum::Json(SettingsView::from(&service::settings_of(&ctx, &user.account_id).await?.settings)))
}

/// Replace your notification settings.
#[utoipa::path(put, path = "/api/v1/notify/settings", tag = "notify", request_body = SettingsView,
    responses(
        (status = 200, description = "Saved", body = SettingsView),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid times, phone or area", body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_settings(State(ctx): State<Ctx>, actor: Actor, ApiJson(v): ApiJson<SettingsView>) -> AppResult<axum::Json<SettingsView>> {
    actor.check(Permission::ManageOwnAccount)?;
    let s = v.into_settings()?;
    service::save_settings(&ctx, &actor, &s).await?;
    Ok(axum::Json(SettingsView::from(&s)))
}

#[derive(Deserialize, ToSchema)]
pub struct Location {
    #[schema(minimum = -90, maximum = 90, example = 46.42)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180, example = 15.87)]
    pub lon: f64,
}

/// The app shares where you are, kept only with your consent (`share_location`), for crisis warnings there.
#[utoipa::path(post, path = "/api/v1/notify/location", tag = "notify", request_body = Location,
    responses(
        (status = 204, description = "Kept"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No consent (`no_location_consent`) or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Out of range", body = Problem, content_type = "application/problem+json"),
    ))]
async fn share_location(State(ctx): State<Ctx>, actor: Actor, ApiJson(l): ApiJson<Location>) -> AppResult<StatusCode> {
    service::share_location(&ctx, &actor, l.lat, l.lon).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct InboxEntry {
    pub id: String,
    pub notice_id: String,
    pub topic: Topic,
    pub urgency: Urgency,
    /// In your language.
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    /// A crisis warning for where you were.
    pub warning: bool,
    pub read: bool,
    pub created_at: String,
}

/// Your in-app messages, newest first.
#[utoipa::path(get, path = "/api/v1/notify/inbox", tag = "notify",
    responses(
        (status = 200, description = "Messages", body = [InboxEntry]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
async fn inbox(State(ctx): State<Ctx>, actor: Actor, lang: kernel::Lang) -> AppResult<axum::Json<Vec<InboxEntry>>> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    let items = store::inbox(ctx.db.conn(), &user.account_id, 200).await?;
    Ok(axum::Json(
        items
            .into_iter()
            .map(|i| InboxEntry {
                title: i.notice.title.get(lang).to_string(),
                body: i.notice.body.get(lang).to_string(),
                id: i.id,
                notice_id: i.notice.id,
                topic: i.notice.topic,
                urgency: i.notice.urgency,
                url: i.notice.url,
                warning: i.warning,
                read: i.read,
                created_at: i.created_at.rfc3339(),
            })
            .collect(),
    ))
}

/// Mark one of your messages read.
#[utoipa::path(post, path = "/api/v1/notify/inbox/{id}/read", tag = "notify",
    params(("id" = String, Path, description = "Inbox entry")),
    responses(
        (status = 204, description = "Marked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of your messages", body = Problem, content_type = "application/problem+json"),
    ))]
async fn mark_read(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<StatusCode> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    if store::mark_read(ctx.db.conn(), &user.account_id, &id, ctx.now()).await? { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::not_found()) }
}

#[derive(Serialize, ToSchema)]
pub struct PushKey {
    /// The VAPID public key (RFC 8292), base64url: `applicationServerKey` for `PushManager.subscribe`.
    pub public_key: String,
}

/// The key browsers subscribe to web push with.
#[utoipa::path(get, path = "/api/v1/notify/push/key", tag = "notify", responses((status = 200, description = "Key", body = PushKey)))]
async fn push_key(Extension(hub): Extension<Hub>) -> axum::Json<PushKey> {
    axum::Json(PushKey { public_key: hub.channels.vapid.public_key() })
}

fn check_subscription(s: &PushSubscription, allow_loopback: bool) -> AppResult<()> {
    use base64::Engine;
    let decoded = |v: &str| crate::push::B64.decode(v).map(|b| b.len()).unwrap_or(0);
    let mut errors = vec![];
    // Push services are on the public web, over TLS (RFC 8030 §8).
    let url_ok = reqwest::Url::parse(&s.endpoint)
        .is_ok_and(|u| (u.scheme() == "https" && !is_local(&u)) || (allow_loopback && u.scheme() == "http" && u.host_str() == Some("127.0.0.1")));
    if !url_ok || s.endpoint.len() > 1000 {
        errors.push(FieldError { field: "endpoint".into(), code: "invalid_url".into() });
    }
    if decoded(&s.p256dh) != 65 {
        errors.push(FieldError { field: "p256dh".into(), code: "invalid_key".into() });
    }
    if decoded(&s.auth) != 16 {
        errors.push(FieldError { field: "auth".into(), code: "invalid_key".into() });
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::invalid(errors)) }
}

/// Push services are on the internet: no addresses of this machine or its network.
fn is_local(u: &reqwest::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback() || ip.is_unspecified() || (ip.segments()[0] & 0xfe00) == 0xfc00,
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        None => true,
    }
}

/// Subscribe this browser to web push.
#[utoipa::path(post, path = "/api/v1/notify/push/subscriptions", tag = "notify", request_body = PushSubscription,
    responses(
        (status = 204, description = "Subscribed"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a push subscription", body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_push(
    State(ctx): State<Ctx>,
    Extension(hub): Extension<Hub>,
    actor: Actor,
    ApiJson(s): ApiJson<PushSubscription>,
) -> AppResult<StatusCode> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    check_subscription(&s, hub.config().push_allow_loopback)?;
    store::add_push(ctx.db.conn(), &ctx.keys, &user.account_id, &s, ctx.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Unsubscribe {
    #[schema(max_length = 1000)]
    pub endpoint: String,
}

/// Stop web push to this browser.
#[utoipa::path(delete, path = "/api/v1/notify/push/subscriptions", tag = "notify", request_body = Unsubscribe,
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    ))]
async fn remove_push(State(ctx): State<Ctx>, actor: Actor, ApiJson(u): ApiJson<Unsubscribe>) -> AppResult<StatusCode> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    if store::remove_push_of(ctx.db.conn(), &ctx.keys, &user.account_id, &u.endpoint).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found())
    }
}

/// Topics staff may send notices to.
#[derive(Copy, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BroadcastTopic {
    RoadWorks,
    Traffic,
    Utilities,
    Disasters,
    Events,
}

impl From<BroadcastTopic> for Topic {
    fn from(t: BroadcastTopic) -> Topic {
        match t {
            BroadcastTopic::RoadWorks => Topic::RoadWorks,
            BroadcastTopic::Traffic => Topic::Traffic,
            BroadcastTopic::Utilities => Topic::Utilities,
            BroadcastTopic::Disasters => Topic::Disasters,
            BroadcastTopic::Events => Topic::Events,
        }
    }
}

/// A point of a polygon.
#[derive(Deserialize, ToSchema)]
#[schema(as = NoticePoint)]
pub struct LonLat {
    #[schema(minimum = -180, maximum = 180)]
    pub lon: f64,
    #[schema(minimum = -90, maximum = 90)]
    pub lat: f64,
}

/// Where a notice applies.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schema(as = NoticeArea)]
pub enum AreaIn {
    Circle {
        #[schema(minimum = -90, maximum = 90)]
        lat: f64,
        #[schema(minimum = -180, maximum = 180)]
        lon: f64,
        /// Metres.
        #[schema(exclusive_minimum = 0, maximum = 100000)]
        radius_m: f64,
    },
    Polygon {
        /// The ring, at least three points (closed by the server).
        #[schema(min_items = 3, max_items = 1000)]
        points: Vec<LonLat>,
    },
}

/// A staff notice; Slovenian is required, the other languages fall back to English, then Slovenian.
#[derive(Deserialize, ToSchema)]
pub struct NoticeIn {
    pub topic: BroadcastTopic,
    /// Urgent notices ignore quiet hours.
    #[serde(default)]
    pub urgent: bool,
    #[schema(min_length = 1, max_length = 120, pattern = "\\S")]
    pub title_sl: String,
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub body_sl: String,
    #[schema(max_length = 120)]
    pub title_en: Option<String>,
    #[schema(max_length = 2000)]
    pub body_en: Option<String>,
    #[schema(max_length = 120)]
    pub title_de: Option<String>,
    #[schema(max_length = 2000)]
    pub body_de: Option<String>,
    #[schema(max_length = 120)]
    pub title_it: Option<String>,
    #[schema(max_length = 2000)]
    pub body_it: Option<String>,
    /// A page of the platform.
    #[schema(max_length = 300, pattern = "^/([^/].*)?$", example = "/events/123")]
    pub url: Option<String>,
    /// None: the whole municipality.
    pub area: Option<AreaIn>,
}

impl NoticeIn {
    fn into_input(self) -> NoticeInput {
        let text = |pairs: [(Lang, Option<String>); 4]| Text::new(&pairs.iter().filter_map(|(l, s)| Some((*l, s.as_deref()?))).collect::<Vec<_>>());
        NoticeInput {
            topic: self.topic.into(),
            urgency: if self.urgent { Urgency::Urgent } else { Urgency::Normal },
            title: text([(Lang::Sl, Some(self.title_sl)), (Lang::En, self.title_en), (Lang::De, self.title_de), (Lang::It, self.title_it)]),
            body: text([(Lang::Sl, Some(self.body_sl)), (Lang::En, self.body_en), (Lang::De, self.body_de), (Lang::It, self.body_it)]),
            url: self.url,
            area: self.area.map(|a| match a {
                AreaIn::Circle { lat, lon, radius_m } => Area::Circle { lat, lon, radius_m },
                AreaIn::Polygon { points } => Area::Polygon { coordinates: points.iter().map(|p| [p.lon, p.lat]).collect() },
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Published {
    pub id: String,
    /// People it goes to.
    pub recipients: usize,
}

/// Send a notice to the subscribers of a topic (and area).
#[utoipa::path(post, path = "/api/v1/notify/notices", tag = "notify", request_body = NoticeIn,
    responses(
        (status = 201, description = "Queued for delivery", body = Published),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, 2FA missing, or cross-site request", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid notice", body = Problem, content_type = "application/problem+json"),
    ))]
async fn publish(State(ctx): State<Ctx>, actor: Actor, ApiJson(n): ApiJson<NoticeIn>) -> AppResult<(StatusCode, axum::Json<Published>)> {
    let sent = service::publish(&ctx, &actor, n.into_input()).await?;
    Ok((StatusCode::CREATED, axum::Json(Published { id: sent.notice_id, recipients: sent.recipients })))
}

#[derive(Serialize, ToSchema)]
pub struct Figure {
    pub channel: Channel,
    pub status: DeliveryStatus,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeView {
    pub id: String,
    pub topic: Topic,
    pub urgency: Urgency,
    pub title: Text,
    pub body: Text,
    pub url: Option<String>,
    pub area: Option<Area>,
    pub source: String,
    pub created_at: String,
    pub recipients: i64,
    /// Deliveries per channel and status.
    pub figures: Vec<Figure>,
}

async fn view(ctx: &Ctx, n: store::Notice) -> AppResult<NoticeView> {
    let figures = store::figures(ctx.db.conn(), &n.id).await?.into_iter().map(|(channel, status, count)| Figure { channel, status, count }).collect();
    Ok(NoticeView {
        id: n.id,
        topic: n.topic,
        urgency: n.urgency,
        title: n.title,
        body: n.body,
        url: n.url,
        area: n.area,
        source: n.source,
        created_at: n.created_at.rfc3339(),
        recipients: n.recipients,
        figures,
    })
}

/// Broadcast notices and crisis alerts, newest first, with delivery figures.
#[utoipa::path(get, path = "/api/v1/notify/notices", tag = "notify",
    responses(
        (status = 200, description = "Notices", body = [NoticeView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ))]
async fn notices(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<NoticeView>>> {
    actor.check(Permission::SendNotices)?;
    let mut out = vec![];
    for n in store::notices(ctx.db.conn(), 100).await? {
        out.push(view(&ctx, n).await?);
    }
    Ok(axum::Json(out))
}

/// One notice with its delivery figures.
#[utoipa::path(get, path = "/api/v1/notify/notices/{id}", tag = "notify",
    params(("id" = String, Path, description = "Notice")),
    responses(
        (status = 200, description = "Notice", body = NoticeView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice", body = Problem, content_type = "application/problem+json"),
    ))]
async fn notice(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>) -> AppResult<axum::Json<NoticeView>> {
    actor.check(Permission::SendNotices)?;
    let n = store::notice(ctx.db.conn(), &id).await?.filter(|n| !n.topic.is_personal()).ok_or_else(AppError::not_found)?;
    Ok(axum::Json(view(&ctx, n).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Kpi {
    /// Confirmed accounts.
    pub accounts: i64,
    /// Of them, subscribed to at least one broadcast topic.
    pub subscribed: i64,
    /// `subscribed / accounts` (the KPI "share of citizens subscribed to notifications"); 0 without accounts.
    pub share: f64,
}

/// The hub's KPI, for the indicators.
#[utoipa::path(get, path = "/api/v1/notify/kpi", tag = "notify", responses((status = 200, description = "KPI", body = Kpi)))]
async fn kpi(State(ctx): State<Ctx>) -> AppResult<axum::Json<Kpi>> {
    let accounts = identity::store::account_langs(ctx.db.conn()).await?.len() as i64;
    let subscribed = store::subscriber_count(ctx.db.conn(), &ctx.keys).await?;
    let share = if accounts > 0 { subscribed as f64 / accounts as f64 } else { 0.0 };
    Ok(axum::Json(Kpi { accounts, subscribed, share }))
}
