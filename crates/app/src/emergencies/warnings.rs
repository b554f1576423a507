//! 预警信息 as CAP 1.2: compose (both languages in one message), submit for approval by a
//! second person (rule `emergencies.cap.approval_required`) and publish; Update and Cancel
//! composed from a published message fill `references` from its chain and, once published,
//! mark the original superseded or cancelled (never deleted; expiry is read from `expires`
//! and kept apart from cancellation). Messages from peers are read safely and kept as
//! received; their Updates and Cancels follow the chain the same way.

use super::{commands, local_time, office};
use crate::{forbidden, Result, RulesInForce, Who};
use luoshi_domain::emergencies::cap::{self, cap_time, references, Alert, Area, Info, Reference};
use luoshi_domain::error::{optional_text, required_text};
use luoshi_domain::time::local_date;
use luoshi_domain::DomainError;
use luoshi_storage::emergencies::alerts::{self as store, StoredAlert};
use luoshi_storage::{units, Db};
use serde::Deserialize;

/// The colours of 预警, gravest first.
pub const COLOURS: [&str; 4] = ["red", "orange", "yellow", "blue"];

/// A warning as composed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WarningInput {
    #[serde(default)]
    pub event_type: String,
    #[serde(default)]
    pub colour: String,
    /// Actual (default), Exercise or Test.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub certainty: String,
    #[serde(default)]
    pub response_type: String,
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub instruction: String,
    /// The second language's text (rule `emergencies.cap.second_language`); optional.
    #[serde(default)]
    pub headline_2: String,
    #[serde(default)]
    pub description_2: String,
    #[serde(default)]
    pub instruction_2: String,
    /// Units whose administrative codes make the area (comma-separated ids).
    #[serde(default)]
    pub area_units: String,
    /// `lat,lon` pairs, space-separated, first equal to last.
    #[serde(default)]
    pub polygon: String,
    /// `lat,lon radius_km`.
    #[serde(default)]
    pub circle: String,
    /// Local `YYYY-MM-DD HH:MM`; now when empty.
    #[serde(default)]
    pub effective: String,
    #[serde(default)]
    pub expires: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub incident_id: Option<i64>,
}

fn pick<'a>(v: &'a str, default: &'a str) -> &'a str {
    if v.trim().is_empty() {
        default
    } else {
        v.trim()
    }
}

/// The code of an administrative unit as a 12-digit 统计用区划代码.
fn geocode(code: &str) -> String {
    format!("{code:0<12}")
}

pub(super) async fn may_compose(db: &Db, who: &Who, now: i64) -> Result<luoshi_domain::unit::Unit> {
    let office = office(db, local_date(now)).await?;
    if !commands(who, &office.path) {
        return Err(forbidden());
    }
    Ok(office)
}

