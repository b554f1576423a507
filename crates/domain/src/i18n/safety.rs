//! 安全生产, the rest of the loop: 停产/复产 and 挂牌督办, the enterprise ledger's import and
//! merge, risk points and the risk map, campaigns and inspections.

/// (key, zh-CN, en).
pub(super) static MESSAGES: &[(&str, &str, &str)] = &[
    ("hazard_action.resume", "复产审查通过", "Resumption reviewed: may produce again"),
    ("field.resume", "复产审查（停产停业整改的，须先通过复产审查再销号）", "Resumption review (a stopped enterprise is reviewed before closing)"),
    ("hazards.resumed", "已复产", "Production resumed"),
    ("hazards.listed", "挂牌督办", "Listed for supervision"),
    ("hazards.inspection", "排查记录", "Inspection"),
];
