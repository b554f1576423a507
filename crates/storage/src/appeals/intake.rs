//! 受理 in the database: appeals received together written in one statement each for the orders,
//! the trail rows, the rate counts and the audit rows; the digest of a work order.

use super::*;
use crate::{audit, get_i64, get_str, unique_as, Actor, Result, WriteTx};
use luoshi_domain::appeals::{signature, AppealState, NewAppeal};
use luoshi_domain::{DomainError, ErrorCode};

/// Where a new appeal goes and what routing suggested.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub township_id: Option<i64>,
    pub suggested_unit_id: Option<i64>,
    pub suggestion: Option<String>,
    pub open311_key_id: Option<i64>,
    /// SHA-256 (hex) of the citizen's rating code (评价码), if one was handed out.
    pub rate_secret: Option<String>,
    /// A rate limit this appeal counts against (`key`, window start in µs), counted in the same
    /// transaction as the appeal itself, so intake pays no write of its own for it.
    pub rate_key: Option<(String, i64)>,
}

/// One received work order (受理) for [`insert_many`].
#[derive(Debug, Clone)]
pub struct Intake {
    pub actor: Actor,
    pub appeal: NewAppeal,
    pub code: String,
    pub placement: Placement,
    pub now: i64,
    /// Photos sent with it (cleaned of metadata), kept in the same transaction.
    pub photos: Vec<super::NewPhoto>,
}

/// Register work orders with their tracking codes, each in the trail and audited — one or
/// several received together (group commit): one statement for the orders, one for their trail
/// rows and three for their audit rows, whatever their number; nothing is read back (a new order
/// has no owner, dates or rating yet). A tracking code already taken fails the whole call.
pub async fn insert_many(tx: &mut WriteTx, items: &[Intake]) -> Result<Vec<Appeal>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    const N: usize = 24;
    let mut sql = String::from(
        "INSERT INTO appeals (code, channel, kind, category, content, address, lat, lon, township_id, citizen_name, phone, id_number, confidential, \
         urgency, state, suggested_unit_id, suggestion, open311_key_id, created_at, updated_at, sig0, sig1, sig2, sig3, media_url, rate_secret) VALUES ",
    );
    for i in 0..items.len() {
        let p: Vec<String> = (1..=N).map(|k| format!("${}", i * N + k)).collect();
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("({}, 'received', {}, {}, {}, {}, {}, {})", p[..14].join(", "), p[14], p[15], p[16], p[17], p[17], p[18..].join(", ")));
    }
    sql.push_str(" RETURNING id, code");
    let mut q = sqlx::query(&sql);
    for it in items {
        let a = &it.appeal;
        q = q
            .bind(&it.code)
            .bind(a.channel.as_str())
            .bind(a.kind.as_str())
            .bind(&a.category)
            .bind(&a.content)
            .bind(&a.address)
            .bind(a.lat)
            .bind(a.long)
            .bind(it.placement.township_id)
            .bind(&a.citizen_name)
            .bind(&a.phone)
            .bind(&a.id_number)
            .bind(i64::from(a.confidential))
            .bind(a.urgency.as_str())
            .bind(it.placement.suggested_unit_id)
            .bind(&it.placement.suggestion)
            .bind(it.placement.open311_key_id)
            .bind(it.now);
        for w in signature([a.content.as_str(), a.address.as_deref().unwrap_or_default()]) {
            q = q.bind(w);
        }
        q = q.bind(&a.media_url).bind(&it.placement.rate_secret);
    }
    let rows = q.fetch_all(tx.conn()).await.map_err(unique_as("code"))?;
    // RETURNING promises no order: match the ids back by tracking code.
    let mut ids = std::collections::HashMap::new();
    for r in &rows {
        ids.insert(get_str(r, "code")?, get_i64(r, "id")?);
    }
    let out: Vec<Appeal> = items
        .iter()
        .map(|it| {
            let id = ids.get(&it.code).copied().ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("insert returned no id"))?;
            Ok(received(id, it))
        })
        .collect::<Result<_>>()?;
    // The codes' own table is where a code is unique (the orders are sharded by id).
    let sql = format!("INSERT INTO appeal_codes (code, appeal_id) VALUES {}", crate::values(tx.backend(), out.len(), 2));
    let mut q = sqlx::query(&sql);
    for a in &out {
        q = q.bind(&a.code).bind(a.id);
    }
    q.execute(tx.conn()).await.map_err(unique_as("code"))?;
    let entries: Vec<crate::duty::trail::Entry<'_>> = out
        .iter()
        .zip(items)
        .map(|(a, it)| crate::duty::trail::Entry {
            kind: "appeal",
            ref_id: a.id,
            at: it.now,
            actor: &it.actor.name,
            unit_id: None,
            action: "receive",
            from: None,
            to: Some("received"),
            note: None,
            data: None,
        })
        .collect();
    crate::duty::trail::append(tx, &entries).await?;
    for (a, it) in out.iter().zip(items).filter(|(_, it)| !it.photos.is_empty()) {
        super::add_photos(tx, a.id, &it.photos, it.now).await?;
    }
    count_rates(tx, items).await?;
    record_received(tx, &out).await?;
    let entries: Vec<audit::Entry<'_>> = out
        .iter()
        .zip(items)
        .map(|(a, it)| audit::Entry {
            actor: &it.actor,
            action: "appeal.receive",
            entity: "appeal",
            entity_id: a.id.to_string(),
            before: None,
            after: Some(receipt(a)),
        })
        .collect();
    audit::append_many(tx, &entries).await?;
    Ok(out)
}

