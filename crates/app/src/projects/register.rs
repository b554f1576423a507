//! Registering and editing a project: every field checked and named when refused, the project
//! code read in either published form (a check character that disagrees is kept as a warning),
//! the 入库 threshold of its industry applied, and on a project past 洽谈 every change of a
//! planned value (dates, total, scope) kept as a deviation with its written reason.

use super::{light_of, next_due, office, runs_projects};
use crate::{forbidden, ymd, Result, RulesInForce, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::duty::Light;
use luoshi_domain::error::{optional_text, required_text};
use luoshi_domain::projects::{read_mu, template, Industry, Investment, ProjectCode, Route, Stage, Yuan};
use luoshi_domain::unit::UnitKind;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::projects::{self as store, Change, Fund, NewProject, Project};
use luoshi_storage::{units, users, Db};
use serde::Deserialize;

/// A funding source as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FundInput {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub planned_wan: String,
    #[serde(default)]
    pub in_place_wan: String,
}

/// A project as typed (form or JSON); amounts in 万元.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub investor: String,
    #[serde(default)]
    pub investment: String,
    #[serde(default)]
    pub route: String,
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub total_wan: String,
    #[serde(default)]
    pub land_mu: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub township_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub leader_user_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub lead_unit_id: Option<i64>,
    /// The stage it enters the ledger in (洽谈 unless entered after the fact) and since when.
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub planned_sign_on: String,
    #[serde(default)]
    pub planned_start_on: String,
    #[serde(default)]
    pub planned_complete_on: String,
    /// This year's planned investment.
    #[serde(default)]
    pub annual_plan_wan: String,
    #[serde(default)]
    pub funds: Vec<FundInput>,
    /// Why planned values change (required on a project past 洽谈 when they do).
    #[serde(default)]
    pub change_reason: String,
}

fn opt_date(b: &luoshi_domain::plausible::DateBounds, field: &str, s: &str) -> std::result::Result<Option<String>, DomainError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    b.parse(field, s).map(|d| Some(ymd(d)))
}

