//! A task's page in few reads: the task, if the caller may see it, with its version, its
//! owner's path and every list the page shows in one query (`parts`); its visible sub-tasks and
//! its parent's title each in one more.

use super::*;
use crate::duty::trail::{step, TRAIL};
use crate::duty::{extensions as core_ext, Resolved};
use crate::parts::decode;
use crate::{get_opt_f64, Db};
use luoshi_domain::duty::Workflow;
use luoshi_domain::tasks::{CoRole, TaskFlow};
use luoshi_domain::DomainError;
use serde::Serialize;

/// A co-unit of a duty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoUnit {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub role: CoRole,
    pub sub_report: Option<String>,
    pub sub_percent: Option<f64>,
    pub updated_at: Option<i64>,
}

/// A progress report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub unit_id: i64,
    pub unit_name: String,
    pub period: String,
    pub text: String,
    pub percent: f64,
    pub actor: String,
    pub at: i64,
}

/// A task with every list its page shows.
#[derive(Debug, Clone)]
pub struct TaskRecord {
    pub task: Duty,
    pub owner_path: String,
    /// The record's version (its optimistic-concurrency token).
    pub version: Option<i64>,
    pub co_units: Vec<CoUnit>,
    pub milestones: Vec<(String, f64, String)>,
    pub reports: Vec<Report>,
    pub events: Vec<Event>,
    pub extensions: Vec<Extension>,
    pub exemptions: Vec<Exemption>,
    pub attachments: Vec<Attachment>,
    pub notices: Vec<Notice>,
}

/// The task and its lists in one query, if it exists and a caller of this sight may see it.
pub async fn record(db: &Db, vis: &Resolved, id: i64) -> Result<Option<TaskRecord>> {
    let lists = crate::parts::columns(
        db.backend(),
        &[
            (CO_UNITS, "l_co_units"),
            (MILESTONES, "l_milestones"),
            (REPORTS, "l_reports"),
            (TRAIL, "l_events"),
            (core_ext::OF_DUTY, "l_extensions"),
            (EXEMPTIONS, "l_exemptions"),
            (ATTACHMENTS, "l_attachments"),
            (NOTICES, "l_notices"),
        ],
    );
    // $1 the task, $2 its kind (the core's trail and requests are by kind); the sight's after.
    let mut binds = vec![Bind::I(id), Bind::S(TaskFlow::KIND.to_string())];
    let cond = condition(vis, &mut binds);
    let sql = format!(
        "SELECT {DUTY_COLS}, ou.path AS owner_path, rec.version AS record_version, {lists} FROM {DUTY_FROM} \
         LEFT JOIN duty_records rec ON rec.kind = $2 AND rec.ref_id = d.id WHERE d.id = $1 AND {cond}"
    );
    let Some(r) = bind_all(sqlx::query(&sql), &binds).fetch_optional(db.pool()).await? else { return Ok(None) };
    Ok(Some(TaskRecord {
        task: duty(&r)?,
        owner_path: get_str(&r, "owner_path")?,
        version: get_opt_i64(&r, "record_version")?,
        co_units: decode(&r, "l_co_units", co_unit)?,
        milestones: decode(&r, "l_milestones", milestone)?,
        reports: decode(&r, "l_reports", report)?,
        events: decode(&r, "l_events", step)?,
        extensions: decode(&r, "l_extensions", core_ext::extension)?,
        exemptions: decode(&r, "l_exemptions", exemption)?,
        attachments: decode(&r, "l_attachments", attachment)?,
        notices: decode(&r, "l_notices", notice)?,
    }))
}

/// The direct sub-tasks a caller of this sight may see (a unit may see a task but not every
/// part of it).
pub async fn visible_children(db: &Db, vis: &Resolved, id: i64) -> Result<Vec<Duty>> {
    let mut binds = vec![Bind::I(id)];
    let cond = condition(vis, &mut binds);
    let sql = format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.parent_id = $1 AND {cond} ORDER BY d.id LIMIT 500");
    let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?;
    rows.iter().map(duty).collect()
}

/// A task's title, if a caller of this sight may see it.
pub async fn visible_title(db: &Db, vis: &Resolved, id: i64) -> Result<Option<String>> {
    let mut binds = vec![Bind::I(id)];
    let cond = condition(vis, &mut binds);
    let row = bind_all(sqlx::query(&format!("SELECT d.title FROM duties d WHERE d.id = $1 AND {cond}")), &binds).fetch_optional(db.pool()).await?;
    row.as_ref().map(|r| get_str(r, "title")).transpose()
}

/// A duty's lead and co-units (the lead first).
pub(super) const CO_UNITS: Part = Part {
    cols: "du.unit_id, u.name, u.path, du.role, du.sub_report, du.sub_percent, du.updated_at",
    from: "duty_units du JOIN units u ON u.id = du.unit_id WHERE du.duty_id = $1",
    order: "du.role DESC, u.id",
};

pub(super) fn co_unit(r: &impl Fields) -> Result<CoUnit> {
    Ok(CoUnit {
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "name")?,
        unit_path: get_str(r, "path")?,
        role: CoRole::parse(&get_str(r, "role")?).ok_or_else(|| DomainError::invalid("role"))?,
        sub_report: get_opt_str(r, "sub_report")?,
        sub_percent: get_opt_f64(r, "sub_percent")?,
        updated_at: get_opt_i64(r, "updated_at")?,
    })
}

pub async fn co_units(db: &Db, id: i64) -> Result<Vec<CoUnit>> {
    let rows = sqlx::query(&CO_UNITS.select()).bind(id).fetch_all(db.pool()).await?;
    rows.iter().map(co_unit).collect()
}

/// A duty's milestones by date: (date, percent, title).
pub(super) const MILESTONES: Part = Part { cols: "due, percent, title", from: "duty_milestones WHERE duty_id = $1", order: "due" };

pub(super) fn milestone(r: &impl Fields) -> Result<(String, f64, String)> {
    Ok((get_str(r, "due")?, get_f64(r, "percent")?, get_opt_str(r, "title")?.unwrap_or_default()))
}

pub async fn milestones(db: &Db, id: i64) -> Result<Vec<(String, f64, String)>> {
    let rows = sqlx::query(&MILESTONES.select()).bind(id).fetch_all(db.pool()).await?;
    rows.iter().map(milestone).collect()
}

/// A duty's progress reports, newest first.
pub(super) const REPORTS: Part = Part {
    cols: "r.unit_id, u.name, r.period, r.text, r.percent, r.actor, r.at",
    from: "duty_reports r JOIN units u ON u.id = r.unit_id WHERE r.duty_id = $1",
    order: "r.at DESC",
};

pub(super) fn report(r: &impl Fields) -> Result<Report> {
    Ok(Report {
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "name")?,
        period: get_str(r, "period")?,
        text: get_str(r, "text")?,
        percent: get_f64(r, "percent")?,
        actor: get_str(r, "actor")?,
        at: get_i64(r, "at")?,
    })
}

pub async fn reports(db: &Db, id: i64) -> Result<Vec<Report>> {
    let rows = sqlx::query(&REPORTS.select()).bind(id).fetch_all(db.pool()).await?;
    rows.iter().map(report).collect()
}
