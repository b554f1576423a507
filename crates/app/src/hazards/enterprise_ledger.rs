//! The county's enterprise ledger (生产经营单位台账) in xlsx, in and out. An import checks every
//! row (names, codes, industries, units, flags) and reports every problem by row and column,
//! writing nothing unless every row is good; a row whose credit code is already in the ledger
//! updates that enterprise, two rows with one code are merged, and a stored enterprise entered
//! without a code takes the code of the row with its exact name. The regulating department, when
//! a row names none, comes from the county's rule `hazards.regulator.by_industry` (管行业必须管安全).

use super::enterprises::{checked, EnterpriseInput, FLAGS};
use crate::{Result, RulesInForce, Who};
use luoshi_domain::access::Scope;
use luoshi_domain::unit_import::RowError;
use luoshi_domain::DomainError;
use luoshi_storage::hazards::ledger::{self as store, Counts};
use luoshi_storage::hazards::{self as hazards, NewEnterprise};
use luoshi_storage::{units, Db};
use serde::Serialize;
use std::collections::HashMap;

/// The ledger's columns, in order, as offices keep them.
pub const COLUMNS: [&str; 9] = ["企业名称", "统一社会信用代码", "行业代码", "监管部门", "所在乡镇", "地址", "规模", "重点监管类别", "重大危险源等级"];

/// The department regulating an industry by the county's rule: the 大类 entry over the 门类 one.
pub fn regulator_by_rule(rule: &str, industry: &str) -> Option<String> {
    rule.split([',', '，'])
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .filter(|(k, _)| !k.is_empty() && industry.starts_with(k))
        .max_by_key(|(k, _)| k.len())
        .map(|(_, v)| v.to_string())
}

/// The one department whose name ends with the rule's (a rule says 应急管理局, the county's
/// unit is 县应急管理局).
fn by_suffix<'a>(all: &'a [luoshi_domain::unit::Unit], name: &str) -> Option<&'a luoshi_domain::unit::Unit> {
    let mut hits = all.iter().filter(|u| !name.is_empty() && u.kind == luoshi_domain::unit::UnitKind::Department && u.name.ends_with(name));
    match (hits.next(), hits.next()) {
        (Some(u), None) => Some(u),
        _ => None,
    }
}

/// What an import did or would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    /// (row, the earlier row it was merged into) for rows sharing a credit code.
    pub merged: Vec<(usize, usize)>,
    /// (row, message key) for rows saved with a warning (a failing check character).
    pub warnings: Vec<(usize, &'static str)>,
}

