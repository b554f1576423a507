//! Warnings as CAP 1.2 over HTTP (issue 15): composed in two languages, approved by a second
//! person, published; every message emitted validates against the OASIS CAP 1.2 schema
//! (`cap-1.2.xsd`); an Update references its original and marks it superseded, a Cancel marks
//! it cancelled (kept, apart from expired); the public feed and XML carry only what was
//! published; messages from peers are read safely, DTDs and empty references refused.

use crate::*;
use serde_json::json;

fn schema() -> xmlschema::Schema {
    xmlschema::parse_schema(include_str!("cap-1.2.xsd")).unwrap()
}

fn valid(schema: &xmlschema::Schema, xml: &str) {
    let doc = oxml::parse(xml).unwrap();
    let report = xmlschema::validate(&doc, schema);
    assert!(report.is_valid(), "{report:?}\n{xml}");
}

async fn warning(s: &Session, app: &TestApp, id: i64) -> Value {
    s.get(app, &format!("/api/v1/warnings/{id}")).await.json().await.unwrap()
}

fn content(headline: &str, colour: &str, area: i64) -> Value {
    json!({
        "event_type": "weather", "colour": colour, "headline": headline,
        "description": "预计未来6小时将出现50毫米以上降雨", "instruction": "注意防范城市内涝",
        "headline_2": "Rainstorm warning", "description_2": "Heavy rain expected in the next 6 hours",
        "area_units": area.to_string(), "polygon": "30.1,120.1 30.2,120.1 30.2,120.2 30.1,120.1",
        "expires": "2026-06-16 20:00"
    })
}

