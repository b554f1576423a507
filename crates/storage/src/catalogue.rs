//! 权责清单: each unit's keywords, as the county edits them.

use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::doc::Responsibility;

/// One entry, with the unit it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub unit_id: i64,
    pub unit: String,
    pub keywords: Vec<String>,
    pub updated_at: i64,
}

fn split(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect()
}

/// Every entry, in the order of the unit tree.
pub async fn list(db: &Db) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT r.unit_id, u.name, r.keywords, r.updated_at FROM responsibilities r JOIN units u ON u.id = r.unit_id \
         WHERE u.active = 1 ORDER BY u.depth, u.sort_order, u.id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                unit_id: get_i64(r, "unit_id")?,
                unit: get_str(r, "name")?,
                keywords: split(&get_str(r, "keywords")?),
                updated_at: get_i64(r, "updated_at")?,
            })
        })
        .collect()
}

/// The catalogue in the shape the suggesters use.
pub async fn responsibilities(db: &Db) -> Result<Vec<Responsibility>> {
    Ok(list(db)
        .await?
        .into_iter()
        .filter(|e| !e.keywords.is_empty())
        .map(|e| Responsibility { unit: e.unit, keywords: e.keywords, short: Vec::new() })
        .collect())
}

/// Replace a unit's keywords (an empty list removes the entry), audited.
pub async fn set(tx: &mut WriteTx, actor: &Actor, unit_id: i64, keywords: &[String]) -> Result<()> {
    tx.lock_shared().await?;
    let before = sqlx::query("SELECT keywords FROM responsibilities WHERE unit_id = $1").bind(unit_id).fetch_optional(tx.conn()).await?;
    let before = before.as_ref().map(|r| get_str(r, "keywords")).transpose()?.map(|s| split(&s));
    if keywords.is_empty() {
        sqlx::query("DELETE FROM responsibilities WHERE unit_id = $1").bind(unit_id).execute(tx.conn()).await?;
    } else {
        sqlx::query(
            "INSERT INTO responsibilities (unit_id, keywords, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (unit_id) DO UPDATE SET keywords = excluded.keywords, updated_at = excluded.updated_at",
        )
        .bind(unit_id)
        .bind(keywords.join("\n"))
        .bind(crate::now_micros())
        .execute(tx.conn())
        .await?;
    }
    crate::versions::bump(tx, crate::versions::Cached::Responsibilities).await?;
    tx.audit(
        actor,
        "catalogue.set",
        "unit",
        &unit_id.to_string(),
        before.map(|b| serde_json::json!({ "keywords": b })).as_ref(),
        Some(&serde_json::json!({ "keywords": keywords })),
    )
    .await?;
    Ok(())
}
