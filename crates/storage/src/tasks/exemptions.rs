//! 容错免责 applications and incentives (表扬/激励).

use super::*;
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;

/// A 容错免责 application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exemption {
    pub id: i64,
    pub duty_id: i64,
    pub notice_id: Option<i64>,
    pub unit_id: i64,
    pub applicant: String,
    pub reason: String,
    pub conditions: Vec<luoshi_domain::tasks::Condition>,
    pub state: luoshi_domain::tasks::ExemptionState,
    pub decision_note: Option<String>,
    pub created_at: i64,
}

pub(super) fn exemption(r: &impl crate::rows::Fields) -> Result<Exemption> {
    Ok(Exemption {
        id: get_i64(r, "id")?,
        duty_id: get_i64(r, "duty_id")?,
        notice_id: get_opt_i64(r, "notice_id")?,
        unit_id: get_i64(r, "unit_id")?,
        applicant: get_str(r, "applicant")?,
        reason: get_str(r, "reason")?,
        conditions: serde_json::from_str(&get_str(r, "conditions_json")?).unwrap_or_default(),
        state: luoshi_domain::tasks::ExemptionState::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::invalid("state"))?,
        decision_note: get_opt_str(r, "decision_note")?,
        created_at: get_i64(r, "created_at")?,
    })
}

pub(super) const EXEMPT_COLS: &str = "id, duty_id, notice_id, unit_id, applicant, reason, conditions_json, state, decision_note, created_at";

/// A duty's applications, oldest first.
pub(super) const EXEMPTIONS: Part = Part { cols: EXEMPT_COLS, from: "exemptions WHERE duty_id = $1", order: "id" };

pub async fn exemptions_of(db: &Db, duty_id: i64) -> Result<Vec<Exemption>> {
    let rows = sqlx::query(&EXEMPTIONS.select()).bind(duty_id).fetch_all(db.pool()).await?;
    rows.iter().map(exemption).collect()
}

