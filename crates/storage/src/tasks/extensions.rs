//! 延期: extension requests of tasks and their decisions.

use super::*;
use crate::{get_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::Light;
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// An extension request (延期申请).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extension {
    pub id: i64,
    pub duty_id: i64,
    pub requester: String,
    pub requested_at: i64,
    pub reason: String,
    pub old_deadline: String,
    pub new_deadline: String,
    /// pending, approved or refused.
    pub state: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

pub(super) fn extension(r: &AnyRow) -> Result<Extension> {
    Ok(Extension {
        id: get_i64(r, "id")?,
        duty_id: get_i64(r, "duty_id")?,
        requester: get_str(r, "requester")?,
        requested_at: get_i64(r, "requested_at")?,
        reason: get_str(r, "reason")?,
        old_deadline: get_str(r, "old_deadline")?,
        new_deadline: get_str(r, "new_deadline")?,
        state: get_str(r, "state")?,
        decided_by: get_opt_str(r, "decided_by")?,
        decision_note: get_opt_str(r, "decision_note")?,
    })
}

pub(super) const EXT_COLS: &str = "id, duty_id, requester, requested_at, reason, old_deadline, new_deadline, state, decided_by, decision_note";

pub async fn extensions(db: &Db, id: i64) -> Result<Vec<Extension>> {
    let rows = sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE duty_id = $1 ORDER BY id")).bind(id).fetch_all(db.pool()).await?;
    rows.iter().map(extension).collect()
}

pub async fn pending_extensions(db: &Db) -> Result<Vec<Extension>> {
    let rows =
        sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE state = 'pending' ORDER BY requested_at LIMIT 200")).fetch_all(db.pool()).await?;
    rows.iter().map(extension).collect()
}

pub async fn request_extension(tx: &mut WriteTx, actor: &Actor, d: &Duty, unit_id: i64, reason: &str, new_deadline: &str) -> Result<i64> {
    let pending = sqlx::query("SELECT id FROM duty_extensions WHERE duty_id = $1 AND state = 'pending'").bind(d.id).fetch_optional(tx.conn()).await?;
    if pending.is_some() {
        return Err(DomainError::field(ErrorCode::Duplicate, "new_deadline").into());
    }
    let old = d.deadline.clone().unwrap_or_default();
    let row = sqlx::query(
        "INSERT INTO duty_extensions (duty_id, requester, requested_at, reason, old_deadline, new_deadline, state) VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id",
    )
    .bind(d.id)
    .bind(&actor.name)
    .bind(crate::now_micros())
    .bind(reason)
    .bind(&old)
    .bind(new_deadline)
    .fetch_one(tx.conn())
    .await?;
    let ext = get_i64(&row, "id")?;
    let data = serde_json::json!({ "extension_id": ext, "old_deadline": old, "new_deadline": new_deadline });
    event(tx, actor, d.id, Some(unit_id), "extension_request", None, None, Some(reason), Some(data)).await?;
    Ok(ext)
}

/// Approve or refuse a pending extension; approval moves the deadline (both stay in the trail).
pub async fn decide_extension(tx: &mut WriteTx, actor: &Actor, ext_id: i64, approve: bool, note: Option<&str>, light: Option<Light>) -> Result<Extension> {
    let row = sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE id = $1")).bind(ext_id).fetch_optional(tx.conn()).await?;
    let ext = row.as_ref().map(extension).transpose()?.ok_or_else(|| DomainError::not_found("extension"))?;
    let state = if approve { "approved" } else { "refused" };
    let n = sqlx::query("UPDATE duty_extensions SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5 AND state = 'pending'")
        .bind(state)
        .bind(&actor.name)
        .bind(crate::now_micros())
        .bind(note.map(str::to_string))
        .bind(ext_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    if approve {
        sqlx::query(
            "UPDATE duties SET deadline = $1, due = $1, extension_count = extension_count + 1, light = COALESCE($2, light), updated_at = $3 WHERE id = $4",
        )
        .bind(&ext.new_deadline)
        .bind(light.map(|l| l.as_str()))
        .bind(crate::now_micros())
        .bind(ext.duty_id)
        .execute(tx.conn())
        .await?;
        sync(tx, ext.duty_id, None).await?;
    }
    let data = serde_json::json!({ "extension_id": ext_id, "approved": approve, "old_deadline": ext.old_deadline, "new_deadline": ext.new_deadline });
    event(tx, actor, ext.duty_id, None, if approve { "extension_approve" } else { "extension_refuse" }, None, None, note, Some(data)).await?;
    let row = sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE id = $1")).bind(ext_id).fetch_one(tx.conn()).await?;
    extension(&row)
}
