//! What every HTML page shares: the page context templates use, and the
//! middleware that turns problem+json answers into translated error pages.

use crate::csrf::CsrfToken;
use crate::error::{PROBLEM_JSON, Problem};
use crate::{Actor, Ctx, Lang, Permission};
use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Context every page template gets as `p`.
#[derive(Clone)]
pub struct Page {
    pub ctx: Ctx,
    pub lang: Lang,
    pub csrf: String,
    /// Path and query of this request, for the language switch and sign-in return.
    pub path: String,
    pub actor: Actor,
}

impl Page {
    pub fn t(&self, key: &str) -> String {
        self.ctx.i18n.t(self.lang, key)
    }
    /// The message `{prefix}-{key}`, for codes shown in their language (a status, a state).
    pub fn tk(&self, prefix: &str, key: &str) -> String {
        self.t(&format!("{prefix}-{key}"))
    }
    /// A message with one named argument.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.ctx.i18n.t_args(self.lang, key, &[(name, value.to_string().into())])
    }
    pub fn tn(&self, key: &str, name: &str, n: impl std::borrow::Borrow<i64>) -> String {
        self.ctx.i18n.t_args(self.lang, key, &[(name, (*n.borrow()).into())])
    }
    /// The translated text for a problem code (`error-<code>`), or the generic one.
    pub fn error_text(&self, code: &str) -> String {
        let key = format!("error-{}", code.replace('_', "-"));
        if self.ctx.i18n.has(self.lang, &key) || self.ctx.i18n.has(Lang::En, &key) { self.t(&key) } else { self.t("error-generic") }
    }
    pub fn municipality(&self) -> &str {
        self.ctx.config.municipality.name(self.lang)
    }
    pub fn signed_in(&self) -> bool {
        matches!(self.actor, Actor::User(_))
    }
    pub fn staff(&self) -> bool {
        self.actor.user().is_some_and(|u| u.roles.iter().any(|r| Permission::StaffArea.roles().contains(r)))
    }
    pub fn languages(&self) -> Vec<(Lang, String)> {
        Lang::ALL.into_iter().filter(|l| *l != self.lang).map(|l| (l, format!("/lang/{}?next={}", l.code(), urlencode(&self.path)))).collect()
    }
    /// The return address for sign-in links.
    pub fn next_param(&self) -> String {
        urlencode(&self.path)
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap_or_default().trim_start_matches('=').to_string()
}

impl FromRequestParts<Ctx> for Page {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        Ok(Page {
            ctx: ctx.clone(),
            lang: crate::web::request_lang(&parts.headers),
            csrf: parts.extensions.get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default(),
            path: parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
            actor: parts.extensions.get::<Actor>().cloned().unwrap_or_default(),
        })
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    p: Page,
    status: u16,
    title: String,
    message: String,
}

/// For HTML routes: a problem becomes a translated page; "sign in first"
/// becomes a redirect to the sign-in page that returns here.
pub async fn error_pages(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if crate::web::is_api_path(&path) || path.starts_with("/static/") {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let page = Page::from_request_parts(&mut parts, &ctx).await.unwrap_or_else(|e| match e {});
    let resp = next.run(Request::from_parts(parts, body)).await;
    let is_problem = resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return resp;
    }
    let status = resp.status();
    if status == StatusCode::UNAUTHORIZED && page.actor.user().is_none() {
        return crate::web::see_other(&format!("/login?next={}", page.next_param()));
    }
    let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024).await.unwrap_or_default();
    let problem: Option<Problem> = serde_json::from_slice(&bytes).ok();
    let code = problem.as_ref().map(|p| p.code.clone()).unwrap_or_default();
    let message = page.error_text(&code);
    let title = page.t(&format!("error-status-{}", status.as_u16()));
    let title = if title.starts_with("error-status") { page.t("error-title") } else { title };
    (status, crate::web::render(&ErrorPage { p: page, status: status.as_u16(), title, message })).into_response()
}

/// The translated label for a field error code, e.g. `field-emso_checksum`.
pub fn field_message(p: &Page, code: &str) -> String {
    p.t(&format!("field-{}", code.replace('_', "-")))
}

/// A form's errors, translated: per field, or one for the whole form.
#[derive(Default)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    pub fn from(p: &Page, e: &crate::AppError) -> FormErrors {
        let mut v: Vec<(String, String)> = e.fields.iter().map(|f| (f.field.clone(), field_message(p, &f.code))).collect();
        if v.is_empty() {
            v.push(("form".into(), p.error_text(e.code)));
        }
        FormErrors(v)
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
    /// Say more than the code's message for a field that has an error (a
    /// count, a limit); a field without an error stays without one.
    pub fn explain(&mut self, field: &str, message: String) {
        if let Some(m) = self.0.iter_mut().find(|(f, _)| f == field) {
            m.1 = message;
        }
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn all(&self) -> &[(String, String)] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urlencode_encodes_query_characters() {
        assert_eq!(super::urlencode("/a?b=c&d"), "%2Fa%3Fb%3Dc%26d");
    }
}
