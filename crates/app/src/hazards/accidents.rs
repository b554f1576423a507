//! 生产安全事故: an accident recorded, graded by 国务院令第493号 第三条 with the bounds in force
//! on its day (rules `hazards.accident.*`), and its reports chased on the hour clock as a duty:
//! the unit's report within the hour, the county's passing it up within two hours of receiving
//! it, 补报 of changed casualties within the window (30 days; 7 for road traffic and fire).

use crate::{forbidden, Result, RulesInForce, Who};
use luoshi_domain::duty::{may as may_now, Workflow};
use luoshi_domain::error::optional_text;
use luoshi_domain::hazards::accident::{grade, report_clock, Bound, GradeRules, ReportRules, Toll};
use luoshi_domain::hazards::{AccidentAction, AccidentFlow, AccidentSide, AccidentState};
use luoshi_domain::time::{local_date, shanghai, to_micros};
use luoshi_domain::DomainError;
use luoshi_storage::duty::trail::{self, Step};
use luoshi_storage::hazards::accidents::{self as store, Accident};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

const HOUR: i64 = 3_600_000_000;

fn grade_rules(r: &RulesInForce) -> GradeRules {
    let d = GradeRules::STATE_COUNCIL_493;
    let b = |g: &str, def: Bound| Bound {
        deaths: r.int(&format!("hazards.accident.{g}.deaths")).unwrap_or(def.deaths),
        serious_injuries: r.int(&format!("hazards.accident.{g}.serious_injuries")).unwrap_or(def.serious_injuries),
        loss_yuan: r.int(&format!("hazards.accident.{g}.loss_yuan")).unwrap_or(def.loss_yuan),
    };
    GradeRules { larger: b("larger", d.larger), major: b("major", d.major), extraordinary: b("extraordinary", d.extraordinary) }
}

fn report_rules(r: &RulesInForce) -> ReportRules {
    ReportRules {
        unit_hours: r.int("hazards.accident.report.unit_hours").unwrap_or(1),
        level_hours: r.int("hazards.accident.report.level_hours").unwrap_or(2),
        supplement_days: r.int("hazards.accident.supplement_days").unwrap_or(30),
        supplement_days_road_fire: r.int("hazards.accident.supplement_days_road_fire").unwrap_or(7),
    }
}

fn toll(deaths: i64, serious_injuries: i64, loss_yuan: i64) -> Result<Toll> {
    for (field, v) in [("deaths", deaths), ("serious_injuries", serious_injuries), ("loss_yuan", loss_yuan)] {
        if v < 0 {
            return Err(DomainError::invalid(field).into());
        }
    }
    Ok(Toll { deaths, serious_injuries, loss_yuan })
}

/// An accident as first reported.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccidentInput {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub place: String,
    /// The unit the report goes to; by default the enterprise's regulator.
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub owner_unit_id: Option<i64>,
    /// When it happened, local time `YYYY-MM-DD HH:MM`.
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::lenient_bool")]
    pub road_or_fire: bool,
    #[serde(default)]
    pub deaths: i64,
    #[serde(default)]
    pub serious_injuries: i64,
    #[serde(default)]
    pub loss_yuan: i64,
    #[serde(default)]
    pub description: String,
}

/// An accident's page.
#[derive(Debug, Clone, Serialize)]
pub struct AccidentView {
    pub accident: Accident,
    pub trail: Vec<Step>,
    pub may: Vec<AccidentAction>,
}

async fn seen(db: &Db, who: &Who, id: i64) -> Result<(Accident, Vec<AccidentSide>)> {
    let a = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("accident"))?;
    let owner = units::get(db, a.owner_unit_id).await?.map(|u| u.path).unwrap_or_default();
    let town = match a.township_id {
        Some(t) => units::get(db, t).await?.map(|u| u.path),
        None => None,
    };
    let mut paths = vec![owner.as_str()];
    paths.extend(town.as_deref());
    if !who.sight().sees(&paths, None) {
        return Err(DomainError::not_found("accident").into());
    }
    let mut sides = Vec::new();
    if who.role.is_none() || who.acts_for(&owner) || town.as_deref().is_some_and(|t| who.acts_for(t)) {
        sides.push(AccidentSide::Owner);
    }
    if who.is_supervisor() {
        sides.push(AccidentSide::County);
    }
    Ok((a, sides))
}

pub async fn view(db: &Db, who: &Who, id: i64) -> Result<AccidentView> {
    let (a, sides) = seen(db, who, id).await?;
    Ok(AccidentView { may: may_now::<AccidentFlow>(a.state, &sides), trail: trail::of(db, AccidentFlow::KIND, id).await?, accident: a })
}

