//! The demo county's debt book, entered through the use cases: the government and five
//! companies (four platforms, one of them out of the platform list), about three hundred
//! instruments of every kind issued over ten years with their schedules paid as they fell due
//! (the bonds that matured rolled into 再融资债券, hidden debt swapped by 置换债券, a few
//! instalments of a platform unpaid), 非标 above its target and a wall of trust loans and
//! platform bonds maturing in one month half a year ahead; the years' 综合财力 and 限额, a
//! grant of sight to the supervision office, and the duties the daily watch opens.

use chrono::{Datelike, Months, NaiveDate};
use luoshi_app::debt::instruments::{check_with, create_many, InstrumentInput};
use luoshi_app::debt::settings::{self, BorrowerInput, GrantInput, YearInput};
use luoshi_app::debt::transactions::{record_batch, TxnInput};
use luoshi_app::Who;
use luoshi_domain::debt::schedule::schedule;
use luoshi_domain::money::Fen;
use luoshi_storage::Db;

fn e(x: luoshi_storage::StoreError) -> String {
    x.to_string()
}

/// (name, kind, USCC, owner, exited on, responsible unit).
const BORROWERS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("示范县人民政府", "government", "", "", "", "县财政局"),
    ("示范县城市建设投资集团有限公司", "platform", "91339901MA2D001370", "示范县国有资产管理服务中心", "", "县财政局"),
    ("示范县交通投资发展有限公司", "platform", "91339901MA2D00274G", "示范县国有资产管理服务中心", "", "县财政局"),
    ("示范县文化旅游发展有限公司", "platform", "91339901MA2D00411C", "示范县城市建设投资集团有限公司", "2024-06-30", "县财政局"),
    ("示范县水务投资有限公司", "platform", "91339901MA2D00548T", "示范县国有资产管理服务中心", "", "县财政局"),
    ("示范县国有资本运营有限公司", "other", "91339901MA2D00685B", "示范县国有资产管理服务中心", "", "县财政局"),
];

const PROJECTS: &[&str] = &[
    "县城污水处理厂提标改造",
    "工业园区基础设施配套",
    "保障性租赁住房",
    "农产品冷链物流园",
    "城东片区城市更新",
    "县中医院综合楼",
    "职业教育实训基地",
    "高标准农田建设",
    "国道改线工程",
    "水库除险加固",
];

/// One instrument to enter: (borrower, kind, category, lender, 万元, rate %, start, months, amortisation, every, project).
struct Spec {
    borrower: &'static str,
    kind: &'static str,
    category: &'static str,
    lender: &'static str,
    wan: i64,
    rate: String,
    start: NaiveDate,
    months: u32,
    amortisation: &'static str,
    every: u32,
    name: String,
    project: String,
    /// Its instalments went unpaid (逾期).
    unpaid: bool,
}

/// A number in 0..n that looks irregular but is the same every run.
fn pick(i: usize, salt: usize, n: usize) -> usize {
    (i * 7919 + salt * 104_729) % n.max(1)
}

