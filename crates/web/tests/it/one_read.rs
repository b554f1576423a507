//! A page's record read with its lists in one query (`parts`: JSON arrays built by the
//! database) equals the same lists read one by one as rows, for every task and project of the
//! demo, on whichever database the suite runs.

use crate::*;
use luoshi_domain::access::Sight;
use luoshi_storage::{duty, projects, tasks, Actor};

#[tokio::test]
async fn a_tasks_record_in_one_query_equals_its_lists_read_one_by_one() {
    let app = spawn_app().await;
    let db = &app.t.db;
    let all = tasks::list(db, &Sight::County, &tasks::Filter { limit: Some(500), ..Default::default() }).await.unwrap();
    // One attachment, so that no list is empty for every task, and a percent no 15 digits hold
    // (a real must come back exactly as a row reads it).
    let first = &all[0];
    let mut tx = db.begin_write().await.unwrap();
    tasks::add_attachment(&mut tx, &Actor::system(), first.id, first.owner_unit_id, "进度照片.txt", "text/plain", "现场".as_bytes()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let third = 100.0 / 3.0;
    tasks::add_report(&mut tx, &Actor::system(), first.id, first.owner_unit_id, true, "2026-06", "三分之一", third, first.light, first.planned).await.unwrap();
    tx.audit(&Actor::system(), "task.report", "task", &first.id.to_string(), None, None).await.unwrap();
    tx.commit().await.unwrap();
    let r = tasks::record(db, &duty::resolve(db, &Sight::County).await.unwrap(), first.id).await.unwrap().unwrap();
    assert!(r.reports.iter().any(|x| x.percent == third), "{:?}", r.reports);
    let county = duty::resolve(db, &Sight::County).await.unwrap();
    let mut seen = [0usize; 8];
    for t in &all {
        let r = tasks::record(db, &county, t.id).await.unwrap().unwrap();
        assert_eq!(Some(&r.task), tasks::get(db, t.id).await.unwrap().as_ref());
        assert_eq!(r.version, duty::version(db, "task", t.id).await.unwrap());
        assert_eq!(r.co_units, tasks::co_units(db, t.id).await.unwrap(), "task {}", t.id);
        assert_eq!(r.milestones, tasks::milestones(db, t.id).await.unwrap(), "task {}", t.id);
        assert_eq!(r.reports, tasks::reports(db, t.id).await.unwrap(), "task {}", t.id);
        assert_eq!(r.events, tasks::events(db, t.id).await.unwrap(), "task {}", t.id);
        assert_eq!(r.extensions, tasks::extensions(db, t.id).await.unwrap(), "task {}", t.id);
        assert_eq!(r.exemptions, tasks::exemptions_of(db, t.id).await.unwrap(), "task {}", t.id);
        assert_eq!(r.attachments, tasks::attachments_of(db, t.id).await.unwrap(), "task {}", t.id);
        assert_eq!(r.notices, tasks::notices_of(db, t.id).await.unwrap(), "task {}", t.id);
        let lens = [
            r.co_units.len(),
            r.milestones.len(),
            r.reports.len(),
            r.events.len(),
            r.extensions.len(),
            r.exemptions.len(),
            r.attachments.len(),
            r.notices.len(),
        ];
        tally(&mut seen, &lens);
    }
    assert!(seen.iter().all(|n| *n > 0), "every list is compared with rows somewhere: {seen:?}");
    // A unit's sight: the record is there exactly for the tasks its subtree owns or co-operates on.
    let path = luoshi_storage::units::get(db, first.owner_unit_id).await.unwrap().unwrap().path;
    let unit = duty::resolve(db, &Sight::Units(path.clone())).await.unwrap();
    let (mut shown, mut hidden) = (0, 0);
    for t in &all {
        let owner = luoshi_storage::units::get(db, t.owner_unit_id).await.unwrap().unwrap().path;
        let co = tasks::co_units(db, t.id).await.unwrap();
        let sees = owner.starts_with(&path) || co.iter().any(|c| c.unit_path.starts_with(&path));
        assert_eq!(tasks::record(db, &unit, t.id).await.unwrap().is_some(), sees, "task {}", t.id);
        *(if sees { &mut shown } else { &mut hidden }) += 1;
    }
    assert!(shown > 0 && hidden > 0, "{shown} shown, {hidden} hidden");
}

#[tokio::test]
async fn a_projects_record_in_one_query_equals_its_lists_read_one_by_one() {
    let app = spawn_app().await;
    let db = &app.t.db;
    demo::seed_projects(db, day(TODAY)).await.unwrap();
    let rows = |sql: &'static str, id: i64| async move {
        let rows = sqlx::query(sql).bind(id).fetch_all(db.pool()).await.unwrap();
        rows.iter().map(|r| (0..sqlx::Row::len(r)).map(|i| cell(r, i)).collect::<Vec<_>>()).collect::<Vec<_>>()
    };
    let ids: Vec<i64> =
        sqlx::query("SELECT id FROM projects ORDER BY id").fetch_all(db.pool()).await.unwrap().iter().map(|r| sqlx::Row::get(r, "id")).collect();
    assert!(ids.len() >= 100);
    let mut seen = [0usize; 7];
    for id in ids {
        let r = projects::record(db, id).await.unwrap().unwrap();
        assert_eq!(Some(&r.project), projects::get(db, id).await.unwrap().as_ref());
        assert_eq!(r.reports, projects::reports::of_project(db, id).await.unwrap(), "project {id}");
        assert_eq!(r.problems, projects::problems::of_project(db, id).await.unwrap(), "project {id}");
        assert_eq!(r.trail, duty::trail::of(db, "project", id).await.unwrap(), "project {id}");
        let funds: Vec<Vec<String>> = r.funds.iter().map(|f| vec![f.source.clone(), f.planned.0.to_string(), f.in_place.0.to_string()]).collect();
        assert_eq!(funds, rows("SELECT source, planned_yuan, in_place_yuan FROM project_funds WHERE project_id = $1 ORDER BY seq", id).await);
        let plans: Vec<Vec<String>> = r.plans.iter().map(|(y, v)| vec![y.to_string(), v.0.to_string()]).collect();
        assert_eq!(plans, rows("SELECT year, planned_yuan FROM project_plans WHERE project_id = $1 ORDER BY year", id).await);
        let stays: Vec<Vec<String>> = r
            .stays
            .iter()
            .map(|s| vec![s.seq.to_string(), s.stage.as_str().to_string(), s.entered_on.clone(), s.left_on.clone().unwrap_or_default()])
            .collect();
        assert_eq!(
            stays,
            rows("SELECT seq, stage, entered_on, COALESCE(left_on, '') AS left_on FROM project_stages WHERE project_id = $1 ORDER BY seq", id).await
        );
        let changes: Vec<Vec<String>> = r.changes.iter().map(|c| vec![c.at.to_string(), c.field.clone(), c.new_value.clone()]).collect();
        assert_eq!(changes, rows("SELECT at, field, new_value FROM project_changes WHERE project_id = $1 ORDER BY seq", id).await);
        let lens = [r.funds.len(), r.plans.len(), r.stays.len(), r.changes.len(), r.reports.len(), r.problems.len(), r.trail.len()];
        tally(&mut seen, &lens);
    }
    assert!(seen.iter().all(|n| *n > 0), "every list is compared with rows somewhere: {seen:?}");
}

