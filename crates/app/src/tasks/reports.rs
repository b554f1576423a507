//! 通报: the periodic supervision report, per unit, with a fair ranking.

use crate::{forbidden, Result, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::duty::{rank, NoticeLevel, UnitStats};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks as store;
use luoshi_storage::{rules, Db};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PeriodReport {
    pub period: String,
    /// The county's own name (its root unit), for the title.
    pub county: String,
    /// 发文机关 and 文号 from the rules in force, and the date it is issued (成文日期).
    pub issuer: String,
    pub doc_no: String,
    pub issued_on: NaiveDate,
    pub from: String,
    pub to: String,
    /// The day the figures stand at: the month's end, or today while it runs.
    pub as_of: String,
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
    let rules = crate::RulesInForce::load(db, as_of).await?;
    let issued_on = issue_date(to, rules.int("supervision.report.issue_day").unwrap_or(5), today);
    let doc_no = rules
        .text("supervision.report.number_format")
        .unwrap_or_default()
        .replace("{year}", &from.year().to_string())
        .replace("{n}", &from.month().to_string());
    let county = luoshi_storage::units::root(db).await?.map(|u| u.name).unwrap_or_default();
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
        county,
        issuer: rules.text("supervision.report.issuer").unwrap_or_default(),
        doc_no,
        issued_on,
        from: f,
        to: t,
        as_of: crate::ymd(as_of),
        min_items,
        units,
        early,
        notices: all.iter().filter(|n| n.level == NoticeLevel::Notice).count(),
        reminders: all.iter().filter(|n| n.level == NoticeLevel::Reminder).count(),
        criticised: all.into_iter().filter(|n| n.level == NoticeLevel::Report).collect(),
        praise: praise.collect(),
    })
}

/// The day a month's report is issued: `day` of the next month, or today when that has not
/// come yet (a report printed early is dated the day it is printed).
pub fn issue_date(month_end: NaiveDate, day: i64, today: NaiveDate) -> NaiveDate {
    let next = month_end.succ_opt().unwrap_or(month_end);
    let due = next.with_day(u32::try_from(day.clamp(1, 28)).unwrap_or(1)).unwrap_or(next);
    due.min(today)
}

/// Units by name with their item counts.
pub type Named<'a> = Vec<(&'a str, i64)>;

impl PeriodReport {
    /// Units listed but not ranked, with their counts: those with too few items, and those with
    /// enough whose items are none of them closed or overdue yet (nothing to score).
    pub fn unranked(&self) -> (Named<'_>, Named<'_>) {
        let off = self.units.iter().filter(|u| u.rank.is_none()).map(|u| (u.unit_name.as_str(), u.items));
        off.partition(|(_, items)| *items < self.min_items)
    }

    /// Totals over every unit: items, on time, late, open overdue.
    pub fn totals(&self) -> [i64; 4] {
        self.units.iter().fold([0; 4], |a, u| [a[0] + u.items, a[1] + u.closed_on_time, a[2] + u.closed_late, a[3] + u.open_overdue])
    }

    /// The title: the county's name and the month (2026年11月 in Chinese).
    pub fn heading(&self, lang: Lang) -> String {
        let period = if lang == Lang::En { self.period.clone() } else { period_zh(self) };
        t(lang, "report.heading").replace("{county}", &self.county).replace("{period}", &period)
    }

    /// 成文日期 as documents write it.
    pub fn date_text(&self, lang: Lang) -> String {
        if lang == Lang::En {
            self.issued_on.to_string()
        } else {
            luoshi_domain::time::date_zh(self.issued_on)
        }
    }

    /// 一、总体情况: the figures as they stand.
    pub fn summary(&self, lang: Lang) -> String {
        let [items, on_time, late, overdue] = self.totals();
        t(lang, "report.summary")
            .replace("{from}", &self.from)
            .replace("{to}", &self.as_of)
            .replace("{items}", &items.to_string())
            .replace("{on_time}", &on_time.to_string())
            .replace("{late}", &late.to_string())
            .replace("{overdue}", &overdue.to_string())
            .replace("{notices}", &self.notices.to_string())
            .replace("{reminders}", &self.reminders.to_string())
    }

