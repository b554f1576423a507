//! The book's figures against hand computations.

use super::book::{projection, roll, wall, Txn, TxnKind};
use super::ratios::{indicators, warnings, Thresholds};
use super::scenario::{run, Replacement};
use super::schedule::schedule;
use super::terms::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind, Terms};
use super::Inst;
use crate::money::{Fen, Ppm};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(on: &str, kind: TxnKind, amount: Fen, category: Category, instrument: InstrumentKind) -> Txn {
    Txn { on: d(on), kind, amount, category, instrument }
}

#[test]
fn a_year_rolled_forward_reproduces_the_published_figures() {
    use Category::{General as G, Special as S};
    use InstrumentKind::{GeneralBond, RefinancingBond, SpecialBond, SwapBond};
    use TxnKind::{Drawdown as D, Interest as I, Repayment as R};
    // The county's opening balances at the end of 2025: 一般 12.3456 亿, 专项 20.1234 亿, built
    // from odd amounts over several years.
    let txns = vec![
        t("2021-03-15", D, Fen(50_000_000_003), G, GeneralBond),
        t("2023-06-30", D, Fen(73_456_000_000 - 3), G, GeneralBond),
        t("2024-12-31", D, Fen(100_000_000_000), G, GeneralBond),
        t("2025-12-31", R, Fen(100_000_000_000), G, GeneralBond),
        t("2022-08-01", D, Fen(201_234_000_000), S, SpecialBond),
        // 2026: issuance in its parts, repayments, interest.
        t("2026-01-01", D, Fen(15_000_000_000), G, GeneralBond),
        t("2026-04-20", D, Fen(8_000_000_000), G, RefinancingBond),
        t("2026-06-30", R, Fen(9_876_000_000), G, GeneralBond),
        t("2026-06-30", I, Fen(432_100_000), G, GeneralBond),
        t("2026-05-10", D, Fen(30_000_000_000), S, SpecialBond),
        t("2026-09-10", D, Fen(5_000_000_000), S, SwapBond),
        t("2026-11-30", R, Fen(12_345_000_000), S, SpecialBond),
        // A repayment on 31 December belongs to its own year; one on 1 January to the next.
        t("2026-12-31", R, Fen(1), S, SpecialBond),
        t("2027-01-01", R, Fen(5), S, SpecialBond),
    ];
    let g = roll(&txns, G, 2026);
    assert_eq!((g.opening.yi4(), g.issued.yi4(), g.repaid.yi4(), g.closing.yi4()), ("12.3456".into(), "2.3000".into(), "0.9876".into(), "13.6580".into()));
    assert_eq!((g.issued_new.yi4(), g.issued_refinancing.yi4(), g.issued_swap.yi4()), ("1.5000".into(), "0.8000".into(), "0.0000".into()));
    assert_eq!(g.interest, Fen(432_100_000));
    let s = roll(&txns, S, 2026);
    assert_eq!((s.opening.yi4(), s.closing.yi4(), s.issued_swap.yi4()), ("20.1234".into(), "22.3889".into(), "0.5000".into()));
    assert_eq!(s.repaid, Fen(12_345_000_001));
    // The identity, for every category and year.
    for c in [G, S, Category::Platform, Category::Hidden] {
        for y in 2020..=2028 {
            let r = roll(&txns, c, y);
            assert_eq!(r.closing, r.closing_direct, "{c:?} {y}");
            assert_eq!(r.closing, Fen(r.opening.0 + r.issued.0 - r.repaid.0));
            assert_eq!(roll(&txns, c, y + 1).opening, r.closing);
        }
    }
}

fn inst(id: i64, kind: InstrumentKind, category: Category, t: &Terms) -> Inst {
    Inst {
        id,
        borrower_id: 1,
        borrower_kind: if category.government() { BorrowerKind::Government } else { BorrowerKind::Platform },
        kind,
        category,
        principal: t.principal,
        rate: t.rate,
        day_count: t.day_count,
        start: t.start,
        maturity: t.maturity,
        dues: schedule(t),
        drawn: t.principal,
        repaid: Fen(0),
    }
}

fn bullet(principal: Fen, rate: i64, start: &str, maturity: &str) -> Terms {
    Terms {
        principal,
        rate: Ppm(rate),
        day_count: DayCount::Act365,
        start: d(start),
        maturity: d(maturity),
        amortisation: Amortisation::Bullet,
        every_months: 12,
        custom: Vec::new(),
    }
}

