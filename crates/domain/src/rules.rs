//! 规则 (rules as data): named, versioned values with their source document (文号).
//!
//! Time limits and thresholds are never constants in code. Defaults ship in `data/rules.json`;
//! an administrator changes them, each change a new version with who, when and why, audited.

use crate::error::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

/// What values a rule accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuleKind {
    Integer { min: i64, max: i64 },
    Number { min: f64, max: f64 },
    Text { max_chars: usize },
}

/// A rule as shipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub key: String,
    pub value: serde_json::Value,
    pub kind: RuleKind,
    pub unit: String,
    pub source: String,
    pub effective_from: String,
    pub zh: String,
    pub en: String,
}

/// The rules luoshi ships with (parsed once: every use case that reads a rule asks).
pub fn shipped() -> Result<Vec<RuleSpec>, DomainError> {
    shipped_specs().map(<[RuleSpec]>::to_vec)
}

/// The shipped rules without copying them (read on many requests).
pub fn shipped_specs() -> Result<&'static [RuleSpec], DomainError> {
    static SHIPPED: std::sync::OnceLock<Result<Vec<RuleSpec>, DomainError>> = std::sync::OnceLock::new();
    SHIPPED.get_or_init(parse_shipped).as_deref().map_err(Clone::clone)
}

fn parse_shipped() -> Result<Vec<RuleSpec>, DomainError> {
    let specs: Vec<RuleSpec> =
        serde_json::from_str(include_str!("../data/rules.json")).map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(format!("rules.json: {e}")))?;
    for s in &specs {
        s.kind.check(&s.value).map_err(|e| e.with_detail(s.key.clone()))?;
    }
    Ok(specs)
}

impl RuleKind {
    /// Check a proposed value. The error names the field `value`.
    pub fn check(&self, v: &serde_json::Value) -> Result<(), DomainError> {
        let range = || DomainError::field(ErrorCode::OutOfRange, "value");
        match self {
            RuleKind::Integer { min, max } => {
                let n = v.as_i64().ok_or_else(|| DomainError::invalid("value"))?;
                if n < *min || n > *max {
                    return Err(range().with_detail(format!("{min}..{max}")));
                }
            }
            RuleKind::Number { min, max } => {
                let n = v.as_f64().ok_or_else(|| DomainError::invalid("value"))?;
                if !n.is_finite() || n < *min || n > *max {
                    return Err(range().with_detail(format!("{min}..{max}")));
                }
            }
            RuleKind::Text { max_chars } => {
                let s = v.as_str().ok_or_else(|| DomainError::invalid("value"))?;
                if s.chars().count() > *max_chars {
                    return Err(DomainError::field(ErrorCode::TooLong, "value").with_detail(max_chars.to_string()));
                }
            }
        }
        Ok(())
    }

    /// Parse a value typed into a form field.
    pub fn parse_text(&self, raw: &str) -> Result<serde_json::Value, DomainError> {
        let raw = raw.trim();
        let v = match self {
            RuleKind::Integer { .. } => raw.parse::<i64>().map(serde_json::Value::from).map_err(|_| DomainError::invalid("value"))?,
            RuleKind::Number { .. } => raw.parse::<f64>().map(serde_json::Value::from).map_err(|_| DomainError::invalid("value"))?,
            RuleKind::Text { .. } => serde_json::Value::from(raw),
        };
        self.check(&v)?;
        Ok(v)
    }
}

/// A change an administrator proposes.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleChange {
    pub value: serde_json::Value,
    pub source: String,
    pub effective_from: String,
    #[serde(default)]
    pub note: String,
}

impl RuleChange {
    pub fn validate(&self, kind: &RuleKind) -> Result<(), DomainError> {
        kind.check(&self.value)?;
        crate::error::required_text("source", &self.source, 200)?;
        chrono::NaiveDate::parse_from_str(self.effective_from.trim(), "%Y-%m-%d").map_err(|_| DomainError::invalid("effective_from"))?;
        crate::error::optional_text("note", &self.note, 500)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_are_valid_and_sourced() {
        let rules = shipped().unwrap();
        assert!(rules.len() >= 10);
        let mut keys = std::collections::HashSet::new();
        for r in &rules {
            assert!(keys.insert(r.key.clone()), "duplicate {}", r.key);
            assert!(!r.source.is_empty() && !r.zh.is_empty() && !r.en.is_empty(), "{}", r.key);
        }
    }

    #[test]
    fn values_are_checked() {
        let k = RuleKind::Integer { min: 1, max: 28 };
        assert!(k.check(&serde_json::json!(28)).is_ok());
        assert_eq!(k.check(&serde_json::json!(29)).unwrap_err().code, ErrorCode::OutOfRange);
        assert_eq!(k.check(&serde_json::json!("x")).unwrap_err().code, ErrorCode::Invalid);
        assert_eq!(k.parse_text(" 7 ").unwrap(), serde_json::json!(7));
        let c = RuleChange { value: serde_json::json!(3), source: "".into(), effective_from: "2026-01-01".into(), note: "".into() };
        assert_eq!(c.validate(&k).unwrap_err().field.as_deref(), Some("source"));
    }
}
