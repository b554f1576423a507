//! Approval items: each a duty of the approving unit (the project's lead unit sees it too), with
//! its visits (a submission to its decision or return) and the intervals its clock stood still.

use crate::duty::{self, trail, Line};
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::{Light, Workflow};
use luoshi_domain::projects::{ApprovalFlow, ApprovalState, PauseKind};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// An approval item as stored, with its unit's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub id: i64,
    pub project_id: i64,
    pub seq: i64,
    /// 1…4: the stage of 工程建设项目审批.
    pub stage: i64,
    pub item: String,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub limit_days: i64,
    pub extension_days: i64,
    pub extended: bool,
    pub state: ApprovalState,
    pub visits: i64,
    pub visit_started_at: Option<i64>,
    pub due_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub last_reason: Option<String>,
    pub version: i64,
    pub updated_at: i64,
}

/// An item to create from the project's template.
#[derive(Debug, Clone)]
pub struct NewApproval {
    pub stage: i64,
    pub item: String,
    pub name: String,
    pub unit_id: i64,
    pub limit_days: i64,
    pub extension_days: i64,
}

/// One visit of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub visit: i64,
    pub started_at: i64,
    pub started_on: String,
    pub ended_at: Option<i64>,
    pub ended_on: Option<String>,
    pub ended_by: Option<String>,
}

/// One interval the clock stood still.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PauseRow {
    pub seq: i64,
    pub visit: i64,
    pub kind: PauseKind,
    pub reason: String,
    pub from_at: i64,
    pub to_at: Option<i64>,
}

const COLS: &str =
    "a.id, a.project_id, a.seq, a.stage, a.item, a.name, a.unit_id, u.name AS unit_name, a.limit_days, a.extension_days, a.extended, a.state, a.visits, \
     a.visit_started_at, a.due_at, a.decided_at, a.last_reason, a.version, a.updated_at";
const FROM: &str = "FROM project_approvals a JOIN units u ON u.id = a.unit_id";

fn bad(w: &str) -> DomainError {
    DomainError::new(ErrorCode::Internal).with_detail(format!("approval {w}"))
}

fn approval(r: &AnyRow) -> Result<Approval> {
    Ok(Approval {
        id: get_i64(r, "id")?,
        project_id: get_i64(r, "project_id")?,
        seq: get_i64(r, "seq")?,
        stage: get_i64(r, "stage")?,
        item: get_str(r, "item")?,
        name: get_str(r, "name")?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        limit_days: get_i64(r, "limit_days")?,
        extension_days: get_i64(r, "extension_days")?,
        extended: get_i64(r, "extended")? != 0,
        state: ApprovalState::parse(&get_str(r, "state")?).ok_or_else(|| bad("state"))?,
        visits: get_i64(r, "visits")?,
        visit_started_at: get_opt_i64(r, "visit_started_at")?,
        due_at: get_opt_i64(r, "due_at")?,
        decided_at: get_opt_i64(r, "decided_at")?,
        last_reason: get_opt_str(r, "last_reason")?,
        version: get_i64(r, "version")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Approval>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(approval).transpose()
}

/// A project's items in their order.
pub async fn of_project(db: &Db, project_id: i64) -> Result<Vec<Approval>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.project_id = $1 ORDER BY a.seq")).bind(project_id).fetch_all(db.pool()).await?;
    rows.iter().map(approval).collect()
}

fn line<'a>(a: &'a Approval, title: &'a str, co: &'a [i64], light: Light, now: i64) -> Line<'a> {
    Line::of::<ApprovalFlow>(a.id, a.state, Some(title), now).owner(Some(a.unit_id)).co_units(co).due(a.due_at, light)
}

