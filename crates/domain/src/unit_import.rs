//! 单位表导入 (unit list import): plan the changes a spreadsheet asks for, checking every row
//! against the existing tree and the rows above it, before anything is written.

use crate::error::DomainError;
use crate::unit::{check_placement, NewUnit, ParentInfo, Unit, UnitCode, UnitInput};
use serde::Serialize;

/// The columns of the unit list, in order, as the ledger reads and writes them.
pub const COLUMNS: [&str; 6] = ["代码", "名称", "简称", "类型", "上级单位", "负责人"];

/// One data row of the sheet (`row` is the spreadsheet's 1-based row number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitRow {
    pub row: usize,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub parent: String,
    pub leader: String,
}

/// A problem, by row and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub code: String,
    pub field: Option<String>,
    pub detail: Option<String>,
}

impl RowError {
    pub fn new(row: usize, column: &str, e: DomainError) -> Self {
        RowError { row, column: column.to_string(), code: e.code.as_str().to_string(), field: e.field, detail: e.detail }
    }
    pub fn as_domain(&self) -> DomainError {
        let code = crate::error::ErrorCode::ALL.iter().copied().find(|c| c.as_str() == self.code).unwrap_or(crate::error::ErrorCode::Invalid);
        DomainError { code, field: self.field.clone(), detail: self.detail.clone() }
    }
}

/// Where a planned unit's parent is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParentRef {
    Root,
    Existing(i64),
    /// A unit created by an earlier row of the same file (index into the plan).
    Planned(usize),
}

/// What one row will do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedUnit {
    pub row: usize,
    /// `Some(id)` updates that unit; `None` creates one.
    pub existing: Option<i64>,
    pub parent: ParentRef,
    pub unit: NewUnit,
    /// True when the row repeats the stored unit exactly (nothing to write).
    pub unchanged: bool,
}

/// Plan the import. Either every row is valid and the plan is returned, or every problem found.
pub fn plan(existing: &[Unit], rows: &[UnitRow]) -> Result<Vec<PlannedUnit>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut planned: Vec<PlannedUnit> = Vec::new();
    if rows.is_empty() {
        errors.push(RowError::new(1, "名称", DomainError::required("file")));
        return Err(errors);
    }
    for r in rows {
        let input = UnitInput {
            parent_id: None,
            kind: r.kind.clone(),
            name: r.name.clone(),
            short_name: r.short_name.clone(),
            code: r.code.clone(),
            leader: r.leader.clone(),
        };
        let mut unit = match input.validate() {
            Ok(u) => u,
            Err(e) => {
                let col = match e.field.as_deref() {
                    Some("kind") => "类型",
                    Some("code") => "代码",
                    Some("short_name") => "简称",
                    Some("leader") => "负责人",
                    _ => "名称",
                };
                errors.push(RowError::new(r.row, col, e));
                continue;
            }
        };
        // Resolve the parent: a planned row above (by code or name), else a stored unit.
        let parent_name = r.parent.trim();
        let (parent_ref, parent_info): (ParentRef, Option<ParentInfo>) = if parent_name.is_empty() {
            (ParentRef::Root, None)
        } else {
            let in_file: Vec<usize> = planned
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.unit.code.as_ref().map(UnitCode::as_str) == Some(parent_name)
                        || p.unit.name == parent_name
                        || p.unit.short_name.as_deref() == Some(parent_name)
                })
                .map(|(i, _)| i)
                .collect();
            let stored: Vec<&Unit> = existing.iter().filter(|u| u.code.as_deref() == Some(parent_name) || u.matches_name(parent_name)).collect();
            match (in_file.as_slice(), stored.as_slice()) {
                ([i], _) => {
                    let p = &planned[*i];
                    let r = match p.existing {
                        Some(id) => ParentRef::Existing(id),
                        None => ParentRef::Planned(*i),
                    };
                    // A planned unit's path is unknown yet; use a placeholder that cannot clash.
                    (r, Some(ParentInfo { kind: p.unit.kind, code: p.unit.code.clone(), path: format!("/planned/{i}/") }))
                }
                ([], [u]) => (
                    ParentRef::Existing(u.id),
                    Some(ParentInfo { kind: u.kind, code: u.code.as_deref().and_then(|c| UnitCode::parse(u.kind, c).ok().flatten()), path: u.path.clone() }),
                ),
                ([], []) => {
                    errors.push(RowError::new(r.row, "上级单位", DomainError::not_found("parent_id").with_detail(parent_name.to_string())));
                    continue;
                }
                _ => {
                    errors.push(RowError::new(
                        r.row,
                        "上级单位",
                        DomainError::field(crate::ErrorCode::Duplicate, "parent_id").with_detail(parent_name.to_string()),
                    ));
                    continue;
                }
            }
        };
        unit.parent_id = match parent_ref {
            ParentRef::Existing(id) => Some(id),
            _ => None,
        };
        // Match a stored unit: by code, else by the same name under the same parent.
        let matched =
            existing.iter().find(|u| unit.code.is_some() && u.code.as_deref() == unit.code.as_ref().map(UnitCode::as_str)).or_else(|| match &parent_ref {
                ParentRef::Existing(pid) => existing.iter().find(|u| u.parent_id == Some(*pid) && u.name == unit.name),
                ParentRef::Root => existing.iter().find(|u| u.parent_id.is_none() && u.name == unit.name),
                ParentRef::Planned(_) => None,
            });
        let own_path = matched.map(|m| m.path.as_str());
        if let Err(e) = check_placement(&unit, parent_info.as_ref(), own_path) {
            let col = if e.field.as_deref() == Some("code") { "代码" } else { "上级单位" };
            errors.push(RowError::new(r.row, col, e));
            continue;
        }
        if planned.iter().any(|p| p.unit.code.is_some() && p.unit.code == unit.code) {
            errors.push(RowError::new(r.row, "代码", DomainError::field(crate::ErrorCode::Duplicate, "code").with_detail(r.code.trim().to_string())));
            continue;
        }
        if planned.iter().any(|p| p.parent == parent_ref && p.unit.name == unit.name) {
            errors.push(RowError::new(r.row, "名称", DomainError::field(crate::ErrorCode::Duplicate, "name").with_detail(unit.name.clone())));
            continue;
        }
        let unchanged = matched.is_some_and(|m| {
            m.parent_id == unit.parent_id
                && m.kind == unit.kind
                && m.name == unit.name
                && m.short_name == unit.short_name
                && m.code.as_deref() == unit.code.as_ref().map(UnitCode::as_str)
                && m.leader == unit.leader
        });
        planned.push(PlannedUnit { row: r.row, existing: matched.map(|m| m.id), parent: parent_ref, unit, unchanged });
    }
    if errors.is_empty() {
        Ok(planned)
    } else {
        Err(errors)
    }
}

