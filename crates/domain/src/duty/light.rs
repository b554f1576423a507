//! 亮灯: the one status light of every kind of duty, computed from its phase, its clock and how
//! far it lags, by rules that are data.

use super::{Light, Phase};
use crate::time::Micros;

const HOUR: Micros = 3_600_000_000;

/// When a duty counts as due soon (蓝灯).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueSoon {
    /// This many working days or fewer left (tasks: days matter).
    WorkingDays(i64),
    /// Fewer than this many hours left (appeals: limits run in hours).
    Hours(i64),
}

/// The light rules in force (from rule data).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LightRules {
    pub due_soon: DueSoon,
    /// Yellow when this many points behind planned progress (序时进度).
    pub yellow_behind_points: f64,
    /// Red when more than this many points behind.
    pub red_behind_points: f64,
}

/// What a duty's light is computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    pub phase: Phase,
    /// Does the owner's clock run in this state (see `Workflow::clock_runs`)?
    pub clock_runs: bool,
    /// When the limit runs out, if the clock has started.
    pub due: Option<Micros>,
    pub now: Micros,
    /// Working days from today to the due day (for due soon in working days).
    pub working_days_left: Option<i64>,
    /// Points behind planned progress (negative: ahead); 0 for kinds without progress.
    pub behind_points: f64,
    /// Something went wrong once already: returned for rework, given back, reopened.
    pub flagged: bool,
}

/// The light: done when finished, none before the clock starts, green while the owner's clock
/// stands; else red when overdue or far behind, yellow when behind or flagged, blue when due
/// soon, green.
pub fn light(s: &Standing, r: &LightRules) -> Light {
    match s.phase {
        Phase::Done | Phase::Cancelled => return Light::Done,
        Phase::Drafted => return Light::None,
        Phase::Running | Phase::Waiting | Phase::UnderReview => {}
    }
    let Some(due) = s.due else { return Light::None };
    if !s.clock_runs {
        return Light::Green;
    }
    let soon = match r.due_soon {
        DueSoon::WorkingDays(n) => s.working_days_left.is_some_and(|w| w <= n),
        DueSoon::Hours(h) => due - s.now < h * HOUR,
    };
    if s.now >= due || s.behind_points > r.red_behind_points {
        Light::Red
    } else if (s.behind_points >= r.yellow_behind_points && s.behind_points > 0.0) || s.flagged {
        Light::Yellow
    } else if soon {
        Light::Blue
    } else {
        Light::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: LightRules = LightRules { due_soon: DueSoon::Hours(24), yellow_behind_points: 10.0, red_behind_points: 30.0 };

    fn at(phase: Phase, due_in_hours: i64) -> Standing {
        Standing {
            phase,
            clock_runs: true,
            due: Some(100 * HOUR + due_in_hours * HOUR),
            now: 100 * HOUR,
            working_days_left: None,
            behind_points: 0.0,
            flagged: false,
        }
    }

    #[test]
    fn one_light_for_every_phase() {
        assert_eq!(light(&at(Phase::Done, 5), &R), Light::Done);
        assert_eq!(light(&at(Phase::Cancelled, 5), &R), Light::Done);
        assert_eq!(light(&at(Phase::Drafted, 5), &R), Light::None);
        assert_eq!(light(&Standing { due: None, ..at(Phase::Running, 5) }, &R), Light::None);
        assert_eq!(light(&at(Phase::Running, 100), &R), Light::Green);
        assert_eq!(light(&at(Phase::Running, 5), &R), Light::Blue);
        assert_eq!(light(&at(Phase::Running, 0), &R), Light::Red);
        assert_eq!(light(&Standing { flagged: true, ..at(Phase::Waiting, 100) }, &R), Light::Yellow);
        assert_eq!(light(&Standing { behind_points: 15.0, ..at(Phase::Running, 100) }, &R), Light::Yellow);
        assert_eq!(light(&Standing { behind_points: 31.0, ..at(Phase::Running, 100) }, &R), Light::Red);
        // The owner has done its part: its clock stands, overdue or not.
        assert_eq!(light(&Standing { clock_runs: false, ..at(Phase::UnderReview, -5) }, &R), Light::Green);
        // Due soon in working days.
        let wd = LightRules { due_soon: DueSoon::WorkingDays(3), ..R };
        assert_eq!(light(&Standing { working_days_left: Some(2), ..at(Phase::Running, 100) }, &wd), Light::Blue);
        assert_eq!(light(&Standing { working_days_left: Some(9), ..at(Phase::Running, 100) }, &wd), Light::Green);
    }
}
