//! Campaigns and inspection records. An inspection, its photos, its phone key and the hazards it
//! found are written in one transaction by the app; a phone that sends the same submission again
//! (a slow line, a retry) finds the inspection its key already made.

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::hazards::CampaignKind;
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub kind: CampaignKind,
    pub title: String,
    /// What it covers, in words.
    pub scope: String,
    /// 门类 letters or 大类 codes, comma-separated (empty: every industry).
    pub industries: String,
    pub township_id: Option<i64>,
    pub starts_on: String,
    pub ends_on: String,
    pub lead_unit_id: i64,
    pub lead_name: String,
    /// The checking units' ids.
    pub checking_units: Vec<i64>,
    /// 回头看: the closures it re-inspects.
    pub closed_from: Option<String>,
    pub closed_to: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

const CAMPAIGN_COLS: &str = "c.id, c.kind, c.title, c.scope, c.industries, c.township_id, c.starts_on, c.ends_on, c.lead_unit_id, u.name AS lead_name, \
     c.checking_units, c.closed_from, c.closed_to, c.created_by, c.created_at";

fn campaign(r: &AnyRow) -> Result<Campaign> {
    let kind = get_str(r, "kind")?;
    Ok(Campaign {
        id: get_i64(r, "id")?,
        kind: CampaignKind::parse(&kind).ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("campaign kind"))?,
        title: get_str(r, "title")?,
        scope: get_str(r, "scope")?,
        industries: get_str(r, "industries")?,
        township_id: get_opt_i64(r, "township_id")?,
        starts_on: get_str(r, "starts_on")?,
        ends_on: get_str(r, "ends_on")?,
        lead_unit_id: get_i64(r, "lead_unit_id")?,
        lead_name: get_str(r, "lead_name")?,
        checking_units: get_str(r, "checking_units")?.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        closed_from: get_opt_str(r, "closed_from")?,
        closed_to: get_opt_str(r, "closed_to")?,
        created_by: get_str(r, "created_by")?,
        created_at: get_i64(r, "created_at")?,
    })
}

