//! An NGSI-LD context broker (ETSI GS CIM 009) under `/ngsi-ld/v1`: entities
//! and their attributes, batch operations, the temporal evolution of
//! entities with aggregations, subscriptions with HTTP notifications, types
//! and attributes, tenants and JSON-LD contexts. Other capabilities add
//! entities of their own through [`EntitySource`] (the sensor platform
//! serves its devices and assets that way).

pub mod batch;
pub mod context;
pub mod discovery;
pub mod entities;
pub mod error;
pub mod geo;
pub mod http;
pub mod jsonld_contexts;
pub mod model;
pub mod notify;
pub mod params;
pub mod parse;
pub mod projection;
pub mod query;
pub mod render;
pub mod select;
pub mod service;
pub mod source;
pub mod store;
pub mod subscriptions;
pub mod temporal;

use crate::context::Contexts;
use crate::http::WriteAccess;
use crate::source::EntitySource;
use kernel::Ctx;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The `[ngsi] ` section of the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NgsiConfig {
    /// Who may change entities and subscriptions without a token with the
    /// `ngsi-ld:write` scope: `token` (nobody), `loopback` (this machine,
    /// not through a proxy) or `open`.
    pub write_access: WriteAccess,
    /// Most entities one query returns (`limit`).
    pub max_limit: usize,
    /// Seconds a notification may take before it counts as failed.
    pub notification_timeout_seconds: u64,
    /// Most attribute instances one temporal response carries (clause 6.3.10);
    /// beyond it the response is 206 with the time range it covers.
    pub temporal_page_size: usize,
}

impl Default for NgsiConfig {
    fn default() -> Self {
        NgsiConfig { write_access: WriteAccess::Loopback, max_limit: 1000, notification_timeout_seconds: 10, temporal_page_size: 30 }
    }
}

impl NgsiConfig {
    pub fn from_table(t: &toml::Table) -> Result<NgsiConfig, String> {
        toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[ngsi]: {e}"))
    }
}

pub struct Inner {
    pub config: NgsiConfig,
    pub contexts: Contexts,
    pub sources: Vec<Arc<dyn EntitySource>>,
    pub notifier: notify::Notifier,
    clock: AtomicI64,
    /// When this broker started (its uptime in /info/sourceIdentity).
    pub started: std::time::Instant,
}

/// The running broker, shared by its routes.
#[derive(Clone)]
pub struct Broker(pub Arc<Inner>);

impl std::ops::Deref for Broker {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Broker {
    pub fn new(ctx: &Ctx, config: NgsiConfig, sources: Vec<Arc<dyn EntitySource>>) -> Broker {
        let notifier = notify::Notifier::new(ctx.clone(), config.notification_timeout_seconds);
        Broker(Arc::new(Inner {
            config,
            contexts: Contexts::default(),
            sources,
            notifier,
            clock: AtomicI64::new(0),
            started: std::time::Instant::now(),
        }))
    }

    /// Now in microseconds, strictly increasing within this process, so a
    /// change right after a creation has a later modifiedAt.
    pub fn now(&self, ctx: &Ctx) -> i64 {
        let wall = ctx.now().0 * 1000;
        let mut prev = self.clock.load(Ordering::Relaxed);
        loop {
            let next = wall.max(prev + 1);
            match self.clock.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return next,
                Err(p) => prev = p,
            }
        }
    }

    /// The source serving this entity id, if it is not one of the broker's own.
    pub async fn source_of(&self, ctx: &Ctx, tenant: &str, id: &str) -> error::NgsiResult<Option<&Arc<dyn EntitySource>>> {
        if tenant != store::DEFAULT_TENANT {
            return Ok(None);
        }
        for s in &self.sources {
            if s.owns(ctx, id).await? {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    /// Load hosted contexts and start the notifier (at start).
    pub async fn start(&self, ctx: &Ctx) -> Result<(), sea_orm::DbErr> {
        for (_, url, body, _) in store::contexts(ctx.db.conn()).await? {
            self.contexts.pin(&url, body);
        }
        self.notifier.start(self.clone());
        Ok(())
    }
}

pub const MIGRATIONS: &[kernel::db::Migration] =
    &[kernel::db::Migration { id: "ngsi-0001-broker", sql: include_str!("../migrations/0001_ngsi.sql"), postgres: None }];

pub fn router(b: Broker) -> axum::Router<Ctx> {
    entities::router()
        .merge(batch::router())
        .merge(temporal::router())
        .merge(subscriptions::router())
        .merge(discovery::router())
        .merge(jsonld_contexts::router())
        .layer(axum::middleware::from_fn(http::echo_tenant))
        .layer(axum::Extension(b))
}