/// The message's info blocks from what was composed (both languages).
async fn infos(db: &Db, rules: &RulesInForce, office: &str, input: &WarningInput, now: i64) -> Result<(Vec<Info>, Option<i64>)> {
    let types = luoshi_domain::emergencies::event_types()?;
    let t = types.iter().find(|t| t.code == input.event_type).ok_or_else(|| DomainError::required("event_type"))?;
    if !COLOURS.contains(&input.colour.as_str()) {
        return Err(DomainError::required("colour").into());
    }
    let severity = rules.text(&format!("emergencies.cap.severity.{}", input.colour)).unwrap_or_else(|| "Unknown".into());
    let effective = if input.effective.trim().is_empty() { now } else { local_time("effective", &input.effective)? };
    let expires = local_time("expires", &input.expires)?;
    if expires <= effective {
        return Err(DomainError::invalid("expires").with_detail("not after it takes effect").into());
    }
    let mut area = Area { desc: String::new(), ..Area::default() };
    let geo_name = rules.text("emergencies.cap.geocode_name").unwrap_or_else(|| "CPEAS Geographic Code".into());
    let mut names = Vec::new();
    for id in input.area_units.split([',', ' ']).filter(|s| !s.trim().is_empty()) {
        let u = units::get(db, id.trim().parse().map_err(|_| DomainError::invalid("area_units"))?).await?.ok_or_else(|| DomainError::invalid("area_units"))?;
        let code = u.code.clone().ok_or_else(|| DomainError::invalid("area_units").with_detail(format!("{} has no code", u.name)))?;
        area.geocodes.push((geo_name.clone(), geocode(&code)));
        names.push(u.name);
    }
    if !input.polygon.trim().is_empty() {
        area.polygons.push(input.polygon.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if !input.circle.trim().is_empty() {
        area.circles.push(input.circle.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if area.geocodes.is_empty() && area.polygons.is_empty() && area.circles.is_empty() {
        return Err(DomainError::required("area_units").into());
    }
    area.desc = if names.is_empty() { "指定区域".into() } else { names.join("、") };
    let block = |language: &str, event: &str, headline: String, description: Option<String>, instruction: Option<String>, sender_name: &str| Info {
        language: Some(language.to_string()),
        categories: vec![t.cap.clone()],
        event: event.to_string(),
        response_types: vec![pick(&input.response_type, "Prepare").to_string()],
        urgency: pick(&input.urgency, "Expected").to_string(),
        severity: severity.clone(),
        certainty: pick(&input.certainty, "Likely").to_string(),
        effective: Some(cap_time(effective)),
        expires: Some(cap_time(expires)),
        sender_name: Some(sender_name.to_string()),
        headline: Some(headline),
        description,
        instruction,
        areas: vec![area.clone()],
        ..Info::default()
    };
    let mut out = vec![block(
        "zh-CN",
        &t.zh,
        required_text("headline", &input.headline, 160)?,
        optional_text("description", &input.description, 4000)?,
        optional_text("instruction", &input.instruction, 2000)?,
        office,
    )];
    if !input.headline_2.trim().is_empty() {
        let lang = rules.text("emergencies.cap.second_language").unwrap_or_else(|| "en-US".into());
        let sender = rules.text("emergencies.cap.sender").unwrap_or_default().replace('_', " ");
        out.push(block(
            &lang,
            &t.en,
            required_text("headline_2", &input.headline_2, 160)?,
            optional_text("description_2", &input.description_2, 4000)?,
            optional_text("instruction_2", &input.instruction_2, 2000)?,
            &sender,
        ));
    }
    Ok((out, Some(expires)))
}

pub(super) fn stored(
    a: &Alert,
    who: &Who,
    colour: Option<String>,
    original: Option<i64>,
    incident: Option<i64>,
    expires_at: Option<i64>,
    now: i64,
) -> Result<StoredAlert> {
    let first = a.infos.first();
    Ok(StoredAlert {
        id: 0,
        direction: "out".into(),
        sender: a.sender.clone(),
        identifier: a.identifier.clone(),
        sent: a.sent.clone(),
        sent_at: cap::time_micros(&a.sent).unwrap_or(now),
        msg_type: a.msg_type.clone(),
        status: a.status.clone(),
        state: "draft".into(),
        colour,
        event: first.map(|i| i.event.clone()).unwrap_or_default(),
        headline: first.and_then(|i| i.headline.clone()).unwrap_or_default(),
        expires_at,
        original_id: original,
        replaced_by: None,
        incident_id: incident,
        body: serde_json::to_string(a).map_err(|e| DomainError::new(luoshi_domain::ErrorCode::Internal).with_detail(e.to_string()))?,
        xml: None,
        created_by: who.actor.name.clone(),
        approved_by: None,
        published_at: None,
        cancelled_at: None,
        created_at: now,
        updated_at: now,
    })
}

/// Compose a new warning (a draft).
pub async fn compose(db: &Db, who: &Who, input: &WarningInput, now: i64) -> Result<i64> {
    // What was typed is checked first; then whether the caller commands.
    required_text("headline", &input.headline, 160)?;
    let office = may_compose(db, who, now).await?;
    let rules = RulesInForce::load(db, local_date(now)).await?;
    if let Some(i) = input.incident_id {
        luoshi_storage::emergencies::incidents::get(db, i).await?.ok_or_else(|| DomainError::invalid("incident_id"))?;
    }
    let (infos, expires) = infos(db, &rules, &office.name, input, now).await?;
    let status = pick(&input.status, "Actual");
    if !["Actual", "Exercise", "Test"].contains(&status) {
        return Err(DomainError::invalid("status").into());
    }
    let a = Alert {
        identifier: format!("draft-{now}"),
        sender: rules.text("emergencies.cap.sender").unwrap_or_else(|| "luoshi".into()),
        sent: cap_time(now),
        status: status.to_string(),
        msg_type: "Alert".into(),
        scope: "Public".into(),
        infos,
        ..Alert::default()
    };
    cap::check(&a)?;
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &who.actor, &stored(&a, who, Some(input.colour.clone()), None, input.incident_id, expires, now)?, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub(super) fn body(s: &StoredAlert) -> Result<Alert> {
    serde_json::from_str(&s.body).map_err(|e| DomainError::new(luoshi_domain::ErrorCode::Internal).with_detail(format!("warning body: {e}")).into())
}

/// The references of a message changing `original`: its own chain, then itself.
fn chain(original: &Alert) -> Result<String> {
    let mut refs: Vec<String> = references(original)?.iter().map(Reference::text).collect();
    refs.push(Reference::of(original).text());
    Ok(refs.join(" "))
}

/// Compose an Update of a published warning (new content, the same chain), or a Cancel of it
/// (its content kept, the reason as the message's note).
pub async fn compose_change(db: &Db, who: &Who, original_id: i64, cancel: bool, input: &WarningInput, reason: &str, now: i64) -> Result<i64> {
    let o = store::get(db, original_id).await?.ok_or_else(|| DomainError::not_found("warning"))?;
    let office = may_compose(db, who, now).await?;
    if o.direction != "out" || o.state != "published" {
        return Err(DomainError::field(luoshi_domain::ErrorCode::Conflict, "state").with_detail(o.state).into());
    }
    let original = body(&o)?;
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let (infos, expires, colour, note) = if cancel {
        let reason = required_text("note", reason, 500)?;
        (original.infos.clone(), o.expires_at, o.colour.clone(), Some(reason))
    } else {
        let (i, e) = infos(db, &rules, &office.name, input, now).await?;
        (i, e, Some(input.colour.clone()), None)
    };
    let a = Alert {
        identifier: format!("draft-{now}"),
        sender: original.sender.clone(),
        sent: cap_time(now),
        status: original.status.clone(),
        msg_type: if cancel { "Cancel" } else { "Update" }.into(),
        scope: original.scope.clone(),
        note,
        references: Some(chain(&original)?),
        incidents: original.incidents.clone(),
        infos,
        ..Alert::default()
    };
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &who.actor, &stored(&a, who, colour, Some(o.id), o.incident_id, expires, now)?, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// The next step of a warning composed here: `submit` (for approval), `approve` (a second
/// person publishes), `publish` (where no approval is required), `withdraw` (a draft dropped,
/// kept as rejected).
pub async fn act(db: &Db, who: &Who, id: i64, action: &str, now: i64) -> Result<StoredAlert> {
    let s = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("warning"))?;
    if !["submit", "withdraw", "approve", "publish"].contains(&action) {
        return Err(DomainError::invalid("action").into());
    }
    may_compose(db, who, now).await?;
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let approval = rules.int("emergencies.cap.approval_required").unwrap_or(1) == 1;
    let conflict = || DomainError::field(luoshi_domain::ErrorCode::Conflict, "state").with_detail(s.state.clone());
    let mut after = StoredAlert { updated_at: now, ..s.clone() };
    match (action, s.state.as_str()) {
        ("submit", "draft") if approval => after.state = "pending".into(),
        ("withdraw", "draft" | "pending") => after.state = "rejected".into(),
        ("approve", "pending") | ("publish", "draft") => {
            if action == "publish" && approval {
                return Err(DomainError::field(luoshi_domain::ErrorCode::Conflict, "state").with_detail("approval required").into());
            }
            if action == "approve" && s.created_by == who.actor.name {
                return Err(DomainError::forbidden().with_detail("approved by the person who composed it").into());
            }
            return publish(db, who, s, now).await;
        }
        _ => return Err(conflict().into()),
    }
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &s, &after, action, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// An identifier `sender` has not used: the county's issuer code and the Beijing time of `now`
/// (发布单位代码_时间), then `tag`, then a counter where that is taken already.
pub(super) async fn identifier(db: &Db, rules: &RulesInForce, sender: &str, tag: &str, now: i64) -> Result<String> {
    let issuer = rules.text("emergencies.cap.issuer_code").unwrap_or_else(|| "00000000000000".into());
    let stamp = chrono::TimeZone::timestamp_opt(&luoshi_domain::time::shanghai(), now.div_euclid(1_000_000), 0)
        .single()
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default();
    let base = format!("{issuer}_{stamp}{tag}");
    let mut id = base.clone();
    let mut n = 1;
    while store::by_identifier(db, sender, &id).await?.is_some() {
        n += 1;
        id = format!("{base}_{n}");
    }
    Ok(id)
}

/// Publish: the identifier (发布单位代码_时间) and the time are fixed, the message checked and
/// written; an Update or Cancel marks its original superseded or cancelled.
async fn publish(db: &Db, who: &Who, s: StoredAlert, now: i64) -> Result<StoredAlert> {
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let mut a = body(&s)?;
    a.identifier = identifier(db, &rules, &a.sender, "", now).await?;
    a.sent = cap_time(now);
    cap::check(&a)?;
    let xml = cap::write(&a);
    let after = StoredAlert {
        identifier: a.identifier.clone(),
        sent: a.sent.clone(),
        sent_at: cap::time_micros(&a.sent).unwrap_or(now),
        state: "published".into(),
        body: serde_json::to_string(&a).map_err(|e| DomainError::new(luoshi_domain::ErrorCode::Internal).with_detail(e.to_string()))?,
        xml: Some(xml),
        approved_by: Some(who.actor.name.clone()),
        published_at: Some(now),
        updated_at: now,
        ..s.clone()
    };
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &s, &after, "publish", now).await?;
    if let Some(o) = s.original_id {
        follow_chain(db, &mut tx, who, o, after.id, &a.msg_type, now).await?;
    }
    if let Some(i) = s.incident_id {
        let text = format!("{}：{}", if a.msg_type == "Alert" { "发布预警" } else { "预警变更" }, after.headline);
        luoshi_storage::emergencies::incidents::log(&mut tx, i, now, &who.actor.name, "warning", None, None, Some(&text)).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Mark the message `original` superseded (by an Update) or cancelled (by a Cancel).
pub(super) async fn follow_chain(db: &Db, tx: &mut luoshi_storage::WriteTx, who: &Who, original: i64, by: i64, msg_type: &str, now: i64) -> Result<()> {
    let Some(o) = store::get(db, original).await? else { return Ok(()) };
    let mut after = StoredAlert { replaced_by: Some(by), updated_at: now, ..o.clone() };
    match msg_type {
        "Update" => after.state = "superseded".into(),
        "Cancel" => {
            after.state = "cancelled".into();
            after.cancelled_at = Some(now);
        }
        _ => return Ok(()),
    }
    store::save(tx, &who.actor, &o, &after, &after.state.clone(), now).await?;
    Ok(())
}

/// A warning for the caller, with its message.
pub async fn view(db: &Db, who: &Who, id: i64) -> Result<(StoredAlert, Alert)> {
    if matches!(who.role, Some(luoshi_domain::user::Role::Hotline | luoshi_domain::user::Role::Deputy)) {
        return Err(forbidden());
    }
    let s = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("warning"))?;
    let a = body(&s)?;
    Ok((s, a))
}

/// The state a warning shows: expired read from `expires` (apart from cancelled); a Cancel
/// message itself, once published, is 已发布 (it is not a warning in force).
pub fn shown_state(s: &StoredAlert, now: i64) -> &str {
    if expired(s, now) && s.msg_type != "Cancel" {
        "expired"
    } else if s.msg_type == "Cancel" && s.state == "published" {
        "cancel_published"
    } else {
        &s.state
    }
}

/// Is a published warning past its `expires` (shown apart from cancelled)?
pub fn expired(s: &StoredAlert, now: i64) -> bool {
    matches!(s.state.as_str(), "published" | "received") && s.expires_at.is_some_and(|e| e < now)
}

/// Every warning the caller may see (drafts and received ones included), newest first.
pub async fn list(db: &Db, who: &Who) -> Result<Vec<StoredAlert>> {
    if matches!(who.role, Some(luoshi_domain::user::Role::Hotline | luoshi_domain::user::Role::Deputy)) {
        return Err(forbidden());
    }
    store::list(db, &[], 300).await
}
