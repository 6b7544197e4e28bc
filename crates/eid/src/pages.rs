//! Routes of the eID sign-in: start, assertion consumer service, finish, metadata.

use crate::service::{self, EidState};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use kernel::web::{safe_next, see_other};
use kernel::{Actor, AppResult, Ctx};
use serde::Deserialize;
use std::sync::Arc;

const NONCE_COOKIE: &str = "obcina_eid";

pub fn router(state: Arc<EidState>) -> Router<Ctx> {
    Router::new()
        .route("/login/eid", get(start))
        .route("/saml/acs", post(acs))
        .route("/saml/finish", get(finish))
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
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let (url, nonce) = service::start(&ctx, &st, &actor, &safe_next(q.next.as_deref())).await?;
    Ok((jar.add(identity::session::cookie(&ctx, NONCE_COOKIE, nonce)), see_other(&url)).into_response())
}

#[derive(Deserialize)]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
}

/// The IdP's browser POST lands here (cross-site by design; see kernel::csrf).
async fn acs(State(ctx): State<Ctx>, Extension(st): Extension<Arc<EidState>>, Form(f): Form<AcsForm>) -> AppResult<Response> {
    let handle = service::accept(&ctx, &st, &f.saml_response).await?;
    Ok(see_other(&format!("/saml/finish?h={handle}")))
}

#[derive(Deserialize)]
struct FinishQuery {
    h: String,
}

async fn finish(State(ctx): State<Ctx>, actor: Actor, headers: HeaderMap, jar: CookieJar, Query(q): Query<FinishQuery>) -> AppResult<Response> {
    let nonce = jar.get(NONCE_COOKIE).map(|c| c.value().to_string());
    let (token, next) = service::finish(&ctx, &actor, &q.h, nonce.as_deref(), &identity::session::device(&headers)).await?;
    let mut gone = Cookie::build((NONCE_COOKIE, "")).path("/").build();
    gone.make_removal();
    let jar = jar.add(gone).add(identity::session::cookie(&ctx, identity::session::SESSION_COOKIE, token));
    Ok((jar, see_other(&next)).into_response())
}

async fn metadata(Extension(st): Extension<Arc<EidState>>) -> Response {
    ([(header::CONTENT_TYPE, "application/samlmetadata+xml")], st.sp.metadata()).into_response()
}
