use super::*;

const SPEECH: &str = include_str!("../../../tests/data/county-speech.txt");

#[test]
fn the_speech_has_four_sections_of_three_points() {
    let o = outline(SPEECH);
    assert_eq!(o.title.as_deref(), Some("县委副书记在县委理论中心组党的大会精神专题读书班上的发言"));
    assert!(o.preamble.is_some());
    let heads: Vec<(&str, &str)> = o.nodes.iter().map(|n| (n.label.as_str(), n.title.as_str())).collect();
    assert_eq!(heads, vec![("一、", "坚持做到“两个维护”"), ("二、", "蹄疾步稳深化改革"), ("三、", "全力守牢安全底线"), ("四、", "不断增进民生福祉")]);
    let points: Vec<Vec<&str>> = o.nodes.iter().map(|n| n.children.iter().map(|c| c.title.as_str()).collect()).collect();
    assert_eq!(points[0], vec!["思想上高度一致", "政治上坚决维护", "行动上紧紧跟随"]);
    assert_eq!(points[1], vec!["围绕发展抓改革", "动真碰硬抓改革", "争先创优抓改革"]);
    assert_eq!(points[2], vec!["抓实抓细安全生产各项举措", "全面防范重大金融风险", "建立大安全大应急框架"]);
    assert_eq!(points[3], vec!["牢记宗旨意识", "办好民生实事", "密切联系群众"]);
    // Spans are exact: a point's text starts with its label.
    let p = &o.nodes[1].children[0];
    assert!(SPEECH[p.start..p.end].starts_with("一是围绕发展抓改革"));
    assert_eq!(crate::doc::leaves(SPEECH, &o).len(), 12);
}

#[test]
fn work_report_with_nested_parentheses_and_numbers() {
    let doc = "2026年县政府工作报告\n各位代表：\n现在，我代表县人民政府作报告。\n一、2025年工作回顾\n过去一年，我们……\n二、2026年主要任务\n（一）着力扩大有效投资\n1.抓好重大项目。年底前开工项目30个。\n2.优化营商环境。\n（二）持续保障改善民生\n1、办好民生实事。三季度前完成。\n- 3 -\n2、稳定就业。\n三、加强政府自身建设\n";
    let o = outline(doc);
    assert_eq!(o.title.as_deref(), Some("2026年县政府工作报告"));
    assert_eq!(o.nodes.len(), 3);
    let tasks = &o.nodes[1];
    assert_eq!(tasks.children.len(), 2);
    assert_eq!(tasks.children[0].label, "（一）");
    assert_eq!(tasks.children[0].children.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), vec!["抓好重大项目", "优化营商环境"]);
    // "1、" and "1." are one kind here only if written the same; both are `num`, so they nest alike.
    assert_eq!(tasks.children[1].children.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), vec!["办好民生实事", "稳定就业"]);
    // The page number line is not text of any node.
    let leaf = &tasks.children[1].children[1];
    assert!(!doc[leaf.start..leaf.end].contains("- 3 -"));
}

#[test]
fn plan_with_chapters_and_articles() {
    let doc = "示范县安全生产治本攻坚实施方案\n第一章 总则\n第一条 为了……制定本方案。\n第二条 本方案适用于全县。\n第二章 重点任务\n第三条 开展隐患排查。\n（一）企业自查。\n（二）部门督查。\n第四条 严格执法。\n";
    let o = outline(doc);
    assert_eq!(o.nodes.len(), 2);
    assert_eq!(o.nodes[0].children.len(), 2);
    assert_eq!(o.nodes[1].children[0].children.len(), 2);
    assert_eq!(o.nodes[1].children[0].title, "开展隐患排查");
    assert_eq!(o.nodes[1].children[1].title, "严格执法");
}

#[test]
fn inline_sequences_and_numbers_that_are_not_markers() {
    let doc = "关于做好秋冬季森林防火工作的通知\n各乡镇：首先，要压实责任。其次，要加强巡查。再次，要备足物资。最后，要严格值守。投入1.5亿元。\n";
    let o = outline(doc);
    let labels: Vec<&str> = o.nodes.iter().map(|n| n.label.as_str()).collect();
    assert_eq!(labels, vec!["首先", "其次", "再次", "最后"]);
    assert_eq!(o.nodes[1].title, "要加强巡查");
    assert!(marker("1.5亿元").is_none());
    assert!(marker("十二、").is_some());
    assert!(marker("一是").is_none());
}

#[test]
fn spans_lie_inside_the_text_and_nest() {
    fn check(n: &Node, len: usize, lo: usize, hi: usize) {
        assert!(n.start <= n.end && n.end <= len && n.start >= lo && n.end <= hi, "{n:?}");
        let mut last = n.start;
        for c in &n.children {
            assert!(c.start >= last, "children overlap: {c:?}");
            check(c, len, n.start, n.end);
            last = c.end;
        }
    }
    let o = outline(SPEECH);
    let mut last = 0;
    for n in &o.nodes {
        assert!(n.start >= last);
        check(n, SPEECH.len(), 0, SPEECH.len());
        last = n.end;
    }
}
