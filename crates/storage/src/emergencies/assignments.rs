//! 应急任务: what an activation hands each unit, a duty on a minute clock. The fan-out of an
//! activation is written in a few statements per 500 assignments (the rows, their duty lines
//! and sight, their trail entries); a stand-down closes every open one of an incident the same way.

use super::light_now;
use crate::duty::{self, trail, Line};
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::{Phase, Workflow};
use luoshi_domain::emergencies::{AssignmentFlow, AssignmentState};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// An assignment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: i64,
    pub incident_id: i64,
    pub activation_id: i64,
    pub seq: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// The unit whose own plan handed this out (a township for its villages).
    pub parent_unit_id: Option<i64>,
    pub role: String,
    pub task: String,
    /// The person on duty it went to first, and how to reach them.
    pub addressee: String,
    pub addressee_phone: String,
    pub state: AssignmentState,
    pub sign_minutes: i64,
    pub first_report_minutes: i64,
    pub followup_minutes: i64,
    pub assigned_at: i64,
    pub due_at: Option<i64>,
    pub signed_at: Option<i64>,
    pub last_report_at: Option<i64>,
    pub reports: i64,
    pub last_report: Option<String>,
    pub end_reason: Option<String>,
    pub updated_at: i64,
}

const COLS: &str = "a.id, a.incident_id, a.activation_id, a.seq, a.plan_id, a.unit_id, u.name AS unit_name, a.parent_unit_id, a.role, a.task, a.addressee, \
     a.addressee_phone, a.state, a.sign_minutes, a.first_report_minutes, a.followup_minutes, a.assigned_at, a.due_at, a.signed_at, a.last_report_at, a.reports, \
     a.last_report, a.end_reason, a.updated_at";
const FROM: &str = "FROM emergency_assignments a JOIN units u ON u.id = a.unit_id";

fn assignment(r: &AnyRow) -> Result<Assignment> {
    Ok(Assignment {
        id: get_i64(r, "id")?,
        incident_id: get_i64(r, "incident_id")?,
        activation_id: get_i64(r, "activation_id")?,
        seq: get_i64(r, "seq")?,
        plan_id: get_i64(r, "plan_id")?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        parent_unit_id: get_opt_i64(r, "parent_unit_id")?,
        role: get_str(r, "role")?,
        task: get_str(r, "task")?,
        addressee: get_str(r, "addressee")?,
        addressee_phone: get_str(r, "addressee_phone")?,
        state: AssignmentState::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("assignment state"))?,
        sign_minutes: get_i64(r, "sign_minutes")?,
        first_report_minutes: get_i64(r, "first_report_minutes")?,
        followup_minutes: get_i64(r, "followup_minutes")?,
        assigned_at: get_i64(r, "assigned_at")?,
        due_at: get_opt_i64(r, "due_at")?,
        signed_at: get_opt_i64(r, "signed_at")?,
        last_report_at: get_opt_i64(r, "last_report_at")?,
        reports: get_i64(r, "reports")?,
        last_report: get_opt_str(r, "last_report")?,
        end_reason: get_opt_str(r, "end_reason")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Assignment>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(assignment).transpose()
}

/// Every assignment of an incident, by activation and order.
pub async fn of_incident(db: &Db, incident_id: i64) -> Result<Vec<Assignment>> {
    let rows =
        sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.incident_id = $1 ORDER BY a.activation_id, a.seq")).bind(incident_id).fetch_all(db.pool()).await?;
    rows.iter().map(assignment).collect()
}

/// How many assignments of an incident stand in a state, and how many of them are past their
/// limit or within `soon` of it at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub state: AssignmentState,
    pub total: i64,
    pub late: i64,
    pub soon: i64,
}

/// The incident's assignments counted by state (one indexed pass in the database).
pub async fn tally(db: &Db, incident_id: i64, now: i64, soon: i64) -> Result<Vec<Tally>> {
    let rows = sqlx::query(
        "SELECT state, COUNT(*) AS n, SUM(CASE WHEN due_at < $2 THEN 1 ELSE 0 END) AS late,          SUM(CASE WHEN due_at >= $2 AND due_at < $3 THEN 1 ELSE 0 END) AS soon          FROM emergency_assignments WHERE incident_id = $1 GROUP BY state",
    )
    .bind(incident_id)
    .bind(now)
    .bind(now + soon)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Tally> = rows
        .iter()
        .map(|r| {
            Ok(Tally {
                state: AssignmentState::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("assignment state"))?,
                total: get_i64(r, "n")?,
                // PostgreSQL sums as NUMERIC: cast back in the query.
                late: get_opt_i64(r, "late")?.unwrap_or(0),
                soon: get_opt_i64(r, "soon")?.unwrap_or(0),
            })
        })
        .collect::<Result<_>>()?;
    out.sort_by_key(|t| AssignmentState::ALL.iter().position(|s| *s == t.state));
    Ok(out)
}

