//! 应急协同 (emergencies, rules-cn.md §5): plans (预案) with their response levels and
//! responsibility matrix ([`plan`]), incidents from 接报 to 终报 ([`incident`]), the
//! assignments an activation hands to every named unit, duties on a minute clock
//! ([`assignment`]), and warnings as CAP 1.2 messages ([`cap`]).

pub mod assignment;
pub mod cap;
pub mod incident;
pub mod plan;

use crate::duty::str_enum;

pub use assignment::{AssignmentAction, AssignmentFlow, AssignmentSide, AssignmentState};
pub use incident::{IncidentAction, IncidentFlow, IncidentState};
pub use plan::{PlanAction, PlanFlow, PlanState};

str_enum!(
    /// 突发事件应对法 第二条: the four categories.
    Category {
        /// 自然灾害.
        Natural = "natural",
        /// 事故灾难.
        Accident = "accident",
        /// 公共卫生事件.
        Health = "health",
        /// 社会安全事件 (not graded by 第三条).
        Social = "social",
    }
);

str_enum!(
    /// 响应级别: Ⅰ the highest. The level decides who leads (rules `emergencies.lead.level_N`).
    Level {
        #[serde(rename = "1")]
        I = "1",
        #[serde(rename = "2")]
        II = "2",
        #[serde(rename = "3")]
        III = "3",
        #[serde(rename = "4")]
        IV = "4",
    }
);

impl Level {
    /// Ⅰ…Ⅳ as printed.
    pub fn roman(self) -> &'static str {
        match self {
            Level::I => "Ⅰ",
            Level::II => "Ⅱ",
            Level::III => "Ⅲ",
            Level::IV => "Ⅳ",
        }
    }
    pub fn number(self) -> i64 {
        match self {
            Level::I => 1,
            Level::II => 2,
            Level::III => 3,
            Level::IV => 4,
        }
    }
    pub fn from_number(n: i64) -> Option<Level> {
        Level::ALL.get(usize::try_from(n - 1).ok()?).copied()
    }
    /// A level as people type it: `4`, `4级`, `Ⅳ` or `Ⅳ级`.
    pub fn read(text: &str) -> Option<Level> {
        let t = text.trim().trim_end_matches('级');
        Level::parse(t).or_else(|| Level::ALL.iter().copied().find(|l| l.roman() == t))
    }
}

str_enum!(
    /// 预案 kinds (国办发〔2024〕5号): the government's 总体/专项/部门 plans and the 基层 and
    /// 企事业 plans of organisations.
    PlanKind {
        Overall = "overall",
        Special = "special",
        Department = "department",
        Grassroots = "grassroots",
        Enterprise = "enterprise",
    }
);

str_enum!(
    /// Who leads a response at a level (as data per level).
    Lead {
        County = "county",
        City = "city",
        Province = "province",
    }
);

/// One sub-type of a category (水旱灾害, 森林草原火灾 …), as shipped in
/// `data/emergency-types.json`; a county adds its own through the same shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventType {
    pub code: String,
    pub category: Category,
    pub zh: String,
    pub en: String,
    /// The CAP `category` a warning of this type carries (Met, Geo, Fire, Health …).
    pub cap: String,
}

/// The shipped sub-types.
pub fn event_types() -> Result<Vec<EventType>, crate::DomainError> {
    serde_json::from_str(include_str!("../../data/emergency-types.json"))
        .map_err(|e| crate::DomainError::new(crate::ErrorCode::Internal).with_detail(format!("emergency-types.json: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_types_and_levels_read_both_ways() {
        let types = event_types().unwrap();
        for c in Category::ALL {
            assert!(types.iter().any(|t| t.category == *c), "{c:?}");
        }
        for l in Level::ALL {
            assert_eq!(Level::from_number(l.number()), Some(*l));
        }
        assert_eq!(Level::from_number(0), None);
        assert_eq!((Level::read("Ⅲ级"), Level::read("4"), Level::read("五")), (Some(Level::III), Some(Level::IV), None));
        assert_eq!(Level::IV.roman(), "Ⅳ");
    }
}
