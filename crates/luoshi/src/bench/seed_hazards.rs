//! `bench seed`'s work safety: enterprises in every township regulated by their industry's
//! department, and hazards found over the last year in every state of the loop.

use super::Rng;
use crate::Fail;
use chrono::NaiveDate;
use luoshi_domain::hazards::HazardState;
use luoshi_domain::unit::{Unit, UnitKind};
use luoshi_storage::hazards::bulk::{insert_hazards, SeedHazard};
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

/// A credit code with a valid check character (GB 32100) for the n-th bench enterprise.
fn credit_code(n: usize) -> String {
    let body = format!("91330888MB{n:07}");
    "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().map(|c| format!("{body}{c}")).find(|c| luoshi_domain::checksum::uscc_checksum_ok(c)).unwrap_or(body)
}

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
    // The ledger goes in as a county brings it: one xlsx through the import (checked row by row,
    // all or nothing), timed.
    let rows: Vec<Vec<String>> = (0..n_ent)
        .map(|i| {
            let (industry, called) = INDUSTRIES[i % INDUSTRIES.len()];
            let town = towns[i % towns.len()];
            let flags = if industry == "C26" { "危化" } else { "" };
            vec![
                format!("{}压测{}企业{}", town.name, called, i + 1),
                credit_code(i),
                industry.into(),
                departments[i % departments.len()].name.clone(),
                town.name.clone(),
                format!("{}工业路{}号", town.name, i + 1),
                ["小型", "微型", "中型"][i % 3].into(),
                flags.into(),
                String::new(),
            ]
        })
        .collect();
    let bytes = luoshi_ledger::write_xlsx("生产经营单位", &luoshi_app::hazards::enterprise_ledger::COLUMNS, &rows).map_err(|e| Fail(e.to_string()))?;
    let who = luoshi_app::Who::system("bench");
    let t = Instant::now();
    let report = luoshi_app::hazards::enterprise_ledger::import(db, &who, &bytes, "bench.xlsx", false, now)
        .await
        .map_err(fail)?
        .map_err(|errors| Fail(format!("the bench ledger was refused: {:?}", errors.first())))?;
    let import_secs = t.elapsed().as_secs_f64();
    println!("enterprise ledger: {} rows ({} KiB xlsx) imported in {import_secs:.2} s", report.created, bytes.len() / 1024);
    let by_code: std::collections::HashMap<String, i64> =
        luoshi_storage::hazards::ledger::keys(db).await.map_err(fail)?.into_iter().filter_map(|(id, c, _)| c.map(|c| (c, id))).collect();
    let ids: Vec<i64> = rows.iter().filter_map(|r| by_code.get(&r[1]).copied()).collect();
    let firms: Vec<(i64, Option<i64>)> = (0..ids.len()).map(|i| (departments[i % departments.len()].id, Some(towns[i % towns.len()].id))).collect();
    super::progress_bar("enterprises", ids.len(), n_ent, started);
    const DAY: i64 = 86_400_000_000;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    let mut done = 0;
    for i in 0..total {
        let e = rng.below(ids.len());
        let (regulator, township) = firms[e];
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
            owner_unit_id: regulator,
            township_id: township,
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
