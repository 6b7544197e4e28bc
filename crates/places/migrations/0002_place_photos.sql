-- Photos staff upload to a place: the processed JPEG is a file of the
-- platform's file store (`file_key`, as fault reports keep theirs); the row
-- holds its size and its alternative text per language (JSON, Slovenian
-- required). Public, like the place.
CREATE TABLE place_photos (
    id TEXT PRIMARY KEY,
    place_id TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    file_key TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    alt TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX place_photos_place ON place_photos (place_id, position);
