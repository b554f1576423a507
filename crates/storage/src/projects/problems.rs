//! 问题协调: problems raised on a project (land, power, finance, approvals), each handed to the
//! responsible unit as a task with a deadline (the task's id kept here; the task is the duty).

use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use serde::Serialize;

/// A problem as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub id: i64,
    pub project_id: i64,
    /// `land`, `power`, `finance`, `approval`, `other`.
    pub kind: String,
    pub text: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub due_on: String,
    pub task_id: Option<i64>,
    pub raised_by: String,
    pub raised_at: i64,
}

/// A problem to raise.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub kind: String,
    pub text: String,
    pub unit_id: i64,
    pub due_on: String,
}

/// Raise a problem on a project (its task is made in the same transaction by the caller).
pub async fn insert(tx: &mut WriteTx, actor: &Actor, project_id: i64, p: &NewProblem, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO project_problems (project_id, kind, text, unit_id, due_on, raised_by, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(project_id)
    .bind(&p.kind)
    .bind(&p.text)
    .bind(p.unit_id)
    .bind(&p.due_on)
    .bind(&actor.name)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let after = serde_json::json!({ "project_id": project_id, "kind": p.kind, "unit_id": p.unit_id, "due_on": p.due_on });
    tx.audit(actor, "project.problem", "project", &project_id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

/// Name the task a problem became.
pub async fn set_task(tx: &mut WriteTx, project_id: i64, id: i64, task_id: i64) -> Result<()> {
    sqlx::query("UPDATE project_problems SET task_id = $1 WHERE project_id = $2 AND id = $3")
        .bind(task_id)
        .bind(project_id)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A project's problems, newest first.
pub(crate) const OF_PROJECT: crate::parts::Part = crate::parts::Part {
    cols: "p.id, p.project_id, p.kind, p.text, p.unit_id, u.name AS unit_name, p.due_on, p.task_id, p.raised_by, p.raised_at",
    from: "project_problems p JOIN units u ON u.id = p.unit_id WHERE p.project_id = $1",
    order: "p.id DESC",
};

pub(crate) fn problem(r: &impl crate::rows::Fields) -> Result<Problem> {
    Ok(Problem {
        id: get_i64(r, "id")?,
        project_id: get_i64(r, "project_id")?,
        kind: get_str(r, "kind")?,
        text: get_str(r, "text")?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        due_on: get_str(r, "due_on")?,
        task_id: get_opt_i64(r, "task_id")?,
        raised_by: get_str(r, "raised_by")?,
        raised_at: get_i64(r, "raised_at")?,
    })
}

pub async fn of_project(db: &Db, project_id: i64) -> Result<Vec<Problem>> {
    sqlx::query(&OF_PROJECT.select()).bind(project_id).fetch_all(db.pool()).await?.iter().map(problem).collect()
}
