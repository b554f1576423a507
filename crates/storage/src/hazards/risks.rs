//! Risk points (风险分级管控): each enterprise's points graded 红橙黄蓝 with their control
//! measures and the level that controls them, and the county's map summed from them.

use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::hazards::{ControlLevel, RiskLevel};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A risk point as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskPoint {
    pub id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub level: RiskLevel,
    pub measures: String,
    pub responsible_level: ControlLevel,
    pub updated_at: i64,
}

fn point(r: &AnyRow) -> Result<RiskPoint> {
    let bad = |w: &str| DomainError::new(ErrorCode::Internal).with_detail(format!("risk point {w}"));
    Ok(RiskPoint {
        id: get_i64(r, "id")?,
        enterprise_id: get_i64(r, "enterprise_id")?,
        name: get_str(r, "name")?,
        level: RiskLevel::parse(&get_str(r, "level")?).ok_or_else(|| bad("level"))?,
        measures: get_str(r, "measures")?,
        responsible_level: ControlLevel::parse(&get_str(r, "responsible_level")?).ok_or_else(|| bad("responsible_level"))?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

/// Add a risk point (checked by the app), audited.
pub async fn add(tx: &mut WriteTx, actor: &Actor, p: &RiskPoint, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO risk_points (enterprise_id, name, level, measures, responsible_level, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(p.enterprise_id)
    .bind(&p.name)
    .bind(p.level.as_str())
    .bind(&p.measures)
    .bind(p.responsible_level.as_str())
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let after =
        serde_json::json!({ "enterprise_id": p.enterprise_id, "name": p.name, "level": p.level.as_str(), "responsible_level": p.responsible_level.as_str() });
    tx.audit(actor, "risk_point.add", "risk_point", &id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

/// Remove a risk point of an enterprise, audited; whether it was there.
pub async fn remove(tx: &mut WriteTx, actor: &Actor, enterprise_id: i64, id: i64) -> Result<bool> {
    let n = sqlx::query("DELETE FROM risk_points WHERE enterprise_id = $1 AND id = $2").bind(enterprise_id).bind(id).execute(tx.conn()).await?.rows_affected();
    if n == 1 {
        tx.audit(actor, "risk_point.remove", "risk_point", &id.to_string(), Some(&serde_json::json!({ "enterprise_id": enterprise_id })), None).await?;
    }
    Ok(n == 1)
}

/// An enterprise's risk points, most severe first.
pub async fn of_enterprise(db: &Db, enterprise_id: i64) -> Result<Vec<RiskPoint>> {
    let rows =
        sqlx::query("SELECT id, enterprise_id, name, level, measures, responsible_level, updated_at FROM risk_points WHERE enterprise_id = $1 ORDER BY id")
            .bind(enterprise_id)
            .fetch_all(db.pool())
            .await?;
    let mut out = rows.iter().map(point).collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|p| p.level.rank());
    Ok(out)
}

/// One cell of the county's risk map: a township (none: not placed), an industry 门类, a level,
/// and how many risk points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapCell {
    pub township_id: Option<i64>,
    pub section: String,
    pub level: String,
    pub n: i64,
}

/// The risk points summed by township, industry section and level (the enterprises under
/// `regulators` when given: a department's own).
pub async fn map(db: &Db, regulators: Option<&[i64]>) -> Result<Vec<MapCell>> {
    let filter = match regulators {
        // Unit ids from the database, integers: written in as literals.
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(" WHERE e.regulator_unit_id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        None => String::new(),
    };
    let sql = format!(
        "SELECT e.township_id AS t, SUBSTR(e.industry, 1, 1) AS s, r.level AS l, CAST(COUNT(*) AS BIGINT) AS n \
         FROM risk_points r JOIN enterprises e ON e.id = r.enterprise_id{filter} GROUP BY e.township_id, SUBSTR(e.industry, 1, 1), r.level"
    );
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok(MapCell { township_id: get_opt_i64(r, "t")?, section: get_str(r, "s")?, level: get_str(r, "l")?, n: get_i64(r, "n")? })).collect()
}
