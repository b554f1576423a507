//! The county's taxonomy, the routing model's training, Open311 keys and the search index.

use super::*;
use crate::{forbidden, Result, Who};
use luoshi_domain::appeals::{self as dom};
use luoshi_domain::route::{self, Model};
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals::{self as store};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

/// What training did.
#[derive(Debug, Clone, Serialize)]
pub struct Trained {
    pub model_id: Option<i64>,
    pub examples: usize,
    pub classes: usize,
    /// Held-out accuracy (5-fold cross-validation).
    pub accuracy: f64,
    pub in_force: bool,
}

/// Train the routing model on the county's closed appeals and store it (every node then uses
/// it). With fewer than [`MIN_EXAMPLES`] the model is stored but routing keeps to the catalogue.
pub async fn train(db: &Db, who: &Who) -> Result<Trained> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let rows = store::training_examples(db, 200_000).await?;
    let examples: Vec<(Vec<String>, String)> = rows
        .into_iter()
        .map(|(content, unit, kind)| {
            let class = if kind == "township" || kind == "village" { LOCAL.to_string() } else { unit.to_string() };
            (route::tokenize(&content), class)
        })
        .collect();
    let (accuracy, _) = route::cross_validate(&examples, 5);
    let model = Model::train(examples.iter().map(|(t, c)| (t.as_slice(), c.as_str())));
    let body = serde_json::to_string(&model).map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(e.to_string()))?;
    let mut tx = db.begin_write().await?;
    let id = store::save_model(&mut tx, &who.actor, i64::try_from(examples.len()).unwrap_or(i64::MAX), accuracy, &body).await?;
    tx.commit().await?;
    Ok(Trained {
        model_id: Some(id),
        examples: examples.len(),
        classes: model.classes.len(),
        accuracy: (accuracy * 1000.0).round() / 1000.0,
        in_force: model.examples() >= MIN_EXAMPLES,
    })
}

/// Load the shipped taxonomy (missing codes only), resolving each category's usual unit.
pub async fn seed_categories(db: &Db, who: &Who) -> Result<usize> {
    let have = store::categories(db).await?;
    let missing: Vec<dom::Category> = dom::shipped_categories().into_iter().filter(|c| !have.iter().any(|h| h.code == c.code)).collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let cats: Vec<(dom::Category, Option<i64>)> =
        missing.into_iter().map(|c| (units::resolve(&all, &c.unit).ok().map(|u| u.id), c)).map(|(u, c)| (c, u)).collect();
    let mut tx = db.begin_write().await?;
    let n = store::seed_categories(&mut tx, &who.actor, &cats).await?;
    tx.commit().await?;
    Ok(n)
}

/// A category as typed by an administrator.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CategoryInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub description: String,
    /// One per line or separated by 、.
    #[serde(default)]
    pub keywords: String,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

pub(super) fn yes() -> bool {
    true
}

/// Add or change a category of the taxonomy (administrators). `code` is its stable key and
/// its Open311 `service_code`: lowercase letters, digits and `_`, 2 to 32.
pub async fn save_category(db: &Db, who: &Who, code: &str, c: &CategoryInput) -> Result<store::CategoryRow> {
    if !matches!(who.role, None | Some(Role::Admin)) {
        return Err(forbidden());
    }
    let code = code.trim();
    if !(2..=32).contains(&code.len()) || !code.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_') {
        return Err(DomainError::invalid("code").with_detail(code.to_string()).into());
    }
    if let Some(u) = c.unit_id {
        if units::get(db, u).await?.is_none() {
            return Err(DomainError::invalid("unit_id").into());
        }
    }
    let row = store::CategoryRow {
        code: code.to_string(),
        name: luoshi_domain::error::required_text("name", &c.name, 32)?,
        group: luoshi_domain::error::required_text("group", &c.group, 32)?,
        description: luoshi_domain::error::optional_text("description", &c.description, 200)?.unwrap_or_default(),
        keywords: luoshi_domain::doc::parse_keywords(&c.keywords)?,
        unit_id: c.unit_id,
        active: c.active,
    };
    let mut tx = db.begin_write().await?;
    store::upsert_category(&mut tx, &who.actor, &row).await?;
    tx.commit().await?;
    Ok(row)
}

// --- Open311 keys ---------------------------------------------------------------------------

pub fn key_hash(key: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.trim().as_bytes()))
}

/// Issue an Open311 API key: (id, the key, shown once).
pub async fn issue_key(db: &Db, who: &Who, name: &str) -> Result<(i64, String)> {
    let mut b = [0u8; 20];
    getrandom::fill(&mut b).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    let key = format!("ls311_{}", hex::encode(b));
    let id = register_key(db, who, name, &key).await?;
    Ok((id, key))
}

/// Register a key chosen elsewhere (the demo county's published one), unless it is live already.
pub async fn register_key(db: &Db, who: &Who, name: &str, key: &str) -> Result<i64> {
    if !matches!(who.role, None | Some(Role::Admin)) {
        return Err(forbidden());
    }
    let name = luoshi_domain::error::required_text("name", name, 64)?;
    if let Some(k) = store::key_by_hash(db, &key_hash(key)).await? {
        return Ok(k.id);
    }
    let mut tx = db.begin_write().await?;
    let id = store::add_key(&mut tx, &who.actor, &name, &key_hash(key)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn revoke_key(db: &Db, who: &Who, id: i64) -> Result<()> {
    if !matches!(who.role, None | Some(Role::Admin)) {
        return Err(forbidden());
    }
    let mut tx = db.begin_write().await?;
    store::revoke_key(&mut tx, &who.actor, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Rebuild every appeal's search signature (`luoshi appeals reindex`): derived from the
/// database alone, so every node searching it answers alike. Returns how many were done.
pub async fn reindex(db: &Db) -> Result<usize> {
    let (mut after, mut done) = (0, 0);
    while let Some((last, n)) = store::reindex_page(db, after, 2000).await? {
        after = last;
        done += n;
    }
    Ok(done)
}

/// The live key for an `api_key` as sent, if any (from the node's cache of keys in force).
pub(super) const MINUTE: i64 = 60_000_000;

pub(super) fn key_rate_name(key_id: i64) -> String {
    format!("open311key:{key_id}")
}

/// Appeals an Open311 key has sent in this wall-clock minute (counted with the appeals, in
/// their transaction; read here before accepting another).
pub async fn key_hits(db: &Db, key_id: i64, now: i64) -> Result<i64> {
    luoshi_storage::sessions::hits(db, &key_rate_name(key_id), MINUTE, now).await
}

pub async fn check_key(db: &Db, routing: &Routing, key: &str) -> Result<Option<store::Key>> {
    if key.trim().is_empty() {
        return Ok(None);
    }
    Ok(routing.context(db).await?.key(&key_hash(key)).cloned())
}
