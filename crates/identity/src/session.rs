//! Resolving who is asking: a session cookie (people) or a bearer token
//! (machines). Expired sessions end here: staff have an idle and an absolute
//! limit, citizens longer ones.

use crate::store;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use kernel::access::UserActor;
use kernel::crypto::sha256_hex;
use kernel::{Actor, Ctx, Role};
use std::time::Duration;

pub use kernel::web::SESSION_COOKIE;
pub const PENDING_COOKIE: &str = "obcina_pending";

/// Writes to `last_seen_at` at most this often, so reads stay reads.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

pub async fn resolve_actor(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    let actor = match resolve(&ctx, req.headers()).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "resolving the session failed");
            Actor::Anonymous
        }
    };
    req.extensions_mut().insert(actor);
    next.run(req).await
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers).get(SESSION_COOKIE).map(|c| c.value().to_string())
}

/// The machine behind an API token, if it is live (not revoked, not expired).
/// Other ways in (MQTT logins) use it too.
pub async fn machine(ctx: &Ctx, token: &str) -> Result<Option<Actor>, sea_orm::DbErr> {
    let Some(t) = store::api_token_by_hash(ctx.db.conn(), &sha256_hex(token)).await? else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= ctx.now().0) {
        return Ok(None);
    }
    Ok(Some(Actor::Machine { token_id: t.id, scopes: t.scopes }))
}

async fn resolve(ctx: &Ctx, headers: &HeaderMap) -> Result<Actor, sea_orm::DbErr> {
    let c = ctx.db.conn();
    let now = ctx.now();
    if let Some(token) = bearer(headers) {
        return Ok(machine(ctx, token).await?.unwrap_or_default());
    }
    let Some(token) = session_token(headers) else {
        return Ok(Actor::Anonymous);
    };
    let id_hash = sha256_hex(&token);
    // Every signed-in request passes here: one join and the role names, nothing decrypted.
    let Some((s, account)) = store::session_principal(c, &id_hash).await? else {
        return Ok(Actor::Anonymous);
    };
    let roles: Vec<Role> = store::role_names(c, &account.id).await?;
    let privileged = roles.iter().any(|r| r.is_privileged());
    let policy = &ctx.config.sessions;
    if now.since(s.last_seen_at) > policy.idle(privileged) || now.since(s.created_at) > policy.absolute(privileged) {
        store::delete_session(c, &id_hash).await?;
        return Ok(Actor::Anonymous);
    }
    if now.since(s.last_seen_at) > TOUCH_EVERY {
        store::touch_session(c, &id_hash, now).await?;
    }
    let must_change_password = account.must_change_password || crate::service::password_expired(ctx, privileged, account.password_changed_at);
    Ok(Actor::User(UserActor {
        account_id: account.id,
        session_id: Some(id_hash),
        roles,
        department: account.department,
        second_factor: s.second_factor && account.totp_enabled,
        must_change_password,
    }))
}

/// A cookie of ours (session, pending 2FA, language, eID nonce): HttpOnly,
/// SameSite=Lax, Secure unless served over plain HTTP.
pub fn cookie(ctx: &Ctx, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(true).secure(ctx.config.secure_cookies()).same_site(SameSite::Lax).build()
}

pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build((name, "")).path("/").build();
    c.make_removal();
    c
}

/// A short description of the device for the sessions list (no IP, no full UA).
pub fn device(headers: &HeaderMap) -> String {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let browser = ["Firefox", "Edg", "Chrome", "Safari"].into_iter().find(|b| ua.contains(b)).map(|b| if b == "Edg" { "Edge" } else { b });
    let os = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"].into_iter().find(|o| ua.contains(o));
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} · {o}"),
        (Some(b), None) => b.to_string(),
        (None, Some(o)) => o.to_string(),
        _ => "—".to_string(),
    }
}
