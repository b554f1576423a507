//! `bench seed`: a county, a city or a metropolis of units, tasks and appeals, loaded in bulk
//! with a progress bar, deterministic for a seed.

use super::*;
use crate::Fail;
use chrono::NaiveDate;
use luoshi_app::tasks::{light_of, rules_on};
use luoshi_domain::access::Scope;
use luoshi_domain::tasks::State;
use luoshi_domain::unit_import::{plan, UnitRow};
use luoshi_storage::bulk::{insert_tasks, SeedTask};
use luoshi_storage::{calendar, units, users, Actor, Db};
use std::time::Instant;

pub(super) const TOPICS: &[&str] = &[
    "推进城乡融合发展",
    "优化营商环境",
    "安全生产隐患整治",
    "防范化解债务风险",
    "重大项目攻坚",
    "乡村振兴示范建设",
    "河湖长制落实",
    "农村人居环境整治",
    "义务教育均衡发展",
    "基层医疗能力提升",
    "养老服务体系建设",
    "就业创业帮扶",
    "政务服务一网通办",
    "森林防火责任落实",
    "耕地保护与粮食安全",
    "招商引资项目落地",
    "老旧小区改造",
    "城乡供水一体化",
];
pub(super) const MEASURES: &[&str] = &[
    "建立工作专班，明确责任分工，倒排工期。",
    "制定实施方案，按月调度，按季通报。",
    "开展专项检查，建立问题清单、责任清单、整改清单。",
    "加强部门协同，强化要素保障。",
];

/// What `bench seed` made.
#[derive(Debug, Default)]
pub struct Seeded {
    pub units: usize,
    pub users: usize,
    pub tasks: usize,
    pub appeals: usize,
    pub enterprises: usize,
    pub hazards: usize,
    /// Emergency assignments of the activated incident, and the activation's milliseconds.
    pub assignments: usize,
    pub activation_ms: f64,
    /// Investment projects and their approval items.
    pub projects: usize,
    pub approvals: usize,
    /// Debt instruments and their schedule rows.
    pub instruments: usize,
    pub schedule_rows: usize,
    /// Livelihood proposals.
    pub proposals: usize,
}

