//! A project in the Open Contracting for Infrastructure Data Standard's project shape (OC4IDS),
//! for transparency: what may be published only — no person (the leader who 包联 it is left
//! out), no internal note (problems, reasons, reports' text), no approval's decision text.

use super::seen;
use crate::{Result, Who};
use luoshi_domain::projects::{Industry, Stage};
use luoshi_storage::duty::Resolved;
use luoshi_storage::projects::ledger::{self, Filter};
use luoshi_storage::projects::Project;
use luoshi_storage::{duty, units, Db};
use serde_json::{json, Value};

/// OC4IDS `projectStatus` of a stage (a paused project keeps the status of where it stood).
pub fn status(p: &Project) -> &'static str {
    match p.paused_from.filter(|_| p.stage == Stage::Paused).unwrap_or(p.stage) {
        Stage::Negotiating => "identification",
        Stage::Signed | Stage::Landing => "preparation",
        Stage::Started | Stage::Building | Stage::Paused => "implementation",
        Stage::Operating => "completed",
        Stage::Terminated => "cancelled",
    }
}

/// OC4IDS `projectSector` of an industry.
pub fn sector(i: Industry) -> &'static str {
    match i {
        Industry::Energy => "energy",
        Industry::Infrastructure => "transport",
        Industry::Tourism => "cultureSportsAndRecreation",
        Industry::Livelihood => "governance",
        Industry::Manufacturing | Industry::Services | Industry::Agriculture => "economy",
    }
}

/// One project in the OC4IDS shape; `prefix` makes its id unique (the county's code).
pub fn shape(p: &Project, prefix: &str) -> Value {
    let money = |yuan: i64| json!({ "amount": yuan, "currency": "CNY" });
    let mut v = json!({
        "id": format!("luoshi-{prefix}-{}", p.id),
        "title": p.name,
        "description": p.scope,
        "status": status(p),
        "sector": [sector(p.industry)],
        "additionalClassifications": [{ "scheme": "luoshi-industry", "id": p.industry.as_str() }],
        "period": { "startDate": p.planned_start_on, "endDate": p.planned_complete_on },
        "budget": { "amount": money(p.total.0) },
        "locations": [{ "description": p.township_name.clone().unwrap_or_default() }],
        "parties": [
            { "id": format!("unit-{}", p.lead_unit_id), "name": p.lead_unit_name, "roles": ["publicAuthority"] },
            { "id": "investor", "name": p.investor, "roles": ["funder"] }
        ],
    });
    if let Some(code) = &p.code {
        v["identifiers"] = json!([{ "scheme": "CN-NDRC-PROJECT", "id": code }]);
    }
    if p.stage == Stage::Operating {
        v["completion"] = json!({ "endDate": p.completed_on, "finalValue": money(p.total.0) });
    }
    v
}

async fn prefix(db: &Db) -> Result<String> {
    Ok(units::root(db).await?.and_then(|u| u.code).unwrap_or_else(|| "county".into()))
}

/// One project the caller sees.
pub async fn one(db: &Db, who: &Who, id: i64, now: i64) -> Result<Value> {
    let (p, _) = seen(db, who, id, luoshi_domain::time::local_date(now)).await?;
    Ok(shape(&p, &prefix(db).await?))
}

/// Every project the caller sees, as an OC4IDS project package.
pub async fn package(db: &Db, who: &Who, now: i64) -> Result<Value> {
    let sight = duty::resolve(db, &who.sight()).await?;
    let all: Vec<Project> =
        if matches!(sight, Resolved::Some { .. }) && sight.is_nothing() { Vec::new() } else { ledger::all(db, &sight, &Filter::default()).await? };
    let pre = prefix(db).await?;
    Ok(json!({
        "version": "0.9",
        "publishedDate": chrono::DateTime::from_timestamp_micros(now).map(|d| d.to_rfc3339()),
        "projects": all.iter().map(|p| shape(p, &pre)).collect::<Vec<_>>(),
    }))
}
