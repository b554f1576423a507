//! Reference data of appeals: the taxonomy (also the Open311 services), Open311 keys (hashes
//! only) and the routing models.

use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::appeals::Category;
use luoshi_domain::DomainError;
use serde::Serialize;
use sqlx::any::AnyRow;

// --- taxonomy -------------------------------------------------------------------------------

/// A category as stored, with the unit that usually owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryRow {
    pub code: String,
    pub name: String,
    pub group: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub unit_id: Option<i64>,
    pub active: bool,
}

pub async fn categories(db: &Db) -> Result<Vec<CategoryRow>> {
    let rows = sqlx::query("SELECT code, name, grp, description, keywords, unit_id, active FROM appeal_categories ORDER BY sort_order, code")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CategoryRow {
                code: get_str(r, "code")?,
                name: get_str(r, "name")?,
                group: get_str(r, "grp")?,
                description: get_str(r, "description")?,
                keywords: get_str(r, "keywords")?.split('、').filter(|k| !k.is_empty()).map(str::to_string).collect(),
                unit_id: get_opt_i64(r, "unit_id")?,
                active: get_i64(r, "active")? != 0,
            })
        })
        .collect()
}

/// Add the categories that are missing (by code); existing ones are left as the county edited them.
pub async fn seed_categories(tx: &mut WriteTx, actor: &Actor, cats: &[(Category, Option<i64>)]) -> Result<usize> {
    tx.lock_shared().await?;
    let mut added = 0;
    for (i, (c, unit)) in cats.iter().enumerate() {
        let done = sqlx::query(
            "INSERT INTO appeal_categories (code, name, grp, description, keywords, unit_id, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&c.code)
        .bind(&c.name)
        .bind(&c.group)
        .bind(&c.description)
        .bind(c.keywords.join("、"))
        .bind(*unit)
        .bind(i64::try_from(i).unwrap_or(0))
        .execute(tx.conn())
        .await?;
        added += usize::try_from(done.rows_affected()).unwrap_or(0);
    }
    if added > 0 {
        crate::versions::bump(tx, crate::versions::Cached::AppealCategories).await?;
        tx.audit(actor, "appeal.categories", "appeal_categories", "", None, Some(&serde_json::json!({ "added": added }))).await?;
    }
    Ok(added)
}

// --- Open311 keys ---------------------------------------------------------------------------

/// An Open311 API key (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
}

pub(super) fn key(r: &AnyRow) -> Result<Key> {
    Ok(Key {
        id: get_i64(r, "id")?,
        name: get_str(r, "name")?,
        created_at: get_i64(r, "created_at")?,
        created_by: get_str(r, "created_by")?,
        revoked_at: get_opt_i64(r, "revoked_at")?,
    })
}

pub async fn add_key(tx: &mut WriteTx, actor: &Actor, name: &str, hash: &str) -> Result<i64> {
    tx.lock_shared().await?;
    let row = sqlx::query("INSERT INTO open311_keys (name, key_hash, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(hash)
        .bind(crate::now_micros())
        .bind(&actor.name)
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&row, "id")?;
    crate::versions::bump(tx, crate::versions::Cached::Open311Keys).await?;
    tx.audit(actor, "open311.key_add", "open311_key", &id.to_string(), None, Some(&serde_json::json!({ "name": name }))).await?;
    Ok(id)
}

