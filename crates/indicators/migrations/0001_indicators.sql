-- Values of indicators with their provenance. The definitions are bundled
-- (data/strategy.toml, data/iso.toml) and configured, not stored: a new
-- release can correct a definition without a migration.
CREATE TABLE indicator_values (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    -- "2026" for a year, "2026-06" for a month.
    period TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    -- computed | imported | entered
    provenance TEXT NOT NULL,
    -- account:<id> of who entered or imported it; the computation's name otherwise.
    recorded_by TEXT NOT NULL,
    note TEXT,
    recorded_at BIGINT NOT NULL
);
-- One value per indicator, period and provenance: a recomputation or a
-- correction replaces the value and keeps who and when.
CREATE UNIQUE INDEX indicator_values_one ON indicator_values (code, period, provenance);
CREATE INDEX indicator_values_code ON indicator_values (code, period);
