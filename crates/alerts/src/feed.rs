//! The public CAP interface: every message as a CAP 1.2 document, and an
//! Atom feed (RFC 4287) of them, newest first, for alerting hubs and readers.

use crate::cap::{self, escape};
use crate::service::State;
use crate::store::{self, Message};
use axum::Router;
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::{AppError, AppResult, Ctx, Lang, Timestamp};

pub const ATOM: &str = "application/atom+xml";
/// How many messages the feed carries.
pub const FEED_SIZE: i64 = 200;

pub fn router() -> Router<Ctx> {
    Router::new().route("/alerts/cap", get(feed)).route("/alerts/cap/{file}", get(document))
}

fn xml_response(content_type: &'static str, body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Alerting hubs poll: a minute is fresh enough and spares the server.
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    r
}

/// One CAP document, as published (`/alerts/cap/{identifier}.xml`).
async fn document(AxState(ctx): AxState<Ctx>, Path(file): Path<String>) -> AppResult<Response> {
    let identifier = file.strip_suffix(".xml").ok_or_else(AppError::not_found)?;
    let xml = store::xml(ctx.db.conn(), identifier).await?.ok_or_else(AppError::not_found)?;
    Ok(xml_response(cap::MEDIA_TYPE, xml))
}

async fn feed(AxState(ctx): AxState<Ctx>, headers: HeaderMap) -> AppResult<Response> {
    let lang = kernel::web::request_lang(&headers);
    let messages = store::recent(ctx.db.conn(), FEED_SIZE).await?;
    Ok(xml_response(ATOM, atom(&ctx, lang, &messages, ctx.now())))
}

/// The feed: one entry per message, each linking to its CAP document, with
/// the CAP envelope and state as categories and the CAP-in-Atom elements
/// alerting hubs read (`cap:status`, `cap:msgType`, `cap:expires`, …).
pub fn atom(ctx: &Ctx, lang: Lang, messages: &[Message], now: Timestamp) -> String {
    let base = ctx.config.public_url();
    let t = |k: &str| ctx.i18n.t(lang, k);
    let updated = messages.iter().map(|m| m.sent_at).max().unwrap_or(now);
    let municipality = ctx.config.municipality.name(lang);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:cap=\"{}\" xml:lang=\"{}\">\n", cap::NAMESPACE, lang.code()));
    out.push_str(&format!("  <id>{}/alerts/cap</id>\n", escape(&base)));
    out.push_str(&format!("  <title>{} – {}</title>\n", escape(&t("alerts-feed-title")), escape(municipality)));
    out.push_str(&format!("  <subtitle>{}</subtitle>\n", escape(&t("alerts-feed-subtitle"))));
    out.push_str(&format!("  <updated>{}</updated>\n", updated.rfc3339()));
    out.push_str(&format!("  <author><name>{}</name><uri>{}</uri></author>\n", escape(municipality), escape(&ctx.config.municipality.website)));
    out.push_str(&format!("  <link rel=\"self\" type=\"{ATOM}\" href=\"{}/alerts/cap\"/>\n", escape(&base)));
    out.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}/alerts\"/>\n", escape(&base)));
    for m in messages {
        let c = &m.content;
        let state = State::of(m, now);
        let doc = format!("{base}/alerts/cap/{}.xml", m.identifier);
        let state_label = t(&format!("alerts-state-{}", state.code()));
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", escape(&doc)));
        out.push_str(&format!("    <title>{} ({})</title>\n", escape(c.headline.get(lang)), escape(&state_label)));
        out.push_str(&format!("    <updated>{}</updated>\n", m.sent_at.rfc3339()));
        out.push_str(&format!("    <published>{}</published>\n", m.sent_at.rfc3339()));
        out.push_str(&format!("    <summary>{}</summary>\n", escape(c.description.get(lang))));
        out.push_str(&format!("    <category scheme=\"{}:status\" term=\"{}\"/>\n", cap::NAMESPACE, m.status));
        out.push_str(&format!("    <category scheme=\"{}:msgType\" term=\"{}\"/>\n", cap::NAMESPACE, m.msg_type));
        out.push_str(&format!(
            "    <category scheme=\"{}/alerts/state\" term=\"{}\" label=\"{}\"/>\n",
            escape(&base),
            state.code(),
            escape(&state_label)
        ));
        out.push_str(&format!("    <link rel=\"alternate\" type=\"{}\" href=\"{}\"/>\n", cap::MEDIA_TYPE, escape(&doc)));
        out.push_str(&format!("    <link rel=\"related\" type=\"text/html\" href=\"{}/alerts/{}\"/>\n", escape(&base), escape(&m.identifier)));
        out.push_str(&format!("    <cap:identifier>{}</cap:identifier>\n", escape(&m.identifier)));
        out.push_str(&format!("    <cap:sent>{}</cap:sent>\n", escape(&m.sent)));
        out.push_str(&format!("    <cap:status>{}</cap:status>\n", m.status));
        out.push_str(&format!("    <cap:msgType>{}</cap:msgType>\n", m.msg_type));
        if let Some(r) = &m.refs {
            out.push_str(&format!("    <cap:references>{}</cap:references>\n", escape(r)));
        }
        out.push_str(&format!("    <cap:event>{}</cap:event>\n", escape(c.event.get(lang))));
        // As in the document: a cancellation's urgency is Past.
        let urgency = if m.msg_type == cap::MsgType::Cancel { cap::Urgency::Past } else { c.urgency };
        out.push_str(&format!("    <cap:urgency>{urgency}</cap:urgency>\n"));
        out.push_str(&format!("    <cap:severity>{}</cap:severity>\n", c.severity));
        out.push_str(&format!("    <cap:certainty>{}</cap:certainty>\n", c.certainty));
        if let Some(o) = c.onset {
            out.push_str(&format!("    <cap:onset>{}</cap:onset>\n", cap::format_time(o)));
        }
        out.push_str(&format!("    <cap:expires>{}</cap:expires>\n", cap::format_time(m.expires_at)));
        out.push_str(&format!("    <cap:areaDesc>{}</cap:areaDesc>\n", escape(c.area_desc.get(lang))));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
