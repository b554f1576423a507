//! 延期 of tasks: the core's requests (`duty::extensions`), the task's deadline moved on
//! approval, each step in the trail.

use super::*;
use crate::duty::extensions::{self as core, Ask};
use crate::{Actor, Db, Result, WriteTx};
use luoshi_domain::duty::Light;
use luoshi_domain::{DomainError, ErrorCode};

pub use crate::duty::extensions::Extension;

/// A deadline as shown and as a limit in µs.
fn limit(deadline: &str) -> (String, Option<i64>) {
    (deadline.to_string(), super::write::due_at(deadline))
}

pub async fn extensions(db: &Db, id: i64) -> Result<Vec<Extension>> {
    core::of(db, "task", id).await
}

pub async fn pending_extensions(db: &Db) -> Result<Vec<Extension>> {
    core::pending(db, "task", 200).await
}

pub async fn request_extension(tx: &mut WriteTx, actor: &Actor, d: &Duty, unit_id: i64, reason: &str, new_deadline: &str) -> Result<i64> {
    let old = d.deadline.clone().unwrap_or_default();
    let new = limit(new_deadline);
    let new_due = new.1.ok_or_else(|| DomainError::invalid("new_deadline"))?;
    let ask = Ask { kind: "task", ref_id: d.id, requester: &actor.name, reason, old: limit(&old), new: (new.0, new_due) };
    let ext = core::request(tx, &ask).await?;
    let data = serde_json::json!({ "extension_id": ext, "old_deadline": old, "new_deadline": new_deadline });
    event(tx, actor, d.id, Some(unit_id), "extension_request", None, None, Some(reason), Some(data)).await?;
    Ok(ext)
}

/// Approve or refuse a pending extension; approval moves the deadline (both stay in the trail).
pub async fn decide_extension(tx: &mut WriteTx, actor: &Actor, ext_id: i64, approve: bool, note: Option<&str>, light: Option<Light>) -> Result<Extension> {
    let ext = core::decide(tx, "task", ext_id, approve, &actor.name, note).await?;
    if approve {
        let n = sqlx::query(
            "UPDATE duties SET deadline = $1, due = $1, extension_count = extension_count + 1, light = COALESCE($2, light), updated_at = $3 WHERE id = $4",
        )
        .bind(&ext.new_deadline)
        .bind(light.map(|l| l.as_str()))
        .bind(crate::now_micros())
        .bind(ext.ref_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(DomainError::new(ErrorCode::Conflict).with_detail("task").into());
        }
        sync(tx, ext.ref_id, None).await?;
    }
    let data = serde_json::json!({ "extension_id": ext_id, "approved": approve, "old_deadline": ext.old_deadline, "new_deadline": ext.new_deadline });
    event(tx, actor, ext.ref_id, None, if approve { "extension_approve" } else { "extension_refuse" }, None, None, note, Some(data)).await?;
    Ok(ext)
}
