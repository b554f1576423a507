//! 筛选: the desk hands a proposal to a department for its 必要性/现实性/可能性 (a duty with a
//! deadline from rule `livelihood.assess_working_days`), the department assesses it, and the
//! desk lists it as a candidate — only when no exclusion rule in force applies and the
//! candidates' county money stays within the year's pool — or excludes, reserves, merges it.

use super::proposals::{check_may, seen};
use super::year_settings;
use crate::{Result, RulesInForce, Who};
use luoshi_domain::duty::{end_of_day, light, working_days_left, DueSoon, Light, LightRules, Standing, Workflow};
use luoshi_domain::error::required_text;
use luoshi_domain::livelihood::{exclusions, fits_pool, AssessmentInput, DebtStanding, Exclusion, ProposalAction, ProposalFlow, ProposalState};
use luoshi_domain::money::Fen;
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::livelihood::proposals::{self as store, Change, Filter, ProposalRow};
use luoshi_storage::{calendar, units, Db};
use serde::Deserialize;

/// An action as typed: the department and deadline (交办), the assessment (论证), the reason,
/// the proposal to merge into.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActInput {
    #[serde(default)]
    pub action: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub reason: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub merge_into: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub version: Option<i64>,
    #[serde(flatten)]
    pub assessment: AssessmentInput,
}

fn light_of(cal: &luoshi_domain::calendar::Calendar, state: ProposalState, due_at: Option<i64>, now: i64) -> Light {
    let left = due_at.map(|d| working_days_left(cal, local_date(now), local_date(d - 1)));
    let s = Standing {
        phase: ProposalFlow::phase(state),
        clock_runs: ProposalFlow::clock_runs(state),
        due: due_at,
        now,
        working_days_left: left,
        behind_points: 0.0,
        flagged: false,
    };
    light(&s, &LightRules { due_soon: DueSoon::WorkingDays(3), yellow_behind_points: 100.0, red_behind_points: 100.0 })
}

/// The exclusion rules in force.
fn in_force(rules: &RulesInForce) -> Vec<Exclusion> {
    rules.list("livelihood.exclusions").iter().filter_map(|c| Exclusion::parse(c)).collect()
}

/// What shortlisting a proposal would refuse, for the desk's page: the rules that exclude it.
pub async fn excluded_by(db: &Db, p: &ProposalRow, debt: DebtStanding, now: i64) -> Result<Vec<Exclusion>> {
    let Some(a) = p.assessment.as_deref().and_then(|j| serde_json::from_str(j).ok()) else { return Ok(Vec::new()) };
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let block = (rules.num("livelihood.debt_block_percent").unwrap_or(300.0) * 100.0).round() as i64;
    Ok(exclusions(&a, &in_force(&rules), debt, block))
}

/// Take an action on a proposal. `debt` is the debt book's standing (read by the integration
/// room, `links::livelihood_debt`) that the shortlist's rule consults.
pub async fn act(db: &Db, who: &Who, id: i64, input: &ActInput, debt: DebtStanding, now: i64) -> Result<ProposalState> {
    let today = local_date(now);
    let (a, o, p) = seen(db, who, id, now).await?;
    let action = ProposalAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action").with_detail(input.action.trim().to_string()))?;
    if matches!(action, ProposalAction::Choose | ProposalAction::Reject) {
        // Only a certified vote decides.
        return Err(crate::forbidden());
    }
    let after = check_may(&a, who, &p, action)?;
    if input.version.is_some_and(|v| v != p.version) {
        return Err(DomainError::field(ErrorCode::Conflict, "version").into());
    }
    let cal = calendar::load(db).await?;
    let rules = RulesInForce::load(db, today).await?;
    let reason = if luoshi_domain::livelihood::flow::needs_reason(action) { Some(required_text("reason", &input.reason, 500)?) } else { None };
    let mut c = Change { action: action.as_str(), reason: reason.as_deref(), ..Change::default() };
    match action {
        ProposalAction::Assign => {
            let unit = input.unit_id.ok_or_else(|| DomainError::required("unit_id"))?;
            units::get(db, unit).await?.ok_or_else(|| DomainError::invalid("unit_id"))?;
            let n = rules.int("livelihood.assess_working_days").unwrap_or(15);
            let due = cal.add_working_days(today, n).unwrap_or(today + chrono::Duration::days(n * 7 / 5));
            c.unit_id = Some(unit);
            c.due_at = Some(end_of_day(due));
        }
        ProposalAction::Assess => {
            let year = i32::try_from(p.year).unwrap_or(2027);
            let x = input.assessment.validate(year)?;
            c.cost = Some(x.cost);
            c.county = Some(x.county);
            c.assessment = serde_json::to_string(&x).ok();
        }
        ProposalAction::Shortlist => shortlistable(db, &p, debt, &rules, now).await?,
        ProposalAction::Merge => {
            let into = input.merge_into.ok_or_else(|| DomainError::required("merge_into"))?;
            let target = store::get(db, into).await?.filter(|t| t.id != p.id && t.year == p.year && t.state != ProposalState::Merged);
            if target.is_none() {
                return Err(DomainError::invalid("merge_into").with_detail(into.to_string()).into());
            }
            c.merged_into = Some(into);
        }
        ProposalAction::Return
        | ProposalAction::Withdraw
        | ProposalAction::Exclude
        | ProposalAction::Reserve
        | ProposalAction::Choose
        | ProposalAction::Reject => {}
    }
    let light = light_of(&cal, after, c.due_at.or(p.due_at), now);
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &p, after, &c, o.desk.id, light, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Refuse a shortlist the rules exclude (naming the first rule) or the pool cannot hold.
async fn shortlistable(db: &Db, p: &ProposalRow, debt: DebtStanding, rules: &RulesInForce, now: i64) -> Result<()> {
    let hits = excluded_by(db, p, debt, now).await?;
    if let Some(first) = hits.first() {
        return Err(DomainError::field(ErrorCode::Invalid, "exclusion").with_detail(first.as_str().to_string()).into());
    }
    let year = year_settings(db, i32::try_from(p.year).unwrap_or(2027), local_date(now)).await?;
    if year.capacity.0 <= 0 {
        return Err(DomainError::required("capacity_wan").into());
    }
    let listed: Fen =
        store::list(db, &Filter { year: Some(p.year), states: vec![ProposalState::Candidate, ProposalState::Chosen], limit: 5000, ..Filter::default() })
            .await?
            .iter()
            .map(|c| c.county)
            .sum();
    let pool = rules.int("livelihood.candidate_pool_percent").unwrap_or(150);
    fits_pool(listed, p.county, year.capacity, pool)?;
    Ok(())
}
