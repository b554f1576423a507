//! 申诉: a unit objects to a figure of its scorecard; the supervision office decides with a
//! reason. An objection upheld with points enters a correction (the scheme's `correction`
//! rule) in the same transaction; both stay in the trail.

use super::{scheme, scheme_kind, year_or, Tree};
use crate::{Result, Who};
use luoshi_domain::assessment::ObjectionState;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::assessment::{self as store, Adjustment, Objection};
use luoshi_storage::Db;

/// What a unit files.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ObjectionInput {
    #[serde(default)]
    pub unit_id: i64,
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub reason: String,
}

/// File an objection for a unit the caller manages (its manager, for its own unit or one below).
pub async fn file(db: &Db, who: &Who, input: &ObjectionInput, this_year: i32, now: i64) -> Result<i64> {
    let tree = Tree::load(db).await?;
    let u = tree.get(input.unit_id).ok_or_else(|| DomainError::not_found("unit"))?.clone();
    if who.role != Some(Role::UnitManager) || !who.acts_for(&u.path) {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let year = year_or(input.year, this_year)?;
    let (s, _) = scheme(db, year, scheme_kind(u.kind)).await?;
    let indicator = input.indicator.trim();
    if indicator != "total" && s.indicator(indicator).is_none() {
        return Err(DomainError::field(ErrorCode::Invalid, "indicator").into());
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(DomainError::required("reason").into());
    }
    if reason.chars().count() > 2000 {
        return Err(DomainError::field(ErrorCode::TooLong, "reason").into());
    }
    let mut tx = db.begin_write().await?;
    let id = store::file_objection(&mut tx, &who.actor, year, u.id, indicator, reason, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// The decision on an objection.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Decision {
    #[serde(default)]
    pub upheld: bool,
    #[serde(default)]
    pub reason: String,
    /// Upheld with a correction of the total (±, within the `correction` rule's cap).
    #[serde(default)]
    pub points: Option<f64>,
}

/// Decide an open objection (the supervision office).
pub async fn decide(db: &Db, who: &Who, id: i64, d: &Decision, now: i64) -> Result<Objection> {
    let o = store::objection_by_id(db, id).await?.ok_or_else(|| DomainError::not_found("objection"))?;
    if !who.is_supervisor() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    if o.state != ObjectionState::Open {
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("state").into());
    }
    let reason = d.reason.trim();
    if reason.is_empty() {
        return Err(DomainError::required("reason").into());
    }
    let tree = Tree::load(db).await?;
    let u = tree.get(o.unit_id).ok_or_else(|| DomainError::not_found("unit"))?.clone();
    let points = if d.upheld { d.points.filter(|p| *p != 0.0) } else { None };
    if let Some(p) = points {
        let (s, _) = scheme(db, o.year, scheme_kind(u.kind)).await?;
        let cap = s.events.iter().find(|r| r.code == "correction").map(|r| r.cap).ok_or_else(|| DomainError::field(ErrorCode::Invalid, "points"))?;
        if !p.is_finite() || p.abs() > cap {
            return Err(DomainError::field(ErrorCode::OutOfRange, "points").with_detail(format!("±{cap}")).into());
        }
    }
    let to = if d.upheld { ObjectionState::Upheld } else { ObjectionState::Rejected };
    let mut tx = db.begin_write().await?;
    store::decide(&mut tx, &who.actor, &o, to, reason, points, now).await?;
    if let Some(p) = points {
        let a = Adjustment {
            id: 0,
            year: o.year,
            unit_id: o.unit_id,
            rule_code: "correction".into(),
            points: p,
            evidence: reason.to_string(),
            objection_id: Some(o.id),
            created_by: who.actor.name.clone(),
            created_at: now,
        };
        store::add_adjustment(&mut tx, &who.actor, &a).await?;
    }
    tx.commit().await?;
    store::objection_by_id(db, id).await?.ok_or_else(|| DomainError::not_found("objection").into())
}

/// A year's objections the caller may see: all for the supervision office and the county's
/// sight, else those of its subtree.
pub async fn list(db: &Db, who: &Who, year: Option<i32>, this_year: i32) -> Result<Vec<Objection>> {
    let year = year_or(year, this_year)?;
    let tree = Tree::load(db).await?;
    if matches!(who.sight(), luoshi_domain::access::Sight::County) {
        return store::objections(db, year, None).await;
    }
    let seen: Vec<i64> = tree.units.iter().filter(|u| tree.sees(who, u)).map(|u| u.id).collect();
    store::objections(db, year, Some(&seen)).await
}
