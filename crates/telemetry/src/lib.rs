//! The sensor platform: device and asset registry, ingestion over HTTP and
//! MQTT, time series with rollups, and the views on them.

pub mod alarms;
pub mod analytics;
pub mod api;
pub mod bulk;
pub mod chart;
pub mod checkpoint;
pub mod commands;
pub mod demo;
pub mod import;
pub mod ingest;
pub mod journal;
pub mod live;
pub mod map;
pub mod model;
pub mod mqtt;
pub mod ngsi;
pub mod pages;
pub mod retention;
pub mod rollup;
pub mod rules;
pub mod service;
pub mod settled;
pub mod share;
pub mod simulate;
pub mod staff;
pub mod store;
pub mod types;
pub mod window;

#[cfg(test)]
pub(crate) mod testing {
    use kernel::Ctx;
    use std::sync::Arc;

    /// A context on a fresh SQLite database with the telemetry tables.
    pub async fn sqlite_ctx(dir: &std::path::Path) -> Ctx {
        let db = kernel::db::Db::open_sqlite(dir).await.unwrap();
        let migrations: Vec<&kernel::db::Migration> = kernel::MIGRATIONS.iter().chain(identity::MIGRATIONS).chain(crate::MIGRATIONS).collect();
        db.migrate(&migrations, kernel::Timestamp(0)).await.unwrap();
        Ctx::new(kernel::ctx::CtxInner {
            config: Default::default(),
            db,
            keys: kernel::crypto::Keyring::generate(),
            i18n: kernel::i18n::I18n::new(&[]).unwrap(),
            clock: Arc::new(kernel::clock::SystemClock),
            mailer: kernel::mail::Mailer::Log,
        })
    }
}

use crate::ingest::{Committed, Registry, Store, Writer};
use crate::model::Sender;
use kernel::crypto::sha256_hex;
use kernel::{Ctx, Lang};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The `[telemetry]` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryConfig {
    /// Address of the embedded MQTT broker, or `off`.
    pub mqtt_listen: String,
    /// Subscribe to an external broker instead (e.g. `mqtt://user:pass@host:1883`).
    pub mqtt_external: Option<String>,
    /// How far ahead of the server clock a reading's time may be.
    pub max_future_seconds: u64,
    /// Own device types, added to (or replacing) the built-in ones.
    pub types: Vec<types::DeviceType>,
    /// No longer used: the 5-minute resolution is folded from raw readings,
    /// kept for each type's `raw_retention_days`. Still accepted so that
    /// existing configuration files load (with a warning).
    pub fine_rollup_days: Option<u32>,
    /// Days hourly rollups are kept; daily rollups stay for ever.
    pub hourly_rollup_days: u32,
    /// How often old data is pruned.
    pub retention_interval_seconds: u64,
    /// Committed readings reach their tables (SQLite checkpoint, PostgreSQL
    /// rollups) once ingestion pauses for this long…
    pub checkpoint_idle_ms: u64,
    /// … and at least this often while it runs.
    pub checkpoint_every_ms: u64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            mqtt_listen: "127.0.0.1:1883".into(),
            mqtt_external: None,
            max_future_seconds: 300,
            types: vec![],
            fine_rollup_days: None,
            hourly_rollup_days: 3650,
            retention_interval_seconds: 3600,
            checkpoint_idle_ms: 50,
            checkpoint_every_ms: 2000,
        }
    }
}

impl TelemetryConfig {
    pub fn from_table(t: &toml::Table) -> Result<TelemetryConfig, String> {
        toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[telemetry]: {e}"))
    }
    pub fn max_future(&self) -> Duration {
        Duration::from_secs(self.max_future_seconds)
    }
    /// (idle, every) of the checkpoint.
    pub fn checkpoint_timing(&self) -> (Duration, Duration) {
        (Duration::from_millis(self.checkpoint_idle_ms.max(1)), Duration::from_millis(self.checkpoint_every_ms.max(1)))
    }
}

/// Device tokens are looked up at most this often per process.
const TOKEN_TTL: Duration = Duration::from_secs(30);

pub struct Inner {
    pub config: TelemetryConfig,
    pub registry: Registry,
    pub writer: Writer,
    pub committed: Committed,
    /// Bumped when this process changes rules, so the engine reloads at once
    /// (other processes' changes are seen within seconds).
    pub rules_version: std::sync::atomic::AtomicU64,
    /// Where committed readings go: the SQLite journal, or PostgreSQL's tables.
    pub store: Store,
    /// Where commands go out: the embedded broker, an external one, or both.
    bus: RwLock<Vec<Arc<dyn commands::Delivery>>>,
    /// Device answers to commands, stored in batches.
    pub acks: tokio::sync::mpsc::Sender<commands::AckJob>,
    /// Device token hash → device key (or none), with the time it was looked up.
    tokens: RwLock<HashMap<String, (Option<String>, Instant)>>,
}

/// The running sensor platform, shared by the HTTP handlers and the broker.
#[derive(Clone)]
pub struct Telemetry(pub Arc<Inner>);

