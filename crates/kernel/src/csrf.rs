//! CSRF protection for HTML forms: a random cookie per browser and, in every
//! form, a MAC of it under a server key. A cross-site page can neither read
//! the cookie nor compute the MAC. Unsafe requests with a foreign `Origin`
//! are refused outright.

use crate::{AppError, Ctx};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;

pub const COOKIE: &str = "obcina_csrf";

/// Endpoints another site POSTs to by protocol design (the SAML HTTP-POST
/// binding). They carry their own proof (a signed message bound to our
/// request) and use no cookie, so the origin check does not apply.
pub const CROSS_SITE_POST_PATHS: &[&str] = &["/saml/acs"];

/// The token to put in forms, available to handlers as an extension.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The form token: a MAC of the browser's CSRF cookie and its session
/// cookie, so a cookie planted from a sibling domain is not enough to forge
/// a form for someone's session.
fn token_for(ctx: &Ctx, jar: &CookieJar, cookie: &str) -> String {
    let session = jar.get(crate::web::SESSION_COOKIE).map(|c| c.value()).unwrap_or("");
    ctx.keys.mac("csrf", &format!("{cookie}\u{0}{session}"))
}

/// Gives every browser a CSRF cookie and every request its form token.
pub async fn layer(State(ctx): State<Ctx>, jar: CookieJar, mut req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !same_origin(req.headers(), &ctx.config.public_url()) && !CROSS_SITE_POST_PATHS.contains(&req.uri().path()) {
        return axum::response::IntoResponse::into_response(AppError::forbidden("cross_origin"));
    }
    let existing = jar.get(COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() >= 20);
    let value = existing.clone().unwrap_or_else(|| crate::crypto::random_token(24));
    req.extensions_mut().insert(CsrfToken(token_for(&ctx, &jar, &value)));
    // APIs have no forms: their clients need no cookie.
    let api = crate::web::is_api_path(req.uri().path());
    let resp = next.run(req).await;
    if existing.is_some() || api {
        return resp;
    }
    let cookie = Cookie::build((COOKIE, value)).path("/").http_only(true).secure(ctx.config.secure_cookies()).same_site(SameSite::Lax).build();
    let mut resp = resp;
    if let Ok(v) = cookie.to_string().parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// If the browser says where a request comes from, it must be this site:
/// the configured public URL (behind a proxy) or the Host it asked for.
fn same_origin(h: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        return false;
    }
    if origin == public_url {
        return true;
    }
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split_once("://").map(|(_, rest)| rest) == Some(host)
}

/// Whether a form's `_csrf` value is the token for this browser's cookies.
/// For forms read by other means than `CsrfForm` (multipart uploads).
pub fn token_matches(ctx: &Ctx, jar: &CookieJar, sent: Option<&str>) -> bool {
    match (sent, jar.get(COOKIE)) {
        (Some(sent), Some(cookie)) => crate::crypto::ct_eq(sent, &token_for(ctx, jar, cookie.value())),
        _ => false,
    }
}

/// A urlencoded form whose `_csrf` field was checked.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<Ctx> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, ctx: &Ctx) -> Result<Self, AppError> {
        let expected = req.extensions().get::<CsrfToken>().map(|t| t.0.clone());
        let jar = CookieJar::from_headers(req.headers());
        let bytes = axum::body::Bytes::from_request(req, ctx).await.map_err(|_| AppError::bad_request("body_unreadable"))?;
        #[derive(serde::Deserialize)]
        struct Only {
            #[serde(rename = "_csrf")]
            csrf: Option<String>,
        }
        let only: Only = serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::bad_request("form_malformed"))?;
        if !(expected.is_some() && token_matches(ctx, &jar, only.csrf.as_deref())) {
            return Err(AppError::forbidden("csrf_failed"));
        }
        let value = serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::bad_request("form_malformed"))?;
        Ok(CsrfForm(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        let public = "https://portal.ptuj.si";
        assert!(same_origin(&h, public));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h, public));
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&h, public));
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(!same_origin(&h, public));
        // Behind a proxy that rewrites Host, the public URL still matches.
        h.insert(header::HOST, "10.0.0.5:8080".parse().unwrap());
        h.insert(header::ORIGIN, "https://portal.ptuj.si".parse().unwrap());
        assert!(same_origin(&h, public));
    }
}
