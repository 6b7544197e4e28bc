-- Read-only access to chosen device types for a partner (a neighbouring municipality).
CREATE TABLE telemetry_shares (
    id TEXT PRIMARY KEY,
    partner TEXT NOT NULL,
    types TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