#[tokio::test]
async fn warnings_issued_as_cap_that_the_schema_accepts() {
    let app = spawn_app().await;
    let schema = schema();
    let office = app.login("supervisor").await;
    let admin = app.login("admin").await;
    let town = app.unit_id("城关镇").await;
    let r = office.post(&app, "/api/v1/warnings", content("示范县发布暴雨蓝色预警", "blue", town)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let blue = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let step = |a: &str| json!({ "action": a });
    // Approval by a second person: not the composer, not before it is submitted.
    assert_eq!(error_code(office.post(&app, &format!("/api/v1/warnings/{blue}/actions"), step("publish")).await).await.1, "conflict");
    office.post(&app, &format!("/api/v1/warnings/{blue}/actions"), step("submit")).await;
    assert_eq!(office.post(&app, &format!("/api/v1/warnings/{blue}/actions"), step("approve")).await.status(), StatusCode::FORBIDDEN);
    // Not public before it is published.
    assert!(!reqwest::get(app.url("/cap/feed.atom")).await.unwrap().text().await.unwrap().contains("蓝色"));
    let r = admin.post(&app, &format!("/api/v1/warnings/{blue}/actions"), step("approve")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let w = warning(&office, &app, blue).await;
    let xml = w["warning"]["xml"].as_str().unwrap().to_string();
    valid(&schema, &xml);
    assert!(xml.contains("<language>zh-CN</language>") && xml.contains("<language>en-US</language>"), "both languages");
    assert!(xml.contains("<severity>Minor</severity>") && xml.contains("<valueName>CPEAS Geographic Code</valueName>") && xml.contains("339901100000"));
    let identifier = w["warning"]["identifier"].as_str().unwrap().to_string();
    assert!(identifier.starts_with("33990100000000_"), "{identifier}");
    let sender = w["warning"]["sender"].as_str().unwrap().to_string();

    // An Update: references the original, which shows as superseded.
    let mut yellow_content = content("示范县升级发布暴雨黄色预警", "yellow", town);
    yellow_content["action"] = json!("update");
    let r = office.post(&app, &format!("/api/v1/warnings/{blue}/actions"), yellow_content).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let yellow = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    office.post(&app, &format!("/api/v1/warnings/{yellow}/actions"), step("submit")).await;
    admin.post(&app, &format!("/api/v1/warnings/{yellow}/actions"), step("approve")).await;
    let y = warning(&office, &app, yellow).await;
    let yxml = y["warning"]["xml"].as_str().unwrap().to_string();
    valid(&schema, &yxml);
    let sent = w["warning"]["sent"].as_str().unwrap();
    assert!(yxml.contains("<msgType>Update</msgType>") && yxml.contains(&format!("<references>{sender},{identifier},{sent}</references>")), "{yxml}");
    assert!(yxml.contains("<severity>Moderate</severity>"), "黄 = Moderate as data");
    let b = warning(&office, &app, blue).await;
    assert_eq!((b["warning"]["state"].as_str(), b["warning"]["replaced_by"].as_i64()), (Some("superseded"), Some(yellow)));

    // A Cancel keeps the chain; the cancelled one is cancelled, not expired, and still there.
    let r = office.post(&app, &format!("/api/v1/warnings/{yellow}/actions"), json!({ "action": "cancel", "note": "降雨减弱，预警解除" })).await;
    let cancel = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    office.post(&app, &format!("/api/v1/warnings/{cancel}/actions"), step("submit")).await;
    admin.post(&app, &format!("/api/v1/warnings/{cancel}/actions"), step("approve")).await;
    let c = warning(&office, &app, cancel).await;
    let cxml = c["warning"]["xml"].as_str().unwrap().to_string();
    valid(&schema, &cxml);
    assert!(
        cxml.contains("<msgType>Cancel</msgType>") && cxml.contains(&identifier) && cxml.contains(y["warning"]["identifier"].as_str().unwrap()),
        "the whole chain: {cxml}"
    );
    let y = warning(&office, &app, yellow).await;
    assert_eq!((y["warning"]["state"].as_str(), y["expired"].as_bool()), (Some("cancelled"), Some(false)));
    assert!(y["warning"]["cancelled_at"].as_i64().is_some() && y["warning"]["expires_at"].as_i64().is_some(), "its own expiry kept");

    // The public feed and each message's XML, as published; a draft is nowhere.
    let feed = reqwest::get(app.url("/cap/feed.atom")).await.unwrap().text().await.unwrap();
    assert!(feed.contains("<category term=\"superseded\"/>") && feed.contains("<category term=\"cancelled\"/>"), "{feed}");
    let public = reqwest::get(app.url(&format!("/cap/{sender}/{identifier}.xml"))).await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    assert_eq!(public.text().await.unwrap(), xml);
    let draft = office.post(&app, "/api/v1/warnings", content("草稿", "red", town)).await.json::<Value>().await.unwrap();
    let r = reqwest::get(app.url(&format!("/cap/{sender}/{}.xml", draft["identifier"].as_str().unwrap()))).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Bad input names the field.
    let mut bad = content("x", "green", town);
    bad["colour"] = json!("green");
    assert_eq!(error_code(office.post(&app, "/api/v1/warnings", bad).await).await.1, "required");
    let mut open = content("x", "red", town);
    open["polygon"] = json!("30.1,120.1 30.2,120.1 30.2,120.2 30.3,120.1");
    let (_, code, body) = error_code(office.post(&app, "/api/v1/warnings", open).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("invalid", Some("polygon")));
}

const PEER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>33990041600000_20260615080000</identifier>
  <sender>Shifan_City_Meteorological_Observatory</sender>
  <sent>2026-06-15T08:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <headline>示范市气象台发布暴雨黄色预警信号</headline>
    <parameter><valueName>layer:EC-MSC-SMC:1.0:Alert_Type</valueName><value>warning</value></parameter>
    <area><areaDesc>示范市</areaDesc><polygon>30.1,120.1 30.2,120.1 30.2,120.2 30.1,120.1</polygon><geocode><valueName>CPEAS Geographic Code</valueName><value>339900000000</value></geocode></area>
  </info>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Rainstorm</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <area><areaDesc>Shifan City</areaDesc><circle>30.15,120.15 20</circle></area>
  </info>
</alert>
"#;

#[tokio::test]
async fn messages_from_peers_read_safely() {
    let app = spawn_app().await;
    let schema = schema();
    valid(&schema, PEER);
    let office = app.login("supervisor").await;
    let post = |xml: String| {
        let office = &office;
        let app = &app;
        async move {
            office
                .client
                .post(app.url("/api/v1/cap/inbox"))
                .header("x-csrf-token", &office.csrf)
                .header("content-type", "application/cap+xml")
                .body(xml)
                .send()
                .await
                .unwrap()
        }
    };
    let r = post(PEER.to_string()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let first = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = post(PEER.to_string()).await;
    assert_eq!(r.status(), StatusCode::OK, "the same message is kept once");
    // Round trip: what is kept reads back to the same message.
    let w: Value = office.get(&app, &format!("/api/v1/warnings/{first}")).await.json().await.unwrap();
    let kept: luoshi_domain::emergencies::cap::Alert = serde_json::from_value(w["alert"].clone()).unwrap();
    assert_eq!(kept, luoshi_domain::emergencies::cap::read(PEER).unwrap());
    assert_eq!(kept.infos.len(), 2);
    valid(&schema, &luoshi_domain::emergencies::cap::write(&kept));

    // A DTD (an external entity pointing at a server) is refused without any fetch.
    let xxe =
        PEER.replacen("<alert", "<!DOCTYPE alert [<!ENTITY x SYSTEM \"http://127.0.0.1:9/secret\">]>\n<alert", 1).replacen("<event>暴雨", "<event>&x;暴雨", 1);
    let (status, code, body) = error_code(post(xxe).await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("cap")));
    // Schema-valid but with an empty references: refused.
    let empty =
        PEER.replacen("<scope>Public</scope>", "<scope>Public</scope>\n  <references></references>", 1).replacen("20260615080000<", "20260615081000<", 1);
    valid(&schema, &empty);
    assert_eq!(error_code(post(empty).await).await.2["error"]["field"], "references");
    // An Update from the peer marks the first superseded.
    let update = PEER
        .replacen("<msgType>Alert</msgType>", "<msgType>Update</msgType>", 1)
        .replacen(
            "<scope>Public</scope>",
            "<scope>Public</scope>\n  <references>Shifan_City_Meteorological_Observatory,33990041600000_20260615080000,2026-06-15T08:00:00+08:00</references>",
            1,
        )
        .replacen("20260615080000</identifier>", "20260615090000</identifier>", 1)
        .replacen("<sent>2026-06-15T08:00:00+08:00</sent>", "<sent>2026-06-15T09:00:00+08:00</sent>", 1);
    assert_eq!(post(update).await.status(), StatusCode::CREATED);
    let w: Value = office.get(&app, &format!("/api/v1/warnings/{first}")).await.json().await.unwrap();
    assert_eq!(w["warning"]["state"], "superseded");
    // A received warning opens an incident, once.
    let to = |s: &Session| s.client.post(app.url(&format!("/emergencies/warnings/{first}/incident"))).form(&[("_csrf", s.csrf.as_str())]).send();
    let r = to(&office).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    assert!(at.starts_with("/emergencies/incidents/"), "{at}");
    assert_eq!(to(&office).await.unwrap().headers()["location"].to_str().unwrap(), at, "the same incident");
    let id: i64 = at.trim_start_matches("/emergencies/incidents/").split('?').next().unwrap().parse().unwrap();
    let v: Value = office.get(&app, &format!("/api/v1/incidents/{id}")).await.json().await.unwrap();
    assert_eq!((v["incident"]["source"].as_str(), v["incident"]["event_type"].as_str()), (Some("cap"), Some("flood")), "{v}");
    // Only the command receives.
    let staff = app.login("staff").await;
    let r = staff.client.post(app.url("/api/v1/cap/inbox")).header("x-csrf-token", &staff.csrf).body(PEER.to_string()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn published_warnings_reach_the_upstream_and_wait_when_it_is_down() {
    let county = spawn_app().await;
    let city = spawn_app().await;
    let token = city.token("supervisor").await;
    let up = luoshi_web::cap_push::Routes {
        upstream: Some(luoshi_web::cap_push::Upstream { url: city.url("/api/v1/cap/inbox"), token: Some(token) }),
        peers: Vec::new(),
    };
    let down = luoshi_web::cap_push::Routes {
        upstream: Some(luoshi_web::cap_push::Upstream { url: "http://127.0.0.1:9/api/v1/cap/inbox".into(), token: None }),
        peers: Vec::new(),
    };
    let office = county.login("supervisor").await;
    let admin = county.login("admin").await;
    let town = county.unit_id("城关镇").await;
    let publish = |headline: &'static str| {
        let (office, admin, county) = (&office, &admin, &county);
        async move {
            let id = office.post(county, "/api/v1/warnings", content(headline, "orange", town)).await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
            office.post(county, &format!("/api/v1/warnings/{id}/actions"), json!({ "action": "submit" })).await;
            admin.post(county, &format!("/api/v1/warnings/{id}/actions"), json!({ "action": "approve" })).await;
            id
        }
    };
    // Nothing published: nothing to push; a draft is never pushed.
    assert_eq!(luoshi_web::cap_push::push_pending(&county.state, &up).await.unwrap(), (0, 0));
    office.post(&county, "/api/v1/warnings", content("草稿不推送", "red", town)).await;
    publish("示范县发布暴雨橙色预警").await;
    assert_eq!(luoshi_web::cap_push::push_pending(&county.state, &up).await.unwrap(), (1, 0));
    assert_eq!(luoshi_web::cap_push::push_pending(&county.state, &up).await.unwrap(), (0, 0), "delivered once");
    let there: Value = city.login("supervisor").await.get(&city, "/api/v1/warnings").await.json().await.unwrap();
    let received: Vec<&Value> = there["warnings"].as_array().unwrap().iter().filter(|w| w["direction"] == "in").collect();
    assert_eq!(received.len(), 1);
    assert_eq!((received[0]["headline"].as_str(), received[0]["colour"].as_str()), (Some("示范县发布暴雨橙色预警"), Some("orange")));
    // The line is down: the message waits in the outbox and goes with the next try.
    publish("示范县发布大风橙色预警").await;
    assert_eq!(luoshi_web::cap_push::push_pending(&county.state, &down).await.unwrap(), (0, 1));
    assert_eq!(luoshi_app::emergencies::exchange::outbox(&county.t.db, 10).await.unwrap().len(), 1);
    assert_eq!(luoshi_web::cap_push::push_pending(&county.state, &up).await.unwrap(), (1, 0));
    assert!(luoshi_app::emergencies::exchange::outbox(&county.t.db, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_county_reports_up_and_the_city_has_the_incident() {
    let county = spawn_app().await;
    let city = spawn_app().await;
    let up = luoshi_web::cap_push::Routes {
        upstream: Some(luoshi_web::cap_push::Upstream { url: city.url("/api/v1/cap/inbox"), token: Some(city.token("supervisor").await) }),
        peers: Vec::new(),
    };
    let office = county.login("supervisor").await;
    let town = county.unit_id("城关镇").await;
    let r = office
        .post(&county, "/api/v1/incidents", json!({ "title": "河口镇渡头村山洪", "event_type": "flood", "occurred_at": "2026-06-15 06:00", "township_id": town, "place": "渡头村", "facts": "山洪冲毁便桥一座", "reporter": "张三 13800001111" }))
        .await;
    let id = r.json::<Value>().await.unwrap()["incident"]["id"].as_i64().unwrap();
    office.post(&county, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": "assess", "level": "4" })).await;
    office.post(&county, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": "report_up", "note": "首报" })).await;
    // Restricted: never on the public feed; the reporter's name and phone stay here.
    let feed = reqwest::get(county.url("/cap/feed.atom")).await.unwrap().text().await.unwrap();
    assert!(!feed.contains("河口镇渡头村山洪"));
    let out = luoshi_app::emergencies::exchange::outbox(&county.t.db, 10).await.unwrap();
    assert_eq!(out.len(), 1);
    let xml = out[0].xml.clone().unwrap();
    valid(&schema(), &xml);
    assert!(xml.contains("<scope>Restricted</scope>") && !xml.contains("13800001111") && !xml.contains("张三"), "{xml}");
    assert_eq!(luoshi_web::cap_push::push_pending(&county.state, &up).await.unwrap(), (1, 0));
    let city_office = city.login("supervisor").await;
    let list: Value = city_office.get(&city, "/api/v1/incidents").await.json().await.unwrap();
    let theirs: Vec<&Value> = list["incidents"].as_array().unwrap().iter().filter(|i| i["source"] == "upstream").collect();
    assert_eq!(theirs.len(), 1, "{list}");
    assert_eq!(theirs[0]["title"], "河口镇渡头村山洪");
    // A 续报 below adds its facts above, the chain kept.
    office.post(&county, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": "update", "note": "转移群众12户", "injured": 2 })).await;
    office.post(&county, &format!("/api/v1/incidents/{id}/actions"), json!({ "action": "report_up", "note": "续报" })).await;
    let out = luoshi_app::emergencies::exchange::outbox(&county.t.db, 10).await.unwrap();
    assert!(out[0].xml.clone().unwrap().contains("<msgType>Update</msgType>"));
    assert_eq!(luoshi_web::cap_push::push_pending(&county.state, &up).await.unwrap(), (1, 0));
    let v: Value = city_office.get(&city, &format!("/api/v1/incidents/{}", theirs[0]["id"])).await.json().await.unwrap();
    assert!(v["incident"]["facts"].as_str().unwrap().contains("转移群众12户"), "{v}");

    // The city activates its plan at Ⅲ: the activation goes down to the county as a directive.
    let their_id = theirs[0]["id"].as_i64().unwrap();
    city_office.post(&city, &format!("/api/v1/incidents/{their_id}/actions"), json!({ "action": "assess", "level": "3" })).await;
    let water = city.unit_id("县水利局").await;
    let r = city_office
        .post(
            &city,
            "/api/v1/emergency-plans",
            json!({ "title": "示范市防汛应急预案", "kind": "special", "category": "natural", "event_type": "flood", "owner_unit_id": water }),
        )
        .await;
    let plan = r.json::<Value>().await.unwrap()["detail"]["plan"]["id"].as_i64().unwrap();
    let office_unit = city.unit_id("县应急管理局").await;
    let contents = json!({ "levels": [{ "level": "3", "command": "市防汛抗旱指挥部", "command_unit_id": office_unit, "conditions": "较大洪水" }],
        "matrix": [{ "level": "3", "unit_id": water, "role": "牵头", "task": "调度抢险", "first_report_minutes": 30, "followup_minutes": 60 }] });
    city_office.put(&city, &format!("/api/v1/emergency-plans/{plan}/contents"), contents).await;
    for action in ["submit", "publish"] {
        city_office.post(&city, &format!("/api/v1/emergency-plans/{plan}/actions"), json!({ "action": action })).await;
    }
    let r = city_office.post(&city, &format!("/api/v1/incidents/{their_id}/activations"), json!({ "plan_id": plan })).await;
    let status = r.status();
    assert_eq!(status, StatusCode::CREATED, "{}", r.text().await.unwrap());
    let sender: Value = office.get(&county, "/api/v1/warnings").await.json().await.unwrap();
    let county_sender = sender["warnings"][0]["sender"].as_str().unwrap().to_string();
    let routes = luoshi_web::cap_push::Routes {
        upstream: None,
        peers: vec![(county_sender, luoshi_web::cap_push::Upstream { url: county.url("/api/v1/cap/inbox"), token: Some(county.token("supervisor").await) })],
    };
    assert_eq!(luoshi_web::cap_push::push_pending(&city.state, &routes).await.unwrap(), (1, 0));
    let v: Value = office.get(&county, &format!("/api/v1/incidents/{id}")).await.json().await.unwrap();
    assert_eq!((v["incident"]["level"].as_str(), v["incident"]["lead"].as_str()), (Some("3"), Some("city")), "the county takes the city's level");
    assert!(v["timeline"].as_array().unwrap().iter().any(|l| l["text"].as_str().unwrap_or("").contains("上级指令")), "{v}");
    assert!(v["incident"]["due_at"].as_i64().is_some(), "the report upward is due again");
}
