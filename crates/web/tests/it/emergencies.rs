//! 应急协同 over HTTP (issue 15): a plan with its matrix and a township's plan under it, the
//! roster imported, an incident received, a Ⅳ activation assigning every unit of the matrix
//! and the township's villages, signing and 续报 on their minute clocks, a missed limit raising
//! the ladder within minutes, escalation to Ⅲ, stand-down and the printed report; warnings as
//! CAP 1.2 that validate against the OASIS schema in both languages, with Update and Cancel
//! keeping the chain; messages from peers read safely.

use crate::*;
use serde_json::json;

const MINUTE: i64 = 60_000_000;

/// Create a plan with its levels and matrix, publish it; its id.
async fn plan(s: &Session, app: &TestApp, title: &str, kind: &str, owner: i64, matrix: Value, links: Value) -> i64 {
    let r = s
        .post(app, "/api/v1/emergency-plans", json!({ "title": title, "kind": kind, "category": "natural", "event_type": "flood", "owner_unit_id": owner }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["detail"]["plan"]["id"].as_i64().unwrap();
    let office = app.unit_id("县应急管理局").await;
    let levels = json!([
        { "level": "4", "command": "防汛抗旱指挥部", "command_unit_id": office, "conditions": "主要河道超警戒水位" },
        { "level": "3", "command": "防汛抗旱指挥部", "command_unit_id": office, "conditions": "24小时降雨超过150毫米" }
    ]);
    let r = s.put(app, &format!("/api/v1/emergency-plans/{id}/contents"), json!({ "levels": levels, "matrix": matrix, "links": links })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    for action in ["submit", "publish"] {
        let r = s.post(app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": action })).await;
        assert_eq!(r.status(), StatusCode::OK, "{action}");
    }
    id
}

fn roster_book(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["日期", "单位", "姓名", "电话", "岗位"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn incident(s: &Session, app: &TestApp, id: i64) -> Value {
    let r = s.get(app, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn an_incident_from_report_to_stand_down() {
    let app = spawn_app().await;
    let office = app.login("supervisor").await;
    let u = |n: &'static str| app.unit_id(n);
    let (water, police, town) = (u("县水利局").await, u("县公安局").await, u("城关镇").await);
    let villages = ["城东村", "城南村", "城北村", "前进村"];
    // The township's own plan assigns its villages; the county's links it at Ⅳ.
    let mut vm = Vec::new();
    for v in villages {
        vm.push(
            json!({ "level": "4", "unit_id": app.unit_id(v).await, "role": "属地", "task": "巡查转移", "first_report_minutes": 20, "followup_minutes": 60 }),
        );
    }
    let town_plan = plan(&office, &app, "城关镇防汛应急预案", "grassroots", town, json!(vm), json!([])).await;
    let matrix = json!([
        { "level": "4", "unit_id": water, "role": "牵头", "task": "监测水情，组织抢险技术支撑", "first_report_minutes": 30, "followup_minutes": 120 },
        { "level": "4", "unit_id": town, "role": "属地", "task": "组织巡查、转移群众", "first_report_minutes": 20, "followup_minutes": 60 },
        { "level": "3", "unit_id": police, "role": "配合", "task": "维护秩序，协助转移", "first_report_minutes": 30, "followup_minutes": 120 }
    ]);
    let county_plan = plan(&office, &app, "示范县防汛抗旱应急预案", "special", water, matrix, json!([["4", town_plan]])).await;

    // A plan's matrix refuses a line at a level the plan does not define, naming it.
    let bad = json!({ "levels": [], "matrix": [{ "level": "2", "unit_id": water, "role": "牵头", "task": "x", "first_report_minutes": 30, "followup_minutes": 60 }] });
    let r = office
        .post(
            &app,
            "/api/v1/emergency-plans",
            json!({ "title": "草稿", "kind": "special", "category": "natural", "event_type": "flood", "owner_unit_id": water }),
        )
        .await;
    let draft = r.json::<Value>().await.unwrap()["detail"]["plan"]["id"].as_i64().unwrap();
    let (status, code, body) = error_code(office.put(&app, &format!("/api/v1/emergency-plans/{draft}/contents"), bad).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "{body}");

    // Today's roster: the on-duty person is the first addressee.
    let today = TODAY;
    let book = roster_book(&[[today, "城关镇", "林干事", "0591-83330001", "值班员"], [today, "县水利局", "吕值班", "0591-83330002", "值班员"]]);
    let r = office.client.post(app.url("/api/v1/roster/import?name=roster.xlsx")).header("x-csrf-token", &office.csrf).body(book).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let bad = roster_book(&[["2026-13-40", "县不存在局", "", "电话", ""]]);
    let r = office.client.post(app.url("/api/v1/roster/import?name=roster.xlsx")).header("x-csrf-token", &office.csrf).body(bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let cols: Vec<&str> = e["rows"].as_array().unwrap().iter().map(|x| x["column"].as_str().unwrap()).collect();
    for want in ["日期", "单位", "姓名", "电话"] {
        assert!(cols.contains(&want), "{want}: {cols:?}");
    }

    // 接报, 研判 Ⅳ, activation: every Ⅳ line of the county's matrix and the township's villages.
    let r = office
        .post(&app, "/api/v1/incidents", json!({ "title": "强降雨致城关镇内涝", "event_type": "flood", "occurred_at": format!("{today} 08:30"), "township_id": town, "place": "前进路", "facts": "积水0.6米", "injured": 1 }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["incident"]["id"].as_i64().unwrap();
    let r = office.post(&app, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": "assess", "level": "4" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = office.post(&app, &format!("/api/v1/incidents/{id}/activations"), json!({ "plan_id": county_plan })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let done: Value = r.json().await.unwrap();
    assert_eq!((done["plans"].as_i64(), done["assignments"].as_i64()), (Some(2), Some(6)), "{done}");
    let v = incident(&office, &app, id).await;
    let list = v["assignments"].as_array().unwrap();
    let of = |name: i64| list.iter().find(|a| a["unit_id"].as_i64() == Some(name)).unwrap().clone();
    assert!(!list.iter().any(|a| a["unit_id"].as_i64() == Some(police)), "a Ⅲ line waits for Ⅲ");
    let ours = of(town);
    assert_eq!((ours["addressee"].as_str(), ours["state"].as_str()), (Some("林干事"), Some("assigned")));
    for v in villages {
        let vid = app.unit_id(v).await;
        assert_eq!(of(vid)["parent_unit_id"].as_i64(), Some(town), "{v} under the township's plan");
    }

    // In the township's inbox at once; signed and reported on its clock.
    let staff = app.login("staff").await;
    let inbox: Value = staff.get(&app, "/api/v1/inbox?kind=emergency_task").await.json().await.unwrap();
    let mine = inbox["duties"].as_array().unwrap();
    assert_eq!(mine.len(), 5, "the township and its four villages: {inbox}");
    assert!(mine.iter().all(|d| d["href"].as_str().unwrap().starts_with("/emergencies/assignments/")));
    let aid = ours["id"].as_i64().unwrap();
    let act = |action: &str, text: &str| json!({ "action": action, "text": text });
    let r = staff.post(&app, &format!("/api/v1/emergency-assignments/{aid}/actions"), act("report", "")).await;
    assert_eq!(error_code(r).await.1, "conflict", "a report before signing");
    let r: Value = staff.post(&app, &format!("/api/v1/emergency-assignments/{aid}/actions"), act("sign", "")).await.json().await.unwrap();
    assert_eq!(r["assignment"]["state"], "signed");
    let (status, code, _) = error_code(staff.post(&app, &format!("/api/v1/emergency-assignments/{aid}/actions"), act("report", "")).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "required"), "a report has its text");
    let r: Value = staff.post(&app, &format!("/api/v1/emergency-assignments/{aid}/actions"), act("report", "转移群众6户15人")).await.json().await.unwrap();
    let a = &r["assignment"];
    assert_eq!((a["state"].as_str(), a["reports"].as_i64()), (Some("reporting"), Some(1)));
    let next = a["due_at"].as_i64().unwrap() - a["last_report_at"].as_i64().unwrap();
    assert_eq!(next, 60 * MINUTE, "the next 续报 within the follow-up interval");
    // Not another unit's assignment.
    let water_a = of(water)["id"].as_i64().unwrap();
    assert_eq!(staff.get(&app, &format!("/api/v1/emergency-assignments/{water_a}")).await.status(), StatusCode::NOT_FOUND);

    // A missed limit raises the ladder within minutes: the watch two minutes after sign-in was due.
    let signed_due = of(water)["due_at"].as_i64().unwrap();
    let ran = luoshi_app::supervision::watch(&app.t.db, signed_due + 2 * MINUTE).await.unwrap();
    let tasks = ran.iter().find(|(k, _)| k == "emergency_task").unwrap().1.clone();
    assert!(tasks.notices >= 5, "the water bureau and four villages overdue: {tasks:?}");
    let again = luoshi_app::supervision::watch(&app.t.db, signed_due + 3 * MINUTE).await.unwrap();
    assert_eq!(again.iter().find(|(k, _)| k == "emergency_task").unwrap().1.notices, 0, "each raised once");
    let trail: Value = office.get(&app, &format!("/api/v1/emergency-assignments/{water_a}")).await.json().await.unwrap();
    assert!(trail["trail"].as_array().unwrap().iter().any(|s| s["action"] == "notice_notice"), "{trail}");

    // Escalation to Ⅲ: the police line is assigned now; the report upward is due again.
    let r = office.post(&app, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": "change_level", "level": "3", "note": "降雨持续" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = incident(&office, &app, id).await;
    assert_eq!((v["incident"]["level"].as_str(), v["incident"]["lead"].as_str()), (Some("3"), Some("city")));
    assert!(v["assignments"].as_array().unwrap().iter().any(|a| a["unit_id"].as_i64() == Some(police)));
    assert_eq!(v["assignments"].as_array().unwrap().len(), 7, "nothing assigned twice");

    // Stand-down closes every open assignment with the reason; the report upward, then 终报.
    let r = office.post(&app, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": "stand_down", "note": "雨停水退" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = incident(&office, &app, id).await;
    assert_eq!(v["incident"]["state"], "ended");
    assert!(v["assignments"].as_array().unwrap().iter().all(|a| a["state"] == "stood_down" && a["end_reason"] == "雨停水退"));
    let inbox: Value = staff.get(&app, "/api/v1/inbox?kind=emergency_task").await.json().await.unwrap();
    assert!(inbox["duties"].as_array().unwrap().is_empty(), "gone from the inbox");
    for action in ["report_up", "close"] {
        let r = office.post(&app, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": action })).await;
        assert_eq!(r.status(), StatusCode::OK, "{action}");
    }

    // The pages: the command view names units and people, the printed 终报.
    let page = office.get(&app, &format!("/emergencies/incidents/{id}")).await.text().await.unwrap();
    for want in ["县水利局", "林干事", "响应终止", "城东村"] {
        assert!(page.contains(want), "{want}");
    }
    let printed = office.get(&app, &format!("/emergencies/incidents/{id}/report?kind=final")).await;
    assert_eq!(printed.status(), StatusCode::OK);
    let printed = printed.text().await.unwrap();
    assert!(printed.contains("突发事件信息报告（终报）") && printed.contains("示范县防汛抗旱应急预案"), "{printed}");
    assert_eq!(staff.get(&app, &format!("/emergencies/incidents/{id}/report")).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_plan_through_its_lifecycle_and_its_drill_clock() {
    let app = spawn_app().await;
    let office = app.login("supervisor").await;
    let water = app.unit_id("县水利局").await;
    let emergency = app.unit_id("县应急管理局").await;
    let r = office
        .post(
            &app,
            "/api/v1/emergency-plans",
            json!({ "title": "示范县防汛预案", "kind": "special", "category": "natural", "event_type": "flood", "owner_unit_id": water }),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["detail"]["plan"]["id"].as_i64().unwrap();
    // The editor's form: repeated fields in order, an empty task dropping its line.
    let w = water.to_string();
    let e = emergency.to_string();
    let fields: Vec<(&str, &str)> = vec![
        ("lv", "4"),
        ("lv_on", "4"),
        ("lv_command", "防汛抗旱指挥部"),
        ("lv_unit", &e),
        ("lv_conditions", "主要河道超警戒水位"),
        ("m_level", "4"),
        ("m_unit", &w),
        ("m_role", "牵头"),
        ("m_task", "监测水情"),
        ("m_first", "30"),
        ("m_follow", "120"),
        ("m_level", "4"),
        ("m_unit", &w),
        ("m_role", ""),
        ("m_task", ""),
        ("m_first", "30"),
        ("m_follow", "120"),
        ("_csrf", &office.csrf),
    ];
    let r = office.client.post(app.url(&format!("/emergencies/plans/{id}/contents"))).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v: Value = office.get(&app, &format!("/api/v1/emergency-plans/{id}")).await.json().await.unwrap();
    assert_eq!(v["detail"]["matrix"].as_array().unwrap().len(), 1);
    assert_eq!(v["may"], json!(["submit", "withdraw"]));
    // Refused on the same page, the field named.
    let mut bad = fields.clone();
    bad[9] = ("m_first", "0");
    let r = office.client.post(app.url(&format!("/emergencies/plans/{id}/contents"))).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("首报（分钟）"));
    for action in ["submit", "publish"] {
        office.post(&app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": action })).await;
    }
    let v: Value = office.get(&app, &format!("/api/v1/emergency-plans/{id}")).await.json().await.unwrap();
    assert_eq!(v["detail"]["plan"]["state"], "published");
    assert_eq!(v["drill_due"], "2029-06-15", "three years from publication (rule)");
    // A drill in the future is refused; one in the past sets the clock.
    let r = office.post(&app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": "drill", "on": "2027-01-01" })).await;
    assert_eq!(error_code(r).await.1, "invalid");
    let r = office.post(&app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": "drill", "on": "2023-06-01" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r: Value = office.post(&app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": "evaluate" })).await.json().await.unwrap();
    assert_eq!(r["drill_due"], "2026-06-01", "overdue: drilled three years and two weeks ago");
    // Not drilled in time: the supervision run climbs the ladder for the plan like any duty.
    let run = luoshi_app::supervision::supervise(&app.t.db, day(TODAY)).await.unwrap();
    let plans = run.others.iter().find(|(k, _)| k == "plan").map(|(_, c)| c.clone()).unwrap();
    assert!(plans.notices + plans.reports >= 1, "{plans:?}");
    // A revision needs its trigger and makes a new version, drafted again.
    let r = office.post(&app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": "revise" })).await;
    assert_eq!(error_code(r).await.1, "required");
    let r: Value =
        office.post(&app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": "revise", "trigger": "lessons" })).await.json().await.unwrap();
    assert_eq!((r["detail"]["plan"]["version"].as_i64(), r["detail"]["plan"]["state"].as_str()), (Some(2), Some("drafting")));
    // A unit reads plans but does not publish them.
    let staff = app.login("staff").await;
    assert_eq!(staff.get(&app, &format!("/api/v1/emergency-plans/{id}")).await.status(), StatusCode::OK);
    let r = staff.post(&app, &format!("/api/v1/emergency-plans/{id}/actions"), json!({ "action": "submit" })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_accident_opens_an_incident_once_and_the_watch_makes_a_missed_one() {
    let app = spawn_app().await;
    let office = app.login("supervisor").await;
    let town = app.unit_id("城关镇").await;
    let accident = |at: &str| json!({ "place": "城关镇工业园3号厂房", "owner_unit_id": town, "occurred_at": at, "deaths": 1, "serious_injuries": 2, "description": "叉车倾覆致1人死亡2人重伤" });
    let r = office.post(&app, "/api/v1/accidents", accident("2026-06-14 23:30")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let a = r.json::<Value>().await.unwrap()["accident"]["id"].as_i64().unwrap();
    let list: Value = office.get(&app, "/api/v1/incidents").await.json().await.unwrap();
    let opened: Vec<&Value> = list["incidents"].as_array().unwrap().iter().filter(|i| i["source"] == "accident").collect();
    assert_eq!(opened.len(), 1);
    let i = &opened[0];
    assert_eq!(
        (i["source_ref"].as_str(), i["event_type"].as_str(), i["deaths"].as_i64(), i["injured"].as_i64()),
        (Some(a.to_string().as_str()), Some("work_safety"), Some(1), Some(2))
    );
    assert_eq!(i["township_id"].as_i64(), None, "a place without an enterprise has no township here");
    let page = office.get(&app, &format!("/hazards/accidents/{a}")).await.text().await.unwrap();
    assert!(page.contains(&format!("/emergencies/incidents/{}", i["id"])), "the accident links its incident");
    // Recorded without the link (as when the link failed): the watch opens it, once.
    let who = luoshi_app::Who::system("test");
    let input: luoshi_app::hazards::accidents::AccidentInput = serde_json::from_value(accident("2026-06-15 01:00")).unwrap();
    let now = app.state.now();
    let missed = luoshi_app::hazards::accidents::record(&app.t.db, &who, &input, now).await.unwrap().accident.id;
    assert_eq!(luoshi_app::links::accident_incident::incident_of(&app.t.db, missed).await.unwrap(), None);
    luoshi_app::supervision::watch(&app.t.db, now).await.unwrap();
    let made = luoshi_app::links::accident_incident::incident_of(&app.t.db, missed).await.unwrap();
    assert!(made.is_some());
    luoshi_app::supervision::watch(&app.t.db, now + MINUTE).await.unwrap();
    let list: Value = office.get(&app, "/api/v1/incidents").await.json().await.unwrap();
    assert_eq!(list["incidents"].as_array().unwrap().iter().filter(|i| i["source"] == "accident").count(), 2);
}

#[tokio::test]
async fn the_receive_form_keeps_what_was_typed_and_names_the_field() {
    let app = spawn_app().await;
    let office = app.login("supervisor").await;
    let town = app.unit_id("城关镇").await.to_string();
    let other_village = app.unit_id("竹林村").await.to_string();
    let form = |title: &'static str, village: String| {
        vec![
            ("title", title.to_string()),
            ("event_type", "flood".to_string()),
            ("occurred_at", format!("{TODAY}T07:30")),
            ("township_id", town.clone()),
            ("village_id", village),
            ("place", "前进路".to_string()),
            ("facts", "积水0.5米，疏散群众20人".to_string()),
            ("injured", "0".to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let mut f: Vec<(&str, String)> = fields;
        f.push(("_csrf", office.csrf.clone()));
        office.client.post(app.url("/emergencies/incidents")).form(&f).send()
    };
    let r = post(form("", String::new())).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("请填写标题") && page.contains("积水0.5米，疏散群众20人"), "the field named, the input kept");
    let r = post(form("城关镇内涝", other_village)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("村（社区）"), "a village of another township is refused by name");
    let r = post(form("城关镇内涝", String::new())).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    assert!(at.starts_with("/emergencies/incidents/") && at.ends_with("?done=receive"));
    let page = office.get(&app, &at).await.text().await.unwrap();
    assert!(page.contains("已接报登记") && page.contains("城关镇内涝"), "the page says what happened");
}