/// Check a ledger and, unless `dry_run`, write it in one transaction.
pub async fn import(db: &Db, who: &Who, bytes: &[u8], file_name: &str, dry_run: bool, now: i64) -> Result<std::result::Result<Report, Vec<RowError>>> {
    let table = match luoshi_ledger::read_table(bytes, luoshi_ledger::Format::detect(file_name, bytes)) {
        Ok(t) => t,
        Err(e) => return Ok(Err(vec![RowError::new(1, "", e)])),
    };
    let idx = match luoshi_ledger::column_index(&table, &COLUMNS, &["企业名称", "行业代码"]) {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    let all = units::list(db, &Scope::All).await?;
    let today = luoshi_domain::time::local_date(now);
    let rule = RulesInForce::load(db, today).await?.text("hazards.regulator.by_industry").unwrap_or_default();
    let stored = store::keys(db).await?;
    let by_code: HashMap<&str, i64> = stored.iter().filter_map(|(id, c, _)| c.as_deref().map(|c| (c, *id))).collect();
    let uncoded: HashMap<&str, i64> = stored.iter().filter(|(_, c, _)| c.is_none()).map(|(id, _, n)| (n.as_str(), *id)).collect();
    let mut errors = Vec::new();
    let mut report = Report { dry_run, rows: table.rows.len(), ..Report::default() };
    let mut planned: Vec<(usize, Option<i64>, NewEnterprise)> = Vec::new();
    if table.rows.is_empty() {
        return Ok(Err(vec![RowError::new(1, "企业名称", DomainError::required("file"))]));
    }
    for (row, cells) in &table.rows {
        let get = |i: usize| idx[i].and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut err = |col: &str, e: DomainError| errors.push(RowError::new(*row, col, e));
        let industry = get(2).to_ascii_uppercase();
        let (regulator_name, by_rule) = match get(3) {
            n if n.is_empty() => (regulator_by_rule(&rule, &industry).unwrap_or_default(), true),
            n => (n, false),
        };
        let found = units::resolve(&all, &regulator_name).or_else(|e| if by_rule { by_suffix(&all, &regulator_name).ok_or(e) } else { Err(e) });
        let regulator = match found {
            Ok(u) if who.is_supervisor() || who.acts_for(&u.path) => Some(u.id),
            Ok(_) => {
                err("监管部门", luoshi_domain::DomainError::forbidden().with_detail(regulator_name.clone()));
                None
            }
            Err(_) if regulator_name.is_empty() => {
                err("监管部门", DomainError::required("regulator_unit_id"));
                None
            }
            Err(e) => {
                err("监管部门", e);
                None
            }
        };
        let township = match get(4) {
            t if t.is_empty() => None,
            t => match units::resolve(&all, &t) {
                Ok(u) => Some(u.id),
                Err(e) => {
                    err("所在乡镇", e);
                    None
                }
            },
        };
        let flags: Vec<String> = get(7).split([',', '，', '、', ';', '；']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        if let Some(f) = flags.iter().find(|f| !FLAGS.contains(&f.as_str())) {
            err("重点监管类别", DomainError::invalid("flags").with_detail(f.clone()));
        }
        let level = match get(8).trim_end_matches('级') {
            "" | "无" => 0,
            "一" => 1,
            "二" => 2,
            "三" => 3,
            "四" => 4,
            n => n.parse().unwrap_or(-1),
        };
        let input = EnterpriseInput {
            name: get(0),
            credit_code: get(1),
            industry,
            regulator_unit_id: regulator,
            township_id: township,
            address: get(5),
            size: get(6),
            flags: Vec::new(),
            hazard_source_level: level,
        };
        match checked(&input) {
            Ok((mut e, warnings)) => {
                e.flags = flags.join(",");
                report.warnings.extend(warnings.into_iter().map(|w| (*row, w)));
                // Two rows with one code: the later one's cells fill the earlier's.
                if let Some(c) = e.credit_code.clone() {
                    if let Some(first) = planned.iter_mut().find(|p| p.2.credit_code.as_deref() == Some(&c)) {
                        report.merged.push((*row, first.0));
                        first.2 = e;
                        continue;
                    }
                }
                let existing = match &e.credit_code {
                    Some(c) => by_code.get(c.as_str()).copied().or_else(|| uncoded.get(e.name.as_str()).copied()),
                    None => None,
                };
                planned.push((*row, existing, e));
            }
            Err(e) => {
                let col = match e.field.as_deref() {
                    Some("name") => "企业名称",
                    Some("credit_code") => "统一社会信用代码",
                    Some("industry") => "行业代码",
                    Some("address") => "地址",
                    Some("size") => "规模",
                    Some("hazard_source_level") => "重大危险源等级",
                    _ => "",
                };
                errors.push(RowError::new(*row, col, e));
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let rows: Vec<(Option<i64>, NewEnterprise)> = planned.into_iter().map(|(_, id, e)| (id, e)).collect();
    report.updated = rows.iter().filter(|(id, _)| id.is_some()).count();
    report.created = rows.len() - report.updated;
    if dry_run {
        return Ok(Ok(report));
    }
    let mut tx = db.begin_write().await?;
    let Counts { created, updated } = store::apply(&mut tx, &who.actor, &rows, now).await?;
    tx.commit().await?;
    Ok(Ok(Report { created, updated, ..report }))
}

/// The ledger the caller keeps (the county's for the supervision office) as rows of [`COLUMNS`].
pub async fn export_rows(db: &Db, who: &Who) -> Result<Vec<Vec<String>>> {
    let path = (!who.is_supervisor() && who.role != Some(luoshi_domain::user::Role::Leader)).then_some(who.unit_path.as_str());
    let all = units::list(db, &Scope::All).await?;
    let name = |id: Option<i64>| id.and_then(|i| all.iter().find(|u| u.id == i)).map(|u| u.name.clone()).unwrap_or_default();
    Ok(hazards::enterprises(db, path, 100_000)
        .await?
        .into_iter()
        .map(|e| {
            vec![
                e.name,
                e.credit_code.unwrap_or_default(),
                e.industry,
                e.regulator_name,
                name(e.township_id),
                e.address.unwrap_or_default(),
                e.size.unwrap_or_default(),
                e.flags.replace(',', "、"),
                luoshi_domain::hazards::source_level_label(e.hazard_source_level).to_string(),
            ]
        })
        .collect())
}

/// The enterprise a duplicate merges into: by id, or by its credit code.
#[derive(Debug, Clone)]
pub enum Into {
    Id(i64),
    Code(String),
}

/// Merge enterprise `from` into another (both kept by the caller): allowed when `from` carries
/// no credit code or the same one (a duplicate entered twice); everything of `from` moves over.
pub async fn merge(db: &Db, who: &Who, from: i64, into: &Into, now: i64) -> Result<i64> {
    // Whether the caller keeps `from` is asked first: another unit's enterprise answers alike
    // whatever the target.
    let a = super::risks::kept_by(db, who, from).await?;
    let into = match into {
        Into::Id(i) => *i,
        Into::Code(c) => {
            let code = c.trim().to_ascii_uppercase();
            if code.is_empty() {
                return Err(DomainError::required("into_code").into());
            }
            let keys = store::keys(db).await?;
            keys.iter().find(|(_, k, _)| k.as_deref() == Some(code.as_str())).map(|(id, _, _)| *id).ok_or_else(|| DomainError::not_found("into_code"))?
        }
    };
    if from == into {
        return Err(DomainError::invalid("into").into());
    }
    let b = super::risks::kept_by(db, who, into).await?;
    let code = match (&a.credit_code, &b.credit_code) {
        (Some(x), Some(y)) if x != y => {
            return Err(DomainError::field(luoshi_domain::ErrorCode::Conflict, "credit_code").with_detail(format!("{x} ≠ {y}")).into())
        }
        (Some(x), None) => Some(x.clone()),
        _ => None,
    };
    let mut tx = db.begin_write().await?;
    store::merge(&mut tx, &who.actor, from, into, code.as_deref(), now).await?;
    tx.commit().await?;
    Ok(into)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_division_rule_wins_over_the_section() {
        let rule = "C=应急管理局,C13=市场监督管理局, E=住房和城乡建设局";
        assert_eq!(super::regulator_by_rule(rule, "C26").as_deref(), Some("应急管理局"));
        assert_eq!(super::regulator_by_rule(rule, "C13").as_deref(), Some("市场监督管理局"));
        assert_eq!(super::regulator_by_rule(rule, "E").as_deref(), Some("住房和城乡建设局"));
        assert_eq!(super::regulator_by_rule(rule, "Q"), None);
    }
}
