//! Which points of an outline are work to do: the leaves, each with the own text of the points
//! above it (a parent's lead unit and deadline pass down), and what was left out and why, so the
//! clerk can take it back. A section that holds numbered points is never left out whole.

use super::outline::{joined, Node, Outline};
use serde::Serialize;

/// A point that becomes a draft task.
#[derive(Debug, Clone)]
pub struct Point<'a> {
    /// The labels from the root: `二、` › `一是`.
    pub path: Vec<String>,
    pub node: &'a Node,
    /// The own text (before their first child) of the points above, nearest first.
    pub above: Vec<(usize, usize)>,
}

/// A part of the document not made into a task, and why (`describes`, `review`, `basis`,
/// `closing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub path: Vec<String>,
    pub title: String,
    pub reason: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Titles of parts that describe rather than assign (the guiding thought, the targets, the
/// scope): the whole title, not a word inside one (总体要求和重点任务 assigns).
const DESCRIBES: [&str; 14] = [
    "指导思想",
    "总体要求",
    "总体思路",
    "工作目标",
    "主要目标",
    "目标任务",
    "基本原则",
    "工作原则",
    "适用范围",
    "编制依据",
    "总则",
    "附则",
    "背景",
    "重要意义",
];

/// Why a point is not work to do, if it is not: by its title, then by its text.
pub fn not_work(title: &str, text: &str) -> Option<&'static str> {
    let t = title.trim_end_matches(['。', '：', ':', '；']).trim();
    let bare = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '年');
    // 清醒认识当前形势, 充分认识重要意义: understanding, not work (a section of that name with
    // numbered measures under it is walked all the same).
    if DESCRIBES.iter().any(|w| t == *w || bare == *w) || t.contains("认识") || t.ends_with("意义") {
        return Some("describes");
    }
    // 2025年工作回顾, 工作总结: the past (回顾总结经验 looks forward and stays).
    if t.ends_with("回顾") || t.ends_with("工作总结") || t.starts_with("过去一年") {
        return Some("review");
    }
    // The text is joined only when it may be a basis or a closing article.
    if !text.contains(['制', '施', '解']) {
        return None;
    }
    let body = joined(text);
    if (body.contains("制定本") || body.contains("特制定"))
        && (body.contains("根据") || body.starts_with('为') || body.contains("为了"))
        && body.chars().count() < 200
    {
        return Some("basis");
    }
    if ["自印发之日起施行", "自发布之日起施行", "起施行", "负责解释", "解释权"].iter().any(|w| body.contains(w)) && body.chars().count() < 120
    {
        return Some("closing");
    }
    None
}

/// The points of an outline that become tasks, and those left out.
pub fn points<'a>(src: &str, o: &'a Outline) -> (Vec<Point<'a>>, Vec<LeftOut>) {
    struct Walk<'a, 's> {
        src: &'s str,
        out: Vec<Point<'a>>,
        left: Vec<LeftOut>,
    }
    fn walk<'a>(w: &mut Walk<'a, '_>, n: &'a Node, path: &mut Vec<String>, above: &mut Vec<(usize, usize)>) {
        let numbered = n.children.iter().any(|c| c.kind != "inline");
        path.push(n.label.clone());
        let own_end = n.children.first().map(|c| c.start).unwrap_or(n.end);
        if !numbered {
            if let Some(reason) = not_work(&n.title, &w.src[n.start..own_end.max(n.start)]) {
                w.left.push(LeftOut { path: path.clone(), title: n.title.clone(), reason, start: n.start, end: n.end });
                path.pop();
                return;
            }
        }
        if n.children.is_empty() {
            w.out.push(Point { path: path.clone(), node: n, above: above.iter().rev().copied().collect() });
        } else {
            above.push((n.start, own_end));
            for c in &n.children {
                walk(w, c, path, above);
            }
            above.pop();
        }
        path.pop();
    }
    let mut w = Walk { src, out: Vec::new(), left: Vec::new() };
    for n in &o.nodes {
        walk(&mut w, n, &mut Vec::new(), &mut Vec::new());
    }
    (w.out, w.left)
}

/// The leaves of an outline that become draft tasks, with their path of labels.
pub fn leaves<'a>(src: &str, o: &'a Outline) -> Vec<(Vec<String>, &'a Node)> {
    points(src, o).0.into_iter().map(|p| (p.path, p.node)).collect()
}
