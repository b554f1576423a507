use super::rating::{rate, Rating};
use super::vote::{
    apply, check_ballot, check_paper, decide, BallotMode, Choice, Count, Outcome, ResultRule, SessionAction, SessionKind, SessionState, Standing, TieRule,
};
use super::*;
use crate::error::ErrorCode;

fn c(a: i64, b: i64) -> Count {
    Count { a, b, c: 0 }
}

#[test]
fn the_rating_rule_at_its_boundaries() {
    // 33 members: 17 满意 is more than half.
    assert_eq!(rate(33, c(17, 0)), Rating::Satisfied);
    assert_eq!(rate(33, c(16, 0)), Rating::Unsatisfied);
    // 35 members: 17 满意 is not more than half, 17 + 11 is.
    assert_eq!(rate(35, c(17, 11)), Rating::Basic);
    // 34 members: 8 + 9 is exactly half, not more.
    assert_eq!(rate(34, c(8, 9)), Rating::Unsatisfied);
    assert_eq!(rate(34, c(8, 10)), Rating::Basic);
    assert_eq!(rate(34, c(17, 0)), Rating::Unsatisfied);
    assert_eq!(rate(34, c(18, 0)), Rating::Satisfied);
    // Against all members, not those present: 20 of 25 present is not enough of 50.
    assert_eq!(rate(50, Count { a: 20, b: 4, c: 1 }), Rating::Unsatisfied);
}

fn s(id: i64, yes: i64, county_wan: i64) -> Standing {
    Standing { id, county: crate::money::Fen(county_wan * 1_000_000), count: Count { a: yes, b: 0, c: 0 } }
}

#[test]
fn winners_by_each_rule() {
    let st = [s(1, 90, 500), s(2, 120, 800), s(3, 60, 100), s(4, 91, 300), s(5, 91, 200)];
    let budget = crate::money::Fen(1_500 * 1_000_000);
    // Majority of all 180 members: more than 90; 1 (exactly 90) fails.
    let r = decide(ResultRule::MajorityOfAll, TieRule::LowerCost, 180, 10, budget, &st);
    let out = |id: i64| r.iter().find(|x| x.0 == id).map(|x| (x.1, x.2)).unwrap();
    assert_eq!(out(2), (1, Outcome::Chosen));
    // 4 and 5 tie at 91: the lower cost (5) ranks first.
    assert_eq!(out(5), (2, Outcome::Chosen));
    assert_eq!(out(4), (3, Outcome::Chosen));
    assert_eq!(out(1).1, Outcome::NotChosen);
    assert_eq!(out(3).1, Outcome::NotChosen);
    // Earlier first breaks the tie the other way.
    let r = decide(ResultRule::MajorityOfAll, TieRule::Earlier, 180, 10, budget, &st);
    assert_eq!(r[1].0, 4);
    // Top 3 within 1,100 万: 2 (800) and 5 (200) fit, 4 (300) and 1 (500) do not, 3 (100) does.
    let r = decide(ResultRule::TopN, TieRule::LowerCost, 180, 3, crate::money::Fen(1_100 * 1_000_000), &st);
    let out = |id: i64| r.iter().find(|x| x.0 == id).map(|x| x.2).unwrap();
    assert_eq!((out(2), out(5), out(4), out(1), out(3)), (Outcome::Chosen, Outcome::Chosen, Outcome::OverBudget, Outcome::OverBudget, Outcome::Chosen));
    // Top 2: the third never counts.
    let r = decide(ResultRule::TopN, TieRule::LowerCost, 180, 2, budget, &st);
    assert_eq!(r.iter().filter(|x| x.2 == Outcome::Chosen).map(|x| x.0).collect::<Vec<_>>(), vec![2, 5]);
}

#[test]
fn ballots_and_paper_counts() {
    let cands = [10, 11, 12];
    let b = check_ballot(SessionKind::Vote, BallotMode::PerCandidate, 0, &cands, &[(10, Choice::Yes), (12, Choice::No)]).unwrap();
    assert_eq!(b, vec![(10, Choice::Yes), (11, Choice::Abstain), (12, Choice::No)]);
    let e = check_ballot(SessionKind::Vote, BallotMode::PerCandidate, 0, &cands, &[(10, Choice::Yes), (10, Choice::No)]).unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(check_ballot(SessionKind::Vote, BallotMode::PerCandidate, 0, &cands, &[(99, Choice::Yes)]).unwrap_err().field.as_deref(), Some("ballot"));
    assert!(check_ballot(SessionKind::Vote, BallotMode::PerCandidate, 0, &cands, &[(10, Choice::Satisfied)]).is_err());
    // 限选 2: a third mark is refused; unmarked count as 反对.
    let b = check_ballot(SessionKind::Vote, BallotMode::ChooseUpTo, 2, &cands, &[(10, Choice::Yes)]).unwrap();
    assert_eq!(b[1], (11, Choice::No));
    let e = check_ballot(SessionKind::Vote, BallotMode::ChooseUpTo, 2, &cands, &[(10, Choice::Yes), (11, Choice::Yes), (12, Choice::Yes)]).unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfRange);
    // A rating marks every project.
    assert_eq!(check_ballot(SessionKind::Rating, BallotMode::PerCandidate, 0, &cands, &[(10, Choice::Satisfied)]).unwrap_err().code, ErrorCode::Required);
    // Paper: 150 present, 100 voted from their accounts; 50 paper ballots at most.
    assert!(check_paper(150, 100, 50, &[(10, Count { a: 40, b: 5, c: 5 })]).is_ok());
    assert_eq!(check_paper(150, 100, 51, &[]).unwrap_err().field.as_deref(), Some("paper_ballots"));
    assert_eq!(check_paper(150, 100, 50, &[(10, Count { a: 41, b: 5, c: 5 })]).unwrap_err().field.as_deref(), Some("paper_count"));
    let mut k = Count::default();
    k.mark(SessionKind::Rating, Choice::Basic);
    k.mark(SessionKind::Vote, Choice::Abstain);
    assert_eq!(k, Count { a: 0, b: 1, c: 1 });
}

