//! 民生实事 use cases: "群众提、代表定、政府办、公众评". Who may do what:
//! - the screening desk (the unit rule `livelihood.desk_unit` names) and the principal leaders
//!   screen; the department a proposal is handed to assesses it;
//! - the congress office (`livelihood.congress_unit`) runs the vote and rating sessions; its people
//!   sign the result as tellers; deputies (their own accounts) propose, vote and rate;
//! - the finance bureau (`livelihood.finance_unit`) sets the year's 可用财力;
//! - proposals are not secret, a citizen's name and phone are: only the desk and the hotline see them.

pub mod proposals;
pub mod ratings;
pub mod report;
pub mod screening;
pub mod sessions;

use crate::{forbidden, Result, RulesInForce, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::money::Fen;
use luoshi_domain::unit::Unit;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::livelihood::{self as store, YearRow};
use luoshi_storage::Db;

/// The three offices the rules name.
#[derive(Debug, Clone)]
pub struct Offices {
    pub desk: Unit,
    pub congress: Unit,
    pub finance: Unit,
}

pub async fn offices(db: &Db, today: NaiveDate) -> Result<Offices> {
    Ok(Offices {
        desk: crate::rule_unit(db, "livelihood.desk_unit", today).await?,
        congress: crate::rule_unit(db, "livelihood.congress_unit", today).await?,
        finance: crate::rule_unit(db, "livelihood.finance_unit", today).await?,
    })
}

/// What a caller is to the module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    /// Screens (the desk's people, principal leaders, the system).
    pub desk: bool,
    /// Runs sessions and signs results (the congress office's people).
    pub congress: bool,
    /// Sets 可用财力.
    pub finance: bool,
    /// Sees every proposal (the desk, the congress office, leaders, supervision, hotline, admin).
    pub sees_all: bool,
    /// Sees citizens' names and phones (the desk and the hotline).
    pub personal: bool,
    pub deputy: bool,
}

pub async fn access(db: &Db, who: &Who, today: NaiveDate) -> Result<(Access, Offices)> {
    let o = offices(db, today).await?;
    let Some(role) = who.role else {
        return Ok((Access { desk: true, congress: true, finance: true, sees_all: true, personal: true, deputy: false }, o));
    };
    let unit_user = matches!(role, Role::UnitManager | Role::UnitStaff);
    let desk = (unit_user && who.acts_for(&o.desk.path)) || (role == Role::Leader && who.principal);
    let congress = unit_user && who.acts_for(&o.congress.path);
    let finance = unit_user && who.acts_for(&o.finance.path);
    let sees_all = desk || congress || matches!(role, Role::Leader | Role::Supervisor | Role::Hotline | Role::Admin);
    let a = Access { desk, congress, finance, sees_all, personal: desk || role == Role::Hotline, deputy: role == Role::Deputy };
    Ok((a, o))
}

/// The year a day's proposals belong to: collected in a year for the next year's projects
/// (September's collection picks next year's ten).
pub fn project_year(today: NaiveDate) -> i32 {
    today.year() + 1
}

/// A year's settings; when not set, collection in the rule's month of the year before.
pub async fn year_settings(db: &Db, year: i32, today: NaiveDate) -> Result<YearRow> {
    if let Some(y) = store::year(db, i64::from(year)).await? {
        return Ok(y);
    }
    let month = RulesInForce::load(db, today).await?.int("livelihood.collect_month").unwrap_or(9).clamp(1, 12) as u32;
    let from = NaiveDate::from_ymd_opt(year - 1, month, 1).unwrap_or(today);
    let to = from.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(from);
    Ok(YearRow {
        year: i64::from(year),
        collect_from: crate::ymd(from),
        collect_to: crate::ymd(to),
        capacity: Fen(0),
        version: 0,
        updated_by: String::new(),
        updated_at: 0,
    })
}

/// A year's settings as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct YearInput {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub collect_from: String,
    #[serde(default)]
    pub collect_to: String,
    /// 可用财力 (万元): only the finance bureau sets it.
    #[serde(default)]
    pub capacity_wan: String,
}

/// Set a year's collection period (the desk) and 可用财力 (the finance bureau).
pub async fn set_year(db: &Db, who: &Who, input: &YearInput, now: i64) -> Result<YearRow> {
    let today = luoshi_domain::time::local_date(now);
    let (a, _) = access(db, who, today).await?;
    if !a.desk && !a.finance {
        return Err(forbidden());
    }
    let raw = input.year.trim();
    if raw.is_empty() {
        return Err(DomainError::required("year").into());
    }
    let year: i32 =
        raw.parse().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| DomainError::field(ErrorCode::OutOfRange, "year").with_detail(raw.to_string()))?;
    let current = year_settings(db, year, today).await?;
    let bounds = crate::date_bounds(db, today).await?;
    let (from, to) = if a.desk && !(input.collect_from.trim().is_empty() && input.collect_to.trim().is_empty()) {
        let from = bounds.parse("collect_from", &input.collect_from)?;
        let to = bounds.parse("collect_to", &input.collect_to)?;
        if to < from {
            return Err(DomainError::field(ErrorCode::OutOfRange, "collect_to").with_detail(crate::ymd(from)).into());
        }
        (crate::ymd(from), crate::ymd(to))
    } else {
        (current.collect_from.clone(), current.collect_to.clone())
    };
    let capacity = match input.capacity_wan.trim() {
        "" => current.capacity,
        _ if !a.finance => return Err(DomainError::field(ErrorCode::Forbidden, "capacity_wan").into()),
        raw => Fen::parse_wan(raw, "capacity_wan")?,
    };
    let mut tx = db.begin_write().await?;
    store::put_year(&mut tx, &who.actor, i64::from(year), &from, &to, capacity, now).await?;
    tx.commit().await?;
    year_settings(db, year, today).await
}
