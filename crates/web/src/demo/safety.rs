//! The demo county's risk points, campaigns and inspections: this year's 安全生产大检查 with its
//! inspections (most finding nothing, some finding hazards), last winter's 粉尘涉爆 专项整治,
//! and a 回头看 just started, entered through the use cases.

use luoshi_app::hazards::inspections::{self as insp, CampaignInput, FindingInput, InspectionInput};
use luoshi_app::hazards::risks::{self, RiskInput};
use luoshi_app::hazards::ActInput;
use luoshi_app::Who;
use luoshi_domain::access::Scope;
use luoshi_storage::{units, Db};

/// Each trade's risk points (name, level, measures), in the order of the demo's trades.
const RISKS: &[&[(&str, &str, &str)]] = &[
    &[("液氨储罐区", "major", "储罐液位、压力远传监控，泄漏报警与紧急切断联锁"), ("反应釜", "general", "温度压力联锁，操作规程上墙")],
    &[("粉碎除尘系统", "larger", "除尘器泄爆、隔爆装置，定期清灰")],
    &[("深基坑", "larger", "专项方案论证，每日监测位移"), ("塔吊", "general", "司机持证，每日班前检查")],
    &[("卸油区", "larger", "静电接地报警，卸油时专人监护"), ("便利店", "low", "消防器材定点放置")],
    &[("有限空间", "general", "作业审批，先通风再检测后作业")],
    &[("农药仓库", "low", "专库专人，与宿舍分开")],
];

/// Who inspects (two officers, as administrative inspections go).
const INSPECTORS: &[&str] = &["华安、陈明", "刘强、王芳", "赵磊、孙丽", "周涛、吴静"];

/// What inspectors find in each trade.
const FINDINGS: &[&str] =
    &["可燃气体报警器未定期检定", "除尘器灰斗积灰未及时清理", "脚手架连墙件缺失", "加油机防爆挠性管破损", "车间安全出口堵塞", "农机库灭火器过期"];

