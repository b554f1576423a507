//! 重大项目 use cases: the ledger and each project (a duty of its lead unit), its approval items
//! (duties of the approving units), monthly reports, where projects get stuck and the KPIs.
//! Who may do what: the projects office (rule `projects.office`), the supervision office and
//! administrators register and edit projects, pause, resume and end them; the lead unit
//! (服务专班) and the leader who 包联 a project move it along its pipeline, report monthly and
//! submit its approvals; the approving unit decides its items. What a caller may do comes from
//! the workflows ([`luoshi_domain::duty::may_given`]), never a second list.

pub mod approvals;
pub mod bottleneck;
pub mod io;
pub mod kpis;
pub mod oc4ids;
pub mod register;
pub mod reports;
pub mod stages;
mod view;

pub use view::{view, View};

use crate::{Result, RulesInForce, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::calendar::Calendar;
use luoshi_domain::duty::{end_of_day, working_days_left, Light};
use luoshi_domain::projects::kpi::{self, Facts, LightRules, Why};
use luoshi_domain::projects::{ProjectSide, Stage, Yuan};
use luoshi_domain::unit::Unit;
use luoshi_domain::DomainError;
use luoshi_storage::projects::{self as store, Project};
use luoshi_storage::{units, Db};

/// The projects office: the unit the rule names (发改局 by default).
pub async fn office(db: &Db, day: NaiveDate) -> Result<Unit> {
    crate::rule_unit(db, "projects.office", day).await
}

/// Does the caller run projects for the county (the office, supervision, administrators, the system)?
pub fn runs_projects(who: &Who, office_path: &str) -> bool {
    who.is_supervisor() || who.acts_for(office_path)
}

/// The paths that see a project: its lead unit and its township.
pub(crate) struct Paths {
    pub lead: String,
    pub township: Option<String>,
    pub office: String,
}

pub(crate) async fn paths(db: &Db, p: &Project, today: NaiveDate) -> Result<Paths> {
    let path = |u: Option<Unit>| u.map(|u| u.path).unwrap_or_default();
    let lead = path(units::get(db, p.lead_unit_id).await?);
    let township = match p.township_id {
        Some(t) => Some(path(units::get(db, t).await?)),
        None => None,
    };
    Ok(Paths { lead, township, office: office(db, today).await?.path })
}

/// The sides this caller holds on a project.
pub(crate) fn sides(who: &Who, p: &Project, paths: &Paths) -> Vec<ProjectSide> {
    let mut out = Vec::new();
    if who.acts_for(&paths.lead) || (who.user_id.is_some() && who.user_id == p.leader_user_id) || runs_projects(who, &paths.office) {
        out.push(ProjectSide::Lead);
    }
    if runs_projects(who, &paths.office) {
        out.push(ProjectSide::Office);
    }
    out
}

/// A project the caller may see (its sight holds the lead unit, the township or the leader, or
/// the caller runs projects or decides one of its items); else `not_found`.
pub(crate) async fn seen(db: &Db, who: &Who, id: i64, today: NaiveDate) -> Result<(Project, Paths)> {
    let p = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("project"))?;
    let paths = paths(db, &p, today).await?;
    may_see(db, who, &p, &paths).await?;
    Ok((p, paths))
}

/// [`seen`] for the project's page: the project with every list the page shows, one query.
pub(crate) async fn seen_record(db: &Db, who: &Who, id: i64, today: NaiveDate) -> Result<(store::ProjectRecord, Paths)> {
    let r = store::record(db, id).await?.ok_or_else(|| DomainError::not_found("project"))?;
    let paths = Paths { lead: r.lead_path.clone(), township: r.township_path.clone(), office: office(db, today).await?.path };
    may_see(db, who, &r.project, &paths).await?;
    Ok((r, paths))
}

/// `not_found` unless the caller may see the project.
async fn may_see(db: &Db, who: &Who, p: &Project, paths: &Paths) -> Result<()> {
    let mut all = vec![paths.lead.as_str()];
    all.extend(paths.township.as_deref());
    if who.sight().sees(&all, p.leader_user_id) || runs_projects(who, &paths.office) || approves_any(db, who, p.id).await? {
        return Ok(());
    }
    Err(DomainError::not_found("project").into())
}

