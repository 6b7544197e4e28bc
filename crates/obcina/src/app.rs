//! Wiring: configuration, the context, migrations, the router and workers.

use crate::Storage;
use axum::Router;
use axum::middleware::from_fn_with_state;
use kernel::clock::SystemClock;
use kernel::config::Config;
use kernel::crypto::Keyring;
use kernel::ctx::CtxInner;
use kernel::db::{Db, Migration};
use kernel::i18n::I18n;
use kernel::mail::Mailer;
use kernel::{Ctx, Lang};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// Every crate's messages, in one registry.
pub const MESSAGES: &[&[(Lang, &str)]] = &[
    kernel::MESSAGES,
    identity::MESSAGES,
    eid::MESSAGES,
    telemetry::MESSAGES,
    notify::MESSAGES,
    alerts::MESSAGES,
    budget::MESSAGES,
    participation::MESSAGES,
    reports::MESSAGES,
    indicators::MESSAGES,
    events::MESSAGES,
    places::MESSAGES,
    bookings::MESSAGES,
    catalog::MESSAGES,
    guide::MESSAGES,
    crate::portal::MESSAGES,
];

pub fn migrations() -> Vec<&'static Migration> {
    kernel::MIGRATIONS
        .iter()
        .chain(identity::MIGRATIONS)
        .chain(eid::MIGRATIONS)
        .chain(telemetry::MIGRATIONS)
        .chain(ngsi::MIGRATIONS)
        .chain(notify::MIGRATIONS)
        .chain(alerts::MIGRATIONS)
        .chain(budget::MIGRATIONS)
        .chain(participation::MIGRATIONS)
        .chain(reports::MIGRATIONS)
        .chain(indicators::MIGRATIONS)
        .chain(events::MIGRATIONS)
        .chain(places::MIGRATIONS)
        .chain(bookings::MIGRATIONS)
        .chain(catalog::MIGRATIONS)
        .collect()
}

pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("OBCINA_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Defaults, then the TOML file, then flags and environment.
pub fn load_config(s: &Storage) -> anyhow::Result<Config> {
    let mut config: Config = match &s.config {
        Some(path) => toml::from_str(&std::fs::read_to_string(path)?)?,
        None => Config::default(),
    };
    config.data_dir = s.data_dir.clone();
    if s.database_url.is_some() {
        config.database_url = s.database_url.clone();
    }
    if s.keys_file.is_some() {
        config.keys_file = s.keys_file.clone();
    }
    Ok(config)
}

/// Open storage, run migrations and build the context.
pub async fn open(config: Config) -> anyhow::Result<Ctx> {
    // A typo in [participation] fails at start, not at the first request.
    participation::ParticipationConfig::from_table(&config.participation).map_err(anyhow::Error::msg)?;
    let db = Db::open(&config.data_dir, config.database_url.as_deref()).await?;
    let keys = Keyring::load_or_create(&config.keys_file())?;
    let i18n = I18n::new(MESSAGES).map_err(anyhow::Error::msg)?;
    let mailer = Mailer::from_config(config.smtp_url.as_deref(), &config.mail_from).map_err(anyhow::Error::msg)?;
    let clock: Arc<dyn kernel::clock::Clock> = Arc::new(SystemClock);
    db.migrate(&migrations(), clock.now()).await?;
    Ok(Ctx::new(CtxInner { config, db, keys, i18n, clock, mailer }))
}

pub fn router(
    ctx: Ctx,
    telemetry: telemetry::Telemetry,
    broker: ngsi::Broker,
    reports: reports::Reports,
    hub: notify::delivery::Hub,
    indicators: indicators::Indicators,
    catalog: catalog::Catalog,
) -> anyhow::Result<Router> {
    let eid = eid::router(&ctx.config).map_err(|e| anyhow::anyhow!("eID configuration: {e}"))?;
    let alerts = alerts::AlertsConfig::from_table(&ctx.config.alerts).map_err(anyhow::Error::msg)?;
    Ok(Router::new()
        .merge(crate::portal::router())
        .merge(identity::router())
        .merge(eid)
        .merge(telemetry::router(telemetry, &ctx))
        .merge(ngsi::router(broker))
        .merge(notify::router(hub))
        .merge(alerts::router(alerts))
        .merge(budget::router())
        .merge(participation::router())
        .merge(reports::router(reports.clone()))
        .merge(indicators::router(indicators))
        .merge(events::router())
        .merge(places::router())
        .merge(bookings::router())
        .merge(catalog::router(catalog))
        .merge(guide::router())
        .merge(crate::ops::router())
        // Unknown addresses: a problem+json 404, which HTML routes show as a translated page.
        .fallback(|| async { kernel::AppError::not_found() })
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        // Photo uploads: their own, larger limit (added after the 2 MiB one, so outside it).
        .merge(reports::upload_router(reports))
        .merge(places::upload_router())
        .layer(axum::Extension(personal_data()))
        .layer(from_fn_with_state(ctx.clone(), kernel::access::audit_denials))
        .layer(from_fn_with_state(ctx.clone(), kernel::layout::error_pages))
        .layer(from_fn_with_state(ctx.clone(), identity::session::resolve_actor))
        .layer(from_fn_with_state(ctx.clone(), kernel::csrf::layer))
        .layer(axum::middleware::from_fn(crate::ops::track_metrics))
        .layer(axum::middleware::from_fn(kernel::web::security_headers))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            // Path only: query strings may carry tokens.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(ctx))
}

/// Every service that keeps data about a person, for the GDPR export and erasure.
fn personal_data() -> identity::personal::Holders {
    identity::personal::Holders::new(vec![
        Box::new(notify::personal::Recipient),
        Box::new(reports::personal::Reporter),
        Box::new(participation::personal::Participant),
        Box::new(budget::personal::Resident),
        Box::new(bookings::personal::Booker),
    ])
}

pub async fn serve(mut config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    crate::ops::install_metrics();
    // Bind first: with port 0 the real address is known only now, and links
    // in e-mail must point at it.
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let url = format!("http://{}", listener.local_addr()?);
    if config.public_url.is_none() {
        config.public_url = Some(url.clone());
    }
    let demo = config.demo;
    let ctx = open(config).await?;
    let telemetry = telemetry::Telemetry::start(&ctx).map_err(anyhow::Error::msg)?;
    // Before the platform answers: the tables hold every acknowledged reading.
    let (replayed, recomputed) = telemetry.recover(&ctx).await?;
    if replayed > 0 {
        tracing::warn!(entries = replayed, "telemetry journal replayed at start (an unclean stop, or rollups another process left)");
    }
    if recomputed > 0 {
        tracing::warn!(series = recomputed, "rollups recomputed from raw readings after an unclean stop");
    }
    let reports = reports::Reports::start(&ctx).map_err(anyhow::Error::msg)?;
    if demo {
        crate::demo::load_if_empty(&ctx, &telemetry, &reports).await?;
    }
    let worker = tokio::spawn(crate::ops::outbox_worker(ctx.clone()));
    let hub = notify::delivery::Hub::start(&ctx).await.map_err(anyhow::Error::msg)?;
    let deliveries = tokio::spawn(notify::delivery::run(ctx.clone(), hub.clone()));
    let anchor = tokio::spawn(crate::ops::audit_anchor_writer(ctx.clone()));
    if matches!(ctx.mailer, Mailer::Log) {
        tracing::warn!("no SMTP configured: e-mail (including confirmation links) is written to this log");
    }
    let mqtt = start_mqtt(&ctx, &telemetry).await?;
    let alarms = tokio::spawn(telemetry::alarms::run(ctx.clone(), telemetry.clone()));
    let commands = tokio::spawn(telemetry::commands::run(ctx.clone(), telemetry.clone()));
    let retention = tokio::spawn(telemetry::retention::run(ctx.clone(), telemetry.clone()));
    let broker = start_broker(&ctx, &telemetry).await?;
    let indicators = indicators::Indicators::new(&ctx.config.indicators, crate::kpi::computations()).map_err(anyhow::Error::msg)?;
    indicators::service::spawn_schedule(ctx.clone(), indicators.clone());
    let catalog =
        catalog::Catalog::new(&ctx, crate::datasets::sources(telemetry.clone(), reports.clone(), indicators.clone())).map_err(anyhow::Error::msg)?;
    let app = router(ctx.clone(), telemetry.clone(), broker, reports, hub, indicators, catalog)?;
    println!("obcina is ready at {url}  ({} ms)", started.elapsed().as_millis());
    // The peer address lets the NGSI-LD broker tell requests from this machine.
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await?;
    // A clean stop leaves an empty journal.
    if let Err(e) = telemetry.settle(&ctx).await {
        tracing::error!(error = %e, "final checkpoint failed; the journal is replayed at the next start");
    }
    worker.abort();
    deliveries.abort();
    anchor.abort();
    alarms.abort();
    commands.abort();
    retention.abort();
    for task in mqtt {
        task.abort();
    }
    Ok(())
}

/// The NGSI-LD broker, serving the sensor platform's devices and assets beside its own entities.
async fn start_broker(ctx: &Ctx, t: &telemetry::Telemetry) -> anyhow::Result<ngsi::Broker> {
    let config = ngsi::NgsiConfig::from_table(&ctx.config.ngsi).map_err(anyhow::Error::msg)?;
    // Settled: the broker's reads see every acknowledged reading, journal included.
    let source: Arc<dyn ngsi::source::EntitySource> = Arc::new(telemetry::settled::Settled::new(telemetry::ngsi::Source::new(t.clone()), t.clone()));
    let broker = ngsi::Broker::new(ctx, config, vec![source]);
    broker.start(ctx).await?;
    Ok(broker)
}

/// The embedded MQTT broker (unless `off`) and the external subscription (if configured).
async fn start_mqtt(ctx: &Ctx, t: &telemetry::Telemetry) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut tasks = vec![];
    let listen = t.config.mqtt_listen.trim();
    if listen != "off" {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("MQTT broker cannot listen on {listen}: {e} (set --mqtt-listen to another address, or off)"))?;
        println!("MQTT broker listening on {}", listener.local_addr()?);
        let broker = std::sync::Arc::new(telemetry::mqtt::broker::Broker::default());
        t.add_delivery(broker.clone());
        tasks.push(tokio::spawn(telemetry::mqtt::broker::serve(listener, broker, ctx.clone(), t.clone())));
    }
    if let Some(url) = t.config.mqtt_external.clone() {
        tasks.push(tokio::spawn(telemetry::mqtt::external::run(url, ctx.clone(), t.clone())));
    }
    Ok(tasks)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Add a data key and re-seal every encrypted column with it.
pub async fn rotate_keys(config: &Config) -> anyhow::Result<u64> {
    let ctx = open(config.clone()).await?;
    let mut keys = ctx.keys.clone();
    keys.rotate();
    let mut n = 0;
    let txn = ctx.db.begin().await?;
    let columns = identity::store::ENCRYPTED_COLUMNS
        .iter()
        .chain(kernel::outbox::ENCRYPTED_COLUMNS)
        .chain(notify::store::ENCRYPTED_COLUMNS)
        .chain(reports::ENCRYPTED_COLUMNS)
        .chain(bookings::ENCRYPTED_COLUMNS);
    for col in columns {
        let (table, key_sql, column) = (col.table, col.key_sql, col.column);
        let rows = kernel::db::query_all(&txn, &format!("SELECT {key_sql} AS k, {column} AS v FROM {table} WHERE {column} IS NOT NULL"), []).await?;
        for r in rows {
            let key: String = kernel::db::col(&r, "k")?;
            let sealed: String = kernel::db::col(&r, "v")?;
            let context = col.context(&key);
            let resealed = keys.encrypt(&context, &ctx.keys.decrypt(&context, &sealed)?);
            kernel::db::exec(&txn, &format!("UPDATE {table} SET {column} = $1 WHERE {key_sql} = $2"), [resealed.into(), key.into()]).await?;
            n += 1;
        }
    }
    let detail = serde_json::json!({"active_key": keys.active_key_id(), "fields": n});
    kernel::audit::append(
        &txn,
        &keys,
        ctx.now(),
        &kernel::audit::AuditEntry { actor: "cli", action: "keys.rotate", subject: "keys", outcome: "ok", detail },
    )
    .await?;
    keys.save(&config.keys_file())?;
    txn.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slovenian first, English always: every message exists in both.
    #[test]
    fn slovenian_and_english_define_the_same_messages() {
        let sl: std::collections::BTreeSet<String> = I18n::keys(MESSAGES, Lang::Sl).into_iter().collect();
        let en: std::collections::BTreeSet<String> = I18n::keys(MESSAGES, Lang::En).into_iter().collect();
        assert!(sl.len() > 100, "messages are loaded: {}", sl.len());
        assert_eq!(sl.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "in Slovenian only");
        assert_eq!(en.difference(&sl).collect::<Vec<_>>(), Vec::<&String>::new(), "in English only");
        assert!(I18n::new(MESSAGES).is_ok(), "no message is defined twice");
    }

    /// German and Italian cover part of the pages: every message they define exists in English too (no stray or misspelt ids).
    #[test]
    fn german_and_italian_define_only_known_messages() {
        let en: std::collections::BTreeSet<String> = I18n::keys(MESSAGES, Lang::En).into_iter().collect();
        for lang in [Lang::De, Lang::It] {
            let keys = I18n::keys(MESSAGES, lang);
            assert!(keys.iter().any(|k| k == "budget-ballot-too-many"), "the ballot's messages in {}", lang.code());
            let stray: Vec<&String> = keys.iter().filter(|k| !en.contains(*k)).collect();
            assert_eq!(stray, Vec::<&String>::new(), "in {} only", lang.code());
        }
    }

    /// A reporter is told every status a report can reach in their own language.
    #[test]
    fn every_report_status_is_named_in_every_language() {
        let i18n = I18n::new(MESSAGES).unwrap();
        for status in reports::model::Status::ALL {
            let key = notify::events::report_status_key(status.code());
            for lang in Lang::ALL {
                assert!(i18n.has(lang, &key), "{key} in {}", lang.code());
            }
        }
        for lang in Lang::ALL {
            assert!(i18n.has(lang, "notify-report-reason"), "notify-report-reason in {}", lang.code());
        }
    }
}
