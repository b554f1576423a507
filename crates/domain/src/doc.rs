//! 文件分解 (document breakdown): the outline of a Chinese official text and draft tasks.
//!
//! It reads the nesting real documents use, in any combination: `第X章` and `第X条`, `一、`,
//! `（一）`, `1.` and `1、`, `(1)`, `①`, and the enumerations written inside one paragraph,
//! `一是……二是……`, `首先/其次/再次/最后`, `第一/第二`. Each node keeps its exact byte span in the
//! original text. Page numbers and running headers left over from PDF copies are skipped.
//! Pure: no IO.

use serde::Serialize;

/// One node of the outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// `chapter`, `article`, `cn` (一、), `paren_cn` （一）, `num` (1.), `paren_num` (1), `circled`
    /// ①, or `inline` (一是, 首先 …).
    pub kind: &'static str,
    /// The marker as written: `一、`, `（二）`, `三是`.
    pub label: String,
    /// The lead phrase: the text after the marker up to the first full stop or colon.
    pub title: String,
    /// Byte span of the whole node (its heading, text and children) in the original.
    pub start: usize,
    pub end: usize,
    pub children: Vec<Node>,
}

/// The outline of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outline {
    pub title: Option<String>,
    /// Byte span of the preamble (text before the first marker, after the title).
    pub preamble: Option<(usize, usize)>,
    pub nodes: Vec<Node>,
}

const CN_DIGITS: &str = "一二三四五六七八九十百零〇两";

fn is_cn_num(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| CN_DIGITS.contains(c))
}

/// Recognise a marker at the start of `line` (already left-trimmed): its kind and byte length.
fn marker(line: &str) -> Option<(&'static str, usize)> {
    let mut chars = line.char_indices();
    let (_, first) = chars.next()?;
    // 第X章 / 第X条 / 第X节
    if first == '第' {
        let rest = &line['第'.len_utf8()..];
        let n: String = rest.chars().take_while(|c| CN_DIGITS.contains(*c) || c.is_ascii_digit()).collect();
        if !n.is_empty() {
            let after = &rest[n.len()..];
            for (ch, kind) in [('章', "chapter"), ('节', "section"), ('条', "article")] {
                if after.starts_with(ch) {
                    return Some((kind, '第'.len_utf8() + n.len() + ch.len_utf8()));
                }
            }
        }
    }
    // 一、
    let n: String = line.chars().take_while(|c| CN_DIGITS.contains(*c)).collect();
    if is_cn_num(&n) && n.chars().count() <= 3 {
        let after = &line[n.len()..];
        if after.starts_with('、') {
            return Some(("cn", n.len() + '、'.len_utf8()));
        }
    }
    // （一） (一) （1） (1)
    if first == '（' || first == '(' {
        let open = first.len_utf8();
        let inner: String = line[open..].chars().take_while(|c| CN_DIGITS.contains(*c) || c.is_ascii_digit()).collect();
        let after = &line[open + inner.len()..];
        if !inner.is_empty() && inner.chars().count() <= 3 {
            for close in ['）', ')'] {
                if after.starts_with(close) {
                    let kind = if is_cn_num(&inner) { "paren_cn" } else { "paren_num" };
                    return Some((kind, open + inner.len() + close.len_utf8()));
                }
            }
        }
    }
    // 1. 1、 1． (not 1.5亿: the next character must not be a digit)
    let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() && digits.len() <= 3 {
        let after = &line[digits.len()..];
        for sep in ['.', '、', '．'] {
            if let Some(rest) = after.strip_prefix(sep) {
                if !rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return Some(("num", digits.len() + sep.len_utf8()));
                }
            }
        }
    }
    // ① … ⑳
    if ('\u{2460}'..='\u{2473}').contains(&first) {
        return Some(("circled", first.len_utf8()));
    }
    None
}

