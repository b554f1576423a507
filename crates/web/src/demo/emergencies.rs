//! The demo county's emergency work, entered through the use cases: its plans (the overall
//! plan, 防汛抗旱 with every township's own plan linked under it, 森林火灾, 危险化学品, a
//! department plan whose drill is long overdue), this week's duty roster (imported as an
//! xlsx), its teams, supplies and shelters; a rainstorm flooding 城关镇 two hours ago with the
//! flood plan activated at Ⅳ (some units signed and reporting, some late), last month's
//! landslide in 青山镇 stood down and closed; the warnings of this storm (a blue one
//! superseded by a yellow one, both languages), a cancelled gale warning and one received
//! from the city.

use luoshi_app::emergencies::plans::{ContentsInput, LevelInput, MatrixInput, PlanActInput, PlanInput};
use luoshi_app::emergencies::{activation, assignments, exchange, incidents, plans, resources, roster, warnings};
use luoshi_app::Who;
use luoshi_domain::access::Scope;
use luoshi_domain::unit::UnitKind;
use luoshi_storage::{units, Db};

const MINUTE: i64 = 60_000_000;

/// The flood plan's matrix at Ⅳ (and up): (unit, role, task, first report, follow-up minutes).
const FLOOD_IV: &[(&str, &str, &str, i64, i64)] = &[
    ("县应急管理局", "牵头", "启动防汛Ⅳ级应急响应，统筹调度抢险救援力量和物资", 30, 120),
    ("县水利局", "牵头", "监测水库、河道水情，组织水利工程巡查和抢险技术支撑", 30, 120),
    ("县住房和城乡建设局", "配合", "排查城区低洼易涝点和在建工地，组织排涝", 60, 180),
    ("县交通运输局", "配合", "排查道路桥梁，设置警示并组织交通管制和抢通", 60, 180),
    ("县自然资源和规划局", "配合", "开展地质灾害隐患点巡查和监测预警", 60, 180),
    ("县民政局", "配合", "做好受灾群众临时救助和安置", 120, 240),
    ("县卫生健康局", "配合", "组织医疗救护和灾后防疫", 120, 240),
];

/// Added at Ⅲ (and up).
const FLOOD_III: &[(&str, &str, &str, i64, i64)] = &[
    ("县公安局", "配合", "维护灾区治安和交通秩序，协助转移群众", 30, 120),
    ("县农业农村局", "配合", "指导农业生产防灾减灾和灾后恢复", 120, 480),
    ("县财政局", "配合", "保障抢险救灾资金", 240, 1440),
];

fn levels(unit: i64, command: &str) -> Vec<LevelInput> {
    [
        ("1", "特别重大：全县或跨县流域性特大洪水，或大中型水库垮坝"),
        ("2", "重大：主要河道发生超保证水位洪水，或小（1）型水库出现重大险情"),
        ("3", "较大：主要河道超警戒水位1米以上，或小（2）型水库出现险情，24小时降雨量超过150毫米"),
        ("4", "一般：主要河道超警戒水位，或气象部门发布暴雨黄色及以上预警，城区出现严重内涝"),
    ]
    .iter()
    .map(|(l, c)| LevelInput { level: (*l).into(), command: command.into(), command_unit_id: Some(unit), conditions: (*c).into() })
    .collect()
}

fn line(level: &str, unit: i64, role: &str, task: &str, first: i64, follow: i64) -> MatrixInput {
    MatrixInput { level: level.into(), unit_id: unit, role: role.into(), task: task.into(), first_report_minutes: first, followup_minutes: follow }
}

/// Create a plan, give it its contents and publish it; its id.
async fn publish(db: &Db, who: &Who, input: PlanInput, contents: ContentsInput, now: i64) -> Result<i64, String> {
    let e = |x: luoshi_storage::StoreError| x.to_string();
    let id = plans::create(db, who, &input, now).await.map_err(e)?;
    plans::set_contents(db, who, id, &contents, now).await.map_err(e)?;
    for action in ["submit", "publish"] {
        plans::act(db, who, id, &PlanActInput { action: action.into(), ..PlanActInput::default() }, now).await.map_err(e)?;
    }
    Ok(id)
}

