//! The text of a .docx as a reader sees it: each paragraph a line, Word's automatic numbering
//! (list styles) written out as the numbers shown (`一、`, `（一）`, `1.`), and each table row a
//! line — a 任务分解表 attached as a table becomes one numbered task per row, its columns
//! mapped by their headers (序号, 工作任务, 具体措施, 牵头单位, 责任单位, 配合单位, 完成时限).

use super::{bad, MAX_DOCUMENT};
use luoshi_domain::DomainError;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::Read;

fn part(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str) -> Result<Option<String>, DomainError> {
    let Ok(f) = zip.by_name(name) else { return Ok(None) };
    let mut xml = String::new();
    f.take(MAX_DOCUMENT as u64 * 4).read_to_string(&mut xml).map_err(|_| bad("the .docx cannot be read"))?;
    Ok(Some(xml))
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// One level of a list: its number format, its text (`%1、`), where it starts.
#[derive(Debug, Clone, Default)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

/// numbering.xml: numId → its abstract list's levels; styles.xml: a paragraph style's list.
#[derive(Debug, Default)]
struct Lists {
    levels: HashMap<String, Vec<Level>>,
    abstract_of: HashMap<String, String>,
    style_num: HashMap<String, (String, usize)>,
    /// Counters by abstract list and level.
    counters: HashMap<String, Vec<u32>>,
}

impl Lists {
    fn read(numbering: Option<&str>, styles: Option<&str>) -> Lists {
        let mut l = Lists::default();
        if let Some(xml) = numbering {
            let mut r = quick_xml::Reader::from_str(xml);
            let (mut abs, mut num, mut lvl): (Option<String>, Option<String>, Option<usize>) = (None, None, None);
            loop {
                match r.read_event() {
                    Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                        b"w:abstractNum" => abs = attr(&e, b"w:abstractNumId"),
                        b"w:lvl" => lvl = attr(&e, b"w:ilvl").and_then(|v| v.parse().ok()),
                        b"w:num" => num = attr(&e, b"w:numId"),
                        b"w:abstractNumId" => {
                            if let (Some(n), Some(a)) = (&num, attr(&e, b"w:val")) {
                                l.abstract_of.insert(n.clone(), a);
                            }
                        }
                        name @ (b"w:start" | b"w:numFmt" | b"w:lvlText") => {
                            if let (Some(a), Some(i)) = (&abs, lvl) {
                                let levels = l.levels.entry(a.clone()).or_default();
                                if levels.len() <= i {
                                    levels.resize(i + 1, Level { start: 1, ..Level::default() });
                                }
                                let v = attr(&e, b"w:val").unwrap_or_default();
                                match name {
                                    b"w:start" => levels[i].start = v.parse().unwrap_or(1),
                                    b"w:numFmt" => levels[i].format = v,
                                    _ => levels[i].text = v,
                                }
                            }
                        }
                        _ => {}
                    },
                    Ok(Event::End(e)) if e.name().as_ref() == b"w:abstractNum" => abs = None,
                    Ok(Event::Eof) | Err(_) => break,
                    _ => {}
                }
            }
        }
        if let Some(xml) = styles {
            let mut r = quick_xml::Reader::from_str(xml);
            let (mut style, mut ilvl, mut num): (Option<String>, usize, Option<String>) = (None, 0, None);
            loop {
                match r.read_event() {
                    Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                        b"w:style" => (style, ilvl, num) = (attr(&e, b"w:styleId"), 0, None),
                        b"w:ilvl" => ilvl = attr(&e, b"w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
                        b"w:numId" => num = attr(&e, b"w:val"),
                        _ => {}
                    },
                    Ok(Event::End(e)) if e.name().as_ref() == b"w:style" => {
                        if let (Some(s), Some(n)) = (style.take(), num.take()) {
                            l.style_num.insert(s, (n, ilvl));
                        }
                    }
                    Ok(Event::Eof) | Err(_) => break,
                    _ => {}
                }
            }
        }
        l
    }

    /// The number a paragraph of list `num` at level `ilvl` shows, counting it.
    fn next(&mut self, num: &str, ilvl: usize) -> String {
        let Some(abs) = self.abstract_of.get(num).cloned() else { return String::new() };
        let Some(levels) = self.levels.get(&abs) else { return String::new() };
        let Some(level) = levels.get(ilvl) else { return String::new() };
        let counters = self.counters.entry(abs.clone()).or_default();
        if counters.len() < levels.len() {
            counters.resize(levels.len(), 0);
        }
        counters[ilvl] = if counters[ilvl] == 0 { level.start.max(1) } else { counters[ilvl] + 1 };
        // A deeper level starts again under each new item of this one.
        for c in counters.iter_mut().skip(ilvl + 1) {
            *c = 0;
        }
        let mut out = level.text.clone();
        for (i, l) in levels.iter().enumerate().take(ilvl + 1) {
            let n = if counters[i] == 0 { l.start.max(1) } else { counters[i] };
            out = out.replace(&format!("%{}", i + 1), &shown(n, &l.format));
        }
        if level.format == "bullet" || level.format == "none" {
            return String::new();
        }
        out
    }
}

