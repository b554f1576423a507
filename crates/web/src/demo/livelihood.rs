//! The demo county's 民生实事, one full year through the use cases: this year's projects
//! collected last September from citizens, deputies and departments, screened (one left out by
//! rule, one for new borrowing, one to the reserve for want of money, two similar ones merged),
//! voted on at January's 人代会 by twelve deputies from their accounts and the rest on paper,
//! delivered as tasks with progress reported, rated by the deputies in December and by
//! citizens; and next year's collection in screening, one proposal from a recurring appeal.

use super::livelihood_votes::{session_cycle, Cycle};
use chrono::{Datelike, NaiveDate};
use luoshi_app::livelihood::screening::ActInput;
use luoshi_app::livelihood::sessions::{self, SessionInput};
use luoshi_app::livelihood::{self as svc, proposals, screening, YearInput};
use luoshi_app::Who;
use luoshi_domain::livelihood::{AssessmentInput, DebtStanding, ProposalInput};
use luoshi_domain::user::UserInput;
use luoshi_storage::{units, users, Db};

pub(super) fn e(x: luoshi_storage::StoreError) -> String {
    x.to_string()
}

/// The demo's deputies with accounts besides 王代表 (the rest of the 180 vote on paper).
pub const DEPUTIES: &[(&str, &str, &str, &str)] = &[
    ("dep01", "钱代表", "城关镇", "deputy"),
    ("dep02", "孙代表", "青山镇", "deputy"),
    ("dep03", "李代表", "河口镇", "deputy"),
    ("dep04", "周代表", "石桥镇", "deputy"),
    ("dep05", "吴代表", "白沙镇", "deputy"),
    ("dep06", "郑代表", "大坪镇", "deputy"),
    ("dep07", "冯代表", "龙潭乡", "deputy"),
    ("dep08", "陈代表", "桃源乡", "deputy"),
    ("dep09", "褚代表", "清水乡", "deputy"),
    ("dep10", "卫代表", "新田乡", "deputy"),
    ("dep11", "蒋代表", "城东街道", "deputy"),
];