/// Create a project's items from its template (state 待申报, no clock yet): rows, lines, trail
/// and one audit row for the batch; their ids in order.
pub async fn create_many(
    tx: &mut WriteTx,
    actor: &Actor,
    project_id: i64,
    project_name: &str,
    lead_unit: i64,
    items: &[NewApproval],
    now: i64,
) -> Result<Vec<i64>> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM project_approvals WHERE project_id = $1").bind(project_id).fetch_one(tx.conn()).await?;
    let first = get_i64(&row, "n")?;
    let mut ids = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let row = sqlx::query(
            "INSERT INTO project_approvals (project_id, seq, stage, item, name, unit_id, limit_days, extension_days, state, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9) RETURNING id",
        )
        .bind(project_id)
        .bind(first + i as i64 + 1)
        .bind(it.stage)
        .bind(&it.item)
        .bind(&it.name)
        .bind(it.unit_id)
        .bind(it.limit_days)
        .bind(it.extension_days)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
        ids.push(get_i64(&row, "id")?);
    }
    let titles: Vec<String> = items.iter().map(|it| format!("{project_name}·{}", it.name)).collect();
    let co = [lead_unit];
    let lines: Vec<Line<'_>> = ids
        .iter()
        .zip(items)
        .zip(&titles)
        .map(|((id, it), t)| Line::of::<ApprovalFlow>(*id, ApprovalState::Waiting, Some(t.as_str()), now).owner(Some(it.unit_id)).co_units(&co))
        .collect();
    duty::insert_many(tx, &lines).await?;
    let steps: Vec<trail::Entry<'_>> =
        ids.iter().map(|id| trail::Entry::step(ApprovalFlow::KIND, *id, now, &actor.name, "create", None, "waiting", None)).collect();
    trail::append(tx, &steps).await?;
    let after = serde_json::json!({ "items": items.iter().map(|i| i.item.clone()).collect::<Vec<_>>(), "ids": ids });
    tx.audit(actor, "approval.create", "project", &project_id.to_string(), None, Some(&after)).await?;
    Ok(ids)
}

/// What an action did besides the state, for [`save`].
#[derive(Debug, Clone, Default)]
pub struct Effects<'a> {
    /// A visit begins (申报).
    pub open_visit: Option<(i64, &'a str, &'a str)>,
    /// The visit ends (批复, 不予许可, 退回): how.
    pub close_visit: Option<&'a str>,
    /// The clock stops: its kind and reason.
    pub pause: Option<(PauseKind, &'a str)>,
    /// The clock runs again.
    pub resume: bool,
}

