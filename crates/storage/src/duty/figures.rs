//! Reading the duty counters (never the records): what the cockpit and the assessment show.

use super::Resolved;
use crate::{get_i64, get_str, Db, Result};

/// A counter summed over the units asked for (`unit_id` 0 when summed over them all).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Figure {
    pub unit_id: i64,
    pub kind: String,
    /// '' for what stands now, else a month (or the period's first month when summed over it).
    pub period: String,
    pub event: String,
    pub state: String,
    pub light: String,
    pub grade: String,
    pub flagged: bool,
    pub n: i64,
}

/// The condition on `duty_counts` for a resolved sight and whether it binds a leader as `$3`.
fn sight_cond(r: &Resolved) -> (String, Option<i64>) {
    match r {
        Resolved::All => ("1 = 1".into(), None),
        Resolved::Some { units, lead } => {
            let mut parts = Vec::new();
            if !units.is_empty() {
                // Unit ids are integers read from the database, written in as literals.
                parts.push(format!("unit_id IN ({})", units.iter().map(i64::to_string).collect::<Vec<_>>().join(",")));
            }
            if lead.is_some() {
                parts.push("lead_user_id = $3".into());
            }
            if parts.is_empty() {
                ("1 = 0".into(), None)
            } else {
                (format!("({})", parts.join(" OR ")), *lead)
            }
        }
    }
}

fn figure(r: &sqlx::any::AnyRow, unit: bool) -> Result<Figure> {
    Ok(Figure {
        unit_id: if unit { get_i64(r, "unit_id")? } else { 0 },
        kind: get_str(r, "kind")?,
        period: get_str(r, "period")?,
        event: get_str(r, "event")?,
        state: get_str(r, "state")?,
        light: get_str(r, "light")?,
        grade: get_str(r, "grade")?,
        flagged: get_i64(r, "flagged")? != 0,
        n: get_i64(r, "n")?,
    })
}

/// What stands now and every month from `from` to `to` (`YYYY-MM`), summed over the sight.
pub async fn summed(db: &Db, r: &Resolved, from: &str, to: &str) -> Result<Vec<Figure>> {
    let (cond, lead) = sight_cond(r);
    let sql = format!(
        "SELECT kind, period, event, state, light, grade, flagged, CAST(SUM(n) AS BIGINT) AS n FROM duty_counts \
         WHERE {cond} AND (period = '' OR (period >= $1 AND period <= $2)) AND n <> 0 \
         GROUP BY kind, period, event, state, light, grade, flagged"
    );
    let mut q = sqlx::query(&sql).bind(from).bind(to);
    if let Some(l) = lead {
        q = q.bind(l);
    }
    q.fetch_all(db.pool()).await?.iter().map(|r| figure(r, false)).collect()
}

/// Per unit: what stands now, and what happened from `from` to `to` summed into one bucket
/// (period `from`): what a scorecard of the period reads.
pub async fn by_unit(db: &Db, r: &Resolved, from: &str, to: &str) -> Result<Vec<Figure>> {
    let (cond, lead) = sight_cond(r);
    let sql = format!(
        "SELECT unit_id, kind, CASE WHEN period = '' THEN '' ELSE $1 END AS period, event, state, light, grade, flagged, CAST(SUM(n) AS BIGINT) AS n FROM duty_counts \
         WHERE {cond} AND (period = '' OR (period >= $1 AND period <= $2)) AND n <> 0 \
         GROUP BY unit_id, kind, CASE WHEN period = '' THEN '' ELSE $1 END, event, state, light, grade, flagged"
    );
    let mut q = sqlx::query(&sql).bind(from).bind(to);
    if let Some(l) = lead {
        q = q.bind(l);
    }
    q.fetch_all(db.pool()).await?.iter().map(|r| figure(r, true)).collect()
}

/// Which records stand behind a figure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Behind {
    pub kind: String,
    /// `opened`, `on_time`, `late`, `closed`, `open` or `overdue`.
    pub event: String,
    /// µs, inclusive from and exclusive to (for events in a period).
    pub from_at: i64,
    pub to_at: i64,
    pub grade: Option<String>,
    pub flagged: Option<bool>,
    /// Keyset: records with a smaller id than this.
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The records behind a figure, newest first (the list a cockpit's figure links to).
pub async fn behind(db: &Db, r: &Resolved, b: &Behind) -> Result<Vec<super::Record>> {
    let (cond, lead) = match r {
        Resolved::All => ("1 = 1".to_string(), None),
        Resolved::Some { units, lead } => {
            let mut parts = Vec::new();
            if !units.is_empty() {
                parts.push(format!("owner_unit_id IN ({})", units.iter().map(i64::to_string).collect::<Vec<_>>().join(",")));
            }
            if lead.is_some() {
                parts.push("lead_user_id = $6".into());
            }
            (if parts.is_empty() { "1 = 0".into() } else { format!("({})", parts.join(" OR ")) }, *lead)
        }
    };
    let event = match b.event.as_str() {
        "opened" => "opened_at >= $2 AND opened_at < $3",
        "on_time" => "closed_at >= $2 AND closed_at < $3 AND late = 0",
        "late" => "closed_at >= $2 AND closed_at < $3 AND late = 1",
        "closed" => "closed_at >= $2 AND closed_at < $3",
        "overdue" => "phase IN ('running', 'waiting', 'under_review') AND light = 'red' AND $2 <= $3",
        _ => "phase IN ('running', 'waiting', 'under_review') AND $2 <= $3",
    };
    let grade = if b.grade.is_some() { " AND grade = $4" } else { " AND $4 = $4" };
    let flagged = match b.flagged {
        Some(true) => " AND flagged <> 0",
        Some(false) => " AND flagged = 0",
        None => "",
    };
    let sql = format!(
        "SELECT kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at FROM duty_records \
         WHERE kind = $1 AND {event}{grade}{flagged} AND ref_id < $5 AND {cond} ORDER BY ref_id DESC LIMIT {}",
        b.limit.clamp(1, 200)
    );
    let mut q =
        sqlx::query(&sql).bind(b.kind.as_str()).bind(b.from_at).bind(b.to_at).bind(b.grade.clone().unwrap_or_default()).bind(b.before_id.unwrap_or(i64::MAX));
    if let Some(l) = lead {
        q = q.bind(l);
    }
    q.fetch_all(db.pool()).await?.iter().map(super::record).collect()
}
