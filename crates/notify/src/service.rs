//! The hub's rules: who gets a notice on which channel and when, people's
//! settings, the inbox. Other capabilities call `send` (directly, or
//! through their domain events, see `events`).

use crate::model::{Area, Channel, NoticeInput, QuietHours, Settings, Urgency};
use crate::store::{self, Location, NewDelivery, Notice, Stored};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Timestamp};
use sea_orm::ConnectionTrait;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Who a notice is for.
#[derive(Clone, Debug)]
pub enum Audience {
    /// Everyone who chose the topic, where their area touches the notice's.
    Subscribers,
    /// One person with an account, on the channels they chose for the topic.
    Account(String),
    /// Someone without an account: by e-mail.
    Email { address: String, lang: Lang },
}

/// A notice to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Given by the caller when the same notice may be sent twice (an event
    /// handled again): the second time nothing happens.
    pub id: Option<String>,
    pub notice: NoticeInput,
    pub audience: Audience,
    /// `staff:<account>`, `alert:<id>`, `reports`, … (shown in the log).
    pub source: String,
    pub created_by: Option<String>,
    /// Also warn, on every channel they can be reached, the people whose last
    /// shared location is in the notice's area (crisis alerts).
    pub warn_located: bool,
}

/// What fan-out produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub notice_id: String,
    /// People reached on at least one channel.
    pub recipients: usize,
    /// Of them, warned where they were.
    pub warned: usize,
    /// False when the notice existed already.
    pub fresh: bool,
}

/// How long to wait before sending: quiet hours hold normal messages back.
pub fn hold_back(quiet: Option<QuietHours>, urgency: Urgency, now: Timestamp) -> Duration {
    let Some(q) = quiet.filter(|_| urgency == Urgency::Normal) else { return Duration::ZERO };
    let local = now.local();
    let minute = (local.and_utc().timestamp().rem_euclid(86_400) / 60) as u16;
    Duration::from_secs(q.wait_from(minute) as u64 * 60)
}

/// Queue a notice: store it and one delivery per person and channel, in the
/// caller's transaction, so a change and the message about it commit together.
pub async fn send<C: ConnectionTrait>(c: &C, ctx: &Ctx, out: Outgoing) -> AppResult<Sent> {
    let now = ctx.now();
    let n = out.notice;
    let notice = Notice {
        id: out.id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        topic: n.topic,
        urgency: n.urgency,
        title: n.title,
        body: n.body,
        url: n.url,
        area: n.area,
        source: out.source,
        created_by: out.created_by,
        created_at: now,
        recipients: 0,
    };
    if !store::insert_notice(c, &notice).await? {
        return Ok(Sent { notice_id: notice.id, recipients: 0, warned: 0, fresh: false });
    }
    let deliveries = match &out.audience {
        Audience::Email { address, lang } => {
            vec![NewDelivery {
                account_id: String::new(),
                channel: Channel::Email,
                address: Some(address.clone()),
                lang: lang.code().into(),
                warning: false,
                run_after: now,
            }]
        }
        Audience::Account(id) => {
            let stored = store::settings(c, &ctx.keys, id).await?;
            let lang = identity::store::account_by_id(c, &ctx.keys, id).await?.map(|a| a.lang).unwrap_or_else(|| "sl".into());
            let settings = stored.map(|s| s.settings).unwrap_or_default();
            let push = store::has_push(c, id).await?;
            per_channel(id, &lang, &settings, &notice, Reach { warning: false, push }, now)
        }
        Audience::Subscribers => fan_out(c, ctx, &notice, out.warn_located, now).await?,
    };
    let people: BTreeSet<&str> = deliveries.iter().map(|d| if d.account_id.is_empty() { "visitor" } else { d.account_id.as_str() }).collect();
    let warned: BTreeSet<&str> = deliveries.iter().filter(|d| d.warning).map(|d| d.account_id.as_str()).collect();
    store::insert_deliveries(c, &ctx.keys, &notice.id, &deliveries, now).await?;
    store::set_recipients(c, &notice.id, people.len() as i64).await?;
    metrics::counter!("obcina_notify_deliveries_queued_total").increment(deliveries.len() as u64);
    Ok(Sent { notice_id: notice.id, recipients: people.len(), warned: warned.len(), fresh: true })
}

/// How a person can be reached for one notice.
#[derive(Copy, Clone)]
struct Reach {
    /// Warned where they are: on every channel.
    warning: bool,
    /// A browser of theirs accepts push.
    push: bool,
}

