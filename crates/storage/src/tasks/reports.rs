//! The figures of the monthly 通报: per-unit statistics, early closures, notices of a period.

use super::*;
use crate::{get_i64, get_str, Db, Result};

/// Per-owner-unit facts for a 通报 period `[from, to]` (dates): every task closed in the
/// period or still open at its end, with how it went.
pub async fn period_stats(db: &Db, from: &str, as_of: &str) -> Result<Vec<luoshi_domain::duty::UnitStats>> {
    // Everything is counted as it stood on `as_of` (the month's end, or today in the current
    // month): a task due later that day or month is not yet 逾期, one closed after it was open.
    let rows = sqlx::query(
        "SELECT d.owner_unit_id AS unit_id, u.name AS unit_name, COUNT(*) AS items, \
           CAST(SUM(CASE WHEN d.state = 'closed' AND d.closed_on <= $2 AND d.closed_on <= d.deadline THEN 1 ELSE 0 END) AS BIGINT) AS on_time, \
           CAST(SUM(CASE WHEN d.state = 'closed' AND d.closed_on <= $2 AND d.closed_on > d.deadline THEN 1 ELSE 0 END) AS BIGINT) AS late, \
           CAST(SUM(CASE WHEN (d.state <> 'closed' OR d.closed_on > $2) AND d.deadline < $2 THEN 1 ELSE 0 END) AS BIGINT) AS open_overdue, \
           CAST(SUM(CASE WHEN d.light = 'red' AND (d.state <> 'closed' OR d.closed_on > $2) THEN 1 ELSE 0 END) AS BIGINT) AS red, \
           CAST(SUM(d.returned_count) AS BIGINT) AS returned, \
           CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM exemptions e WHERE e.duty_id = d.id AND e.state = 'exempted') AND (d.state <> 'closed' OR d.closed_on > d.deadline) THEN 1 ELSE 0 END) AS BIGINT) AS exempted \
         FROM duties d JOIN units u ON u.id = d.owner_unit_id \
         WHERE d.state <> 'draft' AND d.deadline IS NOT NULL AND d.assigned_on <= $2 AND (d.state <> 'closed' OR d.closed_on >= $1) \
         GROUP BY d.owner_unit_id, u.name ORDER BY d.owner_unit_id",
    )
    .bind(from)
    .bind(as_of)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(luoshi_domain::duty::UnitStats {
                unit_id: get_i64(r, "unit_id")?,
                unit_name: get_str(r, "unit_name")?,
                items: get_i64(r, "items")?,
                closed_on_time: get_i64(r, "on_time")?,
                closed_late: get_i64(r, "late")?,
                open_overdue: get_i64(r, "open_overdue")?,
                red: get_i64(r, "red")?,
                returned: get_i64(r, "returned")?,
                exempted: get_i64(r, "exempted")?,
                ..Default::default()
            })
        })
        .collect()
}

/// Tasks closed early in the period (at least `early_days` calendar days before their
/// deadline), for praise in the report: (unit id, count).
pub async fn early_closures(db: &Db, from: &str, to: &str) -> Result<Vec<(i64, String, String, String)>> {
    let rows = sqlx::query(
        "SELECT d.owner_unit_id, d.title, d.closed_on, d.deadline FROM duties d WHERE d.state = 'closed' AND d.closed_on >= $1 AND d.closed_on <= $2 AND d.closed_on < d.deadline ORDER BY d.closed_on",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_i64(r, "owner_unit_id")?, get_str(r, "title")?, get_str(r, "closed_on")?, get_str(r, "deadline")?))).collect()
}

/// Notices raised in a period, by level and unit (for the report).
pub async fn notices_in(db: &Db, from: &str, to: &str) -> Result<Vec<Notice>> {
    let rows = sqlx::query(&format!(
        "SELECT {NOTICE_COLS} FROM {NOTICE_JOIN} WHERE n.kind = 'task' AND n.raised_on >= $1 AND n.raised_on <= $2 ORDER BY n.raised_on, n.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(notice).collect()
}
