//! The shapes of issue 21: documents written for these tests in the forms counties send.

use super::*;

fn show(b: &Breakdown) -> String {
    let mut out = format!("title {:?} year {}\n", b.outline.title, b.year);
    for t in &b.tasks {
        out.push_str(&format!(
            "{} | {} | lead {:?} | co {:?} | {:?} {:?} lt={} past={}\n",
            t.path.join(""),
            t.title,
            t.lead.as_ref().map(|l| (&l.unit, l.named, l.weak)),
            t.co_units.iter().map(|c| c.unit.as_str()).collect::<Vec<_>>(),
            t.deadline_hint,
            t.deadline,
            t.long_term,
            t.past
        ));
    }
    for l in &b.left_out {
        out.push_str(&format!("LEFT {} {} {}\n", l.path.join(""), l.title, l.reason));
    }
    out
}

fn day(y: i32, m: u32, d: u32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
}

fn task<'a>(b: &'a Breakdown, path: &str) -> &'a DraftTask {
    let found = b.tasks.iter().find(|t| t.path.join("") == path);
    assert!(found.is_some(), "no task {path} in\n{}", show(b));
    &b.tasks[b.tasks.iter().position(|t| t.path.join("") == path).unwrap_or_default()]
}

fn lead(t: &DraftTask) -> (&str, bool) {
    t.lead.as_ref().map(|l| (l.unit.as_str(), l.named)).unwrap_or(("", false))
}

fn co(t: &DraftTask) -> Vec<&str> {
    t.co_units.iter().map(|c| c.unit.as_str()).collect()
}

/// A cover notice (its own 一、二、, the list of attachments) and the attached plan: separate
/// parts; the plan's year (2027, from the title) dates its deadlines; 牵头/配合/负责 and short
/// names decide the units; a review sentence sets no deadline; 长期隐瞒 is no standing work.
#[test]
fn a_cover_notice_with_its_attached_plan() {
    let src = include_str!("../../../tests/data/notice-with-attachments.txt");
    let b = breakdown(src, &shipped_catalogue(), 2026, day(2027, 7, 1));
    assert_eq!(b.year, 2027);
    assert_eq!(b.outline.title.as_deref(), Some("关于印发《示范县2027年城乡环境综合整治实施方案》的通知"));
    assert_eq!(b.outline.date, day(2026, 12, 20));
    let labels: Vec<(&str, &str)> = b.outline.nodes.iter().map(|n| (n.label.as_str(), n.kind)).collect();
    assert_eq!(labels, [("一、", "cn"), ("二、", "cn"), ("附件1", "part")], "the attachment list nests nothing");
    let plan = &b.outline.nodes[2];
    assert_eq!(plan.title, "示范县2027年城乡环境综合整治实施方案");
    assert_eq!(plan.children.len(), 4);
    assert!(!src[b.outline.nodes[1].start..b.outline.nodes[1].end].contains("附件"), "the cover's point ends before its attachments");
    // The section whose title holds 总体要求 but numbered measures under it is kept.
    let t = task(&b, "附件1一、（一）");
    assert_eq!((t.title.as_str(), lead(t)), ("整治农村生活垃圾", ("县综合行政执法局", true)));
    assert_eq!(co(t), ["县财政局"]);
    assert_eq!(t.deadline, day(2027, 12, 31));
    let t = task(&b, "附件1一、（二）");
    assert_eq!((lead(t), t.deadline, t.deadline_hint.as_deref()), (("县农业农村局", true), day(2027, 9, 30), Some("9月30日前")));
    let t = task(&b, "附件1一、（三）");
    assert_eq!((lead(t), co(t), t.deadline), (("县生态环境局", true), vec!["县水利局"], day(2028, 3, 31)), "次年3月底 is the latest it sets");
    let t = task(&b, "附件1一、（四）");
    assert_eq!((t.deadline, t.long_term, t.past), (day(2027, 6, 30), false, true), "长期隐瞒 is no 长期; 6月底 is past on 1 July");
    assert!(t.lead.as_ref().is_none_or(|l| l.weak && !l.named), "no unit named: a weak guess at most");
    // 提高认识，压实责任 holds numbered measures: walked, its points kept.
    let t = task(&b, "附件1二、（二）");
    assert_eq!((lead(t), co(t)), (("县发展和改革局", true), vec!["县财政局"]), "县发改局牵头，县财政局配合");
    assert_eq!(t.deadline, day(2031, 12, 31), "五年内 from 2027");
    assert_eq!(task(&b, "附件1二、（一）").deadline, day(2027, 12, 31), "下半年, not the review's 上半年");
    // 回顾总结经验 looks forward: kept.
    let t = task(&b, "附件1三、2.");
    assert_eq!((lead(t), co(t), t.long_term), (("县应急管理局", true), vec!["县市场监督管理局"], true));
    assert_eq!(task(&b, "附件1三、1.").deadline, day(2027, 12, 31));
    let t = task(&b, "附件1四、");
    let named: Vec<&str> = t.lead.iter().chain(&t.co_units).map(|s| s.unit.as_str()).collect();
    assert!(named.contains(&"县人力资源和社会保障局") && named.contains(&"县卫生健康局"), "人社局 and 卫健局 by their short names: {named:?}");
    // Left out, and said why.
    assert_eq!(b.left_out.iter().map(|l| (l.path.join(""), l.reason)).collect::<Vec<_>>(), [("一、".to_string(), "describes")]);
    assert!(!b.tasks.iter().any(|t| t.measures.contains("截至6月底") && t.deadline == day(2027, 6, 30)));
}

