//! End-to-end tests: the real binary on a free port, a fresh database per
//! test (SQLite, or PostgreSQL when OBCINA_TEST_DATABASE_URL is set), a real
//! SMTP listener, HTTP from the outside. One test binary keeps links cheap.

mod alerts;
mod bookings;
mod budget;
mod catalog;
mod events;
mod guide;
mod harness;
mod identity;
mod indicators;
mod mqtt;
mod ngsi;
mod notify;
mod ops;
mod participation;
mod places;
mod reports;
mod security;
mod telemetry;
