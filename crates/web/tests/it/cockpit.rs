//! 考核与驾驶舱 over HTTP (issue 19): the cockpit of the county, of a deputy leader's oversight
//! and of a township, read from counters that move with each change; the records behind a
//! figure; scorecards with adjustments and objections; the annual report in three formats;
//! schemes as versioned data. Who sees what is checked on every call.

use crate::*;
use serde_json::json;

fn card<'a>(c: &'a Value, kind: &str) -> &'a Value {
    c["cards"].as_array().unwrap().iter().find(|k| k["kind"] == kind).unwrap_or_else(|| panic!("no {kind} card in {c}"))
}

#[tokio::test]
async fn the_cockpit_follows_each_change_and_each_sight() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let other = app.unit_id("青山镇").await;
    let leader = app.login("leader").await;
    let sup = app.login("supervisor").await;
    let staff = app.login("staff").await;
    let vice = app.login("vice").await;

    // The county: a card per kind with records, units ranked, twelve months of trend.
    let c: Value = leader.get(&app, "/api/v1/cockpit").await.json().await.unwrap();
    assert_eq!(c["sight"], "county");
    assert_eq!(c["trend"].as_array().unwrap().len(), 12);
    assert!(!c["rankings"].as_array().unwrap().is_empty(), "{c}");
    card(&c, "task");

    // A township's open task closed: its card moves at once, in the one request of the page.
    let path = format!("/api/v1/cockpit?unit={town}");
    let before: Value = leader.get(&app, &path).await.json().await.unwrap();
    let rows: Value = leader.get(&app, &format!("/api/v1/cockpit/records?kind=task&event=open&unit={town}")).await.json().await.unwrap();
    let row = rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| ["assigned", "signed", "returned"].contains(&r["state"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("{rows}"));
    let id = row["id"].as_i64().unwrap();
    if row["state"] == "assigned" {
        assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "sign" })).await.status(), StatusCode::OK);
    }
    assert_eq!(staff.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "request_closure" })).await.status(), StatusCode::OK);
    assert_eq!(sup.post(&app, &format!("/api/v1/tasks/{id}/act"), json!({ "action": "accept" })).await.status(), StatusCode::OK);
    let after: Value = leader.get(&app, &path).await.json().await.unwrap();
    let n = |v: &Value, f: &str| card(v, "task")[f].as_i64().unwrap();
    assert_eq!(n(&after, "open"), n(&before, "open") - 1);
    assert_eq!(n(&after, "on_time") + n(&after, "late"), n(&before, "on_time") + n(&before, "late") + 1);
    assert!(luoshi_storage::duty::tallies::verify(&app.t.db).await.unwrap().is_empty());
    // The closed task is among the records behind the figure.
    let event = if n(&after, "on_time") > n(&before, "on_time") { "on_time" } else { "late" };
    let behind: Value = leader.get(&app, &format!("/api/v1/cockpit/records?kind=task&event={event}&unit={town}&year=2026")).await.json().await.unwrap();
    assert!(behind["rows"].as_array().unwrap().iter().any(|r| r["id"] == id), "{behind}");

    // A township sees itself (its own cockpit, its place among its peers), never another.
    let own: Value = staff.get(&app, "/api/v1/cockpit").await.json().await.unwrap();
    assert_eq!((own["node"]["unit_id"].as_i64(), own["sight"].as_str()), (Some(town), Some("units")));
    assert_eq!(staff.get(&app, &format!("/api/v1/cockpit?unit={other}")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(staff.get(&app, "/api/v1/cockpit?unit=999999").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(staff.get(&app, &format!("/api/v1/cockpit/records?kind=task&event=open&unit={other}")).await.status(), StatusCode::FORBIDDEN);
    let (status, code, body) = error_code(staff.get(&app, "/api/v1/cockpit?year=1900").await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "out_of_range", Some("year")));
    // A deputy leader: what he oversees; a township outside it is refused.
    let v: Value = vice.get(&app, "/api/v1/cockpit").await.json().await.unwrap();
    assert_eq!(v["sight"], "oversight");
    let ranked: Vec<&str> =
        v["rankings"].as_array().unwrap().iter().flat_map(|r| r["lines"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap())).collect();
    assert!(!ranked.is_empty() && !ranked.contains(&"城关镇"), "{ranked:?}");
    assert_eq!(vice.get(&app, &format!("/api/v1/cockpit?unit={town}")).await.status(), StatusCode::FORBIDDEN);

    // The pages: the home page is the cockpit; the wall refreshes itself; a figure's records.
    let home = leader.get(&app, "/").await.text().await.unwrap();
    assert!(home.contains("驾驶舱") && home.contains("/cockpit/records?kind=task") && home.contains("<svg") && !home.contains("建设中"), "{home}");
    let wall = leader.get(&app, &format!("/cockpit/wall?unit={town}")).await.text().await.unwrap();
    assert!(wall.contains("http-equiv=\"refresh\"") && wall.contains("城关镇"));
    let page = leader.get(&app, &format!("/cockpit/records?kind=task&event=open&unit={town}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let r = app.login("deputy").await.get(&app, "/").await;
    assert_eq!(r.headers()["location"], "/livelihood");
}

#[tokio::test]
async fn scorecards_adjustments_objections_and_the_report() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let sup = app.login("supervisor").await;
    let manager = app.login("manager").await;
    let staff = app.login("staff").await;
    let leader = app.login("leader").await;

    let card: Value = manager.get(&app, &format!("/api/v1/assessment/units/{town}?year=2026")).await.json().await.unwrap();
    assert_eq!(card["scheme_version"], 0);
    assert_eq!(card["card"]["parts"].as_array().unwrap().len(), 2, "{card}");
    assert_eq!(app.login("staff2").await.get(&app, &format!("/api/v1/assessment/units/{town}")).await.status(), StatusCode::FORBIDDEN);

    // 加扣分: the supervision office only, under a rule, within its cap, with a basis.
    let adj = |rule: &str, points: Value, basis: &str| json!({ "unit_id": town, "year": 2026, "rule": rule, "points": points, "grounds": basis });
    assert_eq!(manager.post(&app, "/api/v1/assessment/adjustments", adj("praise", json!(1), "自评")).await.status(), StatusCode::FORBIDDEN);
    let (_, code, body) = error_code(sup.post(&app, "/api/v1/assessment/adjustments", adj("praise", json!(5), "县委通报〔2026〕3号")).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("out_of_range", Some("points")));
    let (_, code, body) = error_code(sup.post(&app, "/api/v1/assessment/adjustments", adj("praise", json!(1), " ")).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("required", Some("grounds")));
    let (_, _, body) = error_code(sup.post(&app, "/api/v1/assessment/adjustments", adj("bribe", json!(1), "x")).await).await;
    assert_eq!(body["error"]["field"], "rule");
    assert_eq!(sup.post(&app, "/api/v1/assessment/adjustments", adj("praise", Value::Null, "县委通报〔2026〕3号")).await.status(), StatusCode::CREATED);

    // 申诉: the unit's manager files, the office decides with a reason; upheld with points enters a correction.
    let obj = |indicator: &str, reason: &str| json!({ "unit_id": town, "year": 2026, "indicator": indicator, "reason": reason });
    assert_eq!(staff.post(&app, "/api/v1/assessment/objections", obj("appeal_on_time", "x")).await.status(), StatusCode::FORBIDDEN);
    let (_, _, body) = error_code(manager.post(&app, "/api/v1/assessment/objections", obj("nonsense", "x")).await).await;
    assert_eq!(body["error"]["field"], "indicator");
    let r = manager.post(&app, "/api/v1/assessment/objections", obj("appeal_on_time", "两件诉求系上级退回重派，非本镇超时")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let oid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let path = format!("/api/v1/assessment/objections/{oid}/decision");
    assert_eq!(manager.post(&app, &path, json!({ "upheld": true, "reason": "x" })).await.status(), StatusCode::FORBIDDEN);
    let (_, code, _) = error_code(sup.post(&app, &path, json!({ "upheld": true, "reason": "" })).await).await;
    assert_eq!(code, "required");
    let decided: Value = sup.post(&app, &path, json!({ "upheld": true, "reason": "经核实属实，予以更正", "points": 0.5 })).await.json().await.unwrap();
    assert_eq!(decided["state"], "upheld");
    assert_eq!(sup.post(&app, &path, json!({ "upheld": false, "reason": "again" })).await.status(), StatusCode::CONFLICT);
    let card: Value = manager.get(&app, &format!("/api/v1/assessment/units/{town}?year=2026")).await.json().await.unwrap();
    let rules: Vec<&str> = card["adjustments"].as_array().unwrap().iter().map(|a| a["rule_code"].as_str().unwrap()).collect();
    assert_eq!(rules, ["praise", "correction"]);
    assert_eq!(card["objections"][0]["decision"], "经核实属实，予以更正");
    let page = manager.get(&app, &format!("/assessment/units/{town}")).await.text().await.unwrap();
    assert!(page.contains("经核实属实") && page.contains("/cockpit/records?kind=appeal"), "{page}");
    // A refused form keeps its input on the page.
    let r = sup.form(&app, &format!("/assessment/units/{town}/adjustments"), &[("rule", "praise"), ("points", "9"), ("grounds", "留下的依据")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("留下的依据") && body.contains("分值"), "{body}");

    // The annual report: ranked by total, in three formats; not for a township.
    let rep: Value = leader.get(&app, "/api/v1/assessment/report?kind=township&year=2026").await.json().await.unwrap();
    assert!(rep["lines"].as_array().unwrap().iter().any(|l| l["unit_name"] == "城关镇"), "{rep}");
    assert_eq!(staff.get(&app, "/api/v1/assessment/report").await.status(), StatusCode::FORBIDDEN);
    for (path, kind) in [("/assessment/report.xlsx", "spreadsheetml"), ("/assessment/report.docx", "wordprocessingml")] {
        let r = leader.get(&app, path).await;
        assert!(r.headers()["content-type"].to_str().unwrap().contains(kind));
        assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    }
    assert!(leader.get(&app, "/assessment/report?kind=department").await.text().await.unwrap().contains("class=\"a4\""));

    // A scheme is data, versioned; a bad one names its field.
    let s: Value = sup.get(&app, "/api/v1/assessment/schemes?year=2026&kind=township").await.json().await.unwrap();
    let mut scheme = s["scheme"].clone();
    scheme["parts"][0]["weight"] = json!(40.0);
    let (_, _, body) = error_code(sup.put(&app, "/api/v1/assessment/schemes", json!({ "scheme": scheme, "note": "试" })).await).await;
    assert_eq!(body["error"]["field"], "parts");
    scheme["parts"][0]["weight"] = json!(35.0);
    scheme["parts"][1]["weight"] = json!(65.0);
    assert_eq!(manager.put(&app, "/api/v1/assessment/schemes", json!({ "scheme": scheme, "note": "x" })).await.status(), StatusCode::FORBIDDEN);
    let v: Value = sup.put(&app, "/api/v1/assessment/schemes", json!({ "scheme": scheme, "note": "县考核办调整权重" })).await.json().await.unwrap();
    assert_eq!(v["version"], 1);
    let card: Value = manager.get(&app, &format!("/api/v1/assessment/units/{town}?year=2026")).await.json().await.unwrap();
    assert_eq!((card["scheme_version"].as_i64(), card["card"]["parts"][0]["weight"].as_f64()), (Some(1), Some(35.0)));
}

#[tokio::test]
async fn the_scheme_form_keeps_a_new_version_and_names_a_wrong_number() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let staff = app.login("staff").await;
    let page = sup.get(&app, "/assessment/schemes?year=2026&kind=department").await.text().await.unwrap();
    assert!(page.contains("牵头重大项目年度投资完成率") && page.contains("项目·完成投资") && page.contains("name=\"weight.task_on_time\""), "{page}");
    // A unit reads the scheme, without the form.
    let read = staff.get(&app, "/assessment/schemes?year=2026").await.text().await.unwrap();
    assert!(read.contains("任务按期办结率") && !read.contains("保存为新版本"));
    let form = [("year", "2026"), ("kind", "township"), ("weight.task_on_time", "四十"), ("part.work", "35"), ("note", "")];
    let r = sup.form(&app, "/assessment/schemes", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("指标分值") && body.contains("任务按期办结率: 四十") && body.contains("value=\"35\""), "{body}");
    // Weights that do not sum to a hundred are refused as a whole; a note is required.
    let form = [("year", "2026"), ("kind", "township"), ("weight.task_on_time", "50"), ("note", "调整")];
    assert_eq!(sup.form(&app, "/assessment/schemes", &form).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = [("year", "2026"), ("kind", "township"), ("part.work", "35"), ("part.people", "65"), ("note", "")];
    let body = sup.form(&app, "/assessment/schemes", &form).await.text().await.unwrap();
    assert!(body.contains("说明"), "{body}");
    let form = [
        ("year", "2026"),
        ("kind", "township"),
        ("part.work", "35"),
        ("part.people", "65"),
        ("band_name.1", "良好"),
        ("band_min.1", "75"),
        ("band_name.3", ""),
        ("band_min.3", ""),
        ("note", "县考核办2026年第3号"),
    ];
    let r = sup.form(&app, "/assessment/schemes", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v: Value = sup.get(&app, "/api/v1/assessment/schemes?year=2026&kind=township").await.json().await.unwrap();
    assert_eq!((v["version"].as_i64(), v["scheme"]["parts"][0]["weight"].as_f64(), v["scheme"]["bands"][1]["min"].as_f64()), (Some(1), Some(35.0), Some(75.0)));
    assert_eq!(v["history"][0]["note"], "县考核办2026年第3号");
    assert_eq!(staff.form(&app, "/assessment/schemes", &form).await.status(), StatusCode::FORBIDDEN);
}
