//! Writing enterprises and hazards. A hazard's every change is one transaction: its row (only if
//! nobody changed it meanwhile), its line in the record of duties with its sight (the owner, the
//! regulator and the township), its trail entry and its audit row.

use super::{get_tx, Five, Hazard};
use crate::duty::{self, trail, Line};
use crate::{get_i64, Actor, Result, WriteTx};
use luoshi_domain::duty::{Light, Phase, Workflow};
use luoshi_domain::hazards::{HazardFlow, HazardState};
use luoshi_domain::{DomainError, ErrorCode};

/// An enterprise to add (checked by the app).
#[derive(Debug, Clone, Default)]
pub struct NewEnterprise {
    pub name: String,
    pub credit_code: Option<String>,
    pub industry: String,
    pub regulator_unit_id: i64,
    pub township_id: Option<i64>,
    pub address: Option<String>,
    pub size: Option<String>,
    pub flags: String,
    pub hazard_source_level: i64,
}

/// Bind an enterprise's nine columns in their order (name … hazard_source_level).
pub(super) fn bind_enterprise<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    e: &'q NewEnterprise,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(&e.name)
        .bind(&e.credit_code)
        .bind(&e.industry)
        .bind(e.regulator_unit_id)
        .bind(e.township_id)
        .bind(&e.address)
        .bind(&e.size)
        .bind(&e.flags)
        .bind(e.hazard_source_level)
}