fn specs(today: NaiveDate) -> Vec<Spec> {
    let y = today.year();
    let day = |year: i32, k: usize| NaiveDate::from_ymd_opt(year, 1 + (k % 11) as u32, 1 + (k * 3 % 27) as u32).unwrap_or(today);
    let back = |months: u32| today.checked_sub_months(Months::new(months)).unwrap_or(today);
    // The wall: half a year ahead, at the month's 25th.
    let spike = today.checked_add_months(Months::new(6)).and_then(|d| d.with_day(25)).unwrap_or(today);
    let mut out = Vec::new();
    let mut push = |s: Spec| out.push(s);
    // 一般债券, ten years of issues; rates fall as they did.
    for i in 0..36 {
        let year = y - 9 + (i % 10) as i32;
        let start = day(year, i).min(today);
        let rate = ["3.90", "3.80", "3.40", "3.20", "3.30", "2.90", "2.80", "2.30", "2.00", "1.90"][i % 10];
        push(Spec {
            borrower: "示范县人民政府",
            kind: "general_bond",
            category: "general",
            lender: "债券投资人",
            wan: 6_000 + pick(i, 1, 12) as i64 * 800,
            rate: rate.into(),
            start,
            months: [60, 84, 120][i % 3],
            amortisation: "bullet",
            every: 12,
            name: format!("{year}年示范县一般债券（{}期）", i / 10 + 1),
            project: String::new(),
            unpaid: false,
        });
    }
    // 专项债券 with their projects.
    for i in 0..48 {
        let year = y - 7 + (i % 8) as i32;
        let start = day(year, i + 5).min(today);
        let rate = format!("{:.2}", 4.0 - (i % 8) as f64 * 0.22);
        let (months, am) = [(120, "bullet"), (180, "level_principal"), (240, "level_principal"), (360, "bullet")][i % 4];
        push(Spec {
            borrower: "示范县人民政府",
            kind: "special_bond",
            category: "special",
            lender: "债券投资人",
            wan: 5_000 + pick(i, 2, 16) as i64 * 900,
            rate,
            start,
            months,
            amortisation: am,
            every: 12,
            name: format!("{year}年示范县专项债券（{}）", PROJECTS[i % PROJECTS.len()]),
            project: PROJECTS[i % PROJECTS.len()].into(),
            unpaid: false,
        });
    }
    let platforms = ["示范县城市建设投资集团有限公司", "示范县交通投资发展有限公司", "示范县文化旅游发展有限公司", "示范县水务投资有限公司"];
    let banks = ["县农商银行", "工商银行示范县支行", "建设银行示范县支行", "农业银行示范县支行", "邮储银行示范县支行"];
    for i in 0..60 {
        let start = back(6 + pick(i, 3, 66) as u32);
        let (months, am, every) = [(36, "bullet", 3), (60, "level_principal", 3), (96, "level_principal", 6)][i % 3];
        push(Spec {
            borrower: platforms[i % 4],
            kind: "bank_loan",
            category: "platform",
            lender: banks[i % 5],
            wan: 1_500 + pick(i, 4, 10) as i64 * 600,
            rate: format!("{:.2}", 3.6 + pick(i, 5, 17) as f64 * 0.1),
            start,
            months,
            amortisation: am,
            every,
            name: format!("项目贷款{:03}", i + 1),
            project: String::new(),
            unpaid: false,
        });
    }
    for i in 0..18 {
        let start = back(12 + pick(i, 6, 90) as u32);
        push(Spec {
            borrower: platforms[i % 4],
            kind: "policy_loan",
            category: "platform",
            lender: ["国家开发银行浙江省分行", "农业发展银行示范县支行"][i % 2],
            wan: 5_000 + pick(i, 7, 9) as i64 * 1_500,
            rate: format!("{:.2}", 3.1 + pick(i, 8, 9) as f64 * 0.1),
            start,
            months: 180 + 60 * (i % 2) as u32,
            amortisation: "level_principal",
            every: 6,
            name: format!("政策性贷款{:02}", i + 1),
            project: PROJECTS[i % PROJECTS.len()].into(),
            unpaid: false,
        });
    }
    // Trust loans: a third fall due in the spike month.
    for i in 0..45 {
        let months = [24, 36][i % 2];
        let start = if i % 3 == 0 { spike.checked_sub_months(Months::new(months)).unwrap_or(today) } else { back(2 + pick(i, 9, 20) as u32) };
        push(Spec {
            borrower: platforms[i % 4],
            kind: "trust_loan",
            category: "platform",
            lender: ["某信托有限责任公司", "某国际信托股份有限公司", "某资本信托有限公司"][i % 3],
            wan: 2_000 + pick(i, 10, 13) as i64 * 500,
            rate: format!("{:.2}", 7.2 + pick(i, 11, 27) as f64 * 0.1),
            start,
            months,
            amortisation: "bullet",
            every: 3,
            name: format!("信托贷款{:02}", i + 1),
            project: String::new(),
            unpaid: false,
        });
    }
    for i in 0..32 {
        let start = back(3 + pick(i, 12, 40) as u32);
        push(Spec {
            borrower: platforms[(i + 1) % 4],
            kind: "leasing",
            category: "platform",
            lender: ["某金融租赁公司", "某融资租赁有限公司"][i % 2],
            wan: 1_500 + pick(i, 13, 9) as i64 * 500,
            rate: format!("{:.2}", 6.5 + pick(i, 14, 22) as f64 * 0.1),
            start,
            months: [36, 48, 60][i % 3],
            amortisation: "level_payment",
            every: 3,
            name: format!("售后回租{:02}", i + 1),
            project: String::new(),
            unpaid: false,
        });
    }
    // 非标 of the companies; three of the tourism company's fell due unpaid (逾期).
    for i in 0..14 {
        let unpaid = i % 4 == 0 && i < 9;
        let start = if unpaid { back(13 + i as u32) } else { back(2 + pick(i, 15, 20) as u32) };
        let months = if unpaid { 12 } else { [12, 24, 36][i % 3] };
        push(Spec {
            borrower: platforms[(i + 2) % 4],
            kind: "other_nonstandard",
            category: "platform",
            lender: ["某资产管理公司", "某商业保理公司", "某私募基金"][i % 3],
            wan: 1_000 + pick(i, 16, 8) as i64 * 1_000,
            rate: format!("{:.2}", 8.0 + pick(i, 17, 26) as f64 * 0.1),
            start,
            months,
            amortisation: "bullet",
            every: 3,
            name: format!("应收账款收益权融资{:02}", i + 1),
            project: String::new(),
            unpaid,
        });
    }
    for i in 0..16 {
        let months = [36, 60, 84][i % 3];
        let start = if i % 4 == 0 { spike.checked_sub_months(Months::new(months)).unwrap_or(today) } else { back(3 + pick(i, 18, 50) as u32) };
        push(Spec {
            borrower: platforms[i % 4],
            kind: "platform_bond",
            category: "platform",
            lender: "债券投资人",
            wan: 10_000 + pick(i, 19, 7) as i64 * 3_000,
            rate: format!("{:.2}", 3.8 + pick(i, 20, 28) as f64 * 0.1),
            start,
            months,
            amortisation: "bullet",
            every: 12,
            name: format!("{}年企业债券", start.year()),
            project: String::new(),
            unpaid: false,
        });
    }
    // 隐性债务 of the platforms (bank loans behind 政府购买服务 agreements), swapped in part.
    for i in 0..10 {
        let start = back(30 + pick(i, 21, 30) as u32);
        push(Spec {
            borrower: platforms[i % 4],
            kind: "bank_loan",
            category: "hidden",
            lender: banks[(i + 2) % 5],
            wan: 3_000 + pick(i, 22, 6) as i64 * 1_000,
            rate: format!("{:.2}", 5.4 + pick(i, 23, 15) as f64 * 0.1),
            start,
            months: 96,
            amortisation: "bullet",
            every: 3,
            name: format!("政府购买服务协议融资{:02}", i + 1),
            project: String::new(),
            unpaid: false,
        });
    }
    out
}

