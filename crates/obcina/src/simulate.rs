//! `obcina simulate`: drive a running platform with the demo fleet's stream,
//! over HTTP (line-format batches) or MQTT (QoS 1, one message per device).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use telemetry::simulate::Simulator;
use tokio::sync::Semaphore;

const STEP_MS: i64 = 5 * 60_000;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Transport {
    Http,
    Mqtt,
}

#[derive(clap::Args)]
pub struct Args {
    /// Base URL of the running platform.
    #[arg(long, env = "OBCINA_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Integration token with the telemetry:write scope (`obcina token issue --name Simulator --scope telemetry:write`).
    #[arg(long, env = "OBCINA_TOKEN", hide_env_values = true)]
    token: String,
    /// How readings travel: HTTP batches or MQTT messages.
    #[arg(long, value_enum, default_value = "http")]
    transport: Transport,
    /// MQTT broker (host:port) for --transport mqtt.
    #[arg(long, default_value = "127.0.0.1:1883")]
    mqtt: String,
    /// Hours of history sent first, in five-minute steps, ending now.
    #[arg(long, default_value_t = 24)]
    history_hours: i64,
    /// After the history, keep sending live readings every five minutes until stopped.
    #[arg(long)]
    follow: bool,
    /// Readings per HTTP request.
    #[arg(long, default_value_t = 5000)]
    batch: usize,
    /// HTTP requests in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
}

#[derive(Default)]
struct Totals {
    sent: AtomicU64,
    accepted: AtomicU64,
    duplicates: AtomicU64,
    rejected: AtomicU64,
    failed: AtomicU64,
    /// MQTT: messages the broker acknowledged (it does not say per reading).
    acked_messages: AtomicU64,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let now = kernel::Timestamp(chrono::Utc::now().timestamp_millis()).0;
    let start = now - now.rem_euclid(STEP_MS) - a.history_hours.max(0) * 3_600_000;
    let mut sim = Simulator::new(telemetry::demo::devices(), start);
    let totals = Arc::new(Totals::default());
    let sender = Sender::new(&a).await?;
    eprintln!("simulating {} devices of the Ptuj demo fleet from {} over {:?}", sim.devices().len(), kernel::Timestamp(start).rfc3339(), a.transport);
    let began = Instant::now();
    let mut t = start;
    while t <= now {
        step(&mut sim, t, &sender, &a, &totals).await?;
        t += STEP_MS;
    }
    sender.flush(&totals).await;
    report("history", began.elapsed(), &totals);
    if !a.follow {
        return Ok(());
    }
    loop {
        let wait = t - chrono::Utc::now().timestamp_millis();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        let began = Instant::now();
        step(&mut sim, t, &sender, &a, &totals).await?;
        sender.flush(&totals).await;
        report(&kernel::Timestamp(t).rfc3339(), began.elapsed(), &totals);
        t += STEP_MS;
    }
}

fn report(what: &str, took: Duration, t: &Totals) {
    let sent = t.sent.load(Ordering::Relaxed);
    let acked = t.acked_messages.load(Ordering::Relaxed);
    if acked > 0 {
        println!(
            "{what}: {sent} readings in {:.1} s ({:.0}/s); {acked} MQTT messages acknowledged",
            took.as_secs_f64(),
            sent as f64 / took.as_secs_f64().max(0.001)
        );
        return;
    }
    println!(
        "{what}: {sent} readings in {:.1} s ({:.0}/s); accepted {}, duplicates {}, rejected {}, failed {}",
        took.as_secs_f64(),
        sent as f64 / took.as_secs_f64().max(0.001),
        t.accepted.load(Ordering::Relaxed),
        t.duplicates.load(Ordering::Relaxed),
        t.rejected.load(Ordering::Relaxed),
        t.failed.load(Ordering::Relaxed),
    );
}