/// Fill a database: the demo county, more townships for larger scales, bench users, tasks.
pub async fn seed(
    db: &Db,
    scale: Scale,
    tasks: Option<usize>,
    appeals: Option<usize>,
    hazards: Option<usize>,
    seed: u64,
    today: NaiveDate,
) -> Result<Seeded, Fail> {
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    let (extra_towns, villages_per, default_tasks) = scale.spec();
    let total_tasks = tasks.unwrap_or(default_tasks);
    let mut rng = Rng::new(seed);
    let mut out = Seeded::default();
    luoshi_web::demo::seed(db).await.map_err(Fail)?;
    let started = Instant::now();
    // More townships and villages (names only: synthetic, no statistical codes).
    if extra_towns > 0 {
        let existing = units::list(db, &Scope::All).await.map_err(fail)?;
        let mut rows = Vec::new();
        for t in 0..extra_towns {
            let town = format!("第{}镇", t + 1);
            rows.push(UnitRow {
                row: rows.len() + 2,
                name: town.clone(),
                kind: "乡镇/街道".into(),
                parent: luoshi_web::demo::COUNTY_CODE.into(),
                ..Default::default()
            });
            for v in 0..villages_per {
                rows.push(UnitRow {
                    row: rows.len() + 2,
                    name: format!("{town}第{}村", v + 1),
                    kind: "村/社区".into(),
                    parent: town.clone(),
                    ..Default::default()
                });
            }
        }
        let planned = plan(&existing, &rows).map_err(|e| Fail(format!("{} unit rows invalid", e.len())))?;
        let new = planned.iter().filter(|p| !p.unchanged).count();
        if new > 0 {
            let mut tx = db.begin_write().await.map_err(fail)?;
            units::apply_import(&mut tx, &Actor::cli("bench"), &planned).await.map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        }
        out.units = new;
        progress_bar("units", rows.len(), rows.len(), started);
    }
    let all = units::list(db, &Scope::All).await.map_err(fail)?;
    let owners: Vec<&luoshi_domain::unit::Unit> =
        all.iter().filter(|u| matches!(u.kind, luoshi_domain::unit::UnitKind::Department | luoshi_domain::unit::UnitKind::Township)).collect();
    let villages: Vec<&luoshi_domain::unit::Unit> = all.iter().filter(|u| u.kind == luoshi_domain::unit::UnitKind::Village).collect();
    // One staff account per township (b<unit id>), sharing one hash: Argon2 per account would
    // dominate the seeding time and measures nothing.
    let hash = luoshi_web::auth::hash_password(luoshi_web::demo::DEMO_PASSWORD).map_err(|e| Fail(e.to_string()))?;
    let mut tx = db.begin_write().await.map_err(fail)?;
    let mut wrote = false;
    for u in owners.iter().filter(|u| u.kind == luoshi_domain::unit::UnitKind::Township).take(200) {
        let name = format!("b{}", u.id);
        if users::by_username(db, &name).await.map_err(fail)?.is_some() {
            continue;
        }
        let input = luoshi_domain::user::UserInput {
            username: name,
            display_name: format!("{}经办人", u.name),
            unit_id: u.id,
            role: "unit_staff".into(),
            password: luoshi_web::demo::DEMO_PASSWORD.into(),
            phone: String::new(),
        };
        let new = input.validate().map_err(|e| Fail(e.to_string()))?;
        users::create(&mut tx, &Actor::cli("bench"), &new, &hash).await.map_err(fail)?;
        out.users += 1;
        wrote = true;
    }
    if wrote {
        tx.commit().await.map_err(fail)?;
    } else {
        drop(tx);
    }
    let leaders: Vec<i64> =
        users::list(db, &Scope::All).await.map_err(fail)?.into_iter().filter(|(u, _)| u.role == luoshi_domain::user::Role::Leader).map(|(u, _)| u.id).collect();
    let cal = calendar::load(db).await.map_err(fail)?;
    let rules = rules_on(db, today).await.map_err(fail)?;
    let actor = Actor::cli("bench");
    let started = Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    let mut directive = 0;
    // Resumable: the batches already in (each committed whole) are not seeded again.
    let resumed = usize::try_from(luoshi_storage::bulk::seeded_tasks(db).await.map_err(fail)?).unwrap_or(0).min(total_tasks);
    out.tasks = resumed;
    for i in resumed..total_tasks {
        if i % 1000 == 0 {
            let d = luoshi_storage::tasks::DirectiveInput {
                title: format!("压测决策部署第{}号", i / 1000 + 1),
                kind: "document".into(),
                issued_on: (today - chrono::Duration::days(200)).to_string(),
                issuer: "县委县政府督查室".into(),
                doc_no: String::new(),
                source_text: String::new(),
            };
            let mut tx = db.begin_write().await.map_err(fail)?;
            directive = luoshi_storage::tasks::create_directive(&mut tx, &actor, &d).await.map_err(fail)?.id;
            tx.commit().await.map_err(fail)?;
        }
        let roll = rng.below(100);
        let state = match roll {
            0..=9 => State::Draft,
            10..=24 => State::Assigned,
            25..=69 => State::Signed,
            70..=74 => State::ClosureRequested,
            75..=79 => State::Returned,
            _ => State::Closed,
        };
        let deadline = today + chrono::Duration::days(i64::try_from(rng.below(300)).unwrap_or(0) - 120);
        let assigned = (state != State::Draft).then(|| (deadline - chrono::Duration::days(30 + i64::try_from(rng.below(90)).unwrap_or(0))).to_string());
        let progress = match state {
            State::Draft | State::Assigned => 0.0,
            State::Closed | State::ClosureRequested => 100.0,
            _ => (rng.below(101)) as f64,
        };
        let closed_on = (state == State::Closed).then(|| (deadline + chrono::Duration::days(i64::try_from(rng.below(20)).unwrap_or(0) - 12)).to_string());
        let dl = deadline.to_string();
        let (light, planned) = light_of(&cal, &rules, state, Some(&dl), progress, assigned.as_deref(), &[], today);
        let owner = rng.pick(&owners);
        batch.push(SeedTask {
            directive_id: directive,
            seq: format!("{}", i % 1000 + 1),
            title: format!("{}（{}）", rng.pick(TOPICS), i + 1),
            measures: (*rng.pick(MEASURES)).to_string(),
            lead_leader_id: (!leaders.is_empty()).then(|| *rng.pick(&leaders)),
            owner_unit_id: owner.id,
            state: state.as_str(),
            deadline: dl,
            term: if rng.below(10) == 0 { "long_term" } else { "current" },
            progress,
            planned,
            light: light.as_str(),
            assigned_on: assigned,
            closed_on,
            returned_count: i64::from(state == State::Returned),
            co_unit: (rng.below(3) == 0 && !villages.is_empty()).then(|| rng.pick(&villages).id),
        });
        if batch.len() == 5_000 || i + 1 == total_tasks {
            insert_tasks(db, &actor, &batch).await.map_err(fail)?;
            out.tasks += batch.len();
            batch.clear();
            progress_bar("tasks", out.tasks, total_tasks, started);
        }
    }
    out.appeals = seed_appeals(db, &all, appeals.unwrap_or(scale.appeals()), &mut rng).await?;
    (out.enterprises, out.hazards) = super::seed_hazards::seed_hazards(db, &all, hazards.unwrap_or(scale.hazards()), today, &mut rng).await?;
    (out.assignments, out.activation_ms) = super::seed_emergencies::seed_emergencies(db, &all, &mut rng).await?;
    (out.projects, out.approvals) = super::seed_projects::seed_projects(db, &all, scale.projects(), today, &mut rng).await?;
    (out.instruments, out.schedule_rows) = super::seed_debt::seed_debt(db, &all, scale.debt(), today, &mut rng).await?;
    out.proposals = super::seed_livelihood::seed_livelihood(db, &all, scale.proposals(), today, &mut rng).await?;
    Ok(out)
}

