//! The pipeline's KPIs (履约率, 开竣工率, 资金到位率, 计划开工率: formulas kept as rules
//! `projects.kpi.*`) over the projects in the caller's sight, and the year's investment against
//! plan per township and per industry.

use super::facts;
use crate::{Result, RulesInForce, Who};
use chrono::NaiveDate;
use luoshi_domain::projects::kpi::{Facts, Formula};
use luoshi_domain::projects::Yuan;
use luoshi_storage::duty;
use luoshi_storage::projects::ledger::{self, Filter};
use luoshi_storage::projects::reports;
use luoshi_storage::{calendar, Db};
use serde::Serialize;
use std::collections::BTreeMap;

/// One KPI.
#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub key: String,
    pub formula: String,
    pub percent: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
    /// Sums of money (元) rather than counts.
    pub money: bool,
    /// The rule's formula is not understood (the part named).
    pub error: Option<String>,
}

/// Investment against plan for a group of projects.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sum {
    pub projects: i64,
    pub total: Yuan,
    pub plan: Yuan,
    pub invested: Yuan,
}

/// The KPIs and the year's sums.
#[derive(Debug, Clone, Serialize)]
pub struct Kpis {
    pub year: i32,
    pub kpis: Vec<Kpi>,
    pub all: Sum,
    /// By township name (— for none) and by industry code.
    pub by_township: Vec<(String, Sum)>,
    pub by_industry: Vec<(String, Sum)>,
}

/// The KPI rules, in the order shown.
pub const KEYS: &[&str] = &["performance", "start_completion", "funds", "start_on_plan"];

pub async fn kpis(db: &Db, who: &Who, year: i32, today: NaiveDate) -> Result<Kpis> {
    let sight = duty::resolve(db, &who.sight()).await?;
    let projects = ledger::all(db, &sight, &Filter::default()).await?;
    let (invested, in_place) = reports::sums(db, year).await?;
    let plans = ledger::plans(db, year).await?;
    let funds = ledger::funds(db).await?;
    let cal = calendar::load(db).await?;
    let get = |m: &std::collections::HashMap<i64, Yuan>, id: i64| m.get(&id).copied().unwrap_or_default();
    let facts: Vec<Facts> = projects
        .iter()
        .map(|p| {
            let put = funds.get(&p.id).map(|f| f.1).unwrap_or_default().max(get(&in_place, p.id));
            facts(p, &cal, get(&invested, p.id), put, get(&plans, p.id), today)
        })
        .collect();
    let rules = RulesInForce::load(db, today).await?;
    let kpis = KEYS
        .iter()
        .map(|k| {
            let text = rules.text(&format!("projects.kpi.{k}")).unwrap_or_default();
            match Formula::parse(&text) {
                Ok(f) => {
                    let (percent, numerator, denominator) = f.eval(&facts, year);
                    Kpi { key: (*k).into(), money: text.trim_start().starts_with("sum"), formula: text, percent, numerator, denominator, error: None }
                }
                Err(e) => Kpi { key: (*k).into(), formula: text, percent: None, numerator: 0, denominator: 0, money: false, error: e.detail },
            }
        })
        .collect();
    let mut all = Sum::default();
    let mut town: BTreeMap<String, Sum> = BTreeMap::new();
    let mut industry: BTreeMap<String, Sum> = BTreeMap::new();
    for p in &projects {
        let add = |s: &mut Sum| {
            s.projects += 1;
            s.total.0 += p.total.0;
            s.plan.0 += get(&plans, p.id).0;
            s.invested.0 += get(&invested, p.id).0;
        };
        add(&mut all);
        add(town.entry(p.township_name.clone().unwrap_or_else(|| "—".into())).or_default());
        add(industry.entry(p.industry.as_str().to_string()).or_default());
    }
    Ok(Kpis { year, kpis, all, by_township: town.into_iter().collect(), by_industry: industry.into_iter().collect() })
}
