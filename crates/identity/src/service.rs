//! Identity's rules: registration, confirmation, sign-in with throttling and
//! 2FA, profile, credentials, roles, tokens, export and erasure. Every
//! function that acts for someone takes the `Actor` and checks a permission.

use crate::model::{Email, Profile, ProfileInput, check_password};
use crate::personal::Holders;
use crate::store::{self, Account, Throttle};
use crate::{password, totp};
use kernel::audit::AuditEntry;
use kernel::crypto::{random_token, sha256_hex};
use kernel::mail::OutgoingMail;
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission, Role, Timestamp};
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::time::Duration;

const CONFIRM_VALID: Duration = Duration::from_secs(48 * 3600);
const PENDING_LOGIN_VALID: Duration = Duration::from_secs(5 * 60);

fn entry<'a>(actor: &'a str, action: &'a str, subject: &'a str, outcome: &'a str, detail: serde_json::Value) -> AuditEntry<'a> {
    AuditEntry { actor, action, subject, outcome, detail }
}

fn account_ref(id: &str) -> String {
    format!("account:{id}")
}

fn lang_of(a: &Account) -> Lang {
    Lang::from_code(&a.lang).unwrap_or(Lang::Sl)
}

async fn queue_mail<C: ConnectionTrait>(ctx: &Ctx, c: &C, to: &str, lang: Lang, key: &str, link: Option<String>) -> AppResult<()> {
    let i = &ctx.i18n;
    let muni = ctx.config.municipality.name(lang).to_string();
    let args = [("link", link.clone().unwrap_or_default().into()), ("municipality", muni.into())];
    let mail = OutgoingMail {
        to: to.to_string(),
        subject: i.t_args(lang, &format!("{key}-subject"), &args),
        body: i.t_args(lang, &format!("{key}-body"), &args),
    };
    ctx.queue_mail(c, &mail).await?;
    Ok(())
}

// ---- registration and confirmation ----

