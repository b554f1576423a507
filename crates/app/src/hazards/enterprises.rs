//! The enterprise ledger (生产经营单位): added by the supervision office or the regulating
//! department; the credit code's shape is required, a failing check character only warned
//! (pilot codes exist, rules-cn.md §7).

use crate::{forbidden, Result, Who};
use luoshi_domain::checksum::{uscc_checksum_ok, uscc_shape_ok};
use luoshi_domain::error::optional_text;
use luoshi_domain::DomainError;
use luoshi_storage::hazards::{self as store, Enterprise, NewEnterprise};
use luoshi_storage::{units, Db};
use serde::Deserialize;

/// An enterprise as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EnterpriseInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    /// GB/T 4754 门类 letter, optionally with the 大类 digits (`C`, `C26`).
    #[serde(default)]
    pub industry: String,
    pub regulator_unit_id: Option<i64>,
    pub township_id: Option<i64>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub hazard_source_level: i64,
}

/// The key-supervision flags an enterprise may carry.
pub const FLAGS: &[&str] = &["危化", "粉尘涉爆", "液氨制冷", "有限空间"];

pub(crate) fn industry_ok(s: &str) -> bool {
    let mut c = s.chars();
    // 门类 A–T, then none or two digits of the 大类.
    matches!(c.next(), Some('A'..='T')) && matches!(c.as_str().len(), 0 | 2) && c.all(|d| d.is_ascii_digit())
}

/// Check an enterprise as entered: the row to write (its regulator and township as given, to be
/// resolved by the caller) and its warnings (a credit code whose check character fails).
pub(crate) fn checked(input: &EnterpriseInput) -> std::result::Result<(NewEnterprise, Vec<&'static str>), DomainError> {
    let name = optional_text("name", &input.name, 200)?.ok_or_else(|| DomainError::required("name"))?;
    let code = optional_text("credit_code", &input.credit_code.to_ascii_uppercase(), 18)?;
    let mut warnings = Vec::new();
    if let Some(c) = &code {
        if !uscc_shape_ok(c) {
            return Err(DomainError::invalid("credit_code"));
        }
        if !uscc_checksum_ok(c) {
            warnings.push("hazards.warning.credit_code_check");
        }
    }
    let industry = input.industry.trim().to_ascii_uppercase();
    if !industry_ok(&industry) {
        return Err(DomainError::invalid("industry"));
    }
    if let Some(f) = input.flags.iter().find(|f| !FLAGS.contains(&f.as_str())) {
        return Err(DomainError::invalid("flags").with_detail(f.clone()));
    }
    if !(0..=4).contains(&input.hazard_source_level) {
        return Err(DomainError::invalid("hazard_source_level"));
    }
    let e = NewEnterprise {
        name,
        credit_code: code,
        industry,
        regulator_unit_id: input.regulator_unit_id.unwrap_or(0),
        township_id: input.township_id,
        address: optional_text("address", &input.address, 200)?,
        size: optional_text("size", &input.size, 20)?,
        flags: input.flags.join(","),
        hazard_source_level: input.hazard_source_level,
    };
    Ok((e, warnings))
}

/// Add an enterprise; the warnings to show beside the saved record.
pub async fn create_enterprise(db: &Db, who: &Who, input: &EnterpriseInput, now: i64) -> Result<(Enterprise, Vec<&'static str>)> {
    let (e, warnings) = checked(input)?;
    let regulator = input.regulator_unit_id.ok_or_else(|| DomainError::required("regulator_unit_id"))?;
    let regulator_path = units::get(db, regulator).await?.ok_or_else(|| DomainError::invalid("regulator_unit_id"))?.path;
    if let Some(t) = input.township_id {
        units::get(db, t).await?.ok_or_else(|| DomainError::invalid("township_id"))?;
    }
    if !(who.is_supervisor() || who.acts_for(&regulator_path)) {
        return Err(forbidden());
    }
    let mut tx = db.begin_write().await?;
    let id = store::create_enterprise(&mut tx, &who.actor, &e, now).await?;
    tx.commit().await?;
    let saved = store::enterprise_by_id(db, id).await?.ok_or_else(|| DomainError::not_found("enterprise"))?;
    Ok((saved, warnings))
}

/// An enterprise's page: the record, its risk points, inspections and hazards.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EnterpriseView {
    pub enterprise: Enterprise,
    pub township_name: Option<String>,
    pub risks: Vec<luoshi_storage::hazards::risks::RiskPoint>,
    pub inspections: Vec<luoshi_storage::hazards::inspections::Inspection>,
    pub hazards: Vec<luoshi_storage::hazards::Hazard>,
    /// Whether the caller keeps this enterprise's ledger (adds risk points, merges).
    pub keeps: bool,
}

/// An enterprise the caller may see: the supervision office and leaders, its regulator, its township.
pub async fn enterprise_view(db: &Db, who: &Who, id: i64) -> Result<EnterpriseView> {
    let e = store::enterprise_by_id(db, id).await?.ok_or_else(|| DomainError::not_found("enterprise"))?;
    let regulator = units::get(db, e.regulator_unit_id).await?.map(|u| u.path).unwrap_or_default();
    let township = match e.township_id {
        Some(t) => units::get(db, t).await?,
        None => None,
    };
    let mut paths = vec![regulator.as_str()];
    paths.extend(township.as_ref().map(|t| t.path.as_str()));
    if !who.sight().sees(&paths, None) {
        return Err(DomainError::not_found("enterprise").into());
    }
    Ok(EnterpriseView {
        keeps: who.is_supervisor() || who.acts_for(&regulator),
        township_name: township.map(|t| t.name),
        risks: luoshi_storage::hazards::risks::of_enterprise(db, id).await?,
        inspections: luoshi_storage::hazards::inspections::inspections_of_enterprise(db, id, 50).await?,
        hazards: store::of_enterprise(db, id, 100).await?,
        enterprise: e,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn industries() {
        for ok in ["C", "C26", "T", "A01"] {
            assert!(super::industry_ok(ok), "{ok}");
        }
        for bad in ["", "U", "C2", "C266", "c26", "26"] {
            assert!(!super::industry_ok(bad), "{bad}");
        }
    }
}