/// A line that is only a page number or a running header (`- 3 -`, `第 3 页`, `— 12 —`).
fn is_page_noise(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return false;
    }
    let core = t.trim_matches(|c| matches!(c, '-' | '—' | '－' | '–'));
    (core.chars().all(|c| c.is_ascii_digit()) && !core.is_empty() && core.len() <= 4)
        || (core.starts_with('第') && core.ends_with('页') && core.chars().count() <= 8)
        || core.chars().all(|c| c.is_ascii_digit() || c == '/')
}

/// The red letterhead of an official document (`示范县人民政府文件`) or its number line
/// (`示政发〔2026〕3号`): printed above the title, part of neither title nor text.
fn is_letterhead(line: &str) -> bool {
    let n = line.chars().count();
    (line.ends_with("文件") && n <= 24 && !line.contains('，'))
        || ((line.contains('〔') || line.contains('[') || line.contains('［')) && line.ends_with('号') && n <= 30)
}

/// A line this long with no stop at its end was probably wrapped by a PDF copy.
const WRAP_CHARS: usize = 22;

/// Titles of parts that describe rather than assign (a review of last year, the guiding
/// thought, the targets, the scope): not made into tasks.
const NOT_ACTIONABLE: [&str; 14] =
    ["回顾", "工作总结", "指导思想", "总体要求", "总体思路", "工作目标", "主要目标", "基本原则", "适用范围", "适用于", "制定本", "认识", "附则", "编制依据"];

/// Whether a heading names work to do.
pub fn is_actionable(title: &str) -> bool {
    !NOT_ACTIONABLE.iter().any(|w| title.contains(w))
}

/// The text of a point as one paragraph: lines joined (Chinese needs no space where a line was
/// wrapped), page numbers dropped.
pub fn joined(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if t.is_empty() || is_page_noise(t) {
            continue;
        }
        if out.ends_with(|c: char| c.is_ascii_alphanumeric()) && t.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

/// The lead phrase of a text: up to the first 。；：！？ (or 40 characters).
fn lead_phrase(text: &str) -> String {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '，' || c == ',');
    let end = t.find(['。', '；', '：', '！', '？', ';', ':', '\n']).unwrap_or(t.len());
    let mut phrase = t[..end].trim();
    // A long sentence is titled by its first clause (要全面排查隐患，5月底前完成……).
    if phrase.chars().count() > 20 {
        if let Some(i) = phrase.find(['，', ',']) {
            if phrase[..i].chars().count() >= 4 {
                phrase = &phrase[..i];
            }
        }
    }
    phrase.chars().take(40).collect()
}

const INLINE_ORDINALS: [&str; 10] = ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是"];
const INLINE_SEQUENCE: [&str; 4] = ["首先", "其次", "再次", "最后"];
const INLINE_FIRST: [&str; 10] = ["第一，", "第二，", "第三，", "第四，", "第五，", "第六，", "第七，", "第八，", "第九，", "第十，"];

/// Split `text` (at byte `base` in the original) at an inline enumeration, if it has at least two
/// members in order; each member runs to the next.
/// A member may itself hold an enumeration of another family (第二，……首先……其次……).
fn inline_nodes(text: &str, base: usize, skip: usize) -> Vec<Node> {
    for (fi, family) in [&INLINE_ORDINALS[..], &INLINE_FIRST[..], &INLINE_SEQUENCE[..]].into_iter().enumerate() {
        if fi == skip || (skip != usize::MAX && fi < skip) {
            continue;
        }
        let mut found: Vec<(usize, &str)> = Vec::new();
        let mut from = 0;
        for m in family {
            match text[from..].find(m) {
                Some(i) => {
                    // A member starts a clause: at the start, or after punctuation or a space.
                    let at = from + i;
                    let before = text[..at].chars().next_back();
                    if at == 0 || before.is_some_and(|c| "。；！？，：\n \u{3000}".contains(c)) {
                        found.push((at, m));
                        from = at + m.len();
                    } else {
                        break;
                    }
                }
                None => break,
            }
        }
        if found.len() >= 2 {
            let mut out = Vec::new();
            for (k, (at, m)) in found.iter().enumerate() {
                let end = found.get(k + 1).map(|n| n.0).unwrap_or(text.len());
                let body = &text[at + m.len()..end];
                out.push(Node {
                    kind: "inline",
                    label: (*m).trim_end_matches('，').to_string(),
                    title: lead_phrase(body),
                    start: base + at,
                    end: base + end,
                    children: inline_nodes(body, base + at + m.len(), fi),
                });
            }
            return out;
        }
    }
    Vec::new()
}

