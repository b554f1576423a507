//! 债务风险 use cases. The book is sensitive: only the finance bureau (rule
//! `debt.finance_unit`), the principal leaders and those they grant see it ([`may_see`], checked
//! by every debt route before its handler), and every read of an instrument's detail is audited.
//! The finance bureau's people write it; its managers and the principal leaders grant sight.

pub mod duties;
pub mod figures;
pub mod instruments;
pub mod io;
pub mod scenarios;
pub mod settings;
pub mod transactions;

use crate::{forbidden, Result, RulesInForce, Who};
use chrono::NaiveDate;
use luoshi_domain::debt::ratios::Thresholds;
use luoshi_domain::money::Ppm;
use luoshi_domain::user::Role;
use luoshi_storage::Db;

/// The finance bureau (the unit rule `debt.finance_unit` names; every debt request asks).
pub async fn finance_unit(db: &Db, today: NaiveDate) -> Result<luoshi_domain::unit::Unit> {
    crate::rule_unit(db, "debt.finance_unit", today).await
}

/// What a caller may do with the debt book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    pub read: bool,
    /// Record instruments, transactions, limits, 综合财力, borrowers; run the watch.
    pub write: bool,
    /// Grant and withdraw sight; accept or return plans and measures.
    pub decide: bool,
}

/// The caller's access: the finance bureau's people write (its managers also decide), a
/// principal leader reads and decides, a granted user reads; the system does everything.
pub async fn access(db: &Db, who: &Who, today: NaiveDate) -> Result<Access> {
    let Some(role) = who.role else { return Ok(Access { read: true, write: true, decide: true }) };
    if role == Role::Leader && who.principal {
        return Ok(Access { read: true, write: false, decide: true });
    }
    let finance = finance_unit(db, today).await?;
    if matches!(role, Role::UnitManager | Role::UnitStaff) && who.acts_for(&finance.path) {
        return Ok(Access { read: true, write: true, decide: role == Role::UnitManager });
    }
    let granted = match who.user_id {
        Some(id) => luoshi_storage::debt::granted(db, id).await?,
        None => false,
    };
    Ok(Access { read: granted, ..Access::default() })
}

/// May the caller see the debt book at all? (The route guard asks this of every debt route.)
pub async fn may_see(db: &Db, who: &Who, today: NaiveDate) -> Result<bool> {
    Ok(access(db, who, today).await?.read)
}

pub(crate) async fn writer(db: &Db, who: &Who, today: NaiveDate) -> Result<Access> {
    let a = access(db, who, today).await?;
    if !a.write {
        return Err(forbidden());
    }
    Ok(a)
}

pub(crate) async fn reader(db: &Db, who: &Who, today: NaiveDate) -> Result<Access> {
    let a = access(db, who, today).await?;
    if !a.read {
        return Err(forbidden());
    }
    Ok(a)
}

/// A percentage rule in basis points.
fn bp(rules: &RulesInForce, key: &str, default: f64) -> i64 {
    (rules.num(key).unwrap_or(default) * 100.0).round() as i64
}

/// The warning thresholds in force.
pub fn thresholds(rules: &RulesInForce) -> Thresholds {
    Thresholds {
        ratio_bands: [
            bp(rules, "debt.warn.ratio_yellow_percent", 120.0),
            bp(rules, "debt.warn.ratio_orange_percent", 200.0),
            bp(rules, "debt.warn.ratio_red_percent", 300.0),
        ],
        overdue_grades: [
            bp(rules, "debt.warn.overdue_iv_percent", 10.0),
            bp(rules, "debt.warn.overdue_iii_percent", 20.0),
            bp(rules, "debt.warn.overdue_ii_percent", 50.0),
        ],
        service_bp: bp(rules, "debt.warn.service_percent", 20.0),
        nonstandard_target_bp: bp(rules, "debt.target.nonstandard_percent", 15.0),
        trust_leasing_target_bp: bp(rules, "debt.target.trust_leasing_percent", 8.0),
        rate_cap: Ppm((rules.num("debt.target.rate_cap_percent").unwrap_or(5.5) * 10_000.0).round() as i64),
    }
}
