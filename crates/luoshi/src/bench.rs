//! `luoshi bench`: synthetic data at scale, loopback load with percentiles, and the limits of
//! this machine measured in the same run, so every speed claim comes from a command.

use crate::Fail;
use chrono::NaiveDate;
use luoshi_app::tasks::{light_of, rules_on};
use luoshi_domain::access::Scope;
use luoshi_domain::tasks::State;
use luoshi_domain::unit_import::{plan, UnitRow};
use luoshi_storage::bulk::{insert_tasks, SeedTask};
use luoshi_storage::{calendar, units, users, Actor, Db};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A deterministic generator (SplitMix64): the same seed gives the same data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Scale {
    /// 示范县 as is: ~80 units, 5,000 tasks.
    County,
    /// A city: ~900 more townships and villages, 50,000 tasks.
    City,
    /// A metropolis: ~5,500 more units, 500,000 tasks.
    Metropolis,
}

impl Scale {
    fn spec(self) -> (usize, usize, usize) {
        match self {
            Scale::County => (0, 0, 5_000),
            Scale::City => (100, 8, 50_000),
            Scale::Metropolis => (500, 10, 500_000),
        }
    }

    /// Appeals at this scale.
    fn appeals(self) -> usize {
        match self {
            Scale::County => 3_000,
            Scale::City => 1_000_000,
            Scale::Metropolis => 2_000_000,
        }
    }
}

fn progress_bar(label: &str, done: usize, total: usize, started: Instant) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width).min(width);
    let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
    eprint!("\r{label:<8} [{}{}] {done}/{total} ({rate:.0}/s)   ", "#".repeat(filled), " ".repeat(width - filled));
    if done >= total {
        eprintln!();
    }
    let _ = std::io::stderr().flush();
}

