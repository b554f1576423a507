//! 延期: extension requests of every kind of duty, in the core's one table — asked (one pending
//! at a time), decided once (the guard on the pending state). The kind moves its own limit on
//! approval and writes its trail entry and audit row in the same transaction.

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Db, Result, WriteTx};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;

/// An extension request (延期申请).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extension {
    pub id: i64,
    pub kind: String,
    pub ref_id: i64,
    /// The task's id, as the tasks' answers have always named it (= `ref_id`).
    pub duty_id: i64,
    pub requester: String,
    pub requested_at: i64,
    pub reason: String,
    /// The limits as shown (`YYYY-MM-DD`) and in µs.
    pub old_deadline: String,
    pub new_deadline: String,
    pub old_due_at: Option<i64>,
    pub new_due_at: Option<i64>,
    /// pending, approved or refused.
    pub state: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

const COLS: &str = "id, kind, ref_id, requester, requested_at, reason, old_deadline, new_deadline, old_due_at, new_due_at, state, decided_by, decision_note";

/// A duty's requests, oldest first: `$1` its id, `$2` its kind.
pub(crate) const OF_DUTY: crate::parts::Part = crate::parts::Part { cols: COLS, from: "duty_extensions WHERE ref_id = $1 AND kind = $2", order: "id" };

pub(crate) fn extension(r: &impl crate::rows::Fields) -> Result<Extension> {
    let ref_id = get_i64(r, "ref_id")?;
    Ok(Extension {
        id: get_i64(r, "id")?,
        kind: get_str(r, "kind")?,
        ref_id,
        duty_id: ref_id,
        requester: get_str(r, "requester")?,
        requested_at: get_i64(r, "requested_at")?,
        reason: get_str(r, "reason")?,
        old_deadline: get_str(r, "old_deadline")?,
        new_deadline: get_str(r, "new_deadline")?,
        old_due_at: get_opt_i64(r, "old_due_at")?,
        new_due_at: get_opt_i64(r, "new_due_at")?,
        state: get_str(r, "state")?,
        decided_by: get_opt_str(r, "decided_by")?,
        decision_note: get_opt_str(r, "decision_note")?,
    })
}

/// What a request asks: the limit now and the one wanted, each as shown and in µs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask<'a> {
    pub kind: &'a str,
    pub ref_id: i64,
    pub requester: &'a str,
    pub reason: &'a str,
    pub old: (String, Option<i64>),
    pub new: (String, i64),
}

/// File a request; a second while one is pending is refused (`duplicate` on `new_deadline`).
pub async fn request(tx: &mut WriteTx, a: &Ask<'_>) -> Result<i64> {
    let pending = sqlx::query("SELECT id FROM duty_extensions WHERE kind = $1 AND ref_id = $2 AND state = 'pending'")
        .bind(a.kind)
        .bind(a.ref_id)
        .fetch_optional(tx.conn())
        .await?;
    if pending.is_some() {
        return Err(DomainError::field(ErrorCode::Duplicate, "new_deadline").into());
    }
    let row = sqlx::query(
        "INSERT INTO duty_extensions (kind, ref_id, requester, requested_at, reason, old_deadline, new_deadline, old_due_at, new_due_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending') RETURNING id",
    )
    .bind(a.kind)
    .bind(a.ref_id)
    .bind(a.requester)
    .bind(crate::now_micros())
    .bind(a.reason)
    .bind(&a.old.0)
    .bind(&a.new.0)
    .bind(a.old.1)
    .bind(a.new.1)
    .fetch_one(tx.conn())
    .await?;
    get_i64(&row, "id")
}

/// Approve or refuse a pending request of this kind, once (`conflict` if already decided).
pub async fn decide(tx: &mut WriteTx, kind: &str, id: i64, approve: bool, by: &str, note: Option<&str>) -> Result<Extension> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM duty_extensions WHERE id = $1 AND kind = $2")).bind(id).bind(kind).fetch_optional(tx.conn()).await?;
    row.as_ref().map(extension).transpose()?.ok_or_else(|| DomainError::not_found("extension"))?;
    let n = sqlx::query("UPDATE duty_extensions SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5 AND state = 'pending'")
        .bind(if approve { "approved" } else { "refused" })
        .bind(by)
        .bind(crate::now_micros())
        .bind(note)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    let row = sqlx::query(&format!("SELECT {COLS} FROM duty_extensions WHERE id = $1")).bind(id).fetch_one(tx.conn()).await?;
    extension(&row)
}

/// A duty's requests, oldest first.
pub async fn of(db: &Db, kind: &str, ref_id: i64) -> Result<Vec<Extension>> {
    let rows = sqlx::query(&OF_DUTY.select()).bind(ref_id).bind(kind).fetch_all(db.pool()).await?;
    rows.iter().map(extension).collect()
}

/// The pending request of a duty, if any.
pub async fn pending_of(db: &Db, kind: &str, ref_id: i64) -> Result<Option<Extension>> {
    Ok(of(db, kind, ref_id).await?.into_iter().find(|e| e.state == "pending"))
}

/// Requests of a kind waiting for a decision, oldest first.
pub async fn pending(db: &Db, kind: &str, limit: i64) -> Result<Vec<Extension>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM duty_extensions WHERE kind = $1 AND state = 'pending' ORDER BY requested_at, id LIMIT $2"))
        .bind(kind)
        .bind(limit.clamp(1, 1000))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(extension).collect()
}
