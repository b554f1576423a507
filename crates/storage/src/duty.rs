//! The record of duties (`duty_records`): every duty of every kind in the core's one shape, kept
//! in the same transaction as each change (tasks by triggers, appeals by their writers). The
//! boards, inboxes, counts and supervision run of every kind are to read it.

use crate::{get_i64, get_opt_i64, get_str, Db, Result};

/// One duty as the core sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    pub kind: String,
    pub ref_id: i64,
    pub owner_unit_id: Option<i64>,
    pub state: String,
    /// The core's phase (`luoshi_domain::duty::Phase`).
    pub phase: String,
    /// When the limit runs out (µs), once a clock runs.
    pub due_at: Option<i64>,
    /// The light as of the last change (or supervision run).
    pub light: String,
    pub title: String,
    /// Moves with every change: the optimistic-concurrency token of the core.
    pub version: i64,
    pub updated_at: i64,
}

/// A page of the record in (kind, id) order, after `after` (keyset paging).
pub async fn page(db: &Db, after: Option<(&str, i64)>, limit: i64) -> Result<Vec<Record>> {
    let (kind, id) = after.unwrap_or(("", i64::MIN));
    let rows = sqlx::query(
        "SELECT kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at FROM duty_records \
         WHERE kind > $1 OR (kind = $1 AND ref_id > $2) ORDER BY kind, ref_id LIMIT $3",
    )
    .bind(kind)
    .bind(id)
    .bind(limit.clamp(1, 5000))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Record {
                kind: get_str(r, "kind")?,
                ref_id: get_i64(r, "ref_id")?,
                owner_unit_id: get_opt_i64(r, "owner_unit_id")?,
                state: get_str(r, "state")?,
                phase: get_str(r, "phase")?,
                due_at: get_opt_i64(r, "due_at")?,
                light: get_str(r, "light")?,
                title: get_str(r, "title")?,
                version: get_i64(r, "version")?,
                updated_at: get_i64(r, "updated_at")?,
            })
        })
        .collect()
}
