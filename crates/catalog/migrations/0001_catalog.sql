-- Datasets staff describe in the catalogue: data kept elsewhere (`staff`,
-- the whole description) and the decisions staff take about a dataset a
-- capability registers (`override`: access level, licence, consumers,
-- links, keywords, contact, usage period). `meta` is the description as JSON.
CREATE TABLE catalog_datasets (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    meta TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX catalog_datasets_updated ON catalog_datasets (updated_at);
