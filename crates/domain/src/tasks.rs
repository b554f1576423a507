//! 任务 (tasks): the duties of a directive, the first kind of duty. Their workflow (立项 → 交办 →
//! 承办 → 申请办结 → 退回重办/办结), task and report validation, planned progress (序时进度), the
//! extension rule and the six conditions of 容错免责. Light, ladder and clock are the core's
//! (`crate::duty`), fed with a task's facts here.

use crate::calendar::Calendar;
use crate::duty::{str_enum, LadderRules, Light, LightRules, NoticeLevel, Phase, Standing, Workflow};
use crate::error::{optional_text, required_text, DomainError, ErrorCode};
use crate::time::parse_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

str_enum!(
    /// Where a duty stands.
    State {
        /// 立项: registered, not yet handed to a unit.
        Draft = "draft",
        /// 交办: handed to the owner unit, waiting for it to sign.
        Assigned = "assigned",
        /// 承办: the unit signed and is working on it.
        Signed = "signed",
        /// 申请办结: the unit asks for closure; the supervision office reviews.
        ClosureRequested = "closure_requested",
        /// 退回重办: returned for rework, with a reason.
        Returned = "returned",
        /// 办结: closed.
        Closed = "closed",
    }
);

impl State {
    pub fn is_open(self) -> bool {
        !matches!(self, State::Closed | State::Draft)
    }
}

str_enum!(
    /// What someone does to a duty.
    Action {
        /// 交办 (supervision office).
        Assign = "assign",
        /// 签收 (owner unit).
        Sign = "sign",
        /// 申请办结 (owner unit).
        RequestClosure = "request_closure",
        /// 审核通过，办结 (supervision office).
        Accept = "accept",
        /// 退回重办 (supervision office; a reason is required).
        Return = "return",
    }
);

/// Who may take an action: the supervision office or the owner unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Supervisor,
    Owner,
}

impl Action {
    pub fn side(self) -> Side {
        match self {
            Action::Assign | Action::Accept | Action::Return => Side::Supervisor,
            Action::Sign | Action::RequestClosure => Side::Owner,
        }
    }

    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Return)
    }

    /// The state after the action, or a `conflict` naming the state.
    pub fn apply(self, from: State) -> Result<State, DomainError> {
        use State as S;
        let to = match (self, from) {
            (Action::Assign, S::Draft) => S::Assigned,
            (Action::Sign, S::Assigned) => S::Signed,
            (Action::RequestClosure, S::Signed | S::Returned) => S::ClosureRequested,
            (Action::Accept, S::ClosureRequested) => S::Closed,
            (Action::Return, S::ClosureRequested) => S::Returned,
            _ => return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str().to_string())),
        };
        Ok(to)
    }
}

/// The task kind's workflow, for the core.
pub struct TaskFlow;

impl Workflow for TaskFlow {
    const KIND: &'static str = "task";
    type State = State;
    type Action = Action;
    type Side = Side;
    type Facts = ();

    fn states() -> &'static [State] {
        State::ALL
    }
    fn name(s: State) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [Action] {
        Action::ALL
    }
    fn phase(state: State) -> Phase {
        match state {
            State::Draft => Phase::Drafted,
            State::Assigned | State::Signed | State::Returned => Phase::Running,
            State::ClosureRequested => Phase::UnderReview,
            State::Closed => Phase::Done,
        }
    }
    fn side(action: Action) -> Side {
        action.side()
    }
    fn apply(action: Action, from: State, _: &()) -> Result<State, DomainError> {
        action.apply(from)
    }
}

/// May the owner unit report progress in this state?
pub fn may_report(state: State) -> bool {
    matches!(state, State::Signed | State::Returned)
}

/// Planned progress (序时进度) on `today`, in percent: the highest milestone share already due;
/// without milestones, the share of the time from assignment to deadline that has passed.
pub fn planned_progress(milestones: &[(NaiveDate, f64)], assigned_on: Option<NaiveDate>, deadline: NaiveDate, today: NaiveDate) -> f64 {
    if today >= deadline {
        return 100.0;
    }
    if !milestones.is_empty() {
        return milestones.iter().filter(|(d, _)| *d <= today).map(|(_, p)| *p).fold(0.0, f64::max);
    }
    let Some(start) = assigned_on else { return 0.0 };
    let total = (deadline - start).num_days();
    if total <= 0 || today <= start {
        return 0.0;
    }
    let passed = (today - start).num_days();
    (passed as f64 / total as f64 * 100.0).clamp(0.0, 100.0)
}

