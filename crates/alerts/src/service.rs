//! The alerts' rules: who may issue, update and cancel, how each message is
//! built and checked against CAP 1.2, and that the message, its audit entry
//! and its fan-out to subscribers commit together.

use crate::AlertsConfig;
use crate::cap::{MsgType, Reference};
use crate::model::{self, AlertInput, Content, Envelope};
use crate::store::{self, Message};
use kernel::access::UserActor;
use kernel::error::FieldError;
use kernel::{Actor, AppError, AppResult, Ctx, Permission, Timestamp};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a message stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The latest message of its alert, not expired.
    Current,
    /// A later message (update or cancellation) replaced it.
    Superseded,
    /// The latest message, past its `expires`.
    Expired,
    /// A cancellation.
    Cancelled,
}

impl State {
    pub fn of(m: &Message, now: Timestamp) -> State {
        if m.msg_type == MsgType::Cancel {
            State::Cancelled
        } else if m.superseded_by.is_some() {
            State::Superseded
        } else if m.expires_at <= now {
            State::Expired
        } else {
            State::Current
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            State::Current => "current",
            State::Superseded => "superseded",
            State::Expired => "expired",
            State::Cancelled => "cancelled",
        }
    }
}

/// Why a cancellation is sent (CAP `note`).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// At most 500 characters, e.g. "Vaja je končana. / The exercise is over."
    pub note: String,
}

pub const NOTE_MAX: usize = 500;

fn invalid(fields: Vec<FieldError>) -> AppError {
    AppError::invalid(fields)
}

/// Issue a new alert.
pub async fn issue(ctx: &Ctx, cfg: &AlertsConfig, actor: &Actor, input: &AlertInput) -> AppResult<Message> {
    let user = actor.check(Permission::IssueAlerts)?;
    let now = ctx.now();
    let content = input.validate(now).map_err(invalid)?;
    let txn = ctx.db.begin().await?;
    let m = publish(&txn, ctx, cfg, user, content, MsgType::Alert, None, None).await?;
    txn.commit().await?;
    Ok(m)
}

/// Replace the content of an alert with an Update message.
pub async fn update(ctx: &Ctx, cfg: &AlertsConfig, actor: &Actor, identifier: &str, input: &AlertInput) -> AppResult<Message> {
    let user = actor.check(Permission::IssueAlerts)?;
    let content = input.validate(ctx.now()).map_err(invalid)?;
    let txn = ctx.db.begin().await?;
    let previous = open_message(&txn, identifier).await?;
    let m = publish(&txn, ctx, cfg, user, content, MsgType::Update, Some(&previous), None).await?;
    txn.commit().await?;
    Ok(m)
}

/// End an alert with a Cancel message (its last content, all clear).
pub async fn cancel(ctx: &Ctx, cfg: &AlertsConfig, actor: &Actor, identifier: &str, input: &CancelInput) -> AppResult<Message> {
    let user = actor.check(Permission::IssueAlerts)?;
    let note = input.note.trim();
    if note.is_empty() {
        return Err(AppError::field("note", "required"));
    }
    if note.chars().count() > NOTE_MAX {
        return Err(AppError::field("note", "too_long"));
    }
    let txn = ctx.db.begin().await?;
    let previous = open_message(&txn, identifier).await?;
    let mut content = previous.content.clone();
    // A cancellation applies from now; it keeps the alert's expiry unless that has passed.
    content.expires = content.expires.max(ctx.now().plus(std::time::Duration::from_secs(3600)));
    let m = publish(&txn, ctx, cfg, user, content, MsgType::Cancel, Some(&previous), Some(note.to_string())).await?;
    txn.commit().await?;
    Ok(m)
}

/// The latest message of an alert, which updates and cancellations refer to.
async fn open_message(txn: &DatabaseTransaction, identifier: &str) -> AppResult<Message> {
    let m = store::get(txn, identifier).await?.ok_or_else(AppError::not_found)?;
    if m.msg_type == MsgType::Cancel {
        return Err(AppError::conflict("alert_cancelled"));
    }
    if let Some(by) = &m.superseded_by {
        return Err(AppError::conflict("alert_superseded").with_detail(format!("superseded by {by}")));
    }
    Ok(m)
}

/// Build, check, store, audit and announce one message, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn publish(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    cfg: &AlertsConfig,
    user: &UserActor,
    content: Content,
    msg_type: MsgType,
    previous: Option<&Message>,
    note: Option<String>,
) -> AppResult<Message> {
    let now = ctx.now();
    // CAP times have whole seconds; `sent` is the moment of publication.
    let sent = Timestamp(now.0 / 1000 * 1000);
    let identifier = model::new_identifier(&cfg.identifier_prefix, sent);
    let references = match previous {
        Some(p) => references(txn, p).await?,
        None => vec![],
    };
    let envelope = Envelope { identifier: identifier.clone(), sent, msg_type, references, note: note.clone() };
    let doc = model::build(&content, &envelope, &cfg.profile(ctx));
    model::check_document(&doc, now).map_err(invalid)?;
    let message = Message {
        identifier: identifier.clone(),
        sender: doc.sender.clone(),
        sent: doc.sent.clone(),
        // Milliseconds kept for ordering messages of the same second.
        sent_at: now,
        status: content.status,
        msg_type,
        thread: previous.map(|p| p.thread.clone()).unwrap_or_else(|| identifier.clone()),
        refs: doc.references.clone(),
        superseded_by: None,
        expires_at: content.expires,
        content,
        note,
        notice_id: None,
        created_by: Some(user.account_id.clone()),
        demo: false,
    };
    store::insert(txn, &message, &doc.to_xml())
        .await
        .map_err(|e| if kernel::db::is_unique_violation(&e) { AppError::conflict("identifier_taken") } else { AppError::from(e) })?;
    if let Some(p) = previous
        && !store::supersede(txn, &p.identifier, &identifier).await?
    {
        return Err(AppError::conflict("alert_superseded"));
    }
    let sent = crate::fanout::announce(txn, ctx, &message, user).await?;
    let notice_id = sent.as_ref().map(|s| s.notice_id.clone());
    if let Some(id) = &notice_id {
        store::set_notice(txn, &identifier, id).await?;
    }
    let action = match msg_type {
        MsgType::Update => "alerts.update",
        MsgType::Cancel => "alerts.cancel",
        _ => "alerts.issue",
    };
    ctx.audit(
        txn,
        kernel::audit::AuditEntry {
            actor: &format!("account:{}", user.account_id),
            action,
            subject: &format!("alert:{identifier}"),
            outcome: "ok",
            detail: serde_json::json!({
                "thread": message.thread,
                "status": message.status.as_str(),
                "msg_type": msg_type.as_str(),
                "references": message.refs,
                "notice": notice_id,
                "recipients": sent.as_ref().map(|s| s.recipients),
                "warned": sent.as_ref().map(|s| s.warned),
            }),
        },
    )
    .await?;
    Ok(Message { notice_id, ..message })
}

