//! 单位 (units): the county's organisation as a tree.
//!
//! 县 (county) at the root; 部门 (departments: 局/委/办) and 乡镇/街道 (townships) under it;
//! 村/社区 (villages and communities) under townships. A department may have 内设机构 below it.

use crate::error::{optional_text, required_text, DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 县 (also 县级市/区): the root.
    County,
    /// 部门: 局、委、办 and other county bodies.
    Department,
    /// 乡镇/街道.
    Township,
    /// 村/社区.
    Village,
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [UnitKind::County, UnitKind::Department, UnitKind::Township, UnitKind::Village];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::County => "county",
            UnitKind::Department => "department",
            UnitKind::Township => "township",
            UnitKind::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "county" | "县" => Ok(UnitKind::County),
            "department" | "部门" => Ok(UnitKind::Department),
            "township" | "乡镇" | "街道" | "乡镇/街道" => Ok(UnitKind::Township),
            "village" | "村" | "社区" | "村/社区" => Ok(UnitKind::Village),
            _ => Err(DomainError::invalid("kind")),
        }
    }

    /// Chinese label, as the ledger and the UI show it.
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::County => "县",
            UnitKind::Department => "部门",
            UnitKind::Township => "乡镇/街道",
            UnitKind::Village => "村/社区",
        }
    }

    /// May a unit of this kind sit under a parent of kind `parent` (`None` = the root)?
    pub fn may_sit_under(self, parent: Option<UnitKind>) -> bool {
        matches!(
            (self, parent),
            (UnitKind::County, None)
                | (UnitKind::Department, Some(UnitKind::County | UnitKind::Department))
                | (UnitKind::Township, Some(UnitKind::County))
                | (UnitKind::Village, Some(UnitKind::Township))
        )
    }
}

/// A validated unit code: GB/T 2260 six digits for a county, the twelve-digit statistical code
/// for townships and villages, or an 18-character 统一社会信用代码 for a department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(kind: UnitKind, raw: &str) -> Result<Option<Self>, DomainError> {
        let v = raw.trim();
        if v.is_empty() {
            return Ok(None);
        }
        let digits = |n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_digit());
        let ok = match kind {
            UnitKind::County => digits(6),
            UnitKind::Township | UnitKind::Village => digits(12),
            UnitKind::Department => crate::checksum::uscc_shape_ok(v),
        };
        if ok {
            Ok(Some(UnitCode(v.to_ascii_uppercase())))
        } else {
            Err(DomainError::invalid("code").with_detail(v.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A township's code must extend its county's six digits; a village's its township's nine.
    pub fn extends(&self, kind: UnitKind, parent: &UnitCode) -> bool {
        let need = match kind {
            UnitKind::Township => 6,
            UnitKind::Village => 9,
            _ => return true,
        };
        parent.0.len() >= need && self.0.len() >= need && self.0[..need] == parent.0[..need]
    }
}

/// A unit as the user submits it, before it is stored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitInput {
    #[serde(default, deserialize_with = "crate::serde_util::opt_i64")]
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub leader: String,
}

/// A validated unit, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewUnit {
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub short_name: Option<String>,
    pub code: Option<UnitCode>,
    pub leader: Option<String>,
}

impl UnitInput {
    /// Validate every field on its own; hierarchy checks need the parent and happen in
    /// [`check_placement`].
    pub fn validate(&self) -> Result<NewUnit, DomainError> {
        let kind = if self.kind.trim().is_empty() { Err(DomainError::required("kind")) } else { UnitKind::parse(&self.kind) }?;
        let name = required_text("name", &self.name, 64)?;
        let short_name = optional_text("short_name", &self.short_name, 32)?;
        let code = UnitCode::parse(kind, &self.code)?;
        let leader = optional_text("leader", &self.leader, 32)?;
        Ok(NewUnit { parent_id: self.parent_id, kind, name, short_name, code, leader })
    }
}

/// What the hierarchy check needs to know of the proposed parent.
#[derive(Debug, Clone)]
pub struct ParentInfo {
    pub kind: UnitKind,
    pub code: Option<UnitCode>,
    /// The parent's materialised path (`/1/5/`), to refuse moving a unit under itself.
    pub path: String,
}

