//! The tasks' part of the supervision run (督查): lights and planned progress recomputed, the
//! ladder's notices raised, and the monthly reminders to report.

use super::*;
use crate::supervision::{finish, Run, SuperviseReport};
use crate::{ymd, Result};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::duty::{working_days_left, NoticeLevel};
use luoshi_storage::tasks::{self as store};
use luoshi_storage::{calendar, rules, Db};

/// Recompute every open duty's light for `today` and raise the ladder's notices that are due.
/// Idempotent for a date: a notice is unique per duty, level and deadline in the database, so
/// a second run, on this node or another, raises nothing again.
pub(crate) async fn supervise_part(db: &Db, today: NaiveDate, run: Run) -> Result<SuperviseReport> {
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
                        NoticeLevel::Notice | NoticeLevel::Listed => out.notices += 1,
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
    Ok(out)
}
