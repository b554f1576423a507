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

/// The rung a duty stands on with `working_days_left` to its limit (negative once passed),
/// only while it is the owner's to act on and the owner's clock runs: the highest that applies,
/// alone. A duty already overdue when first seen gets its 督办 (or 通报), never a 催办 on the
/// same day; one that moves up day by day gets each rung on its own day.
pub fn ladder(phase: Phase, clock_runs: bool, working_days_left: i64, r: &LadderRules) -> Vec<NoticeLevel> {
    if !matches!(phase, Phase::Running | Phase::Waiting) || !clock_runs {
        return Vec::new();
    }
    let overdue = -working_days_left;
    let rung = if overdue >= r.report_after_working_days.max(1) {
        Some(NoticeLevel::Report)
    } else if overdue >= r.notice_after_working_days.max(1) {
        Some(NoticeLevel::Notice)
    } else if working_days_left <= r.reminder_before_working_days {
        Some(NoticeLevel::Reminder)
    } else {
        None
    };
    rung.into_iter().collect()
}

/// The ladder of a kind on a minute clock (an emergency assignment's 签收 and 续报): the same
/// rungs, timed in minutes by the kind's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteLadder {
    pub reminder_before_minutes: i64,
    pub notice_after_minutes: i64,
    pub report_after_minutes: i64,
}

/// The rungs a duty on a minute clock has reached with `minutes_left` (negative once passed).
pub fn ladder_minutes(phase: Phase, clock_runs: bool, minutes_left: i64, r: &MinuteLadder) -> Vec<NoticeLevel> {
    // One rule for both clocks: minutes stand where working days stood.
    ladder(
        phase,
        clock_runs,
        minutes_left,
        &LadderRules {
            reminder_before_working_days: r.reminder_before_minutes,
            notice_after_working_days: r.notice_after_minutes,
            report_after_working_days: r.report_after_minutes,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rungs_by_working_days() {
        let r = LadderRules { reminder_before_working_days: 1, notice_after_working_days: 1, report_after_working_days: 5 };
        assert!(ladder(Phase::Running, true, 5, &r).is_empty());
        assert_eq!(ladder(Phase::Running, true, 1, &r), vec![NoticeLevel::Reminder]);
        assert_eq!(ladder(Phase::Running, true, -1, &r), vec![NoticeLevel::Notice], "overdue: 督办, not 催办 as well");
        assert_eq!(ladder(Phase::Waiting, true, -5, &r), vec![NoticeLevel::Report], "the highest rung alone");
        for idle in [Phase::Drafted, Phase::UnderReview, Phase::Done, Phase::Cancelled] {
            assert!(ladder(idle, true, -9, &r).is_empty(), "{idle:?}");
        }
        assert!(ladder(Phase::Running, false, -9, &r).is_empty(), "a stopped clock raises nothing");
    }

    #[test]
    fn rungs_by_minutes() {
        let r = MinuteLadder { reminder_before_minutes: 5, notice_after_minutes: 1, report_after_minutes: 30 };
        assert!(ladder_minutes(Phase::Running, true, 6, &r).is_empty());
        assert_eq!(ladder_minutes(Phase::Running, true, 5, &r), vec![NoticeLevel::Reminder]);
        assert_eq!(ladder_minutes(Phase::Running, true, -1, &r), vec![NoticeLevel::Notice]);
        assert_eq!(ladder_minutes(Phase::Running, true, -30, &r), vec![NoticeLevel::Report]);
    }
}
