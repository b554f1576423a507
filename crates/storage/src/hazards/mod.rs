//! 安全生产 storage: the county's enterprises and its hazards (a kind of duty: each change
//! keeps the hazard's line in the record of duties, its trail and its audit row in one
//! transaction). Rows here; the rules of who may do what live in `luoshi_app::hazards`.

pub mod accidents;
pub mod bulk;
pub mod counts;
pub mod findings;
pub mod inspections;
pub mod ledger;
pub mod risks;
mod write;

pub use write::{create_enterprise, register, reported_up, save, NewEnterprise, NewHazard};

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Db, Result, WriteTx};
use luoshi_domain::duty::Workflow;
use luoshi_domain::hazards::{HazardFlow, HazardGrade, HazardState};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A 生产经营单位 as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    /// GB/T 4754 门类 letter and 大类 digits, e.g. `C26`.
    pub industry: String,
    pub regulator_unit_id: i64,
    pub regulator_name: String,
    pub township_id: Option<i64>,
    pub address: Option<String>,
    pub size: Option<String>,
    /// Key-supervision flags, comma-separated (危化, 粉尘涉爆, 液氨制冷, 有限空间).
    pub flags: String,
    /// 重大危险源 level (1–4), 0 for none.
    pub hazard_source_level: i64,
}

/// The five things fixed before a 重大 hazard's rectification starts (五落实).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Five {
    pub measures: String,
    pub responsibility: String,
    pub funds: String,
    pub time_limit: String,
    pub plan: String,
}

impl Five {
    /// Every one of the five filled in.
    pub fn complete(&self) -> bool {
        [&self.measures, &self.responsibility, &self.funds, &self.time_limit, &self.plan].iter().all(|s| !s.trim().is_empty())
    }
}

/// A 事故隐患 as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub id: i64,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    /// The enterprise's industry (GB/T 4754), for the statistics.
    pub industry: Option<String>,
    /// A public place's name, for a hazard with no enterprise.
    pub place: Option<String>,
    /// Who rectifies (the department for a public place; for an enterprise, the regulator acting for it).
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub regulator_unit_id: i64,
    pub township_id: Option<i64>,
    pub description: String,
    pub found_on: String,
    pub found_by: String,
    pub grade: Option<HazardGrade>,
    pub state: HazardState,
    pub basis_catalogue: Option<String>,
    pub basis_article: Option<String>,
    pub basis_item: Option<String>,
    pub five: Option<Five>,
    pub control_measures: Option<String>,
    pub stop_production: bool,
    pub deadline: Option<String>,
    pub due_at: Option<i64>,
    pub accepted_by_unit_id: Option<i64>,
    pub evidence: Option<String>,
    pub closed_on: Option<String>,
    pub reopen_count: i64,
    /// 复产 reviewed and passed on this day (a hazard that stopped production).
    pub resumed_on: Option<String>,
    /// The inspection that found it.
    pub inspection_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const ENTERPRISE_COLS: &str =
    "e.id, e.name, e.credit_code, e.industry, e.regulator_unit_id, r.name AS regulator_name, e.township_id, e.address, e.size, e.flags, e.hazard_source_level";

fn enterprise(r: &AnyRow) -> Result<Enterprise> {
    Ok(Enterprise {
        id: get_i64(r, "id")?,
        name: get_str(r, "name")?,
        credit_code: get_opt_str(r, "credit_code")?,
        industry: get_str(r, "industry")?,
        regulator_unit_id: get_i64(r, "regulator_unit_id")?,
        regulator_name: get_str(r, "regulator_name")?,
        township_id: get_opt_i64(r, "township_id")?,
        address: get_opt_str(r, "address")?,
        size: get_opt_str(r, "size")?,
        flags: get_str(r, "flags")?,
        hazard_source_level: get_i64(r, "hazard_source_level")?,
    })
}