/// Seed the risk points, campaigns and inspections; the hazards the inspections registered.
pub async fn seed_campaigns(db: &Db, who: &Who, firms: &[(i64, usize)], today: chrono::NaiveDate, now: i64) -> Result<usize, String> {
    let e = |x: luoshi_storage::StoreError| x.to_string();
    let all = units::list(db, &Scope::All).await.map_err(e)?;
    let unit = |n: &str| units::resolve(&all, n).map(|u| u.id).map_err(|x| x.to_string());
    let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let day = |d: i64| today - chrono::Duration::days(d);
    // Risk points of most enterprises, fewer in the hills than in the county town.
    for (i, (id, k)) in firms.iter().enumerate() {
        let town = (i / RISKS.len()) % 6;
        if (i * 7 + town * 3) % 10 < town + 2 {
            continue;
        }
        for (name, level, measures) in RISKS[*k] {
            let input = RiskInput {
                name: (*name).into(),
                level: (*level).into(),
                measures: (*measures).into(),
                responsible_level: if *level == "major" { "company".into() } else { "workshop".into() },
            };
            risks::add(db, who, *id, &input, now).await.map_err(e)?;
        }
    }
    let towns: Vec<i64> = ["城关镇", "青山镇", "河口镇", "石桥镇", "白沙镇", "大坪镇"].iter().map(|t| unit(t)).collect::<Result<_, _>>()?;
    let lead = unit("县应急管理局")?;
    let campaign = |kind: &str, title: &str, industries: &str, from: i64, to: i64| CampaignInput {
        kind: kind.into(),
        title: title.into(),
        scope: String::new(),
        industries: industries.into(),
        township_id: None,
        starts_on: ymd(day(from)),
        ends_on: ymd(day(to)),
        lead_unit_id: Some(lead),
        checking_units: towns.iter().copied().chain([lead]).collect(),
        closed_from: String::new(),
        closed_to: String::new(),
    };
    let mut special = campaign("special", "粉尘涉爆企业专项整治", "C13", 200, 110);
    special.scope = "全县涉及粉尘涉爆的食品加工企业".into();
    let special = insp::create_campaign(db, who, &special, day(200), now).await.map_err(e)?;
    let mut big = campaign("big_check", "2026年安全生产大检查", "", 60, -30);
    big.scope = "全县生产经营单位，重点是危化、粉尘涉爆、有限空间和建筑施工".into();
    let big = insp::create_campaign(db, who, &big, day(60), now).await.map_err(e)?;
    let mut back = campaign("look_back", "安全生产大检查“回头看”", "", 5, -25);
    back.scope = "抽查上一年度已销号隐患，并对零隐患企业全部复查".into();
    back.closed_from = ymd(day(365));
    back.closed_to = ymd(day(1));
    insp::create_campaign(db, who, &back, day(5), now).await.map_err(e)?;
    let mut found = 0;
    for (i, (id, k)) in firms.iter().enumerate() {
        let (c, ago) = match (i % 3, *k) {
            (2, _) => continue,
            (_, 1) if i % 2 == 0 => (special.id, 110 + (i % 80) as i64),
            _ => (big.id, 1 + (i % 55) as i64),
        };
        let findings = if i % 17 == 0 {
            vec![FindingInput { description: FINDINGS[*k].into(), control_measures: "现场责令整改，设置警示".into() }]
        } else {
            Vec::new()
        };
        found += findings.len();
        let input = InspectionInput {
            campaign_id: Some(c),
            enterprise_id: Some(*id),
            inspected_on: ymd(day(ago)),
            checklist: if *k <= 1 { "gongmao-2023".into() } else { String::new() },
            checked: vec!["安全生产责任制和主要负责人履职".into(), "隐患排查治理制度和台账".into(), "消防设施和疏散通道".into()],
            findings,
            note: String::new(),
            inspectors: INSPECTORS[i % INSPECTORS.len()].into(),
            client_key: format!("demo-{c}-{id}"),
        };
        let done = insp::submit(db, who, &input, Vec::new(), day(ago), now).await.map_err(e)?;
        // Half of what inspections found was fixed on the spot and closed since.
        for h in done.hazards.iter().filter(|_| i % 2 == 0) {
            let mut fixed = ago;
            for action in ["grade_general", "submit", "pass", "close"] {
                fixed = (fixed - 1).max(0);
                let a = ActInput {
                    action: action.into(),
                    deadline: ymd(day(ago) + chrono::Duration::days(15)),
                    evidence: "现场复查照片".into(),
                    ..ActInput::default()
                };
                luoshi_app::hazards::act(db, who, *h, &a, day(fixed), now).await.map_err(e)?;
            }
        }
    }
    // Two accidents: last spring's, reported, passed up and closed; this week's, awaiting the county.
    let acc = |ago: i64, firm: usize, deaths: i64, injuries: i64, loss: i64, what: &str| luoshi_app::hazards::accidents::AccidentInput {
        enterprise_id: firms.get(firm).map(|f| f.0),
        occurred_at: format!("{} 07:30", ymd(day(ago))),
        deaths,
        serious_injuries: injuries,
        loss_yuan: loss,
        description: what.into(),
        ..Default::default()
    };
    let hour = 3_600_000_000;
    let old = acc(200, 4, 0, 2, 350_000, "机械制造厂冲压车间员工手部被压伤");
    // Recorded the day after (whatever the hour now, after it happened), then reported and passed up.
    let t0 = now - 199 * 24 * hour;
    let v = luoshi_app::hazards::accidents::record(db, who, &old, t0).await.map_err(e)?;
    for (action, after) in [("report", hour / 2), ("forward", hour), ("close", 50 * 24 * hour)] {
        let a = luoshi_app::hazards::accidents::AccidentActInput { action: action.into(), ..Default::default() };
        luoshi_app::hazards::accidents::act(db, who, v.accident.id, &a, t0 + after).await.map_err(e)?;
    }
    let recent = acc(2, 2, 1, 0, 1_200_000, "建筑工程工地脚手架坍塌，一人死亡");
    let v = luoshi_app::hazards::accidents::record(db, who, &recent, now - 24 * hour).await.map_err(e)?;
    let a =
        luoshi_app::hazards::accidents::AccidentActInput { action: "report".into(), note: "施工单位电话报告县住建局".into(), ..Default::default() };
    luoshi_app::hazards::accidents::act(db, who, v.accident.id, &a, now - 24 * hour + hour / 2).await.map_err(e)?;
    Ok(found)
}
