//! 满意度测评: the deputies' year-end rating of each chosen project, by the usual rule (镇海区人大
//! 常委会 2022): counted against **all** members, not those present — 满意 when 满意 votes exceed
//! half of all members, else 基本满意 when 满意 and 基本满意 together exceed half, else 不满意
//! (exactly half is not more than half). Citizens rate apart, one rating per phone and project.

use super::vote::Count;
use crate::duty::str_enum;
use serde::Serialize;

str_enum!(
    /// 测评结果.
    Rating {
        /// 满意.
        Satisfied = "satisfied",
        /// 基本满意.
        Basic = "basic",
        /// 不满意.
        Unsatisfied = "unsatisfied",
    }
);

/// The deputies' rating of one project from its count (`a` 满意, `b` 基本满意) and the number of
/// all members.
pub fn rate(members: i64, count: Count) -> Rating {
    if 2 * count.a > members {
        Rating::Satisfied
    } else if 2 * (count.a + count.b) > members {
        Rating::Basic
    } else {
        Rating::Unsatisfied
    }
}

/// Citizens' ratings of one project, shown apart from the deputies'.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Public {
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
}

impl Public {
    pub fn total(self) -> i64 {
        self.satisfied + self.basic + self.unsatisfied
    }
    /// 满意率 (满意 and 基本满意 of all citizen ratings) in basis points.
    pub fn satisfied_bp(self) -> Option<i64> {
        (self.total() > 0).then(|| (self.satisfied + self.basic) * 10_000 / self.total())
    }
}
