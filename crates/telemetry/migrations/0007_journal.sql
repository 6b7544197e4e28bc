-- The ingest journal: one row per group commit of readings (compact binary,
-- see journal.rs), appended before the requests are answered. On SQLite it
-- holds the whole commit until a checkpoint has written it into the tables
-- and deleted it; at start what is left is replayed.
CREATE TABLE telemetry_journal (
    seq INTEGER PRIMARY KEY,
    body BLOB NOT NULL
);

-- A checkpoint in progress: it covers journal rows up to `upto` and has
-- merged the rollups of series up to `series` (its rollup slices are
-- separate transactions; after a crash the rest is merged, nothing twice).
CREATE TABLE telemetry_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    upto BIGINT NOT NULL,
    series BIGINT NOT NULL
);

-- The 5-minute resolution is folded from raw readings when read.
DELETE FROM telemetry_rollups WHERE period = 300;
