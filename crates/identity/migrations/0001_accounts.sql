CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email_index TEXT NOT NULL UNIQUE,
    email_enc TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    email_confirmed_at BIGINT,
    totp_secret_enc TEXT,
    totp_pending_enc TEXT,
    totp_enabled_at BIGINT,
    totp_last_step BIGINT,
    lang TEXT NOT NULL DEFAULT 'sl',
    department TEXT,
    created_at BIGINT NOT NULL
);
CREATE TABLE account_roles (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    legal_entity_tax_index TEXT NOT NULL DEFAULT '',
    legal_entity_enc TEXT,
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, role, legal_entity_tax_index)
);
CREATE TABLE profiles (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    name_enc TEXT,
    address_enc TEXT,
    phone_enc TEXT,
    tax_enc TEXT,
    tax_index TEXT,
    emso_enc TEXT,
    emso_index TEXT UNIQUE,
    updated_at BIGINT NOT NULL
);
CREATE INDEX profiles_tax_index ON profiles (tax_index);
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    reauth_at BIGINT NOT NULL,
    second_factor BIGINT NOT NULL,
    device TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE TABLE pending_logins (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_mac TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_mac)
);
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT
);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
);
