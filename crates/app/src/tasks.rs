//! Directives and tasks: create, assign, sign, report, extend, review, close; the supervision
//! run that recomputes lights and raises the ladder; 容错免责 and incentives.

use crate::{forbidden, ymd, Result, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::calendar::Calendar;
use luoshi_domain::duty::{working_days_left, DueSoon, LadderRules, Light, LightRules, NoticeLevel};
use luoshi_domain::tasks::{Action, Condition, ExemptionState, ReportInput, Side, State, TaskFlow, TaskInput};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store, DirectiveInput, Duty};
use luoshi_storage::{calendar, rules, units, Db};
use serde::Serialize;

/// The rules in force on a date.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub light: LightRules,
    pub ladder: LadderRules,
    pub max_extensions: i64,
}

pub async fn rules_on(db: &Db, today: NaiveDate) -> Result<Rules> {
    let r = crate::RulesInForce::load(db, today).await?;
    let num = |key: &str| -> f64 { r.num(key).unwrap_or(0.0) };
    Ok(Rules {
        light: LightRules {
            due_soon: DueSoon::WorkingDays(num("supervision.light.due_soon_working_days") as i64),
            yellow_behind_points: num("supervision.light.yellow_behind_points"),
            red_behind_points: num("supervision.light.red_behind_points"),
        },
        ladder: LadderRules {
            reminder_before_working_days: num("supervision.ladder.reminder_before_working_days") as i64,
            notice_after_working_days: num("supervision.ladder.notice_after_working_days") as i64,
            report_after_working_days: num("supervision.ladder.report_after_working_days") as i64,
        },
        max_extensions: num("supervision.extension.max_per_task") as i64,
    })
}

fn date(field: &str, s: &str) -> Result<NaiveDate, DomainError> {
    luoshi_domain::time::parse_date(field, s)
}

/// The light and planned progress of a duty on `today`.
#[expect(clippy::too_many_arguments, reason = "the facts of a duty the light depends on, each once")]
pub fn light_of(
    cal: &Calendar,
    r: &Rules,
    state: State,
    deadline: Option<&str>,
    progress: f64,
    assigned_on: Option<&str>,
    milestones: &[(NaiveDate, f64)],
    today: NaiveDate,
) -> (Light, f64) {
    let Some(dl) = deadline.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) else {
        return (if state == State::Closed { Light::Done } else { Light::None }, 0.0);
    };
    let assigned = assigned_on.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let planned = (luoshi_domain::tasks::planned_progress(milestones, assigned, dl, today) * 10.0).round() / 10.0;
    (luoshi_domain::tasks::light(state, today, dl, progress, planned, working_days_left(cal, today, dl), &r.light), planned)
}

async fn milestones(db: &Db, id: i64) -> Result<Vec<(NaiveDate, f64)>> {
    Ok(store::milestones(db, id).await?.into_iter().filter_map(|(d, p, _)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok().map(|d| (d, p))).collect())
}

pub async fn create_directive(db: &Db, who: &Who, input: &DirectiveInput, today: NaiveDate) -> Result<store::Directive> {
    if !(who.is_supervisor() || who.role == Some(luoshi_domain::user::Role::Leader)) {
        return Err(forbidden());
    }
    let d = input.validate()?;
    // Issued already: never after today, never before the county's earliest date.
    let issued = crate::date_bounds(db, today).await?.parse("issued_on", &d.issued_on)?;
    if issued > today {
        return Err(DomainError::field(ErrorCode::OutOfRange, "issued_on").with_detail(ymd(today)).into());
    }
    let mut tx = db.begin_write().await?;
    let created = store::create_directive(&mut tx, &who.actor, &d).await?;
    tx.commit().await?;
    Ok(created)
}

/// A directive the caller may see (the supervision office all; others if they see a task of it).
pub async fn directive(db: &Db, who: &Who, id: i64) -> Result<(store::Directive, Vec<Duty>)> {
    let d = store::get_directive(db, id).await?.ok_or_else(|| DomainError::not_found("directive"))?;
    let tasks = store::of_directive(db, id, &who.visibility()).await?;
    if tasks.is_empty() && !who.is_supervisor() {
        return Err(DomainError::not_found("directive").into());
    }
    Ok((d, tasks))
}

