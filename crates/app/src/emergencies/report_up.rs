//! 上报 as CAP: each report of an incident upward is a Restricted CAP message (never on the
//! public feed) that the outbox delivers to the upstream with the warnings — the first an
//! Alert, each later one an Update referring to the one before, so the upstream keeps the
//! chain. It carries the facts, the casualties and the response, never the reporter or any
//! person on duty. Received upstream, a report opens the incident there the first time and adds
//! its facts after ([`received`]).

use super::warnings::COLOURS;
use crate::{Result, RulesInForce, Who};
use luoshi_domain::emergencies::cap::{self, cap_time, Alert, Area, Info, Reference};
use luoshi_domain::emergencies::Level;
use luoshi_domain::time::local_date;
use luoshi_domain::DomainError;
use luoshi_storage::emergencies::alerts::{self as store, StoredAlert};
use luoshi_storage::emergencies::incidents::Incident;
use luoshi_storage::{units, Db, WriteTx};

/// The `code` that marks an incident report among CAP messages.
pub const CODE: &str = "luoshi:incident-report";

/// CAP severity of a response level (Ⅰ the gravest).
fn severity(level: Option<Level>) -> &'static str {
    match level {
        Some(Level::I) => "Extreme",
        Some(Level::II) => "Severe",
        Some(Level::III) => "Moderate",
        Some(Level::IV) => "Minor",
        None => "Unknown",
    }
}

/// A message issued here by the system's own act, published as it is written.
fn issued(a: &Alert, who: &Who, colour: Option<String>, original: Option<i64>, incident: i64, now: i64) -> Result<StoredAlert> {
    let mut s = super::warnings::stored(a, who, colour, original, Some(incident), None, now)?;
    s.state = "published".into();
    s.xml = Some(cap::write(a));
    s.approved_by = Some(who.actor.name.clone());
    s.published_at = Some(now);
    Ok(s)
}

/// Write the report of `i` (as it stands after the change) as a published Restricted message in
/// `tx`, chained to the incident's previous report.
pub async fn write(db: &Db, tx: &mut WriteTx, who: &Who, i: &Incident, note: &str, now: i64) -> Result<()> {
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let sender = rules.text("emergencies.cap.sender").unwrap_or_else(|| "luoshi".into());
    let types = luoshi_domain::emergencies::event_types()?;
    let t = types.iter().find(|t| t.code == i.event_type).ok_or_else(|| DomainError::invalid("event_type"))?;
    // The incident's last report issued here (a report is marked by its code).
    let previous = store::of_incident(db, i.id)
        .await?
        .into_iter()
        .filter(|s| s.direction == "out" && s.incident_id == Some(i.id) && s.state == "published")
        .filter_map(|s| serde_json::from_str::<Alert>(&s.body).ok().filter(|a| a.codes.iter().any(|c| c == CODE)).map(|a| (s, a)))
        .max_by_key(|(s, _)| s.id);
    let (previous, prev_alert) = match previous {
        Some((s, a)) => (Some(s), Some(a)),
        None => (None, None),
    };
    let mut references: Vec<String> =
        prev_alert.as_ref().map(|a| cap::references(a).map(|r| r.iter().map(Reference::text).collect()).unwrap_or_default()).unwrap_or_default();
    if let Some(a) = &prev_alert {
        references.push(Reference::of(a).text());
    }
    let area_code = match i.township_id {
        Some(t) => units::get(db, t).await?.and_then(|u| u.code),
        None => None,
    };
    let geo = rules.text("emergencies.cap.geocode_name").unwrap_or_else(|| "CPEAS Geographic Code".into());
    let area = Area {
        desc: [i.township_name.clone(), Some(i.place.clone())].into_iter().flatten().collect::<Vec<_>>().join(" "),
        geocodes: area_code.map(|c| vec![(geo, format!("{c:0<12}"))]).unwrap_or_default(),
        ..Area::default()
    };
    let level = i.level.map(|l| format!("{}级", l.roman())).unwrap_or_else(|| "待研判".into());
    let description = format!("{}\n伤亡：死亡{}人，受伤{}人，失踪{}人。响应：{}。{}", i.facts, i.deaths, i.injured, i.missing, level, note);
    let identifier = super::warnings::identifier(db, &rules, &sender, &format!("_R{}", i.id), now).await?;
    let headline = format!("[{}] {}", if references.is_empty() { "首报" } else { "续报" }, i.title).chars().take(160).collect::<String>();
    let a = Alert {
        identifier,
        sender,
        sent: cap_time(now),
        status: "Actual".into(),
        msg_type: if references.is_empty() { "Alert" } else { "Update" }.into(),
        scope: "Restricted".into(),
        restriction: Some("政务内部：突发事件信息报告".into()),
        codes: vec![CODE.into()],
        references: (!references.is_empty()).then(|| references.join(" ")),
        incidents: Some(format!("incident-{}", i.id)),
        infos: vec![Info {
            language: Some("zh-CN".into()),
            categories: vec![t.cap.clone()],
            event: t.zh.clone(),
            urgency: "Immediate".into(),
            severity: severity(i.level).into(),
            certainty: "Observed".into(),
            onset: Some(cap_time(i.occurred_at.min(now))),
            sender_name: Some(i.command_unit_name.clone()),
            headline: Some(headline.clone()),
            description: Some(description),
            parameters: vec![("response_level".into(), i.level.map(|l| l.as_str().to_string()).unwrap_or_default())],
            areas: vec![area],
            ..Info::default()
        }],
        ..Alert::default()
    };
    cap::check(&a)?;
    let s =
        issued(&a, who, i.level.map(|l| COLOURS[usize::try_from(l.number() - 1).unwrap_or(3).min(3)].to_string()), previous.as_ref().map(|p| p.id), i.id, now)?;
    let id = store::insert(tx, &who.actor, &s, now).await?;
    if let Some(p) = previous {
        let after = StoredAlert { replaced_by: Some(id), state: "superseded".into(), updated_at: now, ..p.clone() };
        store::save(tx, &who.actor, &p, &after, "superseded", now).await?;
    }
    Ok(())
}

