//! 应急协同: plans with their matrix ([`plans`]), the duty roster ([`roster`]), incidents from
//! 接报 to 终报 ([`incidents`]) with the activations that fan out into assignments for every
//! named unit and the townships' own plans ([`activation`]), the assignments themselves
//! ([`assignments`]), resources ([`resources`]) and warnings as CAP 1.2 messages
//! ([`warnings`]).
//!
//! Who commands: the supervision office and administrators, the county's leaders, and the
//! people of the incident's command unit (应急管理局 by default: rule `emergencies.office`).
//! A unit's people see the incidents that assign them (or happen in their township) and act
//! on their own assignments.

pub mod activation;
pub mod assignments;
pub mod exchange;
pub mod incidents;
pub mod plans;
pub mod report_up;
pub mod resources;
pub mod roster;
pub mod warnings;

use crate::{Result, RulesInForce, Who};
use chrono::NaiveDate;
use luoshi_domain::emergencies::{Lead, Level};
use luoshi_domain::time::{shanghai, to_micros};
use luoshi_domain::unit::Unit;
use luoshi_domain::user::Role;
use luoshi_domain::DomainError;
use luoshi_storage::Db;

/// The county's emergency office (应急管理局): the unit named by the rule, else the one whose
/// name ends with 应急管理局.
pub async fn office(db: &Db, day: NaiveDate) -> Result<Unit> {
    let name = RulesInForce::load(db, day).await?.text("emergencies.office").unwrap_or_else(|| "应急管理局".into());
    crate::unit_named(db, &name, "emergencies.office").await
}

/// Does the caller command for the unit at `command_path` (the office, the supervision
/// office, the county's leaders, administrators, the system)?
pub fn commands(who: &Who, command_path: &str) -> bool {
    who.is_supervisor() || who.role == Some(Role::Leader) || who.acts_for(command_path)
}

/// Who leads a response at a level, by the rules in force.
pub fn lead_of(rules: &RulesInForce, level: Level) -> Lead {
    let default = match level {
        Level::I | Level::II => Lead::Province,
        Level::III => Lead::City,
        Level::IV => Lead::County,
    };
    rules.text(&format!("emergencies.lead.level_{}", level.number())).and_then(|t| Lead::parse(&t)).unwrap_or(default)
}

/// A local time as typed (`YYYY-MM-DD HH:MM`, or with a `T`) in µs.
pub fn local_time(field: &str, text: &str) -> std::result::Result<i64, DomainError> {
    let t = text.trim().replace('T', " ");
    let t = if t.len() == 19 { t[..16].to_string() } else { t };
    let local = chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M").map_err(|_| DomainError::invalid(field))?;
    let at = local.and_local_timezone(shanghai()).single().ok_or_else(|| DomainError::invalid(field))?;
    Ok(to_micros(at.with_timezone(&chrono::Utc)))
}

/// Minutes as typed: 1 to 10,080 (a week).
pub fn minutes(field: &str, v: i64) -> std::result::Result<i64, DomainError> {
    if (1..=10_080).contains(&v) {
        Ok(v)
    } else {
        Err(DomainError::field(luoshi_domain::ErrorCode::OutOfRange, field).with_detail(v.to_string()))
    }
}
