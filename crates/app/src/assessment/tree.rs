//! The unit tree as the cockpit walks it: who sees which unit, a unit's children, and which
//! child of a node a unit's counts roll up to.

use crate::{Result, Who};
use luoshi_domain::access::Sight;
use luoshi_domain::unit::{in_subtree, Unit};
use luoshi_storage::{units, Db};
use std::collections::HashMap;
use std::sync::Arc;

/// Every unit, as the node keeps it while the units' version stands (`units::all`).
#[derive(Debug, Clone)]
pub struct Tree {
    pub units: Arc<Vec<Unit>>,
    by_id: HashMap<i64, usize>,
}

impl Tree {
    pub async fn load(db: &Db) -> Result<Tree> {
        let units = units::all(db).await?;
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
        // A unit's ancestors are the ids on its path: a look-up per level, not a test per node
        // (a city ranks hundreds of units over thousands). The first node listed wins.
        let index: HashMap<i64, usize> = nodes.iter().enumerate().rev().map(|(i, n)| (n.id, i)).collect();
        let mut out = HashMap::new();
        for u in self.units.iter() {
            if let Some(&i) = u.path.split('/').filter_map(|s| s.parse::<i64>().ok()).filter_map(|id| index.get(&id)).min() {
                out.insert(u.id, i);
            }
        }
        out
    }

    /// Each unit under one of `nodes` with the id of the node it counts towards (see [`Tree::roll_up`]).
    pub fn buckets(&self, nodes: &[&Unit]) -> HashMap<i64, i64> {
        self.roll_up(nodes).into_iter().map(|(u, i)| (u, nodes[i].id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use luoshi_domain::unit::UnitKind;

    fn unit(id: i64, path: &str) -> Unit {
        let depth = i64::try_from(path.matches('/').count()).unwrap() - 2;
        let parent_id = path.trim_end_matches('/').rsplit('/').nth(1).and_then(|p| p.parse().ok());
        Unit {
            id,
            parent_id,
            kind: UnitKind::Department,
            name: format!("u{id}"),
            short_name: None,
            code: None,
            leader: None,
            path: path.into(),
            depth,
            active: true,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn rolling_up_by_path_ids_is_rolling_up_by_subtree() {
        // Ids that are prefixes of others as text (1, 12, 123) must not be taken for ancestors.
        let units = vec![unit(1, "/1/"), unit(12, "/1/12/"), unit(123, "/1/12/123/"), unit(2, "/1/2/"), unit(21, "/1/2/21/"), unit(3, "/1/3/")];
        let tree = Tree { by_id: units.iter().enumerate().map(|(i, u)| (u.id, i)).collect(), units: Arc::new(units) };
        for nodes in [vec![12, 2], vec![2, 12, 21], vec![21, 2], vec![1], vec![123, 3]] {
            let nodes: Vec<&Unit> = nodes.iter().filter_map(|id| tree.get(*id)).collect();
            let by_subtree: HashMap<i64, usize> =
                tree.units.iter().filter_map(|u| Some((u.id, nodes.iter().position(|n| in_subtree(&u.path, &n.path))?))).collect();
            assert_eq!(tree.roll_up(&nodes), by_subtree, "{:?}", nodes.iter().map(|n| n.id).collect::<Vec<_>>());
            let buckets = tree.buckets(&nodes);
            assert!(buckets.iter().all(|(u, n)| in_subtree(&tree.get(*u).unwrap().path, &tree.get(*n).unwrap().path)));
        }
    }
}
