//! 安全生产 use cases: the enterprise ledger, hazards found on inspections and their closed loop
//! on the duty core. Who may do what: the regulating department (or the supervision office)
//! grades, closes and reopens; the owner unit records the 五落实 and asks for acceptance; a unit
//! other than the owner that sees the hazard (the regulator, the township) accepts. The actions
//! a caller may take come from the workflow ([`luoshi_domain::duty::may`]), never a second list.

pub mod accidents;
pub mod campaigns;
pub mod enterprise_ledger;
mod enterprises;
pub mod inspections;
pub mod lookback;
pub mod risks;
pub mod stats;

pub use enterprises::{create_enterprise, enterprise_view, EnterpriseInput, EnterpriseView};

use crate::{forbidden, Result, Who};
use chrono::NaiveDate;
use luoshi_domain::duty::{end_of_day, may_given, NoticeLevel, Workflow};
use luoshi_domain::error::optional_text;
use luoshi_domain::hazards::{HazardAction, HazardFacts, HazardFlow, HazardGrade, HazardSide, HazardState};
use luoshi_domain::DomainError;
use luoshi_storage::duty::trail::Step;
use luoshi_storage::hazards::{self as store, Five, Hazard, LedgerFilter, NewHazard};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

/// The paths of the units that see a hazard: owner, regulator, township.
async fn paths(db: &Db, h: &Hazard) -> Result<(String, String, Option<String>)> {
    // From the node's kept unit tree (one version read), not a query per unit.
    let all = units::all(db).await?;
    let path = |id: i64| all.iter().find(|u| u.id == id).map(|u| u.path.clone()).unwrap_or_default();
    Ok((path(h.owner_unit_id), path(h.regulator_unit_id), h.township_id.map(path)))
}

/// The sides this caller holds on this hazard.
fn sides(who: &Who, owner: &str, regulator: &str, township: Option<&str>) -> Vec<HazardSide> {
    // The system (imports, the demo county) records what every side did.
    if who.role.is_none() {
        return vec![HazardSide::Regulator, HazardSide::Owner, HazardSide::Acceptor];
    }
    let mut out = Vec::new();
    let owns = who.acts_for(owner);
    if who.is_supervisor() || who.acts_for(regulator) {
        out.push(HazardSide::Regulator);
    }
    if owns {
        out.push(HazardSide::Owner);
    }
    // 验收 by a unit other than the owner.
    if !owns && (who.is_supervisor() || who.acts_for(regulator) || township.is_some_and(|t| who.acts_for(t))) {
        out.push(HazardSide::Acceptor);
    }
    out
}

/// A hazard the caller may see, with its units' paths; else `not_found` (its existence does not leak).
async fn seen(db: &Db, who: &Who, id: i64) -> Result<(Hazard, (String, String, Option<String>))> {
    let h = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("hazard"))?;
    let p = paths(db, &h).await?;
    may_see(who, &p)?;
    Ok((h, p))
}

/// `not_found` unless the caller's sight holds one of the hazard's units.
fn may_see(who: &Who, p: &(String, String, Option<String>)) -> Result<()> {
    let mut all = vec![p.0.as_str(), p.1.as_str()];
    all.extend(p.2.as_deref());
    if !who.sight().sees(&all, None) {
        return Err(DomainError::not_found("hazard").into());
    }
    Ok(())
}

/// What the hazard's row itself says about what may be done (the rest comes with the action).
fn known(h: &Hazard) -> HazardFacts {
    HazardFacts { stopped: h.stop_production && h.resumed_on.is_none(), ..HazardFacts::default() }
}

/// A hazard's page.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub hazard: Hazard,
    pub trail: Vec<Step>,
    /// What the caller may do now.
    pub may: Vec<HazardAction>,
    /// Send it back with an action to have it refused if the hazard moved on meanwhile.
    pub version: Option<i64>,
}

pub async fn view(db: &Db, who: &Who, id: i64) -> Result<View> {
    // The hazard, its units' paths, trail and version: one query.
    let store::HazardRecord { hazard: h, paths, trail, version } = store::record(db, id).await?.ok_or_else(|| DomainError::not_found("hazard"))?;
    may_see(who, &paths)?;
    let (o, r, t) = paths;
    let may = may_given::<HazardFlow>(h.state, &sides(who, &o, &r, t.as_deref()), &known(&h));
    Ok(View { trail, version, hazard: h, may })
}

