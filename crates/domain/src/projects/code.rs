//! 项目代码: the code the national online approval platform (全国投资项目在线审批监管平台) gives a
//! project, GB/T 40058-2021: `YYYY-RRRRRR-DD-TT-NNNNNC`, 24 characters — year, GB/T 2260
//! region, the central supervising department, the project type, five random digits and a
//! check character. The earlier published form (`2017-130000-01-01-00001`, 23 characters)
//! lacks the check character and is accepted too. The standard's check-character rule was not
//! available to us: a mismatch against the rule assumed here is a warning, never a refusal.

use crate::error::{DomainError, ErrorCode};
use serde::Serialize;

/// A well-formed project code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ProjectCode(String);

/// Which published form a code has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeForm {
    /// GB/T 40058-2021: 24 characters with the check character.
    Current,
    /// Before 2020-11 (发改投资〔2020〕1439号): 23 characters, no check character.
    Earlier,
}

/// GB/T 2260 province-level prefixes.
const PROVINCES: &[u8] =
    &[11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82];

/// The part at fault is the field (`project_code.region` …), what was found the detail.
fn part(name: &str, got: &str) -> DomainError {
    DomainError::field(ErrorCode::Invalid, format!("project_code.{name}")).with_detail(got.to_string())
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl ProjectCode {
    /// Read a code as typed: its form, or an `invalid` error naming the part at fault as its
    /// field (`project_code.length`, `.separator`, `.year`, `.region`, `.department`, `.type`,
    /// `.serial`, `.check`) with what was found.
    pub fn parse(raw: &str) -> Result<(ProjectCode, CodeForm), DomainError> {
        let v: String = raw.trim().to_ascii_uppercase();
        if v.is_empty() {
            return Err(DomainError::field(ErrorCode::Required, "project_code"));
        }
        let n = v.chars().count();
        if n != 24 && n != 23 {
            return Err(part("length", &n.to_string()));
        }
        let parts: Vec<&str> = v.split('-').collect();
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        if !v.is_ascii() || parts.len() != 5 || lens[..4] != [4, 6, 2, 2] {
            let bad: String = v.chars().filter(|c| !c.is_ascii_alphanumeric()).take(1).collect();
            return Err(part("separator", if bad.is_empty() { "-" } else { &bad }));
        }
        let (year, region, dept, kind, tail) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
        if !digits(year) || !(1990..=2100).contains(&year.parse::<i32>().unwrap_or(0)) {
            return Err(part("year", year));
        }
        if !digits(region) || !region_ok(region) {
            return Err(part("region", region));
        }
        if !digits(dept) {
            return Err(part("department", dept));
        }
        if !digits(kind) {
            return Err(part("type", kind));
        }
        let form = match tail.len() {
            6 => CodeForm::Current,
            5 => CodeForm::Earlier,
            _ => return Err(part("serial", tail)),
        };
        if !digits(&tail[..5]) {
            return Err(part("serial", &tail[..5]));
        }
        if form == CodeForm::Current && !tail[5..].bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(part("check", &tail[5..]));
        }
        Ok((ProjectCode(v), form))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region part (GB/T 2260).
    pub fn region(&self) -> &str {
        &self.0[5..11]
    }

    /// Does the check character agree with the rule assumed until the standard's text is read
    /// (ISO 7064 MOD 11-2 over the 22 digits, X for 10)? `None` for the earlier form, which has
    /// none. A `false` is shown as a warning only.
    pub fn check_agrees(&self) -> Option<bool> {
        let digits: Vec<u32> = self.0.chars().filter_map(|c| c.to_digit(10)).collect();
        if self.0.len() != 24 {
            return None;
        }
        let body = &digits[..digits.len().min(22)];
        let mut p: u32 = 0;
        for d in body {
            p = (p + d) * 2 % 11;
        }
        let c = (12 - p % 11) % 11;
        let want = if c == 10 { 'X' } else { char::from_digit(c, 10).unwrap_or('0') };
        Some(self.0.ends_with(want))
    }
}

/// GB/T 2260 shape: a real province prefix; a county part only under a prefecture part.
fn region_ok(r: &str) -> bool {
    let b = r.as_bytes();
    let num = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
    PROVINCES.contains(&num(0)) && !(num(2) == 0 && num(4) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(raw: &str) -> String {
        let e = ProjectCode::parse(raw).unwrap_err();
        let field = e.field.unwrap_or_default();
        format!("{}:{}", field.strip_prefix("project_code.").unwrap_or(&field), e.detail.unwrap_or_default())
    }

    #[test]
    fn both_published_forms_are_read() {
        let (c, f) = ProjectCode::parse(" 2020-451421-88-03-016343 ").unwrap();
        assert_eq!((c.as_str(), f, c.region()), ("2020-451421-88-03-016343", CodeForm::Current, "451421"));
        let (c, f) = ProjectCode::parse("2017-130000-01-01-00001").unwrap();
        assert_eq!((f, c.check_agrees()), (CodeForm::Earlier, None));
        let (c, _) = ProjectCode::parse("2026-339901-89-01-00012x").unwrap();
        assert_eq!(c.as_str(), "2026-339901-89-01-00012X");
        assert!(c.check_agrees().is_some());
    }

    #[test]
    fn each_wrong_part_is_named() {
        assert_eq!(ProjectCode::parse("").unwrap_err().code, ErrorCode::Required);
        assert_eq!(detail("2026-339901-89-01-0001"), "length:22");
        assert_eq!(detail("2026-339901-89-01-0000123"), "length:25");
        assert_eq!(detail("2026_339901-89-01-000123"), "separator:_");
        assert_eq!(detail("2026-3399018-9-01-000123"), "separator:-");
        assert_eq!(detail("2026—339901-89-01-00012"), "separator:—");
        assert_eq!(detail("1890-339901-89-01-000123"), "year:1890");
        assert_eq!(detail("2026-999901-89-01-000123"), "region:999901");
        assert_eq!(detail("2026-330012-89-01-000123"), "region:330012");
        assert_eq!(detail("2026-339901-8A-01-000123"), "department:8A");
        assert_eq!(detail("2026-339901-89-0B-000123"), "type:0B");
        assert_eq!(detail("2026-339901-89-01-0A0123"), "serial:0A012");
    }

    #[test]
    fn the_assumed_check_rule_is_consistent() {
        // The assumed rule's own check character agrees; any other differs (a warning).
        let body = "2026-339901-89-01-00012";
        let agreeing: Vec<char> = "0123456789X".chars().filter(|c| ProjectCode::parse(&format!("{body}{c}")).unwrap().0.check_agrees() == Some(true)).collect();
        assert_eq!(agreeing.len(), 1);
    }
}
