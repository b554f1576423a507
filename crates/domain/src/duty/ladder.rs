//! The supervision ladder of every kind of duty: 催办 before the limit, 督办 once overdue,
//! 通报 after the county's rule; each rung's timing per kind from rule data.

use super::{NoticeLevel, Phase};

/// The ladder rules in force for a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LadderRules {
    pub reminder_before_working_days: i64,
    pub notice_after_working_days: i64,
    pub report_after_working_days: i64,
}

/// The rungs a duty has reached with `working_days_left` to its limit (negative once passed):
/// only while it is the owner's to act on and the owner's clock runs.
pub fn ladder(phase: Phase, clock_runs: bool, working_days_left: i64, r: &LadderRules) -> Vec<NoticeLevel> {
    if !matches!(phase, Phase::Running | Phase::Waiting) || !clock_runs {
        return Vec::new();
    }
    let overdue = -working_days_left;
    let mut out = Vec::new();
    if working_days_left <= r.reminder_before_working_days {
        out.push(NoticeLevel::Reminder);
    }
    if overdue >= r.notice_after_working_days.max(1) {
        out.push(NoticeLevel::Notice);
    }
    if overdue >= r.report_after_working_days.max(1) {
        out.push(NoticeLevel::Report);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rungs_by_working_days() {
        let r = LadderRules { reminder_before_working_days: 1, notice_after_working_days: 1, report_after_working_days: 5 };
        assert!(ladder(Phase::Running, true, 5, &r).is_empty());
        assert_eq!(ladder(Phase::Running, true, 1, &r), vec![NoticeLevel::Reminder]);
        assert_eq!(ladder(Phase::Running, true, -1, &r), vec![NoticeLevel::Reminder, NoticeLevel::Notice]);
        assert_eq!(ladder(Phase::Waiting, true, -5, &r), vec![NoticeLevel::Reminder, NoticeLevel::Notice, NoticeLevel::Report]);
        for idle in [Phase::Drafted, Phase::UnderReview, Phase::Done, Phase::Cancelled] {
            assert!(ladder(idle, true, -9, &r).is_empty(), "{idle:?}");
        }
        assert!(ladder(Phase::Running, false, -9, &r).is_empty(), "a stopped clock raises nothing");
    }
}
