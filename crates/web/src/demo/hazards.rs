//! The demo county's work safety (安全生产): enterprises in every township regulated by the
//! department of their industry (管行业必须管安全), and hazards in every state of the loop —
//! found, graded, rectifying (some overdue), awaiting acceptance, closed, reopened by a 回头看 —
//! entered through the use cases as the months before today would have.

use luoshi_app::hazards::{self as svc, enterprise_ledger, ActInput, HazardInput};
use luoshi_app::Who;
use luoshi_storage::hazards::Five;
use luoshi_storage::Db;

/// (industry, regulating department, what such an enterprise is called, its hazard).
const TRADES: &[(&str, &str, &str, &str)] = &[
    ("C26", "县应急管理局", "化工有限公司", "液氨储罐区未设置泄漏报警装置"),
    ("C13", "县市场监督管理局", "食品加工厂", "粉碎车间除尘系统未按规定设置泄爆装置"),
    ("E47", "县住房和城乡建设局", "建筑工程有限公司", "深基坑临边防护栏杆缺失"),
    ("F52", "县应急管理局", "加油站", "卸油区静电接地报警器失效"),
    ("C33", "县工业和信息化局", "机械制造厂", "有限空间作业未执行审批制度"),
    ("A01", "县农业农村局", "农业合作社", "农药仓库与员工宿舍同一建筑"),
];

const TOWNS: &[&str] = &["城关镇", "青山镇", "河口镇", "石桥镇", "白沙镇", "大坪镇"];

/// Trade names: with six trades in six townships, 288 enterprises.
const NAMES: &[&str] = &["", "永安", "华兴", "宏达", "鑫源", "兴旺", "利民", "恒泰"];

/// A credit code with a valid check character (GB 32100), for the n-th demo enterprise.
fn credit_code(n: usize) -> String {
    let body = format!("91330999MA{n:07}");
    let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    alphabet.chars().map(|c| format!("{body}{c}")).find(|c| luoshi_domain::checksum::uscc_checksum_ok(c)).unwrap_or(body)
}

