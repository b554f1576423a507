//! What a caller sees of tasks: visibility resolved to units, the board, light counts, the
//! inbox, read from `duty_sight`.

use super::*;
use crate::{get_i64, get_str, Db, Result, WriteTx};
use luoshi_domain::access::Sight;
use luoshi_domain::duty::Light;
use luoshi_domain::tasks::CoRole;
use luoshi_domain::DomainError;

#[derive(Debug, Clone)]
pub(super) enum Bind {
    I(i64),
    S(String),
}

pub(super) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(*i),
            Bind::S(s) => q.bind(s.as_str()),
        };
    }
    q
}

/// Who sees which tasks: the core's one definition ([`Sight`]), resolved once per query.
pub(super) use crate::duty::Resolved;

pub(super) async fn resolve(db: &Db, sight: &Sight) -> Result<Resolved> {
    crate::duty::resolve(db, sight).await
}

/// The unit ids of a resolved sight as literals (integers read from the database).
fn id_list(units: &[i64]) -> String {
    units.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// A SQL condition on `d` (duties), appending its parameters: the tasks the units see, or
/// that the leader leads.
pub(super) fn condition(vis: &Resolved, binds: &mut Vec<Bind>) -> String {
    match vis {
        Resolved::All => "1 = 1".into(),
        Resolved::Some { units, lead } => {
            let mut parts = Vec::new();
            if !units.is_empty() {
                // The task's own owner and co-units (what its sight rows say), so the condition
                // never joins the tasks to the distributed sight under an OR (Citus refuses that).
                let ids = id_list(units);
                parts.push(format!("(d.owner_unit_id IN ({ids}) OR d.id IN (SELECT du.duty_id FROM duty_units du WHERE du.unit_id IN ({ids})))"));
            }
            if let Some(l) = lead {
                binds.push(Bind::I(*l));
                parts.push(format!("d.lead_leader_id = ${}", binds.len()));
            }
            if parts.is_empty() {
                "1 = 0".into()
            } else {
                format!("({})", parts.join(" OR "))
            }
        }
    }
}

/// Filters of the supervisor's board.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    pub light: Option<String>,
    pub unit_id: Option<i64>,
    pub directive_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub term: Option<String>,
    pub state: Option<String>,
    /// Only open duties (not closed, not drafts).
    #[serde(default)]
    pub open: bool,
    /// Keyset paging: the last (deadline, id) of the previous page.
    pub after_deadline: Option<String>,
    pub after_id: Option<i64>,
    pub limit: Option<i64>,
}

pub(super) fn filter_sql(vis: &Resolved, f: &Filter, binds: &mut Vec<Bind>, with_light: bool) -> String {
    let mut conds = vec![condition(vis, binds)];
    let mut push = |binds: &mut Vec<Bind>, b: Bind, tmpl: &str| {
        binds.push(b);
        conds.push(tmpl.replace('?', &format!("${}", binds.len())));
    };
    if with_light {
        if let Some(l) = f.light.as_ref().filter(|l| !l.is_empty()) {
            push(binds, Bind::S(l.clone()), "d.light = ?");
        }
    }
    if let Some(u) = f.unit_id {
        // The lead unit or a co-unit: the unit's sight holds the duty.
        // From the task's own owner and co-units, never a correlated look into the distributed sight.
        // ('?' is the one parameter, used twice.)
        push(binds, Bind::I(u), "(d.owner_unit_id = ? OR EXISTS (SELECT 1 FROM duty_units du WHERE du.unit_id = ? AND du.duty_id = d.id))");
    }
    if let Some(dir) = f.directive_id {
        push(binds, Bind::I(dir), "d.directive_id = ?");
    }
    if let Some(l) = f.leader_id {
        push(binds, Bind::I(l), "d.lead_leader_id = ?");
    }
    if let Some(t) = f.term.as_ref().filter(|t| !t.is_empty()) {
        push(binds, Bind::S(t.clone()), "d.term = ?");
    }
    if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) {
        push(binds, Bind::S(s.clone()), "d.state = ?");
    }
    if f.open {
        conds.push("d.state NOT IN ('closed', 'draft')".into());
    }
    conds.join(" AND ")
}

