//! 安全生产 statistics from the counts kept with each change (never by counting every hazard):
//! 隐患整改率 and 重大隐患整改率 reported apart, by township, regulating department and industry,
//! and the hazards overdue now (the core's red lights).

use crate::{Result, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::access::Sight;
use luoshi_domain::DomainError;
use luoshi_storage::hazards::counts::{self, By, Count, Period};
use luoshi_storage::{units, Db};
use serde::Serialize;
use std::collections::BTreeMap;

/// Found and closed, all grades and 重大 apart, with their rates (none when nothing was found).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rates {
    /// Found and not cancelled.
    pub found: i64,
    pub closed: i64,
    pub rate: Option<f64>,
    pub major_found: i64,
    pub major_closed: i64,
    pub major_rate: Option<f64>,
    /// Enterprises in the ledger here, of them with no hazard found in the period (零隐患).
    pub enterprises: i64,
    pub zero_report: i64,
    /// Hazards found per enterprise.
    pub per_enterprise: Option<f64>,
}

impl Rates {
    fn add(&mut self, c: &Count) {
        if c.state == "cancelled" {
            return;
        }
        let closed = c.state == "closed";
        self.found += c.n;
        self.closed += if closed { c.n } else { 0 };
        if c.grade == "major" {
            self.major_found += c.n;
            self.major_closed += if closed { c.n } else { 0 };
        }
    }
    fn finish(mut self) -> Self {
        let rate = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        self.rate = rate(self.closed, self.found);
        self.major_rate = rate(self.major_closed, self.major_found);
        self.per_enterprise = rate(self.found, self.enterprises);
        self
    }
}

/// The statistics of a period.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub from: String,
    pub to: String,
    pub total: Rates,
    /// (name, rates), by name.
    pub by_township: Vec<(String, Rates)>,
    pub by_regulator: Vec<(String, Rates)>,
    pub by_industry: Vec<(String, Rates)>,
    /// Hazards past their deadline now (the county's, for the county's sight).
    pub overdue: Option<i64>,
}

