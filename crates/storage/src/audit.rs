//! The audit chain in the database: append in the writer's transaction, read, verify.

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::audit::{chain_hash, AuditRecord, Break, Verifier};
use sqlx::any::AnyRow;

/// Append a row. The head row (`audit_head`) is updated first, which takes its row lock on
/// PostgreSQL: concurrent writers on several nodes serialise here and the chain never forks.
pub(crate) async fn append(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").fetch_one(tx.conn()).await?;
    let seq = get_i64(&head, "seq")?;
    let prev = get_str(&head, "hash")?;
    let at = crate::now_micros();
    let before = before.map(|v| v.to_string());
    let after = after.map(|v| v.to_string());
    let hash = chain_hash(&prev, seq, at, actor.id, &actor.name, action, entity, entity_id, before.as_deref(), after.as_deref());
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor.id)
    .bind(&actor.name)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(before)
    .bind(after)
    .bind(&prev)
    .bind(&hash)
    .execute(tx.conn())
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(tx.conn()).await?;
    Ok(seq)
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
