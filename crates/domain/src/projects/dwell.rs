//! 中梗阻: how long projects stay in each stage and each approval item. A stay (a stage visit or
//! an approval item's visit) counts the working days of the period it covers, `(from, to]`,
//! an open one up to today; an item that re-enters counts the sum of its visits and their
//! number. Figures group the stays (by stage, by item, by unit, by project type) with the
//! projects behind each, longest first.

use crate::calendar::Calendar;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;
use std::collections::BTreeMap;

/// Working days between any two dates of a range in constant time (a running count per day),
/// so a report over a hundred thousand stays reads the calendar once. Days outside the
/// calendar's years count Monday to Friday.
#[derive(Debug, Clone)]
pub struct DayIndex {
    first: NaiveDate,
    cum: Vec<i64>,
}

impl DayIndex {
    pub fn new(cal: &Calendar, first: NaiveDate, last: NaiveDate) -> DayIndex {
        let n = usize::try_from((last - first).num_days().max(0)).unwrap_or(0) + 1;
        let mut cum = Vec::with_capacity(n);
        let mut total = 0;
        let mut d = first;
        for i in 0..n {
            if i > 0 && cal.is_working_day(d).unwrap_or(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun)) {
                total += 1;
            }
            cum.push(total);
            d += Duration::days(1);
        }
        DayIndex { first, cum }
    }

    fn at(&self, d: NaiveDate) -> i64 {
        let i = (d - self.first).num_days().clamp(0, self.cum.len() as i64 - 1);
        self.cum.get(usize::try_from(i).unwrap_or(0)).copied().unwrap_or(0)
    }

    /// Working days in `(a, b]` (0 when `b` is not after `a`; dates outside the range clamp to it).
    pub fn between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        (self.at(b) - self.at(a)).max(0)
    }
}

/// One stay of a project somewhere: a stage visit or an approval item's visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    pub project_id: i64,
    /// The project's template (its type).
    pub template: String,
    /// The pipeline stage, or the approval stage `1`…`4` for an item.
    pub stage: String,
    /// The approval item's code (None for a pipeline stage).
    pub item: Option<String>,
    /// The approving unit (None for a pipeline stage).
    pub unit_id: Option<i64>,
    pub from: NaiveDate,
    /// None while it lasts.
    pub to: Option<NaiveDate>,
}

/// A chosen period, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Stay {
    /// Does the stay touch the period at all?
    pub fn overlaps(&self, p: &Period, today: NaiveDate) -> bool {
        self.from <= p.to && self.to.unwrap_or(today) >= p.from
    }
    /// Its working days inside the period.
    pub fn days_in(&self, p: &Period, today: NaiveDate, idx: &DayIndex) -> i64 {
        let start = self.from.max(p.from - Duration::days(1));
        let end = self.to.unwrap_or(today).min(p.to).min(today);
        idx.between(start, end)
    }
}

/// One project behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Behind {
    pub project_id: i64,
    pub days: i64,
    pub visits: i64,
}

/// A figure of the report: a stage, an item, a unit or a type, with its projects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub key: String,
    /// Working days summed over every visit in the period.
    pub days: i64,
    pub visits: i64,
    /// Working days per project (days / projects).
    pub average: f64,
    /// How many projects stayed there.
    pub project_count: usize,
    /// The longest project first.
    pub projects: Vec<Behind>,
}

/// Group the stays by `key` (a stay without a key is left out), longest average first.
pub fn figures(stays: &[Stay], p: &Period, today: NaiveDate, idx: &DayIndex, key: impl Fn(&Stay) -> Option<String>) -> Vec<Figure> {
    let mut groups: BTreeMap<String, BTreeMap<i64, (i64, i64)>> = BTreeMap::new();
    for s in stays.iter().filter(|s| s.overlaps(p, today)) {
        let Some(k) = key(s) else { continue };
        let slot = groups.entry(k).or_default().entry(s.project_id).or_insert((0, 0));
        slot.0 += s.days_in(p, today, idx);
        slot.1 += 1;
    }
    let mut out: Vec<Figure> = groups
        .into_iter()
        .map(|(key, per)| {
            let mut projects: Vec<Behind> = per.into_iter().map(|(project_id, (days, visits))| Behind { project_id, days, visits }).collect();
            projects.sort_by(|a, b| b.days.cmp(&a.days).then(a.project_id.cmp(&b.project_id)));
            let days = projects.iter().map(|b| b.days).sum::<i64>();
            let visits = projects.iter().map(|b| b.visits).sum::<i64>();
            let average = if projects.is_empty() { 0.0 } else { days as f64 / projects.len() as f64 };
            Figure { key, days, visits, average, project_count: projects.len(), projects }
        })
        .collect();
    out.sort_by(|a, b| b.average.total_cmp(&a.average).then(a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stay(project_id: i64, item: &str, unit: i64, from: &str, to: Option<&str>) -> Stay {
        Stay { project_id, template: "government".into(), stage: "1".into(), item: Some(item.into()), unit_id: Some(unit), from: d(from), to: to.map(d) }
    }

    #[test]
    fn the_index_agrees_with_the_calendar() {
        let cal = Calendar::shipped().unwrap();
        let idx = DayIndex::new(&cal, d("2025-01-01"), d("2026-12-31"));
        for (a, b) in [("2026-02-13", "2026-03-02"), ("2026-06-01", "2026-06-30"), ("2025-09-28", "2025-10-09"), ("2026-01-01", "2026-01-01")] {
            assert_eq!(idx.between(d(a), d(b)), cal.working_days_between(d(a), d(b)).unwrap(), "{a}..{b}");
        }
        assert_eq!(idx.between(d("2026-03-02"), d("2026-02-13")), 0);
    }

    #[test]
    fn visits_are_summed_and_clipped_to_the_period() {
        let cal = Calendar::shipped().unwrap();
        let idx = DayIndex::new(&cal, d("2026-01-01"), d("2026-12-31"));
        let today = d("2026-06-30");
        let p = Period { from: d("2026-06-01"), to: d("2026-06-30") };
        let stays = vec![
            // Project 1: returned once and resubmitted; two visits of the same item.
            stay(1, "site_opinion", 7, "2026-06-01", Some("2026-06-05")),
            stay(1, "site_opinion", 7, "2026-06-10", Some("2026-06-12")),
            // Project 2: still waiting; started before the period (only June counts).
            stay(2, "site_opinion", 7, "2026-05-20", None),
            // Another unit, quick.
            stay(3, "filing", 5, "2026-06-01", Some("2026-06-02")),
            // Outside the period: left out.
            stay(4, "filing", 5, "2026-04-01", Some("2026-04-03")),
        ];
        let by_item = figures(&stays, &p, today, &idx, |s| s.item.clone());
        assert_eq!(by_item[0].key, "site_opinion");
        // (1 Jun, 5 Jun] = 4, (10, 12] = 2; project 2: (31 May, 30 Jun] = 21 working days (端午 19 Jun).
        assert_eq!(by_item[0].projects, vec![Behind { project_id: 2, days: 21, visits: 1 }, Behind { project_id: 1, days: 6, visits: 2 }]);
        assert_eq!((by_item[0].days, by_item[0].visits, by_item[0].average), (27, 3, 13.5));
        assert_eq!((by_item[1].key.as_str(), by_item[1].days, by_item[1].projects.len()), ("filing", 1, 1));
        let by_unit = figures(&stays, &p, today, &idx, |s| s.unit_id.map(|u| u.to_string()));
        assert_eq!(by_unit.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(), vec!["7", "5"]);
    }
}
