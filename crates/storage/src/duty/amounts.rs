//! Amounts a kind keeps on its records (元): a project's investment completed by month and
//! planned by year, a maturity's sum due. Each is summed into the duty counters (event
//! `sum:<measure>`, `n` the sum) of the record's owner and leader in the writer's transaction,
//! so the cockpit reads investment against plan as it reads counts; [`recount_sql`] gives
//! `verify` the sums the amounts say.

use super::tallies::Key;
use super::Resolved;
use crate::{get_i64, get_opt_i64, get_str, Backend, Db, Result, WriteTx};
use std::collections::HashMap;

/// One amount of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount<'a> {
    pub ref_id: i64,
    /// '' for what stands now, `YYYY-MM` for a month, `YYYY` for a year.
    pub period: &'a str,
    pub measure: &'a str,
    pub value: i64,
}

/// The counter an amount sums into.
pub(crate) fn key(kind: &str, owner: Option<i64>, lead: Option<i64>, period: &str, measure: &str) -> Key {
    Key {
        kind: kind.to_string(),
        unit_id: owner.unwrap_or(0),
        lead_user_id: lead.unwrap_or(0),
        period: period.to_string(),
        event: format!("sum:{measure}"),
        state: String::new(),
        light: String::new(),
        grade: String::new(),
        flagged: 0,
    }
}

fn ids_in(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Set amounts of records of `kind` (each record's line already put): the counters move by
/// the difference to what was kept.
pub async fn set_many(tx: &mut WriteTx, kind: &str, rows: &[Amount<'_>]) -> Result<()> {
    for chunk in rows.chunks(400) {
        let mut ids: Vec<i64> = chunk.iter().map(|a| a.ref_id).collect();
        ids.sort_unstable();
        ids.dedup();
        // The records' owners under their row lock (a change of owner moves the sums with it);
        // locked by an update, as a distributed engine refuses FOR UPDATE across shards.
        if tx.backend() == Backend::Postgres {
            let sql = format!("UPDATE duty_records SET version = version WHERE kind = $1 AND ref_id IN ({})", ids_in(&ids));
            sqlx::query(&sql).bind(kind).execute(tx.conn()).await?;
        }
        let sql = format!("SELECT ref_id, owner_unit_id, lead_user_id FROM duty_records WHERE kind = $1 AND ref_id IN ({})", ids_in(&ids));
        let mut owners: HashMap<i64, (Option<i64>, Option<i64>)> = HashMap::new();
        for r in sqlx::query(&sql).bind(kind).fetch_all(tx.conn()).await? {
            owners.insert(get_i64(&r, "ref_id")?, (get_opt_i64(&r, "owner_unit_id")?, get_opt_i64(&r, "lead_user_id")?));
        }
        let sql = format!("SELECT ref_id, period, measure, value FROM duty_amounts WHERE kind = $1 AND ref_id IN ({})", ids_in(&ids));
        let mut had: HashMap<(i64, String, String), i64> = HashMap::new();
        for r in sqlx::query(&sql).bind(kind).fetch_all(tx.conn()).await? {
            had.insert((get_i64(&r, "ref_id")?, get_str(&r, "period")?, get_str(&r, "measure")?), get_i64(&r, "value")?);
        }
        let sql = format!(
            "INSERT INTO duty_amounts (kind, ref_id, period, measure, value) VALUES {} ON CONFLICT (kind, ref_id, period, measure) DO UPDATE SET value = excluded.value",
            crate::values(tx.backend(), chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            q = q.bind(kind).bind(a.ref_id).bind(a.period).bind(a.measure).bind(a.value);
        }
        q.execute(tx.conn()).await?;
        for a in chunk {
            let Some((owner, lead)) = owners.get(&a.ref_id) else {
                return Err(luoshi_domain::DomainError::new(luoshi_domain::ErrorCode::Internal).with_detail(format!("{kind} {} has no line", a.ref_id)).into());
            };
            let before = had.insert((a.ref_id, a.period.to_string(), a.measure.to_string()), a.value).unwrap_or(0);
            tx.tally(key(kind, *owner, *lead, a.period, a.measure), a.value - before);
        }
    }
    Ok(())
}

/// A record changed owner or leader: its sums move from the old counters to the new.
pub(crate) async fn moved(tx: &mut WriteTx, kind: &str, ref_id: i64, from: (Option<i64>, Option<i64>), to: (Option<i64>, Option<i64>)) -> Result<()> {
    if from == to {
        return Ok(());
    }
    let rows =
        sqlx::query("SELECT period, measure, value FROM duty_amounts WHERE kind = $1 AND ref_id = $2").bind(kind).bind(ref_id).fetch_all(tx.conn()).await?;
    for r in &rows {
        let (period, measure, value) = (get_str(r, "period")?, get_str(r, "measure")?, get_i64(r, "value")?);
        tx.tally(key(kind, from.0, from.1, &period, &measure), -value);
        tx.tally(key(kind, to.0, to.1, &period, &measure), value);
    }
    Ok(())
}

/// The part of `verify`'s recount the amounts give (columns as the counters').
pub(crate) const RECOUNT_SQL: &str = "SELECT r.kind, COALESCE(r.owner_unit_id, 0) AS unit_id, COALESCE(r.lead_user_id, 0) AS lead_user_id, a.period, \
     'sum:' || a.measure AS event, '' AS state, '' AS light, '' AS grade, 0 AS flagged, CAST(SUM(a.value) AS BIGINT) AS n \
     FROM duty_amounts a JOIN duty_records r ON r.kind = a.kind AND r.ref_id = a.ref_id \
     GROUP BY r.kind, COALESCE(r.owner_unit_id, 0), COALESCE(r.lead_user_id, 0), a.period, a.measure";

/// The open records of `kind` in the sight with an amount `measure` standing now, soonest
/// limit first (a maturity's sum due: 最近到期).
pub async fn soonest(db: &Db, r: &Resolved, kind: &str, measure: &str, limit: i64) -> Result<Vec<(super::Record, i64)>> {
    let cond = super::figures::sight_sql(r, "r");
    let sql = format!(
        "SELECT r.kind, r.ref_id, r.owner_unit_id, r.state, r.phase, r.due_at, r.light, r.title, r.version, r.updated_at, a.value FROM duty_records r \
         JOIN duty_amounts a ON a.kind = r.kind AND a.ref_id = r.ref_id AND a.period = '' AND a.measure = $2 \
         WHERE r.kind = $1 AND r.phase IN ('running', 'waiting', 'under_review') AND {cond} ORDER BY r.due_at, r.ref_id LIMIT {}",
        limit.clamp(1, 50)
    );
    let rows = sqlx::query(&sql).bind(kind).bind(measure).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((super::record(r)?, get_i64(r, "value")?))).collect()
}
