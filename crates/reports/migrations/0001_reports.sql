-- Fault reports. The reporter's personal fields are sealed (AES-GCM, AAD
-- bound to table, column and row); `reporter_index` is a keyed blind index
-- (account or e-mail) for counting reporters without revealing them.
-- Everything else is public.
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    category TEXT NOT NULL,
    owner TEXT NOT NULL,
    area TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    description TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    address TEXT,
    address_id TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    account_id TEXT,
    reporter_index TEXT NOT NULL,
    reporter_email_enc TEXT,
    reporter_name_enc TEXT,
    reporter_phone_enc TEXT,
    reporter_lang TEXT NOT NULL,
    source TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    assigned_to TEXT,
    duplicate_of BIGINT,
    media_url TEXT,
    seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX reports_status ON reports (status, created_at);
CREATE INDEX reports_owner ON reports (owner, status, created_at);
CREATE INDEX reports_created ON reports (created_at);
CREATE INDEX reports_updated ON reports (updated_at);
CREATE INDEX reports_place ON reports (category, lat, lon);
CREATE INDEX reports_account ON reports (account_id);
CREATE INDEX reports_reporter ON reports (reporter_index, created_at);

-- Every change, numbered per report (`seq`): creation, status with the
-- public answer, assignment, merge. Only public rows are shown to everyone.
CREATE TABLE report_updates (
    id TEXT PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT,
    public BIGINT NOT NULL,
    actor TEXT NOT NULL,
    UNIQUE (report_id, seq)
);
CREATE INDEX report_updates_at ON report_updates (at);

CREATE TABLE report_photos (
    id TEXT PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id),
    position BIGINT NOT NULL,
    file_key TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    located BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_photos_report ON report_photos (report_id, position);

-- The gazetteer: streets and places a reporter can type instead of using the map.
CREATE TABLE report_places (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    name_norm TEXT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX report_places_norm ON report_places (name_norm);

-- Report numbers (the public id and Open311 service_request_id), one counter row.
CREATE TABLE report_counter (
    id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO report_counter (id, n) VALUES (1, 1000);
