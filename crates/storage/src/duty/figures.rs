//! Reading the duty counters (never the records): what the cockpit and the assessment show.

use super::Resolved;
use crate::{Db, Result};

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

/// How counters are summed: over them all, per unit, or per node a unit rolls up to.
#[derive(Clone, Copy)]
enum Per<'a> {
    All,
    Unit,
    Node(&'a std::collections::HashMap<i64, i64>),
}

/// Does a counter belong to the resolved sight?
fn in_sight(r: &Resolved, units: &std::collections::HashSet<i64>, k: &super::tallies::Key) -> bool {
    match r {
        Resolved::All => true,
        Resolved::Some { lead, .. } => units.contains(&k.unit_id) || (lead.is_some() && Some(k.lead_user_id) == *lead),
    }
}

/// The counters of a sight from `from` to `to` (`YYYY-MM`, and the years they touch) and what
/// stands now, summed per unit or over them all, the months into one bucket (period `from`) or
/// each its own (from the node's mirror of the counters: no row of the record is read).
async fn sum_by(db: &Db, r: &Resolved, from: &str, to: &str, per: Per<'_>) -> Result<Vec<Figure>> {
    let units: std::collections::HashSet<i64> = match r {
        Resolved::All => Default::default(),
        Resolved::Some { units, .. } => units.iter().copied().collect(),
    };
    type Group<'a> = (i64, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, bool);
    db.with_counters(|table| {
        let mut sums: std::collections::HashMap<Group<'_>, i64, foldhash::fast::RandomState> = Default::default();
        for (k, n) in table {
            let when = k.period.is_empty() || luoshi_domain::duty::within(&k.period, from, to);
            if !when || *n == 0 || !in_sight(r, &units, k) {
                continue;
            }
            let bucket = if k.period.is_empty() { "" } else { from };
            let (unit, period) = match per {
                Per::All => (0, k.period.as_str()),
                Per::Unit => (k.unit_id, bucket),
                Per::Node(nodes) => match nodes.get(&k.unit_id) {
                    Some(node) => (*node, bucket),
                    None => continue,
                },
            };
            *sums.entry((unit, &k.kind, period, &k.event, &k.state, &k.light, &k.grade, k.flagged != 0)).or_insert(0) += n;
        }
        let mut out: Vec<Figure> = sums
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((unit_id, kind, period, event, state, light, grade, flagged), n)| Figure {
                unit_id,
                kind: kind.to_string(),
                period: period.to_string(),
                event: event.to_string(),
                state: state.to_string(),
                light: light.to_string(),
                grade: grade.to_string(),
                flagged,
                n,
            })
            .collect();
        out.sort_by(|a, b| {
            (a.unit_id, &a.kind, &a.period, &a.event, &a.state, &a.light, &a.grade, a.flagged)
                .cmp(&(b.unit_id, &b.kind, &b.period, &b.event, &b.state, &b.light, &b.grade, b.flagged))
        });
        out
    })
    .await
}

/// What stands now and every month from `from` to `to` (`YYYY-MM`), summed over the sight.
pub async fn summed(db: &Db, r: &Resolved, from: &str, to: &str) -> Result<Vec<Figure>> {
    sum_by(db, r, from, to, Per::All).await
}

/// Per unit: what stands now, and what happened from `from` to `to` summed into one bucket
/// (period `from`): what a scorecard of the period reads.
pub async fn by_unit(db: &Db, r: &Resolved, from: &str, to: &str) -> Result<Vec<Figure>> {
    sum_by(db, r, from, to, Per::Unit).await
}

/// As [`by_unit`], each unit's counters summed into the node it rolls up to (`nodes`: unit id
/// to node id; units in none left out): a ranking of hundreds of units over a city's thousands
/// gets a few rows per node, not per unit.
pub async fn by_node(db: &Db, r: &Resolved, from: &str, to: &str, nodes: &std::collections::HashMap<i64, i64>) -> Result<Vec<Figure>> {
    sum_by(db, r, from, to, Per::Node(nodes)).await
}

/// What stands now of one kind, by light (every record of the kind stands in one "now" bucket
/// with its light), from the node's mirror of the counters.
pub async fn lights_now(db: &Db, kind: &str) -> Result<Vec<(String, i64)>> {
    db.with_counters(|table| {
        let mut by_light: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
        for (k, n) in table.iter().filter(|(k, _)| k.kind == kind && k.event == "now") {
            *by_light.entry(k.light.as_str()).or_insert(0) += n;
        }
        by_light.into_iter().map(|(l, n)| (l.to_string(), n)).collect()
    })
    .await
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
    let cond = sight_sql(r, "");
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
    let q =
        sqlx::query(&sql).bind(b.kind.as_str()).bind(b.from_at).bind(b.to_at).bind(b.grade.clone().unwrap_or_default()).bind(b.before_id.unwrap_or(i64::MAX));
    q.fetch_all(db.pool()).await?.iter().map(super::record).collect()
}

/// The condition on `duty_records` (as `alias`, '' for none) that keeps a resolved sight: its
/// units as owners, or its leader as the one who leads (integers only, written in).
pub(crate) fn sight_sql(r: &Resolved, alias: &str) -> String {
    let dot = if alias.is_empty() { String::new() } else { format!("{alias}.") };
    match r {
        Resolved::All => "1 = 1".into(),
        Resolved::Some { units, lead } => {
            let mut parts = Vec::new();
            if !units.is_empty() {
                parts.push(format!("{dot}owner_unit_id IN ({})", units.iter().map(i64::to_string).collect::<Vec<_>>().join(",")));
            }
            if let Some(l) = lead {
                parts.push(format!("{dot}lead_user_id = {l}"));
            }
            if parts.is_empty() {
                "1 = 0".into()
            } else {
                format!("({})", parts.join(" OR "))
            }
        }
    }
}
