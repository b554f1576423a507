//! The hazards counted as they change (统计): per month found, township, regulating department,
//! industry, grade and state. Every writer moves its hazard from its old bucket to its new one
//! in its transaction; `recount` rebuilds the table from the hazards and says whether it held.

use super::Hazard;
use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use serde::Serialize;

/// One bucket and its count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Count {
    /// `YYYY-MM` of the day found, or `YYYY` for the year's bucket.
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

/// Move a hazard from its old bucket (none when new) to its new one, in the writer's transaction.
pub(crate) async fn moved(tx: &mut WriteTx, before: Option<&Hazard>, after: &Hazard) -> Result<()> {
    tx.touched_hazards();
    super::findings::moved(tx, before, after).await?;
    let new = bucket(after);
    if let Some(b) = before.map(bucket) {
        if b == new {
            return Ok(());
        }
        for period in [b.month.clone(), year_of(&b.month)] {
            sqlx::query(&format!("UPDATE hazard_counts SET n = n - 1 WHERE {KEY}"))
                .bind(&period)
                .bind(b.township_id)
                .bind(b.regulator_unit_id)
                .bind(&b.industry)
                .bind(&b.grade)
                .bind(&b.state)
                .execute(tx.conn())
                .await?;
        }
    }
    // The month's bucket and the year's (keyed by the year alone).
    for period in [new.month.clone(), year_of(&new.month)] {
        sqlx::query(
            "INSERT INTO hazard_counts (month, township_id, regulator_unit_id, industry, grade, state, n) VALUES ($1, $2, $3, $4, $5, $6, 1) \
             ON CONFLICT (month, township_id, regulator_unit_id, industry, grade, state) DO UPDATE SET n = hazard_counts.n + 1",
        )
        .bind(&period)
        .bind(new.township_id)
        .bind(new.regulator_unit_id)
        .bind(&new.industry)
        .bind(&new.grade)
        .bind(&new.state)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// `YYYY` of `YYYY-MM`: the key of a year's bucket.
fn year_of(month: &str) -> String {
    month.chars().take(4).collect()
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

/// The periods the kept counts answer: months `YYYY-MM..=YYYY-MM`, or a whole year (its own
/// buckets, a twelfth of the rows: the year so far is the usual question).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period<'a> {
    Months(&'a str, &'a str),
    Year(&'a str),
}

/// The kept counts of a period summed by one dimension, grade and state, in the database (a few
/// rows, whatever the number of buckets); only buckets whose township or regulator is one of
/// `units` when given. Rows: (key, grade, state, n); the key is the unit id or the industry code
/// as text.
pub async fn summed(db: &Db, by: By, period: Period<'_>, units: Option<&[i64]>) -> Result<Vec<(String, String, String, i64)>> {
    let key = match by {
        By::Township => "CAST(township_id AS TEXT)",
        By::Regulator => "CAST(regulator_unit_id AS TEXT)",
        By::Industry => "industry",
    };
    // PostgreSQL sums BIGINTs as NUMERIC: cast back. A year's buckets are keyed by the year alone,
    // months by `YYYY-MM` (seven characters).
    let (cond, a, b) = match period {
        Period::Months(from, to) => ("month >= $1 AND month <= $2 AND LENGTH(month) = 7", from, to),
        Period::Year(y) => ("month = $1 AND month = $2", y, y),
    };
    let mut sql = format!("SELECT {key} AS k, grade, state, CAST(SUM(n) AS BIGINT) AS n FROM hazard_counts WHERE {cond}");
    if let Some(ids) = units {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Unit ids from the database, integers: written in as literals.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        sql += &format!(" AND (township_id IN ({list}) OR regulator_unit_id IN ({list}))");
    }
    sql += &format!(" GROUP BY {key}, grade, state");
    let rows = sqlx::query(&sql).bind(a).bind(b).fetch_all(db.pool()).await?;
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
    let months: Vec<Count> = sqlx::query(FROM_RECORDS).fetch_all(tx.conn()).await?.iter().map(count).collect::<Result<_>>()?;
    // Each year's buckets summed from its months.
    let mut years: std::collections::BTreeMap<Count, i64> = std::collections::BTreeMap::new();
    for c in &months {
        *years.entry(Count { month: year_of(&c.month), n: 0, ..c.clone() }).or_default() += c.n;
    }
    let mut fresh: Vec<Count> = months.into_iter().chain(years.into_iter().map(|(c, n)| Count { n, ..c })).collect();
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
        let sql = format!(
            "INSERT INTO hazard_counts (month, township_id, regulator_unit_id, industry, grade, state, n) VALUES {}",
            crate::values(db.backend(), chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q.bind(&c.month).bind(c.township_id).bind(c.regulator_unit_id).bind(&c.industry).bind(&c.grade).bind(&c.state).bind(c.n);
        }
        q.execute(tx.conn()).await?;
    }
    // The findings per enterprise and month and each year's months, likewise.
    let (findings, held_found) = super::findings::rebuild(&mut tx).await?;
    let held = held && held_found;
    tx.touched_hazards();
    tx.audit(actor, "hazard.recount", "hazard_counts", "all", None, Some(&serde_json::json!({ "buckets": fresh.len(), "findings": findings, "held": held })))
        .await?;
    tx.commit().await?;
    Ok((held, fresh.len()))
}

/// Hazards past their deadline now, from the core's record (its lights, kept by every writer
/// and the supervision run).
pub async fn overdue(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM duty_records WHERE kind = 'hazard' AND light = 'red'").fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}
