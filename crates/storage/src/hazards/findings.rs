//! Hazards found per enterprise: the count per enterprise and month and, per year, the months
//! with any (a bit each), moved by every hazard writer with the statistics' counts and rebuilt
//! by the recount; with each enterprise's township, department and industry kept per node, they
//! give hazards per enterprise and the enterprises that reported none without reading hazards.

use super::Hazard;
use crate::{get_i64, get_str, Db, Result, WriteTx};

/// The enterprise and month a hazard counts as a finding of (none: no enterprise, or cancelled).
fn finding(h: &Hazard) -> Option<(i64, String)> {
    h.enterprise_id.filter(|_| h.state != luoshi_domain::hazards::HazardState::Cancelled).map(|e| (e, h.found_on.chars().take(7).collect()))
}

/// Move a hazard's finding from its old enterprise and month to its new one.
pub(crate) async fn moved(tx: &mut WriteTx, before: Option<&Hazard>, after: &Hazard) -> Result<()> {
    let (old, new) = (before.and_then(finding), finding(after));
    if old == new {
        return Ok(());
    }
    if let Some((e, m)) = old {
        sqlx::query("UPDATE enterprise_findings SET n = n - 1 WHERE enterprise_id = $1 AND month = $2").bind(e).bind(&m).execute(tx.conn()).await?;
        month_bit(tx, e, &m).await?;
    }
    if let Some((e, m)) = new {
        sqlx::query(
            "INSERT INTO enterprise_findings (enterprise_id, month, n) VALUES ($1, $2, 1) ON CONFLICT (enterprise_id, month) DO UPDATE SET n = enterprise_findings.n + 1",
        )
        .bind(e)
        .bind(&m)
        .execute(tx.conn())
        .await?;
        month_bit(tx, e, &m).await?;
    }
    Ok(())
}

/// `YYYY-MM` as (year, the month's bit).
fn year_bit(month: &str) -> Option<(i64, i64)> {
    let (y, m) = month.split_once('-')?;
    let m: u32 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
    Some((y.parse().ok()?, 1i64 << (m - 1)))
}

/// Set or clear an enterprise's bit of a month in its year's row, as the month's count says.
async fn month_bit(tx: &mut WriteTx, enterprise_id: i64, month: &str) -> Result<()> {
    let Some((year, bit)) = year_bit(month) else { return Ok(()) };
    let n = sqlx::query("SELECT n FROM enterprise_findings WHERE enterprise_id = $1 AND month = $2")
        .bind(enterprise_id)
        .bind(month)
        .fetch_optional(tx.conn())
        .await?;
    let found = match n {
        Some(r) => get_i64(&r, "n")? > 0,
        None => false,
    };
    if found {
        sqlx::query(
            "INSERT INTO enterprise_years (enterprise_id, year, months) VALUES ($1, $2, $3) \
             ON CONFLICT (enterprise_id, year) DO UPDATE SET months = enterprise_years.months | $3",
        )
        .bind(enterprise_id)
        .bind(year)
        .bind(bit)
        .execute(tx.conn())
        .await?;
    } else {
        sqlx::query("UPDATE enterprise_years SET months = months & $3 WHERE enterprise_id = $1 AND year = $2")
            .bind(enterprise_id)
            .bind(year)
            .bind(0xFFF & !bit)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Rebuild the findings and the years' months from the hazards, in the recount's transaction:
/// the rows of findings, and whether the kept ones were equal.
pub(crate) async fn rebuild(tx: &mut WriteTx) -> Result<(usize, bool)> {
    // Each enterprise's findings per month, counted again from the hazards.
    let q = "SELECT enterprise_id, substr(found_on, 1, 7) AS month, COUNT(*) AS n FROM hazards WHERE enterprise_id IS NOT NULL AND state <> 'cancelled' \
             GROUP BY enterprise_id, substr(found_on, 1, 7)";
    let mut fresh_found: Vec<(i64, String, i64)> = sqlx::query(q)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| Ok((get_i64(r, "enterprise_id")?, get_str(r, "month")?, get_i64(r, "n")?)))
        .collect::<Result<_>>()?;
    let mut kept_found: Vec<(i64, String, i64)> = sqlx::query("SELECT enterprise_id, month, n FROM enterprise_findings WHERE n <> 0")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| Ok((get_i64(r, "enterprise_id")?, get_str(r, "month")?, get_i64(r, "n")?)))
        .collect::<Result<_>>()?;
    fresh_found.sort();
    kept_found.sort();
    let held = fresh_found == kept_found;
    sqlx::query("DELETE FROM enterprise_findings").execute(tx.conn()).await?;
    for chunk in fresh_found.chunks(500) {
        let sql = format!("INSERT INTO enterprise_findings (enterprise_id, month, n) VALUES {}", crate::values(chunk.len(), 3));
        let mut q = sqlx::query(&sql);
        for (e, m, n) in chunk {
            q = q.bind(e).bind(m).bind(n);
        }
        q.execute(tx.conn()).await?;
    }
    // And the months of each year with findings.
    let mut years: std::collections::BTreeMap<(i64, i64), i64> = std::collections::BTreeMap::new();
    for (e, m, _) in fresh_found.iter().filter(|f| f.2 > 0) {
        if let Some((y, bit)) = year_bit(m) {
            *years.entry((*e, y)).or_default() |= bit;
        }
    }
    let kept_years: std::collections::BTreeMap<(i64, i64), i64> = sqlx::query("SELECT enterprise_id, year, months FROM enterprise_years WHERE months <> 0")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| Ok(((get_i64(r, "enterprise_id")?, get_i64(r, "year")?), get_i64(r, "months")?)))
        .collect::<Result<_>>()?;
    let held = held && years == kept_years;
    sqlx::query("DELETE FROM enterprise_years").execute(tx.conn()).await?;
    let years: Vec<_> = years.into_iter().collect();
    for chunk in years.chunks(500) {
        let sql = format!("INSERT INTO enterprise_years (enterprise_id, year, months) VALUES {}", crate::values(chunk.len(), 3));
        let mut q = sqlx::query(&sql);
        for ((e, y), m) in chunk {
            q = q.bind(e).bind(y).bind(m);
        }
        q.execute(tx.conn()).await?;
    }
    Ok((fresh_found.len(), held))
}

