-- Rollups are folded in memory and written in batches. Each commit of
-- readings leaves a row here (the series and time range it touched), removed
-- when its rollups are written; after a crash the rows say which buckets to
-- recompute from the raw readings.
CREATE TABLE telemetry_rollup_pending (
    id TEXT PRIMARY KEY,
    series TEXT NOT NULL,
    min_ts BIGINT NOT NULL,
    max_ts BIGINT NOT NULL
);