/// The most urgent assignments of an incident: the open ones soonest limit first (the late at
/// the top), then those awaiting confirmation, then the ended; at most `limit`.
pub async fn urgent(db: &Db, incident_id: i64, limit: i64) -> Result<Vec<Assignment>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} {FROM} WHERE a.incident_id = $1          ORDER BY CASE WHEN a.state IN ('assigned', 'signed', 'reporting') THEN 0 WHEN a.state = 'done' THEN 1 ELSE 2 END, COALESCE(a.due_at, {}), a.id LIMIT $2",
        duty::NO_LIMIT
    ))
    .bind(incident_id)
    .bind(limit.clamp(1, 5000))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(assignment).collect()
}

/// How many assignments each activation of the incident handed out.
pub async fn per_activation(db: &Db, incident_id: i64) -> Result<std::collections::HashMap<i64, i64>> {
    let rows = sqlx::query("SELECT activation_id, COUNT(*) AS n FROM emergency_assignments WHERE incident_id = $1 GROUP BY activation_id")
        .bind(incident_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok((get_i64(r, "activation_id")?, get_i64(r, "n")?))).collect()
}

/// The incidents with an assignment for a unit under `path` (one query for a whole list).
pub async fn incidents_under(db: &Db, path: &str) -> Result<std::collections::HashSet<i64>> {
    let rows = sqlx::query("SELECT DISTINCT a.incident_id FROM emergency_assignments a JOIN units u ON u.id = a.unit_id WHERE u.path LIKE $1")
        .bind(format!("{path}%"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| get_i64(r, "incident_id")).collect()
}

/// Does an assignment of the incident go to a unit under `path`?
pub async fn assigns_under(db: &Db, incident_id: i64, path: &str) -> Result<bool> {
    let row = sqlx::query("SELECT a.id FROM emergency_assignments a JOIN units u ON u.id = a.unit_id WHERE a.incident_id = $1 AND u.path LIKE $2 LIMIT 1")
        .bind(incident_id)
        .bind(format!("{path}%"))
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// The title an assignment shows in inboxes: the incident's and the task's.
fn title(incident_title: &str, task: &str) -> String {
    let t: String = task.chars().take(40).collect();
    format!("{incident_title}：{t}")
}

/// Write an activation's assignments (state `assigned`, each with its sign-in limit), their
/// duty lines and sight, and a trail entry each; their ids in the order given.
pub async fn insert_many(tx: &mut WriteTx, actor: &Actor, incident_title: &str, rows: &[Assignment], now: i64) -> Result<Vec<i64>> {
    let mut ids = vec![0_i64; rows.len()];
    let index: std::collections::HashMap<i64, usize> = rows.iter().enumerate().map(|(i, a)| (a.seq, i)).collect();
    for chunk in rows.chunks(400) {
        let sql = format!(
            "INSERT INTO emergency_assignments (incident_id, activation_id, seq, plan_id, unit_id, parent_unit_id, role, task, addressee, addressee_phone, state, \
             sign_minutes, first_report_minutes, followup_minutes, assigned_at, due_at, reports, updated_at) VALUES {} RETURNING id, seq",
            crate::values(tx.backend(), chunk.len(), 18)
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            q = q
                .bind(a.incident_id)
                .bind(a.activation_id)
                .bind(a.seq)
                .bind(a.plan_id)
                .bind(a.unit_id)
                .bind(a.parent_unit_id)
                .bind(&a.role)
                .bind(&a.task)
                .bind(&a.addressee)
                .bind(&a.addressee_phone)
                .bind(a.state.as_str())
                .bind(a.sign_minutes)
                .bind(a.first_report_minutes)
                .bind(a.followup_minutes)
                .bind(a.assigned_at)
                .bind(a.due_at)
                .bind(0_i64)
                .bind(now);
        }
        // The ids come back with each row's order number (RETURNING keeps no promised order).
        for r in q.fetch_all(tx.conn()).await? {
            let at = index.get(&get_i64(&r, "seq")?).copied().ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("assignment order"))?;
            ids[at] = get_i64(&r, "id")?;
        }
    }
    let titles: Vec<String> = rows.iter().map(|a| title(incident_title, &a.task)).collect();
    let lines: Vec<Line<'_>> = rows
        .iter()
        .zip(&ids)
        .zip(&titles)
        .map(|((a, id), t)| {
            Line::of::<AssignmentFlow>(*id, a.state, Some(t.as_str()), now).owner(Some(a.unit_id)).due(a.due_at, light_now(Phase::Running, a.due_at, now))
        })
        .collect();
    duty::insert_many(tx, &lines).await?;
    let entries: Vec<trail::Entry<'_>> = ids
        .iter()
        .zip(rows)
        .map(|(id, a)| trail::Entry::step(AssignmentFlow::KIND, *id, now, &actor.name, "assign", None, a.state.as_str(), Some(&a.addressee)))
        .collect();
    trail::append(tx, &entries).await?;
    // The person on duty is woken by SMS at any hour, in this transaction.
    let urgent: Vec<crate::notify::Urgent<'_>> = rows
        .iter()
        .zip(&ids)
        .zip(&titles)
        .map(|((a, id), t)| crate::notify::Urgent {
            phone: &a.addressee_phone,
            person: &a.addressee,
            kind: AssignmentFlow::KIND,
            ref_id: *id,
            unit_id: a.unit_id,
            text: luoshi_domain::notify::urgent_line(t, &luoshi_domain::time::format_local(a.due_at.unwrap_or(now))),
        })
        .collect();
    crate::notify::enqueue_urgent(tx, &urgent, now).await?;
    Ok(ids)
}

/// Save an assignment's change (only if unchanged since read), with its duty line and trail
/// entry; the caller logs it on the incident and audits it.
#[expect(clippy::too_many_arguments, reason = "the change, its title, its note and its moment")]
pub async fn save(
    tx: &mut WriteTx,
    actor: &Actor,
    incident_title: &str,
    before: &Assignment,
    after: &Assignment,
    action: &str,
    note: Option<&str>,
    now: i64,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE emergency_assignments SET state = $1, due_at = $2, signed_at = $3, last_report_at = $4, reports = $5, last_report = $6, end_reason = $7, updated_at = $8 \
         WHERE id = $9 AND updated_at = $10",
    )
    .bind(after.state.as_str())
    .bind(after.due_at)
    .bind(after.signed_at)
    .bind(after.last_report_at)
    .bind(after.reports)
    .bind(&after.last_report)
    .bind(&after.end_reason)
    .bind(now)
    .bind(before.id)
    .bind(before.updated_at)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    let t = title(incident_title, &after.task);
    let phase = AssignmentFlow::phase(after.state);
    let l = Line::of::<AssignmentFlow>(after.id, after.state, Some(&t), now).owner(Some(after.unit_id)).due(after.due_at, light_now(phase, after.due_at, now));
    duty::put(tx, &l, None).await?;
    let step = trail::Entry::step(AssignmentFlow::KIND, after.id, now, &actor.name, action, Some(before.state.as_str()), after.state.as_str(), note);
    trail::append(tx, &[step]).await?;
    Ok(())
}

