//! Storage tests against real databases: a temporary SQLite per test, or PostgreSQL when
//! `LUOSHI_TEST_DATABASE_URL` is set.

#![expect(clippy::unwrap_used, reason = "a test fails by panicking")]

mod appeal_search;
mod audit_chain;
mod duty_sight;
mod node_caches;
mod schema;
mod units_rules;
