//! The screens as their users meet them (issue 20): a form's outcome said on the page it lands
//! on; 容错免责 as the office works it, condition by condition, to 免责, 从轻减轻 or 不予免责.

use crate::{day, error_code, spawn_app, Session, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Post a form as a browser does and read the page it is sent back to.
async fn submit(s: &Session, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> String {
    let r = s.form(app, path, fields).await;
    if r.status().is_redirection() {
        let to = r.headers()["location"].to_str().unwrap().to_string();
        return s.get(app, &to).await.text().await.unwrap();
    }
    let status = r.status();
    format!("{status} {}", r.text().await.unwrap())
}

/// A meeting's minutes (会议纪要) the office records as a directive; its id.
async fn directive(s: &Session, app: &TestApp, title: &str) -> i64 {
    let r = s.post(app, "/api/v1/directives", json!({ "title": title, "kind": "meeting", "issued_on": "2026-06-12", "issuer": "李县长" })).await;
    r.json::<Value>().await.unwrap()["directive"]["id"].as_i64().unwrap()
}

/// A task of 城关镇 created, assigned and signed, due Friday 26 June 2026.
async fn signed_task(app: &TestApp) -> i64 {
    let sup = app.login("supervisor").await;
    let staff = app.login("staff").await;
    let town = app.unit_id("城关镇").await;
    let directive = directive(&sup, app, "县长办公会议纪要〔2026〕11号").await;
    let r = sup
        .post(app, &format!("/api/v1/directives/{directive}/tasks"), json!({ "title": "背街小巷路灯修复", "lead_unit_id": town, "deadline": "2026-06-26" }))
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Through the forms, as people do: each lands back on the task saying what happened.
    let page = submit(&sup, app, &format!("/tasks/{id}/act"), &[("action", "assign")]).await;
    assert!(page.contains("已交办，责任单位将在待办中看到并签收"), "{page}");
    let page = submit(&staff, app, &format!("/tasks/{id}/act"), &[("action", "sign")]).await;
    assert!(page.contains("已签收"), "{page}");
    id
}

#[tokio::test]
async fn an_exemption_is_worked_condition_by_condition_to_a_lighter_consequence() {
    let app = spawn_app().await;
    let id = signed_task(&app).await;
    let (sup, staff) = (app.login("supervisor").await, app.login("staff").await);
    // Days left or overdue in working days, on the board and the page; the lights explained.
    app.state.set_today(day("2026-06-23"));
    let board = sup.get(&app, "/tasks").await.text().await.unwrap();
    assert!(board.contains("剩余3个工作日") && board.contains("蓝灯＝距完成时限不足"), "{board}");
    app.state.set_today(day("2026-07-02"));
    let board = sup.get(&app, "/tasks").await.text().await.unwrap();
    assert!(board.contains("<span class=\"small late\">已逾期4个工作日</span>"), "{board}");
    // The form says what is required before anything is submitted.
    let page = staff.get(&app, &format!("/tasks/{id}")).await.text().await.unwrap();
    assert!(page.contains("已逾期4个工作日"), "{page}");
    assert!(page.contains("六项情形须全部符合、每项附佐证材料，方可认定免责"), "{page}");
    // Five of six ticked, each with its evidence: accepted as an application.
    let mut fields = vec![("reason", "连续强降雨致材料无法进场，单位已履职尽责")];
    let keys: Vec<&str> = luoshi_domain::tasks::EXEMPTION_CONDITIONS.iter().map(|c| c.0).filter(|k| *k != "corrected").collect();
    let mets: Vec<String> = keys.iter().map(|k| format!("met_{k}")).collect();
    let evs: Vec<String> = keys.iter().map(|k| format!("evidence_{k}")).collect();
    for (m, e) in mets.iter().zip(&evs) {
        fields.push((m.as_str(), "on"));
        fields.push((e.as_str(), "气象证明及会议纪要"));
    }
    let page = submit(&staff, &app, &format!("/tasks/{id}/exemptions"), &fields).await;
    assert!(page.contains("已提交容错免责申请，待督查室受理"), "{page}");
    let ex: Value = sup.get(&app, &format!("/api/v1/tasks/{id}")).await.json().await.unwrap();
    let ex = ex["exemptions"][0]["id"].as_i64().unwrap();
    let page = submit(&sup, &app, &format!("/exemptions/{ex}/step"), &[("step", "accept")]).await;
    assert!(page.contains("容错免责已更新：已受理"), "{page}");
    // The verifier records each condition as found, with a note.
    assert!(page.contains("name=\"evidence_corrected\"") && page.contains("核实情况"), "{page}");
    let mut found: Vec<(&str, &str)> = vec![("step", "verify")];
    for (m, e) in mets.iter().zip(&evs) {
        found.push((m.as_str(), "on"));
        found.push((e.as_str(), "经核实属实"));
    }
    found.push(("evidence_corrected", "未见纠错措施"));
    let page = submit(&sup, &app, &format!("/exemptions/{ex}/step"), &found).await;
    // Exemption cannot be decided: said before anyone tries, and no 免责 button.
    assert!(page.contains("尚未核实符合：知错就改"), "{page}");
    assert!(!page.contains("value=\"exempted\"") && page.contains("value=\"mitigated\""), "{page}");
    // If it is tried anyway, the error names the condition in words.
    let (status, _, body) =
        error_code(sup.post(&app, &format!("/api/v1/exemptions/{ex}/step"), json!({ "step": "decide", "outcome": "exempted" })).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = body["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("知错就改") && !msg.contains("corrected"), "{body}");
    // 从轻减轻 needs its reasons; with them it is decided and said.
    let (_, code, body) = error_code(sup.post(&app, &format!("/api/v1/exemptions/{ex}/step"), json!({ "step": "decide", "outcome": "mitigated" })).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("required", Some("note")));
    // Through the form: refused on the task's page, above its 容错免责, not the error page.
    let page = submit(&sup, &app, &format!("/exemptions/{ex}/step"), &[("step", "decide"), ("outcome", "mitigated"), ("note", " ")]).await;
    assert!(page.starts_with("422 ") && page.contains("role=\"alert\"") && page.contains("背街小巷路灯修复"), "{}", &page[..200.min(page.len())]);
    let page =
        submit(&sup, &app, &format!("/exemptions/{ex}/step"), &[("step", "decide"), ("outcome", "mitigated"), ("note", "五项符合，未及时纠错，从轻处理")])
            .await;
    assert!(page.contains("容错免责已更新：从轻减轻") && page.contains("集体认定：从轻减轻"), "{page}");
    let v: Value = sup.get(&app, &format!("/api/v1/tasks/{id}")).await.json().await.unwrap();
    assert_eq!(v["exemptions"][0]["state"], "mitigated");
}

/// The office ticks tasks in 立项 and 交办 them at once; the supervision run says what it did.
#[tokio::test]
async fn several_tasks_are_assigned_at_once_and_the_run_says_what_it_raised() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let town = app.unit_id("城关镇").await;
    let directive = directive(&sup, &app, "县政府常务会议纪要〔2026〕12号").await;
    let mut ids = Vec::new();
    for title in ["农贸市场改造", "公厕提升", "停车位施划"] {
        let r =
            sup.post(&app, &format!("/api/v1/directives/{directive}/tasks"), json!({ "title": title, "lead_unit_id": town, "deadline": "2026-07-31" })).await;
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap().to_string());
    }
    let board = sup.get(&app, "/tasks?state=draft").await.text().await.unwrap();
    assert!(board.contains(&format!("name=\"ids\" value=\"{}\"", ids[0])) && board.contains("交办所选任务"), "{board}");
    let fields: Vec<(&str, &str)> = ids[..2].iter().map(|i| ("ids", i.as_str())).collect();
    let page = submit(&sup, &app, "/tasks/assign", &fields).await;
    assert!(page.contains("已交办2项（共勾选2项）"), "{page}");
    let v: Value = sup.get(&app, &format!("/api/v1/tasks/{}", ids[1])).await.json().await.unwrap();
    assert_eq!(v["task"]["state"], "assigned");
    let v: Value = sup.get(&app, &format!("/api/v1/tasks/{}", ids[2])).await.json().await.unwrap();
    assert_eq!(v["task"]["state"], "draft", "the unticked one stays in 立项");
    let page = submit(&sup, &app, "/supervision/run", &[]).await;
    assert!(page.contains("督查已运行：催办"), "{page}");
    let staff = app.login("staff").await;
    assert_eq!(staff.form(&app, "/tasks/assign", &[("ids", ids[2].as_str())]).await.status(), StatusCode::FORBIDDEN);
}

/// In English, the shipped appeal categories read in English (issue 20 point 11).
#[tokio::test]
async fn appeal_categories_read_in_english() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let s = app.login("hotline").await;
    s.get(&app, "/lang/en?next=/appeals").await;
    let page = s.get(&app, "/appeals").await.text().await.unwrap();
    assert!(page.contains("Roads and traffic") && !page.contains("道路交通"), "{page}");
}

/// A refused form comes back on the task page: the reason above the form, the input as typed,
/// the field marked; never the bare error page (issue 20 point 3).
#[tokio::test]
async fn a_refused_form_comes_back_filled_with_the_reason() {
    let app = spawn_app().await;
    let id = signed_task(&app).await;
    let staff = app.login("staff").await;
    app.state.set_today(day("2026-06-16"));
    // An extension to a day before the deadline: said in words, with what was typed kept.
    let page = submit(&staff, &app, &format!("/tasks/{id}/extensions"), &[("new_deadline", "2026-06-20"), ("reason", "材料供应延迟两周")]).await;
    assert!(page.starts_with("422 "), "{}", &page[..80.min(page.len())]);
    assert!(page.contains("role=\"alert\"") && page.contains("2026-06-26"), "names the deadline it must pass");
    assert!(page.contains("value=\"2026-06-20\" aria-invalid=\"true\"") && page.contains("value=\"材料供应延迟两周\""), "the input is kept");
    assert!(page.contains("背街小巷路灯修复") && !page.contains("出错了"), "the task page, not the error page");
    // A progress report over 100%: the text typed stays.
    let page = submit(&staff, &app, &format!("/tasks/{id}/reports"), &[("text", "已修复路灯42盏"), ("percent", "140")]).await;
    assert!(page.starts_with("422 ") && page.contains(">已修复路灯42盏</textarea>") && page.contains("value=\"140\""), "{page}");
    // Nothing was written by either.
    let v: Value = staff.get(&app, &format!("/api/v1/tasks/{id}")).await.json().await.unwrap();
    assert!(v["extensions"].as_array().unwrap().is_empty() && v["reports"].as_array().unwrap().is_empty(), "{v}");
    // The API keeps its error.
    let r = staff.post(&app, &format!("/api/v1/tasks/{id}/extensions"), json!({ "new_deadline": "2026-06-20", "reason": "x" })).await;
    let (status, code, _) = error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
}

/// The new-task form: milestones as rows with their own names; refused, it comes back as typed,
/// units still chosen (issue 20 points 3 and 8).
#[tokio::test]
async fn a_new_task_keeps_its_input_and_milestone_rows() {
    let app = spawn_app().await;
    let sup = app.login("supervisor").await;
    let (town, finance) = (app.unit_id("城关镇").await.to_string(), app.unit_id("县财政局").await.to_string());
    let directive = directive(&sup, &app, "县政府常务会议纪要〔2026〕13号").await;
    let page = sup.get(&app, &format!("/directives/{directive}")).await.text().await.unwrap();
    assert!(page.contains("节点内容") && page.contains("name=\"m1_title\"") && page.contains("data-picker"), "milestone rows and the unit picker");
    let path = format!("/directives/{directive}/tasks");
    let mut fields = vec![
        ("title", "老旧小区雨污分流改造"),
        ("lead_unit_id", town.as_str()),
        ("cooperating_unit_ids", finance.as_str()),
        ("deadline", "2026-09-30"),
        ("m1_title", "完成设计"),
        ("m1_date", "2026-07-10"),
    ];
    let page = submit(&sup, &app, &path, &fields).await;
    assert!(page.starts_with("422 ") && page.contains("节点（2026-07-10）有误"), "{}", &page[..200.min(page.len())]);
    assert!(page.contains("value=\"老旧小区雨污分流改造\"") && page.contains("value=\"完成设计\""), "the input is kept");
    assert!(page.contains(&format!("value=\"{finance}\" data-depth=\"1\" selected")), "the co-unit stays chosen");
    fields.push(("m1_percent", "30"));
    let page = submit(&sup, &app, &path, &fields).await;
    assert!(page.contains("老旧小区雨污分流改造") && page.contains("完成设计") && page.contains("30%"), "{page}");
    // A directive refused comes back filled too.
    let page =
        submit(&sup, &app, "/directives", &[("title", "县委常委会会议纪要"), ("kind", "meeting"), ("issuer", "县委办"), ("issued_on", "2026-13-01")]).await;
    assert!(page.starts_with("422 ") && page.contains("value=\"县委常委会会议纪要\"") && page.contains("role=\"alert\""), "{page}");
}

/// 直接答复办结: the desk answers a 咨询 on the call and closes it; any other kind is dispatched
/// (issue 20 point 7).
#[tokio::test]
async fn the_desk_answers_an_enquiry_and_closes_it() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    let hotline = app.login("hotline").await;
    let new = |kind: &str| json!({ "kind": kind, "category": "neighbour", "content": "请问宅基地确权登记需要带哪些材料？", "phone": "13800001111" });
    let r = hotline.post(&app, "/api/v1/appeals", new("consult")).await;
    let id = r.json::<Value>().await.unwrap()["appeal"]["id"].as_i64().unwrap();
    let page = hotline.get(&app, &format!("/appeals/{id}")).await.text().await.unwrap();
    assert!(page.contains("直接答复办结") && page.contains("accesskey=\"a\""), "offered for a 咨询");
    let reply = "携带身份证、户口簿和宅基地使用证明到镇自然资源所办理。";
    // An empty answer: refused on the order's own form, not the error page.
    let page = submit(&hotline, &app, &format!("/appeals/{id}/act"), &[("action", "answer"), ("reply", " ")]).await;
    assert!(page.starts_with("422 ") && page.contains("role=\"alert\"") && page.contains("直接答复办结") && !page.contains("出错了"), "{page}");
    let page = submit(&hotline, &app, &format!("/appeals/{id}/act"), &[("action", "answer"), ("reply", reply)]).await;
    assert!(page.contains("已办结") && page.contains(reply), "{page}");
    assert!(page.contains("直接答复办结已办理，工单现为“已办结”"), "says what happened");
    let v: Value = hotline.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
    assert_eq!((v["appeal"]["state"].as_str(), v["appeal"]["owner_unit_id"].as_i64()), (Some("closed"), None));
    // A complaint is not answered at the desk: not offered, refused with the reason in words.
    let r = hotline.post(&app, "/api/v1/appeals", new("complaint")).await;
    let other = r.json::<Value>().await.unwrap()["appeal"]["id"].as_i64().unwrap();
    assert!(!hotline.get(&app, &format!("/appeals/{other}")).await.text().await.unwrap().contains("直接答复办结"));
    let r = hotline.post(&app, &format!("/api/v1/appeals/{other}/act"), json!({ "action": "answer", "reply": reply })).await;
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap_or("").contains("投诉"), "{body}");
    // The desk lays the form beside its queues and says its keys.
    let desk = hotline.get(&app, "/appeals").await.text().await.unwrap();
    assert!(desk.contains("class=\"desk\"") && desk.contains("Alt+N"), "the desk");
}