/// One person's deliveries of a notice, by the channels they chose.
fn per_channel(account_id: &str, lang: &str, s: &Settings, n: &Notice, reach: Reach, now: Timestamp) -> Vec<NewDelivery> {
    let warning = reach.warning;
    let mut channels: Vec<Channel> = s.channels(n.topic).to_vec();
    if warning {
        // Where the danger is: every way they can be reached.
        channels.extend([Channel::App, Channel::Push]);
        if s.phone.is_some() {
            channels.push(Channel::Sms);
        }
    }
    channels.sort();
    channels.dedup();
    let wait = hold_back(s.quiet, n.urgency, now);
    channels
        .into_iter()
        .filter(|c| (*c != Channel::Sms || s.phone.is_some()) && (*c != Channel::Push || reach.push))
        .map(|channel| NewDelivery {
            account_id: account_id.to_string(),
            channel,
            address: None,
            lang: lang.to_string(),
            warning,
            run_after: if channel == Channel::App { now } else { now.plus(wait) },
        })
        .collect()
}

/// Everyone a broadcast reaches: those who chose the topic (and whose area
/// touches the notice's), accounts that never chose (by the topic's defaults),
/// and, for a warning, everyone last located in the area.
async fn fan_out<C: ConnectionTrait>(c: &C, ctx: &Ctx, n: &Notice, warn_located: bool, now: Timestamp) -> AppResult<Vec<NewDelivery>> {
    let langs: BTreeMap<String, String> = identity::store::account_langs(c).await?.into_iter().collect();
    let stored: Vec<Stored> = store::all_settings(c, &ctx.keys).await?;
    let push = store::push_accounts(c).await?;
    let mut out = vec![];
    let mut chose = BTreeSet::new();
    for s in &stored {
        chose.insert(s.account_id.clone());
        let Some(lang) = langs.get(&s.account_id) else { continue };
        let located =
            warn_located && n.area.as_ref().zip(s.location.as_ref()).is_some_and(|(area, (Location { lat, lon }, _))| area.contains(*lat, *lon));
        let interested = !s.settings.channels(n.topic).is_empty() && in_area(n.area.as_ref(), &s.settings);
        if located || interested {
            let settings = if interested { s.settings.clone() } else { Settings { topics: BTreeMap::new(), ..s.settings.clone() } };
            out.extend(per_channel(&s.account_id, lang, &settings, n, Reach { warning: located, push: push.contains(&s.account_id) }, now));
        }
    }
    if !n.topic.default_channels().is_empty() {
        let defaults = Settings::default();
        for (id, lang) in langs.iter().filter(|(id, _)| !chose.contains(*id)) {
            out.extend(per_channel(id, lang, &defaults, n, Reach { warning: false, push: push.contains(id) }, now));
        }
    }
    Ok(out)
}

fn in_area(area: Option<&Area>, s: &Settings) -> bool {
    match (area, &s.area) {
        (Some(a), Some(mine)) => a.touches(mine),
        _ => true,
    }
}

/// A staff notice to the subscribers of a topic (and area).
pub async fn publish(ctx: &Ctx, actor: &Actor, notice: NoticeInput) -> AppResult<Sent> {
    let user = actor.check(Permission::SendNotices)?;
    if notice.topic.is_personal() {
        return Err(AppError::field("topic", "personal_topic"));
    }
    let notice = notice
        .validate()
        .map_err(|e| AppError::invalid(e.into_iter().map(|(f, c)| kernel::error::FieldError { field: f.into(), code: c.into() }).collect()))?;
    let txn = ctx.db.begin().await?;
    let sent = send(
        &txn,
        ctx,
        Outgoing {
            id: None,
            notice,
            audience: Audience::Subscribers,
            source: format!("staff:{}", user.account_id),
            created_by: Some(user.account_id.clone()),
            warn_located: false,
        },
    )
    .await?;
    kernel::audit::append(
        &txn,
        &ctx.keys,
        ctx.now(),
        &kernel::audit::AuditEntry {
            actor: &format!("account:{}", user.account_id),
            action: "notify.publish",
            subject: &format!("notice:{}", sent.notice_id),
            outcome: "ok",
            detail: serde_json::json!({"recipients": sent.recipients}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(sent)
}

/// A person's settings, or the defaults.
pub async fn settings_of(ctx: &Ctx, account_id: &str) -> AppResult<Stored> {
    Ok(store::settings(ctx.db.conn(), &ctx.keys, account_id).await?.unwrap_or(Stored {
        account_id: account_id.to_string(),
        settings: Settings::default(),
        location: None,
    }))
}

pub async fn save_settings(ctx: &Ctx, actor: &Actor, s: &Settings) -> AppResult<()> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    store::save_settings(ctx.db.conn(), &ctx.keys, &user.account_id, s, ctx.now()).await?;
    Ok(())
}

/// The app shares where the person is (only kept with their consent).
pub async fn share_location(ctx: &Ctx, actor: &Actor, lat: f64, lon: f64) -> AppResult<()> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(AppError::field("location", "out_of_range"));
    }
    if !store::set_location(ctx.db.conn(), &ctx.keys, &user.account_id, Location { lat, lon }, ctx.now()).await? {
        return Err(AppError::forbidden("no_location_consent"));
    }
    Ok(())
}
