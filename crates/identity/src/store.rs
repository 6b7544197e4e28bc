//! Identity's SQL: the only code that touches its tables. Personal fields are
//! sealed with the keyring before they reach SQL and opened after.

use crate::model::{Email, Profile};
use kernel::crypto::{EncryptedColumn, Keyring};
use kernel::db::{col, exec, opt_i64, opt_str, query_all, query_opt};
use kernel::{Role, Timestamp};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};

pub const EMAIL_DOMAIN: &str = "email";
pub const EMSO_DOMAIN: &str = "emso";
pub const TAX_DOMAIN: &str = "tax";

/// Sealed columns, for key rotation. The context is `aad(table, column, key)`.
pub const ENCRYPTED_COLUMNS: &[EncryptedColumn] = &[
    EncryptedColumn { table: "accounts", key_sql: "id", column: "email_enc", context_prefix: "accounts.email_enc:" },
    EncryptedColumn { table: "accounts", key_sql: "id", column: "totp_secret_enc", context_prefix: "accounts.totp_secret_enc:" },
    EncryptedColumn { table: "accounts", key_sql: "id", column: "totp_pending_enc", context_prefix: "accounts.totp_pending_enc:" },
    EncryptedColumn { table: "profiles", key_sql: "account_id", column: "name_enc", context_prefix: "profiles.name_enc:" },
    EncryptedColumn { table: "profiles", key_sql: "account_id", column: "address_enc", context_prefix: "profiles.address_enc:" },
    EncryptedColumn { table: "profiles", key_sql: "account_id", column: "phone_enc", context_prefix: "profiles.phone_enc:" },
    EncryptedColumn { table: "profiles", key_sql: "account_id", column: "tax_enc", context_prefix: "profiles.tax_enc:" },
    EncryptedColumn { table: "profiles", key_sql: "account_id", column: "emso_enc", context_prefix: "profiles.emso_enc:" },
    EncryptedColumn { table: "email_tokens", key_sql: "token_hash", column: "payload_enc", context_prefix: "email_tokens.payload_enc:" },
    // A representative's company is sealed per (account, company) pair.
    EncryptedColumn {
        table: "account_roles",
        key_sql: "account_id || ':' || legal_entity_tax_index",
        column: "legal_entity_enc",
        context_prefix: "account_roles.legal_entity_enc:",
    },
];

/// The encryption context of a column value: binds it to its row.
pub fn aad(table: &str, column: &str, id: &str) -> String {
    format!("{table}.{column}:{id}")
}

#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub password_changed_at: Timestamp,
    pub must_change_password: bool,
    pub email_confirmed_at: Option<Timestamp>,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    pub totp_enabled_at: Option<Timestamp>,
    pub totp_last_step: Option<i64>,
    pub lang: String,
    pub department: Option<String>,
    pub created_at: Timestamp,
}

fn open(keys: &Keyring, table: &str, column: &str, id: &str, v: Option<String>) -> Result<Option<String>, DbErr> {
    v.map(|s| keys.decrypt(&aad(table, column, id), &s).map_err(|e| DbErr::Custom(e.to_string()))).transpose()
}

fn seal(keys: &Keyring, table: &str, column: &str, id: &str, v: Option<&str>) -> Option<String> {
    v.map(|s| keys.encrypt(&aad(table, column, id), s))
}

fn account_from(keys: &Keyring, r: &QueryResult) -> Result<Account, DbErr> {
    let id: String = col(r, "id")?;
    Ok(Account {
        email: open(keys, "accounts", "email_enc", &id, Some(col(r, "email_enc")?))?.unwrap_or_default(),
        password_hash: col(r, "password_hash")?,
        password_changed_at: Timestamp(col(r, "password_changed_at")?),
        must_change_password: col::<i64>(r, "must_change_password")? != 0,
        email_confirmed_at: col::<Option<i64>>(r, "email_confirmed_at")?.map(Timestamp),
        totp_secret: open(keys, "accounts", "totp_secret_enc", &id, col(r, "totp_secret_enc")?)?,
        totp_pending: open(keys, "accounts", "totp_pending_enc", &id, col(r, "totp_pending_enc")?)?,
        totp_enabled_at: col::<Option<i64>>(r, "totp_enabled_at")?.map(Timestamp),
        totp_last_step: col(r, "totp_last_step")?,
        lang: col(r, "lang")?,
        department: col(r, "department")?,
        created_at: Timestamp(col(r, "created_at")?),
        id,
    })
}

