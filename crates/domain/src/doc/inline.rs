//! Enumerations written inside a paragraph: 一是……二是……, 一要……二要……, 第一，……第二，……,
//! 其一，……其二，……, 首先……其次……（再次）……最后…….

use super::outline::{lead_phrase, Node};

/// A family of inline enumerations: its members in order, the characters one must be followed
/// by (none: any), and a member that may be left out (再次 between 其次 and 最后).
struct Family {
    members: &'static [&'static str],
    follow: &'static str,
    optional: Option<usize>,
}

const FAMILIES: [Family; 5] = [
    Family { members: &["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是"], follow: "", optional: None },
    Family { members: &["一要", "二要", "三要", "四要", "五要", "六要", "七要", "八要", "九要", "十要"], follow: "", optional: None },
    Family {
        members: &["第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十"], follow: "，、,", optional: None
    },
    Family { members: &["其一", "其二", "其三", "其四", "其五", "其六"], follow: "，、,：:", optional: None },
    Family { members: &["首先", "其次", "再次", "最后"], follow: "", optional: Some(2) },
];

/// Where a member may start: the start of the text, or after punctuation or a space.
const CLAUSE_START: &str = "。；！？，：、\n \u{3000}:;,!?";

/// The next place `m` starts a clause (and is followed as its family needs), from `from`:
/// (start, where its text begins).
fn member_at(text: &str, from: usize, m: &str, follow: &str) -> Option<(usize, usize)> {
    let mut search = from;
    while let Some(i) = text[search..].find(m) {
        let at = search + i;
        let after = at + m.len();
        let clause = at == 0 || text[..at].chars().next_back().is_some_and(|c| CLAUSE_START.contains(c));
        let next = text[after..].chars().next();
        let followed = follow.is_empty() || next.is_some_and(|c| follow.contains(c));
        if clause && followed {
            return Some((at, after + if follow.is_empty() { 0 } else { next.map(char::len_utf8).unwrap_or(0) }));
        }
        // 统一是 does not start 一是: look further on.
        search = after;
    }
    None
}

/// Split `text` (at byte `base` in the original) at an inline enumeration, if it has at least two
/// members in order; each member runs to the next, the last to the end of its paragraph.
/// A member may itself hold an enumeration of a later family (第二，……首先……其次……).
pub(super) fn inline_nodes(text: &str, base: usize, skip: usize) -> Vec<Node> {
    // One paragraph's enumeration, then the next one's after it (一是…二是…; 一要…二要…).
    let mut out = Vec::new();
    let mut from = 0;
    while let Some((nodes, end)) = enumeration(&text[from..], base + from, skip) {
        out.extend(nodes);
        if end == 0 {
            break;
        }
        from += end;
    }
    out
}

/// The first enumeration of a text and where it ends (bytes into `text`).
fn enumeration(text: &str, base: usize, skip: usize) -> Option<(Vec<Node>, usize)> {
    let mut first: Option<(usize, Vec<Node>, usize)> = None;
    for (fi, family) in FAMILIES.iter().enumerate() {
        if fi == skip || (skip != usize::MAX && fi < skip) {
            continue;
        }
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        let (mut from, mut k) = (0, 0);
        while let Some(m) = family.members.get(k) {
            match member_at(text, from, m, family.follow) {
                Some((at, body)) => {
                    found.push((at, body, m));
                    from = body;
                }
                None if family.optional == Some(k) => {}
                None => break,
            }
            k += 1;
        }
        // The enumeration that starts first wins.
        if found.len() >= 2 && first.as_ref().is_none_or(|f| found[0].0 < f.0) {
            let mut out = Vec::new();
            for (k, (at, body, m)) in found.iter().enumerate() {
                let end = match found.get(k + 1) {
                    Some(n) => n.0,
                    // The last point ends with its paragraph: what follows is the parent's.
                    None => text[*body..].find('\n').map(|i| body + i).unwrap_or(text.len()),
                };
                let own = &text[*body..end];
                out.push(Node {
                    kind: "inline",
                    label: (*m).to_string(),
                    title: lead_phrase(own),
                    start: base + at,
                    end: base + end,
                    children: inline_nodes(own, base + body, fi),
                });
            }
            let end = out.last().map(|n| n.end - base).unwrap_or(0);
            first = Some((found[0].0, out, end));
        }
    }
    first.map(|(_, nodes, end)| (nodes, end))
}
