//! A task as its page shows it, and what is done to it: the workflow's actions, progress
//! reports, extensions, evaluation and attachments.

use super::*;
use crate::{forbidden, ymd, Result, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::tasks::{Action, ReportInput, Side, State, TaskFlow};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store, Duty};
use luoshi_storage::{calendar, units, Db};
use serde::Serialize;

/// Everything a task page shows.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub task: Duty,
    pub co_units: Vec<store::CoUnit>,
    pub milestones: Vec<(String, f64, String)>,
    pub reports: Vec<store::Report>,
    pub events: Vec<store::Event>,
    pub extensions: Vec<store::Extension>,
    pub notices: Vec<store::Notice>,
    /// The notices' messages to people (SMS, messenger, email) and what came of each.
    pub deliveries: Vec<crate::notify::Delivery>,
    pub exemptions: Vec<store::Exemption>,
    pub children: Vec<Duty>,
    pub attachments: Vec<store::Attachment>,
    /// What the caller may do now.
    pub can: Vec<&'static str>,
    pub owner_path: String,
    /// The record's version: send it back with a change to have it refused if the task moved on.
    pub version: Option<i64>,
    /// What the page links to by name: the directive the task comes from, and its parent task
    /// (only when the caller may see it).
    pub directive_title: Option<String>,
    pub parent_title: Option<String>,
}

/// A task the caller may see, else `not_found`.
pub async fn visible_task(db: &Db, who: &Who, id: i64) -> Result<Duty> {
    // Both at once; nothing of the task leaves here unless the caller may see it.
    let sight = who.visibility();
    match tokio::try_join!(store::visible(db, &sight, id), store::get(db, id))? {
        (true, Some(d)) => Ok(d),
        _ => Err(DomainError::not_found("task").into()),
    }
}

pub(super) async fn owner_path(db: &Db, d: &Duty) -> Result<String> {
    Ok(units::get(db, d.owner_unit_id).await?.map(|u| u.path).unwrap_or_default())
}

pub async fn view(db: &Db, who: &Who, id: i64, today: NaiveDate) -> Result<TaskView> {
    let vis = luoshi_storage::duty::resolve(db, &who.visibility()).await?;
    // The task with its lists is one query; its sub-tasks and messages are read beside it and
    // dropped with it when the caller may not see it.
    let (record, children, deliveries) =
        tokio::try_join!(store::record(db, &vis, id), store::visible_children(db, &vis, id), crate::notify::of_duty(db, "task", id))?;
    let store::TaskRecord { task, owner_path, version, co_units, milestones, reports, events, extensions, exemptions, attachments, notices } =
        record.ok_or_else(|| DomainError::not_found("task"))?;
    let (directive_title, parent_title) = tokio::try_join!(
        async {
            Ok(match task.directive_id {
                Some(d) => store::get_directive(db, d).await?.map(|d| d.title),
                None => None,
            })
        },
        async {
            match task.parent_id {
                Some(p) => store::visible_title(db, &vis, p).await,
                None => Ok(None),
            }
        },
    )?;
    let owner = who.acts_for(&owner_path) && who.role.is_some();
    let co = co_units.iter().any(|c| who.role.is_some() && who.acts_for(&c.unit_path));
    let sup = who.is_supervisor();
    // The workflow's actions come from the workflow; the rest are the task page's own.
    let sides: Vec<Side> = [(sup, Side::Supervisor), (owner, Side::Owner)].into_iter().filter_map(|(ok, s)| ok.then_some(s)).collect();
    let mut can: Vec<&'static str> = luoshi_domain::duty::may::<TaskFlow>(task.state, &sides).into_iter().map(Action::as_str).collect();
    if owner && luoshi_domain::tasks::may_report(task.state) {
        can.extend(["report", "extension"]);
    }
    if co && task.state.is_open() && !owner {
        can.push("co_report");
    }
    if owner && task.state == State::Assigned {
        can.push("extension");
    }
    if sup && task.state.is_open() {
        can.push("incentive");
    }
    if sup && task.state == State::Closed && task.evaluation.is_none() {
        can.push("evaluate");
    }
    if (owner || co) && task.state.is_open() {
        can.push("attach");
    }
    let deadline_passed = task.deadline.as_deref().is_some_and(|d| d < ymd(today).as_str());
    if owner && (deadline_passed || !notices.is_empty()) {
        can.push("exemption");
    }
    Ok(TaskView {
        directive_title,
        parent_title,
        milestones,
        reports,
        events,
        extensions,
        exemptions,
        attachments,
        notices,
        deliveries,
        children,
        co_units,
        can,
        owner_path,
        version,
        task,
    })
}

