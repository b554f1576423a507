//! The duty core's views across every kind: the one board (全部事项) and its figures.

/// (key, zh-CN, en).
pub(super) static MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.duties", "全部事项", "All duties"),
    ("duties.title", "全部事项", "All duties"),
    ("duties.lead", "视野内所有在办事项，按类别和灯色统计，时限最近的在前。", "Every open duty in your sight, counted by kind and light, soonest limit first."),
    ("duties.counts", "按类别和灯色", "By kind and light"),
    ("duties.total", "合计", "Total"),
    ("duties.next", "下一页", "Next page"),
    ("duties.none", "视野内没有在办事项。", "No open duty in your sight."),
    ("duties.shown", "本页{n}项", "{n} on this page"),
];
