//! 风险分级管控: an enterprise's risk points, added by the supervision office or its regulator,
//! and the county's risk map (a department sees the enterprises it regulates).

use crate::{forbidden, Result, Who};
use luoshi_domain::access::Sight;
use luoshi_domain::error::optional_text;
use luoshi_domain::hazards::{ControlLevel, RiskLevel};
use luoshi_domain::DomainError;
use luoshi_storage::hazards::risks::{self as store, MapCell, RiskPoint};
use luoshi_storage::hazards::{self as hazards, Enterprise};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

/// A risk point as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RiskInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub responsible_level: String,
}

/// The enterprise, if the caller may keep its ledger (the supervision office or its regulator).
pub(crate) async fn kept_by(db: &Db, who: &Who, enterprise_id: i64) -> Result<Enterprise> {
    let e = hazards::enterprise_by_id(db, enterprise_id).await?.ok_or_else(|| DomainError::not_found("enterprise"))?;
    let path = units::get(db, e.regulator_unit_id).await?.map(|u| u.path).unwrap_or_default();
    if !(who.is_supervisor() || who.acts_for(&path)) {
        return Err(forbidden());
    }
    Ok(e)
}

pub async fn add(db: &Db, who: &Who, enterprise_id: i64, input: &RiskInput, now: i64) -> Result<RiskPoint> {
    let e = kept_by(db, who, enterprise_id).await?;
    let p = RiskPoint {
        id: 0,
        enterprise_id: e.id,
        name: optional_text("name", &input.name, 200)?.ok_or_else(|| DomainError::required("name"))?,
        level: RiskLevel::parse(input.level.trim()).ok_or_else(|| DomainError::invalid("level"))?,
        measures: optional_text("measures", &input.measures, 2000)?.ok_or_else(|| DomainError::required("measures"))?,
        responsible_level: ControlLevel::parse(input.responsible_level.trim()).ok_or_else(|| DomainError::invalid("responsible_level"))?,
        updated_at: now,
    };
    let mut tx = db.begin_write().await?;
    let id = store::add(&mut tx, &who.actor, &p, now).await?;
    tx.commit().await?;
    Ok(RiskPoint { id, ..p })
}

pub async fn remove(db: &Db, who: &Who, enterprise_id: i64, id: i64) -> Result<()> {
    kept_by(db, who, enterprise_id).await?;
    let mut tx = db.begin_write().await?;
    if !store::remove(&mut tx, &who.actor, enterprise_id, id).await? {
        return Err(DomainError::not_found("risk_point").into());
    }
    tx.commit().await?;
    Ok(())
}

/// The county's risk map: townships down, industry sections across, each cell the risk points
/// by level.
#[derive(Debug, Clone, Serialize)]
pub struct RiskMap {
    /// (township id, name); `None` for enterprises placed in no township.
    pub townships: Vec<(Option<i64>, String)>,
    /// Industry section letters present.
    pub sections: Vec<String>,
    pub cells: Vec<MapCell>,
}

pub async fn map(db: &Db, who: &Who) -> Result<RiskMap> {
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let regulators: Option<Vec<i64>> = match who.sight() {
        Sight::County => None,
        Sight::Units(path) => Some(all.iter().filter(|u| u.path.starts_with(&path)).map(|u| u.id).collect()),
        Sight::Leader { overseen, .. } => Some(all.iter().filter(|u| overseen.iter().any(|p| u.path.starts_with(p))).map(|u| u.id).collect()),
        Sight::Nothing => Some(Vec::new()),
    };
    let cells = store::map(db, regulators.as_deref()).await?;
    let mut townships: Vec<(Option<i64>, String)> = Vec::new();
    let mut sections: Vec<String> = Vec::new();
    for c in &cells {
        if !townships.iter().any(|(t, _)| *t == c.township_id) {
            let name = c.township_id.and_then(|t| all.iter().find(|u| u.id == t)).map(|u| u.name.clone()).unwrap_or_default();
            townships.push((c.township_id, name));
        }
        if !sections.contains(&c.section) {
            sections.push(c.section.clone());
        }
    }
    // Townships in the order of the unit tree; enterprises placed in none last.
    townships.sort_by_key(|t| (t.0.is_none(), t.0));
    sections.sort();
    Ok(RiskMap { townships, sections, cells })
}