/// Take a workflow action (交办, 签收, 申请办结, 办结, 退回重办).
pub async fn act(db: &Db, who: &Who, id: i64, action: Action, reason: &str, expected: Option<i64>, today: NaiveDate) -> Result<Duty> {
    let d = visible_task(db, who, id).await?;
    let allowed = match action.side() {
        Side::Supervisor => who.is_supervisor(),
        Side::Owner => who.acts_for(&owner_path(db, &d).await?),
    };
    if !allowed {
        return Err(forbidden());
    }
    let reason = reason.trim();
    if action.needs_reason() && reason.is_empty() {
        return Err(DomainError::required("reason").into());
    }
    let to = action.apply(d.state)?;
    let cal = calendar::load(db).await?;
    let r = rules_on(db, today).await?;
    let mut change = store::Change::default();
    match action {
        Action::Assign => {
            change.assigned_on = Some(ymd(today));
            let dl = match (&d.deadline, d.deadline_working_days) {
                (Some(dl), _) => dl.clone(),
                (None, Some(n)) => ymd(cal.add_working_days(today, n)?),
                (None, None) => return Err(DomainError::required("deadline").into()),
            };
            change.deadline = Some(dl);
        }
        Action::Accept => change.closed_on = Some(ymd(today)),
        Action::Return => change.returned = true,
        Action::Sign | Action::RequestClosure => {}
    }
    let deadline = change.deadline.clone().or(d.deadline.clone());
    let assigned = change.assigned_on.clone().or(d.assigned_on.clone());
    let (light, planned) = light_of(&cal, &r, to, deadline.as_deref(), d.progress, assigned.as_deref(), &milestones(db, id).await?, today);
    change.light = Some(light);
    change.planned = Some(planned);
    let mut tx = db.begin_write().await?;
    if let Some(v) = expected {
        luoshi_storage::duty::expect(&mut tx, "task", id, v).await?;
    }
    let after = store::transition(&mut tx, id, d.state, to, &change).await?;
    let data = serde_json::json!({ "deadline": after.deadline, "light": light.as_str() });
    store::event(&mut tx, &who.actor, id, who.unit_id, action.as_str(), Some(d.state), Some(to), (!reason.is_empty()).then_some(reason), Some(data)).await?;
    tx.commit().await?;
    Ok(after)
}

/// A progress report: by the owner unit (the task's progress) or a co-unit (its own part).
pub async fn report(db: &Db, who: &Who, id: i64, input: &ReportInput, today: NaiveDate) -> Result<Duty> {
    let d = visible_task(db, who, id).await?;
    let (text, percent) = input.validate()?;
    let owner = who.acts_for(&owner_path(db, &d).await?);
    let co_unit = if owner { None } else { store::co_units(db, id).await?.into_iter().find(|c| who.acts_for(&c.unit_path)).map(|c| c.unit_id) };
    if !owner && co_unit.is_none() {
        return Err(forbidden());
    }
    if owner && !luoshi_domain::tasks::may_report(d.state) {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(d.state.as_str().to_string()).into());
    }
    if !owner && !d.state.is_open() {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(d.state.as_str().to_string()).into());
    }
    let cal = calendar::load(db).await?;
    let r = rules_on(db, today).await?;
    let (light, planned) = light_of(
        &cal,
        &r,
        d.state,
        d.deadline.as_deref(),
        if owner { percent } else { d.progress },
        d.assigned_on.as_deref(),
        &milestones(db, id).await?,
        today,
    );
    let period = format!("{}-{:02}", today.year(), today.month());
    let unit = co_unit.unwrap_or(d.owner_unit_id);
    let mut tx = db.begin_write().await?;
    if let Some(v) = input.version {
        luoshi_storage::duty::expect(&mut tx, "task", id, v).await?;
    }
    store::add_report(&mut tx, &who.actor, id, unit, owner, &period, &text, percent, light, planned).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or_else(|| DomainError::not_found("task").into())
}

