//! 驾驶舱: what the caller's sight holds, read from the duty counters in two queries whatever
//! the number of kinds and units: a card per kind, the units one level down ranked worst
//! first, the trend of the last twelve months, and the way down (county → township → unit →
//! the duties).

use super::{scheme, scheme_kind, year_or, Tree};
use crate::inbox::{item, InboxItem};
use crate::{Result, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::access::Sight;
use luoshi_domain::assessment::{score, Fact, Facts};
use luoshi_domain::duty::{on_time_rate, places, within};
use luoshi_storage::duty::figures::{self, Figure};
use luoshi_storage::duty::Resolved;
use luoshi_storage::{assessment as store, calendar, Db};
use serde::Serialize;

/// What the cockpit is asked: a unit to look at (none: the caller's whole sight) and a year.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CockpitQuery {
    #[serde(default)]
    pub unit: Option<i64>,
    #[serde(default)]
    pub year: Option<i32>,
}

/// One kind's card.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindCard {
    pub kind: String,
    pub open: i64,
    /// Open by light: red, yellow, blue, green.
    pub lights: Vec<(String, i64)>,
    pub opened_month: i64,
    pub opened_year: i64,
    pub on_time: i64,
    pub late: i64,
    /// Closed in the year without a limit.
    pub closed_free: i64,
    /// On time over on time, late and open red (the one rule).
    pub rate: Option<f64>,
    /// Every record as it stands now, by state (most first).
    pub states: Vec<(String, i64)>,
    /// Open by the kind's grade (重大 hazards), where it has grades.
    pub grades_open: Vec<(String, i64)>,
    /// Closed in the year by grade (an appeal's rating).
    pub grades_closed: Vec<(String, i64)>,
    /// Closed in the year after going wrong once (重办, 退回).
    pub flagged_closed: i64,
    /// Amounts the kind keeps (元), in the year or standing now, by measure: a project's
    /// `invested` and `planned`, a maturity's `due`.
    pub sums: Vec<(String, i64)>,
    /// The open records with an amount due, soonest first (a maturity's 最近到期).
    pub soonest: Vec<Soon>,
}

/// An open record and its amount due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Soon {
    pub item: InboxItem,
    pub unit_name: String,
    pub amount: i64,
}

/// One unit's line in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankLine {
    pub unit_id: i64,
    pub name: String,
    pub on_time: i64,
    pub late: i64,
    pub open_overdue: i64,
    /// What the rate counts (on time + late + open overdue).
    pub sample: i64,
    pub rate: Option<f64>,
    /// Among the ranked of its table, best first (并列 share a rank); none when 样本不足.
    pub rank: Option<i64>,
    pub tied: bool,
    /// The assessment total and grade under the year's scheme, where scored.
    pub total: Option<f64>,
    pub grade: Option<String>,
}

/// The units of one kind one level down, worst first, then those with too small a sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub unit_kind: String,
    pub min_sample: i64,
    pub lines: Vec<RankLine>,
}

/// One month of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    pub month: String,
    pub opened: i64,
    pub on_time: i64,
    pub late: i64,
}

/// The node looked at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// None: the caller's whole sight.
    pub unit_id: Option<i64>,
    pub name: String,
    pub unit_kind: Option<String>,
}

/// The cockpit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cockpit {
    pub year: i32,
    pub node: Node,
    /// From the top the caller sees down to the node: (id, name).
    pub trail: Vec<(i64, String)>,
    pub cards: Vec<KindCard>,
    pub rankings: Vec<Ranking>,
    pub trend: Vec<Month>,
    /// The node's own place among its peers, where it is a unit: (rank, ranked peers).
    pub place: Option<(i64, i64)>,
    /// What the caller's sight is: `county`, `oversight` (a deputy leader's) or `units`.
    pub sight: String,
}

/// The order kinds are shown in (the modules of the speech); unknown kinds after, by name.
const ORDER: &[&str] =
    &["task", "appeal", "hazard", "accident", "incident", "emergency_task", "plan", "project", "approval", "debt_maturity", "debt_warning", "livelihood"];

