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
        // The enterprise's township, department and industry as they are now (read first: a
        // distributed engine types no parameter of an INSERT … SELECT from a reference table).
        let e = sqlx::query("SELECT COALESCE(township_id, 0) AS t, regulator_unit_id AS r, industry AS i FROM enterprises WHERE id = $1")
            .bind(enterprise_id)
            .fetch_one(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO enterprise_years (enterprise_id, year, months, township_id, regulator_unit_id, industry) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (enterprise_id, year) DO UPDATE SET months = enterprise_years.months | $3",
        )
        .bind(enterprise_id)
        .bind(year)
        .bind(bit)
        .bind(get_i64(&e, "t")?)
        .bind(get_i64(&e, "r")?)
        .bind(get_str(&e, "i")?)
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
        let sql = format!("INSERT INTO enterprise_findings (enterprise_id, month, n) VALUES {}", crate::values(tx.backend(), chunk.len(), 3));
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
    let dims: std::collections::HashMap<i64, (i64, i64, String)> =
        sqlx::query("SELECT id, COALESCE(township_id, 0) AS t, regulator_unit_id AS r, industry AS i FROM enterprises")
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| Ok((get_i64(r, "id")?, (get_i64(r, "t")?, get_i64(r, "r")?, get_str(r, "i")?))))
            .collect::<Result<_>>()?;
    let years: Vec<_> = years.into_iter().filter_map(|((e, y), m)| dims.get(&e).map(|d| (e, y, m, d))).collect();
    for chunk in years.chunks(500) {
        let sql = format!(
            "INSERT INTO enterprise_years (enterprise_id, year, months, township_id, regulator_unit_id, industry) VALUES {}",
            crate::values(tx.backend(), chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for (e, y, m, (t, r, i)) in chunk {
            q = q.bind(e).bind(y).bind(m).bind(t).bind(r).bind(i);
        }
        q.execute(tx.conn()).await?;
    }
    Ok((fresh_found.len(), held))
}

/// The number of enterprises by (township or 0, regulator, industry), kept per node with the
/// version of the enterprises it was counted at.
pub(crate) type DimsCache = std::sync::Arc<std::sync::Mutex<Option<(i64, std::sync::Arc<Totals>)>>>;
type Totals = std::collections::HashMap<(i64, i64, String), i64>;

async fn totals(db: &Db) -> Result<std::sync::Arc<Totals>> {
    let version = get_i64(&sqlx::query("SELECT n FROM data_versions WHERE name = 'enterprises'").fetch_one(db.pool()).await?, "n")?;
    if let Ok(slot) = db.enterprise_dims.lock() {
        if let Some((v, d)) = &*slot {
            if *v == version {
                return Ok(d.clone());
            }
        }
    }
    let sql = "SELECT COALESCE(township_id, 0) AS t, regulator_unit_id AS r, industry AS i, CAST(COUNT(*) AS BIGINT) AS n FROM enterprises \
               GROUP BY COALESCE(township_id, 0), regulator_unit_id, industry";
    let rows = sqlx::query(sql).fetch_all(db.pool()).await?;
    let d: Totals = rows.iter().map(|r| Ok(((get_i64(r, "t")?, get_i64(r, "r")?, get_str(r, "i")?), get_i64(r, "n")?))).collect::<Result<_>>()?;
    let d = std::sync::Arc::new(d);
    if let Ok(mut slot) = db.enterprise_dims.lock() {
        *slot = Some((version, d.clone()));
    }
    Ok(d)
}

/// Enterprises by township, regulator and industry, each with how many of them had a hazard
/// found in the months `from..=to` (`YYYY-MM`): (township or 0, regulator, industry,
/// enterprises, of them with findings), summed in the database from each enterprise's months.
pub async fn enterprise_coverage(db: &Db, from: &str, to: &str) -> Result<Vec<(i64, i64, String, i64, i64)>> {
    let totals = totals(db).await?;
    let (Some((y1, b1)), Some((y2, b2))) = (year_bit(from), year_bit(to)) else {
        return Err(luoshi_domain::DomainError::invalid("from").into());
    };
    // The months of each year in the period, as the bits of that year's row: the first year from
    // `from`'s month on, the last up to `to`'s, the years between whole.
    let upto = |b: i64| (b << 1) - 1;
    let mut conds = Vec::new();
    for y in y1..=y2 {
        let lo = if y == y1 { 0xFFF & !(b1 - 1) } else { 0xFFF };
        let hi = if y == y2 { upto(b2) } else { 0xFFF };
        // Years and masks are integers computed here: written in as literals.
        conds.push(format!("(year = {y} AND (months & {}) <> 0)", lo & hi));
    }
    let sql = format!(
        "SELECT township_id AS t, regulator_unit_id AS r, industry AS i, CAST(COUNT(DISTINCT enterprise_id) AS BIGINT) AS n FROM enterprise_years \
         WHERE {} GROUP BY township_id, regulator_unit_id, industry",
        if conds.is_empty() { "1 = 0".to_string() } else { conds.join(" OR ") }
    );
    let mut found: std::collections::HashMap<(i64, i64, String), i64> = std::collections::HashMap::new();
    for r in sqlx::query(&sql).fetch_all(db.pool()).await? {
        found.insert((get_i64(&r, "t")?, get_i64(&r, "r")?, get_str(&r, "i")?), get_i64(&r, "n")?);
    }
    Ok(totals.iter().map(|(k, n)| (k.0, k.1, k.2.clone(), *n, found.get(k).copied().unwrap_or(0).min(*n))).collect())
}