pub async fn open_exemptions(db: &Db) -> Result<Vec<Exemption>> {
    let rows = sqlx::query(&format!("SELECT {EXEMPT_COLS} FROM exemptions WHERE state IN ('applied', 'accepted', 'verified') ORDER BY id LIMIT 200"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(exemption).collect()
}

pub async fn get_exemption(db: &Db, id: i64) -> Result<Option<Exemption>> {
    let row = sqlx::query(&format!("SELECT {EXEMPT_COLS} FROM exemptions WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(exemption).transpose()
}

pub async fn apply_exemption(
    tx: &mut WriteTx,
    actor: &Actor,
    duty_id: i64,
    notice_id: Option<i64>,
    unit_id: i64,
    reason: &str,
    conditions: &[luoshi_domain::tasks::Condition],
) -> Result<i64> {
    let now = crate::now_micros();
    // One pending application per duty, checked in the writing transaction (writers are
    // serialised on SQLite; on PostgreSQL the duty row is locked first).
    if tx.backend() == crate::Backend::Postgres {
        sqlx::query("SELECT id FROM duties WHERE id = $1 FOR UPDATE").bind(duty_id).fetch_optional(tx.conn()).await?;
    }
    let pending = sqlx::query("SELECT id FROM exemptions WHERE duty_id = $1 AND state IN ('applied', 'accepted', 'verified') LIMIT 1")
        .bind(duty_id)
        .fetch_optional(tx.conn())
        .await?;
    if pending.is_some() {
        return Err(DomainError::field(ErrorCode::Duplicate, "exemption").into());
    }
    // The notice must be this task's (no database key: notices and exemptions are sharded by the duty).
    if let Some(n) = notice_id {
        let found =
            sqlx::query("SELECT id FROM notices WHERE ref_id = $1 AND kind = 'task' AND id = $2").bind(duty_id).bind(n).fetch_optional(tx.conn()).await?;
        if found.is_none() {
            return Err(DomainError::invalid("notice_id").into());
        }
    }
    let row = sqlx::query(
        "INSERT INTO exemptions (duty_id, notice_id, unit_id, applicant, reason, conditions_json, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7, $7) RETURNING id",
    )
    .bind(duty_id)
    .bind(notice_id)
    .bind(unit_id)
    .bind(&actor.name)
    .bind(reason)
    .bind(serde_json::to_string(conditions).unwrap_or_default())
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    event(
        tx,
        actor,
        duty_id,
        Some(unit_id),
        "exemption_apply",
        None,
        None,
        Some(reason),
        Some(serde_json::json!({ "exemption_id": id, "conditions": conditions })),
    )
    .await?;
    Ok(id)
}

/// Move an exemption along its procedure (the caller checked the step is allowed).
pub async fn exemption_step(
    tx: &mut WriteTx,
    actor: &Actor,
    e: &Exemption,
    to: luoshi_domain::tasks::ExemptionState,
    conditions: &[luoshi_domain::tasks::Condition],
    note: Option<&str>,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE exemptions SET state = $1, conditions_json = $2, decision_note = COALESCE($3, decision_note), updated_at = $4 WHERE id = $5 AND state = $6",
    )
    .bind(to.as_str())
    .bind(serde_json::to_string(conditions).unwrap_or_default())
    .bind(note.map(str::to_string))
    .bind(crate::now_micros())
    .bind(e.id)
    .bind(e.state.as_str())
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    let data = serde_json::json!({ "exemption_id": e.id, "from": e.state.as_str(), "to": to.as_str() });
    event(tx, actor, e.duty_id, Some(e.unit_id), &format!("exemption_{}", to.as_str()), None, None, note, Some(data)).await
}

/// An incentive record (表扬/激励).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incentive {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub user_id: Option<i64>,
    pub duty_id: Option<i64>,
    pub kind: String,
    pub reason: String,
    pub at: i64,
    pub by_actor: String,
}

pub async fn add_incentive(tx: &mut WriteTx, actor: &Actor, unit_id: i64, user_id: Option<i64>, duty_id: Option<i64>, kind: &str, reason: &str) -> Result<i64> {
    // The task must exist (no database key: the tasks are sharded, the incentives are not).
    if let Some(d) = duty_id {
        if sqlx::query("SELECT id FROM duties WHERE id = $1").bind(d).fetch_optional(tx.conn()).await?.is_none() {
            return Err(DomainError::invalid("duty_id").into());
        }
    }
    let row = sqlx::query("INSERT INTO incentives (unit_id, user_id, duty_id, kind, reason, at, by_actor) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(unit_id)
        .bind(user_id)
        .bind(duty_id)
        .bind(kind)
        .bind(reason)
        .bind(crate::now_micros())
        .bind(&actor.name)
        .fetch_one(tx.conn())
        .await
        .map_err(crate::unique_as("unit_id"))?;
    let id = get_i64(&row, "id")?;
    tx.audit(
        actor,
        "incentive.create",
        "incentive",
        &id.to_string(),
        None,
        Some(&serde_json::json!({ "unit_id": unit_id, "user_id": user_id, "duty_id": duty_id, "kind": kind, "reason": reason })),
    )
    .await?;
    Ok(id)
}

pub async fn incentives(db: &Db, limit: i64) -> Result<Vec<Incentive>> {
    let rows = sqlx::query("SELECT i.id, i.unit_id, u.name, i.user_id, i.duty_id, i.kind, i.reason, i.at, i.by_actor FROM incentives i JOIN units u ON u.id = i.unit_id ORDER BY i.at DESC LIMIT $1")
        .bind(limit.clamp(1, 500))
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Incentive {
                id: get_i64(r, "id")?,
                unit_id: get_i64(r, "unit_id")?,
                unit_name: get_str(r, "name")?,
                user_id: get_opt_i64(r, "user_id")?,
                duty_id: get_opt_i64(r, "duty_id")?,
                kind: get_str(r, "kind")?,
                reason: get_str(r, "reason")?,
                at: get_i64(r, "at")?,
                by_actor: get_str(r, "by_actor")?,
            })
        })
        .collect()
}
