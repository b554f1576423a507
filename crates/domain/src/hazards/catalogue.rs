//! 重大事故隐患判定标准: the sector catalogues a 重大 grade rests on, as versioned data with their
//! sources (`data/hazard-catalogues.json`, rules-cn.md §4). A finding is judged by the version
//! in force on the day it was found: the 工贸 catalogue of 应急管理部令第10号 from 2023-05-15,
//! the 2017 one before. Where a catalogue's first day is not recorded, it is taken as in force
//! until its end (if any).

use crate::error::{DomainError, ErrorCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One catalogue version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub code: String,
    pub sector: String,
    pub name: String,
    /// The document that issues it (文号 or standard number).
    pub source: String,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub note: String,
}

impl Catalogue {
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.effective_from.is_none_or(|f| f <= on) && self.effective_until.is_none_or(|u| on <= u)
    }
}

/// The catalogues luoshi ships with.
pub fn shipped() -> Result<Vec<Catalogue>, DomainError> {
    serde_json::from_str(include_str!("../../data/hazard-catalogues.json"))
        .map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(format!("hazard-catalogues.json: {e}")))
}

/// The catalogue a 重大 grade cites, if it was in force on the day the hazard was found; else
/// `invalid` naming `basis_catalogue` (an unknown code, or a version not in force that day).
pub fn judge_by<'a>(all: &'a [Catalogue], code: &str, found_on: NaiveDate) -> Result<&'a Catalogue, DomainError> {
    let c = all.iter().find(|c| c.code == code.trim()).ok_or_else(|| DomainError::invalid("basis_catalogue"))?;
    if !c.in_force(found_on) {
        return Err(DomainError::invalid("basis_catalogue").with_detail(format!("{} not in force on {found_on}", c.code)));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_version_in_force_on_the_day_found() {
        let all = shipped().unwrap();
        assert!(all.iter().all(|c| !c.source.is_empty() && !c.name.is_empty()));
        let codes: std::collections::HashSet<_> = all.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        assert_eq!(judge_by(&all, "gongmao-2017", d("2023-05-14")).unwrap().source, "安监总管四〔2017〕129号");
        assert!(judge_by(&all, "gongmao-2023", d("2023-05-14")).is_err(), "the day before 第10号 took effect");
        assert_eq!(judge_by(&all, "gongmao-2023", d("2023-05-15")).unwrap().source, "应急管理部令第10号");
        assert!(judge_by(&all, "gongmao-2017", d("2023-05-15")).is_err());
        assert_eq!(judge_by(&all, "nonsense", d("2024-01-01")).unwrap_err().field.as_deref(), Some("basis_catalogue"));
    }
}