pub async fn insert_account<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: &str,
    email: &Email,
    password_hash: &str,
    lang: &str,
    now: Timestamp,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO accounts (id, email_index, email_enc, password_hash, password_changed_at, lang, created_at) VALUES ($1, $2, $3, $4, $5, $6, $5)",
        [
            id.into(),
            keys.blind_index(EMAIL_DOMAIN, &email.normalized()).into(),
            keys.encrypt(&aad("accounts", "email_enc", id), email.as_str()).into(),
            password_hash.into(),
            now.0.into(),
            lang.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn account_by_email<C: ConnectionTrait>(c: &C, keys: &Keyring, email_norm: &str) -> Result<Option<Account>, DbErr> {
    let row = query_opt(c, "SELECT * FROM accounts WHERE email_index = $1", [keys.blind_index(EMAIL_DOMAIN, email_norm).into()]).await?;
    row.map(|r| account_from(keys, &r)).transpose()
}

pub async fn account_by_id<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str) -> Result<Option<Account>, DbErr> {
    let row = query_opt(c, "SELECT * FROM accounts WHERE id = $1", [id.into()]).await?;
    row.map(|r| account_from(keys, &r)).transpose()
}

/// Every confirmed account's id and language, without decrypting anything (for broadcasts).
pub async fn account_langs<C: ConnectionTrait>(c: &C) -> Result<Vec<(String, String)>, DbErr> {
    let rows = query_all(c, "SELECT id, lang FROM accounts WHERE email_confirmed_at IS NOT NULL", []).await?;
    rows.iter().map(|r| Ok((col(r, "id")?, col(r, "lang")?))).collect()
}

pub async fn list_accounts<C: ConnectionTrait>(c: &C, keys: &Keyring, limit: i64) -> Result<Vec<Account>, DbErr> {
    let rows = query_all(c, "SELECT * FROM accounts ORDER BY created_at DESC LIMIT $1", [limit.into()]).await?;
    rows.iter().map(|r| account_from(keys, r)).collect()
}

pub async fn confirm_email<C: ConnectionTrait>(c: &C, id: &str, now: Timestamp) -> Result<(), DbErr> {
    exec(c, "UPDATE accounts SET email_confirmed_at = COALESCE(email_confirmed_at, $1) WHERE id = $2", [now.0.into(), id.into()]).await.map(|_| ())
}

pub async fn set_email<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str, email_norm: &str, email: &str, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE accounts SET email_index = $1, email_enc = $2, email_confirmed_at = $3 WHERE id = $4",
        [keys.blind_index(EMAIL_DOMAIN, email_norm).into(), keys.encrypt(&aad("accounts", "email_enc", id), email).into(), now.0.into(), id.into()],
    )
    .await
    .map(|_| ())
}

pub async fn set_password<C: ConnectionTrait>(c: &C, id: &str, hash: &str, must_change: bool, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE accounts SET password_hash = $1, password_changed_at = $2, must_change_password = $3 WHERE id = $4",
        [hash.into(), now.0.into(), (must_change as i64).into(), id.into()],
    )
    .await
    .map(|_| ())
}

pub async fn set_must_change_password<C: ConnectionTrait>(c: &C, id: &str) -> Result<u64, DbErr> {
    exec(c, "UPDATE accounts SET must_change_password = 1 WHERE id = $1", [id.into()]).await
}

pub async fn set_lang<C: ConnectionTrait>(c: &C, id: &str, lang: &str) -> Result<(), DbErr> {
    exec(c, "UPDATE accounts SET lang = $1 WHERE id = $2", [lang.into(), id.into()]).await.map(|_| ())
}

pub async fn set_department<C: ConnectionTrait>(c: &C, id: &str, department: Option<&str>) -> Result<(), DbErr> {
    exec(c, "UPDATE accounts SET department = $1 WHERE id = $2", [opt_str(department.map(str::to_string)), id.into()]).await.map(|_| ())
}

