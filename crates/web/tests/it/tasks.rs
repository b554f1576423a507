//! 决策落实·督查督办 end to end over HTTP, with a clock the test moves.

use crate::{day, error_code, multipart, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn task(app: &TestApp, s: &crate::Session, id: i64) -> Value {
    let r = s.get(app, &format!("/api/v1/tasks/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_directive_from_assignment_to_closure() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let staff = app.login("staff").await; // 城关镇
    let co = app.login("staff2").await; // 青山镇, co-operating
    let town = app.unit_id("城关镇").await;
    let other = app.unit_id("青山镇").await;
    let vice = app.user_id("vice").await;

    // 立项: a directive and a task, 城关镇 leading, 青山镇 co-operating, due Friday 26 June
    // (19 June would be the Dragon Boat holiday).
    let r = sup
        .post(&app, "/api/v1/directives", json!({ "title": "县长办公会议纪要〔2026〕9号", "kind": "meeting", "issued_on": "2026-06-12", "issuer": "李县长" }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let directive = r.json::<Value>().await.unwrap()["directive"]["id"].as_i64().unwrap();
    let r = sup
        .post(
            &app,
            &format!("/api/v1/directives/{directive}/tasks"),
            json!({ "title": "汛前河道清障", "lead_unit_id": town, "cooperating_unit_ids": [other], "lead_leader_id": vice, "deadline": "2026-06-13x" }),
        )
        .await;
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("deadline")));
    let r = sup.post(&app, &format!("/api/v1/directives/{directive}/tasks"), json!({ "title": "汛前河道清障", "measures": "清理河道障碍物，加固堤岸。", "lead_unit_id": town, "cooperating_unit_ids": [other], "lead_leader_id": vice, "deadline": "2026-06-26" })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(task(&app, &sup, id).await["task"]["light"], "none");

    // 交办: only the supervision office; the unit cannot assign itself.
    let r = staff.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "assign" })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "assign" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let t = task(&app, &staff, id).await;
    assert_eq!((t["task"]["state"].as_str(), t["task"]["light"].as_str()), (Some("assigned"), Some("green")));
    assert!(t["can"].as_array().unwrap().contains(&json!("sign")));

    // 签收: the owner unit signs; the co-unit sees the task but cannot sign it.
    let r = co.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "sign" })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = staff.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "sign" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Signing twice is a conflict on the state.
    let (status, code, _) = error_code(staff.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "sign" })).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));

    // Progress: the owner reports the task's progress, the co-unit its own part.
    let (_, code, body) = error_code(staff.post(&app, &format!("/api/v1/tasks/{id}/reports"), json!({ "text": "已清理两处", "percent": 140 })).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("out_of_range", Some("percent")));
    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/reports"), json!({ "text": "已清理两处障碍物", "percent": 40 })).await.status(), StatusCode::OK);
    assert_eq!(co.post(&app, &format!("/api/v1/tasks/{id}/reports"), json!({ "text": "配合调运机械两台", "percent": 50 })).await.status(), StatusCode::OK);
    let t = task(&app, &sup, id).await;
    assert_eq!(t["task"]["progress"], 40.0);
    assert_eq!(t["co_units"][0]["sub_percent"], 50.0);
    // Evidence: a photo attached by the owner; another unit cannot fetch it; odd files are refused.
    let photo = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes".to_vec();
    let r = staff
        .client
        .post(app.url(&format!("/api/v1/tasks/{id}/attachments?name=%E6%B8%85%E9%9A%9C%E7%85%A7%E7%89%87.jpg")))
        .header("x-csrf-token", &staff.csrf)
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let aid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let got = sup.get(&app, &format!("/api/v1/tasks/{id}/attachments/{aid}")).await;
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    assert_eq!(got.bytes().await.unwrap().to_vec(), photo);
    let finance = app.login("finance").await;
    assert_eq!(finance.get(&app, &format!("/api/v1/tasks/{id}/attachments/{aid}")).await.status(), StatusCode::NOT_FOUND);
    let r = staff
        .client
        .post(app.url(&format!("/api/v1/tasks/{id}/attachments?name=run.exe")))
        .header("x-csrf-token", &staff.csrf)
        .body(b"MZ".to_vec())
        .send()
        .await
        .unwrap();
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("file")));
    // Tuesday 23 June: three working days left, the light turns blue.
    app.state.set_today(day("2026-06-23"));
    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/reports"), json!({ "text": "已清理四处", "percent": 80 })).await.status(), StatusCode::OK);
    assert_eq!(task(&app, &sup, id).await["task"]["light"], "blue");

    // 延期: filed before the deadline with a reason and a later date; approved, both deadlines kept.
    let (_, code, body) =
        error_code(staff.post(&app, &format!("/api/v1/tasks/{id}/extensions"), json!({ "reason": "", "new_deadline": "2026-06-30" })).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("required", Some("reason")));
    let r = staff.post(&app, &format!("/api/v1/tasks/{id}/extensions"), json!({ "reason": "连续降雨，机械无法进场", "new_deadline": "2026-06-30" })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let ext = r.json::<Value>().await.unwrap()["extension_id"].as_i64().unwrap();
    assert_eq!(staff.post(&app, &format!("/api/v1/extensions/{ext}/decision"), json!({ "approve": true })).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(sup.post(&app, &format!("/api/v1/extensions/{ext}/decision"), json!({ "approve": true, "note": "同意" })).await.status(), StatusCode::OK);
    let t = task(&app, &sup, id).await;
    assert_eq!((t["task"]["deadline"].as_str(), t["task"]["original_deadline"].as_str()), (Some("2026-06-30"), Some("2026-06-26")));
    assert_eq!(t["task"]["extension_count"], 1);
    // A second request is refused by the office.
    let r = staff.post(&app, &format!("/api/v1/tasks/{id}/extensions"), json!({ "reason": "仍在降雨", "new_deadline": "2026-07-15" })).await;
    let ext2 = r.json::<Value>().await.unwrap()["extension_id"].as_i64().unwrap();
    assert_eq!(sup.post(&app, &format!("/api/v1/extensions/{ext2}/decision"), json!({ "approve": false, "note": "不得再延" })).await.status(), StatusCode::OK);
    assert_eq!(task(&app, &sup, id).await["task"]["deadline"], "2026-06-30");

    // The deadline passes. Thursday 2 July: two working days overdue.
    app.state.set_today(day("2026-07-02"));
    let run: Value = sup.post(&app, "/api/v1/supervision/run", json!({})).await.json().await.unwrap();
    assert!(run["notices"].as_i64().unwrap() >= 1, "{run}");
    let t = task(&app, &sup, id).await;
    assert_eq!(t["task"]["light"], "red");
    let levels: Vec<&str> = t["notices"].as_array().unwrap().iter().map(|n| n["level"].as_str().unwrap()).collect();
    assert_eq!(levels, vec!["notice"], "first seen overdue: 督办 alone, no 催办 the same day");
    // Running again, on this or another node, raises nothing twice.
    let again: Value = sup.post(&app, "/api/v1/supervision/run", json!({})).await.json().await.unwrap();
    assert_eq!((again["reminders"].as_i64(), again["notices"].as_i64(), again["reports"].as_i64()), (Some(0), Some(0), Some(0)));
    let other_node = luoshi_web::AppState::new(app.t.db.clone(), luoshi_web::Config::default());
    let r = luoshi_app::supervision::supervise(&other_node.db, day("2026-07-02")).await.unwrap();
    assert_eq!(r.notices + r.reminders + r.reports, 0);
    // The notice reached the owner unit's inbox and its superiors' view.
    let inbox: Value = staff.get(&app, "/api/v1/inbox").await.json().await.unwrap();
    assert!(inbox["notices"].as_array().unwrap().iter().any(|n| n["duty_id"] == id && n["level"] == "notice"));
    let manager: Value = app.login("manager").await.get(&app, "/api/v1/inbox").await.json().await.unwrap();
    assert!(manager["notices"].as_array().unwrap().iter().any(|n| n["duty_id"] == id));
    // An extension can no longer be filed.
    let (status, code, _) =
        error_code(staff.post(&app, &format!("/api/v1/tasks/{id}/extensions"), json!({ "reason": "再延", "new_deadline": "2026-07-30" })).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
    // Wednesday 8 July: five working days overdue, into the public report.
    app.state.set_today(day("2026-07-08"));
    let run: Value = sup.post(&app, "/api/v1/supervision/run", json!({})).await.json().await.unwrap();
    assert!(run["reports"].as_i64().unwrap() >= 1, "{run}");
    let levels: Vec<String> = task(&app, &sup, id).await["notices"].as_array().unwrap().iter().map(|n| n["level"].as_str().unwrap().to_string()).collect();
    assert_eq!(levels, vec!["notice", "report"], "each rung on its own day");

    // 申请办结 → 退回重办 (a reason is required) → again → 容错免责 → 办结.
    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "request_closure" })).await.status(), StatusCode::OK);
    let (_, code, body) = error_code(sup.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "return" })).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("required", Some("reason")));
    assert_eq!(
        sup.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "return", "reason": "缺少堤岸加固验收材料" })).await.status(),
        StatusCode::OK
    );
    let t = task(&app, &staff, id).await;
    assert_eq!((t["task"]["state"].as_str(), t["task"]["returned_count"].as_i64()), (Some("returned"), Some(1)));
    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/reports"), json!({ "text": "已补充验收材料", "percent": 100 })).await.status(), StatusCode::OK);

    let conditions: Vec<Value> =
        luoshi_domain::tasks::EXEMPTION_CONDITIONS.iter().map(|(k, _, _)| json!({ "key": k, "met": true, "evidence": "气象部门降雨证明" })).collect();
    let r = staff
        .post(&app, &format!("/api/v1/tasks/{id}/exemptions"), json!({ "reason": "持续强降雨属不可抗力，单位已履职尽责", "conditions": conditions }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let ex = r.json::<Value>().await.unwrap()["exemption_id"].as_i64().unwrap();
    // One pending application per task: a second (and third) is refused while it is decided.
    for _ in 0..2 {
        let again = staff.post(&app, &format!("/api/v1/tasks/{id}/exemptions"), json!({ "reason": "再次申请", "conditions": conditions })).await;
        let (status, code, body) = error_code(again).await;
        assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::CONFLICT, "duplicate", Some("exemption")));
    }
    assert_eq!(sup.post(&app, &format!("/api/v1/exemptions/{ex}/step"), json!({ "step": "decide", "exempt": true })).await.status(), StatusCode::CONFLICT);
    assert_eq!(sup.post(&app, &format!("/api/v1/exemptions/{ex}/step"), json!({ "step": "accept" })).await.status(), StatusCode::OK);
    let mut weak = conditions.clone();
    weak[2]["evidence"] = json!("");
    assert_eq!(sup.post(&app, &format!("/api/v1/exemptions/{ex}/step"), json!({ "step": "verify", "conditions": weak })).await.status(), StatusCode::OK);
    let (_, code, body) = error_code(sup.post(&app, &format!("/api/v1/exemptions/{ex}/step"), json!({ "step": "decide", "exempt": true })).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("invalid", Some("conditions")));
    let r = sup
        .post(&app, &format!("/api/v1/exemptions/{ex}/step"), json!({ "step": "decide", "exempt": true, "conditions": conditions, "note": "集体研究认定" }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["exemption"]["state"], "exempted");

    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "request_closure" })).await.status(), StatusCode::OK);
    assert_eq!(sup.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "accept" })).await.status(), StatusCode::OK);
    // 评价: once, by the office, with a known grade.
    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/evaluation"), json!({ "grade": "good" })).await.status(), StatusCode::FORBIDDEN);
    let (_, code, body) = error_code(sup.post(&app, &format!("/api/v1/tasks/{id}/evaluation"), json!({ "grade": "superb" })).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("invalid", Some("grade")));
    assert_eq!(sup.post(&app, &format!("/api/v1/tasks/{id}/evaluation"), json!({ "grade": "good", "note": "整改到位" })).await.status(), StatusCode::OK);
    assert_eq!(sup.post(&app, &format!("/api/v1/tasks/{id}/evaluation"), json!({ "grade": "excellent" })).await.status(), StatusCode::CONFLICT);
    let t = task(&app, &sup, id).await;
    assert_eq!((t["task"]["state"].as_str(), t["task"]["light"].as_str(), t["task"]["closed_on"].as_str()), (Some("closed"), Some("done"), Some("2026-07-08")));
    assert_eq!(t["task"]["evaluation"], "good");

    // The trail holds every step, in order, with who did it.
    let actions: Vec<&str> = t["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        vec![
            "create",
            "assign",
            "sign",
            "report",
            "report",
            "attach",
            "report",
            "extension_request",
            "extension_approve",
            "extension_request",
            "extension_refuse",
            "notice_notice",
            "notice_report",
            "request_closure",
            "return",
            "report",
            "exemption_apply",
            "exemption_accepted",
            "exemption_verified",
            "exemption_exempted",
            "request_closure",
            "accept",
            "evaluate"
        ]
    );
    let ret = t["events"].as_array().unwrap().iter().find(|e| e["action"] == "return").unwrap();
    assert_eq!((ret["actor"].as_str(), ret["note"].as_str()), (Some("supervisor"), Some("缺少堤岸加固验收材料")));

    // The July report counts it as closed late, with the penalty removed by the exemption.
    let rep: Value = sup.get(&app, "/api/v1/reports?period=2026-07").await.json().await.unwrap();
    let line = rep["units"].as_array().unwrap().iter().find(|u| u["unit_id"] == town).unwrap();
    assert_eq!((line["closed_late"].as_i64(), line["exempted"].as_i64(), line["returned"].as_i64()), (Some(1), Some(1), Some(1)));
    assert!(rep["criticised"].as_array().unwrap().iter().any(|n| n["duty_id"] == id), "the task stays in the history of the report");
    // The reporting cycle: from the 28th, a task in progress with no report this month is reminded, once.
    app.state.set_today(day("2026-07-28"));
    let run: Value = sup.post(&app, "/api/v1/supervision/run", json!({})).await.json().await.unwrap();
    assert!(run["report_due"].as_i64().unwrap() >= 1, "{run}");
    let again: Value = sup.post(&app, "/api/v1/supervision/run", json!({})).await.json().await.unwrap();
    assert_eq!(again["report_due"], 0);
    let demo_task = app.task_id("1.3").await;
    let levels: Vec<String> =
        task(&app, &sup, demo_task).await["notices"].as_array().unwrap().iter().map(|n| n["level"].as_str().unwrap().to_string()).collect();
    assert!(levels.contains(&"report_due".to_string()), "{levels:?}");
    let x = sup.get(&app, "/reports/export.xlsx?period=2026-07").await;
    assert_eq!(x.status(), StatusCode::OK);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    let page = sup.get(&app, "/reports?period=2026-07").await.text().await.unwrap();
    assert!(page.contains("督查通报") && page.contains("城关镇"));
    // Printed as a document: the office and 文号 from the rules, the date it stands at, no bare dashes.
    for want in ["县委督查室", "督通〔2026〕7号", "决策部署落实情况通报（2026年7月）", "2026年7月28日", "一、总体情况", "四、通报批评"]
    {
        assert!(page.contains(want), "{want}");
    }
    let docx = sup.get(&app, "/reports/export.docx?period=2026-07").await;
    assert_eq!(docx.status(), StatusCode::OK);
    let text = luoshi_ledger::document::read_document(&docx.bytes().await.unwrap()).unwrap().text;
    for want in ["县委督查室", "督通〔2026〕7号", "（2026年7月）", "城关镇", "二、各单位落实情况", "2026年7月28日"] {
        assert!(text.contains(want), "{want} in the .docx");
    }
    // A unit not ranked is named with its count and why: too few items, or none due or closed.
    let min = rep["min_items"].as_i64().unwrap();
    for u in rep["units"].as_array().unwrap().iter().filter(|u| u["rank"].is_null()) {
        let why = if u["items"].as_i64().unwrap() < min { "样本过少" } else { "暂无可计分事项" };
        assert!(page.contains(why) && text.contains(why), "{why}: {u}");
    }
    // Another month's 文号 and date follow the office's own settings.
    app.login("admin")
        .await
        .form(
            &app,
            "/rules/supervision.report.number_format",
            &[("value", "示督通〔{year}〕{n}号"), ("source", "县委办〔2026〕9号"), ("effective_from", "2026-01-01")],
        )
        .await;
    let page = sup.get(&app, "/reports?period=2026-06").await.text().await.unwrap();
    assert!(page.contains("示督通〔2026〕6号") && page.contains("2026年7月5日"), "the June report is dated the 5th of July");
    assert!(luoshi_storage::audit::verify(&app.t.db).await.unwrap().broken.is_none());
}

