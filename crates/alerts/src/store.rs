//! The alerts' SQL (both backends): the only place that touches `alerts_messages`.

use crate::cap::{MsgType, Status};
use crate::model::Content;
use kernel::Timestamp;
use kernel::db::{col, exec, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};

/// One published CAP message.
#[derive(Clone, Debug)]
pub struct Message {
    pub identifier: String,
    pub sender: String,
    /// `sent` exactly as in the document (for references).
    pub sent: String,
    pub sent_at: Timestamp,
    pub status: Status,
    pub msg_type: MsgType,
    /// Identifier of the first message of this alert.
    pub thread: String,
    pub refs: Option<String>,
    pub superseded_by: Option<String>,
    pub expires_at: Timestamp,
    pub content: Content,
    pub note: Option<String>,
    /// The notice of the notifications hub that carried it to subscribers.
    pub notice_id: Option<String>,
    pub created_by: Option<String>,
    pub demo: bool,
}

const COLUMNS: &str =
    "identifier, sender, sent, sent_at, status, msg_type, thread, refs, superseded_by, expires_at, content, note, notice_id, created_by, demo";

fn from_row(r: &QueryResult) -> Result<Message, DbErr> {
    let bad = |what: &str, v: &str| DbErr::Custom(format!("alerts_messages: bad {what} {v:?}"));
    let status: String = col(r, "status")?;
    let msg_type: String = col(r, "msg_type")?;
    let content: String = col(r, "content")?;
    Ok(Message {
        identifier: col(r, "identifier")?,
        sender: col(r, "sender")?,
        sent: col(r, "sent")?,
        sent_at: Timestamp(col(r, "sent_at")?),
        status: Status::parse(&status).ok_or_else(|| bad("status", &status))?,
        msg_type: MsgType::parse(&msg_type).ok_or_else(|| bad("msgType", &msg_type))?,
        thread: col(r, "thread")?,
        refs: col(r, "refs")?,
        superseded_by: col(r, "superseded_by")?,
        expires_at: Timestamp(col(r, "expires_at")?),
        content: serde_json::from_str(&content).map_err(|e| DbErr::Custom(format!("alerts_messages.content: {e}")))?,
        note: col(r, "note")?,
        notice_id: col(r, "notice_id")?,
        created_by: col(r, "created_by")?,
        demo: col::<i32>(r, "demo")? != 0,
    })
}

pub async fn insert<C: ConnectionTrait>(c: &C, m: &Message, xml: &str) -> Result<(), DbErr> {
    let content = serde_json::to_string(&m.content).map_err(|e| DbErr::Custom(e.to_string()))?;
    exec(
        c,
        &format!("INSERT INTO alerts_messages ({COLUMNS}, xml) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"),
        [
            m.identifier.clone().into(),
            m.sender.clone().into(),
            m.sent.clone().into(),
            m.sent_at.0.into(),
            m.status.as_str().into(),
            m.msg_type.as_str().into(),
            m.thread.clone().into(),
            opt_str(m.refs.clone()),
            opt_str(m.superseded_by.clone()),
            m.expires_at.0.into(),
            content.into(),
            opt_str(m.note.clone()),
            opt_str(m.notice_id.clone()),
            opt_str(m.created_by.clone()),
            (m.demo as i32).into(),
            xml.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// Mark a message superseded; false if another message superseded it first.
pub async fn supersede<C: ConnectionTrait>(c: &C, identifier: &str, by: &str) -> Result<bool, DbErr> {
    let n = exec(c, "UPDATE alerts_messages SET superseded_by = $1 WHERE identifier = $2 AND superseded_by IS NULL", [by.into(), identifier.into()])
        .await?;
    Ok(n == 1)
}

pub async fn set_notice<C: ConnectionTrait>(c: &C, identifier: &str, notice_id: &str) -> Result<(), DbErr> {
    exec(c, "UPDATE alerts_messages SET notice_id = $1 WHERE identifier = $2", [notice_id.into(), identifier.into()]).await.map(|_| ())
}

pub async fn get<C: ConnectionTrait>(c: &C, identifier: &str) -> Result<Option<Message>, DbErr> {
    query_opt(c, &format!("SELECT {COLUMNS} FROM alerts_messages WHERE identifier = $1"), [identifier.into()])
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// The CAP document as published.
pub async fn xml<C: ConnectionTrait>(c: &C, identifier: &str) -> Result<Option<String>, DbErr> {
    query_opt(c, "SELECT xml FROM alerts_messages WHERE identifier = $1", [identifier.into()]).await?.map(|r| col(&r, "xml")).transpose()
}

/// The messages of one alert, oldest first: the first message, then each
/// one that superseded the one before (`sent` has whole seconds only, so
/// two messages of one second are ordered by the chain, not by time).
pub async fn thread<C: ConnectionTrait>(c: &C, thread: &str) -> Result<Vec<Message>, DbErr> {
    let rows =
        query_all(c, &format!("SELECT {COLUMNS} FROM alerts_messages WHERE thread = $1 ORDER BY sent_at, identifier"), [thread.into()]).await?;
    let mut rest: Vec<Message> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    let mut chain = Vec::with_capacity(rest.len());
    let mut next = Some(thread.to_string());
    while let Some(id) = next.take() {
        let Some(i) = rest.iter().position(|m| m.identifier == id) else { break };
        let m = rest.remove(i);
        next = m.superseded_by.clone();
        chain.push(m);
    }
    chain.extend(rest);
    Ok(chain)
}

/// The newest messages, newest first.
pub async fn recent<C: ConnectionTrait>(c: &C, limit: i64) -> Result<Vec<Message>, DbErr> {
    let rows =
        query_all(c, &format!("SELECT {COLUMNS} FROM alerts_messages ORDER BY sent_at DESC, identifier DESC LIMIT $1"), [limit.into()]).await?;
    rows.iter().map(from_row).collect()
}

/// The latest message of each alert, newest first.
pub async fn latest<C: ConnectionTrait>(c: &C, limit: i64) -> Result<Vec<Message>, DbErr> {
    let rows = query_all(
        c,
        &format!("SELECT {COLUMNS} FROM alerts_messages WHERE superseded_by IS NULL ORDER BY sent_at DESC, identifier DESC LIMIT $1"),
        [limit.into()],
    )
    .await?;
    rows.iter().map(from_row).collect()
}

/// Whether any message exists (the demo loads into an empty table only).
pub async fn is_empty<C: ConnectionTrait>(c: &C) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT identifier FROM alerts_messages LIMIT 1", []).await?.is_none())
}

/// Every message of the actual alerts (not exercises, tests or demo data), oldest first.
pub async fn actual_messages<C: ConnectionTrait>(c: &C) -> Result<Vec<Message>, DbErr> {
    let rows = query_all(c, &format!("SELECT {COLUMNS} FROM alerts_messages WHERE status = 'Actual' AND demo = 0 ORDER BY sent_at"), []).await?;
    rows.iter().map(from_row).collect()
}
