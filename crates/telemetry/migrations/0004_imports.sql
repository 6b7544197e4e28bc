-- Device imports from CSV, with their progress for the page that watches them.
CREATE TABLE telemetry_imports (
    id TEXT PRIMARY KEY,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    errors TEXT NOT NULL,
    finished_at BIGINT
);
