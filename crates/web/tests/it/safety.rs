//! 安全生产, the rest of the loop over HTTP (issue 14): the enterprise ledger imported all or
//! nothing with its problems by row and column, merged by credit code, exported and a duplicate
//! merged away; risk points and the risk map; a campaign, an inspection from the phone with a
//! photo and a finding (sent twice, recorded once); 停产停业 reviewed before 销号 and the
//! 挂牌督办 notice of a 重大 hazard.

use crate::*;
use serde_json::json;

fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let head = ["企业名称", "统一社会信用代码", "行业代码", "监管部门", "所在乡镇", "地址", "规模", "重点监管类别", "重大危险源等级"];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn post_bytes(s: &Session, app: &TestApp, path: &str, bytes: Vec<u8>) -> Response {
    s.client.post(app.url(path)).header("x-csrf-token", &s.csrf).body(bytes).send().await.unwrap()
}

#[tokio::test]
async fn the_enterprise_ledger_in_and_out() {
    let app = spawn_app().await;
    let office = app.login("supervisor").await;
    let before: Value = office.get(&app, "/api/v1/enterprises").await.json().await.unwrap();
    let n0 = before["enterprises"].as_array().unwrap().len();

    // Every problem by row and column; nothing written.
    let bad = workbook(&[
        &["城关镇甲化工有限公司", "91350100M000100Y43", "C26", "", "城关镇", "", "", "危化", "三级"],
        &["", "91350100M000100Y4", "X9", "县不存在局", "", "", "", "放射", ""],
    ]);
    let r = post_bytes(&office, &app, "/api/v1/enterprises/import?name=ledger.xlsx", bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let cols: Vec<(i64, &str)> = e["rows"].as_array().unwrap().iter().map(|x| (x["row"].as_i64().unwrap(), x["column"].as_str().unwrap())).collect();
    for want in ["企业名称", "监管部门", "重点监管类别"] {
        assert!(cols.contains(&(3, want)), "{want}: {cols:?}");
    }
    let after: Value = office.get(&app, "/api/v1/enterprises").await.json().await.unwrap();
    assert_eq!(after["enterprises"].as_array().unwrap().len(), n0, "all or nothing");

    // A good ledger: the regulator by the county's rule when empty (C → 应急管理局), two rows with
    // one code merged, a failing check character a warning.
    let good = workbook(&[
        &["城关镇甲化工有限公司", "91350100M000100Y43", "C26", "", "城关镇", "城关镇工业园1号", "小型", "危化、有限空间", "三级"],
        &["城关镇乙建材厂", "91350100M000100Y44", "C30", "县应急管理局", "城关镇", "", "", "粉尘涉爆", ""],
        &["城关镇甲化工有限公司", "91350100M000100Y43", "C26", "", "城关镇", "城关镇工业园2号", "中型", "危化", "三级"],
    ]);
    let r: Value = post_bytes(&office, &app, "/api/v1/enterprises/import?name=ledger.xlsx&dry_run=true", good.clone()).await.json().await.unwrap();
    assert_eq!((r["created"].as_i64(), r["dry_run"].as_bool()), (Some(2), Some(true)), "{r}");
    let r: Value = post_bytes(&office, &app, "/api/v1/enterprises/import?name=ledger.xlsx", good.clone()).await.json().await.unwrap();
    assert_eq!((r["created"].as_i64(), r["updated"].as_i64()), (Some(2), Some(0)), "{r}");
    assert_eq!(r["merged"][0], json!([4, 2]), "{r}");
    assert_eq!(r["warnings"][0][1], "hazards.warning.credit_code_check");
    let all: Value = office.get(&app, "/api/v1/enterprises").await.json().await.unwrap();
    let jia = all["enterprises"].as_array().unwrap().iter().find(|e| e["name"] == "城关镇甲化工有限公司").unwrap().clone();
    assert_eq!((jia["regulator_name"].as_str(), jia["address"].as_str(), jia["size"].as_str()), (Some("县应急管理局"), Some("城关镇工业园2号"), Some("中型")));
    // Again: the known codes update, nothing is added.
    let r: Value = post_bytes(&office, &app, "/api/v1/enterprises/import?name=ledger.xlsx", good).await.json().await.unwrap();
    assert_eq!((r["created"].as_i64(), r["updated"].as_i64()), (Some(0), Some(2)), "{r}");

    // Exported in the same columns, imported back unchanged.
    let bytes = office.get(&app, "/api/v1/enterprises/export.xlsx").await.bytes().await.unwrap();
    let table = luoshi_ledger::read_table(&bytes, luoshi_ledger::Format::Xlsx).unwrap();
    assert_eq!(table.headers[0], "企业名称");
    let row = table.rows.iter().find(|r| r.1[0] == "城关镇甲化工有限公司").unwrap();
    assert_eq!((row.1[3].as_str(), row.1[4].as_str(), row.1[7].as_str(), row.1[8].as_str()), ("县应急管理局", "城关镇", "危化", "三级"), "{row:?}");

    // A duplicate entered without a code: its hazard and risk point move to the one kept.
    let town = app.unit_id("城关镇").await;
    let dup =
        office.post(&app, "/api/v1/enterprises", json!({ "name": "甲化工（重复）", "industry": "C26", "regulator_unit_id": town, "township_id": town })).await;
    let dup = dup.json::<Value>().await.unwrap()["enterprise"]["id"].as_i64().unwrap();
    let h = office.post(&app, "/api/v1/hazards", json!({ "enterprise_id": dup, "description": "重复企业名下的隐患", "found_on": TODAY })).await;
    let hid = h.json::<Value>().await.unwrap()["hazard"]["id"].as_i64().unwrap();
    let r = office
        .post(
            &app,
            &format!("/api/v1/enterprises/{dup}/risks"),
            json!({ "name": "反应釜", "level": "larger", "measures": "温度压力联锁", "responsible_level": "workshop" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = office.post(&app, "/api/v1/enterprises/merge", json!({ "from": dup, "into_code": "91350100M000100Y43" })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let moved: Value = office.get(&app, &format!("/api/v1/hazards/{hid}")).await.json().await.unwrap();
    assert_eq!(moved["hazard"]["enterprise_id"], jia["id"]);
    let kept: Value = office.get(&app, &format!("/api/v1/enterprises/{}", jia["id"])).await.json().await.unwrap();
    assert_eq!(kept["risks"][0]["name"], "反应釜", "{kept}");
    assert_eq!(office.get(&app, &format!("/api/v1/enterprises/{dup}")).await.status(), StatusCode::NOT_FOUND);
    // The kept counts still agree with the hazards.
    let (held, _) = luoshi_storage::hazards::counts::recount(&app.t.db, &luoshi_storage::Actor::cli("test")).await.unwrap();
    assert!(held, "the counters held through import and merge");
    // A township may not import for the county's departments.
    let staff = app.login("staff").await;
    let one = workbook(&[&["某厂", "", "C26", "县应急管理局", "", "", "", "", ""]]);
    let r: Value = post_bytes(&staff, &app, "/api/v1/enterprises/import?name=x.xlsx", one).await.json().await.unwrap();
    assert_eq!((r["rows"][0]["column"].as_str(), r["rows"][0]["code"].as_str()), (Some("监管部门"), Some("forbidden")), "{r}");
}

#[tokio::test]
async fn a_campaign_an_inspection_from_the_phone_and_the_risk_map() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let office = app.login("supervisor").await;
    let staff = app.login("staff").await;
    let e = office
        .post(
            &app,
            "/api/v1/enterprises",
            json!({ "name": "城关镇丙食品厂", "industry": "C14", "regulator_unit_id": town, "township_id": town, "flags": ["液氨制冷"] }),
        )
        .await;
    let eid = e.json::<Value>().await.unwrap()["enterprise"]["id"].as_i64().unwrap();

    // A campaign: its end before its start is refused naming it.
    let c = json!({ "kind": "hundred_days", "title": "百日攻坚", "industries": "C14", "township_id": town, "starts_on": "2026-06-01", "ends_on": "2026-05-01", "lead_unit_id": town, "checking_units": [town] });
    assert_eq!(error_code(office.post(&app, "/api/v1/campaigns", c.clone()).await).await.2["error"]["field"], "ends_on");
    let mut c = c;
    c["ends_on"] = json!("2026-09-08");
    let r = office.post(&app, "/api/v1/campaigns", c).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
    let cid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // From the phone: a photo and a finding; a bad photo is refused naming it.
    let photo: &[u8] = b"\xff\xd8\xff\xe0 not really a jpeg but bytes";
    let fields = [
        ("enterprise_id", eid.to_string()),
        ("campaign_id", cid.to_string()),
        ("inspected_on", TODAY.to_string()),
        ("checklist", "gongmao-2023".to_string()),
        ("checked", "液氨制冷".to_string()),
        ("finding", "液氨机房未设置氨气浓度报警".to_string()),
        ("control", "停用该机房，人员撤离".to_string()),
        ("client_key", "phone-key-1".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (ty, body) = multipart(&fields, &[("photos", "a.exe", "application/x-msdownload", photo)]);
    let r = staff.client.post(app.url("/api/v1/inspections")).header("x-csrf-token", &staff.csrf).header("content-type", ty).body(body).send().await.unwrap();
    assert_eq!(error_code(r).await.2["error"]["field"], "photos");
    let (ty, body) = multipart(&fields, &[("photos", "a.jpg", "image/jpeg", photo)]);
    let send =
        || staff.client.post(app.url("/api/v1/inspections")).header("x-csrf-token", &staff.csrf).header("content-type", ty.clone()).body(body.clone()).send();
    let r = send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let first: Value = r.json().await.unwrap();
    // The same submission again (a slow line): the same inspection, nothing written twice.
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!((again["inspection_id"].clone(), again["repeated"].as_bool()), (first["inspection_id"].clone(), Some(true)));
    let iid = first["inspection_id"].as_i64().unwrap();
    let v: Value = staff.get(&app, &format!("/api/v1/inspections/{iid}")).await.json().await.unwrap();
    assert_eq!((v["hazards"].as_array().unwrap().len(), v["photos"].as_array().unwrap().len()), (1, 1), "{v}");
    let pid = v["photos"][0][0].as_i64().unwrap();
    let p = staff.get(&app, &format!("/api/v1/inspections/{iid}/photos/{pid}")).await;
    assert_eq!(p.headers()["content-type"], "image/jpeg");
    assert_eq!(p.bytes().await.unwrap().as_ref(), photo);
    // Another township sees neither the inspection nor its photo.
    let other = app.login("staff2").await;
    assert_eq!(other.get(&app, &format!("/api/v1/inspections/{iid}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(other.get(&app, &format!("/api/v1/inspections/{iid}/photos/{pid}")).await.status(), StatusCode::NOT_FOUND);

    // The campaign's progress: its one enterprise in scope inspected, one hazard found.
    let cv: Value = office.get(&app, &format!("/api/v1/campaigns/{cid}")).await.json().await.unwrap();
    assert_eq!((cv["in_scope"].as_i64(), cv["inspected"].as_i64(), cv["found"].as_i64()), (Some(1), Some(1), Some(1)), "{cv}");

    // Risk points: a 重大 one paints its township and industry red on the map.
    let bad = office
        .post(
            &app,
            &format!("/api/v1/enterprises/{eid}/risks"),
            json!({ "name": "液氨机房", "level": "purple", "measures": "x", "responsible_level": "company" }),
        )
        .await;
    assert_eq!(error_code(bad).await.2["error"]["field"], "level");
    let r = office
        .post(
            &app,
            &format!("/api/v1/enterprises/{eid}/risks"),
            json!({ "name": "液氨机房", "level": "major", "measures": "氨泄漏报警联锁", "responsible_level": "company" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let map: Value = office.get(&app, "/api/v1/hazards/risk-map").await.json().await.unwrap();
    assert!(map["cells"].as_array().unwrap().iter().any(|c| c["township_id"].as_i64() == Some(town) && c["section"] == "C" && c["level"] == "major"), "{map}");
    let theirs: Value = other.get(&app, "/api/v1/hazards/risk-map").await.json().await.unwrap();
    assert!(!theirs["cells"].as_array().unwrap().iter().any(|c| c["township_id"].as_i64() == Some(town)), "{theirs}");
    let page = office.get(&app, "/hazards/risk-map").await.text().await.unwrap();
    assert!(page.contains("<svg") && page.contains("#d93025"), "the map is drawn on the server");
    // A township's staff may not add risk points to the county's enterprises it does not regulate.
    assert_eq!(
        other
            .post(&app, &format!("/api/v1/enterprises/{eid}/risks"), json!({ "name": "x", "level": "low", "measures": "x", "responsible_level": "post" }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_stopped_enterprise_is_reviewed_before_closing_and_the_major_hazard_is_listed() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let office = app.login("supervisor").await;
    let e = office
        .post(&app, "/api/v1/enterprises", json!({ "name": "城关镇丁烟花仓库", "industry": "F52", "regulator_unit_id": town, "township_id": town }))
        .await;
    assert_eq!(e.status(), StatusCode::CREATED, "{:?}", e.text().await);
    let eid = e.json::<Value>().await.unwrap()["enterprise"]["id"].as_i64().unwrap();
    let h: Value =
        office.post(&app, "/api/v1/hazards", json!({ "enterprise_id": eid, "description": "仓库超量储存", "found_on": TODAY })).await.json().await.unwrap();
    let id = h["hazard"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/hazards/{id}/actions");
    let grade = json!({ "action": "grade_major", "deadline": "2026-07-15", "basis_catalogue": "gongmao-2023", "basis_article": "第四条", "basis_item": "（一）", "stop_production": true });
    let v: Value = office.post(&app, &path, grade).await.json().await.unwrap();
    let steps: Vec<&str> = v["trail"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert!(steps.contains(&"notice_listed"), "挂牌督办 as it is graded: {steps:?}");
    let up = v["trail"].as_array().unwrap().iter().find(|s| s["action"] == "report_up").expect("reported up as it is graded");
    assert_eq!(up["note"], "市应急管理局", "to the level the county's rule names");
    let five = json!({ "measures": "清理超量", "responsibility": "经理", "funds": "1万元", "time_limit": "7日", "plan": "仓库火灾预案" });
    // The owner (the township here) fixes the five and asks; the county office accepts.
    let staff = app.login("staff").await;
    for (who, body) in
        [(&staff, json!({ "action": "implement", "five": five })), (&staff, json!({ "action": "submit" })), (&office, json!({ "action": "pass" }))]
    {
        let r = who.post(&app, &path, body.clone()).await;
        assert_eq!(r.status(), StatusCode::OK, "{body}");
    }
    let v: Value = office.get(&app, &format!("/api/v1/hazards/{id}")).await.json().await.unwrap();
    assert!(v["may"].as_array().unwrap().iter().any(|a| a == "resume"), "{v}");
    // 销号 before 复产 review: refused naming it.
    let (_, code, e) = error_code(office.post(&app, &path, json!({ "action": "close", "evidence": "整改照片" })).await).await;
    assert_eq!((code.as_str(), e["error"]["field"].as_str()), ("required", Some("resume")), "{e}");
    let v: Value = office.post(&app, &path, json!({ "action": "resume", "note": "复产审查同意" })).await.json().await.unwrap();
    assert_eq!((v["hazard"]["state"].as_str(), v["hazard"]["resumed_on"].as_str()), (Some("accepted"), Some(TODAY)));
    assert!(!v["may"].as_array().unwrap().iter().any(|a| a == "resume"), "{v}");
    let v: Value = office.post(&app, &path, json!({ "action": "close", "evidence": "整改照片" })).await.json().await.unwrap();
    assert_eq!(v["hazard"]["state"], "closed");
}