fn input(s: &Spec, code: String) -> InstrumentInput {
    InstrumentInput {
        borrower: s.borrower.into(),
        code,
        name: s.name.clone(),
        kind: s.kind.into(),
        category: s.category.into(),
        lender: s.lender.into(),
        principal_wan: s.wan.to_string(),
        rate_percent: s.rate.clone(),
        day_count: match s.kind {
            "bank_loan" => "act360".into(),
            k if k.ends_with("_bond") => "period".into(),
            _ => "act365".into(),
        },
        start_on: s.start.to_string(),
        maturity_on: s.start.checked_add_months(Months::new(s.months)).unwrap_or(s.start).to_string(),
        amortisation: s.amortisation.into(),
        every_months: s.every.to_string(),
        project: s.project.clone(),
        drawn_wan: s.wan.to_string(),
        guarantee: if s.category == "platform" && s.kind != "platform_bond" {
            "县国有资本运营有限公司连带责任保证".into()
        } else {
            String::new()
        },
        ..InstrumentInput::default()
    }
}

fn wan(f: Fen) -> String {
    f.wan()
}

/// Seed the debt book once; how many instruments it made.
pub async fn seed_debt(db: &Db, today: NaiveDate) -> Result<usize, String> {
    if !luoshi_storage::debt::borrowers(db).await.map_err(e)?.is_empty() {
        return Ok(0);
    }
    let who = Who::system("demo");
    let real = luoshi_storage::now_micros();
    let now = real + (today - luoshi_domain::time::local_date(real)).num_days() * 86_400_000_000;
    for (name, kind, uscc, owner, exited, unit) in BORROWERS {
        let b = BorrowerInput {
            name: (*name).into(),
            kind: (*kind).into(),
            uscc: (*uscc).into(),
            owner: (*owner).into(),
            exited_on: (*exited).into(),
            unit: (*unit).into(),
            note: String::new(),
        };
        settings::put_borrower(db, &who, &b, now).await.map_err(e)?;
    }
    for (year, parts) in [(today.year() - 1, ["172000", "246000", "118000"]), (today.year(), ["181000", "253000", "106000"])] {
        let capacity = format!("一般公共预算收入 {}\n上级转移支付（一般性、专项） {}\n政府性基金收入 {}", parts[0], parts[1], parts[2]);
        settings::set_year(db, &who, &YearInput { year: Some(i64::from(year)), capacity, ..Default::default() }, now).await.map_err(e)?;
    }
    let borrowers = luoshi_storage::debt::borrowers(db).await.map_err(e)?;
    let mut specs = specs(today);
    // 一般债券 that matured are repaid that day by a 再融资债券 of the same amount.
    let mut refinancing = Vec::new();
    for s in specs.iter().filter(|s| s.kind == "general_bond") {
        let m = s.start.checked_add_months(Months::new(s.months)).unwrap_or(s.start);
        if m <= today {
            refinancing.push(Spec {
                borrower: s.borrower,
                kind: "refinancing_bond",
                category: "general",
                lender: s.lender,
                wan: s.wan,
                rate: "2.40".into(),
                start: m,
                months: 120,
                amortisation: "bullet",
                every: 12,
                name: format!("{}年示范县再融资一般债券", m.year()),
                project: String::new(),
                unpaid: false,
            });
        }
    }
    specs.extend(refinancing);
    let mut checked = Vec::new();
    for (k, s) in specs.iter().enumerate() {
        let b = borrowers.iter().find(|b| b.name == s.borrower).ok_or("borrower")?;
        let code = format!("{}-{:04}", s.kind.to_ascii_uppercase().chars().filter(|c| c.is_ascii_alphabetic()).take(3).collect::<String>(), k + 1);
        checked.push(check_with(&input(s, code), b.id, b.kind).map_err(|x| format!("{}: {x}", s.name))?);
    }
    let ids = create_many(db, &who, checked.clone(), now).await.map_err(e)?;
    // 置换: six hidden loans repaid by one 置换债券 issued a year ago.
    let swap_day = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let hidden: Vec<usize> = specs.iter().enumerate().filter(|(_, s)| s.category == "hidden").map(|(k, _)| k).take(6).collect();
    let swapped: i64 = hidden.iter().map(|k| specs[*k].wan).sum();
    let swap = InstrumentInput {
        borrower: "示范县人民政府".into(),
        code: "ZHZQ-0001".into(),
        name: format!("{}年示范县再融资一般债券（置换存量隐性债务）", swap_day.year()),
        kind: "swap_bond".into(),
        category: "general".into(),
        lender: "债券投资人".into(),
        principal_wan: swapped.to_string(),
        rate_percent: "2.05".into(),
        start_on: swap_day.to_string(),
        maturity_on: swap_day.checked_add_months(Months::new(120)).unwrap_or(swap_day).to_string(),
        drawn_wan: swapped.to_string(),
        ..InstrumentInput::default()
    };
    let gov = borrowers.iter().find(|b| b.name == "示范县人民政府").ok_or("borrower")?;
    let swap_id = create_many(db, &who, vec![check_with(&swap, gov.id, gov.kind).map_err(|x| x.to_string())?], now).await.map_err(e)?[0];
    // Every instalment paid as it fell due, but three of the tourism company's 非标, now 逾期.
    let mut txns = Vec::new();
    for (k, (c, id)) in checked.iter().zip(&ids).enumerate() {
        let unpaid = specs[k].unpaid;
        let until = if hidden.contains(&k) { swap_day } else { today };
        for d in schedule(&c.terms).iter().filter(|d| d.on < until) {
            if d.principal.0 > 0 && !unpaid {
                txns.push((*id, TxnInput { kind: "repayment".into(), happened_on: d.on.to_string(), amount_wan: wan(d.principal), ..Default::default() }));
            }
            if d.interest.0 > 0 && !unpaid {
                txns.push((*id, TxnInput { kind: "interest".into(), happened_on: d.on.to_string(), amount_wan: wan(d.interest), ..Default::default() }));
            }
        }
        if hidden.contains(&k) {
            txns.push((
                *id,
                TxnInput {
                    kind: "swap".into(),
                    happened_on: swap_day.to_string(),
                    amount_wan: specs[k].wan.to_string(),
                    counterpart_id: Some(swap_id),
                    note: "置换债券偿还".into(),
                },
            ));
        }
    }
    record_batch(db, &who, &txns, now).await.map_err(e)?;
    // The 限额: above this year's and last year's closing balances, as the province set them.
    let book = luoshi_storage::debt::book::current(db).await.map_err(e)?;
    for year in [today.year() - 1, today.year()] {
        let mut y = YearInput { year: Some(i64::from(year)), ..Default::default() };
        for (cat, field) in
            [(luoshi_domain::debt::Category::General, &mut y.general_limit_wan), (luoshi_domain::debt::Category::Special, &mut y.special_limit_wan)]
        {
            let closing = luoshi_domain::debt::book::roll(&book.txns, cat, year).closing.0 / 1_000_000;
            *field = ((closing * 106 / 100 / 10_000 + 1) * 10_000).to_string();
        }
        settings::set_year(db, &who, &y, now).await.map_err(e)?;
    }
    settings::grant(db, &who, &GrantInput { username: "supervisor".into(), reason: "化债工作专项督查".into() }, now).await.map_err(e)?;
    luoshi_app::debt::duties::watch(db, now).await.map_err(e)?;
    // The earliest maturity's plan is in; the 非标 warning's measures too.
    use luoshi_app::debt::duties::{act, list, ActInput};
    let (maturities, warnings) = list(db, &who, now).await.map_err(e)?;
    let say = |action: &str, text: &str| ActInput { action: action.into(), text: text.into(), version: None };
    if let Some(m) = maturities.first() {
        act(db, &who, m.kind, m.id, &say("submit", "发行再融资债券额度内安排60%，平台公司经营性现金流安排40%，已与承销行对接。"), now).await.map_err(e)?;
    }
    if let Some(w) = warnings.iter().find(|w| w.indicator == "nonstandard_share") {
        act(db, &who, w.kind, w.id, &say("submit", "年内以定向融资产品和银行贷款置换高成本信托、租赁，非标占比压降至15%以内；新增融资不再使用信托。"), now)
            .await
            .map_err(e)?;
    }
    // A named 置换 scenario: every trust and leasing contract into ten-year 置换债券 at 2.1 %.
    let plan = luoshi_app::debt::scenarios::ScenarioInput {
        select: "trust_leasing".into(),
        kind: "swap_bond".into(),
        category: "general".into(),
        rate_percent: "2.1".into(),
        years: "10".into(),
        name: "信托、租赁置换测算（10年期2.1%）".into(),
        ..Default::default()
    };
    luoshi_app::debt::scenarios::run(db, &who, &plan, now).await.map_err(e)?;
    Ok(ids.len() + 1)
}
