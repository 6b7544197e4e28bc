//! Small HTTP helpers shared by every capability.

use crate::Lang;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

pub const LANG_COOKIE: &str = "obcina_lang";
/// The session cookie (set by the identity; CSRF tokens are bound to it).
pub const SESSION_COOKIE: &str = "obcina_session";

/// The language of this request: the remembered choice, else the browser's.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(request_lang(&parts.headers))
    }
}

pub fn request_lang(headers: &axum::http::HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(headers);
    if let Some(l) = jar.get(LANG_COOKIE).and_then(|c| Lang::from_code(c.value())) {
        return l;
    }
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_accept_language).unwrap_or(Lang::Sl)
}

/// Render an askama template as an HTML response.
pub fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => crate::AppError::from(e).into_response(),
    }
}

/// Only same-site relative paths are accepted as `next` targets (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers strip tabs and newlines, so "/\t/evil.example" would become "//evil.example".
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(|c| c.is_control() || c.is_whitespace()) => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// A 303 redirect (after a POST the browser GETs the target).
pub fn see_other(to: &str) -> Response {
    (axum::http::StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/ngsi-ld/")
        || path.starts_with("/open311/")
        || path.starts_with("/healthz")
        || path.starts_with("/readyz")
        || path == "/metrics"
}

/// Headers every response carries (ASVS V14.4).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let https = req.headers().get("x-forwarded-proto").is_some_and(|v| v == "https") || req.uri().scheme_str() == Some("https");
    let mut resp = next.run(req).await;
    if https {
        resp.headers_mut().insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=(self)");
    set(h, "cross-origin-opener-policy", "same-origin");
    resp
}

/// Pages with a map also load the tile server's images, and nothing else
/// from it; `more_images` adds image sources (e.g. `https:` for photos).
pub fn with_map_csp(map: &crate::config::MapConfig, more_images: &str, mut resp: Response) -> Response {
    let origin = map.tile_origin().unwrap_or_default();
    let csp = format!(
        "default-src 'self'; img-src 'self' data: {origin} {more_images}; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert("content-security-policy", v);
    }
    resp
}

/// Pages that show personal data must not be cached by the browser or proxies.
pub fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// JSON body whose rejections are problem+json like every other API error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = crate::AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        // Parse to a value first: serde would fill a struct from a JSON array
        // by position, and an API that takes objects must refuse arrays.
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(JsonRejection::MissingJsonContentType(_)) => {
                return Err(crate::AppError::new(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE, "json_expected"));
            }
            Err(e) => {
                return Err(crate::AppError::bad_request("json_malformed").with_detail(e.body_text()));
            }
        };
        json_object(value).map(ApiJson)
    }
}

/// A parsed JSON body as `T`: an object (422 otherwise), with whole-number
/// floats read as integers. For handlers that take JSON among other types.
pub fn json_object<T: serde::de::DeserializeOwned>(mut value: serde_json::Value) -> Result<T, crate::AppError> {
    if !value.is_object() {
        return Err(crate::AppError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "json_invalid").with_detail("the body must be a JSON object"));
    }
    integral_floats_to_integers(&mut value);
    serde_json::from_value(value)
        .map_err(|e| crate::AppError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "json_invalid").with_detail(e.to_string()))
}

/// JSON Schema (and so OpenAPI 3.1) counts `5.0` as an integer; serde does
/// not take it for an integer field. Numbers without a fraction become
/// integers, so that every `type: integer` field accepts what the schema allows.
fn integral_floats_to_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64()
                && n.is_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *n = (f as i64).into();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(o) => o.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// Query string whose rejections are problem+json (400 `query_invalid`).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = crate::AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q).map(ApiQuery).map_err(|e| crate::AppError::bad_request("query_invalid").with_detail(e.to_string()))
    }
}

/// Every text field and every file of a multipart form.
pub async fn read_multipart(mut m: axum::extract::Multipart, file_field: &str) -> crate::AppResult<(Vec<(String, String)>, Vec<Vec<u8>>)> {
    let mut fields = vec![];
    let mut files = vec![];
    while let Some(f) = m.next_field().await.map_err(|_| crate::AppError::bad_request("form_malformed"))? {
        let name = f.name().unwrap_or("").to_string();
        let is_file = f.file_name().is_some();
        let bytes = f.bytes().await.map_err(|_| crate::AppError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large"))?;
        if name == file_field && is_file {
            // An empty file input sends an empty part.
            if !bytes.is_empty() {
                files.push(bytes.to_vec());
            }
        } else if !is_file {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok((fields, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_become_integers() {
        let mut v = serde_json::json!({"minutes": -72983899.0, "x": [2.5, 3.0], "big": 1e300});
        integral_floats_to_integers(&mut v);
        assert_eq!(v, serde_json::json!({"minutes": -72983899, "x": [2.5, 3], "big": 1e300}));
        assert!(v["minutes"].is_i64());
    }

    #[test]
    fn next_must_be_local() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
