//! What a county publishes of its appeals (Open311 and any other public list): the one place
//! that decides it.
//!
//! - Never a confidential (保密) appeal, in any state, by any filter or id.
//! - Only the states and channels the county's rules name (default: dispatched or later, every
//!   channel): an order not yet triaged is not public.
//! - Free text (the description, the public reply) with phone and ID numbers masked; never an
//!   internal note (dispatch notes, return, rejection and extension reasons, ratings' comments),
//!   the citizen's name, phone or ID number, or a staff member's name.
//! - The exact address only where the county says so (`open311.publish.exact_address`); else
//!   the township the appeal was placed in, and coordinates rounded to about 100 m.

use super::Context;
use crate::{Result, RulesInForce};
use chrono::NaiveDate;
use luoshi_domain::appeals::AppealState;
use luoshi_domain::publish::redact;
use luoshi_storage::appeals::{self as store, Appeal, Filter};
use luoshi_storage::Db;

/// The county's publication settings in force on a day.
#[derive(Debug, Clone)]
pub struct Publication {
    states: Vec<AppealState>,
    channels: Vec<String>,
    exact_address: bool,
}

/// An appeal as published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicAppeal {
    pub code: String,
    pub state: AppealState,
    pub category: String,
    pub description: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// The unit's public reply, masked (only once replied).
    pub reply: Option<String>,
    pub owner: Option<String>,
    pub rating: Option<String>,
    pub rework_count: i64,
    pub channel: String,
    pub media_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub due_at: Option<i64>,
}

/// One published step of an appeal's history: when, what was done, the state after. No note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicStep {
    pub at: i64,
    pub action: String,
    pub state: Option<String>,
}

impl Publication {
    pub async fn load(db: &Db, today: NaiveDate) -> Result<Self> {
        let r = RulesInForce::load(db, today).await?;
        Ok(Publication {
            states: r.list("open311.publish.states").iter().filter_map(|s| AppealState::parse(s)).collect(),
            channels: r.list("open311.publish.channels"),
            exact_address: r.int("open311.publish.exact_address").unwrap_or(0) == 1,
        })
    }

    /// Narrow a filter to what is published: the asked states that are published (none asked:
    /// all published ones), published channels, never confidential.
    pub fn narrow(&self, f: &mut Filter) {
        f.states = if f.states.is_empty() { self.states.clone() } else { f.states.iter().copied().filter(|s| self.states.contains(s)).collect() };
        if f.states.is_empty() {
            // Nothing asked is published: a state no appeal has keeps the answer empty.
            f.ids = vec![-1];
        }
        f.channels = self.channels.clone();
        f.published = true;
    }

    /// Is this appeal published at all?
    pub fn allows(&self, a: &Appeal) -> bool {
        !a.confidential && self.states.contains(&a.state) && self.channels.iter().any(|c| c == &a.channel)
    }

    fn view(&self, routing_units: &dyn Fn(i64) -> Option<String>, a: &Appeal) -> PublicAppeal {
        let replied = matches!(a.state, AppealState::Replied | AppealState::Closed);
        let (address, lat, long) = if self.exact_address {
            (a.address.as_deref().map(redact), a.lat, a.long)
        } else {
            // About 100 m: enough to find a broken street lamp, not a home.
            let round = |x: f64| (x * 1000.0).round() / 1000.0;
            (a.township_id.and_then(routing_units), a.lat.map(round), a.long.map(round))
        };
        PublicAppeal {
            code: a.code.clone(),
            state: a.state,
            category: a.category.clone(),
            description: redact(&a.content),
            address,
            lat,
            long,
            reply: if replied { a.reply.as_deref().map(redact) } else { None },
            owner: a.owner_name.clone(),
            rating: a.rating.clone(),
            rework_count: a.rework_count,
            channel: a.channel.clone(),
            media_url: a.media_url.clone(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            closed_at: a.closed_at,
            due_at: a.due_at,
        }
    }
}

/// A published appeal and, when asked, its published steps.
pub type Published = (PublicAppeal, Option<Vec<PublicStep>>);

/// The published appeals a filter finds (the filter narrowed first), in the filter's order,
/// with their steps (one query for all) when asked.
pub async fn published(db: &Db, ctx: &Context, p: &Publication, mut f: Filter, steps: bool) -> Result<Vec<Published>> {
    p.narrow(&mut f);
    let list: Vec<Appeal> = store::list(db, &f).await?.into_iter().filter(|a| p.allows(a)).collect();
    views(db, ctx, p, list, steps).await
}

/// One published appeal by tracking code, or `None` (unknown, or not published).
pub async fn published_one(db: &Db, ctx: &Context, p: &Publication, code: &str, steps: bool) -> Result<Option<Published>> {
    let f = Filter { codes: vec![code.to_string()], limit: 1, ..Default::default() };
    Ok(published(db, ctx, p, f, steps).await?.pop())
}

async fn views(db: &Db, ctx: &Context, p: &Publication, list: Vec<Appeal>, steps: bool) -> Result<Vec<Published>> {
    let name = |id: i64| ctx.unit_name(id);
    let mut events = if steps { store::events_of(db, &list.iter().map(|a| a.id).collect::<Vec<_>>()).await? } else { Default::default() };
    Ok(list
        .iter()
        .map(|a| {
            // State changes only: the note of a step is internal.
            let st = steps
                .then(|| events.remove(&a.id).unwrap_or_default().into_iter().map(|e| PublicStep { at: e.at, action: e.action, state: e.to_state }).collect());
            (p.view(&name, a), st)
        })
        .collect())
}
