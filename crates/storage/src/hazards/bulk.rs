//! Bulk loading for `bench seed`: hazards in batches (the enterprises go through the ledger's
//! import), each hazard with its line in the record of duties and its sight, one audit row per
//! batch.

use crate::duty::{self, Line};
use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result};
use luoshi_domain::duty::{Light, Phase, Workflow};
use luoshi_domain::hazards::{HazardFlow, HazardState};

/// A hazard to load as it stands (its state, grade and due time already decided).
#[derive(Debug, Clone)]
pub struct SeedHazard {
    pub enterprise_id: i64,
    pub owner_unit_id: i64,
    pub township_id: Option<i64>,
    pub description: String,
    pub found_on: String,
    pub state: HazardState,
    pub grade: Option<&'static str>,
    pub deadline: Option<String>,
    pub due_at: Option<i64>,
    pub created_at: i64,
}

/// Insert a batch of hazards with their record lines and sight, in one transaction.
pub async fn insert_hazards(db: &Db, actor: &Actor, rows: &[SeedHazard], now: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let before = get_i64(&sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM hazards").fetch_one(tx.conn()).await?, "m")?;
    for chunk in rows.chunks(500) {
        let sql = format!(
            "INSERT INTO hazards (enterprise_id, owner_unit_id, regulator_unit_id, township_id, description, found_on, found_by, grade, state, deadline, due_at, created_at, updated_at) VALUES {}",
            crate::values(db.backend(), chunk.len(), 13)
        );
        let mut q = sqlx::query(&sql);
        for h in chunk {
            q = q.bind(h.enterprise_id).bind(h.owner_unit_id).bind(h.owner_unit_id).bind(h.township_id).bind(&h.description).bind(&h.found_on);
            q = q.bind(&actor.name).bind(h.grade).bind(h.state.as_str()).bind(&h.deadline).bind(h.due_at).bind(h.created_at).bind(h.created_at);
        }
        q.execute(tx.conn()).await?;
    }
    let got = sqlx::query("SELECT id, owner_unit_id, township_id, state, due_at, description, grade FROM hazards WHERE id > $1 ORDER BY id")
        .bind(before)
        .fetch_all(tx.conn())
        .await?;
    let mut rows = Vec::with_capacity(got.len());
    for r in &got {
        let state = HazardState::parse(&get_str(r, "state")?).unwrap_or(HazardState::Registered);
        rows.push((
            get_i64(r, "id")?,
            get_i64(r, "owner_unit_id")?,
            get_opt_i64(r, "township_id")?.into_iter().collect::<Vec<_>>(),
            state,
            get_opt_i64(r, "due_at")?,
            get_str(r, "description")?,
            crate::get_opt_str(r, "grade")?.unwrap_or_default(),
        ));
    }
    let lines: Vec<Line<'_>> = rows
        .iter()
        .map(|(id, owner, towns, state, due, title, grade)| {
            let light = match HazardFlow::phase(*state) {
                Phase::Drafted => Light::None,
                Phase::Done | Phase::Cancelled => Light::Done,
                _ if due.is_some_and(|d| d < now) => Light::Red,
                _ => Light::Green,
            };
            Line::of::<HazardFlow>(*id, *state, Some(title.as_str()), now).owner(Some(*owner)).co_units(towns).due(*due, light).grade(Some(grade.as_str()))
        })
        .collect();
    duty::insert_many(&mut tx, &lines).await?;
    tx.audit(actor, "bench.seed", "hazard", "batch", None, Some(&serde_json::json!({ "hazards": rows.len() }))).await?;
    tx.commit().await
}
