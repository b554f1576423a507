use crate::{error_code, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn units_create_update_with_errors_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let county = app.unit_id("示范县").await;
    // Missing name, in Chinese and in English.
    let r = admin.post(&app, "/api/v1/units", json!({ "parent_id": county, "kind": "department", "name": " " })).await;
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "required"));
    assert_eq!(body["error"]["field"], "name");
    assert_eq!(body["error"]["message"], "请填写名称");
    let r = admin
        .client
        .post(app.url("/api/v1/units"))
        .header("x-csrf-token", &admin.csrf)
        .header("accept-language", "en-US")
        .json(&json!({ "parent_id": county, "kind": "township", "name": "新镇", "code": "12345" }))
        .send()
        .await
        .unwrap();
    let (_, code, body) = error_code(r).await;
    assert_eq!(code, "invalid");
    assert_eq!(body["error"]["message"], "Code is not valid (12345)");
    // A duplicate code: 409, the field named, no database text.
    let r = admin.post(&app, "/api/v1/units", json!({ "parent_id": county, "kind": "township", "name": "新镇", "code": "339901100000" })).await;
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "duplicate"));
    assert_eq!(body["error"]["field"], "code");
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("unique") && !text.contains("constraint") && !text.contains("sql"));
    // Malformed JSON names the body.
    let r = admin
        .client
        .post(app.url("/api/v1/units"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    let (_, code, body) = error_code(r).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("invalid", Some("body")));
    // Create, then rename; both leave a trail.
    let r = admin.post(&app, "/api/v1/units", json!({ "parent_id": county, "kind": "department", "name": "县数据局", "short_name": "数据局" })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["unit"]["id"].as_i64().unwrap();
    let r = admin
        .put(
            &app,
            &format!("/api/v1/units/{id}"),
            json!({ "parent_id": county, "kind": "department", "name": "县大数据局", "short_name": "数据局", "leader": "赵数" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let trail = luoshi_storage::audit::trail(&app.t.db, "unit", &id.to_string()).await.unwrap();
    assert_eq!(trail.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), vec!["unit.create", "unit.update"]);
    assert!(trail[1].before.as_deref().unwrap().contains("县数据局") && trail[1].after.as_deref().unwrap().contains("县大数据局"));
    assert_eq!(trail[1].actor, "admin");
}

#[tokio::test]
async fn unit_import_checks_every_row_and_writes_all_or_nothing() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let before_units = luoshi_storage::units::count(&app.t.db).await.unwrap();
    let before_audit = luoshi_storage::audit::verify(&app.t.db).await.unwrap().checked;
    // One good row, two bad ones.
    let rows = vec![
        ["".to_string(), "县档案馆".into(), "档案馆".into(), "部门".into(), "339901".into(), "".into()],
        ["339901106000".into(), "新建镇".into(), "".into(), "乡镇/街道".into(), "无此县".into(), "".into()],
        ["".into(), "".into(), "".into(), "部门".into(), "示范县".into(), "".into()],
    ];
    let xlsx = luoshi_ledger::write_xlsx("单位", &luoshi_domain::unit_import::COLUMNS, &rows).unwrap();
    let r = admin.client.post(app.url("/api/v1/units/import?name=units.xlsx")).header("x-csrf-token", &admin.csrf).body(xlsx.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    let problems: Vec<(i64, String)> =
        body["rows"].as_array().unwrap().iter().map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_string())).collect();
    assert_eq!(problems, vec![(3, "上级单位".to_string()), (4, "名称".to_string())]);
    assert_eq!(luoshi_storage::units::count(&app.t.db).await.unwrap(), before_units);
    assert_eq!(luoshi_storage::audit::verify(&app.t.db).await.unwrap().checked, before_audit);

    // Fixed: a dry run writes nothing, the real run writes both rows.
    let rows = vec![
        rows[0].clone(),
        ["339901106000".into(), "新建镇".into(), "".into(), "乡镇/街道".into(), "示范县".into(), "".into()],
        ["339901106201".into(), "新建村".into(), "".into(), "村/社区".into(), "新建镇".into(), "".into()],
    ];
    let csv = luoshi_ledger::write_csv(&luoshi_domain::unit_import::COLUMNS, &rows).unwrap();
    let r =
        admin.client.post(app.url("/api/v1/units/import?dry_run=true&name=u.csv")).header("x-csrf-token", &admin.csrf).body(csv.clone()).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["created"], 3);
    assert_eq!(luoshi_storage::units::count(&app.t.db).await.unwrap(), before_units);
    let r = admin.client.post(app.url("/api/v1/units/import?name=u.csv")).header("x-csrf-token", &admin.csrf).body(csv.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(luoshi_storage::units::count(&app.t.db).await.unwrap(), before_units + 3);
    // Again: nothing changes.
    let r = admin.client.post(app.url("/api/v1/units/import?name=u.csv")).header("x-csrf-token", &admin.csrf).body(csv).send().await.unwrap();
    let b: Value = r.json().await.unwrap();
    assert_eq!((b["created"].as_i64(), b["unchanged"].as_i64()), (Some(0), Some(3)));

    // Export round trip: the exported workbook imports as "all unchanged".
    let x = admin.get(&app, "/api/v1/units/export.xlsx").await;
    assert!(x.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let bytes = x.bytes().await.unwrap().to_vec();
    let r = admin.client.post(app.url("/api/v1/units/import?dry_run=true&name=e.xlsx")).header("x-csrf-token", &admin.csrf).body(bytes).send().await.unwrap();
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["created"], 0, "{b}");
    assert_eq!(b["unchanged"].as_i64().unwrap(), before_units + 3);
    // Garbage is a clear file error.
    let r = admin
        .client
        .post(app.url("/api/v1/units/import?name=x.xlsx"))
        .header("x-csrf-token", &admin.csrf)
        .body(b"PK\x03\x04not really".to_vec())
        .send()
        .await
        .unwrap();
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "bad_file");
}

