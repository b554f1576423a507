//! What the finance bureau keeps beside the instruments: borrowers, each year's 限额 and
//! 综合财力 components, and who else may see the book (granted by its managers or a principal
//! leader, withdrawn the same way; both audited).

use super::{access, reader, writer};
use crate::{forbidden, Result, Who};
use luoshi_domain::debt::{BorrowerKind, Category};
use luoshi_domain::error::required_text;
use luoshi_domain::money::Fen;
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::debt::write::{self as store, NewBorrower};
use luoshi_storage::debt::{self, Borrower, Grant};
use luoshi_storage::{units, users, Db};
use serde::Deserialize;

/// A borrower as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BorrowerInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    /// 统一社会信用代码 (a platform's).
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    pub owner: String,
    /// 退出融资平台 on this day (empty: still a platform).
    #[serde(default)]
    pub exited_on: String,
    /// The unit that answers for its maturities (its name).
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub note: String,
}

/// Check a borrower as typed (the unit resolved by name).
pub async fn checked_borrower(db: &Db, b: &BorrowerInput) -> Result<NewBorrower> {
    let name = required_text("name", &b.name, 128)?;
    let kind = BorrowerKind::parse(&b.kind).ok_or_else(|| {
        if b.kind.trim().is_empty() {
            DomainError::required("borrower_kind")
        } else {
            DomainError::invalid("borrower_kind").with_detail(b.kind.trim().to_string())
        }
    })?;
    let uscc = b.uscc.trim().to_ascii_uppercase();
    let valid = luoshi_domain::checksum::uscc_shape_ok(&uscc) && luoshi_domain::checksum::uscc_checksum_ok(&uscc);
    if !uscc.is_empty() && !valid {
        return Err(DomainError::invalid("uscc").with_detail(uscc).into());
    }
    if kind == BorrowerKind::Platform && uscc.is_empty() {
        return Err(DomainError::required("uscc").into());
    }
    let exited_on = b.exited_on.trim();
    if !exited_on.is_empty() && chrono::NaiveDate::parse_from_str(exited_on, "%Y-%m-%d").is_err() {
        return Err(DomainError::invalid("exited_on").with_detail(exited_on.to_string()).into());
    }
    if b.unit.trim().is_empty() {
        return Err(DomainError::required("unit").into());
    }
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let unit = units::resolve(&all, b.unit.trim()).map_err(|_| DomainError::invalid("unit").with_detail(b.unit.trim().to_string()))?;
    Ok(NewBorrower {
        name,
        kind,
        uscc: (!uscc.is_empty()).then_some(uscc),
        owner: b.owner.trim().chars().take(128).collect(),
        exited_on: (!exited_on.is_empty()).then(|| exited_on.to_string()),
        unit_id: unit.id,
        note: b.note.trim().chars().take(500).collect(),
    })
}

/// Register a borrower (or update the one of that name); its id.
pub async fn put_borrower(db: &Db, who: &Who, b: &BorrowerInput, now: i64) -> Result<i64> {
    let n = checked_borrower(db, b).await?;
    writer(db, who, local_date(now)).await?;
    let mut tx = db.begin_write().await?;
    let id = store::put_borrower(&mut tx, &who.actor, &n, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn borrowers(db: &Db, who: &Who, now: i64) -> Result<Vec<Borrower>> {
    reader(db, who, local_date(now)).await?;
    debt::borrowers(db).await
}

/// A year's settings as typed: the two 限额 and the 综合财力 components (`name amount` per
/// line, 万元).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct YearInput {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub year: Option<i64>,
    #[serde(default)]
    pub general_limit_wan: String,
    #[serde(default)]
    pub special_limit_wan: String,
    #[serde(default)]
    pub capacity: String,
}

/// Set a year's 限额 and 综合财力 (either may be left empty to keep it).
pub async fn set_year(db: &Db, who: &Who, y: &YearInput, now: i64) -> Result<()> {
    let year = y.year.filter(|v| (2000..=2100).contains(v)).ok_or_else(|| DomainError::invalid("year"))?;
    let mut limits = Vec::new();
    for (c, raw, field) in [(Category::General, &y.general_limit_wan, "general_limit_wan"), (Category::Special, &y.special_limit_wan, "special_limit_wan")] {
        if !raw.trim().is_empty() {
            limits.push((c, Fen::parse_wan(raw, field)?));
        }
    }
    let mut parts = Vec::new();
    for line in y.capacity.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, amount) = line
            .rsplit_once(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .ok_or_else(|| DomainError::invalid("capacity").with_detail(line.to_string()))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(DomainError::invalid("capacity").with_detail(line.to_string()).into());
        }
        parts.push((name.to_string(), Fen::parse_wan(amount, "capacity").map_err(|_| DomainError::invalid("capacity").with_detail(line.to_string()))?));
    }
    writer(db, who, local_date(now)).await?;
    let mut tx = db.begin_write().await?;
    for (c, l) in &limits {
        store::set_limit(&mut tx, &who.actor, year, *c, *l).await?;
    }
    if !parts.is_empty() {
        store::set_capacity(&mut tx, &who.actor, year, &parts).await?;
    }
    if limits.is_empty() && parts.is_empty() {
        return Err(DomainError::required("capacity").into());
    }
    tx.commit().await?;
    Ok(())
}

/// A grant as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GrantInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub reason: String,
}

/// Grant a user sight of the book (the finance bureau's managers, a principal leader).
pub async fn grant(db: &Db, who: &Who, g: &GrantInput, now: i64) -> Result<()> {
    let reason = required_text("reason", &g.reason, 200)?;
    let user = users::by_username(db, g.username.trim()).await?.ok_or_else(|| DomainError::invalid("username").with_detail(g.username.trim().to_string()))?;
    if !access(db, who, local_date(now)).await?.decide {
        return Err(forbidden());
    }
    let mut tx = db.begin_write().await?;
    store::grant(&mut tx, &who.actor, user.id, &reason, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraw a grant.
pub async fn revoke(db: &Db, who: &Who, user_id: i64, now: i64) -> Result<()> {
    if !debt::granted(db, user_id).await? {
        return Err(DomainError::not_found("grant").into());
    }
    if !access(db, who, local_date(now)).await?.decide {
        return Err(forbidden());
    }
    let mut tx = db.begin_write().await?;
    store::revoke(&mut tx, &who.actor, user_id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn grants(db: &Db, who: &Who, now: i64) -> Result<Vec<Grant>> {
    reader(db, who, local_date(now)).await?;
    debt::grants(db).await
}

/// The 限额 and 综合财力 of a year.
pub async fn year(db: &Db, who: &Who, year: i64, now: i64) -> Result<(Vec<(Category, Fen)>, Vec<(String, Fen)>)> {
    reader(db, who, local_date(now)).await?;
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::field(ErrorCode::OutOfRange, "year").into());
    }
    Ok((debt::limits(db, year).await?, debt::capacity(db, year).await?))
}