const TOPICS: &[&str] = &[
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
const MEASURES: &[&str] = &[
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
}

/// Fill a database: the demo county, more townships for larger scales, bench users, tasks.
pub async fn seed(db: &Db, scale: Scale, tasks: Option<usize>, appeals: Option<usize>, seed: u64, today: NaiveDate) -> Result<Seeded, Fail> {
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
    for i in 0..total_tasks {
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
    Ok(out)
}

/// Appeals with Chinese text from the demo county's templates, at every step of the loop,
/// received over the last year; then the routing model trained on them.
async fn seed_appeals(db: &Db, all: &[luoshi_domain::unit::Unit], total: usize, rng: &mut Rng) -> Result<usize, Fail> {
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
    let any = luoshi_storage::appeals::Filter { limit: 1, ..Default::default() };
    if total == 0 || !luoshi_storage::appeals::list(db, &any).await.map_err(fail)?.is_empty() {
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
    let mut batch = Vec::with_capacity(10_000);
    let mut done = 0;
    for i in 0..total {
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
            channel: ["phone", "phone", "web", "open311", "walk_in"][rng.below(5)],
            kind: "complaint",
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
        if batch.len() == 10_000 || i + 1 == total {
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

/// Latencies of one named endpoint.
#[derive(Default)]
struct Samples {
    ok: Vec<Duration>,
    errors: usize,
    /// The first failure, to show what went wrong.
    first_error: Option<String>,
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// A measured line: name, requests per second, p50, p95, p99 (ms), errors.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub rps: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub count: usize,
    pub errors: usize,
    pub first_error: Option<String>,
}

fn lines(map: BTreeMap<String, Samples>, secs: f64) -> Vec<Line> {
    map.into_iter()
        .map(|(name, mut s)| {
            s.ok.sort();
            Line {
                rps: s.ok.len() as f64 / secs,
                p50: pct(&s.ok, 0.50),
                p95: pct(&s.ok, 0.95),
                p99: pct(&s.ok, 0.99),
                count: s.ok.len(),
                errors: s.errors,
                first_error: s.first_error,
                name,
            }
        })
        .collect()
}

struct Worker {
    client: reqwest::Client,
    /// No cookies: for Open311 clients, which have no session.
    plain: reqwest::Client,
    username: String,
    csrf: String,
    own_task: Option<i64>,
    any_task: Option<i64>,
}

async fn login(base: &str, user: &str) -> Result<Worker, Fail> {
    let client = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(4).build().map_err(|e| Fail(e.to_string()))?;
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "username": user, "password": luoshi_web::demo::DEMO_PASSWORD }))
        .send()
        .await
        .map_err(|e| Fail(format!("cannot reach {base}: {e}")))?;
    if !r.status().is_success() {
        return Err(Fail(format!("login {user}: {}", r.status())));
    }
    let v: serde_json::Value = r.json().await.map_err(|e| Fail(e.to_string()))?;
    let csrf = v["csrf"].as_str().unwrap_or_default().to_string();
    let inbox: serde_json::Value =
        client.get(format!("{base}/api/v1/inbox")).send().await.map_err(|e| Fail(e.to_string()))?.json().await.map_err(|e| Fail(e.to_string()))?;
    let unit_role = matches!(v["user"]["role"].as_str(), Some("unit_staff" | "unit_manager"));
    // A task the unit owns and may report on: one in progress, owned by the caller's unit.
    let unit_id = v["user"]["unit_id"].as_i64();
    let signed: serde_json::Value = client
        .get(format!("{base}/api/v1/tasks?state=signed&unit_id={}&limit=1", unit_id.unwrap_or(0)))
        .send()
        .await
        .map_err(|e| Fail(e.to_string()))?
        .json()
        .await
        .map_err(|e| Fail(e.to_string()))?;
    let own_task = signed["tasks"]
        .as_array()
        .filter(|_| unit_role)
        .and_then(|ts| ts.iter().find(|t| t["owner_unit_id"].as_i64() == unit_id))
        .and_then(|t| t["id"].as_i64());
    let _ = &inbox;
    let board: serde_json::Value =
        client.get(format!("{base}/api/v1/tasks?limit=20")).send().await.map_err(|e| Fail(e.to_string()))?.json().await.map_err(|e| Fail(e.to_string()))?;
    let any_task = board["tasks"].as_array().and_then(|ts| ts.first()).and_then(|t| t["id"].as_i64());
    let plain = reqwest::Client::builder().pool_max_idle_per_host(4).build().map_err(|e| Fail(e.to_string()))?;
    Ok(Worker { client, plain, username: user.to_string(), csrf, own_task, any_task })
}

/// The requests of the mix, with their share in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Inbox,
    Board,
    BoardRed,
    Task,
    Report,
    Directives,
    Deadline,
    /// A fresh login (Argon2id on purpose: expensive by design, so a small share).
    Login,
    /// Appeal search by words (the caller's sight: all for the office, the unit's own for units).
    AppealSearch,
    /// An Open311 query: one service's recent requests, a page of 50.
    Open311,
    /// Appeal intake through Open311 POST (API key).
    Intake,
}

pub const MIX: &[(Kind, usize)] = &[
    (Kind::Inbox, 25),
    (Kind::Board, 15),
    (Kind::BoardRed, 8),
    (Kind::Task, 15),
    (Kind::Report, 10),
    (Kind::Deadline, 5),
    (Kind::Login, 2),
    (Kind::AppealSearch, 8),
    (Kind::Open311, 7),
    (Kind::Intake, 5),
];

const SEARCH_WORDS: &[&str] = &["路灯", "噪音", "拖欠工资", "垃圾", "停水", "物业", "宅基地", "油烟"];
const SERVICES: &[&str] = &["streetlight", "road", "water_supply", "sanitation", "noise_pollution", "housing", "wages", "market"];

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Inbox => "GET /api/v1/inbox",
            Kind::Board => "GET /api/v1/tasks (board)",
            Kind::BoardRed => "GET /api/v1/tasks?light=red",
            Kind::Task => "GET /api/v1/tasks/{id}",
            Kind::Report => "POST /api/v1/tasks/{id}/reports",
            Kind::Directives => "GET /api/v1/directives",
            Kind::Deadline => "GET /api/v1/calendar/deadline",
            Kind::Login => "POST /api/v1/session (login)",
            Kind::AppealSearch => "GET /api/v1/appeals?q= (search)",
            Kind::Open311 => "GET /open311/v2/requests.json",
            Kind::Intake => "POST /open311/v2/requests.json (intake)",
        }
    }

    fn request(self, w: &Worker, base: &str, rng: &mut Rng) -> (&'static str, reqwest::RequestBuilder) {
        let c = &w.client;
        match self {
            Kind::Inbox => (self.name(), c.get(format!("{base}/api/v1/inbox"))),
            Kind::Board => (self.name(), c.get(format!("{base}/api/v1/tasks"))),
            Kind::BoardRed => (self.name(), c.get(format!("{base}/api/v1/tasks?light=red"))),
            Kind::Task => match w.any_task.or(w.own_task) {
                Some(t) => (self.name(), c.get(format!("{base}/api/v1/tasks/{t}"))),
                None => Kind::Inbox.request(w, base, rng),
            },
            Kind::Report => match w.own_task {
                Some(t) => (
                    self.name(),
                    c.post(format!("{base}/api/v1/tasks/{t}/reports"))
                        .header("x-csrf-token", &w.csrf)
                        .json(&serde_json::json!({ "text": "压测进展报告", "percent": rng.below(101) })),
                ),
                None => Kind::Directives.request(w, base, rng),
            },
            Kind::Directives => (self.name(), c.get(format!("{base}/api/v1/directives"))),
            Kind::Deadline => (self.name(), c.get(format!("{base}/api/v1/calendar/deadline?from=2026-03-02&days=15"))),
            Kind::AppealSearch => (self.name(), c.get(format!("{base}/api/v1/appeals")).query(&[("q", *rng.pick(SEARCH_WORDS))])),
            Kind::Open311 => (self.name(), w.plain.get(format!("{base}/open311/v2/requests.json?service_code={}&page_size=50", rng.pick(SERVICES)))),
            Kind::Intake => {
                let (cat, _, texts) = rng.pick(luoshi_web::demo_appeals::TEMPLATES);
                let place = rng.pick(luoshi_web::demo_appeals::PLACES);
                let form = [
                    ("api_key", luoshi_web::demo_appeals::DEMO_OPEN311_KEY.to_string()),
                    ("service_code", (*cat).to_string()),
                    ("address_string", (*place).to_string()),
                    ("description", rng.pick(texts).replace("{p}", place)),
                ];
                (self.name(), w.plain.post(format!("{base}/open311/v2/requests.json")).form(&form))
            }
            // A separate client, so the worker's own session stays as it is.
            Kind::Login => (
                self.name(),
                reqwest::Client::new()
                    .post(format!("{base}/api/v1/session"))
                    .json(&serde_json::json!({ "username": w.username, "password": luoshi_web::demo::DEMO_PASSWORD })),
            ),
        }
    }
}

