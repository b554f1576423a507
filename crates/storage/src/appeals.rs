//! 群众诉求: work orders, their trail, the taxonomy, Open311 keys and the routing model.

use crate::{audit, get_i64, get_opt_f64, get_opt_i64, get_opt_str, get_str, unique_as, Actor, Db, Result, WriteTx};
use luoshi_domain::appeals::{signature, AppealState, Category, NewAppeal};
use luoshi_domain::{DomainError, ErrorCode};
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

const COLS: &str = "a.id, a.code, a.channel, a.kind, a.category, a.content, a.address, a.lat, a.lon, a.township_id, a.citizen_name, a.phone, \
    a.id_number, a.confidential, a.urgency, a.state, a.owner_unit_id, u.name AS owner_name, a.suggested_unit_id, a.suggestion, a.due_at, \
    a.dispatched_at, a.replied_at, a.closed_at, a.reply, a.rating, a.rating_comment, a.rework_count, a.return_reason, a.reject_reason, \
    a.ext_due, a.ext_reason, a.extension_count, a.duplicate_of, a.open311_key_id, a.media_url, a.created_at, a.updated_at";
const FROM: &str = "FROM appeals a LEFT JOIN units u ON u.id = a.owner_unit_id";

fn appeal(r: &AnyRow) -> Result<Appeal> {
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
    let mut sql = String::from("INSERT INTO appeal_events (appeal_id, at, actor, unit_id, action, from_state, to_state, note) VALUES ");
    for i in 0..out.len() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("(${}, ${}, ${}, NULL, 'receive', NULL, 'received', NULL)", i * 3 + 1, i * 3 + 2, i * 3 + 3));
    }
    let mut q = sqlx::query(&sql);
    for (a, it) in out.iter().zip(items) {
        q = q.bind(a.id).bind(it.now).bind(&it.actor.name);
    }
    q.execute(tx.conn()).await?;
    count_rates(tx, items).await?;
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

