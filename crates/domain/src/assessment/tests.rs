use super::score::Fact;
use super::*;

fn fact(kind: &str, period: &str, event: &str, light: &str, grade: &str, flagged: bool, n: i64) -> Fact {
    Fact { kind: kind.into(), period: period.into(), event: event.into(), state: String::new(), light: light.into(), grade: grade.into(), flagged, n }
}

fn facts(rows: Vec<Fact>) -> Facts {
    Facts { rows, from: "2026-01".into(), to: "2026-12".into() }
}

fn township() -> Scheme {
    shipped().unwrap().into_iter().find(|s| s.unit_kind == "township").unwrap()
}

/// A scheme of two parts, each one indicator of on-time closure, weighted `a`/`b`.
fn two_parts(a: f64, b: f64) -> Scheme {
    let mut s = township();
    s.parts[0].weight = a;
    s.parts[1].weight = b;
    let t = s.indicators.iter().find(|i| i.code == "task_on_time").unwrap().clone();
    let ap = s.indicators.iter().find(|i| i.code == "appeal_on_time").unwrap().clone();
    s.indicators =
        vec![Indicator { part: "work".into(), weight: 100.0, target: 1.0, ..t }, Indicator { part: "people".into(), weight: 100.0, target: 1.0, ..ap }];
    s.check().unwrap();
    s
}

#[test]
fn the_shipped_schemes_hold() {
    let all = shipped().unwrap();
    assert_eq!(all.len(), 2);
    for s in &all {
        assert!(s.check().is_ok(), "{}", s.title);
    }
}

#[test]
fn parts_weighted_30_70_and_35_65() {
    // 90 in one part and 80 in the other.
    let f = facts(vec![
        fact("task", "2026-03", "on_time", "", "", false, 9),
        fact("task", "2026-04", "late", "", "", false, 1),
        fact("appeal", "2026-05", "on_time", "", "", false, 8),
        fact("appeal", "2026-05", "late", "", "", false, 2),
    ]);
    let card = score(&two_parts(30.0, 70.0), &f, &[]);
    assert_eq!(card.parts.iter().map(|p| p.score).collect::<Vec<_>>(), vec![Some(90.0), Some(80.0)]);
    assert_eq!(card.total, Some(83.0));
    assert_eq!(score(&two_parts(35.0, 65.0), &f, &[]).total, Some(83.5));
}

#[test]
fn bands_hold_their_lower_edge() {
    let bands = township().bands;
    assert_eq!(grade_of(&bands, 90.0), Some("优秀"));
    assert_eq!(grade_of(&bands, 89.96), Some("优秀")); // 90.0 to a tenth
    assert_eq!(grade_of(&bands, 89.9), Some("良好"));
    assert_eq!(grade_of(&bands, 80.0), Some("良好"));
    assert_eq!(grade_of(&bands, 79.9), Some("一般"));
}

#[test]
fn open_overdue_items_count_against_the_rate() {
    let s = two_parts(30.0, 70.0);
    let f = facts(vec![
        fact("task", "2026-03", "on_time", "", "", false, 10),
        fact("task", "", "now", "red", "", false, 10),
        fact("appeal", "2026-03", "on_time", "", "", false, 10),
    ]);
    let card = score(&s, &f, &[]);
    let task = &card.parts[0].indicators[0];
    assert_eq!((task.num, task.den, task.value), (10, 20, Some(0.5)));
    assert_eq!(card.parts[0].score, Some(50.0));
}

#[test]
fn too_small_a_sample_is_not_scored() {
    let s = two_parts(30.0, 70.0);
    // One of one on time: 样本不足, so the unit is not scored (and cannot outrank 95 of 100).
    let small = score(&s, &facts(vec![fact("task", "2026-03", "on_time", "", "", false, 1), fact("appeal", "2026-03", "on_time", "", "", false, 1)]), &[]);
    assert_eq!(small.parts[0].indicators[0].value, Some(1.0));
    assert_eq!((small.parts[0].score, small.total, small.grade.as_deref()), (None, None, None));
    let big = score(
        &s,
        &facts(vec![
            fact("task", "2026-03", "on_time", "", "", false, 95),
            fact("task", "2026-03", "late", "", "", false, 5),
            fact("appeal", "2026-03", "on_time", "", "", false, 100),
        ]),
        &[],
    );
    assert_eq!(big.total, Some(98.5));
    assert_eq!(crate::duty::places(&[small.total, big.total]), vec![None, Some(1)]);
}

#[test]
fn an_indicator_without_sample_gives_its_weight_to_the_others() {
    let s = township();
    // Tasks only in the work part: emergency and livelihood indicators have nothing.
    let f = facts(vec![fact("task", "2026-02", "on_time", "", "", false, 19), fact("task", "2026-02", "late", "", "", false, 1)]);
    let card = score(&s, &f, &[]);
    assert_eq!(card.parts[0].score, Some(100.0)); // 95 % against a target of 95 %: all of its weight
    assert!(card.parts[0].indicators.iter().filter(|i| i.code != "task_on_time").all(|i| i.points.is_none()));
    assert_eq!(card.total, None); // nothing in the people part
}