/// A report received from below: the first opens the incident here, each later one adds its
/// facts to it; the incident named by the sender and the report's `incidents`.
pub async fn received(db: &Db, who: &Who, a: &Alert, now: i64) -> Result<Option<i64>> {
    if a.codes.iter().any(|c| c == ACTIVATION) {
        return activation_received(db, who, a, now).await;
    }
    if !a.codes.iter().any(|c| c == CODE) {
        return Ok(None);
    }
    let key = format!("{},{}", a.sender, a.incidents.clone().unwrap_or_default());
    let info = a.infos.first().ok_or_else(|| DomainError::required("info"))?;
    let facts = info.description.clone().unwrap_or_default();
    if let Some(id) = luoshi_storage::emergencies::incidents::by_source(db, "upstream", &key).await? {
        let input = super::incidents::IncidentActInput { action: "update".into(), note: facts, ..super::incidents::IncidentActInput::default() };
        super::incidents::act(db, who, id, &input, now).await?;
        return Ok(Some(id));
    }
    let types = luoshi_domain::emergencies::event_types()?;
    let t = types
        .iter()
        .find(|t| t.zh == info.event)
        .or_else(|| types.iter().find(|t| info.categories.contains(&t.cap)))
        .ok_or_else(|| DomainError::invalid("event_type"))?;
    let at = info.onset.as_deref().and_then(cap::time_micros).unwrap_or(now).min(now);
    let input = super::incidents::IncidentInput {
        title: info
            .headline
            .clone()
            .unwrap_or_else(|| info.event.clone())
            .trim_start_matches(['['])
            .split_once("] ")
            .map(|(_, t)| t.to_string())
            .unwrap_or_else(|| info.headline.clone().unwrap_or_default())
            .chars()
            .take(100)
            .collect(),
        event_type: t.code.clone(),
        occurred_at: luoshi_domain::time::format_local(at),
        place: info.areas.iter().map(|ar| ar.desc.as_str()).collect::<Vec<_>>().join("、").chars().take(200).collect(),
        facts,
        source: "upstream".into(),
        source_ref: key,
        reporter: info.sender_name.clone().unwrap_or_default(),
        ..super::incidents::IncidentInput::default()
    };
    Ok(Some(super::incidents::report(db, who, &input, now).await?))
}

/// The `code` that marks a higher level's activation sent down to the county that reported.
pub const ACTIVATION: &str = "luoshi:activation";

