//! The enterprise ledger in bulk: an import carried out in one transaction (every row or none),
//! and the merge of a duplicate enterprise into the one that keeps its credit code.

use super::{Hazard, NewEnterprise};
use crate::{get_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use serde::Serialize;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
}

/// Carry out a checked import: `Some(id)` rows update that enterprise, `None` rows add one.
pub async fn apply(tx: &mut WriteTx, actor: &Actor, rows: &[(Option<i64>, NewEnterprise)], now: i64) -> Result<Counts> {
    // Every node copies the enterprises (a reference table): one such writer at a time.
    tx.lock_shared().await?;
    let mut counts = Counts::default();
    let mut updated = Vec::new();
    for (id, e) in rows.iter().filter_map(|(id, e)| id.map(|i| (i, e))) {
        let was = get_str(&sqlx::query("SELECT industry FROM enterprises WHERE id = $1").bind(id).fetch_one(tx.conn()).await?, "industry")?;
        // The statistics count hazards by their enterprise's industry: a new industry moves them.
        let hazards = if was == e.industry { Vec::new() } else { hazards_of(tx, id).await? };
        let q = sqlx::query(
            "UPDATE enterprises SET name = $1, credit_code = $2, industry = $3, regulator_unit_id = $4, township_id = $5, address = $6, size = $7, flags = $8, \
             hazard_source_level = $9, updated_at = $10 WHERE id = $11",
        );
        super::write::bind_enterprise(q, e).bind(now).bind(id).execute(tx.conn()).await?;
        recounted(tx, hazards, id, &e.industry).await?;
        // The findings' copy of where the enterprise is and who regulates it.
        sqlx::query("UPDATE enterprise_years SET township_id = $1, regulator_unit_id = $2, industry = $3 WHERE enterprise_id = $4")
            .bind(e.township_id.unwrap_or(0))
            .bind(e.regulator_unit_id)
            .bind(&e.industry)
            .bind(id)
            .execute(tx.conn())
            .await?;
        updated.push(id);
        counts.updated += 1;
    }
    let new: Vec<&NewEnterprise> = rows.iter().filter(|(id, _)| id.is_none()).map(|(_, e)| e).collect();
    // Several hundred rows per statement: a county's 20,000 in a few dozen statements.
    for chunk in new.chunks(500) {
        let sql = format!(
            "INSERT INTO enterprises (name, credit_code, industry, regulator_unit_id, township_id, address, size, flags, hazard_source_level, created_at, updated_at) VALUES {}",
            crate::values(tx.backend(), chunk.len(), 11)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = super::write::bind_enterprise(q, e).bind(now).bind(now);
        }
        q.execute(tx.conn()).await.map_err(crate::unique_as("credit_code"))?;
        counts.created += chunk.len();
    }
    let after = serde_json::json!({ "created": counts.created, "updated": updated });
    tx.audit(actor, "enterprise.import", "enterprise", "ledger", None, Some(&after)).await?;
    tx.touched_hazards();
    crate::versions::bump(tx, crate::versions::Cached::Enterprises).await?;
    Ok(counts)
}

/// Every enterprise's id, credit code and name (what an import is checked against).
pub async fn keys(db: &Db) -> Result<Vec<(i64, Option<String>, String)>> {
    let rows = sqlx::query("SELECT id, credit_code, name FROM enterprises").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "id")?, get_opt_str(r, "credit_code")?, get_str(r, "name")?))).collect()
}

/// Merge enterprise `from` into `into`: its hazards, accidents, inspections and risk points move
/// over, the code `from` carried (if `into` has none) goes with them, and `from` is deleted.
pub async fn merge(tx: &mut WriteTx, actor: &Actor, from: i64, into: i64, code: Option<&str>, now: i64) -> Result<()> {
    tx.lock_shared().await?;
    let hazards = hazards_of(tx, from).await?;
    let mut moved = serde_json::Map::new();
    for table in ["hazards", "accidents", "inspections"] {
        let n = sqlx::query(&format!("UPDATE {table} SET enterprise_id = $1 WHERE enterprise_id = $2"))
            .bind(into)
            .bind(from)
            .execute(tx.conn())
            .await?
            .rows_affected();
        moved.insert(table.into(), n.into());
    }
    // Risk points are sharded by their enterprise: copied under the other one, then removed.
    let n = sqlx::query(
        "INSERT INTO risk_points (enterprise_id, name, level, measures, responsible_level, created_at, updated_at) \
         SELECT CAST($1 AS BIGINT), name, level, measures, responsible_level, created_at, CAST($2 AS BIGINT) FROM risk_points WHERE enterprise_id = $3",
    )
    .bind(into)
    .bind(now)
    .bind(from)
    .execute(tx.conn())
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM risk_points WHERE enterprise_id = $1").bind(from).execute(tx.conn()).await?;
    moved.insert("risk_points".into(), n.into());
    sqlx::query("DELETE FROM enterprises WHERE id = $1").bind(from).execute(tx.conn()).await?;
    if let Some(c) = code {
        sqlx::query("UPDATE enterprises SET credit_code = $1, updated_at = $2 WHERE id = $3").bind(c).bind(now).bind(into).execute(tx.conn()).await?;
    }
    let industry = get_str(&sqlx::query("SELECT industry FROM enterprises WHERE id = $1").bind(into).fetch_one(tx.conn()).await?, "industry")?;
    recounted(tx, hazards, into, &industry).await?;
    sqlx::query("DELETE FROM enterprise_years WHERE enterprise_id = $1").bind(from).execute(tx.conn()).await?;
    sqlx::query("DELETE FROM enterprise_findings WHERE enterprise_id = $1").bind(from).execute(tx.conn()).await?;
    moved.insert("into".into(), into.into());
    tx.audit(actor, "enterprise.merge", "enterprise", &from.to_string(), None, Some(&serde_json::Value::Object(moved))).await?;
    tx.touched_hazards();
    crate::versions::bump(tx, crate::versions::Cached::Enterprises).await?;
    Ok(())
}

/// An enterprise's hazards as they are now, in the writer's transaction.
async fn hazards_of(tx: &mut WriteTx, enterprise_id: i64) -> Result<Vec<Hazard>> {
    let rows = sqlx::query(&format!("SELECT {} {} WHERE h.enterprise_id = $1", super::COLS, super::FROM)).bind(enterprise_id).fetch_all(tx.conn()).await?;
    rows.iter().map(super::hazard).collect()
}

/// Move the counts of hazards now under `enterprise_id` of `industry`.
async fn recounted(tx: &mut WriteTx, before: Vec<Hazard>, enterprise_id: i64, industry: &str) -> Result<()> {
    for h in before {
        let after = Hazard { enterprise_id: Some(enterprise_id), industry: Some(industry.to_string()), ..h.clone() };
        super::counts::moved(tx, Some(&h), &after).await?;
    }
    Ok(())
}
