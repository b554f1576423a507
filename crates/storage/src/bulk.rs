//! Bulk loading for synthetic data (`luoshi bench seed`): many rows per statement, one
//! transaction and one audit row per batch (the batch, not each row, is the change).

use crate::{Actor, Db, Result};

/// One synthetic task row.
#[derive(Debug, Clone)]
pub struct SeedTask {
    pub directive_id: i64,
    pub seq: String,
    pub title: String,
    pub measures: String,
    pub lead_leader_id: Option<i64>,
    pub owner_unit_id: i64,
    pub state: &'static str,
    pub deadline: String,
    pub term: &'static str,
    pub progress: f64,
    pub planned: f64,
    pub light: &'static str,
    pub assigned_on: Option<String>,
    pub closed_on: Option<String>,
    pub returned_count: i64,
    pub co_unit: Option<i64>,
}

/// Tasks a bench seed put in (under its directives 压测决策部署第N号), to resume after them.
pub async fn seeded_tasks(db: &Db) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM duties WHERE kind = 'task' AND directive_id IN (SELECT id FROM directives WHERE title LIKE '压测决策部署第%')")
            .fetch_one(db.pool())
            .await?;
    crate::get_i64(&row, "n")
}

/// Appeals in the database (a bench database holds only its seed's), to resume after them:
/// the highest id, not a count, which would read every row of a Beijing-year.
pub async fn seeded_appeals(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM appeals").fetch_one(db.pool()).await?;
    crate::get_i64(&row, "n")
}

/// Parameters per row.
const COLS: usize = 17;

/// SQLite's page cache of the writer for a bulk load (a GiB, in KiB): a batch touches pages all
/// over a city's indexes, and a small cache spills and rereads them many times per batch.
const BULK_CACHE: &str = "PRAGMA cache_size = -1048576";

async fn begin_bulk(db: &Db) -> Result<crate::WriteTx> {
    let mut tx = db.begin_write().await?;
    if db.backend() == crate::Backend::Sqlite {
        sqlx::query(BULK_CACHE).execute(tx.conn()).await?;
    }
    Ok(tx)
}

/// Insert a batch of tasks (and their co-units) in one transaction with one audit row.
pub async fn insert_tasks(db: &Db, actor: &Actor, rows: &[SeedTask]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = crate::now_micros();
    let mut tx = begin_bulk(db).await?;
    for chunk in rows.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO duties (kind, directive_id, seq, title, measures, lead_leader_id, owner_unit_id, state, deadline, due, original_deadline, term, weight, progress, planned, light, assigned_on, closed_on, returned_count, created_at, updated_at) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            let b = i * COLS;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('task', ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 1.0, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 8,
                b + 8,
                b + 9,
                b + 10,
                b + 11,
                b + 12,
                b + 13,
                b + 14,
                b + 15,
                b + 16,
                b + 17
            ));
        }
        sql.push_str(" RETURNING id");
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(r.directive_id)
                .bind(&r.seq)
                .bind(&r.title)
                .bind(&r.measures)
                .bind(r.lead_leader_id)
                .bind(r.owner_unit_id)
                .bind(r.state)
                .bind(&r.deadline)
                .bind(r.term)
                .bind(r.progress)
                .bind(r.planned)
                .bind(r.light)
                .bind(&r.assigned_on)
                .bind(&r.closed_on)
                .bind(r.returned_count)
                .bind(now)
                .bind(now);
        }
        let ids = q.fetch_all(tx.conn()).await?;
        let new_ids = ids.iter().map(|r| crate::get_i64(r, "id")).collect::<Result<Vec<_>>>()?;
        let mut co = Vec::new();
        for (r, row) in chunk.iter().zip(&ids) {
            if let Some(u) = r.co_unit.filter(|u| *u != r.owner_unit_id) {
                co.push((crate::get_i64(row, "id")?, u));
            }
        }
        for part in co.chunks(1000) {
            let mut sql = String::from("INSERT INTO duty_units (duty_id, unit_id, role) VALUES ");
            for (i, _) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("(${}, ${}, 'cooperating')", i * 2 + 1, i * 2 + 2));
            }
            let mut q = sqlx::query(&sql);
            for (d, u) in part {
                q = q.bind(*d).bind(*u);
            }
            q.execute(tx.conn()).await?;
        }
        crate::tasks::sync_new(&mut tx, &new_ids).await?;
    }
    tx.audit(actor, "bench.seed", "task", "batch", None, Some(&serde_json::json!({ "tasks": rows.len() }))).await?;
    tx.commit().await
}