/// An incident opened from a report below (`source` upstream, `source_ref` "sender,incident-N")
/// has just been activated here: tell the county that reported it, as a Private CAP message
/// addressed to its sender, naming its own incident, with the level and what was activated.
pub async fn activation_down(db: &Db, tx: &mut WriteTx, who: &Who, i: &Incident, text: &str, now: i64) -> Result<()> {
    let Some((below, their_incident)) = i.source_ref.as_deref().filter(|_| i.source == "upstream").and_then(|r| r.split_once(',')) else { return Ok(()) };
    let rules = RulesInForce::load(db, local_date(now)).await?;
    let sender = rules.text("emergencies.cap.sender").unwrap_or_else(|| "luoshi".into());
    let types = luoshi_domain::emergencies::event_types()?;
    let t = types.iter().find(|t| t.code == i.event_type).ok_or_else(|| DomainError::invalid("event_type"))?;
    // What it answers: the last report received from below for this incident.
    let answered = store::list(db, &["received", "superseded"], 1000)
        .await?
        .into_iter()
        .filter(|s| s.direction == "in" && s.sender == below)
        .filter_map(|s| serde_json::from_str::<Alert>(&s.body).ok())
        .filter(|a| a.incidents.as_deref() == Some(their_incident))
        .max_by_key(|a| cap::time_micros(&a.sent).unwrap_or(0));
    let identifier = super::warnings::identifier(db, &rules, &sender, &format!("_A{}", i.id), now).await?;
    let level = i.level.map(|l| l.roman()).unwrap_or("");
    let headline: String = format!("[启动响应] {}（{}级）", i.title, level).chars().take(160).collect();
    let a = Alert {
        identifier,
        sender,
        sent: cap_time(now),
        status: "Actual".into(),
        msg_type: "Alert".into(),
        scope: "Private".into(),
        addresses: Some(below.to_string()),
        codes: vec![ACTIVATION.into()],
        references: answered.as_ref().map(|a| Reference::of(a).text()),
        incidents: Some(their_incident.to_string()),
        infos: vec![Info {
            language: Some("zh-CN".into()),
            categories: vec![t.cap.clone()],
            event: t.zh.clone(),
            response_types: vec!["Execute".into()],
            urgency: "Immediate".into(),
            severity: severity(i.level).into(),
            certainty: "Observed".into(),
            sender_name: Some(i.command_unit_name.clone()),
            headline: Some(headline.clone()),
            description: Some(text.to_string()),
            parameters: vec![("response_level".into(), i.level.map(|l| l.as_str().to_string()).unwrap_or_default())],
            areas: vec![Area { desc: i.place.clone(), ..Area::default() }],
            ..Info::default()
        }],
        ..Alert::default()
    };
    cap::check(&a)?;
    let s = issued(&a, who, None, None, i.id, now)?;
    store::insert(tx, &who.actor, &s, now).await?;
    Ok(())
}

/// A higher level's activation received for an incident reported from here: the incident takes
/// the graver level (with the lead and the report clock that follow) and records the directive.
async fn activation_received(db: &Db, who: &Who, a: &Alert, now: i64) -> Result<Option<i64>> {
    let Some(id) = a.incidents.as_deref().and_then(|k| k.strip_prefix("incident-")).and_then(|n| n.parse::<i64>().ok()) else { return Ok(None) };
    let Some(i) = luoshi_storage::emergencies::incidents::get(db, id).await? else { return Ok(None) };
    let info = a.infos.first().ok_or_else(|| DomainError::required("info"))?;
    let level = info.parameters.iter().find(|(k, _)| k == "response_level").and_then(|(_, v)| Level::parse(v));
    let note = format!("上级指令（{}）：{}", info.sender_name.clone().unwrap_or_else(|| a.sender.clone()), info.description.clone().unwrap_or_default());
    let step = |action: &str, level: Option<Level>| super::incidents::IncidentActInput {
        action: action.into(),
        level: level.map(|l| l.as_str().to_string()).unwrap_or_default(),
        note: note.clone(),
        ..super::incidents::IncidentActInput::default()
    };
    let graver = level.filter(|l| i.level.is_none_or(|mine| l.number() < mine.number()));
    let input = match (i.state, graver) {
        (luoshi_domain::emergencies::IncidentState::Reported, Some(l)) => step("assess", Some(l)),
        (luoshi_domain::emergencies::IncidentState::Assessed | luoshi_domain::emergencies::IncidentState::Responding, Some(l)) => step("change_level", Some(l)),
        _ => step("update", None),
    };
    super::incidents::act(db, who, id, &input, now).await?;
    Ok(Some(id))
}
