//! 民生实事 (issue 18): "群众提、代表定、政府办、公众评". Proposals collected from citizens,
//! deputies, units and appeals ([`ProposalInput`]); assessed by a department for 必要性、现实性、
//! 可能性 ([`AssessmentInput`]) and screened by rules that are data ([`exclusions`]) and the
//! year's 可用财力; put to the deputies' vote ([`vote`]); delivered as tasks; rated by the
//! deputies (secret, against all members: [`rating`]) and by citizens.

pub mod flow;
pub mod rating;
pub mod vote;

#[cfg(test)]
mod tests;

use crate::duty::str_enum;
use crate::error::{optional_text, required_text, DomainError, ErrorCode};
use crate::money::Fen;
use serde::Deserialize;

pub use flow::{ProposalAction, ProposalFlow, ProposalSide, ProposalState};

str_enum!(
    /// 建议来源.
    Source {
        /// 群众 (the public page, no account).
        Citizen = "citizen",
        /// 人大代表 (the deputy's account).
        Deputy = "deputy",
        /// 部门、乡镇.
        Unit = "unit",
        /// 群众诉求 (a recurring appeal a hotline operator turned into a proposal).
        Appeal = "appeal",
    }
);

str_enum!(
    /// 领域: where the county's work plans put a 民生实事 (重庆巴南 工作办法 第三条 and the speech's
    /// 教育医疗、养老育幼、富民增收、兜底保障).
    Area {
        Education = "education",
        Health = "health",
        Elderly = "elderly",
        Childcare = "childcare",
        Employment = "employment",
        SocialSecurity = "social_security",
        Housing = "housing",
        Transport = "transport",
        Municipal = "municipal",
        Ecology = "ecology",
        Culture = "culture",
        Rural = "rural",
        Safety = "safety",
        Other = "other",
    }
);

/// A proposal as typed (a citizen on the public page, a deputy, a unit, an operator).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct ProposalInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub area: String,
    /// 地点 (township or village), optional.
    #[serde(default)]
    pub place: String,
    /// The citizen's name and phone (never published).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

/// A proposal checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProposal {
    pub title: String,
    pub content: String,
    pub area: Area,
    pub place: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

impl ProposalInput {
    /// Check a proposal; a citizen's needs a phone number (to be called back, never shown).
    pub fn validate(&self, source: Source) -> Result<NewProposal, DomainError> {
        let title = required_text("title", &self.title, 100)?;
        let content = required_text("content", &self.content, 2000)?;
        let area = Area::parse(&self.area).ok_or_else(|| {
            if self.area.trim().is_empty() {
                DomainError::required("area")
            } else {
                DomainError::invalid("area").with_detail(self.area.trim().to_string())
            }
        })?;
        let place = optional_text("place", &self.place, 64)?;
        let name = optional_text("citizen_name", &self.name, 32)?;
        let phone = crate::user::check_phone(&self.phone)?;
        if source == Source::Citizen && phone.is_none() {
            return Err(DomainError::required("phone"));
        }
        Ok(NewProposal { title, content, area, place, name, phone })
    }
}

/// The department's assessment as typed (必要性、现实性、可能性, cost, funding and the facts the
/// screening rules read).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct AssessmentInput {
    /// 必要性: the need (群众意愿, who benefits).
    #[serde(default)]
    pub necessity: String,
    /// 现实性: conditions in place (land, design, who runs it).
    #[serde(default)]
    pub reality: String,
    /// 可能性: can it be done in the year with the money.
    #[serde(default)]
    pub possibility: String,
    /// 估算总投资 (万元).
    #[serde(default)]
    pub cost_wan: String,
    /// Of which 县级财政 (万元): what counts against 可用财力.
    #[serde(default)]
    pub county_wan: String,
    /// 资金来源.
    #[serde(default)]
    pub funding: String,
    /// 受益人数.
    #[serde(default)]
    pub beneficiaries: String,
    /// 普惠性 (benefits the public at large, not a few).
    #[serde(default, deserialize_with = "crate::serde_util::lenient_bool")]
    pub universal: bool,
    /// 公益性.
    #[serde(default, deserialize_with = "crate::serde_util::lenient_bool")]
    pub public_welfare: bool,
    /// 增加群众负担 (fees, levies, contributions).
    #[serde(default, deserialize_with = "crate::serde_util::lenient_bool")]
    pub adds_burden: bool,
    /// 需新增政府举债.
    #[serde(default, deserialize_with = "crate::serde_util::lenient_bool")]
    pub adds_debt: bool,
    /// 上级安排实施.
    #[serde(default, deserialize_with = "crate::serde_util::lenient_bool")]
    pub assigned_by_higher: bool,
    /// 跨年度: then the stage targets (one line per year: `2027 主体完工`).
    #[serde(default)]
    pub stages: String,
}

