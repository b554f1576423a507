//! 考核: a unit's scorecard of a year, the annual ranking report, and the adjustments (加扣分)
//! the supervision office enters. Scores are computed from the duty counters every time.

use super::cockpit::fact;
use super::{scheme, scheme_kind, year_or, Tree};
use crate::{Result, Who};
use luoshi_domain::access::Sight;
use luoshi_domain::assessment::{score, Card, Facts};
use luoshi_domain::duty::places;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::assessment::{self as store, Adjustment, Objection};
use luoshi_storage::duty::figures;
use luoshi_storage::duty::Resolved;
use luoshi_storage::Db;
use serde::Serialize;

/// A unit's scorecard with what stands behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub year: i32,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    pub scheme_title: String,
    pub scheme_source: String,
    /// 0: the shipped scheme; else the stored version.
    pub scheme_version: i64,
    pub min_sample: i64,
    pub bands: Vec<(String, f64)>,
    pub card: Card,
    pub adjustments: Vec<Adjustment>,
    pub objections: Vec<Objection>,
}

/// The year's months as `YYYY-MM` bounds.
pub fn bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01"), format!("{year:04}-12"))
}

/// A unit's card from the counters of its subtree.
async fn card_of(db: &Db, tree: &Tree, u: &luoshi_domain::unit::Unit, year: i32) -> Result<(Card, luoshi_domain::assessment::Scheme, i64, Vec<Adjustment>)> {
    let (from, to) = bounds(year);
    let rows = figures::by_unit(db, &Resolved::Some { units: tree.subtree(&u.path), lead: None }, &from, &to).await?;
    let facts = Facts { rows: rows.iter().map(fact).collect(), from, to };
    let (s, version) = scheme(db, year, scheme_kind(u.kind)).await?;
    let adjustments = store::adjustments(db, year, Some(&[u.id])).await?;
    let adj: Vec<(String, f64)> = adjustments.iter().map(|a| (a.rule_code.clone(), a.points)).collect();
    Ok((score(&s, &facts, &adj), s, version, adjustments))
}

/// The scorecard of a unit the caller sees.
pub async fn scorecard(db: &Db, who: &Who, unit_id: i64, year: Option<i32>, this_year: i32) -> Result<Scorecard> {
    let year = year_or(year, this_year)?;
    let tree = Tree::load(db).await?;
    let u = tree.get(unit_id).ok_or_else(|| DomainError::not_found("unit"))?.clone();
    if !tree.sees(who, &u) {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let (card, s, version, adjustments) = card_of(db, &tree, &u, year).await?;
    let objections = store::objections(db, year, Some(&[u.id])).await?;
    Ok(Scorecard {
        year,
        unit_id: u.id,
        unit_name: u.name.clone(),
        unit_kind: u.kind.as_str().to_string(),
        scheme_title: s.title.clone(),
        scheme_source: s.source.clone(),
        scheme_version: version,
        min_sample: s.min_sample,
        bands: s.bands.iter().map(|b| (b.name.clone(), b.min)).collect(),
        card,
        adjustments,
        objections,
    })
}

/// One line of the annual ranking report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportLine {
    pub rank: Option<i64>,
    pub tied: bool,
    pub unit_id: i64,
    pub unit_name: String,
    /// Each part's score (none: 样本不足), in the scheme's order.
    pub parts: Vec<Option<f64>>,
    pub adjustments: f64,
    pub total: Option<f64>,
    pub grade: Option<String>,
}

/// The annual ranking report of one kind of unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub year: i32,
    pub unit_kind: String,
    pub title: String,
    pub source: String,
    pub scheme_version: i64,
    pub parts: Vec<(String, f64)>,
    pub min_sample: i64,
    /// Best first; 样本不足 last.
    pub lines: Vec<ReportLine>,
}