#[tokio::test]
async fn who_sees_which_task() {
    let app = spawn_app().await;
    let town_task = app.task_id("3.1.1").await; // 城关镇 leads, 城东村 co-operates, 张副县长 leads
    let qing_task = app.task_id("1").await; // 青山镇, 李县长
    let finance = app.task_id("3.2").await; // 县财政局, 李县长
    let ok = |s: StatusCode| s == StatusCode::OK;
    let see = |who: &'static str, id: i64| {
        let app = &app;
        async move {
            let s = app.login(who).await;
            ok(s.get(app, &format!("/api/v1/tasks/{id}")).await.status())
        }
    };
    // The supervision office sees all.
    assert!(see("supervisor", town_task).await && see("supervisor", qing_task).await && see("supervisor", finance).await);
    // The county head (principal) sees all; his deputy what he leads and what the units he
    // oversees (分管: 县统计局 owns 2.3, which the county head leads) own or co-operate on.
    assert!(see("leader", qing_task).await && see("leader", finance).await && see("leader", town_task).await);
    let stats = app.task_id("2.3").await;
    assert!(see("vice", town_task).await && see("vice", stats).await && !see("vice", qing_task).await && !see("vice", finance).await);
    // A unit sees its own tasks and those it co-operates on.
    assert!(see("staff", town_task).await && !see("staff", qing_task).await && !see("staff", finance).await);
    assert!(see("staff2", qing_task).await && !see("staff2", town_task).await);
    assert!(see("finance", finance).await && !see("finance", town_task).await);
    // 3.1 lists 城关镇 and 青山镇 as responsible units: both see it.
    let safety = app.task_id("3.1").await;
    assert!(see("staff", safety).await && see("staff2", safety).await);
    // Nobody else.
    for who in ["hotline", "deputy"] {
        let s = app.login(who).await;
        assert_eq!(s.get(&app, &format!("/api/v1/tasks/{town_task}")).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(s.get(&app, "/api/v1/tasks").await.status(), StatusCode::FORBIDDEN);
    }
    // The board's lists follow the same rule.
    let s = app.login("staff").await;
    let board: Value = s.get(&app, "/api/v1/tasks?limit=500").await.json().await.unwrap();
    let titles: Vec<&str> = board["tasks"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"城关镇安全生产大检查“回头看”") && !titles.contains(&"茶园村道路塌方隐患整治") && !titles.contains(&"全面防范重大金融风险"));
    let sup = app.login("supervisor").await;
    let board: Value = sup.get(&app, "/api/v1/tasks?light=red").await.json().await.unwrap();
    assert!(board["tasks"].as_array().unwrap().iter().all(|t| t["light"] == "red"));
    assert!(board["counts"]["green"].as_i64().unwrap() > 0 && board["counts"]["red"].as_i64().unwrap() >= 1);
}

