//! 预案: a plan, its response levels (who leads, which command, the start conditions), its
//! responsibility matrix (by level: unit, role, task, first-report and follow-up minutes) and
//! the lower plans activated with it. A plan is a duty of its owner unit: in force, its clock
//! is the next drill.

use super::light_now;
use crate::duty::{self, trail, Line};
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::Workflow;
use luoshi_domain::emergencies::{Category, Lead, Level, PlanFlow, PlanKind, PlanState};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: i64,
    pub title: String,
    pub kind: PlanKind,
    pub category: Category,
    pub event_type: String,
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub parent_plan_id: Option<i64>,
    pub doc_no: Option<String>,
    pub version: i64,
    pub state: PlanState,
    pub published_on: Option<String>,
    pub last_drill_on: Option<String>,
    pub drill_interval_months: i64,
    pub revision_trigger: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One response level a plan defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelRow {
    pub level: Level,
    pub lead: Lead,
    /// 指挥部 (its name).
    pub command: String,
    /// The unit that holds the command's office (应急管理局 for most).
    pub command_unit_id: i64,
    pub command_unit_name: String,
    /// 启动条件.
    pub conditions: String,
}

/// One line of the responsibility matrix: at its level and every higher one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    pub level: Level,
    pub seq: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// 牵头 / 配合 / 属地 …
    pub role: String,
    pub task: String,
    pub first_report_minutes: i64,
    pub followup_minutes: i64,
}

/// A lower plan activated with this one from a level up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub level: Level,
    pub child_plan_id: i64,
    pub child_title: String,
    pub child_owner_id: i64,
}

/// A plan with everything it defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDetail {
    pub plan: Plan,
    pub levels: Vec<LevelRow>,
    pub matrix: Vec<MatrixRow>,
    pub links: Vec<Link>,
}

const COLS: &str = "p.id, p.title, p.kind, p.category, p.event_type, p.owner_unit_id, u.name AS owner_name, p.parent_plan_id, p.doc_no, p.version, p.state, \
     p.published_on, p.last_drill_on, p.drill_interval_months, p.revision_trigger, p.created_at, p.updated_at";
const FROM: &str = "FROM emergency_plans p JOIN units u ON u.id = p.owner_unit_id";

fn bad(w: &str) -> DomainError {
    DomainError::new(ErrorCode::Internal).with_detail(format!("plan {w}"))
}

