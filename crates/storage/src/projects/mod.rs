//! 重大项目 storage: projects (a duty of the lead unit) with their funding sources, annual plans,
//! stage log, deviations, monthly reports and problems; approval items (duties of the
//! approving units) with their visits and pauses. Every change is one transaction: the row
//! (only if its version is as read), its line in the record of duties, its trail entry and its
//! audit row. Rows here; who may do what lives in `luoshi_app::projects`.

pub mod approvals;
pub mod bulk;
pub mod ledger;
pub mod problems;
mod record;
pub mod reports;
mod write;

pub use record::{record, ChangeRow, Fund, ProjectRecord, StageStay};
pub use write::{add_change, create, save, set_funds, set_light, set_plan, Change, NewProject};

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Db, Result, WriteTx};
use luoshi_domain::projects::{Industry, Investment, Route, Stage, Yuan};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;

/// A project as stored, with the names it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub id: i64,
    pub code: Option<String>,
    /// Set when the code's check character disagrees with the assumed rule (a warning).
    pub code_warning: Option<String>,
    pub name: String,
    pub investor: String,
    pub investment: Investment,
    pub route: Route,
    pub template: String,
    pub industry: Industry,
    pub scope: String,
    pub total: Yuan,
    /// Hundredths of a 亩.
    pub land_mu: i64,
    pub township_id: Option<i64>,
    pub township_name: Option<String>,
    pub leader_user_id: Option<i64>,
    pub leader_name: Option<String>,
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    pub stage: Stage,
    /// The furthest stage reached.
    pub reached: Stage,
    pub paused_from: Option<Stage>,
    pub stage_since: String,
    pub planned_sign_on: Option<String>,
    pub planned_start_on: Option<String>,
    pub planned_complete_on: Option<String>,
    pub signed_on: Option<String>,
    pub landed_on: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub end_reason: Option<String>,
    /// Meets its industry's 入库 threshold.
    pub in_library: bool,
    pub light: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const COLS: &str =
    "p.id, p.code, p.code_warning, p.name, p.investor, p.investment, p.route, p.template, p.industry, p.scope, p.total_yuan, p.land_mu, \
     p.township_id, t.name AS township_name, p.leader_user_id, us.display_name AS leader_name, p.lead_unit_id, lu.name AS lead_unit_name, p.stage, p.reached, \
     p.paused_from, p.stage_since, p.planned_sign_on, p.planned_start_on, p.planned_complete_on, p.signed_on, p.landed_on, p.started_on, p.completed_on, \
     p.end_reason, p.in_library, p.light, p.version, p.created_at, p.updated_at";
pub(crate) const FROM: &str =
    "FROM projects p JOIN units lu ON lu.id = p.lead_unit_id LEFT JOIN units t ON t.id = p.township_id LEFT JOIN users us ON us.id = p.leader_user_id";

pub(crate) fn bad(w: &str) -> DomainError {
    DomainError::new(ErrorCode::Internal).with_detail(format!("project {w}"))
}

pub(crate) fn stage_of(s: &str) -> Result<Stage> {
    Ok(Stage::parse(s).ok_or_else(|| bad("stage"))?)
}

pub(crate) fn project(r: &impl crate::rows::Fields) -> Result<Project> {
    Ok(Project {
        id: get_i64(r, "id")?,
        code: get_opt_str(r, "code")?,
        code_warning: get_opt_str(r, "code_warning")?,
        name: get_str(r, "name")?,
        investor: get_str(r, "investor")?,
        investment: Investment::parse(&get_str(r, "investment")?).ok_or_else(|| bad("investment"))?,
        route: Route::parse(&get_str(r, "route")?).ok_or_else(|| bad("route"))?,
        template: get_str(r, "template")?,
        industry: Industry::parse(&get_str(r, "industry")?).ok_or_else(|| bad("industry"))?,
        scope: get_str(r, "scope")?,
        total: Yuan(get_i64(r, "total_yuan")?),
        land_mu: get_i64(r, "land_mu")?,
        township_id: get_opt_i64(r, "township_id")?,
        township_name: get_opt_str(r, "township_name")?,
        leader_user_id: get_opt_i64(r, "leader_user_id")?,
        leader_name: get_opt_str(r, "leader_name")?,
        lead_unit_id: get_i64(r, "lead_unit_id")?,
        lead_unit_name: get_str(r, "lead_unit_name")?,
        stage: stage_of(&get_str(r, "stage")?)?,
        reached: stage_of(&get_str(r, "reached")?)?,
        paused_from: get_opt_str(r, "paused_from")?.map(|s| stage_of(&s)).transpose()?,
        stage_since: get_str(r, "stage_since")?,
        planned_sign_on: get_opt_str(r, "planned_sign_on")?,
        planned_start_on: get_opt_str(r, "planned_start_on")?,
        planned_complete_on: get_opt_str(r, "planned_complete_on")?,
        signed_on: get_opt_str(r, "signed_on")?,
        landed_on: get_opt_str(r, "landed_on")?,
        started_on: get_opt_str(r, "started_on")?,
        completed_on: get_opt_str(r, "completed_on")?,
        end_reason: get_opt_str(r, "end_reason")?,
        in_library: get_i64(r, "in_library")? != 0,
        light: get_str(r, "light")?,
        version: get_i64(r, "version")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Project>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE p.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(project).transpose()
}

pub(crate) async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Option<Project>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE p.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(project).transpose()
}

/// Projects' names by id (those found), a query per 500.
pub async fn names(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let rows = sqlx::query(&format!("SELECT id, name FROM projects WHERE id IN ({})", list.join(", "))).fetch_all(db.pool()).await?;
        for r in rows {
            out.insert(get_i64(&r, "id")?, get_str(&r, "name")?);
        }
    }
    Ok(out)
}

/// The project holding a code, if any (a code names one project).
pub async fn by_code(db: &Db, code: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM projects WHERE code = $1").bind(code).fetch_optional(db.pool()).await?;
    row.map(|r| get_i64(&r, "id")).transpose()
}
