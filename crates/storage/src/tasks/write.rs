//! Writing tasks: insertion, transitions, co-units, milestones, progress reports, the trail
//! (`duty_events`, each row with its audit row) and evaluation.

use super::*;
use crate::{get_f64, get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::Light;
use luoshi_domain::duty::Workflow;
use luoshi_domain::tasks::{CoRole, NewTask, State, TaskFlow};
use luoshi_domain::{DomainError, ErrorCode};

/// Milestones of many duties at once (for the supervision run), as (duty id, date, percent).
pub async fn milestones_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String, f64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows =
        sqlx::query(&format!("SELECT duty_id, due, percent FROM duty_milestones WHERE duty_id IN ({list}) ORDER BY duty_id, due")).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "duty_id")?, get_str(r, "due")?, get_f64(r, "percent")?))).collect()
}

/// One entry of a task's trail (留痕: the core's one trail).
pub type Event = crate::duty::trail::Step;

pub async fn events(db: &Db, id: i64) -> Result<Vec<Event>> {
    crate::duty::trail::of(db, TaskFlow::KIND, id).await
}

/// Append to the trail and the audit chain in one go.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn event(
    tx: &mut WriteTx,
    actor: &Actor,
    duty_id: i64,
    unit_id: Option<i64>,
    action: &str,
    from: Option<State>,
    to: Option<State>,
    note: Option<&str>,
    data: Option<serde_json::Value>,
) -> Result<()> {
    let entry = crate::duty::trail::Entry {
        kind: TaskFlow::KIND,
        ref_id: duty_id,
        at: crate::now_micros(),
        actor: &actor.name,
        unit_id,
        action,
        from: from.map(|s| s.as_str()),
        to: to.map(|s| s.as_str()),
        note,
        data: data.as_ref().map(|d| d.to_string()),
    };
    crate::duty::trail::append(tx, std::slice::from_ref(&entry)).await?;
    let after =
        serde_json::json!({ "action": action, "from": from.map(|s| s.as_str()), "to": to.map(|s| s.as_str()), "note": note, "data": data, "unit_id": unit_id });
    tx.audit(actor, &format!("task.{action}"), "task", &duty_id.to_string(), None, Some(&after)).await?;
    Ok(())
}

/// What the core needs of a task: (id, owner, state, due, light, title, lead, updated_at, co-units).
type CoreRow = (i64, i64, State, String, Light, String, Option<i64>, i64, Vec<i64>);

async fn core_rows(tx: &mut WriteTx, ids: &[i64]) -> Result<Vec<CoreRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        // Ids are integers from the database, written in as literals.
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(&format!(
            "SELECT id, owner_unit_id, state, due, light, title, lead_leader_id, updated_at FROM duties WHERE id IN ({list}) ORDER BY id"
        ))
        .fetch_all(tx.conn())
        .await?;
        let co = sqlx::query(&format!("SELECT duty_id, unit_id FROM duty_units WHERE duty_id IN ({list})")).fetch_all(tx.conn()).await?;
        let mut units: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for r in &co {
            units.entry(get_i64(r, "duty_id")?).or_default().push(get_i64(r, "unit_id")?);
        }
        for r in &rows {
            let id = get_i64(r, "id")?;
            out.push((
                id,
                get_i64(r, "owner_unit_id")?,
                State::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::invalid("state"))?,
                get_str(r, "due")?,
                Light::parse(&get_str(r, "light")?).ok_or_else(|| DomainError::invalid("light"))?,
                get_str(r, "title")?,
                get_opt_i64(r, "lead_leader_id")?,
                get_i64(r, "updated_at")?,
                units.remove(&id).unwrap_or_default(),
            ));
        }
    }
    Ok(out)
}

/// A task's limit in µs: the end of its deadline's day (none for the open-ended `9999-12-31`).
pub(super) fn due_at(due: &str) -> Option<i64> {
    if due.starts_with("9999") {
        return None;
    }
    luoshi_domain::time::parse_date("due", due).ok().map(luoshi_domain::duty::end_of_day)
}

fn line(r: &CoreRow) -> crate::duty::Line<'_> {
    crate::duty::Line::of::<TaskFlow>(r.0, r.2, Some(&r.5), r.7).owner(Some(r.1)).due(due_at(&r.3), r.4).co_units(&r.8).lead(r.6)
}

/// Keep the task's line in the record of duties and its sight, after a change in this
/// transaction (`expected`: the version the caller saw, where it gave one).
pub async fn sync(tx: &mut WriteTx, id: i64, expected: Option<i64>) -> Result<i64> {
    let rows = core_rows(tx, &[id]).await?;
    let r = rows.first().ok_or_else(|| DomainError::not_found("task"))?;
    crate::duty::put(tx, &line(r), expected).await
}

