//! The project ledger (项目台账): filters by stage, light, township, industry, leader and lead
//! unit inside the caller's sight, keyset-paged by id; counts by stage and light; the stage log
//! and annual plans of every project (for the bottleneck report, the KPIs and the export).

use super::{project, stage_of, Project, COLS, FROM};
use crate::duty::Resolved;
use crate::{get_i64, get_opt_str, get_str, Db, Result};
use luoshi_domain::projects::{Stage, Yuan};
use std::collections::HashMap;

/// The ledger's filters.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub light: Option<String>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub township_id: Option<i64>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub leader_user_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub lead_unit_id: Option<i64>,
    /// Words in the name, investor or code.
    #[serde(default)]
    pub q: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The WHERE clause of a filter in a sight, with its binds (texts and integers in order).
fn clause(r: &Resolved, f: &Filter, first: usize) -> (String, Vec<Bind>) {
    let mut parts = vec!["1 = 1".to_string()];
    let mut binds = Vec::new();
    let mut n = first;
    let mut next = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        n += 1;
        format!("${}", n - 1)
    };
    if let Resolved::Some { units, lead } = r {
        let ids: Vec<String> = units.iter().map(i64::to_string).collect();
        let mut any = Vec::new();
        if !ids.is_empty() {
            any.push(format!("p.lead_unit_id IN ({0}) OR p.township_id IN ({0})", ids.join(", ")));
        }
        if let Some(l) = lead {
            any.push(format!("p.leader_user_id = {l}"));
        }
        parts.push(if any.is_empty() { "1 = 0".into() } else { format!("({})", any.join(" OR ")) });
    }
    if let Some(s) = nonempty(&f.stage) {
        let p = next(Bind::Text(s.to_string()), &mut binds);
        parts.push(format!("p.stage = {p}"));
    }
    if let Some(s) = nonempty(&f.light) {
        let p = next(Bind::Text(s.to_string()), &mut binds);
        parts.push(format!("p.light = {p}"));
    }
    if let Some(s) = nonempty(&f.industry) {
        let p = next(Bind::Text(s.to_string()), &mut binds);
        parts.push(format!("p.industry = {p}"));
    }
    for (col, v) in [("p.township_id", f.township_id), ("p.leader_user_id", f.leader_user_id), ("p.lead_unit_id", f.lead_unit_id)] {
        if let Some(v) = v {
            let p = next(Bind::Int(v), &mut binds);
            parts.push(format!("{col} = {p}"));
        }
    }
    if let Some(q) = nonempty(&f.q) {
        let like = format!("%{}%", q.replace(['%', '_'], ""));
        let p = next(Bind::Text(like), &mut binds);
        parts.push(format!("(p.name LIKE {p} OR p.investor LIKE {p} OR p.code LIKE {p})"));
    }
    (parts.join(" AND "), binds)
}

#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

/// A page of the ledger after `after` (an id), in id order.
pub async fn page(db: &Db, r: &Resolved, f: &Filter, after: i64, limit: i64) -> Result<Vec<Project>> {
    let (cond, binds) = clause(r, f, 3);
    let sql = format!("SELECT {COLS} {FROM} WHERE p.id > $1 AND {cond} ORDER BY p.id LIMIT $2");
    let q = sqlx::query(&sql).bind(after).bind(limit);
    let rows = bind_all(q, &binds).fetch_all(db.pool()).await?;
    rows.iter().map(project).collect()
}

/// Counts of the filtered ledger by stage and by light.
pub async fn counts(db: &Db, r: &Resolved, f: &Filter) -> Result<(Vec<(String, i64)>, Vec<(String, i64)>)> {
    let (cond, binds) = clause(r, f, 1);
    let mut out = (Vec::new(), Vec::new());
    for (col, slot) in [("stage", 0), ("light", 1)] {
        let sql = format!("SELECT p.{col} AS k, COUNT(*) AS n FROM projects p WHERE {cond} GROUP BY p.{col}");
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?;
        let v = rows.iter().map(|r| Ok((get_str(r, "k")?, get_i64(r, "n")?))).collect::<Result<Vec<_>>>()?;
        if slot == 0 {
            out.0 = v;
        } else {
            out.1 = v;
        }
    }
    Ok(out)
}

/// Every project of the ledger in the sight (for the export, the KPIs and the leader's view).
pub async fn all(db: &Db, r: &Resolved, f: &Filter) -> Result<Vec<Project>> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = page(db, r, f, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        out.extend(page);
    }
    Ok(out)
}

/// Every stay in a pipeline stage: (project, template, stage, entered_on, left_on).
pub async fn stage_stays(db: &Db) -> Result<Vec<(i64, String, Stage, String, Option<String>)>> {
    let rows = sqlx::query("SELECT s.project_id, p.template, s.stage, s.entered_on, s.left_on FROM project_stages s JOIN projects p ON p.id = s.project_id")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok((get_i64(r, "project_id")?, get_str(r, "template")?, stage_of(&get_str(r, "stage")?)?, get_str(r, "entered_on")?, get_opt_str(r, "left_on")?))
        })
        .collect()
}

/// Every project's planned investment for a year.
pub async fn plans(db: &Db, year: i32) -> Result<HashMap<i64, Yuan>> {
    let rows = sqlx::query("SELECT project_id, planned_yuan FROM project_plans WHERE year = $1").bind(i64::from(year)).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "project_id")?, Yuan(get_i64(r, "planned_yuan")?)))).collect()
}

/// Every project's funds in place and planned, summed over its sources.
pub async fn funds(db: &Db) -> Result<HashMap<i64, (Yuan, Yuan)>> {
    let rows = sqlx::query("SELECT project_id, CAST(SUM(planned_yuan) AS BIGINT) AS planned, CAST(SUM(in_place_yuan) AS BIGINT) AS in_place FROM project_funds GROUP BY project_id")
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok((get_i64(r, "project_id")?, (Yuan(get_i64(r, "planned")?), Yuan(get_i64(r, "in_place")?))))).collect()
}