/// Add the batch's hits to the shared rate counts, one statement for all its keys.
async fn count_rates(tx: &mut WriteTx, items: &[Intake]) -> Result<()> {
    let mut counts: std::collections::BTreeMap<(&str, i64), i64> = std::collections::BTreeMap::new();
    for (k, w) in items.iter().filter_map(|it| it.placement.rate_key.as_ref()) {
        *counts.entry((k.as_str(), *w)).or_default() += 1;
    }
    if counts.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO rate_counts (key, window_no, n) VALUES {} ON CONFLICT (key, window_no) DO UPDATE SET n = rate_counts.n + excluded.n",
        crate::values(counts.len(), 3)
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
fn receipt(a: &Appeal) -> serde_json::Value {
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
fn received(id: i64, it: &Intake) -> Appeal {
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
async fn event(
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
    sqlx::query("INSERT INTO appeal_events (appeal_id, at, actor, unit_id, action, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id)
        .bind(at)
        .bind(&actor.name)
        .bind(unit_id)
        .bind(action)
        .bind(from.map(|s| s.as_str()))
        .bind(to.map(|s| s.as_str()))
        .bind(note)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Save a changed work order: only if nobody changed its state meanwhile (else `conflict`);
/// the trail and the audit log get one row each.
pub async fn save(tx: &mut WriteTx, actor: &Actor, before: &Appeal, after: &Appeal, action: &str, note: Option<&str>, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE appeals SET state = $1, owner_unit_id = $2, due_at = $3, dispatched_at = $4, replied_at = $5, closed_at = $6, reply = $7, \
         rating = $8, rating_comment = $9, rework_count = $10, return_reason = $11, reject_reason = $12, ext_due = $13, ext_reason = $14, \
         extension_count = $15, duplicate_of = $16, urgency = $17, updated_at = $18 WHERE id = $19 AND state = $20 AND updated_at = $21",
    )
    .bind(after.state.as_str())
    .bind(after.owner_unit_id)
    .bind(after.due_at)
    .bind(after.dispatched_at)
    .bind(after.replied_at)
    .bind(after.closed_at)
    .bind(&after.reply)
    .bind(&after.rating)
    .bind(&after.rating_comment)
    .bind(after.rework_count)
    .bind(&after.return_reason)
    .bind(&after.reject_reason)
    .bind(after.ext_due)
    .bind(&after.ext_reason)
    .bind(after.extension_count)
    .bind(after.duplicate_of)
    .bind(&after.urgency)
    .bind(now.max(before.updated_at + 1))
    .bind(before.id)
    .bind(before.state.as_str())
    .bind(before.updated_at)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(before.state.as_str().to_string()).into());
    }
    let from = (before.state != after.state).then_some(before.state);
    let to = (before.state != after.state).then_some(after.state);
    event(tx, actor, before.id, after.owner_unit_id, action, from, to, note, now).await?;
    tx.audit(
        actor,
        &format!("appeal.{action}"),
        "appeal",
        &before.id.to_string(),
        Some(&serde_json::json!({ "state": before.state.as_str(), "owner_unit_id": before.owner_unit_id, "due_at": before.due_at })),
        Some(&serde_json::json!({ "state": after.state.as_str(), "owner_unit_id": after.owner_unit_id, "due_at": after.due_at, "note": note, "digest": digest(after) })),
    )
    .await?;
    Ok(())
}

/// A page of work orders in id order (for the audit comparison).
pub(crate) async fn page_by_id(db: &Db, after_id: i64, limit: i64) -> Result<Vec<Appeal>> {
    let rows = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id > $1 ORDER BY a.id LIMIT $2")).bind(after_id).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(appeal).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Appeal>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(appeal).transpose()
}

pub async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Option<Appeal>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(appeal).transpose()
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Appeal>> {
    let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.code = $1")).bind(code).fetch_optional(db.pool()).await?;
    row.as_ref().map(appeal).transpose()
}

/// One row of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub at: i64,
    pub actor: String,
    pub unit_id: Option<i64>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
}

fn event_row(r: &AnyRow) -> Result<Event> {
    Ok(Event {
        at: get_i64(r, "at")?,
        actor: get_str(r, "actor")?,
        unit_id: get_opt_i64(r, "unit_id")?,
        action: get_str(r, "action")?,
        from_state: get_opt_str(r, "from_state")?,
        to_state: get_opt_str(r, "to_state")?,
        note: get_opt_str(r, "note")?,
    })
}

pub async fn events(db: &Db, id: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query("SELECT at, actor, unit_id, action, from_state, to_state, note FROM appeal_events WHERE appeal_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(event_row).collect()
}

/// The trails of many appeals in one query (a page of Open311 results with their history).
pub async fn events_of(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Event>>> {
    let mut out: std::collections::HashMap<i64, Vec<Event>> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let ps: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT appeal_id, at, actor, unit_id, action, from_state, to_state, note FROM appeal_events WHERE appeal_id IN ({}) ORDER BY id",
            ps.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(db.pool()).await? {
            out.entry(get_i64(&r, "appeal_id")?).or_default().push(event_row(&r)?);
        }
    }
    Ok(out)
}

/// A list query. `owner_path` limits to appeals owned by units in that subtree (a unit's view).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub owner_path: Option<String>,
    pub owner_unit_id: Option<i64>,
    pub states: Vec<AppealState>,
    pub categories: Vec<String>,
    pub township_id: Option<i64>,
    pub ids: Vec<i64>,
    /// Tracking codes.
    pub codes: Vec<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    /// Words that must all appear in the content or address.
    pub words: Vec<String>,
    /// Open and past their limit at this moment.
    pub overdue_at: Option<i64>,
    /// Open and due before this moment (due soon), not yet overdue at `overdue_at`.
    pub due_before: Option<i64>,
    /// Only these channels (the county's publication setting).
    pub channels: Vec<String>,
    /// Leave confidential (保密) appeals out.
    pub no_confidential: bool,
    pub order: Order,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Newest first.
    #[default]
    Newest,
    /// Soonest limit first (inboxes).
    Due,
}

/// The hash of an appeal's rating secret, if it has one.
pub async fn rate_secret(db: &Db, id: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT rate_secret FROM appeals WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(row.map(|r| get_opt_str(&r, "rate_secret")).transpose()?.flatten())
}

pub async fn list(db: &Db, f: &Filter) -> Result<Vec<Appeal>> {
    // A unit's newest first: each of its (few) units walks its own appeals newest first and
    // stops once it has a page, instead of reading every appeal of the subtree to sort them.
    let per_unit = match (&f.owner_path, f.order) {
        (Some(path), Order::Newest) => {
            let rows = sqlx::query("SELECT id FROM units WHERE path LIKE $1").bind(format!("{path}%")).fetch_all(db.pool()).await?;
            let ids = rows.iter().map(|r| get_i64(r, "id")).collect::<Result<Vec<_>>>()?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            (ids.len() <= 64).then_some(ids)
        }
        _ => None,
    };
    let mut sql = String::from("1 = 1");
    let mut args: Vec<Arg> = Vec::new();
    let mut n = 0;
    let mut p = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        n += 1;
        format!("${n}")
    };
    if let (Some(path), None) = (&f.owner_path, &per_unit) {
        let x = p(&mut args, Arg::S(format!("{path}%")));
        sql += &format!(" AND a.owner_unit_id IN (SELECT id FROM units WHERE path LIKE {x})");
    }
    if let Some(u) = f.owner_unit_id {
        let x = p(&mut args, Arg::I(u));
        sql += &format!(" AND a.owner_unit_id = {x}");
    }
    if !f.states.is_empty() {
        let xs: Vec<String> = f.states.iter().map(|s| p(&mut args, Arg::S(s.as_str().into()))).collect();
        sql += &format!(" AND a.state IN ({})", xs.join(", "));
    }
    if !f.categories.is_empty() {
        let xs: Vec<String> = f.categories.iter().map(|s| p(&mut args, Arg::S(s.clone()))).collect();
        sql += &format!(" AND a.category IN ({})", xs.join(", "));
    }
    if !f.ids.is_empty() {
        let xs: Vec<String> = f.ids.iter().map(|i| p(&mut args, Arg::I(*i))).collect();
        sql += &format!(" AND a.id IN ({})", xs.join(", "));
    }
    if !f.codes.is_empty() {
        let xs: Vec<String> = f.codes.iter().map(|c| p(&mut args, Arg::S(c.clone()))).collect();
        sql += &format!(" AND a.code IN ({})", xs.join(", "));
    }
    if !f.channels.is_empty() {
        let xs: Vec<String> = f.channels.iter().map(|s| p(&mut args, Arg::S(s.clone()))).collect();
        sql += &format!(" AND a.channel IN ({})", xs.join(", "));
    }
    if f.no_confidential {
        sql += " AND a.confidential = 0";
    }
    if let Some(t) = f.township_id {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.township_id = {x}");
    }
    if let Some(t) = f.created_from {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.created_at >= {x}");
    }
    if let Some(t) = f.created_to {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.created_at < {x}");
    }
    for w in &f.words {
        // The signature first: tested in the index, it spares reading appeals without the word.
        let sig: Vec<String> =
            signature([w.as_str()]).iter().enumerate().filter(|(_, m)| **m != 0).map(|(i, m)| format!("(a.sig{i} & ({m})) = ({m})")).collect();
        if !sig.is_empty() {
            sql += &format!(" AND {}", sig.join(" AND "));
        }
        let pat = format!("%{}%", w.to_ascii_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let x = p(&mut args, Arg::S(pat.clone()));
        let y = p(&mut args, Arg::S(pat));
        // Latin letters match in either case on both databases (SQLite's LIKE folds them;
        // PostgreSQL's does not, so the text is folded the same way there).
        let fold = |col: &str| match db.backend() {
            crate::Backend::Sqlite => col.to_string(),
            crate::Backend::Postgres => format!("translate({col}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"),
        };
        sql += &format!(" AND ({} LIKE {x} ESCAPE '\\' OR {} LIKE {y} ESCAPE '\\')", fold("a.content"), fold("a.address"));
    }
    if let Some(t) = f.overdue_at {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.state NOT IN ('closed', 'rejected', 'replied') AND a.due_at <= {x}");
    }
    if let Some(t) = f.due_before {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.state NOT IN ('closed', 'rejected', 'replied') AND a.due_at < {x}");
    }
    let order = match f.order {
        Order::Newest => "ORDER BY a.created_at DESC, a.id DESC",
        Order::Due => "ORDER BY a.due_at, a.id",
    };
    let (limit, offset) = (f.limit.clamp(1, 1000), f.offset.max(0));
    let lim = p(&mut args, Arg::I(limit));
    let off = p(&mut args, Arg::I(offset));
    let sql = match per_unit {
        // Unit ids are integers read from the database, written in as literals.
        Some(ids) => {
            let enough = p(&mut args, Arg::I(limit + offset));
            let branches: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| format!("SELECT b{i}.id FROM (SELECT a.id FROM appeals a WHERE a.owner_unit_id = {id} AND {sql} {order} LIMIT {enough}) b{i}"))
                .collect();
            format!("SELECT {COLS} {FROM} WHERE a.id IN ({}) {order} LIMIT {lim} OFFSET {off}", branches.join(" UNION ALL "))
        }
        None => format!("SELECT {COLS} {FROM} WHERE {sql} {order} LIMIT {lim} OFFSET {off}"),
    };
    let mut q = sqlx::query(&sql);
    for a in args {
        q = match a {
            Arg::I(i) => q.bind(i),
            Arg::S(s) => q.bind(s),
        };
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter().map(appeal).collect()
}

enum Arg {
    I(i64),
    S(String),
}

/// Recompute the search signatures of a page of appeals after `after_id` (derived data, so no
/// audit row); the last id done and how many, or `None` at the end.
pub async fn reindex_page(db: &Db, after_id: i64, limit: i64) -> Result<Option<(i64, usize)>> {
    let rows =
        sqlx::query("SELECT id, content, address FROM appeals WHERE id > $1 ORDER BY id LIMIT $2").bind(after_id).bind(limit).fetch_all(db.pool()).await?;
    let Some(last) = rows.last().map(|r| get_i64(r, "id")).transpose()? else { return Ok(None) };
    let sql = format!(
        "UPDATE appeals SET sig0 = v.column2, sig1 = v.column3, sig2 = v.column4, sig3 = v.column5 FROM (VALUES {}) AS v WHERE appeals.id = v.column1",
        crate::values(rows.len(), 5)
    );
    let mut q = sqlx::query(&sql);
    for r in &rows {
        let content = get_str(r, "content")?;
        let address = get_opt_str(r, "address")?.unwrap_or_default();
        q = q.bind(get_i64(r, "id")?);
        for w in signature([content.as_str(), address.as_str()]) {
            q = q.bind(w);
        }
    }
    let mut tx = db.begin_write().await?;
    q.execute(tx.conn()).await?;
    tx.commit_unaudited().await?;
    Ok(Some((last, rows.len())))
}

/// Recent appeals of a place (or of everywhere when none), for duplicate detection.
pub async fn recent(db: &Db, township_id: Option<i64>, since: i64, limit: i64) -> Result<Vec<(i64, String, String, i64)>> {
    let rows = match township_id {
        Some(t) => {
            sqlx::query("SELECT id, code, content, created_at FROM appeals WHERE township_id = $1 AND created_at >= $2 AND duplicate_of IS NULL ORDER BY created_at DESC LIMIT $3")
                .bind(t)
                .bind(since)
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
        None => {
            sqlx::query("SELECT id, code, content, created_at FROM appeals WHERE created_at >= $1 AND duplicate_of IS NULL ORDER BY created_at DESC LIMIT $2")
                .bind(since)
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
    };
    rows.iter().map(|r| Ok((get_i64(r, "id")?, get_str(r, "code")?, get_str(r, "content")?, get_i64(r, "created_at")?))).collect()
}

/// Closed appeals with the unit that handled them, for training: (content, unit id, unit kind).
pub async fn training_examples(db: &Db, limit: i64) -> Result<Vec<(String, i64, String)>> {
    let rows = sqlx::query(
        "SELECT a.content, a.owner_unit_id, u.kind FROM appeals a JOIN units u ON u.id = a.owner_unit_id \
         WHERE a.state = 'closed' AND a.duplicate_of IS NULL ORDER BY a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_str(r, "content")?, get_i64(r, "owner_unit_id")?, get_str(r, "kind")?))).collect()
}

/// Counts per state (for the desk's header).
pub async fn state_counts(db: &Db, owner_path: Option<&str>) -> Result<Vec<(String, i64)>> {
    let rows = match owner_path {
        Some(p) => {
            sqlx::query("SELECT state, COUNT(*) AS n FROM appeals WHERE owner_unit_id IN (SELECT id FROM units WHERE path LIKE $1) GROUP BY state")
                .bind(format!("{p}%"))
                .fetch_all(db.pool())
                .await?
        }
        None => sqlx::query("SELECT state, COUNT(*) AS n FROM appeals GROUP BY state").fetch_all(db.pool()).await?,
    };
    rows.iter().map(|r| Ok((get_str(r, "state")?, get_i64(r, "n")?))).collect()
}

// --- taxonomy -------------------------------------------------------------------------------

/// A category as stored, with the unit that usually owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryRow {
    pub code: String,
    pub name: String,
    pub group: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub unit_id: Option<i64>,
    pub active: bool,
}

pub async fn categories(db: &Db) -> Result<Vec<CategoryRow>> {
    let rows = sqlx::query("SELECT code, name, grp, description, keywords, unit_id, active FROM appeal_categories ORDER BY sort_order, code")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CategoryRow {
                code: get_str(r, "code")?,
                name: get_str(r, "name")?,
                group: get_str(r, "grp")?,
                description: get_str(r, "description")?,
                keywords: get_str(r, "keywords")?.split('、').filter(|k| !k.is_empty()).map(str::to_string).collect(),
                unit_id: get_opt_i64(r, "unit_id")?,
                active: get_i64(r, "active")? != 0,
            })
        })
        .collect()
}

