//! Signing in with the national eID and linking it to the citizen's profile.
//!
//! The flow is bound to the browser that started it: `start` sets a nonce
//! cookie; the IdP's cross-site POST to the ACS carries no cookies, so the
//! ACS only checks and parks the verified result and sends the browser to
//! `/saml/finish` (a same-site GET, where cookies are sent), which completes
//! the sign-in only for the browser holding the nonce — and, for a link,
//! only for the account that asked for it.

use crate::saml::{Idp, Sp};
use identity::model::{Email, Emso, TaxNumber};
use identity::store;
use kernel::audit::AuditEntry;
use kernel::crypto::{random_token, sha256_hex};
use kernel::db::{col, exec, is_unique_violation, opt_str, query_opt};
use kernel::{Actor, AppError, AppResult, Ctx, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

const REQUEST_VALID: Duration = Duration::from_secs(10 * 60);
const RESULT_VALID: Duration = Duration::from_secs(2 * 60);

pub struct EidState {
    pub sp: Sp,
    pub idp: Idp,
}

/// What the verified assertion says, parked between the ACS and the finish.
#[derive(Serialize, Deserialize)]
struct Verified {
    assertion_id: String,
    emso: String,
    tax_number: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

fn result_context(request_id: &str) -> String {
    format!("saml_requests.result_enc:{request_id}")
}

/// Start: remember the request, bind it to this browser, send it to the IdP.
/// Returns the IdP URL and the nonce for the browser's cookie.
pub async fn start(ctx: &Ctx, st: &EidState, actor: &Actor, next: &str) -> AppResult<(String, String)> {
    let id = format!("_{}", hex_token());
    let nonce = random_token(32);
    let now = ctx.now();
    exec(
        ctx.db.conn(),
        "INSERT INTO saml_requests (id, account_id, next, expires_at, nonce_hash) VALUES ($1, $2, $3, $4, $5)",
        [
            id.clone().into(),
            opt_str(actor.account_id().map(str::to_string)),
            next.into(),
            now.plus(REQUEST_VALID).0.into(),
            sha256_hex(&nonce).into(),
        ],
    )
    .await?;
    Ok((st.sp.redirect_url(&st.idp, &id, now), nonce))
}

fn hex_token() -> String {
    let mut raw = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

fn refuse(code: &'static str) -> AppError {
    AppError::forbidden(code)
}

async fn audit_refusal(ctx: &Ctx, e: &AppError) -> AppResult<()> {
    let txn = ctx.db.begin().await?;
    ctx.audit(
        &txn,
        AuditEntry { actor: "anonymous", action: "eid.sign_in", subject: "account:unknown", outcome: "denied", detail: json!({"reason": e.code}) },
    )
    .await?;
    txn.commit().await?;
    tracing::warn!(reason = e.code, "eID sign-in refused");
    Ok(())
}

/// ACS: check the response and park the result; returns the finish handle.
pub async fn accept(ctx: &Ctx, st: &EidState, saml_response: &str) -> AppResult<String> {
    let result = accept_checked(ctx, st, saml_response).await;
    if let Err(e) = &result {
        audit_refusal(ctx, e).await?;
    }
    result
}

async fn accept_checked(ctx: &Ctx, st: &EidState, saml_response: &str) -> AppResult<String> {
    let now = ctx.now();
    let assertion = st.sp.validate(&st.idp, saml_response, now).map_err(|r| refuse(r.code()))?;
    let names = &ctx.config.eid.attributes;
    let attr = |name: &str| assertion.attributes.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let emso = attr(&names.emso).and_then(|v| Emso::parse(&v).ok()).ok_or_else(|| refuse("saml_attributes"))?;
    let verified = Verified {
        assertion_id: assertion.id.clone(),
        emso: emso.as_str().to_string(),
        tax_number: attr(&names.tax_number).and_then(|v| TaxNumber::parse(&v).ok()).map(|t| t.as_str().to_string()),
        email: attr(&names.email).and_then(|v| Email::parse(&v).ok()).map(|e| e.as_str().to_string()),
        name: match (attr(&names.given_name), attr(&names.surname)) {
            (Some(g), Some(s)) => Some(format!("{g} {s}")),
            (g, s) => g.or(s),
        },
    };
    let txn = ctx.db.begin().await?;
    // InResponseTo must be a request we made, unexpired and not answered yet.
    let request_id = assertion.in_response_to.clone();
    if query_opt(
        &txn,
        "SELECT id FROM saml_requests WHERE id = $1 AND expires_at > $2 AND result_enc IS NULL",
        [request_id.clone().into(), now.0.into()],
    )
    .await?
    .is_none()
    {
        return Err(refuse("saml_in_response_to"));
    }
    exec(&txn, "DELETE FROM saml_seen WHERE expires_at < $1", [now.0.into()]).await?;
    if let Err(e) = exec(
        &txn,
        "INSERT INTO saml_seen (assertion_id, expires_at) VALUES ($1, $2)",
        [assertion.id.clone().into(), assertion.not_on_or_after.plus(crate::saml::CLOCK_SKEW).0.into()],
    )
    .await
    {
        return Err(if is_unique_violation(&e) { refuse("saml_replay") } else { e.into() });
    }
    let handle = random_token(32);
    let sealed = ctx.keys.encrypt(&result_context(&request_id), &serde_json::to_string(&verified).map_err(AppError::internal)?);
    exec(
        &txn,
        "UPDATE saml_requests SET result_enc = $1, handle_hash = $2, expires_at = $3 WHERE id = $4",
        [sealed.into(), sha256_hex(&handle).into(), now.plus(RESULT_VALID).0.into(), request_id.into()],
    )
    .await?;
    txn.commit().await?;
    Ok(handle)
}

/// Finish, in the browser that started: sign in (and link) the person.
/// Returns the session token and where to go next.
pub async fn finish(ctx: &Ctx, actor: &Actor, handle: &str, nonce: Option<&str>, device: &str) -> AppResult<(String, String)> {
    let result = finish_checked(ctx, actor, handle, nonce, device).await;
    if let Err(e) = &result {
        audit_refusal(ctx, e).await?;
    }
    result
}

async fn finish_checked(ctx: &Ctx, actor: &Actor, handle: &str, nonce: Option<&str>, device: &str) -> AppResult<(String, String)> {
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    let Some(row) = query_opt(
        &txn,
        "SELECT * FROM saml_requests WHERE handle_hash = $1 AND expires_at > $2 AND result_enc IS NOT NULL",
        [sha256_hex(handle).into(), now.0.into()],
    )
    .await?
    else {
        return Err(refuse("saml_in_response_to"));
    };
    let request_id: String = col(&row, "id")?;
    exec(&txn, "DELETE FROM saml_requests WHERE id = $1", [request_id.clone().into()]).await?;
    let expected_nonce: Option<String> = col(&row, "nonce_hash")?;
    if nonce.map(sha256_hex) != expected_nonce {
        // Not the browser that asked: someone else's response, or a pushed one.
        txn.commit().await?;
        return Err(refuse("saml_browser"));
    }
    let requester: Option<String> = col(&row, "account_id")?;
    if requester.as_deref().is_some_and(|r| actor.account_id() != Some(r)) {
        txn.commit().await?;
        return Err(refuse("saml_browser"));
    }
    let next: String = col(&row, "next")?;
    let sealed: String = col(&row, "result_enc")?;
    let v: Verified = serde_json::from_str(&ctx.keys.decrypt(&result_context(&request_id), &sealed)?).map_err(AppError::internal)?;
    let emso_index = ctx.keys.blind_index(store::EMSO_DOMAIN, &v.emso);
    let linked: Option<String> = query_opt(&txn, "SELECT account_id FROM eid_links WHERE emso_index = $1", [emso_index.clone().into()])
        .await?
        .map(|r| col(&r, "account_id"))
        .transpose()?;

    let account_id = match (requester, linked) {
        (Some(me), Some(other)) if me != other => {
            return Err(AppError::conflict("eid_linked_elsewhere"));
        }
        (Some(me), _) => me,
        (None, Some(owner)) => owner,
        // Never attach an eID to an account by self-asserted data (a typed
        // EMŠO or e-mail): a new person gets a new account, and an existing
        // one links from its profile while signed in.
        (None, None) => {
            let email = v.email.as_deref().and_then(|e| Email::parse(e).ok()).ok_or_else(|| refuse("saml_attributes"))?;
            let taken_email = store::account_by_email(&txn, &ctx.keys, &email.normalized()).await?.is_some();
            let taken_emso = !store::account_ids_by_identifier(&txn, &ctx.keys, store::EMSO_DOMAIN, &v.emso).await?.is_empty();
            if taken_email || taken_emso {
                return Err(AppError::conflict("eid_account_exists"));
            }
            let id = uuid::Uuid::now_v7().to_string();
            // No usable password: this person signs in with the eID.
            let unusable = format!("!eid-only!{}", random_token(16));
            store::insert_account(&txn, &ctx.keys, &id, &email, &unusable, "sl", now).await?;
            store::confirm_email(&txn, &id, now).await?;
            store::grant_role(&txn, &ctx.keys, &id, Role::Citizen, None, "eid", now).await?;
            id
        }
    };
    exec(&txn, "DELETE FROM eid_links WHERE account_id = $1", [account_id.clone().into()]).await?;
    exec(
        &txn,
        "INSERT INTO eid_links (account_id, emso_index, linked_at) VALUES ($1, $2, $3)",
        [account_id.clone().into(), emso_index.into(), now.0.into()],
    )
    .await?;

    // The eID is the authority for EMŠO; fill what the profile lacks.
    let mut profile = store::profile(&txn, &ctx.keys, &account_id).await?;
    if profile.emso.as_deref().is_some_and(|e| e != v.emso) {
        return Err(AppError::conflict("eid_mismatch"));
    }
    if store::account_ids_by_identifier(&txn, &ctx.keys, store::EMSO_DOMAIN, &v.emso).await?.iter().any(|o| o != &account_id) {
        return Err(AppError::conflict("eid_mismatch"));
    }
    profile.emso = Some(v.emso.clone());
    if profile.tax_number.is_none() {
        profile.tax_number = v.tax_number.clone();
    }
    if profile.name.is_none() {
        profile.name = v.name.clone();
    }
    store::save_profile(&txn, &ctx.keys, &account_id, &profile, now).await?;
    // Any earlier session of this browser ends: a sign-in always gets a new id.
    if let Some(old) = actor.user().and_then(|u| u.session_id.as_deref()) {
        store::delete_session(&txn, old).await?;
    }
    let token = identity::service::start_session(ctx, &txn, &account_id, false, device).await?;
    let r = format!("account:{account_id}");
    ctx.audit(&txn, AuditEntry { actor: &r, action: "eid.sign_in", subject: &r, outcome: "ok", detail: json!({"assertion": v.assertion_id}) })
        .await?;
    txn.commit().await?;
    Ok((token, next))
}