/// A heading line being assembled, with its kind and the text that follows it.
struct Open {
    kind: &'static str,
    label: String,
    title: String,
    start: usize,
    /// Byte range of its own text (heading line and paragraphs up to the next marker).
    text_start: usize,
    text_end: usize,
    /// The heading line ran on without a stop: its title may continue on the next line.
    wrapped: bool,
    children: Vec<Node>,
}

fn close(o: Open, src: &str) -> Node {
    let mut children = o.children;
    let end = children.last().map(|c| c.end).unwrap_or(o.text_end).max(o.text_end);
    if children.is_empty() {
        children = inline_nodes(&src[o.text_start..o.text_end], o.text_start, usize::MAX);
    }
    let title = if o.wrapped { lead_phrase(&joined(&src[o.text_start..o.text_end])) } else { o.title };
    Node { kind: o.kind, label: o.label, title, start: o.start, end, children }
}

/// Parse a document into its outline.
pub fn outline(src: &str) -> Outline {
    let mut title: Option<String> = None;
    let mut preamble: Option<(usize, usize)> = None;
    // Marker kinds in the order first seen: a kind's depth in the tree.
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut roots: Vec<Node> = Vec::new();
    let mut offset = 0;
    for raw in src.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        let lead = line.len() - trimmed.len();
        if trimmed.trim().is_empty() || is_page_noise(trimmed) {
            continue;
        }
        if title.is_none() && stack.is_empty() && roots.is_empty() && preamble.is_none() && marker(trimmed).is_none() {
            let t = trimmed.trim();
            if is_letterhead(t) {
                continue;
            }
            if t.chars().count() <= 60 && !t.ends_with('。') {
                title = Some(t.to_string());
                continue;
            }
        }
        match marker(trimmed) {
            Some((kind, len)) => {
                let depth = match kinds.iter().position(|k| *k == kind) {
                    Some(d) => d,
                    None => {
                        // A new kind nests under the deepest open one.
                        kinds.truncate(stack.len());
                        kinds.push(kind);
                        kinds.len() - 1
                    }
                };
                while stack.len() > depth {
                    if let Some(o) = stack.pop() {
                        let node = close(o, src);
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(node),
                            None => roots.push(node),
                        }
                    }
                }
                kinds.truncate(depth + 1);
                let start = line_start + lead;
                let text_start = start + len;
                let rest = trimmed[len..].trim_end();
                let wrapped = rest.chars().count() + len >= WRAP_CHARS && !rest.contains(['。', '；', '：', '！', '？', ';', ':']);
                stack.push(Open {
                    kind,
                    label: trimmed[..len].to_string(),
                    title: lead_phrase(rest),
                    start,
                    text_start,
                    text_end: line_start + line.len(),
                    wrapped,
                    children: Vec::new(),
                });
            }
            None => match stack.last_mut() {
                // A paragraph belongs to the innermost open heading.
                Some(o) => o.text_end = line_start + line.len(),
                None => {
                    let s = line_start + lead;
                    preamble = Some((preamble.map(|p| p.0).unwrap_or(s), line_start + line.len()));
                }
            },
        }
    }
    while let Some(o) = stack.pop() {
        let node = close(o, src);
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => roots.push(node),
        }
    }
    // A document of paragraphs only: its inline enumeration, if any, is the outline.
    if roots.is_empty() {
        if let Some((s, e)) = preamble {
            roots = inline_nodes(&src[s..e], s, usize::MAX);
        }
    }
    Outline { title, preamble, nodes: roots }
}

