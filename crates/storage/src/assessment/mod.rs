//! 考核's own records: the schemes (every change a new version), the adjustments (加扣分) and
//! the objections (申诉). The scores themselves are never stored: they are computed from the
//! duty counters each time (`duty::figures`).

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::assessment::{ObjectionState, Scheme};
use luoshi_domain::{DomainError, ErrorCode};

/// A scheme as stored: its version and who made it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredScheme {
    pub version: i64,
    pub scheme: Scheme,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

fn stored(r: &sqlx::any::AnyRow) -> Result<StoredScheme> {
    let body = get_str(r, "body")?;
    let scheme: Scheme = serde_json::from_str(&body).map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(format!("assessment_schemes: {e}")))?;
    Ok(StoredScheme {
        version: get_i64(r, "version")?,
        scheme,
        note: get_str(r, "note")?,
        created_by: get_str(r, "created_by")?,
        created_at: get_i64(r, "created_at")?,
    })
}

/// Every version of a year's scheme for a kind of unit, newest first.
pub async fn scheme_versions(db: &Db, year: i32, unit_kind: &str) -> Result<Vec<StoredScheme>> {
    let rows =
        sqlx::query("SELECT version, body, note, created_by, created_at FROM assessment_schemes WHERE year = $1 AND unit_kind = $2 ORDER BY version DESC")
            .bind(i64::from(year))
            .bind(unit_kind)
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(stored).collect()
}

/// Save a new version of a scheme (checked by the caller), audited. The new version.
pub async fn put_scheme(tx: &mut WriteTx, actor: &Actor, s: &Scheme, note: &str, now: i64) -> Result<i64> {
    let row = sqlx::query("SELECT MAX(version) AS v FROM assessment_schemes WHERE year = $1 AND unit_kind = $2")
        .bind(i64::from(s.year))
        .bind(s.unit_kind.as_str())
        .fetch_one(tx.conn())
        .await?;
    let version = get_opt_i64(&row, "v")?.unwrap_or(0) + 1;
    let body = serde_json::to_string(s).map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(e.to_string()))?;
    sqlx::query("INSERT INTO assessment_schemes (year, unit_kind, version, body, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(i64::from(s.year))
        .bind(s.unit_kind.as_str())
        .bind(version)
        .bind(&body)
        .bind(note)
        .bind(&actor.name)
        .bind(now)
        .execute(tx.conn())
        .await?;
    let key = format!("{}/{}", s.year, s.unit_kind);
    tx.audit(actor, "assessment.scheme", "assessment_scheme", &key, None, Some(&serde_json::json!({ "version": version, "note": note, "scheme": s }))).await?;
    Ok(version)
}

/// 加扣分: one adjustment of a unit's total under a scheme's rule, with its evidence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Adjustment {
    pub id: i64,
    pub year: i32,
    pub unit_id: i64,
    pub rule_code: String,
    pub points: f64,
    pub evidence: String,
    pub objection_id: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

fn year_of(r: &sqlx::any::AnyRow) -> Result<i32> {
    Ok(i32::try_from(get_i64(r, "year")?).unwrap_or(0))
}

/// A year's adjustments (of some units, or all), in the order entered.
pub async fn adjustments(db: &Db, year: i32, units: Option<&[i64]>) -> Result<Vec<Adjustment>> {
    let only = units
        .map(|u| format!(" AND unit_id IN ({})", if u.is_empty() { "0".into() } else { u.iter().map(i64::to_string).collect::<Vec<_>>().join(",") }))
        .unwrap_or_default();
    let sql = format!("SELECT id, year, unit_id, rule_code, points, evidence, objection_id, created_by, created_at FROM assessment_adjustments WHERE year = $1{only} ORDER BY id");
    let rows = sqlx::query(&sql).bind(i64::from(year)).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(Adjustment {
                id: get_i64(r, "id")?,
                year: year_of(r)?,
                unit_id: get_i64(r, "unit_id")?,
                rule_code: get_str(r, "rule_code")?,
                points: r.try_get::<f64, _>("points").map_err(crate::StoreError::from)?,
                evidence: get_str(r, "evidence")?,
                objection_id: get_opt_i64(r, "objection_id")?,
                created_by: get_str(r, "created_by")?,
                created_at: get_i64(r, "created_at")?,
            })
        })
        .collect()
}