/// Enter new tasks in the record of duties and its sight, and in their directives' task counts,
/// a few statements for a batch.
pub async fn sync_new(tx: &mut WriteTx, ids: &[i64]) -> Result<()> {
    let rows = core_rows(tx, ids).await?;
    let lines: Vec<_> = rows.iter().map(line).collect();
    crate::duty::insert_many(tx, &lines).await?;
    for chunk in ids.chunks(500) {
        // Ids are integers from the database, written in as literals.
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        // Counted, then added (a distributed engine takes no subquery on the tasks inside an update of the directives).
        let sql = format!("SELECT directive_id, COUNT(*) AS n FROM duties WHERE id IN ({list}) AND directive_id IS NOT NULL GROUP BY directive_id");
        for r in sqlx::query(&sql).fetch_all(tx.conn()).await? {
            sqlx::query("UPDATE directives SET task_count = task_count + $1 WHERE id = $2")
                .bind(get_i64(&r, "n")?)
                .bind(get_i64(&r, "directive_id")?)
                .execute(tx.conn())
                .await?;
        }
    }
    Ok(())
}

/// Insert a task with its co-units and milestones, and its first trail entry.
#[expect(clippy::too_many_arguments, reason = "the columns a creation sets")]
pub async fn insert_task(
    tx: &mut WriteTx,
    actor: &Actor,
    directive_id: Option<i64>,
    seq: Option<&str>,
    t: &NewTask,
    deadline: Option<&str>,
    working_days: Option<i64>,
    light: Light,
) -> Result<i64> {
    check_refs(tx, directive_id, t).await?;
    insert_checked(tx, actor, directive_id, seq, t, deadline, working_days, light).await
}

/// Check what a task refers to: its parent (in the same directive), its units and its leader.
pub async fn check_refs(tx: &mut WriteTx, directive_id: Option<i64>, t: &NewTask) -> Result<()> {
    // Checked here, not by database keys: a task, its parent and its directive may sit on different shards.
    if let Some(d) = directive_id {
        if sqlx::query("SELECT id FROM directives WHERE id = $1").bind(d).fetch_optional(tx.conn()).await?.is_none() {
            return Err(DomainError::invalid("directive_id").into());
        }
    }
    if let Some(p) = t.parent_id {
        let row = sqlx::query("SELECT directive_id FROM duties WHERE id = $1").bind(p).fetch_optional(tx.conn()).await?;
        match row {
            Some(r) if get_opt_i64(&r, "directive_id")? == directive_id => {}
            _ => return Err(DomainError::invalid("parent_id").into()),
        }
    }
    for (field, id) in
        std::iter::once(("lead_unit_id", t.lead_unit_id)).chain(t.responsible_unit_ids.iter().chain(&t.cooperating_unit_ids).map(|u| ("co_units", *u)))
    {
        if sqlx::query("SELECT id FROM units WHERE id = $1").bind(id).fetch_optional(tx.conn()).await?.is_none() {
            return Err(DomainError::invalid(field).with_detail(id.to_string()).into());
        }
    }
    if let Some(l) = t.lead_leader_id {
        let r = sqlx::query("SELECT role FROM users WHERE id = $1").bind(l).fetch_optional(tx.conn()).await?;
        if r.map(|r| get_str(&r, "role")).transpose()?.as_deref() != Some("leader") {
            return Err(DomainError::invalid("lead_leader_id").into());
        }
    }
    Ok(())
}