/// The leaves of an outline: the actionable points that become draft tasks, with their path of
/// labels (`二、` › `一是`).
pub fn leaves(o: &Outline) -> Vec<(Vec<String>, &Node)> {
    fn walk<'a>(n: &'a Node, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, &'a Node)>) {
        if !is_actionable(&n.title) {
            return;
        }
        path.push(n.label.clone());
        if n.children.is_empty() {
            out.push((path.clone(), n));
        }
        for c in &n.children {
            walk(c, path, out);
        }
        path.pop();
    }
    let mut out = Vec::new();
    for n in &o.nodes {
        walk(n, &mut Vec::new(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEECH: &str = include_str!("../tests/data/county-speech.txt");

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
        assert_eq!(leaves(&o).len(), 12);
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
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn assert_spans(nodes: &[Node], len: usize, lo: usize, hi: usize, src: &str) {
        let mut last = lo;
        for n in nodes {
            assert!(n.start >= last && n.start <= n.end && n.end <= hi && n.end <= len);
            assert!(src.is_char_boundary(n.start) && src.is_char_boundary(n.end));
            assert_spans(&n.children, len, n.start, n.end, src);
            last = n.end;
        }
    }

    proptest! {
        /// Any text: an outline whose spans lie inside the text on character boundaries, nest, and
        /// do not overlap; never a panic.
        #[test]
        fn any_text(src in "\\PC{0,300}") {
            let o = outline(&src);
            assert_spans(&o.nodes, src.len(), 0, src.len(), &src);
        }

        #[test]
        fn marker_soup(parts in proptest::collection::vec("(一、|（二）|第三章|第4条|1\\.|2、|\\(3\\)|①|一是|二是|首先|其次|最后|\\n|- 2 -|。|，|[\\u4e00-\\u9fa5]{0,5})", 0..60)) {
            let src: String = parts.concat();
            let o = outline(&src);
            assert_spans(&o.nodes, src.len(), 0, src.len(), &src);
        }
    }
}

/// One unit's duties, as the county's 权责清单 lists them: keywords that point to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct Responsibility {
    pub unit: String,
    pub keywords: Vec<String>,
}

/// The demo county's catalogue, shipped as data (a county edits its own).
pub fn shipped_catalogue() -> Vec<Responsibility> {
    serde_json::from_str(include_str!("../data/responsibilities.json")).unwrap_or_default()
}

/// Keywords as a county types them: one per line or separated by 、，,；; trimmed, deduplicated,
/// each at most 20 characters, at most 200 per unit.
pub fn parse_keywords(text: &str) -> Result<Vec<String>, crate::DomainError> {
    let mut out: Vec<String> = Vec::new();
    for k in text.split(['\n', '\r', '、', '，', ',', '；', ';']).map(str::trim).filter(|k| !k.is_empty()) {
        if k.chars().count() > 20 {
            return Err(crate::DomainError::field(crate::ErrorCode::TooLong, "keywords").with_detail(k.to_string()));
        }
        if !out.iter().any(|x| x == k) {
            out.push(k.to_string());
        }
    }
    if out.len() > 200 {
        return Err(crate::DomainError::field(crate::ErrorCode::TooLong, "keywords").with_detail("200"));
    }
    Ok(out)
}

/// A suggested unit, how sure, and the words that decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub unit: String,
    pub confidence: f64,
    pub words: Vec<String>,
}

/// A draft task (任务分解表 row) made from a leaf of the outline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftTask {
    /// The labels from the root: `二、` › `一是`.
    pub path: Vec<String>,
    pub title: String,
    /// The point's own text (具体措施).
    pub measures: String,
    pub start: usize,
    pub end: usize,
    /// The deadline phrase found in the text, and its date for the given year.
    pub deadline_hint: Option<String>,
    pub deadline: Option<chrono::NaiveDate>,
    pub long_term: bool,
    pub lead: Option<Suggestion>,
    pub co_units: Vec<Suggestion>,
}