pub async fn revoke_key(tx: &mut WriteTx, actor: &Actor, id: i64) -> Result<()> {
    tx.lock_shared().await?;
    let done = sqlx::query("UPDATE open311_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(crate::now_micros())
        .bind(id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() != 1 {
        return Err(DomainError::not_found("key").into());
    }
    crate::versions::bump(tx, crate::versions::Cached::Open311Keys).await?;
    tx.audit(actor, "open311.key_revoke", "open311_key", &id.to_string(), None, None).await?;
    Ok(())
}

pub async fn keys(db: &Db) -> Result<Vec<Key>> {
    let rows = sqlx::query("SELECT id, name, created_at, created_by, revoked_at FROM open311_keys ORDER BY id").fetch_all(db.pool()).await?;
    rows.iter().map(key).collect()
}

/// The live key with this hash.
/// The keys in force, each with its hash (a node caches them behind `data_versions`).
pub async fn active_keys(db: &Db) -> Result<Vec<(String, Key)>> {
    let rows =
        sqlx::query("SELECT id, name, created_at, created_by, revoked_at, key_hash FROM open311_keys WHERE revoked_at IS NULL").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "key_hash")?, key(r)?))).collect()
}

pub async fn key_by_hash(db: &Db, hash: &str) -> Result<Option<Key>> {
    let row = sqlx::query("SELECT id, name, created_at, created_by, revoked_at FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .bind(hash)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(key).transpose()
}

// --- routing model --------------------------------------------------------------------------

/// Store a newly trained model (the newest one is in force on every node).
pub async fn save_model(tx: &mut WriteTx, actor: &Actor, examples: i64, accuracy: f64, body: &str) -> Result<i64> {
    tx.lock_shared().await?;
    let row = sqlx::query("INSERT INTO route_models (trained_at, examples, accuracy, body) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(crate::now_micros())
        .bind(examples)
        .bind(accuracy)
        .bind(body)
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&row, "id")?;
    crate::versions::bump(tx, crate::versions::Cached::RouteModels).await?;
    tx.audit(actor, "appeal.train", "route_model", &id.to_string(), None, Some(&serde_json::json!({ "examples": examples, "accuracy": accuracy }))).await?;
    Ok(id)
}

/// The newest model's id (cheap: nodes compare it with the one they hold).
pub async fn model_id(db: &Db) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT MAX(id) AS id FROM route_models").fetch_one(db.pool()).await?;
    get_opt_i64(&row, "id")
}

pub async fn model(db: &Db, id: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT body FROM route_models WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(|r| get_str(r, "body")).transpose()
}

/// Add or change a category (the county's taxonomy), audited.
pub async fn upsert_category(tx: &mut WriteTx, actor: &Actor, c: &CategoryRow) -> Result<()> {
    tx.lock_shared().await?;
    let before = sqlx::query("SELECT name, grp, description, keywords, unit_id, active FROM appeal_categories WHERE code = $1")
        .bind(&c.code)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| -> Result<serde_json::Value> {
            Ok(serde_json::json!({ "name": get_str(&r, "name")?, "group": get_str(&r, "grp")?, "description": get_str(&r, "description")?,
                "keywords": get_str(&r, "keywords")?, "unit_id": get_opt_i64(&r, "unit_id")?, "active": get_i64(&r, "active")? != 0 }))
        })
        .transpose()?;
    // Read first: a distributed engine takes no subquery inside VALUES (and writers of this table queue on `lock_shared`).
    let last = get_i64(&sqlx::query("SELECT COALESCE(MAX(sort_order), 0) AS m FROM appeal_categories").fetch_one(tx.conn()).await?, "m")?;
    sqlx::query(
        "INSERT INTO appeal_categories (code, name, grp, description, keywords, unit_id, active, sort_order) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, grp = excluded.grp, description = excluded.description, \
         keywords = excluded.keywords, unit_id = excluded.unit_id, active = excluded.active",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.group)
    .bind(&c.description)
    .bind(c.keywords.join("、"))
    .bind(c.unit_id)
    .bind(i64::from(c.active))
    .bind(last + 1)
    .execute(tx.conn())
    .await?;
    crate::versions::bump(tx, crate::versions::Cached::AppealCategories).await?;
    tx.audit(actor, "appeal.category", "appeal_category", &c.code, before.as_ref(), Some(&serde_json::to_value(c).unwrap_or_default())).await?;
    Ok(())
}