pub async fn set_totp_pending<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str, secret: Option<&str>) -> Result<(), DbErr> {
    exec(c, "UPDATE accounts SET totp_pending_enc = $1 WHERE id = $2", [opt_str(seal(keys, "accounts", "totp_pending_enc", id, secret)), id.into()])
        .await
        .map(|_| ())
}

pub async fn enable_totp<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str, secret: &str, step: i64, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE accounts SET totp_secret_enc = $1, totp_pending_enc = NULL, totp_enabled_at = $2, totp_last_step = $3 WHERE id = $4",
        [keys.encrypt(&aad("accounts", "totp_secret_enc", id), secret).into(), now.0.into(), step.into(), id.into()],
    )
    .await
    .map(|_| ())
}

pub async fn disable_totp<C: ConnectionTrait>(c: &C, id: &str) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE accounts SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1",
        [id.into()],
    )
    .await?;
    exec(c, "DELETE FROM recovery_codes WHERE account_id = $1", [id.into()]).await.map(|_| ())
}

/// Record the TOTP step just used; false if it was already used (replay).
pub async fn use_totp_step<C: ConnectionTrait>(c: &C, id: &str, step: i64) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        [step.into(), id.into()],
    )
    .await?;
    Ok(n == 1)
}

pub async fn replace_recovery_codes<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str, codes: &[String]) -> Result<(), DbErr> {
    exec(c, "DELETE FROM recovery_codes WHERE account_id = $1", [id.into()]).await?;
    for code in codes {
        let mac = keys.mac("recovery", &format!("{id}:{}", crate::totp::normalize_recovery_code(code)));
        exec(c, "INSERT INTO recovery_codes (account_id, code_mac) VALUES ($1, $2)", [id.into(), mac.into()]).await?;
    }
    Ok(())
}

/// Spend a recovery code; true if it was valid and unused.
pub async fn use_recovery_code<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str, code: &str, now: Timestamp) -> Result<bool, DbErr> {
    let mac = keys.mac("recovery", &format!("{id}:{}", crate::totp::normalize_recovery_code(code)));
    let n = exec(
        c,
        "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_mac = $3 AND used_at IS NULL",
        [now.0.into(), id.into(), mac.into()],
    )
    .await?;
    Ok(n == 1)
}

pub async fn unused_recovery_codes<C: ConnectionTrait>(c: &C, id: &str) -> Result<i64, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL", [id.into()]).await?;
    r.map(|r| col::<i64>(&r, "n")).transpose().map(|n| n.unwrap_or(0))
}

// ---- roles ----

#[derive(Clone, Debug, serde::Serialize)]
pub struct RoleGrant {
    pub role: Role,
    pub legal_entity: Option<String>,
    pub granted_by: String,
    pub granted_at: Timestamp,
}

pub async fn roles<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str) -> Result<Vec<RoleGrant>, DbErr> {
    let rows = query_all(c, "SELECT * FROM account_roles WHERE account_id = $1 ORDER BY granted_at", [id.into()]).await?;
    rows.iter()
        .filter_map(|r| {
            let role = Role::from_code(&col::<String>(r, "role").ok()?)?;
            let tax_index: String = col(r, "legal_entity_tax_index").ok()?;
            Some((|| {
                Ok(RoleGrant {
                    role,
                    legal_entity: open(keys, "account_roles", "legal_entity_enc", &format!("{id}:{tax_index}"), col(r, "legal_entity_enc")?)?,
                    granted_by: col(r, "granted_by")?,
                    granted_at: Timestamp(col(r, "granted_at")?),
                })
            })())
        })
        .collect()
}

