//! 重大项目 over HTTP (issue 16): a project registered and signed, its approvals started under
//! its template, an item paused for expert review and resumed (the limit moves by exactly the
//! working days paused) and extended, another returned and resubmitted (two visits summed), a
//! late start refused without its reason and kept as a deviation with it, a missed monthly
//! report raising the ladder, a problem becoming a task; the code's parts named when wrong; and
//! the bottleneck report on the demo county equal to the same computed by hand.

use crate::*;
use luoshi_domain::calendar::Calendar;
use luoshi_domain::time::local_date;
use serde_json::json;

/// A user of a unit (for its approvals), logged in.
async fn user_of(app: &TestApp, username: &str, unit: &str) -> Session {
    let admin = app.login("admin").await;
    let unit_id = app.unit_id(unit).await;
    let r = admin
        .post(app, "/api/v1/users", json!({ "username": username, "display_name": username, "unit_id": unit_id, "role": "unit_staff", "password": PW }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.login(username).await
}

async fn item_of(s: &Session, app: &TestApp, project: i64, code: &str) -> Value {
    let v: Value = s.get(app, &format!("/api/v1/projects/{project}")).await.json().await.unwrap();
    let id = v["approvals"].as_array().unwrap().iter().find(|a| a[0]["item"] == code).unwrap()[0]["id"].as_i64().unwrap();
    s.get(app, &format!("/api/v1/approvals/{id}")).await.json().await.unwrap()
}

async fn item_act(s: &Session, app: &TestApp, id: i64, body: Value) -> Value {
    let r = s.post(app, &format!("/api/v1/approvals/{id}/actions"), body).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

fn due_day(v: &Value) -> chrono::NaiveDate {
    local_date(v["due_at"].as_i64().unwrap() - 1)
}

#[tokio::test]
async fn a_project_from_signing_through_its_approvals_to_a_missed_report() {
    let app = spawn_app().await;
    let office = app.login("supervisor").await;
    let cal = Calendar::shipped().unwrap();
    app.state.set_today(day("2026-06-01"));
    let vice = app.user_id("vice").await;
    let project = json!({
        "code": "2026-339901-89-02-000123", "name": "新能源电池材料项目", "investor": "远景科技有限公司",
        "investment": "enterprise", "route": "verification", "industry": "manufacturing", "scope": "年产5万吨正极材料",
        "total_wan": "120000", "land_mu": "300", "township_id": app.unit_id("城关镇").await, "leader_user_id": vice,
        "lead_unit_id": app.unit_id("县投资促进中心").await, "since": "2026-05-20", "planned_sign_on": "2026-06-05",
        "planned_start_on": "2026-06-20", "planned_complete_on": "2027-12-31", "annual_plan_wan": "30000",
        "funds": [{ "source": "企业自筹", "planned_wan": "60000", "in_place_wan": "10000" }]
    });
    // The code's parts: each wrong one named.
    for (code, field) in [
        ("2026-999901-89-02-000123", "project_code.region"),
        ("2026_339901-89-02-000123", "project_code.separator"),
        ("2026-339901-89-02-0001", "project_code.length"),
    ] {
        let mut bad = project.clone();
        bad["code"] = json!(code);
        let (status, c, body) = error_code(office.post(&app, "/api/v1/projects", bad).await).await;
        assert_eq!((status, c.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some(field)), "{code}");
    }
    let r = office.post(&app, "/api/v1/projects", project.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    assert_eq!((p["stage"].as_str(), p["in_library"].as_bool(), p["template"].as_str()), (Some("negotiating"), Some(true), Some("enterprise_verified")));
    // The same code again is a duplicate.
    let (status, c, _) = error_code(office.post(&app, "/api/v1/projects", project.clone()).await).await;
    assert_eq!((status, c.as_str()), (StatusCode::CONFLICT, "duplicate"));
    for action in ["sign", "land"] {
        let r = office.post(&app, &format!("/api/v1/projects/{id}/actions"), json!({ "action": action, "happened_on": "2026-06-01" })).await;
        assert_eq!(r.status(), StatusCode::OK, "{action}: {}", r.text().await.unwrap());
    }
    let r = office.post(&app, &format!("/api/v1/projects/{id}/approvals"), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Value>().await.unwrap()["approvals"].as_array().unwrap().len(), 11);
    let again = office.post(&app, &format!("/api/v1/projects/{id}/approvals"), json!({})).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // 核准 at 发改局: submitted on 1 June, 20 working days.
    let dev = user_of(&app, "fgj", "县发展和改革局").await;
    let v = item_of(&dev, &app, id, "verification").await;
    let item = v["item"]["id"].as_i64().unwrap();
    // 发改局 is also the projects office (it may submit for the applicant); nothing to decide yet.
    assert_eq!(v["may"], json!(["submit"]));
    let submitted = item_act(&office, &app, item, json!({ "action": "submit" })).await;
    let due0 = due_day(&submitted);
    // A duty of the approving unit: in its 待办 with its limit.
    let inbox: Value = dev.get(&app, "/api/v1/inbox?kind=approval").await.json().await.unwrap();
    assert!(inbox["duties"].as_array().unwrap().iter().any(|d| d["id"].as_i64() == Some(item) && d["kind"] == "approval"), "{inbox}");
    assert_eq!(due0, cal.add_working_days(day("2026-06-01"), 20).unwrap());
    // Paused for expert review from Wednesday 3 June to Wednesday 10 June: 5 working days.
    app.state.set_today(day("2026-06-03"));
    let (status, c, body) =
        error_code(dev.post(&app, &format!("/api/v1/approvals/{item}/actions"), json!({ "action": "pause", "reason": "专家评议" })).await).await;
    assert_eq!((status, c.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("pause_kind")));
    let paused = item_act(&dev, &app, item, json!({ "action": "pause", "pause_kind": "expert_review", "reason": "组织专家评议" })).await;
    assert_eq!((paused["state"].as_str(), paused["due_at"].as_i64()), (Some("paused"), None));
    app.state.set_today(day("2026-06-10"));
    let resumed = item_act(&dev, &app, item, json!({ "action": "resume", "reason": "" })).await;
    let paused_days = cal.working_days_between(day("2026-06-03"), day("2026-06-10")).unwrap();
    assert_eq!(paused_days, 5);
    assert_eq!(due_day(&resumed), cal.add_working_days(due0, paused_days).unwrap(), "the limit moves by the paused working days exactly");
    // The extension (核准: +10 working days), once.
    let extended = item_act(&dev, &app, item, json!({ "action": "extend", "reason": "需征求行业部门意见" })).await;
    assert_eq!(due_day(&extended), cal.add_working_days(due_day(&resumed), 10).unwrap());
    let v: Value = dev.get(&app, &format!("/api/v1/approvals/{item}")).await.json().await.unwrap();
    assert!(!v["may"].as_array().unwrap().contains(&json!("extend")));
    assert_eq!(item_act(&dev, &app, item, json!({ "action": "approve" })).await["state"], "approved");

    // 选址意见书 at 自然资源局: returned and resubmitted; its dwell sums both visits.
    let land = user_of(&app, "zrj", "县自然资源和规划局").await;
    app.state.set_today(day("2026-06-01"));
    let site = item_of(&land, &app, id, "site_opinion").await["item"]["id"].as_i64().unwrap();
    item_act(&office, &app, site, json!({ "action": "submit" })).await;
    app.state.set_today(day("2026-06-04"));
    let (status, c, _) = error_code(land.post(&app, &format!("/api/v1/approvals/{site}/actions"), json!({ "action": "return" })).await).await;
    assert_eq!((status, c.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "required"));
    item_act(&land, &app, site, json!({ "action": "return", "reason": "红线图与规划条件不一致" })).await;
    app.state.set_today(day("2026-06-08"));
    let again = item_act(&office, &app, site, json!({ "action": "submit" })).await;
    assert_eq!((again["visits"].as_i64(), due_day(&again)), (Some(2), cal.add_working_days(day("2026-06-08"), 20).unwrap()), "a fresh clock");
    app.state.set_today(day("2026-06-12"));
    item_act(&land, &app, site, json!({ "action": "approve" })).await;
    let v: Value = land.get(&app, &format!("/api/v1/approvals/{site}")).await.json().await.unwrap();
    assert_eq!((v["visits"].as_array().unwrap().len(), v["dwell_days"].as_i64()), (2, Some(3 + 4)));
    let b: Value = office.get(&app, "/api/v1/projects/bottlenecks?from=2026-06-01&to=2026-06-30").await.json().await.unwrap();
    let fig = b["by_item"].as_array().unwrap().iter().find(|f| f["key"] == "site_opinion").unwrap().clone();
    assert_eq!((fig["days"].as_i64(), fig["visits"].as_i64()), (Some(7), Some(2)));

    // 开工 later than planned: refused without a reason, kept as a deviation with it.
    app.state.set_today(day("2026-06-22"));
    let late = json!({ "action": "start", "happened_on": "2026-06-22" });
    let (status, c, body) = error_code(office.post(&app, &format!("/api/v1/projects/{id}/actions"), late.clone()).await).await;
    assert_eq!((status, c.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "required", Some("reason")));
    let r =
        office.post(&app, &format!("/api/v1/projects/{id}/actions"), json!({ "action": "start", "happened_on": "2026-06-22", "reason": "施工许可延后" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = office.get(&app, &format!("/api/v1/projects/{id}")).await.json().await.unwrap();
    assert_eq!(v["changes"][0]["field"], "started_on");
    assert_eq!((v["changes"][0]["old_value"].as_str(), v["changes"][0]["new_value"].as_str()), (Some("2026-06-20"), Some("2026-06-22")));

    // No report for June by 5 July: the supervision run raises 报送提醒 on the project, once.
    app.state.set_today(day("2026-07-06"));
    let run = luoshi_app::supervision::supervise(&app.t.db, day("2026-07-06")).await.unwrap();
    let projects = run.others.iter().find(|(k, _)| k == "project").unwrap().1.clone();
    assert!(projects.reports >= 1, "{projects:?}");
    let again = luoshi_app::supervision::supervise(&app.t.db, day("2026-07-06")).await.unwrap();
    assert_eq!(again.others.iter().find(|(k, _)| k == "project").unwrap().1.reports, 0);
    let v: Value = office.get(&app, &format!("/api/v1/projects/{id}")).await.json().await.unwrap();
    assert!(v["trail"].as_array().unwrap().iter().any(|s| s["action"] == "notice_report_due"));
    // The lead unit reports; the curve has it.
    let r = office.post(&app, &format!("/api/v1/projects/{id}/reports"), json!({ "month": "2026-06", "invested_wan": "2500.5", "progress": "场地平整" })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let v: Value = office.get(&app, &format!("/api/v1/projects/{id}")).await.json().await.unwrap();
    assert_eq!(v["invested_year"], json!(25_005_000));
    // The cockpit reads the year's investment against plan from the core's counters.
    let lead = app.unit_id("县投资促进中心").await;
    let c: Value = office.get(&app, &format!("/api/v1/cockpit?unit={lead}&year=2026")).await.json().await.unwrap();
    let card = c["cards"].as_array().unwrap().iter().find(|k| k["kind"] == "project").unwrap_or_else(|| panic!("{c}"));
    assert_eq!(card["sums"], json!([["invested", 25_005_000], ["planned", 300_000_000]]), "{card}");
    assert!(luoshi_storage::duty::tallies::verify(&app.t.db).await.unwrap().is_empty());
    let page = office.get(&app, &format!("/cockpit?unit={lead}&year=2026")).await.text().await.unwrap();
    assert!(page.contains("本年完成投资2500.50万元") && page.contains("年度计划30000.00万元") && page.contains("8.3%"), "{page}");

    // A problem becomes a task of the unit named, in its ladder.
    let r = office
        .post(
            &app,
            &format!("/api/v1/projects/{id}/problems"),
            json!({ "kind": "power", "text": "施工用电未接入", "unit_id": app.unit_id("县发展和改革局").await, "due_on": "2026-07-20" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let task = r.json::<Value>().await.unwrap()["task_id"].as_i64().unwrap();
    let t: Value = dev.get(&app, &format!("/api/v1/tasks/{task}")).await.json().await.unwrap();
    assert_eq!(t["task"]["state"], "assigned", "{t}");
    let v: Value = office.get(&app, &format!("/api/v1/projects/{id}")).await.json().await.unwrap();
    assert_eq!(v["problems"][0][1]["state"], "assigned");

    // Who sees it: the township's staff (城关镇) yes, another township's no; the form keeps input.
    assert_eq!(app.login("staff").await.get(&app, &format!("/api/v1/projects/{id}")).await.status(), StatusCode::OK);
    assert_eq!(app.login("staff2").await.get(&app, &format!("/api/v1/projects/{id}")).await.status(), StatusCode::NOT_FOUND);
    let r = office
        .form(
            &app,
            "/projects",
            &[
                ("name", "保留的名称"),
                ("investor", "某公司"),
                ("investment", "enterprise"),
                ("route", "filing"),
                ("industry", "services"),
                ("total_wan", "abc"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("保留的名称") && html.contains("总投资"), "the form keeps the input and names the field");
    // OC4IDS carries no person.
    let o: Value = office.get(&app, &format!("/api/v1/projects/{id}/oc4ids")).await.json().await.unwrap();
    assert_eq!((o["status"].as_str(), o["identifiers"][0]["id"].as_str()), (Some("implementation"), Some("2026-339901-89-02-000123")));
    assert!(!o.to_string().contains("张副县长"));
}

#[tokio::test]
async fn the_bottleneck_report_equals_the_demo_computed_by_hand() {
    let app = spawn_app().await;
    let today = day(TODAY);
    assert_eq!(demo::seed_projects(&app.t.db, today).await.unwrap(), 100);
    let office = app.login("supervisor").await;
    let (from, to) = (day("2026-01-01"), day("2026-06-15"));
    let b: Value = office.get(&app, "/api/v1/projects/bottlenecks?from=2026-01-01&to=2026-06-15").await.json().await.unwrap();
    // By hand: every visit of every item from its own rows, day by day on the calendar.
    let cal = Calendar::shipped().unwrap();
    let rows = luoshi_storage::projects::approvals::all_visits(&app.t.db).await.unwrap();
    let mut by_unit: std::collections::BTreeMap<i64, (i64, i64, std::collections::BTreeSet<i64>)> = Default::default();
    for (project, _, _, _, unit, started, ended) in &rows {
        let (project, unit) = (*project, *unit);
        let start = day(started);
        let end = ended.as_deref().map(day).unwrap_or(today);
        if start > to || end < from {
            continue;
        }
        // Working days of the period the visit covered: each day after its start, up to its end.
        let mut d = start.max(from - chrono::Duration::days(1));
        let mut n = 0;
        while d < end.min(to) {
            d += chrono::Duration::days(1);
            if cal.is_working_day(d).unwrap() {
                n += 1;
            }
        }
        let slot = by_unit.entry(unit).or_default();
        slot.0 += n;
        slot.1 += 1;
        slot.2.insert(project);
    }
    assert!(!by_unit.is_empty());
    let figures = b["by_unit"].as_array().unwrap();
    assert_eq!(figures.len(), by_unit.len());
    for (unit, (days, visits, projects)) in &by_unit {
        let key = unit.to_string();
        let f = figures.iter().find(|f| f["key"].as_str() == Some(key.as_str())).unwrap();
        assert_eq!(
            (f["days"].as_i64(), f["visits"].as_i64(), f["project_count"].as_u64().unwrap() as usize),
            (Some(*days), Some(*visits), projects.len()),
            "unit {unit}"
        );
    }
    // The land office is where projects wait longest.
    let land = app.unit_id("县自然资源和规划局").await;
    assert_eq!(figures[0]["key"], land.to_string(), "{}", figures[0]);
    assert_eq!(b["by_item"][0]["key"], "site_opinion");
}
