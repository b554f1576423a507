//! 生产安全事故 (accidents): the grade by 《生产安全事故报告和调查处理条例》(国务院令第493号)
//! 第三条, and the reporting clock. The thresholds are rule data (`hazards.accident.*`): "以上"
//! includes the number, "以下" does not, and the highest grade any one criterion reaches wins.

use crate::duty::str_enum;

str_enum!(
    /// 事故等级 (第三条).
    AccidentGrade {
        /// 一般事故.
        Ordinary = "ordinary",
        /// 较大事故.
        Larger = "larger",
        /// 重大事故.
        Major = "major",
        /// 特别重大事故.
        Extraordinary = "extraordinary",
    }
);

/// What an accident did: deaths, serious injuries (including acute industrial poisoning) and
/// direct economic loss in yuan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Toll {
    pub deaths: i64,
    pub serious_injuries: i64,
    pub loss_yuan: i64,
}

/// The lower bound of one grade on each criterion (a toll at or above any of them reaches it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub deaths: i64,
    pub serious_injuries: i64,
    pub loss_yuan: i64,
}

/// The bounds of 较大, 重大 and 特别重大 (below 较大 is 一般), from rule data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeRules {
    pub larger: Bound,
    pub major: Bound,
    pub extraordinary: Bound,
}

impl GradeRules {
    /// The bounds of 第三条 as the State Council set them (the shipped rule values).
    pub const STATE_COUNCIL_493: GradeRules = GradeRules {
        larger: Bound { deaths: 3, serious_injuries: 10, loss_yuan: 10_000_000 },
        major: Bound { deaths: 10, serious_injuries: 50, loss_yuan: 50_000_000 },
        extraordinary: Bound { deaths: 30, serious_injuries: 100, loss_yuan: 100_000_000 },
    };
}

fn reaches(t: &Toll, b: &Bound) -> bool {
    t.deaths >= b.deaths || t.serious_injuries >= b.serious_injuries || t.loss_yuan >= b.loss_yuan
}

/// The grade of an accident: the highest any criterion reaches.
pub fn grade(t: &Toll, r: &GradeRules) -> AccidentGrade {
    if reaches(t, &r.extraordinary) {
        AccidentGrade::Extraordinary
    } else if reaches(t, &r.major) {
        AccidentGrade::Major
    } else if reaches(t, &r.larger) {
        AccidentGrade::Larger
    } else {
        AccidentGrade::Ordinary
    }
}

/// The reporting clock (第九条, 第十条, 第十三条): the unit reports within `unit_hours` of the
/// accident, each level up within `level_hours` of receiving it; new deaths or injuries are
/// added (补报) within `supplement_days` (road traffic and fire: `supplement_days_road_fire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRules {
    pub unit_hours: i64,
    pub level_hours: i64,
    pub supplement_days: i64,
    pub supplement_days_road_fire: i64,
}

/// When each report is due, in UTC microseconds, counted in calendar hours (nights and holidays
/// count: an accident at 23:30 is reported by 00:30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ReportClock {
    /// The unit to the county's regulators.
    pub unit_due: i64,
    /// The county to the city (if the first report came in on time).
    pub county_due: i64,
    /// The city to the province.
    pub city_due: i64,
    /// The last day for 补报.
    pub supplement_due: i64,
}

const HOUR: i64 = 3_600_000_000;

/// The reporting clock of an accident that happened at `at` (UTC microseconds).
pub fn report_clock(at: i64, road_or_fire: bool, r: &ReportRules) -> ReportClock {
    let unit_due = at + r.unit_hours * HOUR;
    let county_due = unit_due + r.level_hours * HOUR;
    let days = if road_or_fire { r.supplement_days_road_fire } else { r.supplement_days };
    ReportClock { unit_due, county_due, city_due: county_due + r.level_hours * HOUR, supplement_due: at + days * 24 * HOUR }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccidentGrade::*;

    fn g(deaths: i64, serious_injuries: i64, wan: i64) -> AccidentGrade {
        grade(&Toll { deaths, serious_injuries, loss_yuan: wan * 10_000 }, &GradeRules::STATE_COUNCIL_493)
    }

    #[test]
    fn every_boundary_of_article_three() {
        // Just below 较大 on each criterion.
        assert_eq!(g(2, 0, 0), Ordinary);
        assert_eq!(g(0, 9, 0), Ordinary);
        assert_eq!(g(0, 0, 999), Ordinary);
        assert_eq!(grade(&Toll { deaths: 0, serious_injuries: 0, loss_yuan: 9_999_999 }, &GradeRules::STATE_COUNCIL_493), Ordinary);
        // "以上" includes the number.
        assert_eq!(g(3, 0, 0), Larger);
        assert_eq!(g(0, 10, 0), Larger);
        assert_eq!(g(0, 0, 1000), Larger);
        assert_eq!((g(9, 0, 0), g(0, 49, 0), g(0, 0, 4999)), (Larger, Larger, Larger));
        assert_eq!(g(10, 0, 0), Major);
        assert_eq!(g(0, 50, 0), Major);
        assert_eq!(g(0, 0, 5000), Major);
        assert_eq!((g(29, 0, 0), g(0, 99, 0), g(0, 0, 9999)), (Major, Major, Major));
        assert_eq!(g(30, 0, 0), Extraordinary);
        assert_eq!(g(0, 100, 0), Extraordinary);
        assert_eq!(g(0, 0, 10000), Extraordinary);
    }

    #[test]
    fn the_highest_criterion_wins() {
        assert_eq!(g(2, 10, 0), Larger);
        assert_eq!(g(2, 9, 5000), Major);
        assert_eq!(g(9, 100, 0), Extraordinary);
        assert_eq!(g(0, 0, 0), Ordinary);
    }

    #[test]
    fn the_reporting_clock_runs_through_the_night() {
        use chrono::TimeZone;
        let r = ReportRules { unit_hours: 1, level_hours: 2, supplement_days: 30, supplement_days_road_fire: 7 };
        let at = crate::time::to_micros(crate::time::shanghai().with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap().with_timezone(&chrono::Utc));
        let c = report_clock(at, false, &r);
        let local = |m: i64| crate::time::format_local(m);
        assert_eq!(local(c.unit_due), "2027-01-01 00:30");
        assert_eq!(local(c.county_due), "2027-01-01 02:30");
        assert_eq!(local(c.city_due), "2027-01-01 04:30");
        assert_eq!(local(c.supplement_due), "2027-01-30 23:30");
        assert_eq!(local(report_clock(at, true, &r).supplement_due), "2027-01-07 23:30");
    }
}
