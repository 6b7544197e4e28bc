-- Bookable resources: rooms, halls, sports grounds, youth spaces, EV
-- charging points. Name and purpose are JSON (texts per language). Slots are
-- `slot_minutes` long, from `opens_minute` to `closes_minute` of the local
-- day (Europe/Ljubljana). `bookable` = 0 lists a municipal space that cannot
-- be booked here yet (it counts in the KPI "share of spaces bookable").
CREATE TABLE bookings_resources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    location TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    slot_minutes BIGINT NOT NULL,
    opens_minute BIGINT NOT NULL,
    closes_minute BIGINT NOT NULL,
    price_cents BIGINT NOT NULL,
    needs_approval BIGINT NOT NULL,
    bookable BIGINT NOT NULL,
    allow_natural BIGINT NOT NULL,
    allow_legal BIGINT NOT NULL,
    lead_minutes BIGINT NOT NULL,
    max_slots BIGINT NOT NULL,
    cancel_minutes BIGINT NOT NULL,
    horizon_days BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0
);

-- A booking and its history (status pending, confirmed, rejected,
-- cancelled). The legal person booked for is sealed (its tax number).
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL REFERENCES bookings_resources (id),
    account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    on_behalf_enc TEXT,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    slots BIGINT NOT NULL,
    price_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    cancelled_at BIGINT
);
CREATE INDEX bookings_account ON bookings (account_id, start_at);
CREATE INDEX bookings_status ON bookings (status, start_at);

-- Maintenance and other blocks by staff.
CREATE TABLE bookings_blocks (
    id TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL REFERENCES bookings_resources (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL
);

-- One row per occupied slot, held by a live booking (pending or confirmed)
-- or a block. The UNIQUE constraint is what makes a double booking
-- impossible: of two concurrent transactions for the same slot, on SQLite
-- and PostgreSQL alike, the database lets one in and refuses the other.
CREATE TABLE bookings_slots (
    resource_id TEXT NOT NULL REFERENCES bookings_resources (id),
    slot_start BIGINT NOT NULL,
    booking_id TEXT REFERENCES bookings (id) ON DELETE CASCADE,
    block_id TEXT REFERENCES bookings_blocks (id) ON DELETE CASCADE,
    UNIQUE (resource_id, slot_start)
);
CREATE INDEX bookings_slots_booking ON bookings_slots (booking_id);
CREATE INDEX bookings_slots_block ON bookings_slots (block_id);
