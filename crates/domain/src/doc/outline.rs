//! The outline: markers, spans, inline enumerations.

use super::inline::inline_nodes;
use super::lines;
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
    /// The date under the signature, if the document has one.
    pub date: Option<chrono::NaiveDate>,
    pub nodes: Vec<Node>,
}

pub(super) const CN_DIGITS: &str = "一二三四五六七八九十百零〇两";

pub(super) fn is_cn_num(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| CN_DIGITS.contains(c))
}

/// A run of digits at the start, ASCII or full-width (１２): its character count and byte length.
fn digit_run(s: &str) -> (usize, usize) {
    let mut n = (0, 0);
    for c in s.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            n = (n.0 + 1, n.1 + c.len_utf8());
        } else {
            break;
        }
    }
    n
}

fn starts_with_digit(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// Recognise a marker at the start of `line` (already left-trimmed): its kind and byte length.
pub(super) fn marker(line: &str) -> Option<(&'static str, usize)> {
    let mut chars = line.char_indices();
    let (_, first) = chars.next()?;
    // 第X章 / 第X条 / 第X节
    if first == '第' {
        let rest = &line['第'.len_utf8()..];
        let n: String = rest.chars().take_while(|c| CN_DIGITS.contains(*c) || c.is_ascii_digit() || ('０'..='９').contains(c)).collect();
        if !n.is_empty() {
            let after = &rest[n.len()..];
            for (ch, kind) in [('章', "chapter"), ('节', "section"), ('条', "article")] {
                if after.starts_with(ch) {
                    return Some((kind, '第'.len_utf8() + n.len() + ch.len_utf8()));
                }
            }
        }
    }
    // 一、 一． 一.
    let n: String = line.chars().take_while(|c| CN_DIGITS.contains(*c)).collect();
    if is_cn_num(&n) && n.chars().count() <= 3 {
        let after = &line[n.len()..];
        for sep in ['、', '．', '.'] {
            if let Some(rest) = after.strip_prefix(sep) {
                if sep == '、' || !starts_with_digit(rest) {
                    return Some(("cn", n.len() + sep.len_utf8()));
                }
            }
        }
    }
    // （一） (一) （1） (1)
    if first == '（' || first == '(' {
        let open = first.len_utf8();
        let inner: String = line[open..].chars().take_while(|c| CN_DIGITS.contains(*c) || c.is_ascii_digit() || ('０'..='９').contains(c)).collect();
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
    // 1. 1、 1． １． 1· (not 1.5亿: the next character must not be a digit)
    let (count, len) = digit_run(line);
    if count > 0 && count <= 3 {
        let after = &line[len..];
        for sep in ['.', '、', '．', '·', '・', '｡'] {
            if let Some(rest) = after.strip_prefix(sep) {
                if !starts_with_digit(rest) {
                    return Some(("num", len + sep.len_utf8()));
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
    // Page furniture is short: a paragraph is read no further.
    if line.len() > 48 {
        return false;
    }
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

/// The text of a point as one paragraph: lines joined (Chinese needs no space where a line was
/// wrapped), page numbers dropped.
pub fn joined(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The last line was short and ran on without a stop: a heading, not a line a PDF wrapped.
    let mut heading = false;
    for line in text.lines() {
        let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if t.is_empty() || is_page_noise(t) || lines::is_attendance(t) {
            continue;
        }
        if heading {
            out.push('。');
        } else if out.ends_with(|c: char| c.is_ascii_alphanumeric()) && t.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            out.push(' ');
        }
        out.push_str(t);
        heading = t.chars().count() < WRAP_CHARS - 4 && !t.ends_with(|c: char| "。；：！？，、;:!?,）)》”".contains(c));
    }
    out
}

/// The lead phrase of a text: up to the first 。；：！？ (or 40 characters).
pub(super) fn lead_phrase(text: &str) -> String {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '，' || c == ',');
    let end = t.find(['。', '；', '：', '！', '？', ';', ':', '\n']).unwrap_or(t.len());
    let mut phrase = t[..end].trim();
    // A long sentence is titled by its first clause (要全面排查隐患，5月底前完成……), never a
    // fragment and never a comma inside a 《》 title.
    if phrase.chars().count() > 20 {
        if let Some(i) = outside_titles(phrase).find(|&(_, c)| c == '，' || c == ',').map(|(i, _)| i) {
            if phrase[..i].chars().count() >= 6 {
                phrase = &phrase[..i];
            }
        }
    }
    cut(phrase, 40).trim_end_matches(['，', ',', '、', '；', ';']).to_string()
}

/// The characters of a text outside 《》 titles, with their byte offsets.
fn outside_titles(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut depth = 0usize;
    s.char_indices().filter(move |&(_, c)| {
        match c {
            '《' => depth += 1,
            '》' => depth = depth.saturating_sub(1),
            _ => return depth == 0,
        }
        false
    })
}

/// At most `n` characters, not ending inside a 《》 title (cut before it, or after it when the
/// text before is too short to stand alone).
pub(super) fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let head: String = s.chars().take(n).collect();
    match (head.rfind('《'), head.rfind('》')) {
        (Some(open), close) if close.is_none_or(|c| c < open) => {
            if head[..open].chars().count() >= 6 {
                head[..open].trim_end_matches(['，', ',', '在', '按']).to_string()
            } else {
                s.find('》').map(|e| s[..e + '》'.len_utf8()].to_string()).unwrap_or(head)
            }
        }
        _ => head,
    }
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

/// Close every open heading into the tree.
fn flush(stack: &mut Vec<Open>, roots: &mut Vec<Node>, src: &str) {
    while let Some(o) = stack.pop() {
        let node = close(o, src);
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => roots.push(node),
        }
    }
}

/// An attached document: its label (附件1), where it starts, its title, its first root.
struct Part {
    label: String,
    start: usize,
    title: Option<String>,
    first: usize,
}

/// Parse a document into its outline. A cover notice's attachments (附件1 …) become parts of
/// their own (`kind` `part`), each with its outline; the cover's list of them is no point.
pub fn outline(src: &str) -> Outline {
    let mut title: Option<String> = None;
    let mut preamble: Option<(usize, usize)> = None;
    let mut date = None;
    // Marker kinds in the order first seen: a kind's depth in the tree.
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut roots: Vec<Node> = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    let (mut in_list, mut part_title) = (false, false);
    let mut offset = 0;
    for raw in src.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        let lead = line.len() - trimmed.len();
        let t = trimmed.trim();
        if t.is_empty() || is_page_noise(trimmed) || lines::is_furniture(t) || lines::is_byline(t) || lines::is_attendance(t) {
            continue;
        }
        if let Some(d) = lines::date_line(t) {
            date = date.or(Some(d));
            continue;
        }
        if lines::is_attachment_list(t) {
            flush(&mut stack, &mut roots, src);
            in_list = true;
            continue;
        }
        if in_list && marker(trimmed).is_some_and(|m| m.0 == "num") {
            continue;
        }
        in_list = false;
        if let Some(label) = lines::attachment_start(t) {
            flush(&mut stack, &mut roots, src);
            kinds.clear();
            parts.push(Part { label, start: line_start + lead, title: None, first: roots.len() });
            part_title = true;
            continue;
        }
        if part_title && stack.is_empty() && marker(trimmed).is_none() && !is_letterhead(t) {
            part_title = false;
            if let Some(p) = parts.last_mut().filter(|_| t.chars().count() <= 60 && !t.ends_with('。')) {
                p.title = Some(t.to_string());
                continue;
            }
        }
        if title.is_none() && stack.is_empty() && roots.is_empty() && preamble.is_none() && parts.is_empty() && marker(trimmed).is_none() {
            if is_letterhead(t) {
                continue;
            }
            if t.chars().count() <= 60 && !t.ends_with('。') && !lines::is_addressee(t) {
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
                // Before the first point, the preamble (an attachment's own lead-in is its part's).
                None if roots.is_empty() && parts.is_empty() => {
                    let s = line_start + lead;
                    preamble = Some((preamble.map(|p| p.0).unwrap_or(s), line_start + line.len()));
                }
                None => {}
            },
        }
    }
    flush(&mut stack, &mut roots, src);
    let mut attached = Vec::new();
    for p in parts.into_iter().rev() {
        let children = roots.split_off(p.first.min(roots.len()));
        let end = children.last().map(|c| c.end).unwrap_or(p.start).max(p.start);
        attached.push(Node { kind: "part", label: p.label, title: p.title.unwrap_or_default(), start: p.start, end, children });
    }
    attached.reverse();
    // A document of paragraphs only: its inline enumeration, if any, is the outline.
    if roots.is_empty() && attached.is_empty() {
        if let Some((s, e)) = preamble {
            roots = inline_nodes(&src[s..e], s, usize::MAX);
        }
    }
    roots.extend(attached);
    let date = date.and_then(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d));
    Outline { title, preamble, date, nodes: roots }
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