/// A number in one of Word's formats.
fn shown(n: u32, format: &str) -> String {
    const CN: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let cn = |n: u32| -> String {
        match n {
            0..=9 => CN[n as usize].to_string(),
            10..=19 => format!("十{}", if n == 10 { "" } else { CN[(n - 10) as usize] }),
            20..=99 => format!("{}十{}", CN[(n / 10) as usize], if n % 10 == 0 { "" } else { CN[(n % 10) as usize] }),
            _ => n.to_string(),
        }
    };
    match format {
        "chineseCounting" | "chineseCountingThousand" | "ideographTraditional" | "japaneseCounting" | "taiwaneseCounting" => cn(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => char::from_u32(0x2460 + n - 1).unwrap_or('?').to_string(),
        "decimalFullWidth" | "decimalFullWidth2" => n.to_string().chars().map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c)).collect(),
        "lowerLetter" => char::from_u32('a' as u32 + (n - 1) % 26).unwrap_or('a').to_string(),
        "upperLetter" => char::from_u32('A' as u32 + (n - 1) % 26).unwrap_or('A').to_string(),
        _ => n.to_string(),
    }
}

/// The columns of a 任务分解表 by their headers.
#[derive(Debug, Default)]
struct TaskColumns {
    seq: Option<usize>,
    task: Option<usize>,
    measures: Option<usize>,
    lead: Option<usize>,
    owner: Option<usize>,
    co: Option<usize>,
    deadline: Option<usize>,
}

fn task_columns(header: &[String]) -> Option<TaskColumns> {
    let mut c = TaskColumns::default();
    for (i, h) in header.iter().enumerate() {
        let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
        let slot = match h.as_str() {
            "序号" | "编号" => &mut c.seq,
            "工作任务" | "重点任务" | "主要任务" | "任务" | "任务名称" | "工作事项" | "事项" => &mut c.task,
            "具体措施" | "工作措施" | "主要措施" | "具体内容" | "工作内容" | "主要内容" | "目标任务" | "工作目标" => {
                &mut c.measures
            }
            "牵头单位" | "牵头部门" | "主办单位" => &mut c.lead,
            "责任单位" | "责任部门" => &mut c.owner,
            "配合单位" | "配合部门" | "协办单位" | "协助单位" => &mut c.co,
            "完成时限" | "完成时间" | "时间节点" | "时限" | "时限要求" => &mut c.deadline,
            _ => continue,
        };
        slot.get_or_insert(i);
    }
    (c.task.is_some() || c.measures.is_some()).then_some(c)
}

/// A table as lines: a task table one numbered task per row; any other table one line per row.
fn table_lines(rows: &[Vec<String>]) -> String {
    let Some((header, body)) = rows.split_first() else { return String::new() };
    let Some(c) = task_columns(header) else {
        return rows.iter().map(|r| r.iter().filter(|c| !c.is_empty()).cloned().collect::<Vec<_>>().join("　") + "\n").collect();
    };
    let cell = |r: &Vec<String>, i: Option<usize>| i.and_then(|i| r.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut out = String::new();
    let mut n = 0;
    for r in body {
        let (task, measures) = (cell(r, c.task), cell(r, c.measures));
        if task.is_empty() && measures.is_empty() {
            continue;
        }
        n += 1;
        let seq = cell(r, c.seq);
        let seq = if !seq.is_empty() && seq.chars().all(|ch| ch.is_ascii_digit()) { seq } else { n.to_string() };
        let mut line = format!("{seq}.");
        for (i, part) in [task, measures].iter().filter(|p| !p.is_empty()).enumerate() {
            if i > 0 && !line.ends_with(['。', '；', '！', '？']) {
                line.push('。');
            }
            line.push_str(part);
        }
        let roles: Vec<String> = [("牵头单位", c.lead), ("责任单位", c.owner), ("配合单位", c.co), ("完成时限", c.deadline)]
            .iter()
            .map(|(k, i)| (k, cell(r, *i)))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}：{v}"))
            .collect();
        if !roles.is_empty() {
            // The task's own words end before its columns (its title stops there).
            if !line.ends_with(['。', '；', '！', '？']) {
                line.push('。');
            }
            line.push_str(&format!("（{}）", roles.join("；")));
        }
        out.push_str(&line.replace('\n', "，"));
        out.push('\n');
    }
    out
}

