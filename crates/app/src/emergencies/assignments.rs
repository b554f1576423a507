//! An emergency assignment acted on: the unit signs for it, reports (首报, 续报) and reports
//! its part done; the command confirms, sends back or stands it down. Each report moves the
//! next one's limit on by the follow-up interval; each change is logged on the incident (态势),
//! in the duty's trail and the audit log, in one transaction.

use super::commands;
use crate::{forbidden, Result, Who};
use luoshi_domain::duty::{may as may_now, Workflow};
use luoshi_domain::emergencies::assignment::{next_due, Limits};
use luoshi_domain::emergencies::{AssignmentAction, AssignmentFlow, AssignmentSide};
use luoshi_domain::error::optional_text;
use luoshi_domain::DomainError;
use luoshi_storage::duty::trail::{self, Step};
use luoshi_storage::emergencies::assignments::{self as store, Assignment};
use luoshi_storage::emergencies::incidents::{self as incidents, Incident};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

/// An assignment's page.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentView {
    pub assignment: Assignment,
    pub incident: Incident,
    pub trail: Vec<Step>,
    pub may: Vec<AssignmentAction>,
}

async fn seen(db: &Db, who: &Who, id: i64) -> Result<(Assignment, Incident, Vec<AssignmentSide>)> {
    let a = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("assignment"))?;
    let i = incidents::get(db, a.incident_id).await?.ok_or_else(|| DomainError::not_found("assignment"))?;
    let unit = units::get(db, a.unit_id).await?.map(|u| u.path).unwrap_or_default();
    let command = units::get(db, i.command_unit_id).await?.map(|u| u.path).unwrap_or_default();
    let mut sides = Vec::new();
    if who.role.is_none() || who.acts_for(&unit) {
        sides.push(AssignmentSide::Unit);
    }
    if commands(who, &command) {
        sides.push(AssignmentSide::Command);
    }
    if sides.is_empty() {
        return Err(DomainError::not_found("assignment").into());
    }
    Ok((a, i, sides))
}

pub async fn view(db: &Db, who: &Who, id: i64) -> Result<AssignmentView> {
    let (a, i, sides) = seen(db, who, id).await?;
    Ok(AssignmentView { may: may_now::<AssignmentFlow>(a.state, &sides), trail: trail::of(db, AssignmentFlow::KIND, id).await?, assignment: a, incident: i })
}

/// An action on an assignment, as entered (a report carries its text).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssignmentActInput {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub text: String,
}

pub async fn act(db: &Db, who: &Who, id: i64, input: &AssignmentActInput, now: i64) -> Result<AssignmentView> {
    let (a, i, sides) = seen(db, who, id).await?;
    let action = AssignmentAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action"))?;
    let state = AssignmentFlow::apply(action, a.state, &())?;
    if !sides.contains(&AssignmentFlow::side(action)) {
        return Err(forbidden());
    }
    let text = optional_text("text", &input.text, 2000)?;
    let needs_text = matches!(action, AssignmentAction::Report | AssignmentAction::Finish | AssignmentAction::Reopen | AssignmentAction::StandDown);
    if needs_text && text.is_none() {
        return Err(DomainError::required("text").into());
    }
    let limits = Limits { sign_minutes: a.sign_minutes, first_report_minutes: a.first_report_minutes, followup_minutes: a.followup_minutes };
    let mut after = Assignment { state, updated_at: now, due_at: next_due(state, a.assigned_at, now, &limits), ..a.clone() };
    match action {
        AssignmentAction::Sign => after.signed_at = Some(now),
        AssignmentAction::Report | AssignmentAction::Finish => {
            after.reports += 1;
            after.last_report_at = Some(now);
            after.last_report = text.clone();
        }
        AssignmentAction::StandDown => after.end_reason = text.clone(),
        AssignmentAction::Confirm | AssignmentAction::Reopen => {}
    }
    // The log says which report this was: 首报 for the first, 续报 after it.
    let what = match action {
        AssignmentAction::Report if a.reports == 0 => "first_report",
        AssignmentAction::Report => "followup_report",
        other => other.as_str(),
    };
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &i.title, &a, &after, action.as_str(), text.as_deref(), now).await?;
    incidents::log(&mut tx, i.id, now, &who.actor.name, what, Some(a.unit_id), Some(a.id), text.as_deref()).await?;
    let d = |x: &Assignment| serde_json::json!({ "state": x.state.as_str(), "reports": x.reports, "due_at": x.due_at });
    tx.audit(&who.actor, &format!("emergency_task.{}", action.as_str()), "emergency_task", &id.to_string(), Some(&d(&a)), Some(&d(&after))).await?;
    tx.commit().await?;
    view(db, who, id).await
}
