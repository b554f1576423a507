use crate::{spawn_app, TestApp, PW};
use reqwest::StatusCode;

#[tokio::test]
async fn every_page_renders_for_admin_in_both_languages() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let unit = app.unit_id("城关镇").await;
    let pages = [
        ("/", "驾驶舱", "Cockpit"),
        ("/units", "单位管理", "Units"),
        (&format!("/units/{unit}") as &str, "城东村", "城东村"),
        ("/users", "用户管理", "Users"),
        ("/rules", "规则配置", "Rules"),
        ("/calendar?year=2026&from=2026-02-13&days=2", "2026-02-24", "2026-02-24"),
        ("/audit", "审计链完整", "The audit chain is intact"),
    ];
    for (path, zh, _) in pages {
        let r = admin.get(&app, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains(zh), "{path} lacks {zh}");
        assert!(
            html.contains(&admin.csrf) || path == "/calendar?year=2026&from=2026-02-13&days=2" || path == "/audit",
            "{path} lacks the CSRF token in its forms"
        );
    }
    // Switch to English: the cookie sticks and every page follows.
    let r = admin.get(&app, "/lang/en?next=/units").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/units");
    for (path, _, en) in pages {
        let html = admin.get(&app, path).await.text().await.unwrap();
        assert!(html.contains(en), "{path} lacks {en}");
        assert!(html.contains("lang=\"en\""));
    }
    // An open redirect is not possible through the switch.
    let r = admin.get(&app, "/lang/zh-CN?next=//evil.example").await;
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn login_form_logout_and_errors_as_pages() {
    let app = spawn_app().await;
    let c = TestApp::client();
    let r = c.get(app.url("/units")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login?next=%2Funits");
    let r = c.post(app.url("/login")).form(&[("username", "staff"), ("password", "bad-password"), ("next", "/units")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    let r = c.post(app.url("/login")).form(&[("username", "staff"), ("password", PW), ("next", "/units")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/units");
    let html = c.get(app.url("/units")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("城东村") && !html.contains("新增单位"), "staff sees the tree but not the admin forms");
    // A forbidden page and a missing page are pages, in Chinese, without internals.
    let r = c.get(app.url("/audit")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("您无权进行此操作"));
    let r = c.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Logout needs the CSRF field.
    let r = c.post(app.url("/logout")).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let home = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let csrf = home.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = c.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(c.get(app.url("/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_demo_role_can_log_in_and_see_home() {
    let app = spawn_app().await;
    for (username, _, _, _) in luoshi_web::demo::DEMO_USERS {
        let s = app.login(username).await;
        let r = s.get(&app, "/").await;
        // Deputies have no sight of duties: their home is their module.
        if *username == "deputy" {
            assert_eq!(r.headers()["location"], "/livelihood");
            continue;
        }
        assert_eq!(r.status(), StatusCode::OK, "{username}");
        assert!(r.text().await.unwrap().contains("驾驶舱"), "{username}");
    }
}
