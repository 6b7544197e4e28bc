//! Routes of the eID sign-in: start, assertion consumer service, metadata.

use crate::service::{self, EidState};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use kernel::web::{safe_next, see_other};
use kernel::{Actor, AppResult, Ctx};
use serde::Deserialize;
use std::sync::Arc;

pub fn router(state: Arc<EidState>) -> Router<Ctx> {
    Router::new()
        .route("/login/eid", get(start))
        .route("/saml/acs", post(acs))
        .route("/saml/metadata", get(metadata))
        .layer(Extension(state))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn start(
    State(ctx): State<Ctx>,
    Extension(st): Extension<Arc<EidState>>,
    actor: Actor,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let url = service::start(&ctx, &st, &actor, &safe_next(q.next.as_deref())).await?;
    Ok(see_other(&url))
}

#[derive(Deserialize)]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
}

/// The IdP's browser POST lands here (cross-site by design; see kernel::csrf).
async fn acs(
    State(ctx): State<Ctx>,
    Extension(st): Extension<Arc<EidState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<AcsForm>,
) -> AppResult<Response> {
    let (token, next) = service::finish(
        &ctx,
        &st,
        &f.saml_response,
        &identity::session::device(&headers),
    )
    .await?;
    let cookie = Cookie::build((identity::session::SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(ctx.config.secure_cookies())
        .same_site(SameSite::Lax)
        .build();
    Ok((jar.add(cookie), see_other(&next)).into_response())
}

async fn metadata(Extension(st): Extension<Arc<EidState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
        st.sp.metadata(),
    )
        .into_response()
}
