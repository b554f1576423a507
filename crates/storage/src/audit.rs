//! The audit chain in the database: append in the writer's transaction, read, verify.

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::audit::{chain_hash, AuditRecord, Break, Verifier};
use sqlx::any::AnyRow;

/// Append a row (see [`append_many`]); its sequence number.
pub(crate) async fn append(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<i64> {
    let entry = Entry { actor, action, entity, entity_id: entity_id.to_string(), before: before.cloned(), after: after.cloned() };
    append_many(tx, std::slice::from_ref(&entry)).await
}

/// One audit row to append.
pub(crate) struct Entry<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Append rows in three statements whatever their number. The head row (`audit_head`) moves
/// by their count first, which takes its row lock on PostgreSQL: concurrent writers on several
/// nodes serialise here and the chain never forks. The chain is hashed here and the rows go in
/// one insert, the same chain as if each had been appended alone. Returns the last sequence
/// number.
pub(crate) async fn append_many(tx: &mut WriteTx, entries: &[Entry<'_>]) -> Result<i64> {
    if entries.is_empty() {
        return Ok(0);
    }
    let n = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash").bind(n).fetch_one(tx.conn()).await?;
    let last = get_i64(&head, "seq")?;
    let mut prev = get_str(&head, "hash")?;
    let at = crate::now_micros();
    let mut rows = Vec::with_capacity(entries.len());
    for (seq, e) in (last - n + 1..).zip(entries) {
        let before = e.before.as_ref().map(|v| v.to_string());
        let after = e.after.as_ref().map(|v| v.to_string());
        let hash = chain_hash(&prev, seq, at, e.actor.id, &e.actor.name, e.action, e.entity, &e.entity_id, before.as_deref(), after.as_deref());
        rows.push((seq, before, after, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    let sql = format!(
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) VALUES {}",
        crate::values(rows.len(), 11)
    );
    let mut q = sqlx::query(&sql);
    for (e, (seq, before, after, prev_hash, hash)) in entries.iter().zip(&rows) {
        q = q
            .bind(*seq)
            .bind(at)
            .bind(e.actor.id)
            .bind(&e.actor.name)
            .bind(e.action)
            .bind(e.entity)
            .bind(&e.entity_id)
            .bind(before)
            .bind(after)
            .bind(prev_hash)
            .bind(hash);
    }
    q.execute(tx.conn()).await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(tx.conn()).await?;
    tx.mark_audited();
    Ok(last)
}

fn record(r: &AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: get_i64(r, "seq")?,
        at: get_i64(r, "at")?,
        actor_id: get_opt_i64(r, "actor_id")?,
        actor: get_str(r, "actor")?,
        action: get_str(r, "action")?,
        entity: get_str(r, "entity")?,
        entity_id: get_str(r, "entity_id")?,
        before: get_opt_str(r, "before_json")?,
        after: get_opt_str(r, "after_json")?,
        prev_hash: get_str(r, "prev_hash")?,
        hash: get_str(r, "hash")?,
    })
}

const COLS: &str = "seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash";

/// The newest rows first, `before_seq` for paging (keyset, no OFFSET scans).
pub async fn recent(db: &Db, before_seq: Option<i64>, limit: i64) -> Result<Vec<AuditRecord>> {
    let limit = limit.clamp(1, 500);
    let rows = sqlx::query(&format!("SELECT {COLS} FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2"))
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(record).collect()
}

/// The trail of one record, oldest first.
pub async fn trail(db: &Db, entity: &str, entity_id: &str) -> Result<Vec<AuditRecord>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq"))
        .bind(entity)
        .bind(entity_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(record).collect()
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    /// The first broken link: its sequence number and what is wrong.
    pub broken: Option<(i64, Break)>,
    pub head_seq: i64,
}

/// Walk the whole chain in pages of 2,000 rows and compare its end with the stored head.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    let mut v = Verifier::default();
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 2000")).bind(after).fetch_all(db.pool()).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let rec = record(r)?;
            if let Err(broken) = v.feed(&rec) {
                return Ok(VerifyReport { checked: v.checked, broken: Some(broken), head_seq: after });
            }
            after = rec.seq;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(db.pool()).await?;
    let (head_seq, head_hash) = (get_i64(&head, "seq")?, get_str(&head, "hash")?);
    let (seq, hash) = v.head();
    let broken = if head_seq != seq || head_hash != hash { Some((seq + 1, Break::Gap)) } else { None };
    Ok(VerifyReport { checked: v.checked, broken, head_seq })
}

/// The chain's head: the newest sequence number and its hash.
pub async fn head(db: &Db) -> Result<(i64, String)> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(db.pool()).await?;
    Ok((get_i64(&head, "seq")?, get_str(&head, "hash")?))
}

/// What an anchor (a head copied out of the database earlier) says of the chain now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Anchored {
    /// The row is there with the same hash: nothing up to it was changed or removed.
    Holds,
    /// The row is gone: the newest rows were removed and the head rewound.
    Truncated,
    /// The row is there with another hash: the chain was rewritten.
    Rewritten,
}

/// Check an anchor `(seq, hash)` against the chain (which [`verify`] proves whole).
pub async fn check_anchor(db: &Db, seq: i64, hash: &str) -> Result<Anchored> {
    let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1").bind(seq).fetch_optional(db.pool()).await?;
    Ok(match row {
        None if seq == 0 => Anchored::Holds,
        None => Anchored::Truncated,
        Some(r) if get_str(&r, "hash")? == hash => Anchored::Holds,
        Some(_) => Anchored::Rewritten,
    })
}