/// Add the categories that are missing (by code); existing ones are left as the county edited them.
pub async fn seed_categories(tx: &mut WriteTx, actor: &Actor, cats: &[(Category, Option<i64>)]) -> Result<usize> {
    let mut added = 0;
    for (i, (c, unit)) in cats.iter().enumerate() {
        let done = sqlx::query(
            "INSERT INTO appeal_categories (code, name, grp, description, keywords, unit_id, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&c.code)
        .bind(&c.name)
        .bind(&c.group)
        .bind(&c.description)
        .bind(c.keywords.join("、"))
        .bind(*unit)
        .bind(i64::try_from(i).unwrap_or(0))
        .execute(tx.conn())
        .await?;
        added += usize::try_from(done.rows_affected()).unwrap_or(0);
    }
    if added > 0 {
        tx.audit(actor, "appeal.categories", "appeal_categories", "", None, Some(&serde_json::json!({ "added": added }))).await?;
    }
    Ok(added)
}

// --- Open311 keys ---------------------------------------------------------------------------

/// An Open311 API key (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
}

fn key(r: &AnyRow) -> Result<Key> {
    Ok(Key {
        id: get_i64(r, "id")?,
        name: get_str(r, "name")?,
        created_at: get_i64(r, "created_at")?,
        created_by: get_str(r, "created_by")?,
        revoked_at: get_opt_i64(r, "revoked_at")?,
    })
}

