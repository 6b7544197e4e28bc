//! NGSI-LD errors: problem details (RFC 9457) whose `type` is one of the
//! error types of ETSI GS CIM 009 clause 5.5.2.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidRequest,
    BadRequestData,
    AlreadyExists,
    OperationNotSupported,
    ResourceNotFound,
    InternalError,
    TooComplexQuery,
    TooManyResults,
    LdContextNotAvailable,
    NonexistentTenant,
    NotAcceptable,
    UnsupportedMediaType,
    LengthRequired,
    Unauthorized,
    Forbidden,
    MethodNotAllowed,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::InvalidRequest | ErrorKind::BadRequestData => StatusCode::BAD_REQUEST,
            ErrorKind::AlreadyExists => StatusCode::CONFLICT,
            ErrorKind::OperationNotSupported => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::ResourceNotFound | ErrorKind::NonexistentTenant => StatusCode::NOT_FOUND,
            ErrorKind::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::TooComplexQuery | ErrorKind::TooManyResults | ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::LdContextNotAvailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::LengthRequired => StatusCode::LENGTH_REQUIRED,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "InvalidRequest",
            ErrorKind::BadRequestData => "BadRequestData",
            ErrorKind::AlreadyExists => "AlreadyExists",
            ErrorKind::OperationNotSupported => "OperationNotSupported",
            ErrorKind::ResourceNotFound => "ResourceNotFound",
            ErrorKind::InternalError => "InternalError",
            ErrorKind::TooComplexQuery => "TooComplexQuery",
            ErrorKind::TooManyResults => "TooManyResults",
            ErrorKind::LdContextNotAvailable => "LdContextNotAvailable",
            ErrorKind::NonexistentTenant => "NonexistentTenant",
            ErrorKind::NotAcceptable => "NotAcceptable",
            ErrorKind::UnsupportedMediaType => "UnsupportedMediaType",
            ErrorKind::LengthRequired => "LengthRequired",
            ErrorKind::Unauthorized => "Unauthorized",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::MethodNotAllowed => "MethodNotAllowed",
        }
    }

    fn title(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "The request is malformed",
            ErrorKind::BadRequestData => "The request holds invalid data",
            ErrorKind::AlreadyExists => "It exists already",
            ErrorKind::OperationNotSupported => "The operation is not supported",
            ErrorKind::ResourceNotFound => "Not found",
            ErrorKind::InternalError => "Internal error",
            ErrorKind::TooComplexQuery => "The query is too complex",
            ErrorKind::TooManyResults => "Too many results",
            ErrorKind::LdContextNotAvailable => "The JSON-LD @context is not available",
            ErrorKind::NonexistentTenant => "No such tenant",
            ErrorKind::NotAcceptable => "No acceptable media type",
            ErrorKind::UnsupportedMediaType => "Unsupported media type",
            ErrorKind::LengthRequired => "Content-Length required",
            ErrorKind::Unauthorized => "Authentication required",
            ErrorKind::Forbidden => "Not allowed",
            ErrorKind::MethodNotAllowed => "Method not allowed",
        }
    }

    pub fn type_uri(self) -> String {
        format!("https://uri.etsi.org/ngsi-ld/errors/{}", self.name())
    }
}

#[derive(Debug, Clone)]
pub struct NgsiError {
    pub kind: ErrorKind,
    pub detail: String,
}

pub type NgsiResult<T> = Result<T, NgsiError>;

impl NgsiError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> NgsiError {
        NgsiError { kind, detail: detail.into() }
    }
    pub fn invalid(detail: impl Into<String>) -> NgsiError {
        NgsiError::new(ErrorKind::InvalidRequest, detail)
    }
    pub fn bad_data(detail: impl Into<String>) -> NgsiError {
        NgsiError::new(ErrorKind::BadRequestData, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> NgsiError {
        NgsiError::new(ErrorKind::ResourceNotFound, detail)
    }
    pub fn exists(detail: impl Into<String>) -> NgsiError {
        NgsiError::new(ErrorKind::AlreadyExists, detail)
    }
    pub fn unsupported(detail: impl Into<String>) -> NgsiError {
        NgsiError::new(ErrorKind::OperationNotSupported, detail)
    }
    pub fn internal() -> NgsiError {
        NgsiError::new(ErrorKind::InternalError, "internal error")
    }

    /// The problem details document, as batch results embed it.
    pub fn body(&self) -> Value {
        json!({
            "type": self.kind.type_uri(),
            "title": self.kind.title(),
            "status": self.kind.status().as_u16(),
            "detail": self.detail,
        })
    }
}

impl std::fmt::Display for NgsiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.detail)
    }
}

impl IntoResponse for NgsiError {
    fn into_response(self) -> Response {
        // RFC 9110: a 411 carries no content.
        if self.kind == ErrorKind::LengthRequired {
            return self.kind.status().into_response();
        }
        let mut r = (self.kind.status(), self.body().to_string()).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    }
}

impl From<sea_orm::DbErr> for NgsiError {
    fn from(e: sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "NGSI-LD storage failed");
        NgsiError::internal()
    }
}

impl From<crate::context::ContextError> for NgsiError {
    fn from(e: crate::context::ContextError) -> Self {
        match e {
            crate::context::ContextError::Invalid(d) => NgsiError::bad_data(format!("@context: {d}")),
            crate::context::ContextError::Unavailable(d) => NgsiError::new(ErrorKind::LdContextNotAvailable, d),
        }
    }
}