/// Insert a task whose references the caller has checked against the database already (an
/// import resolves every unit and leader while planning; the foreign keys still hold).
#[expect(clippy::too_many_arguments, reason = "the columns a creation sets")]
pub async fn insert_checked(
    tx: &mut WriteTx,
    actor: &Actor,
    directive_id: Option<i64>,
    seq: Option<&str>,
    t: &NewTask,
    deadline: Option<&str>,
    working_days: Option<i64>,
    light: Light,
) -> Result<i64> {
    let now = crate::now_micros();
    let row = sqlx::query(
        "INSERT INTO duties (kind, directive_id, parent_id, seq, title, measures, lead_leader_id, owner_unit_id, state, deadline, due, original_deadline, deadline_working_days, term, weight, light, remarks, created_at, updated_at) \
         VALUES ('task', $1, $2, $3, $4, $5, $6, $7, 'draft', $8, COALESCE($8, '9999-12-31'), $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(directive_id)
    .bind(t.parent_id)
    .bind(seq.map(str::to_string))
    .bind(&t.title)
    .bind(&t.measures)
    .bind(t.lead_leader_id)
    .bind(t.lead_unit_id)
    .bind(deadline.map(str::to_string))
    .bind(working_days)
    .bind(t.term.as_str())
    .bind(t.weight)
    .bind(light.as_str())
    .bind(&t.remarks)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    for (role, ids) in [(CoRole::Responsible, &t.responsible_unit_ids), (CoRole::Cooperating, &t.cooperating_unit_ids)] {
        for u in ids {
            sqlx::query("INSERT INTO duty_units (duty_id, unit_id, role) VALUES ($1, $2, $3)").bind(id).bind(*u).bind(role.as_str()).execute(tx.conn()).await?;
        }
    }
    for (d, p, title) in &t.milestones {
        sqlx::query("INSERT INTO duty_milestones (duty_id, due, percent, title) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(d.format("%Y-%m-%d").to_string())
            .bind(*p)
            .bind(title)
            .execute(tx.conn())
            .await?;
    }
    sync_new(tx, &[id]).await?;
    let data = serde_json::to_value(t).unwrap_or_default();
    event(tx, actor, id, Some(t.lead_unit_id), "create", None, Some(State::Draft), None, Some(data)).await?;
    Ok(id)
}

/// Fields a state change may set.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub deadline: Option<String>,
    pub assigned_on: Option<String>,
    pub closed_on: Option<String>,
    pub returned: bool,
    pub light: Option<Light>,
    pub planned: Option<f64>,
}

/// Move a duty from one state to another, refusing if someone else moved it first.
pub async fn transition(tx: &mut WriteTx, id: i64, from: State, to: State, c: &Change) -> Result<Duty> {
    let n = sqlx::query(
        "UPDATE duties SET state = $1, deadline = COALESCE($2, deadline), due = COALESCE($2, deadline, '9999-12-31'), original_deadline = COALESCE(original_deadline, $2), assigned_on = COALESCE($3, assigned_on), \
         closed_on = COALESCE($4, closed_on), returned_count = returned_count + $5, light = COALESCE($6, light), planned = COALESCE($7, planned), updated_at = $8 \
         WHERE id = $9 AND state = $10",
    )
    .bind(to.as_str())
    .bind(c.deadline.clone())
    .bind(c.assigned_on.clone())
    .bind(c.closed_on.clone())
    .bind(i64::from(c.returned))
    .bind(c.light.map(|l| l.as_str()))
    .bind(c.planned)
    .bind(crate::now_micros())
    .bind(id)
    .bind(from.as_str())
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    sync(tx, id, None).await?;
    get_tx(tx, id).await
}

/// Record a progress report of the owner unit (the duty's progress) or of a co-unit (its part).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn add_report(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    unit_id: i64,
    owner: bool,
    period: &str,
    text: &str,
    percent: f64,
    light: Light,
    planned: f64,
) -> Result<()> {
    sqlx::query("INSERT INTO duty_reports (duty_id, unit_id, period, text, percent, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(unit_id)
        .bind(period)
        .bind(text)
        .bind(percent)
        .bind(&actor.name)
        .bind(crate::now_micros())
        .execute(tx.conn())
        .await?;
    if owner {
        sqlx::query("UPDATE duties SET progress = $1, light = $2, planned = $3, updated_at = $4 WHERE id = $5")
            .bind(percent)
            .bind(light.as_str())
            .bind(planned)
            .bind(crate::now_micros())
            .bind(id)
            .execute(tx.conn())
            .await?;
    } else {
        sqlx::query("UPDATE duty_units SET sub_report = $1, sub_percent = $2, updated_at = $3 WHERE duty_id = $4 AND unit_id = $5")
            .bind(text)
            .bind(percent)
            .bind(crate::now_micros())
            .bind(id)
            .bind(unit_id)
            .execute(tx.conn())
            .await?;
    }
    // Every report moves the duty's version on (a co-unit's part too): the core's guard.
    sync(tx, id, None).await?;
    let data = serde_json::json!({ "percent": percent, "period": period, "co_unit": !owner });
    event(tx, actor, id, Some(unit_id), "report", None, None, Some(text), Some(data)).await
}

/// Grade a closed task once (评价).
pub async fn evaluate(tx: &mut WriteTx, actor: &Actor, id: i64, grade: &str, note: Option<&str>) -> Result<()> {
    let n = sqlx::query("UPDATE duties SET evaluation = $1, evaluation_note = $2, updated_at = $3 WHERE id = $4 AND state = 'closed' AND evaluation IS NULL")
        .bind(grade)
        .bind(note.map(str::to_string))
        .bind(crate::now_micros())
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    event(tx, actor, id, None, "evaluate", None, None, note, Some(serde_json::json!({ "grade": grade }))).await
}