#[tokio::test]
async fn the_demo_directive_has_tasks_in_every_state() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let board: Value = sup.get(&app, "/api/v1/tasks?limit=500").await.json().await.unwrap();
    let states: std::collections::BTreeSet<&str> = board["tasks"].as_array().unwrap().iter().map(|t| t["state"].as_str().unwrap()).collect();
    for s in ["draft", "assigned", "signed", "closure_requested", "returned", "closed"] {
        assert!(states.contains(s), "no task in state {s}");
    }
    let lights: std::collections::BTreeSet<&str> = board["tasks"].as_array().unwrap().iter().map(|t| t["light"].as_str().unwrap()).collect();
    for l in ["green", "blue", "yellow", "red", "done"] {
        assert!(lights.contains(l), "no task with light {l}");
    }
    // The totals the triggers keep equal a real count of the lights.
    let mut counted: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for t in board["tasks"].as_array().unwrap() {
        *counted.entry(t["light"].as_str().unwrap().to_string()).or_default() += 1;
    }
    for (light, n) in board["counts"].as_object().unwrap() {
        assert_eq!(counted.get(light).copied().unwrap_or(0), n.as_i64().unwrap(), "{light}");
    }
    let inbox: Value = sup.get(&app, "/api/v1/inbox").await.json().await.unwrap();
    assert_eq!(inbox["extensions"].as_array().unwrap().len(), 1);
    assert_eq!(inbox["exemptions"].as_array().unwrap().len(), 1);
    assert_eq!(inbox["review"].as_array().unwrap().len(), 1);
    for path in ["/tasks", "/inbox", "/directives", "/reports", "/tasks/1", "/directives/1"] {
        let r = sup.get(&app, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    // The unit's inbox is sorted by urgency: the red or blue before the green.
    let staff = app.login("staff").await;
    let html = staff.get(&app, "/inbox").await.text().await.unwrap();
    assert!(html.contains("城关镇安全生产大检查"));
}

#[tokio::test]
async fn task_ledger_import_checks_every_row_and_round_trips() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let before = luoshi_storage::tasks::count(&app.t.db).await.unwrap();
    let row = |v: [&str; 10]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let bad = vec![
        row(["1", "推进城乡融合发展", "健全城乡融合机制", "张副县长", "发改局", "财政局、人社局", "", "年底前", "", ""]),
        row(["1.1", "人才体制改革", "", "李县长", "无此局", "", "", "三季度", "", ""]),
        row(["2", "", "", "", "教育局", "", "", "6月底前", "", ""]),
        row(["3", "推进医共体建设", "", "王局长", "卫健局", "", "民政局", "尽快", "", ""]),
    ];
    let xlsx = luoshi_app::tasks::ledger::export_xlsx(&bad).unwrap();
    let url = "/api/v1/tasks/import?title=%E5%8E%BF%E6%94%BF%E5%BA%9C%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A%E5%88%86%E8%A7%A3&issued_on=2026-02-01&issuer=%E5%8E%BF%E6%94%BF%E5%BA%9C&name=t.xlsx";
    let r = sup.client.post(app.url(url)).header("x-csrf-token", &sup.csrf).body(xlsx).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    let problems: Vec<(i64, &str)> = body["rows"].as_array().unwrap().iter().map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap())).collect();
    assert_eq!(problems, vec![(3, "牵头单位"), (4, "工作任务"), (5, "牵头领导"), (5, "完成时限")]);
    assert_eq!(luoshi_storage::tasks::count(&app.t.db).await.unwrap(), before, "nothing written");

    let good = vec![
        row(["1", "推进城乡融合发展", "健全城乡融合机制", "张副县长", "发改局", "财政局、人社局", "", "年底前", "", "重点任务"]),
        row(["1.1", "人才体制改革", "", "李县长", "人社局", "", "县委办", "三季度", "", ""]),
        row(["2", "推进医共体建设", "", "", "卫健局", "", "民政局", "6月底前", "已完成方案", ""]),
        row(["3", "持续优化营商环境", "", "", "市场监管局", "", "", "长期坚持", "", ""]),
    ];
    let xlsx = luoshi_app::tasks::ledger::export_xlsx(&good).unwrap();
    let r = sup.client.post(app.url(url)).header("x-csrf-token", &sup.csrf).body(xlsx).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let directive = body["directive_id"].as_i64().unwrap();
    assert_eq!(luoshi_storage::tasks::count(&app.t.db).await.unwrap(), before + 4);
    let d: Value = sup.get(&app, &format!("/api/v1/directives/{directive}")).await.json().await.unwrap();
    let tasks = d["tasks"].as_array().unwrap();
    assert_eq!(tasks[1]["parent_id"], tasks[0]["id"]);
    assert_eq!(tasks[0]["deadline"], "2026-12-31");
    assert_eq!(tasks[1]["deadline"], "2026-09-30");
    assert_eq!(tasks[3]["term"], "long_term");
    // Export: the same columns, the same rows.
    let x = sup.get(&app, &format!("/api/v1/tasks/export.xlsx?directive_id={directive}")).await.bytes().await.unwrap().to_vec();
    let table = luoshi_ledger::read_table(&x, luoshi_ledger::Format::Xlsx).unwrap();
    assert_eq!(table.headers, luoshi_app::tasks::ledger::COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(table.rows.len(), 4);
    assert_eq!(table.rows[0].1[4], "县发展和改革局");
    assert_eq!(table.rows[0].1[5], "县财政局、县人力资源和社会保障局");
    assert_eq!(table.rows[3].1[7], "长期坚持（2026-12-31）", "with the date it is next checked");
}

