//! 启动响应: a plan activated at a level turns its matrix into assignments for every named
//! unit (the lines of that level and every lower one: a graver event engages everyone a
//! lighter one does), and activates with it the lower plans it links from that level (a
//! township's plan assigning its villages), each under the one that brought it. Every
//! assignment goes first to the unit's person on duty today, with the sign-in limit of the
//! rules and the report limits of its matrix line; all of it in one transaction.

use super::incidents::{rules_minutes, seen};
use crate::{forbidden, ymd, Result, RulesInForce, Who};
use luoshi_domain::duty::Workflow;
use luoshi_domain::emergencies::assignment::{next_due, Limits};
use luoshi_domain::emergencies::incident::IncidentFacts;
use luoshi_domain::emergencies::{AssignmentState, IncidentAction, IncidentFlow, Level, PlanFlow};
use luoshi_domain::time::local_date;
use luoshi_domain::DomainError;
use luoshi_storage::emergencies::assignments::{self as assigned, Assignment};
use luoshi_storage::emergencies::incidents::{self as store, Incident};
use luoshi_storage::emergencies::plans::{self as plans, MatrixRow, Plan};
use luoshi_storage::emergencies::roster;
use luoshi_storage::Db;
use std::collections::{HashMap, HashSet};

/// One plan to activate: the plan, the plan that brought it (none for the one chosen).
struct Step {
    plan: Plan,
    parent: Option<i64>,
}

/// The plan and every plan linked below it from `level` up, breadth first, each once; plans
/// not in force are left out (and named).
async fn cascade(db: &Db, top: Plan, level: Level) -> Result<(Vec<Step>, Vec<String>)> {
    let all: HashMap<i64, Plan> = plans::list(db).await?.into_iter().map(|p| (p.id, p)).collect();
    let mut out = vec![Step { plan: top.clone(), parent: None }];
    let mut seen: HashSet<i64> = HashSet::from([top.id]);
    let mut skipped = Vec::new();
    let mut frontier = vec![top.id];
    while !frontier.is_empty() {
        let links = plans::links_of(db, &frontier).await?;
        frontier.clear();
        for (parent, at, child) in links {
            // A link set at level Ⅲ activates its plan at Ⅲ and every graver level.
            if at.number() < level.number() || !seen.insert(child) {
                continue;
            }
            let Some(p) = all.get(&child) else { continue };
            if !PlanFlow::clock_runs(p.state) {
                skipped.push(p.title.clone());
                continue;
            }
            out.push(Step { plan: p.clone(), parent: Some(parent) });
            frontier.push(child);
        }
    }
    Ok((out, skipped))
}

/// The matrix lines that apply at `level` (their level and every graver one).
fn applies(m: &MatrixRow, level: Level) -> bool {
    m.level.number() >= level.number()
}

/// What an activation wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Activated {
    pub plans: usize,
    pub assignments: usize,
    /// Linked plans not in force, left out.
    pub skipped: Vec<String>,
}

/// Activate a plan for an incident at a level (the incident's by default).
pub async fn activate(db: &Db, who: &Who, incident_id: i64, plan_id: Option<i64>, level: Option<Level>, now: i64) -> Result<Activated> {
    let (i, command) = seen(db, who, incident_id).await?;
    if !command {
        return Err(forbidden());
    }
    let plan_id = plan_id.ok_or_else(|| DomainError::required("plan_id"))?;
    let level = level.or(i.level).ok_or_else(|| DomainError::required("response_level"))?;
    let state = IncidentFlow::apply(IncidentAction::Activate, i.state, &IncidentFacts { level: i.level })?;
    let top = plans::get(db, plan_id).await?.ok_or_else(|| DomainError::invalid("plan_id"))?;
    if !PlanFlow::clock_runs(top.state) {
        return Err(DomainError::invalid("plan_id").with_detail(format!("not in force: {}", top.state.as_str())).into());
    }
    if store::activations(db, incident_id).await?.iter().any(|a| a.plan_id == plan_id && a.ended_at.is_none()) {
        return Err(DomainError::field(luoshi_domain::ErrorCode::Duplicate, "plan_id").into());
    }
    let (steps, skipped) = cascade(db, top.clone(), level).await?;
    let mut tx = db.begin_write().await?;
    let n = write_steps(db, &mut tx, who, &i, &steps, level, &HashSet::new(), now).await?;
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let mut after = Incident { state, updated_at: now, ..i.clone() };
    if i.level != Some(level) {
        after.level = Some(level);
        after.lead = Some(super::lead_of(&rules, level));
    }
    let mut text = format!("{}（{}级）：{}个预案，{}项任务", top.title, level.roman(), steps.len(), n);
    if !skipped.is_empty() {
        text += &format!("；未生效未启动：{}", skipped.join("、"));
    }
    store::save(&mut tx, &who.actor, &i, &after, IncidentAction::Activate.as_str(), Some(&text), now).await?;
    // An incident reported from below: the county that reported it hears of the activation.
    super::report_up::activation_down(db, &mut tx, who, &after, &text, now).await?;
    tx.commit().await?;
    Ok(Activated { plans: steps.len(), assignments: n, skipped })
}