fn months_back(end: NaiveDate, n: u32) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (end.year(), end.month());
    for _ in 0..n {
        out.push(format!("{y:04}-{m:02}"));
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out.reverse();
    out
}

pub(crate) fn fact(f: &Figure) -> Fact {
    Fact {
        kind: f.kind.clone(),
        period: f.period.clone(),
        event: f.event.clone(),
        state: f.state.clone(),
        light: f.light.clone(),
        grade: f.grade.clone(),
        flagged: f.flagged,
        n: f.n,
    }
}

/// The cockpit for the caller.
pub async fn cockpit(db: &Db, who: &Who, today: NaiveDate, q: &CockpitQuery) -> Result<Cockpit> {
    let year = year_or(q.year, today.year())?;
    let tree = Tree::load(db).await?;
    let sight = who.sight();
    let node = super::node(who, &tree, q.unit)?;
    let key = format!("cockpit:{:?}:{:?}:{year}:{today}", sight, node.as_ref().map(|u| u.id));
    let who = who.clone();
    db.memo_written(&key, || async move { build(db, &who, &tree, node, year, today).await }).await
}

async fn build(db: &Db, who: &Who, tree: &Tree, node: Option<luoshi_domain::unit::Unit>, year: i32, today: NaiveDate) -> Result<Cockpit> {
    let resolved = super::resolved(db, who, tree, node.as_ref()).await?;
    let (y_from, y_to) = (format!("{year:04}-01"), format!("{year:04}-12"));
    let end = if year == today.year() { today } else { NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today) };
    let trend_months = months_back(end, 12);
    let from = trend_months.first().cloned().unwrap_or_default().min(y_from.clone());
    let this_month = format!("{:04}-{:02}", today.year(), today.month());
    let summed = figures::summed(db, &resolved, &from, &y_to).await?;
    let mut cards = cards(&summed, &y_from, &y_to, &this_month);
    let has_due = |c: &KindCard| c.sums.iter().any(|(m, _)| m == "due");
    // The calendar only where a card lists what falls due.
    let cal = if cards.iter().any(has_due) { Some(calendar::load(db).await?) } else { None };
    for (c, cal) in cards.iter_mut().filter(|c| has_due(c)).zip(cal.iter().cycle()) {
        let soon = luoshi_storage::duty::amounts::soonest(db, &resolved, &c.kind, "due", 3).await?;
        c.soonest = soon
            .into_iter()
            .map(|(r, amount)| {
                let unit_name = r.owner_unit_id.and_then(|u| tree.get(u)).map(|u| u.name.clone()).unwrap_or_default();
                Soon { item: item(cal, today, r), unit_name, amount }
            })
            .collect();
    }
    let trend = trend_months
        .iter()
        .map(|m| {
            let sum = |ev: &str| summed.iter().filter(|f| f.period == *m && f.event == ev).map(|f| f.n).sum();
            Month { month: m.clone(), opened: sum("opened"), on_time: sum("on_time"), late: sum("late") }
        })
        .collect();
    // One level down: the node's children, or the top units the sight reaches.
    let children: Vec<&luoshi_domain::unit::Unit> = match (&node, who.sight()) {
        (Some(u), _) => tree.children(Some(u.id)),
        (None, Sight::Leader { overseen, .. }) => tree.units.iter().filter(|u| overseen.contains(&u.path)).collect(),
        (None, _) => tree.children(None),
    };
    let children: Vec<&luoshi_domain::unit::Unit> = children.into_iter().filter(|u| tree.sees(who, u)).collect();
    let by_child = if children.is_empty() { Vec::new() } else { figures::by_node(db, &resolved, &y_from, &y_to, &tree.buckets(&children)).await? };
    let rankings = rank(db, &children, &by_child, year, &y_from, &y_to).await?;
    let place = match &node {
        Some(u) => peer_place(db, tree, u, year, &y_from, &y_to).await?,
        None => None,
    };
    let trail = match &node {
        Some(u) => tree.trail(who, u.id).into_iter().map(|t| (t.id, t.name.clone())).collect(),
        None => Vec::new(),
    };
    let node = match node {
        Some(u) => Node { unit_id: Some(u.id), name: u.name.clone(), unit_kind: Some(u.kind.as_str().to_string()) },
        None => Node { unit_id: None, name: String::new(), unit_kind: None },
    };
    let sight = match who.sight() {
        Sight::County => "county",
        Sight::Leader { .. } => "oversight",
        Sight::Units(_) | Sight::Nothing => "units",
    };
    Ok(Cockpit { year, node, trail, cards, rankings, trend, place, sight: sight.to_string() })
}

