//! 应急资源: register teams, supplies and shelters by unit and place; allocate them to an
//! incident (and to one of its assignments), every movement of stock kept with the incident,
//! in the trail of the assignment it serves and audited.

use super::{commands, office};
use crate::{forbidden, Result, Who};
use luoshi_domain::error::required_text;
use luoshi_domain::time::local_date;
use luoshi_domain::DomainError;
use luoshi_storage::emergencies::resources::{self as store, Resource};
use luoshi_storage::{units, Db};
use serde::Deserialize;

/// The kinds of resource.
pub const KINDS: [&str; 3] = ["team", "supply", "shelter"];

/// A resource as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResourceInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub township_id: Option<i64>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub quantity: i64,
    #[serde(default)]
    pub measure: String,
}

pub async fn list(db: &Db, who: &Who) -> Result<Vec<Resource>> {
    if matches!(who.role, Some(luoshi_domain::user::Role::Hotline | luoshi_domain::user::Role::Deputy)) {
        return Err(forbidden());
    }
    store::list(db).await
}

pub async fn create(db: &Db, who: &Who, input: &ResourceInput, now: i64) -> Result<i64> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(DomainError::invalid("kind").into());
    }
    let unit = units::get(db, input.unit_id.ok_or_else(|| DomainError::required("unit_id"))?).await?.ok_or_else(|| DomainError::invalid("unit_id"))?;
    if !(who.acts_for(&unit.path) || commands(who, &office(db, local_date(now)).await?.path)) {
        return Err(forbidden());
    }
    if input.quantity < 0 {
        return Err(DomainError::invalid("quantity").into());
    }
    let r = Resource {
        id: 0,
        kind: input.kind.clone(),
        name: required_text("name", &input.name, 100)?,
        unit_id: unit.id,
        unit_name: unit.name,
        township_id: input.township_id,
        place: input.place.trim().chars().take(200).collect(),
        quantity: input.quantity,
        measure: required_text("measure", &input.measure, 10)?,
        updated_at: now,
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &who.actor, &r, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// An allocation, as entered: a quantity out (positive) or back (negative `quantity` with `back`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AllocateInput {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub resource_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub assignment_id: Option<i64>,
    #[serde(default)]
    pub quantity: i64,
    /// Stock returned after use rather than sent out.
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::lenient_bool")]
    pub back: bool,
    #[serde(default)]
    pub note: String,
}

/// Allocate (or return) stock for an incident; the stock left.
pub async fn allocate(db: &Db, who: &Who, incident_id: i64, input: &AllocateInput, now: i64) -> Result<i64> {
    let (i, command) = super::incidents::seen(db, who, incident_id).await?;
    if !command {
        return Err(forbidden());
    }
    let r = store::get(db, input.resource_id.ok_or_else(|| DomainError::required("resource_id"))?).await?.ok_or_else(|| DomainError::invalid("resource_id"))?;
    if input.quantity <= 0 {
        return Err(DomainError::invalid("quantity").into());
    }
    if let Some(a) = input.assignment_id {
        let a = luoshi_storage::emergencies::assignments::get(db, a).await?.ok_or_else(|| DomainError::invalid("assignment_id"))?;
        if a.incident_id != i.id {
            return Err(DomainError::invalid("assignment_id").into());
        }
    }
    let delta = if input.back { input.quantity } else { -input.quantity };
    let note = luoshi_domain::error::optional_text("note", &input.note, 500)?;
    let mut tx = db.begin_write().await?;
    let left = store::allocate(&mut tx, &who.actor, i.id, r.id, input.assignment_id, delta, note.as_deref(), now).await?;
    let text = format!("{}{}{}{}", r.name, if input.back { "归还" } else { "调拨" }, input.quantity, r.measure);
    luoshi_storage::emergencies::incidents::log(&mut tx, i.id, now, &who.actor.name, "resource", Some(r.unit_id), input.assignment_id, Some(&text)).await?;
    if let Some(a) = input.assignment_id {
        let e = luoshi_storage::duty::trail::Entry {
            kind: "emergency_task",
            ref_id: a,
            at: now,
            actor: &who.actor.name,
            unit_id: Some(r.unit_id),
            action: "resource",
            from: None,
            to: None,
            note: Some(&text),
            data: None,
        };
        luoshi_storage::duty::trail::append(&mut tx, std::slice::from_ref(&e)).await?;
    }
    tx.commit().await?;
    Ok(left)
}
