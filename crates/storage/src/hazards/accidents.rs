//! Accident records: each change with its line in the record of duties (the report due on the
//! hour clock), its trail entry and its audit row, in one transaction.

use crate::duty::{self, trail, Line};
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::{Light, Phase, Workflow};
use luoshi_domain::hazards::accident::AccidentGrade;
use luoshi_domain::hazards::{AccidentFlow, AccidentState};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// An accident as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accident {
    pub id: i64,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub place: Option<String>,
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub township_id: Option<i64>,
    /// When it happened (UTC µs).
    pub occurred_at: i64,
    pub road_or_fire: bool,
    pub deaths: i64,
    pub serious_injuries: i64,
    pub loss_yuan: i64,
    pub grade: AccidentGrade,
    pub description: String,
    pub state: AccidentState,
    /// When the report now awaited is due (UTC µs).
    pub due_at: Option<i64>,
    /// The last moment for 补报.
    pub supplement_due_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str =
    "a.id, a.enterprise_id, e.name AS enterprise_name, a.place, a.owner_unit_id, o.name AS owner_name, a.township_id, a.occurred_at, a.road_or_fire, \
     a.deaths, a.serious_injuries, a.loss_yuan, a.grade, a.description, a.state, a.due_at, a.supplement_due_at, a.created_at, a.updated_at";
const FROM: &str = "FROM accidents a JOIN units o ON o.id = a.owner_unit_id LEFT JOIN enterprises e ON e.id = a.enterprise_id";

fn accident(r: &AnyRow) -> Result<Accident> {
    let bad = |w: &str| DomainError::new(ErrorCode::Internal).with_detail(format!("accident {w}"));
    Ok(Accident {
        id: get_i64(r, "id")?,
        enterprise_id: get_opt_i64(r, "enterprise_id")?,
        enterprise_name: get_opt_str(r, "enterprise_name")?,
        place: get_opt_str(r, "place")?,
        owner_unit_id: get_i64(r, "owner_unit_id")?,
        owner_name: get_str(r, "owner_name")?,
        township_id: get_opt_i64(r, "township_id")?,
        occurred_at: get_i64(r, "occurred_at")?,
        road_or_fire: get_i64(r, "road_or_fire")? != 0,
        deaths: get_i64(r, "deaths")?,
        serious_injuries: get_i64(r, "serious_injuries")?,
        loss_yuan: get_i64(r, "loss_yuan")?,
        grade: AccidentGrade::parse(&get_str(r, "grade")?).ok_or_else(|| bad("grade"))?,
        description: get_str(r, "description")?,
        state: AccidentState::parse(&get_str(r, "state")?).ok_or_else(|| bad("state"))?,
        due_at: get_opt_i64(r, "due_at")?,
        supplement_due_at: get_i64(r, "supplement_due_at")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Accident>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(accident).transpose()
}

async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Option<Accident>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(accident).transpose()
}

async fn record(tx: &mut WriteTx, a: &Accident, now: i64) -> Result<()> {
    let light = match AccidentFlow::phase(a.state) {
        Phase::Done | Phase::Cancelled => Light::Done,
        _ if a.due_at.is_some_and(|d| d < now) => Light::Red,
        _ => Light::Green,
    };
    let towns: Vec<i64> = a.township_id.into_iter().collect();
    let line = Line::of::<AccidentFlow>(a.id, a.state, Some(&a.description), now).owner(Some(a.owner_unit_id)).co_units(&towns).due(a.due_at, light);
    duty::put(tx, &line, None).await?;
    Ok(())
}

fn digest(a: &Accident) -> serde_json::Value {
    serde_json::json!({ "state": a.state.as_str(), "grade": a.grade.as_str(), "deaths": a.deaths, "serious_injuries": a.serious_injuries, "loss_yuan": a.loss_yuan })
}

/// Record an accident as reported to the system (graded and its clock set by the caller).
pub async fn insert(tx: &mut WriteTx, actor: &Actor, a: &Accident, now: i64) -> Result<Accident> {
    let row = sqlx::query(
        "INSERT INTO accidents (enterprise_id, place, owner_unit_id, township_id, occurred_at, road_or_fire, deaths, serious_injuries, loss_yuan, grade, description, state, due_at, supplement_due_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
    )
    .bind(a.enterprise_id)
    .bind(&a.place)
    .bind(a.owner_unit_id)
    .bind(a.township_id)
    .bind(a.occurred_at)
    .bind(i64::from(a.road_or_fire))
    .bind(a.deaths)
    .bind(a.serious_injuries)
    .bind(a.loss_yuan)
    .bind(a.grade.as_str())
    .bind(&a.description)
    .bind(a.state.as_str())
    .bind(a.due_at)
    .bind(a.supplement_due_at)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let saved = get_tx(tx, id).await?.ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("accident not read back"))?;
    record(tx, &saved, now).await?;
    let step = trail::Entry::step(AccidentFlow::KIND, id, now, &actor.name, "record", None, saved.state.as_str(), None);
    trail::append(tx, &[step]).await?;
    tx.audit(actor, "accident.record", "accident", &id.to_string(), None, Some(&digest(&saved))).await?;
    Ok(saved)
}

/// Save a changed accident: only if its state and time are as read (else `conflict`).
pub async fn save(tx: &mut WriteTx, actor: &Actor, before: &Accident, after: &Accident, action: &str, note: Option<&str>, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE accidents SET deaths = $1, serious_injuries = $2, loss_yuan = $3, grade = $4, state = $5, due_at = $6, updated_at = $7 WHERE id = $8 AND state = $9 AND updated_at = $10",
    )
    .bind(after.deaths)
    .bind(after.serious_injuries)
    .bind(after.loss_yuan)
    .bind(after.grade.as_str())
    .bind(after.state.as_str())
    .bind(after.due_at)
    .bind(now)
    .bind(before.id)
    .bind(before.state.as_str())
    .bind(before.updated_at)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    record(tx, after, now).await?;
    let step = trail::Entry::step(AccidentFlow::KIND, after.id, now, &actor.name, action, Some(before.state.as_str()), after.state.as_str(), note);
    trail::append(tx, &[step]).await?;
    tx.audit(actor, &format!("accident.{action}"), "accident", &after.id.to_string(), Some(&digest(before)), Some(&digest(after))).await?;
    Ok(())
}

/// Accidents newest first, at most 200.
pub async fn list(db: &Db) -> Result<Vec<Accident>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} ORDER BY a.occurred_at DESC, a.id DESC LIMIT 200")).fetch_all(db.pool()).await?;
    rows.iter().map(accident).collect()
}

/// Accidents that happened in `[from, to)` (UTC µs): few, counted directly.
pub async fn count_between(db: &Db, from: i64, to: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM accidents WHERE occurred_at >= $1 AND occurred_at < $2").bind(from).bind(to).fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}

/// The ids of accidents recorded since `since` (UTC µs): few, read directly.
pub async fn recorded_since(db: &Db, since: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT id FROM accidents WHERE created_at >= $1 ORDER BY id").bind(since).fetch_all(db.pool()).await?;
    rows.iter().map(|r| get_i64(r, "id")).collect()
}
