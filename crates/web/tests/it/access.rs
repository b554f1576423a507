//! The authorization matrix: every declared route, for anonymous callers and every role,
//! against its policy; and cross-unit isolation for every route that takes an id.

use crate::{spawn_app, TestApp};
use luoshi_domain::user::Role;
use luoshi_web::routes::specs;
use reqwest::{Method, StatusCode};
use serde_json::json;

const ROLE_USERS: &[(Role, &str)] = &[
    (Role::Admin, "admin"),
    (Role::Leader, "leader"),
    (Role::Supervisor, "supervisor"),
    (Role::UnitManager, "manager"),
    (Role::UnitStaff, "staff"),
    (Role::Hotline, "hotline"),
    (Role::Deputy, "deputy"),
];

/// Who of [`ROLE_USERS`] is in a realm's audience: the debt book's is the finance bureau, the
/// principal leaders (李县长 is one) and those granted sight (none here); the livelihood desk's
/// its unit's people and the principal leaders.
fn in_realm(policy: luoshi_domain::access::Policy, name: &str) -> bool {
    match policy {
        luoshi_domain::access::Policy::Realm(_, luoshi_domain::access::Realm::Debt | luoshi_domain::access::Realm::LivelihoodDesk) => name == "leader",
        // Nobody of the fixtures works in the finance bureau or the congress office.
        luoshi_domain::access::Policy::Realm(_, luoshi_domain::access::Realm::LivelihoodFinance | luoshi_domain::access::Realm::Congress) => false,
        _ => true,
    }
}

/// Ids to put in paths, by the kind of record a path names.
struct Ids {
    unit: i64,
    user: i64,
    task: i64,
    directive: i64,
    extension: i64,
    exemption: i64,
    appeal: i64,
}

fn fill(path: &str, ids: &Ids) -> String {
    let id = if path.contains("/units/") {
        ids.unit
    } else if path.contains("/users/") {
        ids.user
    } else if path.contains("/tasks/") {
        ids.task
    } else if path.contains("/directives/") {
        ids.directive
    } else if path.contains("/extensions/") {
        ids.extension
    } else if path.contains("/exemptions/") {
        ids.exemption
    } else if path.contains("/appeals/") {
        ids.appeal
    } else {
        999_999
    };
    path.replace("{id}", &id.to_string())
        .replace("{aid}", "999999")
        .replace("{risk}", "999999")
        .replace("{photo}", "999999")
        .replace("{key}", "auth.session_hours")
        .replace("{code}", "en")
}