/// One page of duties, soonest deadline first, keyset-paged.
pub async fn list(db: &Db, vis: &Sight, f: &Filter) -> Result<Vec<Duty>> {
    list_resolved(db, &resolve(db, vis).await?, f).await
}

/// The board: one page and the count of each light, with the caller's visibility resolved once.
pub async fn board(db: &Db, vis: &Sight, f: &Filter) -> Result<(Vec<Duty>, Vec<(Light, i64)>)> {
    let resolved = resolve(db, vis).await?;
    Ok((list_resolved(db, &resolved, f).await?, counts_resolved(db, &resolved, f).await?))
}

/// The units whose sight alone answers a query: a unit caller whose filters touch only what
/// `duty_sight` carries (light, state, openness, the due date of keyset paging).
pub(super) fn sight_units(vis: &Resolved, f: &Filter) -> Option<String> {
    match vis {
        Resolved::Some { units, lead: None }
            if !units.is_empty() && f.unit_id.is_none() && f.directive_id.is_none() && f.leader_id.is_none() && f.term.as_deref().is_none_or(str::is_empty) =>
        {
            Some(id_list(units))
        }
        _ => None,
    }
}

/// The condition on `s` (duty_sight) for a unit caller's filters.
pub(super) fn sight_filter(ids: &str, f: &Filter, binds: &mut Vec<Bind>, with_light: bool) -> String {
    let mut conds = vec![format!("s.unit_id IN ({ids}) AND s.kind = 'task'")];
    if with_light {
        if let Some(l) = f.light.as_ref().filter(|l| !l.is_empty()) {
            binds.push(Bind::S(l.clone()));
            conds.push(format!("s.light = ${}", binds.len()));
        }
    }
    if let Some(st) = f.state.as_ref().filter(|s| !s.is_empty()) {
        binds.push(Bind::S(st.clone()));
        conds.push(format!("s.state = ${}", binds.len()));
    }
    if f.open {
        conds.push("s.state NOT IN ('closed', 'draft')".into());
    }
    conds.join(" AND ")
}

/// Keyset paging after (due, id) on the sight, whose limit is in µs.
fn after_sight(f: &Filter, binds: &mut Vec<Bind>) -> String {
    let (Some(dl), Some(after)) = (&f.after_deadline, f.after_id) else { return String::new() };
    binds.push(Bind::I(super::write::due_at(dl).unwrap_or(crate::duty::NO_LIMIT)));
    let a = binds.len();
    binds.push(Bind::I(after));
    let b = binds.len();
    format!(" AND (s.due_at > ${a} OR (s.due_at = ${a} AND s.ref_id > ${b}))")
}

/// Keyset paging after (due, id), on the given columns.
pub(super) fn after_sql(f: &Filter, binds: &mut Vec<Bind>, due: &str, id: &str) -> String {
    let (Some(dl), Some(after)) = (&f.after_deadline, f.after_id) else { return String::new() };
    binds.push(Bind::S(dl.clone()));
    let a = binds.len();
    binds.push(Bind::I(after));
    let b = binds.len();
    format!(" AND ({due} > ${a} OR ({due} = ${a} AND {id} > ${b}))")
}

pub(super) async fn list_resolved(db: &Db, vis: &Resolved, f: &Filter) -> Result<Vec<Duty>> {
    let mut binds = Vec::new();
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    // The page is chosen on one narrow table (a unit's sight, or the duties in due order),
    // then joined for its fifty rows.
    let page = match sight_units(vis, f) {
        Some(ids) => {
            let mut cond = sight_filter(&ids, f, &mut binds, true);
            cond.push_str(&after_sight(f, &mut binds));
            format!("SELECT DISTINCT s.ref_id AS id, s.due_at FROM duty_sight s WHERE {cond} ORDER BY s.due_at, s.ref_id LIMIT {limit}")
        }
        None => {
            let mut cond = filter_sql(vis, f, &mut binds, true);
            cond.push_str(&after_sql(f, &mut binds, "d.due", "d.id"));
            format!("SELECT d.id FROM duties d WHERE {cond} ORDER BY d.due, d.id LIMIT {limit}")
        }
    };
    let sql = format!(
        "SELECT {DUTY_COLS} FROM ({page}) page \
         JOIN duties d ON d.id = page.id JOIN units ou ON ou.id = d.owner_unit_id LEFT JOIN users lu ON lu.id = d.lead_leader_id ORDER BY d.due, d.id"
    );
    let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?;
    rows.iter().map(duty).collect()
}

