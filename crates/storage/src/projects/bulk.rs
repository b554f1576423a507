//! Bulk loading for `bench seed`: projects with their stage log and annual plan, and their
//! approval items with their visits, in batches; each project and item with its line in the
//! record of duties and its sight, one audit row per batch.

use crate::duty::{self, Line};
use crate::{get_i64, Actor, Db, Result};
use luoshi_domain::duty::Light;
use luoshi_domain::projects::{ApprovalFlow, ApprovalState, ProjectFlow, Stage};

/// An approval item to load as it stands, with its visits (start day, end day, how it ended).
#[derive(Debug, Clone)]
pub struct SeedItem {
    pub stage: i64,
    pub item: String,
    pub name: String,
    pub unit_id: i64,
    pub limit_days: i64,
    pub state: ApprovalState,
    pub due_at: Option<i64>,
    pub visits: Vec<(String, Option<String>, Option<&'static str>)>,
}

/// A project to load as it stands.
#[derive(Debug, Clone)]
pub struct SeedProject {
    pub name: String,
    pub code: String,
    pub industry: &'static str,
    pub investment: &'static str,
    pub route: &'static str,
    pub template: &'static str,
    pub total_yuan: i64,
    pub township_id: Option<i64>,
    pub leader_user_id: Option<i64>,
    pub lead_unit_id: i64,
    pub stage: Stage,
    pub planned_start_on: String,
    pub light: Light,
    pub due_at: Option<i64>,
    pub plan_yuan: i64,
    pub year: i64,
    /// (stage, entered, left).
    pub stays: Vec<(Stage, String, Option<String>)>,
    pub items: Vec<SeedItem>,
}

/// Insert a batch of projects and their items in one transaction.
pub async fn insert_projects(db: &Db, actor: &Actor, rows: &[SeedProject], now: i64) -> Result<()> {
    let b = db.backend();
    let mut tx = db.begin_write().await?;
    let before = get_i64(&sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM projects").fetch_one(tx.conn()).await?, "m")?;
    for chunk in rows.chunks(200) {
        let sql = format!(
            "INSERT INTO projects (code, name, investor, investment, route, template, industry, total_yuan, township_id, leader_user_id, lead_unit_id, stage, reached, \
             stage_since, planned_start_on, in_library, light, created_at, updated_at) VALUES {}",
            crate::values(b, chunk.len(), 19)
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            let since = p.stays.last().map(|s| s.1.clone()).unwrap_or_default();
            q = q.bind(&p.code).bind(&p.name).bind("压测投资有限公司").bind(p.investment).bind(p.route).bind(p.template).bind(p.industry).bind(p.total_yuan);
            q = q.bind(p.township_id).bind(p.leader_user_id).bind(p.lead_unit_id).bind(p.stage.as_str()).bind(p.stage.as_str()).bind(since);
            q = q.bind(&p.planned_start_on).bind(1_i64).bind(p.light.as_str()).bind(now).bind(now);
        }
        q.execute(tx.conn()).await?;
    }
    let ids: Vec<i64> = sqlx::query("SELECT id FROM projects WHERE id > $1 ORDER BY id")
        .bind(before)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| get_i64(r, "id"))
        .collect::<Result<_>>()?;
    let mut stays = Vec::new();
    let mut plans = Vec::new();
    for (id, p) in ids.iter().zip(rows) {
        for (seq, s) in p.stays.iter().enumerate() {
            stays.push((*id, seq as i64 + 1, s));
        }
        plans.push((*id, p.year, p.plan_yuan));
    }
    for chunk in stays.chunks(400) {
        let sql = format!("INSERT INTO project_stages (project_id, seq, stage, entered_on, left_on, actor, at) VALUES {}", crate::values(b, chunk.len(), 7));
        let mut q = sqlx::query(&sql);
        for (id, seq, (stage, from, to)) in chunk {
            q = q.bind(*id).bind(*seq).bind(stage.as_str()).bind(from).bind(to).bind(&actor.name).bind(now);
        }
        q.execute(tx.conn()).await?;
    }
    let lines: Vec<Line<'_>> = ids
        .iter()
        .zip(rows)
        .map(|(id, p)| {
            Line::of::<ProjectFlow>(*id, p.stage, Some(p.name.as_str()), now)
                .owner(Some(p.lead_unit_id))
                .co_units(p.township_id.as_slice())
                .lead(p.leader_user_id)
                .due(p.due_at, p.light)
        })
        .collect();
    duty::insert_many(&mut tx, &lines).await?;
    for chunk in plans.chunks(400) {
        let sql = format!("INSERT INTO project_plans (project_id, year, planned_yuan) VALUES {}", crate::values(b, chunk.len(), 3));
        let mut q = sqlx::query(&sql);
        for (id, year, plan) in chunk {
            q = q.bind(*id).bind(*year).bind(*plan);
        }
        q.execute(tx.conn()).await?;
    }
    // The plans as amounts on the lines just put (the cockpit's investment against plan).
    let years: Vec<String> = plans.iter().map(|(_, y, _)| y.to_string()).collect();
    let amounts: Vec<duty::amounts::Amount<'_>> =
        plans.iter().zip(&years).map(|((id, _, plan), y)| duty::amounts::Amount { ref_id: *id, period: y, measure: "planned", value: *plan }).collect();
    duty::amounts::set_many(&mut tx, <ProjectFlow as luoshi_domain::duty::Workflow>::KIND, &amounts).await?;
    // The items, each with its project's id, then their visits.
    let items: Vec<(i64, i64, &SeedProject, &SeedItem)> =
        ids.iter().zip(rows).flat_map(|(id, p)| p.items.iter().enumerate().map(move |(k, it)| (*id, k as i64 + 1, p, it))).collect();
    let first = get_i64(&sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM project_approvals").fetch_one(tx.conn()).await?, "m")?;
    for chunk in items.chunks(400) {
        let sql = format!(
            "INSERT INTO project_approvals (project_id, seq, stage, item, name, unit_id, limit_days, extension_days, state, visits, due_at, updated_at) VALUES {}",
            crate::values(b, chunk.len(), 12)
        );
        let mut q = sqlx::query(&sql);
        for (pid, seq, _, it) in chunk {
            q = q.bind(*pid).bind(*seq).bind(it.stage).bind(&it.item).bind(&it.name).bind(it.unit_id).bind(it.limit_days).bind(0_i64);
            q = q.bind(it.state.as_str()).bind(it.visits.len() as i64).bind(it.due_at).bind(now);
        }
        q.execute(tx.conn()).await?;
    }
    let item_ids: Vec<i64> = sqlx::query("SELECT id FROM project_approvals WHERE id > $1 ORDER BY id")
        .bind(first)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| get_i64(r, "id"))
        .collect::<Result<_>>()?;
    let mut visits = Vec::new();
    for (aid, (pid, _, p, it)) in item_ids.iter().zip(&items) {
        for (k, v) in it.visits.iter().enumerate() {
            visits.push((*aid, k as i64 + 1, *pid, p.template, *it, v));
        }
    }
    for chunk in visits.chunks(300) {
        let sql = format!(
            "INSERT INTO approval_visits (approval_id, visit, project_id, template, stage, item, unit_id, started_at, started_on, ended_at, ended_on, ended_by) VALUES {}",
            crate::values(b, chunk.len(), 12)
        );
        let mut q = sqlx::query(&sql);
        for (aid, k, pid, template, it, (from, to, how)) in chunk {
            q = q.bind(*aid).bind(*k).bind(*pid).bind(*template).bind(it.stage).bind(&it.item).bind(it.unit_id).bind(now).bind(from);
            q = q.bind(to.as_ref().map(|_| now)).bind(to).bind(*how);
        }
        q.execute(tx.conn()).await?;
    }
    let titles: Vec<String> = items.iter().map(|(_, _, p, it)| format!("{}·{}", p.name, it.name)).collect();
    let co: Vec<[i64; 1]> = items.iter().map(|(_, _, p, _)| [p.lead_unit_id]).collect();
    let lines: Vec<Line<'_>> = item_ids
        .iter()
        .zip(&items)
        .zip(&titles)
        .zip(&co)
        .map(|(((id, (_, _, _, it)), t), co)| {
            let light = match it.state {
                ApprovalState::Approved | ApprovalState::Refused => Light::Done,
                ApprovalState::Waiting | ApprovalState::Returned => Light::None,
                _ if it.due_at.is_some_and(|d| d < now) => Light::Red,
                _ => Light::Green,
            };
            Line::of::<ApprovalFlow>(*id, it.state, Some(t.as_str()), now).owner(Some(it.unit_id)).co_units(co).due(it.due_at, light)
        })
        .collect();
    duty::insert_many(&mut tx, &lines).await?;
    tx.audit(actor, "bench.seed", "project", "batch", None, Some(&serde_json::json!({ "projects": ids.len(), "approvals": item_ids.len() }))).await?;
    tx.commit().await
}