pub async fn grant_role<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: &str,
    role: Role,
    legal_entity_tax: Option<&str>,
    by: &str,
    now: Timestamp,
) -> Result<(), DbErr> {
    let tax_index = legal_entity_tax.map(|t| keys.blind_index(TAX_DOMAIN, t)).unwrap_or_default();
    let sealed = seal(keys, "account_roles", "legal_entity_enc", &format!("{id}:{tax_index}"), legal_entity_tax);
    exec(
        c,
        "DELETE FROM account_roles WHERE account_id = $1 AND role = $2 AND legal_entity_tax_index = $3",
        [id.into(), role.code().into(), tax_index.clone().into()],
    )
    .await?;
    exec(
        c,
        "INSERT INTO account_roles (account_id, role, legal_entity_tax_index, legal_entity_enc, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [id.into(), role.code().into(), tax_index.into(), opt_str(sealed), by.into(), now.0.into()],
    )
    .await
    .map(|_| ())
}

pub async fn revoke_role<C: ConnectionTrait>(c: &C, id: &str, role: Role) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM account_roles WHERE account_id = $1 AND role = $2", [id.into(), role.code().into()]).await
}

/// Staff accounts (staff role) of a department, or of every department.
pub async fn staff_of_department<C: ConnectionTrait>(c: &C, department: Option<&str>) -> Result<Vec<String>, DbErr> {
    let rows = query_all(
        c,
        "SELECT DISTINCT a.id FROM accounts a JOIN account_roles r ON r.account_id = a.id \
         WHERE r.role = 'staff' AND ($1 = '' OR a.department = $1) ORDER BY a.id",
        [department.unwrap_or_default().into()],
    )
    .await?;
    rows.iter().map(|r| col(r, "id")).collect()
}

pub async fn count_role<C: ConnectionTrait>(c: &C, role: Role) -> Result<i64, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n FROM account_roles WHERE role = $1", [role.code().into()]).await?;
    r.map(|r| col::<i64>(&r, "n")).transpose().map(|n| n.unwrap_or(0))
}

// ---- profile ----

pub async fn profile<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str) -> Result<Profile, DbErr> {
    let Some(r) = query_opt(c, "SELECT * FROM profiles WHERE account_id = $1", [id.into()]).await? else {
        return Ok(Profile::default());
    };
    let get = |column: &str| -> Result<Option<String>, DbErr> { open(keys, "profiles", column, id, col(&r, column)?) };
    Ok(Profile {
        name: get("name_enc")?,
        address: get("address_enc")?,
        phone: get("phone_enc")?,
        tax_number: get("tax_enc")?,
        emso: get("emso_enc")?,
    })
}

pub async fn save_profile<C: ConnectionTrait>(c: &C, keys: &Keyring, id: &str, p: &Profile, now: Timestamp) -> Result<(), DbErr> {
    let s = |column: &str, v: &Option<String>| opt_str(seal(keys, "profiles", column, id, v.as_deref()));
    let emso_index = p.emso.as_deref().map(|e| keys.blind_index(EMSO_DOMAIN, e));
    let tax_index = p.tax_number.as_deref().map(|t| keys.blind_index(TAX_DOMAIN, t));
    exec(c, "DELETE FROM profiles WHERE account_id = $1", [id.into()]).await?;
    exec(
        c,
        "INSERT INTO profiles (account_id, name_enc, address_enc, phone_enc, tax_enc, tax_index, emso_enc, emso_index, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            id.into(),
            s("name_enc", &p.name),
            s("address_enc", &p.address),
            s("phone_enc", &p.phone),
            s("tax_enc", &p.tax_number),
            opt_str(tax_index),
            s("emso_enc", &p.emso),
            opt_str(emso_index),
            now.0.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// Look up accounts by EMŠO or tax number without either being stored in clear.
pub async fn account_ids_by_identifier<C: ConnectionTrait>(c: &C, keys: &Keyring, domain: &str, value: &str) -> Result<Vec<String>, DbErr> {
    let column = if domain == EMSO_DOMAIN { "emso_index" } else { "tax_index" };
    let rows = query_all(c, &format!("SELECT account_id FROM profiles WHERE {column} = $1"), [keys.blind_index(domain, value).into()]).await?;
    rows.iter().map(|r| col(r, "account_id")).collect()
}

// ---- sessions ----

#[derive(Clone, Debug, serde::Serialize)]
pub struct SessionRow {
    #[serde(skip)]
    pub id_hash: String,
    pub account_id: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub reauth_at: Timestamp,
    pub second_factor: bool,
    pub device: String,
}

fn session_from(r: &QueryResult) -> Result<SessionRow, DbErr> {
    Ok(SessionRow {
        id_hash: col(r, "id_hash")?,
        account_id: col(r, "account_id")?,
        created_at: Timestamp(col(r, "created_at")?),
        last_seen_at: Timestamp(col(r, "last_seen_at")?),
        reauth_at: Timestamp(col(r, "reauth_at")?),
        second_factor: col::<i64>(r, "second_factor")? != 0,
        device: col(r, "device")?,
    })
}

pub async fn insert_session<C: ConnectionTrait>(
    c: &C,
    id_hash: &str,
    account_id: &str,
    second_factor: bool,
    device: &str,
    now: Timestamp,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, reauth_at, second_factor, device) VALUES ($1, $2, $3, $3, 0, $4, $5)",
        [id_hash.into(), account_id.into(), now.0.into(), (second_factor as i64).into(), device.into()],
    )
    .await
    .map(|_| ())
}

