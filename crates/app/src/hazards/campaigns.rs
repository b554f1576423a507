//! A campaign's page: its scope and units by name, how far it has got (enterprises in scope
//! inspected, hazards it found and how many are closed), its latest inspections, and for a
//! 回头看 the closed hazards drawn for re-inspection and the enterprises that reported none.

use super::lookback::{self, LookBack};
use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::DomainError;
use luoshi_storage::hazards::inspections::{self as store, Campaign, Inspection};
use luoshi_storage::{units, Db};
use serde::Serialize;

/// A campaign with its progress.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignView {
    pub campaign: Campaign,
    pub checking_names: Vec<String>,
    pub township_name: Option<String>,
    /// Enterprises in scope, and of them inspected.
    pub in_scope: usize,
    pub inspected: usize,
    pub progress: Option<f64>,
    /// Hazards the campaign found (not cancelled), of them 重大, and closed.
    pub found: i64,
    pub major: i64,
    pub closed: i64,
    pub recent: Vec<Inspection>,
    /// 回头看: what to re-inspect.
    pub look_back: Option<LookBack>,
}

pub async fn list(db: &Db) -> Result<Vec<Campaign>> {
    store::campaigns(db).await
}

pub async fn view(db: &Db, who: &Who, id: i64) -> Result<CampaignView> {
    let c = store::campaign_by_id(db, id).await?.ok_or_else(|| DomainError::not_found("campaign"))?;
    // The unit tree read once for every name the page shows.
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let name = |id: i64| all.iter().find(|u| u.id == id).map(|u| u.name.clone());
    let checking_names = c.checking_units.iter().filter_map(|u| name(*u)).collect();
    let township_name = c.township_id.and_then(name);
    let look_back = match (&c.closed_from, &c.closed_to) {
        (Some(f), Some(t)) => {
            let parse = |s: &str, field: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DomainError::invalid(field));
            Some(lookback::look_back(db, who, parse(f, "closed_from")?, parse(t, "closed_to")?, None).await?)
        }
        _ => None,
    };
    // A 回头看 covers the enterprises of the closed hazards drawn and every zero-report one.
    let scope: Vec<i64> = match &look_back {
        Some(lb) => {
            let mut ids: Vec<i64> = lb.sample.iter().filter_map(|h| h.enterprise_id).chain(lb.zero_report.iter().map(|e| e.id)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        None => store::enterprises_in_scope(db, &c).await?,
    };
    let done = store::inspected_enterprises(db, id).await?;
    let inspected = scope.iter().filter(|e| done.contains(e)).count();
    let (mut found, mut major, mut closed) = (0, 0, 0);
    for (grade, state, n) in store::campaign_hazards(db, id).await? {
        if state == "cancelled" {
            continue;
        }
        found += n;
        major += if grade == "major" { n } else { 0 };
        closed += if state == "closed" { n } else { 0 };
    }
    Ok(CampaignView {
        progress: (!scope.is_empty()).then(|| inspected as f64 / scope.len() as f64),
        in_scope: scope.len(),
        inspected,
        found,
        major,
        closed,
        recent: store::inspections_of_campaign(db, id, 50).await?,
        checking_names,
        township_name,
        look_back,
        campaign: c,
    })
}
