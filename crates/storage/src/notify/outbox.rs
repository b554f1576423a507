//! The outbox itself: messages claimed under a lease and grouped into batches, each attempt's
//! outcome kept, the list the office reads, resend.

use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::notify::{backoff, batch_key, Channel, MAX_ATTEMPTS};
use serde::Serialize;

/// A message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub channel: String,
    pub address: String,
    pub person: String,
    pub kind: String,
    pub ref_id: i64,
    pub level: String,
    pub unit_id: i64,
    pub text: String,
    pub urgent: bool,
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: String,
    pub batch: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLS: &str = "id, channel, address, person, kind, ref_id, level, unit_id, text, urgent, state, attempts, next_at, last_error, batch, created_at, sent_at";

fn message(r: &sqlx::any::AnyRow) -> Result<Message> {
    Ok(Message {
        id: get_i64(r, "id")?,
        channel: get_str(r, "channel")?,
        address: get_str(r, "address")?,
        person: get_str(r, "person")?,
        kind: get_str(r, "kind")?,
        ref_id: get_i64(r, "ref_id")?,
        level: get_str(r, "level")?,
        unit_id: get_i64(r, "unit_id")?,
        text: get_str(r, "text")?,
        urgent: get_i64(r, "urgent")? != 0,
        state: get_str(r, "state")?,
        attempts: get_i64(r, "attempts")?,
        next_at: get_i64(r, "next_at")?,
        last_error: get_str(r, "last_error")?,
        batch: get_str(r, "batch")?,
        created_at: get_i64(r, "created_at")?,
        sent_at: get_opt_i64(r, "sent_at")?,
    })
}

/// How long a claim holds its messages before another node may take them (µs), by default:
/// after a crash, what the node had taken waits this long before it is sent again.
pub const LEASE: i64 = 120_000_000;

/// Claim the messages due, grouped into batches of one channel and address: a batch claimed
/// before (and not finished: a crash) keeps its key; new messages get one. Each batch is one
/// message to one person. In quiet hours only the urgent ones are claimed. The claim holds them
/// for `lease` µs.
pub async fn claim(db: &Db, now: i64, limit: i64, urgent_only: bool, lease: i64) -> Result<Vec<(String, Vec<Message>)>> {
    let sql = format!(
        "SELECT {COLS} FROM notify_outbox WHERE state = 'pending' AND next_at <= $1 AND (urgent = 1 OR $2 = 0) ORDER BY next_at, id LIMIT {}",
        limit.clamp(1, 1000)
    );
    let due: Vec<Message> = sqlx::query(&sql).bind(now).bind(i64::from(urgent_only)).fetch_all(db.pool()).await?.iter().map(message).collect::<Result<_>>()?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    // Take the rows by one update: a row another node took meanwhile has moved its `next_at`
    // past `now` and is not returned.
    let ids: Vec<String> = due.iter().map(|m| m.id.to_string()).collect();
    let sql = format!("UPDATE notify_outbox SET next_at = $1 WHERE id IN ({}) AND state = 'pending' AND next_at <= $2 RETURNING id", ids.join(","));
    let won: std::collections::HashSet<i64> =
        sqlx::query(&sql).bind(now + lease.max(1)).bind(now).fetch_all(db.pool()).await?.iter().map(|r| get_i64(r, "id")).collect::<Result<_>>()?;
    let mine: Vec<Message> = due.into_iter().filter(|m| won.contains(&m.id)).collect();
    let mut groups: std::collections::BTreeMap<(String, String, String), Vec<Message>> = Default::default();
    for m in mine {
        groups.entry((m.batch.clone(), m.channel.clone(), m.address.clone())).or_default().push(m);
    }
    let mut out = Vec::new();
    for ((batch, _, _), ms) in groups {
        let key = if batch.is_empty() { batch_key(&ms.iter().map(|m| m.id).collect::<Vec<_>>()) } else { batch };
        let ids: Vec<String> = ms.iter().map(|m| m.id.to_string()).collect();
        sqlx::query(&format!("UPDATE notify_outbox SET batch = $1 WHERE id IN ({})", ids.join(","))).bind(&key).execute(db.pool()).await?;
        out.push((key, ms));
    }
    Ok(out)
}

/// Keep what a batch's attempt came to: sent, or tried again later, or failed after the last
/// try. The provider's answer is kept with the address masked.
pub async fn finish(db: &Db, key: &str, ms: &[Message], ok: bool, answer: &str, now: i64) -> Result<()> {
    let Some(first) = ms.first() else { return Ok(()) };
    let mut tx = db.begin_write().await?;
    let channel = Channel::parse(&first.channel).unwrap_or(Channel::Messenger);
    let masked = luoshi_domain::notify::mask_address(channel, &first.address);
    let answer: String = answer.chars().take(500).collect::<String>().replace(first.address.as_str(), &masked);
    sqlx::query("INSERT INTO notify_attempts (batch, channel, address, at, ok, answer) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(key)
        .bind(&first.channel)
        .bind(&masked)
        .bind(now)
        .bind(i64::from(ok))
        .bind(&answer)
        .execute(tx.conn())
        .await?;
    for m in ms {
        if ok {
            sqlx::query("UPDATE notify_outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2")
                .bind(now)
                .bind(m.id)
                .execute(tx.conn())
                .await?;
        } else {
            let attempts = m.attempts + 1;
            let state = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
            sqlx::query("UPDATE notify_outbox SET state = $1, attempts = $2, next_at = $3, last_error = $4, batch = '' WHERE id = $5")
                .bind(state)
                .bind(attempts)
                .bind(now + backoff(attempts - 1))
                .bind(&answer)
                .bind(m.id)
                .execute(tx.conn())
                .await?;
        }
    }
    // A delivery's outcome is no business change: kept in the attempts, not in the audit log.
    tx.commit_unaudited().await
}

/// The outbox, newest first, narrowed by state, channel and duty; keyset by id.
pub async fn list(db: &Db, state: Option<&str>, channel: Option<&str>, duty: Option<(&str, i64)>, before: Option<i64>, limit: i64) -> Result<Vec<Message>> {
    let mut q = format!("SELECT {COLS} FROM notify_outbox WHERE id < $1 AND ($2 = '' OR state = $2) AND ($3 = '' OR channel = $3)");
    if duty.is_some() {
        q.push_str(" AND kind = $4 AND ref_id = $5");
    }
    q.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit.clamp(1, 200)));
    let mut query = sqlx::query(&q).bind(before.unwrap_or(i64::MAX)).bind(state.unwrap_or_default()).bind(channel.unwrap_or_default());
    if let Some((k, id)) = duty {
        query = query.bind(k).bind(id);
    }
    query.fetch_all(db.pool()).await?.iter().map(message).collect()
}

/// Send a failed message again (its tries start over), audited.
pub async fn resend(tx: &mut WriteTx, actor: &Actor, id: i64, now: i64) -> Result<bool> {
    let n = sqlx::query("UPDATE notify_outbox SET state = 'pending', attempts = 0, next_at = $1, batch = '' WHERE id = $2 AND state = 'failed'")
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 1 {
        tx.audit(actor, "notify.resend", "notify_outbox", &id.to_string(), None, None).await?;
    }
    Ok(n == 1)
}

/// A batch's attempts, oldest first: (when, ok, the provider's answer).
pub async fn attempts(db: &Db, batch: &str) -> Result<Vec<(i64, bool, String)>> {
    let rows = sqlx::query("SELECT at, ok, answer FROM notify_attempts WHERE batch = $1 ORDER BY id").bind(batch).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "at")?, get_i64(r, "ok")? != 0, get_str(r, "answer")?))).collect()
}