/// Check that `unit` may sit under `parent` (`None` = root). `own_path` is the unit's own path
/// when it already exists (a move), so that it cannot become its own descendant.
pub fn check_placement(unit: &NewUnit, parent: Option<&ParentInfo>, own_path: Option<&str>) -> Result<(), DomainError> {
    if !unit.kind.may_sit_under(parent.map(|p| p.kind)) {
        return Err(DomainError::field(ErrorCode::BadHierarchy, "parent_id"));
    }
    if let (Some(p), Some(own)) = (parent, own_path) {
        if p.path.starts_with(own) {
            return Err(DomainError::field(ErrorCode::BadHierarchy, "parent_id"));
        }
    }
    if let (Some(code), Some(Some(pcode))) = (&unit.code, parent.map(|p| p.code.as_ref())) {
        if !code.extends(unit.kind, pcode) {
            return Err(DomainError::invalid("code").with_detail(code.as_str().to_string()));
        }
    }
    Ok(())
}

/// Is the unit at `path` inside the subtree rooted at `root_path` (itself included)?
/// Paths are materialised as `/1/5/23/`.
pub fn in_subtree(path: &str, root_path: &str) -> bool {
    path.starts_with(root_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, name: &str, code: &str) -> UnitInput {
        UnitInput { kind: kind.into(), name: name.into(), code: code.into(), ..Default::default() }
    }

    #[test]
    fn codes_by_kind() {
        assert!(input("county", "示范县", "330226").validate().is_ok());
        let e = input("county", "示范县", "33022").validate().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("code")));
        assert!(input("township", "城关镇", "330226100000").validate().is_ok());
        assert!(input("village", "城东村", "330226100201").validate().is_ok());
        assert!(input("department", "财政局", "11330226002609271X").validate().is_ok());
        assert!(input("department", "财政局", "").validate().is_ok());
        assert_eq!(input("planet", "x", "").validate().unwrap_err().field.as_deref(), Some("kind"));
        assert_eq!(input("county", " ", "").validate().unwrap_err().code, ErrorCode::Required);
    }

    #[test]
    fn placement() {
        let county = ParentInfo { kind: UnitKind::County, code: UnitCode::parse(UnitKind::County, "330226").unwrap(), path: "/1/".into() };
        let town = input("township", "城关镇", "330226100000").validate().unwrap();
        assert!(check_placement(&town, Some(&county), None).is_ok());
        let wrong = input("township", "外县镇", "330227100000").validate().unwrap();
        assert_eq!(check_placement(&wrong, Some(&county), None).unwrap_err().field.as_deref(), Some("code"));
        let village = input("village", "城东村", "330226100201").validate().unwrap();
        assert_eq!(check_placement(&village, Some(&county), None).unwrap_err().code, ErrorCode::BadHierarchy);
        assert_eq!(check_placement(&town, None, None).unwrap_err().code, ErrorCode::BadHierarchy);
        // a department may not move under its own sub-office
        let dept = input("department", "财政局", "").validate().unwrap();
        let sub = ParentInfo { kind: UnitKind::Department, code: None, path: "/1/5/9/".into() };
        assert_eq!(check_placement(&dept, Some(&sub), Some("/1/5/")).unwrap_err().code, ErrorCode::BadHierarchy);
        assert!(in_subtree("/1/5/9/", "/1/5/"));
        assert!(!in_subtree("/1/50/", "/1/5/"));
    }
}

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub short_name: Option<String>,
    pub code: Option<String>,
    pub leader: Option<String>,
    /// Materialised path of ids, `/1/5/23/`: the subtree of a unit is every path it prefixes.
    pub path: String,
    pub depth: i64,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Unit {
    /// The name a ledger cell may use for this unit: full name or short name.
    pub fn matches_name(&self, name: &str) -> bool {
        let n = name.trim();
        !n.is_empty() && (self.name == n || self.short_name.as_deref() == Some(n))
    }
}
