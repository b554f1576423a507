//! 考核 (assessment): indicators as data, scored from the duty core's counters, never from a
//! form the assessed unit fills in (整治形式主义为基层减负若干规定, 2024).
//!
//! A [`Scheme`] (考核方案) holds, for one year and one kind of unit (乡镇, 部门): its parts
//! (党建 and 经济社会发展, each a hundred points, weighted 30/70 or 35/65), its indicators
//! (code, name, formula over counted records, direction, target, weight, 文号), the bonus and
//! penalty rules (加扣分), the grade bands (优秀/良好/一般) and the minimum sample. Every change
//! is a new version. [`score`] computes a unit's scorecard from its [`Facts`]: the same facts
//! give the same card, whatever order the records came in.

mod score;
#[cfg(test)]
mod tests;

pub use score::{grade_of, score, Card, Fact, Facts, IndicatorScore, PartScore};

use crate::error::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

/// Higher or lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

/// What a term of a formula counts, from the core's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Opened in the period (交办, 受理).
    Opened,
    /// Closed in the period within its limit.
    OnTime,
    /// Closed in the period past its limit.
    Late,
    /// Closed in the period, on time, late or without a limit.
    Closed,
    /// Open now (a light other than done or none).
    Open,
    /// Open now and red (逾期 or far behind).
    Overdue,
    /// Every record of the kind as it stands now, whatever its state.
    Standing,
    /// Not a count: the sum of an amount the kind keeps on its records (`measure`: a project's
    /// `invested` by month and `planned` by year, in 元), in the period or standing now.
    Sum,
}

/// One term: records of a kind, counted by an event, narrowed by grade, state or flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub kind: String,
    pub event: Event,
    /// Only these grades (an appeal's rating, a hazard's grade); empty: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<String>,
    /// Only these states (for what stands now); empty: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<String>,
    /// Only flagged (重办, 退回) or only not; none: either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged: Option<bool>,
    /// The amount summed by [`Event::Sum`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
}

/// A formula: the sum of `num`'s terms over the sum of `den`'s (a share, 0 to 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Formula {
    pub num: Vec<Term>,
    pub den: Vec<Term>,
}

/// 指标: one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// The part (component) it scores in.
    pub part: String,
    /// What the value is in (`%`).
    pub unit: String,
    pub formula: Formula,
    pub direction: Direction,
    /// The target share (0 to 1): at or beyond it, the full weight.
    pub target: f64,
    /// Points within its part (a part's indicators sum to 100).
    pub weight: f64,
    /// 文号: where the indicator comes from.
    pub source: String,
}

/// 组成部分: a hundred-point part and its weight in the total (weights sum to 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub code: String,
    pub name: String,
    pub weight: f64,
}

/// 加扣分规则: a bonus (positive) or penalty (negative) rule, applied by the supervision office
/// with evidence; `cap` bounds its total in a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRule {
    pub code: String,
    pub name: String,
    pub points: f64,
    pub cap: f64,
    pub source: String,
}

/// 等次: a grade band, from `min` (inclusive) up to the next band's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub name: String,
    pub min: f64,
}

/// 考核方案: one year's scheme for one kind of unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    pub year: i32,
    /// `township` or `department` (unit kinds).
    pub unit_kind: String,
    pub title: String,
    /// 文号 of the scheme.
    pub source: String,
    /// An indicator whose denominator counts fewer records is 样本不足: left out, its weight
    /// shared among the part's others.
    pub min_sample: i64,
    pub parts: Vec<Part>,
    pub indicators: Vec<Indicator>,
    pub events: Vec<EventRule>,
    /// Highest first.
    pub bands: Vec<Band>,
}

impl Scheme {
    /// Check a scheme as an administrator submits it; the error names the field.
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |field: &str, detail: String| Err(DomainError::field(ErrorCode::Invalid, field).with_detail(detail));
        if !(2000..=2100).contains(&self.year) {
            return bad("year", self.year.to_string());
        }
        if !["township", "department"].contains(&self.unit_kind.as_str()) {
            return bad("unit_kind", self.unit_kind.clone());
        }
        if self.title.trim().is_empty() {
            return Err(DomainError::required("title"));
        }
        if self.min_sample < 1 {
            return bad("min_sample", self.min_sample.to_string());
        }
        let part_sum: f64 = self.parts.iter().map(|p| p.weight).sum();
        if self.parts.is_empty() || (part_sum - 100.0).abs() > 1e-6 {
            return bad("parts", format!("{part_sum}"));
        }
        for p in &self.parts {
            let sum: f64 = self.indicators.iter().filter(|i| i.part == p.code).map(|i| i.weight).sum();
            if (sum - 100.0).abs() > 1e-6 {
                return bad("indicators", format!("{}: {sum}", p.code));
            }
        }
        let mut codes: Vec<&str> = self.indicators.iter().map(|i| i.code.as_str()).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return bad("indicators", "code".into());
        }
        for i in &self.indicators {
            if !self.parts.iter().any(|p| p.code == i.part) || i.formula.num.is_empty() || i.formula.den.is_empty() {
                return bad("indicators", i.code.clone());
            }
            if !(0.0..=1.0).contains(&i.target) || i.weight <= 0.0 {
                return bad("indicators", i.code.clone());
            }
            // A sum names its amount; a count names none (and money is never mixed with counts).
            let terms: Vec<&Term> = i.formula.num.iter().chain(&i.formula.den).collect();
            if terms.iter().any(|t| (t.event == Event::Sum) != t.measure.is_some())
                || !terms.iter().all(|t| (t.event == Event::Sum) == (terms[0].event == Event::Sum))
            {
                return bad("indicators", i.code.clone());
            }
        }
        if self.bands.is_empty() || self.bands.windows(2).any(|w| w[0].min <= w[1].min) || self.bands.last().is_some_and(|b| b.min > 0.0) {
            return bad("bands", String::new());
        }
        for e in &self.events {
            if e.points == 0.0 || e.cap <= 0.0 {
                return bad("events", e.code.clone());
            }
        }
        Ok(())
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }
}

/// The schemes luoshi ships (`data/assessment.json`), checked.
pub fn shipped() -> Result<Vec<Scheme>, DomainError> {
    let all: Vec<Scheme> = serde_json::from_str(include_str!("../../data/assessment.json"))
        .map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(format!("assessment.json: {e}")))?;
    for s in &all {
        s.check()?;
    }
    Ok(all)
}

crate::duty::str_enum!(
    /// 申诉: where a unit's objection against a figure stands.
    ObjectionState {
        /// 待处理.
        Open = "open",
        /// 采纳: the figure is corrected by an adjustment, in the trail.
        Upheld = "upheld",
        /// 不予采纳.
        Rejected = "rejected",
    }
);
