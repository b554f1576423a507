//! The hazards counted as they change (统计): per month found, township, regulating department,
//! industry, grade and state. Every writer moves its hazard from its old bucket to its new one
//! in its transaction; `recount` rebuilds the table from the hazards and says whether it held.

use super::Hazard;
use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use serde::Serialize;

/// One bucket and its count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Count {
    /// `YYYY-MM` of the day found.
    pub month: String,
    /// 0 where the hazard has no township.
    pub township_id: i64,
    pub regulator_unit_id: i64,
    /// Empty where the hazard has no enterprise.
    pub industry: String,
    /// Empty while not graded.
    pub grade: String,
    pub state: String,
    pub n: i64,
}

fn bucket(h: &Hazard) -> Count {
    Count {
        month: h.found_on.chars().take(7).collect(),
        township_id: h.township_id.unwrap_or(0),
        regulator_unit_id: h.regulator_unit_id,
        industry: h.industry.clone().unwrap_or_default(),
        grade: h.grade.map(|g| g.as_str().to_string()).unwrap_or_default(),
        state: h.state.as_str().to_string(),
        n: 1,
    }
}

const KEY: &str = "month = $1 AND township_id = $2 AND regulator_unit_id = $3 AND industry = $4 AND grade = $5 AND state = $6";

/// The enterprise and month a hazard counts as a finding of (none: no enterprise, or cancelled).
fn finding(h: &Hazard) -> Option<(i64, String)> {
    h.enterprise_id.filter(|_| h.state != luoshi_domain::hazards::HazardState::Cancelled).map(|e| (e, h.found_on.chars().take(7).collect()))
}

/// Move a hazard's finding from its old enterprise and month to its new one.
async fn found_moved(tx: &mut WriteTx, before: Option<&Hazard>, after: &Hazard) -> Result<()> {
    let (old, new) = (before.and_then(finding), finding(after));
    if old == new {
        return Ok(());
    }
    if let Some((e, m)) = old {
        sqlx::query("UPDATE enterprise_findings SET n = n - 1 WHERE enterprise_id = $1 AND month = $2").bind(e).bind(&m).execute(tx.conn()).await?;
    }
    if let Some((e, m)) = new {
        sqlx::query(
            "INSERT INTO enterprise_findings (enterprise_id, month, n) VALUES ($1, $2, 1) ON CONFLICT (enterprise_id, month) DO UPDATE SET n = enterprise_findings.n + 1",
        )
        .bind(e)
        .bind(&m)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// Move a hazard from its old bucket (none when new) to its new one, in the writer's transaction.
pub(crate) async fn moved(tx: &mut WriteTx, before: Option<&Hazard>, after: &Hazard) -> Result<()> {
    found_moved(tx, before, after).await?;
    let new = bucket(after);
    if let Some(b) = before.map(bucket) {
        if b == new {
            return Ok(());
        }
        sqlx::query(&format!("UPDATE hazard_counts SET n = n - 1 WHERE {KEY}"))
            .bind(&b.month)
            .bind(b.township_id)
            .bind(b.regulator_unit_id)
            .bind(&b.industry)
            .bind(&b.grade)
            .bind(&b.state)
            .execute(tx.conn())
            .await?;
    }
    sqlx::query(
        "INSERT INTO hazard_counts (month, township_id, regulator_unit_id, industry, grade, state, n) VALUES ($1, $2, $3, $4, $5, $6, 1) \
         ON CONFLICT (month, township_id, regulator_unit_id, industry, grade, state) DO UPDATE SET n = hazard_counts.n + 1",
    )
    .bind(&new.month)
    .bind(new.township_id)
    .bind(new.regulator_unit_id)
    .bind(&new.industry)
    .bind(&new.grade)
    .bind(&new.state)
    .execute(tx.conn())
    .await?;
    Ok(())
}

fn count(r: &sqlx::any::AnyRow) -> Result<Count> {
    Ok(Count {
        month: get_str(r, "month")?,
        township_id: get_i64(r, "township_id")?,
        regulator_unit_id: get_i64(r, "regulator_unit_id")?,
        industry: get_str(r, "industry")?,
        grade: get_str(r, "grade")?,
        state: get_str(r, "state")?,
        n: get_i64(r, "n")?,
    })
}

/// A dimension of the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Township,
    Regulator,
    Industry,
}

/// The kept counts of the months `from..=to` summed by one dimension, grade and state, in the
/// database (a few rows, whatever the number of buckets); only buckets whose township or
/// regulator is one of `units` when given. Rows: (key, grade, state, n); the key is the unit id
/// or the industry code as text.
pub async fn summed(db: &Db, by: By, from: &str, to: &str, units: Option<&[i64]>) -> Result<Vec<(String, String, String, i64)>> {
    let key = match by {
        By::Township => "CAST(township_id AS TEXT)",
        By::Regulator => "CAST(regulator_unit_id AS TEXT)",
        By::Industry => "industry",
    };
    // PostgreSQL sums BIGINTs as NUMERIC: cast back.
    let mut sql = format!("SELECT {key} AS k, grade, state, CAST(SUM(n) AS BIGINT) AS n FROM hazard_counts WHERE month >= $1 AND month <= $2");
    if let Some(ids) = units {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Unit ids from the database, integers: written in as literals.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        sql += &format!(" AND (township_id IN ({list}) OR regulator_unit_id IN ({list}))");
    }
    sql += &format!(" GROUP BY {key}, grade, state");
    let rows = sqlx::query(&sql).bind(from).bind(to).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "k")?, get_str(r, "grade")?, get_str(r, "state")?, get_i64(r, "n")?))).collect()
}

