//! 安全生产 (work safety, rules-cn.md §4): a hazard's rectification is a kind of duty
//! ([`HazardFlow`] on the duty core); accidents are graded by 国务院令第493号 第三条 and
//! reported on an hour clock ([`accident`]).

pub mod accident;
mod accident_flow;
pub mod campaign;
pub mod catalogue;
mod flow;

pub use accident_flow::{AccidentAction, AccidentFlow, AccidentSide, AccidentState};
pub use campaign::{CampaignKind, ControlLevel, RiskLevel};
pub use flow::{HazardAction, HazardFacts, HazardFlow, HazardGrade, HazardSide, HazardState};

/// GB/T 4754-2017 国民经济行业分类: the 门类 (sections) by letter.
const SECTIONS: &[(char, &str)] = &[
    ('A', "农、林、牧、渔业"),
    ('B', "采矿业"),
    ('C', "制造业"),
    ('D', "电力、热力、燃气及水生产和供应业"),
    ('E', "建筑业"),
    ('F', "批发和零售业"),
    ('G', "交通运输、仓储和邮政业"),
    ('H', "住宿和餐饮业"),
    ('I', "信息传输、软件和信息技术服务业"),
    ('J', "金融业"),
    ('K', "房地产业"),
    ('L', "租赁和商务服务业"),
    ('M', "科学研究和技术服务业"),
    ('N', "水利、环境和公共设施管理业"),
    ('O', "居民服务、修理和其他服务业"),
    ('P', "教育"),
    ('Q', "卫生和社会工作"),
    ('R', "文化、体育和娱乐业"),
    ('S', "公共管理、社会保障和社会组织"),
    ('T', "国际组织"),
];

/// 重大危险源 levels in words (GB 18218: 一级 the most dangerous), 0 for none.
pub fn source_level_label(level: i64) -> &'static str {
    ["", "一级", "二级", "三级", "四级"].get(usize::try_from(level).unwrap_or(0)).copied().unwrap_or("")
}

/// The 门类 of an industry code in a few characters, for a chart's column (`C` → 制造业).
pub fn section_short(code: &str) -> String {
    const SHORT: &[(char, &str)] = &[
        ('A', "农林牧渔"),
        ('B', "采矿"),
        ('C', "制造业"),
        ('D', "电热燃水"),
        ('E', "建筑业"),
        ('F', "批发零售"),
        ('G', "交通运输"),
        ('H', "住宿餐饮"),
        ('I', "信息技术"),
        ('J', "金融"),
        ('K', "房地产"),
        ('L', "租赁商务"),
        ('M', "科研技术"),
        ('N', "水利环境"),
        ('O', "居民服务"),
        ('P', "教育"),
        ('Q', "卫生"),
        ('R', "文体娱乐"),
        ('S', "公共管理"),
        ('T', "国际组织"),
    ];
    match code.chars().next().and_then(|c| SHORT.iter().find(|(l, _)| *l == c)) {
        Some((_, name)) => (*name).to_string(),
        None => code.to_string(),
    }
}

/// An industry code as people read it: its 门类's name and the code (`制造业（C26）`).
pub fn industry_label(code: &str) -> String {
    match code.chars().next().and_then(|c| SECTIONS.iter().find(|(l, _)| *l == c)) {
        Some((_, name)) => format!("{name}（{code}）"),
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn industries_read_by_name() {
        assert_eq!(super::industry_label("C26"), "制造业（C26）");
        assert_eq!(super::industry_label("E"), "建筑业（E）");
        assert_eq!(super::industry_label("?"), "?");
    }
}
