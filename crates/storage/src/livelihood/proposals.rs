//! Proposals as stored, each with its line in the record of duties (owner: the department that
//! assesses it, else the desk; the desk sees every one), its trail and audit rows; and the
//! citizens' ratings of chosen projects (one per phone key and project).

use super::bad;
use crate::duty::{self, trail, Line};
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::{Light, Workflow};
use luoshi_domain::livelihood::{Area, ProposalFlow, ProposalState, Source};
use luoshi_domain::money::Fen;
use serde_json::json;
use sqlx::any::AnyRow;

/// A proposal as stored, with the names the pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRow {
    pub id: i64,
    pub year: i64,
    pub source: Source,
    pub title: String,
    pub content: String,
    pub area: Area,
    pub place: String,
    /// Personal data: only the desk and the hotline see it.
    pub citizen_name: Option<String>,
    pub citizen_phone: Option<String>,
    pub proposer_user_id: Option<i64>,
    pub proposer_unit_id: Option<i64>,
    pub appeal_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub state: ProposalState,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub due_at: Option<i64>,
    /// The assessment as JSON (`luoshi_domain::livelihood::Assessment`).
    pub assessment: Option<String>,
    pub cost: Fen,
    pub county: Fen,
    pub reason: String,
    pub task_id: Option<i64>,
    pub rating: Option<String>,
    pub spent: Fen,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "p.id, p.year, p.source, p.title, p.content, p.area, p.place, p.citizen_name, p.citizen_phone, p.proposer_user_id, p.proposer_unit_id, \
     p.appeal_id, p.merged_into, p.state, p.unit_id, u.name AS unit_name, p.due_at, p.assessment, p.cost_fen, p.county_fen, p.reason, p.task_id, p.rating, \
     p.spent_fen, p.version, p.created_at, p.updated_at FROM livelihood_proposals p LEFT JOIN units u ON u.id = p.unit_id";