#[test]
fn the_wall_and_the_twelve_month_boundary() {
    let today = d("2026-12-01");
    let wan = |w: i64| Fen(w * 1_000_000);
    let book = [
        // Matures on 31 December 2026: this year, this month, within twelve months.
        inst(1, InstrumentKind::BankLoan, Category::Platform, &bullet(wan(1_000), 50_000, "2025-12-31", "2026-12-31")),
        // Matures on 1 December 2027: a year from today is outside "within twelve months".
        inst(2, InstrumentKind::TrustLoan, Category::Platform, &bullet(wan(3_000), 80_000, "2024-12-01", "2027-12-01")),
        // Matures on 30 November 2027: inside.
        inst(3, InstrumentKind::GeneralBond, Category::General, &bullet(wan(6_000), 30_000, "2024-11-30", "2027-11-30")),
    ];
    let (overdue, months) = wall(book.iter(), today, 24);
    assert_eq!(overdue, Fen(0));
    assert_eq!(months[0].month, "2026-12");
    assert_eq!(months[0].principal, wan(1_000));
    assert_eq!(months[11].month, "2027-11");
    assert_eq!(months[11].principal, wan(6_000));
    assert_eq!(months[12].principal, wan(3_000));
    assert_eq!(months[12].nonstandard, wan(3_000));
    let x = indicators(book.iter(), today, wan(20_000), Fen(0));
    assert_eq!(x.within_12_months, wan(7_000));
    assert_eq!(x.total_balance, wan(10_000));
    assert_eq!(x.within_12_months_bp, Some(7_000));
    assert_eq!(x.nonstandard_bp, Some(3_000));
    assert_eq!(x.debt_ratio_bp, Some(3_000));
    // Weighted rate: (1000×5 + 3000×8 + 6000×3) / 10000 = 4.7 %.
    assert_eq!(x.average_rate, Ppm(47_000));
    // Government service this year: none falls due in December for the bond (its coupon is on 30 Nov).
    assert_eq!(x.service, Fen(0));
    let th = Thresholds {
        ratio_bands: [12_000, 20_000, 30_000],
        overdue_grades: [1_000, 2_000, 5_000],
        service_bp: 2_000,
        nonstandard_target_bp: 1_500,
        trust_leasing_target_bp: 1_000,
        rate_cap: Ppm(60_000),
    };
    let w = warnings(&x, &th);
    assert_eq!(w.iter().map(|w| (w.indicator, w.level)).collect::<Vec<_>>(), [("nonstandard_share", "over_target"), ("trust_leasing_share", "over_target")]);
    // Unpaid after its date: 逾期, and the 逾期债务率 grade.
    let later = d("2027-01-05");
    let (o, flows) = projection(&book[0], later);
    assert_eq!((o, flows.len()), (wan(1_000), 0));
    let x = indicators(book.iter(), later, wan(20_000), Fen(0));
    assert_eq!(x.overdue_bp, Some(1_000));
    assert_eq!(warnings(&x, &th)[0].level, "iv");
}

#[test]
fn a_prepayment_shortens_the_schedule() {
    let t = Terms { amortisation: Amortisation::LevelPrincipal, every_months: 12, ..bullet(Fen(300), 0, "2026-01-10", "2029-01-10") };
    let mut i = inst(1, InstrumentKind::BankLoan, Category::Platform, &t);
    i.repaid = Fen(150);
    let (o, flows) = projection(&i, d("2026-06-01"));
    assert_eq!(o, Fen(0));
    assert_eq!(flows.iter().map(|f| f.principal.0).collect::<Vec<_>>(), [100, 50]);
}

#[test]
fn a_scenarios_saving_equals_the_hand_computation() {
    let today = d("2026-12-01");
    let wan = |w: i64| Fen(w * 1_000_000);
    // 10,000 万 of trust at 7 % maturing 1 January 2028; swapped on 1 January 2027 for a
    // 置换债券 at 3.2 % for ten years. 365 days: 700 万 old, 320 万 new, 380 万 saved.
    let book = vec![
        inst(1, InstrumentKind::TrustLoan, Category::Hidden, &bullet(wan(10_000), 70_000, "2026-01-01", "2028-01-01")),
        inst(2, InstrumentKind::GeneralBond, Category::General, &bullet(wan(20_000), 25_000, "2025-06-01", "2035-06-01")),
    ];
    let before = book.clone();
    let r = Replacement { kind: InstrumentKind::SwapBond, category: Category::General, rate: Ppm(32_000), on: d("2027-01-01"), years: 10 };
    let o = run(&book, &[1, 1], &r, today, wan(40_000), Fen(0), None).unwrap();
    let base = super::ratios::Sums::of_book(book.iter(), today);
    assert_eq!(run(&book, &[1], &r, today, wan(40_000), Fen(0), Some(&base)).unwrap(), o);
    assert_eq!(o.old_interest, wan(700));
    assert_eq!(o.new_interest, wan(320));
    assert_eq!(o.interest_saved, wan(380));
    assert_eq!(o.days_before, 365);
    assert_eq!(o.days_after, 3_653); // three leap days (2028, 2032, 2036)
    assert_eq!(o.before.nonstandard_bp, Some(3_333));
    assert_eq!(o.after.nonstandard_bp, Some(0));
    assert_eq!(o.before.debt_ratio_bp, Some(5_000));
    assert_eq!(o.after.debt_ratio_bp, Some(7_500));
    assert!(o.after.average_rate < o.before.average_rate);
    assert_eq!(book, before, "a scenario changes nothing");
    assert_eq!(run(&book, &[9], &r, today, wan(1), Fen(0), None).unwrap_err().field.as_deref(), Some("instruments"));
    let past = Replacement { on: d("2026-01-01"), ..r };
    assert_eq!(run(&book, &[1], &past, today, wan(1), Fen(0), None).unwrap_err().field.as_deref(), Some("swap_on"));
}
