//! Subscribe to an external broker (e.g. Mosquitto) instead of, or beside,
//! the embedded one. The platform subscribes with a persistent session and
//! acknowledges each message only after its readings are committed, so the
//! broker redelivers whatever was in flight when the platform stopped.

use super::{PREFIX, parse_topic};
use crate::Telemetry;
use crate::model::Sender;
use kernel::Ctx;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::time::Duration;

/// `mqtt://[user:password@]host[:port]`.
pub fn options(url: &str, client_id: &str) -> Result<MqttOptions, String> {
    let rest = url.strip_prefix("mqtt://").ok_or("the external broker URL must start with mqtt://")?;
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let host = host.trim_end_matches('/');
    let (h, port) = match host.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| "bad port in the external broker URL")?),
        None => (host, 1883),
    };
    let mut o = MqttOptions::new(client_id, h, port);
    o.set_keep_alive(Duration::from_secs(30)).set_clean_session(false).set_manual_acks(true).set_max_packet_size(1 << 20, 1 << 20);
    if let Some(a) = auth {
        let (u, p) = a.split_once(':').unwrap_or((a, ""));
        o.set_credentials(u, p);
    }
    Ok(o)
}

/// Commands go out through the external broker.
struct ExternalBus(AsyncClient);

impl crate::commands::Delivery for ExternalBus {
    fn deliver(&self, device: &str, payload: bytes::Bytes) -> bool {
        self.0.try_publish(format!("{PREFIX}{device}/commands"), QoS::AtLeastOnce, false, payload.to_vec()).is_ok()
    }
}

/// Run until the task is dropped, reconnecting after failures.
pub async fn run(url: String, ctx: Ctx, t: Telemetry) {
    // One persistent session per host; processes share the subscription.
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    let opts = match options(&url, &format!("obcina-{host}")) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "external MQTT broker not used");
            return;
        }
    };
    let (client, mut events) = AsyncClient::new(opts, 1024);
    t.add_delivery(std::sync::Arc::new(ExternalBus(client.clone())));
    let filter = format!("$share/obcina/{PREFIX}+/readings");
    let answers = format!("$share/obcina/{PREFIX}+/commands/ack");
    loop {
        match events.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!("connected to the external MQTT broker");
                for f in [&filter, &answers] {
                    if let Err(e) = client.subscribe(f.clone(), QoS::AtLeastOnce).await {
                        tracing::error!(error = %e, "subscribing at the external broker failed");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let (key, tail) = match parse_topic(&p.topic) {
                    Some((k, tail)) => (k.to_string(), tail.to_string()),
                    None => {
                        let _ = client.ack(&p).await;
                        continue;
                    }
                };
                if tail == "commands/ack" {
                    if !matches!(t.answer(&key, &p.payload).await, Ok(false)) {
                        let _ = client.ack(&p).await;
                    }
                    continue;
                }
                if tail != "readings" {
                    let _ = client.ack(&p).await;
                    continue;
                }
                let key = key.as_str();
                // The external broker authenticated the device and enforces its ACL.
                let candidates = super::broker::candidates_for(key, &p.payload);
                match t.ingest(&ctx, &Sender::Integration, candidates).await {
                    Ok(_) => {
                        let _ = client.ack(&p).await;
                    }
                    Err(e) => tracing::error!(error = %e, "readings from the external broker not stored; it will redeliver"),
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "external MQTT broker connection lost; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls() {
        let o = options("mqtt://svc:pa:ss@mqtt.ptuj.si:8883", "x").unwrap();
        assert_eq!(o.broker_address(), ("mqtt.ptuj.si".to_string(), 8883));
        assert_eq!(o.credentials(), Some(rumqttc::Login::new("svc", "pa:ss")));
        assert_eq!(options("mqtt://localhost", "x").unwrap().broker_address().1, 1883);
        assert!(options("http://x", "x").is_err());
    }
}
