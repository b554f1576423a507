//! Campaigns and inspections: a campaign (大检查, 百日攻坚, 专项整治, 回头看) sets who checks what
//! and when; an inspection record says who looked at which enterprise, with which checklist,
//! what was found and the photos taken, and registers each finding as a hazard in the same
//! transaction. A phone's retry with the same key gets the inspection it already made.

use super::{enterprises::industry_ok, prepare, HazardInput};
use crate::{forbidden, Result, Who};
use chrono::NaiveDate;
use luoshi_domain::error::optional_text;
use luoshi_domain::hazards::CampaignKind;
use luoshi_domain::DomainError;
use luoshi_storage::hazards::inspections::{self as store, Campaign, Inspection, Photo};
use luoshi_storage::hazards::{self as hazards, Hazard};
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

/// A campaign as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CampaignInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub scope: String,
    /// 门类 letters or 大类 codes, comma-separated (empty: every industry).
    #[serde(default)]
    pub industries: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub township_id: Option<i64>,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub lead_unit_id: Option<i64>,
    #[serde(default)]
    pub checking_units: Vec<i64>,
    /// 回头看: the closures re-inspected.
    #[serde(default)]
    pub closed_from: String,
    #[serde(default)]
    pub closed_to: String,
}

/// Start a campaign: the supervision office, or a department leading its own.
pub async fn create_campaign(db: &Db, who: &Who, input: &CampaignInput, today: NaiveDate, now: i64) -> Result<Campaign> {
    let kind = CampaignKind::parse(input.kind.trim()).ok_or_else(|| DomainError::invalid("kind"))?;
    let title = optional_text("title", &input.title, 200)?.ok_or_else(|| DomainError::required("title"))?;
    let scope = optional_text("scope", &input.scope, 2000)?.unwrap_or_default();
    let industries: Vec<String> = input.industries.split([',', '，', '、']).map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()).collect();
    if let Some(bad) = industries.iter().find(|i| !industry_ok(i)) {
        return Err(DomainError::invalid("industries").with_detail(bad.clone()).into());
    }
    let bounds = crate::date_bounds(db, today).await?;
    let starts = bounds.parse("starts_on", &input.starts_on)?;
    let ends = bounds.parse("ends_on", &input.ends_on)?;
    if ends < starts {
        return Err(DomainError::invalid("ends_on").with_detail("before starts_on").into());
    }
    let (closed_from, closed_to) = match kind {
        CampaignKind::LookBack => {
            let f = bounds.parse("closed_from", &input.closed_from)?;
            let t = bounds.parse("closed_to", &input.closed_to)?;
            if t < f {
                return Err(DomainError::invalid("closed_to").into());
            }
            (Some(crate::ymd(f)), Some(crate::ymd(t)))
        }
        _ => (None, None),
    };
    let lead = input.lead_unit_id.or(who.unit_id).ok_or_else(|| DomainError::required("lead_unit_id"))?;
    let lead_unit = units::get(db, lead).await?.ok_or_else(|| DomainError::invalid("lead_unit_id"))?;
    if !(who.is_supervisor() || who.acts_for(&lead_unit.path)) {
        return Err(forbidden());
    }
    let mut checking = input.checking_units.clone();
    if checking.is_empty() {
        checking.push(lead);
    }
    for u in &checking {
        units::get(db, *u).await?.ok_or_else(|| DomainError::invalid("checking_units").with_detail(u.to_string()))?;
    }
    if let Some(t) = input.township_id {
        units::get(db, t).await?.ok_or_else(|| DomainError::invalid("township_id"))?;
    }
    let c = Campaign {
        id: 0,
        kind,
        title,
        scope,
        industries: industries.join(","),
        township_id: input.township_id,
        starts_on: crate::ymd(starts),
        ends_on: crate::ymd(ends),
        lead_unit_id: lead,
        lead_name: lead_unit.name,
        checking_units: checking,
        closed_from,
        closed_to,
        created_by: who.actor.name.clone(),
        created_at: now,
    };
    let mut tx = db.begin_write().await?;
    let id = store::create_campaign(&mut tx, &who.actor, &c, now).await?;
    tx.commit().await?;
    store::campaign_by_id(db, id).await?.ok_or_else(|| DomainError::not_found("campaign").into())
}