fn plan(r: &AnyRow) -> Result<Plan> {
    Ok(Plan {
        id: get_i64(r, "id")?,
        title: get_str(r, "title")?,
        kind: PlanKind::parse(&get_str(r, "kind")?).ok_or_else(|| bad("kind"))?,
        category: Category::parse(&get_str(r, "category")?).ok_or_else(|| bad("category"))?,
        event_type: get_str(r, "event_type")?,
        owner_unit_id: get_i64(r, "owner_unit_id")?,
        owner_name: get_str(r, "owner_name")?,
        parent_plan_id: get_opt_i64(r, "parent_plan_id")?,
        doc_no: get_opt_str(r, "doc_no")?,
        version: get_i64(r, "version")?,
        state: PlanState::parse(&get_str(r, "state")?).ok_or_else(|| bad("state"))?,
        published_on: get_opt_str(r, "published_on")?,
        last_drill_on: get_opt_str(r, "last_drill_on")?,
        drill_interval_months: get_i64(r, "drill_interval_months")?,
        revision_trigger: get_opt_str(r, "revision_trigger")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

/// Every plan, the county's first (by kind, then title).
pub async fn list(db: &Db) -> Result<Vec<Plan>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} ORDER BY p.kind, p.owner_unit_id, p.title, p.id")).fetch_all(db.pool()).await?;
    rows.iter().map(plan).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Plan>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE p.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(plan).transpose()
}

/// A plan with its levels, matrix and links.
pub async fn detail(db: &Db, id: i64) -> Result<Option<PlanDetail>> {
    let Some(p) = get(db, id).await? else { return Ok(None) };
    let rows = sqlx::query(
        "SELECT l.level, l.lead, l.command, l.command_unit_id, u.name AS unit_name, l.conditions FROM plan_levels l JOIN units u ON u.id = l.command_unit_id \
         WHERE l.plan_id = $1 ORDER BY l.level",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let levels = rows
        .iter()
        .map(|r| {
            Ok(LevelRow {
                level: Level::parse(&get_str(r, "level")?).ok_or_else(|| bad("level"))?,
                lead: Lead::parse(&get_str(r, "lead")?).ok_or_else(|| bad("lead"))?,
                command: get_str(r, "command")?,
                command_unit_id: get_i64(r, "command_unit_id")?,
                command_unit_name: get_str(r, "unit_name")?,
                conditions: get_str(r, "conditions")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let matrix = matrix_of(db, &[id]).await?;
    let rows = sqlx::query(
        "SELECT k.level, k.child_plan_id, c.title, c.owner_unit_id FROM plan_links k JOIN emergency_plans c ON c.id = k.child_plan_id WHERE k.plan_id = $1 ORDER BY k.level, c.title",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let links = rows
        .iter()
        .map(|r| {
            Ok(Link {
                level: Level::parse(&get_str(r, "level")?).ok_or_else(|| bad("level"))?,
                child_plan_id: get_i64(r, "child_plan_id")?,
                child_title: get_str(r, "title")?,
                child_owner_id: get_i64(r, "owner_unit_id")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(PlanDetail { plan: p, levels, matrix: matrix.into_iter().map(|(_, m)| m).collect(), links }))
}

/// The matrix rows of several plans, each with its plan's id (one query per 500 plans).
pub async fn matrix_of(db: &Db, plan_ids: &[i64]) -> Result<Vec<(i64, MatrixRow)>> {
    let mut out = Vec::new();
    for chunk in plan_ids.chunks(500) {
        let ps: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT m.plan_id, m.level, m.seq, m.unit_id, u.name AS unit_name, m.role, m.task, m.first_report_minutes, m.followup_minutes \
             FROM plan_matrix m JOIN units u ON u.id = m.unit_id WHERE m.plan_id IN ({}) ORDER BY m.plan_id, m.level DESC, m.seq",
            ps.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(db.pool()).await? {
            out.push((
                get_i64(&r, "plan_id")?,
                MatrixRow {
                    level: Level::parse(&get_str(&r, "level")?).ok_or_else(|| bad("level"))?,
                    seq: get_i64(&r, "seq")?,
                    unit_id: get_i64(&r, "unit_id")?,
                    unit_name: get_str(&r, "unit_name")?,
                    role: get_str(&r, "role")?,
                    task: get_str(&r, "task")?,
                    first_report_minutes: get_i64(&r, "first_report_minutes")?,
                    followup_minutes: get_i64(&r, "followup_minutes")?,
                },
            ));
        }
    }
    Ok(out)
}

/// The links of several plans: (plan, level, child).
pub async fn links_of(db: &Db, plan_ids: &[i64]) -> Result<Vec<(i64, Level, i64)>> {
    let mut out = Vec::new();
    for chunk in plan_ids.chunks(500) {
        let ps: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT plan_id, level, child_plan_id FROM plan_links WHERE plan_id IN ({})", ps.join(", "));
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(db.pool()).await? {
            out.push((get_i64(&r, "plan_id")?, Level::parse(&get_str(&r, "level")?).ok_or_else(|| bad("level"))?, get_i64(&r, "child_plan_id")?));
        }
    }
    Ok(out)
}

async fn line(tx: &mut WriteTx, p: &Plan, due_at: Option<i64>, now: i64) -> Result<()> {
    let phase = PlanFlow::phase(p.state);
    let l = Line::of::<PlanFlow>(p.id, p.state, Some(&p.title), now).owner(Some(p.owner_unit_id)).due(due_at, light_now(phase, due_at, now));
    duty::put(tx, &l, None).await?;
    Ok(())
}

fn digest(p: &Plan) -> serde_json::Value {
    serde_json::json!({ "title": p.title, "state": p.state.as_str(), "version": p.version, "last_drill_on": p.last_drill_on, "revision_trigger": p.revision_trigger })
}

/// Enter a plan (drafted), with its duty line.
pub async fn insert(tx: &mut WriteTx, actor: &Actor, p: &Plan, now: i64) -> Result<i64> {
    tx.lock_shared().await?;
    let row = sqlx::query(
        "INSERT INTO emergency_plans (title, kind, category, event_type, owner_unit_id, parent_plan_id, doc_no, version, state, published_on, last_drill_on, \
         drill_interval_months, revision_trigger, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&p.title)
    .bind(p.kind.as_str())
    .bind(p.category.as_str())
    .bind(&p.event_type)
    .bind(p.owner_unit_id)
    .bind(p.parent_plan_id)
    .bind(&p.doc_no)
    .bind(p.version)
    .bind(p.state.as_str())
    .bind(&p.published_on)
    .bind(&p.last_drill_on)
    .bind(p.drill_interval_months)
    .bind(&p.revision_trigger)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let saved = Plan { id, created_at: now, updated_at: now, ..p.clone() };
    line(tx, &saved, None, now).await?;
    trail::append(tx, &[trail::Entry::step(PlanFlow::KIND, id, now, &actor.name, "create", None, saved.state.as_str(), None)]).await?;
    tx.audit(actor, "plan.create", "plan", &id.to_string(), None, Some(&digest(&saved))).await?;
    Ok(id)
}

/// Replace what a plan defines: its levels, matrix and links (an edit of the draft).
pub async fn set_contents(tx: &mut WriteTx, actor: &Actor, plan_id: i64, levels: &[LevelRow], matrix: &[MatrixRow], links: &[(Level, i64)]) -> Result<()> {
    tx.lock_shared().await?;
    for table in ["plan_levels", "plan_matrix", "plan_links"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE plan_id = $1")).bind(plan_id).execute(tx.conn()).await?;
    }
    for l in levels {
        sqlx::query("INSERT INTO plan_levels (plan_id, level, lead, command, command_unit_id, conditions) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(plan_id)
            .bind(l.level.as_str())
            .bind(l.lead.as_str())
            .bind(&l.command)
            .bind(l.command_unit_id)
            .bind(&l.conditions)
            .execute(tx.conn())
            .await?;
    }
    for chunk in matrix.chunks(500) {
        let sql = format!(
            "INSERT INTO plan_matrix (plan_id, level, seq, unit_id, role, task, first_report_minutes, followup_minutes) VALUES {}",
            crate::values(tx.backend(), chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for m in chunk {
            q = q
                .bind(plan_id)
                .bind(m.level.as_str())
                .bind(m.seq)
                .bind(m.unit_id)
                .bind(&m.role)
                .bind(&m.task)
                .bind(m.first_report_minutes)
                .bind(m.followup_minutes);
        }
        q.execute(tx.conn()).await?;
    }
    for (level, child) in links {
        sqlx::query("INSERT INTO plan_links (plan_id, level, child_plan_id) VALUES ($1, $2, $3)")
            .bind(plan_id)
            .bind(level.as_str())
            .bind(*child)
            .execute(tx.conn())
            .await?;
    }
    let after = serde_json::json!({ "levels": levels.len(), "matrix": matrix.len(), "links": links.len() });
    tx.audit(actor, "plan.matrix", "plan", &plan_id.to_string(), None, Some(&after)).await?;
    Ok(())
}

/// Save a plan's change (only if unchanged since read), with its duty line (the next drill
/// as its limit while in force), trail entry and audit row.
#[expect(clippy::too_many_arguments, reason = "the change, its clock and its moment")]
pub async fn save(tx: &mut WriteTx, actor: &Actor, before: &Plan, after: &Plan, action: &str, note: Option<&str>, due_at: Option<i64>, now: i64) -> Result<()> {
    tx.lock_shared().await?;
    let n = sqlx::query(
        "UPDATE emergency_plans SET title = $1, doc_no = $2, version = $3, state = $4, published_on = $5, last_drill_on = $6, drill_interval_months = $7, \
         revision_trigger = $8, updated_at = $9 WHERE id = $10 AND updated_at = $11",
    )
    .bind(&after.title)
    .bind(&after.doc_no)
    .bind(after.version)
    .bind(after.state.as_str())
    .bind(&after.published_on)
    .bind(&after.last_drill_on)
    .bind(after.drill_interval_months)
    .bind(&after.revision_trigger)
    .bind(now)
    .bind(before.id)
    .bind(before.updated_at)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    line(tx, after, due_at, now).await?;
    let step = trail::Entry::step(PlanFlow::KIND, after.id, now, &actor.name, action, Some(before.state.as_str()), after.state.as_str(), note);
    trail::append(tx, &[step]).await?;
    tx.audit(actor, &format!("plan.{action}"), "plan", &after.id.to_string(), Some(&digest(before)), Some(&digest(after))).await?;
    Ok(())
}
