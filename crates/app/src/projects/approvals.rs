//! Approval items: started from the project's template (each item addressed to the unit the
//! rule `projects.approver.<role>` names), then submitted, paused (专家评议, 委托评估, 补正 …:
//! the clock stands), resumed (the limit moves on by exactly the working days paused), extended
//! once where the item allows, returned (the visit ends; a resubmission starts the next on a
//! fresh clock), approved or refused.

use super::{runs_projects, seen};
use crate::{forbidden, Result, RulesInForce, Who};
use luoshi_domain::duty::{light, may_given, working_days_left, Clock, DueSoon, Light, LightRules, Limit, Pause, Phase, Standing, Workflow};
use luoshi_domain::projects::approval::{ends_visit, needs_reason};
use luoshi_domain::projects::{template, ApprovalAction, ApprovalFacts, ApprovalFlow, ApprovalSide, ApprovalState, PauseKind};
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::projects::approvals::{self as store, Approval, Effects, NewApproval, PauseRow, Visit};
use luoshi_storage::projects::Project;
use luoshi_storage::{calendar, duty::trail, units, Db};
use serde::{Deserialize, Serialize};

/// Start a project's approvals under its template (once): the items it applies, each waiting
/// for the applicant's submission. Their ids.
pub async fn start(db: &Db, who: &Who, project_id: i64, now: i64) -> Result<Vec<i64>> {
    let today = local_date(now);
    let (p, paths) = seen(db, who, project_id, today).await?;
    if !(runs_projects(who, &paths.office) || who.acts_for(&paths.lead)) {
        return Err(forbidden());
    }
    if !store::of_project(db, project_id).await?.is_empty() {
        return Err(DomainError::field(ErrorCode::Conflict, "approvals").with_detail("started").into());
    }
    let tpl = template::shipped()?.into_iter().find(|t| t.code == p.template).ok_or_else(|| DomainError::invalid("template"))?;
    let rules = RulesInForce::load(db, today).await?;
    let mut items = Vec::new();
    for it in &tpl.items {
        let key = format!("projects.approver.{}", it.approver);
        let name = rules.text(&key).unwrap_or_default();
        let unit = crate::unit_named(db, &name, &key).await?;
        items.push(NewApproval {
            stage: it.stage,
            item: it.code.clone(),
            name: it.zh.clone(),
            unit_id: unit.id,
            limit_days: it.limit,
            extension_days: it.extension,
        });
    }
    let mut tx = db.begin_write().await?;
    let ids = store::create_many(&mut tx, &who.actor, project_id, &p.name, p.lead_unit_id, &items, now).await?;
    tx.commit().await?;
    Ok(ids)
}

/// An item the caller may see (through its project, or as its approving unit), with the sides
/// it holds.
async fn seen_item(db: &Db, who: &Who, id: i64, now: i64) -> Result<(Approval, Project, Vec<ApprovalSide>)> {
    let a = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("approval"))?;
    let (p, paths) = seen(db, who, a.project_id, local_date(now)).await.map_err(|_| DomainError::not_found("approval"))?;
    let unit_path = units::get(db, a.unit_id).await?.map(|u| u.path).unwrap_or_default();
    let mut sides = Vec::new();
    if who.acts_for(&paths.lead) || runs_projects(who, &paths.office) {
        sides.push(ApprovalSide::Applicant);
    }
    if who.acts_for(&unit_path) {
        sides.push(ApprovalSide::Approver);
    }
    Ok((a, p, sides))
}

fn facts(a: &Approval) -> ApprovalFacts {
    ApprovalFacts { extension_days: a.extension_days, extended: a.extended }
}

/// The clock of the current visit: from its start, the limit (with the extension if granted),
/// its pauses.
pub fn clock(a: &Approval, pauses: &[PauseRow]) -> Option<Clock> {
    let start = a.visit_started_at?;
    let limit = a.limit_days + if a.extended { a.extension_days } else { 0 };
    let mut c = Clock::new(start, Limit::WorkingDays(limit));
    c.pauses = pauses.iter().filter(|p| p.visit == a.visits).map(|p| Pause { from: p.from_at, to: p.to_at }).collect();
    Some(c)
}

/// An item's light as the core computes it for every kind (due soon by the rule).
pub(crate) fn light_now(a: &Approval, cal: &luoshi_domain::calendar::Calendar, due_soon: i64, now: i64) -> Light {
    let phase = ApprovalFlow::phase(a.state);
    let left = a.due_at.map(|d| working_days_left(cal, local_date(now), local_date(d - 1)));
    let rules = LightRules { due_soon: DueSoon::WorkingDays(due_soon), yellow_behind_points: 100.0, red_behind_points: 100.0 };
    let s = Standing { phase, clock_runs: ApprovalFlow::clock_runs(a.state), due: a.due_at, now, working_days_left: left, behind_points: 0.0, flagged: false };
    if phase == Phase::Drafted {
        return Light::None;
    }
    light(&s, &rules)
}

/// An action on an item as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemInput {
    #[serde(default)]
    pub action: String,
    /// For a pause: `expert_review`, `assessment`, `correction`, `hearing`.
    #[serde(default)]
    pub pause_kind: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub version: Option<i64>,
}

