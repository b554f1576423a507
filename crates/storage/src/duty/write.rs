//! Keeping a duty's line in the record of duties and its sight, in the same transaction as each
//! change its kind makes: the one writer every kind calls (no triggers, issue 12).

use super::tallies::{self, Standing, STANDING_COLS};
use crate::{get_i64, get_opt_i64, Backend, Result, WriteTx};
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
    /// The kind's grade the cockpit counts by (an appeal's rating, a hazard's 一般/重大);
    /// `None` keeps the grade recorded.
    pub grade: Option<&'a str>,
    /// Went wrong once (重办, 退回, 复查不合格); `None` keeps what is recorded.
    pub flagged: Option<bool>,
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
            grade: None,
            flagged: None,
        }
    }
    pub fn grade(mut self, grade: Option<&'a str>) -> Self {
        self.grade = grade;
        self
    }
    pub fn flagged(mut self, flagged: bool) -> Self {
        self.flagged = Some(flagged);
        self
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
/// given and the record moved on meanwhile), the sight follows and the counters move from the
/// record's old buckets to its new ones. The new version.
pub async fn put(tx: &mut WriteTx, l: &Line<'_>, expected: Option<i64>) -> Result<i64> {
    let Some((old, version, due_at, phase)) = current(tx, l.kind, l.ref_id).await? else {
        if expected.is_some() {
            return Err(DomainError::field(ErrorCode::Conflict, "version").into());
        }
        insert_many(tx, std::slice::from_ref(l)).await?;
        return Ok(1);
    };
    if expected.is_some_and(|v| v != version) {
        // Someone else's change came first: the caller reloads and tries again.
        return Err(DomainError::field(ErrorCode::Conflict, "version").into());
    }
    let new = standing_after(l, Some((&old, due_at, phase.as_str())));
    sqlx::query(
        "UPDATE duty_records SET owner_unit_id = $1, state = $2, phase = $3, due_at = $4, light = $5, title = COALESCE($6, title), version = version + 1, updated_at = $7, \
         lead_user_id = $8, opened_at = $9, closed_at = $10, late = $11, grade = $12, flagged = $13 WHERE kind = $14 AND ref_id = $15",
    )
    .bind(l.owner_unit_id)
    .bind(l.state)
    .bind(l.phase.as_str())
    .bind(l.due_at)
    .bind(l.light.as_str())
    .bind(l.title)
    .bind(l.updated_at)
    .bind(l.lead)
    .bind(new.opened_at)
    .bind(new.closed_at)
    .bind(new.late.map(i64::from))
    .bind(new.grade.as_str())
    .bind(i64::from(new.flagged))
    .bind(l.kind)
    .bind(l.ref_id)
    .execute(tx.conn())
    .await?;
    tallies::moved(tx, Some(&old), Some(&new));
    super::amounts::moved(tx, l.kind, l.ref_id, (old.owner, old.lead), (new.owner, new.lead)).await?;
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
    Ok(version + 1)
}

/// A record's standing, version, limit and phase, locked for this transaction.
async fn current(tx: &mut WriteTx, kind: &str, ref_id: i64) -> Result<Option<(Standing, i64, Option<i64>, String)>> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {STANDING_COLS}, version, due_at, phase FROM duty_records WHERE kind = $1 AND ref_id = $2{lock}");
    let Some(r) = sqlx::query(&sql).bind(kind).bind(ref_id).fetch_optional(tx.conn()).await? else { return Ok(None) };
    Ok(Some((tallies::standing(&r)?, get_i64(&r, "version")?, get_opt_i64(&r, "due_at")?, crate::get_str(&r, "phase")?)))
}

