//! 容错免责 applications and their steps, and incentives.

use super::*;
use crate::{forbidden, ymd, Result, Who};
use chrono::NaiveDate;
use luoshi_domain::duty::NoticeLevel;
use luoshi_domain::tasks::{Condition, ExemptionState};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store};
use luoshi_storage::{units, Db};

/// Apply for 容错免责 on a task that slipped (its owner unit).
pub async fn apply_exemption(db: &Db, who: &Who, id: i64, reason: &str, conditions: &[Condition], today: NaiveDate) -> Result<i64> {
    let d = visible_task(db, who, id).await?;
    if !who.acts_for(&owner_path(db, &d).await?) {
        return Err(forbidden());
    }
    let notices = store::notices_of(db, id).await?;
    let passed = d.deadline.as_deref().is_some_and(|dl| dl < ymd(today).as_str());
    if notices.is_empty() && !passed {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    let reason = luoshi_domain::error::required_text("reason", reason, 2000)?;
    let conditions = normalise(conditions)?;
    let notice = notices.iter().rev().find(|n| n.level != NoticeLevel::Reminder).map(|n| n.id);
    let mut tx = db.begin_write().await?;
    let e = store::apply_exemption(&mut tx, &who.actor, id, notice, d.owner_unit_id, &reason, &conditions).await?;
    tx.commit().await?;
    Ok(e)
}

/// Keep the six known conditions, in order, each once.
pub(super) fn normalise(conditions: &[Condition]) -> Result<Vec<Condition>, DomainError> {
    let mut out = Vec::new();
    for (key, _, _) in luoshi_domain::tasks::EXEMPTION_CONDITIONS {
        let c = conditions.iter().find(|c| c.key == key).cloned().unwrap_or(Condition { key: key.to_string(), met: false, evidence: String::new() });
        let evidence = luoshi_domain::error::optional_text("conditions", &c.evidence, 1000)?.unwrap_or_default();
        out.push(Condition { key: key.to_string(), met: c.met, evidence });
    }
    Ok(out)
}

/// A step of the exemption procedure by the supervision office: `accept` (受理) or `reject`,
/// `verify` (核实, with the conditions as found), `decide` (集体认定: exempt or not).
/// `decide` takes the outcome: `exempted` (免责), `mitigated` (从轻减轻) or `not_exempted`; the last
/// two need their reasons in `note`.
pub async fn exemption_step(
    db: &Db,
    who: &Who,
    exemption_id: i64,
    step: &str,
    outcome: ExemptionState,
    conditions: Option<&[Condition]>,
    note: &str,
) -> Result<store::Exemption> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    let e = store::get_exemption(db, exemption_id).await?.ok_or_else(|| DomainError::not_found("exemption"))?;
    let conditions = match conditions {
        Some(c) => normalise(c)?,
        None => e.conditions.clone(),
    };
    use ExemptionState as E;
    let to = match (step, e.state) {
        ("accept", E::Applied) => E::Accepted,
        ("reject", E::Applied) => E::Rejected,
        ("verify", E::Accepted) => E::Verified,
        ("decide", E::Verified) if matches!(outcome, E::Exempted | E::Mitigated | E::NotExempted) => {
            luoshi_domain::tasks::check_exemption_decision(&conditions, outcome)?;
            outcome
        }
        ("decide", E::Verified) => return Err(DomainError::invalid("outcome").into()),
        (s, _) if !["accept", "reject", "verify", "decide"].contains(&s) => return Err(DomainError::invalid("step").into()),
        _ => return Err(DomainError::field(ErrorCode::Conflict, "exemption_state").with_detail(e.state.as_str().to_string()).into()),
    };
    let note = note.trim();
    if matches!(to, E::Rejected | E::NotExempted | E::Mitigated) && note.is_empty() {
        return Err(DomainError::required("note").into());
    }
    let mut tx = db.begin_write().await?;
    store::exemption_step(&mut tx, &who.actor, &e, to, &conditions, (!note.is_empty()).then_some(note)).await?;
    tx.commit().await?;
    store::get_exemption(db, exemption_id).await?.ok_or_else(|| DomainError::not_found("exemption").into())
}

/// Record praise or an incentive for a unit (and optionally a person), the supervision office.
pub async fn add_incentive(db: &Db, who: &Who, unit_id: i64, user_id: Option<i64>, duty_id: Option<i64>, kind: &str, reason: &str) -> Result<i64> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    if !["praise", "incentive"].contains(&kind) {
        return Err(DomainError::invalid("kind").into());
    }
    let reason = luoshi_domain::error::required_text("reason", reason, 1000)?;
    units::get(db, unit_id).await?.ok_or_else(|| DomainError::invalid("unit_id"))?;
    let mut tx = db.begin_write().await?;
    let id = store::add_incentive(&mut tx, &who.actor, unit_id, user_id, duty_id, kind, &reason).await?;
    tx.commit().await?;
    Ok(id)
}
