-- Commands to devices, one row per device and command; groups and schedules
-- send the same command to many devices.
CREATE TABLE telemetry_command_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    command TEXT NOT NULL,
    params TEXT NOT NULL,
    selector TEXT NOT NULL,
    devices BIGINT NOT NULL,
    schedule_id TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE telemetry_commands (
    id TEXT PRIMARY KEY,
    device_key TEXT NOT NULL,
    command TEXT NOT NULL,
    params TEXT NOT NULL,
    group_id TEXT REFERENCES telemetry_command_groups (id) ON DELETE CASCADE,
    -- pending, sent, acknowledged, done, failed, timed_out
    state TEXT NOT NULL,
    error TEXT,
    attempts BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    sent_at BIGINT,
    acknowledged_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX telemetry_commands_due ON telemetry_commands (state, next_attempt_at);
CREATE INDEX telemetry_commands_device ON telemetry_commands (device_key, created_at);
CREATE INDEX telemetry_commands_group ON telemetry_commands (group_id, state);

-- "Dim feeder RP-07 to 40 % from 23:00 to 05:00": a command at the start, another at the end, every day.
CREATE TABLE telemetry_schedules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    command TEXT NOT NULL,
    params TEXT NOT NULL,
    end_params TEXT,
    selector TEXT NOT NULL,
    start_minute BIGINT NOT NULL,
    end_minute BIGINT,
    department TEXT,
    enabled BIGINT NOT NULL,
    -- Local date (YYYY-MM-DD) each boundary last ran, so a restart does not repeat it.
    last_start TEXT,
    last_end TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