/// Each enterprise's (township or 0, regulator, industry), kept per node with the version of
/// the enterprises it was read at.
pub(crate) type DimsCache = std::sync::Arc<std::sync::Mutex<Option<(i64, std::sync::Arc<Dims>)>>>;
type Dims = std::collections::HashMap<i64, (i64, i64, String)>;

async fn dims(db: &Db) -> Result<std::sync::Arc<Dims>> {
    let version = get_i64(&sqlx::query("SELECT n FROM data_versions WHERE name = 'enterprises'").fetch_one(db.pool()).await?, "n")?;
    if let Ok(slot) = db.enterprise_dims.lock() {
        if let Some((v, d)) = &*slot {
            if *v == version {
                return Ok(d.clone());
            }
        }
    }
    let rows = sqlx::query("SELECT id, COALESCE(township_id, 0) AS t, regulator_unit_id AS r, industry AS i FROM enterprises").fetch_all(db.pool()).await?;
    let d: Dims = rows.iter().map(|r| Ok((get_i64(r, "id")?, (get_i64(r, "t")?, get_i64(r, "r")?, get_str(r, "i")?)))).collect::<Result<_>>()?;
    let d = std::sync::Arc::new(d);
    if let Ok(mut slot) = db.enterprise_dims.lock() {
        *slot = Some((version, d.clone()));
    }
    Ok(d)
}

/// Enterprises by township, regulator and industry, each with how many of them had a hazard
/// found in the months `from..=to`: (township or 0, regulator, industry, enterprises, of them
/// with findings). Within one year, from each enterprise's months of that year; across years,
/// from the findings per month.
pub async fn enterprise_coverage(db: &Db, from: &str, to: &str) -> Result<Vec<(i64, i64, String, i64, i64)>> {
    let dims = dims(db).await?;
    let found: Vec<i64> = match (year_bit(from), year_bit(to)) {
        (Some((y1, b1)), Some((y2, b2))) if y1 == y2 => {
            // The bits of the months from..=to.
            let mask = (b2 << 1) - b1;
            let rows = sqlx::query("SELECT enterprise_id FROM enterprise_years WHERE year = $1 AND (months & $2) <> 0")
                .bind(y1)
                .bind(mask)
                .fetch_all(db.pool())
                .await?;
            rows.iter().map(|r| get_i64(r, "enterprise_id")).collect::<Result<_>>()?
        }
        _ => {
            let rows = sqlx::query("SELECT DISTINCT enterprise_id FROM enterprise_findings WHERE month >= $1 AND month <= $2 AND n > 0")
                .bind(from)
                .bind(to)
                .fetch_all(db.pool())
                .await?;
            rows.iter().map(|r| get_i64(r, "enterprise_id")).collect::<Result<_>>()?
        }
    };
    let mut by: std::collections::HashMap<&(i64, i64, String), (i64, i64)> = std::collections::HashMap::new();
    for d in dims.values() {
        by.entry(d).or_default().0 += 1;
    }
    for e in &found {
        if let Some(d) = dims.get(e) {
            by.entry(d).or_default().1 += 1;
        }
    }
    Ok(by.into_iter().map(|((t, r, i), (n, f))| (*t, *r, i.clone(), n, f)).collect())
}