#[tokio::test]
async fn rules_are_versioned_and_audited() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let r =
        admin.put(&app, "/api/v1/rules/supervision.light.due_soon_working_days", json!({ "value": 99, "source": "x", "effective_from": "2026-01-01" })).await;
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "out_of_range"));
    assert_eq!(body["error"]["field"], "value");
    let r = admin
        .put(
            &app,
            "/api/v1/rules/supervision.light.due_soon_working_days",
            json!({ "value": 5, "source": "示范县督查室〔2026〕3号", "effective_from": "2026-01-01", "note": "测试" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Through the form too (text values).
    let r = admin
        .form(&app, "/rules/supervision.report.monthly_day", &[("value", "25"), ("source", "示范县督查室〔2026〕4号"), ("effective_from", "2026-01-01")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let leader = app.login("leader").await;
    let list: Value = leader.get(&app, "/api/v1/rules").await.json().await.unwrap();
    let rule = list["rules"].as_array().unwrap().iter().find(|r| r["key"] == "supervision.light.due_soon_working_days").unwrap();
    assert_eq!(rule["in_force"]["value"], 5);
    assert_eq!(rule["in_force"]["changed_by"], "admin");
    let one: Value = leader.get(&app, "/api/v1/rules/supervision.report.monthly_day").await.json().await.unwrap();
    assert_eq!(one["versions"].as_array().unwrap().len(), 2);
    let trail = luoshi_storage::audit::trail(&app.t.db, "rule", "supervision.light.due_soon_working_days").await.unwrap();
    assert_eq!(trail.last().unwrap().actor, "admin");
    // A leader may read but not change.
    let r = leader.put(&app, "/api/v1/rules/supervision.report.monthly_day", json!({ "value": 20, "source": "x", "effective_from": "2026-01-01" })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn calendar_deadlines_and_import() {
    let app = spawn_app().await;
    let staff = app.login("staff").await;
    let r: Value = staff.get(&app, "/api/v1/calendar/deadline?from=2026-02-13&days=6").await.json().await.unwrap();
    assert_eq!(r["deadline"], "2026-02-28"); // 14 (Sat, make-up), 24, 25, 26, 27, 28 (Sat, make-up)
    let (status, code, body) = error_code(staff.get(&app, "/api/v1/calendar/deadline?from=2026-12-20&days=20").await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "calendar_unknown_year"));
    assert!(body["error"]["message"].as_str().unwrap().contains("2027"));
    let (_, code, body) = error_code(staff.get(&app, "/api/v1/calendar/deadline?from=2026-02-30&days=1").await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("invalid", Some("date")));
    let admin = app.login("admin").await;
    let text = "year 2027\nsource 国务院办公厅关于2027年部分节假日安排的通知\nholiday 2027-01-01..2027-01-03 元旦\n";
    let r = admin.post(&app, "/api/v1/calendar/import", json!({ "text": text })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r: Value = staff.get(&app, "/api/v1/calendar/deadline?from=2026-12-31&days=1").await.json().await.unwrap();
    assert_eq!(r["deadline"], "2027-01-04");
    let (_, code, _) = error_code(admin.post(&app, "/api/v1/calendar/import", json!({ "text": "year 2028\nsource x\nholiday 2028-13-01 x\n" })).await).await;
    assert_eq!(code, "invalid");
}

#[tokio::test]
async fn audit_verify_over_http_names_a_tampered_row() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let v: Value = admin.get(&app, "/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], true);
    let checked = v["checked"].as_i64().unwrap();
    assert!(checked > 90);
    let rows: Value = admin.get(&app, "/api/v1/audit").await.json().await.unwrap();
    assert_eq!(rows["rows"][0]["action"], "session.login");
    let longest = luoshi_storage::audit::heads(&app.t.db).await.unwrap().into_iter().max_by_key(|h| h.seq).unwrap();
    let target = longest.seq / 2;
    luoshi_storage::testing::tamper_audit_row(&app.t.db, longest.chain, target, "mallory").await.unwrap();
    let v: Value = admin.get(&app, "/api/v1/audit/verify").await.json().await.unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!((v["broken"]["chain"].as_i64(), v["broken"]["seq"].as_i64()), (Some(longest.chain), Some(target)));
    assert_eq!(v["broken"]["reason"], "hash_mismatch");
}

#[tokio::test]
async fn openapi_health_and_metrics() {
    let app = spawn_app().await;
    let c = TestApp::client();
    let doc: Value = c.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for s in luoshi_web::routes::specs().iter().filter(|s| s.path.starts_with("/api/v1")) {
        assert!(doc["paths"][s.path][s.method.as_str().to_ascii_lowercase()].is_object(), "{} {} missing", s.method, s.path);
    }
    let m = c.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("luoshi_http_requests_total{method=\"GET\",route=\"/api/openapi.json\",status=\"200\"} 1"), "{m}");
    assert!(m.contains("luoshi_database_up 1"));
    let (status, code, _) = error_code(c.get(app.url("/api/v1/nothing-here")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
}
