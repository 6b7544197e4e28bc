-- Each person's choices. Phone, area and last location are personal: sealed.
-- Rows of a person go with their account (erasure).
CREATE TABLE notify_settings (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    topics TEXT NOT NULL,
    quiet_from INTEGER,
    quiet_to INTEGER,
    phone_enc TEXT,
    area_enc TEXT,
    share_location INTEGER NOT NULL DEFAULT 0,
    location_enc TEXT,
    location_at BIGINT,
    updated_at BIGINT NOT NULL
);

-- What was said, to whom in general: staff notices, messages of other capabilities, alerts.
CREATE TABLE notify_notices (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    urgency TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT,
    area TEXT,
    source TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    recipients BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notify_notices_created ON notify_notices (created_at);

-- One message on one channel to one person: the work queue and the delivery log.
-- account_id is empty for a visitor, whose address is then sealed here.
CREATE TABLE notify_deliveries (
    id TEXT PRIMARY KEY,
    notice_id TEXT NOT NULL REFERENCES notify_notices (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    address_enc TEXT,
    lang TEXT NOT NULL,
    warning INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after BIGINT NOT NULL,
    claimed_until BIGINT,
    last_error TEXT,
    sent_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX notify_deliveries_due ON notify_deliveries (status, run_after);
CREATE INDEX notify_deliveries_notice ON notify_deliveries (notice_id, channel, status);

-- The in-app inbox.
CREATE TABLE notify_inbox (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    notice_id TEXT NOT NULL REFERENCES notify_notices (id) ON DELETE CASCADE,
    warning INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE UNIQUE INDEX notify_inbox_once ON notify_inbox (account_id, notice_id);

-- Browsers that accepted web push (RFC 8030): endpoint and keys are sealed.
CREATE TABLE notify_push_subscriptions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint_index TEXT NOT NULL UNIQUE,
    subscription_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notify_push_account ON notify_push_subscriptions (account_id);

-- The VAPID signing key (RFC 8292), made by the first process that needs it; sealed.
CREATE TABLE notify_keys (
    id TEXT PRIMARY KEY,
    key_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