/// Enter the work orders just received in the record of duties (one statement for all).
async fn record_received(tx: &mut WriteTx, received: &[Appeal]) -> Result<()> {
    if received.is_empty() {
        return Ok(());
    }
    // Ids are integers the database just returned, written in as literals.
    let ids = received.iter().map(|a| a.id.to_string()).collect::<Vec<_>>().join(",");
    let sql = format!("{} WHERE a.id IN ({ids})", record_from_appeals());
    sqlx::query(&sql).execute(tx.conn()).await?;
    crate::duty::tallies::add_recorded(tx, "appeal", &format!("ref_id IN ({ids})")).await?;
    // Only an order dispatched as it is received has an owner to see it (most wait for the desk).
    if received.iter().any(|a| a.owner_unit_id.is_some()) {
        crate::duty::sight_of_recorded(tx, "appeal", &format!("ref_id IN ({ids})")).await?;
    }
    Ok(())
}

/// Add the batch's hits to the shared rate counts, one statement for all its keys.
pub(super) async fn count_rates(tx: &mut WriteTx, items: &[Intake]) -> Result<()> {
    let mut counts: std::collections::BTreeMap<(&str, i64), i64> = std::collections::BTreeMap::new();
    for (k, w) in items.iter().filter_map(|it| it.placement.rate_key.as_ref()) {
        *counts.entry((k.as_str(), *w)).or_default() += 1;
    }
    if counts.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO rate_counts (key, window_no, n) VALUES {} ON CONFLICT (key, window_no) DO UPDATE SET n = rate_counts.n + excluded.n",
        crate::values(tx.backend(), counts.len(), 3)
    );
    let mut q = sqlx::query(&sql);
    for ((k, w), n) in &counts {
        q = q.bind(*k).bind(*w).bind(*n);
    }
    q.execute(tx.conn()).await?;
    Ok(())
}

/// What the audit row of a receipt says: the work order and its digest, never the citizen's
/// personal data in clear.
pub(super) fn receipt(a: &Appeal) -> serde_json::Value {
    serde_json::json!({ "code": a.code, "channel": a.channel, "category": a.category, "digest": digest(a) })
}

/// The digest of what a work order says and where it stands (see
/// [`luoshi_domain::audit::row_digest`]); derived columns (signatures, suggestion, the time of
/// the last change) are left out.
pub fn digest(a: &Appeal) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    luoshi_domain::audit::row_digest(&[
        &a.code,
        &a.category,
        &a.content,
        &opt(&a.address),
        &opt(&a.citizen_name),
        &opt(&a.phone),
        &opt(&a.id_number),
        if a.confidential { "1" } else { "0" },
        &a.urgency,
        a.state.as_str(),
        &num(a.owner_unit_id),
        &num(a.due_at),
        &opt(&a.reply),
        &opt(&a.rating),
        &a.rework_count.to_string(),
        &num(a.duplicate_of),
    ])
}

/// A work order as it stands just after intake: no owner, dates or rating yet.
pub(super) fn received(id: i64, it: &Intake) -> Appeal {
    let (a, p) = (&it.appeal, &it.placement);
    Appeal {
        id,
        code: it.code.clone(),
        channel: a.channel.as_str().to_string(),
        kind: a.kind.as_str().to_string(),
        category: a.category.clone(),
        content: a.content.clone(),
        address: a.address.clone(),
        lat: a.lat,
        long: a.long,
        township_id: p.township_id,
        citizen_name: a.citizen_name.clone(),
        phone: a.phone.clone(),
        id_number: a.id_number.clone(),
        confidential: a.confidential,
        urgency: a.urgency.as_str().to_string(),
        state: AppealState::Received,
        owner_unit_id: None,
        owner_name: None,
        suggested_unit_id: p.suggested_unit_id,
        suggestion: p.suggestion.clone(),
        due_at: None,
        dispatched_at: None,
        replied_at: None,
        closed_at: None,
        reply: None,
        rating: None,
        rating_comment: None,
        rework_count: 0,
        return_reason: None,
        reject_reason: None,
        ext_due: None,
        ext_reason: None,
        extension_count: 0,
        duplicate_of: None,
        open311_key_id: p.open311_key_id,
        media_url: a.media_url.clone(),
        created_at: it.now,
        updated_at: it.now,
    }
}

#[expect(clippy::too_many_arguments, reason = "one trail row, each fact once")]
pub(super) async fn event(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    unit_id: Option<i64>,
    action: &str,
    from: Option<AppealState>,
    to: Option<AppealState>,
    note: Option<&str>,
    at: i64,
) -> Result<()> {
    let entry = crate::duty::trail::Entry {
        kind: "appeal",
        ref_id: id,
        at,
        actor: &actor.name,
        unit_id,
        action,
        from: from.map(|s| s.as_str()),
        to: to.map(|s| s.as_str()),
        note,
        data: None,
    };
    crate::duty::trail::append(tx, std::slice::from_ref(&entry)).await?;
    Ok(())
}
