//! 审批模板: which approval items of the four stages apply to a kind of project, each with its
//! approving unit (by role, resolved by rule `projects.approver.<role>`), its legal limit in
//! working days and the extension it allows. Shipped in `data/approval-templates.json`
//! (国办发〔2019〕11号; 核准 20+10 working days by 《政府核准投资项目管理办法》第十九条); small
//! social-investment projects merge 工程建设许可 into 施工许可.

use crate::error::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

/// One item a template applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateItem {
    pub code: String,
    /// 1 立项用地规划许可, 2 工程建设许可, 3 施工许可, 4 竣工验收.
    pub stage: i64,
    pub zh: String,
    pub en: String,
    /// `development`, `land`, `environment`, `housing`: the rule names the unit.
    pub approver: String,
    /// The legal limit, working days.
    pub limit: i64,
    /// The extension allowed once, working days (0: none).
    pub extension: i64,
}

/// A template: a kind of project and its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub investment: super::Investment,
    pub route: super::Route,
    pub items: Vec<TemplateItem>,
}

impl Template {
    /// The stages this template uses, in order (a merged one is missing).
    pub fn stages(&self) -> Vec<i64> {
        let mut s: Vec<i64> = self.items.iter().map(|i| i.stage).collect();
        s.sort_unstable();
        s.dedup();
        s
    }
    /// The legal limits summed: what the items take at most if each waits for the last.
    pub fn total_limit(&self) -> i64 {
        self.items.iter().map(|i| i.limit).sum()
    }
}

/// The four stages' names.
pub const STAGES: &[(i64, &str, &str)] = &[
    (1, "立项用地规划许可", "Project and land-use planning"),
    (2, "工程建设许可", "Construction planning"),
    (3, "施工许可", "Construction permit"),
    (4, "竣工验收", "Completion acceptance"),
];

/// The shipped templates.
pub fn shipped() -> Result<Vec<Template>, DomainError> {
    let t: Vec<Template> = serde_json::from_str(include_str!("../../data/approval-templates.json"))
        .map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(format!("approval-templates.json: {e}")))?;
    Ok(t)
}

/// The template a kind of project takes by default.
pub fn default_for(investment: super::Investment, route: super::Route) -> &'static str {
    match (investment, route) {
        (super::Investment::Government, _) => "government",
        (_, super::Route::Verification) => "enterprise_verified",
        _ => "enterprise_filed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_well_formed() {
        let all = shipped().unwrap();
        assert_eq!(all.len(), 4);
        for t in &all {
            assert!(!t.items.is_empty(), "{}", t.code);
            for i in &t.items {
                assert!((1..=4).contains(&i.stage) && i.limit > 0, "{} {}", t.code, i.code);
                assert!(["development", "land", "environment", "housing"].contains(&i.approver.as_str()));
            }
            let mut codes: Vec<&str> = t.items.iter().map(|i| i.code.as_str()).collect();
            codes.sort_unstable();
            let n = codes.len();
            codes.dedup();
            assert_eq!(codes.len(), n, "{} repeats an item", t.code);
            // Every template stays inside the national 120 working days if no item waits.
            assert!(t.total_limit() <= 250, "{}", t.code);
        }
        let small = all.iter().find(|t| t.code == "small_social").unwrap();
        assert_eq!(small.stages(), vec![1, 3, 4], "small projects merge stage 2 into 3");
        let verified = all.iter().find(|t| t.code == "enterprise_verified").unwrap();
        assert_eq!(verified.items[0].extension, 10);
        for (inv, route) in
            [(super::super::Investment::Government, super::super::Route::Approval), (super::super::Investment::Enterprise, super::super::Route::Filing)]
        {
            assert!(all.iter().any(|t| t.code == default_for(inv, route)));
        }
    }
}
