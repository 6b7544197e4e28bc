//! HTML pages of the identity: register, confirm, sign in, profile,
//! credentials, 2FA, sessions, data download, deletion, and the staff pages
//! for users, roles, tokens and the audit log.

use crate::model::ProfileInput;
use crate::personal::Holders;
use crate::service::{self, SignIn};
use crate::session::{self, PENDING_COOKIE, SESSION_COOKIE};
use crate::store;
use askama::Template;
use axum::Extension;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use kernel::csrf::CsrfForm;
use kernel::layout::{Page, field_message};
use kernel::web::{no_store, render, safe_next, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Role};
use serde::Deserialize;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/register", get(register_form).post(register))
        .route("/confirm", get(confirm))
        .route("/confirm-email", get(confirm_email_change))
        .route("/login", get(login_form).post(login))
        .route("/login/2fa", get(second_factor_form).post(second_factor))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_language))
        .route("/account", get(account).post(save_profile))
        .route("/account/reauth", get(reauth_form).post(reauth))
        .route("/account/password", get(password_form).post(change_password))
        .route("/account/email", get(email_form).post(change_email))
        .route("/account/2fa", get(totp_page))
        .route("/account/2fa/enable", post(totp_enable))
        .route("/account/2fa/disable", post(totp_disable))
        .route("/account/sessions", get(sessions_page))
        .route("/account/sessions/end", post(end_session))
        .route("/account/data", get(data_page))
        .route("/account/data.json", get(data_download))
        .route("/account/delete", get(delete_form).post(delete_account))
        .route("/organisations", get(organisations_page))
        .route("/staff", get(staff_home))
        .route("/staff/users", get(staff_users))
        .route("/staff/users/{id}/role", post(staff_set_role))
        .route("/staff/tokens", get(staff_tokens).post(staff_create_token))
        .route("/staff/tokens/{id}/revoke", post(staff_revoke_token))
        .route("/staff/audit", get(staff_audit))
}

/// Field errors translated for the form, plus one message for the whole form.
#[derive(Default)]
pub struct Errors {
    pub general: Option<String>,
    pub fields: Vec<(String, String)>,
}

