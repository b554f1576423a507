//! The one board across every kind (全部事项): what each caller's sight holds, counted by kind
//! and light, paged by its cursor; the deputy leader's 分管单位 widen nothing else.

use crate::appeals::dispatched_to;
use crate::*;

async fn board(app: &TestApp, who: &str, query: &str) -> Value {
    let r = app.login(who).await.get(app, &format!("/api/v1/duties{query}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{who}");
    r.json().await.unwrap()
}

fn keys(v: &Value) -> Vec<(String, i64)> {
    v["rows"].as_array().unwrap().iter().map(|r| (r["kind"].as_str().unwrap().to_string(), r["id"].as_i64().unwrap())).collect()
}

fn total(v: &Value) -> i64 {
    v["counts"].as_array().unwrap().iter().map(|c| c["n"].as_i64().unwrap()).sum()
}

#[tokio::test]
async fn one_board_of_every_kind_in_each_callers_sight() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let mine = dispatched_to(&app, "城关镇").await;
    let theirs = dispatched_to(&app, "青山镇").await;

    // A township: its tasks and its appeal, each once, soonest limit first; not the other's.
    let town = board(&app, "staff", "").await;
    let k = keys(&town);
    assert!(k.contains(&("appeal".into(), mine)) && !k.contains(&("appeal".into(), theirs)), "{k:?}");
    assert!(k.iter().any(|(kind, _)| kind == "task"), "{k:?}");
    assert_eq!(total(&town), k.len() as i64, "the counts are of the rows it may see");
    let dues: Vec<i64> = town["rows"].as_array().unwrap().iter().map(|r| r["due_at"].as_i64().unwrap_or(i64::MAX)).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
    assert!(town["rows"].as_array().unwrap().iter().all(|r| !r["title"].as_str().unwrap().starts_with('#')));

    // The county head sees the county; the office too; each of the township's rows is in it.
    let county = board(&app, "leader", "").await;
    assert!(total(&county) > total(&town));
    assert_eq!(total(&county), total(&board(&app, "supervisor", "").await));
    // His deputy: what he leads and what his 分管单位 (县统计局 …) own, not the townships' appeals.
    let vice = keys(&board(&app, "vice", "").await);
    assert!(vice.contains(&("task".into(), app.task_id("2.3").await)) && !vice.contains(&("appeal".into(), mine)), "{vice:?}");
    // A deputy (人大代表) sees none of it.
    assert_eq!(total(&board(&app, "deputy", "").await), 0);

    // Filters and the cursor: one kind, one light, the next page after a row.
    let only = board(&app, "staff", "?kind=appeal").await;
    assert_eq!(keys(&only), vec![("appeal".to_string(), mine)]);
    let first = &town["rows"][0];
    let cursor = format!("{}.{}.{}", first["due_at"].as_i64().unwrap_or(luoshi_storage::duty::NO_LIMIT), first["kind"].as_str().unwrap(), first["id"]);
    let after = keys(&board(&app, "staff", &format!("?after={cursor}")).await);
    assert_eq!(after, k[1..].to_vec());
    let s = app.login("staff").await;
    let r = s.get(&app, "/api/v1/duties?after=x.y").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("after"));
    let page = s.get(&app, "/duties").await.text().await.unwrap();
    assert!(page.contains("全部事项") && page.contains("群众诉求") && page.contains("任务"), "{page}");
}

