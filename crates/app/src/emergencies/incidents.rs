//! 突发事件: 接报 (time, place, category, first facts, casualties), 研判 with a level, level
//! changes, reports upward on the county's clock, new facts, 响应终止 (closing every open
//! assignment with the reason) and 终报. The command view reads the incident, its
//! activations, every assignment with its light, the stock moved for it and the warnings
//! issued for it; the printed 突发事件信息报告 is drawn from the same records.

use super::{commands, lead_of, local_time, office};
use crate::{forbidden, Result, RulesInForce, Who};
use luoshi_domain::duty::{may_given, Workflow};
use luoshi_domain::emergencies::incident::{Command, IncidentFacts};
use luoshi_domain::emergencies::{IncidentAction, IncidentFlow, IncidentState, Level};
use luoshi_domain::error::{optional_text, required_text};
use luoshi_domain::time::local_date;
use luoshi_domain::DomainError;
use luoshi_storage::emergencies::assignments::{self as assigned, Assignment, Tally};
use luoshi_storage::emergencies::incidents::{self as store, Activation, Incident, LogLine};
use luoshi_storage::emergencies::resources::{self, Move};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

const MINUTE: i64 = 60_000_000;

/// An incident as first reported (接报).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncidentInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub event_type: String,
    /// When it happened, local `YYYY-MM-DD HH:MM`.
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub township_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub village_id: Option<i64>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub deaths: i64,
    #[serde(default)]
    pub injured: i64,
    #[serde(default)]
    pub missing: i64,
    #[serde(default)]
    pub reporter: String,
    /// phone (default), hotline, accident, cap, upstream.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub source_ref: String,
}

/// The command view of an incident.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    pub incident: Incident,
    pub activations: Vec<Activation>,
    /// Every assignment counted by state, with how many are late or due soon.
    pub tally: Vec<Tally>,
    /// How many assignments in all.
    pub total: i64,
    /// The most urgent assignments (the late first), at most the page asked for.
    pub assignments: Vec<Assignment>,
    pub timeline: Vec<LogLine>,
    pub moves: Vec<Move>,
    pub may: Vec<IncidentAction>,
    /// Does the caller command this incident?
    pub command: bool,
}

pub(crate) async fn rules_minutes(db: &Db, key: &str, default: i64, day: chrono::NaiveDate) -> Result<i64> {
    Ok(RulesInForce::load(db, day).await?.int(key).unwrap_or(default))
}

/// The incident and whether the caller commands it; not found for whom it is not shown (a
/// unit sees the incidents that assign it or happen in its township).
pub(crate) async fn seen(db: &Db, who: &Who, id: i64) -> Result<(Incident, bool)> {
    let i = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("incident"))?;
    let command_path = units::get(db, i.command_unit_id).await?.map(|u| u.path).unwrap_or_default();
    if commands(who, &command_path) {
        return Ok((i, true));
    }
    if matches!(who.role, Some(luoshi_domain::user::Role::UnitManager | luoshi_domain::user::Role::UnitStaff)) {
        let town = match i.township_id {
            Some(t) => units::get(db, t).await?.map(|u| u.path),
            None => None,
        };
        if town.as_deref().is_some_and(|t| who.acts_for(t)) {
            return Ok((i, false));
        }
        if assigned::assigns_under(db, id, &who.unit_path).await? {
            return Ok((i, false));
        }
    }
    Err(DomainError::not_found("incident").into())
}

/// Assignments a command view lists unless asked for more.
pub const PAGE: i64 = 200;

/// Within this of its limit an assignment is due soon (blue).
pub const SOON: i64 = 5 * MINUTE;

pub async fn view(db: &Db, who: &Who, id: i64) -> Result<IncidentView> {
    view_page(db, who, id, PAGE, luoshi_storage::now_micros()).await
}

/// The command view with the `limit` most urgent assignments.
pub async fn view_page(db: &Db, who: &Who, id: i64, limit: i64, now: i64) -> Result<IncidentView> {
    let (incident, command) = seen(db, who, id).await?;
    let sides: Vec<Command> = if command { vec![Command] } else { Vec::new() };
    let tally = assigned::tally(db, id, now, SOON).await?;
    Ok(IncidentView {
        may: may_given::<IncidentFlow>(incident.state, &sides, &IncidentFacts { level: incident.level }),
        activations: store::activations(db, id).await?,
        total: tally.iter().map(|t| t.total).sum(),
        tally,
        assignments: assigned::urgent(db, id, limit).await?,
        timeline: store::timeline(db, id, if limit > PAGE { 10_000 } else { 300 }).await?,
        moves: resources::moves(db, id).await?,
        command,
        incident,
    })
}

