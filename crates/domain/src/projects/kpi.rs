//! The project's light and the pipeline's KPIs, both from rule data.
//!
//! The light (银川's practice, rules-cn.md §1): 黄 when the start is due this month and has not
//! happened, 红 once it is `projects.light.start_red_months` months late; 黄 when the year's
//! investment is 10–30 points behind 序时进度 (the share of the year gone), 红 beyond; and each
//! stage's aging (`projects.aging.<stage>.yellow_working_days` / `red_working_days`).
//!
//! A KPI is a formula kept as a rule (`projects.kpi.<name>`): `count(...) / count(...)` or
//! `sum(field: ...) / sum(field: ...)`, the conditions separated by commas — `signed`,
//! `landed`, `started`, `operating` (reached that stage, not ended), `terminated`, `active`,
//! `signed_in_year`, `started_in_year`, `completed_in_year`, `planned_start_in_year`,
//! `started_on_time`; fields `total`, `in_place`, `invested`, `annual_plan`.

use super::{Stage, Yuan};
use crate::duty::Light;
use crate::error::{DomainError, ErrorCode};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// What the light and the KPIs read of a project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    pub stage: Option<Stage>,
    /// The furthest stage reached (a paused or ended project keeps it).
    pub reached: Option<Stage>,
    pub signed_on: Option<NaiveDate>,
    pub planned_start_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub total: Yuan,
    pub in_place: Yuan,
    /// Investment completed this year, reported.
    pub invested: Yuan,
    pub annual_plan: Yuan,
    /// Working days in the current stage's current visit.
    pub stage_days: i64,
}

/// The light's thresholds, read from the rules in force.
#[derive(Debug, Clone, PartialEq)]
pub struct LightRules {
    pub start_red_months: u32,
    pub behind_yellow_points: f64,
    pub behind_red_points: f64,
    /// Per stage: (yellow, red) working days in it.
    pub aging: Vec<(Stage, i64, i64)>,
}

/// Why a project is lit as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    StartDue,
    StartLate,
    Behind,
    Aging,
}

/// The light and its reasons (the worst reason decides).
pub fn light(f: &Facts, r: &LightRules, today: NaiveDate) -> (Light, Vec<(Light, Why)>) {
    let stage = match f.stage {
        Some(Stage::Operating) => return (Light::Done, Vec::new()),
        // An ended project is no one's to act on.
        Some(Stage::Terminated) => return (Light::Done, Vec::new()),
        None => return (Light::None, Vec::new()),
        Some(s) => s,
    };
    let mut why = Vec::new();
    let not_started = f.started_on.is_none();
    if let (true, Some(plan)) = (not_started, f.planned_start_on) {
        if plan.checked_add_months(Months::new(r.start_red_months)).is_some_and(|red| today >= red) {
            why.push((Light::Red, Why::StartLate));
        } else if plan < today {
            why.push((Light::Yellow, Why::StartLate));
        } else if (plan.year(), plan.month()) == (today.year(), today.month()) {
            why.push((Light::Yellow, Why::StartDue));
        }
    }
    if matches!(stage, Stage::Started | Stage::Building) && f.annual_plan.0 > 0 {
        // 序时进度: the share of the year gone by today (months passed, and this one's days).
        let month_days = f64::from(days_in_month(today));
        let schedule = (f64::from(today.month() - 1) + f64::from(today.day()) / month_days) * 100.0 / 12.0;
        let done = f.invested.percent_of(f.annual_plan).unwrap_or(0.0);
        let behind = schedule - done;
        if behind > r.behind_red_points {
            why.push((Light::Red, Why::Behind));
        } else if behind >= r.behind_yellow_points {
            why.push((Light::Yellow, Why::Behind));
        }
    }
    if let Some((_, y, red)) = r.aging.iter().find(|(s, _, _)| *s == stage) {
        if f.stage_days >= *red {
            why.push((Light::Red, Why::Aging));
        } else if f.stage_days >= *y {
            why.push((Light::Yellow, Why::Aging));
        }
    }
    let lit = if why.iter().any(|(l, _)| *l == Light::Red) {
        Light::Red
    } else if why.is_empty() {
        Light::Green
    } else {
        Light::Yellow
    };
    (lit, why)
}

