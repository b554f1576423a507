//! The unit tree as the cockpit walks it: who sees which unit, a unit's children, and which
//! child of a node a unit's counts roll up to.

use crate::{Result, Who};
use luoshi_domain::access::{Scope, Sight};
use luoshi_domain::unit::{in_subtree, Unit};
use luoshi_storage::{units, Db};
use std::collections::HashMap;

/// Every unit, kept on the node while the units' version stands (one small read a request).
#[derive(Debug, Clone)]
pub struct Tree {
    pub units: Vec<Unit>,
    by_id: HashMap<i64, usize>,
}

impl Tree {
    pub async fn load(db: &Db) -> Result<Tree> {
        let version = luoshi_storage::versions::all(db).await?.into_iter().find(|(n, _)| n == "units").map(|(_, v)| v).unwrap_or(0);
        let units = db.memo_versioned("assessment:units", version, || async { units::list(db, &Scope::All).await }).await?;
        let by_id = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        Ok(Tree { units, by_id })
    }

    pub fn get(&self, id: i64) -> Option<&Unit> {
        self.by_id.get(&id).map(|i| &self.units[*i])
    }

    /// Active units directly under `id` (under the root when none), by name.
    pub fn children(&self, id: Option<i64>) -> Vec<&Unit> {
        let parent = id.or_else(|| self.units.iter().find(|u| u.parent_id.is_none()).map(|u| u.id));
        let mut out: Vec<&Unit> = self.units.iter().filter(|u| u.active && u.parent_id == parent && parent.is_some()).collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// Ids of the unit at `path` and every unit below it.
    pub fn subtree(&self, path: &str) -> Vec<i64> {
        self.units.iter().filter(|u| in_subtree(&u.path, path)).map(|u| u.id).collect()
    }

    /// Does the caller's sight reach this unit (and so everything it and its subtree own)?
    pub fn sees(&self, who: &Who, u: &Unit) -> bool {
        match who.sight() {
            Sight::County => true,
            Sight::Leader { overseen, .. } => overseen.iter().any(|root| in_subtree(&u.path, root)),
            Sight::Units(root) => in_subtree(&u.path, &root),
            Sight::Nothing => false,
        }
    }

    /// The units below the root down to `id` that the caller sees (the breadcrumbs: the root
    /// is the cockpit's top, 全县).
    pub fn trail(&self, who: &Who, id: i64) -> Vec<&Unit> {
        let mut out = Vec::new();
        let mut at = self.get(id);
        while let Some(u) = at {
            if u.parent_id.is_some() && self.sees(who, u) {
                out.push(u);
            }
            at = u.parent_id.and_then(|p| self.get(p));
        }
        out.reverse();
        out
    }

    /// For each unit id below one of `nodes`, the index of the node it rolls up to.
    pub fn roll_up(&self, nodes: &[&Unit]) -> HashMap<i64, usize> {
        let mut out = HashMap::new();
        for u in &self.units {
            if let Some(i) = nodes.iter().position(|n| in_subtree(&u.path, &n.path)) {
                out.insert(u.id, i);
            }
        }
        out
    }
}