/// A finding as the inspector writes it down: it becomes a hazard (排查登记).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FindingInput {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub control_measures: String,
}

/// An inspection as submitted from the phone form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InspectionInput {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub campaign_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub inspected_on: String,
    #[serde(default)]
    pub checklist: String,
    #[serde(default)]
    pub checked: Vec<String>,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    #[serde(default)]
    pub note: String,
    /// The inspectors' names (行政检查由两名以上执法人员进行); the caller when empty.
    #[serde(default)]
    pub inspectors: String,
    /// The phone's own key for this submission: sent again, it finds the same inspection.
    #[serde(default)]
    pub client_key: String,
}

/// The most photos one inspection takes, and the largest photo.
pub const MAX_PHOTOS: usize = 9;
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// What a submission did.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    pub inspection_id: i64,
    pub hazards: Vec<i64>,
    /// True when this key had already made the inspection (nothing was written again).
    pub repeated: bool,
}

/// May this caller inspect this enterprise (in this campaign)? The supervision office, the
/// regulator, the township, or a checking unit of the campaign.
async fn may_inspect(db: &Db, who: &Who, e: &hazards::Enterprise, campaign: Option<&Campaign>) -> Result<bool> {
    if who.is_supervisor() {
        return Ok(true);
    }
    let mut paths = Vec::new();
    for id in [Some(e.regulator_unit_id), e.township_id].into_iter().flatten().chain(campaign.map(|c| c.checking_units.clone()).unwrap_or_default()) {
        if let Some(u) = units::get(db, id).await? {
            paths.push(u.path);
        }
    }
    Ok(paths.iter().any(|p| who.acts_for(p)))
}

