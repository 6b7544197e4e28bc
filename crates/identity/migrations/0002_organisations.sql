CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    tax_number TEXT,
    demo BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
