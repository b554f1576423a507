//! A task and a progress report as submitted, validated.

use crate::calendar::Calendar;
use crate::duty::str_enum;
use crate::error::{optional_text, required_text, DomainError, ErrorCode};
use crate::time::parse_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

str_enum!(
    /// 长期 or 当前: 既狠抓当前又着眼长远.
    Term {
        Current = "current",
        LongTerm = "long_term",
    }
);

str_enum!(
    /// A co-unit's part.
    CoRole {
        /// 责任单位.
        Responsible = "responsible",
        /// 配合单位.
        Cooperating = "cooperating",
    }
);

/// A task as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskInput {
    #[serde(default, deserialize_with = "crate::serde_util::opt_i64")]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub measures: String,
    /// 牵头领导 (a user with the leader role).
    #[serde(default, deserialize_with = "crate::serde_util::opt_i64")]
    pub lead_leader_id: Option<i64>,
    /// 牵头单位.
    #[serde(default, deserialize_with = "crate::serde_util::lenient_i64")]
    pub lead_unit_id: i64,
    #[serde(default)]
    pub responsible_unit_ids: Vec<i64>,
    #[serde(default)]
    pub cooperating_unit_ids: Vec<i64>,
    /// A date `YYYY-MM-DD` ...
    #[serde(default)]
    pub deadline: String,
    /// ... or N working days from assignment.
    #[serde(default, deserialize_with = "crate::serde_util::opt_i64")]
    pub deadline_working_days: Option<i64>,
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub weight: Option<f64>,
    /// (date, planned percent) pairs.
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
    /// 补录: a task entered after the fact may carry a deadline already past.
    #[serde(default, deserialize_with = "crate::serde_util::lenient_bool")]
    pub backfill: bool,
    #[serde(default)]
    pub remarks: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct MilestoneInput {
    pub date: String,
    pub percent: f64,
    #[serde(default)]
    pub title: String,
}

/// How the deadline is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeadlineSpec {
    Date(NaiveDate),
    WorkingDays(i64),
}

/// A validated task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewTask {
    pub parent_id: Option<i64>,
    pub title: String,
    pub measures: Option<String>,
    pub lead_leader_id: Option<i64>,
    pub lead_unit_id: i64,
    pub responsible_unit_ids: Vec<i64>,
    pub cooperating_unit_ids: Vec<i64>,
    pub deadline: DeadlineSpec,
    pub term: Term,
    pub weight: f64,
    pub milestones: Vec<(NaiveDate, f64, String)>,
    pub remarks: Option<String>,
}

impl TaskInput {
    pub fn validate(&self) -> Result<NewTask, DomainError> {
        let title = required_text("title", &self.title, 200)?;
        let measures = optional_text("measures", &self.measures, 4000)?;
        if self.lead_unit_id <= 0 {
            return Err(DomainError::required("lead_unit_id"));
        }
        let deadline = match (self.deadline.trim(), self.deadline_working_days) {
            ("", None) => return Err(DomainError::required("deadline")),
            ("", Some(n)) if (1..=2600).contains(&n) => DeadlineSpec::WorkingDays(n),
            ("", Some(_)) => return Err(DomainError::field(ErrorCode::OutOfRange, "deadline_working_days").with_detail("1..2600")),
            (d, _) => DeadlineSpec::Date(parse_date("deadline", d)?),
        };
        let term = if self.term.trim().is_empty() { Term::Current } else { Term::parse(&self.term).ok_or_else(|| DomainError::invalid("term"))? };
        let weight = self.weight.unwrap_or(1.0);
        if !(weight.is_finite() && (0.0..=100.0).contains(&weight) && weight > 0.0) {
            return Err(DomainError::field(ErrorCode::OutOfRange, "weight").with_detail("0..100"));
        }
        let mut milestones = Vec::new();
        let mut last = (None::<NaiveDate>, 0.0);
        for m in &self.milestones {
            if m.date.trim().is_empty() {
                continue;
            }
            let d = parse_date("milestones", &m.date)?;
            if !(0.0..=100.0).contains(&m.percent) || m.percent < last.1 || last.0.is_some_and(|l| d <= l) {
                return Err(DomainError::field(ErrorCode::Invalid, "milestones").with_detail(m.date.clone()));
            }
            last = (Some(d), m.percent);
            milestones.push((d, m.percent, optional_text("milestones", &m.title, 100)?.unwrap_or_default()));
        }
        if let (DeadlineSpec::Date(dl), Some((d, _, _))) = (deadline, milestones.last()) {
            if *d > dl {
                return Err(DomainError::field(ErrorCode::Invalid, "milestones").with_detail(d.to_string()));
            }
        }
        let mut responsible = self.responsible_unit_ids.clone();
        responsible.retain(|u| *u != self.lead_unit_id);
        responsible.dedup();
        let mut cooperating = self.cooperating_unit_ids.clone();
        cooperating.retain(|u| *u != self.lead_unit_id && !responsible.contains(u));
        cooperating.dedup();
        Ok(NewTask {
            parent_id: self.parent_id,
            title,
            measures,
            lead_leader_id: self.lead_leader_id,
            lead_unit_id: self.lead_unit_id,
            responsible_unit_ids: responsible,
            cooperating_unit_ids: cooperating,
            deadline,
            term,
            weight,
            milestones,
            remarks: optional_text("remarks", &self.remarks, 1000)?,
        })
    }
}

impl DeadlineSpec {
    /// The date, counting working days from `assigned_on` when the spec is relative.
    pub fn resolve(self, cal: &Calendar, assigned_on: NaiveDate) -> Result<NaiveDate, DomainError> {
        match self {
            DeadlineSpec::Date(d) => Ok(d),
            DeadlineSpec::WorkingDays(n) => cal.add_working_days(assigned_on, n),
        }
    }
}

/// A progress report as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportInput {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub percent: Option<f64>,
    /// The version of the task the reporter saw (optional: refused if it moved on).
    #[serde(default, deserialize_with = "crate::serde_util::opt_i64")]
    pub version: Option<i64>,
}

impl ReportInput {
    pub fn validate(&self) -> Result<(String, f64), DomainError> {
        let text = required_text("text", &self.text, 4000)?;
        let p = self.percent.ok_or_else(|| DomainError::required("percent"))?;
        if !(0.0..=100.0).contains(&p) || !p.is_finite() {
            return Err(DomainError::field(ErrorCode::OutOfRange, "percent").with_detail("0..100"));
        }
        Ok((text, p))
    }
}
