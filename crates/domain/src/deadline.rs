//! 完成时限 as county offices write them: dates, 年底前, 三季度, 6月底前, 上半年, 长期坚持.

use crate::tasks::Term;
use chrono::NaiveDate;

/// Read a deadline as county offices write it. `year` is the directive's year.
pub fn parse_deadline(raw: &str, year: i32) -> Option<(NaiveDate, Term)> {
    let s: String = raw.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.trim_end_matches("前").trim_end_matches("以前").trim_end_matches('止').to_string();
    let ymd_ = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let month_end = |y: i32, m: u32| {
        let next = if m == 12 { ymd_(y + 1, 1, 1) } else { ymd_(y, m + 1, 1) };
        next.and_then(|n| n.pred_opt())
    };
    if s.is_empty() {
        return None;
    }
    if s.contains("长期") || s.contains("持续") {
        // 长期坚持（2026-07-25）: a standing task with the date it is next checked; else year-end.
        let rest: String = ["长期坚持", "持续推进", "长期", "持续"].iter().fold(s.clone(), |r, w| r.replace(w, ""));
        let rest = rest.trim_matches(|c: char| "（）()，,：:；;".contains(c));
        let checked = if rest.is_empty() { None } else { parse_deadline(rest, year).map(|(d, _)| d) };
        return checked.or_else(|| ymd_(year, 12, 31)).map(|d| (d, Term::LongTerm));
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(&s, fmt) {
            return Some((d, Term::Current));
        }
    }
    let num = |t: &str| -> Option<u32> {
        let map = [("十二", 12), ("十一", 11), ("十", 10), ("一", 1), ("二", 2), ("三", 3), ("四", 4), ("五", 5), ("六", 6), ("七", 7), ("八", 8), ("九", 9)];
        t.parse().ok().or_else(|| map.iter().find(|(k, _)| *k == t).map(|(_, v)| *v))
    };
    let (y, rest) = match s.split_once('年') {
        Some((y, rest)) if y.chars().all(|c| c.is_ascii_digit()) && y.len() == 4 => (y.parse().ok()?, rest.to_string()),
        _ => (year, s.clone()),
    };
    if rest.is_empty() || rest.starts_with("底") || rest == "年底" || rest.starts_with("年底") || rest == "全年" || s == "年内" {
        return ymd_(y, 12, 31).map(|d| (d, Term::Current));
    }
    if rest.contains("上半年") {
        return ymd_(y, 6, 30).map(|d| (d, Term::Current));
    }
    if rest.contains("下半年") {
        return ymd_(y, 12, 31).map(|d| (d, Term::Current));
    }
    if let Some(q) = rest.strip_suffix("季度").or_else(|| rest.strip_suffix("季度末")) {
        let q = num(q.trim_start_matches('第'))?;
        return month_end(y, q.checked_mul(3).filter(|m| *m <= 12)?).map(|d| (d, Term::Current));
    }
    if let Some(m) = rest.strip_suffix("月底").or_else(|| rest.strip_suffix("月末")).or_else(|| rest.strip_suffix('月')) {
        return month_end(y, num(m).filter(|m| (1..=12).contains(m))?).map(|d| (d, Term::Current));
    }
    if let Some((m, d)) = rest.split_once('月') {
        let d = d.trim_end_matches('日');
        return ymd_(y, num(m)?, d.parse().ok()?).map(|d| (d, Term::Current));
    }
    None
}
