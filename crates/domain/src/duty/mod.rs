//! 办理事项 (duties): the one core every kind of duty specialises. A kind supplies its
//! workflow (states, actions, sides, phases: [`Workflow`]); the core owns, once for all kinds,
//! the deadline clock with its pauses ([`Clock`]), the computed light ([`light()`]), the
//! escalation ladder ([`ladder()`]), "what may this caller do now" ([`may`]) and the fair
//! ranking of the 通报. Tasks (`crate::tasks`) and appeals (`crate::appeals`) are kinds; hazards,
//! emergency assignments, projects and their approval items are kinds too.

mod clock;
mod extension;
mod ladder;
mod light;
mod ranking;
mod workflow;

pub use clock::{end_of_day, working_days_left, Clock, Limit, Pause};
pub use extension::check_extension;
pub use ladder::{ladder, ladder_minutes, LadderRules, MinuteLadder};
pub use light::{light, DueSoon, LightRules, Standing};
pub use ranking::{on_time_rate, places, rank, within, UnitStats};
pub use workflow::{may, may_given, table, Phase, Workflow};

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            pub fn parse(s: &str) -> Option<Self> { match s.trim() { $($s => Some($name::$v),)+ _ => None } }
        }
    };
}
pub(crate) use str_enum;

str_enum!(
    /// What a duty is.
    DutyKind {
        /// 任务: a task of a directive.
        Task = "task",
    }
);

str_enum!(
    /// 亮灯: the status light, computed, never typed.
    Light {
        /// 绿灯: on track.
        Green = "green",
        /// 蓝灯: due soon.
        Blue = "blue",
        /// 黄灯: behind planned progress.
        Yellow = "yellow",
        /// 红灯: overdue, or far behind planned progress.
        Red = "red",
        /// 已办结.
        Done = "done",
        /// 未交办: a draft has no light yet.
        None = "none",
    }
);

str_enum!(
    /// The supervision ladder: 催办 → 督办 → 通报.
    NoticeLevel {
        /// 催办: a reminder before the deadline.
        Reminder = "reminder",
        /// 督办: a supervision notice once overdue.
        Notice = "notice",
        /// 通报: inclusion in the public report.
        Report = "report",
        /// 报送提醒: no progress report yet in this reporting period (by day N of the month).
        ReportDue = "report_due",
        /// 挂牌督办: a 重大 hazard listed for supervision by the county when it is graded.
        Listed = "listed",
    }
);

/// A duty's own page, whatever its kind: the one place a link to a duty is made (inboxes,
/// boards, notices).
pub fn href(kind: &str, id: i64) -> String {
    match kind {
        "task" => format!("/tasks/{id}"),
        "appeal" => format!("/appeals/{id}"),
        "hazard" => format!("/hazards/{id}"),
        "accident" => format!("/hazards/accidents/{id}"),
        "incident" => format!("/emergencies/incidents/{id}"),
        "emergency_task" => format!("/emergencies/assignments/{id}"),
        "plan" => format!("/emergencies/plans/{id}"),
        "project" => format!("/projects/{id}"),
        "approval" => format!("/projects/approvals/{id}"),
        "debt_maturity" => format!("/debt/maturities/{id}"),
        "debt_warning" => format!("/debt/warnings/{id}"),
        "livelihood" => format!("/livelihood/proposals/{id}"),
        _ => String::from("/duties"),
    }
}

#[cfg(test)]
mod a_new_kind;
