//! The record of duties (`duty_records`): every duty of every kind in the core's one shape, and
//! its sight (`duty_sight`: one row per unit that sees it), kept by each kind's writer through
//! [`put`] in the same transaction as each change; the one trail ([`trail`]); the notices of the
//! ladder. Boards, inboxes, counts and the supervision run of every kind read these.

pub mod amounts;
mod board;
pub mod extensions;
pub mod figures;
pub(crate) mod mirror;
pub mod tallies;
pub mod trail;
mod write;

pub use board::{board, counts, resolve, BoardFilter, BoardRow, KindLights, Resolved};
pub use write::{close_many, insert_many, phase_case, put, set_light, sight_of_recorded, Line, NO_LIMIT};

use crate::{get_i64, get_opt_i64, get_str, Db, Result, WriteTx};
use luoshi_domain::duty::NoticeLevel;

/// One duty as the core sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    pub kind: String,
    pub ref_id: i64,
    pub owner_unit_id: Option<i64>,
    pub state: String,
    /// The core's phase (`luoshi_domain::duty::Phase`).
    pub phase: String,
    /// When the limit runs out (µs), once a clock runs.
    pub due_at: Option<i64>,
    /// The light as of the last change (or supervision run).
    pub light: String,
    pub title: String,
    /// Moves with every change: the optimistic-concurrency token of the core.
    pub version: i64,
    pub updated_at: i64,
}

/// A page of the record in (kind, id) order, after `after` (keyset paging).
pub async fn page(db: &Db, after: Option<(&str, i64)>, limit: i64) -> Result<Vec<Record>> {
    let (kind, id) = after.unwrap_or(("", i64::MIN));
    let rows = sqlx::query(
        "SELECT kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at FROM duty_records \
         WHERE kind > $1 OR (kind = $1 AND ref_id > $2) ORDER BY kind, ref_id LIMIT $3",
    )
    .bind(kind)
    .bind(id)
    .bind(limit.clamp(1, 5000))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record).collect()
}

/// Duties of one kind by their ids (the lines another module links to: a project's problems'
/// tasks), in id order.
pub async fn of_ids(db: &Db, kind: &str, ids: &[i64]) -> Result<Vec<Record>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at FROM duty_records WHERE kind = $1 AND ref_id IN ({}) ORDER BY ref_id",
        list.join(", ")
    );
    let rows = sqlx::query(&sql).bind(kind).fetch_all(db.pool()).await?;
    rows.iter().map(record).collect()
}

/// Open duties of a kind whose owner's clock may be running (phase running or waiting), by
/// page after `after_id`: what the one supervision run walks.
pub async fn running_page(db: &Db, kind: &str, after_id: i64, limit: i64) -> Result<Vec<Record>> {
    let rows = sqlx::query(
        "SELECT kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at FROM duty_records \
         WHERE kind = $1 AND ref_id > $2 AND phase IN ('running', 'waiting') ORDER BY ref_id LIMIT $3",
    )
    .bind(kind)
    .bind(after_id)
    .bind(limit.clamp(1, 5000))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record).collect()
}

fn record(r: &sqlx::any::AnyRow) -> Result<Record> {
    Ok(Record {
        kind: get_str(r, "kind")?,
        ref_id: get_i64(r, "ref_id")?,
        owner_unit_id: get_opt_i64(r, "owner_unit_id")?,
        state: get_str(r, "state")?,
        phase: get_str(r, "phase")?,
        due_at: get_opt_i64(r, "due_at")?,
        light: get_str(r, "light")?,
        title: get_str(r, "title")?,
        version: get_i64(r, "version")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

/// Raise a notice of the ladder for a duty of any kind, unless this level was already raised
/// for this deadline (on any node: the database keeps it unique). Whether this call raised it;
/// the kind writes its trail entry and audit row when it did.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn raise_notice(tx: &mut WriteTx, kind: &str, ref_id: i64, level: NoticeLevel, unit_id: i64, deadline: &str, today: &str, now: i64) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO notices (kind, ref_id, level, unit_id, deadline, raised_on, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(kind)
    .bind(ref_id)
    .bind(level.as_str())
    .bind(unit_id)
    .bind(deadline)
    .bind(today)
    .bind(now)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 1 {
        // The messages it sends, in the same transaction: never lost, never sent for a rollback.
        crate::notify::enqueue_notice(tx, kind, ref_id, level, unit_id, deadline, false, now).await?;
    }
    Ok(n == 1)
}

/// The kinds that have duties whose clock may be running (what the supervision run visits).
pub async fn running_kinds(db: &Db) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT DISTINCT kind FROM duty_records WHERE phase IN ('running', 'waiting') ORDER BY kind").fetch_all(db.pool()).await?;
    rows.iter().map(|r| get_str(r, "kind")).collect()
}

/// The optimistic-concurrency guard of every kind: in the change's transaction, before it
/// writes, refuse with `conflict` (field `version`) if the duty moved on since the caller read
/// `expected`. The guarded no-op update locks the line, so a concurrent change waits and then
/// sees the new version (PostgreSQL re-checks the condition; SQLite writers queue).
pub async fn expect(tx: &mut WriteTx, kind: &str, ref_id: i64, expected: i64) -> Result<()> {
    let n = sqlx::query("UPDATE duty_records SET version = version WHERE kind = $1 AND ref_id = $2 AND version = $3")
        .bind(kind)
        .bind(ref_id)
        .bind(expected)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(luoshi_domain::DomainError::field(luoshi_domain::ErrorCode::Conflict, "version").into());
    }
    Ok(())
}

