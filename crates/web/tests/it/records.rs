//! The record of duties (`duty_records`) is every duty of every kind in the core's one shape,
//! kept in the same transaction as each change: after tasks and appeals move through their
//! loops, the record equals what their own tables say.

use crate::spawn_app;
use luoshi_domain::duty::Workflow;
use serde_json::json;

/// (kind, id) → (owner, state, phase, due_at, title) as the record holds it, read page by page.
type Line = (Option<i64>, String, String, Option<i64>, String);

async fn record(db: &luoshi_storage::Db) -> std::collections::BTreeMap<(String, i64), Line> {
    let mut out = std::collections::BTreeMap::new();
    let mut after: Option<(String, i64)> = None;
    loop {
        let page = luoshi_storage::duty::page(db, after.as_ref().map(|(k, i)| (k.as_str(), *i)), 37).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.kind.clone(), last.ref_id));
        for r in page {
            out.insert((r.kind, r.ref_id), (r.owner_unit_id, r.state, r.phase, r.due_at, r.title));
        }
    }
    out
}

#[tokio::test]
async fn the_record_of_duties_equals_every_kind() {
    let app = spawn_app().await;
    let routing = luoshi_app::appeals::Routing::default();
    luoshi_web::demo_appeals::seed_appeals(&app.t.db, &routing, app.state.now(), 60).await.unwrap();
    // Move some of each kind: a task through its loop, an appeal dispatched, signed, replied.
    let sup = app.login("supervisor").await;
    let staff = app.login("staff").await;
    let hotline = app.login("hotline").await;
    let task = app.task_id("3.1").await;
    staff.post(&app, &format!("/api/v1/tasks/{task}/act"), json!({ "action": "sign" })).await;
    staff.post(&app, &format!("/api/v1/tasks/{task}/act"), json!({ "action": "request_closure" })).await;
    sup.post(&app, &format!("/api/v1/tasks/{task}/act"), json!({ "action": "return", "reason": "材料不全" })).await;
    let r = hotline.post(&app, "/api/v1/appeals", json!({ "category": "neighbour", "content": "小区门口路灯不亮已经一周了。" })).await;
    let appeal = r.json::<serde_json::Value>().await.unwrap()["appeal"]["id"].as_i64().unwrap();
    let town = app.unit_id("城关镇").await;
    hotline.post(&app, &format!("/api/v1/appeals/{appeal}/act"), json!({ "action": "dispatch", "unit_id": town })).await;
    staff.post(&app, &format!("/api/v1/appeals/{appeal}/act"), json!({ "action": "sign" })).await;
    staff.post(&app, &format!("/api/v1/appeals/{appeal}/act"), json!({ "action": "reply", "reply": "已修复。" })).await;
    sup.post(&app, "/api/v1/supervision/run", json!({})).await;

    let rec = record(&app.t.db).await;
    // Every task, as its row says.
    let tasks = luoshi_storage::tasks::list(
        &app.t.db,
        &luoshi_domain::access::Sight::County,
        &luoshi_storage::tasks::Filter { limit: Some(500), ..Default::default() },
    )
    .await
    .unwrap();
    for t in &tasks {
        let line = rec.get(&("task".to_string(), t.id)).unwrap_or_else(|| panic!("task {} missing", t.id));
        let due = t.deadline.as_deref().map(|d| luoshi_domain::duty::end_of_day(luoshi_domain::time::parse_date("d", d).unwrap()));
        let phase = luoshi_domain::tasks::TaskFlow::phase(t.state);
        assert_eq!(line, &(Some(t.owner_unit_id), t.state.as_str().to_string(), phase.as_str().to_string(), due, t.title.clone()), "task {}", t.id);
    }
    // Every work order, as its row says.
    let appeals = luoshi_storage::appeals::list(&app.t.db, &luoshi_storage::appeals::Filter { limit: 1000, ..Default::default() }).await.unwrap();
    for a in &appeals {
        let line = rec.get(&("appeal".to_string(), a.id)).unwrap_or_else(|| panic!("appeal {} missing", a.id));
        let phase = luoshi_domain::appeals::AppealFlow::phase(a.state);
        assert_eq!((line.0, line.1.as_str(), line.2.as_str(), line.3), (a.owner_unit_id, a.state.as_str(), phase.as_str(), a.due_at), "appeal {}", a.id);
        assert!(line.4.ends_with(&a.code) && !line.4.starts_with(&a.code), "a title, not a bare code: {}", line.4);
    }
    assert_eq!(rec.len(), tasks.len() + appeals.len(), "nothing else in the record");
    assert!(rec.contains_key(&("appeal".to_string(), appeal)) && rec[&("appeal".to_string(), appeal)].2 == "under_review");
}

/// One 待办 for every kind, read from the record: a township's tasks and appeals in one list,
/// most urgent first, each with its kind, title, link and working days left; filters by kind,
/// light and unit.
#[tokio::test]
async fn one_inbox_for_every_kind() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let appeal = crate::appeals::dispatched_to(&app, "城关镇").await;
    let staff = app.login("staff").await;
    let v: serde_json::Value = staff.get(&app, "/api/v1/inbox").await.json().await.unwrap();
    let duties = v["duties"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = duties.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["appeal", "task"].into_iter().collect(), "{v}");
    let line = duties.iter().find(|d| d["kind"] == "appeal" && d["id"] == appeal).unwrap();
    assert_eq!(line["href"], format!("/appeals/{appeal}"));
    assert!(line["days_left"].as_i64().unwrap() > 0 && !line["title"].as_str().unwrap().is_empty(), "{line}");
    // Most urgent first.
    let rank = |l: &str| ["red", "yellow", "blue", "green"].iter().position(|x| *x == l).unwrap_or(4);
    let ranks: Vec<usize> = duties.iter().map(|d| rank(d["light"].as_str().unwrap())).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    // Filters.
    let only: serde_json::Value = staff.get(&app, "/api/v1/inbox?kind=appeal").await.json().await.unwrap();
    assert!(only["duties"].as_array().unwrap().iter().all(|d| d["kind"] == "appeal"));
    let red: serde_json::Value = staff.get(&app, "/api/v1/inbox?light=red").await.json().await.unwrap();
    assert!(red["duties"].as_array().unwrap().iter().all(|d| d["light"] == "red"));
    let other_unit = app.unit_id("县审计局").await;
    let none: serde_json::Value = staff.get(&app, &format!("/api/v1/inbox?unit_id={other_unit}")).await.json().await.unwrap();
    assert!(none["duties"].as_array().unwrap().is_empty(), "a unit outside the subtree shows nothing");
    // The page: one list, names and days, not ids.
    let html = staff.get(&app, "/inbox").await.text().await.unwrap();
    assert!(html.contains("群众诉求") && html.contains("任务") && html.contains(&format!("/appeals/{appeal}")) && html.contains("个工作日"), "{html}");
}
