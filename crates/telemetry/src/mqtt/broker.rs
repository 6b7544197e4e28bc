//! The embedded MQTT broker. It speaks 3.1.1 and 5 and acknowledges a
//! PUBLISH of readings (PUBACK at QoS 1, PUBREC at QoS 2) only after the
//! readings are committed, so an acknowledged reading survives a crash. A
//! client may pipeline many publishes: they are ingested concurrently and
//! acknowledged in the order they arrived, as MQTT requires.

use super::codec::{self, DecodeError, In, Out, Refusal, Version};
use super::{matches, may_publish, may_subscribe, parse_topic};
use crate::Telemetry;
use crate::model::{self, Candidate, Precision, Reason, Rejection, Sender};
use bytes::{Bytes, BytesMut};
use kernel::Ctx;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A CONNECT must arrive this soon after the TCP connection opens.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the writer of a connection sends next: a packet now, or the answers
/// of an ingestion still running (`Err` closes the connection unacknowledged).
enum Pending {
    Ready(Out),
    Wait(JoinHandle<Result<Vec<Out>, ()>>),
}

/// Publishes of readings taken into one ingestion at most.
const MAX_BATCH: usize = 1000;

/// Publishes of readings that arrived together: (device key, QoS, packet id, payload).
type Batch = Vec<(String, u8, u16, Bytes)>;

struct Session {
    filters: Vec<(String, u8)>,
    tx: mpsc::Sender<Pending>,
    next_pkid: AtomicU16,
}

#[derive(Default)]
pub struct Broker {
    sessions: RwLock<HashMap<u64, Session>>,
    next_id: AtomicU64,
}

impl Broker {
    /// Deliver a message to every subscriber whose filter matches; returns
    /// how many sessions got it. Used for commands to devices.
    pub fn publish(&self, topic: &str, payload: Bytes, qos: u8) -> usize {
        let sessions = self.sessions.read().expect("sessions");
        let mut n = 0;
        for s in sessions.values() {
            let Some(granted) = s.filters.iter().filter(|(f, _)| matches(topic, f)).map(|(_, q)| *q).max() else {
                continue;
            };
            let qos = qos.min(granted);
            let pkid = if qos == 0 { 0 } else { next_pkid(&s.next_pkid) };
            let out = Out::Publish { topic: topic.to_string(), qos, pkid, payload: payload.clone() };
            if s.tx.try_send(Pending::Ready(out)).is_ok() {
                n += 1;
            } else {
                tracing::warn!(topic, "a subscriber is too slow; message not delivered");
            }
        }
        n
    }

    /// Sessions connected now.
    pub fn connected(&self) -> usize {
        self.sessions.read().expect("sessions").len()
    }
}

fn next_pkid(c: &AtomicU16) -> u16 {
    loop {
        let p = c.fetch_add(1, Ordering::Relaxed);
        if p != 0 {
            return p;
        }
    }
}

/// Accept connections until the task is dropped.
pub async fn serve(listener: TcpListener, broker: Arc<Broker>, ctx: Ctx, t: Telemetry) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "MQTT accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (broker, ctx, t) = (broker.clone(), ctx.clone(), t.clone());
        tokio::spawn(async move {
            if let Err(e) = connection(stream, broker, ctx, t).await {
                tracing::debug!(%peer, error = %e, "MQTT connection closed");
            }
        });
    }
}

