CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject);
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, mac TEXT NOT NULL);
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    run_after BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    claimed_until BIGINT,
    done_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (done_at, run_after);