/// The statistics of the months of `from..=to` in the caller's sight (a unit: the hazards its
/// subtree regulates or lie in its townships).
pub async fn stats(db: &Db, who: &Who, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<Stats> {
    // The same question in the same sight is answered from this node's memo for a few seconds
    // while no hazard is written through it (the page is read far more often than hazards change).
    let key = format!("hazard_stats {:?} {from} {to} {today}", who.sight());
    db.memo(&key, || compute(db, who, from, to, today)).await
}

async fn compute(db: &Db, who: &Who, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<Stats> {
    if to < from {
        return Err(DomainError::invalid("to").into());
    }
    let (f, t) = (from.format("%Y-%m").to_string(), to.format("%Y-%m").to_string());
    // January to December, or to this month (nothing is found later than today): the year's buckets.
    let year = from.format("%Y").to_string();
    let whole_year = from.month() == 1 && from.year() == to.year() && (to.month() == 12 || (to.year(), to.month()) >= (today.year(), today.month()));
    let period = if whole_year { Period::Year(&year) } else { Period::Months(&f, &t) };
    let all = units::all(db).await?;
    // Thousands of buckets name units of a city's thousands: by id, not by a walk of the tree.
    let names: std::collections::HashMap<i64, &str> = all.iter().map(|u| (u.id, u.name.as_str())).collect();
    let name = |id: i64| names.get(&id).map(|n| n.to_string()).unwrap_or_default();
    let seen: Option<Vec<i64>> = match who.sight() {
        Sight::County => None,
        Sight::Units(path) => Some(all.iter().filter(|u| u.path.starts_with(&path)).map(|u| u.id).collect()),
        Sight::Leader { overseen, .. } => Some(all.iter().filter(|u| overseen.iter().any(|p| u.path.starts_with(p))).map(|u| u.id).collect()),
        Sight::Nothing => Some(Vec::new()),
    };
    // Summed in the database by each dimension: a few rows whatever the number of buckets.
    let ids = seen.as_deref();
    let as_count =
        |grade: String, state: String, n: i64| Count { month: String::new(), township_id: 0, regulator_unit_id: 0, industry: String::new(), grade, state, n };
    let mut total = Rates::default();
    let (mut town, mut reg, mut ind): (BTreeMap<String, Rates>, BTreeMap<String, Rates>, BTreeMap<String, Rates>) = Default::default();
    // The sums are independent: read at once (recomputed after every inspection written here,
    // so this is the page's tail under load).
    let county = seen.is_none();
    let (by_reg, by_town, by_ind, coverage, overdue) = tokio::try_join!(
        counts::summed(db, By::Regulator, period, ids),
        counts::summed(db, By::Township, period, ids),
        counts::summed(db, By::Industry, period, ids),
        luoshi_storage::hazards::findings::enterprise_coverage(db, &f, &t),
        async {
            if county {
                counts::overdue(db).await.map(Some)
            } else {
                Ok(None)
            }
        },
    )?;
    for (k, grade, state, n) in by_reg {
        let c = as_count(grade, state, n);
        total.add(&c);
        reg.entry(name(k.parse().unwrap_or(0))).or_default().add(&c);
    }
    for (k, grade, state, n) in by_town {
        let id: i64 = k.parse().unwrap_or(0);
        if id != 0 {
            town.entry(name(id)).or_default().add(&as_count(grade, state, n));
        }
    }
    for (k, grade, state, n) in by_ind {
        if !k.is_empty() {
            ind.entry(k).or_default().add(&as_count(grade, state, n));
        }
    }
    // Enterprises and those that reported nothing, from the kept findings per enterprise.
    for (t, r, i, n, found) in coverage {
        if let Some(ids) = ids {
            if !(ids.contains(&t) || ids.contains(&r)) {
                continue;
            }
        }
        let add = |x: &mut Rates| {
            x.enterprises += n;
            x.zero_report += n - found;
        };
        add(&mut total);
        add(reg.entry(name(r)).or_default());
        if t != 0 {
            add(town.entry(name(t)).or_default());
        }
        add(ind.entry(i).or_default());
    }
    let done = |m: BTreeMap<String, Rates>| m.into_iter().map(|(k, v)| (k, v.finish())).collect();
    Ok(Stats { from: f, to: t, total: total.finish(), by_township: done(town), by_regulator: done(reg), by_industry: done(ind), overdue })
}

/// 翘尾: a period's hazards found and accidents against the same period last year and against
/// the year so far (per month), with the alert threshold from rule data.
#[derive(Debug, Clone, Serialize)]
pub struct Rebound {
    pub from: String,
    pub to: String,
    pub hazards: i64,
    pub hazards_last_year: i64,
    /// Hazards found per month from January to the month before the period.
    pub hazards_monthly_before: Option<f64>,
    pub accidents: i64,
    pub accidents_last_year: i64,
    pub threshold_percent: i64,
    /// Above the same period last year, or above the year's monthly pace, by the threshold.
    pub alert: bool,
}

/// Hazards found in the months `from..=to` (`YYYY-MM`), cancelled ones left out, county-wide.
async fn found_in(db: &Db, from: &str, to: &str) -> Result<i64> {
    Ok(counts::summed(db, By::Regulator, Period::Months(from, to), None).await?.iter().filter(|r| r.2 != "cancelled").map(|r| r.3).sum())
}

fn months(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from((to.year() - from.year()) * 12) + i64::from(to.month()) - i64::from(from.month()) + 1
}

/// The rebound of the months `from..=to` (e.g. the fourth quarter), county-wide.
pub async fn rebound(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Rebound> {
    use chrono::Datelike;
    if to < from {
        return Err(DomainError::invalid("to").into());
    }
    let ym = |d: NaiveDate| d.format("%Y-%m").to_string();
    let back = |d: NaiveDate| d.with_year(d.year() - 1).unwrap_or(d - chrono::Duration::days(365));
    let hazards = found_in(db, &ym(from), &ym(to)).await?;
    let hazards_last_year = found_in(db, &ym(back(from)), &ym(back(to))).await?;
    let jan = NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from);
    let before = from.pred_opt().filter(|d| *d >= jan);
    let hazards_monthly_before = match before {
        Some(b) => Some(found_in(db, &ym(jan), &ym(b)).await? as f64 / months(jan, b) as f64),
        None => None,
    };
    let at = |d: NaiveDate| luoshi_domain::duty::end_of_day(d.pred_opt().unwrap_or(d));
    let accidents = luoshi_storage::hazards::accidents::count_between(db, at(from), luoshi_domain::duty::end_of_day(to)).await?;
    let accidents_last_year = luoshi_storage::hazards::accidents::count_between(db, at(back(from)), luoshi_domain::duty::end_of_day(back(to))).await?;
    let threshold_percent = crate::RulesInForce::load(db, to).await?.int("hazards.rebound.percent").unwrap_or(20);
    let above = |now: f64, then: f64| then > 0.0 && now > then * (1.0 + threshold_percent as f64 / 100.0);
    let per_month = hazards as f64 / months(from, to) as f64;
    let alert = above(hazards as f64, hazards_last_year as f64)
        || above(accidents as f64, accidents_last_year as f64)
        || hazards_monthly_before.is_some_and(|m| above(per_month, m));
    Ok(Rebound { from: ym(from), to: ym(to), hazards, hazards_last_year, hazards_monthly_before, accidents, accidents_last_year, threshold_percent, alert })
}