/// An assessment checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assessment {
    pub necessity: String,
    pub reality: String,
    pub possibility: String,
    pub cost: Fen,
    pub county: Fen,
    pub funding: String,
    pub beneficiaries: i64,
    pub universal: bool,
    pub public_welfare: bool,
    pub adds_burden: bool,
    pub adds_debt: bool,
    pub assigned_by_higher: bool,
    /// (year, target) of a cross-year project, in year order.
    pub stages: Vec<(i32, String)>,
}

impl AssessmentInput {
    pub fn validate(&self, year: i32) -> Result<Assessment, DomainError> {
        let necessity = required_text("necessity", &self.necessity, 1000)?;
        let reality = required_text("reality", &self.reality, 1000)?;
        let possibility = required_text("possibility", &self.possibility, 1000)?;
        if self.cost_wan.trim().is_empty() {
            return Err(DomainError::required("cost_wan"));
        }
        let cost = Fen::parse_wan(&self.cost_wan, "cost_wan")?;
        let county = if self.county_wan.trim().is_empty() { cost } else { Fen::parse_wan(&self.county_wan, "county_wan")? };
        if county > cost {
            return Err(DomainError::field(ErrorCode::OutOfRange, "county_wan").with_detail(cost.wan()));
        }
        let funding = required_text("funding", &self.funding, 200)?;
        let beneficiaries = match self.beneficiaries.trim() {
            "" => 0,
            b => b
                .replace([',', '，'], "")
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| DomainError::invalid("beneficiaries").with_detail(b.to_string()))?,
        };
        let mut stages = Vec::new();
        for line in self.stages.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (y, target) = line.split_once([' ', '　', ':', '：']).ok_or_else(|| DomainError::invalid("stages").with_detail(line.to_string()))?;
            let y: i32 = y.trim_end_matches('年').parse().map_err(|_| DomainError::invalid("stages").with_detail(line.to_string()))?;
            // Stage targets start with the project's year and run a few years at most.
            if y < year || y > year + 5 || stages.iter().any(|(p, _): &(i32, String)| *p >= y) {
                return Err(DomainError::field(ErrorCode::OutOfRange, "stages").with_detail(line.to_string()));
            }
            stages.push((y, required_text("stages", target, 200)?));
        }
        Ok(Assessment {
            necessity,
            reality,
            possibility,
            cost,
            county,
            funding,
            beneficiaries,
            universal: self.universal,
            public_welfare: self.public_welfare,
            adds_burden: self.adds_burden,
            adds_debt: self.adds_debt,
            assigned_by_higher: self.assigned_by_higher,
            stages,
        })
    }
}

str_enum!(
    /// Why the screening leaves a proposal out (each can be switched off by rule
    /// `livelihood.exclusions`).
    Exclusion {
        /// 不具有普惠性.
        NotUniversal = "not_universal",
        /// 不具有公益性.
        NotPublic = "not_public",
        /// 可能增加群众负担.
        AddsBurden = "adds_burden",
        /// 可能增加政府债务风险 (new borrowing).
        AddsDebt = "adds_debt",
        /// 债务率 at or above the rule's band: no new county spending.
        DebtRatio = "debt_ratio",
        /// 上级安排实施的项目不纳入票决.
        AssignedByHigher = "assigned_by_higher",
    }
);

/// The debt book's standing as the screening reads it (through the integration room).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DebtStanding {
    /// 债务率 in basis points, when the book and the year's 综合财力 are there.
    pub ratio_bp: Option<i64>,
}

/// The rules that leave a proposal out, in the order of `Exclusion::ALL`: only those `in_force`
/// lists; [`Exclusion::DebtRatio`] when the debt ratio is at or above `debt_block_bp` and the
/// county pays a part.
pub fn exclusions(a: &Assessment, in_force: &[Exclusion], debt: DebtStanding, debt_block_bp: i64) -> Vec<Exclusion> {
    Exclusion::ALL
        .iter()
        .copied()
        .filter(|e| in_force.contains(e))
        .filter(|e| match e {
            Exclusion::NotUniversal => !a.universal,
            Exclusion::NotPublic => !a.public_welfare,
            Exclusion::AddsBurden => a.adds_burden,
            Exclusion::AddsDebt => a.adds_debt,
            Exclusion::DebtRatio => a.county.0 > 0 && debt.ratio_bp.is_some_and(|r| r >= debt_block_bp),
            Exclusion::AssignedByHigher => a.assigned_by_higher,
        })
        .collect()
}

/// Does one more candidate fit the year's pool? The candidates put to the vote may come to more
/// than 可用财力 (差额: more are listed than chosen), up to `pool_percent` of it; `listed` is
/// what the candidates already listed take from county money.
pub fn fits_pool(listed: Fen, county: Fen, capacity: Fen, pool_percent: i64) -> Result<(), DomainError> {
    let pool = i128::from(capacity.0) * i128::from(pool_percent.max(0)) / 100;
    if i128::from(listed.0) + i128::from(county.0) > pool {
        let left = Fen((pool - i128::from(listed.0)).max(0) as i64);
        return Err(DomainError::field(ErrorCode::OutOfRange, "county_wan").with_detail(left.wan()));
    }
    Ok(())
}
