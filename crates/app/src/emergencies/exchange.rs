//! What crosses to and from other deployments and the public: messages received from peers
//! (read safely, kept once, their chains followed, a report from below opening its incident), a
//! warning opening an incident, the public feed's messages, and the outbox of messages to push.

use super::warnings::{body, follow_chain, may_compose, stored, COLOURS};
use crate::{Result, RulesInForce, Who};
use luoshi_domain::emergencies::cap::{self, references};
use luoshi_domain::time::local_date;
use luoshi_domain::DomainError;
use luoshi_storage::emergencies::alerts::{self as store, StoredAlert};
use luoshi_storage::Db;

/// Receive a message from a peer (an upstream city, a neighbouring county): read safely,
/// checked, kept as received (the same message twice is kept once); an Update or Cancel of a
/// message already here marks it superseded or cancelled.
pub async fn receive(db: &Db, who: &Who, xml: &str, now: i64) -> Result<(i64, bool)> {
    let a = cap::read(xml)?;
    may_compose(db, who, now).await?;
    if let Some(existing) = store::by_identifier(db, &a.sender, &a.identifier).await? {
        return Ok((existing.id, false));
    }
    let mut refs_here = Vec::new();
    for r in references(&a)? {
        if let Some(o) = store::by_identifier(db, &r.sender, &r.identifier).await? {
            refs_here.push(o.id);
        }
    }
    let first = a.infos.first();
    let expires_at = first.and_then(|i| i.expires.as_deref()).and_then(cap::time_micros);
    // The colour read back from the severity by the county's own mapping (黄 = Moderate …).
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let colour = first
        .and_then(|i| COLOURS.iter().find(|c| rules.text(&format!("emergencies.cap.severity.{c}")).as_deref() == Some(i.severity.as_str())))
        .map(|c| (*c).to_string());
    let mut s = stored(&a, who, colour, refs_here.last().copied(), None, expires_at, now)?;
    s.direction = "in".into();
    s.state = "received".into();
    s.xml = Some(xml.to_string());
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &who.actor, &s, now).await?;
    for o in refs_here {
        follow_chain(db, &mut tx, who, o, id, &a.msg_type, now).await?;
    }
    tx.commit().await?;
    // A report from below opens (or adds to) the incident here; the message is kept either way.
    if let Err(e) = super::report_up::received(db, who, &a, now).await {
        tracing::warn!(error = %e, identifier = %a.identifier, "a report from below did not open its incident");
    }
    Ok((id, true))
}

/// The public messages issued here, newest first, for the feed: published, superseded and
/// cancelled (a consumer follows the chain), never drafts nor anything not Public.
pub async fn public(db: &Db, limit: i64) -> Result<Vec<StoredAlert>> {
    let all = store::list(db, &["published", "superseded", "cancelled"], limit).await?;
    Ok(all.into_iter().filter(|s| s.direction == "out" && s.xml.is_some() && body(s).map(|a| a.scope == "Public").unwrap_or(false)).collect())
}

/// One public message by its identifier (its XML as published).
pub async fn public_one(db: &Db, sender: &str, identifier: &str) -> Result<StoredAlert> {
    let s = store::by_identifier(db, sender, identifier)
        .await?
        .filter(|s| s.direction == "out" && s.xml.is_some())
        .ok_or_else(|| DomainError::not_found("warning"))?;
    if body(&s)?.scope != "Public" {
        return Err(DomainError::not_found("warning").into());
    }
    Ok(s)
}

/// Open an incident from a warning (a peer's received, or one issued here): its headline, its
/// area, its description as the first facts; the incident names the message as its source, so
/// the same warning opens one incident.
pub async fn to_incident(db: &Db, who: &Who, id: i64, now: i64) -> Result<i64> {
    let s = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("warning"))?;
    may_compose(db, who, now).await?;
    let key = format!("{},{}", s.sender, s.identifier);
    if let Some(i) = luoshi_storage::emergencies::incidents::by_source(db, "cap", &key).await? {
        return Ok(i);
    }
    let a = body(&s)?;
    let zh = a.infos.iter().find(|i| i.language.as_deref() == Some("zh-CN")).or(a.infos.first()).ok_or_else(|| DomainError::required("info"))?;
    let types = luoshi_domain::emergencies::event_types()?;
    let t = types
        .iter()
        .find(|t| zh.event.contains(&t.zh) || t.zh.contains(&zh.event))
        .or_else(|| types.iter().find(|t| zh.categories.contains(&t.cap)))
        .ok_or_else(|| DomainError::invalid("event_type").with_detail(zh.event.clone()))?;
    let at = [&zh.onset, &zh.effective].into_iter().flatten().find_map(|t| cap::time_micros(t)).unwrap_or(s.sent_at).min(now);
    let input = super::incidents::IncidentInput {
        title: zh.headline.clone().unwrap_or_else(|| zh.event.clone()).chars().take(100).collect(),
        event_type: t.code.clone(),
        occurred_at: luoshi_domain::time::format_local(at),
        place: zh.areas.iter().map(|ar| ar.desc.as_str()).collect::<Vec<_>>().join("、").chars().take(200).collect(),
        facts: zh.description.clone().unwrap_or_else(|| s.headline.clone()),
        source: "cap".into(),
        source_ref: key,
        ..super::incidents::IncidentInput::default()
    };
    super::incidents::report(db, who, &input, now).await
}

/// The outbox: messages published here not yet delivered to the upstream (at most `limit`).
pub async fn outbox(db: &Db, limit: i64) -> Result<Vec<StoredAlert>> {
    store::unpushed(db, limit).await
}

/// Record a delivery attempt of an outbox message (the system's own act).
pub async fn delivered(db: &Db, id: i64, outcome: std::result::Result<(), String>, now: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    store::pushed(&mut tx, &luoshi_storage::Actor { id: None, name: "cap-push".into() }, id, outcome, now).await?;
    tx.commit().await?;
    Ok(())
}
