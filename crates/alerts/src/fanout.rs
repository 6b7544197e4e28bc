//! Fan-out through the notifications hub: each message of an alert becomes a
//! notice (topic disasters) to its subscribers and to the people last
//! located in the area, in the transaction that stores the message; and the
//! delivery figures of those notices.

use crate::cap::{MsgType, Status};
use crate::model::{Bilingual, Shape};
use crate::store::{self, Message};
use kernel::access::UserActor;
use kernel::{AppResult, Ctx, Lang};
use notify::model::{Area, Channel, DeliveryStatus, MAX_BODY, MAX_TITLE, NoticeInput, Text, Topic, Urgency};
use notify::service::{Audience, Outgoing};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

/// The notice id of a message: one per CAP message, so handling it twice sends nothing twice.
pub fn notice_id(identifier: &str) -> String {
    format!("alert:{identifier}")
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

/// The notice for a message: the CAP headline as title, description and
/// instruction as body, in Slovenian and English. Exercises say so in the
/// title (a phone shows no CAP status); a cancellation says it is one.
pub fn notice(ctx: &Ctx, m: &Message) -> NoticeInput {
    let c = &m.content;
    let text = |lang: Lang, b: &Bilingual| {
        let headline = b.get(lang);
        let mut title = headline.to_string();
        if m.msg_type == MsgType::Cancel {
            title = ctx.i18n.t_args(lang, "alerts-notice-cancelled", &[("headline", headline.to_string().into())]);
        }
        let exercise = ctx.i18n.t(lang, "alerts-notice-exercise");
        if m.status == Status::Exercise && !title.to_uppercase().contains(&exercise.to_uppercase()) {
            title = format!("{exercise}: {title}");
        }
        cut(&title, MAX_TITLE)
    };
    let body = |lang: Lang| {
        let first = if m.msg_type == MsgType::Cancel { m.note.clone().unwrap_or_default() } else { c.description.get(lang).to_string() };
        cut(&format!("{first}\n\n{}", c.instruction.get(lang)), MAX_BODY)
    };
    let (title_sl, title_en) = (text(Lang::Sl, &c.headline), text(Lang::En, &c.headline));
    let (body_sl, body_en) = (body(Lang::Sl), body(Lang::En));
    NoticeInput {
        topic: Topic::Disasters,
        // Crisis alerts pass quiet hours; the all clear can wait for the morning.
        urgency: if m.msg_type == MsgType::Cancel { Urgency::Normal } else { Urgency::Urgent },
        title: Text::new(&[(Lang::Sl, &title_sl), (Lang::En, &title_en)]),
        body: Text::new(&[(Lang::Sl, &body_sl), (Lang::En, &body_en)]),
        url: Some(format!("/alerts/{}", m.identifier)),
        area: c.shape.as_ref().map(|s| match s {
            Shape::Polygon { ring } => Area::Polygon { coordinates: ring.iter().map(|(lat, lon)| [*lon, *lat]).collect() },
            Shape::Circle { lat, lon, radius_km } => Area::Circle { lat: *lat, lon: *lon, radius_m: radius_km * 1000.0 },
        }),
    }
}

/// Queue the message's notice in the caller's transaction; tests are not
/// announced (CAP: "technical testing only, all recipients disregard").
pub async fn announce<C: ConnectionTrait>(c: &C, ctx: &Ctx, m: &Message, user: &UserActor) -> AppResult<Option<notify::service::Sent>> {
    if m.status == Status::Test {
        return Ok(None);
    }
    let out = Outgoing {
        id: Some(notice_id(&m.identifier)),
        notice: notice(ctx, m),
        audience: Audience::Subscribers,
        source: notice_id(&m.identifier),
        created_by: Some(user.account_id.clone()),
        warn_located: m.msg_type != MsgType::Cancel,
    };
    Ok(Some(notify::service::send(c, ctx, out).await?))
}

/// Deliveries on one channel.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct ChannelFigures {
    pub channel: String,
    /// Messages the hub queued for this channel.
    pub sent: i64,
    /// Handed to the channel (SMTP accepted, gateway or push service answered 2xx, in the inbox).
    pub delivered: i64,
    /// Given up after the last attempt, or refused for good.
    pub failed: i64,
    /// Waiting for a worker or a retry.
    pub pending: i64,
}

/// Delivery figures of one message's notice.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Figures {
    pub identifier: String,
    /// None for tests and demo data (not announced).
    pub notice_id: Option<String>,
    pub channels: Vec<ChannelFigures>,
    pub total: ChannelFigures,
}

impl ChannelFigures {
    fn merge(&mut self, o: &ChannelFigures) {
        self.sent += o.sent;
        self.delivered += o.delivered;
        self.failed += o.failed;
        self.pending += o.pending;
    }
}

fn add(into: &mut ChannelFigures, status: DeliveryStatus, n: i64) {
    into.sent += n;
    match status {
        DeliveryStatus::Sent => into.delivered += n,
        DeliveryStatus::Failed => into.failed += n,
        DeliveryStatus::Pending => into.pending += n,
    }
}

pub async fn figures<C: ConnectionTrait>(c: &C, m: &Message) -> AppResult<Figures> {
    let mut out = Figures {
        identifier: m.identifier.clone(),
        notice_id: m.notice_id.clone(),
        total: ChannelFigures { channel: "all".into(), ..Default::default() },
        ..Default::default()
    };
    let Some(id) = &m.notice_id else { return Ok(out) };
    for channel in Channel::ALL {
        out.channels.push(ChannelFigures { channel: channel.code().into(), ..Default::default() });
    }
    for (channel, status, n) in notify::store::figures(c, id).await? {
        if let Some(f) = out.channels.iter_mut().find(|f| f.channel == channel.code()) {
            add(f, status, n);
        }
        add(&mut out.total, status, n);
    }
    Ok(out)
}

/// For the KPI "share of incidents covered": of the actual alerts issued
/// (their first message; exercises, tests and demo data left out), how many
/// reached at least one person on some channel.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Coverage {
    /// Actual alerts issued.
    pub incidents: i64,
    /// Of them, alerts whose notice was handed to at least one channel for someone.
    pub covered: i64,
    /// covered / incidents, or null without incidents.
    pub share: Option<f64>,
    /// Deliveries of every message of those alerts (updates and cancellations too), per channel.
    pub channels: Vec<ChannelFigures>,
    pub total: ChannelFigures,
}

pub async fn coverage<C: ConnectionTrait>(c: &C) -> AppResult<Coverage> {
    let mut out = Coverage { total: ChannelFigures { channel: "all".into(), ..Default::default() }, ..Default::default() };
    out.channels = Channel::ALL.iter().map(|ch| ChannelFigures { channel: ch.code().into(), ..Default::default() }).collect();
    let messages = store::actual_messages(c).await?;
    let mut threads: std::collections::BTreeMap<String, bool> = Default::default();
    for m in &messages {
        let f = figures(c, m).await?;
        let reached = f.total.delivered > 0;
        let entry = threads.entry(m.thread.clone()).or_insert(false);
        if m.msg_type == MsgType::Alert {
            *entry |= reached;
        }
        for (sum, one) in out.channels.iter_mut().zip(&f.channels) {
            sum.merge(one);
        }
        out.total.merge(&f.total);
    }
    out.incidents = threads.len() as i64;
    out.covered = threads.values().filter(|v| **v).count() as i64;
    out.share = (out.incidents > 0).then(|| out.covered as f64 / out.incidents as f64);
    Ok(out)
}