/// Act on an item; the item as saved.
pub async fn act(db: &Db, who: &Who, id: i64, input: &ItemInput, now: i64) -> Result<Approval> {
    // The record first: an id the caller may not see is not found, whatever the input.
    let (before, p, sides) = seen_item(db, who, id, now).await?;
    let action = ApprovalAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action"))?;
    let reason = input.reason.trim();
    let kind =
        if action == ApprovalAction::Pause { Some(PauseKind::parse(&input.pause_kind).ok_or_else(|| DomainError::invalid("pause_kind"))?) } else { None };
    if !may_given::<ApprovalFlow>(before.state, &sides, &facts(&before)).contains(&action) {
        return Err(if sides.is_empty() { forbidden() } else { DomainError::field(ErrorCode::Conflict, "state").with_detail(before.state.as_str()).into() });
    }
    if input.version.is_some_and(|v| v != before.version) {
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("version").into());
    }
    if needs_reason(action) && reason.is_empty() {
        return Err(DomainError::required("reason").into());
    }
    let mut after = before.clone();
    after.state = ApprovalFlow::apply(action, before.state, &facts(&before))?;
    after.last_reason = (!reason.is_empty()).then(|| reason.to_string()).or(before.last_reason.clone());
    let day = luoshi_domain::time::local_date(now).format("%Y-%m-%d").to_string();
    let mut fx = Effects::default();
    match action {
        ApprovalAction::Submit => {
            after.visits += 1;
            after.visit_started_at = Some(now);
            after.extended = false;
            fx.open_visit = Some((p.id, p.template.as_str(), day.as_str()));
        }
        ApprovalAction::Pause => fx.pause = kind.map(|k| (k, reason)),
        ApprovalAction::Resume => fx.resume = true,
        ApprovalAction::Extend => after.extended = true,
        ApprovalAction::Approve | ApprovalAction::Refuse => after.decided_at = Some(now),
        ApprovalAction::Return => {}
    }
    if ends_visit(action) {
        fx.close_visit = Some(action.as_str());
    }
    let cal = calendar::load(db).await?;
    // The limit as of now: none while paused or with the applicant, else the visit's clock.
    let (_, mut pauses) = store::history(db, id).await?;
    if fx.resume {
        for q in pauses.iter_mut().filter(|q| q.to_at.is_none()) {
            q.to_at = Some(now);
        }
    }
    after.due_at = match after.state {
        ApprovalState::Reviewing => clock(&after, &pauses).map(|c| c.due(&cal, now)).transpose()?,
        _ => None,
    };
    let due_soon = RulesInForce::load(db, local_date(now)).await?.int("approval.light.due_soon_working_days").unwrap_or(3);
    let lit = light_now(&after, &cal, due_soon, now);
    let title = format!("{}·{}", p.name, before.name);
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &before, &after, &fx, action.as_str(), (!reason.is_empty()).then_some(reason), lit, (&title, p.lead_unit_id), now).await?;
    tx.commit().await?;
    Ok(store::get(db, id).await?.unwrap_or(after))
}

/// An item's page.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub item: Approval,
    pub project_name: String,
    pub visits: Vec<Visit>,
    pub pauses: Vec<PauseRow>,
    /// Working days of every visit, summed, and the number of visits (dwell).
    pub dwell_days: i64,
    /// Working days left on the current visit's clock (negative once overdue).
    pub days_left: Option<i64>,
    pub trail: Vec<trail::Step>,
    pub may: Vec<ApprovalAction>,
}

pub async fn item(db: &Db, who: &Who, id: i64, now: i64) -> Result<ItemView> {
    let (a, p, sides) = seen_item(db, who, id, now).await?;
    let (visits, pauses) = store::history(db, id).await?;
    let cal = calendar::load(db).await?;
    let today = local_date(now);
    let dwell_days = visits
        .iter()
        .map(|v| {
            let from = chrono::NaiveDate::parse_from_str(&v.started_on, "%Y-%m-%d").unwrap_or(today);
            let to = v.ended_on.as_deref().and_then(|e| chrono::NaiveDate::parse_from_str(e, "%Y-%m-%d").ok()).unwrap_or(today);
            working_days_left(&cal, from, to).max(0)
        })
        .sum();
    let days_left = a.due_at.map(|d| working_days_left(&cal, today, local_date(d - 1)));
    let may = may_given::<ApprovalFlow>(a.state, &sides, &facts(&a));
    Ok(ItemView { project_name: p.name, visits, pauses, dwell_days, days_left, trail: trail::of(db, ApprovalFlow::KIND, id).await?, may, item: a })
}

/// The items of a project with their days left.
pub async fn of_project(db: &Db, project_id: i64, cal: &luoshi_domain::calendar::Calendar, now: i64) -> Result<Vec<(Approval, Option<i64>)>> {
    let today = local_date(now);
    Ok(store::of_project(db, project_id)
        .await?
        .into_iter()
        .map(|a| {
            let left = a.due_at.map(|d| working_days_left(cal, today, local_date(d - 1)));
            (a, left)
        })
        .collect())
}