/// The light of a task on `today`: the core's light, fed with the task's facts (its deadline
/// ends at that day's midnight; `working_days_left` from today to the deadline).
pub fn light(state: State, today: NaiveDate, deadline: NaiveDate, progress: f64, planned: f64, working_days_left: i64, r: &LightRules) -> Light {
    let start_of_today = crate::duty::end_of_day(today.pred_opt().unwrap_or(today));
    crate::duty::light(
        &Standing {
            phase: TaskFlow::phase(state),
            clock_runs: TaskFlow::clock_runs(state),
            due: Some(crate::duty::end_of_day(deadline)),
            now: start_of_today,
            working_days_left: Some(working_days_left),
            behind_points: planned - progress,
            flagged: false,
        },
        r,
    )
}

str_enum!(
    /// 评价: the supervision office's grade of a closed task.
    Grade {
        Excellent = "excellent",
        Good = "good",
        Fair = "fair",
        Poor = "poor",
    }
);

/// The largest attachment accepted (10 MiB).
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// Check an attachment's name and size; returns its content type (by extension, from a short
/// list of what government offices exchange).
pub fn check_attachment(name: &str, size: usize) -> Result<(String, &'static str), DomainError> {
    let name = required_text("name", name, 120)?;
    // Bidirectional controls make "报告\u{202E}fdp.exe" read as "报告exe.pdf"; control
    // characters have no place in a file name either.
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}');
    if name.contains(['/', '\\']) || name.starts_with('.') || name.chars().any(|c| bidi(c) || c.is_control()) {
        return Err(DomainError::invalid("name"));
    }
    if size == 0 {
        return Err(DomainError::required("file"));
    }
    if size > MAX_ATTACHMENT {
        return Err(DomainError::field(ErrorCode::TooLarge, "file").with_detail("10 MiB"));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let ct = match ext.as_str() {
        "pdf" => "application/pdf",
        "ofd" => "application/ofd",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "wps" => "application/vnd.ms-works",
        "zip" => "application/zip",
        _ => return Err(DomainError::invalid("file").with_detail(ext)),
    };
    Ok((name, ct))
}

/// The rungs of the ladder a task has reached (the core's ladder for the task's phase).
pub fn ladder(state: State, working_days_left: i64, r: &LadderRules) -> Vec<NoticeLevel> {
    crate::duty::ladder(TaskFlow::phase(state), TaskFlow::clock_runs(state), working_days_left, r)
}

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

/// An extension request (延期申请): filed before the deadline, with a reason and a later date.
pub fn check_extension(today: NaiveDate, deadline: NaiveDate, new_deadline: NaiveDate, reason: &str, used: i64, max: i64) -> Result<String, DomainError> {
    let reason = required_text("reason", reason, 1000)?;
    if today > deadline {
        return Err(DomainError::field(ErrorCode::Conflict, "deadline").with_detail(deadline.to_string()));
    }
    if new_deadline <= deadline {
        return Err(DomainError::field(ErrorCode::Invalid, "new_deadline").with_detail(new_deadline.to_string()));
    }
    if used >= max {
        return Err(DomainError::field(ErrorCode::OutOfRange, "new_deadline").with_detail(format!("≤ {max}")));
    }
    Ok(reason)
}

/// The six conditions of 容错免责 (rules-cn.md §8); all must hold, each with evidence.
pub const EXEMPTION_CONDITIONS: [(&str, &str, &str); 6] = [
    ("lawful", "遵纪守法：符合决策部署，未违反禁止性规定", "Lawful: within the decisions, no prohibition broken"),
    ("duty", "改革创新、履职需要", "Reform, innovation or the needs of the duty"),
    ("diligent", "勤勉尽责：无主观故意，已履职尽责", "Diligent: no intent, duty done"),
    ("public_interest", "出于公心：未谋取私利", "In the public interest: no private gain"),
    ("due_process", "程序正当：经集体决策或事后及时报告", "Due process: collective decision or prompt report"),
    ("corrected", "知错就改：积极纠错、挽回损失", "Corrected: errors fixed, losses recovered"),
];

str_enum!(
    /// The procedure of an exemption application: 申请 → 受理 → 核实 → 集体认定 → 结果.
    ExemptionState {
        Applied = "applied",
        Accepted = "accepted",
        Verified = "verified",
        Exempted = "exempted",
        NotExempted = "not_exempted",
        Rejected = "rejected",
    }
);

/// One condition as claimed and verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub key: String,
    pub met: bool,
    #[serde(default)]
    pub evidence: String,
}