/// How many duties carry each light under the same filters (the light filter itself ignored).
pub async fn light_counts(db: &Db, vis: &Sight, f: &Filter) -> Result<Vec<(Light, i64)>> {
    counts_resolved(db, &resolve(db, vis).await?, f).await
}

pub(super) async fn counts_resolved(db: &Db, vis: &Resolved, f: &Filter) -> Result<Vec<(Light, i64)>> {
    let unfiltered = matches!(vis, Resolved::All)
        && f.unit_id.is_none()
        && f.directive_id.is_none()
        && f.leader_id.is_none()
        && f.term.is_none()
        && f.state.is_none()
        && !f.open;
    if unfiltered {
        // Everything: from the node's mirror of the duty counters (each record stands in one
        // "now" bucket with its light), not by counting a city's records.
        let counted = crate::duty::figures::lights_now(db, "task").await?;
        let mut out: Vec<(Light, i64)> = Light::ALL.iter().map(|l| (*l, 0)).collect();
        for (l, n) in counted {
            if let Some(e) = Light::parse(&l).and_then(|l| out.iter_mut().find(|(x, _)| *x == l)) {
                e.1 = n;
            }
        }
        return Ok(out);
    }
    let rows = if let Some(ids) = sight_units(vis, f) {
        // A unit: its sight, each duty once even when several of its units see it.
        let mut binds = Vec::new();
        let cond = sight_filter(&ids, f, &mut binds, false);
        let sql = format!("SELECT x.light AS light, COUNT(*) AS n FROM (SELECT DISTINCT s.light, s.ref_id FROM duty_sight s WHERE {cond}) x GROUP BY x.light");
        bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?
    } else {
        let mut binds = Vec::new();
        let cond = filter_sql(vis, f, &mut binds, false);
        let sql = format!("SELECT d.light AS light, COUNT(*) AS n FROM duties d WHERE {cond} GROUP BY d.light");
        bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?
    };
    let mut out: Vec<(Light, i64)> = Light::ALL.iter().map(|l| (*l, 0)).collect();
    for r in &rows {
        if let Some(l) = Light::parse(&get_str(r, "light")?) {
            if let Some(e) = out.iter_mut().find(|(x, _)| *x == l) {
                e.1 = get_i64(r, "n")?;
            }
        }
    }
    Ok(out)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Duty>> {
    let row = sqlx::query(&format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(duty).transpose()
}

pub(super) async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Duty> {
    let row = sqlx::query(&format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(duty).transpose()?.ok_or_else(|| DomainError::not_found("task").into())
}

/// May a caller with this visibility see the duty?
pub async fn visible(db: &Db, vis: &Sight, id: i64) -> Result<bool> {
    let vis = resolve(db, vis).await?;
    let mut binds = vec![Bind::I(id)];
    let cond = condition(&vis, &mut binds);
    let sql = format!("SELECT d.id FROM duties d WHERE d.id = $1 AND {cond}");
    Ok(bind_all(sqlx::query(&sql), &binds).fetch_optional(db.pool()).await?.is_some())
}

pub async fn count(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM duties").fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}

/// Tasks of a directive in order, for the ledger export and the directive page.
pub async fn of_directive(db: &Db, directive_id: i64, vis: &Sight) -> Result<Vec<Duty>> {
    let vis = resolve(db, vis).await?;
    let mut binds = vec![Bind::I(directive_id)];
    let cond = condition(&vis, &mut binds);
    let sql = format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.directive_id = $1 AND {cond} ORDER BY d.id");
    let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?;
    rows.iter().map(duty).collect()
}

/// Co-unit names of many duties: (duty id, role, unit name).
pub async fn co_unit_names(db: &Db, ids: &[i64]) -> Result<Vec<(i64, CoRole, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = sqlx::query(&format!(
        "SELECT du.duty_id, du.role, u.name FROM duty_units du JOIN units u ON u.id = du.unit_id WHERE du.duty_id IN ({list}) ORDER BY du.duty_id, u.id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((get_i64(r, "duty_id")?, CoRole::parse(&get_str(r, "role")?).ok_or_else(|| DomainError::invalid("role"))?, get_str(r, "name")?)))
        .collect()
}