/// File an extension request (before the deadline, with a reason and a later date).
pub async fn request_extension(db: &Db, who: &Who, id: i64, reason: &str, new_deadline: &str, today: NaiveDate) -> Result<i64> {
    let d = visible_task(db, who, id).await?;
    if !who.acts_for(&owner_path(db, &d).await?) {
        return Err(forbidden());
    }
    if !matches!(d.state, State::Assigned | State::Signed | State::Returned) {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(d.state.as_str().to_string()).into());
    }
    let deadline = date("deadline", d.deadline.as_deref().unwrap_or(""))?;
    let new = crate::date_bounds(db, today).await?.parse("new_deadline", new_deadline)?;
    let r = rules_on(db, today).await?;
    let reason = luoshi_domain::tasks::check_extension(today, deadline, new, reason, d.extension_count, r.max_extensions)?;
    let mut tx = db.begin_write().await?;
    let ext = store::request_extension(&mut tx, &who.actor, &d, d.owner_unit_id, &reason, &ymd(new)).await?;
    tx.commit().await?;
    Ok(ext)
}

/// Approve or refuse an extension (the supervision office).
pub async fn decide_extension(db: &Db, who: &Who, ext_id: i64, approve: bool, note: &str, today: NaiveDate) -> Result<store::Extension> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    let pending = store::pending_extensions(db).await?;
    let ext = pending.iter().find(|e| e.id == ext_id).ok_or_else(|| DomainError::not_found("extension"))?;
    let d = store::get(db, ext.duty_id).await?.ok_or_else(|| DomainError::not_found("task"))?;
    let light = if approve {
        let cal = calendar::load(db).await?;
        let r = rules_on(db, today).await?;
        Some(light_of(&cal, &r, d.state, Some(&ext.new_deadline), d.progress, d.assigned_on.as_deref(), &milestones(db, d.id).await?, today).0)
    } else {
        None
    };
    let note = note.trim();
    let mut tx = db.begin_write().await?;
    let e = store::decide_extension(&mut tx, &who.actor, ext_id, approve, (!note.is_empty()).then_some(note), light).await?;
    tx.commit().await?;
    Ok(e)
}

/// Grade a closed task (评价), the supervision office, once.
pub async fn evaluate(db: &Db, who: &Who, id: i64, grade: &str, note: &str) -> Result<Duty> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    visible_task(db, who, id).await?;
    let g = if grade.trim().is_empty() {
        Err(DomainError::required("grade"))
    } else {
        luoshi_domain::tasks::Grade::parse(grade).ok_or_else(|| DomainError::invalid("grade"))
    }?;
    let note = luoshi_domain::error::optional_text("note", note, 1000)?;
    let mut tx = db.begin_write().await?;
    store::evaluate(&mut tx, &who.actor, id, g.as_str(), note.as_deref()).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or_else(|| DomainError::not_found("task").into())
}

/// Attach a file to a task in progress: its owner unit or a co-unit (evidence of progress).
pub async fn attach(db: &Db, who: &Who, id: i64, name: &str, data: &[u8]) -> Result<i64> {
    let d = visible_task(db, who, id).await?;
    let unit = if who.acts_for(&owner_path(db, &d).await?) {
        d.owner_unit_id
    } else {
        match store::co_units(db, id).await?.into_iter().find(|c| who.role.is_some() && who.acts_for(&c.unit_path)) {
            Some(c) => c.unit_id,
            None => return Err(forbidden()),
        }
    };
    if !d.state.is_open() {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(d.state.as_str().to_string()).into());
    }
    let (name, content_type) = luoshi_domain::tasks::check_attachment(name, data.len())?;
    let mut tx = db.begin_write().await?;
    let aid = store::add_attachment(&mut tx, &who.actor, id, unit, &name, content_type, data).await?;
    tx.commit().await?;
    Ok(aid)
}

/// An attachment of a task the caller may see.
pub async fn attachment(db: &Db, who: &Who, id: i64, attachment_id: i64) -> Result<(store::Attachment, Vec<u8>)> {
    visible_task(db, who, id).await?;
    store::attachment_data(db, id, attachment_id).await?.ok_or_else(|| DomainError::not_found("attachment").into())
}
