//! 置换 scenarios: computed on demand from the book (nothing recorded changes), saved only when
//! named. The instruments are chosen by id or by a rule (every 非标, trust and leasing, or
//! those above a rate), the costliest first.

use super::{reader, writer};
use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::debt::scenario::{run as run_scenario, Outcome, Replacement};
use luoshi_domain::debt::{Category, InstrumentKind};
use luoshi_domain::money::Ppm;
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::debt::book::current;
use luoshi_storage::Db;
use serde::{Deserialize, Serialize};

/// A scenario as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ScenarioInput {
    /// `ids` (then `instruments` lists them), `nonstandard`, `trust_leasing` or `rate_above`.
    #[serde(default)]
    pub select: String,
    /// Instrument ids, separated by commas or spaces.
    #[serde(default)]
    pub instruments: String,
    /// For `rate_above`: the rate (%).
    #[serde(default)]
    pub min_rate_percent: String,
    /// At most this many, the costliest first (default 500).
    #[serde(default)]
    pub limit: String,
    /// The replacement: `swap_bond` or `directed`.
    #[serde(default)]
    pub kind: String,
    /// Its category (`general` or `special`).
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub rate_percent: String,
    /// The day of the swap (default today).
    #[serde(default)]
    pub swap_on: String,
    #[serde(default)]
    pub years: String,
    /// Saved under this name when given.
    #[serde(default)]
    pub name: String,
}

/// A scenario's result with the names of the first instruments replaced.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub outcome: Outcome,
    pub count: usize,
    /// (id, code, name, rate) of the first 50 replaced.
    pub first: Vec<(i64, String, String, String)>,
    pub saved_id: Option<i64>,
}

fn parsed(input: &ScenarioInput, today: NaiveDate) -> std::result::Result<Replacement, DomainError> {
    let kind = InstrumentKind::parse(if input.kind.trim().is_empty() { "swap_bond" } else { &input.kind })
        .filter(|k| matches!(k, InstrumentKind::SwapBond | InstrumentKind::Directed | InstrumentKind::RefinancingBond))
        .ok_or_else(|| DomainError::invalid("debt_kind").with_detail(input.kind.trim().to_string()))?;
    let category = Category::parse(if input.category.trim().is_empty() { "general" } else { &input.category })
        .filter(|c| c.government() || kind == InstrumentKind::Directed)
        .ok_or_else(|| DomainError::invalid("debt_category").with_detail(input.category.trim().to_string()))?;
    if input.rate_percent.trim().is_empty() {
        return Err(DomainError::required("rate_percent"));
    }
    let rate = Ppm::parse_percent(&input.rate_percent, "rate_percent")?;
    let on = if input.swap_on.trim().is_empty() {
        today
    } else {
        NaiveDate::parse_from_str(input.swap_on.trim(), "%Y-%m-%d")
            .map_err(|_| DomainError::invalid("swap_on").with_detail(input.swap_on.trim().to_string()))?
    };
    let years = if input.years.trim().is_empty() {
        10
    } else {
        input.years.trim().parse::<u32>().map_err(|_| DomainError::invalid("years").with_detail(input.years.trim().to_string()))?
    };
    Ok(Replacement { kind, category, rate, on, years })
}

/// Run a scenario; saved when named (the finance bureau's).
pub async fn run(db: &Db, who: &Who, input: &ScenarioInput, now: i64) -> Result<Run> {
    let today = local_date(now);
    let r = parsed(input, today)?;
    let name = input.name.trim();
    if name.chars().count() > 64 {
        return Err(DomainError::field(ErrorCode::TooLong, "scenario_name").with_detail("64").into());
    }
    let access = reader(db, who, today).await?;
    let book = current(db).await?;
    let limit = if input.limit.trim().is_empty() { 500 } else { input.limit.trim().parse::<usize>().map_err(|_| DomainError::invalid("scenario_limit"))? }
        .clamp(1, 10_000);
    let mut chosen: Vec<&luoshi_domain::debt::Inst> = match input.select.trim() {
        "" | "ids" => {
            let mut ids = Vec::new();
            for p in input.instruments.split([',', '，', ' ', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
                ids.push(p.parse::<i64>().map_err(|_| DomainError::invalid("instruments").with_detail(p.to_string()))?);
            }
            book.insts.iter().filter(|i| ids.contains(&i.id)).collect()
        }
        "nonstandard" => book.insts.iter().filter(|i| i.kind.nonstandard()).collect(),
        "trust_leasing" => book.insts.iter().filter(|i| i.kind.trust_or_leasing()).collect(),
        "rate_above" => {
            let min = Ppm::parse_percent(&input.min_rate_percent, "min_rate_percent")?;
            book.insts.iter().filter(|i| i.rate > min).collect()
        }
        other => return Err(DomainError::invalid("select").with_detail(other.to_string()).into()),
    };
    chosen.retain(|i| i.outstanding().0 > 0);
    chosen.sort_by(|a, b| b.rate.cmp(&a.rate).then(a.id.cmp(&b.id)));
    chosen.truncate(limit);
    let ids: Vec<i64> = chosen.iter().map(|i| i.id).collect();
    // The book's sums on today, kept with the indicators: only the chosen instruments are read.
    let ratios = super::figures::ratios_of(db, book.clone(), today).await?;
    let outcome = run_scenario(&book.insts, &ids, &r, today, ratios.indicators.capacity, ratios.paid, Some(&ratios.sums))?;
    let shown: Vec<i64> = ids.iter().take(50).copied().collect();
    let mut first: Vec<(i64, String, String, String)> =
        luoshi_storage::debt::brief(db, &shown).await?.into_iter().map(|(id, code, name, rate)| (id, code, name, rate.show())).collect();
    first.sort_by_key(|x| shown.iter().position(|s| *s == x.0));
    let saved_id = if name.is_empty() {
        None
    } else {
        if !access.write {
            writer(db, who, today).await?;
        }
        let mut tx = db.begin_write().await?;
        let id = luoshi_storage::debt::write::save_scenario(&mut tx, &who.actor, name, &serde_json::to_value(input).unwrap_or_default(), now).await?;
        tx.commit().await?;
        Some(id)
    };
    Ok(Run { count: ids.len(), outcome, first, saved_id })
}

/// A saved scenario, run again on the book as it stands.
pub async fn rerun(db: &Db, who: &Who, id: i64, now: i64) -> Result<(String, ScenarioInput, Run)> {
    reader(db, who, local_date(now)).await?;
    let s = luoshi_storage::debt::scenarios(db).await?.into_iter().find(|s| s.id == id).ok_or_else(|| DomainError::not_found("scenario"))?;
    let mut input: ScenarioInput = serde_json::from_str(&s.input).unwrap_or_default();
    input.name = String::new();
    let r = run(db, who, &input, now).await?;
    Ok((s.name, input, r))
}

/// The named scenarios.
pub async fn saved(db: &Db, who: &Who, now: i64) -> Result<Vec<luoshi_storage::debt::Scenario>> {
    reader(db, who, local_date(now)).await?;
    luoshi_storage::debt::scenarios(db).await
}