async fn fill(rd: &mut tokio::net::tcp::OwnedReadHalf, buf: &mut BytesMut) -> Result<(), String> {
    if buf.capacity() - buf.len() < 4096 {
        buf.reserve(16 * 1024);
    }
    match rd.read_buf(buf).await {
        Ok(0) => Err("closed by the client".into()),
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

async fn connection(stream: TcpStream, broker: Arc<Broker>, ctx: Ctx, t: Telemetry) -> Result<(), String> {
    let _ = stream.set_nodelay(true);
    let (mut rd, mut wr) = stream.into_split();
    let mut buf = BytesMut::with_capacity(16 * 1024);
    let connect = tokio::time::timeout(CONNECT_TIMEOUT, async {
        loop {
            match codec::read_connect(&mut buf) {
                Ok(c) => return Ok(c),
                Err(DecodeError::Incomplete) => fill(&mut rd, &mut buf).await?,
                Err(DecodeError::Malformed(e)) => return Err(e),
            }
        }
    })
    .await
    .map_err(|_| "no CONNECT in time".to_string())??;
    let version = connect.version;
    let who = match (&connect.username, &connect.password) {
        (Some(u), Some(p)) => t.authenticate(&ctx, u, p).await.map_err(|e| e.to_string())?,
        _ => None,
    };
    let mut out = BytesMut::new();
    codec::write(version, &Out::ConnAck { ok: who.is_some(), bad_credentials: who.is_none() }, &mut out)?;
    wr.write_all(&out).await.map_err(|e| e.to_string())?;
    let Some(who) = who else {
        metrics::counter!("mqtt_logins_refused_total").increment(1);
        return Err(format!("refused login for {:?}", connect.username));
    };
    let (tx, rx) = mpsc::channel::<Pending>(1024);
    let id = broker.next_id.fetch_add(1, Ordering::Relaxed);
    broker.sessions.write().expect("sessions").insert(id, Session { filters: vec![], tx: tx.clone(), next_pkid: AtomicU16::new(1) });
    let mut writer = tokio::spawn(write_loop(wr, version, rx));
    // The client must send something within 1.5 × its keep-alive.
    let idle = match connect.keep_alive {
        0 => Duration::from_secs(24 * 3600),
        k => Duration::from_millis(k as u64 * 1500),
    };
    let result = tokio::select! {
        r = read_loop(&mut rd, &mut buf, version, idle, &who, &tx, &broker, id, &ctx, &t) => r,
        _ = &mut writer => Err("the connection could not be written".into()),
    };
    broker.sessions.write().expect("sessions").remove(&id);
    drop(tx);
    if result.is_ok() {
        // Let answers still in flight go out before closing.
        let _ = tokio::time::timeout(Duration::from_secs(30), writer).await;
    } else {
        writer.abort();
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn read_loop(
    rd: &mut tokio::net::tcp::OwnedReadHalf,
    buf: &mut BytesMut,
    version: Version,
    idle: Duration,
    who: &Sender,
    tx: &mpsc::Sender<Pending>,
    broker: &Broker,
    id: u64,
    ctx: &Ctx,
    t: &Telemetry,
) -> Result<(), String> {
    let send = |p: Pending| async move { tx.send(p).await.map_err(|_| "writer gone".to_string()) };
    // Publishes of readings already read are ingested together, when no
    // more is waiting in the buffer (or another kind of packet comes).
    let mut batch: Batch = vec![];
    loop {
        let packet = match codec::read(version, buf) {
            Ok(p) => p,
            Err(DecodeError::Incomplete) => {
                if !batch.is_empty() {
                    send(ingest_batch(std::mem::take(&mut batch), ctx, t, who)).await?;
                }
                tokio::time::timeout(idle, fill(rd, buf)).await.map_err(|_| "keep-alive expired".to_string())??;
                continue;
            }
            Err(DecodeError::Malformed(e)) => return Err(e),
        };
        if let In::Publish { topic, qos, pkid, payload } = &packet
            && let Some((key, "readings")) = parse_topic(topic).filter(|_| may_publish(who, topic))
        {
            metrics::counter!("mqtt_publish_received_total").increment(1);
            batch.push((key.to_string(), *qos, *pkid, payload.clone()));
            if batch.len() >= MAX_BATCH {
                send(ingest_batch(std::mem::take(&mut batch), ctx, t, who)).await?;
            }
            continue;
        }
        // Anything else is answered after the readings before it.
        if !batch.is_empty() {
            send(ingest_batch(std::mem::take(&mut batch), ctx, t, who)).await?;
        }
        match packet {
            In::Publish { topic, qos, pkid, payload } => {
                metrics::counter!("mqtt_publish_received_total").increment(1);
                if !may_publish(who, &topic) {
                    if version == Version::V311 {
                        // 3.1.1 cannot say "not authorised" in an acknowledgement: close.
                        return Err(format!("publish to {topic} not allowed"));
                    }
                    if let Some(ack) = ack(qos, pkid, Some(Refusal::NotAuthorized)) {
                        send(Pending::Ready(ack)).await?;
                    }
                    continue;
                }
                let (key, tail) = parse_topic(&topic).expect("checked by may_publish");
                if tail == "commands/ack" {
                    broker.publish(&topic, payload.clone(), qos);
                    let (t, key) = (t.clone(), key.to_string());
                    let job = tokio::spawn(async move {
                        match t.answer(&key, &payload).await {
                            Ok(true) => Ok(ack(qos, pkid, None).into_iter().collect()),
                            Ok(false) => Err(()),
                            Err(e) => {
                                tracing::debug!(error = %e, "a device sent a malformed answer");
                                Ok(ack(qos, pkid, Some(Refusal::PayloadFormatInvalid)).into_iter().collect())
                            }
                        }
                    });
                    send(Pending::Wait(job)).await?;
                } else {
                    broker.publish(&topic, payload, qos);
                    if let Some(a) = ack(qos, pkid, None) {
                        send(Pending::Ready(a)).await?;
                    }
                }
            }
            In::PubRel { pkid } => send(Pending::Ready(Out::PubComp { pkid })).await?,
            In::PubAck { .. } => {}
            In::Subscribe { pkid, filters } => {
                let granted = subscribe(broker, id, who, filters);
                send(Pending::Ready(Out::SubAck { pkid, granted })).await?;
            }
            In::Unsubscribe { pkid, filters } => {
                if let Some(s) = broker.sessions.write().expect("sessions").get_mut(&id) {
                    s.filters.retain(|(g, _)| !filters.contains(g));
                }
                send(Pending::Ready(Out::UnsubAck { pkid, n: filters.len() })).await?;
            }
            In::PingReq => send(Pending::Ready(Out::PingResp)).await?,
            In::Disconnect => return Ok(()),
            In::Unexpected => return Err("protocol error: unexpected packet".into()),
        }
    }
}

/// Ingest publishes of readings in one write; their acknowledgements, in
/// order, once the readings are durable. MQTT 5 refuses a publish none of
/// whose readings passed.
fn ingest_batch(batch: Batch, ctx: &Ctx, t: &Telemetry, who: &Sender) -> Pending {
    let (ctx, t, who) = (ctx.clone(), t.clone(), who.clone());
    Pending::Wait(tokio::spawn(async move {
        let candidates = batch.iter().map(|(key, _, _, payload)| candidates_for(key, payload)).collect();
        match t.ingest_many(&ctx, &who, candidates).await {
            Ok(reports) => Ok(batch
                .iter()
                .zip(reports)
                .filter_map(|((_, qos, pkid, _), report)| {
                    let refused = (report.accepted + report.duplicates == 0 && !report.rejected.is_empty()).then_some(Refusal::PayloadFormatInvalid);
                    ack(*qos, *pkid, refused)
                })
                .collect()),
            Err(e) => {
                tracing::error!(error = %e, "MQTT readings not stored; the client will resend");
                Err(())
            }
        }
    }))
}

/// Add the allowed filters to the session (at most QoS 1); `None` for a refused one.
fn subscribe(broker: &Broker, id: u64, who: &Sender, filters: Vec<(String, u8)>) -> Vec<Option<u8>> {
    let mut sessions = broker.sessions.write().expect("sessions");
    let Some(session) = sessions.get_mut(&id) else {
        return vec![None; filters.len()];
    };
    filters
        .into_iter()
        .map(|(f, q)| {
            if !may_subscribe(who, &f) {
                return None;
            }
            let q = q.min(1);
            session.filters.retain(|(g, _)| g != &f);
            session.filters.push((f, q));
            Some(q)
        })
        .collect()
}

/// The acknowledgement a publish of this QoS needs.
fn ack(qos: u8, pkid: u16, refused: Option<Refusal>) -> Option<Out> {
    match qos {
        0 => None,
        1 => Some(Out::PubAck { pkid, refused }),
        _ => Some(Out::PubRec { pkid, refused }),
    }
}

/// A JSON batch (device may be left out) or lines of the line format.
pub fn candidates_for(key: &str, payload: &Bytes) -> Vec<Result<Candidate, Rejection>> {
    let malformed =
        |detail: String| vec![Err(Rejection { index: 0, device: key.to_string(), quantity: String::new(), reason: Reason::Malformed, detail })];
    let Ok(text) = std::str::from_utf8(payload) else {
        return malformed("the payload is not UTF-8".into());
    };
    if text.trim_start().starts_with('{') {
        match serde_json::from_str::<model::BatchIn>(text) {
            Ok(batch) => model::from_json(batch, Some(key)),
            Err(e) => malformed(e.to_string()),
        }
    } else {
        model::from_lines(text, Precision::Ns)
    }
}

async fn write_loop(mut wr: tokio::net::tcp::OwnedWriteHalf, version: Version, mut rx: mpsc::Receiver<Pending>) {
    let mut buf = BytesMut::with_capacity(4096);
    while let Some(p) = rx.recv().await {
        let out = match p {
            Pending::Ready(o) => vec![o],
            Pending::Wait(job) => match job.await {
                Ok(Ok(o)) => o,
                _ => return,
            },
        };
        for o in &out {
            if codec::write(version, o, &mut buf).is_err() {
                return;
            }
        }
        // Write when nothing else is ready, so acknowledgements of a pipelined burst go out together.
        if (rx.is_empty() || buf.len() > 64 * 1024) && !buf.is_empty() {
            if wr.write_all(&buf).await.is_err() {
                return;
            }
            buf.clear();
        }
    }
    if !buf.is_empty() {
        let _ = wr.write_all(&buf).await;
    }
}
