//! 值班: who is on duty, by unit and day (the first on a day is the first addressee of an
//! activation). An import replaces the days and units it names, all or nothing.

use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use serde::Serialize;
use std::collections::HashMap;

/// One person on duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnDuty {
    pub unit_id: i64,
    pub unit_name: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Order of the day's people (the first is addressed first).
    pub seq: i64,
    pub person: String,
    pub phone: String,
    /// 带班领导 / 值班员 …
    pub post: String,
}

/// Replace the roster of the (unit, day) pairs the rows name; the number of rows written.
pub async fn replace(tx: &mut WriteTx, actor: &Actor, rows: &[OnDuty]) -> Result<usize> {
    let mut pairs: Vec<(i64, &str)> = rows.iter().map(|r| (r.unit_id, r.day.as_str())).collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (unit, day) in &pairs {
        sqlx::query("DELETE FROM duty_roster WHERE unit_id = $1 AND day = $2").bind(*unit).bind(*day).execute(tx.conn()).await?;
    }
    for chunk in rows.chunks(500) {
        let sql = format!("INSERT INTO duty_roster (unit_id, day, seq, person, phone, post) VALUES {}", crate::values(tx.backend(), chunk.len(), 6));
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(r.unit_id).bind(&r.day).bind(r.seq).bind(&r.person).bind(&r.phone).bind(&r.post);
        }
        q.execute(tx.conn()).await?;
    }
    let days: Vec<&str> = {
        let mut d: Vec<&str> = pairs.iter().map(|(_, d)| *d).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let after = serde_json::json!({ "rows": rows.len(), "units": pairs.len(), "from": days.first(), "to": days.last() });
    tx.audit(actor, "roster.import", "roster", days.first().copied().unwrap_or(""), None, Some(&after)).await?;
    Ok(rows.len())
}

fn on_duty(r: &sqlx::any::AnyRow) -> Result<OnDuty> {
    Ok(OnDuty {
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        day: get_str(r, "day")?,
        seq: get_i64(r, "seq")?,
        person: get_str(r, "person")?,
        phone: get_str(r, "phone")?,
        post: get_str(r, "post")?,
    })
}

/// The roster from `from` to `to` (inclusive), by day and unit.
pub async fn between(db: &Db, from: &str, to: &str, limit: i64) -> Result<Vec<OnDuty>> {
    let rows = sqlx::query(
        "SELECT r.unit_id, u.name AS unit_name, r.day, r.seq, r.person, r.phone, r.post FROM duty_roster r JOIN units u ON u.id = r.unit_id \
         WHERE r.day >= $1 AND r.day <= $2 ORDER BY r.day, u.path, r.seq LIMIT $3",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(on_duty).collect()
}

/// The first person on duty at each unit on `day`.
pub async fn first_on(db: &Db, day: &str) -> Result<HashMap<i64, OnDuty>> {
    let rows = sqlx::query(
        "SELECT r.unit_id, u.name AS unit_name, r.day, r.seq, r.person, r.phone, r.post FROM duty_roster r JOIN units u ON u.id = r.unit_id \
         WHERE r.day = $1 ORDER BY r.unit_id, r.seq",
    )
    .bind(day)
    .fetch_all(db.pool())
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        let d = on_duty(r)?;
        out.entry(d.unit_id).or_insert(d);
    }
    Ok(out)
}