/// Full-width and other numbering, and every inline enumeration a paragraph may hold.
#[test]
fn full_width_numbering_and_inline_lists() {
    let src = include_str!("../../../tests/data/fullwidth-numbering.txt");
    let b = breakdown(src, &shipped_catalogue(), 2026, None);
    let heads: Vec<&str> = b.outline.nodes.iter().map(|n| n.label.as_str()).collect();
    assert_eq!(heads, ["一．", "二．", "三．", "四．"]);
    assert_eq!(b.outline.nodes[0].children.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(), ["１．", "２．"]);
    assert_eq!(b.outline.nodes[1].children.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(), ["（１）", "（２）"]);
    assert_eq!(b.outline.nodes[2].children.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(), ["１·", "２·"]);
    let inline: Vec<(&str, &str)> = b.outline.nodes[3].children.iter().map(|n| (n.label.as_str(), n.title.as_str())).collect();
    assert_eq!(
        inline,
        [
            ("一是", "压实属地责任，逐级签订责任书"),
            ("二是", "加强值班值守,严格执行24小时值班制度"),
            ("一要", "加强统筹协调"),
            ("二要", "加强督导检查"),
            ("三要", "加强宣传培训"),
            ("第一", "开展全覆盖检查"),
            ("第二", "建立问题清单"),
            ("第三", "实行销号管理"),
            ("其一", "明确整改时限"),
            ("其二", "落实整改资金"),
            ("首先", "全面排查"),
            ("其次", "分类处置"),
            ("最后", "总结提升"),
        ],
        "统一是 does not start 一是; `:` `;` `,` do not block; 最后 without 再次"
    );
    // The last point does not swallow the paragraph after it.
    let last = b.outline.nodes[3].children.last().map(|n| &src[n.start..n.end]).unwrap_or_default();
    assert!(!last.contains("施行"), "{last}");
    let t = task(&b, "二．（１）");
    assert_eq!((lead(t), co(t), t.deadline), (("县住房和城乡建设局", true), vec!["县市场监督管理局"], day(2026, 6, 30)));
    assert_eq!(lead(task(&b, "三．１·")), ("县水利局", true));
    assert_eq!(task(&b, "一．１．").deadline, day(2026, 4, 30));
}

/// A page copied from a county's website: furniture, byline and addressee are not the title;
/// the guiding thought is left out and said; an attendee list is no task's text; a 《》 title is
/// not cut at its comma.
#[test]
fn a_web_copy() {
    let src = include_str!("../../../tests/data/web-copy.txt");
    let b = breakdown(src, &shipped_catalogue(), 2026, None);
    assert_eq!(b.outline.title.as_deref(), Some("示范县关于进一步优化营商环境的若干措施"));
    assert_eq!(b.left_out.iter().map(|l| (l.title.as_str(), l.reason)).collect::<Vec<_>>(), [("指导思想", "describes")]);
    let t = task(&b, "二、（一）");
    assert_eq!((t.title.as_str(), lead(t), t.deadline), ("压缩企业开办时间", ("县市场监督管理局", true), day(2026, 3, 31)));
    let t = task(&b, "二、（二）");
    assert_eq!((t.title.as_str(), t.deadline), ("推行工程建设项目审批“一网通办”", day(2026, 6, 30)));
    assert!(b.tasks.iter().all(|t| !t.measures.contains("出席")), "{}", show(&b));
    assert_eq!(super::super::outline::cut("在《示范县优化营商环境条例实施细则（试行）》规定的时限内办结", 12), "在《示范县优化营商环境条例实施细则（试行）》");
    assert_eq!(super::super::outline::cut("压缩企业开办时间并落实《示范县优化营商环境条例实施细则（试行）》", 20), "压缩企业开办时间并落实");
}

/// A 办法 of articles: its basis and its closing article are not tasks; a point's lead unit
/// and deadline pass down to the numbered points under it; a heading and its body keep a stop.
#[test]
fn articles_basis_closing_and_what_passes_down() {
    let src = "示范县政府投资项目管理办法\n第一条 为规范政府投资项目管理，根据《政府投资条例》，结合本县实际，制定本办法。\n第二条 项目前期工作\n县发改局牵头，年底前完成以下工作：\n1.建立项目储备库\n2.完善前期经费保障机制。\n第三条 本办法自印发之日起施行。\n";
    let b = breakdown(src, &shipped_catalogue(), 2026, None);
    let reasons: Vec<(&str, &str)> = b.left_out.iter().map(|l| (l.path[0].as_str(), l.reason)).collect();
    assert_eq!(reasons, [("第一条", "basis"), ("第三条", "closing")]);
    assert_eq!(b.tasks.len(), 2);
    for t in &b.tasks {
        assert_eq!((lead(t), t.deadline), (("县发展和改革局", true), day(2026, 12, 31)), "{}", t.title);
    }
    assert_eq!(b.tasks[0].measures, "建立项目储备库");
    assert_eq!(super::super::outline::joined("项目前期工作\n县发改局牵头。"), "项目前期工作。县发改局牵头。");
}
