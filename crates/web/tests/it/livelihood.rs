//! 民生实事 over HTTP (issue 18), end to end: proposals from a citizen, a deputy and an appeal;
//! a screening that excludes one by rule and one by what the county can afford; a vote with
//! electronic ballots and an imported paper count, its integrity and secrecy read from the
//! database; the winners by the county's rule delivered as tasks; the deputies' and the
//! citizens' ratings; the published view without personal data.

use crate::{error_code, spawn_app, Session, TestApp, PW};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

const CITIZEN_PHONE: &str = "13900001234";

async fn user(app: &TestApp, admin: &Session, username: &str, unit: &str, role: &str) {
    let unit_id = app.unit_id(unit).await;
    let r = admin.post(app, "/api/v1/users", json!({ "username": username, "display_name": username, "unit_id": unit_id, "role": role, "password": PW })).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
}

async fn created(r: reqwest::Response) -> i64 {
    let s = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

async fn act(s: &Session, app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    s.post(app, &format!("/api/v1/livelihood/proposals/{id}/actions"), body).await
}

async fn ok(r: reqwest::Response) -> Value {
    let s = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(s.is_success(), "{s} {v}");
    v
}

fn assessment(county: &str, universal: bool) -> Value {
    json!({ "action": "assess", "necessity": "群众反映强烈", "reality": "场地已落实", "possibility": "年内可完成", "cost_wan": "5000", "county_wan": county,
        "funding": "县级财政", "beneficiaries": "5000", "universal": universal, "public_welfare": true })
}

async fn screened(desk: &Session, dept: &Session, app: &TestApp, id: i64, unit: i64, county: &str, universal: bool) {
    ok(act(desk, app, id, json!({ "action": "assign", "unit_id": unit })).await).await;
    ok(act(dept, app, id, assessment(county, universal)).await).await;
}

#[tokio::test]
async fn from_proposal_to_vote_delivery_and_rating() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    user(&app, &admin, "desk", "县政府办公室", "unit_staff").await;
    user(&app, &admin, "civil", "县民政局", "unit_staff").await;
    user(&app, &admin, "teller1", "县人大常委会办公室", "unit_staff").await;
    user(&app, &admin, "teller2", "县人大常委会办公室", "unit_manager").await;
    for d in ["dep1", "dep2", "dep3"] {
        user(&app, &admin, d, "县人大常委会办公室", "deputy").await;
    }
    let (desk, civil, teller1, teller2, finance) =
        (app.login("desk").await, app.login("civil").await, app.login("teller1").await, app.login("teller2").await, app.login("finance").await);
    let civil_unit = app.unit_id("县民政局").await;

    // 征集: a citizen (no account; a phone is required and never published), a deputy, an appeal.
    let plain = TestApp::client();
    let r = plain
        .post(app.url("/api/v1/public/livelihood"))
        .json(&json!({ "title": "增设社区老年食堂", "content": "老人吃饭难", "area": "elderly" }))
        .send()
        .await
        .unwrap();
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "required", Some("phone")));
    // Outside the collection period (September by default) a proposal waits in the reserve.
    let early = created(
        plain
            .post(app.url("/api/v1/public/livelihood"))
            .json(&json!({ "title": "修缮村文化礼堂", "content": "礼堂漏雨", "area": "culture", "phone": "13900004321" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{early}")).await).await["p"]["state"].as_str(), Some("reserved"));
    ok(desk.put(&app, "/api/v1/livelihood/year", json!({ "year": "2027", "collect_from": "2026-06-01", "collect_to": "2026-06-30" })).await).await;
    let citizen_body = json!({ "title": "增设社区老年食堂", "content": "城东老人吃饭难，希望在社区办老年食堂。", "area": "elderly", "name": "钱多多", "phone": CITIZEN_PHONE });
    let p1 = created(plain.post(app.url("/api/v1/public/livelihood")).json(&citizen_body).send().await.unwrap()).await;
    let deputy = app.login("deputy").await;
    let p2 = created(
        deputy.post(&app, "/api/v1/livelihood/proposals", json!({ "title": "改造城关镇农贸市场", "content": "市场雨天积水", "area": "municipal" })).await,
    )
    .await;
    let p5 = created(deputy.post(&app, "/api/v1/livelihood/proposals", json!({ "title": "新建青山镇幼儿园", "content": "入园难", "area": "childcare" })).await)
        .await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let appeal = crate::appeals::dispatched_to(&app, "青山镇").await;
    let hotline = app.login("hotline").await;
    let p3 =
        created(hotline.post(&app, &format!("/api/v1/livelihood/from-appeal/{appeal}"), json!({ "title": "宅基地界址纠纷调处中心", "area": "rural" })).await)
            .await;
    assert_eq!(
        created(hotline.post(&app, &format!("/api/v1/livelihood/from-appeal/{appeal}"), json!({ "title": "again", "area": "rural" })).await).await,
        p3,
        "once per appeal"
    );
    let v = ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{p3}")).await).await;
    assert_eq!((v["p"]["source"].as_str(), v["p"]["appeal_id"].as_i64()), (Some("appeal"), Some(appeal)));
    assert!(v["p"]["citizen_phone"].is_null(), "the caller's phone stays with the appeal");
    let p4 =
        created(civil.post(&app, "/api/v1/livelihood/proposals", json!({ "title": "建设县社会福利中心", "content": "床位不足", "area": "elderly" })).await)
            .await;
    // Personal data: the desk sees the citizen's phone, the deputy does not see the proposal at all.
    let v = ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{p1}")).await).await;
    assert_eq!(v["p"]["citizen_phone"].as_str(), Some(CITIZEN_PHONE));
    assert_eq!(deputy.get(&app, &format!("/api/v1/livelihood/proposals/{p1}")).await.status(), StatusCode::NOT_FOUND);
    let mine = ok(deputy.get(&app, "/api/v1/livelihood/proposals").await).await;
    assert_eq!(mine["proposals"].as_array().unwrap().len(), 2, "a deputy lists his own");

    // 可用财力: the finance bureau's; the desk may not set it.
    assert_eq!(desk.put(&app, "/api/v1/livelihood/year/capacity", json!({ "year": "2027", "capacity_wan": "3000" })).await.status(), StatusCode::FORBIDDEN);
    ok(finance.put(&app, "/api/v1/livelihood/year/capacity", json!({ "year": "2027", "capacity_wan": "3000" })).await).await;

    // 筛选: assign and assess; the department's clock runs in working days.
    ok(act(&desk, &app, p1, json!({ "action": "assign", "unit_id": civil_unit })).await).await;
    let v = ok(civil.get(&app, &format!("/api/v1/livelihood/proposals/{p1}")).await).await;
    assert_eq!(v["p"]["days_left"].as_i64(), Some(15));
    assert_eq!(v["may"], json!(["assess"]));
    let (status, _, body) = error_code(
        act(
            &civil,
            &app,
            p1,
            json!({ "action": "assess", "necessity": "x", "reality": "y", "possibility": "z", "cost_wan": "100", "county_wan": "200", "funding": "县级财政" }),
        )
        .await,
    )
    .await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("county_wan")));
    ok(act(&civil, &app, p1, assessment("1000", true)).await).await;
    screened(&desk, &civil, &app, p2, civil_unit, "800", true).await;
    screened(&desk, &civil, &app, p3, civil_unit, "300", false).await;
    screened(&desk, &civil, &app, p4, civil_unit, "4000", true).await;
    screened(&desk, &civil, &app, p5, civil_unit, "1500", true).await;
    for p in [p1, p2] {
        ok(act(&desk, &app, p, json!({ "action": "shortlist" })).await).await;
    }
    // By rule: not 普惠 (the appeal's dispute centre serves a few).
    let (status, code, body) = error_code(act(&desk, &app, p3, json!({ "action": "shortlist" })).await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("exclusion")));
    assert!(body["error"]["message"].as_str().unwrap().contains("不具有普惠性"), "{body}");
    let (status, _, _) = error_code(act(&desk, &app, p3, json!({ "action": "exclude" })).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "excluding needs its reason");
    ok(act(&desk, &app, p3, json!({ "action": "exclude", "reason": "不具有普惠性" })).await).await;
    // By what the county can afford: 1,800 listed + 4,000 is above 150 % of 3,000.
    let (status, code, body) = error_code(act(&desk, &app, p4, json!({ "action": "shortlist" })).await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "out_of_range", Some("county_wan")));
    assert!(body["error"]["message"].as_str().unwrap().contains("2700万元"), "{body}");
    ok(act(&desk, &app, p4, json!({ "action": "reserve" })).await).await;
    ok(act(&desk, &app, p5, json!({ "action": "shortlist" })).await).await;
    // The core's ladder chases the department's assessment, never a candidate awaiting the vote.
    let lines = luoshi_storage::duty::of_ids(&app.t.db, "livelihood", &[p1, p4]).await.unwrap();
    assert!(lines.iter().all(|l| l.due_at.is_none()), "{lines:?}");
    ok(act(&desk, &app, p4, json!({ "action": "assign", "unit_id": civil_unit })).await).await;
    let line = luoshi_storage::duty::of_ids(&app.t.db, "livelihood", &[p4]).await.unwrap();
    assert!(line[0].due_at.is_some() && line[0].phase == "running", "{line:?}");
    // The department cannot shortlist; the workflow says what it may do.
    assert_eq!(act(&civil, &app, p5, json!({ "action": "withdraw", "reason": "x" })).await.status(), StatusCode::FORBIDDEN);

    // 票决: 7 members, 6 present; 4 vote from their accounts, 2 on paper.
    let (status, _, _) = error_code(deputy.post(&app, "/api/v1/livelihood/sessions", json!({ "kind": "vote", "title": "x", "members": "7" })).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a deputy does not run the session");
    let s =
        created(teller1.post(&app, "/api/v1/livelihood/sessions", json!({ "kind": "vote", "title": "县人代会民生实事项目票决", "members": "7" })).await).await;
    let (status, _, body) = error_code(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{s}/open"), json!({ "present": "3" })).await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("present")), "no quorum");
    ok(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{s}/open"), json!({ "present": "6" })).await).await;
    let ballots = [
        ("deputy", [(p1, "yes"), (p2, "yes"), (p5, "yes")]),
        ("dep1", [(p1, "yes"), (p2, "yes"), (p5, "abstain")]),
        ("dep2", [(p1, "yes"), (p2, "yes"), (p5, "yes")]),
        ("dep3", [(p1, "yes"), (p2, "no"), (p5, "abstain")]),
    ];
    for (who, marks) in &ballots {
        let m: serde_json::Map<String, Value> = marks.iter().map(|(p, c)| (p.to_string(), json!(c))).collect();
        let r = app.login(who).await.post(&app, &format!("/api/v1/livelihood/sessions/{s}/ballot"), json!({ "marks": m })).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{who}: {}", r.text().await.unwrap());
    }
    let (status, code, body) =
        error_code(deputy.post(&app, &format!("/api/v1/livelihood/sessions/{s}/ballot"), json!({ "marks": { p1.to_string(): "no" } })).await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::CONFLICT, "conflict", Some("voted")), "a second ballot");
    let v = ok(teller1.get(&app, &format!("/api/v1/livelihood/sessions/{s}")).await).await;
    assert!(v["candidates"].as_array().unwrap().iter().all(|c| c["electronic"]["a"] == json!(0)), "no count while open");
    ok(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{s}/close"), json!({})).await).await;
    let late = app.login("dep1").await;
    let (status, _, body) = error_code(late.post(&app, &format!("/api/v1/livelihood/sessions/{s}/ballot"), json!({ "marks": {} })).await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("state")), "a ballot after the close");
    // Paper: 6 present less 4 electronic leaves 2 ballots at most.
    let (status, _, body) =
        error_code(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{s}/paper"), json!({ "ballots": "3", "counts": "" })).await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("paper_ballots")));
    assert!(body["error"]["message"].as_str().unwrap().contains("最多2张"), "{body}");
    let (status, _, body) =
        error_code(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{s}/paper"), json!({ "ballots": "2", "counts": format!("{p1},3,0,0") })).await)
            .await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("paper_count")));
    ok(teller1
        .post(&app, &format!("/api/v1/livelihood/sessions/{s}/paper"), json!({ "ballots": "2", "counts": format!("{p1},2,0,0\n{p2},1,1,0\n{p5},2,0,0") }))
        .await)
    .await;
    // Totals equal the ballots: every item was marked on every ballot.
    let v = ok(teller1.get(&app, &format!("/api/v1/livelihood/sessions/{s}")).await).await;
    for c in v["candidates"].as_array().unwrap() {
        let sum: i64 = ["electronic", "paper"].iter().flat_map(|k| ["a", "b", "c"].map(|x| c[k][x].as_i64().unwrap())).sum();
        assert_eq!(sum, 6, "{c}");
    }
    // The secret ballot: who voted is stored, how is not.
    secrecy(&app, s).await;
    // Two tellers sign; the result: P1 6 votes, P2 and P5 4 each (more than half of 7);
    // the tie goes to the lower cost (P2, 800); P5 (1,500) no longer fits 3,000 − 1,000 − 800.
    let v = ok(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{s}/sign"), json!({ "role": "counter" })).await).await;
    assert_eq!(v["chosen"], json!([]));
    let (status, _, _) = error_code(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{s}/sign"), json!({ "role": "scrutineer" })).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "one signature each");
    let v = ok(teller2.post(&app, &format!("/api/v1/livelihood/sessions/{s}/sign"), json!({ "role": "scrutineer" })).await).await;
    assert_eq!((v["chosen"].clone(), v["tasks_made"].as_i64()), (json!([p1, p2]), Some(2)));
    let v = ok(teller1.get(&app, &format!("/api/v1/livelihood/sessions/{s}")).await).await;
    let outcome = |p: i64| {
        v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["proposal_id"] == json!(p))
            .map(|c| (c["rank"].as_i64().unwrap(), c["outcome"].as_str().unwrap().to_string()))
            .unwrap()
    };
    assert_eq!((outcome(p1), outcome(p2), outcome(p5)), ((1, "chosen".into()), (2, "chosen".into()), (3, "over_budget".into())));

    // 实施: each chosen project a task of its department, handed out, due at the year's end.
    let v = ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{p1}")).await).await;
    assert_eq!(v["p"]["state"].as_str(), Some("chosen"));
    let task = v["p"]["task_id"].as_i64().unwrap();
    let t = ok(app.login("supervisor").await.get(&app, &format!("/api/v1/tasks/{task}")).await).await;
    assert_eq!(
        (t["task"]["owner_unit_id"].as_i64(), t["task"]["state"].as_str(), t["task"]["deadline"].as_str()),
        (Some(civil_unit), Some("assigned"), Some("2027-12-31")),
        "{t}"
    );
    assert_eq!(ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{p5}")).await).await["p"]["state"].as_str(), Some("not_chosen"));
    // Money spent: the delivering unit's running total, never above the cost.
    let (status, _, body) = error_code(civil.post(&app, &format!("/api/v1/livelihood/proposals/{p1}/spent"), json!({ "spent_wan": "6000" })).await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spent_wan")));
    ok(civil.post(&app, &format!("/api/v1/livelihood/proposals/{p1}/spent"), json!({ "spent_wan": "650.5" })).await).await;
    assert_eq!(deputy.post(&app, &format!("/api/v1/livelihood/proposals/{p1}/spent"), json!({ "spent_wan": "1" })).await.status(), StatusCode::FORBIDDEN);

    // 评议: the deputies rate (secret, against all 7 members), citizens rate apart.
    let r = created(
        teller1
            .post(&app, "/api/v1/livelihood/sessions", json!({ "kind": "rating", "title": "2027年民生实事项目满意度测评", "members": "7", "year": "2027" }))
            .await,
    )
    .await;
    ok(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{r}/open"), json!({ "present": "5" })).await).await;
    let rating = [("deputy", "satisfied", "satisfied"), ("dep1", "satisfied", "satisfied"), ("dep2", "satisfied", "basic"), ("dep3", "satisfied", "basic")];
    for (who, a, b) in rating {
        let r2 = app
            .login(who)
            .await
            .post(&app, &format!("/api/v1/livelihood/sessions/{r}/ballot"), json!({ "marks": { p1.to_string(): a, p2.to_string(): b } }))
            .await;
        assert_eq!(r2.status(), StatusCode::CREATED);
    }
    ok(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{r}/close"), json!({})).await).await;
    ok(teller1.post(&app, &format!("/api/v1/livelihood/sessions/{r}/sign"), json!({ "role": "counter" })).await).await;
    ok(teller2.post(&app, &format!("/api/v1/livelihood/sessions/{r}/sign"), json!({ "role": "scrutineer" })).await).await;
    // P1: 4 满意 of 7 members is more than half; P2: 2 满意 is not, 2 + 2 is.
    let rated = |v: Value| v["p"]["rating"].as_str().map(str::to_string);
    assert_eq!(rated(ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{p1}")).await).await), Some("satisfied".into()));
    assert_eq!(rated(ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{p2}")).await).await), Some("basic".into()));
    // The rating is the duty's grade: the cockpit and the 测评满意率 indicator count it.
    let kept = luoshi_storage::duty::tallies::kept(&app.t.db).await.unwrap();
    assert!(kept.iter().any(|(k, n)| k.kind == "livelihood" && k.event == "now" && k.grade == "satisfied" && *n >= 1), "{kept:?}");
    assert!(luoshi_storage::duty::tallies::verify(&app.t.db).await.unwrap().is_empty());
    let rate = |phone: &str, rating: &str| {
        plain.post(app.url(&format!("/api/v1/public/livelihood/{p1}/rating"))).json(&json!({ "phone": phone, "rating": rating })).send()
    };
    assert_eq!(rate("13700000001", "satisfied").await.unwrap().status(), StatusCode::CREATED);
    let (status, _, body) = error_code(rate("137-0000-0001", "unsatisfied").await.unwrap()).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::CONFLICT, Some("phone")), "one rating per phone");
    assert_eq!(rate("13700000002", "basic").await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(
        plain
            .post(app.url(&format!("/api/v1/public/livelihood/{p3}/rating")))
            .json(&json!({ "phone": "13700000003", "rating": "basic" }))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Published: the projects with their delivery and both ratings; no name, phone or note.
    let text = plain.get(app.url("/api/v1/public/livelihood")).send().await.unwrap().text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let first = v["candidates"].as_array().unwrap().iter().find(|p| p["id"] == json!(p1)).unwrap().clone();
    assert_eq!(
        (first["state"].as_str(), first["public"]["satisfied"].as_i64(), first["deputies_rating"].as_str()),
        (Some("chosen"), Some(1), Some("satisfied"))
    );
    for secret in [CITIZEN_PHONE, "钱多多", "13700000001", "不具有普惠性"] {
        assert!(!text.contains(secret), "published {secret}");
    }
    let page = plain.get(app.url("/public/livelihood")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("增设社区老年食堂") && !page.contains(CITIZEN_PHONE));

    // The trail and the audit chain hold every step.
    let v = ok(desk.get(&app, &format!("/api/v1/livelihood/proposals/{p1}")).await).await;
    let steps: Vec<&str> = v["trail"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert_eq!(steps, ["submit", "assign", "assess", "shortlist", "choose", "rate"]);
    assert!(luoshi_storage::audit::verify(&app.t.db).await.unwrap().broken.is_none());
}

/// Read the database: who voted is there, and nothing links a deputy to a choice — no ballot
/// rows, no marks in the audit rows of the ballots, no per-deputy column beside the counts.
async fn secrecy(app: &TestApp, session: i64) {
    let pool = app.t.db.pool();
    let voters = sqlx::query("SELECT user_id FROM livelihood_voters WHERE session_id = $1").bind(session).fetch_all(pool).await.unwrap();
    assert_eq!(voters.len(), 4);
    let open = sqlx::query("SELECT user_id FROM livelihood_open_ballots WHERE session_id = $1").bind(session).fetch_all(pool).await.unwrap();
    assert!(open.is_empty(), "a secret session keeps no ballot");
    let audited = sqlx::query("SELECT actor, after_json FROM audit_log WHERE action = 'livelihood.session.ballot' AND entity_id = $1")
        .bind(session.to_string())
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(audited.len(), 4, "who voted is audited");
    for r in &audited {
        let after: String = r.get("after_json");
        assert_eq!(after, "{\"voted\":true}", "no mark in the audit row");
    }
    // The counts are aggregates: no column names a deputy.
    let cols = sqlx::query("SELECT * FROM livelihood_candidates WHERE session_id = $1").bind(session).fetch_all(pool).await.unwrap();
    for r in &cols {
        for c in sqlx::Row::columns(r) {
            assert!(!sqlx::Column::name(c).contains("user"), "{}", sqlx::Column::name(c));
        }
    }
}
