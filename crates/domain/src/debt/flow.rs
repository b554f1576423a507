//! Debt duties on the core: a large maturity's 资金接续方案 (kind `debt_maturity`, the borrower's,
//! due N working days before the date) and a warning's 处置 (kind `debt_warning`, the finance
//! bureau's). Both run the same steps: the plan or measures are submitted, accepted or returned
//! by the finance bureau, then closed (repaid or rolled over; the warning lifted).

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// The state of a debt duty.
    DebtState {
        /// 待报方案/待处置: the clock runs.
        Open = "open",
        /// 已报送: the finance bureau reviews.
        Submitted = "submitted",
        /// 已认可: carried out, watched until closed.
        Accepted = "accepted",
        /// 已办结 (偿还/接续到位; 预警解除).
        Closed = "closed",
    }
);

str_enum!(
    /// What moves a debt duty.
    DebtAction {
        /// 报送方案/措施 (with its text).
        Submit = "submit",
        /// 退回 (with the reason).
        Return = "return",
        /// 认可.
        Accept = "accept",
        /// 办结 (with what closed it).
        Close = "close",
    }
);

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebtSide {
    /// The borrower's responsible unit (a maturity), the finance bureau's staff (a warning).
    Owner,
    /// The finance bureau (its managers for a warning) and the principal leaders.
    Finance,
}

/// The whole workflow of both kinds.
fn apply(a: DebtAction, from: DebtState) -> Result<DebtState, DomainError> {
    use DebtAction as A;
    use DebtState as S;
    Ok(match (a, from) {
        (A::Submit, S::Open) => S::Submitted,
        (A::Return, S::Submitted) => S::Open,
        (A::Accept, S::Submitted) => S::Accepted,
        (A::Close, S::Accepted) => S::Closed,
        (A::Submit | A::Return | A::Accept | A::Close, _) => {
            return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str().to_string()))
        }
    })
}

fn phase(s: DebtState) -> Phase {
    match s {
        DebtState::Open => Phase::Running,
        DebtState::Submitted => Phase::UnderReview,
        DebtState::Accepted => Phase::Waiting,
        DebtState::Closed => Phase::Done,
    }
}

fn side(a: DebtAction) -> DebtSide {
    match a {
        DebtAction::Submit => DebtSide::Owner,
        DebtAction::Return | DebtAction::Accept | DebtAction::Close => DebtSide::Finance,
    }
}

/// Does an action need a text (the plan, the measures, the reason, what closed it)?
pub fn needs_text(a: DebtAction) -> bool {
    matches!(a, DebtAction::Submit | DebtAction::Return | DebtAction::Close)
}

macro_rules! debt_kind {
    ($(#[$m:meta])* $name:ident, $kind:literal) => {
        $(#[$m])*
        pub struct $name;
        impl Workflow for $name {
            const KIND: &'static str = $kind;
            type State = DebtState;
            type Action = DebtAction;
            type Side = DebtSide;
            type Facts = ();
            fn states() -> &'static [DebtState] {
                DebtState::ALL
            }
            fn name(s: DebtState) -> &'static str {
                s.as_str()
            }
            fn actions() -> &'static [DebtAction] {
                DebtAction::ALL
            }
            fn phase(s: DebtState) -> Phase {
                phase(s)
            }
            fn side(a: DebtAction) -> DebtSide {
                side(a)
            }
            fn apply(a: DebtAction, from: DebtState, _: &()) -> Result<DebtState, DomainError> {
                apply(a, from)
            }
            // The clock is the plan's (or the measures') deadline: it stops once they are in.
            fn clock_runs(s: DebtState) -> bool {
                s == DebtState::Open
            }
        }
    };
}

debt_kind!(
    /// 到期资金接续: a maturity above the threshold, the borrower's duty.
    MaturityFlow,
    "debt_maturity"
);
debt_kind!(
    /// 风险预警处置: a warning, the finance bureau's duty.
    WarningFlow,
    "debt_warning"
);

/// The day a maturity's 资金接续方案 is due: `n` working days before it. A year the calendar
/// does not know yet counts Monday to Friday (the State Council publishes each year's
/// holidays late in the year before).
pub fn plan_due(cal: &crate::calendar::Calendar, maturity: chrono::NaiveDate, n: i64) -> chrono::NaiveDate {
    use chrono::Datelike;
    let mut d = maturity;
    let mut left = n.max(0);
    while left > 0 {
        let Some(prev) = d.pred_opt() else { break };
        d = prev;
        let working = cal.is_working_day(d).unwrap_or(!matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun));
        if working {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, table};

    #[test]
    fn every_state_and_action() {
        let t = table::<MaturityFlow>();
        for s in DebtState::ALL.iter().filter(|s| **s != DebtState::Open) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        assert!(t.iter().filter(|(from, _, _)| *from == DebtState::Closed).all(|(_, _, to)| to.is_none()));
        assert_eq!(may::<MaturityFlow>(DebtState::Open, &[DebtSide::Owner]), vec![DebtAction::Submit]);
        assert_eq!(may::<WarningFlow>(DebtState::Submitted, &[DebtSide::Finance]), vec![DebtAction::Return, DebtAction::Accept]);
        assert!(may::<WarningFlow>(DebtState::Open, &[DebtSide::Finance]).is_empty());
        assert!(MaturityFlow::clock_runs(DebtState::Open) && !MaturityFlow::clock_runs(DebtState::Submitted));
        assert_eq!(MaturityFlow::phase(DebtState::Closed), Phase::Done);
        for a in DebtAction::ALL {
            assert_eq!(DebtAction::parse(a.as_str()), Some(*a));
        }
    }
}