pub async fn session<C: ConnectionTrait>(c: &C, id_hash: &str) -> Result<Option<SessionRow>, DbErr> {
    query_opt(c, "SELECT * FROM sessions WHERE id_hash = $1", [id_hash.into()]).await?.map(|r| session_from(&r)).transpose()
}

/// What a request needs to know about a signed-in account.
pub struct Principal {
    pub id: String,
    pub department: Option<String>,
    pub password_changed_at: Timestamp,
    pub must_change_password: bool,
    pub totp_enabled: bool,
}

/// A session and its account in one read.
pub async fn session_principal<C: ConnectionTrait>(c: &C, id_hash: &str) -> Result<Option<(SessionRow, Principal)>, DbErr> {
    let Some(r) = query_opt(
        c,
        "SELECT s.*, a.department, a.password_changed_at, a.must_change_password, a.totp_enabled_at FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = $1",
        [id_hash.into()],
    )
    .await?
    else {
        return Ok(None);
    };
    let session = session_from(&r)?;
    let principal = Principal {
        id: session.account_id.clone(),
        department: col(&r, "department")?,
        password_changed_at: Timestamp(col(&r, "password_changed_at")?),
        must_change_password: col::<i64>(&r, "must_change_password")? != 0,
        totp_enabled: col::<Option<i64>>(&r, "totp_enabled_at")?.is_some(),
    };
    Ok(Some((session, principal)))
}

/// The roles of an account, without the sealed company details.
pub async fn role_names<C: ConnectionTrait>(c: &C, account_id: &str) -> Result<Vec<Role>, DbErr> {
    let rows = query_all(c, "SELECT role FROM account_roles WHERE account_id = $1 ORDER BY granted_at", [account_id.into()]).await?;
    Ok(rows.iter().filter_map(|r| Role::from_code(&col::<String>(r, "role").ok()?)).collect())
}

pub async fn sessions_of<C: ConnectionTrait>(c: &C, account_id: &str) -> Result<Vec<SessionRow>, DbErr> {
    let rows = query_all(c, "SELECT * FROM sessions WHERE account_id = $1 ORDER BY last_seen_at DESC", [account_id.into()]).await?;
    rows.iter().map(session_from).collect()
}

pub async fn touch_session<C: ConnectionTrait>(c: &C, id_hash: &str, now: Timestamp) -> Result<(), DbErr> {
    exec(c, "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", [now.0.into(), id_hash.into()]).await.map(|_| ())
}

pub async fn mark_reauth<C: ConnectionTrait>(c: &C, id_hash: &str, now: Timestamp) -> Result<(), DbErr> {
    exec(c, "UPDATE sessions SET reauth_at = $1 WHERE id_hash = $2", [now.0.into(), id_hash.into()]).await.map(|_| ())
}

pub async fn delete_session<C: ConnectionTrait>(c: &C, id_hash: &str) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM sessions WHERE id_hash = $1", [id_hash.into()]).await
}

