//! 突发事件: the incident's record (a duty of the county's command: its clock the report
//! upward), its activations and its log (态势): every report, decision and assignment change
//! in the order it happened.

use super::light_now;
use crate::duty::{self, trail, Line};
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::Workflow;
use luoshi_domain::emergencies::{Category, IncidentFlow, IncidentState, Lead, Level};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub category: Category,
    pub event_type: String,
    pub occurred_at: i64,
    pub received_at: i64,
    pub township_id: Option<i64>,
    pub township_name: Option<String>,
    pub village_id: Option<i64>,
    pub village_name: Option<String>,
    pub place: String,
    pub facts: String,
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    pub level: Option<Level>,
    pub lead: Option<Lead>,
    pub state: IncidentState,
    pub command_unit_id: i64,
    pub command_unit_name: String,
    /// 报告人 and how to reach them: internal, never published.
    pub reporter: String,
    /// phone, hotline, accident, cap, upstream.
    pub source: String,
    pub source_ref: Option<String>,
    /// When the report upward is due.
    pub due_at: Option<i64>,
    pub reported_up_at: Option<i64>,
    pub reports_up: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "i.id, i.title, i.category, i.event_type, i.occurred_at, i.received_at, i.township_id, t.name AS township_name, i.village_id, v.name AS village_name, \
     i.place, i.facts, i.deaths, i.injured, i.missing, i.level, i.lead, i.state, i.command_unit_id, c.name AS command_unit_name, i.reporter, i.source, i.source_ref, \
     i.due_at, i.reported_up_at, i.reports_up, i.created_at, i.updated_at";
const FROM: &str =
    "FROM incidents i JOIN units c ON c.id = i.command_unit_id LEFT JOIN units t ON t.id = i.township_id LEFT JOIN units v ON v.id = i.village_id";

fn bad(w: &str) -> DomainError {
    DomainError::new(ErrorCode::Internal).with_detail(format!("incident {w}"))
}

fn incident(r: &AnyRow) -> Result<Incident> {
    Ok(Incident {
        id: get_i64(r, "id")?,
        title: get_str(r, "title")?,
        category: Category::parse(&get_str(r, "category")?).ok_or_else(|| bad("category"))?,
        event_type: get_str(r, "event_type")?,
        occurred_at: get_i64(r, "occurred_at")?,
        received_at: get_i64(r, "received_at")?,
        township_id: get_opt_i64(r, "township_id")?,
        township_name: get_opt_str(r, "township_name")?,
        village_id: get_opt_i64(r, "village_id")?,
        village_name: get_opt_str(r, "village_name")?,
        place: get_str(r, "place")?,
        facts: get_str(r, "facts")?,
        deaths: get_i64(r, "deaths")?,
        injured: get_i64(r, "injured")?,
        missing: get_i64(r, "missing")?,
        level: get_opt_str(r, "level")?.as_deref().and_then(Level::parse),
        lead: get_opt_str(r, "lead")?.as_deref().and_then(Lead::parse),
        state: IncidentState::parse(&get_str(r, "state")?).ok_or_else(|| bad("state"))?,
        command_unit_id: get_i64(r, "command_unit_id")?,
        command_unit_name: get_str(r, "command_unit_name")?,
        reporter: get_str(r, "reporter")?,
        source: get_str(r, "source")?,
        source_ref: get_opt_str(r, "source_ref")?,
        due_at: get_opt_i64(r, "due_at")?,
        reported_up_at: get_opt_i64(r, "reported_up_at")?,
        reports_up: get_i64(r, "reports_up")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Incident>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE i.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(incident).transpose()
}

/// Incidents newest first (at most `limit`).
pub async fn list(db: &Db, limit: i64) -> Result<Vec<Incident>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} ORDER BY i.received_at DESC, i.id DESC LIMIT $1")).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(incident).collect()
}

/// The incident opened from a source record (an accident, a received warning), if any.
pub async fn by_source(db: &Db, source: &str, source_ref: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM incidents WHERE source = $1 AND source_ref = $2").bind(source).bind(source_ref).fetch_optional(db.pool()).await?;
    row.as_ref().map(|r| get_i64(r, "id")).transpose()
}

