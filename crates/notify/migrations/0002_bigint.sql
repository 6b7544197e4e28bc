-- SQLite's INTEGER is 64 bits already: nothing to change (see 0002_bigint.pg.sql).
SELECT 1;
