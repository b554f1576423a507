use crate::{error_code, spawn_app, TestApp, PW};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn unknown_user_and_wrong_password_answer_the_same() {
    let app = spawn_app().await;
    let c = TestApp::client();
    let a = c.post(app.url("/api/v1/session")).json(&json!({ "username": "admin", "password": "wrong-password-1" })).send().await.unwrap();
    let b = c.post(app.url("/api/v1/session")).json(&json!({ "username": "nobody", "password": "wrong-password-1" })).send().await.unwrap();
    let (sa, ca, ba) = error_code(a).await;
    let (sb, cb, bb) = error_code(b).await;
    assert_eq!((sa, ca.as_str()), (StatusCode::UNAUTHORIZED, "bad_credentials"));
    assert_eq!((sa, ca), (sb, cb));
    assert_eq!(ba, bb);
    assert_eq!(ba["error"]["message"], "用户名或密码错误");
}

#[tokio::test]
async fn login_is_rate_limited_per_account() {
    let app = spawn_app().await;
    let c = TestApp::client();
    for _ in 0..5 {
        let r = c.post(app.url("/api/v1/session")).json(&json!({ "username": "staff", "password": "not-the-password" })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now, with a clear code.
    let r = c.post(app.url("/api/v1/session")).header("accept-language", "en").json(&json!({ "username": "staff", "password": PW })).send().await.unwrap();
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    assert!(body["error"]["message"].as_str().unwrap().contains("15 minutes"));
    // Another account is not affected.
    app.login("staff2").await;
}

#[tokio::test]
async fn sessions_cookies_logout_and_disabled_accounts() {
    let app = spawn_app().await;
    let c = TestApp::client();
    let r = c.post(app.url("/api/v1/session")).json(&json!({ "username": "staff", "password": PW })).send().await.unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    let csrf = r.json::<serde_json::Value>().await.unwrap()["csrf"].as_str().unwrap().to_string();
    let me = c.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    // Only the hash of the token is stored.
    let token = cookie.split(';').next().unwrap().split('=').nth(1).unwrap().to_string();
    let stored: Vec<String> = luoshi_storage::testing::session_token_hashes(&app.t.db).await.unwrap();
    assert!(!stored.contains(&token));
    assert!(stored.contains(&luoshi_web::auth::token_hash(&token)));

    let out = c.delete(app.url("/api/v1/session")).header("x-csrf-token", &csrf).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(c.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // An admin disables the account: its open sessions end and it cannot log in again.
    let staff = app.login("staff").await;
    let admin = app.login("admin").await;
    let id = app.user_id("staff").await;
    // A node keeps a caller it resolved for reads a moment; a change through it ends that at once.
    assert_eq!(staff.get(&app, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(admin.post(&app, &format!("/api/v1/users/{id}/disable"), json!({})).await.status(), StatusCode::OK);
    assert_eq!(staff.get(&app, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    let r = c.post(app.url("/api/v1/session")).json(&json!({ "username": "staff", "password": PW })).send().await.unwrap();
    assert_eq!(error_code(r).await.1, "account_disabled");
}

/// On another node, a change shows within the moment a node keeps a caller for reads
/// (`callers::FRESH_FOR`); a change (POST) is always checked against the database.
#[tokio::test]
async fn a_disabled_account_is_refused_on_every_node() {
    let app = spawn_app().await;
    // A second node: its own connection to the same database, with its own kept callers.
    let db = luoshi_storage::Db::connect(&app.t.url, &luoshi_storage::ConnectOptions::default()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let state = luoshi_web::AppState::new(db, luoshi_web::Config { today: Some(crate::day(crate::TODAY)), time_of_day: crate::MORNING, ..Default::default() });
    tokio::spawn(async move { luoshi_web::serve(state, listener, std::future::pending()).await.unwrap() });
    let staff = app.login("staff").await;
    let me = |base: &str| staff.client.get(format!("{base}/api/v1/me")).send();
    assert_eq!(me(&other).await.unwrap().status(), StatusCode::OK);
    let admin = app.login("admin").await;
    let id = app.user_id("staff").await;
    assert_eq!(admin.post(&app, &format!("/api/v1/users/{id}/disable"), json!({})).await.status(), StatusCode::OK);
    let r = staff
        .client
        .post(format!("{other}/api/v1/tasks/1/reports"))
        .header("x-csrf-token", &staff.csrf)
        .json(&json!({ "text": "进展", "percent": 10 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a change asks the database");
    tokio::time::sleep(luoshi_storage::callers::FRESH_FOR + std::time::Duration::from_millis(100)).await;
    assert_eq!(me(&other).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn csrf_is_required_for_cookie_sessions_but_not_tokens() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let county = app.unit_id("示范县").await;
    let body = json!({ "parent_id": county, "kind": "department", "name": "县测试局" });
    let r = admin.client.post(app.url("/api/v1/units")).json(&body).send().await.unwrap();
    assert_eq!(error_code(r).await.1, "csrf_mismatch");
    let r = admin.client.post(app.url("/api/v1/units")).header("x-csrf-token", "0000").json(&body).send().await.unwrap();
    assert_eq!(error_code(r).await.1, "csrf_mismatch");
    // A request from another origin is refused even with the token.
    let r = admin
        .client
        .post(app.url("/api/v1/units"))
        .header("x-csrf-token", &admin.csrf)
        .header("origin", "http://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r).await.1, "csrf_mismatch");
    assert_eq!(admin.post(&app, "/api/v1/units", body).await.status(), StatusCode::CREATED);
    // Form posts carry it as a field.
    let r = admin.form(&app, "/units", &[("parent_id", &county.to_string()), ("kind", "department"), ("name", "县表单局")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A bearer token needs none (it cannot be sent by a browser on its own).
    let token = app.token("admin").await;
    let r = TestApp::client()
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({ "parent_id": county, "kind": "department", "name": "县令牌局" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Revoked, it opens nothing.
    let tokens: serde_json::Value = TestApp::client().get(app.url("/api/v1/tokens")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let tid = tokens["tokens"][0]["id"].as_i64().unwrap();
    let r = TestApp::client().delete(app.url(&format!("/api/v1/tokens/{tid}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(TestApp::client().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = spawn_app().await;
    for path in ["/login", "/api/v1/me", "/healthz", "/nope"] {
        let r = TestApp::client().get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        for k in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"] {
            assert!(h.contains_key(k), "{path} lacks {k}");
        }
        assert!(!h["content-security-policy"].to_str().unwrap().contains("unsafe-inline"));
    }
}