/// 年度考核排名: every top unit of a kind (乡镇 or 部门), scored and ranked by total, for the
/// county's leaders (the report is circulated to all of them) and the supervision office.
pub async fn report(db: &Db, who: &Who, year: Option<i32>, unit_kind: &str, this_year: i32) -> Result<Report> {
    let year = year_or(year, this_year)?;
    if !(matches!(who.sight(), Sight::County) || who.role == Some(luoshi_domain::user::Role::Leader)) {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let kind = luoshi_domain::unit::UnitKind::parse(unit_kind).map_err(|_| DomainError::field(ErrorCode::Invalid, "unit_kind"))?;
    if !matches!(kind, luoshi_domain::unit::UnitKind::Township | luoshi_domain::unit::UnitKind::Department) {
        return Err(DomainError::field(ErrorCode::Invalid, "unit_kind").into());
    }
    let tree = Tree::load(db).await?;
    let (s, version) = scheme(db, year, scheme_kind(kind)).await?;
    let mut lines = Vec::new();
    for u in tree.children(None).into_iter().filter(|u| u.kind == kind) {
        let (card, _, _, _) = card_of(db, &tree, u, year).await?;
        lines.push(ReportLine {
            rank: None,
            tied: false,
            unit_id: u.id,
            unit_name: u.name.clone(),
            parts: card.parts.iter().map(|p| p.score).collect(),
            // An empty sum is -0.0: shown as +0.0, not -0.0.
            adjustments: card.adjustments.iter().map(|a| a.2).sum::<f64>() + 0.0,
            total: card.total,
            grade: card.grade,
        });
    }
    let totals: Vec<Option<f64>> = lines.iter().map(|l| l.total).collect();
    let ranks = places(&totals);
    for (l, r) in lines.iter_mut().zip(&ranks) {
        l.rank = *r;
        l.tied = r.is_some() && ranks.iter().filter(|x| *x == r).count() > 1;
    }
    // Best first; a tie in the order of the unit tree; 样本不足 last.
    lines.sort_by_key(|l| l.rank.unwrap_or(i64::MAX));
    Ok(Report {
        year,
        unit_kind: kind.as_str().to_string(),
        title: s.title.clone(),
        source: s.source.clone(),
        scheme_version: version,
        parts: s.parts.iter().map(|p| (p.name.clone(), p.weight)).collect(),
        min_sample: s.min_sample,
        lines,
    })
}

/// What the supervision office enters as an adjustment.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AdjustmentInput {
    #[serde(default)]
    pub unit_id: i64,
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub points: Option<f64>,
    /// 依据/佐证: the document or record the adjustment rests on.
    #[serde(default)]
    pub grounds: String,
}

/// Enter an adjustment under a rule of the unit's scheme (the supervision office only: what a
/// unit types never counts). Its id.
pub async fn adjust(db: &Db, who: &Who, input: &AdjustmentInput, this_year: i32, now: i64) -> Result<i64> {
    let tree = Tree::load(db).await?;
    let u = tree.get(input.unit_id).ok_or_else(|| DomainError::not_found("unit"))?.clone();
    if !who.is_supervisor() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let year = year_or(input.year, this_year)?;
    let (s, _) = scheme(db, year, scheme_kind(u.kind)).await?;
    let rule = s.events.iter().find(|r| r.code == input.rule.trim()).ok_or_else(|| DomainError::field(ErrorCode::Invalid, "rule"))?;
    let points = input.points.unwrap_or(rule.points);
    if !points.is_finite() || points == 0.0 || points.abs() > rule.cap {
        return Err(DomainError::field(ErrorCode::OutOfRange, "points").with_detail(format!("±{}", rule.cap)).into());
    }
    let evidence = input.grounds.trim();
    if evidence.is_empty() {
        return Err(DomainError::required("grounds").into());
    }
    let a = Adjustment {
        id: 0,
        year,
        unit_id: u.id,
        rule_code: rule.code.clone(),
        points,
        evidence: evidence.to_string(),
        objection_id: None,
        created_by: who.actor.name.clone(),
        created_at: now,
    };
    let mut tx = db.begin_write().await?;
    let id = store::add_adjustment(&mut tx, &who.actor, &a).await?;
    tx.commit().await?;
    Ok(id)
}