#[test]
fn the_session_workflow() {
    use SessionAction as A;
    use SessionState as S;
    for st in S::ALL {
        for a in A::ALL {
            let r = apply(*a, *st);
            let expected = matches!((a, st), (A::Open, S::Draft) | (A::Close, S::Open) | (A::ImportPaper | A::Sign, S::Closed));
            assert_eq!(r.is_ok(), expected, "{a:?} from {st:?}");
        }
    }
    assert!(apply(A::Open, S::Certified).is_err(), "nothing moves a certified session");
}

#[test]
fn screening_rules_are_data() {
    let input = AssessmentInput {
        necessity: "老旧小区无电梯".into(),
        reality: "已完成设计".into(),
        possibility: "年内可完工".into(),
        cost_wan: "1200".into(),
        county_wan: "800.5".into(),
        funding: "县级财政、上级补助".into(),
        beneficiaries: "12,000".into(),
        universal: true,
        public_welfare: true,
        stages: "2027 完成主体\n2028 投入使用".into(),
        ..AssessmentInput::default()
    };
    let a = input.validate(2027).unwrap();
    assert_eq!(a.county.wan(), "800.5");
    assert_eq!(a.beneficiaries, 12_000);
    assert_eq!(a.stages.len(), 2);
    assert!(exclusions(&a, Exclusion::ALL, DebtStanding::default(), 30_000).is_empty());
    let red = DebtStanding { ratio_bp: Some(31_000) };
    assert_eq!(exclusions(&a, Exclusion::ALL, red, 30_000), vec![Exclusion::DebtRatio]);
    assert!(exclusions(&a, &[Exclusion::NotUniversal], red, 30_000).is_empty(), "a rule switched off");
    let burden = Assessment { adds_burden: true, universal: false, ..a.clone() };
    assert_eq!(exclusions(&burden, Exclusion::ALL, DebtStanding::default(), 30_000), vec![Exclusion::NotUniversal, Exclusion::AddsBurden]);
    // County money above the cost, stages out of order, a bad year: each names its field.
    let bad = AssessmentInput { county_wan: "1300".into(), ..input.clone() };
    assert_eq!(bad.validate(2027).unwrap_err().field.as_deref(), Some("county_wan"));
    let bad = AssessmentInput { stages: "2028 a\n2027 b".into(), ..input.clone() };
    assert_eq!(bad.validate(2027).unwrap_err().field.as_deref(), Some("stages"));
    let bad = AssessmentInput { cost_wan: "一千".into(), ..input };
    assert_eq!(bad.validate(2027).unwrap_err().field.as_deref(), Some("cost_wan"));
    // The pool: 150 % of 10,000 万; 14,000 listed leaves 1,000.
    let wan = |w: i64| crate::money::Fen(w * 1_000_000);
    assert!(fits_pool(wan(14_000), wan(1_000), wan(10_000), 150).is_ok());
    assert_eq!(fits_pool(wan(14_000), wan(1_001), wan(10_000), 150).unwrap_err().detail.as_deref(), Some("1000"));
}

#[test]
fn proposals_are_checked_naming_the_field() {
    let p = ProposalInput {
        title: "增设社区食堂".into(),
        content: "老人吃饭难".into(),
        area: "elderly".into(),
        phone: "138 0000 1111".into(),
        ..Default::default()
    };
    assert_eq!(p.validate(Source::Citizen).unwrap().phone.as_deref(), Some("13800001111"));
    let no_phone = ProposalInput { phone: String::new(), ..p.clone() };
    assert_eq!(no_phone.validate(Source::Citizen).unwrap_err().field.as_deref(), Some("phone"));
    assert!(no_phone.validate(Source::Deputy).is_ok(), "a deputy is known by the account");
    let bad = ProposalInput { area: "moon".into(), ..p };
    assert_eq!(bad.validate(Source::Unit).unwrap_err().field.as_deref(), Some("area"));
}
