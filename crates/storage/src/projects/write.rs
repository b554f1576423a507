//! Writing projects: the row (guarded by its version), the stage log, the deviations with their
//! reasons, the project's line in the record of duties (owner the lead unit, the township as a
//! co-unit, the leader who 包联 it as its lead), its trail entry and audit row.

use super::{get_tx, Fund, Project};
use crate::duty::{self, trail, Line};
use crate::{get_i64, Actor, Result, WriteTx};
use luoshi_domain::duty::{Light, Workflow};
use luoshi_domain::projects::{Industry, Investment, ProjectFlow, Route, Stage, Yuan};
use luoshi_domain::{DomainError, ErrorCode};

/// A project to register (checked by the app).
#[derive(Debug, Clone)]
pub struct NewProject {
    pub code: Option<String>,
    pub code_warning: Option<String>,
    pub name: String,
    pub investor: String,
    pub investment: Investment,
    pub route: Route,
    pub template: String,
    pub industry: Industry,
    pub scope: String,
    pub total: Yuan,
    pub land_mu: i64,
    pub township_id: Option<i64>,
    pub leader_user_id: Option<i64>,
    pub lead_unit_id: i64,
    pub stage: Stage,
    pub since: String,
    pub planned_sign_on: Option<String>,
    pub planned_start_on: Option<String>,
    pub planned_complete_on: Option<String>,
    pub in_library: bool,
    pub funds: Vec<Fund>,
    /// (year, planned investment).
    pub plans: Vec<(i64, Yuan)>,
}

/// A deviation to keep: a planned value changed or missed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
}

async fn record(tx: &mut WriteTx, p: &Project, due: Option<i64>, light: Light, now: i64) -> Result<()> {
    let seen: Vec<i64> = p.township_id.into_iter().collect();
    let line = Line::of::<ProjectFlow>(p.id, p.stage, Some(&p.name), now).owner(Some(p.lead_unit_id)).co_units(&seen).lead(p.leader_user_id).due(due, light);
    duty::put(tx, &line, None).await?;
    Ok(())
}

/// Register a project: its row, funds, plans, first stage stay, line, trail entry and audit row.
pub async fn create(tx: &mut WriteTx, actor: &Actor, n: &NewProject, due: Option<i64>, light: Light, now: i64) -> Result<Project> {
    let row = sqlx::query(
        "INSERT INTO projects (code, code_warning, name, investor, investment, route, template, industry, scope, total_yuan, land_mu, township_id, leader_user_id, \
         lead_unit_id, stage, reached, stage_since, planned_sign_on, planned_start_on, planned_complete_on, signed_on, in_library, light, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23) RETURNING id",
    )
    .bind(&n.code)
    .bind(&n.code_warning)
    .bind(&n.name)
    .bind(&n.investor)
    .bind(n.investment.as_str())
    .bind(n.route.as_str())
    .bind(&n.template)
    .bind(n.industry.as_str())
    .bind(&n.scope)
    .bind(n.total.0)
    .bind(n.land_mu)
    .bind(n.township_id)
    .bind(n.leader_user_id)
    .bind(n.lead_unit_id)
    .bind(n.stage.as_str())
    .bind(&n.since)
    .bind(&n.planned_sign_on)
    .bind(&n.planned_start_on)
    .bind(&n.planned_complete_on)
    .bind((n.stage != Stage::Negotiating).then_some(&n.since))
    .bind(i64::from(n.in_library))
    .bind(light.as_str())
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    set_funds(tx, id, &n.funds).await?;
    sqlx::query("INSERT INTO project_stages (project_id, seq, stage, entered_on, actor, at) VALUES ($1, 1, $2, $3, $4, $5)")
        .bind(id)
        .bind(n.stage.as_str())
        .bind(&n.since)
        .bind(&actor.name)
        .bind(now)
        .execute(tx.conn())
        .await?;
    let p = get_tx(tx, id).await?.ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("project not read back"))?;
    record(tx, &p, due, light, now).await?;
    // After the line: the plans are amounts on it.
    for (year, planned) in &n.plans {
        set_plan(tx, id, *year, *planned).await?;
    }
    trail::append(tx, &[trail::Entry::step(ProjectFlow::KIND, id, now, &actor.name, "register", None, p.stage.as_str(), None)]).await?;
    let after = serde_json::json!({ "name": p.name, "code": p.code, "total_yuan": p.total.0, "lead_unit_id": p.lead_unit_id, "stage": p.stage.as_str() });
    tx.audit(actor, "project.create", "project", &id.to_string(), None, Some(&after)).await?;
    Ok(p)
}

