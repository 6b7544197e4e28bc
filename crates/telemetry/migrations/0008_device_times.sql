-- When the registry was first filled and last changed: the data
-- catalogue asks on every request (the period its sensor datasets cover),
-- and with 12,000 devices a scan was 3 ms of the single SQLite connection
-- per sensor dataset. Registry writes are rare; readings do not touch these.
CREATE INDEX telemetry_devices_created ON telemetry_devices (created_at);
CREATE INDEX telemetry_devices_updated ON telemetry_devices (updated_at);
