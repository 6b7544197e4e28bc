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
    token: Option<String>,
    /// How readings travel: HTTP batches or MQTT messages.
    #[arg(long, value_enum, default_value = "http")]
    transport: Transport,
    /// MQTT broker (host:port) for --transport mqtt.
    #[arg(long, default_value = "127.0.0.1:1883")]
    mqtt: String,
    /// MQTT QoS 1 publishes sent before their acknowledgements (--transport mqtt).
    #[arg(long, default_value_t = 200)]
    mqtt_inflight: u16,
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
    /// Write the history to this file as line-format lines (nanosecond times) instead of sending it.
    #[arg(long, conflicts_with_all = ["replay", "follow"])]
    out: Option<std::path::PathBuf>,
    /// Send the lines of this file (as written by --out) instead of generating them.
    #[arg(long, conflicts_with = "follow")]
    replay: Option<std::path::PathBuf>,
    /// Post to this URL instead of the platform's readings endpoint, e.g. InfluxDB's
    /// http://127.0.0.1:8086/write?db=bench (for comparisons; the token is sent only if given).
    #[arg(long)]
    write_url: Option<String>,
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
    if let Some(path) = &a.out {
        return write_history(&mut sim, start, now, path);
    }
    let totals = Arc::new(Totals::default());
    let sender = Sender::new(&a).await?;
    if let Some(path) = &a.replay {
        let text = std::fs::read_to_string(path)?;
        let began = Instant::now();
        send_lines(&text, "ns", &sender, &a, &totals).await?;
        sender.flush(&totals).await;
        report("replay", began.elapsed(), &totals);
        return Ok(());
    }
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

/// The history as a file of line-format lines with nanosecond times (the same for every target).
fn write_history(sim: &mut Simulator, start: i64, now: i64, path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let (mut t, mut n) = (start, 0);
    while t <= now {
        let mut lines = String::new();
        n += sim.tick(t, &mut lines);
        for l in lines.lines() {
            let (head, ts) = l.rsplit_once(' ').unwrap_or((l, "0"));
            writeln!(f, "{head} {}000000", ts)?;
        }
        t += STEP_MS;
    }
    f.flush()?;
    println!("{n} readings written to {}", path.display());
    Ok(())
}

async fn step(sim: &mut Simulator, t: i64, sender: &Sender, a: &Args, totals: &Arc<Totals>) -> anyhow::Result<()> {
    let mut lines = String::new();
    if sim.tick(t, &mut lines) == 0 {
        return Ok(());
    }
    send_lines(&lines, "ms", sender, a, totals).await
}

/// Send lines: HTTP batches of about `--batch` readings, or one MQTT message per line.
async fn send_lines(lines: &str, precision: &str, sender: &Sender, a: &Args, totals: &Arc<Totals>) -> anyhow::Result<()> {
    match sender {
        Sender::Http { client, permits, .. } => {
            let all: Vec<&str> = lines.lines().collect();
            let readings: usize = all.iter().map(|l| l.matches('=').count()).sum();
            let per_line = readings.div_ceil(all.len().max(1));
            let lines_per_batch = (a.batch / per_line.max(1)).max(1);
            let url = match &a.write_url {
                Some(u) => u.clone(),
                None => format!("{}/api/v1/telemetry/readings?precision={precision}", a.url.trim_end_matches('/')),
            };
            for chunk in all.chunks(lines_per_batch) {
                let body = chunk.join("\n");
                let count = chunk.iter().map(|l| l.matches('=').count()).sum::<usize>() as u64;
                let permit = permits.clone().acquire_owned().await?;
                let (client, url, token, totals) = (client.clone(), url.clone(), a.token.clone(), totals.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    totals.sent.fetch_add(count, Ordering::Relaxed);
                    let mut req = client.post(&url).header("content-type", "text/plain").body(body);
                    if let Some(t) = &token {
                        req = req.bearer_auth(t);
                    }
                    match req.send().await {
                        Ok(r) if r.status().is_success() => {
                            let v: serde_json::Value = r.json().await.unwrap_or_default();
                            // Other targets answer 204 without a report: count what was sent as accepted.
                            let accepted = v["accepted"].as_u64().unwrap_or(if v.is_null() { count } else { 0 });
                            totals.accepted.fetch_add(accepted, Ordering::Relaxed);
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
                // The broker reads line-format times in nanoseconds.
                let payload = if precision == "ms" { format!("{line}000000") } else { line.to_string() };
                client.publish(format!("obcina/devices/{key}/readings"), rumqttc::QoS::AtLeastOnce, false, payload).await?;
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
                o.set_credentials("simulator", a.token.as_deref().unwrap_or_default())
                    .set_keep_alive(Duration::from_secs(30))
                    .set_inflight(a.mqtt_inflight.max(1))
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
