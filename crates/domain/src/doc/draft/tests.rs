use super::*;

fn drafted(src: &str) -> (Outline, Vec<DraftTask>) {
    let b = breakdown(src, &shipped_catalogue(), 2026, None);
    (b.outline, b.tasks)
}

fn lead_of<'a>(tasks: &'a [DraftTask], title: &str) -> &'a str {
    tasks.iter().find(|t| t.title == title).and_then(|t| t.lead.as_ref()).map(|l| l.unit.as_str()).unwrap_or("")
}

/// A government work report copied out of a PDF: letterhead and document number above the
/// title, （一） inside 一、, numbered points, lines wrapped mid-sentence, a page number.
#[test]
fn a_work_report_from_a_pdf_copy() {
    let src = include_str!("../../../tests/data/work-report.txt");
    let (o, tasks) = drafted(src);
    assert_eq!(o.title.as_deref(), Some("示范县2026年政府工作报告"));
    assert_eq!(o.nodes.iter().map(|n| n.title.as_str()).collect::<Vec<_>>(), ["2025年工作回顾", "2026年主要任务", "加强政府自身建设"]);
    // The review of last year assigns nothing.
    assert!(!tasks.iter().any(|t| t.path[0] == "一、"));
    let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles[..3], ["抓好重大项目建设", "强化招商引资", "加快推进专项债券项目和中央预算内投资项目前期工作"]);
    assert_eq!(tasks.len(), 9);
    // Wrapped lines are one paragraph again; the page number is gone.
    let first = &tasks[0];
    assert!(first.measures.contains("新开工项目不少于30个"), "{}", first.measures);
    assert!(!tasks.iter().any(|t| t.measures.contains("— 5 —")));
    assert_eq!(first.deadline, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(lead_of(&tasks, "防范化解政府债务风险"), "县财政局");
    assert_eq!(lead_of(&tasks, "抓好安全生产"), "县应急管理局");
    assert_eq!(lead_of(&tasks, "稳定和扩大就业"), "县人力资源和社会保障局");
    assert_eq!(lead_of(&tasks, "提升医疗服务水平"), "县卫生健康局");
    assert_eq!(lead_of(&tasks, "办好十件民生实事"), "县教育局");
    assert_eq!(tasks.iter().find(|t| t.title == "提升医疗服务水平").unwrap().deadline, chrono::NaiveDate::from_ymd_opt(2026, 6, 30));
}

/// An implementation plan: 第X章 › 第X条 › 1. or （1）; the general chapter is not a task.
#[test]
fn an_implementation_plan_with_chapters_and_articles() {
    let src = include_str!("../../../tests/data/implementation-plan.txt");
    let (o, tasks) = drafted(src);
    assert_eq!(o.title.as_deref(), Some("示范县农村人居环境整治提升五年行动实施方案"));
    assert_eq!(o.nodes.len(), 3);
    assert_eq!(o.nodes[1].children.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(), ["第三条", "第四条", "第五条"]);
    assert!(!tasks.iter().any(|t| t.path[0] == "第一章"), "总体要求 is not a task");
    assert_eq!(tasks.len(), 9);
    assert_eq!(lead_of(&tasks, "逐步普及农村卫生厕所"), "县农业农村局");
    assert_eq!(lead_of(&tasks, "健全生活垃圾收运处置体系"), "县综合行政执法局");
    // The text naming its lead unit decides.
    assert_eq!(lead_of(&tasks, "加强组织领导"), "县农业农村局");
    assert_eq!(lead_of(&tasks, "强化督导考核"), "县委县政府督查室");
    let last = tasks.last().unwrap();
    assert!(last.long_term && last.deadline_hint.as_deref() == Some("长期坚持"));
}

/// A speech with its points inline: 第一，第二，第三， and inside the second 首先/其次/再次/最后.
#[test]
fn a_speech_with_nested_inline_points() {
    let src = include_str!("../../../tests/data/speech-inline.txt");
    let (o, tasks) = drafted(src);
    assert_eq!(o.nodes.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(), ["第一", "第二", "第三"]);
    assert_eq!(o.nodes[1].children.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(), ["首先", "其次", "再次", "最后"]);
    let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["要全面排查隐患", "要备足防汛物资，落实抢险队伍", "要做好山洪地质灾害群测群防", "要加强监测预警和值班值守", "要压实各方责任"]);
    assert_eq!(tasks[0].deadline, chrono::NaiveDate::from_ymd_opt(2026, 5, 31));
    let first: Vec<&str> = tasks[0].lead.iter().chain(&tasks[0].co_units).map(|s| s.unit.as_str()).collect();
    assert!(first.contains(&"县水利局") && first.contains(&"县自然资源和规划局"), "{first:?}");
    // Nested spans lie inside their parent's.
    let p = &o.nodes[1];
    assert!(p.children.iter().all(|c| c.start >= p.start && c.end <= p.end));
    assert!(src[p.children[0].start..p.children[0].end].starts_with("首先"));
}

#[test]
fn the_speech_drafts_sensible_lead_units() {
    let src = include_str!("../../../tests/data/county-speech.txt");
    let tasks = breakdown(src, &shipped_catalogue(), 2026, None).tasks;
    assert_eq!(tasks.len(), 12);
    let lead = |title: &str| tasks.iter().find(|t| t.title == title).and_then(|t| t.lead.as_ref()).map(|l| l.unit.as_str()).unwrap_or("");
    assert_eq!(lead("抓实抓细安全生产各项举措"), "县应急管理局");
    assert_eq!(lead("全面防范重大金融风险"), "县财政局");
    assert_eq!(lead("建立大安全大应急框架"), "县应急管理局");
    let livelihood = tasks.iter().find(|t| t.title == "办好民生实事").unwrap();
    let units: Vec<&str> = livelihood.lead.iter().chain(&livelihood.co_units).map(|s| s.unit.as_str()).collect();
    for u in ["县教育局", "县卫生健康局", "县民政局"] {
        assert!(units.contains(&u), "{u} missing from {units:?}");
    }
    let safety = tasks.iter().find(|t| t.title == "抓实抓细安全生产各项举措").unwrap();
    assert!(safety.lead.as_ref().unwrap().words.contains(&"安全生产".to_string()));
    assert_eq!(tasks.iter().find(|t| t.title == "行动上紧紧跟随").unwrap().deadline_hint.as_deref(), None);
    assert_eq!(safety.deadline_hint.as_deref(), Some("百日攻坚"));
}

#[test]
fn deadline_hints() {
    let d = |t: &str| super::when::deadline(t, 2026);
    assert_eq!(d("确保年底前全面完成。").unwrap().date, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(d("力争三季度开工").unwrap().date, chrono::NaiveDate::from_ymd_opt(2026, 9, 30));
    assert_eq!(d("6月底前完成方案").unwrap().date, chrono::NaiveDate::from_ymd_opt(2026, 6, 30));
    assert_eq!(d("6月底前完成方案").unwrap().phrase, "6月底前");
    assert!(d("长期坚持，久久为功").unwrap().long_term);
    assert!(d("加强领导").is_none());
}
