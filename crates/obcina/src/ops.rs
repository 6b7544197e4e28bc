//! Operations: health, readiness, Prometheus metrics, the OpenAPI document
//! and the outbox worker.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::mail::OutgoingMail;
use kernel::{Ctx, outbox};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use utoipa::OpenApi;

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

pub fn install_metrics() {
    if PROMETHEUS.get().is_none()
        && let Ok(h) = PrometheusBuilder::new().install_recorder()
    {
        let _ = PROMETHEUS.set(h);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "obcina API", description = "The digital municipality platform. Errors are RFC 9457 problem+json; timestamps RFC 3339 UTC."),
    paths(healthz, readyz),
    tags((name = "operations", description = "Health and readiness"))
)]
struct OpsDoc;

/// The API's description, assembled once from every crate's part.
pub fn openapi() -> &'static serde_json::Value {
    static DOC: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| serde_json::to_value(assemble_openapi()).unwrap_or_default());
    &DOC
}

fn assemble_openapi() -> utoipa::openapi::OpenApi {
    let mut doc = OpsDoc::openapi();
    doc.merge(identity::api::ApiDoc::openapi());
    doc.merge(crate::portal::PortalDoc::openapi());
    doc.merge(telemetry::api::ApiDoc::openapi());
    doc.merge(notify::api::ApiDoc::openapi());
    doc.merge(alerts::api::ApiDoc::openapi());
    doc.merge(budget::api::ApiDoc::openapi());
    doc.merge(participation::api::ApiDoc::openapi());
    doc.merge(reports::api::ApiDoc::openapi());
    doc.merge(indicators::api::ApiDoc::openapi());
    doc.merge(events::api::ApiDoc::openapi());
    doc.merge(places::api::ApiDoc::openapi());
    doc.merge(bookings::api::ApiDoc::openapi());
    doc.merge(guide::api::ApiDoc::openapi());
    use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(kernel::web::SESSION_COOKIE))));
    doc
}

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_page))
        .route("/api/openapi.json", get(|| async { axum::Json(openapi()) }))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "Ready", body = String), (status = 503, description = "Database unavailable", body = String)))]
async fn readyz(State(ctx): State<Ctx>) -> Response {
    match ctx.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

async fn metrics_page(State(ctx): State<Ctx>) -> Response {
    if let Ok((pending, dead)) = outbox::counts(ctx.db.conn()).await {
        metrics::gauge!("obcina_outbox_pending").set(pending as f64);
        metrics::gauge!("obcina_outbox_dead").set(dead as f64);
    }
    let body = PROMETHEUS.get().map(|h| h.render()).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Requests by method and status class, and their latency.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let resp = next.run(req).await;
    let status = format!("{}xx", resp.status().as_u16() / 100);
    metrics::counter!("obcina_http_requests_total", "method" => method, "status" => status).increment(1);
    metrics::histogram!("obcina_http_request_duration_seconds").record(start.elapsed().as_secs_f64());
    resp
}

/// Claims and runs outbox jobs; any number of processes may run one.
pub async fn outbox_worker(ctx: Ctx) {
    loop {
        match outbox::claim(ctx.db.conn(), &ctx.keys, ctx.now()).await {
            Ok(Some(job)) => {
                let result = match job.kind.as_str() {
                    "mail" => match serde_json::from_value::<OutgoingMail>(job.payload.clone()) {
                        Ok(mail) => ctx.mailer.send(&mail).await,
                        Err(e) => Err(format!("bad mail payload: {e}")),
                    },
                    // Domain events become messages where the hub has a use for them;
                    // the others are consumed, not retried.
                    other if other.starts_with("event.") => match notify::events::handle(&ctx, other, &job.payload).await {
                        Some(result) => result,
                        None => {
                            metrics::counter!("obcina_outbox_events_unhandled_total", "kind" => other.to_string()).increment(1);
                            Ok(())
                        }
                    },
                    other => Err(format!("no handler for {other}")),
                };
                let done = match &result {
                    Ok(()) => outbox::complete(ctx.db.conn(), &job.id).await,
                    Err(e) => {
                        // The error text can echo a recipient's address: it is kept sealed in the outbox, not logged.
                        tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, "outbox job failed; will retry");
                        outbox::fail(ctx.db.conn(), &ctx.keys, &job, ctx.now(), e).await
                    }
                };
                if let Err(e) = done {
                    tracing::error!(error = %e, "outbox bookkeeping failed");
                }
                metrics::counter!("obcina_outbox_jobs_total", "result" => if result.is_ok() { "ok" } else { "failed" }).increment(1);
            }
            Ok(None) => tokio::time::sleep(Duration::from_millis(500)).await,
            Err(e) => {
                tracing::error!(error = %e, "outbox claim failed");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// Keeps a copy of the audit chain's head outside the database (every few
/// seconds), so `obcina audit verify` notices entries cut off the end.
pub async fn audit_anchor_writer(ctx: Ctx) {
    let path = ctx.config.audit_anchor_file();
    let mut last = kernel::audit::read_anchor(&path);
    loop {
        match kernel::audit::head(ctx.db.conn()).await {
            Ok(Some(head)) if last.as_ref() != Some(&head) => {
                // Never move the anchor backwards: a shorter head means entries were removed.
                if last.as_ref().is_none_or(|l| head.seq > l.seq) {
                    if let Err(e) = kernel::audit::write_anchor(&path, &head) {
                        tracing::error!(error = %e, "could not write the audit anchor");
                    }
                    last = Some(head);
                }
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "could not read the audit head"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
