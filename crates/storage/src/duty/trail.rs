//! 留痕: the one append-only trail of every kind of duty (`duty_trail`). The kind writes its
//! audit row beside each entry (the audit chain proves the trail's story, the trail tells it).

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Db, Result, WriteTx};
use serde::Serialize;
use std::collections::HashMap;

/// One entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    pub kind: &'a str,
    pub ref_id: i64,
    pub at: i64,
    pub actor: &'a str,
    pub unit_id: Option<i64>,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<&'a str>,
    pub data: Option<String>,
}

impl<'a> Entry<'a> {
    /// A kind's own step: what an actor did, from which state to which, with a note.
    #[expect(clippy::too_many_arguments, reason = "the columns of a step")]
    pub fn step(kind: &'a str, ref_id: i64, at: i64, actor: &'a str, action: &'a str, from: Option<&'a str>, to: &'a str, note: Option<&'a str>) -> Entry<'a> {
        Entry { kind, ref_id, at, actor, unit_id: None, action, from, to: Some(to), note, data: None }
    }
}

/// One entry as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: i64,
    pub ref_id: i64,
    pub at: i64,
    pub actor: String,
    pub unit_id: Option<i64>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
    pub data: Option<String>,
}

/// Append entries, one statement for a batch.
pub async fn append(tx: &mut WriteTx, entries: &[Entry<'_>]) -> Result<()> {
    for chunk in entries.chunks(400) {
        let sql = format!(
            "INSERT INTO duty_trail (kind, ref_id, at, actor, unit_id, action, from_state, to_state, note, data_json) VALUES {}",
            crate::values(tx.backend(), chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q.bind(e.kind).bind(e.ref_id).bind(e.at).bind(e.actor).bind(e.unit_id).bind(e.action).bind(e.from).bind(e.to).bind(e.note).bind(e.data.clone());
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

const COLS: &str = "id, ref_id, at, actor, unit_id, action, from_state, to_state, note, data_json";

/// A duty's trail, oldest first: `$1` its id, `$2` its kind.
pub(crate) const TRAIL: crate::parts::Part = crate::parts::Part { cols: COLS, from: "duty_trail WHERE ref_id = $1 AND kind = $2", order: "id" };

pub(crate) fn step(r: &impl crate::rows::Fields) -> Result<Step> {
    Ok(Step {
        id: get_i64(r, "id")?,
        ref_id: get_i64(r, "ref_id")?,
        at: get_i64(r, "at")?,
        actor: get_str(r, "actor")?,
        unit_id: get_opt_i64(r, "unit_id")?,
        action: get_str(r, "action")?,
        from_state: get_opt_str(r, "from_state")?,
        to_state: get_opt_str(r, "to_state")?,
        note: get_opt_str(r, "note")?,
        data: get_opt_str(r, "data_json")?,
    })
}

/// A duty's trail, oldest first.
pub async fn of(db: &Db, kind: &str, ref_id: i64) -> Result<Vec<Step>> {
    let rows = sqlx::query(&TRAIL.select()).bind(ref_id).bind(kind).fetch_all(db.pool()).await?;
    rows.iter().map(step).collect()
}

/// The trails of many duties of one kind in one query per 500.
pub async fn of_many(db: &Db, kind: &str, ids: &[i64]) -> Result<HashMap<i64, Vec<Step>>> {
    let mut out: HashMap<i64, Vec<Step>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let ps: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT {COLS} FROM duty_trail WHERE kind = $1 AND ref_id IN ({}) ORDER BY id", ps.join(", "));
        let mut q = sqlx::query(&sql).bind(kind);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(db.pool()).await? {
            let s = step(&r)?;
            out.entry(s.ref_id).or_default().push(s);
        }
    }
    Ok(out)
}
