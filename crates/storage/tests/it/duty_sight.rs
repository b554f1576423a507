//! 视野 (`duty_sight`): the core's writer keeps one row per unit that sees a duty, and a unit's
//! board, counts and inbox read from it give exactly what the duties and their co-units say.

use luoshi_domain::access::Sight;
use luoshi_domain::duty::Light;
use luoshi_domain::duty::Workflow;
use luoshi_domain::tasks::{DeadlineSpec, NewTask, State, Term};
use luoshi_domain::unit::UnitInput;
use luoshi_storage::tasks::{self, Change, Filter};
use luoshi_storage::testing::TestDb;
use luoshi_storage::{units, Actor, Db};
use std::collections::BTreeSet;

async fn unit(db: &Db, parent: Option<i64>, kind: &str, name: &str, code: Option<&str>) -> (i64, String) {
    let mut tx = db.begin_write().await.unwrap();
    let input = UnitInput { parent_id: parent, kind: kind.into(), name: name.into(), code: code.unwrap_or_default().to_string(), ..Default::default() };
    let u = units::create(&mut tx, &Actor::system(), &input.validate().unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    (u.id, u.path)
}

type SightRow = (i64, i64, String, String, String, i64);

/// What duty_sight must hold, from the duties and their co-units: (unit, task, state, phase,
/// light, limit in µs).
async fn expected(db: &Db) -> BTreeSet<SightRow> {
    let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT d.owner_unit_id, d.id, d.state, d.light, d.due FROM duties d \
         UNION SELECT du.unit_id, d.id, d.state, d.light, d.due FROM duty_units du JOIN duties d ON d.id = du.duty_id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(u, id, state, light, due)| {
            let phase = luoshi_domain::tasks::TaskFlow::phase(State::parse(&state).unwrap()).as_str().to_string();
            let due_at = if due.starts_with("9999") {
                luoshi_storage::duty::NO_LIMIT
            } else {
                luoshi_domain::duty::end_of_day(luoshi_domain::time::parse_date("due", &due).unwrap())
            };
            (u, id, state, phase, light, due_at)
        })
        .collect()
}

async fn actual(db: &Db) -> BTreeSet<SightRow> {
    let rows: Vec<SightRow> =
        sqlx::query_as("SELECT unit_id, ref_id, state, phase, light, due_at FROM duty_sight WHERE kind = 'task'").fetch_all(db.pool()).await.unwrap();
    let n = rows.len();
    let set: BTreeSet<_> = rows.into_iter().collect();
    assert_eq!(set.len(), n, "one row per unit and duty");
    set
}

/// The date lists sort on: the deadline, or the end of time while there is none.
fn due(d: &tasks::Duty) -> &str {
    d.deadline.as_deref().unwrap_or("9999-12-31")
}