/// Enter an adjustment, audited. Its id.
pub async fn add_adjustment(tx: &mut WriteTx, actor: &Actor, a: &Adjustment) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO assessment_adjustments (year, unit_id, rule_code, points, evidence, objection_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(i64::from(a.year))
    .bind(a.unit_id)
    .bind(a.rule_code.as_str())
    .bind(a.points)
    .bind(a.evidence.as_str())
    .bind(a.objection_id)
    .bind(&actor.name)
    .bind(a.created_at)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    tx.audit(actor, "assessment.adjust", "assessment_adjustment", &id.to_string(), None, Some(&serde_json::json!(a))).await?;
    Ok(id)
}

/// 申诉: a unit's objection against one of its figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Objection {
    pub id: i64,
    pub year: i32,
    pub unit_id: i64,
    pub indicator_code: String,
    pub reason: String,
    pub state: ObjectionState,
    pub decision: Option<String>,
    pub points: Option<f64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

const OBJECTION: &str = "SELECT id, year, unit_id, indicator_code, reason, state, decision, points, decided_by, decided_at, created_by, created_at, version FROM assessment_objections";

fn objection(r: &sqlx::any::AnyRow) -> Result<Objection> {
    Ok(Objection {
        id: get_i64(r, "id")?,
        year: year_of(r)?,
        unit_id: get_i64(r, "unit_id")?,
        indicator_code: get_str(r, "indicator_code")?,
        reason: get_str(r, "reason")?,
        state: ObjectionState::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::invalid("state"))?,
        decision: get_opt_str(r, "decision")?,
        points: r.try_get::<Option<f64>, _>("points").map_err(crate::StoreError::from)?,
        decided_by: get_opt_str(r, "decided_by")?,
        decided_at: get_opt_i64(r, "decided_at")?,
        created_by: get_str(r, "created_by")?,
        created_at: get_i64(r, "created_at")?,
        version: get_i64(r, "version")?,
    })
}

/// A year's objections (of some units, or all), newest first.
pub async fn objections(db: &Db, year: i32, units: Option<&[i64]>) -> Result<Vec<Objection>> {
    let only = units
        .map(|u| format!(" AND unit_id IN ({})", if u.is_empty() { "0".into() } else { u.iter().map(i64::to_string).collect::<Vec<_>>().join(",") }))
        .unwrap_or_default();
    let rows = sqlx::query(&format!("{OBJECTION} WHERE year = $1{only} ORDER BY id DESC")).bind(i64::from(year)).fetch_all(db.pool()).await?;
    rows.iter().map(objection).collect()
}

pub async fn objection_by_id(db: &Db, id: i64) -> Result<Option<Objection>> {
    let row = sqlx::query(&format!("{OBJECTION} WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(objection).transpose()
}

/// File an objection (state open), audited. Its id.
pub async fn file_objection(tx: &mut WriteTx, actor: &Actor, year: i32, unit_id: i64, indicator: &str, reason: &str, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO assessment_objections (year, unit_id, indicator_code, reason, state, created_by, created_at, version) VALUES ($1, $2, $3, $4, 'open', $5, $6, 1) RETURNING id",
    )
    .bind(i64::from(year))
    .bind(unit_id)
    .bind(indicator)
    .bind(reason)
    .bind(&actor.name)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let after = serde_json::json!({ "year": year, "unit_id": unit_id, "indicator": indicator, "reason": reason });
    tx.audit(actor, "assessment.object", "assessment_objection", &id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

/// Decide an open objection (refused with `conflict` if it moved on meanwhile), audited.
pub async fn decide(tx: &mut WriteTx, actor: &Actor, o: &Objection, to: ObjectionState, decision: &str, points: Option<f64>, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE assessment_objections SET state = $1, decision = $2, points = $3, decided_by = $4, decided_at = $5, version = version + 1 WHERE id = $6 AND version = $7 AND state = 'open'",
    )
    .bind(to.as_str())
    .bind(decision)
    .bind(points)
    .bind(&actor.name)
    .bind(now)
    .bind(o.id)
    .bind(o.version)
    .execute(tx.conn())
    .await?;
    crate::moved_on(&done)?;
    let after = serde_json::json!({ "state": to.as_str(), "decision": decision, "points": points });
    tx.audit(actor, "assessment.decide", "assessment_objection", &o.id.to_string(), Some(&serde_json::json!({ "state": o.state.as_str() })), Some(&after))
        .await?;
    Ok(())
}

use sqlx::Row;