/// Check a project as typed: the project to write, the code's warning (if any) and this year's plan.
pub(crate) async fn checked(db: &Db, input: &ProjectInput, today: NaiveDate, own_id: Option<i64>) -> Result<NewProject> {
    let name = required_text("name", &input.name, 100)?;
    let investor = required_text("investor", &input.investor, 100)?;
    let investment = Investment::parse(&input.investment).ok_or_else(|| DomainError::invalid("investment"))?;
    let route = Route::parse(&input.route).ok_or_else(|| DomainError::invalid("route"))?;
    if investment == Investment::Government && route != Route::Approval {
        return Err(DomainError::invalid("route").with_detail("government investment is approved (审批)").into());
    }
    let industry = Industry::parse(&input.industry).ok_or_else(|| DomainError::invalid("project_industry"))?;
    let scope = optional_text("scope", &input.scope, 2000)?.unwrap_or_default();
    let total = Yuan::from_wan(&input.total_wan, "total_wan")?;
    if total.0 <= 0 {
        return Err(DomainError::field(ErrorCode::OutOfRange, "total_wan").into());
    }
    let land_mu = read_mu(&input.land_mu)?;
    let (code, code_warning) = if input.code.trim().is_empty() {
        (None, None)
    } else {
        let (c, _) = ProjectCode::parse(&input.code)?;
        if let Some(other) = store::by_code(db, c.as_str()).await? {
            if Some(other) != own_id {
                return Err(DomainError::field(ErrorCode::Duplicate, "code").with_detail(c.as_str().to_string()).into());
            }
        }
        let warning = (c.check_agrees() == Some(false)).then(|| "code_check_unverified".to_string());
        (Some(c.as_str().to_string()), warning)
    };
    let templates = template::shipped()?;
    let tpl = if input.template.trim().is_empty() { template::default_for(investment, route).to_string() } else { input.template.trim().to_string() };
    if !templates.iter().any(|t| t.code == tpl) {
        return Err(DomainError::invalid("template").with_detail(tpl).into());
    }
    let lead = input.lead_unit_id.ok_or_else(|| DomainError::required("lead_unit_id"))?;
    units::get(db, lead).await?.ok_or_else(|| DomainError::invalid("lead_unit_id"))?;
    if let Some(t) = input.township_id {
        let u = units::get(db, t).await?.ok_or_else(|| DomainError::invalid("township_id"))?;
        if u.kind != UnitKind::Township {
            return Err(DomainError::invalid("township_id").into());
        }
    }
    if let Some(l) = input.leader_user_id {
        let (u, _) = users::get_in_scope(db, &luoshi_domain::access::Scope::All, l).await.map_err(|_| DomainError::invalid("leader_user_id"))?;
        if u.role != Role::Leader {
            return Err(DomainError::invalid("leader_user_id").with_detail("not a leader").into());
        }
    }
    let stage = if input.stage.trim().is_empty() { Stage::Negotiating } else { Stage::parse(&input.stage).ok_or_else(|| DomainError::invalid("stage"))? };
    if matches!(stage, Stage::Paused | Stage::Terminated) {
        return Err(DomainError::invalid("stage").into());
    }
    let b = crate::date_bounds(db, today).await?;
    let since = opt_date(&b, "since", &input.since)?.unwrap_or_else(|| ymd(today));
    if since > ymd(today) {
        return Err(DomainError::field(ErrorCode::OutOfRange, "since").with_detail(ymd(today)).into());
    }
    let sign = opt_date(&b, "planned_sign_on", &input.planned_sign_on)?;
    let start = opt_date(&b, "planned_start_on", &input.planned_start_on)?;
    let complete = opt_date(&b, "planned_complete_on", &input.planned_complete_on)?;
    if let (Some(s), Some(t)) = (&sign, &start) {
        if t < s {
            return Err(DomainError::field(ErrorCode::OutOfRange, "planned_start_on").with_detail(s.clone()).into());
        }
    }
    if let (Some(s), Some(c)) = (&start, &complete) {
        if c < s {
            return Err(DomainError::field(ErrorCode::OutOfRange, "planned_complete_on").with_detail(s.clone()).into());
        }
    }
    let mut funds = Vec::new();
    for f in input.funds.iter().filter(|f| !(f.source.trim().is_empty() && f.planned_wan.trim().is_empty())) {
        let source = required_text("funds", &f.source, 50)?;
        let planned = Yuan::from_wan(&f.planned_wan, "funds")?;
        let in_place = if f.in_place_wan.trim().is_empty() { Yuan(0) } else { Yuan::from_wan(&f.in_place_wan, "funds")? };
        if in_place > planned {
            return Err(DomainError::field(ErrorCode::OutOfRange, "funds").with_detail(source).into());
        }
        funds.push(Fund { source, planned, in_place });
    }
    if funds.iter().map(|f| f.planned.0).sum::<i64>() > total.0 {
        return Err(DomainError::field(ErrorCode::OutOfRange, "funds").with_detail(total.wan()).into());
    }
    let plans = if input.annual_plan_wan.trim().is_empty() {
        Vec::new()
    } else {
        vec![(i64::from(today.year()), Yuan::from_wan(&input.annual_plan_wan, "annual_plan_wan")?)]
    };
    let rules = RulesInForce::load(db, today).await?;
    let threshold = rules.num(&format!("projects.threshold.{}", industry.as_str())).unwrap_or(0.0);
    let in_library = total.0 as f64 >= threshold * 10_000.0;
    Ok(NewProject {
        code,
        code_warning,
        name,
        investor,
        investment,
        route,
        template: tpl,
        industry,
        scope,
        total,
        land_mu,
        township_id: input.township_id,
        leader_user_id: input.leader_user_id,
        lead_unit_id: lead,
        stage,
        since,
        planned_sign_on: sign,
        planned_start_on: start,
        planned_complete_on: complete,
        in_library,
        funds,
        plans,
    })
}

