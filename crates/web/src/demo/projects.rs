//! The demo county's investment projects, entered through the use cases: a hundred projects in
//! every stage (洽谈 to 投产, a few paused and one ended), each registered months ago and moved
//! along its pipeline on the days it happened (late ones with their reasons); the projects
//! under way with their approval items submitted, paused for expert review, returned and
//! resubmitted on the days it happened — 用地预审与选址意见书 at 县自然资源和规划局 is the
//! bottleneck — their monthly reports, and problems raised for coordination as tasks.

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use luoshi_app::links::project_problem::{self, ProblemInput};
use luoshi_app::projects::approvals::{self, ItemInput};
use luoshi_app::projects::register::{self, FundInput, ProjectInput};
use luoshi_app::projects::reports::{self, ReportInput};
use luoshi_app::projects::stages::{self, MoveInput};
use luoshi_app::Who;
use luoshi_domain::access::Scope;
use luoshi_domain::projects::{ProjectCode, Stage};
use luoshi_domain::ErrorCode;
use luoshi_storage::projects::approvals as item_store;
use luoshi_storage::{units, users, Db};

/// (name, industry, investment, route, total 万元, land 亩, lead unit).
const BASES: &[(&str, &str, &str, &str, i64, i64, &str)] = &[
    ("新能源汽车零部件生产基地", "manufacturing", "enterprise", "filing", 86_000, 210, "县投资促进中心"),
    ("光伏组件智能制造", "manufacturing", "enterprise", "filing", 52_000, 150, "县工业和信息化局"),
    ("农产品冷链物流园", "agriculture", "enterprise", "filing", 18_000, 80, "县农业农村局"),
    ("县城污水处理厂提标改造", "infrastructure", "government", "approval", 12_500, 0, "县住房和城乡建设局"),
    ("文旅康养综合体", "tourism", "enterprise", "filing", 35_000, 120, "县文化广电旅游体育局"),
    ("高标准农田建设", "agriculture", "government", "approval", 6_800, 0, "县农业农村局"),
    ("220千伏输变电工程", "energy", "enterprise", "verification", 24_000, 30, "县发展和改革局"),
    ("县中医院综合楼", "livelihood", "government", "approval", 15_600, 20, "县卫生健康局"),
    ("城东片区城市更新", "infrastructure", "government", "approval", 42_000, 95, "城关镇"),
    ("电子信息产业园标准厂房", "manufacturing", "enterprise", "filing", 28_000, 160, "县投资促进中心"),
    ("抽水蓄能电站前期", "energy", "enterprise", "verification", 680_000, 900, "县发展和改革局"),
    ("县域商业体系建设", "services", "enterprise", "filing", 5_200, 15, "县商务局"),
    ("乡村振兴示范带", "agriculture", "government", "approval", 9_800, 60, "县农业农村局"),
    ("职业教育实训基地", "livelihood", "government", "approval", 11_000, 45, "县教育局"),
    ("绿色建材产业园", "manufacturing", "enterprise", "filing", 64_000, 300, "县投资促进中心"),
    ("国道改线工程", "infrastructure", "government", "approval", 38_000, 260, "县交通运输局"),
    ("水库除险加固", "infrastructure", "government", "approval", 7_400, 0, "县水利局"),
    ("智慧物流分拨中心", "services", "enterprise", "filing", 16_500, 70, "城关镇"),
    ("中药材精深加工", "manufacturing", "enterprise", "filing", 13_000, 55, "县投资促进中心"),
    ("全域旅游集散中心", "tourism", "government", "approval", 8_600, 25, "县文化广电旅游体育局"),
    ("生物质热电联产", "energy", "enterprise", "verification", 31_000, 85, "县发展和改革局"),
    ("保障性租赁住房", "livelihood", "government", "approval", 22_000, 40, "县住房和城乡建设局"),
    ("预制菜产业园", "manufacturing", "enterprise", "filing", 12_000, 90, "城关镇"),
    ("数据中心", "services", "enterprise", "verification", 45_000, 60, "县投资促进中心"),
    ("小型商业综合体", "services", "enterprise", "filing", 4_800, 12, "县商务局"),
];

const PHASES: &[&str] = &["", "（二期）", "（三期）", "（四期）"];

