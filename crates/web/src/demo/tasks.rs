//! The demo county's directive from the speech and its tasks, each brought to a state the
//! pages should show (draft, green, yellow, overdue, returned, under review, closed …).

use luoshi_domain::access::Scope;
use luoshi_storage::{units, users, Db};

/// The title of the demo directive built from the speech.
pub const SPEECH_TITLE: &str = "县委副书记在县委理论中心组党的大会精神专题读书班上的发言";

const SPEECH_OUTLINE: &str = "一、坚持做到“两个维护”\n一是思想上高度一致。二是政治上坚决维护。三是行动上紧紧跟随。\n\
二、蹄疾步稳深化改革\n一是围绕发展抓改革。二是动真碰硬抓改革。三是争先创优抓改革。\n\
三、全力守牢安全底线\n一是抓实抓细安全生产各项举措。二是全面防范重大金融风险。三是建立大安全大应急框架。\n\
四、不断增进民生福祉\n一是牢记宗旨意识。二是办好民生实事。三是密切联系群众。";

/// Where a demo task should end up.
#[derive(Clone, Copy)]
enum Goal {
    Draft,
    Assigned,
    Green,
    Yellow,
    Overdue,
    Returned,
    Review,
    Extension,
    Closed,
    Early,
}

struct Spec {
    seq: &'static str,
    title: &'static str,
    measures: &'static str,
    leader: &'static str,
    lead: &'static str,
    responsible: &'static [&'static str],
    cooperating: &'static [&'static str],
    /// Deadline in calendar days from today (negative: already passed).
    due: i64,
    long_term: bool,
    goal: Goal,
}

const SPECS: &[Spec] = &[
    Spec {
        seq: "1.1",
        title: "思想上高度一致",
        measures: "把学习党的二十大精神与习近平新时代中国特色社会主义思想贯通起来学习，组织专题读书班和宣讲。",
        leader: "leader",
        lead: "县委办公室",
        responsible: &[],
        cooperating: &["县政府办公室"],
        due: 20,
        long_term: false,
        goal: Goal::Closed,
    },
    Spec {
        seq: "1.2",
        title: "政治上坚决维护",
        measures: "把忠诚拥护“两个确立”作为最高政治原则，开展政治判断力、领悟力、执行力专题培训。",
        leader: "leader",
        lead: "县委办公室",
        responsible: &[],
        cooperating: &[],
        due: 40,
        long_term: true,
        goal: Goal::Early,
    },
    Spec {
        seq: "1.3",
        title: "行动上紧紧跟随",
        measures: "对党的二十大明确的任务要求细化、实化、具体化，拿出落实的具体方案，既狠抓当前又着眼长远。",
        leader: "leader",
        lead: "县委县政府督查室",
        responsible: &["县政府办公室"],
        cooperating: &[],
        due: 30,
        long_term: false,
        goal: Goal::Green,
    },
    Spec {
        seq: "2.1",
        title: "围绕发展抓改革",
        measures: "深化简政放权改革成效，推进城乡融合发展体制机制、人才体制、财税金融体制、国有企业等改革。",
        leader: "vice",
        lead: "县发展和改革局",
        responsible: &["县财政局"],
        cooperating: &["县人力资源和社会保障局"],
        due: 35,
        long_term: false,
        goal: Goal::Yellow,
    },
    Spec {
        seq: "2.2",
        title: "动真碰硬抓改革",
        measures: "破解大项目好项目实项目招引难、落地难、开工难，消除程序多、效率低等中梗阻问题。",
        leader: "vice",
        lead: "县投资促进中心",
        responsible: &["县自然资源和规划局"],
        cooperating: &["县住房和城乡建设局"],
        due: -8,
        long_term: false,
        goal: Goal::Overdue,
    },
    Spec {
        seq: "2.3",
        title: "争先创优抓改革",
        measures: "将改革方向与高质量考核指标争先进位和年度目标任务相结合，总结推广好做法好经验。",
        leader: "leader",
        lead: "县统计局",
        responsible: &[],
        cooperating: &["县发展和改革局"],
        due: 15,
        long_term: false,
        goal: Goal::Review,
    },
    Spec {
        seq: "3.1",
        title: "抓实抓细安全生产各项举措",
        measures: "在风险管控、隐患整治、能力提升上再加力，开展安全生产大检查“回头看”，严防事故“翘尾”反弹。",
        leader: "vice",
        lead: "县应急管理局",
        responsible: &["城关镇", "青山镇"],
        cooperating: &["县市场监督管理局"],
        due: 3,
        long_term: false,
        goal: Goal::Green,
    },
    Spec {
        seq: "3.2",
        title: "全面防范重大金融风险",
        measures: "增加可用财力、保资金接续，推进定向融资产品置换，压降平台公司非标业务比例，做好监测预警。",
        leader: "leader",
        lead: "县财政局",
        responsible: &[],
        cooperating: &["县发展和改革局"],
        due: 12,
        long_term: false,
        goal: Goal::Extension,
    },
    Spec {
        seq: "3.3",
        title: "建立大安全大应急框架",
        measures: "厘清部门职责，建立上下联动、左右协同、前后衔接的应急工作格局。",
        leader: "vice",
        lead: "县应急管理局",
        responsible: &[],
        cooperating: &["县公安局", "县卫生健康局"],
        due: 25,
        long_term: false,
        goal: Goal::Assigned,
    },
    Spec {
        seq: "4.1",
        title: "牢记宗旨意识",
        measures: "采取更多惠民生、暖民心举措，着力解决群众急难愁盼问题。",
        leader: "leader",
        lead: "县政府办公室",
        responsible: &[],
        cooperating: &[],
        due: 35,
        long_term: true,
        goal: Goal::Returned,
    },
    Spec {
        seq: "4.2",
        title: "办好民生实事",
        measures: "推进教育医疗、养老育幼、富民增收等民生实事，加强困难和弱势群体兜底保障。",
        leader: "vice",
        lead: "县教育局",
        responsible: &["县卫生健康局", "县民政局"],
        cooperating: &["县财政局"],
        due: 30,
        long_term: false,
        goal: Goal::Green,
    },
    Spec {
        seq: "4.3",
        title: "密切联系群众",
        measures: "谋划发展思路向群众问计，衡量发展成效由群众评判。",
        leader: "leader",
        lead: "县信访局",
        responsible: &[],
        cooperating: &["县政务服务中心（12345热线）"],
        due: 30,
        long_term: false,
        goal: Goal::Draft,
    },
];