/// Register a citizen. The answer is the same whether or not the address is
/// already registered (no account enumeration): the owner of a registered
/// address gets an e-mail saying so instead.
pub async fn register(ctx: &Ctx, email: &str, password_plain: &str, lang: Lang) -> AppResult<()> {
    let email = Email::parse(email).map_err(|code| AppError::field("email", code))?;
    check_password(password_plain, ctx.config.passwords.min_length, &[email.as_str()]).map_err(|code| AppError::field("password", code))?;
    let hash = password::hash(password_plain.to_string()).await;
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    if let Some(existing) = store::account_by_email(&txn, &ctx.keys, &email.normalized()).await? {
        queue_mail(ctx, &txn, &existing.email, lang_of(&existing), "mail-already-registered", Some(format!("{}/login", ctx.config.public_url())))
            .await?;
        txn.commit().await?;
        return Ok(());
    }
    let id = uuid::Uuid::now_v7().to_string();
    store::insert_account(&txn, &ctx.keys, &id, &email, &hash, lang.code(), now).await?;
    store::grant_role(&txn, &ctx.keys, &id, Role::Citizen, None, "self", now).await?;
    let token = random_token(32);
    store::insert_email_token(&txn, &sha256_hex(&token), &id, "confirm", now.plus(CONFIRM_VALID)).await?;
    queue_mail(ctx, &txn, email.as_str(), lang, "mail-confirm", Some(format!("{}/confirm?token={token}", ctx.config.public_url()))).await?;
    let r = account_ref(&id);
    ctx.audit(&txn, entry(&r, "identity.register", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn confirm_email(ctx: &Ctx, token: &str) -> AppResult<String> {
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    let Some(id) = store::use_email_token(&txn, &sha256_hex(token.trim()), "confirm", now).await? else {
        return Err(AppError::new(http::StatusCode::NOT_FOUND, "token_invalid"));
    };
    store::confirm_email(&txn, &id, now).await?;
    let r = account_ref(&id);
    ctx.audit(&txn, entry(&r, "identity.email.confirm", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(id)
}

// ---- sign-in ----

/// Throttling state machine (ASVS V2.2): after 3 failures each attempt waits
/// 1, 2, 4, 8 s; after `lockout_after` failures the key locks for a while.
/// Keys are blind indexes of the address, so unknown addresses behave the same.
pub mod throttling {
    use super::*;

    pub fn delay(t: &Throttle) -> Duration {
        if t.failures < 3 { Duration::ZERO } else { Duration::from_secs(1 << (t.failures - 3).min(3)) }
    }

    pub fn locked_for(t: &Throttle, now: Timestamp) -> Option<u64> {
        t.locked_until.filter(|u| *u > now).map(|u| u.since(now).as_secs().max(1))
    }

    /// Failures that still count: they are forgotten after a quiet period as long as the lockout.
    pub fn recent_failures(t: &Throttle, now: Timestamp, lockout: Duration) -> i64 {
        if now.since(t.last_failure_at) > lockout { 0 } else { t.failures }
    }

    /// Count an attempt before it is checked. Refused (with seconds to wait)
    /// while locked, or while the allowance is used up by failures and
    /// attempts still being checked; this refusal sets no lock by itself.
    pub fn reserve(t: &Throttle, now: Timestamp, lockout_after: u32, lockout: Duration) -> Result<Throttle, u64> {
        if let Some(secs) = locked_for(t, now) {
            return Err(secs);
        }
        let failures = recent_failures(t, now, lockout);
        if failures >= lockout_after as i64 {
            return Err(lockout.as_secs().max(1));
        }
        Ok(Throttle { failures: failures + 1, last_failure_at: now, locked_until: None })
    }

    /// After a failed check: lock once the allowance is used up.
    pub fn after_failure(t: Throttle, now: Timestamp, lockout_after: u32, lockout: Duration) -> Throttle {
        if t.failures >= lockout_after as i64 && locked_for(&t, now).is_none() {
            return Throttle { locked_until: Some(now.plus(lockout)), ..t };
        }
        t
    }
}

pub enum SignIn {
    /// Signed in: the new session token for the cookie.
    Session(String),
    /// Password was right; a TOTP or recovery code is needed with this token.
    NeedsSecondFactor(String),
}

/// Count an attempt before it is checked, atomically, so that a burst of
/// parallel guesses cannot all pass the lock check first. Success clears the
/// count again. Returns the state before this attempt (for the delay).
async fn reserve_attempt(ctx: &Ctx, key: &str) -> AppResult<Throttle> {
    let policy = &ctx.config.passwords;
    let lockout = Duration::from_secs(policy.lockout_minutes * 60);
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    // Make sure the row exists, so the locking read below has a row to lock.
    kernel::db::exec(
        &txn,
        "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 0, 0) ON CONFLICT (key) DO NOTHING",
        [key.into()],
    )
    .await?;
    let before = store::throttle(&txn, key).await?;
    let reserved = throttling::reserve(&before, now, policy.lockout_after, lockout).map_err(AppError::too_many)?;
    store::save_throttle(&txn, key, reserved).await?;
    txn.commit().await?;
    Ok(before)
}

/// A checked attempt failed: it stays counted, and the key locks once the allowance is used up.
async fn record_failure<C: ConnectionTrait>(ctx: &Ctx, c: &C, key: &str) -> AppResult<()> {
    let policy = &ctx.config.passwords;
    let lockout = Duration::from_secs(policy.lockout_minutes * 60);
    let t = store::throttle(c, key).await?;
    let after = throttling::after_failure(t, ctx.now(), policy.lockout_after, lockout);
    if after != t {
        store::save_throttle(c, key, after).await?;
    }
    Ok(())
}

fn throttle_key(ctx: &Ctx, email_norm: &str) -> String {
    ctx.keys.mac("login", email_norm)
}

pub async fn sign_in(ctx: &Ctx, email: &str, password_plain: &str, device: &str) -> AppResult<SignIn> {
    let norm = email.trim().to_lowercase();
    let key = throttle_key(ctx, &norm);
    let t = reserve_attempt(ctx, &key).await?;
    tokio::time::sleep(throttling::delay(&t)).await;
    let account = store::account_by_email(ctx.db.conn(), &ctx.keys, &norm).await?;
    let ok = password::verify(password_plain.to_string(), account.as_ref().map(|a| a.password_hash.clone())).await;
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    let Some(account) = account.filter(|_| ok) else {
        record_failure(ctx, &txn, &key).await?;
        ctx.audit(&txn, entry("anonymous", "identity.sign_in", "account:unknown", "failed", json!({"failures": t.failures + 1}))).await?;
        txn.commit().await?;
        return Err(AppError::new(http::StatusCode::UNAUTHORIZED, "invalid_credentials"));
    };
    store::clear_throttle(&txn, &key).await?;
    let r = account_ref(&account.id);
    if account.email_confirmed_at.is_none() {
        ctx.audit(&txn, entry(&r, "identity.sign_in", &r, "denied", json!({"reason": "email_not_confirmed"}))).await?;
        txn.commit().await?;
        return Err(AppError::forbidden("email_not_confirmed"));
    }
    if account.totp_secret.is_some() {
        let pending = random_token(32);
        store::insert_pending_login(&txn, &sha256_hex(&pending), &account.id, now.plus(PENDING_LOGIN_VALID)).await?;
        ctx.audit(&txn, entry(&r, "identity.sign_in.password", &r, "ok", json!({}))).await?;
        txn.commit().await?;
        return Ok(SignIn::NeedsSecondFactor(pending));
    }
    let token = start_session(ctx, &txn, &account.id, false, device).await?;
    ctx.audit(&txn, entry(&r, "identity.sign_in", &r, "ok", json!({"second_factor": false}))).await?;
    txn.commit().await?;
    Ok(SignIn::Session(token))
}

/// Second step: a TOTP code or a recovery code.
pub async fn sign_in_second_factor(ctx: &Ctx, pending: &str, code: &str, device: &str) -> AppResult<String> {
    let now = ctx.now();
    let pending_hash = sha256_hex(pending);
    let Some(account_id) = store::pending_login(ctx.db.conn(), &pending_hash, now).await? else {
        return Err(AppError::new(http::StatusCode::UNAUTHORIZED, "sign_in_expired"));
    };
    let key = format!("totp:{account_id}");
    reserve_attempt(ctx, &key).await?;
    let txn = ctx.db.begin().await?;
    let account = store::account_by_id(&txn, &ctx.keys, &account_id).await?.ok_or_else(AppError::unauthorized)?;
    let r = account_ref(&account.id);
    let secret = account.totp_secret.clone().unwrap_or_default();
    let by_totp = match totp::verify(&secret, code, (now.0 / 1000) as u64, account.totp_last_step) {
        Some(step) => store::use_totp_step(&txn, &account.id, step).await?,
        None => false,
    };
    let by_recovery = !by_totp && store::use_recovery_code(&txn, &ctx.keys, &account.id, code, now).await?;
    if !by_totp && !by_recovery {
        record_failure(ctx, &txn, &key).await?;
        ctx.audit(&txn, entry(&r, "identity.sign_in.second_factor", &r, "failed", json!({}))).await?;
        txn.commit().await?;
        return Err(AppError::field("code", "code_invalid"));
    }
    store::clear_throttle(&txn, &key).await?;
    store::delete_pending_login(&txn, &pending_hash).await?;
    let token = start_session(ctx, &txn, &account.id, true, device).await?;
    ctx.audit(&txn, entry(&r, "identity.sign_in", &r, "ok", json!({"second_factor": if by_totp {"totp"} else {"recovery_code"}}))).await?;
    if by_recovery {
        queue_mail(ctx, &txn, &account.email, lang_of(&account), "mail-recovery-used", None).await?;
    }
    txn.commit().await?;
    Ok(token)
}

/// A new session with a new random id (never reuse one from before sign-in).
pub async fn start_session<C: ConnectionTrait>(ctx: &Ctx, c: &C, account_id: &str, second_factor: bool, device: &str) -> AppResult<String> {
    let token = random_token(32);
    store::insert_session(c, &sha256_hex(&token), account_id, second_factor, device, ctx.now()).await?;
    Ok(token)
}

pub async fn sign_out(ctx: &Ctx, token: &str) -> AppResult<()> {
    let txn = ctx.db.begin().await?;
    if let Some(s) = store::session(&txn, &sha256_hex(token)).await? {
        store::delete_session(&txn, &s.id_hash).await?;
        let r = account_ref(&s.account_id);
        ctx.audit(&txn, entry(&r, "identity.sign_out", &r, "ok", json!({}))).await?;
    }
    txn.commit().await?;
    Ok(())
}

// ---- the signed-in person ----

fn me(actor: &Actor) -> AppResult<&kernel::access::UserActor> {
    actor.check(Permission::ManageOwnAccount)
}

/// Re-authentication (ASVS V3.7): credential changes need a recent password.
fn require_recent_auth(ctx: &Ctx, session: &store::SessionRow) -> AppResult<()> {
    if ctx.now().since(session.reauth_at) > ctx.config.sessions.reauth() {
        return Err(AppError::forbidden("reauth_required"));
    }
    Ok(())
}

async fn current_session(ctx: &Ctx, actor: &Actor) -> AppResult<store::SessionRow> {
    let sid = actor.user().and_then(|u| u.session_id.clone()).ok_or_else(|| AppError::forbidden("session_required"))?;
    store::session(ctx.db.conn(), &sid).await?.ok_or_else(AppError::unauthorized)
}

pub async fn account(ctx: &Ctx, actor: &Actor) -> AppResult<Account> {
    let u = me(actor)?;
    store::account_by_id(ctx.db.conn(), &ctx.keys, &u.account_id).await?.ok_or_else(AppError::unauthorized)
}

pub async fn profile(ctx: &Ctx, actor: &Actor) -> AppResult<Profile> {
    let u = me(actor)?;
    Ok(store::profile(ctx.db.conn(), &ctx.keys, &u.account_id).await?)
}

pub async fn save_profile(ctx: &Ctx, actor: &Actor, input: &ProfileInput) -> AppResult<Profile> {
    let u = me(actor)?;
    let profile = input.validate().map_err(AppError::invalid)?;
    let txn = ctx.db.begin().await?;
    if let Some(emso) = &profile.emso {
        let owners = store::account_ids_by_identifier(&txn, &ctx.keys, store::EMSO_DOMAIN, emso).await?;
        if owners.iter().any(|o| o != &u.account_id) {
            return Err(AppError::field("emso", "emso_taken"));
        }
    }
    let before = store::profile(&txn, &ctx.keys, &u.account_id).await?;
    store::save_profile(&txn, &ctx.keys, &u.account_id, &profile, ctx.now()).await?;
    let changed: Vec<&str> = [
        ("name", before.name != profile.name),
        ("address", before.address != profile.address),
        ("phone", before.phone != profile.phone),
        ("tax_number", before.tax_number != profile.tax_number),
        ("emso", before.emso != profile.emso),
    ]
    .into_iter()
    .filter_map(|(f, c)| c.then_some(f))
    .collect();
    let r = account_ref(&u.account_id);
    ctx.audit(&txn, entry(&r, "identity.profile.change", &r, "ok", json!({"fields": changed}))).await?;
    txn.commit().await?;
    Ok(profile)
}

pub async fn set_language(ctx: &Ctx, actor: &Actor, lang: Lang) -> AppResult<()> {
    if let Some(u) = actor.user() {
        store::set_lang(ctx.db.conn(), &u.account_id, lang.code()).await?;
    }
    Ok(())
}

/// Confirm the password again; opens the re-authentication window.
pub async fn reauthenticate(ctx: &Ctx, actor: &Actor, password_plain: &str) -> AppResult<()> {
    let session = current_session(ctx, actor).await?;
    let account = account(ctx, actor).await?;
    let key = format!("reauth:{}", account.id);
    reserve_attempt(ctx, &key).await?;
    let ok = password::verify(password_plain.to_string(), Some(account.password_hash.clone())).await;
    let txn = ctx.db.begin().await?;
    let r = account_ref(&account.id);
    if !ok {
        record_failure(ctx, &txn, &key).await?;
        ctx.audit(&txn, entry(&r, "identity.reauth", &r, "failed", json!({}))).await?;
        txn.commit().await?;
        return Err(AppError::field("password", "password_wrong"));
    }
    store::clear_throttle(&txn, &key).await?;
    store::mark_reauth(&txn, &session.id_hash, ctx.now()).await?;
    ctx.audit(&txn, entry(&r, "identity.reauth", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn change_password(ctx: &Ctx, actor: &Actor, new_password: &str) -> AppResult<()> {
    let session = current_session(ctx, actor).await?;
    require_recent_auth(ctx, &session)?;
    let account = account(ctx, actor).await?;
    check_password(new_password, ctx.config.passwords.min_length, &[&account.email]).map_err(|code| AppError::field("new_password", code))?;
    if password::verify(new_password.to_string(), Some(account.password_hash.clone())).await {
        return Err(AppError::field("new_password", "password_reused"));
    }
    let hash = password::hash(new_password.to_string()).await;
    let txn = ctx.db.begin().await?;
    store::set_password(&txn, &account.id, &hash, false, ctx.now()).await?;
    // Other sessions may belong to whoever knew the old password.
    store::delete_other_sessions(&txn, &account.id, Some(&session.id_hash)).await?;
    queue_mail(ctx, &txn, &account.email, lang_of(&account), "mail-password-changed", None).await?;
    let r = account_ref(&account.id);
    ctx.audit(&txn, entry(&r, "identity.password.change", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

/// Ask to change the e-mail address. Nothing changes until the owner of the
/// new address opens the link sent there; the old address is told.
pub async fn change_email(ctx: &Ctx, actor: &Actor, new_email: &str) -> AppResult<()> {
    let session = current_session(ctx, actor).await?;
    require_recent_auth(ctx, &session)?;
    let account = account(ctx, actor).await?;
    let email = Email::parse(new_email).map_err(|code| AppError::field("email", code))?;
    let txn = ctx.db.begin().await?;
    if store::account_by_email(&txn, &ctx.keys, &email.normalized()).await?.is_some_and(|a| a.id != account.id) {
        return Err(AppError::field("email", "email_taken"));
    }
    let token = random_token(32);
    let now = ctx.now();
    store::insert_email_change(&txn, &ctx.keys, &sha256_hex(&token), &account.id, email.as_str(), now.plus(CONFIRM_VALID)).await?;
    let link = format!("{}/confirm-email?token={token}", ctx.config.public_url());
    queue_mail(ctx, &txn, email.as_str(), lang_of(&account), "mail-email-change-confirm", Some(link)).await?;
    queue_mail(ctx, &txn, &account.email, lang_of(&account), "mail-email-change-requested", None).await?;
    let r = account_ref(&account.id);
    ctx.audit(&txn, entry(&r, "identity.email.change_requested", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

/// The owner of the new address confirmed it: the change takes effect.
pub async fn confirm_email_change(ctx: &Ctx, token: &str) -> AppResult<()> {
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    let Some((account_id, new_email)) = store::use_email_change(&txn, &ctx.keys, &sha256_hex(token.trim()), now).await? else {
        return Err(AppError::new(http::StatusCode::NOT_FOUND, "token_invalid"));
    };
    let email = Email::parse(&new_email).map_err(|_| AppError::new(http::StatusCode::NOT_FOUND, "token_invalid"))?;
    let account = store::account_by_id(&txn, &ctx.keys, &account_id).await?.ok_or_else(AppError::not_found)?;
    if store::account_by_email(&txn, &ctx.keys, &email.normalized()).await?.is_some_and(|a| a.id != account.id) {
        return Err(AppError::conflict("email_taken"));
    }
    store::set_email(&txn, &ctx.keys, &account.id, &email.normalized(), email.as_str(), now).await?;
    queue_mail(ctx, &txn, &account.email, lang_of(&account), "mail-email-changed", None).await?;
    let r = account_ref(&account.id);
    ctx.audit(&txn, entry(&r, "identity.email.change", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

// ---- two-factor ----

/// Start TOTP enrolment: a new secret kept pending until a code proves the app has it.
pub async fn totp_begin(ctx: &Ctx, actor: &Actor) -> AppResult<(String, String)> {
    let session = current_session(ctx, actor).await?;
    require_recent_auth(ctx, &session)?;
    let account = account(ctx, actor).await?;
    let secret = match account.totp_pending {
        Some(s) => s,
        None => {
            let s = totp::new_secret();
            store::set_totp_pending(ctx.db.conn(), &ctx.keys, &account.id, Some(&s)).await?;
            s
        }
    };
    let url = totp::provisioning_url(&secret, &account.email, &ctx.config.municipality.short_name);
    Ok((secret, url))
}

/// Finish enrolment; returns the recovery codes to show once.
pub async fn totp_enable(ctx: &Ctx, actor: &Actor, code: &str) -> AppResult<Vec<String>> {
    let session = current_session(ctx, actor).await?;
    require_recent_auth(ctx, &session)?;
    let account = account(ctx, actor).await?;
    let secret = account.totp_pending.clone().ok_or_else(|| AppError::bad_request("totp_not_started"))?;
    let step = totp::verify(&secret, code, (ctx.now().0 / 1000) as u64, None).ok_or_else(|| AppError::field("code", "code_invalid"))?;
    let codes = totp::recovery_codes();
    let txn = ctx.db.begin().await?;
    store::enable_totp(&txn, &ctx.keys, &account.id, &secret, step, ctx.now()).await?;
    store::replace_recovery_codes(&txn, &ctx.keys, &account.id, &codes).await?;
    // This session has now proven the second factor.
    kernel::db::exec(&txn, "UPDATE sessions SET second_factor = 1 WHERE id_hash = $1", [session.id_hash.clone().into()]).await?;
    store::delete_other_sessions(&txn, &account.id, Some(&session.id_hash)).await?;
    queue_mail(ctx, &txn, &account.email, lang_of(&account), "mail-2fa-enabled", None).await?;
    let r = account_ref(&account.id);
    ctx.audit(&txn, entry(&r, "identity.2fa.enable", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(codes)
}

pub async fn totp_disable(ctx: &Ctx, actor: &Actor) -> AppResult<()> {
    let session = current_session(ctx, actor).await?;
    require_recent_auth(ctx, &session)?;
    if actor.is_privileged() {
        return Err(AppError::forbidden("second_factor_mandatory"));
    }
    let account = account(ctx, actor).await?;
    let txn = ctx.db.begin().await?;
    store::disable_totp(&txn, &account.id).await?;
    queue_mail(ctx, &txn, &account.email, lang_of(&account), "mail-2fa-disabled", None).await?;
    let r = account_ref(&account.id);
    ctx.audit(&txn, entry(&r, "identity.2fa.disable", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

// ---- sessions ----

pub async fn sessions(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<store::SessionRow>> {
    let u = me(actor)?;
    Ok(store::sessions_of(ctx.db.conn(), &u.account_id).await?)
}

pub async fn end_session(ctx: &Ctx, actor: &Actor, handle: &str) -> AppResult<()> {
    let u = me(actor)?;
    let txn = ctx.db.begin().await?;
    let n = store::delete_session_by_handle(&txn, &u.account_id, handle).await?;
    let r = account_ref(&u.account_id);
    ctx.audit(&txn, entry(&r, "identity.session.end", &r, if n > 0 { "ok" } else { "failed" }, json!({}))).await?;
    txn.commit().await?;
    if n == 0 { Err(AppError::not_found()) } else { Ok(()) }
}

// ---- GDPR: access and erasure ----

/// Everything the platform holds about the person (GDPR Art. 15 and 20):
/// the account here, and each service's part from its `Holder`.
pub async fn export(ctx: &Ctx, actor: &Actor, holders: &Holders) -> AppResult<serde_json::Value> {
    let u = me(actor)?;
    let c = ctx.db.conn();
    let a = store::account_by_id(c, &ctx.keys, &u.account_id).await?.ok_or_else(AppError::unauthorized)?;
    let profile = store::profile(c, &ctx.keys, &a.id).await?;
    let roles = store::roles(c, &ctx.keys, &a.id).await?;
    let sessions = store::sessions_of(c, &a.id).await?;
    let r = account_ref(&a.id);
    let audit = kernel::audit::recent(c, 1000, Some(&r)).await?;
    let services = holders.export(ctx, &a.id).await?;
    Ok(json!({
        "exported_at": ctx.now().rfc3339(),
        "controller": ctx.config.municipality.name_sl,
        "account": {
            "id": a.id,
            "email": a.email,
            "email_confirmed_at": a.email_confirmed_at.map(|t| t.rfc3339()),
            "created_at": a.created_at.rfc3339(),
            "password_changed_at": a.password_changed_at.rfc3339(),
            "language": a.lang,
            "department": a.department,
            "two_factor_enabled_at": a.totp_enabled_at.map(|t| t.rfc3339()),
        },
        "profile": profile,
        "roles": roles.iter().map(|g| json!({"role": g.role, "legal_entity_tax_number": g.legal_entity, "granted_at": g.granted_at.rfc3339()})).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| json!({"created_at": s.created_at.rfc3339(), "last_seen_at": s.last_seen_at.rfc3339(), "device": s.device, "second_factor": s.second_factor})).collect::<Vec<_>>(),
        "activity": audit.iter().map(|e| json!({"at": kernel::Timestamp(e.at).rfc3339(), "action": e.action, "outcome": e.outcome})).collect::<Vec<_>>(),
        "services": services,
    }))
}

/// Erase the account (GDPR Art. 17). The audit log keeps its entries, which
/// name only the account id: once the account is gone the id no longer points
/// to a person, so they are pseudonymous and kept as the law requires. Each
/// service erases or unlinks its part (`Holder::erase`) in the same transaction.
pub async fn delete_account(ctx: &Ctx, actor: &Actor, password_plain: &str, holders: &Holders) -> AppResult<()> {
    let account = account(ctx, actor).await?;
    if !password::verify(password_plain.to_string(), Some(account.password_hash.clone())).await {
        return Err(AppError::field("password", "password_wrong"));
    }
    let txn = ctx.db.begin().await?;
    if actor.has_role(Role::Admin) && store::count_role(&txn, Role::Admin).await? <= 1 {
        return Err(AppError::conflict("last_admin"));
    }
    queue_mail(ctx, &txn, &account.email, lang_of(&account), "mail-account-deleted", None).await?;
    holders.erase(ctx, &txn, &account.id).await?;
    store::delete_account(&txn, &account.id).await?;
    let r = account_ref(&account.id);
    ctx.audit(&txn, entry(&r, "identity.account.delete", &r, "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

// ---- staff and administration ----

#[derive(Clone, Debug, serde::Serialize)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub department: Option<String>,
    pub two_factor: bool,
    pub created_at: Timestamp,
}

/// Staff read of personal data (e-mail addresses): audited.
pub async fn list_users(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<UserSummary>> {
    let u = actor.check(Permission::ManageRoles)?;
    let c = ctx.db.conn();
    let accounts = store::list_accounts(c, &ctx.keys, 500).await?;
    let mut out = vec![];
    for a in accounts {
        let roles = store::roles(c, &ctx.keys, &a.id).await?.into_iter().map(|g| g.role).collect();
        out.push(UserSummary {
            id: a.id,
            email: a.email,
            roles,
            department: a.department,
            two_factor: a.totp_enabled_at.is_some(),
            created_at: a.created_at,
        });
    }
    let r = account_ref(&u.account_id);
    ctx.audit(c, entry(&r, "identity.users.read", "accounts:list", "ok", json!({"count": out.len()}))).await?;
    Ok(out)
}

pub async fn set_role(
    ctx: &Ctx,
    actor: &Actor,
    account_id: &str,
    role: Role,
    grant: bool,
    department: Option<&str>,
    legal_entity_tax: Option<&str>,
) -> AppResult<()> {
    let u = actor.check(Permission::ManageRoles)?;
    let tax = match (role, legal_entity_tax.map(str::trim).filter(|s| !s.is_empty())) {
        (Role::Representative, Some(t)) if grant => {
            Some(crate::model::TaxNumber::parse(t).map_err(|c| AppError::field("legal_entity_tax_number", c))?)
        }
        (Role::Representative, None) if grant => {
            return Err(AppError::field("legal_entity_tax_number", "required"));
        }
        _ => None,
    };
    let txn = ctx.db.begin().await?;
    store::account_by_id(&txn, &ctx.keys, account_id).await?.ok_or_else(AppError::not_found)?;
    if grant {
        store::grant_role(&txn, &ctx.keys, account_id, role, tax.as_ref().map(|t| t.as_str()), &account_ref(&u.account_id), ctx.now()).await?;
    } else {
        if role == Role::Admin && store::count_role(&txn, Role::Admin).await? <= 1 {
            return Err(AppError::conflict("last_admin"));
        }
        store::revoke_role(&txn, account_id, role).await?;
    }
    if role == Role::Staff && grant {
        store::set_department(&txn, account_id, department.map(str::trim).filter(|d| !d.is_empty())).await?;
    }
    let r = account_ref(&u.account_id);
    let action = if grant { "identity.role.grant" } else { "identity.role.revoke" };
    ctx.audit(&txn, entry(&r, action, &account_ref(account_id), "ok", json!({"role": role.code()}))).await?;
    txn.commit().await?;
    Ok(())
}

/// Force a password change at next sign-in (evidence of compromise).
pub async fn force_password_change(ctx: &Ctx, actor_ref: &str, account_id: &str) -> AppResult<()> {
    let txn = ctx.db.begin().await?;
    if store::set_must_change_password(&txn, account_id).await? == 0 {
        return Err(AppError::not_found());
    }
    // Whoever holds the compromised password may hold a session too.
    store::delete_other_sessions(&txn, account_id, None).await?;
    kernel::db::exec(&txn, "DELETE FROM pending_logins WHERE account_id = $1", [account_id.into()]).await?;
    ctx.audit(&txn, entry(actor_ref, "identity.password.force_change", &account_ref(account_id), "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

/// Create an API token for a machine; the secret is returned once.
pub async fn create_api_token(
    ctx: &Ctx,
    actor: &Actor,
    name: &str,
    scopes: &[String],
    valid_days: Option<u64>,
) -> AppResult<(store::ApiToken, String)> {
    let u = actor.check(Permission::ManageApiTokens)?;
    issue_api_token(ctx, &account_ref(&u.account_id), name, scopes, valid_days).await
}

/// Issue a token on behalf of `created_by` (an account reference, or `cli`
/// for the operator at the console); audited like every issue.
pub async fn issue_api_token(
    ctx: &Ctx,
    created_by: &str,
    name: &str,
    scopes: &[String],
    valid_days: Option<u64>,
) -> AppResult<(store::ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field("name", "required"));
    }
    if scopes.is_empty() || scopes.iter().any(|s| !kernel::access::TOKEN_SCOPES.contains(&s.as_str())) {
        return Err(AppError::field("scopes", "scope_unknown"));
    }
    let secret = format!("obc_{}", random_token(32));
    let now = ctx.now();
    let token = store::ApiToken {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_string(),
        scopes: scopes.to_vec(),
        created_by: created_by.to_string(),
        created_at: now.0,
        expires_at: valid_days.map(|d| now.plus(Duration::from_secs(d * 86400)).0),
        revoked_at: None,
    };
    let txn = ctx.db.begin().await?;
    store::insert_api_token(&txn, &token, &sha256_hex(&secret)).await?;
    ctx.audit(&txn, entry(&token.created_by, "identity.token.create", &format!("token:{}", token.id), "ok", json!({"scopes": token.scopes}))).await?;
    txn.commit().await?;
    Ok((token, secret))
}

pub async fn revoke_api_token(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<()> {
    let u = actor.check(Permission::ManageApiTokens)?;
    let txn = ctx.db.begin().await?;
    if store::revoke_api_token(&txn, id, ctx.now()).await? == 0 {
        return Err(AppError::not_found());
    }
    ctx.audit(&txn, entry(&account_ref(&u.account_id), "identity.token.revoke", &format!("token:{id}"), "ok", json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

/// `obcina user add`: a confirmed account with a privileged role, created by
/// the operator. An existing account keeps its password and gets the role.
/// Returns the account id and whether the account is new.
pub async fn add_user_cli(
    ctx: &Ctx,
    email: &str,
    password_plain: &str,
    role: Role,
    department: Option<&str>,
    must_change: bool,
) -> AppResult<(String, bool)> {
    let email = Email::parse(email).map_err(|code| AppError::field("email", code))?;
    check_password(password_plain, ctx.config.passwords.min_length, &[email.as_str()]).map_err(|code| AppError::field("password", code))?;
    let hash = password::hash(password_plain.to_string()).await;
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    let (id, created) = match store::account_by_email(&txn, &ctx.keys, &email.normalized()).await? {
        Some(a) => (a.id, false),
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            store::insert_account(&txn, &ctx.keys, &id, &email, &hash, "sl", now).await?;
            store::confirm_email(&txn, &id, now).await?;
            store::set_password(&txn, &id, &hash, must_change, now).await?;
            (id, true)
        }
    };
    store::grant_role(&txn, &ctx.keys, &id, role, None, "cli", now).await?;
    if let Some(d) = department {
        store::set_department(&txn, &id, Some(d)).await?;
    }
    ctx.audit(&txn, entry("cli", "identity.role.grant", &account_ref(&id), "ok", json!({"role": role.code()}))).await?;
    txn.commit().await?;
    Ok((id, created))
}

/// Whether a staff password is older than the policy allows.
pub fn password_expired(ctx: &Ctx, privileged: bool, changed_at: Timestamp) -> bool {
    let days = ctx.config.passwords.staff_max_age_days;
    privileged && days > 0 && ctx.now().since(changed_at) > Duration::from_secs(days * 86400)
}

/// The tax numbers of the legal persons an account represents (its
/// representative grants), for capabilities that act on their behalf.
pub async fn represented_entities<C: ConnectionTrait>(ctx: &Ctx, c: &C, account_id: &str) -> AppResult<Vec<String>> {
    let grants = store::roles(c, &ctx.keys, account_id).await?;
    Ok(grants.into_iter().filter(|g| g.role == Role::Representative).filter_map(|g| g.legal_entity).collect())
}

#[cfg(test)]
mod tests {
    use super::throttling::*;
    use crate::store::Throttle;
    use kernel::Timestamp;
    use std::time::Duration;

    #[test]
    fn throttling_delays_then_locks_then_forgets() {
        let lockout = Duration::from_secs(900);
        let mut t = Throttle::default();
        let mut now = Timestamp(1_000_000_000);
        let mut delays = vec![];
        for _ in 0..10 {
            delays.push(delay(&t).as_secs());
            t = reserve(&t, now, 10, lockout).expect("allowed");
            t = after_failure(t, now, 10, lockout);
            now = now.plus(Duration::from_secs(1));
        }
        assert_eq!(delays, vec![0, 0, 0, 1, 2, 4, 8, 8, 8, 8]);
        assert!(locked_for(&t, now).is_some(), "locked after 10 failures");
        assert!(reserve(&t, now, 10, lockout).is_err());
        let later = now.plus(Duration::from_secs(901));
        assert_eq!(locked_for(&t, later), None, "lock expires");
        let t2 = reserve(&t, later.plus(Duration::from_secs(900)), 10, lockout).unwrap();
        assert_eq!(t2.failures, 1, "old failures forgotten after a quiet period");
    }

    #[test]
    fn attempts_in_flight_use_the_allowance_but_do_not_lock() {
        let lockout = Duration::from_secs(900);
        let now = Timestamp(1_000_000_000);
        let mut t = Throttle::default();
        for _ in 0..4 {
            t = reserve(&t, now, 4, lockout).expect("allowed");
        }
        assert!(reserve(&t, now, 4, lockout).is_err(), "the fifth parallel attempt waits");
        assert_eq!(t.locked_until, None, "but nothing is locked until a check fails");
    }
}