/// (title, content, area, place, source: c citizen / d deputy / u unit, department, 万元 total,
/// 万元 county, outcome: v vote / x not universal / b new borrowing / r reserve / m merge)
type Item = (&'static str, &'static str, &'static str, &'static str, char, &'static str, i64, i64, char);

const THIS_YEAR: &[Item] = &[
    ("城区老旧小区加装电梯", "城东、城西老旧小区老人上下楼难，希望政府补助加装电梯。", "housing", "城东街道", 'c', "县住房和城乡建设局", 3200, 1600, 'v'),
    ("新建三所社区老年食堂", "社区独居老人多，吃饭难，希望办老年食堂、提供送餐。", "elderly", "城关镇", 'd', "县民政局", 900, 900, 'v'),
    ("乡镇卫生院医学影像设备更新", "乡镇卫生院CT、DR设备老化，群众拍片要跑县城。", "health", "青山镇", 'd', "县卫生健康局", 2400, 1800, 'v'),
    ("农村义务教育学校食堂改造", "部分村小食堂条件差，学生午餐质量不高。", "education", "龙潭乡", 'u', "县教育局", 1500, 1500, 'v'),
    ("城乡公交一元票价全覆盖", "乡村公交票价高、班次少，群众出行不便。", "transport", "", 'c', "县交通运输局", 1300, 1300, 'v'),
    ("普惠性托育机构建设", "双职工家庭孩子入托难，希望增加普惠托位。", "childcare", "城西街道", 'c', "县卫生健康局", 1100, 800, 'v'),
    ("农村饮用水提质增效", "部分山区村自来水水压不足、水质不稳定。", "rural", "大坪镇", 'u', "县水利局", 2600, 1400, 'v'),
    ("零工市场和就业驿站建设", "务工人员找活难，希望建零工市场。", "employment", "", 'd', "县人力资源和社会保障局", 600, 600, 'v'),
    ("城区停车泊位扩容", "老城区停车难，乱停乱放堵路。", "municipal", "城关镇", 'c', "县住房和城乡建设局", 1800, 1200, 'v'),
    ("全民健身步道和口袋公园", "城区缺少健身场地，晚上散步只能走马路。", "culture", "", 'c', "县文化广电旅游体育局", 1000, 1000, 'v'),
    ("困难群众医疗救助提标", "大病患者自付负担重。", "social_security", "", 'd', "县医疗保障局", 1200, 1200, 'v'),
    ("河道垃圾清理长效保洁", "河口镇河道漂浮垃圾多。", "ecology", "河口镇", 'c', "县生态环境局", 700, 700, 'v'),
    ("高尔夫练习场建设", "建设高端运动场所吸引投资。", "culture", "", 'u', "县文化广电旅游体育局", 3000, 3000, 'x'),
    ("县城大型综合体育馆", "举债建设可承办省级赛事的体育馆。", "culture", "", 'd', "县文化广电旅游体育局", 28000, 20000, 'b'),
    ("县人民医院新院区", "新建县医院新院区。", "health", "", 'u', "县卫生健康局", 60000, 9000, 'r'),
    ("小区加装电梯补助", "希望老小区装电梯政府给补贴。", "housing", "城西街道", 'c', "县住房和城乡建设局", 0, 0, 'm'),
];

const NEXT_YEAR: &[Item] = &[
    ("中小学课后服务全覆盖", "双职工家庭下午放学后接送难。", "education", "", 'c', "县教育局", 800, 800, 'a'),
    ("村级养老服务站建设", "农村留守老人多，缺少照料场所。", "elderly", "桃源乡", 'd', "县民政局", 1200, 900, 'a'),
    ("城区背街小巷路灯亮化", "背街小巷夜间照明差，出行不安全。", "municipal", "城东街道", 'c', "县住房和城乡建设局", 500, 500, 's'),
    ("县域医共体远程诊疗", "乡镇看病希望县医院专家远程会诊。", "health", "", 'u', "县卫生健康局", 1600, 1200, 's'),
    ("农贸市场提升改造", "农贸市场雨天积水、卫生差。", "municipal", "城关镇", 'd', "县商务局", 1400, 1000, 'q'),
    ("残疾人康复服务中心", "残疾人康复训练要去市里。", "social_security", "", 'c', "县民政局", 0, 0, 'c'),
    ("乡村道路安全设施完善", "村道急弯缺少护栏和警示标志。", "transport", "石桥镇", 'u', "县交通运输局", 0, 0, 'n'),
];

pub(super) async fn person(db: &Db, username: &str) -> Result<Who, String> {
    let u = users::by_username(db, username).await.map_err(e)?.ok_or_else(|| format!("demo user {username} missing"))?;
    let unit = units::get(db, u.unit_id).await.map_err(e)?.ok_or("demo unit missing")?;
    Ok(Who::user(u.id, &u.username, u.role, u.unit_id, &unit.path))
}

/// Micros of a local date at ten in the morning.
pub(super) fn at(d: NaiveDate) -> i64 {
    luoshi_domain::duty::end_of_day(d) - 14 * 3_600_000_000
}

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Seed it (once: nothing is done when a proposal exists); how many proposals were made.
pub async fn seed_livelihood(db: &Db, today: NaiveDate) -> Result<usize, String> {
    if !luoshi_storage::livelihood::proposals::list(db, &Default::default()).await.map_err(e)?.is_empty() {
        return Ok(0);
    }
    let all = units::list(db, &luoshi_domain::access::Scope::All).await.map_err(e)?;
    for (username, name, unit, role) in DEPUTIES {
        if users::by_username(db, username).await.map_err(e)?.is_some() {
            continue;
        }
        let unit = units::resolve(&all, unit).map_err(|x| x.to_string())?;
        let input = UserInput {
            username: (*username).into(),
            display_name: (*name).into(),
            unit_id: unit.id,
            role: (*role).into(),
            password: super::DEMO_PASSWORD.into(),
            phone: String::new(),
        };
        let new = input.validate().map_err(|x| x.to_string())?;
        let hash = crate::auth::hash_password(super::DEMO_PASSWORD).map_err(|x| x.to_string())?;
        let mut tx = db.begin_write().await.map_err(e)?;
        users::create(&mut tx, &luoshi_storage::Actor::cli("demo"), &new, &hash).await.map_err(e)?;
        tx.commit().await.map_err(e)?;
    }
    let unit_of = |name: &str| all.iter().find(|u| u.name == name).map(|u| u.id);
    // The year whose projects are being delivered: voted in January.
    let d = if today >= ymd(today.year(), 2, 1) { today.year() } else { today.year() - 1 };
    let mut made = 0;
    made += one_year(db, d, THIS_YEAR, &unit_of, today).await?;
    if today >= ymd(d, 9, 20) {
        made += collecting(db, d + 1, NEXT_YEAR, &unit_of, today).await?;
    }
    Ok(made)
}

async fn propose(db: &Db, item: &Item, on: NaiveDate, k: usize) -> Result<i64, String> {
    let (title, content, area, place, source, ..) = *item;
    let input = ProposalInput { title: title.into(), content: content.into(), area: area.into(), place: place.into(), ..ProposalInput::default() };
    let now = at(on) + k as i64 * 60_000_000;
    match source {
        'c' => {
            let input = ProposalInput { name: "群众".into(), phone: format!("1390000{:04}", 1000 + k), ..input };
            proposals::submit_public(db, &input, now).await.map_err(e)
        }
        'd' => proposals::submit(db, &person(db, &format!("dep{:02}", 1 + k % 11)).await?, &input, now).await.map_err(e),
        _ => proposals::submit(db, &person(db, "staff").await?, &input, now).await.map_err(e),
    }
}

fn act(action: &str) -> ActInput {
    ActInput { action: action.into(), ..ActInput::default() }
}

async fn assess(db: &Db, id: i64, item: &Item, unit: i64, on: NaiveDate, today: NaiveDate) -> Result<(), String> {
    let sys = Who::system("demo");
    let none = DebtStanding::default();
    screening::act(db, &sys, id, &ActInput { unit_id: Some(unit), ..act("assign") }, none, at(on)).await.map_err(e)?;
    let (title, _, _, _, _, _, total, county, outcome) = *item;
    let a = AssessmentInput {
        necessity: format!("“{title}”群众反映集中，代表多次建议，受益面广。"),
        reality: "选址、方案已基本落实，主管部门有实施能力。".into(),
        possibility: "当年可建成见效，资金纳入年度预算。".into(),
        cost_wan: total.to_string(),
        county_wan: county.to_string(),
        funding: if outcome == 'b' { "新增政府专项债券".into() } else { "县级财政预算，争取上级补助".into() },
        beneficiaries: (3_000 + total * 7).to_string(),
        universal: outcome != 'x',
        public_welfare: outcome != 'x',
        adds_debt: outcome == 'b',
        ..AssessmentInput::default()
    };
    screening::act(db, &sys, id, &ActInput { assessment: a, ..act("assess") }, none, at((on + chrono::Duration::days(12)).min(today))).await.map_err(e)?;
    Ok(())
}

/// A year's collection in September of the year before, and its 可用财力.
async fn september(db: &Db, year: i32, capacity_wan: &str, on: NaiveDate) -> Result<(), String> {
    let y = YearInput {
        year: year.to_string(),
        collect_from: format!("{}-09-01", year - 1),
        collect_to: format!("{}-09-30", year - 1),
        capacity_wan: capacity_wan.into(),
    };
    svc::set_year(db, &Who::system("demo"), &y, at(on)).await.map_err(e)?;
    Ok(())
}

/// A year from collection to rating.
async fn one_year(db: &Db, year: i32, items: &[Item], unit_of: &dyn Fn(&str) -> Option<i64>, today: NaiveDate) -> Result<usize, String> {
    let sys = Who::system("demo");
    let none = DebtStanding::default();
    let collected = ymd(year - 1, 9, 8);
    september(db, year, "15000", collected).await?;
    let mut ids = Vec::new();
    for (k, item) in items.iter().enumerate() {
        ids.push(propose(db, item, collected + chrono::Duration::days(k as i64 % 20), k).await?);
    }
    let screen_on = ymd(year - 1, 10, 9);
    let first_similar = ids[0];
    for (id, item) in ids.iter().zip(items) {
        let outcome = item.8;
        if outcome == 'm' {
            screening::act(db, &sys, *id, &ActInput { merge_into: Some(first_similar), ..act("merge") }, none, at(screen_on)).await.map_err(e)?;
            continue;
        }
        assess(db, *id, item, unit_of(item.5).ok_or("demo department missing")?, screen_on, today).await?;
        let later = at(ymd(year - 1, 11, 10));
        match outcome {
            'v' => {
                screening::act(db, &sys, *id, &act("shortlist"), none, later).await.map_err(e)?;
            }
            'r' => {
                screening::act(db, &sys, *id, &act("reserve"), none, later).await.map_err(e)?;
            }
            _ => {
                let reason = if outcome == 'x' { "不具有普惠性、公益性" } else { "需新增政府举债，可能增加政府债务风险" };
                screening::act(db, &sys, *id, &ActInput { reason: reason.into(), ..act("exclude") }, none, later).await.map_err(e)?;
            }
        }
    }
    // 人代会, mid-January: 180 members, 168 present; twelve vote from their accounts, 156 on
    // paper: most for every item, fewer for the last one (below half of all members).
    let vote_on = ymd(year, 1, 15);
    let voters: Vec<String> = std::iter::once("deputy".to_string()).chain((1..=11).map(|k| format!("dep{k:02}"))).collect();
    let vote = Cycle {
        kind: "vote",
        title: format!("县第十八届人民代表大会第{}次会议民生实事项目票决", year - 2023),
        year,
        present: "168",
        paper_ballots: "156",
        on: vote_on,
    };
    let last = items.iter().filter(|i| i.8 == 'v').count() - 1;
    let mark = |k: usize, j: usize| {
        if (j + k) % 9 == 0 {
            "abstain"
        } else if j == last && k % 2 == 0 {
            "no"
        } else {
            "yes"
        }
    };
    let paper = |j: usize| if j == last { (70, 60, 26) } else { (140 - j as i64 * 3, 8 + j as i64, 8 + j as i64 * 2) };
    session_cycle(db, &vote, &voters, &mark, &paper).await?;
    luoshi_app::links::livelihood_delivery::sweep(db, at(vote_on) + 4_400_000_000).await.map_err(e)?;
    super::livelihood_votes::progress(db, year, today).await?;
    if today >= ymd(year, 12, 1) {
        super::livelihood_votes::rate(db, year, &voters, today).await?;
    }
    Ok(ids.len())
}

/// Next year's collection in screening: some assessing (one overdue), some assessed, some
/// listed, one turned from a recurring appeal; the finance bureau's 可用财力 set; the vote to come.
async fn collecting(db: &Db, year: i32, items: &[Item], unit_of: &dyn Fn(&str) -> Option<i64>, today: NaiveDate) -> Result<usize, String> {
    let sys = Who::system("demo");
    let none = DebtStanding::default();
    let collected = ymd(year - 1, 9, 10);
    september(db, year, "16000", collected).await?;
    let mut made = 0;
    for (k, item) in items.iter().enumerate() {
        let id = propose(db, item, collected + chrono::Duration::days(k as i64), k + 30).await?;
        made += 1;
        let unit = unit_of(item.5).ok_or("demo department missing")?;
        // Handed out on different days: the latest still within its working days, one overdue.
        let handed = match item.8 {
            'a' => today - chrono::Duration::days(8 + 20 * k as i64),
            'n' | 'c' => continue,
            _ => ymd(year - 1, 10, 12),
        }
        .max(collected)
        .min(today);
        if item.8 == 'a' {
            screening::act(db, &sys, id, &ActInput { unit_id: Some(unit), ..act("assign") }, none, at(handed)).await.map_err(e)?;
            continue;
        }
        assess(db, id, item, unit, handed, today).await?;
        if item.8 == 's' {
            screening::act(db, &sys, id, &act("shortlist"), none, at((handed + chrono::Duration::days(20)).min(today))).await.map_err(e)?;
        }
    }
    // A recurring appeal (the hotline's), turned into a proposal.
    let hotline = person(db, "hotline").await?;
    let appeals = luoshi_storage::appeals::recent(db, None, 0, 200).await.map_err(e)?;
    // One about water in the streets if there is one, else the latest.
    if let Some(a) = appeals.iter().find(|a| a.2.contains("积水") || a.2.contains("污水")).or(appeals.first()) {
        let input = ProposalInput { title: "老旧小区雨污分流改造".into(), area: "municipal".into(), ..ProposalInput::default() };
        luoshi_app::links::appeal_proposal::propose(db, &hotline, a.0, &input, at(today)).await.map_err(e)?;
        made += 1;
    }
    let npc = person(db, "npc").await?;
    if luoshi_storage::livelihood::proposals::list(
        db,
        &luoshi_storage::livelihood::proposals::Filter {
            year: Some(i64::from(year)),
            states: vec![luoshi_domain::livelihood::ProposalState::Candidate],
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .map_err(e)?
    .is_empty()
    {
        return Ok(made);
    }
    sessions::create(
        db,
        &npc,
        &SessionInput {
            kind: "vote".into(),
            title: format!("县第十八届人民代表大会第{}次会议民生实事项目票决", year - 2023),
            members: "180".into(),
            year: year.to_string(),
        },
        at(today),
    )
    .await
    .map_err(e)?;
    Ok(made)
}
