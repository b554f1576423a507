//! 预案: create a plan, edit what it defines while it is a draft (levels, matrix, links),
//! move it through 编制 -> 评审 -> 发布 -> 演练 -> 评估 -> 修订. In force, its duty line's limit
//! is the next drill (rule `emergencies.drill_interval_months.{kind}`), so a plan not drilled
//! in time turns red and climbs the ladder like any duty.

use super::{commands, lead_of, minutes, office};
use crate::{forbidden, ymd, Result, RulesInForce, Who};
use chrono::NaiveDate;
use luoshi_domain::duty::{end_of_day, may as may_now, Workflow};
use luoshi_domain::emergencies::plan::{drill_due, PlanSide, RevisionTrigger};
use luoshi_domain::emergencies::{Category, Level, PlanAction, PlanFlow, PlanKind, PlanState};
use luoshi_domain::error::{optional_text, required_text};
use luoshi_domain::time::local_date;
use luoshi_domain::DomainError;
use luoshi_storage::duty::trail::{self, Step};
use luoshi_storage::emergencies::plans::{self as store, LevelRow, MatrixRow, Plan, PlanDetail};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

/// A plan as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub event_type: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub owner_unit_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub parent_plan_id: Option<i64>,
    #[serde(default)]
    pub doc_no: String,
}

/// One level as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LevelInput {
    pub level: String,
    #[serde(default)]
    pub command: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub command_unit_id: Option<i64>,
    #[serde(default)]
    pub conditions: String,
}

/// One matrix line as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MatrixInput {
    pub level: String,
    pub unit_id: i64,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub task: String,
    pub first_report_minutes: i64,
    pub followup_minutes: i64,
}

/// What a plan defines, as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ContentsInput {
    #[serde(default)]
    pub levels: Vec<LevelInput>,
    #[serde(default)]
    pub matrix: Vec<MatrixInput>,
    /// (level, lower plan) pairs.
    #[serde(default)]
    pub links: Vec<(String, i64)>,
}

/// A plan's page.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub detail: PlanDetail,
    pub trail: Vec<Step>,
    pub may: Vec<PlanAction>,
    /// May the caller edit what it defines (a draft, and the caller its owner or reviewer)?
    pub may_edit: bool,
    /// The next drill, while in force.
    pub drill_due: Option<String>,
}

fn parse_level(field: &str, s: &str) -> std::result::Result<Level, DomainError> {
    Level::read(s).ok_or_else(|| DomainError::invalid(field))
}

async fn sides(db: &Db, who: &Who, p: &Plan, today: NaiveDate) -> Result<Vec<PlanSide>> {
    let owner = units::get(db, p.owner_unit_id).await?.map(|u| u.path).unwrap_or_default();
    let mut out = Vec::new();
    if who.role.is_none() || who.acts_for(&owner) || who.is_supervisor() {
        out.push(PlanSide::Owner);
    }
    let office = office(db, today).await?;
    if who.is_supervisor() || who.acts_for(&office.path) {
        out.push(PlanSide::Reviewer);
    }
    Ok(out)
}

/// Plans are read by every role with a part in duties (they are public documents inside the
/// government); units see all of them, as they must know the plans that name them.
fn may_read(who: &Who) -> Result<()> {
    match who.role {
        Some(Role::Hotline | Role::Deputy) => Err(forbidden()),
        _ => Ok(()),
    }
}
use luoshi_domain::user::Role;

pub async fn list(db: &Db, who: &Who) -> Result<Vec<Plan>> {
    may_read(who)?;
    store::list(db).await
}

/// The drill interval of a kind, in months.
fn interval(rules: &RulesInForce, kind: PlanKind) -> i64 {
    rules.int(&format!("emergencies.drill_interval_months.{}", kind.as_str())).unwrap_or(36)
}