/// Record an accident: graded by the rules in force on its day, its first report due on the clock.
pub async fn record(db: &Db, who: &Who, input: &AccidentInput, now: i64) -> Result<AccidentView> {
    let description = optional_text("description", &input.description, 2000)?.ok_or_else(|| DomainError::required("description"))?;
    let text = input.occurred_at.trim().replace('T', " ");
    let local = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M").map_err(|_| DomainError::invalid("occurred_at"))?;
    let occurred = to_micros(local.and_local_timezone(shanghai()).single().ok_or_else(|| DomainError::invalid("occurred_at"))?.with_timezone(&chrono::Utc));
    if occurred > now {
        return Err(DomainError::invalid("occurred_at").with_detail("in the future").into());
    }
    crate::date_bounds(db, local_date(now)).await?.check("occurred_at", local.date())?;
    let enterprise = match input.enterprise_id {
        Some(e) => Some(luoshi_storage::hazards::enterprise_by_id(db, e).await?.ok_or_else(|| DomainError::invalid("enterprise_id"))?),
        None => None,
    };
    let place = optional_text("place", &input.place, 200)?;
    if enterprise.is_none() && place.is_none() {
        return Err(DomainError::required("enterprise_id").into());
    }
    let owner = input.owner_unit_id.or(enterprise.as_ref().map(|e| e.regulator_unit_id)).ok_or_else(|| DomainError::required("owner_unit_id"))?;
    let owner_path = units::get(db, owner).await?.ok_or_else(|| DomainError::invalid("owner_unit_id"))?.path;
    if !(who.is_supervisor() || who.acts_for(&owner_path)) {
        return Err(forbidden());
    }
    let rules = RulesInForce::load(db, local.date()).await?;
    let t = toll(input.deaths, input.serious_injuries, input.loss_yuan)?;
    let clock = report_clock(occurred, input.road_or_fire, &report_rules(&rules));
    let a = Accident {
        id: 0,
        enterprise_id: enterprise.as_ref().map(|e| e.id),
        enterprise_name: None,
        place,
        owner_unit_id: owner,
        owner_name: String::new(),
        township_id: enterprise.as_ref().and_then(|e| e.township_id),
        occurred_at: occurred,
        road_or_fire: input.road_or_fire,
        deaths: t.deaths,
        serious_injuries: t.serious_injuries,
        loss_yuan: t.loss_yuan,
        grade: grade(&t, &grade_rules(&rules)),
        description,
        state: AccidentState::Reporting,
        due_at: Some(clock.unit_due),
        supplement_due_at: clock.supplement_due,
        created_at: now,
        updated_at: now,
    };
    let mut tx = db.begin_write().await?;
    let saved = store::insert(&mut tx, &who.actor, &a, now).await?;
    tx.commit().await?;
    view(db, who, saved.id).await
}

/// An action on an accident's record (补报 carries the new figures).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccidentActInput {
    #[serde(default)]
    pub action: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub deaths: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub serious_injuries: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub loss_yuan: Option<i64>,
    #[serde(default)]
    pub note: String,
}

pub async fn act(db: &Db, who: &Who, id: i64, input: &AccidentActInput, now: i64) -> Result<AccidentView> {
    let (a, sides) = seen(db, who, id).await?;
    let action = AccidentAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action"))?;
    if !sides.contains(&AccidentFlow::side(action)) {
        return Err(forbidden());
    }
    let state = AccidentFlow::apply(action, a.state, &())?;
    let rules = RulesInForce::load(db, local_date(a.occurred_at)).await?;
    let mut after = Accident { state, updated_at: now, ..a.clone() };
    match action {
        // The next level's two hours run from receiving the report.
        AccidentAction::Report => after.due_at = Some(now + report_rules(&rules).level_hours * HOUR),
        AccidentAction::Forward => after.due_at = Some(a.supplement_due_at),
        AccidentAction::Supplement => {
            if now > a.supplement_due_at {
                return Err(DomainError::invalid("supplement").with_detail("after the 补报 window").into());
            }
            let t = toll(input.deaths.unwrap_or(a.deaths), input.serious_injuries.unwrap_or(a.serious_injuries), input.loss_yuan.unwrap_or(a.loss_yuan))?;
            (after.deaths, after.serious_injuries, after.loss_yuan) = (t.deaths, t.serious_injuries, t.loss_yuan);
            after.grade = grade(&t, &grade_rules(&rules));
        }
        AccidentAction::Close => after.due_at = None,
    }
    let note = optional_text("note", &input.note, 1000)?;
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &a, &after, action.as_str(), note.as_deref(), now).await?;
    tx.commit().await?;
    view(db, who, id).await
}

/// The accidents the caller may see, newest first.
pub async fn list(db: &Db, who: &Who) -> Result<Vec<Accident>> {
    let all = store::list(db).await?;
    let sight = who.sight();
    let mut paths: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for a in all {
        let path = match paths.get(&a.owner_unit_id) {
            Some(p) => p.clone(),
            None => {
                let p = units::get(db, a.owner_unit_id).await?.map(|u| u.path).unwrap_or_default();
                paths.insert(a.owner_unit_id, p.clone());
                p
            }
        };
        if sight.sees(&[path.as_str()], None) {
            out.push(a);
        }
    }
    Ok(out)
}
