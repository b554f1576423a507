//! What the public sees and sends (issue 13): the Open311 feed publishes only what a county
//! publishes, every answer of the demo county fits the GeoReport v2 field types, intake refuses
//! what it cannot store faithfully, and the public page keeps programs out.

use crate::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PHONE: &str = "13912345678";

async fn desk_appeal(app: &TestApp, body: Value, dispatch_note: &str) -> (i64, String) {
    let hotline = app.login("hotline").await;
    let r = hotline.post(app, "/api/v1/appeals", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let a = r.json::<Value>().await.unwrap()["appeal"].clone();
    let id = a["id"].as_i64().unwrap();
    let unit = app.unit_id("城关镇").await;
    let r = hotline.post(app, &format!("/api/v1/appeals/{id}/act"), json!({ "action": "dispatch", "unit_id": unit, "note": dispatch_note })).await;
    assert_eq!(r.status(), StatusCode::OK);
    (id, a["code"].as_str().unwrap().to_string())
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = TestApp::client().get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn open311_publishes_only_what_the_county_publishes() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    // A confidential 举报 with the reporter's home address, dispatched with an internal note.
    let (_, secret) = desk_appeal(
        &app,
        json!({ "kind": "report", "category": "neighbour", "content": "举报人住幸福路8号，举报隔壁非法加工厂夜间排污。", "phone": PHONE, "confidential": true }),
        "举报人要求保密，回电请拨13900001111",
    )
    .await;
    // An ordinary appeal whose text holds a phone number, dispatched with an internal note.
    let (_, open) = desk_appeal(
        &app,
        json!({ "category": "neighbour", "content": "东门社区路口积水严重，联系电话13712345678。", "address": "城关镇东门社区幸福路12号", "phone": PHONE }),
        "内部：请先电话联系13900002222",
    )
    .await;
    // Received only: not yet triaged.
    let hotline = app.login("hotline").await;
    let r = hotline.post(&app, "/api/v1/appeals", json!({ "category": "neighbour", "content": "尚未分拨的一件诉求内容" })).await;
    let untriaged = r.json::<Value>().await.unwrap()["appeal"]["code"].as_str().unwrap().to_string();

    for fmt in ["json", "xml"] {
        let (s, all) = get(&app, &format!("/open311/v2/requests.{fmt}?extensions=true")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(all.contains(&open), "{all}");
        for hidden in [&secret, &untriaged] {
            assert!(!all.contains(hidden.as_str()), "{hidden} published: {all}");
            let (s, _) = get(&app, &format!("/open311/v2/requests/{hidden}.{fmt}?extensions=true")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{hidden}");
            let (_, by_id) = get(&app, &format!("/open311/v2/requests.{fmt}?service_request_id={hidden}")).await;
            assert!(!by_id.contains(hidden.as_str()));
        }
        // No internal note, no phone number, no exact address by default.
        for leak in ["13900002222", "13900001111", "13712345678", "内部", "幸福路12号", "举报人", PHONE] {
            assert!(!all.contains(leak), "{fmt} leaks {leak}: {all}");
        }
        assert!(all.contains("137****5678"), "the phone in the text is masked, the rest kept: {all}");
        assert!(all.contains("城关镇"), "the township stands for the address: {all}");
    }
    // A county that publishes exact addresses says so in its rules.
    let admin = app.login("admin").await;
    let r = admin
        .put(&app, "/api/v1/rules/open311.publish.exact_address", json!({ "value": 1, "source": "示范县诉求公开办法", "effective_from": "2026-01-01" }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, all) = get(&app, "/open311/v2/requests.json").await;
    assert!(all.contains("幸福路12号"), "{all}");
}

/// Each request of an Open311 answer against the GeoReport v2 field types: required strings
/// present, date-times ISO 8601, optional members absent or typed, never an empty string.
fn check_request(r: &serde_json::Map<String, Value>, ctx: &str) {
    for f in ["service_request_id", "status", "service_code", "service_name", "requested_datetime", "updated_datetime"] {
        assert!(r.get(f).and_then(Value::as_str).is_some_and(|s| !s.is_empty()), "{ctx}: {f} missing: {r:?}");
    }
    assert!(matches!(r["status"].as_str(), Some("open" | "closed")), "{ctx}");
    for f in ["requested_datetime", "updated_datetime", "expected_datetime"] {
        if let Some(v) = r.get(f) {
            assert!(chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or("")).is_ok(), "{ctx}: {f} = {v}");
        }
    }
    for f in ["lat", "long"] {
        if let Some(v) = r.get(f) {
            assert!(v.is_f64() || v.is_i64(), "{ctx}: {f} = {v}");
        }
    }
    if let Some(v) = r.get("media_url") {
        assert!(v.as_str().is_some_and(|u| u.starts_with("http")), "{ctx}: media_url = {v}");
    }
    for f in ["description", "status_notes", "agency_responsible", "service_notice", "address"] {
        if let Some(v) = r.get(f) {
            assert!(v.is_string(), "{ctx}: {f} = {v}");
        }
    }
}

/// The same request read from XML: one element per member, the same rules.
fn xml_requests(body: &str) -> Vec<serde_json::Map<String, Value>> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(body);
    let (mut out, mut cur, mut depth, mut field, mut text) = (Vec::new(), serde_json::Map::new(), 0, String::new(), String::new());
    loop {
        match r.read_event().unwrap() {
            Event::Start(e) => {
                depth += 1;
                if depth == 3 {
                    field = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    text.clear();
                }
            }
            Event::Text(t) if depth == 3 => text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(g) if depth == 3 => text.push_str(match g.as_ref() {
                b"lt" => "<",
                b"gt" => ">",
                b"amp" => "&",
                b"quot" => "\"",
                b"apos" => "'",
                other => panic!("unknown entity {other:?}"),
            }),
            Event::Empty(e) if depth == 2 => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert!(!["lat", "long", "expected_datetime", "media_url"].contains(&name.as_str()), "empty <{name}/>: {body}");
                cur.insert(name, Value::String(String::new()));
            }
            Event::End(_) => {
                if depth == 3 {
                    let v = match field.as_str() {
                        "lat" | "long" => json!(text.parse::<f64>().unwrap_or_else(|_| panic!("{field} = {text:?}"))),
                        _ => Value::String(text.clone()),
                    };
                    cur.insert(field.clone(), v);
                }
                if depth == 2 {
                    out.push(std::mem::take(&mut cur));
                }
                depth -= 1;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn every_open311_answer_of_the_demo_county_fits_the_georeport_schema() {
    let app = spawn_app().await;
    let routing = luoshi_app::appeals::Routing::default();
    let n = luoshi_web::demo_appeals::seed_appeals(&app.t.db, &routing, app.state.now(), 320).await.unwrap();
    assert!(n > 0);
    let mut seen = 0;
    for ext in ["false", "true"] {
        for page in 1..=4 {
            let q = format!("page={page}&page_size=100&extensions={ext}&start_date=2026-03-20T00:00:00Z&end_date=2026-06-17T00:00:00Z");
            let (s, body) = get(&app, &format!("/open311/v2/requests.json?{q}")).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let list: Vec<Value> = serde_json::from_str(&body).unwrap();
            for r in &list {
                check_request(r.as_object().unwrap(), &format!("json {q}"));
                let id = r["service_request_id"].as_str().unwrap();
                let (s, one) = get(&app, &format!("/open311/v2/requests/{id}.json?extensions={ext}")).await;
                assert_eq!(s, StatusCode::OK);
                check_request(serde_json::from_str::<Vec<Value>>(&one).unwrap()[0].as_object().unwrap(), "json one");
            }
            let (s, xml) = get(&app, &format!("/open311/v2/requests.xml?{q}")).await;
            assert_eq!(s, StatusCode::OK);
            let xs = xml_requests(&xml);
            assert_eq!(xs.len(), list.len(), "both formats list the same requests");
            for r in &xs {
                check_request(r, &format!("xml {q}"));
            }
            seen += list.len();
        }
    }
    assert!(seen > 100, "the demo's published appeals were read: {seen}");
}

#[tokio::test]
async fn open311_intake_stores_faithfully_or_refuses_clearly() {
    let app = spawn_app().await;
    let sys = luoshi_app::Who::system("test");
    luoshi_app::appeals::seed_categories(&app.t.db, &sys).await.unwrap();
    let (_, key) = luoshi_app::appeals::issue_key(&app.t.db, &sys, "client").await.unwrap();
    let post = |body: Vec<u8>, ct: &'static str| {
        let url = app.url("/open311/v2/requests.json");
        async move { TestApp::client().post(url).header("content-type", ct).body(body).send().await.unwrap() }
    };
    let form = |extra: &[(&str, &str)]| {
        let mut f: Vec<(&str, &str)> = vec![("api_key", key.as_str()), ("service_code", "streetlight"), ("address_string", "城关镇东门社区")];
        f.extend_from_slice(extra);
        serde_urlencoded::to_string(f).unwrap().into_bytes()
    };
    const FORM: &str = "application/x-www-form-urlencoded";
    // A character XML 1.0 forbids is stripped at intake; the XML feed stays readable.
    let r = post(form(&[("description", "路灯不亮\u{FFFF}已经一周\u{1}了")]), FORM).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let code = r.json::<Value>().await.unwrap()[0]["service_request_id"].as_str().unwrap().to_string();
    let stored = luoshi_storage::appeals::by_code(&app.t.db, &code).await.unwrap().unwrap();
    assert_eq!(stored.content, "路灯不亮已经一周了");
    // No description (optional in the spec): the service's name stands for it. A media_url is
    // kept and published; a citizen's urgency is ignored.
    let r = post(form(&[("media_url", "https://img.example/lamp.jpg"), ("urgency", "critical")]), FORM).await;
    assert_eq!(r.status(), StatusCode::CREATED, "description is optional");
    let v = r.json::<Value>().await.unwrap();
    assert!(v[0]["rating_code"].as_str().is_some_and(|c| c.len() == 9), "{v}");
    let a = luoshi_storage::appeals::by_code(&app.t.db, v[0]["service_request_id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!((a.content.as_str(), a.media_url.as_deref(), a.urgency.as_str()), ("路灯照明", Some("https://img.example/lamp.jpg"), "normal"));
    // Attributes no service defines: refused, not dropped.
    let r = post(form(&[("description", "路灯不亮已经一周"), ("attribute[WHISHETN]", "x")]), FORM).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("defines no attributes"));
    // GBK: refused, nothing stored.
    let before = luoshi_storage::appeals::list(&app.t.db, &Default::default()).await.unwrap().len();
    let (gbk, _, _) = encoding_rs::GBK.encode("路灯不亮已经一周");
    let mut body = form(&[]);
    body.extend_from_slice(b"&description=");
    for b in gbk.iter() {
        body.extend_from_slice(format!("%{b:02X}").as_bytes());
    }
    let r = post(body.clone(), FORM).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("UTF-8"));
    assert_eq!(post(form(&[("description", "路灯不亮已经一周")]), "application/x-www-form-urlencoded; charset=gbk").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(luoshi_storage::appeals::list(&app.t.db, &Default::default()).await.unwrap().len(), before);
    // Too large: the spec's error body, 413, and the connection closed.
    let big = form(&[("description", &"很".repeat(30_000))]);
    let r = post(big, FORM).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers().get("connection").map(|v| v.to_str().unwrap()), Some("close"));
    assert_eq!(r.json::<Value>().await.unwrap()[0]["code"], 413);
    // A leaked key cannot flood the hotline: the county's limit per key and minute.
    let admin = app.login("admin").await;
    let r = admin.put(&app, "/api/v1/rules/open311.key.per_minute", json!({ "value": 3, "source": "测试", "effective_from": "2026-01-01" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Seven posts: even if a minute's window turns over between two of them, one window holds
    // more than three.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(post(form(&[("description", "路灯不亮已经一周")]), FORM).await.status());
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn the_public_page_keeps_programs_out_and_citizens_in() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let submit = |fields: Vec<(&'static str, String)>| {
        let url = app.url("/public/appeal");
        async move { TestApp::client().post(url).form(&fields).send().await.unwrap() }
    };
    let base = |started: String| -> Vec<(&'static str, String)> {
        vec![
            ("category", "neighbour".into()),
            ("content", "楼下烧烤店油烟直排，噪音到凌晨两点。".into()),
            ("phone", "13600001111".into()),
            ("urgency", "critical".into()),
            ("started", started),
        ]
    };
    let now = luoshi_storage::now_micros();
    let aged = app.state.form_token(now - 10_000_000).await.unwrap();
    // Sent the moment the page opened: a program.
    let fresh = app.state.form_token(now).await.unwrap();
    let r = submit(base(fresh)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("提交得太快了"));
    // A forged or missing token, or the honeypot filled in.
    for bad in [format!("{}.00", now - 10_000_000), String::new()] {
        assert_eq!(submit(base(bad)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut trap = base(aged.clone());
    trap.push(("website", "http://spam.example".into()));
    assert_eq!(submit(trap).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A person: accepted, urgency ignored, both codes shown once.
    let r = submit(base(aged.clone())).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let page = r.text().await.unwrap();
    assert!(page.contains("评价码"), "{page}");
    let appeals = luoshi_storage::appeals::list(&app.t.db, &Default::default()).await.unwrap();
    assert_eq!(appeals[0].urgency, "normal");
    // The same phone number, day after day: the county's daily limit.
    let admin = app.login("admin").await;
    admin.put(&app, "/api/v1/rules/appeals.intake.per_phone_per_day", json!({ "value": 2, "source": "测试", "effective_from": "2026-01-01" })).await;
    assert_eq!(submit(base(aged.clone())).await.status(), StatusCode::CREATED);
    let r = submit(base(aged)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