fn days(today: chrono::NaiveDate, n: i64) -> String {
    (today + chrono::Duration::days(n)).format("%Y-%m-%d").to_string()
}

/// Seed the demo directives and tasks (once: a second run finds the directive and stops).
pub async fn seed_tasks(db: &Db, today: chrono::NaiveDate) -> Result<usize, String> {
    use luoshi_app::tasks as svc;
    use luoshi_domain::tasks::{Action, Condition, MilestoneInput, ReportInput, TaskInput, EXEMPTION_CONDITIONS};
    let e = |x: luoshi_storage::StoreError| x.to_string();
    let who = luoshi_app::Who::system("demo");
    let existing = luoshi_storage::tasks::list_directives(db, &luoshi_domain::access::Sight::County).await.map_err(e)?;
    if existing.iter().any(|(d, _)| d.title == SPEECH_TITLE) {
        return Ok(0);
    }
    let all = units::list(db, &Scope::All).await.map_err(e)?;
    let unit = |n: &str| units::resolve(&all, n).map(|u| u.id).map_err(|x| x.to_string());
    let people = users::list(db, &Scope::All).await.map_err(e)?;
    let leader_id = |n: &str| -> Result<Option<i64>, String> { Ok(people.iter().find(|(u, _)| u.username == n).map(|(u, _)| u.id)) };
    let directive = luoshi_storage::tasks::DirectiveInput {
        title: SPEECH_TITLE.into(),
        kind: "meeting".into(),
        issued_on: days(today, -75),
        issuer: "县委副书记".into(),
        doc_no: "示委办〔2026〕18号".into(),
        source_text: SPEECH_OUTLINE.to_string(),
    };
    let d = svc::create_directive(db, &who, &directive, today).await.map_err(e)?;
    let mut created = 0;
    let mut safety_task = None;
    for s in SPECS {
        let mut input = TaskInput {
            title: s.title.into(),
            measures: s.measures.into(),
            lead_leader_id: leader_id(s.leader)?,
            lead_unit_id: unit(s.lead)?,
            responsible_unit_ids: s.responsible.iter().map(|n| unit(n)).collect::<Result<_, _>>()?,
            cooperating_unit_ids: s.cooperating.iter().map(|n| unit(n)).collect::<Result<_, _>>()?,
            deadline: days(today, s.due),
            term: if s.long_term { "long_term".into() } else { "current".into() },
            ..Default::default()
        };
        if matches!(s.goal, Goal::Yellow) {
            input.milestones = vec![
                MilestoneInput { date: days(today, -10), percent: 50.0, title: "完成方案制定".into() },
                MilestoneInput { date: days(today, s.due), percent: 100.0, title: "全面完成".into() },
            ];
        }
        let id = svc::create_task(db, &who, Some(d.id), Some(s.seq), &input).await.map_err(e)?;
        created += 1;
        if s.seq == "3.1" {
            safety_task = Some(id);
        }
        let act = |a: Action, why: &'static str| async move {
            svc::act(db, &luoshi_app::Who::system("demo"), id, a, why, None, today).await.map(|_| ()).map_err(|x| x.to_string())
        };
        let report = |pct: f64, text: &'static str| async move {
            svc::report(db, &luoshi_app::Who::system("demo"), id, &ReportInput { text: text.into(), percent: Some(pct), version: None }, today)
                .await
                .map(|_| ())
                .map_err(|x| x.to_string())
        };
        if matches!(s.goal, Goal::Draft) {
            continue;
        }
        act(Action::Assign, "").await?;
        if matches!(s.goal, Goal::Assigned) {
            continue;
        }
        act(Action::Sign, "").await?;
        match s.goal {
            Goal::Green => report(if s.due <= 5 { 90.0 } else { 40.0 }, "已制定实施方案，按计划推进。").await?,
            Goal::Yellow => report(30.0, "方案已起草，部分改革事项尚待上级政策明确。").await?,
            Goal::Overdue => report(60.0, "两个重点项目用地报批仍在省级审批中。").await?,
            Goal::Extension => {
                report(55.0, "置换方案已报市财政局，等待批复。").await?;
                svc::request_extension(db, &luoshi_app::Who::system("demo"), id, "定向融资产品置换需待省级额度下达", &days(today, 45), today)
                    .await
                    .map_err(e)?;
            }
            Goal::Returned => {
                report(100.0, "已完成。").await?;
                act(Action::RequestClosure, "").await?;
                act(Action::Return, "佐证材料不足，未体现解决群众急难愁盼问题的具体成效，请补充后重报。").await?;
            }
            Goal::Review => {
                report(100.0, "年度目标任务已全面完成，考核指标位次前移三位。").await?;
                act(Action::RequestClosure, "").await?;
            }
            Goal::Closed | Goal::Early => {
                report(100.0, "各项工作已全部完成，成效明显。").await?;
                act(Action::RequestClosure, "").await?;
                act(Action::Accept, "").await?;
            }
            Goal::Draft | Goal::Assigned => {}
        }
    }
    // A township task under 3.1, and the ladder raised for what slipped.
    let town = TaskInput {
        parent_id: safety_task,
        title: "城关镇安全生产大检查“回头看”".into(),
        measures: "对辖区内企业逐一复查，建立隐患整改台账，做到排查、登记、评估、治理、验收、销号闭环。".into(),
        lead_leader_id: leader_id("vice")?,
        lead_unit_id: unit("城关镇")?,
        cooperating_unit_ids: vec![unit("城东村")?],
        deadline: days(today, 10),
        ..Default::default()
    };
    let tid = svc::create_task(db, &who, Some(d.id), Some("3.1.1"), &town).await.map_err(e)?;
    svc::act(db, &who, tid, Action::Assign, "", None, today).await.map_err(e)?;
    created += 1;
    // Another township's task, in a leader's instruction of its own.
    let inst = luoshi_storage::tasks::DirectiveInput {
        title: "李县长关于青山镇茶园村道路塌方隐患整治的批示".into(),
        kind: "instruction".into(),
        issued_on: days(today, -5),
        issuer: "李县长".into(),
        doc_no: String::new(),
        source_text: "请青山镇会同交通局立即核查，限期整治到位，确保群众出行安全。".into(),
    };
    let inst = svc::create_directive(db, &who, &inst, today).await.map_err(e)?;
    let q = TaskInput {
        title: "茶园村道路塌方隐患整治".into(),
        lead_leader_id: leader_id("leader")?,
        lead_unit_id: unit("青山镇")?,
        cooperating_unit_ids: vec![unit("茶园村")?],
        deadline: days(today, 6),
        ..Default::default()
    };
    let qid = svc::create_task(db, &who, Some(inst.id), Some("1"), &q).await.map_err(e)?;
    svc::act(db, &who, qid, Action::Assign, "", None, today).await.map_err(e)?;
    svc::act(db, &who, qid, Action::Sign, "", None, today).await.map_err(e)?;
    created += 1;
    luoshi_app::supervision::supervise(db, today).await.map_err(e)?;
    // The overdue task's unit applies for 容错免责.
    let overdue = luoshi_storage::tasks::of_directive(db, d.id, &luoshi_domain::access::Sight::County)
        .await
        .map_err(e)?
        .into_iter()
        .find(|t| t.seq.as_deref() == Some("2.2"));
    if let Some(t) = overdue {
        let conditions: Vec<Condition> = EXEMPTION_CONDITIONS
            .iter()
            .map(|(k, _, _)| Condition { key: (*k).into(), met: true, evidence: "省级用地审批进度说明、集体研究会议纪要".into() })
            .collect();
        svc::apply_exemption(db, &who, t.id, "项目用地报批受省级审批周期影响，单位已履职尽责。", &conditions, today).await.map_err(e)?;
    }
    Ok(created)
}