/// `sender,identifier,sent` of every earlier message of the alert, oldest first.
async fn references(txn: &DatabaseTransaction, latest: &Message) -> AppResult<Vec<Reference>> {
    Ok(store::thread(txn, &latest.thread)
        .await?
        .into_iter()
        .map(|m| Reference { sender: m.sender, identifier: m.identifier, sent: m.sent })
        .collect())
}

/// A message as the API shows it: its envelope and state, and its content
/// in the form it is written (so an update can start from it).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AlertView {
    pub identifier: String,
    pub sender: String,
    /// CAP `sent`, with the offset as published.
    pub sent: String,
    pub msg_type: MsgType,
    pub state: State,
    /// The first message of this alert.
    pub thread: String,
    /// CAP `references`: `sender,identifier,sent` of the earlier messages.
    pub references: Option<String>,
    pub superseded_by: Option<String>,
    pub note: Option<String>,
    /// The CAP document.
    pub cap_url: String,
    /// The public page.
    pub page_url: String,
    /// Times in RFC 3339 UTC.
    #[serde(flatten)]
    pub content: AlertInput,
}

impl AlertView {
    pub fn of(m: &Message, now: Timestamp) -> AlertView {
        AlertView {
            identifier: m.identifier.clone(),
            sender: m.sender.clone(),
            sent: m.sent.clone(),
            msg_type: m.msg_type,
            state: State::of(m, now),
            thread: m.thread.clone(),
            references: m.refs.clone(),
            superseded_by: m.superseded_by.clone(),
            note: m.note.clone(),
            cap_url: format!("/alerts/cap/{}.xml", m.identifier),
            page_url: format!("/alerts/{}", m.identifier),
            content: input_of(&m.content),
        }
    }
}

/// The area's shape as the API writes it: a GeoJSON-ordered ring, or a circle.
fn shape_input(c: &Content) -> (Option<Vec<[f64; 2]>>, Option<model::CircleInput>) {
    match &c.shape {
        Some(model::Shape::Polygon { ring }) => (Some(ring.iter().map(|(lat, lon)| [*lon, *lat]).collect()), None),
        Some(model::Shape::Circle { lat, lon, radius_km }) => (None, Some(model::CircleInput { lat: *lat, lon: *lon, radius_km: *radius_km })),
        None => (None, None),
    }
}

/// The input that reproduces a message's content (to prefill an update).
pub fn input_of(c: &Content) -> AlertInput {
    let (polygon, circle) = shape_input(c);
    AlertInput {
        status: c.status,
        event: c.event.clone(),
        category: c.category.clone(),
        response_type: c.response_type.clone(),
        urgency: c.urgency,
        severity: c.severity,
        certainty: c.certainty,
        headline: c.headline.clone(),
        description: c.description.clone(),
        instruction: c.instruction.clone(),
        web: c.web.clone(),
        onset: c.onset.map(Timestamp::rfc3339),
        expires: c.expires.rfc3339(),
        area: model::AreaInput { desc: c.area_desc.clone(), polygon, circle },
    }
}

/// Demo messages go in as published documents, without audit or fan-out.
/// The envelope's references are filled in from `previous`.
pub async fn insert_demo(ctx: &Ctx, cfg: &AlertsConfig, content: Content, mut envelope: Envelope, previous: Option<&Message>) -> AppResult<Message> {
    let txn = ctx.db.begin().await?;
    if let Some(p) = previous {
        envelope.references = references(&txn, p).await?;
    }
    let doc = model::build(&content, &envelope, &cfg.profile(ctx));
    model::check_document(&doc, ctx.now()).map_err(invalid)?;
    let m = Message {
        identifier: envelope.identifier.clone(),
        sender: doc.sender.clone(),
        sent: doc.sent.clone(),
        sent_at: envelope.sent,
        status: content.status,
        msg_type: envelope.msg_type,
        thread: previous.map(|p| p.thread.clone()).unwrap_or_else(|| envelope.identifier.clone()),
        refs: doc.references.clone(),
        superseded_by: None,
        expires_at: content.expires,
        content,
        note: envelope.note.clone(),
        notice_id: None,
        created_by: None,
        demo: true,
    };
    store::insert(&txn, &m, &doc.to_xml()).await?;
    if let Some(p) = previous {
        store::supersede(&txn, &p.identifier, &m.identifier).await?;
    }
    txn.commit().await?;
    Ok(m)
}
