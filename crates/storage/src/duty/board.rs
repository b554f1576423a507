//! The one board across every kind: the duties a caller's sight holds, counted by kind and
//! light and listed in limit order (keyset paging), read from the sight and the record alone.

use super::{record, subtree_ids, Record, NO_LIMIT};
use crate::{get_i64, get_str, Db, Result};
use luoshi_domain::access::Sight;

/// A sight resolved for one query: the whole county, or the units whose sight rows count (ids
/// read from the database) and the leader whose own duties count too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    All,
    Some { units: Vec<i64>, lead: Option<i64> },
}

impl Resolved {
    pub fn is_nothing(&self) -> bool {
        matches!(self, Resolved::Some { units, lead: None } if units.is_empty())
    }
}

/// Resolve a sight to unit ids (one query per subtree it holds).
pub async fn resolve(db: &Db, sight: &Sight) -> Result<Resolved> {
    let Some(roots) = sight.roots() else { return Ok(Resolved::All) };
    let mut units = Vec::new();
    for root in &roots {
        units.extend(subtree_ids(db, root, None).await?);
    }
    units.sort_unstable();
    units.dedup();
    Ok(Resolved::Some { units, lead: sight.lead() })
}

/// Filters of the one board.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct BoardFilter {
    pub kind: Option<String>,
    pub light: Option<String>,
    /// Keyset: the last row's limit, kind and id.
    pub after: Option<(i64, String, i64)>,
    pub limit: Option<i64>,
}

/// Open duties of one kind with one light.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KindLights {
    pub kind: String,
    pub light: String,
    pub n: i64,
}

/// One row of the board (the record's line).
pub type BoardRow = Record;

const OPEN: &str = "('running', 'waiting', 'under_review')";

/// The keys (kind, ref_id, light, due_at) of the open duties a resolved sight holds, as SQL, and
/// the leader it binds as `$1` if it names one.
fn keys(r: &Resolved) -> (String, Option<i64>) {
    let sql = match r {
        Resolved::All => format!("SELECT r.kind, r.ref_id, r.light, COALESCE(r.due_at, {NO_LIMIT}) AS due_at FROM duty_records r WHERE r.phase IN {OPEN}"),
        Resolved::Some { units, lead } => {
            let mut parts = Vec::new();
            if !units.is_empty() {
                // Unit ids are integers read from the database, written in as literals.
                let ids = units.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                parts.push(format!("SELECT s.kind, s.ref_id, s.light, s.due_at FROM duty_sight s WHERE s.unit_id IN ({ids}) AND s.phase IN {OPEN}"));
            }
            if lead.is_some() {
                parts.push(format!(
                    "SELECT r.kind, r.ref_id, r.light, COALESCE(r.due_at, {NO_LIMIT}) AS due_at FROM duty_records r WHERE r.lead_user_id = $1 AND r.phase IN {OPEN}"
                ));
            }
            if parts.is_empty() {
                "SELECT r.kind, r.ref_id, r.light, r.due_at FROM duty_records r WHERE 1 = 0".into()
            } else {
                parts.join(" UNION ")
            }
        }
    };
    let lead = match r {
        Resolved::Some { lead, .. } => *lead,
        Resolved::All => None,
    };
    (sql, lead)
}

/// How many open duties of each kind carry each light.
pub async fn counts(db: &Db, r: &Resolved) -> Result<Vec<KindLights>> {
    let (sql, lead) = match r {
        Resolved::All => (format!("SELECT kind, light, COUNT(*) AS n FROM duty_records WHERE phase IN {OPEN} GROUP BY kind, light ORDER BY kind, light"), None),
        _ => {
            let (k, lead) = keys(r);
            // DISTINCT counts a duty once however many of the caller's units see it.
            (format!("SELECT k.kind, k.light, COUNT(*) AS n FROM (SELECT DISTINCT kind, ref_id, light FROM ({k}) u) k GROUP BY k.kind, k.light ORDER BY k.kind, k.light"), lead)
        }
    };
    let mut q = sqlx::query(&sql);
    if let Some(l) = lead {
        q = q.bind(l);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter().map(|row| Ok(KindLights { kind: get_str(row, "kind")?, light: get_str(row, "light")?, n: get_i64(row, "n")? })).collect()
}

/// A page of the open duties a sight holds, soonest limit first.
pub async fn board(db: &Db, r: &Resolved, f: &BoardFilter) -> Result<Vec<BoardRow>> {
    let (k, lead) = keys(r);
    let mut args: Vec<String> = Vec::new();
    let mut n = usize::from(lead.is_some());
    let mut cond = vec!["1 = 1".to_string()];
    if let Some(kind) = f.kind.as_ref().filter(|s| !s.is_empty()) {
        n += 1;
        args.push(kind.clone());
        cond.push(format!("k.kind = ${n}"));
    }
    if let Some(l) = f.light.as_ref().filter(|s| !s.is_empty()) {
        n += 1;
        args.push(l.clone());
        cond.push(format!("k.light = ${n}"));
    }
    let mut after_binds: Option<(i64, String, i64)> = None;
    if let Some(a) = &f.after {
        let (d, kd, id) = (n + 1, n + 2, n + 3);
        cond.push(format!("(k.due_at > ${d} OR (k.due_at = ${d} AND (k.kind > ${kd} OR (k.kind = ${kd} AND k.ref_id > ${id}))))"));
        after_binds = Some(a.clone());
    }
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    let sql = format!(
        "SELECT r.kind, r.ref_id, r.owner_unit_id, r.state, r.phase, r.due_at, r.light, r.title, r.version, r.updated_at FROM ( \
           SELECT DISTINCT k.kind, k.ref_id, k.due_at FROM ({k}) k WHERE {} ORDER BY k.due_at, k.kind, k.ref_id LIMIT {limit} \
         ) p JOIN duty_records r ON r.kind = p.kind AND r.ref_id = p.ref_id ORDER BY p.due_at, p.kind, p.ref_id",
        cond.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    if let Some(l) = lead {
        q = q.bind(l);
    }
    for a in &args {
        q = q.bind(a.as_str());
    }
    if let Some((d, kd, id)) = &after_binds {
        q = q.bind(*d).bind(kd.as_str()).bind(*id);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter().map(record).collect()
}
