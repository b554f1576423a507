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
    ("field.overseer_id", "分管领导", "Overseeing leader"),
    ("field.principal", "主要领导", "Principal leader"),
    (
        "oversight.hint",
        "分管领导可查看本单位及下级单位的全部事项；县委书记、县长（主要领导）查看全县。",
        "The overseeing leader sees every duty of this unit and the units below; the principal leaders see the whole county.",
    ),
    ("actor.supervision", "督查系统（自动）", "Supervision run (automatic)"),
    ("actor.system", "系统", "System"),
    ("actor.citizen", "群众（{channel}）", "Citizen ({channel})"),
];