fn plan(title: &str, kind: &str, category: &str, event_type: &str, owner: i64, doc: &str) -> PlanInput {
    PlanInput {
        title: title.into(),
        kind: kind.into(),
        category: category.into(),
        event_type: event_type.into(),
        owner_unit_id: Some(owner),
        parent_plan_id: None,
        doc_no: doc.into(),
    }
}

/// Seed the county's emergency work; how many assignments the storm's activation handed out
/// (0 when it existed already).
pub async fn seed_emergencies(db: &Db, today: chrono::NaiveDate) -> Result<usize, String> {
    let e = |x: luoshi_storage::StoreError| x.to_string();
    if !luoshi_storage::emergencies::plans::list(db).await.map_err(e)?.is_empty() {
        return Ok(0);
    }
    let who = Who::system("demo");
    let now = luoshi_storage::now_micros();
    let all = units::list(db, &Scope::All).await.map_err(e)?;
    let unit = |n: &str| units::resolve(&all, n).map(|u| u.id).map_err(|x| x.to_string());
    let office = unit("县应急管理局")?;
    let towns: Vec<&luoshi_domain::unit::Unit> = all.iter().filter(|u| u.kind == UnitKind::Township).collect();

    // Each township's flood plan, assigning its villages.
    let mut town_plans = Vec::new();
    for t in &towns {
        let villages: Vec<&luoshi_domain::unit::Unit> = all.iter().filter(|u| u.parent_id == Some(t.id)).collect();
        let mut matrix = vec![line("4", t.id, "属地", "启动乡镇防汛应急响应，组织巡查、转移危险区域群众", 20, 60)];
        for v in villages {
            matrix.push(line("4", v.id, "属地", "村（社区）网格员巡查，转移低洼地带和危房群众并报告人数", 20, 60));
        }
        let contents = ContentsInput { levels: levels(t.id, &format!("{}防汛抗旱指挥部", t.name)), matrix, links: Vec::new() };
        let title = format!("{}防汛应急预案", t.name);
        town_plans.push(publish(db, &who, plan(&title, "grassroots", "natural", "flood", t.id, ""), contents, now).await?);
    }
    // The county's flood plan: departments by level, every township's plan linked at Ⅳ.
    let mut matrix = Vec::new();
    for (u, role, task, f, o) in FLOOD_IV {
        matrix.push(line("4", unit(u)?, role, task, *f, *o));
    }
    for (u, role, task, f, o) in FLOOD_III {
        matrix.push(line("3", unit(u)?, role, task, *f, *o));
    }
    let links = town_plans.iter().map(|p| ("4".to_string(), *p)).collect();
    let flood = publish(
        db,
        &who,
        plan("示范县防汛抗旱应急预案", "special", "natural", "flood", unit("县水利局")?, "示政办发〔2024〕12号"),
        ContentsInput { levels: levels(office, "县防汛抗旱指挥部"), matrix, links },
        now,
    )
    .await?;
    let act = |action: &str, on: &str| PlanActInput { action: action.into(), on: on.into(), ..PlanActInput::default() };
    plans::act(db, &who, flood, &act("drill", &(today - chrono::Days::new(200)).format("%Y-%m-%d").to_string()), now).await.map_err(e)?;
    plans::act(db, &who, flood, &act("evaluate", ""), now).await.map_err(e)?;
    let simple = |u: i64, task: &str| ContentsInput {
        levels: levels(office, "县应急救援指挥部"),
        matrix: vec![line("4", office, "牵头", "组织现场指挥和救援力量调度", 30, 120), line("4", u, "牵头", task, 30, 120)],
        links: Vec::new(),
    };
    let overall = publish(
        db,
        &who,
        plan("示范县突发事件总体应急预案", "overall", "accident", "work_safety", unit("县政府办公室")?, "示政发〔2023〕5号"),
        simple(unit("县政府办公室")?, "统筹协调各专项应急指挥部"),
        now,
    )
    .await?;
    publish(
        db,
        &who,
        plan("示范县森林火灾应急预案", "special", "natural", "forest_fire", unit("县自然资源和规划局")?, ""),
        simple(unit("县自然资源和规划局")?, "组织扑救力量，划定警戒区"),
        now,
    )
    .await?;
    publish(
        db,
        &who,
        plan("示范县危险化学品事故应急预案", "special", "accident", "hazardous_chemicals", office, ""),
        simple(unit("县生态环境局")?, "开展环境应急监测"),
        now,
    )
    .await?;
    // A department plan last drilled four years ago: its light is red and the ladder climbs.
    let transport = publish(
        db,
        &who,
        plan("县交通运输局道路交通突发事件应急预案", "department", "accident", "traffic", unit("县交通运输局")?, ""),
        simple(unit("县交通运输局")?, "组织道路抢通和运力保障"),
        now,
    )
    .await?;
    plans::act(db, &who, transport, &act("drill", &(today - chrono::Days::new(4 * 365)).format("%Y-%m-%d").to_string()), now).await.map_err(e)?;
    plans::act(db, &who, transport, &act("evaluate", ""), now).await.map_err(e)?;
    // A plan being written.
    let draft = plans::create(db, &who, &plan("示范县地震应急预案（修订稿）", "special", "natural", "earthquake", office, ""), now).await.map_err(e)?;
    plans::set_contents(db, &who, draft, &simple(unit("县住房和城乡建设局")?, "组织房屋建筑安全应急评估"), now).await.map_err(e)?;

    // This week's roster, from yesterday, as the office sends it: one workbook.
    let people = ["华安", "刘强", "王芳", "赵磊", "孙丽", "周涛", "吴静", "陈明"];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut on_duty: Vec<(String, &str)> = vec![("县应急管理局".into(), "带班领导"), ("县应急管理局".into(), "值班员")];
    on_duty.extend(FLOOD_IV.iter().chain(FLOOD_III).skip(1).map(|(u, ..)| ((*u).to_string(), "值班员")));
    on_duty.extend(towns.iter().map(|t| (t.name.clone(), "值班员")));
    // Villages and communities: the grid worker on duty (网格员).
    on_duty.extend(all.iter().filter(|u| u.kind == UnitKind::Village).map(|v| (v.code.clone().unwrap_or_else(|| v.name.clone()), "网格员")));
    for d in 0..8_u64 {
        let day = (today - chrono::Days::new(1) + chrono::Days::new(d)).format("%Y-%m-%d").to_string();
        for (i, (u, post)) in on_duty.iter().enumerate() {
            let p = people[(i + d as usize) % people.len()];
            rows.push(vec![
                day.clone(),
                u.clone(),
                format!("{p}{}", if i > 1 { "" } else { "（应急局）" }),
                format!("0591-8{:03}{:04}", i, 1000 + d),
                (*post).into(),
            ]);
        }
    }
    let book = luoshi_ledger::write_xlsx("值班表", &roster::COLUMNS, &rows).map_err(|x| x.to_string())?;
    roster::import(db, &who, &book, "roster.xlsx", now).await.map_err(e)?.map_err(|errs| format!("demo roster refused: {errs:?}"))?;

    // Teams, supplies, shelters.
    let res = |kind: &str, name: &str, u: i64, place: &str, q: i64, m: &str| resources::ResourceInput {
        kind: kind.into(),
        name: name.into(),
        unit_id: Some(u),
        township_id: None,
        place: place.into(),
        quantity: q,
        measure: m.into(),
    };
    let mut boats = 0;
    for (i, r) in [
        res("team", "县综合应急救援大队", office, "县城滨江路18号", 60, "人"),
        res("team", "县水利抢险队", unit("县水利局")?, "县水利局", 25, "人"),
        res("supply", "冲锋舟", office, "县应急物资储备库", 12, "艘"),
        res("supply", "救生衣", office, "县应急物资储备库", 800, "件"),
        res("supply", "帐篷", unit("县民政局")?, "县救灾物资仓库", 300, "顶"),
        res("shelter", "县体育馆应急避难场所", unit("县民政局")?, "城东街道体育路1号", 2000, "人"),
    ]
    .iter()
    .enumerate()
    {
        let id = resources::create(db, &who, r, now).await.map_err(e)?;
        if i == 2 {
            boats = id;
        }
    }

    // Last month's landslide: handled and closed.
    let ago = |m: i64| now - m * MINUTE;
    let qingshan = unit("青山镇")?;
    let slide = incidents::IncidentInput {
        title: "青山镇竹林村山体滑坡".into(),
        event_type: "geological".into(),
        occurred_at: luoshi_domain::time::format_local(ago(30 * 1440 + 60)),
        township_id: Some(qingshan),
        place: "竹林村后山".into(),
        facts: "连续降雨致后山约2000立方米土方滑塌，掩埋村道一段，无人员伤亡，已疏散3户9人。".into(),
        reporter: "黄干事（青山镇）".into(),
        ..incidents::IncidentInput::default()
    };
    let old = incidents::report(db, &who, &slide, ago(30 * 1440)).await.map_err(e)?;
    let step = |action: &str, level: &str, note: &str| incidents::IncidentActInput {
        action: action.into(),
        level: level.into(),
        note: note.into(),
        ..incidents::IncidentActInput::default()
    };
    incidents::act(db, &who, old, &step("assess", "4", "一般地质灾害，县级处置"), ago(30 * 1440 - 20)).await.map_err(e)?;
    activation::activate(db, &who, old, Some(overall), None, ago(30 * 1440 - 30)).await.map_err(e)?;
    incidents::act(db, &who, old, &step("report_up", "", "首报：青山镇竹林村山体滑坡，无人员伤亡"), ago(30 * 1440 - 40)).await.map_err(e)?;
    incidents::act(db, &who, old, &step("stand_down", "", "险情排除，村道抢通"), ago(29 * 1440)).await.map_err(e)?;
    incidents::act(db, &who, old, &step("close", "", "终报：滑坡体已清理，3户9人返回"), ago(28 * 1440)).await.map_err(e)?;

    // The storm: reported two hours ago, assessed, the flood plan activated at Ⅳ.
    let chengguan = unit("城关镇")?;
    let storm = incidents::IncidentInput {
        title: "强降雨致城关镇城区内涝".into(),
        event_type: "flood".into(),
        occurred_at: luoshi_domain::time::format_local(ago(150)),
        township_id: Some(chengguan),
        place: "城关镇前进路、城南片区".into(),
        facts: "3小时降雨量达98毫米，前进路、城南片区积水深约0.6米，部分车辆被困，城南村12户房屋进水。".into(),
        injured: 1,
        reporter: "林干事（城关镇）".into(),
        ..incidents::IncidentInput::default()
    };
    let id = incidents::report(db, &who, &storm, ago(120)).await.map_err(e)?;
    incidents::act(db, &who, id, &step("assess", "4", "达到防汛Ⅳ级响应启动条件"), ago(115)).await.map_err(e)?;
    let done = activation::activate(db, &who, id, Some(flood), None, ago(110)).await.map_err(e)?;
    incidents::act(db, &who, id, &step("report_up", "", "首报：城关镇城区内涝，已启动防汛Ⅳ级应急响应"), ago(100)).await.map_err(e)?;
    // Most sign and report; a few are late (the watch has chased them).
    let list = luoshi_storage::emergencies::assignments::of_incident(db, id).await.map_err(e)?;
    for (i, a) in list.iter().enumerate() {
        if i % 7 == 3 {
            continue;
        }
        let act = |action: &str, text: &str| assignments::AssignmentActInput { action: action.into(), text: text.into() };
        assignments::act(db, &who, a.id, &act("sign", ""), ago(105 - (i as i64 % 5))).await.map_err(e)?;
        if i % 5 != 4 {
            let text = if a.role == "属地" {
                format!("已组织{}名干部群众巡查，转移低洼地带群众{}户{}人，暂无人员伤亡", 4 + i % 6, 2 + i % 5, 5 + i % 11)
            } else {
                format!("{}已按预案开展工作，人员装备到位", a.unit_name)
            };
            assignments::act(db, &who, a.id, &act("report", &text), ago(40 - (i as i64 % 30))).await.map_err(e)?;
        }
    }
    let alloc = resources::AllocateInput {
        resource_id: Some(boats),
        assignment_id: list.first().map(|a| a.id),
        quantity: 4,
        back: false,
        note: "支援城南片区转移被困群众".into(),
    };
    resources::allocate(db, &who, id, &alloc, ago(90)).await.map_err(e)?;

    // Warnings: blue six hours ago, updated to yellow three hours ago; a gale warning cancelled.
    let compose = |colour: &str, event: &str, headline: &str, en: &str, hours: i64| warnings::WarningInput {
        event_type: event.into(),
        colour: colour.into(),
        headline: headline.into(),
        description: "预计未来6小时内我县城区及北部乡镇将出现强降雨，局地伴有雷电和短时大风。".into(),
        instruction: "政府及相关部门按照职责做好防暴雨准备工作；检查城市、农田、鱼塘排水系统，做好排涝准备。".into(),
        headline_2: en.into(),
        description_2: "Heavy rain is expected in the county town and the northern townships in the next 6 hours.".into(),
        instruction_2: "Check drainage and stay away from low-lying areas.".into(),
        area_units: format!("{chengguan},{qingshan}"),
        expires: luoshi_domain::time::format_local(now + hours * 60 * MINUTE),
        incident_id: Some(id),
        ..warnings::WarningInput::default()
    };
    let approver = Who::system("demo-approver");
    let blue =
        warnings::compose(db, &who, &compose("blue", "weather", "示范县气象台发布暴雨蓝色预警信号", "Blue rainstorm warning", 6), ago(360)).await.map_err(e)?;
    warnings::act(db, &who, blue, "submit", ago(358)).await.map_err(e)?;
    warnings::act(db, &approver, blue, "approve", ago(355)).await.map_err(e)?;
    let yellow = warnings::compose_change(
        db,
        &who,
        blue,
        false,
        &compose("yellow", "weather", "示范县气象台升级发布暴雨黄色预警信号", "Yellow rainstorm warning", 9),
        "",
        ago(180),
    )
    .await
    .map_err(e)?;
    warnings::act(db, &who, yellow, "submit", ago(178)).await.map_err(e)?;
    warnings::act(db, &approver, yellow, "approve", ago(175)).await.map_err(e)?;
    let mut gale = compose("blue", "weather", "示范县气象台发布大风蓝色预警信号", "Blue gale warning", 12);
    gale.incident_id = None;
    let gale = warnings::compose(db, &who, &gale, ago(2 * 1440)).await.map_err(e)?;
    warnings::act(db, &who, gale, "submit", ago(2 * 1440 - 2)).await.map_err(e)?;
    warnings::act(db, &approver, gale, "approve", ago(2 * 1440 - 5)).await.map_err(e)?;
    let cancel = warnings::compose_change(db, &who, gale, true, &warnings::WarningInput::default(), "冷空气减弱，大风预警解除", ago(1440)).await.map_err(e)?;
    warnings::act(db, &who, cancel, "submit", ago(1438)).await.map_err(e)?;
    warnings::act(db, &approver, cancel, "approve", ago(1435)).await.map_err(e)?;
    // The city's own warning, as its system sent it.
    exchange::receive(db, &who, &city_warning(ago(240)), ago(239)).await.map_err(e)?;
    Ok(done.assignments)
}

