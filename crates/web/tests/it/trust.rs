//! Holes found by trying to break luoshi (issue 13), each closed and kept closed: a workbook
//! that would abort the server, redirects off-site, supervision on other dates, wrong 通报
//! figures, implausible dates, framework errors in English, and the hardening of accounts.

use crate::{error_code, spawn_app, TestApp, PW};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A 1.5 KB workbook with cells at A1 and XFD1048576: read naively, a grid of 17 billion cells.
fn far_corner_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "代码").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_workbook_bomb_is_a_clear_error_and_the_server_lives() {
    let app = spawn_app().await;
    let bomb = far_corner_workbook();
    assert!(bomb.len() < 8 * 1024, "{}", bomb.len());
    let admin = app.login("admin").await;
    let sup = app.login("supervisor").await;
    for (s, path) in
        [(&admin, "/api/v1/units/import?name=u.xlsx"), (&sup, "/api/v1/tasks/import?name=t.xlsx&title=x&issued_on=2026-06-01&issuer=县委办&dry_run=true")]
    {
        let r = s.client.post(app.url(path)).header("x-csrf-token", &s.csrf).body(bomb.clone()).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(body.contains("bad_file"), "{path}: {body}");
    }
    assert_eq!(TestApp::client().get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn redirects_stay_on_this_site() {
    let app = spawn_app().await;
    let client = TestApp::client();
    for next in ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example", "/%0d%0aSet-Cookie:%20x=1"] {
        for path in [format!("/lang/en?next={next}"), format!("/login?next={next}")] {
            let r = client.get(app.url(&path)).send().await.unwrap();
            assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
            if let Some(loc) = r.headers().get("location") {
                assert_eq!(loc.to_str().unwrap(), "/", "{path}");
            }
            assert!(r.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap_or("").starts_with("x=")), "{path}");
        }
    }
    let r = client.get(app.url("/lang/en?next=/tasks%3Flight%3Dred")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/tasks?light=red");
}

#[tokio::test]
async fn supervision_writes_for_today_only() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let notices = || async { luoshi_storage::tasks::notices_in(&app.t.db, "2000-01-01", "9999-12-31").await.unwrap().len() };
    let before = notices().await;
    let (status, code, body) = error_code(sup.post(&app, "/api/v1/supervision/run?date=9999-12-31", json!({})).await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "out_of_range", Some("run_date")));
    // A rehearsal counts and writes nothing.
    let r: Value = sup.post(&app, "/api/v1/supervision/run?date=2026-08-03&rehearsal=true", json!({})).await.json().await.unwrap();
    assert_eq!(r["rehearsal"], true);
    assert!(r["notices"].as_u64().unwrap() + r["reports"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(notices().await, before, "a rehearsal writes nothing");
    // Today, written.
    let r: Value = sup.post(&app, "/api/v1/supervision/run", json!({})).await.json().await.unwrap();
    assert_eq!(r["rehearsal"], false);
    assert!(notices().await >= before);
}

#[tokio::test]
async fn the_monthly_report_counts_as_of_today() {
    use luoshi_app::tasks as svc;
    use luoshi_domain::tasks::{Action, TaskInput};
    let app = spawn_app().await;
    let day = crate::day;
    let sys = luoshi_app::Who::system("test");
    let unit = app.unit_id("县审计局").await;
    let directive = app.task_directive("1").await;
    // A hand-built June for one unit, seen on 15 June.
    let mut ids = Vec::new();
    for (title, deadline) in
        [("到期在本月下旬", "2026-06-25"), ("已逾期未办结", "2026-06-10"), ("按时办结", "2026-06-12"), ("逾期办结", "2026-06-05"), ("下月到期", "2026-07-20")]
    {
        let input = TaskInput { title: title.into(), lead_unit_id: unit, deadline: deadline.into(), ..Default::default() };
        let id = svc::create_task(&app.t.db, &sys, Some(directive), None, &input).await.unwrap();
        svc::act(&app.t.db, &sys, id, Action::Assign, "", None, day("2026-06-01")).await.unwrap();
        svc::act(&app.t.db, &sys, id, Action::Sign, "", None, day("2026-06-01")).await.unwrap();
        ids.push(id);
    }
    for (i, on) in [(2, "2026-06-11"), (3, "2026-06-09")] {
        svc::act(&app.t.db, &sys, ids[i], Action::RequestClosure, "", None, day(on)).await.unwrap();
        svc::act(&app.t.db, &sys, ids[i], Action::Accept, "", None, day(on)).await.unwrap();
    }
    let sup = luoshi_app::Who::system("supervisor");
    let r = luoshi_app::tasks::reports::build(&app.t.db, &sup, "2026-06", day("2026-06-15")).await.unwrap();
    let u = r.units.iter().find(|u| u.unit_id == unit).unwrap();
    assert_eq!((u.items, u.closed_on_time, u.closed_late, u.open_overdue), (5, 1, 1, 1), "{u:?}");
    // At the month's end the task due on the 25th is overdue too.
    let r = luoshi_app::tasks::reports::build(&app.t.db, &sup, "2026-06", day("2026-07-02")).await.unwrap();
    let u = r.units.iter().find(|u| u.unit_id == unit).unwrap();
    assert_eq!((u.closed_on_time, u.closed_late, u.open_overdue), (1, 1, 2), "{u:?}");
    // A month to come has nothing to report.
    assert!(luoshi_app::tasks::reports::build(&app.t.db, &sup, "2026-08", day("2026-06-15")).await.is_err());
}

#[tokio::test]
async fn implausible_dates_are_refused() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let directive = app.task_directive("1").await;
    let unit = app.unit_id("城关镇").await;
    let task = |deadline: &str, backfill: bool| json!({ "title": "河道清障", "lead_unit_id": unit, "deadline": deadline, "backfill": backfill });
    for bad in ["1900-01-01", "9999-12-31", "2099-01-01"] {
        let (status, code, body) = error_code(sup.post(&app, &format!("/api/v1/directives/{directive}/tasks"), task(bad, false)).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "out_of_range"), "{bad}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("2000-01-01"), "the range is named: {body}");
    }
    // Already past: refused, unless entered after the fact.
    let (_, code, body) = error_code(sup.post(&app, &format!("/api/v1/directives/{directive}/tasks"), task("2026-06-01", false)).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("out_of_range", Some("deadline_past")));
    assert_eq!(sup.post(&app, &format!("/api/v1/directives/{directive}/tasks"), task("2026-06-01", true)).await.status(), StatusCode::CREATED);
    // A directive issued in 2099; a rule in force from year 0; a report for 0000-01.
    let d = json!({ "title": "x", "kind": "meeting", "issued_on": "2099-01-01", "issuer": "县委" });
    assert_eq!(error_code(sup.post(&app, "/api/v1/directives", d).await).await.1, "out_of_range");
    let admin = app.login("admin").await;
    let r = admin.put(&app, "/api/v1/rules/auth.session_hours", json!({ "value": 8, "source": "x", "effective_from": "0000-01-01" })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sup.get(&app, "/api/v1/reports?period=0000-01").await.status().is_client_error());
    // An extension to 9999.
    let id = app.task_id("3.1").await;
    let staff = app.login("staff").await;
    let r = staff.post(&app, &format!("/api/v1/tasks/{id}/extensions"), json!({ "new_deadline": "9999-12-31", "reason": "x" })).await;
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[tokio::test]
async fn framework_errors_speak_our_language() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    for (path, field) in [("/api/v1/tasks/abc", "id"), ("/api/v1/reports?year=abc&period=x", "period"), ("/api/v1/units/import?dry_run=yes", "dry_run")] {
        let r = if path.contains("import") {
            let admin = app.login("admin").await;
            admin.client.post(app.url(path)).header("x-csrf-token", &admin.csrf).header("accept-language", "zh-CN").body("x").send().await.unwrap()
        } else {
            sup.client.get(app.url(path)).header("accept-language", "zh-CN").send().await.unwrap()
        };
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_client_error(), "{path}: {status}");
        assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{path}: {body}");
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
        assert!(!body.to_string().contains("Cannot parse") && !body.to_string().contains("Failed to"), "{path}: {body}");
    }
    // A body over the limit: our error, and the connection is not kept.
    let big = vec![b'a'; 13 * 1024 * 1024];
    let r = sup.client.post(app.url("/api/v1/directives")).header("x-csrf-token", &sup.csrf).header("content-type", "application/json").body(big).send().await;
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.headers().get("connection").map(|v| v.to_str().unwrap()), Some("close"));
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "too_large");
    }
}