#[tokio::test]
async fn sight_follows_every_change_and_answers_as_the_duties_do() {
    let t = TestDb::new().await.unwrap();
    let db = &t.db;
    let (county, _) = unit(db, None, "county", "示范县", Some("330999")).await;
    let (town, town_path) = unit(db, Some(county), "township", "城关镇", Some("330999100000")).await;
    let (v1, _) = unit(db, Some(town), "village", "东街社区", Some("330999100001")).await;
    let (v2, _) = unit(db, Some(town), "village", "西街社区", Some("330999100002")).await;
    let (bureau, bureau_path) = unit(db, Some(county), "department", "县财政局", None).await;
    let (other, _) = unit(db, Some(county), "department", "县教育局", None).await;
    let pool = [town, v1, v2, bureau, other];

    // Forty tasks: owners and co-units drawn so that a township sees some through several of
    // its units (owned by a village, co-operated by the town) and the bureau through co-units.
    let actor = Actor::system();
    let mut ids = Vec::new();
    for i in 0..40usize {
        let owner = pool[i % pool.len()];
        let co: Vec<i64> = pool.iter().copied().filter(|u| *u != owner && (i + *u as usize) % 3 == 0).collect();
        let task = NewTask {
            parent_id: None,
            title: format!("任务{i}"),
            measures: None,
            lead_leader_id: None,
            lead_unit_id: owner,
            responsible_unit_ids: co.iter().copied().take(1).collect(),
            cooperating_unit_ids: co.iter().copied().skip(1).collect(),
            deadline: DeadlineSpec::WorkingDays(10),
            term: Term::Current,
            weight: 1.0,
            milestones: Vec::new(),
            remarks: None,
        };
        let mut tx = db.begin_write().await.unwrap();
        ids.push(tasks::insert_task(&mut tx, &actor, None, None, &task, None, Some(10), Light::None).await.unwrap());
        tx.commit().await.unwrap();
    }
    assert_eq!(actual(db).await, expected(db).await, "after insertion");

    // Assign most with a deadline and a light, sign some, close a few: state, light and due move.
    let lights = [Light::Green, Light::Blue, Light::Yellow, Light::Red];
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 5 != 0) {
        let mut tx = db.begin_write().await.unwrap();
        let c = Change {
            deadline: Some(format!("2026-12-{:02}", 1 + i % 28)),
            assigned_on: Some("2026-11-02".into()),
            light: Some(lights[i % lights.len()]),
            ..Default::default()
        };
        tasks::transition(&mut tx, *id, State::Draft, State::Assigned, &c).await.unwrap();
        if i % 3 == 0 {
            tasks::transition(&mut tx, *id, State::Assigned, State::Signed, &Change::default()).await.unwrap();
        }
        if i % 7 == 0 {
            let c = Change { closed_on: Some("2026-11-20".into()), light: Some(Light::Done), ..Default::default() };
            let from = if i % 3 == 0 { State::Signed } else { State::Assigned };
            tasks::transition(&mut tx, *id, from, State::Closed, &c).await.unwrap();
        }
        tx.audit(&actor, "task.test", "task", &id.to_string(), None, None).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut tx = db.begin_write().await.unwrap();
    tasks::set_light(&mut tx, ids[1], Light::Red, 50.0).await.unwrap();
    tx.audit(&actor, "task.test", "task", &ids[1].to_string(), None, None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(actual(db).await, expected(db).await, "after state, light and deadline changes");

    // A unit's board, counts and inbox through the sight equal the same computed from all duties.
    let all = tasks::list(db, &Sight::County, &Filter { limit: Some(500), ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), ids.len());
    // The county's totals (from the node's mirror of the duty counters) equal counting them.
    for (light, n) in tasks::light_counts(db, &Sight::County, &Filter::default()).await.unwrap() {
        assert_eq!(n, all.iter().filter(|d| d.light == light).count() as i64, "county's {light:?} count");
    }
    for (subtree, path) in [(vec![town, v1, v2], &town_path), (vec![bureau], &bureau_path)] {
        let mut sees = Vec::new();
        for d in &all {
            let co = tasks::co_units(db, d.id).await.unwrap();
            if subtree.contains(&d.owner_unit_id) || co.iter().any(|c| subtree.contains(&c.unit_id)) {
                sees.push(d.clone());
            }
        }
        sees.sort_by(|a, b| (due(a), a.id).cmp(&(due(b), b.id)));
        let vis = Sight::Units(path.clone());
        let filters = [
            Filter::default(),
            Filter { light: Some("red".into()), ..Default::default() },
            Filter { state: Some("assigned".into()), ..Default::default() },
            Filter { open: true, ..Default::default() },
        ];
        for f in filters {
            let want: Vec<i64> = sees
                .iter()
                .filter(|d| f.light.as_deref().is_none_or(|l| d.light.as_str() == l))
                .filter(|d| f.state.as_deref().is_none_or(|s| d.state.as_str() == s))
                .filter(|d| !f.open || !matches!(d.state, State::Closed | State::Draft))
                .map(|d| d.id)
                .collect();
            // Paged three at a time by (due, id), as the board pages.
            let mut got = Vec::new();
            let mut page = Filter { limit: Some(3), ..f.clone() };
            loop {
                let rows = tasks::list(db, &vis, &page).await.unwrap();
                let Some(last) = rows.last() else { break };
                page.after_deadline = Some(due(last).to_string());
                page.after_id = Some(last.id);
                got.extend(rows.iter().map(|d| d.id));
            }
            assert_eq!(got, want, "board of {path} with {f:?}");
            let counts = tasks::light_counts(db, &vis, &f).await.unwrap();
            for (light, n) in counts {
                let want = sees
                    .iter()
                    .filter(|d| d.light == light)
                    .filter(|d| f.state.as_deref().is_none_or(|s| d.state.as_str() == s))
                    .filter(|d| !f.open || !matches!(d.state, State::Closed | State::Draft))
                    .count();
                assert_eq!(n, want as i64, "{light:?} count of {path} with {f:?}");
            }
        }
        let inbox: BTreeSet<i64> =
            luoshi_storage::duty::unit_inbox(db, path, &["task".to_string()], None, None, 500).await.unwrap().iter().map(|d| d.ref_id).collect();
        let want: BTreeSet<i64> = sees.iter().filter(|d| matches!(d.state, State::Assigned | State::Signed | State::Returned)).map(|d| d.id).collect();
        assert_eq!(inbox, want, "inbox of {path}");
    }
}