/// Export → import is a round trip, also for a directive whose tasks are numbered under headings
/// that are not tasks (1.1, 1.2 … with no row 1); a dry run that passes imports in one click.
#[tokio::test]
async fn an_exported_ledger_imports_back_and_a_checked_one_in_one_click() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let directive = app.task_directive("1.1").await;
    let x = sup.get(&app, &format!("/api/v1/tasks/export.xlsx?directive_id={directive}")).await.bytes().await.unwrap().to_vec();
    let url = "/api/v1/tasks/import?title=%E5%9B%9E%E5%AF%BC&issued_on=2026-06-01&issuer=%E5%8E%BF%E5%A7%94&name=x.xlsx";
    let r = sup.client.post(app.url(url)).header("x-csrf-token", &sup.csrf).body(x.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let back = r.json::<Value>().await.unwrap()["directive_id"].as_i64().unwrap();
    let a: Value = sup.get(&app, &format!("/api/v1/directives/{directive}")).await.json().await.unwrap();
    let b: Value = sup.get(&app, &format!("/api/v1/directives/{back}")).await.json().await.unwrap();
    let shape = |d: &Value| -> Vec<(String, String, String, Option<String>)> {
        let tasks = d["tasks"].as_array().unwrap();
        let seq_of = |id: &Value| tasks.iter().find(|t| &t["id"] == id).map(|t| t["seq"].as_str().unwrap_or("").to_string());
        let mut v: Vec<_> = tasks
            .iter()
            .map(|t| {
                (
                    t["seq"].as_str().unwrap_or("").to_string(),
                    t["title"].as_str().unwrap().to_string(),
                    t["deadline"].as_str().unwrap_or("").to_string(),
                    seq_of(&t["parent_id"]),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(shape(&a), shape(&b), "the same tasks, numbers, deadlines and parents");
    assert!(shape(&b).iter().any(|t| t.3.is_some()), "a sub-task keeps its parent");

    // The page: a dry run that passes offers the import without choosing the file again.
    let (ct, body) = multipart(
        &[("title", "一键导入"), ("issued_on", "2026-06-01"), ("issuer", "县委"), ("dry_run", "true")],
        &[("file", "x.xlsx", "application/octet-stream", &x)],
    );
    let page = sup
        .client
        .post(app.url(&format!("/directives/import?_csrf={}", sup.csrf)))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("确认导入"), "{page}");
    let hidden = |name: &str| {
        let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        page[at..].split('"').next().unwrap().to_string()
    };
    let before = sup.get(&app, "/api/v1/directives").await.json::<Value>().await.unwrap()["directives"].as_array().unwrap().len();
    let fields = [
        ("title", hidden("title")),
        ("issued_on", hidden("issued_on")),
        ("issuer", hidden("issuer")),
        ("name", hidden("name")),
        ("file_hex", hidden("file_hex")),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = sup.form(&app, "/directives/import/confirm", &fields).await;
    assert_eq!(done.status(), StatusCode::OK);
    let said = done.text().await.unwrap();
    assert!(said.contains("导入完成") && said.contains("→ 一键导入"), "the page says it was imported and links the directive by its title");
    let after = sup.get(&app, "/api/v1/directives").await.json::<Value>().await.unwrap()["directives"].as_array().unwrap().len();
    assert_eq!(after, before + 1, "imported in one click");
}