fn days_in_month(d: NaiveDate) -> u32 {
    let first = d.with_day(1).unwrap_or(d);
    first.checked_add_months(Months::new(1)).map(|n| u32::try_from((n - first).num_days()).unwrap_or(30)).unwrap_or(30)
}

/// A KPI formula, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    num: Term,
    den: Term,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    field: Option<Field>,
    when: Vec<Cond>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Total,
    InPlace,
    Invested,
    AnnualPlan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cond {
    Reached(Stage),
    Terminated,
    Active,
    SignedInYear,
    StartedInYear,
    CompletedInYear,
    PlannedStartInYear,
    StartedOnTime,
}

fn bad(detail: &str) -> DomainError {
    DomainError::field(ErrorCode::Invalid, "formula").with_detail(detail.to_string())
}

fn term(t: &str) -> Result<Term, DomainError> {
    let t = t.trim();
    let (agg, rest) = t.split_once('(').ok_or_else(|| bad(t))?;
    let inner = rest.strip_suffix(')').ok_or_else(|| bad(t))?;
    let (field, conds) = match agg.trim() {
        "count" => (None, inner),
        "sum" => {
            let (f, c) = inner.split_once(':').unwrap_or((inner, ""));
            let field = match f.trim() {
                "total" => Field::Total,
                "in_place" => Field::InPlace,
                "invested" => Field::Invested,
                "annual_plan" => Field::AnnualPlan,
                other => return Err(bad(other)),
            };
            (Some(field), c)
        }
        other => return Err(bad(other)),
    };
    let when = conds
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            Ok(match c {
                "signed" => Cond::Reached(Stage::Signed),
                "landed" => Cond::Reached(Stage::Landing),
                "started" => Cond::Reached(Stage::Started),
                "operating" => Cond::Reached(Stage::Operating),
                "terminated" => Cond::Terminated,
                "active" => Cond::Active,
                "signed_in_year" => Cond::SignedInYear,
                "started_in_year" => Cond::StartedInYear,
                "completed_in_year" => Cond::CompletedInYear,
                "planned_start_in_year" => Cond::PlannedStartInYear,
                "started_on_time" => Cond::StartedOnTime,
                other => return Err(bad(other)),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Term { field, when })
}

impl Formula {
    /// Read a formula as kept in its rule; `invalid` on `formula` naming the part not understood.
    pub fn parse(text: &str) -> Result<Formula, DomainError> {
        let (n, d) = text.split_once('/').ok_or_else(|| bad(text.trim()))?;
        let (num, den) = (term(n)?, term(d)?);
        if num.field.is_some() != den.field.is_some() {
            return Err(bad(text.trim()));
        }
        Ok(Formula { num, den })
    }

    /// The KPI over the projects for `year`, as a percentage (None when the denominator is 0),
    /// with its numerator and denominator.
    pub fn eval(&self, projects: &[Facts], year: i32) -> (Option<f64>, i64, i64) {
        let (n, d) = (sum(&self.num, projects, year), sum(&self.den, projects, year));
        ((d != 0).then(|| n as f64 * 100.0 / d as f64), n, d)
    }
}

fn sum(t: &Term, projects: &[Facts], year: i32) -> i64 {
    projects
        .iter()
        .filter(|p| t.when.iter().all(|c| holds(*c, p, year)))
        .map(|p| match t.field {
            None => 1,
            Some(Field::Total) => p.total.0,
            Some(Field::InPlace) => p.in_place.0,
            Some(Field::Invested) => p.invested.0,
            Some(Field::AnnualPlan) => p.annual_plan.0,
        })
        .sum()
}

fn holds(c: Cond, p: &Facts, year: i32) -> bool {
    let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d.year() == year);
    match c {
        Cond::Reached(s) => p.reached.and_then(Stage::rank) >= s.rank() && p.stage != Some(Stage::Terminated),
        Cond::Terminated => p.stage == Some(Stage::Terminated),
        Cond::Active => !matches!(p.stage, Some(Stage::Paused | Stage::Terminated) | None),
        Cond::SignedInYear => in_year(p.signed_on),
        Cond::StartedInYear => in_year(p.started_on),
        Cond::CompletedInYear => in_year(p.completed_on),
        Cond::PlannedStartInYear => in_year(p.planned_start_on),
        Cond::StartedOnTime => matches!((p.started_on, p.planned_start_on), (Some(s), Some(plan)) if s <= plan),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rules() -> LightRules {
        LightRules { start_red_months: 3, behind_yellow_points: 10.0, behind_red_points: 30.0, aging: vec![(Stage::Landing, 60, 120)] }
    }

    #[test]
    fn the_light_follows_the_start_the_schedule_and_the_stage_age() {
        let today = d("2026-06-15");
        let base = Facts { stage: Some(Stage::Landing), reached: Some(Stage::Landing), planned_start_on: Some(d("2026-06-30")), ..Default::default() };
        assert_eq!(light(&base, &rules(), today), (Light::Yellow, vec![(Light::Yellow, Why::StartDue)]));
        let later = Facts { planned_start_on: Some(d("2026-08-01")), ..base.clone() };
        assert_eq!(light(&later, &rules(), today).0, Light::Green);
        let late = Facts { planned_start_on: Some(d("2026-03-15")), ..base.clone() };
        assert_eq!(light(&late, &rules(), today).0, Light::Red);
        let a_bit_late = Facts { planned_start_on: Some(d("2026-03-16")), ..base.clone() };
        assert_eq!(light(&a_bit_late, &rules(), today), (Light::Yellow, vec![(Light::Yellow, Why::StartLate)]));
        let old = Facts { stage_days: 130, planned_start_on: None, ..base };
        assert_eq!(light(&old, &rules(), today), (Light::Red, vec![(Light::Red, Why::Aging)]));
        // 15 June: 序时 45.8 %; 35 % done is 10.8 points behind (黄), 15 % is 30.8 behind (红).
        let building = |invested| Facts {
            stage: Some(Stage::Building),
            reached: Some(Stage::Building),
            started_on: Some(d("2026-01-10")),
            annual_plan: Yuan(100),
            invested: Yuan(invested),
            ..Default::default()
        };
        assert_eq!(light(&building(45), &rules(), today).0, Light::Green);
        assert_eq!(light(&building(35), &rules(), today).0, Light::Yellow);
        assert_eq!(light(&building(15), &rules(), today).0, Light::Red);
        assert_eq!(light(&Facts { stage: Some(Stage::Operating), ..Default::default() }, &rules(), today).0, Light::Done);
    }

    #[test]
    fn kpis_are_formulas_over_the_records() {
        let p = |stage, reached, signed: &str, started: Option<&str>, total, in_place| Facts {
            stage: Some(stage),
            reached: Some(reached),
            signed_on: Some(d(signed)),
            started_on: started.map(d),
            planned_start_on: Some(d("2026-05-01")),
            total: Yuan(total),
            in_place: Yuan(in_place),
            ..Default::default()
        };
        let all = vec![
            p(Stage::Building, Stage::Building, "2026-01-05", Some("2026-04-01"), 100, 60),
            p(Stage::Landing, Stage::Landing, "2026-02-01", None, 300, 30),
            p(Stage::Terminated, Stage::Signed, "2026-03-01", None, 600, 0),
            p(Stage::Operating, Stage::Operating, "2025-06-01", Some("2025-09-01"), 1000, 1000),
        ];
        let perf = Formula::parse("count(signed_in_year, landed) / count(signed_in_year)").unwrap();
        assert_eq!(perf.eval(&all, 2026), (Some(200.0 / 3.0), 2, 3));
        let funds = Formula::parse("sum(in_place: signed_in_year) / sum(total: signed_in_year)").unwrap();
        assert_eq!(funds.eval(&all, 2026), (Some(9.0), 90, 1000));
        let on_time = Formula::parse("count(started_on_time, started_in_year) / count(planned_start_in_year)").unwrap();
        assert_eq!(on_time.eval(&all, 2026).1, 1);
        assert_eq!(Formula::parse("count(x) / count()").unwrap_err().detail.as_deref(), Some("x"));
        assert!(Formula::parse("count(signed)").is_err());
        assert!(Formula::parse("sum(total: signed) / count(signed)").is_err());
    }
}
