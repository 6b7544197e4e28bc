-- Places on the map. Texts per language are JSON objects ({"sl": …, "en": …});
-- the geometry is GeoJSON text, with a point on it (lat, lon) and its
-- bounding box as columns for queries. Opening hours are the structured
-- schedule as JSON (see src/hours.rs). Everything here is public.
CREATE TABLE places (
    id TEXT PRIMARY KEY,
    layer TEXT NOT NULL,
    names TEXT NOT NULL,
    descriptions TEXT NOT NULL DEFAULT '{}',
    geometry TEXT NOT NULL,
    shape TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    address TEXT,
    opening_hours TEXT,
    wheelchair TEXT,
    accessibility TEXT NOT NULL DEFAULT '{}',
    photos TEXT NOT NULL DEFAULT '[]',
    price_cents BIGINT,
    heritage_id TEXT,
    heritage_level TEXT,
    audio_url TEXT,
    website TEXT,
    phone TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX places_layer ON places (layer, lat, lon);
CREATE INDEX places_bbox ON places (min_lat, max_lat, min_lon, max_lon);