/// One synthetic appeal row.
#[derive(Debug, Clone)]
pub struct SeedAppeal {
    pub code: String,
    pub channel: &'static str,
    pub kind: &'static str,
    pub category: &'static str,
    pub content: String,
    pub address: String,
    pub township_id: Option<i64>,
    pub citizen_name: String,
    pub phone: String,
    pub state: &'static str,
    pub owner_unit_id: Option<i64>,
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub reply: Option<String>,
    pub rating: Option<&'static str>,
}

const APPEAL_COLS: usize = 22;

/// Insert a batch of appeals in one transaction with one audit row.
pub async fn insert_appeals(db: &Db, actor: &Actor, rows: &[SeedAppeal]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.backend();
    let mut tx = begin_bulk(db).await?;
    let before = sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM appeals").fetch_one(tx.conn()).await?;
    let before = crate::get_i64(&before, "m")?;
    for chunk in rows.chunks(400) {
        let mut sql = String::from(
            "INSERT INTO appeals (code, channel, kind, category, content, address, township_id, citizen_name, phone, state, owner_unit_id, due_at, \
             dispatched_at, created_at, updated_at, closed_at, reply, rating, urgency, sig0, sig1, sig2, sig3) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * APPEAL_COLS;
            if i > 0 {
                sql.push(',');
            }
            let p: Vec<String> = (1..=APPEAL_COLS).map(|k| crate::param(backend, b + k)).collect();
            // Every parameter once, in order (SQLite's are anonymous): dispatched_at and updated_at
            // are bound to created_at's value.
            sql.push_str(&format!("({}, 'normal', {})", p[..18].join(", "), p[18..].join(", ")));
        }
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(&r.code)
                .bind(r.channel)
                .bind(r.kind)
                .bind(r.category)
                .bind(&r.content)
                .bind(&r.address)
                .bind(r.township_id)
                .bind(&r.citizen_name)
                .bind(&r.phone)
                .bind(r.state)
                .bind(r.owner_unit_id)
                .bind(r.due_at)
                .bind(r.created_at)
                .bind(r.created_at)
                .bind(r.created_at)
                .bind(r.closed_at)
                .bind(&r.reply)
                .bind(r.rating);
            for w in luoshi_domain::appeals::signature([r.content.as_str(), r.address.as_str()]) {
                q = q.bind(w);
            }
        }
        q.execute(tx.conn()).await?;
    }
    sqlx::query("INSERT INTO appeal_codes (code, appeal_id) SELECT code, id FROM appeals WHERE id > $1").bind(before).execute(tx.conn()).await?;
    // Their lines in the record of duties, as the migration enters existing appeals.
    sqlx::query(&format!("{} WHERE a.id > $1", crate::appeals::record_from_appeals())).bind(before).execute(tx.conn()).await?;
    crate::duty::sight_of_recorded(&mut tx, "appeal", &format!("ref_id > {before}")).await?;
    crate::duty::tallies::add_recorded(&mut tx, "appeal", &format!("ref_id > {before}")).await?;
    tx.audit(actor, "bench.seed", "appeal", "batch", None, Some(&serde_json::json!({ "appeals": rows.len() }))).await?;
    tx.commit().await
}