/// Seed once (nothing when the county has enterprises already); the hazards created.
pub async fn seed_hazards(db: &Db, today: chrono::NaiveDate) -> Result<usize, String> {
    let e = |x: luoshi_storage::StoreError| x.to_string();
    if !luoshi_storage::hazards::enterprises(db, None, 1).await.map_err(e)?.is_empty() {
        return Ok(0);
    }
    let who = Who::system("demo");
    let now = luoshi_storage::now_micros();
    // The county's ledger goes in as offices bring it: one xlsx through the import (all or nothing).
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut codes = Vec::new();
    for variant in 0..NAMES.len() {
        for (ti, town) in TOWNS.iter().enumerate() {
            for (k, (industry, regulator, called, _)) in TRADES.iter().enumerate() {
                let n = variant * TOWNS.len() * TRADES.len() + ti * TRADES.len() + k;
                let place = &town[..town.len() - "镇".len()];
                // The first of each trade and township keeps the plain name the hazards below use.
                let name = if variant == 0 { format!("{place}{called}") } else { format!("{place}{}{called}", NAMES[variant]) };
                let code = credit_code(n);
                let flags = match *industry {
                    "C26" => "危化",
                    "C13" if variant % 2 == 0 => "粉尘涉爆",
                    "C14" => "液氨制冷",
                    "C33" if variant % 3 == 0 => "有限空间",
                    _ => "",
                };
                let level = if *industry == "C26" { ["三级", "四级", ""][variant % 3] } else { "" };
                let size = ["小型", "微型", "中型"][(n + variant) % 3];
                rows.push(vec![
                    name,
                    code.clone(),
                    (*industry).into(),
                    (*regulator).into(),
                    (*town).into(),
                    format!("{town}工业路{}号", 10 + n),
                    size.into(),
                    flags.into(),
                    level.into(),
                ]);
                codes.push((code, k));
            }
        }
    }
    let bytes = luoshi_ledger::write_xlsx("生产经营单位", &enterprise_ledger::COLUMNS, &rows).map_err(|x| x.to_string())?;
    match enterprise_ledger::import(db, &who, &bytes, "demo.xlsx", false, now).await.map_err(e)? {
        Ok(_) => {}
        Err(errors) => return Err(format!("demo ledger refused: {errors:?}")),
    }
    let stored = luoshi_storage::hazards::ledger::keys(db).await.map_err(e)?;
    let firms: Vec<(i64, usize)> =
        codes.iter().filter_map(|(c, k)| stored.iter().find(|(_, sc, _)| sc.as_deref() == Some(c.as_str())).map(|(id, _, _)| (*id, *k))).collect();
    let day = |d: i64| today - chrono::Duration::days(d);
    let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let five = Five {
        measures: "停用相关设备并加装报警联锁".into(),
        responsibility: "企业主要负责人".into(),
        funds: "企业自筹5万元".into(),
        time_limit: "30日内".into(),
        plan: "专项应急预案".into(),
    };
    // (enterprise, found days ago, the actions taken, each days ago, the deadline days after grading).
    type Plan = (usize, i64, &'static [(&'static str, i64)]);
    let plans: &[Plan] = &[
        (0, 2, &[]),
        (7, 3, &[]),
        (12, 40, &[("grade_major", 38)]),
        (1, 30, &[("grade_general", 29)]),
        (8, 50, &[("grade_general", 48)]),
        (13, 20, &[("grade_general", 19)]),
        (19, 60, &[("grade_major", 58), ("implement", 55)]),
        (2, 35, &[("grade_general", 34), ("submit", 3)]),
        (14, 25, &[("grade_general", 24), ("submit", 2)]),
        (9, 45, &[("grade_general", 44), ("submit", 10), ("pass", 8)]),
        (3, 90, &[("grade_general", 88), ("submit", 60), ("pass", 58), ("close", 57)]),
        (20, 80, &[("grade_general", 79), ("submit", 50), ("pass", 49), ("close", 48)]),
        (25, 120, &[("grade_major", 118), ("implement", 115), ("submit", 70), ("pass", 69), ("resume", 69), ("close", 68), ("reopen", 5)]),
        (26, 40, &[("grade_major", 39), ("implement", 36), ("submit", 6), ("pass", 4)]),
        (30, 10, &[("cancel", 9)]),
    ];
    let mut made = 0;
    for (firm, found, steps) in plans {
        let Some((enterprise_id, k)) = firms.get(*firm).copied() else { continue };
        let found_day = day(*found);
        let input = HazardInput {
            enterprise_id: Some(enterprise_id),
            description: TRADES[k].3.into(),
            found_on: ymd(found_day),
            control_measures: "设置警示标志，专人值守".into(),
            ..Default::default()
        };
        let v = svc::register(db, &who, &input, found_day, now).await.map_err(e)?;
        for (action, ago) in steps.iter() {
            let when = day(*ago);
            let mut a = ActInput { action: (*action).into(), deadline: ymd(when + chrono::Duration::days(30)), ..Default::default() };
            match *action {
                "grade_major" => {
                    a.basis_catalogue = "gongmao-2023".into();
                    a.basis_article = "第四条".into();
                    a.basis_item = "（一）".into();
                    a.stop_production = true;
                }
                "implement" => a.five = five.clone(),
                "close" => a.evidence = "整改验收报告、整改前后照片".into(),
                "reopen" => a.note = "回头看抽查：整改措施未落实到位".into(),
                _ => {}
            }
            svc::act(db, &who, v.hazard.id, &a, when, now).await.map_err(e)?;
        }
        made += 1;
    }
    made += super::safety::seed_campaigns(db, &who, &firms, today, now).await?;
    Ok(made)
}
