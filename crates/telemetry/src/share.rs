//! Read-only sharing of chosen data with a partner, such as a neighbouring
//! municipality: a token that reads the latest values, series and NGSI-LD
//! entities of the device types the DTO picked, and nothing else. Types
//! whose readings are personal (water meters) are never shared.

use crate::Telemetry;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kernel::crypto::{random_token, sha256_hex};
use kernel::db::{col, exec, query_all, query_opt};
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Who reads telemetry, and so which device types they see.
#[derive(Clone, Debug)]
pub enum Reader {
    /// Staff, and integration tokens with `telemetry:read`: everything.
    Staff,
    /// A partner's share token: these types only.
    Share(Vec<String>),
    /// Anyone else: what is public.
    Anonymous,
}

impl FromRequestParts<Ctx> for Reader {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, AppError> {
        let actor = parts.extensions.get::<Actor>().cloned().unwrap_or_default();
        Reader::of(ctx, &actor, &parts.headers).await
    }
}

impl Reader {
    /// The reader behind an actor and the request's headers (a share token is a bearer token).
    pub async fn of(ctx: &Ctx, actor: &Actor, headers: &axum::http::HeaderMap) -> Result<Reader, AppError> {
        if actor.allows(Permission::ReadTelemetry) {
            return Ok(Reader::Staff);
        }
        // An integration with the read scope (dashboards, the municipality's own systems).
        if actor.has_scope("telemetry:read") {
            return Ok(Reader::Staff);
        }
        match identity::session::bearer(headers) {
            Some(token) if token.starts_with("obs_") => {
                let share = query_opt(
                    ctx.db.conn(),
                    "SELECT types FROM telemetry_shares WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                    [sha256_hex(token).into(), ctx.now().0.into()],
                )
                .await?;
                match share {
                    Some(r) => Ok(Reader::Share(serde_json::from_str(&col::<String>(&r, "types")?).unwrap_or_default())),
                    None => Err(AppError::unauthorized()),
                }
            }
            _ => Ok(Reader::Anonymous),
        }
    }

    /// Types this reader sees; `None` for all. `open` lists what anonymous callers get.
    pub fn types(&self, open: impl FnOnce() -> Vec<String>) -> Option<Vec<String>> {
        match self {
            Reader::Staff => None,
            Reader::Share(types) => Some(types.clone()),
            Reader::Anonymous => Some(open()),
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Share {
    pub id: String,
    pub partner: String,
    pub types: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub revoked: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// Who gets it, e.g. "Občina Hajdina".
    #[schema(example = "Občina Hajdina")]
    pub partner: String,
    /// Device types to share (not personal ones).
    #[schema(example = json!(["AirQualityObserved", "FloodMonitoring"]))]
    pub types: Vec<String>,
    #[schema(minimum = 1, maximum = 1825)]
    pub days: Option<u64>,
}

pub async fn create(ctx: &Ctx, t: &Telemetry, actor: &Actor, input: ShareInput) -> AppResult<(Share, String)> {
    let user = actor.check(Permission::ManageData)?;
    let mut errors = vec![];
    if input.partner.trim().is_empty() || input.partner.chars().count() > 200 {
        errors.push(kernel::error::FieldError { field: "partner".into(), code: "required".into() });
    }
    if input.types.is_empty() {
        errors.push(kernel::error::FieldError { field: "types".into(), code: "required".into() });
    }
    for ty in &input.types {
        match t.registry.device_type(ty) {
            None => errors.push(kernel::error::FieldError { field: "types".into(), code: "unknown_type".into() }),
            Some(d) if d.personal => errors.push(kernel::error::FieldError { field: "types".into(), code: "personal_data".into() }),
            _ => {}
        }
    }
    let days = input.days.unwrap_or(365);
    if !(1..=1825).contains(&days) {
        errors.push(kernel::error::FieldError { field: "days".into(), code: "out_of_range".into() });
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let token = format!("obs_{}", random_token(32));
    let now = ctx.now().0;
    let share = Share {
        id: uuid::Uuid::now_v7().to_string(),
        partner: input.partner.trim().to_string(),
        types: input.types.clone(),
        created_at: kernel::Timestamp(now).rfc3339(),
        expires_at: kernel::Timestamp(now + days as i64 * 86_400_000).rfc3339(),
        revoked: false,
    };
    let who = format!("account:{}", user.account_id);
    let txn = ctx.db.begin().await?;
    exec(
        &txn,
        "INSERT INTO telemetry_shares (id, partner, types, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            share.id.clone().into(),
            share.partner.clone().into(),
            json!(share.types).to_string().into(),
            sha256_hex(&token).into(),
            who.clone().into(),
            now.into(),
            (now + days as i64 * 86_400_000).into(),
        ],
    )
    .await?;
    let subject = format!("share:{}", share.id);
    ctx.audit(
        &txn,
        kernel::audit::AuditEntry {
            actor: &who,
            action: "telemetry.share.create",
            subject: &subject,
            outcome: "ok",
            detail: json!({"partner": share.partner, "types": share.types, "days": days}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((share, token))
}

pub async fn list(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Share>> {
    actor.check(Permission::ManageData)?;
    let rows = query_all(ctx.db.conn(), "SELECT * FROM telemetry_shares ORDER BY created_at DESC", []).await?;
    rows.iter()
        .map(|r| {
            Ok(Share {
                id: col(r, "id")?,
                partner: col(r, "partner")?,
                types: serde_json::from_str(&col::<String>(r, "types")?).unwrap_or_default(),
                created_at: kernel::Timestamp(col(r, "created_at")?).rfc3339(),
                expires_at: kernel::Timestamp(col(r, "expires_at")?).rfc3339(),
                revoked: col::<Option<i64>>(r, "revoked_at")?.is_some(),
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(Into::into)
}

pub async fn revoke(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<()> {
    let user = actor.check(Permission::ManageData)?;
    let txn = ctx.db.begin().await?;
    let n = exec(&txn, "UPDATE telemetry_shares SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [ctx.now().0.into(), id.into()]).await?;
    if n == 0 {
        return Err(AppError::not_found());
    }
    let (who, subject) = (format!("account:{}", user.account_id), format!("share:{id}"));
    ctx.audit(&txn, kernel::audit::AuditEntry { actor: &who, action: "telemetry.share.revoke", subject: &subject, outcome: "ok", detail: json!({}) })
        .await?;
    txn.commit().await?;
    Ok(())
}
