//! 群众诉求 over HTTP: the whole loop from a citizen's submission to a satisfied rating, access
//! and masking, and the Open311 GeoReport v2 conformance of every endpoint in both formats.

use crate::{spawn_app, Session, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const PHONE: &str = "13812345678";

pub async fn act(s: &Session, app: &TestApp, id: i64, body: Value) -> Value {
    let r = s.post(app, &format!("/api/v1/appeals/{id}/act"), body.clone()).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body} → {v}");
    v["appeal"].clone()
}

/// Submit on the public API: (tracking code, rating code).
pub async fn public_submit(app: &TestApp, body: Value) -> (String, String) {
    let r = TestApp::client().post(app.url("/api/v1/public/appeals")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v = r.json::<Value>().await.unwrap();
    (v["code"].as_str().unwrap().to_string(), v["rating_code"].as_str().unwrap().to_string())
}

pub async fn id_of(app: &TestApp, code: &str) -> i64 {
    luoshi_storage::appeals::by_code(&app.t.db, code).await.unwrap().unwrap().id
}

/// Register and dispatch an appeal to a unit through the hotline; its id.
pub async fn dispatched_to(app: &TestApp, unit: &str) -> i64 {
    let hotline = app.login("hotline").await;
    let r = hotline
        .post(
            app,
            "/api/v1/appeals",
            json!({ "category": "neighbour", "content": "邻居在宅基地边界上砌墙，占了我家的地。", "phone": PHONE, "citizen_name": "赵大山" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["appeal"]["id"].as_i64().unwrap();
    act(&hotline, app, id, json!({ "action": "dispatch", "unit_id": app.unit_id(unit).await })).await;
    id
}

#[tokio::test]
async fn a_citizens_appeal_goes_round_the_whole_loop() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    // 1. A citizen submits on the public page: a tracking code, nothing else.
    let (code, rating_code) = public_submit(
        &app,
        json!({ "kind": "complaint", "category": "neighbour", "content": "竹林村三组邻居在宅基地边界上砌墙，占了我家的地，村委调解不了。",
                "address": "青山镇竹林村三组", "citizen_name": "赵大山", "phone": PHONE, "id_number": "11010519491231002X" }),
    )
    .await;
    let id = id_of(&app, &code).await;
    // Bad input is refused by field, in the caller's language.
    let r = TestApp::client()
        .post(app.url("/api/v1/public/appeals"))
        .header("accept-language", "zh-CN")
        .json(&json!({ "category": "neighbour", "content": "短", "phone": "12ab" }))
        .send()
        .await
        .unwrap();
    let (status, _, body) = crate::error_code(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["message"].as_str().unwrap().contains("诉求内容"), "{body}");

    // 2. The hotline sees it on its desk with a suggestion: 属地 青山镇 from the place name.
    let hotline = app.login("hotline").await;
    let v: Value = hotline.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
    assert_eq!(v["appeal"]["state"], "received");
    assert_eq!(v["appeal"]["phone"], PHONE, "the hotline sees the contact");
    assert_eq!(v["suggestion"]["unit"], "青山镇", "{v}");
    assert!(v["suggestion"]["words"].as_array().unwrap().iter().any(|w| w == "竹林村" || w == "青山镇"), "the words that decided: {v}");
    let desk = hotline.get(&app, "/appeals").await.text().await.unwrap();
    assert!(desk.contains(&code));

    // 3. Dispatched to the wrong township on 15 June 2026 (a Monday): a complaint has 13
    // working days, and 19 June is 端午, so the limit is the end of 3 July.
    let a = act(&hotline, &app, id, json!({ "action": "dispatch", "unit_id": app.unit_id("城关镇").await })).await;
    assert_eq!(a["state"], "dispatched");
    let due = luoshi_domain::time::format_local(a["due_at"].as_i64().unwrap() - 1);
    assert!(due.starts_with("2026-07-03"), "{due}");

    // 4. 城关镇 gives it back: not its area. The hotline reassigns it to 青山镇.
    let staff = app.login("staff").await;
    let inbox: Value = staff.get(&app, "/api/v1/inbox").await.json().await.unwrap();
    assert!(inbox["duties"].as_array().unwrap().iter().any(|x| x["kind"] == "appeal" && x["id"] == id));
    assert!(!inbox.to_string().contains("5678"), "the 待办 carries no citizen's contact at all");
    let r = staff.post(&app, &format!("/api/v1/appeals/{id}/act"), json!({ "action": "give_back", "reason": "not_our_area" })).await;
    assert_eq!(crate::error_code(r).await.1, "required", "a 退单 needs its explanation");
    act(&staff, &app, id, json!({ "action": "give_back", "reason": "not_our_area", "note": "竹林村属青山镇" })).await;
    let r = hotline.post(&app, &format!("/api/v1/appeals/{id}/act"), json!({ "action": "reassign", "unit_id": app.unit_id("城关镇").await })).await;
    assert_eq!(crate::error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY, "not back to the unit that returned it");
    act(&hotline, &app, id, json!({ "action": "reassign", "unit_id": app.unit_id("青山镇").await })).await;
    // 城关镇 no longer sees it at all.
    assert_eq!(staff.get(&app, &format!("/api/v1/appeals/{id}")).await.status(), StatusCode::NOT_FOUND);

    // 5. 青山镇 signs, asks for more time (granted), and replies.
    let qs = app.login("staff2").await;
    let v: Value = qs.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
    assert_eq!(v["appeal"]["id_number"], "110105********002X");
    assert_eq!(v["appeal"]["citizen_name"], "赵**");
    act(&qs, &app, id, json!({ "action": "sign" })).await;
    let r = qs.post(&app, &format!("/api/v1/appeals/{id}/extension"), json!({ "new_deadline": "2026-07-10", "reason": "需要组织双方现场测量" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = hotline.post(&app, &format!("/api/v1/appeals/{id}/extension/decision"), json!({ "approve": "true", "note": "同意" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let a = r.json::<Value>().await.unwrap()["appeal"].clone();
    assert!(luoshi_domain::time::format_local(a["due_at"].as_i64().unwrap() - 1).starts_with("2026-07-10"));
    act(&qs, &app, id, json!({ "action": "reply", "reply": "已组织双方现场测量，按确权界址调解。" })).await;

    // 6. The citizen follows it by code (no personal data) and is not satisfied: 重办.
    let t: Value = TestApp::client().get(app.url(&format!("/api/v1/public/appeals/{}", code.to_lowercase()))).send().await.unwrap().json().await.unwrap();
    assert_eq!(t["state"], "replied");
    assert_eq!(t["may_rate"], true);
    assert!(!t.to_string().contains(PHONE) && !t.to_string().contains("赵大山") && !t.to_string().contains("staff2"), "{t}");
    // The tracking code alone (public: it is the Open311 id) rates nothing.
    for wrong in [json!({ "rating": "unsatisfied" }), json!({ "rating": "unsatisfied", "rating_code": "ABCD-EFGH" })] {
        let r = TestApp::client().post(app.url(&format!("/api/v1/public/appeals/{code}/rating"))).json(&wrong).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
    }
    let r = TestApp::client()
        .post(app.url(&format!("/api/v1/public/appeals/{code}/rating")))
        .json(&json!({ "rating": "unsatisfied", "comment": "墙还没拆", "rating_code": rating_code.to_lowercase() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let a: Value = qs.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
    assert_eq!(a["appeal"]["state"], "dispatched");
    assert_eq!(a["appeal"]["rework_count"], 1);
    assert_eq!(a["light"], "yellow", "a reworked order shows yellow while on time");

    // 7. Rework, a second reply, and the second rating is the one that counts.
    act(&qs, &app, id, json!({ "action": "sign" })).await;
    act(&qs, &app, id, json!({ "action": "reply", "reply": "违建围墙已拆除，界址已恢复。" })).await;
    let r = TestApp::client()
        .post(app.url(&format!("/api/v1/public/appeals/{code}/rating")))
        .json(&json!({ "rating": "satisfied", "rating_code": rating_code }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "closed");
    let v: Value = hotline.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
    assert_eq!(v["appeal"]["rating"], "satisfied");
    assert_eq!(v["light"], "done");
    let trail: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        trail,
        ["receive", "dispatch", "give_back", "reassign", "sign", "extension_request", "extension_approve", "reply", "rate", "sign", "reply", "rate"]
    );
    // Nothing more can be done to a closed order.
    let r = hotline.post(&app, &format!("/api/v1/appeals/{id}/act"), json!({ "action": "close", "note": "x" })).await;
    assert_eq!(crate::error_code(r).await.1, "conflict");
    // The audit chain holds.
    assert!(luoshi_storage::audit::verify(&app.t.db).await.unwrap().broken.is_none());
}

#[tokio::test]
async fn units_see_only_their_appeals_and_masking_holds_everywhere() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let mine = dispatched_to(&app, "城关镇").await;
    let theirs = dispatched_to(&app, "青山镇").await;
    let staff = app.login("staff").await;
    let list = staff.get(&app, "/api/v1/appeals").await.text().await.unwrap();
    assert!(list.contains(&format!("\"id\":{mine}")) && !list.contains(&format!("\"id\":{theirs}")));
    assert!(!list.contains(PHONE) && list.contains("138****5678"));
    assert_eq!(staff.get(&app, &format!("/api/v1/appeals/{theirs}")).await.status(), StatusCode::NOT_FOUND);
    let r = staff.post(&app, &format!("/api/v1/appeals/{theirs}/act"), json!({ "action": "sign" })).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Pages mask as the API does.
    let page = staff.get(&app, &format!("/appeals/{mine}")).await.text().await.unwrap();
    assert!(page.contains("138****5678") && !page.contains(PHONE) && !page.contains("赵大山"));
    // So does the export.
    let bytes = staff.get(&app, "/api/v1/appeals/export.xlsx").await.bytes().await.unwrap();
    let table = luoshi_ledger::read_table(&bytes, luoshi_ledger::Format::Xlsx).unwrap();
    assert_eq!(table.rows.len(), 1);
    assert!(table.rows[0].1.iter().any(|c| c == "138****5678") && !table.rows[0].1.iter().any(|c| c == PHONE || c == "赵大山"));
    let desk = app.login("hotline").await.get(&app, "/api/v1/appeals/export.xlsx").await.bytes().await.unwrap();
    let table = luoshi_ledger::read_table(&desk, luoshi_ledger::Format::Xlsx).unwrap();
    assert_eq!(table.rows.len(), 2);
    assert!(table.rows.iter().all(|r| r.1.iter().any(|c| c == PHONE)), "the hotline's export has the contacts");
    // The supervision office and leaders read everything, masked.
    for who in ["supervisor", "leader"] {
        let s = app.login(who).await;
        let body = s.get(&app, "/api/v1/appeals").await.text().await.unwrap();
        assert!(body.contains(&format!("\"id\":{theirs}")) && !body.contains(PHONE), "{who}");
    }
    // A unit may not dispatch, nor register; a deputy sees nothing.
    let r = staff.post(&app, &format!("/api/v1/appeals/{mine}/act"), json!({ "action": "dispatch", "unit_id": 1 })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(staff.post(&app, "/api/v1/appeals", json!({})).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.login("deputy").await.get(&app, "/api/v1/appeals").await.status(), StatusCode::FORBIDDEN);
    // Open311 shows no personal data.
    let o = TestApp::client().get(app.url("/open311/v2/requests.json?extensions=true")).send().await.unwrap().text().await.unwrap();
    assert!(!o.contains(PHONE) && !o.contains("赵大山") && !o.contains("138****"), "{o}");
    // Search by words and light.
    let hotline = app.login("hotline").await;
    let found: Value = hotline.get(&app, "/api/v1/appeals?q=宅基地%20砌墙").await.json().await.unwrap();
    assert_eq!(found["appeals"].as_array().unwrap().len(), 2);
    let none: Value = hotline.get(&app, "/api/v1/appeals?q=路灯").await.json().await.unwrap();
    assert!(none["appeals"].as_array().unwrap().is_empty());
    let r = hotline.get(&app, "/api/v1/appeals?light=purple").await;
    assert_eq!(crate::error_code(r).await.1, "invalid");
}

/// Appeals arriving together are written together (group commit): each caller gets its own
/// tracking code only after the commit, every order is whole (its trail row, its audit row in
/// an unbroken chain), and one bad appeal in the crowd fails only itself.
#[tokio::test]
async fn appeals_received_together_are_each_whole() {
    let app = spawn_app().await;
    let sys = luoshi_app::Who::system("test");
    luoshi_app::appeals::seed_categories(&app.t.db, &sys).await.unwrap();
    let (_, key) = luoshi_app::appeals::issue_key(&app.t.db, &sys, "client").await.unwrap();
    let audit_before = luoshi_storage::audit::verify(&app.t.db).await.unwrap().checked;
    let mut posts = Vec::new();
    for i in 0..40 {
        let (base, key) = (app.base.clone(), key.clone());
        posts.push(tokio::spawn(async move {
            // Every tenth names a service nobody offers.
            let service = if i % 10 == 9 { "nosuch" } else { "road" };
            let form = [
                ("api_key", key),
                ("service_code", service.to_string()),
                ("address_string", format!("城关镇解放路{i}号")),
                ("description", format!("路面第{i}处坑洼需要修补")),
            ];
            let r = TestApp::client().post(format!("{base}/open311/v2/requests.json")).form(&form).send().await.unwrap();
            (i, r.status(), r.text().await.unwrap())
        }));
    }
    let mut codes = std::collections::BTreeSet::new();
    for p in posts {
        let (i, status, body) = p.await.unwrap();
        if i % 10 == 9 {
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let code = v[0]["service_request_id"].as_str().unwrap().to_string();
        // Readable at once, with its own text and its first trail row.
        let one = luoshi_storage::appeals::by_code(&app.t.db, &code).await.unwrap().unwrap();
        assert!(one.content.contains(&format!("第{i}处")), "{one:?}");
        assert_eq!(luoshi_storage::appeals::events(&app.t.db, one.id).await.unwrap().len(), 1);
        assert!(codes.insert(code), "tracking codes are distinct");
    }
    assert_eq!(codes.len(), 36);
    for code in &codes {
        let a = luoshi_storage::appeals::by_code(&app.t.db, code).await.unwrap().unwrap();
        let trail = luoshi_storage::appeals::events(&app.t.db, a.id).await.unwrap();
        assert_eq!(trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["receive"], "{code}");
    }
    let report = luoshi_storage::audit::verify(&app.t.db).await.unwrap();
    assert!(report.broken.is_none());
    assert_eq!(report.checked, audit_before + 36);
}

/// The public page's limit per address and hour is one count in the database: two nodes on the
/// same database share it, and the submission past it is refused with `too_many_attempts`.
#[tokio::test]
async fn two_nodes_share_the_public_intake_limit() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    // A second node on the same database.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let state = luoshi_web::AppState::new(
        app.t.db.clone(),
        luoshi_web::Config { today: Some(crate::day(crate::TODAY)), time_of_day: crate::MORNING, ..Default::default() },
    );
    tokio::spawn(async move { luoshi_web::serve(state, listener, std::future::pending()).await.unwrap() });
    let body = |i: usize| json!({ "kind": "complaint", "category": "road", "content": format!("路面第{i}处坑洼需要修补"), "address": "城关镇解放路" });
    let started_hour = luoshi_storage::now_micros() / 3_600_000_000;
    for i in 0..20 {
        let base = if i % 2 == 0 { &app.base } else { &other };
        let r = TestApp::client().post(format!("{base}/api/v1/public/appeals")).json(&body(i)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "submission {i}");
    }
    if luoshi_storage::now_micros() / 3_600_000_000 != started_hour {
        return; // the clock struck the hour meanwhile: a new window, nothing to check this time
    }
    for base in [&app.base, &other] {
        let r = TestApp::client().post(format!("{base}/api/v1/public/appeals")).json(&body(99)).send().await.unwrap();
        let (status, code, v) = crate::error_code(r).await;
        assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"), "{v}");
    }
}

/// Appeals have their ladder in the one supervision run: 催办 before the limit, 督办 once
/// overdue, 通报 after the county's rule — each raised once, whichever node runs it — with the
/// light recomputed in the record, the notice in the unit's inbox and the trail.
#[tokio::test]
async fn the_one_supervision_run_raises_the_ladder_of_appeals() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    // Dispatched on Monday 15 June: a complaint's 13 working days end on 3 July (端午 off).
    let id = dispatched_to(&app, "城关镇").await;
    let sup = app.login("supervisor").await;
    let run = |s: &'static str| {
        let (sup, app) = (&sup, &app);
        async move {
            app.state.set_today(crate::day(s));
            let v: Value = sup.post(app, "/api/v1/supervision/run", json!({})).await.json().await.unwrap();
            v["appeals"].clone()
        }
    };
    let on_time = run("2026-06-16").await;
    assert_eq!((on_time["reminders"].as_u64(), on_time["notices"].as_u64()), (Some(0), Some(0)), "{on_time}");
    let before_limit = run("2026-07-02").await;
    assert_eq!(before_limit["reminders"], 1, "{before_limit}");
    let overdue = run("2026-07-06").await;
    assert_eq!((overdue["notices"].as_u64(), overdue["lights_changed"].as_u64()), (Some(1), Some(1)), "{overdue}");
    assert_eq!(run("2026-07-06").await["notices"], 0, "raised once");
    // Another node on the same database raises nothing again either.
    let other = luoshi_app::supervision::supervise(&app.t.db, crate::day("2026-07-06")).await.unwrap();
    assert_eq!(other.appeals.notices + other.appeals.reminders, 0);
    let late = run("2026-07-13").await;
    assert_eq!(late["reports"], 1, "{late}");
    // The record's light, the unit's inbox and the trail.
    let page = luoshi_storage::duty::page(&app.t.db, Some(("appeal", id - 1)), 1).await.unwrap();
    assert_eq!((page[0].ref_id, page[0].light.as_str()), (id, "red"));
    let staff = app.login("staff").await;
    let inbox = staff.get(&app, "/inbox").await.text().await.unwrap();
    assert!(inbox.contains(&format!("/appeals/{id}")), "the appeal's notice links to the appeal");
    let trail: Vec<String> = luoshi_storage::appeals::events(&app.t.db, id).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(trail.iter().filter(|a| a.starts_with("notice_")).collect::<Vec<_>>(), ["notice_reminder", "notice_notice", "notice_report"]);
    assert!(luoshi_storage::audit::verify(&app.t.db).await.unwrap().broken.is_none());
}