/// What a record stands as once the line is saved over `before` (its standing, limit and
/// phase; none when new): opened when it first leaves the draft, closed (on time or late
/// against the limit that stood) when it first reaches done.
fn standing_after(l: &Line<'_>, before: Option<(&Standing, Option<i64>, &str)>) -> Standing {
    let was_done = before.is_some_and(|b| b.2 == Phase::Done.as_str());
    let old = before.map(|b| b.0);
    let opened_at = match l.phase {
        Phase::Drafted => None,
        _ => old.and_then(|o| o.opened_at).or(Some(l.updated_at)),
    };
    let (closed_at, late) = match (l.phase, was_done, old) {
        (Phase::Done, true, Some(o)) => (o.closed_at, o.late),
        (Phase::Done, _, _) => (Some(l.updated_at), l.due_at.or(before.and_then(|b| b.1)).map(|due| l.updated_at > due)),
        _ => (None, None),
    };
    Standing {
        kind: l.kind.to_string(),
        owner: l.owner_unit_id,
        lead: l.lead,
        state: l.state.to_string(),
        light: l.light.as_str().to_string(),
        grade: l.grade.map(str::to_string).or_else(|| old.map(|o| o.grade.clone())).unwrap_or_default(),
        flagged: l.flagged.or(old.map(|o| o.flagged)).unwrap_or(false),
        opened_at,
        closed_at,
        late,
    }
}

/// Enter new duties (version 1) with their sight, a few statements for the whole batch.
pub async fn insert_many(tx: &mut WriteTx, lines: &[Line<'_>]) -> Result<()> {
    for chunk in lines.chunks(500) {
        let sql = format!(
            "INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at, lead_user_id, \
             opened_at, closed_at, late, grade, flagged) VALUES {}",
            crate::values(tx.backend(), chunk.len(), 16)
        );
        let mut q = sqlx::query(&sql);
        for l in chunk {
            let st = standing_after(l, None);
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
                .bind(l.lead)
                .bind(st.opened_at)
                .bind(st.closed_at)
                .bind(st.late.map(i64::from))
                .bind(l.grade.unwrap_or_default())
                .bind(i64::from(st.flagged));
            tallies::moved(tx, None, Some(&st));
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
    let Some((old, ..)) = current(tx, kind, ref_id).await? else { return Ok(()) };
    if old.light == light.as_str() {
        return Ok(());
    }
    tallies::moved(tx, Some(&old), Some(&Standing { light: light.as_str().to_string(), ..old.clone() }));
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

/// End many duties of one kind at once (an incident stood down ends every open assignment):
/// state and phase set, no limit left, the light done, the counters moved.
pub async fn close_many(tx: &mut WriteTx, kind: &str, ids: &[i64], state: &'static str, phase: Phase, now: i64) -> Result<()> {
    for chunk in ids.chunks(500) {
        // Ids are integers, written in as literals.
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        if tx.backend() == Backend::Postgres {
            // Lock the rows before reading them (a distributed engine refuses FOR UPDATE across shards).
            sqlx::query(&format!("UPDATE duty_records SET version = version WHERE kind = $1 AND ref_id IN ({list})")).bind(kind).execute(tx.conn()).await?;
        }
        let sql = format!("SELECT {STANDING_COLS}, ref_id, version, due_at, phase FROM duty_records WHERE kind = $1 AND ref_id IN ({list})");
        let rows = sqlx::query(&sql).bind(kind).fetch_all(tx.conn()).await?;
        for r in &rows {
            let old = tallies::standing(r)?;
            let before_phase = crate::get_str(r, "phase")?;
            let line = Line {
                kind: "",
                ref_id: 0,
                owner_unit_id: old.owner,
                state,
                phase,
                due_at: None,
                light: Light::Done,
                title: None,
                updated_at: now,
                co_units: &[],
                lead: old.lead,
                grade: None,
                flagged: None,
            };
            let mut new = standing_after(&line, Some((&old, get_opt_i64(r, "due_at")?, before_phase.as_str())));
            new.kind = old.kind.clone();
            sqlx::query("UPDATE duty_records SET state = $1, phase = $2, due_at = NULL, light = 'done', version = version + 1, updated_at = $3, closed_at = $4, late = $5 WHERE kind = $6 AND ref_id = $7")
                .bind(state)
                .bind(phase.as_str())
                .bind(now)
                .bind(new.closed_at)
                .bind(new.late.map(i64::from))
                .bind(kind)
                .bind(get_i64(r, "ref_id")?)
                .execute(tx.conn())
                .await?;
            tallies::moved(tx, Some(&old), Some(&new));
        }
        sqlx::query(&format!("UPDATE duty_sight SET state = $1, phase = $2, due_at = $3, light = 'done' WHERE kind = $4 AND ref_id IN ({list})"))
            .bind(state)
            .bind(phase.as_str())
            .bind(NO_LIMIT)
            .bind(kind)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}
