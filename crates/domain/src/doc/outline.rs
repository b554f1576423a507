//! The outline: markers, spans, inline enumerations.

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

pub(super) const CN_DIGITS: &str = "一二三四五六七八九十百零〇两";

pub(super) fn is_cn_num(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| CN_DIGITS.contains(c))
}

/// Recognise a marker at the start of `line` (already left-trimmed): its kind and byte length.
pub(super) fn marker(line: &str) -> Option<(&'static str, usize)> {
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
pub(super) fn is_page_noise(line: &str) -> bool {
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
pub(super) fn is_letterhead(line: &str) -> bool {
    let n = line.chars().count();
    (line.ends_with("文件") && n <= 24 && !line.contains('，'))
        || ((line.contains('〔') || line.contains('[') || line.contains('［')) && line.ends_with('号') && n <= 30)
}

/// A line this long with no stop at its end was probably wrapped by a PDF copy.
pub(super) const WRAP_CHARS: usize = 22;

/// Titles of parts that describe rather than assign (a review of last year, the guiding
/// thought, the targets, the scope): not made into tasks.
pub(super) const NOT_ACTIONABLE: [&str; 14] =
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
pub(super) fn lead_phrase(text: &str) -> String {
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

pub(super) const INLINE_ORDINALS: [&str; 10] = ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是"];
pub(super) const INLINE_SEQUENCE: [&str; 4] = ["首先", "其次", "再次", "最后"];
pub(super) const INLINE_FIRST: [&str; 10] = ["第一，", "第二，", "第三，", "第四，", "第五，", "第六，", "第七，", "第八，", "第九，", "第十，"];

/// Split `text` (at byte `base` in the original) at an inline enumeration, if it has at least two
/// members in order; each member runs to the next.
/// A member may itself hold an enumeration of another family (第二，……首先……其次……).
pub(super) fn inline_nodes(text: &str, base: usize, skip: usize) -> Vec<Node> {
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
pub(super) struct Open {
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

pub(super) fn close(o: Open, src: &str) -> Node {
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
mod fuzz;
#[cfg(test)]
mod tests;
