//! A citizen's photos of a work order, cleaned of metadata before they come here.

use crate::{get_i64, get_str, Db, Result, WriteTx};
use serde::Serialize;
use sqlx::Row;

/// A photo to keep (already checked and cleaned by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPhoto {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A kept photo's record (its bytes are read only when it is opened).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoRow {
    pub id: i64,
    pub name: String,
    pub size: i64,
}

/// Keep the photos of appeal `appeal_id` in the transaction that registers it.
pub async fn add_photos(tx: &mut WriteTx, appeal_id: i64, photos: &[NewPhoto], now: i64) -> Result<()> {
    use sha2::Digest;
    for p in photos {
        sqlx::query("INSERT INTO appeal_photos (appeal_id, name, content_type, size, sha256, data, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(appeal_id)
            .bind(&p.name)
            .bind(&p.content_type)
            .bind(i64::try_from(p.data.len()).unwrap_or(i64::MAX))
            .bind(hex::encode(sha2::Sha256::digest(&p.data)))
            .bind(p.data.clone())
            .bind(now)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

pub async fn photos_of(db: &Db, appeal_id: i64) -> Result<Vec<PhotoRow>> {
    let rows = sqlx::query("SELECT id, name, size FROM appeal_photos WHERE appeal_id = $1 ORDER BY id").bind(appeal_id).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok(PhotoRow { id: get_i64(r, "id")?, name: get_str(r, "name")?, size: get_i64(r, "size")? })).collect()
}

/// One photo's content type and bytes.
pub async fn photo(db: &Db, appeal_id: i64, id: i64) -> Result<Option<(String, Vec<u8>)>> {
    let row =
        sqlx::query("SELECT content_type, data FROM appeal_photos WHERE appeal_id = $1 AND id = $2").bind(appeal_id).bind(id).fetch_optional(db.pool()).await?;
    match row {
        Some(r) => Ok(Some((get_str(&r, "content_type")?, r.try_get::<Vec<u8>, _>("data")?))),
        None => Ok(None),
    }
}
