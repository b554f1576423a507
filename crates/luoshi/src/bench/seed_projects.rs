//! `bench seed`'s investment projects: a county's few hundred or a city's thousands, in every
//! stage, each with twenty approval items (its template's and the local 中介 and utility steps)
//! and their visits — the land office slow and often returning an item once — loaded in bulk.

use super::Rng;
use crate::Fail;
use chrono::{Duration, NaiveDate};
use luoshi_domain::duty::{end_of_day, Light};
use luoshi_domain::projects::{template, ApprovalState, Stage};
use luoshi_domain::unit::{Unit, UnitKind};
use luoshi_storage::projects::bulk::{insert_projects, SeedItem, SeedProject};
use luoshi_storage::{Actor, Db};
use std::time::Instant;

/// Local steps beside the four stages' items (中介服务, 市政公用): (code, name, stage, days).
const LOCAL: &[(&str, &str, i64, i64)] = &[
    ("energy_review", "节能审查", 1, 15),
    ("water_soil", "水土保持方案审批", 1, 20),
    ("seismic", "地震安全性评价", 1, 15),
    ("relics", "文物勘探", 1, 20),
    ("traffic_impact", "交通影响评价", 2, 15),
    ("lightning", "防雷装置设计审核", 3, 10),
    ("utilities", "水电气报装", 3, 10),
    ("greening", "绿化方案审查", 2, 10),
    ("drawing_review", "施工图审查", 3, 15),
];