/// Incidents the caller may see, newest first.
pub async fn list(db: &Db, who: &Who) -> Result<Vec<Incident>> {
    // The same rule as `seen`, with the unit tree and the caller's assignments read once.
    let all = store::list(db, 200).await?;
    let paths: std::collections::HashMap<i64, String> =
        units::list(db, &luoshi_domain::access::Scope::All).await?.into_iter().map(|u| (u.id, u.path)).collect();
    let path = |id: Option<i64>| id.and_then(|i| paths.get(&i)).map(String::as_str).unwrap_or("");
    let unit_role = matches!(who.role, Some(luoshi_domain::user::Role::UnitManager | luoshi_domain::user::Role::UnitStaff));
    let assigned = if unit_role { assigned::incidents_under(db, &who.unit_path).await? } else { Default::default() };
    Ok(all
        .into_iter()
        .filter(|i| {
            commands(who, path(Some(i.command_unit_id)))
                || (unit_role && (i.township_id.is_some_and(|_| who.acts_for(path(i.township_id))) || assigned.contains(&i.id)))
        })
        .collect())
}

/// 接报: record an incident; its report upward is due within the rule's minutes.
pub async fn report(db: &Db, who: &Who, input: &IncidentInput, now: i64) -> Result<i64> {
    let today = local_date(now);
    // What was typed is checked first (it reads no record); then whether the caller commands.
    let title = required_text("title", &input.title, 100)?;
    let types = luoshi_domain::emergencies::event_types()?;
    let t = types.iter().find(|t| t.code == input.event_type).ok_or_else(|| DomainError::required("event_type"))?;
    let occurred = local_time("occurred_at", &input.occurred_at)?;
    if occurred > now {
        return Err(DomainError::invalid("occurred_at").with_detail("in the future").into());
    }
    crate::date_bounds(db, today).await?.check("occurred_at", local_date(occurred))?;
    let check_unit = |field: &'static str, id: Option<i64>, kind: luoshi_domain::unit::UnitKind| async move {
        match id {
            None => Ok::<_, luoshi_storage::StoreError>(None),
            Some(id) => match units::get(db, id).await? {
                Some(u) if u.kind == kind => Ok(Some(u)),
                _ => Err(DomainError::invalid(field).into()),
            },
        }
    };
    let town = check_unit("township_id", input.township_id, luoshi_domain::unit::UnitKind::Township).await?;
    let village = check_unit("village_id", input.village_id, luoshi_domain::unit::UnitKind::Village).await?;
    if let (Some(v), Some(t)) = (&village, &town) {
        if v.parent_id != Some(t.id) {
            return Err(DomainError::invalid("village_id").with_detail("not in the township").into());
        }
    }
    for (f, v) in [("deaths", input.deaths), ("injured", input.injured), ("missing", input.missing)] {
        if v < 0 {
            return Err(DomainError::invalid(f).into());
        }
    }
    let source = match input.source.trim() {
        "" => "phone",
        s @ ("phone" | "hotline" | "accident" | "cap" | "upstream") => s,
        _ => return Err(DomainError::invalid("source").into()),
    };
    let place = required_text("place", &input.place, 200)?;
    let facts = required_text("facts", &input.facts, 4000)?;
    let office = office(db, today).await?;
    if !commands(who, &office.path) {
        return Err(forbidden());
    }
    let minutes = rules_minutes(db, "emergencies.report_up_minutes", 60, today).await?;
    let i = Incident {
        id: 0,
        title,
        category: t.category,
        event_type: t.code.clone(),
        occurred_at: occurred,
        received_at: now,
        township_id: town.as_ref().map(|u| u.id),
        township_name: None,
        village_id: village.as_ref().map(|u| u.id),
        village_name: None,
        place,
        facts,
        deaths: input.deaths,
        injured: input.injured,
        missing: input.missing,
        level: None,
        lead: None,
        state: IncidentState::Reported,
        command_unit_id: office.id,
        command_unit_name: office.name.clone(),
        reporter: optional_text("reporter", &input.reporter, 100)?.unwrap_or_default(),
        source: source.to_string(),
        source_ref: optional_text("source_ref", &input.source_ref, 300)?,
        due_at: Some(now + minutes * MINUTE),
        reported_up_at: None,
        reports_up: 0,
        created_at: now,
        updated_at: now,
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &who.actor, &i, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A command's action on an incident, as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncidentActInput {
    #[serde(default)]
    pub action: String,
    /// 研判 and 调整级别: `1`…`4` (or Ⅰ…Ⅳ).
    #[serde(default)]
    pub level: String,
    /// 启动响应: the plan.
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub plan_id: Option<i64>,
    /// 信息更新: the new figures and facts.
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub deaths: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub injured: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub missing: Option<i64>,
    #[serde(default)]
    pub note: String,
}

