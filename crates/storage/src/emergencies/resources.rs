//! 应急资源: teams, supplies (物资) and shelters (避难场所) by unit and place with their
//! quantities; every allocation to an incident is a movement kept with the incident.

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;

/// A resource as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub id: i64,
    /// team, supply, shelter.
    pub kind: String,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub township_id: Option<i64>,
    pub place: String,
    /// People for a team, items for a supply, places for a shelter.
    pub quantity: i64,
    pub measure: String,
    pub updated_at: i64,
}

fn resource(r: &sqlx::any::AnyRow) -> Result<Resource> {
    Ok(Resource {
        id: get_i64(r, "id")?,
        kind: get_str(r, "kind")?,
        name: get_str(r, "name")?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        township_id: get_opt_i64(r, "township_id")?,
        place: get_str(r, "place")?,
        quantity: get_i64(r, "quantity")?,
        measure: get_str(r, "measure")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

const SELECT: &str =
    "SELECT r.id, r.kind, r.name, r.unit_id, u.name AS unit_name, r.township_id, r.place, r.quantity, r.measure, r.updated_at FROM emergency_resources r JOIN units u ON u.id = r.unit_id";

/// Every resource, by kind and unit.
pub async fn list(db: &Db) -> Result<Vec<Resource>> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY r.kind, u.path, r.name")).fetch_all(db.pool()).await?;
    rows.iter().map(resource).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Resource>> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(resource).transpose()
}

/// Register a resource.
pub async fn insert(tx: &mut WriteTx, actor: &Actor, r: &Resource, now: i64) -> Result<i64> {
    tx.lock_shared().await?;
    let row = sqlx::query("INSERT INTO emergency_resources (kind, name, unit_id, township_id, place, quantity, measure, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(&r.kind)
        .bind(&r.name)
        .bind(r.unit_id)
        .bind(r.township_id)
        .bind(&r.place)
        .bind(r.quantity)
        .bind(&r.measure)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&row, "id")?;
    tx.audit(actor, "resource.create", "resource", &id.to_string(), None, Some(&serde_json::json!({ "name": r.name, "quantity": r.quantity }))).await?;
    Ok(id)
}

/// A movement of stock for an incident (negative: allocated out; positive: returned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub resource_id: i64,
    pub resource_name: String,
    pub measure: String,
    pub assignment_id: Option<i64>,
    pub delta: i64,
    pub at: i64,
    pub actor: String,
    pub note: Option<String>,
}

/// Move stock: refused (`out_of_range` on `quantity`) when it would fall below zero; the
/// movement is kept with the incident and audited.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn allocate(
    tx: &mut WriteTx,
    actor: &Actor,
    incident_id: i64,
    resource_id: i64,
    assignment_id: Option<i64>,
    delta: i64,
    note: Option<&str>,
    now: i64,
) -> Result<i64> {
    tx.lock_shared().await?;
    let row = sqlx::query("UPDATE emergency_resources SET quantity = quantity + $1, updated_at = $2 WHERE id = $3 AND quantity + $1 >= 0 RETURNING quantity")
        .bind(delta)
        .bind(now)
        .bind(resource_id)
        .fetch_optional(tx.conn())
        .await?;
    let Some(row) = row else {
        return Err(DomainError::field(ErrorCode::OutOfRange, "quantity").into());
    };
    let left = get_i64(&row, "quantity")?;
    sqlx::query("INSERT INTO resource_moves (incident_id, resource_id, assignment_id, delta, at, actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(incident_id)
        .bind(resource_id)
        .bind(assignment_id)
        .bind(delta)
        .bind(now)
        .bind(&actor.name)
        .bind(note)
        .execute(tx.conn())
        .await?;
    let after = serde_json::json!({ "incident_id": incident_id, "delta": delta, "left": left, "assignment_id": assignment_id });
    tx.audit(actor, "resource.allocate", "resource", &resource_id.to_string(), None, Some(&after)).await?;
    Ok(left)
}

/// The stock movements of an incident, oldest first.
pub async fn moves(db: &Db, incident_id: i64) -> Result<Vec<Move>> {
    let rows = sqlx::query(
        "SELECT m.resource_id, r.name, r.measure, m.assignment_id, m.delta, m.at, m.actor, m.note FROM resource_moves m JOIN emergency_resources r ON r.id = m.resource_id \
         WHERE m.incident_id = $1 ORDER BY m.at, m.id",
    )
    .bind(incident_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Move {
                resource_id: get_i64(r, "resource_id")?,
                resource_name: get_str(r, "name")?,
                measure: get_str(r, "measure")?,
                assignment_id: get_opt_i64(r, "assignment_id")?,
                delta: get_i64(r, "delta")?,
                at: get_i64(r, "at")?,
                actor: get_str(r, "actor")?,
                note: get_opt_str(r, "note")?,
            })
        })
        .collect()
}
