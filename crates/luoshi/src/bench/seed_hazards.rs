//! `bench seed`'s work safety: enterprises in every township regulated by their industry's
//! department, and hazards found over the last year in every state of the loop.

use super::Rng;
use crate::Fail;
use chrono::NaiveDate;
use luoshi_domain::hazards::HazardState;
use luoshi_domain::unit::{Unit, UnitKind};
use luoshi_storage::hazards::bulk::{insert_enterprises, insert_hazards, SeedHazard};
use luoshi_storage::hazards::NewEnterprise;
use luoshi_storage::{Actor, Db};
use std::time::Instant;

const INDUSTRIES: &[(&str, &str)] = &[("C26", "化工"), ("C13", "食品"), ("E47", "建筑"), ("F52", "加油站"), ("C33", "机械"), ("A01", "农业")];
const FINDINGS: &[&str] = &[
    "消防通道堆放杂物，疏散通道不畅",
    "配电箱未设置漏电保护装置",
    "有限空间作业未执行审批制度",
    "液氨储罐区未设置泄漏报警装置",
    "除尘系统未按规定设置泄爆装置",
    "特种作业人员未持证上岗",
    "安全警示标志缺失",
    "应急预案未按期演练",
];

/// Seed enterprises and `total` hazards (none when the county has hazards already): the
/// numbers of enterprises and hazards made.
pub async fn seed_hazards(db: &Db, all: &[Unit], total: usize, today: NaiveDate, rng: &mut Rng) -> Result<(usize, usize), Fail> {
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    let any = luoshi_storage::hazards::LedgerFilter { limit: 1, ..Default::default() };
    if total == 0 || !luoshi_storage::hazards::ledger(db, &any).await.map_err(fail)?.is_empty() {
        return Ok((0, 0));
    }
    let towns: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Township).collect();
    let departments: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Department).collect();
    if towns.is_empty() || departments.is_empty() {
        return Ok((0, 0));
    }
    let actor = Actor::cli("bench");
    let now = luoshi_storage::now_micros();
    let started = Instant::now();
    let n_ent = (total / 5).max(1);
    let firms: Vec<NewEnterprise> = (0..n_ent)
        .map(|i| {
            let (industry, called) = INDUSTRIES[i % INDUSTRIES.len()];
            let town = towns[i % towns.len()];
            NewEnterprise {
                name: format!("{}压测{}企业{}", town.name, called, i + 1),
                credit_code: None,
                industry: industry.into(),
                regulator_unit_id: departments[i % departments.len()].id,
                township_id: Some(town.id),
                address: None,
                size: None,
                flags: String::new(),
                hazard_source_level: 0,
            }
        })
        .collect();
    let ids = insert_enterprises(db, &actor, &firms, now).await.map_err(fail)?;
    super::progress_bar("enterprises", ids.len(), n_ent, started);
    const DAY: i64 = 86_400_000_000;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    let mut done = 0;
    for i in 0..total {
        let e = rng.below(ids.len());
        let firm = &firms[e];
        let age = i64::try_from(rng.below(365)).unwrap_or(0);
        let found = today - chrono::Duration::days(age);
        let state = match rng.below(100) {
            0..=4 => HazardState::Registered,
            5..=6 => HazardState::Planning,
            7..=29 => HazardState::Rectifying,
            30..=34 => HazardState::Accepting,
            35..=36 => HazardState::Accepted,
            37..=98 => HazardState::Closed,
            _ => HazardState::Cancelled,
        };
        let graded = !matches!(state, HazardState::Registered | HazardState::Cancelled);
        let major = graded && rng.below(100) == 0;
        let deadline = graded.then(|| found + chrono::Duration::days(i64::try_from(rng.below(60)).unwrap_or(0) + 5));
        batch.push(SeedHazard {
            enterprise_id: ids[e],
            owner_unit_id: firm.regulator_unit_id,
            township_id: firm.township_id,
            description: (*rng.pick(FINDINGS)).to_string(),
            found_on: found.to_string(),
            state,
            grade: graded.then_some(if major { "major" } else { "general" }),
            deadline: deadline.map(|d| d.to_string()),
            due_at: deadline.map(luoshi_domain::duty::end_of_day),
            created_at: now - age * DAY,
        });
        if batch.len() == 5_000 || i + 1 == total {
            insert_hazards(db, &actor, &batch, now).await.map_err(fail)?;
            done += batch.len();
            batch.clear();
            super::progress_bar("hazards", done, total, started);
        }
    }
    // Loaded in bulk: the statistics' counts are counted once, after.
    luoshi_storage::hazards::counts::recount(db, &actor).await.map_err(fail)?;
    Ok((ids.len(), done))
}
