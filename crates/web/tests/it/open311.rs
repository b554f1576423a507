//! Open311 GeoReport v2: conformance, the taxonomy it follows, fuzzed bodies.

use crate::appeals::*;
use crate::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn xml_ok(body: &str) {
    let mut r = quick_xml::Reader::from_str(body);
    loop {
        let ev = r.read_event();
        assert!(ev.is_ok(), "not well-formed XML: {ev:?}: {body}");
        if matches!(ev, Ok(quick_xml::events::Event::Eof)) {
            break;
        }
    }
}

async fn get311(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let r = TestApp::client().get(app.url(&format!("/open311/v2/{path}"))).send().await.unwrap();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status(), ct, r.text().await.unwrap())
}

async fn post311(app: &TestApp, file: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = TestApp::client().post(app.url(&format!("/open311/v2/{file}"))).form(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn open311_georeport_v2_conformance() {
    let app = spawn_app().await;
    let sys = luoshi_app::Who::system("test");
    luoshi_app::appeals::seed_categories(&app.t.db, &sys).await.unwrap();
    let (_, key) = luoshi_app::appeals::issue_key(&app.t.db, &sys, "client").await.unwrap();
    for fmt in ["xml", "json"] {
        let ct = if fmt == "xml" { "text/xml; charset=utf-8" } else { "application/json; charset=utf-8" };
        // discovery
        let (s, c, body) = get311(&app, &format!("discovery.{fmt}")).await;
        assert_eq!((s, c.as_str()), (StatusCode::OK, ct));
        for field in ["changeset", "contact", "key_service", "specification", "http://wiki.open311.org/GeoReport_v2", "formats"] {
            assert!(body.contains(field), "{fmt} discovery lacks {field}");
        }
        // services and a definition
        let (s, _, body) = get311(&app, &format!("services.{fmt}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("streetlight") && body.contains("service_name") && body.contains("realtime"));
        let (s, _, body) = get311(&app, &format!("services/streetlight.{fmt}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("attributes"));
        let (s, _, body) = get311(&app, &format!("services/nosuch.{fmt}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(body.contains("404"));
        if fmt == "xml" {
            assert!(body.starts_with("<?xml") && body.contains("<errors><error><code>404</code>"), "{body}");
        } else {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v[0]["code"], 404);
        }
        // POST: each error, then success
        let file = format!("requests.{fmt}");
        let ok: Vec<(&str, &str)> = vec![
            ("api_key", &key),
            ("service_code", "streetlight"),
            ("address_string", "城关镇东门社区"),
            ("description", "东门社区幸福路的路灯坏了一周"),
            ("phone", PHONE),
            ("first_name", "大山"),
            ("last_name", "赵"),
        ];
        let without = |k: &str| ok.iter().filter(|(n, _)| *n != k).cloned().collect::<Vec<_>>();
        assert_eq!(post311(&app, &file, &without("api_key")).await.0, StatusCode::FORBIDDEN);
        let mut bad_key = without("api_key");
        bad_key.push(("api_key", "nope"));
        assert_eq!(post311(&app, &file, &bad_key).await.0, StatusCode::FORBIDDEN);
        assert_eq!(post311(&app, &file, &without("service_code")).await.0, StatusCode::BAD_REQUEST);
        let mut unknown = without("service_code");
        unknown.push(("service_code", "nosuch"));
        assert_eq!(post311(&app, &file, &unknown).await.0, StatusCode::NOT_FOUND);
        assert_eq!(post311(&app, &file, &without("address_string")).await.0, StatusCode::BAD_REQUEST, "a location is required");
        let mut half = without("address_string");
        half.push(("lat", "30.1"));
        assert_eq!(post311(&app, &file, &half).await.0, StatusCode::BAD_REQUEST, "lat without long");
        let mut other = ok.clone();
        other.push(("jurisdiction_id", "elsewhere.gov"));
        assert_eq!(post311(&app, &file, &other).await.0, StatusCode::NOT_FOUND);
        let (s, body) = post311(&app, &file, &ok).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let id = if fmt == "xml" {
            xml_ok(&body);
            body.split("<service_request_id>").nth(1).unwrap().split('<').next().unwrap().to_string()
        } else {
            serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"].as_str().unwrap().to_string()
        };
        // Not yet triaged: not published, by id or in any list.
        assert_eq!(get311(&app, &format!("requests/{id}.{fmt}")).await.0, StatusCode::NOT_FOUND);
        let (_, _, body) = get311(&app, &format!("requests.{fmt}?service_request_id={id}")).await;
        assert!(!body.contains(&id), "{body}");
        let hotline = app.login("hotline").await;
        act(&hotline, &app, id_of(&app, &id).await, json!({ "action": "dispatch", "unit_id": app.unit_id("城关镇").await })).await;
        // token → id; one request; queries
        let (s, _, body) = get311(&app, &format!("tokens/{id}.{fmt}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains(&id));
        assert_eq!(get311(&app, &format!("tokens/ZZZZ-ZZZZ-ZZZZ.{fmt}")).await.0, StatusCode::NOT_FOUND);
        let (s, _, body) = get311(&app, &format!("requests/{id}.{fmt}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("open") && body.contains("东门社区幸福路") && body.contains("requested_datetime"));
        assert!(!body.contains(PHONE) && !body.contains("赵"), "no personal data: {body}");
        if fmt == "xml" {
            xml_ok(&body);
            assert!(body.contains("<service_requests><request>"));
        }
        assert_eq!(get311(&app, &format!("requests/ZZZZ-ZZZZ-ZZZZ.{fmt}")).await.0, StatusCode::NOT_FOUND);
        let (_, _, ext) = get311(&app, &format!("requests/{id}.{fmt}?extensions=true")).await;
        assert!(ext.contains("notes") && ext.contains("detailed_status") && ext.contains("DISPATCHED") && ext.contains("satisfaction"));
        for q in ["service_code=streetlight", "status=open", "status=open,closed", &format!("service_request_id={id}"), "page=1&page_size=1"] {
            let (s, _, body) = get311(&app, &format!("requests.{fmt}?{q}")).await;
            assert_eq!(s, StatusCode::OK, "{q}");
            assert!(body.contains(&id), "{q}: {body}");
        }
        let (_, _, body) = get311(&app, &format!("requests.{fmt}?status=closed")).await;
        assert!(!body.contains(&id));
        let (_, _, body) = get311(&app, &format!("requests.{fmt}?page=2&page_size=1")).await;
        let n = body.matches("service_request_id").count();
        assert!(n <= 1, "page_size=1 gives at most one: {body}");
        for bad in ["status=pending", "start_date=yesterday", "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "page_size=0", "page=x"] {
            let (s, _, body) = get311(&app, &format!("requests.{fmt}?{bad}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
            if fmt == "xml" {
                xml_ok(&body);
            }
        }
        assert_eq!(get311(&app, &format!("requests.{fmt}?service_code=nosuch")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get311(&app, &format!("requests.{fmt}?jurisdiction_id=elsewhere.gov")).await.0, StatusCode::NOT_FOUND);
    }
    assert_eq!(get311(&app, "services.html").await.0, StatusCode::NOT_FOUND);
    // A revoked key no longer works.
    let keys = luoshi_storage::appeals::keys(&app.t.db).await.unwrap();
    luoshi_app::appeals::revoke_key(&app.t.db, &sys, keys[0].id).await.unwrap();
    let (s, _) =
        post311(&app, "requests.json", &[("api_key", &key), ("service_code", "road"), ("address_string", "x"), ("description", "道路有坑需要修补")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_county_edits_its_taxonomy_and_open311_follows() {
    let app = spawn_app().await;
    let sys = luoshi_app::Who::system("test");
    luoshi_app::appeals::seed_categories(&app.t.db, &sys).await.unwrap();
    let (_, key) = luoshi_app::appeals::issue_key(&app.t.db, &sys, "client").await.unwrap();
    let river = [("api_key", key.as_str()), ("service_code", "river"), ("address_string", "城关镇河堤"), ("description", "河道淤积需要清淤")];
    // Intake knows the taxonomy as committed: unknown first (and cached so), then offered.
    assert_eq!(post311(&app, "requests.json", &river).await.0, StatusCode::NOT_FOUND);
    let admin = app.login("admin").await;
    let water = app.unit_id("县水利局").await;
    let body = json!({ "name": "河道管理", "group": "水利", "description": "河道清淤、堤防", "keywords": "河道、堤防\n清淤", "unit_id": water });
    let r = admin.put(&app, "/api/v1/appeal-categories/river", body.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, _, services) = get311(&app, "services.json").await;
    assert!(services.contains("\"service_code\":\"river\"") && services.contains("河道管理"));
    assert_eq!(post311(&app, "requests.json", &river).await.0, StatusCode::CREATED);
    // Retired: no longer offered, still known to old appeals.
    let mut off = body.clone();
    off["active"] = json!(false);
    assert_eq!(admin.put(&app, "/api/v1/appeal-categories/river", off).await.status(), StatusCode::OK);
    assert!(!get311(&app, "services.json").await.2.contains("\"river\""));
    assert_eq!(get311(&app, "services/river.json").await.0, StatusCode::NOT_FOUND);
    assert_eq!(post311(&app, "requests.json", &river).await.0, StatusCode::NOT_FOUND);
    // Bad input by field; only administrators.
    let r = admin.put(&app, "/api/v1/appeal-categories/Bad%20Code", body.clone()).await;
    assert_eq!(crate::error_code(r).await.2["error"]["field"], "code");
    let r = admin.put(&app, "/api/v1/appeal-categories/river2", json!({ "group": "水利" })).await;
    assert_eq!(crate::error_code(r).await.2["error"]["field"], "name");
    assert_eq!(app.login("hotline").await.put(&app, "/api/v1/appeal-categories/river", body).await.status(), StatusCode::FORBIDDEN);
}

/// Bad requests, generated: random Open311 queries, forms and JSON bodies never get a 5xx, and
/// every answer is in the spec's shape. (A longer run: LUOSHI_FUZZ_CASES=20000.)
#[tokio::test]
async fn fuzzed_open311_and_json_bodies_never_fail_the_server() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let cases: usize = std::env::var("LUOSHI_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(150);
    let mut state: u64 = 0x5eed;
    let mut next = move |n: usize| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        usize::try_from((z ^ (z >> 31)) % n.max(1) as u64).unwrap_or(0)
    };
    const KEYS: &[&str] = &[
        "service_code",
        "status",
        "start_date",
        "end_date",
        "page",
        "page_size",
        "service_request_id",
        "jurisdiction_id",
        "extensions",
        "api_key",
        "lat",
        "long",
        "address_string",
        "description",
        "attribute[x]",
    ];
    const VALUES: &[&str] = &[
        "",
        "open",
        "closed",
        "road",
        "streetlight,road",
        "2026-06-01T00:00:00Z",
        "2026-13-45",
        "-1",
        "0",
        "99999999999999999999",
        "%",
        "'; DROP TABLE appeals;--",
        "\u{0}",
        "路灯坏了好几天了",
        "NaN",
        "1e308",
        "ZZZZ-ZZZZ-ZZZZ",
        "true",
        "<x>&amp;",
    ];
    let client = TestApp::client();
    for i in 0..cases {
        let mut pairs = Vec::new();
        for _ in 0..next(6) {
            pairs.push((KEYS[next(KEYS.len())], VALUES[next(VALUES.len())].to_string()));
        }
        let fmt = if i % 2 == 0 { "json" } else { "xml" };
        let file = ["requests", "services", "discovery", "tokens/AB", "requests/AB", "services/road", "nosuch"][next(7)];
        let r = client.get(app.url(&format!("/open311/v2/{file}.{fmt}"))).query(&pairs).send().await.unwrap();
        assert!(r.status().as_u16() < 500, "GET {file}.{fmt} {pairs:?}: {}", r.status());
        let r = client.post(app.url(&format!("/open311/v2/requests.{fmt}"))).form(&pairs).send().await.unwrap();
        assert!(matches!(r.status().as_u16(), 201 | 400 | 403 | 404), "POST {pairs:?}: {}", r.status());
        let body: serde_json::Map<String, Value> = pairs.iter().map(|(k, v)| ((*k).to_string(), json!(v))).collect();
        let r = client.post(app.url("/api/v1/public/appeals")).json(&body).send().await.unwrap();
        assert!(matches!(r.status().as_u16(), 201 | 422 | 429), "public JSON {body:?}: {}", r.status());
        let r =
            client.post(app.url("/api/v1/public/appeals")).header("content-type", "application/json").body(VALUES[next(VALUES.len())]).send().await.unwrap();
        assert!(r.status().as_u16() < 500);
        // Raw bodies of every size around the limit, in any bytes and charset: never a 5xx.
        let len = [0, 1, 100, 4_000, 65_535, 65_537, 300_000][next(7)];
        let raw: Vec<u8> = (0..len).map(|_| u8::try_from(next(256)).unwrap_or(0)).collect();
        let ct = ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=gbk", "text/plain", "application/json"][next(4)];
        if let Ok(r) = client.post(app.url(&format!("/open311/v2/requests.{fmt}"))).header("content-type", ct).body(raw).send().await {
            assert!(matches!(r.status().as_u16(), 201 | 400 | 403 | 404 | 413), "POST raw {len} bytes {ct}: {}", r.status());
        }
    }
}
