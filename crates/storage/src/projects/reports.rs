//! Monthly reports (月报): the lead unit reports each month's investment completed, funds put in
//! place, 形象进度 and problems, one report per project and month (a second replaces the first,
//! audited with both).

use crate::duty::trail;
use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::projects::Yuan;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// A month's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `YYYY-MM`.
    pub month: String,
    pub invested: Yuan,
    pub in_place: Yuan,
    pub progress: String,
    pub problems: String,
    pub reporter: String,
    pub reported_at: i64,
}

/// Keep a project's report for a month (replacing an earlier one), with its trail entry on the
/// project and its audit row.
pub async fn put(tx: &mut WriteTx, actor: &Actor, project_id: i64, r: &Report) -> Result<()> {
    let old = sqlx::query("SELECT invested_yuan, progress FROM project_reports WHERE project_id = $1 AND month = $2")
        .bind(project_id)
        .bind(&r.month)
        .fetch_optional(tx.conn())
        .await?
        .map(|row| Ok::<_, crate::StoreError>(serde_json::json!({ "invested_yuan": get_i64(&row, "invested_yuan")?, "progress": get_str(&row, "progress")? })))
        .transpose()?;
    sqlx::query("DELETE FROM project_reports WHERE project_id = $1 AND month = $2").bind(project_id).bind(&r.month).execute(tx.conn()).await?;
    sqlx::query(
        "INSERT INTO project_reports (project_id, month, invested_yuan, in_place_yuan, progress, problems, reporter, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(project_id)
    .bind(&r.month)
    .bind(r.invested.0)
    .bind(r.in_place.0)
    .bind(&r.progress)
    .bind(&r.problems)
    .bind(&r.reporter)
    .bind(r.reported_at)
    .execute(tx.conn())
    .await?;
    let amount = crate::duty::amounts::Amount { ref_id: project_id, period: &r.month, measure: "invested", value: r.invested.0 };
    crate::duty::amounts::set_many(tx, "project", &[amount]).await?;
    let note = format!("{} {}万元", r.month, r.invested.wan());
    let mut e = trail::Entry::step("project", project_id, r.reported_at, &actor.name, "report", None, "", Some(&note));
    e.to = None;
    trail::append(tx, &[e]).await?;
    let after = serde_json::json!({ "month": r.month, "invested_yuan": r.invested.0, "in_place_yuan": r.in_place.0, "progress": r.progress });
    tx.audit(actor, "project.report", "project", &project_id.to_string(), old.as_ref(), Some(&after)).await?;
    Ok(())
}

/// A project's reports, newest first.
pub(crate) const OF_PROJECT: crate::parts::Part = crate::parts::Part {
    cols: "month, invested_yuan, in_place_yuan, progress, problems, reporter, reported_at",
    from: "project_reports WHERE project_id = $1",
    order: "month DESC",
};

pub(crate) fn report(r: &impl crate::rows::Fields) -> Result<Report> {
    Ok(Report {
        month: get_str(r, "month")?,
        invested: Yuan(get_i64(r, "invested_yuan")?),
        in_place: Yuan(get_i64(r, "in_place_yuan")?),
        progress: get_str(r, "progress")?,
        problems: get_str(r, "problems")?,
        reporter: get_str(r, "reporter")?,
        reported_at: get_i64(r, "reported_at")?,
    })
}

pub async fn of_project(db: &Db, project_id: i64) -> Result<Vec<Report>> {
    sqlx::query(&OF_PROJECT.select()).bind(project_id).fetch_all(db.pool()).await?.iter().map(report).collect()
}

/// Investment completed per project in a year (months `YYYY-01`…`YYYY-12`), and funds put in
/// place over all time.
pub async fn sums(db: &Db, year: i32) -> Result<(HashMap<i64, Yuan>, HashMap<i64, Yuan>)> {
    let rows = sqlx::query(
        "SELECT project_id, CAST(SUM(CASE WHEN month >= $1 AND month <= $2 THEN invested_yuan ELSE 0 END) AS BIGINT) AS invested, CAST(SUM(in_place_yuan) AS BIGINT) AS in_place \
         FROM project_reports GROUP BY project_id",
    )
    .bind(format!("{year}-01"))
    .bind(format!("{year}-12"))
    .fetch_all(db.pool())
    .await?;
    let mut invested = HashMap::new();
    let mut in_place = HashMap::new();
    for r in rows {
        let id = get_i64(&r, "project_id")?;
        invested.insert(id, Yuan(get_i64(&r, "invested")?));
        in_place.insert(id, Yuan(get_i64(&r, "in_place")?));
    }
    Ok((invested, in_place))
}

/// The projects that reported for a month.
pub async fn reported(db: &Db, month: &str) -> Result<HashSet<i64>> {
    let rows = sqlx::query("SELECT project_id FROM project_reports WHERE month = $1").bind(month).fetch_all(db.pool()).await?;
    rows.iter().map(|r| get_i64(r, "project_id")).collect()
}
