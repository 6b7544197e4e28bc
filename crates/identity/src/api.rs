//! JSON API of the identity under /api/v1, described with utoipa.

use crate::model::{Profile, ProfileInput};
use crate::personal::Holders;
use crate::service::{self, SignIn};
use crate::session::{self, SESSION_COOKIE};
use axum::Extension;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum_extra::extract::cookie::CookieJar;
use kernel::error::Problem;
use kernel::web::ApiJson;
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Role};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(organisations, register, confirm, create_session, delete_session, me, update_profile, export, staff_users, token_info),
    components(schemas(crate::store::Organisation, UserView, TokenInfo, Registration, Confirmation, Credentials, SessionInfo, Me, Profile, ProfileInput, Problem, kernel::error::FieldError, Role, Lang)),
    tags((name = "identity", description = "Citizen digital identity"))
)]
pub struct ApiDoc;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/v1/accounts", post(register))
        .route("/api/v1/accounts/confirm", post(confirm))
        .route("/api/v1/session", post(create_session).delete(delete_session))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/profile", put(update_profile))
        .route("/api/v1/me/export", get(export))
        .route("/api/v1/staff/users", get(staff_users))
        .route("/api/v1/token", get(token_info))
        .route("/api/v1/organisations", get(organisations))
}

#[derive(Deserialize, ToSchema)]
pub struct Registration {
    #[schema(format = "email", max_length = 254, example = "ana.novak@example.si")]
    pub email: String,
    /// At least 10 characters and not a common or guessable password
    /// (checked against a bundled list and a strength estimate; a weak one is refused with 422).
    #[schema(min_length = 10, max_length = 128, example = "vinska klet ob dravi 1908")]
    pub password: String,
    pub language: Option<Lang>,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// Always `confirmation_sent`: the answer does not reveal whether the address was registered before.
    pub status: String,
}

/// Register a citizen account; a confirmation link goes to the address.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "identity", request_body = Registration,
    responses(
        (status = 202, description = "Accepted; check your e-mail", body = Accepted),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid e-mail or weak password", body = Problem, content_type = "application/problem+json"),
    ))]
