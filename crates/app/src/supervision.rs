//! The one supervision run (督查) over every kind of duty: each kind's part recomputes its
//! lights and raises its ladder's notices (unique per duty, level and deadline, so several nodes
//! raise each once), for today only; another date is a rehearsal that writes nothing.

use crate::{ymd, Result};
use chrono::NaiveDate;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::Db;
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
    tracing::info!(?out, "supervision run");
    Ok(out)
}