/// The export rows of a unit list (parents named by code when they have one, else by name).
pub fn export_rows(units: &[Unit]) -> Vec<[String; 6]> {
    units
        .iter()
        .map(|u| {
            let parent =
                u.parent_id.and_then(|p| units.iter().find(|x| x.id == p)).map(|p| p.code.clone().unwrap_or_else(|| p.name.clone())).unwrap_or_default();
            [
                u.code.clone().unwrap_or_default(),
                u.name.clone(),
                u.short_name.clone().unwrap_or_default(),
                u.kind.label_zh().to_string(),
                parent,
                u.leader.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitKind;

    fn row(n: usize, code: &str, name: &str, kind: &str, parent: &str) -> UnitRow {
        UnitRow { row: n, code: code.into(), name: name.into(), kind: kind.into(), parent: parent.into(), ..Default::default() }
    }

    fn county() -> Unit {
        Unit {
            id: 1,
            parent_id: None,
            kind: UnitKind::County,
            name: "示范县".into(),
            short_name: None,
            code: Some("330999".into()),
            leader: None,
            path: "/1/".into(),
            depth: 0,
            active: true,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn plans_a_tree_from_rows_above() {
        let rows = vec![
            row(2, "330999100000", "城关镇", "乡镇/街道", "示范县"),
            row(3, "330999100201", "城东村", "村/社区", "城关镇"),
            row(4, "", "财政局", "部门", "330999"),
            row(5, "330999", "示范县", "县", ""),
        ];
        let p = plan(&[county()], &rows).unwrap();
        assert_eq!(p[0].parent, ParentRef::Existing(1));
        assert_eq!(p[1].parent, ParentRef::Planned(0));
        assert_eq!(p[2].parent, ParentRef::Existing(1));
        assert_eq!(p[3].existing, Some(1));
        assert!(p[3].unchanged);
    }

    #[test]
    fn reports_every_problem_by_row_and_column() {
        let rows = vec![
            row(2, "33099910000", "城关镇", "乡镇/街道", "示范县"),
            row(3, "", "城东村", "村/社区", "无此镇"),
            row(4, "", "", "部门", "示范县"),
            row(5, "", "某局", "星球", "示范县"),
            row(6, "", "某村", "村/社区", "示范县"),
        ];
        let errs = plan(&[county()], &rows).unwrap_err();
        let got: Vec<(usize, &str, &str)> = errs.iter().map(|e| (e.row, e.column.as_str(), e.code.as_str())).collect();
        assert_eq!(
            got,
            vec![(2, "代码", "invalid"), (3, "上级单位", "not_found"), (4, "名称", "required"), (5, "类型", "invalid"), (6, "上级单位", "bad_hierarchy")]
        );
    }

    #[test]
    fn export_names_parents() {
        let mut dept = county();
        dept.id = 2;
        dept.parent_id = Some(1);
        dept.kind = UnitKind::Department;
        dept.name = "财政局".into();
        dept.code = None;
        let rows = export_rows(&[county(), dept]);
        assert_eq!(rows[1][4], "330999");
        assert_eq!(rows[1][3], "部门");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof!["", "\\PC{0,20}", "(县|部门|乡镇/街道|村/社区|county|village)", "[0-9]{6,12}", "(示范县|城关镇|财政局|339901)"]
    }

    proptest! {
        /// Any rows: a plan or errors naming rows that exist, never a panic.
        #[test]
        fn any_rows_plan_or_report(rows in proptest::collection::vec((cell(), cell(), cell(), cell(), cell(), cell()), 0..30)) {
            let rows: Vec<UnitRow> = rows.into_iter().enumerate().map(|(i, (code, name, short_name, kind, parent, leader))| UnitRow { row: i + 2, code, name, short_name, kind, parent, leader }).collect();
            match plan(&[], &rows) {
                Ok(p) => prop_assert_eq!(p.len(), rows.len()),
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for e in errors {
                        prop_assert!(e.row == 1 || rows.iter().any(|r| r.row == e.row));
                    }
                }
            }
        }
    }
}