/// The dates of a task as typed: every one plausible (rule data), and a deadline already past
/// refused unless the task is entered after the fact (补录, `backfill`).
pub async fn check_dates(db: &Db, input: &TaskInput, today: NaiveDate) -> Result<()> {
    let b = crate::date_bounds(db, today).await?;
    if !input.deadline.trim().is_empty() {
        let d = b.parse("deadline", &input.deadline)?;
        if d < today && !input.backfill {
            return Err(DomainError::field(ErrorCode::OutOfRange, "deadline_past").with_detail(ymd(today)).into());
        }
    }
    for m in &input.milestones {
        b.parse("milestones", &m.date)?;
    }
    Ok(())
}

/// Create a task (立项) under a directive. The supervision office breaks directives down.
pub async fn create_task(db: &Db, who: &Who, directive_id: Option<i64>, seq: Option<&str>, input: &TaskInput) -> Result<i64> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    let t = input.validate()?;
    if let Some(d) = directive_id {
        store::get_directive(db, d).await?.ok_or_else(|| DomainError::invalid("directive_id"))?;
    }
    let (deadline, wd) = match t.deadline {
        luoshi_domain::tasks::DeadlineSpec::Date(d) => (Some(ymd(d)), None),
        luoshi_domain::tasks::DeadlineSpec::WorkingDays(n) => (None, Some(n)),
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert_task(&mut tx, &who.actor, directive_id, seq, &t, deadline.as_deref(), wd, Light::None).await?;
    tx.commit().await?;
    Ok(id)
}

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
    pub exemptions: Vec<store::Exemption>,
    pub children: Vec<Duty>,
    pub attachments: Vec<store::Attachment>,
    /// What the caller may do now.
    pub can: Vec<&'static str>,
    pub owner_path: String,
}

/// A task the caller may see, else `not_found`.
pub async fn visible_task(db: &Db, who: &Who, id: i64) -> Result<Duty> {
    if !store::visible(db, &who.visibility(), id).await? {
        return Err(DomainError::not_found("task").into());
    }
    store::get(db, id).await?.ok_or_else(|| DomainError::not_found("task").into())
}

async fn owner_path(db: &Db, d: &Duty) -> Result<String> {
    Ok(units::get(db, d.owner_unit_id).await?.map(|u| u.path).unwrap_or_default())
}

pub async fn view(db: &Db, who: &Who, id: i64, today: NaiveDate) -> Result<TaskView> {
    let task = visible_task(db, who, id).await?;
    // The parts of the page are independent: fetch them at once (the pool serves them in parallel).
    let (co_units, owner_path, notices, milestones, reports, events, extensions, exemptions, attachments, mut children) = tokio::try_join!(
        store::co_units(db, id),
        owner_path(db, &task),
        store::notices_of(db, id),
        store::milestones(db, id),
        store::reports(db, id),
        store::events(db, id),
        store::extensions(db, id),
        store::exemptions_of(db, id),
        store::attachments_of(db, id),
        store::children(db, id),
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
    // Sub-tasks the caller may see (a unit may see a task but not every part of it).
    let vis = who.visibility();
    if !matches!(vis, store::Visibility::All) {
        let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
        let shown = store::visible_among(db, &vis, &ids).await?;
        children.retain(|c| shown.contains(&c.id));
    }
    Ok(TaskView {
        milestones,
        reports,
        events,
        extensions,
        exemptions,
        attachments,
        notices,
        children,
        co_units,
        can,
        owner_path: owner_path.to_string(),
        task,
    })
}

/// Take a workflow action (交办, 签收, 申请办结, 办结, 退回重办).
pub async fn act(db: &Db, who: &Who, id: i64, action: Action, reason: &str, today: NaiveDate) -> Result<Duty> {
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

/// What one supervision run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SuperviseReport {
    pub date: String,
    pub checked: usize,
    pub lights_changed: usize,
    pub reminders: usize,
    pub notices: usize,
    pub reports: usize,
    /// Reminders to report progress for the month.
    pub report_due: usize,
    /// Counted only: nothing was written.
    pub rehearsal: bool,
}

/// How a supervision run ends: written, or a rehearsal that counts what it would raise and
/// rolls every change back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    Write,
    Rehearsal,
}