/// A hazard found on an inspection.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HazardInput {
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub place: String,
    /// Who rectifies; by default the enterprise's regulator (acting for it).
    pub owner_unit_id: Option<i64>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub found_on: String,
    #[serde(default)]
    pub control_measures: String,
}

/// Check a hazard as found and work out who owns and regulates it: the hazard to write and
/// the regulator's path (whoever registers it must act for that regulator, or supervise).
pub(crate) async fn prepare(db: &Db, input: &HazardInput, today: NaiveDate) -> Result<(NewHazard, String)> {
    let description = optional_text("description", &input.description, 2000)?.ok_or_else(|| DomainError::required("description"))?;
    let bounds = crate::date_bounds(db, today).await?;
    let found_on = bounds.parse("found_on", &input.found_on)?;
    if found_on > today {
        return Err(DomainError::invalid("found_on").with_detail("after today").into());
    }
    let place = optional_text("place", &input.place, 200)?;
    let (enterprise, township) = match input.enterprise_id {
        Some(e) => {
            let e = store::enterprise_by_id(db, e).await?.ok_or_else(|| DomainError::invalid("enterprise_id"))?;
            let t = e.township_id;
            (Some(e), t)
        }
        None if place.is_some() => (None, None),
        None => return Err(DomainError::required("enterprise_id").into()),
    };
    let regulator = match (&enterprise, input.owner_unit_id) {
        (Some(e), _) => e.regulator_unit_id,
        (None, Some(o)) => o,
        (None, None) => return Err(DomainError::required("owner_unit_id").into()),
    };
    let owner = input.owner_unit_id.unwrap_or(regulator);
    let regulator_path = units::get(db, regulator).await?.ok_or_else(|| DomainError::invalid("owner_unit_id"))?.path;
    if units::get(db, owner).await?.is_none() {
        return Err(DomainError::invalid("owner_unit_id").into());
    }
    let n = NewHazard {
        enterprise_id: enterprise.as_ref().map(|e| e.id),
        place,
        owner_unit_id: owner,
        regulator_unit_id: regulator,
        township_id: township,
        description,
        found_on: crate::ymd(found_on),
        control_measures: optional_text("control_measures", &input.control_measures, 2000)?,
        inspection_id: None,
        campaign_id: None,
    };
    Ok((n, regulator_path))
}

/// Register a hazard (排查登记): by the supervision office or the regulating department.
pub async fn register(db: &Db, who: &Who, input: &HazardInput, today: NaiveDate, now: i64) -> Result<View> {
    let (n, regulator_path) = prepare(db, input, today).await?;
    if !(who.is_supervisor() || who.acts_for(&regulator_path)) {
        return Err(forbidden());
    }
    let mut tx = db.begin_write().await?;
    let h = store::register(&mut tx, &who.actor, &n, now).await?;
    tx.commit().await?;
    view(db, who, h.id).await
}

/// An action on a hazard with what it needs.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActInput {
    #[serde(default)]
    pub action: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub version: Option<i64>,
    /// 整改期限 (grading, reopening).
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub basis_catalogue: String,
    #[serde(default)]
    pub basis_article: String,
    #[serde(default)]
    pub basis_item: String,
    #[serde(default)]
    pub five: Five,
    /// The five as separate form fields (a form has no nested object).
    #[serde(default)]
    pub five_measures: String,
    #[serde(default)]
    pub five_responsibility: String,
    #[serde(default)]
    pub five_funds: String,
    #[serde(default)]
    pub five_time_limit: String,
    #[serde(default)]
    pub five_plan: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::lenient_bool")]
    pub stop_production: bool,
    #[serde(default)]
    pub note: String,
}

