//! 回头看: what a look-back campaign re-inspects — a sample of the hazards closed in a period
//! (its share a rule, `hazards.lookback.sample_percent`; the same hazards every time it is
//! asked, chosen by a hash of their ids) and every enterprise that reported no hazard in it
//! (零隐患企业). A re-inspection that finds the fix undone reopens the hazard (`reopen`).

use crate::{Result, RulesInForce, Who};
use chrono::NaiveDate;
use luoshi_domain::DomainError;
use luoshi_storage::hazards::{self as store, Enterprise, Hazard};
use luoshi_storage::{units, Db};
use serde::Serialize;

/// What to re-inspect.
#[derive(Debug, Clone, Serialize)]
pub struct LookBack {
    pub from: String,
    pub to: String,
    pub percent: i64,
    /// Closed in the period, of which `sample` are drawn.
    pub closed: usize,
    pub sample: Vec<Hazard>,
    /// Enterprises in the caller's sight with no hazard found in the period.
    pub zero_report: Vec<Enterprise>,
}

/// Is this id in a `percent` sample? A fixed mix of the id (SplitMix64), so the sample is the
/// same each time and spread evenly over ids.
fn drawn(id: i64, percent: i64) -> bool {
    let mut z = (id as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    i64::try_from(z % 100).unwrap_or(0) < percent
}

/// The look-back of a period, for the supervision office or a regulating department (its own).
pub async fn look_back(db: &Db, who: &Who, from: NaiveDate, to: NaiveDate, percent: Option<i64>) -> Result<LookBack> {
    if to < from {
        return Err(DomainError::invalid("to").into());
    }
    let rules = RulesInForce::load(db, to).await?;
    let percent = percent.or_else(|| rules.int("hazards.lookback.sample_percent")).unwrap_or(10);
    if !(1..=100).contains(&percent) {
        return Err(DomainError::invalid("percent").into());
    }
    let (f, t) = (crate::ymd(from), crate::ymd(to));
    let sight = who.sight();
    // The unit tree read once, not once per closed hazard.
    let paths: std::collections::HashMap<i64, String> =
        units::list(db, &luoshi_domain::access::Scope::All).await?.into_iter().map(|u| (u.id, u.path)).collect();
    let closed: Vec<Hazard> = store::closed_between(db, &f, &t)
        .await?
        .into_iter()
        .filter(|h| paths.get(&h.regulator_unit_id).is_some_and(|p| sight.sees(&[p.as_str()], None)))
        .collect();
    let n = closed.len();
    let sample = closed.into_iter().filter(|h| drawn(h.id, percent)).collect();
    let found = store::enterprises_with_findings(db, &f, &t).await?;
    let path = (!matches!(sight, luoshi_domain::access::Sight::County)).then_some(who.unit_path.as_str());
    // Every enterprise that reported none, not the first thousand: a city holds twenty thousand.
    let zero_report = store::enterprises(db, path, 100_000).await?.into_iter().filter(|e| !found.contains(&e.id)).collect();
    Ok(LookBack { from: f, to: t, percent, closed: n, sample, zero_report })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_is_stable_and_near_its_share() {
        let n = (1..=10_000).filter(|i| super::drawn(*i, 10)).count();
        assert!((900..=1100).contains(&n), "{n}");
        assert!((1..=100).all(|i| super::drawn(i, 100)));
        assert_eq!((1..=50).filter(|i| super::drawn(*i, 30)).collect::<Vec<_>>(), (1..=50).filter(|i| super::drawn(*i, 30)).collect::<Vec<_>>());
    }
}
