//! The CKAN Action API (read actions), so that the national portal's CKAN
//! harvester and CKAN clients work unchanged: `/api/3/action/{action}` (and
//! `/api/action/{action}`, where ckanapi calls), by GET with query
//! parameters or by POST with a JSON (or form) body; CKAN's envelope
//! `{"help", "success", "result"}` and its error types and statuses. It is
//! CKAN's own API, so it stays out of our OpenAPI document.

pub mod actions;
pub mod records;

use crate::Catalog;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Extension, Router};
use kernel::{Actor, Ctx};
use serde_json::{Map, Value, json};

pub fn router() -> Router<Ctx> {
    Router::new().route("/api/3/action/{action}", any(handle)).route("/api/action/{action}", any(handle))
}

/// A CKAN error: its `__type`, message and HTTP status.
#[derive(Debug, PartialEq)]
pub struct CkanError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    /// Field errors of a Validation Error (`{"rows": ["Invalid integer"]}`).
    pub fields: Map<String, Value>,
}

impl CkanError {
    pub fn not_found(what: &str) -> CkanError {
        CkanError { status: StatusCode::NOT_FOUND, kind: "Not Found Error", message: format!("Not found: {what}"), fields: Map::new() }
    }
    pub fn validation(field: &str, message: &str) -> CkanError {
        let mut fields = Map::new();
        fields.insert(field.into(), json!([message]));
        CkanError { status: StatusCode::CONFLICT, kind: "Validation Error", message: format!("Validation error: {field}: {message}"), fields }
    }
    pub fn search(message: impl Into<String>) -> CkanError {
        CkanError {
            status: StatusCode::CONFLICT,
            kind: "Search Query Error",
            message: format!("Search Query Error: {}", message.into()),
            fields: Map::new(),
        }
    }
    pub fn authorization(message: &str) -> CkanError {
        CkanError { status: StatusCode::FORBIDDEN, kind: "Authorization Error", message: format!("Access denied: {message}"), fields: Map::new() }
    }
    pub fn internal() -> CkanError {
        CkanError { status: StatusCode::INTERNAL_SERVER_ERROR, kind: "Internal Server Error", message: "Internal error".into(), fields: Map::new() }
    }
}

impl From<kernel::AppError> for CkanError {
    fn from(e: kernel::AppError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => CkanError::not_found("the requested item"),
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => CkanError::authorization(e.code),
            _ => CkanError::internal(),
        }
    }
}

pub type CkanResult<T> = Result<T, CkanError>;

/// The parameters of a call: query string, then the JSON or form body.
#[derive(Debug, Default)]
pub struct Params(pub Map<String, Value>);

impl Params {
    pub fn parse(query: Option<&str>, body: &[u8]) -> CkanResult<Params> {
        let mut m = Map::new();
        if let Some(q) = query {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).map_err(|_| CkanError::validation("query", "Malformed query string"))?;
            for (k, v) in pairs {
                m.insert(k, Value::String(v));
            }
        }
        let trimmed = body.iter().skip_while(|b| b.is_ascii_whitespace()).copied().collect::<Vec<u8>>();
        if !trimmed.is_empty() {
            if trimmed[0] == b'{' || trimmed[0] == b'[' {
                match serde_json::from_slice::<Value>(&trimmed) {
                    Ok(Value::Object(o)) => m.extend(o),
                    _ => return Err(CkanError::validation("body", "JSON body must be a dict")),
                }
            } else {
                let pairs: Vec<(String, String)> =
                    serde_urlencoded::from_bytes(&trimmed).map_err(|_| CkanError::validation("body", "Request body is neither JSON nor a form"))?;
                for (k, v) in pairs {
                    m.insert(k, Value::String(v));
                }
            }
        }
        Ok(Params(m))
    }

    pub fn str(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// A required string (`id`).
    pub fn required(&self, key: &str) -> CkanResult<String> {
        self.str(key).filter(|s| !s.is_empty()).ok_or_else(|| CkanError::validation(key, "Missing value"))
    }

    /// A whole number at least 0, or the default.
    pub fn int(&self, key: &str, default: usize) -> CkanResult<usize> {
        let v = match self.0.get(key) {
            None | Some(Value::Null) => return Ok(default),
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(default),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match v {
            Some(n) if n >= 0 => Ok(n as usize),
            Some(_) => Err(CkanError::validation(key, "Must be a natural number")),
            None => Err(CkanError::validation(key, "Invalid integer")),
        }
    }

    pub fn bool(&self, key: &str, default: bool) -> CkanResult<bool> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" | "" => Ok(false),
                _ => Err(CkanError::validation(key, "Must be a boolean")),
            },
            Some(_) => Err(CkanError::validation(key, "Must be a boolean")),
        }
    }

    /// A list given as a JSON list, or as a string holding one (`facet.field=["a","b"]`).
    pub fn list(&self, key: &str) -> CkanResult<Vec<String>> {
        let v = match self.0.get(key) {
            None | Some(Value::Null) => return Ok(vec![]),
            Some(Value::String(s)) if s.trim_start().starts_with('[') => {
                serde_json::from_str::<Value>(s).map_err(|_| CkanError::validation(key, "Must be a JSON list"))?
            }
            Some(Value::String(s)) => return Ok(s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()),
            Some(v) => v.clone(),
        };
        match v {
            Value::Array(a) => Ok(a.into_iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).collect()),
            _ => Err(CkanError::validation(key, "Must be a list")),
        }
    }
}