fn row(r: &AnyRow) -> Result<ProposalRow> {
    Ok(ProposalRow {
        id: get_i64(r, "id")?,
        year: get_i64(r, "year")?,
        source: Source::parse(&get_str(r, "source")?).ok_or_else(|| bad("proposal source"))?,
        title: get_str(r, "title")?,
        content: get_str(r, "content")?,
        area: Area::parse(&get_str(r, "area")?).ok_or_else(|| bad("proposal area"))?,
        place: get_str(r, "place")?,
        citizen_name: get_opt_str(r, "citizen_name")?,
        citizen_phone: get_opt_str(r, "citizen_phone")?,
        proposer_user_id: get_opt_i64(r, "proposer_user_id")?,
        proposer_unit_id: get_opt_i64(r, "proposer_unit_id")?,
        appeal_id: get_opt_i64(r, "appeal_id")?,
        merged_into: get_opt_i64(r, "merged_into")?,
        state: ProposalState::parse(&get_str(r, "state")?).ok_or_else(|| bad("proposal state"))?,
        unit_id: get_opt_i64(r, "unit_id")?,
        unit_name: get_opt_str(r, "unit_name")?,
        due_at: get_opt_i64(r, "due_at")?,
        assessment: get_opt_str(r, "assessment")?,
        cost: Fen(get_i64(r, "cost_fen")?),
        county: Fen(get_i64(r, "county_fen")?),
        reason: get_str(r, "reason")?,
        task_id: get_opt_i64(r, "task_id")?,
        rating: get_opt_str(r, "rating")?,
        spent: Fen(get_i64(r, "spent_fen")?),
        version: get_i64(r, "version")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<ProposalRow>> {
    sqlx::query(&format!("SELECT {COLS} WHERE p.id = $1")).bind(id).fetch_optional(db.pool()).await?.as_ref().map(row).transpose()
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub year: Option<i64>,
    pub states: Vec<ProposalState>,
    /// Only these proposers' (a deputy's own), or this unit's to assess.
    pub proposer_user_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub appeal_id: Option<i64>,
    /// A unit's people: what their unit assesses, what they proposed, and what is published.
    pub seen_by: Option<(i64, i64)>,
    /// Keyset paging: ids below this one.
    pub before_id: Option<i64>,
    pub limit: i64,
}

fn filter_sql(f: &Filter) -> String {
    let mut sql = String::from(" WHERE 1 = 1");
    if let Some(y) = f.year {
        sql.push_str(&format!(" AND p.year = {y}"));
    }
    if !f.states.is_empty() {
        let s: Vec<String> = f.states.iter().map(|s| format!("'{}'", s.as_str())).collect();
        sql.push_str(&format!(" AND p.state IN ({})", s.join(", ")));
    }
    if let Some(u) = f.proposer_user_id {
        sql.push_str(&format!(" AND p.proposer_user_id = {u}"));
    }
    if let Some(u) = f.unit_id {
        sql.push_str(&format!(" AND p.unit_id = {u}"));
    }
    if let Some(a) = f.appeal_id {
        sql.push_str(&format!(" AND p.appeal_id = {a}"));
    }
    if let Some((unit, user)) = f.seen_by {
        sql.push_str(&format!(" AND (p.unit_id = {unit} OR p.proposer_user_id = {user} OR p.state IN ('candidate', 'chosen', 'not_chosen'))"));
    }
    if let Some(b) = f.before_id {
        sql.push_str(&format!(" AND p.id < {b}"));
    }
    sql
}

/// Proposals by the filter, newest first (at most `limit`, 5,000 at most).
pub async fn list(db: &Db, f: &Filter) -> Result<Vec<ProposalRow>> {
    let sql = format!("SELECT {COLS}{} ORDER BY p.id DESC LIMIT {}", filter_sql(f), f.limit.clamp(1, 5000));
    sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// How many proposals of the filter (its states and paging left out) are in each state.
pub async fn counts(db: &Db, f: &Filter) -> Result<Vec<(ProposalState, i64)>> {
    let f = Filter { states: Vec::new(), before_id: None, ..f.clone() };
    let sql = format!("SELECT p.state, CAST(COUNT(*) AS BIGINT) AS n FROM livelihood_proposals p{} GROUP BY p.state", filter_sql(&f));
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((ProposalState::parse(&get_str(r, "state")?).ok_or_else(|| bad("proposal state"))?, get_i64(r, "n")?))).collect()
}

/// A proposal to record.
#[derive(Debug, Clone)]
pub struct NewRow<'a> {
    pub year: i64,
    pub source: Source,
    pub p: &'a luoshi_domain::livelihood::NewProposal,
    pub proposer_user_id: Option<i64>,
    pub proposer_unit_id: Option<i64>,
    pub appeal_id: Option<i64>,
    /// The screening desk (owner of the line until a department assesses it).
    pub desk_unit_id: i64,
    /// 已征集, or 储备库 for one made outside the collection period.
    pub state: ProposalState,
}

/// Record a proposal (state 已征集) with its line, trail and audit row; its id.
pub async fn insert(tx: &mut WriteTx, actor: &Actor, n: &NewRow<'_>, now: i64) -> Result<i64> {
    let r = sqlx::query(
        "INSERT INTO livelihood_proposals (year, source, title, content, area, place, citizen_name, citizen_phone, proposer_user_id, proposer_unit_id, appeal_id, \
         state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(n.year)
    .bind(n.source.as_str())
    .bind(&n.p.title)
    .bind(&n.p.content)
    .bind(n.p.area.as_str())
    .bind(n.p.place.clone().unwrap_or_default())
    .bind(&n.p.name)
    .bind(&n.p.phone)
    .bind(n.proposer_user_id)
    .bind(n.proposer_unit_id)
    .bind(n.appeal_id)
    .bind(n.state.as_str())
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&r, "id")?;
    let line = Line::of::<ProposalFlow>(id, n.state, Some(n.p.title.as_str()), now).owner(Some(n.desk_unit_id));
    duty::put(tx, &line, None).await?;
    trail::append(tx, &[trail::Entry::step(ProposalFlow::KIND, id, now, &actor.name, "submit", None, n.state.as_str(), None)]).await?;
    // The audit row names the source, never the citizen's contact data.
    let after = json!({ "year": n.year, "source": n.source.as_str(), "title": n.p.title, "area": n.p.area.as_str(), "appeal_id": n.appeal_id });
    tx.audit(actor, "livelihood.proposal.submit", "livelihood_proposal", &id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

/// A change of a proposal: its new state and what the action set.
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    pub action: &'a str,
    pub unit_id: Option<i64>,
    pub due_at: Option<i64>,
    pub assessment: Option<String>,
    pub cost: Option<Fen>,
    pub county: Option<Fen>,
    pub reason: Option<&'a str>,
    pub merged_into: Option<i64>,
    pub rating: Option<&'a str>,
}

/// Save an action on a proposal (refused with `conflict` if its version moved on): the row, its
/// line (owner the department once assigned; the desk sees it too), trail and audit row.
#[expect(clippy::too_many_arguments, reason = "the change and the line it shows")]
pub async fn save(
    tx: &mut WriteTx,
    actor: &Actor,
    before: &ProposalRow,
    after: ProposalState,
    c: &Change<'_>,
    desk_unit_id: i64,
    light: Light,
    now: i64,
) -> Result<()> {
    let unit = c.unit_id.or(before.unit_id);
    let due = if c.due_at.is_some() { c.due_at } else { before.due_at };
    let done = sqlx::query(
        "UPDATE livelihood_proposals SET state = $1, unit_id = $2, due_at = $3, assessment = COALESCE($4, assessment), cost_fen = COALESCE($5, cost_fen), \
         county_fen = COALESCE($6, county_fen), reason = COALESCE($7, reason), merged_into = COALESCE($8, merged_into), rating = COALESCE($9, rating), \
         version = version + 1, updated_at = $10 WHERE id = $11 AND version = $12",
    )
    .bind(after.as_str())
    .bind(unit)
    .bind(due)
    .bind(&c.assessment)
    .bind(c.cost.map(|f| f.0))
    .bind(c.county.map(|f| f.0))
    .bind(c.reason)
    .bind(c.merged_into)
    .bind(c.rating)
    .bind(now)
    .bind(before.id)
    .bind(before.version)
    .execute(tx.conn())
    .await?;
    crate::moved_on(&done)?;
    let co = [desk_unit_id];
    // The core's ladder reads the line: a limit only while the department's clock runs.
    let line_due = if ProposalFlow::clock_runs(after) { due } else { None };
    let line = Line::of::<ProposalFlow>(before.id, after, Some(before.title.as_str()), now)
        .owner(unit.or(Some(desk_unit_id)))
        .co_units(&co)
        .due(line_due, light)
        .grade(c.rating);
    duty::put(tx, &line, None).await?;
    trail::append(tx, &[trail::Entry::step(ProposalFlow::KIND, before.id, now, &actor.name, c.action, Some(before.state.as_str()), after.as_str(), c.reason)])
        .await?;
    let b = json!({ "state": before.state.as_str(), "unit_id": before.unit_id });
    let a = json!({ "state": after.as_str(), "unit_id": unit, "cost_fen": c.cost.map(|f| f.0), "county_fen": c.county.map(|f| f.0), "reason": c.reason, "merged_into": c.merged_into, "rating": c.rating });
    tx.audit(actor, &format!("livelihood.{}", c.action), "livelihood_proposal", &before.id.to_string(), Some(&b), Some(&a)).await?;
    Ok(())
}

/// Link a chosen project to the task that delivers it (once).
pub async fn set_task(tx: &mut WriteTx, actor: &Actor, id: i64, task_id: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE livelihood_proposals SET task_id = $1 WHERE id = $2 AND task_id IS NULL").bind(task_id).bind(id).execute(tx.conn()).await?;
    if done.rows_affected() > 0 {
        tx.audit(actor, "livelihood.deliver", "livelihood_proposal", &id.to_string(), None, Some(&json!({ "task_id": task_id }))).await?;
    }
    Ok(done.rows_affected() > 0)
}

/// Record money spent on a chosen project (the running total).
pub async fn set_spent(tx: &mut WriteTx, actor: &Actor, id: i64, spent: Fen, now: i64) -> Result<()> {
    sqlx::query("UPDATE livelihood_proposals SET spent_fen = $1, updated_at = $2 WHERE id = $3").bind(spent.0).bind(now).bind(id).execute(tx.conn()).await?;
    tx.audit(actor, "livelihood.spent", "livelihood_proposal", &id.to_string(), None, Some(&json!({ "spent_fen": spent.0 }))).await?;
    Ok(())
}

/// Chosen projects not yet delivered as a task.
pub async fn undelivered(db: &Db) -> Result<Vec<ProposalRow>> {
    sqlx::query(&format!("SELECT {COLS} WHERE p.state = 'chosen' AND p.task_id IS NULL ORDER BY p.id")).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// A citizen's rating of a chosen project, once per phone key: false when that phone already rated it.
pub async fn rate_public(tx: &mut WriteTx, actor: &Actor, id: i64, phone_key: &str, rating: &str, now: i64) -> Result<bool> {
    let r = sqlx::query("INSERT INTO livelihood_public_ratings (proposal_id, phone_key, rating, at) VALUES ($1, $2, $3, $4) ON CONFLICT (proposal_id, phone_key) DO NOTHING RETURNING proposal_id")
        .bind(id)
        .bind(phone_key)
        .bind(rating)
        .bind(now)
        .fetch_optional(tx.conn())
        .await?;
    if r.is_none() {
        return Ok(false);
    }
    tx.audit(actor, "livelihood.public_rating", "livelihood_proposal", &id.to_string(), None, Some(&json!({ "rating": rating }))).await?;
    Ok(true)
}

/// Citizens' ratings by project: (id, satisfied, basic, unsatisfied).
pub async fn public_ratings(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT proposal_id, CAST(SUM(CASE WHEN rating = 'satisfied' THEN 1 ELSE 0 END) AS BIGINT) AS s, CAST(SUM(CASE WHEN rating = 'basic' THEN 1 ELSE 0 END) AS BIGINT) AS b, \
         CAST(SUM(CASE WHEN rating = 'unsatisfied' THEN 1 ELSE 0 END) AS BIGINT) AS u FROM livelihood_public_ratings WHERE proposal_id IN ({}) GROUP BY proposal_id",
        list.join(", ")
    );
    sqlx::query(&sql)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((get_i64(r, "proposal_id")?, get_opt_i64(r, "s")?.unwrap_or(0), get_opt_i64(r, "b")?.unwrap_or(0), get_opt_i64(r, "u")?.unwrap_or(0))))
        .collect()
}