/// Stage of project `i` of 100: 10 洽谈, 12 签约, 24 落地, 14 开工, 26 在建, 10 投产, 3 暂停, 1 终止.
fn stage_of(i: usize) -> Stage {
    match i % 100 {
        0..=9 => Stage::Negotiating,
        10..=21 => Stage::Signed,
        22..=45 => Stage::Landing,
        46..=59 => Stage::Started,
        60..=85 => Stage::Building,
        86..=95 => Stage::Operating,
        96..=98 => Stage::Paused,
        _ => Stage::Terminated,
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A project code with the check character the provisional rule gives.
fn code(i: usize, year: i32, route: &str) -> String {
    let kind = match route {
        "approval" => "01",
        "verification" => "02",
        _ => "03",
    };
    let body = format!("{year}-339901-{:02}-{kind}-{:05}", 30 + i % 60, 10_000 + i * 37);
    "0123456789X"
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|c| ProjectCode::parse(c).map(|(p, _)| p.check_agrees() == Some(true)).unwrap_or(false))
        .unwrap_or_else(|| format!("{body}0"))
}

fn e(x: luoshi_storage::StoreError) -> String {
    x.to_string()
}

/// Seed the county's projects; how many were registered (0 when they existed already).
pub async fn seed_projects(db: &Db, today: NaiveDate) -> Result<usize, String> {
    let sight = luoshi_storage::duty::Resolved::All;
    if !luoshi_storage::projects::ledger::page(db, &sight, &Default::default(), 0, 1).await.map_err(e)?.is_empty() {
        return Ok(0);
    }
    let who = Who::system("demo");
    // Now, on the county's day (a test's county lives on a fixed date).
    let real = luoshi_storage::now_micros();
    let now = real + (today - luoshi_domain::time::local_date(real)).num_days() * 86_400_000_000;
    let all = units::list(db, &Scope::All).await.map_err(e)?;
    let unit = |n: &str| units::resolve(&all, n).map(|u| u.id).map_err(|x| x.to_string());
    let towns: Vec<i64> = all.iter().filter(|u| u.kind == luoshi_domain::unit::UnitKind::Township).map(|u| u.id).collect();
    let leader = users::by_username(db, "leader").await.map_err(e)?.map(|u| u.id);
    let vice = users::by_username(db, "vice").await.map_err(e)?.map(|u| u.id);
    let mut made = 0;
    for i in 0..100 {
        let (base, industry, investment, route, total, land, lead) = BASES[i % BASES.len()];
        let stage = stage_of(i);
        let ago = |days: i64| today - Duration::days(days);
        let rank = i64::from(stage.rank().unwrap_or(3));
        // The moves it made (action, days after the last, the reason when late), then how long
        // it has stood in its stage: registration is that long before today.
        let late_sign = i % 4 == 0;
        let start_gap = 100 + (i as i64 * 13) % 60;
        let mut moves: Vec<(&str, i64, &str)> = Vec::new();
        if rank >= 1 {
            moves.push(("sign", if late_sign { 75 } else { 50 }, if late_sign { "投资方董事会审议延期" } else { "" }));
        }
        if rank >= 2 {
            moves.push(("land", 30, ""));
        }
        if rank >= 3 {
            moves.push(("start", start_gap, "用地报批滞后，开工推迟"));
        }
        if rank >= 4 {
            moves.push(("build", 25, ""));
        }
        if rank >= 5 {
            moves.push(("complete", 300, "设备调试延长"));
        }
        let age = if stage == Stage::Building { 60 + (i as i64 * 17) % 200 } else { 10 + (i as i64 * 17) % 80 };
        let registered = ago(moves.iter().map(|m| m.1).sum::<i64>() + age);
        let sign_plan = registered + Duration::days(60);
        let start_plan = registered + Duration::days(if late_sign { 75 } else { 50 } + 30 + 110);
        // This year's plan covers the months it builds in: from its start (or January) on.
        let started = registered + Duration::days(if late_sign { 75 } else { 50 } + 30 + start_gap);
        let months_building = if started.year() < today.year() { 12 } else { 13 - i64::from(started.month()) };
        let plan_wan = total / 3 * months_building.max(1) / 12;
        let input = ProjectInput {
            code: if stage == Stage::Negotiating { String::new() } else { code(i, registered.year(), route) },
            name: format!("{base}项目{}", PHASES[i / BASES.len()]),
            investor: format!("{}有限公司", ["示范县城投", "华东新能", "江南农发", "远景科技", "恒信实业"][i % 5]),
            investment: investment.into(),
            route: route.into(),
            industry: industry.into(),
            scope: format!("总用地约{land}亩，建设{base}及配套设施。"),
            total_wan: (total + (i as i64 % 7) * 500).to_string(),
            land_mu: land.to_string(),
            township_id: towns.get(i % towns.len().max(1)).copied(),
            leader_user_id: if i % 3 == 0 { leader } else { vice },
            lead_unit_id: Some(unit(lead)?),
            since: ymd(registered),
            planned_sign_on: ymd(sign_plan),
            planned_start_on: ymd(start_plan),
            planned_complete_on: ymd(start_plan + Duration::days(540)),
            annual_plan_wan: if rank >= 3 && !matches!(stage, Stage::Paused | Stage::Terminated) { plan_wan.to_string() } else { String::new() },
            funds: vec![
                FundInput {
                    source: "企业自筹".into(),
                    planned_wan: (total / 2).to_string(),
                    in_place_wan: if rank >= 3 { (total / 4).to_string() } else { String::new() },
                },
                FundInput { source: "银行贷款".into(), planned_wan: (total / 3).to_string(), in_place_wan: String::new() },
            ],
            ..ProjectInput::default()
        };
        let p = register::create(db, &who, &input, now).await.map_err(e)?;
        made += 1;
        // Move it along on the days it happened.
        let mut at = registered;
        let step = |action: &str, on: NaiveDate, reason: &str| MoveInput { action: action.into(), happened_on: ymd(on), reason: reason.into(), version: None };
        for (action, gap, reason) in moves {
            let on = (at + Duration::days(gap)).min(today);
            let late_start = action == "start" && on > start_plan;
            let reason = if action == "start" && !late_start { "" } else { reason };
            stages::act(db, &who, p.id, &step(action, on, reason), now).await.map_err(|x| format!("{}: {action}: {x}", p.name))?;
            at = on;
            if action == "land" && i % 2 == 0 {
                history(db, &who, p.id, at, rank, today, i).await?;
            }
        }
        match stage {
            Stage::Paused => {
                stages::act(db, &who, p.id, &step("pause", (today - Duration::days(20)).max(at), "投资方资金链紧张，暂缓建设"), now).await.map_err(e)?;
            }
            Stage::Terminated => {
                stages::act(db, &who, p.id, &step("terminate", (today - Duration::days(40)).max(at), "投资方战略调整，解除投资协议"), now).await.map_err(e)?;
            }
            _ => {}
        }
        // Monthly reports for the projects under way, each month of this year since it started
        // (a few behind schedule; some not yet in for last month).
        if matches!(stage, Stage::Started | Stage::Building) {
            let pace = [105, 95, 80, 60][i % 4];
            let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
            for m in (1..today.month()).rev() {
                let month = first.checked_sub_months(chrono::Months::new(m)).unwrap_or(first);
                if month.year() != today.year() || month < at.with_day(1).unwrap_or(at) || (m == 1 && i % 4 == 1) {
                    continue;
                }
                let r = ReportInput {
                    month: month.format("%Y-%m").to_string(),
                    invested_wan: (total / 3 * pace / 100 / 12).to_string(),
                    in_place_wan: (total / 36).to_string(),
                    progress: ["主体结构施工", "基础施工完成", "钢结构吊装", "设备安装调试"][i % 4].into(),
                    problems: if pace < 70 { "施工许可办理滞后，作业面未全面展开".into() } else { String::new() },
                };
                reports::report(db, &who, p.id, &r, now).await.map_err(e)?;
            }
        }
        // Problems raised for coordination on some projects held up.
        if stage == Stage::Landing && i % 6 == 0 {
            let input = ProblemInput {
                kind: "land".into(),
                text: "项目用地征收补偿未完成，需协调土地报批".into(),
                unit_id: Some(unit("县自然资源和规划局")?),
                due_on: ymd(today + Duration::days(20)),
            };
            project_problem::raise(db, &who, p.id, &input, now).await.map_err(e)?;
        }
    }
    Ok(made)
}

/// The approval history of a project that landed on `landed`: its items submitted in stage
/// order, each decided after its days (the land office slow, often returned once, expert
/// review pausing the clock on some), the later stages left waiting as far as the project got.
async fn history(db: &Db, who: &Who, project_id: i64, landed: NaiveDate, rank: i64, today: NaiveDate, i: usize) -> Result<(), String> {
    approvals::start(db, who, project_id, at_noon(landed)).await.map_err(e)?;
    let items = item_store::of_project(db, project_id).await.map_err(e)?;
    let mut day = landed + Duration::days(3);
    // How far the approvals got: stage 1 for a landing project, up to 3 once started.
    let last_stage = if rank >= 3 { 3 } else { 1 };
    for it in items.iter().filter(|it| it.stage <= last_stage) {
        let slow = it.item == "site_opinion";
        let act = |action: &str, kind: &str, reason: &str| ItemInput { action: action.into(), pause_kind: kind.into(), reason: reason.into(), version: None };
        let mut steps: Vec<(i64, ItemInput)> = vec![(0, act("submit", "", ""))];
        if slow && i % 4 != 2 {
            steps.push((18, act("return", "", "用地红线图与规划条件不一致，请修改后重新申报")));
            steps.push((10, act("submit", "", "")));
        }
        if it.item == "eia" || (slow && i % 3 == 0) {
            steps.push((5, act("pause", "expert_review", "组织专家评审")));
            steps.push((12, act("resume", "", "专家评审意见已出具")));
        }
        let decide = if slow { 24 + (i as i64 % 9) } else { 4 + (i as i64 % 6) };
        steps.push((decide, act("approve", "", "")));
        for (gap, input) in steps {
            day += Duration::days(gap);
            if day >= today {
                break;
            }
            match approvals::act(db, who, it.id, &input, at_noon(day)).await {
                Ok(_) => {}
                // A limit past the calendar's last year cannot be counted: the item waits there.
                Err(luoshi_storage::StoreError::Domain(d)) if d.code == ErrorCode::CalendarUnknownYear => break,
                Err(x) => return Err(format!("approval {}: {}: {x}", it.name, input.action)),
            }
        }
        day += Duration::days(2);
    }
    Ok(())
}

fn at_noon(d: NaiveDate) -> i64 {
    let t = d.and_hms_opt(12, 0, 0).unwrap_or_default();
    luoshi_domain::time::shanghai().from_local_datetime(&t).single().map(|x| x.timestamp_micros()).unwrap_or(0)
}
