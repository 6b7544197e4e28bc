//! Signing in with the national eID and linking it to the citizen's profile.

use crate::saml::{Idp, Sp};
use identity::model::{Emso, TaxNumber};
use identity::store;
use kernel::audit::AuditEntry;
use kernel::db::{col, exec, is_unique_violation, query_opt};
use kernel::{Actor, AppError, AppResult, Ctx, Role};
use serde_json::json;
use std::time::Duration;

const REQUEST_VALID: Duration = Duration::from_secs(10 * 60);

pub struct EidState {
    pub sp: Sp,
    pub idp: Idp,
}

/// Start: remember the request (and who asked, to link), send the browser to the IdP.
pub async fn start(ctx: &Ctx, st: &EidState, actor: &Actor, next: &str) -> AppResult<String> {
    let mut raw = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut raw);
    let id = format!(
        "_{}",
        raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let now = ctx.now();
    exec(
        ctx.db.conn(),
        "INSERT INTO saml_requests (id, account_id, next, expires_at) VALUES ($1, $2, $3, $4)",
        [
            id.clone().into(),
            kernel::db::opt_str(actor.account_id().map(str::to_string)),
            next.into(),
            now.plus(REQUEST_VALID).0.into(),
        ],
    )
    .await?;
    Ok(st.sp.redirect_url(&st.idp, &id, "", now))
}

fn refuse(code: &'static str) -> AppError {
    AppError::forbidden(code)
}

/// Finish: check the response, then sign in (and link) the person it names.
pub async fn finish(
    ctx: &Ctx,
    st: &EidState,
    saml_response: &str,
    device: &str,
) -> AppResult<(String, String)> {
    let result = finish_checked(ctx, st, saml_response, device).await;
    if let Err(e) = &result {
        // Refusals are audited in their own transaction: the main one rolled back.
        let txn = ctx.db.begin().await?;
        ctx.audit(
            &txn,
            AuditEntry {
                actor: "anonymous",
                action: "eid.sign_in",
                subject: "account:unknown",
                outcome: "denied",
                detail: json!({"reason": e.code}),
            },
        )
        .await?;
        txn.commit().await?;
        tracing::warn!(reason = e.code, "eID sign-in refused");
    }
    result
}