    /// Why each unit listed is not ranked, a sentence for each reason that applies.
    pub fn unranked_sentences(&self, lang: Lang) -> Vec<String> {
        let sep = if lang == Lang::En { ", " } else { "、" };
        let list = |v: &[(&str, i64)]| {
            v.iter().map(|(u, n)| t(lang, "report.unranked_item").replace("{unit}", u).replace("{n}", &n.to_string())).collect::<Vec<_>>().join(sep)
        };
        let (few, none_due) = self.unranked();
        let mut out = Vec::new();
        if !few.is_empty() {
            out.push(t(lang, "report.unranked").replace("{n}", &self.min_items.to_string()).replace("{list}", &list(&few)));
        }
        if !none_due.is_empty() {
            out.push(t(lang, "report.unranked_none_due").replace("{list}", &list(&none_due)));
        }
        out
    }
}

pub const XLSX_COLUMNS: [&str; 11] = ["排名", "单位", "事项数", "按时办结", "逾期办结", "逾期未办结", "红灯", "退回重办", "提前办结", "容错免责", "得分"];

/// The unit table's rows, as the xlsx and the Word document print them.
fn table_rows(r: &PeriodReport) -> Vec<Vec<String>> {
    r.units
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
        .collect()
}

fn internal_only(e: DomainError) -> DomainError {
    if e.code == ErrorCode::Internal {
        DomainError::new(ErrorCode::Internal)
    } else {
        e
    }
}

/// The report's unit table as an xlsx workbook.
pub fn to_xlsx(r: &PeriodReport) -> Result<Vec<u8>, DomainError> {
    luoshi_ledger::write_xlsx(&format!("通报{}", r.period), &XLSX_COLUMNS, &table_rows(r)).map_err(internal_only)
}

/// The period as a document names it: 2026年11月.
pub fn period_zh(r: &PeriodReport) -> String {
    match month_bounds(&r.period) {
        Ok((first, _)) => format!("{}年{}月", first.year(), first.month()),
        Err(_) => r.period.clone(),
    }
}

/// The report as the county issues it (a Word document): masthead, 文号, title, the overall
/// figures, the table, units not ranked and why, praise, criticism, signature and date.
pub fn to_docx(r: &PeriodReport) -> Result<Vec<u8>, DomainError> {
    use luoshi_ledger::DocBlock as B;
    // The county issues it in Chinese: the page's own words, in Chinese.
    let zh = |k: &str| t(Lang::ZhCn, k).to_string();
    let mut b = vec![
        B::Masthead(r.issuer.clone()),
        B::Number(r.doc_no.clone()),
        B::Title(r.heading(Lang::ZhCn)),
        B::Heading(zh("report.h_overall")),
        B::Para(r.summary(Lang::ZhCn)),
        B::Heading(zh("report.h_units")),
        B::Table { headers: XLSX_COLUMNS.iter().map(|h| h.to_string()).collect(), rows: table_rows(r) },
        B::Para(zh("report.rule")),
    ];
    b.extend(r.unranked_sentences(Lang::ZhCn).into_iter().map(B::Para));
    b.push(B::Heading(zh("report.h_praise")));
    let mut praise: Vec<String> = r.early.iter().map(|e| format!("{}：{}（办结于 {}，完成时限 {}）", e.0, e.1, e.2, e.3)).collect();
    praise.extend(r.praise.iter().map(|p| format!("{}：{}", p.unit_name, p.reason)));
    if praise.is_empty() {
        praise.push(zh("report.none_this_period"));
    }
    b.extend(praise.into_iter().map(B::Para));
    b.push(B::Heading(zh("report.h_criticism")));
    if r.criticised.is_empty() {
        b.push(B::Para(zh("report.none_this_period")));
    }
    b.extend(r.criticised.iter().map(|n| B::Para(format!("{}：{}（完成时限 {}）", n.unit_name, n.duty_title, n.deadline))));
    b.push(B::Right(r.issuer.clone()));
    b.push(B::Right(r.date_text(Lang::ZhCn)));
    luoshi_ledger::write_blocks(&b).map_err(internal_only)
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

    #[test]
    fn a_report_is_dated_on_its_issue_day_or_today() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(issue_date(d("2026-10-31"), 5, d("2026-12-03")), d("2026-11-05"));
        assert_eq!(issue_date(d("2026-11-30"), 5, d("2026-12-03")), d("2026-12-03"));
        assert_eq!(issue_date(d("2026-12-31"), 5, d("2026-12-03")), d("2026-12-03"));
        assert_eq!(issue_date(d("2026-12-31"), 40, d("2027-02-01")), d("2027-01-28"));
    }
}