/// Save a changed item (refused with `conflict` if its version moved on), with its visit and
/// pause rows, line, trail entry and audit row.
#[expect(clippy::too_many_arguments, reason = "the change, its effects and the line it shows")]
pub async fn save(
    tx: &mut WriteTx,
    actor: &Actor,
    before: &Approval,
    after: &Approval,
    fx: &Effects<'_>,
    action: &str,
    note: Option<&str>,
    light: Light,
    (title, lead_unit): (&str, i64),
    now: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE project_approvals SET state = $1, visits = $2, visit_started_at = $3, due_at = $4, decided_at = $5, last_reason = $6, extended = $7, \
         version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
    )
    .bind(after.state.as_str())
    .bind(after.visits)
    .bind(after.visit_started_at)
    .bind(after.due_at)
    .bind(after.decided_at)
    .bind(&after.last_reason)
    .bind(i64::from(after.extended))
    .bind(now)
    .bind(before.id)
    .bind(before.version)
    .execute(tx.conn())
    .await?;
    crate::moved_on(&done)?;
    let day = luoshi_domain::time::local_date(now).format("%Y-%m-%d").to_string();
    if let Some(how) = fx.close_visit {
        sqlx::query("UPDATE approval_visits SET ended_at = $1, ended_on = $2, ended_by = $3 WHERE approval_id = $4 AND ended_at IS NULL")
            .bind(now)
            .bind(&day)
            .bind(how)
            .bind(before.id)
            .execute(tx.conn())
            .await?;
        sqlx::query("UPDATE approval_pauses SET to_at = $1 WHERE approval_id = $2 AND to_at IS NULL").bind(now).bind(before.id).execute(tx.conn()).await?;
    }
    if let Some((project_id, template, started_on)) = fx.open_visit {
        sqlx::query(
            "INSERT INTO approval_visits (approval_id, visit, project_id, template, stage, item, unit_id, started_at, started_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(before.id)
        .bind(after.visits)
        .bind(project_id)
        .bind(template)
        .bind(after.stage)
        .bind(&after.item)
        .bind(after.unit_id)
        .bind(now)
        .bind(started_on)
        .execute(tx.conn())
        .await?;
    }
    if let Some((kind, reason)) = fx.pause {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM approval_pauses WHERE approval_id = $1").bind(before.id).fetch_one(tx.conn()).await?;
        sqlx::query("INSERT INTO approval_pauses (approval_id, seq, visit, kind, reason, from_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(before.id)
            .bind(get_i64(&row, "n")? + 1)
            .bind(after.visits)
            .bind(kind.as_str())
            .bind(reason)
            .bind(now)
            .execute(tx.conn())
            .await?;
    }
    if fx.resume {
        sqlx::query("UPDATE approval_pauses SET to_at = $1 WHERE approval_id = $2 AND to_at IS NULL").bind(now).bind(before.id).execute(tx.conn()).await?;
    }
    let co = [lead_unit];
    duty::put(tx, &line(after, title, &co, light, now), None).await?;
    trail::append(tx, &[trail::Entry::step(ApprovalFlow::KIND, before.id, now, &actor.name, action, Some(before.state.as_str()), after.state.as_str(), note)])
        .await?;
    let b = serde_json::json!({ "state": before.state.as_str(), "due_at": before.due_at });
    let a = serde_json::json!({ "state": after.state.as_str(), "due_at": after.due_at, "note": note });
    tx.audit(actor, &format!("approval.{action}"), "approval", &before.id.to_string(), Some(&b), Some(&a)).await?;
    Ok(())
}

/// An item's visits and pauses.
pub async fn history(db: &Db, id: i64) -> Result<(Vec<Visit>, Vec<PauseRow>)> {
    let visits = sqlx::query("SELECT visit, started_at, started_on, ended_at, ended_on, ended_by FROM approval_visits WHERE approval_id = $1 ORDER BY visit")
        .bind(id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Visit {
                visit: get_i64(r, "visit")?,
                started_at: get_i64(r, "started_at")?,
                started_on: get_str(r, "started_on")?,
                ended_at: get_opt_i64(r, "ended_at")?,
                ended_on: get_opt_str(r, "ended_on")?,
                ended_by: get_opt_str(r, "ended_by")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let pauses = pauses_of(db, &[id]).await?.into_iter().map(|(_, p)| p).collect();
    Ok((visits, pauses))
}

/// The pauses of several items (each with its item's id).
pub async fn pauses_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, PauseRow)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let ps: Vec<String> = (1..=chunk.len()).map(|i| crate::param(db.backend(), i)).collect();
        let sql = format!(
            "SELECT approval_id, seq, visit, kind, reason, from_at, to_at FROM approval_pauses WHERE approval_id IN ({}) ORDER BY approval_id, seq",
            ps.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(db.pool()).await? {
            out.push((
                get_i64(&r, "approval_id")?,
                PauseRow {
                    seq: get_i64(&r, "seq")?,
                    visit: get_i64(&r, "visit")?,
                    kind: PauseKind::parse(&get_str(&r, "kind")?).ok_or_else(|| bad("pause kind"))?,
                    reason: get_str(&r, "reason")?,
                    from_at: get_i64(&r, "from_at")?,
                    to_at: get_opt_i64(&r, "to_at")?,
                },
            ));
        }
    }
    Ok(out)
}

/// The first submission and the last decision of a project's items (None while any is open):
/// the days its approvals have taken.
pub async fn span_of_project(db: &Db, project_id: i64) -> Result<Option<(String, Option<String>)>> {
    let row = sqlx::query(
        "SELECT MIN(started_on) AS first, MAX(ended_on) AS last, CAST(SUM(CASE WHEN ended_on IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS open FROM approval_visits WHERE project_id = $1",
    )
    .bind(project_id)
    .fetch_one(db.pool())
    .await?;
    let Some(first) = get_opt_str(&row, "first")? else { return Ok(None) };
    let open = crate::get_opt_i64(&row, "open")?.unwrap_or(0) > 0;
    Ok(Some((first, if open { None } else { get_opt_str(&row, "last")? })))
}

/// The name of every item code in use (for the bottleneck report's labels).
pub async fn item_names(db: &Db) -> Result<std::collections::HashMap<String, String>> {
    let rows = sqlx::query("SELECT item, MIN(name) AS name FROM project_approvals GROUP BY item").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "item")?, get_str(r, "name")?))).collect()
}

/// Every visit of every item (for the bottleneck report): (project, template, stage, item, unit,
/// started_on, ended_on).
pub async fn all_visits(db: &Db) -> Result<Vec<(i64, String, i64, String, i64, String, Option<String>)>> {
    let rows = sqlx::query("SELECT project_id, template, stage, item, unit_id, started_on, ended_on FROM approval_visits").fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                get_i64(r, "project_id")?,
                get_str(r, "template")?,
                get_i64(r, "stage")?,
                get_str(r, "item")?,
                get_i64(r, "unit_id")?,
                get_str(r, "started_on")?,
                get_opt_str(r, "ended_on")?,
            ))
        })
        .collect()
}
