//! 安全生产 → 应急协同: every accident recorded opens an incident (事故灾难 · 生产安全事故) at the
//! county's command, its facts and casualties copied, its place the enterprise or the place
//! given, its township the enterprise's; the incident names the accident as its source, so it is
//! opened once however often the link runs.

use crate::emergencies::incidents::{self, IncidentInput};
use crate::{Result, Who};
use luoshi_domain::time::format_local;
use luoshi_storage::emergencies::incidents as incident_store;
use luoshi_storage::hazards::accidents as accident_store;
use luoshi_storage::Db;

/// The link's own actor in trails and the audit log.
fn who() -> Who {
    Who::system("link:accident")
}

/// Open the incident of an accident (if it has none); its id.
pub async fn open(db: &Db, accident_id: i64, now: i64) -> Result<Option<i64>> {
    let key = accident_id.to_string();
    if let Some(id) = incident_store::by_source(db, "accident", &key).await? {
        return Ok(Some(id));
    }
    let Some(a) = accident_store::get(db, accident_id).await? else { return Ok(None) };
    let place = a.enterprise_name.clone().or(a.place.clone()).unwrap_or_default();
    let title: String = format!("{}生产安全事故", a.enterprise_name.clone().unwrap_or_else(|| place.clone())).chars().take(100).collect();
    let input = IncidentInput {
        title,
        event_type: if a.road_or_fire { "traffic".into() } else { "work_safety".into() },
        occurred_at: format_local(a.occurred_at),
        township_id: a.township_id,
        village_id: None,
        place: if place.is_empty() { "—".into() } else { place },
        facts: a.description.clone(),
        deaths: a.deaths,
        injured: a.serious_injuries,
        missing: 0,
        reporter: a.owner_name.clone(),
        source: "accident".into(),
        source_ref: key,
    };
    Ok(Some(incidents::report(db, &who(), &input, now).await?))
}

/// The incident an accident opened, if any.
pub async fn incident_of(db: &Db, accident_id: i64) -> Result<Option<i64>> {
    incident_store::by_source(db, "accident", &accident_id.to_string()).await
}

/// Open the incidents of the last week's accidents that have none (a link missed when the
/// accident was recorded); how many.
pub async fn sweep(db: &Db, now: i64) -> Result<usize> {
    const WEEK: i64 = 7 * 86_400_000_000;
    let recent = accident_store::recorded_since(db, now - WEEK).await?;
    if recent.is_empty() {
        return Ok(0);
    }
    let linked = incident_store::sources_since(db, "accident", now - 2 * WEEK).await?;
    let mut made = 0;
    for id in recent.into_iter().filter(|id| !linked.contains(&id.to_string())) {
        if open(db, id, now).await?.is_some() {
            made += 1;
        }
    }
    Ok(made)
}
