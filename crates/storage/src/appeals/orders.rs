//! A work order's changes (saved only if its state and version are unchanged), reads by id
//! and code, and the trail.

use super::*;
use crate::{Actor, Db, Result, WriteTx};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;

/// Keep the work order's line in the record of duties, in the same transaction: its owner,
/// state, the core's phase, its limit and its light as of this change.
async fn record(tx: &mut WriteTx, a: &Appeal, now: i64) -> Result<()> {
    use luoshi_domain::appeals::{light, AppealFlow, Limits};
    let lit = light(a.state, a.due_at, a.rework_count, now, &Limits::default());
    // The cockpit counts an appeal by the citizen's rating and whether it was 重办.
    let line = crate::duty::Line::of::<AppealFlow>(a.id, a.state, None, now)
        .owner(a.owner_unit_id)
        .due(a.due_at, lit)
        .grade(Some(a.rating.as_deref().unwrap_or_default()))
        .flagged(a.rework_count > 0);
    crate::duty::put(tx, &line, None).await?;
    Ok(())
}

/// Save a changed work order: only if nobody changed its state meanwhile (else `conflict`);
/// the trail and the audit log get one row each.
pub async fn save(tx: &mut WriteTx, actor: &Actor, before: &Appeal, after: &Appeal, action: &str, note: Option<&str>, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE appeals SET state = $1, owner_unit_id = $2, due_at = $3, dispatched_at = $4, replied_at = $5, closed_at = $6, reply = $7, \
         rating = $8, rating_comment = $9, rework_count = $10, return_reason = $11, reject_reason = $12, ext_due = $13, ext_reason = $14, \
         extension_count = $15, duplicate_of = $16, urgency = $17, updated_at = $18 WHERE id = $19 AND state = $20 AND updated_at = $21",
    )
    .bind(after.state.as_str())
    .bind(after.owner_unit_id)
    .bind(after.due_at)
    .bind(after.dispatched_at)
    .bind(after.replied_at)
    .bind(after.closed_at)
    .bind(&after.reply)
    .bind(&after.rating)
    .bind(&after.rating_comment)
    .bind(after.rework_count)
    .bind(&after.return_reason)
    .bind(&after.reject_reason)
    // The two columns of the release before the core's extensions stay empty.
    .bind(None::<i64>)
    .bind(None::<String>)
    .bind(after.extension_count)
    .bind(after.duplicate_of)
    .bind(&after.urgency)
    .bind(now.max(before.updated_at + 1))
    .bind(before.id)
    .bind(before.state.as_str())
    .bind(before.updated_at)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(before.state.as_str().to_string()).into());
    }
    let from = (before.state != after.state).then_some(before.state);
    let to = (before.state != after.state).then_some(after.state);
    event(tx, actor, before.id, after.owner_unit_id, action, from, to, note, now).await?;
    record(tx, after, now).await?;
    tx.audit(
        actor,
        &format!("appeal.{action}"),
        "appeal",
        &before.id.to_string(),
        Some(&serde_json::json!({ "state": before.state.as_str(), "owner_unit_id": before.owner_unit_id, "due_at": before.due_at })),
        Some(&serde_json::json!({ "state": after.state.as_str(), "owner_unit_id": after.owner_unit_id, "due_at": after.due_at, "note": note, "digest": digest(after) })),
    )
    .await?;
    Ok(())
}

/// A page of work orders in id order (for the audit comparison).
pub(crate) async fn page_by_id(db: &Db, after_id: i64, limit: i64) -> Result<Vec<Appeal>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id > $1 ORDER BY a.id LIMIT $2")).bind(after_id).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(appeal).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Appeal>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(appeal).transpose()
}

pub async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Option<Appeal>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(appeal).transpose()
}

/// The work order with this tracking code: the code's own table first (one shard), then the order.
pub async fn by_code(db: &Db, code: &str) -> Result<Option<Appeal>> {
    let Some(r) = sqlx::query("SELECT appeal_id FROM appeal_codes WHERE code = $1").bind(code).fetch_optional(db.pool()).await? else { return Ok(None) };
    get(db, crate::get_i64(&r, "appeal_id")?).await
}

/// One row of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub at: i64,
    pub actor: String,
    pub unit_id: Option<i64>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
}

fn event_of(s: crate::duty::trail::Step) -> Event {
    Event { at: s.at, actor: s.actor, unit_id: s.unit_id, action: s.action, from_state: s.from_state, to_state: s.to_state, note: s.note }
}

pub async fn events(db: &Db, id: i64) -> Result<Vec<Event>> {
    Ok(crate::duty::trail::of(db, "appeal", id).await?.into_iter().map(event_of).collect())
}

/// The trails of many appeals in one query (a page of Open311 results with their history).
pub async fn events_of(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Event>>> {
    let steps = crate::duty::trail::of_many(db, "appeal", ids).await?;
    Ok(steps.into_iter().map(|(id, v)| (id, v.into_iter().map(event_of).collect())).collect())
}
