//! Rules as data: versions of each rule, the value in force on a date, audited changes.

use crate::{get_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::rules::{shipped, RuleChange, RuleSpec};
use luoshi_domain::DomainError;
use serde::Serialize;

/// One version of a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleVersion {
    pub key: String,
    pub version: i64,
    pub value: serde_json::Value,
    pub source: String,
    pub effective_from: String,
    pub changed_by: String,
    pub changed_at: i64,
    pub note: Option<String>,
}

fn version(r: &sqlx::any::AnyRow) -> Result<RuleVersion> {
    let raw = get_str(r, "value_json")?;
    Ok(RuleVersion {
        key: get_str(r, "rule_key")?,
        version: get_i64(r, "version")?,
        value: serde_json::from_str(&raw).map_err(|_| DomainError::invalid("value"))?,
        source: get_str(r, "source")?,
        effective_from: get_str(r, "effective_from")?,
        changed_by: get_str(r, "changed_by")?,
        changed_at: get_i64(r, "changed_at")?,
        note: get_opt_str(r, "note")?,
    })
}

const COLS: &str = "rule_key, version, value_json, source, effective_from, changed_by, changed_at, note";

/// Insert version 1 of every shipped rule the database lacks.
pub async fn ensure_shipped(db: &Db) -> Result<usize> {
    let specs = shipped()?;
    let existing = sqlx::query("SELECT DISTINCT rule_key FROM rules").fetch_all(db.pool()).await?;
    let have: Vec<String> = existing.iter().map(|r| get_str(r, "rule_key")).collect::<Result<_>>()?;
    let missing: Vec<&RuleSpec> = specs.iter().filter(|s| !have.contains(&s.key)).collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    for s in &missing {
        // Another node may have inserted it since: only insert when still absent.
        let again = sqlx::query("SELECT rule_key FROM rules WHERE rule_key = $1").bind(&s.key).fetch_optional(tx.conn()).await?;
        if again.is_some() {
            continue;
        }
        insert(&mut tx, &Actor::system(), &s.key, 1, &s.value, &s.source, &s.effective_from, None).await?;
    }
    tx.commit().await?;
    Ok(missing.len())
}

#[expect(clippy::too_many_arguments, reason = "one column each")]
async fn insert(
    tx: &mut WriteTx,
    actor: &Actor,
    key: &str,
    version: i64,
    value: &serde_json::Value,
    source: &str,
    effective_from: &str,
    note: Option<&str>,
) -> Result<RuleVersion> {
    crate::versions::bump(tx, crate::versions::Cached::Rules).await?;
    let v = RuleVersion {
        key: key.to_string(),
        version,
        value: value.clone(),
        source: source.to_string(),
        effective_from: effective_from.to_string(),
        changed_by: actor.name.clone(),
        changed_at: crate::now_micros(),
        note: note.map(str::to_string),
    };
    sqlx::query(&format!("INSERT INTO rules ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
        .bind(&v.key)
        .bind(v.version)
        .bind(v.value.to_string())
        .bind(&v.source)
        .bind(&v.effective_from)
        .bind(&v.changed_by)
        .bind(v.changed_at)
        .bind(&v.note)
        .execute(tx.conn())
        .await?;
    tx.audit(actor, "rule.set", "rule", key, None, Some(&serde_json::to_value(&v).unwrap_or_default())).await?;
    Ok(v)
}

/// Every version of every rule as this node keeps it while the rules' version stands, else
/// read again (what the rules in force are computed from on every request that needs one).
pub async fn current(db: &Db) -> Result<std::sync::Arc<Vec<RuleVersion>>> {
    db.reference.rules.get(db, crate::versions::Cached::Rules, all_versions(db)).await
}

/// Every version of every rule, newest version first within a key.
pub async fn all_versions(db: &Db) -> Result<Vec<RuleVersion>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM rules ORDER BY rule_key, version DESC")).fetch_all(db.pool()).await?;
    rows.iter().map(version).collect()
}

pub async fn history(db: &Db, key: &str) -> Result<Vec<RuleVersion>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM rules WHERE rule_key = $1 ORDER BY version DESC")).bind(key).fetch_all(db.pool()).await?;
    rows.iter().map(version).collect()
}

/// The version in force on `date` (`YYYY-MM-DD`): the newest version whose effective date has
/// come; if every version lies in the future, the oldest one.
pub fn in_force<'a>(versions: &'a [RuleVersion], key: &str, date: &str) -> Option<&'a RuleVersion> {
    let mine = versions.iter().filter(|v| v.key == key);
    mine.clone().filter(|v| v.effective_from.as_str() <= date).max_by_key(|v| v.version).or_else(|| mine.min_by_key(|v| v.version))
}

/// The integer value of a rule in force today, or the shipped default.
pub async fn int_value(db: &Db, key: &str, date: &str) -> Result<i64> {
    let versions = current(db).await?;
    if let Some(v) = in_force(&versions, key, date).and_then(|v| v.value.as_i64()) {
        return Ok(v);
    }
    luoshi_domain::rules::shipped_specs()?.iter().find(|s| s.key == key).and_then(|s| s.value.as_i64()).ok_or_else(|| DomainError::not_found("rule").into())
}

/// Record a new version of a rule after checking it against its spec.
pub async fn set(db: &Db, actor: &Actor, key: &str, change: &RuleChange) -> Result<RuleVersion> {
    let spec = shipped()?.into_iter().find(|s| s.key == key).ok_or_else(|| DomainError::not_found("rule"))?;
    change.validate(&spec.kind)?;
    let mut tx = db.begin_write().await?;
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM rules WHERE rule_key = $1").bind(key).fetch_one(tx.conn()).await?;
    let next = get_i64(&row, "v")? + 1;
    let note = change.note.trim();
    let v = insert(&mut tx, actor, key, next, &change.value, change.source.trim(), change.effective_from.trim(), (!note.is_empty()).then_some(note)).await?;
    tx.commit().await?;
    Ok(v)
}
