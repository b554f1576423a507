//! The duties counted as they change (what the cockpit and the assessment read): every record
//! stands in one bucket of what stands now and in the buckets of the months it opened and
//! closed in. The core's writer moves a record from its old buckets to its new ones in the
//! writer's transaction ([`WriteTx::tally`], flushed in key order at commit so two writers
//! never lock counters crosswise); [`verify`] recomputes every bucket from the records.

use crate::{get_i64, get_str, Backend, Db, Result, WriteTx};
use std::collections::BTreeMap;

/// One counter's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Key {
    pub kind: String,
    /// The owner unit (0 when none).
    pub unit_id: i64,
    /// The leader who leads it (0 when none; only in what stands now).
    pub lead_user_id: i64,
    /// '' for what stands now, `YYYY-MM` for what happened in a month.
    pub period: String,
    /// `now`; `opened`; `on_time`, `late` or `closed` (closed without a limit).
    pub event: String,
    pub state: String,
    pub light: String,
    pub grade: String,
    pub flagged: i64,
}

/// What of a record its counters derive from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Standing {
    pub kind: String,
    pub owner: Option<i64>,
    pub lead: Option<i64>,
    pub state: String,
    pub light: String,
    pub grade: String,
    pub flagged: bool,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub late: Option<bool>,
}

/// `YYYY-MM` of a moment, Beijing time (as the SQL of [`month_sql`]).
pub fn month_of(at: i64) -> String {
    luoshi_domain::time::local_date(at).format("%Y-%m").to_string()
}

impl Standing {
    /// The buckets this standing counts in.
    pub(crate) fn keys(&self) -> Vec<Key> {
        let unit_id = self.owner.unwrap_or(0);
        let base = |period: String, event: &str| Key {
            kind: self.kind.clone(),
            unit_id,
            lead_user_id: 0,
            period,
            event: event.to_string(),
            state: String::new(),
            light: String::new(),
            grade: String::new(),
            flagged: 0,
        };
        let mut out = vec![Key {
            lead_user_id: self.lead.unwrap_or(0),
            state: self.state.clone(),
            light: self.light.clone(),
            grade: self.grade.clone(),
            flagged: i64::from(self.flagged),
            ..base(String::new(), "now")
        }];
        if let Some(at) = self.opened_at {
            out.push(base(month_of(at), "opened"));
        }
        if let Some(at) = self.closed_at {
            let event = match self.late {
                Some(true) => "late",
                Some(false) => "on_time",
                None => "closed",
            };
            out.push(Key { grade: self.grade.clone(), flagged: i64::from(self.flagged), ..base(month_of(at), event) });
        }
        out
    }
}

/// Move a record's counts from `before` (none when new) to `after`, in the writer's transaction.
pub(crate) fn moved(tx: &mut WriteTx, before: Option<&Standing>, after: Option<&Standing>) {
    if before == after {
        return;
    }
    for k in before.map(Standing::keys).unwrap_or_default() {
        tx.tally(k, -1);
    }
    for k in after.map(Standing::keys).unwrap_or_default() {
        tx.tally(k, 1);
    }
}

const COLS: &str = "kind, unit_id, lead_user_id, period, event, state, light, grade, flagged";