pub async fn add_key(tx: &mut WriteTx, actor: &Actor, name: &str, hash: &str) -> Result<i64> {
    let row = sqlx::query("INSERT INTO open311_keys (name, key_hash, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(hash)
        .bind(crate::now_micros())
        .bind(&actor.name)
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&row, "id")?;
    tx.audit(actor, "open311.key_add", "open311_key", &id.to_string(), None, Some(&serde_json::json!({ "name": name }))).await?;
    Ok(id)
}

pub async fn revoke_key(tx: &mut WriteTx, actor: &Actor, id: i64) -> Result<()> {
    let done = sqlx::query("UPDATE open311_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(crate::now_micros())
        .bind(id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() != 1 {
        return Err(DomainError::not_found("key").into());
    }
    tx.audit(actor, "open311.key_revoke", "open311_key", &id.to_string(), None, None).await?;
    Ok(())
}

pub async fn keys(db: &Db) -> Result<Vec<Key>> {
    let rows = sqlx::query("SELECT id, name, created_at, created_by, revoked_at FROM open311_keys ORDER BY id").fetch_all(db.pool()).await?;
    rows.iter().map(key).collect()
}

/// The live key with this hash.
/// The keys in force, each with its hash (a node caches them behind `data_versions`).
pub async fn active_keys(db: &Db) -> Result<Vec<(String, Key)>> {
    let rows =
        sqlx::query("SELECT id, name, created_at, created_by, revoked_at, key_hash FROM open311_keys WHERE revoked_at IS NULL").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "key_hash")?, key(r)?))).collect()
}

