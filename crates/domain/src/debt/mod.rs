//! 债务风险 (issue 17): the county's debt book, its instruments and their schedules, balances
//! derived from transactions, the maturity wall, the indicators and warnings, 置换 scenarios and
//! the disclosure tables. Money is exact ([`crate::money::Fen`]); rates in ppm; ratios in bp.

pub mod book;
pub mod flow;
pub mod ratios;
pub mod scenario;
pub mod schedule;
pub mod terms;

#[cfg(test)]
mod tests;

pub use book::{Inst, TxnKind};
pub use flow::{DebtAction, DebtSide, DebtState, MaturityFlow, WarningFlow};
pub use terms::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind, Terms};

/// A reference figure with its source (shown beside the scenarios, never used as county data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    pub zh: &'static str,
    /// 亿元.
    pub yi: i64,
    pub source: &'static str,
}

/// The 2024 national debt package (reference data).
pub const NATIONAL_2024: &[Reference] = &[
    Reference {
        zh: "增加地方政府债务限额置换存量隐性债务（2024—2026年，每年2万亿元）",
        yi: 60_000,
        source: "全国人大常委会关于批准《国务院关于提请审议增加地方政府债务限额置换存量隐性债务的议案》的决议，2024年11月8日",
    },
    Reference { zh: "其中每年置换额度", yi: 20_000, source: "财政部 2024年11月8日 全国人大常委会新闻发布会" },
    Reference {
        zh: "新增专项债券中安排用于化债（2024年起连续五年，每年8000亿元，累计4万亿元）",
        yi: 8_000,
        source: "财政部 2024年11月8日 全国人大常委会新闻发布会",
    },
];
