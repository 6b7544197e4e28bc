-- Devices, the assets they watch, and their time series.
CREATE TABLE telemetry_devices (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    model TEXT,
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    department TEXT,
    installed_on TEXT,
    status TEXT NOT NULL,
    attrs TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    last_seen BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX telemetry_devices_type ON telemetry_devices (type, key);
CREATE INDEX telemetry_devices_place ON telemetry_devices (lon, lat);

CREATE TABLE telemetry_assets (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    department TEXT,
    attrs TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX telemetry_assets_kind ON telemetry_assets (kind, key);

CREATE TABLE telemetry_device_assets (
    device_id BIGINT NOT NULL REFERENCES telemetry_devices (id) ON DELETE CASCADE,
    asset_id BIGINT NOT NULL REFERENCES telemetry_assets (id) ON DELETE CASCADE,
    PRIMARY KEY (device_id, asset_id)
);
CREATE INDEX telemetry_device_assets_asset ON telemetry_device_assets (asset_id);

-- One series per device and quantity; it carries the latest value so that
-- "the latest state of everything" is one scan of this table.
CREATE TABLE telemetry_series (
    id INTEGER PRIMARY KEY,
    device_id BIGINT NOT NULL REFERENCES telemetry_devices (id) ON DELETE CASCADE,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    last_ts BIGINT,
    last_value DOUBLE PRECISION,
    UNIQUE (device_id, quantity)
);

-- Raw readings: the key makes a repeated reading a no-op.
CREATE TABLE telemetry_readings (
    series_id BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;

-- Rollups per 5 minutes (300), hour (3600) and day (86400).
CREATE TABLE telemetry_rollups (
    series_id BIGINT NOT NULL,
    period INTEGER NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    vsum DOUBLE PRECISION NOT NULL,
    vmin DOUBLE PRECISION NOT NULL,
    vmax DOUBLE PRECISION NOT NULL,
    vlast DOUBLE PRECISION NOT NULL,
    last_ts BIGINT NOT NULL,
    PRIMARY KEY (series_id, period, bucket)
) WITHOUT ROWID;

-- Refused readings, counted per presented device key and reason.
CREATE TABLE telemetry_rejections (
    device_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    n BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    last_detail TEXT NOT NULL,
    PRIMARY KEY (device_key, reason)
);