#[tokio::test]
async fn every_route_for_every_role_follows_its_policy() {
    let app = spawn_app().await;
    // A victim account for the user routes, inside 城关镇 so that its manager may reach it.
    let admin = app.login("admin").await;
    let town = app.unit_id("城关镇").await;
    let r = admin
        .post(&app, "/api/v1/users", json!({ "username": "victim", "display_name": "测试", "unit_id": town, "role": "unit_staff", "password": crate::PW }))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let victim = app.user_id("victim").await;
    let inbox: serde_json::Value = app.login("supervisor").await.get(&app, "/api/v1/inbox").await.json().await.unwrap();
    let ids = Ids {
        unit: town,
        user: victim,
        task: app.task_id("3.1.1").await,
        directive: app.task_directive("3.1.1").await,
        extension: inbox["extensions"][0]["id"].as_i64().unwrap(),
        exemption: inbox["exemptions"][0]["id"].as_i64().unwrap(),
        appeal: {
            luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
            crate::appeals::dispatched_to(&app, "青山镇").await
        },
    };
    let mut tokens = Vec::new();
    for (role, name) in ROLE_USERS {
        tokens.push((*role, app.token(name).await));
    }
    let routes = specs();
    assert!(routes.len() >= 50, "only {} routes declared", routes.len());
    let mut checked = 0;
    for spec in &routes {
        let path = fill(spec.path, &ids);
        let method = Method::from_bytes(spec.method.as_str().as_bytes()).unwrap();
        // anonymous
        let r = TestApp::client().request(method.clone(), app.url(&path)).json(&json!({})).send().await.unwrap();
        let s = r.status();
        if spec.policy.allows(None) {
            assert!(s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN, "anonymous {} {path}: {s}", spec.method);
        } else if spec.method == Method::GET && !path.starts_with("/api/") {
            assert_eq!(s, StatusCode::SEE_OTHER, "anonymous GET {path} should go to the login page");
            assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?next="));
        } else {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "anonymous {} {path}", spec.method);
        }
        // every role
        for ((role, token), (_, name)) in tokens.iter().zip(ROLE_USERS) {
            let r = TestApp::client().request(method.clone(), app.url(&path)).bearer_auth(token).json(&json!({})).send().await.unwrap();
            let s = r.status();
            if spec.policy.allows(Some(*role)) && in_realm(spec.policy, name) {
                assert!(s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN && s.as_u16() < 500, "{role:?} {} {path}: {s}", spec.method);
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{role:?} {} {path}", spec.method);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * ROLE_USERS.len());
    // Nothing outside the table is served, whatever the method.
    for m in [Method::GET, Method::POST, Method::DELETE] {
        let r = TestApp::client().request(m, app.url("/api/v1/secret")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_township_cannot_reach_another_townships_records() {
    let app = spawn_app().await;
    let other_unit = app.unit_id("青山镇").await;
    let other_village = app.unit_id("竹林村").await;
    let other_user = app.user_id("staff2").await;
    let own_unit = app.unit_id("城关镇").await;
    let other_task = app.task_id("1").await; // 青山镇's own task
    let other_directive = app.task_directive("1").await; // a directive with 青山镇's task only
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let other_appeal = crate::appeals::dispatched_to(&app, "青山镇").await;
    for who in ["staff", "manager"] {
        let s = app.login(who).await;
        for spec in specs().iter().filter(|s| s.path.contains("{id}")) {
            for unit in [other_unit, other_village] {
                let ids =
                    Ids { unit, user: other_user, task: other_task, directive: other_directive, extension: 999_999, exemption: 999_999, appeal: other_appeal };
                let path = fill(spec.path, &ids);
                let method = Method::from_bytes(spec.method.as_str().as_bytes()).unwrap();
                let r = s
                    .client
                    .request(method, app.url(&path))
                    .header("x-csrf-token", &s.csrf)
                    .json(&json!({ "name": "改名", "kind": "township", "password": "Another-pass-1" }))
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let body = r.text().await.unwrap();
                assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{who} {} {path}: {status} {body}", spec.method);
                assert!(
                    !body.contains("青山镇") && !body.contains("竹林村") && !body.contains("黄干事") && !body.contains("茶园村"),
                    "{who} {path} leaked: {body}"
                );
            }
        }
        // Lists show only the caller's subtree.
        let units = s.get(&app, "/api/v1/units").await.text().await.unwrap();
        assert!(units.contains("城关镇") && units.contains("城东村"));
        assert!(!units.contains("青山镇") && !units.contains("县财政局"));
        let page = s.get(&app, "/units").await.text().await.unwrap();
        assert!(page.contains("城东村") && !page.contains("青山镇"));
        // Their own unit they do see.
        assert_eq!(s.get(&app, &format!("/api/v1/units/{own_unit}")).await.status(), StatusCode::OK);
    }
    // The manager manages only their own township's accounts, and only unit roles.
    let m = app.login("manager").await;
    let users = m.get(&app, "/api/v1/users").await.text().await.unwrap();
    assert!(users.contains("林干事") && !users.contains("黄干事"));
    let r = m
        .post(
            &app,
            "/api/v1/users",
            json!({ "username": "intruder", "display_name": "越权", "unit_id": other_unit, "role": "unit_staff", "password": crate::PW }),
        )
        .await;
    assert_eq!(crate::error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        m.post(&app, "/api/v1/users", json!({ "username": "boss", "display_name": "越权", "unit_id": own_unit, "role": "admin", "password": crate::PW })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = m
        .post(
            &app,
            "/api/v1/users",
            json!({ "username": "newstaff", "display_name": "新干事", "unit_id": own_unit, "role": "unit_staff", "password": crate::PW }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // Nothing of this reached the database for the refused attempts.
    assert!(luoshi_storage::users::by_username(&app.t.db, "intruder").await.unwrap().is_none());
    assert!(luoshi_storage::users::by_username(&app.t.db, "boss").await.unwrap().is_none());
}

#[tokio::test]
async fn anonymous_callers_get_only_public_pages() {
    let app = spawn_app().await;
    let c = TestApp::client();
    for path in ["/login", "/healthz", "/readyz", "/api/openapi.json", "/assets/app.css"] {
        assert_eq!(c.get(app.url(path)).send().await.unwrap().status(), StatusCode::OK, "{path}");
    }
    let r = c.get(app.url("/api/v1/units")).send().await.unwrap();
    let (status, code, body) = crate::error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    assert_eq!(body["error"]["message"], "请先登录");
    assert!(!body.to_string().contains("示范县"));
}

/// The matrix's confidential and rating cases: a 保密 appeal is read in full by the desk
/// only, masked by those who may see it, not at all by anyone else or the public; rating needs
/// the rating code, whoever asks.
#[tokio::test]
async fn confidential_appeals_and_ratings_for_every_caller() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let hotline = app.login("hotline").await;
    let body = json!({ "kind": "report", "category": "neighbour", "content": "举报隔壁工厂夜间偷排废水，请为我保密。", "citizen_name": "钱多多", "phone": "13811112222", "confidential": true });
    let r = hotline.post(&app, "/api/v1/appeals", body).await;
    let v: serde_json::Value = r.json().await.unwrap();
    let (id, code) = (v["appeal"]["id"].as_i64().unwrap(), v["appeal"]["code"].as_str().unwrap().to_string());
    let rating_code = v["rating_code"].as_str().unwrap().to_string();
    let unit = app.unit_id("城关镇").await;
    hotline.post(&app, &format!("/api/v1/appeals/{id}/act"), json!({ "action": "dispatch", "unit_id": unit })).await;
    for (role, user) in ROLE_USERS {
        let s = app.login(user).await;
        let r = s.get(&app, &format!("/api/v1/appeals/{id}")).await;
        let status = r.status();
        let text = r.text().await.unwrap();
        match role {
            // The desk (the hotline, and administrators who run it) works with the caller's identity.
            Role::Hotline | Role::Admin => assert!(status == StatusCode::OK && text.contains("钱多多") && text.contains("13811112222"), "{role:?}: {text}"),
            // 城关镇 owns it; the office and leaders read everything: masked, the identity hidden.
            Role::UnitManager | Role::UnitStaff | Role::Supervisor | Role::Leader => {
                assert_eq!(status, StatusCode::OK, "{role:?}");
                assert!(!text.contains("钱多多") && !text.contains("13811112222") && !text.contains("1381111"), "{role:?} sees the identity: {text}");
            }
            _ => assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{role:?}: {status}"),
        }
    }
    let staff2 = app.login("staff2").await;
    assert_eq!(staff2.get(&app, &format!("/api/v1/appeals/{id}")).await.status(), StatusCode::NOT_FOUND, "another township");
    for path in [format!("/open311/v2/requests/{code}.json"), format!("/open311/v2/requests.json?service_request_id={code}")] {
        let text = TestApp::client().get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(!text.contains("偷排废水"), "{path}: {text}");
    }
    // Rating: the unit replies; nobody rates with the tracking code alone, logged in or not.
    let staff = app.login("staff").await;
    staff.post(&app, &format!("/api/v1/appeals/{id}/act"), json!({ "action": "sign" })).await;
    staff.post(&app, &format!("/api/v1/appeals/{id}/act"), json!({ "action": "reply", "reply": "已责令工厂整改并立案查处。" })).await;
    let rate = |body: serde_json::Value| TestApp::client().post(app.url(&format!("/api/v1/public/appeals/{code}/rating"))).json(&body).send();
    assert_eq!(rate(json!({ "rating": "unsatisfied" })).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = staff.post(&app, &format!("/api/v1/public/appeals/{code}/rating"), json!({ "rating": "unsatisfied" })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a logged-in unit rates its own reply no more than anyone");
    assert_eq!(rate(json!({ "rating": "satisfied", "rating_code": rating_code })).await.unwrap().status(), StatusCode::OK);
}