/// Record an inspection with its photos; each finding is registered as a hazard of the
/// enterprise, all in one transaction (nothing half-written).
pub async fn submit(db: &Db, who: &Who, input: &InspectionInput, photos: Vec<Photo>, today: NaiveDate, now: i64) -> Result<Submitted> {
    let eid = input.enterprise_id.ok_or_else(|| DomainError::required("enterprise_id"))?;
    let e = hazards::enterprise_by_id(db, eid).await?.ok_or_else(|| DomainError::invalid("enterprise_id"))?;
    let campaign = match input.campaign_id {
        Some(c) => Some(store::campaign_by_id(db, c).await?.ok_or_else(|| DomainError::invalid("campaign_id"))?),
        None => None,
    };
    if !may_inspect(db, who, &e, campaign.as_ref()).await? {
        return Err(forbidden());
    }
    let unit_id = who.unit_id.or(campaign.as_ref().map(|c| c.lead_unit_id)).unwrap_or(e.regulator_unit_id);
    let bounds = crate::date_bounds(db, today).await?;
    let on = bounds.parse("inspected_on", &input.inspected_on)?;
    if on > today {
        return Err(DomainError::invalid("inspected_on").with_detail("after today").into());
    }
    let checklist = optional_text("checklist", &input.checklist, 80)?;
    if let Some(c) = &checklist {
        // The checklist is a 判定标准 the county ships, the version in force on the day.
        luoshi_domain::hazards::catalogue::judge_by(&luoshi_domain::hazards::catalogue::shipped()?, c, on)?;
    }
    if photos.len() > MAX_PHOTOS {
        return Err(DomainError::field(luoshi_domain::ErrorCode::TooLarge, "photos").with_detail(MAX_PHOTOS.to_string()).into());
    }
    if let Some(p) = photos.iter().find(|p| !p.content_type.starts_with("image/") || p.data.len() > MAX_PHOTO_BYTES || p.data.is_empty()) {
        return Err(DomainError::invalid("photos").with_detail(p.name.clone()).into());
    }
    let mut found = Vec::new();
    for (i, f) in input.findings.iter().enumerate().filter(|(_, f)| !f.description.trim().is_empty()) {
        let h = HazardInput {
            enterprise_id: Some(eid),
            description: f.description.clone(),
            found_on: crate::ymd(on),
            control_measures: f.control_measures.clone(),
            ..HazardInput::default()
        };
        // A finding's problem names its field and, as detail, which finding it is.
        let (n, _) = prepare(db, &h, today).await.map_err(|e| match e {
            luoshi_storage::StoreError::Domain(d) => d.with_detail(format!("finding {}", i + 1)).into(),
            other => other,
        })?;
        found.push(n);
    }
    let key = optional_text("client_key", &input.client_key, 64)?;
    let record = Inspection {
        id: 0,
        campaign_id: campaign.as_ref().map(|c| c.id),
        enterprise_id: eid,
        enterprise_name: e.name.clone(),
        unit_id,
        unit_name: String::new(),
        inspector: optional_text("inspectors", &input.inspectors, 200)?.unwrap_or_else(|| who.actor.name.clone()),
        inspected_on: crate::ymd(on),
        checklist,
        checked: input.checked.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).take(200).collect(),
        findings: i64::try_from(found.len()).unwrap_or(0),
        photos: 0,
        note: optional_text("note", &input.note, 2000)?,
        created_at: now,
    };
    let mut tx = db.begin_write().await?;
    if let Some(k) = &key {
        if let Some(id) = store::claim_key(&mut tx, k).await? {
            let hazards = hazards::of_inspection(db, id).await?.into_iter().map(|h| h.id).collect();
            return Ok(Submitted { inspection_id: id, hazards, repeated: true });
        }
    }
    let id = store::insert_inspection(&mut tx, &who.actor, &record, &photos, now).await?;
    let mut ids = Vec::new();
    for mut n in found {
        n.inspection_id = Some(id);
        n.campaign_id = record.campaign_id;
        ids.push(hazards::register(&mut tx, &who.actor, &n, now).await?.id);
    }
    if let Some(k) = &key {
        store::bind_key(&mut tx, k, id).await?;
    }
    tx.commit().await?;
    Ok(Submitted { inspection_id: id, hazards: ids, repeated: false })
}

/// An inspection with its photos and the hazards it found.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionView {
    pub inspection: Inspection,
    /// (id, name, size).
    pub photos: Vec<(i64, String, i64)>,
    pub hazards: Vec<Hazard>,
}

/// An inspection the caller may see (as one who may inspect the enterprise), else `not_found`.
pub async fn inspection(db: &Db, who: &Who, id: i64) -> Result<InspectionView> {
    let i = seen(db, who, id).await?;
    Ok(InspectionView { photos: store::photos_of(db, id).await?, hazards: hazards::of_inspection(db, id).await?, inspection: i })
}

/// The inspection record if the caller may see it (its unit, or one who may inspect the enterprise).
async fn seen(db: &Db, who: &Who, id: i64) -> Result<Inspection> {
    let i = store::inspection_by_id(db, id).await?.ok_or_else(|| DomainError::not_found("inspection"))?;
    let e = hazards::enterprise_by_id(db, i.enterprise_id).await?.ok_or_else(|| DomainError::not_found("inspection"))?;
    let campaign = match i.campaign_id {
        Some(c) => store::campaign_by_id(db, c).await?,
        None => None,
    };
    let mine = who.unit_id == Some(i.unit_id);
    if !(mine || may_inspect(db, who, &e, campaign.as_ref()).await?) {
        return Err(DomainError::not_found("inspection").into());
    }
    Ok(i)
}

/// One photo of an inspection the caller may see.
pub async fn photo(db: &Db, who: &Who, inspection_id: i64, id: i64) -> Result<Photo> {
    seen(db, who, inspection_id).await?;
    store::photo(db, inspection_id, id).await?.ok_or_else(|| DomainError::not_found("photo").into())
}
