//! 预警信息: every CAP message issued or received, kept whole (the value as JSON, the XML as
//! published or received) with its place in its chain: an Update supersedes its original, a
//! Cancel cancels it; nothing is deleted, and cancelled stays apart from expired.

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, unique_as, Actor, Db, Result, WriteTx};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A warning as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAlert {
    pub id: i64,
    /// `out` (issued here) or `in` (received).
    pub direction: String,
    pub sender: String,
    pub identifier: String,
    pub sent: String,
    pub sent_at: i64,
    pub msg_type: String,
    pub status: String,
    /// draft, pending (awaiting approval), published, superseded, cancelled, received, rejected.
    pub state: String,
    /// 红/橙/黄/蓝 as `red`…`blue`, when the message carries one.
    pub colour: Option<String>,
    pub event: String,
    pub headline: String,
    pub expires_at: Option<i64>,
    /// The message this one updates or cancels.
    pub original_id: Option<i64>,
    /// The message that updated or cancelled this one.
    pub replaced_by: Option<i64>,
    pub incident_id: Option<i64>,
    /// The [`luoshi_domain::emergencies::cap::Alert`] as JSON.
    pub body: String,
    pub xml: Option<String>,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub published_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "id, direction, sender, identifier, sent, sent_at, msg_type, status, state, colour, event, headline, expires_at, original_id, replaced_by, \
     incident_id, body, xml, created_by, approved_by, published_at, cancelled_at, created_at, updated_at";

fn alert(r: &AnyRow) -> Result<StoredAlert> {
    Ok(StoredAlert {
        id: get_i64(r, "id")?,
        direction: get_str(r, "direction")?,
        sender: get_str(r, "sender")?,
        identifier: get_str(r, "identifier")?,
        sent: get_str(r, "sent")?,
        sent_at: get_i64(r, "sent_at")?,
        msg_type: get_str(r, "msg_type")?,
        status: get_str(r, "status")?,
        state: get_str(r, "state")?,
        colour: get_opt_str(r, "colour")?,
        event: get_str(r, "event")?,
        headline: get_str(r, "headline")?,
        expires_at: get_opt_i64(r, "expires_at")?,
        original_id: get_opt_i64(r, "original_id")?,
        replaced_by: get_opt_i64(r, "replaced_by")?,
        incident_id: get_opt_i64(r, "incident_id")?,
        body: get_str(r, "body")?,
        xml: get_opt_str(r, "xml")?,
        created_by: get_str(r, "created_by")?,
        approved_by: get_opt_str(r, "approved_by")?,
        published_at: get_opt_i64(r, "published_at")?,
        cancelled_at: get_opt_i64(r, "cancelled_at")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<StoredAlert>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM cap_alerts WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(alert).transpose()
}

pub async fn by_identifier(db: &Db, sender: &str, identifier: &str) -> Result<Option<StoredAlert>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM cap_alerts WHERE sender = $1 AND identifier = $2"))
        .bind(sender)
        .bind(identifier)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(alert).transpose()
}

/// Warnings newest first, of the given states (all when empty), at most `limit`.
pub async fn list(db: &Db, states: &[&str], limit: i64) -> Result<Vec<StoredAlert>> {
    let cond = if states.is_empty() {
        String::from("1 = 1")
    } else {
        format!("state IN ({})", (2..states.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "))
    };
    let sql = format!("SELECT {COLS} FROM cap_alerts WHERE {cond} ORDER BY sent_at DESC, id DESC LIMIT $1");
    let mut q = sqlx::query(&sql).bind(limit);
    for s in states {
        q = q.bind(*s);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter().map(alert).collect()
}

/// The messages issued or received for an incident, newest first.
pub async fn of_incident(db: &Db, incident_id: i64) -> Result<Vec<StoredAlert>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM cap_alerts WHERE incident_id = $1 ORDER BY id DESC")).bind(incident_id).fetch_all(db.pool()).await?;
    rows.iter().map(alert).collect()
}

/// Keep a new message (a draft composed here, or one received).
pub async fn insert(tx: &mut WriteTx, actor: &Actor, a: &StoredAlert, now: i64) -> Result<i64> {
    tx.lock_shared().await?;
    let row = sqlx::query(
        "INSERT INTO cap_alerts (direction, sender, identifier, sent, sent_at, msg_type, status, state, colour, event, headline, expires_at, original_id, replaced_by, \
         incident_id, body, xml, created_by, approved_by, published_at, cancelled_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, $15, $16, $17, $18, $19, NULL, $20, $20) RETURNING id",
    )
    .bind(&a.direction)
    .bind(&a.sender)
    .bind(&a.identifier)
    .bind(&a.sent)
    .bind(a.sent_at)
    .bind(&a.msg_type)
    .bind(&a.status)
    .bind(&a.state)
    .bind(&a.colour)
    .bind(&a.event)
    .bind(&a.headline)
    .bind(a.expires_at)
    .bind(a.original_id)
    .bind(a.incident_id)
    .bind(&a.body)
    .bind(&a.xml)
    .bind(&a.created_by)
    .bind(&a.approved_by)
    .bind(a.published_at)
    .bind(now)
    .fetch_one(tx.conn())
    .await
    .map_err(unique_as("identifier"))?;
    let id = get_i64(&row, "id")?;
    let after = serde_json::json!({ "direction": a.direction, "identifier": a.identifier, "msg_type": a.msg_type, "state": a.state, "headline": a.headline });
    tx.audit(actor, &format!("warning.{}", if a.direction == "in" { "receive" } else { "compose" }), "warning", &id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

/// Save a message's new state (only if unchanged since read): its content while a draft, its
/// identifier, time, XML and approver once published, its successor once updated or cancelled.
pub async fn save(tx: &mut WriteTx, actor: &Actor, before: &StoredAlert, after: &StoredAlert, action: &str, now: i64) -> Result<()> {
    tx.lock_shared().await?;
    let n = sqlx::query(
        "UPDATE cap_alerts SET identifier = $1, sent = $2, sent_at = $3, state = $4, colour = $5, event = $6, headline = $7, expires_at = $8, replaced_by = $9, \
         body = $10, xml = $11, approved_by = $12, published_at = $13, cancelled_at = $14, updated_at = $15 WHERE id = $16 AND updated_at = $17",
    )
    .bind(&after.identifier)
    .bind(&after.sent)
    .bind(after.sent_at)
    .bind(&after.state)
    .bind(&after.colour)
    .bind(&after.event)
    .bind(&after.headline)
    .bind(after.expires_at)
    .bind(after.replaced_by)
    .bind(&after.body)
    .bind(&after.xml)
    .bind(&after.approved_by)
    .bind(after.published_at)
    .bind(after.cancelled_at)
    .bind(now)
    .bind(before.id)
    .bind(before.updated_at)
    .execute(tx.conn())
    .await
    .map_err(unique_as("identifier"))?
    .rows_affected();
    if n != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    let d = |a: &StoredAlert| serde_json::json!({ "state": a.state, "identifier": a.identifier, "replaced_by": a.replaced_by, "approved_by": a.approved_by });
    tx.audit(actor, &format!("warning.{action}"), "warning", &after.id.to_string(), Some(&d(before)), Some(&d(after))).await?;
    Ok(())
}

/// Messages issued here and published (in force, superseded or cancelled) not yet delivered to
/// the upstream, oldest first: the outbox.
pub async fn unpushed(db: &Db, limit: i64) -> Result<Vec<StoredAlert>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM cap_alerts WHERE direction = 'out' AND pushed_at IS NULL AND xml IS NOT NULL \
         AND state IN ('published', 'superseded', 'cancelled') ORDER BY published_at, id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(alert).collect()
}

/// Record one delivery attempt to the upstream: delivered at `at`, or the error (retried by
/// the next watch).
pub async fn pushed(tx: &mut WriteTx, actor: &Actor, id: i64, delivered: Result<(), String>, at: i64) -> Result<()> {
    tx.lock_shared().await?;
    match &delivered {
        Ok(()) => {
            sqlx::query("UPDATE cap_alerts SET pushed_at = $1, push_tries = push_tries + 1, push_error = NULL WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(tx.conn())
                .await?
        }
        Err(e) => sqlx::query("UPDATE cap_alerts SET push_tries = push_tries + 1, push_error = $1 WHERE id = $2").bind(e).bind(id).execute(tx.conn()).await?,
    };
    let after = serde_json::json!({ "delivered": delivered.is_ok(), "error": delivered.err() });
    tx.audit(actor, "warning.push", "warning", &id.to_string(), None, Some(&after)).await?;
    Ok(())
}