/// A warning the city's observatory sent: zh-CN and en-US, the city's code as its area.
fn city_warning(sent: i64) -> String {
    use luoshi_domain::emergencies::cap::{cap_time, write, Alert, Area, Info};
    let stamp = chrono::TimeZone::timestamp_opt(&luoshi_domain::time::shanghai(), sent / 1_000_000, 0)
        .single()
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default();
    let area = Area { desc: "示范市".into(), geocodes: vec![("CPEAS Geographic Code".into(), "339900000000".into())], ..Area::default() };
    let info = |lang: &str, event: &str, headline: &str| Info {
        language: Some(lang.into()),
        categories: vec!["Met".into()],
        event: event.into(),
        urgency: "Expected".into(),
        severity: "Moderate".into(),
        certainty: "Likely".into(),
        expires: Some(cap_time(sent + 12 * 60 * MINUTE)),
        headline: Some(headline.into()),
        areas: vec![area.clone()],
        ..Info::default()
    };
    write(&Alert {
        identifier: format!("33990041600000_{stamp}"),
        sender: "Shifan_City_Meteorological_Observatory".into(),
        sent: cap_time(sent),
        status: "Actual".into(),
        msg_type: "Alert".into(),
        scope: "Public".into(),
        infos: vec![info("zh-CN", "暴雨", "示范市气象台发布暴雨黄色预警信号"), info("en-US", "Rainstorm", "Yellow rainstorm warning for Shifan City")],
        ..Alert::default()
    })
}
