//! Units named in a point's text, by their full or short names (县发改局 is 县发展和改革局), and
//! the part the text gives each: 牵头 (lead), 配合 (co-unit), 负责 (lead, others co). Named
//! units decide over keywords.

use super::draft::Responsibility;

/// Long forms and the short forms counties write for them.
const SHORT: [(&str, &str); 22] = [
    ("发展和改革", "发改"),
    ("发展改革", "发改"),
    ("人力资源和社会保障", "人社"),
    ("卫生健康", "卫健"),
    ("卫生和健康", "卫健"),
    ("教育和体育", "教体"),
    ("市场监督管理", "市场监管"),
    ("住房和城乡建设", "住建"),
    ("文化和旅游", "文旅"),
    ("文化广电旅游体育", "文广旅体"),
    ("文化广电和旅游", "文广旅"),
    ("医疗保障", "医保"),
    ("交通运输", "交通"),
    ("应急管理", "应急"),
    ("自然资源和规划", "自然资源"),
    ("综合行政执法", "综合执法"),
    ("退役军人事务", "退役军人"),
    ("科学技术", "科技"),
    ("工业和信息化", "工信"),
    ("城市管理", "城管"),
    ("行政审批", "审批"),
    ("生态环境", "环保"),
];

/// The names a unit goes by in a text, without the county's prefix: 发展和改革局, 发改局, and the
/// catalogue's own short names. Names under three characters are too loose to match.
pub fn names_of(r: &Responsibility) -> Vec<String> {
    let base = r.unit.strip_prefix(['县', '市', '区']).unwrap_or(&r.unit).to_string();
    let mut out = vec![base.clone()];
    for (long, short) in SHORT {
        if base.contains(long) {
            out.push(base.replace(long, short));
        }
    }
    out.extend(r.short.iter().map(|s| s.strip_prefix(['县', '市', '区']).unwrap_or(s).to_string()));
    out.retain(|n| n.chars().count() >= 3);
    out.dedup();
    out
}

/// The units a text names and their parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub lead: Option<usize>,
    pub co: Vec<usize>,
    /// Named without a part.
    pub named: Vec<usize>,
    /// The words that gave the lead its part (牵头, 负责, 牵头单位).
    pub why: String,
}

impl Roles {
    pub fn any(&self) -> bool {
        self.lead.is_some() || !self.co.is_empty()
    }
}

/// What may stand between two units named together (县财政局、各乡镇配合).
const JOINERS: [&str; 12] = ["、", "，", ",", "和", "及", "与", "以及", "县", "各乡镇", "各乡（镇）", "相关部门", "有关单位"];

const LEAD_BEFORE: [&str; 6] = ["牵头单位：", "牵头单位:", "牵头部门：", "主办单位：", "责任单位：", "责任部门："];
const CO_BEFORE: [&str; 5] = ["配合单位：", "配合单位:", "配合部门：", "协办单位：", "协助单位："];

/// Every unit's names indexed by their first two characters, built once per document: a text
/// is then read once, whatever the size of the catalogue.
pub struct NameIndex {
    by_pair: super::draft::PairMap<Vec<(usize, String)>>,
}

impl NameIndex {
    pub fn new(names: &[Vec<String>]) -> NameIndex {
        let mut by_pair: super::draft::PairMap<Vec<(usize, String)>> = super::draft::PairMap::default();
        for (u, ns) in names.iter().enumerate() {
            for n in ns {
                let mut cs = n.chars();
                if let (Some(a), Some(b)) = (cs.next(), cs.next()) {
                    by_pair.entry((a, b)).or_default().push((u, n.clone()));
                }
            }
        }
        NameIndex { by_pair }
    }
}

/// Read the units a text names, and their parts.
pub fn roles(text: &str, index: &NameIndex) -> Roles {
    // Every mention, the longest where two overlap.
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, a)) = chars.next() {
        let Some(&(_, b)) = chars.peek() else { break };
        for (u, n) in index.by_pair.get(&(a, b)).map(Vec::as_slice).unwrap_or_default() {
            if text[i..].starts_with(n.as_str()) {
                found.push((i, i + n.len(), *u));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut mentions: Vec<(usize, usize, usize)> = Vec::new();
    for f in found {
        if mentions.last().is_none_or(|m| f.0 >= m.1) {
            mentions.push(f);
        }
    }
    // Mentions joined only by separators form a group that shares one part.
    let mut groups: Vec<Vec<(usize, usize, usize)>> = Vec::new();
    for m in mentions {
        let joined = groups.last().and_then(|g| g.last()).is_some_and(|prev| {
            let mut gap = &text[prev.1..m.0];
            while let Some(j) = JOINERS.iter().find(|j| gap.starts_with(*j)) {
                gap = &gap[j.len()..];
            }
            gap.is_empty()
        });
        match groups.last_mut() {
            Some(g) if joined => g.push(m),
            _ => groups.push(vec![m]),
        }
    }
    let mut r = Roles::default();
    for g in groups {
        let (Some(first), Some(last)) = (g.first(), g.last()) else { continue };
        let before: String = text[..first.0].trim_end_matches('县').chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
        let after: String = {
            let mut a = &text[last.1..];
            while let Some(j) = JOINERS.iter().chain(&["等"]).find(|j| a.starts_with(*j)) {
                a = &a[j.len()..];
            }
            a.chars().take(8).collect()
        };
        let lead_word = |a: &str| {
            ["牵头", "负责", "抓总", "主办"]
                .into_iter()
                .find(|w| a.starts_with(w) || a.starts_with(&format!("按职责分工{w}")) || a.starts_with(&format!("按职责{w}")))
        };
        let part = if let Some(w) = LEAD_BEFORE.iter().find(|w| before.ends_with(*w)) {
            Some((true, w.trim_end_matches(['：', ':']).to_string()))
        } else if CO_BEFORE.iter().any(|w| before.ends_with(*w)) {
            Some((false, String::new()))
        } else if let Some(w) = lead_word(&after) {
            Some((true, w.to_string()))
        } else if ["配合", "协助", "参与", "协同", "协办"].iter().any(|w| after.starts_with(w)) {
            Some((false, String::new()))
        } else {
            None
        };
        for (k, m) in g.iter().enumerate() {
            match part {
                Some((true, ref why)) if k == 0 && r.lead.is_none() => {
                    r.lead = Some(m.2);
                    r.why.clone_from(why);
                }
                Some(_) => {
                    if r.lead != Some(m.2) && !r.co.contains(&m.2) {
                        r.co.push(m.2);
                    }
                }
                None => {
                    if !r.named.contains(&m.2) {
                        r.named.push(m.2);
                    }
                }
            }
        }
    }
    r
}
