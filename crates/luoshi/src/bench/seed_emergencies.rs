//! `bench seed`'s emergencies: a county flood plan whose matrix names 500 lines of units
//! (departments and townships), linked at Ⅳ to every township's plan, which together assign
//! 3,000 village lines; an incident received and assessed; the activation that fans out to
//! all 3,500 assignments, timed (issue 15: under a second on SQLite).

use super::Rng;
use crate::Fail;
use luoshi_app::emergencies::plans::{ContentsInput, LevelInput, MatrixInput, PlanActInput, PlanInput};
use luoshi_app::emergencies::{activation, incidents, plans};
use luoshi_domain::unit::{Unit, UnitKind};
use luoshi_storage::Db;
use std::time::Instant;

const UNIT_LINES: usize = 500;
const VILLAGE_LINES: usize = 3_000;

fn line(unit: i64, role: &str, task: String) -> MatrixInput {
    MatrixInput { level: "4".into(), unit_id: unit, role: role.into(), task, first_report_minutes: 30, followup_minutes: 120 }
}

/// A plan at Ⅳ with its matrix and links, commanded from `office`.
fn contents(office: i64, matrix: Vec<MatrixInput>, links: Vec<(String, i64)>) -> ContentsInput {
    let levels =
        vec![LevelInput {
            level: "4".into(), command: "防汛抗旱指挥部".into(), command_unit_id: Some(office), conditions: "主要河道超警戒水位".into()
        }];
    ContentsInput { levels, matrix, links }
}

async fn publish(db: &Db, who: &luoshi_app::Who, title: String, owner: i64, contents: ContentsInput, now: i64) -> Result<i64, Fail> {
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    let input =
        PlanInput { title, kind: "special".into(), category: "natural".into(), event_type: "flood".into(), owner_unit_id: Some(owner), ..PlanInput::default() };
    let id = plans::create(db, who, &input, now).await.map_err(fail)?;
    plans::set_contents(db, who, id, &contents, now).await.map_err(fail)?;
    for action in ["submit", "publish"] {
        plans::act(db, who, id, &PlanActInput { action: action.into(), ..PlanActInput::default() }, now).await.map_err(fail)?;
    }
    Ok(id)
}

/// Seed the plans and the activated incident (once): the assignments written and the
/// activation's time in milliseconds.
pub async fn seed_emergencies(db: &Db, all: &[Unit], rng: &mut Rng) -> Result<(usize, f64), Fail> {
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    if !luoshi_storage::emergencies::incidents::list(db, 1).await.map_err(fail)?.is_empty() {
        return Ok((0, 0.0));
    }
    let who = luoshi_app::Who::system("bench");
    let now = luoshi_storage::now_micros();
    let office = luoshi_app::emergencies::office(db, luoshi_domain::time::local_date(now)).await.map_err(fail)?.id;
    let towns: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Township).collect();
    let departments: Vec<&Unit> = all.iter().filter(|u| u.kind == UnitKind::Department).collect();
    if towns.is_empty() {
        return Ok((0, 0.0));
    }
    let started = Instant::now();
    // Each township's plan: its share of the village lines, its villages taken in turn.
    let per_town = VILLAGE_LINES.div_ceil(towns.len());
    let mut town_plans = Vec::new();
    let mut left = VILLAGE_LINES;
    for t in &towns {
        let villages: Vec<&Unit> = all.iter().filter(|u| u.parent_id == Some(t.id)).collect();
        if villages.is_empty() || left == 0 {
            continue;
        }
        let n = per_town.min(left);
        left -= n;
        let matrix = (0..n).map(|k| line(villages[k % villages.len()].id, "属地", format!("第{}片区巡查转移", k / villages.len() + 1))).collect();
        town_plans.push(publish(db, &who, format!("{}防汛应急预案（压测）", t.name), t.id, contents(office, matrix, Vec::new()), now).await?);
    }
    let pool: Vec<&Unit> = departments.iter().chain(towns.iter()).copied().collect();
    let matrix = (0..UNIT_LINES).map(|k| line(pool[k % pool.len()].id, if k % 3 == 0 { "牵头" } else { "配合" }, format!("防汛任务{}", k + 1))).collect();
    let links = town_plans.iter().map(|p| ("4".to_string(), *p)).collect();
    let top = publish(db, &who, "防汛抗旱应急预案（压测）".into(), office, contents(office, matrix, links), now).await?;
    eprintln!("emergency plans: {} in {:.1} s", town_plans.len() + 1, started.elapsed().as_secs_f64());
    let town = towns[rng.below(towns.len())];
    let input = incidents::IncidentInput {
        title: format!("压测：{}强降雨内涝", town.name),
        event_type: "flood".into(),
        occurred_at: luoshi_domain::time::format_local(now - 30 * 60_000_000),
        township_id: Some(town.id),
        place: "城区低洼地带".into(),
        facts: "3小时降雨量98毫米，多处积水".into(),
        ..incidents::IncidentInput::default()
    };
    let id = incidents::report(db, &who, &input, now).await.map_err(fail)?;
    let assess = incidents::IncidentActInput { action: "assess".into(), level: "4".into(), ..incidents::IncidentActInput::default() };
    incidents::act(db, &who, id, &assess, now).await.map_err(fail)?;
    let t = Instant::now();
    let done = activation::activate(db, &who, id, Some(top), None, now).await.map_err(fail)?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "emergency activation: {} assignments ({} plans: {UNIT_LINES} unit lines, {VILLAGE_LINES} village lines) written in {ms:.0} ms",
        done.assignments, done.plans
    );
    Ok((done.assignments, ms))
}