pub async fn key_by_hash(db: &Db, hash: &str) -> Result<Option<Key>> {
    let row = sqlx::query("SELECT id, name, created_at, created_by, revoked_at FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .bind(hash)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(key).transpose()
}

// --- routing model --------------------------------------------------------------------------

/// Store a newly trained model (the newest one is in force on every node).
pub async fn save_model(tx: &mut WriteTx, actor: &Actor, examples: i64, accuracy: f64, body: &str) -> Result<i64> {
    let row = sqlx::query("INSERT INTO route_models (trained_at, examples, accuracy, body) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(crate::now_micros())
        .bind(examples)
        .bind(accuracy)
        .bind(body)
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&row, "id")?;
    tx.audit(actor, "appeal.train", "route_model", &id.to_string(), None, Some(&serde_json::json!({ "examples": examples, "accuracy": accuracy }))).await?;
    Ok(id)
}

/// The newest model's id (cheap: nodes compare it with the one they hold).
pub async fn model_id(db: &Db) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT MAX(id) AS id FROM route_models").fetch_one(db.pool()).await?;
    get_opt_i64(&row, "id")
}

pub async fn model(db: &Db, id: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT body FROM route_models WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(|r| get_str(r, "body")).transpose()
}

/// Add or change a category (the county's taxonomy), audited.
pub async fn upsert_category(tx: &mut WriteTx, actor: &Actor, c: &CategoryRow) -> Result<()> {
    let before = sqlx::query("SELECT name, grp, description, keywords, unit_id, active FROM appeal_categories WHERE code = $1")
        .bind(&c.code)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| -> Result<serde_json::Value> {
            Ok(serde_json::json!({ "name": get_str(&r, "name")?, "group": get_str(&r, "grp")?, "description": get_str(&r, "description")?,
                "keywords": get_str(&r, "keywords")?, "unit_id": get_opt_i64(&r, "unit_id")?, "active": get_i64(&r, "active")? != 0 }))
        })
        .transpose()?;
    sqlx::query(
        "INSERT INTO appeal_categories (code, name, grp, description, keywords, unit_id, active, sort_order) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM appeal_categories)) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, grp = excluded.grp, description = excluded.description, \
         keywords = excluded.keywords, unit_id = excluded.unit_id, active = excluded.active",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.group)
    .bind(&c.description)
    .bind(c.keywords.join("、"))
    .bind(c.unit_id)
    .bind(i64::from(c.active))
    .execute(tx.conn())
    .await?;
    tx.audit(actor, "appeal.category", "appeal_category", &c.code, before.as_ref(), Some(&serde_json::to_value(c).unwrap_or_default())).await?;
    Ok(())
}