/// The version of a duty's record (its optimistic-concurrency token), if it is recorded.
pub async fn version(db: &Db, kind: &str, ref_id: i64) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT version FROM duty_records WHERE kind = $1 AND ref_id = $2").bind(kind).bind(ref_id).fetch_optional(db.pool()).await?;
    row.as_ref().map(|r| get_i64(r, "version")).transpose()
}

/// The ids of the units under a materialised path, or just `only` if it is among them.
pub(crate) async fn subtree_ids(db: &Db, path: &str, only: Option<i64>) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT id FROM units WHERE path LIKE $1").bind(format!("{path}%")).fetch_all(db.pool()).await?;
    let mut ids = rows.iter().map(|r| get_i64(r, "id")).collect::<Result<Vec<_>>>()?;
    if let Some(u) = only {
        ids.retain(|i| *i == u);
    }
    Ok(ids)
}

/// A notice of the ladder raised for a duty of any kind: its trail entry (`notice_{level}`, the
/// deadline as note) and its audit row, in the run's transaction.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn noticed(
    tx: &mut WriteTx,
    actor: &crate::Actor,
    kind: &str,
    ref_id: i64,
    unit_id: i64,
    level: NoticeLevel,
    deadline: &str,
    now: i64,
) -> Result<()> {
    let action = format!("notice_{}", level.as_str());
    let entry = trail::Entry {
        kind,
        ref_id,
        at: now,
        actor: &actor.name,
        unit_id: Some(unit_id),
        action: &action,
        from: None,
        to: None,
        note: Some(deadline),
        data: None,
    };
    trail::append(tx, std::slice::from_ref(&entry)).await?;
    let after = serde_json::json!({ "level": level.as_str(), "deadline": deadline, "unit_id": unit_id });
    tx.audit(actor, &format!("{kind}.{action}"), kind, &ref_id.to_string(), None, Some(&after)).await?;
    Ok(())
}

/// A unit's 待办 across every kind: the duties whose clock runs with the units under `path` —
/// as owner or co-unit, read from the sight alone — most urgent first (red, yellow, blue, then
/// green; the soonest limit first), optionally of some kinds, one light, or one unit of the
/// subtree.
pub async fn unit_inbox(db: &Db, path: &str, kinds: &[String], light: Option<&str>, unit_id: Option<i64>, limit: i64) -> Result<Vec<Record>> {
    let ids = subtree_ids(db, path, unit_id).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Unit ids are integers read from the database, written in as literals; the rest is bound.
    let ids = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut cond = format!("s.unit_id IN ({ids}) AND s.phase = 'running'");
    let mut args: Vec<String> = kinds.to_vec();
    if !kinds.is_empty() {
        let ps: Vec<String> = (1..=kinds.len()).map(|i| format!("${i}")).collect();
        cond += &format!(" AND s.kind IN ({})", ps.join(", "));
    }
    if let Some(l) = light {
        args.push(l.to_string());
        cond += &format!(" AND s.light = ${}", args.len());
    }
    let lim = format!("${}", args.len() + 1);
    const COLS: &str = "r.kind, r.ref_id, r.owner_unit_id, r.state, r.phase, r.due_at, r.light, r.title, r.version, r.updated_at";
    // The keys, light and limit of every open duty come from the sight's inbox index; only the
    // page is read in full from the record.
    let sql = format!(
        "SELECT {COLS} FROM ( \
           SELECT DISTINCT s.kind, s.ref_id, \
             CASE s.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'blue' THEN 2 ELSE 3 END AS urgency, s.due_at \
           FROM duty_sight s WHERE {cond} ORDER BY urgency, s.due_at, s.kind, s.ref_id LIMIT {lim} \
         ) k JOIN duty_records r ON r.kind = k.kind AND r.ref_id = k.ref_id ORDER BY k.urgency, k.due_at, k.kind, k.ref_id"
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let rows = q.bind(limit.clamp(1, 500)).fetch_all(db.pool()).await?;
    rows.iter().map(record).collect()
}