fn pick_kind(rng: &mut Rng) -> Kind {
    let mut roll = rng.below(100);
    for (k, share) in MIX {
        if roll < *share {
            return *k;
        }
        roll -= share;
    }
    Kind::Inbox
}

/// Drive a running server: each worker logs in as one of `users` and loops over the mix (or
/// one kind only) until the time is up. Loopback only; bounded by the duration.
pub async fn load(base: &str, duration: Duration, concurrency: usize, users: &[String], only: Option<Kind>) -> Result<(Vec<Line>, f64), Fail> {
    if !(base.starts_with("http://127.") || base.starts_with("http://localhost") || base.starts_with("http://[::1]")) {
        return Err(Fail("bench load drives only a server on this machine (http://127.0.0.1:PORT)".into()));
    }
    let mut workers = Vec::new();
    for i in 0..concurrency.max(1) {
        workers.push(login(base, &users[i % users.len().max(1)]).await?);
    }
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let results = Arc::new(std::sync::Mutex::new(BTreeMap::<String, Samples>::new()));
    let mut handles = Vec::new();
    for (i, w) in workers.into_iter().enumerate() {
        let base = base.to_string();
        let results = results.clone();
        handles.push(tokio::spawn(async move {
            let mut rng = Rng::new(i as u64 + 1);
            let mut local: BTreeMap<String, Samples> = BTreeMap::new();
            while Instant::now() < deadline {
                let kind = only.unwrap_or_else(|| pick_kind(&mut rng));
                let (name, req) = kind.request(&w, &base, &mut rng);
                let t0 = Instant::now();
                let outcome = match req.send().await {
                    Ok(r) => {
                        let status = r.status();
                        let body = r.bytes().await.unwrap_or_default();
                        if status.is_success() {
                            Ok(())
                        } else {
                            Err(format!("{status} {}", String::from_utf8_lossy(&body[..body.len().min(200)])))
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                let e = local.entry(name.to_string()).or_default();
                match outcome {
                    Ok(()) => e.ok.push(t0.elapsed()),
                    Err(msg) => {
                        e.errors += 1;
                        e.first_error.get_or_insert(msg);
                    }
                }
            }
            if let Ok(mut all) = results.lock() {
                for (k, v) in local {
                    let e = all.entry(k).or_default();
                    e.ok.extend(v.ok);
                    e.errors += v.errors;
                    if e.first_error.is_none() {
                        e.first_error = v.first_error;
                    }
                }
            }
        }));
    }
    for h in handles {
        let _ = h.await;
    }
    let secs = started.elapsed().as_secs_f64();
    let map = std::mem::take(&mut *results.lock().map_err(|_| Fail("lost results".into()))?);
    Ok((lines(map, secs), secs))
}

async fn timed<F, Fut>(name: &str, duration: Duration, concurrency: usize, f: F) -> Line
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut handles = Vec::new();
    for w in 0..concurrency {
        let f = f.clone();
        handles.push(tokio::spawn(async move {
            let mut s = Samples::default();
            let mut n = (w as u64) << 32;
            while Instant::now() < deadline {
                n += 1;
                let t0 = Instant::now();
                if f(n).await {
                    s.ok.push(t0.elapsed());
                } else {
                    s.errors += 1;
                }
            }
            s
        }));
    }
    let mut all = Samples::default();
    for h in handles {
        if let Ok(s) = h.await {
            all.ok.extend(s.ok);
            all.errors += s.errors;
        }
    }
    let mut m = BTreeMap::new();
    m.insert(name.to_string(), all);
    lines(m, started.elapsed().as_secs_f64()).remove(0)
}

/// The limits on this machine, measured beside the real endpoints: an empty HTTP handler, a bare
/// primary-key read and a bare durable single-row insert.
pub async fn baseline(base: &str, db: &Db, duration: Duration, concurrency: usize) -> Result<Vec<Line>, Fail> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().map_err(|e| Fail(e.to_string()))?;
    let url = format!("{base}/healthz");
    let empty = timed("limit: empty HTTP handler (GET /healthz)", duration, concurrency, move |_| {
        let c = client.clone();
        let u = url.clone();
        async move { c.get(&u).send().await.map(|r| r.status().is_success()).unwrap_or(false) }
    })
    .await;
    let max_id = luoshi_storage::tasks::count(db).await.map_err(|e| Fail(e.to_string()))?.max(1);
    let dbr = db.clone();
    let read = timed("limit: bare primary-key read", duration, concurrency, move |n| {
        let d = dbr.clone();
        async move { luoshi_storage::probe::pk_read(&d, i64::try_from(n % u64::try_from(max_id).unwrap_or(1)).unwrap_or(0) + 1).await.is_ok() }
    })
    .await;
    let probe = luoshi_storage::probe::Probe::open(db).await.map_err(|e| Fail(e.to_string()))?;
    let mode = probe.describe();
    let insert = timed(&format!("limit: bare durable single-row insert ({mode})"), duration, concurrency, move |n| {
        let p = probe.clone();
        async move { p.insert(n).await.is_ok() }
    })
    .await;
    Ok(vec![empty, read, insert])
}

fn header(title: &str) {
    println!("\n{title}");
    println!("{:<58} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7} {:>9}", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "count", "errors", "of limit");
}

fn row(l: &Line, ratio: &str) {
    println!("{:<58} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8} {:>7} {:>9}", l.name, l.rps, l.p50, l.p95, l.p99, l.count, l.errors, ratio);
    if let Some(e) = &l.first_error {
        println!("    first error: {e}");
    }
}

/// Print the mixed load, each endpoint alone as a ratio of its limit, and the limits.
pub fn print(mix: &[Line], alone: &[Line], limits: &[Line]) {
    header("mixed load (the realistic mix, all endpoints at once)");
    for l in mix {
        row(l, "");
    }
    header("each endpoint alone at the same concurrency, as a share of its limit");
    let http = limits.iter().find(|l| l.name.contains("empty"));
    let insert = limits.iter().find(|l| l.name.contains("insert"));
    for l in alone {
        let lim = if l.name.starts_with("POST") { insert } else { http };
        let ratio = lim.map(|lim| format!("{:.1}%", l.rps / lim.rps.max(1e-9) * 100.0)).unwrap_or_default();
        row(l, &ratio);
    }
    header("limits measured in the same run");
    for l in limits {
        row(l, "");
    }
}

/// A deterministic document of about `bytes` bytes mixing every marker kind the splitter reads:
/// 第X章, 一、, （一）, 1., (1), ①, inline 一是/二是, page numbers.
pub fn synthetic_document(bytes: usize, seed: u64) -> String {
    const CN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut rng = Rng::new(seed);
    let mut out = String::from("示范县关于全面推进重点工作的实施方案\n为深入贯彻落实县委县政府决策部署，结合实际，制定本方案。\n");
    let (mut ch, mut page) = (0usize, 0usize);
    while out.len() < bytes {
        ch += 1;
        out.push_str(&format!("第{}章 {}\n", CN[(ch - 1) % 10], rng.pick(TOPICS)));
        for s1 in &CN[..3] {
            out.push_str(&format!("{s1}、{}\n", rng.pick(TOPICS)));
            for s2 in &CN[..3] {
                out.push_str(&format!("（{s2}）{}。{}\n", rng.pick(TOPICS), rng.pick(MEASURES)));
                for n in 1..=3 {
                    out.push_str(&format!(
                        "{n}.{}。一是{}，年底前完成。二是{}。三是{}。\n",
                        rng.pick(TOPICS),
                        rng.pick(MEASURES),
                        rng.pick(MEASURES),
                        rng.pick(MEASURES)
                    ));
                }
                out.push_str(&format!("(1){}。\n(2){}。\n①{}\n②{}\n", rng.pick(MEASURES), rng.pick(MEASURES), rng.pick(TOPICS), rng.pick(TOPICS)));
            }
            page += 1;
            out.push_str(&format!("- {page} -\n"));
        }
    }
    out
}

/// Routing speed on one core: a model trained on generated appeals of the demo templates, then
/// `n` suggestions (segmentation and classification) timed one after another.
pub fn route(n: usize) {
    use luoshi_domain::route::{tokenize, Model};
    let mut rng = Rng::new(7);
    let gen = |rng: &mut Rng| {
        let (cat, _, texts) = rng.pick(luoshi_web::demo_appeals::TEMPLATES);
        let place = rng.pick(luoshi_web::demo_appeals::PLACES);
        ((*rng.pick(texts)).replace("{p}", place), (*cat).to_string())
    };
    let examples: Vec<(Vec<String>, String)> = (0..5_000).map(|_| gen(&mut rng)).map(|(t, c)| (tokenize(&t), c)).collect();
    let model = Model::train(examples.iter().map(|(t, c)| (t.as_slice(), c.as_str())));
    let texts: Vec<(String, String)> = (0..n.max(1)).map(|_| gen(&mut rng)).collect();
    let t0 = Instant::now();
    let mut right = 0usize;
    for (t, c) in &texts {
        if model.guess(&tokenize(t)).first().is_some_and(|g| &g.class == c) {
            right += 1;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "routing: {} suggestions in {:.2} s on one core = {:.0} appeals/s ({:.1} µs each); {} classes, {} words; agreement with the generating category {:.1}%",
        texts.len(),
        secs,
        texts.len() as f64 / secs,
        secs * 1e6 / texts.len() as f64,
        model.classes.len(),
        model.counts.len(),
        right as f64 * 100.0 / texts.len() as f64
    );
}
