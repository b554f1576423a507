//! 通报: the periodic supervision report, per unit, with a fair ranking.

use crate::{forbidden, Result, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::duty::{rank, NoticeLevel, UnitStats};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks as store;
use luoshi_storage::{rules, Db};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PeriodReport {
    pub period: String,
    pub from: String,
    pub to: String,
    pub min_items: i64,
    pub units: Vec<UnitStats>,
    /// Closed before their deadline: praised (unit name, task, closed on, deadline).
    pub early: Vec<(String, String, String, String)>,
    /// Tasks included in the public report (通报) in the period.
    pub criticised: Vec<store::Notice>,
    pub notices: usize,
    pub reminders: usize,
    pub praise: Vec<store::Incentive>,
}

/// `YYYY-MM` → its first and last day.
pub fn month_bounds(period: &str) -> Result<(NaiveDate, NaiveDate), DomainError> {
    let bad = || DomainError::invalid("period").with_detail(period.to_string());
    let first = NaiveDate::parse_from_str(&format!("{}-01", period.trim()), "%Y-%m-%d").map_err(|_| bad())?;
    let next = if first.month() == 12 { NaiveDate::from_ymd_opt(first.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1) };
    let last = next.and_then(|n| n.pred_opt()).ok_or_else(bad)?;
    Ok((first, last))
}

/// The report of a month as it stood at its end, or today for the current month (a month
/// still to come has nothing to report).
pub async fn build(db: &Db, who: &Who, period: &str, today: NaiveDate) -> Result<PeriodReport> {
    if !(who.is_supervisor() || who.role == Some(luoshi_domain::user::Role::Leader)) {
        return Err(forbidden());
    }
    let (from, to) = month_bounds(period)?;
    crate::date_bounds(db, today).await?.check("period", from)?;
    if from > today {
        return Err(DomainError::field(ErrorCode::OutOfRange, "period").with_detail(today.format("%Y-%m").to_string()).into());
    }
    let as_of = to.min(today);
    let (f, t) = (crate::ymd(from), crate::ymd(to));
    let min_items = rules::int_value(db, "supervision.ranking.min_items", &t).await?;
    let mut units = store::period_stats(db, &f, &crate::ymd(as_of)).await?;
    let early_rows = store::early_closures(db, &f, &t).await?;
    for u in units.iter_mut() {
        u.early = i64::try_from(early_rows.iter().filter(|e| e.0 == u.unit_id).count()).unwrap_or(0);
    }
    rank(&mut units, min_items);
    units.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.unit_id.cmp(&b.unit_id),
    });
    let names: std::collections::HashMap<i64, String> = units.iter().map(|u| (u.unit_id, u.unit_name.clone())).collect();
    let early = early_rows.into_iter().map(|(u, title, closed, dl)| (names.get(&u).cloned().unwrap_or_default(), title, closed, dl)).collect();
    let all = store::notices_in(db, &f, &t).await?;
    let praise = store::incentives(db, 500).await?.into_iter().filter(|i| {
        let d = luoshi_domain::time::local_date(i.at);
        d >= from && d <= to
    });
    Ok(PeriodReport {
        period: period.trim().to_string(),
        from: f,
        to: t,
        min_items,
        units,
        early,
        notices: all.iter().filter(|n| n.level == NoticeLevel::Notice).count(),
        reminders: all.iter().filter(|n| n.level == NoticeLevel::Reminder).count(),
        criticised: all.into_iter().filter(|n| n.level == NoticeLevel::Report).collect(),
        praise: praise.collect(),
    })
}

pub const XLSX_COLUMNS: [&str; 11] = ["排名", "单位", "事项数", "按时办结", "逾期办结", "逾期未办结", "红灯", "退回重办", "提前办结", "容错免责", "得分"];

/// The report's unit table as an xlsx workbook.
pub fn to_xlsx(r: &PeriodReport) -> Result<Vec<u8>, DomainError> {
    let rows: Vec<Vec<String>> = r
        .units
        .iter()
        .map(|u| {
            vec![
                u.rank.map(|x| x.to_string()).unwrap_or_else(|| "不排名".into()),
                u.unit_name.clone(),
                u.items.to_string(),
                u.closed_on_time.to_string(),
                u.closed_late.to_string(),
                u.open_overdue.to_string(),
                u.red.to_string(),
                u.returned.to_string(),
                u.early.to_string(),
                u.exempted.to_string(),
                u.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
            ]
        })
        .collect();
    luoshi_ledger::write_xlsx(&format!("通报{}", r.period), &XLSX_COLUMNS, &rows).map_err(|e| {
        if e.code == ErrorCode::Internal {
            DomainError::new(ErrorCode::Internal)
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        let (a, b) = month_bounds("2026-02").unwrap();
        assert_eq!((crate::ymd(a), crate::ymd(b)), ("2026-02-01".into(), "2026-02-28".into()));
        let (_, b) = month_bounds("2026-12").unwrap();
        assert_eq!(crate::ymd(b), "2026-12-31");
        assert_eq!(month_bounds("2026-13").unwrap_err().field.as_deref(), Some("period"));
    }
}
