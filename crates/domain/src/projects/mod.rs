//! 重大项目 (investment projects, modules-cn.md §1): the pipeline from 洽谈 to 投产 as a duty
//! of the lead unit ([`flow`]), the approval items of the four stages of 工程建设项目审批 as
//! duties of the approving units ([`approval`], [`template`]), the project code
//! ([`code`]), where projects get stuck ([`dwell`]) and the lights and KPIs as rule data
//! ([`kpi`]).

pub mod approval;
pub mod code;
pub mod dwell;
pub mod flow;
pub mod kpi;
pub mod template;

use crate::duty::str_enum;
use crate::error::{DomainError, ErrorCode};

pub use approval::{ApprovalAction, ApprovalFacts, ApprovalFlow, ApprovalSide, ApprovalState, PauseKind};
pub use code::{CodeForm, ProjectCode};
pub use flow::{ProjectFacts, ProjectFlow, ProjectSide, Stage, StageAction};

str_enum!(
    /// 投资主体.
    Investment {
        /// 政府投资.
        Government = "government",
        /// 企业投资.
        Enterprise = "enterprise",
    }
);

str_enum!(
    /// 审批/核准/备案: the route a project takes (国务院令第673号).
    Route {
        /// 审批 (government investment).
        Approval = "approval",
        /// 核准.
        Verification = "verification",
        /// 备案.
        Filing = "filing",
    }
);

str_enum!(
    /// 行业: the industries the county's 入库 thresholds name (rule `projects.threshold.<code>`).
    Industry {
        /// 先进制造.
        Manufacturing = "manufacturing",
        /// 能源.
        Energy = "energy",
        /// 基础设施.
        Infrastructure = "infrastructure",
        /// 现代服务业.
        Services = "services",
        /// 文旅.
        Tourism = "tourism",
        /// 农业.
        Agriculture = "agriculture",
        /// 社会民生.
        Livelihood = "livelihood",
    }
);

/// An amount of money, exact, in 元 (entered and shown in 万元, as project ledgers do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Yuan(pub i64);

impl Yuan {
    /// Read 万元 as typed (`5000`, `1,234.5`, up to four decimals: exact to the 元); `field` names
    /// the input in the error.
    pub fn from_wan(raw: &str, field: &str) -> Result<Yuan, DomainError> {
        let t: String = raw.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
        let t = t.trim_end_matches("万元").trim_end_matches('万').trim();
        let bad = || DomainError::field(ErrorCode::Invalid, field).with_detail(raw.trim().to_string());
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 4 || int.len() > 9 {
            return Err(bad());
        }
        let whole: i64 = int.parse().map_err(|_| bad())?;
        let mut f = frac.to_string();
        while f.len() < 4 {
            f.push('0');
        }
        let part: i64 = f.parse().map_err(|_| bad())?;
        Ok(Yuan(whole * 10_000 + part))
    }

    /// 万元 with the decimals needed (at most four): `5000`, `1234.5`.
    pub fn wan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (w, r) = (a / 10_000, a % 10_000);
        if r == 0 {
            format!("{sign}{w}")
        } else {
            format!("{sign}{w}.{}", format!("{r:04}").trim_end_matches('0'))
        }
    }

    /// 亿元 with two decimals, for headline figures.
    pub fn yi(self) -> String {
        format!("{:.2}", self.0 as f64 / 100_000_000.0)
    }

    /// `self` as a percentage of `of` (None when `of` is zero).
    pub fn percent_of(self, of: Yuan) -> Option<f64> {
        (of.0 != 0).then(|| self.0 as f64 * 100.0 / of.0 as f64)
    }
}

/// 亩 in hundredths, exact.
pub fn read_mu(raw: &str) -> Result<i64, DomainError> {
    let t = raw.trim().trim_end_matches('亩');
    if t.is_empty() {
        return Ok(0);
    }
    Yuan::from_wan(t, "land_mu").and_then(|y| {
        if y.0 % 100 == 0 {
            Ok(y.0 / 100)
        } else {
            Err(DomainError::field(ErrorCode::Invalid, "land_mu").with_detail(raw.trim().to_string()))
        }
    })
}

/// Hundredths of a 亩 as shown.
pub fn show_mu(hundredths: i64) -> String {
    Yuan(hundredths * 100).wan()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_in_wan() {
        assert_eq!(Yuan::from_wan("5000", "total").unwrap(), Yuan(50_000_000));
        assert_eq!(Yuan::from_wan(" 1,234.5 万元", "total").unwrap(), Yuan(12_345_000));
        assert_eq!(Yuan::from_wan("0.0001", "total").unwrap(), Yuan(1));
        assert_eq!(Yuan(12_345_000).wan(), "1234.5");
        assert_eq!(Yuan(50_000_000).wan(), "5000");
        assert_eq!(Yuan(1).wan(), "0.0001");
        for bad in ["", "-5", "1.23456", "abc", "1e5", "12345678901"] {
            assert_eq!(Yuan::from_wan(bad, "total").unwrap_err().field.as_deref(), Some("total"), "{bad}");
        }
        assert_eq!(Yuan(500_000_000).yi(), "5.00");
        assert_eq!(Yuan(25).percent_of(Yuan(100)), Some(25.0));
        assert_eq!((read_mu("120.5亩").unwrap(), show_mu(12_050), read_mu("").unwrap()), (12_050, "120.5".to_string(), 0));
        assert!(read_mu("1.234").is_err());
    }
}