#[tokio::test]
async fn who_sees_what_is_data_the_administrator_keeps() {
    let app = spawn_app().await;
    let qing = app.unit_id("青山镇").await;
    let qing_task = app.task_id("1").await;
    let vice_id = app.login("vice").await.user["id"].as_i64().unwrap();
    let sees = |who: &'static str, id: i64| {
        let app = &app;
        async move { app.login(who).await.get(app, &format!("/api/v1/tasks/{id}")).await.status() == StatusCode::OK }
    };
    assert!(!sees("vice", qing_task).await);
    // Only the administrator changes it; a unit user is refused, a non-leader cannot oversee.
    let body = serde_json::json!({ "overseer_id": vice_id });
    let staff = app.login("staff").await;
    assert_eq!(staff.put(&app, &format!("/api/v1/units/{qing}/overseer"), body.clone()).await.status(), StatusCode::FORBIDDEN);
    let admin = app.login("admin").await;
    let staff_id = staff.user["id"].as_i64().unwrap();
    let r = admin.put(&app, &format!("/api/v1/units/{qing}/overseer"), serde_json::json!({ "overseer_id": staff_id })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("overseer_id"));
    assert_eq!(admin.put(&app, &format!("/api/v1/units/{qing}/overseer"), body).await.status(), StatusCode::OK);
    // The deputy now sees the township's task, and nothing of another township.
    assert!(sees("vice", qing_task).await);
    assert!(!sees("vice", app.task_id("3.2").await).await);
    let o: Value = admin.get(&app, "/api/v1/oversight").await.json().await.unwrap();
    assert!(o["overseers"].as_array().unwrap().iter().any(|x| x["unit_id"] == qing && x["overseer_id"] == vice_id), "{o}");
    // Made principal, he sees the county; the change is in the audit log.
    let r = admin.put(&app, &format!("/api/v1/users/{vice_id}/principal"), serde_json::json!({ "principal": true })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(sees("vice", app.task_id("3.2").await).await);
    let page = admin.get(&app, &format!("/units/{qing}")).await.text().await.unwrap();
    assert!(page.contains("分管领导") && page.contains("张副县长"), "{page}");
}

#[tokio::test]
async fn a_change_made_on_a_stale_version_is_refused_for_every_kind() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let staff = app.login("staff").await;
    // A task the township may report on now.
    let inbox: Value = staff.get(&app, "/api/v1/inbox?kind=task").await.json().await.unwrap();
    let mut task = None;
    for d in inbox["duties"].as_array().unwrap() {
        let id = d["id"].as_i64().unwrap();
        let v: Value = staff.get(&app, &format!("/api/v1/tasks/{id}")).await.json().await.unwrap();
        if v["can"].as_array().unwrap().iter().any(|c| c == "report" || c == "co_report") {
            task = Some((id, v["version"].as_i64().unwrap()));
            break;
        }
    }
    let (id, v) = task.expect("a task to report on");
    let report = |version: i64| serde_json::json!({ "text": "完成排查", "percent": 40, "version": version });
    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/reports"), report(v)).await.status(), StatusCode::OK);
    // A second report made on the same reading is refused, naming the version; nothing written.
    let before: Value = staff.get(&app, &format!("/api/v1/tasks/{id}")).await.json().await.unwrap();
    let r = staff.post(&app, &format!("/api/v1/tasks/{id}/reports"), report(v)).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("version"));
    let after: Value = staff.get(&app, &format!("/api/v1/tasks/{id}")).await.json().await.unwrap();
    assert_eq!(before["reports"], after["reports"]);
    assert_eq!(after["version"].as_i64().unwrap(), v + 1);
    // Without a version the change goes through as before.
    assert_eq!(
        staff.post(&app, &format!("/api/v1/tasks/{id}/reports"), serde_json::json!({ "text": "再次报送", "percent": 50 })).await.status(),
        StatusCode::OK
    );

    // A work order: the township signs on a reading the hotline's change made stale.
    let appeal = dispatched_to(&app, "城关镇").await;
    let seen: Value = staff.get(&app, &format!("/api/v1/appeals/{appeal}")).await.json().await.unwrap();
    let v = seen["version"].as_i64().unwrap();
    let hotline = app.login("hotline").await;
    let r = hotline.post(&app, &format!("/api/v1/appeals/{appeal}/urgency"), serde_json::json!({ "urgency": "urgent", "reason": "涉及安全" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = staff.post(&app, &format!("/api/v1/appeals/{appeal}/act"), serde_json::json!({ "action": "sign", "version": v })).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let fresh: Value = staff.get(&app, &format!("/api/v1/appeals/{appeal}")).await.json().await.unwrap();
    let r = staff.post(&app, &format!("/api/v1/appeals/{appeal}/act"), serde_json::json!({ "action": "sign", "version": fresh["version"] })).await;
    assert_eq!(r.status(), StatusCode::OK);
}