/// The paragraphs and tables of a .docx, in order.
pub(super) fn read_docx(bytes: &[u8]) -> Result<String, DomainError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad("not a .docx (broken zip)"))?;
    let xml = part(&mut zip, "word/document.xml")?.ok_or_else(|| bad("not a .docx (no word/document.xml)"))?;
    let mut lists = Lists::read(part(&mut zip, "word/numbering.xml")?.as_deref(), part(&mut zip, "word/styles.xml")?.as_deref());
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let (mut in_text, mut para) = (false, String::new());
    let (mut num, mut ilvl, mut style): (Option<String>, usize, Option<String>) = (None, 0, None);
    // Tables: rows of cells; a vertically merged cell repeats the one above.
    let mut tables: Vec<(Vec<Vec<String>>, Vec<String>, bool)> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:t" => in_text = false,
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:p" => (num, ilvl, style) = (None, 0, None),
            Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                b"w:numId" => num = attr(&e, b"w:val"),
                b"w:ilvl" => ilvl = attr(&e, b"w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
                b"w:pStyle" => style = attr(&e, b"w:val"),
                b"w:tab" => para.push('\t'),
                b"w:br" => para.push('\n'),
                b"w:tbl" => tables.push((Vec::new(), Vec::new(), false)),
                b"w:tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.1.clear();
                    }
                }
                b"w:tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.1.push(String::new());
                        t.2 = false;
                    }
                }
                b"w:vMerge" => {
                    if let Some(t) = tables.last_mut() {
                        t.2 = attr(&e, b"w:val").as_deref() != Some("restart");
                    }
                }
                _ => {}
            },
            Ok(Event::End(e)) => match e.name().as_ref() {
                b"w:p" => {
                    let (n, l) = match (&num, &style) {
                        (Some(n), _) => (Some(n.clone()), ilvl),
                        (None, Some(s)) => lists.style_num.get(s).map(|(n, l)| (Some(n.clone()), *l)).unwrap_or((None, 0)),
                        _ => (None, 0),
                    };
                    // numId 0 means "no numbering" (a style's list switched off).
                    let label = n.filter(|n| n != "0" && !para.trim().is_empty()).map(|n| lists.next(&n, l)).unwrap_or_default();
                    let text = format!("{label}{para}");
                    para.clear();
                    match tables.last_mut() {
                        Some(t) => {
                            let cell = t.1.last_mut();
                            if let Some(c) = cell {
                                if !c.is_empty() && !text.trim().is_empty() {
                                    c.push('\n');
                                }
                                c.push_str(text.trim());
                            }
                        }
                        None => {
                            out.push_str(&text);
                            out.push('\n');
                        }
                    }
                }
                b"w:tc" => {
                    // A continued vertical merge shows the text of the cell above.
                    if let Some((rows, row, true)) = tables.last_mut() {
                        let i = row.len().saturating_sub(1);
                        let above = rows.last().and_then(|r| r.get(i)).cloned().unwrap_or_default();
                        if let Some(c) = row.last_mut().filter(|c| c.is_empty()) {
                            *c = above;
                        }
                    }
                }
                b"w:tr" => {
                    if let Some(t) = tables.last_mut() {
                        let row = std::mem::take(&mut t.1);
                        if row.iter().any(|c| !c.is_empty()) {
                            t.0.push(row);
                        }
                    }
                }
                b"w:tbl" => {
                    if let Some((rows, _, _)) = tables.pop() {
                        let lines = table_lines(&rows);
                        match tables.last_mut().and_then(|t| t.1.last_mut()) {
                            Some(c) => c.push_str(&lines),
                            None => out.push_str(&lines),
                        }
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => para.push_str(&t.decode().map_err(|_| bad("the .docx text cannot be read"))?),
            Ok(Event::GeneralRef(r)) if in_text => {
                let name = r.decode().map_err(|_| bad("the .docx text cannot be read"))?;
                para.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err(bad("the .docx is damaged")),
            _ => {}
        }
    }
    if out.trim().is_empty() {
        return Err(DomainError::required("file"));
    }
    Ok(out)
}