impl Errors {
    fn from(p: &Page, e: &AppError) -> Errors {
        let fields: Vec<(String, String)> = e.fields.iter().map(|f| (f.field.clone(), field_message(p, &f.code))).collect();
        let general = fields.is_empty().then(|| p.error_text(e.code));
        Errors { general, fields }
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// Re-render the form with the errors if the problem is the user's input; otherwise pass it on.
fn form_or_error(p: &Page, e: AppError, f: impl FnOnce(Errors) -> Response) -> Response {
    let user_fixable = matches!(e.status.as_u16(), 401 | 403 | 422 | 400 | 409 | 429)
        && !matches!(e.code, "csrf_failed" | "missing_role" | "second_factor_required" | "reauth_required");
    if !user_fixable || e.code == "reauth_required" {
        return reauth_or_error(p, e);
    }
    let status = e.status;
    let mut resp = f(Errors::from(p, &e));
    *resp.status_mut() = status;
    resp
}

// ---- registration ----

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    p: Page,
    email: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    p: Page,
    title: String,
    message: String,
    link: Option<(String, String)>,
}

fn message(p: Page, title: &str, msg: &str, link: Option<(&str, &str)>) -> Response {
    let link = link.map(|(href, label)| (href.to_string(), p.t(label)));
    render(&MessagePage { title: p.t(title), message: p.t(msg), link, p })
}

async fn register_form(p: Page) -> Response {
    render(&RegisterPage { p, email: String::new(), errors: Errors::default() })
}

#[derive(Deserialize)]
struct RegisterForm {
    email: String,
    password: String,
}

async fn register(State(ctx): State<Ctx>, p: Page, CsrfForm(f): CsrfForm<RegisterForm>) -> Response {
    match service::register(&ctx, &f.email, &f.password, p.lang).await {
        Ok(()) => message(p, "register-done-title", "register-done-body", None),
        Err(e) => {
            let email = f.email.clone();
            form_or_error(&p.clone(), e, |errors| render(&RegisterPage { p, email, errors }))
        }
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn confirm(State(ctx): State<Ctx>, p: Page, Query(q): Query<TokenQuery>) -> Response {
    match service::confirm_email(&ctx, q.token.as_deref().unwrap_or("")).await {
        Ok(_) => message(p, "confirm-done-title", "confirm-done-body", Some(("/login", "nav-sign-in"))),
        Err(_) => {
            let mut r = message(p, "confirm-failed-title", "confirm-failed-body", None);
            *r.status_mut() = http::StatusCode::NOT_FOUND;
            r
        }
    }
}

async fn confirm_email_change(State(ctx): State<Ctx>, p: Page, Query(q): Query<TokenQuery>) -> Response {
    match service::confirm_email_change(&ctx, q.token.as_deref().unwrap_or("")).await {
        Ok(()) => message(p, "email-changed-title", "email-changed-body", Some(("/account", "nav-account"))),
        Err(e) => {
            let status = e.status;
            let mut r = message(p, "confirm-failed-title", "confirm-failed-body", None);
            *r.status_mut() = status;
            r
        }
    }
}

// ---- sign-in ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: Page,
    email: String,
    next: String,
    errors: Errors,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(p: Page, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    render(&LoginPage { p, email: String::new(), next, errors: Errors::default() })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

fn with_cookies(jar: CookieJar, resp: Response) -> Response {
    (jar, resp).into_response()
}

async fn login(State(ctx): State<Ctx>, p: Page, headers: HeaderMap, jar: CookieJar, CsrfForm(f): CsrfForm<LoginForm>) -> Response {
    let next = safe_next(f.next.as_deref());
    // Sign-in always starts a new session: drop any old one.
    if let Some(old) = session::session_token(&headers) {
        let _ = service::sign_out(&ctx, &old).await;
    }
    match service::sign_in(&ctx, &f.email, &f.password, &session::device(&headers)).await {
        Ok(SignIn::Session(token)) => {
            let jar = jar.add(session::cookie(&ctx, SESSION_COOKIE, token));
            with_cookies(jar, see_other(&next))
        }
        Ok(SignIn::NeedsSecondFactor(pending)) => {
            let jar = jar.remove(session::removal(SESSION_COOKIE)).add(session::cookie(&ctx, PENDING_COOKIE, pending));
            with_cookies(jar, see_other(&format!("/login/2fa?next={}", kernel::layout::urlencode(&next))))
        }
        Err(e) => {
            let email = f.email.clone();
            form_or_error(&p.clone(), e, |errors| render(&LoginPage { p, email, next, errors }))
        }
    }
}

#[derive(Template)]
#[template(path = "login_2fa.html")]
struct SecondFactorPage {
    p: Page,
    next: String,
    errors: Errors,
}

async fn second_factor_form(p: Page, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    render(&SecondFactorPage { p, next, errors: Errors::default() })
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    next: Option<String>,
}

async fn second_factor(State(ctx): State<Ctx>, p: Page, headers: HeaderMap, jar: CookieJar, CsrfForm(f): CsrfForm<CodeForm>) -> Response {
    let next = safe_next(f.next.as_deref());
    let pending = jar.get(PENDING_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    match service::sign_in_second_factor(&ctx, &pending, &f.code, &session::device(&headers)).await {
        Ok(token) => {
            let jar = jar.remove(session::removal(PENDING_COOKIE)).add(session::cookie(&ctx, SESSION_COOKIE, token));
            with_cookies(jar, see_other(&next))
        }
        Err(e) if e.code == "sign_in_expired" => see_other(&format!("/login?next={}", kernel::layout::urlencode(&next))),
        Err(e) => form_or_error(&p.clone(), e, |errors| render(&SecondFactorPage { p, next, errors })),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(ctx): State<Ctx>, headers: HeaderMap, jar: CookieJar, CsrfForm(_): CsrfForm<Empty>) -> AppResult<Response> {
    if let Some(token) = session::session_token(&headers) {
        service::sign_out(&ctx, &token).await?;
    }
    Ok(with_cookies(jar.remove(session::removal(SESSION_COOKIE)), see_other("/")))
}

/// Switch language; remembered in a cookie and, when signed in, on the account.
async fn set_language(
    State(ctx): State<Ctx>,
    actor: Actor,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = Lang::from_code(&code).ok_or_else(AppError::not_found)?;
    service::set_language(&ctx, &actor, lang).await?;
    let mut c = session::cookie(&ctx, kernel::web::LANG_COOKIE, lang.code().to_string());
    c.set_max_age(time_days(365));
    Ok(with_cookies(jar.add(c), see_other(&safe_next(q.next.as_deref()))))
}

fn time_days(d: i64) -> time::Duration {
    time::Duration::days(d)
}

// ---- account and profile ----

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    p: Page,
    email: String,
    two_factor: bool,
    profile: ProfileInput,
    errors: Errors,
    saved: bool,
    must_change_password: bool,
    needs_second_factor: bool,
}

async fn account_page(ctx: &Ctx, p: Page, actor: &Actor, form: Option<(ProfileInput, Errors)>, saved: bool) -> AppResult<Response> {
    let account = service::account(ctx, actor).await?;
    let (profile, errors) = match form {
        Some(f) => f,
        None => {
            let pr = service::profile(ctx, actor).await?;
            let s = |v: Option<String>| v.unwrap_or_default();
            (
                ProfileInput { name: s(pr.name), address: s(pr.address), phone: s(pr.phone), tax_number: s(pr.tax_number), emso: s(pr.emso) },
                Errors::default(),
            )
        }
    };
    let user = actor.user();
    let page = AccountPage {
        email: account.email,
        two_factor: account.totp_enabled_at.is_some(),
        must_change_password: user.is_some_and(|u| u.must_change_password),
        needs_second_factor: actor.is_privileged() && user.is_some_and(|u| !u.second_factor),
        profile,
        errors,
        saved,
        p,
    };
    Ok(no_store(render(&page)))
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn account(State(ctx): State<Ctx>, p: Page, actor: Actor, Query(q): Query<SavedQuery>) -> AppResult<Response> {
    account_page(&ctx, p, &actor, None, q.saved.is_some()).await
}

async fn save_profile(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<ProfileInput>) -> AppResult<Response> {
    match service::save_profile(&ctx, &actor, &f).await {
        Ok(_) => Ok(see_other("/account?saved=1")),
        Err(e) if e.status.as_u16() == 422 => {
            let errors = Errors::from(&p, &e);
            let mut r = account_page(&ctx, p, &actor, Some((f, errors)), false).await?;
            *r.status_mut() = http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

// ---- re-authentication and credentials ----

#[derive(Template)]
#[template(path = "reauth.html")]
struct ReauthPage {
    p: Page,
    next: String,
    errors: Errors,
}

async fn reauth_form(p: Page, actor: Actor, Query(q): Query<NextQuery>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    let next = safe_next(q.next.as_deref());
    Ok(render(&ReauthPage { p, next, errors: Errors::default() }))
}

#[derive(Deserialize)]
struct PasswordOnly {
    password: String,
    next: Option<String>,
}

async fn reauth(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<PasswordOnly>) -> Response {
    let next = safe_next(f.next.as_deref());
    match service::reauthenticate(&ctx, &actor, &f.password).await {
        Ok(()) => see_other(&next),
        Err(e) => form_or_error(&p.clone(), e, |errors| render(&ReauthPage { p, next, errors })),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    p: Page,
    errors: Errors,
    done: bool,
}

async fn password_form(p: Page, actor: Actor, Query(q): Query<SavedQuery>) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    Ok(render(&PasswordPage { p, errors: Errors::default(), done: q.saved.is_some() }))
}

#[derive(Deserialize)]
struct NewPassword {
    new_password: String,
}

async fn change_password(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<NewPassword>) -> Response {
    match service::change_password(&ctx, &actor, &f.new_password).await {
        Ok(()) => see_other("/account/password?saved=1"),
        Err(e) => form_or_error(&p.clone(), e, |errors| render(&PasswordPage { p, errors, done: false })),
    }
}

#[derive(Template)]
#[template(path = "email.html")]
struct EmailPage {
    p: Page,
    email: String,
    errors: Errors,
}

async fn email_form(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let a = service::account(&ctx, &actor).await?;
    Ok(no_store(render(&EmailPage { p, email: a.email, errors: Errors::default() })))
}

#[derive(Deserialize)]
struct EmailForm {
    email: String,
}

async fn change_email(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<EmailForm>) -> Response {
    match service::change_email(&ctx, &actor, &f.email).await {
        Ok(()) => message(p, "email-change-sent-title", "email-change-sent-body", Some(("/account", "nav-account"))),
        Err(e) => form_or_error(&p.clone(), e, |errors| render(&EmailPage { p, email: f.email, errors })),
    }
}

// ---- two-factor ----

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    p: Page,
    enabled: bool,
    secret: String,
    qr_svg: String,
    recovery_codes: Vec<String>,
    unused_codes: i64,
    errors: Errors,
}

impl TotpPage {
    /// Enrolment: the QR code and key, with any error in the code field.
    fn enrol(p: Page, secret: String, url: &str, errors: Errors) -> TotpPage {
        TotpPage { p, enabled: false, qr_svg: crate::totp::qr_svg(url), secret, recovery_codes: vec![], unused_codes: 0, errors }
    }
    /// 2FA is on; `codes` are new recovery codes to show once (or none).
    fn on(p: Page, unused_codes: i64, recovery_codes: Vec<String>) -> TotpPage {
        TotpPage { p, enabled: true, secret: String::new(), qr_svg: String::new(), recovery_codes, unused_codes, errors: Errors::default() }
    }
}

/// Errors of actions without a form to re-render: a stale password asks for
/// it again, anything else is the translated error page.
fn reauth_or_error(p: &Page, e: AppError) -> Response {
    if e.code == "reauth_required" {
        return see_other(&format!("/account/reauth?next={}", p.next_param()));
    }
    e.into_response()
}

async fn totp_page(State(ctx): State<Ctx>, p: Page, actor: Actor) -> Response {
    let account = match service::account(&ctx, &actor).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if account.totp_enabled_at.is_some() {
        let unused = store::unused_recovery_codes(ctx.db.conn(), &account.id).await.unwrap_or(0);
        return no_store(render(&TotpPage::on(p, unused, vec![])));
    }
    match service::totp_begin(&ctx, &actor).await {
        Ok((secret, url)) => no_store(render(&TotpPage::enrol(p, secret, &url, Errors::default()))),
        Err(e) => reauth_or_error(&p, e),
    }
}

async fn totp_enable(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<CodeForm>) -> Response {
    match service::totp_enable(&ctx, &actor, &f.code).await {
        Ok(codes) => no_store(render(&TotpPage::on(p, codes.len() as i64, codes))),
        Err(e) if e.status.as_u16() == 422 => {
            let errors = Errors::from(&p, &e);
            match service::totp_begin(&ctx, &actor).await {
                Ok((secret, url)) => (http::StatusCode::UNPROCESSABLE_ENTITY, render(&TotpPage::enrol(p, secret, &url, errors))).into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => reauth_or_error(&p, e),
    }
}

async fn totp_disable(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(_): CsrfForm<Empty>) -> Response {
    match service::totp_disable(&ctx, &actor).await {
        Ok(()) => see_other("/account/2fa"),
        Err(e) => reauth_or_error(&p, e),
    }
}

// ---- sessions ----

pub struct SessionView {
    pub handle: String,
    pub device: String,
    pub created: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    p: Page,
    sessions: Vec<SessionView>,
}

async fn sessions_page(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let current = actor.user().and_then(|u| u.session_id.clone()).unwrap_or_default();
    let sessions = service::sessions(&ctx, &actor)
        .await?
        .into_iter()
        .map(|s| SessionView {
            handle: s.id_hash[..16].to_string(),
            device: s.device,
            created: s.created_at.display_local(),
            last_seen: s.last_seen_at.display_local(),
            current: s.id_hash == current,
        })
        .collect();
    Ok(no_store(render(&SessionsPage { p, sessions })))
}

#[derive(Deserialize)]
struct HandleForm {
    handle: String,
}

async fn end_session(State(ctx): State<Ctx>, actor: Actor, CsrfForm(f): CsrfForm<HandleForm>) -> AppResult<Response> {
    service::end_session(&ctx, &actor, &f.handle).await?;
    Ok(see_other("/account/sessions"))
}

// ---- data access and erasure ----

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    p: Page,
    json: String,
}

async fn data_page(State(ctx): State<Ctx>, p: Page, actor: Actor, holders: Option<Extension<Holders>>) -> AppResult<Response> {
    let data = service::export(&ctx, &actor, &holders.map(|h| h.0).unwrap_or_default()).await?;
    let json = serde_json::to_string_pretty(&data).unwrap_or_default();
    Ok(no_store(render(&DataPage { p, json })))
}

async fn data_download(State(ctx): State<Ctx>, actor: Actor, holders: Option<Extension<Holders>>) -> AppResult<Response> {
    let data = service::export(&ctx, &actor, &holders.map(|h| h.0).unwrap_or_default()).await?;
    let body = serde_json::to_vec_pretty(&data).unwrap_or_default();
    Ok(no_store(
        (
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"moji-podatki.json\"".to_string()),
            ],
            body,
        )
            .into_response(),
    ))
}

#[derive(Template)]
#[template(path = "delete.html")]
struct DeletePage {
    p: Page,
    errors: Errors,
}

async fn delete_form(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ManageOwnAccount)?;
    Ok(render(&DeletePage { p, errors: Errors::default() }))
}

async fn delete_account(
    State(ctx): State<Ctx>,
    p: Page,
    actor: Actor,
    jar: CookieJar,
    holders: Option<Extension<Holders>>,
    CsrfForm(f): CsrfForm<PasswordOnly>,
) -> Response {
    match service::delete_account(&ctx, &actor, &f.password, &holders.map(|h| h.0).unwrap_or_default()).await {
        Ok(()) => {
            with_cookies(jar.remove(session::removal(SESSION_COOKIE)), message(p, "delete-done-title", "delete-done-body", Some(("/", "error-home"))))
        }
        Err(e) => form_or_error(&p.clone(), e, |errors| render(&DeletePage { p, errors })),
    }
}

// ---- staff ----

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    p: Page,
    department: String,
    can_manage_roles: bool,
    can_tokens: bool,
    can_audit: bool,
    can_sensors: bool,
    can_participation: bool,
    can_reports: bool,
}

async fn staff_home(p: Page, actor: Actor) -> AppResult<Response> {
    let u = actor.check(Permission::StaffArea)?;
    let department = u.department.clone().unwrap_or_default();
    Ok(render(&StaffPage {
        department,
        can_manage_roles: actor.allows(Permission::ManageRoles),
        can_tokens: actor.allows(Permission::ManageApiTokens),
        can_audit: actor.allows(Permission::ReadAudit),
        can_sensors: actor.allows(Permission::ReadTelemetry),
        can_participation: actor.allows(Permission::AnswerCitizens),
        can_reports: actor.allows(Permission::ReadReports),
        p,
    }))
}

#[derive(Template)]
#[template(path = "staff_users.html")]
struct UsersPage {
    p: Page,
    users: Vec<service::UserSummary>,
    roles: Vec<Role>,
    organisations: Vec<store::Organisation>,
}

async fn staff_users(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    let users = service::list_users(&ctx, &actor).await?;
    let organisations = store::organisations(ctx.db.conn()).await?;
    Ok(no_store(render(&UsersPage { p, users, roles: Role::ALL.to_vec(), organisations })))
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
    action: String,
    department: Option<String>,
    legal_entity_tax_number: Option<String>,
}

async fn staff_set_role(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<RoleForm>) -> AppResult<Response> {
    let role = Role::from_code(&f.role).ok_or_else(|| AppError::field("role", "role_unknown"))?;
    service::set_role(&ctx, &actor, &id, role, f.action == "grant", f.department.as_deref(), f.legal_entity_tax_number.as_deref()).await?;
    Ok(see_other("/staff/users"))
}

#[derive(Template)]
#[template(path = "staff_tokens.html")]
struct TokensPage {
    p: Page,
    tokens: Vec<store::ApiToken>,
    scopes: Vec<&'static str>,
    new_secret: Option<String>,
    errors: Errors,
}

async fn tokens_page(ctx: &Ctx, p: Page, actor: &Actor, new_secret: Option<String>, errors: Errors) -> AppResult<Response> {
    actor.check(Permission::ManageApiTokens)?;
    let tokens = store::api_tokens(ctx.db.conn()).await?;
    Ok(no_store(render(&TokensPage { p, tokens, scopes: kernel::access::TOKEN_SCOPES.to_vec(), new_secret, errors })))
}

async fn staff_tokens(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    tokens_page(&ctx, p, &actor, None, Errors::default()).await
}

async fn staff_create_token(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Vec<(String, String)>>) -> AppResult<Response> {
    let name = f.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
    let scopes: Vec<String> = f.iter().filter(|(k, _)| k == "scope").map(|(_, v)| v.clone()).collect();
    match service::create_api_token(&ctx, &actor, &name, &scopes, Some(365)).await {
        Ok((_, secret)) => tokens_page(&ctx, p, &actor, Some(secret), Errors::default()).await,
        Err(e) if e.status.as_u16() == 422 => {
            let errors = Errors::from(&p, &e);
            tokens_page(&ctx, p, &actor, None, errors).await
        }
        Err(e) => Err(e),
    }
}

async fn staff_revoke_token(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(_): CsrfForm<Empty>) -> AppResult<Response> {
    service::revoke_api_token(&ctx, &actor, &id).await?;
    Ok(see_other("/staff/tokens"))
}

#[derive(Template)]
#[template(path = "staff_audit.html")]
struct AuditPage {
    p: Page,
    verdict: String,
    intact: bool,
    entries: Vec<kernel::audit::StoredEntry>,
}

async fn staff_audit(State(ctx): State<Ctx>, p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ReadAudit)?;
    let c = ctx.db.conn();
    let (verdict, intact) = match kernel::audit::verify(c, &ctx.keys, kernel::audit::read_anchor(&ctx.config.audit_anchor_file()).as_ref()).await? {
        kernel::audit::VerifyOutcome::Intact(n) => (p.tn("audit-intact", "n", n), true),
        kernel::audit::VerifyOutcome::Broken { seq, reason } => (format!("{} ({seq}: {reason})", p.t("audit-broken")), false),
    };
    let entries = kernel::audit::recent(c, 200, None).await?;
    Ok(no_store(render(&AuditPage { p, verdict, intact, entries })))
}

impl AuditPage {
    fn when(&self, at: &i64) -> String {
        kernel::Timestamp(*at).display_local()
    }
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    p: Page,
    organisations: Vec<store::Organisation>,
}

/// The municipal administration and the public companies and institutions on the platform.
async fn organisations_page(State(ctx): State<Ctx>, p: Page) -> AppResult<Response> {
    let organisations = store::organisations(ctx.db.conn()).await?;
    Ok(render(&OrganisationsPage { p, organisations }))
}