/// Add an enterprise; a credit code already in the ledger is refused naming `credit_code`.
pub async fn create_enterprise(tx: &mut WriteTx, actor: &Actor, e: &NewEnterprise, now: i64) -> Result<i64> {
    // Every node copies the enterprises (a reference table): one such writer at a time.
    tx.lock_shared().await?;
    let q = sqlx::query(
        "INSERT INTO enterprises (name, credit_code, industry, regulator_unit_id, township_id, address, size, flags, hazard_source_level, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    );
    let row = bind_enterprise(q, e).bind(now).fetch_one(tx.conn()).await.map_err(crate::unique_as("credit_code"))?;
    let id = get_i64(&row, "id")?;
    let after = serde_json::json!({ "name": e.name, "credit_code": e.credit_code, "industry": e.industry, "regulator_unit_id": e.regulator_unit_id });
    tx.audit(actor, "enterprise.create", "enterprise", &id.to_string(), None, Some(&after)).await?;
    tx.touched_hazards();
    crate::versions::bump(tx, crate::versions::Cached::Enterprises).await?;
    Ok(id)
}

/// A hazard as found on an inspection (排查登记).
#[derive(Debug, Clone, Default)]
pub struct NewHazard {
    pub enterprise_id: Option<i64>,
    pub place: Option<String>,
    pub owner_unit_id: i64,
    pub regulator_unit_id: i64,
    pub township_id: Option<i64>,
    pub description: String,
    pub found_on: String,
    pub control_measures: Option<String>,
    pub inspection_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

fn light(h: &Hazard, now: i64) -> Light {
    match HazardFlow::phase(h.state) {
        Phase::Drafted => Light::None,
        Phase::Done | Phase::Cancelled => Light::Done,
        Phase::Running | Phase::Waiting | Phase::UnderReview => match h.due_at {
            Some(d) if d < now => Light::Red,
            _ => Light::Green,
        },
    }
}

async fn record(tx: &mut WriteTx, h: &Hazard, now: i64) -> Result<()> {
    let seen: Vec<i64> = [Some(h.regulator_unit_id), h.township_id].into_iter().flatten().collect();
    let line = Line::of::<HazardFlow>(h.id, h.state, Some(&h.description), now)
        .owner(Some(h.owner_unit_id))
        .co_units(&seen)
        .due(h.due_at, light(h, now))
        .grade(Some(h.grade.map(|g| g.as_str()).unwrap_or_default()));
    duty::put(tx, &line, None).await?;
    Ok(())
}

fn step<'a>(h: &'a Hazard, actor: &'a Actor, action: &'a str, from: Option<HazardState>, note: Option<&'a str>, now: i64) -> trail::Entry<'a> {
    trail::Entry::step(HazardFlow::KIND, h.id, now, &actor.name, action, from.map(HazardState::as_str), h.state.as_str(), note)
}

/// Register a hazard found on an inspection: its row, its line, its first trail entry, audited.
pub async fn register(tx: &mut WriteTx, actor: &Actor, n: &NewHazard, now: i64) -> Result<Hazard> {
    let row = sqlx::query(
        "INSERT INTO hazards (enterprise_id, place, owner_unit_id, regulator_unit_id, township_id, description, found_on, found_by, state, control_measures, inspection_id, campaign_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'registered', $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(n.enterprise_id)
    .bind(&n.place)
    .bind(n.owner_unit_id)
    .bind(n.regulator_unit_id)
    .bind(n.township_id)
    .bind(&n.description)
    .bind(&n.found_on)
    .bind(&actor.name)
    .bind(&n.control_measures)
    .bind(n.inspection_id)
    .bind(n.campaign_id)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let h = get_tx(tx, id).await?.ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("hazard not read back"))?;
    record(tx, &h, now).await?;
    super::counts::moved(tx, None, &h).await?;
    trail::append(tx, &[step(&h, actor, "register", None, None, now)]).await?;
    let after = serde_json::json!({ "description": h.description, "owner_unit_id": h.owner_unit_id, "enterprise_id": h.enterprise_id, "found_on": h.found_on });
    tx.audit(actor, "hazard.register", "hazard", &id.to_string(), None, Some(&after)).await?;
    Ok(h)
}

/// Save a changed hazard: only if its state and time are as read (else `conflict`).
pub async fn save(tx: &mut WriteTx, actor: &Actor, before: &Hazard, after: &Hazard, action: &str, note: Option<&str>, now: i64) -> Result<()> {
    let five = after.five.as_ref().map(|f: &Five| serde_json::to_string(f).unwrap_or_default());
    let done = sqlx::query(
        "UPDATE hazards SET grade = $1, state = $2, basis_catalogue = $3, basis_article = $4, basis_item = $5, five_json = $6, control_measures = $7, \
         stop_production = $8, deadline = $9, due_at = $10, accepted_by_unit_id = $11, evidence = $12, closed_on = $13, reopen_count = $14, updated_at = $15, \
         resumed_on = $19 WHERE id = $16 AND state = $17 AND updated_at = $18",
    )
    .bind(after.grade.map(|g| g.as_str()))
    .bind(after.state.as_str())
    .bind(&after.basis_catalogue)
    .bind(&after.basis_article)
    .bind(&after.basis_item)
    .bind(five)
    .bind(&after.control_measures)
    .bind(i64::from(after.stop_production))
    .bind(&after.deadline)
    .bind(after.due_at)
    .bind(after.accepted_by_unit_id)
    .bind(&after.evidence)
    .bind(&after.closed_on)
    .bind(after.reopen_count)
    .bind(now)
    .bind(before.id)
    .bind(before.state.as_str())
    .bind(before.updated_at)
    .bind(&after.resumed_on)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    record(tx, after, now).await?;
    super::counts::moved(tx, Some(before), after).await?;
    trail::append(tx, &[step(after, actor, action, Some(before.state), note, now)]).await?;
    let digest = |h: &Hazard| serde_json::json!({ "state": h.state.as_str(), "grade": h.grade.map(|g| g.as_str()), "deadline": h.deadline, "reopen_count": h.reopen_count });
    tx.audit(actor, &format!("hazard.{action}"), "hazard", &after.id.to_string(), Some(&digest(before)), Some(&digest(after))).await?;
    Ok(())
}

/// A 重大 hazard reported to the level above (`to`, the county's rule): its trail entry, audited.
pub async fn reported_up(tx: &mut WriteTx, actor: &Actor, h: &Hazard, to: &str, now: i64) -> Result<()> {
    trail::append(tx, &[trail::Entry::step(HazardFlow::KIND, h.id, now, &actor.name, "report_up", Some(h.state.as_str()), h.state.as_str(), Some(to))]).await?;
    let after = serde_json::json!({ "to": to, "grade": h.grade.map(|g| g.as_str()), "basis_catalogue": h.basis_catalogue });
    tx.audit(actor, "hazard.report_up", "hazard", &h.id.to_string(), None, Some(&after)).await?;
    Ok(())
}
