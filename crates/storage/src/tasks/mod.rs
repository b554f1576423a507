//! 任务 (tasks) in the database: directives and their tasks with co-units, milestones, reports,
//! the trail, extensions, notices (the supervision ladder), exemptions, incentives and
//! attachments. One file per part; this one holds the task row as lists and pages show it.

use crate::parts::Part;
use crate::rows::Fields;
use crate::{get_f64, get_i64, get_opt_i64, get_opt_str, get_str, Result};
use luoshi_domain::duty::Light;
use luoshi_domain::tasks::{State, Term};
use luoshi_domain::DomainError;
use serde::Serialize;
use sqlx::any::AnyRow;

mod attachments;
mod board;
mod directives;
mod exemptions;
mod extensions;
mod page;
mod reports;
mod supervision;
mod write;

pub use attachments::*;
pub use board::*;
pub use directives::*;
pub use exemptions::*;
pub use extensions::*;
pub use page::*;
pub use reports::*;
pub use supervision::*;
pub use write::*;

/// A duty as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duty {
    pub id: i64,
    pub kind: String,
    pub directive_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub seq: Option<String>,
    pub title: String,
    pub measures: Option<String>,
    pub lead_leader_id: Option<i64>,
    pub lead_leader_name: Option<String>,
    pub owner_unit_id: i64,
    pub owner_unit_name: String,
    pub state: State,
    pub deadline: Option<String>,
    pub original_deadline: Option<String>,
    pub deadline_working_days: Option<i64>,
    pub term: Term,
    pub weight: f64,
    pub progress: f64,
    pub planned: f64,
    pub light: Light,
    pub assigned_on: Option<String>,
    pub closed_on: Option<String>,
    pub returned_count: i64,
    pub extension_count: i64,
    pub evaluation: Option<String>,
    pub evaluation_note: Option<String>,
    pub remarks: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const DUTY_COLS: &str = "d.id, d.kind, d.directive_id, d.parent_id, d.seq, d.title, d.measures, d.lead_leader_id, lu.display_name AS lead_leader_name, \
     d.owner_unit_id, ou.name AS owner_unit_name, d.state, d.deadline, d.original_deadline, d.deadline_working_days, d.term, d.weight, d.progress, \
     d.planned, d.light, d.assigned_on, d.closed_on, d.returned_count, d.extension_count, d.evaluation, d.evaluation_note, d.remarks, d.created_at, d.updated_at";
pub(super) const DUTY_FROM: &str = "duties d JOIN units ou ON ou.id = d.owner_unit_id LEFT JOIN users lu ON lu.id = d.lead_leader_id";

pub(super) fn duty(r: &AnyRow) -> Result<Duty> {
    let bad = |f: &str| DomainError::invalid(f);
    Ok(Duty {
        id: get_i64(r, "id")?,
        kind: get_str(r, "kind")?,
        directive_id: get_opt_i64(r, "directive_id")?,
        parent_id: get_opt_i64(r, "parent_id")?,
        seq: get_opt_str(r, "seq")?,
        title: get_str(r, "title")?,
        measures: get_opt_str(r, "measures")?,
        lead_leader_id: get_opt_i64(r, "lead_leader_id")?,
        lead_leader_name: get_opt_str(r, "lead_leader_name")?,
        owner_unit_id: get_i64(r, "owner_unit_id")?,
        owner_unit_name: get_str(r, "owner_unit_name")?,
        state: State::parse(&get_str(r, "state")?).ok_or_else(|| bad("state"))?,
        deadline: get_opt_str(r, "deadline")?,
        original_deadline: get_opt_str(r, "original_deadline")?,
        deadline_working_days: get_opt_i64(r, "deadline_working_days")?,
        term: Term::parse(&get_str(r, "term")?).ok_or_else(|| bad("term"))?,
        weight: get_f64(r, "weight")?,
        progress: get_f64(r, "progress")?,
        planned: get_f64(r, "planned")?,
        light: Light::parse(&get_str(r, "light")?).ok_or_else(|| bad("light"))?,
        assigned_on: get_opt_str(r, "assigned_on")?,
        closed_on: get_opt_str(r, "closed_on")?,
        returned_count: get_i64(r, "returned_count")?,
        extension_count: get_i64(r, "extension_count")?,
        evaluation: get_opt_str(r, "evaluation")?,
        evaluation_note: get_opt_str(r, "evaluation_note")?,
        remarks: get_opt_str(r, "remarks")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}