pub async fn enterprise_by_id(db: &Db, id: i64) -> Result<Option<Enterprise>> {
    let row = sqlx::query(&format!("SELECT {ENTERPRISE_COLS} FROM enterprises e JOIN units r ON r.id = e.regulator_unit_id WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(enterprise).transpose()
}

/// Enterprises by name, at most `limit`, optionally only those a unit (by its path) regulates or
/// has in its territory (属地: the township's own).
pub async fn enterprises(db: &Db, unit_path: Option<&str>, limit: i64) -> Result<Vec<Enterprise>> {
    let rows = sqlx::query(&format!(
        "SELECT {ENTERPRISE_COLS} FROM enterprises e JOIN units r ON r.id = e.regulator_unit_id LEFT JOIN units t ON t.id = e.township_id \
         WHERE r.path LIKE $1 OR t.path LIKE $1 ORDER BY e.name, e.id LIMIT $2"
    ))
    .bind(format!("{}%", unit_path.unwrap_or("/")))
    .bind(limit.clamp(1, 100_000))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(enterprise).collect()
}

const COLS: &str = "h.id, h.enterprise_id, e.name AS enterprise_name, e.industry AS industry, h.place, h.owner_unit_id, o.name AS owner_name, h.regulator_unit_id, h.township_id, \
     h.description, h.found_on, h.found_by, h.grade, h.state, h.basis_catalogue, h.basis_article, h.basis_item, h.five_json, h.control_measures, \
     h.stop_production, h.deadline, h.due_at, h.accepted_by_unit_id, h.evidence, h.closed_on, h.reopen_count, h.resumed_on, h.inspection_id, h.created_at, h.updated_at";
const FROM: &str = "FROM hazards h JOIN units o ON o.id = h.owner_unit_id LEFT JOIN enterprises e ON e.id = h.enterprise_id";

fn hazard(r: &AnyRow) -> Result<Hazard> {
    let bad = |what: &str| DomainError::new(ErrorCode::Internal).with_detail(format!("hazard {what}"));
    let state = get_str(r, "state")?;
    Ok(Hazard {
        id: get_i64(r, "id")?,
        enterprise_id: get_opt_i64(r, "enterprise_id")?,
        enterprise_name: get_opt_str(r, "enterprise_name")?,
        industry: get_opt_str(r, "industry")?,
        place: get_opt_str(r, "place")?,
        owner_unit_id: get_i64(r, "owner_unit_id")?,
        owner_name: get_str(r, "owner_name")?,
        regulator_unit_id: get_i64(r, "regulator_unit_id")?,
        township_id: get_opt_i64(r, "township_id")?,
        description: get_str(r, "description")?,
        found_on: get_str(r, "found_on")?,
        found_by: get_str(r, "found_by")?,
        grade: get_opt_str(r, "grade")?.and_then(|g| HazardGrade::parse(&g)),
        state: HazardState::parse(&state).ok_or_else(|| bad("state"))?,
        basis_catalogue: get_opt_str(r, "basis_catalogue")?,
        basis_article: get_opt_str(r, "basis_article")?,
        basis_item: get_opt_str(r, "basis_item")?,
        five: get_opt_str(r, "five_json")?.and_then(|j| serde_json::from_str(&j).ok()),
        control_measures: get_opt_str(r, "control_measures")?,
        stop_production: get_i64(r, "stop_production")? != 0,
        deadline: get_opt_str(r, "deadline")?,
        due_at: get_opt_i64(r, "due_at")?,
        accepted_by_unit_id: get_opt_i64(r, "accepted_by_unit_id")?,
        evidence: get_opt_str(r, "evidence")?,
        closed_on: get_opt_str(r, "closed_on")?,
        reopen_count: get_i64(r, "reopen_count")?,
        resumed_on: get_opt_str(r, "resumed_on")?,
        inspection_id: get_opt_i64(r, "inspection_id")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Hazard>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE h.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(hazard).transpose()
}

/// A hazard with what its page shows beside it.
#[derive(Debug, Clone)]
pub struct HazardRecord {
    pub hazard: Hazard,
    /// The owner's, the regulator's and the township's paths (who may see it is decided on them).
    pub paths: (String, String, Option<String>),
    pub trail: Vec<crate::duty::trail::Step>,
    /// The record's version (its optimistic-concurrency token).
    pub version: Option<i64>,
}

/// The hazard, its units' paths, its trail and its version in one query (`parts`), if it
/// exists (who may see it is the caller's to decide).
pub async fn record(db: &Db, id: i64) -> Result<Option<HazardRecord>> {
    let trail = crate::duty::trail::TRAIL.json(db.backend(), "l_trail");
    // $1 the hazard, $2 its kind (the core's trail and record are by kind).
    let sql = format!(
        "SELECT {COLS}, o.path AS owner_path, rg.path AS regulator_path, tw.path AS township_path, rec.version AS record_version, {trail} {FROM} \
         JOIN units rg ON rg.id = h.regulator_unit_id LEFT JOIN units tw ON tw.id = h.township_id \
         LEFT JOIN duty_records rec ON rec.kind = $2 AND rec.ref_id = h.id WHERE h.id = $1"
    );
    let Some(r) = sqlx::query(&sql).bind(id).bind(HazardFlow::KIND).fetch_optional(db.pool()).await? else { return Ok(None) };
    Ok(Some(HazardRecord {
        hazard: hazard(&r)?,
        paths: (get_str(&r, "owner_path")?, get_str(&r, "regulator_path")?, get_opt_str(&r, "township_path")?),
        trail: crate::parts::decode(&r, "l_trail", crate::duty::trail::step)?,
        version: get_opt_i64(&r, "record_version")?,
    }))
}

pub async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Option<Hazard>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE h.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(hazard).transpose()
}

/// What the ledger (台账) shows.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    /// Hazards whose owner, regulator or township lies under one of these unit paths (`None`: the county).
    pub unit_paths: Option<Vec<String>>,
    pub state: Option<HazardState>,
    pub grade: Option<HazardGrade>,
    pub township_id: Option<i64>,
    /// Ids below this one (newest first, keyset).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The ledger, newest first.
pub async fn ledger(db: &Db, f: &LedgerFilter) -> Result<Vec<Hazard>> {
    let mut sql = format!("SELECT {COLS} {FROM} WHERE h.id < $1");
    let mut n = 1;
    let mut texts: Vec<String> = Vec::new();
    if let Some(paths) = &f.unit_paths {
        // The units that see a hazard are the core's sight (owner, regulator, township): one
        // index range per unit, instead of joining the unit tree for every hazard walked.
        let mut ids = Vec::new();
        for p in paths {
            ids.extend(crate::duty::subtree_ids(db, p, None).await?);
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Unit ids from the database, integers: written in as literals.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        sql += &format!(" AND h.id IN (SELECT ref_id FROM duty_sight WHERE kind = 'hazard' AND unit_id IN ({list}))");
    }
    if let Some(s) = f.state {
        n += 1;
        sql += &format!(" AND h.state = ${n}");
        texts.push(s.as_str().into());
    }
    if let Some(g) = f.grade {
        n += 1;
        sql += &format!(" AND h.grade = ${n}");
        texts.push(g.as_str().into());
    }
    if let Some(t) = f.township_id {
        // An id from the caller, an integer: written in as a literal.
        sql += &format!(" AND h.township_id = {t}");
    }
    sql += &format!(" ORDER BY h.id DESC LIMIT {}", f.limit.clamp(1, 500));
    let mut q = sqlx::query(&sql).bind(f.before_id.unwrap_or(i64::MAX));
    for t in &texts {
        q = q.bind(t);
    }
    q.fetch_all(db.pool()).await?.iter().map(hazard).collect()
}

/// The hazards an inspection found, in the order registered.
pub async fn of_inspection(db: &Db, inspection_id: i64) -> Result<Vec<Hazard>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE h.inspection_id = $1 ORDER BY h.id")).bind(inspection_id).fetch_all(db.pool()).await?;
    rows.iter().map(hazard).collect()
}

/// An enterprise's hazards, newest first.
pub async fn of_enterprise(db: &Db, enterprise_id: i64, limit: i64) -> Result<Vec<Hazard>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE h.enterprise_id = $1 ORDER BY h.id DESC LIMIT {}", limit.clamp(1, 500)))
        .bind(enterprise_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(hazard).collect()
}

/// Hazards closed (销号) between two dates, inclusive (`YYYY-MM-DD`), oldest first.
pub async fn closed_between(db: &Db, from: &str, to: &str) -> Result<Vec<Hazard>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE h.state = 'closed' AND h.closed_on >= $1 AND h.closed_on <= $2 ORDER BY h.id"))
        .bind(from)
        .bind(to)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(hazard).collect()
}

/// The enterprises any hazard found between two dates belongs to.
pub async fn enterprises_with_findings(db: &Db, from: &str, to: &str) -> Result<std::collections::HashSet<i64>> {
    let rows = sqlx::query("SELECT DISTINCT enterprise_id FROM hazards WHERE enterprise_id IS NOT NULL AND found_on >= $1 AND found_on <= $2")
        .bind(from)
        .bind(to)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| get_i64(r, "enterprise_id")).collect()
}
