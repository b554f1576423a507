//! `bench seed`'s 民生实事: the coming year's proposals (a county a thousand, a city five
//! thousand: "proposals run to thousands"), each with its line in the record of duties, written
//! by the storage writers in transactions of five hundred; a third handed to departments (a
//! few assessed and listed as candidates).

use super::Rng;
use crate::Fail;
use chrono::NaiveDate;
use luoshi_domain::duty::{end_of_day, Light};
use luoshi_domain::livelihood::{Area, Assessment, NewProposal, ProposalState, Source};
use luoshi_domain::money::Fen;
use luoshi_domain::unit::{Unit, UnitKind};
use luoshi_storage::livelihood::proposals::{self as store, Change, NewRow};
use luoshi_storage::{Actor, Db};
use std::time::Instant;

const WHAT: &[(&str, &str)] = &[
    ("社区老年食堂", "elderly"),
    ("老旧小区加装电梯", "housing"),
    ("村级卫生室改造", "health"),
    ("农村学校食堂提升", "education"),
    ("城乡公交线路优化", "transport"),
    ("普惠托育点建设", "childcare"),
    ("农村饮用水提质", "rural"),
    ("零工市场建设", "employment"),
    ("背街小巷亮化", "municipal"),
    ("口袋公园建设", "culture"),
];

/// Seed `total` proposals (none when there are some already); how many were made.
pub async fn seed_livelihood(db: &Db, all: &[Unit], total: usize, today: NaiveDate, rng: &mut Rng) -> Result<usize, Fail> {
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    if total == 0 || !store::list(db, &store::Filter { limit: 1, ..Default::default() }).await.map_err(fail)?.is_empty() {
        return Ok(0);
    }
    let Some(desk) = all.iter().find(|u| u.name.ends_with("政府办公室")) else { return Ok(0) };
    let departments: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Department).collect();
    let places: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Township).collect();
    let actor = Actor::cli("bench");
    let year = i64::from(luoshi_app::livelihood::project_year(today));
    let now = luoshi_storage::now_micros();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(total);
    for chunk in (0..total).collect::<Vec<_>>().chunks(500) {
        let mut tx = db.begin_write().await.map_err(fail)?;
        for k in chunk {
            let (what, area) = rng.pick(WHAT);
            let place = if places.is_empty() { String::new() } else { rng.pick(&places).name.clone() };
            let p = NewProposal {
                title: format!("{place}{what}"),
                content: format!("建议在{place}实施{what}，群众需求迫切（第{}条）。", k + 1),
                area: Area::parse(area).unwrap_or(Area::Other),
                place: Some(place),
                name: None,
                phone: Some(format!("139{:08}", k)),
            };
            let source = [Source::Citizen, Source::Citizen, Source::Deputy, Source::Unit][rng.below(4)];
            let row = NewRow {
                year,
                source,
                p: &p,
                proposer_user_id: None,
                proposer_unit_id: None,
                appeal_id: None,
                desk_unit_id: desk.id,
                state: ProposalState::Collected,
            };
            ids.push(store::insert(&mut tx, &actor, &row, now).await.map_err(fail)?);
        }
        tx.commit().await.map_err(fail)?;
        super::progress_bar("proposals", ids.len(), total, started);
    }
    // A third handed out; of those, one in ten assessed and one in thirty listed.
    let due = end_of_day(today + chrono::Duration::days(21));
    let mut tx = db.begin_write().await.map_err(fail)?;
    for (k, id) in ids.iter().enumerate().filter(|(k, _)| k % 3 == 0) {
        let Some(p) = store::get(db, *id).await.map_err(fail)? else { continue };
        let unit = if departments.is_empty() { desk.id } else { rng.pick(&departments).id };
        store::save(
            &mut tx,
            &actor,
            &p,
            ProposalState::Assessing,
            &Change { action: "assign", unit_id: Some(unit), due_at: Some(due), ..Change::default() },
            desk.id,
            Light::Green,
            now,
        )
        .await
        .map_err(fail)?;
        if k % 30 != 0 {
            continue;
        }
        let cost = Fen((200 + rng.below(3_000) as i64) * 1_000_000);
        let a = Assessment {
            necessity: "群众需求迫切".into(),
            reality: "条件具备".into(),
            possibility: "当年可完成".into(),
            cost,
            county: cost,
            funding: "县级财政".into(),
            beneficiaries: 5_000,
            universal: true,
            public_welfare: true,
            adds_burden: false,
            adds_debt: false,
            assigned_by_higher: false,
            stages: Vec::new(),
        };
        // The row as the hand-out left it.
        let p = store::ProposalRow { version: p.version + 1, state: ProposalState::Assessing, unit_id: Some(unit), due_at: Some(due), ..p };
        let state = if k % 90 == 0 { ProposalState::Candidate } else { ProposalState::Assessed };
        let c = Change { action: "assess", assessment: serde_json::to_string(&a).ok(), cost: Some(cost), county: Some(cost), ..Change::default() };
        store::save(&mut tx, &actor, &p, state, &c, desk.id, Light::None, now).await.map_err(fail)?;
    }
    tx.commit().await.map_err(fail)?;
    Ok(ids.len())
}
