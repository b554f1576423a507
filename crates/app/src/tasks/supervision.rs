//! The supervision run (督查): lights recomputed and the ladder's notices raised, for today only
//! (another date is a rehearsal that writes nothing).

use super::*;
use crate::{ymd, Result};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::duty::{working_days_left, NoticeLevel};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store};
use luoshi_storage::{calendar, rules, Db};
use serde::Serialize;

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
pub(super) enum Run {
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
pub(super) async fn finish(tx: luoshi_storage::WriteTx, wrote_event: bool, run: Run) -> Result<()> {
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
pub(super) async fn supervise_run(db: &Db, today: NaiveDate, run: Run) -> Result<SuperviseReport> {
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