async fn finish_checked(
    ctx: &Ctx,
    st: &EidState,
    saml_response: &str,
    device: &str,
) -> AppResult<(String, String)> {
    let now = ctx.now();
    let assertion = st
        .sp
        .validate(&st.idp, saml_response, now)
        .map_err(|r| refuse(r.code()))?;
    let names = &ctx.config.eid.attributes;
    let attr = |name: &str| {
        assertion
            .attributes
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let emso = attr(&names.emso)
        .and_then(|v| Emso::parse(&v).ok())
        .ok_or_else(|| refuse("saml_attributes"))?;
    let tax = attr(&names.tax_number).and_then(|v| TaxNumber::parse(&v).ok());
    let email = attr(&names.email).and_then(|v| identity::model::Email::parse(&v).ok());
    let full_name = match (attr(&names.given_name), attr(&names.surname)) {
        (Some(g), Some(s)) => Some(format!("{g} {s}")),
        (g, s) => g.or(s),
    };

    let txn = ctx.db.begin().await?;
    // InResponseTo must be a request we made, unexpired, and used once.
    let Some(req) = query_opt(
        &txn,
        "SELECT account_id, next FROM saml_requests WHERE id = $1 AND expires_at > $2",
        [assertion.in_response_to.clone().into(), now.0.into()],
    )
    .await?
    else {
        return Err(refuse("saml_in_response_to"));
    };
    exec(
        &txn,
        "DELETE FROM saml_requests WHERE id = $1",
        [assertion.in_response_to.clone().into()],
    )
    .await?;
    exec(
        &txn,
        "DELETE FROM saml_seen WHERE expires_at < $1",
        [now.0.into()],
    )
    .await?;
    if let Err(e) = exec(
        &txn,
        "INSERT INTO saml_seen (assertion_id, expires_at) VALUES ($1, $2)",
        [
            assertion.id.clone().into(),
            assertion
                .not_on_or_after
                .plus(crate::saml::CLOCK_SKEW)
                .0
                .into(),
        ],
    )
    .await
    {
        return Err(if is_unique_violation(&e) {
            refuse("saml_replay")
        } else {
            e.into()
        });
    }
    let requester: Option<String> = col(&req, "account_id")?;
    let next: String = col(&req, "next")?;
    let emso_index = ctx.keys.blind_index(store::EMSO_DOMAIN, emso.as_str());
    let linked: Option<String> = query_opt(
        &txn,
        "SELECT account_id FROM eid_links WHERE emso_index = $1",
        [emso_index.clone().into()],
    )
    .await?
    .map(|r| col(&r, "account_id"))
    .transpose()?;

    let account_id = match (requester, linked) {
        // Signed in and asked to link: the eID must not belong to someone else.
        (Some(me), Some(other)) if me != other => {
            return Err(AppError::conflict("eid_linked_elsewhere"));
        }
        (Some(me), _) => me,
        (None, Some(owner)) => owner,
        (None, None) => {
            let by_profile = store::account_ids_by_identifier(
                &txn,
                &ctx.keys,
                store::EMSO_DOMAIN,
                emso.as_str(),
            )
            .await?;
            let by_email = match &email {
                Some(e) => store::account_by_email(&txn, &ctx.keys, &e.normalized())
                    .await?
                    .filter(|a| a.email_confirmed_at.is_some())
                    .map(|a| a.id),
                None => None,
            };
            match (by_profile.first(), by_email) {
                (Some(id), _) => id.clone(),
                (None, Some(id)) => id,
                (None, None) => {
                    let email = email.clone().ok_or_else(|| refuse("saml_attributes"))?;
                    let id = uuid::Uuid::now_v7().to_string();
                    // No password: this person signs in with the eID (a reset can add one later).
                    let unusable = format!("!eid-only!{}", kernel::crypto::random_token(16));
                    store::insert_account(&txn, &ctx.keys, &id, &email, &unusable, "sl", now)
                        .await?;
                    store::confirm_email(&txn, &id, now).await?;
                    store::grant_role(&txn, &ctx.keys, &id, Role::Citizen, None, "eid", now)
                        .await?;
                    id
                }
            }
        }
    };
    exec(
        &txn,
        "DELETE FROM eid_links WHERE account_id = $1",
        [account_id.clone().into()],
    )
    .await?;
    exec(
        &txn,
        "INSERT INTO eid_links (account_id, emso_index, linked_at) VALUES ($1, $2, $3)",
        [account_id.clone().into(), emso_index.into(), now.0.into()],
    )
    .await?;

    // The eID is the authority for EMŠO; fill what the profile lacks.
    let mut profile = store::profile(&txn, &ctx.keys, &account_id).await?;
    if profile.emso.as_deref().is_some_and(|e| e != emso.as_str()) {
        return Err(AppError::conflict("eid_mismatch"));
    }
    profile.emso = Some(emso.as_str().to_string());
    if profile.tax_number.is_none() {
        profile.tax_number = tax.map(|t| t.as_str().to_string());
    }
    if profile.name.is_none() {
        profile.name = full_name;
    }
    if let Some(other) =
        store::account_ids_by_identifier(&txn, &ctx.keys, store::EMSO_DOMAIN, emso.as_str())
            .await?
            .into_iter()
            .find(|o| o != &account_id)
    {
        tracing::warn!(other = %other, "EMŠO from the eID is in another profile");
        return Err(AppError::conflict("eid_mismatch"));
    }
    store::save_profile(&txn, &ctx.keys, &account_id, &profile, now).await?;
    let token = identity::service::start_session(ctx, &txn, &account_id, false, device).await?;
    let r = format!("account:{account_id}");
    ctx.audit(
        &txn,
        AuditEntry {
            actor: &r,
            action: "eid.sign_in",
            subject: &r,
            outcome: "ok",
            detail: json!({"assertion": assertion.id}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((token, next))
}
