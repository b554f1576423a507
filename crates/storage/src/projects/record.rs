//! A project's page in one read: the project with its units' paths and every list the page
//! shows (`parts`), all on the project's shard. Its approval items are duties on shards of
//! their own, read apart.

use super::{problems, project, reports, stage_of, Project, COLS, FROM};
use crate::duty::trail::{self, step, TRAIL};
use crate::parts::{decode, Part};
use crate::rows::Fields;
use crate::{get_i64, get_opt_str, get_str, Db, Result};
use luoshi_domain::duty::Workflow;
use luoshi_domain::projects::{ProjectFlow, Stage, Yuan};
use serde::Serialize;

/// One funding source (资金来源).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fund {
    pub source: String,
    pub planned: Yuan,
    pub in_place: Yuan,
}

/// One stay in a stage, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageStay {
    pub seq: i64,
    pub stage: Stage,
    pub entered_on: String,
    pub left_on: Option<String>,
    pub reason: Option<String>,
    pub actor: String,
}

/// A deviation from plan, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    pub at: i64,
    pub actor: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
}

/// A project with every list its page shows.
#[derive(Debug, Clone)]
pub struct ProjectRecord {
    pub project: Project,
    /// The lead unit's and the township's paths (who may see it is decided on them).
    pub lead_path: String,
    pub township_path: Option<String>,
    pub funds: Vec<Fund>,
    /// Annual plans: (year, planned).
    pub plans: Vec<(i64, Yuan)>,
    pub stays: Vec<StageStay>,
    pub changes: Vec<ChangeRow>,
    pub reports: Vec<reports::Report>,
    pub problems: Vec<problems::Problem>,
    pub trail: Vec<trail::Step>,
}

const FUNDS: Part = Part { cols: "source, planned_yuan, in_place_yuan", from: "project_funds WHERE project_id = $1", order: "seq" };
const PLANS: Part = Part { cols: "year, planned_yuan", from: "project_plans WHERE project_id = $1", order: "year" };
const STAYS: Part = Part { cols: "seq, stage, entered_on, left_on, reason, actor", from: "project_stages WHERE project_id = $1", order: "seq" };
const CHANGES: Part = Part { cols: "at, actor, field, old_value, new_value, reason", from: "project_changes WHERE project_id = $1", order: "seq" };

fn fund(r: &impl Fields) -> Result<Fund> {
    Ok(Fund { source: get_str(r, "source")?, planned: Yuan(get_i64(r, "planned_yuan")?), in_place: Yuan(get_i64(r, "in_place_yuan")?) })
}

fn plan(r: &impl Fields) -> Result<(i64, Yuan)> {
    Ok((get_i64(r, "year")?, Yuan(get_i64(r, "planned_yuan")?)))
}

fn stay(r: &impl Fields) -> Result<StageStay> {
    Ok(StageStay {
        seq: get_i64(r, "seq")?,
        stage: stage_of(&get_str(r, "stage")?)?,
        entered_on: get_str(r, "entered_on")?,
        left_on: get_opt_str(r, "left_on")?,
        reason: get_opt_str(r, "reason")?,
        actor: get_str(r, "actor")?,
    })
}

fn change(r: &impl Fields) -> Result<ChangeRow> {
    Ok(ChangeRow {
        at: get_i64(r, "at")?,
        actor: get_str(r, "actor")?,
        field: get_str(r, "field")?,
        old_value: get_str(r, "old_value")?,
        new_value: get_str(r, "new_value")?,
        reason: get_str(r, "reason")?,
    })
}

/// The project and its lists in one query, if it exists (who may see it is the caller's to decide).
pub async fn record(db: &Db, id: i64) -> Result<Option<ProjectRecord>> {
    let lists = crate::parts::columns(
        db.backend(),
        &[
            (FUNDS, "l_funds"),
            (PLANS, "l_plans"),
            (STAYS, "l_stays"),
            (CHANGES, "l_changes"),
            (reports::OF_PROJECT, "l_reports"),
            (problems::OF_PROJECT, "l_problems"),
            (TRAIL, "l_trail"),
        ],
    );
    // $1 the project, $2 its kind (the core's trail is by kind).
    let sql = format!("SELECT {COLS}, lu.path AS lead_unit_path, t.path AS township_path, {lists} {FROM} WHERE p.id = $1");
    let Some(r) = sqlx::query(&sql).bind(id).bind(ProjectFlow::KIND).fetch_optional(db.pool()).await? else { return Ok(None) };
    Ok(Some(ProjectRecord {
        project: project(&r)?,
        lead_path: get_str(&r, "lead_unit_path")?,
        township_path: get_opt_str(&r, "township_path")?,
        funds: decode(&r, "l_funds", fund)?,
        plans: decode(&r, "l_plans", plan)?,
        stays: decode(&r, "l_stays", stay)?,
        changes: decode(&r, "l_changes", change)?,
        reports: decode(&r, "l_reports", reports::report)?,
        problems: decode(&r, "l_problems", problems::problem)?,
        trail: decode(&r, "l_trail", step)?,
    }))
}