/// A server that believes `X-Forwarded-For` from 127.0.0.1 (the load balancer of README).
async fn behind_a_proxy(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = luoshi_web::Config {
        today: Some(crate::day(crate::TODAY)),
        time_of_day: crate::MORNING,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let state = luoshi_web::AppState::new(app.t.db.clone(), cfg);
    tokio::spawn(async move { luoshi_web::serve(state, listener, std::future::pending()).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn accounts_hold_against_guessing_and_leaks() {
    let app = spawn_app().await;
    let proxy = behind_a_proxy(&app).await;
    let login = |from: &'static str, password: &'static str| {
        let url = format!("{proxy}/api/v1/session");
        async move {
            TestApp::client()
                .post(url)
                .header("x-forwarded-for", format!("1.2.3.4, {from}"))
                .json(&json!({ "username": "hotline", "password": password }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Five wrong passwords from one address lock that address out of that account only.
    for _ in 0..5 {
        assert_eq!(login("10.0.0.1", "wrong-password-1").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login("10.0.0.1", PW).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login("10.0.0.2", PW).await, StatusCode::OK, "the owner elsewhere still logs in");
    // Without a trusted proxy the header is not believed (a client could claim any address).
    assert!(app.state.config.trusted_proxies.is_empty());

    // Attachment names that read backwards are refused.
    let id = app.task_id("3.1").await;
    let staff = app.login("staff").await;
    let r = staff
        .client
        .post(app.url(&format!("/api/v1/tasks/{id}/attachments?name={}", "%E6%8A%A5%E5%91%8A%E2%80%AEfdp.exe")))
        .header("x-csrf-token", &staff.csrf)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r).await.1, "invalid");

    // An API token ends when an administrator resets the password.
    let token = app.token("staff").await;
    let me = || TestApp::client().get(app.url("/api/v1/me")).bearer_auth(&token).send();
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);
    let admin = app.login("admin").await;
    let staff_id = app.user_id("staff").await;
    let r = admin.post(&app, &format!("/api/v1/users/{staff_id}/password"), json!({ "password": "Qingshan-river-2026" })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(me().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // Weak passwords and the user's own name are refused.
    for (pw, field) in [("Password2026!", "password_common"), ("Admin@123456", "password_common"), ("staff-is-2026", "password_name")] {
        let (_, code, body) = error_code(admin.post(&app, &format!("/api/v1/users/{staff_id}/password"), json!({ "password": pw })).await).await;
        assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("invalid", Some(field)), "{pw}");
    }
    // A unit manager adds staff, never managers, and cannot reset a fellow manager's password.
    let manager = app.login("manager").await;
    let town = app.unit_id("城关镇").await;
    let r = manager
        .post(
            &app,
            "/api/v1/users",
            json!({ "username": "boss2", "display_name": "副站长", "unit_id": town, "role": "unit_manager", "password": "Hedao-qingli-2026" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = manager
        .post(
            &app,
            "/api/v1/users",
            json!({ "username": "clerk2", "display_name": "办事员", "unit_id": town, "role": "unit_staff", "password": "Hedao-qingli-2026" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_hotline_sets_urgency_in_the_trail() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let r = TestApp::client()
        .post(app.url("/api/v1/public/appeals"))
        .json(&json!({ "category": "neighbour", "content": "小区停水三天了，没有任何通知。", "urgency": "critical" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let code = r.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_string();
    let a = luoshi_storage::appeals::by_code(&app.t.db, &code).await.unwrap().unwrap();
    assert_eq!(a.urgency, "normal", "the public never sets its own urgency");
    let hotline = app.login("hotline").await;
    let unit = app.unit_id("城关镇").await;
    let r = hotline.post(&app, &format!("/api/v1/appeals/{}/act", a.id), json!({ "action": "dispatch", "unit_id": unit })).await;
    let due_normal = r.json::<Value>().await.unwrap()["appeal"]["due_at"].as_i64().unwrap();
    let r = hotline.post(&app, &format!("/api/v1/appeals/{}/urgency", a.id), json!({ "urgency": "urgent", "reason": "涉及全楼居民用水" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = r.json::<Value>().await.unwrap();
    assert_eq!(v["appeal"]["urgency"], "urgent");
    assert!(v["appeal"]["due_at"].as_i64().unwrap() < due_normal, "the limit follows the urgency");
    let trail = luoshi_storage::appeals::events(&app.t.db, a.id).await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!((last.action.as_str(), last.note.as_deref()), ("set_urgency", Some("normal → urgent：涉及全楼居民用水")));
    // Only the hotline.
    let staff = app.login("staff").await;
    assert_eq!(
        staff.post(&app, &format!("/api/v1/appeals/{}/urgency", a.id), json!({ "urgency": "critical", "reason": "x" })).await.status(),
        StatusCode::FORBIDDEN
    );
}