/// Register a project (the projects office, supervision, administrators).
pub async fn create(db: &Db, who: &Who, input: &ProjectInput, now: i64) -> Result<Project> {
    let today = luoshi_domain::time::local_date(now);
    let n = checked(db, input, today, None).await?;
    if !runs_projects(who, &office(db, today).await?.path) {
        return Err(forbidden());
    }
    let mut tx = db.begin_write().await?;
    let p = store::create(&mut tx, &who.actor, &n, None, Light::Green, now).await?;
    tx.commit().await?;
    // The light needs the stored project (its plan, its stage's age): set it through the same save.
    relight(db, who, &p, now).await
}

/// Store a project's light and limit as of today when they changed (after a write elsewhere).
pub(crate) async fn relight(db: &Db, who: &Who, p: &Project, now: i64) -> Result<Project> {
    let today = luoshi_domain::time::local_date(now);
    let (lit, _) = light_of(db, p, today).await?;
    if lit.as_str() == p.light {
        return Ok(p.clone());
    }
    let mut after = p.clone();
    after.light = lit.as_str().to_string();
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, p, &after, "relight", None, next_due(&after), now).await?;
    tx.commit().await?;
    Ok(store::get(db, p.id).await?.unwrap_or(after))
}

/// Edit a project: the same checks; on a project past 洽谈 each changed planned value is kept
/// as a deviation and needs `change_reason`.
pub async fn update(db: &Db, who: &Who, id: i64, input: &ProjectInput, expected: Option<i64>, now: i64) -> Result<Project> {
    let today = luoshi_domain::time::local_date(now);
    let before = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("project"))?;
    let mut n = checked(db, &ProjectInput { stage: before.stage.as_str().into(), since: before.stage_since.clone(), ..input.clone() }, today, Some(id)).await?;
    if !runs_projects(who, &office(db, today).await?.path) {
        return Err(forbidden());
    }
    if expected.is_some_and(|v| v != before.version) {
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("version").into());
    }
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let mut changes = Vec::new();
    let mut push = |field: &'static str, old: String, new: String| {
        if old != new {
            changes.push(Change { field, old_value: old, new_value: new, reason: String::new() });
        }
    };
    push("planned_sign_on", opt(&before.planned_sign_on), opt(&n.planned_sign_on));
    push("planned_start_on", opt(&before.planned_start_on), opt(&n.planned_start_on));
    push("planned_complete_on", opt(&before.planned_complete_on), opt(&n.planned_complete_on));
    push("total_wan", before.total.wan(), n.total.wan());
    push("scope", before.scope.clone(), n.scope.clone());
    let reason = input.change_reason.trim();
    if before.stage != Stage::Negotiating && !changes.is_empty() && reason.is_empty() {
        return Err(DomainError::required("change_reason").with_detail(changes.iter().map(|c| c.field).collect::<Vec<_>>().join(",")).into());
    }
    let mut after = before.clone();
    after.code = n.code.take();
    after.code_warning = n.code_warning.take();
    after.name = n.name.clone();
    after.investor = n.investor.clone();
    after.industry = n.industry;
    after.template = n.template.clone();
    after.scope = n.scope.clone();
    after.total = n.total;
    after.land_mu = n.land_mu;
    after.township_id = n.township_id;
    after.leader_user_id = n.leader_user_id;
    after.lead_unit_id = n.lead_unit_id;
    after.planned_sign_on = n.planned_sign_on.clone();
    after.planned_start_on = n.planned_start_on.clone();
    after.planned_complete_on = n.planned_complete_on.clone();
    after.in_library = n.in_library;
    let mut tx = db.begin_write().await?;
    store::set_funds(&mut tx, id, &n.funds).await?;
    for (year, planned) in &n.plans {
        store::set_plan(&mut tx, id, *year, *planned).await?;
    }
    if before.stage != Stage::Negotiating {
        for mut c in changes {
            c.reason = reason.to_string();
            store::add_change(&mut tx, id, &who.actor, &c, now).await?;
        }
    }
    store::save(&mut tx, &who.actor, &before, &after, "edit", (!reason.is_empty()).then_some(reason), next_due(&after), now).await?;
    tx.commit().await?;
    let saved = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("project"))?;
    relight(db, who, &saved, now).await
}
