//! 群众诉求: work orders, their trail, the taxonomy, Open311 keys and the routing model.

mod intake;
mod orders;
mod photos;
mod reference;
mod search;

pub use intake::*;
pub use orders::*;
pub use photos::*;
pub use reference::*;
pub use search::*;

use crate::{get_i64, get_opt_f64, get_opt_i64, get_opt_str, get_str, Result};
use luoshi_domain::appeals::AppealState;
use luoshi_domain::DomainError;
use serde::Serialize;
use sqlx::any::AnyRow;

/// A work order as stored. Personal fields are masked by the app layer for every reader who
/// is not the hotline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appeal {
    pub id: i64,
    pub code: String,
    pub channel: String,
    pub kind: String,
    pub category: String,
    pub content: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub township_id: Option<i64>,
    pub citizen_name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub confidential: bool,
    pub urgency: String,
    pub state: AppealState,
    pub owner_unit_id: Option<i64>,
    pub owner_name: Option<String>,
    pub suggested_unit_id: Option<i64>,
    /// The routing suggestion as JSON (unit, confidence, words, source).
    pub suggestion: Option<String>,
    pub due_at: Option<i64>,
    pub dispatched_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reply: Option<String>,
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    pub rework_count: i64,
    pub return_reason: Option<String>,
    pub reject_reason: Option<String>,
    pub ext_due: Option<i64>,
    pub ext_reason: Option<String>,
    pub extension_count: i64,
    pub duplicate_of: Option<i64>,
    pub open311_key_id: Option<i64>,
    /// A photo or document the citizen linked (Open311 `media_url`).
    pub media_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const COLS: &str = "a.id, a.code, a.channel, a.kind, a.category, a.content, a.address, a.lat, a.lon, a.township_id, a.citizen_name, a.phone, \
    a.id_number, a.confidential, a.urgency, a.state, a.owner_unit_id, u.name AS owner_name, a.suggested_unit_id, a.suggestion, a.due_at, \
    a.dispatched_at, a.replied_at, a.closed_at, a.reply, a.rating, a.rating_comment, a.rework_count, a.return_reason, a.reject_reason, \
    e.new_due_at AS ext_due, e.reason AS ext_reason, a.extension_count, a.duplicate_of, a.open311_key_id, a.media_url, a.created_at, a.updated_at";
/// What a published answer reads: the personal data (name, phone, ID number) and the internal
/// notes (suggestion, reasons, rating comment, the pending extension) are not read at all, and
/// fewer columns are fewer values copied per row.
pub(super) const PUBLIC_COLS: &str = "a.id, a.code, a.channel, a.kind, a.category, a.content, a.address, a.lat, a.lon, a.township_id, \
    NULL AS citizen_name, NULL AS phone, NULL AS id_number, a.confidential, a.urgency, a.state, a.owner_unit_id, u.name AS owner_name, \
    NULL AS suggested_unit_id, NULL AS suggestion, a.due_at, NULL AS dispatched_at, NULL AS replied_at, a.closed_at, a.reply, a.rating, \
    NULL AS rating_comment, a.rework_count, NULL AS return_reason, NULL AS reject_reason, NULL AS ext_due, NULL AS ext_reason, \
    a.extension_count, NULL AS duplicate_of, NULL AS open311_key_id, a.media_url, a.created_at, a.updated_at";
pub(super) const PUBLIC_FROM: &str = "FROM appeals a LEFT JOIN units u ON u.id = a.owner_unit_id";
/// The pending 延期 request comes from the core's one table of extensions (at most one).
pub(super) const FROM: &str =
    "FROM appeals a LEFT JOIN units u ON u.id = a.owner_unit_id LEFT JOIN duty_extensions e ON e.kind = 'appeal' AND e.ref_id = a.id AND e.state = 'pending'";

pub(super) fn appeal(r: &AnyRow) -> Result<Appeal> {
    let state = get_str(r, "state")?;
    Ok(Appeal {
        id: get_i64(r, "id")?,
        code: get_str(r, "code")?,
        channel: get_str(r, "channel")?,
        kind: get_str(r, "kind")?,
        category: get_str(r, "category")?,
        content: get_str(r, "content")?,
        address: get_opt_str(r, "address")?,
        lat: get_opt_f64(r, "lat")?,
        long: get_opt_f64(r, "lon")?,
        township_id: get_opt_i64(r, "township_id")?,
        citizen_name: get_opt_str(r, "citizen_name")?,
        phone: get_opt_str(r, "phone")?,
        id_number: get_opt_str(r, "id_number")?,
        confidential: get_i64(r, "confidential")? != 0,
        urgency: get_str(r, "urgency")?,
        state: AppealState::parse(&state).ok_or_else(|| DomainError::invalid("state").with_detail(state.clone()))?,
        owner_unit_id: get_opt_i64(r, "owner_unit_id")?,
        owner_name: get_opt_str(r, "owner_name")?,
        suggested_unit_id: get_opt_i64(r, "suggested_unit_id")?,
        suggestion: get_opt_str(r, "suggestion")?,
        due_at: get_opt_i64(r, "due_at")?,
        dispatched_at: get_opt_i64(r, "dispatched_at")?,
        replied_at: get_opt_i64(r, "replied_at")?,
        closed_at: get_opt_i64(r, "closed_at")?,
        reply: get_opt_str(r, "reply")?,
        rating: get_opt_str(r, "rating")?,
        rating_comment: get_opt_str(r, "rating_comment")?,
        rework_count: get_i64(r, "rework_count")?,
        return_reason: get_opt_str(r, "return_reason")?,
        reject_reason: get_opt_str(r, "reject_reason")?,
        ext_due: get_opt_i64(r, "ext_due")?,
        ext_reason: get_opt_str(r, "ext_reason")?,
        extension_count: get_i64(r, "extension_count")?,
        duplicate_of: get_opt_i64(r, "duplicate_of")?,
        open311_key_id: get_opt_i64(r, "open311_key_id")?,
        media_url: get_opt_str(r, "media_url")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

/// Work orders entered in the record of duties as they stand (a `WHERE` on `a` follows): the
/// core's phase from the workflow and a light from the state alone (the supervision run keeps
/// lights current).
pub(crate) fn record_from_appeals() -> String {
    use luoshi_domain::appeals::AppealFlow;
    let phase = crate::duty::phase_case::<AppealFlow>("a.state");
    format!(
        "INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at, opened_at, closed_at, late, grade, flagged) \
         SELECT 'appeal', a.id, a.owner_unit_id, a.state, {phase}, a.due_at, \
         CASE a.state WHEN 'received' THEN 'none' WHEN 'closed' THEN 'done' WHEN 'rejected' THEN 'done' ELSE 'green' END, \
         COALESCE(c.name, a.category) || ' ' || a.code, 1, a.updated_at, \
         CASE WHEN {phase} = 'drafted' THEN NULL ELSE a.created_at END, \
         CASE WHEN {phase} = 'done' THEN COALESCE(a.closed_at, a.updated_at) END, \
         CASE WHEN {phase} <> 'done' OR a.due_at IS NULL THEN NULL WHEN COALESCE(a.closed_at, a.updated_at) > a.due_at THEN 1 ELSE 0 END, \
         COALESCE(a.rating, ''), CASE WHEN a.rework_count > 0 THEN 1 ELSE 0 END \
         FROM appeals a LEFT JOIN appeal_categories c ON c.code = a.category"
    )
}
