//! Business rows against the trail the audit chain holds for them. The chain proves that no
//! audit row was changed or removed; this proves that the rows it describes were not edited
//! behind the application's back (an appeal's text or state, a task's state):
//! - every work order whose audit entries carry a digest must equal the newest one;
//! - every task's state must be the state its newest audited transition led to.
//!
//! Not covered (said in README): rows written before digests existed (counted, not checked),
//! and fields of other records (units, users, rules: their audit rows hold the values, a
//! reader compares by eye on the audit page).

use crate::{get_i64, get_opt_str, get_str, Db, Result};
use std::collections::HashMap;

/// What the comparison found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowsReport {
    pub appeals_checked: u64,
    /// Work orders whose audit entries hold no digest (written by an earlier release).
    pub appeals_without_digest: u64,
    pub tasks_checked: u64,
    /// (entity, id, what differs), at most 100.
    pub mismatches: Vec<(String, i64, String)>,
}

const PAGE: i64 = 500;

/// The newest `after_json` of each of these entities' audit rows (in time order: a record's rows may
/// sit in several chains, whose sequence numbers are not comparable).
async fn newest_after(db: &Db, entity: &str, ids: &[i64], keep: impl Fn(&serde_json::Value) -> bool) -> Result<HashMap<i64, serde_json::Value>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let ps: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT entity_id, after_json FROM audit_log WHERE entity = $1 AND entity_id IN ({}) ORDER BY at, chain, seq", ps.join(", "));
    let mut q = sqlx::query(&sql).bind(entity);
    for id in ids {
        q = q.bind(id.to_string());
    }
    for r in q.fetch_all(db.pool()).await? {
        let Ok(id) = get_str(&r, "entity_id")?.parse::<i64>() else { continue };
        let Some(after) = get_opt_str(&r, "after_json")?.and_then(|a| serde_json::from_str::<serde_json::Value>(&a).ok()) else { continue };
        if keep(&after) {
            out.insert(id, after);
        }
    }
    Ok(out)
}

/// Compare every work order and every task with its newest audit entry.
pub async fn verify_rows(db: &Db) -> Result<RowsReport> {
    let mut rep = RowsReport::default();
    let note = |rep: &mut RowsReport, entity: &str, id: i64, what: String| {
        if rep.mismatches.len() < 100 {
            rep.mismatches.push((entity.to_string(), id, what));
        }
    };
    let mut after = 0;
    loop {
        let page = crate::appeals::page_by_id(db, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|a| a.id).collect();
        let digests = newest_after(db, "appeal", &ids, |v| v.get("digest").is_some()).await?;
        for a in &page {
            match digests.get(&a.id).and_then(|v| v["digest"].as_str()) {
                Some(d) if d == crate::appeals::digest(a) => rep.appeals_checked += 1,
                Some(_) => {
                    rep.appeals_checked += 1;
                    note(&mut rep, "appeal", a.id, format!("{} differs from its audit trail", a.code));
                }
                None => rep.appeals_without_digest += 1,
            }
        }
    }
    let mut after = 0;
    loop {
        let rows = sqlx::query("SELECT id, state FROM duties WHERE id > $1 ORDER BY id LIMIT $2").bind(after).bind(PAGE).fetch_all(db.pool()).await?;
        let Some(last) = rows.last() else { break };
        after = get_i64(last, "id")?;
        let page: Vec<(i64, String)> = rows.iter().map(|r| Ok((get_i64(r, "id")?, get_str(r, "state")?))).collect::<Result<_>>()?;
        let ids: Vec<i64> = page.iter().map(|p| p.0).collect();
        let moves = newest_after(db, "task", &ids, |v| v["to"].is_string()).await?;
        for (id, state) in &page {
            if let Some(to) = moves.get(id).and_then(|v| v["to"].as_str()) {
                rep.tasks_checked += 1;
                if to != state {
                    note(&mut rep, "task", *id, format!("state {state}, but the trail ends in {to}"));
                }
            }
        }
    }
    Ok(rep)
}
