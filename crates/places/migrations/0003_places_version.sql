-- A counter bumped in the transaction of every change to places or their
-- photos, so that a server (or each of several on PostgreSQL) knows when
-- the layers' GeoJSON it keeps made must be made again (src/cache.rs).
CREATE TABLE places_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO places_version (id, version) VALUES (1, 0);