/// When the next drill of a plan in force is due (the end of that day, µs).
pub fn due_of(p: &Plan) -> Option<i64> {
    if !PlanFlow::clock_runs(p.state) {
        return None;
    }
    let d = |s: &Option<String>| s.as_deref().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let published = d(&p.published_on)?;
    Some(end_of_day(drill_due(d(&p.last_drill_on), published, u32::try_from(p.drill_interval_months).unwrap_or(36))))
}

pub async fn view(db: &Db, who: &Who, id: i64, now: i64) -> Result<PlanView> {
    may_read(who)?;
    let detail = store::detail(db, id).await?.ok_or_else(|| DomainError::not_found("plan"))?;
    let s = sides(db, who, &detail.plan, local_date(now)).await?;
    let drill = due_of(&detail.plan).map(|d| ymd(local_date(d - 1)));
    Ok(PlanView {
        may: may_now::<PlanFlow>(detail.plan.state, &s),
        may_edit: detail.plan.state == PlanState::Drafting && !s.is_empty(),
        trail: trail::of(db, PlanFlow::KIND, id).await?,
        drill_due: drill,
        detail,
    })
}

/// Create a plan (drafted) for a unit the caller acts for.
pub async fn create(db: &Db, who: &Who, input: &PlanInput, now: i64) -> Result<i64> {
    let title = required_text("title", &input.title, 200)?;
    let kind = PlanKind::parse(&input.kind).ok_or_else(|| DomainError::invalid("kind"))?;
    let category = Category::parse(&input.category).ok_or_else(|| DomainError::invalid("category"))?;
    let types = luoshi_domain::emergencies::event_types()?;
    if !input.event_type.is_empty() && !types.iter().any(|t| t.code == input.event_type && t.category == category) {
        return Err(DomainError::invalid("event_type").into());
    }
    let owner_id = input.owner_unit_id.or(who.unit_id).ok_or_else(|| DomainError::required("owner_unit_id"))?;
    let owner = units::get(db, owner_id).await?.ok_or_else(|| DomainError::invalid("owner_unit_id"))?;
    if !(who.is_supervisor() || who.acts_for(&owner.path) || commands(who, &office(db, local_date(now)).await?.path)) {
        return Err(forbidden());
    }
    if let Some(p) = input.parent_plan_id {
        store::get(db, p).await?.ok_or_else(|| DomainError::invalid("parent_plan_id"))?;
    }
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let p = Plan {
        id: 0,
        title,
        kind,
        category,
        event_type: input.event_type.clone(),
        owner_unit_id: owner.id,
        owner_name: owner.name,
        parent_plan_id: input.parent_plan_id,
        doc_no: optional_text("doc_no", &input.doc_no, 100)?,
        version: 1,
        state: PlanState::Drafting,
        published_on: None,
        last_drill_on: None,
        drill_interval_months: interval(&rules, kind),
        revision_trigger: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &who.actor, &p, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replace what a draft defines: every level with its command and start conditions, every
/// matrix line (each level's units at that level and above), every lower plan activated with
/// it. Refused whole, naming the field and line, when any part is wrong.
pub async fn set_contents(db: &Db, who: &Who, id: i64, input: &ContentsInput, now: i64) -> Result<PlanView> {
    let v = view(db, who, id, now).await?;
    if !v.may_edit {
        return Err(if v.detail.plan.state == PlanState::Drafting {
            forbidden()
        } else {
            DomainError::field(luoshi_domain::ErrorCode::Conflict, "state").with_detail(v.detail.plan.state.as_str()).into()
        });
    }
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let unit = |field: &str, id: Option<i64>, line: usize| -> std::result::Result<&luoshi_domain::unit::Unit, DomainError> {
        let id = id.ok_or_else(|| DomainError::required(field).with_detail(format!("{line}")))?;
        all.iter().find(|u| u.id == id).ok_or_else(|| DomainError::invalid(field).with_detail(format!("{line}")))
    };
    let mut levels = Vec::new();
    for (i, l) in input.levels.iter().enumerate() {
        let level = parse_level("response_level", &l.level)?;
        if levels.iter().any(|x: &LevelRow| x.level == level) {
            return Err(DomainError::field(luoshi_domain::ErrorCode::Duplicate, "level").with_detail(level.roman()).into());
        }
        let u = unit("command_unit_id", l.command_unit_id, i + 1)?;
        levels.push(LevelRow {
            level,
            lead: lead_of(&rules, level),
            command: required_text("command", &l.command, 100)?,
            command_unit_id: u.id,
            command_unit_name: u.name.clone(),
            conditions: required_text("start_conditions", &l.conditions, 2000)?,
        });
    }
    let mut matrix = Vec::new();
    for (i, m) in input.matrix.iter().enumerate() {
        let level = parse_level("response_level", &m.level)?;
        if !levels.iter().any(|l| l.level == level) {
            return Err(DomainError::invalid("level").with_detail(format!("{}: {}", i + 1, level.roman())).into());
        }
        let u = unit("unit_id", Some(m.unit_id), i + 1)?;
        matrix.push(MatrixRow {
            level,
            seq: i as i64 + 1,
            unit_id: u.id,
            unit_name: u.name.clone(),
            role: required_text("role", &m.role, 20)?,
            task: required_text("task", &m.task, 500).map_err(|e| e.with_detail(format!("{}", i + 1)))?,
            first_report_minutes: minutes("first_report_minutes", m.first_report_minutes)?,
            followup_minutes: minutes("followup_minutes", m.followup_minutes)?,
        });
    }
    let mut links = Vec::new();
    for (level, child) in &input.links {
        let level = parse_level("response_level", level)?;
        if *child == id || store::get(db, *child).await?.is_none() {
            return Err(DomainError::invalid("child_plan_id").with_detail(child.to_string()).into());
        }
        links.push((level, *child));
    }
    links.sort_unstable_by_key(|(l, c)| (l.number(), *c));
    links.dedup();
    let mut tx = db.begin_write().await?;
    store::set_contents(&mut tx, &who.actor, id, &levels, &matrix, &links).await?;
    tx.commit().await?;
    view(db, who, id, now).await
}

/// An action on a plan, as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanActInput {
    #[serde(default)]
    pub action: String,
    /// 演练 date (`YYYY-MM-DD`), today by default.
    #[serde(default)]
    pub on: String,
    /// 修订 trigger.
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub note: String,
}

pub async fn act(db: &Db, who: &Who, id: i64, input: &PlanActInput, now: i64) -> Result<PlanView> {
    let today = local_date(now);
    let v = view(db, who, id, now).await?;
    let p = v.detail.plan.clone();
    let action = PlanAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action"))?;
    if !v.may.contains(&action) {
        PlanFlow::apply(action, p.state, &())?;
        return Err(forbidden());
    }
    let state = PlanFlow::apply(action, p.state, &())?;
    let mut after = Plan { state, updated_at: now, ..p.clone() };
    let note = optional_text("note", &input.note, 1000)?;
    match action {
        PlanAction::Submit if v.detail.levels.is_empty() || v.detail.matrix.is_empty() => return Err(DomainError::required("matrix").into()),
        PlanAction::Publish => after.published_on = Some(ymd(today)),
        PlanAction::Drill => {
            let on = if input.on.trim().is_empty() {
                today
            } else {
                NaiveDate::parse_from_str(input.on.trim(), "%Y-%m-%d").map_err(|_| DomainError::invalid("on"))?
            };
            crate::date_bounds(db, today).await?.check("on", on)?;
            if on > today {
                return Err(DomainError::invalid("on").with_detail("in the future").into());
            }
            after.last_drill_on = Some(ymd(on));
        }
        PlanAction::Revise => {
            let t = RevisionTrigger::parse(&input.trigger).ok_or_else(|| DomainError::required("trigger"))?;
            after.revision_trigger = Some(t.as_str().to_string());
            after.version += 1;
        }
        _ => {}
    }
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &p, &after, action.as_str(), note.as_deref(), due_of(&after), now).await?;
    tx.commit().await?;
    view(db, who, id, now).await
}
