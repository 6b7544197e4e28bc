-- The digital-maturity questionnaire of seed §2.6: one answer per
-- organisation and year. The organisation's name is sealed and found by a
-- keyed blind index; results are published only as anonymous labels.
CREATE TABLE maturity_responses (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    -- institution | company
    kind TEXT NOT NULL,
    org_index TEXT NOT NULL,
    org_name_enc TEXT NOT NULL,
    -- The anonymous label's number within the year and kind ("Institution 3").
    number BIGINT NOT NULL,
    -- Seven scores 1–5, as a JSON array.
    answers TEXT NOT NULL,
    total BIGINT NOT NULL,
    account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX maturity_one_per_year ON maturity_responses (year, org_index);
CREATE INDEX maturity_year ON maturity_responses (year, kind);
