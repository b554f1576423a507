//! An instrument's terms as recorded: its kind and classification, principal, rate, dates and
//! amortisation, validated from what was typed (each error names its field).

use crate::duty::str_enum;
use crate::error::{DomainError, ErrorCode};
use crate::money::{Fen, Ppm};
use chrono::NaiveDate;

str_enum!(
    /// 举债主体的类别.
    BorrowerKind {
        /// 政府 (一般债务、专项债务).
        Government = "government",
        /// 融资平台公司.
        Platform = "platform",
        /// 其他主体 (国有企业、事业单位…, whose debt the county tracks).
        Other = "other",
    }
);

str_enum!(
    /// 债务工具.
    InstrumentKind {
        /// 一般债券.
        GeneralBond = "general_bond",
        /// 专项债券 (with the project it funds).
        SpecialBond = "special_bond",
        /// 再融资债券.
        RefinancingBond = "refinancing_bond",
        /// 置换债券.
        SwapBond = "swap_bond",
        /// 银行贷款.
        BankLoan = "bank_loan",
        /// 政策性银行贷款.
        PolicyLoan = "policy_loan",
        /// 信托贷款 (非标).
        TrustLoan = "trust_loan",
        /// 融资租赁 (非标).
        Leasing = "leasing",
        /// 其他非标 (委托债权、应收账款、收益权…: not traded on the interbank or exchange markets).
        OtherNonstandard = "other_nonstandard",
        /// 平台公司债券 (企业债、公司债、中票).
        PlatformBond = "platform_bond",
        /// 定向融资产品 (used to replace costly 非标).
        Directed = "directed",
    }
);

impl InstrumentKind {
    /// 非标 (银监发〔2013〕8号: not traded on the interbank or exchange markets).
    pub fn nonstandard(self) -> bool {
        matches!(self, InstrumentKind::TrustLoan | InstrumentKind::Leasing | InstrumentKind::OtherNonstandard)
    }
    /// Trust and leasing, to be 限定 (the speech).
    pub fn trust_or_leasing(self) -> bool {
        matches!(self, InstrumentKind::TrustLoan | InstrumentKind::Leasing)
    }
    /// A government bond (only the government issues it; 一般 or 专项).
    pub fn government_bond(self) -> bool {
        matches!(self, InstrumentKind::GeneralBond | InstrumentKind::SpecialBond | InstrumentKind::RefinancingBond | InstrumentKind::SwapBond)
    }
}

str_enum!(
    /// 债务分类.
    Category {
        /// 一般债务 (政府).
        General = "general",
        /// 专项债务 (政府).
        Special = "special",
        /// 平台公司经营性债务.
        Platform = "platform",
        /// 隐性债务 (recorded apart).
        Hidden = "hidden",
    }
);

impl Category {
    /// 政府债务 (法定): within the 限额.
    pub fn government(self) -> bool {
        matches!(self, Category::General | Category::Special)
    }
}

str_enum!(
    /// 还本方式.
    Amortisation {
        /// 到期一次还本.
        Bullet = "bullet",
        /// 等额本金.
        LevelPrincipal = "level_principal",
        /// 等额本息.
        LevelPayment = "level_payment",
        /// 自定义 (the rows as agreed).
        Custom = "custom",
    }
);

str_enum!(
    /// 计息基准.
    DayCount {
        /// 实际天数/365.
        Act365 = "act365",
        /// 实际天数/360 (bank loans).
        Act360 = "act360",
        /// 按付息期: each period's coupon is the annual rate × months / 12, whatever its days
        /// (bonds).
        Period = "period",
    }
);

impl DayCount {
    pub fn basis(self) -> i128 {
        match self {
            DayCount::Act365 | DayCount::Period => 365,
            DayCount::Act360 => 360,
        }
    }
}

/// The terms a schedule is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub principal: Fen,
    pub rate: Ppm,
    pub day_count: DayCount,
    /// 起息日.
    pub start: NaiveDate,
    /// 到期日.
    pub maturity: NaiveDate,
    pub amortisation: Amortisation,
    /// Months between payments (1, 3, 6 or 12).
    pub every_months: u32,
    /// For [`Amortisation::Custom`]: the principal due on each date.
    pub custom: Vec<(NaiveDate, Fen)>,
}

/// Check terms: positive principal, maturity after start, a payment frequency we know, custom
/// rows inside the term summing to the principal.
pub fn check(t: &Terms) -> Result<(), DomainError> {
    if t.principal.0 <= 0 {
        return Err(DomainError::field(ErrorCode::OutOfRange, "principal_wan").with_detail(t.principal.wan()));
    }
    if t.maturity <= t.start {
        return Err(DomainError::field(ErrorCode::OutOfRange, "maturity_on").with_detail(t.maturity.to_string()));
    }
    if (t.maturity - t.start).num_days() > 366 * 40 {
        return Err(DomainError::field(ErrorCode::OutOfRange, "maturity_on").with_detail("40"));
    }
    if ![1, 3, 6, 12].contains(&t.every_months) {
        return Err(DomainError::field(ErrorCode::Invalid, "every_months").with_detail(t.every_months.to_string()));
    }
    if t.amortisation == Amortisation::Custom {
        if t.custom.is_empty() {
            return Err(DomainError::required("custom_schedule"));
        }
        let mut last = t.start;
        for (on, p) in &t.custom {
            if *on <= last || *on > t.maturity || p.0 < 0 {
                return Err(DomainError::field(ErrorCode::Invalid, "custom_schedule").with_detail(on.to_string()));
            }
            last = *on;
        }
        let sum: Fen = t.custom.iter().map(|(_, p)| *p).sum();
        if sum != t.principal {
            return Err(DomainError::field(ErrorCode::Invalid, "custom_schedule").with_detail(sum.wan()));
        }
    }
    Ok(())
}

/// Read custom rows typed one per line: `2027-06-30 500` (date, then 万元).
pub fn parse_custom(raw: &str) -> Result<Vec<(NaiveDate, Fen)>, DomainError> {
    let bad = |l: &str| DomainError::field(ErrorCode::Invalid, "custom_schedule").with_detail(l.trim().to_string());
    let mut out = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut parts = line.split(|c: char| c.is_whitespace() || c == ',' || c == '，').filter(|p| !p.is_empty());
        let (Some(d), Some(a), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(line));
        };
        let on = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad(line))?;
        out.push((on, Fen::parse_wan(a, "custom_schedule").map_err(|_| bad(line))?));
    }
    Ok(out)
}