/// Appeals with Chinese text from the demo county's templates, at every step of the loop,
/// received over the last year; then the routing model trained on them.
pub(super) async fn seed_appeals(db: &Db, all: &[luoshi_domain::unit::Unit], total: usize, rng: &mut Rng) -> Result<usize, Fail> {
    use luoshi_domain::unit::UnitKind;
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    let system = luoshi_app::Who::system("bench");
    luoshi_app::appeals::seed_categories(db, &system).await.map_err(fail)?;
    luoshi_app::appeals::register_key(db, &system, "demo", luoshi_web::demo_appeals::DEMO_OPEN311_KEY).await.map_err(fail)?;
    // The load test is the one client allowed to post as fast as it can.
    let unlimited = luoshi_domain::rules::RuleChange {
        value: serde_json::json!(100_000),
        source: "luoshi bench：压力测试不限速".into(),
        effective_from: "2000-01-01".into(),
        note: String::new(),
    };
    luoshi_storage::rules::set(db, &luoshi_storage::Actor::system(), "open311.key.per_minute", &unlimited).await.map_err(fail)?;
    // Resumable: a database holding appeals already is taken as this seed's, interrupted; the
    // batches in (each committed whole) are kept and the rest added after them.
    let resumed = usize::try_from(luoshi_storage::bulk::seeded_appeals(db).await.map_err(fail)?).unwrap_or(0);
    if total == 0 || resumed >= total {
        return Ok(0);
    }
    // Places: every village with its township.
    let places: Vec<(String, i64)> = all
        .iter()
        .filter(|u| u.kind == UnitKind::Village)
        .filter_map(|v| {
            let t = all.iter().find(|t| Some(t.id) == v.parent_id)?;
            Some((format!("{}{}", t.name, v.name), t.id))
        })
        .collect();
    let unit_of = |name: &str| units::resolve(all, name).ok().map(|u| u.id);
    let templates: Vec<(&'static str, Option<i64>, &'static [&'static str])> =
        luoshi_web::demo_appeals::TEMPLATES.iter().map(|(c, u, t)| (*c, if u.is_empty() { None } else { unit_of(u) }, *t)).collect();
    let now = luoshi_storage::now_micros();
    const DAY: i64 = 86_400_000_000;
    let actor = Actor::cli("bench");
    let started = Instant::now();
    // A city's batches are larger: a batch writes each index page it touches once, and at millions
    // of appeals ten thousand rows touch nearly as many pages as fifty thousand.
    let per_batch = if total > 1_000_000 { 50_000 } else { 10_000 };
    let mut batch = Vec::with_capacity(per_batch);
    let mut done = resumed;
    for i in resumed..total {
        let (cat, owner, texts) = *rng.pick(&templates);
        let (place, town) = rng.pick(&places).clone();
        let content = rng.pick(texts).replace("{p}", &place);
        let age = i64::try_from(total - i).unwrap_or(0) * 365 * DAY / i64::try_from(total).unwrap_or(1).max(1);
        let created = now - age;
        let state = match rng.below(100) {
            0..=1 => "received",
            2..=5 => "dispatched",
            6..=12 => "signed",
            13..=14 => "returned",
            15..=19 => "replied",
            _ => "closed",
        };
        let open = state != "closed";
        let owner = if state == "received" { None } else { owner.or(Some(town)) };
        batch.push(luoshi_storage::bulk::SeedAppeal {
            code: luoshi_domain::appeals::tracking_code(rng.next()),
            // Beijing 2020: 90.7% by phone, 9.3% online (web, apps through Open311).
            channel: match rng.below(1000) {
                0..=906 => "phone",
                907..=966 => "web",
                967..=993 => "open311",
                _ => "walk_in",
            },
            // A synthetic mix: most calls ask or complain.
            kind: match rng.below(100) {
                0..=29 => "consult",
                30..=44 => "help",
                45..=84 => "complaint",
                85..=89 => "report",
                _ => "suggestion",
            },
            category: cat,
            content,
            address: place,
            township_id: Some(town),
            citizen_name: format!("{}先生", rng.pick(&["王", "李", "张", "刘", "陈"])),
            phone: format!("139{:08}", rng.below(100_000_000)),
            state,
            owner_unit_id: owner,
            due_at: owner.map(|_| created + 18 * DAY),
            created_at: created,
            closed_at: (!open).then(|| created + i64::try_from(rng.below(15)).unwrap_or(0) * DAY + DAY),
            reply: matches!(state, "replied" | "closed").then(|| "经核实已处理完毕。".to_string()),
            rating: (!open).then(|| *rng.pick(&["satisfied", "satisfied", "satisfied", "basic", "unsatisfied"])),
        });
        if batch.len() == per_batch || i + 1 == total {
            luoshi_storage::bulk::insert_appeals(db, &actor, &batch).await.map_err(fail)?;
            done += batch.len();
            batch.clear();
            progress_bar("appeals", done, total, started);
        }
    }
    let t = Instant::now();
    let r = luoshi_app::appeals::train(db, &system).await.map_err(fail)?;
    eprintln!("routing model: {} examples, held-out accuracy {:.1}% ({:.1} s)", r.examples, r.accuracy * 100.0, t.elapsed().as_secs_f64());
    Ok(done)
}