const NAMES: &[&str] = &["智能制造", "新能源", "冷链物流", "污水处理", "文旅综合体", "高标准农田", "输变电", "医院综合楼", "城市更新", "标准厂房"];
const INDUSTRIES: &[&str] =
    &["manufacturing", "energy", "agriculture", "infrastructure", "tourism", "agriculture", "energy", "livelihood", "infrastructure", "manufacturing"];

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Seed `total` projects (none when the county has projects already): how many projects and
/// approval items were made.
pub async fn seed_projects(db: &Db, all: &[Unit], total: usize, today: NaiveDate, rng: &mut Rng) -> Result<(usize, usize), Fail> {
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    let any = luoshi_storage::projects::ledger::page(db, &luoshi_storage::duty::Resolved::All, &Default::default(), 0, 1).await.map_err(fail)?;
    if total == 0 || !any.is_empty() {
        return Ok((0, 0));
    }
    let towns: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Township).collect();
    let departments: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Department).collect();
    let named = |n: &str| all.iter().find(|u| u.name.ends_with(n)).map(|u| u.id);
    let (Some(dev), Some(land), Some(env), Some(housing)) = (named("发展和改革局"), named("自然资源和规划局"), named("生态环境局"), named("住房和城乡建设局"))
    else {
        return Ok((0, 0));
    };
    if towns.is_empty() || departments.is_empty() {
        return Ok((0, 0));
    }
    let approver = |role: &str| match role {
        "development" => dev,
        "land" => land,
        "environment" => env,
        _ => housing,
    };
    let templates = template::shipped().map_err(|e| Fail(e.to_string()))?;
    let actor = Actor::cli("bench");
    let now = luoshi_storage::now_micros();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(500);
    let (mut done, mut items_made) = (0, 0);
    for i in 0..total {
        let tpl = &templates[i % 3];
        let stage = match rng.below(100) {
            0..=9 => Stage::Negotiating,
            10..=21 => Stage::Signed,
            22..=45 => Stage::Landing,
            46..=59 => Stage::Started,
            60..=87 => Stage::Building,
            88..=97 => Stage::Operating,
            _ => Stage::Paused,
        };
        let rank = i64::from(stage.rank().unwrap_or(2));
        // Its stays, back from today: 30–100 days in its current stage, the earlier ones before.
        let mut stays = Vec::new();
        let mut at = today - Duration::days(i64::try_from(30 + rng.below(70)).unwrap_or(30));
        let mut entered = vec![at];
        for _ in 0..rank {
            at -= Duration::days(i64::try_from(20 + rng.below(100)).unwrap_or(20));
            entered.push(at);
        }
        entered.reverse();
        for (k, s) in Stage::PIPELINE.iter().take(rank as usize + 1).enumerate() {
            stays.push((*s, ymd(entered[k]), entered.get(k + 1).map(|d| ymd(*d))));
        }
        if stage == Stage::Paused {
            stays.push((Stage::Paused, ymd(today - Duration::days(10)), None));
            if let Some(l) = stays.iter_mut().rev().nth(1) {
                l.2 = Some(ymd(today - Duration::days(10)));
            }
        }
        // Its twenty items: those of stages already passed decided (the land office slow, one
        // in three returned once), the current stage's under review, the rest waiting.
        let reached = if rank >= 3 {
            3
        } else if rank == 2 {
            1
        } else {
            0
        };
        let mut day = entered.get(2).copied().unwrap_or(today);
        let all_items: Vec<(String, String, i64, i64, i64)> = tpl
            .items
            .iter()
            .map(|it| (it.code.clone(), it.zh.clone(), it.stage, it.limit, approver(&it.approver)))
            .chain(LOCAL.iter().map(|(c, n, s, d)| ((*c).to_string(), (*n).to_string(), *s, *d, dev)))
            .take(20)
            .collect();
        let mut items = Vec::new();
        for (code, name, st, limit, unit) in all_items {
            let slow = unit == land;
            let mut visits = Vec::new();
            let (state, due) = if st < reached || (st == reached && rank >= 4) {
                let returned = slow && rng.below(3) == 0;
                if returned {
                    let back = day + Duration::days(i64::try_from(10 + rng.below(15)).unwrap_or(10));
                    visits.push((ymd(day), Some(ymd(back)), Some("return")));
                    day = back + Duration::days(5);
                }
                let took = if slow { 20 + rng.below(30) } else { 3 + rng.below(12) };
                let end = (day + Duration::days(i64::try_from(took).unwrap_or(5))).min(today);
                visits.push((ymd(day), Some(ymd(end)), Some("approve")));
                day = end + Duration::days(1);
                (ApprovalState::Approved, None)
            } else if st == reached && stage != Stage::Paused {
                let from = today - Duration::days(i64::try_from(rng.below(40)).unwrap_or(0));
                visits.push((ymd(from), None, None));
                (ApprovalState::Reviewing, Some(end_of_day(from + Duration::days(limit * 7 / 5))))
            } else {
                (ApprovalState::Waiting, None)
            };
            items.push(SeedItem { stage: st, item: code, name, unit_id: unit, limit_days: limit, state, due_at: due, visits });
        }
        items_made += items.len();
        let total_yuan = i64::try_from(5_000 + rng.below(200_000)).unwrap_or(5_000) * 10_000;
        let start_plan = entered.get(2).copied().unwrap_or(today) + Duration::days(120);
        let light = match stage {
            Stage::Operating => Light::Done,
            _ if rank < 3 && start_plan < today => Light::Yellow,
            _ => Light::Green,
        };
        batch.push(SeedProject {
            name: format!("{}压测{}项目{}", towns[i % towns.len()].name, NAMES[i % NAMES.len()], i + 1),
            code: format!("2025-339901-{:02}-{:02}-{:06}", 10 + i % 80, 1 + i % 3, i + 1),
            industry: INDUSTRIES[i % INDUSTRIES.len()],
            investment: if tpl.code == "government" { "government" } else { "enterprise" },
            route: tpl.route.as_str(),
            template: match tpl.code.as_str() {
                "government" => "government",
                "enterprise_verified" => "enterprise_verified",
                _ => "enterprise_filed",
            },
            total_yuan,
            township_id: Some(towns[i % towns.len()].id),
            leader_user_id: None,
            lead_unit_id: departments[i % departments.len()].id,
            stage,
            planned_start_on: ymd(start_plan),
            light,
            due_at: (rank < 3).then(|| end_of_day(start_plan)),
            plan_yuan: total_yuan / 3,
            year: i64::from(chrono::Datelike::year(&today)),
            stays,
            items,
        });
        if batch.len() == 500 || i + 1 == total {
            insert_projects(db, &actor, &batch, now).await.map_err(fail)?;
            done += batch.len();
            batch.clear();
            super::progress_bar("projects", done, total, started);
        }
    }
    Ok((done, items_made))
}