const FROM_RECORDS: &str = "SELECT substr(h.found_on, 1, 7) AS month, COALESCE(h.township_id, 0) AS township_id, h.regulator_unit_id AS regulator_unit_id, \
     COALESCE(e.industry, '') AS industry, COALESCE(h.grade, '') AS grade, h.state AS state, COUNT(*) AS n \
     FROM hazards h LEFT JOIN enterprises e ON e.id = h.enterprise_id \
     GROUP BY substr(h.found_on, 1, 7), COALESCE(h.township_id, 0), h.regulator_unit_id, COALESCE(e.industry, ''), COALESCE(h.grade, ''), h.state";

/// Count every hazard again and put the result in place of the kept counts, in one transaction;
/// whether the kept counts were equal, and the number of buckets.
pub async fn recount(db: &Db, actor: &Actor) -> Result<(bool, usize)> {
    let mut tx = db.begin_write().await?;
    let mut fresh: Vec<Count> = sqlx::query(FROM_RECORDS).fetch_all(tx.conn()).await?.iter().map(count).collect::<Result<_>>()?;
    let mut kept: Vec<Count> = sqlx::query("SELECT month, township_id, regulator_unit_id, industry, grade, state, n FROM hazard_counts WHERE n <> 0")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(count)
        .collect::<Result<_>>()?;
    fresh.sort();
    kept.sort();
    let held = fresh == kept;
    sqlx::query("DELETE FROM hazard_counts").execute(tx.conn()).await?;
    for chunk in fresh.chunks(500) {
        let sql =
            format!("INSERT INTO hazard_counts (month, township_id, regulator_unit_id, industry, grade, state, n) VALUES {}", crate::values(chunk.len(), 7));
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q.bind(&c.month).bind(c.township_id).bind(c.regulator_unit_id).bind(&c.industry).bind(&c.grade).bind(&c.state).bind(c.n);
        }
        q.execute(tx.conn()).await?;
    }
    // The findings per enterprise and month, likewise.
    let q = "SELECT enterprise_id, substr(found_on, 1, 7) AS month, COUNT(*) AS n FROM hazards WHERE enterprise_id IS NOT NULL AND state <> 'cancelled' \
             GROUP BY enterprise_id, substr(found_on, 1, 7)";
    let mut fresh_found: Vec<(i64, String, i64)> =
        sqlx::query(q).fetch_all(tx.conn()).await?.iter().map(|r| Ok((get_i64(r, "enterprise_id")?, get_str(r, "month")?, get_i64(r, "n")?))).collect::<Result<_>>()?;
    let mut kept_found: Vec<(i64, String, i64)> = sqlx::query("SELECT enterprise_id, month, n FROM enterprise_findings WHERE n <> 0")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| Ok((get_i64(r, "enterprise_id")?, get_str(r, "month")?, get_i64(r, "n")?)))
        .collect::<Result<_>>()?;
    fresh_found.sort();
    kept_found.sort();
    let held = held && fresh_found == kept_found;
    sqlx::query("DELETE FROM enterprise_findings").execute(tx.conn()).await?;
    for chunk in fresh_found.chunks(500) {
        let sql = format!("INSERT INTO enterprise_findings (enterprise_id, month, n) VALUES {}", crate::values(chunk.len(), 3));
        let mut q = sqlx::query(&sql);
        for (e, m, n) in chunk {
            q = q.bind(e).bind(m).bind(n);
        }
        q.execute(tx.conn()).await?;
    }
    tx.audit(actor, "hazard.recount", "hazard_counts", "all", None, Some(&serde_json::json!({ "buckets": fresh.len(), "findings": fresh_found.len(), "held": held }))).await?;
    tx.commit().await?;
    Ok((held, fresh.len()))
}

/// Hazards past their deadline now, from the core's record (its lights, kept by every writer
/// and the supervision run).
pub async fn overdue(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM duty_records WHERE kind = 'hazard' AND light = 'red'").fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}

/// Enterprises by township, regulator and industry, each with how many of them had a hazard
/// found in the months `from..=to` (from the kept findings): (township or 0, regulator,
/// industry, enterprises, of them with findings).
pub async fn enterprise_coverage(db: &Db, from: &str, to: &str) -> Result<Vec<(i64, i64, String, i64, i64)>> {
    let all = "SELECT COALESCE(township_id, 0) AS t, regulator_unit_id AS r, industry AS i, CAST(COUNT(*) AS BIGINT) AS n FROM enterprises \
               GROUP BY COALESCE(township_id, 0), regulator_unit_id, industry";
    // Two queries, not an outer join: a distributed engine joins its shards to a reference table
    // only from the inside.
    let found = "SELECT COALESCE(e.township_id, 0) AS t, e.regulator_unit_id AS r, e.industry AS i, CAST(COUNT(DISTINCT f.enterprise_id) AS BIGINT) AS n \
                 FROM enterprise_findings f JOIN enterprises e ON e.id = f.enterprise_id WHERE f.month >= $1 AND f.month <= $2 AND f.n > 0 \
                 GROUP BY COALESCE(e.township_id, 0), e.regulator_unit_id, e.industry";
    let key = |r: &sqlx::any::AnyRow| -> Result<(i64, i64, String)> { Ok((get_i64(r, "t")?, get_i64(r, "r")?, get_str(r, "i")?)) };
    let mut with: std::collections::HashMap<(i64, i64, String), i64> = std::collections::HashMap::new();
    for r in sqlx::query(found).bind(from).bind(to).fetch_all(db.pool()).await? {
        with.insert(key(&r)?, get_i64(&r, "n")?);
    }
    sqlx::query(all)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            let k = key(r)?;
            let found = with.get(&k).copied().unwrap_or(0);
            Ok((k.0, k.1, k.2, get_i64(r, "n")?, found))
        })
        .collect()
}
