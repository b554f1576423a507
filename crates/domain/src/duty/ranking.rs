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
        let counted = s.closed_on_time + failures;
        s.score = if s.items >= min_items && counted > 0 {
            let base = s.closed_on_time as f64 / counted as f64 * 100.0;
            let returned_penalty = (s.returned as f64 * 2.0).min(20.0);
            Some(((base - returned_penalty).max(0.0) * 10.0).round() / 10.0)
        } else {
            None
        };
    }
    let mut scored: Vec<(usize, f64)> = stats.iter().enumerate().filter_map(|(i, s)| s.score.map(|x| (i, x))).collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut last: Option<(f64, i64)> = None;
    for (pos, (i, score)) in scored.iter().enumerate() {
        let r = match last {
            Some((prev, r)) if (prev - score).abs() < f64::EPSILON => r,
            _ => i64::try_from(pos).unwrap_or(0) + 1,
        };
        last = Some((*score, r));
        stats[*i].rank = Some(r);
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
}