/// Save a changed project (refused with `conflict` if someone else saved it since it was read);
/// a stage change closes the current stay on `day` and opens the next. Its line, trail entry
/// and audit row follow.
#[expect(clippy::too_many_arguments, reason = "the change, its step and the project's standing")]
pub async fn save(
    tx: &mut WriteTx,
    actor: &Actor,
    before: &Project,
    after: &Project,
    action: &str,
    note: Option<&str>,
    due: Option<i64>,
    now: i64,
) -> Result<()> {
    let light = Light::parse(&after.light).unwrap_or(Light::None);
    let done = sqlx::query(
        "UPDATE projects SET code = $1, code_warning = $2, name = $3, investor = $4, industry = $5, scope = $6, total_yuan = $7, land_mu = $8, township_id = $9, \
         leader_user_id = $10, lead_unit_id = $11, stage = $12, reached = $13, paused_from = $14, stage_since = $15, planned_sign_on = $16, planned_start_on = $17, \
         planned_complete_on = $18, signed_on = $19, landed_on = $20, started_on = $21, completed_on = $22, end_reason = $23, in_library = $24, light = $25, \
         version = version + 1, updated_at = $26, template = $29 WHERE id = $27 AND version = $28",
    )
    .bind(&after.code)
    .bind(&after.code_warning)
    .bind(&after.name)
    .bind(&after.investor)
    .bind(after.industry.as_str())
    .bind(&after.scope)
    .bind(after.total.0)
    .bind(after.land_mu)
    .bind(after.township_id)
    .bind(after.leader_user_id)
    .bind(after.lead_unit_id)
    .bind(after.stage.as_str())
    .bind(after.reached.as_str())
    .bind(after.paused_from.map(Stage::as_str))
    .bind(&after.stage_since)
    .bind(&after.planned_sign_on)
    .bind(&after.planned_start_on)
    .bind(&after.planned_complete_on)
    .bind(&after.signed_on)
    .bind(&after.landed_on)
    .bind(&after.started_on)
    .bind(&after.completed_on)
    .bind(&after.end_reason)
    .bind(i64::from(after.in_library))
    .bind(light.as_str())
    .bind(now)
    .bind(before.id)
    .bind(before.version)
    .bind(&after.template)
    .execute(tx.conn())
    .await?;
    crate::moved_on(&done)?;
    if before.stage != after.stage {
        sqlx::query("UPDATE project_stages SET left_on = $1 WHERE project_id = $2 AND left_on IS NULL")
            .bind(&after.stage_since)
            .bind(before.id)
            .execute(tx.conn())
            .await?;
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM project_stages WHERE project_id = $1").bind(before.id).fetch_one(tx.conn()).await?;
        sqlx::query("INSERT INTO project_stages (project_id, seq, stage, entered_on, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(before.id)
            .bind(get_i64(&row, "n")? + 1)
            .bind(after.stage.as_str())
            .bind(&after.stage_since)
            .bind(note)
            .bind(&actor.name)
            .bind(now)
            .execute(tx.conn())
            .await?;
    }
    record(tx, after, due, light, now).await?;
    trail::append(tx, &[trail::Entry::step(ProjectFlow::KIND, before.id, now, &actor.name, action, Some(before.stage.as_str()), after.stage.as_str(), note)])
        .await?;
    let b = serde_json::json!({ "stage": before.stage.as_str(), "version": before.version });
    let a = serde_json::json!({ "stage": after.stage.as_str(), "action": action, "note": note });
    tx.audit(actor, &format!("project.{action}"), "project", &before.id.to_string(), Some(&b), Some(&a)).await?;
    Ok(())
}

/// Keep a deviation from plan with its reason (in the caller's transaction).
pub async fn add_change(tx: &mut WriteTx, project_id: i64, actor: &Actor, c: &Change, now: i64) -> Result<()> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM project_changes WHERE project_id = $1").bind(project_id).fetch_one(tx.conn()).await?;
    sqlx::query("INSERT INTO project_changes (project_id, seq, at, actor, field, old_value, new_value, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(project_id)
        .bind(get_i64(&row, "n")? + 1)
        .bind(now)
        .bind(&actor.name)
        .bind(c.field)
        .bind(&c.old_value)
        .bind(&c.new_value)
        .bind(&c.reason)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Replace a project's funding sources.
pub async fn set_funds(tx: &mut WriteTx, project_id: i64, funds: &[Fund]) -> Result<()> {
    sqlx::query("DELETE FROM project_funds WHERE project_id = $1").bind(project_id).execute(tx.conn()).await?;
    for (i, f) in funds.iter().enumerate() {
        sqlx::query("INSERT INTO project_funds (project_id, seq, source, planned_yuan, in_place_yuan) VALUES ($1, $2, $3, $4, $5)")
            .bind(project_id)
            .bind(i as i64 + 1)
            .bind(&f.source)
            .bind(f.planned.0)
            .bind(f.in_place.0)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Set a year's planned investment.
pub async fn set_plan(tx: &mut WriteTx, project_id: i64, year: i64, planned: Yuan) -> Result<()> {
    sqlx::query("DELETE FROM project_plans WHERE project_id = $1 AND year = $2").bind(project_id).bind(year).execute(tx.conn()).await?;
    sqlx::query("INSERT INTO project_plans (project_id, year, planned_yuan) VALUES ($1, $2, $3)")
        .bind(project_id)
        .bind(year)
        .bind(planned.0)
        .execute(tx.conn())
        .await?;
    let year = year.to_string();
    duty::amounts::set_many(tx, ProjectFlow::KIND, &[duty::amounts::Amount { ref_id: project_id, period: &year, measure: "planned", value: planned.0 }]).await
}

/// Store a recomputed light (derived: no trail entry, no audit row, no new version).
pub async fn set_light(tx: &mut WriteTx, id: i64, light: Light) -> Result<()> {
    sqlx::query("UPDATE projects SET light = $1 WHERE id = $2").bind(light.as_str()).bind(id).execute(tx.conn()).await?;
    duty::set_light(tx, ProjectFlow::KIND, id, light).await?;
    Ok(())
}