impl std::ops::Deref for Telemetry {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Telemetry {
    pub fn start(ctx: &Ctx) -> Result<Telemetry, String> {
        let config = TelemetryConfig::from_table(&ctx.config.telemetry)?;
        let all = types::catalogue(&config.types)?;
        if config.fine_rollup_days.is_some() {
            tracing::warn!("[telemetry] fine_rollup_days is no longer used: 5-minute series are folded from raw readings");
        }
        let (committed, _) = tokio::sync::broadcast::channel(64);
        let store = if ctx.db.is_postgres() {
            let flusher = Arc::new(rollup::Flusher::new(config.checkpoint_timing()));
            let (f, c) = (flusher.clone(), ctx.clone());
            tokio::spawn(async move { f.run(c).await });
            Store::Direct(flusher)
        } else {
            let cp = Arc::new(checkpoint::Checkpointer::new(Arc::default(), config.checkpoint_timing()));
            let (k, c) = (cp.clone(), ctx.clone());
            tokio::spawn(async move { k.run(c).await });
            Store::Journal(cp)
        };
        let writer = Writer::start(ctx.clone(), committed.clone(), store.clone());
        let (acks, ack_rx) = tokio::sync::mpsc::channel(10_000);
        tokio::spawn(commands::ack_writer(ctx.clone(), ack_rx));
        Ok(Telemetry(Arc::new(Inner {
            config,
            registry: Registry::new(&all),
            writer,
            committed,
            rules_version: Default::default(),
            store,
            bus: RwLock::default(),
            acks,
            tokens: RwLock::default(),
        })))
    }

    /// Check a batch and store what passes.
    pub async fn ingest(
        &self,
        ctx: &Ctx,
        sender: &Sender,
        candidates: Vec<Result<model::Candidate, model::Rejection>>,
    ) -> kernel::AppResult<ingest::Report> {
        Ok(self.ingest_many(ctx, sender, vec![candidates]).await?.pop().unwrap_or_default())
    }

    /// Check several batches (MQTT messages that arrived together) and store
    /// what passes in one write; a report per batch, in order.
    pub async fn ingest_many(
        &self,
        ctx: &Ctx,
        sender: &Sender,
        batches: Vec<Vec<Result<model::Candidate, model::Rejection>>>,
    ) -> kernel::AppResult<Vec<ingest::Report>> {
        ingest::ingest(ctx, &self.registry, &self.writer, sender, batches, self.config.max_future()).await
    }

    /// The device a device token belongs to.
    pub async fn device_for_token(&self, ctx: &Ctx, token: &str) -> Result<Option<String>, sea_orm::DbErr> {
        let hash = sha256_hex(token);
        if let Some((key, at)) = self.tokens.read().expect("token cache").get(&hash)
            && at.elapsed() < TOKEN_TTL
        {
            return Ok(key.clone());
        }
        let key = store::device_key_by_token(ctx.db.conn(), &hash).await?;
        let mut cache = self.tokens.write().expect("token cache");
        // Bounded: unknown tokens are attacker-chosen.
        if cache.len() > 100_000 {
            cache.clear();
        }
        cache.insert(hash, (key.clone(), Instant::now()));
        Ok(key)
    }

    /// An MQTT login: a device's key and token, or an integration token
    /// with `telemetry:write` as the password (any user name).
    pub async fn authenticate(&self, ctx: &Ctx, username: &str, password: &str) -> Result<Option<Sender>, sea_orm::DbErr> {
        if let Some(key) = self.device_for_token(ctx, password).await? {
            return Ok((key == username).then_some(Sender::Device(key)));
        }
        match identity::session::machine(ctx, password).await? {
            Some(a) if a.has_scope("telemetry:write") => Ok(Some(Sender::Integration)),
            _ => Ok(None),
        }
    }

    /// Bring the tables up to date with every reading acknowledged before
    /// this call (SQLite: checkpoint the journal; PostgreSQL: merge pending
    /// rollups of every process). Reads of readings, rollups, latest values,
    /// last-seen times or counts come after it; `router` does it for every
    /// GET of the telemetry routes.
    pub async fn settle(&self, ctx: &Ctx) -> Result<(), sea_orm::DbErr> {
        match &self.store {
            Store::Journal(cp) => cp.checkpoint(ctx).await.map(|_| ()),
            Store::Direct(f) => f.flush(ctx).await.map(|_| ()),
        }
    }

    /// `settle`, as an `AppResult` (the name callers outside this crate know).
    pub async fn flush_rollups(&self, ctx: &Ctx) -> kernel::AppResult<()> {
        self.settle(ctx).await.map_err(Into::into)
    }