/// The envelope of every answer.
pub fn envelope(base: &str, action: &str, r: CkanResult<Value>) -> Response {
    let help = format!("{base}/api/3/action/help_show?name={action}");
    let (status, body) = match r {
        Ok(result) => (StatusCode::OK, json!({"help": help, "success": true, "result": result})),
        Err(e) => {
            let mut error = e.fields;
            error.insert("__type".into(), json!(e.kind));
            error.insert("message".into(), json!(e.message));
            (e.status, json!({"help": help, "success": false, "error": error}))
        }
    };
    let mut resp = (status, axum::Json(body)).into_response();
    // Harvesters and browser clients on other origins read the catalogue.
    resp.headers_mut().insert("access-control-allow-origin", axum::http::HeaderValue::from_static("*"));
    resp
}

async fn handle(
    State(ctx): State<Ctx>,
    Extension(cat): Extension<Catalog>,
    actor: Actor,
    method: Method,
    Path(action): Path<String>,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let base = ctx.config.public_url();
    if !(method == Method::GET || method == Method::POST || method == Method::HEAD) {
        let e = CkanError { status: StatusCode::METHOD_NOT_ALLOWED, kind: "Bad Request", message: "Use GET or POST".into(), fields: Map::new() };
        return envelope(&base, &action, Err(e));
    }
    let result = match Params::parse(query.as_deref(), &body) {
        Ok(params) => actions::run(&ctx, &cat, &actor, &action, &params).await,
        Err(e) => Err(e),
    };
    envelope(&base, &action, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_come_from_query_and_json_body() {
        let p = Params::parse(Some("rows=5&fq=organization%3Amop"), br#"{"start": 10, "facet.field": ["groups"]}"#).unwrap();
        assert_eq!(p.int("rows", 10).unwrap(), 5);
        assert_eq!(p.int("start", 0).unwrap(), 10);
        assert_eq!(p.str("fq").as_deref(), Some("organization:mop"));
        assert_eq!(p.list("facet.field").unwrap(), ["groups"]);
        let q = Params::parse(Some("facet.field=%5B%22organization%22%2C%22tags%22%5D&rows=-1&include_private=True"), b"").unwrap();
        assert_eq!(q.list("facet.field").unwrap(), ["organization", "tags"]);
        assert_eq!(q.int("rows", 10).unwrap_err().kind, "Validation Error");
        assert!(q.bool("include_private", false).unwrap());
        assert_eq!(Params::parse(None, b"[1]").unwrap_err().kind, "Validation Error");
        assert_eq!(Params::parse(None, b"id=x").unwrap().required("id").unwrap(), "x");
        assert_eq!(Params::default().required("id").unwrap_err().status, StatusCode::CONFLICT);
    }
}
