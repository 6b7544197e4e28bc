CREATE TABLE saml_requests (
    id TEXT PRIMARY KEY,
    account_id TEXT,
    next TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE saml_seen (
    assertion_id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE TABLE eid_links (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    emso_index TEXT NOT NULL UNIQUE,
    linked_at BIGINT NOT NULL
);
