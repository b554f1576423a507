//! 值班表: who is on duty at the 应急指挥中心 and at each unit, by day, imported from xlsx (or
//! CSV). Every row is checked (date, unit, name, phone) and every problem reported by row and
//! column; nothing is written unless every row is good. The county's office imports for every
//! unit, a unit for itself and those below it.

use super::{commands, office};
use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::access::Scope;
use luoshi_domain::time::local_date;
use luoshi_domain::unit_import::RowError;
use luoshi_domain::DomainError;
use luoshi_storage::emergencies::roster::{self as store, OnDuty};
use luoshi_storage::{units, Db};

/// The roster's columns, in order.
pub const COLUMNS: [&str; 5] = ["日期", "单位", "姓名", "电话", "岗位"];

/// A date as spreadsheets give it: `2026-12-02`, `2026/12/2`, or with a time after it.
fn day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t.split(['T', ' ']).next().unwrap_or(t);
    NaiveDate::parse_from_str(t, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d")).ok()
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Imported {
    pub rows: usize,
    pub units: usize,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Check a roster and write it, replacing the days and units it names.
pub async fn import(db: &Db, who: &Who, bytes: &[u8], file_name: &str, now: i64) -> Result<std::result::Result<Imported, Vec<RowError>>> {
    let table = match luoshi_ledger::read_table(bytes, luoshi_ledger::Format::detect(file_name, bytes)) {
        Ok(t) => t,
        Err(e) => return Ok(Err(vec![RowError::new(1, "", e)])),
    };
    let idx = match luoshi_ledger::column_index(&table, &COLUMNS, &["日期", "单位", "姓名"]) {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    if table.rows.is_empty() {
        return Ok(Err(vec![RowError::new(1, "日期", DomainError::required("file"))]));
    }
    let today = local_date(now);
    let bounds = crate::date_bounds(db, today).await?;
    let all = units::list(db, &Scope::All).await?;
    let county = commands(who, &office(db, today).await?.path);
    let mut errors = Vec::new();
    let mut rows: Vec<OnDuty> = Vec::new();
    for (row, cells) in &table.rows {
        let get = |i: usize| idx[i].and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut err = |col: &str, e: DomainError| errors.push(RowError::new(*row, col, e));
        let d = match day(&get(0)) {
            Some(d) => match bounds.check("day", d) {
                Ok(d) => Some(d),
                Err(e) => {
                    err("日期", e);
                    None
                }
            },
            None => {
                err("日期", DomainError::invalid("day").with_detail(get(0)));
                None
            }
        };
        let unit = match units::resolve(&all, &get(1)) {
            Ok(u) if county || who.acts_for(&u.path) => Some(u),
            Ok(u) => {
                err("单位", DomainError::forbidden().with_detail(u.name.clone()));
                None
            }
            Err(e) => {
                err("单位", e);
                None
            }
        };
        let person = get(2);
        if person.is_empty() || person.chars().count() > 30 {
            err("姓名", if person.is_empty() { DomainError::required("person") } else { DomainError::invalid("person") });
        }
        let phone = get(3);
        let phone_ok = phone.len() <= 20 && phone.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
        if !phone_ok {
            err("电话", DomainError::invalid("phone").with_detail(phone.clone()));
        }
        if let (Some(d), Some(u)) = (d, unit) {
            let day = crate::ymd(d);
            let seq = rows.iter().filter(|r| r.unit_id == u.id && r.day == day).count() as i64 + 1;
            rows.push(OnDuty { unit_id: u.id, unit_name: u.name.clone(), day, seq, person, phone, post: get(4) });
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = db.begin_write().await?;
    let n = store::replace(&mut tx, &who.actor, &rows).await?;
    tx.commit().await?;
    let mut units: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
    units.sort_unstable();
    units.dedup();
    Ok(Ok(Imported { rows: n, units: units.len(), from: rows.iter().map(|r| r.day.clone()).min(), to: rows.iter().map(|r| r.day.clone()).max() }))
}

/// The roster of `from` and the six days after it (what the roster page shows).
pub async fn week(db: &Db, who: &Who, from: NaiveDate) -> Result<Vec<OnDuty>> {
    if matches!(who.role, Some(luoshi_domain::user::Role::Hotline | luoshi_domain::user::Role::Deputy)) {
        return Err(crate::forbidden());
    }
    let to = from + chrono::Days::new(6);
    store::between(db, &crate::ymd(from), &crate::ymd(to), 5000).await
}