/// The supervision run as a caller asks for it: only today is written (a notice raised for
/// another date is permanent and would block the real one); any other date is a rehearsal.
pub async fn supervise_on(db: &Db, today: NaiveDate, date: Option<NaiveDate>, rehearsal: bool) -> Result<SuperviseReport> {
    let day = date.unwrap_or(today);
    if day != today && !rehearsal {
        return Err(DomainError::field(ErrorCode::OutOfRange, "run_date").with_detail(ymd(today)).into());
    }
    let mut r = supervise_run(db, day, if rehearsal { Run::Rehearsal } else { Run::Write }).await?;
    r.rehearsal = rehearsal;
    Ok(r)
}

/// Commit a page of the run, or roll it back in a rehearsal.
async fn finish(tx: luoshi_storage::WriteTx, wrote_event: bool, run: Run) -> Result<()> {
    match (run, wrote_event) {
        (Run::Rehearsal, _) => drop(tx),
        (Run::Write, true) => tx.commit().await?,
        (Run::Write, false) => tx.commit_unaudited().await?,
    }
    Ok(())
}

/// The supervision run (督查) for today, written.
pub async fn supervise(db: &Db, today: NaiveDate) -> Result<SuperviseReport> {
    supervise_run(db, today, Run::Write).await
}

/// Recompute every open duty's light for `today` and raise the ladder's notices that are due.
/// Idempotent for a date: a notice is unique per duty, level and deadline in the database, so
/// a second run, on this node or another, raises nothing again.
async fn supervise_run(db: &Db, today: NaiveDate, run: Run) -> Result<SuperviseReport> {
    let cal = calendar::load(db).await?;
    let r = rules_on(db, today).await?;
    let actor = luoshi_storage::Actor { id: None, name: "supervision".into() };
    let mut out = SuperviseReport { date: ymd(today), ..Default::default() };
    let mut after = 0;
    loop {
        let page = store::open_page(db, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|d| d.id).collect();
        let ms = store::milestones_of(db, &ids).await?;
        let mut tx = db.begin_write().await?;
        let mut wrote_event = false;
        for d in &page {
            out.checked += 1;
            let own: Vec<(NaiveDate, f64)> =
                ms.iter().filter(|m| m.0 == d.id).filter_map(|m| NaiveDate::parse_from_str(&m.1, "%Y-%m-%d").ok().map(|x| (x, m.2))).collect();
            let (light, planned) = light_of(&cal, &r, d.state, Some(&d.deadline), d.progress, d.assigned_on.as_deref(), &own, today);
            if light != d.light || (planned - d.planned).abs() > 0.05 {
                store::set_light(&mut tx, d.id, light, planned).await?;
                if light != d.light {
                    out.lights_changed += 1;
                }
            }
            let Ok(dl) = NaiveDate::parse_from_str(&d.deadline, "%Y-%m-%d") else { continue };
            for level in luoshi_domain::tasks::ladder(d.state, working_days_left(&cal, today, dl), &r.ladder) {
                if store::raise_notice(&mut tx, &actor, d.id, level, d.owner_unit_id, &d.deadline, &ymd(today)).await? {
                    wrote_event = true;
                    match level {
                        NoticeLevel::Reminder => out.reminders += 1,
                        NoticeLevel::Notice => out.notices += 1,
                        NoticeLevel::Report => out.reports += 1,
                        NoticeLevel::ReportDue => out.report_due += 1,
                    }
                }
            }
        }
        finish(tx, wrote_event, run).await?;
    }
    // The reporting cycle: from day N of the month, a task in progress whose owner has not
    // reported this month gets a reminder (once per month, on any node).
    let day = rules::int_value(db, "supervision.report.monthly_day", &ymd(today)).await?;
    if i64::from(today.day()) >= day {
        let period = format!("{}-{:02}", today.year(), today.month());
        let missing = store::missing_reports(db, &period).await?;
        for chunk in missing.chunks(500) {
            let mut tx = db.begin_write().await?;
            let mut wrote = false;
            for (id, unit) in chunk {
                if store::raise_notice(&mut tx, &actor, *id, NoticeLevel::ReportDue, *unit, &period, &ymd(today)).await? {
                    out.report_due += 1;
                    wrote = true;
                }
            }
            finish(tx, wrote, run).await?;
        }
    }
    tracing::info!(?out, "supervision run");
    Ok(out)
}

