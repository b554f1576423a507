//! The audit chains in the database: append in the writer's transaction, read, verify
//! (`verify.rs`), anchor (`anchors.rs`). There are `CHAINS` chains, each with its head row in
//! `audit_heads`; a transaction appends to one (see `luoshi_domain::audit`).

mod anchors;
mod verify;

pub use anchors::{anchor, append_anchor_line, check_anchor, Anchor, Anchored};
pub use verify::{verify, Broken, VerifyReport, ANCHOR_CHAIN};

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::audit::{chain_for, chain_hash, genesis, AuditRecord, Head};
use sqlx::any::AnyRow;

/// Append a row (see [`append_many`]); its sequence number in its chain.
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

/// Move a chain's head by `n` rows, taking its row lock until the transaction ends (concurrent
/// writers to the same chain queue here, so it never forks); the new last sequence number and
/// the hash the first new row follows. A chain's head row is made at its first write.
pub(crate) async fn advance(tx: &mut WriteTx, chain: i64, n: i64) -> Result<(i64, String)> {
    for _ in 0..2 {
        let head =
            sqlx::query("UPDATE audit_heads SET seq = seq + $1 WHERE chain = $2 RETURNING seq, hash").bind(n).bind(chain).fetch_optional(tx.conn()).await?;
        if let Some(h) = head {
            return Ok((get_i64(&h, "seq")?, get_str(&h, "hash")?));
        }
        sqlx::query("INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain) DO NOTHING")
            .bind(chain)
            .bind(genesis(chain))
            .execute(tx.conn())
            .await?;
    }
    Err(luoshi_domain::DomainError::new(luoshi_domain::ErrorCode::Internal).with_detail(format!("audit chain {chain} has no head")).into())
}

/// Append rows in three statements whatever their number, to the transaction's chain (chosen
/// by its first audited record). The chain is hashed here and the rows go in one insert, the
/// same chain as if each had been appended alone. Returns the last sequence number.
pub(crate) async fn append_many(tx: &mut WriteTx, entries: &[Entry<'_>]) -> Result<i64> {
    let Some(first) = entries.first() else { return Ok(0) };
    let chain = tx.chain().unwrap_or_else(|| chain_for(first.entity, &first.entity_id));
    let n = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    let (last, mut prev) = advance(tx, chain, n).await?;
    let at = crate::now_micros();
    let mut rows = Vec::with_capacity(entries.len());
    for (seq, e) in (last - n + 1..).zip(entries) {
        let before = e.before.as_ref().map(|v| v.to_string());
        let after = e.after.as_ref().map(|v| v.to_string());
        let hash = chain_hash(&prev, seq, at, e.actor.id, &e.actor.name, e.action, e.entity, &e.entity_id, before.as_deref(), after.as_deref());
        rows.push((seq, before, after, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    let sql = format!(
        "INSERT INTO audit_log (chain, seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) VALUES {}",
        crate::values(tx.backend(), rows.len(), 12)
    );
    let mut q = sqlx::query(&sql);
    for (e, (seq, before, after, prev_hash, hash)) in entries.iter().zip(&rows) {
        q = q
            .bind(chain)
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
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE chain = $2").bind(&prev).bind(chain).execute(tx.conn()).await?;
    tx.set_chain(chain);
    Ok(last)
}

pub(crate) fn record(r: &AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        chain: get_i64(r, "chain")?,
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

pub(crate) const COLS: &str = "chain, seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash";

/// Where a page of [`recent`] rows ends: the last row's time, chain and sequence number, written
/// `AT-CHAIN-SEQ` in links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub chain: i64,
    pub seq: i64,
}

impl Cursor {
    pub fn of(r: &AuditRecord) -> Cursor {
        Cursor { at: r.at, chain: r.chain, seq: r.seq }
    }

    pub fn parse(s: &str) -> Option<Cursor> {
        let mut it = s.splitn(3, '-');
        Some(Cursor { at: it.next()?.parse().ok()?, chain: it.next()?.parse().ok()?, seq: it.next()?.parse().ok()? })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}-{}", self.at, self.chain, self.seq)
    }
}

/// The newest rows of every chain first, by time; `before` for paging (keyset, no OFFSET scans).
pub async fn recent(db: &Db, before: Option<Cursor>, limit: i64) -> Result<Vec<AuditRecord>> {
    let limit = limit.clamp(1, 500);
    let c = before.unwrap_or(Cursor { at: i64::MAX, chain: 0, seq: 0 });
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM audit_log WHERE at < $1 OR (at = $1 AND (chain < $2 OR (chain = $2 AND seq < $3))) ORDER BY at DESC, chain DESC, seq DESC LIMIT $4"
    ))
    .bind(c.at)
    .bind(c.chain)
    .bind(c.seq)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record).collect()
}

/// The trail of one record, oldest first (its rows may sit in several chains).
pub async fn trail(db: &Db, entity: &str, entity_id: &str) -> Result<Vec<AuditRecord>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY at, chain, seq"))
        .bind(entity)
        .bind(entity_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(record).collect()
}

/// Every chain's head as stored (chains never written are absent: they are at their genesis).
pub async fn heads(db: &Db) -> Result<Vec<Head>> {
    let rows = sqlx::query("SELECT chain, seq, hash FROM audit_heads WHERE chain >= 0 ORDER BY chain").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok(Head { chain: get_i64(r, "chain")?, seq: get_i64(r, "seq")?, hash: get_str(r, "hash")? })).collect()
}

/// How many audit rows the chains hold, from their heads.
pub async fn count(db: &Db) -> Result<i64> {
    Ok(heads(db).await?.iter().map(|h| h.seq).sum())
}