/// Write the transaction's pending deltas, in key order (called by `WriteTx::commit`).
pub(crate) async fn flush(tx: &mut WriteTx, deltas: &BTreeMap<Key, i64>) -> Result<()> {
    let rows: Vec<(&Key, i64)> = deltas.iter().filter(|(_, n)| **n != 0).map(|(k, n)| (k, *n)).collect();
    for chunk in rows.chunks(400) {
        let sql = format!(
            "INSERT INTO duty_counts ({COLS}, n) VALUES {} ON CONFLICT ({COLS}) DO UPDATE SET n = duty_counts.n + excluded.n",
            crate::values(tx.backend(), chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for (k, n) in chunk {
            q = q.bind(k.kind.as_str()).bind(k.unit_id).bind(k.lead_user_id).bind(k.period.as_str()).bind(k.event.as_str());
            q = q.bind(k.state.as_str()).bind(k.light.as_str()).bind(k.grade.as_str()).bind(k.flagged).bind(*n);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// `YYYY-MM` (Beijing time) of a µs column, in the database's dialect.
pub(crate) fn month_sql(b: Backend, col: &str) -> String {
    match b {
        Backend::Sqlite => format!("strftime('%Y-%m', {col} / 1000000 + 28800, 'unixepoch')"),
        Backend::Postgres => format!("to_char(to_timestamp({col} / 1000000 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM')"),
    }
}

/// The standing columns of `duty_records`, as [`standing`] reads them.
pub(crate) const STANDING_COLS: &str = "kind, owner_unit_id, lead_user_id, state, light, grade, flagged, opened_at, closed_at, late";

pub(crate) fn standing(r: &sqlx::any::AnyRow) -> Result<Standing> {
    use crate::get_opt_i64;
    Ok(Standing {
        kind: get_str(r, "kind")?,
        owner: get_opt_i64(r, "owner_unit_id")?,
        lead: get_opt_i64(r, "lead_user_id")?,
        state: get_str(r, "state")?,
        light: get_str(r, "light")?,
        grade: get_str(r, "grade")?,
        flagged: get_i64(r, "flagged")? != 0,
        opened_at: get_opt_i64(r, "opened_at")?,
        closed_at: get_opt_i64(r, "closed_at")?,
        late: get_opt_i64(r, "late")?.map(|l| l != 0),
    })
}

/// A counter's key from a row of its columns.
fn key(r: &sqlx::any::AnyRow) -> Result<Key> {
    Ok(Key {
        kind: get_str(r, "kind")?,
        unit_id: get_i64(r, "unit_id")?,
        lead_user_id: get_i64(r, "lead_user_id")?,
        period: get_str(r, "period")?,
        event: get_str(r, "event")?,
        state: get_str(r, "state")?,
        light: get_str(r, "light")?,
        grade: get_str(r, "grade")?,
        flagged: get_i64(r, "flagged")?,
    })
}

/// Every counter as the records say it should be (one grouped pass over the record).
async fn recount(db: &Db) -> Result<BTreeMap<Key, i64>> {
    let opened = month_sql(db.backend(), "opened_at");
    let closed = month_sql(db.backend(), "closed_at");
    let event = "CASE late WHEN 1 THEN 'late' WHEN 0 THEN 'on_time' ELSE 'closed' END";
    let sql = format!(
        "SELECT kind, COALESCE(owner_unit_id, 0) AS unit_id, COALESCE(lead_user_id, 0) AS lead_user_id, '' AS period, 'now' AS event, state, light, grade, flagged, COUNT(*) AS n \
           FROM duty_records GROUP BY kind, COALESCE(owner_unit_id, 0), COALESCE(lead_user_id, 0), state, light, grade, flagged \
         UNION ALL SELECT kind, COALESCE(owner_unit_id, 0), 0, {opened}, 'opened', '', '', '', 0, COUNT(*) \
           FROM duty_records WHERE opened_at IS NOT NULL GROUP BY kind, COALESCE(owner_unit_id, 0), {opened} \
         UNION ALL SELECT kind, COALESCE(owner_unit_id, 0), 0, {closed}, {event}, '', '', grade, flagged, COUNT(*) \
           FROM duty_records WHERE closed_at IS NOT NULL GROUP BY kind, COALESCE(owner_unit_id, 0), {closed}, {event}, grade, flagged \
         UNION ALL {}",
        super::amounts::RECOUNT_SQL
    );
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        *out.entry(key(r)?).or_insert(0) += get_i64(r, "n")?;
    }
    Ok(out)
}

/// Every counter kept (buckets at zero left out).
pub async fn kept(db: &Db) -> Result<BTreeMap<Key, i64>> {
    let mut conn = db.pool().acquire().await?;
    kept_on(&mut conn).await
}

/// Every counter kept, read on this connection (in its transaction, if it has one).
pub(crate) async fn kept_on(conn: &mut sqlx::AnyConnection) -> Result<BTreeMap<Key, i64>> {
    use futures_util::TryStreamExt;
    // One row at a time: a city's tens of thousands of counters never sit decoded all at once.
    let sql = format!("SELECT {COLS}, n FROM duty_counts WHERE n <> 0");
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    let mut out = BTreeMap::new();
    while let Some(r) = rows.try_next().await? {
        out.insert(key(&r)?, get_i64(&r, "n")?);
    }
    Ok(out)
}

/// A counter that differs from the records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    pub key: Key,
    pub kept: i64,
    pub records: i64,
}

/// Recompute every counter from the records and name each that differs.
pub async fn verify(db: &Db) -> Result<Vec<Difference>> {
    let want = recount(db).await?;
    let have = kept(db).await?;
    let mut out = Vec::new();
    for (k, n) in &want {
        let h = have.get(k).copied().unwrap_or(0);
        if h != *n {
            out.push(Difference { key: k.clone(), kept: h, records: *n });
        }
    }
    for (k, h) in &have {
        if !want.contains_key(k) {
            out.push(Difference { key: k.clone(), kept: *h, records: 0 });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Rebuild the counters from the records (after `verify` named differences), audited.
pub async fn repair(db: &Db, actor: &crate::Actor) -> Result<usize> {
    let mut tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        // Writers move counters at their commit: they wait, and land on the rebuilt table.
        sqlx::query("LOCK TABLE duty_counts IN EXCLUSIVE MODE").execute(tx.conn()).await?;
    }
    sqlx::query("DELETE FROM duty_counts").execute(tx.conn()).await?;
    let want = recount(db).await?;
    let n = want.len();
    flush(&mut tx, &want).await?;
    tx.audit(actor, "assess.repair", "duty_counts", "all", None, Some(&serde_json::json!({ "buckets": n }))).await?;
    tx.commit().await?;
    db.mirror_forget();
    Ok(n)
}

/// Count the duties of `kind` just copied into the record whose ids satisfy `ids_sql` (a
/// condition on `ref_id` built from integers only): the companion of a set-based copy.
pub(crate) async fn add_recorded(tx: &mut WriteTx, kind: &str, ids_sql: &str) -> Result<()> {
    let sql = format!("SELECT {STANDING_COLS} FROM duty_records WHERE kind = $1 AND {ids_sql}");
    let rows = sqlx::query(&sql).bind(kind).fetch_all(tx.conn()).await?;
    for r in &rows {
        let st = standing(r)?;
        moved(tx, None, Some(&st));
    }
    Ok(())
}
