use super::*;
use crate::duty::{LadderRules, Light, LightRules, NoticeLevel, Workflow};
use crate::error::ErrorCode;
use chrono::NaiveDate;

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
    assert_eq!(ladder(State::Signed, -1, &r), vec![NoticeLevel::Notice]);
    assert_eq!(ladder(State::Assigned, -5, &r), vec![NoticeLevel::Report]);
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
    let ok =
        TaskInput {
            title: "围绕发展抓改革".into(), lead_unit_id: 5, deadline: "2026-12-31".into(), responsible_unit_ids: vec![5, 6, 6], ..Default::default()
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
    let mut cs: Vec<Condition> = EXEMPTION_CONDITIONS.iter().map(|(k, _, _)| Condition { key: (*k).into(), met: true, evidence: "会议纪要".into() }).collect();
    assert!(check_exemption_decision(&cs, ExemptionState::Exempted).is_ok());
    cs[4].evidence.clear();
    let e = check_exemption_decision(&cs, ExemptionState::Exempted).unwrap_err();
    assert_eq!(e.detail.as_deref(), Some("due_process"));
    // Said in words: which condition, and what may be decided instead.
    let msg = crate::i18n::error_message(crate::i18n::Lang::ZhCn, &e);
    assert!(msg.contains("程序正当") && msg.contains("从轻减轻") && !msg.contains("due_process"), "{msg}");
    assert_eq!(unmet_conditions(&cs), ["due_process"]);
    // Five of six: a lighter consequence may be decided; none met: it may not.
    assert!(check_exemption_decision(&cs, ExemptionState::Mitigated).is_ok());
    assert!(check_exemption_decision(&cs, ExemptionState::NotExempted).is_ok());
    let none: Vec<Condition> = Vec::new();
    assert_eq!(check_exemption_decision(&none, ExemptionState::Mitigated).unwrap_err().field.as_deref(), Some("mitigation"));
}