/// A project on which the caller may raise a problem for coordination (its lead unit, its
/// leader, the office): for the integration room.
pub async fn seen_for_problem(db: &Db, who: &Who, id: i64, today: NaiveDate) -> Result<Project> {
    let (p, paths) = seen(db, who, id, today).await?;
    if !sides(who, &p, &paths).contains(&ProjectSide::Lead) {
        return Err(crate::forbidden());
    }
    Ok(p)
}

/// Does the caller act for the unit of one of the project's approval items?
async fn approves_any(db: &Db, who: &Who, id: i64) -> Result<bool> {
    if who.unit_id.is_none() {
        return Ok(false);
    }
    // A project's items go to a few approving units: each read once.
    let mut unit_ids: Vec<i64> = store::approvals::of_project(db, id).await?.iter().map(|a| a.unit_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    for unit_id in unit_ids {
        if let Some(u) = units::get(db, unit_id).await? {
            if who.acts_for(&u.path) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The light's thresholds in force.
pub fn light_rules(rules: &RulesInForce) -> LightRules {
    let aging = [Stage::Negotiating, Stage::Signed, Stage::Landing]
        .iter()
        .map(|s| {
            let key = |w: &str| rules.int(&format!("projects.aging.{}.{w}_working_days", s.as_str())).unwrap_or(i64::MAX);
            (*s, key("yellow"), key("red"))
        })
        .collect();
    LightRules {
        start_red_months: u32::try_from(rules.int("projects.light.start_red_months").unwrap_or(3)).unwrap_or(3),
        behind_yellow_points: rules.num("projects.light.behind_yellow_points").unwrap_or(10.0),
        behind_red_points: rules.num("projects.light.behind_red_points").unwrap_or(30.0),
        aging,
    }
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// What the light and the KPIs read of a project: its dates, its money this year and the
/// working days in its current stage.
pub fn facts(p: &Project, cal: &Calendar, invested: Yuan, in_place: Yuan, annual_plan: Yuan, today: NaiveDate) -> Facts {
    let since = date(&Some(p.stage_since.clone())).unwrap_or(today);
    Facts {
        stage: Some(p.stage),
        reached: Some(p.reached),
        signed_on: date(&p.signed_on),
        planned_start_on: date(&p.planned_start_on),
        started_on: date(&p.started_on),
        completed_on: date(&p.completed_on),
        total: p.total,
        in_place,
        invested,
        annual_plan,
        stage_days: working_days_left(cal, since, today).max(0),
    }
}

/// The project's next target (签约, 开工 or 投产), the end of its day: the limit of its clock.
pub fn next_due(p: &Project) -> Option<i64> {
    let target = match p.stage {
        Stage::Negotiating => &p.planned_sign_on,
        Stage::Signed | Stage::Landing => &p.planned_start_on,
        Stage::Started | Stage::Building => &p.planned_complete_on,
        Stage::Operating | Stage::Paused | Stage::Terminated => return None,
    };
    date(target).map(end_of_day)
}

/// A project's money as the light reads it: this year's investment reported, funds in place
/// (sources, else reports) and this year's plan.
pub(crate) async fn money(db: &Db, id: i64, year: i32) -> Result<(Yuan, Yuan, Yuan)> {
    let r = store::record(db, id).await?.ok_or_else(|| DomainError::not_found("project"))?;
    Ok(money_of(&r.reports, &r.funds, &r.plans, year))
}

/// [`money`] from the rows already read.
pub(crate) fn money_of(reports: &[store::reports::Report], funds: &[store::Fund], plans: &[(i64, Yuan)], year: i32) -> (Yuan, Yuan, Yuan) {
    let prefix = format!("{year}-");
    let invested = Yuan(reports.iter().filter(|r| r.month.starts_with(&prefix)).map(|r| r.invested.0).sum());
    let from_sources: i64 = funds.iter().map(|f| f.in_place.0).sum();
    let in_place = Yuan(from_sources.max(reports.iter().map(|r| r.in_place.0).sum()));
    let plan = plans.iter().find(|(y, _)| *y == i64::from(year)).map(|(_, v)| *v).unwrap_or_default();
    (invested, in_place, plan)
}

/// The light of a project today, with its reasons.
pub(crate) async fn light_of(db: &Db, p: &Project, today: NaiveDate) -> Result<(Light, Vec<(Light, Why)>)> {
    let cal = luoshi_storage::calendar::load(db).await?;
    let rules = RulesInForce::load(db, today).await?;
    let (invested, in_place, plan) = money(db, p.id, today.year()).await?;
    Ok(kpi::light(&facts(p, &cal, invested, in_place, plan, today), &light_rules(&rules), today))
}
