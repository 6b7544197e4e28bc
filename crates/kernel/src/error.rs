//! One error type at the HTTP edge. It renders as RFC 9457
//! `application/problem+json`; for HTML routes a middleware turns the same
//! problem into a translated error page (see `layout::error_pages`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

pub type AppResult<T> = Result<T, AppError>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem with one field of a submitted form or document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Name of the field, as in the request.
    pub field: String,
    /// Stable machine-readable code, e.g. `emso_checksum`.
    pub code: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{status} {code}")]
pub struct AppError {
    pub status: StatusCode,
    /// Stable machine-readable code that UIs and clients translate.
    pub code: &'static str,
    pub detail: Option<String>,
    pub fields: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

/// The problem document (RFC 9457) with our `code` and `errors` extensions.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// URI reference that identifies the problem type.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code.
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl AppError {
    /// Whether a form should come back with this error beside its fields
    /// (a bad or invalid input the person can fix), rather than an error page.
    pub fn fixable(&self) -> bool {
        matches!(self.status.as_u16(), 400 | 422)
    }
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        AppError { status, code, detail: None, fields: vec![], retry_after_secs: None }
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
    pub fn bad_request(code: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code)
    }
    /// 422 with the fields that failed.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        AppError { fields, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed") }
    }
    pub fn field(field: &str, code: &str) -> Self {
        Self::invalid(vec![FieldError { field: field.into(), code: code.into() }])
    }
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "not_signed_in")
    }
    pub fn forbidden(code: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code)
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found")
    }
    pub fn conflict(code: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, code)
    }
    pub fn too_many(retry_after_secs: u64) -> Self {
        AppError { retry_after_secs: Some(retry_after_secs), ..Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts") }
    }
    /// Log the cause (server side only) and answer 500 without details.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("/problems/{}", self.code),
            title: title_for(self.status),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            errors: self.fields.clone(),
        }
    }
}

fn title_for(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_string()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut resp = (self.status, body).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after_secs {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"obcina\""));
        }
        resp
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::internal(e)
    }
}

impl From<crate::crypto::CryptoError> for AppError {
    fn from(e: crate::crypto::CryptoError) -> Self {
        AppError::internal(e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal(e)
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::internal(e)
    }
}

/// Adds a field's error to a form's list.
pub fn field_error(errors: &mut Vec<FieldError>, field: impl Into<String>, code: &str) {
    errors.push(FieldError { field: field.into(), code: code.into() });
}

/// A text as forms and the API take it, with the same characters as the
/// schemas' patterns: required, no C0 control or DEL (tab and line breaks
/// only in a multi-line text), no space at either end, `min`–`max` characters.
pub fn check_text(errors: &mut Vec<FieldError>, field: &str, v: &str, min: usize, max: usize, multiline: bool) -> String {
    let n = v.chars().count();
    let allowed = |c: char| !(c < ' ' || c == '\x7f') || (multiline && matches!(c, '\t' | '\n' | '\r'));
    if v.trim().is_empty() {
        field_error(errors, field, "required");
    } else if !v.chars().all(allowed) {
        field_error(errors, field, "invalid_characters");
    } else if v.starts_with(char::is_whitespace) || v.ends_with(char::is_whitespace) {
        field_error(errors, field, "surrounding_space");
    } else if n < min {
        field_error(errors, field, "too_short");
    } else if n > max {
        field_error(errors, field, "too_long");
    }
    v.to_string()
}
