//! Directives and the tasks created under them (立项), with the plausibility of their dates.

use crate::{forbidden, ymd, Result, Who};
use chrono::NaiveDate;
use luoshi_domain::duty::Light;
use luoshi_domain::tasks::TaskInput;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store, DirectiveInput, Duty};
use luoshi_storage::Db;

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