    /// At start, before the platform answers: replay the journal (SQLite) or
    /// merge the rollups it holds (PostgreSQL), and recompute rollups left
    /// pending by an earlier version. Returns (journal entries replayed or
    /// merged, series recomputed).
    pub async fn recover(&self, ctx: &Ctx) -> Result<(usize, usize), sea_orm::DbErr> {
        let legacy = rollup::recover_legacy(ctx).await?;
        let replayed = match &self.store {
            Store::Journal(cp) => checkpoint::replay(ctx, cp).await?,
            Store::Direct(f) => f.flush(ctx).await?,
        };
        Ok((replayed, legacy))
    }

    /// Readings committed but not yet in the tables (SQLite only).
    pub fn live(&self) -> Option<&live::Live> {
        match &self.store {
            Store::Journal(cp) => Some(&cp.live),
            Store::Direct(_) => None,
        }
    }

    /// Add a way to deliver commands (at start).
    pub fn add_delivery(&self, d: Arc<dyn commands::Delivery>) {
        self.bus.write().expect("bus").push(d);
    }

    pub fn bus(&self) -> Vec<Arc<dyn commands::Delivery>> {
        self.bus.read().expect("bus").clone()
    }

    /// Store a device's answer to a command; true once committed.
    pub async fn answer(&self, device: &str, payload: &[u8]) -> Result<bool, String> {
        let ack: commands::Ack = serde_json::from_slice(payload).map_err(|e| format!("not an answer: {e}"))?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.acks.send(((device.to_string(), ack), tx)).await.map_err(|_| "answers are not stored now".to_string())?;
        rx.await.map_err(|_| "answers are not stored now".to_string())
    }

    /// After a credential change, look every token up again.
    pub fn forget_tokens(&self) {
        self.tokens.write().expect("token cache").clear();
    }
}

/// Slovenian and English everywhere; German and Italian for the public pages visitors read.
pub const MESSAGES: &[(Lang, &str)] = &[
    (Lang::Sl, include_str!("../locales/sl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
    (Lang::De, include_str!("../locales/de.ftl")),
    (Lang::It, include_str!("../locales/it.ftl")),
];

pub const MIGRATIONS: &[kernel::db::Migration] = &[
    kernel::db::Migration {
        id: "telemetry-0001-devices-series",
        sql: include_str!("../migrations/0001_telemetry.sql"),
        postgres: Some(include_str!("../migrations/0001_telemetry.pg.sql")),
    },
    kernel::db::Migration { id: "telemetry-0002-rules-alarms", sql: include_str!("../migrations/0002_rules_alarms.sql"), postgres: None },
    kernel::db::Migration { id: "telemetry-0003-commands", sql: include_str!("../migrations/0003_commands.sql"), postgres: None },
    kernel::db::Migration { id: "telemetry-0004-imports", sql: include_str!("../migrations/0004_imports.sql"), postgres: None },
    kernel::db::Migration { id: "telemetry-0005-shares", sql: include_str!("../migrations/0005_shares.sql"), postgres: None },
    kernel::db::Migration { id: "telemetry-0006-rollup-pending", sql: include_str!("../migrations/0006_rollup_pending.sql"), postgres: None },
    kernel::db::Migration {
        id: "telemetry-0007-journal",
        sql: include_str!("../migrations/0007_journal.sql"),
        postgres: Some(include_str!("../migrations/0007_journal.pg.sql")),
    },
    kernel::db::Migration { id: "telemetry-0008-device-times", sql: include_str!("../migrations/0008_device_times.sql"), postgres: None },
];

pub fn router(t: Telemetry, ctx: &Ctx) -> axum::Router<Ctx> {
    api::router()
        .merge(pages::router())
        .merge(staff::router())
        .merge(map::router())
        .layer(axum::middleware::from_fn_with_state((t.clone(), ctx.clone()), settle_reads))
        .layer(axum::Extension(t))
}

/// Every read sees every acknowledged reading: settle before GET and HEAD.
async fn settle_reads(
    axum::extract::State((t, ctx)): axum::extract::State<(Telemetry, Ctx)>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD)
        && let Err(e) = t.settle(&ctx).await
    {
        return kernel::AppError::from(e).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_section_parses_and_typos_do_not() {
        let doc = r#"
mqtt_listen = "off"
hourly_rollup_days = 365
fine_rollup_days = 30
[[types]]
id = "SoilMoistureObserved"
measure = "agri.protect"
label = { sl = "Vlaga tal", en = "Soil moisture" }
quantities = [ { name = "soilMoisture", unit = "P1", min = 0, max = 100 } ]
"#;
        let c = TelemetryConfig::from_table(&toml::from_str(doc).unwrap()).unwrap();
        assert_eq!((c.mqtt_listen.as_str(), c.hourly_rollup_days, c.types[0].raw_retention_days), ("off", 365, 30));
        assert_eq!(c.fine_rollup_days, Some(30), "an older file that still sets it loads");
        assert!(types::catalogue(&c.types).unwrap().iter().any(|t| t.id == "SoilMoistureObserved"));
        let typo = TelemetryConfig::from_table(&toml::from_str("mqtt_lisen = \"off\"").unwrap()).unwrap_err();
        assert!(typo.contains("mqtt_lisen"), "{typo}");
    }
}
