//! Moving a project along its pipeline: each move dated (the day it happened, not after today,
//! not before the stage it leaves began), a move later than planned (签约, 开工, 投产) kept as a
//! deviation and refused without its written reason, 暂停 and 终止 always with one.

use super::{light_of, next_due, seen, sides};
use crate::{forbidden, ymd, Result, Who};
use luoshi_domain::duty::{may_given, Workflow};
use luoshi_domain::projects::flow::needs_reason;
use luoshi_domain::projects::{ProjectFacts, ProjectFlow, Stage, StageAction};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::projects::{self as store, Change, Project};
use luoshi_storage::Db;
use serde::Deserialize;

/// A move as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MoveInput {
    #[serde(default)]
    pub action: String,
    /// The day it happened (today when empty).
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub version: Option<i64>,
}

/// What the row knows that the workflow asks.
pub(crate) fn known(p: &Project) -> ProjectFacts {
    ProjectFacts { paused_from: p.paused_from }
}

/// Move a project; the project as saved.
pub async fn act(db: &Db, who: &Who, id: i64, input: &MoveInput, now: i64) -> Result<Project> {
    let today = luoshi_domain::time::local_date(now);
    // The record first: an id the caller may not see is not found, whatever the input.
    let (before, paths) = seen(db, who, id, today).await?;
    let action = StageAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action"))?;
    let on = if input.happened_on.trim().is_empty() { today } else { crate::date_bounds(db, today).await?.parse("happened_on", &input.happened_on)? };
    let reason = input.reason.trim();
    if reason.chars().count() > 500 {
        return Err(DomainError::field(ErrorCode::TooLong, "reason").into());
    }
    if !may_given::<ProjectFlow>(before.stage, &sides(who, &before, &paths), &known(&before)).contains(&action) {
        return Err(if sides(who, &before, &paths).is_empty() {
            forbidden()
        } else {
            DomainError::field(ErrorCode::Conflict, "stage").with_detail(before.stage.as_str()).into()
        });
    }
    if input.version.is_some_and(|v| v != before.version) {
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("version").into());
    }
    if on > today {
        return Err(DomainError::field(ErrorCode::OutOfRange, "happened_on").with_detail(ymd(today)).into());
    }
    if ymd(on) < before.stage_since {
        return Err(DomainError::field(ErrorCode::OutOfRange, "happened_on").with_detail(before.stage_since.clone()).into());
    }
    if needs_reason(action) && reason.is_empty() {
        return Err(DomainError::required("reason").into());
    }
    let to = ProjectFlow::apply(action, before.stage, &known(&before))?;
    let mut after = before.clone();
    after.stage = to;
    after.stage_since = ymd(on);
    if to.rank() > after.reached.rank() {
        after.reached = to;
    }
    let day = Some(ymd(on));
    let planned = match action {
        StageAction::Sign => {
            after.signed_on = day.clone();
            before.planned_sign_on.clone().map(|p| ("signed_on", p))
        }
        StageAction::Land => {
            after.landed_on = day.clone();
            None
        }
        StageAction::Start => {
            after.started_on = day.clone();
            before.planned_start_on.clone().map(|p| ("started_on", p))
        }
        StageAction::Complete => {
            after.completed_on = day.clone();
            before.planned_complete_on.clone().map(|p| ("completed_on", p))
        }
        StageAction::Pause => {
            after.paused_from = Some(before.stage);
            None
        }
        StageAction::Resume => {
            after.paused_from = None;
            None
        }
        StageAction::Terminate => {
            after.end_reason = Some(reason.to_string());
            None
        }
        StageAction::Build => None,
    };
    // Later than planned: a deviation, with its reason.
    let late = planned.filter(|(_, p)| ymd(on) > *p);
    if late.is_some() && reason.is_empty() {
        return Err(DomainError::required("reason").with_detail("late").into());
    }
    after.light = light_of(db, &after, today).await?.0.as_str().to_string();
    let mut tx = db.begin_write().await?;
    if let Some((field, p)) = late {
        store::add_change(&mut tx, id, &who.actor, &Change { field, old_value: p, new_value: ymd(on), reason: reason.to_string() }, now).await?;
    }
    store::save(&mut tx, &who.actor, &before, &after, action.as_str(), (!reason.is_empty()).then_some(reason), next_due(&after), now).await?;
    tx.commit().await?;
    Ok(store::get(db, id).await?.unwrap_or(after))
}

/// The pipeline's stages in order, for a timeline: (stage, planned, actual).
pub fn timeline(p: &Project) -> Vec<(Stage, Option<String>, Option<String>)> {
    vec![
        (Stage::Signed, p.planned_sign_on.clone(), p.signed_on.clone()),
        (Stage::Landing, None, p.landed_on.clone()),
        (Stage::Started, p.planned_start_on.clone(), p.started_on.clone()),
        (Stage::Operating, p.planned_complete_on.clone(), p.completed_on.clone()),
    ]
}