fn cards(summed: &[Figure], y_from: &str, y_to: &str, this_month: &str) -> Vec<KindCard> {
    let mut kinds: Vec<&str> = summed.iter().map(|f| f.kind.as_str()).collect();
    kinds.sort_by_key(|k| (ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()), *k));
    kinds.dedup();
    const OPEN: [&str; 4] = ["red", "yellow", "blue", "green"];
    const CLOSED: [&str; 3] = ["on_time", "late", "closed"];
    kinds
        .into_iter()
        .map(|kind| {
            let of: Vec<&Figure> = summed.iter().filter(|f| f.kind == kind).collect();
            let now: Vec<&Figure> = of.iter().copied().filter(|f| f.event == "now").collect();
            let open_now: Vec<&Figure> = now.iter().copied().filter(|f| OPEN.contains(&f.light.as_str())).collect();
            let year: Vec<&Figure> = of.iter().copied().filter(|f| within(&f.period, y_from, y_to)).collect();
            let closed: Vec<&Figure> = year.iter().copied().filter(|f| CLOSED.contains(&f.event.as_str())).collect();
            let sum_year = |ev: &str| year.iter().filter(|f| f.event == ev).map(|f| f.n).sum::<i64>();
            let lights: Vec<(String, i64)> = OPEN.iter().map(|l| (l.to_string(), open_now.iter().filter(|f| f.light == *l).map(|f| f.n).sum())).collect();
            let (on_time, late) = (sum_year("on_time"), sum_year("late"));
            KindCard {
                kind: kind.to_string(),
                open: open_now.iter().map(|f| f.n).sum(),
                opened_month: of.iter().filter(|f| f.event == "opened" && f.period == this_month).map(|f| f.n).sum(),
                opened_year: sum_year("opened"),
                on_time,
                late,
                closed_free: sum_year("closed"),
                rate: on_time_rate(on_time, late, lights[0].1),
                lights,
                states: group(now.iter().map(|f| (f.state.as_str(), f.n))),
                grades_open: group(open_now.iter().map(|f| (f.grade.as_str(), f.n))),
                grades_closed: group(closed.iter().map(|f| (f.grade.as_str(), f.n))),
                flagged_closed: closed.iter().filter(|f| f.flagged).map(|f| f.n).sum(),
                sums: group_all(
                    of.iter().filter(|f| f.period.is_empty() || within(&f.period, y_from, y_to)).filter_map(|f| Some((f.event.strip_prefix("sum:")?, f.n))),
                ),
                soonest: Vec::new(),
            }
        })
        .collect()
}

/// Counts summed by key (empty keys left out), most first.
fn group<'a>(rows: impl Iterator<Item = (&'a str, i64)>) -> Vec<(String, i64)> {
    let mut v = group_all(rows.filter(|(k, _)| !k.is_empty()));
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Sums by key, by key (zeros left out).
fn group_all<'a>(rows: impl Iterator<Item = (&'a str, i64)>) -> Vec<(String, i64)> {
    let mut m: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for (k, n) in rows {
        *m.entry(k).or_default() += n;
    }
    m.into_iter().filter(|(_, n)| *n != 0).map(|(k, n)| (k.to_string(), n)).collect()
}

