//! 安全生产 end to end over HTTP (issue 14): an enterprise in the ledger, a 重大 hazard found on
//! an inspection (refused without its 判定依据, accepted with it), the 五落实, the ladder once
//! its deadline passes, 验收 by a unit other than the owner, 销号 with evidence, and 回头看
//! reopening it with the first closure kept in the trail. Another township sees none of it.

use crate::*;
use serde_json::json;

#[tokio::test]
async fn a_major_hazard_from_inspection_to_look_back() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let office = app.login("supervisor").await;
    let staff = app.login("staff").await;

    // The enterprise ledger: a valid credit code, a failing check character (a warning), a bad shape (refused).
    let ent = |code: &str| json!({ "name": format!("城关镇化工厂{code}"), "credit_code": code, "industry": "C26", "regulator_unit_id": town, "township_id": town, "flags": ["危化"] });
    let r = office.post(&app, "/api/v1/enterprises", ent("91350100M000100Y43")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    assert!(body["warnings"].as_array().unwrap().is_empty(), "{body}");
    let enterprise = body["enterprise"]["id"].as_i64().unwrap();
    let warned: Value = office.post(&app, "/api/v1/enterprises", ent("91350100M000100Y44")).await.json().await.unwrap();
    assert_eq!(warned["warnings"][0]["code"], "hazards.warning.credit_code_check", "{warned}");
    let (status, code, _) = error_code(office.post(&app, "/api/v1/enterprises", ent("9135010")).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));

    // 排查登记 by the township (it regulates the enterprise here, 属地).
    let r = staff.post(&app, "/api/v1/hazards", json!({ "enterprise_id": enterprise, "description": "液氨储罐区未设置泄漏报警装置", "found_on": TODAY })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let id = v["hazard"]["id"].as_i64().unwrap();
    assert_eq!(v["hazard"]["state"], "registered");
    assert!(v["may"].as_array().unwrap().iter().any(|a| a == "grade_major"), "{v}");
    let act = |body: Value| {
        let path = format!("/api/v1/hazards/{id}/actions");
        (path, body)
    };

    // 重大 without 判定依据: refused naming it; with it: 五落实 next.
    let (p, b) = act(json!({ "action": "grade_major", "deadline": "2026-06-25" }));
    let r = staff.post(&app, &p, b).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!((e["error"]["code"].as_str(), e["error"]["field"].as_str()), (Some("required"), Some("basis")), "{e}");
    // Judged by the catalogue in force on the day found: 工贸 of 2017 ended on 2023-05-14.
    let (p, b) = act(json!({ "action": "grade_major", "deadline": "2026-06-25", "basis_catalogue": "gongmao-2017", "basis_article": "一", "basis_item": "1" }));
    let (_, code, e) = error_code(staff.post(&app, &p, b).await).await;
    assert_eq!((code.as_str(), e["error"]["field"].as_str()), ("invalid", Some("basis_catalogue")), "{e}");
    let old =
        staff.post(&app, "/api/v1/hazards", json!({ "enterprise_id": enterprise, "description": "2023年5月14日发现的隐患", "found_on": "2023-05-14" })).await;
    let old_id = old.json::<Value>().await.unwrap()["hazard"]["id"].as_i64().unwrap();
    let by = |code: &str| json!({ "action": "grade_major", "deadline": "2026-06-30", "basis_catalogue": code, "basis_article": "一", "basis_item": "1" });
    let path = format!("/api/v1/hazards/{old_id}/actions");
    assert_eq!(error_code(staff.post(&app, &path, by("gongmao-2023")).await).await.1, "invalid", "not yet in force that day");
    assert_eq!(staff.post(&app, &path, by("gongmao-2017")).await.status(), StatusCode::OK);
    let (p, b) = act(
        json!({ "action": "grade_major", "deadline": "2026-06-25", "basis_catalogue": "gongmao-2023", "basis_article": "第五条", "basis_item": "（二）", "stop_production": true }),
    );
    let v: Value = staff.post(&app, &p, b).await.json().await.unwrap();
    assert_eq!((v["hazard"]["state"].as_str(), v["hazard"]["grade"].as_str()), (Some("planning"), Some("major")), "{v}");
    let (p, b) = act(json!({ "action": "implement", "five": { "measures": "加装泄漏报警并联锁", "responsibility": "厂长", "funds": "" } }));
    assert_eq!(error_code(staff.post(&app, &p, b).await).await.1, "required");
    let five = json!({ "measures": "加装泄漏报警并联锁", "responsibility": "厂长张某", "funds": "8万元", "time_limit": "2026-06-25前", "plan": "液氨泄漏专项应急预案" });
    let (p, b) = act(json!({ "action": "implement", "five": five }));
    let v: Value = staff.post(&app, &p, b).await.json().await.unwrap();
    assert_eq!(v["hazard"]["state"], "rectifying");

    // The deadline passes: the one supervision run raises the ladder on it, once.
    let r = luoshi_app::supervision::supervise(&app.t.db, day("2026-06-29")).await.unwrap();
    let (_, c) = r.others.iter().find(|(k, _)| k == "hazard").expect("the run visits hazards");
    assert!(c.notices >= 1, "{c:?}");
    let page: Value = staff.get(&app, &format!("/api/v1/hazards/{id}")).await.json().await.unwrap();
    let actions: Vec<&str> = page["trail"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert!(actions.iter().any(|a| a.starts_with("notice_")), "{actions:?}");

    // 验收 is not the owner's: the township asks, the county office accepts.
    let (p, b) = act(json!({ "action": "submit" }));
    assert_eq!(staff.post(&app, &p, b).await.status(), StatusCode::OK);
    let (p, b) = act(json!({ "action": "pass" }));
    assert_eq!(staff.post(&app, &p, b.clone()).await.status(), StatusCode::FORBIDDEN);
    let version = office.get(&app, &format!("/api/v1/hazards/{id}")).await.json::<Value>().await.unwrap()["version"].as_i64().unwrap();
    let v: Value = office.post(&app, &p, json!({ "action": "pass", "version": version })).await.json().await.unwrap();
    assert_eq!(v["hazard"]["state"], "accepted");
    // Production stopped for it: 复产 is reviewed before 销号.
    let (p2, b2) = act(json!({ "action": "close", "evidence": "x" }));
    assert_eq!(error_code(office.post(&app, &p2, b2).await).await.2["error"]["field"], "resume");
    let (p2, b2) = act(json!({ "action": "resume" }));
    assert_eq!(office.post(&app, &p2, b2).await.status(), StatusCode::OK);
    // A stale version is refused.
    let (status, code, _) = error_code(office.post(&app, &p, json!({ "action": "close", "evidence": "x", "version": version })).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
    // 销号 needs evidence.
    let (p, b) = act(json!({ "action": "close" }));
    assert_eq!(error_code(office.post(&app, &p, b).await).await.1, "required");
    let (p, b) = act(json!({ "action": "close", "evidence": "验收报告及整改照片" }));
    let v: Value = office.post(&app, &p, b).await.json().await.unwrap();
    assert_eq!(v["hazard"]["state"], "closed");

    // The look-back of the period: every closed hazard at 100 %, and the enterprises with no finding.
    let lb: Value = office.get(&app, "/api/v1/hazards/look-back?from=2026-06-01&to=2026-06-30&percent=100").await.json().await.unwrap();
    assert!(lb["sample"].as_array().unwrap().iter().any(|h| h["id"].as_i64() == Some(id)), "{lb}");
    let zero: Vec<&str> = lb["zero_report"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(zero.iter().any(|n| n.ends_with("Y44")) && !zero.iter().any(|n| n.ends_with("Y43")), "{zero:?}");
    assert_eq!(error_code(office.get(&app, "/api/v1/hazards/look-back?from=2026-06-30&to=2026-06-01").await).await.1, "invalid");

    // 回头看 reopens it: back to 治理, the first closure kept in the trail.
    let (p, b) = act(json!({ "action": "reopen", "deadline": "2026-07-10", "note": "回头看抽查：报警装置未联锁" }));
    let v: Value = office.post(&app, &p, b).await.json().await.unwrap();
    assert_eq!((v["hazard"]["state"].as_str(), v["hazard"]["reopen_count"].as_i64()), (Some("rectifying"), Some(1)));
    let steps: Vec<&str> = v["trail"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    let close_at = steps.iter().position(|a| *a == "close").expect("the first closure stays");
    assert!(steps[close_at..].contains(&"reopen"), "{steps:?}");

    // Another township sees nothing of it; its own ledger lists it.
    let other = app.login("staff2").await;
    assert_eq!(other.get(&app, &format!("/api/v1/hazards/{id}")).await.status(), StatusCode::NOT_FOUND);
    let theirs: Value = other.get(&app, "/api/v1/hazards").await.json().await.unwrap();
    assert!(theirs["hazards"].as_array().unwrap().is_empty());
    let ours: Value = staff.get(&app, "/api/v1/hazards?grade=major").await.json().await.unwrap();
    let majors: Vec<i64> = ours["hazards"].as_array().unwrap().iter().filter_map(|h| h["id"].as_i64()).collect();
    assert!(
        majors.contains(&id)
            && majors.iter().all(|m| ours["hazards"].as_array().unwrap().iter().any(|h| h["id"].as_i64() == Some(*m) && h["grade"] == "major")),
        "{ours}"
    );
    assert_eq!(error_code(staff.get(&app, "/api/v1/hazards?state=nonsense").await).await.1, "invalid");
    // The ledger as offices keep it: names, not ids; the same sight.
    let bytes = staff.get(&app, "/api/v1/hazards/export.xlsx?grade=major").await.bytes().await.unwrap();
    let table = luoshi_ledger::read_table(&bytes, luoshi_ledger::Format::Xlsx).unwrap();
    assert_eq!(table.headers[1], "隐患描述");
    let row = table.rows.iter().find(|r| r.1[1] == "液氨储罐区未设置泄漏报警装置").expect("the hazard is in the export");
    assert_eq!((row.1[3].as_str(), row.1[6].as_str(), row.1[7].as_str()), ("城关镇", "重大事故隐患", "治理中"), "{row:?}");
    let theirs = other.get(&app, "/api/v1/hazards/export.xlsx").await.bytes().await.unwrap();
    assert!(luoshi_ledger::read_table(&theirs, luoshi_ledger::Format::Xlsx).unwrap().rows.is_empty());
    // In the 待办 of the township, through the core.
    let inbox: Value = staff.get(&app, "/api/v1/inbox?kind=hazard").await.json().await.unwrap();
    assert!(inbox["duties"].as_array().unwrap().iter().any(|d| d["id"].as_i64() == Some(id) && d["kind"] == "hazard"), "{inbox}");
    assert!(luoshi_storage::audit::verify(&app.t.db).await.unwrap().broken.is_none());
}

/// An accident graded by 第三条 with the bounds in force, its reports chased on the hour clock
/// across midnight, 补报 raising its grade inside the window and refused after it.
#[tokio::test]
async fn an_accident_graded_and_reported_on_the_hour_clock() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let office = app.login("supervisor").await;
    let staff = app.login("staff").await;
    let firm: Value = office
        .post(&app, "/api/v1/enterprises", json!({ "name": "城关镇机械厂", "industry": "C33", "regulator_unit_id": town, "township_id": town }))
        .await
        .json()
        .await
        .unwrap();
    let enterprise = firm["enterprise"]["id"].as_i64().unwrap();
    let record = |occurred: &str, deaths: i64| json!({ "enterprise_id": enterprise, "occurred_at": occurred, "deaths": deaths, "serious_injuries": 0, "loss_yuan": 500_000, "description": "冲压车间机械伤害事故" });

    // At 23:30: the unit's report is due at 00:30 the next day.
    let r = office.post(&app, "/api/v1/accidents", record("2026-06-14 23:30", 2)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let id = v["accident"]["id"].as_i64().unwrap();
    assert_eq!((v["accident"]["grade"].as_str(), v["accident"]["state"].as_str()), (Some("ordinary"), Some("reporting")));
    assert_eq!(luoshi_domain::time::format_local(v["accident"]["due_at"].as_i64().unwrap()), "2026-06-15 00:30");
    assert_eq!(luoshi_domain::time::format_local(v["accident"]["supplement_due_at"].as_i64().unwrap()), "2026-07-14 23:30");
    // One from May: its 补报 window closed on 2026-05-31.
    let v: Value = office.post(&app, "/api/v1/accidents", record("2026-05-01 08:00", 1)).await.json().await.unwrap();
    let old = v["accident"]["id"].as_i64().unwrap();
    // A time in the future, or no time, is refused naming it.
    assert_eq!(error_code(office.post(&app, "/api/v1/accidents", record("2999-01-01 08:00", 1)).await).await.1, "invalid");
    assert_eq!(error_code(office.post(&app, "/api/v1/accidents", record("昨晚", 1)).await).await.1, "invalid");

    // The township reports, the county passes it up; 补报 long after the window is refused.
    let act = |id: i64| format!("/api/v1/accidents/{id}/actions");
    assert_eq!(staff.post(&app, &act(old), json!({ "action": "forward" })).await.status(), StatusCode::FORBIDDEN, "passing up is the county's");
    let v: Value = staff.post(&app, &act(old), json!({ "action": "report" })).await.json().await.unwrap();
    assert_eq!(v["accident"]["state"], "reported");
    let v: Value = office.post(&app, &act(old), json!({ "action": "forward" })).await.json().await.unwrap();
    assert_eq!(v["accident"]["state"], "forwarded");
    let (_, code, e) = error_code(staff.post(&app, &act(old), json!({ "action": "supplement", "deaths": 3 })).await).await;
    assert_eq!((code.as_str(), e["error"]["field"].as_str()), ("invalid", Some("supplement")), "{e}");

    // Last night's accident: a third death added inside the window makes it 较大.
    assert_eq!(staff.post(&app, &act(id), json!({ "action": "report" })).await.status(), StatusCode::OK);
    let v: Value = staff.post(&app, &act(id), json!({ "action": "supplement", "deaths": 3, "note": "伤者抢救无效死亡" })).await.json().await.unwrap();
    assert_eq!((v["accident"]["deaths"].as_i64(), v["accident"]["grade"].as_str()), (Some(3), Some("larger")), "{v}");
    let steps: Vec<&str> = v["trail"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert_eq!(steps, ["record", "report", "supplement"]);

    // Through the core: in the township's 待办; nowhere for another township.
    let inbox: Value = staff.get(&app, "/api/v1/inbox?kind=accident").await.json().await.unwrap();
    assert!(inbox["duties"].as_array().unwrap().iter().any(|d| d["id"].as_i64() == Some(id)), "{inbox}");
    let other = app.login("staff2").await;
    assert_eq!(other.get(&app, &format!("/api/v1/accidents/{id}")).await.status(), StatusCode::NOT_FOUND);
    assert!(other.get(&app, "/api/v1/accidents").await.json::<Value>().await.unwrap()["accidents"].as_array().unwrap().is_empty());
    assert!(luoshi_storage::audit::verify(&app.t.db).await.unwrap().broken.is_none());
}

/// The statistics read counts kept with each change; on the demo county they equal a count of
/// the records by hand, and the recount finds them held.
#[tokio::test]
async fn statistics_equal_a_count_by_hand_and_the_recount() {
    let app = spawn_app().await;
    let db = &app.t.db;
    assert_eq!(luoshi_web::demo::seed_hazards(db, day(TODAY)).await.unwrap(), 26);
    let all = luoshi_storage::hazards::ledger(db, &luoshi_storage::hazards::LedgerFilter { limit: 500, ..Default::default() }).await.unwrap();
    let counted = all.iter().filter(|h| h.state.as_str() != "cancelled");
    let found = counted.clone().count() as i64;
    let closed = counted.clone().filter(|h| h.state.as_str() == "closed").count() as i64;
    let major = counted.clone().filter(|h| h.grade.map(|g| g.as_str()) == Some("major")).count() as i64;
    let major_closed = counted.clone().filter(|h| h.grade.map(|g| g.as_str()) == Some("major") && h.state.as_str() == "closed").count() as i64;
    let office = app.login("supervisor").await;
    let s: Value = office.get(&app, &format!("/api/v1/hazards/stats?from=2000-01-01&to={TODAY}")).await.json().await.unwrap();
    let t = &s["total"];
    assert_eq!(
        (t["found"].as_i64(), t["closed"].as_i64(), t["major_found"].as_i64(), t["major_closed"].as_i64()),
        (Some(found), Some(closed), Some(major), Some(major_closed)),
        "{s}"
    );
    assert!((t["rate"].as_f64().unwrap() - closed as f64 / found as f64).abs() < 1e-9);
    // Hazards per enterprise and the enterprises that reported none, against the records.
    let firms = luoshi_storage::hazards::enterprises(db, None, 100_000).await.unwrap().len() as i64;
    let reporting = counted.clone().filter_map(|h| h.enterprise_id).collect::<std::collections::HashSet<_>>().len() as i64;
    assert_eq!((t["enterprises"].as_i64(), t["zero_report"].as_i64()), (Some(firms), Some(firms - reporting)), "{s}");
    assert!((t["per_enterprise"].as_f64().unwrap() - found as f64 / firms as f64).abs() < 1e-9);
    // The year so far is read from the year's own buckets: equal to the records of this year.
    let this_year = counted.clone().filter(|h| h.found_on.as_str() >= "2026-01-01").count() as i64;
    let y: Value = office.get(&app, &format!("/api/v1/hazards/stats?from=2026-01-01&to={TODAY}")).await.json().await.unwrap();
    assert_eq!(y["total"]["found"].as_i64(), Some(this_year), "{y}");
    let reporting_this_year =
        counted.clone().filter(|h| h.found_on.as_str() >= "2026-01-01").filter_map(|h| h.enterprise_id).collect::<std::collections::HashSet<_>>().len() as i64;
    assert_eq!(y["total"]["zero_report"].as_i64(), Some(firms - reporting_this_year), "{y}");
    // Months of one year only (April to June): the months' bits of that year.
    let q2 = counted
        .clone()
        .filter(|h| h.found_on.as_str() >= "2026-04-01" && h.found_on.as_str() <= "2026-06-30")
        .filter_map(|h| h.enterprise_id)
        .collect::<std::collections::HashSet<_>>()
        .len() as i64;
    let s2: Value = office.get(&app, "/api/v1/hazards/stats?from=2026-04-01&to=2026-06-30").await.json().await.unwrap();
    assert_eq!(s2["total"]["zero_report"].as_i64(), Some(firms - q2), "{s2}");
    // By township: every township of the demo county with its own, summing to the total.
    let by_town: i64 = s["by_township"].as_array().unwrap().iter().map(|r| r[1]["found"].as_i64().unwrap()).sum();
    assert_eq!(by_town, found);
    // A township sees its own share only.
    let staff: Value = app.login("staff").await.get(&app, &format!("/api/v1/hazards/stats?from=2000-01-01&to={TODAY}")).await.json().await.unwrap();
    assert!(staff["total"]["found"].as_i64().unwrap() < found && staff["overdue"].is_null(), "{staff}");
    // The recount: the kept counts held.
    assert!(luoshi_storage::hazards::counts::recount(db, &luoshi_storage::Actor::system()).await.unwrap().0, "the kept counts held");
    assert_eq!(error_code(office.get(&app, "/api/v1/hazards/stats?from=2026-06-30&to=2026-06-01").await).await.1, "invalid");

    // 翘尾 over the second quarter: hazards against a count by hand, accidents against last year's
    // (the demo county's accident of two days ago, and two more of this quarter recorded here).
    let in_q2 =
        all.iter().filter(|h| h.state.as_str() != "cancelled" && h.found_on.as_str() >= "2026-04-01" && h.found_on.as_str() <= "2026-06-30").count() as i64;
    let town = app.unit_id("城关镇").await;
    for at in ["2025-05-10 09:00", "2026-05-10 09:00", "2026-06-01 14:00"] {
        let r = office.post(&app, "/api/v1/accidents", json!({ "place": "城关镇农贸市场", "owner_unit_id": town, "occurred_at": at, "deaths": 0, "serious_injuries": 1, "loss_yuan": 0, "description": "摊位棚架倒塌" })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let rb: Value = office.get(&app, "/api/v1/hazards/rebound?from=2026-04-01&to=2026-06-30").await.json().await.unwrap();
    assert_eq!((rb["hazards"].as_i64(), rb["accidents"].as_i64(), rb["accidents_last_year"].as_i64()), (Some(in_q2), Some(3), Some(1)), "{rb}");
    assert_eq!(rb["alert"], true, "three accidents against one is above the 20 % threshold: {rb}");
    assert_eq!(app.login("staff").await.get(&app, "/api/v1/hazards/rebound?from=2026-04-01&to=2026-06-30").await.status(), StatusCode::FORBIDDEN);
}
