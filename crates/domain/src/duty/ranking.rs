//! The fair ranking of units in a 通报, for duties of every kind.

use serde::Serialize;

/// One unit's line in a 通报 report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UnitStats {
    pub unit_id: i64,
    pub unit_name: String,
    /// Items the unit led in the period (closed in it, or still open).
    pub items: i64,
    pub closed_on_time: i64,
    pub closed_late: i64,
    /// Open items past their deadline (they count against the unit).
    pub open_overdue: i64,
    pub red: i64,
    pub returned: i64,
    /// Closed before the deadline by 5 working days or more (表扬).
    pub early: i64,
    /// Penalties removed by accepted exemptions.
    pub exempted: i64,
    pub score: Option<f64>,
    pub rank: Option<i64>,
}

/// Score and rank units fairly: on-time share of the items that count, where open overdue items
/// count as failures, exempted items are removed from the penalty, and a unit with fewer than
/// `min_items` items is listed but not ranked. Ties share a rank.
pub fn rank(stats: &mut [UnitStats], min_items: i64) {
    for s in stats.iter_mut() {
        let failures = (s.closed_late + s.open_overdue - s.exempted).max(0);
        s.score = on_time_rate(s.closed_on_time, failures, 0).filter(|_| s.items >= min_items).map(|rate| {
            let returned_penalty = (s.returned as f64 * 2.0).min(20.0);
            ((rate * 100.0 - returned_penalty).max(0.0) * 10.0).round() / 10.0
        });
    }
    let scores: Vec<Option<f64>> = stats.iter().map(|s| s.score).collect();
    for (s, r) in stats.iter_mut().zip(places(&scores)) {
        s.rank = r;
    }
}

/// The product's one on-time rule: the share closed on time of everything that counts, where
/// an open item past its limit counts as a failure (10 on time and 10 open overdue is 50 %,
/// not 100 %). `None` with nothing to count.
pub fn on_time_rate(on_time: i64, late: i64, open_overdue: i64) -> Option<f64> {
    let counted = on_time + late.max(0) + open_overdue.max(0);
    (counted > 0).then(|| on_time as f64 / counted as f64)
}

/// Ranks of scores, best (highest) first: equal scores (to 0.1) share a rank and the next
/// rank skips (1, 1, 3: 并列); `None` (样本不足) is not ranked.
pub fn places(scores: &[Option<f64>]) -> Vec<Option<i64>> {
    let tenth = |x: f64| (x * 10.0).round() as i64;
    let mut scored: Vec<(usize, i64)> = scores.iter().enumerate().filter_map(|(i, s)| s.map(|x| (i, tenth(x)))).collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.1));
    let mut out = vec![None; scores.len()];
    let mut last: Option<(i64, i64)> = None;
    for (pos, (i, score)) in scored.iter().enumerate() {
        let r = match last {
            Some((prev, r)) if prev == *score => r,
            _ => i64::try_from(pos).unwrap_or(0) + 1,
        };
        last = Some((*score, r));
        out[*i] = Some(r);
    }
    out
}

/// Whether a counter's period lies within the months `from` to `to` (`YYYY-MM`, inclusive): a
/// month (`YYYY-MM`) between them, or a year (`YYYY`, what is planned for a year) they touch.
/// What stands now (`''`) lies within no period.
pub fn within(period: &str, from: &str, to: &str) -> bool {
    match period.len() {
        0 => false,
        4 => from.get(..4).is_some_and(|f| period >= f) && to.get(..4).is_some_and(|t| period <= t),
        _ => period >= from && period <= to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fair_ranking() {
        let mk = |id, items, on_time, late, overdue, exempted| UnitStats {
            unit_id: id,
            items,
            closed_on_time: on_time,
            closed_late: late,
            open_overdue: overdue,
            exempted,
            ..Default::default()
        };
        let mut s = vec![mk(1, 10, 9, 1, 0, 0), mk(2, 10, 9, 0, 1, 1), mk(3, 2, 2, 0, 0, 0), mk(4, 10, 5, 0, 5, 0)];
        rank(&mut s, 3);
        assert_eq!(s[1].score, Some(100.0)); // the exemption removed its one penalty
        assert_eq!(s[0].score, Some(90.0));
        assert_eq!(s[2].score, None); // too few items: listed, not ranked
        assert_eq!(s[3].score, Some(50.0)); // open overdue items count
        assert_eq!((s[1].rank, s[0].rank, s[2].rank, s[3].rank), (Some(1), Some(2), None, Some(3)));
    }

    #[test]
    fn the_one_rule_at_its_edges() {
        // Ten on time and ten open overdue is half, not all.
        assert_eq!(on_time_rate(10, 0, 10), Some(0.5));
        assert_eq!(on_time_rate(0, 0, 0), None);
        // Ties share a rank, the next skips; the unranked stay unranked.
        assert_eq!(places(&[Some(90.0), Some(95.0), Some(90.04), None, Some(80.0)]), vec![Some(2), Some(1), Some(2), None, Some(4)]);
    }
}
