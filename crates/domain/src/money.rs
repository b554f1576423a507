//! Exact money and ratios for the ledgers that publish figures: amounts in 分 (fen), rates in
//! millionths (ppm) a year, ratios in basis points; integer arithmetic only, rounded half away
//! from zero where a division must round.

use crate::error::{DomainError, ErrorCode};
use serde::Serialize;

/// An amount in 分, exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// `n / d` rounded half away from zero (`d` > 0).
pub fn div_round(n: i128, d: i128) -> i128 {
    if d == 0 {
        return 0;
    }
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d.abs() {
        q + n.signum() * d.signum()
    } else {
        q
    }
}

/// Digits with at most `decimals` places, scaled by 10^decimals (`None` when malformed).
fn scaled(t: &str, decimals: usize, max_int: usize) -> Option<i64> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > max_int || frac.len() > decimals || !ok(int) || !ok(frac) {
        return None;
    }
    let mut f = frac.to_string();
    while f.len() < decimals {
        f.push('0');
    }
    let whole: i64 = int.parse().ok()?;
    let part: i64 = if f.is_empty() { 0 } else { f.parse().ok()? };
    whole.checked_mul(10_i64.pow(decimals as u32))?.checked_add(part)
}

fn clean(raw: &str) -> String {
    raw.trim().chars().filter(|c| *c != ',' && *c != '，' && !c.is_whitespace()).collect()
}

impl Fen {
    /// 万元 as typed (`5000`, `1,234.56`; up to six decimals: exact to the 分).
    pub fn parse_wan(raw: &str, field: &str) -> Result<Fen, DomainError> {
        let t = clean(raw);
        let t = t.trim_end_matches("万元").trim_end_matches('万');
        let neg = t.starts_with('-');
        let v = scaled(t.trim_start_matches('-'), 6, 12).ok_or_else(|| DomainError::field(ErrorCode::Invalid, field).with_detail(raw.trim().to_string()))?;
        Ok(Fen(if neg { -v } else { v }))
    }

    /// 元 as typed (up to two decimals).
    pub fn parse_yuan(raw: &str, field: &str) -> Result<Fen, DomainError> {
        let t = clean(raw);
        let t = t.trim_end_matches('元');
        scaled(t, 2, 16).map(Fen).ok_or_else(|| DomainError::field(ErrorCode::Invalid, field).with_detail(raw.trim().to_string()))
    }

    /// 万元 with the decimals needed (at most six): `5000`, `1234.5`.
    pub fn wan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (w, r) = (a / 1_000_000, a % 1_000_000);
        if r == 0 {
            format!("{sign}{w}")
        } else {
            format!("{sign}{w}.{}", format!("{r:06}").trim_end_matches('0'))
        }
    }

    /// 万元 with two decimals, rounded (tables).
    pub fn wan2(self) -> String {
        fixed(div_round(i128::from(self.0), 10_000), 2)
    }

    /// 亿元 with four decimals, rounded half away from zero (published tables).
    pub fn yi4(self) -> String {
        fixed(div_round(i128::from(self.0), 1_000_000), 4)
    }

    /// `self / of` in basis points (1 bp = 0.01 %), rounded; `None` when `of` is zero.
    pub fn bp_of(self, of: Fen) -> Option<i64> {
        (of.0 != 0).then(|| div_round(i128::from(self.0) * 10_000, i128::from(of.0)) as i64)
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(it: I) -> Fen {
        Fen(it.map(|f| f.0).sum())
    }
}

/// An integer scaled by 10^decimals as text: `fixed(12345, 2)` is `123.45`.
pub fn fixed(v: i128, decimals: u32) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let p = 10_u128.pow(decimals);
    if decimals == 0 {
        return format!("{sign}{a}");
    }
    format!("{sign}{}.{:0w$}", a / p, a % p, w = decimals as usize)
}

/// Basis points as a percentage: `12345` is `123.45%`.
pub fn percent(bp: i64) -> String {
    format!("{}%", fixed(i128::from(bp), 2))
}

/// An annual rate in millionths (3.25 % is 32,500).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Ppm(pub i64);

impl Ppm {
    /// A percentage as typed (`3.25`, `3.25%`, up to four decimals).
    pub fn parse_percent(raw: &str, field: &str) -> Result<Ppm, DomainError> {
        let t = clean(raw);
        let v = scaled(t.trim_end_matches('%'), 4, 3).ok_or_else(|| DomainError::field(ErrorCode::Invalid, field).with_detail(raw.trim().to_string()))?;
        if v > 1_000_000 {
            return Err(DomainError::field(ErrorCode::OutOfRange, field).with_detail(raw.trim().to_string()));
        }
        Ok(Ppm(v))
    }

    /// As a percentage with the decimals needed: `3.25%`.
    pub fn show(self) -> String {
        let s = fixed(i128::from(self.0), 4);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_amounts_and_rounding() {
        assert_eq!(Fen::parse_wan("1,234.56", "x").unwrap(), Fen(1_234_560_000));
        assert_eq!(Fen::parse_wan("0.000001", "x").unwrap(), Fen(1));
        assert!(Fen::parse_wan("1.0000001", "x").is_err());
        assert_eq!(Fen::parse_yuan("12.34元", "x").unwrap(), Fen(1234));
        assert_eq!(Fen(1_234_560_000).wan(), "1234.56");
        // 1.23455 亿 rounds half away from zero to four decimals.
        assert_eq!(Fen(12_345_500_000).yi4(), "1.2346");
        assert_eq!(Fen(-12_345_500_000).yi4(), "-1.2346");
        assert_eq!(Fen(12_345_499_999).yi4(), "1.2345");
        assert_eq!(Fen(1).bp_of(Fen(3)), Some(3333));
        assert_eq!(percent(12_345), "123.45%");
        assert_eq!(Ppm::parse_percent("3.25%", "r").unwrap(), Ppm(32_500));
        assert_eq!(Ppm(32_500).show(), "3.25%");
        assert_eq!(Ppm(40_000).show(), "4%");
        assert!(Ppm::parse_percent("abc", "r").is_err());
    }
}
