-- The store reads these columns as 64-bit integers (BIGINT, as elsewhere);
-- PostgreSQL made them 32-bit from 0001's INTEGER, which it cannot decode.
ALTER TABLE notify_settings ALTER COLUMN quiet_from TYPE BIGINT, ALTER COLUMN quiet_to TYPE BIGINT, ALTER COLUMN share_location TYPE BIGINT;
ALTER TABLE notify_deliveries ALTER COLUMN warning TYPE BIGINT, ALTER COLUMN attempts TYPE BIGINT;
ALTER TABLE notify_inbox ALTER COLUMN warning TYPE BIGINT;