async fn register(State(ctx): State<Ctx>, lang: Lang, ApiJson(r): ApiJson<Registration>) -> AppResult<Response> {
    service::register(&ctx, &r.email, &r.password, r.language.unwrap_or(lang)).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(Accepted { status: "confirmation_sent".into() })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct Confirmation {
    /// The token from the confirmation link.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$", example = "yWAIZlfMQDZa5EgmHDFdgjO0MbJk7NS-JMYLMYQR8v0")]
    pub token: String,
}

/// Confirm an e-mail address with the token from the link.
#[utoipa::path(post, path = "/api/v1/accounts/confirm", tag = "identity", request_body = Confirmation,
    responses(
        (status = 204, description = "Confirmed"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, used or expired token (`token_invalid`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cross-site request refused", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    ))]
async fn confirm(State(ctx): State<Ctx>, ApiJson(c): ApiJson<Confirmation>) -> AppResult<StatusCode> {
    service::confirm_email(&ctx, &c.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 128)]
    pub password: String,
    /// TOTP or recovery code, for accounts with two-factor verification.
    #[schema(max_length = 32)]
    pub code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub account_id: String,
    pub second_factor: bool,
}

/// Sign in; the session is an HttpOnly cookie (`obcina_session`).
#[utoipa::path(post, path = "/api/v1/session", tag = "identity", request_body = Credentials,
    responses(
        (status = 201, description = "Signed in; cookie set", body = SessionInfo),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail or password (`invalid_credentials`), or a second factor is needed (`second_factor_needed`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "E-mail not confirmed yet (`email_not_confirmed`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong second-factor code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_session(State(ctx): State<Ctx>, headers: HeaderMap, jar: CookieJar, ApiJson(c): ApiJson<Credentials>) -> AppResult<Response> {
    let device = session::device(&headers);
    let (token, second_factor) = match service::sign_in(&ctx, &c.email, &c.password, &device).await? {
        SignIn::Session(t) => (t, false),
        SignIn::NeedsSecondFactor(pending) => match c.code.as_deref() {
            Some(code) => (service::sign_in_second_factor(&ctx, &pending, code, &device).await?, true),
            None => {
                return Err(AppError::new(StatusCode::UNAUTHORIZED, "second_factor_needed"));
            }
        },
    };
    let account_id = crate::store::session(ctx.db.conn(), &kernel::crypto::sha256_hex(&token)).await?.map(|s| s.account_id).unwrap_or_default();
    let jar = jar.add(session::cookie(&ctx, SESSION_COOKIE, token));
    Ok((StatusCode::CREATED, jar, axum::Json(SessionInfo { account_id, second_factor })).into_response())
}

/// Sign out of this session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "identity",
    responses((status = 204, description = "Signed out (also when there was no session)")))]
async fn delete_session(State(ctx): State<Ctx>, headers: HeaderMap, jar: CookieJar) -> AppResult<Response> {
    if let Some(t) = session::session_token(&headers) {
        service::sign_out(&ctx, &t).await?;
    }
    Ok((StatusCode::NO_CONTENT, jar.remove(session::removal(SESSION_COOKIE))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub email_confirmed: bool,
    pub roles: Vec<Role>,
    pub department: Option<String>,
    pub two_factor: bool,
    pub language: String,
    pub profile: Profile,
}

/// The signed-in person's account and profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses(
        (status = 200, description = "The account", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a person (machine token)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn me(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Me>> {
    let a = service::account(&ctx, &actor).await?;
    let profile = service::profile(&ctx, &actor).await?;
    Ok(axum::Json(Me {
        email_confirmed: a.email_confirmed_at.is_some(),
        roles: actor.user().map(|u| u.roles.clone()).unwrap_or_default(),
        two_factor: a.totp_enabled_at.is_some(),
        id: a.id,
        email: a.email,
        department: a.department,
        language: a.lang,
        profile,
    }))
}

/// Replace the profile; EMŠO and tax number are checked with their check digits.
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "identity", request_body = ProfileInput,
    responses(
        (status = 200, description = "Saved", body = Profile),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, listed in `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn update_profile(State(ctx): State<Ctx>, actor: Actor, ApiJson(p): ApiJson<ProfileInput>) -> AppResult<axum::Json<Profile>> {
    Ok(axum::Json(service::save_profile(&ctx, &actor, &p).await?))
}

/// Everything the platform holds about the signed-in person (GDPR Art. 15/20).
#[utoipa::path(get, path = "/api/v1/me/export", tag = "identity",
    responses(
        (status = 200, description = "All personal data as JSON", body = Object),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a person (machine token)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn export(State(ctx): State<Ctx>, actor: Actor, holders: Option<Extension<Holders>>) -> AppResult<axum::Json<serde_json::Value>> {
    Ok(axum::Json(service::export(&ctx, &actor, &holders.map(|h| h.0).unwrap_or_default()).await?))
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub department: Option<String>,
    pub two_factor: bool,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// Accounts and their roles, for administrators (an audited read of personal data).
#[utoipa::path(get, path = "/api/v1/staff/users", tag = "identity",
    responses(
        (status = 200, description = "Accounts", body = [UserView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator, or no second factor (`missing_role`, `second_factor_required`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn staff_users(State(ctx): State<Ctx>, actor: Actor) -> AppResult<axum::Json<Vec<UserView>>> {
    let users = service::list_users(&ctx, &actor).await?;
    Ok(axum::Json(
        users
            .into_iter()
            .map(|u| UserView {
                id: u.id,
                email: u.email,
                roles: u.roles,
                department: u.department,
                two_factor: u.two_factor,
                created_at: u.created_at.rfc3339(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TokenInfo {
    pub token_id: String,
    pub scopes: Vec<String>,
}

/// What the presented bearer token is and may do.
#[utoipa::path(get, path = "/api/v1/token", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "The token", body = TokenInfo),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
    ))]
async fn token_info(actor: Actor) -> AppResult<axum::Json<TokenInfo>> {
    match actor {
        Actor::Machine { token_id, scopes } => Ok(axum::Json(TokenInfo { token_id, scopes })),
        _ => Err(AppError::unauthorized()),
    }
}

/// The municipal administration and the public companies and institutions on the platform.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "identity",
    responses((status = 200, description = "Organisations", body = [crate::store::Organisation])))]
async fn organisations(State(ctx): State<Ctx>) -> AppResult<axum::Json<Vec<crate::store::Organisation>>> {
    Ok(axum::Json(crate::store::organisations(ctx.db.conn()).await?))
}