/// End a session of this account chosen by a short public handle (the hash prefix).
pub async fn delete_session_by_handle<C: ConnectionTrait>(c: &C, account_id: &str, handle: &str) -> Result<u64, DbErr> {
    if handle.len() < 16 || !handle.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(0);
    }
    let rows = sessions_of(c, account_id).await?;
    let mut n = 0;
    for s in rows.iter().filter(|s| s.id_hash.starts_with(handle)) {
        n += delete_session(c, &s.id_hash).await?;
    }
    Ok(n)
}

pub async fn delete_other_sessions<C: ConnectionTrait>(c: &C, account_id: &str, keep: Option<&str>) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2", [account_id.into(), keep.unwrap_or("").into()]).await
}

pub async fn insert_pending_login<C: ConnectionTrait>(c: &C, id_hash: &str, account_id: &str, expires: Timestamp) -> Result<(), DbErr> {
    exec(c, "INSERT INTO pending_logins (id_hash, account_id, expires_at) VALUES ($1, $2, $3)", [id_hash.into(), account_id.into(), expires.0.into()])
        .await
        .map(|_| ())
}

pub async fn pending_login<C: ConnectionTrait>(c: &C, id_hash: &str, now: Timestamp) -> Result<Option<String>, DbErr> {
    let r = query_opt(c, "SELECT account_id FROM pending_logins WHERE id_hash = $1 AND expires_at > $2", [id_hash.into(), now.0.into()]).await?;
    r.map(|r| col(&r, "account_id")).transpose()
}

pub async fn delete_pending_login<C: ConnectionTrait>(c: &C, id_hash: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM pending_logins WHERE id_hash = $1", [id_hash.into()]).await.map(|_| ())
}

// ---- e-mail tokens ----

pub async fn insert_email_token<C: ConnectionTrait>(
    c: &C,
    token_hash: &str,
    account_id: &str,
    purpose: &str,
    expires: Timestamp,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO email_tokens (token_hash, account_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
        [token_hash.into(), account_id.into(), purpose.into(), expires.0.into()],
    )
    .await
    .map(|_| ())
}

/// Spend a token once; returns the account it belongs to.
pub async fn use_email_token<C: ConnectionTrait>(c: &C, token_hash: &str, purpose: &str, now: Timestamp) -> Result<Option<String>, DbErr> {
    let Some(r) = query_opt(
        c,
        "SELECT account_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        [token_hash.into(), purpose.into(), now.0.into()],
    )
    .await?
    else {
        return Ok(None);
    };
    exec(c, "UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2", [now.0.into(), token_hash.into()]).await?;
    Ok(Some(col(&r, "account_id")?))
}

// ---- throttling ----

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i64,
    pub last_failure_at: Timestamp,
    pub locked_until: Option<Timestamp>,
}

pub async fn throttle<C: ConnectionTrait>(c: &C, key: &str) -> Result<Throttle, DbErr> {
    // Locked until the transaction ends: attempts on one key are counted one at a time.
    let sql = format!("SELECT * FROM login_throttle WHERE key = $1{}", kernel::db::for_update(c));
    let r = query_opt(c, &sql, [key.into()]).await?;
    r.map(|r| -> Result<Throttle, DbErr> {
        Ok(Throttle {
            failures: col(&r, "failures")?,
            last_failure_at: Timestamp(col(&r, "last_failure_at")?),
            locked_until: col::<Option<i64>>(&r, "locked_until")?.map(Timestamp),
        })
    })
    .transpose()
    .map(Option::unwrap_or_default)
}

pub async fn save_throttle<C: ConnectionTrait>(c: &C, key: &str, t: Throttle) -> Result<(), DbErr> {
    // An upsert: two first attempts at once must not collide on the key.
    exec(
        c,
        "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
        [key.into(), t.failures.into(), t.last_failure_at.0.into(), opt_i64(t.locked_until.map(|t| t.0))],
    )
    .await
    .map(|_| ())
}

pub async fn clear_throttle<C: ConnectionTrait>(c: &C, key: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM login_throttle WHERE key = $1", [key.into()]).await.map(|_| ())
}