/// Count, per list, the records where it is not empty (each list must be compared somewhere).
fn tally(seen: &mut [usize], lens: &[usize]) {
    for (n, l) in seen.iter_mut().zip(lens) {
        *n += usize::from(*l > 0);
    }
}

/// A cell as text, whatever its type.
fn cell(r: &sqlx::any::AnyRow, i: usize) -> String {
    use sqlx::Row;
    r.try_get::<i64, _>(i).map(|v| v.to_string()).or_else(|_| r.try_get::<String, _>(i)).unwrap()
}

#[tokio::test]
async fn a_hazards_record_in_one_query_equals_its_parts_read_one_by_one() {
    let app = spawn_app().await;
    let db = &app.t.db;
    assert!(demo::seed_hazards(db, day(TODAY)).await.unwrap() > 0);
    let ids: Vec<i64> = sqlx::query("SELECT id FROM hazards ORDER BY id").fetch_all(db.pool()).await.unwrap().iter().map(|r| sqlx::Row::get(r, "id")).collect();
    let path = |id: i64| async move { luoshi_storage::units::get(db, id).await.unwrap().unwrap().path };
    let mut with_trail = 0;
    for id in ids {
        let r = luoshi_storage::hazards::record(db, id).await.unwrap().unwrap();
        let h = luoshi_storage::hazards::get(db, id).await.unwrap().unwrap();
        assert_eq!(r.hazard, h);
        let township = match h.township_id {
            Some(t) => Some(path(t).await),
            None => None,
        };
        assert_eq!(r.paths, (path(h.owner_unit_id).await, path(h.regulator_unit_id).await, township), "hazard {id}");
        assert_eq!(r.trail, duty::trail::of(db, "hazard", id).await.unwrap(), "hazard {id}");
        assert_eq!(r.version, duty::version(db, "hazard", id).await.unwrap(), "hazard {id}");
        with_trail += usize::from(!r.trail.is_empty());
    }
    assert!(with_trail > 0);
}