/// The public page (issue 20 point 10): the county's hotline and its time limits, photos kept
/// without their location, a refused form back as typed.
#[tokio::test]
async fn a_citizen_sends_photos_and_their_location_is_not_kept() {
    let app = spawn_app().await;
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    // The page's own timing check is the rule's; set to none here so the test need not wait.
    let admin = app.login("admin").await;
    admin.form(&app, "/rules/appeals.intake.min_fill_seconds", &[("value", "0"), ("source", "测试"), ("effective_from", "2020-01-01")]).await;
    let anon = Session { client: TestApp::client(), csrf: String::new(), user: Value::Null };
    let page = anon.get(&app, "/public/appeal").await.text().await.unwrap();
    assert!(page.contains("12345政务服务便民热线") && page.contains("派单后答复时限") && page.contains("name=\"photos\""), "the hotline, its limits, photos");
    assert!(page.contains("<span class=\"tagline\">示范县12345政务服务便民热线 12345</span>"), "the header names the hotline, not the product's line");
    let started = page.split("name=\"started\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    // A JPEG with a GPS position in its EXIF.
    let seg = |m: u8, body: &[u8]| {
        let mut s = vec![0xFF, m];
        s.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(body);
        s
    };
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend(seg(0xE1, b"Exif\0\0MM\0*GPSLatitude 30.1234"));
    jpeg.extend(seg(0xDA, &[1, 2, 3, 4]));
    jpeg.extend_from_slice(&[9, 9, 0xFF, 0xD9]);
    let fields =
        [("started", started.as_str()), ("kind", "complaint"), ("category", "road"), ("content", "解放路口井盖缺失，夜里有人踩空。"), ("phone", "13800002222")];
    // A text file called a photo: refused on the same form, the text kept.
    let (ct, body) = crate::multipart(&fields, &[("photos", "井盖.jpg", "image/jpeg", b"not a picture")]);
    let r = anon.client.post(app.url("/public/appeal")).header("content-type", ct).body(body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("“井盖.jpg”不是JPG或PNG照片") && page.contains(">解放路口井盖缺失，夜里有人踩空。</textarea>"), "{page}");
    let (ct, body) = crate::multipart(&fields, &[("photos", "井盖.jpg", "image/jpeg", &jpeg)]);
    let r = anon.client.post(app.url("/public/appeal")).header("content-type", ct).body(body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let page = r.text().await.unwrap();
    let code = page.split("class=\"mono code\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    // The hotline sees the photo, without its GPS position; the public track page does not show it.
    let hotline = app.login("hotline").await;
    let found: Value = hotline.get(&app, "/api/v1/appeals?state=received").await.json().await.unwrap();
    let id = found["appeals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["appeal"]["code"] == code.as_str())
        .and_then(|a| a["appeal"]["id"].as_i64())
        .unwrap_or_else(|| panic!("{code} {found}"));
    let v: Value = hotline.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
    let photo = v["photos"][0]["id"].as_i64().unwrap_or_else(|| panic!("{v}"));
    let bytes = hotline.get(&app, &format!("/appeals/{id}/photos/{photo}")).await.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[9, 9, 0xFF, 0xD9]));
    assert!(!String::from_utf8_lossy(&bytes).contains("GPS"), "the location is gone");
    let track = anon.get(&app, &format!("/public/track?code={code}")).await.text().await.unwrap();
    assert!(!track.contains("/photos/"), "photos are never published");
    // Someone who may not see the order may not see its photo.
    let other = app.login("staff").await;
    assert_eq!(other.get(&app, &format!("/appeals/{id}/photos/{photo}")).await.status(), StatusCode::NOT_FOUND);
}

/// A task first seen already overdue gets its 督办 alone, never a 催办 the same day; the board
/// counts the tasks in 立项; an appeal list says the time left (issue 20 point 5).
#[tokio::test]
async fn the_ladder_raises_the_highest_rung_once_and_lists_say_time_left() {
    let app = spawn_app().await;
    let id = signed_task(&app).await;
    let sup = app.login("supervisor").await;
    app.state.set_today(day("2026-07-02"));
    sup.post(&app, "/api/v1/supervision/run", json!({})).await;
    let v: Value = sup.get(&app, &format!("/api/v1/tasks/{id}")).await.json().await.unwrap();
    let levels: Vec<&str> = v["notices"].as_array().unwrap().iter().filter_map(|n| n["level"].as_str()).collect();
    assert_eq!(levels, vec!["notice"], "督办 alone for a task 4 working days overdue");
    let board = sup.get(&app, "/tasks").await.text().await.unwrap();
    assert!(board.contains("立项·未计时"), "tasks in 立项 are counted");
    // An appeal dispatched to a unit: its list says the working days left.
    luoshi_app::appeals::seed_categories(&app.t.db, &luoshi_app::Who::system("test")).await.unwrap();
    crate::appeals::dispatched_to(&app, "城关镇").await;
    let list = app.login("hotline").await.get(&app, "/appeals").await.text().await.unwrap();
    assert!(list.contains("剩余") && list.contains("个工作日"), "days left on the appeal list");
}