/// Check a decision: an exemption may be granted only if every condition is met with evidence.
pub fn check_exemption_decision(conditions: &[Condition], exempt: bool) -> Result<(), DomainError> {
    if !exempt {
        return Ok(());
    }
    for (key, _, _) in EXEMPTION_CONDITIONS {
        let ok = conditions.iter().any(|c| c.key == key && c.met && !c.evidence.trim().is_empty());
        if !ok {
            return Err(DomainError::field(ErrorCode::Invalid, "conditions").with_detail(key.to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const R: LightRules = LightRules { due_soon: crate::duty::DueSoon::WorkingDays(3), yellow_behind_points: 10.0, red_behind_points: 30.0 };

    #[test]
    fn state_machine() {
        assert_eq!(Action::Assign.apply(State::Draft).unwrap(), State::Assigned);
        assert_eq!(Action::Sign.apply(State::Assigned).unwrap(), State::Signed);
        assert_eq!(Action::RequestClosure.apply(State::Signed).unwrap(), State::ClosureRequested);
        assert_eq!(Action::Return.apply(State::ClosureRequested).unwrap(), State::Returned);
        assert_eq!(Action::RequestClosure.apply(State::Returned).unwrap(), State::ClosureRequested);
        assert_eq!(Action::Accept.apply(State::ClosureRequested).unwrap(), State::Closed);
        let e = Action::Sign.apply(State::Closed).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Conflict, Some("state")));
        assert!(Action::Accept.apply(State::Signed).is_err());
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(*s));
        }
    }

    /// The whole workflow, every state against every action: each state but the first is
    /// reached, each action is used, the closed state is final, and the phases agree.
    #[test]
    fn every_state_against_every_action() {
        let t = crate::duty::table::<TaskFlow>();
        assert_eq!(t.len(), State::ALL.len() * Action::ALL.len());
        for s in State::ALL.iter().filter(|s| **s != State::Draft) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        for a in Action::ALL {
            assert!(t.iter().any(|(_, x, to)| x == a && to.is_some()), "{a:?} never applies");
        }
        assert!(t.iter().filter(|(from, _, _)| *from == State::Closed).all(|(_, _, to)| to.is_none()));
        for s in State::ALL {
            assert_eq!(s.is_open(), TaskFlow::phase(*s).is_open(), "{s:?}");
        }
        assert_eq!(crate::duty::may::<TaskFlow>(State::ClosureRequested, &[Side::Supervisor]), vec![Action::Accept, Action::Return]);
        assert!(crate::duty::may::<TaskFlow>(State::ClosureRequested, &[Side::Owner]).is_empty());
    }

    #[test]
    fn lights_follow_rules() {
        let dl = d("2026-06-30");
        assert_eq!(light(State::Signed, d("2026-06-01"), dl, 50.0, 50.0, 20, &R), Light::Green);
        assert_eq!(light(State::Signed, d("2026-06-26"), dl, 90.0, 95.0, 2, &R), Light::Blue);
        assert_eq!(light(State::Signed, d("2026-06-01"), dl, 35.0, 50.0, 20, &R), Light::Yellow);
        assert_eq!(light(State::Signed, d("2026-06-01"), dl, 10.0, 50.0, 20, &R), Light::Red);
        assert_eq!(light(State::Signed, d("2026-07-01"), dl, 100.0, 100.0, -1, &R), Light::Red);
        assert_eq!(light(State::Closed, d("2026-07-01"), dl, 100.0, 100.0, -1, &R), Light::Done);
        // Rules are data: a stricter red threshold changes the answer.
        let strict = LightRules { red_behind_points: 10.0, ..R };
        assert_eq!(light(State::Signed, d("2026-06-01"), dl, 35.0, 50.0, 20, &strict), Light::Red);
    }

    #[test]
    fn planned_progress_from_milestones_or_time() {
        let ms = [(d("2026-03-31"), 25.0), (d("2026-06-30"), 50.0), (d("2026-09-30"), 75.0)];
        assert_eq!(planned_progress(&ms, None, d("2026-12-31"), d("2026-07-01")), 50.0);
        assert_eq!(planned_progress(&ms, None, d("2026-12-31"), d("2026-01-01")), 0.0);
        let p = planned_progress(&[], Some(d("2026-01-01")), d("2026-01-11"), d("2026-01-06"));
        assert!((p - 50.0).abs() < 0.01);
        assert_eq!(planned_progress(&[], Some(d("2026-01-01")), d("2026-01-11"), d("2026-02-01")), 100.0);
    }

    #[test]
    fn ladder_levels() {
        let r = LadderRules { reminder_before_working_days: 1, notice_after_working_days: 1, report_after_working_days: 5 };
        assert!(ladder(State::Signed, 5, &r).is_empty());
        assert_eq!(ladder(State::Signed, 1, &r), vec![NoticeLevel::Reminder]);
        assert_eq!(ladder(State::Signed, -1, &r), vec![NoticeLevel::Reminder, NoticeLevel::Notice]);
        assert_eq!(ladder(State::Assigned, -5, &r), vec![NoticeLevel::Reminder, NoticeLevel::Notice, NoticeLevel::Report]);
        assert!(ladder(State::Closed, -9, &r).is_empty());
        assert!(ladder(State::ClosureRequested, -9, &r).is_empty());
        assert!(!ladder(State::Signed, -9, &r).contains(&NoticeLevel::ReportDue));
    }

    #[test]
    fn attachments_are_checked() {
        assert_eq!(check_attachment("验收报告.pdf", 1000).unwrap().1, "application/pdf");
        assert_eq!(check_attachment("照片.JPG", 10).unwrap().1, "image/jpeg");
        assert_eq!(check_attachment("x.exe", 10).unwrap_err().field.as_deref(), Some("file"));
        assert_eq!(check_attachment("a.pdf", MAX_ATTACHMENT + 1).unwrap_err().code, ErrorCode::TooLarge);
        assert_eq!(check_attachment("../a.pdf", 10).unwrap_err().field.as_deref(), Some("name"));
        for tricky in ["报告\u{202E}fdp.exe", "a\u{2066}b.pdf", "a\u{200F}.pdf", "a\nb.pdf"] {
            assert_eq!(check_attachment(tricky, 10).unwrap_err().field.as_deref(), Some("name"), "{tricky:?}");
        }
        assert_eq!(check_attachment("a.pdf", 0).unwrap_err().code, ErrorCode::Required);
    }

    #[test]
    fn task_validation_names_fields() {
        let ok = TaskInput {
            title: "围绕发展抓改革".into(),
            lead_unit_id: 5,
            deadline: "2026-12-31".into(),
            responsible_unit_ids: vec![5, 6, 6],
            ..Default::default()
        };
        let t = ok.validate().unwrap();
        assert_eq!(t.responsible_unit_ids, vec![6]);
        assert_eq!(t.term, Term::Current);
        let e = TaskInput { title: " ".into(), ..ok.clone() }.validate().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
        let e = TaskInput { deadline: "".into(), ..ok.clone() }.validate().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Required, Some("deadline")));
        let e = TaskInput { deadline: "2026-13-01".into(), ..ok.clone() }.validate().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("deadline"));
        let rel = TaskInput { deadline: "".into(), deadline_working_days: Some(15), ..ok.clone() }.validate().unwrap();
        assert_eq!(rel.deadline, DeadlineSpec::WorkingDays(15));
        let bad_ms = TaskInput {
            milestones: vec![
                MilestoneInput { date: "2026-06-30".into(), percent: 60.0, title: String::new() },
                MilestoneInput { date: "2026-09-30".into(), percent: 40.0, title: String::new() },
            ],
            ..ok.clone()
        };
        assert_eq!(bad_ms.validate().unwrap_err().field.as_deref(), Some("milestones"));
        let e = TaskInput { lead_unit_id: 0, ..ok }.validate().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("lead_unit_id"));
    }

    #[test]
    fn extensions_must_come_before_the_deadline() {
        let r = check_extension(d("2026-06-01"), d("2026-06-30"), d("2026-07-31"), "等待省级批复", 0, 2).unwrap();
        assert_eq!(r, "等待省级批复");
        assert_eq!(check_extension(d("2026-07-01"), d("2026-06-30"), d("2026-07-31"), "x", 0, 2).unwrap_err().code, ErrorCode::Conflict);
        assert_eq!(check_extension(d("2026-06-01"), d("2026-06-30"), d("2026-06-30"), "x", 0, 2).unwrap_err().field.as_deref(), Some("new_deadline"));
        assert_eq!(check_extension(d("2026-06-01"), d("2026-06-30"), d("2026-07-30"), " ", 0, 2).unwrap_err().field.as_deref(), Some("reason"));
        assert_eq!(check_extension(d("2026-06-01"), d("2026-06-30"), d("2026-07-30"), "x", 2, 2).unwrap_err().code, ErrorCode::OutOfRange);
    }

    #[test]
    fn exemption_needs_all_six_with_evidence() {
        let mut cs: Vec<Condition> =
            EXEMPTION_CONDITIONS.iter().map(|(k, _, _)| Condition { key: (*k).into(), met: true, evidence: "会议纪要".into() }).collect();
        assert!(check_exemption_decision(&cs, true).is_ok());
        cs[4].evidence.clear();
        assert_eq!(check_exemption_decision(&cs, true).unwrap_err().detail.as_deref(), Some("due_process"));
        assert!(check_exemption_decision(&cs, false).is_ok());
    }
}