/// Write an activation row per plan and its assignments, leaving out the (plan, line) pairs
/// already assigned; how many assignments.
#[expect(clippy::too_many_arguments, reason = "the incident, its plans, the level and what is already assigned")]
async fn write_steps(
    db: &Db,
    tx: &mut luoshi_storage::WriteTx,
    who: &Who,
    i: &Incident,
    steps: &[Step],
    level: Level,
    assigned_already: &HashSet<(i64, i64, String)>,
    now: i64,
) -> Result<usize> {
    let today = local_date(now);
    let on_duty = roster::first_on(db, &ymd(today)).await?;
    let sign = rules_minutes(db, "emergencies.sign_minutes", 15, today).await?;
    let ids: Vec<i64> = steps.iter().map(|s| s.plan.id).collect();
    let mut matrix: HashMap<i64, Vec<MatrixRow>> = HashMap::new();
    for (p, m) in plans::matrix_of(db, &ids).await? {
        matrix.entry(p).or_default().push(m);
    }
    let mut activation_of: HashMap<i64, i64> = HashMap::new();
    let mut rows: Vec<Assignment> = Vec::new();
    let mut seq = 0;
    for s in steps {
        let lines: Vec<&MatrixRow> = matrix
            .get(&s.plan.id)
            .map(|m| m.iter().filter(|m| applies(m, level) && !assigned_already.contains(&(s.plan.id, m.unit_id, m.task.clone()))).collect())
            .unwrap_or_default();
        if lines.is_empty() && !assigned_already.is_empty() {
            continue;
        }
        let parent = s.parent.and_then(|p| activation_of.get(&p).copied());
        let act = store::insert_activation(tx, i.id, s.plan.id, level, parent, &who.actor.name, now).await?;
        activation_of.insert(s.plan.id, act);
        let parent_unit = s.parent.map(|_| s.plan.owner_unit_id);
        for m in lines {
            seq += 1;
            let limits = Limits { sign_minutes: sign, first_report_minutes: m.first_report_minutes, followup_minutes: m.followup_minutes };
            let duty = on_duty.get(&m.unit_id);
            rows.push(Assignment {
                id: 0,
                incident_id: i.id,
                activation_id: act,
                seq,
                plan_id: s.plan.id,
                unit_id: m.unit_id,
                unit_name: m.unit_name.clone(),
                parent_unit_id: parent_unit,
                role: m.role.clone(),
                task: m.task.clone(),
                addressee: duty.map(|d| d.person.clone()).unwrap_or_default(),
                addressee_phone: duty.map(|d| d.phone.clone()).unwrap_or_default(),
                state: AssignmentState::Assigned,
                sign_minutes: sign,
                first_report_minutes: m.first_report_minutes,
                followup_minutes: m.followup_minutes,
                assigned_at: now,
                due_at: next_due(AssignmentState::Assigned, now, now, &limits),
                signed_at: None,
                last_report_at: None,
                reports: 0,
                last_report: None,
                end_reason: None,
                updated_at: now,
            });
        }
    }
    assigned::insert_many(tx, &who.actor, &i.title, &rows, now).await?;
    Ok(rows.len())
}

/// 调整响应级别 with plans in force: at a graver level the lines and linked plans that now
/// apply are assigned (under a new activation of each plan); at a lighter one the assignments
/// whose lines no longer apply are stood down with the reason. The report upward is due again.
pub async fn relevel(db: &Db, who: &Who, i: &Incident, level: Level, now: i64) -> Result<()> {
    let old = i.level.ok_or_else(|| DomainError::required("level"))?;
    let acts = store::activations(db, i.id).await?;
    let tops: Vec<i64> = acts.iter().filter(|a| a.parent_id.is_none() && a.ended_at.is_none()).map(|a| a.plan_id).collect();
    let current = assigned::of_incident(db, i.id).await?;
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let mut tx = db.begin_write().await?;
    let mut text = format!("{}级→{}级", old.roman(), level.roman());
    if level.number() < old.number() {
        let done: HashSet<(i64, i64, String)> =
            current.iter().filter(|a| a.state != AssignmentState::StoodDown).map(|a| (a.plan_id, a.unit_id, a.task.clone())).collect();
        let mut n = 0;
        let mut plans_n = 0;
        for top in tops {
            let Some(p) = plans::get(db, top).await? else { continue };
            let (steps, _) = cascade(db, p, level).await?;
            plans_n += steps.len();
            n += write_steps(db, &mut tx, who, i, &steps, level, &done, now).await?;
        }
        text += &format!("：新增{n}项任务（{plans_n}个预案）");
    } else {
        // Lines that apply only at graver levels than the new one end.
        let ids: Vec<i64> = acts.iter().map(|a| a.plan_id).collect();
        let keep: HashSet<(i64, i64, String)> =
            plans::matrix_of(db, &ids).await?.into_iter().filter(|(_, m)| applies(m, level)).map(|(p, m)| (p, m.unit_id, m.task)).collect();
        let drop: Vec<i64> = current.iter().filter(|a| !keep.contains(&(a.plan_id, a.unit_id, a.task.clone()))).map(|a| a.id).collect();
        let reason = format!("响应级别调整为{}级", level.roman());
        let n = assigned::stand_down(&mut tx, &who.actor, i.id, Some(&drop), &reason, now).await?;
        text += &format!("：{n}项任务终止");
    }
    let mut after = Incident { level: Some(level), lead: Some(super::lead_of(&rules, level)), updated_at: now, ..i.clone() };
    after.due_at = Some(now + rules.int("emergencies.report_up_minutes").unwrap_or(60) * 60_000_000);
    store::save(&mut tx, &who.actor, i, &after, IncidentAction::ChangeLevel.as_str(), Some(&text), now).await?;
    super::report_up::activation_down(db, &mut tx, who, &after, &text, now).await?;
    tx.commit().await?;
    Ok(())
}
