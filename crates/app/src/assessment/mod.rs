//! 考核与驾驶舱 (a room of its own: it reads the duty core's counters and the unit tree, never a
//! kind's module). The cockpit ([`cockpit`]): every kind's figures, the units ranked fairly, the
//! trend and the drill-down, for what the caller's sight holds; the scorecards of the assessment
//! year ([`cards`]) with their adjustments and objections ([`objections`]).

pub mod cards;
pub mod cockpit;
pub mod objections;
pub mod records;
pub mod schemes;
mod tree;

pub use tree::Tree;

use crate::{Result, Who};
use luoshi_domain::access::Sight;
use luoshi_domain::assessment::{self as dom, Scheme};
use luoshi_domain::unit::UnitKind;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::duty::Resolved;
use luoshi_storage::{assessment as store, Db};

/// The unit a cockpit looks at: the one asked for if the caller sees it (404 unknown, 403 not
/// seen); else a unit's people look at their own unit, the others at their whole sight.
pub fn node(who: &Who, tree: &Tree, asked: Option<i64>) -> Result<Option<luoshi_domain::unit::Unit>> {
    let sight = who.sight();
    if matches!(sight, Sight::Nothing) {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let asked = asked.or(match sight {
        Sight::Units(_) => who.unit_id,
        _ => None,
    });
    let Some(id) = asked else { return Ok(None) };
    let u = tree.get(id).ok_or_else(|| DomainError::not_found("unit"))?;
    if !tree.sees(who, u) {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    Ok(Some(u.clone()))
}

/// The counters a node's figures sum: its subtree's, or the caller's whole sight.
pub async fn resolved(db: &Db, who: &Who, tree: &Tree, node: Option<&luoshi_domain::unit::Unit>) -> Result<Resolved> {
    Ok(match node {
        Some(u) => Resolved::Some { units: tree.subtree(&u.path), lead: None },
        None => luoshi_storage::duty::resolve(db, &who.sight()).await?,
    })
}

/// A year asked for: 2000 to 2100 (the field `year`), else this one.
pub fn year_or(year: Option<i32>, this_year: i32) -> Result<i32> {
    match year {
        None => Ok(this_year),
        Some(y) if (2000..=2100).contains(&y) => Ok(y),
        Some(_) => Err(DomainError::field(ErrorCode::OutOfRange, "year").into()),
    }
}

/// The scheme kind a unit is assessed under (villages under the townships').
pub fn scheme_kind(k: UnitKind) -> &'static str {
    match k {
        UnitKind::Department => "department",
        UnitKind::County | UnitKind::Township | UnitKind::Village => "township",
    }
}

/// The scheme in force for a year and kind of unit: its latest stored version (version ≥ 1),
/// else the shipped one of that year or the latest before it (version 0).
pub async fn scheme(db: &Db, year: i32, unit_kind: &str) -> Result<(Scheme, i64)> {
    let key = format!("assessment:scheme:{year}:{unit_kind}");
    db.memo_written(&key, || async {
        if let Some(s) = store::scheme_versions(db, year, unit_kind).await?.into_iter().next() {
            return Ok((s.scheme, s.version));
        }
        let shipped = dom::shipped()?;
        let best = shipped
            .iter()
            .filter(|s| s.unit_kind == unit_kind && s.year <= year)
            .max_by_key(|s| s.year)
            .or_else(|| shipped.iter().find(|s| s.unit_kind == unit_kind));
        let mut s = best.cloned().ok_or_else(|| DomainError::not_found("scheme"))?;
        s.year = year;
        Ok((s, 0))
    })
    .await
}

/// Save a new version of a scheme (the supervision office or an administrator).
pub async fn put_scheme(db: &Db, who: &Who, s: &Scheme, note: &str, now: i64) -> Result<i64> {
    if !who.is_supervisor() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    s.check()?;
    if note.trim().is_empty() {
        return Err(DomainError::required("note").into());
    }
    let mut tx = db.begin_write().await?;
    let v = store::put_scheme(&mut tx, &who.actor, s, note.trim(), now).await?;
    tx.commit().await?;
    Ok(v)
}
