//! Campaigns (专项行动) and risk points (风险分级管控): the words, and the checks that need no
//! database.

use crate::duty::str_enum;

str_enum!(
    /// What kind of campaign.
    CampaignKind {
        /// 安全生产大检查.
        BigCheck = "big_check",
        /// 百日攻坚.
        HundredDays = "hundred_days",
        /// 专项整治.
        Special = "special",
        /// 回头看: re-inspects a sample of the hazards closed in a period and every enterprise
        /// that reported none.
        LookBack = "look_back",
    }
);

str_enum!(
    /// 安全风险等级 (红橙黄蓝), most severe first.
    RiskLevel {
        /// 重大风险 (红).
        Major = "major",
        /// 较大风险 (橙).
        Larger = "larger",
        /// 一般风险 (黄).
        General = "general",
        /// 低风险 (蓝).
        Low = "low",
    }
);

impl RiskLevel {
    /// The colour the county's risk map paints it (红橙黄蓝).
    pub fn colour(self) -> &'static str {
        match self {
            RiskLevel::Major => "#d93025",
            RiskLevel::Larger => "#f29900",
            RiskLevel::General => "#f6d32d",
            RiskLevel::Low => "#1a73e8",
        }
    }
    /// 1 for 重大 … 4 for 低: the smaller, the more severe.
    pub fn rank(self) -> usize {
        RiskLevel::ALL.iter().position(|l| *l == self).unwrap_or(3) + 1
    }
}

str_enum!(
    /// Who controls a risk point (管控层级).
    ControlLevel {
        /// 公司级.
        Company = "company",
        /// 部门（车间）级.
        Workshop = "workshop",
        /// 班组级.
        Team = "team",
        /// 岗位级.
        Post = "post",
    }
);

/// Is this enterprise in a campaign's scope? `industries` lists 门类 letters or 大类 codes
/// (empty: every industry); `township` narrows it to one township (none: the county).
pub fn in_scope(industries: &str, township: Option<i64>, enterprise_industry: &str, enterprise_township: Option<i64>) -> bool {
    let by_industry = industries.split(',').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let industry_ok = by_industry.is_empty() || by_industry.iter().any(|i| enterprise_industry.starts_with(i));
    industry_ok && (township.is_none() || township == enterprise_township)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_by_industry_and_township() {
        assert!(in_scope("", None, "C26", Some(3)));
        assert!(in_scope("C26,B", Some(3), "C26", Some(3)));
        assert!(in_scope("C", None, "C13", None));
        assert!(!in_scope("C26", None, "C13", None));
        assert!(!in_scope("", Some(4), "C26", Some(3)));
    }

    #[test]
    fn risk_levels_most_severe_first() {
        assert_eq!(RiskLevel::Major.rank(), 1);
        assert_eq!(RiskLevel::Low.rank(), 4);
        assert_eq!(RiskLevel::parse("larger"), Some(RiskLevel::Larger));
    }
}