/// Apply for 容错免责 on a task that slipped (its owner unit).
pub async fn apply_exemption(db: &Db, who: &Who, id: i64, reason: &str, conditions: &[Condition], today: NaiveDate) -> Result<i64> {
    let d = visible_task(db, who, id).await?;
    if !who.acts_for(&owner_path(db, &d).await?) {
        return Err(forbidden());
    }
    let notices = store::notices_of(db, id).await?;
    let passed = d.deadline.as_deref().is_some_and(|dl| dl < ymd(today).as_str());
    if notices.is_empty() && !passed {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    let reason = luoshi_domain::error::required_text("reason", reason, 2000)?;
    let conditions = normalise(conditions)?;
    let notice = notices.iter().rev().find(|n| n.level != NoticeLevel::Reminder).map(|n| n.id);
    let mut tx = db.begin_write().await?;
    let e = store::apply_exemption(&mut tx, &who.actor, id, notice, d.owner_unit_id, &reason, &conditions).await?;
    tx.commit().await?;
    Ok(e)
}

/// Keep the six known conditions, in order, each once.
fn normalise(conditions: &[Condition]) -> Result<Vec<Condition>, DomainError> {
    let mut out = Vec::new();
    for (key, _, _) in luoshi_domain::tasks::EXEMPTION_CONDITIONS {
        let c = conditions.iter().find(|c| c.key == key).cloned().unwrap_or(Condition { key: key.to_string(), met: false, evidence: String::new() });
        let evidence = luoshi_domain::error::optional_text("conditions", &c.evidence, 1000)?.unwrap_or_default();
        out.push(Condition { key: key.to_string(), met: c.met, evidence });
    }
    Ok(out)
}

/// A step of the exemption procedure by the supervision office: `accept` (受理) or `reject`,
/// `verify` (核实, with the conditions as found), `decide` (集体认定: exempt or not).
pub async fn exemption_step(
    db: &Db,
    who: &Who,
    exemption_id: i64,
    step: &str,
    exempt: bool,
    conditions: Option<&[Condition]>,
    note: &str,
) -> Result<store::Exemption> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    let e = store::get_exemption(db, exemption_id).await?.ok_or_else(|| DomainError::not_found("exemption"))?;
    let conditions = match conditions {
        Some(c) => normalise(c)?,
        None => e.conditions.clone(),
    };
    use ExemptionState as E;
    let to = match (step, e.state) {
        ("accept", E::Applied) => E::Accepted,
        ("reject", E::Applied) => E::Rejected,
        ("verify", E::Accepted) => E::Verified,
        ("decide", E::Verified) => {
            luoshi_domain::tasks::check_exemption_decision(&conditions, exempt)?;
            if exempt {
                E::Exempted
            } else {
                E::NotExempted
            }
        }
        (s, _) if !["accept", "reject", "verify", "decide"].contains(&s) => return Err(DomainError::invalid("step").into()),
        _ => return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(e.state.as_str().to_string()).into()),
    };
    let note = note.trim();
    if matches!(to, E::Rejected | E::NotExempted) && note.is_empty() {
        return Err(DomainError::required("note").into());
    }
    let mut tx = db.begin_write().await?;
    store::exemption_step(&mut tx, &who.actor, &e, to, &conditions, (!note.is_empty()).then_some(note)).await?;
    tx.commit().await?;
    store::get_exemption(db, exemption_id).await?.ok_or_else(|| DomainError::not_found("exemption").into())
}

/// Record praise or an incentive for a unit (and optionally a person), the supervision office.
pub async fn add_incentive(db: &Db, who: &Who, unit_id: i64, user_id: Option<i64>, duty_id: Option<i64>, kind: &str, reason: &str) -> Result<i64> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    if !["praise", "incentive"].contains(&kind) {
        return Err(DomainError::invalid("kind").into());
    }
    let reason = luoshi_domain::error::required_text("reason", reason, 1000)?;
    units::get(db, unit_id).await?.ok_or_else(|| DomainError::invalid("unit_id"))?;
    let mut tx = db.begin_write().await?;
    let id = store::add_incentive(&mut tx, &who.actor, unit_id, user_id, duty_id, kind, &reason).await?;
    tx.commit().await?;
    Ok(id)
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
