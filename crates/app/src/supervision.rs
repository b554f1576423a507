//! The one supervision run (督查) over every kind of duty: each kind's part recomputes its
//! lights and raises its ladder's notices (unique per duty, level and deadline, so several nodes
//! raise each once), for today only; another date is a rehearsal that writes nothing.

use crate::{ymd, Result};
use chrono::NaiveDate;
use luoshi_domain::duty::{
    ladder, ladder_minutes, light, working_days_left, DueSoon, LadderRules, Light, LightRules, MinuteLadder, NoticeLevel, Phase, Standing,
};
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::{calendar, duty as record, Actor, Db};
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
    /// The work orders' part.
    pub appeals: KindCount,
    /// Every other kind's, run by the core alone (kind, what it did).
    pub others: Vec<(String, KindCount)>,
}

/// What the run did for one kind of duty.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct KindCount {
    pub checked: usize,
    pub lights_changed: usize,
    pub reminders: usize,
    pub notices: usize,
    pub reports: usize,
}

/// How a supervision run ends: written, or a rehearsal that counts what it would raise and
/// rolls every change back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Run {
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
    let mut r = run_all(db, day, if rehearsal { Run::Rehearsal } else { Run::Write }).await?;
    r.rehearsal = rehearsal;
    Ok(r)
}

/// Commit a page of the run, or roll it back in a rehearsal.
pub(crate) async fn finish(tx: luoshi_storage::WriteTx, wrote_event: bool, run: Run) -> Result<()> {
    match (run, wrote_event) {
        (Run::Rehearsal, _) => drop(tx),
        (Run::Write, true) => tx.commit().await?,
        (Run::Write, false) => tx.commit_unaudited().await?,
    }
    Ok(())
}

/// The supervision run (督查) for today, written.
pub async fn supervise(db: &Db, today: NaiveDate) -> Result<SuperviseReport> {
    run_all(db, today, Run::Write).await
}

/// Every kind's part, tasks first.
async fn run_all(db: &Db, day: NaiveDate, run: Run) -> Result<SuperviseReport> {
    // The moment the run stands at: now, moved to `day` for a rehearsal.
    let real = luoshi_storage::now_micros();
    let now = real + (day - luoshi_domain::time::local_date(real)).num_days() * 86_400_000_000;
    let mut out = crate::tasks::supervise_part(db, day, run).await?;
    out.appeals = crate::appeals::supervise_part(db, day, now, run).await?;
    let projects = crate::projects::reports::supervise_part(db, day, now, run).await?;
    out.others.push(("project".into(), projects));
    // Large maturities and warnings become duties before the core's part lights them; a county
    // without a debt book (or its finance unit) loses nothing else of the run.
    if run == Run::Write {
        if let Err(e) = crate::debt::duties::watch(db, now).await {
            tracing::warn!(error = %e, "debt watch failed");
        }
    }
    for kind in record::running_kinds(db).await? {
        if MINUTE_KINDS.contains(&kind.as_str()) {
            let c = minute_part(db, &kind, now, run).await?;
            out.others.push((kind, c));
        } else if !OWN_PARTS.contains(&kind.as_str()) {
            let c = core_part(db, &kind, day, now, run).await?;
            out.others.push((kind, c));
        }
    }
    tracing::info!(?out, "supervision run");
    Ok(out)
}

/// Raise the rungs a duty has reached (each once, on any node), each with its trail entry and
/// audit row, counting them; whether anything was written.
#[expect(clippy::too_many_arguments, reason = "the duty, its rungs and the run's moment")]
pub(crate) async fn climb(
    tx: &mut luoshi_storage::WriteTx,
    actor: &Actor,
    kind: &str,
    ref_id: i64,
    rungs: Vec<NoticeLevel>,
    unit: i64,
    last_day: &str,
    today: NaiveDate,
    now: i64,
    out: &mut KindCount,
) -> Result<bool> {
    let mut wrote = false;
    for level in rungs {
        if record::raise_notice(tx, kind, ref_id, level, unit, last_day, &ymd(today), now).await? {
            record::noticed(tx, actor, kind, ref_id, unit, level, last_day, now).await?;
            wrote = true;
            match level {
                NoticeLevel::Reminder => out.reminders += 1,
                NoticeLevel::Notice | NoticeLevel::Listed => out.notices += 1,
                NoticeLevel::Report | NoticeLevel::ReportDue => out.reports += 1,
            }
        }
    }
    Ok(wrote)
}

/// Kinds on a minute clock (an emergency's assignments and its report upward): their lights
/// and ladder by minutes, run by [`watch`] every minute as well as by the daily run.
pub const MINUTE_KINDS: &[&str] = &["emergency_task", "incident"];

/// The minute watch: every kind on a minute clock, now. Several nodes may run it at once; the
/// database keeps each notice unique per duty, level and limit.
pub async fn watch(db: &Db, now: i64) -> Result<Vec<(String, KindCount)>> {
    // Links a write missed (an accident without its incident) are made first.
    let linked = crate::links::sweep(db, now).await?;
    if linked > 0 {
        tracing::info!(linked, "links made by the watch");
    }
    let mut out = Vec::new();
    for kind in MINUTE_KINDS {
        out.push(((*kind).to_string(), minute_part(db, kind, now, Run::Write).await?));
    }
    Ok(out)
}