pub fn level_of(text: &str) -> std::result::Result<Level, DomainError> {
    Level::read(text).ok_or_else(|| DomainError::required("response_level"))
}

pub async fn act(db: &Db, who: &Who, id: i64, input: &IncidentActInput, now: i64) -> Result<IncidentView> {
    // Not found before anything else, for whom the incident is not shown.
    seen(db, who, id).await?;
    let action = IncidentAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action"))?;
    if action == IncidentAction::Activate {
        super::activation::activate(db, who, id, input.plan_id, level_of(&input.level).ok(), now).await?;
        return view(db, who, id).await;
    }
    let (i, command) = seen(db, who, id).await?;
    if !command {
        return Err(forbidden());
    }
    let state = IncidentFlow::apply(action, i.state, &IncidentFacts { level: i.level })?;
    let today = local_date(now);
    let rules = RulesInForce::load(db, today).await?;
    let up_minutes = rules.int("emergencies.report_up_minutes").unwrap_or(60);
    let mut after = Incident { state, updated_at: now, ..i.clone() };
    let mut note = optional_text("note", &input.note, 2000)?;
    match action {
        IncidentAction::Assess => {
            let level = level_of(&input.level)?;
            (after.level, after.lead) = (Some(level), Some(lead_of(&rules, level)));
            note = Some(format!("{}级{}", level.roman(), note.map(|n| format!("：{n}")).unwrap_or_default()));
        }
        IncidentAction::ChangeLevel => {
            let level = level_of(&input.level)?;
            if Some(level) == i.level {
                return Err(DomainError::invalid("response_level").with_detail("unchanged").into());
            }
            let open = store::activations(db, id).await?.iter().any(|a| a.ended_at.is_none());
            if open {
                // The plans in force follow the level: more units at a higher level, fewer at a lower one.
                super::activation::relevel(db, who, &i, level, now).await?;
                return view(db, who, id).await;
            }
            (after.level, after.lead) = (Some(level), Some(lead_of(&rules, level)));
            after.due_at = Some(now + up_minutes * MINUTE);
        }
        IncidentAction::ReportUp => {
            after.reports_up += 1;
            after.reported_up_at = Some(now);
            after.due_at = None;
            note = Some(note.unwrap_or_else(|| if i.reports_up == 0 { "首报".into() } else { "续报".into() }));
        }
        IncidentAction::Update => {
            let n = |v: Option<i64>, old: i64, f: &str| -> std::result::Result<i64, DomainError> {
                match v {
                    Some(x) if x < 0 => Err(DomainError::invalid(f)),
                    Some(x) => Ok(x),
                    None => Ok(old),
                }
            };
            after.deaths = n(input.deaths, i.deaths, "deaths")?;
            after.injured = n(input.injured, i.injured, "injured")?;
            after.missing = n(input.missing, i.missing, "missing")?;
            let facts = note.clone().ok_or_else(|| DomainError::required("note"))?;
            after.facts = format!("{}\n{}", i.facts, facts).chars().take(8000).collect();
            // New facts are reported upward again within the clock.
            after.due_at = Some(now + up_minutes * MINUTE);
        }
        IncidentAction::StandDown => {
            let reason = note.clone().ok_or_else(|| DomainError::required("note"))?;
            let mut tx = db.begin_write().await?;
            let n = assigned::stand_down(&mut tx, &who.actor, id, None, &reason, now).await?;
            store::end_activations(&mut tx, id, &reason, now).await?;
            after.due_at = Some(now + up_minutes * MINUTE);
            let text = format!("{reason}（{n}项任务终止）");
            store::save(&mut tx, &who.actor, &i, &after, action.as_str(), Some(&text), now).await?;
            tx.commit().await?;
            return view(db, who, id).await;
        }
        IncidentAction::Close => {
            after.due_at = None;
            note = Some(note.unwrap_or_else(|| "终报".into()));
        }
        IncidentAction::Activate => {}
    }
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &i, &after, action.as_str(), note.as_deref(), now).await?;
    // The report upward also goes as CAP (Restricted) to the upstream, through the outbox.
    if action == IncidentAction::ReportUp {
        super::report_up::write(db, &mut tx, who, &after, note.as_deref().unwrap_or(""), now).await?;
    }
    tx.commit().await?;
    view(db, who, id).await
}