/// Deadline phrases in a text: the first that parses wins.
fn deadline_hint(text: &str, year: i32) -> Option<(String, Option<chrono::NaiveDate>, bool)> {
    for fixed in ["长期坚持", "长期", "持续推进"] {
        if text.contains(fixed) {
            return Some((fixed.to_string(), crate::deadline::parse_deadline("长期坚持", year).map(|d| d.0), true));
        }
    }
    for fixed in ["年底前", "年内", "上半年", "下半年"] {
        if text.contains(fixed) {
            return Some((fixed.to_string(), crate::deadline::parse_deadline(fixed, year).map(|d| d.0), false));
        }
    }
    // 一季度 / 三季度 / 第二季度, 6月底前 / 十月底
    for (suffix, back) in [("季度", 2usize), ("月底前", 2), ("月底", 2)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(suffix) {
            let at = from + i;
            let head: String = text[..at].chars().rev().take(back).collect::<Vec<_>>().into_iter().rev().collect();
            let num: String = head.chars().rev().take_while(|c| c.is_ascii_digit() || CN_DIGITS.contains(*c)).collect::<Vec<_>>().into_iter().rev().collect();
            if !num.is_empty() {
                let phrase = format!("{num}{suffix}");
                if let Some((d, t)) = crate::deadline::parse_deadline(&phrase, year) {
                    return Some((phrase, Some(d), t == crate::tasks::Term::LongTerm));
                }
            }
            from = at + suffix.len();
        }
    }
    text.contains("百日攻坚").then(|| ("百日攻坚".to_string(), None, false))
}

/// The catalogue indexed by the first two characters of every keyword (and of every unit's
/// name without 县), built once per document: a point's text is then read pair by pair and only
/// the keywords starting with a pair it holds are looked at. Most Chinese keywords are two
/// characters long, so for them the pair is the whole test.
/// (unit, keyword's place in the unit's list or [`NAME`] for the unit's name, keyword).
type Entry<'a> = (usize, usize, &'a str);

struct KeywordIndex<'a> {
    /// First pair → the keywords starting with it.
    by_pair: std::collections::HashMap<(char, char), Vec<Entry<'a>>>,
    /// One-character keywords.
    singles: Vec<(char, usize, usize)>,
}

const NAME: usize = usize::MAX;

impl<'a> KeywordIndex<'a> {
    fn new(catalogue: &'a [Responsibility]) -> Self {
        let mut by_pair: std::collections::HashMap<(char, char), Vec<Entry<'a>>> = std::collections::HashMap::new();
        let mut singles = Vec::new();
        for (u, r) in catalogue.iter().enumerate() {
            let short = r.unit.strip_prefix('县').unwrap_or(&r.unit);
            let name = (short.chars().count() >= 3).then_some((NAME, short));
            for (k, kw) in r.keywords.iter().map(String::as_str).enumerate().chain(name) {
                let mut it = kw.chars();
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => by_pair.entry((a, b)).or_default().push((u, k, kw)),
                    (Some(a), None) => singles.push((a, u, k)),
                    _ => {}
                }
            }
        }
        KeywordIndex { by_pair, singles }
    }
}

/// Score units by the keywords their duties share with the text (the title counts three times;
/// the unit's own name five).
fn suggest(title: &str, text: &str, catalogue: &[Responsibility], index: &KeywordIndex<'_>) -> Vec<Suggestion> {
    let chars: Vec<char> = text.chars().collect();
    let mut pairs: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    // (unit, keyword place) found, each once.
    let mut found: Vec<(usize, usize)> = Vec::new();
    for p in &pairs {
        for &(u, k, kw) in index.by_pair.get(p).map(Vec::as_slice).unwrap_or_default() {
            if kw.chars().count() == 2 || text.contains(kw) {
                found.push((u, k));
            }
        }
    }
    for &(c, u, k) in &index.singles {
        if chars.contains(&c) {
            found.push((u, k));
        }
    }
    found.sort_unstable();
    found.dedup();
    let mut scored: Vec<(f64, Suggestion)> = Vec::new();
    for group in found.chunk_by(|a, b| a.0 == b.0) {
        let r = &catalogue[group[0].0];
        let mut words = Vec::with_capacity(group.len());
        let mut score = 0.0;
        for &(_, k) in group {
            if k == NAME {
                // The text naming the unit itself (县农业农村局牵头抓总) outweighs any keyword.
                score += 5.0;
                words.insert(0, r.unit.clone());
            } else if let Some(w) = r.keywords.get(k) {
                score += if title.contains(w.as_str()) { 3.0 } else { 1.0 };
                words.push(w.clone());
            }
        }
        scored.push((score, Suggestion { unit: r.unit.clone(), confidence: 0.0, words }));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.unit.cmp(&b.1.unit)));
    let total: f64 = scored.iter().map(|s| s.0).sum();
    scored
        .into_iter()
        .map(|(s, mut sug)| {
            sug.confidence = (s / total * 100.0).round() / 100.0;
            sug
        })
        .collect()
}