/// Rank `children` by the one on-time rule, per kind of unit, worst first; score each under
/// the year's scheme for its kind.
async fn rank(db: &Db, children: &[&luoshi_domain::unit::Unit], by_child: &[Figure], year: i32, y_from: &str, y_to: &str) -> Result<Vec<Ranking>> {
    let index: std::collections::HashMap<i64, usize> = children.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut facts: Vec<Vec<Fact>> = vec![Vec::new(); children.len()];
    for f in by_child {
        if let Some(i) = index.get(&f.unit_id) {
            facts[*i].push(fact(f));
        }
    }
    let ids: Vec<i64> = children.iter().map(|u| u.id).collect();
    let adjustments = store::adjustments(db, year, Some(&ids)).await?;
    let mut out = Vec::new();
    let mut kinds: Vec<luoshi_domain::unit::UnitKind> = children.iter().map(|u| u.kind).collect();
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    for k in kinds {
        let (scheme, _) = scheme(db, year, scheme_kind(k)).await?;
        let mut lines: Vec<RankLine> = Vec::new();
        for (i, u) in children.iter().enumerate().filter(|(_, u)| u.kind == k) {
            let f = Facts { rows: std::mem::take(&mut facts[i]), from: y_from.to_string(), to: y_to.to_string() };
            let sum = |ev: &str| f.rows.iter().filter(|r| r.event == ev && !r.period.is_empty()).map(|r| r.n).sum::<i64>();
            let (on_time, late) = (sum("on_time"), sum("late"));
            let open_overdue = f.rows.iter().filter(|r| r.event == "now" && r.light == "red").map(|r| r.n).sum::<i64>();
            let sample = on_time + late + open_overdue;
            let adj: Vec<(String, f64)> = adjustments.iter().filter(|a| a.unit_id == u.id).map(|a| (a.rule_code.clone(), a.points)).collect();
            let card = score(&scheme, &f, &adj);
            let rate = on_time_rate(on_time, late, open_overdue).filter(|_| sample >= scheme.min_sample);
            lines.push(RankLine {
                unit_id: u.id,
                name: u.name.clone(),
                on_time,
                late,
                open_overdue,
                sample,
                rate,
                rank: None,
                tied: false,
                total: card.total,
                grade: card.grade,
            });
        }
        let scores: Vec<Option<f64>> = lines.iter().map(|l| l.rate.map(|r| r * 100.0)).collect();
        let ranks = places(&scores);
        for (l, r) in lines.iter_mut().zip(&ranks) {
            l.rank = *r;
            l.tied = r.is_some() && ranks.iter().filter(|x| *x == r).count() > 1;
        }
        // Worst first; within a tie the larger sample first, then by name; 样本不足 last.
        lines.sort_by(|a, b| match (a.rank, b.rank) {
            (Some(x), Some(y)) => y.cmp(&x).then(b.sample.cmp(&a.sample)).then(a.name.cmp(&b.name)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b.sample.cmp(&a.sample).then(a.name.cmp(&b.name)),
        });
        out.push(Ranking { unit_kind: k.as_str().to_string(), min_sample: scheme.min_sample, lines });
    }
    Ok(out)
}

/// A unit's rank among the units of its kind under the same parent: (rank, ranked), computed
/// over their counters (only the place is shown, none of the peers' figures).
async fn peer_place(db: &Db, tree: &Tree, u: &luoshi_domain::unit::Unit, year: i32, y_from: &str, y_to: &str) -> Result<Option<(i64, i64)>> {
    let peers: Vec<&luoshi_domain::unit::Unit> = tree.children(u.parent_id).into_iter().filter(|p| p.kind == u.kind).collect();
    if peers.len() < 2 {
        return Ok(None);
    }
    let units: Vec<i64> = peers.iter().flat_map(|p| tree.subtree(&p.path)).collect();
    let by_peer = figures::by_node(db, &Resolved::Some { units, lead: None }, y_from, y_to, &tree.buckets(&peers)).await?;
    let r = rank(db, &peers, &by_peer, year, y_from, y_to).await?;
    let Some(table) = r.into_iter().next() else { return Ok(None) };
    let ranked = table.lines.iter().filter(|l| l.rank.is_some()).count() as i64;
    Ok(table.lines.iter().find(|l| l.unit_id == u.id).and_then(|l| l.rank).map(|r| (r, ranked)))
}