/// Add a campaign (checked by the app).
pub async fn create_campaign(tx: &mut WriteTx, actor: &Actor, c: &Campaign, now: i64) -> Result<i64> {
    // Every node copies the campaigns (a reference table): one such writer at a time.
    tx.lock_shared().await?;
    let units = c.checking_units.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let row = sqlx::query(
        "INSERT INTO campaigns (kind, title, scope, industries, township_id, starts_on, ends_on, lead_unit_id, checking_units, closed_from, closed_to, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(c.kind.as_str())
    .bind(&c.title)
    .bind(&c.scope)
    .bind(&c.industries)
    .bind(c.township_id)
    .bind(&c.starts_on)
    .bind(&c.ends_on)
    .bind(c.lead_unit_id)
    .bind(&units)
    .bind(&c.closed_from)
    .bind(&c.closed_to)
    .bind(&actor.name)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let after = serde_json::json!({ "kind": c.kind.as_str(), "title": c.title, "starts_on": c.starts_on, "ends_on": c.ends_on, "lead_unit_id": c.lead_unit_id, "checking_units": units });
    tx.audit(actor, "campaign.create", "campaign", &id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

pub async fn campaigns(db: &Db) -> Result<Vec<Campaign>> {
    let rows =
        sqlx::query(&format!("SELECT {CAMPAIGN_COLS} FROM campaigns c JOIN units u ON u.id = c.lead_unit_id ORDER BY c.starts_on DESC, c.id DESC LIMIT 200"))
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(campaign).collect()
}

pub async fn campaign_by_id(db: &Db, id: i64) -> Result<Option<Campaign>> {
    let row = sqlx::query(&format!("SELECT {CAMPAIGN_COLS} FROM campaigns c JOIN units u ON u.id = c.lead_unit_id WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(campaign).transpose()
}

/// An inspection record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub inspector: String,
    pub inspected_on: String,
    /// The 判定标准 checklist used (a catalogue id).
    pub checklist: Option<String>,
    /// The checklist items looked at.
    pub checked: Vec<String>,
    pub findings: i64,
    pub photos: i64,
    pub note: Option<String>,
    pub created_at: i64,
}

const INSPECTION_COLS: &str = "i.id, i.campaign_id, i.enterprise_id, e.name AS enterprise_name, i.unit_id, u.name AS unit_name, i.inspector, i.inspected_on, \
     i.checklist, i.checked, i.findings, i.photos, i.note, i.created_at";
const INSPECTION_FROM: &str = "FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id JOIN units u ON u.id = i.unit_id";

fn inspection(r: &AnyRow) -> Result<Inspection> {
    Ok(Inspection {
        id: get_i64(r, "id")?,
        campaign_id: get_opt_i64(r, "campaign_id")?,
        enterprise_id: get_i64(r, "enterprise_id")?,
        enterprise_name: get_str(r, "enterprise_name")?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        inspector: get_str(r, "inspector")?,
        inspected_on: get_str(r, "inspected_on")?,
        checklist: get_opt_str(r, "checklist")?,
        checked: get_str(r, "checked")?.split('\n').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        findings: get_i64(r, "findings")?,
        photos: get_i64(r, "photos")?,
        note: get_opt_str(r, "note")?,
        created_at: get_i64(r, "created_at")?,
    })
}

/// A photo taken on an inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// Claim the phone's key for a new inspection: `Ok(None)` when it is new (the caller writes the
/// inspection and then [`bind_key`]s it), `Ok(Some(id))` when it already made inspection `id`.
pub async fn claim_key(tx: &mut WriteTx, key: &str) -> Result<Option<i64>> {
    // A placeholder id of 0 holds the key for this transaction; a concurrent retry waits on it.
    let n = sqlx::query("INSERT INTO inspection_keys (client_key, inspection_id) VALUES ($1, 0) ON CONFLICT DO NOTHING")
        .bind(key)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 1 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT inspection_id FROM inspection_keys WHERE client_key = $1").bind(key).fetch_one(tx.conn()).await?;
    Ok(Some(get_i64(&row, "inspection_id")?))
}

/// Point a claimed key at the inspection it made.
pub async fn bind_key(tx: &mut WriteTx, key: &str, id: i64) -> Result<()> {
    sqlx::query("UPDATE inspection_keys SET inspection_id = $1 WHERE client_key = $2").bind(id).bind(key).execute(tx.conn()).await?;
    Ok(())
}

/// Write an inspection record and its photos (audited); its findings are registered by the app
/// in the same transaction.
pub async fn insert_inspection(tx: &mut WriteTx, actor: &Actor, i: &Inspection, photos: &[Photo], now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO inspections (campaign_id, enterprise_id, unit_id, inspector, inspected_on, checklist, checked, findings, photos, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(i.campaign_id)
    .bind(i.enterprise_id)
    .bind(i.unit_id)
    .bind(&i.inspector)
    .bind(&i.inspected_on)
    .bind(&i.checklist)
    .bind(i.checked.join("\n"))
    .bind(i.findings)
    .bind(i64::try_from(photos.len()).unwrap_or(0))
    .bind(&i.note)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let mut sums = Vec::new();
    for p in photos {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(&p.data));
        sqlx::query("INSERT INTO inspection_photos (inspection_id, name, content_type, size, sha256, data, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(&p.name)
            .bind(&p.content_type)
            .bind(i64::try_from(p.data.len()).unwrap_or(i64::MAX))
            .bind(&sha)
            .bind(p.data.clone())
            .bind(now)
            .execute(tx.conn())
            .await?;
        sums.push(sha);
    }
    let after = serde_json::json!({ "enterprise_id": i.enterprise_id, "campaign_id": i.campaign_id, "inspected_on": i.inspected_on, "findings": i.findings, "photos": sums });
    tx.audit(actor, "inspection.record", "inspection", &id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

pub async fn inspection_by_id(db: &Db, id: i64) -> Result<Option<Inspection>> {
    let row = sqlx::query(&format!("SELECT {INSPECTION_COLS} {INSPECTION_FROM} WHERE i.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(inspection).transpose()
}

/// An enterprise's inspections, newest first.
pub async fn inspections_of_enterprise(db: &Db, enterprise_id: i64, limit: i64) -> Result<Vec<Inspection>> {
    let rows = sqlx::query(&format!(
        "SELECT {INSPECTION_COLS} {INSPECTION_FROM} WHERE i.enterprise_id = $1 ORDER BY i.inspected_on DESC, i.id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(enterprise_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(inspection).collect()
}

/// A campaign's inspections, newest first.
pub async fn inspections_of_campaign(db: &Db, campaign_id: i64, limit: i64) -> Result<Vec<Inspection>> {
    let rows = sqlx::query(&format!("SELECT {INSPECTION_COLS} {INSPECTION_FROM} WHERE i.campaign_id = $1 ORDER BY i.id DESC LIMIT {}", limit.clamp(1, 500)))
        .bind(campaign_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(inspection).collect()
}

/// The enterprises a campaign has inspected (each once).
pub async fn inspected_enterprises(db: &Db, campaign_id: i64) -> Result<std::collections::HashSet<i64>> {
    let rows = sqlx::query("SELECT DISTINCT enterprise_id FROM inspections WHERE campaign_id = $1").bind(campaign_id).fetch_all(db.pool()).await?;
    rows.iter().map(|r| get_i64(r, "enterprise_id")).collect()
}

/// A campaign's hazards by grade and state: (grade or "", state, n).
pub async fn campaign_hazards(db: &Db, campaign_id: i64) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT COALESCE(grade, '') AS g, state, CAST(COUNT(*) AS BIGINT) AS n FROM hazards WHERE campaign_id = $1 GROUP BY COALESCE(grade, ''), state",
    )
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_str(r, "g")?, get_str(r, "state")?, get_i64(r, "n")?))).collect()
}

/// The photos of an inspection: (id, name, size).
pub async fn photos_of(db: &Db, inspection_id: i64) -> Result<Vec<(i64, String, i64)>> {
    let rows =
        sqlx::query("SELECT id, name, size FROM inspection_photos WHERE inspection_id = $1 ORDER BY id").bind(inspection_id).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "id")?, get_str(r, "name")?, get_i64(r, "size")?))).collect()
}

/// One photo's bytes with its type.
pub async fn photo(db: &Db, inspection_id: i64, id: i64) -> Result<Option<Photo>> {
    let row = sqlx::query("SELECT name, content_type, data FROM inspection_photos WHERE inspection_id = $1 AND id = $2")
        .bind(inspection_id)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(r) => Ok(Some(Photo { name: get_str(&r, "name")?, content_type: get_str(&r, "content_type")?, data: r.try_get::<Vec<u8>, _>("data")? })),
        None => Ok(None),
    }
}

/// The enterprises in a campaign's scope (by industry prefix and township).
pub async fn enterprises_in_scope(db: &Db, c: &Campaign) -> Result<Vec<i64>> {
    let rows = match c.township_id {
        Some(t) => sqlx::query("SELECT id, industry FROM enterprises WHERE township_id = $1").bind(t).fetch_all(db.pool()).await?,
        None => sqlx::query("SELECT id, industry FROM enterprises").fetch_all(db.pool()).await?,
    };
    let mut out = Vec::new();
    for r in &rows {
        if luoshi_domain::hazards::campaign::in_scope(&c.industries, None, &get_str(r, "industry")?, None) {
            out.push(get_i64(r, "id")?);
        }
    }
    Ok(out)
}
