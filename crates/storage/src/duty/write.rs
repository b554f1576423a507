//! Keeping a duty's line in the record of duties and its sight, in the same transaction as each
//! change its kind makes: the one writer every kind calls (no triggers, issue 12).

use crate::{get_i64, Result, WriteTx};
use luoshi_domain::duty::{Light, Phase, Workflow};
use luoshi_domain::{DomainError, ErrorCode};

/// `due_at` in the sight where no limit runs: one order on both databases.
pub const NO_LIMIT: i64 = 9_000_000_000_000_000_000;

/// A duty's line as its kind states it after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    pub kind: &'static str,
    pub ref_id: i64,
    pub owner_unit_id: Option<i64>,
    pub state: &'static str,
    pub phase: Phase,
    /// When the limit runs out (µs), once a clock runs.
    pub due_at: Option<i64>,
    pub light: Light,
    /// What to show; `None` keeps the title recorded.
    pub title: Option<&'a str>,
    pub updated_at: i64,
    /// Units that see the duty besides its owner (co-units with their own parts).
    pub co_units: &'a [i64],
    /// The leader who leads it (牵头领导), where the kind has one.
    pub lead: Option<i64>,
}

impl<'a> Line<'a> {
    /// The line of a duty of kind `W` in `state`: the kind and phase come from its workflow.
    pub fn of<W: Workflow>(ref_id: i64, state: W::State, title: Option<&'a str>, updated_at: i64) -> Line<'a> {
        Line {
            kind: W::KIND,
            ref_id,
            owner_unit_id: None,
            state: W::name(state),
            phase: W::phase(state),
            due_at: None,
            light: Light::None,
            title,
            updated_at,
            co_units: &[],
            lead: None,
        }
    }
    pub fn lead(mut self, leader: Option<i64>) -> Self {
        self.lead = leader;
        self
    }
    pub fn owner(mut self, unit: Option<i64>) -> Self {
        self.owner_unit_id = unit;
        self
    }
    pub fn due(mut self, due_at: Option<i64>, light: Light) -> Self {
        self.due_at = due_at;
        self.light = light;
        self
    }
    pub fn co_units(mut self, units: &'a [i64]) -> Self {
        self.co_units = units;
        self
    }
    /// Every unit that sees it: the owner, then the co-units, each once.
    fn sight(&self) -> Vec<i64> {
        let mut out: Vec<i64> = self.owner_unit_id.into_iter().chain(self.co_units.iter().copied()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Save the line: the record's version moves on (refused with `conflict` when `expected` is
/// given and the record moved on meanwhile), and the sight follows. The new version.
pub async fn put(tx: &mut WriteTx, l: &Line<'_>, expected: Option<i64>) -> Result<i64> {
    let mut sql = String::from(
        "UPDATE duty_records SET owner_unit_id = $1, state = $2, phase = $3, due_at = $4, light = $5, title = COALESCE($6, title), version = version + 1, updated_at = $7, \
         lead_user_id = $8 WHERE kind = $9 AND ref_id = $10",
    );
    if expected.is_some() {
        sql.push_str(" AND version = $11");
    }
    sql.push_str(" RETURNING version");
    let mut q = sqlx::query(&sql)
        .bind(l.owner_unit_id)
        .bind(l.state)
        .bind(l.phase.as_str())
        .bind(l.due_at)
        .bind(l.light.as_str())
        .bind(l.title)
        .bind(l.updated_at)
        .bind(l.lead)
        .bind(l.kind)
        .bind(l.ref_id);
    if let Some(v) = expected {
        q = q.bind(v);
    }
    let version = if let Some(row) = q.fetch_optional(tx.conn()).await? {
        get_i64(&row, "version")?
    } else if expected.is_some() {
        // Someone else's change came first: the caller reloads and tries again.
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("version").into());
    } else {
        insert_many(tx, std::slice::from_ref(l)).await?;
        return Ok(1);
    };
    let want = l.sight();
    let rows = sqlx::query("SELECT unit_id FROM duty_sight WHERE kind = $1 AND ref_id = $2").bind(l.kind).bind(l.ref_id).fetch_all(tx.conn()).await?;
    let mut have = rows.iter().map(|r| get_i64(r, "unit_id")).collect::<Result<Vec<_>>>()?;
    have.sort_unstable();
    if have == want {
        sqlx::query("UPDATE duty_sight SET state = $1, phase = $2, light = $3, due_at = $4 WHERE kind = $5 AND ref_id = $6")
            .bind(l.state)
            .bind(l.phase.as_str())
            .bind(l.light.as_str())
            .bind(l.due_at.unwrap_or(NO_LIMIT))
            .bind(l.kind)
            .bind(l.ref_id)
            .execute(tx.conn())
            .await?;
    } else {
        sqlx::query("DELETE FROM duty_sight WHERE kind = $1 AND ref_id = $2").bind(l.kind).bind(l.ref_id).execute(tx.conn()).await?;
        insert_sight(tx, std::slice::from_ref(l)).await?;
    }
    Ok(version)
}

/// Enter new duties (version 1) with their sight, a few statements for the whole batch.
pub async fn insert_many(tx: &mut WriteTx, lines: &[Line<'_>]) -> Result<()> {
    for chunk in lines.chunks(500) {
        let sql = format!(
            "INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at, lead_user_id) VALUES {}",
            crate::values(tx.backend(), chunk.len(), 11)
        );
        let mut q = sqlx::query(&sql);
        for l in chunk {
            q = q
                .bind(l.kind)
                .bind(l.ref_id)
                .bind(l.owner_unit_id)
                .bind(l.state)
                .bind(l.phase.as_str())
                .bind(l.due_at)
                .bind(l.light.as_str())
                .bind(l.title.unwrap_or_default())
                .bind(1_i64)
                .bind(l.updated_at)
                .bind(l.lead);
        }
        q.execute(tx.conn()).await?;
    }
    insert_sight(tx, lines).await
}

async fn insert_sight(tx: &mut WriteTx, lines: &[Line<'_>]) -> Result<()> {
    let rows: Vec<(i64, &Line<'_>)> = lines.iter().flat_map(|l| l.sight().into_iter().map(move |u| (u, l))).collect();
    for chunk in rows.chunks(500) {
        let sql = format!("INSERT INTO duty_sight (unit_id, kind, ref_id, state, phase, light, due_at) VALUES {}", crate::values(tx.backend(), chunk.len(), 7));
        let mut q = sqlx::query(&sql);
        for (u, l) in chunk {
            q = q.bind(*u).bind(l.kind).bind(l.ref_id).bind(l.state).bind(l.phase.as_str()).bind(l.light.as_str()).bind(l.due_at.unwrap_or(NO_LIMIT));
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// Store a recomputed light (a derived value: no trail entry, no audit row, no new version).
pub async fn set_light(tx: &mut WriteTx, kind: &str, ref_id: i64, light: Light) -> Result<()> {
    sqlx::query("UPDATE duty_records SET light = $1 WHERE kind = $2 AND ref_id = $3").bind(light.as_str()).bind(kind).bind(ref_id).execute(tx.conn()).await?;
    sqlx::query("UPDATE duty_sight SET light = $1 WHERE kind = $2 AND ref_id = $3").bind(light.as_str()).bind(kind).bind(ref_id).execute(tx.conn()).await?;
    Ok(())
}

/// A `CASE` naming the core's phase of a kind's state column, derived from its workflow (for
/// set-based copies of many rows; one source with [`Workflow::phase`]).
pub fn phase_case<W: Workflow>(col: &str) -> String {
    let arms: String = W::states().iter().map(|s| format!(" WHEN '{}' THEN '{}'", W::name(*s), W::phase(*s).as_str())).collect();
    format!("CASE {col}{arms} END")
}

/// Enter in the sight the duties of `kind` already in the record whose ids satisfy `ids_sql`
/// (a condition on `ref_id` built from integers only): the set-based companion of a bulk copy
/// into the record.
pub async fn sight_of_recorded(tx: &mut WriteTx, kind: &str, ids_sql: &str) -> Result<()> {
    let sql = format!(
        "INSERT INTO duty_sight (unit_id, kind, ref_id, state, phase, light, due_at) \
         SELECT owner_unit_id, kind, ref_id, state, phase, light, COALESCE(due_at, {NO_LIMIT}) FROM duty_records \
         WHERE kind = $1 AND owner_unit_id IS NOT NULL AND {ids_sql}"
    );
    sqlx::query(&sql).bind(kind).execute(tx.conn()).await?;
    Ok(())
}