async fn step(sim: &mut Simulator, t: i64, sender: &Sender, a: &Args, totals: &Arc<Totals>) -> anyhow::Result<()> {
    let mut lines = String::new();
    let n = sim.tick(t, &mut lines);
    if n == 0 {
        return Ok(());
    }
    match sender {
        Sender::Http { client, permits, .. } => {
            // Cut into batches of about `batch` readings at line ends.
            let per_line = n.div_ceil(lines.lines().count().max(1));
            let lines_per_batch = (a.batch / per_line.max(1)).max(1);
            let all: Vec<&str> = lines.lines().collect();
            for chunk in all.chunks(lines_per_batch) {
                let body = chunk.join("\n");
                let count = chunk.iter().map(|l| l.matches('=').count()).sum::<usize>() as u64;
                let permit = permits.clone().acquire_owned().await?;
                let (client, url, token, totals) = (
                    client.clone(),
                    format!("{}/api/v1/telemetry/readings?precision=ms", a.url.trim_end_matches('/')),
                    a.token.clone(),
                    totals.clone(),
                );
                tokio::spawn(async move {
                    let _permit = permit;
                    totals.sent.fetch_add(count, Ordering::Relaxed);
                    let r = client.post(&url).bearer_auth(&token).header("content-type", "text/plain").body(body).send().await;
                    match r {
                        Ok(r) if r.status().is_success() => {
                            let v: serde_json::Value = r.json().await.unwrap_or_default();
                            totals.accepted.fetch_add(v["accepted"].as_u64().unwrap_or(0), Ordering::Relaxed);
                            totals.duplicates.fetch_add(v["duplicates"].as_u64().unwrap_or(0), Ordering::Relaxed);
                            totals.rejected.fetch_add(v["rejected"].as_array().map(|a| a.len() as u64).unwrap_or(0), Ordering::Relaxed);
                        }
                        Ok(r) => {
                            eprintln!("the platform answered {}", r.status());
                            totals.failed.fetch_add(count, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("request failed: {e}");
                            totals.failed.fetch_add(count, Ordering::Relaxed);
                        }
                    }
                });
            }
        }
        Sender::Mqtt { client, .. } => {
            for line in lines.lines() {
                let key = line.split(' ').next().unwrap_or_default();
                totals.sent.fetch_add(line.matches('=').count() as u64, Ordering::Relaxed);
                client.publish(format!("obcina/devices/{key}/readings"), rumqttc::QoS::AtLeastOnce, false, line.to_string()).await?;
            }
        }
    }
    Ok(())
}

enum Sender {
    Http { client: reqwest::Client, permits: Arc<Semaphore>, size: u32 },
    Mqtt { client: rumqttc::AsyncClient, acked: Arc<AtomicU64>, published: Arc<AtomicU64> },
}

impl Sender {
    async fn new(a: &Args) -> anyhow::Result<Sender> {
        Ok(match a.transport {
            Transport::Http => {
                let size = a.concurrency.clamp(1, 1000);
                Sender::Http { client: reqwest::Client::new(), permits: Arc::new(Semaphore::new(size)), size: size as u32 }
            }
            Transport::Mqtt => {
                let (host, port) = a.mqtt.rsplit_once(':').ok_or_else(|| anyhow::anyhow!("--mqtt is host:port"))?;
                let mut o = rumqttc::MqttOptions::new(format!("simulator-{}", std::process::id()), host, port.parse()?);
                // An integration token logs in as a gateway for every device.
                o.set_credentials("simulator", &a.token)
                    .set_keep_alive(Duration::from_secs(30))
                    .set_inflight(200)
                    .set_max_packet_size(1 << 20, 1 << 20);
                let (client, mut events) = rumqttc::AsyncClient::new(o, 10_000);
                let acked = Arc::new(AtomicU64::new(0));
                let published = Arc::new(AtomicU64::new(0));
                let (ack, publ) = (acked.clone(), published.clone());
                tokio::spawn(async move {
                    loop {
                        match events.poll().await {
                            Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_))) => {
                                ack.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(rumqttc::Event::Outgoing(rumqttc::Outgoing::Publish(_))) => {
                                publ.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(c))) if c.code != rumqttc::ConnectReturnCode::Success => {
                                eprintln!("the broker refused the login: {:?}", c.code);
                                return;
                            }
                            Ok(_) => {}
                            Err(e) => {
                                eprintln!("MQTT: {e}");
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                    }
                });
                Sender::Mqtt { client, acked, published }
            }
        })
    }

    /// Wait until everything sent so far is answered.
    async fn flush(&self, totals: &Totals) {
        match self {
            Sender::Http { permits, size, .. } => {
                // Every permit back means every request answered.
                drop(permits.acquire_many(*size).await);
            }
            Sender::Mqtt { acked, published, .. } => {
                let deadline = Instant::now() + Duration::from_secs(600);
                while Instant::now() < deadline {
                    let p = published.load(Ordering::Relaxed);
                    if p > 0 && acked.load(Ordering::Relaxed) >= p {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                totals.acked_messages.store(acked.load(Ordering::Relaxed), Ordering::Relaxed);
            }
        }
    }
}