/// The source records of the incidents opened from `source` since `since` (UTC µs).
pub async fn sources_since(db: &Db, source: &str, since: i64) -> Result<std::collections::HashSet<String>> {
    let rows = sqlx::query("SELECT source_ref FROM incidents WHERE source = $1 AND received_at >= $2 AND source_ref IS NOT NULL")
        .bind(source)
        .bind(since)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| get_str(r, "source_ref")).collect()
}

async fn line(tx: &mut WriteTx, i: &Incident, now: i64) -> Result<()> {
    let towns: Vec<i64> = i.township_id.into_iter().collect();
    let phase = IncidentFlow::phase(i.state);
    let l = Line::of::<IncidentFlow>(i.id, i.state, Some(&i.title), now)
        .owner(Some(i.command_unit_id))
        .co_units(&towns)
        .due(i.due_at, light_now(phase, i.due_at, now));
    duty::put(tx, &l, None).await?;
    Ok(())
}

fn digest(i: &Incident) -> serde_json::Value {
    serde_json::json!({ "state": i.state.as_str(), "level": i.level.map(|l| l.as_str()), "deaths": i.deaths, "injured": i.injured, "missing": i.missing })
}

/// A line of the incident's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub at: i64,
    pub actor: String,
    /// What happened (`received`, `assess`, `activate`, `sign`, `report` …).
    pub what: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub assignment_id: Option<i64>,
    pub text: Option<String>,
}