#[test]
fn satisfaction_redo_and_rectification_from_grades_and_flags() {
    let s = township();
    let f = facts(vec![
        fact("appeal", "2026-06", "on_time", "", "satisfied", false, 16),
        fact("appeal", "2026-06", "on_time", "", "basic", true, 2),
        fact("appeal", "2026-06", "late", "", "unsatisfied", true, 2),
        fact("appeal", "2026-07", "closed", "", "", false, 5), // not rated: out of the satisfaction share
        fact("hazard", "2026-06", "on_time", "", "major", false, 18),
        fact("hazard", "", "now", "green", "general", false, 2),
        fact("hazard", "", "now", "done", "general", false, 40), // closed before the period stands, not counted
    ]);
    let card = score(&s, &f, &[]);
    let by = |code: &str| card.parts[1].indicators.iter().find(|i| i.code == code).unwrap().clone();
    assert_eq!((by("appeal_satisfaction").num, by("appeal_satisfaction").den), (18, 20));
    assert_eq!((by("appeal_redo").num, by("appeal_redo").den), (4, 25));
    assert_eq!((by("hazard_rectified").num, by("hazard_rectified").den), (18, 20));
    // 重办 16 % against 5 % (lower is better): 0.84 / 0.95 of its weight.
    let redo = by("appeal_redo").points.unwrap();
    assert!((redo - 10.0 * 0.84 / 0.95).abs() < 1e-9, "{redo}");
}

#[test]
fn adjustments_are_capped_by_rule_and_the_same_facts_give_the_same_card() {
    let s = two_parts(30.0, 70.0);
    let rows = vec![
        fact("task", "2026-03", "on_time", "", "", false, 9),
        fact("task", "2026-04", "late", "", "", false, 1),
        fact("appeal", "2026-05", "on_time", "", "", false, 10),
    ];
    let adj = vec![("praise".to_string(), 1.0), ("praise".to_string(), 1.0), ("praise".to_string(), 1.5), ("criticism".to_string(), -1.0)];
    let card = score(&s, &facts(rows.clone()), &adj);
    assert_eq!(card.adjustments.iter().map(|a| a.2).collect::<Vec<_>>(), vec![3.0, -1.0]);
    assert_eq!(card.total, Some(97.0 + 2.0));
    let mut reversed = rows;
    reversed.reverse();
    assert_eq!(score(&s, &facts(reversed), &adj), card);
}

#[test]
fn a_bad_scheme_names_the_field() {
    let mut s = township();
    s.parts[0].weight = 40.0;
    assert_eq!(s.check().unwrap_err().field.as_deref(), Some("parts"));
    let mut s = township();
    s.indicators[0].weight = 10.0;
    assert_eq!(s.check().unwrap_err().field.as_deref(), Some("indicators"));
    let mut s = township();
    s.bands.reverse();
    assert_eq!(s.check().unwrap_err().field.as_deref(), Some("bands"));
}

#[test]
fn sums_of_money_read_months_and_the_year_and_need_no_sample() {
    let dept = shipped().unwrap().into_iter().find(|s| s.unit_kind == "department").unwrap();
    let inv = dept.indicator("project_investment").unwrap();
    let f = facts(vec![
        fact("project", "2026", "sum:planned", "", "", false, 1_000_000),
        fact("project", "2025", "sum:planned", "", "", false, 9_000_000),
        fact("project", "2026-03", "sum:invested", "", "", false, 300_000),
        fact("project", "2026-11", "sum:invested", "", "", false, 200_000),
        fact("project", "2025-12", "sum:invested", "", "", false, 7_000_000),
        // A count is never a sum.
        fact("project", "2026-03", "on_time", "", "", false, 4),
    ]);
    assert_eq!((f.count(&inv.formula.num[0]), f.count(&inv.formula.den[0])), (500_000, 1_000_000));
    let card = score(&dept, &f, &[]);
    let line = card.parts.iter().flat_map(|p| &p.indicators).find(|i| i.code == "project_investment").unwrap();
    assert_eq!(line.value, Some(0.5));
    assert_eq!(line.points, Some(10.0), "half the plan earns half of 20 points, though 1 < the minimum sample of records");
}

#[test]
fn a_formula_never_mixes_money_with_counts() {
    let mut s = shipped().unwrap().into_iter().find(|s| s.unit_kind == "department").unwrap();
    let i = s.indicators.iter_mut().find(|i| i.code == "project_investment").unwrap();
    i.formula.den.push(Term { kind: "project".into(), event: Event::Closed, grades: vec![], states: vec![], flagged: None, measure: None });
    assert_eq!(s.check().unwrap_err().field.as_deref(), Some("indicators"));
    let i = s.indicators.iter_mut().find(|i| i.code == "project_investment").unwrap();
    i.formula.den.pop();
    i.formula.num[0].measure = None;
    assert!(s.check().is_err(), "a sum names its amount");
}

#[test]
fn periods_hold_months_and_years() {
    use crate::duty::within;
    assert!(within("2026-01", "2026-01", "2026-12") && within("2026-12", "2026-01", "2026-12"));
    assert!(!within("2025-12", "2026-01", "2026-12") && !within("", "2026-01", "2026-12"));
    assert!(within("2026", "2026-01", "2026-12") && within("2026", "2025-12", "2026-11"));
    assert!(!within("2027", "2026-01", "2026-12") && !within("2025", "2026-01", "2026-12"));
}