/// A minute-clock kind's part: red once its limit passed, blue within the reminder window,
/// green before; the rungs by the kind's rules (`{kind}.ladder.*_minutes`), each notice keyed
/// to the limit's minute so a moved limit (the next 续报) climbs again.
async fn minute_part(db: &Db, kind: &str, now: i64, run: Run) -> Result<KindCount> {
    let today = local_date(now);
    let rules = crate::RulesInForce::load(db, today).await?;
    let rung = |key: &str, def: i64| rules.int(&format!("{kind}.ladder.{key}")).unwrap_or(def);
    let r = MinuteLadder {
        reminder_before_minutes: rung("reminder_before_minutes", 5),
        notice_after_minutes: rung("notice_after_minutes", 1),
        report_after_minutes: rung("report_after_minutes", 30),
    };
    walk(db, kind, today, now, run, |rec| {
        let (Some(phase), Some(due)) = (Phase::parse(&rec.phase), rec.due_at) else { return None };
        // Whole minutes left, rounded down: one second late is a minute late.
        let left = (due - now).div_euclid(60_000_000);
        let lit = if left < 0 {
            Light::Red
        } else if left < r.reminder_before_minutes {
            Light::Blue
        } else {
            Light::Green
        };
        Some(Verdict {
            light: (phase == Phase::Running).then_some(lit),
            rungs: ladder_minutes(phase, true, left, &r),
            limit: luoshi_domain::time::format_local(due),
        })
    })
    .await
}

/// What the run makes of one record: the light it should carry (none to leave it), the rungs
/// it reached and the limit they are keyed to.
struct Verdict {
    light: Option<Light>,
    rungs: Vec<NoticeLevel>,
    limit: String,
}

/// Walk a kind's running duties page by page: store each changed light, raise each rung
/// reached (once per duty, level and limit), one transaction a page.
async fn walk(db: &Db, kind: &str, today: NaiveDate, now: i64, run: Run, decide: impl Fn(&record::Record) -> Option<Verdict>) -> Result<KindCount> {
    let actor = Actor { id: None, name: "supervision".into() };
    let mut out = KindCount::default();
    let mut after = 0;
    loop {
        let page = record::running_page(db, kind, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.ref_id;
        let mut tx = db.begin_write().await?;
        let mut wrote = false;
        for rec in &page {
            out.checked += 1;
            let Some(v) = decide(rec) else { continue };
            if let Some(lit) = v.light.filter(|l| l.as_str() != rec.light) {
                record::set_light(&mut tx, kind, rec.ref_id, lit).await?;
                out.lights_changed += 1;
            }
            let Some(unit) = rec.owner_unit_id else { continue };
            wrote |= climb(&mut tx, &actor, kind, rec.ref_id, v.rungs, unit, &v.limit, today, now, &mut out).await?;
        }
        finish(tx, wrote, run).await?;
    }
    Ok(out)
}

/// Kinds whose module runs its own part (with facts the record does not hold: a task's planned
/// progress, an appeal's rework count, a project's investment against its plan); the core runs
/// every other kind's.
const OWN_PARTS: &[&str] = &["task", "appeal", "project"];

/// The core's part for a kind that brings nothing but its workflow and its record: the light
/// from the limit alone (due soon by `{kind}.light.due_soon_working_days`), and the ladder by
/// the county's rules for the kind (`{kind}.ladder.*`, else the appeals' defaults), each notice with its trail entry and audit row.
async fn core_part(db: &Db, kind: &str, today: NaiveDate, now: i64, run: Run) -> Result<KindCount> {
    let cal = calendar::load(db).await?;
    let rules = crate::RulesInForce::load(db, today).await?;
    let rung = |key: &str, def: i64| rules.int(&format!("{kind}.ladder.{key}")).unwrap_or(def);
    let ladder_rules = LadderRules {
        reminder_before_working_days: rung("reminder_before_working_days", 1),
        notice_after_working_days: rung("notice_after_working_days", 1),
        report_after_working_days: rung("report_after_working_days", 5),
    };
    let due_soon = rules.int(&format!("{kind}.light.due_soon_working_days")).unwrap_or(2);
    let light_rules = LightRules { due_soon: DueSoon::WorkingDays(due_soon), yellow_behind_points: 100.0, red_behind_points: 100.0 };
    walk(db, kind, today, now, run, |rec| {
        let phase = Phase::parse(&rec.phase)?;
        let left = rec.due_at.map(|d| working_days_left(&cal, today, local_date(d - 1)));
        let standing = Standing { phase, clock_runs: true, due: rec.due_at, now, working_days_left: left, behind_points: 0.0, flagged: false };
        let lit = light(&standing, &light_rules);
        let (rungs, limit) = match (rec.due_at, left) {
            (Some(due), Some(left)) => (ladder(phase, true, left, &ladder_rules), ymd(local_date(due - 1))),
            _ => (Vec::new(), String::new()),
        };
        Some(Verdict { light: Some(lit), rungs, limit })
    })
    .await
}
