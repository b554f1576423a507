//! The work orders' part of the one supervision run, read from the record of duties: each open
//! order's light recomputed with the county's limits, and its ladder — 催办 before the limit,
//! 督办 once overdue, 通报 after the county's rule (`appeals.ladder.*`) — raised once.

use super::*;
use crate::supervision::{climb, finish, KindCount, Run};
use crate::ymd;
use chrono::NaiveDate;
use luoshi_domain::duty::{ladder, working_days_left, LadderRules, Workflow};
use luoshi_domain::time::local_date;
use luoshi_storage::appeals::{self as store, Filter};
use luoshi_storage::{calendar, duty as record, Actor};

pub(crate) async fn supervise_part(db: &Db, today: NaiveDate, now: i64, run: Run) -> Result<KindCount> {
    let cal = calendar::load(db).await?;
    let lim = limits(db, now).await?;
    let rules = crate::RulesInForce::load(db, today).await?;
    let rung = |key: &str, def: i64| rules.int(&format!("appeals.ladder.{key}")).unwrap_or(def);
    let ladder_rules = LadderRules {
        reminder_before_working_days: rung("reminder_before_working_days", 1),
        notice_after_working_days: rung("notice_after_working_days", 1),
        report_after_working_days: rung("report_after_working_days", 5),
    };
    let actor = Actor { id: None, name: "supervision".into() };
    let mut out = KindCount::default();
    let mut after = 0;
    loop {
        let page = record::running_page(db, dom::AppealFlow::KIND, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.ref_id;
        // The kind's own facts its light needs (how often it was reworked).
        let orders = store::list(db, &Filter { ids: page.iter().map(|r| r.ref_id).collect(), limit: 1000, ..Default::default() }).await?;
        let mut tx = db.begin_write().await?;
        let mut wrote = false;
        for rec in &page {
            let Some(a) = orders.iter().find(|a| a.id == rec.ref_id) else { continue };
            out.checked += 1;
            let lit = dom::light(a.state, a.due_at, a.rework_count, now, &lim);
            if lit.as_str() != rec.light {
                record::set_light(&mut tx, dom::AppealFlow::KIND, a.id, lit).await?;
                out.lights_changed += 1;
            }
            let (Some(due), Some(unit)) = (a.due_at, a.owner_unit_id) else { continue };
            let last_day = local_date(due - 1);
            let left = working_days_left(&cal, today, last_day);
            let rungs = ladder(dom::AppealFlow::phase(a.state), dom::AppealFlow::clock_runs(a.state), left, &ladder_rules);
            wrote |= climb(&mut tx, &actor, dom::AppealFlow::KIND, a.id, rungs, unit, &ymd(last_day), today, now, &mut out).await?;
        }
        finish(tx, wrote, run).await?;
    }
    Ok(out)
}