/// The units a catalogue suggests for one text (an appeal, say), best first: the scoring of
/// draft tasks, without a title.
pub fn suggest_units(text: &str, catalogue: &[Responsibility]) -> Vec<Suggestion> {
    suggest("", text, catalogue, &KeywordIndex::new(catalogue))
}

/// Draft tasks from the leaves of a document's outline.
pub fn draft_tasks(src: &str, o: &Outline, catalogue: &[Responsibility], year: i32) -> Vec<DraftTask> {
    let index = KeywordIndex::new(catalogue);
    leaves(o)
        .into_iter()
        .map(|(path, n)| {
            let text = src[n.start..n.end].trim();
            let body = joined(text.strip_prefix(n.label.as_str()).unwrap_or(text));
            let hint = deadline_hint(text, year);
            let mut s = suggest(&n.title, text, catalogue, &index);
            let lead = (!s.is_empty()).then(|| s.remove(0));
            s.truncate(3);
            DraftTask {
                path,
                title: if n.title.is_empty() { body.chars().take(40).collect() } else { n.title.clone() },
                measures: body,
                start: n.start,
                end: n.end,
                deadline_hint: hint.as_ref().map(|h| h.0.clone()),
                deadline: hint.as_ref().and_then(|h| h.1),
                long_term: hint.as_ref().is_some_and(|h| h.2),
                lead,
                co_units: s,
            }
        })
        .collect()
}

#[cfg(test)]
mod draft_tests {
    use super::*;

    fn drafted(src: &str) -> (Outline, Vec<DraftTask>) {
        let o = outline(src);
        let t = draft_tasks(src, &o, &shipped_catalogue(), 2026);
        (o, t)
    }

    fn lead_of<'a>(tasks: &'a [DraftTask], title: &str) -> &'a str {
        tasks.iter().find(|t| t.title == title).and_then(|t| t.lead.as_ref()).map(|l| l.unit.as_str()).unwrap_or("")
    }

    /// A government work report copied out of a PDF: letterhead and document number above the
    /// title, （一） inside 一、, numbered points, lines wrapped mid-sentence, a page number.
    #[test]
    fn a_work_report_from_a_pdf_copy() {
        let src = include_str!("../tests/data/work-report.txt");
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
        let src = include_str!("../tests/data/implementation-plan.txt");
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
        let src = include_str!("../tests/data/speech-inline.txt");
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
        let src = include_str!("../tests/data/county-speech.txt");
        let tasks = draft_tasks(src, &outline(src), &shipped_catalogue(), 2026);
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
        assert_eq!(deadline_hint("确保年底前全面完成。", 2026).unwrap().1, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(deadline_hint("力争三季度开工", 2026).unwrap().1, chrono::NaiveDate::from_ymd_opt(2026, 9, 30));
        assert_eq!(deadline_hint("6月底前完成方案", 2026).unwrap().1, chrono::NaiveDate::from_ymd_opt(2026, 6, 30));
        assert!(deadline_hint("长期坚持，久久为功", 2026).unwrap().2);
        assert!(deadline_hint("加强领导", 2026).is_none());
    }
}