// ---- API tokens ----

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn token_from(r: &QueryResult) -> Result<ApiToken, DbErr> {
    Ok(ApiToken {
        id: col(r, "id")?,
        name: col(r, "name")?,
        scopes: col::<String>(r, "scopes")?.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        expires_at: col(r, "expires_at")?,
        revoked_at: col(r, "revoked_at")?,
    })
}

pub async fn insert_api_token<C: ConnectionTrait>(c: &C, t: &ApiToken, token_hash: &str) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO api_tokens (id, token_hash, name, scopes, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            t.id.clone().into(),
            token_hash.into(),
            t.name.clone().into(),
            t.scopes.join(" ").into(),
            t.created_by.clone().into(),
            t.created_at.into(),
            opt_i64(t.expires_at),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn api_token_by_hash<C: ConnectionTrait>(c: &C, token_hash: &str) -> Result<Option<ApiToken>, DbErr> {
    query_opt(c, "SELECT * FROM api_tokens WHERE token_hash = $1", [token_hash.into()]).await?.map(|r| token_from(&r)).transpose()
}

pub async fn api_tokens<C: ConnectionTrait>(c: &C) -> Result<Vec<ApiToken>, DbErr> {
    query_all(c, "SELECT * FROM api_tokens ORDER BY created_at DESC", []).await?.iter().map(token_from).collect()
}

pub async fn revoke_api_token<C: ConnectionTrait>(c: &C, id: &str, now: Timestamp) -> Result<u64, DbErr> {
    exec(c, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [now.0.into(), id.into()]).await
}

// ---- erasure ----

/// Remove every row of the account; the cascade takes profile, roles,
/// sessions, codes and tokens with it.
pub async fn delete_account<C: ConnectionTrait>(c: &C, id: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM accounts WHERE id = $1", [id.into()]).await.map(|_| ())
}

// ---- organisations (the municipal administration and its public institutions and companies) ----

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// `administration`, `public_company` or `public_institution`.
    pub kind: String,
    pub demo: bool,
}

pub async fn organisations<C: ConnectionTrait>(c: &C) -> Result<Vec<Organisation>, DbErr> {
    let rows = query_all(c, "SELECT id, name, kind, demo FROM organisations ORDER BY kind, name", []).await?;
    rows.iter()
        .map(|r| Ok(Organisation { id: col(r, "id")?, name: col(r, "name")?, kind: col(r, "kind")?, demo: col::<i64>(r, "demo")? != 0 }))
        .collect()
}

pub async fn insert_organisation<C: ConnectionTrait>(c: &C, name: &str, kind: &str, demo: bool, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO organisations (id, name, kind, demo, created_at) VALUES ($1, $2, $3, $4, $5)",
        [uuid::Uuid::now_v7().to_string().into(), name.into(), kind.into(), (demo as i64).into(), now.0.into()],
    )
    .await
    .map(|_| ())
}

/// A pending change of e-mail address: the new address, sealed, waits for
/// its owner to open the link sent to it.
pub async fn insert_email_change<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    token_hash: &str,
    account_id: &str,
    new_email: &str,
    expires: Timestamp,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO email_tokens (token_hash, account_id, purpose, expires_at, payload_enc) VALUES ($1, $2, 'change_email', $3, $4)",
        [token_hash.into(), account_id.into(), expires.0.into(), keys.encrypt(&aad("email_tokens", "payload_enc", token_hash), new_email).into()],
    )
    .await
    .map(|_| ())
}

/// Spend an e-mail change token once; the account and the new address.
pub async fn use_email_change<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(String, String)>, DbErr> {
    let Some(r) = query_opt(
        c,
        "SELECT account_id, payload_enc FROM email_tokens WHERE token_hash = $1 AND purpose = 'change_email' AND used_at IS NULL AND expires_at > $2",
        [token_hash.into(), now.0.into()],
    )
    .await?
    else {
        return Ok(None);
    };
    exec(c, "UPDATE email_tokens SET used_at = $1, payload_enc = NULL WHERE token_hash = $2", [now.0.into(), token_hash.into()]).await?;
    let new_email = open(keys, "email_tokens", "payload_enc", token_hash, col(&r, "payload_enc")?)?.unwrap_or_default();
    Ok(Some((col(&r, "account_id")?, new_email)))
}
