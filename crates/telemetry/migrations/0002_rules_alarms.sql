-- Rules that watch readings, and the alarms they raise.
CREATE TABLE telemetry_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- type, device or asset, and which one.
    scope_kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    quantity TEXT,
    -- threshold, rate, silent or frozen; params as JSON.
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    severity TEXT NOT NULL,
    -- Responsible department; the device's own when null.
    department TEXT,
    enabled BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE telemetry_alarms (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL REFERENCES telemetry_rules (id) ON DELETE CASCADE,
    device_key TEXT NOT NULL,
    quantity TEXT,
    severity TEXT NOT NULL,
    department TEXT,
    state TEXT NOT NULL,
    message TEXT NOT NULL,
    value DOUBLE PRECISION,
    reading_ts BIGINT,
    raised_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    cleared_at BIGINT,
    -- Kept while the alarm is open: one open alarm per rule and device.
    open_key TEXT UNIQUE
);
CREATE INDEX telemetry_alarms_state ON telemetry_alarms (state, raised_at);
CREATE INDEX telemetry_alarms_device ON telemetry_alarms (device_key, raised_at);
