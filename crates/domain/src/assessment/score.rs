//! A unit's scorecard from its counted records, computed the same way every time.

use super::{Band, Direction, Event, Scheme, Term};
use serde::Serialize;

/// One counter of the unit's (the core's bucket, summed over the unit's subtree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub kind: String,
    /// '' for what stands now, `YYYY-MM` for a month.
    pub period: String,
    pub event: String,
    pub state: String,
    pub light: String,
    pub grade: String,
    pub flagged: bool,
    pub n: i64,
}

/// What a unit's card is computed from: its counters, and the months (`YYYY-MM`, inclusive)
/// of the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub rows: Vec<Fact>,
    pub from: String,
    pub to: String,
}

const OPEN_LIGHTS: [&str; 4] = ["green", "blue", "yellow", "red"];

impl Facts {
    fn in_period(&self, f: &Fact) -> bool {
        crate::duty::within(&f.period, &self.from, &self.to)
    }

    /// Whether a term counts money (every term of a formula does, or none).
    fn money(terms: &[Term]) -> bool {
        terms.iter().any(|t| t.event == Event::Sum)
    }

    /// How many records a term counts.
    pub fn count(&self, t: &Term) -> i64 {
        self.rows
            .iter()
            .filter(|f| f.kind == t.kind)
            .filter(|f| match t.event {
                Event::Opened => f.event == "opened" && self.in_period(f),
                Event::OnTime => f.event == "on_time" && self.in_period(f),
                Event::Late => f.event == "late" && self.in_period(f),
                Event::Closed => ["on_time", "late", "closed"].contains(&f.event.as_str()) && self.in_period(f),
                Event::Open => f.event == "now" && OPEN_LIGHTS.contains(&f.light.as_str()),
                Event::Overdue => f.event == "now" && f.light == "red",
                Event::Standing => f.event == "now",
                Event::Sum => {
                    t.measure.as_ref().is_some_and(|m| f.event.strip_prefix("sum:") == Some(m.as_str())) && (f.period.is_empty() || self.in_period(f))
                }
            })
            .filter(|f| t.grades.is_empty() || t.grades.contains(&f.grade))
            .filter(|f| t.states.is_empty() || t.states.contains(&f.state))
            .filter(|f| t.flagged.is_none_or(|want| want == f.flagged))
            .map(|f| f.n)
            .sum()
    }

    fn sum(&self, terms: &[Term]) -> i64 {
        terms.iter().map(|t| self.count(t)).sum()
    }
}

/// One indicator on a card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub num: i64,
    pub den: i64,
    /// num / den, none with nothing to count.
    pub value: Option<f64>,
    pub target: f64,
    pub direction: Direction,
    pub weight: f64,
    /// Points earned of `weight` (before the part is scaled); none when 样本不足.
    pub points: Option<f64>,
}

/// One part on a card: its hundred-point score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartScore {
    pub code: String,
    pub name: String,
    pub weight: f64,
    /// Out of 100: the points of the indicators with a sample over their weights; none when no
    /// indicator of the part has one.
    pub score: Option<f64>,
    pub indicators: Vec<IndicatorScore>,
}

/// A unit's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    pub parts: Vec<PartScore>,
    /// The adjustments (加扣分) by rule, each capped: (rule code, name, points).
    pub adjustments: Vec<(String, String, f64)>,
    /// Parts weighted, plus adjustments, to 0.1; none when a part is 样本不足.
    pub total: Option<f64>,
    pub grade: Option<String>,
}

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// How much of its weight an indicator earns: higher is better: value over target, at most
/// all; lower is better: all at or under the target, else what is left above it over what the
/// target leaves (a 重办 rate of 10 % against a target of 5 % earns 0.9 / 0.95).
fn achieved(value: f64, target: f64, d: Direction) -> f64 {
    match d {
        Direction::Higher if target <= 0.0 => 1.0,
        Direction::Higher => (value / target).clamp(0.0, 1.0),
        Direction::Lower if value <= target => 1.0,
        Direction::Lower if target >= 1.0 => 1.0,
        Direction::Lower => ((1.0 - value) / (1.0 - target)).clamp(0.0, 1.0),
    }
}

/// The card of a unit with these facts and these adjustments ((rule code, points) as entered).
pub fn score(s: &Scheme, facts: &Facts, adjustments: &[(String, f64)]) -> Card {
    let parts: Vec<PartScore> = s
        .parts
        .iter()
        .map(|p| {
            let indicators: Vec<IndicatorScore> = s
                .indicators
                .iter()
                .filter(|i| i.part == p.code)
                .map(|i| {
                    let (num, den) = (facts.sum(&i.formula.num), facts.sum(&i.formula.den));
                    let value = (den > 0).then(|| num as f64 / den as f64);
                    // The minimum sample counts records; a sum of money needs only something planned.
                    let enough = Facts::money(&i.formula.den) || den >= s.min_sample;
                    let points = value.filter(|_| enough).map(|v| i.weight * achieved(v, i.target, i.direction));
                    IndicatorScore {
                        code: i.code.clone(),
                        name: i.name.clone(),
                        num,
                        den,
                        value,
                        target: i.target,
                        direction: i.direction,
                        weight: i.weight,
                        points,
                    }
                })
                .collect();
            let counted: f64 = indicators.iter().filter(|i| i.points.is_some()).map(|i| i.weight).sum();
            let earned: f64 = indicators.iter().filter_map(|i| i.points).sum();
            let score = (counted > 0.0).then(|| tenth(earned / counted * 100.0));
            PartScore { code: p.code.clone(), name: p.name.clone(), weight: p.weight, score, indicators }
        })
        .collect();
    let adjustments: Vec<(String, String, f64)> = s
        .events
        .iter()
        .filter_map(|r| {
            let sum: f64 = adjustments.iter().filter(|(c, _)| *c == r.code).map(|(_, p)| *p).sum();
            (sum != 0.0).then(|| (r.code.clone(), r.name.clone(), sum.clamp(-r.cap, r.cap)))
        })
        .collect();
    let weighted: Option<f64> = parts.iter().map(|p| p.score.map(|x| x * p.weight / 100.0)).sum();
    let total = weighted.map(|w| tenth(w + adjustments.iter().map(|a| a.2).sum::<f64>()));
    let grade = total.and_then(|t| grade_of(&s.bands, t)).map(str::to_string);
    Card { parts, adjustments, total, grade }
}

/// The band a total falls in (bands highest first; a band holds its lower edge: 90.0 is in the
/// band from 90, 80.0 in the band from 80).
pub fn grade_of(bands: &[Band], total: f64) -> Option<&str> {
    let t = tenth(total);
    bands.iter().find(|b| t >= b.min - 1e-9).map(|b| b.name.as_str())
}
