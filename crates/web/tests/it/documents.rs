//! 文件分解 over HTTP: split the speech, publish the edited draft as a directive, and the
//! county's 权责清单 deciding the suggestions.

use crate::{multipart, spawn_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SPEECH: &str = include_str!("../../../domain/tests/data/county-speech.txt");

#[tokio::test]
async fn the_speech_is_split_checked_and_published_as_a_directive() {
    let app = spawn_app().await;
    let s = app.login("supervisor").await;
    let r = s.client.post(app.url("/api/v1/documents/split?year=2026")).header("x-csrf-token", &s.csrf).body(SPEECH).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let split: Value = r.json().await.unwrap();
    assert_eq!(split["catalogue"], "county", "the demo county ships its own catalogue");
    assert_eq!(split["encoding"], "utf-8");
    let sections = split["outline"]["nodes"].as_array().unwrap();
    assert_eq!(sections.len(), 4);
    assert_eq!(sections[2]["title"], "全力守牢安全底线");
    let tasks = split["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 12);
    let lead = |i: usize| tasks[i]["lead"]["unit"].as_str().unwrap_or("").to_string();
    assert_eq!(tasks[6]["title"], "抓实抓细安全生产各项举措");
    assert_eq!(lead(6), "县应急管理局");
    assert_eq!(lead(7), "县财政局");
    // Spans point into the text the server read.
    let text = split["text"].as_str().unwrap();
    let (a, b) = (tasks[6]["start"].as_u64().unwrap() as usize, tasks[6]["end"].as_u64().unwrap() as usize);
    assert!(text[a..b].contains("安全生产"));

    // The office edits: the drafts as rows, one lead unit typed wrong.
    let mut rows: Vec<Value> = tasks
        .iter()
        .map(|t| {
            json!({ "title": t["title"], "measures": t["measures"], "lead_unit": t["lead"]["unit"].as_str().unwrap_or("县委县政府督查室"),
                    "deadline": t["deadline"].as_str().unwrap_or("2026-12-31") })
        })
        .collect();
    rows[1]["lead_unit"] = json!("县不存在局");
    let directive = json!({ "title": "读书班发言任务分解", "kind": "meeting", "issued_on": "2026-06-15", "issuer": "县委副书记", "source_text": text });
    let before = luoshi_storage::tasks::list_directives(&app.t.db, &luoshi_domain::access::Sight::County).await.unwrap().len();
    let r = s.post(&app, "/api/v1/documents/publish", json!({ "directive": directive, "tasks": rows })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["rows"][0]["row"], 2);
    assert_eq!(body["rows"][0]["column"], "牵头单位");
    assert!(body["rows"][0]["message"].as_str().unwrap().contains("县不存在局"), "{body}");
    let after = luoshi_storage::tasks::list_directives(&app.t.db, &luoshi_domain::access::Sight::County).await.unwrap().len();
    assert_eq!(before, after, "nothing is written while a row is wrong");

    rows[1]["lead_unit"] = json!("发改局");
    let r = s.post(&app, "/api/v1/documents/publish", json!({ "directive": directive, "tasks": rows, "dry_run": true })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = s.post(&app, "/api/v1/documents/publish", json!({ "directive": directive, "tasks": rows })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["directive_id"].as_i64().unwrap();
    let d: Value = s.get(&app, &format!("/api/v1/directives/{id}")).await.json().await.unwrap();
    assert_eq!(d["tasks"].as_array().unwrap().len(), 12);
    assert_eq!(d["directive"]["source_text"].as_str().unwrap(), text.trim());

    // A unit's staff may not publish, nor split.
    let staff = app.login("staff").await;
    let r = staff.post(&app, "/api/v1/documents/publish", json!({ "directive": directive, "tasks": rows })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_page_splits_a_pasted_text_and_publishes_the_ticked_rows() {
    let app = spawn_app().await;
    let s = app.login("supervisor").await;
    let page = s.get(&app, "/documents/new").await.text().await.unwrap();
    assert!(page.contains("文件分解") && page.contains("name=\"text\""));
    let (ct, body) = multipart(&[("text", SPEECH), ("year", "2026")], &[]);
    let r = s.client.post(app.url(&format!("/documents/split?_csrf={}", s.csrf))).header("content-type", ct).body(body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("<mark id=\"s1\">") && html.contains("<mark id=\"s12\">"), "every draft task is highlighted in the text");
    assert!(html.contains("蹄疾步稳深化改革") && html.contains("name=\"t11_title\""));
    assert!(html.contains("县应急管理局"));

    // Publish two of the rows; the others are left unticked.
    let fields = [
        ("title", "读书班发言（部分）"),
        ("kind", "meeting"),
        ("issuer", "县委副书记"),
        ("issued_on", "2026-06-15"),
        ("source_text", SPEECH),
        ("t0_include", "on"),
        ("t0_title", "思想上高度一致"),
        ("t0_lead_unit", "县委办公室"),
        ("t0_deadline", "年底前"),
        ("t1_title", "政治上坚决维护"),
        ("t1_lead_unit", "县委办公室"),
        ("t1_deadline", "年底前"),
        ("t2_include", "on"),
        ("t2_title", "行动上紧紧跟随"),
        ("t2_lead_unit", ""),
        ("t2_deadline", "年底前"),
    ];
    // Row 3 (the page's numbering) lacks its lead unit: the page comes back with it marked.
    let r = s.form(&app, "/documents/publish", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("<tr id=\"r3\" class=\"bad\">"), "the wrong row is marked");
    assert!(html.contains("牵头单位"));
    let mut fixed = fields.to_vec();
    fixed.retain(|(k, _)| *k != "t2_lead_unit");
    fixed.push(("t2_lead_unit", "县委办公室"));
    let r = s.form(&app, "/documents/publish", &fixed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/directives/").trim_end_matches("?done=published").parse().unwrap();
    // The directive's page says where the tasks went and what comes next.
    let landed = s.get(&app, &loc).await.text().await.unwrap();
    assert!(landed.contains("已从文件分解发布为决策部署") && landed.contains("交办所选任务"), "{landed}");
    let d: Value = s.get(&app, &format!("/api/v1/directives/{id}")).await.json().await.unwrap();
    let titles: Vec<&str> = d["tasks"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["思想上高度一致", "行动上紧紧跟随"]);
    assert_eq!(d["tasks"][0]["deadline"], "2026-12-31");
}

#[tokio::test]
async fn the_countys_catalogue_decides_the_suggestions() {
    let app = spawn_app().await;
    let s = app.login("supervisor").await;
    let text = "关于做好候鸟保护工作的通知\n一、加强候鸟迁徙通道巡护。秋季迁徙期前完成巡护点位布设。\n二、做好宣传。";
    let split = |s: &crate::Session| {
        let req = s.client.post(app.url("/api/v1/documents/split")).header("x-csrf-token", &s.csrf).body(text);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let before = split(&s).await;
    assert_ne!(before["tasks"][0]["lead"]["unit"], "县自然资源和规划局");
    let water = app.unit_id("县自然资源和规划局").await;
    let r = s.put(&app, &format!("/api/v1/catalogue/{water}"), json!({ "keywords": "候鸟、迁徙通道\n巡护点位" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["keywords"], json!(["候鸟", "迁徙通道", "巡护点位"]));
    let after = split(&s).await;
    assert_eq!(after["tasks"][0]["lead"]["unit"], "县自然资源和规划局");
    assert_eq!(after["tasks"][0]["lead"]["words"], json!(["候鸟", "迁徙通道", "巡护点位"]));
    // Too long a keyword is refused by name; nothing changes.
    let r = s.put(&app, &format!("/api/v1/catalogue/{water}"), json!({ "keywords": "一二三四五六七八九十一二三四五六七八九十一" })).await;
    let (status, code, body) = crate::error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "too_long"));
    assert!(body["error"]["message"].as_str().unwrap().contains("关键词"));
    let cat: Value = s.get(&app, "/api/v1/catalogue").await.json().await.unwrap();
    let entry = cat["entries"].as_array().unwrap().iter().find(|e| e["unit_id"] == water).unwrap().clone();
    assert_eq!(entry["keywords"], json!(["候鸟", "迁徙通道", "巡护点位"]));
    // The change is in the audit trail.
    let audit = luoshi_storage::audit::recent(&app.t.db, None, 5).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "catalogue.set"));
    // A unit's staff reads the catalogue but cannot change it.
    let staff = app.login("staff").await;
    assert_eq!(staff.get(&app, "/catalogue").await.status(), StatusCode::OK);
    assert_eq!(staff.put(&app, &format!("/api/v1/catalogue/{water}"), json!({ "keywords": "x" })).await.status(), StatusCode::FORBIDDEN);
}

/// A cover notice in GBK with its attached plan: read as GBK, its year (2027) dating the
/// deadlines, its left-out part offered unticked with the reason, a weak suggestion marked.
#[tokio::test]
async fn a_gbk_notice_is_split_with_what_was_left_out_offered_back() {
    let app = spawn_app().await;
    let s = app.login("supervisor").await;
    let src = include_str!("../../../domain/tests/data/notice-with-attachments.txt");
    let (gbk, _, _) = encoding_rs::GB18030.encode(src);
    let r = s.client.post(app.url("/api/v1/documents/split?year=2026")).header("x-csrf-token", &s.csrf).body(gbk.to_vec()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["encoding"].as_str(), v["year"].as_i64()), (Some("gb18030"), Some(2027)));
    assert_eq!(v["left_out"][0]["reason"], "describes");
    let lead = v["tasks"].as_array().unwrap().iter().find(|t| t["title"] == "强化资金保障").map(|t| t["lead"].clone()).unwrap();
    assert_eq!((lead["unit"].as_str(), lead["named"].as_bool()), (Some("县发展和改革局"), Some(true)));
    let (ct, body) = multipart(&[("year", "2026")], &[("file", "notice.txt", "text/plain", gbk.as_ref())]);
    let html =
        s.client.post(app.url(&format!("/documents/split?_csrf={}", s.csrf))).header("content-type", ct).body(body).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("按 GB18030 读取；完成时限按 2027 年计") && html.contains("1 处未列入任务"), "{html}");
    assert!(html.contains("未列入：描述性内容"), "the left-out part is offered back with its reason");
    assert!(html.contains("依据较弱，请核对责任单位"));
}