/// Append to the incident's log.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn log(
    tx: &mut WriteTx,
    incident_id: i64,
    at: i64,
    actor: &str,
    what: &str,
    unit_id: Option<i64>,
    assignment_id: Option<i64>,
    text: Option<&str>,
) -> Result<()> {
    sqlx::query("INSERT INTO incident_log (incident_id, at, actor, what, unit_id, assignment_id, text) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(incident_id)
        .bind(at)
        .bind(actor)
        .bind(what)
        .bind(unit_id)
        .bind(assignment_id)
        .bind(text)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The incident's log (态势): its newest `limit` lines, oldest first.
pub async fn timeline(db: &Db, incident_id: i64, limit: i64) -> Result<Vec<LogLine>> {
    let rows = sqlx::query(
        "SELECT l.at, l.actor, l.what, l.unit_id, u.name AS unit_name, l.assignment_id, l.text FROM incident_log l LEFT JOIN units u ON u.id = l.unit_id \
         WHERE l.incident_id = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2",
    )
    .bind(incident_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .rev()
        .map(|r| {
            Ok(LogLine {
                at: get_i64(r, "at")?,
                actor: get_str(r, "actor")?,
                what: get_str(r, "what")?,
                unit_id: get_opt_i64(r, "unit_id")?,
                unit_name: get_opt_str(r, "unit_name")?,
                assignment_id: get_opt_i64(r, "assignment_id")?,
                text: get_opt_str(r, "text")?,
            })
        })
        .collect()
}

/// Record an incident as received.
pub async fn insert(tx: &mut WriteTx, actor: &Actor, i: &Incident, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO incidents (title, category, event_type, occurred_at, received_at, township_id, village_id, place, facts, deaths, injured, missing, level, lead, state, \
         command_unit_id, reporter, source, source_ref, due_at, reported_up_at, reports_up, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, NULL, 0, $21, $21) RETURNING id",
    )
    .bind(&i.title)
    .bind(i.category.as_str())
    .bind(&i.event_type)
    .bind(i.occurred_at)
    .bind(i.received_at)
    .bind(i.township_id)
    .bind(i.village_id)
    .bind(&i.place)
    .bind(&i.facts)
    .bind(i.deaths)
    .bind(i.injured)
    .bind(i.missing)
    .bind(i.level.map(|l| l.as_str()))
    .bind(i.lead.map(|l| l.as_str()))
    .bind(i.state.as_str())
    .bind(i.command_unit_id)
    .bind(&i.reporter)
    .bind(&i.source)
    .bind(&i.source_ref)
    .bind(i.due_at)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let saved = Incident { id, ..i.clone() };
    line(tx, &saved, now).await?;
    trail::append(tx, &[trail::Entry::step(IncidentFlow::KIND, id, now, &actor.name, "receive", None, saved.state.as_str(), None)]).await?;
    log(tx, id, now, &actor.name, "receive", None, None, Some(&i.facts)).await?;
    tx.audit(actor, "incident.receive", "incident", &id.to_string(), None, Some(&digest(&saved))).await?;
    Ok(id)
}

/// Save a change of the incident (only if unchanged since read) with its duty line, trail
/// entry, log line and audit row.
pub async fn save(tx: &mut WriteTx, actor: &Actor, before: &Incident, after: &Incident, action: &str, note: Option<&str>, now: i64) -> Result<()> {
    let n = sqlx::query(
        "UPDATE incidents SET facts = $1, deaths = $2, injured = $3, missing = $4, level = $5, lead = $6, state = $7, due_at = $8, reported_up_at = $9, \
         reports_up = $10, updated_at = $11 WHERE id = $12 AND updated_at = $13",
    )
    .bind(&after.facts)
    .bind(after.deaths)
    .bind(after.injured)
    .bind(after.missing)
    .bind(after.level.map(|l| l.as_str()))
    .bind(after.lead.map(|l| l.as_str()))
    .bind(after.state.as_str())
    .bind(after.due_at)
    .bind(after.reported_up_at)
    .bind(after.reports_up)
    .bind(now)
    .bind(before.id)
    .bind(before.updated_at)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    line(tx, after, now).await?;
    let step = trail::Entry::step(IncidentFlow::KIND, after.id, now, &actor.name, action, Some(before.state.as_str()), after.state.as_str(), note);
    trail::append(tx, &[step]).await?;
    log(tx, after.id, now, &actor.name, action, None, None, note).await?;
    tx.audit(actor, &format!("incident.{action}"), "incident", &after.id.to_string(), Some(&digest(before)), Some(&digest(after))).await?;
    Ok(())
}

/// One plan activated for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activation {
    pub id: i64,
    pub plan_id: i64,
    pub plan_title: String,
    pub level: Level,
    /// The activation it came with (a township's plan under the county's).
    pub parent_id: Option<i64>,
    pub activated_at: i64,
    pub activated_by: String,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
}

/// Record an activation.
pub async fn insert_activation(tx: &mut WriteTx, incident_id: i64, plan_id: i64, level: Level, parent_id: Option<i64>, actor: &str, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO incident_activations (incident_id, plan_id, level, parent_id, activated_at, activated_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(incident_id)
    .bind(plan_id)
    .bind(level.as_str())
    .bind(parent_id)
    .bind(now)
    .bind(actor)
    .fetch_one(tx.conn())
    .await?;
    get_i64(&row, "id")
}

/// End the incident's open activations (a stand-down, or a level change replacing them).
pub async fn end_activations(tx: &mut WriteTx, incident_id: i64, reason: &str, now: i64) -> Result<u64> {
    let n = sqlx::query("UPDATE incident_activations SET ended_at = $1, end_reason = $2 WHERE incident_id = $3 AND ended_at IS NULL")
        .bind(now)
        .bind(reason)
        .bind(incident_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    Ok(n)
}

/// The incident's activations, oldest first.
pub async fn activations(db: &Db, incident_id: i64) -> Result<Vec<Activation>> {
    // Each plan's title by a join: a city's cascade activates hundreds of plans among thousands.
    let rows = sqlx::query(
        "SELECT a.id, a.plan_id, p.title AS plan_title, a.level, a.parent_id, a.activated_at, a.activated_by, a.ended_at, a.end_reason \
         FROM incident_activations a LEFT JOIN emergency_plans p ON p.id = a.plan_id WHERE a.incident_id = $1 ORDER BY a.id",
    )
    .bind(incident_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let plan_id = get_i64(r, "plan_id")?;
            Ok(Activation {
                id: get_i64(r, "id")?,
                plan_id,
                plan_title: get_opt_str(r, "plan_title")?.unwrap_or_default(),
                level: Level::parse(&get_str(r, "level")?).ok_or_else(|| bad("level"))?,
                parent_id: get_opt_i64(r, "parent_id")?,
                activated_at: get_i64(r, "activated_at")?,
                activated_by: get_str(r, "activated_by")?,
                ended_at: get_opt_i64(r, "ended_at")?,
                end_reason: get_opt_str(r, "end_reason")?,
            })
        })
        .collect()
}
