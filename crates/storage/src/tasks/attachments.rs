//! Evidence files of tasks.

use super::*;
use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use serde::Serialize;
use sqlx::Row;

/// An attachment's record (its bytes are read only on download).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub duty_id: i64,
    pub unit_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub actor: String,
    pub at: i64,
}

pub(super) fn attachment(r: &impl crate::rows::Fields) -> Result<Attachment> {
    Ok(Attachment {
        id: get_i64(r, "id")?,
        duty_id: get_i64(r, "duty_id")?,
        unit_id: get_i64(r, "unit_id")?,
        name: get_str(r, "name")?,
        content_type: get_str(r, "content_type")?,
        size: get_i64(r, "size")?,
        sha256: get_str(r, "sha256")?,
        actor: get_str(r, "actor")?,
        at: get_i64(r, "at")?,
    })
}

pub(super) const ATT_COLS: &str = "id, duty_id, unit_id, name, content_type, size, sha256, actor, at";

/// A duty's attachments (without their bytes), oldest first.
pub(super) const ATTACHMENTS: Part = Part { cols: ATT_COLS, from: "attachments WHERE duty_id = $1", order: "id" };

pub async fn add_attachment(tx: &mut WriteTx, actor: &Actor, duty_id: i64, unit_id: i64, name: &str, content_type: &str, data: &[u8]) -> Result<i64> {
    use sha2::Digest;
    let sha256 = hex::encode(sha2::Sha256::digest(data));
    let sha256 = sha256.as_str();
    let row = sqlx::query("INSERT INTO attachments (duty_id, unit_id, name, content_type, size, sha256, data, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(duty_id)
        .bind(unit_id)
        .bind(name)
        .bind(content_type)
        .bind(i64::try_from(data.len()).unwrap_or(i64::MAX))
        .bind(sha256)
        .bind(data.to_vec())
        .bind(&actor.name)
        .bind(crate::now_micros())
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&row, "id")?;
    event(
        tx,
        actor,
        duty_id,
        Some(unit_id),
        "attach",
        None,
        None,
        Some(name),
        Some(serde_json::json!({ "attachment_id": id, "size": data.len(), "sha256": sha256 })),
    )
    .await?;
    Ok(id)
}

pub async fn attachments_of(db: &Db, duty_id: i64) -> Result<Vec<Attachment>> {
    let rows = sqlx::query(&ATTACHMENTS.select()).bind(duty_id).fetch_all(db.pool()).await?;
    rows.iter().map(attachment).collect()
}

/// One attachment of a duty with its bytes.
pub async fn attachment_data(db: &Db, duty_id: i64, id: i64) -> Result<Option<(Attachment, Vec<u8>)>> {
    let row = sqlx::query(&format!("SELECT {ATT_COLS}, data FROM attachments WHERE duty_id = $1 AND id = $2"))
        .bind(duty_id)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(r) => Ok(Some((attachment(&r)?, r.try_get::<Vec<u8>, _>("data")?))),
        None => Ok(None),
    }
}
