//! luoshi-domain: the pure core of 落实.
//!
//! Types, validation, state rules, the working-day calendar, the audit hash chain and the
//! message catalogue. This crate does no IO: no files, no network, no database, no clock
//! except where a caller passes a time in. Everything here is testable with plain values.

pub mod access;
pub mod appeals;
pub mod assessment;
pub mod audit;
pub mod calendar;
pub mod checksum;
pub mod deadline;
pub mod debt;
pub mod doc;
pub mod duty;
pub mod emergencies;
pub mod error;
pub mod hazards;
pub mod i18n;
pub mod livelihood;
pub mod money;
pub mod notify;
pub mod plausible;
pub mod projects;
pub mod publish;
pub mod route;
pub mod rules;
pub mod serde_util;
pub mod tasks;
pub mod time;
pub mod unit;
pub mod unit_import;
pub mod user;

pub use error::{DomainError, ErrorCode};