fn filled(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Take an action: the workflow decides whether it may be taken now, its facts whether it has
/// what it needs; the change, its line, trail and audit row go in one transaction.
pub async fn act(db: &Db, who: &Who, id: i64, input: &ActInput, today: NaiveDate, now: i64) -> Result<View> {
    // Seen first: another unit's hazard answers `not_found`, whatever was sent.
    let (h, (o, r, t)) = seen(db, who, id).await?;
    let action = HazardAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action"))?;
    if !sides(who, &o, &r, t.as_deref()).contains(&HazardFlow::side(action)) {
        return Err(forbidden());
    }
    let five = if input.five == Five::default() {
        Five {
            measures: input.five_measures.trim().into(),
            responsibility: input.five_responsibility.trim().into(),
            funds: input.five_funds.trim().into(),
            time_limit: input.five_time_limit.trim().into(),
            plan: input.five_plan.trim().into(),
        }
    } else {
        input.five.clone()
    };
    let basis = [&input.basis_catalogue, &input.basis_article, &input.basis_item].iter().all(|s| !s.trim().is_empty());
    let facts = HazardFacts { basis, five: five.complete(), evidence: !input.evidence.trim().is_empty(), ..known(&h) };
    let state = HazardFlow::apply(action, h.state, &facts)?;
    let mut after = Hazard { state, updated_at: now, ..h.clone() };
    let bounds = crate::date_bounds(db, today).await?;
    let mut deadline = || -> Result<()> {
        let d = bounds.parse("deadline", &input.deadline)?;
        if d < today {
            return Err(DomainError::invalid("deadline").with_detail("before today").into());
        }
        after.deadline = Some(crate::ymd(d));
        after.due_at = Some(end_of_day(d));
        Ok(())
    };
    match action {
        HazardAction::GradeGeneral => {
            deadline()?;
            after.grade = Some(HazardGrade::General);
        }
        HazardAction::GradeMajor => {
            deadline()?;
            // Judged by the catalogue version in force on the day the hazard was found.
            let found = NaiveDate::parse_from_str(&h.found_on, "%Y-%m-%d").map_err(|_| DomainError::invalid("found_on"))?;
            luoshi_domain::hazards::catalogue::judge_by(&luoshi_domain::hazards::catalogue::shipped()?, &input.basis_catalogue, found)?;
            after.grade = Some(HazardGrade::Major);
            after.basis_catalogue = filled(&input.basis_catalogue);
            after.basis_article = filled(&input.basis_article);
            after.basis_item = filled(&input.basis_item);
            after.stop_production = input.stop_production;
        }
        HazardAction::Implement => after.five = Some(five),
        HazardAction::Pass => after.accepted_by_unit_id = who.unit_id,
        HazardAction::Resume => after.resumed_on = Some(crate::ymd(today)),
        HazardAction::Close => {
            after.evidence = filled(&input.evidence);
            after.closed_on = Some(crate::ymd(today));
        }
        HazardAction::Reopen => {
            deadline()?;
            after.reopen_count += 1;
            after.closed_on = None;
            after.accepted_by_unit_id = None;
        }
        HazardAction::Submit | HazardAction::Fail | HazardAction::Cancel => {}
    }
    let mut tx = db.begin_write().await?;
    if let Some(v) = input.version {
        luoshi_storage::duty::expect(&mut tx, HazardFlow::KIND, id, v).await?;
    }
    store::save(&mut tx, &who.actor, &h, &after, action.as_str(), filled(&input.note).as_deref(), now).await?;
    // A 重大 hazard is 挂牌督办 by the county as it is graded (a notice to its owner in the ladder)
    // and reported to the level above the county names in its rules.
    if let (HazardAction::GradeMajor, Some(d)) = (action, after.deadline.as_deref()) {
        if luoshi_storage::duty::raise_notice(&mut tx, HazardFlow::KIND, id, NoticeLevel::Listed, after.owner_unit_id, d, &crate::ymd(today), now).await? {
            luoshi_storage::duty::noticed(&mut tx, &who.actor, HazardFlow::KIND, id, after.owner_unit_id, NoticeLevel::Listed, d, now).await?;
        }
        let to = crate::RulesInForce::load(db, today).await?.text("hazards.major.report_to").unwrap_or_else(|| "市应急管理局".into());
        store::reported_up(&mut tx, &who.actor, &after, &to, now).await?;
    }
    tx.commit().await?;
    view(db, who, id).await
}

/// The ledger (台账) the caller may see, newest first.
pub async fn ledger(db: &Db, who: &Who, state: Option<HazardState>, grade: Option<HazardGrade>, before_id: Option<i64>) -> Result<Vec<Hazard>> {
    let unit_paths = match who.sight() {
        luoshi_domain::access::Sight::County => None,
        luoshi_domain::access::Sight::Units(path) => Some(vec![path]),
        luoshi_domain::access::Sight::Leader { overseen, .. } => Some(overseen),
        luoshi_domain::access::Sight::Nothing => Some(Vec::new()),
    };
    store::ledger(db, &LedgerFilter { unit_paths, state, grade, township_id: None, before_id, limit: 100 }).await
}
