//! Proof that a kind is cheap: a kind written here alone (a 隐患整改 rectification with an
//! acceptance step and a paused period) gets the clock, the light, the ladder and "what may I
//! do now" from the core, with no line of the core changed for it.

use super::*;
use crate::calendar::Calendar;
use crate::error::{DomainError, ErrorCode};
use chrono::{NaiveDate, TimeZone};

str_enum!(
    /// The test kind's states.
    Rect {
        Found = "found",
        Fixing = "fixing",
        Suspended = "suspended",
        Checking = "checking",
        Closed = "closed",
    }
);

str_enum!(
    /// The test kind's actions.
    RectAction {
        Order = "order",
        Suspend = "suspend",
        Resume = "resume",
        Submit = "submit",
        Pass = "pass",
        Fail = "fail",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Regulator,
    Enterprise,
}

struct Rectification;

impl Workflow for Rectification {
    const KIND: &'static str = "rectification";
    type State = Rect;
    type Action = RectAction;
    type Side = Who;
    type Facts = ();
    fn states() -> &'static [Rect] {
        Rect::ALL
    }
    fn name(s: Rect) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [RectAction] {
        RectAction::ALL
    }
    fn phase(s: Rect) -> Phase {
        match s {
            Rect::Found => Phase::Drafted,
            Rect::Fixing | Rect::Suspended => Phase::Running,
            Rect::Checking => Phase::UnderReview,
            Rect::Closed => Phase::Done,
        }
    }
    fn side(a: RectAction) -> Who {
        match a {
            RectAction::Order | RectAction::Pass | RectAction::Fail | RectAction::Suspend | RectAction::Resume => Who::Regulator,
            RectAction::Submit => Who::Enterprise,
        }
    }
    fn apply(a: RectAction, from: Rect, _: &()) -> Result<Rect, DomainError> {
        use Rect as S;
        use RectAction as A;
        Ok(match (a, from) {
            (A::Order, S::Found) => S::Fixing,
            (A::Suspend, S::Fixing) => S::Suspended,
            (A::Resume, S::Suspended) => S::Fixing,
            (A::Submit, S::Fixing) => S::Checking,
            (A::Pass, S::Checking) => S::Closed,
            (A::Fail, S::Checking) => S::Fixing,
            _ => return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str().to_string())),
        })
    }
    // Suspended (停产整改 under review elsewhere) stops the clock.
    fn clock_runs(s: Rect) -> bool {
        s == Rect::Fixing
    }
}

fn at(day: &str) -> i64 {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().and_hms_opt(9, 0, 0).unwrap();
    crate::time::shanghai().from_local_datetime(&d).single().unwrap().timestamp_micros()
}

#[test]
fn a_kind_written_alone_gets_the_whole_core() {
    let cal = Calendar::shipped().unwrap();
    // Stable names, as stored and shown.
    for a in RectAction::ALL {
        assert_eq!(RectAction::parse(a.as_str()), Some(*a));
    }
    for s in Rect::ALL {
        assert_eq!(Rect::parse(s.as_str()), Some(*s));
    }
    // What each side may do, derived from the workflow.
    assert_eq!(may::<Rectification>(Rect::Fixing, &[Who::Enterprise]), vec![RectAction::Submit]);
    assert_eq!(may::<Rectification>(Rect::Fixing, &[Who::Regulator]), vec![RectAction::Suspend]);
    assert_eq!(may::<Rectification>(Rect::Checking, &[Who::Regulator, Who::Enterprise]), vec![RectAction::Pass, RectAction::Fail]);
    assert!(may::<Rectification>(Rect::Closed, &[Who::Regulator, Who::Enterprise]).is_empty());
    // The table: every state is reached by some action, and the done state is final.
    let t = table::<Rectification>();
    for s in Rect::ALL.iter().filter(|s| **s != Rect::Found) {
        assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
    }
    assert!(t.iter().filter(|(from, _, _)| *from == Rect::Closed).all(|(_, _, to)| to.is_none()));
    // The clock: 10 working days from Monday 1 June, a suspension of two working days.
    let mut clock = Clock::new(at("2026-06-01"), Limit::WorkingDays(10));
    clock.pauses.push(Pause { from: at("2026-06-02"), to: Some(at("2026-06-04")) });
    let due = clock.due(&cal, at("2026-06-05")).unwrap();
    assert_eq!(due, end_of_day(NaiveDate::from_ymd_opt(2026, 6, 17).unwrap()));
    // The light and the ladder, from the phase and the clock alone.
    let rules = LightRules { due_soon: DueSoon::WorkingDays(3), yellow_behind_points: 10.0, red_behind_points: 30.0 };
    let standing = |state: Rect, now: i64| Standing {
        phase: Rectification::phase(state),
        clock_runs: Rectification::clock_runs(state),
        due: Some(due),
        now,
        working_days_left: Some(working_days_left(&cal, crate::time::local_date(now), crate::time::local_date(due - 1))),
        behind_points: 0.0,
        flagged: false,
    };
    assert_eq!(light(&standing(Rect::Fixing, at("2026-06-05")), &rules), Light::Green);
    assert_eq!(light(&standing(Rect::Fixing, at("2026-06-15")), &rules), Light::Blue);
    assert_eq!(light(&standing(Rect::Fixing, at("2026-06-18")), &rules), Light::Red);
    assert_eq!(light(&standing(Rect::Suspended, at("2026-06-18")), &rules), Light::Green);
    assert_eq!(light(&standing(Rect::Closed, at("2026-06-18")), &rules), Light::Done);
    let ladder_rules = LadderRules { reminder_before_working_days: 2, notice_after_working_days: 1, report_after_working_days: 5 };
    let wdl = |now: i64| working_days_left(&cal, crate::time::local_date(now), crate::time::local_date(due - 1));
    assert_eq!(ladder(Rectification::phase(Rect::Fixing), true, wdl(at("2026-06-26")), &ladder_rules), vec![NoticeLevel::Report], "the highest rung alone");
    assert!(ladder(Rectification::phase(Rect::Checking), Rectification::clock_runs(Rect::Checking), -9, &ladder_rules).is_empty());
}