/// Stand down the open assignments of an incident (only those of `only`, when given),
/// set-based: the rows, their duty lines and sight, and a trail entry each. How many.
pub async fn stand_down(tx: &mut WriteTx, actor: &Actor, incident_id: i64, only: Option<&[i64]>, reason: &str, now: i64) -> Result<usize> {
    let rows = sqlx::query("SELECT id, state FROM emergency_assignments WHERE incident_id = $1 AND state IN ('assigned', 'signed', 'reporting', 'done')")
        .bind(incident_id)
        .fetch_all(tx.conn())
        .await?;
    let mut open_ones: Vec<(i64, String)> = rows.iter().map(|r| Ok((get_i64(r, "id")?, get_str(r, "state")?))).collect::<Result<_>>()?;
    if let Some(ids) = only {
        let keep: std::collections::HashSet<i64> = ids.iter().copied().collect();
        open_ones.retain(|(id, _)| keep.contains(id));
    }
    if open_ones.is_empty() {
        return Ok(0);
    }
    let to = AssignmentState::StoodDown;
    for chunk in open_ones.chunks(500) {
        let ids = chunk.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>().join(",");
        sqlx::query(&format!("UPDATE emergency_assignments SET state = $1, due_at = NULL, end_reason = $2, updated_at = $3 WHERE id IN ({ids})"))
            .bind(to.as_str())
            .bind(reason)
            .bind(now)
            .execute(tx.conn())
            .await?;
    }
    let ids: Vec<i64> = open_ones.iter().map(|(id, _)| *id).collect();
    duty::close_many(tx, AssignmentFlow::KIND, &ids, to.as_str(), AssignmentFlow::phase(to), now).await?;
    let entries: Vec<trail::Entry<'_>> = open_ones
        .iter()
        .map(|(id, from)| trail::Entry::step(AssignmentFlow::KIND, *id, now, &actor.name, "stand_down", Some(from.as_str()), to.as_str(), Some(reason)))
        .collect();
    trail::append(tx, &entries).await?;
    Ok(open_ones.len())
}
